//! `run` and `explain`: a tool's cached run, and why a run would miss.
//!
//! `run` is a transparent wrapper: the tool's standard output and error are
//! written out as the tool wrote them — replayed from the cache on a hit — and a
//! summary (hit or ran, the key, the outputs) goes to standard error. `--json`
//! prints one object with all of it instead.

use super::spec_verbs::InputArgs;
use super::text::{age, when};
use serde_json::json;
use std::io::{IsTerminal, Write};
use std::path::Path;
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

fn options(h: Hashing, force: bool) -> Result<RunOptions, Error> {
    let cwd = std::env::current_dir()
        .map_err(|e| Error::new(toolmemo::ErrorKind::Input, format!("no current directory: {e}")))?;
    let hash_method = match h {
        Hashing::Content => HashMethod::Content,
        Hashing::Timestamp => HashMethod::Timestamp,
    };
    Ok(RunOptions { cwd, hash_method, force })
}

/// The runner; `TOOLMEMO_RUN_ID` makes the processes of one pipeline one run.
pub fn runner(cache: &Path) -> Result<Runner, Error> {
    let run = std::env::var("TOOLMEMO_RUN_ID").ok().filter(|r| !r.is_empty()).unwrap_or_else(new_run_id);
    Runner::open_run(cache, Limits::default(), run)
}

pub fn run(cache: &Path, a: RunArgs) -> Result<ExitCode, Error> {
    let (iface, inputs) = a.inputs.load()?;
    let opts = options(a.hash_method, a.force)?;
    let show = !a.json && !a.quiet && std::io::stderr().is_terminal();
    let runner = runner(cache)?.with_progress(if show { Progress::Stderr } else { Progress::Off });
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
    if out.cached {
        eprintln!("toolmemo: hit {name} {short} (ran {} for {}; nothing ran now)", age(r.started), when(r.duration_ms));
    } else {
        eprintln!("toolmemo: ran {name} {short} in {}", when(r.duration_ms));
    }
    for (k, p) in &out.outputs {
        eprintln!("  {k}: {}", p.display());
    }
}

fn as_json(out: &Outcome) -> serde_json::Value {
    let r = &out.record;
    json!({
        "cached": out.cached,
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

pub fn explain(cache: &Path, a: ExplainArgs) -> Result<ExitCode, Error> {
    let (iface, inputs) = a.inputs.load()?;
    let opts = options(a.hash_method, false)?;
    let x = runner(cache)?.explain(&iface, &inputs, &opts)?;
    let diffs = |d: &[Difference]| -> Vec<serde_json::Value> {
        d.iter()
            .map(|d| match d {
                Difference::Spec => json!({"part": "spec"}),
                Difference::Input { name, now, stored } => {
                    json!({"part": "input", "name": name, "now": now, "stored": stored})
                }
            })
            .collect()
    };
    if a.json {
        let v = json!({
            "key": x.key.key.hex(),
            "stored": x.stored,
            "spec": x.key.spec.hex(),
            "inputs": x.key.inputs.iter().map(|(n, k)| (n.clone(), json!(k.hex()))).collect::<serde_json::Map<_, _>>(),
            "nearest": x.nearest.as_ref().map(|(k, d)| json!({"key": k, "differences": diffs(d)})),
        });
        println!("{}", serde_json::to_string_pretty(&v).expect("JSON"));
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
