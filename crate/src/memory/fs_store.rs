//! The filesystem store: entries that outlive the process, shared by processes.
//!
//! The layout is specified in `docs/cache-layout.md`. In short: one folder per
//! entry, `<root>/<name>/<kk>/<key>/` (`kk` the key's first two hex digits, so a
//! million entries never crowd one folder), holding `value`, `meta.json` (the
//! metadata, the value's length and sha256) and `sidecar.json` (readable inputs).
//!
//! Nothing is ever written in place where a reader could see it half done. An
//! entry is assembled in `<root>/<name>/.tmp/<unique>/`, every file synced, then
//! renamed into place in one step; a replaced entry is first renamed into
//! `.trash/` and deleted from there. Metadata updates (hits, last use) replace
//! `meta.json` by rename too. So a reader sees a whole entry or none; two writers
//! of one key leave one whole entry; a value whose length or sha256 disagrees
//! with its metadata (a torn disk, a hand edit) is reported, removed, and read as
//! a miss, so the caller recomputes it. Temporary names carry the host, the
//! process, the time and a counter: unique across machines sharing a folder.

use super::entry::{Entry, Meta};
use super::store::Store;
use crate::error::{Error, ErrorKind, Result};
use crate::fingerprint::{hex, sha256, Key};
use serde_json::{json, Value as Json};
use std::fs;
use std::future::{ready, Future};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

/// Leftovers of crashed writers older than this are deleted when a store opens.
const LEFTOVER_AGE: std::time::Duration = std::time::Duration::from_secs(24 * 3600);

/// The version of the on-disk layout; recorded in `<root>/layout.json`.
pub const LAYOUT_VERSION: u64 = 1;

/// Entries in a folder; values are bytes.
pub struct FsStore {
    root: PathBuf,
    incidents: Mutex<Vec<String>>,
}

fn io_err(what: &str, path: &Path, e: io::Error) -> Error {
    Error::new(ErrorKind::Store, format!("cannot {what} {}: {e}", path.display()))
}

/// A name for a temporary file or folder that no other writer, on any host, picks.
fn unique() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let host = HOST.get_or_init(|| fs::read_to_string("/etc/hostname").unwrap_or_default().trim().to_string());
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
    let seed = format!("{host}-{}-{now}-{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    hex(&sha256(seed.as_bytes())[..10])
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

fn write_synced(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut f = fs::File::create(path).map_err(|e| io_err("create", path, e))?;
    f.write_all(bytes).map_err(|e| io_err("write", path, e))?;
    f.sync_all().map_err(|e| io_err("sync", path, e))
}

/// A rename refused because the target folder exists and is not empty.
fn is_occupied(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::DirectoryNotEmpty || e.kind() == io::ErrorKind::AlreadyExists
}

fn sync_dir(path: &Path) {
    // Makes a rename durable; not every filesystem supports it, and nothing is lost
    // for correctness if it fails (the entry is whole or absent either way).
    if let Ok(d) = fs::File::open(path) {
        let _ = d.sync_all();
    }
}

impl FsStore {
    /// Opens (creating if needed) a cache folder.
    pub fn open(root: impl Into<PathBuf>) -> Result<FsStore> {
        let root = root.into();
        fs::create_dir_all(&root).map_err(|e| io_err("create", &root, e))?;
        let layout = root.join("layout.json");
        match fs::read_to_string(&layout) {
            Ok(text) => {
                let version = serde_json::from_str::<Json>(&text).ok().and_then(|j| j["layout"].as_u64());
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
                let tmp = root.join(format!(".layout.{}", unique()));
                write_synced(&tmp, json!({"layout": LAYOUT_VERSION, "by": "toolmemo"}).to_string().as_bytes())?;
                fs::rename(&tmp, &layout).map_err(|e| io_err("publish", &layout, e))?;
                let _ = fs::write(
                    root.join(".gitignore"),
                    "# A toolmemo cache: nothing here belongs in version control.\n*\n",
                );
                let _ = fs::write(
                    root.join("CACHEDIR.TAG"),
                    "Signature: 8a477f597d28d172789f06886806bc55\n# This is a toolmemo cache directory.\n",
                );
            }
            Err(e) => return Err(io_err("read", &layout, e)),
        }
        let store = FsStore { root, incidents: Mutex::new(Vec::new()) };
        store.sweep(LEFTOVER_AGE);
        Ok(store)
    }

    /// Deletes what crashed writers left in `.tmp/` and `.trash/`, once older than
    /// `age` (no live writer takes that long, so none is disturbed).
    fn sweep(&self, age: std::time::Duration) {
        let Ok(names) = fs::read_dir(&self.root) else { return };
        for name in names.flatten() {
            for kind in [".tmp", ".trash"] {
                for left in fs::read_dir(name.path().join(kind)).into_iter().flatten().flatten() {
                    let old = left
                        .metadata()
                        .and_then(|m| m.modified())
                        .ok()
                        .and_then(|t| t.elapsed().ok())
                        .is_some_and(|e| e > age);
                    if old {
                        let _ = fs::remove_dir_all(left.path());
                    }
                }
            }
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The folder of an entry.
    pub fn entry_dir(&self, name: &str, key: &Key) -> PathBuf {
        let k = key.hex();
        self.root.join(folder_name(name)).join(&k[..2]).join(k)
    }

    /// Damaged entries found (and removed) so far, each described; drained.
    pub fn take_incidents(&self) -> Vec<String> {
        std::mem::take(&mut self.incidents.lock().unwrap_or_else(|p| p.into_inner()))
    }

    fn report(&self, what: String) {
        self.incidents.lock().unwrap_or_else(|p| p.into_inner()).push(what);
    }

    fn scratch(&self, name: &str, kind: &str) -> Result<PathBuf> {
        let dir = self.root.join(folder_name(name)).join(kind);
        fs::create_dir_all(&dir).map_err(|e| io_err("create", &dir, e))?;
        Ok(dir.join(unique()))
    }

    /// Moves an entry folder out of sight, then deletes it; whether it was there.
    fn discard(&self, name: &str, dir: &Path) -> Result<bool> {
        let trash = self.scratch(name, ".trash")?;
        match fs::rename(dir, &trash) {
            Ok(()) => {
                let _ = fs::remove_dir_all(&trash);
                Ok(true)
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io_err("remove", dir, e)),
        }
    }

    /// Reads an entry; `Ok(None)` when absent or damaged (then reported and removed).
    fn read(&self, name: &str, key: &Key, with_value: bool) -> Result<Option<(Meta, Option<Vec<u8>>)>> {
        let dir = self.entry_dir(name, key);
        let meta_path = dir.join("meta.json");
        let text = match fs::read(&meta_path) {
            Ok(t) => t,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io_err("read", &meta_path, e)),
        };
        let envelope: Option<(Meta, u64, String)> = serde_json::from_slice::<Json>(&text).ok().and_then(|j| {
            let meta = Meta::from_json(&j["meta"])?;
            Some((meta, j["value"]["bytes"].as_u64()?, j["value"]["sha256"].as_str()?.to_string()))
        });
        let Some((meta, len, digest)) = envelope.filter(|(m, _, _)| m.key == *key) else {
            return self.damaged(name, &dir, "its metadata does not parse");
        };
        if !with_value {
            return Ok(Some((meta, None)));
        }
        let value_path = dir.join("value");
        let value = match fs::read(&value_path) {
            Ok(v) => v,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return self.damaged(name, &dir, "its value is missing"),
            Err(e) => return Err(io_err("read", &value_path, e)),
        };
        if value.len() as u64 != len || hex(&sha256(&value)) != digest {
            return self.damaged(name, &dir, "its value does not match its recorded length and sha256");
        }
        Ok(Some((meta, Some(value))))
    }

    fn damaged<T>(&self, name: &str, dir: &Path, why: &str) -> Result<Option<T>> {
        self.report(format!("removed damaged entry {}: {why}", dir.display()));
        self.discard(name, dir)?;
        Ok(None)
    }

    fn meta_json(meta: &Meta, value_len: u64, value_sha: &str) -> Vec<u8> {
        let envelope = json!({
            "layout": LAYOUT_VERSION,
            "meta": meta.to_json(),
            "value": {"bytes": value_len, "sha256": value_sha},
        });
        serde_json::to_vec_pretty(&envelope).expect("JSON")
    }

    fn write_entry(&self, entry: &Entry<Vec<u8>>) -> Result<()> {
        let meta = &entry.meta;
        let tmp = self.scratch(&meta.name, ".tmp")?;
        fs::create_dir(&tmp).map_err(|e| io_err("create", &tmp, e))?;
        let assembled = (|| {
            write_synced(&tmp.join("value"), &entry.value)?;
            write_synced(&tmp.join("sidecar.json"), &serde_json::to_vec_pretty(&meta.sidecar).expect("JSON"))?;
            let digest = hex(&sha256(&entry.value));
            write_synced(&tmp.join("meta.json"), &Self::meta_json(meta, entry.value.len() as u64, &digest))?;
            sync_dir(&tmp);
            Ok(())
        })();
        if let Err(e) = assembled {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
        let dir = self.entry_dir(&meta.name, &meta.key);
        let parent = dir.parent().expect("entry folders have a parent");
        fs::create_dir_all(parent).map_err(|e| io_err("create", parent, e))?;
        // Publish. An entry already there (a value being replaced, or another
        // writer of the same key) is moved aside and the rename tried again.
        // Under heavy contention another writer's whole entry may keep winning:
        // that is a valid outcome, and ours is dropped.
        const ATTEMPTS: usize = 16;
        for _ in 0..ATTEMPTS {
            match fs::rename(&tmp, &dir) {
                Ok(()) => {
                    sync_dir(parent);
                    return Ok(());
                }
                Err(e) if is_occupied(&e) => {
                    self.discard(&meta.name, &dir)?;
                }
                Err(e) => {
                    let _ = fs::remove_dir_all(&tmp);
                    return Err(io_err("publish", &dir, e));
                }
            }
        }
        let _ = fs::remove_dir_all(&tmp);
        Ok(())
    }

    fn write_meta(&self, meta: &Meta) -> Result<()> {
        let dir = self.entry_dir(&meta.name, &meta.key);
        let meta_path = dir.join("meta.json");
        // The value's record is kept as it is: only the metadata changes.
        let current = match fs::read(&meta_path) {
            Ok(t) => serde_json::from_slice::<Json>(&t).ok(),
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_err("read", &meta_path, e)),
        };
        let Some(value) = current.as_ref().map(|j| j["value"].clone()).filter(|v| v.is_object()) else {
            return Ok(());
        };
        let tmp = dir.join(format!(".meta.{}", unique()));
        let bytes = Self::meta_json(meta, value["bytes"].as_u64().unwrap_or(0), value["sha256"].as_str().unwrap_or(""));
        // Hits are frequent and losing one only ages an entry early: no fsync here.
        match fs::write(&tmp, bytes) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(io_err("write", &tmp, e)),
        }
        match fs::rename(&tmp, &meta_path) {
            Ok(()) => Ok(()),
            Err(e) => {
                let _ = fs::remove_file(&tmp);
                if e.kind() == io::ErrorKind::NotFound {
                    Ok(())
                } else {
                    Err(io_err("update", &meta_path, e))
                }
            }
        }
    }

    fn walk(&self) -> Result<Vec<Meta>> {
        let mut out = Vec::new();
        let names = match fs::read_dir(&self.root) {
            Ok(d) => d,
            Err(e) => return Err(io_err("list", &self.root, e)),
        };
        for name_dir in names.flatten().filter(|e| e.file_type().is_ok_and(|t| t.is_dir())) {
            let name_path = name_dir.path();
            for fan in fs::read_dir(&name_path).into_iter().flatten().flatten() {
                if fan.file_name().to_string_lossy().starts_with('.') {
                    continue;
                }
                for entry in fs::read_dir(fan.path()).into_iter().flatten().flatten() {
                    let meta_path = entry.path().join("meta.json");
                    let Ok(text) = fs::read(&meta_path) else { continue };
                    match serde_json::from_slice::<Json>(&text).ok().and_then(|j| Meta::from_json(&j["meta"])) {
                        Some(m) => out.push(m),
                        None => {
                            self.report(format!(
                                "removed damaged entry {}: its metadata does not parse",
                                entry.path().display()
                            ));
                            let _ = self.discard(&name_dir.file_name().to_string_lossy(), &entry.path());
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

impl Store<Vec<u8>> for FsStore {
    fn get(&self, name: &str, key: &Key) -> impl Future<Output = Result<Option<Entry<Vec<u8>>>>> {
        ready(
            self.read(name, key, true).map(|o| o.map(|(meta, value)| Entry { meta, value: value.unwrap_or_default() })),
        )
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
}
