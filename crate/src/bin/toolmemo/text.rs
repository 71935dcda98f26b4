//! Times, ages and dates as people read and write them.

use std::time::{Duration, UNIX_EPOCH};
use toolmemo::{Error, ErrorKind};

pub use toolmemo::memory::cached::system_clock_ms as now_ms;

/// A duration: `850 ms`, `12.3 s`, `4 min 05 s`.
pub fn when(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.1} s", ms / 1e3)
    } else {
        let s = (ms / 1e3).round() as u64;
        format!("{} min {:02} s", s / 60, s % 60)
    }
}

/// How long ago `ms` (since the epoch) was: `5 s ago`, `3 h ago`, `12 d ago`.
pub fn age(ms: f64) -> String {
    let s = ((now_ms() - ms) / 1e3).max(0.0);
    let (n, unit) = if s < 60.0 {
        (s, "s")
    } else if s < 3600.0 {
        (s / 60.0, "min")
    } else if s < 86400.0 {
        (s / 3600.0, "h")
    } else {
        (s / 86400.0, "d")
    };
    format!("{} {unit} ago", n.floor() as u64)
}

/// A moment as UTC, to the second: `2026-11-22T06:40:00Z`.
pub fn date(ms: f64) -> String {
    let t = UNIX_EPOCH + Duration::from_millis(ms.max(0.0) as u64);
    humantime::format_rfc3339_seconds(t).to_string()
}

/// A moment given as a date (`2026-11-01`), a date and time (RFC 3339,
/// `2026-11-01T08:00:00Z`, or with a space), or a duration back from now
/// (`30d`, `12h`); milliseconds since the epoch.
pub fn parse_moment(s: &str) -> Result<f64, Error> {
    if let Ok(back) = toolmemo::memory::parse_duration_ms(s) {
        return Ok(now_ms() - back);
    }
    let full = if s.len() == 10 { format!("{s}T00:00:00Z") } else { s.to_string() };
    let t = humantime::parse_rfc3339_weak(full.trim_end_matches('Z')).map_err(|e| {
        Error::new(
            ErrorKind::Input,
            format!(
                "'{s}' is not a date (2026-11-01), a date and time (2026-11-01T08:00:00Z) or a duration (30d): {e}"
            ),
        )
    })?;
    Ok(t.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64() * 1e3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments() {
        assert_eq!(parse_moment("2026-11-01").unwrap(), 1_793_491_200_000.0);
        assert_eq!(parse_moment("2026-11-01T08:00:00Z").unwrap(), 1_793_491_200_000.0 + 8.0 * 3600e3);
        let back = now_ms() - parse_moment("2d").unwrap();
        assert!((back - 2.0 * 86400e3).abs() < 5e3);
        assert_eq!(parse_moment("yesterday").unwrap_err().kind, ErrorKind::Input);
    }
}
