//! Deleting the folders of entries the filesystem store shed in bulk.
//!
//! A bulk eviction (`Index::shed`) only moves markers into `.index/evicted/`:
//! from then on readers treat those entries as gone and the totals count them
//! gone, but their folders are still in place. Draining deletes them, later
//! and off the caller's path ([`super::Disk::in_background`]): on the store's
//! background thread natively, in later tasks of the event loop under Node. A
//! process that exits first leaves the rest to the next one that opens the folder.
//!
//! An entry's key may have been written again since it was shed (a miss after
//! the eviction, computed anew): its folder then holds a newer entry, told
//! apart by its creation time, and is left alone.

use super::disk::Disk;
use super::fs_index::{Index, Shed};
use super::fs_store::{entry_path, stored_meta, unique_name};
use std::path::{Path, PathBuf};

/// The creation time recorded in an entry folder's metadata.
fn created<D: Disk>(disk: &D, dir: &Path) -> Option<f64> {
    stored_meta(disk, dir).map(|m| m.created_ms)
}

/// Deletes the folder of the shed entry `m` (if it is still that entry's),
/// moving it into the trash under `trash_name` first, from where it is
/// deleted `now` or later; then drops the marker.
fn drain_one<D: Disk>(disk: &D, root: &Path, (group, name, m): &Shed, trash_name: &str, now: bool) {
    if let Some(m) = m {
        let dir = entry_path(root, &m.folder, &m.key);
        if created(disk, &dir) == Some(m.created_ms) {
            let trash_dir = root.join(&m.folder).join(".trash");
            let trash = trash_dir.join(trash_name);
            let mut moved = disk.rename(&dir, &trash);
            if moved.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
                let _ = disk.create_dir(&trash_dir, true);
                moved = disk.rename(&dir, &trash);
            }
            if moved.is_ok() {
                // Written again between the look and the move: put it back
                // (if yet another entry took the place, the one moved is
                // older and goes; its marker is dropped when eviction meets it).
                if created(disk, &trash) == Some(m.created_ms) || disk.rename(&trash, &dir).is_err() {
                    if now {
                        let _ = disk.remove_dir_all(&trash);
                    } else {
                        disk.remove_dir_all_later(&trash);
                    }
                }
            }
        }
    }
    let _ = disk.remove_file(&group.join(name));
}

/// Drains every shed marker at once, deleting the folders now, not later:
/// for a write that found the disk full. Whether there was any.
pub(super) fn drain_now<D: Disk>(disk: &D, root: &Path) -> bool {
    let shed = Index::new(root).shed_markers(disk);
    for s in &shed {
        drain_one(disk, root, s, &unique_name(disk), true);
    }
    !shed.is_empty()
}

/// Folders deleted per turn of background work (under Node, the turn is a
/// task of the event loop: ~10 ms at most).
const CHUNK: usize = 256;

/// Drains `shed` (every shed marker in `root`'s index when `None`), a chunk
/// at a time, handing what is left back to the disk's background work; then
/// removes the folders of `evicted/` left empty but `keep` (this process's own,
/// which it will use again).
pub(super) fn drain<D: Disk>(disk: &D, root: PathBuf, shed: Option<Vec<Shed>>, keep: String) {
    let index = Index::new(&root);
    let listed = shed.is_none();
    let mut shed = shed.unwrap_or_else(|| index.shed_markers(disk));
    let rest = shed.split_off(shed.len().min(CHUNK));
    for s in &shed {
        drain_one(disk, &root, s, &unique_name(disk), false);
    }
    if rest.is_empty() {
        // Markers shed one by one went into `keep`, which stays.
        if listed || shed.iter().any(|(group, ..)| !group.ends_with(&keep)) {
            remove_empty_groups(disk, &index, &keep);
        }
        return;
    }
    let next = Box::new(move |disk: &D| drain(disk, root, Some(rest), keep));
    // Without background work, on at once.
    if let Some(next) = disk.in_background(next) {
        next(disk);
    }
}

/// Removes the folders of `evicted/` left empty, but `keep`.
pub(super) fn remove_empty_groups<D: Disk>(disk: &D, index: &Index, keep: &str) {
    for (group, _) in disk.list_dir(&index.evicted()).unwrap_or_default() {
        if group != keep {
            let _ = disk.remove_empty_dir(&index.evicted().join(group));
        }
    }
}
