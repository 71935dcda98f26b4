//! Cross-references inside a spec, checked once so rendering can trust them.
//!
//! `xor`, `requires`, `name_source` and `new_name` must name inputs of the same
//! spec; a `name_source` chain must not loop. The names become indices and the
//! `argstr`s become parsed templates, so rendering never looks a name up.

use super::{GenfileLinks, GenfileTemplate, LinkedAlternative, Part, Piece, Spec};
use crate::error::{Error, Result};
use crate::pyfmt::Template;

pub(super) fn link(spec: &mut Spec) -> Result<()> {
    let index = |spec: &Spec, from: &str, key: &str, name: &str| -> Result<usize> {
        spec.input_index(name).ok_or_else(|| {
            Error::spec(&format!("inputs.{from}.{key}"), format!("'{name}' is not an input of {}", spec.name))
        })
    };
    for i in 0..spec.inputs.len() {
        let input = &spec.inputs[i];
        let name = input.name.clone();
        let xor = input.xor.iter().map(|n| index(spec, &name, "xor", n)).collect::<Result<Vec<_>>>()?;
        let requires = input.requires.iter().map(|n| index(spec, &name, "requires", n)).collect::<Result<Vec<_>>>()?;
        let name_source = input.name_source.as_deref().map(|n| index(spec, &name, "name_source", n)).transpose()?;
        let new_name = input.new_name.as_deref().map(|n| index(spec, &name, "new_name", n)).transpose()?;
        let genfile = match &input.genfile_template {
            Some(GenfileTemplate::Source { source, template, extension }) => Some(GenfileLinks::Source {
                source: index(spec, &name, "genfile_template.source", source)?,
                template: Template::parse(template),
                extension: *extension,
            }),
            Some(GenfileTemplate::Alternatives(alternatives)) => {
                let mut linked = Vec::with_capacity(alternatives.len());
                for (n, alt) in alternatives.iter().enumerate() {
                    let at = format!("genfile_template[{n}]");
                    linked.push(LinkedAlternative {
                        when: alt
                            .when
                            .iter()
                            .map(|c| Ok((c.clone(), index(spec, &name, &format!("{at}.when"), c.input())?)))
                            .collect::<Result<_>>()?,
                        pieces: pieces(
                            &alt.template,
                            |input| index(spec, &name, &format!("{at}.template"), input),
                            "genfile_template",
                        )?,
                        extension: alt.extension,
                    });
                }
                Some(GenfileLinks::Alternatives(linked))
            }
            None => None,
        };
        let omit_when = input
            .omit_when
            .iter()
            .map(|c| Ok((c.clone(), index(spec, &name, "omit_when", c.input())?)))
            .collect::<Result<Vec<_>>>()?;
        let argstr_inputs =
            input.argstr_inputs.iter().map(|n| index(spec, &name, "argstr_inputs", n)).collect::<Result<Vec<_>>>()?;
        let argstr = input.argstr.clone();
        let repeat = argstr.as_deref().is_some_and(|a| a.ends_with("..."));
        let links = super::Links {
            xor,
            xor_given: input.links.xor_given,
            requires,
            name_source,
            new_name,
            has_percent: argstr.as_deref().is_some_and(|a| a.contains('%')),
            quoted: argstr.as_deref().is_some_and(|a| a.contains("'%s'") || a.contains("\"%s\"")),
            // nipype removes every `...`, not just the trailing one.
            each: argstr.as_deref().filter(|_| repeat).map(|a| Template::parse(&a.replace("...", ""))),
            argstr: argstr.as_deref().map(Template::parse),
            name_template: Some(Template::parse(input.name_template.as_deref().unwrap_or("%s_generated"))),
            genfile,
            omit_when,
            argstr_inputs,
            item_argstr: input.item_argstr.as_deref().map(Template::parse),
        };
        spec.inputs[i].links = links;
    }
    if let Some(super::Extension::ByInput { input, .. }) = &spec.output_extension {
        if spec.input_index(input).is_none() {
            return Err(Error::spec("output_extension.input", format!("'{input}' is not an input of {}", spec.name)));
        }
    }
    let mut named: Vec<(String, &str)> = spec.matlab.as_ref().map(super::matlab::job_inputs).unwrap_or_default();
    for input in &spec.inputs {
        let mut names = Vec::new();
        if let Some(f) = &input.field_form {
            super::matlab::form_inputs(f, &mut names);
        }
        named.extend(names.into_iter().map(|n| (format!("inputs.{}.field_form", input.name), n)));
    }
    if let Some((at, name)) = named.iter().find(|(_, n)| spec.input_index(n).is_none()) {
        return Err(Error::spec(at, format!("'{name}' is not an input of {}", spec.name)));
    }
    if let Some(script) = spec.matlab.as_ref().and_then(|m| m.script.clone()) {
        let found = |input: &str| {
            spec.input_index(input)
                .ok_or_else(|| Error::spec("matlab.script", format!("'{input}' is not an input of {}", spec.name)))
        };
        let parsed = pieces(&script, found, "matlab.script")?;
        spec.matlab.as_mut().expect("checked above").pieces = parsed;
    }
    for o in &spec.outputs {
        if let Some(src) = &o.source {
            if spec.input_index(src).is_none() {
                return Err(Error::spec(
                    &format!("outputs.{}.source", o.name),
                    format!("'{src}' is not an input of {}", spec.name),
                ));
            }
        }
    }
    check_chains(spec)
}

/// A braced template (`{in_file.stem}_b{{1}}`) as text and parts of inputs'
/// values, each input found by `index`; `{@cwd}` (the rendering folder) too in
/// a `matlab.script` (`place`).
fn pieces(text: &str, index: impl Fn(&str) -> Result<usize>, place: &str) -> Result<Vec<Piece>> {
    let bad = |why: String| Error::spec(place, format!("template {text:?}: {why}"));
    let mut out = Vec::new();
    let mut literal = String::new();
    let mut rest = text;
    while let Some(at) = rest.find(['{', '}']) {
        literal.push_str(&rest[..at]);
        let tail = &rest[at..];
        if tail.starts_with("{{") || tail.starts_with("}}") {
            literal.push_str(&tail[..1]);
            rest = &tail[2..];
            continue;
        }
        if tail.starts_with('}') {
            return Err(bad("a '}' without its '{' (write '}}' for a brace)".into()));
        }
        let end = tail.find('}').ok_or_else(|| bad("a '{' without its '}'".into()))?;
        let field = &tail[1..end];
        if field == "@cwd" && place == "matlab.script" {
            if !literal.is_empty() {
                out.push(Piece::Text(std::mem::take(&mut literal)));
            }
            out.push(Piece::Folder);
            rest = &tail[end + 1..];
            continue;
        }
        let (input, part) = match field.split_once('.') {
            None => (field, Part::Value),
            Some((input, "name")) => (input, Part::Name),
            Some((input, "stem")) => (input, Part::Stem),
            Some((input, "ext")) => (input, Part::Ext),
            Some((input, "prefix")) => (input, Part::Prefix),
            Some((_, other)) => return Err(bad(format!("unknown part '.{other}' (name, stem, ext, prefix)"))),
        };
        if !literal.is_empty() {
            out.push(Piece::Text(std::mem::take(&mut literal)));
        }
        out.push(Piece::Part(index(input)?, part));
        rest = &tail[end + 1..];
    }
    literal.push_str(rest);
    if !literal.is_empty() {
        out.push(Piece::Text(literal));
    }
    Ok(out)
}

/// A `name_source` chain that comes back to where it started can never produce a name.
fn check_chains(spec: &Spec) -> Result<()> {
    for start in 0..spec.inputs.len() {
        let mut seen = vec![start];
        let mut at = start;
        while let Some(next) = spec.inputs[at].links.name_source {
            if seen.contains(&next) {
                let names: Vec<_> = seen.iter().chain([&next]).map(|&i| spec.inputs[i].name.as_str()).collect();
                return Err(Error::spec(
                    &format!("inputs.{}.name_source", spec.inputs[start].name),
                    format!("name_source chain loops: {}", names.join(" -> ")),
                ));
            }
            seen.push(next);
            at = next;
        }
    }
    Ok(())
}
