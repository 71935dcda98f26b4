//! The key of a function call, and the readable sidecar stored beside it.
//!
//! A function's key covers its name, its code (an explicit `version`, or the
//! sha256 of its source text, so a changed body misses as in joblib) and its
//! arguments by name, minus the ignored ones: the encoded list
//! `["function", name, code, {args}]` (see `docs/fingerprint.md`). The arguments' own key is kept in
//! the entry too: a miss whose arguments match an entry with other code is a
//! changed function, which `verbose` reports.

use crate::fingerprint::{encode, hex, sha256, Datum, Key};
use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};

/// A function call's key and its parts, for `explain`.
#[derive(Debug, Clone, PartialEq)]
pub struct FunctionKey {
    pub key: Key,
    /// The key of the arguments alone.
    pub args: Key,
    /// `v:<version>` or `sha256:<hash of the source>`.
    pub code: String,
    /// Each argument and the key of its datum.
    pub components: Vec<(String, Key)>,
}

impl FunctionKey {
    /// The parts as JSON: what `explain` returns.
    pub fn explain(&self, name: &str) -> Json {
        explanation(&self.key, super::Kind::Function, name, &self.code, Some(&self.args), &self.components)
    }
}

/// The one shape of `explain`, for function calls and tool runs on every front
/// end: `{key, format, kind, name, code, argsKey, parts}`, where `code` is a
/// function's version or source hash (`v:…`, `sha256:…`) or a run's spec
/// (`spec:…`), `argsKey` the key of a call's arguments alone (`null` for runs),
/// and `parts` each argument's or input's own key.
pub fn explanation(
    key: &Key,
    kind: super::Kind,
    name: &str,
    code: &str,
    args: Option<&Key>,
    parts: &[(String, Key)],
) -> Json {
    let parts: Map<String, Json> = parts.iter().map(|(n, k)| (n.clone(), json!(k.hex()))).collect();
    json!({
        "key": key.hex(),
        "format": crate::fingerprint::FORMAT_VERSION,
        "kind": kind.as_str(),
        "name": name,
        "code": code,
        "argsKey": args.map(Key::hex),
        "parts": parts,
    })
}

/// How a function's code enters its key.
pub fn code_id(version: Option<&str>, source: &str) -> String {
    match version {
        Some(v) => format!("v:{v}"),
        None => format!("sha256:{}", hex(&sha256(source.as_bytes()))),
    }
}

/// Computes the keys of one function's calls. The key is the sha256 of the
/// encoded list `["function", name, code, args]`; everything before `args` is
/// the same for every call, so it is hashed once and the hasher's state reused.
#[derive(Clone)]
pub struct FunctionKeyer {
    code: String,
    prefix: Sha256,
}

impl FunctionKeyer {
    pub fn new(name: &str, code: &str) -> FunctionKeyer {
        let mut prefix = Sha256::new();
        encode::header(&mut prefix);
        encode::list_header(4, &mut prefix);
        for part in ["function", name, code] {
            encode::node(&Datum::Str(part.to_string()), &mut prefix);
        }
        FunctionKeyer { code: code.to_string(), prefix }
    }

    /// Just the key of a call (no parts): what a lookup needs.
    pub fn key(&self, args: &[(String, Datum)]) -> Key {
        let mut h = self.prefix.clone();
        encode::node(&Datum::Map(args.to_vec()), &mut h);
        Key(h.finalize().into())
    }

    /// The key of the arguments alone, stored with an entry (a miss with known
    /// arguments and other code is a changed function).
    pub fn args_key(&self, args: &[(String, Datum)]) -> Key {
        Datum::Map(args.to_vec()).key()
    }

    /// The key and all its parts, for `explain`.
    pub fn parts(&self, args: &[(String, Datum)]) -> FunctionKey {
        FunctionKey {
            key: self.key(args),
            args: self.args_key(args),
            code: self.code.clone(),
            components: args.iter().map(|(n, d)| (n.clone(), d.key())).collect(),
        }
    }
}

/// The key of calling function `name` (whose code is `code`, from [`code_id`])
/// with `args` (name → value, ignored ones already left out).
pub fn function_key(name: &str, code: &str, args: &[(String, Datum)]) -> FunctionKey {
    FunctionKeyer::new(name, code).parts(args)
}

/// Longer strings go into the sidecar as hashes.
const SIDECAR_TEXT_MAX: usize = 256;

/// Readable arguments: scalars and short strings as they are, anything else as
/// its type and hash (kwneuro's params sidecar).
pub fn sidecar(args: &[(String, Datum)]) -> Json {
    let mut out = Map::new();
    for (name, d) in args {
        let v = match d {
            Datum::Null => Json::Null,
            Datum::Bool(b) => json!(b),
            Datum::Int(i) => json!(i),
            Datum::Float(f) if f.is_finite() => json!(f),
            Datum::Str(s) if s.len() <= SIDECAR_TEXT_MAX => json!(s),
            Datum::File { path, .. } => json!({"path": path, "sha256": d.key().hex()}),
            other => json!({"type": kind_name(other), "sha256": other.key().hex()}),
        };
        out.insert(name.clone(), v);
    }
    Json::Object(out)
}

fn kind_name(d: &Datum) -> &'static str {
    match d {
        Datum::Null => "null",
        Datum::Undefined => "undefined",
        Datum::Bool(_) => "bool",
        Datum::Int(_) | Datum::BigInt(_) => "int",
        Datum::Float(_) => "float",
        Datum::Str(_) => "str",
        Datum::Bytes { .. } => "bytes",
        Datum::List(_) => "list",
        Datum::Tuple(_) => "tuple",
        Datum::Map(_) => "map",
        Datum::Object { .. } => "object",
        Datum::Date(_) => "date",
        Datum::File { .. } => "file",
    }
}
