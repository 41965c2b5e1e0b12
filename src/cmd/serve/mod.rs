//! `careguide serve`: a local preview of the site that rebuilds when its sources change, and a
//! form at `/handout` that makes a patient's personalized PDF.
//!
//! The site is built into `ROOT/.careguide-serve/site` (never the public output folder) by
//! the same pipeline as `careguide build`. A failed build leaves that folder as it was, so the
//! last good site keeps being served, with the build's errors at the top of each page. While a
//! build runs the last good site is served as usual: the build swaps the new one in at once. Pages
//! reload by themselves: a small script, added to HTML responses only (never to the built
//! files), listens to `/_careguide/events`, where the server sends `reload` after each build
//! that changed what is served.
//!
//! What is typed into the handout form is used to make one PDF in memory and then dropped:
//! there is no access log, no temporary file, no cache entry, and the responses carry
//! `Cache-Control: no-store`. The server listens on loopback unless `--bind` says otherwise.
//!
//! The parts: `http` (connections, limits, parsing), `watch` (the sources), `rebuild` (the
//! builds), `routes` (what each request gets), `pages` (the server's own HTML), `form` (the
//! handout form), `templates` (the server's pages, overridable by the site).
//!
//! Exit codes: 2 when the server cannot start (the port is in use, the folder is missing);
//! otherwise it runs until it is stopped.

mod form;
mod http;
mod pages;
mod rebuild;
mod routes;
mod templates;
mod watch;

use std::io::Write;
use std::net::{IpAddr, Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, RwLock};
use std::time::{Duration, Instant};

use self::http::{Reply, Request, Response, Slot};
use self::rebuild::build_once;
use self::routes::route;
use self::templates::ServeTemplates;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model;

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
    built: PathBuf,
    pdf: bool,
    /// Listening on loopback only: requests must name a loopback host.
    loopback: bool,
    /// The token the handout form carries, which a POST to it must send back (see
    /// `routes::sent_from_the_form`).
    form_token: String,
    /// The site as the handout form reads it, loaded once and kept until the watcher sees a
    /// change (kept only when there is a watcher).
    site: Mutex<SiteCache>,
    /// One load of the site at a time: requests that come meanwhile wait for it, not load it
    /// again.
    loading: Mutex<()>,
    keep_site: bool,
    status: Mutex<Status>,
    /// Signalled when `status.version` changes, for the open event streams.
    changed: Condvar,
    /// The server's own pages, as of the last build.
    templates: RwLock<Arc<ServeTemplates>>,
    /// Ordinary requests being handled, and open event streams: two caps.
    connections: Arc<AtomicUsize>,
    streams: Arc<AtomicUsize>,
}

/// The site's sources as loaded for the form, with what loading them found.
pub(super) struct Loaded {
    pub(super) site: Option<model::Site>,
    pub(super) diags: Diagnostics,
}

#[derive(Default)]
struct SiteCache {
    /// Counts the changes seen, so that a load that began before one is not kept.
    generation: u64,
    loaded: Option<Arc<Loaded>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Shared {
    fn status(&self) -> MutexGuard<'_, Status> {
        lock(&self.status)
    }

    /// The site as the sources are now: the one loaded for an earlier request while nothing
    /// changed since (a site of 1,500 pages takes about 0.3 s to load).
    fn loaded(&self) -> Arc<Loaded> {
        let _one = lock(&self.loading);
        let generation = {
            let cache = lock(&self.site);
            if let Some(l) = &cache.loaded {
                return Arc::clone(l);
            }
            cache.generation
        };
        let mut diags = Diagnostics::new();
        let site = model::load(&self.root, &mut diags);
        let loaded = Arc::new(Loaded { site, diags });
        let mut cache = lock(&self.site);
        if self.keep_site && cache.generation == generation {
            cache.loaded = Some(Arc::clone(&loaded));
        }
        loaded
    }

    /// The sources changed: the next request loads them again.
    fn forget_site(&self) {
        let mut cache = lock(&self.site);
        cache.generation += 1;
        cache.loaded = None;
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
    // Watching starts before the first build, so that a change made during it is seen after.
    let mut watch = match watch::Watch::start(&args.root, args.poll) {
        Ok(w) => Some(w),
        Err(e) => {
            eprintln!("careguide serve: {e}; changes will not be seen: restart to rebuild");
            None
        }
    };
    let shared = Arc::new(Shared {
        built: args.root.join(SERVE_DIR).join("site"),
        root: args.root.clone(),
        pdf: args.pdf,
        loopback: args.bind.is_loopback(),
        form_token: form_token(),
        site: Mutex::new(SiteCache::default()),
        loading: Mutex::new(()),
        keep_site: watch.is_some(),
        status: Mutex::new(Status::default()),
        changed: Condvar::new(),
        templates: RwLock::new(Arc::new(ServeTemplates::builtin())),
        connections: Arc::new(AtomicUsize::new(0)),
        streams: Arc::new(AtomicUsize::new(0)),
    });

    // Requests wait in the listen queue until the first build is done; after that, builds
    // run beside the requests, which are answered from the last good build meanwhile.
    build_once(&shared);
    if let Some(mut w) = watch.take() {
        let builder = Arc::clone(&shared);
        std::thread::spawn(move || {
            while w.next_change() {
                builder.forget_site();
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

/// A token for the handout form, new for each run of the server: 128 bits from std's
/// `RandomState`, whose SipHash keys come from the system's random source (a crate for random
/// numbers would be one more dependency for these few lines).
fn form_token() -> String {
    use std::hash::{BuildHasher, Hasher};
    let state = std::collections::hash_map::RandomState::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    (0..2u8)
        .map(|half| {
            let mut h = state.build_hasher();
            h.write_u8(half);
            h.write_u128(now);
            h.write_u32(std::process::id());
            format!("{:016x}", h.finish())
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

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

    fn shared(root: &std::path::Path, keep_site: bool) -> Shared {
        Shared {
            root: root.to_path_buf(),
            built: root.join(SERVE_DIR).join("site"),
            pdf: false,
            loopback: true,
            form_token: form_token(),
            site: Mutex::new(SiteCache::default()),
            loading: Mutex::new(()),
            keep_site,
            status: Mutex::new(Status::default()),
            changed: Condvar::new(),
            templates: RwLock::new(Arc::new(ServeTemplates::builtin())),
            connections: Arc::new(AtomicUsize::new(0)),
            streams: Arc::new(AtomicUsize::new(0)),
        }
    }

    /// The form's requests share one load of the site until the watcher sees a change.
    #[test]
    fn the_site_is_loaded_once_until_it_changes() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        let config = include_str!("../../../tests/fixtures/taper/site/careguide.toml");
        std::fs::write(dir.path().join("careguide.toml"), config).unwrap();
        let page = "---\ntitle: A\nsummary: S.\nupdated: 2026-11-26\nreview:\n  status: draft\n---\nText.\n";
        std::fs::write(dir.path().join("content/a.md"), page).unwrap();
        let s = shared(dir.path(), true);
        let first = s.loaded();
        let pages = |l: &Loaded| l.site.as_ref().map(|x| x.pages.len()).unwrap_or(0);
        assert_eq!(pages(&first), 1, "{:?}", first.diags);
        assert!(Arc::ptr_eq(&first, &s.loaded()));
        std::fs::write(dir.path().join("content/b.md"), page).unwrap();
        assert!(
            Arc::ptr_eq(&first, &s.loaded()),
            "kept until a change is seen"
        );
        s.forget_site();
        let second = s.loaded();
        assert!(!Arc::ptr_eq(&first, &second));
        assert_eq!(pages(&second), 2, "{:?}", second.diags);
        // Without a watcher nothing is kept.
        let s = shared(dir.path(), false);
        assert!(!Arc::ptr_eq(&s.loaded(), &s.loaded()));
    }

    #[test]
    fn form_tokens_are_new_each_time() {
        let (a, b) = (form_token(), form_token());
        assert_eq!(a.len(), 32);
        assert!(a.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(a, b);
    }
}
