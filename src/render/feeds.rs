//! `sitemap.xml`, `robots.txt` and the Atom feed `feed.xml`, with absolute URLs from
//! `base_url`. Every date comes from the pages, never from the clock, so two builds of the same
//! content give the same bytes.
//!
//! Each is a template (`templates/sitemap.xml`, `robots.txt`, `feed.xml`) that a site can
//! replace like the others. The values it is given are already escaped for XML here, so a
//! site's template cannot leave a value unescaped.

use serde::Serialize;
use tera::Context;

use crate::cite::scan::strip_citations;
use crate::content::Document;
use crate::diag::Diagnostic;
use crate::model::Site;
use crate::render::templates::Templates;
use crate::types::{AudienceId, Date};
use crate::util::xml_escape;

/// How many pages the feed lists, newest first.
pub const FEED_ENTRIES: usize = 20;

/// The folder of the editorial report: never listed in the sitemap, and closed to crawlers.
pub const EDITORIAL_DIR: &str = "_editorial";

/// `base_url` with exactly one trailing slash.
pub fn base(site: &Site) -> String {
    let mut b = site.config.base_url.trim().to_string();
    if !b.ends_with('/') {
        b.push('/');
    }
    b
}

/// Percent-encode a site path for use in a URL (slashes kept).
pub fn url_path(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path part of the base URL (`/` for `https://host/`, `/clinic/` for `https://host/clinic`).
fn base_path(base: &str) -> String {
    let after_scheme = base.split_once("://").map(|(_, r)| r).unwrap_or(base);
    match after_scheme.find('/') {
        Some(i) => after_scheme[i..].to_string(),
        None => "/".to_string(),
    }
}

/// A page's canonical URL for one audience, relative to the site root.
pub fn variant_path(doc: &Document, audience: &AudienceId) -> String {
    format!("{}/{}/", url_path(&doc.path), url_path(audience))
}

/// Topic pages, as the site renders them (see `render::site`): (name, relative URL).
/// `other` names the topic of pages without one, as the site's language does.
fn topic_paths(site: &Site, other: &str) -> Vec<(String, String, Date)> {
    let mut topics: std::collections::BTreeMap<String, Date> = Default::default();
    // Topic pages list the default language's pages.
    for doc in site.pages.iter().filter(|d| d.translation.is_none()) {
        let names: Vec<String> = if doc.front.topics.is_empty() {
            vec![other.to_string()]
        } else {
            doc.front.topics.clone()
        };
        for t in names {
            let d = topics.entry(t).or_insert(doc.front.updated);
            if doc.front.updated > *d {
                *d = doc.front.updated;
            }
        }
    }
    topics
        .into_iter()
        .map(|(name, d)| {
            // As render::site names them (a name with no slug is refused when parsed).
            let slug = crate::util::topic_slug(&name).unwrap_or_else(|| "section".into());
            let url = format!("topics/{}/", url_path(&slug));
            (name, url, d)
        })
        .collect()
}

/// The sitemap: the home page, every topic page and every audience variant of every page at
/// its canonical URL, with `lastmod` from the page's `updated`.
pub fn sitemap(site: &Site, t: &Templates) -> Result<String, Diagnostic> {
    let base = base(site);
    type Alternates = Vec<(String, String)>;
    let mut urls: Vec<(String, Option<Date>, Alternates)> = Vec::new();
    let config = &site.config;
    let langs = config.language_ids();
    // A list page (the home page, a topic page at `rel`) in every language, each with all of
    // them and the default language's as `x-default` for alternates (issue 18).
    let list_alternates = |rel: &str| -> Alternates {
        if config.languages.is_empty() {
            return Vec::new();
        }
        let mut out: Alternates = langs
            .iter()
            .map(|l| {
                let href = format!("{base}{}{rel}", config.lang_prefix(l));
                (l.to_string(), xml_escape(&href))
            })
            .collect();
        out.push(("x-default".into(), xml_escape(&format!("{base}{rel}"))));
        out
    };
    // A list in a language is as new as the newest version in it of the pages it lists.
    let newest_in = |docs: &[&Document], lang: &str| {
        docs.iter()
            .map(|d| site.version_in(d, lang).unwrap_or(d).front.updated)
            .max()
    };
    let originals: Vec<&Document> = site
        .pages
        .iter()
        .filter(|d| d.translation.is_none())
        .collect();
    let words = t.strings(&config.language);
    let topics = topic_paths(site, words.get("site", "other_topic"));
    for lang in &langs {
        let prefix = url_path(&config.lang_prefix(lang));
        let newest = if *lang == config.language.as_str() {
            site.pages.iter().map(|d| d.front.updated).max()
        } else {
            newest_in(&originals, lang)
        };
        urls.push((prefix.clone(), newest, list_alternates("")));
        for (name, url, d) in &topics {
            let d = if *lang == config.language.as_str() {
                Some(*d)
            } else {
                let under: Vec<&Document> = originals
                    .iter()
                    .copied()
                    .filter(|doc| {
                        doc.front.topics.contains(name)
                            || (doc.front.topics.is_empty()
                                && name == words.get("site", "other_topic"))
                    })
                    .collect();
                newest_in(&under, lang)
            };
            urls.push((format!("{prefix}{url}"), d, list_alternates(url)));
        }
    }
    let mut pages: Vec<&Document> = site.pages.iter().collect();
    pages.sort_by(|a, b| a.path.cmp(&b.path));
    for doc in pages {
        // A page in several languages lists every version of it (itself too) as an
        // alternate: the same audience's where that version has it.
        let versions = site.versions(doc);
        for a in &doc.audiences {
            let alternates: Alternates = if versions.len() > 1 {
                let mut out: Alternates = versions
                    .iter()
                    .map(|v| {
                        let path = if v.audiences.contains(a) {
                            variant_path(v, a)
                        } else {
                            format!("{}/", url_path(&v.path))
                        };
                        (v.lang.to_string(), xml_escape(&format!("{base}{path}")))
                    })
                    .collect();
                // The original's, in the default language, for readers of any other.
                if let Some((_, href)) = out.first().cloned() {
                    out.push(("x-default".into(), href));
                }
                out
            } else {
                Vec::new()
            };
            urls.push((variant_path(doc, a), Some(doc.front.updated), alternates));
        }
    }
    urls.retain(|(u, _, _)| !u.starts_with(EDITORIAL_DIR));
    let any_alternates = urls.iter().any(|(_, _, a)| !a.is_empty());
    #[derive(Serialize)]
    struct Alternate {
        lang: String,
        href: String,
    }
    #[derive(Serialize)]
    struct Url {
        loc: String,
        lastmod: Option<String>,
        alternates: Vec<Alternate>,
    }
    let urls: Vec<Url> = urls
        .into_iter()
        .map(|(u, d, alternates)| Url {
            loc: xml_escape(&format!("{base}{u}")),
            lastmod: d.map(|d| d.iso()),
            alternates: alternates
                .into_iter()
                .map(|(lang, href)| Alternate { lang, href })
                .collect(),
        })
        .collect();
    let mut ctx = Context::new();
    ctx.insert("urls", &urls);
    ctx.insert("alternates", &any_alternates);
    t.render("sitemap.xml", &ctx)
}

/// `robots.txt`: everything may be crawled but the editorial report; the sitemap's address.
pub fn robots(site: &Site, t: &Templates) -> Result<String, Diagnostic> {
    let base = base(site);
    let mut ctx = Context::new();
    ctx.insert("disallow", &format!("{}{EDITORIAL_DIR}/", base_path(&base)));
    ctx.insert("sitemap", &format!("{base}sitemap.xml"));
    t.render("robots.txt", &ctx)
}

/// The date a page last changed for a reader: its update or its last review, the later.
pub fn changed(doc: &Document) -> Date {
    match doc.front.review.last_reviewed {
        Some(r) if r > doc.front.updated => r,
        _ => doc.front.updated,
    }
}

fn atom_date(d: Date) -> String {
    format!("{}T00:00:00Z", d.iso())
}

/// The Atom feed of the most recently updated or reviewed pages. The feed's `updated` is its
/// newest entry's date (or the Unix epoch for a site without pages).
pub fn atom(site: &Site, t: &Templates) -> Result<String, Diagnostic> {
    let base = base(site);
    let config = &site.config;
    let words = t.strings(&config.language);
    // The feed follows the default language's pages.
    let mut pages: Vec<&Document> = site
        .pages
        .iter()
        .filter(|d| d.translation.is_none())
        .collect();
    pages.sort_by(|a, b| changed(b).cmp(&changed(a)).then(a.path.cmp(&b.path)));
    pages.truncate(FEED_ENTRIES);
    let updated = pages
        .first()
        .map(|d| atom_date(changed(d)))
        .unwrap_or_else(|| "1970-01-01T00:00:00Z".to_string());
    let e = xml_escape;
    #[derive(Serialize)]
    struct Entry {
        title: String,
        url: String,
        updated: String,
        topics: Vec<String>,
        summary: String,
    }
    let entries: Vec<Entry> = pages
        .into_iter()
        .map(|doc| {
            let audience = if doc.audiences.contains(&config.default_audience) {
                Some(&config.default_audience)
            } else {
                doc.audiences.first()
            };
            let url = match audience {
                Some(a) => format!("{base}{}", variant_path(doc, a)),
                None => format!("{base}{}/", url_path(&doc.path)),
            };
            let r = &doc.front.review;
            let what = match r.last_reviewed {
                Some(d) if d >= doc.front.updated => {
                    words.fill("feed", "reviewed", &[("date", &words.date_long(d))])
                }
                _ => words.fill(
                    "feed",
                    "updated",
                    &[("date", &words.date_long(doc.front.updated))],
                ),
            };
            let summary = words.fill(
                "feed",
                "summary",
                &[
                    ("summary", strip_citations(&doc.front.summary).trim()),
                    ("status", &words.status(r.status.id())),
                    ("what", &what),
                ],
            );
            Entry {
                title: e(&doc.front.title),
                url: e(&url),
                updated: atom_date(changed(doc)),
                topics: doc.front.topics.iter().map(|t| e(t)).collect(),
                summary: e(&summary),
            }
        })
        .collect();
    let mut ctx = Context::new();
    ctx.insert(
        "subtitle",
        &e(&words.fill("feed", "subtitle", &[("clinic", &config.clinic)])),
    );
    ctx.insert("language", &e(&config.language));
    ctx.insert("title", &e(&config.title));
    ctx.insert("clinic", &e(&config.clinic));
    ctx.insert("base", &e(&base));
    ctx.insert("self_url", &e(&format!("{base}feed.xml")));
    ctx.insert("updated", &updated);
    ctx.insert("entries", &entries);
    t.render("feed.xml", &ctx)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::publish::testsite::*;

    fn sitemap(site: &Site) -> String {
        super::sitemap(site, &builtin()).unwrap()
    }

    fn robots(site: &Site) -> String {
        super::robots(site, &builtin()).unwrap()
    }

    fn atom(site: &Site) -> String {
        super::atom(site, &builtin()).unwrap()
    }

    #[test]
    fn sitemap_lists_every_variant_with_lastmod() {
        let (_dir, site, _) = load(&[("a.md", PAGE_A), ("b.md", PAGE_B)]);
        let xml = sitemap(&site);
        check_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        for u in [
            "https://care.example.org/clinic/</loc><lastmod>2025-12-24</lastmod>",
            "https://care.example.org/clinic/a/patient/</loc><lastmod>2025-10-07</lastmod>",
            "https://care.example.org/clinic/a/clinician/</loc><lastmod>2025-10-07</lastmod>",
            "https://care.example.org/clinic/b/patient/</loc><lastmod>2025-12-24</lastmod>",
            "https://care.example.org/clinic/topics/kratom-co/</loc>",
            "https://care.example.org/clinic/topics/other/</loc>",
        ] {
            assert!(xml.contains(u), "{u} missing from\n{xml}");
        }
        assert_eq!(xml.matches("<url>").count(), 7, "{xml}");
    }

    #[test]
    fn sitemap_never_lists_the_editorial_report() {
        let (_dir, mut site, _) = load(&[("a.md", PAGE_A), ("b.md", PAGE_B)]);
        site.pages[1].path = format!("{EDITORIAL_DIR}/report");
        let xml = sitemap(&site);
        check_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        assert!(!xml.contains(EDITORIAL_DIR), "{xml}");
        assert!(xml.contains("/a/patient/"));
    }

    #[test]
    fn robots_points_at_the_sitemap_under_the_base_path() {
        let (_dir, site, _) = load(&[("a.md", PAGE_A)]);
        let r = robots(&site);
        assert!(
            r.contains("Sitemap: https://care.example.org/clinic/sitemap.xml\n"),
            "{r}"
        );
        assert!(r.contains("Disallow: /clinic/_editorial/\n"), "{r}");
        assert_eq!(base_path("https://x.org"), "/");
        assert_eq!(base_path("https://x.org/"), "/");
    }

    #[test]
    fn feed_is_well_formed_escaped_and_dated_by_its_newest_entry() {
        let (_dir, site, _) = load(&[("a.md", PAGE_A), ("b.md", PAGE_B)]);
        let xml = atom(&site);
        check_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        // Titles and names with markup and ampersands stay text.
        assert!(
            xml.contains("<title>Care &lt;script&gt;alert(1)&lt;/script&gt; &amp; co</title>"),
            "{xml}"
        );
        assert!(xml.contains("<title>Tapering &lt;b&gt;safely&lt;/b&gt; &amp; slowly</title>"));
        assert!(xml.contains("<name>Smith &amp; Jones &quot;Clinic&quot;</name>"));
        assert!(xml.contains("<category term=\"Kratom &amp; co\"/>"));
        // The newest page first; the feed's date is that page's, not today's.
        let b = xml.find("<title>Second page").unwrap_or(usize::MAX);
        let a = xml.find("<title>Tapering").unwrap_or(0);
        assert!(b < a, "{xml}");
        assert!(
            xml.contains("  <updated>2025-12-24T00:00:00Z</updated>\n  <author>"),
            "{xml}"
        );
        // Page a was reviewed after its update: the entry carries the review date.
        assert!(xml.contains("<updated>2025-11-01T00:00:00Z</updated>"));
        assert!(xml.contains("Reviewed November 1, 2025"));
        assert!(xml.contains("<id>https://care.example.org/clinic/a/patient/</id>"));
        assert!(
            !xml.contains("[@a]"),
            "citations are stripped from summaries"
        );
        assert_eq!(xml, atom(&site));
    }

    #[test]
    fn feed_of_an_empty_site_is_still_valid() {
        let (_dir, mut site, _) = load(&[("a.md", PAGE_A)]);
        site.pages.clear();
        let xml = atom(&site);
        check_xml(&xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
        assert!(xml.contains("<updated>1970-01-01T00:00:00Z</updated>"));
        check_xml(&sitemap(&site)).unwrap_or_else(|e| panic!("{e}"));
    }

    #[test]
    fn escaping_and_url_paths() {
        assert_eq!(
            crate::util::xml_escape("a<b>&\"c'\u{1}"),
            "a&lt;b&gt;&amp;&quot;c&apos;"
        );
        assert_eq!(url_path("guides/taper plan"), "guides/taper%20plan");
        assert_eq!(url_path("é"), "%C3%A9");
    }

    #[test]
    fn the_xml_checker_catches_mistakes() {
        let decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        assert!(check_xml(&format!("{decl}<a><b></a></b>")).is_err());
        assert!(check_xml(&format!("{decl}<a>x & y</a>")).is_err());
        assert!(check_xml(&format!("{decl}<a t=\"<\"/>")).is_err());
        assert!(check_xml(&format!("{decl}<a/><b/>")).is_err());
        assert!(check_xml(&format!("{decl}<a t=\"1\">&amp;&#233;</a>")).is_ok());
    }

    #[test]
    fn a_site_can_replace_the_feed_but_not_unescape_it() {
        let (dir, site, _) = load(&[("a.md", PAGE_A)]);
        let tdir = dir.path().join("templates");
        std::fs::create_dir_all(&tdir).unwrap();
        std::fs::write(
            tdir.join("feed.xml"),
            "<t>{{ title }}</t>{% for e in entries %}<e>{{ e.title }}</e>{% endfor %}\n",
        )
        .unwrap();
        std::fs::write(tdir.join("robots.txt"), "Disallow: {{ disallow }}\n").unwrap();
        let t = Templates::load(dir.path()).unwrap();
        let xml = super::atom(&site, &t).unwrap();
        // The title holds `<script>` and `&`: escaped before the template saw it.
        assert!(
            xml.starts_with("<t>Care &lt;script&gt;alert(1)&lt;/script&gt; &amp; co</t>"),
            "{xml}"
        );
        assert!(!xml.contains("<script>"), "{xml}");
        assert_eq!(
            super::robots(&site, &t).unwrap(),
            "Disallow: /clinic/_editorial/\n"
        );
    }
}
