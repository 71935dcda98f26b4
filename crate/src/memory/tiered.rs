//! A fast local tier in front of a shared one (a filesystem or memory store in
//! front of Redis): reads stop at the first hit, and a hit from the shared tier
//! is copied into the local one; writes and removals go to both.
//!
//! The shared tier is the truth about what exists and when it was used: a
//! listing (and so eviction) is the shared tier's, plus whatever only the local
//! tier holds; a hit served locally is not reported to the shared tier, so
//! eviction there sees the uses other machines made of it. Single-flight is the
//! shared tier's.

use super::entry::{Entry, Meta};
use super::store::{Flight, Store};
use crate::error::Result;
use crate::fingerprint::{Key, KeyMap};

/// `local` in front of `shared`.
pub struct Tiered<L, S> {
    pub local: L,
    pub shared: S,
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

    async fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnOnce(&Meta) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> Result<Option<V>> {
        let mut accept = Some(accept);
        let mut refresh = Some(refresh);
        let local = self
            .local
            .hit(
                name,
                key,
                |m| accept.take().is_some_and(|a| a(m)),
                |m| {
                    if let Some(r) = refresh.take() {
                        r(m)
                    }
                },
            )
            .await?;
        if local.is_some() {
            return Ok(local);
        }
        let (Some(accept), Some(refresh)) = (accept, refresh) else { return Ok(None) };
        let Some(e) = self.shared.get(name, key).await? else { return Ok(None) };
        if !accept(&e.meta) {
            return Ok(None);
        }
        let mut meta = e.meta;
        refresh(&mut meta);
        self.shared.set_meta(&meta).await?;
        self.local.put(Entry { meta, value: e.value.clone() }).await?;
        Ok(Some(e.value))
    }

    async fn claim(&self, name: &str, key: &Key) -> Result<Flight> {
        self.shared.claim(name, key).await
    }
}
