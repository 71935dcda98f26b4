//! The page itself: the files `npm start` serves (scripts/serve.mjs), read
//! from the page's folder, and nothing else of it. `index.html` gets one
//! `<meta name="toolmemo-server">` so that the page knows it has an API behind
//! it (in browser-only mode it makes no request to find out).

use super::http::{Reply, Req};
use super::Shared;
use std::path::{Path, PathBuf};
use toolmemo::{Error, ErrorKind};

/// What the page needs (as scripts/serve.mjs): everything else is not served.
fn public(path: &str) -> bool {
    path == "index.html"
        || path.starts_with("www/")
        || path.starts_with("pkg/web/")
        || (path.starts_with("pkg/nipype/") && path.ends_with(".json"))
        || path.starts_with("docs/screenshots/")
        || (path.starts_with("examples/") && path.ends_with(".json"))
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, e)| e) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("json") => "application/json; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

/// The page's folder: `--page`, else the first folder holding `index.html` and
/// `www/main.js` above this program (a build in the repository's `target/`)
/// or above the current folder.
pub fn locate(given: Option<&Path>) -> Result<PathBuf, Error> {
    let is_page = |d: &Path| d.join("index.html").is_file() && d.join("www/main.js").is_file();
    let found = match given {
        Some(d) if is_page(d) => Some(d.to_path_buf()),
        Some(d) => {
            return Err(Error::new(ErrorKind::Input, format!("--page {}: no index.html and www/ there", d.display())))
        }
        None => {
            let exe = std::env::current_exe().ok().and_then(|p| p.canonicalize().ok());
            let cwd = std::env::current_dir().ok();
            exe.iter().chain(cwd.iter()).flat_map(|p| p.ancestors()).find(|d| is_page(d)).map(Path::to_path_buf)
        }
    };
    let dir = found.ok_or_else(|| {
        Error::new(
            ErrorKind::Input,
            "cannot find the web page (index.html, www/, pkg/web/): pass --page DIR, the toolmemo repository",
        )
    })?;
    if !dir.join("pkg/web/toolmemo.js").is_file() {
        eprintln!(
            "toolmemo serve: {} has no pkg/web/toolmemo.js (the wasm package): the page will not start \
             until it is built (npm run build)",
            dir.display()
        );
    }
    Ok(dir)
}

/// `GET` a file of the page. `/?token=…` logs in (a cookie, then a redirect).
pub fn serve(req: &Req, s: &Shared) -> Reply {
    if req.method() != "GET" && req.method() != "HEAD" {
        return Reply::problem(405, "input", "only GET here");
    }
    if let Some(r) = s.guard.login(req, &s.token) {
        return r;
    }
    let mut path = req.path().trim_start_matches('/').to_string();
    if path.is_empty() {
        path = "index.html".into();
    }
    let parts_ok =
        path.split('/').all(|p| !p.is_empty() && p != "." && p != ".." && !p.contains('\\')) && !path.contains('\0');
    if !parts_ok || !public(&path) {
        return Reply::problem(404, "not-found", "not found");
    }
    let file = s.page.join(&path);
    // The page's own folder, links resolved, must still hold the file.
    let inside = file.canonicalize().ok().zip(s.page.canonicalize().ok()).is_some_and(|(f, p)| f.starts_with(p));
    let body = match std::fs::read(&file) {
        Ok(b) if inside => b,
        _ => return Reply::problem(404, "not-found", "not found"),
    };
    let body = if path == "index.html" { with_server_mark(body) } else { body };
    Reply { status: 200, content_type: content_type(&path), body, headers: vec![], file: None }
        .with_header("Content-Security-Policy", "frame-ancestors 'none'".into())
}

/// `index.html` with the mark of server mode after its charset.
fn with_server_mark(body: Vec<u8>) -> Vec<u8> {
    let text = String::from_utf8_lossy(&body);
    let mark = r#"<meta name="toolmemo-server" content="api/">"#;
    match text.find("<meta charset=\"utf-8\">") {
        Some(at) => {
            let end = at + "<meta charset=\"utf-8\">".len();
            format!("{}\n  {mark}{}", &text[..end], &text[end..]).into_bytes()
        }
        None => body,
    }
}
