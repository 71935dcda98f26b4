//! What the soak and fault tests share with their worker process
//! (`examples/soak_worker.rs`): the only correct value of entry `i`, and where
//! the worker is built.

#![allow(dead_code)]

use std::path::PathBuf;
use toolmemo::fingerprint::{hex, sha256};

/// The only correct value of entry `i`: 50 to 2,049 bytes derived from `i`.
pub fn compute(i: u64) -> Vec<u8> {
    let seed = hex(&sha256(&i.to_le_bytes()));
    seed.bytes().cycle().take(50 + (i as usize * 37) % 2000).collect()
}

/// The worker example, built by `cargo test` beside the test binaries.
pub fn worker() -> PathBuf {
    let deps = std::env::current_exe().unwrap();
    let exe = deps.parent().unwrap().parent().unwrap().join("examples").join("soak_worker");
    assert!(exe.exists(), "{} is not built (cargo test --features native builds it)", exe.display());
    exe
}
