//! Handouts are tagged (accessible) PDFs: poppler's `pdfinfo -struct-text` reads their
//! structure in reading order (the title, the schedule's header cells, every row of the
//! schedule), with the page furniture marked as artifacts, read once at most.

use std::path::Path;
use std::process::Command;

use crate::support::{careguide, pdftotext, sample_site, RunExt};

/// `pdfinfo ARGS PDF`'s output, when poppler's pdfinfo is installed; `None` otherwise.
fn pdfinfo(args: &[&str], pdf: &Path) -> Option<String> {
    let o = Command::new("pdfinfo").args(args).arg(pdf).output().ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}

/// The quoted texts of `pdfinfo -struct-text`, one per element that holds text, in order, each
/// with the structure type it sits under.
fn struct_texts(tree: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut kind = String::new();
    for line in tree.lines() {
        let t = line.trim();
        if let Some(text) = t.strip_prefix('"').and_then(|t| t.strip_suffix('"')) {
            out.push((kind.clone(), text.to_string()));
        } else if let Some(k) = t.split([' ', ':']).next().filter(|k| !k.starts_with('/')) {
            kind = k.to_string();
        }
    }
    out
}

/// The texts of each `TR` of `pdfinfo -struct-text`, in order.
fn table_rows(tree: &str) -> Vec<Vec<String>> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut row_indent = None;
    for line in tree.lines() {
        let t = line.trim();
        if t == "TR" {
            row_indent = Some(indent(line));
            rows.push(Vec::new());
        } else if row_indent.is_some_and(|i| indent(line) <= i) {
            row_indent = None;
        } else if let (Some(_), Some(text)) = (
            row_indent,
            t.strip_prefix('"').and_then(|t| t.strip_suffix('"')),
        ) {
            if let Some(r) = rows.last_mut() {
                r.push(text.to_string());
            }
        }
    }
    rows
}

#[test]
fn the_sample_handout_is_tagged_in_reading_order() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("site");
    sample_site(&root);
    let out = dir.path().join("h.pdf");
    let o = careguide([
        "handout",
        "--page",
        "kratom-withdrawal",
        "--allow-unapproved",
    ])
    .args([
        "--dose",
        "20",
        "--start",
        "2026-12-01",
        "--date",
        "2026-11-26",
    ])
    .arg("--root")
    .arg(&root)
    .arg("--out")
    .arg(&out)
    .no_date()
    .run()
    .no_crash();
    assert_eq!(o.code, 0, "{}", o.stderr);

    let Some(info) = pdfinfo(&[], &out) else {
        eprintln!("skipped the tagged-PDF checks: pdfinfo (poppler-utils) is not installed");
        return;
    };
    assert!(info.contains("Tagged:          yes"), "{info}");
    let Some(tree) = pdfinfo(&["-struct-text"], &out) else {
        panic!("pdfinfo -struct-text failed on a tagged PDF");
    };
    let texts = struct_texts(&tree);
    let of = |kind: &str| -> Vec<&str> {
        texts
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, t)| t.as_str())
            .collect()
    };

    // The title, with the words apart as a screen reader reads them.
    let h1 = of("H1");
    assert_eq!(h1.len(), 1, "{tree}");
    assert!(h1[0].starts_with("How can someone safely stop"), "{h1:?}");
    assert!(
        of("H2").contains(&"Your plan for kratom (leaf or powder)"),
        "{tree}"
    );
    assert!(of("H2").contains(&"Day by day"), "{tree}");
    // The chart and the QR code, each with its text alternative.
    assert_eq!(tree.matches("Figure:").count(), 2, "{tree}");
    let pdf = lopdf::Document::load(&out).unwrap();
    let alts: Vec<String> = pdf
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok()?.get(b"Alt").ok()?.as_str().ok())
        .map(|b| String::from_utf8_lossy(b).into_owned())
        .collect();
    assert!(
        alts.iter()
            .any(|a| a.starts_with("Chart of the daily dose: 20 g a day")),
        "{alts:?}"
    );
    assert!(
        alts.iter()
            .any(|a| a.starts_with("QR code linking to https://")),
        "{alts:?}"
    );

    // The schedule's header cells, each with its column scope, once (the header repeated on
    // a later page is an artifact).
    assert_eq!(
        of("TH"),
        [
            "Step",
            "From",
            "To",
            "Each day (g)",
            "Split into doses (g)",
            "Done (tick each day)"
        ],
        "{tree}"
    );
    assert_eq!(tree.matches("/Scope /Column").count(), 6, "{tree}");

    // Every row in order, the header first, the stop row last.
    let rows = table_rows(&tree);
    assert_eq!(rows.len(), 25, "{rows:?}");
    assert_eq!(rows[0][0], "Step");
    for (i, r) in rows.iter().enumerate().skip(1) {
        assert_eq!(r[0], i.to_string(), "{r:?}");
    }
    assert_eq!(rows[1][1], "Tue 1 Dec 2026");
    assert_eq!(rows[24][1..3], ["Tue 11 May 2027", "stop"]);

    // The page furniture is an artifact: no page number, date made or running header in the
    // structure, though they are on every page. The first page's review status (a caution,
    // here) is read first, and its disclaimer last, each once.
    let printed = pdftotext(&out, false).unwrap_or_default();
    for furniture in [
        "Page 1 of",
        "Made November 26, 2026",
        "Riverside Community Clinic (sample site) ·",
    ] {
        assert!(!tree.contains(furniture), "{furniture} in the structure");
        assert!(
            printed.is_empty() || printed.contains(furniture),
            "{furniture} not printed"
        );
    }
    let paragraphs = of("P");
    assert!(
        paragraphs[0].starts_with("Not yet approved: check with your clinician."),
        "{paragraphs:?}"
    );
    let notice = "This page is general information";
    assert_eq!(tree.matches(notice).count(), 1, "{tree}");
    assert!(
        paragraphs.last().is_some_and(|p| p.starts_with(notice)),
        "{paragraphs:?}"
    );
    assert_eq!(tree.matches("Not yet approved").count(), 1);
    // The references are a list, each with its label.
    assert!(of("Lbl").contains(&"1."), "{tree}");
}
