//! RIS (`.ris`), as Ovid, EndNote and Zotero export it: `TY  - JOUR` ... `ER  - ` records of
//! two-letter tags.
//!
//! RIS has no citation key. A record is cited by its `ID` when the export gives one (Ovid
//! gives the PMID there: `[@pmid:30439442]`), else by the PMID in an Ovid MEDLINE link
//! (`L2 ... AN=39012781`), else by its DOI (`[@doi:10.2337/dc24-0703]`), else as `ris-N`
//! (the record's position in the file).

use std::path::Path;

use super::{author_name, unknown_type, Loaded, Origin};
use crate::cite::{RefKind, Reference};
use crate::diag::Diagnostic;

struct Field {
    tag: String,
    value: String,
}

/// `XX  - value`: a two-character tag, two spaces, a dash.
fn tag_line(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    if b.len() < 5 || &b[2..5] != b"  -" {
        return None;
    }
    let tag = line.get(..2)?;
    if !tag
        .bytes()
        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        || !tag.as_bytes()[0].is_ascii_uppercase()
    {
        return None;
    }
    Some((tag, line.get(5..)?.trim()))
}

pub(super) fn read(text: &str, file: &Path) -> Loaded {
    let mut out = Loaded::default();
    let mut record: Option<(usize, Vec<Field>)> = None;
    let mut count = 0usize;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches(['\r', '\u{feff}']);
        let line = line.trim_start_matches('\u{feff}');
        match (tag_line(line), record.as_mut()) {
            (Some(("TY", ty)), None) => record = Some(new_record(line_no, ty)),
            (Some(("TY", ty)), Some((start, _))) => {
                out.diags.push(
                    Diagnostic::error(
                        "cite/bibliography-syntax",
                        "a new RIS record starts before the previous one ended with 'ER  - '",
                    )
                    .at(file, *start, 1)
                    .hint("each record ends with a line 'ER  - '; export the records again"),
                );
                record = Some(new_record(line_no, ty));
            }
            (Some(("ER", _)), Some(_)) => {
                if let Some((start, fields)) = record.take() {
                    count += 1;
                    let fields = Fields(&fields);
                    out.refs
                        .push(reference(&fields, file, start, count, &mut out.diags));
                }
            }
            (Some((tag, value)), Some((_, fields))) => fields.push(Field {
                tag: tag.to_string(),
                value: value.to_string(),
            }),
            (None, Some((_, fields))) if !line.trim().is_empty() => {
                // A value continued on the next line (long abstracts in some exporters).
                if let Some(last) = fields.last_mut() {
                    last.value.push(' ');
                    last.value.push_str(line.trim());
                }
            }
            // Between records: numbering lines ("1. ") and Ovid's "Link to ..." lines.
            _ => {}
        }
    }
    if let Some((start, _)) = record {
        out.diags.push(
            Diagnostic::error(
                "cite/bibliography-syntax",
                "the last RIS record has no 'ER  - ' line: the file may be cut short",
            )
            .at(file, start, 1)
            .hint("export the records again; every record ends with 'ER  - '"),
        );
    }
    if count == 0 && out.diags.is_empty() && !text.trim().is_empty() {
        out.diags.push(
            Diagnostic::error("cite/bibliography-syntax", "no RIS records found")
                .at(file, 1, 1)
                .hint("a RIS file has records from 'TY  - JOUR' to 'ER  - '"),
        );
    }
    out
}

/// A record begun by its `TY` line at `line`.
fn new_record(line: usize, ty: &str) -> (usize, Vec<Field>) {
    (
        line,
        vec![Field {
            tag: "TY".into(),
            value: ty.to_string(),
        }],
    )
}

/// RIS record types and the kind of reference each is; `GEN` (generic) and any type not
/// listed are reports.
const TYPES: &[(&str, RefKind)] = &[
    ("JOUR", RefKind::Article),
    ("JFULL", RefKind::Article),
    ("MGZN", RefKind::Article),
    ("NEWS", RefKind::Article),
    ("EJOUR", RefKind::Article),
    ("ABST", RefKind::Article),
    ("INPR", RefKind::Article),
    ("CPAPER", RefKind::Article),
    ("CONF", RefKind::Article),
    ("BOOK", RefKind::Book),
    ("EBOOK", RefKind::Book),
    ("EDBOOK", RefKind::Book),
    ("CHAP", RefKind::Chapter),
    ("ECHAP", RefKind::Chapter),
    ("RPRT", RefKind::Report),
    ("GOVDOC", RefKind::Report),
    ("STAND", RefKind::Report),
    ("THES", RefKind::Report),
    ("UNPB", RefKind::Report),
    ("MANSCPT", RefKind::Report),
    ("ELEC", RefKind::Web),
    ("WEB", RefKind::Web),
    ("BLOG", RefKind::Web),
    ("DATA", RefKind::Web),
    ("GEN", RefKind::Report),
];

/// One record's fields, looked up by tag.
struct Fields<'a>(&'a [Field]);

impl Fields<'_> {
    /// The first non-empty value of the first of `tags` that has one.
    fn get(&self, tags: &[&str]) -> Option<String> {
        tags.iter().find_map(|t| {
            self.0
                .iter()
                .find(|f| f.tag == *t && !f.value.is_empty())
                .map(|f| f.value.clone())
        })
    }

    /// Every non-empty value of `tag`.
    fn all(&self, tag: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|f| f.tag == tag && !f.value.is_empty())
            .map(|f| f.value.clone())
            .collect()
    }

    /// The names under `tags` (`Family, Given` or whole), as careguide writes names.
    fn names(&self, tags: &[&str]) -> Vec<String> {
        tags.iter()
            .flat_map(|t| self.all(t))
            .map(|a| match a.split_once(',') {
                Some((family, given)) => author_name(family, Some(given), None),
                None => a.trim().to_string(),
            })
            .collect()
    }

    /// The PMID in an Ovid MEDLINE link (`...D=med...AN=39012781`).
    fn pmid_from_link(&self) -> Option<String> {
        let l = self.get(&["L2", "UR"])?;
        if !l.contains("D=med") {
            return None;
        }
        let at = l.find("AN=")? + 3;
        let digits: String = l[at..].chars().take_while(char::is_ascii_digit).collect();
        (!digits.is_empty()).then_some(digits)
    }
}

/// An NLM journal id (`101676033`, `7805975`, `8002796R`), which some exports put in `IS` or
/// `J2`: seven or more digits, perhaps with a letter after them. No issue number is that long.
fn is_nlm_id(v: &str) -> bool {
    let v = v.trim();
    let digits = v.trim_end_matches(|c: char| c.is_ascii_uppercase());
    v.len() - digits.len() <= 1 && digits.len() >= 7 && digits.bytes().all(|b| b.is_ascii_digit())
}

/// The key a record is cited by (see the module's documentation); `n` is its position.
fn key_of(
    id_field: &Option<String>,
    pmid: &Option<String>,
    doi: &Option<String>,
    n: usize,
) -> String {
    match (id_field, pmid, doi) {
        (Some(i), Some(p), _) if i == p => super::medline::key_for(p),
        (Some(i), _, _) => i.clone(),
        (None, Some(p), _) => super::medline::key_for(p),
        (None, None, Some(d)) => format!("doi:{d}"),
        (None, None, None) => format!("ris-{n}"),
    }
}

fn reference(
    f: &Fields,
    file: &Path,
    line: usize,
    n: usize,
    diags: &mut Vec<Diagnostic>,
) -> Reference {
    let origin = Origin {
        file: file.to_path_buf(),
        line,
        column: 1,
    };
    let ty = f.get(&["TY"]).unwrap_or_default();
    let known = TYPES.iter().find(|(t, _)| *t == ty);
    let kind = known.map_or(RefKind::Report, |(_, k)| *k);
    let id_field = f.get(&["ID"]);
    let pmid = id_field
        .clone()
        .filter(|i| i.bytes().all(|b| b.is_ascii_digit()))
        .or_else(|| f.pmid_from_link());
    let doi = f.get(&["DO"]).map(|d| crate::cite::ident::clean_doi(&d));
    let key = key_of(&id_field, &pmid, &doi, n);
    let full = match kind {
        RefKind::Article => f.get(&["JF", "JO", "T2"]),
        RefKind::Chapter => f.get(&["T2", "BT"]),
        _ => f.get(&["T2"]),
    };
    let short = f
        .get(&["J2"])
        .filter(|j| !is_nlm_id(j))
        .or_else(|| f.get(&["JA"]));
    let editors = if kind == RefKind::Chapter || kind == RefKind::Book {
        f.names(&["A2", "ED"])
    } else {
        Vec::new()
    };
    let year = f.get(&["PY", "Y1", "DA"]).and_then(|y| {
        let d: String = y.chars().take_while(char::is_ascii_digit).collect();
        (d.len() == 4).then_some(d)
    });
    let pages = match (f.get(&["SP"]), f.get(&["EP"])) {
        (Some(s), Some(e)) if !s.contains('-') => Some(format!("{s}-{e}")),
        (Some(s), _) => Some(s),
        (None, _) => None,
    };
    // Some exports put the NLM journal id in IS ("eag, 7805975"): not an issue number.
    let issue = f
        .get(&["IS"])
        .filter(|i| !i.contains(',') && i.len() <= 12 && !is_nlm_id(i));
    let isbn = match kind {
        RefKind::Book | RefKind::Chapter => f.get(&["SN"]),
        _ => None,
    };
    if known.is_none() {
        diags.push(unknown_type(file, &origin, &key, &ty));
    }
    Reference {
        id: key,
        kind,
        authors: f.names(&["AU", "A1"]),
        authors_truncated: false,
        organization: None,
        title: f.get(&["TI", "T1", "CT", "BT"]),
        container: short.clone().or_else(|| full.clone()),
        container_full: full,
        editors,
        edition: f.get(&["ET"]),
        publisher: f.get(&["PB"]),
        year,
        volume: f.get(&["VL"]),
        issue,
        pages,
        doi,
        pmid,
        pmcid: None,
        isbn,
        url: f.get(&["UR"]),
        accessed: None,
        origin,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cite::bib::tests::read_real;

    #[test]
    fn records_keys_and_fields() {
        let t = "1. \nTY  - JOUR\nID  - 30439442\nT1  - Mushroom poisoning: A proposed new clinical classification.\nA1  - White, Julian\nA1  - Weinstein, Scott A\nY1  - 2018//\nJF  - Toxicon : official journal of the International Society on Toxinology\nJA  - Toxicon\nVL  - 157\nSP  - 53\nEP  - 65\nDO  - https://dx.doi.org/10.1016/j.toxicon.2018.11.007\nER  -  \n\nLink to the Ovid Full Text or citation: https://example.org\n\nTY  - BOOK\nTI  - A book\nER  - \nTY  - XYZ\nTI  - Odd\n";
        let l = read(t, Path::new("r.ris"));
        assert_eq!(l.refs.len(), 2);
        let r = &l.refs[0];
        assert_eq!(r.id, "pmid:30439442");
        assert_eq!(r.origin.line, 2);
        assert_eq!(r.authors, vec!["White J", "Weinstein SA"]);
        assert_eq!(r.container.as_deref(), Some("Toxicon"));
        assert_eq!(r.pages.as_deref(), Some("53-65"));
        assert_eq!(r.year.as_deref(), Some("2018"));
        assert_eq!(r.doi.as_deref(), Some("10.1016/j.toxicon.2018.11.007"));
        assert_eq!(l.refs[1].id, "ris-2");
        assert_eq!(l.refs[1].kind, RefKind::Book);
        assert_eq!(l.diags.len(), 1, "{:?}", l.diags);
        assert_eq!(l.diags[0].line, 21);
        assert!(l.diags[0].message.contains("no 'ER  - '"));
    }

    #[test]
    fn real_ovid_direct_export() {
        let Some(l) = read_real("ris_ovid-medline-direct-export.ris") else {
            return;
        };
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.refs.len(), 91);
        let r = &l.refs[0];
        assert_eq!(r.id, "pmid:30439442");
        assert_eq!(r.pmid.as_deref(), Some("30439442"));
        assert_eq!(r.authors.len(), 7);
        assert_eq!(r.container.as_deref(), Some("Toxicon"));
        assert_eq!(r.volume.as_deref(), Some("157"));
        assert!(l.refs.iter().all(|r| r.pmid.is_some()));
        assert_eq!(l.refs.iter().filter(|r| r.doi.is_some()).count(), 89);
    }

    #[test]
    fn real_zotero_reexport() {
        let Some(l) = read_real("ris_zotero-export-of-ovid-medline.ris") else {
            return;
        };
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.refs.len(), 84);
        let r = &l.refs[0];
        assert_eq!(r.authors[0], "Zhang Y");
        assert_eq!(r.container.as_deref(), Some("Diabetes Care"));
        assert_eq!(r.container_full.as_deref(), Some("Diabetes care"));
        assert_eq!(r.year.as_deref(), Some("2024"));
        assert_eq!(r.doi.as_deref(), Some("10.2337/dc24-0703"));
        // IS holds the NLM journal id here, not an issue.
        assert_eq!(r.issue, None);
        assert_eq!(r.pmid.as_deref(), Some("39012781"));
        assert_eq!(r.id, "pmid:39012781");
        // An NLM id alone in IS ("101676033") is not an issue either.
        assert!(l
            .refs
            .iter()
            .all(|r| !r.issue.as_deref().is_some_and(is_nlm_id)));
        assert!(l.refs.iter().any(|r| r.issue.as_deref() == Some("Suppl 2")));
    }

    #[test]
    fn nlm_ids_are_not_issues() {
        assert!(is_nlm_id("101676033") && is_nlm_id("7805975") && is_nlm_id("8002796R"));
        assert!(!is_nlm_id("12") && !is_nlm_id("9 Suppl 1") && !is_nlm_id("1234"));
    }
}
