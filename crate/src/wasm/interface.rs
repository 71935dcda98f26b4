//! `Interface` and `BoundInputs`: the spec engine for JavaScript.

use super::convert::{from_json, to_js_error, to_json};
use super::host::probe_for;
use crate::{ErrorKind, Interface, Value};
use js_sys::{Array, Object, Reflect};
use serde_json::Value as Json;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

/// A command-line tool described by a spec.
#[wasm_bindgen(js_name = Interface)]
pub struct JsInterface {
    pub(super) inner: Rc<Interface>,
}

/// Inputs checked against an interface, ready to render any number of times
/// (nipype: an interface whose inputs are set).
#[wasm_bindgen(js_name = BoundInputs)]
pub struct JsBound {
    iface: Rc<Interface>,
    values: Vec<Option<Value>>,
    cwd: Option<String>,
}

#[wasm_bindgen(js_class = BoundInputs)]
impl JsBound {
    /// The command line; throws if a name cannot be generated or a value formatted.
    pub fn cmdline(&mut self) -> Result<String, JsValue> {
        let bound = crate::Bound::from_parts(self.iface.spec(), std::mem::take(&mut self.values), self.cwd.take());
        let line = bound.cmdline();
        (self.values, self.cwd) = bound.into_parts();
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
        let (values, cwd) = self.inner.bind(&inputs, probe.as_ref()).map_err(to_js_error)?.into_parts();
        Ok(JsBound { iface: Rc::clone(&self.inner), values, cwd })
    }

    /// The command line for `inputs`; throws the first problem.
    pub fn cmdline(&self, inputs: JsValue, options: Option<Object>) -> Result<String, JsValue> {
        let inputs = to_json(&inputs, ErrorKind::Input)?;
        let probe = probe_for(options.as_ref())?;
        self.inner.cmdline(&inputs, probe.as_ref()).map_err(to_js_error)
    }

    /// The MATLAB batch script of an SPM interface for `inputs`, exactly as
    /// nipype writes it; throws the first problem.
    pub fn script(&self, inputs: JsValue, options: Option<Object>) -> Result<String, JsValue> {
        let inputs = to_json(&inputs, ErrorKind::Input)?;
        let probe = probe_for(options.as_ref())?;
        self.inner.script(&inputs, probe.as_ref()).map_err(to_js_error)
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

    /// TypeScript declarations of this interface's inputs and outputs: a `.d.ts`
    /// module declaring `<Name>Inputs` and `<Name>Outputs`, for
    /// `Interface.fromSpec<<Name>Inputs, <Name>Outputs>(spec)`.
    pub fn types(&self) -> String {
        crate::typescript::interface_types(self.inner.spec())
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

    /// The spec as a plain object in the explicit form (spec format 1.1): what
    /// `fromSpec` takes back, rendering exactly as this interface does.
    #[wasm_bindgen(js_name = toSpec)]
    pub fn to_spec(&self) -> Result<JsValue, JsValue> {
        from_json(&self.inner.to_spec())
    }
}
