//! Tables: column widths from the cells' natural and least widths, rows of wrapped text and
//! tick boxes, and page breaks that never split a row, never leave the last row alone, and
//! never leave a repeated header without rows under it. Tagged as Table > TR > TH/TD; a
//! header repeated on a later page is an artifact.

use super::draw::Draw;
use super::tags::Role;
use super::wrap::{words, wrap, TextLine};
use super::{fonts, Align, Cell, Face, Layout, Span, Table};

const CELL: f32 = 9.5;
const PAD: f32 = 3.5;
/// A tick box's side: more than 5 mm (14.2 pt), to tick with a pen.
pub(super) const BOX: f32 = 14.5;
const _: () = assert!(BOX >= 5.0 * super::MM);
/// Room between boxes side by side.
const BOX_GAP: f32 = 5.0;
/// Room between lines of boxes.
const BOX_VGAP: f32 = 4.0;
/// The boxes' labels (a weekday or a day number), above each box.
const LABEL_SIZE: f32 = 6.5;
const LABEL_H: f32 = 8.0;
/// At most a week of boxes on a line.
const WEEK: usize = 7;

fn labelled(labels: &[String]) -> bool {
    labels.iter().any(|l| !l.is_empty())
}

/// How many boxes fit on a line of a cell `cw` wide.
fn boxes_per_line(cw: f32) -> usize {
    (((cw + BOX_GAP) / (BOX + BOX_GAP)).floor() as usize).clamp(1, WEEK)
}

/// The width of `n` boxes side by side.
fn boxes_width(n: usize) -> f32 {
    n as f32 * BOX + n.saturating_sub(1) as f32 * BOX_GAP
}

/// The height of a cell's boxes, wrapped to lines within the cell.
fn boxes_height(labels: &[String], cw: f32) -> f32 {
    let lines = labels.len().div_ceil(boxes_per_line(cw)).max(1) as f32;
    let label = if labelled(labels) { LABEL_H } else { 0.0 };
    lines * (label + BOX) + (lines - 1.0) * BOX_VGAP
}

/// A cell's spans, bold in a header.
fn styled(spans: &[Span], bold: bool) -> Vec<Span> {
    spans
        .iter()
        .map(|s| Span {
            bold: s.bold || bold,
            ..s.clone()
        })
        .collect()
}

/// A cell's natural one-line width and its least width.
fn cell_widths(c: &Cell, bold: bool) -> (f32, f32) {
    match c {
        Cell::Text(spans) => {
            let ws = words(&styled(spans, bold), CELL);
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
            let bw = boxes_width(labels.len().min(WEEK));
            (bw, bw)
        }
        Cell::Blank => (62.0, 48.0),
    }
}

/// The text widths of the columns, sharing `w` less the cells' padding.
fn column_widths(t: &Table, ncols: usize, w: f32) -> Vec<f32> {
    let mut nat = vec![0.0f32; ncols];
    let mut least = vec![0.0f32; ncols];
    let rows = std::iter::once((&t.header, true)).chain(t.rows.iter().map(|r| (r, false)));
    for (row, header) in rows {
        for (i, c) in row.iter().enumerate() {
            let (n, l) = cell_widths(c, header);
            // A header may wrap word by word ("Split into / doses (g)"): the body's cells (a
            // date, a dose) claim the width first, so that they stay on one line.
            let n = if header { l } else { n };
            nat[i] = nat[i].max(n);
            least[i] = least[i].max(l);
        }
    }
    let avail = (w - 2.0 * PAD * ncols as f32).max(10.0);
    let total_nat: f32 = nat.iter().sum();
    let total_least: f32 = least.iter().sum();
    if total_nat <= avail {
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
    }
}

/// Where the columns are.
struct Grid {
    left: f32,
    right: f32,
    col_x: Vec<f32>,
    widths: Vec<f32>,
}

/// A row made ready to draw: each cell's lines and the row's height.
struct Prepared {
    lines: Vec<Vec<TextLine>>,
    h: f32,
}

fn prepare(row: &[Cell], bold: bool, g: &Grid, min_h: f32) -> Prepared {
    let lh = CELL * 1.3;
    let mut lines = Vec::new();
    let mut h: f32 = lh;
    for (i, c) in row.iter().enumerate() {
        let cw = g.widths.get(i).copied().unwrap_or(0.0);
        match c {
            Cell::Text(spans) => {
                let l = wrap(&styled(spans, bold), CELL, cw + 0.01);
                h = h.max(l.len() as f32 * lh);
                lines.push(l);
            }
            Cell::Boxes(labels) => {
                h = h.max(boxes_height(labels, cw) + 1.0);
                lines.push(Vec::new());
            }
            Cell::Blank => lines.push(Vec::new()),
        }
    }
    Prepared {
        lines,
        h: h.max(min_h - 2.0 * PAD) + 2.0 * PAD,
    }
}

/// How a table falls on pages: `fresh` when it starts on a new page, and the rows that start
/// a page (under a repeated header). `head` and `rows` are heights; `room` is what is left on
/// the current page, `page_room` what a new page holds.
///
/// A row is never split; the header has at least one row under it, two when the table has
/// two and they fit; the last two rows stay together, so the last row (the "stop" row of a
/// taper) never stands alone under a repeated header.
pub(super) fn paginate(head: f32, rows: &[f32], room: f32, page_room: f32) -> (bool, Vec<usize>) {
    const SLACK: f32 = 0.01;
    let n = rows.len();
    // What must fit on the page from row i on when row i is not the page's first.
    let need = |i: usize| {
        if n >= 2 && i == n - 2 {
            rows[i] + rows[i + 1]
        } else {
            rows[i]
        }
    };
    let opening = head + rows.iter().take(2).sum::<f32>();
    let fresh = opening > room + SLACK && room < page_room;
    let mut left = if fresh { page_room } else { room } - head;
    let mut breaks = Vec::new();
    let mut on_page = 0;
    for (i, h) in rows.iter().enumerate() {
        if on_page > 0 && need(i) > left + SLACK {
            breaks.push(i);
            left = page_room - head;
            on_page = 0;
        }
        left -= h;
        on_page += 1;
    }
    (fresh, breaks)
}

/// How a row is drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RowKind {
    Header,
    /// The header again on a later page: an artifact.
    RepeatedHeader,
    Body,
}

impl Layout {
    pub(super) fn table(&mut self, t: &Table, x: f32, w: f32) {
        let ncols = t
            .header
            .len()
            .max(t.rows.iter().map(|r| r.len()).max().unwrap_or(0));
        if ncols == 0 {
            return;
        }
        let widths = column_widths(t, ncols, w);
        let col_x: Vec<f32> = widths
            .iter()
            .scan(x, |acc, cw| {
                let here = *acc;
                *acc += cw + 2.0 * PAD;
                Some(here)
            })
            .collect();
        let right = col_x[ncols - 1] + widths[ncols - 1] + 2.0 * PAD;
        let g = Grid {
            left: x,
            right,
            col_x,
            widths,
        };
        let has_header = !t.header.is_empty();
        let head = prepare(&t.header, true, &g, 0.0);
        let head_h = if has_header { head.h } else { 0.0 };
        let rows: Vec<Prepared> = t
            .rows
            .iter()
            .map(|r| prepare(r, false, &g, t.min_row_height))
            .collect();
        let heights: Vec<f32> = rows.iter().map(|r| r.h).collect();
        let (fresh, breaks) = paginate(head_h, &heights, self.room(), self.page_room());
        if fresh {
            self.new_page();
        }
        self.open(Role::Table);
        if has_header {
            self.row(t, &g, &t.header, &head, RowKind::Header);
        }
        let mut breaks = breaks.into_iter().peekable();
        for (i, (r, p)) in t.rows.iter().zip(&rows).enumerate() {
            if breaks.next_if_eq(&i).is_some() {
                self.new_page();
                if has_header {
                    self.row(t, &g, &t.header, &head, RowKind::RepeatedHeader);
                }
            }
            self.row(t, &g, r, p, RowKind::Body);
        }
        self.close();
        self.y += 10.0;
    }

    fn row(&mut self, t: &Table, g: &Grid, row: &[Cell], p: &Prepared, kind: RowKind) {
        let top = self.y;
        let h = p.h;
        if kind != RowKind::Body {
            let fill = Draw::Rect {
                x: g.left,
                y: top,
                w: g.right - g.left,
                h,
                fill: Some(0.88),
                stroke: None,
                width: 0.0,
            };
            self.deco(fill);
        }
        let tagged = kind != RowKind::RepeatedHeader;
        self.artifacts = !tagged;
        if tagged {
            self.open(Role::TR);
        }
        for i in 0..g.widths.len() {
            if tagged {
                self.open(if kind == RowKind::Header {
                    Role::TH
                } else {
                    Role::TD
                });
            }
            let (cx, cw) = (g.col_x[i] + PAD, g.widths[i]);
            match row.get(i) {
                Some(Cell::Text(_)) => {
                    let right = t.align.get(i) == Some(&Align::Right);
                    self.cell_text(&p.lines[i], cx, cw, top, right);
                }
                Some(Cell::Boxes(labels)) => self.boxes(labels, cx, top + PAD + 1.0, cw),
                _ => {}
            }
            if tagged {
                self.close();
            }
        }
        if tagged {
            self.close();
        }
        self.artifacts = false;
        self.borders(g, top, h);
        self.y += h;
    }

    fn cell_text(&mut self, lines: &[TextLine], cx: f32, cw: f32, top: f32, right: bool) {
        let lh = CELL * 1.3;
        for (li, line) in lines.iter().enumerate() {
            let dx = if right { cw - line.width } else { 0.0 };
            let baseline = top + PAD + li as f32 * lh + CELL;
            for (px, face, text) in &line.pieces {
                self.draw(Draw::Text {
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

    /// Tick boxes from `top`, wrapped to lines within the cell, each label small above its box.
    fn boxes(&mut self, labels: &[String], cx: f32, top: f32, cw: f32) {
        let per = boxes_per_line(cw);
        let band = if labelled(labels) { LABEL_H } else { 0.0 };
        for (b, label) in labels.iter().enumerate() {
            let (r, c) = (b / per, b % per);
            let bx = cx + c as f32 * (BOX + BOX_GAP);
            let by = top + r as f32 * (band + BOX + BOX_VGAP) + band;
            if !label.is_empty() {
                // A label wider than its box and gap is set smaller, never over its neighbour.
                let max = BOX + BOX_GAP - 1.0;
                let natural = fonts::width(Face::Regular, LABEL_SIZE, label);
                let size = if natural > max {
                    LABEL_SIZE * max / natural
                } else {
                    LABEL_SIZE
                };
                let lw = fonts::width(Face::Regular, size, label);
                self.draw(Draw::Text {
                    x: bx + (BOX - lw) / 2.0,
                    y: by - 2.0,
                    face: Face::Regular,
                    size,
                    grey: 0.25,
                    // A space between labels, so that read aloud they are words apart.
                    text: if b + 1 < labels.len() {
                        format!("{label} ")
                    } else {
                        label.clone()
                    },
                });
            }
            let square = Draw::Rect {
                x: bx,
                y: by,
                w: BOX,
                h: BOX,
                fill: None,
                stroke: Some(0.25),
                width: 0.8,
            };
            self.deco(square);
        }
    }

    fn borders(&mut self, g: &Grid, top: f32, h: f32) {
        let (l, r) = (g.left, g.right);
        self.deco(Draw::line(l, top, r, top, 0.5, 0.45));
        self.deco(Draw::line(l, top + h, r, top + h, 0.5, 0.45));
        for cx in g.col_x.iter().copied().chain(std::iter::once(r)) {
            self.deco(Draw::line(cx, top, cx, top + h, 0.5, 0.45));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::draw::Item;
    use super::super::tags::Mark;
    use super::super::tests::furniture;
    use super::super::{Block, A4};
    use super::*;

    #[test]
    fn the_last_row_is_never_alone() {
        // Room for the header and four rows of ten: the fifth and last row takes the fourth
        // with it.
        assert_eq!(paginate(10.0, &[10.0; 5], 55.0, 100.0), (false, vec![3]));
        // All fit.
        assert_eq!(paginate(10.0, &[10.0; 5], 60.0, 100.0), (false, vec![]));
        // Long tables: every page ends before the last row, or holds it with the one before.
        for n in 2..60 {
            for room in [25.0, 47.0, 95.0, 130.0] {
                let (_, breaks) = paginate(10.0, &vec![12.0; n], room, 100.0);
                if let Some(&b) = breaks.last() {
                    assert!(b <= n - 2, "n={n} room={room} {breaks:?}");
                }
            }
        }
    }

    #[test]
    fn a_header_starts_a_page_only_with_rows_under_it() {
        // Room for the header and one row: the table starts on a new page, where the header
        // has two rows under it.
        assert_eq!(paginate(10.0, &[10.0; 8], 25.0, 100.0), (true, vec![]));
        // A one-row table needs room for one row only.
        assert_eq!(paginate(10.0, &[10.0], 25.0, 100.0), (false, vec![]));
        // A row taller than a page is drawn, alone, rather than looping.
        assert_eq!(
            paginate(10.0, &[500.0, 10.0], 100.0, 100.0),
            (false, vec![1])
        );
    }

    fn schedule(n: usize, days: usize) -> Table {
        Table {
            header: vec![Cell::text("Step"), Cell::text("Dose"), Cell::text("Done")],
            rows: (0..n)
                .map(|i| {
                    let last = i + 1 == n;
                    vec![
                        Cell::text((i + 1).to_string()),
                        Cell::text(if last { "stop" } else { "10" }),
                        Cell::Boxes((0..days).map(|d| (d + 1).to_string()).collect()),
                    ]
                })
                .collect(),
            align: vec![Align::Right, Align::Right, Align::Left],
            min_row_height: 0.0,
        }
    }

    fn texts_on(p: &[Item]) -> Vec<String> {
        p.iter()
            .filter_map(|it| match &it.draw {
                Draw::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_table_ending_just_past_a_page_keeps_its_last_rows_together() {
        let t = schedule(12, 7);
        // Find the room that fits all but the last row on the first page.
        let mut probe = Layout::new(A4, furniture());
        let room = probe.room();
        probe.block(&Block::Table(t.clone()));
        // The table's height, less the space below it.
        let full = room - probe.room() - 10.0;
        let mut l = Layout::new(A4, furniture());
        // Half a row short of room for the whole table.
        let row = LABEL_H + BOX + 1.0 + 2.0 * PAD;
        l.space(room - full + row / 2.0);
        l.block(&Block::Table(t));
        assert_eq!(l.pages.len(), 2);
        let last = texts_on(&l.pages[1]);
        assert!(last.contains(&"stop".to_string()), "{last:?}");
        assert!(last.contains(&"11".to_string()), "{last:?}");
        // The header repeated there is an artifact, and it has rows under it.
        let steps: Vec<&Item> = l.pages[1]
            .iter()
            .filter(|it| matches!(&it.draw, Draw::Text { text, .. } if text == "Step"))
            .collect();
        assert_eq!(steps.len(), 1);
        assert_eq!(steps[0].mark, Mark::Pagination);
        // Nothing crosses the foot of a page.
        for p in &l.pages {
            for it in p {
                if let Draw::Rect { y, h, .. } = it.draw {
                    assert!(y + h <= l.bottom + 0.5);
                }
            }
        }
        // The structure has the header row and every row, once.
        let rows = l.elems.iter().filter(|e| e.role == Role::TR).count();
        assert_eq!(rows, 13);
        assert_eq!(l.elems.iter().filter(|e| e.role == Role::TH).count(), 3);
    }

    #[test]
    fn tick_boxes_are_big_labelled_and_wrap_within_their_cell() {
        let mut l = Layout::new(A4, furniture());
        l.block(&Block::Table(schedule(2, 60)));
        let boxes: Vec<(f32, f32)> = l.pages[0]
            .iter()
            .filter_map(|it| match it.draw {
                Draw::Rect {
                    x,
                    y,
                    w,
                    fill: None,
                    ..
                } if (w - BOX).abs() < 0.01 => Some((x, y)),
                _ => None,
            })
            .collect();
        assert_eq!(boxes.len(), 120);
        // Clear gaps: no two boxes closer than the gap.
        for (i, a) in boxes.iter().enumerate() {
            for b in &boxes[i + 1..] {
                let apart = (a.0 - b.0).abs() >= BOX + BOX_GAP - 0.01
                    || (a.1 - b.1).abs() >= BOX + BOX_VGAP - 0.01;
                assert!(apart, "{a:?} {b:?}");
            }
        }
        // At most a week on a line: 60 boxes take 9 lines within their row.
        let first_row: Vec<_> = boxes[..60].iter().map(|b| b.1).collect();
        let mut ys = first_row.clone();
        ys.dedup();
        assert_eq!(ys.len(), 9);
        // Each label is on the page, above its box, as the box's cell's content.
        let t = texts_on(&l.pages[0]);
        assert!(t.contains(&"60".to_string()));
        let labels = l.pages[0]
            .iter()
            .filter(|it| matches!(&it.draw, Draw::Text { text, .. } if text == "31 "))
            .count();
        assert_eq!(labels, 2);
    }
}
