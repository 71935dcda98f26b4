//! Files the page may name: those under `--root` (and, to read, the cache).
//!
//! Every path from the page is relative to the root (or absolute), joined,
//! and resolved with its symbolic links (`canonicalize`) before it is
//! compared with the root's own resolved path: a link under the root that
//! points elsewhere is outside. A path that does not exist yet (an output
//! name) is judged by its nearest existing parent.

use super::http::{Reply, Req};
use super::Shared;
use serde_json::{json, Value as Json};
use std::path::{Component, Path, PathBuf};
use toolmemo::spec::Type;
use toolmemo::{Error, ErrorKind, Interface};

/// Folder entries listed at most.
const MAX_LISTED: usize = 5000;

pub fn outside(path: &str) -> Error {
    Error::new(ErrorKind::Path, format!("{path}: outside the folder this server may use"))
}

/// `path` (relative to `root`, or absolute) resolved, if it is inside one of `allowed`.
pub fn confine(root: &Path, allowed: &[&Path], path: &str) -> Result<PathBuf, Error> {
    if path.contains('\0') {
        return Err(outside(path));
    }
    let joined = root.join(path);
    // The nearest existing ancestor, resolved; the rest appended (no `..` allowed in it).
    let mut existing = joined.as_path();
    let mut rest = Vec::new();
    let real = loop {
        match existing.canonicalize() {
            Ok(r) => break r,
            Err(_) => {
                let name = existing.file_name().ok_or_else(|| outside(path))?;
                rest.push(name.to_os_string());
                existing = existing.parent().ok_or_else(|| outside(path))?;
            }
        }
    };
    if Path::new(path).components().any(|c| c == Component::ParentDir) && !rest.is_empty() {
        return Err(outside(path));
    }
    let full = rest.iter().rev().fold(real, |p, n| p.join(n));
    if allowed.iter().any(|a| full.starts_with(a)) {
        Ok(full)
    } else {
        Err(outside(path))
    }
}

/// A path under the root only (browsing, specs).
fn in_root(s: &Shared, path: &str) -> Result<PathBuf, Error> {
    confine(&s.root, &[&s.root], path)
}

/// `GET /api/files?path=REL`: a folder under the root: `{path, parent, entries:
/// [{name, path, dir, bytes}]}`, folders first. `path` is relative to the root
/// (empty: the root itself).
pub fn list(req: &Req, s: &Shared) -> Result<Reply, Error> {
    let rel = req.query("path").unwrap_or("");
    let dir = in_root(s, rel)?;
    let read =
        std::fs::read_dir(&dir).map_err(|e| Error::new(ErrorKind::Input, format!("cannot list {rel:?}: {e}")))?;
    let mut entries: Vec<(bool, String, u64)> = read
        .filter_map(|e| e.ok())
        .take(MAX_LISTED)
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            // Followed links: a link out of the root is listed but cannot be opened.
            let meta = std::fs::metadata(e.path()).ok()?;
            Some((meta.is_dir(), name, meta.len()))
        })
        .collect();
    entries.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.to_lowercase().cmp(&b.1.to_lowercase())));
    let here = relative(&s.root, &dir);
    let join = |name: &str| if here.is_empty() { name.to_string() } else { format!("{here}/{name}") };
    let parent = (!here.is_empty()).then(|| here.rsplit_once('/').map_or(String::new(), |(p, _)| p.to_string()));
    Ok(Reply::json(json!({
        "root": s.root.to_string_lossy(),
        "path": here,
        "parent": parent,
        "entries": entries.iter().map(|(dir, name, bytes)| json!({"name": name, "path": join(name), "dir": dir, "bytes": if *dir { None } else { Some(*bytes) }})).collect::<Vec<_>>(),
    })))
}

/// `dir` relative to `root`, with `/` (both resolved; `dir` inside `root`).
fn relative(root: &Path, dir: &Path) -> String {
    dir.strip_prefix(root).map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default()
}

/// `GET /api/spec?path=REL`: a spec file under the root, as text, with the
/// specs it `extends` (read from `NAME.json` beside it, as `toolmemo run` does):
/// `{path, text, parents: {Name: spec}}`.
pub fn spec(req: &Req, s: &Shared) -> Result<Reply, Error> {
    let rel = req.query("path").unwrap_or("");
    let (text, parents) = read_spec(s, rel)?;
    Ok(Reply::json(json!({"path": rel, "text": text, "parents": parents})))
}

/// A spec under the root and its parents (those beside it and under the root).
pub fn read_spec(s: &Shared, rel: &str) -> Result<(String, serde_json::Map<String, Json>), Error> {
    let file = in_root(s, rel)?;
    let text =
        std::fs::read_to_string(&file).map_err(|e| Error::new(ErrorKind::Spec, format!("cannot read {rel}: {e}")))?;
    let mut parents = serde_json::Map::new();
    let mut next = serde_json::from_str::<Json>(&text).ok();
    // The chain of `extends`, at most 16 deep.
    for _ in 0..16 {
        let Some(name) = next.as_ref().and_then(|j| j["extends"].as_str()).map(str::to_string) else { break };
        if parents.contains_key(&name) || name.contains(['/', '\\']) {
            break;
        }
        let beside = file.parent().unwrap_or(&s.root).join(format!("{name}.json"));
        let Ok(path) = confine(&s.root, &[&s.root], &beside.to_string_lossy()) else { break };
        let Some(parent) = std::fs::read_to_string(path).ok().and_then(|t| serde_json::from_str::<Json>(&t).ok())
        else {
            break;
        };
        next = Some(parent.clone());
        parents.insert(name, parent);
    }
    Ok((text, parents))
}

/// Refuses a run whose file or folder inputs name anything outside the root or
/// the cache: every string in the value of an input whose type holds a `File`
/// or `Directory` (over-approximate: a string beside a path in a tuple is
/// checked too). Output names are checked again by the runner, which keeps
/// them in the run's working folder.
pub fn check_inputs(s: &Shared, iface: &Interface, inputs: &Json) -> Result<(), Error> {
    let allowed = [s.root.as_path(), s.cache_real.as_path()];
    for input in &iface.spec().inputs {
        if !has_path(&input.ty) {
            continue;
        }
        let Some(v) = inputs.get(&input.name) else { continue };
        let mut strings = Vec::new();
        collect_strings(v, &mut strings);
        for p in strings {
            confine(&s.root, &allowed, p).map_err(|_| {
                Error::new(
                    ErrorKind::Path,
                    format!(
                        "input '{}': {p} is outside the folder this server may use ({})",
                        input.name,
                        s.root.display()
                    ),
                )
            })?;
        }
    }
    Ok(())
}

fn has_path(t: &Type) -> bool {
    match t {
        Type::File { .. } | Type::Directory { .. } => true,
        Type::List { item, .. } | Type::Dict(item, _) | Type::MultiPath(item) => has_path(item),
        Type::Tuple(ts) | Type::Either(ts) => ts.iter().any(has_path),
        _ => false,
    }
}

fn collect_strings<'a>(v: &'a Json, out: &mut Vec<&'a str>) {
    match v {
        Json::String(s) => out.push(s),
        Json::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        Json::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confinement() {
        let base = std::env::temp_dir().join(format!("toolmemo-serve-files-{}", std::process::id()));
        let root = base.join("root");
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(base.join("secret.txt"), "x").unwrap();
        std::fs::write(root.join("sub/a.txt"), "a").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(base.join("secret.txt"), root.join("link.txt")).unwrap();
        let root = root.canonicalize().unwrap();
        let ok = |p: &str| confine(&root, &[&root], p).is_ok();
        assert!(ok("sub/a.txt") && ok("") && ok("sub") && ok("new.txt") && ok("sub/new/deeper.txt"));
        assert!(ok(&root.join("sub/a.txt").to_string_lossy()));
        assert!(!ok("../secret.txt") && !ok("/etc/passwd") && !ok("sub/../../secret.txt") && !ok("nothere/../../x"));
        #[cfg(unix)]
        assert!(!ok("link.txt"), "a link out of the root is outside");
        std::fs::remove_dir_all(&base).unwrap();
    }
}
