//! Memory: persistent, evicting memoization over a [`Store`].
//!
//! This is joblib's `Memory`, nipype's caching `Memory`, kwneuro's `Cache` and
//! pyphi's bounded caches reduced to their common core: look a key up (a hit
//! refreshes the entry's last use and counts), insert a computed value (and
//! enforce the limits at once, not only when asked), and remove by policy —
//! least recently used beyond bytes/items/age limits, "not used in this run",
//! "not used since a date". Keys come from `fingerprint`; what a key is made of
//! (a function's code and arguments, an interface's spec and inputs) is decided
//! by the callers: [`cached`] for Rust closures, the `wasm` module for JS.
//!
//! The methods are `async` because some stores are (IndexedDB, Redis); with a
//! store that answers at once they complete on the first poll, which is how the
//! synchronous Rust API ([`cached::Cached`]) drives them.

pub mod cached;
mod call;
mod disk;
mod entry;
mod evict;
#[cfg(any(feature = "native", target_arch = "wasm32"))]
mod fs_drain;
#[cfg(any(feature = "native", target_arch = "wasm32"))]
mod fs_index;
#[cfg(any(feature = "native", target_arch = "wasm32"))]
mod fs_store;
mod key;
mod layered;
#[cfg(feature = "redis")]
mod redis_store;
pub mod run;
#[cfg(test)]
pub(crate) mod spy;
mod store;
mod tiered;
mod units;

pub use call::{Called, Fresh, Looked, Request, Verdict};
#[cfg(not(target_arch = "wasm32"))]
pub use disk::StdDisk;
pub use disk::{Disk, Job};
pub use entry::{format, Entry, Kind, Meta};
pub use evict::{lru_rank, select as select_evictions, Limits};
#[cfg(any(feature = "native", target_arch = "wasm32"))]
pub use fs_store::{FsStore, LAYOUT_VERSION};
pub use key::{code_id, explanation, function_key, sidecar, FunctionKey, FunctionKeyer};
pub use layered::WithReadOnly;
#[cfg(feature = "redis")]
pub use redis_store::{RedisOptions, RedisStore};
pub use run::{explain_run, function_result, function_run, run_entry, OutputStamp, RunRecord};
pub use store::{no_code, no_folders, no_rows, no_shed, Flight, MemoryStore, Row, Store, Usage};
pub use tiered::{Carry, Nowhere, Plain, Tiered};
pub use units::{parse_duration_ms, parse_size};

use crate::error::Result;
use crate::fingerprint::Key;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters and totals of a Memory.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Stats {
    pub hits: u64,
    pub misses: u64,
    pub entries: u64,
    pub bytes: u64,
}

/// What a caller knows about a value it computed, for [`Memory::insert`].
#[derive(Debug, Clone)]
pub struct NewEntry {
    pub key: Key,
    pub kind: Kind,
    pub name: String,
    pub bytes: u64,
    pub duration_ms: f64,
    pub code: Option<String>,
    pub args: Option<Key>,
    pub sidecar: serde_json::Value,
    /// How the value is encoded ([`format`]).
    pub format: &'static str,
}

/// A cache over a store, with limits enforced on every insert.
pub struct Memory<S, V> {
    store: S,
    limits: Limits,
    run: String,
    clock: Box<dyn Fn() -> f64>,
    hits: AtomicU64,
    misses: AtomicU64,
    _value: PhantomData<V>,
}

impl<S: Store<V>, V> Memory<S, V> {
    /// A Memory over `store`. `run` identifies this opening (for
    /// [`Memory::clear_previous_runs`]); `clock` gives milliseconds since the epoch.
    pub fn new(store: S, limits: Limits, run: String, clock: Box<dyn Fn() -> f64>) -> Self {
        Memory { store, limits, run, clock, hits: AtomicU64::new(0), misses: AtomicU64::new(0), _value: PhantomData }
    }

    pub fn store(&self) -> &S {
        &self.store
    }

    /// The store, to configure it before use (read-only locations).
    pub fn store_mut(&mut self) -> &mut S {
        &mut self.store
    }

    pub fn limits(&self) -> Limits {
        self.limits
    }

    pub fn run_id(&self) -> &str {
        &self.run
    }

    pub fn now(&self) -> f64 {
        (self.clock)()
    }

    fn count(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Takes back a count this call made (never below what was counted).
    fn uncount(&self, hit: bool) {
        let counter = if hit { &self.hits } else { &self.misses };
        counter.fetch_sub(1, Ordering::Relaxed);
    }

    /// Claims the computation of the missing `key` among processes sharing the
    /// store (single-flight): hold the [`Flight`] while computing and inserting.
    pub async fn claim(&self, name: &str, key: &Key) -> Result<Flight> {
        self.store.claim(name, key).await
    }

    /// Whether `key` has an entry; counts nothing and refreshes nothing.
    pub async fn contains(&self, name: &str, key: &Key) -> Result<bool> {
        Ok(self.store.get(name, key).await?.is_some())
    }

    /// Stores a computed value, then enforces the limits; returns what was evicted.
    pub async fn insert(&self, new: NewEntry, value: V) -> Result<Vec<Meta>> {
        self.insert_staged(new, value, None).await
    }

    /// [`Memory::insert`], with the files assembled in a folder from
    /// [`Store::stage`] published beside the value.
    pub async fn insert_staged(
        &self,
        new: NewEntry,
        value: V,
        staged: Option<std::path::PathBuf>,
    ) -> Result<Vec<Meta>> {
        let entry = Entry { meta: self.new_meta(new), value };
        match staged {
            Some(dir) => self.store.publish(&dir, entry).await?,
            None => self.store.put(entry).await?,
        }
        self.enforce_limits().await
    }

    /// The metadata of a new entry, created now in this run.
    pub fn new_meta(&self, new: NewEntry) -> Meta {
        let now = self.now();
        Meta {
            key: new.key,
            kind: new.kind,
            name: new.name,
            created_ms: now,
            last_access_ms: now,
            last_run: self.run.clone(),
            hits: 0,
            bytes: new.bytes,
            duration_ms: new.duration_ms,
            code: new.code,
            args: new.args,
            sidecar: new.sidecar,
            format: new.format.to_string(),
        }
    }

    /// Removes what the Memory's own limits do not allow; what was removed.
    pub async fn enforce_limits(&self) -> Result<Vec<Meta>> {
        if self.limits.is_unlimited() {
            return Ok(Vec::new());
        }
        self.reduce_size(&self.limits.clone()).await
    }

    /// Removes the least recently used entries until `limits` hold.
    pub async fn reduce_size(&self, limits: &Limits) -> Result<Vec<Meta>> {
        self.evict(limits, true).await
    }

    /// What [`Memory::reduce_size`] would remove now, least recently used first.
    pub async fn preview_eviction(&self, limits: &Limits) -> Result<Vec<Meta>> {
        self.evict(limits, false).await
    }

    /// Takes (or with `remove` false, only names) the least recently used
    /// entries, from the store's index, until `limits` hold: the choice of
    /// [`select_evictions`] (the most recently used entries kept while they
    /// fit), at the cost of the entries removed, not of the entries kept.
    async fn evict(&self, limits: &Limits, remove: bool) -> Result<Vec<Meta>> {
        let now = self.now();
        let mut usage = self.store.usage().await?;
        let over =
            |u: &Usage| limits.items.is_some_and(|n| u.entries > n as u64) || limits.bytes.is_some_and(|b| u.bytes > b);
        let mut out = Vec::new();
        if !over(&usage) && limits.age_ms.is_none() {
            return Ok(out);
        }
        if remove {
            // In bulk where the store can: the same choice, made as the store
            // offers its entries in order.
            let mut left = usage;
            // What must go whatever the order: the excess over each limit.
            let surely = Usage {
                entries: limits.items.map_or(0, |n| usage.entries.saturating_sub(n as u64)),
                bytes: limits.bytes.map_or(0, |b| usage.bytes.saturating_sub(b)),
            };
            let shed = self
                .store
                .shed(surely, |m| {
                    let too_old = limits.age_ms.is_some_and(|age| now - m.last_access_ms > age);
                    let take = over(&left) || too_old;
                    if take {
                        left = left.without(m);
                    }
                    take
                })
                .await;
            match shed {
                Err(e) if e.kind == crate::ErrorKind::Unsupported => {}
                done => return done,
            }
        }
        let mut tried = crate::fingerprint::KeyMap::default();
        // An insert into a full store usually evicts one entry: ask for one,
        // then for geometrically more (a reduction to half asks ~log n times).
        let mut batch = 1;
        loop {
            // Removed entries leave the index; a preview reads past those it named.
            let skip = if remove { 0 } else { out.len() };
            let found = self.store.oldest(skip + batch).await?;
            let mut progressed = false;
            for m in found.into_iter().skip(skip) {
                if tried.insert(m.key, ()).is_some() {
                    continue;
                }
                progressed = true;
                let too_old = limits.age_ms.is_some_and(|age| now - m.last_access_ms > age);
                if !over(&usage) && !too_old {
                    // Everything after this entry was used more recently.
                    return Ok(out);
                }
                if !remove || self.store.remove(&m.name, &m.key).await? {
                    usage = usage.without(&m);
                    out.push(m);
                }
            }
            if !progressed {
                return Ok(out);
            }
            batch = (batch * 4).min(4096);
        }
    }

    /// joblib: a function whose code changed drops the results of its
    /// previous code; asked at a function's first call in a process. A walk
    /// only when the store's record of the function's code is another (or
    /// there is none): a function whose code did not change costs one read.
    /// (An entry of other code that slips past is never a hit: the code is
    /// part of every key.)
    pub async fn drop_stale_code(&self, name: &str, code: &str) -> Result<Vec<Meta>> {
        match self.store.swap_code(name, code).await {
            Ok(Some(was)) if was == code => return Ok(Vec::new()),
            Err(e) if e.kind != crate::ErrorKind::Unsupported => return Err(e),
            _ => {}
        }
        self.clear_where(|m| m.kind == Kind::Function && m.name == name && m.code.as_deref() != Some(code)).await
    }

    /// Removes every entry not used since this Memory was opened (nipype's
    /// `clear_previous_runs`): a run id, not timestamps, decides.
    pub async fn clear_previous_runs(&self) -> Result<Vec<Meta>> {
        self.clear_where(|m| m.last_run != self.run).await
    }

    /// Removes every entry not used since `since_ms` (nipype's `clear_runs_since`).
    pub async fn clear_runs_since(&self, since_ms: f64) -> Result<Vec<Meta>> {
        self.clear_where(|m| m.last_access_ms < since_ms).await
    }

    /// Removes every entry.
    pub async fn clear(&self) -> Result<Vec<Meta>> {
        self.clear_where(|_| true).await
    }

    /// Removes the entries whose metadata satisfies `doomed`.
    pub async fn clear_where(&self, doomed: impl Fn(&Meta) -> bool) -> Result<Vec<Meta>> {
        let metas = self.store.list().await?;
        self.remove_all(metas.into_iter().filter(|m| doomed(m)).collect()).await
    }

    /// Removes one entry; whether it was there.
    pub async fn remove(&self, name: &str, key: &Key) -> Result<bool> {
        self.store.remove(name, key).await
    }

    async fn remove_all(&self, metas: Vec<Meta>) -> Result<Vec<Meta>> {
        let mut removed = Vec::with_capacity(metas.len());
        for m in metas {
            if self.store.remove(&m.name, &m.key).await? {
                removed.push(m);
            }
        }
        Ok(removed)
    }

    /// Every entry's metadata.
    pub async fn entries(&self) -> Result<Vec<Meta>> {
        self.store.list().await
    }

    /// A page of the entries (of `name`, if given) in the order `order` gives
    /// their index rows (see [`Store::rows`]), reading only the page's
    /// metadata: fast at any size. `None` where the store has no index (then
    /// [`Memory::entries`] lists them all).
    pub async fn page(
        &self,
        name: Option<&str>,
        order: impl FnMut(&Row, &Row) -> std::cmp::Ordering,
        skip: usize,
        take: usize,
    ) -> Result<Option<(Vec<Meta>, usize)>> {
        let Some(mut rows) = self.rows(name).await? else { return Ok(None) };
        rows.sort_by(order);
        let end = rows.len().min(skip.saturating_add(take));
        let page = self.metas_of(rows.get(skip..end).unwrap_or_default()).await?;
        Ok(Some((page, rows.len())))
    }

    /// The index rows of the entries (of `name`, if given): what each is, when
    /// it was made and last used, its bytes, without reading an entry; `None`
    /// where the store has no index.
    pub async fn rows(&self, name: Option<&str>) -> Result<Option<Vec<Row>>> {
        match self.store.rows(name).await {
            Ok(rows) => Ok(Some(rows)),
            Err(e) if e.kind == crate::error::ErrorKind::Unsupported => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The metadata of the entries of `rows`, in their order; a row whose
    /// entry went meanwhile is left out.
    pub async fn metas_of(&self, rows: &[Row]) -> Result<Vec<Meta>> {
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            if let Some(meta) = self.store.row_meta(row).await? {
                out.push(meta);
            }
        }
        Ok(out)
    }

    /// Hits and misses of this Memory, entries and bytes of the store (from
    /// its index: no walk).
    pub async fn stats(&self) -> Result<Stats> {
        let usage = self.store.usage().await?;
        Ok(Stats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            entries: usage.entries,
            bytes: usage.bytes,
        })
    }
}
