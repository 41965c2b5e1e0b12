//! A small layout engine: blocks (headings, paragraphs with bold and italic, lists, tables with
//! tick boxes, callouts, vector figures) flowed onto pages, then turned into printpdf
//! operations, with the document's structure recorded for a tagged PDF ([`tags`]).
//!
//! Coordinates here are points from the top-left corner of the page; they are flipped to PDF's
//! bottom-left origin only when the operations are made ([`draw`]).

mod blocks;
mod draw;
mod furniture;
mod table;
pub mod tags;
mod wrap;

use printpdf::{Mm, PdfPage};

use super::fonts::{self, Face};
use draw::{Draw, Item};
use furniture::{status_height, status_lines, FootTags, FOOT_SIZE, MAX_FOOT_LINES};
pub use furniture::{Furniture, Status};
use tags::{Elem, Mark, Role, Tags};
use wrap::{wrap, TextLine};

/// A run of text in one style.
#[derive(Debug, Clone, PartialEq)]
pub struct Span {
    pub text: String,
    pub bold: bool,
    pub italic: bool,
}

impl Span {
    pub fn plain(t: impl Into<String>) -> Span {
        Span {
            text: t.into(),
            bold: false,
            italic: false,
        }
    }
    pub fn bold(t: impl Into<String>) -> Span {
        Span {
            text: t.into(),
            bold: true,
            italic: false,
        }
    }
    pub fn italic(t: impl Into<String>) -> Span {
        Span {
            text: t.into(),
            bold: false,
            italic: true,
        }
    }
    fn face(&self) -> Face {
        Face::new(self.bold, self.italic)
    }
}

/// One cell of a table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Text(Vec<Span>),
    /// Empty tick boxes, one per day, each with its label (a weekday initial or a day number;
    /// empty for an unlabelled box).
    Boxes(Vec<String>),
    /// Blank space for handwriting.
    Blank,
}

impl Cell {
    pub fn text(t: impl Into<String>) -> Cell {
        Cell::Text(vec![Span::plain(t)])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    Left,
    Right,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub header: Vec<Cell>,
    pub rows: Vec<Vec<Cell>>,
    pub align: Vec<Align>,
    /// Least row height in points (for handwriting in a blank chart).
    pub min_row_height: f32,
}

/// What a document is made of.
#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Level 1 is the document title.
    Heading(u8, Vec<Span>),
    Paragraph(Vec<Span>),
    /// Smaller, grey text (notes, reference entries).
    Small(Vec<Span>),
    /// A list; `Some(n)` numbers it from n. Each item is a list of blocks.
    List(Option<u64>, Vec<Vec<Block>>),
    /// A numbered list whose labels are given (`[1]` for references).
    Labelled(Vec<(String, Vec<Span>)>),
    Table(Table),
    /// An indented quotation or note with a bar at its left.
    Quote(Vec<Block>),
    Rule,
    /// A label and a line to write on (`Name: ________`).
    WriteIn(String),
    /// Start a new page unless this many points are left (keeps a section with its table).
    NeedSpace(f32),
    /// A boxed callout (`::: {.urgent}` and friends), its blocks inside the box.
    Callout(CalloutKind, Vec<Block>),
    /// A picture drawn as vectors (the plan's chart, a QR code), with its text alternative.
    Figure(Figure),
    /// A raster image from the site (a page's PNG or JPEG), with its text alternative.
    Picture(Picture),
}

/// The kinds of callout a page can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalloutKind {
    /// Something worth knowing (`{.note}`).
    Note,
    /// A caution (`{.warning}`).
    Warning,
    /// Call the emergency number (`{.urgent}`).
    Urgent,
}

/// A vector picture: shapes in points, from the picture's top-left corner, y downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// What the picture shows, in words, for screen readers.
    pub alt: String,
    pub width: f32,
    pub height: f32,
    pub shapes: Vec<Shape>,
}

/// A decoded raster image and the size it is printed at when the text is wide enough: its
/// pixels at [`PICTURE_DPI`]. The layout scales it down to the text width and a page, never up.
#[derive(Debug, Clone, PartialEq)]
pub struct Picture {
    /// What the image shows, in words, for screen readers (empty: decoration).
    pub alt: String,
    pub width: f32,
    pub height: f32,
    pub image: std::sync::Arc<printpdf::RawImage>,
}

/// The resolution an image is printed at, at most: a 1,000-pixel-wide image fills the text
/// width of A4; a smaller one is printed smaller rather than blurred.
pub const PICTURE_DPI: f32 = 150.0;

impl Picture {
    /// An image printed at its natural size (its pixels at [`PICTURE_DPI`]).
    pub fn new(alt: impl Into<String>, image: printpdf::RawImage) -> Picture {
        let k = 72.0 / PICTURE_DPI;
        Picture {
            alt: alt.into(),
            width: image.width as f32 * k,
            height: image.height as f32 * k,
            image: std::sync::Arc::new(image),
        }
    }
}

/// One shape of a [`Figure`].
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// An open polyline.
    Line {
        points: Vec<(f32, f32)>,
        width: f32,
        grey: f32,
    },
    /// A rectangle, filled with `fill` grey and/or stroked with `stroke` grey.
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<f32>,
        stroke: Option<f32>,
    },
    /// Text with its baseline at `y`.
    Text {
        x: f32,
        y: f32,
        size: f32,
        bold: bool,
        grey: f32,
        text: String,
    },
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paper {
    pub width: f32,
    pub height: f32,
}

pub const MM: f32 = 72.0 / 25.4;
pub const A4: Paper = Paper {
    width: 210.0 * MM,
    height: 297.0 * MM,
};
pub const LETTER: Paper = Paper {
    width: 8.5 * 72.0,
    height: 11.0 * 72.0,
};

pub const MARGIN: f32 = 18.0 * MM;
const BODY: f32 = 10.5;
const LEADING: f32 = 1.38;

/// The layout state: pages made so far, the cursor, and the structure recorded so far.
pub struct Layout {
    paper: Paper,
    pages: Vec<Vec<Item>>,
    y: f32,
    bottom: f32,
    furniture: Furniture,
    disclaimer_lines: Vec<TextLine>,
    long_disclaimer: bool,
    status_lines: Vec<TextLine>,
    /// The structure elements, in reading order.
    elems: Vec<Elem>,
    /// The open elements, the innermost last; the document at the bottom.
    open: Vec<usize>,
    /// Text drawn now is an artifact (a repeated table header).
    artifacts: bool,
    /// The paragraph of the review status, read first.
    status_elem: Option<usize>,
    /// The images drawn, by the name their drawings use, in order.
    images: Vec<(String, std::sync::Arc<printpdf::RawImage>)>,
}

/// A laid-out document: its pages and its structure.
pub struct Laid {
    pub pages: Vec<PdfPage>,
    pub tags: Tags,
    /// The images the pages draw, by name (the document's `/XObject` resources).
    pub images: Vec<(String, std::sync::Arc<printpdf::RawImage>)>,
}

impl Layout {
    pub fn new(paper: Paper, furniture: Furniture) -> Layout {
        let width = paper.width - 2.0 * MARGIN;
        let mut disclaimer_lines = wrap(&[Span::plain(&furniture.disclaimer)], FOOT_SIZE, width);
        let long_disclaimer = disclaimer_lines.len() > MAX_FOOT_LINES;
        if long_disclaimer {
            // Too long for the foot of every page: the caller prints it in the text instead.
            disclaimer_lines = wrap(&[Span::plain(&furniture.see_notice)], FOOT_SIZE, width);
        }
        let status_lines = status_lines(&furniture.status, width);
        let foot_h = (disclaimer_lines.len() as f32 + 1.0) * FOOT_SIZE * 1.3
            + 10.0
            + status_height(&status_lines);
        let bottom = paper.height - MARGIN * 0.75 - foot_h;
        let mut lay = Layout {
            paper,
            pages: vec![Vec::new()],
            y: MARGIN,
            bottom,
            furniture,
            disclaimer_lines,
            long_disclaimer,
            status_lines,
            elems: Vec::new(),
            open: Vec::new(),
            artifacts: false,
            status_elem: None,
            images: Vec::new(),
        };
        lay.open(Role::Document);
        if !lay.status_lines.is_empty() {
            lay.status_elem = Some(lay.tagged(Role::P, |_| {}));
        }
        lay
    }

    /// A layout like this one with no page foot, to measure what blocks take.
    fn scratch(&self) -> Layout {
        Layout {
            paper: self.paper,
            pages: vec![Vec::new()],
            y: 0.0,
            bottom: f32::INFINITY,
            furniture: self.furniture.clone(),
            disclaimer_lines: Vec::new(),
            long_disclaimer: false,
            status_lines: Vec::new(),
            elems: Vec::new(),
            open: Vec::new(),
            artifacts: false,
            status_elem: None,
            images: Vec::new(),
        }
    }

    /// The height of what `f` lays out, measured on a scratch layout with no page breaks.
    fn measure(&self, f: impl FnOnce(&mut Layout)) -> f32 {
        let mut s = self.scratch();
        s.open(Role::Document);
        f(&mut s);
        s.y
    }

    /// True when the disclaimer did not fit the footer and belongs at the end of the text.
    pub fn disclaimer_in_text(&self) -> bool {
        self.long_disclaimer
    }

    fn left(&self) -> f32 {
        MARGIN
    }

    fn width(&self) -> f32 {
        self.paper.width - 2.0 * MARGIN
    }

    /// Draw text (or a figure's shape) as content of the open element.
    fn draw(&mut self, d: Draw) {
        let mark = self.content_mark();
        self.draw_as(mark, d);
    }

    /// Draw a rule, border or tint: an artifact.
    fn deco(&mut self, d: Draw) {
        self.draw_as(Mark::Layout, d);
    }

    fn draw_as(&mut self, mark: Mark, draw: Draw) {
        if let Some(p) = self.pages.last_mut() {
            p.push(Item { mark, draw });
        }
    }

    /// Draw on page `page` (0-based), which may be before the current one.
    fn draw_on(&mut self, page: usize, mark: Mark, draw: Draw) {
        if let Some(p) = self.pages.get_mut(page) {
            p.push(Item { mark, draw });
        }
    }

    /// Start a new page unless `h` points still fit.
    fn ensure(&mut self, h: f32) {
        if self.y + h > self.bottom {
            self.new_page();
        }
    }

    fn room(&self) -> f32 {
        self.bottom - self.y
    }

    /// The room of an empty page after the first.
    fn page_room(&self) -> f32 {
        self.bottom - Layout::page_top()
    }

    pub fn space(&mut self, h: f32) {
        self.y += h;
    }

    /// The clinic's header at the top of the first page.
    pub fn clinic_header(&mut self, clinic: &str, contact: &str) {
        let (x, w) = (self.left(), self.width());
        self.tagged(Role::P, |l| {
            l.text_lines(&[Span::bold(clinic)], 14.0, x, w, 0.0, 1.25, None)
        });
        if !contact.is_empty() {
            self.tagged(Role::P, |l| {
                l.text_lines(&[Span::plain(contact)], 9.0, x, w, 0.3, 1.3, None)
            });
        }
        self.y += 4.0;
        self.deco(Draw::line(x, self.y, x + w, self.y, 1.0, 0.2));
        self.y += 14.0;
    }

    /// Lay out wrapped text at `x` with width `w`; breaks pages between lines. `keep` is the
    /// height that must follow the first line on the same page (headings).
    #[allow(clippy::too_many_arguments)]
    fn text_lines(
        &mut self,
        spans: &[Span],
        size: f32,
        x: f32,
        w: f32,
        grey: f32,
        leading: f32,
        keep: Option<f32>,
    ) {
        let lh = size * leading;
        let lines = wrap(spans, size, w);
        match keep {
            // Headings stay with what follows them.
            Some(k) => self.ensure(lh * lines.len() as f32 + k),
            // No single line left alone at the foot of a page.
            None => self.ensure(lh * lines.len().min(2) as f32),
        }
        for line in lines {
            self.ensure(lh);
            let baseline = self.y + size * 1.02;
            for (dx, face, text) in line.pieces {
                self.draw(Draw::Text {
                    x: x + dx,
                    y: baseline,
                    face,
                    size,
                    grey,
                    text,
                });
            }
            self.y += lh;
        }
    }

    pub fn block(&mut self, b: &Block) {
        let (x, w) = (self.left(), self.width());
        self.block_at(b, x, w);
    }

    /// Lay out `blocks` in order. A heading followed by a picture starts a new page with it
    /// when the two do not fit in the room left but do fit on a page.
    pub fn blocks(&mut self, blocks: &[Block]) {
        for (i, b) in blocks.iter().enumerate() {
            if let (Block::Heading(..), Some(next @ Block::Picture(_))) = (b, blocks.get(i + 1)) {
                let h = self.measure(|l| {
                    l.block(b);
                    l.block(next);
                });
                if h <= self.page_room() {
                    self.ensure(h);
                }
            }
            self.block(b);
        }
    }

    /// Room left on the current page, for callers that want to keep things together.
    pub fn remaining(&self) -> f32 {
        self.room()
    }

    /// Finish: footers with "Page N of M", then printpdf pages and the structure.
    pub fn finish(mut self) -> Laid {
        let n = self.pages.len();
        // The first page's footer is read once: its status first (its element was made
        // first), its disclaimer last; a disclaimer moved into the text is read there.
        let first = FootTags {
            status: self.status_elem,
            disclaimer: (!self.long_disclaimer && !self.disclaimer_lines.is_empty())
                .then(|| self.tagged(Role::P, |_| {})),
        };
        for i in 0..n {
            let tags = if i == 0 { first } else { FootTags::default() };
            let foot = self.footer(i, n, tags);
            self.pages[i].extend(foot);
        }
        let (pw, ph) = (self.paper.width, self.paper.height);
        let mut mcids = Vec::with_capacity(n);
        let mut pages = Vec::with_capacity(n);
        for items in &self.pages {
            let (ops, ids) = draw::to_ops(items, ph, &self.elems);
            pages.push(PdfPage::new(Mm(pw / MM), Mm(ph / MM), ops));
            mcids.push(ids);
        }
        Laid {
            pages,
            tags: Tags {
                elems: self.elems,
                pages: mcids,
            },
            images: self.images,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    pub(super) fn furniture() -> Furniture {
        Furniture {
            running_header: "Clinic".into(),
            disclaimer: "Disclaimer".into(),
            footer_left: "Made".into(),
            status: Status::default(),
            page_of: "Page {n} of {m}".into(),
            see_notice: "Please read the notice at the end of this document.".into(),
            callout_labels: Default::default(),
        }
    }

    #[test]
    fn a_long_disclaimer_moves_out_of_the_footer() {
        let f = |d: &str| Furniture {
            disclaimer: d.into(),
            ..furniture()
        };
        let short = Layout::new(A4, f("Talk to your care team."));
        assert!(!short.disclaimer_in_text());
        let long = Layout::new(A4, f(&"Read this with care. ".repeat(80)));
        assert!(long.disclaimer_in_text());
        assert!(long.bottom > A4.height * 0.8, "{}", long.bottom);
    }

    #[test]
    fn furniture_is_an_artifact_and_text_is_tagged() {
        let mut l = Layout::new(A4, furniture());
        l.clinic_header("Clinic", "");
        l.block(&Block::Heading(1, vec![Span::plain("Title")]));
        l.block(&Block::Paragraph(vec![Span::plain("Words. ".repeat(1500))]));
        assert!(l.pages.len() >= 2);
        for (i, p) in l.pages.iter().enumerate() {
            for it in p {
                if let Draw::Text { text, face, .. } = &it.draw {
                    match text.as_str() {
                        "Title" => {
                            assert_eq!(*face, Face::Bold, "headings are bold");
                            assert!(
                                matches!(it.mark, Mark::Content(e) if l.elems[e].role == Role::H(1))
                            );
                        }
                        "Clinic" if i > 0 => assert_eq!(it.mark, Mark::Pagination),
                        _ => assert!(matches!(it.mark, Mark::Content(_)), "{text}"),
                    }
                }
            }
        }
        let laid = l.finish();
        let roles: Vec<Role> = laid.tags.elems.iter().map(|e| e.role).collect();
        // The footer's disclaimer is read once, last.
        assert_eq!(
            roles,
            vec![Role::Document, Role::P, Role::H(1), Role::P, Role::P]
        );
        // The paragraph goes on over two pages: marked content on each.
        assert!(laid.tags.pages.len() >= 2);
        assert!(laid.tags.pages.iter().all(|p| p.contains(&3)));
        assert!(laid.tags.pages[0].contains(&4));
        assert!(!laid.tags.pages[1].contains(&4));
        // A review status is read first.
        let status = Status {
            text: "Not yet approved.".into(),
            caution: true,
        };
        let l = Layout::new(
            A4,
            Furniture {
                status,
                ..furniture()
            },
        );
        let laid = l.finish();
        let roles: Vec<Role> = laid.tags.elems.iter().map(|e| e.role).collect();
        assert_eq!(roles, vec![Role::Document, Role::P, Role::P]);
        assert_eq!(laid.tags.pages[0], vec![1, 2]);
    }
}
