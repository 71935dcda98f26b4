//! The native filesystem store against joblib.Memory (`cargo bench --bench store`),
//! on the workloads of issue 4; `bench/peer/bench_joblib.py` runs joblib's side.
//!
//! - a hit of a cached function with two small integers;
//! - a hit whose argument is 1 MB of bytes (its content hashed on every call),
//!   next to the time sha256 alone takes for that megabyte (the floor of any
//!   content-keyed hit);
//! - `reduce_size` to half of 10,000 and of 100,000 entries.
//!
//! Prints one JSON object (µs for hits, ms for eviction).

#[path = "common.rs"]
mod common;
use common::per_call_us;
use std::cell::Cell;
use std::time::Instant;
use toolmemo::memory::cached::{block_on, Bytes};
use toolmemo::memory::{FsStore, Limits, Memory};

fn scratch(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("toolmemo-bench-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    d
}

fn reduce_ms(n: usize) -> f64 {
    let dir = scratch(&format!("reduce{n}"));
    // A clock that ticks on every reading: each entry a distinct last use.
    let now = Cell::new(0.0);
    let clock = Box::new(move || {
        now.set(now.get() + 1.0);
        now.get()
    });
    let mem = Memory::new(FsStore::open(&dir).unwrap().durable(false), Limits::default(), "b".into(), clock);
    for i in 0..n {
        let new = common::int_entry(i as u64);
        block_on(mem.insert(new, (i as u64).to_le_bytes().to_vec())).unwrap();
    }
    let t = Instant::now();
    let removed = block_on(mem.reduce_size(&Limits { items: Some(n / 2), ..Limits::default() })).unwrap();
    let ms = t.elapsed().as_secs_f64() * 1e3;
    assert_eq!(removed.len(), n - n / 2);
    let _ = std::fs::remove_dir_all(&dir);
    ms
}

fn main() {
    let dir = scratch("hits");
    let mem = Memory::new(FsStore::open(&dir).unwrap(), Limits::default(), "b".into(), Box::new(|| 0.0));
    let add = mem.cache("add", "1", |(a, b): &(i64, i64)| a + b);
    add.call(&(1i64, 2i64)).unwrap();
    let small = per_call_us(
        || {
            std::hint::black_box(add.call(&(1i64, 2i64)).unwrap());
        },
        2.0,
    );

    let data: Vec<u8> = (0..1 << 20).map(|i| (i * 7 % 251) as u8).collect();
    let len = mem.cache("len", "1", |b: &Bytes| b.0.len());
    len.call(&Bytes(&data)).unwrap();
    let mb_hit = per_call_us(
        || {
            std::hint::black_box(len.call(&Bytes(&data)).unwrap());
        },
        2.0,
    );
    let mb_sha = per_call_us(
        || {
            std::hint::black_box(toolmemo::fingerprint::sha256(&data));
        },
        2.0,
    );
    let _ = std::fs::remove_dir_all(&dir);

    let r10k = reduce_ms(10_000);
    // 100,000 entries take a minute or two to write here; BENCH_SKIP_100K=1 skips them.
    let r100k = if std::env::var_os("BENCH_SKIP_100K").is_some() { None } else { Some(reduce_ms(100_000)) };
    let out = serde_json::json!({
        "small_hit_us": small, "mb_hit_us": mb_hit, "mb_sha256_us": mb_sha,
        "reduce_10k_ms": r10k, "reduce_100k_ms": r100k,
    });
    println!("{out}");
}
