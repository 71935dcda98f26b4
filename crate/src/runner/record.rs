//! Filling in and checking a run's record ([`RunRecord`], the `run/1` entry
//! format of `memory::run`) against the files of its working folder.
//!
//! Each output carries a stamp — size, modification time and sha256 — so a hit
//! can tell that an output was deleted or changed since: by timestamp when asked
//! and it agrees, else by content. A failed run is written as plain text into
//! `<location>/.crashes/`.

use super::host::{Done, Host};
use crate::fingerprint::{hex, FileId, HashMethod, InterfaceKey};
use crate::memory::{OutputStamp, RunRecord};
use crate::Bound;
use std::path::{Path, PathBuf};

impl RunRecord {
    /// What an execution said, into the record.
    pub(super) fn executed(&mut self, argv: &[String], environ: &[(String, String)], done: &Done) {
        self.argv = argv.to_vec();
        self.environ = environ.iter().cloned().collect();
        self.duration_ms = done.duration_ms;
        self.exit = done.exit;
        self.stdout = String::from_utf8_lossy(&done.stdout).into_owned();
        self.stderr = String::from_utf8_lossy(&done.stderr).into_owned();
    }

    /// Finds the declared outputs in `work` and stamps them; why not, when one
    /// is missing.
    pub(super) fn collect_outputs<H: Host>(&mut self, host: &H, bound: &Bound, work: &Path) -> Result<(), String> {
        let names = bound.output_names().map_err(|e| e.message)?;
        for (output, name) in names {
            let Some(name) = name else { continue };
            let stamp = stamp(host, &work.join(&name))
                .ok_or_else(|| format!("the tool did not produce the declared output '{output}' ({name})"))?;
            self.outputs.insert(output.clone(), name);
            self.stamps.insert(output, stamp);
        }
        Ok(())
    }

    /// Whether every output in `work` is as it was stamped; why not, else.
    pub(super) fn check_outputs<H: Host>(&self, host: &H, work: &Path, method: HashMethod) -> Result<(), String> {
        for (output, name) in &self.outputs {
            let path = work.join(name);
            let was = self.stamps.get(output).ok_or_else(|| format!("output '{output}' has no stamp"))?;
            let Some(now) = host.stat(&path, true) else {
                return Err(format!("output '{output}' ({}) was deleted", path.display()));
            };
            if now.size != was.size && !now.dir {
                return Err(format!("output '{output}' ({}) changed size", path.display()));
            }
            if method == HashMethod::Timestamp && now.mtime_ns == was.mtime_ns {
                continue;
            }
            if stamp(host, &path).map(|s| s.sha256) != Some(was.sha256.clone()) {
                return Err(format!("output '{output}' ({}) changed", path.display()));
            }
        }
        Ok(())
    }
}

/// An output's stamp, or `None` when it does not exist.
fn stamp<H: Host>(host: &H, path: &Path) -> Option<OutputStamp> {
    let st = host.stat(path, true)?;
    let FileId::Content { size, digest } = host.file_id(path, HashMethod::Content).ok()? else { return None };
    Some(OutputStamp { size, mtime_ns: st.mtime_ns, sha256: hex(&digest) })
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

/// `YYYY-MM-DDTHHMMSS.mmmZ` (UTC) for milliseconds since the epoch: a file
/// name that sorts by time.
fn timestamp(ms: f64) -> String {
    let ms = ms.max(0.0) as i64;
    let (days, rest) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    let (h, mi, s, milli) = (rest / 3_600_000, rest / 60_000 % 60, rest / 1000 % 60, rest % 1000);
    format!("{y:04}-{m:02}-{d:02}T{h:02}{mi:02}{s:02}.{milli:03}Z")
}

/// Writes a failed run as text into `<root>/.crashes/`; the file written.
pub(super) fn write_crash<H: Host>(
    host: &H,
    root: &Path,
    key: &InterfaceKey,
    record: &RunRecord,
    work: &Path,
    why: &str,
) -> std::io::Result<PathBuf> {
    let dir = root.join(".crashes");
    if host.stat(&dir, true).is_none() {
        host.create_dir(&dir).or_else(|e| if host.stat(&dir, true).is_some() { Ok(()) } else { Err(e) })?;
    }
    let safe: String = record.interface.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let unique = hex(&crate::fingerprint::sha256(format!("{}-{why}", host.now_ms()).as_bytes())[..4]);
    let path = dir.join(format!("{safe}-{}-{}-{unique}.txt", timestamp(host.now_ms()), &key.key.hex()[..12]));
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
    host.write(&path, text.as_bytes())?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    #[test]
    fn crash_file_names_carry_utc_time() {
        assert_eq!(super::timestamp(0.0), "1970-01-01T000000.000Z");
        assert_eq!(super::timestamp(1_780_000_000_123.0), "2026-05-28T202640.123Z");
    }
}
