//! Reproducibility: two clean builds of the sample site, in two different folders, with
//! different thread counts and working directories, give byte-identical output, PDFs included.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{careguide, copy_dir, RunExt, NOV_26_2025};

const REPO: &str = env!("CARGO_MANIFEST_DIR");

fn snapshot(base: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            snapshot(base, &p, out);
        } else {
            let rel = p.strip_prefix(base).unwrap().display().to_string();
            out.insert(rel, std::fs::read(&p).unwrap());
        }
    }
}

fn build_in(dir: &Path, threads: &str) -> BTreeMap<String, Vec<u8>> {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::copy(
        Path::new(REPO).join("careguide.toml"),
        dir.join("careguide.toml"),
    )
    .unwrap();
    for d in ["content", "templates"] {
        copy_dir(&Path::new(REPO).join(d), &dir.join(d));
    }
    let o = careguide(["build", "--format", "json", "--root"])
        .arg(dir)
        .current_dir(dir.parent().unwrap())
        .date(NOV_26_2025)
        .env("RAYON_NUM_THREADS", threads)
        .env(
            "TZ",
            if threads == "1" {
                "UTC"
            } else {
                "Pacific/Auckland"
            },
        )
        .run();
    assert_eq!(o.code, 0, "{}", o.stdout);
    let mut files = BTreeMap::new();
    snapshot(&dir.join("output"), &dir.join("output"), &mut files);
    files
}

#[test]
fn two_clean_builds_in_different_folders_are_byte_identical() {
    let tmp = tempfile::tempdir().unwrap();
    let a = build_in(&tmp.path().join("a"), "1");
    let b = build_in(&tmp.path().join("second build/with a longer path"), "2");
    assert!(a.keys().any(|k| k.ends_with(".pdf")), "PDFs are built");
    assert_eq!(
        a.keys().collect::<Vec<_>>(),
        b.keys().collect::<Vec<_>>(),
        "the same files"
    );
    let differ: Vec<&String> = a.keys().filter(|k| a[*k] != b[*k]).collect();
    assert!(differ.is_empty(), "files that differ: {differ:?}");
}
