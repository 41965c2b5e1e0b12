//! The form's own checks of what was sent, field by field, and the handout's inputs as typed.
//! The shared code (`make_pdf`) checks everything again.

use super::values::{opt, FormErrors, FormValues};
use crate::cmd::handout::care::{check_name_in, CareInput};
use crate::cmd::taper::{Failure, Problem as InputProblem, TaperOptions};
use crate::content::Document;
use crate::i18n::Strings;
use crate::model;
use crate::pdf::Paper;
use crate::taper::Field;

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

/// The page the form was sent for: one with a taper block, or the message saying why not.
pub(super) fn chosen_page<'s>(
    site: &'s model::Site,
    values: &FormValues,
    words: &Strings,
) -> Result<&'s Document, String> {
    let chosen = values.page.trim();
    if chosen.is_empty() {
        return Err(words.get("form", "no_page_chosen").to_string());
    }
    site.page(chosen)
        .filter(|d| d.front.taper.is_some())
        .ok_or_else(|| words.fill("form", "no_such_page", &[("page", chosen)]))
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
pub(super) fn care_of(values: &FormValues) -> CareInput<'_> {
    CareInput {
        clinician: opt(&values.clinician),
        phone: opt(&values.phone),
        next_visit: opt(&values.next_visit),
        phone_from_config: false,
    }
}

/// A page that is not approved, printed only when the clinician ticks the box: the message in
/// the form's language (`make_pdf` refuses it again, in English, judged the same way on the
/// same day).
pub(super) fn unapproved(doc: &Document, values: &FormValues, words: &Strings) -> Option<String> {
    let made = super::values::made_on();
    crate::audience::review::banner(doc, made, words)?;
    if values.allow_unapproved == "yes" {
        return None;
    }
    let r = &doc.front.review;
    let why = match (r.status, r.next_review) {
        (crate::content::frontmatter::ReviewStatus::Approved, Some(next)) => words.fill(
            "form",
            "unapproved_overdue",
            &[("date", &words.date_long(next))],
        ),
        (status, _) => words.fill(
            "form",
            "unapproved_status",
            &[("status", &words.status(status.id()).to_lowercase())],
        ),
    };
    let caution = crate::pdf::review_status(doc, made, words).text;
    Some(words.fill(
        "form",
        "unapproved",
        &[("page", &doc.path), ("why", &why), ("caution", &caution)],
    ))
}

/// The form's own checks, every field's problems at once, into `errors`: the dose is there, the
/// paper is one careguide prints, the names, phone and next visit are well formed, and each
/// schedule option parses and fits the page's limits. Each option is parsed, then the
/// schedule's inputs are checked with the malformed ones left out (and a stand-in for a missing
/// dose), so that a bad dose does not hide a bad interval. The shared code checks everything
/// again.
pub(super) fn check_values(
    values: &FormValues,
    has: &dyn Fn(&str) -> bool,
    doc: &Document,
    errors: &mut FormErrors,
    words: &Strings,
) -> (TaperOptions, Paper) {
    if values.dose.trim().is_empty() {
        errors.field(
            "dose",
            words.get(
                "form",
                if has("dose") {
                    "dose_missing"
                } else {
                    "dose_not_sent"
                },
            ),
        );
    }
    let paper = match opt(&values.paper).map(crate::cmd::handout::parse_paper) {
        None => Paper::A4,
        Some(Ok(p)) => p,
        Some(Err(_)) => {
            errors.field("paper", words.get("form", "paper_choice"));
            Paper::A4
        }
    };
    let mut problems: Vec<InputProblem> = Vec::new();
    // The care details' messages in the form's language.
    if let Some(Err(e)) = opt(&values.patient_name).map(|n| check_name_in(n, "patient", words)) {
        problems.push(InputProblem::of(Field::PatientName, e));
    }
    if let Err(more) = care_of(values).check_in(words) {
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
    errors.add_messages_in(&problems, Some(words));
    (options, paper)
}
