//! Path text as Python handles it: `pathlib` normalization, nipype's
//! `split_filename`, `shlex.quote`, and the probe that asks whether a path exists.
//!
//! Everything here works on strings, never on the real filesystem, except
//! through a [`PathProbe`], so the same code runs natively, in Node (probing
//! through `node:fs`) and in a browser (where nothing can be probed).

/// What a path names, as far as the probe can tell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathKind {
    Missing,
    File,
    Dir,
    /// The probe cannot see a filesystem (a browser): existence is not checked.
    Unknown,
}

/// Answers whether a path exists; relative paths are relative to the current directory.
pub trait PathProbe {
    fn kind(&self, path: &str) -> PathKind;

    /// The folder relative names are rendered in, where there is one: names a
    /// spec makes `absolute` are prefixed with it (`None`: they stay relative).
    fn working_dir(&self) -> Option<String>;
}

/// A probe that sees nothing: every `exists` check passes.
pub struct NoFilesystem;

impl PathProbe for NoFilesystem {
    fn kind(&self, _: &str) -> PathKind {
        PathKind::Unknown
    }

    fn working_dir(&self) -> Option<String> {
        None
    }
}

/// A declared set of paths, for places with no filesystem to ask (a browser, a
/// test): a name ending in `/` is a directory, the folders of every path exist.
#[derive(Debug, Clone, Default)]
pub struct FileSet {
    files: std::collections::HashSet<String>,
    dirs: std::collections::HashSet<String>,
}

impl FileSet {
    pub fn new<S: AsRef<str>>(paths: impl IntoIterator<Item = S>) -> FileSet {
        let mut set = FileSet::default();
        set.dirs.insert(".".into());
        for p in paths {
            let p = p.as_ref();
            let norm = normalize(p);
            let mut parent = norm.as_str();
            while let Some(i) = parent.rfind('/') {
                parent = &parent[..i];
                if !parent.is_empty() {
                    set.dirs.insert(parent.to_string());
                }
            }
            if p.ends_with('/') {
                set.dirs.insert(norm)
            } else {
                set.files.insert(norm)
            };
        }
        set
    }
}

impl PathProbe for FileSet {
    fn kind(&self, path: &str) -> PathKind {
        let p = normalize(path);
        if self.files.contains(&p) {
            PathKind::File
        } else if self.dirs.contains(&p) {
            PathKind::Dir
        } else {
            PathKind::Missing
        }
    }

    fn working_dir(&self) -> Option<String> {
        None
    }
}

/// The real filesystem of this process, relative paths resolved against the
/// current directory or against `base`.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Debug, Clone, Default)]
pub struct RealFilesystem {
    pub base: Option<std::path::PathBuf>,
}

#[cfg(not(target_arch = "wasm32"))]
impl PathProbe for RealFilesystem {
    fn kind(&self, path: &str) -> PathKind {
        let full = match &self.base {
            Some(b) => b.join(path),
            None => std::path::PathBuf::from(path),
        };
        // Like Python's Path.is_file(), follows symlinks.
        match std::fs::metadata(full) {
            Ok(m) if m.is_dir() => PathKind::Dir,
            Ok(_) => PathKind::File,
            Err(_) => PathKind::Missing,
        }
    }

    fn working_dir(&self) -> Option<String> {
        let dir = match &self.base {
            Some(b) if b.is_absolute() => b.clone(),
            Some(b) => std::env::current_dir().ok()?.join(b),
            None => std::env::current_dir().ok()?,
        };
        Some(dir.to_string_lossy().into_owned())
    }
}

/// Python's `os.path.relpath(path)` with `cwd` as the current directory; where
/// the folder is unknown, an absolute path stays as it is and a relative one is
/// normalized (which is all relpath does to it).
pub fn relpath(path: &str, cwd: Option<&str>) -> String {
    let parts = |p: &str| -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for part in p.split('/') {
            match part {
                "" | "." => {}
                ".." if out.last().is_some_and(|l| l != "..") => {
                    out.pop();
                }
                other => out.push(other.to_string()),
            }
        }
        out
    };
    let (target, start) = match cwd {
        Some(c) => (parts(&abspath(c, path)), parts(&abspath(c, "."))),
        None if path.starts_with('/') => return path.to_string(),
        None => (parts(path), Vec::new()),
    };
    let common = target.iter().zip(&start).take_while(|(a, b)| a == b).count();
    let mut rel: Vec<&str> = vec![".."; start.len() - common];
    rel.extend(target[common..].iter().map(String::as_str));
    if rel.is_empty() {
        ".".to_string()
    } else {
        rel.join("/")
    }
}

/// Python's `os.path.abspath(name)` with `cwd` as the current directory:
/// joined, then normalized as `os.path.normpath` does (`..` removes a part).
pub fn abspath(cwd: &str, name: &str) -> String {
    let joined = if name.starts_with('/') { name.to_string() } else { format!("{cwd}/{name}") };
    let root = if joined.starts_with("//") && !joined.starts_with("///") { "//" } else { "/" };
    let mut parts: Vec<&str> = Vec::new();
    for part in joined.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    format!("{root}{}", parts.join("/"))
}

/// `str(pathlib.PurePosixPath(p))`: drops `.` parts and repeated or trailing
/// slashes, keeps `..`, keeps exactly two leading slashes, and turns `""` into `.`.
pub fn normalize(p: &str) -> String {
    let root = if p.starts_with("//") && !p.starts_with("///") {
        "//"
    } else if p.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut out = String::with_capacity(p.len());
    out.push_str(root);
    let mut first = true;
    for part in p.split('/').filter(|s| !s.is_empty() && *s != ".") {
        if !first {
            out.push('/');
        }
        out.push_str(part);
        first = false;
    }
    if out.is_empty() {
        out.push('.');
    }
    out
}

/// The last component of a normalized path (`Path(p).name`).
pub fn file_name(p: &str) -> &str {
    let name = p.rsplit('/').next().unwrap_or(p);
    if name == "." {
        ""
    } else {
        name
    }
}

/// Extensions nipype treats as one (`split_filename`), compared ignoring case.
const DOUBLE_EXTENSIONS: [&str; 3] = [".nii.gz", ".tar.gz", ".niml.dset"];

/// nipype's `split_filename`: (folder, base name, extension).
pub fn split_filename(fname: &str) -> (&str, &str, &str) {
    let (dir, base) = match fname.rfind('/') {
        // os.path.dirname keeps a lone root slash and strips trailing ones otherwise.
        Some(i) => {
            let d = &fname[..i];
            let d = if d.chars().all(|c| c == '/') { &fname[..i + 1] } else { d.trim_end_matches('/') };
            (d, &fname[i + 1..])
        }
        None => ("", fname),
    };
    for ext in DOUBLE_EXTENSIONS {
        if base.len() > ext.len()
            && base.is_char_boundary(base.len() - ext.len())
            && base[base.len() - ext.len()..].eq_ignore_ascii_case(ext)
        {
            let cut = base.len() - ext.len();
            return (dir, &base[..cut], &base[cut..]);
        }
    }
    let (stem, ext) = splitext(base);
    (dir, stem, ext)
}

/// `os.path.splitext` on a base name: the extension starts at the last `.`
/// that is not part of the leading dots.
pub fn splitext(base: &str) -> (&str, &str) {
    match base.rfind('.') {
        Some(i) if base[..i].chars().any(|c| c != '.') => (&base[..i], &base[i..]),
        _ => (base, ""),
    }
}

/// `shlex.quote`: kept as is when it has only safe characters, else single-quoted.
pub fn shell_quote(s: &str, out: &mut String) {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_@%+=:,./-".contains(c);
    if !s.is_empty() && s.chars().all(safe) {
        out.push_str(s);
        return;
    }
    out.push('\'');
    for c in s.chars() {
        if c == '\'' {
            out.push_str("'\"'\"'");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_like_pathlib() {
        assert_eq!(normalize("./a//b/"), "a/b");
        assert_eq!(normalize("a/../b"), "a/../b");
        assert_eq!(normalize(""), ".");
        assert_eq!(normalize("//x"), "//x");
        assert_eq!(normalize("///x/./"), "/x");
        assert_eq!(normalize("/"), "/");
    }

    #[test]
    fn splits_like_nipype() {
        assert_eq!(split_filename("/a/b/x.nii.gz"), ("/a/b", "x", ".nii.gz"));
        assert_eq!(split_filename("X.NII.GZ"), ("", "X", ".NII.GZ"));
        assert_eq!(split_filename("data.v2.nii"), ("", "data.v2", ".nii"));
        assert_eq!(split_filename(".rc"), ("", ".rc", ""));
        assert_eq!(split_filename(".nii.gz"), ("", ".nii", ".gz"));
        assert_eq!(split_filename("a.b/c"), ("a.b", "c", ""));
        assert_eq!(split_filename("/x.txt"), ("/", "x", ".txt"));
        assert_eq!(split_filename("..x"), ("", "..x", ""));
    }

    #[test]
    fn quotes_like_shlex() {
        let q = |s: &str| {
            let mut o = String::new();
            shell_quote(s, &mut o);
            o
        };
        assert_eq!(q("my file.nii"), "'my file.nii'");
        assert_eq!(q(""), "''");
        assert_eq!(q("a'b"), "'a'\"'\"'b'");
        assert_eq!(q("sub/x-1.nii"), "sub/x-1.nii");
        assert_eq!(q("é"), "'é'");
    }
}
