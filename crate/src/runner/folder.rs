//! The Rust API's runner: a cache folder on this machine (with read-only extra
//! locations behind it, and optionally a Redis store shared with other
//! machines), the real processes of [`StdHost`], and the one run policy of
//! [`run`](super::run) over them. `toolmemo run` is a thin front end over this.

#[cfg(feature = "redis")]
use super::{execute, finish, judge};
use super::{prepare, Outcome, Progress, RunOptions, StdHost};
use crate::error::Result;
use crate::fingerprint::InterfaceKey;
pub use crate::memory::cached::new_run_id;
use crate::memory::cached::{block_on, system_clock_ms};
use crate::memory::{FsStore, Limits, Memory, StdDisk, WithReadOnly};
#[cfg(feature = "redis")]
use crate::memory::{Request, Store};
use crate::Interface;
use serde_json::Value as Json;
use std::path::Path;

/// The store a runner keeps its runs in: its own folder, then read-only ones.
pub type RunStore = WithReadOnly<FsStore<StdDisk>>;

/// The cache a runner keeps its runs in.
pub type RunMemory = Memory<RunStore, Vec<u8>>;

/// Runs interfaces with a cache in a folder.
pub struct Runner {
    memory: RunMemory,
    host: StdHost,
    root: std::path::PathBuf,
    /// A store shared with other machines, behind the local cache.
    #[cfg(feature = "redis")]
    shared: Option<crate::memory::RedisStore>,
}

impl Runner {
    /// A runner over the cache folder `location` (created if needed), as a
    /// run of its own.
    pub fn open(location: &Path, limits: Limits) -> Result<Runner> {
        Runner::open_run(location, limits, new_run_id())
    }

    /// A runner that counts as part of the run `run` (what
    /// `clear_previous_runs` keeps): processes of one pipeline share an id.
    pub fn open_run(location: &Path, limits: Limits, run: String) -> Result<Runner> {
        let store = WithReadOnly::new(FsStore::open(location)?, Vec::new());
        Ok(Runner {
            memory: Memory::new(store, limits, run, Box::new(system_clock_ms)),
            host: StdHost::default(),
            root: location.to_path_buf(),
            #[cfg(feature = "redis")]
            shared: None,
        })
    }

    /// Also looks for runs in these folders (a lab's shared, precomputed
    /// cache), never writing to them.
    pub fn with_read_only(mut self, folders: &[std::path::PathBuf]) -> Result<Runner> {
        for dir in folders {
            self.memory.store_mut().read_only.push(FsStore::open(dir)?);
        }
        Ok(self)
    }

    /// Shows progress on standard error (spinners while hashing large inputs
    /// and while a tool runs longer than a second).
    pub fn with_progress(mut self, progress: Progress) -> Runner {
        self.host.progress = progress;
        self
    }

    /// Shares runs through `shared` (Redis): a local miss looks there before
    /// running, runs are claimed there so that only one machine computes a
    /// key, and new runs are published there too.
    #[cfg(feature = "redis")]
    pub fn with_shared(mut self, shared: crate::memory::RedisStore) -> Runner {
        self.shared = Some(shared);
        self
    }

    pub fn memory(&self) -> &RunMemory {
        &self.memory
    }

    /// The key a run of `iface` with `inputs` has, and its parts (for `explain`).
    pub fn key(&self, iface: &Interface, inputs: &Json, opts: &RunOptions) -> Result<InterfaceKey> {
        Ok(prepare(&self.host, iface, inputs, opts)?.key)
    }

    fn options(&self, opts: &RunOptions) -> RunOptions {
        RunOptions { cache_root: opts.cache_root.clone().or_else(|| Some(self.root.clone())), ..opts.clone() }
    }

    /// Validates and renders, then returns the stored run or runs the tool.
    pub fn run(&self, iface: &Interface, inputs: &Json, opts: &RunOptions) -> Result<Outcome> {
        let opts = &self.options(opts);
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            return self.run_shared(shared, iface, inputs, opts);
        }
        block_on(super::run(&self.memory, &self.host, iface, inputs, opts))
    }

    /// [`Runner::run`] with a shared store between the local lookup and the
    /// tool: a run another machine made is fetched, and a new run is claimed
    /// there (single-flight across machines) and published there.
    #[cfg(feature = "redis")]
    fn run_shared(
        &self,
        shared: &crate::memory::RedisStore,
        iface: &Interface,
        inputs: &Json,
        opts: &RunOptions,
    ) -> Result<Outcome> {
        let prepared = prepare(&self.host, iface, inputs, opts)?;
        let name = iface.name();
        let key = prepared.key.key;
        let req = Request { name, key, force: opts.force, expires_ms: None };
        let folder = block_on(self.memory.store().folder(name, &key))?;
        let judged = judge(&self.host, folder.as_deref(), opts.hash_method);
        // The claim on the shared store is held until the run is shared.
        let mut flight = None;
        let mut fetched = false;
        let compute = async {
            if !opts.force {
                if let Some(fresh) = super::share::fetch(&self.memory, &self.host, shared, name, &key)? {
                    fetched = true;
                    return Ok(fresh);
                }
                let claim = shared.claim_blocking(name, &key)?;
                if matches!(claim, crate::memory::Flight::Ready) {
                    if let Some(fresh) = super::share::fetch(&self.memory, &self.host, shared, name, &key)? {
                        fetched = true;
                        return Ok(fresh);
                    }
                }
                flight = Some(claim);
            }
            execute(&self.memory, &self.host, iface, inputs, &prepared, opts).await
        };
        let called = block_on(self.memory.call(&req, judged, compute))?;
        let mut out = block_on(finish(&self.memory, prepared.key, called.result, called.cached, called.refused))?;
        // A run fetched from the shared store ran elsewhere: nothing ran here.
        out.from_shared = fetched;
        out.cached = called.cached || fetched;
        if called.cached {
            out.note = self.report_use(shared, name, &key);
        } else if !fetched {
            out.note = super::share::publish(shared, &self.memory, &out)?;
        }
        drop(flight);
        Ok(out)
    }

    /// Reports a local hit to the shared store, whose eviction would otherwise
    /// take a run used every day on machines that keep their own copy for an
    /// idle one. The hit is served either way: a shared store that cannot be
    /// told gives a note, not an error.
    #[cfg(feature = "redis")]
    fn report_use(
        &self,
        shared: &crate::memory::RedisStore,
        name: &str,
        key: &crate::fingerprint::Key,
    ) -> Option<String> {
        match block_on(shared.record_use(name, key, self.memory.now(), self.memory.run_id())) {
            Ok(()) => None,
            Err(e) => Some(format!("the shared store was not told of this use: {}", e.message)),
        }
    }
}
