//! The store contract, and the in-memory store.
//!
//! A store keeps entries (metadata + value) by the name of what produced them
//! (a function, an interface) and their key; the name lets a store group entries
//! as people look for them (`<location>/<name>/<key>/` on disk). Every method may be
//! asynchronous (IndexedDB, Redis), so each returns a future; stores that answer
//! at once (memory, filesystem) return ready ones. Stores hold no policy: hits,
//! eviction and statistics are `Memory`'s. The contract, in full:
//!
//! - `get` returns the entry or `None`; a damaged entry is `None` (and may be removed);
//! - `put` publishes an entry whole or not at all, replacing any entry of that key;
//! - `set_meta` updates an existing entry's metadata (hits, last use), never its value;
//! - `remove` deletes one entry and says whether it was there;
//! - `list` returns every entry's metadata without reading values;
//! - `claim` (optional) makes processes sharing the store compute a missing key
//!   once: it waits while another holds a live claim, and stores private to a
//!   process grant it at once;
//! - `record_use` (optional) hears of a use served from a copy held elsewhere (a
//!   tier in front), so that a store evicting by last use sees it.

use super::entry::{Entry, Meta};
use crate::error::Result;
use crate::fingerprint::{Key, KeyMap};
use std::future::{ready, Future};
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

    /// Claims the computation of the missing `key` among every process sharing
    /// this store; see [`Flight`]. A store private to one process grants it.
    fn claim(&self, _name: &str, _key: &Key) -> impl Future<Output = Result<Flight>> {
        ready(Ok(Flight::free()))
    }

    /// Records that `key` was used at `at_ms` in run `run` from a copy held
    /// elsewhere (one more hit, a later last use), if the entry is here. Stores
    /// that nothing reads around (memory, the local filesystem) need not.
    fn record_use(&self, _name: &str, _key: &Key, _at_ms: f64, _run: &str) -> impl Future<Output = Result<()>> {
        ready(Ok(()))
    }

    /// A hit: the value of `key` if `accept` takes its metadata, which `refresh`
    /// then updates (hits, last use). Stores that can do this in one step override it.
    fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnOnce(&Meta) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> impl Future<Output = Result<Option<V>>> {
        async move {
            match self.get(name, key).await? {
                Some(entry) if accept(&entry.meta) => {
                    let mut meta = entry.meta;
                    refresh(&mut meta);
                    self.set_meta(&meta).await?;
                    Ok(Some(entry.value))
                }
                _ => Ok(None),
            }
        }
    }
}

/// Entries in this process's memory (the default store): gone when it exits.
pub struct MemoryStore<V> {
    entries: Mutex<KeyMap<Entry<V>>>,
}

impl<V> Default for MemoryStore<V> {
    fn default() -> Self {
        MemoryStore { entries: Mutex::new(KeyMap::default()) }
    }
}

impl<V> MemoryStore<V> {
    fn with<T>(&self, f: impl FnOnce(&mut KeyMap<Entry<V>>) -> T) -> T {
        // A panic while holding the lock leaves the map consistent: use it anyway.
        let mut guard = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut guard)
    }
}

impl<V: Clone> Store<V> for MemoryStore<V> {
    fn get(&self, _name: &str, key: &Key) -> impl Future<Output = Result<Option<Entry<V>>>> {
        ready(Ok(self.with(|m| m.get(key).cloned())))
    }

    fn put(&self, entry: Entry<V>) -> impl Future<Output = Result<()>> {
        self.with(|m| m.insert(entry.meta.key, entry));
        ready(Ok(()))
    }

    fn set_meta(&self, meta: &Meta) -> impl Future<Output = Result<()>> {
        self.with(|m| {
            if let Some(e) = m.get_mut(&meta.key) {
                e.meta = meta.clone();
            }
        });
        ready(Ok(()))
    }

    fn remove(&self, _name: &str, key: &Key) -> impl Future<Output = Result<bool>> {
        ready(Ok(self.with(|m| m.remove(key).is_some())))
    }

    fn list(&self) -> impl Future<Output = Result<Vec<Meta>>> {
        ready(Ok(self.with(|m| m.values().map(|e| e.meta.clone()).collect())))
    }

    fn hit(
        &self,
        _name: &str,
        key: &Key,
        accept: impl FnOnce(&Meta) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> impl Future<Output = Result<Option<V>>> {
        // One lock, the metadata updated in place, only the value cloned.
        ready(Ok(self.with(|m| match m.get_mut(key) {
            Some(e) if accept(&e.meta) => {
                refresh(&mut e.meta);
                Some(e.value.clone())
            }
            _ => None,
        })))
    }
}

/// A store shared by several Memories (one per run, say) is still a store.
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
        accept: impl FnOnce(&Meta) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> impl Future<Output = Result<Option<V>>> {
        (**self).hit(name, key, accept, refresh)
    }
}
