//! The real binary on audience fixture sites: each bad input gets its own diagnostic at its own
//! line with exit code 1, and the good site checks clean.

use crate::support::{careguide, check_json, findings, fixture, fixture_site, RunExt};

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

/// The Spanish fixture (`language = "es"`): pages are scored on the Spanish scales against the
/// patient's `reading = { es = { min_inflesz = 55 } }`; `content/glossary.es.yaml` explains
/// their terms.
#[test]
fn spanish_pages_are_scored_on_spanish_scales_against_their_target() {
    let (code, v) = check("spanish", Some("1780272000"));
    assert_eq!(code, 0, "a warning only: {v:#}");
    let found = findings(&v, "audience/reading-level");
    // The hard page misses the target; the easy one, and the clinician (no target), pass.
    assert_eq!(found.len(), 1, "{v:#}");
    let d = found[0];
    assert_eq!(d["file"], "content/abstinencia.md", "{d:#}");
    assert_eq!(
        (d["line"].as_u64(), d["severity"].as_str()),
        (Some(13), Some("warning"))
    );
    let hard = &v["reading_level"]["abstinencia"]["patient"];
    let score = hard["szigriszt_pazos"].as_f64().unwrap_or(f64::NAN);
    assert!(score < 40.0, "{hard:#}");
    assert_eq!(
        d["message"].as_str().unwrap_or(""),
        format!("the Paciente version (es) scores {score:.1} on the INFLESZ scale (muy difícil), below its target of 55")
    );
    let hint = d["hint"].as_str().unwrap_or("");
    assert!(
        hint.contains("Fernández-Huerta") && hint.contains("higher is easier"),
        "{hint}"
    );
    assert!(
        hint.contains("line 13 (32 words): La interrupción"),
        "{hint}"
    );
    let easy = &v["reading_level"]["dejar-kratom"]["patient"];
    assert!(easy["szigriszt_pazos"].as_f64() > Some(55.0), "{easy:#}");
    assert!(easy["fernandez_huerta"].is_number() && easy["inflesz"] == "muy fácil");
    // Never an English formula on Spanish text.
    for page in ["abstinencia", "dejar-kratom"] {
        for a in ["patient", "clinician"] {
            let s = &v["reading_level"][page][a];
            assert!(s["flesch_kincaid_grade"].is_null(), "{page} {a}: {s:#}");
            assert!(s["smog_grade"].is_null() && s["flesch_reading_ease"].is_null());
        }
    }
    assert!(
        findings(&v, "audience/reading-language").is_empty(),
        "{v:#}"
    );
}

#[test]
fn spanish_pages_use_the_spanish_glossary() {
    let (_dir, site) = fixture_site("audience/spanish");
    let run = careguide(["build", "--root"])
        .arg(&site)
        .date("1780272000")
        .run()
        .no_crash();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let patient = std::fs::read_to_string(site.join("output/dejar-kratom/patient/index.html"))
        .expect("the patient page");
    assert!(
        patient.contains("<dfn class=\"gloss-term\">abstinencia</dfn><span class=\"gloss\"> (Los malestares que siente el cuerpo"),
        "{patient}"
    );
    assert!(!patient.contains("The symptoms your body has"));
}

/// A language careguide has no formulas for: no scores, one note for the site (not one per
/// page), never English formulas.
#[test]
fn a_language_without_formulas_gets_one_note_and_no_scores() {
    let (_dir, site) = fixture_site("audience/spanish");
    let config = site.join("careguide.toml");
    let text = std::fs::read_to_string(&config).expect("the fixture's configuration");
    std::fs::write(
        &config,
        text.replace("language = \"es\"", "language = \"de\""),
    )
    .expect("write the configuration");
    let (code, v) = check_json(&site, Some("1780272000"));
    assert_eq!(code, 0, "{v:#}");
    let notes = findings(&v, "audience/reading-language");
    assert_eq!(notes.len(), 1, "{v:#}");
    assert_eq!(notes[0]["file"], "careguide.toml");
    assert_eq!(notes[0]["line"], 6);
    assert_eq!(notes[0]["severity"], "warning");
    assert!(findings(&v, "audience/reading-level").is_empty(), "{v:#}");
    let s = &v["reading_level"]["abstinencia"]["patient"];
    assert!(s["words"].as_u64() > Some(30), "{s:#}");
    for key in [
        "flesch_kincaid_grade",
        "fernandez_huerta",
        "szigriszt_pazos",
    ] {
        assert!(s[key].is_null(), "{key}: {s:#}");
    }
}

/// The Spanish patient version of the sample page (`content/kratom-withdrawal.es.md`) keeps the original's citation keys and audience blocks, sets only
/// the taper's words, and reads "bastante fácil" or easier on the INFLESZ scale for patients.
#[test]
fn the_spanish_draft_of_the_sample_page_matches_its_original_and_reads_easily() {
    use careguide::audience::readability::{analyze_in, Formulas};
    let repo = std::path::Path::new(crate::support::REPO);
    let read = |p: &str| std::fs::read_to_string(repo.join(p)).expect(p);
    let original = read("content/kratom-withdrawal.md");
    let draft = read("content/kratom-withdrawal.es.md");
    let keys = |t: &str| {
        let mut k: Vec<String> = t
            .match_indices("[@")
            .filter_map(|(i, _)| t[i + 2..].split(']').next().map(str::to_string))
            .collect();
        k.sort();
        k
    };
    assert_eq!(keys(&original), keys(&draft));
    let fences = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with(":::"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(fences(&original), fences(&draft));
    let (front, body) = draft
        .trim_start_matches("---\n")
        .split_once("\n---\n")
        .expect("front matter");
    assert!(front.contains("translates: 2026-11-26") && original.contains("updated: 2026-11-26"));
    assert!(front.contains("status: draft"));
    assert!(!front.contains("audiences:") && !original.contains("\naudiences:"));
    let taper: Vec<&str> = front
        .lines()
        .skip_while(|l| !l.starts_with("taper:"))
        .skip(1)
        .take_while(|l| l.starts_with(' '))
        .map(|l| l.trim().split(':').next().unwrap_or(""))
        .collect();
    assert_eq!(taper, ["substance", "dose_forms"]);
    let patient = careguide::audience::select(body, "patient");
    let s = analyze_in(&patient, Formulas::Spanish).scores;
    assert!(s.szigriszt_pazos >= Some(65.0), "{s:?}");
    assert!(s.fernandez_huerta >= Some(70.0), "{s:?}");
}
