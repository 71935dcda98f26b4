//! The JavaScript face of the crate, and the only module that knows JS types.
//!
//! It translates at the edge and nowhere else: JS values become JSON or
//! fingerprint data (`convert`), core errors become JS `Error`s carrying `kind`
//! and `input` (`convert::to_js_error`), and what only a host can answer — does a
//! path exist, what is in a file, what time is it — is asked of Node or the
//! browser (`host`). `interface` and `memory` are the exported classes; the
//! JavaScript they need to look native (variadic cached functions, parameter
//! names) is the snippet `memory.js`.
//!
//! Every export returns a `Result`, so bad input is a thrown `Error`, never a trap.

mod convert;
mod host;
#[cfg(feature = "indexeddb")]
mod idb;
mod interface;
mod memory;

#[cfg(feature = "indexeddb")]
pub use idb::IdbStore;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}
