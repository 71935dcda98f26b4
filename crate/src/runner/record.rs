//! The record of a run: what ran, what it said, what it produced.
//!
//! Stored as the entry's value (JSON, readable with any tool) and, for a failed
//! run, written as plain text into `<location>/.crashes/`. Each output carries a
//! stamp — size, modification time and sha256 — so a hit can tell that an
//! output was deleted or changed since: by timestamp when asked and it agrees,
//! else by content.

use super::exec::Done;
use crate::fingerprint::{hex, FileHasher, FileId, HashMethod, InterfaceKey, RealFileHasher};
use crate::Bound;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

/// The version of the record's format.
const RECORD_VERSION: u32 = 1;

/// One run of a tool.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunRecord {
    pub record: u32,
    pub interface: String,
    pub cmdline: String,
    pub argv: Vec<String>,
    /// Variables added to the environment.
    pub environ: BTreeMap<String, String>,
    /// Start, in milliseconds since the epoch.
    pub started: f64,
    pub duration_ms: f64,
    /// The exit status (`None` when killed by a signal).
    pub exit: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Each output's name relative to the working folder.
    pub outputs: BTreeMap<String, String>,
    pub stamps: BTreeMap<String, OutputStamp>,
    /// The key of the spec, and of each effective input: what `explain`
    /// compares to tell why another call misses.
    pub spec_key: String,
    pub input_keys: BTreeMap<String, String>,
}

/// What an output file was when the run ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputStamp {
    pub size: u64,
    pub mtime_ns: i128,
    pub sha256: String,
}

impl RunRecord {
    pub(super) fn new(
        key: &InterfaceKey,
        interface: &str,
        cmdline: &str,
        argv: &[String],
        environ: &[(String, String)],
        started: SystemTime,
        done: &Done,
    ) -> RunRecord {
        RunRecord {
            record: RECORD_VERSION,
            interface: interface.to_string(),
            cmdline: cmdline.to_string(),
            argv: argv.to_vec(),
            environ: environ.iter().cloned().collect(),
            started: millis(started),
            duration_ms: done.duration.as_secs_f64() * 1e3,
            exit: done.status.code(),
            stdout: String::from_utf8_lossy(&done.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&done.stderr).into_owned(),
            outputs: BTreeMap::new(),
            stamps: BTreeMap::new(),
            spec_key: key.spec.hex(),
            input_keys: key.inputs.iter().map(|(n, k)| (n.clone(), k.hex())).collect(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).expect("a record is JSON")
    }

    /// A stored record; why not, when it is not one this version reads.
    pub fn from_bytes(b: &[u8]) -> Result<RunRecord, String> {
        let r: RunRecord = serde_json::from_slice(b).map_err(|e| format!("its run record does not parse: {e}"))?;
        if r.record != RECORD_VERSION {
            return Err(format!("its run record has version {}, this toolmemo reads {RECORD_VERSION}", r.record));
        }
        Ok(r)
    }

    /// Finds the declared outputs in `work` and stamps them; why not, when one
    /// is missing.
    pub(super) fn collect_outputs(&mut self, bound: &Bound, work: &Path) -> Result<(), String> {
        let names = bound.output_names().map_err(|e| e.message)?;
        for (output, name) in names {
            let Some(name) = name else { continue };
            let path = work.join(&name);
            let stamp = stamp(&path)
                .ok_or_else(|| format!("the tool did not produce the declared output '{output}' ({name})"))?;
            self.outputs.insert(output.clone(), name);
            self.stamps.insert(output, stamp);
        }
        Ok(())
    }

    /// This record if every output in `work` is as it was stamped; else why not.
    pub(super) fn check_outputs(self, work: &Path, method: HashMethod) -> Result<RunRecord, String> {
        for (output, name) in &self.outputs {
            let path = work.join(name);
            let was = self.stamps.get(output).ok_or_else(|| format!("output '{output}' has no stamp"))?;
            let Ok(meta) = std::fs::metadata(&path) else {
                return Err(format!("output '{output}' ({}) was deleted", path.display()));
            };
            if meta.len() != was.size && !meta.is_dir() {
                return Err(format!("output '{output}' ({}) changed size", path.display()));
            }
            if method == HashMethod::Timestamp && mtime_ns(&meta) == was.mtime_ns {
                continue;
            }
            if stamp(&path).map(|s| s.sha256) != Some(was.sha256.clone()) {
                return Err(format!("output '{output}' ({}) changed", path.display()));
            }
        }
        Ok(self)
    }

    /// Each output as an absolute path under `work`.
    pub fn absolute_outputs(&self, work: &Path) -> BTreeMap<String, PathBuf> {
        self.outputs.iter().map(|(k, v)| (k.clone(), work.join(v))).collect()
    }
}

fn millis(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1e3)
}

fn mtime_ns(meta: &std::fs::Metadata) -> i128 {
    meta.modified().ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(0, |d| d.as_nanos() as i128)
}

/// An output's stamp, or `None` when it does not exist.
fn stamp(path: &Path) -> Option<OutputStamp> {
    let meta = std::fs::metadata(path).ok()?;
    let id = RealFileHasher::default().identify(&path.to_string_lossy(), HashMethod::Content).ok()?;
    let FileId::Content { size, digest } = id else { return None };
    Some(OutputStamp { size, mtime_ns: mtime_ns(&meta), sha256: hex(&digest) })
}

/// "; stderr ends with: …" from the last lines of `stderr`, or nothing.
pub(super) fn stderr_tail(stderr: &str) -> String {
    let lines: Vec<&str> = stderr.trim_end().lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let tail = &lines[lines.len().saturating_sub(10)..];
    format!("; stderr ends with:\n  {}", tail.join("\n  "))
}

/// Bytes of the files under `dir`, links counted as themselves.
pub(super) fn folder_size(dir: &Path) -> u64 {
    let Ok(entries) = std::fs::read_dir(dir) else { return 0 };
    entries
        .filter_map(|e| e.ok())
        .map(|e| match e.path().symlink_metadata() {
            Ok(m) if m.is_dir() => folder_size(&e.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}

/// Writes a failed run as text into `<root>/.crashes/`; the file written.
pub(super) fn write_crash(
    root: &Path,
    key: &InterfaceKey,
    record: &RunRecord,
    work: &Path,
    why: &str,
) -> std::io::Result<PathBuf> {
    let dir = root.join(".crashes");
    std::fs::create_dir_all(&dir)?;
    let stamp = humantime::format_rfc3339_millis(SystemTime::now()).to_string().replace(':', "");
    let safe: String = record.interface.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let path = dir.join(format!("{safe}-{stamp}-{}-{}.txt", &key.key.hex()[..12], std::process::id()));
    let env: Vec<String> = record.environ.iter().map(|(k, v)| format!("  {k}={v}")).collect();
    let text = format!(
        "toolmemo crash record\n\
         interface: {}\nkey: {}\nwhy: {why}\ncommand line: {}\nargv: {:?}\nworking directory: {} (removed)\n\
         environment added:\n{}\nexit status: {}\nduration: {:.0} ms\n\n--- stdout ---\n{}\n--- stderr ---\n{}\n",
        record.interface,
        key.key.hex(),
        record.cmdline,
        record.argv,
        work.display(),
        if env.is_empty() { "  (none)".to_string() } else { env.join("\n") },
        record.exit.map_or("none (killed by a signal)".to_string(), |c| c.to_string()),
        record.duration_ms,
        record.stdout,
        record.stderr,
    );
    std::fs::write(&path, text)?;
    Ok(path)
}
