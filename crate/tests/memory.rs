//! Memory's behaviour over the in-memory store, with a clock the test moves.
//! Runs natively and, under `wasm-pack test --node`, in wasm.

use std::cell::Cell;
use std::rc::Rc;
use toolmemo::fingerprint::Datum;
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{function_key, Kind, Limits, Memory, MemoryStore, NewEntry};

type Mem = Memory<MemoryStore<Vec<u8>>, Vec<u8>>;

fn memory(limits: Limits, run: &str) -> (Mem, Rc<Cell<f64>>) {
    let now = Rc::new(Cell::new(1_000_000.0));
    let clock = now.clone();
    (Memory::new(MemoryStore::default(), limits, run.into(), Box::new(move || clock.get())), now)
}

fn put(mem: &Mem, name: &str, bytes: u64) -> toolmemo::fingerprint::Key {
    let key = function_key(name, "v:1", &[]).key;
    block_on(mem.insert(
        NewEntry {
            key,
            kind: Kind::Function,
            name: name.into(),
            bytes,
            duration_ms: 1.0,
            code: None,
            args: None,
            sidecar: serde_json::Value::Null,
            format: toolmemo::memory::format::JSON,
        },
        vec![0; bytes as usize],
    ))
    .unwrap();
    key
}

fn names(mem: &Mem) -> Vec<String> {
    let mut n: Vec<String> = block_on(mem.entries()).unwrap().into_iter().map(|m| m.name).collect();
    n.sort();
    n
}

macro_rules! both {
    ($($name:ident() $body:block)*) => {$(
        #[cfg_attr(not(target_arch = "wasm32"), test)]
        #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
        fn $name() $body
    )*};
}

both! {
    second_call_is_a_hit_and_does_not_run() {
        let (mem, _) = memory(Limits::default(), "r1");
        let runs = Cell::new(0);
        let square = mem.cache("square", "1", |x: &i64| { runs.set(runs.get() + 1); x * x });
        assert_eq!(square.call(&7).unwrap(), 49);
        assert_eq!(square.call(&7).unwrap(), 49);
        assert_eq!(runs.get(), 1);
        assert_eq!(square.info(), (1, 1));
        assert!(square.check(&7).unwrap());
        assert!(!square.check(&8).unwrap());
        let stats = block_on(mem.stats()).unwrap();
        assert_eq!((stats.hits, stats.misses, stats.entries), (1, 1, 1));
    }

    a_new_version_misses() {
        let (mem, _) = memory(Limits::default(), "r1");
        let v1 = mem.cache("f", "1", |x: &i64| x + 1);
        let v2 = mem.cache("f", "2", |x: &i64| x + 2);
        assert_eq!(v1.call(&1).unwrap(), 2);
        assert_eq!(v2.call(&1).unwrap(), 3);
        assert_eq!(v1.explain(&1)["argsKey"], v2.explain(&1)["argsKey"]);
        assert_ne!(v1.explain(&1)["key"], v2.explain(&1)["key"]);
    }

    an_ignored_argument_does_not_change_the_key() {
        let a = function_key("f", "v:1", &[("x".into(), Datum::Int(1))]);
        let b = function_key("f", "v:1", &[("x".into(), Datum::Int(1))]);
        let c = function_key("f", "v:1", &[("x".into(), Datum::Int(1)), ("verbose".into(), Datum::Bool(true))]);
        assert_eq!(a.key, b.key);
        assert_ne!(a.key, c.key, "an argument that is not ignored does change it");
    }

    items_limit_keeps_the_most_recently_used() {
        let (mem, now) = memory(Limits { items: Some(2), ..Limits::default() }, "r1");
        let a = put(&mem, "a", 1);
        now.set(now.get() + 1.0);
        put(&mem, "b", 1);
        now.set(now.get() + 1.0);
        // Using `a` makes `b` the least recently used.
        assert!(block_on(mem.lookup_value("a", &a, |_| true)).unwrap().is_some());
        now.set(now.get() + 1.0);
        put(&mem, "c", 1);
        assert_eq!(names(&mem), ["a", "c"]);
    }

    bytes_and_age_limits() {
        let (mem, now) = memory(Limits::default(), "r1");
        for (i, n) in ["a", "b", "c", "d"].iter().enumerate() {
            now.set(1_000_000.0 + i as f64 * 1000.0);
            put(&mem, n, 100);
        }
        let removed = block_on(mem.reduce_size(&Limits { bytes: Some(250), ..Limits::default() })).unwrap();
        assert_eq!(removed.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["a", "b"]);
        assert_eq!(names(&mem), ["c", "d"]);
        // c was last used 1.5 s ago, d 0.5 s ago.
        now.set(1_000_000.0 + 3000.0 + 500.0);
        block_on(mem.reduce_size(&Limits { age_ms: Some(1000.0), ..Limits::default() })).unwrap();
        assert_eq!(names(&mem), ["d"]);
    }

    previous_runs_and_since_a_date() {
        let store = Rc::new(MemoryStore::<Vec<u8>>::default());
        let now = Rc::new(Cell::new(1_000_000.0));
        let open = |run: &str| {
            let clock = now.clone();
            Memory::new(store.clone(), Limits::default(), run.into(), Box::new(move || clock.get()))
        };
        let first = open("run-1");
        let key = |name: &str| function_key(name, "v:1", &[]).key;
        for name in ["stale", "kept", "old"] {
            block_on(first.insert(
                NewEntry { key: key(name), kind: Kind::Function, name: name.into(), bytes: 1, duration_ms: 0.0, code: None, args: None, sidecar: serde_json::Value::Null, format: toolmemo::memory::format::JSON },
                vec![1],
            ))
            .unwrap();
        }
        // A second opening of the same store is a new run; it uses only `kept` and `old`.
        let second = open("run-2");
        now.set(now.get() + 10_000.0);
        assert!(block_on(second.lookup_value("kept", &key("kept"), |_| true)).unwrap().is_some());
        let removed = block_on(second.clear_previous_runs()).unwrap();
        assert_eq!(removed.iter().map(|m| m.name.as_str()).collect::<Vec<_>>().len(), 2);
        assert_eq!(block_on(second.entries()).unwrap().len(), 1);
        // Since a date: what was last used before it goes.
        block_on(second.insert(
            NewEntry { key: key("fresh"), kind: Kind::Function, name: "fresh".into(), bytes: 1, duration_ms: 0.0, code: None, args: None, sidecar: serde_json::Value::Null, format: toolmemo::memory::format::JSON },
            vec![1],
        ))
        .unwrap();
        now.set(now.get() + 5.0);
        assert!(block_on(second.lookup_value("fresh", &key("fresh"), |_| true)).unwrap().is_some());
        let gone = block_on(second.clear_runs_since(now.get() - 1.0)).unwrap();
        assert_eq!(gone.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(), ["kept"]);
    }

    a_refused_entry_is_a_miss() {
        let (mem, _) = memory(Limits::default(), "r1");
        let k = put(&mem, "x", 3);
        assert!(block_on(mem.lookup_value("x", &k, |m| m.hits > 5)).unwrap().is_none());
        assert_eq!(block_on(mem.stats()).unwrap().misses, 1);
    }
}
