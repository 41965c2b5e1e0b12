//! What the form holds: its values as typed, its fields and their labels, and the messages
//! found, by field. The ground the form's other files stand on.

use serde::Serialize;

use crate::cmd::taper::Problem as InputProblem;
use crate::content::Document;
use crate::i18n::Strings;
use crate::model;
use crate::taper::{Field, Limit, PageTaper};

/// The form's values, as typed (or the page's defaults).
#[derive(Default, Clone)]
pub(super) struct FormValues {
    pub(super) page: String,
    pub(super) audience: String,
    pub(super) patient_name: String,
    pub(super) clinician: String,
    pub(super) phone: String,
    pub(super) next_visit: String,
    pub(super) dose: String,
    pub(super) reduction_percent: String,
    pub(super) interval_days: String,
    pub(super) step: String,
    pub(super) min_dose: String,
    pub(super) doses_per_day: String,
    pub(super) start: String,
    pub(super) holds: String,
    pub(super) mode: String,
    pub(super) paper: String,
    /// The handout's language (`es`); empty for the site's.
    pub(super) lang: String,
    /// `yes` when the clinician ticked "print it anyway" for a page that is not approved.
    pub(super) allow_unapproved: String,
    /// The digest of the schedule's notes the clinician confirmed having read.
    pub(super) confirm_notes: String,
    /// The fields sent whose values are not text (not UTF-8): left empty here, and said.
    pub(super) not_text: Vec<String>,
}

impl FormValues {
    /// The values with the language's decimal mark (`0,5` in Spanish) read as a point, as the
    /// command line and CSV files write them: the form accepts both.
    pub(super) fn with_decimal_mark(mut self, mark: &str) -> FormValues {
        if mark != "," {
            return self;
        }
        for v in [
            &mut self.dose,
            &mut self.reduction_percent,
            &mut self.step,
            &mut self.min_dose,
        ] {
            let b = v.as_bytes();
            let fixed: String = v
                .char_indices()
                .map(|(i, c)| {
                    let between = c == ','
                        && i > 0
                        && b[i - 1].is_ascii_digit()
                        && b.get(i + 1).is_some_and(u8::is_ascii_digit);
                    if between {
                        '.'
                    } else {
                        c
                    }
                })
                .collect();
            *v = fixed;
        }
        self
    }

    pub(super) fn from_pairs(pairs: &[(String, Option<String>)]) -> FormValues {
        let mut v = FormValues::default();
        for (k, val) in pairs {
            let Some(val) = val else {
                if !v.not_text.contains(k) {
                    v.not_text.push(k.clone());
                }
                continue;
            };
            let slot = match k.as_str() {
                "page" => &mut v.page,
                "audience" => &mut v.audience,
                "patient_name" => &mut v.patient_name,
                "clinician" => &mut v.clinician,
                "phone" => &mut v.phone,
                "next_visit" => &mut v.next_visit,
                "dose" => &mut v.dose,
                "reduction_percent" => &mut v.reduction_percent,
                "interval_days" => &mut v.interval_days,
                "step" => &mut v.step,
                "min_dose" => &mut v.min_dose,
                "doses_per_day" => &mut v.doses_per_day,
                "start" => &mut v.start,
                "holds" => &mut v.holds,
                "mode" => &mut v.mode,
                "paper" => &mut v.paper,
                "lang" => &mut v.lang,
                "allow_unapproved" => &mut v.allow_unapproved,
                "confirm_notes" => &mut v.confirm_notes,
                _ => continue,
            };
            *slot = val.clone();
        }
        v
    }

    /// The page's defaults, and the site's phone for questions (shown, so not a silent default:
    /// emptied, the handout prints none).
    pub(super) fn defaults(site: &model::Site, doc: &Document, t: &PageTaper) -> FormValues {
        let d = |l: &Limit| l.default.map(|v| v.to_string()).unwrap_or_default();
        FormValues {
            page: doc.path.clone(),
            audience: String::new(),
            phone: site.config.contact.phone.clone().unwrap_or_default(),
            reduction_percent: d(&t.reduction_percent),
            interval_days: d(&t.interval_days),
            step: d(&t.step),
            min_dose: d(&t.min_dose),
            doses_per_day: d(&t.doses_per_day),
            start: crate::cmd::taper::today().to_string(),
            mode: "previous".into(),
            paper: "a4".into(),
            ..FormValues::default()
        }
    }
}

/// The form's fields: name (a request field's id, see `taper::Field::id`) and label, in the
/// form's order.
const FIELDS: &[(&str, &str)] = &[
    ("patient_name", "Patient's name"),
    ("clinician", "Clinician's name"),
    ("phone", "Phone for questions"),
    ("next_visit", "Next visit"),
    ("audience", "Version of the page"),
    ("dose", "Current daily dose"),
    ("reduction_percent", "Cut per step (%)"),
    ("interval_days", "Days per step"),
    ("step", "Smallest measurable amount"),
    ("min_dose", "Lowest dose before stopping"),
    ("doses_per_day", "Doses per day"),
    ("start", "First day of the schedule"),
    ("holds", "Held steps"),
    ("mode", "How each cut is measured"),
    ("paper", "Paper size"),
    (
        "allow_unapproved",
        "Print it anyway, with a caution on every page",
    ),
    // The form's own: the command line prints the notes instead.
    ("confirm_notes", "I have read these notes"),
];

/// Messages by field name, and those that belong to no field.
#[derive(Default)]
pub(super) struct FormErrors {
    pub(super) fields: Vec<(&'static str, String)>,
    pub(super) general: Vec<String>,
    /// The schedule's notes for the clinician, to read and confirm before the PDF is made, with
    /// their digest (what the confirmation must send back).
    pub(super) notes: Vec<(String, String)>,
    pub(super) notes_digest: String,
    /// The plan's chart as inline SVG, shown with the notes (the PDF draws the same figure).
    pub(super) chart_svg: String,
}

impl FormErrors {
    pub(super) fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    /// Say, next to its field, each value that was not text; whether there was one. A field
    /// the form does not have is said at the top (by name: it is the sender's, not patient
    /// data).
    pub(super) fn not_text(&mut self, names: &[String]) -> bool {
        for name in names {
            match FIELDS.iter().find(|(f, _)| f == name) {
                Some(&(field, label)) => self.field(
                    field,
                    format!("“{label}” was sent with bytes that are not text (not UTF-8), so it was not used: type it again."),
                ),
                None => self.general.push(format!(
                    "The form's “{}” was sent with bytes that are not text (not UTF-8): send the form again from its page.",
                    name.chars().take(40).collect::<String>()
                )),
            }
        }
        !names.is_empty()
    }

    pub(super) fn field(&mut self, name: &'static str, message: impl Into<String>) {
        self.fields.push((name, message.into()));
    }

    pub(super) fn for_field(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// Sort a command's problems to their fields, in the form's language where `words` are
    /// given: a problem said as a note in its words, each field it names by the form's label
    /// in that language; one said in English only stays English.
    pub(super) fn add_messages_in(&mut self, problems: &[InputProblem], words: Option<&Strings>) {
        let label = |f: Field| match words {
            Some(w) if w.base() != "en" => form_label_in(f, w),
            _ => form_label(f),
        };
        for p in problems {
            let text = match (&p.said, words) {
                // English as the command says it, byte for byte.
                (Some(said), Some(w)) if w.base() != "en" => {
                    crate::taper::labelled(said.render(w), &label)
                }
                _ => p.text(&label),
            };
            let own = p
                .field
                .and_then(|f| FIELDS.iter().find(|(name, _)| *name == f.id()));
            match (own, p.field) {
                // One message a field: a second one often follows from the first.
                (Some((name, _)), _) if !self.for_field(name).is_empty() => {}
                (Some((name, _)), _) => self.field(name, sentence(&text)),
                (None, Some(f)) => self
                    .general
                    .push(sentence(&format!("{}: {text}", label(f)))),
                (None, None) => self.general.push(sentence(&text)),
            }
        }
    }

    /// The summary at the top: general messages first, then the fields' in the form's order.
    pub(super) fn summary(&self) -> Vec<Problem> {
        let mut fields: Vec<&(&str, String)> = self.fields.iter().collect();
        fields.sort_by_key(|(n, _)| FIELDS.iter().position(|(f, _)| f == n));
        self.general
            .iter()
            .map(|m| Problem {
                text: m.clone(),
                field: "",
            })
            .chain(fields.into_iter().map(|(name, m)| Problem {
                text: m.clone(),
                field: name,
            }))
            .collect()
    }
}

/// The date a handout made now is made on (SOURCE_DATE_EPOCH, else today).
pub(super) fn made_on() -> crate::types::Date {
    crate::cmd::handout::made_date(None).unwrap_or_else(|_| crate::cmd::taper::today())
}

/// A field as the form names it: by its label, or in words where the form has no such field.
fn form_label(f: Field) -> String {
    match FIELDS.iter().find(|(name, _)| *name == f.id()) {
        Some((_, label)) => format!("“{label}”"),
        None => format!("the {}", f.id().replace('_', " ")),
    }
}

/// A field as the form names it in `words`' language: by the label the form shows (without
/// its unit), or in words where the form has no such field.
fn form_label_in(f: Field, words: &Strings) -> String {
    if FIELDS.iter().any(|(name, _)| *name == f.id()) {
        let label = words.get("form", f.id()).replace(" ({unit})", "");
        format!("“{label}”")
    } else {
        words.get("form", &format!("field_{}", f.id())).to_string()
    }
}

pub(super) fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A value as typed, trimmed; `None` when empty.
pub(super) fn opt(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// One message of the summary at the top of the form, as the template receives it.
#[derive(Serialize)]
pub(super) struct Problem {
    pub(super) text: String,
    /// The field's name, or "" for a message about the whole form.
    pub(super) field: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_decimal_comma_is_read_as_a_point_where_the_language_writes_one() {
        let v = |dose: &str| FormValues {
            dose: dose.into(),
            step: "0,5".into(),
            holds: "5:7,9:7".into(),
            ..FormValues::default()
        };
        let es = v("12,5").with_decimal_mark(",");
        assert_eq!((es.dose.as_str(), es.step.as_str()), ("12.5", "0.5"));
        // Not a number field, and not between digits: left for the checks to judge.
        assert_eq!(es.holds, "5:7,9:7");
        assert_eq!(v("1,5,").with_decimal_mark(",").dose, "1.5,");
        // A point is read everywhere; English leaves a comma to be refused as it was.
        assert_eq!(v("12.5").with_decimal_mark(",").dose, "12.5");
        assert_eq!(v("12,5").with_decimal_mark(".").dose, "12,5");
    }

    #[test]
    fn messages_go_to_their_fields_with_labels() {
        let mut e = FormErrors::default();
        e.add_messages_in(
            &[
                InputProblem::of(Field::Dose, "'abc' is not a number"),
                InputProblem::of(
                    Field::IntervalDays,
                    "no days per step: pass {interval_days}",
                ),
                InputProblem::of(Field::Page, "something else"),
            ],
            None,
        );
        assert_eq!(e.for_field("dose"), vec!["'abc' is not a number"]);
        assert_eq!(
            e.for_field("interval_days"),
            vec!["No days per step: pass “Days per step”"]
        );
        assert_eq!(e.general, vec!["The page: something else"]);
    }

    #[test]
    fn a_check_said_as_a_note_is_said_in_the_forms_language_with_its_labels() {
        use crate::taper::{Said, Value};
        let no_step = Said::new(
            "check_no_value",
            vec![
                ("what", Value::said("step", vec![])),
                ("field", Value::plain("{step}")),
            ],
        );
        let problem = InputProblem {
            field: Some(Field::Step),
            message: no_step.english(),
            said: Some(no_step),
        };
        let mut e = FormErrors::default();
        e.add_messages_in(
            std::slice::from_ref(&problem),
            Some(&Strings::builtin("es")),
        );
        assert_eq!(
            e.for_field("step"),
            vec!["Falta un valor para cantidad más pequeña que se puede medir: indique “Cantidad más pequeña que se puede medir” (la página no fija ningún valor por defecto)"]
        );
        // English as before, whatever the words.
        for words in [None, Some(&Strings::english())] {
            let mut e = FormErrors::default();
            e.add_messages_in(std::slice::from_ref(&problem), words);
            assert_eq!(
                e.for_field("step"),
                vec!["No smallest measurable amount: pass “Smallest measurable amount” (the page sets no default)"]
            );
        }
        // A field the form does not show, named in Spanish.
        let mut e = FormErrors::default();
        e.add_messages_in(
            &[InputProblem::from(crate::taper::TaperError::said(
                Field::Unit,
                Said::new("check_no_unit", vec![]),
            ))],
            Some(&Strings::builtin("es")),
        );
        assert_eq!(
            e.general,
            vec!["La unidad: falta la unidad: indique la unidad (g, mg, mL o tabletas) o la página con un bloque taper:"]
        );
    }

    #[test]
    fn values_that_are_not_text_are_said_not_used() {
        let v = FormValues::from_pairs(&[
            ("patient_name".into(), None),
            ("dose".into(), Some("20".into())),
            ("page".into(), None),
        ]);
        assert_eq!(v.patient_name, "");
        assert_eq!(v.dose, "20");
        let mut e = FormErrors::default();
        assert!(e.not_text(&v.not_text));
        assert!(e.for_field("patient_name")[0].contains("not text (not UTF-8)"));
        assert!(e.general[0].contains("“page”"));
        assert!(!FormErrors::default().not_text(&[]));
    }
}
