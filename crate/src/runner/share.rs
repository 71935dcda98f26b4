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
//! the shared store's size limit stays local, and the caller is told so.

use super::folder::RunMemory;
use super::{human_bytes, Outcome, StdHost};
use crate::error::{Error, ErrorKind, Result};
use crate::fingerprint::{HashMethod, Key};
use crate::memory::cached::block_on;
use crate::memory::{Entry, Fresh, NewEntry, RedisStore, RunRecord, Store};
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

/// The run of `key` from the shared store, unpacked into a staged folder of
/// the local store, ready to be published there; `None` when it is not shared.
pub(super) fn fetch(
    local: &RunMemory,
    host: &StdHost,
    shared: &RedisStore,
    name: &str,
    key: &Key,
) -> Result<Option<Fresh<RunRecord, Vec<u8>>>> {
    let Some(entry) = block_on(shared.get(name, key))? else { return Ok(None) };
    let staged = block_on(local.store().stage(name))?;
    let work = staged.join("work");
    let unpacked = std::fs::create_dir(&work)
        .map_err(|e| Error::new(ErrorKind::Store, format!("cannot create {}: {e}", work.display())))
        .and_then(|()| unpack(&entry.value, &work))
        .and_then(|r| {
            r.check_outputs(host, &work, HashMethod::Content)
                .map(|()| r)
                .map_err(|why| Error::new(ErrorKind::Store, format!("{name}: a shared run is damaged: {why}")))
        });
    let record = match unpacked {
        Ok(r) => r,
        Err(e) => {
            let _ = std::fs::remove_dir_all(&staged);
            return Err(e);
        }
    };
    let m = &entry.meta;
    let value = record.to_bytes();
    let new = NewEntry {
        key: m.key,
        kind: m.kind,
        name: name.to_string(),
        bytes: m.bytes,
        duration_ms: m.duration_ms,
        code: m.code.clone(),
        args: m.args,
        sidecar: m.sidecar.clone(),
        format: crate::memory::format::RUN,
    };
    let mut used = entry.meta;
    used.hits += 1;
    used.last_access_ms = local.now();
    block_on(shared.set_meta(&used))?;
    Ok(Some(Fresh { result: record, store: Some((new, value)), staged: Some(staged) }))
}

/// Publishes a new run to the shared store; a note when it is too large to.
pub(super) fn publish(shared: &RedisStore, local: &RunMemory, out: &Outcome) -> Result<Option<String>> {
    let packed = pack(&out.record, &out.dir.join("work"))?;
    if packed.len() as u64 > shared.max_value_bytes() {
        return Ok(Some(format!(
            "not shared: the run's outputs ({}) exceed the shared store's limit ({}); it is cached on this machine only",
            human_bytes(packed.len() as u64),
            human_bytes(shared.max_value_bytes())
        )));
    }
    let Some(meta) = block_on(local.store().get(&out.record.interface, &out.key.key))?.map(|e| e.meta) else {
        return Ok(None);
    };
    block_on(shared.put(Entry { meta, value: packed }))?;
    Ok(None)
}
