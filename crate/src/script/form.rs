//! nipype's `_format_arg` idioms for SPM: a value made a piece of the job.
//!
//! Each `field_form` names one idiom that recurs across nipype's SPM
//! interfaces (`scans_for_fname`, `np.array(val, dtype=object)`, a tuple made
//! a dict…); without one, the base class's rule applies (a `Bool` input
//! becomes `1`/`0`, a `Tuple` input a list).

use super::job::{CellItem, Node};
use crate::bind::Bound;
use crate::error::{Error, ErrorKind, Result};
use crate::spec::{FieldForm, Input, Type};
use crate::value::Value;

/// The value after the input's `value_map` (a scalar whose text is a key).
pub(super) fn mapped(input: &Input, value: &Value) -> Value {
    if matches!(value, Value::List(_) | Value::Tuple(_) | Value::Dict(_)) {
        return value.clone();
    }
    match crate::names::value_map_entry(&input.value_map, value) {
        Some(replacement) => replacement.resolve().unwrap_or(Value::None),
        None => value.clone(),
    }
}

/// An input's value at its field.
pub(super) fn format(bound: &Bound, input: &Input, value: &Value) -> Result<Node> {
    match &input.field_form {
        Some(form) => apply(bound, form, value, &input.name),
        None => Ok(Node::Value(match (&input.ty, value) {
            (Type::Bool, Value::Bool(b)) => Value::Int(*b as i64),
            (Type::Tuple(_), Value::Tuple(items)) => Value::List(items.clone()),
            _ => value.clone(),
        })),
    }
}

/// A value as a list (nipype's `ensure_list`): a list or tuple's items, else itself.
pub(super) fn as_list(v: &Value) -> &[Value] {
    match v {
        Value::List(items) | Value::Tuple(items) => items,
        other => std::slice::from_ref(other),
    }
}

/// `value` written with `form`; `what` names the input in errors.
pub(super) fn apply(bound: &Bound, form: &FieldForm, value: &Value, what: &str) -> Result<Node> {
    let unsupported =
        |why: &str| Error::input(ErrorKind::Unsupported, &bound.spec().name, what, format!("input '{what}': {why}"));
    // nipype opens an image given outside a session list to count its volumes.
    let opens_image = || {
        unsupported("a session given as one file (not a list of files) is an image whose volumes nipype counts by opening it; toolmemo does not open images: give each session as a list")
    };
    Ok(match form {
        FieldForm::Cell => Node::Cell(cell_items(value)),
        FieldForm::Scans => Node::Cell(as_list(value).iter().map(scan).collect()),
        FieldForm::Sessions | FieldForm::Sessions4d | FieldForm::ScansConcat => {
            let sessions = as_list(value);
            if !matches!(sessions.first(), Some(Value::List(_) | Value::Tuple(_))) {
                return Err(opens_image());
            }
            let mut cells = Vec::with_capacity(sessions.len());
            let mut all = Vec::new();
            for session in sessions {
                match (form, session) {
                    (FieldForm::Sessions4d, Value::List(files) | Value::Tuple(files)) => {
                        cells.push(CellItem::Cell(files.iter().cloned().map(CellItem::Value).collect()))
                    }
                    (FieldForm::Sessions4d, file) => cells.push(CellItem::Cell(vec![CellItem::Value(file.clone())])),
                    (FieldForm::Sessions, Value::List(files) | Value::Tuple(files)) => {
                        cells.push(CellItem::Cell(files.iter().map(scan).collect()))
                    }
                    (_, Value::List(files) | Value::Tuple(files)) => all.extend(files.iter().map(scan)),
                    _ => return Err(opens_image()),
                }
            }
            Node::Cell(if matches!(form, FieldForm::ScansConcat) { all } else { cells })
        }
        FieldForm::List => Node::Value(Value::List(as_list(value).to_vec())),
        FieldForm::Int => Node::Value(int(value)),
        FieldForm::Join => {
            let parts: Vec<String> = as_list(value).iter().map(Value::py_str).collect();
            Node::Cell(vec![CellItem::Value(Value::Str(parts.join(",")))])
        }
        FieldForm::Struct(parts) => {
            let tuples: Vec<&Value> = match value {
                Value::List(items) => items.iter().collect(),
                one => vec![one],
            };
            let mut structs = Vec::with_capacity(tuples.len());
            for t in tuples {
                let mut fields = Vec::with_capacity(parts.len());
                for part in parts {
                    let mut v = t;
                    for &i in &part.item {
                        v = as_list(v).get(i).ok_or_else(|| {
                            unsupported(&format!("an item has no element {i} for field '{}'", part.name))
                        })?;
                    }
                    let node = match &part.form {
                        Some(f) => apply(bound, f, v, what)?,
                        None => Node::Value(v.clone()),
                    };
                    fields.push((part.name.clone(), node));
                }
                structs.push(Node::Struct(fields));
            }
            Node::List(structs)
        }
        FieldForm::CellStr => Node::Text(match value {
            Value::List(items) => {
                let quoted: Vec<String> = items.iter().map(|i| format!("'{}'", i.py_str())).collect();
                format!("{{{}}}", quoted.join("\n"))
            }
            one => format!("{{{}}}", one.py_str()),
        }),
        FieldForm::Rename(names) => {
            let one = |v: &Value| match v {
                Value::Dict(pairs) => Ok(Node::Struct(
                    pairs
                        .iter()
                        .map(|(k, x)| {
                            let name = names.iter().find(|(from, _)| from == k).map_or(k, |(_, to)| to);
                            (name.clone(), Node::Value(x.clone()))
                        })
                        .collect(),
                )),
                other => Err(unsupported(&format!("expected a dict to rename the keys of, got {}", other.type_name()))),
            };
            match value {
                Value::List(items) => Node::List(items.iter().map(one).collect::<Result<_>>()?),
                single => one(single)?,
            }
        }
        FieldForm::Switch { input, cases, default } => {
            let text = bound.get(input).map(crate::names::value_text);
            let chosen = cases.iter().find(|(k, _)| Some(k.as_str()) == text.as_deref()).map_or(&**default, |(_, f)| f);
            apply(bound, chosen, value, what)?
        }
    })
}

/// `file,1`: the first volume of an image, as SPM names it.
fn scan(v: &Value) -> CellItem {
    CellItem::Value(Value::Str(format!("{},1", v.py_str())))
}

/// Booleans as integers, each item of a list too.
fn int(v: &Value) -> Value {
    match v {
        Value::Bool(b) => Value::Int(*b as i64),
        Value::List(items) | Value::Tuple(items) => Value::List(items.iter().map(int).collect()),
        other => other.clone(),
    }
}

/// `np.array(val, dtype=object)`: a list of equally long lists is a 2-D array
/// (a cell of cells); other lists are one-dimensional; a single value is one item.
fn cell_items(v: &Value) -> Vec<CellItem> {
    let items = as_list(v);
    let rows = items.iter().map(|i| match i {
        Value::List(x) | Value::Tuple(x) => Some(x.len()),
        _ => None,
    });
    let rectangular = {
        let lens: Vec<Option<usize>> = rows.collect();
        !lens.is_empty() && lens.iter().all(|l| l.is_some() && *l == lens[0])
    };
    items.iter().map(|i| if rectangular { CellItem::Cell(cell_items(i)) } else { CellItem::Value(i.clone()) }).collect()
}
