//! The canonical encoding of a [`Datum`] (specified in `docs/fingerprint.md`).
//!
//! Every node is one tag byte and a body; lengths and integers are little-endian
//! fixed width, so no two different trees share an encoding. Map entries are
//! sorted by the UTF-8 bytes of their keys.

use super::{Datum, FileId, FORMAT_VERSION};

/// The magic that opens every encoding, before the version.
const MAGIC: &[u8] = b"toolmemo-fp\0";

/// The full, versioned encoding of `d`: what a key is the sha256 of.
pub fn encode(d: &Datum) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    node(d, &mut out);
    out
}

fn len(n: usize, out: &mut Vec<u8>) {
    out.extend_from_slice(&(n as u64).to_le_bytes());
}

fn text(s: &str, out: &mut Vec<u8>) {
    len(s.len(), out);
    out.extend_from_slice(s.as_bytes());
}

fn entries(pairs: &[(String, Datum)], out: &mut Vec<u8>) {
    let mut sorted: Vec<&(String, Datum)> = pairs.iter().collect();
    sorted.sort_by(|a, b| a.0.as_bytes().cmp(b.0.as_bytes()));
    len(sorted.len(), out);
    for (k, v) in sorted {
        text(k, out);
        node(v, out);
    }
}

fn node(d: &Datum, out: &mut Vec<u8>) {
    match d {
        Datum::Null => out.push(b'N'),
        Datum::Undefined => out.push(b'V'),
        Datum::Bool(false) => out.push(b'F'),
        Datum::Bool(true) => out.push(b'T'),
        Datum::Int(i) => {
            out.push(b'I');
            out.extend_from_slice(&i.to_le_bytes());
        }
        Datum::BigInt(digits) => {
            out.push(b'J');
            text(digits, out);
        }
        Datum::Float(f) => {
            out.push(b'D');
            // One NaN: payload bits carry no meaning for a result.
            let bits = if f.is_nan() { f64::NAN.to_bits() } else { f.to_bits() };
            out.extend_from_slice(&bits.to_le_bytes());
        }
        Datum::Str(s) => {
            out.push(b'S');
            text(s, out);
        }
        Datum::Bytes { dtype, len: n, digest } => {
            out.push(b'B');
            text(dtype, out);
            out.extend_from_slice(&n.to_le_bytes());
            out.extend_from_slice(digest);
        }
        Datum::List(items) | Datum::Tuple(items) => {
            out.push(if matches!(d, Datum::List(_)) { b'L' } else { b'U' });
            len(items.len(), out);
            for item in items {
                node(item, out);
            }
        }
        Datum::Map(pairs) => {
            out.push(b'M');
            entries(pairs, out);
        }
        Datum::Object { class, fields } => {
            out.push(b'O');
            text(class, out);
            entries(fields, out);
        }
        Datum::Date(ms) => {
            out.push(b'W');
            out.extend_from_slice(&ms.to_bits().to_le_bytes());
        }
        Datum::File { path, id } => {
            out.push(b'P');
            text(path, out);
            match id {
                FileId::Content { size, digest } => {
                    out.push(b'C');
                    out.extend_from_slice(&size.to_le_bytes());
                    out.extend_from_slice(digest);
                }
                FileId::Timestamp { size, mtime_ns } => {
                    out.push(b'Z');
                    out.extend_from_slice(&size.to_le_bytes());
                    out.extend_from_slice(&mtime_ns.to_le_bytes());
                }
                FileId::PathOnly => out.push(b'-'),
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
