//! Cached interface runs: nipype's `Memory.cache(Interface)`, a PipeFunc.
//!
//! Without a run function, the tool itself runs (under Node): the runner's one
//! policy (`runner::run`) over Node's processes and files, writing the same
//! `run/1` entry as `toolmemo run`, so either one's run is the other's hit.
//! With a run function (browsers, custom execution), what it returns is kept in
//! a run record as `result`; such a record is no hit for the runner, which has
//! no files to check, while a runner's record is a hit here with its outputs'
//! paths.

use super::cached::{call_user, deduplicated, rethrow};
use super::*;
#[cfg(feature = "node-fs")]
use crate::memory::RunRecord;

/// The object behind a cached interface (nipype's PipeFunc).
#[wasm_bindgen]
pub struct PipeFuncCore {
    pub(super) mem: Rc<Shared>,
    pub(super) iface: Rc<Interface>,
    /// The run function, or `None` to run the tool.
    pub(super) run: Option<Function>,
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

    fn working_dir(&self) -> Option<String> {
        self.probe.working_dir()
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

fn record(outputs: &JsValue, cmdline: &str, cached: bool, duration_ms: f64, key: &Key) -> Object {
    let o = Object::new();
    set(&o, "outputs", outputs);
    set(&o, "cmdline", &cmdline.into());
    set(&o, "cached", &cached.into());
    set(&o, "durationMs", &duration_ms.into());
    set(&o, "key", &key.hex().into());
    o
}

/// What a run function's call makes of a stored run: a record with a result
/// (a run function's) gives that result and the run's duration; under Node, a
/// runner's record gives its outputs' paths, if its files are in this store.
/// (Browsers have no runner, and so no such records: that branch is Node's.)
fn judge_custom(
    folder: Option<std::path::PathBuf>,
) -> impl FnMut(&Meta, &JsValue) -> Verdict<(serde_json::Value, f64)> {
    move |meta, value| {
        if meta.format != crate::memory::format::RUN {
            return Verdict::Unusable(format!("it is in format '{}', not a run", meta.format));
        }
        let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>().map(|b| b.to_vec()) else {
            return Verdict::Unusable("its value is not a run record".to_string());
        };
        match crate::memory::function_result(&bytes) {
            Ok(found) => Verdict::Use(found),
            #[cfg(feature = "node-fs")]
            Err(_) => match (RunRecord::from_bytes(&bytes), &folder) {
                (Ok(r), Some(dir)) => {
                    Verdict::Use((serde_json::json!(r.absolute_outputs(&dir.join("work"))), r.duration_ms))
                }
                (Ok(_), None) => Verdict::Unusable("its files are not in this store".into()),
                (Err(why), _) => Verdict::Unusable(why),
            },
            #[cfg(not(feature = "node-fs"))]
            Err(why) => {
                let _ = &folder;
                Verdict::Unusable(why)
            }
        }
    }
}

#[wasm_bindgen]
impl PipeFuncCore {
    /// A run; `options.contents` maps file paths to their bytes (see `Contents`).
    pub fn call(&self, inputs: JsValue, options: Option<Object>) -> Promise {
        if self.run.is_none() {
            return self.run_tool(inputs, options);
        }
        let p = match self.prepare(&inputs, options.as_ref()) {
            Ok(p) => p,
            Err(e) => return Promise::reject(&e),
        };
        let (mem, run, name) = (self.mem.clone(), self.run.clone().expect("a run function"), self.name.clone());
        let key = p.key.key;
        deduplicated(&self.mem, key, async move {
            #[cfg(feature = "node-fs")]
            let folder = mem.core.store().folder(&name, &key).await.map_err(to_js_error)?;
            #[cfg(not(feature = "node-fs"))]
            let folder = None;
            let req = Request { name: &name, key, force: mem.force.applies(&name), expires_ms: None };
            let thrown = RefCell::new(None);
            let returned = RefCell::new(None);
            let compute = async {
                let started = now_ms();
                let inputs = from_json(&p.inputs).map_err(|e| rethrow(&thrown, e))?;
                let args = Array::of2(&inputs, &p.cmdline.clone().into());
                let outputs = call_user(&run, &args).await.map_err(|e| rethrow(&thrown, e))?;
                let duration_ms = now_ms() - started;
                let store = match to_json(&outputs, ErrorKind::Input) {
                    Ok(json) => {
                        let rec = crate::memory::function_run(&p.key, &name, &p.cmdline, started, duration_ms, json);
                        let bytes = rec.to_string().into_bytes();
                        let new = crate::memory::run_entry(&p.key, &name, &p.cmdline, duration_ms, bytes.len() as u64);
                        Some((new, js_sys::Uint8Array::from(&bytes[..]).into()))
                    }
                    Err(_) => {
                        console_warn(&format!(
                            "toolmemo: the outputs of '{name}' are not JSON; they are returned uncached"
                        ));
                        None
                    }
                };
                // The caller gets what the function returned, as it returned it.
                *returned.borrow_mut() = Some(outputs);
                Ok(Fresh { result: (serde_json::Value::Null, duration_ms), store, staged: None })
            };
            let called = mem.core.call(&req, judge_custom(folder), compute).await;
            let called = called.map_err(|e| thrown.take().unwrap_or_else(|| to_js_error(e)))?;
            let (result, duration_ms) = called.result;
            let outputs = match (called.cached, returned.take()) {
                (false, Some(o)) => o,
                _ => from_json(&result)?,
            };
            Ok(record(&outputs, &p.cmdline, called.cached, duration_ms, &key).into())
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

    /// The run's key and its components, in the one shape of `explain`.
    pub fn explain(&self, inputs: JsValue, options: Option<Object>) -> Result<JsValue, JsValue> {
        let p = self.prepare(&inputs, options.as_ref())?;
        from_json(&crate::memory::explain_run(&p.key, &self.name, &p.cmdline))
    }

    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }
}

impl PipeFuncCore {
    /// The tool itself, run under Node through the runner.
    #[cfg(feature = "node-fs")]
    fn run_tool(&self, inputs: JsValue, options: Option<Object>) -> Promise {
        use crate::wasm::host::{host_cwd, NodeHost};
        if !matches!(self.mem.core.store(), JsStore::Fs(_)) {
            return Promise::reject(&err(
                ErrorKind::Unsupported,
                format!(
                    "{}: running the tool needs the filesystem store (its runs are folders of files); \
                     open the Memory with store 'fs', or pass a run function",
                    self.name
                ),
            ));
        }
        if let Some(o) = &options {
            if let Err(e) = check_keys(o, &[], "cached interface call") {
                return Promise::reject(&e);
            }
        }
        let json = match to_json(&inputs, ErrorKind::Input) {
            Ok(j) => j,
            Err(e) => return Promise::reject(&e),
        };
        let (mem, iface) = (self.mem.clone(), self.iface.clone());
        let opts = crate::runner::RunOptions {
            cwd: host_cwd().into(),
            hash_method: mem.hash_method,
            force: mem.force.applies(&self.name),
            cache_root: mem.location.clone().map(Into::into),
            // An SPM interface's MATLAB command is its `matlab_cmd` input here.
            matlab_cmd: None,
        };
        spawn(async move {
            let out = crate::runner::run(&mem.core, &NodeHost, &iface, &json, &opts).await.map_err(to_js_error)?;
            let outputs: serde_json::Map<String, serde_json::Value> =
                out.outputs.iter().map(|(k, p)| (k.clone(), p.to_string_lossy().into())).collect();
            let r = &out.record;
            let o = record(
                &from_json(&serde_json::Value::Object(outputs))?,
                &r.cmdline,
                out.cached,
                r.duration_ms,
                &out.key.key,
            );
            set(&o, "stdout", &r.stdout.as_str().into());
            set(&o, "stderr", &r.stderr.as_str().into());
            set(&o, "exit", &r.exit.map_or(JsValue::NULL, JsValue::from));
            set(&o, "dir", &out.dir.to_string_lossy().as_ref().into());
            if let Some(why) = &out.stale {
                set(&o, "stale", &why.as_str().into());
            }
            Ok(o.into())
        })
    }

    #[cfg(not(feature = "node-fs"))]
    fn run_tool(&self, _inputs: JsValue, _options: Option<Object>) -> Promise {
        Promise::reject(&err(
            ErrorKind::Unsupported,
            format!(
                "{}: running the tool itself needs Node; pass a run function (inputs, cmdline) => outputs",
                self.name
            ),
        ))
    }
}

/// Run records in JS stores are their bytes, as a `Uint8Array`.
#[cfg(feature = "node-fs")]
impl crate::runner::RunValue for JsValue {
    fn from_record(bytes: Vec<u8>) -> Self {
        js_sys::Uint8Array::from(&bytes[..]).into()
    }
    fn record_bytes(&self) -> Option<std::borrow::Cow<'_, [u8]>> {
        self.dyn_ref::<js_sys::Uint8Array>().map(|b| std::borrow::Cow::Owned(b.to_vec()))
    }
}
