//! The stores' eviction indexes against the walk they replace: over random
//! sequences of inserts, hits, removals and restarts, what `Memory` would evict
//! from the index (`usage`, `oldest`) is exactly what `select_evictions` picks
//! from a full listing, and the totals are the listing's. Then: a deleted or
//! damaged index is rebuilt and the store keeps working.

#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use proptest::prelude::*;
use std::cell::Cell;
use std::path::PathBuf;
use std::rc::Rc;
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{
    format, function_key, select_evictions, FsStore, Kind, Limits, Memory, MemoryStore, NewEntry, Row, StdDisk, Store,
};

#[derive(Debug, Clone)]
enum Op {
    Insert { k: u8, bytes: u16 },
    Hit { k: u8 },
    Remove { k: u8 },
    Tick { ms: u16 },
    Restart,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0u8..24, 1u16..500).prop_map(|(k, bytes)| Op::Insert { k, bytes }),
        3 => (0u8..24).prop_map(|k| Op::Hit { k }),
        1 => (0u8..24).prop_map(|k| Op::Remove { k }),
        2 => (0u16..3).prop_map(|ms| Op::Tick { ms }),
        // Across the filesystem index's buckets (100 ms each) too.
        1 => (50u16..2500).prop_map(|ms| Op::Tick { ms }),
        1 => Just(Op::Restart),
    ]
}

fn limits() -> impl Strategy<Value = Limits> {
    (proptest::option::of(0usize..20), proptest::option::of(0u64..4000), proptest::option::of(0u16..40))
        .prop_map(|(items, bytes, age)| Limits { items, bytes, age_ms: age.map(f64::from) })
}

fn name(k: u8) -> String {
    // A few names, one with characters a folder name cannot hold.
    ["f", "g", "h/x"][k as usize % 3].to_string()
}

fn new_entry(k: u8, bytes: u16) -> NewEntry {
    let n = name(k);
    NewEntry {
        key: function_key(&n, "v:1", &[("k".into(), toolmemo::fingerprint::Datum::Int(k.into()))]).key,
        kind: Kind::Function,
        name: n,
        bytes: bytes.into(),
        duration_ms: 1.0,
        code: Some("v:1".into()),
        args: None,
        sidecar: serde_json::Value::Null,
        format: format::JSON,
    }
}

/// Runs `ops` against the store `open` gives (again at each restart), checking
/// after each step that the index agrees with the walk for `limits`.
fn agrees<S: Store<Vec<u8>>>(open: impl Fn() -> S, ops: &[Op], checks: &[Limits]) -> Result<(), TestCaseError> {
    let now = Rc::new(Cell::new(1_000.0));
    let memory = |now: &Rc<Cell<f64>>| {
        let clock = now.clone();
        Memory::new(open(), Limits::default(), "run".into(), Box::new(move || clock.get()))
    };
    let mut mem = memory(&now);
    for op in ops {
        match op {
            Op::Insert { k, bytes } => drop(block_on(mem.insert(new_entry(*k, *bytes), vec![*k]))?),
            Op::Hit { k } => {
                let e = new_entry(*k, 0);
                block_on(mem.lookup_value(&e.name, &e.key, |_| true))?;
            }
            Op::Remove { k } => {
                let e = new_entry(*k, 0);
                block_on(mem.remove(&e.name, &e.key))?;
            }
            // Ties in last use are frequent: the order must break them as the walk does.
            Op::Tick { ms } => now.set(now.get() + f64::from(*ms)),
            Op::Restart => mem = memory(&now),
        }
        let all = block_on(mem.store().list())?;
        let usage = block_on(mem.store().usage())?;
        prop_assert_eq!(usage.entries, all.len() as u64, "entries after {:?}", op);
        prop_assert_eq!(usage.bytes, all.iter().map(|m| m.bytes).sum::<u64>(), "bytes after {:?}", op);
        // A page from the index's rows (newest first) is the walk's page.
        for name in [None, Some("h/x")] {
            let newest = |x: &Row, y: &Row| y.last_access_ms.total_cmp(&x.last_access_ms).then(x.key.cmp(&y.key));
            let (page, total) = block_on(mem.page(name, newest, 1, 5))?.expect("these stores keep an index");
            let mut walk: Vec<_> = all.iter().filter(|m| name.is_none_or(|n| m.name == n)).collect();
            walk.sort_by(|x, y| y.last_access_ms.total_cmp(&x.last_access_ms).then(x.key.cmp(&y.key)));
            prop_assert_eq!(total, walk.len(), "rows of {:?} after {:?}", name, op);
            let want: Vec<_> = walk.iter().skip(1).take(5).map(|m| (m.key, m.last_access_ms)).collect();
            let got: Vec<_> = page.iter().map(|m| (m.key, m.last_access_ms)).collect();
            prop_assert_eq!(got, want, "page of {:?} after {:?}", name, op);
        }
        for limits in checks {
            let walk: Vec<_> = select_evictions(&all, limits, now.get()).into_iter().map(|m| m.key).collect();
            let index: Vec<_> = block_on(mem.preview_eviction(limits))?.into_iter().map(|m| m.key).collect();
            prop_assert_eq!(index, walk, "eviction for {:?} after {:?}", limits, op);
        }
    }
    // And evicting for real leaves what the walk keeps.
    let limits = checks[0];
    let keep = {
        let all = block_on(mem.store().list())?;
        let gone: Vec<_> = select_evictions(&all, &limits, now.get()).into_iter().map(|m| m.key).collect();
        let mut keep: Vec<_> = all.into_iter().map(|m| m.key).filter(|k| !gone.contains(k)).collect();
        keep.sort();
        keep
    };
    block_on(mem.reduce_size(&limits))?;
    let mut left: Vec<_> = block_on(mem.store().list())?.into_iter().map(|m| m.key).collect();
    left.sort();
    prop_assert_eq!(left, keep);
    Ok(())
}

fn scratch(name: &str) -> PathBuf {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let d = std::env::temp_dir().join(format!("toolmemo-index-{name}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn the_memory_stores_index_evicts_what_the_walk_would(
        ops in proptest::collection::vec(op(), 1..60),
        checks in proptest::collection::vec(limits(), 1..4),
    ) {
        // The memory store is gone at a restart: one store for the whole run.
        let store = Rc::new(MemoryStore::<Vec<u8>>::default());
        agrees(|| store.clone(), &ops, &checks)?;
    }

    #[test]
    fn the_filesystem_stores_index_evicts_what_the_walk_would(
        ops in proptest::collection::vec(op(), 1..60),
        checks in proptest::collection::vec(limits(), 1..4),
    ) {
        let dir = scratch("prop");
        let result = agrees(|| FsStore::open(&dir).unwrap(), &ops, &checks);
        let _ = std::fs::remove_dir_all(&dir);
        result?;
    }
}

fn fill(store: &Rc<FsStore<StdDisk>>, n: u8) {
    let mem = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(|| 5.0));
    for k in 0..n {
        block_on(mem.insert(new_entry(k, 10), vec![k])).unwrap();
    }
}

#[test]
fn a_deleted_or_damaged_index_is_rebuilt_and_the_store_keeps_working() {
    let dir = scratch("rebuild");
    let store = Rc::new(FsStore::open(&dir).unwrap());
    fill(&store, 12);
    assert_eq!(block_on(store.usage()).unwrap().entries, 12);
    // Deleted: rebuilt from a walk on the next question.
    std::fs::remove_dir_all(dir.join(".index")).unwrap();
    let store = Rc::new(FsStore::open(&dir).unwrap());
    assert_eq!(block_on(store.usage()).unwrap(), toolmemo::memory::Usage { entries: 12, bytes: 120 });
    assert_eq!(block_on(store.oldest(100)).unwrap().len(), 12);
    // Damaged totals: refused by their checksum, rebuilt.
    std::fs::write(dir.join(".index/totals"), b"garbage of the wrong length").unwrap();
    assert_eq!(block_on(store.usage()).unwrap().entries, 12);
    // Drifted (a crash between publishing and counting): reindex recounts.
    let mut bad = std::fs::read(dir.join(".index/totals")).unwrap();
    bad[0] ^= 1;
    std::fs::write(dir.join(".index/totals"), &bad).unwrap();
    assert_eq!(store.reindex().unwrap().entries, 12);
    // A marker whose entry is gone is dropped, never offered.
    std::fs::remove_dir_all(store.entry_dir(&name(0), &new_entry(0, 0).key)).unwrap();
    let oldest = block_on(store.oldest(100)).unwrap();
    assert_eq!(oldest.len(), 11);
    // And limits keep working on the rebuilt index.
    let mem = Memory::new(store.clone(), Limits { items: Some(5), ..Limits::default() }, "r".into(), Box::new(|| 9.0));
    block_on(mem.insert(new_entry(100, 10), vec![1])).unwrap();
    assert_eq!(block_on(store.list()).unwrap().len(), 5);
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every marker in the index, as (bucket, name).
fn markers(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for bucket in std::fs::read_dir(dir.join(".index/lru")).unwrap().flatten() {
        for m in std::fs::read_dir(bucket.path()).unwrap().flatten() {
            out.push((bucket.file_name().into_string().unwrap(), m.file_name().into_string().unwrap()));
        }
    }
    out.sort();
    out
}

/// Versions before 100 ms buckets put markers in one-second buckets
/// (`lru/01764648000/`). A cache they wrote keeps working: its entries are
/// hits (the marker moves into a new bucket), removed and evicted in order,
/// and a rebuild does not give them a second marker.
#[test]
fn markers_in_the_one_second_buckets_of_earlier_versions_are_used_removed_and_evicted() {
    let dir = scratch("legacy");
    let store = Rc::new(FsStore::open(&dir).unwrap());
    let clock = Rc::new(Cell::new(3_000.0));
    let tick = |clock: &Rc<Cell<f64>>| -> Box<dyn Fn() -> f64> {
        let c = clock.clone();
        Box::new(move || c.get())
    };
    let mem = Memory::new(store.clone(), Limits::default(), "r".into(), tick(&clock));
    for k in 0..6u8 {
        clock.set(3_000.0 + 150.0 * f64::from(k));
        block_on(mem.insert(new_entry(k, 10), vec![k])).unwrap();
    }
    // Rewritten as an earlier version laid it out: every marker in the
    // bucket of its second.
    let lru = dir.join(".index/lru");
    for (bucket, name) in markers(&dir) {
        let second = bucket.split('.').next().unwrap().to_string();
        std::fs::create_dir_all(lru.join(&second)).unwrap();
        std::fs::rename(lru.join(&bucket).join(&name), lru.join(&second).join(&name)).unwrap();
        let _ = std::fs::remove_dir(lru.join(&bucket));
    }
    assert!(markers(&dir).iter().all(|(b, _)| !b.contains('.')), "{:?}", markers(&dir));
    // A hit moves entry 1's marker into the new bucket of its use.
    clock.set(9_050.0);
    let e1 = new_entry(1, 0);
    assert!(block_on(mem.lookup_value(&e1.name, &e1.key, |_| true)).unwrap().is_some());
    let now = markers(&dir);
    assert_eq!(now.len(), 6);
    assert!(now.iter().any(|(b, _)| b == "00000000009.0"), "{now:?}");
    // A removal deletes entry 2's marker and counts it gone.
    let e2 = new_entry(2, 0);
    assert!(block_on(store.remove(&e2.name, &e2.key)).unwrap());
    assert_eq!(markers(&dir).len(), 5);
    assert_eq!(block_on(store.usage()).unwrap().entries, 5);
    // A rebuild keeps one marker per entry.
    assert_eq!(store.reindex().unwrap().entries, 5);
    assert_eq!(markers(&dir).len(), 5);
    // Evicted least recently used first: 0, 3, 4, 5, and 1 (just used) last.
    let removed = block_on(mem.reduce_size(&Limits { items: Some(1), ..Limits::default() })).unwrap();
    let want: Vec<_> = [0u8, 3, 4, 5].iter().map(|k| new_entry(*k, 0).key).collect();
    assert_eq!(removed.iter().map(|m| m.key).collect::<Vec<_>>(), want);
    assert!(block_on(mem.lookup_value(&e1.name, &e1.key, |_| true)).unwrap().is_some());
    assert_eq!(block_on(store.usage()).unwrap().entries, 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[path = "common/soak.rs"]
mod soak_common;

#[test]
#[cfg(unix)]
fn four_processes_filling_one_folder_under_a_limit_keep_it_lose_nothing_and_never_hit_wrong() {
    use std::process::{Command, Stdio};
    let dir = scratch("four");
    FsStore::open(&dir).unwrap();
    let (per, items) = (600u64, 200usize);
    let children: Vec<_> = (0..4u64)
        .map(|w| {
            Command::new(soak_common::worker())
                .args(["limited", dir.to_str().unwrap(), &(w * per).to_string(), &per.to_string(), &items.to_string()])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let (mut inserted, mut evicted) = (Vec::new(), std::collections::HashSet::new());
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "a worker failed: {}", String::from_utf8_lossy(&out.stderr));
        let j: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        inserted.extend(j["inserted"].as_array().unwrap().iter().map(|i| i.as_u64().unwrap()));
        evicted.extend(j["evicted"].as_array().unwrap().iter().map(|k| k.as_str().unwrap().to_string()));
    }
    assert_eq!(inserted.len() as u64, 4 * per);
    let store = FsStore::open(&dir).unwrap();
    let all = block_on(store.list()).unwrap();
    // The limit holds, within one in-flight insert per process.
    assert!(all.len() <= items + 4, "{} entries left under a limit of {items}", all.len());
    // The totals are the walk's (no update lost without a crash).
    assert_eq!(block_on(store.usage()).unwrap().entries, all.len() as u64);
    // Every entry whose insert returned is there, or some process evicted it;
    // every entry there reads as its one correct value.
    let present: std::collections::HashSet<String> = all.iter().map(|m| m.key.hex()).collect();
    for i in inserted {
        let key = function_key("soak", "v:1", &[("i".into(), toolmemo::fingerprint::Datum::Int(i as i64))]).key;
        assert!(present.contains(&key.hex()) || evicted.contains(&key.hex()), "entry {i} was lost");
        if present.contains(&key.hex()) {
            let e = block_on(store.get("soak", &key)).unwrap().expect("present");
            assert_eq!(e.value, soak_common::compute(i), "entry {i} reads wrong");
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Waits (up to ten seconds) for the background thread to delete the folders
/// of shed entries; the entry folders left on disk under `name`'s folder.
fn drained(dir: &std::path::Path, name: &str) -> usize {
    let evicted = dir.join(".index/evicted");
    let left = || {
        std::fs::read_dir(&evicted)
            .map_or(0, |d| d.flatten().map(|g| std::fs::read_dir(g.path()).map_or(0, |f| f.count())).sum::<usize>())
    };
    for _ in 0..1000 {
        if left() == 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(left(), 0, "shed markers are drained");
    let fans = std::fs::read_dir(dir.join(name))
        .unwrap()
        .flatten()
        .filter(|f| !f.file_name().to_string_lossy().starts_with('.'));
    fans.map(|f| std::fs::read_dir(f.path()).unwrap().count()).sum()
}

#[test]
fn a_bulk_eviction_counts_entries_gone_at_once_and_deletes_their_folders_later() {
    let dir = scratch("bulk");
    let store = Rc::new(FsStore::open(&dir).unwrap());
    let now = Rc::new(Cell::new(1_000.0));
    let clock = now.clone();
    let mem = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(move || clock.get()));
    // 0, 3, 6, … are all named "f"; spread over many buckets (a second each).
    let keys: Vec<u8> = (0..240).step_by(3).map(|k| k as u8).collect();
    for &k in &keys {
        now.set(now.get() + 250.0);
        block_on(mem.insert(new_entry(k, 10), vec![k])).unwrap();
    }
    let all = block_on(store.list()).unwrap();
    let want: Vec<_> = select_evictions(&all, &Limits { items: Some(40), ..Limits::default() }, now.get());
    let removed = block_on(mem.reduce_size(&Limits { items: Some(40), ..Limits::default() })).unwrap();
    assert_eq!(removed.iter().map(|m| m.key).collect::<Vec<_>>(), want.iter().map(|m| m.key).collect::<Vec<_>>());
    assert!(removed.iter().all(|m| m.name == "f" && m.bytes == 10), "the index's record of each");
    // Gone at once for the totals and for readers, whatever the background thread has done.
    assert_eq!(block_on(store.usage()).unwrap(), toolmemo::memory::Usage { entries: 40, bytes: 400 });
    assert_eq!(block_on(store.list()).unwrap().len(), 40);
    for m in &removed {
        assert!(block_on(store.get("f", &m.key)).unwrap().is_none());
        assert!(!block_on(mem.contains("f", &m.key)).unwrap());
    }
    assert_eq!(drained(&dir, "f"), 40, "the folders of the shed entries are deleted");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A store dropped waits for its drain: a program that reduces a cache and
/// ends (the CLI's `evict`) has freed the space, and left nothing in
/// `evicted/` unsettled (`fs_drain`).
#[test]
fn a_store_dropped_has_deleted_what_it_shed() {
    let dir = scratch("dropped");
    let store = Rc::new(FsStore::open(&dir).unwrap());
    let mem = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(|| 5_000.0));
    for k in 0..=254u8 {
        block_on(mem.insert(new_entry(k, 10), vec![k])).unwrap();
    }
    assert_eq!(block_on(mem.reduce_size(&Limits { items: Some(5), ..Limits::default() })).unwrap().len(), 250);
    drop((mem, store));
    // Entry folders: <root>/<name>/<kk>/<key>.
    let entry_folders = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .filter(|n| n.path().is_dir() && !n.file_name().to_string_lossy().starts_with('.'))
        .flat_map(|n| std::fs::read_dir(n.path()).unwrap().flatten())
        .filter(|fan| fan.path().is_dir() && !fan.file_name().to_string_lossy().starts_with('.'))
        .map(|fan| std::fs::read_dir(fan.path()).unwrap().count())
        .sum::<usize>();
    assert_eq!(entry_folders, 5, "only the entries kept are left");
    let trash =
        ["f", "g", "h_x"].iter().map(|n| std::fs::read_dir(dir.join(n).join(".trash")).map_or(0, |d| d.count()));
    assert_eq!(trash.sum::<usize>(), 0, "and their space is freed");
    let shed_left = std::fs::read_dir(dir.join(".index/evicted"))
        .map_or(0, |d| d.flatten().map(|g| std::fs::read_dir(g.path()).map_or(0, |f| f.count())).sum::<usize>());
    assert_eq!(shed_left, 0, "no shed marker is left");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_entry_shed_but_not_yet_deleted_is_a_miss_and_a_newer_entry_of_its_key_survives_the_deletion() {
    let dir = scratch("ghost");
    let store = Rc::new(FsStore::open(&dir).unwrap());
    let mem = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(|| 5_000.0));
    for k in [0u8, 3, 6] {
        block_on(mem.insert(new_entry(k, 10), vec![k])).unwrap();
    }
    // Shed as a process would that died before deleting anything: the
    // bucket's markers moved into `evicted/`, the folders still in place.
    let lru = dir.join(".index/lru");
    let bucket = std::fs::read_dir(&lru).unwrap().flatten().next().unwrap().path();
    std::fs::create_dir_all(dir.join(".index/evicted")).unwrap();
    std::fs::rename(&bucket, dir.join(".index/evicted/by-hand")).unwrap();
    let (e0, e3) = (new_entry(0, 0), new_entry(3, 0));
    assert!(store.entry_dir("f", &e0.key).exists(), "the folder is still there");
    assert!(block_on(store.get("f", &e0.key)).unwrap().is_none(), "but a read misses it");
    assert!(block_on(mem.lookup_value("f", &e0.key, |_| true)).unwrap().is_none(), "and so does a hit");
    assert!(block_on(store.list()).unwrap().is_empty(), "and a listing");
    assert!(block_on(store.folder("f", &e0.key)).unwrap().is_none(), "and its folder is not served");
    // Computed again after the eviction: a new entry in the same folder.
    let later = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(|| 9_000.0));
    block_on(later.insert(new_entry(3, 10), vec![33])).unwrap();
    // The next opening deletes what was shed, but not the newer entry.
    let reopened = FsStore::open(&dir).unwrap();
    assert_eq!(drained(&dir, "f"), 1);
    assert!(!store.entry_dir("f", &e0.key).exists());
    assert_eq!(block_on(reopened.get("f", &e3.key)).unwrap().unwrap().value, vec![33]);
    assert_eq!(block_on(reopened.folder("f", &e3.key)).unwrap(), Some(store.entry_dir("f", &e3.key)));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_function_whose_code_did_not_change_looks_for_stale_entries_without_a_walk() {
    let dir = scratch("code");
    let store = Rc::new(FsStore::open(&dir).unwrap());
    let mem = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(|| 5.0));
    for k in [0u8, 3] {
        block_on(mem.insert(new_entry(k, 10), vec![k])).unwrap();
    }
    // No record yet: a walk, which finds both entries of the old code.
    assert_eq!(block_on(mem.drop_stale_code("f", "v:2")).unwrap().len(), 2);
    assert_eq!(std::fs::read_to_string(dir.join("f/.code")).unwrap(), "v:2");
    // The same code again: the record answers, nothing is walked (an entry of
    // other code written meanwhile stays; its key, made with its code, never hits).
    block_on(mem.insert(new_entry(6, 10), vec![6])).unwrap();
    assert!(block_on(mem.drop_stale_code("f", "v:2")).unwrap().is_empty());
    // Changed again: walked again.
    assert_eq!(block_on(mem.drop_stale_code("f", "v:3")).unwrap().len(), 1);
    assert!(block_on(store.list()).unwrap().is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

/// The folders a store's disk listed, in order.
type Listed = std::sync::Arc<std::sync::Mutex<Vec<PathBuf>>>;

/// How many times the index's folder of buckets was listed.
fn lru_listings(listed: &Listed) -> usize {
    listed.lock().unwrap().iter().filter(|p| p.ends_with(".index/lru")).count()
}

/// `std::fs`, recording the folders it lists and counting its renames in
/// the index.
struct CountingDisk(Listed, Renames);

/// How many renames a disk made in the index, out of the order or `aside/`
/// (a reduction's), not out of `evicted/` (its drain's, which settles each
/// marker a reduction counted by listing: `fs_drain`).
type Renames = std::sync::Arc<std::sync::atomic::AtomicUsize>;

impl toolmemo::memory::Disk for CountingDisk {
    fn read(&self, path: &std::path::Path) -> std::io::Result<Vec<u8>> {
        StdDisk.read(path)
    }
    fn write(&self, path: &std::path::Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
        StdDisk.write(path, bytes, sync)
    }
    fn overwrite(&self, path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
        StdDisk.overwrite(path, bytes)
    }
    fn rename(&self, from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
        let text = from.to_string_lossy();
        if text.contains("/.index/") && !text.contains("/.index/evicted/") {
            self.1.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        StdDisk.rename(from, to)
    }
    fn create_dir(&self, path: &std::path::Path, recursive: bool) -> std::io::Result<()> {
        StdDisk.create_dir(path, recursive)
    }
    fn remove_dir_all(&self, path: &std::path::Path) -> std::io::Result<()> {
        StdDisk.remove_dir_all(path)
    }
    fn remove_file(&self, path: &std::path::Path) -> std::io::Result<()> {
        StdDisk.remove_file(path)
    }
    fn remove_empty_dir(&self, path: &std::path::Path) -> std::io::Result<()> {
        StdDisk.remove_empty_dir(path)
    }
    fn list_dir(&self, path: &std::path::Path) -> std::io::Result<Vec<(String, bool)>> {
        self.0.lock().unwrap().push(path.to_path_buf());
        StdDisk.list_dir(path)
    }
    fn age_secs(&self, path: &std::path::Path) -> Option<f64> {
        StdDisk.age_secs(path)
    }
    fn sync_dir(&self, path: &std::path::Path) {
        StdDisk.sync_dir(path)
    }
    fn writer_seed(&self) -> String {
        StdDisk.writer_seed()
    }
}

type Counted = (PathBuf, Rc<FsStore<CountingDisk>>, Listed);

/// A store that counts its listings of `lru/`, holding 200 entries used a
/// second apart (a bucket each, as in a cache used for months), and a clock
/// that goes on a second per use.
fn one_entry_per_bucket(name: &str) -> (Counted, impl Fn() -> Box<dyn Fn() -> f64>) {
    let dir = scratch(name);
    let listings = Listed::default();
    let store = Rc::new(FsStore::open_on(CountingDisk(listings.clone(), Renames::default()), &dir).unwrap());
    let now = Rc::new(Cell::new(1_000.0));
    let tick = move || -> Box<dyn Fn() -> f64> {
        let clock = now.clone();
        Box::new(move || {
            clock.set(clock.get() + 1_000.0);
            clock.get()
        })
    };
    let fill = Memory::new(store.clone(), Limits::default(), "r".into(), tick());
    for k in 0..200u8 {
        block_on(fill.insert(new_entry(k, 10), vec![k])).unwrap();
    }
    ((dir, store, listings), tick)
}

/// A cache used over months has a bucket (a second of last use) for nearly
/// every entry: evicting one per insert must not list every bucket each time
/// (it did: 9.5 ms per insert at 20,000 entries against 0.13 ms at 400).
#[test]
fn evicting_one_entry_per_insert_does_not_list_every_bucket_each_time() {
    let ((dir, store, listings), tick) = one_entry_per_bucket("spread");
    let limits = Limits { items: Some(200), ..Limits::default() };
    let mem = Memory::new(store.clone(), limits, "r".into(), tick());
    let before = lru_listings(&listings);
    let mut evicted = Vec::new();
    for k in 200..=255u8 {
        evicted.extend(block_on(mem.insert(new_entry(k, 10), vec![k])).unwrap().into_iter().map(|m| m.key));
    }
    let listed = lru_listings(&listings) - before;
    assert!(listed <= 2, "56 inserts, each evicting one entry, listed every bucket {listed} times");
    // The oldest went, in order, and the limit holds.
    let want: Vec<_> = (0..56u8).map(|k| new_entry(k, 10).key).collect();
    assert_eq!(evicted, want);
    assert_eq!(block_on(store.usage()).unwrap().entries, 200);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A reduction through many one-entry buckets goes through them in order,
/// listing `lru/` once, not once per bucket. (Its CPU side, a scan of the
/// buckets already gone through at each step, is measured by
/// `bench/eviction.rs`'s `reduce_20k_spread_ms`: over 80 s before, 0.4 s now.)
#[test]
fn a_reduction_through_many_one_entry_buckets_lists_them_once() {
    let ((dir, store, listings), tick) = one_entry_per_bucket("spread-reduce");
    let mem = Memory::new(store.clone(), Limits::default(), "r".into(), tick());
    let before = lru_listings(&listings);
    let removed = block_on(mem.reduce_size(&Limits { items: Some(50), ..Limits::default() })).unwrap();
    let listed = lru_listings(&listings) - before;
    assert_eq!(
        removed.iter().map(|m| m.key).collect::<Vec<_>>(),
        (0..150u8).map(|k| new_entry(k, 10).key).collect::<Vec<_>>()
    );
    assert!(listed <= 2, "a reduction through 150 buckets listed them all {listed} times");
    assert_eq!(block_on(store.usage()).unwrap().entries, 50);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A store on a disk that records its listings, and a memory over it whose
/// clock the test sets.
fn recorded(name: &str) -> Recorded {
    let dir = scratch(name);
    let (listed, renames) = (Listed::default(), Renames::default());
    let store = Rc::new(FsStore::open_on(CountingDisk(listed.clone(), renames.clone()), &dir).unwrap());
    let now = Rc::new(Cell::new(1_000.0));
    let clock = now.clone();
    let mem = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(move || clock.get()));
    Recorded { dir, store, listed, renames, now, mem }
}

struct Recorded {
    dir: PathBuf,
    store: Rc<FsStore<CountingDisk>>,
    listed: Listed,
    renames: Renames,
    now: Rc<Cell<f64>>,
    mem: Memory<Rc<FsStore<CountingDisk>>, Vec<u8>>,
}

/// Inserts entries `k` from `first`, `sizes[i]` of them 100 ms (a bucket)
/// after the last.
fn fill_buckets<S: Store<Vec<u8>>>(mem: &Memory<S, Vec<u8>>, now: &Cell<f64>, sizes: &[u8]) {
    let mut k = 0u8;
    for n in sizes {
        now.set(now.get() + 100.0);
        for _ in 0..*n {
            block_on(mem.insert(new_entry(k, 10 + k as u16), vec![k])).unwrap();
            k += 1;
        }
    }
}

/// What `limits` would take by the walk, and what is left in `aside/`.
fn walk_choice<S: Store<Vec<u8>>>(
    mem: &Memory<S, Vec<u8>>,
    limits: &Limits,
    now: f64,
) -> Vec<toolmemo::fingerprint::Key> {
    let all = block_on(mem.store().list()).unwrap();
    select_evictions(&all, limits, now).into_iter().map(|m| m.key).collect()
}

fn left_aside(dir: &std::path::Path) -> usize {
    let aside = dir.join(".index/aside");
    std::fs::read_dir(&aside)
        .map_or(0, |groups| groups.map(|g| std::fs::read_dir(g.unwrap().path()).unwrap().count()).sum())
}

/// A reduction through many full buckets sets each but the first aside
/// before it lists it: one listing of each bucket it takes whole, where
/// looking first took two (one to decide, one to count what moved).
#[test]
fn a_bulk_reduction_lists_each_bucket_it_takes_whole_once() {
    let Recorded { dir, listed, now, mem, .. } = recorded("aside-bulk");
    fill_buckets(&mem, &now, &[10; 20]);
    let limits = Limits { items: Some(100), ..Limits::default() };
    let want = walk_choice(&mem, &limits, now.get());
    let before = listed.lock().unwrap().len();
    let removed = block_on(mem.reduce_size(&limits)).unwrap();
    assert_eq!(removed.iter().map(|m| m.key).collect::<Vec<_>>(), want);
    // Listings of folders of markers: a bucket in `lru/`, `evicted/` or `aside/<process>/`.
    let of_markers = |p: &&PathBuf| {
        let d = p.parent().unwrap();
        d.ends_with(".index/lru") || d.ends_with(".index/evicted") || d.parent().unwrap().ends_with(".index/aside")
    };
    let buckets = listed.lock().unwrap()[before..].iter().filter(of_markers).count();
    // 10 buckets taken whole: the first listed twice, the others once; the
    // 11th listed to find it is not taken.
    assert!(buckets <= 12, "the reduction listed buckets {buckets} times");
    assert_eq!(block_on(mem.store().usage()).unwrap().entries, 100);
    assert_eq!(left_aside(&dir), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A bucket set aside may hold more than the reduction takes (it guesses the
/// next bucket's size from those before): the rest goes back, whether the
/// part taken is the smaller (moved marker by marker, the folder put back) or
/// the larger (the rest put back marker by marker). The choice is the walk's,
/// and what stays is evicted in order after.
#[test]
fn what_a_reduction_does_not_take_of_a_bucket_it_set_aside_goes_back_in_order() {
    for (name, items) in [("aside-few", 11), ("aside-most", 3)] {
        let Recorded { dir, store, now, mem, .. } = recorded(name);
        fill_buckets(&mem, &now, &[1, 1, 12]);
        let limits = Limits { items: Some(items), ..Limits::default() };
        let want = walk_choice(&mem, &limits, now.get());
        let removed = block_on(mem.reduce_size(&limits)).unwrap();
        assert_eq!(removed.iter().map(|m| m.key).collect::<Vec<_>>(), want, "{name}");
        assert_eq!(left_aside(&dir), 0, "{name}");
        let usage = block_on(store.usage()).unwrap();
        assert_eq!(usage.entries, items as u64, "{name}");
        // The entries kept are in their places in the order.
        let next = Limits { items: Some(1), ..Limits::default() };
        let want = walk_choice(&mem, &next, now.get());
        assert_eq!(block_on(mem.preview_eviction(&next)).unwrap().iter().map(|m| m.key).collect::<Vec<_>>(), want);
        let removed = block_on(mem.reduce_size(&next)).unwrap();
        assert_eq!(removed.iter().map(|m| m.key).collect::<Vec<_>>(), want, "{name}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

/// A reduction that crashed while it held a bucket aside left its markers out
/// of the order: a store opened an hour later puts them back, not sooner (a
/// reduction holds a bucket for milliseconds; one merely slow would find its
/// bucket gone and count none of it).
#[test]
fn a_bucket_a_crashed_reduction_left_aside_is_put_back_an_hour_later() {
    let Recorded { dir, now, mem, .. } = recorded("aside-crash");
    fill_buckets(&mem, &now, &[3, 3]);
    let lru = dir.join(".index/lru");
    let mut buckets: Vec<_> = std::fs::read_dir(&lru).unwrap().map(|b| b.unwrap().file_name()).collect();
    buckets.sort();
    let group = dir.join(".index/aside/pcrashed");
    std::fs::create_dir_all(&group).unwrap();
    let held = group.join(format!("{}.u", buckets[0].to_string_lossy()));
    std::fs::rename(lru.join(&buckets[0]), &held).unwrap();
    let open = || {
        let store = Rc::new(FsStore::open(&dir).unwrap());
        let clock = now.clone();
        Memory::new(store, Limits::default(), "r".into(), Box::new(move || clock.get()))
    };
    drop(open());
    assert_eq!(left_aside(&dir), 1, "put back too soon");
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3700);
    std::fs::File::open(&group).unwrap().set_modified(hour_ago).unwrap();
    let mem = open();
    assert_eq!(left_aside(&dir), 0, "not put back");
    assert!(!group.exists());
    // In order again: the three oldest go first.
    let limits = Limits { items: Some(3), ..Limits::default() };
    let want = walk_choice(&mem, &limits, now.get());
    let mut oldest: Vec<_> = want.clone();
    oldest.sort();
    let mut first: Vec<_> = (0..3u8).map(|k| new_entry(k, 0).key).collect();
    first.sort();
    assert_eq!(oldest, first);
    let removed = block_on(mem.reduce_size(&limits)).unwrap();
    assert_eq!(removed.iter().map(|m| m.key).collect::<Vec<_>>(), want);
    let _ = std::fs::remove_dir_all(&dir);
}

/// When a reduction takes most of the bucket it looked at first, the bucket
/// is set aside and the rest put back: a few renames, not one per marker
/// taken. The choice is the walk's, and what stays is evicted in order after.
#[test]
fn a_reduction_that_takes_most_of_a_bucket_moves_the_rest_back_instead() {
    let Recorded { dir, store, renames, now, mem, .. } = recorded("aside-most-first");
    fill_buckets(&mem, &now, &[50]);
    let limits = Limits { items: Some(5), ..Limits::default() };
    let want = walk_choice(&mem, &limits, now.get());
    let before = renames.load(std::sync::atomic::Ordering::Relaxed);
    let removed = block_on(mem.reduce_size(&limits)).unwrap();
    let renamed = renames.load(std::sync::atomic::Ordering::Relaxed) - before;
    assert_eq!(removed.iter().map(|m| m.key).collect::<Vec<_>>(), want);
    // Set aside, 5 back (one tried again once their bucket is made anew), the
    // rest into `evicted/` in one: not the 45 taken one by one.
    assert!(renamed <= 9, "{renamed} renames of markers and buckets");
    assert_eq!(left_aside(&dir), 0);
    assert_eq!(block_on(store.usage()).unwrap().entries, 5);
    let next = Limits { items: Some(2), ..Limits::default() };
    let want = walk_choice(&mem, &next, now.get());
    let removed = block_on(mem.reduce_size(&next)).unwrap();
    assert_eq!(removed.iter().map(|m| m.key).collect::<Vec<_>>(), want);
    let _ = std::fs::remove_dir_all(&dir);
}
