//! The uncited-claim rule: paragraphs and list items that state something with no citation,
//! on pages that cite sources, outside the clinic's declared practice.

use crate::config::Config;
use crate::content::Document;
use crate::diag::Diagnostic;

/// The rule name of [`uncited_claims`].
pub const UNCITED_CLAIM: &str = "cite/uncited-claim";

/// Paragraphs and list items with no citation at all, so reviewers see which statements carry
/// no evidence. A warning by default; `[rules] "cite/uncited-claim" = "off"` turns it off. It
/// runs only on pages that cite sources. Short
/// lines (under six words), lines introducing a list (ending in ':') and the clinic's declared
/// practice (`::: {.practice}` … `:::`) are not claims.
pub fn uncited_claims(doc: &Document, config: &Config) -> Vec<Diagnostic> {
    use crate::config::RuleLevel;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    if let Some(RuleLevel::Off) = config.rules.get(UNCITED_CLAIM) {
        return Vec::new();
    }
    if doc.references.is_empty() && doc.front.bibliography.is_empty() {
        return Vec::new();
    }
    let body = doc.body();
    let mut units: Vec<std::ops::Range<usize>> = Vec::new();
    // Open list items: (start offset, has a nested list).
    let mut items: Vec<(usize, bool)> = Vec::new();
    let mut in_table = 0usize;
    let opts = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    for (ev, range) in Parser::new_ext(body, opts).into_offset_iter() {
        match ev {
            Event::Start(Tag::Table(_)) => in_table += 1,
            Event::End(TagEnd::Table) => in_table = in_table.saturating_sub(1),
            Event::Start(Tag::Item) => items.push((range.start, false)),
            Event::Start(Tag::List(_)) => {
                if let Some(parent) = items.last_mut() {
                    parent.1 = true;
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some((start, nested)) = items.pop() {
                    if !nested {
                        units.push(start..range.end);
                    }
                }
            }
            Event::Start(Tag::Paragraph) if items.is_empty() && in_table == 0 => {
                units.push(range);
            }
            _ => {}
        }
    }
    // The clinic's declared practice (`::: {.practice}`) needs no citation.
    let practice = if body.contains(":::") {
        crate::audience::blocks::layout(body).practice_text()
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    for u in units {
        let text = &body[u.clone()];
        // Fence lines (`::: patient`, `::: {.note}`) and practice are not part of the statement.
        let mut start = u.start;
        let mut kept = String::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let at = u.start + offset;
            if line.trim_start().starts_with(":::") || practice.iter().any(|r| r.contains(&at)) {
                if kept.is_empty() {
                    start = u.start + offset + line.len();
                }
            } else {
                kept.push_str(line);
            }
            offset += line.len();
        }
        let claim = kept.trim();
        if claim.ends_with(':') || !crate::cite::scan::scan(claim).groups.is_empty() {
            continue;
        }
        let words = claim
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .count();
        if words < 6 {
            continue;
        }
        let lead_ws = body[start..].len() - body[start..].trim_start().len();
        let (line, col) = doc.body_pos(start + lead_ws);
        let first: String = claim
            .trim_start_matches(['-', '*', '+', ' '])
            .chars()
            .take(50)
            .collect();
        out.push(
            Diagnostic::warning(
                UNCITED_CLAIM,
                format!("no citation for the statement \"{}...\"", first.trim_end()),
            )
            .at(&doc.file, line, col)
            .hint("cite the source that supports it, as [@key]; statements of the clinic's own practice may stay uncited"),
        );
    }
    out
}
