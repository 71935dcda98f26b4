//! The IndexedDB store: entries that outlive the page, in the browser.
//!
//! One database per cache (`toolmemo:<name>`), two object stores: `meta` (the
//! entries' metadata, keyed by `<name>/<key>`, indexed on last access, name and
//! creation time, so listing and eviction never read a value) and `values` (the
//! values themselves, as structured-clone values: typed arrays are stored as
//! they are). A write resolves once its transaction commits (an aborted one is
//! an error); a hit reads and updates the metadata in one transaction. A
//! metadata record whose value is missing is a miss, and is repaired (removed)
//! on the spot. A write refused for quota (Chromium aborts its transaction)
//! evicts the least recently used tenth and is retried once; then it fails with
//! a clear error, and nothing else is lost. A connection the browser closed
//! (Safari does) is reopened once per operation.

use crate::error::{Error, ErrorKind, Result};
use crate::fingerprint::Key;
use crate::memory::{Entry, Meta, Store};
use rexie::{Index, ObjectStore, Rexie, TransactionMode};
use std::cell::RefCell;
use wasm_bindgen::JsValue;

const META: &str = "meta";
const VALUES: &str = "values";

/// A cache in IndexedDB; values are JS values.
pub struct IdbStore {
    name: String,
    db: RefCell<Option<std::rc::Rc<Rexie>>>,
}

fn idb_err(what: &str, e: impl std::fmt::Debug) -> Error {
    Error::new(ErrorKind::Store, format!("IndexedDB: cannot {what}: {e:?}"))
}

fn id(name: &str, key: &Key) -> JsValue {
    JsValue::from(format!("{name}/{}", key.hex()))
}

fn meta_record(meta: &Meta) -> Result<JsValue> {
    let mut j = meta.to_json();
    j["id"] = format!("{}/{}", meta.name, meta.key.hex()).into();
    super::convert::from_json(&j).map_err(|e| idb_err("encode metadata", e))
}

fn meta_of(record: &JsValue) -> Option<Meta> {
    let json: serde_json::Value = super::convert::to_json(record, ErrorKind::Store).ok()?;
    Meta::from_json(&json)
}

/// What an aborted transaction's error says (rexie hands back only that it
/// was aborted, not the browser's reason).
const ABORTED: &str = "the browser aborted the transaction";

/// Waits for `tx` to finish: an aborted transaction is an error, never a
/// silent success (a write refused for lack of space ends this way).
async fn committed(tx: rexie::Transaction, what: &str) -> Result<()> {
    match tx.done().await {
        Ok(r) if r.is_committed() => Ok(()),
        Ok(_) => Err(Error::new(ErrorKind::Store, format!("IndexedDB: cannot commit {what}: {ABORTED}"))),
        Err(e) => Err(idb_err(&format!("commit {what}"), e)),
    }
}

/// Whether a failed write may be the browser refusing it for lack of space:
/// a QuotaExceededError, or (how Chromium reports it, at commit) an aborted
/// transaction. Making room for nothing else costs only old cache entries.
fn may_be_full(e: &Error) -> bool {
    e.message.contains("Quota") || e.message.contains(ABORTED)
}

impl IdbStore {
    /// Opens (creating if needed) the database of cache `name`.
    pub async fn open(name: &str) -> Result<IdbStore> {
        let store = IdbStore { name: format!("toolmemo:{name}"), db: RefCell::new(None) };
        store.db(false).await?;
        Ok(store)
    }

    async fn db(&self, reopen: bool) -> Result<std::rc::Rc<Rexie>> {
        if !reopen {
            if let Some(db) = self.db.borrow().as_ref() {
                return Ok(db.clone());
            }
        }
        let db = Rexie::builder(&self.name)
            .version(1)
            .add_object_store(
                ObjectStore::new(META)
                    .key_path("id")
                    .add_index(Index::new("lastAccess", "lastAccess"))
                    .add_index(Index::new("name", "name"))
                    .add_index(Index::new("created", "created")),
            )
            .add_object_store(ObjectStore::new(VALUES))
            .build()
            .await
            .map_err(|e| idb_err("open the database", e))?;
        let db = std::rc::Rc::new(db);
        if let Some(old) = self.db.borrow_mut().replace(db.clone()) {
            close(old);
        }
        Ok(db)
    }

    /// A transaction, reopening the connection once if the browser closed it.
    async fn transaction(&self, stores: &[&str], mode: TransactionMode) -> Result<rexie::Transaction> {
        match self.db(false).await?.transaction(stores, mode) {
            Ok(tx) => Ok(tx),
            Err(_) => self.db(true).await?.transaction(stores, mode).map_err(|e| idb_err("start a transaction", e)),
        }
    }

    async fn write(&self, entry: &Entry<JsValue>) -> Result<()> {
        let tx = self.transaction(&[META, VALUES], TransactionMode::ReadWrite).await?;
        let key = id(&entry.meta.name, &entry.meta.key);
        let meta = tx.store(META).map_err(|e| idb_err("write", e))?;
        let values = tx.store(VALUES).map_err(|e| idb_err("write", e))?;
        values.put(&entry.value, Some(&key)).await.map_err(|e| idb_err("write a value", e))?;
        meta.put(&meta_record(&entry.meta)?, None).await.map_err(|e| idb_err("write metadata", e))?;
        committed(tx, "a write").await?;
        Ok(())
    }

    /// Removes the least recently used tenth of the entries (at least one).
    async fn make_room(&self) -> Result<()> {
        let metas = self.list().await?;
        // Eviction's own order (no sort of our own: each costs kilobytes of wasm).
        let keep = metas.len() - (metas.len() / 10).max(1).min(metas.len());
        let limits = crate::memory::Limits { items: Some(keep), ..Default::default() };
        for m in crate::memory::select_evictions(&metas, &limits, js_sys::Date::now()) {
            self.remove(&m.name, &m.key).await?;
        }
        Ok(())
    }
}

/// Closes a connection before its handle goes: idb's event closures die with the
/// handle, and a still-open connection would call them later (an uncaught
/// "closure invoked after being dropped" in the page).
fn close(db: std::rc::Rc<Rexie>) {
    if let Ok(db) = std::rc::Rc::try_unwrap(db) {
        db.close();
    }
}

impl Drop for IdbStore {
    fn drop(&mut self) {
        if let Some(db) = self.db.borrow_mut().take() {
            close(db);
        }
    }
}

impl Store<JsValue> for IdbStore {
    async fn get(&self, name: &str, key: &Key) -> Result<Option<Entry<JsValue>>> {
        let tx = self.transaction(&[META, VALUES], TransactionMode::ReadOnly).await?;
        let k = id(name, key);
        let meta =
            tx.store(META).map_err(|e| idb_err("read", e))?.get(k.clone()).await.map_err(|e| idb_err("read", e))?;
        let value = tx.store(VALUES).map_err(|e| idb_err("read", e))?.get(k).await.map_err(|e| idb_err("read", e))?;
        let _ = tx.done().await;
        match (meta.as_ref().and_then(meta_of), value) {
            (Some(meta), Some(value)) => Ok(Some(Entry { meta, value })),
            (None, None) => Ok(None),
            // Half an entry (or unreadable metadata): a miss, repaired now.
            _ => {
                self.remove(name, key).await?;
                Ok(None)
            }
        }
    }

    async fn put(&self, entry: Entry<JsValue>) -> Result<()> {
        match self.write(&entry).await {
            Err(e) if may_be_full(&e) => {
                self.make_room().await?;
                self.write(&entry).await.map_err(|e| {
                    Error::new(
                        ErrorKind::Store,
                        format!("IndexedDB is full even after evicting old entries: {}", e.message),
                    )
                })
            }
            other => other,
        }
    }

    async fn set_meta(&self, meta: &Meta) -> Result<()> {
        let tx = self.transaction(&[META], TransactionMode::ReadWrite).await?;
        let store = tx.store(META).map_err(|e| idb_err("update", e))?;
        // Only an entry that still exists is updated.
        if store.key_exists(id(&meta.name, &meta.key)).await.map_err(|e| idb_err("update", e))? {
            store.put(&meta_record(meta)?, None).await.map_err(|e| idb_err("update metadata", e))?;
        }
        committed(tx, "an update").await?;
        Ok(())
    }

    async fn remove(&self, name: &str, key: &Key) -> Result<bool> {
        let tx = self.transaction(&[META, VALUES], TransactionMode::ReadWrite).await?;
        let k = id(name, key);
        let meta = tx.store(META).map_err(|e| idb_err("remove", e))?;
        let existed = meta.key_exists(k.clone()).await.map_err(|e| idb_err("remove", e))?;
        meta.delete(k.clone()).await.map_err(|e| idb_err("remove", e))?;
        tx.store(VALUES).map_err(|e| idb_err("remove", e))?.delete(k).await.map_err(|e| idb_err("remove", e))?;
        committed(tx, "a removal").await?;
        Ok(existed)
    }

    async fn list(&self) -> Result<Vec<Meta>> {
        let tx = self.transaction(&[META], TransactionMode::ReadOnly).await?;
        let all = tx
            .store(META)
            .map_err(|e| idb_err("list", e))?
            .get_all(None, None)
            .await
            .map_err(|e| idb_err("list", e))?;
        let _ = tx.done().await;
        Ok(all.iter().filter_map(meta_of).collect())
    }

    async fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnOnce(&Meta, &JsValue) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> Result<bool> {
        // Read, check and update in one transaction.
        let tx = self.transaction(&[META, VALUES], TransactionMode::ReadWrite).await?;
        let k = id(name, key);
        let metas = tx.store(META).map_err(|e| idb_err("read", e))?;
        let values = tx.store(VALUES).map_err(|e| idb_err("read", e))?;
        let meta = metas.get(k.clone()).await.map_err(|e| idb_err("read", e))?.as_ref().and_then(meta_of);
        let value = values.get(k.clone()).await.map_err(|e| idb_err("read", e))?;
        let out = match (meta, value) {
            (Some(mut meta), Some(value)) => {
                if accept(&meta, &value) {
                    refresh(&mut meta);
                    metas.put(&meta_record(&meta)?, None).await.map_err(|e| idb_err("update metadata", e))?;
                    true
                } else {
                    false
                }
            }
            (Some(_), None) | (None, Some(_)) => {
                // Half an entry: repaired in the same transaction.
                metas.delete(k.clone()).await.map_err(|e| idb_err("repair", e))?;
                values.delete(k).await.map_err(|e| idb_err("repair", e))?;
                false
            }
            _ => false,
        };
        committed(tx, "a hit").await?;
        Ok(out)
    }

    /// From a listing: IndexedDB has no index of last use yet (a walk per
    /// insert under limits; see bench/README.md).
    async fn usage(&self) -> Result<crate::memory::Usage> {
        let all = self.list().await?;
        Ok(crate::memory::Usage { entries: all.len() as u64, bytes: all.iter().map(|m| m.bytes).sum() })
    }

    async fn oldest(&self, n: usize) -> Result<Vec<Meta>> {
        let mut all = self.list().await?;
        all.sort_by_key(crate::memory::lru_rank);
        all.truncate(n);
        Ok(all)
    }

    async fn claim(&self, _name: &str, _key: &Key) -> Result<crate::memory::Flight> {
        // One tab's callers are de-duplicated by the JS Memory; tabs may compute twice.
        Ok(crate::memory::Flight::free())
    }

    async fn record_use(&self, _name: &str, _key: &Key, _at_ms: f64, _run: &str) -> Result<()> {
        Ok(())
    }

    async fn stage(&self, name: &str) -> Result<std::path::PathBuf> {
        crate::memory::no_folders(name)
    }

    async fn publish(&self, _staged: &std::path::Path, entry: Entry<JsValue>) -> Result<()> {
        crate::memory::no_folders(&entry.meta.name)
    }

    async fn folder(&self, _name: &str, _key: &Key) -> Result<Option<std::path::PathBuf>> {
        Ok(None)
    }
}
