//! Executing a tool: an argument vector, a folder, an environment — no shell.
//!
//! The command line is rendered as a shell would split it (`Bound::argv`), but
//! it is handed to the operating system as a vector, so a value with spaces or
//! `;` reaches the tool as one argument and nothing is ever interpreted. Both
//! output streams are captured whole (up to a cap, keeping the end, which is
//! where tools explain failures). Specs that need an X display run under
//! `xvfb-run`.

use crate::error::{Error, ErrorKind, Result};
use crate::fingerprint::{FileHasher, FileId};
use crate::Bound;
use std::io::Read;
use std::path::Path;
use std::process::{Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

/// At most this much of each stream is kept (the end of it).
const LOG_CAP: usize = 4 << 20;

/// What an execution gave.
#[derive(Debug)]
pub(super) struct Done {
    pub status: ExitStatus,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub duration: Duration,
}

/// Runs `argv` in `work` with `environ` added to this process's environment.
pub(super) fn execute(
    argv: &[String],
    environ: &[(String, String)],
    work: &Path,
    redirect_x: bool,
    interface: &str,
) -> Result<Done> {
    let mut full: Vec<&str> = argv.iter().map(String::as_str).collect();
    if redirect_x {
        if which("xvfb-run").is_none() {
            return Err(Error::new(
                ErrorKind::Run,
                format!(
                    "{interface}: the tool needs an X display (redirect_x) and xvfb-run is not installed \
                     (Debian/Ubuntu: apt-get install xvfb)"
                ),
            ));
        }
        full.splice(0..0, ["xvfb-run", "--auto-servernum"]);
    }
    let (program, args) =
        full.split_first().ok_or_else(|| Error::new(ErrorKind::Run, format!("{interface}: empty command line")))?;
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(work)
        .envs(environ.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::new(ErrorKind::Run, format!("{interface}: cannot start {program:?}: {e}")))?;
    let out = child.stdout.take().expect("piped");
    let err = child.stderr.take().expect("piped");
    let err_reader = std::thread::spawn(move || read_capped(err));
    let stdout = read_capped(out);
    let stderr = err_reader.join().unwrap_or_default();
    let status =
        child.wait().map_err(|e| Error::new(ErrorKind::Run, format!("{interface}: waiting for {program:?}: {e}")))?;
    Ok(Done { status, stdout, stderr, duration: started.elapsed() })
}

/// Reads a stream to its end, keeping its last [`LOG_CAP`] bytes.
fn read_capped(mut r: impl Read) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 64 << 10];
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => return kept,
            Ok(n) => {
                kept.extend_from_slice(&buf[..n]);
                if kept.len() > 2 * LOG_CAP {
                    kept.drain(..kept.len() - LOG_CAP);
                }
            }
        }
    }
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH")
        .and_then(|paths| std::env::split_paths(&paths).map(|d| d.join(program)).find(|p| p.is_file()))
}

/// "exited with status 1", "was killed by signal 9".
pub(super) fn describe(status: &ExitStatus) -> String {
    #[cfg(unix)]
    if let Some(sig) = std::os::unix::process::ExitStatusExt::signal(status) {
        return format!("was killed by signal {sig}");
    }
    match status.code() {
        Some(c) => format!("exited with status {c}"),
        None => "ended abnormally".to_string(),
    }
}

/// Whether and where to show progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Progress {
    /// Nothing is drawn.
    #[default]
    Off,
    /// Spinners on standard error (callers choose this only for a terminal).
    Stderr,
}

/// Inputs at least this large get a spinner while they are hashed.
const LARGE_INPUT: u64 = 64 << 20;
/// A tool that runs longer than this gets a spinner.
const SLOW_RUN: Duration = Duration::from_secs(1);

impl Progress {
    /// Runs `f` (which hashes `bound`'s input files) with a spinner when the
    /// inputs are large.
    pub(super) fn while_hashing<T>(&self, bound: &Bound, cwd: &Path, f: impl FnOnce() -> T) -> T {
        if *self == Progress::Off {
            return f();
        }
        let total: u64 =
            input_files(bound).iter().filter_map(|p| std::fs::metadata(cwd.join(p)).ok()).map(|m| m.len()).sum();
        if total < LARGE_INPUT {
            return f();
        }
        spin(Duration::ZERO, format!("hashing {} of inputs", human_bytes(total)), f)
    }

    /// Runs `f` (the tool) with a spinner once it has taken a second.
    pub(super) fn while_running<T>(&self, name: &str, f: impl FnOnce() -> T) -> T {
        match self {
            Progress::Off => f(),
            Progress::Stderr => spin(SLOW_RUN, format!("running {name}"), f),
        }
    }
}

/// Paths of the `File` inputs that are set (for sizing the hashing work).
fn input_files(bound: &Bound) -> Vec<String> {
    struct Collect(std::cell::RefCell<Vec<String>>);
    impl FileHasher for Collect {
        fn identify(&self, path: &str, _: crate::fingerprint::HashMethod) -> Result<FileId> {
            self.0.borrow_mut().push(path.to_string());
            Ok(FileId::PathOnly)
        }
    }
    let c = Collect(Default::default());
    let _ = crate::fingerprint::interface_key(bound, &c, Default::default());
    c.0.into_inner()
}

/// Runs `f` while a spinner with `message` turns on standard error, shown only
/// after `delay`.
fn spin<T>(delay: Duration, message: String, f: impl FnOnce() -> T) -> T {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let drawer = std::thread::spawn(move || {
        if rx.recv_timeout(delay).is_ok() {
            return;
        }
        let bar = indicatif::ProgressBar::new_spinner().with_message(message);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        let _ = rx.recv();
        bar.finish_and_clear();
    });
    let out = f();
    let _ = tx.send(());
    let _ = drawer.join();
    out
}

/// A byte count for people: `1.2 MB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
