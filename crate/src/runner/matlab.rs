//! Running an SPM interface: its batch script written into the working
//! folder and run by MATLAB, or by the SPM standalone (MCR).
//!
//! nipype's `MatlabCommand` does the same: it wraps the script in a `try`
//! block (`prescript`/`postscript`), writes it to `pyscript_<name>.m` and runs
//! `matlab -nodesktop -nosplash -singleCompThread -r "addpath('<dir>');pyscript_<name>;exit"`,
//! or, under the standalone, `<matlab_cmd> <dir>/pyscript_<name>.m` (the
//! command being e.g. `run_spm12.sh /opt/mcr/v97 script`). Which MATLAB runs
//! is the user's: the interface's `matlab_cmd` input, else the front end's
//! setting (`toolmemo run --matlab-cmd`, `TOOLMEMO_MATLAB_CMD`).

use super::host::Host;
use crate::error::{Error, ErrorKind, Result};
use crate::{Bound, Value};
use std::path::Path;

/// What nipype puts before the script (`MatlabInputSpec.prescript`, with the
/// line `_gen_matlab_command` inserts first).
const PRESCRIPT: &[&str] = &["fprintf(1,'Executing %s at %s:\\n',mfilename(),datestr(now));", "ver,", "try,"];
/// What it puts after (`MatlabInputSpec.postscript`).
const POSTSCRIPT: &[&str] = &[
    "\n,catch ME,",
    "fprintf(2,'MATLAB code threw an exception:\\n');",
    "fprintf(2,'%s\\n',ME.message);",
    "if length(ME.stack) ~= 0, fprintf(2,'File:%s\\nName:%s\\nLine:%d\\n',ME.stack.file,ME.stack.name,ME.stack.line);, end;",
    "end;",
];

/// Writes the run's script into `work` and returns the argument vector that
/// runs it. `configured`: the front end's MATLAB command, if any.
pub(super) fn prepare<H: Host>(host: &H, bound: &Bound, work: &Path, configured: Option<&str>) -> Result<Vec<String>> {
    let name = &bound.spec().name;
    let truthy = |input: &str| bound.get(input).is_some_and(Value::truthy);
    let mcr = truthy("use_mcr");
    let command = match bound.get("matlab_cmd") {
        Some(Value::Str(c)) if !c.trim().is_empty() => c.clone(),
        _ => configured.map(str::to_string).ok_or_else(|| {
            Error::new(
                ErrorKind::Run,
                format!(
                    "{name}: an SPM interface runs in MATLAB and no MATLAB command is configured: \
                     set the input matlab_cmd, pass --matlab-cmd, or set TOOLMEMO_MATLAB_CMD \
                     (the SPM standalone: 'run_spm12.sh /path/to/mcr script' with use_mcr true)"
                ),
            )
        })?,
    };
    let mut words = crate::argv::split_words(&command, &[])
        .map_err(|why| Error::new(ErrorKind::Run, format!("{name}: MATLAB command {command:?}: {why}")))?;
    if words.is_empty() {
        return Err(Error::new(ErrorKind::Run, format!("{name}: the MATLAB command is empty")));
    }
    let stem = format!("pyscript_{}", name.to_lowercase());
    let file = work.join(format!("{stem}.m"));
    let mut text = PRESCRIPT.join("\n");
    let paths = match bound.get("paths") {
        Some(Value::List(items)) => items.clone(),
        Some(one) => vec![one.clone()],
        None => Vec::new(),
    };
    for p in &paths {
        text.push_str(&format!("\nif ~(ismcc || isdeployed), addpath('{}'); end;\n", p.py_str()));
    }
    text.push_str(&bound.script()?);
    text.push_str(&POSTSCRIPT.join("\n"));
    host.write(&file, text.as_bytes())
        .map_err(|e| Error::new(ErrorKind::Store, format!("{name}: cannot write {}: {e}", file.display())))?;
    if mcr {
        words.push(file.to_string_lossy().into_owned());
    } else {
        words.extend(["-nodesktop", "-nosplash", "-singleCompThread", "-r"].map(String::from));
        words.push(format!("addpath('{}');{stem};exit", work.display()));
    }
    Ok(words)
}
