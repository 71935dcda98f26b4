//! Hostile specs and inputs: each is a clear error (or, where nipype renders
//! it, the faithful rendering), never a panic, a hang or an abort.
//! Listed with their outcomes in docs/reliability.md.

#![cfg(all(feature = "native", not(target_arch = "wasm32")))]

use serde_json::{json, Value as Json};
use std::time::Instant;
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{function_key, FsStore, Kind, Limits, Memory, NewEntry, Store};
use toolmemo::path::{FileSet, NoFilesystem};
use toolmemo::pyfmt::format;
use toolmemo::{ErrorKind, Interface, Value};

fn one(argstr: &str, ty: Json) -> Interface {
    Interface::from_json(&json!({"name": "T", "command": "t", "inputs": {"x": {"type": ty, "argstr": argstr}}}))
        .unwrap()
}

fn spec_error(spec: Json) -> String {
    match Interface::from_json(&spec) {
        Ok(_) => panic!("spec accepted: {spec}"),
        Err(e) => {
            assert_eq!(e.kind, ErrorKind::Spec, "{e}");
            e.message
        }
    }
}

// ------------------------------------------------------------ formats

/// Found by fuzzing: a width of 5688609221795446229 made `%` allocate that
/// many bytes and abort the process. Python raises (MemoryError, or "width too
/// big" past ssize_t); toolmemo refuses widths and precisions over 2^20.
#[test]
fn enormous_widths_and_precisions_are_errors_not_aborts() {
    for fmt in ["%5688609221795446229d", "%99999999999999999999s", "%1048577s", "%-2000000x"] {
        let e = format(fmt, &Value::Int(1)).unwrap_err();
        assert!(e.0.contains("width too big"), "{fmt}: {e}");
    }
    for fmt in ["%.99999999999999999999f", "%.5000000d", "%.2000000e", "%.1048577g"] {
        let e = format(fmt, &Value::Float(0.1)).unwrap_err();
        assert!(e.0.contains("precision too big"), "{fmt}: {e}");
    }
    let star = Value::Tuple(vec![Value::Int(i64::MAX), Value::Int(1)]);
    assert!(format("%*d", &star).unwrap_err().0.contains("width too big"));
    let star = Value::Tuple(vec![Value::Int(i64::MIN), Value::Int(1)]);
    assert!(format("%*d", &star).unwrap_err().0.contains("width too big"));
    let star = Value::Tuple(vec![Value::Int(1 << 40), Value::Float(1.0)]);
    assert!(format("%.*f", &star).unwrap_err().0.contains("precision too big"));
    // Within the limit, Python's output exactly.
    assert_eq!(format("%1048576s", &Value::Str("x".into())).unwrap().len(), 1 << 20);
    assert_eq!(format("%.3f", &Value::Float(0.5)).unwrap(), "0.500");
    // Through a spec: a clear error of the input, not a crash.
    let iface = one("-x %99999999999d", json!("Int"));
    let e = iface.cmdline(&json!({"x": 3}), &NoFilesystem).unwrap_err();
    assert!(e.message.contains("width too big"), "{e}");
    assert!(!iface.validate(&json!({"x": 3}), &NoFilesystem).is_empty());
}

/// Found by fuzzing: a precision over 65535 made Rust's float formatter panic
/// ("Formatting argument out of range"). Python writes the exact digits, then zeros.
#[test]
fn precisions_past_rusts_formatter_limit_give_pythons_digits() {
    let s = format("%.70000f", &Value::Float(0.1)).unwrap();
    assert_eq!(s.len(), 2 + 70000);
    assert!(s.starts_with("0.1000000000000000055511151231257827021181583404541015625"), "{}", &s[..60]);
    assert!(s[2 + 1100..].bytes().all(|c| c == b'0'));
    let e = format("%.70000e", &Value::Float(1.0 / 3.0)).unwrap();
    assert!(
        e.starts_with("3.333333333333333148296162562473909929394721984863281250000") && e.ends_with("e-01"),
        "{}",
        &e[..60]
    );
    assert_eq!(e.len(), 1 + 1 + 70000 + 4);
    let g = format("%.70000g", &Value::Float(5e-324)).unwrap();
    assert!(
        g.starts_with("4.9406564584124654e-324") || g.starts_with("4.94065645841246544176568792868221372365"),
        "{}",
        &g[..40]
    );
    // The same digits as Python below the limit.
    assert_eq!(format("%.20f", &Value::Float(0.1)).unwrap(), "0.10000000000000000555");
    assert_eq!(format("%.3e", &Value::Float(12345.678)).unwrap(), "1.235e+04");
}

// ------------------------------------------------------------ keys

fn key(iface: &Interface, inputs: &Json) -> String {
    let bound = iface.bind(inputs, &NoFilesystem).unwrap();
    toolmemo::fingerprint::interface_key(&bound, &toolmemo::fingerprint::RealFileHasher::default(), Default::default())
        .unwrap()
        .key
        .hex()
}

/// Found by property testing: a Dict input renders in insertion order
/// (`{'B': 1, 'A': 2}`), but its key sorted the dict, so two different command
/// lines shared one key: a hit would have returned the other run's outputs.
#[test]
fn two_command_lines_never_share_a_key() {
    let iface = one("-j %s", json!({"Dict": "Int"}));
    let (ba, ab) = (json!({"x": {"B": 1, "A": 2}}), json!({"x": {"A": 2, "B": 1}}));
    assert_ne!(iface.cmdline(&ba, &NoFilesystem).unwrap(), iface.cmdline(&ab, &NoFilesystem).unwrap());
    assert_ne!(key(&iface, &ba), key(&iface, &ab));
    // The environment's order reaches no command line and changes no key.
    let env = Interface::from_json(&json!({"name": "T", "command": "t", "inputs": {}})).unwrap();
    assert_eq!(
        key(&env, &json!({"environ": {"B": "1", "A": "2"}})),
        key(&env, &json!({"environ": {"A": "2", "B": "1"}}))
    );
}

/// Found by property testing: the order in which a spec declares its inputs
/// changed the key, although it changes neither the command line nor the run.
#[test]
fn the_order_of_a_specs_inputs_changes_no_key() {
    let a = Interface::from_json_str(
        r#"{"name": "T", "command": "t", "inputs": {
        "p": {"type": "Int", "argstr": "-p %d"}, "q": {"type": "Str", "argstr": "-q %s"}}}"#,
    )
    .unwrap();
    let b = Interface::from_json_str(
        r#"{"name": "T", "command": "t", "inputs": {
        "q": {"type": "Str", "argstr": "-q %s"}, "p": {"type": "Int", "argstr": "-p %d"}}}"#,
    )
    .unwrap();
    let inputs = json!({"p": 1, "q": "x"});
    assert_eq!(a.cmdline(&inputs, &NoFilesystem).unwrap(), b.cmdline(&inputs, &NoFilesystem).unwrap());
    assert_eq!(key(&a, &inputs), key(&b, &inputs));
}

// ------------------------------------------------------------ specs

#[test]
fn cyclic_extends_and_name_source_chains_are_spec_errors() {
    let parents = |name: &str| -> Option<Json> {
        match name {
            "A" => Some(json!({"name": "A", "command": "a", "extends": "B", "inputs": {}})),
            "B" => Some(json!({"name": "B", "command": "b", "extends": "A", "inputs": {}})),
            "S" => Some(json!({"name": "S", "command": "s", "extends": "S", "inputs": {}})),
            _ => None,
        }
    };
    for spec in [
        json!({"name": "C", "command": "c", "extends": "A", "inputs": {}}),
        json!({"name": "C", "command": "c", "extends": "S", "inputs": {}}),
        json!({"name": "C", "command": "c", "extends": "C", "inputs": {}}),
    ] {
        let e = Interface::from_json_with(&spec, &parents).expect_err("a cyclic extends is refused");
        assert_eq!(e.kind, ErrorKind::Spec, "{e}");
    }
    let e =
        Interface::from_json(&json!({"name": "C", "command": "c", "extends": "Nowhere", "inputs": {}})).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Spec);
    let msg = spec_error(json!({"name": "N", "command": "n", "inputs": {
        "a": {"type": "File", "argstr": "%s", "name_source": "b", "genfile": true},
        "b": {"type": "File", "argstr": "%s", "name_source": "c", "genfile": true},
        "c": {"type": "File", "argstr": "%s", "name_source": "a", "genfile": true}}}));
    assert!(msg.contains("name_source") || msg.contains("cycle") || msg.contains("loop"), "{msg}");
}

#[test]
fn deep_nesting_is_a_clear_error_not_a_stack_overflow() {
    let deep_type = format!("{}\"Int\"{}", "{\"List\": ".repeat(5000), "}".repeat(5000));
    let spec =
        format!(r#"{{"name": "D", "command": "d", "inputs": {{"x": {{"type": {deep_type}, "argstr": "%s"}}}}}}"#);
    let e = Interface::from_json_str(&spec).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Spec, "{e}");
    let iface = one("%s", json!("Any"));
    let deep_value = format!("{{\"x\": {}1{}}}", "[".repeat(100_000), "]".repeat(100_000));
    let e = toolmemo::parse_json(&deep_value, "inputs").unwrap_err();
    assert_eq!(e.kind, ErrorKind::Input, "{e}");
    // 100 levels (within JSON's limit) render as Python would.
    let nested: Json = serde_json::from_str(&format!("{}1{}", "[".repeat(100), "]".repeat(100))).unwrap();
    let line = iface.cmdline(&json!({"x": nested}), &NoFilesystem).unwrap();
    assert_eq!(line, format!("t {}1{}", "[".repeat(100), "]".repeat(100)));
}

/// Found by this test: `Bound::argv` looked every character up in every value
/// range, so 200,000 `%s...` items took 120 s (quadratic); now well under a second.
#[test]
fn enormous_lists_render_in_linear_time() {
    let iface = one("-l %s", json!({"List": "Int"}));
    let big: Vec<i64> = (0..1_000_000).collect();
    let started = Instant::now();
    let line = iface.cmdline(&json!({"x": big}), &NoFilesystem).unwrap();
    assert!(started.elapsed().as_secs_f64() < 5.0, "{:?}", started.elapsed());
    assert!(line.starts_with("t -l 0 1 2 ") && line.ends_with(" 999999"));
    let each = one("-l %s...", json!({"List": "Str"}));
    let many: Vec<String> = (0..200_000).map(|i| format!("f{i}")).collect();
    let started = Instant::now();
    assert_eq!(each.bind(&json!({"x": many}), &NoFilesystem).unwrap().argv().unwrap().len(), 1 + 2 * 200_000);
    assert!(started.elapsed().as_secs_f64() < 5.0, "argv of 200,000 items took {:?}", started.elapsed());
    // A maxlen is enforced however long the list.
    let short = one("%s", json!({"List": "Int", "maxlen": 3}));
    let e = short.cmdline(&json!({"x": big}), &NoFilesystem).unwrap_err();
    assert_eq!(e.kind, ErrorKind::Type);
}

#[test]
fn control_characters_and_traversal_in_values_stay_one_quoted_argument() {
    let iface = one("-i %s", json!("File"));
    for v in ["a\nb", "../../etc/passwd", "x; rm -rf /", "$(id)", "a\u{0}b", "\u{1b}[31mred", "-rf", "a'b"] {
        let bound = iface.bind(&json!({"x": v}), &NoFilesystem).unwrap();
        let argv = bound.argv().unwrap();
        assert_eq!(argv.len(), 3, "{v:?} -> {argv:?}");
        assert_eq!(argv[2], toolmemo::path::normalize(v), "{v:?} reaches the tool as one literal word");
        let line = bound.cmdline().unwrap();
        if v.chars().any(|c| !c.is_ascii_alphanumeric() && !"_@%+=:,./-".contains(c)) {
            assert!(line.contains('\''), "{v:?} is shell-quoted in {line:?}");
        }
    }
}

#[test]
fn control_characters_in_spec_names_are_refused_or_kept_out_of_paths() {
    // Interface names become cache folder names: never a path outside the cache.
    let dir = std::env::temp_dir().join(format!("toolmemo-hostile-names-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let store = FsStore::open(&dir).unwrap();
    let mem = Memory::new(store, Limits::default(), "r".into(), Box::new(|| 1.0));
    for name in ["../../escape", "/etc/passwd", "..", ".", "", "a/../../b", "x\u{0}y", "\n", "C:\\x", "😀/.."] {
        let key = function_key(name, "v:1", &[]).key;
        let new = NewEntry {
            key,
            kind: Kind::Interface,
            name: name.into(),
            bytes: 1,
            duration_ms: 0.0,
            code: None,
            args: None,
            sidecar: Json::Null,
            format: toolmemo::memory::format::JSON,
        };
        block_on(mem.insert(new, vec![7])).unwrap();
        let entry = mem.store().entry_dir(name, &key);
        assert!(entry.starts_with(&dir), "{name:?} -> {}", entry.display());
        let rel = entry.strip_prefix(&dir).unwrap();
        assert!(
            rel.components().all(|c| matches!(c, std::path::Component::Normal(_))),
            "{name:?} -> {}",
            rel.display()
        );
        assert_eq!(block_on(mem.lookup_value(name, &key, |_| true)).unwrap(), Some(vec![7]));
    }
    assert_eq!(block_on(mem.store().list()).unwrap().len(), 10);
    // Nothing was written beside the cache folder.
    let parent: Vec<_> = std::fs::read_dir(dir.parent().unwrap()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(!parent.iter().any(|n| n == "escape" || n == "b"));
    let _ = std::fs::remove_dir_all(&dir);
    // A spec name or command with control characters is still just data.
    let iface = Interface::from_json(&json!({"name": "N\u{7}", "command": "c\u{1b}", "inputs": {}}))
        .map(|i| i.cmdline(&json!({}), &FileSet::new(Vec::<String>::new())));
    assert!(matches!(iface, Ok(Ok(_)) | Err(_)));
}
