//! Requests and replies: the little of HTTP/1.1 the server needs, on `std`'s
//! sockets alone: one request per connection (`Connection: close`), headers up
//! to 64 KiB, a body only with `Content-Length` (JSON, up to 8 MiB), query
//! strings, and the headers every reply carries. Errors are JSON values.
//!
//! (tiny_http was tried first: its connection pool leaves a browser's
//! keep-alive connections queued behind each other, and the page's two dozen
//! module requests stalled. One request per connection on a loopback port
//! costs nothing and has nothing to stall.)

use serde_json::{json, Value as Json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;
use toolmemo::{Error, ErrorKind};

/// The largest request body read (a spec and its inputs).
const MAX_BODY: usize = 8 << 20;
/// The largest request head (request line and headers).
const MAX_HEAD: usize = 64 << 10;
/// How long a client may take to send its request, or to read the reply.
const TIMEOUT: Duration = Duration::from_secs(20);

pub struct Req {
    stream: Option<TcpStream>,
    method: String,
    path: String,
    query: Vec<(String, String)>,
    raw_query: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Req {
    /// Reads one request from `stream`; a malformed one is answered (400, 413…) and `None`.
    pub fn read(stream: TcpStream) -> Option<Req> {
        let _ = stream.set_read_timeout(Some(TIMEOUT));
        let _ = stream.set_write_timeout(Some(TIMEOUT));
        match parse(&stream) {
            Ok((method, target, headers, body)) => {
                let (path, query) = target.split_once('?').unwrap_or((&target, ""));
                Some(Req {
                    method,
                    path: decode_path(path),
                    query: parse_query(query),
                    raw_query: query.to_string(),
                    headers,
                    body,
                    stream: Some(stream),
                })
            }
            Err(Some(reply)) => {
                write_reply(&stream, "GET", reply);
                None
            }
            Err(None) => None,
        }
    }

    pub fn method(&self) -> &str {
        &self.method
    }

    /// The path, percent-decoded.
    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// The query string without the parameter `name` (`?a=1&b=2`, or empty).
    pub fn query_without(&self, name: &str) -> String {
        let kept: Vec<&str> =
            self.raw_query.split('&').filter(|p| !p.is_empty() && p.split('=').next() != Some(name)).collect();
        if kept.is_empty() {
            String::new()
        } else {
            format!("?{}", kept.join("&"))
        }
    }

    /// A header's value (the first, if repeated).
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.clone())
    }

    /// The body as a JSON object (JSON only: a form cannot send it without a preflight).
    pub fn json_body(&mut self) -> Result<Json, Error> {
        let ty = self.header("content-type").unwrap_or_default();
        if !ty.to_ascii_lowercase().starts_with("application/json") {
            return Err(Error::new(ErrorKind::Input, "the request body must be JSON (Content-Type: application/json)"));
        }
        let text = std::str::from_utf8(&self.body)
            .map_err(|_| Error::new(ErrorKind::Input, "the request body is not UTF-8"))?;
        let v = toolmemo::parse_json(text, "request")?;
        if !v.is_object() {
            return Err(Error::new(ErrorKind::Input, "the request must be a JSON object"));
        }
        Ok(v)
    }

    pub fn send(mut self, reply: Reply) {
        if let Some(s) = self.stream.take() {
            write_reply(&s, &self.method, reply);
        }
    }
}

type Parsed = (String, String, Vec<(String, String)>, Vec<u8>);

/// The request line, headers and body; `Err(Some(reply))` for a request to refuse,
/// `Err(None)` for a connection that sent nothing usable.
fn parse(stream: &TcpStream) -> Result<Parsed, Option<Reply>> {
    let bad = |why: &str| Some(Reply::problem(400, "input", why));
    let mut reader = BufReader::new(stream.take(MAX_HEAD as u64));
    let mut line = String::new();
    let mut next = |line: &mut String| -> Result<(), Option<Reply>> {
        line.clear();
        match reader.read_line(line) {
            Ok(0) | Err(_) => Err(None),
            Ok(_) if !line.ends_with('\n') => Err(Some(Reply::problem(431, "input", "request head too large"))),
            Ok(_) => Ok(()),
        }
    };
    next(&mut line)?;
    let mut parts = line.trim_end().split(' ');
    let (method, target, version) =
        (parts.next().unwrap_or(""), parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    if method.is_empty() || !target.starts_with('/') || !version.starts_with("HTTP/1.") || parts.next().is_some() {
        return Err(bad("malformed request line"));
    }
    let (method, target) = (method.to_ascii_uppercase(), target.to_string());
    let mut headers = Vec::new();
    loop {
        next(&mut line)?;
        let l = line.trim_end_matches(['\r', '\n']);
        if l.is_empty() {
            break;
        }
        let (k, v) = l.split_once(':').ok_or_else(|| bad("malformed header"))?;
        if k.is_empty() || k.contains(char::is_whitespace) || headers.len() >= 100 {
            return Err(bad("malformed header"));
        }
        headers.push((k.to_string(), v.trim().to_string()));
    }
    let header = |name: &str| {
        headers.iter().find(|(k, _): &&(String, String)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    };
    if header("transfer-encoding").is_some() {
        return Err(Some(Reply::problem(411, "input", "send the body with a Content-Length")));
    }
    let length: usize = match header("content-length") {
        None => 0,
        Some(n) => n.parse().map_err(|_| bad("malformed Content-Length"))?,
    };
    if length > MAX_BODY {
        return Err(Some(Reply::problem(413, "input", "the request is too large")));
    }
    // What the head's reader buffered past the head is the body's start.
    let mut body = reader.buffer().to_vec();
    let rest = length.saturating_sub(body.len());
    body.truncate(length);
    if rest > 0 {
        let mut more = vec![0; rest];
        reader.into_inner().into_inner().read_exact(&mut more).map_err(|_| None)?;
        body.extend_from_slice(&more);
    }
    Ok((method, target, headers, body))
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        302 => "Found",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        411 => "Length Required",
        413 => "Content Too Large",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        _ => "Status",
    }
}

fn write_reply(mut stream: &TcpStream, method: &str, reply: Reply) {
    let mut head = format!("HTTP/1.1 {} {}\r\n", reply.status, reason(reply.status));
    let fixed = [
        ("Content-Type", reply.content_type.to_string()),
        ("Content-Length", (reply.body.len() as u64 + reply.file.as_ref().map_or(0, |f| f.1)).to_string()),
        ("Connection", "close".to_string()),
        ("X-Content-Type-Options", "nosniff".to_string()),
        ("Referrer-Policy", "no-referrer".to_string()),
        ("X-Frame-Options", "DENY".to_string()),
        ("Cache-Control", "no-store".to_string()),
    ];
    for (k, v) in fixed.iter().map(|(k, v)| (*k, v.as_str())).chain(reply.headers.iter().map(|(k, v)| (*k, v.as_str())))
    {
        // Values are ours; a line break in one could only come from a bug: dropped.
        if !v.contains(['\r', '\n']) {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
    }
    head.push_str("\r\n");
    let _ = stream.write_all(head.as_bytes());
    if method != "HEAD" {
        let _ = stream.write_all(&reply.body);
        if let Some((file, len)) = reply.file {
            let _ = std::io::copy(&mut std::io::Read::take(file, len), &mut stream);
        }
    }
    let _ = stream.flush();
    let _ = stream.shutdown(std::net::Shutdown::Write);
}

/// What a route answers.
pub struct Reply {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
    pub headers: Vec<(&'static str, String)>,
    /// A file sent after `body`, streamed (outputs may be gigabytes).
    pub file: Option<(std::fs::File, u64)>,
}

impl Reply {
    pub fn json(v: Json) -> Reply {
        Reply::json_status(200, &v)
    }

    pub fn json_status(status: u16, v: &Json) -> Reply {
        Reply {
            status,
            content_type: "application/json; charset=utf-8",
            body: serde_json::to_vec(v).expect("JSON"),
            headers: Vec::new(),
            file: None,
        }
    }

    /// A file to save, never to show: the browser downloads it under `name`.
    pub fn download(file: std::fs::File, len: u64, name: &str) -> Reply {
        // A quoted, plain-ASCII name: nothing in it can end the header.
        let plain: String =
            name.chars().map(|c| if c.is_ascii_graphic() && c != '"' && c != '\\' { c } else { '_' }).collect();
        Reply {
            status: 200,
            content_type: "application/octet-stream",
            body: Vec::new(),
            headers: vec![("Content-Disposition", format!("attachment; filename=\"{plain}\""))],
            file: Some((file, len)),
        }
    }

    /// An error as JSON, with the status its kind calls for.
    pub fn error(e: Error) -> Reply {
        let status = match e.kind {
            ErrorKind::Store => 500,
            ErrorKind::Run => 422,
            ErrorKind::Path => 403,
            _ => 400,
        };
        Reply::problem(status, &e.kind.to_string(), &e.message)
    }

    /// An error of the server itself (`auth`, `forbidden`, `not-found`).
    pub fn problem(status: u16, kind: &str, message: &str) -> Reply {
        Reply::json_status(status, &json!({"error": {"kind": kind, "message": message}}))
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }
}

/// A route that is not there.
pub fn not_found(path: &str) -> Error {
    Error::new(ErrorKind::Input, format!("no such API route: {path}"))
}

fn parse_query(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// Percent-decoding of a query part (`+` as a space, as forms send it).
fn decode(s: &str) -> String {
    decode_with(s, true)
}

/// Percent-decoding of a path (`+` stays); invalid UTF-8 is replaced.
fn decode_path(s: &str) -> String {
    decode_with(s, false)
}

fn decode_with(s: &str, plus: bool) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(v) => {
                        out.push(v);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' if plus => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    #[test]
    fn decoding() {
        assert_eq!(super::decode("a%20b+c%2Fd%"), "a b c/d%");
        assert_eq!(super::decode_path("a+b%2B"), "a+b+");
        assert_eq!(super::decode("%zz%4"), "%zz%4");
        let q = super::parse_query("path=sub%2Fdir&x=&y");
        assert_eq!(q, vec![("path".into(), "sub/dir".into()), ("x".into(), "".into()), ("y".into(), "".into())]);
    }
}
