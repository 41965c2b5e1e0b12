//! Entry points for fuzzing. Each takes arbitrary bytes, runs one of careguide's parsers on
//! them and panics only when the parser panics or breaks an invariant (a range outside the
//! text, a diagnostic without a message, a schedule that does not end at zero). The cargo-fuzz
//! targets in `fuzz/` and `tests/fuzz_corpus.rs` both call these.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::cite::bib::{self, Format};
use crate::config::Config;
use crate::content::{self, SourceFile};
use crate::diag::{Diagnostic, Diagnostics};

/// One fuzz target: arbitrary bytes in, a panic on a bug.
pub type Target = fn(&[u8]);

/// Every target by name (the name of its folder under `fuzz/corpus/`).
pub const TARGETS: &[(&str, Target)] = &[
    ("frontmatter", frontmatter),
    ("cite_scan", cite_scan),
    ("bib_bibtex", bib_bibtex),
    ("bib_csljson", bib_csljson),
    ("bib_medline", bib_medline),
    ("bib_ris", bib_ris),
    ("bib_yaml", bib_yaml),
    ("audience_blocks", audience_blocks),
    ("taper", taper),
];

const CONFIG: &str = r#"title = "Fuzz"
clinic = "Clinic"
base_url = "https://clinic.example.org/"
default_audience = "patient"

[[audiences]]
id = "patient"
label = "Patient"
plain = true
disclaimer = "Talk to your care team."

[[audiences]]
id = "clinician"
label = "Clinician"
disclaimer = "For professionals."
"#;

fn config() -> &'static Config {
    static C: OnceLock<Config> = OnceLock::new();
    C.get_or_init(
        || match Config::parse(CONFIG, Path::new("careguide.toml")) {
            Ok(c) => c,
            Err(e) => panic!("the fuzz configuration parses: {e:?}"),
        },
    )
}

fn text(data: &[u8]) -> String {
    String::from_utf8_lossy(data).into_owned()
}

/// Diagnostics must say something, and point inside the text they are about.
fn check_diags<'a>(diags: impl IntoIterator<Item = &'a Diagnostic>, text: &str) {
    // YAML also breaks lines at a lone CR (old Mac files), NEL, LS and PS.
    let lines = text
        .replace("\r\n", "\n")
        .chars()
        .filter(|c| matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}'))
        .count()
        + 2;
    for d in diags {
        assert!(!d.message.trim().is_empty(), "empty message: {d:?}");
        assert!(d.line <= lines, "line {} of {lines}: {d:?}", d.line);
    }
}

/// A page: the front matter splitter and parser, then the whole page parse with a config.
pub fn frontmatter(data: &[u8]) {
    let t = text(data);
    if let Ok(s) = content::frontmatter::split(&t) {
        assert!(s.body_offset <= t.len());
        assert_eq!(&t[s.body_offset..], s.body);
        let _ = content::frontmatter::parse(s.yaml, s.yaml_line);
    }
    let mut d = Diagnostics::new();
    let src = SourceFile {
        rel: PathBuf::from("content/page.md"),
        text: t.clone(),
    };
    if let Some(doc) = content::parse(src, config(), &mut d) {
        let _ = doc.key_line("title");
        let _ = doc.key_line("references");
        if let Some(taper) = &doc.front.taper {
            let _ = taper.check();
        }
    }
    check_diags(d.iter(), &t);
}

/// The citation scanner, and the citation renderer on what it found.
pub fn cite_scan(data: &[u8]) {
    let t = text(data);
    let s = crate::cite::scan::scan(&t);
    let mut last = 0;
    for g in &s.groups {
        assert!(g.range.start <= g.range.end && g.range.end <= t.len());
        assert!(t.is_char_boundary(g.range.start) && t.is_char_boundary(g.range.end));
        assert!(g.range.start >= last, "groups overlap or are out of order");
        last = g.range.end;
        for it in &g.items {
            assert!(it.offset <= t.len());
            assert!(!it.key.is_empty());
        }
    }
    for m in &s.malformed {
        assert!(m.offset <= t.len() && !m.message.is_empty());
    }
    let _ = crate::cite::render_citations(&t, &s.groups, &|k| Some(k.len()), &|i| format!("c{i}"));
}

fn bib_read(data: &[u8], format: Format) {
    let l = bib::read_bytes(data, format, Path::new("refs"));
    for r in &l.refs {
        assert!(!r.id.is_empty(), "a reference without an id");
    }
    check_diags(&l.diags, &text(data));
}

pub fn bib_bibtex(data: &[u8]) {
    bib_read(data, Format::Bibtex)
}

pub fn bib_csljson(data: &[u8]) {
    bib_read(data, Format::CslJson)
}

pub fn bib_medline(data: &[u8]) {
    bib_read(data, Format::Medline)
}

pub fn bib_ris(data: &[u8]) {
    bib_read(data, Format::Ris)
}

pub fn bib_yaml(data: &[u8]) {
    bib_read(data, Format::Yaml)
}

const PAGE: &str =
    "---\ntitle: A page\nsummary: Short.\nupdated: 2026-01-10\nreview:\n  status: draft\n---\n";

/// Audience blocks: the selection for each audience and the block checks on a page.
pub fn audience_blocks(data: &[u8]) {
    let body = text(data);
    for a in ["patient", "clinician", "nobody"] {
        let shown = crate::audience::select(&body, a);
        assert!(shown.len() <= body.len() + 1, "selection grew the text");
    }
    let page = format!("{PAGE}{body}");
    let mut d = Diagnostics::new();
    let src = SourceFile {
        rel: PathBuf::from("content/page.md"),
        text: page.clone(),
    };
    if let Some(doc) = content::parse(src, config(), &mut d) {
        let found = crate::audience::check_blocks(&doc, config());
        check_diags(&found, &page);
    }
}

/// Taper inputs: `option=value` lines as the command line gives them, then optionally a
/// `---` line and a page's `taper:` block (YAML). Whatever resolves must schedule to a stop.
pub fn taper(data: &[u8]) {
    use crate::taper::{self, Dec, Hold, Mode, PageTaper, TaperParams, Unit};
    let t = text(data);
    let (params_text, block) = match t.split_once("\n---\n") {
        Some((a, b)) => (a, Some(b)),
        None => (t.as_str(), None),
    };
    let mut p = TaperParams::default();
    for line in params_text.lines() {
        let Some((k, v)) = line.split_once('=') else {
            continue;
        };
        let dec = || v.trim().parse::<Dec>().ok();
        match k.trim() {
            "unit" => p.unit = v.trim().parse::<Unit>().ok(),
            "dose" => p.start_dose = dec(),
            "reduction_percent" => p.reduction_percent = dec(),
            "interval_days" => p.interval_days = dec(),
            "step" => p.step = dec(),
            "min_dose" => p.min_dose = dec(),
            "doses_per_day" => p.doses_per_day = dec(),
            "start" => p.start = crate::types::Date::parse(v.trim()).ok(),
            "mode" => p.mode = v.trim().parse::<Mode>().ok(),
            "hold" => p.holds.extend(v.trim().parse::<Hold>().ok()),
            "max_step_percent" => p.max_step_percent = dec(),
            _ => {}
        }
    }
    let page: Option<PageTaper> = block.and_then(|b| serde_norway::from_str(b).ok());
    if let Some(page) = &page {
        let _ = page.check();
    }
    let today = match crate::types::Date::parse("2026-11-26") {
        Ok(d) => d,
        Err(e) => panic!("{e}"),
    };
    let Ok(input) = taper::resolve(&p, page.as_ref(), today) else {
        return;
    };
    let _ = taper::describe(&input);
    let Ok(s) = taper::schedule(&input) else {
        return;
    };
    assert!(s.steps.len() <= taper::MAX_STEPS + 1);
    for w in s.steps.windows(2) {
        assert!(
            w[1].daily_dose < w[0].daily_dose,
            "a step did not lower the dose"
        );
        assert!(w[1].start > w[0].start, "steps out of date order");
    }
    if let Some(last) = s.steps.last() {
        assert!(
            last.daily_dose == Dec::ZERO && last.end.is_none(),
            "no stop row"
        );
    }
    let _ = (taper::to_table(&s), taper::to_csv(&s), taper::to_json(&s));
}
