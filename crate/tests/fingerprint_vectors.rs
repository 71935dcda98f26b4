//! Golden keys (`tests/vectors/fingerprint.jsonl`): the same value gives the same
//! key natively, in wasm (`wasm-pack test --node`) and through the JS API
//! (`tests/fingerprint.test.mjs`). A changed key means a changed encoding: bump
//! `FORMAT_VERSION` and re-bless with `TOOLMEMO_BLESS=1 cargo test --test fingerprint_vectors`.

mod common;

const VECTORS: &str = include_str!("../../tests/vectors/fingerprint.jsonl");

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn golden_keys_hold() {
    let mut lines = Vec::new();
    let mut wrong = Vec::new();
    for line in VECTORS.lines().filter(|l| !l.trim().is_empty()) {
        let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
        let key = common::decode_datum(&v["value"]).key().hex();
        if v["key"] != key.as_str() {
            wrong.push(format!("{}: pinned {}, computed {key}", v["name"], v["key"]));
        }
        v["key"] = key.into();
        lines.push(serde_json::to_string(&v).unwrap());
    }
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("TOOLMEMO_BLESS").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/fingerprint.jsonl");
        std::fs::write(path, lines.join("\n") + "\n").unwrap();
        return;
    }
    assert!(lines.len() >= 30, "only {} vectors", lines.len());
    assert!(wrong.is_empty(), "{} keys differ:\n{}", wrong.len(), wrong.join("\n"));
}
