//! Size: huge inputs build in bounded time and memory, or fail fast with a clear limit error.
//! Every input is generated here at run time; none is committed.
//!
//! Debug-build timings on 2 cores (2026-11-26): 50 MB page refused in 0.3 s; 100,000 list
//! items built in about 11 s; lists and block quotes nested 10,000 deep refused in 0.4 s; a
//! 1 MB line built in 2 s (it took over 5 minutes before the search index's sentence splitter
//! was fixed); 10,000 references built in about 27 s, so that one is `#[ignore]`d (run it with
//! `cargo test --test suite size_limits -- --ignored`).

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::{careguide, Run, RunExt, JAN_15_2026};

const CONFIG: &str = r#"title = "Size"
clinic = "Clinic"
base_url = "https://clinic.example.org/"
default_audience = "patient"

[[audiences]]
id = "patient"
label = "Patient"
disclaimer = "Talk to your care team."
"#;

const FRONT: &str =
    "---\ntitle: A page\nsummary: The short answer.\nupdated: 2025-10-07\nreview:\n  status: draft\n";

struct Outcome {
    code: i32,
    took: Duration,
    /// The build's processor time (user and system), which other work on the machine does
    /// not stretch as it does the wall clock.
    cpu: Duration,
    /// The build's peak resident set, in MB.
    peak_mb: u64,
    errors: Vec<(String, u64, String)>,
}

/// Build a one-page site whose page is `front_extra` + `body`, and say how it went.
fn build(front_extra: &str, body: &str) -> Outcome {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    std::fs::write(root.join("careguide.toml"), CONFIG).unwrap();
    std::fs::write(
        root.join("content/page.md"),
        format!("{FRONT}{front_extra}---\n{body}"),
    )
    .unwrap();
    run(root)
}

fn run(root: &Path) -> Outcome {
    let start = Instant::now();
    let (o, peak_mb, cpu) = run_measured(
        careguide(["build", "--no-pdf", "--format", "json", "--root"])
            .arg(root)
            .date(JAN_15_2026),
    );
    let took = start.elapsed();
    let o = o.no_crash();
    let v = o.json();
    let errors = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["rule"].as_str().unwrap_or("").to_string(),
                d["line"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    Outcome {
        code: o.code,
        took,
        cpu,
        peak_mb,
        errors,
    }
}

/// Run `cmd` to the end, with the peak resident set of that process in MB. Waited for with
/// `wait4`, which reports on the one child: `getrusage(RUSAGE_CHILDREN)` would give the largest
/// of every child the test process has waited for, the builds of every other test included.
#[allow(
    clippy::zombie_processes,
    reason = "the child is reaped with wait4, which std does not know of"
)]
fn run_measured(cmd: &mut Command) -> (Run, u64, Duration) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the careguide binary runs");
    let mut stderr = child.stderr.take().unwrap();
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        stderr.read_to_end(&mut b).map(|_| b)
    });
    let mut stdout = Vec::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_end(&mut stdout)
        .unwrap();
    let stderr = err.join().unwrap().unwrap();
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: all-zero is a valid rusage.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    loop {
        // SAFETY: `status` and `usage` are valid for wait4 to fill, and `pid` is this test's
        // child, not yet waited for (`child` is dropped without waiting).
        if unsafe { libc::wait4(pid, &mut status, 0, &mut usage) } == pid {
            break;
        }
        let e = std::io::Error::last_os_error();
        assert_eq!(e.kind(), std::io::ErrorKind::Interrupted, "wait4: {e}");
    }
    let output = Output {
        status: ExitStatus::from_raw(status),
        stdout,
        stderr,
    };
    let secs = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let cpu = secs(usage.ru_utime) + secs(usage.ru_stime);
    (Run::from(output), usage.ru_maxrss as u64 / 1024, cpu)
}

fn bounded(o: &Outcome, limit: Duration) {
    assert!(o.took < limit, "took {:?}", o.took);
    let rss = o.peak_mb;
    assert!(rss < 2048, "a build used {rss} MB");
}

#[test]
fn a_50_mb_page_is_refused_at_once() {
    let para = "Stopping slowly is safer than stopping at once, and your clinic will help.\n\n";
    let body = para.repeat(50 * 1024 * 1024 / para.len() + 1);
    let o = build("", &body);
    bounded(&o, Duration::from_secs(20));
    assert_eq!(o.code, 1);
    assert_eq!(o.errors.len(), 1, "{:?}", o.errors);
    let (rule, line, msg) = &o.errors[0];
    assert_eq!((rule.as_str(), *line), ("content/too-large", 1));
    assert!(msg.contains("50.0 MB") && msg.contains("4 MB"), "{msg}");
}

#[test]
fn a_hundred_thousand_list_items_build() {
    let body: String = (0..100_000).map(|i| format!("- item {i}\n")).collect();
    let o = build("", &body);
    bounded(&o, Duration::from_secs(120));
    assert_eq!(o.code, 0, "{:?}", o.errors);
}

#[test]
fn nesting_ten_thousand_deep_is_a_limit_error() {
    for body in [
        "- ".repeat(10_000) + "deep\n",
        "> ".repeat(10_000) + "deep\n",
    ] {
        let o = build("", &format!("Intro.\n\n{body}"));
        bounded(&o, Duration::from_secs(20));
        assert_eq!(o.code, 1);
        let (rule, line, msg) = &o.errors[0];
        assert_eq!((rule.as_str(), *line), ("content/too-deep", 10), "{msg}");
        assert!(msg.contains("10000 deep"), "{msg}");
    }
    // Indentation nests lists too.
    let body: String = (0..200)
        .map(|i| format!("{}- x\n", "  ".repeat(i)))
        .collect();
    let o = build("", &body);
    assert_eq!(o.errors[0].0, "content/too-deep");
    // A hundred levels are allowed.
    let o = build("", &("> ".repeat(100) + "fine\n"));
    assert_eq!(o.code, 0, "{:?}", o.errors);
}

#[test]
fn a_one_megabyte_line_builds() {
    let body = "word ".repeat(1024 * 1024 / 5) + "\n";
    let o = build("", &body);
    bounded(&o, Duration::from_secs(60));
    assert_eq!(o.code, 0, "{:?}", o.errors);
}

#[test]
#[ignore = "about 27 s in a debug build; run with --ignored"]
fn ten_thousand_references_build() {
    let refs: String = (0..10_000)
        .map(|i| {
            format!(
                "  - id: r{i}\n    authors: [\"Smith J\"]\n    title: Reference {i}\n    journal: J Test\n    year: 2020\n"
            )
        })
        .collect();
    let body: String = (0..10_000).map(|i| format!("Claim [@r{i}]. ")).collect();
    let o = build(&format!("references:\n{refs}"), &(body + "\n"));
    bounded(&o, Duration::from_secs(300));
    assert_eq!(o.code, 0, "{:?}", o.errors);
}

/// A site for one of the shapes that once took time or memory growing faster than the input
/// (issue 16), `n` units big: the page's extra front matter, its body, and other files.
fn shape(name: &str, n: usize) -> (String, String, Vec<(&'static str, String)>) {
    let nest = |open: &str, close: &str| format!("{}{}", open.repeat(n), close.repeat(n));
    let mut files = Vec::new();
    let (front, body) = match name {
        // Quadratic heading anchors.
        "headings" => (String::new(), "## h\n\n".repeat(n)),
        // The sanitizer's HTML parser on deep nesting.
        "div" => (String::new(), format!("Text.\n\n{}\n", nest("<div>", "</div>"))),
        "front matter" => (format!("taper: {}\n", nest("[", "]")), "Text.\n".into()),
        "glossary nesting" => {
            files.push(("content/glossary.yaml", format!("t: {}\n", nest("[", "]"))));
            (String::new(), "Text.\n".into())
        }
        "yaml bibliography" => {
            files.push((
                "refs.yaml",
                format!("a:\n  type: article\n  title: {}\n", nest("[", "]")),
            ));
            ("bibliography: [refs.yaml]\n".into(), "Text.\n".into())
        }
        "bibtex" => {
            files.push((
                "refs.bib",
                format!("@article{{a,\n  title={{{}}},\n  year={{2020}}\n}}\n", nest("{", "}")),
            ));
            ("bibliography: [refs.bib]\n".into(), "Text.\n".into())
        }
        "csl-json" => {
            files.push(("refs.json", format!("[{}]\n", nest("[", "]"))));
            ("bibliography: [refs.json]\n".into(), "Text.\n".into())
        }
        "audience blocks" => (String::new(), "::: patient\nText.\n:::\n\n".repeat(n)),
        "glossary" => {
            // n terms, all used in one paragraph at the end of the page: each use made every
            // term not yet used search the rest of the paragraph again.
            let terms: String = (0..n).map(|i| format!("term{i}x: Meaning {i}.\n")).collect();
            files.push(("content/glossary.yaml", terms));
            let uses: String = (0..n).rev().map(|i| format!("a term{i}x, ")).collect();
            (String::new(), format!("{}{uses}end.\n", "Some words.\n\n".repeat(n / 4)))
        }
        // Every block a finding: each once placed by a pass from the start of the page.
        "audience findings" => (String::new(), "::: nobody\nText.\n:::\n\n".repeat(n)),
        // As "glossary", with terms that start with punctuation, which the automaton alone
        // cannot place: each was searched for again after every use.
        "glossary punctuation" => {
            let terms: String = (0..n)
                .map(|i| format!("\"-term{i}x\": Meaning {i}.\n"))
                .collect();
            files.push(("content/glossary.yaml", terms));
            let uses: String = (0..n).rev().map(|i| format!("a -term{i}x, ")).collect();
            (String::new(), format!("{}{uses}end.\n", "Some words.\n\n".repeat(n / 4)))
        }
        "citations" => (
            "references:\n  - id: r1\n    authors: [\"Smith J\"]\n    title: T\n    journal: J\n    year: 2020\n".into(),
            "[@r1] ".repeat(n),
        ),
        _ => unreachable!("{name}"),
    };
    (front, body, files)
}

/// The unit count of each shape for an input of about `bytes`.
fn units(name: &str, bytes: usize) -> usize {
    let per = match name {
        "headings" => 6,
        "div" => 11,
        "front matter" | "glossary nesting" | "yaml bibliography" | "bibtex" | "csl-json" => 2,
        "audience blocks" => 23,
        "audience findings" => 22,
        "glossary" => 40,
        "glossary punctuation" => 45,
        "citations" => 6,
        _ => unreachable!("{name}"),
    };
    bytes / per
}

fn build_shape(name: &str, bytes: usize) -> Outcome {
    let (front, body, files) = shape(name, units(name, bytes));
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    std::fs::create_dir_all(root.join("content")).unwrap();
    // A plain-language audience, for the glossary to be used.
    let config = CONFIG.replace(
        "label = \"Patient\"\n",
        "label = \"Patient\"\nplain = true\n",
    );
    std::fs::write(root.join("careguide.toml"), config).unwrap();
    std::fs::write(
        root.join("content/page.md"),
        format!("{FRONT}{front}---\n{body}"),
    )
    .unwrap();
    for (path, text) in files {
        std::fs::write(root.join(path), text).unwrap();
    }
    run(root)
}

const SHAPES: &[&str] = &[
    "headings",
    "div",
    "front matter",
    "glossary nesting",
    "yaml bibliography",
    "bibtex",
    "csl-json",
    "audience blocks",
    "audience findings",
    "glossary",
    "glossary punctuation",
    "citations",
];

/// Every shape of issue 16 at about 50 KB and at 8 times that: the larger takes at most
/// twice the size ratio (16 times) the processor time of the smaller, and what it reports
/// (built, or the limit error) is the same. The two runs of a shape are compared with each
/// other, never with a clock. `cargo test --release --test suite work_grows -- --nocapture`
/// prints the figures the README gives.
#[test]
fn work_grows_linearly_on_every_hostile_shape() {
    let mut worst = (0.0f64, "");
    for &name in SHAPES {
        let small = build_shape(name, 50_000);
        let large = build_shape(name, 400_000);
        // The kinds of error (a shape of findings has one per unit).
        let rules = |o: &Outcome| {
            let mut r: Vec<String> = o.errors.iter().map(|e| e.0.clone()).collect();
            r.dedup();
            r
        };
        assert_eq!(
            small.code, large.code,
            "{name}: {:?} {:?}",
            small.errors, large.errors
        );
        assert_eq!(rules(&small), rules(&large), "{name}");
        // A floor of 10 ms keeps a run too quick to time from making the ratio noise.
        let floor = Duration::from_millis(10);
        let ratio = large.cpu.max(floor).as_secs_f64() / small.cpu.max(floor).as_secs_f64();
        println!(
            "{name:18} 50 KB: {:>7.3} s  400 KB: {:>7.3} s  ratio {ratio:5.2}  peak {} MB  {:?}",
            small.cpu.as_secs_f64(),
            large.cpu.as_secs_f64(),
            large.peak_mb,
            rules(&large)
        );
        if ratio > worst.0 {
            worst = (ratio, name);
        }
        assert!(
            ratio <= 16.0,
            "{name}: 8x the input took {ratio:.1}x the time"
        );
    }
    println!("largest ratio: {:.2} ({})", worst.0, worst.1);
}

/// The errors the shapes above must end in.
#[test]
fn hostile_shapes_end_in_their_limit_errors() {
    for (name, rule, line) in [
        ("div", "content/too-deep", 10),
        ("front matter", "front-matter/too-deep", 7),
        ("glossary nesting", "glossary/too-deep", 1),
        ("yaml bibliography", "cite/too-deep", 3),
        ("bibtex", "cite/too-deep", 2),
        ("csl-json", "cite/too-deep", 1),
        ("citations", "cite/malformed", 14),
        ("audience findings", "audience/unknown", 8),
    ] {
        let o = build_shape(name, 50_000);
        assert_eq!(o.code, 1, "{name}: {:?}", o.errors);
        assert!(
            o.errors.iter().any(|(r, l, _)| r == rule && *l == line),
            "{name}: {:?}",
            o.errors
        );
    }
    // Under the limits they build.
    for (name, n) in [("div", 100), ("front matter", 2), ("audience blocks", 100)] {
        let (front, body, _) = shape(name, n);
        let o = build(&front, &body);
        let deep: Vec<_> = o
            .errors
            .iter()
            .filter(|e| e.0.ends_with("too-deep"))
            .collect();
        assert!(deep.is_empty(), "{name}: {deep:?}");
    }
}

/// A 4 MB page (the largest careguide reads) of citations is refused at the cap, and a refused
/// page is not rendered. It peaked at 1.28 GB before the cap, 442 MB with the cap while the
/// page was still rendered, and 152 MB now (release): under 50 times the page, as issue 16
/// asks.
#[test]
fn a_four_megabyte_page_of_citations_stays_in_memory_bounds() {
    let body = "[@r1] ".repeat((4 * 1024 * 1024 - 400) / 6);
    let (front, _, _) = shape("citations", 0);
    let o = build(&front, &body);
    assert_eq!(o.code, 1);
    assert!(
        o.errors[0].2.contains("more than 5000 citations"),
        "{:?}",
        o.errors
    );
    assert!(o.peak_mb < 200, "a 4 MB page peaked at {} MB", o.peak_mb);
}
