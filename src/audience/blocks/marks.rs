//! What the renderers and the editorial report need of callouts: the fence lines marked in a
//! variant's Markdown, so the HTML and PDF renderers can draw the boxes, and the passages of
//! declared practice.

use super::*;

/// A variant's Markdown with each callout fence line replaced by an HTML comment line (its
/// indentation and line ending kept), which Markdown reads as a block of its own: the
/// renderers find the callouts by the comments' offsets ([`Marked::at`]).
#[derive(Debug, Clone)]
pub struct Marked {
    pub text: String,
    marks: Vec<(Range<usize>, Mark)>,
}

/// A callout fence in [`Marked`] text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    Open(Callout),
    Close,
}

/// The comment that stands for a fence line in [`Marked`] text.
const MARK: &str = "<!-- callout -->";

impl Marked {
    /// The fence whose comment line holds byte `offset` of the text.
    pub fn at(&self, offset: usize) -> Option<Mark> {
        let i = self.marks.partition_point(|(r, _)| r.end <= offset);
        self.marks
            .get(i)
            .filter(|(r, _)| r.contains(&offset))
            .map(|(_, m)| *m)
    }
}

/// `md` with its callout fences marked for rendering; `None` when it has none (then it renders
/// as plain Markdown).
pub fn mark_callouts(md: &str) -> Option<Marked> {
    if !md.contains(":::") {
        return None;
    }
    let lay = layout(md);
    if !lay.has_callouts() {
        return None;
    }
    let mut text = String::with_capacity(md.len());
    let mut marks = Vec::new();
    for (range, kind) in &lay.lines {
        let line = &md[range.clone()];
        let block = match kind {
            LineKind::CalloutFence(b) => lay.blocks.get(*b),
            _ => None,
        };
        let Some(block) = block else {
            text.push_str(line);
            continue;
        };
        let mark = if range.contains(&block.open) {
            Mark::Open(block.callout().unwrap_or_default())
        } else {
            Mark::Close
        };
        let body = line.trim_end_matches(['\n', '\r']);
        let indent = &body[..body.len() - body.trim_start_matches([' ', '\t']).len()];
        let start = text.len();
        text.push_str(indent);
        text.push_str(MARK);
        marks.push((start..text.len(), mark));
        text.push_str(&line[body.len()..]);
    }
    Some(Marked { text, marks })
}

/// `md` with its callout fence lines blanked (spaces, the same length, so offsets stay
/// valid): what the reading-level measure reads, fences being no prose.
pub fn blank_callout_fences(md: String) -> String {
    if !md.contains(":::") {
        return md;
    }
    let lay = layout(&md);
    if !lay.has_callouts() {
        return md;
    }
    let mut bytes = md.into_bytes();
    for (range, kind) in &lay.lines {
        if let LineKind::CalloutFence(_) = kind {
            for b in &mut bytes[range.clone()] {
                if !matches!(*b, b'\n' | b'\r') {
                    *b = b' ';
                }
            }
        }
    }
    // Whole lines were blanked, every byte a space: still UTF-8.
    String::from_utf8(bytes).unwrap_or_default()
}

/// A passage of a page marked `{.practice}`: the clinic's declared practice.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Practice {
    /// The file line of its opening fence.
    pub line: usize,
    /// Its text, white space collapsed, shortened to about [`PRACTICE_EXCERPT`] characters.
    pub text: String,
}

/// How many characters of a practice passage the editorial report shows.
pub const PRACTICE_EXCERPT: usize = 160;

/// The page's practice passages, in order (one nested in another is part of it); `lay` is the
/// layout of its body.
pub fn practice_passages(doc: &Document, lay: &Layout) -> Vec<Practice> {
    let body = doc.body();
    if !body.contains(":::") {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, b) in lay.blocks.iter().enumerate() {
        if !b.callout().is_some_and(|c| c.practice) || lay.inside_practice(b.parent) {
            continue;
        }
        let mut words: Vec<&str> = Vec::new();
        for (range, kind) in &lay.lines {
            if let LineKind::Text(at) = kind {
                if lay.within(*at, i) {
                    words.extend(body[range.clone()].split_whitespace());
                }
            }
        }
        let full = words.join(" ");
        let mut text: String = full.chars().take(PRACTICE_EXCERPT).collect();
        if text.len() < full.len() {
            text.push('…');
        }
        out.push(Practice {
            line: doc.body_pos(b.open).0,
            text,
        });
    }
    out
}

impl Layout {
    /// Whether `block` is `outer` or inside it.
    fn within(&self, mut block: Option<usize>, outer: usize) -> bool {
        while let Some(b) = block {
            if b == outer {
                return true;
            }
            block = self.blocks.get(b).and_then(|x| x.parent);
        }
        false
    }

    /// Whether `block` is a practice callout or inside one.
    fn inside_practice(&self, mut block: Option<usize>) -> bool {
        while let Some(b) = block.and_then(|b| self.blocks.get(b)) {
            if b.callout().is_some_and(|c| c.practice) {
                return true;
            }
            block = b.parent;
        }
        false
    }

    /// The byte ranges of the body's text inside `{.practice}` callouts: declared practice,
    /// which the uncited-claim rule passes over.
    pub fn practice_text(&self) -> Vec<Range<usize>> {
        self.lines
            .iter()
            .filter_map(|(r, k)| match k {
                LineKind::Text(b) if self.inside_practice(*b) => Some(r.clone()),
                _ => None,
            })
            .collect()
    }
}
