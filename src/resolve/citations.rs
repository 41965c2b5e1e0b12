//! The citation checks of stage 3: each citation against the references the page can cite,
//! and those references against the rules.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::cite::scan::{Misplaced, Scan};
use crate::cite::{bib, checks, Reference};
use crate::config::Config;
use crate::content::Document;
use crate::diag::{Category, Diagnostic};
use crate::util::nearest;

use super::claims::uncited_claims;
use super::library::{duplicate, key_problem, library_summary, EntryProblem, LibFile, Library};

/// Where a scanned text sits in the page's file.
pub enum Place<'a> {
    /// The Markdown body: scan offsets are body offsets.
    Body,
    /// A front matter value (the summary): offsets are found by searching the YAML for the key.
    FrontMatter { key: &'a str },
}

fn position(doc: &Document, place: &Place, offset: usize, needle: &str) -> (usize, usize) {
    match place {
        Place::Body => doc.body_pos(offset),
        Place::FrontMatter { key } => {
            let yaml = doc.yaml();
            let key_at = yaml.find(&format!("{key}:")).unwrap_or(0);
            match yaml[key_at..].find(needle) {
                Some(o) => {
                    let (l, c) = crate::diag::line_col(yaml, key_at + o);
                    (l + doc.yaml_line - 1, c)
                }
                None => (doc.key_line(key), 1),
            }
        }
    }
}

/// Check every citation in `scan` (the text at `place`) against `refs`. Returns the findings;
/// `cited` collects every key that was cited.
pub fn check_citations(
    doc: &Document,
    place: Place,
    text: &str,
    scan: &Scan,
    refs: &PageRefs,
    config: &Config,
    cited: &mut std::collections::BTreeSet<String>,
) -> Vec<Diagnostic> {
    let incomplete = refs.incomplete;
    let refs = &refs.refs;
    let mut out = Vec::new();
    for m in &scan.malformed {
        let snippet: String = text[m.offset..].chars().take(12).collect();
        let (l, c) = position(doc, &place, m.offset, &snippet);
        out.push(
            Diagnostic::error("cite/malformed", m.message.clone())
                .at(&doc.file, l, c)
                .hint(m.hint.clone()),
        );
    }
    for g in &scan.groups {
        if let Some(where_) = g.misplaced {
            let (l, c) = position(doc, &place, g.range.start, &text[g.range.clone()]);
            let what = match where_ {
                Misplaced::Heading => "a heading",
                Misplaced::LinkText => "link text",
            };
            out.push(
                Diagnostic::error("cite/misplaced", format!("citation inside {what}"))
                    .at(&doc.file, l, c)
                    .hint("cite in the sentence that makes the claim, not in headings or links"),
            );
        }
        for it in &g.items {
            cited.insert(it.key.clone());
            if refs.contains_key(&it.key) || incomplete {
                continue;
            }
            let (l, c) = position(doc, &place, it.offset, &format!("@{}", it.key));
            let same_kind = refs
                .keys()
                .map(String::as_str)
                .filter(|k| key_kind(k).eq_ignore_ascii_case(key_kind(&it.key)));
            let near = nearest(&it.key, same_kind)
                .or_else(|| nearest(&it.key, refs.keys().map(String::as_str)));
            let hint = match near {
                Some(n) => format!("did you mean [@{n}]?"),
                None if refs.is_empty() => {
                    "this page defines no references: add them under `references:` or name a file in `bibliography:`".to_string()
                }
                None => format!(
                    "define '{}' under `references:` or in a bibliography file; this page can cite: {}",
                    it.key,
                    nearest_keys(&it.key, refs.keys().map(String::as_str), 8).join(", ")
                ),
            };
            out.push(
                Diagnostic::error(
                    "cite/unknown-key",
                    format!("no reference with the id '{}'", it.key),
                )
                .at(&doc.file, l, c)
                .hint(hint),
            );
        }
    }
    out.into_iter()
        .filter_map(|d| config.apply_level(d))
        .collect()
}

/// The kind of a key: its `doi:`, `pmid:`... prefix, or none.
fn key_kind(key: &str) -> &str {
    match key.split_once(':') {
        Some((p, _)) if p.chars().all(|c| c.is_ascii_alphabetic()) => p,
        _ => "",
    }
}

/// Up to `n` of `keys`, those of the kind of `key` (`doi:`, `pmid:` or a plain key) first,
/// each group nearest first.
pub fn nearest_keys<'a>(key: &str, keys: impl Iterator<Item = &'a str>, n: usize) -> Vec<&'a str> {
    let kind = key_kind(key).to_ascii_lowercase();
    let mut all: Vec<(bool, usize, &str)> = keys
        .map(|k| {
            (
                key_kind(k).to_ascii_lowercase() != kind,
                strsim::damerau_levenshtein(key, k),
                k,
            )
        })
        .collect();
    all.sort();
    all.into_iter().take(n).map(|(_, _, k)| k).collect()
}

/// References defined on the page (inline) that nothing on the page cites.
pub fn uncited(
    doc: &Document,
    cited: &std::collections::BTreeSet<String>,
    config: &Config,
) -> Vec<Diagnostic> {
    let own = doc.references.get();
    own.iter()
        .filter(|r| !cited.contains(&r.id))
        .filter_map(|r| {
            config.apply_level(
                Diagnostic::warning(
                    "cite/uncited-reference",
                    format!("reference '{}' is never cited on this page", r.id),
                )
                .at(&r.origin.file, r.origin.line, r.origin.column)
                .hint(format!(
                    "cite it as [@{}] where it supports a statement, or remove it",
                    r.id
                )),
            )
        })
        .collect()
}

/// What a page may cite, and what its bibliography files and references said.
#[derive(Debug, Default)]
pub struct PageRefs {
    /// Every reference the page may cite, by id.
    pub refs: BTreeMap<String, Reference>,
    pub diags: Vec<Diagnostic>,
    /// A bibliography file of the page could not be used: an unknown key may be in it, so
    /// citations are not reported as unknown (the one real error is the file's).
    pub incomplete: bool,
}

/// Every reference `doc` may cite, by id: its front matter `references:`, then its
/// `bibliography:` files (relative to the page; see [`bibpath`](super::bibpath)), then the
/// site-wide bibliography. `cited` holds the keys the page cites: a problem in an entry the page
/// cites is an error at the entry; problems in the others are summed up in one warning per file.
/// A key defined twice for two works is an error at the second place, naming the first (the
/// first is the one used); the same record twice is merged with a warning.
pub fn references(
    doc: &Document,
    config: &Config,
    lib: &Library,
    cited: &BTreeSet<String>,
) -> PageRefs {
    let mut g = Gather {
        doc,
        cited,
        refs: BTreeMap::new(),
        out: Vec::new(),
        quiet: BTreeMap::new(),
        incomplete: false,
    };
    g.own_references();
    let bib_line = doc.key_line("bibliography");
    for name in &doc.front.bibliography {
        g.page_file(lib, name, bib_line);
    }
    for f in &lib.site_wide {
        let file = lib.file(f);
        // The file's own problems are reported once per run (`Library::diags`).
        g.incomplete |= file
            .loaded
            .diags
            .iter()
            .any(|d| d.severity == crate::diag::Severity::Error);
        g.entries_of(&file);
    }
    let mut out = g.out;
    for (file, problems) in &g.quiet {
        let mut ps: Vec<&EntryProblem> = problems.iter().collect();
        ps.sort_by_key(|p| (p.diag.line, p.diag.column));
        library_summary(file, &ps, config, &mut out);
    }
    PageRefs {
        refs: g.refs,
        diags: out
            .into_iter()
            .filter_map(|d| config.apply_level(d))
            .collect(),
        incomplete: g.incomplete,
    }
}

/// The references of one page as [`references`] gathers them, in order.
struct Gather<'a> {
    doc: &'a Document,
    cited: &'a BTreeSet<String>,
    refs: BTreeMap<String, Reference>,
    out: Vec<Diagnostic>,
    /// Problems of entries this page does not cite, by file.
    quiet: BTreeMap<PathBuf, Vec<EntryProblem>>,
    incomplete: bool,
}

impl Gather<'_> {
    /// The page's front matter `references:`, first.
    fn own_references(&mut self) {
        let own = self.doc.references.get();
        for r in own.iter() {
            if let Some(d) = key_problem(r) {
                self.out.push(d);
                continue;
            }
            match self.refs.get(&r.id) {
                Some(first) if first.origin == r.origin => {}
                Some(first) => self.out.push(duplicate(first, r)),
                None => {
                    self.refs.insert(r.id.clone(), r.clone());
                }
            }
        }
    }

    /// One `bibliography:` entry of the front matter: found beside the page (or from the root),
    /// inside the site, read; its problems at the page's `bibliography:` line.
    fn page_file(&mut self, lib: &Library, name: &str, bib_line: usize) {
        let doc = self.doc;
        let at = super::bibpath::bib_path(&doc.file, name, &lib.root);
        if let Some(d) = super::bibpath::problem(doc, name.trim(), &at, &lib.root, bib_line) {
            self.incomplete |= d.severity == crate::diag::Severity::Error;
            self.out.push(d);
        }
        let super::bibpath::BibPath::Found { rel, .. } = at else {
            return;
        };
        let full = lib.root.join(&rel);
        if let Some(d) = bib::outside_root(&full, &lib.root, &rel) {
            self.incomplete = true;
            self.out.push(
                Diagnostic {
                    file: Some(doc.file.clone()),
                    line: bib_line,
                    column: 1,
                    category: Category::Content,
                    ..d
                }
                .hint(format!(
                    "'{name}' leads outside the site; copy the file into the site and name it relative to the page"
                )),
            );
            return;
        }
        let file = lib.file(&rel);
        for d in &file.loaded.diags {
            self.incomplete |= d.severity == crate::diag::Severity::Error;
            // A missing file is the page's problem: point at its `bibliography:` line.
            if d.rule == "cite/bibliography-unreadable" || d.rule == "cite/bibliography-format" {
                self.out.push(Diagnostic {
                    file: Some(doc.file.clone()),
                    line: bib_line,
                    column: 1,
                    ..d.clone()
                });
            } else {
                self.out.push(d.clone());
            }
        }
        self.entries_of(&file);
    }

    /// The entries of a file, after those gathered so far: a problem in an entry the page cites
    /// is its error; the others wait for the file's summary.
    fn entries_of(&mut self, file: &LibFile) {
        for p in &file.problems {
            match &p.key {
                Some(k) if self.cited.contains(k) => self.out.push(p.diag.clone()),
                _ => self
                    .quiet
                    .entry(p.diag.file.clone().unwrap_or_default())
                    .or_default()
                    .push(p.clone()),
            }
        }
        for r in &file.loaded.refs {
            match self.refs.get(&r.id) {
                Some(first) if first.origin == r.origin => {}
                Some(first) => {
                    let p = EntryProblem {
                        key: Some(r.id.clone()),
                        label: r.id.clone(),
                        diag: duplicate(first, r),
                    };
                    // The page's own references are always its concern.
                    if self.cited.contains(&r.id) || first.origin.file == self.doc.file {
                        self.out.push(p.diag);
                    } else {
                        self.quiet.entry(r.origin.file.clone()).or_default().push(p);
                    }
                }
                None => {
                    self.refs.insert(r.id.clone(), r.clone());
                }
            }
        }
    }
}

/// Checks of the references a page shows or defines: identifiers, required fields, years and
/// the same work under two keys (for its front matter references and every cited one), and
/// retractions (for cited ones). References in a shared file that the page does not cite are
/// not its concern.
pub fn check_references(
    doc: &Document,
    refs: &BTreeMap<String, Reference>,
    cited: &BTreeSet<String>,
    config: &Config,
    lib: &Library,
) -> Vec<Diagnostic> {
    let mut shown: Vec<&Reference> = Vec::new();
    for r in doc.references.get().iter() {
        if let Some(used) = refs.get(&r.id).filter(|u| u.origin == r.origin) {
            shown.push(used);
        }
    }
    for k in cited {
        if let Some(r) = refs.get(k) {
            if !shown.iter().any(|s| s.id == r.id) {
                shown.push(r);
            }
        }
    }
    let mut out = Vec::new();
    for r in &shown {
        out.extend(checks::check_reference(r, lib.this_year));
    }
    out.extend(checks::check_duplicates(&shown));
    if let Some(db) = &lib.retractions {
        for r in shown.iter().filter(|r| cited.contains(&r.id)) {
            out.extend(checks::check_retraction(r, db));
        }
    }
    out.extend(uncited_claims(doc, config));
    out.into_iter()
        .filter_map(|d| config.apply_level(d))
        .collect()
}

/// The files a page's references may come from besides the page itself (each place its
/// `bibliography:` entries may lead, relative to the site root): a build cache must rebuild the
/// page when one appears, changes or goes. The site-wide bibliography, the retraction data and
/// a `.csl` style apply to every page.
pub fn page_inputs(doc: &Document) -> Vec<PathBuf> {
    super::bibpath::bib_inputs(doc)
}
