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

/// A value of `tests/vectors/fingerprint.jsonl` as fingerprint data, exactly as
/// the JS bindings would see the same value built in JavaScript (see
/// `tests/helpers.mjs`, `decodeVector`).
pub fn decode_datum(v: &Json) -> toolmemo::fingerprint::Datum {
    use toolmemo::fingerprint::Datum;
    let tagged = |tag: &str| v.as_object().filter(|o| o.len() == 1).and_then(|o| o.get(tag));
    if tagged("$undefined").is_some() {
        return Datum::Undefined;
    }
    if let Some(f) = tagged("$float") {
        return Datum::Float(f.as_str().unwrap().parse().unwrap());
    }
    if let Some(b) = tagged("$bigint") {
        return Datum::BigInt(b.as_str().unwrap().to_string());
    }
    if let Some(d) = tagged("$date") {
        return Datum::Date(d.as_f64().unwrap());
    }
    if let Some(b) = tagged("$bytes") {
        let dtype = b["dtype"].as_str().unwrap();
        let bytes: Vec<u8> = match b.get("hex") {
            Some(h) => {
                let h = h.as_str().unwrap();
                (0..h.len()).step_by(2).map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap()).collect()
            }
            None => vec![b["fill"].as_u64().unwrap() as u8; b["len"].as_u64().unwrap() as usize],
        };
        return Datum::bytes(dtype, &bytes);
    }
    if let Some(pairs) = tagged("$map") {
        let fields = pairs
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                let item = Datum::List(vec![decode_datum(&p[0]), decode_datum(&p[1])]);
                (item.key().hex(), item)
            })
            .collect();
        return Datum::Object { class: "Map".into(), fields };
    }
    if let Some(items) = tagged("$set") {
        let fields = items.as_array().unwrap().iter().map(|i| {
            let item = decode_datum(i);
            (item.key().hex(), item)
        });
        return Datum::Object { class: "Set".into(), fields: fields.collect() };
    }
    if let Some(o) = tagged("$object") {
        let fields = o["fields"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), decode_datum(v))).collect();
        return Datum::Object { class: o["class"].as_str().unwrap().to_string(), fields };
    }
    match v {
        Json::Array(items) => Datum::List(items.iter().map(decode_datum).collect()),
        Json::Object(o) => Datum::Map(o.iter().map(|(k, v)| (k.clone(), decode_datum(v))).collect()),
        other => Datum::from_json(other),
    }
}

/// Every line of a vector file that fails `check`, described.
fn failures(text: &str, check: impl Fn(&str) -> Result<(), String>) -> (usize, Vec<String>) {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    (lines.len(), lines.iter().filter_map(|l| check(l).err()).collect())
}

/// Python's `%` answers (`tests/vectors/pyfmt.jsonl`) against `pyfmt`.
pub fn check_pyfmt_vectors(text: &str) {
    let (count, bad) = failures(text, |line| {
        let v: Json = serde_json::from_str(line).unwrap();
        let fmt = v["fmt"].as_str().unwrap();
        let got = toolmemo::pyfmt::Template::parse(fmt).apply(&decode(&v["arg"]));
        match (v.get("out").and_then(Json::as_str), &got) {
            (Some(want), Ok(out)) if want == out => Ok(()),
            (None, Err(_)) => Ok(()),
            _ => Err(format!("{fmt:?} % {}: want {}, got {got:?}", v["arg"], v.get("out").unwrap_or(&v["error"]))),
        }
    });
    assert!(count > 5000, "too few vectors: {count}");
    assert!(bad.is_empty(), "{} of {count} vectors differ:\n{}", bad.len(), bad[..bad.len().min(40)].join("\n"));
}

/// Conformance-style cases (`tests/vectors/nipype-probes.jsonl`).
pub fn check_cases(text: &str, at_least: usize) {
    let (count, bad) = failures(text, run_conformance_case);
    assert!(count >= at_least, "only {count} cases");
    assert!(bad.is_empty(), "{} of {count} cases fail:\n{}", bad.len(), bad.join("\n"));
}

/// Golden keys (`tests/vectors/fingerprint.jsonl`).
pub fn check_golden_keys(text: &str) {
    let (count, bad) = failures(text, |line| {
        let v: Json = serde_json::from_str(line).unwrap();
        let key = decode_datum(&v["value"]).key().hex();
        if v["key"] == key.as_str() {
            Ok(())
        } else {
            Err(format!("{}: pinned {}, computed {key}", v["name"], v["key"]))
        }
    });
    assert!(count >= 30, "only {count} vectors");
    assert!(bad.is_empty(), "{} keys differ:\n{}", bad.len(), bad.join("\n"));
}

/// The SPM vectors (`tests/vectors/spm-realign.json`): each case's script is
/// the one nipype wrote.
pub fn check_spm_scripts(text: &str) {
    let v: Json = serde_json::from_str(text).unwrap();
    let iface = toolmemo::Interface::from_json(&v["spec"]).unwrap();
    let cases = v["cases"].as_array().unwrap();
    assert!(cases.len() >= 3, "only {} cases", cases.len());
    for c in cases {
        let got = iface.script(&c["inputs"], &toolmemo::path::NoFilesystem).unwrap();
        assert_eq!(got, c["matlab"].as_str().unwrap(), "{}", c["id"]);
    }
}
