//! Cached JS functions: `mem.cache(fn)` and kwneuro's `cacheable(fn)`.

use super::*;

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
pub(super) struct CachedState {
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
    /// Keys by handle (see [`CachedCore::intern`]).
    handles: RefCell<Vec<Key>>,
    /// What [`CachedCore::hit`] answers for a miss, and for "ask the slow path".
    markers: (JsValue, JsValue),
}

const CACHE_KEYS: &[&str] = &["name", "ignore", "version", "validate", "expiresAfter", "save", "load", "callback"];

impl CachedState {
    pub(super) fn new(mem: &Rc<Shared>, f: Function, options: Option<&Object>) -> Result<CachedState, JsValue> {
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
            handles: RefCell::new(Vec::new()),
            markers: (Object::new().into(), Object::new().into()),
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

    /// What this function makes of a stored value: `validate` must agree, and
    /// the value must be one a JS function stored (see [`judge_js`]).
    fn judge(&self, meta: &Meta, value: &JsValue) -> Verdict<JsValue> {
        if let Some(v) = &self.validate {
            let ok =
                from_json(&meta.to_json()).and_then(|m| v.call1(&JsValue::UNDEFINED, &m)).is_ok_and(|r| r.is_truthy());
            if !ok {
                return Verdict::Stale("validate refused it".to_string());
            }
        }
        judge_js(meta, value)
    }

    fn request(&self, key: Key, force: bool) -> Request<'_> {
        Request { name: &self.name, key, force, expires_ms: self.expires_ms }
    }

    /// joblib: on its first call, a function whose code changed drops the
    /// results of its previous code (and says so when verbose).
    async fn drop_stale_code(&self) -> Result<(), JsValue> {
        if self.code_checked.replace(true) {
            return Ok(());
        }
        let (name, code) = (&self.name, &self.code);
        let removed = self.mem.core.drop_stale_code(name, code).await.map_err(to_js_error)?;
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
pub(super) async fn call_user(f: &Function, args: &Array) -> Result<JsValue, JsValue> {
    let r = f.apply(&JsValue::UNDEFINED, args)?;
    if is_thenable(&r) {
        JsFuture::from(Promise::resolve(&r)).await
    } else {
        Ok(r)
    }
}

/// A private copy of a value for the store, or why there can be none.
pub(super) fn clone_value(v: &JsValue) -> Result<JsValue, String> {
    let c: Object = try_clone(v).unchecked_into();
    if get(&c, "ok").is_truthy() {
        Ok(get(&c, "value"))
    } else {
        Err(get(&c, "error").as_string().unwrap_or_default())
    }
}

/// Shares one computation among concurrent callers of `key`.
pub(super) fn deduplicated(
    mem: &Rc<Shared>,
    key: Key,
    work: impl Future<Output = Result<JsValue, JsValue>> + 'static,
) -> Promise {
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
        None => fresh(stored),
    }
}

fn fresh(stored: JsValue) -> Result<JsValue, JsValue> {
    if stored.is_object() {
        clone_value(&stored).map_err(|e| err(ErrorKind::Input, e))
    } else {
        Ok(stored)
    }
}

fn on_hit(st: &CachedState, value: &JsValue) {
    st.hits.set(st.hits.get() + 1);
    if let Some(cb) = &st.callback {
        let _ = cb.call1(&JsValue::UNDEFINED, value);
    }
}

/// A stored value as a JS function's result: JS values as they are (`js`, and
/// `v8` from the filesystem), JSON text (`json`: the Rust API's) parsed, and
/// entries from before formats were recorded as whichever they are. Anything
/// else (a tool run) is not a function's result.
pub(super) fn judge_js(meta: &Meta, value: &JsValue) -> Verdict<JsValue> {
    use crate::memory::format;
    let bytes = || value.dyn_ref::<js_sys::Uint8Array>().map(|b| b.to_vec());
    match meta.format.as_str() {
        format::JS | format::V8 => Verdict::Use(value.clone()),
        format::JSON | format::LEGACY => match bytes() {
            Some(b) => match parse_json_bytes(&b) {
                v if v.is_undefined() => Verdict::Unusable("its value is not JSON".to_string()),
                v => Verdict::Use(v),
            },
            None if meta.format == format::LEGACY => Verdict::Use(value.clone()),
            None => Verdict::Unusable("its JSON value is not bytes".to_string()),
        },
        other => Verdict::Unusable(format!("it is in format '{other}', not a function's result")),
    }
}

/// Keeps a JS exception aside while the core unwinds with a placeholder error.
pub(super) fn rethrow(slot: &RefCell<Option<JsValue>>, e: JsValue) -> Error {
    *slot.borrow_mut() = Some(e);
    Error::new(ErrorKind::Run, "the function threw")
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
    let skip_lookup = match fast_hit(&state, &key, state.mem.core.now()) {
        Fast::Hit(value) => return Promise::resolve(&value),
        Fast::Failed(e) => return Promise::reject(&e),
        Fast::Missed => true,
        Fast::Slow => state.mem.force.applies(&state.name),
    };
    compute_call(state, args, named, key, skip_lookup)
}

/// What the fast path made of a call.
enum Fast {
    /// A hit, counted: the caller's value.
    Hit(JsValue),
    /// Looked up and missed (counted): compute without looking again.
    Missed,
    /// Not tried (forced, a first call, `load`, a store that does not answer
    /// at once, a computation in flight): the slow path decides.
    Slow,
    /// The lookup failed, or its value cannot be handed out.
    Failed(JsValue),
}

/// A hit without a task, for a store that answers at once. (Never IndexedDB:
/// its lookup is pending at first, and a dropped pending request would leave
/// the browser calling freed callbacks.)
fn fast_hit(state: &CachedState, key: &Key, now_ms: f64) -> Fast {
    let usable = state.code_checked.get()
        && !state.mem.force.applies(&state.name)
        && state.load.is_none()
        && state.mem.core.store().answers_at_once()
        && !state.mem.inflight.borrow().contains_key(key);
    if !usable {
        return Fast::Slow;
    }
    let lookup = state.mem.core.lookup_at(now_ms, &state.name, key, state.expires_ms, |m, v| state.judge(m, v));
    match now_or_never(lookup) {
        Some(Ok(Looked::Hit(v))) => match fresh(v) {
            Ok(value) => {
                on_hit(state, &value);
                Fast::Hit(value)
            }
            Err(e) => Fast::Failed(e),
        },
        Some(Ok(Looked::Miss(_))) => Fast::Missed,
        Some(Err(e)) => Fast::Failed(to_js_error(e)),
        None => Fast::Slow,
    }
}

/// The slow path: de-duplicated among concurrent callers, through the core.
fn compute_call(
    state: Rc<CachedState>,
    args: Array,
    named: Vec<(String, Datum)>,
    key: Key,
    skip_lookup: bool,
) -> Promise {
    let st = state.clone();
    deduplicated(&state.mem, key, async move {
        st.drop_stale_code().await?;
        let mem = &st.mem;
        // A forced call, or one whose lookup already missed, goes straight to computing.
        let req = st.request(key, skip_lookup);
        // What the function throws reaches the caller as it was thrown.
        let thrown = RefCell::new(None);
        let compute = async {
            st.misses.set(st.misses.get() + 1);
            let started = now_ms();
            let result = call_user(&st.f, &args).await.map_err(|e| rethrow(&thrown, e))?;
            let duration_ms = now_ms() - started;
            let stored = match &st.save {
                Some(save) => call_user(save, &Array::of1(&result)).await.map_err(|e| format!("{e:?}")),
                None => clone_value(&result),
            };
            let store = match stored {
                Ok(stored) => Some((
                    NewEntry {
                        key,
                        kind: Kind::Function,
                        name: st.name.clone(),
                        bytes: estimate_size(&stored, 0),
                        duration_ms,
                        code: Some(st.code.clone()),
                        args: Some(st.keyer.args_key(&named)),
                        sidecar: sidecar(&named),
                        format: crate::memory::format::JS,
                    },
                    stored,
                )),
                Err(why) => {
                    console_warn(&format!(
                        "toolmemo: the result of '{}' cannot be stored ({why}); it is returned uncached",
                        st.name
                    ));
                    None
                }
            };
            Ok(Fresh { result, store, staged: None })
        };
        let called = mem.core.call(&req, |m, v| st.judge(m, v), compute).await;
        let called = called.map_err(|e| thrown.take().unwrap_or_else(|| to_js_error(e)))?;
        if mem.verbose && !called.evicted.is_empty() {
            console_warn(&format!("toolmemo: evicted {} entr(ies) to keep within limits", called.evicted.len()));
        }
        if called.cached {
            let value = restore(&st, called.result).await?;
            on_hit(&st, &value);
            return Ok(value);
        }
        if let Some(cb) = &st.callback {
            let _ = cb.call1(&JsValue::UNDEFINED, &called.result);
        }
        Ok(called.result)
    })
}

/// The object behind a cached function (used by the `memory.js` wrapper).
#[wasm_bindgen]
pub struct CachedCore {
    pub(super) state: Rc<CachedState>,
}

#[wasm_bindgen]
impl CachedCore {
    pub fn call(&self, args: Array) -> Promise {
        run_cached(self.state.clone(), args)
    }

    /// A handle on the key of `args` (-1 when calls are not stored): `memory.js`
    /// keeps one per list of primitive arguments, so that a repeated call skips
    /// converting and hashing them. A handle stays valid until [`forget`].
    pub fn intern(&self, args: Array) -> i32 {
        let st = &self.state;
        if matches!(st.mem.core.store(), JsStore::Off) {
            return -1;
        }
        match st.named_args(&args) {
            Ok(named) => {
                let mut handles = st.handles.borrow_mut();
                handles.push(st.keyer.key(&named));
                handles.len() as i32 - 1
            }
            Err(_) => -1,
        }
    }

    /// The value of a hit on `handle`'s key, or one of [`markers`]: the first
    /// when it missed (then `callMissed`), the second when only the slow path
    /// can tell (then `call`). `now_ms` is `Date.now()`, the Memory's clock.
    /// Throws what the lookup failed with.
    pub fn hit(&self, handle: u32, now_ms: f64) -> Result<JsValue, JsValue> {
        let st = &self.state;
        let key = st.handles.borrow().get(handle as usize).copied();
        match key.map(|k| fast_hit(st, &k, now_ms)) {
            Some(Fast::Hit(value)) => Ok(value),
            Some(Fast::Missed) => Ok(st.markers.0.clone()),
            Some(Fast::Failed(e)) => Err(e),
            Some(Fast::Slow) | None => Ok(st.markers.1.clone()),
        }
    }

    /// A call whose lookup (by [`hit`] on `handle`) just missed: the key
    /// is the handle's, not computed again.
    #[wasm_bindgen(js_name = callMissed)]
    pub fn call_missed(&self, args: Array, handle: u32) -> Promise {
        let st = self.state.clone();
        match st.named_args(&args) {
            Ok(named) => {
                let known = st.handles.borrow().get(handle as usize).copied();
                let key = known.unwrap_or_else(|| st.keyer.key(&named));
                compute_call(st, args, named, key, true)
            }
            Err(e) => Promise::reject(&e),
        }
    }

    /// `[missed, slow]`: the values of [`hit`] that are not hits.
    pub fn markers(&self) -> Array {
        Array::of2(&self.state.markers.0, &self.state.markers.1)
    }

    /// Drops every handle (the JS side's table of them is full).
    pub fn forget(&self) {
        self.state.handles.borrow_mut().clear();
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
