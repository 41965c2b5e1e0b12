//! The page furniture: the running header of pages after the first, and the footer of every
//! page (the review status, the disclaimer, the date made and "Page N of M"). For the structure
//! tree it is an artifact, read once and not on every page: the first page's review status is
//! a paragraph read first (a caution must be heard, as the web page's banner is seen first)
//! and its disclaimer one read last; the rest is never read out.

use super::draw::{Draw, Item};
use super::fonts::{self, Face};
use super::tags::Mark;
use super::wrap::{wrap, TextLine};
use super::{Layout, Span, MARGIN};

/// The page furniture: running header and footer.
#[derive(Debug, Clone)]
pub struct Furniture {
    /// Left of the running header on pages after the first.
    pub running_header: String,
    /// Small print at the foot of every page (the audience's disclaimer).
    pub disclaimer: String,
    /// Left of the last footer line (`Made 2026-11-26 · For patients`).
    pub footer_left: String,
    /// The page's review status, at the top of every page's footer: who reviewed it and when,
    /// or a caution that the text is not approved.
    pub status: Status,
    /// `Page {n} of {m}` in the handout's language.
    pub page_of: String,
    /// What the foot says when the disclaimer is too long for it and is printed at the end.
    pub see_notice: String,
    /// The callouts' labels in the handout's language (note, warning, urgent); an empty one
    /// is the English label the web page's markup has ([`super::CalloutKind::label`]).
    pub callout_labels: [String; 3],
}

impl Furniture {
    /// The label on top of a callout of `kind`.
    pub fn callout_label(&self, kind: super::CalloutKind) -> &str {
        let i = match kind {
            super::CalloutKind::Note => 0,
            super::CalloutKind::Warning => 1,
            super::CalloutKind::Urgent => 2,
        };
        match self.callout_labels[i].as_str() {
            "" => kind.label(),
            s => s,
        }
    }
}

/// The review status a PDF carries on every page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    pub text: String,
    /// Not approved, or its review is overdue: printed bold in a box, never as small print.
    pub caution: bool,
}

pub(super) const FOOT_SIZE: f32 = 7.5;
/// The review status's size: a caution must be read, not skimmed as small print.
const STATUS_SIZE: f32 = 9.0;
const STATUS_PAD: f32 = 4.0;
pub(super) const MAX_FOOT_LINES: usize = 5;

/// The status's lines, wrapped inside its box.
pub(super) fn status_lines(status: &Status, width: f32) -> Vec<TextLine> {
    if status.text.is_empty() {
        return Vec::new();
    }
    let span = if status.caution {
        Span::bold(&status.text)
    } else {
        Span::plain(&status.text)
    };
    wrap(&[span], STATUS_SIZE, width - 2.0 * STATUS_PAD)
}

pub(super) fn status_height(lines: &[TextLine]) -> f32 {
    if lines.is_empty() {
        0.0
    } else {
        lines.len() as f32 * STATUS_SIZE * 1.3 + 2.0 * STATUS_PAD + 4.0
    }
}

/// Page furniture is an artifact of pagination.
fn furniture(draw: Draw) -> Item {
    Item {
        mark: Mark::Pagination,
        draw,
    }
}

/// The elements the first page's footer text belongs to.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct FootTags {
    pub status: Option<usize>,
    pub disclaimer: Option<usize>,
}

/// Text in the footer: content of `elem` if it has one, else an artifact.
fn foot_text(elem: Option<usize>, draw: Draw) -> Item {
    Item {
        mark: elem.map_or(Mark::Pagination, Mark::Content),
        draw,
    }
}

impl Layout {
    /// Start a new page with its running header.
    pub(super) fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
        let (x, w) = (self.left(), self.width());
        let text = self.furniture.running_header.clone();
        self.draw_as(
            Mark::Pagination,
            Draw::Text {
                x,
                y: self.y + 8.0,
                face: Face::Regular,
                size: 8.0,
                grey: 0.35,
                text,
            },
        );
        self.y += 12.0;
        let rule = Draw::line(x, self.y, x + w, self.y, 0.5, 0.6);
        self.draw_as(Mark::Pagination, rule);
        self.y += 10.0;
    }

    /// The top of the text on a page after the first.
    pub(super) fn page_top() -> f32 {
        MARGIN + 22.0
    }

    /// The review status at `y` in a footer: a caution bold in a box, a review line plain.
    /// Returns the `y` below it.
    fn draw_status(&self, d: &mut Vec<Item>, y: f32, elem: Option<usize>) -> f32 {
        if self.status_lines.is_empty() {
            return y;
        }
        let (x, w) = (self.left(), self.width());
        let h = status_height(&self.status_lines) - 4.0;
        let caution = self.furniture.status.caution;
        if caution {
            d.push(furniture(Draw::Rect {
                x,
                y,
                w,
                h,
                fill: Some(0.92),
                stroke: Some(0.0),
                width: 0.8,
            }));
        }
        let mut ty = y + STATUS_PAD;
        for line in &self.status_lines {
            for (dx, face, text) in &line.pieces {
                d.push(foot_text(
                    elem,
                    Draw::Text {
                        x: x + STATUS_PAD + dx,
                        y: ty + STATUS_SIZE,
                        face: *face,
                        size: STATUS_SIZE,
                        grey: if caution { 0.0 } else { 0.3 },
                        text: text.clone(),
                    },
                ));
            }
            ty += STATUS_SIZE * 1.3;
        }
        y + h + 4.0
    }

    /// The footer of page `i` of `n`; its status and disclaimer are the text of `tags`' elements.
    pub(super) fn footer(&self, i: usize, n: usize, tags: FootTags) -> Vec<Item> {
        let (x, w) = (self.left(), self.width());
        let lh = FOOT_SIZE * 1.3;
        let foot_top = self.bottom + 8.0;
        let mut d = vec![furniture(Draw::line(
            x,
            foot_top,
            x + w,
            foot_top,
            0.5,
            0.6,
        ))];
        let mut y = foot_top + 3.0;
        y = self.draw_status(&mut d, y, tags.status);
        for line in &self.disclaimer_lines {
            for (dx, face, text) in &line.pieces {
                d.push(foot_text(
                    tags.disclaimer,
                    Draw::Text {
                        x: x + dx,
                        y: y + FOOT_SIZE,
                        face: *face,
                        size: FOOT_SIZE,
                        grey: 0.3,
                        text: text.clone(),
                    },
                ));
            }
            y += lh;
        }
        d.push(furniture(Draw::Text {
            x,
            y: y + FOOT_SIZE + 2.0,
            face: Face::Regular,
            size: FOOT_SIZE,
            grey: 0.3,
            text: self.furniture.footer_left.clone(),
        }));
        let page = self
            .furniture
            .page_of
            .replace("{n}", &(i + 1).to_string())
            .replace("{m}", &n.to_string());
        let pw = fonts::width(Face::Bold, FOOT_SIZE, &page);
        d.push(furniture(Draw::Text {
            x: x + w - pw,
            y: y + FOOT_SIZE + 2.0,
            face: Face::Bold,
            size: FOOT_SIZE,
            grey: 0.0,
            text: page,
        }));
        d
    }
}
