//! The routes: the live-reload endpoints, the handout form and the files of the last good
//! build. Every check that keeps the preview and the form safe is made here, before any
//! template is involved.

use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};

use super::http::{Reply, Request, Response};
use super::pages::{inject, overlay, shell, ShellWords};
use super::{form, Shared};

const LIVE_JS: &str = include_str!("live.js");
const LIVE_CSS: &str = include_str!("live.css");

/// Whether a Host header names this computer. A page elsewhere that makes its name resolve to
/// 127.0.0.1 (DNS rebinding) must not be able to read the preview or use the form.
fn local_host(host: &str) -> bool {
    let (name, port) = match host.strip_prefix('[') {
        Some(rest) => match rest.split_once(']') {
            Some((name, "")) => (name, ""),
            Some((name, after)) => match after.strip_prefix(':') {
                Some(port) => (name, port),
                None => return false,
            },
            None => return false,
        },
        None => host.rsplit_once(':').unwrap_or((host, "")),
    };
    if !port.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

pub(super) fn route(req: &Request, shared: &Shared) -> Reply {
    if shared.loopback && !local_host(&req.host) {
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
        ("POST", "/handout" | "/handout/") => match sent_from_the_form(req, shared) {
            Ok(()) => form::post(req, shared),
            Err(refused) => refused,
        },
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
            &ShellWords::ENGLISH,
            version,
            &errors,
        );
        return Response::html(503, body).no_store();
    }
    // No lock is held: a build swaps the whole folder in at once (see `output::swap`), so a
    // file read now is of the last good build or of the new one, and a rebuild never makes a
    // request wait.
    let mut file = shared.built.join(&rel);
    if file.is_dir() {
        if !path.ends_with('/') {
            // Relative links in the page need the trailing slash. The place is made from the
            // path's own segments, so it is always a path on this server: `//kratom` goes to
            // `/kratom/`, never to the host `kratom`.
            return Response::text(301, "moved").header("Location", location(&rel));
        }
        file = file.join("index.html");
    }
    match read_built(&file, shared) {
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
            shell(
                shared,
                "Not found",
                "not-found",
                path,
                &ShellWords::ENGLISH,
                version,
                &errors,
            ),
        )
        .no_store(),
    }
}

/// `/a/b/` for the segments `a`, `b`, each percent-encoded.
fn location(rel: &Path) -> String {
    // What a path segment may hold as it is (RFC 3986's pchar); the rest is encoded.
    const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b'~');
    let mut out = String::from("/");
    for seg in rel.iter() {
        let seg = seg.to_string_lossy();
        out.extend(percent_encoding::utf8_percent_encode(&seg, SEGMENT));
        out.push('/');
    }
    out
}

/// A built file. Where the system cannot swap two folders in one step, the new site is moved
/// in with two renames, and for that moment there is no site folder: a read that fails then
/// is tried again once the folder is back.
fn read_built(file: &Path, shared: &Shared) -> std::io::Result<Vec<u8>> {
    for _ in 0..100 {
        match std::fs::read(file) {
            Ok(bytes) => return Ok(bytes),
            Err(e) if shared.built.is_dir() => return std::fs::read(file).map_err(|_| e),
            Err(_) => std::thread::sleep(std::time::Duration::from_millis(10)),
        }
    }
    std::fs::read(file)
}

/// Whether a POST to the form comes from the form's own page, so that another site the
/// clinician has open cannot make the browser post patient data here (CSRF).
///
/// Two proofs, either enough:
/// - the per-server token the form page carries (a hidden field, `form_token`), which only a
///   page that could read this server's form knows: the browser keeps other sites from reading
///   it, and the Host check keeps a page elsewhere from posing as this server (DNS rebinding).
///   It does not depend on headers a browser, an extension or a proxy may leave out;
/// - an `Origin` naming this server, or where there is no Origin (or it is `null`), a
///   `Referer` that does. A page cannot set either; they let a site's own handout template
///   that does not carry the token keep working (the form page is sent with
///   `Referrer-Policy: same-origin`, so the browser sends them to this server and no other).
///
/// An Origin naming another site is refused even with the token. `Origin: null` (a sandboxed
/// frame, a page sent with no-referrer) proves nothing. Without `--bind`, the Host is checked
/// to be this computer first; on another address there is no such check, and a site that
/// rebinds its name to this server could pass both tests: `--bind` warns of it.
fn sent_from_the_form(req: &Request, shared: &Shared) -> Result<(), Response> {
    let ours = |url: &str| same_origin(url, &req.host);
    let origin = req.origin.as_deref().filter(|o| *o != "null");
    if let Some(o) = origin.filter(|o| !ours(o)) {
        return Err(Response::text(
            403,
            &format!(
                "refused: the form was sent from another site ({o}); the handout form takes only what is sent from its own page at /handout"
            ),
        )
        .no_store());
    }
    let token = super::http::parse_form(&req.body)
        .into_iter()
        .find(|(k, _)| k == "form_token")
        .map(|(_, v)| v);
    let token_ok = token.is_some_and(|t| same_bytes(t.as_bytes(), shared.form_token.as_bytes()));
    let referer_ok = origin.is_none() && req.referer.as_deref().is_some_and(ours);
    if token_ok || origin.is_some() || referer_ok {
        return Ok(());
    }
    Err(Response::text(
        403,
        "refused: this request carries neither the handout form's token nor an Origin or Referer header naming this server, so it cannot be told from another site's page posting here; send the form from its page at /handout (reload the page if the server was restarted)",
    )
    .no_store())
}

/// Whether `url` (an Origin or a Referer) is of the server named by `host`: `http://HOST`,
/// then the end or a path.
fn same_origin(url: &str, host: &str) -> bool {
    let Some(rest) = url
        .get(..7)
        .filter(|s| s.eq_ignore_ascii_case("http://"))
        .map(|_| &url[7..])
    else {
        return false;
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let named = rest[..end].to_ascii_lowercase();
    let bare = |h: &str| h.strip_suffix(":80").unwrap_or(h).to_string();
    !named.is_empty() && bare(&named) == bare(host)
}

/// Equal bytes, compared in a time that does not tell how much of a guess was right.
fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

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
            "localhost:8080@evil.example",
            "[::1]evil",
            "evil.example:8080",
            "10.0.0.1:8080",
            "[2001:db8::1]:80",
            "localhost.evil.example",
        ] {
            assert!(!local_host(bad), "{bad}");
        }
    }

    #[test]
    fn origins_and_redirects_stay_on_this_server() {
        assert!(same_origin("http://127.0.0.1:8080", "127.0.0.1:8080"));
        assert!(same_origin(
            "HTTP://LOCALHOST:8080/handout?page=x",
            "localhost:8080"
        ));
        assert!(same_origin("http://localhost", "localhost:80"));
        for (url, host) in [
            ("http://127.0.0.1:8081", "127.0.0.1:8080"),
            ("https://127.0.0.1:8080", "127.0.0.1:8080"),
            ("http://127.0.0.1:8080.evil.example", "127.0.0.1:8080"),
            (
                "http://evil.example/http://127.0.0.1:8080",
                "127.0.0.1:8080",
            ),
            ("null", "127.0.0.1:8080"),
            ("http://", ""),
        ] {
            assert!(!same_origin(url, host), "{url} {host}");
        }
        assert!(same_bytes(b"abc", b"abc"));
        assert!(!same_bytes(b"abc", b"abd") && !same_bytes(b"abc", b"ab"));
        assert_eq!(location(Path::new("kratom")), "/kratom/");
        assert_eq!(location(Path::new("a b/%2F")), "/a%20b/%252F/");
        assert_eq!(
            location(Path::new("x\r\nSet-Cookie: y")),
            "/x%0D%0ASet-Cookie%3A%20y/"
        );
    }

    #[test]
    fn the_live_script_listens_for_reloads() {
        assert!(LIVE_JS.contains("new EventSource(\"/_careguide/events\")"));
        assert!(LIVE_JS.contains("\"reload\""));
    }
}
