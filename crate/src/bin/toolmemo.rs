//! The `toolmemo` command-line program.
//!
//! Subcommands read a spec file (and inputs), call the library, and print the
//! result; any error is printed as `error[KIND]: message` on standard error with
//! exit status 2, so scripts can match the kind.

use clap::{Parser, Subcommand};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use toolmemo::path::RealFilesystem;
use toolmemo::{parse_json, Error, ErrorKind, Interface};

#[derive(Parser)]
#[command(name = "toolmemo", version, about = "Typed specs for command-line tools, rendered as nipype renders them")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the command line for a spec and its inputs.
    Cmdline {
        #[command(flatten)]
        spec: SpecArgs,
        /// JSON file with an object of input names to values (paths relative to the current directory).
        #[arg(long)]
        inputs: Option<PathBuf>,
        /// Set one input: NAME=VALUE, VALUE read as JSON when it parses, else as a string.
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
    },
    /// Print every problem with the inputs (one per line), exit 2 if there is any.
    Validate {
        #[command(flatten)]
        spec: SpecArgs,
        #[arg(long)]
        inputs: Option<PathBuf>,
        #[arg(long = "set", value_name = "NAME=VALUE")]
        set: Vec<String>,
    },
    /// Print the nipype-style help of a spec.
    Help {
        #[command(flatten)]
        spec: SpecArgs,
    },
}

#[derive(clap::Args)]
struct SpecArgs {
    /// The interface spec (JSON). A parent it `extends` is read from NAME.json beside it.
    #[arg(long)]
    spec: PathBuf,
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error[{}]: {}", e.kind, e.message);
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode, Error> {
    match cli.command {
        Command::Cmdline { spec, inputs, set } => {
            let iface = load_spec(&spec.spec)?;
            let inputs = load_inputs(inputs.as_deref(), &set)?;
            println!("{}", iface.cmdline(&inputs, &RealFilesystem::default())?);
        }
        Command::Validate { spec, inputs, set } => {
            let iface = load_spec(&spec.spec)?;
            let inputs = load_inputs(inputs.as_deref(), &set)?;
            let errors = iface.validate(&inputs, &RealFilesystem::default());
            for e in &errors {
                println!("error[{}]: {}", e.kind, e.message);
            }
            if !errors.is_empty() {
                return Ok(ExitCode::from(2));
            }
            println!("ok");
        }
        Command::Help { spec } => print!("{}", load_spec(&spec.spec)?.help()),
    }
    Ok(ExitCode::SUCCESS)
}

fn read(path: &Path, kind: ErrorKind) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::new(kind, format!("cannot read {}: {e}", path.display())))
}

fn load_spec(path: &Path) -> Result<Interface, Error> {
    let json = parse_json(&read(path, ErrorKind::Spec)?, "spec")?;
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let parents = move |name: &str| -> Option<serde_json::Value> {
        let text = std::fs::read_to_string(dir.join(format!("{name}.json"))).ok()?;
        serde_json::from_str(&text).ok()
    };
    Interface::from_json_with(&json, &parents)
}

fn load_inputs(path: Option<&Path>, set: &[String]) -> Result<serde_json::Value, Error> {
    let mut inputs = match path {
        Some(p) => parse_json(&read(p, ErrorKind::Input)?, "inputs")?,
        None => serde_json::Value::Object(Default::default()),
    };
    let map = inputs
        .as_object_mut()
        .ok_or_else(|| Error::new(ErrorKind::Input, "inputs must be a JSON object of input names to values"))?;
    for kv in set {
        let (name, raw) = kv
            .split_once('=')
            .ok_or_else(|| Error::new(ErrorKind::Input, format!("--set expects NAME=VALUE, got {kv:?}")))?;
        let value = serde_json::from_str(raw).unwrap_or_else(|_| serde_json::Value::String(raw.to_string()));
        map.insert(name.to_string(), value);
    }
    Ok(inputs)
}
