//! The interface spec: what a command-line tool takes and gives.
//!
//! A spec is JSON (`shared/spec-format.md`, version 1) and mirrors nipype's
//! input/output specs field by field. This module holds the model; `parse` reads
//! JSON into it, resolving `extends` and naming the JSON path of every mistake;
//! `check` verifies that the cross-references between inputs hold. Nothing here
//! looks at input values: that is `bind`'s job.

mod check;
mod export;
mod matlab;
mod parse;
mod to_spec;
mod types;

pub use matlab::{Derived, FieldForm, JobPart, MatlabJob, Source, StructPart, When};
pub use parse::{parse_spec, parse_spec_with, ParentLookup};
pub use types::{RangeBound, Type};

use crate::pyfmt::Template;
use crate::value::Value;

/// What a `value_map` entry puts in place of a value.
#[derive(Debug, Clone, PartialEq)]
pub enum Replacement {
    /// `null`: the empty argument (on a flag, none).
    Empty,
    /// A string or a number, formatted as the value would have been.
    Value(Value),
    /// `{"host": "cpu_count"}`: the rendering machine's CPU count, as nipype's
    /// `multiprocessing.cpu_count()` (MRtrix3's `nthreads` 0).
    CpuCount,
}

impl Replacement {
    /// The value it stands for on this machine (`None`: the empty argument).
    pub fn resolve(&self) -> Option<Value> {
        match self {
            Replacement::Empty => None,
            Replacement::Value(v) => Some(v.clone()),
            Replacement::CpuCount => Some(Value::Int(crate::host::cpu_count() as i64)),
        }
    }
}

/// A parsed, checked interface spec.
#[derive(Debug, Clone)]
pub struct Spec {
    pub name: String,
    pub command: String,
    pub version: Option<String>,
    pub output_extension: Option<Extension>,
    /// Inputs sorted by name in code-point order: the order nipype renders them in.
    pub inputs: Vec<Input>,
    /// Indices into `inputs`, in the order the spec declares them (implicit ones first).
    pub declared: Vec<usize>,
    pub outputs: Vec<Output>,
    /// The parent this spec extends, if any (already merged in).
    pub extends: Option<String>,
    /// The tool needs an X display (nipype's `_redirect_x`): the runner starts it
    /// under `xvfb-run`. An extension of the spec format; default `false`.
    pub redirect_x: bool,
    /// 1.1: an SPM-mediated interface, whose inputs fill a MATLAB batch job
    /// (then `command` is empty: there is no command line).
    pub matlab: Option<MatlabJob>,
}

/// The extension given to generated names (`output_extension`).
#[derive(Debug, Clone, PartialEq)]
pub enum Extension {
    /// v1: always this one (FSL's output type, fixed).
    Fixed(String),
    /// 1.1: the one `map` gives for `input`'s value, appended (FSL's
    /// `_overload_extension`) or replacing the name's own (AFNI's).
    ByInput { input: String, map: Vec<(String, String)>, replace: bool },
}

/// 1.1's `genfile_template`: the name of an unset input, made from other
/// inputs (nipype's `_gen_filename` idioms).
#[derive(Debug, Clone, PartialEq)]
pub enum GenfileTemplate {
    /// `template % base(source)`; `extension`: with the spec's output extension
    /// (FSL's `_gen_fname`).
    Source { source: String, template: String, extension: bool },
    /// The first alternative that applies, its template naming parts in braces.
    Alternatives(Vec<Alternative>),
}

/// One alternative of a `genfile_template` list.
#[derive(Debug, Clone, PartialEq)]
pub struct Alternative {
    /// Conditions that must all hold for it to apply (a plain name: set and true).
    pub when: Vec<Condition>,
    pub template: String,
    pub extension: bool,
}

/// A part of an input's value that a braced template names: `{in}`,
/// `{in.name}`, `{in.stem}`, `{in.ext}`, `{in.prefix}`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    Value,
    Name,
    Stem,
    Ext,
    Prefix,
}

/// 1.1's `omit_when`: when an argument is left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The input is set (or defaulted).
    Set(String),
    /// The input is set and true in Python's sense.
    True(String),
    /// The input is not set, or false in Python's sense.
    False(String),
}

impl Condition {
    pub fn input(&self) -> &str {
        match self {
            Condition::Set(i) | Condition::True(i) | Condition::False(i) => i,
        }
    }
}

/// 1.1's `path_form`: how a path value is written (nipype's `_format_arg`
/// overrides that pass `os.path.basename`, `abspath` or `relpath` of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PathForm {
    Basename,
    Absolute,
    Relative,
}

/// One input and its nipype metadata.
#[derive(Debug, Clone)]
pub struct Input {
    pub name: String,
    pub ty: Type,
    pub desc: Option<String>,
    /// `Some(false)` differs from `None`: nipype skips `requires` for the former.
    pub mandatory: Option<bool>,
    pub default: Option<Value>,
    pub usedefault: bool,
    pub xor: Vec<String>,
    pub requires: Vec<String>,
    pub argstr: Option<String>,
    pub position: Option<i64>,
    pub sep: Option<String>,
    pub name_source: Option<String>,
    pub name_template: Option<String>,
    pub keep_extension: bool,
    pub genfile: bool,
    pub output_name: Option<String>,
    pub hash_files: bool,
    pub copyfile: Option<bool>,
    pub min_ver: Option<String>,
    pub max_ver: Option<String>,
    pub deprecated: Option<String>,
    pub new_name: Option<String>,
    /// 1.1: names the spec makes for this input are made absolute.
    pub absolute: bool,
    /// 1.1: a value's text → its replacement.
    pub value_map: Vec<(String, Replacement)>,
    /// 1.1: the name this input gets when unset.
    pub genfile_template: Option<GenfileTemplate>,
    /// 1.1: how a path value is written.
    pub path_form: Option<PathForm>,
    /// 1.1: when the argument is left out.
    pub omit_when: Vec<Condition>,
    /// 1.1: other inputs whose values fill `argstr` after this one's.
    pub argstr_inputs: Vec<String>,
    /// 1.1: the format of each item of a list value.
    pub item_argstr: Option<String>,
    /// 1.1 (SPM): where the value goes in the MATLAB job, dotted.
    pub field: Option<String>,
    /// 1.1 (SPM): how the value is written at its field.
    pub field_form: Option<FieldForm>,
    /// Resolved cross-references and pre-parsed formats, for fast rendering.
    pub(crate) links: Links,
}

/// Indices and parsed templates derived from an input's metadata.
#[derive(Debug, Clone, Default)]
pub(crate) struct Links {
    pub xor: Vec<usize>,
    /// `xor` was written, even as `[]`: nipype then skips the plain mandatory check.
    pub xor_given: bool,
    pub requires: Vec<usize>,
    pub name_source: Option<usize>,
    pub new_name: Option<usize>,
    /// `argstr` as a template.
    pub argstr: Option<Template>,
    /// For an `argstr` ending in `...`: the template applied to each list item.
    pub each: Option<Template>,
    /// Whether `argstr` contains a `%` at all (a `Bool` without one is a flag).
    pub has_percent: bool,
    /// Whether `argstr` already quotes its value (`'%s'` or `"%s"`).
    pub quoted: bool,
    pub name_template: Option<Template>,
    /// `genfile_template`, its names resolved and templates parsed.
    pub genfile: Option<GenfileLinks>,
    /// `omit_when`, by input index.
    pub omit_when: Vec<(Condition, usize)>,
    pub argstr_inputs: Vec<usize>,
    pub item_argstr: Option<Template>,
}

/// A linked `genfile_template`.
#[derive(Debug, Clone)]
pub(crate) enum GenfileLinks {
    Source { source: usize, template: Template, extension: bool },
    Alternatives(Vec<LinkedAlternative>),
}

#[derive(Debug, Clone)]
pub(crate) struct LinkedAlternative {
    pub when: Vec<(Condition, usize)>,
    pub pieces: Vec<Piece>,
    pub extension: bool,
}

/// A braced template, parsed: text, and parts of inputs' values.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Piece {
    Text(String),
    Part(usize, Part),
    /// `{@cwd}`: the rendering folder (a `matlab.script` only).
    Folder,
}

/// One output.
#[derive(Debug, Clone)]
pub struct Output {
    pub name: String,
    pub ty: Type,
    pub desc: Option<String>,
    /// The input whose base name fills `template`.
    pub source: Option<String>,
    pub template: Option<String>,
    pub keep_extension: bool,
}

impl Spec {
    /// Whether rendering needs the rendering folder (absolute names, paths
    /// written absolute or relative): then binding asks the probe, and only then.
    pub fn needs_working_dir(&self) -> bool {
        self.inputs.iter().any(|i| i.absolute || matches!(i.path_form, Some(PathForm::Absolute | PathForm::Relative)))
            || self.matlab.as_ref().is_some_and(|m| {
                m.derived.iter().any(|d| d.from == Source::Folder) || m.pieces.contains(&Piece::Folder)
            })
    }

    /// The index of the input called `name`.
    pub fn input_index(&self, name: &str) -> Option<usize> {
        self.inputs.binary_search_by(|i| i.name.as_str().cmp(name)).ok()
    }

    pub fn input(&self, name: &str) -> Option<&Input> {
        self.input_index(name).map(|i| &self.inputs[i])
    }

    /// Pairs of inputs that share a position without excluding each other through
    /// `xor`: legal (nipype keeps the one sorting last), but usually a mistake.
    pub fn position_clashes(&self) -> Vec<(String, String, i64)> {
        let mut out = Vec::new();
        for (a, x) in self.inputs.iter().enumerate() {
            for y in &self.inputs[a + 1..] {
                if x.argstr.is_some()
                    && y.argstr.is_some()
                    && x.position.is_some()
                    && x.position == y.position
                    && !x.xor.contains(&y.name)
                    && !y.xor.contains(&x.name)
                {
                    out.push((x.name.clone(), y.name.clone(), x.position.unwrap_or_default()));
                }
            }
        }
        out
    }
}
