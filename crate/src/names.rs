//! Generated file names: nipype's `_filename_from_source`.
//!
//! An input with a `name_source` that is not set (or whose value is itself a
//! `%s` template) gets a name made from another input's value: its folder and
//! extension stripped (`.nii.gz`-style double extensions count as one), passed
//! through the template, then given back the source's extension
//! (`keep_extension`) or the spec's `output_extension`. When the source is itself
//! an unset generated name, its whole generated name is the base (a chain).
//! Nothing is generated while an `xor` partner is set or a `requires` is missing.

use crate::bind::Bound;
use crate::error::{Error, ErrorKind, Result};
use crate::path::split_filename;
use crate::pyfmt::Template;
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
        let (base, source_ext) = match &self.values[source] {
            Some(v) => {
                let mut v = v;
                while let Value::List(items) = v {
                    v = items.first().ok_or_else(|| {
                        self.error(i, format!("its name source '{}' is an empty list", spec.inputs[source].name))
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
                    return Err(self.error(
                        i,
                        format!(
                            "its name source '{}' is not a file name: {}",
                            spec.inputs[source].name,
                            other.py_repr()
                        ),
                    ))
                }
                None => return unchanged(),
            },
        };
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
        let mut name = template.apply(&base).map_err(|e| self.error(i, format!("name template: {e}")))?;
        let ext_empty = split_filename(&name).2.is_empty();
        if input.keep_extension && (!ext_empty || !source_ext.is_empty()) {
            if ext_empty {
                name.push_str(&source_ext);
            }
        } else if let Some(ext) = &spec.output_extension {
            name.push_str(ext);
        }
        Ok(Some(Cow::Owned(Value::Str(name))))
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

/// Python's `"%s" in value`.
fn holds_template(v: &Value) -> std::result::Result<bool, String> {
    match v {
        Value::Str(s) => Ok(s.contains("%s")),
        Value::List(items) | Value::Tuple(items) => Ok(items.iter().any(|x| matches!(x, Value::Str(s) if s == "%s"))),
        Value::Dict(pairs) => Ok(pairs.iter().any(|(k, _)| k == "%s")),
        other => Err(format!("argument of type '{}' is not iterable", other.type_name())),
    }
}
