//! Entries' metadata into JS objects, those of `Meta`'s JSON form field for
//! field, for the tens of thousands a reduction or a listing returns at once.
//!
//! JSON was the way (one text, parsed by the engine): 2.5 MB for 10,000
//! entries, a quarter of a Node reduction between writing and parsing it. The
//! fields now cross as columns ([`Columns`]) and `metasFromColumns`
//! (`metas.js`) builds the objects. A string that holds a NUL itself sends
//! the lot as JSON, and so do browser builds: their listings are short and
//! their download is not.

use crate::memory::Meta;
use wasm_bindgen::prelude::*;

#[cfg(feature = "node-fs")]
#[wasm_bindgen(module = "/src/wasm/metas.js")]
extern "C" {
    #[wasm_bindgen(js_name = metasFromColumns)]
    fn metas_from_columns(keys: &[u8], table: &str, runs: &[u32], numbers: &[f64]) -> JsValue;
}

/// The metadata as JS objects.
#[cfg(not(feature = "node-fs"))]
pub(super) fn metas_to_js(metas: &[Meta]) -> Result<JsValue, JsValue> {
    as_json(metas)
}

/// The metadata as JS objects.
#[cfg(feature = "node-fs")]
pub(super) fn metas_to_js(metas: &[Meta]) -> Result<JsValue, JsValue> {
    let Some(Columns { keys, table, runs, numbers, .. }) = Columns::of(metas) else {
        return as_json(metas);
    };
    Ok(metas_from_columns(&keys, &table, &runs, &numbers))
}

/// Whether `a` and `b` have the same 7 strings in the columns (entries in
/// a row mostly do: those a reduction returns share all of them).
#[cfg(feature = "node-fs")]
#[inline(never)] // Optimized by V8 after its first calls (`fs_index`'s `parse_marker` says why).
fn same_strings(a: &Meta, b: &Meta) -> bool {
    a.kind == b.kind
        && a.name == b.name
        && a.last_run == b.last_run
        && a.format == b.format
        && a.code == b.code
        && a.args == b.args
        // Most sidecars of a reduction's entries are null: no call to compare.
        && (a.sidecar.is_null() && b.sidecar.is_null() || a.sidecar == b.sidecar)
}

/// Metadata as columns: every key's 32 bytes in one buffer (JS writes them as
/// hex in one call and slices the text: a loop in wasm that V8 has not
/// optimized yet spent 2 to 3 ms of a reduction on it); each distinct string
/// of the other fields once, in a table joined by NUL; per run of entries that
/// share their 7 strings (kind, name, last run, format, code as `-` or
/// `+code`, args or empty, sidecar as JSON), how many and the places of the 7
/// in the table; per entry 5 numbers (created, last access, hits, bytes,
/// duration). The entries a reduction returns are one run, so JS splits a
/// handful of strings and reads them once, not 70,000 times.
#[cfg(feature = "node-fs")]
struct Columns {
    keys: Vec<u8>,
    table: String,
    /// Per run: its length, then its 7 places.
    runs: Vec<u32>,
    numbers: Vec<f64>,
    /// The place of each string in the table.
    places: std::collections::HashMap<String, u32>,
    /// Per field, the last entry's string and its place (entries in a row
    /// mostly share them: no lookup).
    last: [Option<(String, u32)>; 7],
    scratch: String,
}

#[cfg(feature = "node-fs")]
impl Columns {
    fn new(n: usize) -> Columns {
        Columns {
            keys: Vec::with_capacity(n * 32),
            table: String::new(),
            runs: Vec::new(),
            numbers: Vec::with_capacity(n * 5),
            places: Default::default(),
            last: Default::default(),
            scratch: String::new(),
        }
    }

    /// The columns of `metas`; `None` if one of their strings holds a NUL.
    /// The loop apart and small, as `fs_index::offer` (its doc says why).
    #[inline(never)]
    fn of(metas: &[Meta]) -> Option<Columns> {
        let mut columns = Columns::new(metas.len());
        let mut last: Option<&Meta> = None;
        for m in metas {
            if last.is_some_and(|l| same_strings(l, m)) {
                columns.push_like_last(m);
            } else if !columns.push(m) {
                return None;
            }
            last = Some(m);
        }
        Some(columns)
    }

    /// Appends `m`; `false` if one of its strings holds a NUL. Not inlined
    /// into the loop, which V8 would run unoptimized to its end (it optimizes
    /// a wasm function for its later calls, never within one).
    #[inline(never)]
    fn push(&mut self, m: &Meta) -> bool {
        self.keys.extend_from_slice(&m.key.0);
        self.runs.push(1);
        let mut scratch = std::mem::take(&mut self.scratch);
        let mut ok = true;
        for (field, s) in [m.kind.as_str(), &m.name, &m.last_run, &m.format].into_iter().enumerate() {
            ok &= self.string(field, s);
        }
        scratch.clear();
        match &m.code {
            Some(c) => {
                scratch.push('+');
                scratch.push_str(c);
            }
            None => scratch.push('-'),
        }
        ok &= self.string(4, &scratch);
        scratch.clear();
        if let Some(k) = &m.args {
            crate::fingerprint::push_hex(&mut scratch, &k.0);
        }
        ok &= self.string(5, &scratch);
        let sidecar = match &m.sidecar {
            serde_json::Value::Null => std::borrow::Cow::Borrowed("null"),
            v => std::borrow::Cow::Owned(serde_json::to_string(v).expect("JSON is JSON")),
        };
        ok &= self.string(6, &sidecar);
        self.scratch = scratch;
        self.numbers.extend([m.created_ms, m.last_access_ms, m.hits as f64, m.bytes as f64, m.duration_ms]);
        ok
    }

    /// Appends `m`, whose 7 strings are those of the entry before it.
    #[inline(never)]
    fn push_like_last(&mut self, m: &Meta) {
        self.keys.extend_from_slice(&m.key.0);
        let at = self.runs.len() - 8;
        self.runs[at] += 1;
        self.numbers.extend([m.created_ms, m.last_access_ms, m.hits as f64, m.bytes as f64, m.duration_ms]);
    }

    /// Appends the place of `s` as the string of `field`, adding it to the
    /// table if new; `false` if it holds a NUL.
    fn string(&mut self, field: usize, s: &str) -> bool {
        if let Some((last, place)) = &self.last[field] {
            if last == s {
                self.runs.push(*place);
                return true;
            }
        }
        if s.contains('\0') {
            return false;
        }
        let place = match self.places.get(s) {
            Some(p) => *p,
            None => {
                let p = self.places.len() as u32;
                self.table.push_str(s);
                self.table.push('\0');
                self.places.insert(s.to_string(), p);
                p
            }
        };
        self.last[field] = Some((s.to_string(), place));
        self.runs.push(place);
        true
    }
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
        // Keys of distinct bytes: each byte's place and value must come through.
        let mut a = Meta::blank(Key(std::array::from_fn(|i| (i * 37 + 11) as u8)));
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
        // Entries in a row that share strings, and one that comes back.
        let mut a2 = a.clone();
        a2.key = Key(std::array::from_fn(|i| 255 - i as u8));
        a2.last_run = String::new();
        let mut b2 = b.clone();
        b2.key = Key([1; 32]);
        let runs = vec![a.clone(), a2.clone(), b.clone(), b2, a2, a.clone()];
        for metas in [vec![], vec![a.clone(), b.clone()], runs, vec![a, b, with_nul]] {
            let got = js_sys::JSON::stringify(&metas_to_js(&metas).unwrap()).unwrap();
            assert_eq!(String::from(got), via_json(&metas));
        }
    }
}
