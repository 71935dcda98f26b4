//! Preparing a run's working folder: where input files go, where outputs may go.
//!
//! The tool runs in a fresh folder, so every path in its command line must mean
//! the same thing there as where the user typed it. Files of inputs with
//! `copyfile: true` are copied in and `false` linked (nipype's semantics, for
//! tools that write beside their inputs), both under their own base name; any
//! other input path is made absolute against the caller's directory. Inputs that
//! *name outputs* (`genfile`, `name_source`, `output_name`) are left alone: their
//! names are relative to the working folder, and must stay inside it.

use super::host::{absolute, copy_tree, Host};
use crate::error::{Error, ErrorKind, Result};
use crate::spec::{Input, Type};
use crate::value::Value;
use crate::Bound;
use serde_json::Value as Json;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Whether an input's value is the name of a file the tool writes.
pub(super) fn names_output(input: &Input) -> bool {
    input.genfile || input.name_source.is_some() || input.output_name.is_some()
}

/// Refuses output names (set, generated or templated) that would put a file
/// outside the working folder.
pub(super) fn check_output_names(bound: &Bound) -> Result<()> {
    let spec = bound.spec();
    for (i, input) in spec.inputs.iter().enumerate() {
        if !names_output(input) {
            continue;
        }
        if let Some(v) = bound.generated(i)? {
            for name in strings(&v) {
                if !stays_inside(name) {
                    return Err(Error::input(
                        ErrorKind::Path,
                        &spec.name,
                        &input.name,
                        format!(
                            "input '{}' names the output {name:?}, which is outside the working directory; \
                             output names must be relative and must not climb out with '..'",
                            input.name
                        ),
                    ));
                }
            }
        }
    }
    for (output, name) in bound.output_names()? {
        if let Some(name) = name.filter(|n| !stays_inside(n)) {
            return Err(Error::new(
                ErrorKind::Path,
                format!(
                    "{}: output '{output}' would be {name:?}, outside the working directory; \
                     output templates must give relative names that do not climb out with '..'",
                    spec.name
                ),
            ));
        }
    }
    Ok(())
}

fn strings(v: &Value) -> Vec<&str> {
    match v {
        Value::Str(s) => vec![s.as_str()],
        Value::List(items) | Value::Tuple(items) => items.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// A relative path that never climbs above its starting folder.
pub(super) fn stays_inside(name: &str) -> bool {
    let mut depth = 0i64;
    for c in Path::new(name).components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// The inputs as the tool sees them from `work`: staged or absolute paths.
pub(super) fn stage_inputs<H: Host>(host: &H, bound: &Bound, inputs: &Json, cwd: &Path, work: &Path) -> Result<Json> {
    let spec = bound.spec();
    let Some(given) = inputs.as_object() else { return Ok(inputs.clone()) };
    let mut staged = HashMap::new();
    let mut out = given.clone();
    for (name, value) in out.iter_mut() {
        let Some(input) = spec.input(name) else { continue };
        if names_output(input) {
            continue;
        }
        let mut place = |p: &str| -> Result<String> {
            let source = absolute(cwd, p);
            match input.copyfile {
                None => Ok(source.to_string_lossy().into_owned()),
                Some(copy) => stage_file(host, &source, copy, work, &input.name, &mut staged, &spec.name),
            }
        };
        let exists = |p: &str| host.stat(&absolute(cwd, p), true).is_some();
        map_paths(&input.ty, value, &exists, &mut place)?;
    }
    Ok(Json::Object(out))
}

/// Rewrites every string of `value` that `ty` says is a path.
fn map_paths(
    ty: &Type,
    value: &mut Json,
    exists: &dyn Fn(&str) -> bool,
    place: &mut dyn FnMut(&str) -> Result<String>,
) -> Result<()> {
    match (ty, value) {
        (Type::File { .. } | Type::Directory { .. }, Json::String(p)) => *p = place(p)?,
        (Type::List { item, .. } | Type::MultiPath(item), Json::Array(items)) => {
            for x in items {
                map_paths(item, x, exists, place)?;
            }
        }
        // nipype accepts one value for a MultiPath: it is a list of one.
        (Type::MultiPath(item), v @ Json::String(_)) => map_paths(item, v, exists, place)?,
        (Type::Tuple(types), Json::Array(items)) => {
            for (t, x) in types.iter().zip(items) {
                map_paths(t, x, exists, place)?;
            }
        }
        (Type::Dict(item, _), Json::Object(map)) => {
            for x in map.values_mut() {
                map_paths(item, x, exists, place)?;
            }
        }
        // A string that an Either's path branch could mean is a path when it names one.
        (Type::Either(branches), Json::String(p))
            if branches.iter().any(|b| matches!(b, Type::File { .. } | Type::Directory { .. })) && exists(p) =>
        {
            *p = place(p)?
        }
        _ => {}
    }
    Ok(())
}

/// Copies (`copy`) or links `source` into `work` under its base name; the name.
fn stage_file<H: Host>(
    host: &H,
    source: &Path,
    copy: bool,
    work: &Path,
    input: &str,
    staged: &mut HashMap<String, PathBuf>,
    interface: &str,
) -> Result<String> {
    let base = source.file_name().map(|b| b.to_string_lossy().into_owned()).ok_or_else(|| {
        Error::input(ErrorKind::Path, interface, input, format!("{} has no file name", source.display()))
    })?;
    if let Some(other) = staged.get(&base) {
        if other == source {
            return Ok(base);
        }
        return Err(Error::input(
            ErrorKind::Path,
            interface,
            input,
            format!(
                "{} and {} would both be staged as '{base}' in the working directory",
                other.display(),
                source.display()
            ),
        ));
    }
    let target = work.join(&base);
    let result = if copy { copy_tree(host, source, &target) } else { host.symlink(source, &target) };
    result.map_err(|e| {
        Error::input(
            ErrorKind::Path,
            interface,
            input,
            format!(
                "cannot {} {} into the working directory: {e}",
                if copy { "copy" } else { "link" },
                source.display()
            ),
        )
    })?;
    staged.insert(base.clone(), source.to_path_buf());
    Ok(base)
}

/// The spec's `environ` input: variables added to the tool's environment.
pub(super) fn environ(bound: &Bound) -> Vec<(String, String)> {
    match bound.get("environ") {
        Some(Value::Dict(pairs)) => pairs.iter().map(|(k, v)| (k.clone(), v.py_str())).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::stays_inside;

    #[test]
    fn output_names_stay_inside_the_working_folder() {
        for ok in ["out.nii", "sub/out.nii", "./a", "a/../b", "a/b/../../c"] {
            assert!(stays_inside(ok), "{ok}");
        }
        for bad in ["../out", "/tmp/out", "a/../../b", "..", "./../x"] {
            assert!(!stays_inside(bad), "{bad}");
        }
    }
}
