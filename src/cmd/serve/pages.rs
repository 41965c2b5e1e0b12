//! The server's own HTML: the reload script and the failed build's errors put into a page,
//! and the server's pages (not built yet, not found, form unavailable).

use serde::Serialize;
use tera::Context;

use super::templates::{self, ServeTemplates};
use super::{Shared, MAX_LISTED};
use crate::diag::Diagnostic;

/// The build's errors at the start of the body, where they are seen and read first, and the
/// reload script before `</body>`.
pub(super) fn inject(html: &str, version: u64, overlay: &str) -> String {
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
pub(super) fn overlay(t: &ServeTemplates, errors: &[Diagnostic]) -> String {
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

/// The words of a server page for whoever reads it: its `<html lang>` and, when the page is
/// said in the site's language, its text (`None`: the template's own English words).
pub(super) struct ShellWords<'a> {
    pub lang: &'a str,
    pub body: Option<&'a str>,
}

impl ShellWords<'_> {
    /// careguide's English, as the editor's pages (not built, not found) are written.
    pub const ENGLISH: ShellWords<'static> = ShellWords {
        lang: "en",
        body: None,
    };
}

/// A page of the server's own (not of the site), `serve/shell.html`, with the errors and the
/// reload script.
pub(super) fn shell(
    shared: &Shared,
    title: &str,
    kind: &str,
    path: &str,
    words: &ShellWords,
    version: u64,
    errors: &[Diagnostic],
) -> String {
    let t = shared.templates();
    let mut ctx = Context::new();
    ctx.insert("title", title);
    ctx.insert("kind", kind);
    ctx.insert("path", path);
    ctx.insert("lang", words.lang);
    ctx.insert("body", &words.body);
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
}
