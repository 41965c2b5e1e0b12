//! The real binary on fixture sites: good ones build, each bad one gets its own diagnostic at
//! its own line, with the right exit code, and never a panic.

use std::path::Path;

use crate::support::{
    careguide, check_json, copy_dir, findings, fixture, fixture_site, Run, RunExt, JAN_15_2026,
    REPO,
};

fn run(args: &[&str]) -> Run {
    careguide(args).date(JAN_15_2026).run().no_crash()
}

/// The first finding of `rule` in the JSON report.
fn finding<'a>(v: &'a serde_json::Value, rule: &str) -> &'a serde_json::Value {
    findings(v, rule)
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no finding with rule {rule} in {v:#}"))
}

/// Expect `rule` at `file:line` with exit code `code`, and a message containing `text`.
fn expect_bad(case: &str, code: i32, rule: &str, file: &str, line: u64, text: &str) {
    let (got, v) = check_json(&fixture(&format!("bad/{case}")), Some(JAN_15_2026));
    assert_eq!(got, code, "{case}: exit code; report: {v:#}");
    let d = finding(&v, rule);
    assert_eq!(d["file"], file, "{case}: file; {d:#}");
    assert_eq!(d["line"], line, "{case}: line; {d:#}");
    assert!(
        d["message"].as_str().unwrap().contains(text),
        "{case}: message {:?} lacks {text:?}",
        d["message"]
    );
    assert!(
        d["hint"].is_string(),
        "{case}: every error carries a hint: {d:#}"
    );
}

#[test]
fn malformed_yaml() {
    expect_bad(
        "malformed-yaml",
        1,
        "front-matter/invalid",
        "content/page.md",
        8,
        "did not find expected key",
    );
}

#[test]
fn missing_required_key() {
    expect_bad(
        "missing-key",
        1,
        "front-matter/invalid",
        "content/page.md",
        1,
        "missing field `summary`",
    );
}

#[test]
fn unknown_front_matter_key() {
    expect_bad(
        "unknown-key",
        1,
        "front-matter/invalid",
        "content/page.md",
        4,
        "unknown field `topcs`",
    );
}

#[test]
fn impossible_date() {
    let (_, v) = check_json(&fixture("bad/invalid-date"), Some(JAN_15_2026));
    let d = finding(&v, "front-matter/invalid");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(5), Some(10))
    );
    expect_bad(
        "invalid-date",
        1,
        "front-matter/invalid",
        "content/page.md",
        5,
        "'2025-02-30' is not a real calendar date",
    );
}

#[test]
fn two_pages_with_one_slug() {
    expect_bad(
        "duplicate-slug",
        1,
        "content/duplicate-slug",
        "content/beta.md",
        4,
        "content/alpha.md and content/beta.md",
    );
    // Reported once, not again as colliding output files.
    let (_, v) = check_json(&fixture("bad/duplicate-slug"), Some(JAN_15_2026));
    assert_eq!(v["errors"], 1, "{v:#}");
}

#[test]
fn empty_file() {
    expect_bad(
        "empty-file",
        1,
        "content/empty",
        "content/page.md",
        1,
        "is empty",
    );
}

#[test]
fn not_utf8() {
    // The bad byte follows "Caf" on line 26.
    let (_, v) = check_json(&fixture("bad/not-utf8"), Some(JAN_15_2026));
    let d = finding(&v, "content/not-utf8");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(26), Some(4))
    );
}

#[test]
fn slug_with_dot_dot() {
    expect_bad(
        "slug-dotdot",
        1,
        "front-matter/slug",
        "content/page.md",
        4,
        "invalid slug '../escape'",
    );
}

#[test]
fn unknown_citation_key_names_the_nearest() {
    expect_bad(
        "unknown-citation",
        1,
        "cite/unknown-key",
        "content/page.md",
        26,
        "'weiss2012'",
    );
    let (_, v) = check_json(&fixture("bad/unknown-citation"), Some(JAN_15_2026));
    let d = finding(&v, "cite/unknown-key");
    assert_eq!(d["column"], 42);
    assert!(d["hint"].as_str().unwrap().contains("[@weiss2021]"));
}

#[test]
fn approved_without_reviewer() {
    expect_bad(
        "approved-no-reviewer",
        1,
        "review/no-reviewer",
        "content/page.md",
        6,
        "names no reviewer",
    );
}

#[test]
fn template_syntax_error_is_placed_in_the_template() {
    expect_bad(
        "template-syntax",
        2,
        "template/syntax",
        "templates/page.html",
        3,
        "page.html has a syntax error",
    );
}

#[test]
fn missing_configuration() {
    let (code, v) = check_json(&fixture("bad/missing-config"), Some(JAN_15_2026));
    assert_eq!(code, 2);
    let d = finding(&v, "config/missing");
    assert!(d["hint"].as_str().unwrap().contains("careguide init"));
}

#[test]
fn unknown_configuration_key() {
    expect_bad(
        "config-unknown-key",
        2,
        "config/invalid",
        "careguide.toml",
        2,
        "unknown field `clinc`",
    );
}

#[cfg(unix)]
#[test]
fn symlink_out_of_the_site_is_refused() {
    let (_dir, site) = fixture_site("good");
    let secret = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(secret.path(), "---\ntitle: x\n---\n").unwrap();
    std::os::unix::fs::symlink(secret.path(), site.join("content/leak.md")).unwrap();
    let (code, v) = check_json(&site, Some(JAN_15_2026));
    assert_eq!(code, 1);
    let d = finding(&v, "content/symlink-outside");
    assert_eq!(d["file"], "content/leak.md");
}

#[test]
fn every_problem_of_a_run_is_reported() {
    // Two broken pages in one site: both findings come out of one run.
    let (_dir, site) = fixture_site("good");
    let page = std::fs::read_to_string(site.join("content/good-page.md")).unwrap();
    std::fs::write(site.join("content/a.md"), page.replace("topics:", "topcs:")).unwrap();
    std::fs::write(
        site.join("content/b.md"),
        page.replace("again [@weiss2021]", "again [@nobody]"),
    )
    .unwrap();
    let (code, v) = check_json(&site, Some(JAN_15_2026));
    assert_eq!(code, 1);
    finding(&v, "front-matter/invalid");
    finding(&v, "cite/unknown-key");
}

#[test]
fn good_site_builds_and_is_deterministic() {
    let (dir, site) = fixture_site("good");
    let out = site.join("output");
    let r = run(&["build", "--root", site.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    for f in [
        "index.html",
        "good-page/index.html",
        "good-page/patient/index.html",
        "good-page/clinician/index.html",
        "guides/second/index.html",
        "topics/testing/index.html",
        "assets/style.css",
        ".careguide-output",
    ] {
        assert!(out.join(f).is_file(), "missing {f}");
    }
    let page = std::fs::read_to_string(out.join("good-page/clinician/index.html")).unwrap();
    // Numbered citation linked to the list; the same work keeps its number.
    assert_eq!(page.matches("href=\"#ref-1\"").count(), 2, "{page}");
    assert!(page.contains("<li id=\"ref-1\">Weiss ST, Douglas HE."));
    assert!(page.contains("https://doi.org/10.1097/ADM.0000000000000721"));
    assert!(page.contains("https://pubmed.ncbi.nlm.nih.gov/32858563/"));
    assert!(
        page.contains("For professionals."),
        "the audience's disclaimer"
    );
    // JSON-LD: a MedicalWebPage for clinicians, with the cited DOI, that parses as JSON.
    let start = page.find("<script type=\"application/ld+json\">").unwrap() + 35;
    let end = start + page[start..].find("</script>").unwrap();
    let ld: serde_json::Value = serde_json::from_str(&page[start..end]).unwrap();
    assert_eq!(ld["@type"], "MedicalWebPage");
    assert_eq!(ld["audience"]["audienceType"], "Clinician");
    assert!(
        ld.to_string()
            .to_lowercase()
            .contains("10.1097/adm.0000000000000721"),
        "{ld:#}"
    );
    assert!(
        out.join("_editorial/index.html").is_file(),
        "the editorial report"
    );
    assert!(
        !page.contains("Not yet approved"),
        "approved pages carry no banner"
    );
    let draft = std::fs::read_to_string(out.join("guides/second/index.html")).unwrap();
    assert!(
        draft.contains("Not yet approved"),
        "drafts carry the banner"
    );
    assert!(draft.contains("<code>[@not-a-citation]</code>"));

    // Same input, same bytes, from another folder too.
    let site2 = dir.path().join("elsewhere/site");
    copy_dir(&fixture("good"), &site2);
    let r = run(&["build", "--root", site2.to_str().unwrap()]);
    assert_eq!(r.code, 0);
    for e in walkdir::WalkDir::new(&out).sort_by_file_name() {
        let e = e.unwrap();
        if e.file_type().is_file() {
            let rel = e.path().strip_prefix(&out).unwrap();
            let other = std::fs::read(site2.join("output").join(rel)).unwrap();
            assert_eq!(
                std::fs::read(e.path()).unwrap(),
                other,
                "{} differs",
                rel.display()
            );
        }
    }
}

#[test]
fn failed_build_keeps_the_previous_output() {
    let (_dir, site) = fixture_site("good");
    let root = site.to_str().unwrap();
    assert_eq!(run(&["build", "--root", root]).code, 0);
    let index = site.join("output/good-page/index.html");
    let before = std::fs::read(&index).unwrap();
    let page = site.join("content/good-page.md");
    let text = std::fs::read_to_string(&page).unwrap();
    std::fs::write(
        &page,
        text.replace("again [@weiss2021]", "again [@missing]"),
    )
    .unwrap();
    let r = run(&["build", "--root", root]);
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("previous output is unchanged"),
        "{}",
        r.stderr
    );
    assert_eq!(std::fs::read(&index).unwrap(), before);
}

#[test]
fn publish_refuses_pages_that_are_not_approved() {
    let (code, _) = check_json(&fixture("good"), Some(JAN_15_2026));
    assert_eq!(code, 0);
    let r = run(&[
        "check",
        "--root",
        fixture("good").to_str().unwrap(),
        "--publish",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let refused: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "review/not-publishable")
        .map(|d| d["file"].as_str().unwrap())
        .collect();
    assert_eq!(refused, vec!["content/guides/second.md"], "{v:#}");
    // A year on, the approved page's review is overdue: that refuses it too.
    let r = run(&[
        "check",
        "--root",
        fixture("good").to_str().unwrap(),
        "--publish",
        "--today",
        "2027-01-15",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("its review was due on 2026-10-07"),
        "{}",
        r.stdout
    );
}

#[test]
fn init_writes_a_site_that_builds() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("new-site");
    let r = run(&["init", site.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(&["build", "--root", site.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(site.join("output/welcome/index.html").is_file());
    // A second init into the same folder refuses to overwrite.
    assert_eq!(run(&["init", site.to_str().unwrap()]).code, 2);
}

#[test]
fn usage_errors_exit_2_and_help_has_examples() {
    assert_eq!(run(&["build", "--no-such-flag"]).code, 2);
    for sub in ["build", "check", "init"] {
        let r = run(&[sub, "--help"]);
        assert_eq!(r.code, 0);
        assert!(r.stdout.contains("Example"), "{sub} --help has an example");
    }
}

#[test]
fn github_format_annotates_lines() {
    let r = run(&[
        "check",
        "--root",
        fixture("bad/unknown-citation").to_str().unwrap(),
        "--format",
        "github",
    ]);
    assert_eq!(r.code, 1);
    // Workflow commands are read from standard output; the path is from the repository's
    // root (tests/diagnostics.rs checks that part).
    assert!(
        r.stdout
            .contains("/content/page.md,line=26,col=42,title=cite/unknown-key::"),
        "{}",
        r.stdout
    );
    assert!(!r.stderr.contains("::error"), "{}", r.stderr);
}

/// The `<main>` element of a built page: what the reader sees, without head boilerplate.
fn main_element(html: &str) -> &str {
    let start = html.find("<main").expect("a <main> element");
    let end = html.find("</main>").expect("a closing </main>") + "</main>".len();
    &html[start..end]
}

/// Snapshot tests of rendered page bodies. Set UPDATE_SNAPSHOTS=1 to rewrite them after an
/// intended change, then read the diff before committing.
#[test]
fn rendered_pages_match_their_snapshots() {
    let (_dir, site) = fixture_site("good");
    let r = run(&["build", "--root", site.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let snaps = Path::new(REPO).join("tests/snapshots");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    for (page, snap) in [
        ("good-page/clinician/index.html", "good-page-clinician.html"),
        ("good-page/patient/index.html", "good-page-patient.html"),
        ("guides/second/index.html", "second-draft.html"),
        ("index.html", "index.html"),
    ] {
        let html = std::fs::read_to_string(site.join("output").join(page)).unwrap();
        let got = main_element(&html);
        let path = snaps.join(snap);
        if update {
            std::fs::create_dir_all(&snaps).unwrap();
            std::fs::write(&path, got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "no snapshot {}; run with UPDATE_SNAPSHOTS=1",
                path.display()
            )
        });
        assert_eq!(got, want, "{page} differs from tests/snapshots/{snap}");
    }
}

/// careguide renders the default audience's page once for both its folders only with its own
/// page templates (which write `root` only as a URL's start). A site's own page.html that uses
/// `root` otherwise gets each folder's page rendered for that folder.
#[test]
fn a_sites_own_page_template_sees_each_folders_root() {
    let (_dir, site) = fixture_site("good");
    let builtin = std::fs::read_to_string(
        std::path::Path::new(crate::support::REPO).join("templates/page.html"),
    )
    .unwrap();
    let own = builtin.replace(
        "{% endblock main %}",
        "<p id=\"depth\">{{ root | length }}:{{ root | upper }}</p>\n{% endblock main %}",
    );
    assert_ne!(own, builtin);
    std::fs::create_dir_all(site.join("templates")).unwrap();
    std::fs::write(site.join("templates/page.html"), own).unwrap();
    let run = careguide(["build", "--root", site.to_str().unwrap()])
        .date(JAN_15_2026)
        .run();
    assert_eq!(run.code, 0, "{}", run.stderr);
    let read = |p: &str| std::fs::read_to_string(site.join("output").join(p)).unwrap();
    assert!(read("good-page/index.html").contains("<p id=\"depth\">3:../</p>"));
    assert!(read("good-page/patient/index.html").contains("<p id=\"depth\">6:../../</p>"));
    assert!(read("good-page/clinician/index.html").contains("<p id=\"depth\">6:../../</p>"));
}
