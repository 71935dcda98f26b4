//! Running real tools, cached: nipype's `Memory.cache(Interface)`, natively
//! and under Node.
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
//! The policy is written once, over two seams: a [`Host`] (processes and
//! files: `std` natively, `node:child_process`/`node:fs` under Node) and the
//! store contract (the working folder is a staged folder of the store, which
//! only stores with folders have). The cached call itself is `Memory::call`,
//! the same as for cached functions. The working folder is
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

#[cfg(feature = "native")]
mod exec;
#[cfg(feature = "native")]
mod explain;
#[cfg(feature = "native")]
mod folder;
pub mod host;
mod matlab;
mod record;
#[cfg(feature = "redis")]
mod share;
#[cfg(feature = "redis")]
pub use share::RunCarry;
mod stage;

pub use crate::memory::{OutputStamp, RunRecord};
#[cfg(feature = "native")]
pub use exec::{human_bytes, run_process, Progress, StdHost};
#[cfg(feature = "native")]
pub use explain::{Difference, Explanation};
#[cfg(feature = "native")]
pub use folder::{new_run_id, RunMemory, RunStore, Runner};
pub use host::{Done, Host, Stat};

use crate::error::{Error, ErrorKind, Result};
use crate::fingerprint::{interface_key, FileHasher, FileId, HashMethod, InterfaceKey};
use crate::memory::{format, Fresh, Memory, Meta, Request, Store, Verdict};
use crate::{Bound, Interface};
use serde_json::Value as Json;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// How to run.
#[derive(Debug, Clone, Default)]
pub struct RunOptions {
    /// Where relative paths in the inputs are resolved (the caller's directory).
    pub cwd: PathBuf,
    /// How input files enter the key (and how outputs are checked on a hit).
    pub hash_method: HashMethod,
    /// Run even when a stored run exists (and replace it).
    pub force: bool,
    /// The cache folder: failed runs leave crash records in its `.crashes/`.
    pub cache_root: Option<PathBuf>,
    /// The MATLAB command for SPM interfaces whose `matlab_cmd` input is unset
    /// (`matlab`, or the SPM standalone's `run_spm12.sh MCR script`).
    pub matlab_cmd: Option<String>,
}

/// What a call to [`run`] did.
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

/// How a store's values hold a run record: bytes natively, a `Uint8Array` in JS.
pub trait RunValue: Sized {
    fn from_record(bytes: Vec<u8>) -> Self;
    /// The record's bytes, when the value is one.
    fn record_bytes(&self) -> Option<Cow<'_, [u8]>>;
}

impl RunValue for Vec<u8> {
    fn from_record(bytes: Vec<u8>) -> Self {
        bytes
    }
    fn record_bytes(&self) -> Option<Cow<'_, [u8]>> {
        Some(Cow::Borrowed(self))
    }
}

/// A run about to be looked up or executed: validated, rendered, keyed.
pub struct Prepared<'s> {
    pub bound: Bound<'s>,
    pub key: InterfaceKey,
}

/// Validates `inputs`, refuses output names that leave the working folder, and
/// computes the run's key (input files as `opts.hash_method` says).
pub fn prepare<'s, H: Host>(host: &H, iface: &'s Interface, inputs: &Json, opts: &RunOptions) -> Result<Prepared<'s>> {
    let files = host::Probe { host, base: &opts.cwd };
    let bound = iface.bind(inputs, &files)?;
    stage::check_output_names(&bound)?;
    let total = input_bytes(host, &bound, &opts.cwd);
    let key = host.hashing(total, || interface_key(&bound, &files, opts.hash_method))?;
    Ok(Prepared { bound, key })
}

/// Bytes of the set `File` inputs (for sizing the hashing work).
fn input_bytes<H: Host>(host: &H, bound: &Bound, cwd: &Path) -> u64 {
    struct Collect(std::cell::RefCell<Vec<String>>);
    impl FileHasher for Collect {
        fn identify(&self, path: &str, _: HashMethod) -> Result<FileId> {
            self.0.borrow_mut().push(path.to_string());
            Ok(FileId::PathOnly)
        }
    }
    let c = Collect(Default::default());
    let _ = interface_key(bound, &c, HashMethod::Content);
    c.0.into_inner().iter().filter_map(|p| host.stat(&host::absolute(cwd, p), true)).map(|s| s.size).sum()
}

/// What the runner makes of a stored run: a record of the `run/1` format whose
/// outputs are all in `folder/work` as stamped. A run whose outputs changed is
/// stale; anything else (another format, a JS run function's result, no
/// folder) is not for the runner. The folder is asked for (`locate`) when a
/// record is judged, not before: a tiered store brings a shared run's files
/// in during the lookup.
pub fn judge<'h, H: Host, V: RunValue>(
    host: &'h H,
    locate: impl Fn() -> Option<PathBuf> + 'h,
    method: HashMethod,
) -> impl FnMut(&Meta, &V) -> Verdict<RunRecord> + 'h {
    move |meta, value| {
        if meta.format != format::RUN && meta.format != format::LEGACY {
            return Verdict::Unusable(format!("it is in format '{}', not a tool run", meta.format));
        }
        let Some(bytes) = value.record_bytes() else {
            return Verdict::Unusable("its value is not a run record".to_string());
        };
        let record = match RunRecord::from_bytes(&bytes) {
            Ok(r) if r.result.is_none() => r,
            Ok(_) => return Verdict::Unusable("it was made by a JS run function, not by running the tool".into()),
            Err(why) => return Verdict::Unusable(why),
        };
        let Some(work) = locate().map(|f| f.join("work")) else {
            return Verdict::Unusable("its files are not in this store".to_string());
        };
        match record.check_outputs(host, &work, method) {
            Ok(()) => Verdict::Use(record),
            Err(why) => Verdict::Stale(why),
        }
    }
}

/// Runs `iface` with `inputs` through `mem`: the stored run if there is a
/// usable one, else the tool, run in a folder staged in the store and
/// published with the entry.
pub async fn run<S: Store<V>, V: RunValue, H: Host>(
    mem: &Memory<S, V>,
    host: &H,
    iface: &Interface,
    inputs: &Json,
    opts: &RunOptions,
) -> Result<Outcome> {
    let prepared = prepare(host, iface, inputs, opts)?;
    let name = iface.name();
    let key = prepared.key.key;
    let req = Request { name, key, force: opts.force, expires_ms: None };
    let judged = judge(host, || folder_now(mem.store(), name, &key), opts.hash_method);
    let called = mem.call(&req, judged, execute(mem, host, iface, inputs, &prepared, opts)).await?;
    finish(mem, prepared.key, called.result, called.cached, called.refused).await
}

/// The folder of an entry, from a store that answers at once (every store
/// with folders does: they are on this machine's filesystem).
fn folder_now<S: Store<V>, V>(store: &S, name: &str, key: &crate::fingerprint::Key) -> Option<PathBuf> {
    crate::memory::cached::now_or_never(store.folder(name, key)).and_then(Result::ok).flatten()
}

/// The outcome of a run whose record is in `mem`: its folder and outputs.
pub async fn finish<S: Store<V>, V>(
    mem: &Memory<S, V>,
    key: InterfaceKey,
    record: RunRecord,
    cached: bool,
    stale: Option<String>,
) -> Result<Outcome> {
    let dir = mem.store().folder(&record.interface, &key.key).await?.ok_or_else(|| {
        Error::new(
            ErrorKind::Store,
            format!("{}: the run's entry was removed as soon as it was stored", record.interface),
        )
    })?;
    let outputs = record.absolute_outputs(&dir.join("work"));
    Ok(Outcome { key, cached, stale, from_shared: false, note: None, dir, record, outputs })
}

/// Stages, executes and collects a run in a folder staged in `mem`'s store:
/// what [`Memory::call`] stores on a miss. A failure discards the folder and
/// leaves a crash record.
pub async fn execute<S: Store<V>, V: RunValue, H: Host>(
    mem: &Memory<S, V>,
    host: &H,
    iface: &Interface,
    inputs: &Json,
    prepared: &Prepared<'_>,
    opts: &RunOptions,
) -> Result<Fresh<RunRecord, V>> {
    let staged = mem.store().stage(iface.name()).await?;
    match execute_in(host, iface, inputs, prepared, opts, &staged).await {
        Ok(record) => {
            let value = record.to_bytes();
            let files = host::folder_size(host, &staged.join("work"));
            let new = record.new_entry(&prepared.key, iface.name(), value.len(), files);
            Ok(Fresh { result: record, store: Some((new, V::from_record(value))), staged: Some(staged) })
        }
        Err(e) => {
            host.remove_all(&staged);
            Err(e)
        }
    }
}

async fn execute_in<H: Host>(
    host: &H,
    iface: &Interface,
    inputs: &Json,
    prepared: &Prepared<'_>,
    opts: &RunOptions,
    staged: &Path,
) -> Result<RunRecord> {
    let name = iface.name();
    let store_err = |what: &str, path: &Path, e: std::io::Error| {
        Error::new(ErrorKind::Store, format!("cannot {what} {}: {e}", path.display()))
    };
    // Absolute, as nipype's `os.getcwd()` is: names made absolute and an SPM
    // job's folder must not depend on where the tool runs from.
    let work = if staged.is_absolute() { staged.join("work") } else { opts.cwd.join(staged).join("work") };
    host.create_dir(&work).map_err(|e| store_err("create", &work, e))?;
    let run_inputs = stage::stage_inputs(host, &prepared.bound, inputs, &opts.cwd, &work)?;
    let run_bound = iface.bind(&run_inputs, &host::Probe { host, base: &work })?;
    let (mut argv, cmdline) = match iface.spec().matlab {
        None => (run_bound.argv()?, run_bound.cmdline()?),
        Some(_) => {
            let argv = matlab::prepare(host, &run_bound, &work, opts.matlab_cmd.as_deref())?;
            let mut line = String::new();
            for (n, w) in argv.iter().enumerate() {
                if n > 0 {
                    line.push(' ');
                }
                crate::path::shell_quote(w, &mut line);
            }
            (argv, line)
        }
    };
    let environ = stage::environ(&run_bound);
    if iface.spec().redirect_x {
        if !host.has_program("xvfb-run") {
            return Err(Error::new(
                ErrorKind::Run,
                format!(
                    "{name}: the tool needs an X display (redirect_x) and xvfb-run is not installed \
                     (Debian/Ubuntu: apt-get install xvfb)"
                ),
            ));
        }
        argv.splice(0..0, ["xvfb-run".to_string(), "--auto-servernum".to_string()]);
    }
    let mut record = RunRecord::new(&prepared.key, name, &cmdline, host.now_ms());
    let done = host
        .execute(&argv, &environ, &work)
        .await
        .map_err(|why| Error::new(ErrorKind::Run, format!("{name}: {why}")))?;
    record.executed(&argv, &environ, &done);
    let crash = |why: String, record: &RunRecord| -> Error {
        let at = match &opts.cache_root {
            Some(dir) => record::write_crash(host, dir, &prepared.key, record, &work, &why)
                .map_or_else(|e| format!("(no crash record: {e})"), |p| format!("crash record: {}", p.display())),
            None => "(no crash record: no cache folder)".to_string(),
        };
        Error::new(ErrorKind::Run, format!("{name}: {why}\n{at}"))
    };
    if !done.success() {
        let why = format!("`{cmdline}` {}{}", done.describe(), record::stderr_tail(&record.stderr));
        return Err(crash(why, &record));
    }
    match record.collect_outputs(host, &run_bound, &work) {
        Ok(()) => Ok(record),
        Err(why) => Err(crash(why, &record)),
    }
}
