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

// Without the `memory` feature only `Interface` is exported, and what only
// Memory uses (fingerprints of JS values, the Node filesystem) goes unused.
#[cfg_attr(not(feature = "memory"), allow(dead_code))]
mod convert;
#[cfg_attr(not(feature = "memory"), allow(dead_code))]
mod host;
#[cfg(feature = "indexeddb")]
mod idb;
mod interface;
#[cfg(feature = "memory")]
mod memory;

#[cfg(feature = "indexeddb")]
pub use idb::IdbStore;

use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
    crate::host::count_cpus_with(host::cpu_count);
}

/// Whether `value` is an error toolmemo threw (an `Error` with a `kind`): in
/// TypeScript, a type guard for a `catch (e: unknown)`.
#[wasm_bindgen(js_name = isToolmemoError)]
pub fn is_toolmemo_error(value: &JsValue) -> bool {
    let field = |k: &str| js_sys::Reflect::get(value, &k.into()).ok().and_then(|v| v.as_string());
    value.is_instance_of::<js_sys::Error>()
        && field("name").as_deref() == Some("ToolmemoError")
        && field("kind").is_some()
}
