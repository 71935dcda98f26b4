//! `Memory` for JavaScript: cached functions (`mem.cache(fn)`), cached interface
//! runs (`mem.cacheInterface(iface, run)`), kwneuro's `cacheable`, eviction and
//! listings, over the core `memory::Memory`.
//!
//! A call is fingerprinted here (arguments by parameter name, minus the ignored
//! ones), then looked up or computed. Concurrent calls with one key share one
//! computation; a call that throws stores nothing; a stored value is a
//! structured clone, and a hit returns a fresh clone, so callers can never
//! change what the cache holds.

use super::convert::{estimate_size, from_json, js_to_datum, to_js_error, to_json};
use super::host::{default_cache_dir, has_node_fs, new_run_id, now_ms, probe_for, total_memory, HostFiles};
use super::interface::JsInterface;
use crate::error::{Error, ErrorKind};
use crate::fingerprint::{interface_key, Datum, HashMethod, Key, KeyMap};
use crate::memory::cached::now_or_never;
use crate::memory::FunctionKeyer;
use crate::memory::{
    code_id, parse_duration_ms, parse_size, sidecar, Fresh, Kind, Limits, Looked, Memory, MemoryStore, Meta, NewEntry,
    Request, Store, Verdict,
};
use crate::Interface;
use js_sys::{Array, Function, Object, Promise, Reflect};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::future::Future;
use std::rc::Rc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

#[wasm_bindgen(module = "/src/wasm/memory.js")]
extern "C" {
    #[wasm_bindgen(js_name = makeCached)]
    fn make_cached(core: JsValue, wrapped: &Function) -> JsValue;
    #[wasm_bindgen(js_name = makePipeFunc)]
    fn make_pipe_func(core: JsValue) -> JsValue;
    #[wasm_bindgen(js_name = makeCacheable)]
    fn make_cacheable(core: JsValue, wrapped: &Function) -> JsValue;
    #[wasm_bindgen(js_name = isThenable)]
    fn is_thenable(v: &JsValue) -> bool;
    #[wasm_bindgen(js_name = tryClone)]
    fn try_clone(v: &JsValue) -> JsValue;
    #[wasm_bindgen(js_name = paramNames)]
    fn param_names(f: &Function) -> Array;
    #[wasm_bindgen(js_name = installSugar)]
    fn install_sugar(memory: &JsValue);
    #[wasm_bindgen(js_name = parseJsonBytes)]
    fn parse_json_bytes(bytes: &[u8]) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(s: &str);
}

mod cached;
mod metas;
mod pipefunc;
mod store;
mod store_fs;

use cached::{CachedCore, CachedState};
use metas::metas_to_js;
use pipefunc::PipeFuncCore;
use store::JsStore;

/// `force`: nothing, everything, or the named steps.
enum Force {
    None,
    All,
    Names(Vec<String>),
}

impl Force {
    fn applies(&self, name: &str) -> bool {
        match self {
            Force::None => false,
            Force::All => true,
            Force::Names(n) => n.iter().any(|x| x == name),
        }
    }
}

/// One opened Memory, shared by the functions it caches.
struct Shared {
    id: u32,
    /// `'memory'`, `'fs'`, `'indexeddb'` or `'none'`.
    store_name: &'static str,
    /// The folder of a filesystem store.
    location: Option<String>,
    core: Memory<JsStore, JsValue>,
    force: Force,
    verbose: bool,
    hash_method: HashMethod,
    prefix: String,
    /// Computations under way, by key: a second caller awaits the first's promise.
    inflight: RefCell<KeyMap<Promise>>,
}

thread_local! {
    /// Memories made active by `mem.activate(...)`, innermost last.
    static ACTIVE: RefCell<Vec<Rc<Shared>>> = const { RefCell::new(Vec::new()) };
    static NEXT_ID: Cell<u32> = const { Cell::new(1) };
}

fn err(kind: ErrorKind, msg: impl Into<String>) -> JsValue {
    to_js_error(Error::new(kind, msg))
}

fn get(o: &Object, key: &str) -> JsValue {
    Reflect::get(o, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn set(o: &Object, key: &str, v: &JsValue) {
    let _ = Reflect::set(o, &key.into(), v);
}

/// A boxed task: every `spawn` shares one `future_to_promise`, instead of one
/// copy of its machinery per async block (tens of KB of wasm).
type Task = std::pin::Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>;

/// Runs `fut` as a JS Promise.
fn spawn(fut: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    spawn_boxed(Box::pin(fut))
}

#[inline(never)]
fn spawn_boxed(task: Task) -> Promise {
    future_to_promise(task)
}

/// A size option: bytes, or a string such as `'500M'`.
fn size_option(v: &JsValue, what: &str) -> Result<Option<u64>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(n) = v.as_f64() {
        return if n >= 0.0 {
            Ok(Some(n as u64))
        } else {
            Err(err(ErrorKind::Input, format!("{what} must not be negative")))
        };
    }
    match v.as_string() {
        Some(s) => parse_size(&s).map(Some).map_err(to_js_error),
        None => Err(err(ErrorKind::Input, format!("{what} must be a number of bytes or a string such as '500M'"))),
    }
}

/// A duration option: milliseconds, or a string such as `'30d'`.
fn duration_option(v: &JsValue, what: &str) -> Result<Option<f64>, JsValue> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(n) = v.as_f64() {
        return Ok(Some(n));
    }
    match v.as_string() {
        Some(s) => parse_duration_ms(&s).map(Some).map_err(to_js_error),
        None => Err(err(ErrorKind::Input, format!("{what} must be milliseconds or a string such as '30d'"))),
    }
}

/// `{bytesLimit, itemsLimit, ageLimit}` from an options object.
fn limits_option(o: &Object) -> Result<Limits, JsValue> {
    let items = get(o, "itemsLimit");
    Ok(Limits {
        bytes: size_option(&get(o, "bytesLimit"), "bytesLimit")?,
        items: match items.as_f64() {
            Some(n) if n >= 0.0 => Some(n as usize),
            Some(_) => return Err(err(ErrorKind::Input, "itemsLimit must not be negative")),
            None if items.is_undefined() || items.is_null() => None,
            None => return Err(err(ErrorKind::Input, "itemsLimit must be a number")),
        },
        age_ms: duration_option(&get(o, "ageLimit"), "ageLimit")?,
    })
}

fn check_keys(o: &Object, allowed: &[&str], what: &str) -> Result<(), JsValue> {
    // `Reflect.ownKeys` rather than `Object.keys`: it hands back what a proxy's
    // trap throws, instead of unwinding through this frame.
    for k in Reflect::own_keys(o)?.iter() {
        let Some(k) = k.as_string() else { continue };
        if !allowed.contains(&k.as_str()) {
            return Err(err(
                ErrorKind::Input,
                format!("unknown {what} option '{k}' (expected one of: {})", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

/// An entry named from JS: a name and a key, both strings (wasm-bindgen would
/// not check a `String` parameter: a number there traps).
fn entry_id(name: &JsValue, key: &JsValue, what: &str) -> Result<(String, Key), JsValue> {
    match (name.as_string(), key.as_string()) {
        (Some(name), Some(key)) => Ok((name, parse_key(&key)?)),
        _ => Err(err(ErrorKind::Input, format!("{what}(name, key) needs two strings: an entry's name and key"))),
    }
}

/// A key as JS shows it (64 hex digits).
fn parse_key(hex: &str) -> Result<Key, JsValue> {
    Key::from_hex(hex).ok_or_else(|| err(ErrorKind::Input, format!("'{hex}' is not a cache key (64 hex digits)")))
}

/// A cache of function results and interface runs.
#[wasm_bindgen(js_name = Memory)]
pub struct JsMemory {
    shared: Rc<Shared>,
}

const OPEN_KEYS: &[&str] = &[
    "store",
    "location",
    "name",
    "force",
    "bytesLimit",
    "itemsLimit",
    "ageLimit",
    "hashMethod",
    "verbose",
    "prefix",
    "maxmem",
    "compress",
    "readOnly",
    "durable",
];

#[wasm_bindgen(js_class = Memory)]
impl JsMemory {
    /// Opens a Memory. Options: `store` (under Node `'fs'`, the default, in
    /// `location` or the user's cache folder; elsewhere `'memory'`, the default;
    /// `'indexeddb'` in browsers, `'none'`), `force` (`true` or a list of names),
    /// `bytesLimit`, `itemsLimit`, `ageLimit`, `maxmem` (a share of physical
    /// memory), `hashMethod`, `verbose`, `prefix`.
    #[wasm_bindgen(unchecked_return_type = "Memory")]
    pub async fn open(options: Option<Object>) -> Result<JsValue, JsValue> {
        let o = options.unwrap_or_default();
        check_keys(&o, OPEN_KEYS, "Memory.open")?;
        let chosen = get(&o, "store").as_string();
        let mut location = None;
        let store = match chosen.as_deref() {
            Some("memory") => JsStore::Memory(MemoryStore::default()),
            // The default: the filesystem where there is one (joblib's Memory is
            // on disk), in `location` or else the user's cache folder, which the
            // native program uses too; memory elsewhere.
            None if store_fs::available() => {
                let dir = get(&o, "location").as_string().unwrap_or_else(default_cache_dir);
                let store = store_fs::open(&o, &dir)?;
                location = Some(dir);
                store
            }
            None => JsStore::Memory(MemoryStore::default()),
            Some("none") => JsStore::Off,
            Some("fs") if store_fs::available() => {
                let dir = get(&o, "location").as_string().ok_or_else(|| {
                    err(
                        ErrorKind::Input,
                        "store 'fs' needs a location (a folder); leave out `store` for the default one \
                         (TOOLMEMO_CACHE_DIR, else the user's cache folder)",
                    )
                })?;
                let store = store_fs::open(&o, &dir)?;
                location = Some(dir);
                store
            }
            Some("fs") if has_node_fs() => {
                return Err(err(ErrorKind::Input, "store 'fs' is not in this build of toolmemo (use its Node entry)"))
            }
            Some("fs") => return Err(err(ErrorKind::Input, "store 'fs' needs Node's filesystem")),
            #[cfg(feature = "indexeddb")]
            Some("indexeddb") => {
                let name = get(&o, "name").as_string().unwrap_or_else(|| "default".into());
                JsStore::Idb(crate::wasm::idb::IdbStore::open(&name).await.map_err(to_js_error)?)
            }
            Some(other) => {
                return Err(err(
                    ErrorKind::Input,
                    format!("store '{other}' is not available (use 'memory', 'indexeddb', 'fs' or 'none')"),
                ))
            }
        };
        if !get(&o, "compress").is_undefined() && location.is_none() {
            return Err(err(ErrorKind::Input, "compress applies to the 'fs' store"));
        }
        if !get(&o, "durable").is_undefined() && location.is_none() {
            return Err(err(ErrorKind::Input, "durable applies to the 'fs' store"));
        }
        let mut limits = limits_option(&o)?;
        if let Some(share) = get(&o, "maxmem").as_f64() {
            if !(share > 0.0 && share <= 1.0) {
                return Err(err(ErrorKind::Input, "maxmem is a share of physical memory, in (0, 1]"));
            }
            if let Some(total) = total_memory().as_f64() {
                let cap = (total * share) as u64;
                limits.bytes = Some(limits.bytes.map_or(cap, |b| b.min(cap)));
            }
        }
        let force = match get(&o, "force") {
            f if f.as_bool() == Some(true) => Force::All,
            f if Array::is_array(&f) => Force::Names(Array::from(&f).iter().filter_map(|n| n.as_string()).collect()),
            _ => Force::None,
        };
        let hash_method = match get(&o, "hashMethod").as_string() {
            None => HashMethod::Content,
            Some(m) => HashMethod::parse(&m)
                .ok_or_else(|| err(ErrorKind::Input, format!("hashMethod '{m}': expected 'content' or 'timestamp'")))?,
        };
        let id = NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        let shared = Shared {
            id,
            store_name: store.kind(),
            location,
            core: Memory::new(store, limits, new_run_id(), Box::new(now_ms)),
            force,
            verbose: get(&o, "verbose").is_truthy(),
            hash_method,
            prefix: get(&o, "prefix").as_string().unwrap_or_default(),
            inflight: RefCell::new(KeyMap::default()),
        };
        let js: JsValue = JsMemory { shared: Rc::new(shared) }.into();
        install_sugar(&js);
        Ok(js)
    }

    /// `fn`, cached. Options: `name`, `ignore` (parameter names or indices),
    /// `version`, `validate(meta)`, `expiresAfter`, `save`/`load`, `callback`.
    pub fn cache(&self, f: Function, options: Option<Object>) -> Result<JsValue, JsValue> {
        let state = CachedState::new(&self.shared, f.clone(), options.as_ref())?;
        Ok(make_cached(CachedCore { state: Rc::new(state) }.into(), &f))
    }

    /// nipype's `Memory.cache(Interface)`: `await pf(inputs)` validates, renders,
    /// and on a miss runs the tool (under Node, with the filesystem store: the
    /// same runs as `toolmemo run`'s) or, when given, `run(inputs, cmdline)`;
    /// it resolves to `{outputs, cmdline, cached, durationMs, key}` (and the
    /// tool's `stdout`, `stderr`, `exit` and entry `dir` when it ran the tool).
    #[wasm_bindgen(js_name = cacheInterface)]
    pub fn cache_interface(
        &self,
        iface: &JsInterface,
        run: JsValue,
        options: Option<Object>,
    ) -> Result<JsValue, JsValue> {
        let run = match run {
            r if r.is_undefined() || r.is_null() => None,
            r => Some(r.dyn_into::<Function>().map_err(|_| {
                err(ErrorKind::Input, "cacheInterface(iface, run): run must be a function (inputs, cmdline) => outputs, or left out to run the tool")
            })?),
        };
        let o = options.unwrap_or_default();
        check_keys(&o, &["files", "name"], "cacheInterface")?;
        let name = get(&o, "name").as_string().unwrap_or_else(|| iface.inner.name().to_string());
        let core = PipeFuncCore { mem: self.shared.clone(), iface: iface.inner.clone(), run, name, options: o };
        Ok(make_pipe_func(core.into()))
    }

    /// Metadata of every entry.
    pub fn entries(&self) -> Promise {
        let s = self.shared.clone();
        spawn(async move { metas_to_js(&s.core.entries().await.map_err(to_js_error)?) })
    }

    /// Removes least recently used entries until the limits hold (the Memory's
    /// own when none are given); resolves to what was removed.
    #[wasm_bindgen(js_name = reduceSize)]
    pub fn reduce_size(&self, limits: Option<Object>) -> Promise {
        let s = self.shared.clone();
        let limits = match limits.map(|o| limits_option(&o)).transpose() {
            Ok(l) => l.unwrap_or(s.core.limits()),
            Err(e) => return Promise::reject(&e),
        };
        spawn(async move { metas_to_js(&s.core.reduce_size(&limits).await.map_err(to_js_error)?) })
    }

    /// What `reduceSize(limits)` would remove now, without removing it (for a
    /// preview before confirming).
    #[wasm_bindgen(js_name = previewEviction)]
    pub fn preview_eviction(&self, limits: Option<Object>) -> Promise {
        let s = self.shared.clone();
        let limits = match limits.map(|o| limits_option(&o)).transpose() {
            Ok(l) => l.unwrap_or(s.core.limits()),
            Err(e) => return Promise::reject(&e),
        };
        spawn(async move { metas_to_js(&s.core.preview_eviction(&limits).await.map_err(to_js_error)?) })
    }

    /// Removes the entry `key` of `name`; resolves to whether it was there.
    pub fn remove(&self, name: JsValue, key: JsValue) -> Promise {
        let s = self.shared.clone();
        spawn(async move {
            let (name, key) = entry_id(&name, &key, "remove")?;
            Ok(s.core.remove(&name, &key).await.map_err(to_js_error)?.into())
        })
    }

    /// The stored value of entry `key` of `name` (a fresh copy; a tool run's
    /// record, or JSON, as the object it holds), or `undefined`; an
    /// inspection, not a use: it counts no hit and refreshes nothing.
    pub fn peek(&self, name: JsValue, key: JsValue) -> Promise {
        let s = self.shared.clone();
        spawn(async move {
            let (name, key) = entry_id(&name, &key, "peek")?;
            let entry = s.core.store().get(&name, &key).await.map_err(to_js_error)?;
            match entry {
                None => Ok(JsValue::UNDEFINED),
                // JSON text (a run record, a Rust function's result) as the object it holds.
                Some(e) if e.value.is_instance_of::<js_sys::Uint8Array>() => {
                    let bytes = js_sys::Uint8Array::new(&e.value).to_vec();
                    match parse_json_bytes(&bytes) {
                        v if v.is_undefined() => Ok(e.value),
                        v => Ok(v),
                    }
                }
                Some(e) => cached::clone_value(&e.value).map_err(|why| err(ErrorKind::Store, why)),
            }
        })
    }

    /// Removes what was not used since this Memory was opened.
    #[wasm_bindgen(js_name = clearPreviousRuns)]
    pub fn clear_previous_runs(&self) -> Promise {
        let s = self.shared.clone();
        spawn(async move { metas_to_js(&s.core.clear_previous_runs().await.map_err(to_js_error)?) })
    }

    /// Removes what was not used since `date` (a Date, milliseconds or an ISO string).
    #[wasm_bindgen(js_name = clearRunsSince)]
    pub fn clear_runs_since(&self, date: JsValue) -> Promise {
        let ms = if let Some(d) = date.dyn_ref::<js_sys::Date>() {
            d.get_time()
        } else if let Some(n) = date.as_f64() {
            n
        } else if let Some(s) = date.as_string() {
            js_sys::Date::parse(&s)
        } else {
            f64::NAN
        };
        if ms.is_nan() {
            return Promise::reject(&err(
                ErrorKind::Input,
                "clearRunsSince needs a Date, milliseconds or a date string",
            ));
        }
        let s = self.shared.clone();
        spawn(async move { metas_to_js(&s.core.clear_runs_since(ms).await.map_err(to_js_error)?) })
    }

    /// Removes every entry.
    pub fn clear(&self) -> Promise {
        let s = self.shared.clone();
        spawn(async move { metas_to_js(&s.core.clear().await.map_err(to_js_error)?) })
    }

    /// `{hits, misses, entries, bytes}`.
    pub fn stats(&self) -> Promise {
        let s = self.shared.clone();
        spawn(async move {
            let st = s.core.stats().await.map_err(to_js_error)?;
            from_json(
                &serde_json::json!({"hits": st.hits, "misses": st.misses, "entries": st.entries, "bytes": st.bytes}),
            )
        })
    }

    /// kwneuro's `status`: for each step (a cached function or a name), whether
    /// the cache holds a result of it.
    pub fn status(&self, steps: JsValue) -> Promise {
        if !Array::is_array(&steps) {
            return Promise::reject(&err(
                ErrorKind::Input,
                "status(steps) needs an array of cached functions or names",
            ));
        }
        let steps: Array = steps.unchecked_into();
        let s = self.shared.clone();
        spawn(async move {
            let metas = s.core.entries().await.map_err(to_js_error)?;
            let out = Object::new();
            for step in steps.iter() {
                let name = step.as_string().or_else(|| Reflect::get(&step, &"cacheName".into()).ok()?.as_string());
                if let Some(name) = name {
                    set(&out, &name, &JsValue::from(metas.iter().any(|m| m.name == name)));
                }
            }
            Ok(out.into())
        })
    }

    /// Runs `callback` with this Memory active: functions wrapped by `cacheable`
    /// are cached while it runs (kwneuro's `with Cache(...)`).
    pub fn activate(&self, callback: Function) -> Promise {
        let s = self.shared.clone();
        ACTIVE.with(|a| a.borrow_mut().push(s.clone()));
        let pop = move || ACTIVE.with(|a| a.borrow_mut().retain(|m| !Rc::ptr_eq(m, &s)));
        let result = callback.call0(&JsValue::UNDEFINED);
        spawn(async move {
            let out = match result {
                Ok(v) if is_thenable(&v) => JsFuture::from(Promise::resolve(&v)).await,
                other => other,
            };
            pop();
            out
        })
    }

    /// Which store holds the entries: `'memory'`, `'fs'`, `'indexeddb'` or `'none'`.
    #[wasm_bindgen(getter)]
    pub fn store(&self) -> String {
        self.shared.store_name.into()
    }

    /// The folder of a filesystem store (`undefined` for the others).
    #[wasm_bindgen(getter)]
    pub fn location(&self) -> Option<String> {
        self.shared.location.clone()
    }

    /// The id of this opening (what `clearPreviousRuns` keeps).
    #[wasm_bindgen(getter, js_name = runId)]
    pub fn run_id(&self) -> String {
        self.shared.core.run_id().to_string()
    }
}

/// The key of one value, as a cache would compute it for an argument (for
/// checking keys across targets).
#[wasm_bindgen]
pub fn fingerprint(value: JsValue) -> Result<String, JsValue> {
    js_to_datum(&value, 0)
        .map(|d| d.key().hex())
        .map_err(|why| err(ErrorKind::Input, format!("cannot fingerprint: {why}")))
}
