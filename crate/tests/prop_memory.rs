//! Property tests of keys and eviction (proptest).
//!
//! - A datum's key ignores map order; equal values give equal keys, different
//!   encodings different keys.
//! - Eviction never removes a more recently used entry before a less recently
//!   used one: checked on `select_evictions` directly, and on a Memory (memory
//!   store and filesystem store) driven by random inserts, hits and limits
//!   against a model that keeps the most recently used entries.
//!
//! Cases per property: `PROPTEST_CASES` (default 400; the filesystem model 1/8 of it).

#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use proptest::prelude::*;
use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;
use toolmemo::fingerprint::{encode, Datum, Key};
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{
    function_key, select_evictions, FsStore, Kind, Limits, Memory, MemoryStore, Meta, NewEntry, Store,
};

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(400)
}

fn datum() -> impl Strategy<Value = Datum> {
    let leaf = prop_oneof![
        Just(Datum::Null),
        Just(Datum::Undefined),
        any::<bool>().prop_map(Datum::Bool),
        any::<i64>().prop_map(Datum::Int),
        any::<f64>().prop_map(Datum::Float),
        ".{0,6}".prop_map(Datum::Str),
        prop::collection::vec(any::<u8>(), 0..20).prop_map(|b| Datum::bytes("uint8", &b)),
        any::<f64>().prop_map(Datum::Date),
    ];
    leaf.prop_recursive(4, 32, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Datum::List),
            prop::collection::vec(inner.clone(), 0..5).prop_map(Datum::Tuple),
            prop::collection::btree_map(".{0,4}", inner.clone(), 0..5)
                .prop_map(|m| Datum::Map(m.into_iter().collect())),
            ("[A-Z][a-z]{0,5}", prop::collection::btree_map("[a-z]{1,3}", inner, 0..4))
                .prop_map(|(class, m)| Datum::Object { class, fields: m.into_iter().collect() }),
        ]
    })
}

/// `d` with every map's entries permuted by `seed`.
fn shuffled(d: &Datum, seed: &mut u64) -> Datum {
    fn perm(mut v: Vec<(String, Datum)>, seed: &mut u64) -> Vec<(String, Datum)> {
        for i in (1..v.len()).rev() {
            *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            v.swap(i, (*seed >> 33) as usize % (i + 1));
        }
        v
    }
    match d {
        Datum::List(x) => Datum::List(x.iter().map(|i| shuffled(i, seed)).collect()),
        Datum::Tuple(x) => Datum::Tuple(x.iter().map(|i| shuffled(i, seed)).collect()),
        Datum::Map(f) => {
            let f: Vec<_> = f.iter().map(|(k, v)| (k.clone(), shuffled(v, seed))).collect();
            Datum::Map(perm(f, seed))
        }
        Datum::Object { class, fields } => {
            let f: Vec<_> = fields.iter().map(|(k, v)| (k.clone(), shuffled(v, seed))).collect();
            Datum::Object { class: class.clone(), fields: perm(f, seed) }
        }
        other => other.clone(),
    }
}

fn meta(i: usize, last: f64, created: f64, bytes: u64) -> Meta {
    Meta {
        key: function_key(&format!("e{i}"), "v:1", &[]).key,
        kind: Kind::Function,
        name: format!("e{i}"),
        created_ms: created,
        last_access_ms: last,
        last_run: "r".into(),
        hits: 0,
        bytes,
        duration_ms: 0.0,
        code: None,
        args: None,
        sidecar: serde_json::Value::Null,
        format: toolmemo::memory::format::JSON.to_string(),
    }
}

fn limits() -> impl Strategy<Value = Limits> {
    (prop::option::of(0u64..400), prop::option::of(0usize..12), prop::option::of(0f64..50.0))
        .prop_map(|(bytes, items, age_ms)| Limits { bytes, items, age_ms })
}

/// One step of the model test.
#[derive(Debug, Clone)]
enum Op {
    Insert { k: usize, bytes: u64 },
    Hit { k: usize },
    Tick,
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(
        prop_oneof![
            3 => (0usize..16, 1u64..60).prop_map(|(k, bytes)| Op::Insert { k, bytes }),
            3 => (0usize..16).prop_map(|k| Op::Hit { k }),
            1 => Just(Op::Tick),
        ],
        1..60,
    )
}

fn new_entry(k: usize, bytes: u64) -> NewEntry {
    NewEntry {
        key: function_key(&format!("k{k}"), "v:1", &[]).key,
        kind: Kind::Function,
        name: format!("k{k}"),
        bytes,
        duration_ms: 0.0,
        code: None,
        args: None,
        sidecar: serde_json::Value::Null,
        format: toolmemo::memory::format::JSON,
    }
}

/// Drives a Memory with `ops` and checks, after every step, that what is
/// stored is exactly what a model keeping the most recently used entries
/// within the limits keeps, and that every hit returns the value inserted.
fn model_check<S: Store<Vec<u8>>>(store: S, items: usize, bytes: u64, ops: &[Op]) -> Result<(), TestCaseError> {
    let now = Rc::new(Cell::new(1_000.0));
    let clock = now.clone();
    let limits = Limits { items: Some(items), bytes: Some(bytes), age_ms: None };
    let mem = Memory::new(store, limits, "r".into(), Box::new(move || clock.get()));
    // Model: key -> (last use, created, bytes).
    let mut model: HashMap<usize, (f64, f64, u64)> = HashMap::new();
    let value = |k: usize, n: u64| -> Vec<u8> { (0..n).map(|i| (k as u64 * 7 + i) as u8).collect() };
    let mut sizes: HashMap<usize, u64> = HashMap::new();
    for op in ops {
        now.set(now.get() + 1.0);
        match *op {
            Op::Insert { k, bytes: n } => {
                let evicted = block_on(mem.insert(new_entry(k, n), value(k, n))).unwrap();
                sizes.insert(k, n);
                model.insert(k, (now.get(), now.get(), n));
                // The model keeps the most recently used that fit.
                let mut order: Vec<(usize, (f64, f64, u64))> = model.iter().map(|(k, v)| (*k, *v)).collect();
                order.sort_by(|a, b| b.1 .0.total_cmp(&a.1 .0).then(b.1 .1.total_cmp(&a.1 .1)));
                let (mut c, mut total) = (0usize, 0u64);
                let mut keep = Vec::new();
                for (k, v) in order {
                    if c + 1 > items || total + v.2 > bytes {
                        break;
                    }
                    c += 1;
                    total += v.2;
                    keep.push(k);
                }
                let gone: Vec<usize> = model.keys().filter(|k| !keep.contains(k)).copied().collect();
                // Evicted least recently used first, and never one used later than one kept.
                let kept_oldest = keep.iter().map(|k| model[k].0).fold(f64::INFINITY, f64::min);
                for m in &evicted {
                    prop_assert!(
                        m.last_access_ms <= kept_oldest,
                        "evicted {} (used {}) before an entry used at {}",
                        m.name,
                        m.last_access_ms,
                        kept_oldest
                    );
                }
                prop_assert!(
                    evicted.windows(2).all(|w| w[0].last_access_ms <= w[1].last_access_ms),
                    "eviction order is not LRU first"
                );
                for k in gone {
                    model.remove(&k);
                }
            }
            Op::Hit { k } => {
                let key = function_key(&format!("k{k}"), "v:1", &[]).key;
                let got = block_on(mem.lookup_value(&format!("k{k}"), &key, |_| true)).unwrap();
                prop_assert_eq!(got.is_some(), model.contains_key(&k), "hit/miss disagrees with the model for k{}", k);
                if let Some(v) = got {
                    prop_assert_eq!(v, value(k, sizes[&k]), "a hit returned a wrong value");
                    model.get_mut(&k).unwrap().0 = now.get();
                }
            }
            Op::Tick => {}
        }
        let mut stored: Vec<String> = block_on(mem.entries()).unwrap().into_iter().map(|m| m.name).collect();
        stored.sort();
        let mut want: Vec<String> = model.keys().map(|k| format!("k{k}")).collect();
        want.sort();
        prop_assert_eq!(stored, want);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_key_ignores_map_order(d in datum(), seed in any::<u64>()) {
        let mut s = seed;
        let e = shuffled(&d, &mut s);
        prop_assert_eq!(encode(&e), encode(&d));
        prop_assert_eq!(e.key(), d.key());
    }

    #[test]
    fn keys_are_equal_exactly_when_encodings_are(a in datum(), b in datum()) {
        prop_assert_eq!(encode(&a) == encode(&b), a.key() == b.key());
        prop_assert_eq!(a.key(), a.clone().key());
    }

    #[test]
    fn json_data_keys_as_its_datum(v in any::<(i32, bool, String, Vec<u8>)>()) {
        // The same data given as JSON or as a Datum is the same key.
        let j = serde_json::json!({"i": v.0, "b": v.1, "s": v.2, "l": v.3});
        let d = Datum::Map(vec![
            ("s".into(), Datum::Str(v.2.clone())),
            ("l".into(), Datum::List(v.3.iter().map(|x| Datum::Int(*x as i64)).collect())),
            ("b".into(), Datum::Bool(v.1)),
            ("i".into(), Datum::Int(v.0 as i64)),
        ]);
        prop_assert_eq!(Datum::from_json(&j).key(), d.key());
    }

    #[test]
    fn eviction_removes_least_recently_used_first(
        entries in prop::collection::vec((0f64..100.0, 0f64..100.0, 0u64..100), 0..30),
        limits in limits(),
        now in 100f64..200.0,
    ) {
        let metas: Vec<Meta> = entries.iter().enumerate().map(|(i, (l, c, b))| meta(i, l.floor(), c.floor(), *b)).collect();
        let doomed = select_evictions(&metas, &limits, now);
        let doomed_keys: Vec<Key> = doomed.iter().map(|m| m.key).collect();
        let kept: Vec<&Meta> = metas.iter().filter(|m| !doomed_keys.contains(&m.key)).collect();
        for d in &doomed {
            for k in &kept {
                prop_assert!(d.last_access_ms <= k.last_access_ms, "{} (used {}) evicted, {} (used {}) kept", d.name, d.last_access_ms, k.name, k.last_access_ms);
            }
        }
        prop_assert!(doomed.windows(2).all(|w| w[0].last_access_ms <= w[1].last_access_ms));
        // What stays satisfies the limits, and nothing more than needed went.
        if let Some(n) = limits.items { prop_assert!(kept.len() <= n); }
        if let Some(b) = limits.bytes { prop_assert!(kept.iter().map(|m| m.bytes).sum::<u64>() <= b); }
        if let Some(age) = limits.age_ms { prop_assert!(kept.iter().all(|m| now - m.last_access_ms <= age)); }
        if let Some(first_kept_out) = doomed.last() {
            let fits = limits.items.is_none_or(|n| kept.len() < n)
                && limits.bytes.is_none_or(|b| kept.iter().map(|m| m.bytes).sum::<u64>() + first_kept_out.bytes <= b)
                && limits.age_ms.is_none_or(|a| now - first_kept_out.last_access_ms <= a);
            prop_assert!(!fits, "{} was evicted although it fit", first_kept_out.name);
        }
    }

    #[test]
    fn memory_on_the_memory_store_keeps_the_most_recently_used(ops in ops(), items in 1usize..8, bytes in 30u64..300) {
        model_check(MemoryStore::<Vec<u8>>::default(), items, bytes, &ops)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: (cases() / 8).max(10), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn memory_on_the_filesystem_store_keeps_the_most_recently_used(ops in ops(), items in 1usize..8, bytes in 30u64..300) {
        let dir = std::env::temp_dir().join(format!("toolmemo-prop-fs-{}-{:?}", std::process::id(), std::thread::current().id()));
        let _ = std::fs::remove_dir_all(&dir);
        let r = model_check(FsStore::open(&dir).unwrap().durable(false), items, bytes, &ops);
        let _ = std::fs::remove_dir_all(&dir);
        r?;
    }
}
