//! Why a run would miss: its key's parts against the stored runs' parts.
//!
//! joblib users ask "why did this recompute?"; the answer is which part of the
//! key changed. Each stored run records the key of its spec and of each input,
//! so a new call is compared with the stored run of the same interface that
//! differs least, part by part.

use super::{RunOptions, RunRecord, Runner};
use crate::error::Result;
use crate::fingerprint::InterfaceKey;
use crate::memory::cached::block_on;
use crate::Interface;
use serde_json::Value as Json;

/// A part of the key that differs from a stored run's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Difference {
    /// The spec changed (anything but descriptions).
    Spec,
    /// An input is set in one and not the other, or has another value or content.
    Input { name: String, now: Option<String>, stored: Option<String> },
}

/// The key of a call, whether a run is stored under it, and otherwise how the
/// nearest stored run of the interface differs.
#[derive(Debug, Clone)]
pub struct Explanation {
    pub key: InterfaceKey,
    /// The command line the run has.
    pub cmdline: String,
    pub stored: bool,
    /// The nearest stored run's key and the differences, if there is one.
    pub nearest: Option<(String, Vec<Difference>)>,
}

impl Explanation {
    /// The one shape of `explain` (see `memory::explanation`), with whether a
    /// run is stored under the key and how the nearest stored run differs.
    pub fn to_json(&self, name: &str) -> serde_json::Value {
        let mut j = crate::memory::explain_run(&self.key, name, &self.cmdline);
        j["stored"] = self.stored.into();
        j["nearest"] = match &self.nearest {
            None => serde_json::Value::Null,
            Some((k, d)) => {
                serde_json::json!({"key": k, "differences": d.iter().map(Difference::to_json).collect::<Vec<_>>()})
            }
        };
        j
    }
}

impl Difference {
    fn to_json(&self) -> serde_json::Value {
        match self {
            Difference::Spec => serde_json::json!({"part": "spec"}),
            Difference::Input { name, now, stored } => {
                serde_json::json!({"part": "input", "name": name, "now": now, "stored": stored})
            }
        }
    }
}

impl Runner {
    /// Explains whether `iface` with `inputs` would hit, and why not.
    pub fn explain(&self, iface: &Interface, inputs: &Json, opts: &RunOptions) -> Result<Explanation> {
        let prepared = super::prepare(&super::StdHost::default(), iface, inputs, opts)?;
        let cmdline = prepared.bound.cmdline()?;
        let key = prepared.key;
        let store = self.memory().store();
        let stored = block_on(self.memory().contains(iface.name(), &key.key))?;
        let mut nearest: Option<(String, Vec<Difference>)> = None;
        if !stored {
            for meta in block_on(self.memory().entries())?.into_iter().filter(|m| m.name == iface.name()) {
                let Some(entry) = block_on(crate::memory::Store::get(store, &meta.name, &meta.key))? else { continue };
                let Ok(record) = RunRecord::from_bytes(&entry.value) else { continue };
                let diffs = differences(&key, &record);
                if nearest.as_ref().is_none_or(|(_, d)| diffs.len() < d.len()) {
                    nearest = Some((meta.key.hex(), diffs));
                }
            }
        }
        Ok(Explanation { key, cmdline, stored, nearest })
    }
}

fn differences(key: &InterfaceKey, stored: &RunRecord) -> Vec<Difference> {
    let mut out = Vec::new();
    if key.spec.hex() != stored.spec_key {
        out.push(Difference::Spec);
    }
    let now: std::collections::BTreeMap<&str, String> = key.inputs.iter().map(|(n, k)| (n.as_str(), k.hex())).collect();
    let mut names: Vec<&str> = now.keys().copied().chain(stored.input_keys.keys().map(String::as_str)).collect();
    names.sort_unstable();
    names.dedup();
    for name in names {
        let (a, b) = (now.get(name), stored.input_keys.get(name));
        if a != b {
            out.push(Difference::Input { name: name.to_string(), now: a.cloned(), stored: b.cloned() });
        }
    }
    out
}
