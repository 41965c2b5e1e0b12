//! Writes a synthetic clinic site for benchmarks: N guidance pages of 4 to 8 KB, 5 to 8
//! sections, lists, a table now and then, 10 to 25 references, citations on most bullets and
//! some audience blocks.
//!
//! `cargo run --release --example gen_corpus -- N DIR`
//!
//! The text is filler built from a fixed vocabulary: it exercises the build, it is not advice.

use std::fmt::Write as _;
use std::path::Path;

/// A small deterministic generator (xorshift64*), so every run writes the same corpus.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + (self.next() % (hi - lo + 1) as u64) as usize
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.range(0, xs.len() - 1)]
    }
}

const WORDS: &[&str] = &[
    "dose",
    "clinic",
    "review",
    "symptom",
    "plan",
    "week",
    "patient",
    "support",
    "sleep",
    "pain",
    "follow-up",
    "medicine",
    "taper",
    "monitor",
    "change",
    "family",
    "visit",
    "risk",
    "benefit",
    "treatment",
    "record",
    "amount",
    "daily",
    "slowly",
    "careful",
    "together",
    "measure",
    "appointment",
    "question",
    "answer",
    "evidence",
    "guideline",
    "option",
];
const HEADINGS: &[&str] = &[
    "Assessment",
    "Starting treatment",
    "Adjusting the plan",
    "Monitoring",
    "Medicines",
    "Special situations",
    "Follow-up",
    "When to call",
    "Living with the condition",
    "Prevention",
];
const JOURNALS: &[&str] = &[
    "J Addict Med",
    "Drug Alcohol Depend",
    "Addiction",
    "BMJ",
    "Lancet",
];
const SURNAMES: &[&str] = &[
    "Smith", "Garcia", "Nguyen", "Okafor", "Larsen", "Kim", "Rossi",
];

fn sentence(rng: &mut Rng) -> String {
    let n = rng.range(5, 10);
    let mut s = String::new();
    for i in 0..n {
        let w = rng.pick(WORDS);
        if i == 0 {
            let mut c = w.chars();
            if let Some(f) = c.next() {
                s.extend(f.to_uppercase());
                s.push_str(c.as_str());
            }
        } else {
            s.push(' ');
            s.push_str(w);
        }
    }
    s
}

fn page(i: usize, rng: &mut Rng) -> String {
    let nrefs = rng.range(10, 25);
    let mut fm = String::new();
    let topic = rng.pick(&["Substance use", "Pain", "Sleep", "Heart", "Diabetes"]);
    let status = if i.is_multiple_of(10) {
        "draft"
    } else {
        "approved"
    };
    let _ = writeln!(
        fm,
        "---\ntitle: Guidance page {i}\nsummary: {} [@r{i}x1].",
        sentence(rng)
    );
    let _ = writeln!(
        fm,
        "topics: [{topic}]\nupdated: 2026-0{}-1{}",
        rng.range(1, 9),
        rng.range(0, 9)
    );
    let _ = writeln!(fm, "review:\n  status: {status}");
    if status == "approved" {
        fm.push_str("  reviewers: [\"Reviewer One, MD\"]\n  last_reviewed: 2026-01-15\n  next_review: 2027-01-15\n");
    }
    fm.push_str("references:\n");
    for r in 1..=nrefs {
        let authors = rng.range(1, 8);
        let names: Vec<String> = (0..authors)
            .map(|a| {
                format!(
                    "\"{} {}\"",
                    rng.pick(SURNAMES),
                    ["A", "B", "CD", "E"][a % 4]
                )
            })
            .collect();
        let _ = writeln!(
            fm,
            "  - id: r{i}x{r}\n    authors: [{}]\n    title: {}\n    journal: {}\n    year: {}\n    volume: \"{}\"\n    pages: {}-{}\n    doi: 10.{}/cg.{i}.{r}",
            names.join(", "),
            sentence(rng),
            rng.pick(JOURNALS),
            rng.range(1995, 2025),
            rng.range(1, 300),
            rng.range(1, 500),
            rng.range(501, 900),
            rng.range(1000, 9999),
        );
    }
    fm.push_str("---\n");
    let mut body = String::new();
    let sections = rng.range(5, 8);
    for s in 0..sections {
        let _ = writeln!(body, "\n## {} {}\n", rng.pick(HEADINGS), s + 1);
        let _ = writeln!(body, "{} {}.\n", sentence(rng), sentence(rng));
        let block = match rng.range(0, 3) {
            0 => Some("patient caregiver"),
            1 => Some("clinician"),
            _ => None,
        };
        if let Some(b) = block {
            let _ = writeln!(body, "::: {b}");
        }
        for _ in 0..rng.range(2, 4) {
            let r = rng.range(1, nrefs);
            if rng.range(0, 4) > 0 {
                let _ = writeln!(body, "- {} [@r{i}x{r}].", sentence(rng));
            } else {
                let _ = writeln!(body, "- {}.", sentence(rng));
            }
        }
        if block.is_some() {
            body.push_str(":::\n");
        }
        if rng.range(0, 4) == 0 {
            body.push_str("\n| Step | Amount | Days |\n|---|---|---|\n");
            for k in 1..=4 {
                let _ = writeln!(body, "| {k} | {} | 7 |", 20 - 2 * k);
            }
        }
    }
    // Cite every reference once so none is reported as uncited.
    body.push_str("\n## Evidence\n\n");
    for r in 1..=nrefs {
        let _ = write!(body, "{} [@r{i}x{r}]. ", rng.pick(WORDS));
    }
    body.push('\n');
    fm + &body
}

const CONFIG: &str = r#"title = "Benchmark clinic"
clinic = "Benchmark Clinic"
base_url = "https://bench.example.org/"
default_audience = "patient"

[[audiences]]
id = "patient"
label = "Patient"
disclaimer = "General information only."

[[audiences]]
id = "caregiver"
label = "Family or caregiver"
disclaimer = "General information only."

[[audiences]]
id = "clinician"
label = "Healthcare professional"
disclaimer = "For professionals."

[rules]
"audience/reading-level" = "off"
"cite/uncited-claim" = "off"
"#;

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(dir)) = (
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
        args.get(2),
    ) else {
        eprintln!("usage: gen_corpus N DIR");
        return std::process::ExitCode::from(2);
    };
    let dir = Path::new(dir);
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir.join("content"))?;
        std::fs::write(dir.join("careguide.toml"), CONFIG)?;
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..n {
            let sub = format!("content/section-{}", i / 500);
            std::fs::create_dir_all(dir.join(&sub))?;
            std::fs::write(dir.join(format!("{sub}/page-{i}.md")), page(i, &mut rng))?;
        }
        Ok(())
    };
    match write() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("gen_corpus: {e}");
            std::process::ExitCode::from(2)
        }
    }
}
