//! The patient's plan, the first thing a personalized handout shows: who it is for, who to
//! call, when it starts and when to come back, the plan in one sentence, a chart of it, and the
//! table to tick day by day; then a way back to the web page. The page's guidance follows.
//!
//! Also the taper tables: the patient's schedule as a calendar, and the blank chart the
//! per-page PDFs carry for a clinician to fill in with the patient.

use crate::taper::{Schedule, Step, Unit};
use crate::types::{Date, DateFormat};

use super::layout::{Align, Block, Cell, Span, Table};
use super::{chart, qr, Handout};

/// Days up to which a step gets one tick box per day; a longer step (a long hold) gets one box
/// per week, labelled with the week's first day, so that its row still fits on a page.
pub const DAILY_BOXES_UP_TO: i64 = 63;

/// `Tu`: two letters tell Tuesday from Thursday where one would not.
fn weekday(d: Date) -> String {
    d.0.weekday().to_string().chars().take(2).collect()
}

/// The labelled tick boxes of one step: one per day (its weekday), or one per week for a step
/// longer than [`DAILY_BOXES_UP_TO`] days (its first day, `8 Mar`).
pub fn tick_labels(st: &Step) -> Vec<String> {
    let days = match st.end {
        Some(end) => st.start.days_until(end) + 1,
        None => 1,
    };
    let day = |i: i64| Date(st.start.0 + time::Duration::days(i));
    if days <= DAILY_BOXES_UP_TO {
        (0..days).map(|i| weekday(day(i))).collect()
    } else {
        (0..days).step_by(7).map(|i| day(i).day_month()).collect()
    }
}

fn header(unit: Unit, ticks: &str) -> Vec<Cell> {
    let unit = unit.as_str();
    vec![
        Cell::text("Step"),
        Cell::text("From"),
        Cell::text("To"),
        Cell::text(format!("Each day ({unit})")),
        Cell::text(format!("Split into doses ({unit})")),
        Cell::text(ticks),
    ]
}

/// The schedule as a calendar: dates as `dates` writes them, the day's dose and its split, and
/// a labelled tick box per day.
pub fn schedule_table(s: &Schedule, dates: &DateFormat) -> Table {
    let weekly = s.steps.iter().any(|st| {
        st.end
            .is_some_and(|e| st.start.days_until(e) + 1 > DAILY_BOXES_UP_TO)
    });
    let ticks = if weekly {
        "Done (tick each day; a long step, each week)"
    } else {
        "Done (tick each day)"
    };
    let rows = s
        .steps
        .iter()
        .map(|st| {
            let last = st.end.is_none();
            let end = st.end.map(|d| d.format(dates)).unwrap_or_default();
            vec![
                Cell::text(st.step.to_string()),
                Cell::text(st.start.format(dates)),
                Cell::Text(if last {
                    vec![Span::bold("stop")]
                } else if st.hold_days > 0 {
                    vec![
                        Span::plain(end),
                        Span::italic(format!(" (+{} days)", st.hold_days)),
                    ]
                } else {
                    vec![Span::plain(end)]
                }),
                Cell::Text(vec![if last {
                    Span::bold("0")
                } else {
                    Span::plain(st.daily_dose.to_string())
                }]),
                Cell::text(if last {
                    "none".to_string()
                } else {
                    Schedule::split_text(st)
                }),
                Cell::Boxes(tick_labels(st)),
            ]
        })
        .collect();
    Table {
        header: header(s.input.unit, ticks),
        rows,
        align: vec![
            Align::Right,
            Align::Left,
            Align::Left,
            Align::Right,
            Align::Left,
            Align::Left,
        ],
        min_row_height: 0.0,
    }
}

/// An empty chart for a clinician to fill in with the patient; `ticks` adds the patient's tick
/// boxes (not on a clinician's copy).
pub fn blank_table(unit: Unit, ticks: bool) -> Table {
    let mut header = header(unit, "Done (tick each day)");
    let mut row = vec![Cell::Blank; 4];
    if ticks {
        row.push(Cell::Boxes(vec![String::new(); 7]));
    } else {
        header.pop();
    }
    let rows = (1..=12)
        .map(|i| {
            let mut r = vec![Cell::text(i.to_string())];
            r.extend(row.iter().cloned());
            r
        })
        .collect();
    let ncols = header.len();
    Table {
        header,
        rows,
        align: std::iter::once(Align::Right)
            .chain(std::iter::repeat_n(Align::Left, ncols - 1))
            .collect(),
        min_row_height: 24.0,
    }
}

/// The plan in one sentence: `From 20 g a day to none in 20 steps of 7 days: your last dose
/// is on Mon 19 Apr 2027, and from Tue 20 Apr 2027 you take none.`
pub fn summary(s: &Schedule, dates: &DateFormat) -> String {
    let unit = s.input.unit;
    let n = s.steps.len().saturating_sub(1);
    let mut t = format!(
        "From {} a day to none in {n} step{}",
        unit.amount(s.input.start_dose),
        if n == 1 { "" } else { "s" }
    );
    if s.steps.iter().any(|st| st.hold_days > 0) {
        t.push_str(&format!(
            " of {} days or more (some held longer)",
            s.input.interval_days
        ));
    } else {
        t.push_str(&format!(
            " of {} day{}",
            s.input.interval_days,
            if s.input.interval_days == 1 { "" } else { "s" }
        ));
    }
    if let Some(stop) = s.stop_date() {
        let last = Date(stop.0 - time::Duration::days(1));
        t.push_str(&format!(
            ": your last dose is on {}, and from {} you take none.",
            last.format(dates),
            stop.format(dates)
        ));
    } else {
        t.push('.');
    }
    t
}

/// The web version of the page for this handout's audience, when the site has an address.
pub fn page_url(h: &Handout) -> Option<String> {
    let base = h.config.base_url.trim();
    if base.is_empty() {
        return None;
    }
    let sep = if base.ends_with('/') { "" } else { "/" };
    Some(format!("{base}{sep}{}/{}/", h.doc.path, h.variant.audience))
}

/// Who, whom to call, when: the lines under the title.
fn details(h: &Handout, s: &Schedule, dates: &DateFormat) -> Vec<Block> {
    let mut out = Vec::new();
    let mut lines: Vec<(String, String)> = Vec::new();
    if let Some(name) = h.patient_name {
        lines.push(("Prepared for".into(), name.to_string()));
    }
    if let Some(c) = h.care.clinician {
        lines.push(("Your clinician".into(), c.to_string()));
    }
    if let Some(p) = h.care.phone {
        lines.push((
            "Questions? Call".into(),
            format!("{p} ({})", h.config.clinic),
        ));
    }
    lines.push(("Plan starts".into(), s.input.start.format(dates)));
    if let Some(v) = h.care.next_visit {
        lines.push(("Next visit".into(), v.format(dates)));
    }
    let mut spans = Vec::new();
    for (i, (label, value)) in lines.into_iter().enumerate() {
        if i > 0 {
            spans.push(Span::plain("\n"));
        }
        spans.push(Span::bold(format!("{label}: ")));
        spans.push(Span::plain(value));
    }
    if h.patient_name.is_none() {
        out.push(Block::WriteIn("Name:".to_string()));
    }
    out.push(Block::Paragraph(spans));
    out
}

/// Page 1 of a personalized handout: the plan, before the page's guidance.
pub fn plan_blocks(h: &Handout, s: &Schedule, width: f32) -> Vec<Block> {
    let dates = h.config.handout.date_format();
    let mut out = vec![Block::Heading(1, vec![Span::plain(h.doc.heading())])];
    out.extend(details(h, s, &dates));
    let what = s
        .input
        .substance
        .as_deref()
        .map(|x| format!("Your plan for {x}"))
        .unwrap_or_else(|| "Your plan".to_string());
    out.push(Block::Heading(2, vec![Span::plain(what)]));
    out.push(Block::Paragraph(vec![Span::bold(summary(s, &dates))]));
    out.push(Block::Figure(chart::chart(s, &dates, width)));
    out.push(Block::Heading(2, vec![Span::plain("Day by day")]));
    out.push(Block::Paragraph(vec![
        Span::plain("Take the amount in "),
        Span::bold("Each day"),
        Span::plain(" on every day from the first date to the second, split as shown. Tick the box under each day's initial when you have kept to the plan that day."),
    ]));
    // The schedule's warnings and defaults are the clinician's, never on the patient's copy:
    // see `clinician_sheet`.
    out.push(Block::Table(schedule_table(s, &dates)));
    if let Some(url) = page_url(h) {
        if let Some(code) = qr::code(&url) {
            out.push(Block::Figure(code));
            out.push(Block::Small(vec![
                Span::plain("Read this page online (scan the code): "),
                Span::plain(url),
            ]));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taper::Hold;

    #[test]
    fn a_step_gets_a_box_per_day_labelled_by_weekday() {
        let s = chart::tests::plan(vec![Hold { step: 2, days: 70 }]);
        // 2026-12-01 is a Tuesday.
        assert_eq!(
            tick_labels(&s.steps[0]),
            ["Tu", "We", "Th", "Fr", "Sa", "Su", "Mo"]
        );
        // Step 2 lasts 77 days: one box a week, labelled with its first day.
        let weekly = tick_labels(&s.steps[1]);
        assert_eq!(weekly.len(), 11);
        assert_eq!(weekly[0], "8 Dec");
        // The stop row: one box, for the first day without.
        assert_eq!(tick_labels(s.steps.last().expect("a stop row")).len(), 1);
        let t = schedule_table(&s, &DateFormat::default());
        assert!(matches!(&t.rows[0][1], Cell::Text(sp) if sp[0].text == "Tue 1 Dec 2026"));
    }

    #[test]
    fn the_summary_names_the_last_dose_and_the_first_day_without() {
        let s = chart::tests::plan(vec![]);
        let t = summary(&s, &DateFormat::default());
        assert!(t.starts_with("From 20 g a day to none in "), "{t}");
        let stop = s.stop_date().expect("a stop");
        assert!(t.ends_with("you take none."));
        assert!(t.contains(&stop.format(&DateFormat::default())), "{t}");
    }
}
