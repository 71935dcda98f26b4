//! A compressed entry whose metadata loses its compression flag is damage, not
//! a hit with the compressed bytes as its value. (Found by the `stored_entry`
//! fuzz target, input fuzz/regressions/stored_entry/; the recorded sha256 is now
//! of the value as returned, after inflating.)

#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use toolmemo::memory::cached::block_on;
use toolmemo::memory::{function_key, FsStore, Kind, Limits, Memory, NewEntry, Store};

#[test]
fn a_compressed_entry_whose_meta_loses_its_compression_flag_is_not_a_wrong_hit() {
    let dir = std::env::temp_dir().join(format!("toolmemo-known-bug-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let value: Vec<u8> = (0..300u32).map(|i| (i * 31 % 251) as u8).collect();
    let key = function_key("f", "v:1", &[]).key;
    let mem = Memory::new(FsStore::open(&dir).unwrap().compress(3), Limits::default(), "r".into(), Box::new(|| 1.0));
    let new = NewEntry {
        key,
        kind: Kind::Function,
        name: "f".into(),
        bytes: value.len() as u64,
        duration_ms: 0.0,
        code: None,
        args: None,
        sidecar: serde_json::Value::Null,
        format: toolmemo::memory::format::JSON,
    };
    block_on(mem.insert(new, value.clone())).unwrap();
    let meta_path = mem.store().entry_dir("f", &key).join("meta.json");
    for edit in [r#""compression":"zlib","#, r#""compression":"zlib""#] {
        let text = std::fs::read_to_string(&meta_path).unwrap();
        if text.contains(edit) {
            std::fs::write(&meta_path, text.replacen(edit, "", 1)).unwrap();
            break;
        }
    }
    let store = FsStore::open(&dir).unwrap();
    if let Some(e) = block_on(store.get("f", &key)).unwrap() {
        assert_eq!(e.value, value, "a wrong hit: the compressed bytes came back as the value");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
