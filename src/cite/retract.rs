//! The Retraction Watch database as Crossref publishes it (one CSV, updated daily), indexed by
//! the original paper's DOI and PMID. No network: the clinic downloads the file and names it.
//!
//! The CSV is read as bytes by the `csv` crate (RFC 4180 quoting, `""` escapes, line breaks
//! inside quoted fields, CRLF or LF), decoding only the fields kept, lossily, since the
//! published file has some invalid UTF-8. See `docs/bench-retractions.md` for the speed on a
//! 60 MB file.

use std::collections::HashMap;
use std::path::Path;

use super::ident;
use crate::diag::{Category, Diagnostic};

/// What a notice says about the original paper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nature {
    Retraction,
    Correction,
    ExpressionOfConcern,
    /// Anything else the data may add (for example "Reinstatement").
    Other,
}

impl Nature {
    fn parse(s: &str) -> Nature {
        let s = s.trim();
        if s.eq_ignore_ascii_case("Retraction") {
            Nature::Retraction
        } else if s.eq_ignore_ascii_case("Correction") {
            Nature::Correction
        } else if s.eq_ignore_ascii_case("Expression of concern") {
            Nature::ExpressionOfConcern
        } else {
            Nature::Other
        }
    }
}

/// One notice (a row of the CSV).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub record_id: String,
    pub nature: Nature,
    /// The notice's date as `YYYY-MM-DD`, from `RetractionDate` (`9/27/2023 0:00`).
    pub date: Option<String>,
    /// The DOI of the retraction (or correction) notice.
    pub notice_doi: Option<String>,
    pub title: String,
}

/// The notices of a Retraction Watch CSV, by original paper DOI (normalised) and PMID.
#[derive(Debug, Default)]
pub struct Retractions {
    notices: Vec<Notice>,
    by_doi: HashMap<String, Vec<u32>>,
    by_pmid: HashMap<String, Vec<u32>>,
}

const REQUIRED: &[&str] = &[
    "OriginalPaperDOI",
    "OriginalPaperPubMedID",
    "RetractionNature",
    "RetractionDate",
    "RetractionDOI",
];

/// A field's text; the published file has some invalid UTF-8, decoded lossily.
fn text(field: &[u8]) -> String {
    String::from_utf8_lossy(field).into_owned()
}

/// `9/27/2023 0:00` → `2023-09-27`.
fn iso_date(s: &str) -> Option<String> {
    let date = s.split_whitespace().next()?;
    let mut it = date.split('/');
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    let y: u32 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) {
        return None;
    }
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// Where the columns careguide reads are in the CSV.
struct Columns {
    doi: usize,
    pmid: usize,
    nature: usize,
    date: usize,
    notice: usize,
    id: Option<usize>,
    title: Option<usize>,
}

impl Columns {
    /// The columns named in the header row; an error naming the [`REQUIRED`] ones it lacks.
    fn of(header: &csv::ByteRecord, file: &Path) -> Result<Columns, Diagnostic> {
        let header: Vec<String> = header.iter().map(|f| text(f).trim().to_string()).collect();
        let col = |name: &str| header.iter().position(|h| h.eq_ignore_ascii_case(name));
        let missing: Vec<&str> = REQUIRED
            .iter()
            .copied()
            .filter(|n| col(n).is_none())
            .collect();
        if !missing.is_empty() {
            return Err(Diagnostic::error(
                "cite/retractions-format",
                format!(
                    "the retractions file has no column {}",
                    missing
                        .iter()
                        .map(|m| format!("'{m}'"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )
            .at(file, 1, 1)
            .category(Category::Config)
            .hint("use the Retraction Watch CSV exactly as Crossref publishes it, with its header line"));
        }
        // Checked above: every required column exists.
        let [doi, pmid, nature, date, notice] =
            [0, 1, 2, 3, 4].map(|i| col(REQUIRED[i]).unwrap_or(usize::MAX));
        Ok(Columns {
            doi,
            pmid,
            nature,
            date,
            notice,
            id: col("Record ID"),
            title: col("Title"),
        })
    }
}

impl Retractions {
    /// Read the CSV at `path`; `shown` is the path diagnostics name.
    pub fn load(path: &Path, shown: &Path) -> Result<Retractions, Diagnostic> {
        let data = crate::util::read_file(path).map_err(|e| {
            Diagnostic::error(
                "cite/retractions-unreadable",
                format!("cannot read the retractions file '{}': {e}", shown.display()),
            )
            .in_file(shown)
            .category(Category::Io)
            .hint("download retraction_watch.csv from Crossref (gitlab.com/crossref/retraction-watch-data) and name it in careguide.toml as retractions = \"path.csv\"")
        })?;
        Retractions::parse(&data, shown)
    }

    /// Parse the CSV bytes. An error when the header lacks a column careguide needs.
    pub fn parse(data: &[u8], file: &Path) -> Result<Retractions, Diagnostic> {
        let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(data);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(data);
        let mut rec = csv::ByteRecord::new();
        // Reading from memory fails only on input the reader cannot take at all; what was
        // read until then stands.
        let mut next = |rec: &mut csv::ByteRecord| reader.read_byte_record(rec).unwrap_or(false);
        next(&mut rec);
        let cols = Columns::of(&rec, file)?;
        let mut db = Retractions::default();
        while next(&mut rec) {
            if rec.len() <= 1 && rec.get(0).is_none_or(<[u8]>::is_empty) {
                continue; // blank line
            }
            db.add(&rec, &cols);
        }
        Ok(db)
    }

    /// Index one row's notice under the paper's DOIs and PMIDs; a row with neither is left out.
    fn add(&mut self, rec: &csv::ByteRecord, cols: &Columns) {
        let get = |c: usize| rec.get(c).map(text);
        let idx = self.notices.len() as u32;
        let mut indexed = false;
        if let Some(dois) = get(cols.doi) {
            for d in dois.split(';') {
                let d = ident::normalize_doi(d);
                if d.starts_with("10.") {
                    self.by_doi.entry(d).or_default().push(idx);
                    indexed = true;
                }
            }
        }
        if let Some(pmids) = get(cols.pmid) {
            for p in pmids.split(';') {
                let p = p.trim();
                if !p.is_empty() && p != "0" && ident::check_pmid(p).is_ok() {
                    self.by_pmid.entry(p.to_string()).or_default().push(idx);
                    indexed = true;
                }
            }
        }
        if !indexed {
            return;
        }
        let nature = Nature::parse(&get(cols.nature).unwrap_or_default());
        let date = get(cols.date).as_deref().and_then(iso_date);
        let notice_doi = get(cols.notice)
            .map(|d| ident::clean_doi(d.split(';').next().unwrap_or("")))
            .filter(|d| d.starts_with("10."));
        self.notices.push(Notice {
            record_id: cols.id.and_then(get).unwrap_or_default(),
            nature,
            date,
            notice_doi,
            title: cols.title.and_then(get).unwrap_or_default(),
        });
    }

    /// Number of notices indexed.
    pub fn len(&self) -> usize {
        self.notices.len()
    }

    pub fn is_empty(&self) -> bool {
        self.notices.is_empty()
    }

    /// Every notice about the paper with this DOI or PMID, each once, in file order.
    pub fn lookup(&self, doi: Option<&str>, pmid: Option<&str>) -> Vec<&Notice> {
        let mut idx: Vec<u32> = Vec::new();
        if let Some(d) = doi.map(ident::normalize_doi) {
            idx.extend(self.by_doi.get(&d).into_iter().flatten());
        }
        if let Some(p) = pmid.map(str::trim).filter(|p| !p.is_empty() && *p != "0") {
            idx.extend(self.by_pmid.get(p).into_iter().flatten());
        }
        idx.sort_unstable();
        idx.dedup();
        idx.iter().map(|&i| &self.notices[i as usize]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "Record ID,Title,Subject,Institution,Journal,Publisher,Country,Author,URLS,ArticleType,RetractionDate,RetractionDOI,RetractionPubMedID,OriginalPaperDate,OriginalPaperDOI,OriginalPaperPubMedID,RetractionNature,Reason,Paywalled,Notes\n";

    fn parse(s: &[u8]) -> Retractions {
        Retractions::parse(s, Path::new("rw.csv")).expect("parses")
    }

    #[test]
    fn natures_lists_quotes_and_zero_pmids() {
        let mut csv = HEADER.as_bytes().to_vec();
        csv.extend_from_slice(b"1,\"A \"\"quoted\"\", title\nover lines\",s,i,J,P,C,A;B,u,Research Article;,2/2/2010 0:00,10.1000/NOTICE1,111,1/1/2009 0:00,10.1000/ABC;10.1000/abc2,12345678,Retraction,+Reason;,No,\r\n");
        csv.extend_from_slice(b"2,T2,s,i,J,P,C,A,u,x,3/4/2021 0:00,10.1000/c1,0,1/1/2020 0:00,10.1000/corr,0,Correction,,No,\n");
        csv.extend_from_slice(b"3,T3 \xff\xfe broken,s,i,J,P,C,A,u,x,5/6/2022 0:00,10.1000/e1,0,1/1/2020 0:00,,7654321,Expression of concern,,No,\n\n");
        let db = parse(&csv);
        assert_eq!(db.len(), 3);
        let n = db.lookup(Some("https://doi.org/10.1000/abc"), None);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].nature, Nature::Retraction);
        assert_eq!(n[0].date.as_deref(), Some("2010-02-02"));
        assert_eq!(n[0].notice_doi.as_deref(), Some("10.1000/NOTICE1"));
        assert_eq!(n[0].title, "A \"quoted\", title\nover lines");
        assert_eq!(db.lookup(Some("10.1000/ABC2"), None).len(), 1);
        assert_eq!(db.lookup(None, Some("12345678")).len(), 1);
        // The same paper found by DOI and PMID is one notice.
        assert_eq!(db.lookup(Some("10.1000/abc"), Some("12345678")).len(), 1);
        assert_eq!(
            db.lookup(Some("10.1000/corr"), None)[0].nature,
            Nature::Correction
        );
        assert!(db.lookup(None, Some("0")).is_empty());
        let eoc = db.lookup(None, Some("7654321"));
        assert_eq!(eoc[0].nature, Nature::ExpressionOfConcern);
        assert!(eoc[0].title.contains('\u{FFFD}'));
    }

    #[test]
    fn missing_columns_are_named() {
        let e = Retractions::parse(
            b"Record ID,Title,RetractionDate\n1,x,1/1/2020\n",
            Path::new("rw.csv"),
        )
        .unwrap_err();
        assert_eq!(e.rule, "cite/retractions-format");
        assert!(e.message.contains("'OriginalPaperDOI'"), "{}", e.message);
        assert_eq!(e.line, 1);
        assert!(Retractions::parse(b"", Path::new("rw.csv")).is_err());
    }

    #[test]
    fn unclosed_quote_does_not_panic() {
        let mut csv = HEADER.as_bytes().to_vec();
        csv.extend_from_slice(b"1,\"never closed,s,i");
        let db = parse(&csv);
        assert!(db.is_empty());
    }

    #[test]
    fn real_subset() {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/real-inputs/retractionwatch_crossref-format_radiomics-subset.csv");
        if !p.exists() {
            eprintln!("note: {} is absent; skipping", p.display());
            return;
        }
        let db = Retractions::load(&p, Path::new("rw.csv")).expect("loads");
        assert_eq!(db.len(), 6);
        let n = db.lookup(Some("10.1155/2022/7642511"), None);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].nature, Nature::Retraction);
        assert_eq!(n[0].date.as_deref(), Some("2023-09-27"));
        assert_eq!(n[0].notice_doi.as_deref(), Some("10.1155/2023/9812821"));
        assert_eq!(n[0].record_id, "56626");
        assert_eq!(db.lookup(None, Some("36051936")).len(), 1);
        // A PMID of 0 means none: that row is found by DOI only.
        assert_eq!(db.lookup(Some("10.1155/2022/1008652"), None).len(), 1);
        assert!(db.lookup(None, Some("0")).is_empty());
    }
}
