//! Stage 1 and 2 of the pipeline: find the pages under `content/` ([`SourceFile`]) and parse
//! each into a typed [`Document`] (front matter checked, body kept with its position).

pub mod frontmatter;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::cite::{Origin, Reference};
use crate::config::{is_ident, Config};
use crate::diag::{line_col, Category, Diagnostic, Diagnostics};
use crate::util::nearest;
use frontmatter::{FrontMatter, ReviewStatus, SplitError};

pub const CONTENT_DIR: &str = "content";

/// The largest page careguide reads. A patient-education page is a few kilobytes; this stops a
/// runaway file (a pasted data dump, a generated file) before it costs minutes and gigabytes.
pub const MAX_PAGE_BYTES: u64 = 4 * 1024 * 1024;

/// The deepest nesting of block quotes and lists a page may have. Rendering cost grows with
/// the square of the depth; real pages stay below ten.
pub const MAX_NESTING: usize = 100;

/// A page's file as read from disk.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Path relative to the site root (`content/kratom-withdrawal.md`), as shown in diagnostics.
    pub rel: PathBuf,
    pub text: String,
}

/// What the file system says of a page file: enough to tell, without reading it, that it is
/// the file an earlier build read (as git's index does). Any write changes the change time,
/// which no tool can set back; an editor that saves by renaming changes the inode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Stamp {
    pub size: u64,
    pub inode: u64,
    /// Modification and change times, nanoseconds since the epoch.
    pub mtime: i128,
    pub ctime: i128,
}

impl Stamp {
    pub fn of(m: &std::fs::Metadata) -> Stamp {
        use std::os::unix::fs::MetadataExt;
        Stamp {
            size: m.len(),
            inode: m.ino(),
            mtime: m.mtime() as i128 * 1_000_000_000 + m.mtime_nsec() as i128,
            ctime: m.ctime() as i128 * 1_000_000_000 + m.ctime_nsec() as i128,
        }
    }

    /// Whether a file with this stamp, read at `read_at` (nanoseconds since the epoch), can be
    /// known by its stamp later. A file written shortly before it was read could be written
    /// again within the file system's timestamp granularity without its stamp changing: it is
    /// read again next time. The granularity is a clock tick (a few milliseconds) where times
    /// have nanoseconds, and up to two seconds where they have none (FAT, some network shares).
    pub fn settled(&self, read_at: i128) -> bool {
        const NS: i128 = 1_000_000_000;
        let coarse = self.mtime % NS == 0 && self.ctime % NS == 0;
        let margin = if coarse { 3 * NS } else { NS / 10 };
        self.mtime < read_at - margin && self.ctime < read_at - margin
    }
}

#[cfg(test)]
mod stamp_tests {
    use super::Stamp;

    #[test]
    fn recently_written_files_are_not_known_by_their_stamp() {
        const NS: i128 = 1_000_000_000;
        let at = |mtime: i128| Stamp {
            size: 1,
            inode: 1,
            mtime,
            ctime: mtime,
        };
        let read_at = 1_000 * NS + 500_000_000;
        // Times with nanoseconds.
        assert!(at(read_at - NS / 5).settled(read_at));
        assert!(!at(read_at - NS / 20).settled(read_at));
        assert!(!at(read_at + NS / 5).settled(read_at));
        // Whole seconds: a file system that keeps no nanoseconds needs a wider margin.
        assert!(!at(998 * NS).settled(read_at));
        assert!(at(996 * NS).settled(read_at));
    }

    #[test]
    fn a_page_taken_from_the_cache_without_its_text_does_not_panic() {
        let mut doc = crate::audience::testutil::page("review:\n  status: draft\n", "Body.\n");
        assert!(doc.body().contains("Body."));
        doc.text = String::new();
        assert_eq!(doc.body(), "");
        assert_eq!(doc.yaml(), "");
        assert_eq!(doc.key_line("review"), 1);
    }
}

/// Now, in nanoseconds since the epoch (for [`Stamp::settled`]).
pub fn now_ns() -> i128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as i128)
        .unwrap_or(0)
}

/// A page file found by [`load_with`]: read, or known unchanged by its stamp and not read
/// (`text` empty).
#[derive(Debug)]
pub struct Found {
    pub source: SourceFile,
    pub stamp: Option<Stamp>,
    pub read: bool,
}

/// A parsed page: typed front matter and the Markdown body. It serializes without its text,
/// for the build cache (which has the text anyway).
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
pub struct Document {
    pub file: PathBuf,
    #[serde(skip)]
    pub text: String,
    pub front: FrontMatter,
    /// Byte offset of the body in `text`.
    pub body_offset: usize,
    /// 1-based line of the front matter's first YAML line.
    pub yaml_line: usize,
    /// The page's URL path without slashes around it (`kratom-withdrawal`, `guides/taper`).
    pub path: String,
    /// Last segment of `path`.
    pub slug: String,
    /// The audiences this page is written for, in the site's order.
    pub audiences: Vec<String>,
    /// Inline `references:` entries, in the order written.
    pub references: Vec<Reference>,
}

impl Document {
    pub fn body(&self) -> &str {
        // A page taken whole from the build cache has no text (see `build::run`).
        self.text.get(self.body_offset..).unwrap_or("")
    }

    /// The front matter's YAML text.
    pub fn yaml(&self) -> &str {
        let start = self
            .text
            .find('\n')
            .map(|i| i + 1)
            .unwrap_or(0)
            .min(self.body_offset);
        self.text.get(start..self.body_offset).unwrap_or("")
    }

    /// 1-based line and column of a byte offset into the body.
    pub fn body_pos(&self, body_offset: usize) -> (usize, usize) {
        line_col(&self.text, self.body_offset + body_offset)
    }

    /// File line of a top-level front matter key.
    pub fn key_line(&self, key: &str) -> usize {
        frontmatter::key_line(self.yaml(), self.yaml_line, key).unwrap_or(1)
    }

    pub fn heading(&self) -> &str {
        self.front.question.as_deref().unwrap_or(&self.front.title)
    }

    pub fn is_approved(&self) -> bool {
        self.front.review.status == ReviewStatus::Approved
    }
}

fn io_error(rel: &Path, e: impl std::fmt::Display) -> Diagnostic {
    Diagnostic::error("io/read", format!("cannot read {}: {e}", rel.display()))
        .in_file(rel)
        .category(Category::Io)
}

/// Find every `.md` file under `ROOT/content`, in a stable order, refusing files that are not
/// UTF-8, empty files and symbolic links that lead outside the site.
pub fn load(root: &Path, diags: &mut Diagnostics) -> Vec<SourceFile> {
    load_with(root, diags, &|_, _| false)
        .into_iter()
        .map(|f| f.source)
        .collect()
}

/// [`load`], leaving unread the files for which `known(rel, stamp)` says the caller already
/// has what it needs.
pub fn load_with(
    root: &Path,
    diags: &mut Diagnostics,
    known: &(dyn Fn(&Path, &Stamp) -> bool + Sync),
) -> Vec<Found> {
    let dir = root.join(CONTENT_DIR);
    if !dir.is_dir() {
        diags.push(
            Diagnostic::error(
                "content/missing",
                format!("no {CONTENT_DIR}/ folder in {}", root.display()),
            )
            .category(Category::Config)
            .hint("pages are Markdown files under content/; `careguide init DIR` writes a working site"),
        );
        return Vec::new();
    }
    let canon_root = match root.canonicalize() {
        Ok(p) => p,
        Err(e) => {
            diags.push(io_error(root, e));
            return Vec::new();
        }
    };
    let mut out = Vec::new();
    let mut pages = Vec::new();
    let walker = walkdir::WalkDir::new(&dir)
        .follow_links(false)
        .sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e.path().unwrap_or(&dir).to_path_buf();
                diags.push(io_error(&rel_to(root, &p), e));
                continue;
            }
        };
        let path = entry.path();
        let rel = rel_to(root, path);
        if entry.path_is_symlink() {
            match path.canonicalize() {
                Ok(target) if target.starts_with(&canon_root) => {
                    if target.is_dir() {
                        diags.push(
                            Diagnostic::warning(
                                "content/symlink",
                                format!(
                                    "{} is a link to a folder; it is not followed",
                                    rel.display()
                                ),
                            )
                            .in_file(&rel),
                        );
                        continue;
                    }
                }
                Ok(target) => {
                    diags.push(
                        Diagnostic::error(
                            "content/symlink-outside",
                            format!(
                                "{} is a symbolic link to {}, outside the site",
                                rel.display(),
                                target.display()
                            ),
                        )
                        .in_file(&rel)
                        .hint("copy the file into content/ instead; careguide never reads outside the site root"),
                    );
                    continue;
                }
                Err(_) => {
                    diags.push(
                        Diagnostic::error(
                            "content/symlink-broken",
                            format!("{} is a symbolic link to nothing", rel.display()),
                        )
                        .in_file(&rel),
                    );
                    continue;
                }
            }
        } else if !entry.file_type().is_file() {
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        pages.push((path.to_path_buf(), rel));
    }
    // Reading and checking the files in parallel: thousands of pages are read on every build.
    use rayon::prelude::*;
    let read: Vec<Result<Found, Diagnostic>> = pages
        .into_par_iter()
        .map(|(path, rel)| {
            let meta = std::fs::metadata(&path).ok();
            let stamp = meta.as_ref().map(Stamp::of);
            if stamp.is_some_and(|s| known(&rel, &s)) {
                return Ok(Found {
                    source: SourceFile {
                        rel,
                        text: String::new(),
                    },
                    stamp,
                    read: false,
                });
            }
            read_page_sized(&path, rel, meta.map(|m| m.len())).map(|source| Found {
                source,
                stamp,
                read: true,
            })
        })
        .collect();
    for r in read {
        match r {
            Ok(f) => out.push(f),
            Err(d) => diags.push(d),
        }
    }
    out
}

/// One page's text, or why it cannot be a page.
pub fn read_page(path: &Path, rel: PathBuf) -> Result<SourceFile, Diagnostic> {
    let len = std::fs::metadata(path).ok().map(|m| m.len());
    read_page_sized(path, rel, len)
}

/// [`read_page`] with the file's size already known (`None`: the file system would not say).
fn read_page_sized(path: &Path, rel: PathBuf, len: Option<u64>) -> Result<SourceFile, Diagnostic> {
    if let Some(len) = len {
        if len > MAX_PAGE_BYTES {
            return Err(Diagnostic::error(
                "content/too-large",
                format!(
                    "{} is {:.1} MB, more than the {} MB a page may have",
                    rel.display(),
                    len as f64 / (1024.0 * 1024.0),
                    MAX_PAGE_BYTES / (1024 * 1024)
                ),
            )
            .at(&rel, 1, 1)
            .hint("split it into several pages; data tables and long lists belong in a linked file, not a page"));
        }
    }
    let bytes = std::fs::read(path).map_err(|e| io_error(&rel, e))?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(
            Diagnostic::error("content/empty", format!("{} is empty", rel.display()))
                .at(&rel, 1, 1)
                .hint("a page starts with front matter between two '---' lines; delete the file if it is not a page"),
        );
    }
    match String::from_utf8(bytes) {
        // How deep it nests is checked when it is parsed (see `parse`): a page that has not
        // changed since a build that succeeded is not scanned again.
        Ok(text) => Ok(SourceFile { rel, text }),
        Err(e) => {
            let good = &e.as_bytes()[..e.utf8_error().valid_up_to()];
            let good = std::str::from_utf8(good).unwrap_or("");
            let (l, c) = line_col(good, good.len());
            Err(Diagnostic::error(
                "content/not-utf8",
                format!("{} is not UTF-8 text", rel.display()),
            )
            .at(&rel, l, c)
            .hint("save the file as UTF-8 (most editors: File > Save with encoding)"))
        }
    }
}

/// How deeply a line opens block quotes and lists: its `>` and list markers, plus its leading
/// indentation at two columns a level (how nested list items are indented).
fn nesting(line: &str) -> usize {
    let b = line.as_bytes();
    let mut i = 0;
    let mut indent = 0;
    while i < b.len() && (b[i] == b' ' || b[i] == b'\t') {
        indent += if b[i] == b'\t' { 4 } else { 1 };
        i += 1;
    }
    let gap = |j: usize| b.get(j).is_none_or(|c| *c == b' ' || *c == b'\t');
    let mut markers = 0;
    while i < b.len() {
        match b[i] {
            b'>' => i += 1,
            b'-' | b'*' | b'+' if gap(i + 1) => i += 1,
            b'0'..=b'9' => {
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() && i - start < 9 {
                    i += 1;
                }
                if i < b.len() && (b[i] == b'.' || b[i] == b')') && gap(i + 1) {
                    i += 1;
                } else {
                    break;
                }
            }
            b' ' | b'\t' => {
                i += 1;
                continue;
            }
            _ => break,
        }
        markers += 1;
    }
    markers + indent / 2
}

/// The first line (1-based) and column nested deeper than [`MAX_NESTING`], with its depth.
fn too_deep(text: &str) -> Option<(usize, usize, usize)> {
    text.lines()
        .enumerate()
        .map(|(n, l)| (n, nesting(l)))
        .find(|(_, d)| *d > MAX_NESTING)
        .map(|(n, d)| (n + 1, 1, d))
}

pub fn rel_to(root: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(root).unwrap_or(p).to_path_buf()
}

/// Parse one file into a [`Document`], reporting every problem found in its front matter.
pub fn parse(src: SourceFile, config: &Config, diags: &mut Diagnostics) -> Option<Document> {
    let rel = src.rel.clone();
    // Before any parser sees it: deeply nested Markdown makes parsers slow (or deep).
    if let Some((line, col, depth)) = too_deep(&src.text) {
        diags.push(
            Diagnostic::error(
                "content/too-deep",
                format!(
                    "block quotes and lists are nested {depth} deep here, more than the {MAX_NESTING} a page may have"
                ),
            )
            .at(&rel, line, col)
            .hint("flatten the list or quote; readers cannot follow more than a few levels"),
        );
        return None;
    }
    let split = match frontmatter::split(&src.text) {
        Ok(s) => s,
        Err(SplitError::NoOpening) => {
            diags.push(
                Diagnostic::error("front-matter/missing", "the page has no front matter")
                    .at(&rel, 1, 1)
                    .hint("start the file with a '---' line, the page's keys (title, summary, updated, review), and another '---' line"),
            );
            return None;
        }
        Err(SplitError::Unclosed) => {
            diags.push(
                Diagnostic::error("front-matter/unclosed", "the front matter is never closed")
                    .at(&rel, 1, 1)
                    .hint("end the front matter with a line holding only '---'"),
            );
            return None;
        }
    };
    let (yaml_line, body_offset) = (split.yaml_line, split.body_offset);
    let mut front = match frontmatter::parse(split.yaml, yaml_line) {
        Ok(f) => f,
        Err(p) => {
            let hint = if p.message.contains("unknown field") {
                "check the key's spelling; the README lists every front matter key"
            } else if p.message.contains("missing field") {
                "every page needs title, summary, updated and review (with status)"
            } else if p.message.contains("invalid type") || p.message.contains("date") {
                "front matter is YAML: `key: value`, lists as [a, b] or '- item' lines"
            } else {
                "a YAML syntax error shows where the parser got lost: look for an unclosed quote or bracket on this line or the lines above it"
            };
            diags.push(
                Diagnostic::error("front-matter/invalid", p.message)
                    .at(&rel, p.line, p.column)
                    .hint(hint),
            );
            return None;
        }
    };
    let yaml = split.yaml;
    let key_line = |k: &str| frontmatter::key_line(yaml, yaml_line, k).unwrap_or(1);
    let mut ok = true;

    // The URL path: folders under content/ plus the slug.
    let stem = src
        .rel
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    let (slug, slug_line) = match &front.slug {
        Some(s) => (s.clone(), key_line("slug")),
        None => (stem.clone(), 1),
    };
    if !is_slug(&slug) {
        let why = if slug.contains("..") || slug.contains('/') || slug.contains('\\') {
            "a slug cannot contain '..' or '/': it names one page, not a path"
        } else {
            "use lower-case letters a-z, digits and '-' only"
        };
        let d = Diagnostic::error("front-matter/slug", format!("invalid slug '{slug}'"))
            .at(&rel, slug_line, 1)
            .hint(if front.slug.is_some() {
                why.to_string()
            } else {
                format!("rename the file, or set `slug:` in the front matter ({why})")
            });
        diags.push(d);
        ok = false;
    }
    let mut segments = Vec::new();
    if let Some(parent) = src.rel.parent() {
        for c in parent.components().skip(1) {
            let c = c.as_os_str().to_string_lossy().to_string();
            if !is_slug(&c) {
                diags.push(
                    Diagnostic::error(
                        "content/folder-name",
                        format!("folder name '{c}' cannot be part of a URL"),
                    )
                    .in_file(&rel)
                    .hint("rename the folder with lower-case letters a-z, digits and '-' only"),
                );
                ok = false;
            }
            segments.push(c);
        }
    }
    segments.push(slug.clone());
    let path = segments.join("/");

    for (key, value) in [("title", &front.title), ("summary", &front.summary)] {
        if value.trim().is_empty() {
            diags.push(
                Diagnostic::error("front-matter/empty", format!("`{key}` is empty")).at(
                    &rel,
                    key_line(key),
                    1,
                ),
            );
            ok = false;
        }
    }

    // Audiences: known ones, in the site's order.
    let audiences = match &front.audiences {
        None => config
            .audience_ids()
            .iter()
            .map(|s| s.to_string())
            .collect(),
        Some(list) => {
            let line = key_line("audiences");
            for a in list {
                if config.audience(a).is_none() {
                    let (l, c) = frontmatter::find_in(yaml, yaml_line, a).unwrap_or((line, 1));
                    let mut d = Diagnostic::error(
                        "front-matter/audience",
                        format!("unknown audience '{a}'"),
                    )
                    .at(&rel, l, c);
                    d = d.hint(match nearest(a, config.audience_ids()) {
                        Some(n) => format!(
                            "did you mean '{n}'? careguide.toml configures: {}",
                            config.audience_ids().join(", ")
                        ),
                        None => format!(
                            "careguide.toml configures: {}",
                            config.audience_ids().join(", ")
                        ),
                    });
                    diags.push(d);
                    ok = false;
                }
            }
            if list.is_empty() {
                diags.push(
                    Diagnostic::error("front-matter/audience", "`audiences` is an empty list")
                        .at(&rel, line, 1)
                        .hint("leave the key out to write for every audience"),
                );
                ok = false;
            }
            config
                .audience_ids()
                .into_iter()
                .filter(|id| list.iter().any(|a| a == id))
                .map(String::from)
                .collect()
        }
    };

    // Review: the workflow's rules.
    let review = &front.review;
    let rline = key_line("review");
    if review.status == ReviewStatus::Approved {
        if review.reviewers.iter().all(|r| r.trim().is_empty()) {
            diags.push(
                Diagnostic::error(
                    "review/no-reviewer",
                    "the page is approved but names no reviewer",
                )
                .at(&rel, rline, 1)
                .hint("add `reviewers: [\"Name, credentials\"]` under review, or set the status back to under-review"),
            );
            ok = false;
        }
        if review.last_reviewed.is_none() {
            diags.push(
                Diagnostic::error(
                    "review/no-date",
                    "the page is approved but has no `last_reviewed` date",
                )
                .at(&rel, rline, 1)
                .hint("add `last_reviewed: YYYY-MM-DD` under review"),
            );
            ok = false;
        }
    }
    if let (Some(last), Some(next)) = (review.last_reviewed, review.next_review) {
        if next <= last {
            let (l, c) = frontmatter::find_in(yaml, yaml_line, "next_review").unwrap_or((rline, 1));
            diags.push(
                Diagnostic::error(
                    "review/dates",
                    format!("next_review ({next}) is not after last_reviewed ({last})"),
                )
                .at(&rel, l, c)
                .hint("the next review is a date after the last one, usually a year later"),
            );
            ok = false;
        }
    }

    // Inline references: ids well formed and unique within the page.
    // Sized exactly: a page's references stay in memory for the whole build, and a grown
    // vector kept up to twice their size (a fifth of a large build's heap).
    let mut references = Vec::with_capacity(front.references.len());
    let mut seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut search_from = 0;
    // Taken out of the front matter: the page keeps one copy, as `references`.
    for entry in std::mem::take(&mut front.references) {
        // Place each entry at its `id:` line, searching forward so repeated ids get their own line.
        let needle_pos = find_id(&yaml[search_from..], &entry.id).map(|o| o + search_from);
        let (l, c) = match needle_pos {
            Some(o) => {
                search_from = o + 1;
                let (l, c) = line_col(yaml, o);
                (l + yaml_line - 1, c)
            }
            None => (key_line("references"), 1),
        };
        if let Some(problem) = crate::cite::scan::key_problem(&entry.id) {
            diags.push(
                Diagnostic::error("cite/bad-key", problem)
                    .at(&rel, l, c)
                    .hint(
                    "ids start with a letter, digit or '_' and contain no spaces, like weiss2021",
                ),
            );
            ok = false;
            continue;
        }
        if let Some((pl, _)) = seen.get(&entry.id) {
            diags.push(
                Diagnostic::error(
                    "cite/duplicate-key",
                    format!(
                        "reference '{}' is defined twice (first at line {pl})",
                        entry.id
                    ),
                )
                .at(&rel, l, c)
                .hint("give each reference its own id, or delete the copy"),
            );
            ok = false;
            continue;
        }
        seen.insert(entry.id.clone(), (l, c));
        references.push(entry.into_reference(Origin {
            file: rel.clone(),
            line: l,
            column: c,
        }));
    }

    let _ = ok;
    Some(Document {
        file: rel,
        text: src.text,
        front,
        body_offset,
        yaml_line,
        path,
        slug,
        audiences,
        references,
    })
}

/// Offset of the value of `id: KEY` in YAML text.
fn find_id(yaml: &str, id: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(rel) = yaml[from..].find("id:") {
        let at = from + rel;
        let before_ok = at == 0 || {
            let b = yaml.as_bytes()[at - 1];
            b == b' ' || b == b'-' || b == b'\n' || b == b'{' || b == b','
        };
        let value_start = at + 3;
        let rest = &yaml[value_start..];
        let trimmed = rest.trim_start_matches([' ', '\t']);
        let v = trimmed.trim_start_matches(['"', '\'']);
        if before_ok && v.starts_with(id) {
            return Some(value_start + (rest.len() - trimmed.len()));
        }
        from = at + 3;
    }
    None
}

pub fn is_slug(s: &str) -> bool {
    is_ident(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_problems() {
        assert!(crate::cite::scan::key_problem("weiss2021").is_none());
        assert!(crate::cite::scan::key_problem("doi:10.1/x").is_none());
        assert!(crate::cite::scan::key_problem("").is_some());
        assert!(crate::cite::scan::key_problem("two words").is_some());
        assert!(crate::cite::scan::key_problem("-dash").is_some());
    }

    #[test]
    fn find_id_locates_values() {
        let y = "references:\n  - id: a1\n    title: x\n  - id: \"b2\"\n";
        assert_eq!(find_id(y, "b2"), Some(y.find("\"b2").unwrap()));
        assert_eq!(find_id(y, "a1"), Some(y.find("a1").unwrap()));
    }
}
