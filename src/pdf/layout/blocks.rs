//! Laying out each kind of block, and tagging it: headings (H1..H6), paragraphs (P), lists
//! (L > LI > Lbl + LBody), quotations (BlockQuote), callouts (a Div under its label) and
//! figures (Figure with its text alternative). Rules and borders are artifacts.

use super::draw::Draw;
use super::tags::{Mark, Role};
use super::{fonts, Block, CalloutKind, Face, Figure, Layout, Picture, Shape, Span, BODY, LEADING};

impl CalloutKind {
    /// The label at the top of a callout's box: the web page's words
    /// ([`Boxed::label`](crate::audience::blocks::Boxed::label)), decided in one place.
    pub fn label(self) -> &'static str {
        use crate::audience::blocks::Boxed;
        match self {
            CalloutKind::Note => Boxed::Note,
            CalloutKind::Warning => Boxed::Warning,
            CalloutKind::Urgent => Boxed::Urgent,
        }
        .label()
    }

    /// The box's tint, border grey and border width: the more urgent, the darker and heavier.
    fn style(self) -> (f32, f32, f32) {
        match self {
            CalloutKind::Note => (0.96, 0.55, 0.8),
            CalloutKind::Warning => (0.93, 0.2, 1.2),
            CalloutKind::Urgent => (0.88, 0.0, 2.0),
        }
    }
}

/// Room between a callout's border and its text.
const CALLOUT_PAD: f32 = 8.0;

impl Layout {
    pub(super) fn block_at(&mut self, b: &Block, x: f32, w: f32) {
        match b {
            Block::Heading(level, spans) => self.heading(*level, spans, x, w),
            Block::Paragraph(spans) => {
                self.tagged(Role::P, |l| {
                    l.text_lines(spans, BODY, x, w, 0.0, LEADING, None)
                });
                self.y += 6.0;
            }
            Block::Small(spans) => {
                self.tagged(Role::P, |l| l.text_lines(spans, 8.5, x, w, 0.2, 1.35, None));
                self.y += 3.0;
            }
            Block::List(start, items) => self.list(*start, items, x, w),
            Block::Labelled(items) => self.labelled(items, x, w),
            Block::Table(t) => self.table(t, x, w),
            Block::Quote(inner) => {
                let (page, top) = (self.pages.len() - 1, self.y);
                self.tagged(Role::BlockQuote, |l| {
                    for b in inner {
                        l.block_at(b, x + 12.0, w - 12.0);
                    }
                });
                for (p, t, b) in self.segments(page, top, self.y - 6.0) {
                    self.draw_on(
                        p,
                        Mark::Layout,
                        Draw::line(x + 3.0, t, x + 3.0, b, 2.0, 0.7),
                    );
                }
            }
            Block::Rule => {
                self.ensure(12.0);
                self.y += 4.0;
                self.deco(Draw::line(x, self.y, x + w, self.y, 0.5, 0.6));
                self.y += 8.0;
            }
            Block::WriteIn(label) => self.write_in(label, x, w),
            Block::NeedSpace(h) => self.ensure(*h),
            Block::Callout(kind, inner) => self.callout(*kind, inner, x, w),
            Block::Figure(f) => self.figure(f, x, w),
            Block::Picture(p) => self.picture(p, x, w),
        }
    }

    /// A heading, bold as on the web page, kept with what follows it.
    fn heading(&mut self, level: u8, spans: &[Span], x: f32, w: f32) {
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
        let bold: Vec<Span> = spans
            .iter()
            .map(|s| Span {
                bold: true,
                ..s.clone()
            })
            .collect();
        self.tagged(Role::H(level.clamp(1, 6)), |l| {
            l.text_lines(&bold, size, x, w, 0.0, 1.25, Some(keep))
        });
        self.y += 4.0;
    }

    /// For each page from `page` (where something began at `top`) to the current one (where
    /// it ends at `end`): the page and the part's top and bottom on it.
    fn segments(&self, page: usize, top: f32, end: f32) -> Vec<(usize, f32, f32)> {
        let last = self.pages.len() - 1;
        (page..=last)
            .map(|p| {
                let t = if p == page {
                    top
                } else {
                    Layout::page_top() - 4.0
                };
                let b = if p == last { end } else { self.bottom };
                (p, t, b.max(t))
            })
            .collect()
    }

    fn list(&mut self, start: Option<u64>, items: &[Vec<Block>], x: f32, w: f32) {
        let indent = 16.0;
        self.open(Role::L);
        for (i, item) in items.iter().enumerate() {
            let label = match start {
                Some(n) => format!("{}.", n + i as u64),
                None => "•".to_string(),
            };
            self.ensure(BODY * LEADING * 2.0);
            let label_w = fonts::width(Face::Regular, BODY, &label);
            let (page, top) = (self.pages.len() - 1, self.y);
            self.open(Role::LI);
            let lbl = self.tagged(Role::Lbl, |_| {});
            self.tagged(Role::LBody, |l| {
                for inner in item {
                    l.block_at(inner, x + indent, w - indent);
                    if matches!(inner, Block::Paragraph(_)) {
                        // Items are closer together than paragraphs.
                        l.y -= 4.0;
                    }
                }
            });
            self.close();
            // The label sits on the item's first line: room for two lines was made above, so
            // that line is on the page the item started on.
            let d = Draw::Text {
                x: x + indent - 5.0 - label_w,
                y: top + BODY * 1.02,
                face: Face::Regular,
                size: BODY,
                grey: 0.0,
                text: label,
            };
            self.draw_on(page, Mark::Content(lbl), d);
        }
        self.close();
        self.y += 6.0;
    }

    /// A list with given labels (the references).
    fn labelled(&mut self, items: &[(String, Vec<Span>)], x: f32, w: f32) {
        let label_w = items
            .iter()
            .map(|(l, _)| fonts::width(Face::Regular, 8.5, l))
            .fold(0.0, f32::max)
            + 5.0;
        self.open(Role::L);
        for (label, spans) in items {
            self.ensure(8.5 * 1.35 * 2.0);
            let (page, top) = (self.pages.len() - 1, self.y);
            self.open(Role::LI);
            let lbl = self.tagged(Role::Lbl, |_| {});
            self.tagged(Role::LBody, |l| {
                l.text_lines(spans, 8.5, x + label_w, w - label_w, 0.2, 1.35, None)
            });
            self.close();
            let d = Draw::Text {
                x,
                y: top + 8.5 * 1.02,
                face: Face::Regular,
                size: 8.5,
                grey: 0.2,
                text: label.clone(),
            };
            self.draw_on(page, Mark::Content(lbl), d);
            self.y += 2.5;
        }
        self.close();
    }

    /// A label and a line to write on.
    fn write_in(&mut self, label: &str, x: f32, w: f32) {
        let size = 11.0;
        self.ensure(size * 2.2);
        let lw = fonts::width(Face::Bold, size, label) + 6.0;
        let baseline = self.y + size * 1.3;
        self.tagged(Role::P, |l| {
            l.draw(Draw::Text {
                x,
                y: baseline,
                face: Face::Bold,
                size,
                grey: 0.0,
                text: label.to_string(),
            })
        });
        let line = Draw::line(
            x + lw,
            baseline + 2.0,
            x + w * 0.7,
            baseline + 2.0,
            0.6,
            0.3,
        );
        self.deco(line);
        self.y += size * 2.2;
    }

    /// A callout's label and blocks, inside its padding.
    fn callout_body(&mut self, kind: CalloutKind, inner: &[Block], x: f32, w: f32) {
        self.y += CALLOUT_PAD;
        let label = [Span::bold(self.furniture.callout_label(kind))];
        self.tagged(Role::P, |l| {
            l.text_lines(&label, BODY, x, w, 0.0, LEADING, Some(BODY * LEADING))
        });
        self.y += 3.0;
        for b in inner {
            self.block_at(b, x, w);
        }
        // The last block's own space below it is part of the padding.
        self.y += CALLOUT_PAD - 6.0;
    }

    /// A boxed callout: a tinted box with a border, its label in bold on top; kept on one page
    /// when it fits on one.
    fn callout(&mut self, kind: CalloutKind, inner: &[Block], x: f32, w: f32) {
        let (ix, iw) = (x + CALLOUT_PAD, w - 2.0 * CALLOUT_PAD);
        let h = self.measure(|l| l.callout_body(kind, inner, ix, iw));
        if h <= self.page_room() {
            self.ensure(h + 2.0);
        } else {
            self.ensure(CALLOUT_PAD + 3.0 * BODY * LEADING);
        }
        self.y += 2.0;
        let (page, top) = (self.pages.len() - 1, self.y);
        let div = self.open(Role::Div);
        self.elems[div].title = Some(self.furniture.callout_label(kind).to_string());
        self.callout_body(kind, inner, ix, iw);
        self.close();
        let (fill, stroke, width) = kind.style();
        for (p, t, b) in self.segments(page, top, self.y) {
            let rect = Draw::Rect {
                x,
                y: t,
                w,
                h: b - t,
                fill: Some(fill),
                stroke: Some(stroke),
                width,
            };
            self.draw_on(p, Mark::Layout, rect);
        }
        self.y += 10.0;
    }

    /// A vector figure at the cursor, scaled down to fit the width and a page, kept on one page.
    /// A figure with no text alternative is decoration (an artifact).
    fn figure(&mut self, f: &Figure, x: f32, w: f32) {
        let mut scale: f32 = 1.0;
        if f.width > w && f.width > 0.0 {
            scale = w / f.width;
        }
        if f.height * scale > self.page_room() && f.height > 0.0 {
            scale = self.page_room() / f.height;
        }
        let h = (f.height * scale).max(0.0);
        self.ensure(h);
        let (ox, oy) = (x, self.y);
        let mark = self.figure_mark(&f.alt, ox, oy, f.width.max(0.0) * scale, h);
        for s in &f.shapes {
            self.draw_as(mark, shape(s, ox, oy, scale));
        }
        self.y += h + 6.0;
    }

    /// The mark of a figure drawn in the box at (`x`, `y`) of `w` by `h` points: a `Figure`
    /// element with its text alternative and box, or an artifact when it has no text.
    fn figure_mark(&mut self, alt: &str, x: f32, y: f32, w: f32, h: f32) -> Mark {
        if alt.trim().is_empty() {
            return Mark::Layout;
        }
        let e = self.open(Role::Figure);
        let ph = self.paper.height;
        self.elems[e].alt = Some(alt.trim().to_string());
        let bbox = [x, ph - y - h, x + w, ph - y];
        self.elems[e].bbox = Some((self.pages.len() - 1, bbox));
        self.close();
        Mark::Content(e)
    }

    /// A raster image at the cursor: at its natural size, scaled down (keeping its shape) to
    /// fit the width and a page, and kept on one page. Tagged as a figure is.
    fn picture(&mut self, p: &Picture, x: f32, w: f32) {
        let (mut pw, mut ph) = (p.width, p.height);
        if pw > w {
            ph *= w / pw;
            pw = w;
        }
        let room = self.page_room();
        if ph > room {
            pw *= room / ph;
            ph = room;
        }
        // Nothing to draw for an image of no size (or a size that is not a number).
        if !(pw > 0.0 && ph > 0.0 && pw.is_finite() && ph.is_finite()) {
            return;
        }
        self.ensure(ph);
        let y = self.y;
        let mark = self.figure_mark(&p.alt, x, y, pw, ph);
        let name = format!("Im{}", self.images.len() + 1);
        self.images.push((name.clone(), p.image.clone()));
        self.draw_as(
            mark,
            Draw::Image {
                x,
                y,
                w: pw,
                h: ph,
                name,
            },
        );
        self.y += ph + 6.0;
    }
}

/// A figure's shape on the page, the figure's top-left corner at (`ox`, `oy`).
fn shape(s: &Shape, ox: f32, oy: f32, k: f32) -> Draw {
    match s {
        Shape::Line {
            points,
            width,
            grey,
        } => Draw::Line {
            points: points
                .iter()
                .map(|(x, y)| (ox + x * k, oy + y * k))
                .collect(),
            width: width * k,
            grey: *grey,
        },
        Shape::Rect {
            x,
            y,
            w,
            h,
            fill,
            stroke,
        } => Draw::Rect {
            x: ox + x * k,
            y: oy + y * k,
            w: w * k,
            h: h * k,
            fill: *fill,
            stroke: *stroke,
            width: 0.8 * k,
        },
        Shape::Text {
            x,
            y,
            size,
            bold,
            grey,
            text,
        } => Draw::Text {
            x: ox + x * k,
            y: oy + y * k,
            face: Face::new(*bold, false),
            size: size * k,
            grey: *grey,
            text: text.clone(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::furniture;
    use super::super::{Item, A4};
    use super::*;

    fn texts(p: &[Item]) -> Vec<&str> {
        p.iter()
            .filter_map(|it| match &it.draw {
                Draw::Text { text, .. } => Some(text.as_str()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_callout_is_boxed_labelled_and_kept_together() {
        let mut l = Layout::new(A4, furniture());
        // Fill the page but for a little room.
        let room = l.room();
        l.space(room - 60.0);
        let inner = vec![Block::Paragraph(vec![Span::plain(
            "Call now if you have a seizure or faint. ".repeat(6),
        )])];
        l.block(&Block::Callout(CalloutKind::Urgent, inner));
        assert_eq!(l.pages.len(), 2, "the callout moved to a new page whole");
        let p = &l.pages[1];
        let t = texts(p);
        assert_eq!(t[1], CalloutKind::Urgent.label(), "{t:?}");
        let rect = p.iter().find_map(|it| match it.draw {
            Draw::Rect { y, h, fill, .. } => Some((it.mark, y, h, fill)),
            _ => None,
        });
        let (mark, y, h, fill) = rect.expect("a box");
        assert_eq!(mark, Mark::Layout);
        assert_eq!(fill, Some(0.88));
        // Every word is inside the box.
        for it in p {
            if let (Draw::Text { y: ty, .. }, Mark::Content(_)) = (&it.draw, it.mark) {
                assert!(*ty > y && *ty < y + h, "{ty} outside {y}..{}", y + h);
            }
        }
        let div = l.elems.iter().find(|e| e.role == Role::Div).expect("a Div");
        assert_eq!(div.title.as_deref(), Some(CalloutKind::Urgent.label()));
    }

    #[test]
    fn a_figure_is_drawn_scaled_to_fit_and_tagged_with_its_text() {
        let mut l = Layout::new(A4, furniture());
        let f = Figure {
            alt: "Dose falls from 20 g to 0 over 24 weeks.".into(),
            width: 2000.0,
            height: 100.0,
            shapes: vec![
                Shape::Line {
                    points: vec![(0.0, 0.0), (2000.0, 100.0)],
                    width: 2.0,
                    grey: 0.0,
                },
                Shape::Text {
                    x: 0.0,
                    y: 50.0,
                    size: 40.0,
                    bold: false,
                    grey: 0.0,
                    text: "20 g".into(),
                },
            ],
        };
        l.block(&Block::Figure(f.clone()));
        let w = l.width();
        let line = l.pages[0].iter().find_map(|it| match &it.draw {
            Draw::Line { points, .. } => Some((it.mark, points.clone())),
            _ => None,
        });
        let (mark, pts) = line.expect("the line");
        assert!((pts[1].0 - pts[0].0 - w).abs() < 0.01, "{pts:?}");
        let Mark::Content(e) = mark else {
            panic!("{mark:?}")
        };
        assert_eq!(l.elems[e].role, Role::Figure);
        assert_eq!(l.elems[e].alt.as_deref(), Some(f.alt.as_str()));
        // Without a text alternative, decoration.
        l.block(&Block::Figure(Figure {
            alt: " ".into(),
            ..f
        }));
        assert_eq!(l.elems.iter().filter(|e| e.role == Role::Figure).count(), 1);
    }

    fn picture(w: usize, h: usize, alt: &str) -> Picture {
        let image = printpdf::RawImage {
            pixels: printpdf::RawImageData::U8(vec![0; w * h * 3]),
            width: w,
            height: h,
            data_format: printpdf::RawImageFormat::RGB8,
            tag: Vec::new(),
        };
        Picture::new(alt, image)
    }

    fn images(p: &[Item]) -> Vec<(f32, f32, f32, f32, Mark)> {
        p.iter()
            .filter_map(|it| match &it.draw {
                Draw::Image { x, y, w, h, .. } => Some((*x, *y, *w, *h, it.mark)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_picture_is_scaled_down_never_up_kept_on_a_page_and_tagged() {
        let mut l = Layout::new(A4, furniture());
        let w = l.width();
        // 300 pixels at 150 dpi: 144 points, drawn so (not stretched to the width).
        l.block(&Block::Picture(picture(300, 150, "A small chart")));
        let small = images(&l.pages[0]);
        assert_eq!(small.len(), 1);
        assert!((small[0].2 - 144.0).abs() < 0.01 && (small[0].3 - 72.0).abs() < 0.01);
        let Mark::Content(e) = small[0].4 else {
            panic!("{:?}", small[0].4)
        };
        assert_eq!(l.elems[e].role, Role::Figure);
        assert_eq!(l.elems[e].alt.as_deref(), Some("A small chart"));
        // 3,000 pixels wide: the text width, its shape kept.
        l.block(&Block::Picture(picture(3000, 1500, "Wide")));
        let wide = images(&l.pages[0]);
        assert!((wide[1].2 - w).abs() < 0.01 && (wide[1].3 - w / 2.0).abs() < 0.01);
        // Taller than a page: the height of a page; it does not fit below: the next page.
        l.block(&Block::Picture(picture(500, 20000, "")));
        assert_eq!(l.pages.len(), 2);
        let tall = images(&l.pages[1]);
        assert_eq!(tall.len(), 1);
        assert!((tall[0].3 - l.page_room()).abs() < 0.01);
        assert!((tall[0].2 / tall[0].3 - 500.0 / 20000.0).abs() < 1e-4);
        // No alt text: decoration.
        assert_eq!(tall[0].4, Mark::Layout);
        assert_eq!(l.images.len(), 3);
        assert_eq!(l.images[2].0, "Im3");
    }

    #[test]
    fn a_heading_goes_to_the_next_page_with_its_picture() {
        let mut l = Layout::new(A4, furniture());
        let room = l.room();
        l.space(room - 120.0);
        let heading = Block::Heading(2, vec![Span::plain("Wide")]);
        l.blocks(&[heading, Block::Picture(picture(1000, 500, "Chart"))]);
        assert_eq!(l.pages.len(), 2);
        assert!(texts(&l.pages[0]).is_empty(), "{:?}", texts(&l.pages[0]));
        assert!(texts(&l.pages[1]).contains(&"Wide"));
        assert_eq!(images(&l.pages[1]).len(), 1);
    }
}
