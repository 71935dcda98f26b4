//! Python's `%` operator, checked against Python's own answers
//! (`tests/vectors/pyfmt.jsonl`, written by `tests/vectors/gen_pyfmt.py`).
//! Runs natively and, under `wasm-pack test --node`, in wasm; `browser.rs` runs
//! the same check in Chromium.

mod common;

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn formatter_agrees_with_python() {
    common::check_pyfmt_vectors(include_str!("../../tests/vectors/pyfmt.jsonl"));
}
