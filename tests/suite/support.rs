//! What the integration tests share: running the careguide binary, the fixture sites and their
//! copies, and reading what a run wrote.
//!
//! Every test of the suite runs in one process, beside the others: environment is set on the
//! child (`Command::env`), never on this process (`std::env::set_var` would reach every test
//! running at the time), and every test works in its own temporary folder.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The repository: the sample site (`careguide.toml`, `content/`, `templates/`), `tests/`.
pub const REPO: &str = env!("CARGO_MANIFEST_DIR");
/// The taper fixture site, which the handout and taper commands only read.
pub const TAPER_SITE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/taper/site");

/// `SOURCE_DATE_EPOCH` for 2026-01-15: review dates are judged as of this day, so the
/// fixtures' reviews stay current.
pub const JAN_15_2026: &str = "1768435200";
/// `SOURCE_DATE_EPOCH` for 2025-11-26.
pub const NOV_26_2025: &str = "1764115200";

/// `careguide ARGS`, to be run with [`RunExt::run`] or spawned. As any `Command`, it inherits
/// the test's environment: a test whose result depends on the date says which with
/// [`RunExt::date`] or [`RunExt::no_date`].
pub fn careguide<I, S>(args: I) -> Command
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut c = Command::new(env!("CARGO_BIN_EXE_careguide"));
    c.args(args);
    c
}

/// A finished run of careguide.
pub struct Run {
    /// The exit code; -1 when a signal ended the process.
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// The bytes, for a test that looks for more than text.
    pub output: Output,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            output,
        }
    }
}

impl Run {
    /// Assert that careguide did not panic.
    #[track_caller]
    pub fn no_panic(self) -> Run {
        assert!(
            !self.stderr.contains("panicked"),
            "careguide panicked: {}",
            self.stderr
        );
        self
    }

    /// Assert that careguide neither panicked nor reported an internal error.
    #[track_caller]
    pub fn no_crash(self) -> Run {
        assert!(
            !self.stderr.contains("panicked") && !self.stderr.contains("internal error"),
            "careguide panicked: {}",
            self.stderr
        );
        self
    }

    /// The report printed by `--format json`.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "no JSON report on stdout ({e}): {}\nstderr: {}",
                self.stdout, self.stderr
            )
        })
    }
}

/// What a test does with a careguide `Command`.
pub trait RunExt {
    /// Run as of `epoch` (a `SOURCE_DATE_EPOCH` value) whatever the test's own environment.
    fn date(&mut self, epoch: &str) -> &mut Self;
    /// Run with no `SOURCE_DATE_EPOCH`, so the clock decides the date.
    fn no_date(&mut self) -> &mut Self;
    /// Run to the end with no input, capturing the exit code and both streams.
    fn run(&mut self) -> Run;
}

impl RunExt for Command {
    fn date(&mut self, epoch: &str) -> &mut Command {
        self.env("SOURCE_DATE_EPOCH", epoch)
    }

    fn no_date(&mut self) -> &mut Command {
        self.env_remove("SOURCE_DATE_EPOCH")
    }

    fn run(&mut self) -> Run {
        Run::from(self.output().expect("the careguide binary runs"))
    }
}

/// `careguide check --root ROOT --format json` as of `date` (`None`: the clock): the exit code
/// and the report. Asserts that careguide neither panicked nor reported an internal error.
#[track_caller]
pub fn check_json(root: &Path, date: Option<&str>) -> (i32, serde_json::Value) {
    let mut c = careguide(["check", "--root"]);
    c.arg(root).args(["--format", "json"]);
    match date {
        Some(d) => c.date(d),
        None => c.no_date(),
    };
    let r = c.run().no_crash();
    (r.code, r.json())
}

/// Every finding of `rule` in a JSON report.
pub fn findings<'a>(v: &'a serde_json::Value, rule: &str) -> Vec<&'a serde_json::Value> {
    v["diagnostics"]
        .as_array()
        .map(|a| a.iter().filter(|d| d["rule"] == rule).collect())
        .unwrap_or_default()
}

/// `tests/fixtures/NAME` itself (`"good"`, `"cite/retracted"`): for runs that write nothing
/// into the site. A test that changes the site, or builds into it, uses [`fixture_site`].
pub fn fixture(name: &str) -> PathBuf {
    Path::new(REPO).join("tests/fixtures").join(name)
}

/// A copy of `tests/fixtures/NAME` in `site/` of a new temporary folder, and the copy's path.
/// The folder is removed when the returned guard is dropped.
pub fn fixture_site(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_dir(&fixture(name), &site);
    (dir, site)
}

/// A copy of the sample site (the repository's `careguide.toml`, `content/` and `templates/`)
/// in `to`.
pub fn sample_site(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    std::fs::copy(
        Path::new(REPO).join("careguide.toml"),
        to.join("careguide.toml"),
    )
    .unwrap();
    for d in ["content", "templates"] {
        copy_dir(&Path::new(REPO).join(d), &to.join(d));
    }
}

/// Copy the folder `from` (a fixture) to `to`, recursively, so a test can change its copy.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

/// Every file under `dir` (following symbolic links), sorted. What cannot be read is left out:
/// nothing at all for a folder that does not exist, and files removed while it looks.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    files
}

/// Every file under `dir` (following symbolic links) with its bytes, by its path relative to
/// `dir`: two trees are equal when they hold the same files with the same bytes.
pub fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .follow_links(true)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            (
                e.path().strip_prefix(dir).unwrap().display().to_string(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// The text of a PDF (`layout`: laid out as on the page, in reading order), when poppler's
/// pdftotext is installed; `None` otherwise.
pub fn pdftotext(pdf: &Path, layout: bool) -> Option<String> {
    let mut c = Command::new("pdftotext");
    if layout {
        c.arg("-layout");
    }
    let o = c.arg(pdf).arg("-").output().ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}
