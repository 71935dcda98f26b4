//! The filesystem store under faults, with real processes
//! (`examples/fault_writer.rs`): writers killed with SIGKILL at random points,
//! and eight processes publishing one key at once. Whatever happens, no entry
//! may read as a hit with a wrong or partial value.

#![cfg(all(feature = "native", unix))]

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::Duration;
use toolmemo::fingerprint::sha256;
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{function_key, FsStore, Store};

/// The writer example, built by `cargo test` beside the test binaries.
fn writer() -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let exe = deps.parent().unwrap().parent().unwrap().join("examples").join("fault_writer");
    assert!(exe.exists(), "{} is not built (cargo test --features native builds it)", exe.display());
    exe
}

fn expected(name: &str) -> Vec<u8> {
    sha256(name.as_bytes()).iter().cycle().take(64 * 1024).copied().collect()
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("toolmemo-faults-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn spawn(dir: &Path, args: &[&str]) -> Child {
    Command::new(writer()).arg(dir).args(args).spawn().expect("start the writer")
}

/// Every listed entry reads as its exact value or as a miss; returns the hits.
fn audit(dir: &Path) -> usize {
    let store = FsStore::open(dir).unwrap();
    let mut hits = 0;
    for meta in block_on(store.list()).unwrap() {
        if let Some(e) = block_on(store.get(&meta.name, &meta.key)).unwrap() {
            assert_eq!(e.value, expected(&meta.name), "wrong value for {}", meta.name);
            assert_eq!(meta.key, function_key(&meta.name, "v:1", &[]).key);
            hits += 1;
        }
    }
    hits
}

#[test]
fn sigkill_during_writes_never_leaves_a_wrong_hit() {
    let dir = scratch("sigkill");
    FsStore::open(&dir).unwrap();
    let mut seed = 0x2545F4914F6CDD1Du64;
    for _ in 0..100 {
        let mut child = spawn(&dir, &["many"]);
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_micros(1000 + seed % 15_000));
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        audit(&dir);
    }
    assert!(audit(&dir) > 0, "the writers published something");
    let store = FsStore::open(&dir).unwrap();
    block_on(store.list()).unwrap();
    assert!(store.take_incidents().is_empty(), "no entry was ever torn");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn eight_processes_writing_one_key_leave_one_valid_entry() {
    let dir = scratch("eight");
    FsStore::open(&dir).unwrap();
    let children: Vec<Child> = (0..8).map(|_| spawn(&dir, &["one", "30"])).collect();
    for mut c in children {
        assert!(c.wait().unwrap().success());
    }
    let store = FsStore::open(&dir).unwrap();
    assert_eq!(block_on(store.list()).unwrap().len(), 1);
    assert_eq!(audit(&dir), 1);
    assert_eq!(std::fs::read_dir(dir.join("shared").join(".tmp")).map(|d| d.count()).unwrap_or(0), 0);
    let _ = std::fs::remove_dir_all(&dir);
}
