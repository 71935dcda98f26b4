//! nipype's corner cases (`tests/vectors/nipype-probes.jsonl`, made by
//! `bench/peer/probe_semantics.py` against nipype 1.12 itself), less the few
//! where the spec contract deliberately differs from nipype: a JSON `true` is
//! not an `Int` or a `Float`, and integers beyond 64 bits are not read exactly.
//! Runs natively and, under `wasm-pack test --node`, in wasm: the same command
//! lines on both targets.

mod common;

const PROBES: &str = include_str!("../../tests/vectors/nipype-probes.jsonl");

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn nipype_probes_pass() {
    let lines: Vec<&str> = PROBES.lines().filter(|l| !l.trim().is_empty()).collect();
    let failures: Vec<String> = lines.iter().filter_map(|l| common::run_conformance_case(l).err()).collect();
    assert!(lines.len() > 100, "only {} probes", lines.len());
    assert!(failures.is_empty(), "{} of {} probes fail:\n{}", failures.len(), lines.len(), failures.join("\n"));
}
