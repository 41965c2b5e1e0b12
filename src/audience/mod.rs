//! Audience variants of one page: `::: patient caregiver` blocks, the glossary, reading level
//! and the review workflow.
//!
//! Where the build calls in:
//! - per page, [`check_blocks`] (block structure) and [`audit`] (reading level per audience and
//!   review dates), whose scores go into `check --format json` through [`scores_raw`];
//! - per variant, [`select`] (or [`select_mapped`] to place diagnostics), then
//!   [`glossary::annotate_for`] on the rendered body HTML and [`review::json_ld`] for the page's
//!   `<script type="application/ld+json">`;
//! - once per site, [`glossary::load`], and `render::editorial::report` for
//!   `output/_editorial/index.html`; with `--publish`, [`review::publish_check`] per page.

use std::collections::BTreeMap;

use crate::config::Config;
use crate::content::Document;
use crate::diag::Diagnostic;
use crate::types::{AudienceId, Date};

pub mod blocks;
pub mod glossary;
pub mod readability;
pub mod review;
pub mod syllables;
pub mod syllables_es;

pub use blocks::{check as check_blocks, select_mapped, Selected};
pub use readability::Scores;

/// The Markdown text one audience sees: lines outside audience blocks, and the lines of blocks
/// that list `audience`. Fence lines and other audiences' blocks are cut out whole; use
/// [`select_mapped`] to map offsets in the result back to the body.
pub fn select(body: &str, audience: &str) -> String {
    blocks::select_mapped(body, audience).text
}

/// A page's reading-level scores per audience and its reading-level and review findings.
#[derive(Debug, Clone, Default)]
pub struct Audit {
    pub scores: BTreeMap<AudienceId, Scores>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Reading level of every variant of a page (`audience/reading-level`) and its review dates
/// (`review/overdue`, `review/due-soon`) judged on `today`.
pub fn audit(doc: &Document, config: &Config, today: Date) -> Audit {
    audit_with(doc, &blocks::Selections::read(doc), config, today)
}

/// [`audit`] with each audience's selection of the page already made and scanned
/// (`model::Resolved::selections`).
pub fn audit_with(
    doc: &Document,
    selections: &blocks::Selections,
    config: &Config,
    today: Date,
) -> Audit {
    let (scores, mut diagnostics) =
        readability::check_with(doc, selections, config, doc.lang.as_str());
    diagnostics.extend(review::check(doc, config, today));
    Audit {
        scores,
        diagnostics,
    }
}

/// `{"<page path>": {"<audience>": Scores}}` for `check --format json`, from each page's scores
/// already serialized as the build cache keeps them: JSON text spliced rather than parsed.
pub fn scores_raw(mut pages: Vec<(String, crate::types::RawJson)>) -> crate::types::RawJson {
    // A JSON object's keys in order, the last of equal keys winning, as a map would have them.
    pages.sort_by(|a, b| a.0.cmp(&b.0));
    pages.reverse();
    pages.dedup_by(|a, b| a.0 == b.0);
    pages.reverse();
    let mut out = String::from("{");
    for (i, (path, s)) in pages.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&serde_json::to_string(path).unwrap_or_default());
        out.push(':');
        out.push_str(s.get());
    }
    out.push('}');
    crate::types::RawJson::from_parts(out)
}

#[cfg(test)]
pub(crate) mod testutil;

#[cfg(test)]
mod tests {
    use super::*;
    use testutil::{config, page};

    /// The map `scores_raw` must equal once parsed.
    pub fn scores_json<'a>(
        pages: impl IntoIterator<Item = (&'a str, &'a BTreeMap<AudienceId, Scores>)>,
    ) -> serde_json::Value {
        let map: serde_json::Map<String, serde_json::Value> = pages
            .into_iter()
            .map(|(path, s)| {
                (
                    path.to_string(),
                    serde_json::to_value(s).unwrap_or(serde_json::Value::Null),
                )
            })
            .collect();
        serde_json::Value::Object(map)
    }

    #[test]
    fn audit_gives_scores_per_audience_and_review_findings() {
        let doc = page(
            "review:\n  status: draft\n  next_review: 2026-01-01\n",
            "Rest and drink water.\n",
        );
        let a = audit(&doc, &config(), Date::parse("2026-11-26").unwrap());
        assert_eq!(a.scores.len(), 3);
        assert_eq!(a.diagnostics.len(), 1);
        assert_eq!(a.diagnostics[0].rule, "review/overdue");
        let json = scores_json([(doc.path.as_str(), &a.scores)]);
        assert_eq!(json["kratom"]["patient"]["words"], 4);
        assert!(json["kratom"]["clinician"]["flesch_kincaid_grade"].is_number());
        // Spliced from serialized parts, in path order: the same JSON as the map gives (the
        // CLI parses it before printing, so the field order inside does not show).
        let raw = |s: &BTreeMap<AudienceId, Scores>| crate::types::RawJson::of(s);
        let other = audit(
            &page(
                "review:\n  status: draft\n",
                "Short words. Long medical terminology everywhere.",
            ),
            &config(),
            Date::parse("2026-11-26").unwrap(),
        );
        let spliced = scores_raw(vec![
            ("z/last".into(), raw(&other.scores)),
            ("kratom".into(), raw(&a.scores)),
        ]);
        let want = scores_json([("z/last", &other.scores), ("kratom", &a.scores)]);
        let parsed: serde_json::Value = serde_json::from_str(spliced.get()).unwrap();
        assert_eq!(parsed, want);
        let keys: Vec<&String> = parsed.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["kratom", "z/last"]);
    }
}
