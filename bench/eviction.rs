//! Eviction at the sizes caches reach (issue 15), natively: the cost of an
//! insert into the filesystem store with an item limit, once the store is
//! full (each insert evicts the least recently used entry), at 400, 20,000 and
//! 100,000 entries (entries 1 ms apart, as a fast fill writes them; and 1 s
//! apart, each in a second of its own, as in a cache used for months); and
//! `reduce_size` to half of 20,000 and 100,000 entries.
//! Non-durable writes (`durable(false)`, as joblib writes). joblib's side is
//! `bench/peer/bench_joblib.py`. Prints one JSON object (µs per insert, ms).
//!
//!   BENCH_SKIP_100K=1 skips the 100,000-entry figures (minutes to fill);
//!   BENCH_ONLY=reduce_20k_ms (names, comma-separated) measures only those.

#[path = "common.rs"]
mod common;
use common::int_entry as entry;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Instant;
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{FsStore, Limits, Memory, StdDisk};

fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("toolmemo-bench-evict-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

/// The time a bench's Memory reads, set by the bench.
type Clock = Rc<Cell<f64>>;

/// A store with `n` entries (each with its own last use, `step_ms` apart)
/// and a Memory over it with `limits`.
fn filled(
    dir: &std::path::Path,
    n: u64,
    limits: Limits,
    step_ms: f64,
) -> (Memory<Rc<FsStore<StdDisk>>, Vec<u8>>, Clock) {
    let store = Rc::new(FsStore::open(dir).unwrap().durable(false));
    let now = Rc::new(Cell::new(1.7e12));
    let clock = now.clone();
    let tick = Box::new(move || {
        clock.set(clock.get() + step_ms);
        clock.get()
    });
    let fill = Memory::new(store.clone(), Limits::default(), "b".into(), tick);
    for i in 0..n {
        block_on(fill.insert(entry(i), i.to_le_bytes().to_vec())).unwrap();
    }
    let clock = now.clone();
    let tick = Box::new(move || {
        clock.set(clock.get() + 1.0);
        clock.get()
    });
    (Memory::new(store, limits, "b".into(), tick), now)
}

/// µs per insert into a full store of `n` entries, `step_ms` apart, with `itemsLimit = n`.
fn insert_us(n: u64, step_ms: f64) -> f64 {
    let dir = scratch(&format!("insert{n}"));
    let (mem, _) = filled(&dir, n, Limits { items: Some(n as usize), ..Limits::default() }, step_ms);
    let calls = 2000;
    let t = Instant::now();
    for i in 0..calls {
        let evicted = block_on(mem.insert(entry(n + i), vec![1])).unwrap();
        assert_eq!(evicted.len(), 1);
    }
    let us = t.elapsed().as_secs_f64() * 1e6 / calls as f64;
    let _ = std::fs::remove_dir_all(&dir);
    us
}

/// ms to reduce `n` entries to half, and ms until the background thread has
/// deleted the folders of the entries removed (the reduction counts them gone
/// at once; their files go later).
fn reduce_ms(n: u64, step_ms: f64) -> (f64, f64) {
    let dir = scratch(&format!("reduce{n}"));
    let (mem, _) = filled(&dir, n, Limits::default(), step_ms);
    let t = Instant::now();
    let removed = block_on(mem.reduce_size(&Limits { items: Some(n as usize / 2), ..Limits::default() })).unwrap();
    let ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(removed.len() as u64, n - n / 2);
    let evicted = dir.join(".index/evicted");
    let pending = || {
        std::fs::read_dir(&evicted)
            .map_or(0, |d| d.flatten().map(|g| std::fs::read_dir(g.path()).map_or(0, |f| f.count())).sum::<usize>())
    };
    while pending() > 0 {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let drained = t.elapsed().as_secs_f64() * 1e3;
    let _ = std::fs::remove_dir_all(&dir);
    (ms, drained)
}

fn main() {
    let big = std::env::var_os("BENCH_SKIP_100K").is_none();
    let only = std::env::var("BENCH_ONLY").ok();
    let want =
        |name: &str, large: bool| (!large || big) && only.as_deref().is_none_or(|o| o.split(',').any(|n| n == name));
    let mut out = serde_json::Map::new();
    let figures: [(&str, bool, &dyn Fn() -> f64); 5] = [
        ("insert_400_us", false, &|| insert_us(400, 1.0)),
        ("insert_20k_us", false, &|| insert_us(20_000, 1.0)),
        ("insert_100k_us", true, &|| insert_us(100_000, 1.0)),
        ("insert_400_spread_us", false, &|| insert_us(400, 1000.0)),
        ("insert_20k_spread_us", false, &|| insert_us(20_000, 1000.0)),
    ];
    for (name, large, measure) in figures {
        out.insert(name.into(), if want(name, large) { measure().into() } else { serde_json::Value::Null });
    }
    for (n, name, large, step_ms) in
        [(20_000, "20k", false, 1.0), (100_000, "100k", true, 1.0), (20_000, "20k_spread", false, 1000.0)]
    {
        let (ms, drained) =
            if want(&format!("reduce_{name}_ms"), large) { reduce_ms(n, step_ms) } else { (f64::NAN, f64::NAN) };
        let figure = |v: f64| if v.is_nan() { serde_json::Value::Null } else { v.into() };
        out.insert(format!("reduce_{name}_ms"), figure(ms));
        out.insert(format!("reduce_{name}_drained_ms"), figure(drained));
    }
    println!("{}", serde_json::Value::Object(out));
}
