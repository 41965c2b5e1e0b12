//! The bibliography files of a build, read once: each file's references sorted into those
//! pages can cite, problems with single entries (held against a page only when it cites the
//! entry) and problems with the whole file.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::cite::retract::Retractions;
use crate::cite::{bib, checks, Reference};
use crate::config::Config;
use crate::diag::{Category, Diagnostic};

/// Everything pages may cite from outside their front matter: bibliography files (each read
/// once and shared by every page naming it) and the Retraction Watch data.
pub struct Library {
    pub(super) root: PathBuf,
    files: Mutex<HashMap<PathBuf, Arc<LibFile>>>,
    /// The site-wide bibliography (`[citations] bibliography` in careguide.toml), in order.
    pub(super) site_wide: Vec<PathBuf>,
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
pub(super) fn duplicate(first: &Reference, r: &Reference) -> Diagnostic {
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
pub(super) fn key_problem(r: &Reference) -> Option<Diagnostic> {
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
pub(super) fn library_summary(
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
