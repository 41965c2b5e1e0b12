//! Hostile files in and around a site (issue 16): FIFOs and other special files where careguide
//! reads, symbolic-link loops, a refused `--out`, and links planted where a patient's handout
//! is written. None may hang, divert a byte, or leave a file behind.

use std::os::unix::fs::{symlink, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{
    careguide, files_under, fixture_site, sample_site, Run, RunExt, JAN_15_2026, NOV_26_2025,
    TAPER_SITE,
};

/// Run `cmd`, killing it after a generous minute: a run that waits on a FIFO never ends by
/// itself, and the test must say so rather than hang.
fn run_or_kill(cmd: &mut Command) -> Run {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the careguide binary runs");
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return Run::from(child.wait_with_output().unwrap());
        }
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "careguide hung (killed after 60 s): {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    rustix::fs::mknodat(
        rustix::fs::CWD,
        path,
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_raw_mode(0o644),
        0,
    )
    .unwrap_or_else(|e| panic!("mkfifo {}: {e}", path.display()));
}

/// `careguide check` of `site` as JSON, never waiting more than a minute.
fn check(site: &Path) -> (Run, serde_json::Value) {
    let mut c = careguide(["check", "--format", "json", "--root"]);
    c.arg(site).date(JAN_15_2026);
    let r = run_or_kill(&mut c).no_crash();
    let v = serde_json::from_str(&r.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {}\nstderr: {}", r.stdout, r.stderr));
    (r, v)
}

/// The error about `file` saying it is not a regular file.
fn not_regular_at(v: &serde_json::Value, file: &str) -> bool {
    v["diagnostics"].as_array().is_some_and(|ds| {
        ds.iter().any(|d| {
            d["severity"] == "error"
                && d["message"].as_str().is_some_and(|m| {
                    m.contains(file) && m.contains("not a regular file") && m.contains("FIFO")
                })
        })
    })
}

#[test]
fn a_fifo_anywhere_the_site_reads_is_an_error_at_its_path_never_a_hang() {
    // (where the FIFO goes, the path the error names)
    let cases: &[(&str, &str)] = &[
        ("content/x.md", "content/x.md"),
        ("content/glossary.yaml", "content/glossary.yaml"),
        ("templates/page.html", "templates/page.html"),
        ("careguide.toml", "careguide.toml"),
        ("refs/site.yaml", "refs/site.yaml"),
    ];
    for (at, named) in cases {
        let (_dir, site) = fixture_site("cite/bib-files");
        if at.starts_with("templates/") {
            sample_site(&site.join("sample"));
            std::fs::rename(site.join("sample/templates"), site.join("templates")).unwrap();
        }
        mkfifo(&site.join(at));
        let (r, v) = check(&site);
        assert_ne!(r.code, 0, "{at}: passed");
        assert!(
            not_regular_at(&v, named),
            "{at}: no 'not a regular file' error naming {named}: {:#}\n{}",
            v["diagnostics"],
            r.stderr
        );
    }
}

#[test]
fn a_page_linked_to_a_fifo_or_in_a_link_loop_is_reported() {
    let (_dir, site) = fixture_site("good");
    mkfifo(&site.join("content/pipe"));
    symlink("pipe", site.join("content/linked.md")).unwrap();
    symlink("loop-b.md", site.join("content/loop-a.md")).unwrap();
    symlink("loop-a.md", site.join("content/loop-b.md")).unwrap();
    let (r, v) = check(&site);
    assert_ne!(r.code, 0);
    assert!(not_regular_at(&v, "content/linked.md"), "{:#}", v);
    let loops: Vec<_> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "content/symlink-loop")
        .collect();
    assert_eq!(loops.len(), 2, "{:#}", v["diagnostics"]);
    assert!(loops[0]["message"]
        .as_str()
        .unwrap()
        .contains("symbolic link in a loop"));
    assert!(
        !r.stdout.contains("to nothing"),
        "a loop is not a link to nothing: {}",
        r.stdout
    );
}

#[test]
fn a_refused_out_leaves_no_lock_file_beside_it() {
    let (dir, site) = fixture_site("good");
    // A file, and a folder of someone else's files: both refused before any lock is made.
    let file = dir.path().join("null");
    std::fs::write(&file, b"").unwrap();
    let foreign = dir.path().join("photos");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("a.jpg"), b"x").unwrap();
    for (out, says) in [
        (&file, "exists and is not a folder"),
        (&foreign, "not written by careguide"),
    ] {
        let r = careguide(["build", "--root"])
            .arg(&site)
            .arg("--out")
            .arg(out)
            .date(JAN_15_2026)
            .run()
            .no_crash();
        assert_eq!(r.code, 2, "{}", r.stderr);
        assert!(r.stderr.contains(says), "{}", r.stderr);
        let name = out.file_name().unwrap().to_str().unwrap();
        let lock = dir.path().join(format!(".{name}.lock"));
        assert!(!lock.exists(), "{} was created", lock.display());
    }
    assert_eq!(std::fs::read(foreign.join("a.jpg")).unwrap(), b"x");
}

/// The names a writer of `out.pdf` in `dir` could pick for its temporary file: the old
/// `.careguide-<pid>-<n>.pdf.tmp` for the next few hundred process ids, and the usual others.
fn likely_temporary_names(dir: &Path, file: &str) -> Vec<PathBuf> {
    let last: u32 = std::fs::read_to_string("/proc/sys/kernel/ns_last_pid")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(std::process::id());
    let mut names = Vec::new();
    for pid in last..last + 400 {
        for n in 0..3 {
            names.push(dir.join(format!(".careguide-{pid}-{n}.pdf.tmp")));
        }
    }
    for n in [
        format!("{file}.tmp"),
        format!(".{file}.tmp"),
        format!("{file}~"),
        format!(".{file}.swp"),
        ".careguide.tmp".to_string(),
    ] {
        names.push(dir.join(n));
    }
    names
}

/// Plant a link at every likely temporary name in `dir`, each to its own file in `victim`
/// (a folder elsewhere): half to files that exist (empty), half to none (a writer that follows
/// a link to nothing creates the file). Each with whether its target exists.
fn plant(dir: &Path, victim: &Path, file: &str) -> Vec<(PathBuf, PathBuf, bool)> {
    likely_temporary_names(dir, file)
        .into_iter()
        .filter(|link| std::fs::symlink_metadata(link).is_err())
        .enumerate()
        .map(|(i, link)| {
            let target = victim.join(format!("{file}-{i}"));
            let exists = i % 2 == 0;
            if exists {
                std::fs::write(&target, b"").unwrap();
            }
            symlink(&target, &link).unwrap();
            (link, target, exists)
        })
        .collect()
}

/// Every planted link is still a link to its target, and no target got a byte (or was made).
fn untouched(planted: &[(PathBuf, PathBuf, bool)]) {
    for (link, target, existed) in planted {
        assert_eq!(
            std::fs::read_link(link).ok().as_deref(),
            Some(target.as_path()),
            "{} was replaced",
            link.display()
        );
        match std::fs::metadata(target) {
            Ok(m) => assert!(
                *existed && m.len() == 0,
                "{} received {} bytes",
                target.display(),
                m.len()
            ),
            Err(_) => assert!(!existed, "{} is gone", target.display()),
        }
    }
    assert!(planted.len() > 100, "only {} links planted", planted.len());
}

fn handout(args: &[&str]) -> Run {
    let mut c = careguide(["handout", "--allow-unapproved", "--root", TAPER_SITE]);
    c.args(["--page", "kratom-withdrawal"]).args(args);
    c.date(NOV_26_2025);
    run_or_kill(&mut c).no_crash()
}

#[test]
fn links_planted_at_every_likely_temporary_name_never_receive_a_byte() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("handouts");
    let victim = dir.path().join("victim");
    std::fs::create_dir_all(&out_dir).unwrap();
    std::fs::create_dir_all(&victim).unwrap();
    let mut planted = plant(&out_dir, &victim, "out.pdf");
    planted.extend(plant(&out_dir, &victim, "sheet.pdf"));
    let out = out_dir.join("out.pdf");
    let sheet = out_dir.join("sheet.pdf");
    let r = handout(&[
        "--dose",
        "20",
        "--start",
        "2026-12-01",
        "--patient-name",
        "A. Patient",
        "--out",
        out.to_str().unwrap(),
        "--clinician-sheet",
        sheet.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    untouched(&planted);
    for f in [&out, &sheet] {
        let m = std::fs::symlink_metadata(f).unwrap();
        assert!(
            m.file_type().is_file(),
            "{} is not a plain file",
            f.display()
        );
        assert_eq!(m.permissions().mode() & 0o777, 0o600);
        assert!(std::fs::read(f).unwrap().starts_with(b"%PDF"));
    }
    // The batch writes through the same writer, into a folder of its own: in the first one
    // the names of the process ids still to come are already taken by the first round's links.
    let out_dir = dir.path().join("batch");
    std::fs::create_dir_all(&out_dir).unwrap();
    let csv = dir.path().join("patients.csv");
    std::fs::write(&csv, "name,dose,file\nA. Patient,20,p1\nB. Patient,15,p2\n").unwrap();
    let mut planted = plant(&out_dir, &victim, "p1.pdf");
    planted.extend(plant(&out_dir, &victim, "p2.pdf"));
    let r = handout(&[
        "--start",
        "2026-12-01",
        "--batch",
        csv.to_str().unwrap(),
        "--out-dir",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    untouched(&planted);
    for f in ["p1.pdf", "p2.pdf"] {
        let m = std::fs::symlink_metadata(out_dir.join(f)).unwrap();
        assert!(m.file_type().is_file());
        assert_eq!(m.permissions().mode() & 0o777, 0o600, "{f}");
    }
    // Nothing but the planted links and the PDFs: no temporary file left.
    let stray: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            !std::fs::symlink_metadata(p)
                .unwrap()
                .file_type()
                .is_symlink()
        })
        .filter(|p| p.extension().is_none_or(|x| x != "pdf"))
        .collect();
    assert!(stray.is_empty(), "left behind: {stray:?}");
    assert!(files_under(&victim)
        .iter()
        .all(|f| std::fs::metadata(f).unwrap().len() == 0));
}

#[test]
fn a_batch_writes_through_no_link_at_the_destination() {
    let dir = tempfile::tempdir().unwrap();
    let victim = dir.path().join("elsewhere.pdf");
    std::fs::write(&victim, b"not yours").unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    symlink(&victim, out_dir.join("p1.pdf")).unwrap();
    let csv = dir.path().join("patients.csv");
    std::fs::write(&csv, "name,dose,file\nA. Patient,20,p1\n").unwrap();
    let r = handout(&[
        "--start",
        "2026-12-01",
        "--batch",
        csv.to_str().unwrap(),
        "--out-dir",
        out_dir.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("is a symbolic link"), "{}", r.stderr);
    assert_eq!(std::fs::read(&victim).unwrap(), b"not yours");
}

#[test]
fn file_mode_sets_the_handouts_permissions_and_never_lets_others_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("h.pdf");
    let r = handout(&["--file-mode", "640", "--out", out.to_str().unwrap()]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let mode = std::fs::metadata(&out).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    for (bad, says) in [
        ("666", "lets every user of the machine change the handout"),
        ("0o602", "lets every user of the machine change the handout"),
        ("9", "not a file mode"),
        ("1777", "not a file mode"),
        ("rw-------", "not a file mode"),
        ("040", "does not let the owner read"),
    ] {
        let out = dir.path().join(format!("{}.pdf", bad.replace('-', "x")));
        let r = handout(&["--file-mode", bad, "--out", out.to_str().unwrap()]);
        assert_eq!(r.code, 2, "--file-mode {bad}: {}", r.stderr);
        assert!(r.stderr.contains(says), "--file-mode {bad}: {}", r.stderr);
        assert!(r.stderr.contains("--file-mode"), "{}", r.stderr);
        assert!(!out.exists(), "--file-mode {bad} wrote {}", out.display());
    }
}

#[test]
fn a_batch_with_a_column_named_twice_names_both_positions() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("patients.csv");
    std::fs::write(&csv, "name,dose,start,Dose\nA. Patient,20,2026-12-01,10\n").unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let r = handout(&[
        "--batch",
        csv.to_str().unwrap(),
        "--out-dir",
        out.to_str().unwrap(),
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains(
            "the column 'dose' appears twice in the first line, as column 2 and column 4"
        ),
        "{}",
        r.stderr
    );
    assert!(files_under(&out).is_empty());
}
