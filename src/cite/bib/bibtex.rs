//! BibTeX and BibLaTeX through hayagriva's import, with the fields it leaves out (`pmid`,
//! `pmcid`, `shortjournal`) mapped here, and the quirks of real exports handled: entries are
//! parsed one at a time so one broken entry does not hide the rest.

use std::path::Path;

use biblatex::{Bibliography, ChunksExt, RawBibliography};

use super::{from_hayagriva, unknown_type, Loaded};
use crate::cite::Reference;
use crate::diag::{line_col, Diagnostic};

/// Byte offsets of each `@` that starts an entry (at brace depth 0).
fn entry_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut depth: i64 = 0;
    let mut prev = '\0';
    for (i, c) in text.char_indices() {
        match c {
            '{' if prev != '\\' => depth += 1,
            '}' if prev != '\\' => depth = (depth - 1).max(0),
            '@' if depth == 0 => starts.push(i),
            _ => {}
        }
        prev = c;
    }
    starts
}

fn entry_kind(chunk: &str) -> String {
    chunk[1..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

const KNOWN_TYPES: &[&str] = &[
    "article",
    "book",
    "mvbook",
    "inbook",
    "bookinbook",
    "suppbook",
    "booklet",
    "collection",
    "mvcollection",
    "incollection",
    "suppcollection",
    "manual",
    "misc",
    "online",
    "electronic",
    "www",
    "patent",
    "periodical",
    "suppperiodical",
    "proceedings",
    "mvproceedings",
    "inproceedings",
    "conference",
    "reference",
    "mvreference",
    "inreference",
    "report",
    "techreport",
    "thesis",
    "mastersthesis",
    "phdthesis",
    "unpublished",
    "dataset",
    "software",
];

pub(super) fn read(text: &str, file: &Path) -> Loaded {
    let mut out = Loaded::default();
    let starts = entry_starts(text);
    let strings = string_definitions(text, &starts);
    for (i, &start) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        let chunk = Chunk {
            text,
            file,
            start,
            chunk: &text[start..end],
            strings: &strings,
        };
        let kind = entry_kind(chunk.chunk);
        if matches!(kind.as_str(), "string" | "comment" | "preamble") {
            continue;
        }
        if let Some(r) = chunk.reference(&kind, &mut out.diags) {
            out.refs.push(r);
        }
    }
    out
}

/// The file's `@string` abbreviations: they apply to every entry, so each entry is parsed
/// with them in front.
fn string_definitions(text: &str, starts: &[usize]) -> String {
    let mut strings = String::new();
    for (i, &s) in starts.iter().enumerate() {
        let end = starts.get(i + 1).copied().unwrap_or(text.len());
        if entry_kind(&text[s..end]) == "string" {
            strings.push_str(&text[s..end]);
            strings.push('\n');
        }
    }
    strings
}

/// One entry of the file, parsed on its own.
struct Chunk<'a> {
    /// The whole file, and the entry's offset and text in it.
    text: &'a str,
    file: &'a Path,
    start: usize,
    chunk: &'a str,
    /// The file's `@string` definitions, parsed in front of the entry.
    strings: &'a str,
}

impl Chunk<'_> {
    /// File line and column of an offset into the parsed text (strings and entry).
    fn at(&self, off: usize) -> (usize, usize) {
        let o = self.start + off.saturating_sub(self.strings.len()).min(self.chunk.len());
        line_col(self.text, o)
    }

    /// The entry as a reference (`kind` is its `@type`), or the problem that stops it.
    fn reference(&self, kind: &str, diags: &mut Vec<Diagnostic>) -> Option<Reference> {
        let file = self.file;
        let (key, key_off, bib) = self.parse(diags)?;
        let entry = bib.iter().next()?;
        let (line, col) = self.at(key_off);
        let org = super::Origin {
            file: file.to_path_buf(),
            line,
            column: col,
        };
        let h = match hayagriva::Entry::try_from(entry) {
            Ok(h) => h,
            Err(e) => {
                let (l, c) = self.at(e.span.start);
                diags.push(
                    Diagnostic::error(
                        "cite/bad-entry",
                        format!(
                            "entry '{key}' has a field careguide cannot read: {}",
                            e.kind
                        ),
                    )
                    .at(file, l, c)
                    .hint("fix the field's value, or remove the field"),
                );
                return None;
            }
        };
        let (mut r, _) = from_hayagriva(&h, org.clone());
        r.id = key.clone();
        if !KNOWN_TYPES.contains(&kind) {
            diags.push(unknown_type(file, &org, &key, &format!("@{kind}")));
        }
        add_unmapped_fields(&mut r, entry, kind);
        Some(r)
    }

    /// The entry parsed: its key, the key's offset and the one-entry bibliography.
    fn parse(&self, diags: &mut Vec<Diagnostic>) -> Option<(String, usize, Bibliography)> {
        let (file, chunk) = (self.file, self.chunk);
        let src = format!("{}{chunk}", self.strings);
        let raw = match RawBibliography::parse(&src) {
            Ok(r) => r,
            Err(e) => {
                let (line, col) = self.at(e.span.start);
                diags.push(syntax_error(file, line, col, chunk, &e.kind.to_string()));
                return None;
            }
        };
        let raw_entry = raw.entries.first()?;
        let key = raw_entry.v.key.v.trim().to_string();
        let key_off = raw_entry.v.key.span.start;
        if key.is_empty() {
            // Found by fuzzing: `@article{,` made a reference nobody could cite.
            let (line, col) = self.at(key_off);
            diags.push(
                Diagnostic::error("cite/bad-entry", "this BibTeX entry has no key")
                    .at(file, line, col)
                    .hint("give it a citation key after the opening brace, as in @article{smith2020, ...}"),
            );
            return None;
        }
        match Bibliography::from_raw(raw) {
            Ok(b) => Some((key, key_off, b)),
            Err(e) => {
                let (line, col) = self.at(e.span.start);
                diags.push(syntax_error(file, line, col, chunk, &e.kind.to_string()));
                None
            }
        }
    }
}

/// The fields hayagriva's import leaves out (short journal title, PMID, PMCID, DOI and URL
/// where exports put them elsewhere, comma-separated authors, an institution as author).
fn add_unmapped_fields(r: &mut Reference, entry: &biblatex::Entry, kind: &str) {
    let field = |name: &str| -> Option<String> {
        entry
            .get(name)
            .map(|c| c.format_verbatim())
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    if let Some(short) = field("shortjournal").or_else(|| field("journalabbreviation")) {
        if r.container_full.is_none() {
            r.container_full = r.container.clone();
        }
        r.container = Some(short);
    }
    if let Some(p) = field("pmid") {
        r.pmid = Some(p);
    }
    if let Some(p) = field("pmcid") {
        r.pmcid = Some(p);
    }
    let eprint_type = field("eprinttype").map(|t| t.to_ascii_lowercase());
    if let Some(e) = field("eprint") {
        match eprint_type.as_deref() {
            Some("pubmed") if r.pmid.is_none() => r.pmid = Some(e),
            Some("pmcid") if r.pmcid.is_none() => r.pmcid = Some(e),
            _ => {}
        }
    }
    if r.doi.is_none() {
        r.doi = field("doi");
    }
    if r.url.is_none() {
        // `howpublished = {\url{https://...}}` in @misc entries.
        if let Some(h) = field("howpublished").or_else(|| field("url")) {
            if let Some(at) = h.find("http") {
                let u: String = h[at..]
                    .chars()
                    .take_while(|c| !c.is_whitespace() && *c != '}')
                    .collect();
                r.url = Some(u);
                if kind == "misc" {
                    r.kind = super::RefKind::Web;
                }
            }
        }
    }
    if let Some(a) = field("author") {
        if let Some(fixed) = comma_only_authors(&a) {
            r.authors = fixed;
        }
    }
    if r.organization.is_none() && r.authors.is_empty() {
        r.organization = field("institution").or_else(|| field("organization"));
    }
}

fn syntax_error(file: &Path, line: usize, col: usize, chunk: &str, what: &str) -> Diagnostic {
    let head: String = chunk
        .lines()
        .next()
        .unwrap_or("")
        .chars()
        .take(60)
        .collect();
    let key_has_space = head
        .split_once('{')
        .map(|(_, k)| k.trim_end().trim_end_matches(',').trim().contains(' '))
        .unwrap_or(false);
    let hint = if key_has_space {
        "this entry's key contains a space; keys must be one word (replace the space with - or _)"
    } else {
        "check the braces and commas of this entry; each field is written name = {value},"
    };
    Diagnostic::error(
        "cite/bibliography-syntax",
        format!("cannot read the BibTeX entry '{}': {what}", head.trim()),
    )
    .at(file, line, col)
    .hint(hint)
}

/// Cochrane's export writes authors as `Smith, SR, Newton, K, and Hill, J`: one comma-separated
/// list of surname and initials pairs instead of BibTeX's `and`. Returns `Surname Initials` for
/// such a list, `None` for a normal BibTeX author field.
fn comma_only_authors(field: &str) -> Option<Vec<String>> {
    let normalised = field.replace(", and ", ", ");
    let normalised = normalised.trim().trim_start_matches("and ");
    if normalised.contains(" and ") {
        return None;
    }
    let parts: Vec<&str> = normalised.split(',').map(str::trim).collect();
    if parts.len() < 4 || !parts.len().is_multiple_of(2) {
        return None;
    }
    let mut out = Vec::new();
    for pair in parts.chunks(2) {
        let (family, given) = (pair[0], pair[1]);
        if family.is_empty() {
            return None;
        }
        out.push(super::author_name(family, Some(given), None));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cite::bib::tests::read_real;

    fn read_str(s: &str) -> Loaded {
        read(s, Path::new("refs.bib"))
    }

    #[test]
    fn zotero_style_entry_with_pmid_and_short_journal() {
        let l = read_str(
            "% comment\n@article{weiss2021,\n\ttitle = {Treatment of {Kratom} Withdrawal},\n\tvolume = {15},\n\tdoi = {10.1097/ADM.0000000000000721},\n\tjournal = {Journal of Addiction Medicine},\n\tshortjournal = {J Addict Med},\n\tauthor = {Weiss, Stephen T. and Douglas, Heather E.},\n\tyear = {2021},\n\tpages = {167--172},\n\tpmid = {32909981},\n\tpmcid = {PMC7900000},\n}\n",
        );
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        let r = &l.refs[0];
        assert_eq!(r.id, "weiss2021");
        assert_eq!(r.origin.line, 2);
        assert_eq!(r.authors, vec!["Weiss ST", "Douglas HE"]);
        assert_eq!(r.container.as_deref(), Some("J Addict Med"));
        assert_eq!(
            r.container_full.as_deref(),
            Some("Journal of Addiction Medicine")
        );
        assert_eq!(r.pmid.as_deref(), Some("32909981"));
        assert_eq!(r.pmcid.as_deref(), Some("PMC7900000"));
        assert_eq!(r.year.as_deref(), Some("2021"));
        assert_eq!(r.volume.as_deref(), Some("15"));
        assert_eq!(r.title.as_deref(), Some("Treatment of Kratom Withdrawal"));
    }

    #[test]
    fn a_broken_entry_is_reported_at_its_line_and_others_survive() {
        let l = read_str(
            "@article{good1, title={A}, year={2020}}\n\n@article{bad one,\n title={B}}\n@book{good2, title={C}, year={2019}}\n@weird{odd, title={D}}\n",
        );
        let ids: Vec<&str> = l.refs.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, vec!["good1", "good2", "odd"]);
        let syn = l
            .diags
            .iter()
            .find(|d| d.rule == "cite/bibliography-syntax")
            .expect("syntax error");
        assert_eq!(syn.line, 3);
        assert!(syn.hint.as_deref().unwrap_or("").contains("space"));
        let unk = l
            .diags
            .iter()
            .find(|d| d.rule == "cite/unknown-type")
            .expect("unknown type");
        assert_eq!(unk.line, 6);
    }

    #[test]
    fn cochrane_comma_author_lists() {
        assert_eq!(
            comma_only_authors("Smith, SR, Newton, K, and Hill, J"),
            Some(vec![
                "Smith SR".to_string(),
                "Newton K".into(),
                "Hill J".into()
            ])
        );
        assert_eq!(comma_only_authors("Smith, John and Doe, Jane"), None);
    }

    #[test]
    fn real_cochrane_export() {
        let Some(l) = read_real("bibtex_cochrane-cdsr-export.bib") else {
            return;
        };
        // 41 records; keys with a space cannot be BibTeX keys and are reported.
        let bad = l
            .diags
            .iter()
            .filter(|d| d.rule == "cite/bibliography-syntax")
            .count();
        assert_eq!(l.refs.len() + bad, 41, "{:?}", l.diags);
        assert!(l.refs.len() >= 35);
        let r = &l.refs[0];
        assert!(r.authors.len() > 1, "{:?}", r.authors);
        assert!(
            r.authors.iter().all(|a| !a.contains(',')),
            "{:?}",
            r.authors
        );
        assert!(r
            .doi
            .as_deref()
            .is_some_and(|d| d.starts_with("10.1002/14651858.")));
        assert!(r.origin.line > 1);
    }

    #[test]
    fn real_zotero_export() {
        let Some(l) = read_real("bibtex_zotero_gi-surgical-oncology.bib") else {
            return;
        };
        assert_eq!(l.refs.len(), 132);
        assert_eq!(l.refs.iter().filter(|r| r.pmid.is_some()).count(), 92);
        assert_eq!(l.refs.iter().filter(|r| r.pmcid.is_some()).count(), 31);
        assert!(l.refs.iter().any(|r| r.authors_truncated));
        let r = l
            .refs
            .iter()
            .find(|r| r.id == "crenshaw823")
            .expect("entry");
        assert_eq!(r.authors[0], "Crenshaw GD");
        assert_eq!(r.container.as_deref(), Some("Am Surg"));
    }

    #[test]
    fn real_hand_merged_export() {
        let Some(l) = read_real("bibtex_ohdsi-book-mixed-sources.bib") else {
            return;
        };
        // The README counts 118; there are 119: `@Article {Hripcsak7329,` has a space before
        // its brace, which a pattern without the space misses.
        assert_eq!(l.refs.len(), 119, "{:?}", l.diags);
        assert!(l.refs.iter().any(|r| r.id == "Hripcsak7329"));
        // `}@article{hersh2013caveats,` starts on the line of the previous entry's end.
        let h = l
            .refs
            .iter()
            .find(|r| r.id == "hersh2013caveats")
            .expect("entry");
        assert_eq!(h.origin.line, 25);
        let r = l
            .refs
            .iter()
            .find(|r| r.id == "kahn2012pragmatic")
            .expect("entry");
        assert_eq!(r.authors[0], "Kahn MG");
        assert_eq!(r.container.as_deref(), Some("Medical care"));
        assert!(
            l.refs
                .iter()
                .filter(|r| r.kind == crate::cite::RefKind::Book)
                .count()
                >= 8
        );
    }
}
