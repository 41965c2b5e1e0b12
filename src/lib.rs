//! careguide builds a clinic's patient-education site and printable handouts from Markdown
//! with cited references.
//!
//! The pipeline, one type per stage:
//!
//! 1. [`content::load`] finds the pages under `content/` ([`content::SourceFile`]);
//! 2. [`content::parse`] splits and checks each page's front matter ([`content::Document`]);
//! 3. [`build`] resolves citations against the page's references and bibliography files
//!    ([`cite`]), checks review status and reading level ([`audience`]);
//! 4. [`render`] turns each page into one HTML variant per audience with numbered citations,
//!    and fills the Tera templates;
//! 5. [`pdf`] lays out handouts, with the personalized [`taper`] schedule;
//! 6. [`output`] writes the site beside the old one and swaps it in only when all went well.
//!
//! Every stage reports problems into [`diag::Diagnostics`] and carries on, so one run shows all.

pub mod audience;
pub mod build;
pub mod cache;
pub mod cite;
pub mod cli;
pub mod cmd;
pub mod config;
pub mod content;
pub mod diag;
#[doc(hidden)]
pub mod fuzz;
#[cfg(test)]
mod house;
pub mod i18n;
pub mod model;
pub mod output;
pub mod paths;
pub mod pdf;
pub mod render;
pub mod resolve;
pub mod taper;
pub mod types;
pub mod util;
