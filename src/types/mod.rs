//! Small value types that every layer uses: dates, audience ids and slugs, JSON kept as text,
//! files to write. They import nothing from the rest of the crate.

mod date;
mod ids;

pub use date::{Date, DateFormat, DateProblem, DEFAULT_DATE_FORMAT};
pub use ids::{AudienceId, LangId, Slug};

use serde::Serialize;

/// JSON text written by this program, kept as text so that it is spliced into the search index
/// and the report without being parsed again. It comes from serializing a value, or from a
/// cache file whose digest matched what was written (`cache::read_framed`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawJson(Box<str>);

impl RawJson {
    pub fn of<T: Serialize + ?Sized>(value: &T) -> RawJson {
        RawJson(
            serde_json::to_string(value)
                .unwrap_or_else(|_| "null".into())
                .into(),
        )
    }

    pub fn get(&self) -> &str {
        &self.0
    }

    /// JSON text assembled from other [`RawJson`] texts with JSON punctuation.
    pub(crate) fn from_parts(text: String) -> RawJson {
        RawJson(text.into())
    }
}

/// One file of the built site, at a relative path with '/' separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: String, bytes: Vec<u8>) -> Self {
        OutputFile { path, bytes }
    }
}

/// A heading of a page body, for its table of contents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TocEntry {
    pub level: u8,
    pub id: String,
    pub text: String,
}
