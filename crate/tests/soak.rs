//! The CI-sized soak: 100,000 cached calls with random eviction across 4
//! processes on one cache folder (`examples/soak_worker.rs`), every hit
//! checked against a recomputation. `TOOLMEMO_SOAK_CALLS` sets the total.

#![cfg(all(feature = "native", unix, not(target_arch = "wasm32")))]

#[path = "common/soak.rs"]
mod soak_common;
use serde_json::Value as Json;
use soak_common::{compute, worker};
use std::process::{Command, Stdio};
use std::time::Instant;
use toolmemo::fingerprint::Datum;
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{function_key, FsStore, Store};

#[test]
fn four_processes_100k_calls_with_random_eviction_never_hit_wrong() {
    let total: u64 = std::env::var("TOOLMEMO_SOAK_CALLS").ok().and_then(|s| s.parse().ok()).unwrap_or(100_000);
    let keys = 400u64;
    let dir = std::env::temp_dir().join(format!("toolmemo-soak-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    FsStore::open(&dir).unwrap();
    let started = Instant::now();
    let children: Vec<_> = (0..4u64)
        .map(|w| {
            Command::new(worker())
                .args([
                    "calls",
                    dir.to_str().unwrap(),
                    &(w * 7919 + 13).to_string(),
                    &(total / 4).to_string(),
                    "3600",
                    &keys.to_string(),
                    "0",
                ])
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut sum = std::collections::BTreeMap::<String, f64>::new();
    for c in children {
        let out = c.wait_with_output().unwrap();
        assert!(out.status.success(), "a worker failed: {}", String::from_utf8_lossy(&out.stderr));
        let j: Json = serde_json::from_slice(&out.stdout).unwrap();
        for (k, v) in j.as_object().unwrap() {
            *sum.entry(k.clone()).or_default() += v.as_f64().unwrap();
        }
    }
    let secs = started.elapsed().as_secs_f64();
    // Afterwards, every entry left reads as its exact value.
    let store = FsStore::open(&dir).unwrap();
    let mut left = 0;
    for i in 0..keys {
        let key = function_key("soak", "v:1", &[("i".to_string(), Datum::Int(i as i64))]).key;
        if let Some(e) = block_on(store.get("soak", &key)).unwrap() {
            assert_eq!(e.value, compute(i), "entry {i} is wrong after the soak");
            left += 1;
        }
    }
    eprintln!("soak: {sum:?}, {left} entries left, {secs:.1} s");
    assert_eq!(sum["calls"] as u64, total / 4 * 4);
    assert_eq!(sum["wrong"], 0.0, "wrong hits");
    assert_eq!(sum["errors"], 0.0, "store errors");
    assert!(sum["hits"] > total as f64 / 4.0, "the cache was used: {sum:?}");
    assert!(sum["evicted"] + sum["removed"] > 100.0, "eviction happened: {sum:?}");
    let _ = std::fs::remove_dir_all(&dir);
}
