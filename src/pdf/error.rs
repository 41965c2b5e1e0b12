//! Why a PDF could not be made. None of these comes from the user's input (that is checked
//! before a PDF is laid out): each means an embedded font or the PDF library failed, so the
//! callers report it as a careguide bug with a way to go on (`--no-pdf`).

use std::fmt;

use super::fonts::Face;
use crate::types::Date;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PdfError {
    /// An embedded font could not be read or parsed.
    Font { face: Face, reason: String },
    /// The variant's audience is not configured (a variant is made for configured ones only).
    UnknownAudience {
        audience: String,
        configured: String,
    },
    /// The structure tree could not be written; `page` is 1-based when one page failed.
    Tagging { page: Option<usize>, reason: String },
    /// The creation date cannot be stored in the PDF's metadata.
    Date { date: Date, reason: String },
    /// The document could not be serialized.
    Write(String),
}

impl fmt::Display for PdfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PdfError::Font { face, reason } => {
                write!(f, "the embedded font {face:?} cannot be {reason}")
            }
            PdfError::UnknownAudience {
                audience,
                configured,
            } => write!(
                f,
                "unknown audience '{audience}': careguide.toml configures {configured}"
            ),
            PdfError::Tagging {
                page: Some(p),
                reason,
            } => {
                write!(f, "the PDF's page {p} cannot be tagged: {reason}")
            }
            PdfError::Tagging { page: None, reason } => write!(f, "{reason}"),
            PdfError::Date { date, reason } => {
                write!(f, "the date {date} cannot be stored in the PDF: {reason}")
            }
            PdfError::Write(reason) => write!(f, "cannot write the PDF: {reason}"),
        }
    }
}

impl std::error::Error for PdfError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_name_what_failed() {
        let e = PdfError::Tagging {
            page: Some(3),
            reason: "no such object".into(),
        };
        assert_eq!(
            e.to_string(),
            "the PDF's page 3 cannot be tagged: no such object"
        );
        let e = PdfError::Font {
            face: Face::Bold,
            reason: "parsed".into(),
        };
        assert_eq!(e.to_string(), "the embedded font Bold cannot be parsed");
    }
}
