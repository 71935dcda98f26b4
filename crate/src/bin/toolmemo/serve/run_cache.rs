//! What the server needs of `run::Cache` beyond what the CLI's verbs use: one
//! entry read without counting a hit (with its folder), and one removed.

pub use super::super::run::Cache;
use std::path::PathBuf;
use toolmemo::fingerprint::Key;
use toolmemo::memory::{cached::block_on, Meta, Store};
use toolmemo::Error;

/// An entry's metadata, value and folder (local entries have one).
pub type Found = (Meta, Vec<u8>, Option<PathBuf>);

/// An entry, if it is there.
pub fn get(cache: &Cache, name: &str, key: &Key) -> Result<Option<Found>, Error> {
    match cache {
        Cache::Local(r) => {
            // The cache folder itself (read-only locations are not listed either).
            let store = &r.memory().store().local.writable;
            let Some(e) = block_on(store.get(name, key))? else { return Ok(None) };
            let dir = block_on(store.folder(name, key))?;
            Ok(Some((e.meta, e.value, dir)))
        }
        #[cfg(feature = "redis")]
        Cache::Shared(m) => Ok(block_on(m.store().get(name, key))?.map(|e| (e.meta, e.value, None))),
    }
}

/// Removes one entry; whether it was there.
pub fn remove(cache: &Cache, name: &str, key: &Key) -> Result<bool, Error> {
    match cache {
        Cache::Local(r) => block_on(r.memory().remove(name, key)),
        #[cfg(feature = "redis")]
        Cache::Shared(m) => block_on(m.remove(name, key)),
    }
}
