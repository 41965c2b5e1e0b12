//! `careguide serve`: a local preview of the site that rebuilds when its sources change, and a
//! form at `/handout` that makes a patient's personalized PDF.
//!
//! The site is built into `ROOT/.careguide-serve/site` (never the public output folder) by
//! the same pipeline as `careguide build`. A failed build leaves that folder as it was, so the
//! last good site keeps being served, with the build's errors at the top of each page. Pages
//! reload by themselves: a small script, added to HTML responses only (never to the built
//! files), polls `/_careguide/version`.
//!
//! What is typed into the handout form is used to make one PDF in memory and then dropped:
//! there is no access log, no temporary file, no cache entry, and the responses carry
//! `Cache-Control: no-store`. The server listens on loopback unless `--bind` says otherwise.
//!
//! Exit codes: 2 when the server cannot start (the port is in use, the folder is missing);
//! otherwise it runs until it is stopped.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::{Read, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::taper::{Failure, Problem, TaperOptions};
use crate::build::{self, Options};
use crate::diag::{Diagnostic, Severity};
use crate::pdf::Paper;
use crate::taper::{Field, Limit, PageTaper};
use crate::util::escape_html;

/// Arguments of `careguide serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeArgs {
    /// The site's folder (holding careguide.toml and content/).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// The port to listen on; 0 picks a free one (the address is printed).
    #[arg(long, value_name = "N", default_value_t = 8080)]
    pub port: u16,
    /// The address to listen on. Anything but loopback lets other machines reach the preview
    /// and the handout form, so patient data would cross the network: a warning is printed.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1", value_parser = parse_bind)]
    pub bind: IpAddr,
    /// Also build the printable PDF of every page (slower rebuilds).
    #[arg(long)]
    pub pdf: bool,
}

/// The warning printed when the server can be reached from other machines.
fn bind_warning(addr: &SocketAddr) -> Option<String> {
    (!addr.ip().is_loopback()).then(|| format!(
        "warning: listening on {addr}, which other machines can reach. Anyone who can reach it can use the preview and the handout form, and the patient data typed into the form would cross the network unencrypted. Leave out --bind to listen on this computer only (127.0.0.1)."
    ))
}

fn parse_bind(s: &str) -> Result<IpAddr, String> {
    if s.eq_ignore_ascii_case("localhost") {
        return Ok(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    s.parse()
        .map_err(|_| format!("'{s}' is not an IP address (such as 127.0.0.1 or ::1)"))
}

/// The folder, under the site root, that holds the preview build.
pub const SERVE_DIR: &str = ".careguide-serve";
/// How often the sources are checked for changes.
const POLL: Duration = Duration::from_millis(300);
/// The largest request head (request line and headers) accepted.
const MAX_HEAD: usize = 16 * 1024;
/// The largest request body accepted: the handout form is far smaller.
pub const MAX_BODY: usize = 32 * 1024;
/// Connections handled at once; more are refused with 503.
const MAX_CONNECTIONS: usize = 64;
/// Errors listed in the overlay; the rest are counted.
const MAX_LISTED: usize = 50;

/// What the pages and the version endpoint need to know about the builds.
#[derive(Debug, Default)]
struct Status {
    /// Increases after every build that changed what is served (its files or its errors), so
    /// that open pages reload only then.
    version: u64,
    /// The number of files of the last good build.
    files: usize,
    /// Whether a build has succeeded, so that there is a site to serve.
    built: bool,
    /// The errors of the last build when it failed; empty when it succeeded.
    errors: Vec<Diagnostic>,
}

struct Shared {
    root: PathBuf,
    /// The built site.
    site: PathBuf,
    pdf: bool,
    /// Listening on loopback only: requests must name a loopback host.
    loopback: bool,
    /// Held for writing while a build runs (it may swap the site folder), for reading while a
    /// file is served.
    files: RwLock<()>,
    status: Mutex<Status>,
    connections: AtomicUsize,
}

impl Shared {
    fn status(&self) -> std::sync::MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Run the command; returns the process exit code (only when the server could not start).
pub fn run(args: &ServeArgs) -> u8 {
    if !args.root.is_dir() {
        eprintln!(
            "error: the site folder {} does not exist: pass --root with the folder that holds careguide.toml",
            args.root.display()
        );
        return 2;
    }
    let addr = SocketAddr::new(args.bind, args.port);
    let listener = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {
            eprintln!(
                "error: cannot listen on {addr}: the port is already in use (perhaps by another careguide serve)\n  hint: choose another with --port N, or --port 0 to take any free port"
            );
            return 2;
        }
        Err(e) => {
            eprintln!("error: cannot listen on {addr}: {e}\n  hint: check --bind and --port");
            return 2;
        }
    };
    let local = match listener.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: cannot read the address listened on: {e}");
            return 2;
        }
    };
    if let Some(w) = bind_warning(&local) {
        eprintln!("{w}");
    }
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "careguide serve: http://{local}/ (handout form: http://{local}/handout); stop with Ctrl-C"
        );
        let _ = out.flush();
    }
    let shared = Arc::new(Shared {
        site: args.root.join(SERVE_DIR).join("site"),
        root: args.root.clone(),
        pdf: args.pdf,
        loopback: args.bind.is_loopback(),
        files: RwLock::new(()),
        status: Mutex::new(Status::default()),
        connections: AtomicUsize::new(0),
    });

    // The first build, before any request is answered (they wait in the listen queue). The
    // sources are fingerprinted before each build, so a change made during one is seen after.
    let mut watched = watch_list(&shared.root);
    let mut seen = fingerprint(&shared.root, &watched);
    build_once(&shared);

    let watcher = Arc::clone(&shared);
    std::thread::spawn(move || loop {
        std::thread::sleep(POLL);
        if fingerprint(&watcher.root, &watched) == seen {
            continue;
        }
        // Let an editor finish saving (several files, or write-then-rename).
        std::thread::sleep(Duration::from_millis(100));
        watched = watch_list(&watcher.root);
        seen = fingerprint(&watcher.root, &watched);
        build_once(&watcher);
    });

    for stream in listener.incoming() {
        let stream = match stream {
            Ok(s) => s,
            Err(_) => {
                // Out of file descriptors and the like: do not spin.
                std::thread::sleep(Duration::from_millis(50));
                continue;
            }
        };
        if shared.connections.fetch_add(1, Ordering::SeqCst) >= MAX_CONNECTIONS {
            shared.connections.fetch_sub(1, Ordering::SeqCst);
            let mut s = stream;
            let _ = s.set_write_timeout(Some(Duration::from_secs(2)));
            let _ = write_response(
                &mut s,
                &Response::text(503, "too many connections at once; try again"),
                false,
            );
            continue;
        }
        let shared = Arc::clone(&shared);
        std::thread::spawn(move || {
            handle(stream, &shared);
            shared.connections.fetch_sub(1, Ordering::SeqCst);
        });
    }
    0
}

/// Build the site into the preview folder and record the outcome.
fn build_once(shared: &Shared) {
    let opts = Options {
        root: shared.root.clone(),
        out: Some(shared.site.clone()),
        publish: false,
        today: None,
        pdf: shared.pdf,
        retractions: None,
    };
    let started = Instant::now();
    let report = {
        let _guard = shared.files.write().unwrap_or_else(|p| p.into_inner());
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build::run(&opts)))
    };
    let seconds = started.elapsed().as_secs_f64();
    let errors: Vec<Diagnostic> = match &report {
        Ok(r) => r
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect(),
        Err(_) => vec![
            Diagnostic::error("serve/panic", "the build stopped on an internal error").hint(
                "this is a careguide bug: please report it with the page that was being edited",
            ),
        ],
    };
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    if errors.is_empty() {
        if let Ok(r) = &report {
            let _ = writeln!(
                err,
                "careguide serve: built {} page(s) in {seconds:.2} s: {} written, {} unchanged, {} warning(s)",
                r.pages,
                r.written,
                r.unchanged,
                r.diagnostics.warning_count()
            );
        }
    } else {
        let mut ds = crate::diag::Diagnostics::new();
        ds.extend(errors.iter().cloned());
        crate::diag::render_human(&ds, &shared.root, &mut err, false);
        let _ = writeln!(
            err,
            "careguide serve: the build failed with {} error(s); still serving the last good build",
            errors.len()
        );
    }
    let mut status = shared.status();
    let (written, files) = match &report {
        Ok(r) if errors.is_empty() => (r.written, r.files),
        _ => (0, status.files),
    };
    // A save that changed nothing served (a comment in careguide.toml, a README at the
    // root) does not reload the open pages.
    if status.version == 0 || written > 0 || files != status.files || errors != status.errors {
        status.version += 1;
    }
    if errors.is_empty() {
        status.built = true;
    }
    status.files = files;
    status.errors = errors;
}

/// Files outside `content/` and `templates/` that the build reads: the configured
/// bibliography, retraction and style files, and each page's own bibliography files.
fn watch_list(root: &Path) -> Vec<PathBuf> {
    let mut diags = crate::diag::Diagnostics::new();
    let Some(site) = build::load(root, &mut diags) else {
        return Vec::new();
    };
    let c = &site.config.citations;
    let mut files: Vec<PathBuf> = c
        .bibliography
        .iter()
        .chain(c.retractions.iter())
        .map(PathBuf::from)
        .collect();
    if c.style.ends_with(".csl") {
        files.push(PathBuf::from(&c.style));
    }
    for doc in &site.pages {
        files.extend(crate::resolve::page_inputs(doc));
    }
    files.sort();
    files.dedup();
    files
}

/// A digest of the names, sizes and modification times of everything a build reads:
/// `content/` and `templates/` (recursively), the files at the top of the root (the
/// configuration among them) and `extra`. A folder that disappears changes it too.
fn fingerprint(root: &Path, extra: &[PathBuf]) -> u64 {
    let mut h = DefaultHasher::new();
    let mut add = |path: &Path, meta: Option<std::fs::Metadata>| {
        path.hash(&mut h);
        match meta {
            Some(m) => {
                m.len().hash(&mut h);
                m.is_dir().hash(&mut h);
                if let Ok(t) = m.modified() {
                    t.hash(&mut h);
                }
            }
            None => 0xdead_u32.hash(&mut h),
        }
    };
    if let Ok(entries) = std::fs::read_dir(root) {
        let mut top: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.is_file())
            .collect();
        top.sort();
        for p in top {
            let m = std::fs::metadata(&p).ok();
            add(&p, m);
        }
    }
    for dir in [crate::content::CONTENT_DIR, crate::paths::TEMPLATE_DIR] {
        let dir = root.join(dir);
        add(&dir, std::fs::metadata(&dir).ok());
        for entry in walkdir::WalkDir::new(&dir)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            // Through a symbolic link, the target's size and time.
            let m = std::fs::metadata(entry.path()).ok();
            add(entry.path(), m);
        }
    }
    for p in extra {
        let p = root.join(p);
        let m = std::fs::metadata(&p).ok();
        add(&p, m);
    }
    h.finish()
}

// ---------------------------------------------------------------------------------------------
// HTTP: one request per connection, `Connection: close`. Enough for a browser on this machine.

#[derive(Debug)]
struct Request {
    method: String,
    /// The path, percent-decoded.
    path: String,
    query: String,
    /// The Host header, lower-cased (empty when absent).
    host: String,
    content_type: String,
    body: Vec<u8>,
}

struct Response {
    status: u16,
    headers: Vec<(&'static str, String)>,
    body: Vec<u8>,
}

impl Response {
    fn new(status: u16, content_type: &str, body: Vec<u8>) -> Response {
        Response {
            status,
            headers: vec![("Content-Type", content_type.to_string())],
            body,
        }
    }

    fn text(status: u16, text: &str) -> Response {
        Response::new(
            status,
            "text/plain; charset=utf-8",
            format!("{text}\n").into_bytes(),
        )
    }

    fn html(status: u16, html: String) -> Response {
        Response::new(status, "text/html; charset=utf-8", html.into_bytes())
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }

    /// Nothing of this response may be kept by the browser or a proxy.
    fn no_store(self) -> Response {
        self.header("Cache-Control", "no-store")
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        303 => "See Other",
        403 => "Forbidden",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => "Unknown",
    }
}

fn write_response(stream: &mut TcpStream, r: &Response, head_only: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Length: {}\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n",
        r.status,
        reason(r.status),
        r.body.len()
    );
    for (k, v) in &r.headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(&r.body)?;
    }
    stream.flush()
}

/// Read one request; on failure, the response to send instead.
fn read_request(stream: &mut TcpStream) -> Result<Request, Response> {
    let mut buf = Vec::with_capacity(2048);
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = find(&buf, b"\r\n\r\n") {
            break i;
        }
        if buf.len() > MAX_HEAD {
            return Err(Response::text(431, "the request's headers are too large"));
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(Response::text(400, "the request ended early")),
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(_) => return Err(Response::text(408, "the request took too long")),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let mut lines = head.split("\r\n");
    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Response::text(400, "malformed request line"));
    };
    if !version.starts_with("HTTP/1.") {
        return Err(Response::text(400, "only HTTP/1.x is spoken here"));
    }
    let mut length: Option<usize> = None;
    let mut content_type = String::new();
    let mut host = String::new();
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            return Err(Response::text(400, "malformed header"));
        };
        let value = value.trim();
        match name.trim().to_ascii_lowercase().as_str() {
            "content-length" => match value.parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => return Err(Response::text(400, "malformed Content-Length")),
            },
            "transfer-encoding" => {
                return Err(Response::text(
                    411,
                    "send the body with a Content-Length, not chunked",
                ))
            }
            "content-type" => content_type = value.to_ascii_lowercase(),
            "host" => host = value.to_ascii_lowercase(),
            _ => {}
        }
    }
    let length = length.unwrap_or(0);
    if length > MAX_BODY {
        return Err(Response::text(
            413,
            &format!("the request body is larger than {MAX_BODY} bytes"),
        ));
    }
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        match stream.read(&mut chunk) {
            Ok(0) => return Err(Response::text(400, "the request body ended early")),
            Ok(n) => body.extend_from_slice(&chunk[..n]),
            Err(_) => return Err(Response::text(408, "the request took too long")),
        }
    }
    body.truncate(length);
    let (raw_path, query) = target.split_once('?').unwrap_or((target, ""));
    if !raw_path.starts_with('/') {
        return Err(Response::text(400, "the request target must be a path"));
    }
    Ok(Request {
        method: method.to_string(),
        path: String::from_utf8_lossy(&percent_decode(raw_path.as_bytes(), false)).to_string(),
        query: query.to_string(),
        host,
        content_type,
        body,
    })
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn percent_decode(s: &[u8], plus_is_space: bool) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        match s[i] {
            b'%' if i + 2 < s.len() => match (hex(s[i + 1]), hex(s[i + 2])) {
                (Some(a), Some(b)) => {
                    out.push(a * 16 + b);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// `application/x-www-form-urlencoded` pairs, in order.
pub fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    body.split(|&b| b == b'&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = match pair.iter().position(|&b| b == b'=') {
                Some(i) => (&pair[..i], &pair[i + 1..]),
                None => (pair, &b""[..]),
            };
            (
                String::from_utf8_lossy(&percent_decode(k, true)).to_string(),
                String::from_utf8_lossy(&percent_decode(v, true)).to_string(),
            )
        })
        .collect()
}

fn handle(mut stream: TcpStream, shared: &Shared) {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = stream.set_write_timeout(Some(Duration::from_secs(30)));
    let (response, head_only) = match read_request(&mut stream) {
        Ok(req) => {
            let head_only = req.method == "HEAD";
            (route(&req, shared), head_only)
        }
        Err(r) => (r, false),
    };
    let _ = write_response(&mut stream, &response, head_only);
    // Let the client read the response before the connection closes, even when it sent more
    // than was read (a body over the limit): stop writing, then drain a bounded amount.
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(500)));
    let mut sink = [0u8; 8192];
    let mut drained = 0usize;
    while drained < 1 << 20 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

/// Whether a Host header names this computer. A page elsewhere that makes its name resolve to
/// 127.0.0.1 (DNS rebinding) must not be able to read the preview or use the form.
fn local_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(rest) => rest.split(']').next().unwrap_or(""),
        None => host.rsplit_once(':').map_or(host, |(h, _)| h),
    };
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn route(req: &Request, shared: &Shared) -> Response {
    if shared.loopback && !req.host.is_empty() && !local_host(&req.host) {
        return Response::text(
            403,
            "this preview answers requests for 127.0.0.1 or localhost only",
        )
        .no_store();
    }
    let path = req.path.as_str();
    match (req.method.as_str(), path) {
        ("GET" | "HEAD", "/_careguide/version") => {
            Response::text(200, &shared.status().version.to_string()).no_store()
        }
        ("GET" | "HEAD", "/_careguide/live.js") => {
            Response::new(200, "text/javascript; charset=utf-8", LIVE_JS.into())
                .header("Cache-Control", "no-cache")
        }
        ("GET" | "HEAD", "/_careguide/live.css") => {
            Response::new(200, "text/css; charset=utf-8", LIVE_CSS.into())
                .header("Cache-Control", "no-cache")
        }
        ("GET" | "HEAD", "/handout" | "/handout/") => handout_get(req, shared),
        ("POST", "/handout" | "/handout/") => handout_post(req, shared),
        (_, "/handout" | "/handout/") => {
            Response::text(405, "use GET or POST").header("Allow", "GET, HEAD, POST")
        }
        ("GET" | "HEAD", _) => static_file(path, shared),
        _ => Response::text(405, "the preview answers GET and HEAD").header("Allow", "GET, HEAD"),
    }
}

fn content_type(path: &Path) -> &'static str {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("html" | "htm") => "text/html; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("json") => "application/json",
        Some("xml") => "application/xml",
        Some("atom") => "application/atom+xml",
        Some("txt") => "text/plain; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("jpg" | "jpeg") => "image/jpeg",
        Some("gif") => "image/gif",
        Some("webp") => "image/webp",
        Some("ico") => "image/x-icon",
        Some("pdf") => "application/pdf",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("ttf") => "font/ttf",
        Some("webmanifest") => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

/// A file of the last good build. HTML gets the reload script and, after a failed build, the
/// error overlay.
fn static_file(path: &str, shared: &Shared) -> Response {
    let mut rel = PathBuf::new();
    for seg in path.split('/').filter(|s| !s.is_empty()) {
        let ok = !seg.contains('\\')
            && !seg.contains('\0')
            && matches!(
                Path::new(seg).components().next(),
                Some(Component::Normal(_))
            )
            && Path::new(seg).components().count() == 1;
        if !ok {
            return Response::text(400, "that path is not allowed");
        }
        rel.push(seg);
    }
    let (version, built, errors) = {
        let s = shared.status();
        (s.version, s.built, s.errors.clone())
    };
    if !built {
        let body = page_shell(
            "The site has not been built yet",
            "<p>No build has succeeded yet, so there is nothing to show. Fix the problems below and save: this page reloads by itself.</p>",
            version,
            &errors,
        );
        return Response::html(503, body).no_store();
    }
    let _guard = shared.files.read().unwrap_or_else(|p| p.into_inner());
    let mut file = shared.site.join(&rel);
    if file.is_dir() {
        if !path.ends_with('/') {
            // Relative links in the page need the trailing slash.
            return Response::text(301, "moved").header("Location", format!("{path}/"));
        }
        file = file.join("index.html");
    }
    match std::fs::read(&file) {
        Ok(bytes) => {
            let ctype = content_type(&file);
            if ctype.starts_with("text/html") {
                let html = String::from_utf8_lossy(&bytes);
                Response::html(200, inject(&html, version, &errors)).header("Cache-Control", "no-cache")
            } else {
                Response::new(200, ctype, bytes).header("Cache-Control", "no-cache")
            }
        }
        Err(_) => Response::html(
            404,
            page_shell(
                "Not found",
                &format!(
                    "<p>The last good build has no <code>{}</code>. <a href=\"/\">Go to the home page</a>.</p>",
                    escape_html(path)
                ),
                version,
                &errors,
            ),
        )
        .no_store(),
    }
}

/// The build's errors at the start of the body, where they are seen and read first, and the
/// reload script before `</body>`.
fn inject(html: &str, version: u64, errors: &[Diagnostic]) -> String {
    let script = format!(
        "<link rel=\"stylesheet\" href=\"/_careguide/live.css\"><script src=\"/_careguide/live.js\" data-careguide-version=\"{version}\" defer></script>\n"
    );
    let overlay = overlay(errors);
    let lower = html.to_ascii_lowercase();
    let body_start = lower
        .find("<body")
        .and_then(|i| lower[i..].find('>').map(|j| i + j + 1));
    match (body_start, lower.rfind("</body>")) {
        (Some(start), Some(end)) if start <= end => format!(
            "{}\n{overlay}{}{script}{}",
            &html[..start],
            &html[start..end],
            &html[end..]
        ),
        _ => format!("{html}{overlay}{script}"),
    }
}

/// The failed build's errors as an HTML block (every value escaped); empty when there are none.
fn overlay(errors: &[Diagnostic]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let mut s = format!(
        "<section id=\"careguide-build-error\" role=\"alert\" aria-labelledby=\"careguide-build-error-title\">\n<h2 id=\"careguide-build-error-title\">The build failed: {} error(s)</h2>\n<p>You are seeing the last build that succeeded. Fix the problems below and save; the page reloads by itself.</p>\n<ol>\n",
        errors.len()
    );
    for d in errors.iter().take(MAX_LISTED) {
        s.push_str(&format!(
            "<li><code>{}</code> <strong>{}</strong> <span class=\"careguide-rule\">[{}]</span>",
            escape_html(&d.location()),
            escape_html(&d.message),
            escape_html(&d.rule)
        ));
        if let Some(h) = &d.hint {
            s.push_str(&format!(
                "<br><span class=\"careguide-hint\">hint: {}</span>",
                escape_html(h)
            ));
        }
        s.push_str("</li>\n");
    }
    s.push_str("</ol>\n");
    if errors.len() > MAX_LISTED {
        s.push_str(&format!(
            "<p>… and {} more: run <code>careguide check</code> to see them all.</p>\n",
            errors.len() - MAX_LISTED
        ));
    }
    s.push_str("</section>\n");
    s
}

/// A page of the server's own (not of the site), with the reload script.
fn page_shell(title: &str, body_html: &str, version: u64, errors: &[Diagnostic]) -> String {
    let doc = format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{t}</title>\n</head>\n<body class=\"careguide-page\">\n<main>\n<h1>{t}</h1>\n{body_html}\n</main>\n</body>\n</html>\n",
        t = escape_html(title)
    );
    inject(&doc, version, errors)
}

const LIVE_JS: &str = r#"// careguide serve: reload the page when a build finishes (added by the server, not built).
(function () {
  var me = document.querySelector("script[data-careguide-version]");
  if (!me || !window.fetch) return;
  var seen = me.getAttribute("data-careguide-version");
  function poll() {
    fetch("/_careguide/version", { cache: "no-store" })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (v) {
        if (v !== null && v.trim() !== seen) { window.location.reload(); return; }
        setTimeout(poll, 500);
      }, function () { setTimeout(poll, 2000); });
  }
  setTimeout(poll, 500);
})();
"#;

const LIVE_CSS: &str = r#"/* careguide serve: the build-error overlay and the handout form. */
#careguide-build-error { position: relative; max-height: 60vh; overflow: auto; z-index: 2147483647;
  margin: 0; padding: 1rem 1.5rem; background: #fff4f4; color: #1a1a1a; border-bottom: 4px solid #b00020;
  font: 16px/1.45 system-ui, sans-serif; box-shadow: 0 4px 16px rgba(0,0,0,.25); }
#careguide-build-error h2 { margin: 0 0 .5rem; color: #b00020; font-size: 1.25rem; }
#careguide-build-error code { font-weight: bold; }
#careguide-build-error li { margin: .4rem 0; }
.careguide-rule, .careguide-hint { color: #444; }
.careguide-page main, .careguide-form main { max-width: 44rem; margin: 2rem auto; padding: 0 1rem;
  font: 17px/1.5 system-ui, sans-serif; color: #1a1a1a; }
.careguide-form fieldset { border: 1px solid #999; border-radius: 4px; margin: 1rem 0; padding: .5rem 1rem 1rem; }
.careguide-form legend { font-weight: bold; padding: 0 .25rem; }
.careguide-form .field { margin: .9rem 0; }
.careguide-form label { display: block; font-weight: 600; }
.careguide-form .choice label { display: inline; font-weight: normal; }
.careguide-form input[type=text], .careguide-form select { font: inherit; padding: .3rem .4rem; min-width: 12rem;
  border: 1px solid #555; border-radius: 3px; }
.careguide-form .hint { margin: .1rem 0 .3rem; color: #444; font-size: .95rem; }
.careguide-form .error { margin: .1rem 0 .3rem; color: #b00020; font-weight: 600; }
.careguide-form .invalid input[type=text], .careguide-form .invalid select { border: 2px solid #b00020; }
.careguide-form .summary { border: 3px solid #b00020; padding: .5rem 1rem; margin: 1rem 0; }
.careguide-form .summary a { color: #b00020; }
.careguide-form .privacy { background: #eef6ee; padding: .5rem .75rem; border-left: 4px solid #2e7d32; }
.careguide-form button { font: inherit; padding: .45rem 1rem; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
"#;

// ---------------------------------------------------------------------------------------------
// The handout form.

/// The form's values, as typed (or the page's defaults).
#[derive(Default, Clone)]
struct FormValues {
    page: String,
    audience: String,
    patient_name: String,
    dose: String,
    reduction_percent: String,
    interval_days: String,
    step: String,
    min_dose: String,
    doses_per_day: String,
    start: String,
    holds: String,
    mode: String,
    paper: String,
}

impl FormValues {
    fn from_pairs(pairs: &[(String, String)]) -> FormValues {
        let mut v = FormValues::default();
        for (k, val) in pairs {
            let slot = match k.as_str() {
                "page" => &mut v.page,
                "audience" => &mut v.audience,
                "patient_name" => &mut v.patient_name,
                "dose" => &mut v.dose,
                "reduction_percent" => &mut v.reduction_percent,
                "interval_days" => &mut v.interval_days,
                "step" => &mut v.step,
                "min_dose" => &mut v.min_dose,
                "doses_per_day" => &mut v.doses_per_day,
                "start" => &mut v.start,
                "holds" => &mut v.holds,
                "mode" => &mut v.mode,
                "paper" => &mut v.paper,
                _ => continue,
            };
            *slot = val.clone();
        }
        v
    }

    /// The page's defaults.
    fn defaults(doc: &crate::content::Document, t: &PageTaper) -> FormValues {
        let d = |l: &Limit| l.default.map(|v| v.to_string()).unwrap_or_default();
        FormValues {
            page: doc.path.clone(),
            audience: String::new(),
            reduction_percent: d(&t.reduction_percent),
            interval_days: d(&t.interval_days),
            step: d(&t.step),
            min_dose: d(&t.min_dose),
            doses_per_day: d(&t.doses_per_day),
            start: super::taper::today().to_string(),
            mode: "previous".into(),
            paper: "a4".into(),
            ..FormValues::default()
        }
    }
}

/// The form's fields: name, command-line option (whose messages belong to the field), label.
const FIELDS: &[(&str, &str, &str)] = &[
    ("patient_name", "--patient-name", "Patient's name"),
    ("audience", "--audience", "Version of the page"),
    ("dose", "--dose", "Current daily dose"),
    (
        "reduction_percent",
        "--reduction-percent",
        "Cut per step (%)",
    ),
    ("interval_days", "--interval-days", "Days per step"),
    ("step", "--step", "Smallest measurable amount"),
    ("min_dose", "--min-dose", "Lowest dose before stopping"),
    ("doses_per_day", "--doses-per-day", "Doses per day"),
    ("start", "--start", "First day of the schedule"),
    ("holds", "--hold", "Held steps"),
    ("mode", "--mode", "How each cut is measured"),
    ("paper", "--paper", "Paper size"),
];

/// Messages by field name, and those that belong to no field.
#[derive(Default)]
struct FormErrors {
    fields: Vec<(&'static str, String)>,
    general: Vec<String>,
}

impl FormErrors {
    fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    fn field(&mut self, name: &'static str, message: impl Into<String>) {
        self.fields.push((name, message.into()));
    }

    fn for_field(&self, name: &str) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, m)| m.as_str())
            .collect()
    }

    /// Sort a command's problems to their fields, naming fields by their labels.
    fn add_messages(&mut self, problems: &[Problem]) {
        for p in problems {
            let own = p
                .field
                .and_then(|f| FIELDS.iter().find(|(name, _, _)| *name == f.id()));
            match own {
                // One message a field: a second one often follows from the first.
                Some((name, _, _)) if !self.for_field(name).is_empty() => {}
                Some((name, _, _)) => self.field(name, sentence(&p.text(&form_label))),
                None => self.general.push(sentence(&p.labelled(&form_label))),
            }
        }
    }
}

/// A field as the form names it: by its label, or in words where the form has no such field.
fn form_label(f: Field) -> String {
    match FIELDS.iter().find(|(name, _, _)| *name == f.id()) {
        Some((_, _, label)) => format!("“{label}”"),
        None => format!("the {}", f.id().replace('_', " ")),
    }
}

fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Leave out a field that did not parse.
fn clear_field(o: &mut TaperOptions, field: Field) {
    match field {
        Field::Dose => o.dose = None,
        Field::ReductionPercent => o.reduction_percent = None,
        Field::IntervalDays => o.interval_days = None,
        Field::Step => o.step = None,
        Field::MinDose => o.min_dose = None,
        Field::DosesPerDay => o.doses_per_day = None,
        Field::Start => o.start = None,
        Field::Mode => o.mode = None,
        Field::Hold => o.holds.clear(),
        Field::Unit => o.unit = None,
        Field::MaxStepPercent => o.max_step_percent = None,
        Field::Page | Field::PatientName | Field::Audience | Field::Paper => {}
    }
}

/// The pages with a `taper:` block, as (path, title).
fn taper_pages(site: &build::Site) -> Vec<(String, String)> {
    let mut pages: Vec<(String, String)> = site
        .pages
        .iter()
        .filter(|d| d.front.taper.is_some())
        .map(|d| (d.path.clone(), d.front.title.clone()))
        .collect();
    pages.sort();
    pages
}

fn query_param(query: &str, name: &str) -> Option<String> {
    parse_form(query.as_bytes())
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

fn handout_get(req: &Request, shared: &Shared) -> Response {
    let chosen = query_param(&req.query, "page").unwrap_or_default();
    let mut errors = FormErrors::default();
    let mut diags = crate::diag::Diagnostics::new();
    let Some(site) = build::load(&shared.root, &mut diags) else {
        return form_unavailable(&diags);
    };
    let pages = taper_pages(&site);
    let doc = if chosen.is_empty() {
        match pages.as_slice() {
            [(only, _)] => site.page(only),
            _ => None,
        }
    } else {
        let d = site.page(&chosen).filter(|d| d.front.taper.is_some());
        if d.is_none() {
            errors.general.push(format!(
                "There is no page “{chosen}” with a taper block: choose one from the list."
            ));
        }
        d
    };
    let status = if errors.is_empty() { 200 } else { 404 };
    let values = match doc.and_then(|d| d.front.taper.as_ref().map(|t| (d, t))) {
        Some((d, t)) => FormValues::defaults(d, t),
        None => FormValues::default(),
    };
    Response::html(status, form_page(&site, &pages, doc, &values, &errors)).no_store()
}

fn form_unavailable(diags: &crate::diag::Diagnostics) -> Response {
    let errors: Vec<Diagnostic> = diags.iter().cloned().collect();
    Response::html(
        503,
        page_shell(
            "The handout form is not available",
            "<p>careguide cannot read the site's configuration, so it cannot list its pages. Fix the problems below and reload.</p>",
            0,
            &errors,
        ),
    )
    .no_store()
}

fn handout_post(req: &Request, shared: &Shared) -> Response {
    if !req.content_type.is_empty()
        && !req
            .content_type
            .starts_with("application/x-www-form-urlencoded")
    {
        return Response::text(
            415,
            "send the form as application/x-www-form-urlencoded (the form's default)",
        )
        .no_store();
    }
    let pairs = parse_form(&req.body);
    let values = FormValues::from_pairs(&pairs);
    let mut diags = crate::diag::Diagnostics::new();
    let Some(site) = build::load(&shared.root, &mut diags) else {
        return form_unavailable(&diags);
    };
    let pages = taper_pages(&site);
    let mut errors = FormErrors::default();
    let has = |name: &str| pairs.iter().any(|(k, _)| k == name);
    if values.page.trim().is_empty() {
        errors
            .general
            .push("The form did not say which page to print: choose a page.".to_string());
        return Response::html(400, form_page(&site, &pages, None, &values, &errors)).no_store();
    }
    let Some(doc) = site
        .page(values.page.trim())
        .filter(|d| d.front.taper.is_some())
    else {
        errors.general.push(format!(
            "There is no page “{}” with a taper block: choose one from the list.",
            values.page.trim()
        ));
        return Response::html(400, form_page(&site, &pages, None, &values, &errors)).no_store();
    };

    // Checks of the form itself; the schedule's own checks follow in the shared code.
    if values.dose.trim().is_empty() {
        errors.field(
            "dose",
            if has("dose") {
                "Enter the patient's current daily dose."
            } else {
                "The form sent no dose: enter the patient's current daily dose."
            },
        );
    }
    let paper = match values.paper.trim() {
        "" | "a4" | "A4" => Paper::A4,
        "letter" | "Letter" => Paper::Letter,
        _ => {
            errors.field("paper", "Choose A4 or Letter.");
            Paper::A4
        }
    };
    let opt = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let options = TaperOptions {
        unit: None,
        dose: opt(&values.dose),
        reduction_percent: opt(&values.reduction_percent),
        interval_days: opt(&values.interval_days),
        step: opt(&values.step),
        min_dose: opt(&values.min_dose),
        doses_per_day: opt(&values.doses_per_day),
        start: opt(&values.start),
        mode: opt(&values.mode),
        holds: values
            .holds
            .split([' ', ',', ';', '\t', '\n', '\r'])
            .filter(|h| !h.is_empty())
            .map(String::from)
            .collect(),
        max_step_percent: None,
    };
    // Every field's problems at once: each option is parsed, then the schedule's inputs are
    // checked with the malformed ones left out (and a stand-in for a missing dose), so that a
    // bad dose does not hide a bad interval. The shared code checks everything again.
    let mut problems: Vec<Problem> = Vec::new();
    let mut probe = options.clone();
    if let Err(errs) = options.params() {
        for e in errs {
            clear_field(&mut probe, e.field);
            problems.push(e.into());
        }
    }
    let stand_in = probe.dose.is_none();
    if stand_in {
        probe.dose = Some("1000000".into());
    }
    if let Some(t) = &doc.front.taper {
        if let Err(Failure::Invalid(more)) = super::taper::input(&probe, Some(t)) {
            let taken: Vec<Option<Field>> = problems.iter().map(|p| p.field).collect();
            problems.extend(more.into_iter().filter(|p| {
                !(p.field.is_some() && taken.contains(&p.field)
                    || (stand_in && p.field == Some(Field::Dose)))
            }));
        }
    }
    errors.add_messages(&problems);
    if !errors.is_empty() {
        return Response::html(422, form_page(&site, &pages, Some(doc), &values, &errors))
            .no_store();
    }
    let made = super::handout::made_date(None).unwrap_or_else(|_| super::taper::today());
    let result = super::handout::make_pdf(&super::handout::Request {
        root: &shared.root,
        page: &doc.path,
        audience: opt(&values.audience).as_deref(),
        patient_name: opt(&values.patient_name).as_deref(),
        taper: &options,
        paper,
        made,
    });
    match result {
        Ok((bytes, _)) => {
            let name: String = doc
                .path
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            Response::new(200, "application/pdf", bytes)
                .header(
                    "Content-Disposition",
                    format!("attachment; filename=\"handout-{name}.pdf\""),
                )
                .no_store()
        }
        Err(Failure::Invalid(problems)) => {
            errors.add_messages(&problems);
            if errors.is_empty() {
                errors.general.push("The handout could not be made.".into());
            }
            Response::html(422, form_page(&site, &pages, Some(doc), &values, &errors)).no_store()
        }
        Err(Failure::Usage(lines)) => {
            errors.general.extend(lines.iter().map(|l| sentence(l)));
            if errors.is_empty() {
                errors.general.push("The handout could not be made.".into());
            }
            Response::html(422, form_page(&site, &pages, Some(doc), &values, &errors)).no_store()
        }
        Err(Failure::Site(d, _)) => {
            errors.general.push(
                "The site has errors, so no handout can be made until they are fixed:".into(),
            );
            errors.general.extend(
                d.iter()
                    .filter(|x| x.severity == Severity::Error)
                    .take(MAX_LISTED)
                    .map(|x| format!("{}: {}", x.location(), x.message)),
            );
            Response::html(503, form_page(&site, &pages, Some(doc), &values, &errors)).no_store()
        }
    }
}

/// The handout form: a page chooser, then (for the chosen page) the schedule's fields with the
/// page's defaults and limits. Every value is escaped; errors sit next to their fields.
fn form_page(
    site: &build::Site,
    pages: &[(String, String)],
    doc: Option<&crate::content::Document>,
    values: &FormValues,
    errors: &FormErrors,
) -> String {
    let e = escape_html;
    let mut h = String::new();
    h.push_str(&format!(
        "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<meta name=\"referrer\" content=\"no-referrer\">\n<title>{}Print a personalized handout: {}</title>\n<link rel=\"stylesheet\" href=\"/_careguide/live.css\">\n</head>\n<body class=\"careguide-form\">\n<main>\n<p><a href=\"/\">Back to the site preview</a></p>\n<h1>Print a personalized handout</h1>\n<p class=\"privacy\">What you enter here goes only to careguide on this computer, which makes the PDF and forgets it: nothing is stored, logged or cached.</p>\n",
        if errors.is_empty() { "" } else { "Error: " },
        e(&site.config.title)
    ));
    if !errors.is_empty() {
        h.push_str("<div class=\"summary\" role=\"alert\" aria-labelledby=\"summary-title\">\n<h2 id=\"summary-title\">Please correct these problems</h2>\n<ul>\n");
        for m in &errors.general {
            h.push_str(&format!("<li>{}</li>\n", e(m)));
        }
        let mut fields: Vec<&(&str, String)> = errors.fields.iter().collect();
        fields.sort_by_key(|(n, _)| FIELDS.iter().position(|(f, _, _)| f == n));
        for (name, m) in fields {
            h.push_str(&format!("<li><a href=\"#f-{name}\">{}</a></li>\n", e(m)));
        }
        h.push_str("</ul>\n</div>\n");
    }
    // The page chooser works without JavaScript: a GET form.
    if pages.is_empty() {
        h.push_str("<p>No page of this site has a <code>taper:</code> block, so there is no schedule to personalize. The README explains the block.</p>\n</main>\n</body>\n</html>\n");
        return h;
    }
    h.push_str("<form method=\"get\" action=\"/handout\">\n<div class=\"field\">\n<label for=\"choose-page\">Page</label>\n<p class=\"hint\" id=\"choose-page-hint\">The pages with a taper schedule.</p>\n<select id=\"choose-page\" name=\"page\" aria-describedby=\"choose-page-hint\">\n");
    let current = doc.map(|d| d.path.as_str()).unwrap_or("");
    for (path, title) in pages {
        h.push_str(&format!(
            "<option value=\"{}\"{}>{} ({})</option>\n",
            e(path),
            if path == current { " selected" } else { "" },
            e(title),
            e(path)
        ));
    }
    h.push_str(
        "</select>\n</div>\n<button type=\"submit\">Show this page's form</button>\n</form>\n",
    );
    let Some(doc) = doc else {
        h.push_str("</main>\n</body>\n</html>\n");
        return h;
    };
    let Some(t) = &doc.front.taper else {
        h.push_str("</main>\n</body>\n</html>\n");
        return h;
    };
    let unit = t.unit.to_string();
    h.push_str(&format!(
        "<form method=\"post\" action=\"/handout\" autocomplete=\"off\">\n<h2>{}</h2>\n<input type=\"hidden\" name=\"page\" value=\"{}\">\n",
        e(&doc.front.title),
        e(&doc.path)
    ));

    h.push_str("<fieldset>\n<legend>Patient</legend>\n");
    h.push_str(&text_field(
        "patient_name",
        "Patient's name (optional)",
        "Printed on the handout only.",
        &values.patient_name,
        "text",
        errors,
    ));
    // The audience: the page's versions.
    let default_audience = if doc.audiences.iter().any(|a| a == "patient") {
        "patient".to_string()
    } else {
        site.config.default_audience.clone()
    };
    let chosen = if values.audience.is_empty() {
        default_audience
    } else {
        values.audience.clone()
    };
    let errs = errors.for_field("audience");
    h.push_str(&field_open(
        "audience",
        "Version of the page",
        "Whose wording the handout uses.",
        &errs,
    ));
    h.push_str(&format!(
        "<select id=\"f-audience\" name=\"audience\"{}>\n",
        described("audience", &errs)
    ));
    for a in &doc.audiences {
        let label = site
            .config
            .audience(a)
            .map(|x| x.label.clone())
            .unwrap_or_else(|| a.clone());
        h.push_str(&format!(
            "<option value=\"{}\"{}>{}</option>\n",
            e(a),
            if *a == chosen { " selected" } else { "" },
            e(&label)
        ));
    }
    h.push_str("</select>\n</div>\n</fieldset>\n");

    h.push_str(&format!(
        "<fieldset>\n<legend>Schedule for {} (doses in {})</legend>\n",
        e(&t.substance),
        e(&unit)
    ));
    h.push_str(&text_field(
        "dose",
        &format!("Current daily dose ({unit})"),
        "The amount the patient takes per day now. Required.",
        &values.dose,
        "decimal",
        errors,
    ));
    let numeric: [(&str, String, &Limit, &str); 5] = [
        (
            "reduction_percent",
            "Cut per step (%)".into(),
            &t.reduction_percent,
            "%",
        ),
        (
            "interval_days",
            "Days per step".into(),
            &t.interval_days,
            "",
        ),
        (
            "step",
            format!("Smallest measurable amount ({unit})"),
            &t.step,
            "",
        ),
        (
            "min_dose",
            format!("Lowest dose before stopping ({unit})"),
            &t.min_dose,
            "",
        ),
        (
            "doses_per_day",
            "Doses per day".into(),
            &t.doses_per_day,
            "",
        ),
    ];
    for (name, label, limit, suffix) in numeric {
        let value = match name {
            "reduction_percent" => &values.reduction_percent,
            "interval_days" => &values.interval_days,
            "step" => &values.step,
            "min_dose" => &values.min_dose,
            _ => &values.doses_per_day,
        };
        h.push_str(&text_field(
            name,
            &label,
            &limit_hint(limit, suffix),
            value,
            "decimal",
            errors,
        ));
    }
    h.push_str(&text_field(
        "start",
        "First day of the schedule",
        "As YYYY-MM-DD, for example 2026-12-01.",
        &values.start,
        "text",
        errors,
    ));
    h.push_str(&text_field(
        "holds",
        "Held steps (optional)",
        "Steps to lengthen, as STEP:DAYS separated by spaces: 5:7 9:7 adds 7 days to steps 5 and 9.",
        &values.holds,
        "text",
        errors,
    ));
    h.push_str(&radios(
        "mode",
        "How each cut is measured",
        &[
            (
                "previous",
                "A percent of the previous step's dose (smaller cuts as the dose falls)",
            ),
            ("initial", "A percent of the start dose (equal cuts)"),
        ],
        if values.mode.is_empty() {
            "previous"
        } else {
            &values.mode
        },
        errors,
    ));
    h.push_str("</fieldset>\n");
    h.push_str(&radios(
        "paper",
        "Paper size",
        &[("a4", "A4"), ("letter", "Letter")],
        &values.paper.to_ascii_lowercase(),
        errors,
    ));
    h.push_str(
        "<button type=\"submit\">Make the PDF</button>\n</form>\n</main>\n</body>\n</html>\n",
    );
    h
}

fn limit_hint(l: &Limit, suffix: &str) -> String {
    let range = match (l.min, l.max) {
        (Some(a), Some(b)) => format!("From {a}{suffix} to {b}{suffix}."),
        (Some(a), None) => format!("At least {a}{suffix}."),
        (None, Some(b)) => format!("At most {b}{suffix}."),
        (None, None) => String::new(),
    };
    let default = match l.default {
        Some(d) => format!(" The page's default is {d}{suffix}."),
        None => String::new(),
    };
    let s = format!("{range}{default}");
    if s.trim().is_empty() {
        "Leave empty for careguide's default.".to_string()
    } else {
        s.trim().to_string()
    }
}

/// `aria-describedby` (hint and error) and `aria-invalid` for a field's control.
fn described(name: &str, errs: &[&str]) -> String {
    if errs.is_empty() {
        format!(" aria-describedby=\"f-{name}-hint\"")
    } else {
        format!(" aria-describedby=\"f-{name}-hint f-{name}-error\" aria-invalid=\"true\"")
    }
}

fn field_open(name: &str, label: &str, hint: &str, errs: &[&str]) -> String {
    let mut s = format!(
        "<div class=\"field{}\">\n<label for=\"f-{name}\">{}</label>\n<p class=\"hint\" id=\"f-{name}-hint\">{}</p>\n",
        if errs.is_empty() { "" } else { " invalid" },
        escape_html(label),
        escape_html(hint)
    );
    s.push_str(&error_text(name, errs));
    s
}

fn error_text(name: &str, errs: &[&str]) -> String {
    if errs.is_empty() {
        return String::new();
    }
    format!(
        "<p class=\"error\" id=\"f-{name}-error\"><span class=\"visually-hidden\">Error: </span>{}</p>\n",
        errs.iter()
            .map(|m| escape_html(m))
            .collect::<Vec<_>>()
            .join(" ")
    )
}

fn text_field(
    name: &str,
    label: &str,
    hint: &str,
    value: &str,
    inputmode: &str,
    errors: &FormErrors,
) -> String {
    let errs = errors.for_field(name);
    let mut s = field_open(name, label, hint, &errs);
    s.push_str(&format!(
        "<input type=\"text\" id=\"f-{name}\" name=\"{name}\" value=\"{}\"{}{}{}>\n</div>\n",
        escape_html(value),
        if inputmode == "decimal" {
            " inputmode=\"decimal\""
        } else {
            ""
        },
        if name == "dose" { " required" } else { "" },
        described(name, &errs)
    ));
    s
}

fn radios(
    name: &str,
    legend: &str,
    choices: &[(&str, &str)],
    chosen: &str,
    errors: &FormErrors,
) -> String {
    let errs = errors.for_field(name);
    let mut s = format!(
        "<fieldset id=\"f-{name}\" class=\"field{}\"{}>\n<legend>{}</legend>\n",
        if errs.is_empty() { "" } else { " invalid" },
        if errs.is_empty() {
            String::new()
        } else {
            format!(" aria-describedby=\"f-{name}-error\"")
        },
        escape_html(legend)
    );
    s.push_str(&error_text(name, &errs));
    for (i, (value, label)) in choices.iter().enumerate() {
        s.push_str(&format!(
            "<div class=\"choice\"><input type=\"radio\" id=\"f-{name}-{i}\" name=\"{name}\" value=\"{value}\"{}> <label for=\"f-{name}-{i}\">{}</label></div>\n",
            if *value == chosen { " checked" } else { "" },
            escape_html(label)
        ));
    }
    s.push_str("</fieldset>\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_bodies_decode() {
        let f = parse_form(b"a=1&name=J%C3%B6rg+O%27Neil&empty=&bad=%zz&last");
        assert_eq!(f[0], ("a".into(), "1".into()));
        assert_eq!(f[1], ("name".into(), "Jörg O'Neil".into()));
        assert_eq!(f[2], ("empty".into(), String::new()));
        assert_eq!(f[3], ("bad".into(), "%zz".into()));
        assert_eq!(f[4], ("last".into(), String::new()));
        assert_eq!(percent_decode(b"%4", false), b"%4");
        assert_eq!(percent_decode(b"a%2", false), b"a%2");
    }

    #[test]
    fn messages_go_to_their_fields_with_labels() {
        let mut e = FormErrors::default();
        e.add_messages(&[
            Problem::of(Field::Dose, "'abc' is not a number"),
            Problem::of(
                Field::IntervalDays,
                "no days per step: pass {interval_days}",
            ),
            Problem::of(Field::Page, "something else"),
        ]);
        assert_eq!(e.for_field("dose"), vec!["'abc' is not a number"]);
        assert_eq!(
            e.for_field("interval_days"),
            vec!["No days per step: pass “Days per step”"]
        );
        assert_eq!(e.general, vec!["The page: something else"]);
    }

    #[test]
    fn overlay_escapes_everything() {
        let d = Diagnostic::error("x/y", "bad <script>")
            .at("content/a&b.md", 3, 4)
            .hint("use \"quotes\"");
        let o = overlay(&[d]);
        assert!(o.contains("content/a&amp;b.md:3:4"));
        assert!(o.contains("bad &lt;script&gt;"));
        assert!(o.contains("use &quot;quotes&quot;"));
        assert!(!o.contains("<script>"));
    }

    #[test]
    fn only_local_host_names_are_answered_on_loopback() {
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "[::1]:8080",
            "localhost",
            "a.localhost:1",
        ] {
            assert!(local_host(ok), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "10.0.0.1:8080",
            "[2001:db8::1]:80",
            "localhost.evil.example",
        ] {
            assert!(!local_host(bad), "{bad}");
        }
    }

    #[test]
    fn other_addresses_than_loopback_are_warned_about() {
        let at = |s: &str| SocketAddr::new(s.parse().unwrap(), 8080);
        assert!(bind_warning(&at("127.0.0.1")).is_none());
        assert!(bind_warning(&at("::1")).is_none());
        let w = bind_warning(&at("0.0.0.0")).unwrap();
        assert!(w.contains("patient data") && w.contains("unencrypted"));
        assert!(bind_warning(&at("192.0.2.7")).is_some());
        assert_eq!(parse_bind("localhost"), Ok(IpAddr::V4(Ipv4Addr::LOCALHOST)));
        assert!(parse_bind("example.org").is_err());
    }

    #[test]
    fn injection_goes_before_the_body_end() {
        let s = inject("<html><body><p>x</p></BODY></html>", 7, &[]);
        assert!(s.contains("data-careguide-version=\"7\""));
        assert!(s.ends_with("</BODY></html>"));
        let e = Diagnostic::error("x/y", "broken");
        let s = inject("<html><body class=\"a\"><p>x</p></body></html>", 8, &[e]);
        let (overlay, script, page) = (
            s.find("careguide-build-error"),
            s.find("live.js"),
            s.find("<p>x</p>"),
        );
        assert!(overlay < page && page < script, "{s}");
        assert!(s.starts_with("<html><body class=\"a\">\n<section"));
    }
}
