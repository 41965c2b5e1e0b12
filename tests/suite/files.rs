//! Files in the built site: `static/` copied as it is, files beside a page copied once, each
//! checked (missing, a link, outside the site, too large, not the image it claims to be: see
//! the catalogue in tests/fixtures/bad/ for those at a page's line), unchanged ones not
//! rewritten, and nothing written when one is refused.

use std::path::Path;

use crate::support::{careguide, check_json, findings, fixture_site, Run, RunExt, JAN_15_2026};

fn build(site: &Path, out: &Path) -> Run {
    careguide(["build", "--no-pdf", "--format", "json", "--root"])
        .arg(site)
        .arg("--out")
        .arg(out)
        .date(JAN_15_2026)
        .run()
        .no_crash()
}

#[test]
fn static_and_page_files_are_copied_as_they_are_and_once() {
    let (_tmp, site) = fixture_site("links");
    let out = site.join("output");
    let r = build(&site, &out);
    assert_eq!(r.code, 0, "{}", r.stdout);
    for (src, dest) in [
        ("static/img/logo.png", "img/logo.png"),
        ("static/humans.txt", "humans.txt"),
        ("content/chart.png", "chart.png"),
        ("content/guide/chart.png", "guide/chart.png"),
        ("content/forms/intake.pdf", "forms/intake.pdf"),
    ] {
        assert_eq!(
            std::fs::read(site.join(src)).unwrap(),
            std::fs::read(out.join(dest)).unwrap_or_default(),
            "{dest}"
        );
    }
    // Once: not beside every audience version.
    let copies = crate::support::files_under(&out)
        .into_iter()
        .filter(|p| p.file_name().is_some_and(|n| n == "chart.png"))
        .count();
    assert_eq!(
        copies, 2,
        "content/chart.png and content/guide/chart.png, once each"
    );
    // No Markdown source is published.
    assert!(!crate::support::files_under(&out)
        .iter()
        .any(|p| p.extension().is_some_and(|e| e == "md")));

    // A page edit leaves the copied files as they were (same file, same time); a changed
    // static file is copied again, a removed one goes.
    let stamp = |p: &str| std::fs::metadata(out.join(p)).unwrap().modified().unwrap();
    let before = stamp("chart.png");
    std::thread::sleep(std::time::Duration::from_millis(20));
    let a = site.join("content/a.md");
    let text = std::fs::read_to_string(&a).unwrap();
    std::fs::write(
        &a,
        text.replace("has a chart.", "has a chart, drawn weekly."),
    )
    .unwrap();
    std::fs::write(site.join("static/humans.txt"), "changed\n").unwrap();
    std::fs::remove_file(site.join("static/img/logo.png")).unwrap();
    std::fs::write(
        &a,
        std::fs::read_to_string(&a)
            .unwrap()
            .replace(" and see [our logo](/img/logo.png)", ""),
    )
    .unwrap();
    let r = build(&site, &out);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert_eq!(
        stamp("chart.png"),
        before,
        "an unchanged file was written again"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("humans.txt")).unwrap(),
        "changed\n"
    );
    assert!(
        !out.join("img/logo.png").exists(),
        "a removed static file stays"
    );
    assert!(std::fs::read_to_string(out.join("a/index.html"))
        .unwrap()
        .contains("drawn weekly"));
}

#[test]
fn an_image_without_alt_text_is_a_warning_where_no_plain_audience_reads_it() {
    let (_tmp, site) = fixture_site("links");
    std::fs::write(
        site.join("content/e.md"),
        "---\ntitle: E\nsummary: A chart for clinicians.\nupdated: 2025-01-02\nreview:\n  status: draft\n---\n\n## Chart\n\n::: clinician\n![](chart.png)\n:::\n",
    )
    .unwrap();
    let (code, v) = check_json(&site, Some(JAN_15_2026));
    assert_eq!(code, 0, "{v:#}");
    let alt = findings(&v, "files/image-alt");
    assert_eq!(alt.len(), 1, "{v:#}");
    assert_eq!(alt[0]["severity"], "warning");
    assert_eq!(alt[0]["line"].as_u64(), Some(12));
}

#[test]
#[cfg(unix)]
fn a_file_over_the_limit_is_refused_and_nothing_is_written() {
    let (_tmp, site) = fixture_site("links");
    // 200 MB, sparse: refused by its size, never read.
    let big = site.join("static/img/huge.png");
    std::fs::File::create(&big)
        .unwrap()
        .set_len(200 * 1024 * 1024)
        .unwrap();
    let out = site.join("output");
    let r = build(&site, &out);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v = r.json();
    let big = findings(&v, "files/too-large");
    assert_eq!(big.len(), 1, "{v:#}");
    assert_eq!(big[0]["file"], "static/img/huge.png");
    assert!(big[0]["message"]
        .as_str()
        .unwrap()
        .contains("over the limit of 20 MB"));
    assert!(!out.exists(), "a refused build wrote {}", out.display());
}

#[test]
fn a_static_file_that_is_not_the_image_it_claims_is_refused_with_its_path() {
    let (_tmp, site) = fixture_site("links");
    std::fs::write(site.join("static/img/photo.jpg"), "GIF89a not a jpeg").unwrap();
    let (code, v) = check_json(&site, Some(JAN_15_2026));
    assert_eq!(code, 1, "{v:#}");
    let bad = findings(&v, "files/not-an-image");
    assert_eq!(bad.len(), 1, "{v:#}");
    assert_eq!(bad[0]["file"], "static/img/photo.jpg");
}
