//! `careguide taper` run as a real process on the fixture sites in tests/fixtures/taper/.

use crate::support::{careguide, Run, RunExt, TAPER_SITE};

const BAD_BLOCK: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/taper/bad-block"
);

fn taper(args: &[&str]) -> Run {
    careguide(["taper"]).args(args).run()
}

const EXAMPLE: &[&str] = &[
    "--unit",
    "g",
    "--dose",
    "20",
    "--reduction-percent",
    "10",
    "--interval-days",
    "7",
    "--step",
    "0.5",
    "--doses-per-day",
    "3",
    "--start",
    "2026-12-01",
];

#[test]
fn worked_example_as_json() {
    let mut args = EXAMPLE.to_vec();
    args.extend(["--format", "json"]);
    let o = taper(&args);
    let (out, err) = (&o.stdout, &o.stderr);
    assert_eq!(o.code, 0, "{err}");
    assert!(
        out.starts_with("{\n  \"unit\": \"g\",\n  \"start_dose\": 20,\n  \"steps\": ["),
        "{out}"
    );
    let v: serde_json::Value = serde_json::from_str(out).unwrap();
    assert_eq!(v["unit"], "g");
    assert_eq!(v["start_dose"], 20);
    let steps = v["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 24);
    assert_eq!(
        steps[0],
        serde_json::json!({"step": 1, "start": "2026-12-01", "end": "2026-12-07",
            "daily_dose": 18, "change_percent": -10, "doses": [6, 6, 6], "hold_days": 0})
    );
    assert_eq!(steps[1]["doses"], serde_json::json!([5.5, 5.5, 5]));
    assert_eq!(steps[23]["daily_dose"], 0);
    assert_eq!(steps[23]["start"], "2027-05-11");
    assert!(steps[23]["end"].is_null());
    assert_eq!(v["warnings"].as_array().unwrap().len(), 2);
    // Defaults that were filled in are listed, never silent.
    let defaults = v["defaults_applied"].to_string();
    assert!(
        defaults.contains("lowest dose before stopping"),
        "{defaults}"
    );
}

#[test]
fn table_and_csv() {
    let o = taper(EXAMPLE);
    let out = &o.stdout;
    assert_eq!(o.code, 0);
    assert!(out.contains("  24  2027-05-11  stop"), "{out}");
    assert!(out.contains("Warnings:"), "{out}");
    assert!(out.contains("Default used: mode: previous"), "{out}");
    let mut args = EXAMPLE.to_vec();
    args.extend(["--format", "csv"]);
    let o = taper(&args);
    let (out, err) = (&o.stdout, &o.stderr);
    assert_eq!(o.code, 0);
    assert!(out.starts_with("step,start,end,daily_dose,unit,change_percent,doses,hold_days\n"));
    assert_eq!(out.lines().count(), 25);
    assert!(
        err.contains("warning: step 23: 1 g to 0.5 g is a cut of 50.0%"),
        "{err}"
    );
    assert!(
        err.contains("\nsuggested: --hold 22:21 --hold 23:28\n"),
        "{err}"
    );
}

#[test]
fn warnings_name_their_cause_and_suggest_holds_that_remove_them() {
    // The table ends with the holds to pass, ready to copy.
    let o = taper(EXAMPLE);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(o
        .stdout
        .contains("is too coarse at this dose for the intended cut of 10%"));
    assert!(
        o.stdout
            .ends_with("\nsuggested: --hold 22:21 --hold 23:28\n"),
        "{}",
        o.stdout
    );
    // Passed as they are, they remove those warnings and change no dose.
    let mut args = EXAMPLE.to_vec();
    args.extend(["--hold", "22:21", "--hold", "23:28", "--format", "json"]);
    let o = taper(&args);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["warnings"], serde_json::json!([]));
    assert_eq!(v["suggested_holds"], serde_json::json!([]));
    assert_eq!(v["steps"][21]["daily_dose"], 1);
    assert_eq!(v["steps"][21]["hold_days"], 21);
    // A reduction above the limit: one warning, and no hold offered.
    let mut args = EXAMPLE.to_vec();
    args.extend(["--max-step-percent", "5", "--format", "json"]);
    let o = taper(&args);
    let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
    assert_eq!(v["warnings"].as_array().unwrap().len(), 1, "{v:#}");
    assert!(v["warnings"][0].as_str().unwrap().starts_with(
        "the reduction of 10% of the previous dose per step is above the limit of 5% per step"
    ));
    assert_eq!(v["suggested_holds"], serde_json::json!([]));
    // A linear taper's growing cuts.
    let o = taper(&[
        "--unit",
        "g",
        "--dose",
        "10",
        "--reduction-percent",
        "20",
        "--interval-days",
        "7",
        "--step",
        "0.5",
        "--mode",
        "initial",
        "--start",
        "2026-12-01",
        "--hold",
        "4:3",
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(
        o.stdout.contains(
            "- step 3: 6 g to 4 g is a cut of 33.3%, more than 25%: a linear taper (mode initial)"
        ),
        "{}",
        o.stdout
    );
    assert!(
        o.stdout
            .ends_with("suggested: --hold 3:7 --hold 4:7 (in place of --hold 4:3)\n"),
        "{}",
        o.stdout
    );
    // The limits and the rounding are in --help.
    let o = taper(&["--help"]);
    for text in [
        "1 to 365 days per step",
        "at most 1,000 steps",
        "12.25% is 12.3%",
    ] {
        assert!(o.stdout.contains(text), "{text}: {}", o.stdout);
    }
}

#[test]
fn page_supplies_unit_defaults_and_limits() {
    let o = taper(&[
        "--root",
        TAPER_SITE,
        "--page",
        "kratom-withdrawal",
        "--dose",
        "20",
        "--start",
        "2026-12-01",
        "--format",
        "json",
    ]);
    let (out, err) = (&o.stdout, &o.stderr);
    assert_eq!(o.code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out).unwrap();
    assert_eq!(v["substance"], "kratom leaf powder");
    assert_eq!(v["steps"].as_array().unwrap().len(), 24);
    assert!(v["defaults_applied"]
        .to_string()
        .contains("reduction percent: 10% (the page's default)"));
}

fn fails(args: &[&str], code: i32, message: &str) {
    let o = taper(args);
    let (out, err) = (&o.stdout, &o.stderr);
    assert_eq!(o.code, code, "{args:?}: {err}");
    assert!(
        err.contains(message),
        "{args:?}: expected '{message}' in: {err}"
    );
    assert!(
        out.is_empty(),
        "{args:?}: nothing on stdout when failing: {out}"
    );
}

#[test]
fn every_bad_input_has_its_message() {
    let with = |opt: &str, val: &str| -> Vec<String> {
        let mut v: Vec<String> = EXAMPLE.iter().map(|s| s.to_string()).collect();
        let i = v.iter().position(|a| a == opt).unwrap();
        v[i + 1] = val.to_string();
        v
    };
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            with("--dose", "0"),
            "--dose: the start dose must be more than 0",
        ),
        (
            with("--dose", "-5"),
            "--dose: the start dose must be more than 0",
        ),
        (with("--dose", "twenty"), "--dose: 'twenty' is not a number"),
        (
            with("--reduction-percent", "0"),
            "more than 0% and at most 50%",
        ),
        (
            with("--reduction-percent", "55"),
            "more than 0% and at most 50% (got 55%)",
        ),
        (
            with("--interval-days", "0"),
            "--interval-days: the days per step must be a whole number from 1",
        ),
        (
            with("--step", "0"),
            "--step: the smallest measurable amount must be more than 0",
        ),
        (with("--step", "25"), "is larger than the start dose"),
        (
            with("--doses-per-day", "13"),
            "--doses-per-day: the doses per day must be a whole number from 1 to 12",
        ),
        (with("--doses-per-day", "0"), "from 1 to 12"),
        (
            with("--start", "2027-02-30"),
            "--start: '2027-02-30' is not a real calendar date",
        ),
        (
            with("--start", "tomorrow"),
            "is not a date in the form YYYY-MM-DD",
        ),
        (with("--unit", "kg"), "--unit: unknown unit 'kg'"),
    ];
    for (args, msg) in cases {
        let refs: Vec<&str> = args.iter().map(|s| s.as_str()).collect();
        fails(&refs, 1, msg);
    }
    let mut args = EXAMPLE.to_vec();
    args.extend(["--min-dose", "-1"]);
    fails(
        &args,
        1,
        "--min-dose: the lowest dose before stopping cannot be below 0",
    );
    let mut args = EXAMPLE.to_vec();
    args.extend(["--hold", "30:7"]);
    fails(
        &args,
        1,
        "--hold: there is no step 30: this schedule has 24 steps",
    );
    let mut args = EXAMPLE.to_vec();
    args.extend(["--hold", "3-7"]);
    fails(&args, 1, "--hold: '3-7' is not a hold: write STEP:DAYS");
    fails(&["--dose", "20"], 1, "--unit: no unit");
}

#[test]
fn page_problems() {
    fails(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawl",
            "--dose",
            "20",
        ],
        1,
        "no page 'kratom-withdrawl'",
    );
    fails(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawl",
            "--dose",
            "20",
        ],
        1,
        "did you mean 'kratom-withdrawal'?",
    );
    fails(
        &["--root", TAPER_SITE, "--page", "sleep", "--dose", "20"],
        1,
        "the page 'sleep' (content/sleep.md) has no taper: block",
    );
    fails(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--dose",
            "20",
            "--reduction-percent",
            "30",
        ],
        1,
        "--reduction-percent: 30% is above the page's limit of 25%",
    );
    fails(
        &[
            "--root",
            TAPER_SITE,
            "--page",
            "kratom-withdrawal",
            "--dose",
            "20",
            "--unit",
            "mg",
        ],
        1,
        "the page doses in g, not mg",
    );
    fails(
        &["--root", BAD_BLOCK, "--page", "bad", "--dose", "20"],
        1,
        "unknown field `reducton_percent`",
    );
    fails(
        &["--root", "/nonexistent/site", "--page", "x", "--dose", "20"],
        2,
        "no careguide.toml",
    );
}

#[test]
fn initial_mode_and_holds() {
    let o = taper(&[
        "--unit",
        "tablets",
        "--dose",
        "4",
        "--reduction-percent",
        "25",
        "--interval-days",
        "14",
        "--step",
        "0.5",
        "--mode",
        "initial",
        "--hold",
        "2:7",
        "--start",
        "2026-12-01",
        "--format",
        "json",
    ]);
    let (out, err) = (&o.stdout, &o.stderr);
    assert_eq!(o.code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(out).unwrap();
    let doses: Vec<f64> = v["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["daily_dose"].as_f64().unwrap())
        .collect();
    assert_eq!(doses, vec![3.0, 2.0, 1.0, 0.0]);
    assert_eq!(v["steps"][1]["start"], "2026-12-15");
    assert_eq!(v["steps"][1]["end"], "2027-01-04");
    assert_eq!(v["steps"][1]["hold_days"], 7);
    assert_eq!(v["steps"][2]["start"], "2027-01-05");
    assert_eq!(v["unit"], "tablets");
    assert_eq!(v["mode"], "initial");
}
