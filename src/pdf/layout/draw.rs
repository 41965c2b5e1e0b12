//! What the layout draws, and its translation into printpdf operations: shapes first, then
//! text (so fills never cover words), each run of things with the same [`Mark`] wrapped in a
//! marked-content sequence (`BDC /P << /MCID n >>` ... `EMC`, or `/Artifact`).

use std::collections::BTreeMap;

use printpdf::{
    Color, DictItem, Greyscale, Line, LinePoint, Op, PaintMode, PdfFontHandle, Point, Pt, Rect,
    TextItem, XObjectId, XObjectTransform,
};

use super::fonts::Face;
use super::tags::{Elem, Mark};

/// Something drawn on a page. Coordinates are points from the page's top-left corner.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Draw {
    /// Baseline at `y`.
    Text {
        x: f32,
        y: f32,
        face: Face,
        size: f32,
        grey: f32,
        text: String,
    },
    /// An open polyline (two points for a plain line).
    Line {
        points: Vec<(f32, f32)>,
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
        /// The stroke's width.
        width: f32,
    },
    /// The image named `name` in the document's resources, its top-left corner at (`x`, `y`).
    Image {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        name: String,
    },
}

impl Draw {
    /// A straight line.
    pub fn line(x1: f32, y1: f32, x2: f32, y2: f32, width: f32, grey: f32) -> Draw {
        Draw::Line {
            points: vec![(x1, y1), (x2, y2)],
            width,
            grey,
        }
    }
}

/// A drawn thing and what it is for the structure tree.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Item {
    pub mark: Mark,
    pub draw: Draw,
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

/// Opens and closes marked-content sequences, and numbers the page's content sequences.
struct Marker<'a> {
    elems: &'a [Elem],
    open: Option<Mark>,
    /// The element of each marked-content id, in order.
    mcids: Vec<usize>,
}

impl Marker<'_> {
    fn switch(&mut self, ops: &mut Vec<Op>, mark: Mark) {
        if self.open == Some(mark) {
            return;
        }
        self.end(ops);
        ops.push(match mark {
            Mark::Content(e) => {
                let role = self.elems.get(e).map(|e| e.role.name()).unwrap_or("Span");
                let mut map = BTreeMap::new();
                map.insert("MCID".to_string(), DictItem::Int(self.mcids.len() as i64));
                self.mcids.push(e);
                Op::BeginMarkedContentWithProperties {
                    tag: role.to_string(),
                    properties: DictItem::Dict { map },
                }
            }
            Mark::Layout => Op::BeginMarkedContent {
                tag: "Artifact".to_string(),
            },
            Mark::Pagination => {
                let mut map = BTreeMap::new();
                map.insert("Type".to_string(), DictItem::Name(b"Pagination".to_vec()));
                Op::BeginMarkedContentWithProperties {
                    tag: "Artifact".to_string(),
                    properties: DictItem::Dict { map },
                }
            }
        });
        self.open = Some(mark);
    }

    fn end(&mut self, ops: &mut Vec<Op>) {
        if self.open.take().is_some() {
            ops.push(Op::EndMarkedContent);
        }
    }
}

fn shape_ops(ops: &mut Vec<Op>, d: &Draw, ph: f32) {
    match d {
        Draw::Line {
            points,
            width,
            grey: g,
        } => {
            if points.len() < 2 {
                return;
            }
            ops.push(Op::SetOutlineColor { col: grey(*g) });
            ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
            ops.push(Op::DrawLine {
                line: Line {
                    points: points
                        .iter()
                        .map(|(x, y)| LinePoint {
                            p: pt(*x, *y, ph),
                            bezier: false,
                        })
                        .collect(),
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
            width,
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
                ops.push(Op::SetOutlineThickness { pt: Pt(*width) });
                r.mode = Some(PaintMode::Stroke);
                ops.push(Op::DrawRectangle { rectangle: r });
            }
        }
        // An image fills the unit square: scaled to its box, moved to its bottom-left corner.
        Draw::Image { x, y, w, h, name } => ops.push(Op::UseXobject {
            id: XObjectId(name.clone()),
            transform: XObjectTransform {
                translate_x: Some(Pt(*x)),
                translate_y: Some(Pt(ph - y - h)),
                scale_x: Some(*w),
                scale_y: Some(*h),
                no_auto_scale: true,
                ..Default::default()
            },
        }),
        Draw::Text { .. } => {}
    }
}

/// The page's operations, and the element of each of its marked-content ids.
pub(super) fn to_ops(items: &[Item], ph: f32, elems: &[Elem]) -> (Vec<Op>, Vec<usize>) {
    let mut ops = Vec::with_capacity(items.len() * 8);
    let mut m = Marker {
        elems,
        open: None,
        mcids: Vec::new(),
    };
    for it in items {
        if !matches!(it.draw, Draw::Text { .. }) {
            m.switch(&mut ops, it.mark);
            shape_ops(&mut ops, &it.draw, ph);
        }
    }
    m.end(&mut ops);
    let mut current: Option<(Face, f32, f32)> = None;
    for it in items {
        if let Draw::Text {
            x,
            y,
            face,
            size,
            grey: g,
            text,
        } = &it.draw
        {
            m.switch(&mut ops, it.mark);
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
    m.end(&mut ops);
    (ops, m.mcids)
}

#[cfg(test)]
mod tests {
    use super::super::tags::Role;
    use super::*;

    #[test]
    fn runs_of_one_mark_share_a_sequence() {
        let elems = vec![
            Elem {
                role: Role::Document,
                parent: None,
                alt: None,
                title: None,
                bbox: None,
            },
            Elem {
                role: Role::P,
                parent: Some(0),
                alt: None,
                title: None,
                bbox: None,
            },
        ];
        let text = |s: &str| Draw::Text {
            x: 0.0,
            y: 10.0,
            face: Face::Regular,
            size: 10.0,
            grey: 0.0,
            text: s.into(),
        };
        let items = vec![
            Item {
                mark: Mark::Content(1),
                draw: text("a"),
            },
            Item {
                mark: Mark::Layout,
                draw: Draw::line(0.0, 0.0, 5.0, 0.0, 1.0, 0.0),
            },
            Item {
                mark: Mark::Content(1),
                draw: text("b"),
            },
            Item {
                mark: Mark::Pagination,
                draw: text("Page 1 of 1"),
            },
        ];
        let (ops, mcids) = to_ops(&items, 100.0, &elems);
        // "a" and "b" are one run in the text pass: one MCID.
        assert_eq!(mcids, vec![1]);
        let begins = ops
            .iter()
            .filter(|o| {
                matches!(
                    o,
                    Op::BeginMarkedContent { .. } | Op::BeginMarkedContentWithProperties { .. }
                )
            })
            .count();
        let ends = ops
            .iter()
            .filter(|o| matches!(o, Op::EndMarkedContent))
            .count();
        assert_eq!((begins, ends), (3, 3));
    }
}
