//! What the Rust benches share: a per-call timer, and the entry of call `i`.

use std::time::{Duration, Instant};

/// The median time of one call of `f`, in µs, over about `seconds` (at least
/// 20 calls, after 10 to warm up).
#[allow(dead_code)]
pub fn per_call_us(mut f: impl FnMut(), seconds: f64) -> f64 {
    for _ in 0..10 {
        f();
    }
    let mut samples = Vec::new();
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    while Instant::now() < end || samples.len() < 20 {
        let t = Instant::now();
        f();
        samples.push(t.elapsed().as_secs_f64() * 1e6);
    }
    samples.sort_by(|a, b| a.total_cmp(b));
    samples[samples.len() / 2]
}

/// The new entry of calling function `f` with the integer `i` (8 bytes, JSON).
#[allow(dead_code)]
pub fn int_entry(i: u64) -> toolmemo::memory::NewEntry {
    toolmemo::memory::NewEntry {
        key: toolmemo::memory::function_key("f", "v:1", &[("0".into(), toolmemo::fingerprint::Datum::Int(i as i64))])
            .key,
        kind: toolmemo::memory::Kind::Function,
        name: "f".into(),
        bytes: 8,
        duration_ms: 0.0,
        code: None,
        args: None,
        sidecar: serde_json::Value::Null,
        format: toolmemo::memory::format::JSON,
    }
}
