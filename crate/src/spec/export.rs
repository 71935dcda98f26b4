//! A parsed spec back to JSON, for readers such as a form builder.
//!
//! The output is the spec after `extends` is merged and defaults are filled in:
//! every input (implicit `args`/`environ` included) in declaration order with all
//! its metadata, types in the spec format's own notation.

use super::types::Type;
use super::{Condition, Extension, GenfileTemplate, Input, Output, PathForm, Replacement, Spec};
use serde_json::{json, Map, Value as Json};

impl Spec {
    /// The normalized spec: `{name, command, version?, output_extension?, extends?,
    /// inputs: [{name, type, ...}], outputs: [{name, type, ...}]}`.
    pub fn to_json(&self) -> Json {
        let mut top = Map::new();
        top.insert("name".into(), json!(self.name));
        if self.matlab.is_none() {
            top.insert("command".into(), json!(self.command));
        }
        put(&mut top, "matlab", self.matlab.as_ref().map(super::matlab::job_json));
        put(&mut top, "version", self.version.as_ref().map(|v| json!(v)));
        put(&mut top, "output_extension", self.output_extension.as_ref().map(extension_json));
        put(&mut top, "extends", self.extends.as_ref().map(|v| json!(v)));
        put(&mut top, "redirect_x", self.redirect_x.then(|| json!(true)));
        top.insert(
            "inputs".into(),
            Json::Array(self.declared.iter().map(|&i| input_json(&self.inputs[i], Form::Normalized)).collect()),
        );
        top.insert(
            "outputs".into(),
            Json::Array(self.outputs.iter().map(|o| output_json(o, Form::Normalized)).collect()),
        );
        Json::Object(top)
    }
}

impl Type {
    /// The type in the notation of the spec format (`"Int"`, `{"List": "Float"}`).
    pub fn to_json(&self) -> Json {
        self.written(false)
    }

    /// The type as a spec writes it; `explicit`: floats that a JS object would
    /// take for integers are written `{"$float": N}` (see `Spec::to_spec`).
    pub(super) fn written(&self, explicit: bool) -> Json {
        let list = |types: &[Type]| Json::Array(types.iter().map(|t| t.written(explicit)).collect());
        match self {
            Type::Any => json!("Any"),
            Type::Bool => json!("Bool"),
            Type::Int => json!("Int"),
            Type::Float => json!("Float"),
            Type::Str => json!("Str"),
            // A spec writes the plain forms where they say it all.
            Type::File { exists: false, extensions } if explicit && extensions.is_empty() => json!("File"),
            Type::Directory { exists: false } if explicit => json!("Directory"),
            Type::File { exists, extensions } => json!({"File": {"exists": exists, "extensions": extensions}}),
            Type::Directory { exists } => json!({"Directory": {"exists": exists}}),
            Type::Enum(values) => json!({"Enum": values.iter().map(|v| value_json(v, explicit)).collect::<Vec<_>>()}),
            Type::Range { low, high, .. } => {
                let mut r = Map::new();
                for (key, excl, b) in [("low", "exclude_low", low), ("high", "exclude_high", high)] {
                    if let Some(b) = b {
                        r.insert(key.into(), value_json(&crate::value::Value::from_number(b.value), explicit));
                        r.insert(excl.into(), json!(b.exclusive));
                    }
                }
                json!({"Range": r})
            }
            Type::List { item, minlen, maxlen } => {
                let mut m = Map::new();
                m.insert("List".into(), item.written(explicit));
                put(&mut m, "minlen", minlen.map(|n| json!(n)));
                put(&mut m, "maxlen", maxlen.map(|n| json!(n)));
                Json::Object(m)
            }
            Type::Tuple(types) => json!({"Tuple": list(types)}),
            Type::Either(types) => json!({"Either": list(types)}),
            Type::Dict(item, keys) if keys.is_empty() => json!({"Dict": item.written(explicit)}),
            Type::Dict(item, keys) => json!({"Dict": item.written(explicit), "keys": keys}),
            Type::MultiPath(item) => json!({"MultiPath": item.written(explicit)}),
        }
    }
}

/// One input as JSON. `Form::Normalized`: its name and every key, defaults
/// filled in; `Form::Spec`: the keys a spec needs to say it, values explicit.
pub(super) fn input_json(i: &Input, form: Form) -> Json {
    let explicit = form == Form::Spec;
    let full = form == Form::Normalized;
    let mut m = Map::new();
    if full {
        m.insert("name".into(), json!(i.name));
    }
    m.insert("type".into(), i.ty.written(explicit));
    let strs = |v: &Option<String>| v.as_ref().map(|s| json!(s));
    // A flag at its default is left out of a spec.
    let flag = |v: bool, default: bool| (full || v != default).then(|| json!(v));
    put(&mut m, "desc", strs(&i.desc));
    // `mandatory: false` differs from no `mandatory` (nipype then skips `requires`).
    put(&mut m, "mandatory", if full { Some(json!(i.mandatory == Some(true))) } else { i.mandatory.map(|b| json!(b)) });
    put(&mut m, "default", i.default.as_ref().map(|d| value_json(d, explicit)));
    put(&mut m, "usedefault", flag(i.usedefault, false));
    // `xor: []` written differs from none (nipype then skips the plain mandatory check).
    put(&mut m, "xor", (full || i.links.xor_given || !i.xor.is_empty()).then(|| json!(i.xor)));
    put(&mut m, "requires", (full || !i.requires.is_empty()).then(|| json!(i.requires)));
    put(&mut m, "argstr", strs(&i.argstr));
    put(&mut m, "position", i.position.map(|p| json!(p)));
    put(&mut m, "sep", strs(&i.sep));
    put(&mut m, "name_source", strs(&i.name_source));
    put(&mut m, "name_template", strs(&i.name_template));
    put(&mut m, "keep_extension", flag(i.keep_extension, false));
    put(&mut m, "genfile", flag(i.genfile, false));
    put(&mut m, "output_name", strs(&i.output_name));
    put(&mut m, "hash_files", flag(i.hash_files, true));
    put(&mut m, "copyfile", i.copyfile.map(|c| json!(c)));
    put(&mut m, "min_ver", strs(&i.min_ver));
    put(&mut m, "max_ver", strs(&i.max_ver));
    put(&mut m, "deprecated", strs(&i.deprecated));
    put(&mut m, "new_name", strs(&i.new_name));
    put(&mut m, "absolute", i.absolute.then(|| json!(true)));
    put(&mut m, "field", strs(&i.field));
    put(&mut m, "field_form", i.field_form.as_ref().map(super::matlab::form_json));
    put(
        &mut m,
        "value_map",
        (!i.value_map.is_empty()).then(|| {
            Json::Object(
                i.value_map
                    .iter()
                    .map(|(k, r)| {
                        let j = match r {
                            Replacement::Empty => Json::Null,
                            Replacement::Value(v) => value_json(v, explicit),
                            Replacement::CpuCount => json!({"host": "cpu_count"}),
                        };
                        (k.clone(), j)
                    })
                    .collect(),
            )
        }),
    );
    put(
        &mut m,
        "genfile_template",
        i.genfile_template.as_ref().map(|g| {
            let with_extension = |mut t: Json, extension: bool| {
                if extension {
                    t["extension"] = json!(true);
                }
                t
            };
            match g {
                GenfileTemplate::Source { source, template, extension } => {
                    with_extension(json!({"source": source, "template": template}), *extension)
                }
                GenfileTemplate::Alternatives(alts) => Json::Array(
                    alts.iter()
                        .map(|a| {
                            let mut t = json!({"template": a.template});
                            if !a.when.is_empty() {
                                // A plain name where it says "set and true", as written.
                                t["when"] = a
                                    .when
                                    .iter()
                                    .map(|c| match c {
                                        Condition::True(n) => json!(n),
                                        other => condition_json(other),
                                    })
                                    .collect();
                            }
                            with_extension(t, a.extension)
                        })
                        .collect(),
                ),
            }
        }),
    );
    put(
        &mut m,
        "omit_when",
        (!i.omit_when.is_empty()).then(|| Json::Array(i.omit_when.iter().map(condition_json).collect())),
    );
    put(&mut m, "argstr_inputs", (!i.argstr_inputs.is_empty()).then(|| json!(i.argstr_inputs)));
    put(&mut m, "item_argstr", strs(&i.item_argstr));
    put(
        &mut m,
        "path_form",
        i.path_form.map(|f| {
            json!(match f {
                PathForm::Basename => "basename",
                PathForm::Absolute => "absolute",
                PathForm::Relative => "relative",
            })
        }),
    );
    Json::Object(m)
}

/// Which JSON of a spec's parts: the normalized one (for readers such as a
/// form builder) or the spec's own (`Spec::to_spec`).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Form {
    Normalized,
    Spec,
}

fn condition_json(c: &Condition) -> Json {
    match c {
        Condition::Set(n) => json!({"set": n}),
        Condition::True(n) => json!({"true": n}),
        Condition::False(n) => json!({"false": n}),
    }
}

pub(super) fn extension_json(e: &Extension) -> Json {
    match e {
        Extension::Fixed(s) => json!(s),
        Extension::ByInput { input, map, replace } => json!({
            "input": input,
            "map": map.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<Map<_, _>>(),
            "mode": if *replace { "replace" } else { "append" },
        }),
    }
}

pub(super) fn output_json(o: &Output, form: Form) -> Json {
    let full = form == Form::Normalized;
    let mut m = Map::new();
    if full {
        m.insert("name".into(), json!(o.name));
    }
    m.insert("type".into(), o.ty.written(!full));
    put(&mut m, "desc", o.desc.as_ref().map(|s| json!(s)));
    put(&mut m, "source", o.source.as_ref().map(|s| json!(s)));
    put(&mut m, "template", o.template.as_ref().map(|s| json!(s)));
    put(&mut m, "keep_extension", (full || o.keep_extension).then(|| json!(o.keep_extension)));
    Json::Object(m)
}

/// A value as JSON; `explicit`: an integral float as `{"$float": N}`, the one
/// form that survives a JS object (where `1.0` is `1`).
pub(super) fn value_json(v: &crate::value::Value, explicit: bool) -> Json {
    use crate::value::Value;
    match v {
        Value::Float(f) if explicit && f.is_finite() && f.fract() == 0.0 => json!({ super::parse::FLOAT_TAG: f }),
        Value::List(items) | Value::Tuple(items) if explicit => {
            Json::Array(items.iter().map(|x| value_json(x, true)).collect())
        }
        Value::Dict(pairs) if explicit => {
            Json::Object(pairs.iter().map(|(k, x)| (k.clone(), value_json(x, true))).collect())
        }
        other => other.to_json(),
    }
}

pub(super) fn put(m: &mut Map<String, Json>, key: &str, v: Option<Json>) {
    if let Some(v) = v {
        m.insert(key.into(), v);
    }
}
