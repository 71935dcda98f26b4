//! A fast local tier in front of an optional shared one (a filesystem or memory
//! store in front of Redis): reads stop at the first hit, and a hit from the
//! shared tier is copied into the local one; writes and removals go to both.
//!
//! The shared tier is the truth about what exists and when it was used: a
//! listing (and so eviction) is the shared tier's, plus whatever only the local
//! tier holds. A hit served locally is reported to the shared tier
//! (`record_use`), at most once a minute per entry: its eviction by last use
//! then sees every machine's uses at a minute's resolution, and a local hit
//! costs a round trip only that often. Single-flight is the shared tier's.
//!
//! Folders (a tool run's files) are the local tier's. A shared tier keeps
//! none, so an entry published with a folder travels *carried* ([`Carry`]):
//! its value and files packed into one shared value, unpacked into a staged
//! local folder and published there when another machine takes it. Without a
//! shared tier every method is the local tier's: one store type serves a
//! runner with or without Redis.

use super::entry::{Entry, Meta};
use super::store::{Flight, Row, Store, Usage};
use crate::error::Result;
use crate::fingerprint::{Key, KeyMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How often, at most, a local hit of one entry is reported to the shared tier.
const REPORT_EVERY_MS: f64 = 60_000.0;

/// How an entry whose files are in a folder travels through a shared tier
/// that keeps no folders.
pub trait Carry<V> {
    /// The shared value for `entry`, published locally with the files in
    /// `folder`; `Ok(Err(why))` when it is to stay local (too large to share).
    fn pack(&self, entry: &Entry<V>, folder: &Path) -> Result<std::result::Result<V, String>>;
    /// Whether a shared value carries files (and is unpacked before use).
    fn carries(&self, value: &V) -> bool;
    /// Writes a carried value's files into `folder` (a staged local folder,
    /// removed again on failure); the local entry's value.
    fn unpack(&self, meta: &Meta, value: &V, folder: &Path) -> Result<V>;
}

/// Entries without folders: values travel as they are, folders stay local.
pub struct Plain;

impl<V> Carry<V> for Plain {
    fn pack(&self, _: &Entry<V>, _: &Path) -> Result<std::result::Result<V, String>> {
        Ok(Err("its files stay on this machine".to_string()))
    }
    fn carries(&self, _: &V) -> bool {
        false
    }
    fn unpack(&self, _: &Meta, _: &V, _: &Path) -> Result<V> {
        super::store::no_folders("unpack")
    }
}

/// A shared tier that is never there: the type of a [`Tiered`] without one.
pub enum Nowhere {}

/// `local` in front of `shared`, if any.
pub struct Tiered<L, S, C = Plain> {
    pub local: L,
    pub shared: Option<S>,
    /// How entries with folders travel to `shared`.
    pub carry: C,
    /// When each entry's local use was last reported to `shared`.
    reported: Mutex<KeyMap<f64>>,
    /// Entries this tier brought from `shared` into `local` (taken by the caller).
    brought: Mutex<KeyMap<()>>,
    /// Why an entry published here was not shared, or a use not reported
    /// there (taken by the caller).
    notes: Mutex<KeyMap<String>>,
}

fn locked<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl<L, S> Tiered<L, S, Plain> {
    pub fn new(local: L, shared: S) -> Tiered<L, S, Plain> {
        Tiered::carrying(local, Some(shared), Plain)
    }
}

impl<L, S, C> Tiered<L, S, C> {
    /// `local` in front of `shared` (if any), folders carried by `carry`.
    pub fn carrying(local: L, shared: Option<S>, carry: C) -> Tiered<L, S, C> {
        Tiered { local, shared, carry, reported: Mutex::default(), brought: Mutex::default(), notes: Mutex::default() }
    }

    /// Whether the entry of `key` was last brought here from the shared tier
    /// (another machine made it); asking forgets it.
    pub fn take_brought(&self, key: &Key) -> bool {
        locked(&self.brought).remove(key).is_some()
    }

    /// Why the entry of `key`, published here, was not shared (or its use
    /// here not reported there); asking forgets it.
    pub fn take_note(&self, key: &Key) -> Option<String> {
        locked(&self.notes).remove(key)
    }

    /// Whether a local use of `key` at `at_ms` is to be reported now (and, if
    /// so, noted as reported: a shared tier that cannot be told is not asked
    /// again at every hit).
    fn due(&self, key: &Key, at_ms: f64) -> bool {
        let mut reported = locked(&self.reported);
        match reported.get(key) {
            Some(&last) if at_ms - last < REPORT_EVERY_MS => false,
            _ => {
                reported.insert(*key, at_ms);
                true
            }
        }
    }
}

impl<L, S, C> Tiered<L, S, C> {
    /// Copies a shared entry into the local tier: as it is, or unpacked into a
    /// staged folder published with it.
    async fn bring<V: Clone>(&self, name: &str, e: Entry<V>) -> Result<Entry<V>>
    where
        L: Store<V>,
        C: Carry<V>,
    {
        if !self.carry.carries(&e.value) {
            self.local.put(e.clone()).await?;
            return Ok(e);
        }
        let staged = self.local.stage(name).await?;
        let value = self.carry.unpack(&e.meta, &e.value, &staged)?;
        let entry = Entry { meta: e.meta, value };
        let key = entry.meta.key;
        self.local.publish(&staged, entry.clone()).await?;
        locked(&self.brought).insert(key, ());
        Ok(entry)
    }
}

impl<V: Clone, L: Store<V>, S: Store<V>, C: Carry<V>> Store<V> for Tiered<L, S, C> {
    async fn get(&self, name: &str, key: &Key) -> Result<Option<Entry<V>>> {
        if let Some(e) = self.local.get(name, key).await? {
            return Ok(Some(e));
        }
        let Some(shared) = &self.shared else { return Ok(None) };
        let Some(e) = shared.get(name, key).await? else { return Ok(None) };
        Ok(Some(self.bring(name, e).await?))
    }

    async fn put(&self, entry: Entry<V>) -> Result<()> {
        let Some(shared) = &self.shared else { return self.local.put(entry).await };
        self.local.put(Entry { meta: entry.meta.clone(), value: entry.value.clone() }).await?;
        shared.put(entry).await
    }

    async fn set_meta(&self, meta: &Meta) -> Result<()> {
        self.local.set_meta(meta).await?;
        match &self.shared {
            Some(shared) => shared.set_meta(meta).await,
            None => Ok(()),
        }
    }

    async fn remove(&self, name: &str, key: &Key) -> Result<bool> {
        let here = self.local.remove(name, key).await?;
        match &self.shared {
            Some(shared) => Ok(shared.remove(name, key).await? || here),
            None => Ok(here),
        }
    }

    async fn list(&self) -> Result<Vec<Meta>> {
        let Some(shared) = &self.shared else { return self.local.list().await };
        let mut all = shared.list().await?;
        let mut seen = KeyMap::default();
        for m in &all {
            seen.insert(m.key, ());
        }
        all.extend(self.local.list().await?.into_iter().filter(|m| !seen.contains_key(&m.key)));
        Ok(all)
    }

    /// The shared tier's: it is the truth about what exists.
    async fn usage(&self) -> Result<Usage> {
        match &self.shared {
            Some(shared) => shared.usage().await,
            None => self.local.usage().await,
        }
    }

    async fn oldest(&self, n: usize) -> Result<Vec<Meta>> {
        match &self.shared {
            Some(shared) => shared.oldest(n).await,
            None => self.local.oldest(n).await,
        }
    }

    /// The local tier's, alone; with a shared tier, an entry leaves both
    /// tiers, one by one.
    async fn shed(&self, surely: Usage, more: impl FnMut(&Meta) -> bool) -> Result<Vec<Meta>> {
        match &self.shared {
            Some(_) => super::store::no_shed(),
            None => self.local.shed(surely, more).await,
        }
    }

    async fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnMut(&Meta, &V) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> Result<bool> {
        let Some(shared) = &self.shared else { return self.local.hit(name, key, accept, refresh).await };
        let mut accept = accept;
        let mut refresh = Some(refresh);
        let mut used = None;
        let mut judged_here = false;
        let mut mark = |m: &mut Meta| {
            if let Some(r) = refresh.take() {
                r(m);
                used = Some((m.last_access_ms, m.last_run.clone()));
            }
        };
        let mut local = self
            .local
            .hit(
                name,
                key,
                |m, v| {
                    judged_here = true;
                    accept(m, v)
                },
                &mut mark,
            )
            .await?;
        if !local {
            let Some(e) = shared.get(name, key).await? else { return Ok(false) };
            if !self.carry.carries(&e.value) {
                // The local copy was this value: refused once is refused.
                if judged_here || !accept(&e.meta, &e.value) {
                    return Ok(false);
                }
                let mut meta = e.meta;
                mark(&mut meta);
                shared.set_meta(&meta).await?;
                self.local.put(Entry { meta, value: e.value }).await?;
                return Ok(true);
            }
            // Its files must be here before it can be judged: bring it (over
            // a local copy whose files were refused: theirs, not the shared
            // run's, are damaged), then it is a local hit like any other.
            self.bring(name, e).await?;
            local = self.local.hit(name, key, accept, mark).await?;
        }
        if let Some((at, run)) = used.filter(|(at, _)| local && self.due(key, *at)) {
            // Bookkeeping: a hit already served does not fail for it; the
            // caller may hear of it (`take_note`).
            if let Err(e) = shared.record_use(name, key, at, &run).await {
                locked(&self.notes).insert(*key, format!("the shared store was not told of this use: {}", e.message));
            }
        }
        Ok(local)
    }

    async fn claim(&self, name: &str, key: &Key) -> Result<Flight> {
        match &self.shared {
            Some(shared) => shared.claim(name, key).await,
            None => self.local.claim(name, key).await,
        }
    }

    async fn record_use(&self, name: &str, key: &Key, at_ms: f64, run: &str) -> Result<()> {
        match &self.shared {
            Some(shared) => shared.record_use(name, key, at_ms, run).await,
            None => self.local.record_use(name, key, at_ms, run).await,
        }
    }

    /// Folders are the local tier's.
    async fn stage(&self, name: &str) -> Result<PathBuf> {
        self.local.stage(name).await
    }

    /// Published here, then carried to the shared tier (unless it says the
    /// entry stays local: [`Tiered::take_note`] tells why).
    async fn publish(&self, staged: &Path, entry: Entry<V>) -> Result<()> {
        let Some(shared) = &self.shared else { return self.local.publish(staged, entry).await };
        let kept = Entry { meta: entry.meta.clone(), value: entry.value.clone() };
        self.local.publish(staged, entry).await?;
        let (name, key) = (&kept.meta.name, kept.meta.key);
        // Gone already (evicted by another process): nothing to carry.
        let Some(folder) = self.local.folder(name, &key).await? else { return Ok(()) };
        match self.carry.pack(&kept, &folder)? {
            Ok(value) => shared.put(Entry { meta: kept.meta, value }).await,
            Err(why) => {
                locked(&self.notes).insert(key, why);
                Ok(())
            }
        }
    }

    async fn folder(&self, name: &str, key: &Key) -> Result<Option<PathBuf>> {
        self.local.folder(name, key).await
    }

    /// The shared tier's, which is the truth about what exists.
    async fn rows(&self, name: Option<&str>) -> Result<Vec<Row>> {
        match &self.shared {
            Some(shared) => shared.rows(name).await,
            None => self.local.rows(name).await,
        }
    }

    async fn row_meta(&self, row: &Row) -> Result<Option<Meta>> {
        match &self.shared {
            Some(shared) => shared.row_meta(row).await,
            None => self.local.row_meta(row).await,
        }
    }

    /// The local tier's, alone; with a shared tier, stale entries are in
    /// both, found by the walk.
    async fn swap_code(&self, name: &str, code: &str) -> Result<Option<String>> {
        match &self.shared {
            Some(_) => super::store::no_code(),
            None => self.local.swap_code(name, code).await,
        }
    }
}

/// Never constructed; every method is unreachable.
impl<V> Store<V> for Nowhere {
    async fn get(&self, _: &str, _: &Key) -> Result<Option<Entry<V>>> {
        match *self {}
    }
    async fn put(&self, _: Entry<V>) -> Result<()> {
        match *self {}
    }
    async fn set_meta(&self, _: &Meta) -> Result<()> {
        match *self {}
    }
    async fn remove(&self, _: &str, _: &Key) -> Result<bool> {
        match *self {}
    }
    async fn list(&self) -> Result<Vec<Meta>> {
        match *self {}
    }
    async fn usage(&self) -> Result<Usage> {
        match *self {}
    }
    async fn oldest(&self, _: usize) -> Result<Vec<Meta>> {
        match *self {}
    }
    async fn shed(&self, _: Usage, _: impl FnMut(&Meta) -> bool) -> Result<Vec<Meta>> {
        match *self {}
    }
    async fn hit(
        &self,
        _: &str,
        _: &Key,
        _: impl FnOnce(&Meta, &V) -> bool,
        _: impl FnOnce(&mut Meta),
    ) -> Result<bool> {
        match *self {}
    }
    async fn claim(&self, _: &str, _: &Key) -> Result<Flight> {
        match *self {}
    }
    async fn record_use(&self, _: &str, _: &Key, _: f64, _: &str) -> Result<()> {
        match *self {}
    }
    async fn stage(&self, _: &str) -> Result<PathBuf> {
        match *self {}
    }
    async fn publish(&self, _: &Path, _: Entry<V>) -> Result<()> {
        match *self {}
    }
    async fn folder(&self, _: &str, _: &Key) -> Result<Option<PathBuf>> {
        match *self {}
    }
    async fn rows(&self, _: Option<&str>) -> Result<Vec<Row>> {
        match *self {}
    }
    async fn row_meta(&self, _: &Row) -> Result<Option<Meta>> {
        match *self {}
    }
    async fn swap_code(&self, _: &str, _: &str) -> Result<Option<String>> {
        match *self {}
    }
}
