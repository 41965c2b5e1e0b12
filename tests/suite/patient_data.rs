//! Patient data: handout inputs (a distinctive name and dose) appear nowhere careguide writes
//! but on the handout's printed page: not in stdout or stderr, error messages, the build cache,
//! output/, the PDF's metadata, or temporary files.

use std::path::{Path, PathBuf};

use crate::support::{
    careguide, copy_dir, files_under, pdftotext, Run, RunExt, NOV_26_2025, TAPER_SITE,
};

const NAME: &str = "Zebulon Quixotemarsh";
/// The clinician's name and the next visit are the patient's data too.
const CLINICIAN: &str = "Dr. Hortensia Vanderquill";
/// Not a day a step of the schedule starts on: those dates are the plan, printed where asked.
const NEXT_VISIT: &str = "2026-12-16";

/// The ways a name can be stored: UTF-8, UTF-16 (PDF text strings) and their hex forms.
fn encodings(s: &str) -> Vec<Vec<u8>> {
    let utf16: Vec<u8> = s.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02X}")).collect::<String>();
    let mut out = vec![
        s.as_bytes().to_vec(),
        s.to_lowercase().into_bytes(),
        s.to_uppercase().into_bytes(),
        utf16.clone(),
        hex(&utf16).into_bytes(),
        hex(&utf16).to_lowercase().into_bytes(),
        hex(s.as_bytes()).into_bytes(),
    ];
    // Each word alone, too (a surname on its own is still the patient's).
    for w in s.split_whitespace().filter(|w| w.len() > 6) {
        out.push(w.as_bytes().to_vec());
    }
    out
}

fn contains(hay: &[u8], needles: &[Vec<u8>]) -> bool {
    needles
        .iter()
        .any(|n| hay.windows(n.len()).any(|w| w == n.as_slice()))
}

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    /// Run careguide in the test's own working, temporary and home folders; keep both streams.
    fn run(&self, args: &[&str], streams: &mut Vec<(String, Vec<u8>)>) -> Run {
        let r = careguide(args)
            .current_dir(self.path("cwd"))
            .env("TMPDIR", self.path("tmp"))
            .env("HOME", self.path("home"))
            .env("XDG_CACHE_HOME", self.path("home/.cache"))
            .date(NOV_26_2025)
            .run();
        let label = args.join(" ");
        streams.push((format!("stdout of {label}"), r.output.stdout.clone()));
        streams.push((format!("stderr of {label}"), r.output.stderr.clone()));
        r
    }
}

#[test]
fn handout_inputs_leave_no_trace_outside_the_handout() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    for d in ["cwd", "tmp", "home", "handouts", "batch", "input"] {
        std::fs::create_dir_all(env.path(d)).unwrap();
    }
    let site = env.path("site");
    copy_dir(Path::new(TAPER_SITE), &site);
    let root = site.to_str().unwrap();
    let mut streams = Vec::new();

    // The site is built first, so output/ and the build cache exist and could be touched.
    let o = env.run(&["build", "--root", root, "--no-pdf"], &mut streams);
    assert_eq!(o.code, 0, "{}", o.stdout);

    let handout = env.path("handouts/h.pdf");
    let bad_out = env.path("handouts/bad.pdf").to_str().unwrap().to_string();
    let cjk_out = env.path("handouts/cjk.pdf").to_str().unwrap().to_string();
    let schedule = [
        "--root",
        root,
        "--page",
        "kratom-withdrawal",
        "--start",
        "2026-12-01",
        "--date",
        "2026-11-26",
    ];
    let mut args = vec![
        "handout",
        "--allow-unapproved",
        "--patient-name",
        NAME,
        "--clinician",
        CLINICIAN,
        "--next-visit",
        NEXT_VISIT,
        "--dose",
        "41.5",
    ];
    args.extend(schedule);
    args.extend(["--out", handout.to_str().unwrap()]);
    let o = env.run(&args, &mut streams);
    assert_eq!(o.code, 0, "{}", o.stderr);
    // Failures must not echo the patient either: a bad dose, a bad start date, a name the
    // font cannot print, an output that cannot be written.
    for bad in [
        vec!["--dose", "-41.5"],
        vec!["--dose", "41.5", "--reduction-percent", "90"],
        vec!["--dose", "41.5", "--start", "2026-02-30"],
        vec![
            "--clinician",
            CLINICIAN,
            "--next-visit",
            "2025-11-01",
            "--dose",
            "41.5",
        ],
        vec!["--clinician", CLINICIAN, "--phone", "ask Hortensia"],
    ] {
        let mut args = vec!["handout", "--allow-unapproved", "--patient-name", NAME];
        args.extend(bad.iter().copied());
        args.extend(["--root", root, "--page", "kratom-withdrawal"]);
        args.extend(["--out", &bad_out]);
        let o = env.run(&args, &mut streams);
        assert_ne!(o.code, 0);
    }
    let cjk = format!("{NAME} 山田");
    let mut args = vec![
        "handout",
        "--allow-unapproved",
        "--patient-name",
        &cjk,
        "--dose",
        "41.5",
    ];
    args.extend(schedule);
    args.extend(["--out", &cjk_out]);
    env.run(&args, &mut streams);
    let mut args = vec![
        "handout",
        "--allow-unapproved",
        "--patient-name",
        NAME,
        "--dose",
        "41.5",
    ];
    args.extend(schedule);
    args.extend(["--out", "/nonexistent-folder/h.pdf"]);
    let o = env.run(&args, &mut streams);
    assert_ne!(o.code, 0);

    // A batch with good and bad rows.
    let csv = env.path("input/patients.csv");
    std::fs::write(
        &csv,
        format!(
            "name,dose,start,clinician,next_visit,file\n{NAME},41.5,2026-12-01,{CLINICIAN},{NEXT_VISIT},one\n{NAME} Jr,41.5,2026-02-30,,,two\n{NAME} Sr,-1,2026-12-01,{CLINICIAN},2026-11-30,three\n"
        ),
    )
    .unwrap();
    let o = env.run(
        &[
            "handout",
            "--allow-unapproved",
            "--root",
            root,
            "--page",
            "kratom-withdrawal",
            "--date",
            "2026-11-26",
            "--batch",
            csv.to_str().unwrap(),
            "--out-dir",
            env.path("batch").to_str().unwrap(),
        ],
        &mut streams,
    );
    assert_eq!(o.code, 1);

    let mut needles = encodings(NAME);
    needles.extend(encodings(CLINICIAN));
    needles.extend(encodings(NEXT_VISIT));
    needles.extend(encodings("December 16, 2026"));
    let mut leaks = Vec::new();
    for (label, bytes) in &streams {
        if contains(bytes, &needles) {
            leaks.push(label.clone());
        }
    }
    let files = files_under(env.dir.path());
    let mut handouts = 0;
    for f in &files {
        if f == &csv {
            continue; // the clinic's own input
        }
        let bytes = std::fs::read(f).unwrap();
        if f.extension().is_some_and(|e| e == "pdf") {
            handouts += 1;
            // The name is printed on the page (its text is drawn as glyphs in compressed
            // content streams) but is in no metadata: no title, subject, keyword or XMP.
            if contains(&bytes, &needles) {
                leaks.push(format!("{} (PDF metadata)", f.display()));
            }
        } else if contains(&bytes, &needles) || contains(&bytes, &encodings("41.5 g")) {
            leaks.push(f.display().to_string());
        }
    }
    assert!(
        leaks.is_empty(),
        "the patient's name or dose is in: {leaks:#?}"
    );
    assert!(handouts >= 2, "{files:#?}");
    assert!(handout.exists());
    // Where poppler is installed: the name is on the printed page, so the search above
    // looked for something that is really there.
    if let Some(t) = pdftotext(&handout, false) {
        assert!(t.contains(NAME));
    }
    // Nothing is left in the temporary folder or the home folder.
    let mut left = files_under(&env.path("tmp"));
    left.extend(files_under(&env.path("home")));
    assert!(left.is_empty(), "{left:#?}");
}
