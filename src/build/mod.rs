//! The build driver: load → parse → resolve citations → each audience's variant → templates
//! and PDFs → write. `check` runs every stage but the last. [`run`] reads as the pipeline; a
//! page's stages are in [`page`], the files that list pages in [`site_files`], and what a build
//! takes from the last one in [`incremental`].

mod incremental;
mod page;
mod site_files;

use std::collections::BTreeMap;
use std::path::PathBuf;

use rayon::prelude::*;

use crate::cache;
use crate::cite::style::Formatter;
use crate::config::Config;
use crate::content::{self, Document, SourceFile};
use crate::diag::{Category, Diagnostic, Diagnostics};
pub use crate::model::{load, load_site, Site};
use crate::render::site::Templates;
use crate::resolve::Library;
use incremental::{key_of, Incremental};
use page::{PageFiles, PageResult};

/// What `build` and `check` were asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    pub root: PathBuf,
    /// Where to write; `None` for `check`.
    pub out: Option<PathBuf>,
    /// Refuse pages that are not approved (or whose review is overdue).
    pub publish: bool,
    /// The date reviews are judged against (default: SOURCE_DATE_EPOCH, else today).
    pub today: Option<crate::types::Date>,
    /// Also write a printable PDF of every page for every audience.
    pub pdf: bool,
    /// A Retraction Watch CSV that overrides `[citations] retractions`.
    pub retractions: Option<PathBuf>,
}

/// The result of a run: every finding, and what was written.
#[derive(Debug, Default)]
pub struct Report {
    pub diagnostics: Diagnostics,
    /// Reading-level scores, `{"<page path>": {"<audience>": scores}}`.
    pub scores: Option<crate::types::RawJson>,
    pub pages: usize,
    pub files: usize,
    pub written: usize,
    pub unchanged: usize,
}

/// Run the pipeline. Nothing is written unless every stage succeeded without errors.
pub fn run(opts: &Options) -> Report {
    let mut report = Report::default();
    let timer = Timer::from_env();
    let diags = &mut report.diagnostics;
    let Some((config, config_text, today)) = setup(opts, diags) else {
        diags.sort();
        return report;
    };
    // One build of an output at a time: a second waits here, so outputs never mix.
    let _lock = match opts
        .out
        .as_ref()
        .map(|out| crate::output::lock(&opts.root, out))
    {
        Some(Err(d)) => {
            diags.push(d);
            diags.sort();
            return report;
        }
        lock => lock,
    };
    let mut inc = Incremental::open(opts, || {
        incremental::site_key(opts, &config, &config_text, today)
    });
    let sources = inc.read_pages(opts, diags);
    timer.lap("read and hash");
    if inc.nothing_changed(opts, diags) {
        // Report the last build's findings, touch nothing.
        inc.report_unchanged(opts, &mut report);
        timer.lap("nothing to do");
        return report;
    }
    inc.plan_reuse(opts);
    timer.lap("read the cache of unchanged pages");
    let (pages, parse_findings) = parse(opts, &config, &mut inc, sources, diags);
    timer.lap("parse changed pages");
    let site = Site::new(opts.root.clone(), config, pages, diags);
    let stages = Stages::load(opts, &site, today, diags);
    timer.lap("templates, citation style, bibliography files, glossary, publish checks");
    let reused_facts = inc.take_reused_facts();
    // The writer takes each page's files as soon as they are rendered, so the site is never
    // held in memory whole; nothing reaches the output unless the whole build succeeds.
    let build_id = cache::build_id(&inc.keys);
    let writer = match &opts.out {
        Some(out) => crate::output::Writer::begin(&opts.root, out, &build_id, inc.manifest.known())
            .map_err(|d| diags.push(d.category(Category::Io)))
            .ok(),
        None => None,
    };
    let shared = page::Shared {
        opts,
        site: &site,
        today,
        library: &stages.library,
        glossary: &stages.glossary,
        templates: stages.templates.as_ref(),
        formatter: stages.formatter.as_ref(),
        writer: writer.as_ref(),
        incremental: &inc,
        reused_facts: &reused_facts,
        parse_findings: &parse_findings,
    };
    let results: Vec<PageResult> = site
        .pages
        .par_iter()
        .map(|doc| page::build(&shared, doc))
        .collect();
    report.pages = site.pages.len();
    timer.lap("resolve and render changed pages");
    let mut collected = collect(opts, &site, &mut inc, results, reused_facts, diags);
    collected.reading = lang_scores(&site.config, &collected);
    report.scores = Some(crate::audience::scores_raw(std::mem::take(
        &mut collected.scores,
    )));
    diags.extend(lost_references(&site));
    timer.lap("collect page facts");
    let Some(t) = stages
        .templates
        .as_ref()
        .filter(|_| stages.formatter.is_some())
    else {
        inc.forget(opts, &site.pages);
        diags.sort();
        return report;
    };
    let made = site_files::build(&site, t, writer.as_ref(), &inc, &collected, today, diags);
    report.files = made.count;
    timer.lap("templates and site files");
    diags.sort();
    if diags.has_errors() {
        inc.forget(opts, &site.pages);
        return report;
    }
    if let Some(writer) = writer {
        let pages = &site.pages;
        let built = Built {
            made,
            collected,
            build_id,
        };
        commit(opts, writer, inc, pages, built, &timer, &mut report);
    }
    report
}

/// What a build made that the cache records for the next one.
struct Built {
    made: site_files::Made,
    collected: Collected,
    build_id: String,
}

/// Swap the new output in and record the build in the cache for the next one.
fn commit(
    opts: &Options,
    writer: crate::output::Writer,
    inc: Incremental,
    pages: &[Document],
    built: Built,
    timer: &Timer,
    report: &mut Report,
) {
    let Built {
        made,
        collected,
        build_id,
    } = built;
    let previous = inc.previous_pages(writer.is_fresh());
    match writer.commit() {
        Ok(done) => {
            timer.lap("write");
            report.written = done.stats.written;
            report.unchanged = done.stats.unchanged;
            cache::Manifest {
                format: cache::FORMAT,
                out: inc.out_abs.clone(),
                site_key: inc.site_key.clone(),
                read_at: inc.read_at,
                lists: made.lists,
                build_id,
                pages: collected.records,
                site_files: made.files,
                diagnostics: report.diagnostics.iter().cloned().collect(),
                scores: report.scores.clone(),
                back: done.back,
            }
            .save(&opts.root, previous.as_ref());
        }
        Err(d) => {
            inc.forget(opts, pages);
            report.diagnostics.push(d.category(Category::Io));
        }
    }
    timer.lap("save the cache");
}

/// The configuration (and its text, part of every page's key) and the build date.
fn setup(opts: &Options, diags: &mut Diagnostics) -> Option<(Config, String, crate::types::Date)> {
    let config = Config::load(&opts.root).map_err(|e| diags.extend(e)).ok()?;
    let config_text = crate::util::read_file_to_string(&opts.root.join(crate::config::CONFIG_FILE))
        .unwrap_or_default();
    let today = crate::audience::review::build_date(opts.today)
        .map_err(|e| diags.push(e))
        .ok()?;
    // A build that writes PDFs refuses a right-to-left language it cannot lay out (issue 18).
    if opts.pdf && opts.out.is_some() {
        let rtl = config.rtl_pdf_problems(&config_text);
        if !rtl.is_empty() {
            diags.extend(rtl);
            return None;
        }
    }
    Some((config, config_text, today))
}

/// Stages 1 and 2 for the pages the cache cannot give whole: parsed in parallel. Findings of a
/// page that parsed are kept for its own result; those of a page that did not are reported.
fn parse(
    opts: &Options,
    config: &Config,
    inc: &mut Incremental,
    sources: Vec<SourceFile>,
    diags: &mut Diagnostics,
) -> (Vec<Document>, BTreeMap<PathBuf, Vec<Diagnostic>>) {
    let (mut pages, to_parse) = inc.take_cached_pages(sources);
    let inc = &*inc;
    let parsed: Vec<(PathBuf, Option<Document>, Diagnostics)> = to_parse
        .into_par_iter()
        .map(|src| {
            let mut d = Diagnostics::new();
            let file = src.rel.clone();
            let doc = match inc.text_of(opts, src) {
                Ok(src) => content::parse(src, config, &mut d),
                Err(e) => {
                    d.push(e);
                    None
                }
            };
            (file, doc, d)
        })
        .collect();
    let mut findings = BTreeMap::new();
    for (file, doc, d) in parsed {
        match doc {
            Some(doc) => {
                findings.insert(file, d.into_vec());
                pages.push(doc);
            }
            None => diags.extend(d),
        }
    }
    pages.sort_by(|a, b| a.file.cmp(&b.file));
    (pages, findings)
}

/// What every page shares, loaded once: templates, citation style, bibliography files,
/// retraction data, glossary. Problems are reported; a missing part leaves `None`.
struct Stages {
    templates: Option<Templates>,
    formatter: Option<Formatter>,
    library: Library,
    glossary: crate::audience::glossary::Glossaries,
}

impl Stages {
    fn load(
        opts: &Options,
        site: &Site,
        today: crate::types::Date,
        diags: &mut Diagnostics,
    ) -> Stages {
        let templates = Templates::load(&opts.root)
            .map_err(|e| diags.extend(e))
            .ok();
        // A language careguide has no interface strings for: one note, English stands in.
        for lang in site.config.language_ids() {
            if let Some(note) = templates.as_ref().and_then(|t| t.catalog().strings(lang).1) {
                diags.push(note);
            }
        }
        let formatter = Formatter::for_site(&site.config, &opts.root)
            .map_err(|d| diags.push(d))
            .ok();
        // Bibliography files and retraction data, read once for every page.
        let mut library = Library::load(&opts.root, &site.config, opts.retractions.as_deref());
        // "A year in the future" is judged by the build date, so builds stay reproducible.
        library.this_year = today.0.year();
        diags.extend(library.diags.iter().cloned());
        // Each language's glossary, read once; a page takes its own language's.
        let langs = site.config.language_ids();
        let (glossary, glossary_findings) =
            crate::audience::glossary::Glossaries::load(&opts.root, &langs, &site.config.language);
        diags.extend(glossary_findings);
        let config_text =
            std::fs::read_to_string(opts.root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
        diags.extend(site.config.audience_translation_notes(
            &config_text,
            std::path::Path::new(crate::config::CONFIG_FILE),
        ));
        diags.extend(language_name_notes(site, &config_text));
        for lang in &langs {
            diags.extend(crate::audience::readability::language_notes(
                &site.config,
                &config_text,
                lang,
            ));
        }
        diags.extend(editorial_policy_missing(opts, site));
        if opts.publish {
            diags.extend(
                site.pages
                    .iter()
                    .filter_map(|doc| crate::audience::review::publish_check(doc, today)),
            );
        }
        Stages {
            templates,
            formatter,
            library,
            glossary,
        }
    }
}

/// A translation language's title and topic names: missing where its pages need them, or
/// given for a topic no page is under (warnings; the default language's names stand in).
fn language_name_notes(site: &Site, config_text: &str) -> Vec<Diagnostic> {
    let config = &site.config;
    let all_topics: std::collections::BTreeSet<String> = site
        .pages
        .iter()
        .flat_map(|d| d.front.topics.iter().cloned())
        .collect();
    let mut out = Vec::new();
    for lang in config.language_ids().into_iter().skip(1) {
        let mut used: BTreeMap<String, PathBuf> = BTreeMap::new();
        let mut first = None;
        for doc in site.pages_in(lang).filter(|d| d.translation.is_some()) {
            first.get_or_insert(doc.file.as_path());
            for t in &doc.front.topics {
                used.entry(t.clone()).or_insert_with(|| doc.file.clone());
            }
        }
        out.extend(config.language_name_notes(config_text, lang, &used, first, &all_topics));
    }
    out
}

/// `editorial_policy` names a page the site has.
fn editorial_policy_missing(opts: &Options, site: &Site) -> Option<Diagnostic> {
    let want = site.config.editorial_policy.as_deref()?;
    let want = want.trim_matches('/');
    if site.pages.iter().any(|d| d.path == want) {
        return None;
    }
    let file = crate::config::CONFIG_FILE;
    let text = std::fs::read_to_string(opts.root.join(file)).unwrap_or_default();
    let (line, col) = text
        .find("editorial_policy")
        .map(|o| crate::diag::line_col(&text, o))
        .unwrap_or((0, 0));
    let paths = site.pages.iter().map(|d| d.path.as_str());
    let hint = match crate::util::nearest(want, paths) {
        Some(n) => format!("did you mean '{n}'? the value is a page's path, as in its URL"),
        None => "the value is a page's path, as in its URL (`editorial-policy`)".to_string(),
    };
    Some(
        Diagnostic::error(
            "config/editorial-policy",
            format!("editorial_policy names '{want}', and no page has that path"),
        )
        .at(std::path::Path::new(file), line, col)
        .category(Category::Config)
        .hint(hint),
    )
}

/// The scores, parsed, of the pages whose editorial rows show them: those without an English
/// grade for some audience (a page in Spanish is scored on its own scales). Every other row
/// never reads them, and an English site's 5,000 pages would be parsed again for nothing.
fn lang_scores(config: &Config, c: &Collected) -> crate::render::editorial::PageScores {
    let audiences = config.audience_ids();
    c.editorial
        .par_iter()
        .zip(c.scores.par_iter())
        .filter(|(row, _)| audiences.iter().any(|a| !row.reading.contains_key(*a)))
        .filter_map(|(_, (path, raw))| Some((path.clone(), serde_json::from_str(raw.get()).ok()?)))
        .collect()
}

/// Pages whose references the cache kept and then did not give back as written (its file
/// changed or went during the build): what the build made from them cannot be trusted.
fn lost_references(site: &Site) -> Vec<Diagnostic> {
    site.pages
        .iter()
        .filter(|d| d.references.lost())
        .map(|d| {
            Diagnostic::error(
                "cache/changed",
                format!(
                    "the build cache's copy of {} changed while the build read it",
                    d.file.display()
                ),
            )
            .in_file(&d.file)
            .category(Category::Io)
            .hint(format!(
                "build again (the page is then read afresh); if this repeats, delete {}/",
                cache::CACHE_DIR
            ))
        })
        .collect()
}

/// Every page's facts (rendered now or taken from the cache) and the manifest's records.
struct Collected {
    records: BTreeMap<String, cache::PageRecord>,
    /// Every page's output paths, to check for two files at one path.
    paths: Vec<String>,
    /// Each page's part of the search index, with its language (an index per language).
    search: Vec<(crate::types::LangId, crate::types::RawJson)>,
    editorial: Vec<crate::audience::review::EditorialRow>,
    scores: Vec<(String, crate::types::RawJson)>,
    /// The reading-level scores per page and audience, for the editorial report.
    reading: crate::render::editorial::PageScores,
}

fn collect(
    opts: &Options,
    site: &Site,
    inc: &mut Incremental,
    results: Vec<PageResult>,
    mut reused_facts: std::collections::HashMap<String, cache::PageFacts>,
    diags: &mut Diagnostics,
) -> Collected {
    let n = results.len();
    let mut c = Collected {
        records: BTreeMap::new(),
        paths: Vec::new(),
        search: Vec::with_capacity(n),
        editorial: Vec::with_capacity(n),
        scores: Vec::with_capacity(n),
        reading: Default::default(),
    };
    for (doc, r) in site.pages.iter().zip(results) {
        let Some(facts) = r.facts.or_else(|| reused_facts.remove(&key_of(doc))) else {
            continue;
        };
        diags.extend(facts.diagnostics);
        c.search.push((doc.lang.clone(), facts.search));
        c.editorial.push(facts.editorial);
        c.scores.push((doc.path.clone(), facts.scores));
        let outputs = match r.files {
            PageFiles::Reused => inc.take_outputs(doc),
            PageFiles::NotRendered => Vec::new(),
            PageFiles::Rendered(Ok(o)) => o,
            PageFiles::Rendered(Err(e)) => {
                diags.extend(e);
                Vec::new()
            }
        };
        c.paths.extend(outputs.iter().map(|(p, _, _)| p.clone()));
        let related = site.related_files(doc);
        c.records
            .insert(key_of(doc), inc.record(opts, doc, outputs, related));
    }
    c
}

/// Stage timings on stderr when `CAREGUIDE_TIMINGS` is set, for benchmarks.
struct Timer {
    start: Option<std::cell::Cell<std::time::Instant>>,
}

impl Timer {
    fn from_env() -> Timer {
        Timer {
            start: std::env::var_os("CAREGUIDE_TIMINGS")
                .map(|_| std::cell::Cell::new(std::time::Instant::now())),
        }
    }

    fn lap(&self, stage: &str) {
        if let Some(start) = &self.start {
            let now = std::time::Instant::now();
            eprintln!(
                "timing: {stage}: {:.3} s",
                (now - start.get()).as_secs_f64()
            );
            start.set(now);
        }
    }
}
