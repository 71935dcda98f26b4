//! The fuzz targets of `fuzz/` on stable, inside `cargo test`: each target is
//! fed random bytes and mutations of a seed corpus (conformance cases, the
//! pyfmt and fingerprint vectors, the example specs) for a time budget,
//! `TOOLMEMO_FUZZ_SECS` seconds per target (default 6). This is coverage-blind
//! random/mutation fuzzing, seeded and reproducible (`TOOLMEMO_FUZZ_SEED`), not
//! libFuzzer; the coverage-guided runs are `scripts/fuzz-long.sh`.
//!
//! A panicking input is saved under `target/fuzz-crashes/` and fails the test;
//! once fixed it goes to `fuzz/regressions/<target>/`, which
//! `regressions_stay_fixed` replays on every run.

#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

#[path = "../../fuzz/src/targets.rs"]
#[allow(dead_code)]
mod targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// splitmix64: small, seedable, good enough to pick mutations.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E3779B97F4A7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58476D1CE4E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D049BB133111EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().filter(|l| !l.trim().is_empty()).map(String::from).collect())
        .unwrap_or_default()
}

/// Conformance cases: the shared ones when present, nipype's probes always.
fn cases() -> Vec<serde_json::Value> {
    let mut files = vec![root().join("tests/vectors/nipype-probes.jsonl")];
    let shared = std::env::var_os("TOOLMEMO_CONFORMANCE_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/conformance"));
    if let Ok(dir) = std::fs::read_dir(&shared) {
        let mut more: Vec<PathBuf> =
            dir.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "jsonl")).collect();
        more.sort();
        files.extend(more);
    }
    let mut out = Vec::new();
    for f in files {
        // Every 7th case is plenty as seeds (thousands of near-duplicates otherwise).
        // Cases that name a nipype interface (the importer's) carry no spec to fuzz.
        let text = lines(&f);
        let specs = text.iter().step_by(7).filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok());
        out.extend(specs.filter(|c| c.get("spec").is_some()));
    }
    out
}

fn example_specs() -> Vec<Vec<u8>> {
    let mut out = vec![std::fs::read(root().join("examples/BET.json")).unwrap()];
    for e in std::fs::read_dir(root().join("examples/specs")).unwrap().flatten() {
        out.push(std::fs::read(e.path()).unwrap());
    }
    out
}

/// The seed inputs of a target.
fn seeds(target: &str) -> Vec<Vec<u8>> {
    let mut rng = Rng(7);
    let mut random = |n: usize| -> Vec<Vec<u8>> {
        let mut out = Vec::new();
        for _ in 0..n {
            let len = 1 + rng.below(200);
            out.push((0..len).map(|_| rng.next() as u8).collect());
        }
        out
    };
    match target {
        "spec" => {
            let mut s = example_specs();
            s.extend(cases().iter().map(|c| c["spec"].to_string().into_bytes()));
            s.extend(targets::SEED_SPECS.iter().map(|t| t.as_bytes().to_vec()));
            s
        }
        "pyfmt" => {
            let mut s: Vec<Vec<u8>> = lines(&root().join("tests/vectors/pyfmt.jsonl"))
                .iter()
                .step_by(5)
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|v| v["fmt"].as_str().map(String::from))
                .map(|fmt| {
                    let mut b = vec![1u8, fmt.len().min(47) as u8];
                    b.extend_from_slice(fmt.as_bytes());
                    b.extend_from_slice(&[2, 0, 1, 3, 0, 4, 4, 1, 2]);
                    b
                })
                .collect();
            s.extend(random(200));
            s
        }
        "render" => {
            let mut s: Vec<Vec<u8>> = cases()
                .iter()
                .map(|c| {
                    let mut b = c["spec"].to_string().into_bytes();
                    b.push(0);
                    b.extend(c["inputs"].to_string().into_bytes());
                    b
                })
                .collect();
            s.extend(random(200).into_iter().map(|mut r: Vec<u8>| {
                r.insert(0, 0); // a seed spec, generated inputs
                r
            }));
            s
        }
        _ => random(300),
    }
}

const TOKENS: &[&[u8]] = &[
    b"%",
    b"%s",
    b"%(a)s",
    b"%*.*f",
    b"\"",
    b"{",
    b"}",
    b"[",
    b"]",
    b",",
    b":",
    b"null",
    b"true",
    b"1e999",
    b"-0",
    b"\\u0000",
    b"\"extends\"",
    b"\"name_source\"",
    b"\"List\"",
    b"\"Either\"",
    b"\"position\"",
    b"\"xor\"",
    b"\"usedefault\": true",
    b"..",
    b"/",
    b"\x00",
    b"\xff",
    b"99999999999999999999",
];

fn mutate(input: &[u8], corpus: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..1 + rng.below(6) {
        let at = rng.below(out.len() + 1);
        match rng.below(7) {
            0 if at < out.len() => out[at] ^= 1 << rng.below(8),
            1 if at < out.len() => out[at] = rng.next() as u8,
            2 => out.insert(at, rng.next() as u8),
            3 => {
                let end = (at + 1 + rng.below(32)).min(out.len());
                out.drain(at..end);
            }
            4 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                out.splice(at..at, t.iter().copied());
            }
            5 => {
                let other = &corpus[rng.below(corpus.len())];
                let from = rng.below(other.len() + 1);
                let n = rng.below(64).min(other.len() - from);
                out.splice(at..at, other[from..from + n].iter().copied());
            }
            _ => {
                // Duplicate a chunk (repetition finds length and nesting bugs).
                let end = (at + 1 + rng.below(64)).min(out.len());
                let chunk = out[at..end].to_vec();
                out.splice(at..at, chunk);
            }
        }
    }
    out.truncate(64 * 1024);
    out
}

fn budget() -> Duration {
    let secs = std::env::var("TOOLMEMO_FUZZ_SECS").ok().and_then(|s| s.parse::<f64>().ok()).unwrap_or(6.0);
    Duration::from_secs_f64(secs)
}

/// Runs `target` on its seeds, then on random and mutated inputs until the budget ends.
fn fuzz(name: &str, target: fn(&[u8])) {
    let corpus = seeds(name);
    assert!(!corpus.is_empty(), "{name}: no seeds");
    let seed = std::env::var("TOOLMEMO_FUZZ_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0x5eed_u64);
    let mut rng = Rng(seed ^ name.bytes().fold(0u64, |h, b| h.wrapping_mul(131).wrapping_add(b as u64)));
    let started = Instant::now();
    let mut runs = 0u64;
    let mut i = 0usize;
    while i < corpus.len() || started.elapsed() < budget() {
        let input = if i < corpus.len() {
            corpus[i].clone()
        } else if rng.below(8) == 0 {
            (0..rng.below(512)).map(|_| rng.next() as u8).collect()
        } else {
            mutate(&corpus[rng.below(corpus.len())], &corpus, &mut rng)
        };
        i += 1;
        runs += 1;
        if let Err(panic) = catch_unwind(AssertUnwindSafe(|| target(&input))) {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            let dir = root().join("target/fuzz-crashes");
            std::fs::create_dir_all(&dir).unwrap();
            let file =
                dir.join(format!("{name}-{}", toolmemo::fingerprint::hex(&toolmemo::fingerprint::sha256(&input)[..8])));
            std::fs::write(&file, &input).unwrap();
            panic!("{name}: crash after {runs} inputs, saved to {}: {why}", file.display());
        }
    }
    eprintln!(
        "fuzz {name}: {runs} inputs ({} seeds) in {:.1} s, 0 crashes",
        corpus.len(),
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn fuzz_spec_parsing() {
    fuzz("spec", targets::spec);
}

#[test]
fn fuzz_python_percent_formatter() {
    fuzz("pyfmt", targets::pyfmt);
}

#[test]
fn fuzz_rendering_random_inputs_against_random_specs() {
    fuzz("render", targets::render);
}

#[test]
fn fuzz_canonical_encoding() {
    fuzz("encoding", targets::encoding);
}

#[test]
fn fuzz_decoding_of_on_disk_entries() {
    fuzz("stored_entry", targets::stored_entry);
    let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!(
        "toolmemo-fuzz-store-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    )));
}

/// Every crash ever found, replayed (`fuzz/regressions/<target>/<input>`).
#[test]
fn regressions_stay_fixed() {
    let dir = root().join("fuzz/regressions");
    let mut replayed = 0;
    for t in std::fs::read_dir(&dir).expect("fuzz/regressions exists").flatten() {
        let target: fn(&[u8]) = match t.file_name().to_str().unwrap() {
            "spec" => targets::spec,
            "pyfmt" => targets::pyfmt,
            "render" => targets::render,
            "encoding" => targets::encoding,
            "stored_entry" => targets::stored_entry,
            other => panic!("unknown target folder {other}"),
        };
        for f in std::fs::read_dir(t.path()).unwrap().flatten() {
            if f.path().extension().is_some_and(|x| x == "md") {
                continue;
            }
            target(&std::fs::read(f.path()).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no regression inputs in {}", dir.display());
}

/// Writes the seed corpus for libFuzzer (`scripts/fuzz-long.sh`) when
/// `TOOLMEMO_FUZZ_WRITE_CORPUS` names a folder; always checks every target has seeds.
#[test]
fn corpus_is_written() {
    let out = std::env::var_os("TOOLMEMO_FUZZ_WRITE_CORPUS").map(PathBuf::from);
    for t in ["spec", "pyfmt", "render", "encoding", "stored_entry"] {
        let s = seeds(t);
        assert!(s.len() >= 10, "{t}: only {} seeds", s.len());
        if let Some(out) = &out {
            let dir = out.join(t);
            std::fs::create_dir_all(&dir).unwrap();
            for (i, input) in s.iter().enumerate() {
                std::fs::write(dir.join(format!("seed-{i:05}")), input).unwrap();
            }
        }
    }
}
