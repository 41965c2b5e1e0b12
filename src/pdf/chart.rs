//! A picture of the plan: the daily dose over time as a staircase, one tread per step, held
//! days shaded, the stop date marked. Drawn as a [`Figure`] of vector shapes, which the PDF
//! layout places on page 1 and [`to_svg`] turns into inline SVG for the handout form's preview;
//! both carry the same text alternative.
//!
//! The doses are drawn from their decimal text; the arithmetic of the plan stays in `taper`,
//! and the picture only places what the table prints.

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

/// `1 Dec`: short enough to sit under the axis.
fn short(d: Date) -> String {
    format!("{} {}", d.0.day(), &d.0.month().to_string()[..3])
}

/// The words a screen reader gives for the chart.
pub fn alt_text(s: &Schedule, dates: &DateFormat) -> String {
    let unit = s.input.unit;
    let reductions = s.steps.len().saturating_sub(1);
    let holds = s.steps.iter().filter(|st| st.hold_days > 0).count();
    let mut t = format!(
        "Chart of the daily dose: {} a day before the plan, then {} lower dose{} from {}",
        unit.amount(s.input.start_dose),
        reductions,
        if reductions == 1 { "" } else { "s" },
        s.input.start.format(dates),
    );
    if let Some(stop) = s.stop_date() {
        t.push_str(&format!(", and none from {}", stop.format(dates)));
    }
    if holds > 0 {
        t.push_str(&format!(
            "; {holds} step{} held longer (shaded)",
            if holds == 1 { " is" } else { "s are" }
        ));
    }
    t.push('.');
    t
}

/// The chart, `width` points wide.
pub fn chart(s: &Schedule, dates: &DateFormat, width: f32) -> Figure {
    let height = 118.0;
    let (pw, ph) = (width - LEFT - RIGHT, height - TOP - BOTTOM);
    let start = s.input.start;
    let stop = s.stop_date().unwrap_or(start);
    let total = start.days_until(stop).max(1) as f32;
    // A little of the time after stopping, so that the drop to zero shows.
    let span = total + (total / 12.0).max(2.0);
    let top = value(&s.input.start_dose).max(f32::MIN_POSITIVE);
    let x = |day: f32| LEFT + pw * day / span;
    let y = |dose: f32| TOP + ph * (1.0 - dose / top);
    let mut shapes = Vec::new();

    // Held days, shaded under the tread.
    for st in &s.steps {
        if let (Some(end), true) = (st.end, st.hold_days > 0) {
            let to = start.days_until(end) as f32 + 1.0;
            let from = to - st.hold_days as f32;
            let d = value(&st.daily_dose);
            shapes.push(Shape::Rect {
                x: x(from),
                y: y(d),
                w: x(to) - x(from),
                h: y(0.0) - y(d),
                fill: Some(0.85),
                stroke: None,
            });
        }
    }
    // Axes and the dose scale: the start dose and half of it.
    shapes.push(Shape::Line {
        points: vec![(LEFT, TOP - 4.0), (LEFT, y(0.0)), (LEFT + pw, y(0.0))],
        width: 0.6,
        grey: 0.4,
    });
    let unit = s.input.unit;
    for (dose, label) in [
        (top, unit.amount(s.input.start_dose)),
        (0.0, "0".to_string()),
    ] {
        let lw = fonts::width(Face::Regular, LABEL, &label);
        shapes.push(Shape::Text {
            x: LEFT - 4.0 - lw,
            y: y(dose) + LABEL * 0.35,
            size: LABEL,
            bold: false,
            grey: 0.3,
            text: label,
        });
        shapes.push(Shape::Line {
            points: vec![(LEFT - 2.5, y(dose)), (LEFT, y(dose))],
            width: 0.6,
            grey: 0.4,
        });
    }
    // The dose before the plan, dotted in grey, then the staircase.
    let mut points = vec![(LEFT, y(top))];
    for st in &s.steps {
        let from = start.days_until(st.start) as f32;
        let d = if st.end.is_none() {
            0.0
        } else {
            value(&st.daily_dose)
        };
        let last_y = points.last().map(|p| p.1).unwrap_or(y(top));
        points.push((x(from), last_y));
        points.push((x(from), y(d)));
        if let Some(end) = st.end {
            points.push((x(start.days_until(end) as f32 + 1.0), y(d)));
        } else {
            points.push((x(span), y(0.0)));
        }
    }
    shapes.push(Shape::Line {
        points,
        width: 1.8,
        grey: 0.0,
    });
    // The dates: the start under the axis's left end, the stop at its mark.
    let base = y(0.0) + 11.0;
    let start_label = format!("Start {}", short(start));
    shapes.push(Shape::Text {
        x: LEFT,
        y: base,
        size: LABEL,
        bold: false,
        grey: 0.2,
        text: start_label.clone(),
    });
    let sx = x(total);
    shapes.push(Shape::Line {
        points: vec![(sx, TOP - 4.0), (sx, y(0.0) + 3.0)],
        width: 0.9,
        grey: 0.25,
    });
    let stop_label = format!("Stop {}", short(stop));
    let slw = fonts::width(Face::Bold, LABEL, &stop_label);
    let start_end = LEFT + fonts::width(Face::Regular, LABEL, &start_label) + 6.0;
    shapes.push(Shape::Text {
        x: (sx - slw / 2.0).clamp(start_end, LEFT + pw - slw),
        y: base,
        size: LABEL,
        bold: true,
        grey: 0.0,
        text: stop_label,
    });
    if s.steps.iter().any(|st| st.hold_days > 0) {
        let key = "Shaded: days a step is held longer";
        shapes.push(Shape::Rect {
            x: LEFT,
            y: base + 4.0,
            w: 8.0,
            h: 6.0,
            fill: Some(0.85),
            stroke: None,
        });
        shapes.push(Shape::Text {
            x: LEFT + 11.0,
            y: base + 9.5,
            size: LABEL,
            bold: false,
            grey: 0.3,
            text: key.to_string(),
        });
    }
    Figure {
        alt: alt_text(s, dates),
        width,
        height,
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
        let f = chart(&s, &DateFormat::default(), 400.0);
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
        let f = chart(&s, &DateFormat::default(), 400.0);
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
