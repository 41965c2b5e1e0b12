//! The schedule in words: the plain-text table, CSV and JSON.

use serde::Serialize;

use super::said::{Said, Value};
use super::{Dec, Hold, Mode, Schedule, TaperInput, Unit};
use crate::types::Date;

/// A description of the inputs in words, for the heading of a table or handout.
pub fn describe(input: &TaperInput) -> String {
    describe_said(input).english()
}

/// [`describe`] as data, for a front end to say in its language.
pub fn describe_said(input: &TaperInput) -> Said {
    let how = match input.mode {
        Mode::Previous => "of_previous",
        Mode::Initial => "of_start",
    };
    // `{n} day` or `{n} days`: the key's `_one` or `_other` form.
    let count = |one: &'static str, other: &'static str, n: u32| {
        let key = if n == 1 { one } else { other };
        Value::said(key, vec![("n", Value::plain(n))])
    };
    Said::new(
        "describe",
        vec![
            ("start", Value::Amount(input.unit, input.start_dose)),
            ("r", Value::number(input.reduction_percent)),
            ("how", Value::said(how, vec![])),
            (
                "every",
                count("every_one", "every_other", input.interval_days),
            ),
            ("q", Value::Amount(input.unit, input.step)),
            (
                "doses",
                count("doses_one", "doses_other", input.doses_per_day),
            ),
            ("min", Value::Amount(input.unit, input.min_dose)),
        ],
    )
}

/// The schedule as a plain-text table.
pub fn to_table(s: &Schedule) -> String {
    let unit = s.input.unit.as_str();
    let mut out = String::new();
    if let Some(sub) = &s.input.substance {
        out.push_str(&format!("Taper schedule: {sub}\n"));
    } else {
        out.push_str("Taper schedule\n");
    }
    out.push_str(&describe(&s.input));
    out.push('\n');
    for d in &s.input.defaults_applied {
        out.push_str(&format!("Default used: {d}\n"));
    }
    out.push('\n');
    let header = [
        "Step".to_string(),
        "From".to_string(),
        "To".to_string(),
        format!("Daily ({unit})"),
        "Change".to_string(),
        format!("Doses ({unit})"),
    ];
    let rows: Vec<[String; 6]> = s
        .steps
        .iter()
        .map(|st| {
            [
                st.step.to_string(),
                st.start.to_string(),
                st.end
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "stop".into()),
                st.daily_dose.to_string(),
                format!("{}%", st.change_percent),
                Schedule::split_text(st),
            ]
        })
        .collect();
    let mut w = header.clone().map(|h| h.chars().count());
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String; 6]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            // Numbers right, text left.
            if matches!(i, 0 | 3 | 4) {
                l.push_str(&" ".repeat(pad));
                l.push_str(c);
            } else {
                l.push_str(c);
                if i < 5 {
                    l.push_str(&" ".repeat(pad));
                }
            }
            if i < 5 {
                l.push_str("  ");
            }
        }
        l.trim_end().to_string() + "\n"
    };
    out.push_str(&line(&header));
    for r in &rows {
        out.push_str(&line(r));
    }
    if !s.warnings.is_empty() {
        out.push_str("\nWarnings:\n");
        for wn in &s.warnings {
            out.push_str(&format!("- {wn}\n"));
        }
    }
    out
}

/// The schedule as CSV (one row a step).
pub fn to_csv(s: &Schedule) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "step",
        "start",
        "end",
        "daily_dose",
        "unit",
        "change_percent",
        "doses",
        "hold_days",
    ];
    // Writing to memory cannot fail.
    let _ = w.write_record(header);
    for st in &s.steps {
        let doses: Vec<String> = st.doses.iter().map(|d| d.to_string()).collect();
        let _ = w.write_record([
            st.step.to_string(),
            st.start.to_string(),
            st.end.map(|d| d.to_string()).unwrap_or_default(),
            st.daily_dose.to_string(),
            s.input.unit.to_string(),
            st.change_percent.to_string(),
            doses.join("+"),
            st.hold_days.to_string(),
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The schedule as JSON: `{"unit", "start_dose", "steps": [...], "warnings", "suggested_holds",
/// ...}`, keys in that order. `warnings` stays an array of strings; `suggested_holds` is
/// `[{"step", "days"}]`.
pub fn to_json(s: &Schedule) -> String {
    #[derive(Serialize)]
    struct JsonStep {
        step: u32,
        start: Date,
        end: Option<Date>,
        daily_dose: Dec,
        change_percent: i64,
        doses: Vec<Dec>,
        hold_days: u32,
    }
    #[derive(Serialize)]
    struct Json<'a> {
        unit: Unit,
        start_dose: Dec,
        steps: Vec<JsonStep>,
        warnings: Vec<&'a str>,
        /// The hold each warning suggests: a step's whole hold, in place of any given for it.
        suggested_holds: Vec<Hold>,
        defaults_applied: &'a [super::Applied],
        substance: Option<&'a str>,
        reduction_percent: Dec,
        interval_days: u32,
        step: Dec,
        min_dose: Dec,
        doses_per_day: u32,
        mode: Mode,
        start: Date,
        stop: Option<Date>,
        holds: &'a [Hold],
    }
    let i = &s.input;
    let v = Json {
        unit: i.unit,
        start_dose: i.start_dose,
        steps: s
            .steps
            .iter()
            .map(|st| JsonStep {
                step: st.step,
                start: st.start,
                end: st.end,
                daily_dose: st.daily_dose,
                change_percent: st.change_percent,
                doses: st.doses.clone(),
                hold_days: st.hold_days,
            })
            .collect(),
        warnings: s.warnings.iter().map(|w| w.text.as_str()).collect(),
        suggested_holds: s.suggested_holds(),
        defaults_applied: &i.defaults_applied,
        substance: i.substance.as_deref(),
        reduction_percent: i.reduction_percent,
        interval_days: i.interval_days,
        step: i.step,
        min_dose: i.min_dose,
        doses_per_day: i.doses_per_day,
        mode: i.mode,
        start: i.start,
        stop: s.stop_date(),
        holds: &i.holds,
    };
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::taper::testutil::*;
    use crate::taper::*;

    #[test]
    fn golden_json_shape() {
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&to_json(&s)).unwrap();
        assert_eq!(v["unit"], "g");
        assert_eq!(v["start_dose"], 20);
        assert_eq!(v["steps"][0]["step"], 1);
        assert_eq!(v["steps"][0]["start"], "2026-12-01");
        assert_eq!(v["steps"][0]["end"], "2026-12-07");
        assert_eq!(v["steps"][0]["daily_dose"], 18);
        assert_eq!(v["steps"][0]["change_percent"], -10);
        assert_eq!(v["steps"][0]["doses"], serde_json::json!([6, 6, 6]));
        assert_eq!(v["steps"][1]["doses"], serde_json::json!([5.5, 5.5, 5]));
        assert_eq!(v["steps"][23]["end"], serde_json::Value::Null);
        assert_eq!(v["steps"][23]["start"], "2027-05-11");
    }

    #[test]
    fn text_forms() {
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        let t = to_table(&s);
        assert!(
            t.contains("   1  2026-12-01  2026-12-07         18    -10%  6 + 6 + 6"),
            "{t}"
        );
        assert!(t.contains("2027-05-11  stop"), "{t}");
        let c = to_csv(&s);
        assert!(
            c.contains("\n1,2026-12-01,2026-12-07,18,g,-10,6+6+6,0\n"),
            "{c}"
        );
        assert!(c.contains("\n24,2027-05-11,,0,g,-100,,0\n"), "{c}");
    }

    #[test]
    fn the_json_keeps_warning_strings_and_adds_suggested_holds() {
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&to_json(&s)).unwrap();
        assert!(v["warnings"][0]
            .as_str()
            .is_some_and(|w| w.starts_with("step 22: 1.5 g to 1 g is a cut of 33.3%")));
        assert_eq!(
            v["suggested_holds"],
            serde_json::json!([{"step": 22, "days": 21}, {"step": 23, "days": 28}])
        );
    }
}
