//! `Bound::argv` against the command lines nipype itself produced: for every
//! valid conformance case whose values (set, default or an Enum's) hold no
//! whitespace, quote or backslash (where a shell would split or unquote a value,
//! by design unlike toolmemo),
//! the argument vector equals Python's `shlex.split` of nipype's command line.

#![cfg(not(target_arch = "wasm32"))]

use serde_json::Value as Json;
use std::io::Write;
use std::process::{Command, Stdio};
use toolmemo::path::FileSet;
use toolmemo::Interface;

fn special(v: &Json) -> bool {
    match v {
        Json::String(s) => s.chars().any(|c| c.is_whitespace() || "'\"\\".contains(c)),
        Json::Array(a) => a.iter().any(special),
        Json::Object(o) => o.values().any(special),
        _ => false,
    }
}

/// Python's own `shlex.split` of each line.
fn shlex_split(lines: &[String]) -> Vec<Vec<String>> {
    let mut py = Command::new("python3")
        .args(["-c", "import json, shlex, sys\nfor l in sys.stdin: print(json.dumps(shlex.split(json.loads(l))))"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("python3 is needed for this test");
    {
        let mut stdin = py.stdin.take().unwrap();
        for l in lines {
            writeln!(stdin, "{}", serde_json::to_string(l).unwrap()).unwrap();
        }
    }
    let out = py.wait_with_output().unwrap();
    String::from_utf8(out.stdout).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn argv_is_the_shell_split_of_nipypes_command_line() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance");
    let mut cases = Vec::new();
    for f in std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
    {
        for line in std::fs::read_to_string(f).unwrap().lines().filter(|l| !l.trim().is_empty()) {
            let case: Json = serde_json::from_str(line).unwrap();
            // Cases naming a nipype interface (the importer's) carry no spec.
            if case.get("spec").is_none() {
                continue;
            }
            // Defaults (an Enum's first value included) are values too.
            let spec_values = case["spec"]["inputs"]
                .as_object()
                .unwrap()
                .values()
                .any(|i| special(i.get("default").unwrap_or(&Json::Null)) || special(&i["type"]));
            if case.get("cmdline").is_some() && !special(&case["inputs"]) && !spec_values {
                cases.push(case);
            }
        }
    }
    let expected = shlex_split(&cases.iter().map(|c| c["cmdline"].as_str().unwrap().to_string()).collect::<Vec<_>>());
    let mut wrong = Vec::new();
    for (case, want) in cases.iter().zip(&expected) {
        let files = FileSet::new(case["files"].as_array().unwrap().iter().filter_map(Json::as_str));
        let iface = Interface::from_json(&case["spec"]).unwrap();
        let got = iface.bind(&case["inputs"], &files).and_then(|b| b.argv()).unwrap();
        if &got != want {
            wrong.push(format!("{}: want {want:?}\n      got {got:?}", case["id"]));
        }
    }
    assert!(cases.len() > 1000, "only {} cases compared", cases.len());
    assert!(
        wrong.is_empty(),
        "{} of {} differ:\n{}",
        wrong.len(),
        cases.len(),
        wrong[..wrong.len().min(15)].join("\n")
    );
}

#[test]
fn values_never_become_shell_syntax() {
    let t = Interface::from_json(&serde_json::json!({"name": "T", "command": "echo -n", "inputs": {
        "msg": {"type": "Str", "argstr": "-m %s"},
        "out": {"type": "File", "argstr": "> %s", "position": -1},
        "items": {"type": {"List": "Str"}, "argstr": "--items %s"},
        "q": {"type": "Str", "argstr": "-q \"%s\""}}}))
    .unwrap();
    let inputs =
        serde_json::json!({"msg": "hi; rm -rf ~", "out": "my file.txt", "items": ["a b", "c"], "q": "it's \"x\""});
    let argv = t.bind(&inputs, &FileSet::default()).unwrap().argv().unwrap();
    assert_eq!(
        argv,
        ["echo", "-n", "--items", "a b", "c", "-m", "hi; rm -rf ~", "-q", "it's \"x\"", ">", "my file.txt"]
    );
}
