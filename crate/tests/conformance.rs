//! Every case of every `shared/conformance/*.jsonl` file of spec cases (cases
//! rendered by nipype 1.12 itself), run in memory through the library. The CLI is checked on
//! the same files by `shared/conformance/check_conformance.py` in the test command.
//! nipype's corner cases are in `nipype_probes.rs`.

#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::PathBuf;

fn conformance_dir() -> PathBuf {
    std::env::var_os("TOOLMEMO_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance"))
}

/// Whether a case file's cases carry their spec (its first case tells): files
/// of cases that name a nipype interface instead (`nipype-all-dev.jsonl`) test
/// the nipype importer, with `check_import.py`, not the spec engine.
fn carries_specs(path: &std::path::Path) -> bool {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let first = text.lines().next().unwrap_or_default();
    serde_json::from_str::<serde_json::Value>(first).is_ok_and(|j| j.get("spec").is_some())
}

#[test]
fn every_conformance_case_passes() {
    let dir = conformance_dir();
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e} (set TOOLMEMO_CONFORMANCE_DIR)", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "jsonl") && carries_specs(p))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no conformance files in {}", dir.display());
    let (mut passed, mut failures) = (0, Vec::new());
    for f in &files {
        for line in std::fs::read_to_string(f).unwrap().lines().filter(|l| !l.trim().is_empty()) {
            match common::run_conformance_case(line) {
                Ok(()) => passed += 1,
                Err(e) => failures.push(e),
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} passed, {} failed:\n{}",
        passed,
        failures.len(),
        failures[..failures.len().min(30)].join("\n")
    );
    assert!(passed > 3000, "only {passed} cases found");
}

/// JSON as a JS object holds it: a number is a number, `1.0` is `1`.
fn as_js_object(j: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match j {
        J::Number(n) => match n.as_f64() {
            Some(f) if n.as_i64().is_none() && f.fract() == 0.0 && f.abs() < 9e15 => J::from(f as i64),
            _ => j.clone(),
        },
        J::Array(a) => J::Array(a.iter().map(as_js_object).collect()),
        J::Object(o) => J::Object(o.iter().map(|(k, v)| (k.clone(), as_js_object(v))).collect()),
        other => other.clone(),
    }
}

/// Issue 16: `to_spec` written out and read back as a JS object would hold it
/// renders every case exactly as the spec's JSON text does; the spec as an
/// object without it does not always (the reason for the explicit form).
#[test]
fn every_case_renders_the_same_through_to_spec_held_as_a_js_object() {
    use toolmemo::path::FileSet;
    use toolmemo::Interface;
    let dir = conformance_dir();
    let (mut checked, mut lossy_differs, mut failures) = (0, 0, Vec::new());
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if !(path.extension().is_some_and(|x| x == "jsonl") && carries_specs(&path)) {
            continue;
        }
        for line in std::fs::read_to_string(&path).unwrap().lines().filter(|l| !l.trim().is_empty()) {
            let case: serde_json::Value = serde_json::from_str(line).unwrap();
            let Ok(original) = Interface::from_json(&case["spec"]) else { continue };
            let files = FileSet::new(case["files"].as_array().into_iter().flatten().filter_map(|f| f.as_str()));
            let render = |i: &Interface| i.cmdline(&case["inputs"], &files).map_err(|e| e.kind);
            let want = render(&original);
            let text = serde_json::to_string(&original.to_spec()).unwrap();
            let held = as_js_object(&serde_json::from_str(&text).unwrap());
            match Interface::from_json(&held) {
                Ok(again) if render(&again) == want => checked += 1,
                Ok(again) => failures.push(format!("{}: {:?} became {:?}", case["id"], want, render(&again))),
                Err(e) => failures.push(format!("{}: to_spec does not parse back: {}", case["id"], e.message)),
            }
            if Interface::from_json(&as_js_object(&case["spec"])).map(|i| render(&i)).ok() != Some(want) {
                lossy_differs += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{} failed:\n{}", failures.len(), failures[..failures.len().min(20)].join("\n"));
    assert!(checked > 3000, "only {checked} cases");
    assert!(lossy_differs > 0, "no case shows why the explicit form is needed");
}
