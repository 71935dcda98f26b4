//! The canonical encoding of a [`Datum`] (specified in `docs/fingerprint.md`).
//!
//! Every node is one tag byte and a body; lengths and integers are little-endian
//! fixed width, so no two different trees share an encoding. Map entries are
//! sorted by the UTF-8 bytes of their keys.

use super::{Datum, FileId, Key, FORMAT_VERSION};
use sha2::{Digest, Sha256};

/// The magic that opens every encoding, before the version.
const MAGIC: &[u8] = b"toolmemo-fp\0";

/// Where encoded bytes go: a buffer, or straight into a hasher.
pub(crate) trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

impl Sink for Sha256 {
    fn put(&mut self, bytes: &[u8]) {
        self.update(bytes);
    }
}

/// The full, versioned encoding of `d`: what a key is the sha256 of.
pub fn encode(d: &Datum) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    header(&mut out);
    node(d, &mut out);
    out
}

/// The key of `d`, hashed as it is encoded (no buffer).
pub(crate) fn key_of(d: &Datum) -> Key {
    let mut h = Sha256::new();
    header(&mut h);
    node(d, &mut h);
    Key(h.finalize().into())
}

/// Magic and version: the start of every encoding.
pub(crate) fn header(out: &mut impl Sink) {
    out.put(MAGIC);
    out.put(&FORMAT_VERSION.to_le_bytes());
}

/// The start of a list of `n` nodes (they follow).
pub(crate) fn list_header(n: usize, out: &mut impl Sink) {
    out.put(b"L");
    len(n, out);
}

fn len(n: usize, out: &mut impl Sink) {
    out.put(&(n as u64).to_le_bytes());
}

fn text(s: &str, out: &mut impl Sink) {
    len(s.len(), out);
    out.put(s.as_bytes());
}

fn entries(pairs: &[(String, Datum)], out: &mut impl Sink) {
    let mut sorted: Vec<&(String, Datum)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    len(sorted.len(), out);
    for (k, v) in sorted {
        text(k, out);
        node(v, out);
    }
}

/// Encodes one node (tag and body).
pub(crate) fn node(d: &Datum, out: &mut impl Sink) {
    match d {
        Datum::Null => out.put(b"N"),
        Datum::Undefined => out.put(b"V"),
        Datum::Bool(false) => out.put(b"F"),
        Datum::Bool(true) => out.put(b"T"),
        Datum::Int(i) => {
            out.put(b"I");
            out.put(&i.to_le_bytes());
        }
        Datum::BigInt(digits) => {
            out.put(b"J");
            text(digits, out);
        }
        Datum::Float(f) => {
            out.put(b"D");
            // One NaN: payload bits carry no meaning for a result.
            let bits = if f.is_nan() { f64::NAN.to_bits() } else { f.to_bits() };
            out.put(&bits.to_le_bytes());
        }
        Datum::Str(s) => {
            out.put(b"S");
            text(s, out);
        }
        Datum::Bytes { dtype, len: n, digest } => {
            out.put(b"B");
            text(dtype, out);
            out.put(&n.to_le_bytes());
            out.put(digest);
        }
        Datum::List(items) | Datum::Tuple(items) => {
            out.put(if matches!(d, Datum::List(_)) { b"L" } else { b"U" });
            len(items.len(), out);
            for item in items {
                node(item, out);
            }
        }
        Datum::Map(pairs) => {
            out.put(b"M");
            entries(pairs, out);
        }
        Datum::Object { class, fields } => {
            out.put(b"O");
            text(class, out);
            entries(fields, out);
        }
        Datum::Date(ms) => {
            out.put(b"W");
            out.put(&ms.to_bits().to_le_bytes());
        }
        Datum::File { path, id } => {
            out.put(b"P");
            text(path, out);
            match id {
                FileId::Content { size, digest } => {
                    out.put(b"C");
                    out.put(&size.to_le_bytes());
                    out.put(digest);
                }
                FileId::Timestamp { size, mtime_ns } => {
                    out.put(b"Z");
                    out.put(&size.to_le_bytes());
                    out.put(&mtime_ns.to_le_bytes());
                }
                FileId::PathOnly => out.put(b"-"),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(d: Datum) -> String {
        d.key().hex()
    }

    #[test]
    fn map_order_does_not_matter_and_types_do() {
        let a = Datum::Map(vec![("a".into(), Datum::Int(1)), ("b".into(), Datum::Int(2))]);
        let b = Datum::Map(vec![("b".into(), Datum::Int(2)), ("a".into(), Datum::Int(1))]);
        assert_eq!(key(a.clone()), key(b));
        assert_ne!(key(Datum::Int(1)), key(Datum::Float(1.0)));
        assert_ne!(key(Datum::Str("1".into())), key(Datum::Int(1)));
        assert_ne!(key(Datum::Null), key(Datum::Undefined));
        assert_ne!(key(Datum::List(vec![])), key(Datum::Tuple(vec![])));
    }

    #[test]
    fn floats_by_bits_never_collide_when_close() {
        assert_ne!(key(Datum::Float(1e-11)), key(Datum::Float(0.0)));
        assert_ne!(key(Datum::Float(0.1 + 0.2)), key(Datum::Float(0.3)));
        assert_eq!(key(Datum::Float(f64::NAN)), key(Datum::Float(-f64::NAN)));
    }

    #[test]
    fn nesting_is_unambiguous() {
        let ab = Datum::List(vec![Datum::Str("ab".into())]);
        let a_b = Datum::List(vec![Datum::Str("a".into()), Datum::Str("b".into())]);
        assert_ne!(key(ab), key(a_b));
    }
}
