//! What only the host can answer: whether a path exists (`node:fs` under Node,
//! a declared list, or nothing in a browser), what a file holds, the time, and
//! randomness for run ids.

use crate::path::{FileSet, NoFilesystem, PathKind, PathProbe};
use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
/// Chooses how `exists` is checked: `options.files` (declared paths), else
/// Node's `fs` when there is one, else not at all.
pub(super) fn probe_for(options: Option<&Object>) -> Result<Box<dyn PathProbe>, JsValue> {
    if let Some(o) = options {
        let files = Reflect::get(o, &"files".into())?;
        if Array::is_array(&files) {
            let paths: Vec<String> = Array::from(&files).iter().filter_map(|v| v.as_string()).collect();
            return Ok(Box::new(FileSet::new(paths)));
        }
    }
    Ok(NODE_FS.with(|fs| match fs {
        Some(fs) => Box::new(fs.clone()) as Box<dyn PathProbe>,
        None => Box::new(NoFilesystem),
    }))
}

thread_local! {
    /// Looked up once: `node:fs` does not come and go.
    static NODE_FS: Option<NodeFs> = NodeFs::find();
}

/// `node:fs`, reached through `process.getBuiltinModule` so the same wasm
/// package loads in browsers, where there is no such thing.
#[derive(Clone)]
struct NodeFs {
    /// `(path) => 0 | 1 | 2` (missing, file, directory): one boundary crossing a probe.
    kind_of: Function,
    /// `process.cwd`.
    cwd: Function,
    process: JsValue,
}

impl NodeFs {
    fn find() -> Option<NodeFs> {
        let process = Reflect::get(&js_sys::global(), &"process".into()).ok().filter(|p| p.is_object())?;
        let get = Reflect::get(&process, &"getBuiltinModule".into()).ok()?.dyn_into::<Function>().ok()?;
        let fs = get.call1(&process, &"fs".into()).ok().filter(|f| f.is_object())?;
        // Built only under Node (no CSP there); like Python's Path.is_file, follows symlinks.
        let make = Function::new_with_args(
            "fs",
            "return (p) => { const s = fs.statSync(p, { throwIfNoEntry: false }); \
             return s === undefined ? 0 : s.isDirectory() ? 2 : s.isFile() ? 1 : 0; };",
        );
        let kind_of = make.call1(&JsValue::NULL, &fs).ok()?.dyn_into::<Function>().ok()?;
        let cwd = Reflect::get(&process, &"cwd".into()).ok()?.dyn_into::<Function>().ok()?;
        Some(NodeFs { kind_of, cwd, process })
    }
}

impl PathProbe for NodeFs {
    fn kind(&self, path: &str) -> PathKind {
        match self.kind_of.call1(&JsValue::NULL, &path.into()).ok().and_then(|k| k.as_f64()) {
            Some(2.0) => PathKind::Dir,
            Some(1.0) => PathKind::File,
            _ => PathKind::Missing,
        }
    }

    fn working_dir(&self) -> Option<String> {
        self.cwd.call0(&self.process).ok()?.as_string()
    }
}

#[wasm_bindgen(module = "/src/wasm/memory.js")]
extern "C" {
    #[wasm_bindgen(js_name = nodeFileId)]
    fn node_file_id(path: &str, timestamp: bool, grace_ms: f64) -> JsValue;
    #[wasm_bindgen(js_name = totalMemory)]
    pub(super) fn total_memory() -> JsValue;
}

/// The CPUs the host has: Node's `os.cpus().length` (the online CPUs, as
/// CPython's `os.cpu_count()` and the native build count them), else
/// `navigator.hardwareConcurrency` (browsers); `None` where neither answers.
pub(super) fn cpu_count() -> Option<usize> {
    let global = js_sys::global();
    let from_node = || {
        let process = Reflect::get(&global, &"process".into()).ok()?;
        let get = Reflect::get(&process, &"getBuiltinModule".into()).ok()?.dyn_into::<Function>().ok()?;
        let os = get.call1(&process, &"os".into()).ok()?;
        let cpus = Reflect::get(&os, &"cpus".into()).ok()?.dyn_into::<Function>().ok()?;
        Some(Array::from(&cpus.call0(&os).ok()?).length() as f64)
    };
    let from_navigator = || {
        let navigator = Reflect::get(&global, &"navigator".into()).ok().filter(JsValue::is_object)?;
        Reflect::get(&navigator, &"hardwareConcurrency".into()).ok()?.as_f64()
    };
    from_node().filter(|n| *n >= 1.0).or_else(from_navigator).filter(|n| *n >= 1.0).map(|n| n as usize)
}

/// Milliseconds since the epoch.
pub(super) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A run id: the time and 64 random bits, in hex.
pub(super) fn new_run_id() -> String {
    let r = (js_sys::Math::random() * 2f64.powi(32)) as u64 ^ (((js_sys::Math::random() * 2f64.powi(32)) as u64) << 32);
    format!("{:x}-{r:016x}", now_ms() as u64)
}

/// Files for interface keys: read through `node:fs` under Node; elsewhere a
/// path is all there is.
pub(super) struct HostFiles;

impl crate::fingerprint::FileHasher for HostFiles {
    fn identify(
        &self,
        path: &str,
        method: crate::fingerprint::HashMethod,
    ) -> crate::Result<crate::fingerprint::FileId> {
        use crate::fingerprint::{FileId, HashMethod, Key};
        let grace = crate::fingerprint::files::TIMESTAMP_GRACE_SECS as f64 * 1000.0;
        let id = node_file_id(path, method == HashMethod::Timestamp, grace);
        let get = |k: &str| Reflect::get(&id, &k.into()).ok();
        if !id.is_object() {
            return Ok(FileId::PathOnly);
        }
        let size = get("size").and_then(|s| s.as_f64()).unwrap_or(0.0) as u64;
        if let Some(ns) = get("mtimeNs").and_then(|s| s.as_string()) {
            return Ok(FileId::Timestamp { size, mtime_ns: ns.parse().unwrap_or(0) });
        }
        match get("digest").and_then(|d| d.as_string()).and_then(|d| Key::from_hex(&d)) {
            Some(k) => Ok(FileId::Content { size, digest: k.0 }),
            None => Ok(FileId::PathOnly),
        }
    }
}

#[wasm_bindgen(module = "/src/wasm/memory.js")]
extern "C" {
    #[wasm_bindgen(js_name = hasNodeFs)]
    pub(super) fn has_node_fs() -> bool;
    /// `TOOLMEMO_CACHE_DIR`, else the platform's cache folder + `toolmemo`: the
    /// folder the native program uses too.
    #[wasm_bindgen(js_name = defaultCacheDir)]
    pub(super) fn default_cache_dir() -> String;
}

// The filesystem store's disk (cargo feature `node-fs`).
#[cfg(feature = "node-fs")]
#[wasm_bindgen(module = "/src/wasm/node_disk.js")]
extern "C" {
    #[wasm_bindgen(js_name = diskRead, catch)]
    fn disk_read(path: &str) -> Result<js_sys::Uint8Array, JsValue>;
    #[wasm_bindgen(js_name = diskWrite, catch)]
    fn disk_write(path: &str, bytes: &[u8], sync: bool) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = diskUpdate, catch)]
    fn disk_update(path: &str, change: &mut dyn FnMut(js_sys::Uint8Array) -> JsValue) -> Result<bool, JsValue>;
    #[wasm_bindgen(js_name = diskOverwrite, catch)]
    fn disk_overwrite(path: &str, bytes: &[u8]) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = diskRename, catch)]
    fn disk_rename(from: &str, to: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = diskMkdir, catch)]
    fn disk_mkdir(path: &str, recursive: bool) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = diskRemoveDir, catch)]
    fn disk_remove_dir(path: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = diskRemoveDirLater)]
    fn disk_remove_dir_later(path: &str);
    #[wasm_bindgen(js_name = diskLater)]
    fn disk_later(run: &js_sys::Function);
    #[wasm_bindgen(js_name = diskRemoveFile, catch)]
    fn disk_remove_file(path: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = diskRemoveEmptyDir, catch)]
    fn disk_remove_empty_dir(path: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = diskList, catch)]
    fn disk_list(path: &str) -> Result<js_sys::Uint8Array, JsValue>;
    #[wasm_bindgen(js_name = diskListNames, catch)]
    fn disk_list_names(path: &str) -> Result<js_sys::Uint8Array, JsValue>;
    #[wasm_bindgen(js_name = diskAge)]
    fn disk_age(path: &str) -> JsValue;
    #[wasm_bindgen(js_name = diskSyncDir)]
    fn disk_sync_dir(path: &str);
    #[wasm_bindgen(js_name = writerSeed)]
    fn writer_seed() -> String;
    #[wasm_bindgen(js_name = serializeValue, catch)]
    pub(super) fn serialize_value(v: &JsValue) -> Result<js_sys::Uint8Array, JsValue>;
    #[wasm_bindgen(js_name = deserializeValue, catch)]
    pub(super) fn deserialize_value(bytes: &[u8]) -> Result<JsValue, JsValue>;
}

/// `node:fs` as a [`Disk`](crate::memory::Disk): the filesystem store's operations,
/// Node's errors mapped to `io::ErrorKind`s by their `code`.
#[cfg(feature = "node-fs")]
pub(super) struct NodeDisk;

#[cfg(feature = "node-fs")]
fn io(e: JsValue) -> std::io::Error {
    use std::io::{Error, ErrorKind};
    let code = Reflect::get(&e, &"code".into()).ok().and_then(|c| c.as_string()).unwrap_or_default();
    let message = Reflect::get(&e, &"message".into()).ok().and_then(|m| m.as_string()).unwrap_or_default();
    let kind = match code.as_str() {
        "ENOENT" => ErrorKind::NotFound,
        "ENOTEMPTY" => ErrorKind::DirectoryNotEmpty,
        "EEXIST" => ErrorKind::AlreadyExists,
        "EACCES" | "EPERM" => ErrorKind::PermissionDenied,
        "ENOSPC" => ErrorKind::StorageFull,
        _ => ErrorKind::Other,
    };
    Error::new(kind, message)
}

/// Names Node listed, as text: Node gives UTF-8 (a name that was not is
/// already lossy there).
#[cfg(feature = "node-fs")]
fn utf8(listed: Vec<u8>) -> String {
    String::from_utf8(listed).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

#[cfg(feature = "node-fs")]
fn text(path: &std::path::Path) -> &str {
    path.to_str().unwrap_or_default()
}

/// Background work of the filesystem store under Node: jobs queued here and
/// run one per task of the event loop, on a timer that does not keep the
/// process alive (work left at exit is the next opening's).
#[cfg(feature = "node-fs")]
mod later {
    use super::{disk_later, NodeDisk};
    use std::cell::RefCell;
    use std::collections::VecDeque;
    use wasm_bindgen::prelude::*;
    use wasm_bindgen::JsCast;

    type Job = crate::memory::Job<NodeDisk>;

    thread_local! {
        static JOBS: RefCell<VecDeque<Job>> = const { RefCell::new(VecDeque::new()) };
        static RUN: Closure<dyn Fn()> = Closure::new(run_one);
    }

    fn schedule() {
        RUN.with(|run| disk_later(run.as_ref().unchecked_ref()));
    }

    fn run_one() {
        let job = JOBS.with(|q| q.borrow_mut().pop_front());
        if let Some(job) = job {
            job(&NodeDisk);
        }
        if JOBS.with(|q| !q.borrow().is_empty()) {
            schedule();
        }
    }

    pub(super) fn queue(job: Job) {
        JOBS.with(|q| q.borrow_mut().push_back(job));
        schedule();
    }
}

#[cfg(feature = "node-fs")]
impl crate::memory::Disk for NodeDisk {
    fn in_background(&self, job: crate::memory::Job<Self>) -> Option<crate::memory::Job<Self>> {
        later::queue(job);
        None
    }
    fn read(&self, path: &std::path::Path) -> std::io::Result<Vec<u8>> {
        disk_read(text(path)).map(|b| b.to_vec()).map_err(io)
    }
    fn write(&self, path: &std::path::Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
        disk_write(text(path), bytes, sync).map_err(io)
    }
    fn update(
        &self,
        path: &std::path::Path,
        change: &mut dyn FnMut(&[u8]) -> Option<Vec<u8>>,
    ) -> std::io::Result<bool> {
        let mut js_change = |now: js_sys::Uint8Array| match change(&now.to_vec()) {
            Some(next) => js_sys::Uint8Array::from(&next[..]).into(),
            None => JsValue::UNDEFINED,
        };
        disk_update(text(path), &mut js_change).map_err(io)
    }
    fn overwrite(&self, path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
        disk_overwrite(text(path), bytes).map_err(io)
    }
    fn rename(&self, from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
        disk_rename(text(from), text(to)).map_err(io)
    }
    fn create_dir(&self, path: &std::path::Path, recursive: bool) -> std::io::Result<()> {
        disk_mkdir(text(path), recursive).map_err(io)
    }
    fn remove_dir_all(&self, path: &std::path::Path) -> std::io::Result<()> {
        disk_remove_dir(text(path)).map_err(io)
    }
    /// Off the caller's path: Node deletes the trash on its thread pool, as
    /// the native store's background thread does.
    fn remove_dir_all_later(&self, path: &std::path::Path) {
        disk_remove_dir_later(text(path))
    }
    fn remove_file(&self, path: &std::path::Path) -> std::io::Result<()> {
        disk_remove_file(text(path)).map_err(io)
    }
    fn remove_empty_dir(&self, path: &std::path::Path) -> std::io::Result<()> {
        disk_remove_empty_dir(text(path)).map_err(io)
    }
    fn list_dir(&self, path: &std::path::Path) -> std::io::Result<Vec<(String, bool)>> {
        let listed = utf8(disk_list(text(path)).map_err(io)?.to_vec());
        Ok(listed
            .split_terminator('\0')
            .filter_map(|e| Some((e.get(1..)?.to_string(), e.starts_with('/'))))
            .collect())
    }
    fn list_names(&self, path: &std::path::Path) -> std::io::Result<Vec<String>> {
        let listed = utf8(disk_list_names(text(path)).map_err(io)?.to_vec());
        Ok(listed.split_terminator('\0').map(str::to_string).collect())
    }
    fn age_secs(&self, path: &std::path::Path) -> Option<f64> {
        disk_age(text(path)).as_f64()
    }
    fn sync_dir(&self, path: &std::path::Path) {
        disk_sync_dir(text(path))
    }
    /// Asked of JS once per process (host, pid, time, randomness): temporary
    /// names add a counter to it, and a Node process never forks.
    fn writer_seed(&self) -> String {
        thread_local! {
            static SEED: String = writer_seed();
        }
        SEED.with(String::clone)
    }
}

// The runner's host under Node (cargo feature `node-fs`).
#[cfg(feature = "node-fs")]
#[wasm_bindgen(module = "/src/wasm/node_host.js")]
extern "C" {
    #[wasm_bindgen(js_name = runTool)]
    fn run_tool(argv: Array, env: Array, cwd: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = hostStat)]
    fn host_stat(path: &str, follow: bool) -> JsValue;
    #[wasm_bindgen(js_name = hostCopyFile, catch)]
    fn host_copy_file(from: &str, to: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = hostSymlink, catch)]
    fn host_symlink(target: &str, link: &str) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = hostWrite, catch)]
    fn host_write(path: &str, bytes: &[u8]) -> Result<(), JsValue>;
    #[wasm_bindgen(js_name = hostRemoveAll)]
    fn host_remove_all(path: &str);
    #[wasm_bindgen(js_name = hostHasProgram)]
    fn host_has_program(name: &str) -> bool;
    #[wasm_bindgen(js_name = hostCwd)]
    pub(super) fn host_cwd() -> String;
}

/// `node:child_process` and `node:fs` as the runner's [`Host`](crate::runner::Host).
#[cfg(feature = "node-fs")]
pub(super) struct NodeHost;

#[cfg(feature = "node-fs")]
impl crate::runner::Host for NodeHost {
    async fn execute(
        &self,
        argv: &[String],
        environ: &[(String, String)],
        cwd: &std::path::Path,
    ) -> Result<crate::runner::Done, String> {
        let args: Array = argv.iter().map(|a| JsValue::from_str(a)).collect();
        let env: Array = environ.iter().flat_map(|(k, v)| [JsValue::from_str(k), JsValue::from_str(v)]).collect();
        let done = wasm_bindgen_futures::JsFuture::from(run_tool(args, env, text(cwd)))
            .await
            .map_err(|e| e.as_string().unwrap_or_else(|| format!("{e:?}")))?;
        let get = |k: &str| Reflect::get(&done, &k.into()).unwrap_or(JsValue::UNDEFINED);
        let bytes = |k: &str| get(k).dyn_into::<js_sys::Uint8Array>().map(|a| a.to_vec()).unwrap_or_default();
        Ok(crate::runner::Done {
            exit: get("exit").as_f64().map(|c| c as i32),
            signal: get("signal").as_f64().map(|s| s as i32),
            stdout: bytes("stdout"),
            stderr: bytes("stderr"),
            duration_ms: get("ms").as_f64().unwrap_or(0.0),
        })
    }

    fn has_program(&self, program: &str) -> bool {
        host_has_program(program)
    }

    fn file_id(
        &self,
        path: &std::path::Path,
        method: crate::fingerprint::HashMethod,
    ) -> crate::Result<crate::fingerprint::FileId> {
        use crate::fingerprint::FileHasher;
        HostFiles.identify(text(path), method)
    }

    fn stat(&self, path: &std::path::Path, follow: bool) -> Option<crate::runner::Stat> {
        let s = host_stat(text(path), follow);
        if !Array::is_array(&s) {
            return None;
        }
        let s: Array = s.unchecked_into();
        Some(crate::runner::Stat {
            size: s.get(0).as_f64().unwrap_or(0.0) as u64,
            mtime_ns: s.get(1).as_string().and_then(|t| t.parse().ok()).unwrap_or(0),
            dir: s.get(2).is_truthy(),
        })
    }

    fn list(&self, path: &std::path::Path) -> std::io::Result<Vec<(String, bool)>> {
        crate::memory::Disk::list_dir(&NodeDisk, path)
    }

    fn create_dir(&self, path: &std::path::Path) -> std::io::Result<()> {
        disk_mkdir(text(path), false).map_err(io)
    }

    fn copy_file(&self, from: &std::path::Path, to: &std::path::Path) -> std::io::Result<()> {
        host_copy_file(text(from), text(to)).map_err(io)
    }

    fn symlink(&self, target: &std::path::Path, link: &std::path::Path) -> std::io::Result<()> {
        host_symlink(text(target), text(link)).map_err(io)
    }

    fn write(&self, path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
        host_write(text(path), bytes).map_err(io)
    }

    fn remove_all(&self, path: &std::path::Path) {
        host_remove_all(text(path))
    }

    fn now_ms(&self) -> f64 {
        now_ms()
    }

    fn hashing<T>(&self, _total_bytes: u64, f: impl FnOnce() -> T) -> T {
        f()
    }
}
