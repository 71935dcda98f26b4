//! A parsed spec written back as a spec: [`Spec::to_spec`], the explicit form.
//!
//! A spec held as a JS object (a bundler's import of a JSON file, a spec
//! written in TypeScript) has lost the difference between `1.0` and `1` that
//! its JSON text carried, and with it how Python prints a float default or
//! whether a `Range` is one of floats. The explicit form writes those floats
//! `{"$float": 1}` (spec format 1.1), merges `extends` in and leaves out what
//! is at its default, so that `fromSpec(JSON.parse(JSON.stringify(toSpec())))`
//! renders exactly as the spec it came from.

use super::export::{extension_json, input_json, output_json, put, Form};
use super::Spec;
use serde_json::{json, Map, Value as Json};

impl Spec {
    /// The spec in the explicit 1.1 form (see the module comment).
    pub fn to_spec(&self) -> Json {
        let mut top = Map::new();
        top.insert("name".into(), json!(self.name));
        if self.matlab.is_none() {
            top.insert("command".into(), json!(self.command));
        }
        put(&mut top, "matlab", self.matlab.as_ref().map(super::matlab::job_json));
        put(&mut top, "version", self.version.as_ref().map(|v| json!(v)));
        put(&mut top, "output_extension", self.output_extension.as_ref().map(extension_json));
        put(&mut top, "redirect_x", self.redirect_x.then(|| json!(true)));
        let implicit = super::parse::implicit_inputs();
        let mut inputs = Map::new();
        for &i in &self.declared {
            let input = &self.inputs[i];
            let written = input_json(input, Form::Spec);
            // `args` and `environ` are there without saying; written only when changed.
            if implicit.iter().any(|d| d.name == input.name && input_json(d, Form::Spec) == written) {
                continue;
            }
            inputs.insert(input.name.clone(), written);
        }
        top.insert("inputs".into(), Json::Object(inputs));
        let outputs = self.outputs.iter().map(|o| (o.name.clone(), output_json(o, Form::Spec))).collect();
        top.insert("outputs".into(), Json::Object(outputs));
        Json::Object(top)
    }
}
