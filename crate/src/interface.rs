//! [`Interface`]: a parsed spec and the verbs a user calls on it.
//!
//! This is the front door of the spec engine: `cmdline`, `validate`, `help`.
//! Each verb runs the same pipeline — bind (type-check and cross-check the
//! inputs) then render — so `validate` reports an error exactly when `cmdline`
//! would fail, and both agree on the first one.

use crate::bind::{self, Bound};
use crate::error::{Error, ErrorKind, Result};
use crate::path::PathProbe;
use crate::spec::{parse_spec_with, ParentLookup, Spec};
use serde_json::Value as Json;

/// A command-line tool described by a spec.
#[derive(Debug, Clone)]
pub struct Interface {
    spec: Spec,
}

impl Interface {
    /// Parses a spec given as JSON text.
    pub fn from_json_str(text: &str) -> Result<Interface> {
        Interface::from_json(&parse_json(text, "spec")?)
    }

    /// Parses a spec given as a JSON value.
    pub fn from_json(json: &Json) -> Result<Interface> {
        Interface::from_json_with(json, &|_: &str| None)
    }

    /// Parses a spec whose `extends` parents are found through `parents`.
    pub fn from_json_with(json: &Json, parents: &dyn ParentLookup) -> Result<Interface> {
        Ok(Interface { spec: parse_spec_with(json, parents)? })
    }

    pub fn spec(&self) -> &Spec {
        &self.spec
    }

    /// The spec as a spec, in the explicit form that survives a JS object
    /// (see `Spec::to_spec`).
    pub fn to_spec(&self) -> Json {
        self.spec.to_spec()
    }

    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// Checks `inputs` (a JSON object), stopping at the first problem.
    pub fn bind(&self, inputs: &Json, probe: &dyn PathProbe) -> Result<Bound<'_>> {
        bind::bind(&self.spec, inputs, probe)
    }

    /// The command line for `inputs`, or the first error.
    pub fn cmdline(&self, inputs: &Json, probe: &dyn PathProbe) -> Result<String> {
        self.bind(inputs, probe)?.cmdline()
    }

    /// The MATLAB batch script nipype writes for `inputs` (an SPM interface,
    /// spec 1.1 `matlab`), or the first error.
    pub fn script(&self, inputs: &Json, probe: &dyn PathProbe) -> Result<String> {
        self.bind(inputs, probe)?.script()
    }

    /// Every problem with `inputs`; empty exactly when `cmdline` succeeds.
    pub fn validate(&self, inputs: &Json, probe: &dyn PathProbe) -> Vec<Error> {
        let mut sink = bind::Sink { all: true, errors: Vec::new() };
        if let Ok(bound) = bind::bind_into(&self.spec, inputs, probe, &mut sink) {
            if sink.errors.is_empty() {
                let rendered =
                    if self.spec.matlab.is_some() { bound.script().map(drop) } else { bound.args().map(drop) };
                if let Err(e) = rendered {
                    sink.errors.push(e);
                }
            }
        }
        sink.errors
    }

    /// nipype-style help text.
    pub fn help(&self) -> String {
        crate::help::help(&self.spec)
    }
}

/// Parses JSON text, reporting a syntax error as `what` (`spec` or `input`).
pub fn parse_json(text: &str, what: &str) -> Result<Json> {
    serde_json::from_str(text).map_err(|e| {
        let kind = if what == "spec" { ErrorKind::Spec } else { ErrorKind::Input };
        Error::new(kind, format!("{what} is not valid JSON: {e}"))
    })
}
