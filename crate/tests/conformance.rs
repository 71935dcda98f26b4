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
