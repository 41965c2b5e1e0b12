//! Writes a synthetic clinic site for benchmarks: N guidance pages of 4 to 8 KB, 5 to 8
//! sections, lists, a table now and then, 10 to 25 references, citations on most bullets and
//! some audience blocks.
//!
//! `cargo run --release --example gen_corpus -- N DIR [--pool] [--audiences 1] [--no-refs]`
//!
//! - `--pool`: pages cite from a shared pool of 3N/2 works with a Zipf-like reuse (the k-th
//!   work cited about 1/k as often as the first), the same entry, byte for byte, in every page
//!   that cites it, as on a real clinic site. Without it every reference is unique to its page.
//! - `--audiences 1`: one audience (`patient`), and no audience blocks (their text stays).
//! - `--no-refs`: no references and no citations (the rest of the text is the same).
//!
//! Without options the output is what it always was, so benchmarks stay comparable.
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

/// What the corpus looks like beyond its size (see the module's options).
#[derive(Default)]
struct Options {
    pool: Option<Pool>,
    one_audience: bool,
    no_refs: bool,
}

/// The shared pool: cumulative Zipf weights of its works.
struct Pool {
    cumulative: Vec<f64>,
}

impl Pool {
    fn new(size: usize) -> Pool {
        let mut total = 0.0;
        let cumulative = (1..=size.max(1))
            .map(|k| {
                total += 1.0 / k as f64;
                total
            })
            .collect();
        Pool { cumulative }
    }

    /// A work of the pool, the first ones most often.
    fn draw(&self, rng: &mut Rng) -> usize {
        let total = self.cumulative.last().copied().unwrap_or(1.0);
        let u = (rng.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        self.cumulative
            .partition_point(|&c| c < u)
            .min(self.cumulative.len() - 1)
    }

    /// `n` distinct works for one page.
    fn works(&self, n: usize, rng: &mut Rng) -> Vec<usize> {
        let n = n.min(self.cumulative.len());
        let mut out: Vec<usize> = Vec::with_capacity(n);
        while out.len() < n {
            let w = self.draw(rng);
            if !out.contains(&w) {
                out.push(w);
            }
        }
        out
    }
}

/// The YAML of one reference: `id`, then its fields drawn from `rng`.
fn reference(id: &str, doi: &str, rng: &mut Rng) -> String {
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
    format!(
        "  - id: {id}\n    authors: [{}]\n    title: {}\n    journal: {}\n    year: {}\n    volume: \"{}\"\n    pages: {}-{}\n    doi: 10.{}/cg.{doi}\n",
        names.join(", "),
        sentence(rng),
        rng.pick(JOURNALS),
        rng.range(1995, 2025),
        rng.range(1, 300),
        rng.range(1, 500),
        rng.range(501, 900),
        rng.range(1000, 9999),
    )
}

/// Work `w` of the pool: the same entry wherever it is cited (its own generator).
fn pool_reference(w: usize) -> String {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03 ^ (w as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    rng.next();
    reference(&format!("w{w}"), &format!("pool.{w}"), &mut rng)
}

fn page(i: usize, rng: &mut Rng, o: &Options) -> String {
    let nrefs = rng.range(10, 25);
    // The citation key of the page's r-th reference (1-based).
    let works: Vec<usize> = o
        .pool
        .as_ref()
        .map(|p| p.works(nrefs, &mut Rng(0xA076_1D64_78BD_642F ^ i as u64)))
        .unwrap_or_default();
    let key = |r: usize| match works.get(r.wrapping_sub(1)) {
        Some(w) => format!("w{w}"),
        None => format!("r{i}x{r}"),
    };
    let cite = |r: usize| {
        if o.no_refs {
            String::new()
        } else {
            format!(" [@{}]", key(r))
        }
    };
    let mut fm = String::new();
    let topic = rng.pick(&["Substance use", "Pain", "Sleep", "Heart", "Diabetes"]);
    let status = if i.is_multiple_of(10) {
        "draft"
    } else {
        "approved"
    };
    let _ = writeln!(
        fm,
        "---\ntitle: Guidance page {i}\nsummary: {}{}.",
        sentence(rng),
        cite(1)
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
    if !o.no_refs {
        fm.push_str("references:\n");
    }
    for r in 1..=nrefs {
        // Drawn even when not written, so the rest of the page is the same text.
        let own = reference(&format!("r{i}x{r}"), &format!("{i}.{r}"), rng);
        match works.get(r - 1) {
            _ if o.no_refs => {}
            Some(&w) => fm.push_str(&pool_reference(w)),
            None => fm.push_str(&own),
        }
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
        let block = block.filter(|_| !o.one_audience);
        if let Some(b) = block {
            let _ = writeln!(body, "::: {b}");
        }
        for _ in 0..rng.range(2, 4) {
            let r = rng.range(1, nrefs);
            if rng.range(0, 4) > 0 {
                let _ = writeln!(body, "- {}{}.", sentence(rng), cite(r));
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
        let _ = write!(body, "{}{}. ", rng.pick(WORDS), cite(r));
    }
    body.push('\n');
    fm + &body
}

const CONFIG_HEAD: &str = r#"title = "Benchmark clinic"
clinic = "Benchmark Clinic"
base_url = "https://bench.example.org/"
default_audience = "patient"

[[audiences]]
id = "patient"
label = "Patient"
disclaimer = "General information only."
"#;

const MORE_AUDIENCES: &str = r#"
[[audiences]]
id = "caregiver"
label = "Family or caregiver"
disclaimer = "General information only."

[[audiences]]
id = "clinician"
label = "Healthcare professional"
disclaimer = "For professionals."
"#;

const RULES: &str = r#"
[rules]
"audience/reading-level" = "off"
"cite/uncited-claim" = "off"
"#;

fn usage() -> std::process::ExitCode {
    eprintln!("usage: gen_corpus N DIR [--pool] [--audiences 1] [--no-refs]");
    std::process::ExitCode::from(2)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(n), Some(dir)) = (
        args.get(1).and_then(|n| n.parse::<usize>().ok()),
        args.get(2),
    ) else {
        return usage();
    };
    let mut o = Options::default();
    let mut rest = args.iter().skip(3);
    while let Some(a) = rest.next() {
        match a.as_str() {
            "--pool" => o.pool = Some(Pool::new(n.saturating_mul(3).div_ceil(2))),
            "--no-refs" => o.no_refs = true,
            "--audiences" => match rest.next().map(String::as_str) {
                Some("1") => o.one_audience = true,
                Some("3") => o.one_audience = false,
                _ => return usage(),
            },
            _ => return usage(),
        }
    }
    let dir = Path::new(dir);
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir.join("content"))?;
        let more = if o.one_audience { "" } else { MORE_AUDIENCES };
        std::fs::write(
            dir.join("careguide.toml"),
            format!("{CONFIG_HEAD}{more}{RULES}"),
        )?;
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        for i in 0..n {
            let sub = format!("content/section-{}", i / 500);
            std::fs::create_dir_all(dir.join(&sub))?;
            std::fs::write(
                dir.join(format!("{sub}/page-{i}.md")),
                page(i, &mut rng, &o),
            )?;
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
