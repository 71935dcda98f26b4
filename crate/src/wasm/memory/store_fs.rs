//! The filesystem store under Node (cargo feature `node-fs`): opening it from
//! `Memory.open`'s options. A build without the feature (the browser package)
//! has no such store, and none of its code.

use super::*;

/// Whether this build and this host have a filesystem store.
pub(super) fn available() -> bool {
    cfg!(feature = "node-fs") && has_node_fs()
}

/// Opens the store in `dir`, with `compress` and the `readOnly` folders of `o`.
#[cfg(feature = "node-fs")]
pub(super) fn open(o: &Object, dir: &str) -> Result<JsStore, JsValue> {
    use super::super::host::NodeDisk;
    use crate::memory::{FsStore, WithReadOnly};
    let mut store = FsStore::open_on(NodeDisk, dir).map_err(to_js_error)?;
    // `durable: false` publishes without syncing files first (as joblib
    // writes): several times faster; a power cut may lose recent entries, and
    // the sha256 checked on every read turns a torn one into a miss.
    match get(o, "durable") {
        d if d.is_undefined() || d.is_null() => {}
        d if d.as_bool().is_some() => store = store.durable(d.as_bool().unwrap_or(true)),
        _ => return Err(err(ErrorKind::Input, "durable is true or false")),
    }
    // joblib's `compress`: true (level 3) or a zlib level 1–9.
    match get(o, "compress") {
        c if c.as_bool() == Some(true) => store = store.compress(3),
        c if c.as_f64().is_some_and(|l| (1.0..=9.0).contains(&l)) => {
            store = store.compress(c.as_f64().unwrap_or(3.0) as u8)
        }
        c if c.is_undefined() || c.is_null() || c.as_bool() == Some(false) => {}
        _ => return Err(err(ErrorKind::Input, "compress is true or a level from 1 to 9")),
    }
    // Read-only extra locations: hits come from them, nothing goes to them.
    let extra = get(o, "readOnly");
    let read_only = if Array::is_array(&extra) {
        Array::from(&extra)
            .iter()
            .map(|d| {
                let dir = d.as_string().ok_or_else(|| err(ErrorKind::Input, "readOnly lists folders"))?;
                FsStore::open_on(NodeDisk, dir).map_err(to_js_error)
            })
            .collect::<Result<Vec<_>, JsValue>>()?
    } else {
        Vec::new()
    };
    Ok(JsStore::Fs(WithReadOnly::new(store, read_only)))
}

#[cfg(not(feature = "node-fs"))]
pub(super) fn open(_: &Object, _: &str) -> Result<JsStore, JsValue> {
    Err(err(ErrorKind::Input, "store 'fs' is not in this build of toolmemo (use its Node entry)"))
}
