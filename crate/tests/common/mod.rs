//! Helpers shared by the vector tests, natively and in wasm.

#![allow(dead_code)]

use serde_json::Value as Json;
use toolmemo::path::FileSet;
use toolmemo::{Interface, Value};

/// A value of `tests/vectors/*.jsonl`, which spell Python's types out:
/// `{"$tuple": [...]}`, `{"$float": "inf"}`, `{"$dict": {...}}`.
pub fn decode(v: &Json) -> Value {
    match v {
        Json::Array(items) => Value::List(items.iter().map(decode).collect()),
        Json::Object(o) if o.contains_key("$tuple") => {
            Value::Tuple(o["$tuple"].as_array().unwrap().iter().map(decode).collect())
        }
        Json::Object(o) if o.contains_key("$float") => Value::Float(o["$float"].as_str().unwrap().parse().unwrap()),
        Json::Object(o) if o.contains_key("$dict") => {
            Value::Dict(o["$dict"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), decode(v))).collect())
        }
        other => Value::from_json(other),
    }
}

/// Runs one conformance case (`shared/conformance/*.jsonl`) in memory, the
/// case's files declared to a [`FileSet`]. `Err` describes a mismatch.
pub fn run_conformance_case(line: &str) -> Result<(), String> {
    let case: Json = serde_json::from_str(line).map_err(|e| format!("bad case: {e}"))?;
    let id = case["id"].as_str().unwrap_or("?");
    let files = FileSet::new(case["files"].as_array().into_iter().flatten().filter_map(Json::as_str));
    let got = Interface::from_json(&case["spec"]).and_then(|i| i.cmdline(&case["inputs"], &files));
    let validated = Interface::from_json(&case["spec"]).map(|i| i.validate(&case["inputs"], &files));
    match (case.get("cmdline").and_then(Json::as_str), got) {
        (Some(want), Ok(line)) if line == want => {
            if let Ok(errs) = validated {
                if !errs.is_empty() {
                    return Err(format!("{id}: cmdline works but validate reports {errs:?}"));
                }
            }
            Ok(())
        }
        (Some(want), Ok(line)) => Err(format!("{id}: expected {want:?}\n      got {line:?}")),
        (Some(want), Err(e)) => Err(format!("{id}: expected {want:?}, got error[{}]: {}", e.kind, e.message)),
        (None, Ok(line)) => Err(format!("{id}: expected error[{}], got {line:?}", case["error"])),
        (None, Err(e)) => {
            let want = case["error"].as_str().unwrap_or("?");
            if e.kind.code() != want {
                return Err(format!("{id}: expected error[{want}], got error[{}]: {}", e.kind, e.message));
            }
            match validated {
                Ok(errs) if errs.first().map(|f| f.kind) == Some(e.kind) => Ok(()),
                // A spec that does not parse has nothing to validate against.
                Err(spec_err) if spec_err == e => Ok(()),
                other => Err(format!("{id}: validate's first error differs from cmdline's: {other:?}")),
            }
        }
    }
}
