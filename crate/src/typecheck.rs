//! JSON value + input type → a typed [`Value`], as traits would validate it.
//!
//! This is where JSON's loose numbers become Python's strict ones (`Float` turns
//! `1` into `1.0`, `Int` refuses `1.5` and `true`), paths are normalized as
//! `pathlib` does, `MultiPath` wraps a single value in a list, and `Either` tries
//! its branches in traits' order: the fast, C-validated ones first.

use crate::path::{file_name, normalize, PathKind, PathProbe};
use crate::spec::{RangeBound, Type};
use crate::value::{json_number, Number, Value};
use serde_json::Value as Json;

/// Why a value was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mismatch {
    /// The value is not of the type.
    Type,
    /// The value is a path of the right shape that does not exist.
    Exists(String),
}

/// Validates `json` against `ty`. `Ok(None)` means "not set" (JSON `null`, or an
/// empty `MultiPath` list).
pub fn check(ty: &Type, json: &Json, probe: &dyn PathProbe) -> Result<Option<Value>, Mismatch> {
    if json.is_null() {
        return Ok(None);
    }
    if let (Type::MultiPath(_), Json::Array(items)) = (ty, json) {
        if items.is_empty() {
            return Ok(None);
        }
    }
    coerce(ty, json, probe).map(Some)
}

fn coerce(ty: &Type, json: &Json, probe: &dyn PathProbe) -> Result<Value, Mismatch> {
    use Mismatch::Type as Bad;
    match (ty, json) {
        (Type::Any, v) => Ok(Value::from_json(v)),
        (Type::Bool, Json::Bool(b)) => Ok(Value::Bool(*b)),
        (Type::Int, Json::Number(n)) => match json_number(n) {
            v @ Value::Int(_) => Ok(v),
            _ => Err(Bad),
        },
        (Type::Float, Json::Number(n)) => Ok(Value::Float(n.as_f64().ok_or(Bad)?)),
        (Type::Str, Json::String(s)) => Ok(Value::Str(s.clone())),
        (Type::File { exists, extensions }, Json::String(s)) => {
            let p = normalize(s);
            if !extensions.is_empty() && !extensions.iter().any(|e| file_name(&p).ends_with(e.as_str())) {
                return Err(Bad);
            }
            if *exists {
                match probe.kind(&p) {
                    PathKind::File | PathKind::Unknown => {}
                    PathKind::Dir => return Err(Mismatch::Exists(format!("'{p}' is a directory, not a file"))),
                    PathKind::Missing => return Err(Mismatch::Exists(format!("file '{p}' does not exist"))),
                }
            }
            Ok(Value::Str(p))
        }
        (Type::Directory { exists }, Json::String(s)) => {
            let p = normalize(s);
            if *exists {
                match probe.kind(&p) {
                    PathKind::Dir | PathKind::Unknown => {}
                    PathKind::File => return Err(Mismatch::Exists(format!("'{p}' is a file, not a directory"))),
                    PathKind::Missing => return Err(Mismatch::Exists(format!("directory '{p}' does not exist"))),
                }
            }
            Ok(Value::Str(p))
        }
        (Type::Enum(values), v) => {
            let v = Value::from_json(v);
            if values.iter().any(|e| e.py_eq(&v)) {
                Ok(v)
            } else {
                Err(Bad)
            }
        }
        (Type::Range { low, high, int }, Json::Number(n)) => {
            let v = json_number(n);
            let num = match (&v, int) {
                (Value::Int(i), _) => Number::Int(*i),
                (Value::Float(f), false) => Number::Float(*f),
                _ => return Err(Bad),
            };
            if !in_range(num, low, high) {
                return Err(Bad);
            }
            Ok(if *int { v } else { Value::Float(num.as_f64()) })
        }
        (Type::List { item, minlen, maxlen }, Json::Array(items)) => {
            if minlen.is_some_and(|m| items.len() < m) || maxlen.is_some_and(|m| items.len() > m) {
                return Err(Bad);
            }
            Ok(Value::List(coerce_all(item, items, probe)?))
        }
        (Type::Tuple(types), Json::Array(items)) => {
            if types.len() != items.len() {
                return Err(Bad);
            }
            let mut out = Vec::with_capacity(items.len());
            for (t, v) in types.iter().zip(items) {
                out.push(coerce(t, v, probe)?);
            }
            Ok(Value::Tuple(out))
        }
        (Type::Either(branches), v) => {
            let mut missing = None;
            for b in branches.iter().filter(|b| b.is_fast()).chain(branches.iter().filter(|b| !b.is_fast())) {
                match coerce(b, v, probe) {
                    Ok(v) => return Ok(v),
                    Err(Mismatch::Exists(m)) => missing = missing.or(Some(m)),
                    Err(Bad) => {}
                }
            }
            Err(missing.map_or(Bad, Mismatch::Exists))
        }
        (Type::Dict(item, keys), Json::Object(map)) => {
            let mut out = Vec::with_capacity(map.len());
            for (k, v) in map {
                if !keys.is_empty() && !keys.contains(k) {
                    return Err(Bad);
                }
                out.push((k.clone(), coerce(item, v, probe)?));
            }
            Ok(Value::Dict(out))
        }
        (Type::MultiPath(item), v) => {
            // A list of lists is taken as a list when the item type is a List; any
            // other single value is wrapped, as nipype's InputMultiPath does.
            let nested = matches!(**item, Type::List { .. });
            match v {
                Json::Array(items) if !nested || items.first().is_some_and(Json::is_array) => {
                    Ok(Value::List(coerce_all(item, items, probe)?))
                }
                _ => Ok(Value::List(vec![coerce(item, v, probe)?])),
            }
        }
        _ => Err(Bad),
    }
}

fn coerce_all(item: &Type, items: &[Json], probe: &dyn PathProbe) -> Result<Vec<Value>, Mismatch> {
    items.iter().map(|v| coerce(item, v, probe)).collect()
}

fn in_range(v: Number, low: &Option<RangeBound>, high: &Option<RangeBound>) -> bool {
    let ok_low = low.is_none_or(|b| if b.exclusive { v > b.value } else { v >= b.value });
    let ok_high = high.is_none_or(|b| if b.exclusive { v < b.value } else { v <= b.value });
    ok_low && ok_high
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::path::NoFilesystem;
    use serde_json::json;

    fn c(ty: Type, v: Json) -> Result<Option<Value>, Mismatch> {
        check(&ty, &v, &NoFilesystem)
    }

    #[test]
    fn numbers_follow_traits() {
        assert_eq!(c(Type::Float, json!(1)), Ok(Some(Value::Float(1.0))));
        assert_eq!(c(Type::Int, json!(1.5)), Err(Mismatch::Type));
        assert_eq!(c(Type::Int, json!(true)), Err(Mismatch::Type));
        assert_eq!(c(Type::Bool, json!(1)), Err(Mismatch::Type));
    }

    #[test]
    fn either_tries_fast_branches_first() {
        let t = Type::Either(vec![Type::File { exists: false, extensions: vec![] }, Type::Str]);
        // The Str branch takes it, so the path is not normalized.
        assert_eq!(c(t, json!("./a//b")), Ok(Some(Value::Str("./a//b".into()))));
    }

    #[test]
    fn multipath_wraps_and_empty_is_unset() {
        let t = Type::MultiPath(Box::new(Type::Int));
        assert_eq!(c(t.clone(), json!(3)), Ok(Some(Value::List(vec![Value::Int(3)]))));
        assert_eq!(c(t, json!([])), Ok(None));
    }
}
