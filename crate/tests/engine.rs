//! The spec engine's contract, one behaviour per test: every error kind (with a
//! message naming the interface and the input), generated names, and validate's
//! agreement with cmdline.

use serde_json::{json, Value as Json};
use toolmemo::path::FileSet;
use toolmemo::{ErrorKind, Interface};

fn iface(inputs: Json) -> Interface {
    Interface::from_json(&json!({"name": "T", "command": "t", "output_extension": ".nii.gz", "inputs": inputs}))
        .unwrap()
}

fn render(i: &Interface, inputs: Json) -> Result<String, (ErrorKind, String)> {
    i.cmdline(&inputs, &FileSet::new(["in.nii", "d/"])).map_err(|e| (e.kind, e.message))
}

fn fails(i: &Interface, inputs: Json, kind: ErrorKind, input: &str) {
    let fs = FileSet::new(["in.nii", "d/"]);
    let err = i.cmdline(&inputs, &fs).expect_err("should fail");
    assert_eq!(err.kind, kind, "{}", err.message);
    assert_eq!(err.input.as_deref(), Some(input));
    assert!(err.message.starts_with("T: ") && err.message.contains(&format!("'{input}'")), "{}", err.message);
    let all = i.validate(&inputs, &fs);
    assert_eq!(all.first().map(|e| e.kind), Some(kind), "validate agrees on the first error");
}

#[test]
fn mandatory() {
    let i = iface(json!({"a": {"type": "Int", "argstr": "-a %d", "mandatory": true}}));
    fails(&i, json!({}), ErrorKind::Mandatory, "a");
    let x = iface(json!({
        "a": {"type": "Int", "argstr": "-a %d", "mandatory": true, "xor": ["a", "b"]},
        "b": {"type": "Int", "argstr": "-b %d", "mandatory": true, "xor": ["a", "b"]}}));
    fails(&x, json!({}), ErrorKind::Mandatory, "a");
    assert_eq!(render(&x, json!({"b": 2})), Ok("t -b 2".into()));
}

#[test]
fn xor_is_checked_when_setting_in_order() {
    let i = iface(
        json!({"a": {"type": "Bool", "argstr": "-a", "xor": ["b"]}, "b": {"type": "Bool", "argstr": "-b", "xor": ["a"]}}),
    );
    fails(&i, json!({"a": true, "b": true}), ErrorKind::Xor, "b");
    fails(&i, json!({"b": true, "a": true}), ErrorKind::Xor, "a");
    // An input with usedefault is set from the start.
    let d = iface(
        json!({"a": {"type": "Bool", "argstr": "-a", "usedefault": true, "default": false}, "m": {"type": "Int", "argstr": "-m %d", "xor": ["a"]}}),
    );
    fails(&d, json!({"m": 1}), ErrorKind::Xor, "m");
}

#[test]
fn requires() {
    let i = iface(
        json!({"a": {"type": "Int", "argstr": "-a %d", "requires": ["b"]}, "b": {"type": "Int", "argstr": "-b %d"}}),
    );
    fails(&i, json!({"a": 1}), ErrorKind::Requires, "a");
    assert_eq!(render(&i, json!({"a": 1, "b": 2})), Ok("t -a 1 -b 2".into()));
    // nipype skips requires for an input that spells out `mandatory: false`.
    let f = iface(
        json!({"a": {"type": "Int", "argstr": "-a %d", "requires": ["b"], "mandatory": false}, "b": {"type": "Int"}}),
    );
    assert_eq!(render(&f, json!({"a": 1})), Ok("t -a 1".into()));
}

#[test]
fn type_and_exists() {
    let i = iface(json!({
        "n": {"type": "Int", "argstr": "-n %d"},
        "f": {"type": {"File": {"exists": true, "extensions": [".nii"]}}, "argstr": "%s"},
        "d": {"type": {"Directory": {"exists": true}}, "argstr": "-d %s"},
        "l": {"type": {"List": "Float", "minlen": 2}, "argstr": "-l %s", "sep": ","}}));
    fails(&i, json!({"n": 1.5}), ErrorKind::Type, "n");
    fails(&i, json!({"n": true}), ErrorKind::Type, "n");
    fails(&i, json!({"f": "in.txt"}), ErrorKind::Type, "f");
    fails(&i, json!({"f": "missing.nii"}), ErrorKind::Exists, "f");
    fails(&i, json!({"d": "in.nii"}), ErrorKind::Exists, "d");
    fails(&i, json!({"l": [1]}), ErrorKind::Type, "l");
    assert_eq!(render(&i, json!({"f": "./in.nii", "d": "d/", "l": [1, 2.5]})), Ok("t -d d in.nii -l 1.0,2.5".into()));
    // A format that cannot take the value is a type error too.
    let bad = iface(json!({"s": {"type": "Str", "argstr": "-s %d"}}));
    fails(&bad, json!({"s": "x"}), ErrorKind::Type, "s");
}

#[test]
fn version_and_deprecated() {
    let spec = |v: &str| {
        Interface::from_json(&json!({"name": "T", "command": "t", "version": v, "inputs": {
            "new": {"type": "Int", "argstr": "-n %d", "min_ver": "5.0.10"},
            "old": {"type": "Int", "argstr": "-o %d", "deprecated": "6.0", "new_name": "x"},
            "x": {"type": "Int", "argstr": "-x %d"}}}))
        .unwrap()
    };
    fails(&spec("5.0.9"), json!({"new": 1}), ErrorKind::Version, "new");
    assert_eq!(render(&spec("5.0.10"), json!({"new": 1})), Ok("t -n 1".into()));
    fails(&spec("6.0"), json!({"old": 1}), ErrorKind::Deprecated, "old");
    // Before its removal, a deprecated input's value moves to its replacement.
    assert_eq!(render(&spec("5.1"), json!({"old": 3})), Ok("t -x 3".into()));
}

#[test]
fn unknown_inputs_and_malformed_specs() {
    let i = iface(json!({"frac": {"type": "Float", "argstr": "-f %.2f"}}));
    let err = i.cmdline(&json!({"fracc": 0.5}), &FileSet::default()).unwrap_err();
    assert_eq!(err.kind, ErrorKind::Input);
    assert!(err.message.contains("did you mean 'frac'"), "{}", err.message);
    let spec_err =
        |inputs: Json| Interface::from_json(&json!({"name": "T", "command": "t", "inputs": inputs})).unwrap_err();
    let e = spec_err(json!({"frac": {"type": "Float", "position": "1"}}));
    assert_eq!((e.kind, e.message.as_str()), (ErrorKind::Spec, "inputs.frac.position: expected an integer, got \"1\""));
    assert!(spec_err(json!({"a": {"type": "Int", "mandatroy": true}}))
        .message
        .starts_with("inputs.a.mandatroy: unknown key"));
    assert!(spec_err(json!({"a": {"type": {"List": "Nope"}}}))
        .message
        .starts_with("inputs.a.type.List: unknown type 'Nope'"));
    assert!(spec_err(json!({"a": {"type": "Int", "requires": ["b"]}})).message.contains("'b' is not an input of T"));
    assert!(spec_err(json!({"a": {"type": "File", "name_source": "b"}, "b": {"type": "File", "name_source": "a"}}))
        .message
        .contains("loops"));
}

fn named(inputs: Json, set: Json) -> String {
    render(&iface(inputs), set).unwrap()
}

#[test]
fn generated_names() {
    let src = json!({"type": "File", "argstr": "%s", "position": 0});
    // Folder and double extension stripped, output_extension appended.
    let out = json!({"in": src, "out": {"type": "File", "argstr": "-o %s", "name_source": "in", "name_template": "%s_brain"}});
    assert_eq!(named(out.clone(), json!({"in": "/data/sub/X.NII.GZ"})), "t /data/sub/X.NII.GZ -o X_brain.nii.gz");
    // A %s value is a template; a plain value is used as is.
    assert_eq!(named(out.clone(), json!({"in": "a.nii", "out": "%s_mine"})), "t a.nii -o a_mine.nii.gz");
    assert_eq!(named(out, json!({"in": "a.nii", "out": "b.nii"})), "t a.nii -o b.nii");
    // keep_extension keeps the source's extension when the template has none.
    let keep = json!({"in": src, "out": {"type": "File", "argstr": "-o %s", "name_source": ["in"], "name_template": "%s_k", "keep_extension": true}});
    assert_eq!(named(keep.clone(), json!({"in": "d/data.nii"})), "t d/data.nii -o data_k.nii");
    // ... where "extension" is splitext's: `data.v2_k` already has one (`.v2_k`).
    assert_eq!(named(keep, json!({"in": "d/data.v2.nii"})), "t d/data.v2.nii -o data.v2_k");
    // A chain: the generated name of the source, extension included, is the base.
    let chain = json!({"in": src,
        "a": {"type": "File", "argstr": "-a %s", "name_source": "in", "name_template": "%s_a"},
        "b": {"type": "File", "argstr": "-b %s", "name_source": "a", "name_template": "%s_b"}});
    assert_eq!(named(chain, json!({"in": "x.nii"})), "t x.nii -a x_a.nii.gz -b x_a.nii.gz_b.nii.gz");
    // No name while an xor partner is set or a requires is missing.
    let cond = json!({"in": src, "flag": {"type": "Bool", "argstr": "-q"},
        "out": {"type": "File", "argstr": "-o %s", "name_source": "in", "xor": ["flag"]},
        "req": {"type": "File", "argstr": "-r %s", "name_source": "in", "requires": ["flag"]}});
    assert_eq!(named(cond.clone(), json!({"in": "x.nii"})), "t x.nii -o x_generated.nii.gz");
    assert_eq!(named(cond, json!({"in": "x.nii", "flag": true})), "t x.nii -q -r x_generated.nii.gz");
}

#[test]
fn quoting_and_positions() {
    let i = iface(json!({
        "f": {"type": "File", "argstr": "%s", "position": -1},
        "q": {"type": "File", "argstr": "-q '%s'"},
        "a": {"type": "Str", "argstr": "-a %s", "position": 0},
        "z": {"type": "Str", "argstr": "-z %s", "position": 0}}));
    // Files are shell-quoted unless the argstr quotes them; the later name wins a shared position.
    assert_eq!(
        render(&i, json!({"f": "my file.nii", "q": "a b", "a": "1", "z": "2"})),
        Ok("t -z 2 -q 'a b' 'my file.nii'".into())
    );
    assert!(!i.spec().position_clashes().is_empty());
}
