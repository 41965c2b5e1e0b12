//! Markdown to HTML with pulldown-cmark: the parser options every stage shares, heading anchors
//! and the table of contents.

use std::collections::{BTreeSet, HashMap};

use pulldown_cmark::{CowStr, Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::audience::blocks::{self, Boxed, Mark};

pub use crate::util::markdown_options as options;

pub use crate::types::TocEntry;

#[derive(Debug, Clone, Default)]
pub struct Html {
    pub html: String,
    pub toc: Vec<TocEntry>,
}

/// A URL fragment from heading text: lower case, words joined by '-'.
pub fn anchor(text: &str) -> String {
    let mut out = crate::util::dash_words(text.chars());
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

/// Stands for a link to another page's Markdown file in rendered HTML, after
/// [`ROOT_MARKER`]: `@careguide-page-<hex of the path as written>@` and the fragment. Which
/// page version it leads to depends on the audience of the output file, so
/// [`crate::render::links::resolve_marks`] makes it a path once that is known.
pub const PAGE_MARK: &str = "@careguide-page-";

/// Stands for a link to a file beside the page (an image, a PDF form), as [`PAGE_MARK`] does.
pub const FILE_MARK: &str = "@careguide-file-";

/// A link that names a file rather than a URL: another page's Markdown file (with the
/// fragment after `#`), or a file beside the page (`chart.png`, `forms/intake.pdf`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Local {
    Page(String, Option<String>),
    File(String),
}

/// Whether a link leaves the site or stays on the page (`https:`, `mailto:`, `//host`, `#x`).
fn not_in_site(d: &str) -> bool {
    let scheme = d
        .split_once(':')
        .map(|(s, _)| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        })
        .unwrap_or(false);
    d.is_empty() || d.starts_with('#') || d.starts_with("//") || scheme
}

/// What a link names when it names a file: a path ending in `.md` is a page (from the page's
/// folder, or from `content/` with a leading `/`); a relative path with another extension
/// (not `.html`) a file beside the page. `None` for URLs, folders and `/`-paths to other
/// files (those are the site's own URLs, `static/` files among them).
pub fn local(dest: &str) -> Option<Local> {
    let d = dest.trim();
    if not_in_site(d) {
        return None;
    }
    let path = &d[..d.find(['?', '#']).unwrap_or(d.len())];
    let fragment = d.split_once('#').map(|(_, f)| f.to_string());
    let name = path.rsplit('/').next().unwrap_or("");
    let ext = name
        .rsplit_once('.')
        .filter(|(stem, e)| {
            !stem.is_empty() && !e.is_empty() && e.chars().all(|c| c.is_ascii_alphanumeric())
        })
        .map(|(_, e)| e.to_ascii_lowercase());
    match ext.as_deref() {
        Some("md") => Some(Local::Page(path.to_string(), fragment)),
        None | Some("html" | "htm") => None,
        Some(_) if !path.starts_with('/') => Some(Local::File(path.to_string())),
        Some(_) => None,
    }
}

/// Hex digits of a string: a mark's payload, safe in any URL and through the sanitizer.
pub fn hex(s: &str) -> String {
    s.bytes().map(|b| format!("{b:02x}")).collect()
}

/// The mark a [`Local`] link is written as (see [`PAGE_MARK`]).
pub fn mark(local: &Local) -> String {
    match local {
        Local::Page(path, fragment) => format!(
            "{ROOT_MARKER}{PAGE_MARK}{}@{}",
            hex(path),
            fragment
                .as_ref()
                .map(|f| format!("#{f}"))
                .unwrap_or_default()
        ),
        Local::File(path) => format!("{ROOT_MARKER}{FILE_MARK}{}@", hex(path)),
    }
}

/// The ids the headings of Markdown `md` get (as [`render`] gives them), in order.
pub fn heading_ids(md: &str, reserved: &[&str]) -> Vec<String> {
    prepared(md, reserved, None)
        .0
        .into_iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect()
}

/// Where a link in a page at `page_path` (`guides/taper`, URL `/guides/taper/`) leads, as a
/// path from the site root; `None` for links that leave the site or stay on the page.
pub fn site_link(page_path: &str, dest: &str) -> Option<String> {
    let d = dest.trim();
    if not_in_site(d) {
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
    // A folder is linked by its index file: a site opened from disk (`file://`) would show
    // the folder as a listing.
    if path.ends_with('/') || segs.is_empty() {
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str("index.html");
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
    let (events, toc) = prepared(md, reserved, page_path);
    Html {
        html: to_html(events, allow, false),
        toc,
    }
}

/// The page's Markdown events with headings shifted and given unique ids, and links between
/// pages resolved; and its table of contents.
fn prepared<'a>(
    md: &'a str,
    reserved: &[&str],
    page_path: Option<&str>,
) -> (Vec<Event<'a>>, Vec<TocEntry>) {
    let events: Vec<Event> = match with_callouts(md) {
        Some(events) => events,
        None => Parser::new_ext(md, options()).collect(),
    };
    let min_level = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(level_num(*level)),
            _ => None,
        })
        .min()
        .unwrap_or(2);
    let mut headings = Headings {
        shift: 2u8.saturating_sub(min_level),
        used: reserved.iter().map(|s| s.to_string()).collect(),
        last_suffix: HashMap::new(),
        toc: Vec::new(),
    };
    let mut out: Vec<Event> = Vec::with_capacity(events.len());
    for (i, e) in events.iter().enumerate() {
        out.push(match e {
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                let text = heading_text(&events[i + 1..]);
                let base = id
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_else(|| anchor(&text));
                let (level, unique) = headings.add(*level, base, &text);
                Event::Start(Tag::Heading {
                    level,
                    id: Some(CowStr::from(unique)),
                    classes: classes.clone(),
                    attrs: attrs.clone(),
                })
            }
            Event::End(TagEnd::Heading(level)) => {
                Event::End(TagEnd::Heading(headings.shifted(*level)))
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if page_path.is_some() => {
                let dest = match local(dest_url) {
                    Some(l) => CowStr::from(mark(&l)),
                    None => page_path
                        .and_then(|p| site_link(p, dest_url))
                        .map(|l| CowStr::from(format!("{ROOT_MARKER}{l}")))
                        .unwrap_or_else(|| dest_url.clone()),
                };
                Event::Start(Tag::Link {
                    link_type: *link_type,
                    dest_url: dest,
                    title: title.clone(),
                    id: id.clone(),
                })
            }
            // An image beside the page, linked from every version at its depth.
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) if page_path.is_some() && matches!(local(dest_url), Some(Local::File(_))) => {
                let dest = local(dest_url)
                    .map(|l| CowStr::from(mark(&l)))
                    .unwrap_or_else(|| dest_url.clone());
                Event::Start(Tag::Image {
                    link_type: *link_type,
                    dest_url: dest,
                    title: title.clone(),
                    id: id.clone(),
                })
            }
            e => e.clone(),
        });
    }
    (out, headings.toc)
}

/// The text of a heading whose events follow (to its end), for its anchor and the table of
/// contents.
fn heading_text(after_start: &[Event]) -> String {
    let mut text = String::new();
    for e in after_start {
        match e {
            Event::End(TagEnd::Heading(_)) => break,
            Event::Text(t) | Event::Code(t) => text.push_str(t),
            _ => {}
        }
    }
    text
}

/// The headings of a body in order: each level shifted so the body starts at level 2, each id
/// unique on the page, and the level-2 and level-3 ones listed for the table of contents.
struct Headings {
    shift: u8,
    used: BTreeSet<String>,
    /// The last suffix tried for each base: ids are only ever added to `used`, so every
    /// `base-k` below it is still taken, and the search resumes there (40,000 headings of the
    /// same text took minutes when it started from 2 each time).
    last_suffix: HashMap<String, usize>,
    toc: Vec<TocEntry>,
}

impl Headings {
    fn shifted(&self, level: HeadingLevel) -> HeadingLevel {
        level_from(level_num(level) + self.shift)
    }

    /// A heading met: its new level and its unique id (`base`, else `base-2`, `base-3`...).
    fn add(&mut self, level: HeadingLevel, base: String, text: &str) -> (HeadingLevel, String) {
        let mut n = self.last_suffix.get(&base).copied().unwrap_or(1);
        let mut unique = if n == 1 {
            base.clone()
        } else {
            format!("{base}-{n}")
        };
        while self.used.contains(&unique) {
            n += 1;
            unique = format!("{base}-{n}");
        }
        self.used.insert(unique.clone());
        self.last_suffix.insert(base, n);
        let level = self.shifted(level);
        if matches!(level, HeadingLevel::H2 | HeadingLevel::H3) {
            self.toc.push(TocEntry {
                level: level_num(level),
                id: unique.clone(),
                text: text.trim().to_string(),
            });
        }
        (level, unique)
    }
}

/// The opening of a callout's box: an `<aside>` with the note role (a static page must not
/// interrupt a screen reader as `role="alert"` would), its label the first thing read.
fn callout_open(b: Boxed) -> String {
    format!(
        "<aside class=\"callout callout-{}\" role=\"note\">\n<p class=\"callout-label\">{}</p>\n",
        b.class(),
        b.label()
    )
}

const CALLOUT_CLOSE: &str = "</aside>\n";

/// The events of Markdown holding callouts ([`blocks::mark_callouts`]), each boxed callout
/// an `<aside>`; `None` when it holds none. A callout still open when the list item, quote or
/// list it opened in ends is closed there, so the HTML stays well nested whatever the fences'
/// indentation; `{.practice}` renders as ordinary text.
fn with_callouts(md: &str) -> Option<Vec<Event<'static>>> {
    let marked = blocks::mark_callouts(md)?;
    let mut out = Vec::new();
    // Open callouts: the container depth each opened at, and its box.
    let mut open: Vec<(usize, Option<Boxed>)> = Vec::new();
    let mut depth = 0usize;
    let mut in_mark = false;
    let close = |out: &mut Vec<Event<'static>>, b: Option<Boxed>| {
        if b.is_some() {
            out.push(Event::Html(CowStr::Borrowed(CALLOUT_CLOSE)));
        }
    };
    for (ev, range) in Parser::new_ext(&marked.text, options()).into_offset_iter() {
        if in_mark {
            in_mark = !matches!(ev, Event::End(TagEnd::HtmlBlock));
            continue;
        }
        match (&ev, marked.at(range.start)) {
            (Event::Start(Tag::HtmlBlock), Some(mark)) => {
                in_mark = true;
                match mark {
                    Mark::Open(c) => {
                        open.push((depth, c.boxed));
                        if let Some(b) = c.boxed {
                            out.push(Event::Html(CowStr::from(callout_open(b))));
                        }
                    }
                    Mark::Close => {
                        if open.last().is_some_and(|(d, _)| *d == depth) {
                            if let Some((_, b)) = open.pop() {
                                close(&mut out, b);
                            }
                        }
                    }
                }
                continue;
            }
            // A fence Markdown read inside a paragraph (a lazy continuation line): no box.
            (Event::Html(_) | Event::InlineHtml(_), Some(_)) => continue,
            (Event::Start(_), _) => depth += 1,
            (Event::End(_), _) => {
                depth = depth.saturating_sub(1);
                while open.last().is_some_and(|(d, _)| *d > depth) {
                    if let Some((_, b)) = open.pop() {
                        close(&mut out, b);
                    }
                }
            }
            _ => {}
        }
        out.push(ev.into_static());
    }
    while let Some((_, b)) = open.pop() {
        close(&mut out, b);
    }
    Some(out)
}

/// The page's HTML, sanitized ([`crate::render::sanitize`]); `always_clean` for the test that
/// compares the two ways.
fn to_html(events: Vec<Event>, allow: &crate::config::HtmlConfig, always_clean: bool) -> String {
    use crate::render::sanitize;
    let trusted = !always_clean && sanitize::needs_no_cleaning(&events);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    // The HTML parser behind `clean` turns carriage returns into line feeds.
    if trusted && !html.contains(['\r', '\0']) {
        sanitize::as_cleaned(&html)
    } else {
        sanitize::clean(&html, allow)
    }
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
    fn repeated_headings_take_the_next_free_suffix() {
        let h = render(
            "## h

## h

## h 2

## h

## h-3

## h
",
            &["h-4"],
        );
        let ids: Vec<&str> = h.toc.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["h", "h-2", "h-2-2", "h-3", "h-3-2", "h-5"]);
    }

    #[test]
    fn links_between_pages_are_resolved_from_the_site_root() {
        assert_eq!(
            site_link("kratom", "../kratom-withdrawal/").as_deref(),
            Some("kratom-withdrawal/index.html")
        );
        assert_eq!(
            site_link("a/b", "../c/#x").as_deref(),
            Some("a/c/index.html#x")
        );
        assert_eq!(site_link("a/b", "/top/").as_deref(), Some("top/index.html"));
        assert_eq!(site_link("a", "/").as_deref(), Some("index.html"));
        assert_eq!(site_link("a", "logo.png").as_deref(), Some("a/logo.png"));
        assert_eq!(site_link("a", "https://x.org/"), None);
        assert_eq!(site_link("a", "mailto:x@y.org"), None);
        assert_eq!(site_link("a", "#section"), None);
        let h = render_in("See [the guide](../guide/).", &[], Some("kratom"));
        assert!(
            h.html
                .contains(&format!("href=\"{ROOT_MARKER}guide/index.html\"")),
            "{}",
            h.html
        );
    }

    #[test]
    fn links_to_files_are_marked() {
        assert_eq!(
            local("../kratom.md#dose"),
            Some(Local::Page("../kratom.md".into(), Some("dose".into())))
        );
        assert_eq!(
            local("/topic/page.md"),
            Some(Local::Page("/topic/page.md".into(), None))
        );
        assert_eq!(local("chart.png"), Some(Local::File("chart.png".into())));
        assert_eq!(local("/logo.png"), None);
        assert_eq!(local("../guide/"), None);
        assert_eq!(local(".."), None);
        assert_eq!(local("x/index.html"), None);
        assert_eq!(local("https://x.org/a.md"), None);
        let h = render_in(
            "See [dose](other.md#dose) and ![chart](c.png).",
            &[],
            Some("p"),
        );
        assert!(
            h.html.contains(&format!(
                "href=\"{ROOT_MARKER}{PAGE_MARK}{}@#dose\"",
                hex("other.md")
            )),
            "{}",
            h.html
        );
        assert!(
            h.html.contains(&format!(
                "src=\"{ROOT_MARKER}{FILE_MARK}{}@\"",
                hex("c.png")
            )),
            "{}",
            h.html
        );
        assert_eq!(heading_ids("## A\n\n## A\n", &[]), ["a", "a-2"]);
    }

    #[test]
    fn reserved_ids_are_not_reused() {
        let h = render("## References\n", &["references"]);
        assert!(h.html.contains("id=\"references-2\""));
    }

    /// Pages whose HTML skips the sanitizer must come out byte for byte as the sanitizer would
    /// give them; every page here is rendered both ways.
    #[test]
    fn pages_that_skip_cleaning_come_out_as_cleaning_makes_them() {
        let mut pages: Vec<String> = [
            "Plain *text* with **strong**, `code`, ~~struck~~ and a [link](https://example.org/a?b=1&c='2').",
            "Quotes \"double\" and 'single' & ampersands < > and no-break\u{a0}spaces.",
            "Line one  \nline two\n\n---\n\n![An <image> \"alt\"](img/x.png \"A 'title'\")",
            "| a | b | c |\n|:--|:-:|--:|\n| 1 | 2 | 3 |\n| x | | z |\n",
            "Footnote[^1] and [a link with a note[^2]](../other/).\n\n[^1]: The note.\n[^2]: Another.",
            "```rust\nfn main() { let a = \"<b>\"; }\n```\n\n    indented <code>\n",
            "> quoted\n>\n> - list\n>   1. nested\n\n3. starts at three\n4. next",
            "# Title {#custom .cls}\n\n## Second {data-x=1}\n\ntext",
            "Claim.<sup class=\"cite\" id=\"cite-1\"><a href=\"#ref-1\" aria-label=\"reference 1\">1</a>&#8211;<a href=\"#ref-3\" aria-label=\"reference 3\">3</a></sup> More.",
            "[A link <sup class=\"cite\" id=\"cite-1\"><a href=\"#ref-1\" aria-label=\"reference 1\">1</a></sup>](https://x.org/)",
            "Unbalanced <sup class=\"cite\" id=\"cite-1\"> citation.",
            "<b>bold</b> raw and <script>alert(1)</script>",
            "[bad](javascript:alert(1)) [worse](java\tscript:alert(1)) [mail](mailto:a@b.org) [tel](TEL:+1)",
            "<https://example.org/auto> and <mailto:x@y.org> autolinks, www.example.org",
            "Windows\r\nline\r\nends\r\n",
            "Null \u{0} byte",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for t in crate::util::repository_markdown(&["content", "tests/fixtures", "templates"]) {
            // With the citations as the build writes them.
            let scan = crate::cite::scan::scan(&t);
            let keys: Vec<String> = scan
                .groups
                .iter()
                .flat_map(|g| g.items.iter().map(|i| i.key.clone()))
                .collect();
            let cited = crate::cite::render_citations(
                &t,
                &scan.groups,
                &|k| keys.iter().position(|x| x == k).map(|i| i + 1),
                &|i| format!("cite-{}", i + 1),
            );
            pages.push(t);
            pages.push(cited);
        }
        let allow = crate::config::HtmlConfig::default();
        let mut skipped = 0;
        for md in &pages {
            let (events, _) = prepared(md, &["references"], Some("guides/page"));
            let fast = to_html(events.clone(), &allow, false);
            let cleaned = to_html(events, &allow, true);
            assert_eq!(fast, cleaned, "for the Markdown:\n{md}");
            let (events, _) = prepared(md, &["references"], Some("guides/page"));
            if crate::render::sanitize::needs_no_cleaning(&events) {
                skipped += 1;
            }
        }
        assert!(
            skipped * 2 > pages.len(),
            "most pages skip cleaning ({skipped} of {})",
            pages.len()
        );
    }

    #[test]
    fn script_and_doubtful_markup_are_always_cleaned() {
        for md in [
            "<b>raw</b> html",
            "<script>alert(1)</script>",
            "[x](javascript:alert(1))",
            "[x](<java\tscript:alert(1)>)",
            "[x](<java script:alert(1)>)",
            "[x](data:text/html,hi)",
            "![x](vbscript:x)",
            "## Heading {onclick=alert(1)}",
            "Unbalanced <sup class=\"cite\" id=\"cite-1\"> citation.",
            "[link <sup class=\"cite\" id=\"cite-1\"><a href=\"#ref-1\" aria-label=\"reference 1\">1</a></sup>](https://x.org/)",
            "<a href=\"#ref-1\" aria-label=\"reference 2\">1</a>",
            "<sup class=\"cite\" id=\"cite-1\" onclick=\"x\">",
        ] {
            let (events, _) = prepared(md, &[], None);
            assert!(
                !crate::render::sanitize::needs_no_cleaning(&events),
                "{md}"
            );
        }
    }

    const FRAGMENTS: &[&str] = &[
        "text ",
        "*em* ",
        "**strong** ",
        "`code` ",
        "~~del~~ ",
        "\n",
        "\n\n",
        "# ",
        "## ",
        "- ",
        "1. ",
        "> ",
        "| a | b |\n|---|:-:|\n| 1 | 2 |\n",
        "[l](../x/ \"t\") ",
        "[l](https://x.org/?a=1&b='c') ",
        "![i<>](p.png) ",
        "[^1] ",
        "\n\n[^1]: note\n",
        "```\ncode <x>\n```\n",
        "    indented\n",
        "---\n",
        "\"q\" ",
        "'s ",
        "& ",
        "< ",
        "> ",
        "\u{a0}",
        "é ",
        "<https://a.org/> ",
        "{#id .c} ",
        "<sup class=\"cite\" id=\"cite-2\">",
        "<a href=\"#ref-2\" aria-label=\"reference 2\">",
        "2",
        "</a>",
        "</sup>",
        "[",
        "]",
        "(",
        ")",
        "  \n",
        "\\",
        "&amp; ",
        "&#39; ",
        "*",
        "_",
        "\r\n",
        "\t",
        "<!-- c -->",
        "[x](<a b>) ",
        "<b>",
        "</b>",
        "[x](TEL:1) ",
        "[x](#frag) ",
    ];

    proptest::proptest! {
        #[test]
        fn any_markdown_skips_cleaning_only_when_cleaning_changes_nothing(
            parts in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..40)
        ) {
            let md = parts.concat();
            let allow = crate::config::HtmlConfig::default();
            let (events, _) = prepared(&md, &[], Some("a/b"));
            let fast = to_html(events.clone(), &allow, false);
            let cleaned = to_html(events, &allow, true);
            proptest::prop_assert_eq!(fast, cleaned, "for {:?}", md);
        }
    }

    fn variant(body: &str, audience: &str) -> String {
        render_in(&blocks::select_mapped(body, audience).text, &[], Some("p")).html
    }

    #[test]
    fn callouts_are_boxed_and_labelled() {
        let body = "## Safety\n\n::: {.warning}\nCall the clinic if your skin turns yellow.\n:::\n\n::: {.urgent}\nCall your local emergency number for a seizure.\n:::\n\nAfter.\n";
        let html = variant(body, "patient");
        assert_eq!(
            html,
            "<h2 id=\"safety\">Safety</h2>\n\
             <aside class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-label\">Important</p>\n\
             <p>Call the clinic if your skin turns yellow.</p>\n</aside>\n\
             <aside class=\"callout callout-urgent\" role=\"note\">\n<p class=\"callout-label\">Emergency</p>\n\
             <p>Call your local emergency number for a seizure.</p>\n</aside>\n\
             <p>After.</p>\n"
        );
        assert!(!html.contains("role=\"alert\""));
    }

    #[test]
    fn callouts_hold_audience_blocks_and_practice_reads_as_text() {
        let body = "::: {.note}\nFor all.\n::: clinician\nOnly clinicians [@a].\n:::\n:::\n\n::: {.practice}\nWe call you.\n:::\n";
        let p = variant(body, "patient");
        assert!(
            p.contains("<aside class=\"callout callout-note\" role=\"note\">"),
            "{p}"
        );
        assert!(!p.contains("clinicians"), "{p}");
        assert!(
            p.ends_with("<p>For all.</p>\n</aside>\n<p>We call you.</p>\n"),
            "{p}"
        );
        let c = variant(body, "clinician");
        assert!(c.contains("For all.\nOnly clinicians"), "{c}");
        // Practice is ordinary text: as if the fences were not there.
        assert_eq!(
            variant("::: {.practice}\nWe call you.\n:::\n", "patient"),
            render("We call you.\n", &[]).html
        );
        // A box with nothing the audience sees is left out whole.
        let only = "::: {.warning}\n::: clinician\nDose note.\n:::\n:::\nEnd.\n";
        assert_eq!(variant(only, "patient"), "<p>End.</p>\n");
        assert!(variant(only, "clinician").contains("callout-warning"));
    }

    #[test]
    fn a_callout_in_a_list_item_stays_inside_it() {
        let body = "- one\n  ::: {.warning .practice}\n  Careful.\n  :::\n- two\n";
        let html = variant(body, "patient");
        assert_eq!(html.matches("<ul>").count(), 1, "{html}");
        // A tight list's item text has no paragraph, in the box as beside it.
        assert!(html.contains("<li>one<aside class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-label\">Important</p>\nCareful.</aside>\n</li>\n<li>two</li>"), "{html}");
        // Closed outside the item it opened in: the box still ends with the item.
        let html = variant("- one\n  ::: {.note}\n  Careful.\n- two\n:::\n", "patient");
        assert!(html.contains("Careful.</aside>\n</li>"), "{html}");
        assert_eq!(
            html.matches("<aside").count(),
            html.matches("</aside>").count()
        );
        // Fences inside code are text.
        let code = variant("```\n::: {.note}\n:::\n```\n", "patient");
        assert!(
            code.contains("::: {.note}") && !code.contains("<aside"),
            "{code}"
        );
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
