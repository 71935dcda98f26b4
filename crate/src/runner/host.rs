//! What a run needs of the machine it runs on: processes and files.
//!
//! The runner's policy (stage → execute → collect → record) is written once
//! against this seam, the way the filesystem store is written once against
//! [`Disk`](crate::memory::Disk). Natively it is `std` ([`StdHost`]); under Node
//! it is `node:child_process` and `node:fs` (in the `wasm` module). Paths are
//! absolute by the time they reach a host.

use crate::error::Result;
use crate::fingerprint::{FileHasher, FileId, HashMethod};
use crate::path::{PathKind, PathProbe};
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};

/// What an execution gave.
#[derive(Debug, Clone, Default)]
pub struct Done {
    /// The exit status, when the tool exited.
    pub exit: Option<i32>,
    /// The signal that ended it, when one did.
    pub signal: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    pub duration_ms: f64,
}

impl Done {
    pub fn success(&self) -> bool {
        self.exit == Some(0)
    }

    /// "exited with status 1", "was killed by signal 9".
    pub fn describe(&self) -> String {
        match (self.exit, self.signal) {
            (_, Some(sig)) => format!("was killed by signal {sig}"),
            (Some(c), None) => format!("exited with status {c}"),
            (None, None) => "ended abnormally".to_string(),
        }
    }
}

/// A file's size, modification time and kind (not following a final link
/// when asked not to).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stat {
    pub size: u64,
    pub mtime_ns: i64,
    pub dir: bool,
}

/// Processes and files, as a run uses them.
pub trait Host {
    /// Runs `argv` (no shell) in `cwd`, with `environ` added to this process's
    /// environment and standard input closed; both streams captured. `Err`
    /// says why the tool could not be started.
    fn execute(
        &self,
        argv: &[String],
        environ: &[(String, String)],
        cwd: &Path,
    ) -> impl Future<Output = Result<Done, String>>;
    /// Whether `program` is on the `PATH` (for `xvfb-run`).
    fn has_program(&self, program: &str) -> bool;
    /// How a file enters a key (by content, or settled size and time).
    fn file_id(&self, path: &Path, method: HashMethod) -> Result<FileId>;
    /// `path`'s stat; `follow` follows a final symbolic link.
    fn stat(&self, path: &Path, follow: bool) -> Option<Stat>;
    /// A folder's entries as (name, is a folder), not following links.
    fn list(&self, path: &Path) -> io::Result<Vec<(String, bool)>>;
    fn create_dir(&self, path: &Path) -> io::Result<()>;
    fn copy_file(&self, from: &Path, to: &Path) -> io::Result<()>;
    fn symlink(&self, target: &Path, link: &Path) -> io::Result<()>;
    fn write(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    fn remove_all(&self, path: &Path);
    /// Milliseconds since the epoch.
    fn now_ms(&self) -> f64;
    /// Runs `f` (which hashes the inputs) while showing progress, where the host shows any.
    fn hashing<T>(&self, _total_bytes: u64, f: impl FnOnce() -> T) -> T;
}

/// `path` against `base` unless it is absolute, normalized (no `.`/`..`).
pub fn absolute(base: &Path, path: &str) -> PathBuf {
    PathBuf::from(crate::path::normalize(&base.join(path).to_string_lossy()))
}

/// A host's files seen from a folder, for validation (`exists`).
pub struct Probe<'a, H> {
    pub host: &'a H,
    pub base: &'a Path,
}

impl<H: Host> PathProbe for Probe<'_, H> {
    fn kind(&self, path: &str) -> PathKind {
        match self.host.stat(&absolute(self.base, path), true) {
            Some(s) if s.dir => PathKind::Dir,
            Some(_) => PathKind::File,
            None => PathKind::Missing,
        }
    }

    /// None: a run renders relative names, which name files in the folder the
    /// tool runs in (its staged working folder) whatever that folder is, so
    /// a run's key and command line do not depend on where it was staged.
    fn working_dir(&self) -> Option<String> {
        None
    }
}

impl<H: Host> FileHasher for Probe<'_, H> {
    fn identify(&self, path: &str, method: HashMethod) -> Result<FileId> {
        self.host.file_id(&absolute(self.base, path), method)
    }
}

/// Copies a file or a folder's tree.
pub fn copy_tree<H: Host>(host: &H, from: &Path, to: &Path) -> io::Result<()> {
    match host.stat(from, true) {
        Some(s) if s.dir => {
            host.create_dir(to)?;
            for (name, _) in host.list(from)? {
                copy_tree(host, &from.join(&name), &to.join(&name))?;
            }
            Ok(())
        }
        Some(_) => host.copy_file(from, to),
        None => Err(io::ErrorKind::NotFound.into()),
    }
}

/// Bytes of the files under `dir`, links counted as themselves.
pub fn folder_size<H: Host>(host: &H, dir: &Path) -> u64 {
    host.list(dir)
        .unwrap_or_default()
        .into_iter()
        .map(|(name, is_dir)| {
            let p = dir.join(name);
            if is_dir {
                folder_size(host, &p)
            } else {
                host.stat(&p, false).map_or(0, |s| s.size)
            }
        })
        .sum()
}
