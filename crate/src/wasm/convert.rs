//! JS values in, JS values out: JSON for specs and inputs, fingerprint data for
//! cached calls, `Error`s for failures.

use crate::fingerprint::{sha256, Datum};
use crate::{Error, ErrorKind};
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde_json::Value as Json;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// JS value → JSON. A string is JSON text; anything else is converted as is.
pub(super) fn to_json(v: &JsValue, kind: ErrorKind) -> Result<Json, JsValue> {
    let what = if kind == ErrorKind::Spec { "spec" } else { "inputs" };
    if let Some(text) = v.as_string() {
        return crate::parse_json(&text, what).map_err(to_js_error);
    }
    // Fast path: the engine's own JSON.stringify. It turns NaN, Infinity and
    // functions into null or nothing, so any `null` in its output (rare in inputs)
    // sends the value through the strict walker instead; a cycle makes it throw.
    if let Ok(text) = js_sys::JSON::stringify(v) {
        if let Some(text) = text.as_string() {
            if !text.contains("null") && !has_function(v) {
                return crate::parse_json(&text, what).map_err(to_js_error);
            }
        }
    }
    js_to_json(v, 0).map_err(|why| to_js_error(Error::new(kind, format!("{what} cannot be read as JSON data: {why}"))))
}

/// Whether a top-level member of an object is a function (JSON.stringify would
/// drop it silently; the strict walker reports it).
fn has_function(v: &JsValue) -> bool {
    v.dyn_ref::<Object>().is_some_and(|o| Object::values(o).iter().any(|x| x.is_function()))
}

/// Deeper JS values are refused (this also stops cycles).
const MAX_DEPTH: usize = 64;

/// Converts plain JS data, refusing what JSON cannot carry (NaN, functions,
/// cycles) instead of silently turning it into `null`.
fn js_to_json(v: &JsValue, depth: usize) -> Result<Json, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels (or cyclic)"));
    }
    if v.is_null() || v.is_undefined() {
        return Ok(Json::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Json::Bool(b));
    }
    if let Some(f) = v.as_f64() {
        if !f.is_finite() {
            return Err(format!("{f} is not a JSON number"));
        }
        // JS cannot tell 1.0 from 1: integral numbers are integers, as JSON.parse gives them.
        if f.fract() == 0.0 && f.abs() <= 9007199254740991.0 {
            return Ok(Json::from(f as i64));
        }
        return Ok(serde_json::Number::from_f64(f).map(Json::Number).unwrap_or(Json::Null));
    }
    if let Some(s) = v.as_string() {
        return Ok(Json::String(s));
    }
    if v.is_bigint() {
        let text = js_sys::BigInt::from(v.clone()).to_string(10).map_err(|_| "unreadable BigInt".to_string())?;
        return text
            .as_string()
            .and_then(|t| t.parse::<i64>().ok())
            .map(Json::from)
            .ok_or_else(|| "BigInt beyond 64 bits".to_string());
    }
    if Array::is_array(v) {
        return Array::from(v).iter().map(|x| js_to_json(&x, depth + 1)).collect::<Result<_, _>>().map(Json::Array);
    }
    if v.is_function() || v.is_symbol() {
        return Err("functions and symbols are not data".into());
    }
    if let Some(obj) = v.dyn_ref::<Object>() {
        let mut map = serde_json::Map::new();
        for entry in Object::entries(obj).iter() {
            let pair = Array::from(&entry);
            let key = pair.get(0).as_string().unwrap_or_default();
            map.insert(key, js_to_json(&pair.get(1), depth + 1)?);
        }
        return Ok(Json::Object(map));
    }
    Err("not JSON data".into())
}

pub(super) fn from_json(v: &Json) -> Result<JsValue, JsValue> {
    use serde::Serialize;
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}

/// The one place core errors become JS errors: an `Error` with `kind` and `input`.
pub(super) fn to_js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("ToolmemoError");
    let _ = Reflect::set(&err, &"kind".into(), &e.kind.code().into());
    let _ = Reflect::set(&err, &"input".into(), &e.input.as_deref().map_or(JsValue::NULL, JsValue::from));
    err.into()
}

#[wasm_bindgen(module = "/src/wasm/memory.js")]
extern "C" {
    #[wasm_bindgen(js_name = nodeDigest)]
    fn node_digest(view: &Uint8Array) -> JsValue;
}

/// Buffers at least this large are digested by the host when it has a native
/// sha256 (Node), instead of being copied into wasm.
const HOST_DIGEST_MIN: u32 = 64 * 1024;

/// A JS argument as fingerprint data. Refuses what has no stable content (a
/// function, a symbol, a DOM node) with the reason, for the caller to name.
pub(super) fn js_to_datum(v: &JsValue, depth: usize) -> Result<Datum, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels (or cyclic)"));
    }
    if v.is_undefined() {
        return Ok(Datum::Undefined);
    }
    if v.is_null() {
        return Ok(Datum::Null);
    }
    if let Some(b) = v.as_bool() {
        return Ok(Datum::Bool(b));
    }
    if let Some(f) = v.as_f64() {
        // JS cannot tell 1.0 from 1: integral numbers are integers, as in JSON.
        return Ok(if f.fract() == 0.0 && f.abs() <= 9007199254740991.0 {
            Datum::Int(f as i64)
        } else {
            Datum::Float(f)
        });
    }
    if let Some(s) = v.as_string() {
        return Ok(Datum::Str(s));
    }
    if v.is_bigint() {
        let digits = js_sys::BigInt::from(v.clone()).to_string(10).ok().and_then(|s| s.as_string()).unwrap_or_default();
        return Ok(digits.parse::<i64>().map(Datum::Int).unwrap_or(Datum::BigInt(digits)));
    }
    if v.is_function() {
        return Err("it is a function".into());
    }
    if v.is_symbol() {
        return Err("it is a symbol".into());
    }
    if Array::is_array(v) {
        return Array::from(v).iter().map(|x| js_to_datum(&x, depth + 1)).collect::<Result<_, _>>().map(Datum::List);
    }
    if js_sys::ArrayBuffer::is_view(v) {
        let view: &js_sys::Object = v.unchecked_ref();
        let get = |k: &str| Reflect::get(view, &k.into()).ok().and_then(|x| x.as_f64()).unwrap_or(0.0) as u32;
        let buffer = Reflect::get(view, &"buffer".into()).map_err(|_| "unreadable buffer".to_string())?;
        let bytes = Uint8Array::new_with_byte_offset_and_length(&buffer, get("byteOffset"), get("byteLength"));
        return Ok(bytes_datum(&dtype_of(v), &bytes));
    }
    if v.is_instance_of::<js_sys::ArrayBuffer>() {
        return Ok(bytes_datum("arraybuffer", &Uint8Array::new(v)));
    }
    if let Some(d) = v.dyn_ref::<js_sys::Date>() {
        return Ok(Datum::Date(d.get_time()));
    }
    if let Some(map) = v.dyn_ref::<js_sys::Map>() {
        let mut fields = Vec::new();
        for pair in map.entries().into_iter().flatten() {
            let pair = Array::from(&pair);
            let item = Datum::List(vec![js_to_datum(&pair.get(0), depth + 1)?, js_to_datum(&pair.get(1), depth + 1)?]);
            fields.push((item.key().hex(), item));
        }
        return Ok(Datum::Object { class: "Map".into(), fields });
    }
    if let Some(set) = v.dyn_ref::<js_sys::Set>() {
        let mut fields = Vec::new();
        for item in set.values().into_iter().flatten() {
            let item = js_to_datum(&item, depth + 1)?;
            fields.push((item.key().hex(), item));
        }
        return Ok(Datum::Object { class: "Set".into(), fields });
    }
    let obj: &Object = v.dyn_ref().ok_or_else(|| "it is not data".to_string())?;
    if Reflect::get(obj, &"nodeType".into()).ok().is_some_and(|t| t.as_f64().is_some()) {
        return Err("it is a DOM node".into());
    }
    let mut fields = Vec::new();
    for key in Object::keys(obj).iter() {
        let name = key.as_string().unwrap_or_default();
        let value = Reflect::get(obj, &key).map_err(|_| format!("property '{name}' cannot be read"))?;
        fields.push((name.clone(), js_to_datum(&value, depth + 1).map_err(|why| format!("property '{name}': {why}"))?));
    }
    let proto = Object::get_prototype_of(obj);
    if proto.is_null() || proto == Object::get_prototype_of(&Object::new()) {
        return Ok(Datum::Map(fields));
    }
    let class = Reflect::get(&proto, &"constructor".into())
        .ok()
        .and_then(|c| Reflect::get(&c, &"name".into()).ok())
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    Ok(Datum::Object { class, fields })
}

/// `uint8`, `float64`, … from the view's constructor name (`dataview` for a DataView).
fn dtype_of(v: &JsValue) -> String {
    let name = Reflect::get(v, &"constructor".into())
        .ok()
        .and_then(|c| Reflect::get(&c, &"name".into()).ok())
        .and_then(|n| n.as_string())
        .unwrap_or_default();
    match name.as_str() {
        "Buffer" => "uint8".into(),
        other => other.trim_end_matches("Array").to_ascii_lowercase(),
    }
}

/// A buffer by digest: the host's sha256 for large ones under Node, else ours,
/// streamed in 1 MiB copies so a large buffer is never duplicated whole.
fn bytes_datum(dtype: &str, bytes: &Uint8Array) -> Datum {
    let len = bytes.length();
    if len >= HOST_DIGEST_MIN {
        let d = node_digest(bytes);
        if let Some(d) = d.dyn_ref::<Uint8Array>().filter(|d| d.length() == 32) {
            let mut digest = [0u8; 32];
            d.copy_to(&mut digest);
            return Datum::Bytes { dtype: dtype.into(), len: len as u64, digest };
        }
    }
    if len < HOST_DIGEST_MIN {
        return Datum::Bytes { dtype: dtype.into(), len: len as u64, digest: sha256(&bytes.to_vec()) };
    }
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    let mut chunk = vec![0u8; 1 << 20];
    let mut at = 0;
    while at < len {
        let n = (len - at).min(chunk.len() as u32);
        bytes.subarray(at, at + n).copy_to(&mut chunk[..n as usize]);
        hasher.update(&chunk[..n as usize]);
        at += n;
    }
    Datum::Bytes { dtype: dtype.into(), len: len as u64, digest: hasher.finalize().into() }
}

/// An estimate of the memory a JS value holds, for byte limits.
pub(super) fn estimate_size(v: &JsValue, depth: usize) -> u64 {
    if depth > MAX_DEPTH {
        return 0;
    }
    if let Some(s) = v.as_string() {
        return 2 * s.len() as u64 + 16;
    }
    if v.is_null() || v.is_undefined() || v.as_bool().is_some() || v.as_f64().is_some() {
        return 8;
    }
    if js_sys::ArrayBuffer::is_view(v) || v.is_instance_of::<js_sys::ArrayBuffer>() {
        return Reflect::get(v, &"byteLength".into()).ok().and_then(|b| b.as_f64()).unwrap_or(0.0) as u64 + 64;
    }
    if Array::is_array(v) {
        return 16 + Array::from(v).iter().map(|x| estimate_size(&x, depth + 1)).sum::<u64>();
    }
    if let Some(obj) = v.dyn_ref::<Object>() {
        return 32
            + Object::entries(obj)
                .iter()
                .map(|e| {
                    let e = Array::from(&e);
                    estimate_size(&e.get(0), depth + 1) + estimate_size(&e.get(1), depth + 1)
                })
                .sum::<u64>();
    }
    16
}
