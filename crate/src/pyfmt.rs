//! Python's `%` operator on strings, exactly.
//!
//! nipype turns every input into command-line words with `argstr % value`, so
//! byte-for-byte agreement with nipype means agreeing with CPython's
//! `PyUnicode_Format`: which arguments a tuple fills, that a list or dict on the
//! right with no placeholder is silently ignored while a string raises, how `%d`
//! truncates floats, how `0`, `-`, `+`, ` ` and `#` interact with widths and
//! precisions, how `%g` picks its notation. A format is parsed once into a
//! [`Template`] (argstrs are reused for every render) and applied many times.
//!
//! Float digits come from Rust's formatter, which like CPython's dtoa is
//! correctly rounded; everything around the digits is CPython's logic.

use crate::value::Value;
use std::fmt::Write;

/// Why a format could not be applied; the message is Python's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FormatError(pub String);

impl std::fmt::Display for FormatError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

type Res<T> = Result<T, FormatError>;

fn err<T>(msg: impl Into<String>) -> Res<T> {
    Err(FormatError(msg.into()))
}

const F_LJUST: u8 = 1;
const F_SIGN: u8 = 2;
const F_BLANK: u8 = 4;
const F_ALT: u8 = 8;
const F_ZERO: u8 = 16;

#[derive(Debug, Clone, PartialEq)]
enum Count {
    None,
    Fixed(usize),
    /// `*`: taken from the next argument.
    Star,
}

#[derive(Debug, Clone, PartialEq)]
struct Conv {
    key: Option<String>,
    flags: u8,
    width: Count,
    prec: Count,
    ch: char,
}

#[derive(Debug, Clone, PartialEq)]
enum Piece {
    Lit(String),
    Conv(Conv),
}

/// A parsed `%` format, ready to be applied to values.
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pieces: Vec<Piece>,
    /// A syntax error is raised only when the format is used, as in Python.
    broken: Option<FormatError>,
}

impl Template {
    pub fn parse(fmt: &str) -> Template {
        let mut pieces = Vec::new();
        let mut lit = String::new();
        let chars: Vec<char> = fmt.chars().collect();
        let mut i = 0;
        let broken = loop {
            if i >= chars.len() {
                break None;
            }
            let c = chars[i];
            i += 1;
            if c != '%' {
                lit.push(c);
                continue;
            }
            if chars.get(i) == Some(&'%') {
                lit.push('%');
                i += 1;
                continue;
            }
            if !lit.is_empty() {
                pieces.push(Piece::Lit(std::mem::take(&mut lit)));
            }
            match parse_conv(&chars, &mut i) {
                Ok(conv) => pieces.push(Piece::Conv(conv)),
                Err(e) => break Some(e),
            }
        };
        if !lit.is_empty() {
            pieces.push(Piece::Lit(lit));
        }
        Template { pieces, broken }
    }

    /// `self % value`: a tuple supplies one argument per placeholder, anything else
    /// is a single argument.
    pub fn apply(&self, value: &Value) -> Res<String> {
        let mut out = String::new();
        self.apply_into(value, &mut out)?;
        Ok(out)
    }

    /// Like [`Template::apply`], appending to `out`.
    pub fn apply_into(&self, value: &Value, out: &mut String) -> Res<()> {
        self.apply_inner(value, out, None)
    }

    /// Like [`Template::apply_into`], also recording in `marks` the byte range of
    /// `out` each placeholder produced: what came from values, as opposed to the
    /// format's own text (which a command line splits into words).
    pub fn apply_marked(&self, value: &Value, out: &mut String, marks: &mut Vec<std::ops::Range<usize>>) -> Res<()> {
        self.apply_inner(value, out, Some(marks))
    }

    fn apply_inner(
        &self,
        value: &Value,
        out: &mut String,
        mut marks: Option<&mut Vec<std::ops::Range<usize>>>,
    ) -> Res<()> {
        let args: &[Value] = match value {
            Value::Tuple(items) => items,
            other => std::slice::from_ref(other),
        };
        // Python treats any mapping (a dict, but also a list) on the right as a
        // possible `%(key)s` source and then forgives unused arguments.
        let mapping = matches!(value, Value::Dict(_) | Value::List(_));
        let mut next = 0;
        for piece in &self.pieces {
            match piece {
                Piece::Lit(s) => out.push_str(s),
                Piece::Conv(conv) => {
                    let mut take = || -> Res<&Value> {
                        let v = args
                            .get(next)
                            .ok_or_else(|| FormatError("not enough arguments for format string".into()))?;
                        next += 1;
                        Ok(v)
                    };
                    let width = match conv.width {
                        Count::None => None,
                        Count::Fixed(n) => Some(i64::try_from(n).unwrap_or(i64::MAX)),
                        Count::Star => Some(star(take()?)?),
                    };
                    let prec = match conv.prec {
                        Count::None => None,
                        Count::Fixed(n) => Some(n),
                        Count::Star => Some(star(take()?)?.max(0) as usize),
                    };
                    if width.is_some_and(|w| w.unsigned_abs() > MAX_COUNT as u64) {
                        return err(format!("width too big (toolmemo allows at most {MAX_COUNT})"));
                    }
                    if prec.is_some_and(|p| p > MAX_COUNT) {
                        return err(format!("precision too big (toolmemo allows at most {MAX_COUNT})"));
                    }
                    let arg = match &conv.key {
                        Some(key) => lookup(value, key)?,
                        None => take()?,
                    };
                    let start = out.len();
                    let (before, after) = convert(conv, width, prec, arg, out)?;
                    if let Some(m) = marks.as_deref_mut() {
                        m.push(start + before..out.len() - after);
                    }
                }
            }
        }
        if let Some(e) = &self.broken {
            return Err(e.clone());
        }
        if next < args.len() && !mapping {
            return err("not all arguments converted during string formatting");
        }
        Ok(())
    }

    /// How many positional arguments the format consumes (placeholders and `*`s).
    pub fn arity(&self) -> usize {
        self.pieces
            .iter()
            .map(|p| match p {
                Piece::Conv(c) if c.key.is_none() => {
                    1 + (c.width == Count::Star) as usize + (c.prec == Count::Star) as usize
                }
                _ => 0,
            })
            .sum()
    }
}

/// The largest width or precision honoured. Python would try to build the
/// string and raise `MemoryError` (or "width too big" past `ssize_t`); a
/// megabyte-wide field can reach no command line (Linux caps one argument at
/// 128 KiB), and a larger one could exhaust memory, so it is an error here.
pub const MAX_COUNT: usize = 1 << 20;

/// Python's `fmt % value` in one call (parses every time; prefer [`Template`]).
pub fn format(fmt: &str, value: &Value) -> Res<String> {
    Template::parse(fmt).apply(value)
}

/// One placeholder applied to its argument; returns the spaces of padding written
/// before and after the value.
fn convert(conv: &Conv, width: Option<i64>, prec: Option<usize>, arg: &Value, out: &mut String) -> Res<(usize, usize)> {
    // The common `%s`/`%d` with no flags, width or precision: straight into `out`.
    if conv.flags == 0 && width.is_none() && prec.is_none() {
        match (conv.ch, arg) {
            ('s', v) => {
                v.write_str(out);
                return Ok((0, 0));
            }
            ('d' | 'i' | 'u', Value::Int(i)) => {
                let _ = write!(out, "{i}");
                return Ok((0, 0));
            }
            _ => {}
        }
    }
    let mut flags = conv.flags;
    let mut width = width.unwrap_or(-1);
    if width < 0 && width != -1 {
        flags |= F_LJUST;
        width = -width;
    }
    format_one(conv.ch, flags, width, prec, arg, out)
}

fn star(v: &Value) -> Res<i64> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Bool(b) => Ok(*b as i64),
        _ => err("* wants int"),
    }
}

fn lookup<'a>(value: &'a Value, key: &str) -> Res<&'a Value> {
    match value {
        Value::Dict(pairs) => pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .ok_or_else(|| FormatError(format!("KeyError: '{key}'"))),
        _ => err("format requires a mapping"),
    }
}

fn parse_conv(chars: &[char], i: &mut usize) -> Res<Conv> {
    let mut key = None;
    if chars.get(*i) == Some(&'(') {
        // Nested parentheses count, as in CPython.
        let mut depth = 1;
        let key_start = *i + 1;
        *i += 1;
        while *i < chars.len() && depth > 0 {
            match chars[*i] {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            *i += 1;
        }
        if depth > 0 {
            return err("incomplete format key");
        }
        key = Some(chars[key_start..*i - 1].iter().collect());
    }
    let mut flags = 0;
    while let Some(c) = chars.get(*i) {
        flags |= match c {
            '-' => F_LJUST,
            '+' => F_SIGN,
            ' ' => F_BLANK,
            '#' => F_ALT,
            '0' => F_ZERO,
            _ => break,
        };
        *i += 1;
    }
    let width = parse_count(chars, i);
    let prec = if chars.get(*i) == Some(&'.') {
        *i += 1;
        match parse_count(chars, i) {
            Count::None => Count::Fixed(0),
            c => c,
        }
    } else {
        Count::None
    };
    while matches!(chars.get(*i), Some('h' | 'l' | 'L')) {
        *i += 1;
    }
    let Some(&ch) = chars.get(*i) else {
        return err("incomplete format");
    };
    *i += 1;
    if !"diuoxXeEfFgGcrsa".contains(ch) {
        return err(format!("unsupported format character '{}' ({:#x}) at index {}", ch, ch as u32, *i - 1));
    }
    Ok(Conv { key, flags, width, prec, ch })
}

fn parse_count(chars: &[char], i: &mut usize) -> Count {
    if chars.get(*i) == Some(&'*') {
        *i += 1;
        return Count::Star;
    }
    let mut n: Option<usize> = None;
    while let Some(d) = chars.get(*i).and_then(|c| c.to_digit(10)) {
        n = Some(n.unwrap_or(0).saturating_mul(10).saturating_add(d as usize));
        *i += 1;
    }
    n.map_or(Count::None, Count::Fixed)
}

/// Formats one argument and writes it with CPython's sign/fill/width logic.
fn format_one(
    ch: char,
    flags: u8,
    width: i64,
    prec: Option<usize>,
    arg: &Value,
    out: &mut String,
) -> Res<(usize, usize)> {
    let (body, numeric) = match ch {
        's' | 'r' | 'a' => {
            let mut s = match ch {
                's' => arg.py_str(),
                'r' => arg.py_repr(),
                _ => ascii(&arg.py_repr()),
            };
            if let Some(p) = prec {
                if let Some((idx, _)) = s.char_indices().nth(p) {
                    s.truncate(idx);
                }
            }
            (s, false)
        }
        'c' => (format_char(arg)?, false),
        'd' | 'i' | 'u' => (format_int(&int_of_real(arg, ch)?, 10, flags, prec, ch), true),
        'o' | 'x' | 'X' => {
            let n = match arg {
                Value::Int(i) => IntText::from_i64(*i),
                Value::Bool(b) => IntText::from_i64(*b as i64),
                other => return err(format!("%{ch} format: an integer is required, not {}", other.type_name())),
            };
            let radix = if ch == 'o' { 8 } else { 16 };
            (format_int(&n, radix, flags, prec, ch), true)
        }
        _ => {
            let f = match arg.as_number() {
                Some(n) => n.as_f64(),
                None => return err(format!("must be real number, not {}", arg.type_name())),
            };
            (format_float(f, ch, prec.unwrap_or(6), flags & F_ALT != 0), true)
        }
    };
    Ok(write_padded(&body, numeric, ch, flags, width, out))
}

fn ascii(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let n = c as u32;
        let _ = match n {
            0..=0x7f => {
                out.push(c);
                Ok(())
            }
            0x80..=0xff => write!(out, "\\x{n:02x}"),
            0x100..=0xffff => write!(out, "\\u{n:04x}"),
            _ => write!(out, "\\U{n:08x}"),
        };
    }
    out
}

fn format_char(arg: &Value) -> Res<String> {
    match arg {
        Value::Str(s) if s.chars().count() == 1 => Ok(s.clone()),
        Value::Int(i) => match u32::try_from(*i).ok().filter(|n| *n < 0x110000) {
            Some(n) => Ok(char::from_u32(n).map(String::from).unwrap_or_else(|| "\u{fffd}".into())),
            None => err("%c arg not in range(0x110000)"),
        },
        Value::Bool(b) => Ok(char::from(*b as u8).to_string()),
        _ => err("%c requires int or char"),
    }
}

/// An integer as sign + decimal magnitude, wide enough for a truncated float.
struct IntText {
    negative: bool,
    /// Magnitude, when it fits in 128 bits; else its decimal digits.
    magnitude: Result<u128, String>,
}

impl IntText {
    fn from_i64(i: i64) -> IntText {
        IntText { negative: i < 0, magnitude: Ok(i.unsigned_abs() as u128) }
    }
}

/// `int(x)` for `%d`: ints and bools as they are, floats truncated.
fn int_of_real(arg: &Value, ch: char) -> Res<IntText> {
    match arg {
        Value::Int(i) => Ok(IntText::from_i64(*i)),
        Value::Bool(b) => Ok(IntText::from_i64(*b as i64)),
        Value::Float(f) if f.is_nan() => err("cannot convert float NaN to integer"),
        Value::Float(f) if f.is_infinite() => err("cannot convert float infinity to integer"),
        Value::Float(f) => {
            let t = f.trunc();
            let magnitude = if t.abs() < 1e38 { Ok(t.abs() as u128) } else { Err(format!("{:.0}", t.abs())) };
            Ok(IntText { negative: t < 0.0, magnitude })
        }
        other => err(format!("%{ch} format: a real number is required, not {}", other.type_name())),
    }
}

/// CPython's `_PyUnicode_FormatLong`: sign, `0x`/`0o` prefix under `#`, and the
/// precision as a minimum number of digits.
fn format_int(n: &IntText, radix: u32, flags: u8, prec: Option<usize>, ch: char) -> String {
    let digits = match (&n.magnitude, radix) {
        (Ok(m), 8) => format!("{m:o}"),
        (Ok(m), 16) if ch == 'X' => format!("{m:X}"),
        (Ok(m), 16) => format!("{m:x}"),
        (Ok(m), _) => m.to_string(),
        (Err(big), _) => big.clone(),
    };
    let mut s = String::with_capacity(digits.len() + 4);
    if n.negative && digits != "0" {
        s.push('-');
    }
    if flags & F_ALT != 0 && radix != 10 {
        s.push('0');
        s.push(ch);
    }
    for _ in digits.len()..prec.unwrap_or(0) {
        s.push('0');
    }
    s.push_str(&digits);
    s
}

/// CPython's `PyOS_double_to_string` for `%e`, `%f`, `%g` and upper-case variants.
fn format_float(f: f64, ch: char, prec: usize, alt: bool) -> String {
    let upper = ch.is_ascii_uppercase();
    let mut s = String::new();
    if f.is_sign_negative() && !f.is_nan() {
        s.push('-');
    }
    let a = f.abs();
    if !a.is_finite() {
        s.push_str(if a.is_nan() { "nan" } else { "inf" });
    } else {
        match ch.to_ascii_lowercase() {
            'f' => {
                // Rust's formatter takes at most 65535 digits (and panics past
                // that); a double's exact expansion ends within 1074 fractional
                // digits, so the rest are zeros, as Python writes them.
                let exact = prec.min(EXACT_DIGITS);
                let _ = write!(s, "{a:.exact$}");
                s.extend(std::iter::repeat_n('0', prec - exact));
                if alt && prec == 0 {
                    s.push('.');
                }
            }
            'e' => {
                let (digits, exp) = rounded_digits(a, prec + 1);
                push_exp_form(&mut s, &digits, exp, alt);
            }
            _ => {
                let p = prec.max(1);
                let (mut digits, exp) = rounded_digits(a, p);
                if !alt {
                    let keep = digits.trim_end_matches('0').len().max(1);
                    digits.truncate(keep);
                }
                if exp < -4 || exp >= p as i32 {
                    push_exp_form(&mut s, &digits, exp, alt);
                } else {
                    push_fixed_form(&mut s, &digits, exp, alt);
                }
            }
        }
    }
    if upper {
        s.make_ascii_uppercase();
    }
    s
}

/// `n` significant digits of `a` (finite, non-negative), correctly rounded, and
/// the decimal exponent of the first one.
fn rounded_digits(a: f64, n: usize) -> (String, i32) {
    if a == 0.0 {
        return ("0".repeat(n), 0);
    }
    // As in `format_float`: past EXACT_DIGITS significant digits only zeros follow.
    let s = format!("{:.*e}", n.min(EXACT_DIGITS) - 1, a);
    let (mant, exp) = s.split_once('e').expect("exponent");
    let mut digits: String = mant.chars().filter(|c| *c != '.').collect();
    digits.extend(std::iter::repeat_n('0', n - n.min(EXACT_DIGITS)));
    (digits, exp.parse().expect("integer exponent"))
}

/// More digits than any double's exact decimal expansion has (at most 767
/// significant and 1074 after the point): asking for more only adds zeros.
const EXACT_DIGITS: usize = 1100;

fn push_exp_form(s: &mut String, digits: &str, exp: i32, alt: bool) {
    s.push_str(&digits[..1]);
    if digits.len() > 1 || alt {
        s.push('.');
    }
    s.push_str(&digits[1..]);
    let _ = write!(s, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
}

fn push_fixed_form(s: &mut String, digits: &str, exp: i32, alt: bool) {
    if exp < 0 {
        s.push_str("0.");
        for _ in 0..(-exp - 1) {
            s.push('0');
        }
        s.push_str(digits);
        return;
    }
    let int_len = exp as usize + 1;
    if digits.len() <= int_len {
        s.push_str(digits);
        for _ in digits.len()..int_len {
            s.push('0');
        }
        if alt {
            s.push('.');
        }
    } else {
        s.push_str(&digits[..int_len]);
        s.push('.');
        s.push_str(&digits[int_len..]);
    }
}

/// CPython's `unicode_format_arg_output`: sign and `0x` prefix go before zero fill
/// and after space fill; left justification pads with spaces on the right.
///
/// Returns how many spaces it wrote before and after the value (padding and a
/// blank sign): formatting, not value, when a command line is split into words.
fn write_padded(body: &str, numeric: bool, ch: char, flags: u8, width: i64, out: &mut String) -> (usize, usize) {
    let zero = numeric && flags & F_ZERO != 0;
    let mut rest = body;
    let mut sign: Option<char> = None;
    if numeric {
        match rest.chars().next() {
            Some(c @ ('-' | '+')) => {
                sign = Some(c);
                rest = &rest[1..];
            }
            _ if flags & F_SIGN != 0 => sign = Some('+'),
            _ if flags & F_BLANK != 0 => sign = Some(' '),
            _ => {}
        }
    }
    let prefix = if numeric && flags & F_ALT != 0 && matches!(ch, 'x' | 'X' | 'o') {
        let p = &rest[..2];
        rest = &rest[2..];
        p
    } else {
        ""
    };
    let len = rest.chars().count() + sign.is_some() as usize + prefix.len();
    let pad = (width.max(0) as usize).saturating_sub(len);
    let ljust = flags & F_LJUST != 0;
    if zero {
        if let Some(c) = sign {
            out.push(c);
        }
        out.push_str(prefix);
        if !ljust {
            out.extend(std::iter::repeat_n('0', pad));
        }
    } else {
        if !ljust {
            out.extend(std::iter::repeat_n(' ', pad));
        }
        if let Some(c) = sign {
            out.push(c);
        }
        out.push_str(prefix);
    }
    out.push_str(rest);
    if ljust {
        out.extend(std::iter::repeat_n(' ', pad));
    }
    let blank = (sign == Some(' ')) as usize;
    match (zero, ljust) {
        (_, true) => (blank, pad),
        (true, false) => (blank, 0),
        (false, false) => (pad + blank, 0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn f(fmt: &str, v: Value) -> String {
        format(fmt, &v).unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn basic_conversions() {
        assert_eq!(f("-f %.2f", Value::Float(0.5)), "-f 0.50");
        assert_eq!(f("%d", Value::Float(3.99)), "3");
        assert_eq!(f("%d", Value::Float(-3.99)), "-3");
        assert_eq!(f("%s", Value::Float(1e-5)), "1e-05");
        assert_eq!(f("%g", Value::Float(123456789.0)), "1.23457e+08");
        assert_eq!(f("%x", Value::Int(255)), "ff");
        assert_eq!(f("%#X", Value::Int(-255)), "-0XFF");
        assert_eq!(f("100%%", Value::Int(1)), "ERR not all arguments converted during string formatting");
        assert_eq!(f("%05.3d", Value::Int(5)), "00005");
        assert_eq!(f("%-05d|", Value::Int(3)), "3    |");
        assert_eq!(f("%+05d", Value::Int(-3)), "-0003");
        assert_eq!(f("%05f", Value::Float(f64::INFINITY)), "00inf");
        assert_eq!(f("%#.0f", Value::Float(2.0)), "2.");
        assert_eq!(f("%#5.0e", Value::Float(3.0)), "3.e+00");
        assert_eq!(f("%.0g", Value::Float(0.5)), "0.5");
        assert_eq!(f("%.3s", Value::Float(1.23456)), "1.2");
    }

    #[test]
    fn tuples_fill_placeholders_and_lists_do_not() {
        let t = Value::Tuple(vec![Value::Int(1), Value::Str("a".into())]);
        assert_eq!(f("-lam %03d %s", t.clone()), "-lam 001 a");
        assert_eq!(f("%s", t), "ERR not all arguments converted during string formatting");
        assert_eq!(f("-x", Value::List(vec![Value::Int(1)])), "-x");
        assert_eq!(f("-x", Value::Str("a".into())), "ERR not all arguments converted during string formatting");
        assert_eq!(f("%s %s", Value::Str("a".into())), "ERR not enough arguments for format string");
    }

    #[test]
    fn errors_are_pythons() {
        assert_eq!(f("%x", Value::Float(3.0)), "ERR %x format: an integer is required, not float");
        assert_eq!(f("%d", Value::Str("a".into())), "ERR %d format: a real number is required, not str");
        assert_eq!(f("%", Value::Int(1)), "ERR incomplete format");
        assert_eq!(f("%q", Value::Int(1)), "ERR unsupported format character 'q' (0x71) at index 1");
    }
}
