//! The real binary on citation fixture sites: every citation problem a medical editor would
//! catch gets its own rule at its own line, with a hint, and nothing panics.

use serde_json::Value;

use crate::support::{check_json, findings, fixture, RunExt};

/// `careguide check --root tests/fixtures/cite/NAME --format json`: exit code and the JSON
/// report.
fn check(name: &str) -> (i32, Value) {
    check_json(&fixture(&format!("cite/{name}")), None)
}

/// Expect a finding of `rule` in `file` at `line` whose message contains `text`, with a hint.
#[track_caller]
fn expect(v: &Value, rule: &str, severity: &str, file: &str, line: u64, text: &str) -> Value {
    let all = findings(v, rule);
    let d = all
        .iter()
        .find(|d| {
            d["line"] == line
                && d["file"] == file
                && d["message"].as_str().unwrap_or("").contains(text)
        })
        .unwrap_or_else(|| panic!("no {rule} at {file}:{line} containing {text:?} in {v:#}"));
    assert_eq!(d["severity"], severity, "{d:#}");
    assert!(
        d["hint"].as_str().is_some_and(|h| !h.is_empty()),
        "no hint: {d:#}"
    );
    (*d).clone()
}

#[test]
fn bibliography_files_of_every_format() {
    let (code, v) = check("bib-files");
    assert_eq!(code, 1, "{v:#}");
    let d = expect(
        &v,
        "cite/unknown-key",
        "error",
        "content/page.md",
        13,
        "'weis2021'",
    );
    assert_eq!(d["column"], 58);
    assert!(d["hint"].as_str().unwrap().contains("[@weiss2021]"));
    // A key with a space breaks that BibTeX entry only: the others are read. No page cites
    // it, so it is part of the file's one summary warning, not an error.
    let d = expect(
        &v,
        "cite/library-problems",
        "warning",
        "refs/page.bib",
        0,
        "1 uncited entry has problems: 'line 13'",
    );
    assert!(d["hint"].as_str().unwrap().contains("cite/library-entry"));
    expect(
        &v,
        "cite/unknown-type",
        "warning",
        "refs/page.bib",
        18,
        "@weird",
    );
    // An entry with no id and one whose id has a space: uncited, summed up.
    expect(
        &v,
        "cite/library-problems",
        "warning",
        "refs/page.json",
        0,
        "2 uncited entries have problems: 'line 2', 'two words'",
    );
    assert!(findings(&v, "cite/bibliography-syntax").is_empty(), "{v:#}");
    assert!(findings(&v, "cite/bad-key").is_empty(), "{v:#}");
    // The site-wide YAML defines a key the page's .bib also defines: both places named.
    expect(
        &v,
        "cite/duplicate-key",
        "error",
        "refs/site.yaml",
        1,
        "refs/page.bib:1:10 and at refs/site.yaml:1:1",
    );
    // weiss2021 itself resolves from the .bib file: no unknown-key for it.
    assert!(findings(&v, "cite/unknown-key")
        .iter()
        .all(|d| !d["message"].as_str().unwrap().contains("'weiss2021'")));
}

#[test]
fn bad_identifiers_fields_and_duplicates() {
    let (code, v) = check("bad-references");
    assert_eq!(code, 1, "{v:#}");
    let page = "content/page.md";
    expect(
        &v,
        "cite/duplicate-doi",
        "error",
        page,
        18,
        "'weiss2021' and 'weiss-again'",
    );
    expect(&v, "cite/bad-doi", "error", page, 24, "10.10/cam4.2787");
    expect(&v, "cite/bad-pmid", "error", page, 30, "031850687");
    expect(&v, "cite/bad-pmcid", "error", page, 36, "PMID6997070");
    expect(&v, "cite/bad-isbn", "error", page, 42, "check digit");
    expect(
        &v,
        "cite/missing-field",
        "error",
        page,
        50,
        "has no journal",
    );
    expect(&v, "cite/missing-field", "error", page, 50, "has no year");
    expect(&v, "cite/bad-year", "error", page, 53, "2031");
    expect(
        &v,
        "cite/uncited-reference",
        "warning",
        page,
        58,
        "'never-cited'",
    );
    assert_eq!(v["errors"], 8, "{v:#}");
}

#[test]
fn retracted_paper_names_the_notice() {
    let (code, v) = check("retracted");
    assert_eq!(code, 1, "{v:#}");
    expect(
        &v,
        "cite/retracted",
        "error",
        "content/page.md",
        9,
        "retracted on 2023-09-27 (notice doi:10.1155/2023/9812821)",
    );
    assert_eq!(v["errors"], 1, "{v:#}");
}

#[test]
fn retractions_file_without_its_columns() {
    let (code, v) = check("retractions-missing-columns");
    assert_eq!(code, 2, "{v:#}");
    expect(
        &v,
        "cite/retractions-format",
        "error",
        "data/retractions.csv",
        1,
        "'OriginalPaperDOI'",
    );
}

#[test]
fn bibliography_outside_the_site_or_missing() {
    let (code, v) = check("outside-root/site");
    assert_eq!(code, 2, "{v:#}");
    expect(
        &v,
        "cite/bibliography-outside-root",
        "error",
        "content/page.md",
        8,
        "../../outside.bib",
    );
    expect(
        &v,
        "cite/bibliography-unreadable",
        "error",
        "content/page.md",
        8,
        "refs/missing.bib",
    );
    // The entry outside the site is not read; citing it is not also an unknown key (one
    // error, the real one).
    assert!(findings(&v, "cite/unknown-key").is_empty(), "{v:#}");
}

#[test]
fn malformed_files_of_each_format() {
    let (code, v) = check("malformed-files");
    assert_eq!(code, 1, "{v:#}");
    let d = expect(
        &v,
        "cite/bibliography-syntax",
        "error",
        "refs/broken.json",
        2,
        "trailing comma",
    );
    assert_eq!(d["column"], 28);
    expect(
        &v,
        "cite/bibliography-syntax",
        "error",
        "refs/broken.nbib",
        3,
        "not a MEDLINE field",
    );
    expect(
        &v,
        "cite/bibliography-syntax",
        "error",
        "refs/broken.yaml",
        3,
        "title",
    );
    expect(
        &v,
        "cite/bibliography-format",
        "error",
        "content/page.md",
        8,
        "notes.docx",
    );
    // The MEDLINE record before the stray line is still read, and checked.
    expect(
        &v,
        "cite/missing-field",
        "error",
        "refs/broken.nbib",
        1,
        "has no journal",
    );
    assert!(findings(&v, "cite/unknown-key").is_empty(), "{v:#}");
}

#[test]
fn uncited_claims_when_the_rule_is_on() {
    let (code, v) = check("uncited-claims");
    assert_eq!(code, 0, "{v:#}");
    let all = findings(&v, "cite/uncited-claim");
    assert_eq!(all.len(), 2, "{v:#}");
    expect(
        &v,
        "cite/uncited-claim",
        "warning",
        "content/page.md",
        23,
        "Withdrawal symptoms",
    );
    expect(
        &v,
        "cite/uncited-claim",
        "warning",
        "content/page.md",
        26,
        "This paragraph",
    );
}

#[test]
fn unknown_citation_style() {
    let (code, v) = check("unknown-style");
    assert_eq!(code, 2, "{v:#}");
    let d = findings(&v, "config/citation-style");
    assert_eq!(d.len(), 1, "{v:#}");
    assert!(d[0]["hint"]
        .as_str()
        .unwrap()
        .contains("american-medical-association"));
}

#[test]
fn key_in_front_matter_and_in_a_file() {
    let (code, v) = check("duplicate-key-inline");
    assert_eq!(code, 1, "{v:#}");
    expect(
        &v,
        "cite/duplicate-key",
        "error",
        "refs/refs.bib",
        1,
        "at content/page.md:10:9 and at refs/refs.bib:1:10",
    );
    assert_eq!(v["errors"], 1, "{v:#}");
}

#[test]
fn site_wide_bibliography_that_does_not_exist() {
    let (code, v) = check("site-bibliography-missing");
    assert_eq!(code, 2, "{v:#}");
    expect(
        &v,
        "cite/bibliography-unreadable",
        "error",
        "careguide.toml",
        18,
        "refs/nowhere.bib",
    );
    assert_eq!(v["errors"], 1, "{v:#}");
}

#[test]
fn misplaced_citations_and_bad_keys_in_front_matter() {
    let (code, v) = check("misplaced-and-bad-keys");
    assert_eq!(code, 1, "{v:#}");
    let page = "content/page.md";
    expect(&v, "cite/bad-key", "error", page, 15, "empty id");
    expect(&v, "cite/bad-key", "error", page, 17, "'two words'");
    let d = expect(&v, "cite/misplaced", "error", page, 21, "heading");
    assert_eq!(d["column"], 14);
    let d = expect(&v, "cite/misplaced", "error", page, 23, "link text");
    assert_eq!(d["column"], 18);
    // `[@notakey]` in a code span is not a citation.
    assert!(findings(&v, "cite/unknown-key").is_empty(), "{v:#}");
    assert_eq!(v["errors"], 4, "{v:#}");
}

#[test]
fn bibliography_paths_are_relative_to_the_page() {
    let (code, v) = check("page-relative");
    // The one error: a page whose file is elsewhere; the hint names where it is.
    assert_eq!(code, 2, "{v:#}");
    assert_eq!(v["errors"], 1, "{v:#}");
    let d = expect(
        &v,
        "cite/bibliography-unreadable",
        "error",
        "content/lost.md",
        8,
        "'lost.bib': no such file (looked for content/lost.bib)",
    );
    assert!(
        d["hint"].as_str().unwrap().contains("'/refs/lost.bib'"),
        "{d:#}"
    );
    // Its citation is not also an unknown key.
    assert!(findings(&v, "cite/unknown-key").is_empty(), "{v:#}");
    // Beside the page and '/shared/site.yaml' resolve; a path found only from the root the
    // old way still works, with a warning that says how to keep it.
    let d = expect(
        &v,
        "cite/bibliography-root-relative",
        "warning",
        "content/guides/page.md",
        8,
        "'refs/legacy.bib' was found from the site root",
    );
    assert!(d["hint"].as_str().unwrap().contains("'/refs/legacy.bib'"));
    // The same record twice in one file is merged with a warning.
    expect(
        &v,
        "cite/duplicate-entry",
        "warning",
        "content/guides/refs.bib",
        12,
        "'weiss2021' is given twice",
    );
    assert_eq!(v["warnings"], 2, "{v:#}");
}

/// The real exports of `../shared/real-inputs`, copied into the fixture beside a page that cites
/// from each of them.
#[test]
fn real_libraries_build_and_cite_with_locators() {
    let (code, v) = check("real-libraries");
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(v["errors"], 0, "{v:#}");
    // The junk nobody cites is one warning per file, naming the first three.
    let refs = "content/libraries/refs/";
    let d = expect(
        &v,
        "cite/library-problems",
        "warning",
        &format!("{refs}bibtex_cochrane-cdsr-export.bib"),
        0,
        "4 uncited entries have problems: 'Chavez\u{2010}Tapia09', 'Cuello\u{2010}García13', 'Cheng17' and 1 more",
    );
    assert_eq!(d["column"], 0);
    expect(
        &v,
        "cite/library-problems",
        "warning",
        &format!("{refs}csljson_manubot_pediatric-brain-tumor.json"),
        0,
        "4 uncited entries have problems",
    );
    assert_eq!(findings(&v, "cite/library-problems").len(), 2, "{v:#}");

    // With the rule of single entries on, each problem is shown.
    let (_dir, site) = crate::support::fixture_site("cite/real-libraries");
    let toml = site.join("careguide.toml");
    let mut text = std::fs::read_to_string(&toml).unwrap();
    text.push_str("\n[rules]\n\"cite/library-entry\" = \"warning\"\n");
    std::fs::write(&toml, text).unwrap();
    let (code, v) = check_json(&site, None);
    assert_eq!(code, 0, "{v:#}");
    assert_eq!(findings(&v, "cite/library-entry").len(), 9, "{v:#}");

    // Built: locators as AMA writes them, on the page and in its PDF.
    let out = site.join("out");
    let r = crate::support::careguide(["build", "--root"])
        .arg(&site)
        .arg("--out")
        .arg(&out)
        .run()
        .no_crash();
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(out.join("libraries/page/clinician/index.html")).unwrap();
    for want in [
        "aria-label=\"reference 1\">1</a>(p2)</sup>",
        "aria-label=\"reference 2\">2</a>(pp12-14)</sup>",
        "aria-label=\"reference 4\">4</a>(ch3)</sup>",
        "aria-label=\"reference 7\">7</a>(sec2)</sup>",
        // Cited by its DOI though the record has a PMID; its IS holds an NLM id, not an issue.
        "Climate Change and Cardiovascular Health",
    ] {
        assert!(html.contains(want), "{want} not in {html}");
    }
    assert!(!html.contains("101676033"), "{html}");
    if let Some(text) = crate::support::pdftotext(&out.join("libraries/page/clinician.pdf"), false)
    {
        assert!(
            text.contains("[1(p2)]") && text.contains("[2(pp12-14)]"),
            "{text}"
        );
        assert!(!text.contains("101676033"), "{text}");
    }
}
