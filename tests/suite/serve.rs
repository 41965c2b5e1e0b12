//! `careguide serve` end to end: the real binary on a loopback port, spoken to with a small
//! HTTP client. Every server is killed when its test ends (`Server` kills on drop).

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use crate::support::{careguide, files_under, fixture_site};

const PAGE: &str = "content/kratom-withdrawal.md";
/// A name that must never leave the PDF: not on disk, not in the server's output.
const PATIENT: &str = "Zebulon Quartermaine";

struct Server {
    child: Child,
    port: u16,
    dir: tempfile::TempDir,
}

impl Server {
    /// A copy of the fixture site, served on a free port.
    fn start() -> Server {
        Server::start_with(&[], |_| {})
    }

    /// The same, with more arguments, after `prepare` has changed the copy.
    fn start_with(args: &[&str], prepare: impl FnOnce(&Path)) -> Server {
        let (dir, site) = fixture_site("taper/site");
        prepare(&site);
        let stderr = std::fs::File::create(dir.path().join("stderr.txt")).unwrap();
        let mut child = careguide(["serve", "--port", "0"])
            .args(args)
            .arg("--root")
            .arg(site)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let mut server = Server {
            child,
            port: 0,
            dir,
        };
        let line = rx
            .recv_timeout(Duration::from_secs(60))
            .expect("serve printed no address");
        let port = line
            .split("http://127.0.0.1:")
            .nth(1)
            .and_then(|r| r.split('/').next())
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("no port in {line:?}; stderr: {}", server.stderr()));
        server.port = port;
        server
    }

    fn root(&self) -> PathBuf {
        self.dir.path().join("site")
    }

    fn stderr(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("stderr.txt")).unwrap_or_default()
    }

    fn get(&self, path: &str) -> Reply {
        http(self.port, "GET", path, None)
    }

    /// A form sent as a browser sends it from the server's own page (with its Origin).
    fn post(&self, path: &str, body: &str) -> Reply {
        let origin = format!("Origin: http://127.0.0.1:{}\r\n", self.port);
        self.post_with(&origin, path, body)
    }

    /// A form sent with these header lines (each ending in CR LF) and no others of its own.
    fn post_with(&self, headers: &str, path: &str, body: &str) -> Reply {
        let req = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\n{headers}Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            self.port,
            body.len()
        );
        raw(self.port, req.as_bytes())
    }

    fn version(&self) -> String {
        self.get("/_careguide/version").text().trim().to_string()
    }

    /// Change a file of the site, then wait for the build that follows.
    fn edit(&self, rel: &str, f: impl FnOnce(&Path)) {
        let before = self.version();
        f(&self.root().join(rel));
        wait_for(|| self.version() != before, "a rebuild after the edit");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).to_string()
    }

    fn header(&self, name: &str) -> Option<String> {
        self.head.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }
}

/// One request over a fresh loopback connection, `Connection: close`, bounded in time.
fn http(port: u16, method: &str, path: &str, body: Option<(&str, &[u8])>) -> Reply {
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n");
    if let Some((ctype, b)) = body {
        req.push_str(&format!(
            "Content-Type: {ctype}\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    let mut bytes = req.into_bytes();
    if let Some((_, b)) = body {
        bytes.extend_from_slice(b);
    }
    raw(port, &bytes)
}

/// Send `bytes` as they are and read the whole response.
fn raw(port: u16, bytes: &[u8]) -> Reply {
    let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
    let mut last = None;
    for _ in 0..50 {
        match TcpStream::connect_timeout(&addr, Duration::from_secs(5)) {
            Ok(mut s) => {
                s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
                s.set_write_timeout(Some(Duration::from_secs(10))).unwrap();
                // The server may answer (413) before reading a body it refuses.
                let _ = s.write_all(bytes);
                let mut raw = Vec::new();
                let _ = s.read_to_end(&mut raw);
                let split = raw
                    .windows(4)
                    .position(|w| w == b"\r\n\r\n")
                    .unwrap_or_else(|| {
                        panic!("no response head: {:?}", String::from_utf8_lossy(&raw))
                    });
                let head = String::from_utf8_lossy(&raw[..split]).to_string();
                let status = head
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(0);
                return Reply {
                    status,
                    head,
                    body: raw[split + 4..].to_vec(),
                };
            }
            Err(e) => {
                last = Some(e);
                std::thread::sleep(Duration::from_millis(100));
            }
        }
    }
    panic!("cannot connect to 127.0.0.1:{port}: {last:?}");
}

fn wait_for(mut cond: impl FnMut() -> bool, what: &str) {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(30) {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("timed out waiting for {what}");
}

fn replace(path: &Path, from: &str, to: &str) {
    let text = std::fs::read_to_string(path).unwrap();
    assert!(text.contains(from), "{from:?} not in {}", path.display());
    std::fs::write(path, text.replace(from, to)).unwrap();
}

const TITLE: &str = "title: Safe withdrawal from kratom dependence";

#[test]
fn serves_the_site_and_rebuilds_on_change_with_an_error_overlay() {
    let s = Server::start();
    let home = s.get("/");
    assert_eq!(home.status, 200, "{}", s.stderr());
    assert!(home.text().contains("data-careguide-version"));
    // Directories without a slash are redirected, so that relative links work.
    let r = s.get("/kratom-withdrawal");
    assert_eq!(r.status, 301);
    assert_eq!(r.header("Location").as_deref(), Some("/kratom-withdrawal/"));
    let page = s.get("/kratom-withdrawal/");
    assert_eq!(page.status, 200);
    assert!(page
        .text()
        .contains("Safe withdrawal from kratom dependence"));
    assert!(!page.text().contains("careguide-build-error"));
    assert_eq!(s.get("/no-such-page/").status, 404);
    assert_eq!(s.get("/../careguide.toml").status, 400);
    assert_eq!(s.get("/%2e%2e/careguide.toml").status, 400);
    // A page elsewhere whose name resolves here (DNS rebinding) is not answered.
    let foreign = raw(
        s.port,
        b"GET / HTTP/1.1\r\nHost: evil.example:8080\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(foreign.status, 403);
    // Garbage is a 400, not a crash.
    assert_eq!(raw(s.port, b"NONSENSE\r\n\r\n").status, 400);
    // The script is added to responses only: the built files and the public output are
    // untouched.
    let built = std::fs::read_to_string(s.root().join(".careguide-serve/site/index.html")).unwrap();
    assert!(!built.contains("_careguide"));
    assert!(!s.root().join("output").exists());
    let js = s.get("/_careguide/live.js");
    assert!(js.text().contains("/_careguide/version"));

    // A file the site does not use is rebuilt from (cheaply) but reloads nothing.
    let builds = |s: &Server| s.stderr().matches("careguide serve: built").count();
    let (before, version) = (builds(&s), s.version());
    std::fs::write(s.root().join("notes.txt"), "not part of the site").unwrap();
    wait_for(
        || builds(&s) > before,
        "a build after a new file at the root",
    );
    assert_eq!(s.version(), version);

    // An edit is rebuilt and served.
    s.edit(PAGE, |p| replace(p, TITLE, "title: Stopping kratom slowly"));
    let page = s.get("/kratom-withdrawal/").text();
    assert!(page.contains("Stopping kratom slowly"), "{}", s.stderr());

    // A broken edit: the error shows over the last good page, which is still served.
    s.edit(PAGE, |p| {
        replace(
            p,
            "at that point [@horowitz2019]",
            "at that point [@nosuch<key>]",
        )
    });
    let r = s.get("/kratom-withdrawal/");
    assert_eq!(r.status, 200);
    let page = r.text();
    assert!(page.contains("Stopping kratom slowly"));
    assert!(page.contains("id=\"careguide-build-error\""), "{page}");
    assert!(page.contains("content/kratom-withdrawal.md:"));
    assert!(page.contains("hint:"));
    assert!(!page.contains("nosuch<key>"), "the message is escaped");
    assert!(s.stderr().contains("still serving the last good build"));

    // Fixed: the overlay goes.
    s.edit(PAGE, |p| {
        replace(
            p,
            "at that point [@nosuch<key>]",
            "at that point [@horowitz2019]",
        )
    });
    assert!(!s
        .get("/kratom-withdrawal/")
        .text()
        .contains("careguide-build-error"));
}

#[test]
fn a_content_folder_that_disappears_shows_an_error_and_recovers() {
    let s = Server::start();
    assert_eq!(s.get("/kratom-withdrawal/").status, 200);
    let gone = s.root().join("content.away");
    s.edit("content", |p| std::fs::rename(p, &gone).unwrap());
    let r = s.get("/kratom-withdrawal/");
    assert_eq!(r.status, 200, "the last good build is still served");
    assert!(r.text().contains("careguide-build-error"));
    assert!(r.text().contains("content/missing"));
    s.edit("content", |p| std::fs::rename(&gone, p).unwrap());
    let r = s.get("/kratom-withdrawal/");
    assert_eq!(r.status, 200);
    assert!(!r.text().contains("careguide-build-error"));
}

const GOOD: &str = "page=kratom-withdrawal&audience=patient&dose=20&reduction_percent=10&interval_days=7&step=0.5&min_dose=0.5&doses_per_day=3&start=2026-12-01&holds=2%3A7&mode=previous&paper=letter&allow_unapproved=yes";

#[test]
fn the_handout_form_validates_and_returns_the_pdf_storing_nothing() {
    let s = Server::start();
    let form = s.get("/handout?page=kratom-withdrawal");
    assert_eq!(form.status, 200);
    assert_eq!(form.header("Cache-Control").as_deref(), Some("no-store"));
    let html = form.text();
    assert!(html.contains("<label for=\"f-dose\">Current daily dose (g)</label>"));
    assert!(html.contains("From 5% to 25%. The page&#39;s default is 10%."));
    assert!(html.contains("name=\"reduction_percent\" value=\"10\""));
    assert!(html.contains("<legend>Paper size</legend>"));
    assert!(
        !html.contains("live.js"),
        "the form must not reload while typing"
    );

    // A valid form whose schedule has warnings: its notes first, to read and confirm, with
    // nothing made yet; then the PDF, not kept anywhere.
    let name = PATIENT.replace(' ', "+");
    let body = format!("{GOOD}&patient_name={name}");
    let notes = s.post("/handout", &body);
    assert_eq!(notes.status, 200, "{}", notes.text());
    assert_eq!(notes.header("Cache-Control").as_deref(), Some("no-store"));
    let html = notes.text();
    assert!(
        html.contains("Notes for the clinician: read before the PDF is made"),
        "{html}"
    );
    assert!(html.contains("<strong>Check:</strong>"), "{html}");
    // The plan's chart, inline, with its text alternative as its title.
    assert!(html.contains("<figure class=\"plan-chart\"><svg"), "{html}");
    assert!(
        html.contains("<title id=\"chart-title\">Chart of the daily dose: 20 g a day"),
        "{html}"
    );
    // The holds the notes suggest, with the one given, as the held steps field takes them.
    assert!(html.contains("put 2:7 22:21 23:28 in"), "{html}");
    let digest = confirmation(&html).expect("a box to confirm the notes");
    // A confirmation of other notes (the plan was changed after reading) shows them again.
    let changed = body.replace("dose=20", "dose=30");
    let r = s.post("/handout", &format!("{changed}&confirm_notes={digest}"));
    assert_eq!(r.status, 200);
    assert!(r
        .text()
        .contains("The schedule changed since its notes were confirmed"));
    let r = s.post("/handout", &format!("{body}&confirm_notes={digest}"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("Content-Type").as_deref(), Some("application/pdf"));
    assert_eq!(r.header("Cache-Control").as_deref(), Some("no-store"));
    assert!(r
        .header("Content-Disposition")
        .is_some_and(|d| d.starts_with("attachment")));
    assert!(r.body.starts_with(b"%PDF-"));

    // Bad values: messages next to their fields, values kept (escaped).
    let r = s.post(
        "/handout",
        &format!(
            "page=kratom-withdrawal&patient_name=%3Cb%3E{name}&dose=abc&interval_days=-3&reduction_percent=40&start=2026-02-30"
        ),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.header("Cache-Control").as_deref(), Some("no-store"));
    let html = r.text();
    for field in ["dose", "interval_days", "reduction_percent", "start"] {
        assert!(
            html.contains(&format!("id=\"f-{field}-error\"")),
            "no error for {field}: {html}"
        );
        assert!(html.contains(&format!(
            "aria-describedby=\"f-{field}-hint f-{field}-error\" aria-invalid=\"true\""
        )));
    }
    assert!(html.contains("&#39;abc&#39; is not a number"));
    assert!(html.contains("name=\"dose\" value=\"abc\""));
    assert!(html.contains("name=\"interval_days\" value=\"-3\""));
    assert!(html.contains("above the page&#39;s limit of 25%"));
    assert!(html.contains(&format!("value=\"&lt;b&gt;{PATIENT}\"")));
    assert!(!html.contains("<b>"));

    // A hold on a step that does not exist.
    let r = s.post("/handout", &format!("{GOOD}&holds=999%3A7"));
    assert_eq!(r.status, 422);
    assert!(r.text().contains("id=\"f-holds-error\""));

    // Missing fields.
    let r = s.post("/handout", "dose=20");
    assert_eq!(r.status, 400);
    assert!(r.text().contains("did not say which page"));
    let r = s.post("/handout", "page=kratom-withdrawal&interval_days=7");
    assert_eq!(r.status, 422);
    assert!(r.text().contains("id=\"f-dose-error\""));
    assert!(r.text().contains("sent no dose"));

    // Too large a body is refused.
    let big = format!("{GOOD}&patient_name={}", "a".repeat(64 * 1024));
    assert_eq!(s.post("/handout", &big).status, 413);

    // Nothing of the patient's was written or printed.
    for path in files_under(s.dir.path()) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        assert!(
            !bytes
                .windows(PATIENT.len())
                .any(|w| w == PATIENT.as_bytes()),
            "the patient's name is in {}",
            path.display()
        );
        assert!(!path.to_string_lossy().contains("Zebulon"));
    }
    assert!(!s.stderr().contains("Zebulon"));
}

#[test]
fn a_port_in_use_is_a_clear_error() {
    let taken = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = taken.local_addr().unwrap().port();
    let (_dir, site) = fixture_site("taper/site");
    let mut child = careguide(["serve", "--port", &port.to_string(), "--root"])
        .arg(site)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if start.elapsed() > Duration::from_secs(30) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("serve kept running on a port in use");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert_eq!(status.code(), Some(2), "{err}");
    assert!(err.contains("already in use"), "{err}");
    assert!(err.contains("--port 0"), "{err}");
    drop(taken);
}

/// An open live-reload event stream, read line by line.
struct Events {
    lines: std::sync::mpsc::Receiver<String>,
    stream: TcpStream,
}

impl Events {
    fn open(port: u16) -> Events {
        let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
        stream
            .write_all(
                format!("GET /_careguide/events HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n")
                    .as_bytes(),
            )
            .unwrap();
        let reader = BufReader::new(stream.try_clone().unwrap());
        let (tx, lines) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in reader.lines() {
                let Ok(line) = line else { break };
                if tx.send(line.trim_end().to_string()).is_err() {
                    break;
                }
            }
        });
        Events { lines, stream }
    }

    /// Lines until one equal to `want`, within 30 s; the lines read.
    fn until(&self, want: &str) -> Vec<String> {
        let mut seen = Vec::new();
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            match self.lines.recv_timeout(Duration::from_millis(200)) {
                Ok(l) if l == want => {
                    seen.push(l);
                    return seen;
                }
                Ok(l) => seen.push(l),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(_) => panic!("the stream ended before {want:?}: {seen:?}"),
            }
        }
        panic!("no {want:?} in 30 s: {seen:?}");
    }

    /// Whether the stream ends (the server closed it) within 30 s.
    fn ends(&self) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(30) {
            match self.lines.recv_timeout(Duration::from_millis(200)) {
                Ok(_) | Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(_) => return true,
            }
        }
        false
    }
}

#[test]
fn builds_are_pushed_to_open_pages_as_server_sent_events() {
    let mut s = Server::start();
    let js = s.get("/_careguide/live.js").text();
    assert!(js.contains("new EventSource(\"/_careguide/events\")"));
    let events = Events::open(s.port);
    let head = events.until("");
    assert_eq!(head[0], "HTTP/1.1 200 OK", "{head:?}");
    assert!(head.iter().any(|l| l == "Content-Type: text/event-stream"));
    assert!(head.iter().any(|l| l == "Cache-Control: no-store"));
    // The version when the stream opens, so that a build that ended before reloads the page.
    let version = s.version();
    events.until("event: version");
    assert_eq!(events.until(&format!("data: {version}")).len(), 1);

    // An edit: a rebuild, then `reload`.
    replace(&s.root().join(PAGE), TITLE, "title: Stopping kratom slowly");
    events.until("event: reload");
    assert!(s
        .get("/kratom-withdrawal/")
        .text()
        .contains("Stopping kratom slowly"));

    // Streams have their own cap: ordinary requests are still answered when it is reached,
    // and the stream past it is refused (its page asks for the version instead).
    let more: Vec<Events> = (1..16).map(|_| Events::open(s.port)).collect();
    for e in &more {
        e.until("event: version");
    }
    assert_eq!(s.get("/").status, 200);
    let refused = Events::open(s.port);
    assert_eq!(refused.until("")[0], "HTTP/1.1 503 Service Unavailable");
    // A closed page gives its slot back.
    drop(more);
    wait_for(
        || {
            let e = Events::open(s.port);
            e.until("")[0] == "HTTP/1.1 200 OK"
        },
        "a stream slot freed by a closed page",
    );
    // Other hosts are refused here too.
    let foreign = raw(
        s.port,
        b"GET /_careguide/events HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    );
    assert_eq!(foreign.status, 403);

    // The streams end when the server stops.
    let _ = s.child.kill();
    let _ = s.child.wait();
    assert!(events.ends(), "the event stream outlived the server");
    let _ = events.stream.shutdown(std::net::Shutdown::Both);
}

#[test]
fn polling_sees_changes_too() {
    let s = Server::start_with(&["--poll"], |_| {});
    s.edit(PAGE, |p| replace(p, TITLE, "title: Stopping kratom slowly"));
    assert!(s
        .get("/kratom-withdrawal/")
        .text()
        .contains("Stopping kratom slowly"));
    // A save that leaves the modification time as it was (two saves in one second, where
    // times are kept in seconds) is seen too.
    s.edit(PAGE, |p| {
        let before = std::fs::metadata(p).unwrap().modified().unwrap();
        replace(
            p,
            "title: Stopping kratom slowly",
            "title: Tapering off kratom",
        );
        let f = std::fs::File::options().write(true).open(p).unwrap();
        f.set_modified(before).unwrap();
    });
    assert!(s
        .get("/kratom-withdrawal/")
        .text()
        .contains("Tapering off kratom"));
}

/// notify's polling watcher reads the files it watches (to see a save within the same second)
/// but only regular ones: a FIFO appearing in `content/` is not opened by it, the build that
/// follows reports it as an error at its path, the last good site is still served, and later
/// changes are still seen.
#[test]
fn polling_reports_a_fifo_and_keeps_watching() {
    let s = Server::start_with(&["--poll"], |_| {});
    wait_for(|| s.get("/").status == 200, "the first build");
    let pipe = s.root().join("content/pipe.md");
    rustix::fs::mknodat(
        rustix::fs::CWD,
        &pipe,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap();
    wait_for(
        || s.stderr().contains("still serving the last good build"),
        "the failed build after the FIFO appeared",
    );
    let err = s.stderr();
    assert!(
        err.lines().any(|l| l.starts_with("error")
            && l.contains("content/pipe.md")
            && l.contains("FIFO")
            && l.contains("not a regular file")),
        "no error naming the FIFO: {err}"
    );
    assert_eq!(s.get("/").status, 200, "{err}");
    std::fs::remove_file(&pipe).unwrap();
    s.edit(PAGE, |p| replace(p, TITLE, "title: Stopping kratom slowly"));
    assert!(s
        .get("/kratom-withdrawal/")
        .text()
        .contains("Stopping kratom slowly"));
}

#[test]
fn requests_past_the_limits_are_refused_and_the_server_carries_on() {
    let s = Server::start();
    let port = s.port;
    // A head over 16 KB.
    let big = format!(
        "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: {}\r\n\r\n",
        "a".repeat(20 * 1024)
    );
    assert_eq!(raw(port, big.as_bytes()).status, 431);
    // A body declared far too large: refused from its Content-Length, not read.
    let huge = b"POST /handout HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000000000\r\nConnection: close\r\n\r\npage=x";
    assert_eq!(raw(port, huge).status, 413);
    // Chunked bodies are not taken.
    let chunked = b"POST /handout HTTP/1.1\r\nHost: 127.0.0.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n";
    assert_eq!(raw(port, chunked).status, 411);
    assert_eq!(s.get("/").status, 200, "{}", s.stderr());
}

#[test]
fn a_site_template_shapes_the_form_but_not_its_safety() {
    const MARK: &str = "Our clinic's own handout form";
    let s = Server::start_with(&[], |site| {
        let dir = site.join("templates/serve");
        std::fs::create_dir_all(&dir).unwrap();
        // A form that would post elsewhere and carries no privacy wording.
        std::fs::write(
            dir.join("handout.html"),
            format!(
                "<!doctype html><html><body><h1>{MARK}</h1><p>{{{{ site_title }}}}</p>\
                 {{% if page %}}<form method=\"post\" action=\"https://elsewhere.example/\">\
                 {{% for f in page.schedule %}}<input name=\"{{{{ f.name }}}}\" value=\"{{{{ f.value }}}}\">{{% endfor %}}\
                 </form>{{% endif %}}</body></html>"
            ),
        )
        .unwrap();
        std::fs::write(dir.join("overlay.html"), "{% if %} broken").unwrap();
    });
    let form = s.get("/handout?page=kratom-withdrawal");
    assert_eq!(form.status, 200);
    let html = form.text();
    assert!(html.contains(MARK), "{html}");
    assert!(html.contains("name=\"reduction_percent\" value=\"10\""));
    assert!(!html.contains("live.js"));
    // The server's headers, whatever the template says.
    assert_eq!(form.header("Cache-Control").as_deref(), Some("no-store"));
    assert_eq!(
        form.header("Referrer-Policy").as_deref(),
        Some("same-origin")
    );
    assert!(form
        .header("Content-Security-Policy")
        .is_some_and(|c| c.contains("form-action 'self'")));
    // Values typed are still escaped by the site's template.
    let r = s.post(
        "/handout",
        "page=kratom-withdrawal&dose=%3Cscript%3E&interval_days=7",
    );
    assert_eq!(r.status, 422);
    assert!(r.text().contains("value=\"&lt;script&gt;\""));
    assert!(!r.text().contains("<script>"));
    assert_eq!(r.header("Cache-Control").as_deref(), Some("no-store"));
    // The broken overlay gives way to the built-in one, and says so.
    assert!(s.stderr().contains("templates/serve/overlay.html"));
    s.edit(PAGE, |p| {
        replace(
            p,
            "at that point [@horowitz2019]",
            "at that point [@nosuch]",
        )
    });
    assert!(s
        .get("/kratom-withdrawal/")
        .text()
        .contains("id=\"careguide-build-error\""));
    // Mended, the site's overlay is used, and the open pages reload for it.
    s.edit("templates/serve/overlay.html", |p| {
        std::fs::write(
            p,
            "<aside id=\"our-errors\">{{ count }} problem(s): {% for e in errors %}{{ e.message }}{% endfor %}</aside>",
        )
        .unwrap()
    });
    let page = s.get("/kratom-withdrawal/").text();
    assert!(
        page.contains("<aside id=\"our-errors\">1 problem(s): "),
        "{page}"
    );
}

/// The form says what the command line says: a page that is not approved is printed only when
/// the clinician ticks the box, and the server checks it whatever the page sent.
#[test]
fn the_form_refuses_an_unapproved_page_unless_the_clinician_ticks_the_box() {
    let s = Server::start();
    let html = s.get("/handout?page=kratom-withdrawal").text();
    assert!(
        html.contains("Not yet approved: check with your clinician."),
        "{html}"
    );
    assert!(
        html.contains("name=\"allow_unapproved\" value=\"yes\""),
        "{html}"
    );
    let without = GOOD.replace("&allow_unapproved=yes", "");
    let r = s.post("/handout", &without);
    assert_eq!(r.status, 422);
    assert!(!r.body.starts_with(b"%PDF-"));
    let html = r.text();
    assert!(html.contains("is not approved for patients"), "{html}");
    assert!(
        html.contains("Print it anyway, with a caution on every page"),
        "{html}"
    );
    let r = s.post(
        "/handout",
        &without.replace("&paper=letter", "&paper=letter&allow_unapproved=no"),
    );
    assert_eq!(r.status, 422);
    let r = s.post("/handout", GOOD);
    assert_eq!(r.status, 200);
    let digest = confirmation(&r.text()).expect("notes to confirm");
    let r = s.post("/handout", &format!("{GOOD}&confirm_notes={digest}"));
    assert!(r.body.starts_with(b"%PDF-"));
}

/// A form in Spanish shows the schedule's notes to confirm in Spanish: their labels, the
/// warnings with the decimal comma, the defaults used and the holds they suggest.
#[test]
fn a_spanish_form_says_the_notes_to_confirm_in_spanish() {
    let s = Server::start();
    let body = format!("{}&lang=es", GOOD.replace("&reduction_percent=10", ""));
    let r = s.post("/handout", &body);
    assert_eq!(r.status, 200, "{}", r.text());
    let html = r.text();
    for want in [
        "<strong>Revisar:</strong> paso 22: pasar de 1,5 g a 1 g es una reducción del 33,3%",
        "<strong>Valor por defecto:</strong> porcentaje de reducción: 10% (el valor por defecto de la página)",
        "<strong>Sugerido:</strong> las prolongaciones que sugieren estas notas: escriba 2:7 22:21 23:28 en “Pasos prolongados”",
    ] {
        assert!(html.contains(want), "{want}\n---\n{html}");
    }
    for english in ["Check:", "Suggested:", "is a cut of", "Default used:"] {
        assert!(!html.contains(english), "{english}\n---\n{html}");
    }
    // Confirmed in Spanish, the PDF is made.
    let digest = confirmation(&html).expect("a box to confirm the notes");
    let r = s.post("/handout", &format!("{body}&confirm_notes={digest}"));
    assert_eq!(r.header("Content-Type").as_deref(), Some("application/pdf"));
    // So does the note on a next visit after the plan ends.
    let r = s.post("/handout", &format!("{body}&next_visit=2027-12-01"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains("<strong>Revisar:</strong> la próxima consulta es después del día en que termina el plan"), "{}", r.text());
    // A page that is not approved is refused in Spanish until the box is ticked.
    let r = s.post("/handout", &body.replace("&allow_unapproved=yes", ""));
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(r.text().contains("La página &#39;kratom-withdrawal&#39; no está aprobada para pacientes (su estado es borrador)"), "{}", r.text());
    // The care details' checks answer in Spanish too.
    let r = s.post(
        "/handout",
        &format!("{body}&phone=12&next_visit=2027-02-30"),
    );
    assert_eq!(r.status, 422, "{}", r.text());
    let html = r.text();
    for want in [
        "El número de teléfono tiene 2 cifra(s) antes de la extensión: un número tiene de 3 a 15",
        "La próxima consulta no es una fecha real del calendario",
    ] {
        assert!(html.contains(want), "{want}\n---\n{html}");
    }
}

/// The value of the form's box confirming the schedule's notes, if it shows one.
fn confirmation(html: &str) -> Option<String> {
    let at =
        html.find("name=\"confirm_notes\" value=\"")? + "name=\"confirm_notes\" value=\"".len();
    Some(html[at..].split('"').next()?.to_string())
}

/// The form's care fields: the phone shows the site's to begin with, the next visit is a date
/// field, and each is checked on the server as on the command line, the message next to its
/// field; what was typed is not kept or printed.
#[test]
fn the_form_checks_the_clinician_phone_and_next_visit() {
    const CLINICIAN: &str = "Dr. Peregrine Ashcombe";
    let s = Server::start();
    let html = s.get("/handout?page=kratom-withdrawal").text();
    assert!(
        html.contains("type=\"tel\" id=\"f-phone\" name=\"phone\" value=\"+1 555 0100\""),
        "{html}"
    );
    assert!(
        html.contains("type=\"date\" id=\"f-next_visit\" name=\"next_visit\" value=\"\""),
        "{html}"
    );
    assert!(html.contains("name=\"clinician\" value=\"\""), "{html}");

    // A next visit before the schedule's first day (GOOD starts on 2026-12-01).
    let clinician = CLINICIAN.replace(' ', "+");
    let body = format!("{GOOD}&clinician={clinician}&phone=%2B1+555+0100&next_visit=2026-11-20");
    let r = s.post("/handout", &body);
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(!r.body.starts_with(b"%PDF-"));
    let html = r.text();
    assert!(html.contains("id=\"f-next_visit-error\""), "{html}");
    assert!(
        html.contains(
            "The next visit is before the schedule&#39;s first day (“First day of the schedule”)"
        ),
        "{html}"
    );
    assert_eq!(r.header("Cache-Control").as_deref(), Some("no-store"));

    // Every bad value at once, next to its field; the paper too.
    let r = s.post(
        "/handout",
        &format!("{GOOD}&clinician=Dr.+%E5%B1%B1&phone=call+reception&next_visit=2026-02-30")
            .replace("paper=letter", "paper=a5"),
    );
    assert_eq!(r.status, 422);
    let html = r.text();
    for field in ["clinician", "phone", "next_visit", "paper"] {
        assert!(
            html.contains(&format!("id=\"f-{field}-error\"")),
            "no error for {field}: {html}"
        );
    }
    assert!(
        html.contains("cannot print 1 character(s) of the clinician&#39;s name"),
        "{html}"
    );
    assert!(html.contains("Choose A4 or Letter."), "{html}");

    // A next visit after the schedule ends (2027-05-11): a note to confirm, then the PDF. An
    // emptied phone prints none rather than the site's unseen.
    let body = format!("{GOOD}&clinician={clinician}&phone=&next_visit=2027-06-01");
    let r = s.post("/handout", &body);
    assert_eq!(r.status, 200);
    let html = r.text();
    assert!(
        html.contains("the next visit is after the day the schedule ends"),
        "{html}"
    );
    let digest = confirmation(&html).expect("a box to confirm the notes");
    let r = s.post("/handout", &format!("{body}&confirm_notes={digest}"));
    assert!(r.body.starts_with(b"%PDF-"), "{}", r.text());

    // Nothing of it was written or printed.
    for path in files_under(s.dir.path()) {
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        assert!(
            !bytes.windows(9).any(|w| w == b"Peregrine"),
            "the clinician's name is in {}",
            path.display()
        );
    }
    let stderr = s.stderr();
    assert!(
        !stderr.contains("Peregrine") && !stderr.contains("2027-06-01"),
        "{stderr}"
    );
}

/// A rebuild does not hold up requests: the last good site is served while it runs, and the
/// new one afterwards. The test holds the build's output lock itself, so the rebuild waits
/// there, started and unfinished, for as long as the test needs (no clock involved).
#[test]
fn the_last_good_site_is_served_while_a_rebuild_runs() {
    let s = Server::start();
    assert_eq!(s.get("/").status, 200);
    let lock_path = s.root().join(".careguide-serve/.site.lock");
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&lock_path)
        .unwrap();
    lock.lock().unwrap();
    let version = s.version();
    replace(&s.root().join(PAGE), TITLE, "title: Stopping kratom slowly");
    wait_for(
        || s.stderr().contains("another build of"),
        "the rebuild to start and wait for the lock",
    );
    // The rebuild is running: requests are answered from the last good build.
    let home = s.get("/");
    assert_eq!(home.status, 200, "{}", s.stderr());
    let page = s.get("/kratom-withdrawal/");
    assert_eq!(page.status, 200);
    assert!(page
        .text()
        .contains("Safe withdrawal from kratom dependence"));
    assert_eq!(s.version(), version);
    // The form too (it reads the sources, as they are now).
    let form = s.get("/handout?page=kratom-withdrawal");
    assert_eq!(form.status, 200);
    assert!(form.text().contains("Stopping kratom slowly"));
    // Let it finish: the new site is swapped in.
    drop(lock);
    wait_for(|| s.version() != version, "the rebuild to finish");
    assert!(s
        .get("/kratom-withdrawal/")
        .text()
        .contains("Stopping kratom slowly"));
}

/// Read what the server sent on `stream` until it closes, within `limit`.
fn read_reply(stream: &mut TcpStream, limit: Duration) -> String {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut got = Vec::new();
    let _ = stream.read_to_end(&mut got);
    String::from_utf8_lossy(&got).into_owned()
}

/// Slowloris: 64 connections that send nothing, or a byte now and then, do not keep a normal
/// request from being answered; one that trickles bytes is still closed at the request's
/// deadline (10 s for the whole request, not per read); and past the cap of connections still
/// sending their request, the oldest of them make room.
#[test]
fn stalled_connections_do_not_keep_others_from_being_answered() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let s = Server::start();
    let connect = || {
        let st = TcpStream::connect((Ipv4Addr::LOCALHOST, s.port)).unwrap();
        st.set_write_timeout(Some(Duration::from_secs(5))).unwrap();
        st
    };
    let silent: Vec<TcpStream> = (0..32).map(|_| connect()).collect();
    let mut trickling: Vec<TcpStream> = (0..32).map(|_| connect()).collect();
    for t in &mut trickling {
        t.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .unwrap();
    }
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<TcpStream> = trickling.iter().map(|t| t.try_clone().unwrap()).collect();
    let trickle = {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut writers = writers;
            while !stop.load(Ordering::SeqCst) {
                for w in &mut writers {
                    let _ = w.write_all(b"a");
                }
                std::thread::sleep(Duration::from_millis(500));
            }
        })
    };
    // While all 64 are open, normal requests are answered (raw() waits up to 60 s: a
    // generous bound, the point is 200 rather than 503).
    let r = s.get("/");
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(s.get("/handout?page=kratom-withdrawal").status, 200);
    // ... and they are still open, answered nothing.
    for st in silent.iter().chain(&trickling) {
        st.set_nonblocking(true).unwrap();
        let mut b = [0u8; 1];
        let still_open = matches!(
            (&*st).read(&mut b),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock
        );
        assert!(still_open, "a stalled connection was closed too early");
        st.set_nonblocking(false).unwrap();
    }
    // The deadline is for the whole request: a byte every half second does not stretch it.
    for t in &mut trickling {
        let reply = read_reply(t, Duration::from_secs(60));
        assert!(reply.starts_with("HTTP/1.1 408 "), "{reply:?}");
    }
    stop.store(true, Ordering::SeqCst);
    trickle.join().unwrap();
    for mut st in silent {
        let reply = read_reply(&mut st, Duration::from_secs(60));
        assert!(reply.starts_with("HTTP/1.1 408 "), "{reply:?}");
    }
    // Far more stalled connections than the cap (128): the oldest are closed to make room,
    // and a normal request is still answered.
    let many: Vec<TcpStream> = (0..200).map(|_| connect()).collect();
    let r = s.get("/");
    assert_eq!(r.status, 200, "{}", r.text());
    let mut first = many.into_iter().next().unwrap();
    let reply = read_reply(&mut first, Duration::from_secs(60));
    assert_eq!(
        reply, "",
        "the oldest stalled connection is closed without an answer"
    );
}

/// The handout form takes a POST only from its own page: the token the page carries, or an
/// Origin (or Referer) naming this server. Anything else is refused with 403 and says why.
#[test]
fn the_form_takes_posts_from_its_own_page_only() {
    let s = Server::start();
    let port = s.port;
    let html = s.get("/handout?page=kratom-withdrawal").text();
    let at = html
        .find("name=\"form_token\" value=\"")
        .expect("the form carries its token")
        + "name=\"form_token\" value=\"".len();
    let token = html[at..].split('"').next().unwrap().to_string();
    assert_eq!(token.len(), 32, "{token}");

    // Neither a token nor an Origin or Referer: another site's page could have sent it.
    let r = s.post_with("", "/handout", GOOD);
    assert_eq!(r.status, 403);
    assert!(
        r.text()
            .contains("neither the handout form's token nor an Origin or Referer"),
        "{}",
        r.text()
    );
    assert_eq!(r.header("Cache-Control").as_deref(), Some("no-store"));
    // Another site's Origin, even with the token; a `null` Origin proves nothing.
    let r = s.post_with(
        "Origin: http://evil.example\r\n",
        "/handout",
        &format!("{GOOD}&form_token={token}"),
    );
    assert_eq!(r.status, 403);
    assert!(r.text().contains("from another site (http://evil.example)"));
    let other_port = format!("Origin: http://127.0.0.1:{}\r\n", port + 1);
    assert_eq!(s.post_with(&other_port, "/handout", GOOD).status, 403);
    assert_eq!(
        s.post_with("Origin: null\r\n", "/handout", GOOD).status,
        403
    );
    let foreign_referer = "Referer: http://evil.example/http://127.0.0.1/\r\n";
    assert_eq!(s.post_with(foreign_referer, "/handout", GOOD).status, 403);
    // A wrong token.
    let wrong = format!("{GOOD}&form_token={}", "0".repeat(32));
    assert_eq!(s.post_with("", "/handout", &wrong).status, 403);

    // The form's own: its token alone, its Origin, or (with no Origin) its Referer.
    let notes = "Notes for the clinician: read before the PDF is made";
    let r = s.post_with("", "/handout", &format!("{GOOD}&form_token={token}"));
    assert_eq!(r.status, 200, "{}", r.text());
    assert!(r.text().contains(notes));
    let r = s.post_with(
        "Origin: null\r\n",
        "/handout",
        &format!("{GOOD}&form_token={token}"),
    );
    assert_eq!(r.status, 200);
    let referer = format!("Referer: http://127.0.0.1:{port}/handout?page=kratom-withdrawal\r\n");
    assert_eq!(s.post_with(&referer, "/handout", GOOD).status, 200);
    assert_eq!(s.post("/handout", GOOD).status, 200);
}

/// Requests that are not well formed are answered at once with 400 (the client here never
/// closes its side, so a server waiting for more would answer 408 only after its deadline);
/// exactly one Host; the head limit holds to the byte; redirects stay on this server.
#[test]
fn malformed_requests_get_400_and_redirects_stay_here() {
    let s = Server::start();
    let port = s.port;
    let status = |bytes: &[u8]| raw(port, bytes);
    let r = status(b"GET / HTTP/1.1\nHost: 127.0.0.1\n\n");
    assert_eq!(r.status, 400, "{}", r.text());
    assert!(r.text().contains("CR LF"));
    assert_eq!(status(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\n").status, 400);
    assert_eq!(
        status(b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03").status,
        400
    );
    assert_eq!(
        status(b"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA").status,
        400
    );
    // Exactly one Host.
    let r = status(b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
    assert_eq!(r.status, 400);
    assert!(r.text().contains("no Host header"), "{}", r.text());
    assert_eq!(status(b"GET / HTTP/1.0\r\n\r\n").status, 400);
    let r = status(b"GET / HTTP/1.1\r\nHost: evil.example\r\nHost: 127.0.0.1\r\n\r\n");
    assert_eq!(r.status, 400);
    assert!(r.text().contains("more than one Host"));
    let r = status(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n");
    assert_eq!(r.status, 400);
    assert_eq!(
        status(b"GET / HTTP/1.1\r\nHost: localhost:1@evil.example\r\n\r\n").status,
        403
    );
    // The head limit, 16 KB: a head of exactly 16,384 bytes is taken, one byte more is not.
    let head = |size: usize| {
        let start = format!("GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Pad: ");
        let end = "\r\n\r\n";
        format!("{start}{}{end}", "a".repeat(size - start.len() - end.len()))
    };
    assert_eq!(head(16 * 1024).len(), 16384);
    assert_eq!(status(head(16 * 1024).as_bytes()).status, 200);
    assert_eq!(status(head(16 * 1024 + 1).as_bytes()).status, 431);
    // Redirects go to a path on this server only.
    for (path, to) in [
        ("//kratom-withdrawal", "/kratom-withdrawal/"),
        ("///kratom-withdrawal", "/kratom-withdrawal/"),
        ("/kratom-withdrawal?x=1", "/kratom-withdrawal/"),
    ] {
        let r = s.get(path);
        assert_eq!(r.status, 301, "{path}");
        assert_eq!(r.header("Location").as_deref(), Some(to), "{path}");
    }
    assert_eq!(s.get("//evil.example").status, 404);
    assert_eq!(s.get("/").status, 200);
}

/// A form value that is not UTF-8 is said next to its field, and no PDF is made: the name is
/// not printed with replacement characters.
#[test]
fn a_form_value_that_is_not_utf8_is_a_field_error() {
    let s = Server::start();
    let r = s.post("/handout", &format!("{GOOD}&patient_name=Zeb%FF%FEulon"));
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(!r.body.starts_with(b"%PDF-"));
    let html = r.text();
    assert!(html.contains("id=\"f-patient_name-error\""), "{html}");
    assert!(
        html.contains("“Patient&#39;s name” was sent with bytes that are not text (not UTF-8)"),
        "{html}"
    );
    assert!(!html.contains('\u{FFFD}'), "{html}");
    assert!(!html.contains("Zeb"), "{html}");
    // The page field too: said, not taken for a page that does not exist.
    let r = s.post(
        "/handout",
        &GOOD.replace("page=kratom-withdrawal", "page=%C3"),
    );
    assert_eq!(r.status, 422);
    assert!(r
        .text()
        .contains("The form&#39;s “page” was sent with bytes that are not text"));
}

/// When the taper page does not parse, the form shows the parser's error at its place, not
/// "no page with a taper block"; mended, the form is back (the site the form keeps between
/// requests is forgotten on each change).
#[test]
fn the_form_shows_why_the_taper_page_cannot_be_read() {
    let s = Server::start();
    assert_eq!(s.get("/handout?page=kratom-withdrawal").status, 200);
    s.edit(PAGE, |p| replace(p, TITLE, "title: [Safe withdrawal"));
    for r in [
        s.get("/handout?page=kratom-withdrawal"),
        s.get("/handout"),
        s.post("/handout", GOOD),
    ] {
        assert_eq!(r.status, 503, "{}", r.text());
        let html = r.text();
        assert!(html.contains("The handout form is not available"), "{html}");
        assert!(html.contains("content/kratom-withdrawal.md:"), "{html}");
        assert!(!html.contains("with a taper block"), "{html}");
        assert_eq!(r.header("Cache-Control").as_deref(), Some("no-store"));
    }
    s.edit(PAGE, |p| {
        replace(p, "title: [Safe withdrawal", "title: Mended title")
    });
    let r = s.get("/handout?page=kratom-withdrawal");
    assert_eq!(r.status, 200);
    assert!(r.text().contains("Mended title"), "{}", r.text());
}

/// On a site written in Spanish, the page saying the form cannot be used is in Spanish.
#[test]
fn the_form_unavailable_page_is_titled_in_the_sites_language() {
    let s = Server::start_with(&[], |site| {
        replace(
            &site.join("careguide.toml"),
            "language = \"en\"",
            "language = \"es\"",
        );
    });
    assert_eq!(s.get("/handout?page=kratom-withdrawal").status, 200);
    s.edit(PAGE, |p| replace(p, TITLE, "title: [Safe withdrawal"));
    let r = s.get("/handout?page=kratom-withdrawal");
    assert_eq!(r.status, 503, "{}", r.text());
    let html = r.text();
    assert!(
        html.contains("<h1>El formulario de la hoja informativa no está disponible</h1>"),
        "{html}"
    );
    // Its words and language too; the errors themselves are careguide's diagnostics.
    assert!(html.contains("<html lang=\"es\">"), "{html}");
    assert!(html.contains("El sitio tiene los errores"), "{html}");
    assert!(!html.contains("no handout can be made"), "{html}");
    assert!(html.contains("content/kratom-withdrawal.md:"), "{html}");
}

/// The form speaks the handout's language: English when first shown on an English site,
/// Spanish (labels, hints, buttons, the audiences' Spanish labels, `<html lang>`) once the
/// clinician chooses Spanish, with the same field names.
#[test]
fn the_form_is_shown_in_the_language_chosen_for_the_handout() {
    let s = Server::start_with(&[], |site| {
        replace(
            &site.join("careguide.toml"),
            "address = \"1 Example Street, Springfield\"\n",
            "address = \"1 Example Street, Springfield\"\n\n[[languages]]\nid = \"en\"\nlabel = \"English\"\ndefault = true\n\n[[languages]]\nid = \"es\"\nlabel = \"Español\"\n",
        );
        replace(
            &site.join("careguide.toml"),
            "label = \"Patient\"\n",
            "label = \"Patient\"\ntranslations = { es = { label = \"Paciente o familiar\", disclaimer = \"Información general.\" } }\n",
        );
    });
    let html = s.get("/handout?page=kratom-withdrawal").text();
    assert!(html.contains("<html lang=\"en\">"), "{html}");
    assert!(
        html.contains("<h1>Print a personalized handout</h1>"),
        "{html}"
    );
    assert!(
        html.contains(">Patient&#39;s name (optional)</label>"),
        "{html}"
    );
    assert!(
        html.contains("<option value=\"patient\" selected>Patient</option>"),
        "{html}"
    );

    let r = s.post("/handout", &format!("{GOOD}&lang=es"));
    let html = r.text();
    assert!(html.contains("<html lang=\"es\">"), "{html}");
    for spanish in [
        "<h1>Imprimir una hoja informativa personalizada</h1>",
        "<label for=\"f-patient_name\">Nombre del paciente (opcional)</label>",
        "<label for=\"f-dose\">Dosis diaria actual (g)</label>",
        "<legend>Tamaño del papel</legend>",
        "<legend>Idioma de la hoja informativa</legend>",
        "<option value=\"patient\" selected>Paciente o familiar</option>",
        "El valor por defecto de la página es 0,5.",
        "<button type=\"submit\">Hacer el PDF</button>",
        "<h2 id=\"f-confirm_notes-hint\">Notas para el profesional de la salud: léalas antes de hacer el PDF</h2>",
    ] {
        assert!(html.contains(spanish), "{spanish} missing from {html}");
    }
    for english in [
        "Print a personalized handout",
        "Patient&#39;s name",
        "Make the PDF",
    ] {
        assert!(!html.contains(english), "{english} left in {html}");
    }
    // The field names the server reads are the same in every language.
    for name in ["patient_name", "dose", "paper", "lang", "confirm_notes"] {
        assert!(html.contains(&format!("name=\"{name}\"")), "{name}: {html}");
    }
    assert!(
        html.contains("name=\"lang\" value=\"es\" checked"),
        "{html}"
    );

    // The form's own messages too; the checks of each value stay careguide's English.
    let r = s.post(
        "/handout",
        &format!("{GOOD}&lang=es").replace("&dose=20", "&dose="),
    );
    assert_eq!(r.status, 422);
    let html = r.text();
    assert!(
        html.contains("Escriba la dosis diaria actual del paciente."),
        "{html}"
    );
    assert!(
        html.contains("<h2 id=\"summary-title\">Corrija estos problemas</h2>"),
        "{html}"
    );
}

/// A form in Spanish says the checks of the schedule's values in Spanish: numbers with the
/// decimal comma, the page's limits, values that are not numbers and holds that are not holds.
#[test]
fn a_spanish_form_says_the_checks_of_its_values_in_spanish() {
    let s = Server::start();
    let body = format!("{GOOD}&lang=es")
        .replace("&dose=20", "&dose=0")
        .replace("&reduction_percent=10", "&reduction_percent=30%2C5")
        .replace("&interval_days=7", "&interval_days=abc")
        .replace("&holds=2%3A7", "&holds=0%3A3")
        .replace("&start=2026-12-01", "&start=2026-02-30");
    let r = s.post("/handout", &body);
    assert_eq!(r.status, 422, "{}", r.text());
    let html = r.text();
    for want in [
        "La dosis inicial debe ser mayor que 0 (se indicó 0)",
        "30,5% está por encima del límite de la página, que es 25%",
        "“abc” no es un número",
        "“0:3”: los pasos se numeran a partir de 1",
        "“2026-02-30” no es una fecha real del calendario",
    ] {
        assert!(html.contains(want), "{want}\n---\n{html}");
    }
    for english in [
        "must be more than",
        "is above the page",
        "is not a number",
        "numbered from",
    ] {
        assert!(!html.contains(english), "{english}\n---\n{html}");
    }
    // A measuring step larger than the dose, with amounts in Spanish.
    let body = format!("{GOOD}&lang=es").replace("&dose=20", "&dose=0%2C2");
    let r = s.post("/handout", &body);
    assert_eq!(r.status, 422, "{}", r.text());
    let want = "La cantidad más pequeña que se puede medir (0,5 g) es mayor que la dosis inicial (0,2 g): no es posible ningún paso";
    assert!(r.text().contains(want), "{want}\n---\n{}", r.text());
    // A hold past the schedule's last step: a check of the schedule as a whole.
    let body = format!("{GOOD}&lang=es").replace("&holds=2%3A7", "&holds=90%3A7");
    let r = s.post("/handout", &body);
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        r.text().contains("No hay un paso 90: este plan tiene"),
        "{}",
        r.text()
    );
    assert!(!r.text().contains("there is no step"), "{}", r.text());
    // A next visit before the plan's first day, with the form's Spanish label for that day.
    let r = s.post("/handout", &format!("{GOOD}&lang=es&next_visit=2026-11-30"));
    assert_eq!(r.status, 422, "{}", r.text());
    assert!(
        r.text()
            .contains("La próxima visita es anterior al primer día del plan"),
        "{}",
        r.text()
    );
    assert!(
        !r.text().contains("the next visit is before"),
        "{}",
        r.text()
    );
    // The same values on an English form: careguide's English, as before.
    let r = s.post(
        "/handout",
        &GOOD
            .replace("&dose=20", "&dose=0")
            .replace("&reduction_percent=10", "&reduction_percent=30.5"),
    );
    assert_eq!(r.status, 422, "{}", r.text());
    for want in [
        "The start dose must be more than 0 (got 0)",
        "30.5% is above the page&#39;s limit of 25%",
    ] {
        assert!(r.text().contains(want), "{want}\n---\n{}", r.text());
    }
}
