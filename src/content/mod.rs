//! Stage 1 and 2 of the pipeline: find the pages under `content/` ([`SourceFile`]) and parse
//! each into a typed [`Document`] (front matter checked, body kept with its position).

pub mod frontmatter;
mod load;
mod parse;
mod references;
pub mod translate;

use std::path::PathBuf;

use crate::diag::line_col;
use crate::types::{AudienceId, LangId, Slug};
use frontmatter::{FrontMatter, ReviewStatus};
pub use load::{load, load_with, now_ns, read_page, rel_to, Found, Stamp};
pub use parse::{is_slug, parse};
pub use references::{PageReferences, Reload};

pub const CONTENT_DIR: &str = "content";

/// The largest page careguide reads. A patient-education page is a few kilobytes; this stops a
/// runaway file (a pasted data dump, a generated file) before it costs minutes and gigabytes.
pub const MAX_PAGE_BYTES: u64 = 4 * 1024 * 1024;

/// The deepest nesting of block quotes and lists a page may have. Rendering cost grows with
/// the square of the depth; real pages stay below ten.
pub const MAX_NESTING: usize = 100;

/// A page's file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root (`content/kratom-withdrawal.md`), as shown in diagnostics.
    pub rel: PathBuf,
    pub text: String,
}

/// A parsed page: typed front matter and the Markdown body. It serializes without its text;
/// the build cache (`cache::save_page`) keeps the text beside it, so a page taken from the
/// cache is whole, as its file parses.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Document {
    pub file: PathBuf,
    #[serde(skip)]
    pub text: String,
    pub front: FrontMatter,
    /// Byte offset of the body in `text`.
    pub body_offset: usize,
    /// 1-based line of the front matter's first YAML line.
    pub yaml_line: usize,
    /// The page's URL path without slashes around it (`kratom-withdrawal`, `guides/taper`).
    pub path: String,
    /// Last segment of `path`.
    pub slug: Slug,
    /// The audiences this page is written for, in the site's order.
    pub audiences: Vec<AudienceId>,
    /// Inline `references:` entries, in the order written (the build cache keeps them apart,
    /// see [`PageReferences`]).
    #[serde(skip)]
    pub references: PageReferences,
    /// The page's language: the site's default, or a translation's (issue 18).
    pub lang: LangId,
    /// Set for a translation (`page.es.md`): what it translates. Its `path` is the original's
    /// under `<lang>/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation: Option<translate::Translation>,
}

impl Document {
    pub fn body(&self) -> &str {
        // Never a panic, even for a document whose text does not hold its body.
        self.text.get(self.body_offset..).unwrap_or("")
    }

    /// The front matter's YAML text.
    pub fn yaml(&self) -> &str {
        let start = self
            .text
            .find('\n')
            .map(|i| i + 1)
            .unwrap_or(0)
            .min(self.body_offset);
        self.text.get(start..self.body_offset).unwrap_or("")
    }

    /// 1-based line and column of a byte offset into the body.
    pub fn body_pos(&self, body_offset: usize) -> (usize, usize) {
        line_col(&self.text, self.body_offset + body_offset)
    }

    /// File line of a top-level front matter key.
    pub fn key_line(&self, key: &str) -> usize {
        frontmatter::key_line(self.yaml(), self.yaml_line, key).unwrap_or(1)
    }

    pub fn heading(&self) -> &str {
        self.front.question.as_deref().unwrap_or(&self.front.title)
    }

    /// The page's URL path within its language (`kratom-withdrawal` for `es/kratom-withdrawal`).
    pub fn lang_path(&self) -> &str {
        match &self.translation {
            Some(_) => self
                .path
                .strip_prefix(self.lang.as_str())
                .and_then(|p| p.strip_prefix('/'))
                .unwrap_or(&self.path),
            None => &self.path,
        }
    }

    pub fn is_approved(&self) -> bool {
        self.front.review.status == ReviewStatus::Approved
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_document_without_its_text_does_not_panic() {
        let mut doc = crate::audience::testutil::page("review:\n  status: draft\n", "Body.\n");
        assert!(doc.body().contains("Body."));
        doc.text = String::new();
        assert_eq!(doc.body(), "");
        assert_eq!(doc.yaml(), "");
        assert_eq!(doc.key_line("review"), 1);
    }
}
