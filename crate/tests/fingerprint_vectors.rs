//! Golden keys (`tests/vectors/fingerprint.jsonl`): the same value gives the same
//! key natively, in wasm (`wasm-pack test --node`) and through the JS API
//! (`tests/fingerprint.test.mjs`), and in Chromium (`browser.rs`). A changed key means a changed encoding: bump
//! `FORMAT_VERSION` and re-bless with `TOOLMEMO_BLESS=1 cargo test --test fingerprint_vectors`.

mod common;

const VECTORS: &str = include_str!("../../tests/vectors/fingerprint.jsonl");

#[cfg_attr(not(target_arch = "wasm32"), test)]
#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
fn golden_keys_hold() {
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("TOOLMEMO_BLESS").is_some() {
        let blessed: Vec<String> = VECTORS
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|line| {
                let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
                v["key"] = common::decode_datum(&v["value"]).key().hex().into();
                serde_json::to_string(&v).unwrap()
            })
            .collect();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/fingerprint.jsonl");
        std::fs::write(path, blessed.join("\n") + "\n").unwrap();
        return;
    }
    common::check_golden_keys(VECTORS);
}
