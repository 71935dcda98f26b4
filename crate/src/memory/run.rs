//! The entry of a tool run, one format for every front end (`run/1`).
//!
//! A run's value is its record, JSON: what ran (command line, argument vector,
//! environment), what it said (exit status, standard output and error), how
//! long it took, and each output's name relative to the working folder with a
//! stamp of its content. The tool's files are in the entry's folder, `work/`,
//! published with the record in one step. `toolmemo run`, the Rust runner and
//! Node's `cacheInterface` write and read exactly this, so a run made by one is
//! a hit for the others. A JS run function (browsers, custom execution) has no
//! files: what it returned is kept as `result` instead.

use super::{format, Kind, NewEntry};
use crate::fingerprint::InterfaceKey;
use serde_json::{json, Map, Value as Json};
use std::collections::BTreeMap;

/// The version of the record's format.
pub const RECORD_VERSION: u32 = 1;

/// One run of a tool. (Its JSON is written by hand: serde's derive would add
/// ~20 kB to the browser build, which reads and writes records too.)
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub record: u32,
    pub interface: String,
    pub cmdline: String,
    pub argv: Vec<String>,
    /// Variables added to the environment.
    pub environ: BTreeMap<String, String>,
    /// Start, in milliseconds since the epoch.
    pub started: f64,
    pub duration_ms: f64,
    /// The exit status (`None` when killed by a signal).
    pub exit: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    /// Each output's name relative to the working folder.
    pub outputs: BTreeMap<String, String>,
    pub stamps: BTreeMap<String, OutputStamp>,
    /// The key of the spec, and of each effective input: what `explain`
    /// compares to tell why another call misses.
    pub spec_key: String,
    pub input_keys: BTreeMap<String, String>,
    /// What a JS run function returned (runs without a runner's files).
    pub result: Option<Json>,
}

/// What an output file was when the run ended.
#[derive(Debug, Clone, PartialEq)]
pub struct OutputStamp {
    pub size: u64,
    /// Nanoseconds since the epoch.
    pub mtime_ns: i64,
    pub sha256: String,
}

impl RunRecord {
    /// A record of a run of `key` not yet executed: nothing said, no outputs.
    pub fn new(key: &InterfaceKey, interface: &str, cmdline: &str, started_ms: f64) -> RunRecord {
        RunRecord {
            record: RECORD_VERSION,
            interface: interface.to_string(),
            cmdline: cmdline.to_string(),
            argv: Vec::new(),
            environ: BTreeMap::new(),
            started: started_ms,
            duration_ms: 0.0,
            exit: None,
            stdout: String::new(),
            stderr: String::new(),
            outputs: BTreeMap::new(),
            stamps: BTreeMap::new(),
            spec_key: key.spec.hex(),
            input_keys: key.inputs.iter().map(|(n, k)| (n.clone(), k.hex())).collect(),
            result: None,
        }
    }

    /// The record as JSON (`docs/cache-layout.md`). Built by hand, not with
    /// `json!`, which would serialize each field through serde.
    pub fn to_json(&self) -> Json {
        fn texts(m: &BTreeMap<String, String>) -> Json {
            Json::Object(m.iter().map(|(k, v)| (k.clone(), Json::from(v.as_str()))).collect())
        }
        let stamps: Map<String, Json> = self
            .stamps
            .iter()
            .map(|(k, s)| {
                let mut o = Map::new();
                o.insert("size".into(), s.size.into());
                o.insert("mtimeNs".into(), s.mtime_ns.into());
                o.insert("sha256".into(), s.sha256.as_str().into());
                (k.clone(), Json::Object(o))
            })
            .collect();
        let mut o = Map::new();
        let mut put = |k: &str, v: Json| {
            o.insert(k.to_string(), v);
        };
        put("record", self.record.into());
        put("interface", self.interface.as_str().into());
        put("cmdline", self.cmdline.as_str().into());
        put("argv", Json::Array(self.argv.iter().map(|a| a.as_str().into()).collect()));
        put("environ", texts(&self.environ));
        put("started", self.started.into());
        put("durationMs", self.duration_ms.into());
        put("exit", self.exit.map_or(Json::Null, Json::from));
        put("stdout", self.stdout.as_str().into());
        put("stderr", self.stderr.as_str().into());
        put("outputs", texts(&self.outputs));
        put("stamps", Json::Object(stamps));
        put("specKey", self.spec_key.as_str().into());
        put("inputKeys", texts(&self.input_keys));
        if let Some(r) = &self.result {
            put("result", r.clone());
        }
        Json::Object(o)
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        self.to_json().to_string().into_bytes()
    }

    /// A stored record; why not, when it is not one this version reads.
    pub fn from_bytes(b: &[u8]) -> Result<RunRecord, String> {
        let j: Json = serde_json::from_slice(b).map_err(|e| format!("its run record does not parse: {e}"))?;
        let version = j["record"].as_u64();
        if version != Some(u64::from(RECORD_VERSION)) {
            return Err(format!("its run record has version {version:?}, this toolmemo reads {RECORD_VERSION}"));
        }
        RunRecord::from_json(&j).ok_or_else(|| "its run record lacks a field or has one of the wrong type".to_string())
    }

    fn from_json(j: &Json) -> Option<RunRecord> {
        let text = |k: &str| j.get(k)?.as_str().map(str::to_string);
        let texts = |k: &str| -> Option<BTreeMap<String, String>> {
            j.get(k)?.as_object()?.iter().map(|(n, v)| Some((n.clone(), v.as_str()?.to_string()))).collect()
        };
        let stamps = j
            .get("stamps")?
            .as_object()?
            .iter()
            .map(|(n, s)| {
                let stamp = OutputStamp {
                    size: s.get("size")?.as_u64()?,
                    mtime_ns: s.get("mtimeNs")?.as_i64()?,
                    sha256: s.get("sha256")?.as_str()?.to_string(),
                };
                Some((n.clone(), stamp))
            })
            .collect::<Option<_>>()?;
        Some(RunRecord {
            record: RECORD_VERSION,
            interface: text("interface")?,
            cmdline: text("cmdline")?,
            argv: j.get("argv")?.as_array()?.iter().map(|a| a.as_str().map(str::to_string)).collect::<Option<_>>()?,
            environ: texts("environ")?,
            started: j.get("started")?.as_f64()?,
            duration_ms: j.get("durationMs")?.as_f64()?,
            exit: match j.get("exit")? {
                Json::Null => None,
                c => Some(i32::try_from(c.as_i64()?).ok()?),
            },
            stdout: text("stdout")?,
            stderr: text("stderr")?,
            outputs: texts("outputs")?,
            stamps,
            spec_key: text("specKey")?,
            input_keys: texts("inputKeys")?,
            result: j.get("result").cloned(),
        })
    }

    /// Each output as an absolute path under `work`.
    pub fn absolute_outputs(&self, work: &std::path::Path) -> BTreeMap<String, std::path::PathBuf> {
        self.outputs.iter().map(|(k, v)| (k.clone(), work.join(v))).collect()
    }

    /// The entry that stores this record, with `files` bytes of files beside it.
    pub fn new_entry(&self, key: &InterfaceKey, name: &str, value_len: usize, files: u64) -> NewEntry {
        run_entry(key, name, &self.cmdline, self.duration_ms, value_len as u64 + files)
    }
}

/// The entry of a run of `key` (any front end's): `run/1`, the spec as its
/// code, the readable inputs and the command line as its sidecar.
pub fn run_entry(key: &InterfaceKey, name: &str, cmdline: &str, duration_ms: f64, bytes: u64) -> NewEntry {
    NewEntry {
        key: key.key,
        kind: Kind::Interface,
        name: name.to_string(),
        bytes,
        duration_ms,
        code: Some(format!("spec:{}", key.spec.hex())),
        args: None,
        sidecar: json!({"inputs": super::sidecar(&key.data), "cmdline": cmdline}),
        format: format::RUN,
    }
}

/// The record of a JS run function's call, as [`RunRecord::to_json`] writes
/// it: nothing ran here, no files; what the function returned is `result`.
/// (Plain JSON, so that browser builds need no [`RunRecord`].)
pub fn function_run(
    key: &InterfaceKey,
    name: &str,
    cmdline: &str,
    started_ms: f64,
    duration_ms: f64,
    result: Json,
) -> Json {
    let inputs: Map<String, Json> = key.inputs.iter().map(|(n, k)| (n.clone(), k.hex().into())).collect();
    json!({
        "record": RECORD_VERSION, "interface": name, "cmdline": cmdline, "argv": [], "environ": {},
        "started": started_ms, "durationMs": duration_ms, "exit": null, "stdout": "", "stderr": "",
        "outputs": {}, "stamps": {}, "specKey": key.spec.hex(), "inputKeys": inputs, "result": result,
    })
}

/// A stored run record's `result` and duration, when it is a `run/1` record
/// a run function made; `Err` says what it is instead.
pub fn function_result(bytes: &[u8]) -> Result<(Json, f64), String> {
    let j: Json = serde_json::from_slice(bytes).map_err(|e| format!("its run record does not parse: {e}"))?;
    if j["record"].as_u64() != Some(u64::from(RECORD_VERSION)) {
        return Err(format!("its run record has version {}, this toolmemo reads {RECORD_VERSION}", j["record"]));
    }
    let duration = j["durationMs"].as_f64().unwrap_or(0.0);
    match j.get("result") {
        Some(r) => Ok((r.clone(), duration)),
        None => Err("it is a run of the tool, with files".to_string()),
    }
}

/// Why a run would hit or miss, in the one shape `explain` has everywhere:
/// the key, the kind and name, the code (`spec:<key of the spec>`), the key of
/// each input, and the command line.
pub fn explain_run(key: &InterfaceKey, name: &str, cmdline: &str) -> Json {
    let code = format!("spec:{}", key.spec.hex());
    let mut j = super::key::explanation(&key.key, Kind::Interface, name, &code, None, &key.inputs);
    j["cmdline"] = json!(cmdline);
    j
}
