//! The IndexedDB store: entries that outlive the page, in the browser.
//!
//! One database per cache (`toolmemo:<name>`), three object stores: `meta` (the
//! entries' metadata, keyed by `<name>/<key>`, indexed on the order of last use
//! `[lastAccess, created]`, on name and creation time, so listing and eviction
//! never read a value), `values` (the values themselves, as structured-clone
//! values: typed arrays are stored as they are) and `totals` (one record of the
//! entries and bytes held, updated in the transaction of every write and
//! removal, so `usage()` reads one record and `oldest(n)` n records of the
//! index: no walk under limits). A database from before `totals` existed (or
//! whose record is gone) is counted once, in one transaction, on first use.
//! A write resolves once its transaction commits (an aborted one is
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
const TOTALS: &str = "totals";
/// The key of the one record in `totals`.
const ALL: &str = "all";
/// The index of `meta` in the order of last use.
const LRU: &str = "lru";

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
            // Version 2 adds `totals` and the `lru` index (an upgrade keeps the entries).
            .version(2)
            .add_object_store(
                ObjectStore::new(META)
                    .key_path("id")
                    .add_index(Index::new_array(LRU, ["lastAccess", "created"]))
                    .add_index(Index::new("name", "name"))
                    .add_index(Index::new("created", "created")),
            )
            .add_object_store(ObjectStore::new(VALUES))
            .add_object_store(ObjectStore::new(TOTALS))
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
        let tx = self.transaction(&[META, VALUES, TOTALS], TransactionMode::ReadWrite).await?;
        let key = id(&entry.meta.name, &entry.meta.key);
        let meta = tx.store(META).map_err(|e| idb_err("write", e))?;
        let values = tx.store(VALUES).map_err(|e| idb_err("write", e))?;
        let was = meta.get(key.clone()).await.map_err(|e| idb_err("write", e))?.as_ref().and_then(meta_of);
        values.put(&entry.value, Some(&key)).await.map_err(|e| idb_err("write a value", e))?;
        meta.put(&meta_record(&entry.meta)?, None).await.map_err(|e| idb_err("write metadata", e))?;
        let (entries, bytes) = match &was {
            Some(old) => (0, entry.meta.bytes as i64 - old.bytes as i64),
            None => (1, entry.meta.bytes as i64),
        };
        count(&tx, entries, bytes).await?;
        committed(tx, "a write").await?;
        Ok(())
    }

    /// Removes the least recently used tenth of the entries (at least one).
    async fn make_room(&self) -> Result<()> {
        let held = self.usage().await?.entries as usize;
        for m in self.oldest((held / 10).max(1)).await? {
            self.remove(&m.name, &m.key).await?;
        }
        Ok(())
    }

    /// Counts every entry into a new `totals` record (a database from before
    /// it existed, or one whose record was deleted), in one transaction.
    async fn recount(&self) -> Result<crate::memory::Usage> {
        let tx = self.transaction(&[META, TOTALS], TransactionMode::ReadWrite).await?;
        let all = tx.store(META).map_err(|e| idb_err("count", e))?.get_all(None, None).await;
        let metas: Vec<Meta> = all.map_err(|e| idb_err("count", e))?.iter().filter_map(meta_of).collect();
        let usage = crate::memory::Usage { entries: metas.len() as u64, bytes: metas.iter().map(|m| m.bytes).sum() };
        tx.store(TOTALS)
            .map_err(|e| idb_err("count", e))?
            .put(&totals_record(usage)?, Some(&JsValue::from(ALL)))
            .await
            .map_err(|e| idb_err("count", e))?;
        committed(tx, "a count").await?;
        Ok(usage)
    }
}

fn totals_record(u: crate::memory::Usage) -> Result<JsValue> {
    super::convert::from_json(&serde_json::json!({"entries": u.entries, "bytes": u.bytes}))
        .map_err(|e| idb_err("encode totals", e))
}

fn totals_of(record: &JsValue) -> Option<crate::memory::Usage> {
    let json = super::convert::to_json(record, ErrorKind::Store).ok()?;
    Some(crate::memory::Usage { entries: json["entries"].as_u64()?, bytes: json["bytes"].as_u64()? })
}

/// Adds to the totals in `tx` (a transaction over `totals` that also makes
/// the change): nothing while there is no record, which the next `usage()`
/// then makes by counting.
async fn count(tx: &rexie::Transaction, entries: i64, bytes: i64) -> Result<()> {
    if entries == 0 && bytes == 0 {
        return Ok(());
    }
    let totals = tx.store(TOTALS).map_err(|e| idb_err("count", e))?;
    let Some(now) = totals.get(JsValue::from(ALL)).await.map_err(|e| idb_err("count", e))?.as_ref().and_then(totals_of)
    else {
        return Ok(());
    };
    let add = |n: u64, d: i64| n.saturating_add_signed(d);
    let next = crate::memory::Usage { entries: add(now.entries, entries), bytes: add(now.bytes, bytes) };
    totals.put(&totals_record(next)?, Some(&JsValue::from(ALL))).await.map_err(|e| idb_err("count", e))?;
    Ok(())
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
        let tx = self.transaction(&[META, TOTALS], TransactionMode::ReadWrite).await?;
        let store = tx.store(META).map_err(|e| idb_err("update", e))?;
        // Only an entry that still exists is updated.
        let k = id(&meta.name, &meta.key);
        if let Some(was) = store.get(k).await.map_err(|e| idb_err("update", e))?.as_ref().and_then(meta_of) {
            store.put(&meta_record(meta)?, None).await.map_err(|e| idb_err("update metadata", e))?;
            count(&tx, 0, meta.bytes as i64 - was.bytes as i64).await?;
        }
        committed(tx, "an update").await?;
        Ok(())
    }

    async fn remove(&self, name: &str, key: &Key) -> Result<bool> {
        let tx = self.transaction(&[META, VALUES, TOTALS], TransactionMode::ReadWrite).await?;
        let k = id(name, key);
        let meta = tx.store(META).map_err(|e| idb_err("remove", e))?;
        let was = meta.get(k.clone()).await.map_err(|e| idb_err("remove", e))?;
        meta.delete(k.clone()).await.map_err(|e| idb_err("remove", e))?;
        tx.store(VALUES).map_err(|e| idb_err("remove", e))?.delete(k).await.map_err(|e| idb_err("remove", e))?;
        if let Some(m) = was.as_ref().and_then(meta_of) {
            count(&tx, -1, -(m.bytes as i64)).await?;
        }
        committed(tx, "a removal").await?;
        Ok(was.is_some())
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
        mut accept: impl FnMut(&Meta, &JsValue) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> Result<bool> {
        // Read, check and update in one transaction.
        let tx = self.transaction(&[META, VALUES, TOTALS], TransactionMode::ReadWrite).await?;
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
            (None, None) => false,
            (half, _) => {
                // Half an entry: repaired in the same transaction.
                if let Some(m) = &half {
                    count(&tx, -1, -(m.bytes as i64)).await?;
                }
                metas.delete(k.clone()).await.map_err(|e| idb_err("repair", e))?;
                values.delete(k).await.map_err(|e| idb_err("repair", e))?;
                false
            }
        };
        committed(tx, "a hit").await?;
        Ok(out)
    }

    /// The `totals` record (counted once when missing).
    async fn usage(&self) -> Result<crate::memory::Usage> {
        let tx = self.transaction(&[TOTALS], TransactionMode::ReadOnly).await?;
        let record = tx.store(TOTALS).map_err(|e| idb_err("count", e))?.get(JsValue::from(ALL)).await;
        let _ = tx.done().await;
        match record.map_err(|e| idb_err("count", e))?.as_ref().and_then(totals_of) {
            Some(u) => Ok(u),
            None => self.recount().await,
        }
    }

    /// The first `n` of the `lru` index: least recently used first, then
    /// oldest (entries used in the same millisecond and made in the same one
    /// follow the index's own order, by `<name>/<key>`).
    async fn shed(&self, _surely: crate::memory::Usage, _more: impl FnMut(&Meta) -> bool) -> Result<Vec<Meta>> {
        crate::memory::no_shed()
    }

    async fn oldest(&self, n: usize) -> Result<Vec<Meta>> {
        let tx = self.transaction(&[META], TransactionMode::ReadOnly).await?;
        let index = tx.store(META).and_then(|s| s.index(LRU)).map_err(|e| idb_err("list", e))?;
        let first = index.get_all(None, Some(n.min(u32::MAX as usize) as u32)).await;
        let _ = tx.done().await;
        Ok(first.map_err(|e| idb_err("list", e))?.iter().filter_map(meta_of).collect())
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

    /// Not yet (its `lru` index could answer; nothing lists from it so far).
    async fn rows(&self, _name: Option<&str>) -> Result<Vec<crate::memory::Row>> {
        crate::memory::no_rows()
    }

    async fn row_meta(&self, _row: &crate::memory::Row) -> Result<Option<Meta>> {
        crate::memory::no_rows()
    }

    async fn swap_code(&self, _name: &str, _code: &str) -> Result<Option<String>> {
        crate::memory::no_code()
    }
}
