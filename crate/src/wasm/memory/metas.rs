//! Entries' metadata into JS objects, those of `Meta`'s JSON form field for
//! field, for the tens of thousands a reduction or a listing returns at once.
//!
//! JSON was the way (one text, parsed by the engine): 2.5 MB for 10,000
//! entries, a quarter of a Node reduction between writing and parsing it. The
//! fields now cross as two columns, the strings joined by NUL and the numbers
//! as one `Float64Array`, and `metasFromColumns` (`metas.js`) builds the
//! objects. A string that holds a NUL itself sends the lot as JSON, and so
//! do browser builds: their listings are short and their download is not.

#[cfg(feature = "node-fs")]
use crate::fingerprint::push_hex;
use crate::memory::Meta;
use wasm_bindgen::prelude::*;

#[cfg(feature = "node-fs")]
#[wasm_bindgen(module = "/src/wasm/metas.js")]
extern "C" {
    #[wasm_bindgen(js_name = metasFromColumns)]
    fn metas_from_columns(text: &str, numbers: &[f64]) -> JsValue;
}

/// Strings per entry: key, kind, name, last run, format, code (`-` for none,
/// else `+` and the code), args (empty for none), sidecar as JSON.
#[cfg(feature = "node-fs")]
const STRINGS: usize = 8;

/// The metadata as JS objects.
#[cfg(not(feature = "node-fs"))]
pub(super) fn metas_to_js(metas: &[Meta]) -> Result<JsValue, JsValue> {
    as_json(metas)
}

/// The metadata as JS objects.
#[cfg(feature = "node-fs")]
pub(super) fn metas_to_js(metas: &[Meta]) -> Result<JsValue, JsValue> {
    let mut text = String::with_capacity(metas.len() * 160);
    let mut numbers = Vec::with_capacity(metas.len() * 5);
    // Written in place: a reduction returns tens of thousands, mostly with
    // no code, no arguments and no sidecar.
    for m in metas {
        push_hex(&mut text, &m.key.0);
        text.push('\0');
        for s in [m.kind.as_str(), &m.name, &m.last_run, &m.format] {
            text.push_str(s);
            text.push('\0');
        }
        match &m.code {
            Some(c) => {
                text.push('+');
                text.push_str(c);
            }
            None => text.push('-'),
        }
        text.push('\0');
        if let Some(k) = &m.args {
            push_hex(&mut text, &k.0);
        }
        text.push('\0');
        match &m.sidecar {
            serde_json::Value::Null => text.push_str("null"),
            v => text.push_str(&serde_json::to_string(v).expect("JSON is JSON")),
        }
        text.push('\0');
        numbers.extend([m.created_ms, m.last_access_ms, m.hits as f64, m.bytes as f64, m.duration_ms]);
    }
    if text.bytes().filter(|b| *b == 0).count() != metas.len() * STRINGS {
        return as_json(metas);
    }
    Ok(metas_from_columns(&text, &numbers))
}

/// One JSON text, parsed by the engine.
fn as_json(metas: &[Meta]) -> Result<JsValue, JsValue> {
    js_sys::JSON::parse(&serde_json::to_string(metas).expect("metadata is JSON"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fingerprint::Key;
    use crate::memory::Kind;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// What the objects were before: the engine's parse of the JSON form.
    fn via_json(metas: &[Meta]) -> String {
        let v = js_sys::JSON::parse(&serde_json::to_string(metas).unwrap()).unwrap();
        js_sys::JSON::stringify(&v).unwrap().into()
    }

    #[wasm_bindgen_test]
    fn the_columns_give_the_objects_of_the_json_form() {
        let mut a = Meta::blank(Key([7; 32]));
        a.name = "fit/é ☃".into();
        a.created_ms = 1_796_184_650_758.25;
        a.last_access_ms = 1_796_184_650_759.0;
        a.last_run = "run-1".into();
        a.hits = 3;
        a.bytes = 1 << 40;
        a.duration_ms = f64::NAN;
        a.code = Some(String::new());
        a.args = Some(Key([9; 32]));
        a.sidecar = serde_json::json!({"x": [1, "two", null], "y": {"z": 1.5}});
        a.format = "json".into();
        let mut b = Meta::blank(Key([0; 32]));
        b.kind = Kind::Interface;
        b.code = Some("v:2 \"q\"".into());
        b.duration_ms = f64::INFINITY;
        let mut with_nul = b.clone();
        with_nul.name = "a\0b".into();
        for metas in [vec![], vec![a.clone(), b.clone()], vec![a, b, with_nul]] {
            let got = js_sys::JSON::stringify(&metas_to_js(&metas).unwrap()).unwrap();
            assert_eq!(String::from(got), via_json(&metas));
        }
    }
}
