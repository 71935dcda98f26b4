//! Generated file names: nipype's `_filename_from_source`.
//!
//! An input with a `name_source` that is not set (or whose value is itself a
//! `%s` template) gets a name made from another input's value: its folder and
//! extension stripped (`.nii.gz`-style double extensions count as one), passed
//! through the template, then given back the source's extension
//! (`keep_extension`) or the spec's `output_extension`. When the source is itself
//! an unset generated name, its whole generated name is the base (a chain).
//! Nothing is generated while an `xor` partner is set or a `requires` is missing.
//!
//! Spec format 1.1 adds three things here: the extension may be chosen by an
//! input (FSL's `output_type`, AFNI's `outputtype`), an unset input may be
//! named by a `genfile_template` (nipype's `_gen_filename` idiom), and names an
//! input asks to be `absolute` get the rendering folder in front.

use crate::bind::Bound;
use crate::error::{Error, ErrorKind, Result};
use crate::path::split_filename;
use crate::pyfmt::Template;
use crate::spec::{Extension, GenfileLinks, Part, Piece};
use crate::value::Value;
use std::borrow::Cow;

impl Bound<'_> {
    /// The value input `i` renders with: its generated name where nipype would
    /// generate one, else its effective value.
    pub(crate) fn generated(&self, i: usize) -> Result<Option<Cow<'_, Value>>> {
        let spec = self.spec;
        let input = &spec.inputs[i];
        let current = self.values[i].as_ref();
        let unchanged = || Ok(current.map(Cow::Borrowed));
        if let Some(genfile) = &input.links.genfile {
            if current.is_some() {
                return unchanged();
            }
            let made = match genfile {
                GenfileLinks::Source { source, template, extension } => self
                    .genfile_from_template(*source, template, &|why| self.error(i, why))?
                    .map(|name| (name, *extension)),
                GenfileLinks::Alternatives(alternatives) => alternatives
                    .iter()
                    .find(|a| a.when.iter().all(|(test, w)| self.holds(test, *w)))
                    .and_then(|a| self.fill(&a.pieces).map(|name| (name, a.extension))),
            };
            return Ok(made.map(|(name, extension)| {
                let name = if extension { self.with_extension(name) } else { name };
                Cow::Owned(Value::Str(if input.absolute { self.absolute(name) } else { name }))
            }));
        }
        let template_value = match current {
            None => None,
            Some(v) if holds_template(v).map_err(|why| self.error(i, why))? => Some(v),
            Some(_) => return unchanged(),
        };
        let Some(source) = input.links.name_source else {
            return unchanged();
        };
        if input.links.xor.iter().any(|&p| self.defined(p)) || !input.links.requires.iter().all(|&r| self.defined(r)) {
            return unchanged();
        }
        let owned;
        let template = match template_value {
            Some(Value::Str(t)) => {
                owned = Template::parse(t);
                &owned
            }
            Some(other) => {
                return Err(self.error(i, format!("a name template must be a string, not {}", other.type_name())))
            }
            None => input.links.name_template.as_ref().expect("linked"),
        };
        match self.derive(template, source, input.keep_extension, &|why| self.error(i, why))? {
            Some(name) if input.absolute => Ok(Some(Cow::Owned(Value::Str(self.absolute(name))))),
            Some(name) => Ok(Some(Cow::Owned(Value::Str(name)))),
            None => unchanged(),
        }
    }

    /// `name` in the rendering folder (as it is where the folder is unknown).
    pub(crate) fn absolute(&self, name: String) -> String {
        match &self.cwd {
            Some(cwd) => crate::path::abspath(cwd, &name),
            None => name,
        }
    }

    /// A braced template filled from the inputs' values; `None` when an input
    /// it names is not set.
    pub(crate) fn fill(&self, pieces: &[Piece]) -> Option<String> {
        let mut out = String::new();
        for piece in pieces {
            match piece {
                Piece::Text(t) => out.push_str(t),
                Piece::Folder => out.push_str(self.cwd.as_deref()?),
                Piece::Part(i, Part::Value) => out.push_str(&self.values[*i].as_ref()?.py_str()),
                Piece::Part(i, part) => {
                    // Path parts are of the first item of a list.
                    let mut first = self.values[*i].as_ref()?;
                    while let Value::List(items) = first {
                        first = items.first()?;
                    }
                    let text = match first {
                        Value::Str(s) => Cow::Borrowed(s.as_str()),
                        other => Cow::Owned(other.py_str()),
                    };
                    let name = text.rsplit('/').next().unwrap_or_default();
                    out.push_str(match part {
                        Part::Stem => split_filename(&text).1,
                        Part::Ext => split_filename(&text).2,
                        Part::Prefix => name.split('.').next().unwrap_or_default(),
                        Part::Name | Part::Value => name,
                    });
                }
            }
        }
        Some(out)
    }

    /// `template % base`, `base` being input `source`'s value (its first item)
    /// without folder and extension; `None` when the source is not set.
    fn genfile_from_template(
        &self,
        source: usize,
        template: &Template,
        fail: &dyn Fn(String) -> Error,
    ) -> Result<Option<String>> {
        let Some(mut v) = self.values[source].as_ref() else { return Ok(None) };
        while let Value::List(items) = v {
            match items.first() {
                Some(first) => v = first,
                None => return Ok(None),
            }
        }
        let base = match v {
            Value::Str(s) => Value::Str(split_filename(s).1.to_string()),
            other => other.clone(),
        };
        template.apply(&base).map(Some).map_err(|e| fail(format!("genfile_template: {e}")))
    }

    /// `name` with the spec's output extension, if it has one: appended, or in
    /// place of the name's own (AFNI: `os.path.join(folder, base + ext)` of
    /// `split_filename(name)`).
    fn with_extension(&self, mut name: String) -> String {
        match self.extension() {
            Some((ext, true)) => {
                let (dir, stem, _) = split_filename(&name);
                match dir {
                    "" => format!("{stem}{ext}"),
                    d if d.ends_with('/') => format!("{d}{stem}{ext}"),
                    d => format!("{d}/{stem}{ext}"),
                }
            }
            Some((ext, false)) => {
                name.push_str(ext);
                name
            }
            None => name,
        }
    }

    /// The extension generated names get, and whether it replaces theirs.
    fn extension(&self) -> Option<(&str, bool)> {
        match self.spec.output_extension.as_ref()? {
            Extension::Fixed(ext) => Some((ext, false)),
            Extension::ByInput { input, map, replace } => {
                let i = self.spec.input_index(input)?;
                let text = value_text(self.values[i].as_ref()?);
                map.iter().find(|(k, _)| *k == text).map(|(_, ext)| (ext.as_str(), *replace))
            }
        }
    }

    /// A name made by `template` from the base name of input `source` (followed
    /// through a chain of generated names), with its extension handled as the
    /// spec says; `None` when the source has no value.
    fn derive(
        &self,
        template: &Template,
        source: usize,
        keep_extension: bool,
        fail: &dyn Fn(String) -> Error,
    ) -> Result<Option<String>> {
        let spec = self.spec;
        let (base, source_ext) = match &self.values[source] {
            Some(v) => {
                let mut v = v;
                while let Value::List(items) = v {
                    v = items.first().ok_or_else(|| {
                        fail(format!("its name source '{}' is an empty list", spec.inputs[source].name))
                    })?;
                }
                match v {
                    Value::Str(s) => {
                        let (_, stem, ext) = split_filename(s);
                        (Value::Str(stem.to_string()), ext.to_string())
                    }
                    other => (other.clone(), String::new()),
                }
            }
            None => match self.generated(source)?.map(Cow::into_owned) {
                Some(Value::Str(s)) => {
                    let ext = split_filename(&s).2.to_string();
                    (Value::Str(s), ext)
                }
                Some(other) => {
                    return Err(fail(format!(
                        "its name source '{}' is not a file name: {}",
                        spec.inputs[source].name,
                        other.py_repr()
                    )))
                }
                None => return Ok(None),
            },
        };
        let mut name = template.apply(&base).map_err(|e| fail(format!("name template: {e}")))?;
        let ext_empty = split_filename(&name).2.is_empty();
        if keep_extension && (!ext_empty || !source_ext.is_empty()) {
            if ext_empty {
                name.push_str(&source_ext);
            }
        } else {
            name = self.with_extension(name);
        }
        Ok(Some(name))
    }

    /// The file name of each declared output as far as the inputs decide it
    /// (nipype's `_list_outputs`): the value (set or generated) of the input
    /// whose `output_name` is the output, else the output's `template` applied to
    /// its `source` (a template without a source is a fixed name); `None` for an
    /// output the run itself reports, or whose input or source is unset. Names
    /// are as rendered: relative ones are relative to the working directory.
    pub fn output_names(&self) -> Result<Vec<(String, Option<String>)>> {
        let spec = self.spec;
        let mut out = Vec::with_capacity(spec.outputs.len());
        for o in &spec.outputs {
            let named_by = spec.inputs.iter().position(|inp| {
                (inp.genfile
                    || inp.name_source.is_some()
                    || inp.genfile_template.is_some()
                    || inp.output_name.is_some())
                    && inp.output_name.as_deref().unwrap_or(&inp.name) == o.name
            });
            let name = if let Some(i) = named_by {
                match self.generated(i)?.as_deref() {
                    Some(Value::Str(s)) => Some(s.clone()),
                    Some(other) => Some(other.py_str()),
                    None => None,
                }
            } else if let Some(t) = &o.template {
                let fail = |why: String| {
                    Error::new(ErrorKind::Spec, format!("{}: cannot name output '{}': {why}", spec.name, o.name))
                };
                match o.source.as_deref().and_then(|s| spec.input_index(s)) {
                    Some(src) => self.derive(&Template::parse(t), src, o.keep_extension, &fail)?,
                    None if t.contains('%') => {
                        return Err(fail("a template with '%' needs a `source` input".to_string()))
                    }
                    None => Some(t.clone()),
                }
            } else {
                None
            };
            out.push((o.name.clone(), name));
        }
        Ok(out)
    }

    fn error(&self, i: usize, why: impl std::fmt::Display) -> Error {
        let name = &self.spec.inputs[i].name;
        Error::input(
            ErrorKind::Type,
            &self.spec.name,
            name,
            format!("cannot generate a name for input '{name}': {why}"),
        )
    }
}

/// A scalar value as `value_map` and `output_extension`'s `map` name it:
/// `true`/`false`, a string itself, a number as Python prints it.
pub(crate) fn value_text(v: &Value) -> Cow<'_, str> {
    match v {
        Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Value::Str(s) => Cow::Borrowed(s),
        other => Cow::Owned(other.py_str()),
    }
}

/// The `value_map` entry for `value`, if any: keyed by its text, the keys
/// `true`/`false` matching Booleans only (a file called `true` is a file name).
pub(crate) fn value_map_entry<'m>(
    map: &'m [(String, crate::spec::Replacement)],
    value: &Value,
) -> Option<&'m crate::spec::Replacement> {
    if map.is_empty() {
        return None;
    }
    let text = value_text(value);
    let is_bool = matches!(value, Value::Bool(_));
    map.iter().find(|(k, _)| *k == text && (is_bool || (k != "true" && k != "false"))).map(|(_, v)| v)
}

/// Python's `"%s" in value`.
fn holds_template(v: &Value) -> std::result::Result<bool, String> {
    match v {
        Value::Str(s) => Ok(s.contains("%s")),
        Value::List(items) | Value::Tuple(items) => Ok(items.iter().any(|x| matches!(x, Value::Str(s) if s == "%s"))),
        Value::Dict(pairs) => Ok(pairs.iter().any(|(k, _)| k == "%s")),
        other => Err(format!("argument of type '{}' is not iterable", other.type_name())),
    }
}
