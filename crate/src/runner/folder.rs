//! The Rust API's runner: a cache folder on this machine (with read-only extra
//! locations behind it, and optionally a Redis store shared with other
//! machines), the real processes of [`StdHost`], and the one run policy of
//! [`run`](super::run) over them. `toolmemo run` is a thin front end over this.

use super::{prepare, Outcome, Progress, RunOptions, StdHost};
use crate::error::Result;
use crate::fingerprint::InterfaceKey;
pub use crate::memory::cached::new_run_id;
use crate::memory::cached::{block_on, system_clock_ms};
use crate::memory::{FsStore, Limits, Memory, StdDisk, Tiered, WithReadOnly};
use crate::Interface;
use serde_json::Value as Json;
use std::path::Path;

/// A runner's own cache folder, then read-only ones.
pub type LocalRuns = WithReadOnly<FsStore<StdDisk>>;

/// A store shared with other machines (Redis), when this build has one.
#[cfg(feature = "redis")]
pub type SharedRuns = crate::memory::RedisStore;
#[cfg(not(feature = "redis"))]
pub type SharedRuns = crate::memory::Nowhere;

#[cfg(feature = "redis")]
type Carried = super::RunCarry;
#[cfg(not(feature = "redis"))]
type Carried = crate::memory::Plain;

/// The store a runner keeps its runs in: the local folders, in front of a
/// shared store if one is given (runs travel there packed with their files).
pub type RunStore = Tiered<LocalRuns, SharedRuns, Carried>;

/// The cache a runner keeps its runs in.
pub type RunMemory = Memory<RunStore, Vec<u8>>;

/// Runs interfaces with a cache in a folder.
pub struct Runner {
    memory: RunMemory,
    host: StdHost,
    root: std::path::PathBuf,
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
        let local = WithReadOnly::new(FsStore::open(location)?, Vec::new());
        #[cfg(feature = "redis")]
        let carry = super::RunCarry { max_value_bytes: 0 };
        #[cfg(not(feature = "redis"))]
        let carry = crate::memory::Plain;
        let store = Tiered::carrying(local, None, carry);
        Ok(Runner {
            memory: Memory::new(store, limits, run, Box::new(system_clock_ms)),
            host: StdHost::default(),
            root: location.to_path_buf(),
        })
    }

    /// Also looks for runs in these folders (a lab's shared, precomputed
    /// cache), never writing to them.
    pub fn with_read_only(mut self, folders: &[std::path::PathBuf]) -> Result<Runner> {
        for dir in folders {
            self.memory.store_mut().local.read_only.push(FsStore::open(dir)?);
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
    /// key, and new runs are published there too (the store's tiering).
    #[cfg(feature = "redis")]
    pub fn with_shared(mut self, shared: crate::memory::RedisStore) -> Runner {
        let store = self.memory.store_mut();
        store.carry.max_value_bytes = shared.max_value_bytes();
        store.shared = Some(shared);
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
        let out = block_on(super::run(&self.memory, &self.host, iface, inputs, opts))?;
        Ok(self.noted(out))
    }

    /// What the shared tier has to say of a run: whether it came from there
    /// (another machine ran it), or why it was not shared.
    pub fn noted(&self, mut out: Outcome) -> Outcome {
        let store = self.memory.store();
        out.from_shared = store.take_brought(&out.key.key);
        if let Some(note) = store.take_note(&out.key.key) {
            out.note = Some(note);
        }
        out
    }
}
