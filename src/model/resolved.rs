//! Stage 3: a page with its citations checked.

use std::collections::BTreeMap;

use crate::audience::blocks::{Layout, Selections};
use crate::cite::scan::Scan;
use crate::cite::Reference;
use crate::config::HtmlConfig;
use crate::content::Document;

/// One page with its citations checked.
#[derive(Debug)]
pub struct Resolved<'a> {
    pub doc: &'a Document,
    /// Every reference the page may cite, by id.
    pub refs: BTreeMap<String, Reference>,
    /// The site's `[html]` allowlist for raw HTML in the page's Markdown.
    pub html: HtmlConfig,
    /// The citations of the summary and of the whole body, as the checks found them.
    pub summary_scan: Scan,
    pub body_scan: Scan,
    /// The body's audience blocks, read once for the checks and every audience's selection
    /// (and dropped with the page, not kept for the whole build).
    pub layout: Layout,
    /// Each of the page's audiences' selection of the body, with its citations: read by the
    /// reading level and by every variant.
    pub selections: Selections,
}

impl Resolved<'_> {
    /// The summary or the body holds more citations than careguide reads (an error reported
    /// by the scan): the page is refused, and not rendered.
    pub fn over_citation_cap(&self) -> bool {
        [&self.summary_scan, &self.body_scan]
            .iter()
            .any(|s| s.groups.len() >= crate::cite::scan::MAX_CITATIONS)
    }
}
