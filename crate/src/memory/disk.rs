//! The filesystem operations the filesystem store is made of, so one store
//! implementation (and one on-disk layout) serves native code through `std::fs`
//! and Node through `node:fs` (in the `wasm` module).

use std::io;
use std::path::Path;

/// Work handed to a disk's background (see [`Disk::in_background`]).
pub type Job<D> = Box<dyn FnOnce(&D) + Send>;

/// What [`super::FsStore`] asks of a filesystem.
pub trait Disk {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// Writes a whole file; with `sync`, makes it durable before returning.
    fn write(&self, path: &Path, bytes: &[u8], sync: bool) -> io::Result<()>;
    /// Rewrites the start of an existing file in place (no truncation, no
    /// creation: a missing file is `NotFound`).
    fn overwrite(&self, path: &Path, bytes: &[u8]) -> io::Result<()>;
    /// Rewrites the start of an existing file in place with what `change`
    /// makes of its contents (`None` leaves it), in one opening of the file;
    /// whether it was rewritten. A missing file is `NotFound`.
    fn update(&self, path: &Path, change: &mut dyn FnMut(&[u8]) -> Option<Vec<u8>>) -> io::Result<bool> {
        let now = self.read(path)?;
        match change(&now) {
            Some(next) => self.overwrite(path, &next).map(|()| true),
            None => Ok(false),
        }
    }
    /// Renames atomically; a non-empty folder in the way is `DirectoryNotEmpty`/`AlreadyExists`.
    fn rename(&self, from: &Path, to: &Path) -> io::Result<()>;
    /// Swaps two existing paths atomically, where the platform can (Linux's
    /// `renameat2(RENAME_EXCHANGE)`); `Unsupported` elsewhere.
    fn exchange(&self, _a: &Path, _b: &Path) -> io::Result<()> {
        Err(io::ErrorKind::Unsupported.into())
    }
    fn create_dir(&self, path: &Path, recursive: bool) -> io::Result<()>;
    fn remove_dir_all(&self, path: &Path) -> io::Result<()>;
    /// Deletes a folder nobody can reach any more (already moved into a trash),
    /// now or soon: the caller does not wait. By default, now.
    fn remove_dir_all_later(&self, path: &Path) {
        let _ = self.remove_dir_all(path);
    }
    /// Runs `job` with this disk off the caller's path, on a background
    /// thread, where the host has one; where it has none, gives `job` back
    /// (the caller then does the work a little at a time).
    fn in_background(&self, job: Job<Self>) -> Option<Job<Self>> {
        Some(job)
    }
    /// Waits until no background work is left: a store being dropped does, so
    /// that a process that ends leaves no drain of its own undone
    /// (`fs_drain`). A host whose background runs on the caller's own event
    /// loop (Node) cannot wait: what it leaves undone is the next opener's.
    fn wait_for_background(&self) {}
    fn remove_file(&self, path: &Path) -> io::Result<()>;
    /// Removes a folder if it is empty.
    fn remove_empty_dir(&self, path: &Path) -> io::Result<()>;
    /// Runs `f` holding the lock `path` among every process sharing the
    /// folder. By default a lock folder created and removed (atomic on every
    /// filesystem, NFS included), taken over once ten seconds old (its holder
    /// died); hosts with file locks lock a file instead.
    fn locked<T>(&self, path: &Path, f: impl FnOnce() -> T) -> io::Result<T> {
        let held = path.with_extension("held");
        let mut tries = 0u64;
        loop {
            match self.create_dir(&held, false) {
                Ok(()) => break,
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                    if self.age_secs(&held).is_some_and(|a| a > 10.0) {
                        let _ = self.remove_empty_dir(&held);
                    }
                    tries += 1;
                    if tries > 10_000_000 {
                        return Err(io::Error::new(
                            io::ErrorKind::TimedOut,
                            format!("{} stays locked", held.display()),
                        ));
                    }
                    std::hint::spin_loop();
                }
                Err(e) => return Err(e),
            }
        }
        let out = f();
        let _ = self.remove_empty_dir(&held);
        Ok(out)
    }
    /// A folder's entries as (name, is a folder).
    fn list_dir(&self, path: &Path) -> io::Result<Vec<(String, bool)>>;
    /// A folder's entries' names, for a folder of files (the index's markers:
    /// a reduction lists tens of thousands). Hosts where telling folders
    /// apart costs more give the names alone.
    fn list_names(&self, path: &Path) -> io::Result<Vec<String>> {
        Ok(self.list_dir(path)?.into_iter().map(|(name, _)| name).collect())
    }
    /// Seconds since `path` was last modified, if it exists.
    fn age_secs(&self, path: &Path) -> Option<f64>;
    /// Makes renames inside a folder durable, where the platform can.
    fn sync_dir(&self, path: &Path);
    /// Text that tells this writer (host, process) and this moment apart from
    /// any other: the seed of temporary names.
    fn writer_seed(&self) -> String;
}

/// `std::fs`.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone, Copy, Default)]
pub struct StdDisk;

/// The rest of an open file. Not `fs::read`: its size hint costs a `statx`,
/// and most files read here (metadata, access records, small values) are small.
#[cfg(not(target_arch = "wasm32"))]
fn read_all(f: &mut std::fs::File) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let mut chunk = [0u8; 16 * 1024];
    let mut filled = 0;
    while filled < chunk.len() {
        match f.read(&mut chunk[filled..]) {
            Ok(0) => return Ok(chunk[..filled].to_vec()),
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    // A larger file: the rest in one go.
    let mut out = chunk.to_vec();
    f.read_to_end(&mut out)?;
    Ok(out)
}

/// The jobs handed to the native background thread and not done yet, and
/// a signal when that changes (for [`Disk::wait_for_background`]).
#[cfg(not(target_arch = "wasm32"))]
static BACKGROUND_JOBS: (std::sync::Mutex<usize>, std::sync::Condvar) =
    (std::sync::Mutex::new(0), std::sync::Condvar::new());

#[cfg(not(target_arch = "wasm32"))]
fn background_jobs(change: isize) {
    let (count, changed) = &BACKGROUND_JOBS;
    let mut n = count.lock().unwrap_or_else(|p| p.into_inner());
    *n = n.saturating_add_signed(change);
    if *n == 0 {
        changed.notify_all();
    }
}

#[cfg(not(target_arch = "wasm32"))]
impl Disk for StdDisk {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        read_all(&mut std::fs::File::open(path)?)
    }

    fn update(&self, path: &Path, change: &mut dyn FnMut(&[u8]) -> Option<Vec<u8>>) -> io::Result<bool> {
        use std::io::{Seek, Write};
        let mut f = std::fs::OpenOptions::new().read(true).write(true).open(path)?;
        let Some(next) = change(&read_all(&mut f)?) else { return Ok(false) };
        f.rewind()?;
        f.write_all(&next).map(|()| true)
    }

    fn write(&self, path: &Path, bytes: &[u8], sync: bool) -> io::Result<()> {
        use std::io::Write;
        let mut f = std::fs::File::create(path)?;
        f.write_all(bytes)?;
        if sync {
            f.sync_all()?;
        }
        Ok(())
    }

    fn overwrite(&self, path: &Path, bytes: &[u8]) -> io::Result<()> {
        use std::io::Write;
        std::fs::OpenOptions::new().write(true).open(path)?.write_all(bytes)
    }

    fn rename(&self, from: &Path, to: &Path) -> io::Result<()> {
        std::fs::rename(from, to)
    }

    #[cfg(all(target_os = "linux", feature = "native"))]
    fn exchange(&self, a: &Path, b: &Path) -> io::Result<()> {
        use std::os::unix::ffi::OsStrExt;
        let c = |p: &Path| std::ffi::CString::new(p.as_os_str().as_bytes()).map_err(|_| io::ErrorKind::InvalidInput);
        let (a, b) = (c(a)?, c(b)?);
        // SAFETY: two valid NUL-terminated paths; renameat2 reads them only.
        let r =
            unsafe { libc::renameat2(libc::AT_FDCWD, a.as_ptr(), libc::AT_FDCWD, b.as_ptr(), libc::RENAME_EXCHANGE) };
        if r == 0 {
            Ok(())
        } else {
            Err(io::Error::last_os_error())
        }
    }

    fn create_dir(&self, path: &Path, recursive: bool) -> io::Result<()> {
        if recursive {
            std::fs::create_dir_all(path)
        } else {
            std::fs::create_dir(path)
        }
    }

    fn remove_dir_all(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_dir_all(path)
    }

    /// Hands the folder to the background thread, so eviction costs a
    /// rename per entry, not four unlinks and a rmdir. Trash that a process
    /// leaves behind when it exits is deleted by the next opening.
    fn remove_dir_all_later(&self, path: &Path) {
        let path = path.to_path_buf();
        if let Some(job) = self.in_background(Box::new(move |_| drop(std::fs::remove_dir_all(path)))) {
            job(self);
        }
    }

    /// One background thread per process, doing the jobs in order.
    fn in_background(&self, job: Job<Self>) -> Option<Job<Self>> {
        use std::sync::mpsc::{channel, Sender};
        use std::sync::{Mutex, OnceLock};
        static WORKER: OnceLock<Mutex<Sender<Job<StdDisk>>>> = OnceLock::new();
        let sender = WORKER.get_or_init(|| {
            let (tx, rx) = channel::<Job<StdDisk>>();
            // Without a thread to be had the receiver is gone, sends fail,
            // and the job comes back to the caller.
            let _ = std::thread::Builder::new().name("toolmemo-trash".into()).spawn(move || {
                for job in rx {
                    // A job that panics is done too (its waiters must not hang).
                    let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job(&StdDisk)));
                    background_jobs(-1);
                }
            });
            Mutex::new(tx)
        });
        let tx = sender.lock().unwrap_or_else(|p| p.into_inner());
        background_jobs(1);
        tx.send(job).err().map(|e| {
            background_jobs(-1);
            e.0
        })
    }

    /// Until no job is left: those a job hands on (the rest of a drain, the
    /// trash it made) included.
    fn wait_for_background(&self) {
        let (count, changed) = &BACKGROUND_JOBS;
        let mut n = count.lock().unwrap_or_else(|p| p.into_inner());
        while *n > 0 {
            n = changed.wait(n).unwrap_or_else(|p| p.into_inner());
        }
    }

    fn remove_file(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_file(path)
    }

    fn remove_empty_dir(&self, path: &Path) -> io::Result<()> {
        std::fs::remove_dir(path)
    }

    /// `flock` on the lock file: released by the kernel if the process dies.
    #[cfg(all(unix, feature = "native"))]
    fn locked<T>(&self, path: &Path, f: impl FnOnce() -> T) -> io::Result<T> {
        use std::os::fd::AsRawFd;
        let file = std::fs::OpenOptions::new().create(true).truncate(false).write(true).open(path)?;
        // SAFETY: a valid open descriptor; flock only reads it.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) } != 0 {
            return Err(io::Error::last_os_error());
        }
        let out = f();
        drop(file); // closing releases the lock
        Ok(out)
    }

    fn list_dir(&self, path: &Path) -> io::Result<Vec<(String, bool)>> {
        std::fs::read_dir(path)?
            .map(|e| e.map(|e| (e.file_name().to_string_lossy().into_owned(), e.file_type().is_ok_and(|t| t.is_dir()))))
            .collect()
    }

    fn age_secs(&self, path: &Path) -> Option<f64> {
        std::fs::metadata(path).ok()?.modified().ok()?.elapsed().ok().map(|d| d.as_secs_f64())
    }

    fn sync_dir(&self, path: &Path) {
        // Not every filesystem can; nothing is lost for correctness if it fails.
        if let Ok(d) = std::fs::File::open(path) {
            let _ = d.sync_all();
        }
    }

    fn writer_seed(&self) -> String {
        static HOST: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let host = HOST.get_or_init(|| std::fs::read_to_string("/etc/hostname").unwrap_or_default().trim().to_string());
        let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        format!("{host}-{}-{now}", std::process::id())
    }
}
