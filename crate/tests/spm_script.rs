//! SPM-mediated interfaces (spec 1.1 `matlab`): the batch script, byte for
//! byte as nipype 1.12.0 wrote it for the same inputs (vectors copied from
//! `shared/conformance/nipype-all-dev.jsonl`), and `toolmemo run` of one with
//! a stand-in MATLAB that records what it was given.

use serde_json::{json, Value as Json};
use toolmemo::path::NoFilesystem;
use toolmemo::{ErrorKind, Interface};

/// nipype's Realign as a spec, and scripts nipype wrote (`tests/vectors/spm-realign.json`,
/// which the Node and browser tests render too).
const VECTORS: &str = include_str!("../../tests/vectors/spm-realign.json");

fn vectors() -> Json {
    serde_json::from_str(VECTORS).unwrap()
}

fn realign_json() -> Json {
    vectors()["spec"].clone()
}

fn realign() -> Interface {
    Interface::from_json(&realign_json()).unwrap()
}

/// The inputs and nipype's script of case `n` (0: Realign#1, with `use_v8struct` false,
/// an empty session, and `mfile` false overridden by `use_mcr`; 1: Realign#3, with
/// sessions as cells of cells, `jobtype` in the job path and the MCR closing lines).
fn case(n: usize) -> (Json, String) {
    let c = &vectors()["cases"][n];
    (c["inputs"].clone(), c["matlab"].as_str().unwrap().to_string())
}

/// Files exist, and the rendering folder is `/data/run`.
struct Here;

impl toolmemo::PathProbe for Here {
    fn kind(&self, _: &str) -> toolmemo::PathKind {
        toolmemo::PathKind::File
    }
    fn working_dir(&self) -> Option<String> {
        Some("/data/run".into())
    }
}

#[test]
fn the_script_is_the_one_nipype_writes() {
    let cases = vectors()["cases"].as_array().unwrap().len();
    assert!(cases >= 3);
    for n in 0..cases {
        let (inputs, script) = case(n);
        assert_eq!(realign().script(&inputs, &NoFilesystem).unwrap(), script, "case {n}");
    }
}

#[test]
fn to_spec_keeps_the_job() {
    let again = Interface::from_json(&realign().to_spec()).unwrap();
    let (inputs, script) = case(1);
    assert_eq!(again.script(&inputs, &NoFilesystem).unwrap(), script);
    assert!(realign().to_spec().get("command").is_none(), "an SPM spec has no command");
}

#[test]
fn a_command_line_and_a_script_are_not_confused() {
    let (inputs, _) = case(1);
    let e = realign().cmdline(&inputs, &NoFilesystem).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert!(e.message.contains("script"), "{}", e.message);
    let bet = Interface::from_json_str(r#"{"name": "BET", "command": "bet", "inputs": {}}"#).unwrap();
    assert_eq!(bet.script(&json!({}), &NoFilesystem).unwrap_err().kind, ErrorKind::Unsupported);
    assert!(realign().validate(&inputs, &NoFilesystem).is_empty());
}

#[test]
fn a_session_given_as_one_image_is_refused_not_guessed() {
    // nipype opens the image to count its volumes; toolmemo does not.
    let e = realign().script(&json!({"in_files": ["a.nii", "b.nii"]}), &NoFilesystem).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unsupported);
    assert_eq!(e.input.as_deref(), Some("in_files"));
    assert!(e.message.starts_with("Realign: input 'in_files'"), "{}", e.message);
}

#[test]
fn the_switch_and_the_derived_fields() {
    // `jobtype` write: one cell of every session's scans; a derived field from the folder.
    let mut spec = realign_json();
    spec["matlab"]["derived"] = json!([{"field": "roptions.dir", "from": "folder", "form": "cell",
                                         "when": [{"in": ["jobtype", ["write"]]}]}]);
    let iface = Interface::from_json(&spec).unwrap();
    let script =
        iface.script(&json!({"in_files": [["a.nii"], ["b.nii", "c.nii"]], "jobtype": "write"}), &Here).unwrap();
    let job: Vec<&str> = script.lines().filter(|l| l.starts_with("jobs{1}") || !l.starts_with(' ')).collect();
    assert!(
        script.contains(
            "jobs{1}.spm.spatial.realign.write.data = {...\n'a.nii,1';...\n'b.nii,1';...\n'c.nii,1';...\n};\n"
        ),
        "{job:?}"
    );
    assert!(script.contains("jobs{1}.spm.spatial.realign.write.roptions.dir = {...\n'/data/run';...\n};\n"), "{job:?}");
    let other = iface.script(&json!({"in_files": [["a.nii"]], "jobtype": "estimate"}), &Here).unwrap();
    assert!(!other.contains("roptions.dir"));
}

#[test]
fn a_malformed_job_is_a_spec_error_naming_its_place() {
    let mut spec = realign_json();
    spec["inputs"]["fwhm"]["field_form"] = json!("cells");
    let e = Interface::from_json(&spec).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Spec);
    assert!(e.message.starts_with("inputs.fwhm.field_form: unknown form \"cells\""), "{}", e.message);
    let mut spec = realign_json();
    spec["matlab"]["job_path"] = json!([{"input": "nope"}]);
    let e = Interface::from_json(&spec).unwrap_err();
    assert!(e.message.contains("'nope' is not an input of Realign"), "{}", e.message);
    let mut spec = realign_json();
    spec["command"] = json!("matlab");
    assert_eq!(Interface::from_json(&spec).unwrap_err().kind, ErrorKind::Spec);
}

/// `toolmemo run` of an SPM interface with a stand-in MATLAB: a script that
/// appends its arguments to `calls.log` and copies the `.m` file it was given.
#[cfg(feature = "native")]
mod run {
    use super::realign_json;
    use std::path::{Path, PathBuf};
    use std::process::{Command, Output};

    struct Lab {
        dir: PathBuf,
    }

    impl Lab {
        fn new(name: &str) -> Lab {
            let dir = std::env::temp_dir().join(format!("toolmemo-spm-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            let matlab = dir.join("matlab");
            let body = format!(
                "#!/bin/sh\necho \"$@\" >> '{log}'\ncat pyscript_*.m > '{seen}' 2>/dev/null\nfor a in \"$@\"; do last=\"$a\"; done\n\
                 case \"$last\" in *.m) cat \"$last\" > '{seen}';; esac\necho 'SPM12 stand-in'\n",
                log = dir.join("calls.log").display(),
                seen = dir.join("seen.m").display()
            );
            std::fs::write(&matlab, body).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&matlab, std::fs::Permissions::from_mode(0o755)).unwrap();
            std::fs::write(dir.join("spec.json"), realign_json().to_string()).unwrap();
            for f in ["a.nii", "b.nii"] {
                std::fs::write(dir.join(f), f).unwrap();
            }
            Lab { dir }
        }

        fn calls(&self) -> Vec<String> {
            std::fs::read_to_string(self.dir.join("calls.log"))
                .map_or(Vec::new(), |s| s.lines().map(String::from).collect())
        }

        fn run(&self, inputs: &str, extra: &[&str]) -> Output {
            std::fs::write(self.dir.join("in.json"), inputs).unwrap();
            Command::new(env!("CARGO_BIN_EXE_toolmemo"))
                .args(["run", "--spec", "spec.json", "--inputs", "in.json", "--json"])
                .args(extra)
                .current_dir(&self.dir)
                .env("TOOLMEMO_CACHE_DIR", self.dir.join("cache"))
                .env_remove("TOOLMEMO_MATLAB_CMD")
                .env_remove("SPMMCRCMD")
                .env_remove("MATLABCMD")
                .output()
                .unwrap()
        }

        fn matlab(&self) -> String {
            self.dir.join("matlab").to_string_lossy().into_owned()
        }
    }

    fn json(out: &Output) -> serde_json::Value {
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    #[test]
    fn the_second_run_is_a_hit_and_matlab_got_the_script() {
        let lab = Lab::new("hit");
        let inputs = r#"{"in_files": [["a.nii", "b.nii"]], "jobtype": "estimate"}"#;
        let first = json(&lab.run(inputs, &["--matlab-cmd", &lab.matlab()]));
        assert_eq!(first["cached"], false);
        let calls = lab.calls();
        assert_eq!(calls.len(), 1);
        assert!(calls[0].starts_with("-nodesktop -nosplash -singleCompThread -r addpath('/"), "{calls:?}");
        assert!(calls[0].ends_with("/work');pyscript_realign;exit"), "{calls:?}");
        let seen = std::fs::read_to_string(lab.dir.join("seen.m")).unwrap();
        let job = "jobs{1}.spm.spatial.realign.estimate.data = {...\n{...\n'a.nii,1';...\n'b.nii,1';...\n};\n};\n";
        assert!(seen.starts_with("fprintf(1,'Executing %s at %s:\\n',mfilename(),datestr(now));\nver,\ntry,\n"));
        assert!(seen.contains(job), "{seen}");
        assert!(seen.ends_with("ME.stack.line);, end;\nend;"), "{seen}");
        // The script stays with the entry, in its working folder.
        let dir = Path::new(first["dir"].as_str().unwrap());
        assert!(std::fs::read_to_string(dir.join("work/pyscript_realign.m")).unwrap().contains(job));

        let second = json(&lab.run(inputs, &["--matlab-cmd", &lab.matlab()]));
        assert_eq!(second["cached"], true);
        assert_eq!(second["key"], first["key"]);
        assert_eq!(lab.calls().len(), 1, "a hit does not start MATLAB");

        // Another input, another run; the MATLAB command from the environment.
        let out = Command::new(env!("CARGO_BIN_EXE_toolmemo"))
            .args(["run", "--spec", "spec.json", "--inputs", "in.json", "--json", "--set", "fwhm=4"])
            .current_dir(&lab.dir)
            .env("TOOLMEMO_CACHE_DIR", lab.dir.join("cache"))
            .env("TOOLMEMO_MATLAB_CMD", lab.matlab())
            .output()
            .unwrap();
        assert_eq!(json(&out)["cached"], false);
        assert_eq!(lab.calls().len(), 2);
        assert!(std::fs::read_to_string(lab.dir.join("seen.m")).unwrap().contains("eoptions.fwhm = 4.0;\n"));
    }

    #[test]
    fn the_standalone_gets_the_script_file() {
        let lab = Lab::new("mcr");
        let cmd = format!("{} /opt/mcr/v97 script", lab.matlab());
        let inputs =
            format!(r#"{{"in_files": [["a.nii"]], "use_mcr": true, "matlab_cmd": {}}}"#, serde_json::json!(cmd));
        let first = json(&lab.run(&inputs, &[]));
        assert_eq!(first["cached"], false);
        let calls = lab.calls();
        assert!(calls[0].starts_with("/opt/mcr/v97 script /"), "{calls:?}");
        assert!(calls[0].ends_with("/work/pyscript_realign.m"), "{calls:?}");
        assert!(std::fs::read_to_string(lab.dir.join("seen.m")).unwrap().contains("close('all', 'force');"));
    }

    #[test]
    fn what_cannot_run_says_why_and_stores_nothing() {
        let lab = Lab::new("refuse");
        let out = lab.run(r#"{"in_files": [["a.nii"]]}"#, &[]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("error[run]") && err.contains("--matlab-cmd"), "{err}");
        let out = lab.run(r#"{"in_files": [["a.nii"]], "mfile": false}"#, &["--matlab-cmd", &lab.matlab()]);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("error[unsupported]") && err.contains("mfile"), "{err}");
        assert!(lab.calls().is_empty());
        let again = json(&lab.run(r#"{"in_files": [["a.nii"]]}"#, &["--matlab-cmd", &lab.matlab()]));
        assert_eq!(again["cached"], false, "no entry was stored by the refused runs");
    }
}

#[test]
fn an_interface_that_writes_its_own_script() {
    // nipype's Reslice and Analyze2nii (`_make_matlab_command` overridden), as specs.
    let reslice = Interface::from_json(&json!({
        "name": "Reslice",
        "matlab": {"script": "\n        flags.interp = {interp};\n        infiles = strvcat('{space_defining}', '{in_file}');\n        "},
        "inputs": {"in_file": {"type": "File", "mandatory": true}, "space_defining": {"type": "File", "mandatory": true},
                   "interp": {"type": {"Range": {"low": 0, "high": 7}}, "usedefault": true}}
    }))
    .unwrap();
    let script = reslice.script(&json!({"in_file": "./b.nii", "space_defining": "a.nii"}), &NoFilesystem).unwrap();
    assert_eq!(script, "\n        flags.interp = 0;\n        infiles = strvcat('a.nii', 'b.nii');\n        ");
    assert_eq!(reslice.script(&json!({"in_file": "b.nii"}), &NoFilesystem).unwrap_err().kind, ErrorKind::Mandatory);

    let analyze = Interface::from_json(&json!({
        "name": "Analyze2nii",
        "matlab": {"script": "V.fname = '{@cwd}/{analyze_file.stem}.nii'; % {{not a part}} {matlab_cmd}\n"},
        "inputs": {"analyze_file": {"type": "File", "mandatory": true}, "matlab_cmd": {"type": "Str"}}
    }))
    .unwrap();
    let script = analyze.script(&json!({"analyze_file": "sub/x1.nii.gz"}), &Here).unwrap();
    assert_eq!(script, "V.fname = '/data/run/x1.nii'; % {not a part} <undefined>\n");
    // A script is the whole script: no job keys beside it; its parts name inputs.
    let bad = json!({"name": "X", "matlab": {"script": "{nope}"}, "inputs": {}});
    assert!(Interface::from_json(&bad).unwrap_err().message.contains("'nope' is not an input of X"));
    let bad = json!({"name": "X", "matlab": {"script": "s", "jobtype": "spatial"}, "inputs": {}});
    assert_eq!(Interface::from_json(&bad).unwrap_err().kind, ErrorKind::Spec);
    let round = Interface::from_json(&analyze.to_spec()).unwrap();
    assert_eq!(round.script(&json!({"analyze_file": "sub/x1.nii.gz"}), &Here).unwrap(), script);
}

#[test]
fn a_dict_with_named_keys() {
    // SPM's covariates: Dict(key_trait=Enum("vector", "name", ...)).
    let iface = Interface::from_json(&json!({
        "name": "Design", "command": "design",
        "inputs": {"cov": {"type": {"List": {"Dict": "Any", "keys": ["vector", "name"]}}, "argstr": "%s"}}
    }))
    .unwrap();
    assert!(iface.cmdline(&json!({"cov": [{"name": "age", "vector": [1, 2]}]}), &NoFilesystem).is_ok());
    let e = iface.cmdline(&json!({"cov": [{"nom": "age"}]}), &NoFilesystem).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Type);
    assert!(iface.help().contains("'vector' or 'name'"), "{}", iface.help());
    let again = Interface::from_json(&iface.to_spec()).unwrap();
    assert_eq!(again.cmdline(&json!({"cov": [{"nom": "age"}]}), &NoFilesystem).unwrap_err().kind, ErrorKind::Type);
}

#[test]
fn renamed_dicts_nested_items_and_cat12_cells() {
    let iface = Interface::from_json(&json!({
        "name": "Design",
        "matlab": {"jobtype": "stats", "jobname": "factorial_design"},
        "inputs": {
            "covariates": {"type": {"List": {"Dict": "Any", "keys": ["vector", "name", "centering"]}},
                           "field": "cov", "field_form": {"rename": {"vector": "c", "name": "cname", "centering": "iCC"}}},
            "channels": {"type": {"List": {"Tuple": [{"List": "File"}, {"Tuple": ["Float", "Float"]}]}},
                         "field": "channel", "field_form": {"struct": [{"name": "vols", "item": 0, "form": "cell"},
                                                                      {"name": "biasreg", "item": [1, 0]}]}},
            "surfaces": {"type": {"List": "File"}, "field": "data_surf", "field_form": "cellstr"}
        }
    }))
    .unwrap();
    let script = iface
        .script(
            &json!({"covariates": [{"name": "age", "vector": [1, 2]}],
                    "channels": [[["a.nii"], [0.001, 60]]],
                    "surfaces": ["lh.central", "rh.central"]}),
            &NoFilesystem,
        )
        .unwrap();
    let job: Vec<&str> = script
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("jobs") || l.starts_with('\'') || l.starts_with('}'))
        .collect();
    assert_eq!(
        job,
        [
            "jobs{1}.spm.stats.factorial_design.cov(1).cname = 'age';",
            "jobs{1}.spm.stats.factorial_design.cov(1).c(1) = 1;",
            "jobs{1}.spm.stats.factorial_design.cov(1).c(2) = 2;",
            "jobs{1}.spm.stats.factorial_design.channel(1).vols = {...",
            "'a.nii';...",
            "};",
            "jobs{1}.spm.stats.factorial_design.channel(1).biasreg = 0.001;",
            "jobs{1}.spm.stats.factorial_design.data_surf = {'lh.central'",
            "'rh.central'};",
        ]
    );
    let again = Interface::from_json(&iface.to_spec()).unwrap();
    let inputs = json!({"covariates": [{"name": "age", "vector": [1, 2]}], "channels": [[["a.nii"], [0.001, 60]]],
                        "surfaces": ["lh.central"]});
    assert_eq!(again.script(&inputs, &NoFilesystem).unwrap(), iface.script(&inputs, &NoFilesystem).unwrap());
}
