//! Callouts on the sample site, through the real binary: the withdrawal page's "call the
//! clinic" and "call the emergency number" passages are boxed on the web page and in its
//! handout, its declared practice needs no citation and is listed in the editorial report.

use crate::support::{careguide, findings, pdftotext, sample_site, RunExt, JAN_15_2026};

/// The sample site built into `out`, and its `check --format json` report.
fn built() -> (tempfile::TempDir, serde_json::Value) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    sample_site(&site);
    let out = dir.path().join("out");
    let b = careguide(["build", "--root"])
        .arg(&site)
        .arg("--out")
        .arg(&out)
        .date(JAN_15_2026)
        .run()
        .no_crash();
    assert_eq!(b.code, 0, "{}", b.stderr);
    let c = careguide(["check", "--root"])
        .arg(&site)
        .args(["--format", "json"])
        .date(JAN_15_2026)
        .run()
        .no_crash();
    assert_eq!(c.code, 0, "{}", c.stderr);
    (dir, c.json())
}

fn read(path: std::path::PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn callouts_are_boxed_practice_is_exempt_and_listed() {
    let (dir, report) = built();
    let out = dir.path().join("out");
    let page = read(out.join("kratom-withdrawal/index.html"));
    let urgent = "<aside class=\"callout callout-urgent\" role=\"note\">\n<p class=\"callout-label\">Emergency</p>\n<p>Call your local emergency number for a seizure, fainting or trouble breathing.";
    assert!(page.contains(urgent), "{page}");
    assert!(page.contains("<aside class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-label\">Important</p>\n<p>Call the clinic if you have yellow skin or eyes"));
    assert!(page.contains("<aside class=\"callout callout-note\" role=\"note\">"));
    assert_eq!(
        page.matches("<aside").count(),
        page.matches("</aside>").count()
    );
    // Not a bullet any more, and never an interrupting alert on a static page.
    assert!(!page.contains("<li>Call your local emergency number"));
    assert!(!page.contains("role=\"alert\""));
    // Practice reads as ordinary text: no fence or marker reaches the page.
    assert!(page.contains("<li>You and your clinician agree on a plan together."));
    assert!(
        !page.contains(":::") && !page.contains("practice"),
        "{page}"
    );
    // The clinician's version has no patient callouts.
    let clin = read(out.join("kratom-withdrawal/clinician/index.html"));
    assert!(!clin.contains("callout-urgent"));
    let css = read(out.join("assets/style.css"));
    assert!(css.contains(".callout-urgent"));

    // Declared practice needs no citation; the claims around it still do.
    let claims = findings(&report, "cite/uncited-claim");
    let texts: Vec<&str> = claims
        .iter()
        .filter_map(|d| d["message"].as_str())
        .collect();
    assert!(
        !texts
            .iter()
            .any(|m| m.contains("Your clinician will first ask")
                || m.contains("Keep every follow-up visit")
                || m.contains("Record the daily amount")),
        "{texts:#?}"
    );
    assert!(
        texts
            .iter()
            .any(|m| m.contains("Symptom-directed medicines")),
        "{texts:#?}"
    );

    // The editorial report lists each page's practice.
    let editorial = read(out.join("_editorial/index.html"));
    let listed = editorial
        .split("<h2>Declared practice</h2>")
        .nth(1)
        .unwrap_or("");
    assert!(
        listed.contains("Safe withdrawal from kratom dependence"),
        "{editorial}"
    );
    assert!(listed.contains("Your clinician will first ask how much kratom you take each day"));
    assert!(listed.contains("Do not go back up on your own."));

    // The search index has the callout's text and not its label as a text of its own.
    let index = read(out.join("search/index.js"));
    assert!(index.contains("Call your local emergency number for a seizure"));
    assert!(
        !index.contains("[\"Emergency\","),
        "the label is not indexed"
    );
}

#[test]
fn a_handout_carries_the_callouts_text() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    sample_site(&site);
    let pdf = dir.path().join("h.pdf");
    let o = careguide(["handout", "--allow-unapproved", "--root"])
        .arg(&site)
        .args([
            "--page",
            "kratom-withdrawal",
            "--dose",
            "20",
            "--start",
            "2026-12-01",
            "--out",
        ])
        .arg(&pdf)
        .run()
        .no_crash();
    assert_eq!(o.code, 0, "{}", o.stderr);
    let Some(text) = pdftotext(&pdf, false) else {
        return;
    };
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "Important Call the clinic if you have yellow skin or eyes",
        "Emergency Call your local emergency number for a seizure",
        "Note Your handout from the clinic lists each step",
    ] {
        assert!(flat.contains(want), "{want}: {flat}");
    }
    assert!(!flat.contains(":::"));
}

#[test]
fn every_page_links_the_policy_and_patient_versions_end_with_the_clinic() {
    let (dir, report) = built();
    let out = dir.path().join("out");
    // The one uncited statement left in the sample is the deliberate one the README explains,
    // in the English page and in its Spanish translation.
    let claims = findings(&report, "cite/uncited-claim");
    assert_eq!(claims.len(), 2, "{claims:#?}");
    let said = |file: &str, words: &str| {
        claims
            .iter()
            .any(|c| c["file"] == file && c["message"].as_str().is_some_and(|m| m.contains(words)))
    };
    assert!(
        said("content/kratom-withdrawal.md", "Symptom-directed medicines"),
        "{claims:#?}"
    );
    assert!(
        said(
            "content/kratom-withdrawal.es.md",
            "Los medicamentos dirigidos"
        ),
        "{claims:#?}"
    );

    let patient = read(out.join("kratom-withdrawal/patient/index.html"));
    assert!(
        patient.contains(
            "<a class=\"policy\" href=\"../../editorial-policy/patient/index.html\">How we write and review these pages</a>"
        ),
        "{patient}"
    );
    assert!(patient.contains("<h2 id=\"questions-title\">Questions? Ask the clinic</h2>"));
    assert!(patient.contains("<a href=\"tel:+15550100\">+1 555 0100</a>"));
    let caregiver = read(out.join("kratom-withdrawal/caregiver/index.html"));
    assert!(caregiver.contains("id=\"questions\""));
    // The default version at /<path>/ is one folder up.
    let default = read(out.join("kratom-withdrawal/index.html"));
    assert!(default.contains("href=\"../editorial-policy/patient/index.html\""));
    // Clinicians get the policy link and no patient box.
    let clinician = read(out.join("kratom-withdrawal/clinician/index.html"));
    assert!(clinician.contains("../../editorial-policy/clinician/index.html"));
    assert!(!clinician.contains("id=\"questions\""));
    // The policy page does not link to itself.
    let policy = read(out.join("editorial-policy/patient/index.html"));
    assert!(!policy.contains("class=\"policy\""));
}
