//! Mapping a [`Reference`] to the hayagriva [`Entry`] a CSL style renders.

use hayagriva::types::{
    Date as HDate, EntryType, FormatString, MaybeTyped, Numeric, PageRanges, Person, Publisher,
    QualifiedUrl,
};
use hayagriva::Entry;

use crate::cite::{ident, RefKind, Reference};

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
    let authors = authors(r);
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
    let shared = Shared {
        date,
        editors: r.editors.iter().map(|a| person(a)).collect(),
        publisher: r
            .publisher
            .as_deref()
            .filter(|p| !p.trim().is_empty())
            .map(|p| Publisher::new(Some(fs(p.trim())), None)),
        edition: r
            .edition
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(numeric),
    };
    set_locators(&mut e, r);
    match r.kind {
        RefKind::Article => article_parts(&mut e, r, key, shared),
        RefKind::Chapter => chapter_parts(&mut e, r, key, shared),
        RefKind::Book | RefKind::Report | RefKind::Guideline => book_parts(&mut e, r, key, shared),
        RefKind::Web => web_parts(&mut e, r, key, shared),
    }
    e
}

/// The authors, with an organization that wrote the work last.
fn authors(r: &Reference) -> Vec<Person> {
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
    authors
}

/// Where the work is found: its URL (with the date it was visited), DOI, PMID, PMCID, ISBN
/// and pages.
fn set_locators(e: &mut Entry, r: &Reference) {
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
}

/// What the entry or its parent carries, by the kind of reference.
struct Shared {
    date: Option<HDate>,
    editors: Vec<Person>,
    publisher: Option<Publisher>,
    edition: Option<MaybeTyped<Numeric>>,
}

fn volume(r: &Reference) -> Option<MaybeTyped<Numeric>> {
    r.volume
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(numeric)
}

/// An article's journal is its parent, with the volume and issue.
fn article_parts(e: &mut Entry, r: &Reference, key: &str, s: Shared) {
    let mut journal = Entry::new(&format!("{key}-journal"), EntryType::Periodical);
    if let Some(t) = container_title(r) {
        journal.set_title(t);
    }
    if let Some(v) = volume(r) {
        journal.set_volume(v);
    }
    if let Some(i) = r.issue.as_deref().filter(|d| !d.trim().is_empty()) {
        journal.set_issue(numeric(i));
    }
    e.set_parents(vec![journal]);
    if let Some(p) = s.publisher {
        e.set_publisher(p);
    }
}

/// A chapter's book is its parent, with the editors, publisher, edition, volume and date.
fn chapter_parts(e: &mut Entry, r: &Reference, key: &str, s: Shared) {
    let mut book = Entry::new(&format!("{key}-book"), EntryType::Book);
    if let Some(t) = container_title(r) {
        book.set_title(t);
    }
    if !s.editors.is_empty() {
        book.set_editors(s.editors);
    }
    if let Some(p) = s.publisher {
        book.set_publisher(p);
    }
    if let Some(ed) = s.edition {
        book.set_edition(ed);
    }
    if let Some(v) = volume(r) {
        book.set_volume(v);
    }
    if let Some(d) = s.date {
        book.set_date(d);
    }
    e.set_parents(vec![book]);
}

/// A book, report or guideline carries its own editors, publisher, edition and volume; its
/// parent is a report series or the site a guideline is published on.
fn book_parts(e: &mut Entry, r: &Reference, key: &str, s: Shared) {
    if !s.editors.is_empty() {
        e.set_editors(s.editors);
    }
    if let Some(p) = s.publisher {
        e.set_publisher(p);
    }
    if let Some(ed) = s.edition {
        e.set_edition(ed);
    }
    if let Some(v) = volume(r) {
        e.set_volume(v);
    }
    if let Some(t) = container_title(r) {
        let mut parent = Entry::new(&format!("{key}-series"), EntryType::Misc);
        parent.set_title(t);
        e.set_parents(vec![parent]);
    }
}

/// A web page's site is its parent.
fn web_parts(e: &mut Entry, r: &Reference, key: &str, s: Shared) {
    if let Some(t) = container_title(r) {
        let mut site = Entry::new(&format!("{key}-site"), EntryType::Web);
        site.set_title(t);
        e.set_parents(vec![site]);
    }
    if let Some(p) = s.publisher {
        e.set_publisher(p);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn people_and_groups() {
        let p = person("Weiss ST");
        assert_eq!(p.name, "Weiss");
        assert_eq!(p.given_name.as_deref(), Some("S. T."));
        let g = person("SANO Study Group");
        assert_eq!(g.name, "SANO Study Group");
        assert!(g.given_name.is_none());
    }
}
