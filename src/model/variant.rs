//! Stage 4: one audience's version of a page.

use crate::cite::scan::CiteGroup;
use crate::cite::style::Formatted;
use crate::cite::Reference;
use crate::types::{AudienceId, LangId, TocEntry};

/// One audience's version of a page, rendered.
#[derive(Debug, Clone)]
pub struct Variant {
    pub audience: AudienceId,
    /// The language the page is written in (its document's): what strings and reading-level
    /// formulas to use for it.
    pub lang: LangId,
    /// The Markdown this audience sees (audience blocks applied).
    pub markdown: String,
    pub summary_html: String,
    pub body_html: String,
    pub toc: Vec<TocEntry>,
    /// Cited references in number order (number = index + 1).
    pub cited: Vec<Reference>,
    /// For each cited reference, the anchor id of its first citation (for the back link).
    pub backlinks: Vec<String>,
    /// The reference list entries, formatted in the site's citation style.
    pub formatted: Vec<Formatted>,
    /// The citation groups of the summary and of [`Variant::markdown`], where the scan found
    /// them: the PDF numbers its citations from these rather than scanning again.
    pub summary_citations: Vec<CiteGroup>,
    pub body_citations: Vec<CiteGroup>,
}
