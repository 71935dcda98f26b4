//! A fast local tier in front of a shared one (a filesystem or memory store in
//! front of Redis): reads stop at the first hit, and a hit from the shared tier
//! is copied into the local one; writes and removals go to both.
//!
//! The shared tier is the truth about what exists and when it was used: a
//! listing (and so eviction) is the shared tier's, plus whatever only the local
//! tier holds. A hit served locally is reported to the shared tier
//! (`record_use`), at most once a minute per entry: its eviction by last use
//! then sees every machine's uses at a minute's resolution, and a local hit
//! costs a round trip only that often. Single-flight is the shared tier's.

use super::entry::{Entry, Meta};
use super::store::{Flight, Row, Store, Usage};
use crate::error::Result;
use crate::fingerprint::{Key, KeyMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// How often, at most, a local hit of one entry is reported to the shared tier.
const REPORT_EVERY_MS: f64 = 60_000.0;

/// `local` in front of `shared`.
pub struct Tiered<L, S> {
    pub local: L,
    pub shared: S,
    /// When each entry's local use was last reported to `shared`.
    reported: Mutex<KeyMap<f64>>,
}

impl<L, S> Tiered<L, S> {
    pub fn new(local: L, shared: S) -> Tiered<L, S> {
        Tiered { local, shared, reported: Mutex::new(KeyMap::default()) }
    }

    /// Whether a local use of `key` at `at_ms` is to be reported now (and, if
    /// so, noted as reported: a shared tier that cannot be told is not asked
    /// again at every hit).
    fn due(&self, key: &Key, at_ms: f64) -> bool {
        let mut reported = self.reported.lock().unwrap_or_else(|p| p.into_inner());
        match reported.get(key) {
            Some(&last) if at_ms - last < REPORT_EVERY_MS => false,
            _ => {
                reported.insert(*key, at_ms);
                true
            }
        }
    }
}

impl<V: Clone, L: Store<V>, S: Store<V>> Store<V> for Tiered<L, S> {
    async fn get(&self, name: &str, key: &Key) -> Result<Option<Entry<V>>> {
        if let Some(e) = self.local.get(name, key).await? {
            return Ok(Some(e));
        }
        let Some(e) = self.shared.get(name, key).await? else { return Ok(None) };
        self.local.put(Entry { meta: e.meta.clone(), value: e.value.clone() }).await?;
        Ok(Some(e))
    }

    async fn put(&self, entry: Entry<V>) -> Result<()> {
        self.local.put(Entry { meta: entry.meta.clone(), value: entry.value.clone() }).await?;
        self.shared.put(entry).await
    }

    async fn set_meta(&self, meta: &Meta) -> Result<()> {
        self.local.set_meta(meta).await?;
        self.shared.set_meta(meta).await
    }

    async fn remove(&self, name: &str, key: &Key) -> Result<bool> {
        let here = self.local.remove(name, key).await?;
        Ok(self.shared.remove(name, key).await? || here)
    }

    async fn list(&self) -> Result<Vec<Meta>> {
        let mut all = self.shared.list().await?;
        let mut seen = KeyMap::default();
        for m in &all {
            seen.insert(m.key, ());
        }
        all.extend(self.local.list().await?.into_iter().filter(|m| !seen.contains_key(&m.key)));
        Ok(all)
    }

    /// The shared tier's: it is the truth about what exists.
    async fn usage(&self) -> Result<Usage> {
        self.shared.usage().await
    }

    async fn oldest(&self, n: usize) -> Result<Vec<Meta>> {
        self.shared.oldest(n).await
    }

    async fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnOnce(&Meta, &V) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> Result<bool> {
        let mut accept = Some(accept);
        let mut refresh = Some(refresh);
        let mut used = None;
        let local = self
            .local
            .hit(
                name,
                key,
                |m, v| accept.take().is_some_and(|a| a(m, v)),
                |m| {
                    if let Some(r) = refresh.take() {
                        r(m);
                        used = Some((m.last_access_ms, m.last_run.clone()));
                    }
                },
            )
            .await?;
        if local {
            if let Some((at, run)) = used.filter(|(at, _)| self.due(key, *at)) {
                // Bookkeeping: a hit already served does not fail for it.
                let _ = self.shared.record_use(name, key, at, &run).await;
            }
            return Ok(local);
        }
        let (Some(accept), Some(refresh)) = (accept, refresh) else { return Ok(false) };
        let Some(e) = self.shared.get(name, key).await? else { return Ok(false) };
        if !accept(&e.meta, &e.value) {
            return Ok(false);
        }
        let mut meta = e.meta;
        refresh(&mut meta);
        self.shared.set_meta(&meta).await?;
        self.local.put(Entry { meta, value: e.value }).await?;
        Ok(true)
    }

    async fn claim(&self, name: &str, key: &Key) -> Result<Flight> {
        self.shared.claim(name, key).await
    }

    async fn record_use(&self, name: &str, key: &Key, at_ms: f64, run: &str) -> Result<()> {
        self.shared.record_use(name, key, at_ms, run).await
    }

    /// Folders are the local tier's: a run's files stay on this machine (the
    /// runner packs them into the value it shares, `runner/share.rs`).
    async fn stage(&self, name: &str) -> Result<PathBuf> {
        self.local.stage(name).await
    }

    async fn publish(&self, staged: &Path, entry: Entry<V>) -> Result<()> {
        self.local.publish(staged, entry).await
    }

    async fn folder(&self, name: &str, key: &Key) -> Result<Option<PathBuf>> {
        self.local.folder(name, key).await
    }

    /// The shared tier's, which is the truth about what exists.
    async fn rows(&self, name: Option<&str>) -> Result<Vec<Row>> {
        self.shared.rows(name).await
    }

    async fn row_meta(&self, row: &Row) -> Result<Option<Meta>> {
        self.shared.row_meta(row).await
    }
}
