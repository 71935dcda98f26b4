//! `evict` and `clear`: removing entries by policy.
//!
//! `evict` keeps the most recently used entries that fit the limits (joblib's
//! `reduce_size`); `clear` removes by date or by run (nipype's
//! `clear_runs_since`, `clear_previous_runs`), or everything. Both print what
//! they removed; `--dry-run` only says what would go.

use super::run::Cache;
use super::text::{age, parse_moment};
use super::Place;
use serde_json::json;
use std::process::ExitCode;
use toolmemo::memory::{parse_duration_ms, parse_size, Limits, Meta};
use toolmemo::runner::human_bytes;
use toolmemo::{Error, ErrorKind};

#[derive(clap::Args)]
pub struct EvictArgs {
    /// Keep at most this many bytes (10G, 500M, 4096).
    #[arg(long)]
    bytes: Option<String>,
    /// Keep at most this many entries.
    #[arg(long)]
    items: Option<usize>,
    /// Remove entries not used for this long (30d, 12h, 90s).
    #[arg(long)]
    age: Option<String>,
    /// Only say what would be removed.
    #[arg(long)]
    dry_run: bool,
    /// Print the removed entries' metadata as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(clap::Args)]
pub struct ClearArgs {
    /// Remove entries not used since this moment: a date (2026-11-01), a date and
    /// time (2026-11-01T08:00:00Z) or a duration back from now (30d).
    #[arg(long, value_name = "DATE", conflicts_with = "previous_runs")]
    not_used_since: Option<String>,
    /// Remove entries not used by the current run, named by TOOLMEMO_RUN_ID
    /// (set it for every step of a pipeline, then clear what the pipeline no longer uses).
    #[arg(long)]
    previous_runs: bool,
    /// Only entries of this function or interface.
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
}

pub fn evict(place: &Place, a: EvictArgs) -> Result<ExitCode, Error> {
    let limits = Limits {
        bytes: a.bytes.as_deref().map(parse_size).transpose()?,
        items: a.items,
        age_ms: a.age.as_deref().map(parse_duration_ms).transpose()?,
    };
    if limits.is_unlimited() {
        return Err(Error::new(ErrorKind::Input, "evict needs a limit: --bytes, --items or --age"));
    }
    let removed = Cache::open(place)?.evict(&limits, a.dry_run)?;
    report(&removed, a.dry_run, a.json);
    Ok(ExitCode::SUCCESS)
}

pub fn clear(place: &Place, a: ClearArgs) -> Result<ExitCode, Error> {
    let since = a.not_used_since.as_deref().map(parse_moment).transpose()?;
    let run = if a.previous_runs {
        Some(std::env::var("TOOLMEMO_RUN_ID").ok().filter(|r| !r.is_empty()).ok_or_else(|| {
            Error::new(
                ErrorKind::Input,
                "--previous-runs keeps what the current run used: set TOOLMEMO_RUN_ID to the run's id \
                 (the same value the pipeline's `toolmemo run` steps had)",
            )
        })?)
    } else {
        None
    };
    let doomed = |m: &Meta| {
        a.name.as_ref().is_none_or(|n| &m.name == n)
            && since.is_none_or(|t| m.last_access_ms < t)
            && run.as_ref().is_none_or(|r| &m.last_run != r)
    };
    let cache = Cache::open(place)?;
    let removed = if a.dry_run {
        cache.entries()?.into_iter().filter(|m| doomed(m)).collect()
    } else {
        cache.clear_where(doomed)?
    };
    report(&removed, a.dry_run, a.json);
    Ok(ExitCode::SUCCESS)
}

fn report(removed: &[Meta], dry_run: bool, json: bool) {
    if json {
        let v = json!({"dryRun": dry_run, "removed": removed.iter().map(Meta::to_json).collect::<Vec<_>>()});
        println!("{}", serde_json::to_string_pretty(&v).expect("JSON"));
        return;
    }
    for m in removed {
        println!(
            "{} {} {} {} (last used {})",
            if dry_run { "would remove" } else { "removed" },
            m.name,
            &m.key.hex()[..12],
            human_bytes(m.bytes),
            age(m.last_access_ms)
        );
    }
    let bytes: u64 = removed.iter().map(|m| m.bytes).sum();
    println!("{} {} entries, {}", if dry_run { "would remove" } else { "removed" }, removed.len(), human_bytes(bytes));
}
