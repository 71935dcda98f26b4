//! A worker process for the soak and load tests (`tests/soak.rs`,
//! `tests/faults_load.rs`): cached calls on one filesystem cache shared with
//! other workers, every hit checked against a recomputation.
//!
//!     soak_worker calls DIR SEED CALLS SECS KEYS READONLY
//!         up to CALLS cached calls (or SECS seconds) over KEYS keys, with random
//!         eviction (reduce_size to a random item count, single removals) unless
//!         READONLY=1 (then only lookups); prints one JSON line of counts.
//!     soak_worker limited DIR START COUNT ITEMS
//!         inserts entries START..START+COUNT with an item limit of ITEMS, and
//!         prints one JSON line: the indices whose insert returned, and those
//!         its own evictions removed (tests/eviction_index.rs).
//!     soak_worker log DIR LOG START
//!         publishes entries wSTART, wSTART+1, ... and appends each index to LOG
//!         once its insert returned: what a SIGKILL must never lose.

#[path = "../tests/common/soak.rs"]
mod soak_common;
use soak_common::compute;
use std::io::Write;
use std::time::{Duration, Instant};
use toolmemo::fingerprint::Datum;
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{function_key, FsStore, Kind, Limits, Memory, NewEntry};

/// xorshift64: this worker's choices, reproducible from its seed.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

fn entry(name: &str, args: &[(String, Datum)], bytes: usize) -> NewEntry {
    NewEntry {
        key: function_key(name, "v:1", args).key,
        kind: Kind::Function,
        name: name.into(),
        bytes: bytes as u64,
        duration_ms: 0.0,
        code: Some("v:1".into()),
        args: None,
        sidecar: serde_json::Value::Null,
        format: toolmemo::memory::format::JSON,
    }
}

fn main() {
    let a: Vec<String> = std::env::args().collect();
    let store = FsStore::open(&a[2]).expect("open the store").durable(false);
    let mem = Memory::new(
        store,
        Limits::default(),
        format!("w{}", std::process::id()),
        Box::new(toolmemo::memory::cached::system_clock_ms),
    );
    match a[1].as_str() {
        "limited" => {
            let (start, count, items): (u64, u64, usize) =
                (a[3].parse().expect("start"), a[4].parse().expect("count"), a[5].parse().expect("items"));
            let store = FsStore::open(&a[2]).expect("open the store").durable(false);
            let clock = Box::new(toolmemo::memory::cached::system_clock_ms);
            let limited = Memory::new(store, Limits { items: Some(items), ..Limits::default() }, "l".into(), clock);
            let (mut inserted, mut evicted) = (Vec::new(), Vec::new());
            for i in start..start + count {
                let args = [("i".to_string(), Datum::Int(i as i64))];
                let value = compute(i);
                for m in block_on(limited.insert(entry("soak", &args, value.len()), value)).expect("insert") {
                    evicted.push(m.key.hex());
                }
                inserted.push(i);
            }
            println!("{}", serde_json::json!({"inserted": inserted, "evicted": evicted}));
        }
        "log" => {
            let mut log = std::fs::OpenOptions::new().create(true).append(true).open(&a[3]).expect("open the log");
            let start: u64 = a[4].parse().expect("a start index");
            for i in start.. {
                let name = format!("w{i}");
                let value = compute(i);
                block_on(mem.insert(entry(&name, &[], value.len()), value)).expect("insert");
                log.write_all(format!("{i}\n").as_bytes()).expect("log");
            }
        }
        _ => {
            let num = |i: usize| a[i].parse::<u64>().expect("a number");
            let (seed, calls, secs, keys, readonly) = (num(3), num(4), num(5), num(6), num(7) == 1);
            let mut rng = Rng(seed | 1);
            let started = Instant::now();
            let (mut n, mut hits, mut misses, mut wrong, mut evicted, mut removed, mut errors) =
                (0u64, 0, 0, 0, 0, 0, 0);
            while n < calls && started.elapsed() < Duration::from_secs(secs) {
                n += 1;
                let i = rng.next() % keys;
                let args = vec![("i".to_string(), Datum::Int(i as i64))];
                let key = function_key("soak", "v:1", &args).key;
                match block_on(mem.lookup_value("soak", &key, |_| true)) {
                    Ok(Some(v)) => {
                        hits += 1;
                        if v != compute(i) {
                            wrong += 1;
                            eprintln!("WRONG HIT for {i}: {} bytes", v.len());
                        }
                    }
                    Ok(None) => {
                        misses += 1;
                        if !readonly {
                            let value = compute(i);
                            if block_on(mem.insert(entry("soak", &args, value.len()), value)).is_err() {
                                errors += 1;
                            }
                        }
                    }
                    Err(e) => {
                        errors += 1;
                        eprintln!("lookup error: {e}");
                    }
                }
                if readonly {
                    continue;
                }
                let roll = rng.next() % 1000;
                if roll < 3 {
                    let items = (rng.next() % keys) as usize;
                    evicted += block_on(mem.reduce_size(&Limits { items: Some(items), ..Limits::default() }))
                        .map(|v| v.len() as u64)
                        .unwrap_or_else(|_| {
                            errors += 1;
                            0
                        });
                } else if roll < 23 {
                    let j = rng.next() % keys;
                    let k = function_key("soak", "v:1", &[("i".to_string(), Datum::Int(j as i64))]).key;
                    removed += block_on(mem.remove("soak", &k)).map(u64::from).unwrap_or_else(|_| {
                        errors += 1;
                        0
                    });
                }
            }
            let incidents = mem.store().take_incidents().len();
            println!(
                "{}",
                serde_json::json!({"calls": n, "hits": hits, "misses": misses, "wrong": wrong, "evicted": evicted,
                    "removed": removed, "errors": errors, "incidents": incidents,
                    "secs": started.elapsed().as_secs_f64()})
            );
        }
    }
}
