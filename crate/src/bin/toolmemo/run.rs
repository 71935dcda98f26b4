//! `run` and `explain`: a tool's cached run, and why a run would miss.
//!
//! `run` is a transparent wrapper: the tool's standard output and error are
//! written out as the tool wrote them — replayed from the cache on a hit — and a
//! summary (hit or ran, the key, the outputs) goes to standard error. `--json`
//! prints one object with all of it instead.

use super::spec_verbs::InputArgs;
use super::text::{age, when};
use super::Place;
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use toolmemo::fingerprint::HashMethod;
use toolmemo::memory::Limits;
use toolmemo::runner::{new_run_id, Difference, Outcome, Progress, RunOptions, Runner};
use toolmemo::Error;

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum Hashing {
    /// sha256 of each input file's content.
    Content,
    /// Size and modification time (content for files changed in the last 2 s).
    Timestamp,
}

#[derive(clap::Args)]
pub struct RunArgs {
    #[command(flatten)]
    inputs: InputArgs,
    /// How input files enter the key, and how outputs are checked on a hit.
    #[arg(long, value_enum, default_value = "content")]
    hash_method: Hashing,
    /// Run the tool even if a stored run exists, and replace it.
    #[arg(long)]
    force: bool,
    /// Print one JSON object: {cached, key, cmdline, outputs, exit, durationMs, stdout, stderr, dir}.
    #[arg(long)]
    json: bool,
    /// No summary on standard error.
    #[arg(long, short)]
    quiet: bool,
    /// Exit 3 when the tool ran (0 on a hit), so scripts can tell them apart.
    #[arg(long)]
    exit_code: bool,
    /// For SPM interfaces whose matlab_cmd input is unset: the MATLAB command ("matlab",
    /// or the SPM standalone's "run_spm12.sh /path/to/mcr script" with use_mcr true)
    /// [default: $TOOLMEMO_MATLAB_CMD, then nipype's $SPMMCRCMD and $MATLABCMD].
    #[arg(long)]
    matlab_cmd: Option<String>,
}

#[derive(clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    inputs: InputArgs,
    #[arg(long, value_enum, default_value = "content")]
    hash_method: Hashing,
    /// Print JSON.
    #[arg(long)]
    json: bool,
}

/// The MATLAB command: given, or from the environment (ours, then nipype's).
pub fn matlab_cmd(given: Option<String>) -> Option<String> {
    given.or_else(|| {
        ["TOOLMEMO_MATLAB_CMD", "SPMMCRCMD", "MATLABCMD"]
            .iter()
            .find_map(|v| std::env::var(v).ok().filter(|c| !c.trim().is_empty()))
    })
}

fn options(h: Hashing, force: bool) -> Result<RunOptions, Error> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::new(toolmemo::ErrorKind::Input, format!("no current directory: {e}")))?;
    let hash_method = match h {
        Hashing::Content => HashMethod::Content,
        Hashing::Timestamp => HashMethod::Timestamp,
    };
    Ok(RunOptions { cwd, hash_method, force, cache_root: None, matlab_cmd: None })
}

fn run_id() -> String {
    std::env::var("TOOLMEMO_RUN_ID").ok().filter(|r| !r.is_empty()).unwrap_or_else(new_run_id)
}

/// The runner over the local cache, sharing through the shared store if one
/// is named; `TOOLMEMO_RUN_ID` makes the processes of one pipeline one run.
pub fn runner(place: &Place) -> Result<Runner, Error> {
    let runner = Runner::open_run(&place.cache, Limits::default(), run_id())?.with_read_only(&place.read_only)?;
    match &place.store {
        None => Ok(runner),
        #[cfg(feature = "redis")]
        Some(_) => Ok(runner.with_shared(shared_store(place)?)),
        #[cfg(not(feature = "redis"))]
        Some(url) => Err(Error::new(
            toolmemo::ErrorKind::Store,
            format!("--store {url}: this toolmemo was built without Redis support (cargo feature `redis`)"),
        )),
    }
}

#[cfg(feature = "redis")]
pub fn shared_store(place: &Place) -> Result<toolmemo::memory::RedisStore, Error> {
    let opts = toolmemo::memory::RedisOptions {
        prefix: place.prefix.clone(),
        lease: std::time::Duration::from_millis(place.lease_ms.max(1.0) as u64),
        max_value_bytes: place.max_value,
        ttl: None,
    };
    toolmemo::memory::RedisStore::open(place.store.as_deref().unwrap_or_default(), opts)
}

/// The cache that `ls`, `stats`, `evict` and `clear` act on: the shared store
/// when one is named, else the local folder. (Boxed: each is large, and
/// the two differ in size.)
pub enum Cache {
    Local(Box<Runner>),
    #[cfg(feature = "redis")]
    Shared(Box<toolmemo::memory::Memory<toolmemo::memory::RedisStore, Vec<u8>>>),
}

impl Cache {
    pub fn open(place: &Place) -> Result<Cache, Error> {
        #[cfg(feature = "redis")]
        if place.store.is_some() {
            let clock = Box::new(super::text::now_ms);
            let memory = toolmemo::memory::Memory::new(shared_store(place)?, Limits::default(), run_id(), clock);
            return Ok(Cache::Shared(Box::new(memory)));
        }
        runner(place).map(|r| Cache::Local(Box::new(r)))
    }

    pub fn entries(&self) -> Result<Vec<toolmemo::memory::Meta>, Error> {
        use toolmemo::memory::cached::block_on;
        match self {
            Cache::Local(r) => block_on(r.memory().entries()),
            #[cfg(feature = "redis")]
            Cache::Shared(m) => block_on(m.entries()),
        }
    }

    /// A page of the entries in the order of their index rows; `None` where the
    /// store has no index to page from.
    pub fn page(
        &self,
        name: Option<&str>,
        order: impl FnMut(&toolmemo::memory::Row, &toolmemo::memory::Row) -> std::cmp::Ordering,
        skip: usize,
        take: usize,
    ) -> Result<Option<(Vec<toolmemo::memory::Meta>, usize)>, Error> {
        use toolmemo::memory::cached::block_on;
        match self {
            Cache::Local(r) => block_on(r.memory().page(name, order, skip, take)),
            #[cfg(feature = "redis")]
            Cache::Shared(m) => block_on(m.page(name, order, skip, take)),
        }
    }

    /// The index rows of every entry; `None` where the store has no index.
    pub fn rows(&self) -> Result<Option<Vec<toolmemo::memory::Row>>, Error> {
        use toolmemo::memory::cached::block_on;
        match self {
            Cache::Local(r) => block_on(r.memory().rows(None)),
            #[cfg(feature = "redis")]
            Cache::Shared(m) => block_on(m.rows(None)),
        }
    }

    /// The metadata of the entries of `rows`, in their order.
    pub fn metas_of(&self, rows: &[toolmemo::memory::Row]) -> Result<Vec<toolmemo::memory::Meta>, Error> {
        use toolmemo::memory::cached::block_on;
        match self {
            Cache::Local(r) => block_on(r.memory().metas_of(rows)),
            #[cfg(feature = "redis")]
            Cache::Shared(m) => block_on(m.metas_of(rows)),
        }
    }

    /// Entries and bytes, from the store's index.
    pub fn usage(&self) -> Result<toolmemo::memory::Usage, Error> {
        use toolmemo::memory::{cached::block_on, Store};
        match self {
            Cache::Local(r) => block_on(r.memory().store().usage()),
            #[cfg(feature = "redis")]
            Cache::Shared(m) => block_on(m.store().usage()),
        }
    }

    /// Removes (or with `dry_run` only selects) what `limits` do not allow.
    pub fn evict(&self, limits: &Limits, dry_run: bool) -> Result<Vec<toolmemo::memory::Meta>, Error> {
        use toolmemo::memory::cached::block_on;
        match (self, dry_run) {
            (Cache::Local(r), true) => block_on(r.memory().preview_eviction(limits)),
            (Cache::Local(r), false) => block_on(r.memory().reduce_size(limits)),
            #[cfg(feature = "redis")]
            (Cache::Shared(m), true) => block_on(m.preview_eviction(limits)),
            #[cfg(feature = "redis")]
            (Cache::Shared(m), false) => block_on(m.reduce_size(limits)),
        }
    }

    /// Removes the entries `doomed` selects.
    pub fn clear_where(
        &self,
        doomed: impl Fn(&toolmemo::memory::Meta) -> bool,
    ) -> Result<Vec<toolmemo::memory::Meta>, Error> {
        use toolmemo::memory::cached::block_on;
        match self {
            Cache::Local(r) => block_on(r.memory().clear_where(doomed)),
            #[cfg(feature = "redis")]
            Cache::Shared(m) => block_on(m.clear_where(doomed)),
        }
    }
}

pub fn run(place: &Place, a: RunArgs) -> Result<ExitCode, Error> {
    let (iface, inputs) = a.inputs.load()?;
    let opts = RunOptions { matlab_cmd: matlab_cmd(a.matlab_cmd.clone()), ..options(a.hash_method, a.force)? };
    let show = !a.json && !a.quiet && std::io::stderr().is_terminal();
    let runner = runner(place)?.with_progress(if show { Progress::Stderr } else { Progress::Off });
    let out = runner.run(&iface, &inputs, &opts)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&as_json(&out)).expect("JSON"));
    } else {
        let _ = std::io::stdout().write_all(out.record.stdout.as_bytes());
        let _ = std::io::stderr().write_all(out.record.stderr.as_bytes());
        if !a.quiet {
            summary(&out);
        }
    }
    Ok(if a.exit_code && !out.cached { ExitCode::from(3) } else { ExitCode::SUCCESS })
}

fn summary(out: &Outcome) {
    let short = &out.key.key.hex()[..12];
    let r = &out.record;
    let name = &r.interface;
    if let Some(why) = &out.stale {
        eprintln!("toolmemo: the stored run of {name} is stale: {why}");
    }
    if let Some(note) = &out.note {
        eprintln!("toolmemo: {note}");
    }
    if out.from_shared {
        eprintln!(
            "toolmemo: hit {name} {short} from the shared store (ran elsewhere {} for {}; nothing ran here)",
            age(r.started),
            when(r.duration_ms)
        );
    } else if out.cached {
        eprintln!("toolmemo: hit {name} {short} (ran {} for {}; nothing ran now)", age(r.started), when(r.duration_ms));
    } else {
        eprintln!("toolmemo: ran {name} {short} in {}", when(r.duration_ms));
    }
    for (k, p) in &out.outputs {
        eprintln!("  {k}: {}", p.display());
    }
}

/// What `toolmemo run --json` prints (and `serve` answers for a run).
pub fn as_json(out: &Outcome) -> serde_json::Value {
    let r = &out.record;
    json!({
        "cached": out.cached,
        "fromShared": out.from_shared,
        "note": out.note,
        "stale": out.stale,
        "key": out.key.key.hex(),
        "interface": r.interface,
        "cmdline": r.cmdline,
        "argv": r.argv,
        "outputs": out.outputs.iter().map(|(k, p)| (k.clone(), json!(p.to_string_lossy()))).collect::<serde_json::Map<_, _>>(),
        "exit": r.exit,
        "durationMs": r.duration_ms,
        "started": r.started,
        "stdout": r.stdout,
        "stderr": r.stderr,
        "dir": out.dir.to_string_lossy(),
    })
}

pub fn explain(place: &Place, a: ExplainArgs) -> Result<ExitCode, Error> {
    let (iface, inputs) = a.inputs.load()?;
    let opts = options(a.hash_method, false)?;
    let x = runner(place)?.explain(&iface, &inputs, &opts)?;
    if a.json {
        println!("{}", serde_json::to_string_pretty(&x.to_json(iface.name())).expect("JSON"));
        return Ok(ExitCode::SUCCESS);
    }
    println!("key    {}", x.key.key.hex());
    println!("spec   {}", x.key.spec.hex());
    for (n, k) in &x.key.inputs {
        println!("input  {n} {}", k.hex());
    }
    if x.stored {
        println!("a run is stored under this key: `run` would hit (unless an output changed)");
        return Ok(ExitCode::SUCCESS);
    }
    match &x.nearest {
        None => println!("no run of {} is stored: `run` would run it", iface.name()),
        Some((k, d)) => {
            println!("`run` would miss; the nearest stored run {} differs in:", &k[..12]);
            for d in d {
                match d {
                    Difference::Spec => println!("  the spec (its command or inputs' metadata changed)"),
                    Difference::Input { name, now: Some(_), stored: None } => {
                        println!("  input '{name}': set now, unset then")
                    }
                    Difference::Input { name, now: None, stored: Some(_) } => {
                        println!("  input '{name}': unset now, set then")
                    }
                    Difference::Input { name, .. } => println!("  input '{name}': another value or file content"),
                }
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
