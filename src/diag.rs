//! Diagnostics: every problem a run finds is collected here and reported at the end, each with
//! its file, line, column, a message an author understands and a hint.
//!
//! Stages never stop at the first problem: they push into [`Diagnostics`] and carry on with what
//! they could make sense of, so one `careguide check` shows everything at once.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// How bad a finding is. Rules whose severity a site may choose map to this through
/// [`crate::config::RuleLevel`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// What kind of failure a diagnostic is; it decides the exit code of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    /// Something in the content an author must fix (exit code 1).
    #[default]
    Content,
    /// Configuration or command-line problems (exit code 2).
    Config,
    /// Reading or writing files failed (exit code 2).
    Io,
}

/// One finding. Lines and columns are 1-based; 0 means "not known" (a whole-file problem).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub severity: Severity,
    #[serde(skip)]
    pub category: Category,
    /// A stable rule name such as `front-matter/unknown-key`, for filtering and configuration.
    pub rule: String,
    /// Path relative to the site root where possible, as shown to the author.
    pub file: Option<PathBuf>,
    pub line: usize,
    pub column: usize,
    pub message: String,
    pub hint: Option<String>,
}

impl Diagnostic {
    pub fn error(rule: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            category: Category::Content,
            rule: rule.to_string(),
            file: None,
            line: 0,
            column: 0,
            message: message.into(),
            hint: None,
        }
    }

    pub fn warning(rule: &str, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(rule, message)
        }
    }

    pub fn at(mut self, file: impl Into<PathBuf>, line: usize, column: usize) -> Self {
        self.file = Some(file.into());
        self.line = line;
        self.column = column;
        self
    }

    pub fn in_file(mut self, file: impl Into<PathBuf>) -> Self {
        self.file = Some(file.into());
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn category(mut self, category: Category) -> Self {
        self.category = category;
        self
    }

    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// `file:line:col` as editors and CI systems understand it.
    pub fn location(&self) -> String {
        match (&self.file, self.line, self.column) {
            (None, _, _) => String::from("<site>"),
            (Some(f), 0, _) => f.display().to_string(),
            (Some(f), l, 0) => format!("{}:{l}", f.display()),
            (Some(f), l, c) => format!("{}:{l}:{c}", f.display()),
        }
    }
}

/// All findings of one run.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn warning_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }

    /// Sort by file, then position, then message, so output is the same on every run
    /// whatever order parallel stages finished in.
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| {
            (&a.file, a.line, a.column, &a.rule, &a.message)
                .cmp(&(&b.file, b.line, b.column, &b.rule, &b.message))
        });
        self.items.dedup();
    }

    /// The exit code these findings call for: 2 for configuration or I/O errors, 1 for content
    /// errors, 0 when there are only warnings or nothing.
    pub fn exit_code(&self) -> u8 {
        let errors = self.items.iter().filter(|d| d.severity == Severity::Error);
        let mut code = 0;
        for d in errors {
            match d.category {
                Category::Config | Category::Io => return 2,
                Category::Content => code = 1,
            }
        }
        code
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

/// Output formats for diagnostics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Source excerpts with the problem underlined, for people.
    Human,
    /// One JSON document with every finding, for tools.
    Json,
    /// GitHub Actions workflow commands (`::error file=..,line=..::msg`), for CI annotations.
    Github,
}

/// Byte offset of a 1-based line/column in `text` (column counted in characters).
fn offset_of(text: &str, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let mut start = 0;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col = column.max(1) - 1;
            let within = l
                .char_indices()
                .nth(col)
                .map(|(o, _)| o)
                .unwrap_or(l.trim_end_matches(['\n', '\r']).len());
            return Some(start + within);
        }
        start += l.len();
    }
    None
}

/// Length in bytes of the token starting at `offset`, for the underline.
fn token_len(text: &str, offset: usize) -> usize {
    let rest = &text[offset..];
    let n = rest
        .char_indices()
        .find(|(_, c)| c.is_whitespace())
        .map(|(i, _)| i)
        .unwrap_or(rest.len());
    n.max(1).min(rest.len())
}

/// Print diagnostics for people: a codespan-style excerpt where the file can be read, with the
/// hint as a note. `root` is where relative file paths are found. Every finding is printed,
/// errors first.
pub fn render_human(diags: &Diagnostics, root: &Path, out: &mut dyn std::io::Write, color: bool) {
    render_human_limited(diags, root, out, color, None);
}

/// The command-line option that prints every warning, named where the rest are counted.
pub const ALL_WARNINGS_FLAG: &str = "--all-warnings";

/// [`render_human`] with at most `max_warnings` warnings printed (`None`: all). Errors come
/// first and are always all printed, so they are not lost among thousands of warnings; the
/// warnings left out are counted by rule, with the option that shows them.
pub fn render_human_limited(
    diags: &Diagnostics,
    root: &Path,
    out: &mut dyn std::io::Write,
    color: bool,
    max_warnings: Option<usize>,
) {
    use codespan_reporting::diagnostic::{Diagnostic as CsDiag, Label};
    use codespan_reporting::files::SimpleFiles;
    use codespan_reporting::term::{self, termcolor};

    let mut files = SimpleFiles::new();
    let mut ids: std::collections::BTreeMap<PathBuf, Option<(usize, String)>> = Default::default();
    let config = term::Config::default();
    let mut buffer = if color {
        termcolor::Buffer::ansi()
    } else {
        termcolor::Buffer::no_color()
    };
    let of = |severity| diags.iter().filter(move |d| d.severity == severity);
    let shown = max_warnings.unwrap_or(usize::MAX);
    for d in of(Severity::Error).chain(of(Severity::Warning).take(shown)) {
        let mut cs = match d.severity {
            Severity::Error => CsDiag::error(),
            Severity::Warning => CsDiag::warning(),
        }
        .with_code(d.rule.clone())
        .with_message(d.message.clone());
        let mut notes = Vec::new();
        if let Some(file) = &d.file {
            let entry = ids.entry(file.clone()).or_insert_with(|| {
                let text = crate::util::read_file(&root.join(file))
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())?;
                let id = files.add(file.display().to_string(), text.clone());
                Some((id, text))
            });
            match entry {
                Some((id, text)) if d.line > 0 => match offset_of(text, d.line, d.column) {
                    Some(off) => {
                        let len = if d.column > 0 {
                            token_len(text, off)
                        } else {
                            0
                        };
                        cs = cs.with_labels(vec![Label::primary(*id, off..off + len)]);
                    }
                    None => notes.push(format!("at {}", d.location())),
                },
                _ => notes.push(format!("in {}", d.location())),
            }
        }
        if let Some(h) = &d.hint {
            notes.push(format!("hint: {h}"));
        }
        cs = cs.with_notes(notes);
        // Rendering only fails on a file id we did not add, which cannot happen here.
        let _ = term::emit_to_write_style(&mut buffer, &config, &files, &cs);
    }
    let _ = out.write_all(buffer.as_slice());
    if let Some(line) = hidden_warnings(of(Severity::Warning).skip(shown)) {
        let _ = writeln!(out, "{line}");
    }
    let (e, w) = (diags.error_count(), diags.warning_count());
    if e + w > 0 {
        let _ = writeln!(out, "{e} error(s), {w} warning(s)");
    }
}

/// The line that counts the warnings not printed, by rule (most first), or `None` when every
/// warning was printed.
fn hidden_warnings<'a>(rest: impl Iterator<Item = &'a Diagnostic>) -> Option<String> {
    let mut by_rule: std::collections::BTreeMap<&str, usize> = Default::default();
    for d in rest {
        *by_rule.entry(d.rule.as_str()).or_default() += 1;
    }
    let total: usize = by_rule.values().sum();
    if total == 0 {
        return None;
    }
    let mut rules: Vec<(&str, usize)> = by_rule.into_iter().collect();
    rules.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let counts: Vec<String> = rules.iter().map(|(r, n)| format!("{r} {n}")).collect();
    Some(format!(
        "... and {total} more warning(s) not shown: {}\n    {ALL_WARNINGS_FLAG} prints them all; --format json lists every finding",
        counts.join(", ")
    ))
}

/// The site root's path inside the repository, put before each file's path in GitHub
/// annotations: GitHub attaches an annotation to a file by its path from the repository's root,
/// and a site may live in a subfolder. The repository's root is `workspace` (GitHub's
/// `GITHUB_WORKSPACE`) when the site is inside it, else the nearest folder above the site that
/// holds `.git`; empty when neither is found.
pub fn repository_prefix(root: &Path, workspace: Option<&std::ffi::OsStr>) -> PathBuf {
    let Ok(root) = std::fs::canonicalize(root) else {
        return PathBuf::new();
    };
    let from_workspace = workspace
        .filter(|w| !w.is_empty())
        .and_then(|w| std::fs::canonicalize(w).ok())
        .and_then(|w| root.strip_prefix(w).ok().map(Path::to_path_buf));
    from_workspace
        .or_else(|| {
            let top = root.ancestors().find(|a| a.join(".git").exists())?;
            root.strip_prefix(top).ok().map(Path::to_path_buf)
        })
        .unwrap_or_default()
}

/// One line per finding, for GitHub Actions: annotations on the exact line of the content.
/// `prefix` is the site root's path from the repository's root ([`repository_prefix`]).
pub fn render_github(diags: &Diagnostics, prefix: &Path, out: &mut dyn std::io::Write) {
    fn esc(s: &str) -> String {
        s.replace('%', "%25")
            .replace('\r', "%0D")
            .replace('\n', "%0A")
    }
    fn esc_prop(s: &str) -> String {
        esc(s).replace(':', "%3A").replace(',', "%2C")
    }
    for d in diags.iter() {
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let mut props = Vec::new();
        if let Some(f) = &d.file {
            let path = if f.is_absolute() {
                f.display().to_string()
            } else {
                // GitHub wants '/' between folders whatever the runner's system.
                let parts: Vec<String> = prefix
                    .join(f)
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                parts.join("/")
            };
            props.push(format!("file={}", esc_prop(&path)));
            if d.line > 0 {
                props.push(format!("line={}", d.line));
            }
            if d.column > 0 {
                props.push(format!("col={}", d.column));
            }
        }
        props.push(format!("title={}", esc_prop(&d.rule)));
        let mut msg = d.message.clone();
        if let Some(h) = &d.hint {
            msg.push_str("\nhint: ");
            msg.push_str(h);
        }
        let _ = writeln!(out, "::{level} {}::{}", props.join(","), esc(&msg));
    }
}

/// The JSON form: `{"errors": N, "warnings": N, "diagnostics": [...]}` plus any extra fields
/// a command adds (for example reading-level scores).
pub fn to_json(diags: &Diagnostics, extra: serde_json::Map<String, serde_json::Value>) -> String {
    let mut map = serde_json::Map::new();
    map.insert("errors".into(), diags.error_count().into());
    map.insert("warnings".into(), diags.warning_count().into());
    map.insert(
        "diagnostics".into(),
        serde_json::to_value(&diags.items).unwrap_or(serde_json::Value::Null),
    );
    map.extend(extra);
    serde_json::to_string_pretty(&serde_json::Value::Object(map)).unwrap_or_default()
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_from_one_and_in_characters() {
        let t = "ab\ncé d\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 3), (2, 1));
        // 'd' sits after "cé " : 3 characters, 4 bytes
        assert_eq!(line_col(t, 3 + 4), (2, 4));
        assert_eq!(offset_of(t, 2, 4), Some(7));
    }

    #[test]
    fn exit_code_prefers_config_errors() {
        let mut d = Diagnostics::new();
        d.push(Diagnostic::warning("w", "only a warning"));
        assert_eq!(d.exit_code(), 0);
        d.push(Diagnostic::error("c", "content"));
        assert_eq!(d.exit_code(), 1);
        d.push(Diagnostic::error("cfg", "config").category(Category::Config));
        assert_eq!(d.exit_code(), 2);
    }

    #[test]
    fn human_format_prints_errors_first_and_counts_the_warnings_left_out() {
        let mut d = Diagnostics::new();
        for i in 1..=5 {
            d.push(
                Diagnostic::warning("cite/uncited-claim", format!("sentence {i}")).at("a.md", i, 0),
            );
        }
        d.push(Diagnostic::warning("audience/reading-level", "hard").at("b.md", 1, 0));
        d.push(Diagnostic::error("cite/unknown-key", "no such key").at("c.md", 9, 0));
        d.sort();
        let render = |max| {
            let mut out = Vec::new();
            render_human_limited(&d, Path::new("/nonexistent"), &mut out, false, max);
            String::from_utf8(out).unwrap()
        };
        let s = render(Some(2));
        let error = s.find("no such key").unwrap();
        assert!(error < s.find("sentence 1").unwrap(), "{s}");
        assert!(s.contains("sentence 2") && !s.contains("sentence 3"), "{s}");
        assert!(!s.contains("hard"), "{s}");
        assert!(
            s.contains("... and 4 more warning(s) not shown: cite/uncited-claim 3, audience/reading-level 1"),
            "{s}"
        );
        assert!(s.contains(ALL_WARNINGS_FLAG), "{s}");
        assert!(s.ends_with("1 error(s), 6 warning(s)\n"), "{s}");
        // No limit, or a limit not reached: everything, and no count line.
        for max in [None, Some(6)] {
            let s = render(max);
            assert!(s.contains("sentence 5") && s.contains("hard"), "{s}");
            assert!(!s.contains("not shown"), "{s}");
        }
        // Errors are never left out.
        let s = render(Some(0));
        assert!(
            s.contains("no such key") && !s.contains("sentence 1"),
            "{s}"
        );
        assert!(s.contains("... and 6 more warning(s)"), "{s}");
    }

    #[test]
    fn github_format_escapes_newlines_and_names_the_line() {
        let mut d = Diagnostics::new();
        d.push(
            Diagnostic::error("cite/unknown-key", "no reference 'x'")
                .at("content/a.md", 3, 5)
                .hint("did you mean 'y'?"),
        );
        let mut out = Vec::new();
        render_github(&d, Path::new(""), &mut out);
        let s = String::from_utf8(out).unwrap();
        assert_eq!(
            s,
            "::error file=content/a.md,line=3,col=5,title=cite/unknown-key::no reference 'x'%0Ahint: did you mean 'y'?\n"
        );
        let mut out = Vec::new();
        render_github(&d, Path::new("docs/site"), &mut out);
        let s = String::from_utf8(out).unwrap();
        assert!(
            s.starts_with("::error file=docs/site/content/a.md,line=3"),
            "{s}"
        );
    }

    #[test]
    fn the_prefix_is_the_site_root_from_the_repository_root() {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        let site = repo.join("sites/clinic");
        std::fs::create_dir_all(site.join("content")).unwrap();
        // No repository above: no prefix.
        assert_eq!(repository_prefix(&site, None), PathBuf::new());
        std::fs::create_dir(repo.join(".git")).unwrap();
        assert_eq!(repository_prefix(&site, None), Path::new("sites/clinic"));
        assert_eq!(repository_prefix(&repo, None), PathBuf::new());
        // GITHUB_WORKSPACE wins when the site is inside it, and is ignored when not.
        let ws = repo.join("sites");
        assert_eq!(
            repository_prefix(&site, Some(ws.as_os_str())),
            Path::new("clinic")
        );
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir(&elsewhere).unwrap();
        assert_eq!(
            repository_prefix(&site, Some(elsewhere.as_os_str())),
            Path::new("sites/clinic")
        );
        assert_eq!(
            repository_prefix(&site, Some("".as_ref())),
            Path::new("sites/clinic")
        );
        // A relative root is resolved first.
        assert_eq!(
            repository_prefix(&site.join("content/.."), None),
            Path::new("sites/clinic")
        );
    }
}
