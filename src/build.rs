//! The build pipeline: load → parse → resolve citations → render per audience → templates →
//! write. `check` runs every stage but the last.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::cache::{self, FormatMemo};
use crate::cite::style::Formatter;
use crate::config::Config;
use crate::content::{self, Document};
use crate::diag::{Category, Diagnostic, Diagnostics};
use crate::model::{dedupe, Variant};
pub use crate::model::{load, load_site, Site};
use crate::render::site::Templates;
use crate::render::variant::variants_by;
use crate::resolve;
use crate::resolve::resolve_with;
use crate::types::OutputFile;

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
    let config = match Config::load(&opts.root) {
        Ok(c) => c,
        Err(e) => {
            diags.extend(e);
            diags.sort();
            return report;
        }
    };
    let config_text =
        std::fs::read_to_string(opts.root.join(crate::config::CONFIG_FILE)).unwrap_or_default();
    let today = match crate::audience::review::build_date(opts.today) {
        Ok(d) => d,
        Err(e) => {
            diags.push(e);
            return report;
        }
    };
    // The cache: what the last build of this output made, and from which inputs.
    let out_abs =
        crate::output::absolute(&opts.out.clone().unwrap_or_else(|| opts.root.join("output")));
    let style_file = Path::new(&config.citations.style);
    let mut extra_inputs: Vec<PathBuf> = config
        .citations
        .bibliography
        .iter()
        .chain(config.citations.retractions.iter())
        .map(|p| opts.root.join(p))
        .collect();
    extra_inputs.extend(opts.retractions.clone());
    if style_file.extension().is_some_and(|e| e == "csl") {
        extra_inputs.push(opts.root.join(style_file));
    }
    let site_key = cache::site_key(
        &opts.root,
        &config_text,
        &extra_inputs,
        &[opts.publish as u8, opts.pdf as u8],
        today,
    );
    // One build of an output at a time: a second waits here, so outputs never mix.
    let _lock = match &opts.out {
        Some(out) => match crate::output::lock(&opts.root, out) {
            Ok(l) => Some(l),
            Err(d) => {
                diags.push(d);
                diags.sort();
                return report;
            }
        },
        None => None,
    };
    let mut manifest = cache::Manifest::load(&opts.root, &out_abs);
    // A page file whose stamp is the one the last build recorded is not read again: its key
    // is the recorded one (the rest of the key, the site's, is unchanged too).
    let read_at = content::now_ns();
    // Not for `--publish`: its review check points at lines of every page's front matter (and
    // a CI checkout gives every file a new stamp anyway).
    let stamps_usable =
        !opts.publish && !manifest.build_id.is_empty() && manifest.site_key == site_key;
    let known = |rel: &Path, stamp: &content::Stamp| {
        stamps_usable
            && manifest
                .pages
                .get(&*rel.to_string_lossy())
                .and_then(|r| r.stamp)
                .is_some_and(|s| s == *stamp && s.settled(manifest.read_at))
    };
    let found = content::load_with(&opts.root, diags, &known);
    let mut stamps: HashMap<String, content::Stamp> = HashMap::new();
    let mut unread: BTreeSet<String> = BTreeSet::new();
    let mut keys: BTreeMap<String, String> = BTreeMap::new();
    let mut sources = Vec::with_capacity(found.len());
    for f in found {
        let k = f.source.rel.display().to_string();
        let key = if f.read {
            cache::page_key(&site_key, &f.source.rel, &f.source.text)
        } else {
            unread.insert(k.clone());
            manifest
                .pages
                .get(&k)
                .map(|r| r.key.clone())
                .unwrap_or_default()
        };
        if let Some(st) = f.stamp {
            stamps.insert(k.clone(), st);
        }
        keys.insert(k, key);
        sources.push(f.source);
    }
    timer.lap("read and hash");

    // Nothing changed since the last build of this output: report its findings, touch nothing.
    let digests = std::sync::Mutex::new(std::collections::HashMap::new());
    // Pages whose key and bibliography files are as the last build saw them.
    let unchanged_pages: BTreeSet<String> =
        keys.iter()
            .filter(|(k, v)| {
                manifest.pages.get(*k).is_some_and(|r| {
                    &r.key == *v && manifest.inputs_unchanged(&opts.root, r, &digests)
                })
            })
            .map(|(k, _)| k.clone())
            .collect();
    if diags.is_empty()
        && !keys.is_empty()
        && manifest.pages.len() == keys.len()
        && unchanged_pages.len() == keys.len()
        && (opts.out.is_none()
            || (manifest
                .pages
                .par_iter()
                .all(|(_, r)| manifest.outputs_intact(r))
                && manifest.site_files_intact()))
    {
        // Pages read again because their stamps were new or too recent to count keep their
        // keys: record their stamps now, so the next build knows them without reading them.
        if opts.out.is_some() {
            manifest.refresh_stamps(&opts.root, &stamps, read_at);
        }
        manifest.load_report(&opts.root);
        diags.extend(manifest.diagnostics.iter().cloned());
        report.scores = manifest.scores.clone();
        report.pages = keys.len();
        report.files = manifest.file_count();
        report.unchanged = if opts.out.is_some() { report.files } else { 0 };
        timer.lap("nothing to do");
        return report;
    }

    manifest.load_details(&opts.root, &out_abs, &unchanged_pages);
    timer.lap("read the cache of unchanged pages");
    // A page is taken whole from the cache when its inputs are unchanged and, for a build,
    // its files are still in the output: they are kept there, not rendered again. It comes
    // back already parsed (front matter only); the others are parsed now, in parallel.
    let reusable_pages: BTreeSet<String> = unchanged_pages
        .into_par_iter()
        .filter(|k| {
            manifest.pages.get(k).is_some_and(|r| {
                r.doc.is_some()
                    && r.facts.is_some()
                    && (opts.out.is_none() || manifest.outputs_intact(r))
            })
        })
        .collect();

    let mut pages: Vec<Document> = Vec::with_capacity(sources.len());
    let mut page_diags: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
    let mut to_parse = Vec::new();
    for src in sources {
        let k = src.rel.display().to_string();
        // Moved out of the cache record, not copied: the record's other parts stay.
        let cached = manifest
            .pages
            .get_mut(&k)
            .filter(|_| reusable_pages.contains(&k))
            .and_then(|r| r.doc.take());
        match cached {
            Some(mut doc) => {
                doc.text = src.text;
                pages.push(doc);
            }
            None => to_parse.push(src),
        }
    }
    let parsed: Vec<(PathBuf, Option<Document>, Diagnostics)> = to_parse
        .into_par_iter()
        .map(|mut src| {
            let mut d = Diagnostics::new();
            let file = src.rel.clone();
            // Known by its stamp but not reusable after all (its files or cache are gone).
            if unread.contains(&*file.to_string_lossy()) {
                match content::read_page(&opts.root.join(&file), file.clone()) {
                    Ok(s) => src = s,
                    Err(e) => {
                        d.push(e);
                        return (file, None, d);
                    }
                }
            }
            let doc = content::parse(src, &config, &mut d);
            (file, doc, d)
        })
        .collect();
    for (file, doc, d) in parsed {
        match doc {
            Some(doc) => {
                page_diags.insert(file, d.into_vec());
                pages.push(doc);
            }
            None => diags.extend(d),
        }
    }
    pages.sort_by(|a, b| a.file.cmp(&b.file));
    timer.lap("parse changed pages");
    let site = Site {
        root: opts.root.clone(),
        pages: dedupe(pages, diags),
        config,
    };
    let templates = match Templates::load(&opts.root) {
        Ok(t) => Some(t),
        Err(e) => {
            diags.extend(e);
            None
        }
    };
    timer.lap("load templates");
    let formatter = match Formatter::new(&site.config.citations.style, &opts.root) {
        Ok(f) => Some(f),
        Err(d) => {
            diags.push(d);
            None
        }
    };
    timer.lap("load the citation style");
    // Bibliography files and retraction data, read once for every page.
    let mut library = resolve::Library::load(&opts.root, &site.config, opts.retractions.as_deref());
    // "A year in the future" is judged by the build date, so builds stay reproducible.
    library.this_year = today.0.year();
    diags.extend(library.diags.iter().cloned());
    timer.lap("load bibliography files");
    let (glossary, glossary_findings) = crate::audience::glossary::load(&opts.root);
    diags.extend(glossary_findings);
    if opts.publish {
        diags.extend(
            site.pages
                .iter()
                .filter_map(|doc| crate::audience::review::publish_check(doc, today)),
        );
    }
    timer.lap("glossary and publish checks");

    // The cached facts of reused pages, moved out of their records (they are large: search
    // and score parts) and given back to each page's result after rendering.
    let mut reused_facts: HashMap<String, cache::PageFacts> = reusable_pages
        .iter()
        .filter_map(|k| Some((k.clone(), manifest.pages.get_mut(k)?.facts.take()?)))
        .collect();
    // Looked up by file, not by position: `dedupe` may have dropped a page.
    let reusable = |doc: &Document| -> Option<&cache::PageRecord> {
        let k = key_of(doc);
        reusable_pages
            .contains(&k)
            .then(|| manifest.pages.get(&k))
            .flatten()
    };
    // The writer takes each page's files as soon as they are rendered, so the site is never
    // held in memory whole; nothing reaches the output unless the whole build succeeds.
    let build_id = cache::build_id(&keys);
    let writer = match &opts.out {
        Some(out) => {
            match crate::output::Writer::begin(&opts.root, out, &build_id, manifest.known()) {
                Ok(w) => Some(w),
                Err(d) => {
                    diags.push(d.category(Category::Io));
                    None
                }
            }
        }
        None => None,
    };
    let results: Vec<PageResult> = site
        .pages
        .par_iter()
        .map(|doc| {
            let page_key = key_of(doc);
            if let Some(r) = reusable(doc).filter(|_| reused_facts.contains_key(&page_key)) {
                return PageResult {
                    facts: None,
                    files: match keep(writer.as_ref(), &r.outputs) {
                        Ok(()) => PageFiles::Reused,
                        Err(e) => PageFiles::Rendered(Err(e)),
                    },
                };
            }
            let mut d = Diagnostics::new();
            d.extend(page_diags.get(&doc.file).cloned().unwrap_or_default());
            let resolved = resolve_with(doc, &site.config, &library, &mut d);
            let mut variants = match &formatter {
                Some(f) => {
                    let style = &site.config.citations.style;
                    let memo = match opts.out {
                        Some(_) => FormatMemo::for_page(f, style, &opts.root, &out_abs, &page_key),
                        None => FormatMemo::new(f, style, Default::default()),
                    };
                    let v = variants_by(&resolved, &doc.audiences, &|refs| memo.format(refs));
                    if opts.out.is_some() {
                        memo.save(&opts.root, &out_abs, &page_key);
                    }
                    v
                }
                None => Vec::new(),
            };
            // Plain-language audiences get glossary terms explained on first use.
            for v in &mut variants {
                let parts = crate::audience::glossary::annotate_parts_for(
                    &[&v.summary_html, &v.body_html],
                    &glossary,
                    &site.config,
                    &v.audience,
                );
                if let [summary, body] = &parts[..] {
                    v.summary_html = summary.clone();
                    v.body_html = body.clone();
                }
            }
            let audit = crate::audience::audit_with(doc, &resolved.layout, &site.config, today);
            let reference_findings = d.iter().filter(|x| x.rule.starts_with("cite/")).count();
            let editorial = crate::audience::review::editorial_row(
                doc,
                &site.config,
                today,
                &audit.scores,
                reference_findings,
            );
            d.extend(
                audit
                    .diagnostics
                    .into_iter()
                    .filter_map(|x| site.config.apply_level(x)),
            );
            let files = match templates.as_ref().filter(|_| formatter.is_some()) {
                Some(t) => PageFiles::Rendered((|| {
                    let mut files = crate::render::site::render_page(
                        &site, doc, &variants, t, today, opts.pdf,
                    )?;
                    if opts.pdf {
                        files.extend(page_pdfs(&site, doc, &variants)?);
                    }
                    store(writer.as_ref(), files)
                })()),
                None => PageFiles::NotRendered,
            };
            let facts = cache::PageFacts {
                diagnostics: d.into_vec(),
                scores: crate::types::RawJson::of(&audit.scores),
                editorial,
                search: crate::types::RawJson::of(&crate::render::search::page_value(
                    &site.config,
                    doc,
                    &variants,
                )),
            };
            if opts.out.is_some() {
                let key = keys.get(&page_key).map(String::as_str).unwrap_or_default();
                cache::save_page(&opts.root, &out_abs, &page_key, key, doc, &facts);
            }
            PageResult {
                facts: Some(facts),
                files,
            }
        })
        .collect();
    report.pages = site.pages.len();
    timer.lap("resolve and render changed pages");

    let mut paths: Vec<String> = Vec::new();
    let mut records: BTreeMap<String, cache::PageRecord> = BTreeMap::new();
    let mut search = Vec::with_capacity(results.len());
    let mut editorial = Vec::with_capacity(results.len());
    let mut scores = Vec::with_capacity(results.len());
    for (doc, r) in site.pages.iter().zip(results) {
        let k = key_of(doc);
        let Some(facts) = r.facts.or_else(|| reused_facts.remove(&k)) else {
            continue;
        };
        diags.extend(facts.diagnostics);
        search.push(facts.search);
        editorial.push(facts.editorial);
        scores.push((doc.path.clone(), facts.scores));
        let outputs = match r.files {
            PageFiles::Reused => manifest
                .pages
                .get_mut(&k)
                .map(|r| std::mem::take(&mut r.outputs))
                .unwrap_or_default(),
            PageFiles::NotRendered => Vec::new(),
            PageFiles::Rendered(Ok(o)) => o,
            PageFiles::Rendered(Err(e)) => {
                diags.extend(e);
                Vec::new()
            }
        };
        let inputs = resolve::page_inputs(doc)
            .into_iter()
            .map(|p| {
                let p = p.display().to_string();
                let d = cache::file_digest(&opts.root, &p, &digests);
                (p, d)
            })
            .collect();
        paths.extend(outputs.iter().map(|(p, _, _)| p.clone()));
        records.insert(
            k.clone(),
            cache::PageRecord {
                key: keys.get(&k).cloned().unwrap_or_default(),
                stamp: stamps.get(&k).copied(),
                outputs,
                inputs,
                doc: None,
                facts: None,
            },
        );
    }
    report.scores = Some(crate::audience::scores_raw(scores));
    timer.lap("collect page facts");
    // A build that fails takes back the cache files its pages wrote as they rendered.
    let forget = || {
        if opts.out.is_some() {
            let keys: Vec<String> = site
                .pages
                .iter()
                .map(key_of)
                .filter(|k| !reusable_pages.contains(k))
                .collect();
            cache::forget_pages(&opts.root, &out_abs, keys.iter().map(String::as_str));
        }
    };
    let Some(t) = templates.as_ref().filter(|_| formatter.is_some()) else {
        forget();
        diags.sort();
        return report;
    };
    // The files that list pages, on both cores: the lists, and the rest. The lists (index,
    // topics, search page) are kept as they are when no page's listing changed.
    let lists_key = crate::render::site::lists_key(&site, &site_key);
    let (lists, rest) = rayon::join(
        || {
            let unchanged = manifest
                .lists
                .as_ref()
                .filter(|(k, files)| *k == lists_key && manifest.files_intact(files));
            match (unchanged, &writer) {
                (Some((_, files)), Some(_)) => keep(writer.as_ref(), files).map(|()| files.clone()),
                _ => crate::render::site::render_lists(&site, t)
                    .and_then(|files| store(writer.as_ref(), files)),
            }
        },
        || {
            let (mut files, editorial) = rayon::join(
                || {
                    let index = crate::render::search::index_bytes_raw(&site.config, &search);
                    crate::render::publish::extra_files_with_index(&site, index)
                },
                // The editorial board's report: not linked from the pages, not in the sitemap.
                || {
                    OutputFile::new(
                        "_editorial/index.html".into(),
                        crate::audience::review::editorial_report(&site.config, &editorial, today)
                            .into_bytes(),
                    )
                },
            );
            files.push(editorial);
            store(writer.as_ref(), files)
        },
    );
    let mut site_files = Vec::new();
    let list_files = lists.as_ref().ok().cloned();
    for part in [lists, rest] {
        match part {
            Ok(s) => site_files.extend(s),
            Err(e) => diags.extend(e),
        }
    }
    // Check for two outputs at one path among new and reused files alike.
    let mut all: Vec<OutputFile> = paths
        .into_iter()
        .chain(site_files.iter().map(|(p, _, _)| p.clone()))
        .map(|p| OutputFile::new(p, Vec::new()))
        .collect();
    diags.extend(crate::render::site::check_collisions(&mut all));
    report.files = all.len();
    timer.lap("templates and site files");
    diags.sort();
    if diags.has_errors() {
        forget();
        return report;
    }
    if let Some(writer) = writer {
        // The cache folder holds only what the last manifest lists unless that build was
        // interrupted (the writer then starts afresh) or there was no usable manifest.
        let previous: Option<BTreeSet<String>> = (!manifest.build_id.is_empty()
            && !writer.is_fresh())
        .then(|| manifest.pages.keys().cloned().collect());
        match writer.commit() {
            Ok(done) => {
                timer.lap("write");
                report.written = done.stats.written;
                report.unchanged = done.stats.unchanged;
                cache::Manifest {
                    format: cache::FORMAT,
                    out: out_abs.clone(),
                    site_key,
                    read_at,
                    lists: list_files.map(|f| (lists_key, f)),
                    build_id,
                    pages: records,
                    site_files,
                    diagnostics: report.diagnostics.iter().cloned().collect(),
                    scores: report.scores.clone(),
                    back: done.back,
                }
                .save(&opts.root, previous.as_ref());
            }
            Err(d) => {
                forget();
                report.diagnostics.push(d.category(Category::Io));
            }
        }
        timer.lap("save the cache");
    }
    report
}

/// One page's share of a build: what the site-wide files and the report need from it, and its
/// files.
struct PageResult {
    /// `None` for a reused page: its facts are in the cache's record.
    facts: Option<cache::PageFacts>,
    files: PageFiles,
}

enum PageFiles {
    /// Unchanged: linked from the previous output.
    Reused,
    /// Rendered and handed to the writer: (path, size, digest) of each file.
    Rendered(Result<Vec<cache::FileRecord>, Vec<Diagnostic>>),
    /// Not rendered: the templates or the citation style could not be loaded (reported).
    NotRendered,
}

/// A page's key in the cache: its file, relative to the root.
fn key_of(doc: &Document) -> String {
    doc.file.display().to_string()
}

/// Tell the writer (none for `check`) that files the cache recorded are unchanged.
fn keep(
    writer: Option<&crate::output::Writer>,
    files: &[cache::FileRecord],
) -> Result<(), Vec<Diagnostic>> {
    match writer {
        Some(w) => files
            .iter()
            .try_for_each(|(p, n, d)| w.keep(p, *n, d))
            .map_err(|e| vec![e]),
        None => Ok(()),
    }
}

/// Hand files to the writer (none for `check`), keeping what the cache records of each.
fn store(
    writer: Option<&crate::output::Writer>,
    files: Vec<OutputFile>,
) -> Result<Vec<cache::FileRecord>, Vec<Diagnostic>> {
    files
        .into_iter()
        .map(|f| {
            let d = match writer {
                Some(w) => w.add(&f.path, &f.bytes).map_err(|e| vec![e])?,
                None => crate::output::digest(&f.bytes),
            };
            Ok((f.path, f.bytes.len() as u64, d))
        })
        .collect()
}

/// `/<path>/<audience>.pdf` for every variant: the page as a printable handout, with a blank
/// taper chart where the page has a `taper:` block. Dated by the page's `updated`, not the clock.
fn page_pdfs(
    site: &Site,
    doc: &Document,
    variants: &[Variant],
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    variants
        .iter()
        .map(|v| {
            crate::pdf::page_pdf(&site.config, doc, v, doc.front.updated)
            .map(|bytes| OutputFile::new(format!("{}/{}.pdf", doc.path, v.audience), bytes))
            .map_err(|e| {
                vec![Diagnostic::error("pdf/layout", format!("cannot lay out the PDF for {}: {e}", v.audience))
                    .in_file(&doc.file)
                    .hint("this is likely a careguide bug; build with --no-pdf to publish the HTML meanwhile, and report it")]
            })
        })
        .collect()
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
