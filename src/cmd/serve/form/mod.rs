//! The handout form at `/handout`: a page chooser, then (for the chosen page) the schedule's
//! fields with the page's defaults and limits; sent, it returns the PDF that `careguide
//! handout` would write, or the form again with each message next to its field.
//!
//! What is typed is used for that one PDF and dropped. Every response here goes through
//! [`private`], which adds the headers that keep it out of caches, referrers and other sites,
//! whatever the site's template says.
//!
//! The parts: `values` (what was typed, the messages by field), `check` (the form's own
//! checks), `confirm` (the notes to confirm before the PDF), `context` (what the template
//! receives).

mod check;
mod confirm;
mod context;
mod values;

use self::check::{care_of, check_values, chosen_page, unapproved};
use self::confirm::{needs_confirmation, show_notes};
use self::values::{made_on, opt, sentence, FormErrors, FormValues};
use super::http::{parse_form, parse_form_checked, Request, Response};
use super::templates::HANDOUT;
use super::Shared;
use crate::cmd::handout::{Made, Request as HandoutRequest};
use crate::cmd::taper::Failure;
use crate::content::Document;
use crate::diag::{Diagnostic, Severity};
use crate::model;

/// Errors listed at most; the rest are counted.
const MAX_LISTED: usize = super::MAX_LISTED;

/// The headers of every response of the form: nothing kept by the browser or a proxy, no
/// referrer sent to another site (to this server the browser sends it, with the Origin, which
/// is what shows a POST comes from the form), and the page may post only to this server and
/// not be framed.
fn private(r: Response) -> Response {
    r.no_store()
        .header("Referrer-Policy", "same-origin")
        .header(
            "Content-Security-Policy",
            "default-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
        )
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

/// The site loaded for the form given to `f`, or the page that says why there is none: a site
/// with errors makes no handout (`make_pdf` refuses it), so they are shown at once, with their
/// places. (A page that does not parse is left out of the site, so the form would otherwise
/// say only that there is no such page with a taper block.) Both the form and its sending
/// begin here.
fn with_site(shared: &Shared, f: impl FnOnce(&model::Site) -> Response) -> Response {
    let loaded = shared.loaded();
    match &loaded.site {
        Some(site) if !loaded.diags.has_errors() => f(site),
        _ => unavailable(&loaded, shared),
    }
}

pub fn get(req: &Request, shared: &Shared) -> Response {
    with_site(shared, |site| form(req, shared, site))
}

/// The form: the page chooser, and the chosen page's fields with its defaults.
fn form(req: &Request, shared: &Shared, site: &model::Site) -> Response {
    let chosen = query_param(&req.query, "page").unwrap_or_default();
    let mut errors = FormErrors::default();
    let pages = taper_pages(site);
    let words = context::form_strings(site, "");
    let doc = if chosen.is_empty() {
        match pages.as_slice() {
            [(only, _)] => site.page(only),
            _ => None,
        }
    } else {
        let d = site.page(&chosen).filter(|d| d.front.taper.is_some());
        if d.is_none() {
            errors
                .general
                .push(words.fill("form", "no_such_page", &[("page", &chosen)]));
        }
        d
    };
    let status = if errors.is_empty() { 200 } else { 404 };
    let values = match doc.and_then(|d| d.front.taper.as_ref().map(|t| (d, t))) {
        Some((d, t)) => FormValues::defaults(site, d, t),
        None => FormValues::default(),
    };
    // Nothing typed yet: a failing site template may show its reason.
    page(status, shared, site, &pages, doc, &values, &errors, false)
}

/// The page saying the form cannot be used, with the site's errors (or all it found when there
/// are none of those), titled in the site's language (English when the site could not be
/// read). It reloads after the next build, as the site's pages do.
fn unavailable(loaded: &super::Loaded, shared: &Shared) -> Response {
    let words = match &loaded.site {
        Some(site) => context::form_strings(site, ""),
        None => crate::i18n::Strings::english(),
    };
    let mut errors: Vec<Diagnostic> = loaded
        .diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .cloned()
        .collect();
    if errors.is_empty() {
        errors = loaded.diags.iter().cloned().collect();
    }
    let version = shared.status().version;
    let html = super::pages::shell(
        shared,
        words.get("form", "unavailable"),
        "form-unavailable",
        "",
        &super::pages::ShellWords {
            lang: words.lang(),
            body: Some(words.get("form", "unavailable_body")),
        },
        version,
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
    with_site(shared, |site| send(req, shared, site))
}

/// The form sent: the PDF, or the form again with what to change or confirm.
fn send(req: &Request, shared: &Shared, site: &model::Site) -> Response {
    let pairs = parse_form_checked(&req.body);
    let values = FormValues::from_pairs(&pairs);
    let words = context::form_strings(site, &values.lang);
    let values = values.with_decimal_mark(words.get("numbers", "decimal_mark"));
    let pages = taper_pages(site);
    let mut errors = FormErrors::default();
    let again = |status: u16, doc: Option<&Document>, errors: &FormErrors| {
        page(status, shared, site, &pages, doc, &values, errors, true)
    };
    let chosen = chosen_page(site, &values, &words);
    // A value that is not text is said next to its field, and nothing is made: it is not
    // printed with replacement characters, nor left out in silence.
    if errors.not_text(&values.not_text) {
        return again(422, chosen.ok(), &errors);
    }
    let doc = match chosen {
        Ok(d) => d,
        Err(message) => {
            errors.general.push(message);
            return again(400, None, &errors);
        }
    };
    let has = |name: &str| pairs.iter().any(|(k, _)| k == name);
    let (options, paper) = check_values(&values, &has, doc, &mut errors, &words);
    if !errors.is_empty() {
        return again(422, Some(doc), &errors);
    }
    if let Some(message) = unapproved(doc, &values, &words) {
        errors.field("allow_unapproved", sentence(&message));
        return again(422, Some(doc), &errors);
    }
    let result = crate::cmd::handout::make_pdf_in(
        site,
        doc,
        &HandoutRequest {
            root: &shared.root,
            page: &doc.path,
            audience: opt(&values.audience),
            patient_name: opt(&values.patient_name),
            care: care_of(&values),
            taper: &options,
            paper,
            made: made_on(),
            lang: opt(&values.lang),
            // Checked by make_pdf: a page that is not approved is refused unless this is ticked.
            allow_unapproved: values.allow_unapproved == "yes",
            // The form shows the notes themselves; no sheet is made.
            clinician_sheet: false,
        },
    );
    let dates = site.config.handout.date_format();
    if let Ok(Made {
        schedule: Some(s), ..
    }) = &result
    {
        let figure = crate::pdf::chart::chart(s, &dates, &words, CHART_WIDTH);
        errors.chart_svg = crate::pdf::chart::to_svg(&figure);
    }
    answer(result, doc, &values, errors, &words, &again)
}

/// The width of the plan's chart in the form, in CSS pixels (it scales down on a narrow screen).
const CHART_WIDTH: f32 = 560.0;

/// The answer to a form sent: the PDF, or the form again with the notes to confirm or the
/// problems next to their fields.
fn answer(
    result: Result<Made, Failure>,
    doc: &Document,
    values: &FormValues,
    mut errors: FormErrors,
    words: &crate::i18n::Strings,
    again: &dyn Fn(u16, Option<&Document>, &FormErrors) -> Response,
) -> Response {
    match result {
        Ok(made) if needs_confirmation(&made, &values.confirm_notes, words) => {
            // Something to check: the clinician reads the notes first and confirms with one
            // more submit. The server checks the confirmation names these very notes, so a
            // handout changed after confirming is shown again. Nothing is kept meanwhile.
            show_notes(&made, &mut errors, words);
            if !values.confirm_notes.is_empty() {
                errors.field("confirm_notes", words.get("form", "notes_changed"));
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
            errors.add_messages_in(&problems, Some(words));
            if errors.is_empty() {
                errors.general.push(words.get("form", "not_made").into());
            }
            again(422, Some(doc), &errors)
        }
        Err(Failure::Usage(lines)) => {
            errors.general.extend(lines.iter().map(|l| sentence(l)));
            if errors.is_empty() {
                errors.general.push(words.get("form", "not_made").into());
            }
            again(422, Some(doc), &errors)
        }
        Err(Failure::Site(d, _)) => {
            errors.general.push(words.get("form", "site_errors").into());
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

/// The form page, rendered by the site's `templates/serve/handout.html` or the built-in one.
/// `typed`: the values are what was sent (so a failing template's reason is not printed).
#[allow(clippy::too_many_arguments)]
fn page(
    status: u16,
    shared: &Shared,
    site: &model::Site,
    pages: &[(String, String)],
    doc: Option<&Document>,
    values: &FormValues,
    errors: &FormErrors,
    typed: bool,
) -> Response {
    let mut ctx = context::context(site, pages, doc, values, errors);
    ctx.insert("form_token", &shared.form_token);
    let html = shared.templates().render(HANDOUT, &ctx, typed);
    private(Response::html(status, html))
}
