//! Reproducibility: two clean builds of the sample site, in two different folders, with
//! different thread counts and working directories, give byte-identical output, PDFs included.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::{careguide, sample_site, tree, RunExt, NOV_26_2025};

fn build_in(dir: &Path, threads: &str) -> BTreeMap<String, Vec<u8>> {
    sample_site(dir);
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
    tree(&dir.join("output"))
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
