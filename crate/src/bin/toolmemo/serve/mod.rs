//! `serve`: the web page over a real cache, and runs from its composer.
//!
//! A small HTTP server (`std`'s sockets, a few worker threads, no async stack) that
//! serves the page (`index.html`, `www/`, the wasm package) and a JSON API over
//! the cache the other verbs use. It is a thin front end like them: listings,
//! details, removal and eviction go through `Memory` and the store contract
//! (`run::Cache`, as `ls`/`show`/`evict` do), runs through the runner.
//!
//! Security, since the page can run programs (`guard`): it listens on loopback
//! unless `--host` says otherwise; every API call needs the random token printed
//! in the first line (kept by the page in a `SameSite=Strict` cookie); the
//! `Host` header must name this server (DNS rebinding) and requests from other
//! origins are refused (CSRF); paths from the page are confined to `--root` and
//! the cache after resolving symbolic links (`files`).
//!
//! The routes (each documented where it is handled):
//!
//! | route | module |
//! | --- | --- |
//! | `GET /`, `/www/…`, `/pkg/web/…`, `/examples/….json` | the page (`page`) |
//! | `GET /api/info` | this file |
//! | `GET /api/entries`, `GET /api/entry`, `POST /api/remove`, `POST /api/evict`, `POST /api/clear` | `cache_api` |
//! | `GET /api/files`, `GET /api/spec` | `files` |
//! | `POST /api/run`, `GET /api/run/<id>` | `jobs` |
//!
//! Errors are JSON values `{"error": {"kind", "message"}}` with an HTTP status.

mod cache_api;
mod files;
mod guard;
mod http;
mod jobs;
mod page;
mod run_cache;

use super::Place;
use http::{Reply, Req};
use serde_json::json;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use toolmemo::{Error, ErrorKind};

#[derive(clap::Args)]
pub struct ServeArgs {
    /// The port [default: 8787, or the next free one]; 0 picks any free port.
    #[arg(long)]
    port: Option<u16>,
    /// The address to listen on. Anything but loopback (127.0.0.1, ::1) lets anyone
    /// who reaches the port and has the token run programs as you.
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// Also accept this name in the Host header (a machine's DNS name, when --host is not loopback).
    #[arg(long = "allow-host", value_name = "NAME")]
    allow_host: Vec<String>,
    /// The folder the page may browse for input files and specs [default: the current folder].
    #[arg(long)]
    root: Option<PathBuf>,
    /// Open the page in a browser.
    #[arg(long)]
    open: bool,
    /// The folder with the page (index.html, www/, pkg/web/) [default: found above the program or the current folder].
    #[arg(long, env = "TOOLMEMO_PAGE_DIR", value_name = "DIR")]
    page: Option<PathBuf>,
    /// Use this access token instead of a random one (tests, scripts).
    #[arg(long, env = "TOOLMEMO_SERVE_TOKEN", hide = true)]
    token: Option<String>,
}

/// What every worker shares.
pub struct Shared {
    pub place: Place,
    pub token: String,
    pub guard: guard::Guard,
    pub root: PathBuf,
    /// The cache folder, its symbolic links resolved (paths in it may be read).
    pub cache_real: PathBuf,
    pub page: PathBuf,
    pub listing: cache_api::Listings,
    pub jobs: jobs::Jobs,
}

/// Worker threads answering requests (a run has its own thread besides).
const WORKERS: usize = 8;
const DEFAULT_PORT: u16 = 8787;

pub fn serve(place: &Place, a: ServeArgs) -> Result<ExitCode, Error> {
    let input = |what: String| Error::new(ErrorKind::Input, what);
    let root =
        a.root.clone().map_or_else(std::env::current_dir, Ok).map_err(|e| input(format!("no current folder: {e}")))?;
    let root = root.canonicalize().map_err(|e| input(format!("--root {}: {e}", root.display())))?;
    if !root.is_dir() {
        return Err(input(format!("--root {} is not a folder", root.display())));
    }
    let page = page::locate(a.page.as_deref())?;
    // Opening the cache creates it, so that its real path exists.
    run_cache::Cache::open(place)?;
    let cache_real = place.cache.canonicalize().unwrap_or_else(|_| place.cache.clone());
    let listener = bind(a.host, a.port)?;
    let addr = listener.local_addr().map_err(|e| input(format!("no local address: {e}")))?;
    let token = a.token.clone().filter(|t| t.len() >= 16).unwrap_or_else(guard::new_token);
    let guard = guard::Guard::new(addr, &a.allow_host);
    let url = format!("http://{}/?token={token}", guard.display_host());

    let shared = Arc::new(Shared {
        place: Place {
            cache: place.cache.clone(),
            read_only: place.read_only.clone(),
            store: place.store.clone(),
            prefix: place.prefix.clone(),
            ..*place
        },
        token,
        guard,
        root,
        cache_real,
        page,
        listing: Default::default(),
        jobs: Default::default(),
    });
    // The first line is the URL (scripts and tests read it).
    println!("{url}");
    eprintln!(
        "toolmemo serve: the cache {} and the files under {}",
        place.store.as_deref().unwrap_or(&place.cache.to_string_lossy()),
        shared.root.display()
    );
    if !addr.ip().is_loopback() {
        eprintln!(
            "\n  WARNING: listening on {addr}, not on loopback: anyone who can reach this port and has the\n  \
             token can run programs on this machine as you, and read and delete the cache. The token is\n  \
             sent in clear text (no TLS). Press Ctrl-C to stop.\n"
        );
    } else {
        eprintln!("toolmemo serve: only this machine can connect; the token in the URL is the key. Ctrl-C to stop.");
    }
    use std::io::Write;
    let _ = std::io::stdout().flush();
    if a.open {
        open_browser(&url);
    }

    // Connections go to the workers through one queue.
    let (tx, rx) = std::sync::mpsc::channel::<std::net::TcpStream>();
    let rx = Arc::new(std::sync::Mutex::new(rx));
    for _ in 0..WORKERS {
        let (rx, shared) = (rx.clone(), shared.clone());
        std::thread::spawn(move || worker(&rx, &shared));
    }
    for stream in listener.incoming().flatten() {
        if tx.send(stream).is_err() {
            break;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `host:port`, or with no port the default and then the next ones up.
fn bind(host: IpAddr, port: Option<u16>) -> Result<TcpListener, Error> {
    let ports: Vec<u16> = match port {
        Some(p) => vec![p],
        None => (DEFAULT_PORT..DEFAULT_PORT + 20).collect(),
    };
    let mut last = None;
    for p in ports {
        match TcpListener::bind(SocketAddr::new(host, p)) {
            Ok(l) => return Ok(l),
            Err(e) => last = Some(e),
        }
    }
    let why = last.map_or_else(String::new, |e| e.to_string());
    Err(Error::new(
        ErrorKind::Input,
        format!("cannot listen on {host} (port {}): {why}", port.map_or("8787-8806".into(), |p| p.to_string())),
    ))
}

fn open_browser(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else if cfg!(windows) {
        "explorer"
    } else {
        "xdg-open"
    };
    if let Err(e) = std::process::Command::new(opener)
        .arg(url)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
    {
        eprintln!("toolmemo serve: could not open a browser ({opener}: {e}); open the URL above");
    }
}

/// Answers one request per connection until the server stops. Each worker
/// opens the cache once (a `Memory` is not shared between threads).
fn worker(rx: &std::sync::Mutex<std::sync::mpsc::Receiver<std::net::TcpStream>>, shared: &Arc<Shared>) {
    let mut cache = None;
    loop {
        let next = rx.lock().unwrap_or_else(|p| p.into_inner()).recv();
        let Ok(stream) = next else { return };
        if let Some(mut req) = Req::read(stream) {
            let reply = handle(&mut req, shared, &mut cache);
            req.send(reply);
        }
    }
}

fn handle(req: &mut Req, s: &Arc<Shared>, cache: &mut Option<run_cache::Cache>) -> Reply {
    // Every request, page or API: the Host header must name this server.
    if let Err(r) = s.guard.check_host(req) {
        return r;
    }
    let path = req.path().to_string();
    if !path.starts_with("/api/") {
        return page::serve(req, s);
    }
    if let Err(r) = s.guard.check_api(req, &s.token) {
        return r;
    }
    let opened = match cache {
        Some(c) => c,
        None => match run_cache::Cache::open(&s.place) {
            Ok(c) => cache.insert(c),
            Err(e) => return Reply::error(e),
        },
    };
    let result = match (req.method(), path.as_str()) {
        ("GET", "/api/info") => info(s, opened),
        ("GET", "/api/entries") => cache_api::entries(req, s, opened),
        ("GET", "/api/entry") => cache_api::entry(req, s, opened),
        ("GET", "/api/entry/file") => cache_api::output_file(req, opened),
        ("POST", "/api/remove") => cache_api::remove(req, s, opened),
        ("POST", "/api/evict") => cache_api::evict(req, s, opened),
        ("POST", "/api/clear") => cache_api::clear(req, s, opened),
        ("GET", "/api/files") => files::list(req, s),
        ("GET", "/api/spec") => files::spec(req, s),
        ("POST", "/api/run") => jobs::start(req, s),
        ("GET", p) if p.starts_with("/api/run/") => jobs::poll(req, s, &p["/api/run/".len()..]),
        _ => return Reply::problem(404, "not-found", &http::not_found(&path).message),
    };
    result.unwrap_or_else(Reply::error)
}

/// `GET /api/info`: what the page is connected to: the cache (its folder or
/// shared store, entries and bytes from its index), the root folder of files,
/// and this program's version.
fn info(s: &Shared, cache: &run_cache::Cache) -> Result<Reply, Error> {
    let u = cache.usage()?;
    Ok(Reply::json(json!({
        "mode": "server",
        "version": env!("CARGO_PKG_VERSION"),
        "cache": s.place.cache.to_string_lossy(),
        "store": s.place.store.as_ref().map(|_| "redis"),
        "root": s.root.to_string_lossy(),
        "entries": u.entries,
        "bytes": u.bytes,
        "loopback": s.guard.loopback(),
    })))
}
