//! The handout form at `/handout`: a page chooser, then (for the chosen page) the schedule's
//! fields with the page's defaults and limits; sent, it returns the PDF that `careguide
//! handout` would write, or the form again with each message next to its field.
//!
//! What is typed is used for that one PDF and dropped. Every response here goes through
//! [`private`], which adds the headers that keep it out of caches, referrers and other sites,
//! whatever the site's template says.

use serde::Serialize;
use tera::Context;

use super::http::{parse_form, Request, Response};
use super::templates::HANDOUT;
use super::Shared;
use crate::cmd::handout::care::{check_name, CareInput};
use crate::cmd::handout::{Made, Request as HandoutRequest};
use crate::cmd::taper::{Failure, Problem as InputProblem, TaperOptions};
use crate::content::Document;
use crate::diag::{Diagnostic, Severity};
use crate::model;
use crate::pdf::Paper;
use crate::taper::{Field, Limit, PageTaper};

/// Errors listed at most; the rest are counted.
const MAX_LISTED: usize = super::MAX_LISTED;

/// The headers of every response of the form: nothing kept by the browser or a proxy, no
/// referrer sent on, and the page may post only to this server and not be framed.
fn private(r: Response) -> Response {
    r.no_store()
        .header("Referrer-Policy", "no-referrer")
        .header(
            "Content-Security-Policy",
            "default-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        )
}

/// The form's values, as typed (or the page's defaults).
#[derive(Default, Clone)]
struct FormValues {
    page: String,
    audience: String,
    patient_name: String,
    clinician: String,
    phone: String,
    next_visit: String,
    dose: String,
    reduction_percent: String,
    interval_days: String,
    step: String,
    min_dose: String,
    doses_per_day: String,
    start: String,
    holds: String,
    mode: String,
    paper: String,
    /// `yes` when the clinician ticked "print it anyway" for a page that is not approved.
    allow_unapproved: String,
    /// The digest of the schedule's notes the clinician confirmed having read.
    confirm_notes: String,
}

impl FormValues {
    fn from_pairs(pairs: &[(String, String)]) -> FormValues {
        let mut v = FormValues::default();
        for (k, val) in pairs {
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
    fn defaults(site: &model::Site, doc: &Document, t: &PageTaper) -> FormValues {
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
struct FormErrors {
    fields: Vec<(&'static str, String)>,
    general: Vec<String>,
    /// The schedule's notes for the clinician, to read and confirm before the PDF is made, with
    /// their digest (what the confirmation must send back).
    notes: Vec<(String, String)>,
    notes_digest: String,
    /// The plan's chart as inline SVG, shown with the notes (the PDF draws the same figure).
    chart_svg: String,
}

impl FormErrors {
    fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_empty()
    }

    fn field(&mut self, name: &'static str, message: impl Into<String>) {
        self.fields.push((name, message.into()));
    }

    fn for_field(&self, name: &str) -> Vec<String> {
        self.fields
            .iter()
            .filter(|(n, _)| *n == name)
            .map(|(_, m)| m.clone())
            .collect()
    }

    /// Sort a command's problems to their fields, naming fields by their labels.
    fn add_messages(&mut self, problems: &[InputProblem]) {
        for p in problems {
            let own = p
                .field
                .and_then(|f| FIELDS.iter().find(|(name, _)| *name == f.id()));
            match own {
                // One message a field: a second one often follows from the first.
                Some((name, _)) if !self.for_field(name).is_empty() => {}
                Some((name, _)) => self.field(name, sentence(&p.text(&form_label))),
                None => self.general.push(sentence(&p.labelled(&form_label))),
            }
        }
    }

    /// The summary at the top: general messages first, then the fields' in the form's order.
    fn summary(&self) -> Vec<Problem> {
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
fn made_on() -> crate::types::Date {
    crate::cmd::handout::made_date(None).unwrap_or_else(|_| crate::cmd::taper::today())
}

/// The digest a confirmation of these notes sends back.
fn notes_digest(notes: &[(String, String)]) -> String {
    let mut d = crate::util::Digest::new();
    for (kind, text) in notes {
        d.field(kind.as_bytes()).field(text.as_bytes());
    }
    d.hex()
}

/// The notes the form shows for a handout: the schedule's (what to check, the defaults used),
/// then the one on the next visit.
fn notes_of(made: &Made) -> Vec<(String, String)> {
    let schedule = made
        .schedule
        .as_ref()
        .map(crate::pdf::clinician_notes)
        .unwrap_or_default();
    schedule
        .into_iter()
        .map(|(k, t)| (k.to_string(), t.to_string()))
        .chain(
            made.visit_note
                .iter()
                .map(|n| ("Check".to_string(), n.clone())),
        )
        .collect()
}

/// A handout with something to check (the schedule's warnings, a next visit after it ends) is
/// handed over only once the clinician has confirmed its notes.
fn needs_confirmation(made: &Made, confirmed: &str) -> bool {
    let check = made
        .schedule
        .as_ref()
        .is_some_and(|s| !s.warnings.is_empty())
        || made.visit_note.is_some();
    check && notes_digest(&notes_of(made)) != confirmed.trim()
}

/// A field as the form names it: by its label, or in words where the form has no such field.
fn form_label(f: Field) -> String {
    match FIELDS.iter().find(|(name, _)| *name == f.id()) {
        Some((_, label)) => format!("“{label}”"),
        None => format!("the {}", f.id().replace('_', " ")),
    }
}

fn sentence(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// Leave out a field that did not parse.
fn clear_field(o: &mut TaperOptions, field: Field) {
    match field {
        Field::Dose => o.dose = None,
        Field::ReductionPercent => o.reduction_percent = None,
        Field::IntervalDays => o.interval_days = None,
        Field::Step => o.step = None,
        Field::MinDose => o.min_dose = None,
        Field::DosesPerDay => o.doses_per_day = None,
        Field::Start => o.start = None,
        Field::Mode => o.mode = None,
        Field::Hold => o.holds.clear(),
        Field::Unit => o.unit = None,
        Field::MaxStepPercent => o.max_step_percent = None,
        Field::Page
        | Field::PatientName
        | Field::Audience
        | Field::Paper
        | Field::AllowUnapproved
        | Field::Clinician
        | Field::Phone
        | Field::NextVisit => {}
    }
}

/// The pages with a `taper:` block, as (path, title).
fn taper_pages(site: &model::Site) -> Vec<(String, String)> {
    let mut pages: Vec<(String, String)> = site
        .pages
        .iter()
        .filter(|d| d.front.taper.is_some())
        .map(|d| (d.path.clone(), d.front.title.clone()))
        .collect();
    pages.sort();
    pages
}

fn query_param(query: &str, name: &str) -> Option<String> {
    parse_form(query.as_bytes())
        .into_iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v)
}

pub fn get(req: &Request, shared: &Shared) -> Response {
    let chosen = query_param(&req.query, "page").unwrap_or_default();
    let mut errors = FormErrors::default();
    let mut diags = crate::diag::Diagnostics::new();
    let Some(site) = model::load(&shared.root, &mut diags) else {
        return unavailable(&diags, shared);
    };
    let pages = taper_pages(&site);
    let doc = if chosen.is_empty() {
        match pages.as_slice() {
            [(only, _)] => site.page(only),
            _ => None,
        }
    } else {
        let d = site.page(&chosen).filter(|d| d.front.taper.is_some());
        if d.is_none() {
            errors.general.push(format!(
                "There is no page “{chosen}” with a taper block: choose one from the list."
            ));
        }
        d
    };
    let status = if errors.is_empty() { 200 } else { 404 };
    let values = match doc.and_then(|d| d.front.taper.as_ref().map(|t| (d, t))) {
        Some((d, t)) => FormValues::defaults(&site, d, t),
        None => FormValues::default(),
    };
    // Nothing typed yet: a failing site template may show its reason.
    page(status, shared, &site, &pages, doc, &values, &errors, false)
}

fn unavailable(diags: &crate::diag::Diagnostics, shared: &Shared) -> Response {
    let errors: Vec<Diagnostic> = diags.iter().cloned().collect();
    let html = super::shell(
        shared,
        "The handout form is not available",
        "form-unavailable",
        "",
        0,
        &errors,
    );
    private(Response::html(503, html))
}

pub fn post(req: &Request, shared: &Shared) -> Response {
    if !req.content_type.is_empty()
        && !req
            .content_type
            .starts_with("application/x-www-form-urlencoded")
    {
        return private(Response::text(
            415,
            "send the form as application/x-www-form-urlencoded (the form's default)",
        ));
    }
    let pairs = parse_form(&req.body);
    let values = FormValues::from_pairs(&pairs);
    let mut diags = crate::diag::Diagnostics::new();
    let Some(site) = model::load(&shared.root, &mut diags) else {
        return unavailable(&diags, shared);
    };
    let pages = taper_pages(&site);
    let mut errors = FormErrors::default();
    let again = |status: u16, doc: Option<&Document>, errors: &FormErrors| {
        page(status, shared, &site, &pages, doc, &values, errors, true)
    };
    let doc = match chosen_page(&site, &values) {
        Ok(d) => d,
        Err(message) => {
            errors.general.push(message);
            return again(400, None, &errors);
        }
    };
    let has = |name: &str| pairs.iter().any(|(k, _)| k == name);
    let (options, paper) = check_values(&values, &has, doc, &mut errors);
    if !errors.is_empty() {
        return again(422, Some(doc), &errors);
    }
    let result = crate::cmd::handout::make_pdf(&HandoutRequest {
        root: &shared.root,
        page: &doc.path,
        audience: opt(&values.audience),
        patient_name: opt(&values.patient_name),
        care: care_of(&values),
        taper: &options,
        paper,
        made: made_on(),
        // Checked by make_pdf: a page that is not approved is refused unless this is ticked.
        allow_unapproved: values.allow_unapproved == "yes",
        // The form shows the notes themselves; no sheet is made.
        clinician_sheet: false,
    });
    let dates = site.config.handout.date_format();
    if let Ok(Made {
        schedule: Some(s), ..
    }) = &result
    {
        let figure = crate::pdf::chart::chart(s, &dates, CHART_WIDTH);
        errors.chart_svg = crate::pdf::chart::to_svg(&figure);
    }
    answer(result, doc, &values, errors, &again)
}

/// The width of the plan's chart in the form, in CSS pixels (it scales down on a narrow screen).
const CHART_WIDTH: f32 = 560.0;

/// A value as typed, trimmed; `None` when empty.
fn opt(s: &str) -> Option<&str> {
    Some(s.trim()).filter(|s| !s.is_empty())
}

/// The page the form was sent for: one with a taper block, or the message saying why not.
fn chosen_page<'s>(site: &'s model::Site, values: &FormValues) -> Result<&'s Document, String> {
    let chosen = values.page.trim();
    if chosen.is_empty() {
        return Err("The form did not say which page to print: choose a page.".to_string());
    }
    site.page(chosen)
        .filter(|d| d.front.taper.is_some())
        .ok_or_else(|| {
            format!("There is no page “{chosen}” with a taper block: choose one from the list.")
        })
}

/// The schedule's options as typed.
fn options_of(values: &FormValues) -> TaperOptions {
    let opt = |s: &str| opt(s).map(String::from);
    TaperOptions {
        unit: None,
        dose: opt(&values.dose),
        reduction_percent: opt(&values.reduction_percent),
        interval_days: opt(&values.interval_days),
        step: opt(&values.step),
        min_dose: opt(&values.min_dose),
        doses_per_day: opt(&values.doses_per_day),
        start: opt(&values.start),
        mode: opt(&values.mode),
        holds: values
            .holds
            .split([' ', ',', ';', '\t', '\n', '\r'])
            .filter(|h| !h.is_empty())
            .map(String::from)
            .collect(),
        max_step_percent: None,
    }
}

/// The care details as typed. The phone field shows the site's phone to begin with, so an
/// emptied field means no phone, not the site's unseen.
fn care_of(values: &FormValues) -> CareInput<'_> {
    CareInput {
        clinician: opt(&values.clinician),
        phone: opt(&values.phone),
        next_visit: opt(&values.next_visit),
        phone_from_config: false,
    }
}

/// The form's own checks, every field's problems at once, into `errors`: the dose is there, the
/// paper is one careguide prints, the names, phone and next visit are well formed, and each
/// schedule option parses and fits the page's limits. Each option is parsed, then the
/// schedule's inputs are checked with the malformed ones left out (and a stand-in for a missing
/// dose), so that a bad dose does not hide a bad interval. The shared code checks everything
/// again.
fn check_values(
    values: &FormValues,
    has: &dyn Fn(&str) -> bool,
    doc: &Document,
    errors: &mut FormErrors,
) -> (TaperOptions, Paper) {
    if values.dose.trim().is_empty() {
        errors.field(
            "dose",
            if has("dose") {
                "Enter the patient's current daily dose."
            } else {
                "The form sent no dose: enter the patient's current daily dose."
            },
        );
    }
    let paper = match opt(&values.paper).map(crate::cmd::handout::parse_paper) {
        None => Paper::A4,
        Some(Ok(p)) => p,
        Some(Err(_)) => {
            errors.field("paper", "Choose A4 or Letter.");
            Paper::A4
        }
    };
    let mut problems: Vec<InputProblem> = Vec::new();
    if let Some(Err(e)) = opt(&values.patient_name).map(|n| check_name(n, "patient")) {
        problems.push(InputProblem::of(Field::PatientName, e));
    }
    if let Err(more) = care_of(values).check() {
        problems.extend(more);
    }
    let options = options_of(values);
    let mut probe = options.clone();
    if let Err(errs) = options.params() {
        for e in errs {
            clear_field(&mut probe, e.field);
            problems.push(e.into());
        }
    }
    let stand_in = probe.dose.is_none();
    if stand_in {
        probe.dose = Some("1000000".into());
    }
    if let Some(t) = &doc.front.taper {
        if let Err(Failure::Invalid(more)) = crate::cmd::taper::input(&probe, Some(t)) {
            let taken: Vec<Option<Field>> = problems.iter().map(|p| p.field).collect();
            problems.extend(more.into_iter().filter(|p| {
                !(p.field.is_some() && taken.contains(&p.field)
                    || (stand_in && p.field == Some(Field::Dose)))
            }));
        }
    }
    errors.add_messages(&problems);
    (options, paper)
}

/// The answer to a form sent: the PDF, or the form again with the notes to confirm or the
/// problems next to their fields.
fn answer(
    result: Result<Made, Failure>,
    doc: &Document,
    values: &FormValues,
    mut errors: FormErrors,
    again: &dyn Fn(u16, Option<&Document>, &FormErrors) -> Response,
) -> Response {
    match result {
        Ok(made) if needs_confirmation(&made, &values.confirm_notes) => {
            // Something to check: the clinician reads the notes first and confirms with one
            // more submit. The server checks the confirmation names these very notes, so a
            // handout changed after confirming is shown again. Nothing is kept meanwhile.
            errors.notes = notes_of(&made);
            errors.notes_digest = notes_digest(&errors.notes);
            // The holds the warnings suggest, as the value to put in the held steps field.
            if let Some(s) = made.schedule.as_ref() {
                if !s.suggested_holds().is_empty() {
                    let value: Vec<String> = s
                        .holds_with_suggestions()
                        .iter()
                        .map(|h| h.to_string())
                        .collect();
                    errors.notes.push((
                        "Suggested".to_string(),
                        format!(
                            "the holds these notes suggest: put {} in \"Held steps\" and send the form again",
                            value.join(" ")
                        ),
                    ));
                }
            }
            if !values.confirm_notes.is_empty() {
                errors.field(
                    "confirm_notes",
                    "The schedule changed since its notes were confirmed: read them again.",
                );
            }
            again(200, Some(doc), &errors)
        }
        Ok(Made { pdf: bytes, .. }) => {
            let name: String = doc
                .path
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect();
            private(Response::new(200, "application/pdf", bytes).header(
                "Content-Disposition",
                format!("attachment; filename=\"handout-{name}.pdf\""),
            ))
        }
        Err(Failure::Invalid(problems)) => {
            errors.add_messages(&problems);
            if errors.is_empty() {
                errors.general.push("The handout could not be made.".into());
            }
            again(422, Some(doc), &errors)
        }
        Err(Failure::Usage(lines)) => {
            errors.general.extend(lines.iter().map(|l| sentence(l)));
            if errors.is_empty() {
                errors.general.push("The handout could not be made.".into());
            }
            again(422, Some(doc), &errors)
        }
        Err(Failure::Site(d, _)) => {
            errors.general.push(
                "The site has errors, so no handout can be made until they are fixed:".into(),
            );
            errors.general.extend(
                d.iter()
                    .filter(|x| x.severity == Severity::Error)
                    .take(MAX_LISTED)
                    .map(|x| format!("{}: {}", x.location(), x.message)),
            );
            again(503, Some(doc), &errors)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the template receives (templates/serve/handout.html says it in its opening comment).

#[derive(Serialize)]
struct Problem {
    text: String,
    /// The field's name, or "" for a message about the whole form.
    field: &'static str,
}

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
        // Judged on the date the PDF would be made, as make_pdf judges it.
        caution: crate::audience::review::banner(doc, made_on()).map(|_| Caution {
            text: crate::pdf::review_status(doc, made_on()).text,
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
        values.audience.clone()
    } else if doc.audiences.iter().any(|a| a == "patient") {
        "patient".to_string()
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
                value: a.clone(),
                label: site
                    .config
                    .audience(a)
                    .map(|x| x.label.clone())
                    .unwrap_or_else(|| a.clone()),
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

/// The form page, rendered by the site's `templates/serve/handout.html` or the built-in one.
/// `typed`: the values are what was sent (so a failing template's reason is not printed).
#[allow(clippy::too_many_arguments)]
fn page(
    status: u16,
    shared: &Shared,
    site: &model::Site,
    pages: &[(String, String)],
    doc: Option<&crate::content::Document>,
    values: &FormValues,
    errors: &FormErrors,
    typed: bool,
) -> Response {
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
    let html = shared.templates().render(HANDOUT, &ctx, typed);
    private(Response::html(status, html))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_go_to_their_fields_with_labels() {
        let mut e = FormErrors::default();
        e.add_messages(&[
            InputProblem::of(Field::Dose, "'abc' is not a number"),
            InputProblem::of(
                Field::IntervalDays,
                "no days per step: pass {interval_days}",
            ),
            InputProblem::of(Field::Page, "something else"),
        ]);
        assert_eq!(e.for_field("dose"), vec!["'abc' is not a number"]);
        assert_eq!(
            e.for_field("interval_days"),
            vec!["No days per step: pass “Days per step”"]
        );
        assert_eq!(e.general, vec!["The page: something else"]);
    }
}
