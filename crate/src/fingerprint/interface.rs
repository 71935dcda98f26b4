//! The key of an interface run: what runs (the spec, less its prose) and with
//! what (the effective inputs, files by content).
//!
//! Descriptions do not change a run, so `desc` is left out: editing help text
//! keeps the cache. Everything else of the spec does (command, version, every
//! input's type and rendering metadata), as do the inputs' values. Files named
//! by inputs enter by content, except inputs with `hash_files: false` (outputs
//! named by the user) which enter by path only.

use super::{Datum, FileHasher, FileId, HashMethod, Key};
use crate::bind::Bound;
use crate::error::Result;
use crate::spec::{Spec, Type};
use crate::value::Value;

/// An interface key and its components, so `explain` can show why two calls differ.
#[derive(Debug, Clone, PartialEq)]
pub struct InterfaceKey {
    pub key: Key,
    /// The key of the spec part alone.
    pub spec: Key,
    /// Each effective input and the key of its datum, in name order.
    pub inputs: Vec<(String, Key)>,
    /// Each effective input as keyed (files with their identity), for sidecars.
    pub data: Vec<(String, Datum)>,
}

/// The key for running `bound`'s interface with `bound`'s inputs.
pub fn interface_key(bound: &Bound, files: &dyn FileHasher, method: HashMethod) -> Result<InterfaceKey> {
    let spec = bound.spec();
    let spec_datum = spec_datum(spec);
    let mut inputs = Vec::new();
    for (i, input) in spec.inputs.iter().enumerate() {
        let Some(value) = &bound.values[i] else { continue };
        let datum = if input.hash_files { typed(&input.ty, value, files, method)? } else { Datum::from_value(value) };
        inputs.push((input.name.clone(), datum));
    }
    let components = inputs.iter().map(|(n, d)| (n.clone(), d.key())).collect();
    let spec_key = spec_datum.key();
    // The command line itself too: a dict value renders in its insertion order
    // (Python's `str`), which the inputs' map, sorted by key, does not keep.
    // An SPM interface's batch script instead, without the rendering folder
    // (it is always the run's own working folder).
    let rendered = match spec.matlab {
        None => ("argv", Datum::List(bound.argv()?.into_iter().map(Datum::Str).collect())),
        Some(_) => {
            let unplaced = Bound { cwd: None, ..bound.clone() };
            ("script", Datum::Str(unplaced.script()?))
        }
    };
    let mut whole = Datum::Map(vec![
        ("kind".into(), Datum::Str("interface".into())),
        ("spec".into(), spec_datum),
        (rendered.0.into(), rendered.1),
        ("inputs".into(), Datum::Map(inputs)),
    ]);
    let key = whole.key();
    let Datum::Map(parts) = &mut whole else { unreachable!("built as a map") };
    let Some((_, Datum::Map(data))) = parts.pop() else { unreachable!("inputs come last") };
    Ok(InterfaceKey { key, spec: spec_key, inputs: components, data })
}

/// The spec as data, without descriptions. Inputs and outputs enter as maps
/// by name, as a spec writes them: the order in which a spec declares them
/// changes neither the command line nor the run, so it must not change the key.
fn spec_datum(spec: &Spec) -> Datum {
    let mut json = spec.to_json();
    for part in ["inputs", "outputs"] {
        if let Some(items) = json.get_mut(part).and_then(|v| v.as_array_mut()) {
            let mut by_name = serde_json::Map::new();
            for item in items.drain(..) {
                if let serde_json::Value::Object(mut obj) = item {
                    obj.remove("desc");
                    let name = obj.get("name").and_then(|n| n.as_str()).unwrap_or_default().to_string();
                    by_name.insert(name, serde_json::Value::Object(obj));
                }
            }
            json[part] = serde_json::Value::Object(by_name);
        }
    }
    Datum::from_json(&json)
}

/// A value of type `ty`, with the files it names identified by `files`.
fn typed(ty: &Type, v: &Value, files: &dyn FileHasher, method: HashMethod) -> Result<Datum> {
    Ok(match (ty, v) {
        (Type::File { .. } | Type::Directory { .. }, Value::Str(p)) => {
            Datum::File { path: p.clone(), id: files.identify(p, method)? }
        }
        (Type::List { item, .. } | Type::MultiPath(item), Value::List(items)) => {
            Datum::List(items.iter().map(|x| typed(item, x, files, method)).collect::<Result<_>>()?)
        }
        (Type::Tuple(types), Value::Tuple(items)) if types.len() == items.len() => {
            Datum::Tuple(types.iter().zip(items).map(|(t, x)| typed(t, x, files, method)).collect::<Result<_>>()?)
        }
        (Type::Dict(item, _), Value::Dict(pairs)) => Datum::Map(
            pairs.iter().map(|(k, x)| Ok((k.clone(), typed(item, x, files, method)?))).collect::<Result<_>>()?,
        ),
        // A string that an Either's path branch could mean is a file when it names one.
        (Type::Either(branches), Value::Str(p))
            if branches.iter().any(|b| matches!(b, Type::File { .. } | Type::Directory { .. })) =>
        {
            match files.identify(p, method)? {
                FileId::PathOnly => Datum::Str(p.clone()),
                id => Datum::File { path: p.clone(), id },
            }
        }
        _ => Datum::from_value(v),
    })
}
