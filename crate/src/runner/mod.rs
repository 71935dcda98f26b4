//! Running real tools, cached: nipype's `Memory.cache(Interface)` natively.
//!
//! A run goes spec → validate → render → fingerprint → store, like everything
//! else in the crate, with two steps added in the middle: the inputs are
//! *staged* into a fresh working folder (`stage`: files with `copyfile: true`
//! copied in, `false` linked, the rest used in place by absolute path) and the
//! tool is *executed* there as an argument vector, never through a shell
//! (`exec`). What it produced is *collected* and recorded (`record`): output
//! names as the spec derives them, each with a stamp of its content, plus the
//! command line, exit status, logs and duration.
//!
//! The working folder is assembled in the filesystem store's staging area and
//! published with the entry in one rename, so the cache holds whole runs or
//! nothing: `<location>/<Interface>/<kk>/<key>/work/` holds the tool's files,
//! beside the entry's `value` (the run record, JSON), `meta.json` and sidecar.
//! A hit returns the stored outputs without running — unless an output has
//! since been deleted or changed, which makes it a miss. A failed run stores no
//! entry; it leaves a readable crash record in `<location>/.crashes/`.
//!
//! Paths never leave the working folder: an output name (set, generated or
//! templated) that is absolute or climbs out with `..` is refused before
//! anything runs.

mod exec;
mod explain;
mod record;
#[cfg(feature = "redis")]
mod share;
mod stage;

pub use exec::{human_bytes, Progress};
pub use explain::{Difference, Explanation};
pub use record::{OutputStamp, RunRecord};

use crate::error::{Error, ErrorKind, Result};
use crate::fingerprint::{interface_key, HashMethod, InterfaceKey, RealFileHasher};
pub use crate::memory::cached::new_run_id;
use crate::memory::cached::{block_on, system_clock_ms};
use crate::memory::{sidecar, FsStore, Kind, Limits, Memory, NewEntry, StdDisk};
use crate::path::RealFilesystem;
use crate::{Bound, Interface};
use serde_json::Value as Json;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The cache a runner keeps its runs in.
pub type RunMemory = Memory<FsStore<StdDisk>, Vec<u8>>;

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Where relative paths in the inputs are resolved (the caller's directory).
    pub cwd: PathBuf,
    /// How input files enter the key (and how outputs are checked on a hit).
    pub hash_method: HashMethod,
    /// Run even when a stored run exists (and replace it).
    pub force: bool,
}

/// What a call to [`Runner::run`] did.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub key: InterfaceKey,
    /// Whether the result came from the cache (nothing ran).
    pub cached: bool,
    /// Why a stored run was not used, when there was one.
    pub stale: Option<String>,
    /// Whether the run came from the shared store (another machine ran it).
    pub from_shared: bool,
    /// Something the caller should know, e.g. that a run was too large to share.
    pub note: Option<String>,
    /// The entry's folder; the tool's files are in its `work/`.
    pub dir: PathBuf,
    pub record: RunRecord,
    /// Each collected output as an absolute path.
    pub outputs: BTreeMap<String, PathBuf>,
}

/// Runs interfaces with a cache in a folder.
pub struct Runner {
    memory: RunMemory,
    progress: Progress,
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
        let store = FsStore::open(location)?;
        let memory = Memory::new(store, limits, run, Box::new(system_clock_ms));
        Ok(Runner {
            memory,
            progress: Progress::Off,
            #[cfg(feature = "redis")]
            shared: None,
        })
    }

    /// Shows progress on standard error (spinners while hashing large inputs
    /// and while a tool runs longer than a second).
    pub fn with_progress(mut self, progress: Progress) -> Runner {
        self.progress = progress;
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
        let bound = iface.bind(inputs, &RealFilesystem { base: Some(opts.cwd.clone()) })?;
        self.key_of(&bound, opts)
    }

    fn key_of(&self, bound: &Bound, opts: &RunOptions) -> Result<InterfaceKey> {
        let hasher = RealFileHasher { base: Some(opts.cwd.clone()) };
        self.progress.while_hashing(bound, &opts.cwd, || interface_key(bound, &hasher, opts.hash_method))
    }

    /// Validates and renders, then returns the stored run or runs the tool.
    pub fn run(&self, iface: &Interface, inputs: &Json, opts: &RunOptions) -> Result<Outcome> {
        let bound = iface.bind(inputs, &RealFilesystem { base: Some(opts.cwd.clone()) })?;
        stage::check_output_names(&bound)?;
        let key = self.key_of(&bound, opts)?;
        let name = iface.name();
        let mut stale = None;
        if !opts.force {
            if let Some(value) = block_on(self.memory.lookup(name, &key.key, |_| true))? {
                let dir = self.memory.store().entry_dir(name, &key.key);
                match RunRecord::from_bytes(&value).and_then(|r| r.check_outputs(&dir.join("work"), opts.hash_method)) {
                    Ok(record) => {
                        let outputs = record.absolute_outputs(&dir.join("work"));
                        let note = self.report_use(name, &key.key);
                        return Ok(Outcome {
                            key,
                            cached: true,
                            stale: None,
                            from_shared: false,
                            note,
                            dir,
                            record,
                            outputs,
                        });
                    }
                    Err(why) => {
                        block_on(self.memory.remove(name, &key.key))?;
                        stale = Some(why);
                    }
                }
            }
        }
        #[cfg(feature = "redis")]
        let _flight = match &self.shared {
            Some(shared) if !opts.force => {
                if let Some(found) = self.fetch_shared(shared, name, &key, stale.clone())? {
                    return Ok(found);
                }
                let flight = shared.claim_blocking(name, &key.key)?;
                if matches!(flight, crate::memory::Flight::Ready) {
                    if let Some(found) = self.fetch_shared(shared, name, &key, stale.clone())? {
                        return Ok(found);
                    }
                }
                Some(flight)
            }
            _ => None,
        };
        let store = self.memory.store();
        let staged = store.stage(name)?;
        let ran = self.run_in(iface, inputs, &bound, &key, &staged, opts);
        let (record, bytes) = match ran {
            Ok(done) => done,
            Err(e) => {
                store.discard_staged(&staged);
                return Err(e);
            }
        };
        let new = NewEntry {
            key: key.key,
            kind: Kind::Interface,
            name: name.to_string(),
            bytes,
            duration_ms: record.duration_ms,
            code: Some(format!("spec:{}", key.spec.hex())),
            args: None,
            sidecar: serde_json::json!({"inputs": sidecar(&key.data), "cmdline": record.cmdline}),
        };
        let value = record.to_bytes();
        let meta = self.memory.new_meta(NewEntry { bytes: bytes + value.len() as u64, ..new });
        let entry = crate::memory::Entry { meta, value };
        let dir = store.publish_staged(&staged, &entry)?;
        block_on(self.memory.enforce_limits())?;
        #[allow(unused_mut)]
        let mut note = None;
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            note = self.share(shared, entry.meta, &record, &dir.join("work"))?;
        }
        let outputs = record.absolute_outputs(&dir.join("work"));
        Ok(Outcome { key, cached: false, stale, from_shared: false, note, dir, record, outputs })
    }

    /// Reports a local hit to the shared store, whose eviction would otherwise
    /// take a run used every day on machines that keep their own copy for an
    /// idle one. The hit is served either way: a shared store that cannot be
    /// told gives a note, not an error.
    fn report_use(&self, _name: &str, _key: &crate::fingerprint::Key) -> Option<String> {
        #[cfg(feature = "redis")]
        if let Some(shared) = &self.shared {
            use crate::memory::Store;
            if let Err(e) = block_on(shared.record_use(_name, _key, self.memory.now(), self.memory.run_id())) {
                return Some(format!("the shared store was not told of this use: {}", e.message));
            }
        }
        None
    }

    /// The run of `key` from the shared store, made a local entry; `None` when
    /// it is not there.
    #[cfg(feature = "redis")]
    fn fetch_shared(
        &self,
        shared: &crate::memory::RedisStore,
        name: &str,
        key: &InterfaceKey,
        stale: Option<String>,
    ) -> Result<Option<Outcome>> {
        use crate::memory::Store;
        let Some(entry) = block_on(shared.get(name, &key.key))? else { return Ok(None) };
        let store = self.memory.store();
        let staged = store.stage(name)?;
        let work = staged.join("work");
        let unpacked = std::fs::create_dir(&work)
            .map_err(|e| store_err("create", &work, e))
            .and_then(|()| share::unpack(&entry.value, &work))
            .and_then(|r| {
                r.check_outputs(&work, HashMethod::Content)
                    .map_err(|why| Error::new(ErrorKind::Store, format!("{name}: a shared run is damaged: {why}")))
            });
        let record = match unpacked {
            Ok(r) => r,
            Err(e) => {
                store.discard_staged(&staged);
                return Err(e);
            }
        };
        let m = &entry.meta;
        let value = record.to_bytes();
        let meta = self.memory.new_meta(NewEntry {
            key: m.key,
            kind: m.kind,
            name: name.to_string(),
            bytes: m.bytes,
            duration_ms: m.duration_ms,
            code: m.code.clone(),
            args: m.args,
            sidecar: m.sidecar.clone(),
        });
        let dir = store.publish_staged(&staged, &crate::memory::Entry { meta, value })?;
        let mut used = entry.meta;
        used.hits += 1;
        used.last_access_ms = self.memory.now();
        block_on(shared.set_meta(&used))?;
        let outputs = record.absolute_outputs(&dir.join("work"));
        Ok(Some(Outcome { key: key.clone(), cached: true, stale, from_shared: true, note: None, dir, record, outputs }))
    }

    /// Publishes a new run to the shared store; a note when it is too large to.
    #[cfg(feature = "redis")]
    fn share(
        &self,
        shared: &crate::memory::RedisStore,
        meta: crate::memory::Meta,
        record: &RunRecord,
        work: &Path,
    ) -> Result<Option<String>> {
        use crate::memory::Store;
        let packed = share::pack(record, work)?;
        if packed.len() as u64 > shared.max_value_bytes() {
            return Ok(Some(format!(
                "not shared: the run's outputs ({}) exceed the shared store's limit ({}); it is cached on this machine only",
                human_bytes(packed.len() as u64),
                human_bytes(shared.max_value_bytes())
            )));
        }
        block_on(shared.put(crate::memory::Entry { meta, value: packed }))?;
        Ok(None)
    }

    /// Stages, executes and collects in `staged`; the record and the size of the
    /// working files. A failure leaves a crash record.
    fn run_in(
        &self,
        iface: &Interface,
        inputs: &Json,
        bound: &Bound,
        key: &InterfaceKey,
        staged: &Path,
        opts: &RunOptions,
    ) -> Result<(RunRecord, u64)> {
        let work = staged.join("work");
        std::fs::create_dir(&work).map_err(|e| store_err("create", &work, e))?;
        let run_inputs = stage::stage_inputs(bound, inputs, &opts.cwd, &work)?;
        let run_bound = iface.bind(&run_inputs, &RealFilesystem { base: Some(work.clone()) })?;
        let argv = run_bound.argv()?;
        let cmdline = run_bound.cmdline()?;
        let environ = stage::environ(&run_bound);
        let started = std::time::SystemTime::now();
        let done = self.progress.while_running(iface.name(), || {
            exec::execute(&argv, &environ, &work, iface.spec().redirect_x, iface.name())
        })?;
        let mut record = RunRecord::new(key, iface.name(), &cmdline, &argv, &environ, started, &done);
        let crash = |why: String, record: &RunRecord| -> Error {
            let at = record::write_crash(self.memory.store().root(), key, record, &work, &why);
            let at =
                at.map_or_else(|e| format!("(no crash record: {e})"), |p| format!("crash record: {}", p.display()));
            Error::new(ErrorKind::Run, format!("{}: {why}\n{at}", iface.name()))
        };
        if !done.status.success() {
            let why = format!("`{cmdline}` {}{}", exec::describe(&done.status), record::stderr_tail(&record.stderr));
            return Err(crash(why, &record));
        }
        match record.collect_outputs(&run_bound, &work) {
            Ok(()) => Ok((record, record::folder_size(&work))),
            Err(why) => Err(crash(why, &record)),
        }
    }
}

fn store_err(what: &str, path: &Path, e: std::io::Error) -> Error {
    Error::new(ErrorKind::Store, format!("cannot {what} {}: {e}", path.display()))
}
