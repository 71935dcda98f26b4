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

/// Files a caller hands over with a call (`pf(inputs, {contents})`): a browser
/// has no filesystem to read them from, so they enter the key by these bytes —
/// the same key the native runner gives the same file — and count as existing.
struct Contents<'a> {
    files: HashMap<String, (u64, [u8; 32])>,
    probe: &'a dyn crate::path::PathProbe,
}

impl<'a> Contents<'a> {
    fn read(options: Option<&Object>, probe: &'a dyn crate::path::PathProbe) -> Result<Contents<'a>, JsValue> {
        let mut files = HashMap::new();
        let given = options.map(|o| get(o, "contents")).unwrap_or(JsValue::UNDEFINED);
        if !given.is_undefined() && !given.is_null() {
            let o: &Object =
                given.dyn_ref().ok_or_else(|| err(ErrorKind::Input, "contents must map file paths to their bytes"))?;
            for pair in Object::entries(o).iter() {
                let pair: Array = pair.unchecked_into();
                let path = pair.get(0).as_string().unwrap_or_default();
                let v = pair.get(1);
                let bytes = if let Some(s) = v.as_string() {
                    s.into_bytes()
                } else if v.is_instance_of::<js_sys::Uint8Array>() || v.is_instance_of::<js_sys::ArrayBuffer>() {
                    js_sys::Uint8Array::new(&v).to_vec()
                } else {
                    return Err(err(
                        ErrorKind::Input,
                        format!("contents['{path}'] must be the file's bytes (a Uint8Array or ArrayBuffer) or text"),
                    ));
                };
                files.insert(path, (bytes.len() as u64, crate::fingerprint::sha256(&bytes)));
            }
        }
        Ok(Contents { files, probe })
    }
}

impl crate::path::PathProbe for Contents<'_> {
    fn kind(&self, path: &str) -> crate::path::PathKind {
        if self.files.contains_key(path) {
            crate::path::PathKind::File
        } else {
            self.probe.kind(path)
        }
    }
}

impl crate::fingerprint::FileHasher for Contents<'_> {
    fn identify(&self, path: &str, method: HashMethod) -> crate::Result<crate::fingerprint::FileId> {
        match self.files.get(path) {
            Some(&(size, digest)) => Ok(crate::fingerprint::FileId::Content { size, digest }),
            None => HostFiles.identify(path, method),
        }
    }
}

impl PipeFuncCore {
    fn prepare(&self, inputs: &JsValue, call: Option<&Object>) -> Result<Prepared, JsValue> {
        if let Some(o) = call {
            check_keys(o, &["contents"], "cached interface call")?;
        }
        let json = to_json(inputs, ErrorKind::Input)?;
        let probe = probe_for(Some(&self.options))?;
        let contents = Contents::read(call, probe.as_ref())?;
        let bound = self.iface.bind(&json, &contents).map_err(to_js_error)?;
        let cmdline = bound.cmdline().map_err(to_js_error)?;
        let key = interface_key(&bound, &contents, self.mem.hash_method).map_err(to_js_error)?;
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
    /// A run; `options.contents` maps file paths to their bytes (see `Contents`).
    pub fn call(&self, inputs: JsValue, options: Option<Object>) -> Promise {
        let p = match self.prepare(&inputs, options.as_ref()) {
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

    pub fn check(&self, inputs: JsValue, options: Option<Object>) -> Promise {
        let p = match self.prepare(&inputs, options.as_ref()) {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        let (mem, name) = (self.mem.clone(), self.name.clone());
        spawn(async move { Ok(mem.core.contains(&name, &p.key.key).await.map_err(to_js_error)?.into()) })
    }

    /// The run's key and its components (spec, each input).
    pub fn explain(&self, inputs: JsValue, options: Option<Object>) -> Result<JsValue, JsValue> {
        let p = self.prepare(&inputs, options.as_ref())?;
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
