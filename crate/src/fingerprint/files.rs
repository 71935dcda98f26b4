//! How files named by inputs enter a key: by content (sha256, streamed) or, when
//! asked, by size and modification time.
//!
//! The timestamp shortcut is only safe once a file's mtime is older than the
//! filesystem can resolve: a file written twice within the same tick would keep
//! its mtime. So a file modified less than [`TIMESTAMP_GRACE_SECS`] ago is hashed by
//! content even under `HashMethod::Timestamp`.

use super::FileId;
use crate::error::Result;

/// How files are identified in keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum HashMethod {
    /// sha256 of the content (nipype's and joblib's default).
    #[default]
    Content,
    /// Size and modification time: fast, trusts mtimes.
    Timestamp,
}

impl HashMethod {
    pub fn parse(s: &str) -> Option<HashMethod> {
        match s {
            "content" => Some(HashMethod::Content),
            "timestamp" => Some(HashMethod::Timestamp),
            _ => None,
        }
    }
}

/// Seconds within which an mtime is not trusted (FAT's 2 s is the coarsest
/// resolution in common use).
pub const TIMESTAMP_GRACE_SECS: i128 = 2;

/// Identifies files for keys. `Ok(FileId::PathOnly)` when the path does not exist.
pub trait FileHasher {
    fn identify(&self, path: &str, method: HashMethod) -> Result<FileId>;
}

/// Files on this machine, relative paths resolved against `base` (or the current directory).
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone, Default)]
pub struct RealFileHasher {
    pub base: Option<std::path::PathBuf>,
}

#[cfg(not(target_arch = "wasm32"))]
impl FileHasher for RealFileHasher {
    fn identify(&self, path: &str, method: HashMethod) -> Result<FileId> {
        let full = match &self.base {
            Some(b) => b.join(path),
            None => std::path::PathBuf::from(path),
        };
        native::identify(&full, method)
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl RealFileHasher {
    /// How the file or folder at `path` enters a key.
    pub fn identify_path(&self, path: &std::path::Path, method: HashMethod) -> Result<FileId> {
        native::identify(path, method)
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::{FileId, HashMethod, TIMESTAMP_GRACE_SECS};
    use crate::error::{Error, ErrorKind, Result};
    use sha2::{Digest, Sha256};
    use std::io::Read;
    use std::path::Path;
    use std::time::{SystemTime, UNIX_EPOCH};

    fn io_error(path: &Path, e: std::io::Error) -> Error {
        Error::new(ErrorKind::Exists, format!("cannot read {} to fingerprint it: {e}", path.display()))
    }

    pub fn identify(path: &Path, method: HashMethod) -> Result<FileId> {
        let meta = match std::fs::metadata(path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(FileId::PathOnly),
            Err(e) => return Err(io_error(path, e)),
        };
        if method == HashMethod::Timestamp {
            let ns = |t: SystemTime| t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_nanos() as i128);
            let mtime_ns = meta.modified().map(ns).unwrap_or(0);
            let settled = ns(SystemTime::now()) - mtime_ns > TIMESTAMP_GRACE_SECS * 1_000_000_000;
            if settled {
                return Ok(FileId::Timestamp { size: meta.len(), mtime_ns });
            }
        }
        let mut hasher = Sha256::new();
        let size = if meta.is_dir() { hash_dir(path, &mut hasher)? } else { hash_file(path, &mut hasher)? };
        Ok(FileId::Content { size, digest: hasher.finalize().into() })
    }

    /// Streams a file through the hasher in 1 MiB reads; returns its size.
    fn hash_file(path: &Path, hasher: &mut Sha256) -> Result<u64> {
        let mut f = std::fs::File::open(path).map_err(|e| io_error(path, e))?;
        let mut buf = vec![0u8; 1 << 20];
        let mut size = 0u64;
        loop {
            let n = f.read(&mut buf).map_err(|e| io_error(path, e))?;
            if n == 0 {
                return Ok(size);
            }
            hasher.update(&buf[..n]);
            size += n as u64;
        }
    }

    /// A directory's content: its entries in name order, each as name, kind and content.
    fn hash_dir(path: &Path, hasher: &mut Sha256) -> Result<u64> {
        let mut names: Vec<_> = std::fs::read_dir(path)
            .map_err(|e| io_error(path, e))?
            .filter_map(|e| e.ok().map(|e| e.file_name()))
            .collect();
        names.sort();
        let mut size = 0;
        for name in names {
            let child = path.join(&name);
            let bytes = name.to_string_lossy();
            hasher.update((bytes.len() as u64).to_le_bytes());
            hasher.update(bytes.as_bytes());
            if child.is_dir() {
                hasher.update(b"d");
                size += hash_dir(&child, hasher)?;
            } else {
                let mut inner = Sha256::new();
                let n = hash_file(&child, &mut inner)?;
                hasher.update(b"f");
                hasher.update(n.to_le_bytes());
                hasher.update(inner.finalize());
                size += n;
            }
        }
        Ok(size)
    }
}
