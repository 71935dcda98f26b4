//! The inspector's routes: listing, details, removal, eviction, clearing;
//! all through `run::Cache` (Memory and the store contract), as `ls`, `show`,
//! `evict` and `clear` go.
//!
//! Listing: sorted by last use, creation or size and not filtered, a page
//! comes from the store's index (its rows: no entry read but the page's), as
//! do the totals, bytes by name and growth — fast at any size. Otherwise the
//! listing is a walk (a read of each entry's metadata), so the server keeps
//! the last one and pages, sorts and filters it in memory (100,000 entries
//! sort in a few milliseconds). It is walked again when the
//! store's totals (from its index: no walk) differ from the walk's, when this
//! server changed the cache, when the page asks (`fresh=1`, its Refresh
//! button) or when it is older than `STALE`: hits elsewhere change last uses
//! without changing the totals.

use super::http::{Reply, Req};
use super::run_cache::{self, Cache};
use super::Shared;
use serde_json::{json, Value as Json};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use toolmemo::memory::{parse_duration_ms, parse_size, Limits, Meta, Row, Usage};
use toolmemo::runner::RunRecord;
use toolmemo::{Error, ErrorKind};

/// A listing older than this is walked again.
const STALE: Duration = Duration::from_secs(30);
/// Rows a page asks for at most.
const MAX_LIMIT: usize = 1000;
/// Points of the growth curve.
const GROWTH_POINTS: usize = 120;
/// Entries named in an eviction's or clear's answer (the count and bytes are of all).
const SAMPLE: usize = 200;

#[derive(Default)]
pub struct Listings {
    held: Mutex<Option<Held>>,
}

struct Held {
    metas: std::sync::Arc<Vec<Meta>>,
    usage: Usage,
    at: Instant,
    walk_ms: f64,
}

impl Listings {
    /// The entries: the held walk if it is still good, else a new walk.
    fn get(&self, cache: &Cache, fresh: bool) -> Result<(std::sync::Arc<Vec<Meta>>, f64), Error> {
        let usage = cache.usage()?;
        {
            let held = self.held.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(h) = held.as_ref() {
                if !fresh && h.usage == usage && h.at.elapsed() < STALE {
                    return Ok((h.metas.clone(), h.walk_ms));
                }
            }
        }
        let started = Instant::now();
        let metas = std::sync::Arc::new(cache.entries()?);
        let walk_ms = started.elapsed().as_secs_f64() * 1e3;
        let usage = Usage { entries: metas.len() as u64, bytes: metas.iter().map(|m| m.bytes).sum() };
        *self.held.lock().unwrap_or_else(|p| p.into_inner()) =
            Some(Held { metas: metas.clone(), usage, at: Instant::now(), walk_ms });
        Ok((metas, walk_ms))
    }

    /// The cache changed here: the next listing walks.
    pub fn forget(&self) {
        *self.held.lock().unwrap_or_else(|p| p.into_inner()) = None;
    }
}

/// `GET /api/entries?sort=lastAccess&order=desc&filter=TEXT&offset=0&limit=100&fresh=1`:
/// one page of the entries, sorted (`name`, `key`, `kind`, `bytes`, `created`,
/// `lastAccess`, `hits`, `durationMs`) and filtered (by name, key, kind or command
/// line, case-insensitive); with the totals of the cache and of the filtered
/// entries, bytes by name, and the growth of what the cache holds:
/// `{entries: [meta…], total, bytes, matched, matchedBytes, byName: [[name, bytes, entries]…],
/// growth: [[ms, bytes]…], walkMs}`.
pub fn entries(req: &Req, s: &Shared, cache: &Cache) -> Result<Reply, Error> {
    let needle = req.query("filter").unwrap_or("").trim().to_lowercase();
    let offset: usize = number(req, "offset")?.unwrap_or(0);
    let limit: usize = number(req, "limit")?.unwrap_or(100).min(MAX_LIMIT);
    let sort = req.query("sort").unwrap_or("lastAccess");
    let descending = req.query("order") != Some("asc");
    if needle.is_empty() {
        if let Some(reply) = from_index(cache, sort, descending, offset, limit)? {
            return Ok(reply);
        }
    }
    let (metas, walk_ms) = s.listing.get(cache, req.query("fresh") == Some("1"))?;

    let matches = |m: &Meta| {
        needle.is_empty()
            || [m.name.to_lowercase(), m.key.hex(), m.kind.as_str().to_string(), cmdline(m).to_lowercase()]
                .iter()
                .any(|v| v.contains(&needle))
    };
    let mut shown: Vec<&Meta> = metas.iter().filter(|m| matches(m)).collect();
    let by_num = |f: fn(&Meta) -> f64| move |a: &&Meta, b: &&Meta| f(a).total_cmp(&f(b));
    match sort {
        "name" => shown.sort_by(|a, b| a.name.cmp(&b.name)),
        "key" => shown.sort_by_key(|m| m.key.hex()),
        "kind" => shown.sort_by(|a, b| a.kind.as_str().cmp(b.kind.as_str())),
        "bytes" => shown.sort_by(by_num(|m| m.bytes as f64)),
        "created" => shown.sort_by(by_num(|m| m.created_ms)),
        "hits" => shown.sort_by(by_num(|m| m.hits as f64)),
        "durationMs" => shown.sort_by(by_num(|m| m.duration_ms)),
        "lastAccess" => shown.sort_by(by_num(|m| m.last_access_ms)),
        other => return Err(Error::new(ErrorKind::Input, format!("cannot sort by {other:?}"))),
    }
    if descending {
        shown.reverse();
    }
    let matched_bytes: u64 = shown.iter().map(|m| m.bytes).sum();
    let page: Vec<Json> = shown.iter().skip(offset).take(limit).map(|m| m.to_json()).collect();
    Ok(Reply::json(json!({
        "entries": page,
        "offset": offset,
        "total": metas.len(),
        "bytes": metas.iter().map(|m| m.bytes).sum::<u64>(),
        "matched": shown.len(),
        "matchedBytes": matched_bytes,
        "byName": by_name(metas.iter().map(|m| (m.name.as_str(), m.bytes))),
        "growth": growth(metas.iter().map(|m| (m.created_ms, m.bytes)).collect()),
        "walkMs": walk_ms,
    })))
}

/// The answer of `entries` from the store's index, for the orders its rows
/// hold; `None` for another order or a store without an index.
fn from_index(
    cache: &Cache,
    sort: &str,
    descending: bool,
    offset: usize,
    limit: usize,
) -> Result<Option<Reply>, Error> {
    let key: fn(&Row) -> f64 = match sort {
        "lastAccess" => |r| r.last_access_ms,
        "created" => |r| r.created_ms,
        "bytes" => |r| r.bytes as f64,
        _ => return Ok(None),
    };
    let started = Instant::now();
    let Some(mut rows) = cache.rows()? else { return Ok(None) };
    rows.sort_by(|a, b| key(a).total_cmp(&key(b)).then_with(|| a.key.cmp(&b.key)));
    if descending {
        rows.reverse();
    }
    let end = rows.len().min(offset.saturating_add(limit));
    let page = cache.metas_of(rows.get(offset..end).unwrap_or_default())?;
    let bytes: u64 = rows.iter().map(|r| r.bytes).sum();
    Ok(Some(Reply::json(json!({
        "entries": page.iter().map(Meta::to_json).collect::<Vec<_>>(),
        "offset": offset,
        "total": rows.len(),
        "bytes": bytes,
        "matched": rows.len(),
        "matchedBytes": bytes,
        "byName": by_name(rows.iter().map(|r| (r.place.as_str(), r.bytes))),
        "growth": growth(rows.iter().map(|r| (r.created_ms, r.bytes)).collect()),
        "walkMs": started.elapsed().as_secs_f64() * 1e3,
        "fromIndex": true,
    }))))
}

fn number(req: &Req, name: &str) -> Result<Option<usize>, Error> {
    req.query(name)
        .map(|v| v.parse().map_err(|_| Error::new(ErrorKind::Input, format!("{name}={v:?} is not a number"))))
        .transpose()
}

fn cmdline(m: &Meta) -> &str {
    m.sidecar.get("cmdline").and_then(Json::as_str).unwrap_or("")
}

/// `[[name, bytes, entries]…]`, largest first.
fn by_name<'a>(entries: impl Iterator<Item = (&'a str, u64)>) -> Vec<Json> {
    let mut by: std::collections::HashMap<&str, (u64, u64)> = Default::default();
    for (name, bytes) in entries {
        let e = by.entry(name).or_default();
        e.0 += bytes;
        e.1 += 1;
    }
    let mut rows: Vec<_> = by.into_iter().collect();
    rows.sort_by(|a, b| b.1 .0.cmp(&a.1 .0).then_with(|| a.0.cmp(b.0)));
    rows.into_iter().map(|(n, (b, e))| json!([n, b, e])).collect()
}

/// The bytes the cache holds now, by when they were stored: `[[created ms,
/// bytes of entries created until then]…]` (what eviction removed is not
/// counted: the cache keeps no history of what it no longer holds).
fn growth(mut by_time: Vec<(f64, u64)>) -> Vec<Json> {
    by_time.sort_by(|a, b| a.0.total_cmp(&b.0));
    let step = by_time.len().div_ceil(GROWTH_POINTS).max(1);
    let mut out = Vec::new();
    let mut sum = 0u64;
    for (i, (t, b)) in by_time.iter().enumerate() {
        sum += b;
        if (i + 1) % step == 0 || i + 1 == by_time.len() {
            out.push(json!([t, sum]));
        }
    }
    out
}

/// The `name` and `key` of a request: `?name=…&key=…` or a JSON body's.
fn which(name: Option<&str>, key: Option<&str>) -> Result<(String, toolmemo::fingerprint::Key), Error> {
    let name = name.ok_or_else(|| Error::new(ErrorKind::Input, "give the entry's name"))?;
    let key = key
        .and_then(toolmemo::fingerprint::Key::from_hex)
        .ok_or_else(|| Error::new(ErrorKind::Input, "give the entry's key (64 hex digits)"))?;
    Ok((name.to_string(), key))
}

/// `GET /api/entry?name=N&key=K`: one entry in full, read without counting a
/// hit: `{meta, dir, run: {cmdline, argv, exit, durationMs, started, stdout,
/// stderr, environ, specKey, inputKeys} | null, outputs: [{name, rel, path, bytes,
/// exists}], value: "preview" | null}` (`rel`: the file's name in the run's `work/`). `dir` and output paths are as on disk.
pub fn entry(req: &Req, _s: &Shared, cache: &Cache) -> Result<Reply, Error> {
    let (name, key) = which(req.query("name"), req.query("key"))?;
    let found = run_cache::get(cache, &name, &key)?;
    let Some((meta, value, dir)) = found else {
        return Ok(Reply::problem(404, "not-found", &format!("{name} {}: no such entry (removed?)", &key.hex()[..12])));
    };
    let record = run_record(&meta, &value);
    let mut out = json!({"meta": meta.to_json(), "dir": dir.as_ref().map(|d| d.to_string_lossy().into_owned())});
    match &record {
        Some(r) => {
            out["run"] = r.to_json();
            let work = dir.as_ref().map(|d| d.join("work"));
            out["outputs"] = Json::Array(
                r.outputs
                    .iter()
                    .map(|(k, rel)| {
                        let abs = work.as_ref().map(|w| w.join(rel));
                        let stat = abs.as_ref().and_then(|p| std::fs::metadata(p).ok());
                        json!({
                            "name": k,
                            "rel": rel,
                            "path": abs.as_ref().map_or_else(|| rel.clone(), |p| p.to_string_lossy().into_owned()),
                            "bytes": stat.as_ref().map(|m| m.len()),
                            "exists": stat.is_some(),
                        })
                    })
                    .collect(),
            );
        }
        None => out["value"] = json!(crate::inspect::preview(&value, 20_000)),
    }
    Ok(Reply::json(out))
}

/// The run record an entry holds, if it is a run (of the format, or from
/// before formats were recorded).
fn run_record(meta: &Meta, value: &[u8]) -> Option<RunRecord> {
    let is_run = meta.format == toolmemo::memory::format::RUN || meta.format.is_empty();
    is_run.then(|| RunRecord::from_bytes(value).ok()).flatten()
}

/// `GET /api/entry/file?name=&key=&output=`: one output file of a run in the
/// cache folder, as a download (never shown by the browser). The file must be
/// inside the entry's `work/` once links are resolved; folders are not sent.
pub fn output_file(req: &Req, cache: &Cache) -> Result<Reply, Error> {
    let (name, key) = which(req.query("name"), req.query("key"))?;
    let output = req.query("output").unwrap_or_default();
    let gone = |why: &str| Ok(Reply::problem(404, "not-found", &format!("{name} {}: {why}", &key.hex()[..12])));
    let Some((meta, value, Some(dir))) = run_cache::get(cache, &name, &key)? else {
        return gone("no such entry in the cache folder (removed, or only in the shared store?)");
    };
    let record = run_record(&meta, &value);
    let Some(rel) = record.as_ref().and_then(|r| r.outputs.get(output)) else {
        return gone(&format!("no output {output:?}"));
    };
    let outside =
        || Error::new(ErrorKind::Path, format!("{name}: output {output:?} is not a file inside the run's folder"));
    let work = dir.join("work").canonicalize().map_err(|_| outside())?;
    let Ok(path) = work.join(rel).canonicalize() else { return gone(&format!("output {output:?} is missing")) };
    if !path.starts_with(&work) || !path.is_file() {
        return Err(outside());
    }
    let file = std::fs::File::open(&path)
        .map_err(|e| Error::new(ErrorKind::Store, format!("cannot read {}: {e}", path.display())))?;
    let len = file
        .metadata()
        .map_err(|e| Error::new(ErrorKind::Store, format!("cannot read {}: {e}", path.display())))?
        .len();
    let base = path.file_name().map_or_else(|| output.to_string(), |f| f.to_string_lossy().into_owned());
    Ok(Reply::download(file, len, &base))
}

/// `POST /api/remove {name, key}`: deletes one entry (its folder goes from the
/// cache at once): `{removed: true|false}`.
pub fn remove(req: &mut Req, s: &Shared, cache: &Cache) -> Result<Reply, Error> {
    let body = req.json_body()?;
    let (name, key) = which(body["name"].as_str(), body["key"].as_str())?;
    let removed = run_cache::remove(cache, &name, &key)?;
    s.listing.forget();
    Ok(Reply::json(json!({"removed": removed})))
}

/// `POST /api/evict {bytesLimit?, itemsLimit?, ageLimit?, dryRun}`: removes
/// (or with `dryRun` only names) the least recently used entries until the
/// limits hold (`"500M"`, `100`, `"30d"`): `{dryRun, count, bytes, entries: [meta…]}`
/// (at most 200 named; count and bytes are of all).
pub fn evict(req: &mut Req, s: &Shared, cache: &Cache) -> Result<Reply, Error> {
    let body = req.json_body()?;
    let text = |k: &str| match &body[k] {
        Json::String(v) if !v.trim().is_empty() => Some(v.trim().to_string()),
        Json::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let items = match &body["itemsLimit"] {
        Json::Number(n) => {
            Some(n.as_u64().ok_or_else(|| Error::new(ErrorKind::Input, "itemsLimit: a whole number"))? as usize)
        }
        Json::String(v) if !v.trim().is_empty() => Some(
            v.trim().parse().map_err(|_| Error::new(ErrorKind::Input, format!("itemsLimit {v:?}: a whole number")))?,
        ),
        _ => None,
    };
    let limits = Limits {
        bytes: text("bytesLimit").as_deref().map(parse_size).transpose()?,
        items,
        age_ms: text("ageLimit").as_deref().map(parse_duration_ms).transpose()?,
    };
    if limits.is_unlimited() {
        return Err(Error::new(ErrorKind::Input, "give a limit: bytesLimit, itemsLimit or ageLimit"));
    }
    let dry = body["dryRun"].as_bool().unwrap_or(true);
    let removed = cache.evict(&limits, dry)?;
    if !dry {
        s.listing.forget();
    }
    Ok(Reply::json(summary(dry, &removed)))
}

/// `POST /api/clear {dryRun}`: removes (or names) every entry: as `evict`.
pub fn clear(req: &mut Req, s: &Shared, cache: &Cache) -> Result<Reply, Error> {
    let body = req.json_body()?;
    let dry = body["dryRun"].as_bool().unwrap_or(true);
    let removed = if dry { cache.entries()? } else { cache.clear_where(|_| true)? };
    if !dry {
        s.listing.forget();
    }
    Ok(Reply::json(summary(dry, &removed)))
}

fn summary(dry: bool, metas: &[Meta]) -> Json {
    json!({
        "dryRun": dry,
        "count": metas.len(),
        "bytes": metas.iter().map(|m| m.bytes).sum::<u64>(),
        "entries": metas.iter().take(SAMPLE).map(Meta::to_json).collect::<Vec<_>>(),
    })
}
