//! One error type for the whole crate.
//!
//! Every failure is a value with a [`ErrorKind`] — a stable, lower-case code that
//! front ends print (`error[mandatory]: …`) and that JavaScript sees as `err.kind` —
//! and a message that names the interface and the input, so a user can act on it
//! without a stack trace. The kinds of the spec contract come first; later layers
//! (stores, runner) add their own codes here rather than inventing new error types.

use std::fmt;

/// The stable code of a failure. Its [`ErrorKind::code`] never changes between
/// releases: scripts and tests match on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// The spec itself is malformed or inconsistent.
    Spec,
    /// A mandatory input (and all its `xor` partners) is unset.
    Mandatory,
    /// Two mutually exclusive inputs are set.
    Xor,
    /// A set input lacks one of the inputs it `requires`.
    Requires,
    /// A value does not fit its input's type, or cannot be formatted by its `argstr`.
    Type,
    /// A path that must exist does not.
    Exists,
    /// An input is used outside its `min_ver`/`max_ver` bounds.
    Version,
    /// A deprecated input is set.
    Deprecated,
    /// Inputs (not the spec) are not well-formed JSON, or not an object.
    Input,
    /// A store could not read or write (I/O, a full disk, an unknown layout).
    Store,
    /// A path would lead outside a run's working directory (`../`, an absolute
    /// output name), or a file to stage clashes with another.
    Path,
    /// A tool could not be started, exited non-zero, or did not produce a
    /// declared output.
    Run,
    /// A store was asked for a capability it does not have (a folder for a
    /// tool run's files, in a store that keeps only values).
    Unsupported,
}

impl ErrorKind {
    /// The stable code, as printed in `error[CODE]`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Spec => "spec",
            ErrorKind::Mandatory => "mandatory",
            ErrorKind::Xor => "xor",
            ErrorKind::Requires => "requires",
            ErrorKind::Type => "type",
            ErrorKind::Exists => "exists",
            ErrorKind::Version => "version",
            ErrorKind::Deprecated => "deprecated",
            ErrorKind::Input => "input",
            ErrorKind::Store => "store",
            ErrorKind::Path => "path",
            ErrorKind::Run => "run",
            ErrorKind::Unsupported => "unsupported",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// A failure: its kind, the input it concerns (if any) and a readable message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    pub kind: ErrorKind,
    /// The input the failure concerns, when there is one.
    pub input: Option<String>,
    pub message: String,
}

impl Error {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error { kind, input: None, message: message.into() }
    }

    /// An error about one input of one interface; the message is prefixed
    /// with the interface name (`BET: input 'frac' …`).
    pub fn input(kind: ErrorKind, interface: &str, input: &str, message: impl Into<String>) -> Self {
        Error { kind, input: Some(input.to_string()), message: format!("{interface}: {}", message.into()) }
    }

    /// A malformed spec; `path` is the JSON path of the offending node.
    pub fn spec(path: &str, message: impl fmt::Display) -> Self {
        let message = if path.is_empty() { message.to_string() } else { format!("{path}: {message}") };
        Error { kind: ErrorKind::Spec, input: None, message }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
