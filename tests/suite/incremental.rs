//! Incremental builds must give exactly what a clean build gives. A site is edited, extended
//! and pruned step by step (pages, references, bibliography files); after every step the
//! incremental output is compared byte for byte with a clean build of the same sources.

use std::path::Path;

use crate::support::{careguide, fixture_site, tree, Run, RunExt, NOV_26_2025};

/// `careguide build --root ROOT` as of 2025-11-26.
fn build(root: &str) -> Run {
    careguide(["build", "--root", root]).date(NOV_26_2025).run()
}

/// Set a file's modification time, leaving its content as it is.
fn set_modified(path: &Path, time: std::time::SystemTime) {
    std::fs::File::options()
        .write(true)
        .open(path)
        .unwrap()
        .set_modified(time)
        .unwrap();
}

fn copy_tree(from: &Path, to: &Path, skip: &[&str]) {
    for e in walkdir::WalkDir::new(from).sort_by_file_name() {
        let e = e.unwrap();
        let rel = e.path().strip_prefix(from).unwrap();
        if skip.iter().any(|s| rel.starts_with(s)) {
            continue;
        }
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// A page with its own inline reference, optionally citing the shared BibTeX file too.
fn page(n: u32, title: &str, shared: bool) -> String {
    let bib = if shared {
        "bibliography: [refs/shared.bib]\n"
    } else {
        ""
    };
    let cite_shared = if shared { " Also [@shared2020]." } else { "" };
    format!(
        "---\ntitle: {title}\nsummary: Summary of page {n} [@own{n}].\ntopics: [Topic {t}]\nupdated: 2025-0{m}-01\n{bib}review:\n  status: draft\nreferences:\n  - id: own{n}\n    authors: [\"Author{n} A\"]\n    title: Work number {n}\n    journal: J Test\n    year: 2020\n    doi: 10.1000/own.{n}\n---\n\n## Part one\n\nText of page {n} [@own{n}].{cite_shared}\n",
        t = n % 3,
        m = 1 + n % 9,
    )
}

fn bib(title: &str) -> String {
    format!(
        "@article{{shared2020,\n  author = {{Shared, Sam and Other, Olga}},\n  title = {{{title}}},\n  journal = {{J Shared}},\n  year = {{2020}},\n  volume = {{3}},\n  pages = {{10--20}},\n  doi = {{10.1000/shared.1}}\n}}\n"
    )
}

#[test]
fn incremental_builds_equal_clean_builds() {
    let (dir, site) = fixture_site("good");
    let content = site.join("content");
    // A bibliography file outside content/, named by the pages that use it.
    let refs = site.join("refs");
    std::fs::create_dir_all(&refs).unwrap();
    std::fs::write(refs.join("shared.bib"), bib("The shared work")).unwrap();
    let root = site.to_str().unwrap().to_string();

    // (description, change)
    type Step<'a> = (&'a str, Box<dyn Fn() + 'a>);
    let steps: Vec<Step> = vec![
        ("first build", Box::new(|| {})),
        ("nothing changed", Box::new(|| {})),
        (
            "add two pages",
            Box::new(|| {
                std::fs::write(content.join("p1.md"), page(1, "Page one", false)).unwrap();
                std::fs::write(content.join("p2.md"), page(2, "Page two", true)).unwrap();
            }),
        ),
        (
            "edit a page's text",
            Box::new(|| {
                std::fs::write(content.join("p1.md"), page(1, "Page one, edited", false)).unwrap();
            }),
        ),
        (
            "edit an entry of the bibliography file",
            Box::new(|| {
                std::fs::write(refs.join("shared.bib"), bib("The shared work, revised")).unwrap();
            }),
        ),
        (
            "add a page in a sub-folder and edit another",
            Box::new(|| {
                std::fs::create_dir_all(content.join("more")).unwrap();
                std::fs::write(content.join("more/p3.md"), page(3, "Page three", true)).unwrap();
                std::fs::write(content.join("p2.md"), page(2, "Page two, again", true)).unwrap();
            }),
        ),
        (
            "delete a page",
            Box::new(|| {
                std::fs::remove_file(content.join("p1.md")).unwrap();
            }),
        ),
        (
            "change the configuration",
            Box::new(|| {
                let cfg = site.join("careguide.toml");
                let t = std::fs::read_to_string(&cfg).unwrap();
                std::fs::write(&cfg, t.replace("Fixture Clinic", "Fixture Clinic North")).unwrap();
            }),
        ),
        (
            "override a template",
            Box::new(|| {
                std::fs::create_dir_all(site.join("templates")).unwrap();
                std::fs::write(
                site.join("templates/topic.html"),
                "{% extends \"base.html\" %}{% block main %}<h1>{{ topic.name }}</h1>{% for p in topic.pages %}<p><a href=\"{{ p.url }}\">{{ p.title }}</a></p>{% endfor %}{% endblock main %}",
            )
            .unwrap();
            }),
        ),
        (
            "delete a bibliography-using page and rename a topic",
            Box::new(|| {
                std::fs::remove_file(content.join("more/p3.md")).unwrap();
                let t = std::fs::read_to_string(content.join("p2.md")).unwrap();
                std::fs::write(content.join("p2.md"), t.replace("Topic 2", "Renamed topic"))
                    .unwrap();
            }),
        ),
    ];
    let mut last_index_mtime = None;
    for (i, (what, change)) in steps.iter().enumerate() {
        change();
        let Run {
            code,
            stderr: incremental_log,
            ..
        } = build(&root);
        assert_eq!(
            code, 0,
            "step {i} ({what}): incremental build failed: {incremental_log}"
        );
        let clean = dir.path().join(format!("clean-{i}"));
        copy_tree(&site, &clean, &["output", ".careguide-cache"]);
        let Run {
            code, stderr: err, ..
        } = build(clean.to_str().unwrap());
        assert_eq!(code, 0, "step {i} ({what}): clean build failed: {err}");
        let got = tree(&site.join("output"));
        let want = tree(&clean.join("output"));
        assert_eq!(
            got.keys().collect::<Vec<_>>(),
            want.keys().collect::<Vec<_>>(),
            "step {i} ({what}): the incremental output has other files than a clean build"
        );
        for (path, bytes) in &want {
            assert!(
                got[path] == *bytes,
                "step {i} ({what}): {path} differs from a clean build"
            );
        }
        // An unchanged page keeps its file (and modification time) when another page changes.
        let untouched = site.join("output/good-page/index.html");
        let mtime = std::fs::metadata(&untouched).unwrap().modified().unwrap();
        if (1..=6).contains(&i) {
            if let Some(prev) = last_index_mtime {
                assert_eq!(
                    mtime, prev,
                    "step {i} ({what}): an unchanged page was rewritten"
                );
            }
        }
        last_index_mtime = Some(mtime);
        if i == 1 {
            assert!(
                incremental_log.contains(" 0 written"),
                "a no-op build writes nothing: {incremental_log}"
            );
        }
    }
}

#[test]
fn a_corrupt_cache_is_rebuilt_not_trusted() {
    let (_dir, site) = fixture_site("good");
    let root = site.to_str().unwrap();
    assert_eq!(build(root).code, 0);
    let want = tree(&site.join("output"));
    // Scribble over every cache file, and damage an output file behind the cache's back.
    let mut scribbled = 0;
    for e in walkdir::WalkDir::new(site.join(".careguide-cache")) {
        let e = e.unwrap();
        if e.file_type().is_file() {
            std::fs::write(e.path(), b"{\"format\": 1, \"pages\": garbage").unwrap();
            scribbled += 1;
        }
    }
    assert!(
        scribbled > 3,
        "the cache has its manifest, report and page files"
    );
    let Run {
        code, stderr: err, ..
    } = build(root);
    assert_eq!(code, 0, "{err}");
    assert_eq!(tree(&site.join("output")), want);
    std::fs::write(site.join("output/good-page/index.html"), b"tampered").unwrap();
    let Run {
        code, stderr: err, ..
    } = build(root);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        tree(&site.join("output")),
        want,
        "a damaged output file is rebuilt"
    );
    // The damaged file was shared with the copy of the previous site kept beside the output;
    // a later build that changes another page must not bring it back.
    let other = std::fs::read_dir(site.join("content/guides"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .unwrap();
    let mut text = std::fs::read_to_string(&other).unwrap();
    text.push_str("\nOne more plain sentence.\n");
    std::fs::write(&other, text).unwrap();
    let Run {
        code, stderr: err, ..
    } = build(root);
    assert_eq!(code, 0, "{err}");
    let page = "good-page/index.html";
    assert_eq!(
        tree(&site.join("output")).get(page),
        want.get(page),
        "a damaged file came back from the previous site's copy"
    );
}

/// A build that finds nothing changed still records the stamp of a page it had to read again
/// (saved with the same text), so the next build knows the page without reading it.
#[test]
fn a_build_that_changes_nothing_records_new_stamps() {
    let (_dir, site) = fixture_site("good");
    let p1 = site.join("content/p1.md");
    std::fs::write(&p1, page(1, "Page one", false)).unwrap();
    let root = site.to_str().unwrap().to_string();
    assert_eq!(build(&root).code, 0);
    // The same text, with another modification time: read again, and nothing to rebuild.
    let old = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_577_836_800);
    set_modified(&p1, old);
    let Run {
        code, stderr: err, ..
    } = build(&root);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains(" 0 written"), "{err}");
    let manifest = std::fs::read_dir(site.join(".careguide-cache"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("manifest-")
        })
        .expect("a manifest");
    let m: serde_json::Value = serde_json::from_slice(&std::fs::read(manifest).unwrap()).unwrap();
    let (_, record) = m["pages"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(k, _)| k.ends_with("p1.md"))
        .expect("p1 is in the manifest");
    assert_eq!(
        record["stamp"]["mtime"].as_i64(),
        Some(1_577_836_800_000_000_000),
        "{record}"
    );
}

/// A page file known by its stamp (size, inode, modification and change times) is not read
/// again; an edit that keeps the size and puts the modification time back still changes the
/// change time, and must be seen.
#[test]
fn an_edit_that_keeps_size_and_modification_time_is_still_seen() {
    let (dir, site) = fixture_site("good");
    let content = site.join("content");
    std::fs::write(content.join("p1.md"), page(1, "Page one", false)).unwrap();
    std::fs::write(content.join("p2.md"), page(2, "Page two", false)).unwrap();
    let root = site.to_str().unwrap().to_string();
    assert_eq!(build(&root).code, 0);
    // Stamps are trusted only for files written well before the build that read them.
    std::thread::sleep(std::time::Duration::from_millis(3500));
    std::fs::write(content.join("p1.md"), page(1, "Page one, edited", false)).unwrap();
    assert_eq!(build(&root).code, 0);

    let p2 = content.join("p2.md");
    let before = std::fs::metadata(&p2).unwrap();
    let text = std::fs::read_to_string(&p2).unwrap();
    let edited = text.replace("Page two", "Page owt");
    assert_eq!(edited.len(), text.len());
    std::fs::write(&p2, &edited).unwrap();
    set_modified(&p2, before.modified().unwrap());
    let after = std::fs::metadata(&p2).unwrap();
    assert_eq!(after.len(), before.len());
    assert_eq!(after.modified().unwrap(), before.modified().unwrap());

    let Run {
        code, stderr: err, ..
    } = build(&root);
    assert_eq!(code, 0, "{err}");
    let clean = dir.path().join("clean");
    copy_tree(&site, &clean, &["output", ".careguide-cache"]);
    assert_eq!(build(clean.to_str().unwrap()).code, 0);
    assert_eq!(tree(&site.join("output")), tree(&clean.join("output")));
    let html = std::fs::read_to_string(site.join("output/p2/index.html")).unwrap();
    assert!(html.contains("Page owt"), "the edit is in the page");
}

/// `serve`'s own templates (the handout form, the error overlay) make no page of the site:
/// editing one must leave a build nothing to do.
#[test]
fn editing_a_serve_template_renders_nothing_again() {
    let (_dir, site) = fixture_site("good");
    let root = site.to_str().unwrap().to_string();
    // With CAREGUIDE_TIMINGS the build names its stages, "nothing to do" among them.
    let timed = || {
        careguide(["build", "--root", &root])
            .env("CAREGUIDE_TIMINGS", "1")
            .date(NOV_26_2025)
            .run()
    };
    assert_eq!(timed().code, 0);
    let serve = site.join("templates/serve");
    std::fs::create_dir_all(&serve).unwrap();
    std::fs::write(serve.join("overlay.html"), "<p>{{ errors | length }}</p>\n").unwrap();
    let r = timed();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("timing: nothing to do"), "{}", r.stderr);
    // A site template is another matter: any file under templates/ may be part of a page.
    std::fs::write(site.join("templates/extra.html"), "x\n").unwrap();
    let r = timed();
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stderr.contains("timing: nothing to do"), "{}", r.stderr);
}

/// A translation edited alone takes its references from its original, whose references the
/// cache keeps in the original's file: the output is a clean build's, references listed.
#[test]
fn a_translation_edited_alone_builds_as_a_clean_build_with_its_references() {
    let (dir, site) = fixture_site("languages");
    let root = site.to_str().unwrap().to_string();
    let first = build(&root);
    assert_eq!(first.code, 0, "{}", first.stderr);
    let es = site.join("content/kratom-withdrawal.es.md");
    let text = std::fs::read_to_string(&es).unwrap();
    std::fs::write(&es, format!("{text}\nUna frase más.\n")).unwrap();
    let again = build(&root);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert!(
        !again.stderr.contains(" 0 written"),
        "the translation is rendered again: {}",
        again.stderr
    );
    let clean = dir.path().join("clean");
    copy_tree(&site, &clean, &["output", ".careguide-cache"]);
    let fresh = build(clean.to_str().unwrap());
    assert_eq!(fresh.code, 0, "{}", fresh.stderr);
    assert_eq!(tree(&site.join("output")), tree(&clean.join("output")));
    let page =
        std::fs::read_to_string(site.join("output/es/kratom-withdrawal/index.html")).unwrap();
    assert!(page.contains("Una frase más."));
    assert!(
        page.contains("id=\"ref-1\""),
        "the translation lists its references"
    );
}
