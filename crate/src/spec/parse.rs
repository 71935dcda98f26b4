//! JSON → [`Spec`], with the JSON path of every mistake in its message.
//!
//! Parsing is by hand over `serde_json::Value` rather than by derive: a spec
//! author needs `inputs.frac.position: expected an integer, got "1"`, not a
//! serde byte offset, and unknown keys (a typo such as `mandatroy`) must be
//! refused rather than silently ignored.

use super::types::{RangeBound, Type};
use super::{Alternative, Condition, Extension, GenfileTemplate, Input, Links, Output, PathForm, Replacement, Spec};
use crate::error::{Error, Result};
use crate::value::{json_number, Number, Value};
use serde_json::{Map, Value as Json};

/// Finds the spec a spec `extends`, by name.
pub trait ParentLookup {
    fn parent(&self, name: &str) -> Option<Json>;
}

impl<F: Fn(&str) -> Option<Json>> ParentLookup for F {
    fn parent(&self, name: &str) -> Option<Json> {
        self(name)
    }
}

/// No parents available: a spec that `extends` another fails to parse.
struct NoParents;
impl ParentLookup for NoParents {
    fn parent(&self, _: &str) -> Option<Json> {
        None
    }
}

/// Parses a spec that extends nothing (or whose parent is already merged).
pub fn parse_spec(json: &Json) -> Result<Spec> {
    parse_spec_with(json, &NoParents)
}

/// Parses a spec, looking up the specs it `extends` through `parents`.
pub fn parse_spec_with(json: &Json, parents: &dyn ParentLookup) -> Result<Spec> {
    let merged = merge_parents(json, parents)?;
    let obj = merged.as_object().ok_or_else(|| Error::spec("", "a spec must be a JSON object"))?;
    const TOP: &[&str] = &[
        "name",
        "command",
        "version",
        "output_extension",
        "inputs",
        "outputs",
        "extends",
        "redirect_x",
        "matlab",
        "$schema",
        "description",
    ];
    reject_unknown(obj, TOP, "")?;
    let name = req_str(obj, "name", "")?;
    let matlab = obj.get("matlab").map(super::matlab::parse_job).transpose()?;
    // An SPM interface has a MATLAB job instead of a command line.
    let command = match (&matlab, obj.get("command")) {
        (Some(_), None) => String::new(),
        (Some(_), Some(_)) => return Err(Error::spec("command", "an interface with a 'matlab' job has no command")),
        (None, _) => req_str(obj, "command", "")?,
    };
    if matlab.is_none() && command.trim().is_empty() {
        return Err(Error::spec("command", "must not be empty"));
    }
    let version = opt_str(obj, "version", "")?;
    let output_extension = parse_extension(obj.get("output_extension"))?;
    let extends = opt_str(obj, "extends", "")?;
    let redirect_x = opt_bool(obj, "redirect_x", "")?.unwrap_or(false);

    let mut inputs: Vec<Input> = Vec::new();
    let mut declared_names = vec!["args".to_string(), "environ".to_string()];
    inputs.push(implicit_args());
    inputs.push(implicit_environ());
    if let Some(raw) = obj.get("inputs") {
        let map = raw.as_object().ok_or_else(|| Error::spec("inputs", "expected an object of inputs"))?;
        for (key, value) in map {
            let input = parse_input(key, value)?;
            if let Some(slot) = inputs.iter_mut().find(|i| i.name == *key) {
                *slot = input;
            } else {
                declared_names.push(key.clone());
                inputs.push(input);
            }
        }
    }
    let mut outputs = Vec::new();
    if let Some(raw) = obj.get("outputs") {
        let map = raw.as_object().ok_or_else(|| Error::spec("outputs", "expected an object of outputs"))?;
        for (key, value) in map {
            outputs.push(parse_output(key, value)?);
        }
    }
    inputs.sort_by(|a, b| a.name.cmp(&b.name));
    let declared = declared_names
        .iter()
        .map(|n| inputs.binary_search_by(|i| i.name.as_str().cmp(n)).expect("declared input exists"))
        .collect();
    let mut spec =
        Spec { name, command, version, output_extension, inputs, declared, outputs, extends, redirect_x, matlab };
    super::check::link(&mut spec)?;
    Ok(spec)
}

/// Resolves the `extends` chain: parents' inputs and outputs first, the child's
/// keys winning; top-level fields the child lacks are inherited.
fn merge_parents(json: &Json, parents: &dyn ParentLookup) -> Result<Json> {
    let mut chain = vec![json.clone()];
    let mut seen: Vec<String> = Vec::new();
    if let Some(n) = json.get("name").and_then(Json::as_str) {
        seen.push(n.to_string());
    }
    while let Some(parent) = chain.last().unwrap().get("extends") {
        let pname = parent.as_str().ok_or_else(|| Error::spec("extends", "expected a string"))?;
        if seen.iter().any(|s| s == pname) {
            return Err(Error::spec("extends", format!("cyclic extends: {} -> {pname}", seen.join(" -> "))));
        }
        let pjson =
            parents.parent(pname).ok_or_else(|| Error::spec("extends", format!("parent spec '{pname}' not found")))?;
        if !pjson.is_object() {
            return Err(Error::spec("extends", format!("parent spec '{pname}' is not a JSON object")));
        }
        seen.push(pname.to_string());
        chain.push(pjson);
    }
    if chain.len() == 1 {
        return Ok(chain.pop().unwrap());
    }
    let mut merged = Map::new();
    for spec in chain.iter().rev() {
        for (k, v) in spec.as_object().unwrap() {
            match (k.as_str(), merged.get_mut(k), v) {
                ("inputs" | "outputs", Some(Json::Object(acc)), Json::Object(add)) => {
                    for (ik, iv) in add {
                        acc.insert(ik.clone(), iv.clone());
                    }
                }
                _ => {
                    merged.insert(k.clone(), v.clone());
                }
            }
        }
    }
    // The merged spec is the child; its parent is recorded but already applied.
    merged.insert("extends".into(), json.get("extends").cloned().unwrap_or(Json::Null));
    if merged.get("extends") == Some(&Json::Null) {
        merged.remove("extends");
    }
    Ok(Json::Object(merged))
}

const INPUT_KEYS: &[&str] = &[
    "type",
    "desc",
    "mandatory",
    "default",
    "usedefault",
    "xor",
    "requires",
    "argstr",
    "position",
    "sep",
    "name_source",
    "name_template",
    "absolute",
    "value_map",
    "genfile_template",
    "path_form",
    "omit_when",
    "argstr_inputs",
    "item_argstr",
    "field",
    "field_form",
    "keep_extension",
    "genfile",
    "output_name",
    "hash_files",
    "copyfile",
    "min_ver",
    "max_ver",
    "deprecated",
    "new_name",
];

fn parse_input(name: &str, json: &Json) -> Result<Input> {
    let path = format!("inputs.{name}");
    if name.is_empty() {
        return Err(Error::spec("inputs", "an input name must not be empty"));
    }
    let obj = json.as_object().ok_or_else(|| Error::spec(&path, "expected an object"))?;
    reject_unknown(obj, INPUT_KEYS, &path)?;
    let ty = parse_type(
        obj.get("type").ok_or_else(|| Error::spec(&path, "missing key 'type'"))?,
        &format!("{path}.type"),
        0,
    )?;
    // A `null` default is Python's None, a defined value.
    let default = obj.get("default").map(|d| match (&ty, d) {
        // A tuple default is a tuple in Python, though JSON writes it as an array.
        (Type::Tuple(_), Json::Array(items)) => Value::Tuple(items.iter().map(spec_value).collect()),
        _ => spec_value(d),
    });
    let name_source = match obj.get("name_source") {
        None | Some(Json::Null) => None,
        Some(Json::String(s)) => Some(s.clone()),
        Some(Json::Array(items)) => match items.first() {
            Some(Json::String(s)) => Some(s.clone()),
            _ => return Err(Error::spec(&format!("{path}.name_source"), "expected an input name or a list of one")),
        },
        Some(_) => return Err(Error::spec(&format!("{path}.name_source"), "expected an input name or a list of one")),
    };
    Ok(Input {
        name: name.to_string(),
        desc: opt_str(obj, "desc", &path)?,
        mandatory: opt_bool(obj, "mandatory", &path)?,
        default,
        usedefault: opt_bool(obj, "usedefault", &path)?.unwrap_or(false),
        xor: str_list(obj, "xor", &path)?,
        requires: str_list(obj, "requires", &path)?,
        argstr: opt_str(obj, "argstr", &path)?,
        position: match obj.get("position") {
            None | Some(Json::Null) => None,
            Some(p) => Some(
                p.as_i64()
                    .ok_or_else(|| Error::spec(&format!("{path}.position"), format!("expected an integer, got {p}")))?,
            ),
        },
        sep: opt_str(obj, "sep", &path)?,
        name_source,
        name_template: opt_str(obj, "name_template", &path)?,
        keep_extension: opt_bool(obj, "keep_extension", &path)?.unwrap_or(false),
        genfile: opt_bool(obj, "genfile", &path)?.unwrap_or(false),
        output_name: opt_str(obj, "output_name", &path)?,
        hash_files: opt_bool(obj, "hash_files", &path)?.unwrap_or(true),
        copyfile: opt_bool(obj, "copyfile", &path)?,
        min_ver: opt_version(obj, "min_ver", &path)?,
        max_ver: opt_version(obj, "max_ver", &path)?,
        deprecated: opt_version(obj, "deprecated", &path)?,
        new_name: opt_str(obj, "new_name", &path)?,
        absolute: opt_bool(obj, "absolute", &path)?.unwrap_or(false),
        value_map: parse_value_map(obj.get("value_map"), &path)?,
        genfile_template: parse_genfile_template(obj.get("genfile_template"), &path)?,
        path_form: match opt_str(obj, "path_form", &path)?.as_deref() {
            None => None,
            Some("basename") => Some(PathForm::Basename),
            Some("absolute") => Some(PathForm::Absolute),
            Some("relative") => Some(PathForm::Relative),
            Some(other) => {
                return Err(Error::spec(
                    &format!("{path}.path_form"),
                    format!("expected \"basename\", \"absolute\" or \"relative\", got {other:?}"),
                ))
            }
        },
        omit_when: parse_conditions(obj.get("omit_when"), &path)?,
        argstr_inputs: str_list(obj, "argstr_inputs", &path)?,
        item_argstr: opt_str(obj, "item_argstr", &path)?,
        field: match opt_str(obj, "field", &path)? {
            Some(f) if !super::matlab::valid_field(&f) => {
                return Err(Error::spec(&format!("{path}.field"), format!("expected a dotted field name, got {f:?}")))
            }
            f => f,
        },
        field_form: obj
            .get("field_form")
            .map(|f| super::matlab::parse_form(f, &format!("{path}.field_form")))
            .transpose()?,
        ty,
        links: Links { xor_given: obj.get("xor").is_some_and(|x| !x.is_null()), ..Links::default() },
    })
}

/// A value written in a spec: JSON as Python reads it, and (1.1) `{"$float": N}`
/// for a float whose JSON text a JS object cannot keep (`1.0` is `1` there).
pub(crate) fn spec_value(j: &Json) -> Value {
    match j {
        Json::Object(o) if o.len() == 1 => match o.get(FLOAT_TAG) {
            Some(Json::Number(n)) => Value::Float(n.as_f64().unwrap_or(f64::NAN)),
            _ => Value::Dict(o.iter().map(|(k, v)| (k.clone(), spec_value(v))).collect()),
        },
        Json::Object(o) => Value::Dict(o.iter().map(|(k, v)| (k.clone(), spec_value(v))).collect()),
        Json::Array(a) => Value::List(a.iter().map(spec_value).collect()),
        Json::Number(n) => json_number(n),
        other => Value::from_json(other),
    }
}

/// The key of an explicit float in a spec (see [`spec_value`]).
pub(crate) const FLOAT_TAG: &str = "$float";

/// `output_extension`: a string (v1) or `{input, map, mode}` (1.1).
fn parse_extension(json: Option<&Json>) -> Result<Option<Extension>> {
    const PATH: &str = "output_extension";
    let obj = match json {
        None | Some(Json::Null) => return Ok(None),
        Some(Json::String(s)) => return Ok(Some(Extension::Fixed(s.clone()))),
        Some(Json::Object(o)) => o,
        Some(other) => return Err(Error::spec(PATH, format!("expected a string or an object, got {other}"))),
    };
    reject_unknown(obj, &["input", "map", "mode"], PATH)?;
    let input = req_str(obj, "input", PATH)?;
    let map = match obj.get("map") {
        Some(Json::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Json::String(e) => Ok((k.clone(), e.clone())),
                other => Err(Error::spec(&format!("{PATH}.map.{k}"), format!("expected a string, got {other}"))),
            })
            .collect::<Result<Vec<_>>>()?,
        _ => return Err(Error::spec(&format!("{PATH}.map"), "expected an object of values to extensions")),
    };
    let replace = match opt_str(obj, "mode", PATH)?.as_deref() {
        None | Some("append") => false,
        Some("replace") => true,
        Some(other) => {
            return Err(Error::spec(
                &format!("{PATH}.mode"),
                format!("expected \"append\" or \"replace\", got {other:?}"),
            ))
        }
    };
    Ok(Some(Extension::ByInput { input, map, replace }))
}

/// `value_map`: value text → a string, a number, `null` or a host fact.
fn parse_value_map(json: Option<&Json>, path: &str) -> Result<Vec<(String, Replacement)>> {
    let path = format!("{path}.value_map");
    match json {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Object(m)) => m
            .iter()
            .map(|(k, v)| match v {
                Json::Null => Ok((k.clone(), Replacement::Empty)),
                Json::String(_) | Json::Number(_) => Ok((k.clone(), Replacement::Value(spec_value(v)))),
                // An explicit float (`{"$float": N}`).
                Json::Object(o) if o.len() == 1 && o.get(FLOAT_TAG).is_some_and(Json::is_number) => {
                    Ok((k.clone(), Replacement::Value(spec_value(v))))
                }
                Json::Object(o) if o.len() == 1 && o.get("host").and_then(Json::as_str) == Some("cpu_count") => {
                    Ok((k.clone(), Replacement::CpuCount))
                }
                other => Err(Error::spec(
                    &format!("{path}.{k}"),
                    format!("expected a string, a number, null or {{\"host\": \"cpu_count\"}}, got {other}"),
                )),
            })
            .collect(),
        Some(other) => Err(Error::spec(&path, format!("expected an object, got {other}"))),
    }
}

/// `genfile_template`: `{source, template, extension?}`, or a list of
/// `{when?, template, extension?}`.
fn parse_genfile_template(json: Option<&Json>, path: &str) -> Result<Option<GenfileTemplate>> {
    let path = format!("{path}.genfile_template");
    match json {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Object(o)) => {
            reject_unknown(o, &["source", "template", "extension"], &path)?;
            Ok(Some(GenfileTemplate::Source {
                source: req_str(o, "source", &path)?,
                template: req_str(o, "template", &path)?,
                extension: opt_bool(o, "extension", &path)?.unwrap_or(false),
            }))
        }
        Some(Json::Array(items)) if !items.is_empty() => {
            let alternative = |(n, item): (usize, &Json)| {
                let at = format!("{path}[{n}]");
                let o = item.as_object().ok_or_else(|| Error::spec(&at, "expected an object"))?;
                reject_unknown(o, &["when", "template", "extension"], &at)?;
                Ok(Alternative {
                    when: conditions(o.get("when"), &format!("{at}.when"), true)?,
                    template: req_str(o, "template", &at)?,
                    extension: opt_bool(o, "extension", &at)?.unwrap_or(false),
                })
            };
            Ok(Some(GenfileTemplate::Alternatives(items.iter().enumerate().map(alternative).collect::<Result<_>>()?)))
        }
        Some(other) => Err(Error::spec(&path, format!("expected an object or a list of alternatives, got {other}"))),
    }
}

/// `omit_when`: `[{"set" | "true" | "false": INPUT}]`.
fn parse_conditions(json: Option<&Json>, path: &str) -> Result<Vec<Condition>> {
    conditions(json, &format!("{path}.omit_when"), false)
}

/// A list of conditions at `path`; with `names`, a plain input name is one
/// too (set and true: a `genfile_template` alternative's `when`).
fn conditions(json: Option<&Json>, path: &str, names: bool) -> Result<Vec<Condition>> {
    let items = match json {
        None | Some(Json::Null) => return Ok(Vec::new()),
        Some(Json::Array(items)) => items,
        Some(other) => return Err(Error::spec(path, format!("expected a list of conditions, got {other}"))),
    };
    let condition = |(n, item): (usize, &Json)| {
        let at = format!("{path}[{n}]");
        if let (true, Json::String(input)) = (names, item) {
            return Ok(Condition::True(input.clone()));
        }
        let one = item.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next());
        match one {
            Some((test, Json::String(input))) => match test.as_str() {
                "set" => Ok(Condition::Set(input.clone())),
                "true" => Ok(Condition::True(input.clone())),
                "false" => Ok(Condition::False(input.clone())),
                other => Err(Error::spec(&at, format!("expected \"set\", \"true\" or \"false\", got {other:?}"))),
            },
            _ => Err(Error::spec(&at, format!("expected {{\"set\" | \"true\" | \"false\": INPUT}}, got {item}"))),
        }
    };
    items.iter().enumerate().map(condition).collect()
}

fn parse_output(name: &str, json: &Json) -> Result<Output> {
    let path = format!("outputs.{name}");
    let obj = json.as_object().ok_or_else(|| Error::spec(&path, "expected an object"))?;
    reject_unknown(obj, &["type", "desc", "source", "template", "keep_extension"], &path)?;
    let ty = match obj.get("type") {
        Some(t) => parse_type(t, &format!("{path}.type"), 0)?,
        None => Type::Any,
    };
    Ok(Output {
        name: name.to_string(),
        ty,
        desc: opt_str(obj, "desc", &path)?,
        source: opt_str(obj, "source", &path)?,
        template: opt_str(obj, "template", &path)?,
        keep_extension: opt_bool(obj, "keep_extension", &path)?.unwrap_or(false),
    })
}

/// Deeper nesting than this is refused: no real tool needs it, and it bounds recursion.
const MAX_TYPE_DEPTH: usize = 32;

fn parse_type(json: &Json, path: &str, depth: usize) -> Result<Type> {
    if depth > MAX_TYPE_DEPTH {
        return Err(Error::spec(path, format!("types nest deeper than {MAX_TYPE_DEPTH} levels")));
    }
    if let Json::String(s) = json {
        return Ok(match s.as_str() {
            "Any" => Type::Any,
            "Bool" => Type::Bool,
            "Int" => Type::Int,
            "Float" => Type::Float,
            "Str" => Type::Str,
            "File" => Type::File { exists: false, extensions: Vec::new() },
            "Directory" => Type::Directory { exists: false },
            other => return Err(Error::spec(path, format!("unknown type '{other}'"))),
        });
    }
    let obj = json
        .as_object()
        .ok_or_else(|| Error::spec(path, "expected a type name or an object such as {\"List\": \"Int\"}"))?;
    let (kind, arg) = obj
        .iter()
        .find(|(k, _)| !matches!(k.as_str(), "minlen" | "maxlen" | "keys"))
        .ok_or_else(|| Error::spec(path, "expected one type constructor key"))?;
    let sub = format!("{path}.{kind}");
    let allowed: &[&str] = match kind.as_str() {
        "List" => &["List", "minlen", "maxlen"],
        "Dict" => &["Dict", "keys"],
        _ => &[kind.as_str()],
    };
    if let Some(extra) = obj.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(Error::spec(path, format!("unexpected key '{extra}' beside '{kind}'")));
    }
    let list = |what: &str| -> Result<&Vec<Json>> {
        arg.as_array().ok_or_else(|| Error::spec(&sub, format!("expected a list of {what}")))
    };
    Ok(match kind.as_str() {
        "File" | "Directory" => {
            let o = arg.as_object().ok_or_else(|| Error::spec(&sub, "expected an object"))?;
            let keys: &[&str] = if kind == "File" { &["exists", "extensions"] } else { &["exists"] };
            reject_unknown(o, keys, &sub)?;
            let exists = opt_bool(o, "exists", &sub)?.unwrap_or(false);
            if kind == "File" {
                // nipype adds a missing leading dot.
                let extensions = str_list(o, "extensions", &sub)?
                    .into_iter()
                    .map(|e| if e.starts_with('.') { e } else { format!(".{e}") })
                    .collect();
                Type::File { exists, extensions }
            } else {
                Type::Directory { exists }
            }
        }
        "Enum" => {
            let values = list("values")?;
            if values.is_empty() {
                return Err(Error::spec(&sub, "an Enum needs at least one value"));
            }
            Type::Enum(values.iter().map(spec_value).collect())
        }
        "Range" => {
            let o = arg.as_object().ok_or_else(|| Error::spec(&sub, "expected an object"))?;
            reject_unknown(o, &["low", "high", "exclude_low", "exclude_high"], &sub)?;
            let bound = |key: &str, excl: &str| -> Result<Option<RangeBound>> {
                let value = match o.get(key).map(spec_value) {
                    None | Some(Value::None) => return Ok(None),
                    Some(Value::Int(i)) => Number::Int(i),
                    Some(Value::Float(f)) => Number::Float(f),
                    Some(_) => {
                        return Err(Error::spec(&format!("{sub}.{key}"), format!("expected a number, got {}", o[key])))
                    }
                };
                Ok(Some(RangeBound { value, exclusive: opt_bool(o, excl, &sub)?.unwrap_or(false) }))
            };
            let low = bound("low", "exclude_low")?;
            let high = bound("high", "exclude_high")?;
            if low.is_none() && high.is_none() {
                return Err(Error::spec(&sub, "a Range needs a low or a high bound"));
            }
            let int = [low, high].iter().flatten().all(|b| matches!(b.value, Number::Int(_)));
            Type::Range { low, high, int }
        }
        "List" => Type::List {
            item: Box::new(parse_type(arg, &sub, depth + 1)?),
            minlen: opt_usize(obj, "minlen", path)?,
            maxlen: opt_usize(obj, "maxlen", path)?,
        },
        "Tuple" => Type::Tuple(
            list("types")?
                .iter()
                .enumerate()
                .map(|(i, t)| parse_type(t, &format!("{sub}[{i}]"), depth + 1))
                .collect::<Result<_>>()?,
        ),
        "Either" => {
            let branches = list("types")?;
            if branches.is_empty() {
                return Err(Error::spec(&sub, "Either needs at least one type"));
            }
            Type::Either(
                branches
                    .iter()
                    .enumerate()
                    .map(|(i, t)| parse_type(t, &format!("{sub}[{i}]"), depth + 1))
                    .collect::<Result<_>>()?,
            )
        }
        "Dict" => Type::Dict(Box::new(parse_type(arg, &sub, depth + 1)?), str_list(obj, "keys", path)?),
        "MultiPath" => Type::MultiPath(Box::new(parse_type(arg, &sub, depth + 1)?)),
        other => return Err(Error::spec(path, format!("unknown type '{other}'"))),
    })
}

/// The inputs every spec has without saying (`args`, `environ`).
pub(super) fn implicit_inputs() -> [Input; 2] {
    [implicit_args(), implicit_environ()]
}

fn implicit_args() -> Input {
    let mut i = bare_input("args", Type::Str);
    i.argstr = Some("%s".into());
    i.desc = Some("Additional parameters to the command".into());
    i
}

fn implicit_environ() -> Input {
    let mut i = bare_input("environ", Type::Dict(Box::new(Type::Str), Vec::new()));
    i.default = Some(Value::Dict(Vec::new()));
    i.usedefault = true;
    i.desc = Some("Environment variables".into());
    i
}

fn bare_input(name: &str, ty: Type) -> Input {
    Input {
        name: name.into(),
        ty,
        desc: None,
        mandatory: None,
        default: None,
        usedefault: false,
        xor: Vec::new(),
        requires: Vec::new(),
        argstr: None,
        position: None,
        sep: None,
        name_source: None,
        name_template: None,
        keep_extension: false,
        genfile: false,
        output_name: None,
        hash_files: true,
        copyfile: None,
        min_ver: None,
        max_ver: None,
        deprecated: None,
        new_name: None,
        absolute: false,
        value_map: Vec::new(),
        genfile_template: None,
        path_form: None,
        omit_when: Vec::new(),
        argstr_inputs: Vec::new(),
        item_argstr: None,
        field: None,
        field_form: None,
        links: Links::default(),
    }
}

fn reject_unknown(obj: &Map<String, Json>, known: &[&str], path: &str) -> Result<()> {
    match obj.keys().find(|k| !known.contains(&k.as_str()) && !k.starts_with("x-")) {
        Some(k) => Err(Error::spec(&join(path, k), format!("unknown key (expected one of: {})", known.join(", ")))),
        None => Ok(()),
    }
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key.to_string()
    } else {
        format!("{path}.{key}")
    }
}

fn req_str(obj: &Map<String, Json>, key: &str, path: &str) -> Result<String> {
    opt_str(obj, key, path)?.ok_or_else(|| Error::spec(&join(path, key), "missing (required)"))
}

fn opt_str(obj: &Map<String, Json>, key: &str, path: &str) -> Result<Option<String>> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::String(s)) => Ok(Some(s.clone())),
        Some(other) => Err(Error::spec(&join(path, key), format!("expected a string, got {other}"))),
    }
}

/// Versions are strings, but a bare number (`"min_ver": 5.0`) is read as its text.
fn opt_version(obj: &Map<String, Json>, key: &str, path: &str) -> Result<Option<String>> {
    match obj.get(key) {
        Some(Json::Number(n)) => Ok(Some(n.to_string())),
        _ => opt_str(obj, key, path),
    }
}

fn opt_bool(obj: &Map<String, Json>, key: &str, path: &str) -> Result<Option<bool>> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(Json::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(Error::spec(&join(path, key), format!("expected true or false, got {other}"))),
    }
}

fn opt_usize(obj: &Map<String, Json>, key: &str, path: &str) -> Result<Option<usize>> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(None),
        Some(v) => v
            .as_u64()
            .map(|n| Some(n as usize))
            .ok_or_else(|| Error::spec(&join(path, key), format!("expected a non-negative integer, got {v}"))),
    }
}

fn str_list(obj: &Map<String, Json>, key: &str, path: &str) -> Result<Vec<String>> {
    match obj.get(key) {
        None | Some(Json::Null) => Ok(Vec::new()),
        Some(Json::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    Error::spec(&format!("{}[{i}]", join(path, key)), format!("expected a string, got {v}"))
                })
            })
            .collect(),
        Some(other) => Err(Error::spec(&join(path, key), format!("expected a list of strings, got {other}"))),
    }
}
