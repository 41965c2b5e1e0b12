//! PubMed's MEDLINE export (`.nbib`, or `.txt` from "Send to: Citation manager").
//!
//! Each line is a tag padded to four characters, `- `, and a value (`TI  - Title`); values
//! continue on lines indented by six spaces; a record starts at `PMID-` and records are
//! separated by blank lines. A record has no citation key of its own: pages cite it as
//! `[@pmid:NNNNNNNN]`.

use std::path::Path;

use super::{Loaded, Origin};
use crate::cite::{RefKind, Reference};
use crate::diag::Diagnostic;

/// One tagged value with the line it started on.
struct Field {
    tag: String,
    value: String,
    line: usize,
}

/// Split a line into tag and value: `TI  - text`, `PMID- 123`.
fn tag_line(line: &str) -> Option<(&str, &str)> {
    let bytes = line.as_bytes();
    if bytes.len() < 5 || bytes[4] != b'-' {
        return None;
    }
    let tag = line.get(..4)?.trim_end();
    if tag.is_empty()
        || !tag
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
    {
        return None;
    }
    let value = line.get(5..)?.strip_prefix(' ').unwrap_or(line.get(5..)?);
    Some((tag, value.trim_end()))
}

/// The key a MEDLINE record is cited by.
pub fn key_for(pmid: &str) -> String {
    format!("pmid:{pmid}")
}

pub(super) fn read(text: &str, file: &Path) -> Loaded {
    let mut out = Loaded::default();
    let mut records: Vec<Vec<Field>> = Vec::new();
    let mut current: Vec<Field> = Vec::new();
    let mut reported_stray = false;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches(['\r', ' ', '\t']);
        if line.is_empty() {
            continue;
        }
        if let Some(cont) = raw.strip_prefix("      ") {
            match current.last_mut() {
                Some(f) => {
                    f.value.push(' ');
                    f.value.push_str(cont.trim());
                }
                None => stray(&mut out, file, line_no, &mut reported_stray),
            }
            continue;
        }
        let Some((tag, value)) = tag_line(line) else {
            stray(&mut out, file, line_no, &mut reported_stray);
            continue;
        };
        if tag == "PMID" && !current.is_empty() {
            records.push(std::mem::take(&mut current));
        }
        if current.is_empty() && tag != "PMID" {
            // A record must start with its PMID; keep the fields so the error can name them.
            if !reported_stray {
                out.diags.push(
                    Diagnostic::error(
                        "cite/bibliography-syntax",
                        format!("MEDLINE record starts with '{tag}' instead of 'PMID-'"),
                    )
                    .at(file, line_no, 1)
                    .hint("each record of a PubMed export begins with a PMID- line; export again from PubMed (Send to: Citation manager)"),
                );
                reported_stray = true;
            }
        }
        current.push(Field {
            tag: tag.to_string(),
            value: value.trim().to_string(),
            line: line_no,
        });
    }
    if !current.is_empty() {
        records.push(current);
    }
    for rec in records {
        if let Some(r) = record(&rec, file, &mut out.diags) {
            out.refs.push(r);
        }
    }
    if out.refs.is_empty() && out.diags.is_empty() && !text.trim().is_empty() {
        out.diags.push(
            Diagnostic::error("cite/bibliography-syntax", "no PubMed records found")
                .at(file, 1, 1)
                .hint("a MEDLINE file has lines like 'PMID- 12345678' and 'TI  - Title'"),
        );
    }
    out
}

fn stray(out: &mut Loaded, file: &Path, line: usize, reported: &mut bool) {
    if *reported {
        return;
    }
    *reported = true;
    out.diags.push(
        Diagnostic::error(
            "cite/bibliography-syntax",
            "this line is not a MEDLINE field (a tag such as 'TI  - ' or a continuation indented by six spaces)",
        )
        .at(file, line, 1)
        .hint("export the records again from PubMed in MEDLINE format; do not edit the file by hand"),
    );
}

fn record(fields: &[Field], file: &Path, diags: &mut Vec<Diagnostic>) -> Option<Reference> {
    let first = fields.first()?;
    let get = |tag: &str| {
        fields
            .iter()
            .find(|f| f.tag == tag)
            .map(|f| f.value.clone())
    };
    let pmid = get("PMID").filter(|p| !p.is_empty());
    let Some(pmid) = pmid else {
        diags.push(
            Diagnostic::error("cite/empty-key", "MEDLINE record without a PMID")
                .at(file, first.line, 1)
                .hint("every PubMed record has a PMID; export it again"),
        );
        return None;
    };
    let (authors, organization) = authors(fields);
    let bracketed_id = |suffix: &str| {
        fields
            .iter()
            .filter(|f| f.tag == "LID" || f.tag == "AID")
            .find_map(|f| f.value.strip_suffix(suffix).map(|v| v.trim().to_string()))
    };
    let Titles {
        kind,
        title,
        container,
        container_full,
    } = titles(&get);
    let year = get("DP").and_then(|d| {
        let y: String = d.chars().take_while(|c| c.is_ascii_digit()).collect();
        (y.len() == 4).then_some(y)
    });
    let editors = fields
        .iter()
        .filter(|f| f.tag == "ED")
        .map(|f| f.value.clone())
        .collect();
    Some(Reference {
        id: key_for(&pmid),
        kind,
        authors,
        authors_truncated: false,
        organization,
        title,
        container,
        container_full,
        editors,
        edition: get("EN"),
        publisher: get("PB"),
        year,
        volume: get("VI"),
        issue: get("IP"),
        pages: get("PG"),
        doi: bracketed_id("[doi]"),
        pmid: Some(pmid),
        pmcid: get("PMC"),
        isbn: get("ISBN"),
        url: None,
        accessed: None,
        origin: Origin {
            file: file.to_path_buf(),
            line: first.line,
            column: 1,
        },
    })
}

/// The record's authors (`AU`, and group authors `CN` in their place); a record whose one
/// author is a group has it as its organization instead.
fn authors(fields: &[Field]) -> (Vec<String>, Option<String>) {
    let mut authors = Vec::new();
    let mut groups = Vec::new();
    for f in fields {
        match f.tag.as_str() {
            "AU" => authors.push(f.value.clone()),
            "CN" => {
                authors.push(f.value.clone());
                groups.push(f.value.clone());
            }
            _ => {}
        }
    }
    let mut organization = None;
    if authors.len() == 1 && groups.len() == 1 {
        organization = authors.pop();
    }
    (authors, organization)
}

/// What a record is and its titles.
struct Titles {
    kind: RefKind,
    title: Option<String>,
    container: Option<String>,
    container_full: Option<String>,
}

/// A record with a book title (`BTI`) is a chapter when it has its own title, else a book; any
/// other is an article in the journal `TA` (abbreviated) and `JT` (full).
fn titles(get: &dyn Fn(&str) -> Option<String>) -> Titles {
    let is_book = get("BTI").is_some();
    let kind = if is_book {
        if get("TI").is_some() {
            RefKind::Chapter
        } else {
            RefKind::Book
        }
    } else {
        RefKind::Article
    };
    let (title, container, container_full) = if is_book {
        match get("TI") {
            Some(t) => (Some(t), get("BTI"), None),
            None => (get("BTI"), None, None),
        }
    } else {
        (get("TI"), get("TA"), get("JT"))
    };
    Titles {
        kind,
        title,
        container,
        container_full,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cite::bib::tests::read_real;

    const SAMPLE: &str = "\nPMID- 33208680\nOWN - NLM\nVI  - 15\nIP  - 2\nDP  - 2021 Mar/Apr\nTI  - Treatment of Kratom Withdrawal and Dependence With Buprenorphine/Naloxone: A\n      Case Series and Systematic Literature Review.  \nPG  - 167-172\nLID - 10.1097/ADM.0000000000000721 [doi]\nFAU - Weiss, Stephen T\nAU  - Weiss ST\nCN  - Example Study Group\nFAU - Douglas, Heather E\nAU  - Douglas HE\nTA  - J Addict Med\nJT  - Journal of addiction medicine\nPMC - PMC7900000\n\nPMID- 1\nTI  - Second\n";

    #[test]
    fn reads_tags_continuations_and_groups() {
        let l = read(SAMPLE, Path::new("r.nbib"));
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.refs.len(), 2);
        let r = &l.refs[0];
        assert_eq!(r.id, "pmid:33208680");
        assert_eq!(r.origin.line, 2);
        assert_eq!(
            r.title.as_deref(),
            Some("Treatment of Kratom Withdrawal and Dependence With Buprenorphine/Naloxone: A Case Series and Systematic Literature Review.")
        );
        assert_eq!(
            r.authors,
            vec!["Weiss ST", "Example Study Group", "Douglas HE"]
        );
        assert_eq!(r.year.as_deref(), Some("2021"));
        assert_eq!(r.container.as_deref(), Some("J Addict Med"));
        assert_eq!(r.doi.as_deref(), Some("10.1097/ADM.0000000000000721"));
        assert_eq!(r.pmcid.as_deref(), Some("PMC7900000"));
        assert_eq!(l.refs[1].origin.line, 20);
    }

    #[test]
    fn stray_lines_are_reported() {
        let l = read(
            "PMID- 1\nTI  - A\nthis is not medline\n",
            Path::new("r.nbib"),
        );
        assert_eq!(l.refs.len(), 1);
        assert_eq!(l.diags[0].rule, "cite/bibliography-syntax");
        assert_eq!(l.diags[0].line, 3);
        let l = read("TY  - JOUR\nER  - \n", Path::new("r.txt"));
        assert_eq!(l.diags[0].line, 1);
        assert!(l.refs.is_empty());
    }

    #[test]
    fn real_export_of_many_records() {
        let Some(l) = read_real("medline_pubmed-export_spinal-tuberculosis.nbib") else {
            return;
        };
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.refs.len(), 83);
        let r = &l.refs[0];
        assert_eq!(r.id, "pmid:30514039");
        assert_eq!(r.origin.line, 2);
        assert_eq!(r.authors[0], "Lai Z");
        assert_eq!(
            r.doi.as_deref(),
            Some("10.3969/j.issn.1003-0034.2018.11.004")
        );
        assert_eq!(r.year.as_deref(), Some("2018"));
        assert!(r.title.as_deref().is_some_and(
            |t| t.starts_with("[Feasibility") && t.contains("drainage in the treatment")
        ));
        // 24 records have no `LID ... [doi]`; two of them give the DOI in `AID` instead.
        // (The README's count of 23 without a DOI does not match either figure.)
        assert_eq!(l.refs.iter().filter(|r| r.doi.is_none()).count(), 22);
        // Records with a [pii] and a [doi] LID take the DOI.
        assert!(l
            .refs
            .iter()
            .all(|r| r.doi.as_deref().is_none_or(|d| d.starts_with("10."))));
    }

    #[test]
    fn real_single_record_with_group_author() {
        let Some(l) = read_real("medline_pubmed-export_single-record.nbib") else {
            return;
        };
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.refs.len(), 1);
        let r = &l.refs[0];
        assert_eq!(r.authors.len(), 53, "{:?}", r.authors);
        assert_eq!(r.authors[0], "Lawrenson K");
        assert_eq!(r.volume.as_deref(), Some("153"));
        assert_eq!(r.issue.as_deref(), Some("2"));
        assert_eq!(r.pages.as_deref(), Some("343-355"));
        assert_eq!(r.doi.as_deref(), Some("10.1016/j.ygyno.2019.02.023"));
        assert!(r.pmcid.as_deref().is_some_and(|p| p.starts_with("PMC")));
        assert_eq!(r.container.as_deref(), Some("Gynecol Oncol"));
    }
}
