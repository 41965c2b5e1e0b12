//! What the form's template receives (templates/serve/handout.html says it in its opening
//! comment): the pages to choose from and, for the chosen page, each control with its value,
//! its hint and its messages.

use serde::Serialize;
use tera::Context;

use super::values::{made_on, FormErrors, FormValues};
use crate::content::Document;
use crate::i18n::Strings;
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
    label: String,
    hint: String,
    errors: Vec<String>,
    options: Vec<SelectOption>,
}

#[derive(Serialize)]
struct RadioOption {
    value: &'static str,
    label: String,
    checked: bool,
}

#[derive(Serialize)]
struct Radios {
    name: &'static str,
    legend: String,
    errors: Vec<String>,
    options: Vec<RadioOption>,
}

#[derive(Serialize)]
struct PageForm<'a> {
    path: &'a str,
    title: &'a str,
    substance: &'a str,
    unit: String,
    /// The schedule's legend, with the substance and the unit: "Schedule for … (doses in g)".
    schedule_legend: String,
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

fn limit_hint(l: &Limit, suffix: &str, words: &Strings) -> String {
    let n = |d: crate::taper::Dec| format!("{}{suffix}", words.dec(d));
    let range = match (l.min, l.max) {
        (Some(a), Some(b)) => {
            words.fill("form", "limit_between", &[("min", &n(a)), ("max", &n(b))])
        }
        (Some(a), None) => words.fill("form", "limit_at_least", &[("min", &n(a))]),
        (None, Some(b)) => words.fill("form", "limit_at_most", &[("max", &n(b))]),
        (None, None) => String::new(),
    };
    let default = match l.default {
        Some(d) => words.fill("form", "limit_default", &[("default", &n(d))]),
        None => String::new(),
    };
    let s = format!("{range} {default}");
    if s.trim().is_empty() {
        words.get("form", "limit_none").to_string()
    } else {
        s.trim().to_string()
    }
}

fn radios(
    name: &'static str,
    legend: &str,
    choices: &[(&'static str, &str)],
    chosen: &str,
    errors: &FormErrors,
) -> Radios {
    Radios {
        name,
        legend: legend.to_string(),
        errors: errors.for_field(name),
        options: choices
            .iter()
            .map(|&(value, label)| RadioOption {
                value,
                label: label.to_string(),
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

/// The chosen page's controls, with the values and the messages of each, in the form's
/// language.
fn page_form<'a>(
    site: &model::Site,
    doc: &'a Document,
    t: &'a PageTaper,
    values: &FormValues,
    errors: &FormErrors,
    words: &Strings,
) -> PageForm<'a> {
    let w = |key: &str| words.get("form", key).to_string();
    let mode = if values.mode.is_empty() {
        "previous"
    } else {
        &values.mode
    };
    PageForm {
        path: &doc.path,
        title: &doc.front.title,
        substance: &t.substance,
        schedule_legend: words.fill(
            "form",
            "schedule",
            &[("substance", &t.substance), ("unit", words.unit(t.unit))],
        ),
        patient_name: text(
            errors,
            "patient_name",
            w("patient_name"),
            w("patient_name_hint"),
            &values.patient_name,
            false,
        ),
        care: care_fields(values, errors, words),
        audience: audience_select(site, doc, values, errors, words),
        schedule: schedule_fields(t, values, errors, words),
        mode: radios(
            "mode",
            &w("mode"),
            &[
                ("previous", &w("mode_previous")),
                ("initial", &w("mode_initial")),
            ],
            mode,
            errors,
        ),
        paper: radios(
            "paper",
            &w("paper"),
            &[("a4", &w("paper_a4")), ("letter", &w("paper_letter"))],
            &values.paper.to_ascii_lowercase(),
            errors,
        ),
        // Each language named in its own words, so whoever reads the form finds theirs.
        lang: radios(
            "lang",
            &w("lang"),
            &[("en", "English"), ("es", "Español")],
            words.base(),
            errors,
        ),
        // Judged on the date the PDF would be made, as make_pdf judges it.
        caution: crate::audience::review::banner(doc, made_on(), words).map(|_| Caution {
            text: crate::pdf::review_status(doc, made_on(), words).text,
            checked: values.allow_unapproved == "yes",
            errors: errors.for_field("allow_unapproved"),
        }),
        notes: notes_to_confirm(errors),
        unit: t.unit.to_string(),
    }
}

/// The clinician, the phone for questions (the site's to begin with) and the next visit.
fn care_fields(values: &FormValues, errors: &FormErrors, words: &Strings) -> Vec<TextField> {
    let w = |key: &str| words.get("form", key).to_string();
    let clinician = text(
        errors,
        "clinician",
        w("clinician"),
        w("clinician_hint"),
        &values.clinician,
        false,
    );
    let phone = TextField {
        kind: "tel",
        ..text(
            errors,
            "phone",
            w("phone"),
            w("phone_hint"),
            &values.phone,
            false,
        )
    };
    let next_visit = TextField {
        kind: "date",
        ..text(
            errors,
            "next_visit",
            w("next_visit"),
            w("next_visit_hint"),
            &values.next_visit,
            false,
        )
    };
    vec![clinician, phone, next_visit]
}

/// The page's versions to choose from: the patient's by default where the page has it. Each
/// is named as the site names it in the form's language.
fn audience_select(
    site: &model::Site,
    doc: &Document,
    values: &FormValues,
    errors: &FormErrors,
    words: &Strings,
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
        label: words.get("form", "audience").to_string(),
        hint: words.get("form", "audience_hint").to_string(),
        errors: errors.for_field("audience"),
        options: doc
            .audiences
            .iter()
            .map(|a| SelectOption {
                value: a.to_string(),
                label: site
                    .config
                    .audience(a)
                    .map(|x| x.in_lang(words.lang()).label.clone())
                    .unwrap_or_else(|| a.to_string()),
                selected: *a == chosen,
            })
            .collect(),
    }
}

/// The schedule's fields, with the page's limits and defaults as hints.
fn schedule_fields(
    t: &PageTaper,
    values: &FormValues,
    errors: &FormErrors,
    words: &Strings,
) -> Vec<TextField> {
    let w = |key: &str| words.get("form", key).to_string();
    let unit = words.unit(t.unit);
    let with_unit = |key: &str| words.fill("form", key, &[("unit", unit)]);
    let mut schedule = vec![text(
        errors,
        "dose",
        with_unit("dose"),
        w("dose_hint"),
        &values.dose,
        true,
    )];
    let numeric: [(&'static str, String, &Limit, &str, &str); 5] = [
        (
            "reduction_percent",
            w("reduction_percent"),
            &t.reduction_percent,
            "%",
            &values.reduction_percent,
        ),
        (
            "interval_days",
            w("interval_days"),
            &t.interval_days,
            "",
            &values.interval_days,
        ),
        ("step", with_unit("step"), &t.step, "", &values.step),
        (
            "min_dose",
            with_unit("min_dose"),
            &t.min_dose,
            "",
            &values.min_dose,
        ),
        (
            "doses_per_day",
            w("doses_per_day"),
            &t.doses_per_day,
            "",
            &values.doses_per_day,
        ),
    ];
    for (name, label, limit, suffix, value) in numeric {
        let hint = limit_hint(limit, suffix, words);
        schedule.push(text(errors, name, label, hint, value, true));
    }
    schedule.push(text(
        errors,
        "start",
        w("start"),
        w("start_hint"),
        &values.start,
        false,
    ));
    schedule.push(text(
        errors,
        "holds",
        w("holds"),
        w("holds_hint"),
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
    let words = form_strings(site, &values.lang);
    let form = doc.and_then(|d| {
        d.front
            .taper
            .as_ref()
            .map(|t| page_form(site, d, t, values, errors, &words))
    });
    let mut ctx = Context::new();
    // The form's own words (`{{ t.form.title }}`) and its language, the handout's.
    ctx.insert("lang", words.lang());
    ctx.insert("t", &words);
    ctx.insert("site_title", &site.config.title);
    ctx.insert("problems", &errors.summary());
    ctx.insert("pages", &choices);
    ctx.insert("page", &form);
    ctx
}
