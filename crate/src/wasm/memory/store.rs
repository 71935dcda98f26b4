//! Where a JS Memory keeps entries: the core stores, values as JS values.

use super::*;
#[cfg(feature = "node-fs")]
use crate::memory::{Entry, FsStore, WithReadOnly};
#[cfg(feature = "node-fs")]
use crate::wasm::host::{deserialize_value, serialize_value, NodeDisk};
#[cfg(feature = "node-fs")]
use wasm_bindgen::JsCast;

/// Where a JS Memory keeps entries. `M`, the store of the memory arm, is a
/// spy in the test that every arm forwards every method.
pub(super) enum JsStore<M = MemoryStore<JsValue>> {
    Memory(M),
    /// The filesystem store under Node (with any read-only locations behind it);
    /// values as V8's serialization of them.
    #[cfg(feature = "node-fs")]
    Fs(WithReadOnly<FsStore<NodeDisk>>),
    #[cfg(feature = "indexeddb")]
    Idb(crate::wasm::idb::IdbStore),
    /// `store: 'none'`: nothing is kept (joblib's `location=None`).
    Off,
}

impl<M: Store<JsValue>> Store<JsValue> for JsStore<M> {
    async fn get(&self, name: &str, key: &Key) -> crate::Result<Option<crate::memory::Entry<JsValue>>> {
        match self {
            JsStore::Memory(s) => s.get(name, key).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.get(name, key).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => {
                Ok(s.get(name, key).await?.map(|e| Entry { value: decode(&e.meta, &e.value), meta: e.meta }))
            }
            JsStore::Off => Ok(None),
        }
    }
    async fn put(&self, entry: crate::memory::Entry<JsValue>) -> crate::Result<()> {
        match self {
            JsStore::Memory(s) => s.put(entry).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.put(entry).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.put(encode(entry)?).await,
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
    async fn usage(&self) -> crate::Result<crate::memory::Usage> {
        match self {
            JsStore::Memory(s) => s.usage().await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.usage().await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.usage().await,
            JsStore::Off => Ok(crate::memory::Usage::default()),
        }
    }
    async fn shed(&self, surely: crate::memory::Usage, more: impl FnMut(&Meta) -> bool) -> crate::Result<Vec<Meta>> {
        match self {
            JsStore::Memory(s) => s.shed(surely, more).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.shed(surely, more).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.shed(surely, more).await,
            JsStore::Off => Ok(Vec::new()),
        }
    }
    async fn oldest(&self, n: usize) -> crate::Result<Vec<Meta>> {
        match self {
            JsStore::Memory(s) => s.oldest(n).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.oldest(n).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.oldest(n).await,
            JsStore::Off => Ok(Vec::new()),
        }
    }
    async fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnMut(&Meta, &JsValue) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> crate::Result<bool> {
        #[cfg(feature = "node-fs")]
        let mut accept = accept;
        match self {
            JsStore::Memory(s) => s.hit(name, key, accept, refresh).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.hit(name, key, accept, refresh).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => {
                // Decoded inside the store's acceptance (what cannot be decoded
                // is the front end's to refuse, never removed here).
                s.hit(name, key, |m, bytes| accept(m, &decode(m, bytes)), refresh).await
            }
            JsStore::Off => Ok(false),
        }
    }
    async fn claim(&self, name: &str, key: &Key) -> crate::Result<crate::memory::Flight> {
        match self {
            JsStore::Memory(s) => s.claim(name, key).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.claim(name, key).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.claim(name, key).await,
            JsStore::Off => Ok(crate::memory::Flight::free()),
        }
    }
    async fn record_use(&self, name: &str, key: &Key, at_ms: f64, run: &str) -> crate::Result<()> {
        match self {
            JsStore::Memory(s) => s.record_use(name, key, at_ms, run).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.record_use(name, key, at_ms, run).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.record_use(name, key, at_ms, run).await,
            JsStore::Off => Ok(()),
        }
    }
    async fn stage(&self, name: &str) -> crate::Result<std::path::PathBuf> {
        match self {
            JsStore::Memory(s) => s.stage(name).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.stage(name).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.stage(name).await,
            JsStore::Off => crate::memory::no_folders(name),
        }
    }
    async fn publish(&self, staged: &std::path::Path, entry: crate::memory::Entry<JsValue>) -> crate::Result<()> {
        match self {
            JsStore::Memory(s) => s.publish(staged, entry).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.publish(staged, entry).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.publish(staged, encode(entry)?).await,
            JsStore::Off => crate::memory::no_folders(&entry.meta.name),
        }
    }
    async fn folder(&self, name: &str, key: &Key) -> crate::Result<Option<std::path::PathBuf>> {
        match self {
            JsStore::Memory(s) => s.folder(name, key).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.folder(name, key).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.folder(name, key).await,
            JsStore::Off => Ok(None),
        }
    }
    async fn rows(&self, name: Option<&str>) -> crate::Result<Vec<crate::memory::Row>> {
        match self {
            JsStore::Memory(s) => s.rows(name).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.rows(name).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.rows(name).await,
            JsStore::Off => Ok(Vec::new()),
        }
    }
    async fn row_meta(&self, row: &crate::memory::Row) -> crate::Result<Option<Meta>> {
        match self {
            JsStore::Memory(s) => s.row_meta(row).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.row_meta(row).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.row_meta(row).await,
            JsStore::Off => Ok(None),
        }
    }

    async fn swap_code(&self, name: &str, code: &str) -> crate::Result<Option<String>> {
        match self {
            JsStore::Memory(s) => s.swap_code(name, code).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.swap_code(name, code).await,
            #[cfg(feature = "node-fs")]
            JsStore::Fs(s) => s.swap_code(name, code).await,
            JsStore::Off => Ok(Some(code.to_string())),
        }
    }
}

impl<M> JsStore<M> {
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

/// A value for the filesystem: a JS value (`js`) as V8's serialization
/// (`v8`); the other formats are bytes already (a `Uint8Array`).
#[cfg(feature = "node-fs")]
fn encode(entry: Entry<JsValue>) -> crate::Result<Entry<Vec<u8>>> {
    use crate::memory::format;
    let Entry { mut meta, value } = entry;
    let bytes = if meta.format == format::JS {
        meta.format = format::V8.to_string();
        serialize_value(&value).map(|b| b.to_vec()).map_err(|e| {
            Error::new(ErrorKind::Store, format!("'{}': the value cannot be serialized: {e:?}", meta.name))
        })?
    } else {
        match value.dyn_ref::<js_sys::Uint8Array>() {
            Some(b) => b.to_vec(),
            None => {
                return Err(Error::new(
                    ErrorKind::Store,
                    format!("'{}': a value of format '{}' must be bytes", meta.name, meta.format),
                ))
            }
        }
    };
    Ok(Entry { meta, value: bytes })
}

/// Stored bytes as a JS value: `v8` (and entries from before formats were
/// recorded, where they deserialize) as the value; anything else as its
/// bytes, for the front end to read or refuse. Nothing is judged here.
#[cfg(feature = "node-fs")]
fn decode(meta: &Meta, bytes: &[u8]) -> JsValue {
    use crate::memory::format;
    if meta.format == format::V8 || meta.format == format::LEGACY {
        if let Ok(v) = deserialize_value(bytes) {
            return v;
        }
    }
    js_sys::Uint8Array::from(bytes).into()
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use super::*;
    use crate::memory::spy::{every_method, has_all, Spy, ALL};
    use wasm_bindgen_test::wasm_bindgen_test;

    #[wasm_bindgen_test]
    fn the_memory_arm_forwards_every_method() {
        let store = JsStore::Memory(Spy::<JsValue>::default());
        every_method(&store, JsValue::from(1));
        let JsStore::Memory(spy) = &store else { unreachable!() };
        has_all(&spy.calls(), &ALL, "JsStore::Memory");
    }
}
