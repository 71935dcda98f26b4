//! `toolmemo run` and the cache verbs, end to end: the real program running real
//! tools (shell scripts that count their own executions, and coreutils).

#![cfg(feature = "native")]

use serde_json::{json, Value as Json};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BIN: &str = env!("CARGO_BIN_EXE_toolmemo");

/// A fresh folder with a cache and a script `tool.sh` that appends a line to
/// `runs.log` each time it executes, then does what `body` says.
struct Lab {
    dir: PathBuf,
}

impl Lab {
    fn new(name: &str, body: &str) -> Lab {
        let dir = std::env::temp_dir().join(format!("toolmemo-cli-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let script = dir.join("tool.sh");
        let log = dir.join("runs.log");
        std::fs::write(&script, format!("#!/bin/sh\necho run >> '{}'\n{body}\n", log.display())).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        }
        Lab { dir }
    }

    fn spec(&self, spec: Json) -> PathBuf {
        let mut spec = spec;
        if spec["command"] == "TOOL" {
            spec["command"] = json!(self.dir.join("tool.sh").to_string_lossy());
        }
        let path = self.dir.join("spec.json");
        std::fs::write(&path, spec.to_string()).unwrap();
        path
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.join(name), text).unwrap();
    }

    fn runs(&self) -> usize {
        std::fs::read_to_string(self.dir.join("runs.log")).map_or(0, |s| s.lines().count())
    }

    fn toolmemo(&self, args: &[&str]) -> Output {
        Command::new(BIN)
            .args(args)
            .current_dir(&self.dir)
            .env("TOOLMEMO_CACHE_DIR", self.dir.join("cache"))
            .env_remove("TOOLMEMO_RUN_ID")
            .output()
            .unwrap()
    }

    /// `run --json` with `--set` pairs; the JSON answer, or the failed output.
    fn run(&self, spec: &Path, sets: &[&str]) -> Result<Json, Output> {
        let mut args = vec!["run", "--json", "--spec", spec.to_str().unwrap()];
        for s in sets {
            args.extend(["--set", s]);
        }
        let out = self.toolmemo(&args);
        if out.status.success() {
            Ok(serde_json::from_slice(&out.stdout).unwrap())
        } else {
            Err(out)
        }
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A tool that copies its input (uppercased) to the output name it is given.
fn upper_spec(lab: &Lab) -> PathBuf {
    lab.spec(json!({
        "name": "Upper", "command": "TOOL",
        "inputs": {
            "in_file": {"type": {"File": {"exists": true}}, "argstr": "%s", "position": 0, "mandatory": true},
            "out_file": {"type": "File", "argstr": "%s", "position": 1, "genfile": true, "hash_files": false,
                         "name_source": ["in_file"], "name_template": "%s_upper", "keep_extension": true}
        },
        "outputs": {"out_file": {"type": "File"}}
    }))
}

const UPPER: &str = r#"tr a-z A-Z < "$1" > "$2""#;

#[test]
fn a_second_identical_run_is_a_hit_and_does_not_execute_the_tool() {
    let lab = Lab::new("hit", UPPER);
    let spec = upper_spec(&lab);
    lab.write("in.txt", "hello\n");
    let first = lab.run(&spec, &["in_file=in.txt"]).unwrap();
    assert_eq!(first["cached"], false);
    let out = PathBuf::from(first["outputs"]["out_file"].as_str().unwrap());
    assert!(out.is_absolute() && out.ends_with("work/in_upper.txt"), "{out:?}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "HELLO\n");
    let second = lab.run(&spec, &["in_file=in.txt"]).unwrap();
    assert_eq!(second["cached"], true);
    assert_eq!(second["outputs"], first["outputs"]);
    assert_eq!(second["key"], first["key"]);
    assert_eq!(lab.runs(), 1, "the tool ran once");
    // --exit-code tells a hit (0) from a run (3).
    let hit = lab.toolmemo(&["run", "-q", "--exit-code", "--spec", spec.to_str().unwrap(), "--set", "in_file=in.txt"]);
    assert_eq!(hit.status.code(), Some(0));
    let ran = lab.toolmemo(&[
        "run",
        "-q",
        "--exit-code",
        "--force",
        "--spec",
        spec.to_str().unwrap(),
        "--set",
        "in_file=in.txt",
    ]);
    assert_eq!(ran.status.code(), Some(3));
    assert_eq!(lab.runs(), 2, "--force runs again");
}

#[test]
fn ls_pages_from_the_index_as_the_full_listing_orders_them() {
    let lab = Lab::new("pages", UPPER);
    let spec = upper_spec(&lab);
    for i in 0..5 {
        lab.write(&format!("in{i}.txt"), &"x".repeat(i + 1));
        lab.run(&spec, &[&format!("in_file=in{i}.txt")]).unwrap();
        std::thread::sleep(std::time::Duration::from_millis(3));
    }
    let keys = |args: &[&str]| -> Vec<String> {
        let out = lab.toolmemo(&[&["ls", "--json"], args].concat());
        let list: Json = serde_json::from_slice(&out.stdout).unwrap();
        list.as_array().unwrap().iter().map(|m| m["key"].as_str().unwrap().to_string()).collect()
    };
    for sort in ["last-used", "created", "size", "key"] {
        let all = keys(&["--sort", sort]);
        assert_eq!(all.len(), 5);
        assert_eq!(keys(&["--sort", sort, "--limit", "2"]), all[..2], "{sort}: the first page");
        assert_eq!(keys(&["--sort", sort, "--limit", "2", "--offset", "3"]), all[3..], "{sort}: the last page");
        let mut reversed = all.clone();
        reversed.reverse();
        assert_eq!(keys(&["--sort", sort, "-r", "--limit", "5"]), reversed, "{sort} reversed");
    }
    let text = String::from_utf8(lab.toolmemo(&["ls", "--limit", "2"]).stdout).unwrap();
    assert!(text.contains("\n2 of 5 entries, "), "{text}");
}

#[test]
fn a_changed_input_file_misses() {
    let lab = Lab::new("changed", UPPER);
    let spec = upper_spec(&lab);
    lab.write("in.txt", "one\n");
    let a = lab.run(&spec, &["in_file=in.txt"]).unwrap();
    lab.write("in.txt", "two\n");
    let b = lab.run(&spec, &["in_file=in.txt"]).unwrap();
    assert_eq!(b["cached"], false);
    assert_ne!(a["key"], b["key"]);
    assert_eq!(std::fs::read_to_string(b["outputs"]["out_file"].as_str().unwrap()).unwrap(), "TWO\n");
    assert_eq!(lab.runs(), 2);
    // The first run is still there: going back to the old content hits.
    lab.write("in.txt", "one\n");
    assert_eq!(lab.run(&spec, &["in_file=in.txt"]).unwrap()["cached"], true);
    assert_eq!(lab.runs(), 2);
}

#[test]
fn a_deleted_or_altered_output_makes_the_next_run_recompute() {
    let lab = Lab::new("deleted", UPPER);
    let spec = upper_spec(&lab);
    lab.write("in.txt", "x\n");
    let first = lab.run(&spec, &["in_file=in.txt"]).unwrap();
    let out = first["outputs"]["out_file"].as_str().unwrap().to_string();
    std::fs::remove_file(&out).unwrap();
    let again = lab.run(&spec, &["in_file=in.txt"]).unwrap();
    assert_eq!(again["cached"], false);
    assert!(again["stale"].as_str().unwrap().contains("deleted"), "{}", again["stale"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "X\n", "recomputed in the same place");
    std::fs::write(&out, "tampered\n").unwrap();
    let third = lab.run(&spec, &["in_file=in.txt"]).unwrap();
    assert_eq!(third["cached"], false);
    assert!(third["stale"].as_str().unwrap().contains("changed"), "{}", third["stale"]);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "X\n");
    assert_eq!(lab.runs(), 3);
}

#[test]
fn a_failing_tool_stores_no_hit_and_leaves_a_crash_record() {
    let lab = Lab::new("fail", "echo 'something went wrong' >&2\necho 'details here' >&2\nexit 7");
    let spec = upper_spec(&lab);
    lab.write("in.txt", "x\n");
    for attempt in 1..=2 {
        let out = lab.run(&spec, &["in_file=in.txt"]).unwrap_err();
        assert_eq!(out.status.code(), Some(1));
        let err = stderr(&out);
        assert!(err.starts_with("error[run]: Upper: "), "{err}");
        assert!(err.contains("exited with status 7"), "{err}");
        assert!(err.contains("details here"), "the tail of stderr: {err}");
        assert_eq!(lab.runs(), attempt, "a failure is never a hit");
    }
    let crashes: Vec<_> = std::fs::read_dir(lab.dir.join("cache/.crashes")).unwrap().collect();
    assert_eq!(crashes.len(), 2);
    let text = std::fs::read_to_string(crashes[0].as_ref().unwrap().path()).unwrap();
    assert!(text.contains("something went wrong") && text.contains("exit status: 7"), "{text}");
    let ls = lab.toolmemo(&["ls", "--json"]);
    assert_eq!(serde_json::from_slice::<Json>(&ls.stdout).unwrap(), json!([]));
}

#[test]
fn a_declared_output_the_tool_did_not_produce_is_an_error() {
    let lab = Lab::new("missing", "true");
    let spec = upper_spec(&lab);
    lab.write("in.txt", "x\n");
    let out = lab.run(&spec, &["in_file=in.txt"]).unwrap_err();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("did not produce the declared output 'out_file' (in_upper.txt)"), "{}", stderr(&out));
    assert_eq!(serde_json::from_slice::<Json>(&lab.toolmemo(&["ls", "--json"]).stdout).unwrap(), json!([]));
}

#[test]
fn output_names_outside_the_working_directory_are_refused_before_running() {
    let lab = Lab::new("escape", UPPER);
    lab.write("in.txt", "x\n");
    let spec = lab.spec(json!({
        "name": "Upper", "command": "TOOL",
        "inputs": {
            "in_file": {"type": {"File": {"exists": true}}, "argstr": "%s", "position": 0, "mandatory": true},
            "out_file": {"type": "File", "argstr": "%s", "position": 1, "genfile": true, "hash_files": false,
                         "name_source": ["in_file"], "name_template": "../%s_upper"}
        },
        "outputs": {"out_file": {"type": "File"}}
    }));
    let out = lab.run(&spec, &["in_file=in.txt"]).unwrap_err();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.starts_with("error[path]: Upper: input 'out_file' names the output \"../in_upper\""), "{err}");
    let spec = upper_spec(&lab);
    for bad in ["out_file=/tmp/elsewhere.txt", "out_file=sub/../../x.txt"] {
        let out = lab.run(&spec, &["in_file=in.txt", bad]).unwrap_err();
        assert!(stderr(&out).starts_with("error[path]:"), "{bad}: {}", stderr(&out));
    }
    let templated = lab.spec(json!({
        "name": "T", "command": "TOOL",
        "inputs": {"in_file": {"type": "File", "argstr": "%s", "mandatory": true}},
        "outputs": {"log": {"type": "File", "source": "in_file", "template": "/tmp/%s.log"}}
    }));
    let out = lab.run(&templated, &["in_file=in.txt"]).unwrap_err();
    assert!(stderr(&out).starts_with("error[path]: T: output 'log' would be \"/tmp/in.log\""), "{}", stderr(&out));
    assert_eq!(lab.runs(), 0, "nothing ran");
}

#[test]
fn arguments_with_spaces_and_shell_metacharacters_reach_the_tool_intact() {
    let lab = Lab::new("argv", r#"printf '%s\n' "$@" > args.txt"#);
    let spec = lab.spec(json!({
        "name": "Args", "command": "TOOL",
        "inputs": {
            "words": {"type": {"List": "Str"}, "argstr": "%s", "sep": " "},
            "label": {"type": "Str", "argstr": "--label=%s"}
        },
        "outputs": {"args": {"type": "File", "template": "args.txt"}}
    }));
    let tricky = ["a b", "x;touch pwned", "$(touch pwned2)", "'q'", "*", "`id`", "c\"d", "&&", "|"];
    let words = json!(tricky).to_string();
    let r = lab.run(&spec, &[&format!("words={words}"), "label=two words; $HOME"]).unwrap();
    let got = std::fs::read_to_string(r["outputs"]["args"].as_str().unwrap()).unwrap();
    // Unpositioned arguments render in name order: label, then words.
    let mut want = vec!["--label=two words; $HOME".to_string()];
    want.extend(tricky.iter().map(|s| s.to_string()));
    assert_eq!(got.lines().collect::<Vec<_>>(), want);
    assert!(!lab.dir.join("pwned").exists() && !lab.dir.join("pwned2").exists());
}

#[test]
fn copyfile_copies_or_links_inputs_and_environ_reaches_the_tool() {
    let lab = Lab::new("stage", r#"ls -l > listing.txt; echo "$GREETING" > env.txt; cat "$1" "$2" "$3" > all.txt"#);
    let spec = lab.spec(json!({
        "name": "Stage", "command": "TOOL",
        "inputs": {
            "copied": {"type": "File", "argstr": "%s", "position": 0, "copyfile": true},
            "linked": {"type": "File", "argstr": "%s", "position": 1, "copyfile": false},
            "in_place": {"type": "File", "argstr": "%s", "position": 2}
        },
        "outputs": {"all": {"type": "File", "template": "all.txt"}, "env": {"type": "File", "template": "env.txt"}}
    }));
    std::fs::create_dir(lab.dir.join("sub")).unwrap();
    lab.write("sub/a.txt", "A\n");
    lab.write("b.txt", "B\n");
    lab.write("c.txt", "C\n");
    let r = lab
        .run(&spec, &["copied=sub/a.txt", "linked=b.txt", "in_place=c.txt", r#"environ={"GREETING": "hi there"}"#])
        .unwrap();
    let work = Path::new(r["dir"].as_str().unwrap()).join("work");
    assert_eq!(r["argv"][1], "a.txt");
    assert_eq!(r["argv"][2], "b.txt");
    assert_eq!(r["argv"][3].as_str().unwrap(), lab.dir.join("c.txt").to_str().unwrap(), "absolute, in place");
    assert!(!work.join("a.txt").symlink_metadata().unwrap().file_type().is_symlink());
    assert!(work.join("b.txt").symlink_metadata().unwrap().file_type().is_symlink());
    assert!(!work.join("c.txt").exists());
    assert_eq!(std::fs::read_to_string(work.join("all.txt")).unwrap(), "A\nB\nC\n");
    assert_eq!(std::fs::read_to_string(work.join("env.txt")).unwrap(), "hi there\n");
}

#[test]
fn a_spec_asking_for_a_display_without_xvfb_is_a_clear_error() {
    let lab = Lab::new("xvfb", "true");
    let spec = lab.spec(json!({"name": "NeedsX", "command": "TOOL", "redirect_x": true, "inputs": {}, "outputs": {}}));
    let out = Command::new(BIN)
        .args(["run", "--spec", spec.to_str().unwrap()])
        .current_dir(&lab.dir)
        .env("TOOLMEMO_CACHE_DIR", lab.dir.join("cache"))
        .env("PATH", lab.dir.join("no-such-bin"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("needs an X display (redirect_x) and xvfb-run is not installed"), "{}", stderr(&out));
}

#[test]
fn real_tools_from_the_examples_run_and_hit() {
    let lab = Lab::new("coreutils", "true");
    let specs = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/specs");
    lab.write("data.txt", "pear\napple\nfig\napple\n");
    let sort = specs.join("sort.json");
    let r = lab.run(&sort, &["in_files=data.txt", "unique=true"]).unwrap();
    assert_eq!(r["cmdline"], format!("sort -o data_sorted.txt -u {}", lab.dir.join("data.txt").display()));
    assert_eq!(std::fs::read_to_string(r["outputs"]["out_file"].as_str().unwrap()).unwrap(), "apple\nfig\npear\n");
    assert_eq!(lab.run(&sort, &["in_files=data.txt", "unique=true"]).unwrap()["cached"], true);
    let sum = lab.run(&specs.join("sha256sum.json"), &["in_files=[\"data.txt\"]"]).unwrap();
    let digest = format!("{:x}", sha2_of(b"pear\napple\nfig\napple\n"));
    assert_eq!(sum["stdout"], format!("{digest}  data.txt\n"));
    let hit = lab.toolmemo(&[
        "run",
        "--spec",
        specs.join("sha256sum.json").to_str().unwrap(),
        "--set",
        "in_files=[\"data.txt\"]",
    ]);
    assert_eq!(String::from_utf8_lossy(&hit.stdout), format!("{digest}  data.txt\n"), "a hit replays stdout");
    let tar = lab.run(&specs.join("tar.json"), &["in_files=[\"data.txt\"]"]).unwrap();
    assert!(tar["outputs"]["out_file"].as_str().unwrap().ends_with("work/data_archive.tar.gz"));
}

fn sha2_of(b: &[u8]) -> impl std::fmt::LowerHex {
    struct Hex(Vec<u8>);
    impl std::fmt::LowerHex for Hex {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
        }
    }
    use sha2::Digest;
    Hex(sha2::Sha256::digest(b).to_vec())
}

#[test]
fn the_cache_verbs_list_show_explain_evict_and_clear() {
    let lab = Lab::new("verbs", UPPER);
    let spec = upper_spec(&lab);
    let s = spec.to_str().unwrap();
    for (i, text) in ["a\n", "bb\n", "ccc\n"].iter().enumerate() {
        lab.write(&format!("in{i}.txt"), text);
        lab.run(&spec, &[&format!("in_file=in{i}.txt")]).unwrap();
    }
    lab.run(&spec, &["in_file=in0.txt"]).unwrap(); // in0 is now the most recently used
    let ls: Json = serde_json::from_slice(&lab.toolmemo(&["ls", "--json"]).stdout).unwrap();
    assert_eq!(ls.as_array().unwrap().len(), 3);
    assert_eq!(ls[0]["sidecar"]["inputs"]["in_file"]["path"], "in0.txt", "most recently used first");
    assert_eq!(ls[0]["hits"], 1);
    let table = String::from_utf8_lossy(&lab.toolmemo(&["ls", "--sort", "hits"]).stdout).into_owned();
    assert!(table.starts_with("NAME ") && table.contains("3 entries"), "{table}");

    let key = ls[0]["key"].as_str().unwrap();
    let show = String::from_utf8_lossy(&lab.toolmemo(&["show", &key[..10]]).stdout).into_owned();
    assert!(show.contains(&format!("key         {key}")) && show.contains("command     "), "{show}");
    assert!(show.contains("output      out_file: ") && show.contains("in0_upper.txt"), "{show}");
    let bad = lab.toolmemo(&["show", "zz"]);
    assert_eq!(bad.status.code(), Some(2));

    lab.write("in1.txt", "changed\n");
    let explain: Json =
        serde_json::from_slice(&lab.toolmemo(&["explain", "--json", "--spec", s, "--set", "in_file=in1.txt"]).stdout)
            .unwrap();
    assert_eq!(explain["stored"], false);
    assert_eq!(
        explain["nearest"]["differences"],
        json!([{"part": "input", "name": "in_file", "now": explain["parts"]["in_file"], "stored": explain["nearest"]["differences"][0]["stored"]}])
    );
    let explain_hit: Json =
        serde_json::from_slice(&lab.toolmemo(&["explain", "--json", "--spec", s, "--set", "in_file=in0.txt"]).stdout)
            .unwrap();
    assert_eq!(explain_hit["stored"], true);

    let stats: Json = serde_json::from_slice(&lab.toolmemo(&["stats", "--json"]).stdout).unwrap();
    assert_eq!(stats["entries"], 3, "from the index");
    let by_name: Json = serde_json::from_slice(&lab.toolmemo(&["stats", "--json", "--by-name"]).stdout).unwrap();
    assert_eq!(by_name["entries"], 3);
    assert_eq!(by_name["bytes"], stats["bytes"], "the index's totals are the walk's");
    assert_eq!(by_name["byName"]["Upper"]["hits"], 1);

    let dry: Json =
        serde_json::from_slice(&lab.toolmemo(&["evict", "--items", "1", "--dry-run", "--json"]).stdout).unwrap();
    assert_eq!(dry["removed"].as_array().unwrap().len(), 2);
    let evicted: Json = serde_json::from_slice(&lab.toolmemo(&["evict", "--items", "1", "--json"]).stdout).unwrap();
    // A bulk eviction reports what the index records of each entry.
    let brief = |j: &Json| -> Vec<Json> {
        j["removed"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| json!([m["key"], m["name"], m["bytes"], m["lastAccess"], m["created"]]))
            .collect()
    };
    assert_eq!(brief(&evicted), brief(&dry));
    let left: Json = serde_json::from_slice(&lab.toolmemo(&["ls", "--json"]).stdout).unwrap();
    assert_eq!(left[0]["key"], key, "the most recently used entry stays");
    assert_eq!(lab.toolmemo(&["evict"]).status.code(), Some(2), "evict needs a limit");

    let none: Json =
        serde_json::from_slice(&lab.toolmemo(&["clear", "--not-used-since", "2000-01-01", "--json"]).stdout).unwrap();
    assert_eq!(none["removed"], json!([]));
    let prev = lab.toolmemo(&["clear", "--previous-runs"]);
    assert_eq!(prev.status.code(), Some(2), "needs TOOLMEMO_RUN_ID: {}", stderr(&prev));
    let all: Json = serde_json::from_slice(&lab.toolmemo(&["clear", "--json"]).stdout).unwrap();
    assert_eq!(all["removed"].as_array().unwrap().len(), 1);
    assert!(!Path::new(ls[0]["key"].as_str().unwrap()).exists());
}

#[test]
fn clear_previous_runs_keeps_what_the_current_pipeline_used() {
    let lab = Lab::new("runs", UPPER);
    let spec = upper_spec(&lab);
    let s = spec.to_str().unwrap();
    lab.write("a.txt", "a\n");
    lab.write("b.txt", "b\n");
    let step = |run: &str, file: &str| {
        let o = Command::new(BIN)
            .args(["run", "-q", "--spec", s, "--set", &format!("in_file={file}")])
            .current_dir(&lab.dir)
            .env("TOOLMEMO_CACHE_DIR", lab.dir.join("cache"))
            .env("TOOLMEMO_RUN_ID", run)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", stderr(&o));
    };
    step("monday", "a.txt");
    step("monday", "b.txt");
    step("tuesday", "a.txt"); // a hit, now part of tuesday's run
    let o = Command::new(BIN)
        .args(["clear", "--previous-runs", "--json"])
        .env("TOOLMEMO_CACHE_DIR", lab.dir.join("cache"))
        .env("TOOLMEMO_RUN_ID", "tuesday")
        .output()
        .unwrap();
    let removed: Json = serde_json::from_slice(&o.stdout).unwrap();
    let removed = removed["removed"].as_array().unwrap();
    assert_eq!(removed.len(), 1);
    assert_eq!(removed[0]["sidecar"]["inputs"]["in_file"]["path"], "b.txt");
}

#[test]
fn types_writes_the_declarations_of_a_spec() {
    let lab = Lab::new("types", "true");
    let sort = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples/specs/sort.json");
    let printed = lab.toolmemo(&["types", "--spec", sort.to_str().unwrap()]);
    assert!(printed.status.success());
    let text = String::from_utf8_lossy(&printed.stdout).into_owned();
    assert!(
        text.contains("export interface SortInputs {") && text.contains("  in_files: string | ReadonlyArray<string>;"),
        "{text}"
    );
    let out = lab.dir.join("sort.d.ts");
    assert!(lab
        .toolmemo(&["types", "--spec", sort.to_str().unwrap(), "--out", out.to_str().unwrap()])
        .status
        .success());
    assert_eq!(std::fs::read_to_string(out).unwrap(), text);
    let bad = lab.spec(json!({"name": "X", "command": ""}));
    let err = lab.toolmemo(&["types", "--spec", bad.to_str().unwrap()]);
    assert_eq!(err.status.code(), Some(2));
    assert!(stderr(&err).starts_with("error[spec]: command: must not be empty"), "{}", stderr(&err));
}
