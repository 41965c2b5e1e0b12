//! The preview's builds: the site built into the preview folder, the server's templates
//! loaded again, the outcome said on stderr and recorded for the pages (which reload only when
//! what is served changed).

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use super::templates::ServeTemplates;
use super::Shared;
use crate::build::{self, Options, Report};
use crate::diag::{Diagnostic, Severity};

/// Build the site into the preview folder and record the outcome; load the server's templates
/// again (the site's `templates/serve/` may have changed).
pub(super) fn build_once(shared: &Shared) {
    let started = Instant::now();
    let report = build(shared);
    let seconds = started.elapsed().as_secs_f64();
    let errors = errors_of(&report);
    let (templates, template_problems) = ServeTemplates::load(&shared.root);
    // A changed overlay or shell template reloads the pages that show it.
    let templates_changed = templates.sources != shared.templates().sources;
    *shared.templates.write().unwrap_or_else(|p| p.into_inner()) = Arc::new(templates);
    tell(shared, &report, &errors, template_problems, seconds);
    record(shared, &report, errors, templates_changed);
}

/// The build itself; `Err` when it panicked. Requests are answered meanwhile from the last good
/// build: the new one is swapped in at once when it is done (`output::Writer::commit`).
fn build(shared: &Shared) -> std::thread::Result<Report> {
    let opts = Options {
        root: shared.root.clone(),
        out: Some(shared.built.clone()),
        publish: false,
        today: None,
        pdf: shared.pdf,
        retractions: None,
    };
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| build::run(&opts)))
}

/// The build's errors (a panic is one, said as a careguide bug).
fn errors_of(report: &std::thread::Result<Report>) -> Vec<Diagnostic> {
    match report {
        Ok(r) => r
            .diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .cloned()
            .collect(),
        Err(_) => vec![
            Diagnostic::error("serve/panic", "the build stopped on an internal error").hint(
                "this is a careguide bug: please report it with the page that was being edited",
            ),
        ],
    }
}

/// Say the outcome on stderr: the templates' problems, then what was built or the errors.
fn tell(
    shared: &Shared,
    report: &std::thread::Result<Report>,
    errors: &[Diagnostic],
    template_problems: Vec<Diagnostic>,
    seconds: f64,
) {
    let stderr = std::io::stderr();
    let mut err = stderr.lock();
    if !template_problems.is_empty() {
        let mut ds = crate::diag::Diagnostics::new();
        ds.extend(template_problems);
        crate::diag::render_human(&ds, &shared.root, &mut err, false);
    }
    if errors.is_empty() {
        if let Ok(r) = report {
            let _ = writeln!(
                err,
                "careguide serve: built {} page(s) in {seconds:.2} s: {} written, {} unchanged, {} warning(s)",
                r.pages,
                r.written,
                r.unchanged,
                r.diagnostics.warning_count()
            );
        }
    } else {
        let mut ds = crate::diag::Diagnostics::new();
        ds.extend(errors.iter().cloned());
        crate::diag::render_human(&ds, &shared.root, &mut err, false);
        let _ = writeln!(
            err,
            "careguide serve: the build failed with {} error(s); still serving the last good build",
            errors.len()
        );
    }
}

/// Record the outcome for the pages, and wake the open ones when what is served changed.
fn record(
    shared: &Shared,
    report: &std::thread::Result<Report>,
    errors: Vec<Diagnostic>,
    templates_changed: bool,
) {
    let mut status = shared.status();
    let (written, files) = match report {
        Ok(r) if errors.is_empty() => (r.written, r.files),
        _ => (0, status.files),
    };
    // A save that changed nothing served (a comment in careguide.toml, a README at the
    // root) does not reload the open pages.
    if status.version == 0
        || written > 0
        || files != status.files
        || errors != status.errors
        || templates_changed
    {
        status.version += 1;
        shared.changed.notify_all();
    }
    if errors.is_empty() {
        status.built = true;
    }
    status.files = files;
    status.errors = errors;
}
