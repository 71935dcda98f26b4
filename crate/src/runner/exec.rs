//! Executing a tool: an argument vector, a folder, an environment — no shell.
//!
//! The command line is rendered as a shell would split it (`Bound::argv`), but
//! it is handed to the operating system as a vector, so a value with spaces or
//! `;` reaches the tool as one argument and nothing is ever interpreted. Both
//! output streams are captured whole (up to a cap, keeping the end, which is
//! where tools explain failures). Specs that need an X display run under
//! `xvfb-run`.

use super::host::{Done, Host, Stat};
use crate::error::Result;
use crate::fingerprint::{FileId, HashMethod};
use std::io::{self, Read};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, UNIX_EPOCH};

/// At most this much of each stream is kept (the end of it).
const LOG_CAP: usize = 4 << 20;

/// The machine this program runs on: `std::process` and `std::fs`, with
/// progress on standard error when asked.
#[derive(Debug, Clone, Copy, Default)]
pub struct StdHost {
    pub progress: Progress,
}

impl Host for StdHost {
    async fn execute(&self, argv: &[String], environ: &[(String, String)], cwd: &Path) -> Result<Done, String> {
        let name = argv.first().map(String::as_str).unwrap_or_default();
        self.progress.while_running(name, || execute(argv, environ, cwd))
    }

    fn has_program(&self, program: &str) -> bool {
        std::env::var_os("PATH").is_some_and(|paths| std::env::split_paths(&paths).any(|d| d.join(program).is_file()))
    }

    fn file_id(&self, path: &Path, method: HashMethod) -> Result<FileId> {
        crate::fingerprint::RealFileHasher::default().identify_path(path, method)
    }

    fn stat(&self, path: &Path, follow: bool) -> Option<Stat> {
        let m = if follow { std::fs::metadata(path) } else { std::fs::symlink_metadata(path) }.ok()?;
        let mtime_ns =
            m.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as i64);
        Some(Stat { size: m.len(), mtime_ns, dir: m.is_dir() })
    }

    fn list(&self, path: &Path) -> io::Result<Vec<(String, bool)>> {
        std::fs::read_dir(path)?
            .map(|e| e.map(|e| (e.file_name().to_string_lossy().into_owned(), e.file_type().is_ok_and(|t| t.is_dir()))))
            .collect()
    }

    fn create_dir(&self, path: &Path) -> io::Result<()> {
        std::fs::create_dir(path)
    }

    fn copy_file(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::copy(from, to).map(drop)
    }

    #[cfg(unix)]
    fn symlink(&self, target: &Path, link: &Path) -> io::Result<()> {
        std::os::unix::fs::symlink(target, link)
    }

    #[cfg(not(unix))]
    fn symlink(&self, target: &Path, link: &Path) -> io::Result<()> {
        super::host::copy_tree(self, target, link)
    }

    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        std::fs::write(path, bytes)
    }

    fn remove_all(&self, path: &Path) {
        let _ = std::fs::remove_dir_all(path);
    }

    fn now_ms(&self) -> f64 {
        crate::memory::cached::system_clock_ms()
    }

    fn hashing<T>(&self, total_bytes: u64, f: impl FnOnce() -> T) -> T {
        if self.progress == Progress::Off || total_bytes < LARGE_INPUT {
            return f();
        }
        spin(Duration::ZERO, format!("hashing {} of inputs", human_bytes(total_bytes)), f)
    }
}

/// Runs `argv` in `work` with `environ` added to this process's environment.
fn execute(argv: &[String], environ: &[(String, String)], work: &Path) -> Result<Done, String> {
    run_process(argv, environ, work, &|_, _| {})
}

/// What [`StdHost`] runs a tool with, for hosts that also show its output as it
/// comes (`toolmemo serve`): `tap(is_stderr, bytes)` sees every chunk read, in
/// order per stream, from the threads reading them.
pub fn run_process(
    argv: &[String],
    environ: &[(String, String)],
    work: &Path,
    tap: &(dyn Fn(bool, &[u8]) + Sync),
) -> Result<Done, String> {
    let (program, args) = argv.split_first().ok_or("empty command line")?;
    let started = Instant::now();
    let mut child = Command::new(program)
        .args(args)
        .current_dir(work)
        .envs(environ.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot start {program:?}: {e}"))?;
    let (Some(out), Some(err)) = (child.stdout.take(), child.stderr.take()) else {
        return Err(format!("{program:?}: its output could not be captured"));
    };
    let (stdout, stderr) = std::thread::scope(|scope| {
        let err_reader = scope.spawn(|| read_capped(err, |b| tap(true, b)));
        let stdout = read_capped(out, |b| tap(false, b));
        (stdout, err_reader.join().unwrap_or_default())
    });
    let status = child.wait().map_err(|e| format!("waiting for {program:?}: {e}"))?;
    #[cfg(unix)]
    let signal = std::os::unix::process::ExitStatusExt::signal(&status);
    #[cfg(not(unix))]
    let signal = None;
    Ok(Done { exit: status.code(), signal, stdout, stderr, duration_ms: started.elapsed().as_secs_f64() * 1e3 })
}

/// Reads a stream to its end, keeping its last [`LOG_CAP`] bytes and handing
/// every chunk to `tap` as it comes.
fn read_capped(mut r: impl Read, tap: impl Fn(&[u8])) -> Vec<u8> {
    let mut kept = Vec::new();
    let mut buf = [0u8; 64 << 10];
    loop {
        match r.read(&mut buf) {
            Ok(0) | Err(_) => return kept,
            Ok(n) => {
                tap(&buf[..n]);
                kept.extend_from_slice(&buf[..n]);
                if kept.len() > 2 * LOG_CAP {
                    kept.drain(..kept.len() - LOG_CAP);
                }
            }
        }
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
    /// Runs `f` (the tool) with a spinner once it has taken a second.
    fn while_running<T>(&self, name: &str, f: impl FnOnce() -> T) -> T {
        match self {
            Progress::Off => f(),
            Progress::Stderr => spin(SLOW_RUN, format!("running {name}"), f),
        }
    }
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
