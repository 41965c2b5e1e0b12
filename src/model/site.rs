//! Stage 1 and 2: the site's configuration and its pages, loaded and parsed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Document};
use crate::diag::{Diagnostic, Diagnostics};
use crate::types::LangId;

/// A loaded site: its configuration and parsed pages.
#[derive(Debug)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub pages: Vec<Document>,
    /// Each original page's translations (issue 18), by the original's path: the language and
    /// the translation's index in `pages`, in the order of `[[languages]]`.
    pub translations: BTreeMap<String, Vec<(LangId, usize)>>,
    /// The index in `pages` of each translated original, by its path.
    originals: BTreeMap<String, usize>,
}

impl Site {
    /// A site of parsed pages: translations linked to their originals
    /// ([`content::translate::attach`]), and two pages at one URL refused ([`dedupe`]).
    pub fn new(
        root: PathBuf,
        config: Config,
        pages: Vec<Document>,
        diags: &mut Diagnostics,
    ) -> Site {
        let pages = dedupe(content::translate::attach(pages, diags), diags);
        let mut translations: BTreeMap<String, Vec<(LangId, usize)>> = BTreeMap::new();
        for (i, d) in pages.iter().enumerate() {
            if let Some(t) = &d.translation {
                translations
                    .entry(t.original_path.clone())
                    .or_default()
                    .push((d.lang.clone(), i));
            }
        }
        let order = |l: &LangId| config.languages.iter().position(|c| c.id == *l);
        for list in translations.values_mut() {
            list.sort_by_key(|(l, _)| order(l));
        }
        let originals = pages
            .iter()
            .enumerate()
            .filter(|(_, d)| d.translation.is_none() && translations.contains_key(&d.path))
            .map(|(i, d)| (d.path.clone(), i))
            .collect();
        Site {
            root,
            config,
            pages,
            translations,
            originals,
        }
    }

    /// A page by its path (`es/kratom-withdrawal` finds a translation), else an original by
    /// its slug.
    pub fn page(&self, slug_or_path: &str) -> Option<&Document> {
        let want = slug_or_path.trim_matches('/');
        self.pages.iter().find(|d| d.path == want).or_else(|| {
            self.pages
                .iter()
                .find(|d| d.slug == want && d.translation.is_none())
        })
    }

    /// The original of a page: itself, or the page a translation translates.
    pub fn original_of<'a>(&'a self, doc: &'a Document) -> &'a Document {
        doc.translation
            .as_ref()
            .and_then(|t| self.originals.get(&t.original_path))
            .and_then(|i| self.pages.get(*i))
            .unwrap_or(doc)
    }

    /// Every version of a page, the original's first, then its translations in the order of
    /// `[[languages]]`. One (the page itself) on a site without translations of it.
    pub fn versions<'a>(&'a self, doc: &'a Document) -> Vec<&'a Document> {
        let original = self.original_of(doc);
        let mut out = vec![original];
        if let Some(list) = self.translations.get(&original.path) {
            out.extend(list.iter().filter_map(|(_, i)| self.pages.get(*i)));
        }
        out
    }

    /// A page's version in `lang`, if it has one.
    pub fn version_in<'a>(&'a self, doc: &'a Document, lang: &str) -> Option<&'a Document> {
        self.versions(doc).into_iter().find(|d| d.lang == lang)
    }

    /// Other page files a page's output depends on through its languages, for the build cache:
    /// a translation's original (its URL, taper, references and `updated` date), and an
    /// original's translations, present or possible (`page.<lang>.md` for each language),
    /// whose coming or going changes its language switcher. None without `[[languages]]`.
    pub fn related_files(&self, doc: &Document) -> Vec<PathBuf> {
        if self.config.languages.is_empty() {
            return Vec::new();
        }
        if let Some(t) = &doc.translation {
            return vec![t.original_file.clone()];
        }
        let mut out: Vec<PathBuf> = self
            .versions(doc)
            .iter()
            .skip(1)
            .map(|d| d.file.clone())
            .collect();
        if let Some(stem) = doc.file.file_stem().and_then(|s| s.to_str()) {
            for l in self
                .config
                .languages
                .iter()
                .filter(|l| l.id != self.config.language)
            {
                out.push(doc.file.with_file_name(format!("{stem}.{}.md", l.id)));
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The pages of one language.
    pub fn pages_in<'a>(&'a self, lang: &'a str) -> impl Iterator<Item = &'a Document> + 'a {
        self.pages.iter().filter(move |d| d.lang == lang)
    }
}

/// Load the configuration and every page, reporting problems into `diags`. `None` when the
/// configuration itself is unusable.
pub fn load(root: &Path, diags: &mut Diagnostics) -> Option<Site> {
    let (config, _, sources) = load_sources(root, diags)?;
    let pages = parse_all(&config, sources, diags);
    Some(Site::new(root.to_path_buf(), config, pages, diags))
}

/// The configuration (parsed, and its text) and every page's source.
pub fn load_sources(
    root: &Path,
    diags: &mut Diagnostics,
) -> Option<(Config, String, Vec<content::SourceFile>)> {
    let config = match Config::load(root) {
        Ok(c) => c,
        Err(e) => {
            diags.extend(e);
            return None;
        }
    };
    let text = crate::util::read_file_to_string(&root.join(crate::config::CONFIG_FILE))
        .unwrap_or_default();
    let sources = content::load(root, diags);
    Some((config, text, sources))
}

/// Parse every source in parallel (two pages at one URL are refused by [`Site::new`]).
pub fn parse_all(
    config: &Config,
    sources: Vec<content::SourceFile>,
    diags: &mut Diagnostics,
) -> Vec<Document> {
    let parsed: Vec<(Option<Document>, Diagnostics)> = sources
        .into_par_iter()
        .map(|src| {
            let mut d = Diagnostics::new();
            let doc = content::parse(src, config, &mut d);
            (doc, d)
        })
        .collect();
    let mut pages = Vec::new();
    for (doc, d) in parsed {
        diags.extend(d);
        pages.extend(doc);
    }
    pages
}

/// Refuse two spellings of a topic that give one URL (`Café` and `Cafe`, `Kratom` and
/// `kratom`): their pages would be merged on one topic page under one of the names, which
/// the editor did not choose. Reported at the first page that uses the later spelling,
/// naming every spelling and the pages that use it.
pub fn topic_clashes(pages: &[Document], diags: &mut Diagnostics) {
    // slug -> spelling -> the pages that use it
    let mut by_slug: BTreeMap<String, BTreeMap<&str, Vec<&Document>>> = BTreeMap::new();
    for doc in pages {
        for t in &doc.front.topics {
            // A name with no slug is refused when the page is parsed.
            let Some(slug) = crate::util::topic_slug(t) else {
                continue;
            };
            let users = by_slug.entry(slug).or_default().entry(t).or_default();
            // Pages come one after another: a page naming a topic twice is the last user.
            if !users.last().is_some_and(|d| std::ptr::eq(*d, doc)) {
                users.push(doc);
            }
        }
    }
    for (slug, spellings) in by_slug {
        if spellings.len() < 2 {
            continue;
        }
        let listed: Vec<String> = spellings
            .iter()
            .map(|(name, docs)| {
                let files: Vec<String> =
                    docs.iter().map(|d| d.file.display().to_string()).collect();
                format!("'{name}' ({})", files.join(", "))
            })
            .collect();
        // The spelling used by the fewest pages is the likelier slip; ties go to the later.
        let Some((name, docs)) = spellings.iter().rev().min_by_key(|(_, docs)| docs.len()) else {
            continue;
        };
        let Some(doc) = docs.first() else { continue };
        let (line, col) = topic_place(doc, name);
        diags.push(
            Diagnostic::error(
                "front-matter/topic",
                format!(
                    "the topics {} all have the URL /topics/{slug}/: their pages would be merged under one name",
                    listed.join(" and ")
                ),
            )
            .at(&doc.file, line, col)
            .hint("spell the topic the same way on every page (or name them apart if they are different topics)"),
        );
    }
}

/// Refuse two pages at one URL: report it and keep only the first, so later stages do not
/// report the same clash again as colliding output files. Then two topics at one URL.
pub fn dedupe(mut pages: Vec<Document>, diags: &mut Diagnostics) -> Vec<Document> {
    // Two pages at one URL: report it and keep only the first, so later stages do not report
    // the same clash again as colliding output files.
    let mut seen: BTreeMap<String, PathBuf> = BTreeMap::new();
    pages.retain(|p| {
        if let Some(first) = seen.get(&p.path) {
            diags.push(
                Diagnostic::error(
                    "content/duplicate-slug",
                    format!(
                        "two pages have the URL /{}/: {} and {}",
                        p.path,
                        first.display(),
                        p.file.display()
                    ),
                )
                .at(&p.file, p.key_line("slug"), 1)
                .hint("give one of them another `slug:` in its front matter, or rename the file"),
            );
            return false;
        }
        seen.insert(p.path.clone(), p.file.clone());
        true
    });
    topic_clashes(&pages, diags);
    pages
}

/// Line and column of the topic `name` in `doc`'s front matter, searched from its `topics:`
/// line (the name may be in the title too).
fn topic_place(doc: &Document, name: &str) -> (usize, usize) {
    let yaml = doc.yaml();
    let key = doc.key_line("topics");
    let from: usize = yaml
        .split_inclusive('\n')
        .take(key.saturating_sub(doc.yaml_line))
        .map(str::len)
        .sum();
    match yaml.get(from..).and_then(|r| r.find(name)) {
        Some(o) => {
            let (l, c) = crate::diag::line_col(yaml, from + o);
            (l + doc.yaml_line - 1, c)
        }
        None => (key, 1),
    }
}

/// Load a site for commands that need its pages (taper, handout): any error is returned.
pub fn load_site(root: &Path) -> Result<Site, Diagnostics> {
    let mut diags = Diagnostics::new();
    match load(root, &mut diags) {
        Some(site) if !diags.has_errors() => Ok(site),
        _ => Err(diags),
    }
}
