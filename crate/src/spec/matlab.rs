//! Spec 1.1's SPM-mediated interfaces: the job a MATLAB batch script runs.
//!
//! nipype's SPM interfaces put each input at a `field` of a job structure and
//! write the structure out as MATLAB (`jobs{1}.spm.spatial.realign…`). This
//! module holds the spec's side of it: the interface's `matlab` object and the
//! inputs' `field_form`s, read from JSON and written back. Turning values into
//! the script is `crate::script`'s job.

use super::parse::spec_value;
use crate::error::{Error, Result};
use serde_json::{json, Map, Value as Json};

/// The top-level `matlab` object.
#[derive(Debug, Clone, PartialEq)]
pub struct MatlabJob {
    pub jobtype: String,
    pub jobname: String,
    /// Parts between the job name and the inputs' fields.
    pub job_path: Vec<JobPart>,
    /// Fields nipype's `_parse_inputs` adds after the inputs' own.
    pub derived: Vec<Derived>,
    /// A whole script instead of a batch job (interfaces that write their own,
    /// `_make_matlab_command` overridden), its parts in braces.
    pub script: Option<String>,
    /// `script`, parsed (by the spec's cross-reference check).
    pub(crate) pieces: Vec<super::Piece>,
}

/// One part of `job_path`.
#[derive(Debug, Clone, PartialEq)]
pub enum JobPart {
    Name(String),
    /// The value of an input (Realign's `jobtype`).
    Input(String),
}

/// One `derived` field.
#[derive(Debug, Clone, PartialEq)]
pub struct Derived {
    pub field: String,
    pub from: Source,
    pub form: Option<FieldForm>,
    pub when: Vec<When>,
}

/// Where a derived field's value comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// These inputs' values, each as a list, concatenated (one input: its value).
    Inputs(Vec<String>),
    /// The rendering folder (nipype's `os.getcwd()`).
    Folder,
}

/// A condition on an input's value (set meaning set or defaulted).
#[derive(Debug, Clone, PartialEq)]
pub enum When {
    Set(String),
    Unset(String),
    True(String),
    False(String),
    /// The value's text is one of these.
    In(String, Vec<String>),
}

impl When {
    pub fn input(&self) -> &str {
        match self {
            When::Set(i) | When::Unset(i) | When::True(i) | When::False(i) | When::In(i, _) => i,
        }
    }
}

/// How a value is written at its field (nipype's `_format_arg` idioms).
#[derive(Debug, Clone, PartialEq)]
pub enum FieldForm {
    /// `np.array(val, dtype=object)`: a cell.
    Cell,
    /// `scans_for_fname(ensure_list(val))`: a cell of `file,1`.
    Scans,
    /// `scans_for_fnames(val, separate_sessions=True)`: a cell of cells of `file,1`.
    Sessions,
    /// The same with `keep4d=True`: without `,1`.
    Sessions4d,
    /// `scans_for_fnames(val)`: one cell of every session's `file,1`.
    ScansConcat,
    /// `list(val)`.
    List,
    /// Booleans as `1`/`0` (each item of a list).
    Int,
    /// The parts of a tuple joined by `,`, in a one-item cell.
    Join,
    /// CAT12's `Cell2Str`: `{'a'\n'b'}` for a list (a single value: `{value}`),
    /// written as it is (not a string).
    CellStr,
    /// A dict, or each dict of a list, made a struct with its keys renamed
    /// (in the value's own key order).
    Rename(Vec<(String, String)>),
    /// A tuple, or each tuple of a list, made a struct.
    Struct(Vec<StructPart>),
    /// The form another input's value chooses.
    Switch { input: String, cases: Vec<(String, FieldForm)>, default: Box<FieldForm> },
}

/// One field of a `struct` form.
#[derive(Debug, Clone, PartialEq)]
pub struct StructPart {
    pub name: String,
    /// The tuple's item at this index (a list: indexes into nested tuples);
    /// empty: the whole value.
    pub item: Vec<usize>,
    pub form: Option<FieldForm>,
}

const NAMED_FORMS: &[(&str, FieldForm)] = &[
    ("cell", FieldForm::Cell),
    ("scans", FieldForm::Scans),
    ("sessions", FieldForm::Sessions),
    ("sessions4d", FieldForm::Sessions4d),
    ("scans_concat", FieldForm::ScansConcat),
    ("list", FieldForm::List),
    ("int", FieldForm::Int),
    ("join", FieldForm::Join),
    ("cellstr", FieldForm::CellStr),
];

/// Reads the top-level `matlab` object.
pub(super) fn parse_job(json: &Json) -> Result<MatlabJob> {
    let path = "matlab";
    let obj = json.as_object().ok_or_else(|| Error::spec(path, "expected an object"))?;
    known(obj, &["jobtype", "jobname", "job_path", "derived", "script"], path)?;
    let script = match obj.get("script") {
        None => None,
        Some(Json::String(s)) => Some(s.clone()),
        Some(_) => return Err(Error::spec("matlab.script", "expected the script's text")),
    };
    if script.is_some() && ["jobtype", "jobname", "job_path", "derived"].iter().any(|k| obj.contains_key(*k)) {
        return Err(Error::spec(
            path,
            "a 'script' is the whole script: no jobtype, jobname, job_path or derived with it",
        ));
    }
    let text = |key: &str| -> Result<String> {
        match obj.get(key) {
            Some(Json::String(s)) if !s.is_empty() => Ok(s.clone()),
            _ if script.is_some() => Ok(String::new()),
            _ => Err(Error::spec(&format!("{path}.{key}"), "expected a non-empty string")),
        }
    };
    let job_path = items(obj.get("job_path"), "matlab.job_path")?
        .iter()
        .enumerate()
        .map(|(n, part)| match part {
            Json::String(s) => Ok(JobPart::Name(s.clone())),
            Json::Object(o) if o.len() == 1 => match o.get("input") {
                Some(Json::String(s)) => Ok(JobPart::Input(s.clone())),
                _ => Err(Error::spec(&format!("matlab.job_path[{n}]"), "expected a name or {\"input\": INPUT}")),
            },
            _ => Err(Error::spec(&format!("matlab.job_path[{n}]"), "expected a name or {\"input\": INPUT}")),
        })
        .collect::<Result<_>>()?;
    let derived = items(obj.get("derived"), "matlab.derived")?
        .iter()
        .enumerate()
        .map(|(n, d)| parse_derived(d, &format!("matlab.derived[{n}]")))
        .collect::<Result<_>>()?;
    Ok(MatlabJob {
        jobtype: text("jobtype")?,
        jobname: text("jobname")?,
        job_path,
        derived,
        script,
        pieces: Vec::new(),
    })
}

fn parse_derived(json: &Json, path: &str) -> Result<Derived> {
    let obj = json.as_object().ok_or_else(|| Error::spec(path, "expected an object"))?;
    known(obj, &["field", "from", "form", "when"], path)?;
    let field = match obj.get("field") {
        Some(Json::String(s)) if valid_field(s) => s.clone(),
        _ => return Err(Error::spec(&format!("{path}.field"), "expected a dotted field name")),
    };
    let from = match obj.get("from") {
        Some(Json::String(s)) if s == "folder" => Source::Folder,
        Some(Json::String(s)) => Source::Inputs(vec![s.clone()]),
        Some(Json::Array(names)) if !names.is_empty() => Source::Inputs(
            names
                .iter()
                .map(|n| n.as_str().map(str::to_string))
                .collect::<Option<_>>()
                .ok_or_else(|| Error::spec(&format!("{path}.from"), "expected input names"))?,
        ),
        _ => return Err(Error::spec(&format!("{path}.from"), "expected an input, a list of inputs or \"folder\"")),
    };
    let form = obj.get("form").map(|f| parse_form(f, &format!("{path}.form"))).transpose()?;
    let when = items(obj.get("when"), &format!("{path}.when"))?
        .iter()
        .enumerate()
        .map(|(n, w)| parse_when(w, &format!("{path}.when[{n}]")))
        .collect::<Result<_>>()?;
    Ok(Derived { field, from, form, when })
}

fn parse_when(json: &Json, path: &str) -> Result<When> {
    let bad = || {
        Error::spec(path, "expected {\"set\" | \"unset\" | \"true\" | \"false\": INPUT} or {\"in\": [INPUT, [VALUES]]}")
    };
    let (test, arg) = json.as_object().filter(|o| o.len() == 1).and_then(|o| o.iter().next()).ok_or_else(bad)?;
    Ok(match (test.as_str(), arg) {
        ("set", Json::String(i)) => When::Set(i.clone()),
        ("unset", Json::String(i)) => When::Unset(i.clone()),
        ("true", Json::String(i)) => When::True(i.clone()),
        ("false", Json::String(i)) => When::False(i.clone()),
        ("in", Json::Array(pair)) => match pair.as_slice() {
            [Json::String(i), Json::Array(values)] => When::In(
                i.clone(),
                values.iter().map(|v| crate::names::value_text(&spec_value(v)).into_owned()).collect(),
            ),
            _ => return Err(bad()),
        },
        _ => return Err(bad()),
    })
}

/// Reads an input's `field_form` (or a nested form).
pub(super) fn parse_form(json: &Json, path: &str) -> Result<FieldForm> {
    if let Json::String(name) = json {
        return NAMED_FORMS.iter().find(|(n, _)| n == name).map(|(_, f)| f.clone()).ok_or_else(|| {
            let names: Vec<_> = NAMED_FORMS.iter().map(|(n, _)| *n).collect();
            Error::spec(
                path,
                format!("unknown form {name:?}; expected one of {}, a struct or a switch", names.join(", ")),
            )
        });
    }
    let obj = json.as_object().ok_or_else(|| Error::spec(path, "expected a form name or object"))?;
    if let Some(parts) = obj.get("struct") {
        known(obj, &["struct"], path)?;
        let parts =
            parts.as_array().ok_or_else(|| Error::spec(&format!("{path}.struct"), "expected a list of parts"))?;
        return parts
            .iter()
            .enumerate()
            .map(|(n, p)| {
                let at = format!("{path}.struct[{n}]");
                let o = p.as_object().ok_or_else(|| Error::spec(&at, "expected {\"name\", \"item\"?, \"form\"?}"))?;
                known(o, &["name", "item", "form"], &at)?;
                Ok(StructPart {
                    name: match o.get("name") {
                        Some(Json::String(s)) if !s.is_empty() => s.clone(),
                        _ => return Err(Error::spec(&format!("{at}.name"), "expected a field name")),
                    },
                    item: match o.get("item") {
                        None | Some(Json::Null) => Vec::new(),
                        Some(Json::Array(path)) if !path.is_empty() => {
                            path.iter().map(|i| i.as_u64().map(|i| i as usize)).collect::<Option<_>>().ok_or_else(
                                || Error::spec(&format!("{at}.item"), "expected an index or a list of them"),
                            )?
                        }
                        Some(i) => vec![i
                            .as_u64()
                            .ok_or_else(|| Error::spec(&format!("{at}.item"), "expected an index or a list of them"))?
                            as usize],
                    },
                    form: o.get("form").map(|f| parse_form(f, &format!("{at}.form"))).transpose()?,
                })
            })
            .collect::<Result<_>>()
            .map(FieldForm::Struct);
    }
    if let Some(names) = obj.get("rename") {
        known(obj, &["rename"], path)?;
        let names = names
            .as_object()
            .ok_or_else(|| Error::spec(&format!("{path}.rename"), "expected an object from key to field name"))?
            .iter()
            .map(|(k, v)| match v {
                Json::String(n) if !n.is_empty() => Ok((k.clone(), n.clone())),
                _ => Err(Error::spec(&format!("{path}.rename.{k}"), "expected a field name")),
            })
            .collect::<Result<_>>()?;
        return Ok(FieldForm::Rename(names));
    }
    if let Some(input) = obj.get("switch") {
        known(obj, &["switch", "cases", "default"], path)?;
        let input = input.as_str().ok_or_else(|| Error::spec(&format!("{path}.switch"), "expected an input name"))?;
        let cases = obj
            .get("cases")
            .and_then(Json::as_object)
            .ok_or_else(|| Error::spec(&format!("{path}.cases"), "expected an object from value to form"))?
            .iter()
            .map(|(k, f)| Ok((k.clone(), parse_form(f, &format!("{path}.cases.{k}"))?)))
            .collect::<Result<_>>()?;
        let default = parse_form(
            obj.get("default").ok_or_else(|| Error::spec(path, "missing key 'default'"))?,
            &format!("{path}.default"),
        )?;
        return Ok(FieldForm::Switch { input: input.to_string(), cases, default: Box::new(default) });
    }
    Err(Error::spec(path, "expected a form name, {\"struct\": [...]} or {\"switch\": INPUT, ...}"))
}

/// A field: dot-separated names, none empty.
pub(super) fn valid_field(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(|p| !p.is_empty())
}

fn items<'j>(json: Option<&'j Json>, path: &str) -> Result<&'j [Json]> {
    match json {
        None | Some(Json::Null) => Ok(&[]),
        Some(Json::Array(a)) => Ok(a),
        Some(_) => Err(Error::spec(path, "expected a list")),
    }
}

fn known(obj: &Map<String, Json>, keys: &[&str], path: &str) -> Result<()> {
    match obj.keys().find(|k| !keys.contains(&k.as_str())) {
        Some(k) => Err(Error::spec(path, format!("unknown key '{k}' (known: {})", keys.join(", ")))),
        None => Ok(()),
    }
}

/// The `matlab` object as a spec writes it.
pub(super) fn job_json(job: &MatlabJob) -> Json {
    let mut m = Map::new();
    if let Some(script) = &job.script {
        m.insert("script".into(), json!(script));
        return Json::Object(m);
    }
    m.insert("jobtype".into(), json!(job.jobtype));
    m.insert("jobname".into(), json!(job.jobname));
    if !job.job_path.is_empty() {
        let parts = job.job_path.iter().map(|p| match p {
            JobPart::Name(n) => json!(n),
            JobPart::Input(i) => json!({"input": i}),
        });
        m.insert("job_path".into(), Json::Array(parts.collect()));
    }
    if !job.derived.is_empty() {
        let derived = job.derived.iter().map(|d| {
            let mut o = Map::new();
            o.insert("field".into(), json!(d.field));
            o.insert(
                "from".into(),
                match &d.from {
                    Source::Folder => json!("folder"),
                    Source::Inputs(names) if names.len() == 1 => json!(names[0]),
                    Source::Inputs(names) => json!(names),
                },
            );
            if let Some(f) = &d.form {
                o.insert("form".into(), form_json(f));
            }
            if !d.when.is_empty() {
                let when = d.when.iter().map(|w| match w {
                    When::Set(i) => json!({"set": i}),
                    When::Unset(i) => json!({"unset": i}),
                    When::True(i) => json!({"true": i}),
                    When::False(i) => json!({"false": i}),
                    When::In(i, values) => json!({"in": [i, values]}),
                });
                o.insert("when".into(), Json::Array(when.collect()));
            }
            Json::Object(o)
        });
        m.insert("derived".into(), Json::Array(derived.collect()));
    }
    Json::Object(m)
}

/// A form as a spec writes it.
pub(super) fn form_json(form: &FieldForm) -> Json {
    if let Some((name, _)) = NAMED_FORMS.iter().find(|(_, f)| f == form) {
        return json!(name);
    }
    match form {
        FieldForm::Struct(parts) => json!({"struct": parts.iter().map(|p| {
            let mut o = Map::new();
            o.insert("name".into(), json!(p.name));
            match p.item.as_slice() {
                [] => {}
                [i] => { o.insert("item".into(), json!(i)); }
                path => { o.insert("item".into(), json!(path)); }
            }
            if let Some(f) = &p.form { o.insert("form".into(), form_json(f)); }
            Json::Object(o)
        }).collect::<Vec<_>>()}),
        FieldForm::Rename(names) => {
            json!({"rename": names.iter().map(|(k, n)| (k.clone(), json!(n))).collect::<Map<_, _>>()})
        }
        FieldForm::Switch { input, cases, default } => json!({
            "switch": input,
            "cases": cases.iter().map(|(k, f)| (k.clone(), form_json(f))).collect::<Map<_, _>>(),
            "default": form_json(default),
        }),
        _ => unreachable!("named forms are written by name"),
    }
}

/// The inputs a form or a job names, for the spec's cross-reference check.
pub(super) fn form_inputs<'a>(form: &'a FieldForm, out: &mut Vec<&'a str>) {
    match form {
        FieldForm::Struct(parts) => parts.iter().filter_map(|p| p.form.as_ref()).for_each(|f| form_inputs(f, out)),
        FieldForm::Switch { input, cases, default } => {
            out.push(input);
            cases.iter().for_each(|(_, f)| form_inputs(f, out));
            form_inputs(default, out);
        }
        _ => {}
    }
}

/// Every input name the `matlab` object refers to, with the JSON path that does.
pub(super) fn job_inputs(job: &MatlabJob) -> Vec<(String, &str)> {
    let mut out = Vec::new();
    for (n, p) in job.job_path.iter().enumerate() {
        if let JobPart::Input(i) = p {
            out.push((format!("matlab.job_path[{n}]"), i.as_str()));
        }
    }
    for (n, d) in job.derived.iter().enumerate() {
        let at = format!("matlab.derived[{n}]");
        if let Source::Inputs(names) = &d.from {
            out.extend(names.iter().map(|i| (format!("{at}.from"), i.as_str())));
        }
        out.extend(d.when.iter().map(|w| (format!("{at}.when"), w.input())));
        let mut names = Vec::new();
        if let Some(f) = &d.form {
            form_inputs(f, &mut names);
        }
        out.extend(names.into_iter().map(|i| (format!("{at}.form"), i)));
    }
    out
}
