//! Stage 3: a page's citations checked against the references it can cite (its front matter,
//! its bibliography files and the site's), its audience blocks read, its taper block checked:
//! a [`Document`] becomes a [`Resolved`] page.

pub mod bibpath;
mod citations;
mod claims;
mod library;

use std::collections::BTreeSet;

pub use citations::*;
pub use claims::*;
pub use library::*;

use crate::cite::scan;
use crate::config::Config;
use crate::content::Document;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::Resolved;

/// Stage 3: the references a page can cite (its own, its bibliography files and the site's, read
/// once per build into `lib`), and every citation problem on it.
pub fn resolve<'a>(
    doc: &'a Document,
    config: &Config,
    lib: &Library,
    diags: &mut Diagnostics,
) -> Resolved<'a> {
    let summary_scan = scan::scan(&doc.front.summary);
    let body_scan = scan::scan(doc.body());
    let citing: BTreeSet<String> = summary_scan
        .groups
        .iter()
        .chain(&body_scan.groups)
        .flat_map(|g| g.items.iter().map(|i| i.key.clone()))
        .collect();
    let page_refs = citations::references(doc, config, lib, &citing);
    diags.extend(page_refs.diags.iter().cloned());
    let mut cited = BTreeSet::new();
    diags.extend(citations::check_citations(
        doc,
        citations::Place::FrontMatter { key: "summary" },
        &doc.front.summary,
        &summary_scan,
        &page_refs,
        config,
        &mut cited,
    ));
    diags.extend(citations::check_citations(
        doc,
        citations::Place::Body,
        doc.body(),
        &body_scan,
        &page_refs,
        config,
        &mut cited,
    ));
    diags.extend(citations::uncited(doc, &cited, config));
    let refs = page_refs.refs;
    diags.extend(citations::check_references(doc, &refs, &cited, config, lib));
    if let Some(taper) = &doc.front.taper {
        for problem in taper.check() {
            diags.push(
                Diagnostic::error("taper/block", problem)
                    .at(&doc.file, doc.key_line("taper"), 1)
                    .hint("each of reduction_percent, interval_days, step, min_dose and doses_per_day takes { default, min, max }; the README describes the taper block"),
            );
        }
    }
    let layout = crate::audience::blocks::layout(doc.body());
    diags.extend(
        crate::audience::blocks::check_with(doc, &layout, config)
            .into_iter()
            .filter_map(|d| config.apply_level(d)),
    );
    let selections =
        crate::audience::blocks::Selections::new(&layout, doc.body(), &doc.audiences, &body_scan);
    Resolved {
        doc,
        refs,
        html: config.html.clone(),
        summary_scan,
        body_scan,
        layout,
        selections,
    }
}
