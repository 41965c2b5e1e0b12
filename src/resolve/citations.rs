//! The citation checks of stage 3: each citation against the references the page can cite,
//! and those references against the rules.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::cite::retract::Retractions;
use crate::cite::scan::{Misplaced, Scan};
use crate::cite::{bib, checks, Reference};
use crate::config::Config;
use crate::content::Document;
use crate::diag::{Category, Diagnostic};
use crate::util::nearest;

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
    doc.references
        .iter()
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

/// Everything pages may cite from outside their front matter: bibliography files (each read
/// once and shared by every page naming it) and the Retraction Watch data.
pub struct Library {
    root: PathBuf,
    files: Mutex<HashMap<PathBuf, Arc<LibFile>>>,
    /// The site-wide bibliography (`[citations] bibliography` in careguide.toml), in order.
    site_wide: Vec<PathBuf>,
    pub retractions: Option<Retractions>,
    /// Problems with the site-wide files and the retraction data, to report once per run.
    pub diags: Vec<Diagnostic>,
    /// The latest plausible publication year (this year).
    pub this_year: i32,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("root", &self.root)
            .field("site_wide", &self.site_wide)
            .field("retractions", &self.retractions.as_ref().map(|r| r.len()))
            .finish()
    }
}

impl Library {
    /// Read the site-wide bibliography and the retraction data named in `config`;
    /// `retractions` (the `--retractions FILE` flag) overrides the configured file and is
    /// relative to the current directory, as command-line paths are.
    pub fn load(root: &Path, config: &Config, retractions: Option<&Path>) -> Library {
        let mut lib = Library {
            root: root.to_path_buf(),
            files: Mutex::new(HashMap::new()),
            site_wide: config.citations.bibliography.clone(),
            retractions: None,
            diags: Vec::new(),
            this_year: time::OffsetDateTime::now_utc().year(),
        };
        // A missing or unusable site-wide file is the configuration's problem: point at its
        // `bibliography` line in careguide.toml.
        let config_line = crate::util::read_file_to_string(&root.join(crate::config::CONFIG_FILE))
            .ok()
            .and_then(|t| {
                t.lines()
                    .position(|l| l.trim_start().starts_with("bibliography"))
                    .map(|i| i + 1)
            })
            .unwrap_or(0);
        for f in &lib.site_wide {
            let file = lib.file(f);
            // Problems of single entries are each page's concern (an error where cited, a
            // summary where not); what makes the file unusable is the configuration's.
            for d in &file.loaded.diags {
                if matches!(
                    d.rule.as_str(),
                    "cite/bibliography-unreadable"
                        | "cite/bibliography-format"
                        | "cite/bibliography-outside-root"
                ) {
                    lib.diags.push(Diagnostic {
                        file: Some(PathBuf::from(crate::config::CONFIG_FILE)),
                        line: config_line,
                        column: 1,
                        category: Category::Config,
                        ..d.clone()
                    });
                } else {
                    lib.diags.push(d.clone());
                }
            }
        }
        let rw = match (retractions, &config.citations.retractions) {
            (Some(p), _) => Some((p.to_path_buf(), p.to_path_buf())),
            // A file named in careguide.toml must be the site's own; --retractions is the
            // user's choice on the command line.
            (None, Some(p)) => match crate::paths::check_inside(
                &root.join(p),
                root,
                p,
                "cite/retractions-outside-site",
            ) {
                Some(d) => {
                    lib.diags.push(d);
                    None
                }
                None => Some((root.join(p), p.clone())),
            },
            (None, None) => None,
        };
        if let Some((full, shown)) = rw {
            match Retractions::load(&full, &shown) {
                Ok(r) => lib.retractions = Some(r),
                Err(d) => lib.diags.push(d),
            }
        }
        lib.diags = lib
            .diags
            .drain(..)
            .filter_map(|d| config.apply_level(d))
            .collect();
        lib
    }

    /// A library with no files and no retraction data (pages cite their front matter only).
    pub fn empty(root: &Path) -> Library {
        Library {
            root: root.to_path_buf(),
            files: Mutex::new(HashMap::new()),
            site_wide: Vec::new(),
            retractions: None,
            diags: Vec::new(),
            this_year: time::OffsetDateTime::now_utc().year(),
        }
    }

    /// The bibliography file at `rel` (relative to the site root), read once.
    pub fn file(&self, rel: &Path) -> Arc<LibFile> {
        let key = rel.to_path_buf();
        if let Ok(files) = self.files.lock() {
            if let Some(l) = files.get(&key) {
                return Arc::clone(l);
            }
        }
        let loaded = Arc::new(LibFile::new(bib::read(rel, &self.root)));
        if let Ok(mut files) = self.files.lock() {
            files.entry(key).or_insert_with(|| Arc::clone(&loaded));
        }
        loaded
    }
}

/// A problem with one entry of a bibliography file: an error on a page that cites the entry,
/// part of the file's summary warning on a page that does not.
#[derive(Debug, Clone)]
pub struct EntryProblem {
    /// The entry's key, when careguide could read one that a page could cite.
    pub key: Option<String>,
    /// How the summary names the entry: its key, or its line.
    pub label: String,
    pub diag: Diagnostic,
}

/// One bibliography file as pages use it: the references they can cite (one per key, with
/// citable keys), the problems of single entries, and in `loaded.diags` what concerns the
/// whole file.
#[derive(Debug, Default)]
pub struct LibFile {
    pub loaded: bib::Loaded,
    pub problems: Vec<EntryProblem>,
}

/// Rules of the readers that concern one entry of a file that otherwise reads.
const ENTRY_RULES: &[&str] = &[
    "cite/bibliography-syntax",
    "cite/bad-entry",
    "cite/empty-key",
    "cite/bad-key",
    "cite/unknown-type",
];

impl LibFile {
    /// Sort what reading a file gave into usable references, entry problems and file problems.
    /// Within the file, a key given twice to the same record (an exact duplicate) is merged with
    /// a warning; a key given to two different records is an error where cited; the first
    /// record is the one used.
    pub fn new(read: bib::Loaded) -> LibFile {
        let mut out = LibFile::default();
        let readable = !read.refs.is_empty();
        for d in read.diags {
            let key = read
                .refs
                .iter()
                .find(|r| r.origin.line == d.line && r.origin.column == d.column)
                .or_else(|| read.refs.iter().find(|r| r.origin.line == d.line))
                .map(|r| r.id.clone());
            // The BibTeX, CSL-JSON and YAML readers take a file entry by entry, so a bad
            // entry is lost alone; a stray line in MEDLINE or RIS may have cut a record
            // anywhere, which is the whole file's problem.
            let by_entry = d
                .file
                .as_deref()
                .and_then(Path::extension)
                .is_some_and(|e| {
                    ["bib", "json", "yaml", "yml"]
                        .contains(&e.to_string_lossy().to_ascii_lowercase().as_str())
                });
            if !readable
                || d.line == 0
                || !ENTRY_RULES.contains(&d.rule.as_str())
                || (key.is_none() && !by_entry)
            {
                out.loaded.diags.push(d);
                continue;
            }
            out.problems.push(EntryProblem {
                label: key.clone().unwrap_or_else(|| format!("line {}", d.line)),
                key,
                diag: d,
            });
        }
        let mut seen: HashMap<String, usize> = HashMap::new();
        for r in read.refs {
            if let Some(d) = key_problem(&r) {
                out.problems.push(EntryProblem {
                    key: Some(r.id.clone()),
                    label: if r.id.trim().is_empty() {
                        format!("line {}", r.origin.line)
                    } else {
                        r.id.clone()
                    },
                    diag: d,
                });
                continue;
            }
            match seen.get(&r.id) {
                Some(&i) => {
                    let first = &out.loaded.refs[i];
                    out.problems.push(EntryProblem {
                        key: Some(r.id.clone()),
                        label: r.id.clone(),
                        diag: duplicate(first, &r),
                    });
                }
                None => {
                    seen.insert(r.id.clone(), out.loaded.refs.len());
                    out.loaded.refs.push(r);
                }
            }
        }
        // RIS has no citation key of its own: a record may be cited by its ID, its DOI or its
        // PMID, whichever it has (the first record to have one, where two share it).
        let mut aliases = Vec::new();
        for r in &out.loaded.refs {
            let ris = r
                .origin
                .file
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("ris"));
            if !ris {
                continue;
            }
            let ids = [
                r.doi.as_deref().map(|d| format!("doi:{d}")),
                r.pmid.as_deref().map(|p| format!("pmid:{p}")),
            ];
            for alias in ids.into_iter().flatten() {
                if alias != r.id
                    && !seen.contains_key(&alias)
                    && !alias.contains(|c: char| c.is_whitespace() || c == '}')
                {
                    seen.insert(alias.clone(), usize::MAX);
                    aliases.push(Reference {
                        id: alias,
                        ..r.clone()
                    });
                }
            }
        }
        out.loaded.refs.extend(aliases);
        out
    }
}

/// The same record, wherever it was written.
fn same_record(a: &Reference, b: &Reference) -> bool {
    Reference {
        origin: b.origin.clone(),
        ..a.clone()
    } == *b
}

/// `r` uses the key of `first`, defined before it: a warning when it is the same record (the
/// first is used), an error when it is another work.
fn duplicate(first: &Reference, r: &Reference) -> Diagnostic {
    if same_record(first, r) {
        return Diagnostic::warning(
            "cite/duplicate-entry",
            format!(
                "the reference '{}' is given twice, the same record at {} and at {}; they are merged",
                r.id,
                checks::place(first),
                checks::place(r)
            ),
        )
        .at(&r.origin.file, r.origin.line, r.origin.column)
        .hint("remove one copy from the library (reference managers can merge duplicates)");
    }
    Diagnostic::error(
        "cite/duplicate-key",
        format!(
            "the reference key '{}' is defined twice: at {} and at {}",
            r.id,
            checks::place(first),
            checks::place(r)
        ),
    )
    .at(&r.origin.file, r.origin.line, r.origin.column)
    .hint(format!(
        "rename one of them; [@{}] cites the one at {}",
        r.id,
        checks::place(first)
    ))
}

/// The error for a reference whose id cannot be cited, if it cannot.
fn key_problem(r: &Reference) -> Option<Diagnostic> {
    let p = crate::cite::scan::key_problem(&r.id)?;
    let rule = if r.id.trim().is_empty() {
        "cite/empty-key"
    } else {
        "cite/bad-key"
    };
    Some(
        Diagnostic::error(rule, p)
            .at(&r.origin.file, r.origin.line, r.origin.column)
            .hint("a key is one word of letters, digits and _ (inner : . # $ % & - + ? < > ~ / allowed), cited as [@key]"),
    )
}

/// The rule of the one warning that sums up a file's problems in entries a page does not cite.
pub const LIBRARY_PROBLEMS: &str = "cite/library-problems";
/// The rule under which each of those problems is shown when `[rules]` asks for it.
pub const LIBRARY_ENTRY: &str = "cite/library-entry";

/// One warning for the problems `labels` (with their findings) of `file` in entries the page
/// does not cite; each of them too when `[rules] "cite/library-entry"` is set.
fn library_summary(
    file: &Path,
    problems: &[&EntryProblem],
    config: &Config,
    out: &mut Vec<Diagnostic>,
) {
    if problems.is_empty() {
        return;
    }
    let mut labels: Vec<&str> = Vec::new();
    for p in problems {
        if !labels.contains(&p.label.as_str()) {
            labels.push(&p.label);
        }
    }
    let n = labels.len();
    let first: Vec<String> = labels.iter().take(3).map(|l| format!("'{l}'")).collect();
    let more = if n > 3 {
        format!(" and {} more", n - 3)
    } else {
        String::new()
    };
    let entries = if n == 1 { "entry" } else { "entries" };
    out.push(
        Diagnostic::warning(
            LIBRARY_PROBLEMS,
            format!(
                "{}: {n} uncited {entries} {} problems: {}{more}",
                file.display(),
                if n == 1 { "has" } else { "have" },
                first.join(", ")
            ),
        )
        .in_file(file)
        .hint(format!(
            "they do not stop the build while uncited; citing one makes its problem an error. \
             Fix them in the reference manager, or set [rules] \"{LIBRARY_ENTRY}\" = \"warning\" to see each one"
        )),
    );
    if matches!(
        config.rules.get(LIBRARY_ENTRY),
        Some(crate::config::RuleLevel::Warning | crate::config::RuleLevel::Error)
    ) {
        for p in problems {
            out.push(Diagnostic {
                rule: LIBRARY_ENTRY.to_string(),
                severity: crate::diag::Severity::Warning,
                message: format!("{} ({})", p.diag.message, p.diag.rule),
                ..p.diag.clone()
            });
        }
    }
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
    let mut page = PageRefs::default();
    let mut out = Vec::new();
    // Problems of entries this page does not cite, by file.
    let mut quiet: BTreeMap<PathBuf, Vec<EntryProblem>> = BTreeMap::new();
    let mut refs: BTreeMap<String, Reference> = BTreeMap::new();
    for r in &doc.references {
        if let Some(d) = key_problem(r) {
            out.push(d);
            continue;
        }
        match refs.get(&r.id) {
            Some(first) if first.origin == r.origin => {}
            Some(first) => out.push(duplicate(first, r)),
            None => {
                refs.insert(r.id.clone(), r.clone());
            }
        }
    }
    let mut from_file = |file: &LibFile,
                         out: &mut Vec<Diagnostic>,
                         quiet: &mut BTreeMap<PathBuf, Vec<EntryProblem>>| {
        for p in &file.problems {
            match &p.key {
                Some(k) if cited.contains(k) => out.push(p.diag.clone()),
                _ => quiet
                    .entry(p.diag.file.clone().unwrap_or_default())
                    .or_default()
                    .push(p.clone()),
            }
        }
        for r in &file.loaded.refs {
            match refs.get(&r.id) {
                Some(first) if first.origin == r.origin => {}
                Some(first) => {
                    let p = EntryProblem {
                        key: Some(r.id.clone()),
                        label: r.id.clone(),
                        diag: duplicate(first, r),
                    };
                    // The page's own references are always its concern.
                    if cited.contains(&r.id) || first.origin.file == doc.file {
                        out.push(p.diag);
                    } else {
                        quiet.entry(r.origin.file.clone()).or_default().push(p);
                    }
                }
                None => {
                    refs.insert(r.id.clone(), r.clone());
                }
            }
        }
    };
    let bib_line = doc.key_line("bibliography");
    for name in &doc.front.bibliography {
        let at = super::bibpath::bib_path(&doc.file, name, &lib.root);
        if let Some(d) = super::bibpath::problem(doc, name.trim(), &at, &lib.root, bib_line) {
            page.incomplete |= d.severity == crate::diag::Severity::Error;
            out.push(d);
        }
        let super::bibpath::BibPath::Found { rel, .. } = at else {
            continue;
        };
        let full = lib.root.join(&rel);
        if let Some(d) = bib::outside_root(&full, &lib.root, &rel) {
            page.incomplete = true;
            out.push(
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
            continue;
        }
        let file = lib.file(&rel);
        for d in &file.loaded.diags {
            page.incomplete |= d.severity == crate::diag::Severity::Error;
            // A missing file is the page's problem: point at its `bibliography:` line.
            if d.rule == "cite/bibliography-unreadable" || d.rule == "cite/bibliography-format" {
                out.push(Diagnostic {
                    file: Some(doc.file.clone()),
                    line: bib_line,
                    column: 1,
                    ..d.clone()
                });
            } else {
                out.push(d.clone());
            }
        }
        from_file(&file, &mut out, &mut quiet);
    }
    for f in &lib.site_wide {
        let file = lib.file(f);
        // The file's own problems are reported once per run (`Library::diags`).
        page.incomplete |= file
            .loaded
            .diags
            .iter()
            .any(|d| d.severity == crate::diag::Severity::Error);
        from_file(&file, &mut out, &mut quiet);
    }
    for (file, problems) in &quiet {
        let mut ps: Vec<&EntryProblem> = problems.iter().collect();
        ps.sort_by_key(|p| (p.diag.line, p.diag.column));
        library_summary(file, &ps, config, &mut out);
    }
    page.diags = out
        .into_iter()
        .filter_map(|d| config.apply_level(d))
        .collect();
    page.refs = refs;
    page
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
    for r in &doc.references {
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

/// The rule name of [`uncited_claims`].
pub const UNCITED_CLAIM: &str = "cite/uncited-claim";

/// Paragraphs and list items with no citation at all, so reviewers see which statements carry
/// no evidence. A warning by default; `[rules] "cite/uncited-claim" = "off"` turns it off. It
/// runs only on pages that cite sources. Short
/// lines (under six words), lines introducing a list (ending in ':') and the clinic's declared
/// practice (`::: {.practice}` … `:::`) are not claims.
pub fn uncited_claims(doc: &Document, config: &Config) -> Vec<Diagnostic> {
    use crate::config::RuleLevel;
    use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};
    if let Some(RuleLevel::Off) = config.rules.get(UNCITED_CLAIM) {
        return Vec::new();
    }
    if doc.references.is_empty() && doc.front.bibliography.is_empty() {
        return Vec::new();
    }
    let body = doc.body();
    let mut units: Vec<std::ops::Range<usize>> = Vec::new();
    // Open list items: (start offset, has a nested list).
    let mut items: Vec<(usize, bool)> = Vec::new();
    let mut in_table = 0usize;
    let opts = Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH;
    for (ev, range) in Parser::new_ext(body, opts).into_offset_iter() {
        match ev {
            Event::Start(Tag::Table(_)) => in_table += 1,
            Event::End(TagEnd::Table) => in_table = in_table.saturating_sub(1),
            Event::Start(Tag::Item) => items.push((range.start, false)),
            Event::Start(Tag::List(_)) => {
                if let Some(parent) = items.last_mut() {
                    parent.1 = true;
                }
            }
            Event::End(TagEnd::Item) => {
                if let Some((start, nested)) = items.pop() {
                    if !nested {
                        units.push(start..range.end);
                    }
                }
            }
            Event::Start(Tag::Paragraph) if items.is_empty() && in_table == 0 => {
                units.push(range);
            }
            _ => {}
        }
    }
    // The clinic's declared practice (`::: {.practice}`) needs no citation.
    let practice = if body.contains(":::") {
        crate::audience::blocks::layout(body).practice_text()
    } else {
        Vec::new()
    };
    let mut out = Vec::new();
    for u in units {
        let text = &body[u.clone()];
        // Fence lines (`::: patient`, `::: {.note}`) and practice are not part of the statement.
        let mut start = u.start;
        let mut kept = String::new();
        let mut offset = 0;
        for line in text.split_inclusive('\n') {
            let at = u.start + offset;
            if line.trim_start().starts_with(":::") || practice.iter().any(|r| r.contains(&at)) {
                if kept.is_empty() {
                    start = u.start + offset + line.len();
                }
            } else {
                kept.push_str(line);
            }
            offset += line.len();
        }
        let claim = kept.trim();
        if claim.ends_with(':') || !crate::cite::scan::scan(claim).groups.is_empty() {
            continue;
        }
        let words = claim
            .split_whitespace()
            .filter(|w| w.chars().any(char::is_alphabetic))
            .count();
        if words < 6 {
            continue;
        }
        let lead_ws = body[start..].len() - body[start..].trim_start().len();
        let (line, col) = doc.body_pos(start + lead_ws);
        let first: String = claim
            .trim_start_matches(['-', '*', '+', ' '])
            .chars()
            .take(50)
            .collect();
        out.push(
            Diagnostic::warning(
                UNCITED_CLAIM,
                format!("no citation for the statement \"{}...\"", first.trim_end()),
            )
            .at(&doc.file, line, col)
            .hint("cite the source that supports it, as [@key]; statements of the clinic's own practice may stay uncited"),
        );
    }
    out
}

/// The files a page's references may come from besides the page itself (each place its
/// `bibliography:` entries may lead, relative to the site root): a build cache must rebuild the
/// page when one appears, changes or goes. The site-wide bibliography, the retraction data and
/// a `.csl` style apply to every page.
pub fn page_inputs(doc: &Document) -> Vec<PathBuf> {
    super::bibpath::bib_inputs(doc)
}
