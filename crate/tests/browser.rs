//! The shared vectors in a real browser (headless Chromium, through
//! `wasm-pack test --headless --chrome`): Python's `%` answers, nipype's corner
//! cases, the golden fingerprint keys and SPM batch scripts give the same results there as natively
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

#[wasm_bindgen_test]
fn spm_scripts_are_nipypes_in_the_browser() {
    common::check_spm_scripts(include_str!("../../tests/vectors/spm-realign.json"));
}

mod indexeddb {
    //! The IndexedDB store in real Chromium: entries survive a new connection
    //! (as after reloading the page), eviction works through Memory, and half an
    //! entry (a value gone missing) is a miss that gets repaired.

    use js_sys::{Object, Reflect};
    use serde_json::json;
    use toolmemo::fingerprint::Key;
    use toolmemo::memory::{function_key, Entry, Kind, Limits, Memory, Meta, NewEntry, Store};
    use toolmemo::wasm::IdbStore;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::wasm_bindgen_test;

    fn key(name: &str) -> Key {
        function_key(name, "v:1", &[]).key
    }

    fn value(n: f64) -> JsValue {
        let o = Object::new();
        Reflect::set(&o, &"n".into(), &n.into()).unwrap();
        Reflect::set(&o, &"bytes".into(), &js_sys::Uint8Array::from(&[1u8, 2, 3][..])).unwrap();
        o.into()
    }

    fn new(name: &str) -> NewEntry {
        NewEntry {
            key: key(name),
            kind: Kind::Function,
            name: name.into(),
            bytes: 10,
            duration_ms: 1.0,
            code: None,
            args: None,
            sidecar: json!({"n": name}),
            format: toolmemo::memory::format::JSON,
        }
    }

    fn unique(prefix: &str) -> String {
        format!("{prefix}-{}", js_sys::Math::random())
    }

    #[wasm_bindgen_test]
    async fn entries_survive_a_new_connection() {
        let db = unique("reopen");
        let mem = Memory::new(
            IdbStore::open(&db).await.unwrap(),
            Limits::default(),
            "run-1".into(),
            Box::new(js_sys::Date::now),
        );
        mem.insert(new("a"), value(1.0)).await.unwrap();
        let hit = mem.lookup_value("a", &key("a"), |_| true).await.unwrap().expect("a hit");
        assert_eq!(Reflect::get(&hit, &"n".into()).unwrap().as_f64(), Some(1.0));
        // A new connection, as after a reload, finds the entry and its hit count.
        let again = IdbStore::open(&db).await.unwrap();
        let metas: Vec<Meta> = again.list().await.unwrap();
        assert_eq!(metas.len(), 1);
        assert_eq!((metas[0].name.as_str(), metas[0].hits), ("a", 1));
        let entry: Entry<JsValue> = again.get("a", &key("a")).await.unwrap().expect("still there");
        let bytes = Reflect::get(&entry.value, &"bytes".into()).unwrap();
        assert!(bytes.is_instance_of::<js_sys::Uint8Array>(), "typed arrays are stored as they are");
        assert!(again.remove("a", &key("a")).await.unwrap());
        assert!(again.get("a", &key("a")).await.unwrap().is_none());
    }

    #[wasm_bindgen_test]
    async fn eviction_keeps_the_most_recently_used() {
        let store = IdbStore::open(&unique("evict")).await.unwrap();
        let now = std::rc::Rc::new(std::cell::Cell::new(1000.0));
        let clock = now.clone();
        let mem = Memory::new(
            store,
            Limits { items: Some(2), ..Limits::default() },
            "r".into(),
            Box::new(move || clock.get()),
        );
        for (i, n) in ["a", "b"].iter().enumerate() {
            now.set(1000.0 + i as f64);
            mem.insert(new(n), value(i as f64)).await.unwrap();
        }
        now.set(2000.0);
        mem.lookup_value("a", &key("a"), |_| true).await.unwrap();
        now.set(3000.0);
        let evicted = mem.insert(new("c"), value(2.0)).await.unwrap();
        assert_eq!(evicted.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["b"]);
    }

    #[wasm_bindgen_test]
    async fn half_an_entry_is_a_repaired_miss() {
        let db = unique("damaged");
        let mem = Memory::new(IdbStore::open(&db).await.unwrap(), Limits::default(), "r".into(), Box::new(|| 0.0));
        mem.insert(new("x"), value(1.0)).await.unwrap();
        // Delete the value behind the store's back.
        let raw = rexie::Rexie::builder(&format!("toolmemo:{db}")).build().await.unwrap();
        let tx = raw.transaction(&["values"], rexie::TransactionMode::ReadWrite).unwrap();
        let id = JsValue::from(format!("x/{}", key("x").hex()));
        tx.store("values").unwrap().delete(id).await.unwrap();
        tx.done().await.unwrap();
        raw.close();
        assert!(mem.lookup_value("x", &key("x"), |_| true).await.unwrap().is_none(), "a miss, not a crash");
        assert!(mem.entries().await.unwrap().is_empty(), "the metadata was repaired away");
        mem.insert(new("x"), value(2.0)).await.unwrap();
        assert!(mem.lookup_value("x", &key("x"), |_| true).await.unwrap().is_some(), "recomputed and stored again");
    }
}
