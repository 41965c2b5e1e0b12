//! A picture of the plan: the daily dose over time as a staircase, one tread per step, held
//! days shaded, the stop date marked. Drawn as a [`Figure`] of vector shapes, which the PDF
//! layout places on page 1 and [`to_svg`] turns into inline SVG for the handout form's preview;
//! both carry the same text alternative.
//!
//! The doses are drawn from their decimal text; the arithmetic of the plan stays in `taper`,
//! and the picture only places what the table prints.

use crate::i18n::Strings;
use crate::taper::Schedule;
use crate::types::{Date, DateFormat};

use super::fonts::{self, Face};
use super::layout::{Figure, Shape};

/// Room for the dose labels at the left and the dates below.
const LEFT: f32 = 40.0;
const BOTTOM: f32 = 22.0;
const TOP: f32 = 12.0;
const RIGHT: f32 = 6.0;
const LABEL: f32 = 7.5;

/// The dose of a step as a number for drawing (the table prints the exact decimal).
fn value(d: &crate::taper::Dec) -> f32 {
    d.to_string().parse().unwrap_or(0.0)
}

/// The words a screen reader gives for the chart.
pub fn alt_text(s: &Schedule, dates: &DateFormat, words: &Strings) -> String {
    let unit = s.input.unit;
    let reductions = s.steps.len().saturating_sub(1);
    let holds = s.steps.iter().filter(|st| st.hold_days > 0).count();
    let mut t = words.fill(
        "chart",
        "alt",
        &[
            ("amount", &words.amount(unit, s.input.start_dose)),
            ("n", &reductions.to_string()),
        ],
    );
    if reductions != 1 {
        t.push_str(words.get("chart", "alt_plural"));
    }
    t.push_str(&words.fill(
        "chart",
        "alt_from",
        &[("date", &words.date(s.input.start, dates))],
    ));
    if let Some(stop) = s.stop_date() {
        t.push_str(&words.fill(
            "chart",
            "alt_none_from",
            &[("date", &words.date(stop, dates))],
        ));
    }
    if holds > 0 {
        let key = if holds == 1 {
            "alt_held_one"
        } else {
            "alt_held_other"
        };
        t.push_str(&words.fill("chart", key, &[("n", &holds.to_string())]));
    }
    t.push('.');
    t
}

/// Where the plot sits in the figure, and how days and doses map to points.
struct Frame {
    width: f32,
    height: f32,
    start: Date,
    stop: Date,
    /// Days from the start to the stop.
    total: f32,
    /// Days the x axis spans.
    span: f32,
    /// The dose at the top of the y axis (the start dose).
    top: f32,
}

impl Frame {
    fn new(s: &Schedule, width: f32) -> Frame {
        let start = s.input.start;
        let stop = s.stop_date().unwrap_or(start);
        let total = start.days_until(stop).max(1) as f32;
        Frame {
            width,
            height: 118.0,
            start,
            stop,
            total,
            // A little of the time after stopping, so that the drop to zero shows.
            span: total + (total / 12.0).max(2.0),
            top: value(&s.input.start_dose).max(f32::MIN_POSITIVE),
        }
    }

    fn plot_width(&self) -> f32 {
        self.width - LEFT - RIGHT
    }

    /// The x of a day (days from the start).
    fn x(&self, day: f32) -> f32 {
        LEFT + self.plot_width() * day / self.span
    }

    /// The x of the end of the day `d`.
    fn x_after(&self, d: Date) -> f32 {
        self.x(self.start.days_until(d) as f32 + 1.0)
    }

    /// The y of a dose.
    fn y(&self, dose: f32) -> f32 {
        TOP + (self.height - TOP - BOTTOM) * (1.0 - dose / self.top)
    }

    /// The baseline of the date labels under the axis.
    fn date_line(&self) -> f32 {
        self.y(0.0) + 11.0
    }
}

fn text(x: f32, y: f32, bold: bool, grey: f32, t: impl Into<String>) -> Shape {
    Shape::Text {
        x,
        y,
        size: LABEL,
        bold,
        grey,
        text: t.into(),
    }
}

/// The held days of each step, shaded under its tread.
fn held_days(s: &Schedule, f: &Frame) -> Vec<Shape> {
    s.steps
        .iter()
        .filter(|st| st.hold_days > 0)
        .filter_map(|st| {
            let end = st.end?;
            let to = f.x_after(end);
            let from = f.x(f.start.days_until(end) as f32 + 1.0 - st.hold_days as f32);
            let d = value(&st.daily_dose);
            Some(Shape::Rect {
                x: from,
                y: f.y(d),
                w: to - from,
                h: f.y(0.0) - f.y(d),
                fill: Some(0.85),
                stroke: None,
            })
        })
        .collect()
}

/// The axes, with the dose scale: the start dose at the top, 0 at the bottom.
fn axes(s: &Schedule, f: &Frame, words: &Strings) -> Vec<Shape> {
    let mut shapes = vec![Shape::Line {
        points: vec![
            (LEFT, TOP - 4.0),
            (LEFT, f.y(0.0)),
            (LEFT + f.plot_width(), f.y(0.0)),
        ],
        width: 0.6,
        grey: 0.4,
    }];
    for (dose, label) in [
        (f.top, words.amount(s.input.unit, s.input.start_dose)),
        (0.0, "0".to_string()),
    ] {
        let lw = fonts::width(Face::Regular, LABEL, &label);
        shapes.push(text(
            LEFT - 4.0 - lw,
            f.y(dose) + LABEL * 0.35,
            false,
            0.3,
            label,
        ));
        shapes.push(Shape::Line {
            points: vec![(LEFT - 2.5, f.y(dose)), (LEFT, f.y(dose))],
            width: 0.6,
            grey: 0.4,
        });
    }
    shapes
}

/// The daily dose as one line: down at the start of each step, along it to its end, and at
/// zero from the stop.
fn staircase(s: &Schedule, f: &Frame) -> Shape {
    let mut points = vec![(LEFT, f.y(f.top))];
    for st in &s.steps {
        let from = f.x(f.start.days_until(st.start) as f32);
        let d = if st.end.is_none() {
            0.0
        } else {
            value(&st.daily_dose)
        };
        let last_y = points.last().map(|p| p.1).unwrap_or(f.y(f.top));
        points.push((from, last_y));
        points.push((from, f.y(d)));
        points.push(match st.end {
            Some(end) => (f.x_after(end), f.y(d)),
            None => (f.x(f.span), f.y(0.0)),
        });
    }
    Shape::Line {
        points,
        width: 1.8,
        grey: 0.0,
    }
}

/// The start under the axis's left end; the stop marked by a line and named at its foot.
fn dates_marked(f: &Frame, words: &Strings) -> Vec<Shape> {
    let start_label = words.fill("chart", "start", &[("date", &words.day_month(f.start))]);
    let start_end = LEFT + fonts::width(Face::Regular, LABEL, &start_label) + 6.0;
    let sx = f.x(f.total);
    let stop_label = words.fill("chart", "stop", &[("date", &words.day_month(f.stop))]);
    let slw = fonts::width(Face::Bold, LABEL, &stop_label);
    vec![
        text(LEFT, f.date_line(), false, 0.2, start_label),
        Shape::Line {
            points: vec![(sx, TOP - 4.0), (sx, f.y(0.0) + 3.0)],
            width: 0.9,
            grey: 0.25,
        },
        text(
            (sx - slw / 2.0).clamp(start_end, LEFT + f.plot_width() - slw),
            f.date_line(),
            true,
            0.0,
            stop_label,
        ),
    ]
}

/// What the shading means, when a step is held.
fn legend(f: &Frame, words: &Strings) -> Vec<Shape> {
    let y = f.date_line();
    vec![
        Shape::Rect {
            x: LEFT,
            y: y + 4.0,
            w: 8.0,
            h: 6.0,
            fill: Some(0.85),
            stroke: None,
        },
        text(
            LEFT + 11.0,
            y + 9.5,
            false,
            0.3,
            words.get("chart", "shaded"),
        ),
    ]
}

/// The chart, `width` points wide.
pub fn chart(s: &Schedule, dates: &DateFormat, words: &Strings, width: f32) -> Figure {
    let f = Frame::new(s, width);
    let mut shapes = held_days(s, &f);
    let held = !shapes.is_empty();
    shapes.extend(axes(s, &f, words));
    shapes.push(staircase(s, &f));
    shapes.extend(dates_marked(&f, words));
    if held {
        shapes.extend(legend(&f, words));
    }
    Figure {
        alt: alt_text(s, dates, words),
        width,
        height: f.height,
        shapes,
    }
}

fn svg_escape(s: &str) -> String {
    crate::util::escape_html(s)
}

/// The figure as inline SVG (for the handout form's preview), with its text alternative as the
/// SVG's title.
pub fn to_svg(f: &Figure) -> String {
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.1} {h:.1}\" width=\"{w:.0}\" height=\"{h:.0}\" role=\"img\" aria-labelledby=\"chart-title\" class=\"plan-chart\"><title id=\"chart-title\">{}</title>",
        svg_escape(&f.alt),
        w = f.width,
        h = f.height,
    );
    let grey = |g: f32| {
        let v = (g.clamp(0.0, 1.0) * 255.0).round() as u8;
        format!("rgb({v},{v},{v})")
    };
    for s in &f.shapes {
        match s {
            Shape::Line {
                points,
                width,
                grey: g,
            } => {
                let pts: Vec<String> = points
                    .iter()
                    .map(|(x, y)| format!("{x:.1},{y:.1}"))
                    .collect();
                out.push_str(&format!(
                    "<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"{width:.1}\" points=\"{}\"/>",
                    grey(*g),
                    pts.join(" ")
                ));
            }
            Shape::Rect {
                x,
                y,
                w,
                h,
                fill,
                stroke,
            } => out.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{h:.1}\" fill=\"{}\" stroke=\"{}\"/>",
                fill.map(grey).unwrap_or_else(|| "none".into()),
                stroke.map(grey).unwrap_or_else(|| "none".into()),
            )),
            Shape::Text {
                x,
                y,
                size,
                bold,
                grey: g,
                text,
            } => out.push_str(&format!(
                "<text x=\"{x:.1}\" y=\"{y:.1}\" font-size=\"{size:.1}\" fill=\"{}\"{}>{}</text>",
                grey(*g),
                if *bold { " font-weight=\"bold\"" } else { "" },
                svg_escape(text)
            )),
        }
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::taper::{schedule, Dec, Hold, Mode, TaperInput, Unit};

    /// The worked example: 20 g, 10% of the previous dose every 7 days, 0.5 g steps.
    pub(crate) fn plan(holds: Vec<Hold>) -> Schedule {
        let d = |s: &str| s.parse::<Dec>().expect("a decimal");
        let inp = TaperInput {
            unit: Unit::G,
            substance: Some("kratom".into()),
            start_dose: d("20"),
            reduction_percent: d("10"),
            interval_days: 7,
            step: d("0.5"),
            min_dose: d("0.5"),
            doses_per_day: 3,
            start: Date::parse("2026-12-01").expect("a date"),
            mode: Mode::Previous,
            holds,
            max_step_percent: Dec::from_int(25),
            limits: None,
            defaults_applied: Vec::new(),
        };
        schedule(&inp).expect("the example schedule is valid")
    }

    #[test]
    fn the_staircase_only_goes_down_and_ends_at_zero() {
        let s = plan(vec![]);
        let f = chart(&s, &DateFormat::default(), &Strings::english(), 400.0);
        let Some(Shape::Line { points, .. }) = f
            .shapes
            .iter()
            .find(|s| matches!(s, Shape::Line { width, .. } if *width > 1.0))
        else {
            panic!("no staircase in {f:?}")
        };
        // y grows downwards: the dose never rises, x never goes back.
        for w in points.windows(2) {
            assert!(w[1].1 >= w[0].1 - 0.001, "{w:?}");
            assert!(w[1].0 >= w[0].0 - 0.001, "{w:?}");
        }
        let bottom = points.last().map(|p| p.1);
        assert_eq!(bottom, Some(f.height - BOTTOM));
        assert!(f.alt.contains("none from"), "{}", f.alt);
        for s in &f.shapes {
            if let Shape::Text { x, .. } = s {
                assert!(*x >= 0.0 && *x < f.width, "{s:?}");
            }
        }
    }

    #[test]
    fn holds_are_shaded_and_named() {
        let s = plan(vec![Hold { step: 2, days: 7 }]);
        let f = chart(&s, &DateFormat::default(), &Strings::english(), 400.0);
        assert!(f
            .shapes
            .iter()
            .any(|s| matches!(s, Shape::Rect { fill: Some(_), w, .. } if *w > 8.5)));
        assert!(f.alt.contains("1 step is held longer"), "{}", f.alt);
        let svg = to_svg(&f);
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(svg.contains("<title id=\"chart-title\">Chart of the daily dose"));
    }
}
