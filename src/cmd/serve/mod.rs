//! `careguide serve`: a local preview of the site that rebuilds when its sources change, and a
//! form at `/handout` that makes a patient's personalized PDF.
//!
//! The site is built into `ROOT/.careguide-serve/site` (never the public output folder) by
//! the same pipeline as `careguide build`. A failed build leaves that folder as it was, so the
//! last good site keeps being served, with the build's errors at the top of each page. Pages
//! reload by themselves: a small script, added to HTML responses only (never to the built
//! files), listens to `/_careguide/events`, where the server sends `reload` after each build
//! that changed what is served.
//!
//! What is typed into the handout form is used to make one PDF in memory and then dropped:
//! there is no access log, no temporary file, no cache entry, and the responses carry
//! `Cache-Control: no-store`. The server listens on loopback unless `--bind` says otherwise.
//!
//! The parts: `http` (connections, limits, parsing), `watch` (the sources), `form` (the
//! handout form), `templates` (the server's pages, overridable by the site).
//!
//! Exit codes: 2 when the server cannot start (the port is in use, the folder is missing);
//! otherwise it runs until it is stopped.

mod form;
mod http;
mod templates;
mod watch;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use tera::Context;

use self::http::{Reply, Request, Response, Slot};
use self::templates::ServeTemplates;
use crate::build::{self, Options};
use crate::diag::{Diagnostic, Severity};

pub use self::http::{parse_form, MAX_BODY};

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
    /// Look for changes by checking the files every 0.3 s instead of using the system's change
    /// notifications (for folders on a network drive or shared into a container, where those
    /// do not arrive). Used by itself when the notifications cannot be had.
    #[arg(long)]
    pub poll: bool,
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
/// Errors listed in the overlay; the rest are counted.
const MAX_LISTED: usize = 50;
/// How often an open event stream says it is still there when nothing was built (which also
/// finds the pages whose computer went away without closing the connection).
const KEEP_ALIVE: Duration = Duration::from_secs(15);

const LIVE_JS: &str = include_str!("live.js");
const LIVE_CSS: &str = include_str!("live.css");

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
    /// Signalled when `status.version` changes, for the open event streams.
    changed: Condvar,
    /// The server's own pages, as of the last build.
    templates: RwLock<Arc<ServeTemplates>>,
    /// Ordinary requests being handled, and open event streams: two caps.
    connections: Arc<AtomicUsize>,
    streams: Arc<AtomicUsize>,
}

impl Shared {
    fn status(&self) -> std::sync::MutexGuard<'_, Status> {
        self.status.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn templates(&self) -> Arc<ServeTemplates> {
        Arc::clone(&self.templates.read().unwrap_or_else(|p| p.into_inner()))
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
    quiet_request_panics();
    let shared = Arc::new(Shared {
        site: args.root.join(SERVE_DIR).join("site"),
        root: args.root.clone(),
        pdf: args.pdf,
        loopback: args.bind.is_loopback(),
        files: RwLock::new(()),
        status: Mutex::new(Status::default()),
        changed: Condvar::new(),
        templates: RwLock::new(Arc::new(ServeTemplates::builtin())),
        connections: Arc::new(AtomicUsize::new(0)),
        streams: Arc::new(AtomicUsize::new(0)),
    });

    // Watching starts before the first build, so that a change made during it is seen after.
    // Requests wait in the listen queue until that build is done.
    let mut watch = match watch::Watch::start(&shared.root, args.poll) {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!("careguide serve: {e}; changes will not be seen: restart to rebuild");
            None
        }
    };
    build_once(&shared);
    if let Some(mut w) = watch.take() {
        let builder = Arc::clone(&shared);
        std::thread::spawn(move || {
            while w.next_change() {
                build_once(&builder);
            }
        });
    }

    let connections = Arc::clone(&shared.connections);
    http::serve(listener, connections, move |stream, request, slot| {
        answer(stream, request, slot, &shared)
    });
    0
}

/// A panic while answering a request prints where, not its message: the message could quote
/// what was typed into the handout form. Other panics are printed as usual.
fn quiet_request_panics() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().name() == Some(http::REQUEST_THREAD) {
            let at = info
                .location()
                .map(|l| format!(" at {}:{}", l.file(), l.line()))
                .unwrap_or_default();
            eprintln!(
                "careguide serve: a request stopped on an internal error{at} (its message is not shown: it may hold what was typed into the form); this is a careguide bug"
            );
        } else {
            default(info);
        }
    }));
}

/// Answer one request on its connection.
fn answer(stream: &mut TcpStream, request: Result<Request, Response>, slot: Slot, shared: &Shared) {
    let (reply, head_only) = match request {
        Ok(req) => {
            let reply =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| route(&req, shared)))
                    .unwrap_or_else(|_| {
                        Reply::Full(Response::text(500, "internal error").no_store())
                    });
            (reply, req.method == "HEAD")
        }
        Err(refused) => (Reply::Full(refused), false),
    };
    match reply {
        Reply::Full(r) => http::respond(stream, &r, head_only),
        Reply::Events => match Slot::take(&shared.streams, http::MAX_STREAMS) {
            Some(stream_slot) => {
                // An open stream counts against its own cap, not the ordinary requests'.
                drop(slot);
                events(stream, shared);
                drop(stream_slot);
            }
            None => http::respond(
                stream,
                &Response::text(503, "too many pages are waiting for reloads at once").no_store(),
                false,
            ),
        },
    }
}

/// The live-reload event stream of one open page: `version` when it opens (the page reloads
/// if a build ended before), `reload` after each build that changed what is served, and a
/// comment now and then. It ends when the page goes away (seen within a second, so that its
/// slot is free again) or the server stops.
fn events(stream: &mut TcpStream, shared: &Shared) {
    if http::start_events(stream).is_err() {
        return;
    }
    let mut seen = shared.status().version;
    let send = |stream: &mut TcpStream, text: String| {
        stream
            .write_all(text.as_bytes())
            .and_then(|_| stream.flush())
            .is_ok()
    };
    if !send(
        stream,
        format!("retry: 1000\nevent: version\ndata: {seen}\n\n"),
    ) {
        return;
    }
    let mut quiet = Instant::now();
    loop {
        let version = {
            let status = shared.status();
            let (status, _) = shared
                .changed
                .wait_timeout_while(status, Duration::from_secs(1), |s| s.version == seen)
                .unwrap_or_else(|p| p.into_inner());
            status.version
        };
        let text = if version != seen {
            seen = version;
            format!("event: reload\ndata: {version}\n\n")
        } else if http::closed(stream) {
            return;
        } else if quiet.elapsed() >= KEEP_ALIVE {
            ": waiting for a change\n\n".to_string()
        } else {
            continue;
        };
        if !send(stream, text) {
            return;
        }
        quiet = Instant::now();
    }
}

/// Build the site into the preview folder and record the outcome; load the server's templates
/// again (the site's `templates/serve/` may have changed).
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
    let (templates, template_problems) = ServeTemplates::load(&shared.root);
    // A changed overlay or shell template reloads the pages that show it.
    let templates_changed = templates.sources != shared.templates().sources;
    *shared.templates.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(templates);
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    if !template_problems.is_empty() {
        let mut ds = crate::diag::Diagnostics::new();
        ds.extend(template_problems);
        crate::diag::render_human(&ds, &shared.root, &mut err, false);
    }
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
    if status.version == 0
        || written > 0
        || files != status.files
        || errors != status.errors
        || templates_changed
    {
        status.version += 1;
        shared.changed.notify_all();
    }
    if errors.is_empty() {
        status.built = true;
    }
    status.files = files;
    status.errors = errors;
}

// ---------------------------------------------------------------------------------------------
// Routes. Every check that keeps the preview and the form safe is made here, before any
// template is involved.

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

fn route(req: &Request, shared: &Shared) -> Reply {
    if shared.loopback && !req.host.is_empty() && !local_host(&req.host) {
        return Reply::Full(
            Response::text(
                403,
                "this preview answers requests for 127.0.0.1 or localhost only",
            )
            .no_store(),
        );
    }
    let path = req.path.as_str();
    Reply::Full(match (req.method.as_str(), path) {
        ("GET", "/_careguide/events") => return Reply::Events,
        ("HEAD", "/_careguide/events") => {
            Response::new(200, "text/event-stream", Vec::new()).no_store()
        }
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
        ("GET" | "HEAD", "/handout" | "/handout/") => form::get(req, shared),
        ("POST", "/handout" | "/handout/") => form::post(req, shared),
        (_, "/handout" | "/handout/") => Response::text(405, "use GET or POST")
            .header("Allow", "GET, HEAD, POST")
            .no_store(),
        ("GET" | "HEAD", _) => static_file(path, shared),
        _ => Response::text(405, "the preview answers GET and HEAD").header("Allow", "GET, HEAD"),
    })
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
        let body = shell(
            shared,
            "The site has not been built yet",
            "not-built",
            path,
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
                let overlay = overlay(&shared.templates(), &errors);
                Response::html(200, inject(&html, version, &overlay))
                    .header("Cache-Control", "no-cache")
            } else {
                Response::new(200, ctype, bytes).header("Cache-Control", "no-cache")
            }
        }
        Err(_) => Response::html(
            404,
            shell(shared, "Not found", "not-found", path, version, &errors),
        )
        .no_store(),
    }
}

/// The build's errors at the start of the body, where they are seen and read first, and the
/// reload script before `</body>`.
fn inject(html: &str, version: u64, overlay: &str) -> String {
    let script = format!(
        "<link rel=\"stylesheet\" href=\"/_careguide/live.css\"><script src=\"/_careguide/live.js\" data-careguide-version=\"{version}\" defer></script>\n"
    );
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

#[derive(Serialize)]
struct OverlayError {
    location: String,
    message: String,
    rule: String,
    hint: Option<String>,
}

/// The failed build's errors as an HTML block (`serve/overlay.html`); empty when there are
/// none.
fn overlay(t: &ServeTemplates, errors: &[Diagnostic]) -> String {
    if errors.is_empty() {
        return String::new();
    }
    let listed: Vec<OverlayError> = errors
        .iter()
        .take(MAX_LISTED)
        .map(|d| OverlayError {
            location: d.location(),
            message: d.message.clone(),
            rule: d.rule.clone(),
            hint: d.hint.clone(),
        })
        .collect();
    let mut ctx = Context::new();
    ctx.insert("count", &errors.len());
    ctx.insert("errors", &listed);
    ctx.insert("more", &errors.len().saturating_sub(MAX_LISTED));
    t.render(templates::OVERLAY, &ctx, false)
        .trim_start()
        .to_string()
}

/// A page of the server's own (not of the site), `serve/shell.html`, with the errors and the
/// reload script.
fn shell(
    shared: &Shared,
    title: &str,
    kind: &str,
    path: &str,
    version: u64,
    errors: &[Diagnostic],
) -> String {
    let t = shared.templates();
    let mut ctx = Context::new();
    ctx.insert("title", title);
    ctx.insert("kind", kind);
    ctx.insert("path", path);
    let doc = t.render(templates::SHELL, &ctx, false);
    inject(&doc, version, &overlay(&t, errors))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlay_escapes_everything() {
        let d = Diagnostic::error("x/y", "bad <script>")
            .at("content/a&b.md", 3, 4)
            .hint("use \"quotes\"");
        let o = overlay(&ServeTemplates::builtin(), &[d]);
        assert!(o.contains("id=\"careguide-build-error\""));
        assert!(o.contains("content/a&amp;b.md:3:4"));
        assert!(o.contains("bad &lt;script&gt;"));
        assert!(o.contains("hint: use &quot;quotes&quot;"));
        assert!(!o.contains("<script>"));
        assert_eq!(overlay(&ServeTemplates::builtin(), &[]), "");
        let many: Vec<Diagnostic> = (0..MAX_LISTED + 3)
            .map(|i| Diagnostic::error("x/y", format!("error {i}")))
            .collect();
        let o = overlay(&ServeTemplates::builtin(), &many);
        assert_eq!(o.matches("<li>").count(), MAX_LISTED);
        assert!(o.contains("… and 3 more"));
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
        let s = inject("<html><body><p>x</p></BODY></html>", 7, "");
        assert!(s.contains("data-careguide-version=\"7\""));
        assert!(s.ends_with("</BODY></html>"));
        let e = Diagnostic::error("x/y", "broken");
        let o = overlay(&ServeTemplates::builtin(), &[e]);
        let s = inject("<html><body class=\"a\"><p>x</p></body></html>", 8, &o);
        let (overlay, script, page) = (
            s.find("careguide-build-error"),
            s.find("live.js"),
            s.find("<p>x</p>"),
        );
        assert!(overlay < page && page < script, "{s}");
        assert!(s.starts_with("<html><body class=\"a\">\n<section"), "{s:?}");
    }

    #[test]
    fn the_live_script_listens_for_reloads() {
        assert!(LIVE_JS.contains("new EventSource(\"/_careguide/events\")"));
        assert!(LIVE_JS.contains("\"reload\""));
    }
}
