//! Inputs → checked values: nipype's "set the inputs, then ask for `.cmdline`".
//!
//! nipype checks inputs at two moments, and the order decides which error a user
//! sees first. Setting an input (in the order given) type-checks it, refuses a
//! deprecated one, and raises `xor` if a partner is already defined — a partner
//! with `usedefault` always is. Asking for the command line then checks, input by
//! input in declaration order, that mandatory ones (or one of their `xor`
//! partners) are set and that `requires` hold. [`bind`] replays both moments;
//! it stops at the first error or, for `validate`, collects them all.

use crate::error::{Error, ErrorKind, Result};
use crate::path::PathProbe;
use crate::spec::{Input, Spec};
use crate::typecheck::{check, Mismatch};
use crate::value::Value;
use crate::version::compare_versions;
use serde_json::Value as Json;
use std::cmp::Ordering;

/// Inputs that passed every check: the effective value of each input (set, or
/// its default under `usedefault`), indexed like `Spec::inputs`.
#[derive(Debug, Clone)]
pub struct Bound<'s> {
    pub(crate) spec: &'s Spec,
    pub(crate) values: Vec<Option<Value>>,
    /// The folder the command line is rendered in, if known (`absolute` names).
    pub(crate) cwd: Option<String>,
}

impl<'s> Bound<'s> {
    /// The effective value of an input, if it is defined.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.spec.input_index(name).and_then(|i| self.values[i].as_ref())
    }

    pub(crate) fn defined(&self, i: usize) -> bool {
        self.values[i].is_some()
    }

    /// The spec these values were checked against.
    pub fn spec(&self) -> &'s Spec {
        self.spec
    }

    /// The checked values and the rendering folder, to keep without borrowing
    /// the spec (the wasm edge).
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn into_parts(self) -> (Vec<Option<Value>>, Option<String>) {
        (self.values, self.cwd)
    }

    /// What `into_parts` gave, with the same spec.
    #[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
    pub(crate) fn from_parts(spec: &'s Spec, values: Vec<Option<Value>>, cwd: Option<String>) -> Self {
        debug_assert_eq!(values.len(), spec.inputs.len());
        Bound { spec, values, cwd }
    }
}

/// Where errors go: the first one stops binding, unless all are wanted.
pub(crate) struct Sink {
    pub all: bool,
    pub errors: Vec<Error>,
}

/// Returned by [`Sink::push`] when binding must stop.
pub(crate) struct Stop;

impl Sink {
    pub fn push(&mut self, e: Error) -> std::result::Result<(), Stop> {
        self.errors.push(e);
        if self.all {
            Ok(())
        } else {
            Err(Stop)
        }
    }
}

/// Checks `inputs` (a JSON object) against `spec`; see the module comment.
pub fn bind<'s>(spec: &'s Spec, inputs: &Json, probe: &dyn PathProbe) -> Result<Bound<'s>> {
    let mut sink = Sink { all: false, errors: Vec::new() };
    match bind_into(spec, inputs, probe, &mut sink) {
        Ok(b) if sink.errors.is_empty() => Ok(b),
        _ => Err(sink.errors.remove(0)),
    }
}

pub(crate) fn bind_into<'s>(
    spec: &'s Spec,
    inputs: &Json,
    probe: &dyn PathProbe,
    sink: &mut Sink,
) -> std::result::Result<Bound<'s>, Stop> {
    let mut b = Bound {
        spec,
        values: spec.inputs.iter().map(|i| effective_default(spec, i)).collect(),
        cwd: if spec.needs_working_dir() { probe.working_dir() } else { None },
    };
    let Some(map) = inputs.as_object() else {
        sink.push(Error::new(
            ErrorKind::Input,
            format!("{}: inputs must be a JSON object of input names to values", spec.name),
        ))?;
        return Ok(b);
    };
    for (name, json) in map {
        set_input(&mut b, name, json, probe, sink)?;
    }
    check_mandatory(&b, sink)?;
    check_versions(&b, map, sink)?;
    Ok(b)
}

/// The value an input holds before anything is set: its default under
/// `usedefault`, unless the tool's version is outside the input's bounds.
fn effective_default(spec: &Spec, input: &Input) -> Option<Value> {
    if !input.usedefault || version_problem(spec, input).is_some() {
        return None;
    }
    input.default.clone().or_else(|| input.ty.implicit_default())
}

fn set_input(
    b: &mut Bound,
    name: &str,
    json: &Json,
    probe: &dyn PathProbe,
    sink: &mut Sink,
) -> std::result::Result<(), Stop> {
    let spec = b.spec;
    let Some(i) = spec.input_index(name) else {
        return sink.push(Error::input(
            ErrorKind::Input,
            &spec.name,
            name,
            format!("'{name}' is not an input of {}{}", spec.name, suggestion(spec, name)),
        ));
    };
    let input = &spec.inputs[i];
    let value = match check(&input.ty, json, probe) {
        Ok(v) => v,
        Err(Mismatch::Type) => {
            return sink.push(type_error(spec, input, json));
        }
        Err(Mismatch::Exists(why)) => {
            return sink.push(Error::input(
                ErrorKind::Exists,
                &spec.name,
                name,
                format!("input '{name}' must name an existing path, but {why}"),
            ));
        }
    };
    // `null` leaves the input as it is (unset, or its default).
    let Some(value) = value else {
        return Ok(());
    };
    // traits notifies only on a change: re-setting the current value checks nothing.
    if b.values[i].as_ref().is_some_and(|cur| cur.py_eq(&value)) {
        b.values[i] = Some(value);
        return Ok(());
    }
    for &p in &input.links.xor {
        if p != i && b.defined(p) {
            let other = &spec.inputs[p].name;
            return sink.push(Error::input(
                ErrorKind::Xor,
                &spec.name,
                name,
                format!("input '{name}' is mutually exclusive with input '{other}', which is already set"),
            ));
        }
    }
    if let Some(dep) = &input.deprecated {
        let instead = input.new_name.as_deref().map(|n| format!("; use '{n}' instead")).unwrap_or_default();
        if is_removed(spec, dep) {
            return sink.push(Error::input(
                ErrorKind::Deprecated,
                &spec.name,
                name,
                format!("input '{name}' is deprecated from version {dep} on{instead}"),
            ));
        }
        if let Some(n) = input.links.new_name {
            // nipype moves the value over without checking the new input's xor.
            b.values[i] = None;
            b.values[n] = Some(value);
            return Ok(());
        }
    }
    b.values[i] = Some(value);
    Ok(())
}

/// The nipype release whose interfaces a spec without `version` is judged as.
const NIPYPE_VERSION: &str = "1.12.0";

/// Whether a deprecated input may no longer be set: from the spec's `version`
/// on, or, without one, when deprecated before the nipype release the format
/// mirrors (nipype compares with its own version).
fn is_removed(spec: &Spec, deprecated: &str) -> bool {
    match spec.version.as_deref() {
        Some(v) => compare_versions(v, deprecated) != Ordering::Less,
        None => compare_versions(deprecated, NIPYPE_VERSION) == Ordering::Less,
    }
}

/// nipype's `_check_version_requirements`, run after the mandatory checks:
/// inputs that were set outside their `min_ver`/`max_ver`.
fn check_versions(b: &Bound, set: &serde_json::Map<String, Json>, sink: &mut Sink) -> std::result::Result<(), Stop> {
    let spec = b.spec;
    for &i in &spec.declared {
        let input = &spec.inputs[i];
        if !b.defined(i) || !set.contains_key(&input.name) {
            continue;
        }
        if let Some(why) = version_problem(spec, input) {
            sink.push(Error::input(ErrorKind::Version, &spec.name, &input.name, why))?;
        }
    }
    Ok(())
}

fn type_error(spec: &Spec, input: &Input, json: &Json) -> Error {
    let shown = Value::from_json(json);
    Error::input(
        ErrorKind::Type,
        &spec.name,
        &input.name,
        format!(
            "input '{}' must be {}, but a value of {} <class '{}'> was specified",
            input.name,
            input.ty.describe(),
            shown.py_repr(),
            shown.type_name()
        ),
    )
}

/// Why `input` may not be used with the spec's tool version, if it may not.
fn version_problem(spec: &Spec, input: &Input) -> Option<String> {
    let version = spec.version.as_deref()?;
    if let Some(min) = &input.min_ver {
        if compare_versions(version, min) == Ordering::Less {
            return Some(format!(
                "input '{}' needs version {min} or later of the tool, which is version {version}",
                input.name
            ));
        }
    }
    if let Some(max) = &input.max_ver {
        if compare_versions(version, max) == Ordering::Greater {
            return Some(format!(
                "input '{}' is only available up to version {max} of the tool, which is version {version}",
                input.name
            ));
        }
    }
    None
}

/// nipype's `_check_mandatory_inputs`: mandatory inputs in declaration order
/// (with their `requires`), then the `requires` of inputs that do not say
/// `mandatory` at all.
fn check_mandatory(b: &Bound, sink: &mut Sink) -> std::result::Result<(), Stop> {
    let spec = b.spec;
    for &i in spec.declared.iter().filter(|&&i| spec.inputs[i].mandatory == Some(true)) {
        let input = &spec.inputs[i];
        let xor = &input.links.xor;
        if !b.defined(i) {
            if !input.links.xor_given {
                sink.push(Error::input(
                    ErrorKind::Mandatory,
                    &spec.name,
                    &input.name,
                    format!("input '{}' is mandatory (see help)", input.name),
                ))?;
            } else if !xor.is_empty() && !xor.iter().any(|&p| b.defined(p)) {
                sink.push(Error::input(
                    ErrorKind::Mandatory,
                    &spec.name,
                    &input.name,
                    format!("one of the inputs '{}' is mandatory (see help)", input.xor.join("', '")),
                ))?;
            }
            continue;
        }
        check_requires(b, i, sink)?;
    }
    for &i in spec.declared.iter().filter(|&&i| spec.inputs[i].mandatory.is_none()) {
        if b.defined(i) {
            check_requires(b, i, sink)?;
        }
    }
    Ok(())
}

fn check_requires(b: &Bound, i: usize, sink: &mut Sink) -> std::result::Result<(), Stop> {
    let spec = b.spec;
    let input = &spec.inputs[i];
    let missing: Vec<&str> =
        input.links.requires.iter().filter(|&&r| !b.defined(r)).map(|&r| spec.inputs[r].name.as_str()).collect();
    if missing.is_empty() {
        return Ok(());
    }
    sink.push(Error::input(
        ErrorKind::Requires,
        &spec.name,
        &input.name,
        format!(
            "input '{}' requires {} '{}', which {} not set",
            input.name,
            if missing.len() > 1 { "inputs" } else { "input" },
            missing.join("', '"),
            if missing.len() > 1 { "are" } else { "is" }
        ),
    ))
}

/// ` (did you mean 'x'?)` for a name close to an existing input.
fn suggestion(spec: &Spec, name: &str) -> String {
    spec.inputs
        .iter()
        .map(|i| (edit_distance(&i.name, name), &i.name))
        .filter(|(d, n)| *d <= 2.max(n.len() / 4))
        .min()
        .map(|(_, n)| format!(" (did you mean '{n}'?)"))
        .unwrap_or_default()
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + (ca != *cb) as usize).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}
