//! Comparing tool versions the way nipype's `LooseVersion` does.
//!
//! A version is split into runs of digits (compared as numbers) and runs of
//! letters (compared as text): `5.0.9 < 5.0.10`, `6.0.0 < 6.0.0b`. This is what
//! `min_ver`, `max_ver` and `deprecated` are checked with.

use std::cmp::Ordering;

#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Part<'a> {
    // Declared first: LooseVersion orders numbers before text when they meet.
    Num(u64),
    Text(&'a str),
}

fn parts(v: &str) -> Vec<Part<'_>> {
    let mut out = Vec::new();
    let mut rest = v.trim();
    while let Some(c) = rest.chars().next() {
        let len = if c.is_ascii_digit() {
            rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len())
        } else if c.is_ascii_alphabetic() {
            rest.find(|c: char| !c.is_ascii_alphabetic()).unwrap_or(rest.len())
        } else {
            rest = &rest[c.len_utf8()..];
            continue;
        };
        let (run, tail) = rest.split_at(len);
        out.push(match run.parse() {
            Ok(n) if c.is_ascii_digit() => Part::Num(n),
            _ => Part::Text(run),
        });
        rest = tail;
    }
    out
}

/// Orders two version strings.
pub fn compare_versions(a: &str, b: &str) -> Ordering {
    parts(a).cmp(&parts(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_like_loose_version() {
        assert_eq!(compare_versions("5.0.9", "5.0.10"), Ordering::Less);
        assert_eq!(compare_versions("6.0", "6.0.0"), Ordering::Less);
        assert_eq!(compare_versions("2.1", "2.1"), Ordering::Equal);
        assert_eq!(compare_versions("6.0.0", "6.0.0b"), Ordering::Less);
        assert_eq!(compare_versions("10", "9"), Ordering::Greater);
    }
}
