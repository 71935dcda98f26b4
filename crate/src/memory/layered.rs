//! Read-only extra locations (Pydra's read-only caches): a lab's shared,
//! precomputed cache consulted after one's own, never written to.
//!
//! Lookups try the writable store first, then each read-only one in order; a hit
//! from a read-only store is returned as it is (its metadata is not touched, and
//! it is not copied). Everything that writes — inserts, metadata updates,
//! removals, eviction — concerns the writable store alone, and listings show
//! only its entries.

use super::entry::{Entry, Meta};
use super::store::{Flight, Row, Store, Usage};
use crate::error::Result;
use crate::fingerprint::Key;
use std::path::{Path, PathBuf};

/// A writable store in front of read-only ones.
pub struct WithReadOnly<S> {
    pub writable: S,
    pub read_only: Vec<S>,
}

impl<S> WithReadOnly<S> {
    pub fn new(writable: S, read_only: Vec<S>) -> WithReadOnly<S> {
        WithReadOnly { writable, read_only }
    }
}

impl<V, S: Store<V>> Store<V> for WithReadOnly<S> {
    async fn get(&self, name: &str, key: &Key) -> Result<Option<Entry<V>>> {
        if let Some(e) = self.writable.get(name, key).await? {
            return Ok(Some(e));
        }
        for extra in &self.read_only {
            if let Some(e) = extra.get(name, key).await? {
                return Ok(Some(e));
            }
        }
        Ok(None)
    }

    async fn put(&self, entry: Entry<V>) -> Result<()> {
        self.writable.put(entry).await
    }

    async fn set_meta(&self, meta: &Meta) -> Result<()> {
        self.writable.set_meta(meta).await
    }

    async fn remove(&self, name: &str, key: &Key) -> Result<bool> {
        self.writable.remove(name, key).await
    }

    async fn list(&self) -> Result<Vec<Meta>> {
        self.writable.list().await
    }

    async fn usage(&self) -> Result<Usage> {
        self.writable.usage().await
    }

    async fn shed(&self, surely: Usage, more: impl FnMut(&Meta) -> bool) -> Result<Vec<Meta>> {
        self.writable.shed(surely, more).await
    }

    async fn oldest(&self, n: usize) -> Result<Vec<Meta>> {
        self.writable.oldest(n).await
    }

    async fn claim(&self, name: &str, key: &Key) -> Result<Flight> {
        self.writable.claim(name, key).await
    }

    async fn record_use(&self, name: &str, key: &Key, at_ms: f64, run: &str) -> Result<()> {
        self.writable.record_use(name, key, at_ms, run).await
    }

    async fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnMut(&Meta, &V) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> Result<bool> {
        let mut accept = Some(accept);
        if self.writable.hit(name, key, |m, v| accept.take().is_some_and(|mut a| a(m, v)), refresh).await? {
            return Ok(true);
        }
        for extra in &self.read_only {
            if let Some(e) = extra.get(name, key).await? {
                // An entry the writable store had and refused stays refused.
                return Ok(accept.take().is_some_and(|mut a| a(&e.meta, &e.value)));
            }
        }
        Ok(false)
    }

    async fn stage(&self, name: &str) -> Result<PathBuf> {
        self.writable.stage(name).await
    }

    async fn publish(&self, staged: &Path, entry: Entry<V>) -> Result<()> {
        self.writable.publish(staged, entry).await
    }

    /// The writable store's folder, else the first read-only location's that
    /// has the entry (where a hit from it found its files).
    async fn folder(&self, name: &str, key: &Key) -> Result<Option<PathBuf>> {
        if let Some(dir) = self.writable.folder(name, key).await? {
            return Ok(Some(dir));
        }
        for extra in &self.read_only {
            if let Some(dir) = extra.folder(name, key).await? {
                return Ok(Some(dir));
            }
        }
        Ok(None)
    }

    /// The writable store's, as its listing is.
    async fn rows(&self, name: Option<&str>) -> Result<Vec<Row>> {
        self.writable.rows(name).await
    }

    async fn row_meta(&self, row: &Row) -> Result<Option<Meta>> {
        self.writable.row_meta(row).await
    }

    async fn swap_code(&self, name: &str, code: &str) -> Result<Option<String>> {
        self.writable.swap_code(name, code).await
    }
}
