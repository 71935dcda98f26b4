//! Deleting the folders of entries the filesystem store shed in bulk.
//!
//! A bulk eviction (`Index::shed`) only moves markers into `.index/evicted/`:
//! from then on readers treat those entries as gone and the totals count them
//! gone, but their folders are still in place. Draining deletes them, later
//! and off the caller's path ([`super::Disk::in_background`]): on the store's
//! background thread natively, in later tasks of the event loop under Node.
//!
//! An entry's key may have been written again since it was shed (a miss after
//! the eviction, computed anew): its folder then holds a newer entry, told
//! apart by its creation time, and is left alone.
//!
//! **Settling a count.** A shed counts the markers of a bucket it moved whole
//! by listing the bucket where it went. Another process may be moving one of
//! them at that instant: the kernel looks up a path's folders before it
//! locks them, so a rename or removal that looked up `lru/<bucket>/` before
//! the bucket moved acts on it where it went, before or after the listing.
//! A marker that leaves after the listing was counted twice (another shed
//! took it too, a removal counted it) or counted gone while a hit put it back
//! in the order; one that arrives after the listing (a new marker, a hit's)
//! was not counted, and its live entry looks shed. So the process that shed
//! a bucket looks for each marker it counted before it deletes the entry's
//! folder. A marker already gone was somebody else's to count: the totals get
//! it back and the folder stays. What is left in the bucket's folder at the
//! end arrived late, and goes back into the order. Markers moved one by one
//! (into the process's own folder) were counted exactly and need none of
//! this. (The racing call began before the shed moved the bucket, so it has
//! long ended when the drain looks: it is not raced again.)
//!
//! **Leftovers.** A process that stops before its drain is done leaves the
//! rest to the next one that opens the folder. That one first claims each
//! folder of `evicted/` by renaming it, so that the owner, if it is still
//! draining, finds its folder gone (claimed, not raced: nothing to settle),
//! and two drains never count the same marker. What the owner had not
//! settled then stays unsettled: the totals may be one off, as after a crash,
//! until the index is rebuilt.

use super::disk::Disk;
use super::fs_index::{Index, Marker, Shed};
use super::fs_store::{entry_path, stored_meta, unique_name};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The creation time recorded in an entry folder's metadata.
fn created<D: Disk>(disk: &D, dir: &Path) -> Option<f64> {
    stored_meta(disk, dir).map(|m| m.created_ms)
}

/// Deletes the folder of the shed entry `m` (if it is still that entry's),
/// moving it into the trash under `trash_name` first, from where it is
/// deleted `now` or later.
fn delete_entry<D: Disk>(disk: &D, root: &Path, m: &Marker, trash_name: &str, now: bool) {
    let dir = entry_path(root, &m.folder, &m.key);
    if created(disk, &dir) != Some(m.created_ms) {
        return;
    }
    let trash_dir = root.join(&m.folder).join(".trash");
    let trash = trash_dir.join(trash_name);
    let mut moved = disk.rename(&dir, &trash);
    if moved.as_ref().is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        let _ = disk.create_dir(&trash_dir, true);
        moved = disk.rename(&dir, &trash);
    }
    if moved.is_ok() {
        // Written again between the look and the move: put it back (if yet
        // another entry took the place, the one moved is older and goes; its
        // marker is dropped when eviction meets it).
        if created(disk, &trash) == Some(m.created_ms) || disk.rename(&trash, &dir).is_err() {
            if now {
                let _ = disk.remove_dir_all(&trash);
            } else {
                disk.remove_dir_all_later(&trash);
            }
        }
    }
}

/// Drains a marker counted exactly (moved one by one, claimed, or settled):
/// the entry's folder, then the marker (which keeps the entry shed for
/// readers until its folder is gone).
fn drain_one<D: Disk>(disk: &D, root: &Path, group: &Path, name: &str, m: Option<&Marker>, now: bool) {
    if let Some(m) = m {
        delete_entry(disk, root, m, &unique_name(disk), now);
    }
    let _ = disk.remove_file(&group.join(name));
}

/// Drains a marker this process counted by listing its bucket, if it is
/// still there (a `stat`): the entry's folder, then the marker, as
/// [`drain_one`] does. Not moved, not removed first: a listing of the shed
/// markers, which looks in each folder of `evicted/` in turn, must find it
/// until the folder is gone. A marker gone from a folder still there was
/// another process's (see the module's doc): the totals get its entry back,
/// and its folder stays.
fn settle_one<D: Disk>(disk: &D, root: &Path, index: &Index, (group, name, m): &Shed) {
    if disk.age_secs(&group.join(name)).is_some() {
        drain_one(disk, root, group, name, m.as_ref(), false);
    } else if disk.age_secs(group).is_some() {
        if let Some(m) = m {
            let _ = index.adjust(disk, 1, m.bytes as i64);
        }
    }
    // Else claimed by another process's drain, which deletes it.
}

/// Removes a folder of `evicted/` this process drained; markers that arrived
/// in it late (`settled`: it was counted by listing) go back into the order.
fn finish_group<D: Disk>(disk: &D, index: &Index, group: &Path, settled: bool) {
    if disk.remove_empty_dir(group).is_err() && settled && disk.age_secs(group).is_some() {
        index.put_back_all(disk, group);
    }
}

/// Whether the marker of the folder `group` drained last ends the folder's
/// markers (they are together in a drain's list): `next` is the one after it.
fn ends_group(group: &Path, next: Option<&Shed>) -> bool {
    next.is_none_or(|(next, ..)| **next != *group)
}

/// Claims the folders of `evicted/` (but `keep`) by renaming each: their
/// markers, to drain as this process's own.
fn claim<D: Disk>(disk: &D, index: &Index, keep: Option<&str>) -> Vec<Shed> {
    let mut out = Vec::new();
    for (group, _) in disk.list_dir(&index.evicted()).unwrap_or_default() {
        if Some(group.as_str()) == keep {
            continue;
        }
        let claimed: Arc<Path> = index.evicted().join(format!("c{}", unique_name(disk))).into();
        if disk.rename(&index.evicted().join(&group), &claimed).is_ok() {
            let markers = index.markers_in(disk, claimed.clone());
            if markers.is_empty() {
                let _ = disk.remove_empty_dir(&claimed);
            }
            out.extend(markers);
        }
    }
    out
}

/// Drains every shed marker at once, deleting the folders now, not later:
/// for a write that found the disk full. Whether there was any.
pub(super) fn drain_now<D: Disk>(disk: &D, root: &Path) -> bool {
    let index = Index::new(root);
    let shed = claim(disk, &index, None);
    for (i, s) in shed.iter().enumerate() {
        drain_one(disk, root, &s.0, &s.1, s.2.as_ref(), true);
        if ends_group(&s.0, shed.get(i + 1)) {
            finish_group(disk, &index, &s.0, false);
        }
    }
    !shed.is_empty()
}

/// Folders deleted per turn of background work (under Node, the turn is a
/// task of the event loop: ~10 ms at most).
const CHUNK: usize = 256;

/// Drains `shed`, what this process shed (markers moved one by one are in
/// its folder `keep`, which stays; the others it counted by listing), or,
/// when `None`, what other processes left in `evicted/`, claimed first.
pub(super) fn drain<D: Disk>(disk: &D, root: PathBuf, shed: Option<Vec<Shed>>, keep: String) {
    match shed {
        Some(shed) => drain_chunk(disk, root, shed, keep, true),
        None => {
            let claimed = claim(disk, &Index::new(&root), Some(&keep));
            drain_chunk(disk, root, claimed, keep, false);
        }
    }
}

/// Drains a chunk of `shed` (`own`: this process's shed, to settle), handing
/// what is left back to the disk's background work.
fn drain_chunk<D: Disk>(disk: &D, root: PathBuf, mut shed: Vec<Shed>, keep: String, own: bool) {
    let index = Index::new(&root);
    let rest = shed.split_off(shed.len().min(CHUNK));
    for (i, s) in shed.iter().enumerate() {
        let (group, ..) = s;
        let exact = group.ends_with(&keep);
        let settle = own && !exact;
        if settle {
            settle_one(disk, &root, &index, s);
        } else {
            drain_one(disk, &root, group, &s.1, s.2.as_ref(), false);
        }
        if !exact && ends_group(group, shed.get(i + 1).or(rest.first())) {
            finish_group(disk, &index, group, settle);
        }
    }
    if rest.is_empty() {
        return;
    }
    let next = Box::new(move |disk: &D| drain_chunk(disk, root, rest, keep, own));
    // Without background work, on at once.
    if let Some(next) = disk.in_background(next) {
        next(disk);
    }
}
