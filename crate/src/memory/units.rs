//! Sizes and durations as people write them: `'500M'`, `'1G'`, `'90s'`, `'30d'`.
//!
//! Sizes are bytes with binary multiples (joblib's `bytes_limit` reads `'1G'` as
//! 1024³); durations are milliseconds. A bare number is bytes, resp. milliseconds.

use crate::error::{Error, ErrorKind, Result};

fn split(s: &str) -> (&str, &str) {
    let s = s.trim();
    let cut = s.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(s.len());
    (&s[..cut], s[cut..].trim())
}

/// `'500M'` → 524288000. Units: B, K, M, G, T (optionally followed by `B` or `iB`).
pub fn parse_size(s: &str) -> Result<u64> {
    let (num, unit) = split(s);
    let n: f64 = num.parse().map_err(|_| bad("size", s))?;
    let mult: u64 = match unit.to_ascii_uppercase().trim_end_matches("IB").trim_end_matches('B') {
        "" => 1,
        "K" => 1 << 10,
        "M" => 1 << 20,
        "G" => 1 << 30,
        "T" => 1 << 40,
        _ => return Err(bad("size", s)),
    };
    Ok((n * mult as f64).round() as u64)
}

/// `'90s'` → 90000.0 ms. Units: ms, s, m (minutes), h, d, w; none means ms.
pub fn parse_duration_ms(s: &str) -> Result<f64> {
    let (num, unit) = split(s);
    let n: f64 = num.parse().map_err(|_| bad("duration", s))?;
    let mult = match unit {
        "" | "ms" => 1.0,
        "s" => 1e3,
        "m" | "min" => 60e3,
        "h" => 3600e3,
        "d" => 86400e3,
        "w" => 7.0 * 86400e3,
        _ => return Err(bad("duration", s)),
    };
    Ok(n * mult)
}

fn bad(what: &str, s: &str) -> Error {
    let hint = if what == "size" {
        "bytes, or a number with K, M, G or T, e.g. '500M'"
    } else {
        "milliseconds, or a number with ms, s, m, h, d or w, e.g. '30d'"
    };
    Error::new(ErrorKind::Input, format!("{s:?} is not a {what}: expected {hint}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_durations() {
        assert_eq!(parse_size("500M").unwrap(), 500 << 20);
        assert_eq!(parse_size("1G").unwrap(), 1 << 30);
        assert_eq!(parse_size("1.5KB").unwrap(), 1536);
        assert_eq!(parse_size("42").unwrap(), 42);
        assert!(parse_size("12 parsecs").is_err());
        assert_eq!(parse_duration_ms("90s").unwrap(), 90_000.0);
        assert_eq!(parse_duration_ms("30d").unwrap(), 30.0 * 86_400_000.0);
        assert_eq!(parse_duration_ms("250").unwrap(), 250.0);
        assert!(parse_duration_ms("soon").is_err());
    }
}
