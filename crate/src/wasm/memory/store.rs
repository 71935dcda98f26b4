//! Where a JS Memory keeps entries: the core stores, values as JS values.

use super::*;
#[cfg(feature = "node-fs")]
use crate::memory::{Entry, FsStore, WithReadOnly};
#[cfg(feature = "node-fs")]
use crate::wasm::host::{deserialize_value, serialize_value, NodeDisk};

/// Where a JS Memory keeps entries.
pub(super) enum JsStore {
    Memory(MemoryStore<JsValue>),
    /// The filesystem store under Node (with any read-only locations behind it);
    /// values as V8's serialization of them.
    #[cfg(feature = "node-fs")]
    Fs(WithReadOnly<FsStore<NodeDisk>>),
    #[cfg(feature = "indexeddb")]
    Idb(crate::wasm::idb::IdbStore),
    /// `store: 'none'`: nothing is kept (joblib's `location=None`).
    Off,
}

impl Store<JsValue> for JsStore {
    async fn get(&self, name: &str, key: &Key) -> crate::Result<Option<crate::memory::Entry<JsValue>>> {
        match self {
            JsStore::Memory(s) => s.get(name, key).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.get(name, key).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => Ok(s.get(name, key).await?.and_then(|e| {
                let value = decoded(s, e.meta.clone(), &e.value)?;
                Some(Entry { meta: e.meta, value })
            })),
            JsStore::Off => Ok(None),
        }
    }
    async fn put(&self, entry: crate::memory::Entry<JsValue>) -> crate::Result<()> {
        match self {
            JsStore::Memory(s) => s.put(entry).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.put(entry).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => {
                let bytes = serialize_value(&entry.value).map_err(|e| {
                    Error::new(
                        ErrorKind::Store,
                        format!("'{}': the value cannot be serialized: {e:?}", entry.meta.name),
                    )
                })?;
                s.put(Entry { meta: entry.meta, value: bytes.to_vec() }).await
            }
            JsStore::Off => Ok(()),
        }
    }
    async fn set_meta(&self, meta: &Meta) -> crate::Result<()> {
        match self {
            JsStore::Memory(s) => s.set_meta(meta).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.set_meta(meta).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.set_meta(meta).await,
            JsStore::Off => Ok(()),
        }
    }
    async fn remove(&self, name: &str, key: &Key) -> crate::Result<bool> {
        match self {
            JsStore::Memory(s) => s.remove(name, key).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.remove(name, key).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.remove(name, key).await,
            JsStore::Off => Ok(false),
        }
    }
    async fn list(&self) -> crate::Result<Vec<Meta>> {
        match self {
            JsStore::Memory(s) => s.list().await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.list().await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.list().await,
            JsStore::Off => Ok(Vec::new()),
        }
    }
    async fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnOnce(&Meta) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> crate::Result<Option<JsValue>> {
        match self {
            JsStore::Memory(s) => s.hit(name, key, accept, refresh).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.hit(name, key, accept, refresh).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => {
                // The entry's metadata, for removing it if its value does not decode
                // (seen by `accept`, which every store layer calls).
                let meta = std::cell::RefCell::new(None);
                let bytes = s
                    .hit(
                        name,
                        key,
                        |m| {
                            *meta.borrow_mut() = Some(m.clone());
                            accept(m)
                        },
                        refresh,
                    )
                    .await?;
                Ok(bytes.zip(meta.into_inner()).and_then(|(b, m)| decoded(s, m, &b)))
            }
            JsStore::Off => Ok(None),
        }
    }
}

impl JsStore {
    /// The store's name, as `Memory.open` takes it.
    pub(super) fn kind(&self) -> &'static str {
        match self {
            JsStore::Memory(_) => "memory",
            #[cfg(feature = "node-fs")]
            JsStore::Fs(_) => "fs",
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(_) => "indexeddb",
            JsStore::Off => "none",
        }
    }

    /// Whether every operation completes at its first poll (no real I/O wait).
    pub(super) fn answers_at_once(&self) -> bool {
        match self {
            JsStore::Memory(_) | JsStore::Off => true,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(_) => true,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(_) => false,
        }
    }
}

/// A stored value back as a JS value; one that no longer deserializes is a
/// damaged entry: removed, and a miss.
#[cfg(feature = "node-fs")]
fn decoded(store: &impl Store<Vec<u8>>, meta: Meta, bytes: &[u8]) -> Option<JsValue> {
    match deserialize_value(bytes) {
        Ok(v) => Some(v),
        Err(_) => {
            let _ = crate::memory::cached::now_or_never(store.remove(&meta.name, &meta.key));
            None
        }
    }
}
