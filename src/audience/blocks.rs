//! `::: patient caregiver` … `:::` blocks: parts of a page written for some audiences only.
//!
//! A block is a fenced div in the style of pandoc: an opening line of three or more colons
//! followed by audience ids, the block's Markdown, and a closing line of three or more colons.
//! `:::` lines inside code blocks (fenced or indented) and HTML blocks are text, not fences.
//!
//! Selecting a variant works like a preprocessor: the fence lines and the lines of blocks the
//! audience does not see are cut out whole, and every other line is kept byte for byte. Cutting
//! (rather than blanking) keeps Markdown structure intact: a patient-only item in the middle of
//! a list stays in that list, and a clinician-only sentence inside a paragraph leaves one
//! paragraph behind. [`Selected::source_offset`] maps any offset in the selected text back to
//! the body, so later stages (citations, reading level) can still place their diagnostics.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

use crate::config::Config;
use crate::content::Document;
use crate::diag::Diagnostic;
use crate::util::nearest;

/// One audience block of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The ids written on the opening line, each with the byte offset of the id in the body.
    pub audiences: Vec<(String, usize)>,
    /// Byte offset of the opening fence's first colon.
    pub open: usize,
    /// Byte offset of the closing fence's first colon; `None` when the block is never closed.
    pub close: Option<usize>,
    /// The block this one is (wrongly) nested in.
    pub parent: Option<usize>,
}

impl Block {
    pub fn is_for(&self, audience: &str) -> bool {
        self.audiences.iter().any(|(a, _)| a == audience)
    }
}

/// A structural problem found while reading blocks, at a byte offset in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A block opened inside another one (`outer` is the index of the enclosing block).
    Nested { block: usize, outer: usize },
    /// A block still open at the end of the body.
    Unclosed { block: usize },
    /// A bare `:::` line with no block open.
    StrayClose { offset: usize },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum LineKind {
    /// Text, inside the innermost block given (or outside any block).
    Text(Option<usize>),
    /// An opening or closing fence line.
    Fence,
}

/// The body cut into runs of lines, each marked text (with its block) or fence.
#[derive(Debug, Clone, Default)]
pub struct Layout {
    lines: Vec<(Range<usize>, LineKind)>,
    pub blocks: Vec<Block>,
    pub problems: Vec<Problem>,
}

/// A variant's Markdown and where each of its bytes comes from in the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selected {
    pub text: String,
    /// `(offset in text, offset in body, length)`, in order, for each kept run of lines.
    spans: Vec<(usize, usize, usize)>,
}

impl Selected {
    /// The body offset of byte `offset` of the selected text (the end maps to the end of the
    /// last kept line).
    pub fn source_offset(&self, offset: usize) -> usize {
        let i = self.spans.partition_point(|&(out, _, _)| out <= offset);
        match i.checked_sub(1).and_then(|i| self.spans.get(i)) {
            Some(&(out, src, len)) => src + (offset - out).min(len),
            None => offset,
        }
    }
}

/// A fence line: its colon offset within the line and the words after the colons.
struct Fence<'a> {
    colon: usize,
    words: Vec<(&'a str, usize)>,
}

fn parse_fence(line: &str) -> Option<Fence<'_>> {
    let content = line.trim_end_matches(['\n', '\r']);
    let colon = content.len() - content.trim_start_matches([' ', '\t']).len();
    let rest = &content[colon..];
    let n = rest.len() - rest.trim_start_matches(':').len();
    if n < 3 {
        return None;
    }
    let mut words = Vec::new();
    let after = colon + n;
    let tail = &content[after..];
    let mut pos = 0;
    for part in tail.split(|c: char| c.is_whitespace()) {
        let start = pos;
        pos += part.len() + 1;
        // pandoc also writes `{.patient .caregiver}` and allows closing colons on the line.
        let lead = part.len() - part.trim_start_matches(['{', '.']).len();
        let word = part[lead..].trim_end_matches(['}', ':']);
        if !word.is_empty() {
            words.push((word, after + start + lead));
        }
    }
    Some(Fence { colon, words })
}

/// Byte ranges of code blocks and HTML blocks, where `:::` is text.
fn literal_ranges(body: &str) -> Vec<Range<usize>> {
    if !body.contains(":::") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (ev, range) in Parser::new_ext(body, crate::util::markdown_options()).into_offset_iter() {
        if let Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) = ev {
            out.push(range);
        }
    }
    out
}

/// Read the blocks of a body.
pub fn layout(body: &str) -> Layout {
    let literal = literal_ranges(body);
    let mut out = Layout::default();
    let mut open: Option<usize> = None;
    let mut start = 0;
    for line in body.split_inclusive('\n') {
        let range = start..start + line.len();
        start = range.end;
        let fence = parse_fence(line)
            .filter(|f| !literal.iter().any(|r| r.contains(&(range.start + f.colon))));
        let Some(fence) = fence else {
            // Consecutive text lines of one block are one run: a page's layout stays a few
            // entries long (it is kept with the page for the whole build).
            match out.lines.last_mut() {
                Some((r, LineKind::Text(b))) if *b == open && r.end == range.start => {
                    r.end = range.end
                }
                _ => out.lines.push((range, LineKind::Text(open))),
            }
            continue;
        };
        let at = range.start + fence.colon;
        if fence.words.is_empty() {
            match open {
                Some(b) => {
                    out.blocks[b].close = Some(at);
                    open = out.blocks[b].parent;
                }
                None => out.problems.push(Problem::StrayClose { offset: at }),
            }
        } else {
            let index = out.blocks.len();
            out.blocks.push(Block {
                audiences: fence
                    .words
                    .iter()
                    .map(|(w, o)| (w.to_string(), range.start + o))
                    .collect(),
                open: at,
                close: None,
                parent: open,
            });
            if let Some(outer) = open {
                out.problems.push(Problem::Nested {
                    block: index,
                    outer,
                });
            }
            open = Some(index);
        }
        out.lines.push((range, LineKind::Fence));
    }
    for (i, b) in out.blocks.iter().enumerate() {
        if b.close.is_none() {
            out.problems.push(Problem::Unclosed { block: i });
        }
    }
    out
}

impl Layout {
    /// Whether text inside `block` is shown to `audience`: every enclosing block must list it.
    fn visible(&self, mut block: Option<usize>, audience: &str) -> bool {
        while let Some(b) = block.and_then(|b| self.blocks.get(b)) {
            if !b.is_for(audience) {
                return false;
            }
            block = b.parent;
        }
        true
    }

    /// The Markdown `audience` sees, with its map back to the body.
    pub fn select(&self, body: &str, audience: &str) -> Selected {
        let mut sel = Selected::default();
        for (range, kind) in &self.lines {
            let keep = match kind {
                LineKind::Fence => false,
                LineKind::Text(b) => self.visible(*b, audience),
            };
            if !keep {
                continue;
            }
            let out = sel.text.len();
            sel.text.push_str(&body[range.clone()]);
            match sel.spans.last_mut() {
                Some((o, s, len)) if *o + *len == out && *s + *len == range.start => {
                    *len += range.len()
                }
                _ => sel.spans.push((out, range.start, range.len())),
            }
        }
        sel
    }

    /// Whether any line of the body is inside a block.
    pub fn has_blocks(&self) -> bool {
        !self.blocks.is_empty() || !self.problems.is_empty()
    }
}

/// The Markdown `audience` sees of `body`, with the map back to the body's offsets.
pub fn select_mapped(body: &str, audience: &str) -> Selected {
    layout(body).select(body, audience)
}

/// Every audience-block problem of a page, at its line and column.
pub fn check(doc: &Document, config: &Config) -> Vec<Diagnostic> {
    check_with(doc, &layout(doc.body()), config)
}

/// [`check`] with the page's blocks already read.
pub fn check_with(doc: &Document, lay: &Layout, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let pos = |o: usize| doc.body_pos(o);
    let ids = config.audience_ids();
    for b in &lay.blocks {
        for (id, offset) in &b.audiences {
            let (l, c) = pos(*offset);
            if config.audience(id).is_none() {
                let hint = match nearest(id, ids.iter().copied()) {
                    Some(n) => format!(
                        "did you mean '{n}'? careguide.toml configures: {}",
                        ids.join(", ")
                    ),
                    None => format!("careguide.toml configures: {}", ids.join(", ")),
                };
                out.push(
                    Diagnostic::error(
                        "audience/unknown",
                        format!("unknown audience '{id}' in an audience block"),
                    )
                    .at(&doc.file, l, c)
                    .hint(hint),
                );
            } else if !doc.audiences.iter().any(|a| a == id) {
                out.push(
                    Diagnostic::error(
                        "audience/not-on-page",
                        format!("block for '{id}', but the page is not written for '{id}'"),
                    )
                    .at(&doc.file, l, c)
                    .hint(format!(
                        "the page's audiences are: {}; add '{id}' to `audiences:` in the front matter, or remove it from the block",
                        doc.audiences.join(", ")
                    )),
                );
            }
        }
    }
    for p in &lay.problems {
        let d = match p {
            Problem::Nested { block, outer } => {
                let (l, c) = pos(lay.blocks[*block].open);
                let (ol, _) = pos(lay.blocks[*outer].open);
                Diagnostic::error(
                    "audience/nested",
                    "an audience block cannot be inside another audience block",
                )
                .at(&doc.file, l, c)
                .hint(format!(
                    "close the block opened at line {ol} with a ':::' line before opening this one; list several audiences on one line instead (`::: patient caregiver`)"
                ))
            }
            Problem::Unclosed { block } => {
                let (l, c) = pos(lay.blocks[*block].open);
                Diagnostic::error("audience/unclosed", "this audience block is never closed")
                    .at(&doc.file, l, c)
                    .hint("end the block with a line holding only ':::'")
            }
            Problem::StrayClose { offset } => {
                let (l, c) = pos(*offset);
                Diagnostic::error("audience/stray-close", "':::' closes no audience block")
                    .at(&doc.file, l, c)
                    .hint("an audience block opens with ':::' and one or more audience ids, like `::: patient caregiver`; delete this line if no block is meant")
            }
        };
        out.push(d);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sel(body: &str, a: &str) -> String {
        select_mapped(body, a).text
    }

    const PAGE: &str = "Intro for all.\n\n::: patient caregiver\nYour clinic will lower your dose.\n:::\n\n::: clinician\nConsider buprenorphine [@weiss2021].\n:::\n\nEnd.\n";

    #[test]
    fn each_audience_sees_its_blocks_only() {
        assert_eq!(
            sel(PAGE, "patient"),
            "Intro for all.\n\nYour clinic will lower your dose.\n\n\nEnd.\n"
        );
        assert_eq!(
            sel(PAGE, "clinician"),
            "Intro for all.\n\n\nConsider buprenorphine [@weiss2021].\n\nEnd.\n"
        );
        assert!(layout(PAGE).problems.is_empty());
    }

    #[test]
    fn offsets_map_back_to_the_body() {
        let s = select_mapped(PAGE, "clinician");
        let at = s.text.find("[@weiss2021]").unwrap();
        assert_eq!(s.source_offset(at), PAGE.find("[@weiss2021]").unwrap());
        let end = s.text.find("End").unwrap();
        assert_eq!(s.source_offset(end), PAGE.find("End").unwrap());
        assert_eq!(s.source_offset(0), 0);
    }

    #[test]
    fn a_hidden_list_item_keeps_the_list_tight() {
        let body = "- one\n::: clinician\n- two\n:::\n- three\n";
        let p = sel(body, "patient");
        assert_eq!(p, "- one\n- three\n");
        let html = crate::render::markdown::render(&p, &[]).html;
        assert_eq!(html.matches("<ul>").count(), 1);
        assert!(!html.contains("<p>"), "{html}");
        let c = sel(body, "clinician");
        let html = crate::render::markdown::render(&c, &[]).html;
        assert_eq!(html.matches("<li>").count(), 3);
        assert!(!html.contains("<p>"), "{html}");
    }

    #[test]
    fn fences_inside_code_are_text() {
        let body = "```markdown\n::: patient\nexample\n:::\n```\n\n    :::\n";
        let lay = layout(body);
        assert!(lay.blocks.is_empty());
        assert!(lay.problems.is_empty());
        assert_eq!(sel(body, "clinician"), body);
    }

    #[test]
    fn code_inside_a_block_is_hidden_with_it() {
        let body = "::: clinician\n```\n:::\n```\n:::\nafter\n";
        let lay = layout(body);
        assert!(lay.problems.is_empty(), "{:?}", lay.problems);
        assert_eq!(sel(body, "patient"), "after\n");
        assert_eq!(sel(body, "clinician"), "```\n:::\n```\nafter\n");
    }

    #[test]
    fn pandoc_attribute_form_and_indented_fences() {
        let body = "1. Step\n   ::: {.clinician}\n   detail\n   :::::\n2. Next\n";
        assert_eq!(sel(body, "patient"), "1. Step\n2. Next\n");
        assert_eq!(sel(body, "clinician"), "1. Step\n   detail\n2. Next\n");
    }

    #[test]
    fn problems_are_found() {
        let lay = layout("::: patient\na\n::: clinician\nb\n:::\n:::\n:::\n::: caregiver\nc\n");
        assert_eq!(
            lay.problems,
            vec![
                Problem::Nested { block: 1, outer: 0 },
                Problem::StrayClose { offset: 38 },
                Problem::Unclosed { block: 2 },
            ]
        );
        // Nested content is shown only to audiences of every enclosing block.
        let lay = layout("::: patient\n::: clinician\nb\n:::\n:::\n");
        assert_eq!(
            lay.select("::: patient\n::: clinician\nb\n:::\n:::\n", "patient")
                .text,
            ""
        );
    }

    #[test]
    fn blocks_hold_tables_lists_and_citations() {
        let body = "Shared [@a].\n\n::: clinician\n| Drug | Dose |\n|---|---|\n| clonidine | 0.1 mg [@b] |\n\n1. First\n2. Second\n:::\n";
        let c = sel(body, "clinician");
        let html = crate::render::markdown::render(&c, &[]).html;
        assert!(html.contains("<table>") && html.contains("<ol>"), "{html}");
        let keys = |t: &str| -> Vec<String> {
            crate::cite::scan::scan(t)
                .groups
                .iter()
                .flat_map(|g| g.items.iter().map(|i| i.key.clone()))
                .collect()
        };
        assert_eq!(keys(&c), vec!["a", "b"]);
        // The patient's variant does not see the clinician's citation at all.
        assert_eq!(keys(&sel(body, "patient")), vec!["a"]);
    }

    #[test]
    fn crlf_lines() {
        let body = "a\r\n::: clinician\r\nb\r\n:::\r\nc\r\n";
        assert_eq!(sel(body, "patient"), "a\r\nc\r\n");
    }
}

#[cfg(test)]
mod check_tests {
    use super::*;
    use crate::audience::testutil::{config, page, REVIEW};

    fn rules(body: &str, front: &str) -> Vec<(String, usize, usize, String)> {
        let doc = page(&format!("{front}{REVIEW}"), body);
        check(&doc, &config())
            .into_iter()
            .map(|d| (d.rule, d.line, d.column, d.hint.unwrap_or_default()))
            .collect()
    }

    // The test page's front matter is 7 lines plus extra ones; the body starts on line 8.
    #[test]
    fn clean_page_has_no_findings() {
        assert!(rules("::: patient caregiver\nx\n:::\n", "").is_empty());
    }

    #[test]
    fn unknown_audience_with_nearest_hint() {
        let r = rules("text\n\n::: patient clinican\nx\n:::\n", "");
        assert_eq!(r.len(), 1);
        assert_eq!(
            (r[0].0.as_str(), r[0].1, r[0].2),
            ("audience/unknown", 10, 13)
        );
        assert!(r[0].3.contains("did you mean 'clinician'"), "{}", r[0].3);
    }

    #[test]
    fn unclosed_nested_and_stray() {
        let r = rules("::: patient\na\n  ::: clinician\nb\n", "");
        let got: Vec<_> = r.iter().map(|x| (x.0.as_str(), x.1, x.2)).collect();
        assert_eq!(
            got,
            vec![
                ("audience/nested", 10, 3),
                ("audience/unclosed", 8, 1),
                ("audience/unclosed", 10, 3),
            ]
        );
        let r = rules("a\n:::\n", "");
        assert_eq!((r[0].0.as_str(), r[0].1), ("audience/stray-close", 9));
    }

    #[test]
    fn block_for_an_audience_the_page_does_not_list() {
        let r = rules(
            "::: patient clinician\nx\n:::\n",
            "audiences: [patient, caregiver]\n",
        );
        assert_eq!(r.len(), 1);
        assert_eq!(
            (r[0].0.as_str(), r[0].1, r[0].2),
            ("audience/not-on-page", 9, 13)
        );
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    fn line() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("::: patient".to_string()),
            Just("::: clinician caregiver".to_string()),
            Just(":::".to_string()),
            Just("```".to_string()),
            Just("    ::: patient".to_string()),
            Just(String::new()),
            Just("- item".to_string()),
            "[a-zé :@\\[\\]]{0,12}",
        ]
    }

    proptest! {
        #[test]
        fn every_kept_byte_maps_to_the_same_byte_of_the_body(
            lines in proptest::collection::vec(line(), 0..24),
            crlf in any::<bool>(),
            audience in prop_oneof![Just("patient"), Just("caregiver"), Just("clinician")],
        ) {
            let body = lines.join(if crlf { "\r\n" } else { "\n" });
            let s = select_mapped(&body, audience);
            for (i, b) in s.text.bytes().enumerate() {
                prop_assert_eq!(body.as_bytes()[s.source_offset(i)], b);
            }
            // Selection keeps whole lines, and never shows a fence line.
            for l in s.text.lines() {
                prop_assert!(body.lines().any(|x| x == l));
            }
            let lay = layout(&body);
            if lay.problems.is_empty() && !body.contains("```") && !body.contains("    :::") {
                prop_assert!(!s.text.lines().any(|l| l.trim_start().starts_with(":::")));
            }
        }
    }
}
