//! `ls`, `show`, `stats`: reading the cache without changing it.
//!
//! These read metadata only (and, for `show`, one value), and count no hits:
//! looking at an entry is not using it.

use super::run::{runner, Cache};
use super::text::{age, date, when};
use super::Place;
use serde_json::json;
use std::process::ExitCode;
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{Meta, Store};
use toolmemo::runner::{human_bytes, RunRecord};
use toolmemo::{Error, ErrorKind};

#[derive(Clone, Copy, PartialEq, clap::ValueEnum)]
pub enum SortBy {
    LastUsed,
    Created,
    Name,
    Size,
    Hits,
    Key,
    Duration,
}

#[derive(clap::Args)]
pub struct LsArgs {
    /// Order of the listing (newest, largest, most used first; names and keys A→Z).
    #[arg(long, value_enum, default_value = "last-used")]
    sort: SortBy,
    /// Reverse the order.
    #[arg(long, short)]
    reverse: bool,
    /// Only entries of this function or interface.
    #[arg(long)]
    name: Option<String>,
    /// Print JSON (every entry's metadata).
    #[arg(long)]
    json: bool,
    /// Only this many entries (a page): sorted by last use, creation, size or
    /// key, a page is read from the cache's index, fast at any size.
    #[arg(long)]
    limit: Option<usize>,
    /// Skip this many entries first (the pages after the first).
    #[arg(long, default_value_t = 0)]
    offset: usize,
}

#[derive(clap::Args)]
pub struct ShowArgs {
    /// The entry's key, or a unique prefix of it (at least 4 hex digits).
    key: String,
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct StatsArgs {
    #[arg(long)]
    json: bool,
    /// Also entries, bytes and hits by name (a walk of every entry; the totals
    /// alone come from the cache's index, at once whatever its size).
    #[arg(long)]
    by_name: bool,
}

pub fn ls(place: &Place, a: LsArgs) -> Result<ExitCode, Error> {
    let cache = Cache::open(place)?;
    let (metas, total) = match (a.limit, paged_order(a.sort, a.reverse)) {
        (Some(take), Some(order)) => match cache.page(a.name.as_deref(), order, a.offset, take)? {
            Some(page) => page,
            None => sorted(&cache, &a)?,
        },
        _ => sorted(&cache, &a)?,
    };
    print_listing(&metas, total, a.json);
    Ok(ExitCode::SUCCESS)
}

/// The order of index rows for a sort they can answer (newest, largest first).
fn paged_order(
    sort: SortBy,
    reverse: bool,
) -> Option<impl FnMut(&toolmemo::memory::Row, &toolmemo::memory::Row) -> std::cmp::Ordering> {
    use toolmemo::memory::Row;
    let by: fn(&Row, &Row) -> std::cmp::Ordering = match sort {
        SortBy::LastUsed => |x, y| y.last_access_ms.total_cmp(&x.last_access_ms),
        SortBy::Created => |x, y| y.created_ms.total_cmp(&x.created_ms),
        SortBy::Size => |x, y| y.bytes.cmp(&x.bytes),
        SortBy::Key => |_, _| std::cmp::Ordering::Equal,
        SortBy::Name | SortBy::Hits | SortBy::Duration => return None,
    };
    Some(move |x: &Row, y: &Row| {
        let o = by(x, y).then_with(|| x.key.hex().cmp(&y.key.hex()));
        if reverse {
            o.reverse()
        } else {
            o
        }
    })
}

/// Every entry (of `--name`), sorted, then the `--offset`/`--limit` page; and
/// how many there are.
fn sorted(cache: &Cache, a: &LsArgs) -> Result<(Vec<Meta>, usize), Error> {
    let mut metas = cache.entries()?;
    metas.retain(|m| a.name.as_ref().is_none_or(|n| &m.name == n));
    metas.sort_by(|x, y| {
        let desc = |a: f64, b: f64| b.total_cmp(&a);
        match a.sort {
            SortBy::LastUsed => desc(x.last_access_ms, y.last_access_ms),
            SortBy::Created => desc(x.created_ms, y.created_ms),
            SortBy::Name => x.name.cmp(&y.name),
            SortBy::Size => y.bytes.cmp(&x.bytes),
            SortBy::Hits => y.hits.cmp(&x.hits),
            SortBy::Key => x.key.hex().cmp(&y.key.hex()),
            SortBy::Duration => desc(x.duration_ms, y.duration_ms),
        }
        .then_with(|| x.key.hex().cmp(&y.key.hex()))
    });
    if a.reverse {
        metas.reverse();
    }
    let total = metas.len();
    Ok((metas.into_iter().skip(a.offset).take(a.limit.unwrap_or(usize::MAX)).collect(), total))
}

fn print_listing(metas: &[Meta], total: usize, json: bool) {
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&metas.iter().map(Meta::to_json).collect::<Vec<_>>()).expect("JSON")
        );
        return;
    }
    let width = metas.iter().map(|m| m.name.len()).max().unwrap_or(4).max(4);
    println!(
        "{:width$}  {:12}  {:9}  {:>9}  {:>12}  {:>12}  {:>5}",
        "NAME", "KEY", "KIND", "SIZE", "CREATED", "LAST USED", "HITS"
    );
    for m in metas {
        println!(
            "{:width$}  {:12}  {:9}  {:>9}  {:>12}  {:>12}  {:>5}",
            m.name,
            &m.key.hex()[..12],
            m.kind.as_str(),
            human_bytes(m.bytes),
            age(m.created_ms),
            age(m.last_access_ms),
            m.hits
        );
    }
    let bytes: u64 = metas.iter().map(|m| m.bytes).sum();
    if metas.len() == total {
        println!("{} entries, {}", metas.len(), human_bytes(bytes));
    } else {
        println!("{} of {total} entries, {}", metas.len(), human_bytes(bytes));
    }
}

pub fn show(place: &Place, a: ShowArgs) -> Result<ExitCode, Error> {
    let runner = runner(&Place {
        store: None,
        prefix: place.prefix.clone(),
        cache: place.cache.clone(),
        read_only: Vec::new(),
        ..*place
    })?;
    let prefix = a.key.to_ascii_lowercase();
    if prefix.len() < 4 || !prefix.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(Error::new(ErrorKind::Input, format!("'{}' is not a key or a key prefix of 4+ hex digits", a.key)));
    }
    let metas = block_on(runner.memory().entries())?;
    let found: Vec<&Meta> = metas.iter().filter(|m| m.key.hex().starts_with(&prefix)).collect();
    let meta = match found.as_slice() {
        [one] => *one,
        [] => return Err(Error::new(ErrorKind::Input, format!("no entry has a key starting with {prefix}"))),
        many => {
            return Err(Error::new(
                ErrorKind::Input,
                format!("{} entries have keys starting with {prefix}: give more digits", many.len()),
            ))
        }
    };
    let store = runner.memory().store();
    let entry = block_on(store.get(&meta.name, &meta.key))?
        .ok_or_else(|| Error::new(ErrorKind::Store, format!("entry {prefix} was removed or is damaged")))?;
    let dir = block_on(store.folder(&meta.name, &meta.key))?
        .unwrap_or_else(|| store.local.writable.entry_dir(&meta.name, &meta.key));
    let record = RunRecord::from_bytes(&entry.value).ok();
    if a.json {
        let mut v = json!({"meta": meta.to_json(), "dir": dir.to_string_lossy()});
        match &record {
            Some(r) => {
                v["run"] = r.to_json();
                v["outputs"] = json!(r.absolute_outputs(&dir.join("work")));
            }
            None => v["value"] = json!(preview(&entry.value, SHOWN)),
        }
        println!("{}", serde_json::to_string_pretty(&v).expect("JSON"));
        return Ok(ExitCode::SUCCESS);
    }
    println!("name        {}", meta.name);
    println!("key         {}", meta.key.hex());
    println!("kind        {}", meta.kind.as_str());
    println!("size        {}", human_bytes(meta.bytes));
    println!("created     {} ({})", date(meta.created_ms), age(meta.created_ms));
    println!("last used   {} ({})", date(meta.last_access_ms), age(meta.last_access_ms));
    println!("hits        {}", meta.hits);
    println!("computed in {}", when(meta.duration_ms));
    println!("folder      {}", dir.display());
    println!(
        "inputs      {}",
        serde_json::to_string_pretty(&meta.sidecar).expect("JSON").replace('\n', "\n            ")
    );
    match record {
        Some(r) => {
            println!("command     {}", r.cmdline);
            println!("exit        {}", r.exit.map_or("none".into(), |c| c.to_string()));
            for (k, p) in r.absolute_outputs(&dir.join("work")) {
                println!("output      {k}: {}", p.display());
            }
            for (label, log) in [("stdout", &r.stdout), ("stderr", &r.stderr)] {
                if !log.is_empty() {
                    println!("--- {label} ---\n{}", log.trim_end());
                }
            }
        }
        None => println!("value       {}", preview(&entry.value, SHOWN)),
    }
    Ok(ExitCode::SUCCESS)
}

/// How much of a value `show` prints.
const SHOWN: usize = 2000;

/// The start of a value (at most `max` bytes): its text if it is UTF-8, else its length.
pub fn preview(value: &[u8], max: usize) -> String {
    match std::str::from_utf8(value) {
        Ok(s) if s.len() <= max => s.to_string(),
        Ok(s) => {
            let cut = (0..=max).rev().find(|&i| s.is_char_boundary(i)).unwrap_or(0);
            format!("{}… ({} more bytes)", &s[..cut], s.len() - cut)
        }
        Err(_) => format!("({} bytes, not text: a value stored from JavaScript)", value.len()),
    }
}

pub fn stats(place: &Place, a: StatsArgs) -> Result<ExitCode, Error> {
    let cache: &str = place.store.as_deref().unwrap_or(place.cache.to_str().unwrap_or("?"));
    let opened = Cache::open(place)?;
    if !a.by_name {
        let u = opened.usage()?;
        if a.json {
            let v = json!({"location": cache, "entries": u.entries, "bytes": u.bytes});
            println!("{}", serde_json::to_string_pretty(&v).expect("JSON"));
        } else {
            println!("cache     {cache}");
            println!("entries   {}", u.entries);
            println!("size      {}", human_bytes(u.bytes));
        }
        return Ok(ExitCode::SUCCESS);
    }
    let metas = opened.entries()?;
    let mut by: std::collections::BTreeMap<&str, (u64, u64, u64)> = Default::default();
    for m in &metas {
        let e = by.entry(&m.name).or_default();
        e.0 += 1;
        e.1 += m.bytes;
        e.2 += m.hits;
    }
    let (entries, bytes, hits) = by.values().fold((0, 0, 0), |t, v| (t.0 + v.0, t.1 + v.1, t.2 + v.2));
    if a.json {
        let names: serde_json::Map<_, _> =
            by.iter().map(|(n, (e, b, h))| (n.to_string(), json!({"entries": e, "bytes": b, "hits": h}))).collect();
        let v = json!({"location": cache, "entries": entries, "bytes": bytes, "hits": hits, "byName": names});
        println!("{}", serde_json::to_string_pretty(&v).expect("JSON"));
        return Ok(ExitCode::SUCCESS);
    }
    println!("cache     {cache}");
    println!("entries   {entries}");
    println!("size      {}", human_bytes(bytes));
    println!("hits      {hits} (over the entries' lifetimes)");
    for (n, (e, b, h)) in by {
        println!("  {n}: {e} entries, {}, {h} hits", human_bytes(b));
    }
    Ok(ExitCode::SUCCESS)
}
