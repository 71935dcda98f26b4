//! The `toolmemo` command-line program.
//!
//! One file per group of verbs: `spec_verbs` (cmdline, validate, help) only read
//! a spec; `run` (run, explain) uses the cache and runs tools; `inspect` (ls,
//! show, stats) reads the cache; `evict` (evict, clear) removes from it. This
//! file parses the command line and turns every error into
//! `error[KIND]: message` on standard error.
//!
//! Exit status: 0 success; 1 a tool failed, or did not produce a declared output
//! (kind `run`); 2 any other error (a bad spec or input, a store that cannot be
//! read or written). `run --exit-code` also tells a hit (0) from a run (3).

mod evict;
mod inspect;
mod run;
mod spec_verbs;
mod text;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use toolmemo::{Error, ErrorKind};

#[derive(Parser)]
#[command(
    name = "toolmemo",
    version,
    disable_help_subcommand = true,
    about = "Typed specs for command-line tools, rendered as nipype renders them, and cached runs",
    after_help = "Exit status: 0 success, 1 the tool failed (error[run]), 2 any other error; \
                  `run --exit-code` exits 3 when the tool ran (0 on a hit)."
)]
struct Cli {
    /// The cache folder [default: the platform's cache folder, e.g. ~/.cache/toolmemo]
    #[arg(long, global = true, env = "TOOLMEMO_CACHE_DIR", value_name = "DIR")]
    cache_dir: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate, render and run a tool, or return its stored run.
    Run(run::RunArgs),
    /// Show the key a run would have and, if it would miss, what differs from the nearest stored run.
    Explain(run::ExplainArgs),
    /// Print the command line for a spec and its inputs.
    Cmdline(spec_verbs::InputArgs),
    /// Print every problem with the inputs (one per line), exit 2 if there is any.
    Validate(spec_verbs::InputArgs),
    /// Print the nipype-style help of a spec.
    Help(spec_verbs::SpecArg),
    /// List the cache's entries.
    Ls(inspect::LsArgs),
    /// Show one entry: metadata, inputs, command line, outputs, logs.
    Show(inspect::ShowArgs),
    /// Totals of the cache, by name.
    Stats(inspect::StatsArgs),
    /// Remove least recently used entries until the limits hold.
    Evict(evict::EvictArgs),
    /// Remove entries: all, or those not used since a date, or not used by the current run.
    Clear(evict::ClearArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match dispatch(cli) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error[{}]: {}", e.kind, e.message);
            ExitCode::from(if e.kind == ErrorKind::Run { 1 } else { 2 })
        }
    }
}

fn dispatch(cli: Cli) -> Result<ExitCode, Error> {
    let cache = || cache_dir(cli.cache_dir.clone());
    match cli.command {
        Command::Run(a) => run::run(&cache()?, a),
        Command::Explain(a) => run::explain(&cache()?, a),
        Command::Cmdline(a) => spec_verbs::cmdline(a),
        Command::Validate(a) => spec_verbs::validate(a),
        Command::Help(a) => spec_verbs::help(a),
        Command::Ls(a) => inspect::ls(&cache()?, a),
        Command::Show(a) => inspect::show(&cache()?, a),
        Command::Stats(a) => inspect::stats(&cache()?, a),
        Command::Evict(a) => evict::evict(&cache()?, a),
        Command::Clear(a) => evict::clear(&cache()?, a),
    }
}

/// `--cache-dir`, else `TOOLMEMO_CACHE_DIR` (both through clap), else the
/// platform's cache folder.
fn cache_dir(given: Option<PathBuf>) -> Result<PathBuf, Error> {
    given
        .or_else(|| dirs::cache_dir().map(|d| d.join("toolmemo")))
        .ok_or_else(|| Error::new(ErrorKind::Store, "no cache folder: pass --cache-dir or set TOOLMEMO_CACHE_DIR"))
}
