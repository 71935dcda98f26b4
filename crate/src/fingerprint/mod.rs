//! Fingerprints: the stable sha256 cache key of a call.
//!
//! A key must change whenever the result could, and never otherwise, on every
//! target. So values are not hashed through any language's printer or pickler
//! but through one canonical, typed encoding (`docs/fingerprint.md`): a tag per
//! type, lengths before contents, map keys sorted, floats by their exact bits
//! (nipype's 10-decimal floats make `1e-11` and `0.0` collide; we don't), byte
//! buffers by their dtype, length and sha256. The encoding's version opens every
//! key, so a future change of encoding can never produce a wrong hit.
//!
//! [`Datum`] is what gets encoded: JSON-like data plus byte buffers, dates,
//! class instances and files. Byte buffers and files enter as their digest, so a
//! host may compute that digest with whatever sha256 is fastest there (Node's
//! native one for large buffers) and still produce the same key.

pub(crate) mod encode;
pub(crate) mod files;
mod interface;

pub use encode::encode;
#[cfg(not(target_arch = "wasm32"))]
pub use files::RealFileHasher;
pub use files::{FileHasher, HashMethod};
pub use interface::{interface_key, InterfaceKey};

use sha2::{Digest, Sha256};
use std::fmt;

/// The version of the encoding; part of every key.
pub const FORMAT_VERSION: u32 = 1;

/// A value to fingerprint.
#[derive(Debug, Clone, PartialEq)]
pub enum Datum {
    Null,
    /// JavaScript's `undefined`, kept apart from `null`.
    Undefined,
    Bool(bool),
    Int(i64),
    /// An integer beyond 64 bits, as its decimal digits.
    BigInt(String),
    Float(f64),
    Str(String),
    /// A byte buffer by its element type (`uint8`, `float64`, `arraybuffer`…),
    /// length in bytes and sha256.
    Bytes {
        dtype: String,
        len: u64,
        digest: [u8; 32],
    },
    List(Vec<Datum>),
    /// A Python tuple (from spec values); JS has none.
    Tuple(Vec<Datum>),
    /// String-keyed map; encoded with keys sorted, so insertion order never matters.
    Map(Vec<(String, Datum)>),
    /// An instance of a named class: its class name and fields.
    Object {
        class: String,
        fields: Vec<(String, Datum)>,
    },
    /// A point in time, milliseconds since the epoch.
    Date(f64),
    /// A file named by an input: its path and how its content was identified.
    File {
        path: String,
        id: FileId,
    },
}

/// How a file's content entered a key.
#[derive(Debug, Clone, PartialEq)]
pub enum FileId {
    /// By content: size and sha256.
    Content { size: u64, digest: [u8; 32] },
    /// By size and modification time (nanoseconds since the epoch).
    Timestamp { size: u64, mtime_ns: i128 },
    /// Not hashed (`hash_files: false`, generated names, or no filesystem).
    PathOnly,
}

impl Datum {
    /// A byte buffer, digested here with the crate's sha256.
    pub fn bytes(dtype: &str, data: &[u8]) -> Datum {
        Datum::Bytes { dtype: dtype.to_string(), len: data.len() as u64, digest: sha256(data) }
    }

    /// JSON data as a datum (numbers: integers as `Int`, the rest as `Float`).
    pub fn from_json(v: &serde_json::Value) -> Datum {
        use serde_json::Value as J;
        match v {
            J::Null => Datum::Null,
            J::Bool(b) => Datum::Bool(*b),
            J::Number(n) => match n.as_i64() {
                Some(i) => Datum::Int(i),
                None => match n.as_u64() {
                    Some(u) => Datum::BigInt(u.to_string()),
                    None => Datum::Float(n.as_f64().unwrap_or(f64::NAN)),
                },
            },
            J::String(s) => Datum::Str(s.clone()),
            J::Array(a) => Datum::List(a.iter().map(Datum::from_json).collect()),
            J::Object(o) => Datum::Map(o.iter().map(|(k, v)| (k.clone(), Datum::from_json(v))).collect()),
        }
    }

    /// A spec value (Python-like) as a datum.
    pub fn from_value(v: &crate::Value) -> Datum {
        use crate::Value as V;
        match v {
            V::None => Datum::Null,
            V::Bool(b) => Datum::Bool(*b),
            V::Int(i) => Datum::Int(*i),
            V::Float(f) => Datum::Float(*f),
            V::Str(s) => Datum::Str(s.clone()),
            V::List(items) => Datum::List(items.iter().map(Datum::from_value).collect()),
            V::Tuple(items) => Datum::Tuple(items.iter().map(Datum::from_value).collect()),
            V::Dict(pairs) => Datum::Map(pairs.iter().map(|(k, v)| (k.clone(), Datum::from_value(v))).collect()),
        }
    }

    /// The key of this datum alone (its encoding, versioned, hashed).
    pub fn key(&self) -> Key {
        encode::key_of(self)
    }
}

/// A sha256 cache key.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key(pub [u8; 32]);

impl std::hash::Hash for Key {
    /// A key is already uniformly random: eight of its bytes are a fine hash.
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        state.write_u64(u64::from_le_bytes(self.0[..8].try_into().expect("8 bytes")));
    }
}

/// A hasher for maps keyed by [`Key`]: takes the key's own bits instead of
/// hashing them again.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(*b);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A map keyed by cache keys.
pub type KeyMap<V> = std::collections::HashMap<Key, V, std::hash::BuildHasherDefault<KeyHasher>>;

impl Key {
    pub fn hex(&self) -> String {
        hex(&self.0)
    }

    /// Parses 64 hex digits (of either case; nothing else, no sign).
    pub fn from_hex(s: &str) -> Option<Key> {
        let digits: &[u8; 64] = s.as_bytes().try_into().ok()?;
        let mut out = [0u8; 32];
        // Branch-free: a digit's value has its high bits clear, a non-digit
        // (0xff) sets them, and one test at the end sees any (a reduction
        // parses the keys of tens of thousands of markers).
        let mut bad = 0u8;
        for (byte, pair) in out.iter_mut().zip(digits.chunks_exact(2)) {
            let (high, low) = (HEX_VALUE[pair[0] as usize], HEX_VALUE[pair[1] as usize]);
            bad |= high | low;
            *byte = high << 4 | low;
        }
        (bad < 16).then_some(Key(out))
    }
}

/// Each byte's value as a hex digit of either case, 0xff if it is none.
static HEX_VALUE: [u8; 256] = {
    let mut table = [0xff; 256];
    let mut i = 0;
    while i < 16 {
        table[b"0123456789abcdef"[i] as usize] = i as u8;
        table[b"0123456789ABCDEF"[i] as usize] = i as u8;
        i += 1;
    }
    table
};

/// The number written by up to 16 hex digits (either case; nothing else, no
/// sign: `from_str_radix` would take a leading `+`), branch-free as
/// [`Key::from_hex`].
pub fn hex_u64(digits: &[u8]) -> Option<u64> {
    if digits.len() > 16 {
        return None;
    }
    let (mut n, mut bad) = (0u64, 0u8);
    for &c in digits {
        let v = HEX_VALUE[c as usize];
        bad |= v;
        n = n << 4 | u64::from(v & 15);
    }
    (bad < 16).then_some(n)
}

impl fmt::Display for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Key({})", self.hex())
    }
}

/// sha256 of `data`.
pub fn sha256(data: &[u8]) -> [u8; 32] {
    Sha256::digest(data).into()
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    push_hex(&mut s, bytes);
    s
}

/// Appends the lower-case hex of `bytes` to `s`: 32 bytes at a time
/// through a buffer, not a `char` at a time (a reduction writes the keys of
/// tens of thousands of entries).
pub fn push_hex(s: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    s.reserve(bytes.len() * 2);
    for chunk in bytes.chunks(32) {
        let mut buf = [0u8; 64];
        for (pair, b) in buf.chunks_exact_mut(2).zip(chunk) {
            pair[0] = DIGITS[(b >> 4) as usize];
            pair[1] = DIGITS[(b & 15) as usize];
        }
        s.push_str(std::str::from_utf8(&buf[..chunk.len() * 2]).expect("hex digits are ASCII"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_goes_there_and_back_in_either_case() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        let text = hex(&bytes);
        assert_eq!(&text[..8], "00010203");
        assert_eq!(&text[text.len() - 4..], "feff");
        for chunk in bytes.chunks(32) {
            let key = Key(chunk.try_into().unwrap());
            assert_eq!(Key::from_hex(&key.hex()), Some(key));
            assert_eq!(Key::from_hex(&key.hex().to_uppercase()), Some(key));
        }
        // Lengths that are not a multiple of the buffer's.
        assert_eq!(hex(&bytes[..33]), text[..66]);
        assert_eq!(hex(&[]), "");
    }

    #[test]
    fn anything_but_64_hex_digits_is_no_key() {
        let good = "0123456789abcdef".repeat(4);
        assert!(Key::from_hex(&good).is_some());
        assert_eq!(Key::from_hex(&good[..63]), None);
        assert_eq!(Key::from_hex(&format!("{good}0")), None);
        for bad in ["g", "+", " ", "\0", "G", "/", ":", "@", "`"] {
            for at in [0, 1, 31, 63] {
                let mut s = good.clone();
                s.replace_range(at..at + 1, bad);
                assert_eq!(Key::from_hex(&s), None, "{s:?}");
            }
        }
        // 64 bytes that are not 64 characters.
        assert_eq!(Key::from_hex(&format!("é{}", &good[2..])), None);
        assert_eq!(hex_u64(b"c27a236f1974d000"), Some(0xc27a_236f_1974_d000));
        assert_eq!(hex_u64(b"FFFFFFFFFFFFFFFF"), Some(u64::MAX));
        assert_eq!(hex_u64(b""), Some(0));
        assert_eq!(hex_u64(b"c27a236f1974d0000"), None);
        assert_eq!(hex_u64(b"c27a236f1974d00g"), None);
        assert_eq!(hex_u64(b"+27a236f1974d000"), None);
        for c in 0..=255u8 {
            assert_eq!(hex_u64(&[c]), (c as char).to_digit(16).map(u64::from), "{c}");
        }
    }
}
