//! Handout benchmark: one personalized handout, a batch of many in one process, the size of a
//! 3-page handout, and the site build's per-page PDF.
//!
//! cargo run --release --example handout_bench -- [SITE_ROOT] [COUNT]
//! (default: tests/fixtures/taper/site, 1000)

use std::path::Path;
use std::time::{Duration, Instant};

use careguide::cite::style::Formatter;
use careguide::content::frontmatter::Date;
use careguide::pdf::{Handout, Paper, TaperPart};
use careguide::taper::{self, TaperParams};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let root = args
        .get(1)
        .map(String::as_str)
        .unwrap_or("tests/fixtures/taper/site");
    let count: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(1000);
    let root = Path::new(root);

    let site = match careguide::build::load_site(root) {
        Ok(s) => s,
        Err(_) => {
            eprintln!("cannot load the site at {}", root.display());
            std::process::exit(2);
        }
    };
    let Some(doc) = site.page("kratom-withdrawal") else {
        eprintln!("the site has no page kratom-withdrawal");
        std::process::exit(2);
    };
    let made = Date::parse("2026-11-26").unwrap_or(Date(time::macros::date!(2026 - 11 - 26)));
    let params = TaperParams {
        start_dose: Some("20".parse().unwrap_or(taper::Dec::from_int(20))),
        start: Some(made),
        ..Default::default()
    };
    let input = match taper::resolve(&params, doc.front.taper.as_ref(), made) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("{e:?}");
            std::process::exit(1);
        }
    };
    let schedule = match taper::schedule(&input) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("{e:?}");
            std::process::exit(1);
        }
    };
    let Ok(formatter) = Formatter::new(&site.config.citations.style, root) else {
        eprintln!("cannot load the citation style");
        std::process::exit(2);
    };
    let mut diags = careguide::diag::Diagnostics::new();
    let resolved = careguide::resolve::resolve(
        doc,
        &site.config,
        &careguide::resolve::Library::empty(&site.root),
        &mut diags,
    );
    let variant = careguide::render::variant::variant(
        &resolved,
        &careguide::types::AudienceId::new("patient"),
        &|r| formatter.format(r),
    );
    let names: Vec<String> = (0..count).map(|i| format!("Patient {i:04}")).collect();
    let strings = careguide::i18n::Strings::builtin(&site.config.language);
    let make = |name: &str| {
        careguide::pdf::render(&Handout {
            config: &site.config,
            doc,
            root: Some(&site.root),
            variant: &variant,
            patient_name: Some(name),
            care: careguide::pdf::Care::default(),
            taper: TaperPart::Schedule(&schedule),
            paper: Paper::A4,
            made,
            today: made,
            strings: &strings,
        })
    };

    // The first handout includes parsing the embedded fonts once per process.
    let t = Instant::now();
    let first = match make("Patient first") {
        Ok(b) => b,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    };
    let cold = t.elapsed();
    let pages = lopdf::Document::load_mem(&first)
        .map(|d| d.get_pages().len())
        .unwrap_or(0);

    let mut times: Vec<Duration> = Vec::with_capacity(count);
    let cpu_before = cpu_seconds();
    let t_all = Instant::now();
    let mut total_bytes = 0usize;
    for n in &names {
        let t = Instant::now();
        let b = make(n).unwrap_or_default();
        times.push(t.elapsed());
        total_bytes += b.len();
    }
    let all = t_all.elapsed();
    let cpu = cpu_seconds().zip(cpu_before).map(|(a, b)| a - b);
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = times.get(times.len() / 2).copied().unwrap_or_default();
    let p95 = times
        .get(times.len() * 95 / 100)
        .copied()
        .unwrap_or_default();

    // The site build's PDF of one page (includes loading the citation style each call).
    let t = Instant::now();
    let reps = 20;
    let mut page_size = 0;
    for _ in 0..reps {
        page_size = careguide::pdf::page_pdf(&site.config, doc, &variant, made, made)
            .map(|b| b.len())
            .unwrap_or(0);
    }
    let per_page = t.elapsed() / reps;

    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| first handout in a process (fonts parsed) | {:.1} ms |",
        ms(cold)
    );
    println!(
        "| batch of {count} handouts, one process | {:.2} s |",
        all.as_secs_f64()
    );
    println!(
        "| per handout in the batch: mean / median / p95 | {:.2} / {:.2} / {:.2} ms |",
        ms(all) / count as f64,
        ms(median),
        ms(p95)
    );
    if let Some(cpu) = cpu {
        println!(
            "| CPU time per handout in the batch (user + system) | {:.2} ms |",
            cpu * 1000.0 / count as f64
        );
    }
    println!(
        "| handout size ({pages} pages, 24-step schedule) | {} bytes ({:.1} KB); batch mean {:.1} KB |",
        first.len(),
        first.len() as f64 / 1024.0,
        total_bytes as f64 / count.max(1) as f64 / 1024.0
    );
    println!(
        "| site build page PDF (`page_pdf`, blank chart) | {:.2} ms, {:.1} KB |",
        ms(per_page),
        page_size as f64 / 1024.0
    );
}

/// User + system CPU seconds of this process (Linux), to see past other load on the machine.
fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name in parentheses; utime and stime are fields 14 and 15.
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}
