//! Verbs that only read a spec: `cmdline`, `script`, `validate`, `help`, `types`, `spec normalize`; and the loading
//! of specs and inputs that every verb shares.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use toolmemo::path::RealFilesystem;
use toolmemo::{parse_json, Error, ErrorKind, Interface};

#[derive(clap::Args)]
pub struct SpecArg {
    /// The interface spec (JSON). A parent it `extends` is read from NAME.json beside it.
    #[arg(long)]
    pub spec: PathBuf,
}

#[derive(clap::Args)]
pub struct InputArgs {
    #[command(flatten)]
    pub spec: SpecArg,
    /// JSON file with an object of input names to values (paths relative to the current directory).
    #[arg(long)]
    pub inputs: Option<PathBuf>,
    /// Set one input: NAME=VALUE, VALUE read as JSON when it parses, else as a string.
    #[arg(long = "set", value_name = "NAME=VALUE")]
    pub set: Vec<String>,
}

impl InputArgs {
    /// The interface and the inputs, read and merged (`--set` wins).
    pub fn load(&self) -> Result<(Interface, serde_json::Value), Error> {
        Ok((load_spec(&self.spec.spec)?, load_inputs(self.inputs.as_deref(), &self.set)?))
    }
}

pub fn cmdline(a: InputArgs) -> Result<ExitCode, Error> {
    let (iface, inputs) = a.load()?;
    println!("{}", iface.cmdline(&inputs, &RealFilesystem::default())?);
    Ok(ExitCode::SUCCESS)
}

/// The script as nipype writes it: no newline added.
pub fn script(a: InputArgs) -> Result<ExitCode, Error> {
    let (iface, inputs) = a.load()?;
    print!("{}", iface.script(&inputs, &RealFilesystem::default())?);
    Ok(ExitCode::SUCCESS)
}

pub fn validate(a: InputArgs) -> Result<ExitCode, Error> {
    let (iface, inputs) = a.load()?;
    let errors = iface.validate(&inputs, &RealFilesystem::default());
    for e in &errors {
        println!("error[{}]: {}", e.kind, e.message);
    }
    if !errors.is_empty() {
        return Ok(ExitCode::from(2));
    }
    println!("ok");
    Ok(ExitCode::SUCCESS)
}

#[derive(clap::Args)]
pub struct SpecOutArgs {
    #[command(flatten)]
    pub spec: SpecArg,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

impl SpecOutArgs {
    fn write(&self, text: &str) -> Result<ExitCode, Error> {
        match &self.out {
            None => print!("{text}"),
            Some(path) => std::fs::write(path, text)
                .map_err(|e| Error::new(ErrorKind::Input, format!("cannot write {}: {e}", path.display())))?,
        }
        Ok(ExitCode::SUCCESS)
    }
}

pub fn types(a: SpecOutArgs) -> Result<ExitCode, Error> {
    a.write(&toolmemo::typescript::interface_types(load_spec(&a.spec.spec)?.spec()))
}

/// The spec in the explicit form (`extends` merged, floats that a JS object
/// would lose written `{"$float": N}`): what `iface.toSpec()` gives in JS.
pub fn normalize(a: SpecOutArgs) -> Result<ExitCode, Error> {
    let spec = load_spec(&a.spec.spec)?.to_spec();
    let text = serde_json::to_string_pretty(&spec).expect("a spec serializes");
    a.write(&format!("{text}\n"))
}

pub fn help(a: SpecArg) -> Result<ExitCode, Error> {
    print!("{}", load_spec(&a.spec)?.help());
    Ok(ExitCode::SUCCESS)
}

fn read(path: &Path, kind: ErrorKind) -> Result<String, Error> {
    std::fs::read_to_string(path).map_err(|e| Error::new(kind, format!("cannot read {}: {e}", path.display())))
}

pub fn load_spec(path: &Path) -> Result<Interface, Error> {
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
