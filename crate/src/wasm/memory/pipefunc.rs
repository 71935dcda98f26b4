//! Cached interface runs: nipype's `Memory.cache(Interface)`, a PipeFunc.

use super::cached::{call_user, clone_value, deduplicated};
use super::*;

/// The object behind a cached interface (nipype's PipeFunc).
#[wasm_bindgen]
pub struct PipeFuncCore {
    pub(super) mem: Rc<Shared>,
    pub(super) iface: Rc<Interface>,
    pub(super) run: Function,
    pub(super) name: String,
    pub(super) options: Object,
}

/// What a PipeFunc call needs, computed before anything is awaited.
struct Prepared {
    key: crate::fingerprint::InterfaceKey,
    cmdline: String,
    inputs: serde_json::Value,
}

impl PipeFuncCore {
    fn prepare(&self, inputs: &JsValue) -> Result<Prepared, JsValue> {
        let json = to_json(inputs, ErrorKind::Input)?;
        let probe = probe_for(Some(&self.options))?;
        let bound = self.iface.bind(&json, probe.as_ref()).map_err(to_js_error)?;
        let cmdline = bound.cmdline().map_err(to_js_error)?;
        let key = interface_key(&bound, &HostFiles, self.mem.hash_method).map_err(to_js_error)?;
        let spec = self.iface.spec();
        let inputs = spec
            .inputs
            .iter()
            .filter_map(|i| bound.get(&i.name).map(|v| (i.name.clone(), v.to_json())))
            .collect::<serde_json::Map<_, _>>();
        Ok(Prepared { key, cmdline, inputs: serde_json::Value::Object(inputs) })
    }
}

fn record(outputs: &JsValue, cmdline: &str, cached: bool, duration_ms: f64, key: &Key) -> JsValue {
    let o = Object::new();
    set(&o, "outputs", outputs);
    set(&o, "cmdline", &cmdline.into());
    set(&o, "cached", &cached.into());
    set(&o, "durationMs", &duration_ms.into());
    set(&o, "key", &key.hex().into());
    o.into()
}

#[wasm_bindgen]
impl PipeFuncCore {
    pub fn call(&self, inputs: JsValue) -> Promise {
        let p = match self.prepare(&inputs) {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        let (mem, run, name) = (self.mem.clone(), self.run.clone(), self.name.clone());
        let key = p.key.key;
        deduplicated(&self.mem, key, async move {
            if !mem.force.applies(&name) {
                if let Some(stored) = mem.core.lookup(&name, &key, |_| true).await.map_err(to_js_error)? {
                    let outputs =
                        clone_value(&get(stored.unchecked_ref(), "outputs")).map_err(|e| err(ErrorKind::Input, e))?;
                    let dur = get(stored.unchecked_ref(), "durationMs").as_f64().unwrap_or(0.0);
                    return Ok(record(&outputs, &p.cmdline, true, dur, &key));
                }
            }
            let started = now_ms();
            let inputs = from_json(&p.inputs)?;
            let outputs = call_user(&run, &Array::of2(&inputs, &p.cmdline.clone().into())).await?;
            let duration_ms = now_ms() - started;
            match clone_value(&outputs) {
                Ok(copy) => {
                    let stored = Object::new();
                    set(&stored, "outputs", &copy);
                    set(&stored, "durationMs", &duration_ms.into());
                    let sidecar_args: Vec<(String, Datum)> = p
                        .inputs
                        .as_object()
                        .map(|m| m.iter().map(|(k, v)| (k.clone(), Datum::from_json(v))).collect())
                        .unwrap_or_default();
                    let new = NewEntry {
                        key,
                        kind: Kind::Interface,
                        name: name.clone(),
                        bytes: estimate_size(&copy, 0),
                        duration_ms,
                        code: None,
                        args: None,
                        sidecar: serde_json::json!({"inputs": sidecar(&sidecar_args), "cmdline": p.cmdline}),
                    };
                    mem.core.insert(new, stored.into()).await.map_err(to_js_error)?;
                }
                Err(why) => console_warn(&format!("toolmemo: the outputs of '{name}' cannot be stored ({why})")),
            }
            Ok(record(&outputs, &p.cmdline, false, duration_ms, &key))
        })
    }

    pub fn check(&self, inputs: JsValue) -> Promise {
        let p = match self.prepare(&inputs) {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        let (mem, name) = (self.mem.clone(), self.name.clone());
        spawn(async move { Ok(mem.core.contains(&name, &p.key.key).await.map_err(to_js_error)?.into()) })
    }

    /// The run's key and its components (spec, each input).
    pub fn explain(&self, inputs: JsValue) -> Result<JsValue, JsValue> {
        let p = self.prepare(&inputs)?;
        let parts: serde_json::Map<String, serde_json::Value> =
            p.key.inputs.iter().map(|(n, k)| (n.clone(), serde_json::json!(k.hex()))).collect();
        from_json(&serde_json::json!({
            "key": p.key.key.hex(),
            "format": crate::fingerprint::FORMAT_VERSION,
            "kind": "interface",
            "name": self.name,
            "spec": p.key.spec.hex(),
            "inputs": parts,
            "cmdline": p.cmdline,
        }))
    }

    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }
}
