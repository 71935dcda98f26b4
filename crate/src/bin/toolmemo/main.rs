//! The `toolmemo` command-line program.
//!
//! One file per group of verbs: `spec_verbs` (cmdline, validate, help, types) only read
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
mod serve;
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
    /// A cache shared by many machines, behind the local one: redis://[user:password@]host:port/db
    /// (rediss:// for TLS). `run` looks there before running and publishes there; `ls`, `stats`,
    /// `evict` and `clear` then act on it.
    #[arg(long, global = true, env = "TOOLMEMO_STORE", value_name = "URL")]
    store: Option<String>,
    /// A read-only extra cache folder (a lab's precomputed runs): `run` takes hits from it,
    /// never writes to it. Repeat for several; they are tried in order after the cache folder.
    #[arg(long = "read-only", global = true, value_name = "DIR")]
    read_only: Vec<PathBuf>,
    /// The namespace of this cache in the shared store.
    #[arg(long, global = true, env = "TOOLMEMO_REDIS_PREFIX", default_value = "toolmemo")]
    redis_prefix: String,
    /// How long a machine's claim on a run lasts without renewal: when it dies, another
    /// machine takes the run over after this long (30s, 2m).
    #[arg(long, global = true, env = "TOOLMEMO_REDIS_LEASE", default_value = "30s")]
    redis_lease: String,
    /// The largest run (record and output files) the shared store takes; larger runs stay local.
    #[arg(long, global = true, env = "TOOLMEMO_REDIS_MAX_VALUE", default_value = "256M")]
    redis_max_value: String,
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
    /// Print the MATLAB batch script of an SPM interface for its inputs, exactly as nipype writes it.
    Script(spec_verbs::InputArgs),
    /// Print every problem with the inputs (one per line), exit 2 if there is any.
    Validate(spec_verbs::InputArgs),
    /// Print the nipype-style help of a spec.
    Help(spec_verbs::SpecArg),
    /// Write TypeScript declarations of a spec's inputs and outputs (for editors to complete and check them).
    Types(spec_verbs::SpecOutArgs),
    /// Work on a spec itself.
    #[command(subcommand)]
    Spec(SpecCommand),
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
    /// Serve the web page over this cache, with runs from its composer (prints the URL with its token).
    Serve(serve::ServeArgs),
}

#[derive(Subcommand)]
enum SpecCommand {
    /// Write the spec in its explicit form (spec format 1.1): `extends` merged, defaults left
    /// out, floats a JS object would take for integers written {"$float": N}.
    Normalize(spec_verbs::SpecOutArgs),
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

/// Where the cache is: a local folder, and perhaps a shared store behind it.
pub struct Place {
    pub cache: PathBuf,
    pub store: Option<String>,
    pub prefix: String,
    pub lease_ms: f64,
    pub max_value: u64,
    pub read_only: Vec<PathBuf>,
}

fn dispatch(cli: Cli) -> Result<ExitCode, Error> {
    let (dir, store, prefix, read_only) = (cli.cache_dir, cli.store, cli.redis_prefix, cli.read_only);
    let lease_ms = toolmemo::memory::parse_duration_ms(&cli.redis_lease)?;
    let max_value = toolmemo::memory::parse_size(&cli.redis_max_value)?;
    let place = || -> Result<Place, Error> {
        Ok(Place {
            cache: cache_dir(dir.clone())?,
            store: store.clone(),
            prefix: prefix.clone(),
            lease_ms,
            max_value,
            read_only: read_only.clone(),
        })
    };
    match cli.command {
        Command::Run(a) => run::run(&place()?, a),
        Command::Explain(a) => run::explain(&place()?, a),
        Command::Cmdline(a) => spec_verbs::cmdline(a),
        Command::Script(a) => spec_verbs::script(a),
        Command::Validate(a) => spec_verbs::validate(a),
        Command::Help(a) => spec_verbs::help(a),
        Command::Types(a) => spec_verbs::types(a),
        Command::Spec(SpecCommand::Normalize(a)) => spec_verbs::normalize(a),
        Command::Ls(a) => inspect::ls(&place()?, a),
        Command::Show(a) => inspect::show(&place()?, a),
        Command::Stats(a) => inspect::stats(&place()?, a),
        Command::Evict(a) => evict::evict(&place()?, a),
        Command::Clear(a) => evict::clear(&place()?, a),
        Command::Serve(a) => serve::serve(&place()?, a),
    }
}

/// `--cache-dir`, else `TOOLMEMO_CACHE_DIR` (both through clap), else the
/// platform's cache folder.
fn cache_dir(given: Option<PathBuf>) -> Result<PathBuf, Error> {
    given
        .or_else(|| dirs::cache_dir().map(|d| d.join("toolmemo")))
        .ok_or_else(|| Error::new(ErrorKind::Store, "no cache folder: pass --cache-dir or set TOOLMEMO_CACHE_DIR"))
}
