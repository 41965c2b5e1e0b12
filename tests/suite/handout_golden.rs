//! Golden tests of the sample handout, the one the README shows: its text as `pdftotext
//! -layout` reads it and its structure as `pdfinfo -struct-text` lists it, compared with
//! tests/snapshots/. Set UPDATE_SNAPSHOTS=1 to rewrite them after an intended change, then read
//! the diff before committing. Beside the snapshots, the properties a nurse checks by eye are
//! asserted on their own: the plan on page 1, no clinician note on the patient's copy, the
//! review status on every page, and the stop row never alone on a page.
//!
//! They need poppler-utils; without it they say they were skipped (`.ci/run` installs it, so
//! CI always runs them).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{careguide, pdftotext, sample_site, RunExt, REPO};

/// The README's handout, made on a fixed day. `paper` and `extra` vary it.
fn sample_handout(dir: &Path, paper: &str, extra: &[&str]) -> PathBuf {
    let site = dir.join("site");
    if !site.exists() {
        sample_site(&site);
    }
    let out = dir.join(format!("handout-{paper}.pdf"));
    let mut c = careguide(["handout", "--root"]);
    c.arg(&site).args([
        "--page",
        "kratom-withdrawal",
        "--patient-name",
        "Ada Example",
        "--clinician",
        "Dr Sam Rivera",
        "--next-visit",
        "2026-12-15",
        "--dose",
        "20",
        "--start",
        "2026-12-01",
        "--paper",
        paper,
        "--allow-unapproved",
        "--date",
        "2026-11-26",
        "--out",
    ]);
    c.arg(&out).args(extra);
    let r = c.run();
    assert_eq!(r.code, 0, "{}", r.stderr);
    out
}

fn pdfinfo(args: &[&str], pdf: &Path) -> Option<String> {
    let o = Command::new("pdfinfo").args(args).arg(pdf).output().ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// Compares `got` with the snapshot `name`, or writes it under UPDATE_SNAPSHOTS.
fn golden(name: &str, got: &str) {
    let path = Path::new(REPO).join("tests/snapshots").join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    if got != want {
        let first = got
            .lines()
            .zip(want.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(got.lines().count().min(want.lines().count()));
        panic!(
            "the sample handout differs from tests/snapshots/{name} at line {}:\n got: {:?}\nwant: {:?}\n(UPDATE_SNAPSHOTS=1 rewrites it after an intended change)",
            first + 1,
            got.lines().nth(first),
            want.lines().nth(first)
        );
    }
}

/// What a nurse checks before handing the PDF over, page by page.
fn check_pages(text: &str) {
    let pages: Vec<&str> = text
        .split('\x0c')
        .filter(|p| !p.trim().is_empty())
        .collect();
    assert!(pages.len() >= 2, "{} pages", pages.len());
    let first = pages[0];
    for w in [
        "Prepared for: Ada Example",
        "Your clinician: Dr Sam Rivera",
        "Questions? Call: +1 555 0100",
        "Next visit: Tue 15 Dec 2026",
        "Your plan",
        "you take none",
        "Day by day",
        "Tue 1 Dec 2026",
    ] {
        assert!(first.contains(w), "'{w}' is not on page 1:\n{first}");
    }
    for (i, p) in pages.iter().enumerate() {
        assert!(
            p.contains("Not yet approved: check with your clinician."),
            "page {} has no review status:\n{p}",
            i + 1
        );
    }
    for w in [
        "Notes for the clinician",
        "Default used",
        "Check:",
        "note for the clinician",
    ] {
        assert!(!text.contains(w), "'{w}' is on the patient's copy");
    }
    // The stop row shares its page with at least one step row above it.
    let stop_page = pages
        .iter()
        .find(|p| p.lines().any(|l| l.contains(" stop ")))
        .unwrap_or_else(|| panic!("no stop row in:\n{text}"));
    let step_rows = stop_page
        .lines()
        .filter(|l| {
            let t = l.trim_start();
            let n: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
            !n.is_empty() && t[n.len()..].starts_with(' ') && l.contains(" + ")
        })
        .count();
    assert!(
        step_rows >= 1,
        "the stop row is alone on its page:\n{stop_page}"
    );
}

#[test]
fn the_sample_handout_reads_as_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = sample_handout(dir.path(), "a4", &[]);
    let Some(text) = pdftotext(&pdf, true) else {
        eprintln!("skipped the golden handout tests: pdftotext (poppler-utils) is not installed");
        return;
    };
    check_pages(&text);
    golden("handout-sample-a4.txt", &text);
    let letter = sample_handout(dir.path(), "letter", &[]);
    let text = pdftotext(&letter, true).unwrap_or_default();
    check_pages(&text);
    golden("handout-sample-letter.txt", &text);
}

/// A long plan (about 40 steps, holds among them) keeps every property.
#[test]
fn a_forty_step_handout_keeps_its_rows_together() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = sample_handout(
        dir.path(),
        "a4",
        &[
            "--reduction-percent",
            "7",
            "--step",
            "0.25",
            "--hold",
            "10:14",
            "--hold",
            "30:35",
        ],
    );
    let Some(text) = pdftotext(&pdf, true) else {
        eprintln!("skipped the golden handout tests: pdftotext (poppler-utils) is not installed");
        return;
    };
    check_pages(&text);
    assert!(text.contains("(+35"), "{text}");
}

/// The structure a screen reader follows: headings, the table's header cells and every row.
#[test]
fn the_sample_handout_is_tagged() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = sample_handout(dir.path(), "a4", &[]);
    let (Some(info), Some(tree)) = (pdfinfo(&[], &pdf), pdfinfo(&["-struct-text"], &pdf)) else {
        eprintln!("skipped the tagged-PDF test: pdfinfo (poppler-utils) is not installed");
        return;
    };
    assert!(
        info.lines()
            .any(|l| l.starts_with("Tagged:") && l.ends_with("yes")),
        "{info}"
    );
    golden("handout-sample-struct.txt", &tree);
}
