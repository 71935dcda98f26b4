//! Interface keys on the real filesystem: files by content (or timestamp), spec
//! prose left out, `hash_files: false` by path.

#![cfg(not(target_arch = "wasm32"))]

use serde_json::json;
use std::path::{Path, PathBuf};
use toolmemo::fingerprint::{interface_key, HashMethod, RealFileHasher};
use toolmemo::path::RealFilesystem;
use toolmemo::Interface;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("toolmemo-ikeys-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn spec(desc: &str) -> Interface {
    Interface::from_json(&json!({"name": "BET", "command": "bet", "inputs": {
        "in_file": {"type": {"File": {"exists": true}}, "argstr": "%s", "position": 0, "mandatory": true, "desc": desc},
        "out_file": {"type": "File", "argstr": "%s", "position": 1, "hash_files": false},
        "frac": {"type": "Float", "argstr": "-f %.2f"}}}))
    .unwrap()
}

fn key(iface: &Interface, dir: &Path, inputs: serde_json::Value, method: HashMethod) -> String {
    let bound = iface.bind(&inputs, &RealFilesystem { base: Some(dir.to_path_buf()) }).unwrap();
    interface_key(&bound, &RealFileHasher { base: Some(dir.to_path_buf()) }, method).unwrap().key.hex()
}

#[test]
fn files_enter_by_content() {
    let dir = scratch("content");
    std::fs::write(dir.join("a.nii"), "one").unwrap();
    let bet = spec("input");
    let k1 = key(&bet, &dir, json!({"in_file": "a.nii"}), HashMethod::Content);
    assert_eq!(k1, key(&bet, &dir, json!({"in_file": "./a.nii"}), HashMethod::Content), "same path, normalized");
    std::fs::write(dir.join("a.nii"), "two").unwrap();
    assert_ne!(k1, key(&bet, &dir, json!({"in_file": "a.nii"}), HashMethod::Content), "new content, new key");
    std::fs::write(dir.join("a.nii"), "one").unwrap();
    assert_eq!(k1, key(&bet, &dir, json!({"in_file": "a.nii"}), HashMethod::Content), "old content, old key");
    assert_ne!(k1, key(&bet, &dir, json!({"in_file": "a.nii", "frac": 0.5}), HashMethod::Content));
}

#[test]
fn prose_does_not_count_and_hash_files_false_is_by_path() {
    let dir = scratch("prose");
    std::fs::write(dir.join("a.nii"), "one").unwrap();
    std::fs::write(dir.join("out.nii"), "x").unwrap();
    let k = key(&spec("input"), &dir, json!({"in_file": "a.nii", "out_file": "out.nii"}), HashMethod::Content);
    assert_eq!(
        k,
        key(
            &spec("a reworded description"),
            &dir,
            json!({"in_file": "a.nii", "out_file": "out.nii"}),
            HashMethod::Content
        )
    );
    std::fs::write(dir.join("out.nii"), "changed by the last run").unwrap();
    assert_eq!(k, key(&spec("input"), &dir, json!({"in_file": "a.nii", "out_file": "out.nii"}), HashMethod::Content));
}

#[test]
fn timestamps_are_trusted_only_once_settled() {
    let dir = scratch("timestamp");
    std::fs::write(dir.join("a.nii"), "one").unwrap();
    let bet = spec("input");
    // Just written: within the grace period, content decides even under Timestamp.
    let fresh = key(&bet, &dir, json!({"in_file": "a.nii"}), HashMethod::Timestamp);
    assert_eq!(fresh, key(&bet, &dir, json!({"in_file": "a.nii"}), HashMethod::Content));
    // Settled (mtime set 10 s back): size and mtime decide, content is not read.
    let f = std::fs::File::options().write(true).open(dir.join("a.nii")).unwrap();
    f.set_modified(std::time::SystemTime::now() - std::time::Duration::from_secs(10)).unwrap();
    let settled = key(&bet, &dir, json!({"in_file": "a.nii"}), HashMethod::Timestamp);
    assert_ne!(settled, fresh);
    assert_eq!(settled, key(&bet, &dir, json!({"in_file": "a.nii"}), HashMethod::Timestamp));
}
