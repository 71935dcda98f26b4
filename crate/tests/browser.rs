//! The shared vectors in a real browser (headless Chromium, through
//! `wasm-pack test --headless --chrome`): Python's `%` answers, nipype's corner
//! cases and the golden fingerprint keys give the same results there as natively
//! and under Node. `--node` runs skip this file; `--chrome` runs skip the others.

#![cfg(target_arch = "wasm32")]

mod common;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test]
fn formatter_agrees_with_python_in_the_browser() {
    common::check_pyfmt_vectors(include_str!("../../tests/vectors/pyfmt.jsonl"));
}

#[wasm_bindgen_test]
fn nipype_probes_pass_in_the_browser() {
    common::check_cases(include_str!("../../tests/vectors/nipype-probes.jsonl"), 100);
}

#[wasm_bindgen_test]
fn golden_keys_hold_in_the_browser() {
    common::check_golden_keys(include_str!("../../tests/vectors/fingerprint.jsonl"));
}
