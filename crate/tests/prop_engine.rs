//! Property tests of the spec engine and interface keys (proptest): random
//! specs and random inputs. Rendering never panics and is deterministic;
//! `validate` reports an error exactly when rendering fails; an interface key
//! depends neither on the order of inputs or dict keys nor on how a value was
//! passed (`1` or `1.0` for a Float, `x` or `[x]` for a MultiPath, a default
//! left unset or set to itself, `./a//b` or `a/b`).
//! Cases per property: `PROPTEST_CASES` (default 400).

#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use proptest::prelude::*;
use serde_json::{json, Map, Value as Json};
use toolmemo::fingerprint::{interface_key, HashMethod, RealFileHasher};
use toolmemo::path::FileSet;
use toolmemo::Interface;

const NAMES: &[&str] = &["a", "b", "c", "in_file", "out_file", "zz"];

fn json_leaf() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::from),
        (-1000i64..1000).prop_map(Json::from),
        any::<i64>().prop_map(Json::from),
        (-1e6f64..1e6).prop_map(|f| json!(f)),
        prop_oneof![Just(1e-7), Just(1e16), Just(0.1), Just(-0.0), Just(2.5)].prop_map(|f| json!(f)),
        "[a-z0-9 ./%_'\"-]{0,8}".prop_map(Json::from),
        prop_oneof![Just("a.nii"), Just("f3.nii"), Just("dir"), Just("x y.nii.gz"), Just("./a//b.nii")]
            .prop_map(Json::from),
    ]
}

fn json_value() -> impl Strategy<Value = Json> {
    json_leaf().prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Json::Array),
            prop::collection::btree_map("[a-c]", inner, 0..3).prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

fn ty() -> impl Strategy<Value = Json> {
    prop_oneof![
        Just(json!("Int")),
        Just(json!("Float")),
        Just(json!("Str")),
        Just(json!("Bool")),
        Just(json!("File")),
        Just(json!("Any")),
        Just(json!({"File": {"exists": true}})),
        Just(json!({"File": {"extensions": [".nii", ".nii.gz"]}})),
        Just(json!({"List": "Int", "minlen": 1, "maxlen": 3})),
        Just(json!({"List": "Float"})),
        Just(json!({"Either": ["Int", "Str"]})),
        Just(json!({"Either": [{"File": {"exists": true}}, "Str"]})),
        Just(json!({"Tuple": ["Int", "Float"]})),
        Just(json!({"Dict": "Str"})),
        Just(json!({"Enum": ["x", "y", 3]})),
        Just(json!({"Range": {"low": 0, "high": 10}})),
        Just(json!({"Range": {"low": 0.0, "high": 1.0, "exclude_high": true}})),
        Just(json!({"MultiPath": "File"})),
        Just(json!({"List": {"Tuple": ["Int", "Int"]}})),
    ]
}

fn argstr() -> impl Strategy<Value = Option<String>> {
    prop::option::weighted(
        0.9,
        prop_oneof![
            Just("%s"),
            Just("-x %s"),
            Just("-f %.2f"),
            Just("-n %d"),
            Just("--v=%s..."),
            Just("-b"),
            Just("%s %s"),
            Just("-g %g"),
            Just("'%s'"),
            Just("-k %(a)s"),
            Just("-w %5s"),
            Just("%x"),
            Just("-z %s %d"),
        ]
        .prop_map(String::from),
    )
}

prop_compose! {
    fn input_spec(name: &'static str)(
        ty in ty(),
        argstr in argstr(),
        position in prop::option::weighted(0.4, -2i64..3),
        mandatory in prop::bool::weighted(0.1),
        default in prop::option::weighted(0.2, json_leaf()),
        xor in prop::option::weighted(0.15, prop::sample::subsequence(NAMES.to_vec(), 1..3)),
        requires in prop::option::weighted(0.1, prop::sample::subsequence(NAMES.to_vec(), 1..2)),
        generated in prop::bool::weighted(0.15),
        template in prop_oneof![Just("%s_out"), Just("%s_b.txt"), Just("x")],
        keep_ext in any::<bool>(),
        sep in prop::option::weighted(0.2, prop_oneof![Just(","), Just(" x ")]),
    ) -> Json {
        let mut o = Map::new();
        o.insert("type".into(), ty);
        if let Some(a) = argstr { o.insert("argstr".into(), a.into()); }
        if let Some(p) = position { o.insert("position".into(), p.into()); }
        if mandatory { o.insert("mandatory".into(), true.into()); }
        if let Some(d) = default { o.insert("default".into(), d); o.insert("usedefault".into(), true.into()); }
        if let Some(x) = xor { o.insert("xor".into(), json!(x)); }
        if let Some(r) = requires { o.insert("requires".into(), json!(r)); }
        if let Some(s) = sep { o.insert("sep".into(), s.into()); }
        if generated && name != "in_file" {
            o.insert("type".into(), "File".into());
            o.insert("name_source".into(), json!(["in_file"]));
            o.insert("name_template".into(), template.into());
            o.insert("keep_extension".into(), keep_ext.into());
        }
        let _ = name;
        Json::Object(o)
    }
}

prop_compose! {
    fn spec()(
        a in input_spec("a"), b in input_spec("b"), c in input_spec("c"),
        in_file in input_spec("in_file"), out_file in input_spec("out_file"), zz in input_spec("zz"),
        keep in prop::sample::subsequence(NAMES.to_vec(), 1..=NAMES.len()),
        ext in prop::option::of(Just(".nii.gz")),
    ) -> Json {
        let all = [("a", a), ("b", b), ("c", c), ("in_file", in_file), ("out_file", out_file), ("zz", zz)];
        let mut inputs: Map<String, Json> = all.into_iter().filter(|(n, _)| keep.contains(n)).map(|(n, s)| (n.to_string(), s)).collect();
        // Mostly well-formed specs: cross-references only to inputs that exist.
        for (_, s) in inputs.iter_mut() {
            for k in ["xor", "requires"] {
                if let Some(Json::Array(names)) = s.get_mut(k) {
                    names.retain(|n| keep.contains(&n.as_str().unwrap_or_default()));
                }
            }
            if !keep.contains(&"in_file") {
                if let Some(o) = s.as_object_mut() { o.remove("name_source"); }
            }
        }
        let mut s = json!({"name": "P", "command": "prog -v", "inputs": inputs});
        if let Some(e) = ext { s["output_extension"] = e.into(); }
        s
    }
}

/// A value the type probably takes (so that many inputs render).
fn plausible(ty: &Json) -> BoxedStrategy<Json> {
    let t = ty
        .as_str()
        .map(String::from)
        .unwrap_or_else(|| ty.as_object().and_then(|o| o.keys().next().cloned()).unwrap_or_default());
    match t.as_str() {
        "Int" => (-5i64..5).prop_map(Json::from).boxed(),
        "Float" => prop_oneof![(-5i64..5).prop_map(Json::from), (-5f64..5.0).prop_map(|f| json!(f))].boxed(),
        "Bool" => any::<bool>().prop_map(Json::from).boxed(),
        "File" | "MultiPath" => {
            prop::sample::select(vec!["a.nii", "f3.nii", "x y.nii.gz", "./a//b.nii"]).prop_map(Json::from).boxed()
        }
        "List" => prop::collection::vec((0i64..5).prop_map(Json::from), 1..3).prop_map(Json::Array).boxed(),
        "Tuple" => (0i64..5, -1f64..1.0).prop_map(|(a, b)| json!([a, b])).boxed(),
        "Dict" => prop::collection::btree_map("[A-C]", "[a-z]{0,3}", 0..3).prop_map(|m| json!(m)).boxed(),
        "Enum" => prop::sample::select(vec![json!("x"), json!("y"), json!(3)]).boxed(),
        "Range" => (0i64..10).prop_map(Json::from).boxed(),
        _ => "[a-z0-9 ./%_-]{0,6}".prop_map(Json::from).boxed(),
    }
}

/// A spec and inputs for it: each input of the spec set with probability
/// one half, to a plausible value of its type (80%) or any value.
fn spec_and_inputs() -> impl Strategy<Value = (Json, Json)> {
    spec().prop_flat_map(|spec| {
        let entries: Vec<BoxedStrategy<Option<(String, Json)>>> = spec["inputs"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(name, s)| {
                let name = name.clone();
                let v = prop_oneof![4 => plausible(&s["type"]), 1 => json_value()];
                prop::option::of(v.prop_map(move |v| (name.clone(), v))).boxed()
            })
            .collect();
        (Just(spec), entries).prop_map(|(spec, set)| (spec, Json::Object(set.into_iter().flatten().collect())))
    })
}

fn files() -> FileSet {
    FileSet::new(["a.nii", "f3.nii", "dir/", "x y.nii.gz", "a/b.nii"])
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|s| s.parse().ok()).unwrap_or(400)
}

/// Reverses the order of every object's keys.
fn reversed(v: &Json) -> Json {
    match v {
        Json::Object(o) => Json::Object(o.iter().rev().map(|(k, v)| (k.clone(), reversed(v))).collect()),
        Json::Array(a) => Json::Array(a.iter().map(reversed).collect()),
        other => other.clone(),
    }
}

fn key_of(iface: &Interface, inputs: &Json) -> Option<String> {
    let bound = iface.bind(inputs, &files()).ok()?;
    Some(interface_key(&bound, &RealFileHasher::default(), HashMethod::Content).ok()?.key.hex())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn rendering_never_panics_is_deterministic_and_validate_agrees((spec, inputs) in spec_and_inputs()) {
        let Ok(iface) = Interface::from_json(&spec) else { return Ok(()) };
        let f = files();
        let line = iface.cmdline(&inputs, &f);
        let again = iface.cmdline(&inputs, &f);
        prop_assert_eq!(line.as_ref().ok(), again.as_ref().ok());
        prop_assert_eq!(line.as_ref().err().map(|e| e.to_string()), again.as_ref().err().map(|e| e.to_string()));
        let problems = iface.validate(&inputs, &f);
        match &line {
            Ok(l) => {
                prop_assert!(problems.is_empty(), "cmdline {:?} but validate {:?}", l, problems);
                let argv = iface.bind(&inputs, &f).unwrap().argv();
                prop_assert!(argv.is_ok(), "a rendered line has no argv: {:?}", argv);
                prop_assert_eq!(&argv.unwrap()[..2], &["prog".to_string(), "-v".to_string()][..]);
            }
            Err(e) => {
                prop_assert!(!problems.is_empty(), "cmdline failed with {} but validate is empty", e);
                prop_assert_eq!(problems[0].kind, e.kind);
            }
        }
        // The order of the inputs changes nothing when both orders bind (it
        // may decide whether they bind: nipype checks an asymmetric `xor` when
        // an input is set, so `a` then `b` can fail where `b` then `a` works).
        let top = Json::Object(inputs.as_object().unwrap().iter().rev().map(|(k, v)| (k.clone(), v.clone())).collect());
        if let (Ok(x), Ok(y)) = (iface.cmdline(&top, &f), &line) {
            prop_assert_eq!(&x, y);
            prop_assert_eq!(key_of(&iface, &top), key_of(&iface, &inputs));
        }
        // Inside a value, a dict's order can reach the command line (Python's
        // `str` of a dict): keys are equal exactly when the command lines are.
        let deep = reversed(&inputs);
        if let (Ok(x), Ok(y)) = (iface.cmdline(&deep, &f), &line) {
            prop_assert_eq!(&x == y, key_of(&iface, &deep) == key_of(&iface, &inputs), "{} vs {}", x, y);
        }
        // Key order of the spec changes nothing either.
        if let Ok(iface2) = Interface::from_json(&reversed(&spec)) {
            prop_assert_eq!(iface2.cmdline(&inputs, &f).ok(), iface.cmdline(&inputs, &f).ok());
            prop_assert_eq!(key_of(&iface2, &inputs), key_of(&iface, &inputs));
        }
    }

    #[test]
    fn a_key_does_not_depend_on_how_a_value_was_passed(
        frac in -100i64..100,
        paths in prop::collection::vec(prop::sample::select(vec!["a.nii", "f3.nii", "a/b.nii"]), 1..3),
        env in prop::collection::btree_map("[A-Z]{1,3}", "[a-z]{0,3}", 0..4),
        give_default in any::<bool>(),
    ) {
        let iface = Interface::from_json(&json!({"name": "K", "command": "k", "inputs": {
            "frac": {"type": "Float", "argstr": "-f %s"},
            "many": {"type": {"MultiPath": "File"}, "argstr": "-m %s"},
            "one": {"type": "File", "argstr": "%s", "position": 0},
            "mode": {"type": {"Enum": ["fast", "slow"]}, "argstr": "--%s", "usedefault": true},
            "n": {"type": "Int", "argstr": "-n %d", "default": 3, "usedefault": true}}})).unwrap();
        let env_fwd: Map<String, Json> = env.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        let env_rev: Map<String, Json> = env.iter().rev().map(|(k, v)| (k.clone(), json!(v))).collect();
        let mut a = json!({"frac": frac, "one": format!("./{}", paths[0]).replace('/', "//"), "environ": env_fwd});
        let mut b = json!({"environ": env_rev, "one": paths[0], "frac": frac as f64});
        if paths.len() == 1 {
            a["many"] = json!(paths[0]);
            b["many"] = json!([paths[0]]);
        } else {
            a["many"] = json!(paths);
            b["many"] = json!(paths.iter().map(|p| format!("{p}/")).collect::<Vec<_>>());
        }
        if give_default {
            b["mode"] = json!("fast");
            b["n"] = json!(3);
        }
        let (ka, kb) = (key_of(&iface, &a), key_of(&iface, &b));
        prop_assert!(ka.is_some(), "binds: {}", a);
        prop_assert_eq!(&ka, &kb, "{} vs {}", a, b);
        prop_assert_eq!(iface.cmdline(&a, &files()).ok(), iface.cmdline(&b, &files()).ok());
        // And a different value is a different key.
        let mut c = b.clone();
        c["frac"] = json!(frac as f64 + 0.5);
        prop_assert_ne!(key_of(&iface, &c), kb);
    }
}

/// The generators reach the interesting part: most specs parse, and many
/// inputs render (else the properties above would hold vacuously).
#[test]
fn generated_specs_mostly_parse_and_often_render() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let (mut parsed, mut rendered, mut failed, n) = (0, 0, 0, 500);
    for _ in 0..n {
        let (spec, inputs) = spec_and_inputs().new_tree(&mut runner).unwrap().current();
        if let Ok(iface) = Interface::from_json(&spec) {
            parsed += 1;
            match iface.cmdline(&inputs, &files()) {
                Ok(_) => rendered += 1,
                Err(_) => failed += 1,
            }
        }
    }
    eprintln!("generated specs: {parsed}/{n} parse; of those {rendered} render, {failed} are errors");
    assert!(parsed * 10 >= n * 6, "only {parsed}/{n} generated specs parse");
    assert!(rendered * 5 >= parsed, "only {rendered}/{parsed} render");
    assert!(failed * 10 >= parsed, "only {failed}/{parsed} are errors");
}
