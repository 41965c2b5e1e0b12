//! How long reading a Retraction Watch CSV of the real file's size (about 60 MB) takes.
//!
//! Generates a synthetic file in Crossref's 20-column layout: quoted fields with commas and
//! doubled quotes, `;`-separated lists, long reason lists, some invalid UTF-8 bytes, PMIDs of
//! `0`, and a mix of retractions, corrections and expressions of concern. Then times
//! `Retractions::load` and lookups. Run with `cargo bench --bench retractions`; record the
//! figures in docs/bench-retractions.md.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use careguide::cite::retract::Retractions;

const HEADER: &str = "Record ID,Title,Subject,Institution,Journal,Publisher,Country,Author,URLS,ArticleType,RetractionDate,RetractionDOI,RetractionPubMedID,OriginalPaperDate,OriginalPaperDOI,OriginalPaperPubMedID,RetractionNature,Reason,Paywalled,Notes\n";

/// A small deterministic generator (no dependency needed for a benchmark's data).
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

fn write_file(path: &Path, target_bytes: usize) -> std::io::Result<usize> {
    let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
    f.write_all(HEADER.as_bytes())?;
    let mut written = HEADER.len();
    let mut rng = Lcg(42);
    let mut rows = 0usize;
    let natures = [
        "Retraction",
        "Retraction",
        "Retraction",
        "Correction",
        "Expression of concern",
    ];
    while written < target_bytes {
        rows += 1;
        let r = rng.next();
        let nature = natures[(r % 5) as usize];
        let pmid = if r.is_multiple_of(4) {
            0
        } else {
            10_000_000 + (r % 29_000_000)
        };
        let title_bad = if r.is_multiple_of(97) { "\u{FFFD}" } else { "" };
        let mut row = format!(
            "{rows},\"Synthetic study {rows} of outcomes, with \"\"quoted\"\" words{title_bad}\",(HSC) Medicine - Oncology;(BLS) Biology - Cancer;,\"Department {r}, Example University, City, Country; Institute {rows}, Another Place;\",Journal of Synthetic Results {j},Publisher {p},Country,Author A;Author B;Author C;Author D;Author E,https://retractionwatch.com/{rows}/;https://example.org/{r},Research Article;,{m}/{d}/20{y:02} 0:00,10.{reg}/notice.{rows},{npmid},{m}/{d}/20{y0:02} 0:00,10.{reg}/journal.{rows}.{r},{pmid},{nature},+Concerns/Issues About Data;+Concerns/Issues about Results and/or Conclusions;+Investigation by Journal/Publisher;+Paper Mill;+Unreliable Results and/or Conclusions;,No,\"See also: https://pubpeer.com/publications/{r:X}\"\n",
            j = r % 3000,
            p = r % 400,
            m = 1 + r % 12,
            d = 1 + r % 28,
            y = 10 + r % 16,
            y0 = r % 10,
            reg = 1000 + r % 9000,
            npmid = if pmid == 0 { 0 } else { pmid + 1 },
        )
        .into_bytes();
        if r.is_multiple_of(211) {
            // An invalid UTF-8 byte inside the title, as the real file has.
            if let Some(at) = row.iter().position(|&b| b == b'S') {
                row.insert(at, 0xFF);
            }
        }
        f.write_all(&row)?;
        written += row.len();
    }
    f.flush()?;
    Ok(rows)
}

fn main() {
    let dir = std::env::temp_dir().join(format!("careguide-bench-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join("retraction_watch.csv");
    let target = 60 * 1024 * 1024;
    let rows = match write_file(&path, target) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot write the synthetic file: {e}");
            return;
        }
    };
    let size = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
    println!(
        "synthetic file: {:.1} MB, {rows} rows",
        size as f64 / 1_048_576.0
    );
    let mut times = Vec::new();
    let mut db = None;
    for _ in 0..5 {
        let t = Instant::now();
        match Retractions::load(&path, Path::new("retraction_watch.csv")) {
            Ok(d) => db = Some(d),
            Err(e) => {
                eprintln!("load failed: {}", e.message);
                return;
            }
        }
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(|a, b| a.total_cmp(b));
    let median = times[times.len() / 2];
    println!(
        "Retractions::load: min {:.0} ms, median {:.0} ms, max {:.0} ms ({:.0} MB/s at the median)",
        times[0] * 1000.0,
        median * 1000.0,
        times[times.len() - 1] * 1000.0,
        size as f64 / 1_048_576.0 / median
    );
    if let Some(db) = db {
        println!("notices indexed: {}", db.len());
        let t = Instant::now();
        let mut found = 0usize;
        let n = 100_000u64;
        for i in 0..n {
            let pmid = (10_000_000 + i * 290).to_string();
            found += db.lookup(Some("10.1000/not.there"), Some(&pmid)).len();
        }
        let per = t.elapsed().as_secs_f64() / n as f64;
        println!(
            "lookup by DOI and PMID: {:.2} µs each ({found} hits in {n} lookups)",
            per * 1e6
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}
