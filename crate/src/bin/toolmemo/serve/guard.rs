//! Who may talk to the server: the token, the `Host` header, the origin.
//!
//! - **Token**: 32 random bytes (hex) made at start and printed in the URL.
//!   The page is loaded once with `?token=…`; the server answers with a
//!   `SameSite=Strict`, `HttpOnly` cookie (named after the port: cookies are not
//!   kept apart by port) and a redirect to the same page without the token.
//!   API calls carry the cookie, or the header `X-Toolmemo-Token` (scripts).
//! - **Host** (DNS rebinding): a page of another site whose name was made to
//!   resolve to 127.0.0.1 sends its own name as `Host`. Only `localhost`, IP
//!   literals of loopback (and, when listening beyond loopback, any IP literal)
//!   and names given with `--allow-host` are served, with this server's port.
//! - **Origin** (CSRF): an API request with an `Origin` other than this
//!   server's, or that the browser marks as cross-site (`Sec-Fetch-Site`), is
//!   refused before anything is read or done; a cross-site page cannot read the
//!   answers either (no CORS headers are ever sent), and bodies must be JSON,
//!   which a form cannot send without a preflight.

use super::http::{Reply, Req};
use std::net::{IpAddr, SocketAddr};

pub struct Guard {
    addr: SocketAddr,
    allowed: Vec<String>,
}

impl Guard {
    pub fn new(addr: SocketAddr, allow_host: &[String]) -> Guard {
        Guard { addr, allowed: allow_host.iter().map(|h| h.to_ascii_lowercase()).collect() }
    }

    pub fn loopback(&self) -> bool {
        self.addr.ip().is_loopback()
    }

    /// `127.0.0.1:8787` (the unspecified address shown as loopback, which works locally).
    pub fn display_host(&self) -> String {
        let ip = match self.addr.ip() {
            ip if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_string(),
            ip if ip.is_unspecified() => "[::1]".to_string(),
            IpAddr::V6(v6) => format!("[{v6}]"),
            IpAddr::V4(v4) => v4.to_string(),
        };
        format!("{ip}:{}", self.addr.port())
    }

    pub fn cookie_name(&self) -> String {
        format!("toolmemo-token-{}", self.addr.port())
    }

    /// Whether `host` (a `Host` header or an origin's authority) names this server.
    fn names_us(&self, host: &str) -> bool {
        let host = host.to_ascii_lowercase();
        let (name, port) = match host.rsplit_once(':') {
            Some((n, p)) if !n.is_empty() && (n.starts_with('[') || !n.contains(':')) => {
                (n.to_string(), p.parse::<u16>().ok())
            }
            _ => (host.clone(), Some(80)),
        };
        if port != Some(self.addr.port()) {
            return false;
        }
        let bare = name.trim_start_matches('[').trim_end_matches(']');
        match bare.parse::<IpAddr>() {
            Ok(ip) => ip.is_loopback() || !self.loopback() || ip == self.addr.ip(),
            Err(_) => bare == "localhost" || self.allowed.iter().any(|a| a == bare),
        }
    }

    /// Every request: a `Host` that names this server.
    pub fn check_host(&self, req: &Req) -> Result<(), Reply> {
        match req.header("host") {
            Some(h) if self.names_us(&h) => Ok(()),
            Some(h) => Err(Reply::problem(
                403,
                "forbidden",
                &format!("the Host header {h:?} does not name this server (start it with --allow-host NAME to use that name)"),
            )),
            None => Err(Reply::problem(403, "forbidden", "no Host header")),
        }
    }

    /// API requests: from this server's own page (or no browser), with the token.
    pub fn check_api(&self, req: &Req, token: &str) -> Result<(), Reply> {
        if let Some(origin) = req.header("origin") {
            let ours = origin.strip_prefix("http://").is_some_and(|rest| self.names_us(rest));
            if !ours {
                return Err(Reply::problem(
                    403,
                    "forbidden",
                    &format!("requests from {origin} are refused (another site)"),
                ));
            }
        }
        if let Some(site) = req.header("sec-fetch-site") {
            if site != "same-origin" && site != "none" {
                return Err(Reply::problem(403, "forbidden", &format!("a {site} request is refused")));
            }
        }
        let given = req.header("x-toolmemo-token").or_else(|| self.cookie(req));
        match given {
            Some(t) if same(t.as_bytes(), token.as_bytes()) => Ok(()),
            Some(_) => Err(Reply::problem(401, "auth", "wrong token: open the URL `toolmemo serve` printed")),
            None => Err(Reply::problem(
                401,
                "auth",
                "no token: open the URL `toolmemo serve` printed (it ends in ?token=…)",
            )),
        }
    }

    /// The token cookie's value, if the request has one.
    pub fn cookie(&self, req: &Req) -> Option<String> {
        let name = self.cookie_name();
        let header = req.header("cookie")?;
        header.split(';').find_map(|c| {
            let (k, v) = c.trim().split_once('=')?;
            (k == name).then(|| v.to_string())
        })
    }

    /// The page loaded with `?token=`: a right token is exchanged for a cookie
    /// and a redirect to the same page without it; a wrong one is refused.
    pub fn login(&self, req: &Req, token: &str) -> Option<Reply> {
        let given = req.query("token")?;
        if !same(given.as_bytes(), token.as_bytes()) {
            return Some(Reply::problem(403, "auth", "wrong token: open the URL `toolmemo serve` printed"));
        }
        let cookie = format!("{}={token}; Path=/; HttpOnly; SameSite=Strict", self.cookie_name());
        let mut r = Reply::problem(302, "redirect", "logged in");
        r.headers.push(("Set-Cookie", cookie));
        r.headers.push(("Location", format!("{}{}", req.path(), req.query_without("token"))));
        Some(r)
    }
}

/// Compares without stopping at the first difference (no timing oracle).
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |d, (x, y)| d | (x ^ y)) == 0
}

/// 32 random bytes as hex, from the system's generator.
pub fn new_token() -> String {
    use std::io::Read;
    let mut bytes = [0u8; 32];
    let random = std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes));
    if random.is_err() {
        // No /dev/urandom (Windows): hash what differs between starts.
        let seed = format!(
            "{:?}{}{:p}{:?}",
            std::time::SystemTime::now(),
            std::process::id(),
            &bytes,
            std::thread::current().id()
        );
        bytes = toolmemo::fingerprint::sha256(seed.as_bytes());
    }
    toolmemo::fingerprint::hex(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts() {
        let g = Guard::new("127.0.0.1:8787".parse().unwrap(), &["box.lab".to_string()]);
        for ok in ["127.0.0.1:8787", "localhost:8787", "[::1]:8787", "LOCALHOST:8787", "box.lab:8787"] {
            assert!(g.names_us(ok), "{ok}");
        }
        for bad in ["evil.com:8787", "127.0.0.1:8788", "127.0.0.1", "10.0.0.2:8787", "localhost.evil.com:8787", ":8787"]
        {
            assert!(!g.names_us(bad), "{bad}");
        }
        let wide = Guard::new("0.0.0.0:9000".parse().unwrap(), &[]);
        assert!(wide.names_us("10.0.0.2:9000") && !wide.names_us("evil.com:9000"));
        assert_eq!(new_token().len(), 64);
        assert!(same(b"abc", b"abc") && !same(b"abc", b"abd") && !same(b"ab", b"abc"));
    }
}
