//! Native rendering speed over conformance cases (`cargo bench --bench render`).
//!
//! Reads the cases of `$BENCH_CASES` (default `bench/out/cases.jsonl`, written by
//! `bench/select_cases.py`), creates each case's files in a temporary directory, and
//! times per call, as `bench/peer/bench_nipype.py` times nipype:
//!
//! - `cmdline`: rendering inputs that are already checked (nipype: `iface.cmdline`
//!   with inputs set), i.e. `Bound::cmdline`;
//! - `full`: checking the JSON inputs against the real filesystem and rendering
//!   (nipype: instantiate, set the inputs, `.cmdline`), i.e. `Interface::cmdline`.
//!
//! Calls are timed in batches (a clock read costs about as much as a short
//! render); the per-case figure is the median batch mean. Prints one JSON object
//! with the median/mean/p10/p90 over cases in microseconds.

use std::path::PathBuf;
use std::time::{Duration, Instant};
use toolmemo::path::RealFilesystem;
use toolmemo::Interface;

fn per_call_us(mut f: impl FnMut(), budget: Duration) -> f64 {
    // Calibrate a batch to about 50 µs, then take batches for `budget`.
    let mut batch = 1usize;
    loop {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        if t.elapsed() >= Duration::from_micros(50) || batch >= 1 << 20 {
            break;
        }
        batch *= 2;
    }
    let mut samples = Vec::new();
    let end = Instant::now() + budget;
    while samples.len() < 11 || Instant::now() < end {
        let t = Instant::now();
        for _ in 0..batch {
            f();
        }
        samples.push(t.elapsed().as_secs_f64() * 1e6 / batch as f64);
    }
    samples.sort_by(|a, b| a.partial_cmp(b).unwrap());
    samples[samples.len() / 2]
}

fn summary(name: &str, mut v: Vec<f64>) -> String {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let med = v[v.len() / 2];
    let mean = v.iter().sum::<f64>() / v.len() as f64;
    let p = |q: f64| v[((v.len() - 1) as f64 * q) as usize];
    format!(
        "\"{name}_median\": {med:.3}, \"{name}_mean\": {mean:.3}, \"{name}_p10\": {:.3}, \"{name}_p90\": {:.3}",
        p(0.1),
        p(0.9)
    )
}

fn main() {
    let path = std::env::var("BENCH_CASES").unwrap_or_else(|_| "bench/out/cases.jsonl".into());
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e} (run bench/run.sh)", path.display()));
    let budget =
        Duration::from_millis(std::env::var("BENCH_MS_PER_CASE").ok().and_then(|s| s.parse().ok()).unwrap_or(40));
    let (mut cmd, mut full) = (Vec::new(), Vec::new());
    let root = std::env::temp_dir().join(format!("toolmemo-bench-{}", std::process::id()));
    for (n, line) in text.lines().filter(|l| !l.trim().is_empty()).enumerate() {
        let case: serde_json::Value = serde_json::from_str(line).unwrap();
        let dir = root.join(n.to_string());
        for f in case["files"].as_array().unwrap() {
            let f = f.as_str().unwrap();
            if let Some(d) = f.strip_suffix('/') {
                std::fs::create_dir_all(dir.join(d)).unwrap();
            } else {
                let p = dir.join(f);
                std::fs::create_dir_all(p.parent().unwrap()).unwrap();
                std::fs::write(p, "").unwrap();
            }
        }
        std::fs::create_dir_all(&dir).unwrap();
        let fs = RealFilesystem { base: Some(dir.clone()) };
        let iface = Interface::from_json(&case["spec"]).unwrap();
        let inputs = &case["inputs"];
        let want = case["cmdline"].as_str().unwrap();
        assert_eq!(iface.cmdline(inputs, &fs).unwrap(), want, "{}", case["id"]);
        let bound = iface.bind(inputs, &fs).unwrap();
        cmd.push(per_call_us(|| drop(std::hint::black_box(bound.cmdline())), budget / 2));
        full.push(per_call_us(|| drop(std::hint::black_box(iface.cmdline(inputs, &fs))), budget / 2));
    }
    let _ = std::fs::remove_dir_all(&root);
    println!(
        "{{\"target\": \"native\", \"cases\": {}, {}, {}}}",
        cmd.len(),
        summary("cmdline_us", cmd),
        summary("full_us", full)
    );
}
