//! Lists a filesystem cache as JSON, reading every entry's value as a check:
//! `{"entries": [{name, key, kind, hits, bytes}], "incidents": [...]}`. Used by
//! the Node tests to show that a cache written from Node reads natively.
//! (The `toolmemo ls` command will supersede it.)
//!
//!     cache_ls DIR

use toolmemo::memory::cached::block_on;
use toolmemo::memory::{FsStore, Store};

fn main() {
    let dir = std::env::args().nth(1).expect("usage: cache_ls DIR");
    let store = FsStore::open(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut entries = Vec::new();
    for meta in block_on(store.list()).expect("list") {
        let readable = block_on(store.get(&meta.name, &meta.key)).expect("read").is_some();
        entries.push(serde_json::json!({
            "name": meta.name, "key": meta.key.hex(), "kind": meta.kind.as_str(),
            "hits": meta.hits, "bytes": meta.bytes, "readable": readable,
        }));
    }
    println!("{}", serde_json::json!({"entries": entries, "incidents": store.take_incidents()}));
}
