//! The output folder's behaviour, tested through the [`Writer`] as a build uses it.

use std::fs;

use super::*;
use crate::types::OutputFile;

/// Write `files` as the complete content of `out` in one go (see [`Writer`]).
fn write_site(
    root: &Path,
    out: &Path,
    files: &[OutputFile],
    build_id: &str,
    known: Known,
) -> Result<Committed, Diagnostic> {
    let w = Writer::begin(root, out, build_id, known)?;
    for f in files {
        w.add(&f.path, &f.bytes)?;
    }
    w.commit()
}

fn files(n: &str) -> Vec<OutputFile> {
    vec![
        OutputFile::new("index.html".into(), n.as_bytes().to_vec()),
        OutputFile::new("a/index.html".into(), b"same".to_vec()),
    ]
}

#[test]
fn swaps_in_and_keeps_unchanged_files() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    let s = write_site(dir.path(), &out, &files("one"), "b1", Known::default())
        .unwrap()
        .stats;
    assert_eq!(
        s,
        WriteStats {
            written: 2,
            unchanged: 0
        }
    );
    let s = write_site(dir.path(), &out, &files("two"), "b2", Known::default())
        .unwrap()
        .stats;
    assert_eq!(
        s,
        WriteStats {
            written: 1,
            unchanged: 1
        }
    );
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
    assert!(out.join(MARKER).exists());
    // No staging folders are left behind; the back copy stays for the next build.
    let mut names: Vec<_> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, [".output.prev", "output"]);
}

fn known(c: &Committed, id: &str) -> Known {
    Known {
        live: Some((id.into(), c.files.clone().into_iter().collect())),
        back: c.back.clone().map(|(i, f)| (i, f.into_iter().collect())),
    }
}

fn ino(p: &Path) -> (u64, std::time::SystemTime) {
    use std::os::unix::fs::MetadataExt;
    let m = fs::metadata(p).unwrap();
    (m.ino(), m.modified().unwrap())
}

#[cfg(unix)]
#[test]
fn the_back_copy_is_brought_up_to_date_file_by_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    let site = |n: &str, extra: bool| {
        let mut f = files(n);
        f.push(OutputFile::new("b/c/index.html".into(), b"kept".to_vec()));
        if extra {
            f.push(OutputFile::new(
                "gone/x/index.html".into(),
                b"soon gone".to_vec(),
            ));
        }
        f
    };
    let c1 = write_site(dir.path(), &out, &site("one", true), "b1", Known::default()).unwrap();
    // The twin becomes the back copy, holding the same files.
    assert_eq!(c1.back.as_ref().map(|b| b.0.as_str()), Some("b1"));
    let kept = ino(&out.join("b/c/index.html"));
    let c2 = write_site(dir.path(), &out, &site("two", true), "b2", known(&c1, "b1")).unwrap();
    assert_eq!(
        c2.stats,
        WriteStats {
            written: 1,
            unchanged: 3
        }
    );
    // The back copy now holds build 1, the output build 2; unchanged files are one file.
    assert_eq!(c2.back.as_ref().map(|b| b.0.as_str()), Some("b1"));
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
    assert_eq!(
        fs::read_to_string(dir.path().join(".output.prev/index.html")).unwrap(),
        "one"
    );
    assert_eq!(ino(&out.join("b/c/index.html")), kept);
    let c3 = write_site(
        dir.path(),
        &out,
        &site("three", false),
        "b3",
        known(&c2, "b2"),
    )
    .unwrap();
    assert_eq!(
        c3.stats,
        WriteStats {
            written: 1,
            unchanged: 2
        }
    );
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "three");
    // Stale files and the folders they leave empty are gone.
    assert!(!out.join("gone").exists());
    assert_eq!(ino(&out.join("b/c/index.html")), kept);
    assert!(out.join(MARKER).exists());
    let marker = fs::read_to_string(out.join(MARKER)).unwrap();
    assert!(marker.contains("build b3"), "{marker}");
    // A back copy whose marker is not the one the cache expects is not trusted: rebuilt.
    fs::write(
        dir.path().join(".output.prev").join(MARKER),
        "build other\n",
    )
    .unwrap();
    let c4 = write_site(
        dir.path(),
        &out,
        &site("four", false),
        "b4",
        known(&c3, "b3"),
    )
    .unwrap();
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "four");
    assert_eq!(ino(&out.join("b/c/index.html")), kept);
    assert_eq!(c4.back.as_ref().map(|b| b.0.as_str()), Some("b4"));
    // A build that is dropped before committing leaves everything as it was.
    let w = Writer::begin(dir.path(), &out, "b5", known(&c4, "b4")).unwrap();
    w.add("index.html", b"five").unwrap();
    drop(w);
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "four");
    let c6 = write_site(
        dir.path(),
        &out,
        &site("six", false),
        "b6",
        known(&c4, "b4"),
    )
    .unwrap();
    assert_eq!(
        c6.stats,
        WriteStats {
            written: 1,
            unchanged: 2
        }
    );
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "six");
}

#[test]
fn stale_files_disappear() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    write_site(dir.path(), &out, &files("one"), "b1", Known::default()).unwrap();
    write_site(
        dir.path(),
        &out,
        &[OutputFile::new("index.html".into(), b"x".to_vec())],
        "b3",
        Known::default(),
    )
    .unwrap();
    assert!(!out.join("a/index.html").exists());
}

#[test]
fn refuses_foreign_folders_and_the_root() {
    let dir = tempfile::tempdir().unwrap();
    let foreign = dir.path().join("docs");
    fs::create_dir_all(&foreign).unwrap();
    fs::write(foreign.join("keep.txt"), "mine").unwrap();
    assert!(write_site(dir.path(), &foreign, &files("x"), "b", Known::default()).is_err());
    assert_eq!(
        fs::read_to_string(foreign.join("keep.txt")).unwrap(),
        "mine"
    );
    assert!(write_site(dir.path(), dir.path(), &files("x"), "b", Known::default()).is_err());
    assert!(write_site(
        dir.path(),
        &dir.path().join("content/out"),
        &files("x"),
        "b",
        Known::default()
    )
    .is_err());
    assert!(write_site(
        dir.path(),
        Path::new("/"),
        &files("x"),
        "b",
        Known::default()
    )
    .is_err());
}

#[test]
fn a_build_killed_between_the_two_renames_is_repaired() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    write_site(dir.path(), &out, &files("one"), "b1", Known::default()).unwrap();
    // The folders a killed build (a process that no longer runs) left behind.
    let mut child = std::process::Command::new("true").spawn().unwrap();
    let pid = child.id();
    child.wait().unwrap();
    let old = dir.path().join(format!(".output.old-{pid}"));
    fs::rename(&out, &old).unwrap();
    let half = dir.path().join(format!(".output.new-{pid}"));
    fs::create_dir_all(half.join("a")).unwrap();
    recover(&out);
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "one");
    assert!(!old.exists() && !half.exists());
    // A read-only output is left alone.
    let mut p = fs::metadata(&out).unwrap().permissions();
    p.set_readonly(true);
    fs::set_permissions(&out, p.clone()).unwrap();
    assert!(write_site(dir.path(), &out, &files("two"), "b2", Known::default()).is_err());
    #[allow(clippy::permissions_set_readonly_false)]
    p.set_readonly(false);
    fs::set_permissions(&out, p).unwrap();
    assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "one");
}

#[test]
fn refuses_paths_leaving_the_output() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("output");
    let bad = vec![OutputFile::new("../evil".into(), vec![])];
    assert!(write_site(dir.path(), &out, &bad, "b", Known::default()).is_err());
    assert!(!dir.path().join("evil").exists());
}
