//! Checks of the references themselves, whatever file they came from: identifiers, required
//! fields, plausible years, the same work under two keys, and retractions.
//!
//! Every finding is made at the rule's default severity; callers pass it through
//! `Config::apply_level`.

use std::collections::BTreeMap;

use super::ident;
use super::retract::{Nature, Retractions};
use super::{RefKind, Reference};
use crate::diag::Diagnostic;

fn at(d: Diagnostic, r: &Reference) -> Diagnostic {
    d.at(&r.origin.file, r.origin.line, r.origin.column)
}

/// Identifier and field checks of one reference. `this_year` is the latest plausible year.
pub fn check_reference(r: &Reference, this_year: i32) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    check_identifiers(r, &mut out);
    check_fields(r, &mut out);
    check_year(r, this_year, &mut out);
    if r.authors_truncated {
        out.push(
            at(
                Diagnostic::warning(
                    "cite/truncated-authors",
                    format!(
                        "reference '{}' lists only some authors ('et al' in the export)",
                        r.id
                    ),
                ),
                r,
            )
            .hint("add every author from the PubMed or publisher record; the style decides how many to show"),
        );
    }
    out
}

/// The DOI, PMID, PMCID and ISBN, where given, are well formed.
fn check_identifiers(r: &Reference, out: &mut Vec<Diagnostic>) {
    let id = &r.id;
    if let Some(doi) = r.doi.as_deref() {
        if let Err(p) = ident::check_doi(&ident::normalize_doi(doi)) {
            out.push(at(
                Diagnostic::error("cite/bad-doi", format!("reference '{id}': {p}")),
                r,
            )
            .hint("copy the DOI from the article's page or its doi.org link, e.g. 10.1097/ADM.0000000000000721"));
        }
    }
    if let Some(pmid) = r.pmid.as_deref() {
        if let Err(p) = ident::check_pmid(pmid.trim()) {
            out.push(
                at(
                    Diagnostic::error("cite/bad-pmid", format!("reference '{id}': {p}")),
                    r,
                )
                .hint("copy the PMID from the PubMed record (the number after 'PMID:')"),
            );
        }
    }
    if let Some(pmcid) = r.pmcid.as_deref() {
        if let Err(p) = ident::check_pmcid(&ident::normalize_pmcid(pmcid)) {
            out.push(
                at(
                    Diagnostic::error("cite/bad-pmcid", format!("reference '{id}': {p}")),
                    r,
                )
                .hint("a PMCID looks like PMC1234567; it is on the PubMed record under 'PMCID'"),
            );
        }
    }
    if let Some(isbn) = r.isbn.as_deref() {
        if let Err(p) = ident::check_isbn(&ident::normalize_isbn(isbn)) {
            out.push(
                at(
                    Diagnostic::error("cite/bad-isbn", format!("reference '{id}': {p}")),
                    r,
                )
                .hint("copy the ISBN from the book's copyright page or the publisher's record"),
            );
        }
    }
}

/// A reference `r` that lacks `what`.
fn missing(r: &Reference, what: &str, hint: &str) -> Diagnostic {
    at(
        Diagnostic::error(
            "cite/missing-field",
            format!("reference '{}' has no {what}", r.id),
        ),
        r,
    )
    .hint(hint.to_string())
}

fn blank(v: &Option<String>) -> bool {
    v.as_deref().is_none_or(|s| s.trim().is_empty())
}

/// The title, the authors (or organization), and where the reference appeared (journal, book,
/// site or publisher, by its kind).
fn check_fields(r: &Reference, out: &mut Vec<Diagnostic>) {
    if blank(&r.title) {
        out.push(missing(r, "title", "add the title as the source gives it"));
    }
    if r.authors.is_empty() && blank(&r.organization) {
        out.push(missing(
            r,
            "authors or organization",
            "add the authors (\"Surname Initials\"), or the organization that wrote it",
        ));
    }
    let container_ok = match r.kind {
        RefKind::Article => !blank(&r.container),
        RefKind::Chapter => !blank(&r.container),
        RefKind::Book | RefKind::Report | RefKind::Guideline => {
            !blank(&r.publisher) || !blank(&r.container) || !blank(&r.organization)
        }
        RefKind::Web => !blank(&r.container) || !blank(&r.publisher) || !blank(&r.organization),
    };
    if !container_ok {
        let (what, hint) = match r.kind {
            RefKind::Article => (
                "journal",
                "add the journal, as its NLM abbreviation (J Addict Med)",
            ),
            RefKind::Chapter => ("book title", "add the title of the book the chapter is in"),
            RefKind::Web => ("site name", "add the name of the web site the page is on"),
            _ => (
                "publisher",
                "add the publisher or the organization that issued it",
            ),
        };
        out.push(missing(r, what, hint));
    }
}

/// A year of publication (a web page may have its accessed date instead) that is a plausible
/// year: four digits, not in the future, not before 1800.
fn check_year(r: &Reference, this_year: i32, out: &mut Vec<Diagnostic>) {
    let id = &r.id;
    match r.year.as_deref().map(str::trim).filter(|y| !y.is_empty()) {
        None if r.kind == RefKind::Web && r.accessed.is_some() => {}
        None => out.push(missing(
            r,
            "year",
            "add the year of publication (for a web page without one, the date you accessed it)",
        )),
        Some(y) => match y.parse::<i32>() {
            Ok(n) if n > this_year => out.push(at(
                Diagnostic::error(
                    "cite/bad-year",
                    format!("reference '{id}' has the year {n}, which is in the future"),
                ),
                r,
            )
            .hint("check the year of publication; an article published online ahead of print takes the year it appeared online")),
            Ok(n) if n < 1800 => out.push(at(
                Diagnostic::error(
                    "cite/bad-year",
                    format!("reference '{id}' has the year {n}, before 1800"),
                ),
                r,
            )
            .hint("check the year of publication")),
            Ok(_) => {}
            Err(_) => out.push(at(
                Diagnostic::error(
                    "cite/bad-year",
                    format!("reference '{id}' has the year '{y}', which is not a year"),
                ),
                r,
            )
            .hint("write the year as four digits, e.g. 2021")),
        },
    }
}

/// Where a reference was defined, for messages naming two places.
pub fn place(r: &Reference) -> String {
    let f = r.origin.file.display();
    match (r.origin.line, r.origin.column) {
        (0, _) => f.to_string(),
        (l, 0) => format!("{f}:{l}"),
        (l, c) => format!("{f}:{l}:{c}"),
    }
}

/// The same work (same DOI or PMID) under two different keys.
pub fn check_duplicates(refs: &[&Reference]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut by_doi: BTreeMap<String, &Reference> = BTreeMap::new();
    let mut by_pmid: BTreeMap<String, &Reference> = BTreeMap::new();
    for r in refs {
        if let Some(doi) = r.doi.as_deref().map(ident::normalize_doi) {
            match by_doi.get(&doi) {
                Some(first) if first.id != r.id => out.push(
                    at(
                        Diagnostic::error(
                            "cite/duplicate-doi",
                            format!(
                                "'{}' and '{}' are the same work (DOI {doi}); '{}' is defined at {}",
                                first.id,
                                r.id,
                                first.id,
                                place(first)
                            ),
                        ),
                        r,
                    )
                    .hint(format!(
                        "keep one of them and cite it everywhere as [@{}]",
                        first.id
                    )),
                ),
                Some(_) => {}
                None => {
                    by_doi.insert(doi, r);
                }
            }
        }
        if let Some(pmid) = r.pmid.as_deref().map(str::trim).filter(|p| !p.is_empty()) {
            match by_pmid.get(pmid) {
                Some(first) if first.id != r.id => {
                    // Already reported through the DOI: one finding per pair is enough.
                    let same_doi = first.doi.as_deref().map(ident::normalize_doi)
                        == r.doi.as_deref().map(ident::normalize_doi)
                        && r.doi.is_some();
                    if !same_doi {
                        out.push(
                            at(
                                Diagnostic::error(
                                    "cite/duplicate-pmid",
                                    format!(
                                        "'{}' and '{}' are the same work (PMID {pmid}); '{}' is defined at {}",
                                        first.id,
                                        r.id,
                                        first.id,
                                        place(first)
                                    ),
                                ),
                                r,
                            )
                            .hint(format!(
                                "keep one of them and cite it everywhere as [@{}]",
                                first.id
                            )),
                        );
                    }
                }
                Some(_) => {}
                None => {
                    by_pmid.insert(pmid.to_string(), r);
                }
            }
        }
    }
    out
}

/// A cited reference that the Retraction Watch data lists as retracted (error), corrected or
/// under an expression of concern (warning).
pub fn check_retraction(r: &Reference, db: &Retractions) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for notice in db.lookup(r.doi.as_deref(), r.pmid.as_deref()) {
        let when = notice
            .date
            .as_deref()
            .map(|d| format!(" on {d}"))
            .unwrap_or_default();
        let by = notice
            .notice_doi
            .as_deref()
            .map(|d| format!(" (notice doi:{d})"))
            .unwrap_or_default();
        let id = &r.id;
        let d = match notice.nature {
            Nature::Retraction => Diagnostic::error(
                "cite/retracted",
                format!("reference '{id}' was retracted{when}{by}"),
            )
            .hint("do not cite a retracted paper as evidence; find a current source for the statement"),
            Nature::Correction => Diagnostic::warning(
                "cite/corrected",
                format!("reference '{id}' has a correction{when}{by}"),
            )
            .hint("check that the statement citing it still holds after the correction"),
            Nature::ExpressionOfConcern => Diagnostic::warning(
                "cite/expression-of-concern",
                format!("reference '{id}' is under an expression of concern{when}{by}"),
            )
            .hint("the journal doubts this paper; prefer another source or say so"),
            Nature::Other => Diagnostic::warning(
                "cite/retraction-notice",
                format!(
                    "reference '{id}' has a notice in the Retraction Watch data{when}{by}"
                ),
            )
            .hint("read the notice and decide whether the paper can still be cited"),
        };
        out.push(at(d, r));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cite::Origin;

    fn article() -> Reference {
        Reference {
            id: "weiss2021".into(),
            kind: RefKind::Article,
            authors: vec!["Weiss ST".into()],
            title: Some("T".into()),
            container: Some("J Addict Med".into()),
            year: Some("2021".into()),
            doi: Some("10.1097/ADM.0000000000000721".into()),
            pmid: Some("32858563".into()),
            origin: Origin {
                file: "refs.bib".into(),
                line: 4,
                column: 10,
            },
            ..Default::default()
        }
    }

    fn rules(d: &[Diagnostic]) -> Vec<&str> {
        d.iter().map(|d| d.rule.as_str()).collect()
    }

    #[test]
    fn a_good_reference_passes() {
        assert!(check_reference(&article(), 2026).is_empty());
    }

    #[test]
    fn bad_identifiers_and_fields() {
        let mut r = article();
        r.doi = Some("10.12/x".into());
        r.pmid = Some("0123".into());
        r.pmcid = Some("PMCX1".into());
        r.isbn = Some("978-0-306-40615-8".into());
        r.title = None;
        r.container = None;
        r.authors.clear();
        r.year = Some("2031".into());
        let d = check_reference(&r, 2026);
        assert_eq!(
            rules(&d),
            vec![
                "cite/bad-doi",
                "cite/bad-pmid",
                "cite/bad-pmcid",
                "cite/bad-isbn",
                "cite/missing-field",
                "cite/missing-field",
                "cite/missing-field",
                "cite/bad-year"
            ]
        );
        assert!(d
            .iter()
            .all(|d| d.line == 4 && d.column == 10 && d.hint.is_some()));
        r.year = Some("1750".into());
        assert!(check_reference(&r, 2026)
            .iter()
            .any(|d| d.message.contains("before 1800")));
        r.year = None;
        assert!(check_reference(&r, 2026)
            .iter()
            .any(|d| d.message.contains("no year")));
    }

    #[test]
    fn web_pages_need_a_site_and_may_use_the_accessed_date() {
        let r = Reference {
            id: "cdc".into(),
            kind: RefKind::Web,
            organization: Some("CDC".into()),
            title: Some("Facts".into()),
            accessed: crate::types::Date::parse("2026-11-20").ok(),
            ..Default::default()
        };
        assert!(
            check_reference(&r, 2026).is_empty(),
            "{:?}",
            check_reference(&r, 2026)
        );
    }

    #[test]
    fn same_work_under_two_keys() {
        let a = article();
        let mut b = article();
        b.id = "weiss-dup".into();
        b.doi = Some("https://doi.org/10.1097/adm.0000000000000721".into());
        b.origin.line = 20;
        let d = check_duplicates(&[&a, &b]);
        assert_eq!(rules(&d), vec!["cite/duplicate-doi"]);
        assert_eq!(d[0].line, 20);
        assert!(d[0].message.contains("refs.bib:4:10"), "{}", d[0].message);
        b.doi = None;
        assert_eq!(
            rules(&check_duplicates(&[&a, &b])),
            vec!["cite/duplicate-pmid"]
        );
        // The same key seen twice (the same entry) is not a duplicate work.
        assert!(check_duplicates(&[&a, &a]).is_empty());
    }
}
