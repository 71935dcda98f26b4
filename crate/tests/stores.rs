//! The store contract, run against every native store (the same behaviour on
//! each), and what only the filesystem store must survive: reopening, damaged
//! entries, concurrent writers and readers.

#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use std::cell::Cell;
use std::path::PathBuf;
use std::rc::Rc;
use toolmemo::fingerprint::Key;
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{function_key, FsStore, Kind, Limits, Memory, MemoryStore, NewEntry, Store};
use toolmemo::ErrorKind;

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("toolmemo-stores-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn key(name: &str) -> Key {
    function_key(name, "v:1", &[]).key
}

fn entry(name: &str, bytes: usize) -> NewEntry {
    NewEntry {
        key: key(name),
        kind: Kind::Function,
        name: name.into(),
        bytes: bytes as u64,
        duration_ms: 2.0,
        code: Some("v:1".into()),
        args: None,
        sidecar: serde_json::json!({"x": name}),
        format: toolmemo::memory::format::JSON,
    }
}

/// A Memory over `store` whose clock the test moves.
fn memory<S: Store<Vec<u8>>>(store: S, limits: Limits, run: &str, now: &Rc<Cell<f64>>) -> Memory<S, Vec<u8>> {
    let clock = now.clone();
    Memory::new(store, limits, run.into(), Box::new(move || clock.get()))
}

/// The behaviour every store must have.
fn behaves<S: Store<Vec<u8>>>(open: impl Fn() -> S) {
    let now = Rc::new(Cell::new(1_000.0));
    let mem = memory(open(), Limits { items: Some(3), ..Limits::default() }, "run-1", &now);
    block_on(mem.insert(entry("a", 3), b"abc".to_vec())).unwrap();
    assert_eq!(block_on(mem.lookup_value("a", &key("a"), |_| true)).unwrap(), Some(b"abc".to_vec()));
    assert_eq!(block_on(mem.lookup_value("b", &key("b"), |_| true)).unwrap(), None);
    // A hit is recorded in the store, as a second opening sees.
    now.set(2_000.0);
    block_on(mem.lookup_value("a", &key("a"), |_| true)).unwrap();
    let other = memory(open(), Limits::default(), "run-2", &now);
    let metas = block_on(other.entries()).unwrap();
    let a = metas.iter().find(|m| m.name == "a").expect("a is listed");
    assert_eq!((a.hits, a.last_access_ms, a.bytes, a.sidecar["x"].as_str()), (2, 2_000.0, 3, Some("a")));
    // Limits hold on every insert, keeping the most recently used.
    for (i, n) in ["b", "c", "d"].iter().enumerate() {
        now.set(3_000.0 + i as f64);
        block_on(mem.insert(entry(n, 1), vec![i as u8])).unwrap();
    }
    let mut names: Vec<String> = block_on(mem.entries()).unwrap().into_iter().map(|m| m.name).collect();
    names.sort();
    assert_eq!(names, ["b", "c", "d"]);
    // A second run uses only `d`; clearing previous runs removes `b` and `c`.
    block_on(other.lookup_value("d", &key("d"), |_| true)).unwrap();
    let removed = block_on(other.clear_previous_runs()).unwrap();
    assert_eq!(removed.len(), 2);
    assert!(block_on(other.remove("d", &key("d"))).unwrap());
    assert!(!block_on(other.remove("d", &key("d"))).unwrap());
    assert!(block_on(other.entries()).unwrap().is_empty());
}

#[test]
fn memory_store_behaves() {
    let shared = Rc::new(MemoryStore::<Vec<u8>>::default());
    behaves(|| shared.clone());
}

#[test]
fn fs_store_behaves() {
    let dir = scratch("behaves");
    behaves(|| FsStore::open(&dir).unwrap());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fs_store_layout_files() {
    let dir = scratch("layout");
    let store = FsStore::open(&dir).unwrap();
    assert!(std::fs::read_to_string(dir.join(".gitignore")).unwrap().contains('*'));
    assert!(dir.join("CACHEDIR.TAG").exists());
    let now = Rc::new(Cell::new(0.0));
    let mem = memory(store, Limits::default(), "r", &now);
    block_on(mem.insert(entry("proj:step", 2), b"hi".to_vec())).unwrap();
    let k = key("proj:step").hex();
    let entry_dir = dir.join("proj_step").join(&k[..2]).join(&k);
    for f in ["value", "meta.json"] {
        assert!(entry_dir.join(f).is_file(), "{f} in {}", entry_dir.display());
    }
    // The readable inputs are in meta.json, not in a file of their own (one
    // file fewer per insert).
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(entry_dir.join("meta.json")).unwrap()).unwrap();
    assert_eq!(meta["meta"]["sidecar"], serde_json::json!({"x": "proj:step"}));
    assert!(!entry_dir.join("sidecar.json").exists());
    std::fs::write(dir.join("layout.json"), r#"{"layout": 99}"#).unwrap();
    assert_eq!(FsStore::open(&dir).err().map(|e| e.kind), Some(ErrorKind::Store));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn damaged_entries_are_misses_reported_and_removed() {
    let dir = scratch("damaged");
    let now = Rc::new(Cell::new(0.0));
    let mem = memory(FsStore::open(&dir).unwrap(), Limits::default(), "r", &now);
    let runs = Cell::new(0);
    let square = mem.cache("square", "1", |x: &i64| {
        runs.set(runs.get() + 1);
        x * x
    });
    assert_eq!(square.call(&9).unwrap(), 81);
    let k = block_on(mem.entries()).unwrap()[0].key.hex();
    let value = dir.join("square").join(&k[..2]).join(&k).join("value");
    for damage in [&b"8"[..], b"", b"garbage!"] {
        std::fs::write(&value, damage).unwrap();
        assert_eq!(square.call(&9).unwrap(), 81, "recomputed after {damage:?}");
        assert!(!mem.store().take_incidents().is_empty());
    }
    assert_eq!(runs.get(), 4);
    std::fs::write(value.with_file_name("meta.json"), "{not json").unwrap();
    assert_eq!(square.call(&9).unwrap(), 81);
    assert_eq!(runs.get(), 5);
    assert_eq!(square.call(&9).unwrap(), 81);
    assert_eq!(runs.get(), 5, "repaired: a hit again");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn concurrent_writers_leave_one_whole_entry_and_readers_never_fail() {
    let dir = scratch("concurrent");
    FsStore::open(&dir).unwrap();
    let k = key("shared");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let reader = {
        let (dir, stop) = (dir.clone(), stop.clone());
        std::thread::spawn(move || {
            let store = FsStore::open(&dir).unwrap();
            let mut seen = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                // A hit or a miss, never an error, never a torn value.
                if let Some(e) = block_on(store.get("shared", &k)).unwrap() {
                    assert_eq!(e.value.len(), 4096);
                    assert!(e.value.iter().all(|b| *b == e.value[0]));
                    seen += 1;
                }
            }
            seen
        })
    };
    let writers: Vec<_> = (0..8u8)
        .map(|w| {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let now = Rc::new(Cell::new(w as f64));
                let mem = memory(FsStore::open(&dir).unwrap(), Limits::default(), "w", &now);
                for _ in 0..25 {
                    block_on(mem.insert(entry("shared", 4096), vec![w; 4096])).unwrap();
                }
            })
        })
        .collect();
    for w in writers {
        w.join().unwrap();
    }
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    assert!(reader.join().unwrap() > 0, "the reader saw the entry");
    let store = FsStore::open(&dir).unwrap();
    let metas = block_on(store.list()).unwrap();
    assert_eq!(metas.len(), 1);
    assert!(block_on(store.get("shared", &k)).unwrap().is_some());
    assert!(store.take_incidents().is_empty(), "no reader or lister met a damaged entry");
    let leftovers = std::fs::read_dir(dir.join("shared").join(".tmp")).map(|d| d.count()).unwrap_or(0);
    assert_eq!(leftovers, 0, "no temporary folders left behind");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn compressed_fs_store_behaves_and_reads_back_anywhere() {
    let dir = scratch("compress");
    behaves(|| FsStore::open(&dir).unwrap().compress(6));
    let now = Rc::new(Cell::new(0.0));
    let mem = memory(FsStore::open(&dir).unwrap().compress(9), Limits::default(), "r", &now);
    let text = b"voxel ".repeat(10_000);
    block_on(mem.insert(entry("big", text.len()), text.clone())).unwrap();
    let k = key("big").hex();
    let stored = std::fs::metadata(dir.join("big").join(&k[..2]).join(&k).join("value")).unwrap().len();
    assert!(stored < text.len() as u64 / 10, "stored {stored} bytes for {}", text.len());
    // An opener that does not compress reads it all the same.
    let plain = FsStore::open(&dir).unwrap();
    assert_eq!(block_on(plain.get("big", &key("big"))).unwrap().unwrap().value, text);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn read_only_locations_serve_hits_and_are_never_written() {
    use toolmemo::memory::WithReadOnly;
    let (shared, own) = (scratch("ro-shared"), scratch("ro-own"));
    let now = Rc::new(Cell::new(5.0));
    let lab = memory(FsStore::open(&shared).unwrap(), Limits::default(), "lab", &now);
    block_on(lab.insert(entry("atlas", 3), b"lab".to_vec())).unwrap();
    let before =
        std::fs::read(FsStore::open(&shared).unwrap().entry_dir("atlas", &key("atlas")).join("meta.json")).unwrap();

    let layered = WithReadOnly::new(FsStore::open(&own).unwrap(), vec![FsStore::open(&shared).unwrap()]);
    let mem = memory(layered, Limits { items: Some(1), ..Limits::default() }, "me", &now);
    assert_eq!(block_on(mem.lookup_value("atlas", &key("atlas"), |_| true)).unwrap(), Some(b"lab".to_vec()));
    block_on(mem.insert(entry("mine", 2), b"me".to_vec())).unwrap();
    block_on(mem.insert(entry("mine2", 2), b"me".to_vec())).unwrap();
    assert_eq!(block_on(mem.entries()).unwrap().len(), 1, "eviction and listings see the writable store only");
    block_on(mem.clear()).unwrap();
    assert_eq!(
        block_on(mem.lookup_value("atlas", &key("atlas"), |_| true)).unwrap(),
        Some(b"lab".to_vec()),
        "still served"
    );
    let after =
        std::fs::read(FsStore::open(&shared).unwrap().entry_dir("atlas", &key("atlas")).join("meta.json")).unwrap();
    assert_eq!(before, after, "the read-only entry was not touched");
    assert!(block_on(FsStore::open(&own).unwrap().get("atlas", &key("atlas"))).unwrap().is_none(), "and not copied");
    let _ = (std::fs::remove_dir_all(&shared), std::fs::remove_dir_all(&own));
}
