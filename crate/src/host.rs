//! Facts about the machine a command line is rendered on, which nipype reads
//! from Python while formatting (MRtrix3's `nthreads` 0 becomes
//! `multiprocessing.cpu_count()`).
//!
//! Natively the standard library answers. In wasm there is no such call, so the
//! JavaScript front end tells the core once, when the module starts
//! (`navigator.hardwareConcurrency`, or Node's `os.availableParallelism()`).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Set by a front end that knows better than the standard library; 0: not set.
static CPU_COUNT: AtomicUsize = AtomicUsize::new(0);

/// Tells the core how many CPUs this machine has (the wasm front end does, at start).
pub fn set_cpu_count(n: usize) {
    CPU_COUNT.store(n, Ordering::Relaxed);
}

/// The CPUs this machine offers: what a front end said, else the standard
/// library's answer, else 1 (nipype's own fallback when it cannot count).
pub fn cpu_count() -> usize {
    match CPU_COUNT.load(Ordering::Relaxed) {
        0 => std::thread::available_parallelism().map_or(1, |n| n.get()),
        n => n,
    }
}
