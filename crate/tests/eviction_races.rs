//! Another process acting on a bucket of the filesystem store's index at the
//! instant a reduction moves and lists it. The kernel looks up a path's
//! folders before it locks them, so a hit, removal or shed that looked up
//! `lru/<bucket>/` just before the bucket moved acts on it where it went:
//! a marker may leave it, or arrive in it, right after the reduction listed
//! it to count what it took. A disk that does that on cue (after the
//! listing) shows the drain settling both: the totals stay the walk's and
//! no live entry is deleted or hidden.

#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{format, function_key, Disk, FsStore, Kind, Limits, Memory, NewEntry, StdDisk, Store};

/// What another process does to a folder of markers right after it was listed.
type Race = Box<dyn FnOnce(&Path, &[String]) + Send>;

/// What another process does before a drain looks for a shed marker (at
/// the path given); `true` once it is done.
type Look = Box<dyn FnMut(&Path) -> bool + Send>;

/// `std::fs`, and a race run after the first listing of a folder that a
/// reduction moved (in `.index/aside/` or `.index/evicted/`), and another
/// run before each look at a marker in `.index/evicted/` until it is done.
#[derive(Default)]
struct RacingDisk {
    listed: Cue,
    looking: Arc<Mutex<Option<Look>>>,
}

impl RacingDisk {
    fn new(listed: Cue) -> RacingDisk {
        RacingDisk { listed, ..RacingDisk::default() }
    }
}

/// The race a [`RacingDisk`] runs next, set by the test.
type Cue = Arc<Mutex<Option<Race>>>;

impl Disk for RacingDisk {
    fn read(&self, path: &Path) -> std::io::Result<Vec<u8>> {
        StdDisk.read(path)
    }
    fn write(&self, path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
        StdDisk.write(path, bytes, sync)
    }
    fn overwrite(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        StdDisk.overwrite(path, bytes)
    }
    fn update(&self, path: &Path, change: &mut dyn FnMut(&[u8]) -> Option<Vec<u8>>) -> std::io::Result<bool> {
        StdDisk.update(path, change)
    }
    fn rename(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        StdDisk.rename(from, to)
    }
    fn create_dir(&self, path: &Path, recursive: bool) -> std::io::Result<()> {
        StdDisk.create_dir(path, recursive)
    }
    fn remove_dir_all(&self, path: &Path) -> std::io::Result<()> {
        StdDisk.remove_dir_all(path)
    }
    fn remove_file(&self, path: &Path) -> std::io::Result<()> {
        StdDisk.remove_file(path)
    }
    fn remove_empty_dir(&self, path: &Path) -> std::io::Result<()> {
        StdDisk.remove_empty_dir(path)
    }
    fn list_dir(&self, path: &Path) -> std::io::Result<Vec<(String, bool)>> {
        StdDisk.list_dir(path)
    }
    fn list_names(&self, path: &Path) -> std::io::Result<Vec<String>> {
        let names = StdDisk.list_names(path)?;
        let parent = path.parent().expect("a folder of markers");
        if parent.ends_with(".index/evicted") || parent.parent().is_some_and(|p| p.ends_with(".index/aside")) {
            if let Some(race) = self.listed.lock().unwrap().take() {
                race(path, &names);
            }
        }
        Ok(names)
    }
    fn age_secs(&self, path: &Path) -> Option<f64> {
        if path.parent().and_then(Path::parent).is_some_and(|p| p.ends_with(".index/evicted")) {
            let mut looking = self.looking.lock().unwrap();
            if looking.as_mut().is_some_and(|race| race(path)) {
                *looking = None;
            }
        }
        StdDisk.age_secs(path)
    }
    fn sync_dir(&self, path: &Path) {
        StdDisk.sync_dir(path)
    }
    fn writer_seed(&self) -> String {
        StdDisk.writer_seed()
    }
}

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("toolmemo-races-{tag}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn new_entry(k: i64) -> NewEntry {
    NewEntry {
        key: function_key("f", "v:1", &[("k".into(), toolmemo::fingerprint::Datum::Int(k))]).key,
        kind: Kind::Function,
        name: "f".into(),
        bytes: 10,
        duration_ms: 1.0,
        code: Some("v:1".into()),
        args: None,
        sidecar: serde_json::Value::Null,
        format: format::JSON,
    }
}

/// A store on a racing disk holding entries 0..10, all used at 5,000 ms (one
/// bucket of the index), and the cue of its races.
fn ten_in_one_bucket(tag: &str) -> (PathBuf, Rc<FsStore<RacingDisk>>, Cue) {
    let dir = scratch(tag);
    let cue = Cue::default();
    let store = Rc::new(FsStore::open_on(RacingDisk::new(cue.clone()), &dir).unwrap());
    let mem = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(|| 5_000.0));
    for k in 0..10 {
        block_on(mem.insert(new_entry(k), vec![k as u8])).unwrap();
    }
    (dir, store, cue)
}

/// The one marker of entry `k` in the index's order (`lru/<bucket>/`).
fn marker_of(dir: &Path, k: i64) -> PathBuf {
    let key = new_entry(k).key.hex();
    let found = std::fs::read_dir(dir.join(".index/lru"))
        .unwrap()
        .flatten()
        .flat_map(|b| std::fs::read_dir(b.path()).unwrap().flatten().map(|m| m.path()))
        .filter(|m| m.file_name().unwrap().to_string_lossy().contains(&key))
        .collect::<Vec<_>>();
    assert_eq!(found.len(), 1, "entry {k} has one marker in the order: {found:?}");
    found.into_iter().next().unwrap()
}

/// The totals agree with the walk, and entry `live` is listed and reads back whole.
fn settled(store: &FsStore<RacingDisk>, live: i64) {
    let all = block_on(store.list()).unwrap();
    assert_eq!(block_on(store.usage()).unwrap().entries, all.len() as u64, "the totals are the walk's");
    let e = new_entry(live);
    assert!(all.iter().any(|m| m.key == e.key), "entry {live} is listed");
    let got = block_on(store.get("f", &e.key)).unwrap();
    assert_eq!(got.map(|g| g.value), Some(vec![live as u8]), "entry {live} is a hit");
}

/// A marker that leaves the bucket after the reduction listed it (a hit
/// moved it back into the order) was counted gone: the drain finds it
/// missing, gives its entry back to the totals and leaves its folder.
#[test]
fn a_marker_a_hit_moves_out_of_a_bucket_just_listed_is_given_back_and_its_entry_kept() {
    let (dir, store, cue) = ten_in_one_bucket("leave");
    let lru = dir.join(".index/lru");
    *cue.lock().unwrap() = Some(Box::new(move |folder: &Path, names: &[String]| {
        // The least recently used: among those the reduction takes.
        let first = names.iter().min().unwrap().clone();
        let bucket = lru.join("00000000005.0");
        std::fs::create_dir_all(&bucket).unwrap();
        std::fs::rename(folder.join(&first), bucket.join(&first)).unwrap();
    }));
    let first = (0..10).min_by_key(|k| new_entry(*k).key.hex()).unwrap();
    let mem = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(|| 6_000.0));
    let removed = block_on(mem.reduce_size(&Limits { items: Some(2), ..Limits::default() })).unwrap();
    assert!(cue.lock().unwrap().is_none(), "the race ran");
    assert_eq!(removed.len(), 8);
    settled(&store, first);
    marker_of(&dir, first);
    assert_eq!(block_on(store.list()).unwrap().len(), 3, "the two kept, and the one the hit kept");
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A marker that arrives in the bucket after the reduction listed it (a hit
/// or an insert that looked it up before it moved) was not counted: the
/// drain puts it back into the order, and its entry is not hidden.
#[test]
fn a_marker_that_arrives_in_a_bucket_just_listed_goes_back_into_the_order() {
    let (dir, store, cue) = ten_in_one_bucket("arrive");
    let later = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(|| 9_000.0));
    block_on(later.insert(new_entry(10), vec![10])).unwrap();
    let marker = marker_of(&dir, 10);
    *cue.lock().unwrap() = Some(Box::new(move |folder: &Path, _: &[String]| {
        std::fs::rename(&marker, folder.join(marker.file_name().unwrap())).unwrap();
    }));
    // The whole first bucket goes (listed where it went); entry 10 stays.
    let removed = block_on(later.reduce_size(&Limits { items: Some(1), ..Limits::default() })).unwrap();
    assert!(cue.lock().unwrap().is_none(), "the race ran");
    assert_eq!(removed.len(), 10);
    settled(&store, 10);
    marker_of(&dir, 10);
    assert_eq!(block_on(store.usage()).unwrap().entries, 1);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A drain claims a folder of `evicted/` by renaming it (`fs_drain`), maybe
/// while another process lists the shed markers to leave their entries out
/// of a listing: the listing follows the folder to its new name, and the
/// shed entries stay out.
#[test]
fn a_listing_follows_a_folder_of_shed_markers_that_a_drain_claims_under_it() {
    let dir = scratch("claimed");
    let cue = Cue::default();
    let store = Rc::new(FsStore::open_on(RacingDisk::new(cue.clone()), &dir).unwrap());
    for (first, at) in [(0, 5_000.0), (5, 9_000.0)] {
        let mem = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(move || at));
        for k in first..first + 5 {
            block_on(mem.insert(new_entry(k), vec![k as u8])).unwrap();
        }
    }
    // Shed by a process that died before draining: each bucket moved whole.
    let evicted = dir.join(".index/evicted");
    std::fs::create_dir_all(&evicted).unwrap();
    for (bucket, group) in [("00000000005.0", "a"), ("00000000009.0", "b")] {
        std::fs::rename(dir.join(".index/lru").join(bucket), evicted.join(group)).unwrap();
    }
    // Once the listing has looked in one folder, the other is claimed.
    let claimed = evicted.clone();
    *cue.lock().unwrap() = Some(Box::new(move |folder: &Path, _: &[String]| {
        let other = if folder.ends_with("a") { "b" } else { "a" };
        std::fs::rename(claimed.join(other), claimed.join("c-claimed")).unwrap();
    }));
    assert!(block_on(store.list()).unwrap().is_empty(), "no shed entry is listed");
    assert!(cue.lock().unwrap().is_none(), "the claim ran");
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A process that opens the folder while a reduction's owner drains claims
/// what is left in `evicted/` by renaming the folder (`fs_drain`, "Leftovers").
/// The owner, finding the folder gone under it, settles nothing more (the
/// markers are not its to count again), and whoever drains the claimed folder
/// deletes each entry once: the totals stay the walk's, the kept entries are
/// hits, no shed entry's folder or marker is left.
#[test]
fn an_opener_claims_what_a_drain_under_way_has_left_and_every_shed_entry_goes_once() {
    let dir = scratch("claim-mid-drain");
    let looking: Arc<Mutex<Option<Look>>> = Arc::default();
    let disk = RacingDisk { looking: looking.clone(), ..RacingDisk::default() };
    let store = Rc::new(FsStore::open_on(disk, &dir).unwrap());
    let mem = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(|| 5_000.0));
    for k in 0..10 {
        block_on(mem.insert(new_entry(k), vec![k as u8])).unwrap();
    }
    // Before the owner's third look, another process claims the folder.
    let mut looks = 0;
    *looking.lock().unwrap() = Some(Box::new(move |marker: &Path| {
        looks += 1;
        if looks < 3 {
            return false;
        }
        let group = marker.parent().unwrap();
        std::fs::rename(group, group.with_file_name("c-claimed-by-another")).unwrap();
        true
    }));
    let later = Memory::new(store.clone(), Limits::default(), "r".into(), Box::new(|| 6_000.0));
    let removed = block_on(later.reduce_size(&Limits { items: Some(2), ..Limits::default() })).unwrap();
    assert!(looking.lock().unwrap().is_none(), "the claim ran");
    assert_eq!(removed.len(), 8);
    assert_eq!(block_on(store.usage()).unwrap().entries, 2, "the owner gave nothing back for what was claimed");
    // The claiming process ended before draining: the next to open drains it.
    drop(FsStore::open_on(RacingDisk::default(), &dir).unwrap());
    let all = block_on(store.list()).unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(block_on(store.usage()).unwrap().entries, 2, "the totals are the walk's");
    let folders = std::fs::read_dir(dir.join("f"))
        .unwrap()
        .flatten()
        .filter(|d| !d.file_name().to_string_lossy().starts_with('.'));
    let entries: usize = folders.map(|shard| std::fs::read_dir(shard.path()).unwrap().count()).sum();
    assert_eq!(entries, 2, "the folders of the 8 shed entries are deleted");
    let left: Vec<_> = std::fs::read_dir(dir.join(".index/evicted")).unwrap().flatten().map(|d| d.path()).collect();
    assert!(left.iter().all(|g| std::fs::read_dir(g).unwrap().next().is_none()), "no shed marker is left: {left:?}");
    for m in &all {
        let got = block_on(store.get("f", &m.key)).unwrap();
        assert!(got.is_some(), "a kept entry is a hit");
    }
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
}
