//! `::: patient caregiver` … `:::` blocks: parts of a page written for some audiences only;
//! and `::: {.note}`, `{.warning}`, `{.urgent}` and `{.practice}` callouts.
//!
//! A block is a fenced div in the style of pandoc: an opening line of three or more colons
//! followed by audience ids (or callout classes), the block's Markdown, and a closing line of
//! three or more colons, which closes the innermost open block. `:::` lines inside code blocks
//! (fenced or indented) and HTML blocks are text, not fences.
//!
//! A callout may hold audience blocks and sit inside one, and callouts nest; an audience block
//! may not be inside another audience block, callouts between them or not. The boxed callouts
//! (note, warning, urgent) keep their fence lines in every audience's Markdown, so the HTML and
//! PDF renderers can draw the box ([`mark_callouts`]); a callout whose text an audience does
//! not see is left out whole. `{.practice}` marks the clinic's own practice: its fences are cut
//! like an audience block's, its text reads as ordinary text, the uncited-claim rule passes
//! over it and the editorial report lists it ([`practice_passages`]). `{.warning .practice}`
//! is a warning box whose text is declared practice.
//!
//! Selecting a variant works like a preprocessor: the fence lines and the lines of blocks the
//! audience does not see are cut out whole, and every other line is kept byte for byte. Cutting
//! (rather than blanking) keeps Markdown structure intact: a patient-only item in the middle of
//! a list stays in that list, and a clinician-only sentence inside a paragraph leaves one
//! paragraph behind. [`Selected::source_offset`] maps any offset in the selected text back to
//! the body, so later stages (citations, reading level) can still place their diagnostics.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

use crate::cite::scan::Scan;
use crate::config::Config;
use crate::content::Document;
use crate::diag::Diagnostic;
use crate::types::AudienceId;
use crate::util::nearest;

mod check;
mod marks;

pub use check::{check, check_with};
pub use marks::{
    blank_callout_fences, mark_callouts, practice_passages, Mark, Marked, Practice,
    PRACTICE_EXCERPT,
};

/// The callout classes a `:::` line can give, in the order hints list them.
pub const CALLOUT_CLASSES: &[&str] = &["note", "warning", "urgent", "practice"];

/// How a boxed callout looks and is announced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Boxed {
    /// Something worth knowing (`{.note}`).
    Note,
    /// When to call the clinic, what not to do (`{.warning}`).
    Warning,
    /// Call the emergency number (`{.urgent}`).
    Urgent,
}

impl Boxed {
    fn from_class(class: &str) -> Option<Boxed> {
        match class {
            "note" => Some(Boxed::Note),
            "warning" => Some(Boxed::Warning),
            "urgent" => Some(Boxed::Urgent),
            _ => None,
        }
    }

    /// The class written on the fence (`warning`).
    pub fn class(self) -> &'static str {
        match self {
            Boxed::Note => "note",
            Boxed::Warning => "warning",
            Boxed::Urgent => "urgent",
        }
    }

    /// The label shown at the top of the box, on the web page and in PDFs alike.
    pub fn label(self) -> &'static str {
        match self {
            Boxed::Note => "Note",
            Boxed::Warning => "Important",
            Boxed::Urgent => "Emergency",
        }
    }
}

/// What a callout's classes make of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Callout {
    /// The box it is drawn in; `None` for plain `{.practice}`.
    pub boxed: Option<Boxed>,
    /// Declared practice of the clinic (`.practice`).
    pub practice: bool,
}

impl Callout {
    /// The callout the classes of a fence make, the first box class winning (a second one is
    /// an error [`check_with`] reports).
    fn of<'a>(classes: impl IntoIterator<Item = &'a str>) -> Callout {
        let mut c = Callout::default();
        for class in classes {
            if class == "practice" {
                c.practice = true;
            } else if c.boxed.is_none() {
                c.boxed = Boxed::from_class(class);
            }
        }
        c
    }
}

fn is_class(word: &str) -> bool {
    CALLOUT_CLASSES.contains(&word)
}

/// One audience block or callout of a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The ids written on the opening line, each with the byte offset of the id in the body;
    /// on a callout's line, the words that are not callout classes (each an error).
    pub audiences: Vec<(String, usize)>,
    /// The callout classes written on the opening line, with their offsets; none for an
    /// audience block.
    pub classes: Vec<(String, usize)>,
    /// Byte offset of the opening fence's first colon.
    pub open: usize,
    /// Byte offset of the closing fence's first colon; `None` when the block is never closed.
    pub close: Option<usize>,
    /// The block this one is (wrongly) nested in.
    pub parent: Option<usize>,
}

impl Block {
    /// Whether the block shows its text to `audience`: a callout shows it to all.
    pub fn is_for(&self, audience: &str) -> bool {
        self.callout().is_some() || self.audiences.iter().any(|(a, _)| a == audience)
    }

    /// What the block is as a callout; `None` for an audience block.
    pub fn callout(&self) -> Option<Callout> {
        if self.classes.is_empty() {
            None
        } else {
            Some(Callout::of(self.classes.iter().map(|(c, _)| c.as_str())))
        }
    }
}

/// A structural problem found while reading blocks, at a byte offset in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// An audience block opened inside another one (`outer` is the index of the enclosing
    /// audience block; callouts may stand between them).
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
    /// An opening or closing fence line of an audience block (or a stray one): always cut.
    Fence,
    /// An opening or closing fence line of the given callout.
    CalloutFence(usize),
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
    if !may_have_blocks(body) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (ev, range) in Parser::new_ext(body, crate::util::markdown_options()).into_offset_iter() {
        literal_range(&ev, &range, &mut out);
    }
    out
}

/// Whether `body` may have a block at all: [`layout`] reads no events of a body without.
pub fn may_have_blocks(body: &str) -> bool {
    body.contains(":::")
}

/// Keeps `range` in `out` when `ev` starts a code block or an HTML block: the events
/// [`layout_in`] needs, from a parse with [`crate::util::markdown_options`].
pub fn literal_range(ev: &Event, range: &Range<usize>, out: &mut Vec<Range<usize>>) {
    if let Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock) = ev {
        out.push(range.clone());
    }
}

/// Read the blocks of a body.
pub fn layout(body: &str) -> Layout {
    layout_in(body, literal_ranges(body))
}

/// [`layout`] with the ranges of the body's code and HTML blocks already read from its events
/// ([`literal_range`]; one parse shared with another reader of the body).
pub fn layout_in(body: &str, literal: Vec<Range<usize>>) -> Layout {
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
        let kind = if fence.words.is_empty() {
            match open {
                Some(b) => {
                    out.blocks[b].close = Some(at);
                    open = out.blocks[b].parent;
                    out.fence_kind(b)
                }
                None => {
                    out.problems.push(Problem::StrayClose { offset: at });
                    LineKind::Fence
                }
            }
        } else {
            let index = out.blocks.len();
            let (classes, audiences): (Vec<_>, Vec<_>) = fence
                .words
                .iter()
                .map(|(w, o)| (w.to_string(), range.start + o))
                .partition(|(w, _)| is_class(w));
            out.blocks.push(Block {
                audiences,
                classes,
                open: at,
                close: None,
                parent: open,
            });
            if out.blocks[index].callout().is_none() {
                if let Some(outer) = out.audience_around(open) {
                    out.problems.push(Problem::Nested {
                        block: index,
                        outer,
                    });
                }
            }
            open = Some(index);
            out.fence_kind(index)
        };
        out.lines.push((range, kind));
    }
    for (i, b) in out.blocks.iter().enumerate() {
        if b.close.is_none() {
            out.problems.push(Problem::Unclosed { block: i });
        }
    }
    out
}

impl Layout {
    fn fence_kind(&self, block: usize) -> LineKind {
        match self.blocks.get(block).and_then(Block::callout) {
            Some(_) => LineKind::CalloutFence(block),
            None => LineKind::Fence,
        }
    }

    /// The innermost audience block at or around `block`.
    fn audience_around(&self, mut block: Option<usize>) -> Option<usize> {
        while let Some(b) = block {
            let it = self.blocks.get(b)?;
            if it.callout().is_none() {
                return Some(b);
            }
            block = it.parent;
        }
        None
    }

    /// Whether any callout is among the blocks.
    pub fn has_callouts(&self) -> bool {
        self.blocks.iter().any(|b| b.callout().is_some())
    }

    /// For each block, whether it is a boxed callout with text `audience` sees (a box with
    /// nothing in it is left out); empty when the body has no callouts.
    fn boxes_shown(&self, body: &str, audience: &str) -> Vec<bool> {
        let mut shown = Vec::new();
        if !self.has_callouts() {
            return shown;
        }
        shown.resize(self.blocks.len(), false);
        for (range, kind) in &self.lines {
            let LineKind::Text(b) = kind else { continue };
            if body[range.clone()].trim().is_empty() || !self.visible(*b, audience) {
                continue;
            }
            let mut at = *b;
            while let Some(i) = at {
                let Some(block) = self.blocks.get(i) else {
                    break;
                };
                if block.callout().is_some_and(|c| c.boxed.is_some()) {
                    if shown[i] {
                        break;
                    }
                    shown[i] = true;
                }
                at = block.parent;
            }
        }
        shown
    }

    /// Whether text inside `block` is shown to `audience`: every enclosing audience block must
    /// list it.
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
        let boxes = self.boxes_shown(body, audience);
        for (range, kind) in &self.lines {
            let keep = match kind {
                LineKind::Fence => false,
                LineKind::Text(b) => self.visible(*b, audience),
                LineKind::CalloutFence(b) => {
                    boxes.get(*b).copied().unwrap_or(false) && self.visible(Some(*b), audience)
                }
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

/// Every audience's selection of a page's body, with the citations of each distinct text
/// scanned once: the reading level and the variants both read them
/// ([`model::Resolved::selections`](crate::model::Resolved)).
#[derive(Debug, Clone, Default)]
pub struct Selections {
    /// Each audience's own selection (its own map back to the body) and its text's scan.
    each: Vec<(AudienceId, Selected, usize)>,
    scans: Vec<Scan>,
}

impl Selections {
    /// The selections of `audiences`; `body_scan` is the whole body's scan, the scan of a
    /// selection that is the whole body.
    pub fn new(lay: &Layout, body: &str, audiences: &[AudienceId], body_scan: &Scan) -> Self {
        let mut out = Selections::default();
        for a in audiences {
            let selected = lay.select(body, a);
            let same = out.each.iter().find(|(_, s, _)| s.text == selected.text);
            let scan = match same {
                Some(&(_, _, i)) => i,
                None => {
                    out.scans.push(if selected.text == body {
                        body_scan.clone()
                    } else {
                        crate::cite::scan::scan(&selected.text)
                    });
                    out.scans.len() - 1
                }
            };
            out.each.push((a.clone(), selected, scan));
        }
        out
    }

    /// The selections of a page's audiences, its body read from the start (for a caller
    /// without a resolved page: `check`, tests).
    pub fn read(doc: &Document) -> Self {
        let body = doc.body();
        let scan = crate::cite::scan::scan(body);
        Selections::new(&layout(body), body, &doc.audiences, &scan)
    }

    /// Each audience's selection and its citations, in the order the audiences were given.
    pub fn iter(&self) -> impl Iterator<Item = (&AudienceId, &Selected, &Scan)> {
        self.each
            .iter()
            .map(|(a, sel, i)| (a, sel, &self.scans[*i]))
    }

    /// `audience`'s selection and its citations, if it is one of the page's audiences.
    pub fn get(&self, audience: &str) -> Option<(&Selected, &Scan)> {
        self.iter()
            .find(|(a, _, _)| a.as_str() == audience)
            .map(|(_, sel, scan)| (sel, scan))
    }
}

/// The Markdown `audience` sees of `body`, with the map back to the body's offsets.
pub fn select_mapped(body: &str, audience: &str) -> Selected {
    layout(body).select(body, audience)
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
    fn callouts_nest_both_ways_and_keep_their_fences() {
        // A callout holding an audience block, inside which... and one inside an audience block.
        let body = "::: {.warning}\nAll.\n::: clinician\nDose.\n:::\n:::\n::: patient\n::: {.note}\nNote.\n:::\n:::\n";
        let lay = layout(body);
        assert!(lay.problems.is_empty(), "{:?}", lay.problems);
        assert_eq!(lay.blocks.len(), 4);
        assert_eq!(lay.blocks[1].parent, Some(0));
        assert_eq!(lay.blocks[3].parent, Some(2));
        // `:::` closes the innermost block: the audience block, then the callout.
        assert_eq!(lay.blocks[1].close, Some(body.find(":::\n:::").unwrap()));
        assert_eq!(
            lay.blocks[0].callout(),
            Some(Callout {
                boxed: Some(Boxed::Warning),
                practice: false
            })
        );
        assert_eq!(sel(body, "clinician"), "::: {.warning}\nAll.\nDose.\n:::\n");
        assert_eq!(
            sel(body, "patient"),
            "::: {.warning}\nAll.\n:::\n::: {.note}\nNote.\n:::\n"
        );
    }

    #[test]
    fn an_audience_block_in_an_audience_block_through_a_callout_is_nested() {
        let lay = layout("::: patient\n::: {.note}\n::: clinician\nx\n:::\n:::\n:::\n");
        assert_eq!(lay.problems, vec![Problem::Nested { block: 2, outer: 0 }]);
        let lay = layout("::: {.note}\n::: {.urgent}\nx\n:::\n");
        assert_eq!(lay.problems, vec![Problem::Unclosed { block: 0 }]);
    }

    #[test]
    fn practice_fences_are_cut_and_empty_boxes_left_out() {
        let body =
            "a\n::: {.practice}\nb\n:::\n::: {.note .practice}\n::: clinician\nc\n:::\n:::\n";
        assert_eq!(sel(body, "patient"), "a\nb\n");
        assert_eq!(
            sel(body, "clinician"),
            "a\nb\n::: {.note .practice}\nc\n:::\n"
        );
        let lay = layout(body);
        let practice: Vec<&str> = lay
            .practice_text()
            .iter()
            .map(|r| &body[r.clone()])
            .collect();
        assert_eq!(practice, ["b\n", "c\n"]);
    }

    #[test]
    fn marked_callouts_and_blanked_fences() {
        let md = "x\n  ::: {.urgent}\r\n  y\n  :::\n";
        let m = mark_callouts(md).unwrap();
        assert_eq!(m.text, "x\n  <!-- callout -->\r\n  y\n  <!-- callout -->\n");
        let open = m.text.find("<!--").unwrap();
        assert_eq!(
            m.at(open),
            Some(Mark::Open(Callout {
                boxed: Some(Boxed::Urgent),
                practice: false
            }))
        );
        assert_eq!(m.at(m.text.rfind("<!--").unwrap()), Some(Mark::Close));
        assert_eq!(m.at(0), None);
        assert!(mark_callouts("::: patient\nx\n:::\n").is_none());
        let blank = blank_callout_fences(md.to_string());
        assert_eq!(blank.len(), md.len());
        assert_eq!(blank, "x\n               \r\n  y\n     \n");
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

    /// The line index places every offset (multi-byte characters and CR LF among them) as a
    /// pass from the start does.
    #[test]
    fn places_are_the_body_positions() {
        let doc = page(REVIEW, "é\r\n::: patiënt\n\nx ü\n\n:::\nlast");
        let places = check::Places::new(&doc);
        for o in 0..=doc.body().len() + 2 {
            assert_eq!(places.pos(o), doc.body_pos(o), "offset {o}");
        }
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
    fn callout_problems_at_their_line_with_a_hint() {
        // An unknown class, at its own line and column, with the nearest class.
        let r = rules("text\n\n::: {.warnig}\nx\n:::\n", "");
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(
            (r[0].0.as_str(), r[0].1, r[0].2),
            ("callout/unknown", 10, 7)
        );
        assert!(r[0].3.contains("did you mean 'warning'"), "{}", r[0].3);
        // Beside a known class.
        let r = rules("::: {.note .praktice}\nx\n:::\n", "");
        assert_eq!(
            (r[0].0.as_str(), r[0].1, r[0].2),
            ("callout/unknown", 8, 13)
        );
        assert!(r[0].3.contains("did you mean 'practice'"), "{}", r[0].3);
        // An audience on a callout's line; two boxes.
        let r = rules(
            "::: {.note .patient}\nx\n:::\n::: {.note .urgent}\ny\n:::\n",
            "",
        );
        let got: Vec<_> = r.iter().map(|x| (x.0.as_str(), x.1, x.2)).collect();
        assert_eq!(got, [("callout/mixed", 8, 13), ("callout/classes", 11, 13)]);
        // Unclosed, and an audience block in an audience block through a callout.
        let r = rules(
            "::: patient\n::: {.warning}\n::: clinician\nx\n:::\n:::\n:::\n\n::: {.note}\ny\n",
            "",
        );
        let got: Vec<_> = r.iter().map(|x| (x.0.as_str(), x.1, x.2)).collect();
        assert_eq!(
            got,
            [("audience/nested", 10, 1), ("callout/unclosed", 16, 1)]
        );
        assert!(
            r[0].3.contains(
                "the callout opened at line 9 is inside the audience block opened at line 8"
            ),
            "{}",
            r[0].3
        );
        // A clean page with callouts has no findings.
        assert!(rules("::: {.urgent}\n::: patient\nx\n:::\n:::\n", "").is_empty());
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
            Just("::: {.warning}".to_string()),
            Just("::: {.practice}".to_string()),
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
                // Only boxed callouts keep their fences, each open one closed.
                let fences: Vec<&str> = s
                    .text
                    .lines()
                    .map(str::trim)
                    .filter(|l| l.starts_with(":::"))
                    .collect();
                let known = fences.iter().all(|l| *l == ":::" || *l == "::: {.warning}");
                prop_assert!(known, "{:?}", fences);
                let opens = fences.iter().filter(|l| **l != ":::").count();
                prop_assert_eq!(opens * 2, fences.len());
                // Blanking them keeps every offset.
                let blank = blank_callout_fences(s.text.clone());
                prop_assert_eq!(blank.len(), s.text.len());
                // No fence line is left; ":::" inside a line of text ("a:::") is text.
                prop_assert!(!blank.lines().any(|l| l.trim_start().starts_with(":::")), "{:?}", blank);
            }
        }
    }
}
