//! Formatting reference-list entries with hayagriva's CSL processor.
//!
//! A [`Reference`] is mapped to a hayagriva [`Entry`] (journal articles get a periodical parent
//! whose short title is the NLM abbreviation, chapters a book parent, web pages a site parent),
//! and the chosen CSL style renders it. The HTML is produced by walking hayagriva's element
//! tree ourselves, because hayagriva's own HTML writer does not escape text.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;

use hayagriva::citationberg::{IndependentStyle, Locale, Style};
use hayagriva::types::{
    Date as HDate, EntryType, FormatString, MaybeTyped, Numeric, PageRanges, Person, Publisher,
    QualifiedUrl,
};
use hayagriva::{
    archive::ArchivedStyle, BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest,
    ElemChild, Entry,
};

use super::{ident, RefKind, Reference};
use crate::diag::{Category, Diagnostic};

/// One formatted reference-list entry, without its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    /// Escaped HTML, safe to embed; DOI, PubMed and PMC identifiers are links.
    pub html: String,
    /// Plain text, for PDFs.
    pub text: String,
}

/// A loaded CSL style with its locales, ready to format reference lists.
pub struct Formatter {
    style: IndependentStyle,
    locales: Vec<Locale>,
    /// Remove the stray space the bundled NLM style puts before `;`.
    fix_space_before_semicolon: bool,
}

impl std::fmt::Debug for Formatter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Formatter")
            .field("style", &self.style.info.title.value)
            .finish()
    }
}

fn style_error(msg: impl Into<String>, hint: impl Into<String>) -> Diagnostic {
    Diagnostic::error("config/citation-style", msg)
        .in_file(crate::config::CONFIG_FILE)
        .category(Category::Config)
        .hint(hint)
}

impl Formatter {
    /// Load `style`: a style name hayagriva bundles (`american-medical-association`,
    /// `nlm-citation-sequence`, `bmj`, ...) or the path of a `.csl` file relative to `site_root`.
    pub fn new(style: &str, site_root: &Path) -> Result<Formatter, Diagnostic> {
        let name = style.trim();
        let (independent, archived_nlm) = if name.to_ascii_lowercase().ends_with(".csl") {
            (load_csl_file(name, site_root)?, false)
        } else {
            let archived = ArchivedStyle::by_name(name).ok_or_else(|| {
                let names: Vec<&str> = ArchivedStyle::all()
                    .iter()
                    .flat_map(|s| s.names().iter().copied())
                    .collect();
                let mut d = style_error(
                    format!("citation style '{name}' is not one careguide knows"),
                    "use a style name such as american-medical-association, \
                     nlm-citation-sequence or bmj, or the path of a .csl file in the site",
                );
                if let Some(near) = crate::util::nearest(name, names.iter().copied()) {
                    d = d.hint(format!("did you mean '{near}'?"));
                }
                d
            })?;
            let nlm = archived == ArchivedStyle::NlmCitationSequence;
            match archived.get() {
                Style::Independent(s) => (s, nlm),
                Style::Dependent(d) => (resolve_dependent(&d.parent_link.href, name)?, nlm),
            }
        };
        let style = add_missing_author_names(independent)?;
        // Only the locales of the style's language (and English, CSL's fallback): the processor
        // searches the locales it is given for every term, and all 60 made formatting slow.
        let family = |code: &str| code.split('-').next().unwrap_or(code).to_ascii_lowercase();
        let wanted: Vec<String> = style
            .default_locale
            .iter()
            .map(|c| family(&c.0))
            .chain(["en".to_string()])
            .collect();
        // Each bundled locale's language is read first (a small part of its CBOR), and only
        // the wanted ones are decoded whole: decoding all 60 took most of a small build's
        // start-up.
        #[derive(serde::Deserialize)]
        struct Lang {
            #[serde(rename = "@xml:lang")]
            lang: Option<String>,
        }
        let locales = hayagriva::archive::LOCALES
            .iter()
            .filter(|bytes| {
                ciborium::de::from_reader::<Lang, _>(**bytes)
                    .map(|l| l.lang.is_none_or(|c| wanted.contains(&family(&c))))
                    .unwrap_or(true)
            })
            .filter_map(|bytes| ciborium::de::from_reader::<Locale, _>(*bytes).ok())
            .collect();
        Ok(Formatter {
            style,
            locales,
            fix_space_before_semicolon: archived_nlm,
        })
    }

    /// Format the entries of a reference list, in the order given (the citation order).
    pub fn format(&self, refs: &[&Reference]) -> Vec<Formatted> {
        if refs.is_empty() {
            return Vec::new();
        }
        let entries: Vec<Entry> = refs
            .iter()
            .enumerate()
            .map(|(i, r)| to_entry(r, &entry_key(i)))
            .collect();
        let mut driver = BibliographyDriver::new();
        for e in &entries {
            driver.citation(CitationRequest::from_items(
                vec![CitationItem::with_entry(e)],
                &self.style,
                &self.locales,
            ));
        }
        let rendered = driver.finish(BibliographyRequest {
            style: &self.style,
            locale: None,
            locale_files: &self.locales,
        });
        let mut by_key: HashMap<String, Formatted> = HashMap::new();
        if let Some(bib) = rendered.bibliography {
            for item in bib.items {
                let mut html = String::new();
                let mut text = String::new();
                for child in &item.content.0 {
                    write_html(child, &mut html);
                    write_text(child, &mut text);
                }
                by_key.insert(item.key, Formatted { html, text });
            }
        }
        refs.iter()
            .enumerate()
            .map(|(i, r)| {
                let mut f = by_key.remove(&entry_key(i)).unwrap_or_else(|| {
                    // A style without a bibliography: fall back to the title so the list is
                    // never silently empty.
                    let t = r.title.clone().unwrap_or_else(|| r.id.clone());
                    Formatted {
                        html: escape(&t),
                        text: t,
                    }
                });
                f.text = tidy(&f.text, self.fix_space_before_semicolon);
                f.html = link_identifiers(&tidy(&f.html, self.fix_space_before_semicolon), r);
                f
            })
            .collect()
    }
}

fn entry_key(i: usize) -> String {
    format!("careguide-ref-{i}")
}

fn load_csl_file(name: &str, site_root: &Path) -> Result<IndependentStyle, Diagnostic> {
    let path = site_root.join(name);
    if let Some(d) =
        crate::paths::check_inside(&path, site_root, Path::new(name), "config/citation-style")
    {
        return Err(d);
    }
    let xml = std::fs::read_to_string(&path).map_err(|e| {
        style_error(
            format!("cannot read citation style file '{name}': {e}"),
            "the style path is relative to the site root, next to careguide.toml",
        )
    })?;
    match Style::from_xml(&xml) {
        Ok(Style::Independent(s)) => Ok(s),
        Ok(Style::Dependent(d)) => resolve_dependent(&d.parent_link.href, name),
        Err(e) => Err(style_error(
            format!("'{name}' is not a valid CSL style: {e}"),
            "check the file against the CSL 1.0.2 schema, or use a bundled style name",
        )),
    }
}

/// A dependent style only names its parent; careguide can use it when hayagriva bundles it.
fn resolve_dependent(parent: &str, name: &str) -> Result<IndependentStyle, Diagnostic> {
    match ArchivedStyle::by_id(parent).map(|a| a.get()) {
        Some(Style::Independent(s)) => Ok(s),
        _ => Err(style_error(
            format!("style '{name}' depends on '{parent}', which careguide does not bundle"),
            "use the parent style's .csl file itself",
        )),
    }
}

/// hayagriva 0.10.1 prints no authors when a `<names variable="author">` has no `<name/>`
/// child (the bundled NLM/Vancouver style is such a case; CSL says a missing `<name/>` means
/// default name formatting). Add the child and parse the style back.
fn add_missing_author_names(style: IndependentStyle) -> Result<IndependentStyle, Diagnostic> {
    let wrapped = Style::Independent(style);
    let xml = match wrapped.to_xml() {
        Ok(x) => x,
        Err(_) => return Ok(unwrap_independent(wrapped)),
    };
    let fixed = insert_name_elements(&xml);
    if fixed == xml {
        return Ok(unwrap_independent(wrapped));
    }
    IndependentStyle::from_xml(&fixed).map_err(|e| {
        style_error(
            format!("the citation style could not be prepared: {e}"),
            "report this with the style name; a .csl file of the same style may work",
        )
    })
}

fn unwrap_independent(s: Style) -> IndependentStyle {
    match s {
        Style::Independent(i) => i,
        // Only ever called with the independent style it was given.
        Style::Dependent(_) => unreachable!("wrapped an independent style"),
    }
}

/// Insert `<name/>` into every `<names ...>` element whose `variable` includes `author` and
/// that has no `<name` child.
fn insert_name_elements(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 64);
    let mut rest = xml;
    while let Some(start) = rest.find("<names") {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        // `<names` must be the whole tag name, not `<names-foo`.
        let after_name = from.as_bytes().get(6).copied();
        let Some(tag_end) = from.find('>') else {
            out.push_str(from);
            return out;
        };
        let tag = &from[..=tag_end];
        let is_names = matches!(after_name, Some(b' ' | b'>' | b'/' | b'\t' | b'\n'));
        let is_author = tag.contains("variable=\"author")
            || tag.contains(" author\"")
            || tag.contains(" author ");
        if !is_names || !is_author {
            out.push_str(tag);
            rest = &from[tag_end + 1..];
            continue;
        }
        if let Some(open) = tag.strip_suffix("/>") {
            out.push_str(open);
            out.push_str("><name/></names>");
            rest = &from[tag_end + 1..];
            continue;
        }
        let body_start = tag_end + 1;
        let close = from[body_start..].find("</names>").map(|c| body_start + c);
        let has_name = close
            .map(|c| {
                let body = &from[body_start..c];
                body.contains("<name ") || body.contains("<name>") || body.contains("<name/")
            })
            .unwrap_or(true);
        out.push_str(tag);
        if !has_name {
            out.push_str("<name/>");
        }
        rest = &from[body_start..];
    }
    out.push_str(rest);
    out
}

/// Collapse doubled spaces and, for the NLM style, the space it puts before `;`.
fn tidy(s: &str, fix_semicolon: bool) -> String {
    let mut t = s.trim().to_string();
    while t.contains("  ") {
        t = t.replace("  ", " ");
    }
    if fix_semicolon {
        t = t.replace(" ;", ";");
    }
    t
}

/// Make the DOI in the formatted HTML a link, and add PubMed and PMC links.
fn link_identifiers(html: &str, r: &Reference) -> String {
    let mut out = html.to_string();
    if let Some(doi) = r
        .doi
        .as_deref()
        .map(ident::clean_doi)
        .filter(|d| !d.is_empty())
    {
        let shown = escape(&doi);
        let url = escape(&format!("https://doi.org/{doi}"));
        let link = format!("<a href=\"{url}\">{shown}</a>");
        // The style may link the DOI itself; otherwise link the DOI where it stands on its
        // own (not inside a URL), or add a link.
        let linked = out.contains(&format!("href=\"{url}\""));
        match find_standalone(&out, &shown) {
            _ if linked => {}
            Some(pos) => out.replace_range(pos..pos + shown.len(), &link),
            None => {
                let _ = write!(out, " <a href=\"{url}\">doi:{shown}</a>");
            }
        }
    }
    if let Some(url) = r.pubmed_url() {
        let pmid = escape(r.pmid.as_deref().unwrap_or_default());
        let _ = write!(
            out,
            " <a class=\"pmid\" href=\"{}\">PMID: {pmid}</a>",
            escape(&url)
        );
    }
    if let Some(url) = r.pmc_url() {
        let pmcid = escape(r.pmcid.as_deref().unwrap_or_default());
        let _ = write!(
            out,
            " <a class=\"pmcid\" href=\"{}\">PMCID: {pmcid}</a>",
            escape(&url)
        );
    }
    out
}

fn find_standalone(hay: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let pos = from + i;
        let before = &hay[..pos];
        if !before.ends_with('/') && !before.ends_with('"') {
            return Some(pos);
        }
        from = pos + needle.len();
    }
    None
}

/// Escape text for HTML element content and attribute values (the site's one escaper).
pub use crate::util::escape_html as escape;

fn write_text(child: &ElemChild, out: &mut String) {
    match child {
        ElemChild::Text(t) => out.push_str(&t.text),
        ElemChild::Elem(e) => {
            for c in &e.children.0 {
                write_text(c, out);
            }
        }
        ElemChild::Markup(m) => out.push_str(m),
        ElemChild::Link { text, .. } => out.push_str(&text.text),
        ElemChild::Transparent { .. } => {}
    }
}

fn write_formatted_html(t: &hayagriva::Formatted, out: &mut String) {
    use hayagriva::citationberg::{FontStyle, FontWeight, VerticalAlign};
    let f = &t.formatting;
    let mut close: Vec<&str> = Vec::new();
    if f.font_style == FontStyle::Italic {
        out.push_str("<i>");
        close.push("</i>");
    }
    if f.font_weight == FontWeight::Bold {
        out.push_str("<b>");
        close.push("</b>");
    }
    match f.vertical_align {
        VerticalAlign::Sup => {
            out.push_str("<sup>");
            close.push("</sup>");
        }
        VerticalAlign::Sub => {
            out.push_str("<sub>");
            close.push("</sub>");
        }
        _ => {}
    }
    out.push_str(&escape(&t.text));
    for c in close.iter().rev() {
        out.push_str(c);
    }
}

fn write_html(child: &ElemChild, out: &mut String) {
    match child {
        ElemChild::Text(t) => write_formatted_html(t, out),
        ElemChild::Elem(e) => {
            for c in &e.children.0 {
                write_html(c, out);
            }
        }
        ElemChild::Markup(m) => out.push_str(&escape(m)),
        ElemChild::Link { text, url } => {
            let safe = url.starts_with("https://") || url.starts_with("http://");
            if safe {
                let _ = write!(out, "<a href=\"{}\">", escape(url));
            }
            write_formatted_html(text, out);
            if safe {
                out.push_str("</a>");
            }
        }
        ElemChild::Transparent { .. } => {}
    }
}

fn fs(s: &str) -> FormatString {
    FormatString::from(s.to_string())
}

/// `Weiss ST` becomes family `Weiss`, given `S T` (so styles initialise it as they like); a
/// name that does not end in initials (`SANO Study Group`) stays whole, as an organisation.
fn person(name: &str) -> Person {
    let name = name.trim();
    let literal = || Person {
        name: name.to_string(),
        given_name: None,
        prefix: None,
        suffix: None,
        comma_suffix: false,
        alias: None,
    };
    let Some((family, initials)) = name.rsplit_once(' ') else {
        return literal();
    };
    let is_initials = !initials.is_empty()
        && initials.chars().count() <= 4
        && initials.chars().all(|c| c.is_uppercase() || c == '-')
        && initials.chars().any(|c| c.is_uppercase());
    if !is_initials || family.trim().is_empty() {
        return literal();
    }
    let given: Vec<String> = initials
        .split('-')
        .map(|part| {
            part.chars()
                .map(|c| format!("{c}."))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    Person {
        name: family.trim().to_string(),
        given_name: Some(given.join("-")),
        prefix: None,
        suffix: None,
        comma_suffix: false,
        alias: None,
    }
}

fn year_of(s: &str) -> Option<i32> {
    let digits: String = s
        .trim()
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    if digits.len() == 4 {
        digits.parse().ok()
    } else {
        None
    }
}

fn numeric(s: &str) -> MaybeTyped<Numeric> {
    s.trim()
        .parse::<Numeric>()
        .map(MaybeTyped::Typed)
        .unwrap_or_else(|_| MaybeTyped::String(s.trim().to_string()))
}

fn pages(s: &str) -> MaybeTyped<PageRanges> {
    s.trim()
        .parse::<PageRanges>()
        .map(MaybeTyped::Typed)
        .unwrap_or_else(|_| MaybeTyped::String(s.trim().to_string()))
}

fn container_title(r: &Reference) -> Option<FormatString> {
    let short = r.container.as_deref().filter(|s| !s.trim().is_empty());
    let full = r.container_full.as_deref().filter(|s| !s.trim().is_empty());
    match (full, short) {
        (Some(f), Some(s)) if f != s => Some(FormatString {
            value: f.to_string().into(),
            short: Some(Box::new(s.to_string().into())),
        }),
        // Only one form known: it is what the style prints (NLM abbreviation where the source
        // gave one, else the full title).
        (Some(t), _) | (None, Some(t)) => Some(FormatString {
            value: t.to_string().into(),
            short: Some(Box::new(t.to_string().into())),
        }),
        (None, None) => None,
    }
}

/// Map one reference to the hayagriva entry a CSL style can render.
pub fn to_entry(r: &Reference, key: &str) -> Entry {
    let kind = match r.kind {
        RefKind::Article => EntryType::Article,
        RefKind::Book => EntryType::Book,
        RefKind::Chapter => EntryType::Chapter,
        RefKind::Report | RefKind::Guideline => EntryType::Report,
        RefKind::Web => EntryType::Web,
    };
    let mut e = Entry::new(key, kind);
    if let Some(t) = r.title.as_deref().filter(|t| !t.trim().is_empty()) {
        e.set_title(fs(t.trim()));
    }
    let mut authors: Vec<Person> = r.authors.iter().map(|a| person(a)).collect();
    if let Some(org) = r.organization.as_deref().filter(|o| !o.trim().is_empty()) {
        authors.push(Person {
            name: org.trim().to_string(),
            given_name: None,
            prefix: None,
            suffix: None,
            comma_suffix: false,
            alias: None,
        });
    }
    if !authors.is_empty() {
        e.set_authors(authors);
    }
    let date = r.year.as_deref().and_then(year_of).map(|year| HDate {
        year,
        month: None,
        day: None,
        approximate: false,
        season: None,
    });
    if let Some(d) = date {
        e.set_date(d);
    }
    let editors: Vec<Person> = r.editors.iter().map(|a| person(a)).collect();
    let publisher = r
        .publisher
        .as_deref()
        .filter(|p| !p.trim().is_empty())
        .map(|p| Publisher::new(Some(fs(p.trim())), None));
    if let Some(url) = r.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
        if let Ok(mut q) = url.parse::<QualifiedUrl>() {
            q.visit_date = r.accessed.as_ref().map(|d| HDate {
                year: d.0.year(),
                month: Some(u8::from(d.0.month()) - 1),
                day: Some(d.0.day() - 1),
                approximate: false,
                season: None,
            });
            e.set_url(q);
        }
    }
    if let Some(doi) = r
        .doi
        .as_deref()
        .map(ident::clean_doi)
        .filter(|d| !d.is_empty())
    {
        e.set_doi(doi);
    }
    if let Some(p) = r.pmid.as_deref().filter(|d| !d.is_empty()) {
        e.set_pmid(p.to_string());
    }
    if let Some(p) = r.pmcid.as_deref().filter(|d| !d.is_empty()) {
        e.set_pmcid(p.to_string());
    }
    if let Some(p) = r.isbn.as_deref().filter(|d| !d.is_empty()) {
        e.set_isbn(p.to_string());
    }
    if let Some(p) = r.pages.as_deref().filter(|d| !d.trim().is_empty()) {
        e.set_page_range(pages(p));
    }
    let edition = r
        .edition
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(numeric);

    match r.kind {
        RefKind::Article => {
            let mut journal = Entry::new(&format!("{key}-journal"), EntryType::Periodical);
            if let Some(t) = container_title(r) {
                journal.set_title(t);
            }
            if let Some(v) = r.volume.as_deref().filter(|d| !d.trim().is_empty()) {
                journal.set_volume(numeric(v));
            }
            if let Some(i) = r.issue.as_deref().filter(|d| !d.trim().is_empty()) {
                journal.set_issue(numeric(i));
            }
            e.set_parents(vec![journal]);
            if let Some(p) = publisher {
                e.set_publisher(p);
            }
        }
        RefKind::Chapter => {
            let mut book = Entry::new(&format!("{key}-book"), EntryType::Book);
            if let Some(t) = container_title(r) {
                book.set_title(t);
            }
            if !editors.is_empty() {
                book.set_editors(editors);
            }
            if let Some(p) = publisher {
                book.set_publisher(p);
            }
            if let Some(ed) = edition {
                book.set_edition(ed);
            }
            if let Some(v) = r.volume.as_deref().filter(|d| !d.trim().is_empty()) {
                book.set_volume(numeric(v));
            }
            if let Some(d) = date {
                book.set_date(d);
            }
            e.set_parents(vec![book]);
        }
        RefKind::Book | RefKind::Report | RefKind::Guideline => {
            if !editors.is_empty() {
                e.set_editors(editors);
            }
            if let Some(p) = publisher {
                e.set_publisher(p);
            }
            if let Some(ed) = edition {
                e.set_edition(ed);
            }
            if let Some(v) = r.volume.as_deref().filter(|d| !d.trim().is_empty()) {
                e.set_volume(numeric(v));
            }
            if let Some(t) = container_title(r) {
                // A report series or the site a guideline is published on.
                let mut parent = Entry::new(&format!("{key}-series"), EntryType::Misc);
                parent.set_title(t);
                e.set_parents(vec![parent]);
            }
        }
        RefKind::Web => {
            if let Some(t) = container_title(r) {
                let mut site = Entry::new(&format!("{key}-site"), EntryType::Web);
                site.set_title(t);
                e.set_parents(vec![site]);
            }
            if let Some(p) = publisher {
                e.set_publisher(p);
            }
        }
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Date;

    fn base(id: &str, kind: RefKind) -> Reference {
        Reference {
            id: id.to_string(),
            kind,
            ..Default::default()
        }
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    fn weiss() -> Reference {
        Reference {
            authors: vec!["Weiss ST".into(), "Douglas HE".into()],
            title: s(
                "Treatment of Kratom Withdrawal and Dependence With Buprenorphine/Naloxone: \
                      A Case Series and Systematic Literature Review",
            ),
            container: s("J Addict Med"),
            container_full: s("Journal of Addiction Medicine"),
            year: s("2021"),
            volume: s("15"),
            issue: s("2"),
            pages: s("167-172"),
            doi: s("10.1097/ADM.0000000000000721"),
            ..base("weiss2021", RefKind::Article)
        }
    }

    fn ama() -> Formatter {
        Formatter::new("american-medical-association", Path::new(".")).expect("bundled style")
    }

    fn show(f: &Formatter, r: &Reference) -> Formatted {
        f.format(&[r]).pop().expect("one entry")
    }

    #[test]
    fn ama_journal_article_matches_checked_string() {
        let out = show(&ama(), &weiss());
        assert_eq!(
            out.text,
            "Weiss ST, Douglas HE. Treatment of Kratom Withdrawal and Dependence With \
             Buprenorphine/Naloxone: A Case Series and Systematic Literature Review. J Addict \
             Med. 2021;15(2):167-172. doi:10.1097/ADM.0000000000000721"
        );
        assert!(out.html.contains("<i>J Addict Med</i>"), "{}", out.html);
        assert!(
            out.html
                .contains("<a href=\"https://doi.org/10.1097/ADM.0000000000000721\">"),
            "{}",
            out.html
        );
    }

    #[test]
    fn unknown_style_is_a_config_error_with_a_hint() {
        let e = Formatter::new("american-medical-assocation", Path::new(".")).unwrap_err();
        assert_eq!(e.rule, "config/citation-style");
        assert!(e
            .hint
            .unwrap_or_default()
            .contains("american-medical-association"));
    }

    #[test]
    fn csl_file_in_the_site() {
        let dir = tempfile::tempdir().expect("tempdir");
        let Style::Independent(s) = ArchivedStyle::AmericanMedicalAssociation.get() else {
            panic!("independent style expected");
        };
        let xml = Style::Independent(s).to_xml().expect("serialises");
        std::fs::create_dir_all(dir.path().join("styles")).expect("mkdir");
        std::fs::write(dir.path().join("styles/clinic.csl"), xml).expect("write");
        let f = Formatter::new("styles/clinic.csl", dir.path()).expect("loads");
        assert_eq!(show(&f, &weiss()).text, show(&ama(), &weiss()).text);
        std::fs::write(dir.path().join("styles/broken.csl"), "<style>").expect("write");
        let e = Formatter::new("styles/broken.csl", dir.path()).unwrap_err();
        assert_eq!(e.rule, "config/citation-style");
        assert!(e.message.contains("not a valid CSL style"), "{}", e.message);
        let e = Formatter::new("styles/missing.csl", dir.path()).unwrap_err();
        assert!(e.message.contains("cannot read"), "{}", e.message);
    }

    #[test]
    fn html_is_escaped() {
        let mut r = weiss();
        r.title = s("Risk <script>alert(1)</script> & benefit");
        let out = show(&ama(), &r);
        assert!(!out.html.contains("<script>"), "{}", out.html);
        assert!(out.html.contains("&lt;script&gt;"), "{}", out.html);
        assert!(out.html.contains("&amp; benefit"), "{}", out.html);
        assert!(out.text.contains("<script>"));
    }

    #[test]
    fn nlm_style_keeps_authors() {
        let f = Formatter::new("nlm-citation-sequence", Path::new(".")).expect("bundled");
        let out = show(&f, &weiss());
        assert!(
            out.text.starts_with("Weiss ST, Douglas HE."),
            "{}",
            out.text
        );
        assert!(!out.text.contains(" ;"), "{}", out.text);
        let f = Formatter::new("vancouver", Path::new(".")).expect("alias");
        assert!(show(&f, &weiss()).text.contains("Weiss ST"));
    }

    #[test]
    fn bundled_nlm_style_has_the_author_bug_this_works_around() {
        // If a hayagriva release fixes the style, this fails: the workaround may then go.
        let Style::Independent(s) = ArchivedStyle::NlmCitationSequence.get() else {
            panic!("independent style expected");
        };
        let xml = Style::Independent(s).to_xml().expect("serialises");
        assert_ne!(insert_name_elements(&xml), xml);
    }

    #[test]
    fn doi_given_as_a_url_is_shown_and_linked_once() {
        let mut r = weiss();
        r.doi = Some("https://doi.org/10.1097/ADM.0000000000000721".into());
        let out = show(&ama(), &r);
        assert!(
            out.text.ends_with("doi:10.1097/ADM.0000000000000721"),
            "{}",
            out.text
        );
        assert_eq!(
            out.html.matches("href=\"https://doi.org/").count(),
            1,
            "{}",
            out.html
        );
        r.pmid = Some("32858563".into());
        r.pmcid = Some("PMC7900000".into());
        let out = show(&ama(), &r);
        assert!(out
            .html
            .contains("href=\"https://pubmed.ncbi.nlm.nih.gov/32858563/\""));
        assert!(out
            .html
            .contains("href=\"https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7900000/\""));
    }

    #[test]
    fn name_insertion_handles_open_and_self_closing_tags() {
        let xml = r#"<a><names variable="author"><label/></names><names variable="editor"/><names variable="author"/><names variable="author"><name form="short"/></names></a>"#;
        assert_eq!(
            insert_name_elements(xml),
            r#"<a><names variable="author"><name/><label/></names><names variable="editor"/><names variable="author"><name/></names><names variable="author"><name form="short"/></names></a>"#
        );
    }

    #[test]
    fn people_and_groups() {
        let p = person("Weiss ST");
        assert_eq!(p.name, "Weiss");
        assert_eq!(p.given_name.as_deref(), Some("S. T."));
        let g = person("SANO Study Group");
        assert_eq!(g.name, "SANO Study Group");
        assert!(g.given_name.is_none());
    }

    /// Reference strings checked by hand against the AMA Manual of Style, 11th edition,
    /// chapter 3: more than 6 authors gives the first 3 and "et al"; a group author stands
    /// where the authors would; titles in title case (CSL leaves article and web titles as
    /// written, so the input is written that way); a book gives edition, then
    /// "Publisher; Year" without a place; a web page and a report end with the accessed date
    /// and the URL. Known gap: AMA writes "Published <date>." for a dated web page, which
    /// hayagriva's AMA style does not; the web page here is undated, as many are.
    #[test]
    fn ama_exact_text_for_each_kind() {
        let f = ama();
        let article7 = Reference {
            authors: vec![
                "Ahmed KA".into(),
                "Brown LM".into(),
                "Chen X".into(),
                "Diaz-Lopez R".into(),
                "Evans T".into(),
                "Fischer G".into(),
                "Gupta N".into(),
            ],
            title: s("Early Mobilisation After Hip Fracture Surgery"),
            container: s("BMJ"),
            year: s("2019"),
            volume: s("364"),
            pages: s("l1234"),
            doi: s("10.1136/bmj.l1234"),
            ..base("ahmed", RefKind::Article)
        };
        let org = Reference {
            organization: s("American Diabetes Association"),
            title: s("Standards of Medical Care in Diabetes-2022"),
            container: s("Diabetes Care"),
            year: s("2022"),
            volume: s("45"),
            issue: s("suppl 1"),
            pages: s("S1-S264"),
            ..base("ada", RefKind::Article)
        };
        let book = Reference {
            authors: vec!["Iverson C".into(), "Christiansen S".into()],
            title: s("AMA Manual of Style: A Guide for Authors and Editors"),
            edition: s("11"),
            publisher: s("Oxford University Press"),
            year: s("2020"),
            ..base("iverson", RefKind::Book)
        };
        let web = Reference {
            organization: s("Centers for Disease Control and Prevention"),
            title: s("Facts About Hypertension"),
            container: s("CDC"),
            url: s("https://www.cdc.gov/high-blood-pressure/data-research/facts-stats/index.html"),
            accessed: Date::parse("2026-11-20").ok(),
            ..base("cdc", RefKind::Web)
        };
        let guideline = Reference {
            organization: s("National Institute for Health and Care Excellence"),
            title: s("Hypertension in Adults: Diagnosis and Management"),
            publisher: s("National Institute for Health and Care Excellence"),
            year: s("2019"),
            url: s("https://www.nice.org.uk/guidance/ng136"),
            accessed: Date::parse("2026-11-20").ok(),
            ..base("nice", RefKind::Guideline)
        };
        let got: Vec<String> = f
            .format(&[&article7, &org, &book, &web, &guideline])
            .into_iter()
            .map(|x| x.text)
            .collect();
        let want = [
            "Ahmed KA, Brown LM, Chen X, et al. Early Mobilisation After Hip Fracture Surgery. BMJ. 2019;364:l1234. doi:10.1136/bmj.l1234",
            "American Diabetes Association. Standards of Medical Care in Diabetes-2022. Diabetes Care. 2022;45(suppl 1):S1-S264.",
            "Iverson C, Christiansen S. AMA Manual of Style: A Guide for Authors and Editors. 11th ed. Oxford University Press; 2020.",
            "Centers for Disease Control and Prevention. Facts About Hypertension. CDC. Accessed November 20, 2026. https://www.cdc.gov/high-blood-pressure/data-research/facts-stats/index.html",
            "National Institute for Health and Care Excellence. Hypertension in Adults: Diagnosis and Management. National Institute for Health and Care Excellence; 2019. Accessed November 20, 2026. https://www.nice.org.uk/guidance/ng136",
        ];
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g, w);
        }
    }
}
