//! Test helpers: a three-audience site configuration and pages parsed from text.

use std::path::{Path, PathBuf};

use crate::config::Config;
use crate::content::{self, Document, SourceFile};
use crate::diag::Diagnostics;

pub const CONFIG: &str = r#"
title = "Patient education"
clinic = "Riverside Clinic"
base_url = "https://clinic.example.org/"
default_audience = "patient"

[[audiences]]
id = "patient"
label = "Patient"
disclaimer = "Talk to your care team."
plain = true
reading_grade = 8

[[audiences]]
id = "caregiver"
label = "Family or caregiver"
disclaimer = "Talk to the care team."
plain = true
reading_grade = 8

[[audiences]]
id = "clinician"
label = "Healthcare professional"
disclaimer = "For professional use."
"#;

pub fn config() -> Config {
    Config::parse(CONFIG, Path::new("careguide.toml")).expect("test configuration parses")
}

/// A page with the given extra front matter lines and body.
pub fn page(front: &str, body: &str) -> Document {
    let text = format!(
        "---\ntitle: Stopping kratom\nsummary: How to stop safely.\nupdated: 2026-01-10\n{front}---\n{body}"
    );
    let mut diags = Diagnostics::new();
    let src = SourceFile {
        rel: PathBuf::from("content/kratom.md"),
        text,
    };
    let doc = content::parse(src, &config(), &mut diags);
    doc.unwrap_or_else(|| panic!("test page parses: {:?}", diags.into_vec()))
}

pub const REVIEW: &str = "review:\n  status: draft\n";

/// An approved page's review block, next review 2026-11-01.
pub const APPROVED: &str = "review:\n  status: approved\n  reviewers: [\"Dr. Ana Ruiz, MD\"]\n  last_reviewed: 2025-11-01\n  next_review: 2026-11-01\n";
