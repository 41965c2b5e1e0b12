//! The routes: the live-reload endpoints, the handout form and the files of the last good
//! build. Every check that keeps the preview and the form safe is made here, before any
//! template is involved.

use std::net::IpAddr;
use std::path::{Component, Path, PathBuf};

use super::http::{Reply, Request, Response};
use super::pages::{inject, overlay, shell};
use super::{form, Shared};

const LIVE_JS: &str = include_str!("live.js");
const LIVE_CSS: &str = include_str!("live.css");

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

pub(super) fn route(req: &Request, shared: &Shared) -> Reply {
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
            "evil.example:8080",
            "10.0.0.1:8080",
            "[2001:db8::1]:80",
            "localhost.evil.example",
        ] {
            assert!(!local_host(bad), "{bad}");
        }
    }

    #[test]
    fn the_live_script_listens_for_reloads() {
        assert!(LIVE_JS.contains("new EventSource(\"/_careguide/events\")"));
        assert!(LIVE_JS.contains("\"reload\""));
    }
}
