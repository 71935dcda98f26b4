//! Runs shared between machines through a Redis store.
//!
//! A run's entry in the shared store is its record and the bytes of its output
//! files, packed into one value (so it is published whole, like every entry):
//!
//! ```text
//! "TMr1", u32 record length, the record (JSON),
//! u32 file count, then per file: u32 name length, name (relative to work/), u64 length, bytes
//! ```
//!
//! A machine that misses locally but finds the run shared unpacks it into a
//! staged working folder and publishes it in its own cache: from then on it is
//! a local hit. Only the declared outputs travel; a run whose outputs exceed
//! the shared store's size limit stays local, and the caller is told so. The
//! tiering itself (look locally, then there; claim there; publish to both) is
//! [`Tiered`](crate::memory::Tiered)'s, as for every other entry: this module
//! only says how a run's files travel.

use super::{human_bytes, StdHost};
use crate::error::{Error, ErrorKind, Result};
use crate::fingerprint::HashMethod;
use crate::memory::{Carry, Entry, Meta, RunRecord};
use std::path::{Path, PathBuf};

const MAGIC: &[u8; 4] = b"TMr1";

/// The record and the output files under `work`, packed.
pub(super) fn pack(record: &RunRecord, work: &Path) -> Result<Vec<u8>> {
    let mut files = Vec::new();
    for name in record.outputs.values() {
        collect(work, Path::new(name), &mut files)?;
    }
    let rec = record.to_bytes();
    let mut out = Vec::with_capacity(rec.len() + files.iter().map(|(_, b)| b.len() + 16).sum::<usize>() + 16);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(rec.len() as u32).to_le_bytes());
    out.extend_from_slice(&rec);
    out.extend_from_slice(&(files.len() as u32).to_le_bytes());
    for (name, bytes) in files {
        let name = name.to_string_lossy();
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
        out.extend_from_slice(&bytes);
    }
    Ok(out)
}

/// Every file at or under `rel` (relative to `work`), with its bytes.
fn collect(work: &Path, rel: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) -> Result<()> {
    let full = work.join(rel);
    let read_err = |e: std::io::Error| Error::new(ErrorKind::Store, format!("cannot read {}: {e}", full.display()));
    if full.is_dir() {
        for entry in std::fs::read_dir(&full).map_err(read_err)? {
            collect(work, &rel.join(entry.map_err(read_err)?.file_name()), out)?;
        }
    } else {
        out.push((rel.to_path_buf(), std::fs::read(&full).map_err(read_err)?));
    }
    Ok(())
}

/// Unpacks a shared run into `work`; its record.
pub(super) fn unpack(bytes: &[u8], work: &Path) -> Result<RunRecord> {
    let damaged = |why: &str| Error::new(ErrorKind::Store, format!("a shared run is damaged: {why}"));
    let mut r = Reader { b: bytes, at: 0 };
    if r.take(4).ok_or_else(|| damaged("too short"))? != MAGIC {
        return Err(damaged("not a packed run"));
    }
    let len = r.u32().ok_or_else(|| damaged("truncated"))? as usize;
    let record =
        RunRecord::from_bytes(r.take(len).ok_or_else(|| damaged("truncated record"))?).map_err(|e| damaged(&e))?;
    let n = r.u32().ok_or_else(|| damaged("truncated"))?;
    for _ in 0..n {
        let name_len = r.u32().ok_or_else(|| damaged("truncated"))? as usize;
        let name = std::str::from_utf8(r.take(name_len).ok_or_else(|| damaged("truncated name"))?)
            .map_err(|_| damaged("a file name is not UTF-8"))?;
        if !super::stage::stays_inside(name) {
            return Err(damaged(&format!("file name {name:?} leaves the working directory")));
        }
        let size = r.u64().ok_or_else(|| damaged("truncated"))? as usize;
        let data = r.take(size).ok_or_else(|| damaged("truncated file"))?;
        let path = work.join(name);
        let write_err =
            |e: std::io::Error| Error::new(ErrorKind::Store, format!("cannot write {}: {e}", path.display()));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(write_err)?;
        }
        std::fs::write(&path, data).map_err(write_err)?;
    }
    Ok(record)
}

struct Reader<'a> {
    b: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.b.len())?;
        let s = &self.b[self.at..end];
        self.at = end;
        Some(s)
    }
    fn u32(&mut self) -> Option<u32> {
        Some(u32::from_le_bytes(self.take(4)?.try_into().ok()?))
    }
    fn u64(&mut self) -> Option<u64> {
        Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?))
    }
}

/// Runs carried through a shared tier ([`Tiered`](crate::memory::Tiered)):
/// packed with their output files, unpacked into a staged folder, checked.
pub struct RunCarry {
    /// The largest value the shared store takes.
    pub max_value_bytes: u64,
}

impl Carry<Vec<u8>> for RunCarry {
    fn pack(&self, entry: &Entry<Vec<u8>>, folder: &Path) -> Result<std::result::Result<Vec<u8>, String>> {
        let Ok(record) = RunRecord::from_bytes(&entry.value) else {
            return Ok(Err("not shared: its value is not a run record".to_string()));
        };
        let packed = pack(&record, &folder.join("work"))?;
        if packed.len() as u64 > self.max_value_bytes {
            return Ok(Err(format!(
                "not shared: the run's outputs ({}) exceed the shared store's limit ({}); it is cached on this machine only",
                human_bytes(packed.len() as u64),
                human_bytes(self.max_value_bytes)
            )));
        }
        Ok(Ok(packed))
    }

    fn carries(&self, value: &Vec<u8>) -> bool {
        value.starts_with(MAGIC)
    }

    fn unpack(&self, meta: &Meta, value: &Vec<u8>, folder: &Path) -> Result<Vec<u8>> {
        let work = folder.join("work");
        let unpacked = std::fs::create_dir(&work)
            .map_err(|e| Error::new(ErrorKind::Store, format!("cannot create {}: {e}", work.display())))
            .and_then(|()| unpack(value, &work))
            .and_then(|r| {
                r.check_outputs(&StdHost::default(), &work, HashMethod::Content).map(|()| r).map_err(|why| {
                    Error::new(ErrorKind::Store, format!("{}: a shared run is damaged: {why}", meta.name))
                })
            });
        match unpacked {
            Ok(record) => Ok(record.to_bytes()),
            Err(e) => {
                let _ = std::fs::remove_dir_all(folder);
                Err(e)
            }
        }
    }
}
