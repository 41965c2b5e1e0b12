//! What the form's template receives (templates/serve/handout.html says it in its opening
//! comment): the pages to choose from and, for the chosen page, each control with its value,
//! its hint and its messages.

use serde::Serialize;
use tera::Context;

use super::values::{made_on, FormErrors, FormValues};
use crate::content::Document;
use crate::model;
use crate::taper::{Limit, PageTaper};
use crate::types::AudienceId;

#[derive(Serialize)]
struct PageChoice<'a> {
    path: &'a str,
    title: &'a str,
    selected: bool,
}

#[derive(Serialize)]
struct TextField {
    name: &'static str,
    /// The input's type: `text`, `tel` or `date`.
    kind: &'static str,
    label: String,
    hint: String,
    value: String,
    decimal: bool,
    required: bool,
    errors: Vec<String>,
}

#[derive(Serialize)]
struct SelectOption {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Serialize)]
struct Select {
    name: &'static str,
    label: &'static str,
    hint: &'static str,
    errors: Vec<String>,
    options: Vec<SelectOption>,
}

#[derive(Serialize)]
struct RadioOption {
    value: &'static str,
    label: &'static str,
    checked: bool,
}

#[derive(Serialize)]
struct Radios {
    name: &'static str,
    legend: &'static str,
    errors: Vec<String>,
    options: Vec<RadioOption>,
}

#[derive(Serialize)]
struct PageForm<'a> {
    path: &'a str,
    title: &'a str,
    substance: &'a str,
    unit: String,
    patient_name: TextField,
    /// The clinician's name, the phone for questions and the next visit.
    care: Vec<TextField>,
    audience: Select,
    schedule: Vec<TextField>,
    mode: Radios,
    paper: Radios,
    /// The handout's language.
    lang: Radios,
    /// For a page that is not approved: the caution every page of its PDF carries, and the
    /// clinician's explicit choice to print it anyway.
    caution: Option<Caution>,
    /// The schedule's notes to confirm before the PDF is made.
    notes: Option<Notes>,
}

#[derive(Serialize)]
struct Notes {
    items: Vec<Note>,
    digest: String,
    errors: Vec<String>,
    /// The plan's chart, inline SVG made by careguide (its texts escaped), with its text
    /// alternative as its title.
    chart: String,
}

#[derive(Serialize)]
struct Note {
    kind: String,
    text: String,
}

#[derive(Serialize)]
struct Caution {
    text: String,
    checked: bool,
    errors: Vec<String>,
}

fn limit_hint(l: &Limit, suffix: &str) -> String {
    let range = match (l.min, l.max) {
        (Some(a), Some(b)) => format!("From {a}{suffix} to {b}{suffix}."),
        (Some(a), None) => format!("At least {a}{suffix}."),
        (None, Some(b)) => format!("At most {b}{suffix}."),
        (None, None) => String::new(),
    };
    let default = match l.default {
        Some(d) => format!(" The page's default is {d}{suffix}."),
        None => String::new(),
    };
    let s = format!("{range}{default}");
    if s.trim().is_empty() {
        "Leave empty for careguide's default.".to_string()
    } else {
        s.trim().to_string()
    }
}

fn radios(
    name: &'static str,
    legend: &'static str,
    choices: &[(&'static str, &'static str)],
    chosen: &str,
    errors: &FormErrors,
) -> Radios {
    Radios {
        name,
        legend,
        errors: errors.for_field(name),
        options: choices
            .iter()
            .map(|&(value, label)| RadioOption {
                value,
                label,
                checked: value == chosen,
            })
            .collect(),
    }
}

/// A text field with its value and its messages.
fn text(
    errors: &FormErrors,
    name: &'static str,
    label: String,
    hint: String,
    value: &str,
    decimal: bool,
) -> TextField {
    TextField {
        name,
        kind: "text",
        label,
        hint,
        value: value.to_string(),
        decimal,
        required: name == "dose",
        errors: errors.for_field(name),
    }
}

/// The chosen page's controls, with the values and the messages of each.
fn page_form<'a>(
    site: &model::Site,
    doc: &'a Document,
    t: &'a PageTaper,
    values: &FormValues,
    errors: &FormErrors,
) -> PageForm<'a> {
    let words = form_strings(site, &values.lang);
    let mode = if values.mode.is_empty() {
        "previous"
    } else {
        &values.mode
    };
    PageForm {
        path: &doc.path,
        title: &doc.front.title,
        substance: &t.substance,
        patient_name: text(
            errors,
            "patient_name",
            "Patient's name (optional)".into(),
            "Printed on the handout only.".into(),
            &values.patient_name,
            false,
        ),
        care: care_fields(values, errors),
        audience: audience_select(site, doc, values, errors),
        schedule: schedule_fields(t, values, errors),
        mode: radios(
            "mode",
            "How each cut is measured",
            &[
                (
                    "previous",
                    "A percent of the previous step's dose (smaller cuts as the dose falls)",
                ),
                ("initial", "A percent of the start dose (equal cuts)"),
            ],
            mode,
            errors,
        ),
        paper: radios(
            "paper",
            "Paper size",
            &[("a4", "A4"), ("letter", "Letter")],
            &values.paper.to_ascii_lowercase(),
            errors,
        ),
        lang: radios(
            "lang",
            "Language of the handout",
            &[("en", "English"), ("es", "Español")],
            words.base(),
            errors,
        ),
        // Judged on the date the PDF would be made, as make_pdf judges it.
        caution: crate::audience::review::banner(doc, made_on(), &words).map(|_| Caution {
            text: crate::pdf::review_status(doc, made_on(), &words).text,
            checked: values.allow_unapproved == "yes",
            errors: errors.for_field("allow_unapproved"),
        }),
        notes: notes_to_confirm(errors),
        unit: t.unit.to_string(),
    }
}

/// The clinician, the phone for questions (the site's to begin with) and the next visit.
fn care_fields(values: &FormValues, errors: &FormErrors) -> Vec<TextField> {
    let clinician = text(
        errors,
        "clinician",
        "Clinician's name (optional)".into(),
        "Printed on the handout only, with the plan.".into(),
        &values.clinician,
        false,
    );
    let phone = TextField {
        kind: "tel",
        ..text(
            errors,
            "phone",
            "Phone for questions".into(),
            "Printed on the plan's page. Filled in with the site's contact phone; empty, the handout prints none. Digits, spaces and + ( ) - . /, then an extension such as “ext. 23”.".into(),
            &values.phone,
            false,
        )
    };
    let next_visit = TextField {
        kind: "date",
        ..text(
            errors,
            "next_visit",
            "Next visit (optional)".into(),
            "Printed on the handout only. As YYYY-MM-DD; not before the schedule's first day."
                .into(),
            &values.next_visit,
            false,
        )
    };
    vec![clinician, phone, next_visit]
}

/// The page's versions to choose from: the patient's by default where the page has it.
fn audience_select(
    site: &model::Site,
    doc: &Document,
    values: &FormValues,
    errors: &FormErrors,
) -> Select {
    let chosen = if !values.audience.is_empty() {
        AudienceId::new(values.audience.as_str())
    } else if doc.audiences.iter().any(|a| a == "patient") {
        AudienceId::new("patient")
    } else {
        site.config.default_audience.clone()
    };
    Select {
        name: "audience",
        label: "Version of the page",
        hint: "Whose wording the handout uses.",
        errors: errors.for_field("audience"),
        options: doc
            .audiences
            .iter()
            .map(|a| SelectOption {
                value: a.to_string(),
                label: site
                    .config
                    .audience(a)
                    .map(|x| x.label.clone())
                    .unwrap_or_else(|| a.to_string()),
                selected: *a == chosen,
            })
            .collect(),
    }
}

/// The schedule's fields, with the page's limits and defaults as hints.
fn schedule_fields(t: &PageTaper, values: &FormValues, errors: &FormErrors) -> Vec<TextField> {
    let unit = t.unit.to_string();
    let mut schedule = vec![text(
        errors,
        "dose",
        format!("Current daily dose ({unit})"),
        "The amount the patient takes per day now. Required.".into(),
        &values.dose,
        true,
    )];
    let numeric: [(&'static str, String, &Limit, &str, &str); 5] = [
        (
            "reduction_percent",
            "Cut per step (%)".into(),
            &t.reduction_percent,
            "%",
            &values.reduction_percent,
        ),
        (
            "interval_days",
            "Days per step".into(),
            &t.interval_days,
            "",
            &values.interval_days,
        ),
        (
            "step",
            format!("Smallest measurable amount ({unit})"),
            &t.step,
            "",
            &values.step,
        ),
        (
            "min_dose",
            format!("Lowest dose before stopping ({unit})"),
            &t.min_dose,
            "",
            &values.min_dose,
        ),
        (
            "doses_per_day",
            "Doses per day".into(),
            &t.doses_per_day,
            "",
            &values.doses_per_day,
        ),
    ];
    for (name, label, limit, suffix, value) in numeric {
        let hint = limit_hint(limit, suffix);
        schedule.push(text(errors, name, label, hint, value, true));
    }
    schedule.push(text(
        errors,
        "start",
        "First day of the schedule".into(),
        "As YYYY-MM-DD, for example 2026-12-01.".into(),
        &values.start,
        false,
    ));
    schedule.push(text(
        errors,
        "holds",
        "Held steps (optional)".into(),
        "Steps to lengthen, as STEP:DAYS separated by spaces: 5:7 9:7 adds 7 days to steps 5 and 9.".into(),
        &values.holds,
        false,
    ));
    schedule
}

/// The notes to read and confirm before the PDF is made, if there are any.
fn notes_to_confirm(errors: &FormErrors) -> Option<Notes> {
    (!errors.notes.is_empty()).then(|| Notes {
        items: errors
            .notes
            .iter()
            .map(|(kind, text)| Note {
                kind: kind.clone(),
                text: text.clone(),
            })
            .collect(),
        digest: errors.notes_digest.clone(),
        errors: errors.for_field("confirm_notes"),
        chart: errors.chart_svg.clone(),
    })
}

/// The handout's interface strings: the language chosen in the form, else the site's.
pub(super) fn form_strings(site: &model::Site, lang: &str) -> crate::i18n::Strings {
    let lang = if lang.is_empty() {
        site.config.language.as_str()
    } else {
        lang
    };
    crate::i18n::Catalog::load(&site.root)
        .unwrap_or_else(|_| crate::i18n::Catalog::builtin())
        .strings(lang)
        .0
}

/// The form page's context: the site's title, the summary of the messages, the pages to choose
/// from and the chosen page's controls.
pub(super) fn context(
    site: &model::Site,
    pages: &[(String, String)],
    doc: Option<&Document>,
    values: &FormValues,
    errors: &FormErrors,
) -> Context {
    let current = doc.map(|d| d.path.as_str()).unwrap_or("");
    let choices: Vec<PageChoice> = pages
        .iter()
        .map(|(path, title)| PageChoice {
            path,
            title,
            selected: path == current,
        })
        .collect();
    let form = doc.and_then(|d| {
        d.front
            .taper
            .as_ref()
            .map(|t| page_form(site, d, t, values, errors))
    });
    let mut ctx = Context::new();
    ctx.insert("site_title", &site.config.title);
    ctx.insert("problems", &errors.summary());
    ctx.insert("pages", &choices);
    ctx.insert("page", &form);
    ctx
}
