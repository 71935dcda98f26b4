//! Python's `%` operator, checked against Python's own answers
//! (`tests/vectors/pyfmt.jsonl`, written by `tests/vectors/gen_pyfmt.py`).
//! Runs natively and, under `wasm-pack test --node`, in wasm.

mod common;

use toolmemo::pyfmt::Template;

const VECTORS: &str = include_str!("../../tests/vectors/pyfmt.jsonl");

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn formatter_agrees_with_python() {
    let mut failures = Vec::new();
    let mut count = 0;
    for line in VECTORS.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        let fmt = v["fmt"].as_str().unwrap();
        let got = Template::parse(fmt).apply(&common::decode(&v["arg"]));
        let ok = match (v.get("out").and_then(|o| o.as_str()), &got) {
            (Some(want), Ok(out)) => want == out,
            (None, Err(_)) => true,
            _ => false,
        };
        if !ok {
            failures.push(format!("{fmt:?} % {}: want {}, got {got:?}", v["arg"], v.get("out").unwrap_or(&v["error"])));
        }
        count += 1;
    }
    assert!(count > 5000, "too few vectors: {count}");
    assert!(
        failures.is_empty(),
        "{} of {count} vectors differ:\n{}",
        failures.len(),
        failures[..failures.len().min(40)].join("\n")
    );
}
