//! How findings are printed: the human format stays readable with thousands of warnings (errors
//! first, at most `--show-warnings N` warnings, the rest counted by rule), while JSON and GitHub
//! formats keep every finding; GitHub annotations go to standard output with paths from the
//! repository's root.

use std::path::Path;

use crate::support::{careguide, fixture_site, RunExt, JAN_15_2026};

/// A page with `n` uncited statements (one warning each), and a page after it in file order
/// that cites a key no bibliography has (an error).
fn many_warnings(site: &Path, n: usize) {
    let good = std::fs::read_to_string(site.join("content/good-page.md")).unwrap();
    let mut page = good.replace("title: A good page", "title: Many statements");
    for i in 0..n {
        page.push_str(&format!(
            "\nStatement number {i} says something about the dose without any source.\n"
        ));
    }
    std::fs::write(site.join("content/many.md"), page).unwrap();
    let bad = good
        .replace("title: A good page", "title: Last page")
        .replace("again [@weiss2021]", "again [@nosuchkey2020]");
    std::fs::write(site.join("content/zz-last.md"), bad).unwrap();
}

fn check(site: &Path, extra: &[&str]) -> crate::support::Run {
    let mut c = careguide(["check", "--root"]);
    c.arg(site).args(extra).date(JAN_15_2026);
    c.run().no_crash()
}

#[test]
fn human_format_prints_errors_first_then_fifty_warnings_and_a_count() {
    let (_dir, site) = fixture_site("good");
    many_warnings(&site, 80);
    let r = check(&site, &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let err = &r.stderr;
    let error_at = err.find("error[cite/unknown-key]").expect(err);
    let first_warning = err.find("warning[").expect(err);
    assert!(error_at < first_warning, "errors come first:\n{err}");
    assert_eq!(
        err.matches("warning[cite/uncited-claim]").count(),
        50,
        "{err}"
    );
    assert!(
        err.contains("... and 30 more warning(s) not shown: cite/uncited-claim 30"),
        "{err}"
    );
    assert!(err.contains("--all-warnings prints them all"), "{err}");
    assert!(err.contains("1 error(s), 80 warning(s)"), "{err}");

    let r = check(&site, &["--show-warnings", "5"]);
    assert_eq!(err_count(&r.stderr), 5);
    assert!(r.stderr.contains("... and 75 more"), "{}", r.stderr);

    let r = check(&site, &["--all-warnings"]);
    assert_eq!(err_count(&r.stderr), 80);
    assert!(!r.stderr.contains("not shown"), "{}", r.stderr);

    // The two options contradict each other.
    let r = check(&site, &["--all-warnings", "--show-warnings", "3"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
}

fn err_count(stderr: &str) -> usize {
    stderr.matches("warning[cite/uncited-claim]").count()
}

#[test]
fn json_and_github_formats_keep_every_finding() {
    let (_dir, site) = fixture_site("good");
    many_warnings(&site, 80);
    let r = check(&site, &["--format", "json"]);
    assert_eq!(r.json()["warnings"], 80);
    let listed = r.json()["diagnostics"].as_array().unwrap().len();
    assert_eq!(listed, 81);
    let r = check(&site, &["--format", "github", "--show-warnings", "1"]);
    assert_eq!(r.stdout.matches("::warning ").count(), 80, "{}", r.stdout);
    assert_eq!(r.stdout.matches("::error ").count(), 1, "{}", r.stdout);
}

/// `check --format github` of `site`, with `GITHUB_WORKSPACE` set to `workspace` or unset.
fn github(site: &Path, workspace: Option<&Path>) -> crate::support::Run {
    let mut c = careguide(["check", "--format", "github", "--root"]);
    c.arg(site);
    match workspace {
        Some(w) => c.env("GITHUB_WORKSPACE", w),
        None => c.env_remove("GITHUB_WORKSPACE"),
    };
    c.date(JAN_15_2026).run().no_crash()
}

#[test]
fn github_annotations_go_to_stdout_with_paths_from_the_repository_root() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("repo");
    let site = repo.join("docs/clinic");
    crate::support::copy_dir(&crate::support::fixture("bad/unknown-citation"), &site);
    let want = "::error file=docs/clinic/content/page.md,line=26,col=42,title=cite/unknown-key::";

    // Not in a repository: paths from the site's root, as before.
    let r = github(&site, None);
    assert_eq!(r.code, 1);
    assert!(
        r.stdout.contains("::error file=content/page.md,line=26"),
        "{}",
        r.stdout
    );
    assert!(r.stderr.is_empty(), "nothing else is printed: {}", r.stderr);

    // A git checkout: from the folder holding `.git`, the site given by a relative path too.
    std::fs::create_dir(repo.join(".git")).unwrap();
    let r = github(&site, None);
    assert!(r.stdout.contains(want), "{}", r.stdout);
    let mut c = careguide(["check", "--format", "github", "--root", "docs/clinic"]);
    c.current_dir(&repo)
        .env_remove("GITHUB_WORKSPACE")
        .date(JAN_15_2026);
    let r = c.run().no_crash();
    assert!(r.stdout.contains(want), "{}", r.stdout);

    // In GitHub Actions the workspace is the repository's root.
    let r = github(&site, Some(&repo.join("docs")));
    assert!(
        r.stdout
            .contains("::error file=clinic/content/page.md,line=26"),
        "{}",
        r.stdout
    );
}
