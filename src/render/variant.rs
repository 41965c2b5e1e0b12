//! Stage 4: each audience's [`Variant`] of a resolved page: the Markdown its audience reads,
//! with numbered citations, rendered to HTML, and its reference list formatted.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use crate::cite::scan::{self, Scan};
use crate::cite::style::Formatted;
use crate::cite::Reference;
use crate::model::{Resolved, Variant};
use crate::render::markdown;
use crate::types::AudienceId;

/// How references are formatted for a variant: the site's style (`|refs| formatter.format(refs)`),
/// the build cache's memo of it, or a plain form when no style can be loaded.
pub type Format<'a> = dyn Fn(&[&Reference]) -> Vec<Formatted> + Sync + 'a;

/// Stage 4: every audience's variant of a page. The cited references are formatted once for
/// all of them (formatting is the costliest step of a page), and audiences that read the same
/// Markdown share one rendering.
pub fn variants(page: &Resolved, audiences: &[AudienceId], format: &Format) -> Vec<Variant> {
    let ids: BTreeSet<&str> = [&page.summary_scan, &page.body_scan]
        .into_iter()
        .flat_map(|s| &s.groups)
        .flat_map(|g| g.items.iter().map(|i| i.key.as_str()))
        .collect();
    let cited: Vec<&Reference> = ids.iter().filter_map(|k| page.refs.get(*k)).collect();
    let formatted: BTreeMap<&str, Formatted> = cited
        .iter()
        .map(|r| r.id.as_str())
        .zip(format(&cited))
        .collect();
    let lookup = |refs: &[&Reference]| -> Vec<Formatted> {
        refs.iter()
            .map(|r| match formatted.get(r.id.as_str()) {
                Some(f) => f.clone(),
                None => format(&[r]).pop().unwrap_or(Formatted {
                    html: crate::util::escape_html(&r.id),
                    text: r.id.clone(),
                }),
            })
            .collect()
    };
    // Audiences that read the same Markdown (no block for one of them) share one rendering.
    let mut out: Vec<Variant> = Vec::with_capacity(audiences.len());
    for a in audiences {
        let (markdown, body_scan) = selection(page, a);
        let same = out.iter().find(|v| v.markdown == *markdown).cloned();
        out.push(match same {
            Some(mut v) => {
                v.audience = a.clone();
                v
            }
            None => variant_of(page, a, markdown.into_owned(), &body_scan, &lookup),
        });
    }
    out
}

/// One audience's variant of a page (a handout, which needs no other).
pub fn variant(page: &Resolved, audience: &AudienceId, format: &Format) -> Variant {
    let (markdown, body_scan) = selection(page, audience);
    variant_of(page, audience, markdown.into_owned(), &body_scan, format)
}

/// The Markdown `audience` reads of the page and its citations: the resolved page's selection,
/// or, for an audience the page does not list, selected and scanned here.
fn selection<'p>(page: &'p Resolved, audience: &str) -> (Cow<'p, str>, Cow<'p, Scan>) {
    if let Some((selected, scan)) = page.selections.get(audience) {
        return (Cow::Borrowed(&selected.text), Cow::Borrowed(scan));
    }
    let text = page.layout.select(page.doc.body(), audience).text;
    // An audience that sees the whole body has its citations where the checks found them.
    let scan = if text == page.doc.body() {
        Cow::Borrowed(&page.body_scan)
    } else {
        Cow::Owned(scan::scan(&text))
    };
    (Cow::Owned(text), scan)
}

/// A variant from the Markdown its audience reads; nothing in it depends on the audience
/// but its name.
fn variant_of(
    page: &Resolved,
    audience: &AudienceId,
    markdown: String,
    body_scan: &Scan,
    format: &dyn Fn(&[&Reference]) -> Vec<Formatted>,
) -> Variant {
    let doc = page.doc;
    let summary_scan = &page.summary_scan;
    let order = crate::cite::number(
        summary_scan.groups.iter().chain(body_scan.groups.iter()),
        |k| page.refs.contains_key(k),
    );
    let number = |k: &str| order.iter().position(|o| o == k).map(|i| i + 1);
    let summary_md =
        crate::cite::render_citations(&doc.front.summary, &summary_scan.groups, &number, &|i| {
            format!("cite-s{}", i + 1)
        });
    let body_md = crate::cite::render_citations(&markdown, &body_scan.groups, &number, &|i| {
        format!("cite-{}", i + 1)
    });
    let mut backlinks = vec![String::new(); order.len()];
    let groups = summary_scan
        .groups
        .iter()
        .enumerate()
        .map(|(i, g)| (format!("cite-s{}", i + 1), g))
        .chain(
            body_scan
                .groups
                .iter()
                .enumerate()
                .map(|(i, g)| (format!("cite-{}", i + 1), g)),
        );
    for (id, g) in groups {
        for it in &g.items {
            if let Some(n) = number(&it.key) {
                if backlinks[n - 1].is_empty() {
                    backlinks[n - 1] = id.clone();
                }
            }
        }
    }
    let summary_html = markdown::render_in_with(&summary_md, &[], Some(&doc.path), &page.html).html;
    let rendered = markdown::render_in_with(
        &body_md,
        crate::render::site::RESERVED_IDS,
        Some(&doc.path),
        &page.html,
    );
    let cited: Vec<Reference> = order
        .iter()
        .filter_map(|k| page.refs.get(k).cloned())
        .collect();
    let formatted = format(&cited.iter().collect::<Vec<_>>());
    Variant {
        audience: audience.clone(),
        lang: doc.lang.clone(),
        markdown,
        summary_html,
        body_html: rendered.html,
        toc: rendered.toc,
        cited,
        backlinks,
        formatted,
        summary_citations: summary_scan.groups.clone(),
        body_citations: body_scan.groups.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience::testutil::{config, page, REVIEW};
    use crate::diag::Diagnostics;
    use crate::resolve::resolve;
    use std::path::Path;

    #[test]
    fn audiences_that_read_the_same_markdown_share_a_rendering() {
        let doc = page(
            REVIEW,
            "## Plan\n\nLower the dose slowly.\n\n::: clinician\nConsider clonidine for symptoms.\n:::\n",
        );
        let config = config();
        let mut d = Diagnostics::new();
        let lib = crate::resolve::Library::empty(Path::new("."));
        let resolved = resolve(&doc, &config, &lib, &mut d);
        let formatter =
            crate::cite::style::Formatter::new(&config.citations.style, Path::new(".")).unwrap();
        let format = |refs: &[&crate::cite::Reference]| formatter.format(refs);
        let shared = variants(&resolved, &doc.audiences, &format);
        let names: Vec<&str> = shared.iter().map(|v| v.audience.as_str()).collect();
        assert_eq!(names, ["patient", "caregiver", "clinician"]);
        // Each is what rendering that audience alone gives.
        for v in &shared {
            let alone = variant(&resolved, &v.audience, &format);
            assert_eq!(v.body_html, alone.body_html, "{}", v.audience);
            assert_eq!(v.markdown, alone.markdown, "{}", v.audience);
        }
        assert_eq!(shared[0].body_html, shared[1].body_html);
        assert!(!shared[0].body_html.contains("clonidine"));
        assert!(shared[2].body_html.contains("clonidine"));
    }
}
