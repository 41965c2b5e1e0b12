//! Raw HTML in Markdown is sanitized with an allowlist (ammonia) before it reaches a page.
//!
//! Many authors contribute to a clinic's site, so a page must not be able to run script in a
//! reader's browser: `<script>`, event handlers (`onerror=`), `javascript:` URLs, `<iframe>`,
//! `<style>` and the like are removed. What careguide itself writes into the Markdown HTML
//! survives: citation superscripts (`<sup class="cite" id=..><a href="#ref-N"
//! aria-label=..>`), heading ids, tables with their alignment, footnotes, and links to other
//! pages (which start with [`crate::render::markdown::ROOT_MARKER`], a relative URL to the
//! sanitizer). The glossary markup is added after sanitizing, from escaped text.
//!
//! A site may widen the allowlist with `[html] allow_tags` and `allow_attributes` in
//! `careguide.toml`; elements and attributes that can run script or load other documents are
//! refused there, with a diagnostic at their line.

use std::borrow::Cow;

use crate::config::{never_attribute, never_tag, HtmlConfig};
// The one URL allowlist: configuration and front matter are checked against it too.
use crate::util::safe_url;

/// Attributes careguide's own Markdown HTML uses, on any element.
const GENERIC_ATTRIBUTES: &[&str] = &["id", "class", "aria-label", "aria-hidden", "role"];

/// Sanitize HTML rendered from a page's Markdown with the default allowlist widened by `extra`.
/// Refused entries of `extra` (see [`check_config`]) are ignored here.
pub fn clean(html: &str, extra: &HtmlConfig) -> String {
    let tags: Vec<String> = extra
        .allow_tags
        .iter()
        .map(|t| t.to_ascii_lowercase())
        .filter(|t| !never_tag(t))
        .collect();
    let mut b = ammonia::Builder::default();
    // Raw HTML links take the schemes Markdown links and configured URLs take, no others
    // (ammonia's own list lets ftp:, irc:, sms: and the like through); relative URLs pass
    // as they are. A refused URL loses its attribute, as a Markdown link's does.
    b.url_schemes(crate::util::SAFE_SCHEMES.iter().copied().collect())
        .url_relative(ammonia::UrlRelative::PassThrough)
        .link_rel(None)
        .add_generic_attributes(GENERIC_ATTRIBUTES.iter().copied())
        .add_tag_attributes("th", ["style"])
        .add_tag_attributes("td", ["style"])
        .add_tag_attributes("ol", ["start"])
        .attribute_filter(|element, attribute, value| {
            if attribute == "style" {
                // Table cell alignment is the only style pulldown-cmark writes.
                let keep = matches!(element, "th" | "td")
                    && matches!(
                        value.trim(),
                        "text-align: left" | "text-align: center" | "text-align: right"
                    );
                return keep.then_some(Cow::Borrowed(value));
            }
            Some(Cow::Borrowed(value))
        });
    b.add_tags(tags.iter().map(String::as_str));
    for (tag, attrs) in &extra.allow_attributes {
        let attrs: Vec<&str> = attrs
            .iter()
            .map(String::as_str)
            .filter(|a| !never_attribute(a))
            .collect();
        if tag == "*" {
            b.add_generic_attributes(attrs);
        } else if !never_tag(tag) {
            b.add_tag_attributes(tag.as_str(), attrs);
        }
    }
    b.clean(html).to_string()
}

/// Whether the HTML pulldown-cmark writes for `events` is markup the sanitizer would keep as it
/// is: no raw HTML but careguide's own citation markup (balanced, and not inside a link), no
/// heading attributes beyond id and classes, link and image URLs that are relative or use
/// http, https, mailto or tel, and only the elements plain Markdown makes. Such a page skips
/// [`clean`] (the costliest step of rendering a page) and goes through [`as_cleaned`]; any
/// other page is sanitized. A test renders many pages both ways and compares the bytes.
pub fn needs_no_cleaning(events: &[pulldown_cmark::Event]) -> bool {
    use pulldown_cmark::{Event, Tag};
    let mut open: Vec<&str> = Vec::new();
    let mut in_link = 0usize;
    for e in events {
        // Inside citation markup there is only its text (the numbers, dashes and commas).
        if !open.is_empty() && !matches!(e, Event::Text(_) | Event::InlineHtml(_)) {
            return false;
        }
        match e {
            Event::Start(tag) => {
                match tag {
                    Tag::Paragraph
                    | Tag::BlockQuote(None)
                    | Tag::CodeBlock(_)
                    | Tag::List(_)
                    | Tag::Item
                    | Tag::FootnoteDefinition(_)
                    | Tag::Table(_)
                    | Tag::TableHead
                    | Tag::TableRow
                    | Tag::TableCell
                    | Tag::Emphasis
                    | Tag::Strong
                    | Tag::Strikethrough => {}
                    Tag::Heading { attrs, .. } if attrs.is_empty() => {}
                    Tag::Link { dest_url, .. } => {
                        if in_link > 0 || open.contains(&"a") || !safe_url(dest_url) {
                            return false;
                        }
                        in_link += 1;
                    }
                    // Its text goes into the alt attribute: plain text only.
                    Tag::Image { dest_url, .. } => {
                        if !safe_url(dest_url) {
                            return false;
                        }
                    }
                    _ => return false,
                }
            }
            Event::End(pulldown_cmark::TagEnd::Link) => in_link = in_link.saturating_sub(1),
            Event::End(_)
            | Event::Text(_)
            | Event::Code(_)
            | Event::SoftBreak
            | Event::HardBreak
            | Event::Rule => {}
            // A footnote reference is a link: not inside another.
            Event::FootnoteReference(_) => {
                if in_link > 0 || open.contains(&"a") {
                    return false;
                }
            }
            Event::InlineHtml(h) => match citation_tag(h) {
                Some(CiteTag::Open(name)) => {
                    if name == "a" && (in_link > 0 || open.contains(&"a")) {
                        return false;
                    }
                    open.push(name);
                }
                Some(CiteTag::Close(name)) => {
                    if open.pop() != Some(name) {
                        return false;
                    }
                }
                None => return false,
            },
            _ => return false,
        }
    }
    open.is_empty()
}

enum CiteTag {
    Open(&'static str),
    Close(&'static str),
}

/// One tag of the citation markup [`crate::cite::render_citations`] writes, exactly:
/// `<sup class="cite" id="cite-N">` (or `cite-sN`), `<a href="#ref-N" aria-label="reference
/// N">` and their end tags.
fn citation_tag(h: &str) -> Option<CiteTag> {
    let number = |s: &str| !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit());
    match h {
        "</sup>" => return Some(CiteTag::Close("sup")),
        "</a>" => return Some(CiteTag::Close("a")),
        _ => {}
    }
    if let Some(id) = h
        .strip_prefix("<sup class=\"cite\" id=\"cite-")
        .and_then(|r| r.strip_suffix("\">"))
    {
        return number(id.strip_prefix('s').unwrap_or(id)).then_some(CiteTag::Open("sup"));
    }
    let rest = h.strip_prefix("<a href=\"#ref-")?.strip_suffix("\">")?;
    let (n, label) = rest.split_once("\" aria-label=\"reference ")?;
    (number(n) && n == label).then_some(CiteTag::Open("a"))
}

/// pulldown-cmark's HTML for events that pass [`needs_no_cleaning`], serialized as [`clean`]
/// serializes what it keeps (html5ever): void elements without ` /`, `'` unescaped in attribute
/// values, no-break spaces as `&nbsp;`.
pub fn as_cleaned(html: &str) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 64);
    let mut rest = html;
    while !rest.is_empty() {
        // Text up to the next tag.
        let lt = rest.find('<').unwrap_or(rest.len());
        push_nbsp_escaped(&mut out, &rest[..lt]);
        rest = &rest[lt..];
        if rest.is_empty() {
            break;
        }
        // The tag: attribute values are quoted and never hold a raw '<', '>' or '"'; of the
        // escapes pulldown-cmark writes there, only the single quote's differs.
        let gt = rest.find('>').map(|i| i + 1).unwrap_or(rest.len());
        let mut tag = &rest[..gt];
        rest = &rest[gt..];
        let void = tag.ends_with(" />");
        if void {
            tag = &tag[..tag.len() - 3];
        }
        if !tag.contains('&') {
            push_nbsp_escaped(&mut out, tag);
            if void {
                out.push('>');
            }
            continue;
        }
        let mut t = String::with_capacity(tag.len());
        let mut r = tag;
        while let Some(i) = r.find('&') {
            t.push_str(&r[..i]);
            r = &r[i..];
            let (with, len) = match () {
                _ if r.starts_with("&#39;") => ("'", 5),
                _ if r.starts_with("&#x27;") => ("'", 6),
                _ => ("&", 1),
            };
            t.push_str(with);
            r = &r[len..];
        }
        t.push_str(r);
        push_nbsp_escaped(&mut out, &t);
        if void {
            out.push('>');
        }
    }
    out
}

fn push_nbsp_escaped(out: &mut String, s: &str) {
    // U+00A0 is C2 A0 in UTF-8: text without an A0 byte has none.
    if memchr::memchr(0xa0, s.as_bytes()).is_none() {
        out.push_str(s);
        return;
    }
    let mut parts = s.split('\u{a0}');
    if let Some(first) = parts.next() {
        out.push_str(first);
    }
    for p in parts {
        out.push_str("&nbsp;");
        out.push_str(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(s: &str) -> String {
        clean(s, &HtmlConfig::default())
    }

    #[test]
    fn script_handlers_and_javascript_urls_go() {
        let out = c(concat!(
            "<p>a<script>alert(1)</script>b</p>",
            "<img src=\"x\" onerror=\"alert(1)\">",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<a href=\"JaVaScRiPt:alert(1)\">y</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<style>body{display:none}</style>",
            "<p style=\"position:fixed\">z</p>",
        ));
        let lower = out.to_ascii_lowercase();
        for bad in [
            "<script",
            "onerror",
            "javascript:",
            "<iframe",
            "<style",
            "position:fixed",
        ] {
            assert!(!lower.contains(bad), "{bad} in {out}");
        }
        assert!(out.contains("ab"), "{out}");
    }

    #[test]
    fn raw_html_links_take_the_schemes_markdown_links_take() {
        for bad in [
            "ftp://files.example/a",
            "irc://chat.example/x",
            "sms:+15551234",
            "data:text/html,hi",
            "file:///etc/passwd",
            "FTP://files.example/a",
            "java\tscript:alert(1)",
        ] {
            let out = c(&format!(
                "<a href=\"{bad}\">x</a><img src=\"{bad}\" alt=\"y\">"
            ));
            assert_eq!(out, "<a>x</a><img alt=\"y\">", "{bad}");
            assert!(!crate::util::safe_url(bad), "{bad}");
        }
        for good in [
            "https://example.org/a?b=1",
            "http://example.org/",
            "mailto:clinic@example.org",
            "tel:+15551234",
            "MAILTO:clinic@example.org",
            "../other/",
            "/static/a.pdf",
            "#steps",
            "chart.png",
        ] {
            let html = format!("<a href=\"{good}\">x</a>");
            assert_eq!(c(&html), html, "{good}");
            assert!(crate::util::safe_url(good), "{good}");
        }
    }

    #[test]
    fn careguide_markup_survives() {
        let html = concat!(
            "<h2 id=\"steps\">Steps</h2>\n",
            "<p>Claim.<sup class=\"cite\" id=\"cite-1\"><a href=\"#ref-1\" aria-label=\"reference 1\">1</a></sup> ",
            "<a href=\"@careguide-root@guides/taper/\">the taper</a></p>\n",
            "<table><thead><tr><th style=\"text-align: center\">a</th></tr></thead></table>\n",
            "<div class=\"footnote-definition\" id=\"1\"><sup class=\"footnote-definition-label\">1</sup></div>\n",
        );
        assert_eq!(c(html), html);
    }

    #[test]
    fn a_site_can_widen_the_allowlist_but_not_to_script() {
        let mut extra = HtmlConfig {
            allow_tags: vec!["video".into(), "script".into()],
            ..Default::default()
        };
        extra
            .allow_attributes
            .insert("video".into(), vec!["controls".into(), "onplay".into()]);
        let out = clean(
            "<video controls onplay=\"x()\"></video><script>x()</script>",
            &extra,
        );
        assert_eq!(out, "<video controls=\"\"></video>");
        let d = crate::config::check_html(
            &extra,
            "[html]\nallow_tags = [\"video\", \"script\"]\n",
            std::path::Path::new("careguide.toml"),
        );
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(d[0].line, 2);
    }
}
