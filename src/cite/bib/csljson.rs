//! CSL-JSON, as Zotero, Mendeley, Better BibTeX and Manubot write it: an array of items.
//!
//! Read with serde_json into values (not a fixed schema) because real exports bend the schema:
//! years as strings, numbers as strings or numbers, `literal` group authors, `website` for
//! `webpage`.

use std::path::Path;

use serde_json::{Map, Value};

use super::{author_name, origin, unknown_type, Loaded};
use crate::cite::Origin;
use crate::cite::{RefKind, Reference};
use crate::diag::Diagnostic;

/// Byte offsets where each element of the top-level array starts (the whole text for a
/// top-level object), found by a small scan that respects strings.
fn element_starts(text: &str) -> Vec<usize> {
    let mut starts = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut top_is_array = false;
    for (i, c) in text.char_indices() {
        if in_string {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                if depth == 1 && top_is_array {
                    starts.push(i);
                }
                in_string = true;
            }
            '{' | '[' => {
                if depth == 0 {
                    top_is_array = c == '[';
                    if !top_is_array {
                        starts.push(i);
                    }
                } else if depth == 1 && top_is_array {
                    starts.push(i);
                }
                depth += 1;
            }
            '}' | ']' => depth = depth.saturating_sub(1),
            // A number or literal element: mark its start once.
            c if depth == 1
                && top_is_array
                && !c.is_whitespace()
                && c != ','
                && starts.last().is_none_or(|&s| text[s..i].contains(',')) =>
            {
                starts.push(i);
            }
            _ => {}
        }
    }
    starts
}

/// Offset of the item's `"id"` key inside the item starting at `start`, or `start`.
fn id_offset(text: &str, start: usize) -> usize {
    let item = &text[start..];
    // The id key is near the start in every exporter; look within the item's first object.
    let mut depth = 0i32;
    let mut end = item.len();
    for (i, c) in item.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth <= 0 {
                    end = i;
                    break;
                }
            }
            _ => {}
        }
    }
    let body = &item[..end];
    let mut at = 0;
    while let Some(i) = body[at..].find("\"id\"") {
        let pos = at + i;
        if body[pos + 4..].trim_start().starts_with(':') {
            return start + pos;
        }
        at = pos + 4;
    }
    start
}

fn string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn get(item: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| item.get(*k).and_then(string))
}

/// The year of a CSL date: `date-parts` (numbers or strings), else the first four digits of
/// `raw` or `literal`.
fn year(v: Option<&Value>) -> Option<String> {
    let v = v?;
    if let Some(first) = v
        .get("date-parts")
        .and_then(|p| p.get(0))
        .and_then(|p| p.get(0))
    {
        return string(first);
    }
    let text = v
        .get("raw")
        .or_else(|| v.get("literal"))
        .and_then(string)
        .or_else(|| string(v))?;
    let digits: String = text
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(|c| c.is_ascii_digit())
        .collect();
    (digits.len() == 4).then_some(digits)
}

fn date(v: Option<&Value>) -> Option<crate::types::Date> {
    let parts = v?.get("date-parts")?.get(0)?.as_array()?;
    let num = |i: usize| -> Option<i64> {
        match parts.get(i)? {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    };
    let month = time::Month::try_from(u8::try_from(num(1)?).ok()?).ok()?;
    let d = time::Date::from_calendar_date(
        i32::try_from(num(0)?).ok()?,
        month,
        u8::try_from(num(2)?).ok()?,
    )
    .ok()?;
    Some(crate::types::Date(d))
}

fn names(v: Option<&Value>) -> Vec<String> {
    let Some(Value::Array(list)) = v else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|n| {
            if let Some(l) = n.get("literal").and_then(string) {
                return Some(l);
            }
            let family = n.get("family").and_then(string)?;
            let particle = n.get("non-dropping-particle").and_then(string);
            Some(author_name(
                &family,
                n.get("given").and_then(string).as_deref(),
                particle.as_deref(),
            ))
        })
        .collect()
}

fn kind(ty: &str) -> Option<RefKind> {
    Some(match ty {
        "article-journal" | "article" | "article-magazine" | "article-newspaper"
        | "paper-conference" | "review" | "review-book" => RefKind::Article,
        "book" | "classic" | "collection" => RefKind::Book,
        "chapter" | "entry" | "entry-dictionary" | "entry-encyclopedia" => RefKind::Chapter,
        "report" | "thesis" | "manuscript" | "document" | "standard" | "legislation"
        | "regulation" | "pamphlet" => RefKind::Report,
        "webpage" | "website" | "post" | "post-weblog" | "software" | "dataset" => RefKind::Web,
        _ => return None,
    })
}

pub(super) fn read(text: &str, file: &Path) -> Loaded {
    let mut out = Loaded::default();
    let Some(items) = items(text, file, &mut out.diags) else {
        return out;
    };
    let starts = element_starts(text);
    for (n, item) in items.iter().enumerate() {
        let item_start = starts.get(n).copied().unwrap_or(0);
        let Value::Object(item) = item else {
            let (line, col) = crate::diag::line_col(text, item_start);
            out.diags.push(
                Diagnostic::error(
                    "cite/bad-entry",
                    format!("item {} of the CSL-JSON array is not an object", n + 1),
                )
                .at(file, line, col)
                .hint("each item is an object with at least \"id\", \"type\" and \"title\""),
            );
            continue;
        };
        let o = origin(file, text, id_offset(text, item_start));
        if let Some(r) = reference(item, n, o, &mut out.diags) {
            out.refs.push(r);
        }
    }
    out
}

/// The file's items: a JSON array, or what some tools write instead (a single item, or
/// `{"items": [...]}`).
fn items(text: &str, file: &Path, diags: &mut Vec<Diagnostic>) -> Option<Vec<Value>> {
    let value: Value = match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            diags.push(
                Diagnostic::error(
                    "cite/bibliography-syntax",
                    format!("cannot read the CSL-JSON bibliography: {}", strip_pos(&e)),
                )
                .at(file, e.line(), e.column())
                .hint("export the library again as CSL JSON; the file must be one JSON array of items"),
            );
            return None;
        }
    };
    match value {
        Value::Array(a) => Some(a),
        Value::Object(mut o) => match o.remove("items") {
            Some(Value::Array(a)) => Some(a),
            _ => Some(vec![Value::Object(o)]),
        },
        _ => {
            diags.push(
                Diagnostic::error(
                    "cite/bibliography-syntax",
                    "a CSL-JSON bibliography must be an array of items",
                )
                .at(file, 1, 1)
                .hint("export the library again as CSL JSON"),
            );
            None
        }
    }
}

/// Item `n` (from 0) as a reference placed at `o`, or `None` when it has no id.
fn reference(
    item: &Map<String, Value>,
    n: usize,
    o: Origin,
    diags: &mut Vec<Diagnostic>,
) -> Option<Reference> {
    let file = o.file.as_path();
    let id = item.get("id").and_then(string).unwrap_or_default();
    if id.is_empty() {
        let title = get(item, &["title"]).unwrap_or_default();
        diags.push(
            Diagnostic::error(
                "cite/empty-key",
                format!("CSL-JSON item {} ('{title}') has no \"id\"", n + 1),
            )
            .at(file, o.line, o.column)
            .hint("give every item an \"id\": it is the key pages cite as [@id]"),
        );
        return None;
    }
    let ty = get(item, &["type"]).unwrap_or_default();
    let kind = match kind(&ty) {
        Some(k) => k,
        None => {
            diags.push(unknown_type(file, &o, &id, &ty));
            RefKind::Report
        }
    };
    let mut authors = names(item.get("author"));
    let mut organization = None;
    if authors.len() == 1 {
        if let Some(Value::Array(a)) = item.get("author") {
            if a[0].get("literal").is_some() {
                organization = authors.pop();
            }
        }
    }
    let full = get(item, &["container-title"]);
    let short = get(item, &["container-title-short", "journalAbbreviation"]);
    Some(Reference {
        id,
        kind,
        authors,
        authors_truncated: false,
        organization,
        title: get(item, &["title"]),
        container: short.clone().or_else(|| full.clone()),
        container_full: full,
        editors: names(item.get("editor")),
        edition: get(item, &["edition"]),
        publisher: get(item, &["publisher"]),
        year: year(item.get("issued")),
        volume: get(item, &["volume"]),
        issue: get(item, &["issue"]),
        pages: get(item, &["page"]),
        doi: get(item, &["DOI", "doi"]),
        pmid: get(item, &["PMID", "pmid"]),
        pmcid: get(item, &["PMCID", "pmcid"]),
        isbn: get(item, &["ISBN", "isbn"]),
        url: get(item, &["URL", "url"]),
        accessed: date(item.get("accessed")),
        origin: o,
    })
}

fn strip_pos(e: &serde_json::Error) -> String {
    let s = e.to_string();
    s.split(" at line ").next().unwrap_or(&s).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cite::bib::tests::read_real;

    #[test]
    fn items_with_quirks() {
        let j = r#"[
  {"id": "a1", "type": "article-journal", "title": "T", "container-title": "Journal of Addiction Medicine",
   "container-title-short": "J Addict Med", "author": [{"family": "Hippel", "given": "Paul T.", "non-dropping-particle": "von"}],
   "issued": {"date-parts": [["2021", 7, 7]]}, "volume": 15, "PMID": "32909981", "PMCID": "PMC7900000"},
  {"id": "who", "type": "website", "title": "Fact sheet", "author": [{"literal": "World Health Organization"}],
   "accessed": {"date-parts": [[2026, 11, 2]]}, "URL": "https://www.who.int/"},
  {"id": "odd", "type": "musical_score", "title": "X"},
  {"type": "book", "title": "No id"}
]"#;
        let l = read(j, Path::new("r.json"));
        assert_eq!(l.refs.len(), 3);
        let a = &l.refs[0];
        assert_eq!(a.origin.line, 2);
        assert_eq!(a.authors, vec!["von Hippel PT"]);
        assert_eq!(a.container.as_deref(), Some("J Addict Med"));
        assert_eq!(a.year.as_deref(), Some("2021"));
        assert_eq!(a.volume.as_deref(), Some("15"));
        assert_eq!(a.pmid.as_deref(), Some("32909981"));
        let w = &l.refs[1];
        assert_eq!(w.kind, RefKind::Web);
        assert_eq!(w.organization.as_deref(), Some("World Health Organization"));
        assert_eq!(w.origin.line, 5);
        assert!(w.accessed.is_some());
        let rules: Vec<&str> = l.diags.iter().map(|d| d.rule.as_str()).collect();
        assert_eq!(rules, vec!["cite/unknown-type", "cite/empty-key"]);
        assert_eq!(l.diags[1].line, 8);
    }

    #[test]
    fn syntax_error_position() {
        let l = read(
            "[\n  {\"id\": \"a\",\n  \"title\": }\n]",
            Path::new("r.json"),
        );
        assert_eq!(l.diags[0].rule, "cite/bibliography-syntax");
        assert_eq!(l.diags[0].line, 3);
        assert!(l.diags[0].column > 1);
    }

    #[test]
    fn real_better_bibtex_export() {
        let Some(l) = read_real("csljson_zotero-betterbibtex_sleep-activity-thesis.json") else {
            return;
        };
        assert_eq!(l.refs.len(), 133);
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.refs.iter().filter(|r| r.pmid.is_some()).count(), 78);
        assert_eq!(l.refs.iter().filter(|r| r.pmcid.is_some()).count(), 40);
        assert_eq!(l.refs.iter().filter(|r| r.doi.is_some()).count(), 126);
        assert_eq!(l.refs.iter().filter(|r| r.year.is_none()).count(), 3);
        let a = &l.refs[0];
        assert_eq!(a.id, "aadlandComparison10Accelerometer2018");
        assert_eq!(a.origin.line, 2);
        assert_eq!(a.authors[0], "Aadland E");
        assert_eq!(a.authors[1], "Andersen LB");
        assert_eq!(a.container.as_deref(), Some("BMC Public Health"));
        assert_eq!(a.doi.as_deref(), Some("10.1186/s12889-018-5212-4"));
        // One object per line: each item's line is its position in the array plus one.
        assert_eq!(l.refs[132].origin.line, 134);
        assert!(l
            .refs
            .iter()
            .any(|r| r.authors.iter().any(|a| a.starts_with("von "))));
    }

    #[test]
    fn real_manubot_export() {
        let Some(l) = read_real("csljson_manubot_pediatric-brain-tumor.json") else {
            return;
        };
        assert_eq!(l.refs.len(), 58);
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        assert_eq!(l.refs.iter().filter(|r| r.pmid.is_some()).count(), 49);
        assert_eq!(l.refs.iter().filter(|r| r.year.is_none()).count(), 1);
        let b = &l.refs[0];
        assert_eq!(b.id, "biorxiv:10.1101/2021.07.06.451385");
        assert_eq!(b.origin.line, 3);
        assert_eq!(b.container.as_deref(), Some("bioRxiv"));
        assert_eq!(l.refs.iter().filter(|r| r.kind == RefKind::Web).count(), 1);
        assert_eq!(
            l.refs.iter().filter(|r| r.kind == RefKind::Chapter).count(),
            1
        );
        let lines: Vec<usize> = l.refs.iter().map(|r| r.origin.line).collect();
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
    }
}

#[cfg(test)]
mod scan_tests {
    use super::*;

    #[test]
    fn element_starts_respect_strings_and_nesting() {
        let t = r#"[ {"id": "a", "t": "x}]{"}, 5, "s", {"id": 7} ]"#;
        let s = element_starts(t);
        assert_eq!(s.len(), 4, "{s:?}");
        assert_eq!(&t[s[0]..s[0] + 1], "{");
        assert_eq!(&t[s[1]..s[1] + 1], "5");
        assert_eq!(&t[s[2]..s[2] + 1], "\"");
        assert_eq!(&t[s[3]..s[3] + 1], "{");
        assert_eq!(id_offset(t, s[3]), t.rfind("\"id\"").unwrap());
    }
}
