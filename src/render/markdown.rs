//! Markdown to HTML with pulldown-cmark: the parser options every stage shares, heading anchors
//! and the table of contents.

use std::collections::BTreeSet;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use serde::Serialize;

/// The Markdown dialect of careguide pages: CommonMark plus tables, footnotes, strikethrough,
/// smart punctuation and `{#id}` heading attributes.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}

#[derive(Debug, Clone, Default)]
pub struct Html {
    pub html: String,
    pub toc: Vec<TocEntry>,
}

/// A URL fragment from heading text: lower case, words joined by '-'.
pub fn anchor(text: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in text.chars() {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        out.push_str("section");
    }
    out
}

fn level_num(l: HeadingLevel) -> u8 {
    l as u8
}

fn level_from(n: u8) -> HeadingLevel {
    match n {
        0 | 1 => HeadingLevel::H1,
        2 => HeadingLevel::H2,
        3 => HeadingLevel::H3,
        4 => HeadingLevel::H4,
        5 => HeadingLevel::H5,
        _ => HeadingLevel::H6,
    }
}

/// Render Markdown. Body headings start at `<h2>` (the page title is the `<h1>`), each gets a
/// unique id, and `<h2>`/`<h3>` go into the table of contents. `reserved` ids (used elsewhere on
/// the page) are never given to a heading.
pub fn render(md: &str, reserved: &[&str]) -> Html {
    render_in(md, reserved, None)
}

/// Stands for the relative path from an output file to the site root in rendered HTML; the
/// templates stage replaces it once it knows where the file goes. One page's HTML is written at
/// two depths (`/<path>/` and `/<path>/<audience>/`), so links between pages cannot be fixed
/// at Markdown time.
pub const ROOT_MARKER: &str = "@careguide-root@";

/// Where a link in a page at `page_path` (`guides/taper`, URL `/guides/taper/`) leads, as a
/// path from the site root; `None` for links that leave the site or stay on the page.
pub fn site_link(page_path: &str, dest: &str) -> Option<String> {
    let d = dest.trim();
    let scheme = d
        .split_once(':')
        .map(|(s, _)| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
        .unwrap_or(false);
    if d.is_empty() || d.starts_with('#') || d.starts_with("//") || scheme {
        return None;
    }
    let (path, rest) = match d.find(['?', '#']) {
        Some(i) => (&d[..i], &d[i..]),
        None => (d, ""),
    };
    let mut segs: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        page_path.split('/').filter(|s| !s.is_empty()).collect()
    };
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segs.pop();
            }
            s => segs.push(s),
        }
    }
    let mut out = segs.join("/");
    if path.ends_with('/') && !out.is_empty() {
        out.push('/');
    }
    out.push_str(rest);
    Some(out)
}

/// [`render`] for a page at `page_path`: links to other pages of the site (relative to the
/// page's URL, or starting with `/`) become [`ROOT_MARKER`]-prefixed paths. Raw HTML is
/// sanitized with the default allowlist.
pub fn render_in(md: &str, reserved: &[&str], page_path: Option<&str>) -> Html {
    render_in_with(
        md,
        reserved,
        page_path,
        &crate::config::HtmlConfig::default(),
    )
}

/// [`render_in`] with the site's `[html]` allowlist.
pub fn render_in_with(
    md: &str,
    reserved: &[&str],
    page_path: Option<&str>,
    allow: &crate::config::HtmlConfig,
) -> Html {
    let events: Vec<Event> = Parser::new_ext(md, options()).collect();
    let min_level = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(level_num(*level)),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let shift = 2u8.saturating_sub(min_level);
    let mut used: BTreeSet<String> = reserved.iter().map(|s| s.to_string()).collect();
    let mut toc = Vec::new();
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        match &events[i] {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                // Gather the heading's text to make its anchor.
                let mut text = String::new();
                let mut j = i + 1;
                while j < events.len() && !matches!(events[j], Event::End(TagEnd::Heading(_))) {
                    if let Event::Text(t) | Event::Code(t) = &events[j] {
                        text.push_str(t);
                    }
                    j += 1;
                }
                let base = id
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| anchor(&text));
                let mut unique = base.clone();
                let mut n = 1;
                while used.contains(&unique) {
                    n += 1;
                    unique = format!("{base}-{n}");
                }
                used.insert(unique.clone());
                let new_level = level_from(level_num(*level) + shift);
                if matches!(new_level, HeadingLevel::H2 | HeadingLevel::H3) {
                    toc.push(TocEntry {
                        level: level_num(new_level),
                        id: unique.clone(),
                        text: text.trim().to_string(),
                    });
                }
                out.push(Event::Start(Tag::Heading {
                    level: new_level,
                    id: Some(CowStr::from(unique)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                }));
                i += 1;
            }
            Event::End(TagEnd::Heading(level)) => {
                out.push(Event::End(TagEnd::Heading(level_from(
                    level_num(*level) + shift,
                ))));
                i += 1;
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if page_path.is_some() => {
                let dest = page_path
                    .and_then(|p| site_link(p, dest_url))
                    .map(|l| CowStr::from(format!("{ROOT_MARKER}{l}")))
                    .unwrap_or_else(|| dest_url.clone());
                out.push(Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: dest,
                    title: title.clone(),
                    id: id.clone(),
                }));
                i += 1;
            }
            e => {
                out.push(e.clone());
                i += 1;
            }
        }
    }
    let mut html = String::with_capacity(md.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, out.into_iter());
    let html = crate::render::sanitize::clean(&html, allow);
    Html { html, toc }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_get_unique_anchors_and_start_at_h2() {
        let h = render(
            "# Assessment\n\ntext\n\n## Steps\n\n# Assessment\n",
            &["references"],
        );
        assert!(
            h.html.contains("<h2 id=\"assessment\">Assessment</h2>"),
            "{}",
            h.html
        );
        assert!(h.html.contains("<h3 id=\"steps\">Steps</h3>"));
        assert!(h.html.contains("<h2 id=\"assessment-2\">"));
        assert_eq!(h.toc.len(), 3);
        assert_eq!(h.toc[1].level, 3);
    }

    #[test]
    fn links_between_pages_are_resolved_from_the_site_root() {
        assert_eq!(
            site_link("kratom", "../kratom-withdrawal/").as_deref(),
            Some("kratom-withdrawal/")
        );
        assert_eq!(site_link("a/b", "../c/#x").as_deref(), Some("a/c/#x"));
        assert_eq!(site_link("a/b", "/top/").as_deref(), Some("top/"));
        assert_eq!(site_link("a", "https://x.org/"), None);
        assert_eq!(site_link("a", "mailto:x@y.org"), None);
        assert_eq!(site_link("a", "#section"), None);
        let h = render_in("See [the guide](../guide/).", &[], Some("kratom"));
        assert!(
            h.html.contains(&format!("href=\"{ROOT_MARKER}guide/\"")),
            "{}",
            h.html
        );
    }

    #[test]
    fn reserved_ids_are_not_reused() {
        let h = render("## References\n", &["references"]);
        assert!(h.html.contains("id=\"references-2\""));
    }

    #[test]
    fn tables_footnotes_and_smart_quotes() {
        let h = render(
            "| a | b |\n|---|---|\n| 1 | 2 |\n\nIt's \"x\"[^1].\n\n[^1]: note\n",
            &[],
        );
        assert!(h.html.contains("<table>"));
        assert!(h.html.contains("footnote"));
        assert!(h.html.contains('’'));
    }
}
