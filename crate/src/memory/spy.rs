//! Every wrapper of a store forwards every method of the contract: an `Rc`,
//! read-only layers, tiers, and JS's dispatching `JsStore` (its test is in
//! `wasm::memory::store`). A spy store records what reaches it; a wrapper
//! that swallowed a method (as an `Rc` once swallowed `claim`, losing Redis
//! single-flight) fails here. The contract has no default bodies, so a new
//! method cannot be forgotten silently either: this test must then name it.

use super::cached::block_on;
use super::{format, function_key, Entry, Flight, Kind, MemoryStore, Meta, Row, Store, Usage};
use crate::fingerprint::Key;
use crate::Result;
use std::cell::RefCell;
use std::path::{Path, PathBuf};

/// A memory store that logs each method called on it.
pub(crate) struct Spy<V> {
    inner: MemoryStore<V>,
    calls: RefCell<Vec<&'static str>>,
}

impl<V> Default for Spy<V> {
    fn default() -> Self {
        Spy { inner: MemoryStore::default(), calls: RefCell::default() }
    }
}

impl<V> Spy<V> {
    fn saw(&self, what: &'static str) {
        self.calls.borrow_mut().push(what);
    }
    pub(crate) fn calls(&self) -> Vec<&'static str> {
        self.calls.borrow().clone()
    }
}

impl<V: Clone> Store<V> for Spy<V> {
    async fn get(&self, name: &str, key: &Key) -> Result<Option<Entry<V>>> {
        self.saw("get");
        self.inner.get(name, key).await
    }
    async fn put(&self, entry: Entry<V>) -> Result<()> {
        self.saw("put");
        self.inner.put(entry).await
    }
    async fn set_meta(&self, meta: &Meta) -> Result<()> {
        self.saw("set_meta");
        self.inner.set_meta(meta).await
    }
    async fn remove(&self, name: &str, key: &Key) -> Result<bool> {
        self.saw("remove");
        self.inner.remove(name, key).await
    }
    async fn list(&self) -> Result<Vec<Meta>> {
        self.saw("list");
        self.inner.list().await
    }
    async fn usage(&self) -> Result<Usage> {
        self.saw("usage");
        self.inner.usage().await
    }
    async fn shed(&self, surely: Usage, more: impl FnMut(&Meta) -> bool) -> Result<Vec<Meta>> {
        self.saw("shed");
        self.inner.shed(surely, more).await
    }
    async fn oldest(&self, n: usize) -> Result<Vec<Meta>> {
        self.saw("oldest");
        self.inner.oldest(n).await
    }
    async fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnMut(&Meta, &V) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> Result<bool> {
        self.saw("hit");
        self.inner.hit(name, key, accept, refresh).await
    }
    async fn claim(&self, _name: &str, _key: &Key) -> Result<Flight> {
        self.saw("claim");
        Ok(Flight::free())
    }
    async fn record_use(&self, _name: &str, _key: &Key, _at_ms: f64, _run: &str) -> Result<()> {
        self.saw("record_use");
        Ok(())
    }
    async fn stage(&self, _name: &str) -> Result<PathBuf> {
        self.saw("stage");
        Ok(PathBuf::from("/staged"))
    }
    async fn publish(&self, _staged: &Path, entry: Entry<V>) -> Result<()> {
        self.saw("publish");
        self.inner.put(entry).await
    }
    async fn folder(&self, _name: &str, _key: &Key) -> Result<Option<PathBuf>> {
        self.saw("folder");
        Ok(Some(PathBuf::from("/entry")))
    }
    async fn rows(&self, name: Option<&str>) -> Result<Vec<Row>> {
        self.saw("rows");
        self.inner.rows(name).await
    }
    async fn row_meta(&self, row: &Row) -> Result<Option<Meta>> {
        self.saw("row_meta");
        self.inner.row_meta(row).await
    }
    async fn swap_code(&self, name: &str, code: &str) -> Result<Option<String>> {
        self.saw("swap_code");
        self.inner.swap_code(name, code).await
    }
}

fn entry<V>(value: V) -> Entry<V> {
    let key = function_key("f", "v:1", &[]).key;
    let mut meta = Meta::blank(key);
    meta.name = "f".into();
    meta.kind = Kind::Function;
    meta.format = format::JSON.into();
    Entry { meta, value }
}

/// Calls every method of the contract once on `store`, with an entry holding `value`.
pub(crate) fn every_method<V: Clone, S: Store<V>>(store: &S, value: V) {
    let e = entry(value);
    let (name, key) = (e.meta.name.clone(), e.meta.key);
    block_on(store.put(e.clone())).unwrap();
    block_on(store.get(&name, &key)).unwrap();
    block_on(store.set_meta(&e.meta)).unwrap();
    block_on(store.hit(&name, &key, |_, _| true, |_| {})).unwrap();
    block_on(store.list()).unwrap();
    block_on(store.usage()).unwrap();
    block_on(store.oldest(4)).unwrap();
    // Sheds nothing (`more` takes no entry), but must reach the store.
    let _ = block_on(store.shed(Usage::default(), |_| false));
    drop(block_on(store.claim(&name, &key)).unwrap());
    block_on(store.record_use(&name, &key, 1.0, "r")).unwrap();
    block_on(store.stage(&name)).unwrap();
    block_on(store.publish(Path::new("/staged"), e.clone())).unwrap();
    block_on(store.folder(&name, &key)).unwrap();
    let rows = block_on(store.rows(Some(&name))).unwrap();
    block_on(store.row_meta(&rows[0])).unwrap();
    // The inner memory store keeps no record: the call must reach it all the same.
    let _ = block_on(store.swap_code(&name, "v:1"));
    block_on(store.remove(&name, &key)).unwrap();
}

pub(crate) const ALL: [&str; 17] = [
    "put",
    "get",
    "set_meta",
    "hit",
    "list",
    "usage",
    "oldest",
    "shed",
    "claim",
    "record_use",
    "stage",
    "publish",
    "folder",
    "rows",
    "row_meta",
    "swap_code",
    "remove",
];

pub(crate) fn has_all(calls: &[&str], which: &[&str], wrapper: &str) {
    for m in which {
        assert!(calls.contains(m), "{wrapper} did not forward `{m}` (saw {calls:?})");
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod wrappers {
    use super::*;
    use crate::memory::{Tiered, WithReadOnly};
    use std::rc::Rc;

    #[test]
    fn an_rc_forwards_every_method() {
        let spy = Rc::new(Spy::<Vec<u8>>::default());
        every_method(&spy, b"1".to_vec());
        has_all(&spy.calls(), &ALL, "Rc");
    }

    #[test]
    fn read_only_layers_forward_every_method_to_the_writable_store() {
        let layered = WithReadOnly::new(Spy::default(), vec![Spy::default()]);
        every_method(&layered, b"1".to_vec());
        has_all(&layered.writable.calls(), &ALL, "WithReadOnly");
        // Nothing that writes ever reaches a read-only location.
        let ro = layered.read_only[0].calls();
        for w in ["put", "set_meta", "remove", "publish", "stage", "claim", "record_use"] {
            assert!(!ro.contains(&w), "a read-only location got `{w}`");
        }
    }

    #[test]
    fn a_tier_without_a_shared_one_forwards_every_method_to_the_local_one() {
        let alone: Tiered<Spy<Vec<u8>>, crate::memory::Nowhere> =
            Tiered::carrying(Spy::default(), None, crate::memory::Plain);
        every_method(&alone, b"1".to_vec());
        has_all(&alone.local.calls(), &ALL, "Tiered (alone)");
    }

    #[test]
    fn tiers_forward_each_method_to_the_tier_that_owns_it() {
        let tiered = Tiered::new(Spy::default(), Spy::default());
        every_method(&tiered, b"1".to_vec());
        // Values and metadata go to both; single-flight and uses elsewhere are the
        // shared tier's; folders (a run's files) the local tier's.
        has_all(
            &tiered.local.calls(),
            &["put", "get", "set_meta", "hit", "list", "stage", "publish", "folder", "remove"],
            "Tiered (local)",
        );
        has_all(
            &tiered.shared.as_ref().unwrap().calls(),
            &["put", "set_meta", "list", "usage", "oldest", "claim", "record_use", "rows", "row_meta", "remove"],
            "Tiered (shared)",
        );
    }
}
