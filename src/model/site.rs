//! Stage 1 and 2: the site's configuration and its pages, loaded and parsed.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Document};
use crate::diag::{Diagnostic, Diagnostics};

/// A loaded site: its configuration and parsed pages.
#[derive(Debug)]
pub struct Site {
    pub root: PathBuf,
    pub config: Config,
    pub pages: Vec<Document>,
}

impl Site {
    pub fn page(&self, slug_or_path: &str) -> Option<&Document> {
        let want = slug_or_path.trim_matches('/');
        self.pages
            .iter()
            .find(|d| d.path == want)
            .or_else(|| self.pages.iter().find(|d| d.slug == want))
    }
}

/// Load the configuration and every page, reporting problems into `diags`. `None` when the
/// configuration itself is unusable.
pub fn load(root: &Path, diags: &mut Diagnostics) -> Option<Site> {
    let (config, _, sources) = load_sources(root, diags)?;
    let pages = parse_all(&config, sources, diags);
    Some(Site {
        root: root.to_path_buf(),
        config,
        pages,
    })
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

/// Parse every source in parallel, and refuse two pages at one URL.
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
    dedupe(pages, diags)
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
            if !users.iter().any(|d| d.file == doc.file) {
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
