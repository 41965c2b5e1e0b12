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

/// The body's citations and its audience blocks, from one parse of its Markdown when it has
/// both (each reader alone skips the parse of a text that cannot hold what it looks for).
fn scan_and_layout(body: &str) -> (scan::Scan, crate::audience::blocks::Layout) {
    use crate::audience::blocks;
    if !(scan::may_cite(body) && blocks::may_have_blocks(body)) {
        return (scan::scan(body), blocks::layout(body));
    }
    let mut regions = scan::Regions::default();
    let mut literal = Vec::new();
    let events = pulldown_cmark::Parser::new_ext(body, crate::util::markdown_options());
    for (ev, range) in events.into_offset_iter() {
        regions.see(&ev, &range);
        blocks::literal_range(&ev, &range, &mut literal);
    }
    (
        scan::scan_in(body, regions),
        blocks::layout_in(body, literal),
    )
}

/// Stage 3: the references a page can cite (its own, its bibliography files and the site's, read
/// once per build into `lib`), and every citation problem on it.
pub fn resolve<'a>(
    doc: &'a Document,
    config: &Config,
    lib: &Library,
    diags: &mut Diagnostics,
) -> Resolved<'a> {
    let summary_scan = scan::scan(&doc.front.summary);
    let (body_scan, layout) = scan_and_layout(doc.body());
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

#[cfg(test)]
mod tests {
    use super::*;

    /// One parse for both readers gives what each gives alone: on every Markdown file of the
    /// repository and on bodies where a block's fence or a citation sits in code or HTML.
    #[test]
    fn one_parse_reads_citations_and_blocks_as_two_do() {
        let mut bodies: Vec<String> = [
            "::: patient\nRest [@a].\n:::\n",
            "```\n::: patient\n[@a]\n```\n\n::: clinician\nDose [@b; @c, p. 3].\n:::\n",
            "<div>\n::: patient\n[@a]\n</div>\n\n# Heading [@h]\n\n[link [@l]](x) `[@c]`\n\n:::\n",
            "::: {.warning}\n::: patient caregiver\nCall [@a].\n:::\n:::\n\n    ::: indented [@i]\n",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        bodies.extend(crate::util::repository_markdown(&[
            "content",
            "tests/fixtures",
        ]));
        assert!(bodies.len() > 20);
        for body in &bodies {
            let (scanned, lay) = scan_and_layout(body);
            assert_eq!(scanned, scan::scan(body), "{body}");
            assert_eq!(
                format!("{lay:?}"),
                format!("{:?}", crate::audience::blocks::layout(body)),
                "{body}"
            );
        }
    }
}
