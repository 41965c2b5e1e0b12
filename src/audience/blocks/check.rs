//! The diagnostics of a page's blocks: an unknown audience or callout class, a block left
//! open, an audience block inside another, each at its line and column with a hint.

use super::*;

/// Every audience-block problem of a page, at its line and column.
pub fn check(doc: &Document, config: &Config) -> Vec<Diagnostic> {
    check_with(doc, &layout(doc.body()), config)
}

/// [`check`] with the page's blocks already read.
pub fn check_with(doc: &Document, lay: &Layout, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let at = Places::new(doc);
    for b in &lay.blocks {
        if b.callout().is_some() {
            out.extend(callout_words(doc, &at, b, config));
        } else {
            out.extend(audience_words(doc, &at, b, config));
        }
    }
    for p in &lay.problems {
        out.push(problem(doc, &at, lay, p));
    }
    out
}

/// Line and column of offsets into a page's body, from the starts of its lines, found once
/// when the first finding is placed: a pass from the start of the page for each finding made
/// a page of 20,000 findings quadratic. The same places as [`Document::body_pos`].
pub(super) struct Places<'a> {
    doc: &'a Document,
    starts: std::cell::OnceCell<Vec<usize>>,
}

impl<'a> Places<'a> {
    pub(super) fn new(doc: &'a Document) -> Self {
        Places {
            doc,
            starts: std::cell::OnceCell::new(),
        }
    }

    pub(super) fn pos(&self, body_offset: usize) -> (usize, usize) {
        let text = &self.doc.text;
        let mut o = (self.doc.body_offset + body_offset).min(text.len());
        while !text.is_char_boundary(o) {
            o -= 1;
        }
        let starts = self.starts.get_or_init(|| {
            std::iter::once(0)
                .chain(text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        // Lines starting at or before `o`: the first always does.
        let line = starts.partition_point(|&s| s <= o);
        let start = starts.get(line.wrapping_sub(1)).copied().unwrap_or(0);
        (line, text[start..o].chars().count() + 1)
    }
}

/// "did you mean ...?" with what `careguide.toml` configures.
fn audience_hint(id: &str, ids: &[&str]) -> String {
    match nearest(id, ids.iter().copied()) {
        Some(n) => format!(
            "did you mean '{n}'? careguide.toml configures: {}",
            ids.join(", ")
        ),
        None => format!("careguide.toml configures: {}", ids.join(", ")),
    }
}

/// The ids on an audience block's line: each a configured audience the page is written for.
fn audience_words(doc: &Document, places: &Places, b: &Block, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let ids = config.audience_ids();
    for (id, offset) in &b.audiences {
        // Placed only when there is something to report.
        let at = || places.pos(*offset);
        if config.audience(id).is_none() {
            // A misspelt callout class (`{.warnig}`) is not an audience either.
            let class = nearest(id, CALLOUT_CLASSES.iter().copied())
                .filter(|_| nearest(id, ids.iter().copied()).is_none());
            let d = match class {
                Some(n) => Diagnostic::error(
                    "callout/unknown",
                    format!("unknown class '{id}' on a ':::' line"),
                )
                .hint(format!(
                    "did you mean '{n}'? a ':::' line opens a callout ({}) or an audience block ({})",
                    CALLOUT_CLASSES.join(", "),
                    ids.join(", ")
                )),
                None => Diagnostic::error(
                    "audience/unknown",
                    format!("unknown audience '{id}' in an audience block"),
                )
                .hint(audience_hint(id, &ids)),
            };
            let (l, c) = at();
            out.push(d.at(&doc.file, l, c));
        } else if !doc.audiences.iter().any(|a| a == id) {
            let (l, c) = at();
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
    out
}

/// The words on a callout's line: callout classes only, one box among them.
fn callout_words(doc: &Document, places: &Places, b: &Block, config: &Config) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let boxes: Vec<&(String, usize)> = b
        .classes
        .iter()
        .filter(|(c, _)| Boxed::from_class(c).is_some())
        .collect();
    for (class, offset) in boxes.iter().skip(1) {
        let (l, c) = places.pos(*offset);
        out.push(
            Diagnostic::error(
                "callout/classes",
                format!("'{class}': a callout is one of note, warning or urgent, not two"),
            )
            .at(&doc.file, l, c)
            .hint(format!(
                "keep '{}' or '{class}'; `.practice` may stand beside either",
                boxes[0].0
            )),
        );
    }
    let ids = config.audience_ids();
    for (word, offset) in &b.audiences {
        let (l, c) = places.pos(*offset);
        let d = if config.audience(word).is_some() {
            Diagnostic::error(
                "callout/mixed",
                format!("'{word}' is an audience: a callout and an audience block open on separate ':::' lines"),
            )
            .hint(format!(
                "put `::: {word}` … `:::` inside the callout, or the callout inside it"
            ))
        } else {
            let hint = match nearest(word, CALLOUT_CLASSES.iter().copied()) {
                Some(n) => format!(
                    "did you mean '{n}'? the callout classes are: {}",
                    CALLOUT_CLASSES.join(", ")
                ),
                None => format!(
                    "the callout classes are: {}; audiences ({}) open blocks of their own",
                    CALLOUT_CLASSES.join(", "),
                    ids.join(", ")
                ),
            };
            Diagnostic::error(
                "callout/unknown",
                format!("unknown class '{word}' on a callout's ':::' line"),
            )
            .hint(hint)
        };
        out.push(d.at(&doc.file, l, c));
    }
    out
}

/// The diagnostic of a structural problem.
fn problem(doc: &Document, places: &Places, lay: &Layout, p: &Problem) -> Diagnostic {
    let pos = |o: usize| places.pos(o);
    match p {
        Problem::Nested { block, outer } => {
            let (l, c) = pos(lay.blocks[*block].open);
            let (ol, _) = pos(lay.blocks[*outer].open);
            let hint = match lay.blocks[*block].parent.filter(|p| p != outer) {
                Some(callout) => format!(
                    "the callout opened at line {} is inside the audience block opened at line {ol}: close that block before the callout, and open one for each part; or list several audiences on one line (`::: patient caregiver`)",
                    pos(lay.blocks[callout].open).0
                ),
                None => format!(
                    "close the block opened at line {ol} with a ':::' line before opening this one; list several audiences on one line instead (`::: patient caregiver`)"
                ),
            };
            Diagnostic::error(
                "audience/nested",
                "an audience block cannot be inside another audience block",
            )
            .at(&doc.file, l, c)
            .hint(hint)
        }
        Problem::Unclosed { block } => {
            let (l, c) = pos(lay.blocks[*block].open);
            let d = match lay.blocks[*block].callout() {
                Some(_) => Diagnostic::error("callout/unclosed", "this callout is never closed")
                    .hint("end the callout with a line holding only ':::'; a ':::' line closes the innermost open block, so a callout holding an audience block needs two"),
                None => Diagnostic::error("audience/unclosed", "this audience block is never closed")
                    .hint("end the block with a line holding only ':::'"),
            };
            d.at(&doc.file, l, c)
        }
        Problem::StrayClose { offset } => {
            let (l, c) = pos(*offset);
            Diagnostic::error("audience/stray-close", "':::' closes no audience block")
                .at(&doc.file, l, c)
                .hint("an audience block opens with ':::' and one or more audience ids, like `::: patient caregiver`; delete this line if no block is meant")
        }
    }
}
