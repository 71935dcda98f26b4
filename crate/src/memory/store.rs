//! The store contract, and the in-memory store.
//!
//! A store keeps entries (metadata + value) by the name of what produced them
//! (a function, an interface) and their key; the name lets a store group entries
//! as people look for them (`<location>/<name>/<kk>/<key>/` on disk). Every method may be
//! asynchronous (IndexedDB, Redis), so each returns a future; stores that answer
//! at once (memory, filesystem) return ready ones. Stores hold no policy: hits,
//! eviction and statistics are `Memory`'s. The contract, in full:
//!
//! - `get` returns the entry or `None`; a damaged entry (its bytes disagree with
//!   their recorded length or checksum) is `None` and may be removed; an entry the
//!   caller cannot decode is not damage, and the store never judges that;
//! - `put` publishes an entry whole or not at all, replacing any entry of that key;
//! - `set_meta` updates an existing entry's metadata (hits, last use), never its value;
//! - `remove` deletes one entry and says whether it was there;
//! - `list` returns every entry's metadata without reading values (a walk:
//!   for listings, never for eviction);
//! - `usage` gives the entries and bytes the store holds, and `oldest` the
//!   least recently used entries, from an index the store keeps current as it
//!   is written: eviction costs the same at 100,000 entries as at 100;
//! - `hit` offers the entry to `accept` (which takes what it needs of the
//!   value) and, if taken, applies `refresh` to its metadata: `get` then
//!   `set_meta`, in one step where the store can; it says whether it was taken;
//! - `claim` makes processes sharing the store compute a missing key once: it
//!   waits while another holds a live claim; a store private to a process
//!   grants it at once;
//! - `record_use` hears of a use served from a copy held elsewhere (a tier in
//!   front), so that a store evicting by last use sees it; stores that nothing
//!   reads around answer `Ok(())`;
//! - `stage`, `publish` and `folder` are the capability of stores whose entries
//!   are folders (the filesystem store): a tool run's files are assembled in a
//!   staged folder and published with the entry in one step. Stores without
//!   folders answer [`ErrorKind::Unsupported`] and `None`.
//!
//! No method has a default body: a wrapper (an `Rc`, read-only layers, tiers,
//! the JS store) must say what it does with each, so none is lost silently.
//! `tests/stores.rs` checks that every wrapper forwards every method.

use super::entry::{Entry, Meta};
use super::evict::lru_rank;
use crate::error::{Error, ErrorKind, Result};
use crate::fingerprint::{Key, KeyMap};
use std::collections::BTreeSet;
use std::future::{ready, Future};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The answer to claiming the computation of a missing key (single-flight).
pub enum Flight {
    /// Compute it: no other process will until this is dropped (which releases
    /// the claim, if the store keeps one).
    Held(Option<Box<dyn FnOnce()>>),
    /// Another process published it while we waited: look it up instead.
    Ready,
}

impl Flight {
    /// A claim that costs nothing to hold or release.
    pub fn free() -> Flight {
        Flight::Held(None)
    }

    /// A claim released by `release` when dropped.
    pub fn held(release: impl FnOnce() + 'static) -> Flight {
        Flight::Held(Some(Box::new(release)))
    }
}

impl Drop for Flight {
    fn drop(&mut self) {
        if let Flight::Held(Some(release)) = self {
            let release = std::mem::replace(release, Box::new(|| ()));
            release();
        }
    }
}

/// Where entries live. `V` is the value's representation (bytes natively, JS values in the browser).
pub trait Store<V> {
    fn get(&self, name: &str, key: &Key) -> impl Future<Output = Result<Option<Entry<V>>>>;
    fn put(&self, entry: Entry<V>) -> impl Future<Output = Result<()>>;
    fn set_meta(&self, meta: &Meta) -> impl Future<Output = Result<()>>;
    fn remove(&self, name: &str, key: &Key) -> impl Future<Output = Result<bool>>;
    fn list(&self) -> impl Future<Output = Result<Vec<Meta>>>;

    /// Entries and bytes in the store, from its running totals (no walk).
    fn usage(&self) -> impl Future<Output = Result<Usage>>;

    /// Up to `n` entries' metadata, least recently used first (ties to the
    /// older entry, then the key: the order of [`super::select_evictions`]).
    fn oldest(&self, n: usize) -> impl Future<Output = Result<Vec<Meta>>>;

    /// Removes entries in the order of [`Store::oldest`] for as long as `more`
    /// takes them, in bulk where the store can (the filesystem store moves
    /// whole buckets of its index out of sight at once and deletes their files
    /// later); the removed entries, as far as the store's index knows them.
    /// `Unsupported` where there is no bulk way (then [`super::Memory`]
    /// removes entries one by one). `surely` is what `more` will take at the
    /// least (entries, bytes): a store may take that much before asking.
    fn shed(&self, surely: Usage, more: impl FnMut(&Meta) -> bool) -> impl Future<Output = Result<Vec<Meta>>>;

    /// A hit: offers `key`'s entry to `accept` and, if it takes it, updates
    /// its metadata with `refresh` (hits, last use); whether it was taken.
    /// `accept` may be asked again of another copy of the entry (a tier whose
    /// local copy was refused offers the shared one).
    fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnMut(&Meta, &V) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> impl Future<Output = Result<bool>>;

    /// Claims the computation of the missing `key` among every process sharing
    /// this store; see [`Flight`].
    fn claim(&self, name: &str, key: &Key) -> impl Future<Output = Result<Flight>>;

    /// Records that `key` was used at `at_ms` in run `run` from a copy held
    /// elsewhere (one more hit, a later last use), if the entry is here.
    fn record_use(&self, name: &str, key: &Key, at_ms: f64, run: &str) -> impl Future<Output = Result<()>>;

    /// A new, empty folder in which to assemble the files of an entry of `name`,
    /// out of readers' sight; `Unsupported` where entries have no folders.
    fn stage(&self, name: &str) -> impl Future<Output = Result<PathBuf>>;

    /// Publishes `entry` with the files assembled in `staged`, in one step
    /// (`staged` is consumed either way).
    fn publish(&self, staged: &Path, entry: Entry<V>) -> impl Future<Output = Result<()>>;

    /// The folder holding the files of `key`'s entry, if this store has it.
    fn folder(&self, name: &str, key: &Key) -> impl Future<Output = Result<Option<PathBuf>>>;

    /// Every entry (of `name`, if given) as the store's index names it, without
    /// reading one: what a listing sorts and pages by, reading only the
    /// metadata of a page with [`Store::row_meta`]. `Unsupported` where there
    /// is no such index (a walk with [`Store::list`] is the answer there).
    fn rows(&self, name: Option<&str>) -> impl Future<Output = Result<Vec<Row>>>;

    /// The metadata of the entry a row names, if it is still there.
    fn row_meta(&self, row: &Row) -> impl Future<Output = Result<Option<Meta>>>;

    /// Records `code` as the current code of the function `name` and answers
    /// the code recorded before (`None`: none yet), so that a function whose
    /// code did not change finds its stale entries without a walk (a store
    /// that knows it holds no entry of `name` may answer `code` itself);
    /// `Unsupported` where the store keeps no such record (then the walk).
    fn swap_code(&self, name: &str, code: &str) -> impl Future<Output = Result<Option<String>>>;
}

/// An entry as a store's index names it (see [`Store::rows`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub key: Key,
    pub last_access_ms: f64,
    pub created_ms: f64,
    pub bytes: u64,
    /// Where the store keeps it (for the filesystem, the folder of its name).
    pub place: String,
}

/// The answer of a store without an index of its entries to [`Store::rows`].
pub fn no_rows<T>() -> Result<T> {
    Err(Error::new(ErrorKind::Unsupported, "this store keeps no index of its entries to list from: list them"))
}

/// The answer of a store without a record of each function's code to [`Store::swap_code`].
pub fn no_code<T>() -> Result<T> {
    Err(Error::new(ErrorKind::Unsupported, "this store keeps no record of a function's code"))
}

/// The answer of a store without a bulk removal to [`Store::shed`].
pub fn no_shed<T>() -> Result<T> {
    Err(Error::new(ErrorKind::Unsupported, "this store removes entries one at a time"))
}

/// What a store holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub entries: u64,
    pub bytes: u64,
}

impl Usage {
    /// `self` less what `m` held.
    pub fn without(self, m: &Meta) -> Usage {
        Usage { entries: self.entries.saturating_sub(1), bytes: self.bytes.saturating_sub(m.bytes) }
    }
}

/// The answer of a store without folders to [`Store::stage`] and [`Store::publish`].
pub fn no_folders<T>(what: &str) -> Result<T> {
    Err(Error::new(
        ErrorKind::Unsupported,
        format!(
            "{what}: this store keeps values only; a tool run's files need a store with folders (the filesystem store)"
        ),
    ))
}

/// Entries in this process's memory (the default store): gone when it exits.
/// The order of last use and the totals are kept beside the entries.
pub struct MemoryStore<V> {
    inner: Mutex<Held<V>>,
}

struct Held<V> {
    entries: KeyMap<Entry<V>>,
    order: BTreeSet<Rank>,
    bytes: u64,
}

type Rank = (i64, i64, Key);

impl<V> Held<V> {
    fn insert(&mut self, entry: Entry<V>) {
        self.remove(&entry.meta.key);
        self.order.insert(lru_rank(&entry.meta));
        self.bytes += entry.meta.bytes;
        self.entries.insert(entry.meta.key, entry);
    }

    fn remove(&mut self, key: &Key) -> Option<Entry<V>> {
        let old = self.entries.remove(key)?;
        self.order.remove(&lru_rank(&old.meta));
        self.bytes -= old.meta.bytes;
        Some(old)
    }

    /// Changes `key`'s metadata with `f`, keeping the order and totals.
    fn update(&mut self, key: &Key, f: impl FnOnce(&mut Meta)) {
        if let Some(e) = self.entries.get_mut(key) {
            let (rank, bytes) = (lru_rank(&e.meta), e.meta.bytes);
            f(&mut e.meta);
            let moved = lru_rank(&e.meta);
            if moved != rank {
                self.order.remove(&rank);
                self.order.insert(moved);
            }
            self.bytes = self.bytes - bytes + e.meta.bytes;
        }
    }
}

impl<V> Default for MemoryStore<V> {
    fn default() -> Self {
        MemoryStore { inner: Mutex::new(Held { entries: KeyMap::default(), order: BTreeSet::new(), bytes: 0 }) }
    }
}

impl<V> MemoryStore<V> {
    fn with<T>(&self, f: impl FnOnce(&mut Held<V>) -> T) -> T {
        // A panic while holding the lock leaves the map consistent: use it anyway.
        let mut guard = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

impl<V: Clone> Store<V> for MemoryStore<V> {
    fn get(&self, _name: &str, key: &Key) -> impl Future<Output = Result<Option<Entry<V>>>> {
        ready(Ok(self.with(|h| h.entries.get(key).cloned())))
    }

    fn put(&self, entry: Entry<V>) -> impl Future<Output = Result<()>> {
        self.with(|h| h.insert(entry));
        ready(Ok(()))
    }

    fn set_meta(&self, meta: &Meta) -> impl Future<Output = Result<()>> {
        self.with(|h| h.update(&meta.key, |m| *m = meta.clone()));
        ready(Ok(()))
    }

    fn remove(&self, _name: &str, key: &Key) -> impl Future<Output = Result<bool>> {
        ready(Ok(self.with(|h| h.remove(key).is_some())))
    }

    fn list(&self) -> impl Future<Output = Result<Vec<Meta>>> {
        ready(Ok(self.with(|h| h.entries.values().map(|e| e.meta.clone()).collect())))
    }

    fn usage(&self) -> impl Future<Output = Result<Usage>> {
        ready(Ok(self.with(|h| Usage { entries: h.entries.len() as u64, bytes: h.bytes })))
    }

    fn oldest(&self, n: usize) -> impl Future<Output = Result<Vec<Meta>>> {
        ready(Ok(
            self.with(|h| h.order.iter().take(n).filter_map(|r| h.entries.get(&r.2)).map(|e| e.meta.clone()).collect())
        ))
    }

    fn shed(&self, _surely: Usage, mut more: impl FnMut(&Meta) -> bool) -> impl Future<Output = Result<Vec<Meta>>> {
        ready(Ok(self.with(|h| {
            let mut doomed = Vec::new();
            for rank in &h.order {
                match h.entries.get(&rank.2) {
                    Some(e) if more(&e.meta) => doomed.push(rank.2),
                    Some(_) => break,
                    None => {}
                }
            }
            doomed.iter().filter_map(|k| h.remove(k)).map(|e| e.meta).collect()
        })))
    }

    fn hit(
        &self,
        _name: &str,
        key: &Key,
        mut accept: impl FnMut(&Meta, &V) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> impl Future<Output = Result<bool>> {
        // One lock, the metadata updated in place, nothing cloned.
        ready(Ok(self.with(|h| match h.entries.get(key) {
            Some(e) if accept(&e.meta, &e.value) => {
                h.update(key, refresh);
                true
            }
            _ => false,
        })))
    }
    fn claim(&self, _name: &str, _key: &Key) -> impl Future<Output = Result<Flight>> {
        // Private to this process: in-process callers are de-duplicated by Memory's front ends.
        ready(Ok(Flight::free()))
    }

    fn record_use(&self, _name: &str, _key: &Key, _at_ms: f64, _run: &str) -> impl Future<Output = Result<()>> {
        ready(Ok(()))
    }

    fn stage(&self, name: &str) -> impl Future<Output = Result<PathBuf>> {
        ready(no_folders(name))
    }

    fn publish(&self, _staged: &Path, entry: Entry<V>) -> impl Future<Output = Result<()>> {
        ready(no_folders(&entry.meta.name))
    }

    fn folder(&self, _name: &str, _key: &Key) -> impl Future<Output = Result<Option<PathBuf>>> {
        ready(Ok(None))
    }

    fn rows(&self, name: Option<&str>) -> impl Future<Output = Result<Vec<Row>>> {
        ready(Ok(self.with(|h| {
            h.entries
                .values()
                .filter(|e| name.is_none_or(|n| e.meta.name == n))
                .map(|e| Row {
                    key: e.meta.key,
                    last_access_ms: e.meta.last_access_ms,
                    created_ms: e.meta.created_ms,
                    bytes: e.meta.bytes,
                    place: e.meta.name.clone(),
                })
                .collect()
        })))
    }

    fn row_meta(&self, row: &Row) -> impl Future<Output = Result<Option<Meta>>> {
        ready(Ok(self.with(|h| h.entries.get(&row.key).map(|e| e.meta.clone()))))
    }

    /// A walk of this store is a walk of a map: no record needed.
    fn swap_code(&self, _name: &str, _code: &str) -> impl Future<Output = Result<Option<String>>> {
        ready(no_code())
    }
}

impl<V, S: Store<V>> Store<V> for std::rc::Rc<S> {
    fn get(&self, name: &str, key: &Key) -> impl Future<Output = Result<Option<Entry<V>>>> {
        (**self).get(name, key)
    }
    fn put(&self, entry: Entry<V>) -> impl Future<Output = Result<()>> {
        (**self).put(entry)
    }
    fn set_meta(&self, meta: &Meta) -> impl Future<Output = Result<()>> {
        (**self).set_meta(meta)
    }
    fn remove(&self, name: &str, key: &Key) -> impl Future<Output = Result<bool>> {
        (**self).remove(name, key)
    }
    fn list(&self) -> impl Future<Output = Result<Vec<Meta>>> {
        (**self).list()
    }
    fn usage(&self) -> impl Future<Output = Result<Usage>> {
        (**self).usage()
    }
    fn oldest(&self, n: usize) -> impl Future<Output = Result<Vec<Meta>>> {
        (**self).oldest(n)
    }
    fn shed(&self, surely: Usage, more: impl FnMut(&Meta) -> bool) -> impl Future<Output = Result<Vec<Meta>>> {
        (**self).shed(surely, more)
    }
    fn claim(&self, name: &str, key: &Key) -> impl Future<Output = Result<Flight>> {
        (**self).claim(name, key)
    }
    fn record_use(&self, name: &str, key: &Key, at_ms: f64, run: &str) -> impl Future<Output = Result<()>> {
        (**self).record_use(name, key, at_ms, run)
    }
    fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnMut(&Meta, &V) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> impl Future<Output = Result<bool>> {
        (**self).hit(name, key, accept, refresh)
    }
    fn stage(&self, name: &str) -> impl Future<Output = Result<PathBuf>> {
        (**self).stage(name)
    }
    fn publish(&self, staged: &Path, entry: Entry<V>) -> impl Future<Output = Result<()>> {
        (**self).publish(staged, entry)
    }
    fn folder(&self, name: &str, key: &Key) -> impl Future<Output = Result<Option<PathBuf>>> {
        (**self).folder(name, key)
    }
    fn rows(&self, name: Option<&str>) -> impl Future<Output = Result<Vec<Row>>> {
        (**self).rows(name)
    }
    fn row_meta(&self, row: &Row) -> impl Future<Output = Result<Option<Meta>>> {
        (**self).row_meta(row)
    }
    fn swap_code(&self, name: &str, code: &str) -> impl Future<Output = Result<Option<String>>> {
        (**self).swap_code(name, code)
    }
}
