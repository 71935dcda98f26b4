//! The fuzz targets, shared by the libFuzzer harness (`fuzz/fuzz_targets/*.rs`,
//! coverage-guided, nightly) and the stable driver run by `cargo test`
//! (`crate/tests/fuzz_targets.rs`, random and mutated inputs on a time budget).
//!
//! Each target takes arbitrary bytes and must neither panic nor break the
//! property it states; a panic is a crash. Bytes that are not the target's
//! natural input (JSON text, a format string) are read as a recipe for a
//! structured value through [`Bytes`].

use serde_json::{json, Map, Value as Json};
use std::path::{Path, PathBuf};
use toolmemo::fingerprint::{encode, sha256, Datum, FileId};
use toolmemo::memory::cached::block_on;
use toolmemo::memory::{function_key, FsStore, Kind, NewEntry, Store};
use toolmemo::path::FileSet;
use toolmemo::{Interface, Value};

/// Reads structured choices out of fuzz bytes; zeros once they run out.
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Bytes { data, pos: 0 }
    }
    pub fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    pub fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        let v = if n <= 256 { self.byte() as usize } else { (self.byte() as usize) << 8 | self.byte() as usize };
        v % n
    }
    pub fn u64(&mut self) -> u64 {
        (0..8).fold(0u64, |acc, _| acc << 8 | self.byte() as u64)
    }
    pub fn rest(&self) -> &'a [u8] {
        &self.data[self.pos.min(self.data.len())..]
    }
    pub fn exhausted(&self) -> bool {
        self.pos >= self.data.len()
    }
}

const TEXT_ALPHABET: &[&str] = &[
    "a",
    "b",
    "x",
    "0",
    "1",
    "9",
    " ",
    ".",
    "/",
    "..",
    "-",
    "_",
    "%",
    "%s",
    "'",
    "\"",
    "\\",
    "\n",
    "\t",
    "\0",
    "é",
    "\u{202e}",
    "😀",
    ".nii",
    ".gz",
    "$(",
    ";",
    "*",
    "~",
    "\u{7f}",
    "\u{1b}[31m",
    "ß",
];

fn text(b: &mut Bytes, max: usize) -> String {
    let n = b.below(max + 1);
    (0..n).map(|_| TEXT_ALPHABET[b.below(TEXT_ALPHABET.len())]).collect()
}

const FLOATS: &[f64] = &[
    0.0,
    -0.0,
    0.1,
    0.5,
    1.0,
    -1.5,
    1e-5,
    1e-4,
    9.999e-5,
    1e16,
    1e15,
    123456789.0,
    1e300,
    5e-324,
    f64::MAX,
    f64::MIN,
    f64::NAN,
    f64::INFINITY,
    f64::NEG_INFINITY,
    2.5e-7,
    0.30000000000000004,
];
const INTS: &[i64] = &[0, 1, -1, 2, 255, -255, 1 << 31, 1 << 53, (1 << 53) + 1, i64::MIN, i64::MAX, 1000000];

fn float(b: &mut Bytes) -> f64 {
    if b.byte() & 1 == 0 {
        FLOATS[b.below(FLOATS.len())]
    } else {
        f64::from_bits(b.u64())
    }
}

fn int(b: &mut Bytes) -> i64 {
    if b.byte() & 1 == 0 {
        INTS[b.below(INTS.len())]
    } else {
        b.u64() as i64
    }
}

/// A Python-like value.
pub fn value(b: &mut Bytes, depth: usize) -> Value {
    let tag = b.below(if depth == 0 { 5 } else { 8 });
    match tag {
        0 => Value::None,
        1 => Value::Bool(b.byte() & 1 == 1),
        2 => Value::Int(int(b)),
        3 => Value::Float(float(b)),
        4 => Value::Str(text(b, 12)),
        5 => Value::List((0..b.below(5)).map(|_| value(b, depth - 1)).collect()),
        6 => Value::Tuple((0..b.below(5)).map(|_| value(b, depth - 1)).collect()),
        _ => Value::Dict((0..b.below(4)).map(|_| (text(b, 4), value(b, depth - 1))).collect()),
    }
}

/// JSON data (numbers finite, as JSON has them).
pub fn json_value(b: &mut Bytes, depth: usize) -> Json {
    let tag = b.below(if depth == 0 { 5 } else { 7 });
    match tag {
        0 => Json::Null,
        1 => Json::Bool(b.byte() & 1 == 1),
        2 => json!(int(b)),
        3 => serde_json::Number::from_f64(float(b)).map_or(Json::Null, Json::Number),
        4 => Json::String(text(b, 12)),
        5 => Json::Array((0..b.below(5)).map(|_| json_value(b, depth - 1)).collect()),
        _ => Json::Object((0..b.below(4)).map(|_| (text(b, 4), json_value(b, depth - 1))).collect()),
    }
}

/// A fingerprint datum of every kind.
pub fn datum(b: &mut Bytes, depth: usize) -> Datum {
    let tag = b.below(if depth == 0 { 11 } else { 15 });
    match tag {
        0 => Datum::Null,
        1 => Datum::Undefined,
        2 => Datum::Bool(b.byte() & 1 == 1),
        3 => Datum::Int(int(b)),
        4 => Datum::BigInt(format!("{}{}", int(b), b.u64())),
        5 => Datum::Float(float(b)),
        6 => Datum::Str(text(b, 12)),
        7 => Datum::bytes(["uint8", "float64", "arraybuffer"][b.below(3)], text(b, 8).as_bytes()),
        8 => Datum::Date(float(b)),
        9 => {
            let path = text(b, 8);
            let id = match b.below(3) {
                0 => FileId::Content { size: b.u64(), digest: sha256(&b.u64().to_le_bytes()) },
                1 => FileId::Timestamp { size: b.u64(), mtime_ns: int(b) as i128 * 1_000_000_007 },
                _ => FileId::PathOnly,
            };
            Datum::File { path, id }
        }
        10 => Datum::Str(String::new()),
        11 => Datum::List((0..b.below(5)).map(|_| datum(b, depth - 1)).collect()),
        12 => Datum::Tuple((0..b.below(5)).map(|_| datum(b, depth - 1)).collect()),
        13 => Datum::Map(fields(b, depth)),
        _ => Datum::Object { class: text(b, 4), fields: fields(b, depth) },
    }
}

fn fields(b: &mut Bytes, depth: usize) -> Vec<(String, Datum)> {
    // Distinct names: a map has each key once.
    let mut out: Vec<(String, Datum)> = Vec::new();
    for _ in 0..b.below(5) {
        let k = text(b, 4);
        let v = datum(b, depth - 1);
        if !out.iter().any(|(n, _)| *n == k) {
            out.push((k, v));
        }
    }
    out
}

/// The same datum with every map's entries in reverse order.
pub fn reorder(d: &Datum) -> Datum {
    match d {
        Datum::List(items) => Datum::List(items.iter().map(reorder).collect()),
        Datum::Tuple(items) => Datum::Tuple(items.iter().map(reorder).collect()),
        Datum::Map(f) => Datum::Map(f.iter().rev().map(|(k, v)| (k.clone(), reorder(v))).collect()),
        Datum::Object { class, fields } => Datum::Object {
            class: class.clone(),
            fields: fields.iter().rev().map(|(k, v)| (k.clone(), reorder(v))).collect(),
        },
        other => other.clone(),
    }
}

// ---------------------------------------------------------------- targets

/// Spec parsing: any text parses or is an error of kind `spec` naming what is
/// wrong; parsing is deterministic; a spec that parses has help, a normalized
/// export, and renders empty inputs to a line or an error.
pub fn spec(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let first = Interface::from_json_str(&text);
    let second = Interface::from_json_str(&text);
    match (&first, &second) {
        (Ok(a), Ok(b)) => assert_eq!(a.spec().to_json(), b.spec().to_json(), "parsing is not deterministic"),
        (Err(a), Err(b)) => {
            assert_eq!(a.message, b.message, "parsing is not deterministic");
            assert_eq!(a.kind, toolmemo::ErrorKind::Spec, "a bad spec is a spec error: {a}");
            assert!(!a.message.is_empty());
        }
        _ => panic!("parsing is not deterministic"),
    }
    let Ok(iface) = first else { return };
    let _ = iface.help();
    let _ = serde_json::to_string(&iface.spec().to_json()).expect("the export is JSON");
    render_checks(&iface, &json!({}));
}

const FORMAT_ALPHABET: &[u8] = b"%%%%sdifgGeExXocr.*-+ #0123456789(ab)lh\n";

/// Python's `%`: any format with any value gives a string or an error, the
/// same each time, and the parsed template agrees with the one-shot form.
pub fn pyfmt(data: &[u8]) {
    let mut b = Bytes::new(data);
    let fmt: String = if b.byte() & 1 == 0 {
        let n = b.below(24);
        (0..n).map(|_| FORMAT_ALPHABET[b.below(FORMAT_ALPHABET.len())] as char).collect()
    } else {
        let n = b.below(48).min(b.rest().len());
        let raw = &b.rest()[..n];
        let s = String::from_utf8_lossy(raw).into_owned();
        for _ in 0..n {
            b.byte();
        }
        s
    };
    let v = value(&mut b, 3);
    let once = toolmemo::pyfmt::format(&fmt, &v);
    let template = toolmemo::pyfmt::Template::parse(&fmt);
    let _ = template.arity();
    assert_eq!(template.apply(&v), once, "Template::apply and format disagree on {fmt:?} % {v:?}");
    assert_eq!(toolmemo::pyfmt::format(&fmt, &v), once, "not deterministic: {fmt:?} % {v:?}");
}

/// Specs the render target uses when the bytes do not hold one.
pub const SEED_SPECS: &[&str] = &[
    include_str!("../../examples/BET.json"),
    r#"{"name": "T", "command": "t", "output_extension": ".nii.gz", "inputs": {
        "a": {"type": {"List": "Int", "minlen": 1, "maxlen": 3}, "argstr": "-a %s", "sep": ","},
        "b": {"type": {"Either": [{"File": {"exists": true}}, "Str"]}, "argstr": "-b %s", "xor": ["c"]},
        "c": {"type": {"Tuple": ["Float", "Int"]}, "argstr": "-c %.2f %d"},
        "d": {"type": {"MultiPath": "File"}, "argstr": "-d %s...", "position": -1},
        "e": {"type": {"Enum": ["x", "y", 3]}, "argstr": "--e=%s", "usedefault": true},
        "f": {"type": "File", "argstr": "%s", "position": 0, "mandatory": true},
        "g": {"type": "File", "argstr": "-o %s", "name_source": ["f"], "name_template": "%s_out", "keep_extension": true},
        "h": {"type": "File", "argstr": "-h %s", "name_source": "g", "name_template": "%s_h"},
        "i": {"type": {"Range": {"low": 0, "high": 1}}, "argstr": "-i %g", "requires": ["a"]},
        "j": {"type": {"Dict": "Str"}, "argstr": "-j %s"},
        "k": {"type": "Bool", "argstr": "-k"},
        "l": {"type": "Any", "argstr": "-l %r", "deprecated": "0.1", "new_name": "k"}},
      "outputs": {"o": {"type": "File", "source": "f", "template": "%s_mask"}}}"#,
];

fn probe() -> FileSet {
    FileSet::new(["a.nii", "f3.nii", "dir/", "x y.nii.gz"])
}

/// Rendering random inputs against random specs: never a panic, the same
/// line twice, `validate` empty exactly when `cmdline` works, and both agree
/// on the kind of the first error.
pub fn render(data: &[u8]) {
    let split = data.iter().position(|&c| c == 0).unwrap_or(data.len());
    let (spec_part, rest) = data.split_at(split);
    let rest = rest.get(1..).unwrap_or(&[]);
    let mut b = Bytes::new(rest);
    let iface = match Interface::from_json_str(&String::from_utf8_lossy(spec_part)) {
        Ok(i) => i,
        Err(_) => {
            Interface::from_json_str(SEED_SPECS[spec_part.first().copied().unwrap_or(0) as usize % SEED_SPECS.len()])
                .expect("seed specs parse")
        }
    };
    let inputs: Json = match serde_json::from_slice::<Json>(rest) {
        Ok(j) => j,
        Err(_) => {
            let names: Vec<String> = iface.spec().inputs.iter().map(|i| i.name.clone()).collect();
            let mut obj = Map::new();
            for _ in 0..b.below(8) {
                let name = if b.byte() < 240 && !names.is_empty() {
                    names[b.below(names.len())].clone()
                } else {
                    text(&mut b, 3)
                };
                obj.insert(name, json_value(&mut b, 2));
            }
            Json::Object(obj)
        }
    };
    render_checks(&iface, &inputs);
}

fn render_checks(iface: &Interface, inputs: &Json) {
    let inputs = inputs.clone();
    let files = probe();
    let line = iface.cmdline(&inputs, &files);
    assert_eq!(iface.cmdline(&inputs, &files).ok(), line.as_ref().ok().cloned(), "cmdline is not deterministic");
    let problems = iface.validate(&inputs, &files);
    match &line {
        Ok(l) => {
            assert!(problems.is_empty(), "cmdline gave {l:?} but validate reports {problems:?} for {inputs}");
            let bound = iface.bind(&inputs, &files).expect("cmdline worked, so bind does");
            let _ = bound.argv();
        }
        Err(e) => {
            assert!(!problems.is_empty(), "cmdline failed ({e}) but validate reports nothing for {inputs}");
            assert_eq!(problems[0].kind, e.kind, "first errors differ: {e} vs {}", problems[0]);
        }
    }
}

/// The canonical encoding: a key is the sha256 of the encoding, the encoding
/// is deterministic and ignores map order.
pub fn encoding(data: &[u8]) {
    let mut b = Bytes::new(data);
    let d = datum(&mut b, 4);
    let bytes = encode(&d);
    assert_eq!(encode(&d), bytes);
    assert_eq!(d.key().0, sha256(&bytes), "key is not the sha256 of the encoding");
    assert_eq!(reorder(&d).key(), d.key(), "map order changed the key of {d:?}");
    // A different datum read from the same bytes differs in key whenever it differs in encoding.
    let e = datum(&mut b, 2);
    assert_eq!(encode(&e) == bytes, e.key() == d.key(), "encoding and key disagree on equality");
}

/// A scratch store for [`stored_entry`], one per thread.
fn scratch_store_dir() -> PathBuf {
    std::env::temp_dir().join(format!("toolmemo-fuzz-store-{}-{:?}", std::process::id(), std::thread::current().id()))
}

const FILES: &[&str] = &["meta.json", "value", "access", "sidecar.json"];

/// Applies an edit recipe (overwrite, insert, delete, truncate, replace with
/// the recipe's bytes) to a file's content.
fn mutate(content: &[u8], b: &mut Bytes) -> Vec<u8> {
    let mut out = content.to_vec();
    for _ in 0..1 + b.below(4) {
        let at = if out.is_empty() { 0 } else { b.below(out.len() + 1) };
        match b.below(6) {
            0 => {
                if at < out.len() {
                    out[at] = b.byte();
                }
            }
            1 => out.insert(at.min(out.len()), b.byte()),
            2 => {
                let n = b.below(16);
                let end = (at + n).min(out.len());
                out.drain(at.min(out.len())..end);
            }
            3 => out.truncate(at),
            4 => {
                if at < out.len() {
                    out[at] ^= 1 << b.below(8);
                }
            }
            _ => {
                let n = b.below(64).min(b.rest().len());
                out = b.rest()[..n].to_vec();
                for _ in 0..n {
                    b.byte();
                }
            }
        }
    }
    out
}

/// Decoding on-disk entries and metadata: a valid entry (plain or
/// compressed) has one of its files damaged by the recipe; reading it must
/// give the exact value or a miss, never a wrong value and never a panic.
pub fn stored_entry(data: &[u8]) {
    let dir = scratch_store_dir();
    stored_entry_in(&dir, data);
}

pub fn stored_entry_in(dir: &Path, data: &[u8]) {
    let mut b = Bytes::new(data);
    let compressed = b.byte() & 1 == 1;
    let value: Vec<u8> = {
        let n = b.below(300);
        (0..n).map(|i| (i as u8).wrapping_mul(31) ^ (n as u8)).collect()
    };
    let open = || {
        let s = FsStore::open(dir).expect("open the scratch store").durable(false);
        if compressed {
            s.compress(1)
        } else {
            s
        }
    };
    let store = open();
    let name = "fuzzed";
    let key = function_key(name, "v:1", &[]).key;
    let _ = block_on(store.remove(name, &key));
    let meta = toolmemo::memory::Memory::new(
        toolmemo::memory::MemoryStore::<Vec<u8>>::default(),
        Default::default(),
        "r".into(),
        Box::new(|| 1.0),
    )
    .new_meta(NewEntry {
        key,
        kind: Kind::Function,
        name: name.into(),
        bytes: value.len() as u64,
        duration_ms: 1.0,
        code: Some("v:1".into()),
        args: None,
        sidecar: json!({"n": value.len()}),
        format: toolmemo::memory::format::JSON,
    });
    block_on(store.put(toolmemo::memory::Entry { meta, value: value.clone() })).expect("put");
    let entry_dir = store.entry_dir(name, &key);
    let damaged = b.byte() & 7 != 7; // now and then, the layout record instead
    let files = FILES;
    let target = if damaged { entry_dir.join(files[b.below(files.len())]) } else { dir.join("layout.json") };
    let before = std::fs::read(&target).unwrap_or_default();
    let after = mutate(&before, &mut b);
    std::fs::write(&target, &after).expect("write the damaged file");
    if !damaged {
        // A damaged layout record: opening refuses or works; nothing panics.
        let reopened = FsStore::open(dir);
        std::fs::write(&target, &before).expect("restore the layout record");
        if reopened.is_err() {
            return;
        }
    }
    let store = open();
    for _ in 0..2 {
        let _ = block_on(store.list());
        if let Some(e) = block_on(store.get(name, &key)).expect("a damaged entry is a miss, not an error") {
            assert_eq!(e.value, value, "a damaged entry read as a wrong value ({target:?} edited)");
        }
    }
    let _ = block_on(store.remove(name, &key));
}
