//! The filesystem store's eviction index: its totals and its order of last
//! use, kept as it is written, so that enforcing limits costs the same at
//! 100,000 entries as at 100 (`docs/cache-layout.md`, "The index").
//!
//! `<root>/.index/` holds
//!
//! - `totals`: entries and bytes (two i64, little-endian) and 8 bytes of their
//!   sha256, rewritten in place under the lock file `lock` (ccache's stats
//!   files, one for the folder) by every publish and removal;
//! - `lru/<bucket>/<marker>`: one empty file per entry, in the bucket (100 ms)
//!   of its last use, named `<last use>-<created>-<key>-<bytes>-<folder>`
//!   (times as 16 hex digits that sort as the numbers do), so that names sort
//!   in the walk's order of eviction, exactly. A hit renames its entry's marker; listing the oldest
//!   bucket gives the least recently used entries without reading one file;
//! - `evicted/`: markers of entries shed in bulk ([`Index::shed`]: whole
//!   buckets by one rename), gone for readers and the totals, whose folders
//!   are deleted later (`fs_drain`).
//! - `aside/<process>/`: buckets a bulk shed holds while it decides on them
//!   ([`Index::shed_aside`]), put back by a later opening if it crashed.
//!
//! Every process keeps its sorted list of buckets (listed again when used
//! up: a cache used for months has a bucket for nearly every entry), and the
//! oldest bucket's sorted names, and checks a name is
//! still there (one `stat`) before it offers it: another process's hit renamed
//! it away, another process's eviction removed it. A marker another process
//! adds to that bucket is seen when this one lists the bucket again (when it
//! has used up what it saw): it can only sort before names seen already if its
//! time equals theirs or the writers' clocks disagree, and then it goes at most
//! one listing late. A crash can lose an update
//! (an entry published without its marker, a total not adjusted): such an
//! entry is never evicted and the totals drift until the index is rebuilt, by
//! a walk, when it is missing or damaged or when [`super::FsStore::reindex`]
//! is called. The order is never wrong by more than that: a marker names the
//! last use recorded with it.

use super::disk::Disk;
use super::entry::Meta;
use super::store::Usage;
use crate::fingerprint::{hex_u64, sha256, Key};
use std::collections::VecDeque;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A bucket spans this much time of last use. Small, because a reduction
/// moves whole buckets by one rename each but the part it takes of the last
/// one marker by marker: a fast writer puts ~700 entries in 100 ms natively
/// (~400 under Node), where a second's bucket held up to 7,000 and their
/// renames were a third of a Node reduction. Small folders also keep ext4
/// fast.
const BUCKET_MS: f64 = 100.0;

/// A bucket's name: the second, 11 digits, then the tenth (`01764648000.3`).
/// Names sort as the times do, and after the one-second bucket of the same
/// second that earlier versions wrote ([`legacy_bucket_of`]).
fn bucket_of(ms: f64) -> String {
    let tenths = (ms.max(0.0) / BUCKET_MS) as u64;
    format!("{:011}.{}", tenths / 10, tenths % 10)
}

/// The one-second bucket that versions before 100 ms buckets wrote a marker
/// in. Such markers are still found (a hit moves one into a new bucket, a
/// removal deletes it) and evicted in order, a legacy bucket going before the
/// new buckets of its second: at most a second early. None is written.
fn legacy_bucket_of(ms: f64) -> String {
    format!("{:011}", (ms.max(0.0) / 1_000.0) as u64)
}

/// The index of one cache folder.
pub(super) struct Index {
    dir: PathBuf,
    /// This process's view of the oldest bucket: its name and sorted markers.
    front: Mutex<Option<(String, Vec<String>)>>,
    /// This process's list of the buckets, oldest first: its last listing of
    /// `lru/` and the buckets it made since. A cache used over months has a
    /// bucket for most of its entries; finding the oldest must not list them
    /// all each time one is used up (`None`: not listed yet).
    buckets: Mutex<Option<VecDeque<String>>>,
}

/// A shed marker: the `evicted/` folder it is in (shared by the markers of
/// a folder: a reduction sheds tens of thousands), its name, and what it
/// says (`None`: a name that is not a marker).
pub(super) type Shed = (Arc<Path>, String, Option<Marker>);

/// How a bucket set aside went ([`Index::shed_aside`]).
enum Aside {
    /// All of it was taken: its markers and bytes.
    Whole(Usage),
    /// Some was taken, the rest put back: the shed is over.
    Partly,
    /// The bucket was gone.
    Gone,
    /// It could not be set aside: look at it first instead.
    Refused,
}

/// How many shed markers, and the bytes their entries held.
fn sizes(shed: &[Shed]) -> Usage {
    Usage { entries: shed.len() as u64, bytes: shed.iter().filter_map(|(_, _, m)| m.as_ref()).map(|m| m.bytes).sum() }
}

/// What a shed took so far, and the most a bucket it took whole held: its
/// guess of the next bucket's size.
#[derive(Default)]
struct Taken {
    so_far: Usage,
    largest: Option<Usage>,
}

impl Taken {
    fn whole_bucket(&mut self, b: Usage) {
        self.so_far = Usage { entries: self.so_far.entries + b.entries, bytes: self.so_far.bytes + b.bytes };
        let l = self.largest.unwrap_or(b);
        self.largest = Some(Usage { entries: l.entries.max(b.entries), bytes: l.bytes.max(b.bytes) });
    }

    /// Whether a bucket as large as the largest so far would all go, by
    /// what goes `surely`.
    fn next_fits(&self, surely: Usage) -> bool {
        self.largest.is_some_and(|b| {
            self.so_far.entries + b.entries <= surely.entries || self.so_far.bytes + b.bytes < surely.bytes
        })
    }
}

/// Renames `from` to `to`; if that fails because `to`'s folder is missing
/// (`from` is there), `make`s it and tries once more. The index's folders are
/// made when first needed, not looked for before every rename.
fn rename_or_make<D: Disk>(disk: &D, from: &Path, to: &Path, make: impl FnOnce()) -> io::Result<()> {
    match disk.rename(from, to) {
        Err(e) if e.kind() == io::ErrorKind::NotFound && disk.age_secs(from).is_some() => {
            make();
            disk.rename(from, to)
        }
        done => done,
    }
}

/// Moves the marker `name` from the folder `from` into `mine` (made if need
/// be), and records it shed if it was there.
fn move_one<D: Disk>(disk: &D, from: &Path, name: &str, mine: &Arc<Path>, out: &mut Vec<Shed>) {
    let made = || drop(disk.create_dir(mine, true));
    if rename_or_make(disk, &from.join(name), &mine.join(name), made).is_ok() {
        out.push((mine.clone(), name.to_string(), parse_marker(name)));
    }
}

/// The markers `names` (sorted) parsed and offered to `more` in order, up
/// to the first it declines: those it took (`None`: a name that is no
/// marker, taken along). A reduction's loop over tens of thousands of
/// markers, apart and small: V8 runs a wasm function's first calls as
/// baseline code and optimizes it on its workers for later calls, and the
/// larger the function, the longer those compete with the reduction for a
/// small machine's cores (inlined into its callers, this made `shed_aside`
/// 5 KB, 5 to 9 ms of compiling during every process's first reduction).
#[inline(never)]
fn offer(names: &[String], more: &mut impl FnMut(&Marker) -> bool) -> Vec<Option<Marker>> {
    let mut parsed = Vec::with_capacity(names.len());
    for n in names {
        let m = parse_marker(n);
        if m.as_ref().is_some_and(|m| !more(m)) {
            break;
        }
        parsed.push(m);
    }
    parsed
}

/// Records as shed into the folder `to` the markers `names` with what
/// `parsed` says of each (as many, in order); kept apart as [`offer`].
#[inline(never)]
fn record(out: &mut Vec<Shed>, to: &Arc<Path>, names: Vec<String>, parsed: Vec<Option<Marker>>) {
    out.extend(names.into_iter().zip(parsed).map(|(n, m)| (to.clone(), n, m)));
}

/// What a marker says of its entry.
pub(super) struct Marker {
    pub last_ms: f64,
    pub created_ms: f64,
    pub key: Key,
    pub bytes: u64,
    pub folder: String,
}

/// An f64 as 16 hex digits that sort as `f64::total_cmp` does (exact: the
/// walk's order, ties and all).
fn sortable(f: f64) -> String {
    let bits = f.to_bits() as i64;
    let ordered = bits ^ ((((bits >> 63) as u64) >> 1) as i64);
    format!("{:016x}", (ordered as u64) ^ (1 << 63))
}

fn unsortable(hex: &str) -> Option<f64> {
    if hex.len() != 16 {
        return None;
    }
    let n = hex_u64(hex.as_bytes())?;
    let ordered = (n ^ (1 << 63)) as i64;
    let bits = ordered ^ ((((ordered >> 63) as u64) >> 1) as i64);
    Some(f64::from_bits(bits as u64))
}

fn marker_name(m: &Meta, folder: &str) -> String {
    format!("{}-{}-{}-{}-{folder}", sortable(m.last_access_ms), sortable(m.created_ms), m.key.hex(), m.bytes)
}

// Not inlined: V8 runs a wasm function's first calls as baseline code and
// optimizes it for later calls, never in the middle of one. A reduction runs
// its loop over the markers once; what it does per marker, apart, is
// optimized after a few hundred markers.
#[inline(never)]
fn parse_marker(name: &str) -> Option<Marker> {
    // The fields of fixed width by place (a reduction parses tens of
    // thousands): two times of 16 hex digits and the key's 64, each after a `-`.
    let dash = |at: usize| name.as_bytes().get(at) == Some(&b'-');
    if !(dash(16) && dash(33) && dash(98)) {
        return None;
    }
    let (bytes, folder) = name.get(99..)?.split_once('-')?;
    Some(Marker {
        last_ms: unsortable(name.get(..16)?)?,
        created_ms: unsortable(name.get(17..33)?)?,
        key: Key::from_hex(name.get(34..98)?)?,
        bytes: bytes.parse().ok()?,
        folder: folder.to_string(),
    })
}

fn encode_totals(u: Usage) -> Vec<u8> {
    let mut b = Vec::with_capacity(24);
    b.extend_from_slice(&u.entries.to_le_bytes());
    b.extend_from_slice(&u.bytes.to_le_bytes());
    let check = sha256(&b);
    b.extend_from_slice(&check[..8]);
    b
}

fn decode_totals(b: &[u8]) -> Option<Usage> {
    if b.len() != 24 || sha256(&b[..16])[..8] != b[16..] {
        return None;
    }
    let n = |r: std::ops::Range<usize>| u64::from_le_bytes(b[r].try_into().expect("8 bytes"));
    Some(Usage { entries: n(0..8), bytes: n(8..16) })
}

impl Index {
    pub fn new(root: &Path) -> Index {
        Index { dir: root.join(".index"), front: Mutex::new(None), buckets: Mutex::new(None) }
    }

    fn lru(&self) -> PathBuf {
        self.dir.join("lru")
    }

    fn marker_path(&self, m: &Meta, folder: &str) -> PathBuf {
        self.lru().join(bucket_of(m.last_access_ms)).join(marker_name(m, folder))
    }

    /// Where an earlier version put the marker of `m` ([`legacy_bucket_of`]).
    fn legacy_marker_path(&self, m: &Meta, folder: &str) -> PathBuf {
        self.lru().join(legacy_bucket_of(m.last_access_ms)).join(marker_name(m, folder))
    }

    /// Deletes the marker of `m`, wherever a version put it.
    fn remove_marker<D: Disk>(&self, disk: &D, m: &Meta, folder: &str) -> io::Result<()> {
        match disk.remove_file(&self.marker_path(m, folder)) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => disk.remove_file(&self.legacy_marker_path(m, folder)),
            done => done,
        }
    }

    /// The totals, if the index has whole ones. Read under the lock: a read
    /// racing a rewrite in place would fail the checksum and rebuild for nothing.
    pub fn usage<D: Disk>(&self, disk: &D) -> Option<Usage> {
        let path = self.dir.join("totals");
        disk.locked(&self.dir.join("lock"), || disk.read(&path).ok().and_then(|b| decode_totals(&b))).ok().flatten()
    }

    /// Whether the totals file is there (a stat, no lock).
    pub fn has_totals<D: Disk>(&self, disk: &D) -> bool {
        disk.age_secs(&self.dir.join("totals")).is_some()
    }

    /// Adds `entries` and `bytes` (either may be negative) to the totals, under
    /// the lock; `false` when there are no whole totals to adjust (rebuild).
    pub fn adjust<D: Disk>(&self, disk: &D, entries: i64, bytes: i64) -> io::Result<bool> {
        let path = self.dir.join("totals");
        let add = |v: u64, d: i64| (v as i64).saturating_add(d).max(0) as u64;
        let mut change = |now: &[u8]| {
            let u = decode_totals(now)?;
            Some(encode_totals(Usage { entries: add(u.entries, entries), bytes: add(u.bytes, bytes) }))
        };
        disk.locked(&self.dir.join("lock"), || disk.update(&path, &mut change))?
    }

    /// Records that the entry `m` (in `folder`) exists, used last at its `last_access_ms`.
    pub fn add<D: Disk>(&self, disk: &D, m: &Meta, folder: &str) {
        let path = self.marker_path(m, folder);
        if disk.write(&path, &[], false).is_err() {
            self.make_bucket(disk, m.last_access_ms);
            let _ = disk.write(&path, &[], false);
        }
        self.seen(m, folder);
    }

    /// Creates the bucket of the time `ms`, and adds it to this process's list.
    fn make_bucket<D: Disk>(&self, disk: &D, ms: f64) {
        self.make_bucket_named(disk, bucket_of(ms));
    }

    fn make_bucket_named<D: Disk>(&self, disk: &D, bucket: String) {
        let _ = disk.create_dir(&self.lru().join(&bucket), true);
        self.remember_bucket(bucket);
    }

    /// Adds a bucket that is there again to this process's list.
    fn remember_bucket(&self, bucket: String) {
        if let Some(known) = self.buckets.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            if let Err(at) = known.binary_search(&bucket) {
                known.insert(at, bucket);
            }
        }
    }

    /// Drops a bucket that was moved away from this process's list.
    fn forget_bucket(&self, bucket: &str) {
        if let Some(known) = self.buckets.lock().unwrap_or_else(|p| p.into_inner()).as_mut() {
            if let Ok(at) = known.binary_search_by(|b| b.as_str().cmp(bucket)) {
                known.remove(at);
            }
        }
    }

    /// Keeps this process's view of the oldest bucket current with a marker it
    /// wrote there (which may sort before names already seen: equal times).
    fn seen(&self, m: &Meta, folder: &str) {
        let mut front = self.front.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((bucket, names)) = front.as_mut() {
            if *bucket == bucket_of(m.last_access_ms) {
                let name = marker_name(m, folder);
                if let Err(at) = names.binary_search(&name) {
                    names.insert(at, name);
                }
            }
        }
    }

    /// Records that the entry `m` is gone; whether its marker was there (the
    /// process that removes a marker is the one that adjusts the totals).
    pub fn remove<D: Disk>(&self, disk: &D, m: &Meta, folder: &str) -> bool {
        self.remove_marker(disk, m, folder).is_ok()
    }

    /// Removes the marker `m` (whose entry is gone); whether it was there.
    pub fn remove_by_marker<D: Disk>(&self, disk: &D, m: &Marker) -> io::Result<()> {
        let mut meta = Meta::blank(m.key);
        meta.last_access_ms = m.last_ms;
        meta.created_ms = m.created_ms;
        meta.bytes = m.bytes;
        self.remove_marker(disk, &meta, &m.folder)
    }

    /// Records a new last use (and hits) of `was`, now `now`; whether the
    /// entry is still in the order (`false`: it was shed, and is gone for
    /// readers although its files may still be there).
    pub fn used<D: Disk>(&self, disk: &D, was: &Meta, now: &Meta, folder: &str) -> bool {
        let (from, to) = (self.marker_path(was, folder), self.marker_path(now, folder));
        if from == to {
            return self.has(disk, was, folder) || !self.was_shed(disk, was, folder);
        }
        self.seen(now, folder);
        // Whether the marker moved from `from` (`None`: it is not there).
        let moved = |from: &Path| match disk.rename(from, &to) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => disk.age_secs(from).is_some().then(|| {
                // The new bucket does not exist yet.
                self.make_bucket(disk, now.last_access_ms);
                let _ = disk.rename(from, &to);
            }),
            _ => Some(()),
        };
        // Where an earlier version put it is looked at only when needed: a hit
        // is the hot path.
        if moved(&from).or_else(|| moved(&self.legacy_marker_path(was, folder))).is_some() {
            return true;
        }
        // Shed, or moved first by another process's hit (then its name
        // stands: it is as recent).
        !self.was_shed(disk, was, folder)
    }

    /// The first markers in the order of eviction, at most `n`, each still in
    /// place when looked at.
    pub fn oldest<D: Disk>(&self, disk: &D, n: usize) -> Vec<Marker> {
        let mut out = Vec::new();
        let mut given = std::collections::HashSet::new();
        let mut done: Vec<String> = Vec::new();
        let mut front = self.front.lock().unwrap_or_else(|p| p.into_inner());
        let mut fresh = false;
        while out.len() < n {
            if front.is_none() {
                *front = self.load_front(disk, done.last());
                fresh = true;
                if front.is_none() {
                    break;
                }
            }
            let (bucket, names) = front.as_mut().expect("loaded");
            let dir = self.lru().join(&*bucket);
            // Names that are gone (renamed by a hit, removed) are dropped.
            let mut i = 0;
            while i < names.len() && out.len() < n {
                if given.contains(&names[i]) {
                    i += 1;
                } else if disk.age_secs(&dir.join(&names[i])).is_some() {
                    if let Some(m) = parse_marker(&names[i]) {
                        out.push(m);
                    }
                    given.insert(names[i].clone());
                    i += 1;
                } else {
                    names.remove(i);
                }
            }
            if out.len() < n {
                // What this process saw of the bucket is used up: look again
                // (others may have added to it), then go on to the next one.
                if fresh {
                    if names.is_empty() {
                        let _ = disk.remove_empty_dir(&dir);
                    }
                    done.push(bucket.clone());
                }
                *front = None;
            }
        }
        // A call that went past a bucket may have offered names of it that
        // its caller did not take: the next call starts from a fresh listing.
        if !done.is_empty() {
            *front = None;
        }
        out
    }

    /// `evicted/`: the markers of entries shed in bulk, whose folders are
    /// deleted later (`<bucket>.<unique>/` for a whole bucket, `<unique>/`
    /// for markers moved one by one).
    pub fn evicted(&self) -> PathBuf {
        self.dir.join("evicted")
    }

    /// Takes the least recently used markers out of the order, in order, for
    /// as long as `more` takes them, into `evicted/`: a whole bucket by one
    /// rename (`unique` names its folder there), other markers one by one
    /// into `mine`, this process's folder. The markers taken: those moved
    /// one by one exactly; those of a moved bucket as listed where it went,
    /// which a marker another process was moving at that instant can make
    /// wrong by one, until this process's drain settles it (`fs_drain`).
    ///
    /// `surely` is what `more` will take at the least. While the buckets this
    /// call took whole say the next one fits in it, the next is set aside
    /// before it is listed ([`Index::shed_aside`]): one listing per bucket,
    /// not one to decide and one to count. Otherwise a bucket is listed
    /// first, then moved whole or marker by marker.
    ///
    /// An insert into a full store sheds one marker: from this process's view
    /// of the oldest bucket (a `stat` checks each name before it is offered),
    /// without listing anything.
    pub fn shed<D: Disk>(
        &self,
        disk: &D,
        unique: &str,
        mine: &str,
        surely: Usage,
        mut more: impl FnMut(&Marker) -> bool,
    ) -> Vec<Shed> {
        // What must go at the least, without growing (and copying) on the way.
        let mut out = Vec::with_capacity(surely.entries.min(1 << 20) as usize);
        let evicted = self.evicted();
        let mine_aside = self.aside().join(mine);
        let mine: Arc<Path> = evicted.join(mine).into();
        // Where a bucket goes: set aside, then into `evicted/` (both folders
        // made once per call that sets one aside).
        let mut made = false;
        let mut places = |bucket: &str| -> (PathBuf, Arc<Path>) {
            if !made {
                let _ = disk.create_dir(&mine_aside, true);
                let _ = disk.create_dir(&evicted, true);
                made = true;
            }
            (mine_aside.join(format!("{bucket}.{unique}")), evicted.join(format!("{bucket}.{unique}")).into())
        };
        let mut front = self.front.lock().unwrap_or_else(|p| p.into_inner());
        let mut done: Vec<String> = Vec::new();
        let mut taken = Taken::default();
        let mut look_first = false;
        loop {
            let fresh = front.is_none();
            if fresh && !look_first && taken.next_fits(surely) {
                let Some(bucket) = self.next_bucket(disk, done.last()) else { break };
                let (held, to) = places(&bucket);
                match self.shed_aside(disk, &bucket, &held, &to, &mine, &mut more, &mut out) {
                    Aside::Gone => {}
                    Aside::Refused => look_first = true,
                    Aside::Partly => break,
                    Aside::Whole(b) => taken.whole_bucket(b),
                }
                if !look_first {
                    done.push(bucket);
                    continue;
                }
            }
            if fresh {
                *front = self.load_front(disk, done.last());
            }
            let Some((bucket, names)) = front.as_mut() else { break };
            let from = self.lru().join(&*bucket);
            if fresh {
                let parsed = offer(names, &mut more);
                let took = parsed.len();
                if took < names.len() {
                    // Most of it goes: set aside and put the rest back, if
                    // that is fewer renames (a listing costs about a tenth of
                    // a rename per name).
                    let keep = names.len() - took;
                    if !look_first && took > keep + 2 + names.len() / 10 {
                        let (held, to) = places(bucket);
                        if self.shed_most(disk, bucket, &names[took - 1], &held, &to, &mut out) {
                            names.drain(..took);
                            break;
                        }
                    }
                    for name in names.drain(..took).collect::<Vec<_>>() {
                        move_one(disk, &from, &name, &mine, &mut out);
                    }
                    break;
                }
                // The whole bucket goes, in one rename.
                let to: Arc<Path> = evicted.join(format!("{bucket}.{unique}")).into();
                if rename_or_make(disk, &from, &to, || drop(disk.create_dir(&evicted, true))).is_ok() {
                    self.forget_bucket(bucket);
                    let mut moved: Vec<String> = disk.list_names(&to).unwrap_or_default();
                    moved.sort_unstable();
                    let before = out.len();
                    if moved == *names {
                        // As listed before the move (the usual case): parsed already.
                        record(&mut out, &to, std::mem::take(names), parsed);
                    } else {
                        let parsed = moved.iter().map(|n| parse_marker(n)).collect();
                        record(&mut out, &to, moved, parsed);
                    }
                    taken.whole_bucket(sizes(&out[before..]));
                }
                done.push(bucket.clone());
                *front = None;
                continue;
            }
            // What this process saw of the bucket: names that are gone
            // (moved by a hit, shed by another process) are dropped.
            let mut stopped = false;
            while let Some(name) = names.first().cloned() {
                if disk.age_secs(&from.join(&name)).is_some() {
                    if parse_marker(&name).is_some_and(|m| !more(&m)) {
                        stopped = true;
                        break;
                    }
                    move_one(disk, &from, &name, &mine, &mut out);
                }
                names.remove(0);
            }
            if stopped {
                break;
            }
            // Used up: list the bucket again (others may have added to it).
            *front = None;
        }
        out
    }

    /// Sheds the whole bucket `bucket`, which the caller expects `more` to
    /// take: it is set aside (to `held`, in this process's folder of
    /// `aside/`) by one rename, listed there, and moved into `evicted/` (to
    /// `to`) by a second. What it holds there is what moved: markers in
    /// `aside/` are nobody else's to move (but for a call already under way
    /// when the bucket moved, which `fs_drain` settles), so no second
    /// listing. The part `more` does not take goes back (the guess was
    /// short): the fewer of the two parts marker by marker, the other by
    /// renaming the folder.
    ///
    /// While a bucket is aside, another process's hit on one of its entries
    /// is served but does not move its marker: for an entry that goes back,
    /// that use is lost (it is evicted as if unused since before).
    #[allow(clippy::too_many_arguments)]
    #[inline(never)] // Optimized by V8 after its first calls (see `parse_marker`).
    fn shed_aside<D: Disk>(
        &self,
        disk: &D,
        bucket: &str,
        held: &Path,
        to: &Arc<Path>,
        mine: &Arc<Path>,
        more: &mut impl FnMut(&Marker) -> bool,
        out: &mut Vec<Shed>,
    ) -> Aside {
        let from = self.lru().join(bucket);
        let made = || drop(disk.create_dir(held.parent().expect("in aside/"), true));
        match rename_or_make(disk, &from, held, made) {
            Ok(()) => self.forget_bucket(bucket),
            Err(e) if e.kind() == io::ErrorKind::NotFound && disk.age_secs(&from).is_none() => {
                // Emptied and removed by another process meanwhile.
                self.forget_bucket(bucket);
                return Aside::Gone;
            }
            Err(_) => return Aside::Refused,
        }
        let mut names = disk.list_names(held).unwrap_or_default();
        if names.is_empty() {
            let _ = disk.remove_empty_dir(held);
            return Aside::Gone;
        }
        names.sort_unstable();
        let parsed = offer(&names, more);
        let took = parsed.len();
        let into_evicted = || rename_or_make(disk, held, to, || drop(disk.create_dir(&self.evicted(), true)));
        if took == names.len() {
            if into_evicted().is_ok() {
                let start = out.len();
                record(out, to, names, parsed);
                return Aside::Whole(sizes(&out[start..]));
            }
            // Not movable (another process put back what it found aside
            // after a crash long ago): nothing taken.
            self.put_back(disk, bucket, held, &names);
            return Aside::Partly;
        }
        let (taking, keeping) = names.split_at(took);
        if taking.len() <= keeping.len() {
            for name in taking {
                move_one(disk, held, name, mine, out);
            }
            self.put_back(disk, bucket, held, keeping);
        } else {
            self.put_back_each(disk, bucket, held, keeping);
            if into_evicted().is_ok() {
                record(out, to, taking.to_vec(), parsed);
            } else {
                self.put_back(disk, bucket, held, taking);
            }
        }
        Aside::Partly
    }

    /// Sheds the markers of the bucket `bucket` up to `last` (the last one
    /// `more` took, after looking at the bucket first), when they are most of
    /// it: the bucket is set aside (to `held`) and listed there, the rest is
    /// put back marker by marker, and the part taken moves into `evicted/`
    /// (to `to`) by one rename. A marker another process added meanwhile that
    /// sorts before `last` goes with them, as with a bucket moved whole.
    /// `false` if the bucket could not be set aside.
    #[inline(never)] // Optimized by V8 after its first calls (see `parse_marker`).
    fn shed_most<D: Disk>(
        &self,
        disk: &D,
        bucket: &str,
        last: &str,
        held: &Path,
        to: &Arc<Path>,
        out: &mut Vec<Shed>,
    ) -> bool {
        let made = || drop(disk.create_dir(held.parent().expect("in aside/"), true));
        if rename_or_make(disk, &self.lru().join(bucket), held, made).is_err() {
            return false;
        }
        self.forget_bucket(bucket);
        let mut names = disk.list_names(held).unwrap_or_default();
        names.sort_unstable();
        let (taking, keeping) = names.split_at(names.partition_point(|n| n.as_str() <= last));
        self.put_back_each(disk, bucket, held, keeping);
        let made = || drop(disk.create_dir(&self.evicted(), true));
        if taking.is_empty() || rename_or_make(disk, held, to, made).is_err() {
            self.put_back(disk, bucket, held, taking);
        } else {
            out.extend(taking.iter().map(|n| (to.clone(), n.clone(), parse_marker(n))));
        }
        true
    }

    /// Moves the folder `held` (the bucket `bucket`, set aside, holding
    /// `names`) back into the order: by one rename if the bucket was not made
    /// again meanwhile, else marker by marker.
    fn put_back<D: Disk>(&self, disk: &D, bucket: &str, held: &Path, names: &[String]) {
        if disk.rename(held, &self.lru().join(bucket)).is_ok() {
            self.remember_bucket(bucket.to_string());
            return;
        }
        self.put_back_each(disk, bucket, held, names);
        if disk.remove_empty_dir(held).is_err() {
            // A marker that arrived after the listing (`fs_drain` says how).
            self.put_back_all(disk, held);
        }
    }

    /// Moves every marker in the folder `dir` back into the bucket of its last
    /// use (a name that is not a marker is deleted), then removes `dir`: what
    /// a crashed reduction left aside, and markers that arrived in a bucket
    /// after a reduction listed it.
    pub fn put_back_all<D: Disk>(&self, disk: &D, dir: &Path) {
        for name in disk.list_names(dir).unwrap_or_default() {
            match parse_marker(&name) {
                Some(m) => self.put_back_each(disk, &bucket_of(m.last_ms), dir, &[name]),
                None => drop(disk.remove_file(&dir.join(&name))),
            }
        }
        let _ = disk.remove_empty_dir(dir);
    }

    /// Moves the markers `names` of the folder `held` back into the bucket `bucket`.
    fn put_back_each<D: Disk>(&self, disk: &D, bucket: &str, held: &Path, names: &[String]) {
        let dir = self.lru().join(bucket);
        for name in names {
            let _ = rename_or_make(disk, &held.join(name), &dir.join(name), || {
                self.make_bucket_named(disk, bucket.to_string())
            });
        }
    }

    /// `aside/`: buckets a reduction holds for the moment it decides on them
    /// ([`Index::shed_aside`]), each process in a folder of its own.
    fn aside(&self) -> PathBuf {
        self.dir.join("aside")
    }

    /// Puts back into the order what processes that crashed (or stopped)
    /// while a bucket was aside left there: their folders in `aside/` left
    /// unchanged for `age_secs`, but `mine`. Each set-aside bucket is first
    /// claimed by a rename into `mine` (`unique` names it), so that a process
    /// that was only slow finds it gone and counts none of it shed.
    pub fn put_back_abandoned<D: Disk>(&self, disk: &D, mine: &str, unique: &str, age_secs: f64) {
        let Ok(groups) = disk.list_dir(&self.aside()) else { return };
        let mine_aside = self.aside().join(mine);
        for (group, _) in groups.into_iter().filter(|(g, _)| g != mine) {
            let dir = self.aside().join(&group);
            if disk.age_secs(&dir).is_none_or(|a| a < age_secs) {
                continue;
            }
            for (held, _) in disk.list_dir(&dir).unwrap_or_default() {
                let claimed = mine_aside.join(format!("{held}.{unique}"));
                let _ = disk.create_dir(&mine_aside, true);
                if disk.rename(&dir.join(&held), &claimed).is_ok() {
                    self.put_back_all(disk, &claimed);
                }
            }
            let _ = disk.remove_empty_dir(&dir);
        }
        let _ = disk.remove_empty_dir(&mine_aside);
    }

    /// Whether the marker of `m` was shed (it is in `evicted/`): a listing of
    /// `evicted/` and a `stat` per folder there, for the rare reader that
    /// finds an entry's marker gone from its place.
    pub fn was_shed<D: Disk>(&self, disk: &D, m: &Meta, folder: &str) -> bool {
        let name = marker_name(m, folder);
        self.any_group(disk, |group| disk.age_secs(&group.join(&name)).is_some())
    }

    /// Whether `look` says `true` of a folder of `evicted/`, looked at in turn.
    /// A drain may claim (rename) a folder meanwhile (`fs_drain`): then
    /// `evicted/` is listed again, and the folder is looked at under its new name.
    fn any_group<D: Disk>(&self, disk: &D, mut look: impl FnMut(&Path) -> bool) -> bool {
        let mut seen = std::collections::HashSet::new();
        loop {
            let mut claimed = false;
            for (group, _) in disk.list_dir(&self.evicted()).unwrap_or_default() {
                let dir = self.evicted().join(&group);
                if !seen.insert(group) {
                    continue;
                }
                if look(&dir) {
                    return true;
                }
                claimed |= disk.age_secs(&dir).is_none();
            }
            if !claimed {
                return false;
            }
        }
    }

    /// Whether the marker of `m` is in its place.
    pub fn has<D: Disk>(&self, disk: &D, m: &Meta, folder: &str) -> bool {
        disk.age_secs(&self.marker_path(m, folder)).is_some()
            || disk.age_secs(&self.legacy_marker_path(m, folder)).is_some()
    }

    /// The shed markers whose entries' folders are still to be deleted, with
    /// the folder of `evicted/` each is in.
    pub fn shed_markers<D: Disk>(&self, disk: &D) -> Vec<Shed> {
        let mut out = Vec::new();
        self.any_group(disk, |group| {
            out.extend(self.markers_in(disk, group.into()));
            false
        });
        out
    }

    /// The shed markers in the folder `group` of `evicted/`.
    pub fn markers_in<D: Disk>(&self, disk: &D, group: Arc<Path>) -> Vec<Shed> {
        let names = disk.list_names(&group).unwrap_or_default();
        names
            .into_iter()
            .map(|name| {
                let m = parse_marker(&name);
                (group.clone(), name, m)
            })
            .collect()
    }

    /// Every marker, bucket by bucket (a listing of the index's folders).
    pub fn all<D: Disk>(&self, disk: &D) -> Vec<Marker> {
        let buckets = disk.list_dir(&self.lru()).unwrap_or_default();
        let mut out = Vec::new();
        for (bucket, _) in buckets.into_iter().filter(|(_, dir)| *dir) {
            let names = disk.list_names(&self.lru().join(&bucket)).unwrap_or_default();
            out.extend(names.iter().filter_map(|n| parse_marker(n)));
        }
        out
    }

    /// The oldest bucket after `after` (the last one a caller went through:
    /// buckets are gone through in order), with its markers sorted: the first
    /// of this process's list of buckets that has markers (those found empty
    /// are removed, from the disk and the list). Found by a binary search, so
    /// a reduction through 50,000 one-entry buckets does not scan those it
    /// went through at each step. `lru/` is listed again only when the list
    /// runs out, so a bucket that another process made *older* than those
    /// listed (its clock behind, a rebuild) is seen that much later.
    fn load_front<D: Disk>(&self, disk: &D, after: Option<&String>) -> Option<(String, Vec<String>)> {
        let mut after = after.cloned();
        loop {
            let bucket = self.next_bucket(disk, after.as_ref())?;
            let dir = self.lru().join(&bucket);
            let mut names = disk.list_names(&dir).unwrap_or_default();
            if names.is_empty() {
                let _ = disk.remove_empty_dir(&dir);
                self.forget_bucket(&bucket);
                after = Some(bucket);
                continue;
            }
            names.sort_unstable();
            return Some((bucket, names));
        }
    }

    /// The first bucket after `after` in this process's list of buckets,
    /// which is listed (`lru/`) when there is none yet or when it runs out.
    fn next_bucket<D: Disk>(&self, disk: &D, after: Option<&String>) -> Option<String> {
        let first_after =
            |queue: &VecDeque<String>| queue.get(after.map_or(0, |a| queue.partition_point(|b| b <= a))).cloned();
        let mut known = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(next) = known.as_ref().and_then(first_after) {
            return Some(next);
        }
        let mut all: Vec<String> =
            disk.list_dir(&self.lru()).ok()?.into_iter().filter(|(_, dir)| *dir).map(|(b, _)| b).collect();
        all.sort_unstable();
        let all = VecDeque::from(all);
        let next = first_after(&all);
        *known = Some(all);
        next
    }

    /// Rebuilds the index from a walk (`entries` calls it under the lock):
    /// markers for every entry (those already there are kept: another process
    /// may be adding its own right now), and totals anew. Unless `force`d, an
    /// index another process finished meanwhile is kept as it is.
    pub fn rebuild<D: Disk>(
        &self,
        disk: &D,
        force: bool,
        entries: impl FnOnce() -> io::Result<Vec<(Meta, String)>>,
    ) -> io::Result<Usage> {
        disk.create_dir(&self.lru(), true)?;
        let path = self.dir.join("totals");
        disk.locked(&self.dir.join("lock"), || {
            if !force {
                if let Some(u) = disk.read(&path).ok().and_then(|b| decode_totals(&b)) {
                    return Ok(u);
                }
            }
            let entries = entries()?;
            for (m, folder) in &entries {
                // A marker an earlier version wrote stands (no second one).
                if !self.has(disk, m, folder) {
                    self.add(disk, m, folder);
                }
            }
            let u = Usage { entries: entries.len() as u64, bytes: entries.iter().map(|(m, _)| m.bytes).sum() };
            let tmp = self.dir.join("totals.new");
            disk.write(&tmp, &encode_totals(u), false)?;
            disk.rename(&tmp, &path)?;
            Ok(u)
        })?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_sort_in_the_order_of_eviction_and_read_back() {
        let mut a = Meta::blank(Key([1; 32]));
        a.last_access_ms = 5_000.0;
        a.created_ms = 10.0;
        a.bytes = 42;
        let mut b = a.clone();
        b.last_access_ms = 40_000.0;
        let mut c = a.clone();
        c.key = Key([0; 32]);
        let names = [marker_name(&b, "f"), marker_name(&a, "f"), marker_name(&c, "f_x-y")];
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(sorted, [names[2].clone(), names[1].clone(), names[0].clone()]);
        let m = parse_marker(&names[2]).unwrap();
        assert_eq!((m.key, m.bytes, m.folder.as_str(), m.last_ms), (c.key, 42, "f_x-y", 5_000.0));
        assert_eq!(decode_totals(&encode_totals(Usage { entries: 3, bytes: 9 })), Some(Usage { entries: 3, bytes: 9 }));
        assert_eq!(decode_totals(&[0; 24]), None);
        for f in [0.0, 1.5, 1_780_000_000_123.456, -2.0, f64::MAX] {
            assert_eq!(unsortable(&sortable(f)), Some(f));
        }
        assert!(sortable(1.25) < sortable(1.5) && sortable(-1.0) < sortable(0.0));
    }

    #[test]
    fn names_that_are_not_whole_markers_are_not_read_as_markers() {
        let mut m = Meta::blank(Key([0xab; 32]));
        m.bytes = 7;
        let name = marker_name(&m, "f");
        assert!(parse_marker(&name).is_some());
        let plus = format!("+{}", &name[1..]);
        let short = name[..98].to_string();
        let no_folder = name[..name.len() - 2].to_string();
        let upper_sign = name.replacen('-', "+", 1);
        let multibyte = format!("é{}", &name[2..]);
        for bad in [plus, short, no_folder, upper_sign, multibyte, String::new(), "-".repeat(120)] {
            assert!(parse_marker(&bad).is_none(), "{bad}");
        }
        assert_eq!(Key::from_hex(&format!("+{}", "0".repeat(63))), None);
        assert_eq!(Key::from_hex(&"AB".repeat(32)), Some(Key([0xab; 32])));
    }
}
