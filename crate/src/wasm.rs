//! The JavaScript face of the crate, and the only module that knows JS types.
//!
//! It translates at the edge and nowhere else: JS values become JSON (a string
//! argument is parsed as JSON text, which keeps `1.0` apart from `1` — JS numbers
//! cannot), core errors become JS `Error`s carrying `kind` and `input`, and path
//! existence is asked of `node:fs` when running under Node, of a declared file
//! list when the caller gives one, and of nothing in a browser.
//!
//! Every export returns a `Result`, so bad input is a thrown `Error`, never a trap.

use crate::path::{FileSet, NoFilesystem, PathKind, PathProbe};
use crate::Value;
use crate::{Error, ErrorKind, Interface};
use js_sys::{Array, Function, Object, Reflect};
use serde_json::Value as Json;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// A command-line tool described by a spec.
#[wasm_bindgen(js_name = Interface)]
pub struct JsInterface {
    inner: Rc<Interface>,
}

/// Inputs checked against an interface, ready to render any number of times
/// (nipype: an interface whose inputs are set).
#[wasm_bindgen(js_name = BoundInputs)]
pub struct JsBound {
    iface: Rc<Interface>,
    values: Vec<Option<Value>>,
}

#[wasm_bindgen(js_class = BoundInputs)]
impl JsBound {
    /// The command line; throws if a name cannot be generated or a value formatted.
    pub fn cmdline(&mut self) -> Result<String, JsValue> {
        let bound = crate::Bound::from_values(self.iface.spec(), std::mem::take(&mut self.values));
        let line = bound.cmdline();
        self.values = bound.into_values();
        line.map_err(to_js_error)
    }
}

#[wasm_bindgen(js_class = Interface)]
impl JsInterface {
    /// Parses a spec (an object or JSON text). `options.parents` maps names to
    /// the specs this one may `extends`.
    #[wasm_bindgen(js_name = fromSpec)]
    pub fn from_spec(spec: JsValue, options: Option<Object>) -> Result<JsInterface, JsValue> {
        let json = to_json(&spec, ErrorKind::Spec)?;
        let parents = match options.as_ref().map(|o| Reflect::get(o, &"parents".into())).transpose()? {
            Some(p) if p.is_object() => to_json(&p, ErrorKind::Spec)?,
            _ => Json::Null,
        };
        let lookup = |name: &str| parents.get(name).cloned();
        Interface::from_json_with(&json, &lookup).map(|i| JsInterface { inner: Rc::new(i) }).map_err(to_js_error)
    }

    /// Checks `inputs` once (throwing the first problem) for rendering later.
    pub fn bind(&self, inputs: JsValue, options: Option<Object>) -> Result<JsBound, JsValue> {
        let inputs = to_json(&inputs, ErrorKind::Input)?;
        let probe = probe_for(options.as_ref())?;
        let values = self.inner.bind(&inputs, probe.as_ref()).map_err(to_js_error)?.into_values();
        Ok(JsBound { iface: Rc::clone(&self.inner), values })
    }

    /// The command line for `inputs`; throws the first problem.
    pub fn cmdline(&self, inputs: JsValue, options: Option<Object>) -> Result<String, JsValue> {
        let inputs = to_json(&inputs, ErrorKind::Input)?;
        let probe = probe_for(options.as_ref())?;
        self.inner.cmdline(&inputs, probe.as_ref()).map_err(to_js_error)
    }

    /// Every problem with `inputs`, as `[{kind, input, message}]` (empty when fine).
    pub fn validate(&self, inputs: JsValue, options: Option<Object>) -> Result<Array, JsValue> {
        let inputs = to_json(&inputs, ErrorKind::Input)?;
        let probe = probe_for(options.as_ref())?;
        let out = Array::new();
        for e in self.inner.validate(&inputs, probe.as_ref()) {
            let o = Object::new();
            Reflect::set(&o, &"kind".into(), &e.kind.code().into())?;
            Reflect::set(&o, &"input".into(), &e.input.as_deref().map_or(JsValue::NULL, JsValue::from))?;
            Reflect::set(&o, &"message".into(), &e.message.into())?;
            out.push(&o);
        }
        Ok(out)
    }

    /// nipype-style help text.
    pub fn help(&self) -> String {
        self.inner.help()
    }

    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// The normalized spec: inputs (in declaration order) and outputs with all metadata.
    #[wasm_bindgen(getter)]
    pub fn spec(&self) -> Result<JsValue, JsValue> {
        from_json(&self.inner.spec().to_json())
    }
}

/// JS value → JSON. A string is JSON text; anything else is converted as is.
fn to_json(v: &JsValue, kind: ErrorKind) -> Result<Json, JsValue> {
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

fn from_json(v: &Json) -> Result<JsValue, JsValue> {
    use serde::Serialize;
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .map_err(|e| JsValue::from(js_sys::Error::new(&e.to_string())))
}

/// The one place core errors become JS errors: an `Error` with `kind` and `input`.
fn to_js_error(e: Error) -> JsValue {
    let err = js_sys::Error::new(&e.message);
    err.set_name("ToolmemoError");
    let _ = Reflect::set(&err, &"kind".into(), &e.kind.code().into());
    let _ = Reflect::set(&err, &"input".into(), &e.input.as_deref().map_or(JsValue::NULL, JsValue::from));
    err.into()
}

/// Chooses how `exists` is checked: `options.files` (declared paths), else
/// Node's `fs` when there is one, else not at all.
fn probe_for(options: Option<&Object>) -> Result<Box<dyn PathProbe>, JsValue> {
    if let Some(o) = options {
        let files = Reflect::get(o, &"files".into())?;
        if Array::is_array(&files) {
            let paths: Vec<String> = Array::from(&files).iter().filter_map(|v| v.as_string()).collect();
            return Ok(Box::new(FileSet::new(paths)));
        }
    }
    Ok(NODE_FS.with(|fs| match fs {
        Some(fs) => Box::new(fs.clone()) as Box<dyn PathProbe>,
        None => Box::new(NoFilesystem),
    }))
}

thread_local! {
    /// Looked up once: `node:fs` does not come and go.
    static NODE_FS: Option<NodeFs> = NodeFs::find();
}

/// `node:fs`, reached through `process.getBuiltinModule` so the same wasm
/// package loads in browsers, where there is no such thing.
#[derive(Clone)]
struct NodeFs {
    /// `(path) => 0 | 1 | 2` (missing, file, directory): one boundary crossing a probe.
    kind_of: Function,
}

impl NodeFs {
    fn find() -> Option<NodeFs> {
        let process = Reflect::get(&js_sys::global(), &"process".into()).ok().filter(|p| p.is_object())?;
        let get = Reflect::get(&process, &"getBuiltinModule".into()).ok()?.dyn_into::<Function>().ok()?;
        let fs = get.call1(&process, &"fs".into()).ok().filter(|f| f.is_object())?;
        // Built only under Node (no CSP there); like Python's Path.is_file, follows symlinks.
        let make = Function::new_with_args(
            "fs",
            "return (p) => { const s = fs.statSync(p, { throwIfNoEntry: false }); \
             return s === undefined ? 0 : s.isDirectory() ? 2 : s.isFile() ? 1 : 0; };",
        );
        let kind_of = make.call1(&JsValue::NULL, &fs).ok()?.dyn_into::<Function>().ok()?;
        Some(NodeFs { kind_of })
    }
}

impl PathProbe for NodeFs {
    fn kind(&self, path: &str) -> PathKind {
        match self.kind_of.call1(&JsValue::NULL, &path.into()).ok().and_then(|k| k.as_f64()) {
            Some(2.0) => PathKind::Dir,
            Some(1.0) => PathKind::File,
            _ => PathKind::Missing,
        }
    }
}
