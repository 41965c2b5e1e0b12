//! The real binary on audience fixture sites: each bad input gets its own diagnostic at its own
//! line with exit code 1, and the good site checks clean.

use crate::support::{check_json, findings, fixture};

/// `careguide check --root tests/fixtures/audience/NAME --format json` as of `date` (`None`:
/// the clock); exit code and the parsed report.
fn check(name: &str, date: Option<&str>) -> (i32, serde_json::Value) {
    check_json(&fixture(&format!("audience/{name}")), date)
}

/// Expect exit code 1 and exactly one error of `rule` at `file:line:column`.
fn expect_error(case: &str, rule: &str, file: &str, line: u64, column: u64) -> serde_json::Value {
    let (code, v) = check(case, None);
    assert_eq!(code, 1, "{case}: exit code; report: {v:#}");
    let found = findings(&v, rule);
    assert_eq!(found.len(), 1, "{case}: one {rule}; report: {v:#}");
    let d = found[0];
    assert_eq!(d["severity"], "error", "{d:#}");
    assert_eq!(d["file"], file, "{d:#}");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(line), Some(column)),
        "{case}: {d:#}"
    );
    assert!(
        d["hint"].as_str().is_some_and(|h| !h.is_empty()),
        "{case}: no hint: {d:#}"
    );
    d.clone()
}

#[test]
fn block_left_open_is_reported_at_its_opening_line() {
    let d = expect_error(
        "block-unclosed",
        "audience/unclosed",
        "content/kratom.md",
        13,
        1,
    );
    assert!(d["message"].as_str().unwrap().contains("never closed"));
}

#[test]
fn nested_block_is_reported_at_the_inner_opening() {
    let d = expect_error(
        "nested-blocks",
        "audience/nested",
        "content/kratom.md",
        11,
        1,
    );
    assert!(d["hint"].as_str().unwrap().contains("line 9"), "{d:#}");
}

#[test]
fn audience_typo_names_the_nearest_audience() {
    let d = expect_error(
        "audience-typo",
        "audience/unknown",
        "content/kratom.md",
        11,
        13,
    );
    assert!(d["message"].as_str().unwrap().contains("'clinican'"));
    assert!(
        d["hint"]
            .as_str()
            .unwrap()
            .contains("did you mean 'clinician'"),
        "{d:#}"
    );
}

#[test]
fn block_for_an_audience_the_page_does_not_list() {
    expect_error(
        "block-not-on-page",
        "audience/not-on-page",
        "content/kratom.md",
        10,
        5,
    );
}

#[test]
fn duplicate_glossary_term_is_reported_at_its_line() {
    let d = expect_error(
        "duplicate-glossary",
        "glossary/duplicate",
        "content/glossary.yaml",
        4,
        1,
    );
    assert!(d["message"].as_str().unwrap().contains("first at line 2"));
}

#[test]
fn next_review_before_last_reviewed() {
    expect_error("review-dates", "review/dates", "content/kratom.md", 9, 3);
}

#[test]
fn approved_without_reviewer() {
    expect_error(
        "approved-no-reviewer",
        "review/no-reviewer",
        "content/kratom.md",
        5,
        1,
    );
}

#[test]
fn good_site_checks_clean_before_its_review_date() {
    // 2026-06-01: before the page's next_review (2027-03-01).
    let (code, v) = check("good", Some("1780272000"));
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["errors"], 0, "{v:#}");
    assert!(findings(&v, "audience/reading-level").is_empty(), "{v:#}");
    assert!(findings(&v, "review/overdue").is_empty(), "{v:#}");
}

#[test]
fn overdue_review_is_a_warning_on_the_build_date() {
    // 2027-04-01: a month after next_review.
    let (code, v) = check("good", Some("1806537600"));
    assert_eq!(code, 0, "a warning only: {v:#}");
    let found = findings(&v, "review/overdue");
    assert_eq!(found.len(), 1, "{v:#}");
    assert_eq!(found[0]["severity"], "warning");
    assert_eq!(found[0]["line"], 10);
    assert!(
        found[0]["message"]
            .as_str()
            .unwrap()
            .contains("31 days ago"),
        "{:#}",
        found[0]
    );
}

#[test]
fn reading_level_above_target_with_the_site_chosen_severity() {
    // The fixture sets "audience/reading-level" = "error"; the clinician has no target.
    let d = expect_error(
        "reading-level",
        "audience/reading-level",
        "content/kratom.md",
        15,
        1,
    );
    assert!(
        d["message"].as_str().unwrap().contains("Patient version"),
        "{d:#}"
    );
    let hint = d["hint"].as_str().unwrap();
    assert!(
        hint.contains("Flesch-Kincaid grade") && hint.contains("SMOG"),
        "{hint}"
    );
    assert!(
        hint.contains("line 15 (16 words): Pharmacological management"),
        "{hint}"
    );
}

#[test]
fn json_report_has_every_page_scores_per_audience() {
    let (_, v) = check("good", Some("1780272000"));
    let page = &v["reading_level"]["kratom"];
    for a in ["patient", "caregiver", "clinician"] {
        let s = &page[a];
        assert!(s["flesch_kincaid_grade"].is_number(), "{a}: {v:#}");
        assert!(s["smog_grade"].is_number() && s["flesch_reading_ease"].is_number());
        assert!(s["words"].as_u64().unwrap() > 10);
        assert!(s["longest_sentences"].as_array().unwrap().len() <= 3);
    }
    // The clinician sees the buprenorphine block, the patient the taper block.
    let longest = |a: &str| page[a]["longest_sentences"].to_string();
    assert!(longest("clinician").contains("buprenorphine"));
    assert!(!longest("patient").contains("buprenorphine"));
}
