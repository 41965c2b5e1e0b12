//! Stage 3: checking a page's citations against the references it can cite.

use std::collections::BTreeMap;

use crate::cite::scan::{Misplaced, Scan};
use crate::cite::Reference;
use crate::config::Config;
use crate::content::{nearest, Document};
use crate::diag::Diagnostic;

/// Where a scanned text sits in the page's file.
pub enum Place<'a> {
    /// The Markdown body: scan offsets are body offsets.
    Body,
    /// A front matter value (the summary): offsets are found by searching the YAML for the key.
    FrontMatter { key: &'a str },
}

fn position(doc: &Document, place: &Place, offset: usize, needle: &str) -> (usize, usize) {
    match place {
        Place::Body => doc.body_pos(offset),
        Place::FrontMatter { key } => {
            let yaml = doc.yaml();
            let key_at = yaml.find(&format!("{key}:")).unwrap_or(0);
            match yaml[key_at..].find(needle) {
                Some(o) => {
                    let (l, c) = crate::diag::line_col(yaml, key_at + o);
                    (l + doc.yaml_line - 1, c)
                }
                None => (doc.key_line(key), 1),
            }
        }
    }
}

/// Check every citation in `scan` (the text at `place`) against `refs`. Returns the findings;
/// `cited` collects every key that was cited.
pub fn check_citations(
    doc: &Document,
    place: Place,
    text: &str,
    scan: &Scan,
    refs: &BTreeMap<String, Reference>,
    config: &Config,
    cited: &mut std::collections::BTreeSet<String>,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for m in &scan.malformed {
        let snippet: String = text[m.offset..].chars().take(12).collect();
        let (l, c) = position(doc, &place, m.offset, &snippet);
        out.push(
            Diagnostic::error("cite/malformed", m.message.clone())
                .at(&doc.file, l, c)
                .hint(m.hint.clone()),
        );
    }
    for g in &scan.groups {
        if let Some(where_) = g.misplaced {
            let (l, c) = position(doc, &place, g.range.start, &text[g.range.clone()]);
            let what = match where_ {
                Misplaced::Heading => "a heading",
                Misplaced::LinkText => "link text",
            };
            out.push(
                Diagnostic::error("cite/misplaced", format!("citation inside {what}"))
                    .at(&doc.file, l, c)
                    .hint("cite in the sentence that makes the claim, not in headings or links"),
            );
        }
        for it in &g.items {
            cited.insert(it.key.clone());
            if refs.contains_key(&it.key) {
                continue;
            }
            let (l, c) = position(doc, &place, it.offset, &format!("@{}", it.key));
            let hint = match nearest(&it.key, refs.keys().map(String::as_str)) {
                Some(n) => format!("did you mean [@{n}]?"),
                None if refs.is_empty() => {
                    "this page defines no references: add them under `references:` or name a file in `bibliography:`".to_string()
                }
                None => format!(
                    "define '{}' under `references:` or in a bibliography file; this page can cite: {}",
                    it.key,
                    refs.keys().take(8).cloned().collect::<Vec<_>>().join(", ")
                ),
            };
            out.push(
                Diagnostic::error(
                    "cite/unknown-key",
                    format!("no reference with the id '{}'", it.key),
                )
                .at(&doc.file, l, c)
                .hint(hint),
            );
        }
    }
    out.into_iter()
        .filter_map(|d| config.apply_level(d))
        .collect()
}

/// References defined on the page (inline) that nothing on the page cites.
pub fn uncited(
    doc: &Document,
    cited: &std::collections::BTreeSet<String>,
    config: &Config,
) -> Vec<Diagnostic> {
    doc.references
        .iter()
        .filter(|r| !cited.contains(&r.id))
        .filter_map(|r| {
            config.apply_level(
                Diagnostic::warning(
                    "cite/uncited-reference",
                    format!("reference '{}' is never cited on this page", r.id),
                )
                .at(&r.origin.file, r.origin.line, r.origin.column)
                .hint(format!(
                    "cite it as [@{}] where it supports a statement, or remove it",
                    r.id
                )),
            )
        })
        .collect()
}
