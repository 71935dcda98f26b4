//! `help()`: the interface described as nipype's `Interface.help()` does.
//!
//! Mandatory inputs, then optional ones, then outputs; each with its type,
//! default, description, argument and position, and its `xor`/`requires`
//! partners; lines wrapped at 70 columns and tabs expanded, as nipype prints them.

use crate::spec::{Input, Output, Spec, Type};

const WIDTH: usize = 70;

/// The help text of a spec.
pub fn help(spec: &Spec) -> String {
    let mut lines: Vec<String> = vec![format!("Wraps the executable command ``{}``.", spec.command), String::new()];
    if let Some(v) = &spec.version {
        lines.push(format!("Tool version: {v}"));
        lines.push(String::new());
    }
    lines.push("Inputs::".into());
    let (mandatory, optional): (Vec<&Input>, Vec<&Input>) = spec.inputs.iter().partition(|i| i.mandatory == Some(true));
    if !mandatory.is_empty() {
        lines.extend([String::new(), "\t[Mandatory]".into()]);
        for i in &mandatory {
            lines.extend(describe_input(i));
        }
    }
    if !optional.is_empty() {
        lines.extend([String::new(), "\t[Optional]".into()]);
        for i in &optional {
            lines.extend(describe_input(i));
        }
    }
    lines.extend([String::new(), "Outputs::".into(), String::new()]);
    if spec.outputs.is_empty() {
        lines.push("\tNone".into());
    }
    let mut outputs: Vec<&Output> = spec.outputs.iter().collect();
    outputs.sort_by(|a, b| a.name.cmp(&b.name));
    for o in outputs {
        lines.extend(describe(&o.name, &o.ty, None, o.desc.as_deref()));
    }
    lines.push(String::new());
    expand_tabs(&lines.join("\n"))
}

fn describe_input(i: &Input) -> Vec<String> {
    let default = if i.usedefault { i.default.clone().or_else(|| i.ty.implicit_default()) } else { None };
    let mut out = describe(&i.name, &i.ty, default.map(|d| d.py_str()), i.desc.as_deref());
    if let Some(argstr) = &i.argstr {
        let line = match i.position {
            Some(p) => format!("argument: ``{argstr}``, position: {p}"),
            None => format!("argument: ``{argstr}``"),
        };
        out.extend(wrap(&line, "\t\t", "\t\t"));
    }
    if !i.xor.is_empty() {
        out.extend(wrap(&i.xor.join(", "), "\t\tmutually_exclusive: ", "\t\t "));
    }
    let others: Vec<&str> = i.requires.iter().map(String::as_str).filter(|r| *r != i.name).collect();
    if !others.is_empty() {
        out.extend(wrap(&others.join(", "), "\t\trequires: ", "\t\t "));
    }
    if let Some(dep) = &i.deprecated {
        let instead = i.new_name.as_deref().map(|n| format!(", replaced by {n}")).unwrap_or_default();
        out.extend(wrap(&format!("deprecated from version {dep}{instead}"), "\t\t", "\t\t"));
    }
    out
}

fn describe(name: &str, ty: &Type, default: Option<String>, desc: Option<&str>) -> Vec<String> {
    let default = default.map(|d| format!(", nipype default value: {d}")).unwrap_or_default();
    let mut out = wrap(&format!("({}{default})", ty.describe()), &format!("\t{name}: "), "\t\t  ");
    if let Some(desc) = desc {
        for line in desc.split('\n') {
            let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
            out.extend(wrap(&line, "\t\t", "\t\t"));
        }
    }
    out
}

/// Greedy word wrap as Python's `textwrap.wrap` (indents count one column per tab).
fn wrap(text: &str, first: &str, rest: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut empty = true;
    for word in text.split_whitespace() {
        let len = line.chars().count();
        if !empty && len + 1 + word.chars().count() > WIDTH {
            lines.push(std::mem::replace(&mut line, rest.to_string()));
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    if !empty {
        lines.push(line);
    }
    lines
}

fn expand_tabs(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    let mut col = 0;
    for c in s.chars() {
        match c {
            '\t' => {
                let n = 8 - col % 8;
                out.extend(std::iter::repeat_n(' ', n));
                col += n;
            }
            '\n' => {
                out.push(c);
                col = 0;
            }
            _ => {
                out.push(c);
                col += 1;
            }
        }
    }
    out
}
