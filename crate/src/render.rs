//! Checked values → the command line, exactly as nipype's `_parse_inputs` builds it.
//!
//! Inputs with an `argstr` are visited in name order; each formats to one
//! "argument" (which may hold spaces: `-f 0.50`). Arguments with a position
//! `>= 0` go first by position, unpositioned ones follow in name order, negative
//! positions close the line (-2 before -1); one argument per position, the last
//! visited wins. The command and the arguments are joined by single spaces, and
//! an argument that formats to `""` still takes its place.

use crate::argv::split_words;
use crate::bind::Bound;
use crate::error::{Error, ErrorKind, Result};
use crate::path::shell_quote;
use crate::spec::{Condition, Input, PathForm, Replacement, Type};
use crate::value::Value;
use std::borrow::Cow;

impl Bound<'_> {
    /// An SPM interface has a MATLAB script (`script`) instead.
    fn has_command_line(&self) -> Result<()> {
        match self.spec.matlab {
            None => Ok(()),
            Some(_) => Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "{}: an SPM interface has no command line; its MATLAB batch script is `script`",
                    self.spec.name
                ),
            )),
        }
    }

    /// The arguments after the command, in order.
    pub fn args(&self) -> Result<Vec<String>> {
        let cwd = self.cwd.as_deref();
        self.collect(|input, value, extras| format_arg(input, value, extras, None, cwd))
    }

    /// The command line as an argument vector, for running a tool without a
    /// shell: the command line split as a POSIX shell would split it (quotes in
    /// the spec's text group words), except that what came from values is taken
    /// literally, so a value with spaces or `;` stays inside its word.
    pub fn argv(&self) -> Result<Vec<String>> {
        self.has_command_line()?;
        let mut words = split_words(&self.spec.command, &[]).map_err(|why| {
            Error::new(ErrorKind::Spec, format!("{}: command {:?}: {why}", self.spec.name, self.spec.command))
        })?;
        let spec = self.spec;
        let cwd = self.cwd.as_deref();
        let marked = self.collect(|input, value, extras| {
            let mut marks = Vec::new();
            let text = format_arg(input, value, extras, Some(&mut marks), cwd)?;
            Ok(text.map(|t| (input.name.as_str(), t, marks)))
        })?;
        for (name, text, marks) in marked {
            words.extend(split_words(&text, &marks).map_err(|why| {
                Error::input(ErrorKind::Spec, &spec.name, name, format!("argstr of input '{name}': {why}"))
            })?);
        }
        Ok(words)
    }

    /// Formats every input with an argstr and orders the results as nipype does.
    fn collect<'s, T>(
        &'s self,
        format: impl Fn(&'s Input, &Value, &[Value]) -> std::result::Result<Option<T>, String>,
    ) -> Result<Vec<T>> {
        let spec = self.spec;
        let mut first: Vec<(i64, T)> = Vec::new();
        let mut middle: Vec<T> = Vec::new();
        let mut last: Vec<(i64, T)> = Vec::new();
        for (i, input) in spec.inputs.iter().enumerate() {
            if input.argstr.is_none() || self.omitted(input) {
                continue;
            }
            let value = if input.name_source.is_some() || input.genfile_template.is_some() {
                self.generated(i)?
            } else if input.genfile && self.values[i].is_none() {
                return Err(Error::input(
                    ErrorKind::Spec,
                    &spec.name,
                    &input.name,
                    format!(
                        "input '{}' has genfile but no name_source, so its name cannot be generated: set it",
                        input.name
                    ),
                ));
            } else {
                self.values[i].as_ref().map(Cow::Borrowed)
            };
            let Some(value) = value else { continue };
            // nipype's Undefined, as `argstr % (value, self.inputs.x)` prints it.
            let extras: Vec<Value> = input
                .links
                .argstr_inputs
                .iter()
                .map(|&j| self.values[j].clone().unwrap_or_else(|| Value::Str("<undefined>".into())))
                .collect();
            let Some(arg) = format(input, &value, &extras).map_err(|why| {
                Error::input(
                    ErrorKind::Type,
                    &spec.name,
                    &input.name,
                    format!(
                        "cannot format input '{}' with argstr {:?}: {why}",
                        input.name,
                        input.argstr.as_deref().unwrap_or("")
                    ),
                )
            })?
            else {
                continue;
            };
            match input.position {
                Some(p) if p >= 0 => place(&mut first, p, arg),
                Some(p) => place(&mut last, p, arg),
                None => middle.push(arg),
            }
        }
        first.sort_by_key(|(p, _)| *p);
        last.sort_by_key(|(p, _)| *p);
        Ok(first.into_iter().map(|(_, a)| a).chain(middle).chain(last.into_iter().map(|(_, a)| a)).collect())
    }

    /// Whether a condition of the input's `omit_when` holds (1.1).
    fn omitted(&self, input: &Input) -> bool {
        input.links.omit_when.iter().any(|(test, j)| self.holds(test, *j))
    }

    /// Whether `test` holds of input `j`'s value (set, or defaulted).
    pub(crate) fn holds(&self, test: &Condition, j: usize) -> bool {
        let value = self.values[j].as_ref();
        match test {
            Condition::Set(_) => value.is_some(),
            Condition::True(_) => value.is_some_and(Value::truthy),
            Condition::False(_) => !value.is_some_and(Value::truthy),
        }
    }

    /// The whole command line: the command and its arguments, space-separated.
    pub fn cmdline(&self) -> Result<String> {
        self.has_command_line()?;
        let args = self.args()?;
        let mut line = String::with_capacity(self.spec.command.len() + args.iter().map(|a| a.len() + 1).sum::<usize>());
        line.push_str(&self.spec.command);
        for a in &args {
            line.push(' ');
            line.push_str(a);
        }
        Ok(line)
    }
}

/// A path value (or each path of a list) written as `path_form` says.
pub(crate) fn path_formed(form: PathForm, value: &Value, cwd: Option<&str>) -> Value {
    use crate::path::{abspath, relpath};
    match value {
        Value::Str(p) => Value::Str(match form {
            PathForm::Basename => p.rsplit('/').next().unwrap_or_default().to_string(),
            PathForm::Absolute => cwd.map_or_else(|| p.clone(), |c| abspath(c, p)),
            PathForm::Relative => relpath(p, cwd),
        }),
        Value::List(items) => Value::List(items.iter().map(|v| path_formed(form, v, cwd)).collect()),
        other => other.clone(),
    }
}

/// A later input at the same position replaces the earlier one, as a dict would.
fn place<T>(slots: &mut Vec<(i64, T)>, pos: i64, arg: T) {
    match slots.iter_mut().find(|(p, _)| *p == pos) {
        Some(slot) => slot.1 = arg,
        None => slots.push((pos, arg)),
    }
}

/// Byte ranges of a formatted argument that came from values.
type Marks = Vec<std::ops::Range<usize>>;

/// nipype's `_format_arg`: `None` when the input contributes nothing (a false
/// flag). With `marks`, the argument is for an argument vector: the ranges that
/// came from values are recorded, and file names are not shell-quoted. A
/// `value_map` (1.1) replaces the value first, or makes the argument empty;
/// `cwd` is the rendering folder, for replacements made `absolute`.
fn format_arg(
    input: &Input,
    value: &Value,
    extras: &[Value],
    mut marks: Option<&mut Marks>,
    cwd: Option<&str>,
) -> std::result::Result<Option<String>, String> {
    let links = &input.links;
    let template = links.argstr.as_ref().expect("linked when argstr is set");
    let mapped;
    let found = crate::names::value_map_entry(&input.value_map, value).map(Replacement::resolve);
    let flag = input.ty == Type::Bool && !links.has_percent;
    let mapped_any = found.is_some();
    let value = match found {
        None => value,
        // On a flag, a replacement is the argument itself; `null`, none.
        Some(None) if flag => return Ok(None),
        Some(Some(replacement)) if flag => return Ok(Some(replacement.py_str())),
        Some(None) => return Ok(Some(String::new())),
        Some(Some(Value::Str(name))) if input.absolute => {
            mapped = Value::Str(cwd.map_or_else(|| name.clone(), |c| crate::path::abspath(c, &name)));
            &mapped
        }
        Some(Some(replacement)) => {
            mapped = replacement;
            &mapped
        }
    };
    let formed;
    let value = match input.path_form {
        Some(form) if !mapped_any => {
            formed = path_formed(form, value, cwd);
            &formed
        }
        _ => value,
    };
    if flag && matches!(value, Value::Bool(_)) {
        return Ok(value.truthy().then(|| input.argstr.clone().unwrap_or_default()));
    }
    let apply = |t: &crate::pyfmt::Template, v: &Value, out: &mut String, m: Option<&mut Marks>| match m {
        Some(m) => t.apply_marked(v, out, m).map_err(|e| e.0),
        None => t.apply_into(v, out).map_err(|e| e.0),
    };
    if !extras.is_empty() {
        // `argstr % (value, self.inputs.a, ...)`: the value as it is, no quoting.
        let mut all = Vec::with_capacity(extras.len() + 1);
        all.push(value.clone());
        all.extend_from_slice(extras);
        let mut out = String::new();
        apply(template, &Value::Tuple(all), &mut out, marks)?;
        return Ok(Some(out));
    }
    let is_list = match input.ty {
        Type::List { .. } | Type::MultiPath(_) => true,
        Type::Either(_) => matches!(value, Value::List(_)),
        _ => false,
    };
    if is_list {
        let sep = input.sep.as_deref().unwrap_or(" ");
        let items: Cow<[Value]> = match value {
            Value::List(items) | Value::Tuple(items) => Cow::Borrowed(items),
            Value::Str(s) => s.chars().map(|c| Value::Str(c.to_string())).collect(),
            Value::Dict(pairs) => pairs.iter().map(|(k, _)| Value::Str(k.clone())).collect(),
            other => return Err(format!("'{}' object is not iterable", other.type_name())),
        };
        let mut out = String::new();
        if let Some(item) = &links.item_argstr {
            // 1.1: each item formatted, joined, and the whole through argstr.
            let mut joined = String::new();
            for (n, x) in items.iter().enumerate() {
                if n > 0 {
                    joined.push_str(sep);
                }
                item.apply_into(x, &mut joined).map_err(|e| e.0)?;
            }
            apply(template, &Value::Str(joined), &mut out, marks)?;
            return Ok(Some(out));
        }
        if let Some(each) = &links.each {
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push_str(sep);
                }
                apply(each, item, &mut out, marks.as_deref_mut())?;
            }
        } else {
            let mut joined = String::new();
            let mut item_marks = Marks::new();
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    joined.push_str(sep);
                }
                let start = joined.len();
                item.write_str(&mut joined);
                item_marks.push(start..joined.len());
            }
            let mut whole = Marks::new();
            apply(template, &Value::Str(joined.clone()), &mut out, marks.is_some().then_some(&mut whole))?;
            if let Some(m) = marks {
                // Where the template copied the joined items verbatim, each item is
                // its own value and the separator is text (`1 2 3` is three words).
                match whole.as_slice() {
                    [r] if out[r.clone()] == joined => {
                        m.extend(item_marks.into_iter().map(|i| i.start + r.start..i.end + r.start))
                    }
                    _ => m.extend(whole),
                }
            }
        }
        return Ok(Some(out));
    }
    let quoted;
    let value = match (&input.ty, value) {
        (Type::File { .. } | Type::Directory { .. }, Value::Str(s)) if !links.quoted && marks.is_none() => {
            let mut q = String::with_capacity(s.len() + 2);
            shell_quote(s, &mut q);
            quoted = Value::Str(q);
            &quoted
        }
        _ => value,
    };
    let mut out = String::new();
    apply(template, value, &mut out, marks)?;
    Ok(Some(out))
}
