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
use super::host::{
    deserialize_value, has_node_fs, new_run_id, now_ms, probe_for, serialize_value, total_memory, HostFiles, NodeDisk,
};
use super::interface::JsInterface;
use crate::error::{Error, ErrorKind};
use crate::fingerprint::{interface_key, Datum, HashMethod, Key, KeyMap};
use crate::memory::cached::now_or_never;
use crate::memory::{
    code_id, parse_duration_ms, parse_size, sidecar, Kind, Limits, Memory, MemoryStore, Meta, NewEntry, Store,
};
use crate::memory::{Entry, FsStore, FunctionKeyer, WithReadOnly};
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
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = warn)]
    fn console_warn(s: &str);
}

/// Where a JS Memory keeps entries.
enum JsStore {
    Memory(MemoryStore<JsValue>),
    /// The filesystem store under Node (with any read-only locations behind it);
    /// values as V8's serialization of them.
    Fs(WithReadOnly<FsStore<NodeDisk>>),
    #[cfg(feature = "indexeddb")]
    Idb(super::idb::IdbStore),
    /// `store: 'none'`: nothing is kept (joblib's `location=None`).
    Off,
}

impl Store<JsValue> for JsStore {
    async fn get(&self, name: &str, key: &Key) -> crate::Result<Option<crate::memory::Entry<JsValue>>> {
        match self {
            JsStore::Memory(s) => s.get(name, key).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.get(name, key).await,
            JsStore::Fs(s) => Ok(s.get(name, key).await?.and_then(|e| {
                let value = decoded(s, e.meta.clone(), &e.value)?;
                Some(Entry { meta: e.meta, value })
            })),
            JsStore::Off => Ok(None),
        }
    }
    async fn put(&self, entry: crate::memory::Entry<JsValue>) -> crate::Result<()> {
        match self {
            JsStore::Memory(s) => s.put(entry).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.put(entry).await,
            JsStore::Fs(s) => {
                let bytes = serialize_value(&entry.value).map_err(|e| {
                    Error::new(
                        ErrorKind::Store,
                        format!("'{}': the value cannot be serialized: {e:?}", entry.meta.name),
                    )
                })?;
                s.put(Entry { meta: entry.meta, value: bytes.to_vec() }).await
            }
            JsStore::Off => Ok(()),
        }
    }
    async fn set_meta(&self, meta: &Meta) -> crate::Result<()> {
        match self {
            JsStore::Memory(s) => s.set_meta(meta).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.set_meta(meta).await,
            JsStore::Fs(s) => s.set_meta(meta).await,
            JsStore::Off => Ok(()),
        }
    }
    async fn remove(&self, name: &str, key: &Key) -> crate::Result<bool> {
        match self {
            JsStore::Memory(s) => s.remove(name, key).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.remove(name, key).await,
            JsStore::Fs(s) => s.remove(name, key).await,
            JsStore::Off => Ok(false),
        }
    }
    async fn list(&self) -> crate::Result<Vec<Meta>> {
        match self {
            JsStore::Memory(s) => s.list().await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.list().await,
            JsStore::Fs(s) => s.list().await,
            JsStore::Off => Ok(Vec::new()),
        }
    }
    async fn hit(
        &self,
        name: &str,
        key: &Key,
        accept: impl FnOnce(&Meta) -> bool,
        refresh: impl FnOnce(&mut Meta),
    ) -> crate::Result<Option<JsValue>> {
        match self {
            JsStore::Memory(s) => s.hit(name, key, accept, refresh).await,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(s) => s.hit(name, key, accept, refresh).await,
            JsStore::Fs(s) => {
                // The entry's metadata, for removing it if its value does not decode
                // (seen by `accept`, which every store layer calls).
                let meta = std::cell::RefCell::new(None);
                let bytes = s
                    .hit(
                        name,
                        key,
                        |m| {
                            *meta.borrow_mut() = Some(m.clone());
                            accept(m)
                        },
                        refresh,
                    )
                    .await?;
                Ok(bytes.zip(meta.into_inner()).and_then(|(b, m)| decoded(s, m, &b)))
            }
            JsStore::Off => Ok(None),
        }
    }
}

impl JsStore {
    /// Whether every operation completes at its first poll (no real I/O wait).
    fn answers_at_once(&self) -> bool {
        match self {
            JsStore::Memory(_) | JsStore::Fs(_) | JsStore::Off => true,
            #[cfg(feature = "indexeddb")]
            JsStore::Idb(_) => false,
        }
    }
}

/// A stored value back as a JS value; one that no longer deserializes is a
/// damaged entry: removed, and a miss.
fn decoded(store: &impl Store<Vec<u8>>, meta: Meta, bytes: &[u8]) -> Option<JsValue> {
    match deserialize_value(bytes) {
        Ok(v) => Some(v),
        Err(_) => {
            let _ = crate::memory::cached::now_or_never(store.remove(&meta.name, &meta.key));
            None
        }
    }
}

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

/// Runs `fut` as a JS Promise.
fn spawn(fut: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    future_to_promise(fut)
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
    for k in Object::keys(o).iter() {
        let k = k.as_string().unwrap_or_default();
        if !allowed.contains(&k.as_str()) {
            return Err(err(
                ErrorKind::Input,
                format!("unknown {what} option '{k}' (expected one of: {})", allowed.join(", ")),
            ));
        }
    }
    Ok(())
}

fn metas_to_js(metas: &[Meta]) -> Result<JsValue, JsValue> {
    from_json(&serde_json::Value::Array(metas.iter().map(Meta::to_json).collect()))
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
];

#[wasm_bindgen(js_class = Memory)]
impl JsMemory {
    /// Opens a Memory. Options: `store` (`'memory'`, the default, or `'none'`),
    /// `force` (`true` or a list of names), `bytesLimit`, `itemsLimit`, `ageLimit`,
    /// `maxmem` (a share of physical memory), `hashMethod`, `verbose`, `prefix`.
    #[wasm_bindgen(unchecked_return_type = "Memory")]
    pub async fn open(options: Option<Object>) -> Result<JsValue, JsValue> {
        let o = options.unwrap_or_default();
        check_keys(&o, OPEN_KEYS, "Memory.open")?;
        let store = match get(&o, "store").as_string().as_deref() {
            None | Some("memory") => JsStore::Memory(MemoryStore::default()),
            Some("none") => JsStore::Off,
            Some("fs") if has_node_fs() => {
                let location = get(&o, "location")
                    .as_string()
                    .ok_or_else(|| err(ErrorKind::Input, "store 'fs' needs a location (a folder)"))?;
                let mut store = FsStore::open_on(NodeDisk, location).map_err(to_js_error)?;
                // joblib's `compress`: true (level 3) or a zlib level 1–9.
                match get(&o, "compress") {
                    c if c.as_bool() == Some(true) => store = store.compress(3),
                    c if c.as_f64().is_some_and(|l| (1.0..=9.0).contains(&l)) => {
                        store = store.compress(c.as_f64().unwrap_or(3.0) as u8)
                    }
                    c if c.is_undefined() || c.is_null() || c.as_bool() == Some(false) => {}
                    _ => return Err(err(ErrorKind::Input, "compress is true or a level from 1 to 9")),
                }
                // Read-only extra locations: hits come from them, nothing goes to them.
                let extra = get(&o, "readOnly");
                let read_only = if Array::is_array(&extra) {
                    Array::from(&extra)
                        .iter()
                        .map(|d| {
                            let dir = d.as_string().ok_or_else(|| err(ErrorKind::Input, "readOnly lists folders"))?;
                            FsStore::open_on(NodeDisk, dir).map_err(to_js_error)
                        })
                        .collect::<Result<Vec<_>, JsValue>>()?
                } else {
                    Vec::new()
                };
                JsStore::Fs(WithReadOnly::new(store, read_only))
            }
            Some("fs") => return Err(err(ErrorKind::Input, "store 'fs' needs Node's filesystem")),
            #[cfg(feature = "indexeddb")]
            Some("indexeddb") => {
                let name = get(&o, "name").as_string().unwrap_or_else(|| "default".into());
                JsStore::Idb(super::idb::IdbStore::open(&name).await.map_err(to_js_error)?)
            }
            Some(other) => {
                return Err(err(
                    ErrorKind::Input,
                    format!("store '{other}' is not available (use 'memory', 'indexeddb', 'fs' or 'none')"),
                ))
            }
        };
        if !get(&o, "compress").is_undefined() && !matches!(store, JsStore::Fs(_)) {
            return Err(err(ErrorKind::Input, "compress applies to the 'fs' store"));
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
    /// and runs `run(inputs, cmdline)` on a miss; it resolves to
    /// `{outputs, cmdline, cached, durationMs, key}`.
    #[wasm_bindgen(js_name = cacheInterface)]
    pub fn cache_interface(
        &self,
        iface: &JsInterface,
        run: Function,
        options: Option<Object>,
    ) -> Result<JsValue, JsValue> {
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
    pub fn status(&self, steps: Array) -> Promise {
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

    /// The id of this opening (what `clearPreviousRuns` keeps).
    #[wasm_bindgen(getter, js_name = runId)]
    pub fn run_id(&self) -> String {
        self.shared.core.run_id().to_string()
    }
}

/// kwneuro's `@cacheable`: `fn`, cached whenever a Memory is active, and a
/// plain call (no cost) otherwise.
#[wasm_bindgen]
pub fn cacheable(f: Function, options: Option<Object>) -> Result<JsValue, JsValue> {
    let name = match options.as_ref().map(|o| get(o, "name").as_string()) {
        Some(Some(n)) => n,
        _ => f
            .name()
            .as_string()
            .filter(|n| !n.is_empty())
            .ok_or_else(|| err(ErrorKind::Input, "cacheable needs a named function or options.name"))?,
    };
    let core = CacheableCore { f: f.clone(), options, name, per_memory: RefCell::new(HashMap::new()) };
    Ok(make_cacheable(core.into(), &f))
}

/// Everything a cached function needs, shared by its calls.
struct CachedState {
    mem: Rc<Shared>,
    f: Function,
    name: String,
    code: String,
    keyer: FunctionKeyer,
    params: Vec<Option<String>>,
    ignore: Vec<JsValue>,
    validate: Option<Function>,
    expires_ms: Option<f64>,
    save: Option<Function>,
    load: Option<Function>,
    callback: Option<Function>,
    hits: Cell<u64>,
    misses: Cell<u64>,
    code_checked: Cell<bool>,
}

const CACHE_KEYS: &[&str] = &["name", "ignore", "version", "validate", "expiresAfter", "save", "load", "callback"];

impl CachedState {
    fn new(mem: &Rc<Shared>, f: Function, options: Option<&Object>) -> Result<CachedState, JsValue> {
        let o = options.cloned().unwrap_or_default();
        check_keys(&o, CACHE_KEYS, "cache")?;
        let fname = get(&o, "name").as_string().or_else(|| f.name().as_string().filter(|n| !n.is_empty()));
        let name =
            fname.ok_or_else(|| err(ErrorKind::Input, "an anonymous function needs options.name to be cached"))?;
        let func = |k: &str| get(&o, k).dyn_into::<Function>().ok();
        let version = get(&o, "version").as_string();
        let source = f.to_string().as_string().unwrap_or_default();
        let ignore = get(&o, "ignore");
        let name = format!("{}{name}", mem.prefix);
        let code = code_id(version.as_deref(), &source);
        Ok(CachedState {
            mem: mem.clone(),
            keyer: FunctionKeyer::new(&name, &code),
            name,
            code,
            params: param_names(&f).iter().map(|p| p.as_string()).collect(),
            ignore: if Array::is_array(&ignore) { Array::from(&ignore).to_vec() } else { Vec::new() },
            validate: func("validate"),
            expires_ms: duration_option(&get(&o, "expiresAfter"), "expiresAfter")?,
            save: func("save"),
            load: func("load"),
            callback: func("callback"),
            f,
            hits: Cell::new(0),
            misses: Cell::new(0),
            code_checked: Cell::new(false),
        })
    }

    /// The arguments by parameter name (position where there is none), less the
    /// ignored ones and trailing `undefined`s.
    fn named_args(&self, args: &Array) -> Result<Vec<(String, Datum)>, JsValue> {
        let mut n = args.length();
        while n > 0 && args.get(n - 1).is_undefined() {
            n -= 1;
        }
        let mut out = Vec::with_capacity(n as usize);
        for i in 0..n {
            let name = self.params.get(i as usize).cloned().flatten().unwrap_or_else(|| i.to_string());
            if self
                .ignore
                .iter()
                .any(|x| x.as_string().as_deref() == Some(name.as_str()) || x.as_f64() == Some(i as f64))
            {
                continue;
            }
            let datum = js_to_datum(&args.get(i), 0).map_err(|why| {
                err(
                    ErrorKind::Input,
                    format!("{}: argument '{name}' cannot be fingerprinted: {why}; pass ignore: ['{name}'] to leave it out of the key", self.name),
                )
            })?;
            out.push((name, datum));
        }
        Ok(out)
    }

    /// Whether a stored entry may be used: not expired, and `validate` agrees.
    fn accepts(&self, meta: &Meta) -> bool {
        if self.expires_ms.is_some_and(|e| now_ms() - meta.created_ms > e) {
            return false;
        }
        match &self.validate {
            None => true,
            Some(v) => match from_json(&meta.to_json()).and_then(|m| v.call1(&JsValue::UNDEFINED, &m)) {
                Ok(r) => r.is_truthy(),
                Err(_) => false,
            },
        }
    }

    /// joblib: on its first call, a function whose code changed drops the
    /// results of its previous code (and says so when verbose).
    async fn drop_stale_code(&self) -> Result<(), JsValue> {
        if self.code_checked.replace(true) {
            return Ok(());
        }
        let (name, code) = (&self.name, &self.code);
        let removed = self
            .mem
            .core
            .clear_where(|m| m.kind == Kind::Function && &m.name == name && m.code.as_deref() != Some(code.as_str()))
            .await
            .map_err(to_js_error)?;
        if self.mem.verbose && !removed.is_empty() {
            console_warn(&format!(
                "toolmemo: the code of '{name}' changed; {} cached result(s) of its old code removed",
                removed.len()
            ));
        }
        Ok(())
    }
}

/// Calls `f(...args)` and awaits the result if it is a promise.
async fn call_user(f: &Function, args: &Array) -> Result<JsValue, JsValue> {
    let r = f.apply(&JsValue::UNDEFINED, args)?;
    if is_thenable(&r) {
        JsFuture::from(Promise::resolve(&r)).await
    } else {
        Ok(r)
    }
}

/// A private copy of a value for the store, or why there can be none.
fn clone_value(v: &JsValue) -> Result<JsValue, String> {
    let c: Object = try_clone(v).unchecked_into();
    if get(&c, "ok").is_truthy() {
        Ok(get(&c, "value"))
    } else {
        Err(get(&c, "error").as_string().unwrap_or_default())
    }
}

/// Shares one computation among concurrent callers of `key`.
fn deduplicated(mem: &Rc<Shared>, key: Key, work: impl Future<Output = Result<JsValue, JsValue>> + 'static) -> Promise {
    if let Some(p) = mem.inflight.borrow().get(&key) {
        return p.clone();
    }
    let m = mem.clone();
    let p = spawn(async move {
        let r = work.await;
        m.inflight.borrow_mut().remove(&key);
        r
    });
    mem.inflight.borrow_mut().insert(key, p.clone());
    p
}

/// A stored value as the caller gets it: primitives as they are, objects as a
/// fresh structured clone (or through the function's `load`).
async fn restore(st: &CachedState, stored: JsValue) -> Result<JsValue, JsValue> {
    match &st.load {
        Some(load) => call_user(load, &Array::of1(&stored)).await,
        None => fresh(&stored),
    }
}

fn fresh(stored: &JsValue) -> Result<JsValue, JsValue> {
    if stored.is_object() {
        clone_value(stored).map_err(|e| err(ErrorKind::Input, e))
    } else {
        Ok(stored.clone())
    }
}

fn on_hit(st: &CachedState, value: &JsValue) {
    st.hits.set(st.hits.get() + 1);
    if let Some(cb) = &st.callback {
        let _ = cb.call1(&JsValue::UNDEFINED, value);
    }
}

fn run_cached(state: Rc<CachedState>, args: Array) -> Promise {
    let named = match state.named_args(&args) {
        Ok(n) => n,
        Err(e) => return Promise::reject(&e),
    };
    if matches!(state.mem.core.store(), JsStore::Off) {
        return spawn(async move { call_user(&state.f, &args).await });
    }
    let key = state.keyer.key(&named);
    if let Some(p) = state.mem.inflight.borrow().get(&key) {
        return p.clone();
    }
    let forced = state.mem.force.applies(&state.name);
    // The fast path: a store that answers at once needs no task for a hit.
    // (Never for IndexedDB: its lookup is pending at first, and a dropped
    // pending request would leave the browser calling freed callbacks.)
    let mut looked_up = false;
    if !forced && state.code_checked.get() && state.load.is_none() && state.mem.core.store().answers_at_once() {
        if let Some(found) = now_or_never(state.mem.core.lookup(&state.name, &key, |m| state.accepts(m))) {
            looked_up = true;
            match found.map_err(to_js_error).and_then(|v| v.map(|v| fresh(&v)).transpose()) {
                Ok(Some(value)) => {
                    on_hit(&state, &value);
                    return Promise::resolve(&value);
                }
                Ok(None) => {}
                Err(e) => return Promise::reject(&e),
            }
        }
    }
    let st = state.clone();
    deduplicated(&state.mem, key, async move {
        st.drop_stale_code().await?;
        let mem = &st.mem;
        if !forced && !looked_up {
            if let Some(stored) = mem.core.lookup(&st.name, &key, |m| st.accepts(m)).await.map_err(to_js_error)? {
                let value = restore(&st, stored).await?;
                on_hit(&st, &value);
                return Ok(value);
            }
        }
        st.misses.set(st.misses.get() + 1);
        let started = now_ms();
        let result = call_user(&st.f, &args).await?;
        let duration_ms = now_ms() - started;
        let stored = match &st.save {
            Some(save) => call_user(save, &Array::of1(&result)).await.map_err(|e| format!("{e:?}")),
            None => clone_value(&result),
        };
        match stored {
            Ok(stored) => {
                let fk = st.keyer.parts(&named);
                let new = NewEntry {
                    key,
                    kind: Kind::Function,
                    name: st.name.clone(),
                    bytes: estimate_size(&stored, 0),
                    duration_ms,
                    code: Some(st.code.clone()),
                    args: Some(fk.args),
                    sidecar: sidecar(&named),
                };
                let evicted = mem.core.insert(new, stored).await.map_err(to_js_error)?;
                if mem.verbose && !evicted.is_empty() {
                    console_warn(&format!("toolmemo: evicted {} entr(ies) to keep within limits", evicted.len()));
                }
            }
            Err(why) => console_warn(&format!(
                "toolmemo: the result of '{}' cannot be stored ({why}); it is returned uncached",
                st.name
            )),
        }
        if let Some(cb) = &st.callback {
            let _ = cb.call1(&JsValue::UNDEFINED, &result);
        }
        Ok(result)
    })
}

/// The object behind a cached function (used by the `memory.js` wrapper).
#[wasm_bindgen]
pub struct CachedCore {
    state: Rc<CachedState>,
}

#[wasm_bindgen]
impl CachedCore {
    pub fn call(&self, args: Array) -> Promise {
        run_cached(self.state.clone(), args)
    }

    /// Whether these arguments are cached (joblib's `check_call_in_cache`).
    pub fn check(&self, args: Array) -> Promise {
        let st = self.state.clone();
        let named = match st.named_args(&args) {
            Ok(n) => n,
            Err(e) => return Promise::reject(&e),
        };
        let key = st.keyer.key(&named);
        spawn(async move { Ok(st.mem.core.contains(&st.name, &key).await.map_err(to_js_error)?.into()) })
    }

    /// `{hits, misses, currsize}` of this function.
    pub fn info(&self) -> Promise {
        let st = self.state.clone();
        spawn(async move {
            let entries = st.mem.core.entries().await.map_err(to_js_error)?;
            let currsize = entries.iter().filter(|m| m.kind == Kind::Function && m.name == st.name).count();
            from_json(&serde_json::json!({"hits": st.hits.get(), "misses": st.misses.get(), "currsize": currsize}))
        })
    }

    /// Removes this function's entries; resolves to what was removed.
    pub fn clear(&self) -> Promise {
        let st = self.state.clone();
        spawn(async move {
            let name = st.name.clone();
            metas_to_js(
                &st.mem.core.clear_where(|m| m.kind == Kind::Function && m.name == name).await.map_err(to_js_error)?,
            )
        })
    }

    /// The key of a call and its components: why it would miss.
    pub fn explain(&self, args: Array) -> Result<JsValue, JsValue> {
        let named = self.state.named_args(&args)?;
        from_json(&self.state.keyer.parts(&named).explain(&self.state.name))
    }

    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.state.name.clone()
    }
}

/// The object behind a `cacheable` wrapper.
#[wasm_bindgen]
pub struct CacheableCore {
    f: Function,
    options: Option<Object>,
    name: String,
    per_memory: RefCell<HashMap<u32, Rc<CachedState>>>,
}

#[wasm_bindgen]
impl CacheableCore {
    /// Whether a Memory is active.
    pub fn active(&self) -> bool {
        ACTIVE.with(|a| !a.borrow().is_empty())
    }

    /// A call through the innermost active Memory.
    pub fn call(&self, args: Array) -> Result<Promise, JsValue> {
        let mem =
            ACTIVE.with(|a| a.borrow().last().cloned()).ok_or_else(|| err(ErrorKind::Input, "no Memory is active"))?;
        let existing = self.per_memory.borrow().get(&mem.id).cloned();
        let state = match existing {
            Some(s) => s,
            None => {
                let s = Rc::new(CachedState::new(&mem, self.f.clone(), self.options.as_ref())?);
                self.per_memory.borrow_mut().insert(mem.id, s.clone());
                s
            }
        };
        Ok(run_cached(state, args))
    }

    #[wasm_bindgen(getter)]
    pub fn name(&self) -> String {
        self.name.clone()
    }
}

/// The object behind a cached interface (nipype's PipeFunc).
#[wasm_bindgen]
pub struct PipeFuncCore {
    mem: Rc<Shared>,
    iface: Rc<Interface>,
    run: Function,
    name: String,
    options: Object,
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

/// The key of one value, as a cache would compute it for an argument (for
/// checking keys across targets).
#[wasm_bindgen]
pub fn fingerprint(value: JsValue) -> Result<String, JsValue> {
    js_to_datum(&value, 0)
        .map(|d| d.key().hex())
        .map_err(|why| err(ErrorKind::Input, format!("cannot fingerprint: {why}")))
}
