//! The filesystem store under faults, with real processes
//! (`examples/fault_writer.rs`): writers killed with SIGKILL at random points,
//! eight processes publishing one key at once, readers in other processes while
//! entries are evicted and republished. Whatever happens, no entry may read as
//! a hit with a wrong or partial value, and no read may fail.

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

#[test]
fn eviction_and_republishing_never_break_a_read_in_another_process() {
    use toolmemo::memory::{Kind, Limits, Memory, NewEntry};
    let dir = scratch("evict-race");
    let n = 40;
    let clock = std::cell::Cell::new(0.0);
    let mem = Memory::new(
        FsStore::open(&dir).unwrap().durable(false),
        Limits::default(),
        "evictor".into(),
        Box::new(move || {
            clock.set(clock.get() + 1.0);
            clock.get()
        }),
    );
    let put = |i: usize| {
        let name = format!("k{i}");
        let value = expected(&name);
        let new = NewEntry {
            key: function_key(&name, "v:1", &[]).key,
            kind: Kind::Function,
            name,
            bytes: value.len() as u64,
            duration_ms: 0.0,
            code: None,
            args: None,
            sidecar: serde_json::Value::Null,
            format: toolmemo::memory::format::JSON,
        };
        block_on(mem.insert(new, value)).unwrap();
    };
    (0..n).for_each(put);
    let readers: Vec<_> = (0..2)
        .map(|_| {
            Command::new(writer())
                .arg(&dir)
                .args(["read", &n.to_string(), "2.0"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let until = std::time::Instant::now() + Duration::from_millis(2200);
    let mut rounds = 0;
    while std::time::Instant::now() < until {
        block_on(mem.reduce_size(&Limits { items: Some(n / 4), ..Limits::default() })).unwrap();
        (0..n).for_each(put);
        rounds += 1;
    }
    for r in readers {
        let out = r.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "a reader failed: {err}");
        let counts: Vec<u64> =
            String::from_utf8_lossy(&out.stdout).split_whitespace().map(|x| x.parse().unwrap()).collect();
        assert!(counts[0] > 0 && counts[1] > 0, "reads raced evictions both ways ({counts:?}, {rounds} rounds)");
        assert_eq!(counts[2], 0, "a raced read is a miss, never a reported damage: {err}");
    }
    assert_eq!(audit(&dir), n);
    let _ = std::fs::remove_dir_all(&dir);
}
