//! The filesystem store: entries that outlive the process, shared by processes.
//!
//! The layout is specified in `docs/cache-layout.md`. In short: one folder per
//! entry, `<root>/<name>/<kk>/<key>/` (`kk` the key's first two hex digits, so a
//! million entries never crowd one folder), holding `value`, `meta.json` (the
//! metadata with the readable inputs, the value's length and sha256) and,
//! once hit, `access` (last use, hits and run, checksummed).
//!
//! An entry is assembled in `<root>/<name>/.tmp/<unique>/` (files synced when
//! durable), then renamed into place in one step; a replaced entry is first
//! renamed into `.trash/` and deleted from there. Only the small `access`
//! record is rewritten in place, and a reader that meets it torn fails its
//! checksum and uses `meta.json`'s values. So a reader sees a whole entry or
//! none; two writers of one key leave one whole entry; a value whose length or
//! sha256 disagrees with its metadata (a torn disk, a hand edit) is reported,
//! removed, and read as a miss, so the caller recomputes it. Temporary names carry the host, the
//! process, the time and a counter: unique across machines sharing a folder.

use super::disk::Disk;
#[cfg(not(target_arch = "wasm32"))]
use super::disk::StdDisk;
use super::entry::{Entry, Meta};
use super::fs_drain;
use super::fs_index::{Index, Marker, Shed};
use super::store::{Flight, Row, Store, Usage};
use crate::error::{Error, ErrorKind, Result};
use crate::fingerprint::{hex, sha256, Key};
use serde_json::{json, Value as Json};
use std::future::{ready, Future};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Leftovers of crashed writers older than this are deleted when a store opens.
const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// Buckets a reduction set aside and did not finish with (it crashed) are put
/// back into the order after this long: a reduction holds one for
/// milliseconds.
const ABANDONED_AGE: std::time::Duration = std::time::Duration::from_secs(3600);

/// The version of the on-disk layout; recorded in `<root>/layout.json`.
pub const LAYOUT_VERSION: u64 = 1;

/// Entries in a folder; values are bytes.
pub struct FsStore<D: Disk> {
    disk: D,
    root: PathBuf,
    incidents: Mutex<Vec<String>>,
    /// zlib level (1–9) for new values; `None` stores them as they are.
    compression: Option<u8>,
    /// Sync files before publishing them (see [`FsStore::durable`]).
    durable: bool,
    /// Totals and the order of last use, without a walk (`fs_index`).
    index: Index,
    /// This process's folder in `.index/evicted/` for markers shed one by one.
    mine: String,
}

fn io_err(what: &str, path: &Path, e: io::Error) -> Error {
    Error::new(ErrorKind::Store, format!("cannot {what} {}: {e}", path.display()))
}

/// A name as a folder name: letters, digits, `.`, `_` and `-` kept, anything else
/// `_`; never hidden, never empty. (The real name is in each entry's metadata.)
fn folder_name(name: &str) -> String {
    let mut s: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || "._-".contains(c) { c } else { '_' }).collect();
    if s.is_empty() || s.starts_with('.') {
        s.insert(0, '_');
    }
    s
}

/// A name for a temporary file or folder that no other writer, on any host, picks.
pub(super) fn unique_name<D: Disk>(disk: &D) -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let seed = format!("{}-{}", disk.writer_seed(), COUNTER.fetch_add(1, Ordering::Relaxed));
    hex(&sha256(seed.as_bytes())[..10])
}

/// The folder of the entry `key` among the entries in `<root>/<folder>/`.
pub(super) fn entry_path(root: &Path, folder: &str, key: &Key) -> PathBuf {
    let k = key.hex();
    root.join(folder).join(&k[..2]).join(k)
}

/// The metadata an entry folder's `meta.json` records, if it reads whole
/// (without its access record).
pub(super) fn stored_meta<D: Disk>(disk: &D, dir: &Path) -> Option<Meta> {
    let text = disk.read(&dir.join("meta.json")).ok()?;
    serde_json::from_slice::<Json>(&text).ok().and_then(|j| Meta::from_json(&j["meta"]))
}

/// A marker as the metadata it records (the name is its folder's). Not
/// inlined into the loop over a reduction's markers, for V8 (`fs_index`'s
/// `parse_marker` says why).
#[inline(never)]
fn marker_meta(m: &Marker) -> Meta {
    let mut meta = Meta::blank(m.key);
    meta.name = m.folder.clone();
    meta.last_access_ms = m.last_ms;
    meta.created_ms = m.created_ms;
    meta.bytes = m.bytes;
    meta
}

/// A rename refused because the target folder exists and is not empty.
fn is_occupied(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::DirectoryNotEmpty || e.kind() == io::ErrorKind::AlreadyExists
}

#[cfg(not(target_arch = "wasm32"))]
impl FsStore<StdDisk> {
    /// Opens (creating if needed) a cache folder on this machine.
    pub fn open(root: impl Into<PathBuf>) -> Result<FsStore<StdDisk>> {
        FsStore::open_on(StdDisk, root)
    }
}

impl<D: Disk> FsStore<D> {
    /// A name for a temporary file or folder that no other writer, on any host, picks.
    fn unique(&self) -> String {
        unique_name(&self.disk)
    }

    /// Makes renames in `dir` durable, when this store writes durably.
    fn sync_dir(&self, dir: &Path) {
        if self.durable {
            self.disk.sync_dir(dir);
        }
    }

    /// Writes a file (synced if durable); the error names the file and keeps its kind.
    fn write_synced(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        self.disk
            .write(path, bytes, self.durable)
            .map_err(|e| io::Error::new(e.kind(), format!("cannot write {}: {e}", path.display())))
    }

    /// Opens (creating if needed) a cache folder on `disk`.
    pub fn open_on(disk: D, root: impl Into<PathBuf>) -> Result<FsStore<D>> {
        let root = root.into();
        let index = Index::new(&root);
        let mine = format!("p{}", unique_name(&disk));
        let incidents = Mutex::new(Vec::new());
        let this = FsStore { disk, root, incidents, compression: None, durable: true, index, mine };
        this.init()?;
        this.sweep(LEFTOVER_AGE);
        // The index, built now if the folder has none (a new cache, or one
        // written before the index): not in the middle of other processes'
        // first writes. A folder this process may not write (a read-only
        // location) is only read, and needs none.
        if this.index.usage(&this.disk).is_none() {
            let _ = this.rebuild(false);
        }
        Ok(this)
    }

    fn init(&self) -> Result<()> {
        let (disk, root) = (&self.disk, &self.root);
        disk.create_dir(root, true).map_err(|e| io_err("create", root, e))?;
        let layout = root.join("layout.json");
        match disk.read(&layout) {
            Ok(text) => {
                let version = serde_json::from_slice::<Json>(&text).ok().and_then(|j| j["layout"].as_u64());
                if version != Some(LAYOUT_VERSION) {
                    return Err(Error::new(
                        ErrorKind::Store,
                        format!(
                            "{} has cache layout {version:?}; this toolmemo reads layout {LAYOUT_VERSION}",
                            root.display()
                        ),
                    ));
                }
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let tmp = root.join(format!(".layout.{}", self.unique()));
                self.write_synced(&tmp, json!({"layout": LAYOUT_VERSION, "by": "toolmemo"}).to_string().as_bytes())
                    .map_err(|e| Error::new(ErrorKind::Store, e.to_string()))?;
                disk.rename(&tmp, &layout).map_err(|e| io_err("publish", &layout, e))?;
                let gitignore = "# A toolmemo cache: nothing here belongs in version control.\n*\n";
                let _ = disk.write(&root.join(".gitignore"), gitignore.as_bytes(), false);
                let tag = "Signature: 8a477f597d28d172789f06886806bc55\n# This is a toolmemo cache directory.\n";
                let _ = disk.write(&root.join("CACHEDIR.TAG"), tag.as_bytes(), false);
            }
            Err(e) => return Err(io_err("read", &layout, e)),
        }
        Ok(())
    }

    /// Deletes what crashed writers left in `.tmp/` once older than `age` (no
    /// live writer takes that long, so none is disturbed), and whatever is in
    /// `.trash/` (unreachable by definition; deleting it twice is harmless).
    fn sweep(&self, age: std::time::Duration) {
        for (kind, min_age) in [(".tmp", age.as_secs_f64()), (".trash", 0.0)] {
            for path in self.leftovers(kind) {
                if self.disk.age_secs(&path).is_some_and(|a| a >= min_age) {
                    self.disk.remove_dir_all_later(&path);
                }
            }
        }
        if self.disk.list_dir(&self.index.evicted()).is_ok_and(|groups| !groups.is_empty()) {
            self.drain_later(None);
        }
        self.index.put_back_abandoned(&self.disk, &self.mine, &self.unique(), ABANDONED_AGE.as_secs_f64());
    }

    /// Deletes the folders of shed entries (`shed`, or all there are) off the
    /// caller's path, as the disk's background work (`fs_drain`).
    fn drain_later(&self, shed: Option<Vec<Shed>>) {
        let (root, keep) = (self.root.clone(), self.mine.clone());
        let job = Box::new(move |disk: &D| fs_drain::drain(disk, root, shed, keep));
        if let Some(job) = self.disk.in_background(job) {
            job(&self.disk);
        }
    }

    /// Deletes now, not later, what removals left to delete (the folders of
    /// shed entries, the trash): for a write that found the disk full, right
    /// after a reduction whose space the background has not freed yet.
    /// Whether there was anything to delete.
    fn free_space_now(&self) -> bool {
        let drained = fs_drain::drain_now(&self.disk, &self.root);
        let trash = self.leftovers(".trash");
        for path in &trash {
            let _ = self.disk.remove_dir_all(path);
        }
        drained || !trash.is_empty()
    }

    /// What is in the scratch folder `kind` (`.tmp`, `.trash`) of every name.
    fn leftovers(&self, kind: &str) -> Vec<PathBuf> {
        let names = self.disk.list_dir(&self.root).unwrap_or_default();
        let folders = names.into_iter().filter(|(_, dir)| *dir).map(|(name, _)| self.root.join(name).join(kind));
        folders
            .flat_map(|f| self.disk.list_dir(&f).unwrap_or_default().into_iter().map(move |(x, _)| f.join(x)))
            .collect()
    }

    /// Removes the least recently used entries in bulk while `more` takes
    /// them: their markers leave the order at once (whole buckets by one
    /// rename), the totals count them gone, readers miss them from then on,
    /// and their folders are deleted later.
    fn shed_now(&self, surely: Usage, mut more: impl FnMut(&Meta) -> bool) -> Result<Vec<Meta>> {
        if !self.index.has_totals(&self.disk) {
            self.rebuild(false)?;
        }
        // One Meta, refilled for each marker offered (50,000 in a reduction to half).
        let mut offered = Meta::blank(Key([0; 32]));
        let shed = self.index.shed(&self.disk, &self.unique(), &self.mine, surely, |m| {
            offered.key = m.key;
            offered.last_access_ms = m.last_ms;
            offered.created_ms = m.created_ms;
            offered.bytes = m.bytes;
            if offered.name != m.folder {
                offered.name.clone_from(&m.folder);
            }
            more(&offered)
        });
        let mut gone: Vec<Meta> = Vec::with_capacity(shed.len());
        gone.extend(shed.iter().filter_map(|(_, _, m)| m.as_ref()).map(marker_meta));
        if !shed.is_empty() {
            let bytes: u64 = gone.iter().map(|m| m.bytes).sum();
            self.adjust(-(gone.len() as i64), -(bytes as i64));
            self.drain_later(Some(shed));
        }
        Ok(gone)
    }

    /// Compresses values written from now on with zlib at `level` (1 fastest,
    /// 9 smallest; joblib's `compress=True` is 3). Any store reads both kinds.
    pub fn compress(mut self, level: u8) -> FsStore<D> {
        self.compression = Some(level.clamp(1, 9));
        self
    }

    /// With `false`, entries are published without syncing their files first:
    /// several times faster to write, still never torn for readers (the rename is
    /// atomic), but a power cut may lose recent entries. joblib never syncs.
    pub fn durable(mut self, yes: bool) -> FsStore<D> {
        self.durable = yes;
        self
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of an entry.
    pub fn entry_dir(&self, name: &str, key: &Key) -> PathBuf {
        entry_path(&self.root, &folder_name(name), key)
    }

    /// Damaged entries found (and removed) so far, each described; drained.
    pub fn take_incidents(&self) -> Vec<String> {
        std::mem::take(&mut self.incidents.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn report(&self, what: String) {
        self.incidents.lock().unwrap_or_else(|p| p.into_inner()).push(what);
    }

    /// A new name in the scratch folder `kind` of `name` (`.tmp`, `.trash`);
    /// the folder is created by [`FsStore::with_parent`] when first used.
    fn scratch(&self, name: &str, kind: &str) -> PathBuf {
        self.root.join(folder_name(name)).join(kind).join(self.unique())
    }

    /// Runs `op`, which makes something inside `path`'s parent; if the parent
    /// is missing, creates it and runs `op` again. Scratch and bucket folders
    /// exist for all but the first entries, so an insert does not pay a
    /// `mkdir` for each of them every time.
    fn with_parent<T>(&self, path: &Path, op: impl Fn() -> io::Result<T>) -> io::Result<T> {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let parent = path.parent().expect("store paths have a parent");
                self.disk.create_dir(parent, true)?;
                op()
            }
            done => done,
        }
    }

    /// Moves an entry folder out of sight, then deletes it; whether it was there.
    fn discard(&self, name: &str, dir: &Path) -> Result<bool> {
        let was = self.meta_at(dir);
        let trash = self.scratch(name, ".trash");
        match self.with_parent(&trash, || self.disk.rename(dir, &trash)) {
            Ok(()) => {
                self.disk.remove_dir_all_later(&trash);
                if let Some(m) = was {
                    self.unindex(&m, dir);
                }
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err("remove", dir, e)),
        }
    }

    /// An entry folder's metadata (with its last use), if it reads whole.
    fn meta_at(&self, dir: &Path) -> Option<Meta> {
        stored_meta(&self.disk, dir).map(|meta| self.with_access(dir, meta))
    }

    /// The name of the folder of entries of `name` (the one in their path).
    fn folder_of(dir: &Path) -> String {
        // <root>/<folder>/<kk>/<key>
        dir.parent()
            .and_then(Path::parent)
            .and_then(Path::file_name)
            .map_or_else(String::new, |f| f.to_string_lossy().into_owned())
    }

    /// The index hears that the entry `m`, in `dir`, is gone (now in `trash`).
    fn unindex(&self, m: &Meta, dir: &Path) {
        if self.index.remove(&self.disk, m, &Self::folder_of(dir)) {
            self.adjust(-1, -(m.bytes as i64));
        }
    }

    /// Adjusts the index's totals; rebuilds the index if it has none (then
    /// the walk has counted this change already).
    fn adjust(&self, entries: i64, bytes: i64) {
        if !matches!(self.index.adjust(&self.disk, entries, bytes), Ok(true)) {
            let _ = self.rebuild(false);
        }
    }

    /// Rebuilds the eviction index from a walk of the entries: for a cache
    /// whose index drifted (a crash between publishing an entry and counting
    /// it). A missing or damaged index is rebuilt without being asked.
    pub fn reindex(&self) -> Result<Usage> {
        self.rebuild(true)
    }

    fn rebuild(&self, force: bool) -> Result<Usage> {
        let walk = || {
            let all = self.walk().map_err(|e| io::Error::other(e.message))?;
            Ok(all
                .into_iter()
                .map(|m| {
                    let folder = folder_name(&m.name);
                    (m, folder)
                })
                .collect())
        };
        self.index.rebuild(&self.disk, force, walk).map_err(|e| io_err("rebuild the index of", &self.root, e))
    }

    /// The index's totals, rebuilt first if missing or damaged.
    fn usage_now(&self) -> Result<Usage> {
        match self.index.usage(&self.disk) {
            Some(u) => Ok(u),
            None => self.rebuild(false),
        }
    }

    /// The `n` least recently used entries, from the index.
    fn oldest_now(&self, n: usize) -> Result<Vec<Meta>> {
        // A missing index is rebuilt; damaged totals are `usage`'s to find
        // (it runs first in every eviction), so no lock is taken here.
        if !self.index.has_totals(&self.disk) {
            self.rebuild(false)?;
        }
        let mut out = Vec::with_capacity(n);
        for marker in self.index.oldest(&self.disk, n) {
            match self.meta_at(&entry_path(&self.root, &marker.folder, &marker.key)) {
                // The marker says the last use the entry has: it is in order.
                Some(m) if m.last_access_ms == marker.last_ms => out.push(m),
                // Used since by a writer that could not move the marker: move it.
                Some(m) => {
                    let mut was = m.clone();
                    was.last_access_ms = marker.last_ms;
                    self.index.used(&self.disk, &was, &m, &marker.folder);
                }
                // The entry is gone without its marker (a crash while removing
                // it, a hand deletion): the marker goes, and the totals count it gone.
                None => {
                    if self.index.remove_by_marker(&self.disk, &marker).is_ok() {
                        self.adjust(-1, -(marker.bytes as i64));
                    }
                }
            }
        }
        Ok(out)
    }

    /// Reads an entry; `Ok(None)` when absent or damaged (then reported and removed).
    fn read(&self, name: &str, key: &Key, with_value: bool) -> Result<Option<(Meta, Option<Vec<u8>>)>> {
        let dir = self.entry_dir(name, key);
        let meta_path = dir.join("meta.json");
        let text = match self.disk.read(&meta_path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("read", &meta_path, e)),
        };
        let envelope: Option<(Meta, u64, String, bool)> = serde_json::from_slice::<Json>(&text).ok().and_then(|j| {
            let meta = Meta::from_json(&j["meta"])?;
            let v = &j["value"];
            Some((meta, v["bytes"].as_u64()?, v["sha256"].as_str()?.to_string(), v["compression"] == "zlib"))
        });
        let Some((meta, len, digest, zlib)) = envelope.filter(|(m, ..)| m.key == *key) else {
            return self.damaged(name, &dir, "its metadata does not parse");
        };
        let meta = self.with_access(&dir, meta);
        if !with_value {
            return Ok(Some((meta, None)));
        }
        let value_path = dir.join("value");
        let value = match self.disk.read(&value_path) {
            Ok(v) => v,
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return self.damaged_unless_raced(name, &dir, &text, "its value is missing")
            }
            Err(e) => return Err(io_err("read", &value_path, e)),
        };
        // The sha256 is of the value as returned (inflated, if compressed), so
        // metadata that loses or gains the compression flag cannot pass the
        // stored bytes off as the value.
        let plain = if value.len() as u64 != len {
            None
        } else if zlib {
            miniz_oxide::inflate::decompress_to_vec_zlib(&value).ok()
        } else {
            Some(value)
        };
        match plain {
            Some(plain) if hex(&sha256(&plain)) == digest => Ok(Some((meta, Some(plain)))),
            _ => {
                self.damaged_unless_raced(name, &dir, &text, "its value does not match its recorded length and sha256")
            }
        }
    }

    /// A value that disagrees with the metadata read just before is damage only
    /// if that metadata is still there: otherwise another process removed or
    /// replaced the entry between the two reads, and this is a plain miss
    /// (the entry now in place, if any, must not be touched).
    fn damaged_unless_raced<T>(&self, name: &str, dir: &Path, meta_text: &[u8], why: &str) -> Result<Option<T>> {
        match self.disk.read(&dir.join("meta.json")) {
            Ok(now) if now == meta_text => self.damaged(name, dir, why),
            _ => Ok(None),
        }
    }

    fn damaged<T>(&self, name: &str, dir: &Path, why: &str) -> Result<Option<T>> {
        self.report(format!("removed damaged entry {}: {why}", dir.display()));
        self.discard(name, dir)?;
        Ok(None)
    }

    fn meta_json(meta: &Meta, value: &Json) -> Vec<u8> {
        #[derive(serde::Serialize)]
        struct Envelope<'a> {
            layout: u64,
            meta: &'a Meta,
            value: &'a Json,
        }
        serde_json::to_vec(&Envelope { layout: LAYOUT_VERSION, meta, value }).expect("JSON")
    }

    fn write_entry(&self, entry: &Entry<Vec<u8>>) -> Result<()> {
        let tmp = self.new_staged(&entry.meta.name)?;
        self.publish_staged(&tmp, entry).map(drop)
    }

    /// A new, empty folder in which to assemble an entry of `name` out of
    /// readers' sight (a tool run's working files, before
    /// [`FsStore::publish_staged`]). Nobody else ever uses the same folder.
    fn new_staged(&self, name: &str) -> Result<PathBuf> {
        let tmp = self.scratch(name, ".tmp");
        self.with_parent(&tmp, || self.disk.create_dir(&tmp, false)).map_err(|e| io_err("create", &tmp, e))?;
        Ok(tmp)
    }

    /// The folder of `key`'s entry, if it has one that was not shed (whose
    /// files the drain is about to delete).
    fn existing_folder(&self, name: &str, key: &Key) -> Option<PathBuf> {
        let dir = self.entry_dir(name, key);
        let meta = self.meta_at(&dir)?;
        let folder = folder_name(name);
        let shed = !self.index.has(&self.disk, &meta, &folder) && self.index.was_shed(&self.disk, &meta, &folder);
        (!shed).then_some(dir)
    }

    /// Writes `entry`'s files into the staged folder `tmp` (beside whatever the
    /// caller put there) and publishes the whole folder as the entry, in one
    /// rename; returns the entry's folder. If other writers of the same key
    /// keep winning the race, their whole entry stands and `tmp` is dropped.
    fn publish_staged(&self, tmp: &Path, entry: &Entry<Vec<u8>>) -> Result<PathBuf> {
        let meta = &entry.meta;
        let assemble = || -> io::Result<()> {
            let compressed =
                self.compression.map(|level| miniz_oxide::deflate::compress_to_vec_zlib(&entry.value, level));
            let stored = compressed.as_deref().unwrap_or(&entry.value);
            self.write_synced(&tmp.join("value"), stored)?;
            let mut record = json!({"bytes": stored.len(), "sha256": hex(&sha256(&entry.value))});
            if compressed.is_some() {
                record["compression"] = "zlib".into();
                record["size"] = entry.value.len().into();
            }
            self.write_synced(&tmp.join("meta.json"), &Self::meta_json(meta, &record))?;
            // No `access` record yet: until the first hit writes one, the
            // last use is `meta.json`'s (one file fewer per insert).
            self.sync_dir(tmp);
            Ok(())
        };
        let assembled = match assemble() {
            // A reduction's space is freed in the background: free it now.
            Err(e) if e.kind() == io::ErrorKind::StorageFull && self.free_space_now() => assemble(),
            done => done,
        };
        if let Err(e) = assembled {
            let _ = self.disk.remove_dir_all(tmp);
            return Err(Error::new(ErrorKind::Store, e.to_string()));
        }
        let dir = self.entry_dir(&meta.name, &meta.key);
        let parent = dir.parent().expect("entry folders have a parent");
        // Publish. An entry already there (a value being replaced, or another
        // writer of the same key) is swapped out in one step where the platform
        // can, so a crash never leaves the key without an entry; elsewhere it is
        // moved aside and the rename tried again. Under heavy contention another
        // writer's whole entry may keep winning: a valid outcome, ours is dropped.
        const ATTEMPTS: usize = 16;
        for _ in 0..ATTEMPTS {
            match self.with_parent(&dir, || self.disk.rename(tmp, &dir)) {
                Ok(()) => {
                    self.sync_dir(parent);
                    self.index.add(&self.disk, meta, &Self::folder_of(&dir));
                    self.adjust(1, meta.bytes as i64);
                    return Ok(dir);
                }
                Err(e) if is_occupied(&e) => {
                    if self.disk.exchange(tmp, &dir).is_ok() {
                        // `tmp` now holds the entry we replaced: into the trash
                        // (which any opening empties), then deleted.
                        self.sync_dir(parent);
                        let folder = Self::folder_of(&dir);
                        let replaced = self.meta_at(tmp);
                        let old = replaced.filter(|old| self.index.remove(&self.disk, old, &folder));
                        self.index.add(&self.disk, meta, &folder);
                        let (n, b) =
                            old.map_or((1, meta.bytes as i64), |old| (0, meta.bytes as i64 - old.bytes as i64));
                        self.adjust(n, b);
                        let trash = self.scratch(&meta.name, ".trash");
                        match self.with_parent(&trash, || self.disk.rename(tmp, &trash)) {
                            Ok(()) => self.disk.remove_dir_all_later(&trash),
                            Err(_) => drop(self.disk.remove_dir_all(tmp)),
                        }
                        return Ok(dir);
                    }
                    self.discard(&meta.name, &dir)?;
                }
                Err(e) => {
                    let _ = self.disk.remove_dir_all(tmp);
                    return Err(io_err("publish", &dir, e));
                }
            }
        }
        let _ = self.disk.remove_dir_all(tmp);
        Ok(dir)
    }

    /// A hit: the entry's `access` record is rewritten in place (a rename would
    /// cost a flush on ext4; an in-place write of one small record does not).
    fn write_meta(&self, meta: &Meta) -> Result<()> {
        let path = self.entry_dir(&meta.name, &meta.key).join("access");
        let was = self.disk.read(&path).ok().and_then(|b| access::decode(&b)).map(|(last, ..)| {
            let mut old = meta.clone();
            old.last_access_ms = last;
            old
        });
        self.record_use(was.as_ref(), meta).map(drop)
    }

    /// Moves `now`'s marker from where `was` (its metadata before this use,
    /// when known) put it, then rewrites its access record; whether the entry
    /// is still there for readers (not shed, not removed).
    fn record_use(&self, was: Option<&Meta>, now: &Meta) -> Result<bool> {
        if let Some(old) = was {
            if !self.index.used(&self.disk, old, now, &folder_name(&now.name)) {
                return Ok(false);
            }
        }
        let dir = self.entry_dir(&now.name, &now.key);
        let path = dir.join("access");
        let record = access::encode(now);
        match self.disk.overwrite(&path, &record) {
            Ok(()) => Ok(true),
            // The entry's first hit (an insert writes no record), or the
            // entry was removed meanwhile.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                if self.disk.age_secs(&dir.join("meta.json")).is_none() {
                    return Ok(false);
                }
                // A reader of a torn record fails its checksum and uses
                // `meta.json`'s values, as for a record being overwritten.
                let _ = self.disk.write(&path, &record, false);
                Ok(true)
            }
            Err(e) => Err(io_err("update", &path, e)),
        }
    }

    /// A hit: one read of the entry (its access record included), then its
    /// marker moved (which finds an entry shed meanwhile) and its access
    /// record rewritten, without reading again.
    fn hit_now(
        &self,
        name: &str,
        key: &Key,
        mut accept: impl FnMut(&Meta, &Vec<u8>) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> Result<bool> {
        let Some((was, value)) = self.read(name, key, true)? else { return Ok(false) };
        if !accept(&was, &value.unwrap_or_default()) {
            return Ok(false);
        }
        let mut now = was.clone();
        refresh(&mut now);
        self.record_use(Some(&was), &now)
    }

    /// Reads an entry as [`FsStore::read`] does, and misses one that was shed
    /// (its folder not deleted yet): one `stat` of its marker.
    fn read_live(&self, name: &str, key: &Key) -> Result<Option<Entry<Vec<u8>>>> {
        let Some((meta, value)) = self.read(name, key, true)? else { return Ok(None) };
        let folder = folder_name(name);
        if !self.index.has(&self.disk, &meta, &folder) {
            // Moved by another process's hit, or shed. A shed entry's marker
            // leaves `evicted/` only after its folder is gone, so the entry
            // read is live if its marker is not there and its folder is.
            let dir = self.entry_dir(name, key);
            if self.index.was_shed(&self.disk, &meta, &folder)
                || self.meta_at(&dir).is_none_or(|m| m.created_ms != meta.created_ms)
            {
                return Ok(None);
            }
        }
        Ok(Some(Entry { meta, value: value.unwrap_or_default() }))
    }

    /// Applies the entry's `access` record, when it reads whole, to `meta`.
    fn with_access(&self, dir: &Path, mut meta: Meta) -> Meta {
        if let Some(a) = self.disk.read(&dir.join("access")).ok().and_then(|b| access::decode(&b)) {
            meta.last_access_ms = a.0;
            meta.hits = a.1;
            meta.last_run = a.2;
        }
        meta
    }

    fn walk(&self) -> Result<Vec<Meta>> {
        let mut out = Vec::new();
        // Entries shed but not deleted yet are gone for readers: not listed.
        // (A key may have been shed more than once, each entry of it in turn.)
        let shed: std::collections::HashSet<(String, Key, u64)> = self
            .index
            .shed_markers(&self.disk)
            .into_iter()
            .filter_map(|(_, _, m)| m.map(|m| (m.folder, m.key, m.created_ms.to_bits())))
            .collect();
        let names = self.disk.list_dir(&self.root).map_err(|e| io_err("list", &self.root, e))?;
        for (name, _) in names.into_iter().filter(|(n, dir)| *dir && !n.starts_with('.')) {
            let name_path = self.root.join(&name);
            for (fan, _) in self
                .disk
                .list_dir(&name_path)
                .unwrap_or_default()
                .into_iter()
                .filter(|(f, dir)| *dir && !f.starts_with('.'))
            {
                for (entry, _) in self.disk.list_dir(&name_path.join(&fan)).unwrap_or_default() {
                    let entry_path = name_path.join(&fan).join(entry);
                    let Ok(text) = self.disk.read(&entry_path.join("meta.json")) else { continue };
                    match serde_json::from_slice::<Json>(&text).ok().and_then(|j| Meta::from_json(&j["meta"])) {
                        Some(m) if shed.contains(&(name.clone(), m.key, m.created_ms.to_bits())) => {}
                        Some(m) => out.push(self.with_access(&entry_path, m)),
                        None => {
                            self.report(format!(
                                "removed damaged entry {}: its metadata does not parse",
                                entry_path.display()
                            ));
                            let _ = self.discard(&name, &entry_path);
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// A store dropped finishes deleting what it shed (natively, its thread
/// would otherwise stop with the process): the totals are settled
/// (`fs_drain`) and the space freed before the program goes on or ends.
impl<D: Disk> Drop for FsStore<D> {
    fn drop(&mut self) {
        self.disk.wait_for_background();
    }
}

impl<D: Disk> Store<Vec<u8>> for FsStore<D> {
    fn get(&self, name: &str, key: &Key) -> impl Future<Output = Result<Option<Entry<Vec<u8>>>>> {
        ready(self.read_live(name, key))
    }

    fn put(&self, entry: Entry<Vec<u8>>) -> impl Future<Output = Result<()>> {
        ready(self.write_entry(&entry))
    }

    fn set_meta(&self, meta: &Meta) -> impl Future<Output = Result<()>> {
        ready(self.write_meta(meta))
    }

    fn remove(&self, name: &str, key: &Key) -> impl Future<Output = Result<bool>> {
        ready(self.discard(name, &self.entry_dir(name, key)))
    }

    fn list(&self) -> impl Future<Output = Result<Vec<Meta>>> {
        ready(self.walk())
    }

    fn usage(&self) -> impl Future<Output = Result<Usage>> {
        ready(self.usage_now())
    }

    fn oldest(&self, n: usize) -> impl Future<Output = Result<Vec<Meta>>> {
        ready(self.oldest_now(n))
    }

    fn shed(&self, surely: Usage, more: impl FnMut(&Meta) -> bool) -> impl Future<Output = Result<Vec<Meta>>> {
        ready(self.shed_now(surely, more))
    }

    fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnMut(&Meta, &Vec<u8>) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> impl Future<Output = Result<bool>> {
        ready(self.hit_now(name, key, accept, refresh))
    }

    fn claim(&self, _name: &str, _key: &Key) -> impl Future<Output = Result<Flight>> {
        // Writers of one key race to publish whole entries; the last one stands.
        ready(Ok(Flight::free()))
    }

    fn record_use(&self, _name: &str, _key: &Key, _at_ms: f64, _run: &str) -> impl Future<Output = Result<()>> {
        ready(Ok(()))
    }

    fn stage(&self, name: &str) -> impl Future<Output = Result<PathBuf>> {
        ready(self.new_staged(name))
    }

    fn publish(&self, staged: &Path, entry: Entry<Vec<u8>>) -> impl Future<Output = Result<()>> {
        ready(self.publish_staged(staged, &entry).map(drop))
    }

    fn folder(&self, name: &str, key: &Key) -> impl Future<Output = Result<Option<PathBuf>>> {
        ready(Ok(self.existing_folder(name, key)))
    }

    /// The index's markers: a listing of its folders, no entry read.
    fn rows(&self, name: Option<&str>) -> impl Future<Output = Result<Vec<Row>>> {
        ready((|| {
            if self.index.usage(&self.disk).is_none() {
                self.rebuild(false)?;
            }
            let place = name.map(folder_name);
            Ok(self
                .index
                .all(&self.disk)
                .into_iter()
                .filter(|m| place.as_ref().is_none_or(|p| *p == m.folder))
                .map(|m| Row {
                    key: m.key,
                    last_access_ms: m.last_ms,
                    created_ms: m.created_ms,
                    bytes: m.bytes,
                    place: m.folder,
                })
                .collect())
        })())
    }

    /// `<root>/<name>/.code`, rewritten whole (a torn record only costs a
    /// walk). A name without a folder has no entries: nothing to look for.
    fn swap_code(&self, name: &str, code: &str) -> impl Future<Output = Result<Option<String>>> {
        let dir = self.root.join(folder_name(name));
        let path = dir.join(".code");
        let recorded = self.disk.read(&path).ok().and_then(|b| String::from_utf8(b).ok());
        let was = match recorded.clone() {
            None if self.disk.age_secs(&dir).is_none() => Some(code.to_string()),
            other => other,
        };
        if recorded.as_deref() != Some(code) {
            let written = self.disk.write(&path, code.as_bytes(), false).or_else(|_| {
                self.disk.create_dir(&dir, true)?;
                self.disk.write(&path, code.as_bytes(), false)
            });
            if let Err(e) = written {
                return ready(Err(io_err("write", &path, e)));
            }
        }
        ready(Ok(was))
    }

    fn row_meta(&self, row: &Row) -> impl Future<Output = Result<Option<Meta>>> {
        ready(Ok(self.meta_at(&entry_path(&self.root, &row.place, &row.key))))
    }
}

/// The `access` record: an entry's mutable metadata (last use, hits, last run)
/// in a small fixed-size file rewritten in place on every hit. A torn record
/// (a reader racing a writer) fails its checksum and is ignored: `meta.json`'s
/// values stand in, which at worst makes an entry look older.
mod access {
    use super::super::entry::Meta;
    use crate::fingerprint::sha256;

    const MAGIC: &[u8; 4] = b"TMa1";
    const RUN_MAX: usize = 40;
    pub const LEN: usize = 4 + 8 + 8 + 1 + RUN_MAX + 8;

    pub fn encode(meta: &Meta) -> Vec<u8> {
        let mut out = Vec::with_capacity(LEN);
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&meta.last_access_ms.to_le_bytes());
        out.extend_from_slice(&meta.hits.to_le_bytes());
        let run = &meta.last_run.as_bytes()[..meta.last_run.len().min(RUN_MAX)];
        out.push(run.len() as u8);
        out.extend_from_slice(run);
        out.resize(LEN - 8, 0);
        let check = sha256(&out);
        out.extend_from_slice(&check[..8]);
        out
    }

    /// (last access, hits, last run), if the record is whole.
    pub fn decode(b: &[u8]) -> Option<(f64, u64, String)> {
        if b.len() != LEN || &b[..4] != MAGIC || sha256(&b[..LEN - 8])[..8] != b[LEN - 8..] {
            return None;
        }
        let last = f64::from_le_bytes(b[4..12].try_into().ok()?);
        let hits = u64::from_le_bytes(b[12..20].try_into().ok()?);
        let n = (b[20] as usize).min(RUN_MAX);
        Some((last, hits, String::from_utf8_lossy(&b[21..21 + n]).into_owned()))
    }
}
