//! Facts about the machine a command line is rendered on, which nipype reads
//! from Python while formatting (MRtrix3's `nthreads` 0 becomes
//! `multiprocessing.cpu_count()`).
//!
//! Natively the system answers as it answers CPython. In wasm there is no such
//! call: the JavaScript front end registers how to ask (Node's `os.cpus()`, a
//! browser's `navigator.hardwareConcurrency`), and the core asks once, when a
//! spec first needs it — never at start-up.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// The count once known; 0: not asked yet.
static CPU_COUNT: AtomicUsize = AtomicUsize::new(0);

/// How a front end that knows better than the standard library counts.
static ASK: OnceLock<fn() -> Option<usize>> = OnceLock::new();

/// Registers how this host counts its CPUs (the wasm front end does, at start).
pub fn count_cpus_with(ask: fn() -> Option<usize>) {
    let _ = ASK.set(ask);
}

/// The CPUs this machine has: what the front end's count says, else what
/// Python's `os.cpu_count()` says (the online CPUs, whatever this process may
/// use), else 1.
pub fn cpu_count() -> usize {
    match CPU_COUNT.load(Ordering::Relaxed) {
        0 => {
            let n = ASK.get().and_then(|ask| ask()).unwrap_or_else(online_cpus);
            CPU_COUNT.store(n, Ordering::Relaxed);
            n
        }
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
