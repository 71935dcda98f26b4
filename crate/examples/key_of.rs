//! Native keys of JSON values, one per line of standard input (for
//! `tests/hostile.test.mjs`, which checks that wasm gives JS values the same keys).
//!
//!     key_of < values.jsonl     # prints one 64-hex-digit key per line

use std::io::{BufRead, Write};
use toolmemo::fingerprint::Datum;

fn main() {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line.expect("read a line");
        match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(v) => writeln!(out, "{}", Datum::from_json(&v).key().hex()),
            Err(e) => writeln!(out, "error: {e}"),
        }
        .expect("write");
    }
}
