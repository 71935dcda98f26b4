//! Input values, and how Python would print them.
//!
//! nipype builds command lines with Python's `str()` and `%` operator, so a value
//! must remember what Python would see: an integer is not a float (`1` vs `1.0`),
//! a tuple is not a list (a tuple fills several `%` placeholders, a list is one
//! object), a dict keeps its insertion order. [`Value`] is that model; JSON input
//! becomes a `Value` through the input's type (see `typecheck`), never directly, so
//! `Float` inputs hold floats even when the JSON said `1`.
//!
//! `str()`/`repr()` here follow CPython: floats print their shortest round-trip
//! form with an exponent below 1e-4 or from 1e16 on, strings inside containers are
//! quoted as `repr` quotes them.

use std::fmt::Write;

/// A Python-like value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    None,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Tuple(Vec<Value>),
    /// Insertion-ordered, as Python's dict.
    Dict(Vec<(String, Value)>),
}

impl Value {
    /// Python's `str(value)`.
    pub fn py_str(&self) -> String {
        match self {
            Value::Str(s) => s.clone(),
            _ => {
                let mut out = String::new();
                self.write_repr(&mut out);
                out
            }
        }
    }

    /// Python's `repr(value)`.
    pub fn py_repr(&self) -> String {
        let mut out = String::new();
        self.write_repr(&mut out);
        out
    }

    /// Appends `str(value)` without an intermediate string.
    pub fn write_str(&self, out: &mut String) {
        match self {
            Value::Str(s) => out.push_str(s),
            _ => self.write_repr(out),
        }
    }

    fn write_repr(&self, out: &mut String) {
        match self {
            Value::None => out.push_str("None"),
            Value::Bool(true) => out.push_str("True"),
            Value::Bool(false) => out.push_str("False"),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Float(f) => write_float_repr(*f, out),
            Value::Str(s) => write_str_repr(s, out),
            Value::List(items) => write_seq(items, '[', ']', false, out),
            Value::Tuple(items) => write_seq(items, '(', ')', true, out),
            Value::Dict(pairs) => {
                out.push('{');
                for (i, (k, v)) in pairs.iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_str_repr(k, out);
                    out.push_str(": ");
                    v.write_repr(out);
                }
                out.push('}');
            }
        }
    }

    /// Python truthiness, used where nipype writes `if value:`.
    pub fn truthy(&self) -> bool {
        match self {
            Value::None => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(v) | Value::Tuple(v) => !v.is_empty(),
            Value::Dict(v) => !v.is_empty(),
        }
    }

    /// Python's `==` between values (`1 == 1.0 == True`), as `Enum` membership uses it.
    pub fn py_eq(&self, other: &Value) -> bool {
        match (self.as_number(), other.as_number()) {
            (Some(a), Some(b)) => return a == b,
            (Some(_), None) | (None, Some(_)) => return false,
            _ => {}
        }
        match (self, other) {
            (Value::None, Value::None) => true,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) | (Value::Tuple(a), Value::Tuple(b)) => {
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.py_eq(y))
            }
            (Value::Dict(a), Value::Dict(b)) => {
                a.len() == b.len() && a.iter().all(|(k, v)| b.iter().any(|(k2, v2)| k == k2 && v.py_eq(v2)))
            }
            _ => false,
        }
    }

    /// The numeric value of a bool, int or float (Python's numeric tower).
    pub fn as_number(&self) -> Option<Number> {
        match self {
            Value::Bool(b) => Some(Number::Int(*b as i64)),
            Value::Int(i) => Some(Number::Int(*i)),
            Value::Float(f) => Some(Number::Float(*f)),
            _ => None,
        }
    }

    /// Python's type name, for error messages.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::None => "NoneType",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float",
            Value::Str(_) => "str",
            Value::List(_) => "list",
            Value::Tuple(_) => "tuple",
            Value::Dict(_) => "dict",
        }
    }

    /// Builds a value from JSON as Python's `json.loads` would (arrays are lists).
    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::None,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => json_number(n),
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => {
                Value::Dict(o.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect())
            }
        }
    }

    /// The value as JSON (tuples become arrays, non-finite floats become strings).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::None => J::Null,
            Value::Bool(b) => J::Bool(*b),
            Value::Int(i) => J::from(*i),
            Value::Float(f) => {
                serde_json::Number::from_f64(*f).map(J::Number).unwrap_or_else(|| J::String(self.py_repr()))
            }
            Value::Str(s) => J::String(s.clone()),
            Value::List(v) | Value::Tuple(v) => J::Array(v.iter().map(Value::to_json).collect()),
            Value::Dict(p) => J::Object(p.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }
}

/// A JSON number as Python reads it: integers stay integers when they fit.
pub fn json_number(n: &serde_json::Number) -> Value {
    if let Some(i) = n.as_i64() {
        Value::Int(i)
    } else {
        Value::Float(n.as_f64().unwrap_or(f64::NAN))
    }
}

/// A number of Python's numeric tower (bools count as ints); `1 == 1.0`.
#[derive(Debug, Clone, Copy)]
pub enum Number {
    Int(i64),
    Float(f64),
}

impl Number {
    pub fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Float(f) => f,
        }
    }
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.partial_cmp(other) == Some(std::cmp::Ordering::Equal)
    }
}

impl PartialOrd for Number {
    fn partial_cmp(&self, other: &Number) -> Option<std::cmp::Ordering> {
        match (self, other) {
            (Number::Int(a), Number::Int(b)) => a.partial_cmp(b),
            _ => self.as_f64().partial_cmp(&other.as_f64()),
        }
    }
}

fn write_seq(items: &[Value], open: char, close: char, tuple: bool, out: &mut String) {
    out.push(open);
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        v.write_repr(out);
    }
    if tuple && items.len() == 1 {
        out.push(',');
    }
    out.push(close);
}

/// A stack buffer for the digits of one float (no allocation on the hot path).
#[derive(Default)]
struct DigitBuf {
    bytes: [u8; 32],
    len: usize,
}

impl std::fmt::Write for DigitBuf {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        self.bytes.get_mut(self.len..end).ok_or(std::fmt::Error)?.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl DigitBuf {
    /// The shortest decimal digits that round-trip `f` (finite, non-zero), and the
    /// exponent of the first digit: `f = d1.d2… × 10^exp`.
    fn shortest(&mut self, f: f64) -> (&str, i32) {
        // Rust's `{:e}` prints the shortest round-trip digits, as CPython's repr does.
        let _ = write!(self, "{:e}", f.abs());
        let s = std::str::from_utf8(&self.bytes[..self.len]).expect("ASCII");
        let (mant, exp) = s.split_once('e').expect("`{:e}` always has an exponent");
        let exp = exp.parse().expect("exponent is an integer");
        // Drop the '.' by moving the first digit right by one: "1.25" -> "125".
        let mant_len = mant.len();
        if mant_len > 1 {
            self.bytes[1] = self.bytes[0];
            (std::str::from_utf8(&self.bytes[1..mant_len]).expect("ASCII"), exp)
        } else {
            (std::str::from_utf8(&self.bytes[..1]).expect("ASCII"), exp)
        }
    }
}

/// CPython's `repr(float)`.
pub fn write_float_repr(f: f64, out: &mut String) {
    if f.is_nan() {
        out.push_str("nan");
        return;
    }
    if f.is_infinite() {
        out.push_str(if f < 0.0 { "-inf" } else { "inf" });
        return;
    }
    if f.is_sign_negative() {
        out.push('-');
    }
    if f == 0.0 {
        out.push_str("0.0");
        return;
    }
    let mut buf = DigitBuf::default();
    let (digits, exp) = buf.shortest(f);
    if !(-4..16).contains(&exp) {
        out.push_str(&digits[..1]);
        if digits.len() > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let _ = write!(out, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
    } else if exp < 0 {
        out.push_str("0.");
        for _ in 0..(-exp - 1) {
            out.push('0');
        }
        out.push_str(digits);
    } else {
        let int_len = exp as usize + 1;
        if digits.len() <= int_len {
            out.push_str(digits);
            for _ in digits.len()..int_len {
                out.push('0');
            }
            out.push_str(".0");
        } else {
            out.push_str(&digits[..int_len]);
            out.push('.');
            out.push_str(&digits[int_len..]);
        }
    }
}

/// CPython's `repr(str)`: single quotes unless the text holds `'` and no `"`.
pub fn write_str_repr(s: &str, out: &mut String) {
    let quote = if s.contains('\'') && !s.contains('"') { '"' } else { '\'' };
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if is_printable(c) => out.push(c),
            c => {
                let n = c as u32;
                let _ = if n < 0x100 {
                    write!(out, "\\x{n:02x}")
                } else if n < 0x10000 {
                    write!(out, "\\u{n:04x}")
                } else {
                    write!(out, "\\U{n:08x}")
                };
            }
        }
    }
    out.push(quote);
}

/// An approximation of Python's `str.isprintable` for one character: control
/// characters, separators other than the space, format characters and private-use
/// code points are escaped. (Unassigned code points would need Unicode tables.)
fn is_printable(c: char) -> bool {
    let n = c as u32;
    !matches!(n,
        0x00..=0x1f | 0x7f..=0xa0 | 0xad | 0x1680 | 0x180e | 0x2000..=0x200f | 0x2028..=0x202f
        | 0x205f..=0x2064 | 0x2066..=0x206f | 0x3000 | 0xd800..=0xf8ff | 0xfeff | 0xfff9..=0xfffb
        | 0xe0001 | 0xe0020..=0xe007f | 0xf0000..=0x10ffff)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(f: f64) -> String {
        Value::Float(f).py_str()
    }

    #[test]
    fn floats_print_as_python_repr() {
        assert_eq!(r(0.1), "0.1");
        assert_eq!(r(1e-5), "1e-05");
        assert_eq!(r(1e16), "1e+16");
        assert_eq!(r(1.0), "1.0");
        assert_eq!(r(f64::INFINITY), "inf");
        assert_eq!(r(-0.0), "-0.0");
        assert_eq!(r(0.0001), "0.0001");
        assert_eq!(r(2.5e-7), "2.5e-07");
        assert_eq!(r(123456789.0), "123456789.0");
        assert_eq!(r(9999999999999998.0), "9999999999999998.0");
        assert_eq!(r(1.2345678901234567e17), "1.2345678901234566e+17");
        assert_eq!(r(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(r(-12.75), "-12.75");
        assert_eq!(r(1e300), "1e+300");
        assert_eq!(r(5e-324), "5e-324");
    }

    #[test]
    fn containers_print_items_with_repr() {
        let v = Value::List(vec![Value::Int(1), Value::Str("a'b".into()), Value::Float(2.0), Value::Bool(true)]);
        assert_eq!(v.py_str(), "[1, \"a'b\", 2.0, True]");
        assert_eq!(Value::Tuple(vec![Value::Int(1)]).py_str(), "(1,)");
        let d = Value::Dict(vec![("k".into(), Value::Str("v\n".into()))]);
        assert_eq!(d.py_str(), "{'k': 'v\\n'}");
        assert_eq!(Value::Str("a'\"".into()).py_repr(), "'a\\'\"'");
    }

    #[test]
    fn equality_follows_python() {
        assert!(Value::Int(1).py_eq(&Value::Float(1.0)));
        assert!(Value::Bool(true).py_eq(&Value::Int(1)));
        assert!(!Value::Str("1".into()).py_eq(&Value::Int(1)));
    }
}
