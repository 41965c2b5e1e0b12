//! `careguide handout` run as a real process on the fixture site in tests/fixtures/taper/, plus
//! in-process checks of the PDF library (determinism, metadata).

use std::path::Path;

use crate::support::{careguide, files_under, fixture_site, pdftotext, Run, RunExt, TAPER_SITE};

const BATCH: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/taper/batch");

/// `careguide handout ARGS` as of `date` (`None`: the clock). The fixture's pages are drafts, so
/// the clinician's explicit `--allow-unapproved` is given (its refusal has a test of its own).
fn handout(args: &[&str], date: Option<&str>) -> Run {
    let mut c = careguide(["handout", "--allow-unapproved"]);
    c.args(args);
    match date {
        Some(d) => c.date(d),
        None => c.no_date(),
    };
    c.run()
}

const SCHEDULE: &[&str] = &[
    "--dose",
    "20",
    "--start",
    "2026-12-01",
    "--date",
    "2026-11-26",
];

#[test]
fn personalized_handout_is_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("h.pdf");
    let out_s = out.to_str().unwrap();
    let mut args = vec![
        "--root",
        TAPER_SITE,
        "--page",
        "kratom-withdrawal",
        "--patient-name",
        "Ada Example",
        "--out",
        out_s,
    ];
    args.extend(SCHEDULE);
    let o = handout(&args, None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o.stdout.contains("wrote"));
    let bytes = std::fs::read(&out).unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    assert!(bytes.len() < 200_000, "{} bytes", bytes.len());

    // Metadata: title, author = clinic, subject, language, A4, dates from --date.
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let pages = doc.get_pages();
    assert!((3..=4).contains(&pages.len()), "{} pages", pages.len());
    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    let text = |k: &[u8]| -> String {
        let raw = info.get(k).unwrap().as_str().unwrap().to_vec();
        if raw.starts_with(&[0xfe, 0xff]) {
            let u: Vec<u16> = raw[2..]
                .chunks(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&u)
        } else {
            String::from_utf8_lossy(&raw).into_owned()
        }
    };
    assert_eq!(text(b"Title"), "Safe withdrawal from kratom dependence");
    assert_eq!(text(b"Author"), "Riverside Community Clinic");
    assert!(text(b"Subject").starts_with("Lower the dose slowly"));
    assert!(
        text(b"CreationDate").starts_with("D:20261126"),
        "{}",
        text(b"CreationDate")
    );
    let lang = doc
        .catalog()
        .unwrap()
        .get(b"Lang")
        .unwrap()
        .as_str()
        .unwrap()
        .to_vec();
    assert_eq!(lang, b"en");
    let first = doc.get_dictionary(*pages.get(&1).unwrap()).unwrap();
    let mb = first.get(b"MediaBox").unwrap().as_array().unwrap();
    let h = mb[3].as_float().unwrap();
    assert!((h - 841.89).abs() < 0.1, "{h}");

    if let Some(t) = pdftotext(&out, true) {
        // Reading order: header, name, the plan (summary, table from the first day to the
        // stop), then the guidance, contact, references.
        let order = [
            "Riverside Community Clinic",
            "Prepared for: Ada Example",
            "Your plan",
            "From 20 g a day to none in 23 steps of 7 days",
            "Step",
            "Tue 1 Dec 2026",
            "Tue 11 May",
            "stop",
            "Why go slowly",
            "Contact the clinic",
            "References",
        ];
        let mut at = 0;
        for w in order {
            let i = t[at..]
                .find(w)
                .unwrap_or_else(|| panic!("'{w}' missing or out of order"));
            at += i;
        }
        assert!(t.contains("6 + 6 + 6"), "{t}");
        let n = pages.len();
        assert!(t.contains(&format!("Page 1 of {n}")) && t.contains(&format!("Page {n} of {n}")));
        // Page 1 is the plan: its summary and the table's first rows are on it.
        let first = t.split('\x0c').next().unwrap_or_default();
        for w in [
            "Your plan",
            "you take none",
            "Day by day",
            "Tue 1 Dec 2026",
            "6 + 6 + 6",
        ] {
            assert!(first.contains(w), "'{w}' is not on page 1:\n{first}");
        }
        assert!(t.contains("Made November 26, 2026"));
        assert!(t.contains("Do not stop or change a medicine"), "disclaimer");
        assert!(t.contains("[1]") && t.contains("Tapering of SSRI treatment"));
        // The schedule's notes are the clinician's: never on the patient's copy.
        for w in ["Notes for the clinician", "Default used", "Check:"] {
            assert!(!t.contains(w), "'{w}' is on the patient's copy");
        }
    }
}

/// The schedule's notes (what to check, defaults used) reach the clinician before the handout
/// is written, and on a sheet of their own when asked; never the patient's copy.
#[test]
fn clinician_notes_go_to_the_terminal_and_the_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("h.pdf");
    let sheet = dir.path().join("sheet.pdf");
    let args = [
        "--root",
        TAPER_SITE,
        "--page",
        "kratom-withdrawal",
        "--dose",
        "20",
        "--min-dose",
        "10",
        "--start",
        "2026-12-01",
        "--out",
        out.to_str().unwrap(),
    ];
    let o = handout(&args, Some("1764115200"));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("note for the clinician: Default used: reduction percent: 10%"),
        "{}",
        o.stderr
    );
    assert!(o.stdout.contains("--clinician-sheet"), "{}", o.stdout);
    assert!(!sheet.exists());
    let mut with_sheet = args.to_vec();
    with_sheet.extend(["--clinician-sheet", sheet.to_str().unwrap()]);
    let o = handout(&with_sheet, Some("1764115200"));
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains("wrote the clinician's sheet"),
        "{}",
        o.stdout
    );
    if let (Some(patient), Some(notes)) = (pdftotext(&out, false), pdftotext(&sheet, false)) {
        assert!(!patient.contains("Default used"), "{patient}");
        assert!(notes.contains("Notes for the clinician"), "{notes}");
        assert!(
            notes.contains("Default used: reduction percent: 10%"),
            "{notes}"
        );
        assert!(notes.contains("Not for the patient"), "{notes}");
    } else {
        eprintln!("skipped the text checks: pdftotext (poppler-utils) is not installed");
    }
}

#[test]
fn letter_paper_and_blank_chart() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("blank.pdf");
    let o = handout(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--paper",
            "letter",
            "--date",
            "2026-11-26",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let doc = lopdf::Document::load(&out).unwrap();
    let first = doc
        .get_dictionary(*doc.get_pages().get(&1).unwrap())
        .unwrap();
    let mb = first.get(b"MediaBox").unwrap().as_array().unwrap();
    assert_eq!(mb[2].as_float().unwrap().round(), 612.0);
    assert_eq!(mb[3].as_float().unwrap().round(), 792.0);
    if let Some(t) = pdftotext(&out, true) {
        assert!(t.contains("Taper chart"));
        assert!(t.contains("Name:"));
        assert!(!t.contains("Prepared for"));
    }
}

#[test]
fn source_date_epoch_sets_the_date_made() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("h.pdf");
    let o = handout(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "sleep",
            "--out",
            out.to_str().unwrap(),
        ],
        Some("1700000000"),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let bytes = std::fs::read(&out).unwrap();
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let info_id = doc.trailer.get(b"Info").unwrap().as_reference().unwrap();
    let info = doc.get_dictionary(info_id).unwrap();
    let d = info.get(b"CreationDate").unwrap().as_str().unwrap();
    assert!(
        d.starts_with(b"D:20231114"),
        "{}",
        String::from_utf8_lossy(d)
    );
    // Same input, same bytes, also across processes.
    let out2 = dir.path().join("h2.pdf");
    let o = handout(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "sleep",
            "--out",
            out2.to_str().unwrap(),
        ],
        Some("1700000000"),
    );
    assert_eq!(o.code, 0);
    assert_eq!(bytes, std::fs::read(&out2).unwrap());
}

#[test]
fn many_handouts_in_one_process_are_byte_identical() {
    let site = careguide::model::load_site(Path::new(TAPER_SITE)).expect("fixture site loads");
    let doc = site.page("kratom-withdrawal").unwrap();
    let made = careguide::types::Date::parse("2026-11-26").unwrap();
    // Each audience's variant, as the build makes it: PDFs are made from variants.
    let mut diags = careguide::diag::Diagnostics::new();
    let resolved = careguide::resolve::resolve(
        doc,
        &site.config,
        &careguide::resolve::Library::empty(&site.root),
        &mut diags,
    );
    let formatter =
        careguide::cite::style::Formatter::new(&site.config.citations.style, Path::new(TAPER_SITE))
            .unwrap();
    let patient = careguide::render::variant::variant(
        &resolved,
        &careguide::types::AudienceId::new("patient"),
        &|r| formatter.format(r),
    );
    let clinician = careguide::render::variant::variant(
        &resolved,
        &careguide::types::AudienceId::new("clinician"),
        &|r| formatter.format(r),
    );
    let a = careguide::pdf::page_pdf(&site.config, doc, &patient, made, made).unwrap();
    let other = careguide::pdf::page_pdf(&site.config, doc, &clinician, made, made).unwrap();
    assert_ne!(a, other);
    for _ in 0..5 {
        let b = careguide::pdf::page_pdf(&site.config, doc, &patient, made, made).unwrap();
        assert!(a == b, "the same page made twice in one process differs");
    }
    // Other threads (the site build renders pages in parallel) make the same bytes.
    let from_threads: Vec<Vec<u8>> = std::thread::scope(|sc| {
        let handles: Vec<_> = (0..3)
            .map(|_| {
                sc.spawn(|| {
                    careguide::pdf::page_pdf(&site.config, doc, &patient, made, made).unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert!(from_threads.iter().all(|b| *b == a));
    // A batch with two identical rows writes two identical files.
    let dir = tempfile::tempdir().unwrap();
    let o = handout(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--date",
            "2026-11-26",
            "--batch",
            &format!("{BATCH}/twins.csv"),
            "--out-dir",
            dir.path().to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let one = std::fs::read(dir.path().join("one.pdf")).unwrap();
    let two = std::fs::read(dir.path().join("two.pdf")).unwrap();
    assert!(one == two);
}

#[test]
fn batch_reports_bad_rows_and_writes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let o = handout(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--date",
            "2026-11-26",
            "--batch",
            &format!("{BATCH}/mixed.csv"),
            "--out-dir",
            dir.path().to_str().unwrap(),
        ],
        None,
    );
    let err = &o.stderr;
    assert_eq!(o.code, 1, "{err}");
    assert!(
        err.contains("line 3 (row 2): the patient's name is empty"),
        "{err}"
    );
    assert!(
        err.contains("line 4 (row 3): column start: '2027-02-30' is not a real calendar date"),
        "{err}"
    );
    assert!(
        err.contains("line 5 (row 4): 2 field(s), but the first line names 4 column(s)"),
        "{err}"
    );
    assert!(
        err.contains("line 6 (row 5): column dose: the start dose must be more than 0"),
        "{err}"
    );
    assert!(o.stdout.contains("wrote 2 handout(s)"), "{}", o.stdout);
    // Rows whose schedules carry notes get the clinician's sheet beside the handout, named by
    // row number in the summary.
    assert!(
        o.stdout
            .contains("notes for the clinician (what to check, defaults used) on row(s) 1, 6"),
        "{}",
        o.stdout
    );
    let names: Vec<String> = files_under(dir.path())
        .iter()
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert_eq!(
        names,
        vec![
            "ada-clinician.pdf",
            "ada.pdf",
            "eve-clinician.pdf",
            "eve.pdf"
        ]
    );
    // Names never appear in the messages.
    for n in ["Ada", "Bob", "Cy Example", "Dee", "Eve"] {
        assert!(!err.contains(n) && !o.stdout.contains(n), "{n} leaked");
    }
}

#[test]
fn batch_with_a_missing_column_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let o = handout(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--batch",
            &format!("{BATCH}/no-dose.csv"),
            "--out-dir",
            dir.path().to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("the column dose is missing"),
        "{}",
        o.stderr
    );
    assert!(files_under(dir.path()).is_empty());
}

#[test]
fn batch_with_a_column_named_twice_writes_nothing() {
    // Two `dose` columns: taking either would be a guess at the patient's dose.
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("patients.csv");
    std::fs::write(&csv, "name,dose,dose\nA. Patient,20,10\n").unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let o = handout(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--batch",
            csv.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr.contains("the column 'dose' appears twice"),
        "{}",
        o.stderr
    );
    assert!(files_under(&out).is_empty());
}

#[cfg(unix)]
#[test]
fn a_handout_is_private_and_never_written_through_a_link() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("handout.pdf");
    let o = handout(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--out",
            out.to_str().unwrap(),
        ],
        Some("1764115200"),
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(
        mode, 0o600,
        "a patient's handout readable by others: {mode:o}"
    );
    // A link planted at the destination is refused and the file it points to untouched.
    let target = dir.path().join("elsewhere.pdf");
    std::fs::write(&target, b"not yours").unwrap();
    let link = dir.path().join("linked.pdf");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let o = handout(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--out",
            link.to_str().unwrap(),
        ],
        Some("1764115200"),
    );
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("symbolic link"), "{}", o.stderr);
    assert_eq!(std::fs::read(&target).unwrap(), b"not yours");
}

fn fails(args: &[&str], code: i32, message: &str) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.pdf");
    let mut all = vec!["--root", TAPER_SITE];
    all.extend(args);
    let out_s = out.to_str().unwrap().to_string();
    if !args.contains(&"--out") && !args.contains(&"--batch") {
        all.extend(["--out", out_s.as_str()]);
    }
    let o = handout(&all, None);
    let err = &o.stderr;
    assert_eq!(o.code, code, "{args:?}: {err}");
    assert!(
        err.contains(message),
        "{args:?}: expected '{message}' in: {err}"
    );
    assert!(
        files_under(dir.path()).is_empty(),
        "{args:?}: a file was left behind"
    );
}

#[test]
fn bad_input_is_refused_with_no_pdf_left_behind() {
    fails(&["--page", "nope"], 1, "no page 'nope'");
    fails(
        &["--page", "sleep", "--dose", "20"],
        1,
        "has no taper: block",
    );
    fails(
        &["--page", "kratom-withdrawal", "--dose", "0"],
        1,
        "--dose: the start dose must be more than 0",
    );
    fails(
        &[
            "--page",
            "kratom-withdrawal",
            "--dose",
            "20",
            "--reduction-percent",
            "40",
        ],
        1,
        "above the page's limit of 25%",
    );
    fails(
        &[
            "--page",
            "kratom-withdrawal",
            "--dose",
            "20",
            "--start",
            "2026-02-30",
        ],
        1,
        "--start: '2026-02-30' is not a real calendar date",
    );
    fails(
        &["--page", "kratom-withdrawal", "--patient-name", "  "],
        1,
        "--patient-name: the patient's name is empty",
    );
    fails(
        &["--page", "kratom-withdrawal", "--audience", "nurse"],
        1,
        "unknown audience 'nurse'",
    );
    fails(
        &["--page", "kratom-withdrawal", "--patient-name", "王小明"],
        1,
        "cannot print 3 character(s)",
    );
    fails(
        &[
            "--page",
            "kratom-withdrawal",
            "--out",
            "/nonexistent/dir/x.pdf",
        ],
        2,
        "the folder /nonexistent/dir does not exist",
    );
    fails(
        &["--page", "kratom-withdrawal", "--date", "soon"],
        2,
        "--date:",
    );
    fails(
        &[
            "--page",
            "kratom-withdrawal",
            "--batch",
            "/nonexistent.csv",
            "--out-dir",
            "/nonexistent/dir",
        ],
        2,
        "does not exist",
    );
}

#[test]
fn patient_data_stays_in_the_requested_pdf() {
    const NAME: &str = "Zebulon Quillfeather-Marchbanks";
    // A copy of the site, so every file the run could touch is in view.
    let (work, root) = fixture_site("taper/site");
    let before = files_under(work.path());
    let out = work.path().join("handout.pdf");
    let mut args = vec![
        "--root",
        root.to_str().unwrap(),
        "--page",
        "kratom-withdrawal",
        "--patient-name",
        NAME,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(SCHEDULE);
    let o = handout(&args, None);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stdout.contains("Zebulon") && !o.stderr.contains("Zebulon"));
    assert!(!o.stdout.contains("6 + 6 + 6"), "doses on stdout");
    let after = files_under(work.path());
    let mut expected = before.clone();
    expected.push(out.clone());
    expected.sort();
    assert_eq!(after, expected, "the run made files other than the PDF");
    for f in &before {
        let bytes = std::fs::read(f).unwrap();
        assert!(
            !String::from_utf8_lossy(&bytes).contains("Zebulon"),
            "{} holds the name",
            f.display()
        );
    }
    // The metadata does not carry the name either; the page text does.
    let bytes = std::fs::read(&out).unwrap();
    assert!(!bytes.windows(7).any(|w| w == b"Zebulon"));
    if let Some(t) = pdftotext(&out, true) {
        assert!(t.contains(NAME), "the name is printed in the PDF");
    }
}

/// A handout of a page no clinician has approved would look final in a patient's hands: it is
/// refused unless the clinician asks for it, and then every page says so. An approved page
/// prints who reviewed it and when.
#[test]
fn an_unapproved_page_is_refused_unless_asked_for_and_then_cautioned_on_every_page() {
    let (dir, site) = fixture_site("taper/site");
    let root = site.to_str().unwrap();
    let out = dir.path().join("h.pdf");
    let args = [
        "--root",
        root,
        "--page",
        "kratom-withdrawal",
        "--dose",
        "20",
        "--start",
        "2026-12-01",
        "--out",
        out.to_str().unwrap(),
    ];
    // Without the flag: refused, nothing written, the way out named.
    let o = careguide(["handout"]).args(args).date("1764115200").run();
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("is not approved for patients (its status is draft)"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("--allow-unapproved"), "{}", o.stderr);
    assert!(!out.exists());
    // With it: the caution on every page.
    let o = handout(&args, Some("1764115200"));
    assert_eq!(o.code, 0, "{}", o.stderr);
    if let Some(text) = pdftotext(&out, false) {
        let pages = text.matches('\u{c}').count().max(1);
        assert!(pages >= 2, "{text}");
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert_eq!(
            flat.matches("Not yet approved: check with your clinician.")
                .count(),
            pages,
            "{flat}"
        );
    } else {
        eprintln!("skipped the text check: pdftotext (poppler-utils) is not installed");
    }
    // Approved: no flag needed, and the reviewers and dates are printed.
    let page = site.join("content/kratom-withdrawal.md");
    let text = std::fs::read_to_string(&page).unwrap().replace(
        "review:\n  status: draft\n",
        "review:\n  status: approved\n  reviewers: [\"Dr. A. Example, MD\"]\n  last_reviewed: 2026-11-20\n  next_review: 2027-11-20\n",
    );
    std::fs::write(&page, text).unwrap();
    std::fs::remove_file(&out).unwrap();
    let o = careguide(["handout"]).args(args).date("1764115200").run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    if let Some(text) = pdftotext(&out, false) {
        let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            flat.contains("Reviewed by Dr. A. Example, MD on November 20, 2026; next review due November 20, 2027."),
            "{flat}"
        );
        assert!(!flat.contains("Not yet approved"), "{flat}");
    }
    // The override on an approved page is a mistake named as one, and writes nothing.
    std::fs::remove_file(&out).unwrap();
    let o = handout(&args, Some("1764115200"));
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr
            .contains("is approved and its review is current, so --allow-unapproved is not needed"),
        "{}",
        o.stderr
    );
    assert!(!out.exists());
}

/// The care details are checked as the patient's name is, each error naming its option, and
/// none repeats the clinician's name or the next visit (patient data). A handout that fails
/// leaves no file.
#[test]
fn care_details_and_paper_are_refused_by_option() {
    let page = ["--page", "kratom-withdrawal"];
    let with = |more: &[&'static str]| -> Vec<&'static str> {
        let mut a = page.to_vec();
        a.extend(more);
        a
    };
    fails(
        &with(&["--clinician", "  "]),
        1,
        "--clinician: the clinician's name is empty",
    );
    fails(
        &with(&["--clinician", "Dr. 山田"]),
        1,
        "--clinician: the handout font (DejaVu Sans) cannot print 2 character(s) of the clinician's name",
    );
    for (phone, message) in [
        (
            "call Ann",
            "--phone: a phone number holds digits, spaces and + ( ) - . / only",
        ),
        ("1-800-QUIT-NOW", "write letters as their digits"),
        ("12", "--phone: the phone number has 2 digit(s)"),
        ("555 +0100", "--phone: a + may only begin the phone number"),
        (
            "(555 0100",
            "--phone: the phone number's parentheses do not pair up",
        ),
        ("555 0100 ext", "--phone: a phone number holds digits"),
    ] {
        fails(&with(&["--phone", phone]), 1, message);
    }
    fails(
        &with(&["--next-visit", "2027-02-30"]),
        1,
        "--next-visit: the next visit is not a real calendar date",
    );
    fails(
        &with(&["--next-visit", "next week"]),
        1,
        "--next-visit: the next visit is not a date in the form YYYY-MM-DD",
    );
    fails(
        &with(&[
            "--dose",
            "20",
            "--start",
            "2026-12-01",
            "--date",
            "2026-11-26",
            "--next-visit",
            "2026-11-30",
        ]),
        1,
        "--next-visit: the next visit is before the schedule's first day (--start)",
    );
    // A blank chart has no first day: the next visit is still not before the handout's day.
    fails(
        &with(&["--date", "2026-11-26", "--next-visit", "2026-11-25"]),
        1,
        "--next-visit: the next visit is before the day the handout is made (2026-11-26)",
    );
    for paper in ["a5", "legal", ""] {
        fails(&with(&["--paper", paper]), 2, "for '--paper <A4|LETTER>'");
    }
    // Every bad value at once, none of them repeated.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.pdf");
    let o = handout(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--clinician",
            "Dr. Quentin\u{7}",
            "--phone",
            "ask Quentin",
            "--next-visit",
            "2027-13-01",
            "--out",
            out.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.code, 1, "{}", o.stderr);
    for option in ["--clinician:", "--phone:", "--next-visit:"] {
        assert!(o.stderr.contains(option), "{option}: {}", o.stderr);
    }
    assert!(!o.stderr.contains("Quentin") && !o.stderr.contains("2027-13-01"));
    assert!(!out.exists());
}

/// Any case of A4 and Letter is taken, and US Letter is Letter.
#[test]
fn paper_names_are_taken_in_any_case() {
    let dir = tempfile::tempdir().unwrap();
    for (paper, height) in [("A4", 841.89), ("LETTER", 792.0), ("US-Letter", 792.0)] {
        let out = dir.path().join(format!("{paper}.pdf"));
        let o = handout(
            &[
                "--root",
                TAPER_SITE,
                "--page",
                "kratom-withdrawal",
                "--date",
                "2026-11-26",
                "--paper",
                paper,
                "--out",
                out.to_str().unwrap(),
            ],
            None,
        );
        assert_eq!(o.code, 0, "{paper}: {}", o.stderr);
        assert!((page_height(&out) - height).abs() < 0.1, "{paper}");
    }
}

/// The height of a PDF's first page, in points.
fn page_height(pdf: &Path) -> f32 {
    let doc = lopdf::Document::load(pdf).unwrap();
    let first = *doc.get_pages().get(&1).unwrap();
    let mb = doc
        .get_dictionary(first)
        .unwrap()
        .get(b"MediaBox")
        .unwrap()
        .as_array()
        .unwrap()
        .clone();
    mb[3].as_float().unwrap()
}

/// The phone printed when none is given is the site's, and the terminal says so; a phone given
/// is not announced. The clinician's name and the next visit never reach the terminal; a next
/// visit after the schedule ends is a note there, without the date.
#[test]
fn the_site_phone_is_announced_and_care_details_stay_off_the_terminal() {
    const CLINICIAN: &str = "Dr. Ottoline Fairweather";
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("h.pdf");
    let run = |more: &[&str]| {
        let mut args = vec![
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--clinician",
            CLINICIAN,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(SCHEDULE);
        args.extend(more);
        handout(&args, None)
    };
    let o = run(&["--next-visit", "2026-12-15"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "note: phone for questions: from [contact] phone in careguide.toml: +1 555 0100 (--phone prints another)"
        ),
        "{}",
        o.stderr
    );
    assert!(
        !o.stderr.contains("the next visit is after"),
        "{}",
        o.stderr
    );
    let both = format!("{}{}", o.stdout, o.stderr);
    for secret in ["Ottoline", "2026-12-15", "December 15", "Dec 15"] {
        assert!(!both.contains(secret), "{secret} on the terminal: {both}");
    }
    assert!(std::fs::read(&out).unwrap().starts_with(b"%PDF-"));

    // A phone given is the clinician's choice: nothing to announce. The schedule ends on
    // 2027-05-11: a visit after it is a note, not an error.
    let o = run(&[
        "--phone",
        "+1 (555) 010-0199 ext. 12",
        "--next-visit",
        "2027-06-01",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(!o.stderr.contains("phone for questions"), "{}", o.stderr);
    assert!(
        o.stderr.contains(
            "note for the clinician: Check: the next visit is after the day the schedule ends"
        ),
        "{}",
        o.stderr
    );
    let both = format!("{}{}", o.stdout, o.stderr);
    for secret in ["Ottoline", "2027-06-01", "June 1"] {
        assert!(!both.contains(secret), "{secret} on the terminal: {both}");
    }
}

/// A batch checks the care columns and the paper row by row, naming the row and the column,
/// every problem of a row at once; the other rows are written.
#[test]
fn batch_care_columns_are_checked_by_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("patients.csv");
    std::fs::write(
        &csv,
        "name,dose,start,clinician,phone,next_visit,paper,file\n\
         Ada Example,20,2026-12-01,Dr. Wilhelmina Crane,,2026-12-15,,ada\n\
         Bob Example,20,2026-12-01,Dr. Wilhelmina Crane,call us,2026-11-30,,bob\n\
         Cy Example,20,2026-12-01,Dr. 山田,,2027-02-30,A5,cy\n\
         Dee Example,20,2026-12-01,,+44 20 7946 0958 x4,2027-06-01,Letter,dee\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let o = handout(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--date",
            "2026-11-26",
            "--batch",
            csv.to_str().unwrap(),
            "--out-dir",
            out.to_str().unwrap(),
        ],
        None,
    );
    let err = &o.stderr;
    assert_eq!(o.code, 1, "{err}");
    for expected in [
        "line 3 (row 2): column phone: a phone number holds digits",
        "line 3 (row 2): column next_visit: the next visit is before the schedule's first day (column start)",
        "line 4 (row 3): column paper: careguide prints on A4 or Letter (US Letter) paper only",
        "line 4 (row 3): column clinician: the handout font (DejaVu Sans) cannot print 2 character(s) of the clinician's name",
        "line 4 (row 3): column next_visit: the next visit is not a real calendar date",
    ] {
        assert!(err.contains(expected), "expected '{expected}' in: {err}");
    }
    let summary = &o.stdout;
    assert!(
        summary.contains("wrote 2 handout(s)") && summary.contains("2 row(s) failed"),
        "{summary}"
    );
    assert!(
        summary.contains("note: phone for questions on row(s) 1: from [contact] phone in careguide.toml: +1 555 0100"),
        "{summary}"
    );
    assert!(
        summary.contains(
            "note for the clinician on row(s) 4: the next visit is after the day the schedule ends"
        ),
        "{summary}"
    );
    let both = format!("{summary}{err}");
    for secret in ["Wilhelmina", "2026-12-15", "2027-06-01"] {
        assert!(!both.contains(secret), "{secret} on the terminal: {both}");
    }
    assert!(out.join("ada.pdf").exists() && out.join("dee.pdf").exists());
    assert!(!out.join("bob.pdf").exists() && !out.join("cy.pdf").exists());
    assert!((page_height(&out.join("ada.pdf")) - 841.89).abs() < 0.1);
    assert!((page_height(&out.join("dee.pdf")) - 792.0).abs() < 0.1);
}

/// The font programs a PDF embeds (`/FontFile2`), decompressed, with the fonts' names.
fn font_programs(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let mut out = Vec::new();
    for object in doc.objects.values() {
        let Ok(d) = object.as_dict() else { continue };
        let Ok(file) = d.get(b"FontFile2").and_then(|f| f.as_reference()) else {
            continue;
        };
        let name = String::from_utf8_lossy(d.get(b"FontName").unwrap().as_name().unwrap());
        let stream = doc.get_object(file).unwrap().as_stream().unwrap();
        out.push((name.into_owned(), stream.decompressed_content().unwrap()));
    }
    out.sort();
    out
}

#[test]
fn handouts_share_one_font_subset_unless_they_need_more() {
    let dir = tempfile::tempdir().unwrap();
    let make = |name: &str, file: &str| -> (Vec<u8>, String) {
        let out = dir.path().join(file);
        let mut args = vec![
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--patient-name",
            name,
            "--out",
            out.to_str().unwrap(),
        ];
        args.extend(SCHEDULE);
        let o = handout(&args, None);
        assert_eq!(o.code, 0, "{}", o.stderr);
        let text = pdftotext(&out, false).expect("pdftotext runs");
        (std::fs::read(&out).unwrap(), text)
    };
    let shared = &careguide::pdf::fonts::shared().unwrap().programs;
    // Two patients in Latin-1: the same font programs, the shared subset, tagged as a subset.
    let (ada, ada_text) = make("Ada Example", "ada.pdf");
    let (zoe, zoe_text) = make("Zoë Ångström", "zoe.pdf");
    assert!(ada_text.contains("Ada Example") && zoe_text.contains("Zoë Ångström"));
    let fonts = font_programs(&ada);
    assert!(!fonts.is_empty());
    assert_eq!(fonts, font_programs(&zoe));
    for (name, program) in &fonts {
        assert!(
            shared
                .iter()
                .any(|p| p.name == *name && p.bytes == *program),
            "{name} is not the shared subset"
        );
        assert!(
            name.starts_with("DJV") && name.contains("+DejaVuSans"),
            "{name}"
        );
    }
    // A letter outside it: a subset of the handout's own, and the letter prints.
    let (lukasz, lukasz_text) = make("Łukasz Nowak", "lukasz.pdf");
    assert!(lukasz_text.contains("Łukasz Nowak"), "{lukasz_text}");
    let own = font_programs(&lukasz);
    assert!(own
        .iter()
        .all(|(n, p)| n.contains("+DejaVuSans") && !shared.iter().any(|s| s.bytes == *p)));
}
