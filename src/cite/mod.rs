//! Citations: the references a page may cite, the `[@key]` citations in its text, and the
//! numbering that links one to the other.
//!
//! Every bibliography source (front matter, YAML, BibTeX, CSL-JSON, MEDLINE) yields the same
//! [`Reference`] so that one set of checks and one formatter serve them all.

pub mod bib;
pub mod checks;
pub mod ident;
pub mod retract;
pub mod scan;
pub mod style;

use std::path::PathBuf;

use serde::{Deserialize, Deserializer, Serialize};

use crate::types::Date;

/// What kind of work a reference is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RefKind {
    #[default]
    Article,
    Book,
    Chapter,
    Report,
    Guideline,
    Web,
}

/// An inline entry under `references:` in front matter (the schema in the README).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RefEntry {
    pub id: String,
    #[serde(rename = "type", default)]
    pub kind: RefKind,
    #[serde(default)]
    pub authors: Vec<String>,
    pub organization: Option<String>,
    pub title: Option<String>,
    /// Journal, as its NLM abbreviation (`J Addict Med`).
    pub journal: Option<String>,
    /// Book title of a chapter.
    pub book: Option<String>,
    #[serde(default)]
    pub editors: Vec<String>,
    pub edition: Option<String>,
    pub publisher: Option<String>,
    /// Name of the web site of a web page.
    pub site: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub year: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub volume: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub issue: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub pages: Option<String>,
    pub doi: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub pmid: Option<String>,
    pub pmcid: Option<String>,
    #[serde(default, deserialize_with = "opt_string_or_number")]
    pub isbn: Option<String>,
    pub url: Option<String>,
    /// Date a web page was accessed.
    pub accessed: Option<Date>,
}

/// YAML reads `volume: 15` as a number and `volume: "15"` as a string; both mean the same.
fn opt_string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum SN {
        S(String),
        I(i64),
        U(u64),
        F(f64),
    }
    Ok(Option::<SN>::deserialize(d)?.map(|v| match v {
        SN::S(s) => s,
        SN::I(i) => i.to_string(),
        SN::U(u) => u.to_string(),
        SN::F(f) => f.to_string(),
    }))
}

/// Where a reference was defined, for diagnostics naming both places of a duplicate.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Origin {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
}

/// One work that can be cited, whatever file it came from.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Reference {
    pub id: String,
    pub kind: RefKind,
    /// Personal authors as "Surname Initials" (`Weiss ST`).
    pub authors: Vec<String>,
    /// Authors given in the source but known to be incomplete ("et al" in the export).
    pub authors_truncated: bool,
    pub organization: Option<String>,
    pub title: Option<String>,
    /// Journal (abbreviated where known), book title of a chapter, or web site name.
    pub container: Option<String>,
    /// The container's full title where the source gives both.
    pub container_full: Option<String>,
    pub editors: Vec<String>,
    pub edition: Option<String>,
    pub publisher: Option<String>,
    pub year: Option<String>,
    pub volume: Option<String>,
    pub issue: Option<String>,
    pub pages: Option<String>,
    pub doi: Option<String>,
    pub pmid: Option<String>,
    pub pmcid: Option<String>,
    pub isbn: Option<String>,
    pub url: Option<String>,
    pub accessed: Option<Date>,
    pub origin: Origin,
}

/// A reference's fields borrowed, with the id given: what the keys of formatted text hash
/// ([`Reference::key_bytes`]).
#[derive(Hash)]
struct KeyView<'a> {
    id: &'a str,
    kind: RefKind,
    authors: &'a [String],
    authors_truncated: bool,
    organization: &'a Option<String>,
    title: &'a Option<String>,
    container: &'a Option<String>,
    container_full: &'a Option<String>,
    editors: &'a [String],
    edition: &'a Option<String>,
    publisher: &'a Option<String>,
    year: &'a Option<String>,
    volume: &'a Option<String>,
    issue: &'a Option<String>,
    pages: &'a Option<String>,
    doi: &'a Option<String>,
    pmid: &'a Option<String>,
    pmcid: &'a Option<String>,
    isbn: &'a Option<String>,
    url: &'a Option<String>,
    accessed: &'a Option<Date>,
}

/// Collects what a [`std::hash::Hash`] writes.
#[derive(Default)]
struct Written(Vec<u8>);

impl std::hash::Hasher for Written {
    fn write(&mut self, bytes: &[u8]) {
        self.0.extend_from_slice(bytes);
    }

    fn finish(&self) -> u64 {
        0
    }
}

impl Reference {
    /// The bytes that identify this reference's content, with `id` for its id and without its
    /// origin: every field as [`std::hash::Hash`] writes it (strings end with a byte UTF-8
    /// never holds, lists and options start with their length or variant), so two references
    /// give the same bytes only when their fields are equal. Every field is named below (no
    /// `..`): a field added to [`Reference`] does not compile until it is part of the keys.
    pub fn key_bytes(&self, id: &str) -> Vec<u8> {
        let Reference {
            id: _,
            kind,
            authors,
            authors_truncated,
            organization,
            title,
            container,
            container_full,
            editors,
            edition,
            publisher,
            year,
            volume,
            issue,
            pages,
            doi,
            pmid,
            pmcid,
            isbn,
            url,
            accessed,
            origin: _,
        } = self;
        let view = KeyView {
            id,
            kind: *kind,
            authors,
            authors_truncated: *authors_truncated,
            organization,
            title,
            container,
            container_full,
            editors,
            edition,
            publisher,
            year,
            volume,
            issue,
            pages,
            doi,
            pmid,
            pmcid,
            isbn,
            url,
            accessed,
        };
        let mut out = Written::default();
        std::hash::Hash::hash(&view, &mut out);
        out.0
    }
}

impl RefEntry {
    pub fn into_reference(self, origin: Origin) -> Reference {
        let container = match self.kind {
            RefKind::Chapter => self.book.or(self.journal),
            RefKind::Web => self.site.or(self.journal),
            _ => self.journal.or(self.book).or(self.site),
        };
        Reference {
            id: self.id,
            kind: self.kind,
            authors: self.authors,
            authors_truncated: false,
            organization: self.organization,
            title: self.title,
            container,
            container_full: None,
            editors: self.editors,
            edition: self.edition,
            publisher: self.publisher,
            year: self.year,
            volume: self.volume,
            issue: self.issue,
            pages: self.pages,
            doi: self.doi,
            pmid: self.pmid,
            pmcid: self.pmcid,
            isbn: self.isbn,
            url: self.url,
            accessed: self.accessed,
            origin,
        }
    }
}

impl Reference {
    /// `https://doi.org/...` for the DOI, if any.
    pub fn doi_url(&self) -> Option<String> {
        self.doi.as_ref().map(|d| format!("https://doi.org/{d}"))
    }
    pub fn pubmed_url(&self) -> Option<String> {
        self.pmid
            .as_ref()
            .map(|p| format!("https://pubmed.ncbi.nlm.nih.gov/{p}/"))
    }
    pub fn pmc_url(&self) -> Option<String> {
        self.pmcid
            .as_ref()
            .map(|p| format!("https://www.ncbi.nlm.nih.gov/pmc/articles/{p}/"))
    }
}

/// Numbers for cited keys, by first citation in reading order. Keys that resolve nowhere get no
/// number (they are reported by the resolver, and shown as `[?]`).
pub fn number<'a>(
    groups: impl IntoIterator<Item = &'a scan::CiteGroup>,
    known: impl Fn(&str) -> bool,
) -> Vec<String> {
    let mut order: Vec<String> = Vec::new();
    for g in groups {
        for it in &g.items {
            if known(&it.key) && !order.iter().any(|k| k == &it.key) {
                order.push(it.key.clone());
            }
        }
    }
    order
}

/// `1,3-5`: sorted numbers with runs of three or more compressed, as AMA and Vancouver want.
pub fn compress(nums: &[usize]) -> Vec<(usize, usize)> {
    let mut v: Vec<usize> = nums.to_vec();
    v.sort_unstable();
    v.dedup();
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for n in v {
        match runs.last_mut() {
            Some((_, end)) if *end + 1 == n => *end = n,
            _ => runs.push((n, n)),
        }
    }
    // A run of two is written "1,2", not "1-2".
    let mut out = Vec::new();
    for (a, b) in runs {
        if b == a + 1 {
            out.push((a, a));
            out.push((b, b));
        } else {
            out.push((a, b));
        }
    }
    out
}

/// Replace each citation group in `text` with superscript numbers linked to the reference list.
/// The number follows a period or comma right after the citation (`claim [@a].` becomes
/// `claim.¹`), and the space before it goes. `group_ids` gives each group's anchor id.
pub fn render_citations(
    text: &str,
    groups: &[scan::CiteGroup],
    numbers: &dyn Fn(&str) -> Option<usize>,
    group_id: &dyn Fn(usize) -> String,
) -> String {
    let mut out = String::with_capacity(text.len() + groups.len() * 64);
    let mut pos = 0;
    for (gi, g) in groups.iter().enumerate() {
        if g.range.start < pos {
            continue;
        }
        // The space before a citation goes, and so does a line break (a soft break would
        // print as a space before the number); a blank line (a new paragraph) stays.
        let before = &text[pos..g.range.start];
        let trimmed = before.trim_end();
        if before[trimmed.len()..].matches('\n').count() <= 1 {
            out.push_str(trimmed);
        } else {
            out.push_str(before);
        }
        let mut end = g.range.end;
        if let Some(p) = text[end..]
            .chars()
            .next()
            .filter(|c| *c == '.' || *c == ',')
        {
            out.push(p);
            end += 1;
        }
        let mut nums = Vec::new();
        let mut located = Vec::new();
        let mut unknown = false;
        for it in &g.items {
            match (numbers(&it.key), &it.locator) {
                (Some(n), Some(loc)) => located.push((n, loc.as_str())),
                (Some(n), None) => nums.push(n),
                (None, _) => unknown = true,
            }
        }
        let link = |n: usize| format!("<a href=\"#ref-{n}\" aria-label=\"reference {n}\">{n}</a>");
        let mut parts: Vec<(usize, String)> = Vec::new();
        for (a, b) in compress(&nums) {
            if a == b {
                parts.push((a, link(a)));
            } else {
                parts.push((a, format!("{}&#8211;{}", link(a), link(b))));
            }
        }
        // A number with its locator stands alone: `3(p2)`.
        for (n, loc) in located {
            parts.push((
                n,
                format!("{}({})", link(n), escape_markdown(&locator_label(loc))),
            ));
        }
        parts.sort_by_key(|(n, _)| *n);
        let mut parts: Vec<String> = parts.into_iter().map(|(_, p)| p).collect();
        if unknown {
            parts.push("?".to_string());
        }
        out.push_str(&format!(
            "<sup class=\"cite\" id=\"{}\">{}</sup>",
            group_id(gi),
            parts.join(",")
        ));
        pos = end;
    }
    out.push_str(&text[pos..]);
    out
}

/// A locator as AMA writes it after a superscript number: `p. 2` → `p2`, `pp. 12–14` →
/// `pp12-14`, `chapter 4` → `ch4`, `sec. 2.3` → `sec2.3`; a locator of another kind
/// (`fig. 2`) as written.
pub fn locator_label(loc: &str) -> String {
    let loc = loc.trim();
    const KINDS: &[(&str, &str)] = &[
        ("pages", "pp"),
        ("page", "p"),
        ("pp", "pp"),
        ("p", "p"),
        ("chapters", "ch"),
        ("chapter", "ch"),
        ("chap", "ch"),
        ("ch", "ch"),
        ("sections", "sec"),
        ("section", "sec"),
        ("sect", "sec"),
        ("sec", "sec"),
        ("§§", "sec"),
        ("§", "sec"),
    ];
    let word_end = loc
        .char_indices()
        .find(|(_, c)| !(c.is_alphabetic() || *c == '§'))
        .map_or(loc.len(), |(i, _)| i);
    let word = loc[..word_end].to_lowercase();
    let Some((_, short)) = KINDS.iter().find(|(k, _)| *k == word) else {
        return loc.to_string();
    };
    let rest = loc[word_end..].trim_start_matches('.').trim();
    if rest.is_empty() || !rest.starts_with(|c: char| c.is_alphanumeric()) {
        return loc.to_string();
    }
    let rest = rest
        .replace(['\u{2013}', '\u{2014}', '\u{2010}'], "-")
        .replace("--", "-");
    let rest: String = rest.split('-').map(str::trim).collect::<Vec<_>>().join("-");
    let short = if *short == "p" && (rest.contains('-') || rest.contains(',')) {
        "pp"
    } else {
        short
    };
    format!("{short}{rest}")
}

/// Text that Markdown and HTML both keep as it is.
fn escape_markdown(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_ascii_punctuation() && !matches!(c, '.' | ',' | '-' | ':' | '/') => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys' bytes are equal exactly when the fields (but the origin) are: a change to any
    /// field, or text moved from one field to the next, gives other bytes.
    #[test]
    fn key_bytes_tell_references_apart_by_their_fields() {
        let full = Reference {
            id: "smith2020".into(),
            kind: RefKind::Chapter,
            authors: vec!["Smith J".into(), "Núñez A".into()],
            authors_truncated: true,
            organization: Some("WHO".into()),
            title: Some("A \"title\"".into()),
            container: Some("Book".into()),
            container_full: Some("The Book".into()),
            editors: vec!["Ed E".into()],
            edition: Some("2".into()),
            publisher: Some("Pub".into()),
            year: Some("2020".into()),
            volume: Some("3".into()),
            issue: Some("4".into()),
            pages: Some("1-9".into()),
            doi: Some("10.1000/x".into()),
            pmid: Some("123".into()),
            pmcid: Some("PMC1".into()),
            isbn: Some("978".into()),
            url: Some("https://example.org/".into()),
            accessed: Date::parse("2024-01-02").ok(),
            origin: Origin {
                file: "content/a.md".into(),
                line: 7,
                column: 3,
            },
        };
        let key = |r: &Reference| r.key_bytes("");
        let mut moved = full.clone();
        moved.origin = Origin::default();
        moved.id = "other".into();
        assert_eq!(key(&full), key(&moved), "origin and id are not content");
        assert_ne!(full.key_bytes("a"), full.key_bytes("b"));
        let changes: Vec<fn(&mut Reference)> = vec![
            |r| r.kind = RefKind::Book,
            |r| {
                r.authors.pop();
            },
            |r| r.authors_truncated = false,
            |r| r.organization = None,
            |r| r.title = Some("A title".into()),
            |r| r.container = None,
            |r| r.container_full = None,
            |r| r.editors.clear(),
            |r| r.edition = None,
            |r| r.publisher = None,
            |r| r.year = Some("2021".into()),
            |r| r.volume = None,
            |r| r.issue = None,
            |r| r.pages = None,
            |r| r.doi = None,
            |r| r.pmid = None,
            |r| r.pmcid = None,
            |r| r.isbn = None,
            |r| r.url = None,
            |r| r.accessed = None,
            // Text moved between neighbours.
            |r| {
                r.container = Some("BookThe".into());
                r.container_full = Some(" Book".into());
            },
            |r| r.authors = vec!["Smith JNúñez A".into()],
        ];
        for (i, change) in changes.iter().enumerate() {
            let mut other = full.clone();
            change(&mut other);
            assert_ne!(key(&full), key(&other), "change {i}");
        }
        assert_ne!(key(&full), key(&Reference::default()));
    }

    #[test]
    fn locators_as_ama_writes_them() {
        assert_eq!(locator_label("p. 2"), "p2");
        assert_eq!(locator_label("p 2"), "p2");
        assert_eq!(locator_label("page 2"), "p2");
        assert_eq!(locator_label("pp. 12-14"), "pp12-14");
        assert_eq!(locator_label("pp. 12\u{2013}14"), "pp12-14");
        assert_eq!(locator_label("p. 12 - 14"), "pp12-14");
        assert_eq!(locator_label("chapter 4"), "ch4");
        assert_eq!(locator_label("chap. 4"), "ch4");
        assert_eq!(locator_label("sec. 2.3"), "sec2.3");
        assert_eq!(locator_label("§ 5"), "sec5");
        assert_eq!(locator_label("fig. 2"), "fig. 2");
        assert_eq!(locator_label("para 3"), "para 3");
        assert_eq!(locator_label("p."), "p.");
    }

    #[test]
    fn a_locator_follows_its_own_number() {
        let t = "Doses [@a, p. 2] and [@b; @a, pp. 12-14; @c] and [@c; @a; @b].";
        let s = scan::scan(t);
        let nums = |k: &str| match k {
            "a" => Some(3),
            "b" => Some(1),
            "c" => Some(2),
            _ => None,
        };
        let out = render_citations(t, &s.groups, &nums, &|i| format!("c{i}"));
        assert!(
            out.contains("aria-label=\"reference 3\">3</a>(p2)</sup>"),
            "{out}"
        );
        assert!(
            out.contains(">1</a>,<a href=\"#ref-2\" aria-label=\"reference 2\">2</a>,<a href=\"#ref-3\" aria-label=\"reference 3\">3</a>(pp12-14)</sup>"),
            "{out}"
        );
        // No locator: the numbers compress as before.
        assert!(out.contains(">1</a>&#8211;<a"), "{out}");
    }

    #[test]
    fn a_citation_on_its_own_line_follows_the_word() {
        let t = "forty grams a day\n  [@a].\n\n[@a] opens a paragraph";
        let s = scan::scan(t);
        let out = render_citations(t, &s.groups, &|_| Some(1), &|i| format!("c{i}"));
        assert!(out.starts_with("forty grams a day.<sup"), "{out}");
        assert!(out.contains("\n\n<sup"), "{out}");
    }

    #[test]
    fn compress_runs() {
        assert_eq!(compress(&[1, 3, 4, 5]), vec![(1, 1), (3, 5)]);
        assert_eq!(compress(&[2, 1]), vec![(1, 1), (2, 2)]);
        assert_eq!(compress(&[5, 3, 4, 4]), vec![(3, 5)]);
    }

    #[test]
    fn numbering_follows_first_citation() {
        let s = scan::scan("x [@b] y [@a; @b] z [@c]");
        let order = number(&s.groups, |k| k != "c");
        assert_eq!(order, vec!["b", "a"]);
    }

    #[test]
    fn citations_become_linked_superscripts_after_punctuation() {
        let t = "A claim [@a]. Another [@a; @b], then [@zz] end";
        let s = scan::scan(t);
        let nums = |k: &str| match k {
            "a" => Some(1),
            "b" => Some(2),
            _ => None,
        };
        let out = render_citations(t, &s.groups, &nums, &|i| format!("cite-{i}"));
        assert!(
            out.starts_with("A claim.<sup class=\"cite\" id=\"cite-0\"><a href=\"#ref-1\""),
            "{out}"
        );
        assert!(out.contains("Another,<sup"), "{out}");
        assert!(out.contains(">?</sup> end"), "{out}");
    }
}
