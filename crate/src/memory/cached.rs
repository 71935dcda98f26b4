//! The synchronous Rust API: cached closures, as `joblib.Memory.cache`.
//!
//! ```
//! use toolmemo::memory::{Limits, Memory, MemoryStore};
//! // `cached::in_memory(limits)` does this natively, with the system clock.
//! let mem = Memory::new(MemoryStore::default(), Limits::default(), "run-1".into(), Box::new(|| 0.0));
//! let square = mem.cache("square", "1", |x: &i64| x * x);
//! assert_eq!(square.call(&12).unwrap(), 144);
//! assert_eq!(square.call(&12).unwrap(), 144); // a hit: the closure does not run
//! assert_eq!(square.info(), (1, 1));
//! ```
//!
//! Rust closures have no source text to hash, so the caller names a `version`:
//! change it when the body changes. Arguments are fingerprinted through
//! [`ToDatum`]; results are stored as JSON through serde.

#[cfg(not(target_arch = "wasm32"))]
use super::MemoryStore;
use super::{format, sidecar, Fresh, FunctionKeyer, Kind, Memory, Meta, NewEntry, Request, Store, Verdict};
use crate::error::{Error, ErrorKind, Result};
use crate::fingerprint::Datum;
use serde::{de::DeserializeOwned, Serialize};
use std::cell::Cell;
use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

/// Runs a future from a store that answers at once (memory, filesystem).
pub fn block_on<T>(fut: impl Future<Output = T>) -> T {
    let mut fut = pin!(fut);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(v) = fut.as_mut().poll(&mut cx) {
            return v;
        }
        // Only asynchronous stores get here; yield and poll again.
        std::thread::yield_now();
    }
}

/// The output of a future that is ready at its first poll (a lookup in a store
/// that answers at once), or `None`.
pub fn now_or_never<T>(fut: impl Future<Output = T>) -> Option<T> {
    match pin!(fut).as_mut().poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(v) => Some(v),
        Poll::Pending => None,
    }
}

/// A Memory over the in-process store, values as JSON bytes.
#[cfg(not(target_arch = "wasm32"))]
pub fn in_memory(limits: super::Limits) -> Memory<MemoryStore<Vec<u8>>, Vec<u8>> {
    Memory::new(MemoryStore::default(), limits, new_run_id(), Box::new(system_clock_ms))
}

/// Milliseconds since the epoch from the system clock.
#[cfg(not(target_arch = "wasm32"))]
pub fn system_clock_ms() -> f64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1000.0)
}

/// A run id unique across processes and hosts: time, process id, a counter and
/// the host name, hashed.
#[cfg(not(target_arch = "wasm32"))]
pub fn new_run_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let seed =
        format!("{}-{}-{}-{host}", system_clock_ms(), std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed));
    crate::fingerprint::hex(&crate::fingerprint::sha256(seed.as_bytes())[..12])
}

/// What can be an argument of a cached Rust function.
pub trait ToDatum {
    fn to_datum(&self) -> Datum;
}

macro_rules! ints {
    ($($t:ty),*) => {$(impl ToDatum for $t {
        fn to_datum(&self) -> Datum {
            i64::try_from(*self).map(Datum::Int).unwrap_or_else(|_| Datum::BigInt(self.to_string()))
        }
    })*};
}
ints!(i8, i16, i32, i64, u8, u16, u32, u64, usize, isize);

impl ToDatum for bool {
    fn to_datum(&self) -> Datum {
        Datum::Bool(*self)
    }
}
impl ToDatum for f64 {
    fn to_datum(&self) -> Datum {
        Datum::Float(*self)
    }
}
impl ToDatum for f32 {
    fn to_datum(&self) -> Datum {
        Datum::Float(*self as f64)
    }
}
impl ToDatum for str {
    fn to_datum(&self) -> Datum {
        Datum::Str(self.to_string())
    }
}
impl ToDatum for String {
    fn to_datum(&self) -> Datum {
        Datum::Str(self.clone())
    }
}
impl<T: ToDatum> ToDatum for [T] {
    fn to_datum(&self) -> Datum {
        Datum::List(self.iter().map(ToDatum::to_datum).collect())
    }
}
impl<T: ToDatum> ToDatum for Vec<T> {
    fn to_datum(&self) -> Datum {
        self.as_slice().to_datum()
    }
}
impl<T: ToDatum> ToDatum for Option<T> {
    fn to_datum(&self) -> Datum {
        self.as_ref().map_or(Datum::Null, ToDatum::to_datum)
    }
}
impl<T: ToDatum + ?Sized> ToDatum for &T {
    fn to_datum(&self) -> Datum {
        (**self).to_datum()
    }
}
impl ToDatum for serde_json::Value {
    fn to_datum(&self) -> Datum {
        Datum::from_json(self)
    }
}
impl ToDatum for Datum {
    fn to_datum(&self) -> Datum {
        self.clone()
    }
}
/// Bytes by content (a `Vec<u8>` would be a list of integers).
pub struct Bytes<'a>(pub &'a [u8]);
impl ToDatum for Bytes<'_> {
    fn to_datum(&self) -> Datum {
        Datum::bytes("uint8", self.0)
    }
}
macro_rules! tuples {
    ($(($($n:tt $t:ident),+)),*) => {$(impl<$($t: ToDatum),+> ToDatum for ($($t,)+) {
        fn to_datum(&self) -> Datum {
            Datum::Tuple(vec![$(self.$n.to_datum()),+])
        }
    })*};
}
tuples!((0 A, 1 B), (0 A, 1 B, 2 C), (0 A, 1 B, 2 C, 3 D));

/// A stored value as a Rust value: JSON entries (and entries from before
/// formats were recorded) that deserialize; anything else is not ours.
fn decode_json<R: DeserializeOwned>(meta: &Meta, bytes: &[u8]) -> Verdict<R> {
    if meta.format != format::JSON && meta.format != format::LEGACY {
        return Verdict::Unusable(format!("its value is in format '{}', not JSON", meta.format));
    }
    match serde_json::from_slice(bytes) {
        Ok(v) => Verdict::Use(v),
        Err(e) => Verdict::Unusable(format!("its value does not decode as this function's result: {e}")),
    }
}

/// A cached closure; see the module comment.
pub struct Cached<'m, S, F> {
    mem: &'m Memory<S, Vec<u8>>,
    name: String,
    code: String,
    keyer: FunctionKeyer,
    f: F,
    hits: Cell<u64>,
    misses: Cell<u64>,
}

impl<S: Store<Vec<u8>>> Memory<S, Vec<u8>> {
    /// Caches `f` under `name`; change `version` when `f`'s body changes.
    pub fn cache<A: ?Sized, R, F: Fn(&A) -> R>(&self, name: &str, version: &str, f: F) -> Cached<'_, S, F> {
        let code = super::code_id(Some(version), "");
        Cached {
            mem: self,
            keyer: FunctionKeyer::new(name, &code),
            name: name.to_string(),
            code,
            f,
            hits: Cell::new(0),
            misses: Cell::new(0),
        }
    }
}

impl<S: Store<Vec<u8>>, F> Cached<'_, S, F> {
    fn named(args: &impl ToDatum) -> Vec<(String, Datum)> {
        vec![("0".to_string(), args.to_datum())]
    }

    /// The result of `f(args)`, from the cache when it is there.
    pub fn call<A, R>(&self, args: &A) -> Result<R>
    where
        A: ToDatum + ?Sized,
        R: Serialize + DeserializeOwned,
        F: Fn(&A) -> R,
    {
        let named = Self::named(&args);
        let key = self.keyer.key(&named);
        let req = Request { name: &self.name, key, force: false, expires_ms: None };
        let compute = async {
            let started = self.mem.now();
            let result = (self.f)(args);
            let duration_ms = self.mem.now() - started;
            let bytes = serde_json::to_vec(&result)
                .map_err(|e| Error::new(ErrorKind::Input, format!("{}: result cannot be stored: {e}", self.name)))?;
            let new = NewEntry {
                key,
                kind: Kind::Function,
                name: self.name.clone(),
                bytes: bytes.len() as u64,
                duration_ms,
                code: Some(self.code.clone()),
                args: Some(self.keyer.args_key(&named)),
                sidecar: sidecar(&named),
                format: format::JSON,
            };
            Ok(Fresh { result, store: Some((new, bytes)), staged: None })
        };
        let called = block_on(self.mem.call(&req, |m, b: &Vec<u8>| decode_json(m, b), compute))?;
        let counter = if called.cached { &self.hits } else { &self.misses };
        counter.set(counter.get() + 1);
        Ok(called.result)
    }

    /// Whether `f(args)` is cached (joblib's `check_call_in_cache`).
    pub fn check<A: ToDatum + ?Sized>(&self, args: &A) -> Result<bool> {
        block_on(self.mem.contains(&self.name, &self.keyer.key(&Self::named(&args))))
    }

    /// The key's components for `args`: why a call would miss.
    pub fn explain<A: ToDatum + ?Sized>(&self, args: &A) -> serde_json::Value {
        self.keyer.parts(&Self::named(&args)).explain(&self.name)
    }

    /// (hits, misses) of this cached function.
    pub fn info(&self) -> (u64, u64) {
        (self.hits.get(), self.misses.get())
    }

    /// Removes this function's entries.
    pub fn clear(&self) -> Result<usize> {
        let name = self.name.clone();
        block_on(self.mem.clear_where(|m| m.kind == Kind::Function && m.name == name)).map(|v| v.len())
    }
}
