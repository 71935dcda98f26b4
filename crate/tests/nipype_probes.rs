//! nipype's corner cases (`tests/vectors/nipype-probes.jsonl`, made by
//! `bench/peer/probe_semantics.py` against nipype 1.12 itself), less the few
//! where the spec contract deliberately differs from nipype: a JSON `true` is
//! not an `Int` or a `Float`, and integers beyond 64 bits are not read exactly.
//! Runs natively, in wasm under Node, and (`browser.rs`) in Chromium: the same
//! command lines on every target.

mod common;

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn nipype_probes_pass() {
    common::check_cases(include_str!("../../tests/vectors/nipype-probes.jsonl"), 100);
}
