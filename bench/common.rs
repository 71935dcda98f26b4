//! What the Rust benches share: a per-call timer.

use std::time::{Duration, Instant};

/// The median time of one call of `f`, in µs, over about `seconds` (at least
/// 20 calls, after 10 to warm up).
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
