//! What the integration tests share: running the careguide binary, and copying fixture sites.
//!
//! Every test of the suite runs in one process, beside the others: environment is set on the
//! child (`Command::env`), never on this process (`std::env::set_var` would reach every test
//! running at the time), and every test works in its own temporary folder.

use std::ffi::OsStr;
use std::path::Path;
use std::process::{Command, Output};

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
