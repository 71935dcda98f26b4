//! Facts about the machine a command line is rendered on, which nipype reads
//! from Python while formatting (MRtrix3's `nthreads` 0 becomes
//! `multiprocessing.cpu_count()`).
//!
//! Natively the system answers as it answers CPython. In wasm there is no such
//! call, so the JavaScript front end tells the core once, when the module
//! starts (Node's `os.cpus()`, a browser's `navigator.hardwareConcurrency`).

use std::sync::atomic::{AtomicUsize, Ordering};

/// Set by a front end that knows better than the standard library; 0: not set.
static CPU_COUNT: AtomicUsize = AtomicUsize::new(0);

/// Tells the core how many CPUs this machine has (the wasm front end does, at start).
pub fn set_cpu_count(n: usize) {
    CPU_COUNT.store(n, Ordering::Relaxed);
}

/// The CPUs this machine has: what a front end said, else what Python's
/// `os.cpu_count()` says (the online CPUs, whatever this process may use),
/// else 1.
pub fn cpu_count() -> usize {
    match CPU_COUNT.load(Ordering::Relaxed) {
        0 => online_cpus(),
        n => n,
    }
}

/// `sysconf(_SC_NPROCESSORS_ONLN)`, as CPython asks on Unix; elsewhere the
/// standard library's count.
#[cfg(all(unix, feature = "native"))]
fn online_cpus() -> usize {
    // SAFETY: sysconf reads a system setting; it has no preconditions.
    match unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) } {
        n if n >= 1 => n as usize,
        _ => std::thread::available_parallelism().map_or(1, |n| n.get()),
    }
}

#[cfg(not(all(unix, feature = "native")))]
fn online_cpus() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}
