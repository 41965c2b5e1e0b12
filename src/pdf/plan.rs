//! The patient's plan, the first thing a personalized handout shows: who it is for, who to
//! call, when it starts and when to come back, the plan in one sentence, a chart of it, and the
//! table to tick day by day; then a way back to the web page. The page's guidance follows.
//!
//! Also the taper tables: the patient's schedule as a calendar, and the blank chart the
//! per-page PDFs carry for a clinician to fill in with the patient.

use crate::i18n::Strings;
use crate::taper::{Schedule, Step, Unit};
use crate::types::{Date, DateFormat};

use super::layout::{Align, Block, Cell, Span, Table};
use super::{chart, qr, Handout};

/// Days up to which a step gets one tick box per day; a longer step (a long hold) gets one box
/// per week, labelled with the week's first day, so that its row still fits on a page.
pub const DAILY_BOXES_UP_TO: i64 = 63;

/// The labelled tick boxes of one step: one per day (its weekday), or one per week for a step
/// longer than [`DAILY_BOXES_UP_TO`] days (its first day, `8 Mar`).
/// `Tu`: two letters tell Tuesday from Thursday where one would not.
pub fn tick_labels(st: &Step, words: &Strings) -> Vec<String> {
    let days = match st.end {
        Some(end) => st.start.days_until(end) + 1,
        None => 1,
    };
    let day = |i: i64| Date(st.start.0 + time::Duration::days(i));
    if days <= DAILY_BOXES_UP_TO {
        (0..days).map(|i| words.weekday_initials(day(i))).collect()
    } else {
        (0..days)
            .step_by(7)
            .map(|i| words.day_month(day(i)))
            .collect()
    }
}

fn header(unit: Unit, ticks: &str, words: &Strings) -> Vec<Cell> {
    let unit = [("unit", words.unit(unit))];
    vec![
        Cell::text(words.get("taper", "step")),
        Cell::text(words.get("taper", "from")),
        Cell::text(words.get("taper", "to")),
        Cell::text(words.fill("taper", "each_day", &unit)),
        Cell::text(words.fill("taper", "split", &unit)),
        Cell::text(ticks),
    ]
}

/// The schedule as a calendar: dates as `dates` writes them, the day's dose and its split, and
/// a labelled tick box per day.
pub fn schedule_table(s: &Schedule, dates: &DateFormat, words: &Strings) -> Table {
    let weekly = s.steps.iter().any(|st| {
        st.end
            .is_some_and(|e| st.start.days_until(e) + 1 > DAILY_BOXES_UP_TO)
    });
    let ticks = words.get(
        "taper",
        if weekly {
            "ticks_weekly"
        } else {
            "ticks_daily"
        },
    );
    let rows = s
        .steps
        .iter()
        .map(|st| {
            let last = st.end.is_none();
            let end = st.end.map(|d| words.date(d, dates)).unwrap_or_default();
            vec![
                Cell::text(st.step.to_string()),
                Cell::text(words.date(st.start, dates)),
                Cell::Text(if last {
                    vec![Span::bold(words.get("taper", "stop"))]
                } else if st.hold_days > 0 {
                    vec![
                        Span::plain(end),
                        Span::italic(words.fill(
                            "taper",
                            "held_days",
                            &[("n", &st.hold_days.to_string())],
                        )),
                    ]
                } else {
                    vec![Span::plain(end)]
                }),
                Cell::Text(vec![if last {
                    Span::bold("0")
                } else {
                    Span::plain(words.dec(st.daily_dose))
                }]),
                Cell::text(if last || st.doses.is_empty() {
                    words.get("taper", "none").to_string()
                } else {
                    words.number(&Schedule::split_text(st))
                }),
                Cell::Boxes(tick_labels(st, words)),
            ]
        })
        .collect();
    Table {
        header: header(s.input.unit, ticks, words),
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
pub fn blank_table(unit: Unit, ticks: bool, words: &Strings) -> Table {
    let mut header = header(unit, words.get("taper", "ticks_daily"), words);
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
pub fn summary(s: &Schedule, dates: &DateFormat, words: &Strings) -> String {
    let unit = s.input.unit;
    let n = s.steps.len().saturating_sub(1);
    let mut t = words.fill(
        "taper",
        if n == 1 {
            "summary_one"
        } else {
            "summary_other"
        },
        &[
            ("amount", &words.amount(unit, s.input.start_dose)),
            ("n", &n.to_string()),
        ],
    );
    let interval = s.input.interval_days.to_string();
    let days = [("days", interval.as_str())];
    if s.steps.iter().any(|st| st.hold_days > 0) {
        t.push_str(&words.fill("taper", "summary_held", &days));
    } else {
        let key = if s.input.interval_days == 1 {
            "summary_days_one"
        } else {
            "summary_days_other"
        };
        t.push_str(&words.fill("taper", key, &days));
    }
    if let Some(stop) = s.stop_date() {
        let last = Date(stop.0 - time::Duration::days(1));
        t.push_str(&words.fill(
            "taper",
            "summary_stop",
            &[
                ("last", &words.date(last, dates)),
                ("stop", &words.date(stop, dates)),
            ],
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
    let words = h.strings;
    let label = |key: &str| words.get("taper", key).to_string();
    let mut out = Vec::new();
    let mut lines: Vec<(String, String)> = Vec::new();
    if let Some(name) = h.patient_name {
        lines.push((words.get("pdf", "prepared_for").into(), name.to_string()));
    }
    if let Some(c) = h.care.clinician {
        lines.push((label("your_clinician"), c.to_string()));
    }
    if let Some(p) = h.care.phone {
        lines.push((
            label("questions_call"),
            format!("{p} ({})", h.config.clinic),
        ));
    }
    lines.push((label("plan_starts"), words.date(s.input.start, dates)));
    if let Some(v) = h.care.next_visit {
        lines.push((label("next_visit"), words.date(v, dates)));
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
        out.push(Block::WriteIn(words.get("pdf", "name").to_string()));
    }
    out.push(Block::Paragraph(spans));
    out
}

/// Page 1 of a personalized handout: the plan, before the page's guidance.
pub fn plan_blocks(h: &Handout, s: &Schedule, width: f32) -> Vec<Block> {
    let dates = h.config.handout.date_format();
    let words = h.strings;
    let mut out = vec![Block::Heading(1, vec![Span::plain(h.doc.heading())])];
    out.extend(details(h, s, &dates));
    let what = s
        .input
        .substance
        .as_deref()
        .map(|x| words.fill("taper", "your_plan_for", &[("substance", x)]))
        .unwrap_or_else(|| words.get("taper", "your_plan").to_string());
    out.push(Block::Heading(2, vec![Span::plain(what)]));
    out.push(Block::Paragraph(vec![Span::bold(summary(
        s, &dates, words,
    ))]));
    out.push(Block::Figure(chart::chart(s, &dates, words, width)));
    out.push(Block::Heading(
        2,
        vec![Span::plain(words.get("taper", "day_by_day"))],
    ));
    out.push(Block::Paragraph(vec![
        Span::plain(words.get("taper", "take_the_amount")),
        Span::bold(words.get("taper", "each_day_bold")),
        Span::plain(words.get("taper", "take_rest")),
    ]));
    // The schedule's warnings and defaults are the clinician's, never on the patient's copy:
    // see `clinician_sheet`.
    out.push(Block::Table(schedule_table(s, &dates, words)));
    if let Some(url) = page_url(h) {
        if let Some(code) = qr::code(&url) {
            out.push(Block::Figure(code));
            out.push(Block::Small(vec![
                Span::plain(words.get("taper", "read_online")),
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
            tick_labels(&s.steps[0], &Strings::english()),
            ["Tu", "We", "Th", "Fr", "Sa", "Su", "Mo"]
        );
        // Step 2 lasts 77 days: one box a week, labelled with its first day.
        let weekly = tick_labels(&s.steps[1], &Strings::english());
        assert_eq!(weekly.len(), 11);
        assert_eq!(weekly[0], "8 Dec");
        // The stop row: one box, for the first day without.
        assert_eq!(
            tick_labels(s.steps.last().expect("a stop row"), &Strings::english()).len(),
            1
        );
        let t = schedule_table(&s, &DateFormat::default(), &Strings::english());
        assert!(matches!(&t.rows[0][1], Cell::Text(sp) if sp[0].text == "Tue 1 Dec 2026"));
    }

    #[test]
    fn the_summary_names_the_last_dose_and_the_first_day_without() {
        let s = chart::tests::plan(vec![]);
        let t = summary(&s, &DateFormat::default(), &Strings::english());
        assert!(t.starts_with("From 20 g a day to none in "), "{t}");
        let stop = s.stop_date().expect("a stop");
        assert!(t.ends_with("you take none."));
        assert!(t.contains(&stop.format(&DateFormat::default())), "{t}");
    }
}
