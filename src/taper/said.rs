//! The schedule's notes for the clinician (its warnings, the defaults it filled in) as data: a
//! key of the interface strings' `[notes]` table and the values it is filled with, so that a
//! front end can say them in the handout's language. This module stays below the strings
//! (`house::LAYERS`): it says a note in careguide's own English, the words the command line
//! prints and the JSON carries, and anything that has a language's words renders it through
//! [`Wording`] (`i18n::Strings` does).

use std::fmt;

use serde::{Serialize, Serializer};

use super::{Dec, Unit};

/// A note in no language yet: the key of its wording and the values that fill it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub key: &'static str,
    pub values: Vec<(&'static str, Value)>,
}

/// A value in a note, said as the language says it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Written the same in every language: a step number, a count, a range of steps, an ISO
    /// date.
    Plain(String),
    /// A number with a decimal point (a percent, a dose): written with the language's mark.
    Number(String),
    /// An amount with its unit: `0.5 g`, `1 tablet`; `0,5 g`, `1 tableta`.
    Amount(Unit, Dec),
    /// A unit's name alone.
    Unit(Unit),
    /// Another note's words, put in its place.
    Said(Box<Said>),
}

impl Value {
    pub fn plain(v: impl fmt::Display) -> Value {
        Value::Plain(v.to_string())
    }

    pub fn number(v: impl fmt::Display) -> Value {
        Value::Number(v.to_string())
    }

    pub fn said(key: &'static str, values: Vec<(&'static str, Value)>) -> Value {
        Value::Said(Box::new(Said::new(key, values)))
    }
}

/// What saying a note in a language needs: the wording of each key of `[notes]`, and how the
/// language writes numbers, units and amounts.
pub trait Wording {
    /// The wording of `[notes]` `key`, with `{name}` where each value goes.
    fn note<'a>(&'a self, key: &'a str) -> &'a str;
    /// A number with a decimal point, in this language's mark.
    fn number(&self, n: &str) -> String;
    fn unit(&self, u: Unit) -> String;
    fn amount(&self, u: Unit, d: Dec) -> String;
}

impl Said {
    pub fn new(key: &'static str, values: Vec<(&'static str, Value)>) -> Said {
        Said { key, values }
    }

    /// The note in `w`'s words: each `{name}` of its wording replaced by its value, in one
    /// pass (a value is never read for more places).
    pub fn render(&self, w: &dyn Wording) -> String {
        let template = w.note(self.key);
        let mut out = String::with_capacity(template.len() + 32);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                self.values
                    .iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (close, v))
            });
            match value {
                Some((close, v)) => {
                    out.push_str(&render_value(v, w));
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// The note in careguide's own English.
    pub fn english(&self) -> String {
        self.render(&English)
    }
}

fn render_value(v: &Value, w: &dyn Wording) -> String {
    match v {
        Value::Plain(s) => s.clone(),
        Value::Number(n) => w.number(n),
        Value::Amount(u, d) => w.amount(*u, *d),
        Value::Unit(u) => w.unit(*u),
        Value::Said(s) => s.render(w),
    }
}

/// careguide's own English, the wording the command line prints. `src/i18n/en.toml`'s
/// `[notes]` holds the same (tested), so that a site may override it and a language translate
/// it.
struct English;

impl Wording for English {
    fn note<'a>(&'a self, key: &'a str) -> &'a str {
        ENGLISH
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(key, |(_, v)| v)
    }
    fn number(&self, n: &str) -> String {
        n.to_string()
    }
    fn unit(&self, u: Unit) -> String {
        u.as_str().to_string()
    }
    fn amount(&self, u: Unit, d: Dec) -> String {
        u.amount(d)
    }
}

/// The English wording of every note, by key: what `[notes]` in en.toml must say too.
pub const ENGLISH: &[(&str, &str)] = &[
    // Warnings about a step's cut.
    ("step_cut", "step {step}: {cut}, more than {limit}%: {why}; {advice}"),
    ("cut", "{from} to {to} is a cut of {percent}%"),
    ("cut_held", "{from} to {to} is a cut of {percent}%, held {given} days longer: {average}% per {k} days"),
    ("why_linear", "a linear taper (mode initial) cuts {r}% of the start dose ({amount}) every step, a growing share of a falling dose: here {percent}%"),
    ("why_coarse", "the smallest measurable amount ({q}) is too coarse at this dose for the intended cut of {intended}%"),
    ("hold", "holding this step {days} days longer ({intervals} intervals of {k} days) brings its average cut back to {average}% per {k} days, within {rate}"),
    ("hold_instead", "holding this step {days} days longer, in place of the {given} given ({intervals} intervals of {k} days) brings its average cut back to {average}% per {k} days, within {rate}"),
    ("no_hold", "bringing its average cut back to {rate} per {k} days would take a hold of {days} days, more than the 365 a hold allows: {other}"),
    ("no_hold_linear", "mode previous (a percent of each dose) cuts less as the dose falls"),
    ("no_hold_coarse", "a smaller smallest measurable amount, if the patient can measure it, makes this cut smaller"),
    ("rate_intended", "the intended {percent}%"),
    ("rate_limit", "the limit of {limit}%"),
    // The reduction itself above the limit.
    ("above_limit_one", "the reduction of {r}% {how} per step is above the limit of {limit}% per step: {n} step cut more than {limit}% (step {steps}; the largest, {largest}%, at step {at}); no hold brings a cut within the limit when the rate itself is above it: lower the reduction to at most {limit}%"),
    ("above_limit_other", "the reduction of {r}% {how} per step is above the limit of {limit}% per step: {n} steps cut more than {limit}% (steps {steps}; the largest, {largest}%, at step {at}); no hold brings a cut within the limit when the rate itself is above it: lower the reduction to at most {limit}%"),
    ("of_previous", "of the previous dose"),
    ("of_start", "of the start dose"),
    // The end and the length of the schedule.
    ("stops_at_once", "the schedule stops at once: the first cut takes the dose below the lowest dose before stopping ({min}); check the start dose and the lowest dose"),
    ("final_stop", "step {step}: the last dose before stopping is {last}, more than {max} ({why}): stopping from it is a cut of 100% in one step; a lower lowest dose before stopping adds smaller steps before the stop (a hold only lengthens this step: it does not make the stop smaller)"),
    ("final_page_limit", "the page's limit for the last dose"),
    ("final_twice_step", "twice the smallest measurable amount"),
    ("long_taper", "the taper lasts {days} days (stop on {stop}), more than a year: check the reduction and the days per step"),
    // The inputs in words.
    ("describe", "From {start} a day, lower by {r}% {how} every {every}, measured in steps of {q}, in {doses} a day; stop below {min}."),
    ("every_one", "{n} day"),
    ("every_other", "{n} days"),
    ("doses_one", "{n} dose"),
    ("doses_other", "{n} doses"),
    // A note of the handout's, on the plan it carries.
    ("visit_after_end", "the next visit is after the day the schedule ends (the patient then takes none): the handout's plan does not cover the days in between; check that this is intended"),
    // The defaults filled in.
    ("default_start", "start date: {date} (today)"),
    ("default_mode", "mode: previous (each cut is a percent of the previous dose)"),
    ("default_percent", "{what}: {value}% ({why})"),
    ("default_number", "{what}: {value} ({why})"),
    ("default_amount", "{what}: {value} {unit} ({why})"),
    ("default_max_step", "warn above a cut per step of: {value}% ({why})"),
    ("reduction_percent", "reduction percent"),
    ("interval_days", "days per step"),
    ("step", "smallest measurable amount"),
    ("min_dose", "lowest dose before stopping"),
    ("doses_per_day", "doses per day"),
    ("why_page_default", "the page's default"),
    ("why_page_limit", "the page's limit"),
    ("why_builtin", "built-in default"),
    ("why_step", "the smallest measurable amount"),    // The checks of the inputs, before a schedule is made; `{unit}`, `{dose}`, `{page}` name
    // fields, given their labels after the note is said.
    ("check_not_a_number", "'{text}' is not a number"),
    ("check_too_large", "'{text}' is too large"),
    ("check_decimal_places", "'{text}' has more than {n} decimal places"),
    ("check_dose_positive", "the start dose must be more than 0 (got {v})"),
    ("check_step_above_dose", "the smallest measurable amount ({q}) is larger than the start dose ({dose}): no step is possible"),
    ("check_reduction_range", "the reduction must be more than 0% and at most 50% (got {v}%)"),
    ("check_interval_days_range", "the days per step must be a whole number from {lo} to {hi} (got {v})"),
    ("check_doses_per_day_range", "the doses per day must be a whole number from {lo} to {hi} (got {v})"),
    ("check_step_positive", "the smallest measurable amount must be more than 0 (got {v})"),
    ("check_min_dose_negative", "the lowest dose before stopping cannot be below 0 (got {v})"),
    ("check_above_limit", "{v} is above the page's limit of {limit}"),
    ("check_above_limit_percent", "{v}% is above the page's limit of {limit}%"),
    ("check_below_limit", "{v} is below the page's limit of {limit}"),
    ("check_below_limit_percent", "{v}% is below the page's limit of {limit}%"),
    ("check_not_a_hold", "{hold} is not a hold"),
    ("check_held_twice", "step {step} is held twice: give one hold per step"),
    (
        "check_too_many_steps",
        "the schedule would have more than {max} steps: choose a larger reduction or a larger smallest amount",
    ),
    ("check_no_such_step", "there is no step {step}: this schedule has {steps} steps"),
    (
        "check_hold_at_stop",
        "step {step} is the stop (dose 0) and has no end: hold an earlier step",
    ),
    ("check_past_calendar", "the schedule runs past the last date the calendar supports"),
    (
        "check_visit_before_start",
        "the next visit is before the schedule's first day ({start}): check both dates",
    ),
    (
        "check_visit_before_made",
        "the next visit is before the day the handout is made ({made}): a handout would give the patient a visit in the past",
    ),
    ("check_hold_shape", "'{text}' is not a hold: write STEP:DAYS, for example 5:7"),
    ("check_hold_step_zero", "'{text}': steps are numbered from 1"),
    ("check_hold_no_days", "'{text}': a hold adds at least one day"),
    ("check_hold_too_long", "'{text}': a hold of more than 365 days is not a taper step"),
    ("check_unit_mismatch", "the page doses in {page_unit}, not {given}: leave {unit} out or give the dose in {page_unit}"),
    ("check_no_unit", "no unit: pass {unit} (g, mg, mL or tablets) or {page} with a taper: block"),
    ("check_no_dose", "no start dose: pass {dose} with the patient's current daily dose"),
    ("check_no_value", "no {what}: pass {field} (the page sets no default)"),
    ("check_max_step_percent", "{v} is not a percent between 0 and 100"),
    // A date that does not parse (`types::Date`'s words, said again here).
    ("check_date_shape", "'{text}' is not a date in the form YYYY-MM-DD"),
    ("check_date_not_real", "'{text}' is not a real calendar date"),
];

/// A value filled in because none was given: what the command line and the JSON say of it, and
/// the note itself, for a front end to say in its language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub said: Said,
    /// In careguide's own English: `reduction percent: 10% (the page's default)`.
    pub text: String,
}

impl Applied {
    pub fn new(said: Said) -> Applied {
        Applied {
            text: said.english(),
            said,
        }
    }
}

impl fmt::Display for Applied {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// As its English text: the JSON's `defaults_applied` stays an array of strings.
impl Serialize for Applied {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Shouting;
    impl Wording for Shouting {
        fn note<'a>(&'a self, key: &'a str) -> &'a str {
            match key {
                "outer" => "{a} / {b} / {missing} / {a}",
                "inner" => "IN {n}",
                k => k,
            }
        }
        fn number(&self, n: &str) -> String {
            n.replace('.', ",")
        }
        fn unit(&self, _: Unit) -> String {
            "U".into()
        }
        fn amount(&self, _: Unit, d: Dec) -> String {
            format!("{d} U")
        }
    }

    #[test]
    fn a_note_is_filled_in_one_pass_in_the_wording_given() {
        let s = Said::new(
            "outer",
            vec![
                // A value that looks like a place is not filled again.
                ("a", Value::plain("{b}")),
                (
                    "b",
                    Value::said("inner", vec![("n", Value::number("12.5"))]),
                ),
            ],
        );
        assert_eq!(s.render(&Shouting), "{b} / IN 12,5 / {missing} / {b}");
    }

    #[test]
    fn the_english_strings_table_says_the_notes_as_careguide_does() {
        let table: toml::Table =
            toml::from_str(include_str!("../i18n/en.toml")).expect("en.toml parses");
        let notes = table["notes"].as_table().expect("a [notes] section");
        let mut keys: Vec<&str> = notes.keys().map(String::as_str).collect();
        let mut ours: Vec<&str> = ENGLISH.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        ours.sort_unstable();
        assert_eq!(keys, ours);
        for (k, v) in ENGLISH {
            assert_eq!(notes[*k].as_str(), Some(*v), "[notes] {k}");
        }
    }

    #[test]
    fn every_key_is_worded_once() {
        let mut keys: Vec<&str> = ENGLISH.iter().map(|(k, _)| *k).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }

    /// The `{name}`s of a wording, sorted.
    fn places(s: &str) -> Vec<&str> {
        let mut out: Vec<&str> = s
            .split('{')
            .skip(1)
            .filter_map(|p| p.split_once('}').map(|(n, _)| n))
            .collect();
        out.sort_unstable();
        out
    }

    #[test]
    fn every_check_is_said_in_spanish_with_the_same_places() {
        let es = crate::i18n::Strings::builtin("es");
        let checks: Vec<&(&str, &str)> = ENGLISH
            .iter()
            .filter(|(k, _)| k.starts_with("check_"))
            .collect();
        assert!(checks.len() >= 20, "{}", checks.len());
        for (key, english) in checks {
            let spanish = es.note(key);
            assert_ne!(spanish, *key, "es.toml [notes] has no {key}");
            assert_ne!(spanish, *english, "[notes] {key} is not translated");
            assert_eq!(places(spanish), places(english), "[notes] {key}");
            // Every value filled in, in Spanish: numbers with the decimal comma.
            let values: Vec<(&'static str, Value)> = places(english)
                .into_iter()
                .filter(|n| !["unit", "dose", "page", "start"].contains(n))
                .map(|n| {
                    let n: &'static str = [
                        "text",
                        "n",
                        "v",
                        "lo",
                        "hi",
                        "q",
                        "limit",
                        "hold",
                        "step",
                        "page_unit",
                        "given",
                        "what",
                        "field",
                        "max",
                        "steps",
                        "made",
                    ]
                    .into_iter()
                    .find(|k| *k == n)
                    .unwrap_or_else(|| panic!("{key}: unexpected place {n}"));
                    let v = match n {
                        "q" => Value::Amount(Unit::G, "0.5".parse().unwrap()),
                        "page_unit" | "given" => Value::Unit(Unit::Tablets),
                        "what" => Value::said("step", vec![]),
                        _ => Value::number("2.5"),
                    };
                    (n, v)
                })
                .collect();
            let said = Said::new(key, values.clone()).render(&es);
            for (n, _) in &values {
                assert!(!said.contains(&format!("{{{n}}}")), "{key}: {said}");
            }
            assert!(
                !said.contains("2.5") && !said.contains("0.5"),
                "{key}: {said}"
            );
        }
    }
}
