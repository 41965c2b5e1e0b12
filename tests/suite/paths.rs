//! No input makes careguide read outside the site root or write outside the output folder:
//! symbolic links in content/, templates/ and bibliography files, `..` in paths named by
//! careguide.toml, and `--out` at the root, content/, templates/ or `/`.

use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};

use crate::support::{careguide, fixture_site, RunExt, JAN_15_2026};

const SECRET: &str = "SECRET-OUTSIDE-THE-SITE";

/// A good site in `tmp/site` and, beside it, files that must never be read.
fn setup() -> (tempfile::TempDir, PathBuf) {
    let (tmp, root) = fixture_site("good");
    let out = tmp.path().join("outside");
    std::fs::create_dir_all(out.join("dir")).unwrap();
    std::fs::write(
        out.join("page.html"),
        format!("{{% extends \"base.html\" %}}{{% block main %}}{SECRET}{{% endblock main %}}"),
    )
    .unwrap();
    std::fs::write(out.join("glossary.yaml"), format!("secret: {SECRET}\n")).unwrap();
    std::fs::write(
        out.join("refs.bib"),
        format!("@article{{sec, title={{{SECRET}}}, year=2020}}\n"),
    )
    .unwrap();
    std::fs::write(out.join("style.csl"), format!("<style>{SECRET}</style>")).unwrap();
    std::fs::write(out.join("r.csv"), SECRET).unwrap();
    let page = std::fs::read_to_string(root.join("content/good-page.md")).unwrap();
    std::fs::write(
        out.join("dir/secret.md"),
        page.replacen("title:", &format!("title: {SECRET}\nx:"), 1),
    )
    .unwrap();
    (tmp, root)
}

/// A build or check: exit code, JSON report, and both streams together.
struct Outcome {
    code: i32,
    json: serde_json::Value,
    all: String,
}

fn run(root: &Path, args: &[&str]) -> Outcome {
    let r = careguide(args)
        .arg("--root")
        .arg(root)
        .args(["--format", "json"])
        .date(JAN_15_2026)
        .run()
        .no_panic();
    Outcome {
        code: r.code,
        json: serde_json::from_str(&r.stdout).unwrap_or(serde_json::Value::Null),
        all: r.stdout + &r.stderr,
    }
}

fn rules(r: &Outcome) -> Vec<String> {
    r.json["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter(|d| d["severity"] == "error")
                .map(|d| d["rule"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Build the site: it must fail with `rule`, write nothing, and show nothing of the secret.
fn refused(root: &Path, rule: &str) {
    let r = run(root, &["build"]);
    assert_ne!(r.code, 0, "{}", r.all);
    assert!(
        rules(&r).iter().any(|x| x == rule),
        "{rule} not in {}",
        r.all
    );
    assert!(!r.all.contains(SECRET), "the secret was read: {}", r.all);
    assert!(!root.join("output").exists());
}

#[test]
fn a_template_linking_out_of_the_site_is_refused() {
    let (tmp, root) = setup();
    std::fs::create_dir_all(root.join("templates")).unwrap();
    symlink(
        tmp.path().join("outside/page.html"),
        root.join("templates/page.html"),
    )
    .unwrap();
    refused(&root, "template/outside-site");
}

#[test]
fn a_templates_folder_linking_out_of_the_site_is_refused() {
    let (tmp, root) = setup();
    std::fs::create_dir_all(tmp.path().join("outside/templates")).unwrap();
    std::fs::copy(
        tmp.path().join("outside/page.html"),
        tmp.path().join("outside/templates/page.html"),
    )
    .unwrap();
    symlink(tmp.path().join("outside/templates"), root.join("templates")).unwrap();
    refused(&root, "template/outside-site");
}

#[test]
fn content_links_out_of_the_site_are_refused() {
    let (tmp, root) = setup();
    symlink(tmp.path().join("outside/dir"), root.join("content/linked")).unwrap();
    refused(&root, "content/symlink-outside");
    std::fs::remove_file(root.join("content/linked")).unwrap();
    symlink(
        tmp.path().join("outside/glossary.yaml"),
        root.join("content/glossary.yaml"),
    )
    .unwrap();
    refused(&root, "content/symlink-outside");
}

fn add_to_config(root: &Path, extra: &str) {
    let p = root.join("careguide.toml");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, format!("{text}\n{extra}\n")).unwrap();
}

#[test]
fn files_named_by_the_configuration_stay_in_the_site() {
    let (tmp, root) = setup();
    add_to_config(&root, "[citations]\nstyle = \"../outside/style.csl\"");
    refused(&root, "config/citation-style");

    let (_tmp2, root) = setup();
    add_to_config(&root, "[citations]\nretractions = \"../outside/r.csv\"");
    refused(&root, "cite/retractions-outside-site");

    let (tmp3, root) = setup();
    symlink(tmp3.path().join("outside/refs.bib"), root.join("refs.bib")).unwrap();
    add_to_config(&root, "[citations]\nbibliography = [\"refs.bib\"]");
    refused(&root, "cite/bibliography-outside-root");

    let (_tmp4, root) = setup();
    add_to_config(
        &root,
        "[citations]\nbibliography = [\"../outside/refs.bib\"]",
    );
    refused(&root, "cite/bibliography-outside-root");
    drop(tmp);
}

#[test]
fn out_is_never_the_site_its_sources_or_the_file_system_root() {
    let (tmp, root) = setup();
    let link = tmp.path().join("link-to-site");
    symlink(&root, &link).unwrap();
    let before = listing(tmp.path());
    for out in [
        root.clone(),
        root.join("content"),
        root.join("content/sub"),
        root.join("templates"),
        PathBuf::from("/"),
        link.clone(),
        root.join("content/../"),
    ] {
        let r = run(&root, &["build", "--out", out.to_str().unwrap()]);
        assert_eq!(r.code, 2, "--out {}: {}", out.display(), r.all);
        assert!(
            rules(&r).iter().any(|x| x == "io/write"),
            "--out {}: {}",
            out.display(),
            r.all
        );
    }
    // Nothing was written anywhere in the site or beside it.
    assert_eq!(listing(tmp.path()), before);
    assert!(!Path::new("/.careguide-output").exists());
}

fn listing(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in walkdir::WalkDir::new(dir).follow_links(false) {
        out.push(e.unwrap().path().to_path_buf());
    }
    out.sort();
    out
}
