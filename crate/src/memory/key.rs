//! The key of a function call, and the readable sidecar stored beside it.
//!
//! A function's key covers its name, its code (an explicit `version`, or the
//! sha256 of its source text, so a changed body misses as in joblib) and its
//! arguments by name, minus the ignored ones. The arguments' own key is kept in
//! the entry too: a miss whose arguments match an entry with other code is a
//! changed function, which `verbose` reports.

use crate::fingerprint::{hex, sha256, Datum, Key};
use serde_json::{json, Map, Value as Json};

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
        let args: Map<String, Json> = self.components.iter().map(|(n, k)| (n.clone(), json!(k.hex()))).collect();
        json!({
            "key": self.key.hex(),
            "format": crate::fingerprint::FORMAT_VERSION,
            "kind": "function",
            "name": name,
            "code": self.code,
            "argsKey": self.args.hex(),
            "args": args,
        })
    }
}

/// How a function's code enters its key.
pub fn code_id(version: Option<&str>, source: &str) -> String {
    match version {
        Some(v) => format!("v:{v}"),
        None => format!("sha256:{}", hex(&sha256(source.as_bytes()))),
    }
}

/// The key of calling function `name` (whose code is `code`, from [`code_id`])
/// with `args` (name → value, ignored ones already left out).
pub fn function_key(name: &str, code: &str, args: &[(String, Datum)]) -> FunctionKey {
    let args_datum = Datum::Map(args.to_vec());
    let whole = Datum::Map(vec![
        ("kind".into(), Datum::Str("function".into())),
        ("name".into(), Datum::Str(name.into())),
        ("code".into(), Datum::Str(code.into())),
        ("args".into(), args_datum.clone()),
    ]);
    FunctionKey {
        key: whole.key(),
        args: args_datum.key(),
        code: code.to_string(),
        components: args.iter().map(|(n, d)| (n.clone(), d.key())).collect(),
    }
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
