//! One page through the stages: resolve its citations, make each audience's variant, explain
//! glossary terms, audit reading level and review, fill the templates, lay out the PDFs, hand
//! the files to the writer. A page the cache holds whole is only kept.

use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use super::incremental::{key_of, Incremental};
use super::Options;
use crate::audience::glossary::Glossaries;
use crate::cache::{self, FileRecord, FormatMemo, PageFacts};
use crate::cite::style::Formatter;
use crate::content::Document;
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{Site, Variant};
use crate::output::Writer;
use crate::render::site::Templates;
use crate::render::variant::variants;
use crate::resolve::{resolve, Library};
use crate::types::{Date, OutputFile, RawJson};

/// What every page of a build shares.
pub(super) struct Shared<'a> {
    pub opts: &'a Options,
    pub site: &'a Site,
    pub today: Date,
    pub library: &'a Library,
    pub glossary: &'a Glossaries,
    /// `None` when the templates or the citation style could not be loaded (reported): pages
    /// are then checked but not rendered.
    pub templates: Option<&'a Templates>,
    pub formatter: Option<&'a Formatter>,
    pub writer: Option<&'a Writer>,
    pub incremental: &'a Incremental,
    /// Pages taken whole from the cache, with their facts.
    pub reused_facts: &'a HashMap<String, PageFacts>,
    /// What parsing found on each page, reported with the page's other findings.
    pub parse_findings: &'a BTreeMap<PathBuf, Vec<Diagnostic>>,
}

/// One page's share of a build: what the site-wide files and the report need from it, and its
/// files.
pub(super) struct PageResult {
    /// `None` for a reused page: its facts are in the cache's record.
    pub facts: Option<PageFacts>,
    pub files: PageFiles,
}

pub(super) enum PageFiles {
    /// Unchanged: linked from the previous output.
    Reused,
    /// Rendered and handed to the writer: (path, size, digest) of each file.
    Rendered(Result<Vec<FileRecord>, Vec<Diagnostic>>),
    /// Not rendered: the templates or the citation style could not be loaded (reported).
    NotRendered,
}

/// Build one page.
pub(super) fn build(s: &Shared, doc: &Document) -> PageResult {
    let page_key = key_of(doc);
    if let Some(r) = s
        .incremental
        .reusable(doc)
        .filter(|_| s.reused_facts.contains_key(&page_key))
    {
        return PageResult {
            facts: None,
            files: match keep(s.writer, &r.outputs) {
                Ok(()) => PageFiles::Reused,
                Err(e) => PageFiles::Rendered(Err(e)),
            },
        };
    }
    let config = &s.site.config;
    let mut d = Diagnostics::new();
    d.extend(s.parse_findings.get(&doc.file).cloned().unwrap_or_default());
    let resolved = match &doc.translation {
        // A translation's references are its original's: what resolving them finds at the
        // original's lines is the original's to report, once.
        Some(_) => {
            let mut own = Diagnostics::new();
            let r = resolve(doc, config, s.library, &mut own);
            d.extend(
                own.into_vec()
                    .into_iter()
                    .filter(|x| x.file.as_deref().is_none_or(|f| f == doc.file)),
            );
            r
        }
        None => resolve(doc, config, s.library, &mut d),
    };
    // Links to other pages' files and to files beside the page.
    d.extend(
        crate::render::links::check(s.site, doc, crate::render::site::RESERVED_IDS)
            .diagnostics
            .into_iter()
            .filter_map(|x| config.apply_level(x)),
    );
    // A page over the citation cap is refused (its error is reported) and not rendered:
    // rendering the rest of a text that size costs memory for output nobody can publish.
    let refused = resolved.over_citation_cap();
    let (mut variants, references) = match s.formatter {
        Some(f) if !refused => variants_memo(s, f, &resolved, &page_key),
        _ => (Vec::new(), b"{}".to_vec()),
    };
    explain_terms(s, &mut variants);
    let audit = crate::audience::audit_with(doc, &resolved.selections, config, s.today);
    let reference_findings = d.iter().filter(|x| x.rule.starts_with("cite/")).count();
    let editorial = crate::audience::review::editorial_row(
        doc,
        config,
        s.today,
        &audit.scores,
        reference_findings,
        &resolved.layout,
    );
    d.extend(
        audit
            .diagnostics
            .into_iter()
            .filter_map(|x| config.apply_level(x)),
    );
    let files = match s.templates.filter(|_| s.formatter.is_some() && !refused) {
        Some(t) => PageFiles::Rendered(render(s, doc, &variants, t)),
        None => PageFiles::NotRendered,
    };
    let facts = PageFacts {
        diagnostics: d.into_vec(),
        scores: RawJson::of(&audit.scores),
        editorial,
        search: RawJson::of(&crate::render::search::page_value(config, doc, &variants)),
    };
    save_to_cache(s, doc, &page_key, &facts, &references);
    PageResult {
        facts: Some(facts),
        files,
    }
}

/// Plain-language audiences get glossary terms explained on first use.
fn explain_terms(s: &Shared, variants: &mut [Variant]) {
    for v in variants {
        let parts = crate::audience::glossary::annotate_parts_for(
            &[&v.summary_html, &v.body_html],
            s.glossary.for_lang(v.lang.as_str()),
            &s.site.config,
            &v.audience,
        );
        if let [summary, body] = &parts[..] {
            v.summary_html = summary.clone();
            v.body_html = body.clone();
        }
    }
}

/// Keep the parsed page, its facts and its formatted references in the build cache (a build
/// that writes a site). The page's references, no longer needed once it is rendered, are then
/// kept only there: a cold build would otherwise hold every page's to the end.
fn save_to_cache(s: &Shared, doc: &Document, page_key: &str, facts: &PageFacts, references: &[u8]) {
    if s.opts.out.is_none() {
        return;
    }
    let key = s
        .incremental
        .keys
        .get(page_key)
        .map(String::as_str)
        .unwrap_or_default();
    let (root, out) = (&s.opts.root, &s.incremental.out_abs);
    if let Some(reload) = cache::save_page(root, out, page_key, key, doc, facts, references) {
        doc.references.keep(reload);
    }
}

/// Every audience's variant, with references formatted through the cache's memo (a page
/// rendered again formats only references that changed), and the references formatted, for
/// the page's cache file.
fn variants_memo(
    s: &Shared,
    f: &Formatter,
    resolved: &crate::model::Resolved,
    page_key: &str,
) -> (Vec<Variant>, Vec<u8>) {
    let style = &s.site.config.citations.style;
    let (root, out) = (&s.opts.root, &s.incremental.out_abs);
    let memo = match s.opts.out {
        Some(_) => FormatMemo::for_page(f, style, root, out, page_key),
        None => FormatMemo::new(f, style, Default::default()),
    };
    // References in the page's language (its CSL locale: `es` for a Spanish translation).
    let lang = resolved.doc.lang.as_str();
    let v = variants(resolved, &resolved.doc.audiences, &|refs| {
        memo.format_in(refs, lang)
    });
    (v, memo.used_json())
}

/// The page's HTML for every audience (and its PDFs when asked), handed to the writer.
fn render(
    s: &Shared,
    doc: &Document,
    variants: &[Variant],
    t: &Templates,
) -> Result<Vec<FileRecord>, Vec<Diagnostic>> {
    let pdf = s.opts.pdf;
    let mut files = crate::render::site::render_page(s.site, doc, variants, t, s.today, pdf)?;
    if pdf {
        let words = t.strings(doc.lang.as_str());
        files.extend(page_pdfs(s.site, doc, variants, s.today, &words)?);
    }
    store(s.writer, files)
}

/// `/<path>/<audience>.pdf` for every variant: the page as a printable handout, with a blank
/// taper chart where the page has a `taper:` block. Dated by the page's `updated`, not the clock;
/// its review status judged on the build date, as the web page's banner is.
fn page_pdfs(
    site: &Site,
    doc: &Document,
    variants: &[Variant],
    today: Date,
    words: &crate::i18n::Strings,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    variants
        .iter()
        .map(|v| {
            crate::pdf::site_page_pdf(&site.config, &site.root, doc, v, doc.front.updated, today, words)
            .map(|bytes| OutputFile::new(format!("{}/{}.pdf", doc.path, v.audience), bytes))
            .map_err(|e| {
                vec![Diagnostic::error("pdf/layout", format!("cannot lay out the PDF for {}: {e}", v.audience))
                    .in_file(&doc.file)
                    .hint("this is likely a careguide bug; build with --no-pdf to publish the HTML meanwhile, and report it")]
            })
        })
        .collect()
}

/// Tell the writer (none for `check`) that files the cache recorded are unchanged.
pub(super) fn keep(writer: Option<&Writer>, files: &[FileRecord]) -> Result<(), Vec<Diagnostic>> {
    match writer {
        Some(w) => files
            .iter()
            .try_for_each(|(p, n, d)| w.keep(p, *n, d))
            .map_err(|e| vec![e]),
        None => Ok(()),
    }
}

/// Hand files to the writer (none for `check`), keeping what the cache records of each.
pub(super) fn store(
    writer: Option<&Writer>,
    files: Vec<OutputFile>,
) -> Result<Vec<FileRecord>, Vec<Diagnostic>> {
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
