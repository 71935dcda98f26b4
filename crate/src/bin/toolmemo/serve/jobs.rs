//! Runs from the composer: `POST /api/run` starts one on a thread of its own,
//! `GET /api/run/<id>` tells how it goes.
//!
//! Streaming: the page polls (every ~300 ms) with the byte offsets it has
//! read of each stream, and gets what the tool wrote since. Polling was chosen
//! over a chunked response because it survives anything between page and
//! server (a reload, a proxy that buffers, a dropped connection: the page asks
//! again from its offsets), needs nothing of HTTP beyond plain replies,
//! and a run's output is kept whole for its record anyway.
//!
//! A run goes through the runner as `toolmemo run` does (the same key, the
//! same entry: a run made here is a hit for `toolmemo run` and the reverse),
//! with one difference in how the tool is executed: [`LiveHost`] is the
//! runner's `StdHost` except that it copies the tool's output to the job as it
//! comes. With a shared store (`--store`) the runner's own host runs it and
//! the output shows when it ends.

use super::files::{check_inputs, read_spec};
use super::http::{Reply, Req};
use super::Shared;
use serde_json::{json, Value as Json};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Instant;
use toolmemo::fingerprint::{FileId, HashMethod};
use toolmemo::memory::cached::block_on;
use toolmemo::runner::{run_process, Done, Host, Outcome, RunOptions, Stat, StdHost};
use toolmemo::{Error, ErrorKind, Interface};

/// Each stream is kept up to this much in the job (the record keeps its own).
const LOG_CAP: usize = 4 << 20;
/// Finished jobs kept for polling.
const KEPT: usize = 50;

#[derive(Default)]
pub struct Jobs {
    next: Mutex<u64>,
    all: Mutex<BTreeMap<u64, Arc<Mutex<Job>>>>,
}

#[derive(Default)]
pub struct Job {
    running: bool,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
    /// Whether the tool is executing now (not hashing, looking up or collecting).
    executing: bool,
    result: Option<Json>,
    error: Option<Json>,
    started: Option<Instant>,
}

impl Job {
    fn append(&mut self, err: bool, bytes: &[u8]) {
        let log = if err { &mut self.stderr } else { &mut self.stdout };
        let room = LOG_CAP.saturating_sub(log.len());
        log.extend_from_slice(&bytes[..bytes.len().min(room)]);
    }
}

/// The interface a request names: `spec` (JSON text or object, with `parents`:
/// `{Name: spec}` for `extends`) or `specPath` (a file under the root).
fn interface(s: &Shared, body: &Json) -> Result<Interface, Error> {
    let (text, parents) = match (&body["specPath"], &body["spec"]) {
        (Json::String(p), _) => read_spec(s, p)?,
        (_, Json::String(t)) => (t.clone(), body["parents"].as_object().cloned().unwrap_or_default()),
        (_, o @ Json::Object(_)) => (o.to_string(), body["parents"].as_object().cloned().unwrap_or_default()),
        _ => return Err(Error::new(ErrorKind::Input, "give the spec (spec: JSON text) or its file (specPath)")),
    };
    let json = toolmemo::parse_json(&text, "spec")?;
    let lookup = move |name: &str| parents.get(name).cloned();
    Interface::from_json_with(&json, &lookup)
}

/// `POST /api/run {spec | specPath, parents?, inputs, force?}`: checks the
/// spec and that every file input is under the root or in the cache, then
/// runs on a thread: `{id}` to poll. Relative paths in the inputs are relative
/// to the root.
pub fn start(req: &mut Req, s: &Arc<Shared>) -> Result<Reply, Error> {
    let body = req.json_body()?;
    let iface = interface(s, &body)?;
    let inputs = match &body["inputs"] {
        Json::Null => json!({}),
        v @ Json::Object(_) => v.clone(),
        _ => return Err(Error::new(ErrorKind::Input, "inputs must be a JSON object of input names to values")),
    };
    check_inputs(s, &iface, &inputs)?;
    let force = body["force"].as_bool().unwrap_or(false);
    let job = Arc::new(Mutex::new(Job { running: true, started: Some(Instant::now()), ..Job::default() }));
    let id = {
        let mut next = s.jobs.next.lock().unwrap_or_else(|p| p.into_inner());
        *next += 1;
        *next
    };
    {
        let mut all = s.jobs.all.lock().unwrap_or_else(|p| p.into_inner());
        while all.len() >= KEPT {
            let done = all.iter().find(|(_, j)| !j.lock().map(|j| j.running).unwrap_or(false)).map(|(k, _)| *k);
            match done {
                Some(k) => all.remove(&k),
                None => break,
            };
        }
        all.insert(id, job.clone());
    }
    let shared = s.clone();
    let name = iface.name().to_string();
    std::thread::Builder::new()
        .name(format!("run {id}"))
        .spawn(move || {
            let outcome = run(&shared, &body, &inputs, force, &job);
            let mut j = job.lock().unwrap_or_else(|p| p.into_inner());
            j.running = false;
            j.executing = false;
            match outcome {
                Ok(out) => j.result = Some(crate::run::as_json(&out)),
                Err(e) => j.error = Some(json!({"kind": e.kind.to_string(), "message": e.message})),
            }
            drop(j);
            shared.listing.forget();
        })
        .map_err(|e| Error::new(ErrorKind::Run, format!("cannot start a thread for {name}: {e}")))?;
    Ok(Reply::json(json!({"id": id.to_string()})))
}

fn run(s: &Shared, body: &Json, inputs: &Json, force: bool, job: &Arc<Mutex<Job>>) -> Result<Outcome, Error> {
    let iface = interface(s, body)?;
    let runner = super::super::run::runner(&s.place)?;
    let opts = RunOptions {
        cwd: s.root.clone(),
        hash_method: HashMethod::Content,
        force,
        cache_root: Some(s.place.cache.clone()),
        matlab_cmd: super::super::run::matlab_cmd(None),
    };
    // With a shared store too: its tiering is the runner's store's, so the
    // run streams its output here either way.
    let host = LiveHost { std: StdHost::default(), job: job.clone() };
    let out = block_on(toolmemo::runner::run(runner.memory(), &host, &iface, inputs, &opts))?;
    Ok(runner.noted(out))
}

/// `GET /api/run/<id>?out=N&err=M`: the run's state and what its streams
/// gained after byte `N` of standard output and `M` of standard error:
/// `{state: "running"|"done"|"failed", executing, elapsedMs, stdout, stderr, out, err,
/// result?, error?}` (`out`/`err`: the offsets to ask from next).
pub fn poll(req: &Req, s: &Shared, id: &str) -> Result<Reply, Error> {
    let job =
        id.parse::<u64>().ok().and_then(|id| s.jobs.all.lock().unwrap_or_else(|p| p.into_inner()).get(&id).cloned());
    let Some(job) = job else {
        return Ok(Reply::problem(
            404,
            "not-found",
            &format!("no run {id:?} (finished runs are kept for a while only)"),
        ));
    };
    let from = |k: &str| req.query(k).and_then(|v| v.parse::<usize>().ok()).unwrap_or(0);
    let j = job.lock().unwrap_or_else(|p| p.into_inner());
    let (out, out_end) = text_from(&j.stdout, from("out"), !j.running);
    let (err, err_end) = text_from(&j.stderr, from("err"), !j.running);
    let state = if j.running {
        "running"
    } else if j.error.is_some() {
        "failed"
    } else {
        "done"
    };
    Ok(Reply::json(json!({
        "id": id,
        "state": state,
        "executing": j.executing,
        "elapsedMs": j.started.map(|t| t.elapsed().as_secs_f64() * 1e3),
        "stdout": out, "out": out_end,
        "stderr": err, "err": err_end,
        "result": j.result,
        "error": j.error,
    })))
}

/// The text of `log` from byte `from`, up to the last whole character (unless
/// the stream has ended), and where that text ends.
fn text_from(log: &[u8], from: usize, ended: bool) -> (String, usize) {
    let tail = &log[from.min(log.len())..];
    let whole = match std::str::from_utf8(tail) {
        Ok(_) => tail.len(),
        Err(e) if e.error_len().is_none() && !ended => e.valid_up_to(),
        Err(_) => tail.len(),
    };
    (String::from_utf8_lossy(&tail[..whole]).into_owned(), from.min(log.len()) + whole)
}

/// The runner's `StdHost`, executing tools so that their output reaches the
/// job as it comes (and is captured whole for the record, as `StdHost` does).
struct LiveHost {
    std: StdHost,
    job: Arc<Mutex<Job>>,
}

impl Host for LiveHost {
    async fn execute(&self, argv: &[String], environ: &[(String, String)], cwd: &Path) -> Result<Done, String> {
        let job = || self.job.lock().unwrap_or_else(|p| p.into_inner());
        job().executing = true;
        let done = run_process(argv, environ, cwd, &|err, bytes| job().append(err, bytes));
        job().executing = false;
        done
    }

    fn has_program(&self, program: &str) -> bool {
        self.std.has_program(program)
    }

    fn file_id(&self, path: &Path, method: HashMethod) -> toolmemo::Result<FileId> {
        self.std.file_id(path, method)
    }

    fn stat(&self, path: &Path, follow: bool) -> Option<Stat> {
        self.std.stat(path, follow)
    }

    fn list(&self, path: &Path) -> std::io::Result<Vec<(String, bool)>> {
        self.std.list(path)
    }

    fn create_dir(&self, path: &Path) -> std::io::Result<()> {
        self.std.create_dir(path)
    }

    fn copy_file(&self, from: &Path, to: &Path) -> std::io::Result<()> {
        self.std.copy_file(from, to)
    }

    fn symlink(&self, target: &Path, link: &Path) -> std::io::Result<()> {
        self.std.symlink(target, link)
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> std::io::Result<()> {
        self.std.write(path, bytes)
    }

    fn remove_all(&self, path: &Path) {
        self.std.remove_all(path)
    }

    fn now_ms(&self) -> f64 {
        self.std.now_ms()
    }

    fn hashing<T>(&self, total_bytes: u64, f: impl FnOnce() -> T) -> T {
        self.std.hashing(total_bytes, f)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_stops_before_a_split_character() {
        let log = "aé".as_bytes();
        assert_eq!(super::text_from(&log[..2], 0, false), ("a".to_string(), 1));
        assert_eq!(super::text_from(log, 1, false), ("é".to_string(), 3));
        assert_eq!(super::text_from(log, 9, true), (String::new(), 3));
    }
}
