//! A parsed spec back to JSON, for readers such as a form builder.
//!
//! The output is the spec after `extends` is merged and defaults are filled in:
//! every input (implicit `args`/`environ` included) in declaration order with all
//! its metadata, types in the spec format's own notation.

use super::types::Type;
use super::{Extension, Input, Output, PathForm, Spec};
use serde_json::{json, Map, Value as Json};

impl Spec {
    /// The normalized spec: `{name, command, version?, output_extension?, extends?,
    /// inputs: [{name, type, ...}], outputs: [{name, type, ...}]}`.
    pub fn to_json(&self) -> Json {
        let mut top = Map::new();
        top.insert("name".into(), json!(self.name));
        top.insert("command".into(), json!(self.command));
        put(&mut top, "version", self.version.as_ref().map(|v| json!(v)));
        put(&mut top, "output_extension", self.output_extension.as_ref().map(extension_json));
        put(&mut top, "extends", self.extends.as_ref().map(|v| json!(v)));
        put(&mut top, "redirect_x", self.redirect_x.then(|| json!(true)));
        top.insert("inputs".into(), Json::Array(self.declared.iter().map(|&i| input_json(&self.inputs[i])).collect()));
        top.insert("outputs".into(), Json::Array(self.outputs.iter().map(output_json).collect()));
        Json::Object(top)
    }
}

impl Type {
    /// The type in the notation of the spec format (`"Int"`, `{"List": "Float"}`).
    pub fn to_json(&self) -> Json {
        let list = |types: &[Type]| Json::Array(types.iter().map(Type::to_json).collect());
        match self {
            Type::Any => json!("Any"),
            Type::Bool => json!("Bool"),
            Type::Int => json!("Int"),
            Type::Float => json!("Float"),
            Type::Str => json!("Str"),
            Type::File { exists, extensions } => json!({"File": {"exists": exists, "extensions": extensions}}),
            Type::Directory { exists } => json!({"Directory": {"exists": exists}}),
            Type::Enum(values) => json!({"Enum": values.iter().map(|v| v.to_json()).collect::<Vec<_>>()}),
            Type::Range { low, high, .. } => {
                let mut r = Map::new();
                for (key, excl, b) in [("low", "exclude_low", low), ("high", "exclude_high", high)] {
                    if let Some(b) = b {
                        r.insert(key.into(), crate::value::Value::from_number(b.value).to_json());
                        r.insert(excl.into(), json!(b.exclusive));
                    }
                }
                json!({"Range": r})
            }
            Type::List { item, minlen, maxlen } => {
                let mut m = Map::new();
                m.insert("List".into(), item.to_json());
                put(&mut m, "minlen", minlen.map(|n| json!(n)));
                put(&mut m, "maxlen", maxlen.map(|n| json!(n)));
                Json::Object(m)
            }
            Type::Tuple(types) => json!({"Tuple": list(types)}),
            Type::Either(types) => json!({"Either": list(types)}),
            Type::Dict(item) => json!({"Dict": item.to_json()}),
            Type::MultiPath(item) => json!({"MultiPath": item.to_json()}),
        }
    }
}

fn input_json(i: &Input) -> Json {
    let mut m = Map::new();
    m.insert("name".into(), json!(i.name));
    m.insert("type".into(), i.ty.to_json());
    let strs = |v: &Option<String>| v.as_ref().map(|s| json!(s));
    put(&mut m, "desc", strs(&i.desc));
    m.insert("mandatory".into(), json!(i.mandatory == Some(true)));
    put(&mut m, "default", i.default.as_ref().map(|d| d.to_json()));
    m.insert("usedefault".into(), json!(i.usedefault));
    m.insert("xor".into(), json!(i.xor));
    m.insert("requires".into(), json!(i.requires));
    put(&mut m, "argstr", strs(&i.argstr));
    put(&mut m, "position", i.position.map(|p| json!(p)));
    put(&mut m, "sep", strs(&i.sep));
    put(&mut m, "name_source", strs(&i.name_source));
    put(&mut m, "name_template", strs(&i.name_template));
    m.insert("keep_extension".into(), json!(i.keep_extension));
    m.insert("genfile".into(), json!(i.genfile));
    put(&mut m, "output_name", strs(&i.output_name));
    m.insert("hash_files".into(), json!(i.hash_files));
    put(&mut m, "copyfile", i.copyfile.map(|c| json!(c)));
    put(&mut m, "min_ver", strs(&i.min_ver));
    put(&mut m, "max_ver", strs(&i.max_ver));
    put(&mut m, "deprecated", strs(&i.deprecated));
    put(&mut m, "new_name", strs(&i.new_name));
    put(&mut m, "absolute", i.absolute.then(|| json!(true)));
    put(
        &mut m,
        "value_map",
        (!i.value_map.is_empty()).then(|| {
            Json::Object(
                i.value_map.iter().map(|(k, v)| (k.clone(), v.as_ref().map_or(Json::Null, |v| v.to_json()))).collect(),
            )
        }),
    );
    put(
        &mut m,
        "genfile_template",
        i.genfile_template.as_ref().map(|g| {
            let mut t = json!({"source": g.source, "template": g.template});
            if g.extension {
                t["extension"] = json!(true);
            }
            t
        }),
    );
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

fn extension_json(e: &Extension) -> Json {
    match e {
        Extension::Fixed(s) => json!(s),
        Extension::ByInput { input, map, replace } => json!({
            "input": input,
            "map": map.iter().map(|(k, v)| (k.clone(), json!(v))).collect::<Map<_, _>>(),
            "mode": if *replace { "replace" } else { "append" },
        }),
    }
}

fn output_json(o: &Output) -> Json {
    let mut m = Map::new();
    m.insert("name".into(), json!(o.name));
    m.insert("type".into(), o.ty.to_json());
    put(&mut m, "desc", o.desc.as_ref().map(|s| json!(s)));
    put(&mut m, "source", o.source.as_ref().map(|s| json!(s)));
    put(&mut m, "template", o.template.as_ref().map(|s| json!(s)));
    m.insert("keep_extension".into(), json!(o.keep_extension));
    Json::Object(m)
}

fn put(m: &mut Map<String, Json>, key: &str, v: Option<Json>) {
    if let Some(v) = v {
        m.insert(key.into(), v);
    }
}
