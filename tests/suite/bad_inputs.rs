//! The catalogue of bad inputs: every folder under `tests/fixtures/bad/` is a site with one
//! problem, and its `expect.toml` names the exit code, rule, file, line (and column) and a
//! fragment of the message the real binary must report for it. None may panic.
//!
//! `expect.toml` keys: `code`, `rule`, `file` (omitted: no file), `line`, `column` (optional),
//! `message`, `hint` (optional: a fragment of the hint) and `command` (`check` unless the problem
//! only shows when rendering: `build`).

use std::path::Path;

use crate::support::{careguide, fixture, RunExt, JAN_15_2026};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    #[serde(default = "check")]
    command: String,
    code: i32,
    rule: String,
    file: Option<String>,
    line: u64,
    column: Option<u64>,
    message: String,
    hint: Option<String>,
}

fn check() -> String {
    "check".to_string()
}

fn run_case(dir: &Path, out: &Path) -> Result<(), String> {
    let text = std::fs::read_to_string(dir.join("expect.toml"))
        .map_err(|e| format!("no expect.toml: {e}"))?;
    let want: Expect = toml::from_str(&text).map_err(|e| format!("bad expect.toml: {e}"))?;
    let mut cmd = careguide([&want.command]);
    cmd.arg("--root")
        .arg(dir)
        .args(["--format", "json"])
        .date(JAN_15_2026);
    if want.command == "build" {
        cmd.arg("--out").arg(out);
    }
    let got = cmd.run();
    if got.stderr.contains("panicked") || got.stderr.contains("internal error") {
        return Err(format!("crashed: {}", got.stderr));
    }
    // A failed build leaves the site's folder as it was: no cache files behind.
    if dir.join(".careguide-cache").exists() {
        return Err("the failed run left .careguide-cache/ in the site".into());
    }
    if got.code != want.code {
        return Err(format!("exit code {}, expected {}", got.code, want.code));
    }
    let v: serde_json::Value = serde_json::from_str(&got.stdout)
        .map_err(|e| format!("no JSON on stdout ({e}): {}", got.stdout))?;
    let diags = v["diagnostics"].as_array().cloned().unwrap_or_default();
    let hit = diags.iter().find(|d| {
        d["rule"] == want.rule.as_str()
            && d["file"].as_str() == want.file.as_deref()
            && d["line"].as_u64() == Some(want.line)
            && want.column.is_none_or(|c| d["column"].as_u64() == Some(c))
            && d["message"]
                .as_str()
                .is_some_and(|m| m.contains(&want.message))
            && want
                .hint
                .as_deref()
                .is_none_or(|h| d["hint"].as_str().is_some_and(|got| got.contains(h)))
    });
    match hit {
        Some(d) if d["severity"] == "error" => Ok(()),
        Some(d) => Err(format!("found as {}, not an error", d["severity"])),
        None => Err(format!(
            "no {} at {:?}:{} with '{}' (hint {:?}); got {:#}",
            want.rule, want.file, want.line, want.message, want.hint, v["diagnostics"]
        )),
    }
}

#[test]
fn every_bad_input_gets_its_diagnostic() {
    let root = fixture("bad");
    let tmp = tempfile::tempdir().unwrap();
    let mut cases: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(
        cases.len() >= 100,
        "the catalogue has {} cases",
        cases.len()
    );
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|dir| {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            run_case(dir, &tmp.path().join(&name))
                .err()
                .map(|e| format!("{name}: {e}"))
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
