//! Links in the built site: every internal link names a file (a site opened from disk shows a
//! folder as a listing), links to other pages' Markdown files lead to the same audience's
//! version (else the page's default one) from every depth, and a broken page link or anchor is
//! an error at its line. The fixture `tests/fixtures/links` has a link loop (A -> B -> A).

use std::path::Path;

use crate::support::{careguide, check_json, findings, fixture, fixture_site, RunExt, JAN_15_2026};

/// Every `href="..."` and `src="..."` of an HTML file.
fn urls(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    for attr in ["href=\"", "src=\""] {
        for part in html.split(attr).skip(1) {
            if let Some(end) = part.find('"') {
                out.push(part[..end].to_string());
            }
        }
    }
    out
}

fn build(site: &Path) -> std::path::PathBuf {
    let out = site.join("output");
    let r = careguide(["build", "--no-pdf", "--root"])
        .arg(site)
        .arg("--out")
        .arg(&out)
        .date(JAN_15_2026)
        .run()
        .no_crash();
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    out
}

fn read(out: &Path, rel: &str) -> String {
    std::fs::read_to_string(out.join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn no_internal_link_of_the_sample_site_names_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let site = tmp.path().join("site");
    crate::support::sample_site(&site);
    let out = build(&site);
    let mut checked = 0;
    for f in crate::support::files_under(&out) {
        if f.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(&f).unwrap();
        for u in urls(&html) {
            if u.contains("://") || u.starts_with("mailto:") || u.starts_with("tel:") {
                continue;
            }
            let path = u.split(['#', '?']).next().unwrap_or("");
            if u.starts_with('#') {
                continue;
            }
            checked += 1;
            assert!(
                !path.is_empty() && !path.ends_with('/'),
                "{}: {u} names a folder",
                f.display()
            );
            let target = f.parent().unwrap().join(path);
            assert!(target.is_file(), "{}: {u} leads nowhere", f.display());
        }
    }
    assert!(checked > 50, "only {checked} links checked");
    // The search results are made by the script: their URLs end in index.html too.
    let js = read(&out, "assets/search.js");
    assert!(js.contains("'index.html'"), "search.js links to folders");
}

#[test]
fn page_links_lead_to_the_same_audience_or_the_default_version() {
    let (_tmp, site) = fixture_site("links");
    let out = build(&site);
    // A's patient version: B has a patient version; C only a clinician one (its default).
    let a_patient = read(&out, "a/patient/index.html");
    let u = urls(&a_patient);
    for want in [
        "../../b/patient/index.html",
        "../../b/patient/index.html#dose-steps",
        "../../topics/c/index.html",
        "../../guide/patient/index.html",
        "../../chart.png",
        "../../forms/intake.pdf",
        "../../img/logo.png",
    ] {
        assert!(u.iter().any(|x| x == want), "no {want} in {u:?}");
    }
    // Its caregiver version: B has none, so B's default version.
    let u = urls(&read(&out, "a/caregiver/index.html"));
    assert!(u.iter().any(|x| x == "../../b/index.html"), "{u:?}");
    assert!(
        u.iter().any(|x| x == "../../b/index.html#dose-steps"),
        "{u:?}"
    );
    // The clinician version: C's clinician page.
    let u = urls(&read(&out, "a/clinician/index.html"));
    assert!(
        u.iter().any(|x| x == "../../topics/c/clinician/index.html"),
        "{u:?}"
    );
    assert!(
        u.iter().any(|x| x == "../../b/clinician/index.html"),
        "{u:?}"
    );
    // The default page, one folder up.
    let u = urls(&read(&out, "a/index.html"));
    assert!(u.iter().any(|x| x == "../b/patient/index.html"), "{u:?}");
    assert!(u.iter().any(|x| x == "../chart.png"), "{u:?}");
    // The page bundle is the folder's page (/guide/), and its image sits beside it, from two
    // depths.
    let u = urls(&read(&out, "guide/patient/index.html"));
    assert!(u.iter().any(|x| x == "../../guide/chart.png"), "{u:?}");
    let u = urls(&read(&out, "guide/index.html"));
    assert!(u.iter().any(|x| x == "../guide/chart.png"), "{u:?}");
    // A loop of links (A -> B -> A) is fine: B links back to A's heading.
    let u = urls(&read(&out, "b/clinician/index.html"));
    assert!(
        u.iter()
            .any(|x| x == "../../a/clinician/index.html#where-to-read-more"),
        "{u:?}"
    );
    // No mark is left anywhere.
    for f in crate::support::files_under(&out) {
        if let Ok(t) = std::fs::read_to_string(&f) {
            assert!(!t.contains("@careguide-"), "{} keeps a mark", f.display());
        }
    }
}

#[test]
fn broken_page_links_and_anchors_are_errors_with_a_hint() {
    let (_tmp, site) = fixture_site("links");
    std::fs::write(
        site.join("content/d.md"),
        "---\ntitle: D\nsummary: Broken links.\nupdated: 2025-01-02\nreview:\n  status: draft\n---\n\n## Links\n\nSee [B](bb.md) and [steps](b.md#dose-step).\n",
    )
    .unwrap();
    let (code, v) = check_json(&site, Some(JAN_15_2026));
    assert_eq!(code, 1, "{v:#}");
    let page = findings(&v, "links/broken-page");
    assert_eq!(page.len(), 1, "{v:#}");
    assert_eq!(page[0]["file"], "content/d.md");
    assert_eq!(
        (page[0]["line"].as_u64(), page[0]["column"].as_u64()),
        (Some(11), Some(5))
    );
    assert!(
        page[0]["hint"].as_str().unwrap().contains("content/b.md"),
        "{:#}",
        page[0]
    );
    let anchor = findings(&v, "links/missing-anchor");
    assert_eq!(anchor.len(), 1, "{v:#}");
    assert_eq!(anchor[0]["column"].as_u64(), Some(20));
    assert!(
        anchor[0]["hint"].as_str().unwrap().contains("#dose-steps"),
        "{:#}",
        anchor[0]
    );
}

#[test]
fn the_fixture_site_checks_clean_of_link_findings() {
    let (code, v) = check_json(&fixture("links"), Some(JAN_15_2026));
    assert_eq!(code, 0, "{v:#}");
    for rule in [
        "links/broken-page",
        "links/missing-anchor",
        "files/missing",
        "files/image-alt",
    ] {
        assert!(findings(&v, rule).is_empty(), "{rule}: {v:#}");
    }
}

#[test]
fn a_page_is_built_again_when_a_page_it_links_to_changes() {
    let (_tmp, site) = fixture_site("links");
    let out = build(&site);
    assert!(read(&out, "a/caregiver/index.html").contains("../../b/index.html"));
    // B gains a caregiver version: A's caregiver version now links there, though A did not
    // change.
    let b = site.join("content/b.md");
    let text = std::fs::read_to_string(&b).unwrap();
    std::fs::write(
        &b,
        text.replace("[patient, clinician]", "[patient, caregiver, clinician]"),
    )
    .unwrap();
    let out = build(&site);
    assert!(
        read(&out, "a/caregiver/index.html").contains("../../b/caregiver/index.html"),
        "A was not built again"
    );
    // B's heading is renamed: A's anchor link is now an error.
    std::fs::write(
        &b,
        std::fs::read_to_string(&b)
            .unwrap()
            .replace("## Dose steps", "## Steps"),
    )
    .unwrap();
    let r = careguide(["build", "--no-pdf", "--format", "json", "--root"])
        .arg(&site)
        .arg("--out")
        .arg(&out)
        .date(JAN_15_2026)
        .run()
        .no_crash();
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert_eq!(findings(&r.json(), "links/missing-anchor").len(), 1);
}
