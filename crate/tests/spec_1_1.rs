//! Spec format 1.1's keys (docs/spec-format.md, "Version 1.1"): what each
//! renders, that they survive `to_json`, and that a malformed one is a spec error.
//! The nipype importer's own tests check them against nipype itself.

use serde_json::{json, Value as Json};
use toolmemo::path::{FileSet, PathKind, PathProbe};
use toolmemo::{ErrorKind, Interface};

/// Declared files, rendered in `/data/run` (what a native or Node host knows).
struct In<'a>(FileSet, Option<&'a str>);

impl PathProbe for In<'_> {
    fn kind(&self, path: &str) -> PathKind {
        self.0.kind(path)
    }
    fn working_dir(&self) -> Option<String> {
        self.1.map(str::to_string)
    }
}

fn spec() -> Json {
    json!({
        "name": "T", "command": "tool",
        "output_extension": {"input": "outputtype", "mode": "replace",
                             "map": {"AFNI": "", "NIFTI": ".nii", "NIFTI_GZ": ".nii.gz"}},
        "inputs": {
            "in_file": {"type": {"File": {"exists": true}}, "argstr": "%s", "position": 0, "mandatory": true},
            "out_file": {"type": "File", "argstr": "-prefix %s", "name_source": "in_file", "name_template": "%s_ss.x"},
            "outputtype": {"type": {"Enum": ["AFNI", "NIFTI", "NIFTI_GZ"]}, "usedefault": true, "default": "NIFTI_GZ"},
            "volume": {"type": {"Either": ["Bool", "File"]}, "argstr": "--outputVolume %s",
                       "value_map": {"true": "volume.nii", "false": null}, "absolute": true},
            "kernel": {"type": {"Enum": ["mean", "modal", "trilinear"]}, "argstr": "-k %s",
                       "value_map": {"mean": "M", "trilinear": null}},
            "scheme": {"type": "File", "argstr": "-o %s", "absolute": true,
                       "genfile_template": {"source": "in_file", "template": "%s.Bfloat"}},
            "flag": {"type": "Bool", "argstr": "-v", "value_map": {"true": "-verbose"}}
        }
    })
}

fn render(spec: &Json, inputs: Json, cwd: Option<&str>) -> Result<String, (ErrorKind, String)> {
    let iface = Interface::from_json(spec).map_err(|e| (e.kind, e.message))?;
    iface.cmdline(&inputs, &In(FileSet::new(["in.nii.gz"]), cwd)).map_err(|e| (e.kind, e.message))
}

#[test]
fn each_key_renders_as_documented() {
    let s = spec();
    assert_eq!(
        render(&s, json!({"in_file": "in.nii.gz", "volume": true, "kernel": "mean"}), Some("/data/run")).unwrap(),
        "tool in.nii.gz -k M -prefix in_ss.nii.gz -o /data/run/in.Bfloat --outputVolume /data/run/volume.nii"
    );
    // `false` and a `null` replacement are empty arguments that keep their place;
    // AFNI's extension "" replaces the template's own.
    assert_eq!(
        render(&s, json!({"in_file": "in.nii.gz", "volume": false, "kernel": "trilinear", "outputtype": "AFNI"}), None)
            .unwrap(),
        "tool in.nii.gz  -prefix in_ss -o in.Bfloat "
    );
    // A value the user sets is used as written; unmapped values are formatted as usual.
    assert_eq!(
        render(
            &s,
            json!({"in_file": "in.nii.gz", "volume": "v.nii", "kernel": "modal", "scheme": "s%s.b"}),
            Some("/r")
        )
        .unwrap(),
        "tool in.nii.gz -k modal -prefix in_ss.nii.gz -o s%s.b --outputVolume v.nii"
    );
    // "true" names the Bool only: a file called `true` is a file name.
    assert_eq!(
        render(&s, json!({"in_file": "in.nii.gz", "volume": "true"}), Some("/r")).unwrap(),
        "tool in.nii.gz -prefix in_ss.nii.gz -o /r/in.Bfloat --outputVolume true"
    );
    // A mapped Bool is formatted, not a flag.
    let mut flag = spec();
    flag["inputs"]["flag"]["argstr"] = json!("%s");
    assert_eq!(
        render(&flag, json!({"in_file": "in.nii.gz", "flag": true}), None).unwrap(),
        "tool in.nii.gz -verbose -prefix in_ss.nii.gz -o in.Bfloat"
    );
    // `absolute` normalizes as os.path.abspath does.
    assert_eq!(
        render(&s, json!({"in_file": "in.nii.gz", "volume": true}), Some("/a/b/../c/")).unwrap(),
        "tool in.nii.gz -prefix in_ss.nii.gz -o /a/c/in.Bfloat --outputVolume /a/c/volume.nii"
    );
}

#[test]
fn the_extension_appends_in_fsl_mode_and_is_left_out_for_unmapped_values() {
    let mut s = spec();
    s["output_extension"]["mode"] = json!("append");
    assert_eq!(
        render(&s, json!({"in_file": "in.nii.gz", "outputtype": "NIFTI"}), None).unwrap(),
        "tool in.nii.gz -prefix in_ss.x.nii -o in.Bfloat"
    );
    s["output_extension"]["map"] = json!({"NIFTI": ".nii"});
    assert_eq!(
        render(&s, json!({"in_file": "in.nii.gz"}), None).unwrap(),
        "tool in.nii.gz -prefix in_ss.x -o in.Bfloat"
    );
}

#[test]
fn the_keys_survive_to_json_and_a_v1_spec_gains_none() {
    let iface = Interface::from_json(&spec()).unwrap();
    let normalized = iface.spec().to_json();
    assert_eq!(normalized["output_extension"]["mode"], "replace");
    let again = Interface::from_json(&denormalize(&normalized)).unwrap();
    for inputs in [
        json!({"in_file": "in.nii.gz", "volume": true, "kernel": "mean"}),
        json!({"in_file": "in.nii.gz", "volume": false}),
    ] {
        let probe = In(FileSet::new(["in.nii.gz"]), Some("/w"));
        assert_eq!(iface.cmdline(&inputs, &probe).unwrap(), again.cmdline(&inputs, &probe).unwrap());
    }
    let v1 = Interface::from_json(&json!({"name": "V", "command": "v", "output_extension": ".nii",
        "inputs": {"x": {"type": "Str", "argstr": "%s"}}}))
    .unwrap()
    .spec()
    .to_json();
    assert_eq!(v1["output_extension"], ".nii");
    for key in ["absolute", "value_map", "genfile_template"] {
        assert!(v1["inputs"].as_array().unwrap().iter().all(|i| i.get(key).is_none()), "{key}");
    }
}

/// The normalized form (inputs as a list) back to a spec (inputs by name).
fn denormalize(n: &Json) -> Json {
    let mut s = n.clone();
    let to_map = |list: &Json| {
        Json::Object(
            list.as_array()
                .unwrap()
                .iter()
                .map(|i| {
                    let mut i = i.clone();
                    let name = i.as_object_mut().unwrap().remove("name").unwrap();
                    (name.as_str().unwrap().to_string(), i)
                })
                .collect(),
        )
    };
    s["inputs"] = to_map(&n["inputs"]);
    s["outputs"] = to_map(&n["outputs"]);
    s
}

#[test]
fn path_forms_and_a_genfile_template_with_the_output_extension() {
    let s = json!({
        "name": "P", "command": "p", "output_extension": ".nii.gz",
        "inputs": {
            "in_file": {"type": "File", "argstr": "%s", "position": 0, "path_form": "relative"},
            "ref": {"type": "File", "argstr": "-r %s", "path_form": "basename"},
            "abs": {"type": {"List": "File"}, "argstr": "-a %s", "path_form": "absolute"},
            "out_file": {"type": "File", "argstr": "-o %s", "absolute": true,
                         "genfile_template": {"source": "in_file", "template": "%s_brain", "extension": true}}
        }
    });
    let inputs = json!({"in_file": "/data/run/sub/x.nii", "ref": "/atlas/mni.nii.gz", "abs": ["a.nii", "../b.nii"]});
    assert_eq!(
        render(&s, inputs.clone(), Some("/data/run")).unwrap(),
        "p sub/x.nii -a /data/run/a.nii /data/b.nii -o /data/run/x_brain.nii.gz -r mni.nii.gz"
    );
    assert_eq!(
        render(&s, json!({"in_file": "/other/x.nii"}), Some("/data/run")).unwrap(),
        "p ../../other/x.nii -o /data/run/x_brain.nii.gz"
    );
    // No rendering folder (a browser): absolute paths stay, relative ones are normalized.
    assert_eq!(
        render(&s, json!({"in_file": "./a/../x.nii", "abs": ["a.nii"]}), None).unwrap(),
        "p x.nii -a a.nii -o x_brain.nii.gz"
    );
    let mut bad = s.clone();
    bad["inputs"]["ref"]["path_form"] = json!("stem");
    assert!(render(&bad, json!({}), None).unwrap_err().1.contains("inputs.ref.path_form"));
}

#[test]
fn malformed_keys_are_spec_errors_naming_the_key() {
    let bad = [
        (json!({"input": "nope", "map": {}}), "output_extension.input"),
        (json!({"input": "outputtype", "map": {"AFNI": 1}}), "output_extension.map.AFNI"),
        (json!({"input": "outputtype", "map": {}, "mode": "prepend"}), "output_extension.mode"),
    ];
    for (ext, path) in bad {
        let mut s = spec();
        s["output_extension"] = ext;
        let (kind, message) = render(&s, json!({"in_file": "in.nii.gz"}), None).unwrap_err();
        assert_eq!(kind, ErrorKind::Spec);
        assert!(message.contains(path), "{message}");
    }
    let mut s = spec();
    s["inputs"]["kernel"]["value_map"] = json!({"mean": ["M"]});
    assert!(render(&s, json!({}), None).unwrap_err().1.contains("inputs.kernel.value_map.mean"));
    let mut s = spec();
    s["inputs"]["scheme"]["genfile_template"] = json!({"source": "missing", "template": "%s"});
    assert!(render(&s, json!({}), None).unwrap_err().1.contains("genfile_template.source"));
}

#[test]
fn genfile_alternatives_omit_when_argstr_inputs_item_argstr_and_flag_tables() {
    let s = json!({
        "name": "K", "command": "k", "output_extension": ".nii.gz",
        "inputs": {
            "in_file": {"type": "File", "argstr": "%s", "position": 0},
            "label": {"type": "Int"},
            "invert": {"type": "Bool"},
            "out_file": {"type": "File", "argstr": "-o %s", "position": 1, "absolute": true,
                         "genfile_template": [
                             {"when": ["invert"], "template": "{in_file.stem}_inv.mat"},
                             {"template": "{in_file.prefix}{{{label}}}{in_file.ext}_{in_file.name}", "extension": true}]},
            "grad": {"type": "File", "argstr": "-grad %s"},
            "bvec": {"type": "File", "argstr": "-fslgrad %s %s", "argstr_inputs": ["bval"],
                     "omit_when": [{"set": "grad"}]},
            "bval": {"type": "File"},
            "show": {"type": "Bool", "argstr": "-show", "omit_when": [{"false": "verbose"}]},
            "verbose": {"type": "Bool"},
            "pairs": {"type": {"List": {"Tuple": ["Int", "Str"]}}, "argstr": "-p %s", "sep": ",",
                      "item_argstr": "%d:%s"},
            "orient": {"type": "Bool", "argstr": "-u", "value_map": {"false": "-u", "true": null}}
        }
    });
    let at = |inputs: Json| render(&s, inputs, Some("/w")).unwrap();
    assert_eq!(
        at(json!({"in_file": "d/sub.a.nii.gz", "label": 3})),
        // A File argument is shell-quoted as v1 says (`{` is not a safe character).
        "k d/sub.a.nii.gz -o '/w/sub{3}.nii.gz_sub.a.nii.gz.nii.gz'"
    );
    assert_eq!(at(json!({"in_file": "d/sub.a.nii.gz", "invert": true})), "k d/sub.a.nii.gz -o /w/sub.a_inv.mat");
    // `when` may say "set" (nipype's isdefined): false is set.
    let mut set = s.clone();
    set["inputs"]["out_file"]["genfile_template"][0]["when"] = json!([{"set": "invert"}]);
    let probe = In(FileSet::new(["in.nii.gz"]), Some("/w"));
    let set_false = Interface::from_json(&set).unwrap().cmdline(&json!({"in_file": "a.nii", "invert": false}), &probe);
    assert_eq!(set_false.unwrap(), "k a.nii -o /w/a_inv.mat");
    assert_eq!(
        Interface::from_json(&Interface::from_json(&set).unwrap().to_spec()).unwrap().to_spec(),
        Interface::from_json(&set).unwrap().to_spec()
    );
    // An input a template names is not set: no name.
    assert_eq!(at(json!({"in_file": "x.nii"})), "k x.nii");
    assert_eq!(at(json!({"bvec": "v", "bval": "b"})), "k -fslgrad v b");
    assert_eq!(at(json!({"bvec": "v"})), "k -fslgrad v <undefined>");
    assert_eq!(at(json!({"bvec": "v", "bval": "b", "grad": "g"})), "k -grad g");
    assert_eq!(at(json!({"show": true})), "k");
    assert_eq!(at(json!({"show": true, "verbose": true})), "k -show");
    assert_eq!(at(json!({"pairs": [[1, "a"], [2, "b"]]})), "k -p 1:a,2:b");
    assert_eq!(at(json!({"orient": false})), "k -u");
    assert_eq!(at(json!({"orient": true})), "k");
    // And they survive to_spec.
    let iface = Interface::from_json(&s).unwrap();
    let again = Interface::from_json(&iface.to_spec()).unwrap();
    for inputs in
        [json!({"in_file": "d/sub.a.nii.gz", "label": 3, "pairs": [[1, "a"]]}), json!({"bvec": "v", "show": true})]
    {
        let probe = In(FileSet::new(["in.nii.gz"]), Some("/w"));
        assert_eq!(iface.cmdline(&inputs, &probe).unwrap(), again.cmdline(&inputs, &probe).unwrap());
    }
    // Malformed: named in the error.
    let mut bad = s.clone();
    bad["inputs"]["out_file"]["genfile_template"][0]["template"] = json!("{in_file.suffix}");
    assert!(render(&bad, json!({}), None).unwrap_err().1.contains("unknown part"));
    let mut bad = s.clone();
    bad["inputs"]["show"]["omit_when"] = json!([{"maybe": "verbose"}]);
    assert!(render(&bad, json!({}), None).unwrap_err().1.contains("inputs.show.omit_when[0]"));
    let mut bad = s.clone();
    bad["inputs"]["bvec"]["argstr_inputs"] = json!(["nope"]);
    assert!(render(&bad, json!({}), None).unwrap_err().1.contains("argstr_inputs"));
}

#[test]
fn an_explicit_float_is_read_wherever_a_spec_holds_a_value() {
    let s = json!({
        "name": "F", "command": "f",
        "inputs": {
            "m": {"type": "Int", "argstr": "-m %s", "value_map": {"1": {"$float": 4}}},
            "d": {"type": "Float", "argstr": "-d %s", "default": {"$float": 2}, "usedefault": true},
            "e": {"type": {"Enum": [{"$float": 1}, 2]}, "argstr": "-e %s"},
            "r": {"type": {"Range": {"low": {"$float": 0}, "high": 10}}, "argstr": "-r %s"}
        }
    });
    assert_eq!(render(&s, json!({"m": 1, "e": 1.0, "r": 3}), None).unwrap(), "f -d 2.0 -e 1.0 -m 4.0 -r 3.0");
}

#[test]
fn a_host_replacement_is_this_machines_cpu_count_and_survives_to_json() {
    // MRtrix3's `nthreads` 0: nipype writes multiprocessing.cpu_count().
    let s = json!({
        "name": "M", "command": "mrconvert",
        "inputs": {"nthreads": {"type": "Int", "argstr": "-nthreads %d",
                                "value_map": {"0": {"host": "cpu_count"}}}}
    });
    let cpus = toolmemo::host::cpu_count();
    assert!(cpus >= 1);
    assert_eq!(render(&s, json!({"nthreads": 0}), None).unwrap(), format!("mrconvert -nthreads {cpus}"));
    assert_eq!(render(&s, json!({"nthreads": 3}), None).unwrap(), "mrconvert -nthreads 3");
    let again = Interface::from_json(&s).unwrap().to_spec();
    assert_eq!(again["inputs"]["nthreads"]["value_map"], json!({"0": {"host": "cpu_count"}}));
    assert_eq!(render(&again, json!({"nthreads": 0}), None).unwrap(), format!("mrconvert -nthreads {cpus}"));
    // Another host fact is a spec error naming the entry.
    let mut bad = s.clone();
    bad["inputs"]["nthreads"]["value_map"] = json!({"0": {"host": "gpu_count"}});
    let e = Interface::from_json(&bad).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Spec);
    assert!(e.message.contains("value_map.0"), "{}", e.message);
}
