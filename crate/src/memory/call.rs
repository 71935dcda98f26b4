//! One cached call: the policy every front end shares.
//!
//! A cached function call (Rust, JS) and a cached tool run (the CLI, the Rust
//! runner, Node) are the same thing to a cache: a key, a lookup, a judgement of
//! what was found, and on a miss a computation whose result is inserted. This
//! module is that sequence, written once:
//!
//! 1. unless forced, **look up** the key: the store offers the entry, the
//!    Memory refuses it when expired, and the caller's `judge` decides whether
//!    it can use the value (it decodes it, checks a run's output files). Only a
//!    value the judge takes is a hit, counted and refreshed; a *stale* one (a
//!    run whose outputs changed) is removed; an *unusable* one (a format this
//!    front end does not read, a value that does not decode) is a miss and is
//!    left alone: it may belong to a newer toolmemo or another front end.
//! 2. **claim** the key among processes sharing the store (single-flight); if
//!    another process published it meanwhile, look it up again.
//! 3. **compute**, and **insert** what the computation says to keep (with a
//!    staged folder of files, for a tool run), then enforce the limits.
//!
//! In-process de-duplication of concurrent callers is the front end's (JS
//! shares a promise); everything else is here.

use super::{Memory, Meta, NewEntry, Store};
use crate::error::Result;
use crate::fingerprint::Key;
use std::future::Future;
use std::path::PathBuf;
use std::pin::Pin;

/// A front end's judgement of stored values (dynamic: one copy of the core per
/// value type, not one per front end's closure, which matters in the browser).
type Judge<'j, V, T> = dyn FnMut(&Meta, &V) -> Verdict<T> + 'j;

/// The computation of a miss, boxed so that `call_dyn` is compiled once per
/// result type, not once per caller's future.
type Computing<'c, T, V> = Pin<Box<dyn Future<Output = Result<Fresh<T, V>>> + 'c>>;

/// What a front end makes of a stored value.
pub enum Verdict<T> {
    /// Usable: the call's result.
    Use(T),
    /// Outdated (a run's outputs were deleted or changed): removed, recomputed.
    Stale(String),
    /// Not for this front end (another format, an undecodable value): a miss
    /// that leaves the entry alone.
    Unusable(String),
}

/// The outcome of a lookup.
#[derive(Debug, Clone, PartialEq)]
pub enum Looked<T> {
    Hit(T),
    /// No usable entry; why not, when there was one.
    Miss(Option<String>),
}

/// One call to look up or compute.
pub struct Request<'a> {
    pub name: &'a str,
    pub key: Key,
    /// Compute even when an entry exists (and replace it).
    pub force: bool,
    /// Entries created longer ago than this are refused (`expiresAfter`).
    pub expires_ms: Option<f64>,
}

/// What a computation produced: the caller's result, and what to store.
pub struct Fresh<T, V> {
    pub result: T,
    /// The entry to insert, or `None` to store nothing (a value that cannot be kept).
    pub store: Option<(NewEntry, V)>,
    /// A folder of files staged with [`Store::stage`], published with the entry.
    pub staged: Option<PathBuf>,
}

/// What a cached call did.
pub struct Called<T> {
    pub result: T,
    /// Whether the result came from the cache.
    pub cached: bool,
    /// Why a stored entry was not used, when there was one.
    pub refused: Option<String>,
    /// Entries evicted to make room for this one.
    pub evicted: Vec<Meta>,
}

impl<S: Store<V>, V> Memory<S, V> {
    /// Looks `key` up; see the module comment for what counts as a hit.
    pub async fn lookup<T>(
        &self,
        name: &str,
        key: &Key,
        expires_ms: Option<f64>,
        judge: impl FnOnce(&Meta, &V) -> Verdict<T>,
    ) -> Result<Looked<T>> {
        self.lookup_at(self.now(), name, key, expires_ms, judge).await
    }

    /// [`lookup`](Self::lookup) at a time the caller already read from this
    /// Memory's clock (JS reads it for less than a call out of wasm costs).
    pub async fn lookup_at<T>(
        &self,
        now_ms: f64,
        name: &str,
        key: &Key,
        expires_ms: Option<f64>,
        judge: impl FnOnce(&Meta, &V) -> Verdict<T>,
    ) -> Result<Looked<T>> {
        let mut judge = Some(judge);
        let mut once = |m: &Meta, v: &V| match judge.take() {
            Some(j) => j(m, v),
            None => Verdict::Unusable(String::new()),
        };
        self.lookup_dyn(now_ms, name, key, expires_ms, &mut once).await
    }

    async fn lookup_dyn<T>(
        &self,
        now: f64,
        name: &str,
        key: &Key,
        expires_ms: Option<f64>,
        judge: &mut Judge<'_, V, T>,
    ) -> Result<Looked<T>> {
        let mut taken = None;
        let mut refused = None;
        let accept = |meta: &Meta, value: &V| {
            if expires_ms.is_some_and(|e| now - meta.created_ms > e) {
                refused = Some(Verdict::Stale("it expired".to_string()));
                return false;
            }
            match judge(meta, value) {
                Verdict::Use(t) => {
                    taken = Some(t);
                    true
                }
                other => {
                    refused = Some(other);
                    false
                }
            }
        };
        let refresh = |meta: &mut Meta| {
            meta.hits += 1;
            meta.last_access_ms = now;
            if meta.last_run != self.run {
                meta.last_run.clone_from(&self.run);
            }
        };
        // Taken by `accept` but gone when its use was recorded (evicted
        // meanwhile by another process): a miss.
        let kept = self.store.hit(name, key, accept, refresh).await?;
        match (taken.filter(|_| kept), refused) {
            (Some(t), _) => {
                self.count(true);
                Ok(Looked::Hit(t))
            }
            (None, Some(Verdict::Stale(why))) => {
                self.count(false);
                self.store.remove(name, key).await?;
                Ok(Looked::Miss(Some(why)))
            }
            (None, Some(Verdict::Unusable(why))) => {
                self.count(false);
                Ok(Looked::Miss(Some(why)))
            }
            _ => {
                self.count(false);
                Ok(Looked::Miss(None))
            }
        }
    }

    /// The stored value of `key` as it is, if `accept` takes its metadata: a
    /// lookup for callers that use any value (tests, inspection tools).
    pub async fn lookup_value(&self, name: &str, key: &Key, accept: impl FnOnce(&Meta) -> bool) -> Result<Option<V>>
    where
        V: Clone,
    {
        let judge =
            |m: &Meta, v: &V| if accept(m) { Verdict::Use(v.clone()) } else { Verdict::Unusable(String::new()) };
        Ok(match self.lookup(name, key, None, judge).await? {
            Looked::Hit(v) => Some(v),
            Looked::Miss(_) => None,
        })
    }

    /// A cached call: the stored result if there is a usable one, else
    /// `compute`'s (a future, polled only on a miss), stored.
    pub async fn call<T>(
        &self,
        req: &Request<'_>,
        mut judge: impl FnMut(&Meta, &V) -> Verdict<T>,
        compute: impl Future<Output = Result<Fresh<T, V>>>,
    ) -> Result<Called<T>> {
        self.call_dyn(req, &mut judge, Box::pin(compute)).await
    }

    async fn call_dyn<T>(
        &self,
        req: &Request<'_>,
        judge: &mut Judge<'_, V, T>,
        compute: Computing<'_, T, V>,
    ) -> Result<Called<T>> {
        let hit = |result| Called { result, cached: true, refused: None, evicted: Vec::new() };
        let mut refused = None;
        if !req.force {
            match self.lookup_dyn(self.now(), req.name, &req.key, req.expires_ms, judge).await? {
                Looked::Hit(t) => return Ok(hit(t)),
                Looked::Miss(why) => refused = why,
            }
        }
        let flight = self.claim(req.name, &req.key).await?;
        if matches!(flight, super::Flight::Ready) && !req.force {
            // Another process computed it while we waited; this lookup was
            // part of the same call, so it does not count again.
            self.uncount(false);
            if let Looked::Hit(t) = self.lookup_dyn(self.now(), req.name, &req.key, req.expires_ms, judge).await? {
                return Ok(hit(t));
            }
        }
        let fresh = compute.await?;
        let evicted = match fresh.store {
            Some((new, value)) => self.insert_staged(new, value, fresh.staged).await?,
            None => Vec::new(),
        };
        drop(flight);
        Ok(Called { result: fresh.result, cached: false, refused, evicted })
    }
}
