//! A small layout engine: blocks (headings, paragraphs with bold and italic, lists, tables with
//! tick boxes) flowed onto pages, then turned into printpdf operations.
//!
//! Coordinates here are points from the top-left corner of the page; they are flipped to PDF's
//! bottom-left origin only when the operations are made.

use printpdf::{
    Color, Greyscale, Line, LinePoint, Mm, Op, PaintMode, PdfFontHandle, PdfPage, Point, Pt, Rect,
    TextItem,
};

use super::fonts::{self, Face};

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

const MARGIN: f32 = 18.0 * MM;
const BODY: f32 = 10.5;
const LEADING: f32 = 1.38;
const CELL: f32 = 9.5;
const PAD: f32 = 3.5;
const BOX: f32 = 8.0;
const BOX_GAP: f32 = 3.0;

/// Something drawn on a page.
#[derive(Debug, Clone, PartialEq)]
enum Draw {
    /// Baseline at `y`.
    Text {
        x: f32,
        y: f32,
        face: Face,
        size: f32,
        grey: f32,
        text: String,
    },
    Line {
        x1: f32,
        y1: f32,
        x2: f32,
        y2: f32,
        width: f32,
        grey: f32,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        fill: Option<f32>,
        stroke: Option<f32>,
    },
}

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
}

/// The review status a PDF carries on every page.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Status {
    pub text: String,
    /// Not approved, or its review is overdue: printed bold in a box, never as small print.
    pub caution: bool,
}

/// A word: styled pieces with no space between them.
#[derive(Debug, Clone)]
struct Word {
    pieces: Vec<(Face, String)>,
    width: f32,
    space_before: bool,
    /// A forced line break before this word.
    break_before: bool,
}

/// One laid-out line: pieces at x offsets.
#[derive(Debug, Clone, Default)]
struct TextLine {
    pieces: Vec<(f32, Face, String)>,
    width: f32,
}

fn words(spans: &[Span], size: f32) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut cur: Option<Word> = None;
    let mut pending_space = false;
    let mut pending_break = false;
    for span in spans {
        let face = span.face();
        for c in span.text.chars() {
            if c == '\n' || c.is_whitespace() {
                if let Some(w) = cur.take() {
                    out.push(w);
                }
                if c == '\n' {
                    pending_break = true;
                } else {
                    pending_space = true;
                }
                continue;
            }
            let w = cur.get_or_insert_with(|| Word {
                pieces: Vec::new(),
                width: 0.0,
                space_before: pending_space && !out.is_empty(),
                break_before: pending_break && !out.is_empty(),
            });
            pending_space = false;
            pending_break = false;
            match w.pieces.last_mut() {
                Some((f, s)) if *f == face => s.push(c),
                _ => w.pieces.push((face, c.to_string())),
            }
        }
    }
    if let Some(w) = cur.take() {
        out.push(w);
    }
    for w in &mut out {
        w.width = w
            .pieces
            .iter()
            .map(|(f, s)| fonts::width(*f, size, s))
            .sum();
    }
    out
}

/// Break a word wider than `max` into pieces that fit.
fn split_long(w: Word, size: f32, max: f32) -> Vec<Word> {
    let mut out = Vec::new();
    let mut cur = Word {
        pieces: Vec::new(),
        width: 0.0,
        space_before: w.space_before,
        break_before: w.break_before,
    };
    for (face, s) in w.pieces {
        for c in s.chars() {
            let cw = fonts::width(face, size, c.encode_utf8(&mut [0; 4]));
            if cur.width + cw > max && !cur.pieces.is_empty() {
                let done = std::mem::replace(
                    &mut cur,
                    Word {
                        pieces: Vec::new(),
                        width: 0.0,
                        space_before: false,
                        break_before: true,
                    },
                );
                out.push(done);
            }
            match cur.pieces.last_mut() {
                Some((f, t)) if *f == face => t.push(c),
                _ => cur.pieces.push((face, c.to_string())),
            }
            cur.width += cw;
        }
    }
    if !cur.pieces.is_empty() {
        out.push(cur);
    }
    out
}

/// Greedy line filling.
fn wrap(spans: &[Span], size: f32, max: f32) -> Vec<TextLine> {
    let mut lines = Vec::new();
    let mut line = TextLine::default();
    let mut all = Vec::new();
    for w in words(spans, size) {
        if w.width > max {
            all.extend(split_long(w, size, max));
        } else {
            all.push(w);
        }
    }
    for w in all {
        let space = if w.space_before && !line.pieces.is_empty() {
            fonts::width(w.pieces[0].0, size, " ")
        } else {
            0.0
        };
        if !line.pieces.is_empty() && (w.break_before || line.width + space + w.width > max) {
            lines.push(std::mem::take(&mut line));
        }
        let mut x = if line.pieces.is_empty() {
            0.0
        } else {
            line.width + space
        };
        for (f, s) in w.pieces {
            let pw = fonts::width(f, size, &s);
            line.pieces.push((x, f, s));
            x += pw;
        }
        line.width = x;
    }
    if !line.pieces.is_empty() {
        lines.push(line);
    }
    lines
}

/// The status's lines, wrapped inside its box.
fn status_lines(status: &Status, width: f32) -> Vec<TextLine> {
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

const STATUS_PAD: f32 = 4.0;

fn status_height(lines: &[TextLine]) -> f32 {
    if lines.is_empty() {
        0.0
    } else {
        lines.len() as f32 * STATUS_SIZE * 1.3 + 2.0 * STATUS_PAD + 4.0
    }
}

/// The layout state: pages made so far and the cursor.
pub struct Layout {
    paper: Paper,
    pages: Vec<Vec<Draw>>,
    y: f32,
    bottom: f32,
    furniture: Furniture,
    disclaimer_lines: Vec<TextLine>,
    long_disclaimer: bool,
    status_lines: Vec<TextLine>,
}

const FOOT_SIZE: f32 = 7.5;
/// The review status's size: a caution must be read, not skimmed as small print.
const STATUS_SIZE: f32 = 9.0;
const MAX_FOOT_LINES: usize = 5;

impl Layout {
    pub fn new(paper: Paper, furniture: Furniture) -> Layout {
        let width = paper.width - 2.0 * MARGIN;
        let mut disclaimer_lines = wrap(&[Span::plain(&furniture.disclaimer)], FOOT_SIZE, width);
        let long_disclaimer = disclaimer_lines.len() > MAX_FOOT_LINES;
        if long_disclaimer {
            // Too long for the foot of every page: the caller prints it in the text instead.
            disclaimer_lines = wrap(
                &[Span::plain(
                    "Please read the notice at the end of this document.",
                )],
                FOOT_SIZE,
                width,
            );
        }
        let status_lines = status_lines(&furniture.status, width);
        let foot_h = (disclaimer_lines.len() as f32 + 1.0) * FOOT_SIZE * 1.3
            + 10.0
            + status_height(&status_lines);
        let bottom = paper.height - MARGIN * 0.75 - foot_h;
        Layout {
            paper,
            pages: vec![Vec::new()],
            y: MARGIN,
            bottom,
            furniture,
            disclaimer_lines,
            long_disclaimer,
            status_lines,
        }
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

    fn draw(&mut self, d: Draw) {
        if let Some(p) = self.pages.last_mut() {
            p.push(d);
        }
    }

    fn new_page(&mut self) {
        self.pages.push(Vec::new());
        self.y = MARGIN;
        let (x, w) = (self.left(), self.width());
        let text = self.furniture.running_header.clone();
        self.draw(Draw::Text {
            x,
            y: self.y + 8.0,
            face: Face::Regular,
            size: 8.0,
            grey: 0.35,
            text,
        });
        self.y += 12.0;
        self.draw(Draw::Line {
            x1: x,
            y1: self.y,
            x2: x + w,
            y2: self.y,
            width: 0.5,
            grey: 0.6,
        });
        self.y += 10.0;
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

    pub fn space(&mut self, h: f32) {
        self.y += h;
    }

    /// The clinic's header at the top of the first page.
    pub fn clinic_header(&mut self, clinic: &str, contact: &str) {
        let (x, w) = (self.left(), self.width());
        self.text_lines(&[Span::bold(clinic)], 14.0, x, w, 0.0, 1.25, None);
        if !contact.is_empty() {
            self.text_lines(&[Span::plain(contact)], 9.0, x, w, 0.3, 1.3, None);
        }
        self.y += 4.0;
        self.draw(Draw::Line {
            x1: x,
            y1: self.y,
            x2: x + w,
            y2: self.y,
            width: 1.0,
            grey: 0.2,
        });
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

    fn block_at(&mut self, b: &Block, x: f32, w: f32) {
        match b {
            Block::Heading(level, spans) => {
                let size = match level {
                    1 => 18.0,
                    2 => 13.5,
                    3 => 11.5,
                    _ => BODY,
                };
                self.y += match level {
                    1 => 0.0,
                    2 => 8.0,
                    _ => 5.0,
                };
                let keep = BODY * LEADING * 3.0;
                self.text_lines(spans, size, x, w, 0.0, 1.25, Some(keep));
                self.y += 4.0;
            }
            Block::Paragraph(spans) => {
                self.text_lines(spans, BODY, x, w, 0.0, LEADING, None);
                self.y += 6.0;
            }
            Block::Small(spans) => {
                self.text_lines(spans, 8.5, x, w, 0.2, 1.35, None);
                self.y += 3.0;
            }
            Block::List(start, items) => {
                let indent = 16.0;
                for (i, item) in items.iter().enumerate() {
                    let label = match start {
                        Some(n) => format!("{}.", n + i as u64),
                        None => "•".to_string(),
                    };
                    self.ensure(BODY * LEADING * 2.0);
                    let label_w = fonts::width(Face::Regular, BODY, &label);
                    let top = self.y;
                    let page = self.pages.len();
                    for inner in item {
                        self.block_at(inner, x + indent, w - indent);
                        if matches!(inner, Block::Paragraph(_)) {
                            // Items are closer together than paragraphs.
                            self.y -= 4.0;
                        }
                    }
                    // The label sits on the item's first line: room for two lines was made
                    // above, so that line is on the page the item started on.
                    let pg = page;
                    let d = Draw::Text {
                        x: x + indent - 5.0 - label_w,
                        y: top + BODY * 1.02,
                        face: Face::Regular,
                        size: BODY,
                        grey: 0.0,
                        text: label,
                    };
                    if let Some(p) = self.pages.get_mut(pg - 1) {
                        p.push(d);
                    }
                }
                self.y += 6.0;
            }
            Block::Labelled(items) => {
                let label_w = items
                    .iter()
                    .map(|(l, _)| fonts::width(Face::Regular, 8.5, l))
                    .fold(0.0, f32::max)
                    + 5.0;
                for (label, spans) in items {
                    self.ensure(8.5 * 1.35 * 2.0);
                    let (page, top) = (self.pages.len(), self.y);
                    self.text_lines(spans, 8.5, x + label_w, w - label_w, 0.2, 1.35, None);
                    if let Some(p) = self.pages.get_mut(page - 1) {
                        p.push(Draw::Text {
                            x,
                            y: top + 8.5 * 1.02,
                            face: Face::Regular,
                            size: 8.5,
                            grey: 0.2,
                            text: label.clone(),
                        });
                    }
                    self.y += 2.5;
                }
            }
            Block::Quote(inner) => {
                let (page, top) = (self.pages.len(), self.y);
                for b in inner {
                    self.block_at(b, x + 12.0, w - 12.0);
                }
                let bottom = self.y - 6.0;
                if self.pages.len() == page {
                    self.draw(Draw::Line {
                        x1: x + 3.0,
                        y1: top,
                        x2: x + 3.0,
                        y2: bottom,
                        width: 2.0,
                        grey: 0.7,
                    });
                }
            }
            Block::Rule => {
                self.ensure(12.0);
                self.y += 4.0;
                self.draw(Draw::Line {
                    x1: x,
                    y1: self.y,
                    x2: x + w,
                    y2: self.y,
                    width: 0.5,
                    grey: 0.6,
                });
                self.y += 8.0;
            }
            Block::WriteIn(label) => {
                let size = 11.0;
                self.ensure(size * 2.2);
                let lw = fonts::width(Face::Bold, size, label) + 6.0;
                let baseline = self.y + size * 1.3;
                self.draw(Draw::Text {
                    x,
                    y: baseline,
                    face: Face::Bold,
                    size,
                    grey: 0.0,
                    text: label.clone(),
                });
                self.draw(Draw::Line {
                    x1: x + lw,
                    y1: baseline + 2.0,
                    x2: x + w * 0.7,
                    y2: baseline + 2.0,
                    width: 0.6,
                    grey: 0.3,
                });
                self.y += size * 2.2;
            }
            Block::Table(t) => self.table(t, x, w),
            Block::NeedSpace(h) => self.ensure(*h),
            // Placeholders until the layout draws them: a callout as a quotation, a figure as
            // the room it takes.
            Block::Callout(_, inner) => self.block_at(&Block::Quote(inner.clone()), x, w),
            Block::Figure(f) => {
                self.ensure(f.height);
                self.y += f.height + 6.0;
            }
        }
    }

    fn table(&mut self, t: &Table, x: f32, w: f32) {
        let ncols = t
            .header
            .len()
            .max(t.rows.iter().map(|r| r.len()).max().unwrap_or(0));
        if ncols == 0 {
            return;
        }
        let inner = |c: &Cell, bold: bool| -> (f32, f32) {
            // (natural one-line width, least width)
            match c {
                Cell::Text(spans) => {
                    let spans: Vec<Span> = spans
                        .iter()
                        .map(|s| Span {
                            bold: s.bold || bold,
                            ..s.clone()
                        })
                        .collect();
                    let ws = words(&spans, CELL);
                    let space = fonts::width(Face::Regular, CELL, " ");
                    let nat: f32 = ws
                        .iter()
                        .enumerate()
                        .map(|(i, w)| w.width + if i > 0 && w.space_before { space } else { 0.0 })
                        .sum();
                    let least = ws.iter().map(|w| w.width).fold(0.0, f32::max);
                    (nat, least.min(60.0))
                }
                Cell::Boxes(labels) => {
                    let per_line = (labels.len() as u32).min(7) as f32;
                    let bw = per_line * BOX + (per_line - 1.0).max(0.0) * BOX_GAP;
                    (bw, bw)
                }
                Cell::Blank => (62.0, 48.0),
            }
        };
        let mut nat = vec![0.0f32; ncols];
        let mut least = vec![0.0f32; ncols];
        for (i, c) in t.header.iter().enumerate() {
            let (n, l) = inner(c, true);
            nat[i] = nat[i].max(n);
            least[i] = least[i].max(l);
        }
        for r in &t.rows {
            for (i, c) in r.iter().enumerate() {
                let (n, l) = inner(c, false);
                nat[i] = nat[i].max(n);
                least[i] = least[i].max(l);
            }
        }
        let pads = 2.0 * PAD * ncols as f32;
        let avail = (w - pads).max(10.0);
        let total_nat: f32 = nat.iter().sum();
        let total_least: f32 = least.iter().sum();
        let widths: Vec<f32> = if total_nat <= avail {
            // Spread the spare width in proportion to each column's natural width.
            let extra = avail - total_nat;
            nat.iter()
                .map(|n| n + extra * n / total_nat.max(1.0))
                .collect()
        } else if total_least < avail {
            let spare = avail - total_least;
            let want: f32 = nat.iter().zip(&least).map(|(n, l)| n - l).sum();
            nat.iter()
                .zip(&least)
                .map(|(n, l)| l + spare * (n - l) / want.max(1.0))
                .collect()
        } else {
            least.iter().map(|l| l * avail / total_least).collect()
        };
        let col_x: Vec<f32> = widths
            .iter()
            .scan(x, |acc, cw| {
                let here = *acc;
                *acc += cw + 2.0 * PAD;
                Some(here)
            })
            .collect();
        let lh = CELL * 1.3;
        let prepared = |row: &[Cell], bold: bool| -> (Vec<Vec<TextLine>>, f32) {
            let mut cells = Vec::new();
            let mut h: f32 = lh;
            for (i, c) in row.iter().enumerate() {
                let cw = widths.get(i).copied().unwrap_or(0.0);
                match c {
                    Cell::Text(spans) => {
                        let spans: Vec<Span> = spans
                            .iter()
                            .map(|s| Span {
                                bold: s.bold || bold,
                                ..s.clone()
                            })
                            .collect();
                        let lines = wrap(&spans, CELL, cw + 0.01);
                        h = h.max(lines.len() as f32 * lh);
                        cells.push(lines);
                    }
                    Cell::Boxes(labels) => {
                        let per = (((cw + BOX_GAP) / (BOX + BOX_GAP)).floor() as u32).max(1);
                        let rows = (labels.len() as u32).div_ceil(per).max(1);
                        h = h.max(rows as f32 * (BOX + BOX_GAP) - BOX_GAP);
                        cells.push(Vec::new());
                    }
                    Cell::Blank => cells.push(Vec::new()),
                }
            }
            (cells, h.max(t.min_row_height - 2.0 * PAD) + 2.0 * PAD)
        };
        let (head_lines, head_h) = prepared(&t.header, true);
        let has_header = !t.header.is_empty();
        let draw_row =
            |lay: &mut Layout, row: &[Cell], lines: &[Vec<TextLine>], h: f32, header: bool| {
                let top = lay.y;
                let right = col_x[ncols - 1] + widths[ncols - 1] + 2.0 * PAD;
                if header {
                    lay.draw(Draw::Rect {
                        x,
                        y: top,
                        w: right - x,
                        h,
                        fill: Some(0.88),
                        stroke: None,
                    });
                }
                for i in 0..ncols {
                    let cx = col_x[i] + PAD;
                    let cw = widths[i];
                    match row.get(i) {
                        Some(Cell::Text(_)) => {
                            for (li, line) in lines[i].iter().enumerate() {
                                let dx = if t.align.get(i) == Some(&Align::Right) {
                                    cw - line.width
                                } else {
                                    0.0
                                };
                                let baseline = top + PAD + li as f32 * lh + CELL * 1.0;
                                for (px, face, text) in &line.pieces {
                                    lay.draw(Draw::Text {
                                        x: cx + dx + px,
                                        y: baseline,
                                        face: *face,
                                        size: CELL,
                                        grey: 0.0,
                                        text: text.clone(),
                                    });
                                }
                            }
                        }
                        Some(Cell::Boxes(labels)) => {
                            let per = (((cw + BOX_GAP) / (BOX + BOX_GAP)).floor() as u32).max(1);
                            for b in 0..labels.len() as u32 {
                                let (r, c) = (b / per, b % per);
                                lay.draw(Draw::Rect {
                                    x: cx + c as f32 * (BOX + BOX_GAP),
                                    y: top + PAD + r as f32 * (BOX + BOX_GAP) + 1.0,
                                    w: BOX,
                                    h: BOX,
                                    fill: None,
                                    stroke: Some(0.25),
                                });
                            }
                        }
                        _ => {}
                    }
                }
                // Cell borders.
                lay.draw(Draw::Line {
                    x1: x,
                    y1: top,
                    x2: right,
                    y2: top,
                    width: 0.5,
                    grey: 0.45,
                });
                lay.draw(Draw::Line {
                    x1: x,
                    y1: top + h,
                    x2: right,
                    y2: top + h,
                    width: 0.5,
                    grey: 0.45,
                });
                for cx in col_x.iter().copied().chain(std::iter::once(right)) {
                    lay.draw(Draw::Line {
                        x1: cx,
                        y1: top,
                        x2: cx,
                        y2: top + h,
                        width: 0.5,
                        grey: 0.45,
                    });
                }
                lay.y += h;
            };
        // Keep the header with at least the first row.
        let first_h = t.rows.first().map(|r| prepared(r, false).1).unwrap_or(0.0);
        self.ensure(head_h + first_h);
        if has_header {
            draw_row(self, &t.header, &head_lines, head_h, true);
        }
        for r in &t.rows {
            let (lines, h) = prepared(r, false);
            if self.y + h > self.bottom {
                self.new_page();
                if has_header {
                    draw_row(self, &t.header, &head_lines, head_h, true);
                }
            }
            draw_row(self, r, &lines, h, false);
        }
        self.y += 10.0;
    }

    /// Room left on the current page, for callers that want to keep things together.
    pub fn remaining(&self) -> f32 {
        self.room()
    }

    /// The review status at `y` in a footer: a caution bold in a box, a review line plain.
    /// Returns the `y` below it.
    fn draw_status(&self, d: &mut Vec<Draw>, y: f32) -> f32 {
        if self.status_lines.is_empty() {
            return y;
        }
        let (x, w) = (self.left(), self.width());
        let h = status_height(&self.status_lines) - 4.0;
        let caution = self.furniture.status.caution;
        if caution {
            d.push(Draw::Rect {
                x,
                y,
                w,
                h,
                fill: Some(0.92),
                stroke: Some(0.0),
            });
        }
        let mut ty = y + STATUS_PAD;
        for line in &self.status_lines {
            for (dx, face, text) in &line.pieces {
                d.push(Draw::Text {
                    x: x + STATUS_PAD + dx,
                    y: ty + STATUS_SIZE,
                    face: *face,
                    size: STATUS_SIZE,
                    grey: if caution { 0.0 } else { 0.3 },
                    text: text.clone(),
                });
            }
            ty += STATUS_SIZE * 1.3;
        }
        y + h + 4.0
    }

    /// Finish: footers with "Page N of M", then printpdf pages.
    pub fn finish(mut self) -> Vec<PdfPage> {
        let n = self.pages.len();
        let (x, w) = (self.left(), self.width());
        let lh = FOOT_SIZE * 1.3;
        let foot_top = self.bottom + 8.0;
        for i in 0..n {
            let mut d = Vec::new();
            d.push(Draw::Line {
                x1: x,
                y1: foot_top,
                x2: x + w,
                y2: foot_top,
                width: 0.5,
                grey: 0.6,
            });
            let mut y = foot_top + 3.0;
            y = self.draw_status(&mut d, y);
            for line in &self.disclaimer_lines {
                for (dx, face, text) in &line.pieces {
                    d.push(Draw::Text {
                        x: x + dx,
                        y: y + FOOT_SIZE,
                        face: *face,
                        size: FOOT_SIZE,
                        grey: 0.3,
                        text: text.clone(),
                    });
                }
                y += lh;
            }
            d.push(Draw::Text {
                x,
                y: y + FOOT_SIZE + 2.0,
                face: Face::Regular,
                size: FOOT_SIZE,
                grey: 0.3,
                text: self.furniture.footer_left.clone(),
            });
            let page = format!("Page {} of {}", i + 1, n);
            let pw = fonts::width(Face::Bold, FOOT_SIZE, &page);
            d.push(Draw::Text {
                x: x + w - pw,
                y: y + FOOT_SIZE + 2.0,
                face: Face::Bold,
                size: FOOT_SIZE,
                grey: 0.0,
                text: page,
            });
            self.pages[i].extend(d);
        }
        let (pw, ph) = (self.paper.width, self.paper.height);
        self.pages
            .into_iter()
            .map(|draws| PdfPage::new(Mm(pw / MM), Mm(ph / MM), to_ops(&draws, ph)))
            .collect()
    }
}

fn grey(g: f32) -> Color {
    Color::Greyscale(Greyscale {
        percent: g,
        icc_profile: None,
    })
}

fn pt(x: f32, y: f32, ph: f32) -> Point {
    Point {
        x: Pt(x),
        y: Pt(ph - y),
    }
}

fn to_ops(draws: &[Draw], ph: f32) -> Vec<Op> {
    let mut ops = Vec::with_capacity(draws.len() * 6);
    // Shapes first, then text, so fills never cover words.
    for d in draws {
        match d {
            Draw::Line {
                x1,
                y1,
                x2,
                y2,
                width,
                grey: g,
            } => {
                ops.push(Op::SetOutlineColor { col: grey(*g) });
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                ops.push(Op::DrawLine {
                    line: Line {
                        points: vec![
                            LinePoint {
                                p: pt(*x1, *y1, ph),
                                bezier: false,
                            },
                            LinePoint {
                                p: pt(*x2, *y2, ph),
                                bezier: false,
                            },
                        ],
                        is_closed: false,
                    },
                });
            }
            Draw::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => {
                let mut r = Rect::from_xywh(Pt(*x), Pt(ph - y - h), Pt(*w), Pt(*h));
                if let Some(f) = fill {
                    ops.push(Op::SetFillColor { col: grey(*f) });
                    r.mode = Some(PaintMode::Fill);
                    ops.push(Op::DrawRectangle {
                        rectangle: r.clone(),
                    });
                }
                if let Some(s) = stroke {
                    ops.push(Op::SetOutlineColor { col: grey(*s) });
                    ops.push(Op::SetOutlineThickness { pt: Pt(0.8) });
                    r.mode = Some(PaintMode::Stroke);
                    ops.push(Op::DrawRectangle { rectangle: r });
                }
            }
            Draw::Text { .. } => {}
        }
    }
    let mut current: Option<(Face, f32, f32)> = None;
    for d in draws {
        if let Draw::Text {
            x,
            y,
            face,
            size,
            grey: g,
            text,
        } = d
        {
            ops.push(Op::StartTextSection);
            if current.map(|c| c.0 != *face || c.1 != *size) != Some(false) {
                ops.push(Op::SetFont {
                    font: PdfFontHandle::External(face.id()),
                    size: Pt(*size),
                });
            }
            if current.map(|c| c.2 != *g) != Some(false) {
                ops.push(Op::SetFillColor { col: grey(*g) });
            }
            current = Some((*face, *size, *g));
            ops.push(Op::SetTextCursor {
                pos: pt(*x, *y, ph),
            });
            ops.push(Op::ShowText {
                items: vec![TextItem::Text(text.clone())],
            });
            // A text cursor move is relative to the line start in PDF (Td); end the section so
            // the next absolute position starts fresh.
            ops.push(Op::EndTextSection);
        }
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_within_width_and_keeps_styles() {
        let spans = vec![
            Span::plain("Stopping all at once can bring on "),
            Span::bold("withdrawal"),
            Span::plain(": aching muscles, a runny nose, poor sleep."),
        ];
        let lines = wrap(&spans, 10.0, 150.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width <= 150.0 + 0.01));
        let bold: Vec<_> = lines
            .iter()
            .flat_map(|l| &l.pieces)
            .filter(|p| p.1 == Face::Bold)
            .collect();
        assert_eq!(bold.len(), 1);
        assert_eq!(bold[0].2, "withdrawal");
        // Punctuation right after a styled word stays on its line.
        let all: String = lines
            .iter()
            .map(|l| {
                l.pieces
                    .iter()
                    .map(|p| p.2.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect::<Vec<_>>()
            .join("/");
        assert!(all.contains("withdrawal|:"), "{all}");
    }

    #[test]
    fn a_long_disclaimer_moves_out_of_the_footer() {
        let f = |d: &str| Furniture {
            running_header: "Clinic".into(),
            disclaimer: d.into(),
            footer_left: "Made".into(),
            status: Status::default(),
        };
        let short = Layout::new(A4, f("Talk to your care team."));
        assert!(!short.disclaimer_in_text());
        let long = Layout::new(A4, f(&"Read this with care. ".repeat(80)));
        assert!(long.disclaimer_in_text());
        assert!(long.bottom > A4.height * 0.8, "{}", long.bottom);
    }

    #[test]
    fn very_long_words_are_split() {
        let lines = wrap(&[Span::plain("x".repeat(200))], 10.0, 100.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width <= 100.5));
    }

    #[test]
    fn long_tables_repeat_their_header() {
        let furniture = Furniture {
            running_header: "Clinic".into(),
            disclaimer: "Disclaimer".into(),
            footer_left: "Made".into(),
            status: Status::default(),
        };
        let mut l = Layout::new(A4, furniture);
        let t = Table {
            header: vec![Cell::text("Step"), Cell::text("Dose")],
            rows: (0..80)
                .map(|i| {
                    vec![
                        Cell::text(i.to_string()),
                        Cell::Boxes(vec![String::new(); 7]),
                    ]
                })
                .collect(),
            align: vec![Align::Right, Align::Left],
            min_row_height: 0.0,
        };
        l.block(&Block::Table(t));
        assert!(l.pages.len() >= 3, "{}", l.pages.len());
        for p in &l.pages {
            let heads = p
                .iter()
                .filter(|d| matches!(d, Draw::Text { text, .. } if text == "Step"))
                .count();
            assert_eq!(heads, 1);
            // Nothing drawn below the footer line.
            for d in p {
                if let Draw::Text { y, .. } = d {
                    assert!(*y <= l.bottom + 0.5, "{y} > {}", l.bottom);
                }
            }
        }
        let pages = l.finish();
        assert!(pages.len() >= 3);
    }
}
