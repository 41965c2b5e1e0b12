//! The incremental bookkeeping of a build: which pages the last build of this output saw, which
//! are unchanged (known by their file stamp or their key), which can be taken whole from the
//! cache, and the manifest this build leaves for the next one. The cache files themselves are
//! [`crate::cache`]'s; this module decides what to reuse.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;

use super::Options;
use crate::cache::{self, FileRecord, Manifest, PageFacts, PageRecord};
use crate::config::Config;
use crate::content::{self, Document, SourceFile};
use crate::diag::Diagnostics;
use crate::types::Date;

/// A page's key in the cache: its file, relative to the root.
pub(super) fn key_of(doc: &Document) -> String {
    doc.file.display().to_string()
}

/// The key of everything every page depends on: the configuration, the templates and other
/// site files, bibliography and retraction files, a `.csl` style, the options, the build date.
pub(super) fn site_key(opts: &Options, config: &Config, config_text: &str, today: Date) -> String {
    let style_file = Path::new(&config.citations.style);
    let mut extra_inputs: Vec<PathBuf> = config
        .citations
        .bibliography
        .iter()
        .chain(config.citations.retractions.iter())
        .map(|p| opts.root.join(p))
        .collect();
    extra_inputs.extend(opts.retractions.clone());
    // The site's interface strings (i18n/<lang>.toml) are read by every page.
    if let Ok(rd) = std::fs::read_dir(opts.root.join(crate::i18n::I18N_DIR)) {
        let mut tables: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        tables.sort();
        extra_inputs.extend(tables);
    }
    if style_file.extension().is_some_and(|e| e == "csl") {
        extra_inputs.push(opts.root.join(style_file));
    }
    // The files the site copies (static/, files beside pages): one added, changed or gone
    // builds the pages again (a page names them; the writer rewrites only changed bytes).
    // Nothing is added for a site without any, so its keys stay as they were.
    let mut flags = vec![opts.publish as u8, opts.pdf as u8];
    flags.extend(crate::render::links::files_fingerprint(&opts.root));
    cache::site_key(&opts.root, config_text, &extra_inputs, &flags, today)
}

/// What this build knows from the last one, and what it has read since.
pub(super) struct Incremental {
    pub manifest: Manifest,
    pub site_key: String,
    /// The output folder, absolute (the cache is kept per output folder).
    pub out_abs: PathBuf,
    /// When the page files were read: a stamp counts only if written well before that.
    pub read_at: i128,
    /// Each page file's stamp, by key.
    stamps: HashMap<String, content::Stamp>,
    /// Pages known by their stamp, so not read.
    unread: BTreeSet<String>,
    /// Each page's key (hashed from its text and the site key, or recorded when not read).
    pub keys: BTreeMap<String, String>,
    /// Digests of pages' input files (bibliographies), each file hashed once per build.
    digests: Mutex<HashMap<String, String>>,
    /// Pages whose key and input files are as the last build saw them.
    unchanged: BTreeSet<String>,
    /// Unchanged pages whose parsed page, facts and (for a build) files are in the cache:
    /// taken whole, not parsed or rendered.
    reusable: BTreeSet<String>,
}

impl Incremental {
    /// The last build's manifest, and this build's site key (hashed from the site's files and
    /// the careguide binary, beside reading the manifest).
    pub fn open(opts: &Options, site_key: impl FnOnce() -> String + Send) -> Incremental {
        let out_abs =
            crate::output::absolute(&opts.out.clone().unwrap_or_else(|| opts.root.join("output")));
        let (manifest, site_key) = rayon::join(|| Manifest::load(&opts.root, &out_abs), site_key);
        Incremental {
            manifest,
            site_key,
            out_abs,
            read_at: 0,
            stamps: HashMap::new(),
            unread: BTreeSet::new(),
            keys: BTreeMap::new(),
            digests: Mutex::new(HashMap::new()),
            unchanged: BTreeSet::new(),
            reusable: BTreeSet::new(),
        }
    }

    /// Find every page file. A page file whose stamp is the one the last build recorded is not
    /// read again: its key is the recorded one (the rest of the key, the site's, is unchanged).
    pub fn read_pages(&mut self, opts: &Options, diags: &mut Diagnostics) -> Vec<SourceFile> {
        self.read_at = content::now_ns();
        let manifest = &self.manifest;
        // Not for `--publish`: a build to publish reads every page afresh (and a CI checkout
        // gives every file a new stamp anyway).
        let stamps_usable =
            !opts.publish && !manifest.build_id.is_empty() && manifest.site_key == self.site_key;
        let known = |rel: &Path, stamp: &content::Stamp| {
            stamps_usable
                && manifest
                    .pages
                    .get(&*rel.to_string_lossy())
                    .and_then(|r| r.stamp)
                    .is_some_and(|s| s == *stamp && s.settled(manifest.read_at))
        };
        let found = content::load_with(&opts.root, diags, &known);
        let mut sources = Vec::with_capacity(found.len());
        for f in found {
            let k = f.source.rel.display().to_string();
            let key = if f.read {
                cache::page_key(&self.site_key, &f.source.rel, &f.source.text)
            } else {
                self.unread.insert(k.clone());
                manifest
                    .pages
                    .get(&k)
                    .map(|r| r.key.clone())
                    .unwrap_or_default()
            };
            if let Some(st) = f.stamp {
                self.stamps.insert(k.clone(), st);
            }
            self.keys.insert(k, key);
            sources.push(f.source);
        }
        let digests = &self.digests;
        self.unchanged = self
            .keys
            .iter()
            .filter(|(k, v)| {
                manifest.pages.get(*k).is_some_and(|r| {
                    &r.key == *v && manifest.inputs_unchanged(&opts.root, r, digests)
                })
            })
            .map(|(k, _)| k.clone())
            .collect();
        sources
    }

    /// Nothing changed since the last build of this output (and the run found nothing to
    /// report so far): every page is as it was and every file of the output is still there.
    pub fn nothing_changed(&self, opts: &Options, diags: &Diagnostics) -> bool {
        let m = &self.manifest;
        diags.is_empty()
            && !self.keys.is_empty()
            && m.pages.len() == self.keys.len()
            && self.unchanged.len() == self.keys.len()
            && (opts.out.is_none()
                || (m.pages.par_iter().all(|(_, r)| m.outputs_intact(r)) && m.site_files_intact()))
    }

    /// The report of a build that does nothing: the last build's findings and figures.
    pub fn report_unchanged(&mut self, opts: &Options, report: &mut super::Report) {
        // Pages read again because their stamps were new or too recent to count keep their
        // keys: record their stamps now, so the next build knows them without reading them.
        if opts.out.is_some() {
            self.manifest
                .refresh_stamps(&opts.root, &self.stamps, self.read_at);
        }
        self.manifest.load_report(&opts.root);
        report
            .diagnostics
            .extend(self.manifest.diagnostics.iter().cloned());
        report.scores = self.manifest.scores.clone();
        report.pages = self.keys.len();
        report.files = self.manifest.file_count();
        report.unchanged = if opts.out.is_some() { report.files } else { 0 };
    }

    /// Read the cache of the unchanged pages and settle which are taken whole: their inputs
    /// are unchanged and, for a build, their files are still in the output.
    pub fn plan_reuse(&mut self, opts: &Options) {
        let unchanged = std::mem::take(&mut self.unchanged);
        self.manifest
            .load_details(&opts.root, &self.out_abs, &unchanged);
        let manifest = &self.manifest;
        self.reusable = unchanged
            .into_par_iter()
            .filter(|k| {
                manifest.pages.get(k).is_some_and(|r| {
                    r.doc.is_some()
                        && r.facts.is_some()
                        && (opts.out.is_none() || manifest.outputs_intact(r))
                })
            })
            .collect();
    }

    /// The pages taken from the cache, whole as parsed (their text and references included,
    /// whether or not their files were read this time; moved out of their records, not
    /// copied), and the sources still to parse.
    pub fn take_cached_pages(
        &mut self,
        sources: Vec<SourceFile>,
    ) -> (Vec<Document>, Vec<SourceFile>) {
        let mut pages = Vec::with_capacity(sources.len());
        let mut to_parse = Vec::new();
        for src in sources {
            let k = src.rel.display().to_string();
            let cached = self
                .manifest
                .pages
                .get_mut(&k)
                .filter(|_| self.reusable.contains(&k))
                .and_then(|r| r.doc.take());
            match cached {
                // Its key, hashed from the text, is the one the cache file was written for: a
                // file read again holds the cached text.
                Some(doc) => pages.push(doc),
                None => to_parse.push(src),
            }
        }
        (pages, to_parse)
    }

    /// A page known by its stamp but not reusable after all (its files or cache are gone) is
    /// read now; others are as found.
    pub fn text_of(
        &self,
        opts: &Options,
        src: SourceFile,
    ) -> Result<SourceFile, crate::diag::Diagnostic> {
        if self.unread.contains(&*src.rel.to_string_lossy()) {
            content::read_page(&opts.root.join(&src.rel), src.rel.clone())
        } else {
            Ok(src)
        }
    }

    /// The cached facts of reused pages, moved out of their records (they are large: search
    /// and score parts) and given back to each page's result after rendering.
    pub fn take_reused_facts(&mut self) -> HashMap<String, PageFacts> {
        let manifest = &mut self.manifest;
        self.reusable
            .iter()
            .filter_map(|k| Some((k.clone(), manifest.pages.get_mut(k)?.facts.take()?)))
            .collect()
    }

    /// The cache's record of a page this build takes whole. Looked up by file, not by
    /// position: `dedupe` may have dropped a page.
    pub fn reusable(&self, doc: &Document) -> Option<&PageRecord> {
        let k = key_of(doc);
        self.reusable
            .contains(&k)
            .then(|| self.manifest.pages.get(&k))
            .flatten()
    }

    /// The files a reused page had in the last build, moved out of its record.
    pub fn take_outputs(&mut self, doc: &Document) -> Vec<FileRecord> {
        self.manifest
            .pages
            .get_mut(&key_of(doc))
            .map(|r| std::mem::take(&mut r.outputs))
            .unwrap_or_default()
    }

    /// What the next build needs to know of a page: its key, stamp, files and input files.
    /// `related` are the page files it depends on through its languages
    /// ([`crate::model::Site::related_files`]).
    pub fn record(
        &self,
        opts: &Options,
        doc: &Document,
        outputs: Vec<FileRecord>,
        related: Vec<PathBuf>,
    ) -> PageRecord {
        let k = key_of(doc);
        // A page taken whole keeps the inputs it was recorded with (they are unchanged).
        if let Some(r) = self.reusable(doc) {
            return PageRecord {
                key: self.keys.get(&k).cloned().unwrap_or_default(),
                stamp: self.stamps.get(&k).copied(),
                outputs,
                inputs: r.inputs.clone(),
                doc: None,
                facts: None,
            };
        }
        // Its bibliography files, and the pages it links to: a page is built again when one
        // of them changes, appears or goes (a link's URL and anchors depend on it).
        let mut files = crate::resolve::page_inputs(doc);
        let linked = crate::render::links::linked_pages(doc);
        // A translation's links lead to the linked pages' versions in its language: one coming
        // or going changes them.
        if doc.translation.is_some() {
            files.extend(linked.iter().filter_map(|p| {
                let stem = p.file_stem()?.to_str()?;
                Some(p.with_file_name(format!("{stem}.{}.md", doc.lang)))
            }));
        }
        files.extend(linked);
        files.extend(related);
        let inputs = files
            .into_iter()
            .map(|p| {
                let p = p.display().to_string();
                let d = cache::file_digest(&opts.root, &p, &self.digests);
                (p, d)
            })
            .collect();
        PageRecord {
            key: self.keys.get(&k).cloned().unwrap_or_default(),
            stamp: self.stamps.get(&k).copied(),
            outputs,
            inputs,
            doc: None,
            facts: None,
        }
    }

    /// A build that fails takes back the cache files its pages wrote as they rendered.
    pub fn forget(&self, opts: &Options, pages: &[Document]) {
        if opts.out.is_some() {
            let keys: Vec<String> = pages
                .iter()
                .map(key_of)
                .filter(|k| !self.reusable.contains(k))
                .collect();
            cache::forget_pages(&opts.root, &self.out_abs, keys.iter().map(String::as_str));
        }
    }

    /// The pages the last manifest listed, when the cache folder holds only those (not after
    /// an interrupted build, whose writer starts afresh, or without a usable manifest).
    pub fn previous_pages(&self, fresh_writer: bool) -> Option<BTreeSet<String>> {
        (!self.manifest.build_id.is_empty() && !fresh_writer)
            .then(|| self.manifest.pages.keys().cloned().collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A site of two pages, built once into `output/`.
    fn built_site() -> (tempfile::TempDir, Options) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(
            root.join("careguide.toml"),
            crate::audience::testutil::CONFIG,
        )
        .unwrap();
        for (name, title) in [("a.md", "Page A"), ("b.md", "Page B")] {
            std::fs::write(
                root.join("content").join(name),
                format!("---\ntitle: {title}\nsummary: Rest.\nupdated: 2026-01-01\nreview:\n  status: draft\n---\nRest and drink water.\n"),
            )
            .unwrap();
        }
        let opts = Options {
            root: root.clone(),
            out: Some(root.join("output")),
            publish: false,
            today: Date::parse("2026-02-01").ok(),
            pdf: false,
            retractions: None,
        };
        let report = super::super::run(&opts);
        assert!(!report.diagnostics.has_errors(), "{:?}", report.diagnostics);
        (dir, opts)
    }

    fn opened(opts: &Options) -> (Incremental, Vec<SourceFile>) {
        let config = Config::load(&opts.root).unwrap();
        let text = std::fs::read_to_string(opts.root.join("careguide.toml")).unwrap();
        let key = site_key(opts, &config, &text, opts.today.unwrap());
        let mut inc = Incremental::open(opts, || key);
        let mut diags = Diagnostics::new();
        let sources = inc.read_pages(opts, &mut diags);
        assert!(diags.is_empty(), "{diags:?}");
        (inc, sources)
    }

    #[test]
    fn after_a_build_nothing_changed_and_every_page_is_known() {
        let (_dir, opts) = built_site();
        let (inc, sources) = opened(&opts);
        assert_eq!(sources.len(), 2);
        assert_eq!(inc.keys.len(), 2);
        assert!(inc.nothing_changed(&opts, &Diagnostics::new()));
        // A finding from elsewhere in the run means the run must go on, to report it fresh.
        let mut d = Diagnostics::new();
        d.push(crate::diag::Diagnostic::error("x/y", "something"));
        assert!(!inc.nothing_changed(&opts, &d));
    }

    #[test]
    fn an_edited_page_is_parsed_again_and_the_other_is_taken_from_the_cache() {
        let (_dir, opts) = built_site();
        std::fs::write(
            opts.root.join("content/b.md"),
            "---\ntitle: Page B\nsummary: Rest more.\nupdated: 2026-01-02\nreview:\n  status: draft\n---\nRest.\n",
        )
        .unwrap();
        let (mut inc, sources) = opened(&opts);
        assert!(!inc.nothing_changed(&opts, &Diagnostics::new()));
        inc.plan_reuse(&opts);
        let (cached, to_parse) = inc.take_cached_pages(sources);
        let names = |v: Vec<PathBuf>| -> Vec<String> {
            v.iter().map(|p| p.display().to_string()).collect()
        };
        assert_eq!(
            names(cached.iter().map(|d| d.file.clone()).collect()),
            ["content/a.md"]
        );
        assert_eq!(
            names(to_parse.iter().map(|s| s.rel.clone()).collect()),
            ["content/b.md"]
        );
        // The reused page comes with its text, its facts and its files.
        assert!(!cached[0].body().is_empty());
        assert!(inc.reusable(&cached[0]).is_some());
        let facts = inc.take_reused_facts();
        assert!(facts.contains_key("content/a.md") && !facts.contains_key("content/b.md"));
    }

    #[test]
    fn a_page_known_by_its_stamp_comes_from_the_cache_whole() {
        let (_dir, opts) = built_site();
        let a = opts.root.join("content/a.md");
        std::fs::write(
            &a,
            "---\ntitle: Page A\nsummary: Rest [@own1].\nupdated: 2026-01-01\nreview:\n  status: draft\nreferences:\n  - id: own1\n    authors: [\"Author A\"]\n    title: Work one\n    journal: J Test\n    year: 2020\n---\nRest and drink water [@own1].\n",
        )
        .unwrap();
        // Written well before the build reads it: known by its stamp next time.
        let stamp = content::Stamp::of(&std::fs::metadata(&a).unwrap());
        while !stamp.settled(content::now_ns()) {
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        let report = super::super::run(&opts);
        assert!(!report.diagnostics.has_errors(), "{:?}", report.diagnostics);
        std::fs::write(
            opts.root.join("content/b.md"),
            "---\ntitle: Page B\nsummary: Rest more.\nupdated: 2026-01-02\nreview:\n  status: draft\n---\nRest.\n",
        )
        .unwrap();
        let (mut inc, sources) = opened(&opts);
        assert!(inc.unread.contains("content/a.md"), "a is not read again");
        inc.plan_reuse(&opts);
        let (cached, _) = inc.take_cached_pages(sources);
        assert_eq!(cached[0].file, Path::new("content/a.md"));
        // The page its file parses to: text, references and all.
        let config = Config::load(&opts.root).unwrap();
        let src = SourceFile {
            rel: PathBuf::from("content/a.md"),
            text: std::fs::read_to_string(&a).unwrap(),
        };
        let parsed = content::parse(src, &config, &mut Diagnostics::new()).unwrap();
        assert_eq!(format!("{:?}", cached[0]), format!("{parsed:?}"));
        assert_eq!(cached[0].references.len(), 1);
        assert!(cached[0].body().contains("drink water"));
    }

    #[test]
    fn output_files_gone_make_a_page_render_again() {
        let (_dir, opts) = built_site();
        std::fs::remove_dir_all(opts.root.join("output/a")).unwrap();
        let (mut inc, sources) = opened(&opts);
        assert!(!inc.nothing_changed(&opts, &Diagnostics::new()));
        inc.plan_reuse(&opts);
        let (cached, to_parse) = inc.take_cached_pages(sources);
        assert_eq!(cached.len(), 1, "only b is intact");
        assert_eq!(to_parse[0].rel, Path::new("content/a.md"));
    }
}
