//! What the cache knows about an entry besides its value.
//!
//! Eviction, listings and `validate` callbacks read only this metadata, so a
//! store can answer them without touching values. Last use is recorded here,
//! never taken from file access times (which `noatime` mounts don't keep).

use crate::fingerprint::Key;
use serde_json::Value as Json;

/// What produced an entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Function,
    Interface,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Function => "function",
            Kind::Interface => "interface",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        match s {
            "function" => Some(Kind::Function),
            "interface" => Some(Kind::Interface),
            _ => None,
        }
    }
}

/// How an entry's value is encoded: each front end reads the formats it knows
/// and treats any other as a miss, leaving the entry alone (it may belong to a
/// newer toolmemo, or to another front end). Documented in `docs/cache-layout.md`.
pub mod format {
    /// UTF-8 JSON text (the Rust API's cached functions).
    pub const JSON: &str = "json";
    /// V8's structured-clone serialization (JS values on disk, under Node).
    pub const V8: &str = "v8";
    /// A JS value held as it is (the memory and IndexedDB stores in JS); never on disk.
    pub const JS: &str = "js";
    /// A tool run: the run record (JSON), with the tool's files in the entry's
    /// folder (`work/`) where the store has folders.
    pub const RUN: &str = "run/1";
    /// Entries written before formats were recorded: decoded by trying.
    pub const LEGACY: &str = "";
}

/// An entry's metadata. Times are milliseconds since the epoch.
#[derive(Debug, Clone, PartialEq)]
pub struct Meta {
    pub key: Key,
    pub kind: Kind,
    /// The function's or interface's name.
    pub name: String,
    pub created_ms: f64,
    pub last_access_ms: f64,
    /// The run (one opening of a Memory) that last used the entry.
    pub last_run: String,
    pub hits: u64,
    /// Size of the stored value.
    pub bytes: u64,
    /// How long computing the value took.
    pub duration_ms: f64,
    /// The function's code hash or version (functions only): a changed body misses.
    pub code: Option<String>,
    /// The key of the arguments alone, to tell a changed body from new arguments.
    pub args: Option<Key>,
    /// Readable inputs: scalars as they are, the rest as hashes (kwneuro's sidecar).
    pub sidecar: Json,
    /// How the value is encoded (see [`format`]).
    pub format: String,
}

/// Metadata as JSON (the form listings, stores and JS see), written without
/// building a [`Json`] tree first: a reduction lists tens of thousands.
impl serde::Serialize for Meta {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("Meta", 13)?;
        m.serialize_field("key", &self.key.hex())?;
        m.serialize_field("kind", self.kind.as_str())?;
        m.serialize_field("name", &self.name)?;
        m.serialize_field("created", &self.created_ms)?;
        m.serialize_field("lastAccess", &self.last_access_ms)?;
        m.serialize_field("lastRun", &self.last_run)?;
        m.serialize_field("hits", &self.hits)?;
        m.serialize_field("bytes", &self.bytes)?;
        m.serialize_field("durationMs", &self.duration_ms)?;
        m.serialize_field("code", &self.code)?;
        m.serialize_field("args", &self.args.map(|k| k.hex()))?;
        m.serialize_field("sidecar", &self.sidecar)?;
        m.serialize_field("format", &self.format)?;
        m.end()
    }
}

impl Meta {
    /// Metadata as JSON (the form listings, stores and JS see).
    pub fn to_json(&self) -> Json {
        serde_json::to_value(self).expect("metadata is JSON")
    }

    /// The metadata of nothing yet: zeros and empty text under `key` (what a
    /// store applies a refresh to, to learn what a use sets).
    pub fn blank(key: Key) -> Meta {
        Meta {
            key,
            kind: Kind::Function,
            name: String::new(),
            created_ms: 0.0,
            last_access_ms: 0.0,
            last_run: String::new(),
            hits: 0,
            bytes: 0,
            duration_ms: 0.0,
            code: None,
            args: None,
            sidecar: Json::Null,
            format: String::new(),
        }
    }

    /// Reads [`Meta::to_json`]'s form back; `None` when it is not that form.
    pub fn from_json(j: &Json) -> Option<Meta> {
        let num = |k: &str| j.get(k).and_then(Json::as_f64);
        let text = |k: &str| j.get(k).and_then(Json::as_str);
        Some(Meta {
            key: Key::from_hex(text("key")?)?,
            kind: Kind::parse(text("kind")?)?,
            name: text("name")?.to_string(),
            created_ms: num("created")?,
            last_access_ms: num("lastAccess")?,
            last_run: text("lastRun").unwrap_or_default().to_string(),
            hits: j.get("hits").and_then(Json::as_u64).unwrap_or(0),
            bytes: j.get("bytes").and_then(Json::as_u64).unwrap_or(0),
            duration_ms: num("durationMs").unwrap_or(0.0),
            code: text("code").map(str::to_string),
            args: text("args").and_then(Key::from_hex),
            sidecar: j.get("sidecar").cloned().unwrap_or(Json::Null),
            format: text("format").unwrap_or(format::LEGACY).to_string(),
        })
    }
}

/// A stored value and its metadata.
#[derive(Debug, Clone)]
pub struct Entry<V> {
    pub meta: Meta,
    pub value: V,
}
