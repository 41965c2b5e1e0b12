//! Stage 2 of the pipeline: parse a page file into a [`Document`], checking its front matter
//! (URL path, audiences, the review workflow's rules, inline references).

use std::collections::BTreeMap;
use std::path::Path;

use super::frontmatter::{self, FrontMatter, Review, ReviewStatus, SplitError};
use super::translate::{self, Kind, Translation};
use super::{Document, PageReferences, SourceFile, MAX_NESTING};
use crate::cite::{Origin, RefEntry, Reference};
use crate::config::{is_ident, Config};
use crate::diag::{line_col, Diagnostic, Diagnostics};
use crate::types::{AudienceId, Slug};
use crate::util::nearest;

/// Parse one file into a [`Document`], reporting every problem found in its front matter.
pub fn parse(src: SourceFile, config: &Config, diags: &mut Diagnostics) -> Option<Document> {
    let rel = src.rel.clone();
    // Before any parser sees it: deeply nested Markdown makes parsers slow (or deep).
    if let Some(d) = nesting_problem(&src.text, &rel) {
        diags.push(d);
        return None;
    }
    // A translation (`page.es.md`, issue 18), or a name or folder refused for its language.
    let kind = translate::kind(&rel, config)
        .and_then(|k| translate::folder_problem(&rel, config).map_or(Ok(k), Err))
        .map_err(|d| diags.push(d))
        .ok()?;
    let split = split_front_matter(&src.text, &rel, diags)?;
    let (yaml_line, body_offset) = (split.yaml_line, split.body_offset);
    let own = match &kind {
        Kind::Translation { .. } => Some(translate::take_own_keys(split.yaml)),
        Kind::Original => None,
    };
    let yaml = own.as_ref().map_or(split.yaml, |o| o.yaml.as_str());
    let mut front = parse_front_matter(yaml, yaml_line, &rel, diags)?;
    let at = Place {
        rel: &rel,
        yaml: split.yaml,
        yaml_line,
    };
    let (lang, translation) = match (kind, own) {
        (Kind::Translation { lang, original }, Some(own)) => {
            let t = translation(original, own, &at, diags)?;
            (lang, Some(t))
        }
        _ => (config.default_lang(), None),
    };
    // A translation's URL is its original's, under its language's folder.
    let url_file = translation
        .as_ref()
        .map_or(src.rel.as_path(), |t| t.original_file.as_path());
    let (path, slug) = url_path(url_file, &front, &at, diags);
    let path = match &translation {
        Some(_) => format!("{lang}/{path}"),
        None => path,
    };
    check_filled(&front, &at, diags);
    let audiences = audiences(&front, config, &at, diags);
    check_review(&front.review, &at, diags);
    diags.extend(frontmatter::web_problems(
        &front, split.yaml, yaml_line, &rel,
    ));
    // Taken out of the front matter: the page keeps one copy, as `references`.
    let references = references(std::mem::take(&mut front.references), &at, diags);
    let doc = Document {
        file: rel,
        text: src.text,
        front,
        body_offset,
        yaml_line,
        path,
        slug,
        audiences,
        references: PageReferences::new(references),
        lang,
        translation,
    };
    if doc.translation.is_some() {
        diags.extend(translate::own_key_problems(&doc));
    }
    Some(doc)
}

/// A translation's `translates:` date (required) and `taper:` words, read from the keys taken
/// out of its front matter.
fn translation(
    original: std::path::PathBuf,
    own: translate::OwnKeys,
    at: &Place,
    diags: &mut Diagnostics,
) -> Option<Translation> {
    let taper = own
        .taper
        .map(|(i, text)| translate::parse_taper(&text, at.yaml_line + i, at.rel, diags))
        .unwrap_or_default();
    let Some((i, value)) = own.translates else {
        diags.push(
            Diagnostic::error(
                "translation/translates",
                "a translation must name the original's `updated` date it translates",
            )
            .at(at.rel, 1, 1)
            .hint("add `translates: YYYY-MM-DD` to the front matter: the original's `updated` date when this translation was made"),
        );
        return None;
    };
    let line = at.yaml_line + i;
    let translates = match crate::types::Date::parse(&value) {
        Ok(d) => d,
        Err(e) => {
            diags.push(
                Diagnostic::error("translation/translates", format!("translates: {e}"))
                    .at(at.rel, line, 1)
                    .hint("write the original's `updated` date as YYYY-MM-DD"),
            );
            return None;
        }
    };
    // As the original's file gives it (a bundle's `index` is its folder's page).
    let mut segments: Vec<String> = original
        .with_extension("")
        .iter()
        .skip(1)
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    if segments.len() > 1 && segments.last().is_some_and(|s| s == "index") {
        segments.pop();
    }
    let original_path = segments.join("/");
    Some(Translation {
        original_file: original,
        original_path,
        translates,
        translates_line: line,
        taper,
        original_updated: None,
    })
}

/// Markdown or raw HTML nested deeper than [`MAX_NESTING`], refused before any parser sees it.
fn nesting_problem(text: &str, rel: &Path) -> Option<Diagnostic> {
    if let Some((line, col, depth)) = too_deep(text) {
        return Some(
            Diagnostic::error(
                "content/too-deep",
                format!(
                    "block quotes and lists are nested {depth} deep here, more than the {MAX_NESTING} a page may have"
                ),
            )
            .at(rel, line, col)
            .hint("flatten the list or quote; readers cannot follow more than a few levels"),
        );
    }
    let (line, col) = html_too_deep(text)?;
    Some(
        Diagnostic::error(
            "content/too-deep",
            format!(
                "raw HTML elements are nested more than {MAX_NESTING} deep here, more than a page may have"
            ),
        )
        .at(rel, line, col)
        .hint("close the HTML elements you open (`<div>` ... `</div>`), or write the part in Markdown"),
    )
}

/// Where a page's front matter is, to place its findings.
struct Place<'a> {
    rel: &'a Path,
    yaml: &'a str,
    /// 1-based file line of the YAML's first line.
    yaml_line: usize,
}

impl Place<'_> {
    /// File line of a top-level key (1 when the key is not there).
    fn key_line(&self, key: &str) -> usize {
        frontmatter::key_line(self.yaml, self.yaml_line, key).unwrap_or(1)
    }

    /// File line and column of the first `needle` in the front matter.
    fn find(&self, needle: &str) -> Option<(usize, usize)> {
        frontmatter::find_in(self.yaml, self.yaml_line, needle)
    }
}

/// The page split into front matter and body, or why it cannot be.
fn split_front_matter<'t>(
    text: &'t str,
    rel: &Path,
    diags: &mut Diagnostics,
) -> Option<frontmatter::Split<'t>> {
    match frontmatter::split(text) {
        Ok(s) => Some(s),
        Err(SplitError::NoOpening) if frontmatter::opens_with_toml(text) => {
            diags.push(
                Diagnostic::error(
                    "front-matter/toml",
                    "this front matter is TOML (between '+++' lines); careguide reads YAML front matter between '---' lines",
                )
                .at(rel, 1, 1)
                .hint("replace both '+++' lines with '---' and write each key as YAML: `title = \"X\"` becomes `title: X`"),
            );
            None
        }
        Err(SplitError::NoOpening) => {
            diags.push(
                Diagnostic::error("front-matter/missing", "the page has no front matter")
                    .at(rel, 1, 1)
                    .hint("start the file with a '---' line, the page's keys (title, summary, updated, review), and another '---' line"),
            );
            None
        }
        Err(SplitError::Unclosed) => {
            diags.push(
                Diagnostic::error("front-matter/unclosed", "the front matter is never closed")
                    .at(rel, 1, 1)
                    .hint("end the front matter with a line holding only '---'"),
            );
            None
        }
    }
}

/// The front matter's keys, typed, or the YAML problem with a hint on how to fix it.
fn parse_front_matter(
    yaml: &str,
    yaml_line: usize,
    rel: &Path,
    diags: &mut Diagnostics,
) -> Option<FrontMatter> {
    match frontmatter::parse(yaml, yaml_line) {
        Ok(f) => Some(f),
        Err(p) if p.too_deep => {
            diags.push(
                Diagnostic::error("front-matter/too-deep", p.message)
                    .at(rel, p.line, p.column)
                    .hint("front matter holds a few levels of keys and lists; look for a run of unclosed '[' or '{'"),
            );
            None
        }
        Err(p) => {
            let key_hint = frontmatter::unknown_key_hint(&p.message);
            let hint = if let Some(h) = &key_hint {
                h.as_str()
            } else if p.message.contains("unknown field") {
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
                    .at(rel, p.line, p.column)
                    .hint(hint),
            );
            None
        }
    }
}

/// The page's URL path (folders under content/ plus the slug) and its slug, with slugs and
/// folder names that cannot be part of a URL reported.
fn url_path(
    file: &Path,
    front: &FrontMatter,
    at: &Place,
    diags: &mut Diagnostics,
) -> (String, Slug) {
    let rel = at.rel;
    let stem = file
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default()
        .to_string();
    // A page bundle (`guide/index.md`, its files beside it) is the folder's page: `/guide/`.
    let folder = file
        .parent()
        .and_then(|p| p.components().nth(1).map(|_| p))
        .and_then(|p| p.file_name())
        .map(|f| f.to_string_lossy().to_string());
    let bundle = stem == "index" && front.slug.is_none() && folder.is_some();
    let (slug, slug_line) = match (&front.slug, &folder) {
        (Some(s), _) => (s.clone(), at.key_line("slug")),
        (None, Some(f)) if bundle => (f.clone(), 1),
        _ => (stem.clone(), 1),
    };
    if !is_slug(&slug) {
        let why = if slug.contains("..") || slug.contains('/') || slug.contains('\\') {
            "a slug cannot contain '..' or '/': it names one page, not a path"
        } else {
            "use lower-case letters a-z, digits and '-' only"
        };
        let d = Diagnostic::error("front-matter/slug", format!("invalid slug '{slug}'"))
            .at(rel, slug_line, 1)
            .hint(if front.slug.is_some() {
                why.to_string()
            } else {
                format!("rename the file, or set `slug:` in the front matter ({why})")
            });
        diags.push(d);
    }
    let mut segments = Vec::new();
    if let Some(parent) = file.parent() {
        for c in parent.components().skip(1) {
            let c = c.as_os_str().to_string_lossy().to_string();
            if !is_slug(&c) {
                diags.push(
                    Diagnostic::error(
                        "content/folder-name",
                        format!("folder name '{c}' cannot be part of a URL"),
                    )
                    .in_file(rel)
                    .hint("rename the folder with lower-case letters a-z, digits and '-' only"),
                );
            }
            segments.push(c);
        }
    }
    if bundle {
        // The folder is the page's own segment, added below as its slug.
        segments.pop();
    }
    segments.push(slug.clone());
    (segments.join("/"), Slug::new(slug))
}

/// `title` and `summary` say something.
fn check_filled(front: &FrontMatter, at: &Place, diags: &mut Diagnostics) {
    for (key, value) in [("title", &front.title), ("summary", &front.summary)] {
        if value.trim().is_empty() {
            diags.push(
                Diagnostic::error("front-matter/empty", format!("`{key}` is empty")).at(
                    at.rel,
                    at.key_line(key),
                    1,
                ),
            );
        }
    }
}

/// The audiences the page is written for: the known ones it names, in the site's order (every
/// audience when it names none).
fn audiences(
    front: &FrontMatter,
    config: &Config,
    at: &Place,
    diags: &mut Diagnostics,
) -> Vec<AudienceId> {
    let Some(list) = &front.audiences else {
        return config.audiences.iter().map(|a| a.id.clone()).collect();
    };
    let line = at.key_line("audiences");
    for a in list {
        if config.audience(a).is_none() {
            let (l, c) = at.find(a).unwrap_or((line, 1));
            let mut d =
                Diagnostic::error("front-matter/audience", format!("unknown audience '{a}'"))
                    .at(at.rel, l, c);
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
        }
    }
    if list.is_empty() {
        diags.push(
            Diagnostic::error("front-matter/audience", "`audiences` is an empty list")
                .at(at.rel, line, 1)
                .hint("leave the key out to write for every audience"),
        );
    }
    config
        .audiences
        .iter()
        .filter(|a| list.iter().any(|l| l == &a.id))
        .map(|a| a.id.clone())
        .collect()
}

/// The review workflow's rules: an approved page names its reviewers and the date, and the
/// next review comes after the last.
fn check_review(review: &Review, at: &Place, diags: &mut Diagnostics) {
    let rline = at.key_line("review");
    if review.status == ReviewStatus::Approved {
        if review.reviewers.iter().all(|r| r.trim().is_empty()) {
            diags.push(
                Diagnostic::error(
                    "review/no-reviewer",
                    "the page is approved but names no reviewer",
                )
                .at(at.rel, rline, 1)
                .hint("add `reviewers: [\"Name, credentials\"]` under review, or set the status back to under-review"),
            );
        }
        if review.last_reviewed.is_none() {
            diags.push(
                Diagnostic::error(
                    "review/no-date",
                    "the page is approved but has no `last_reviewed` date",
                )
                .at(at.rel, rline, 1)
                .hint("add `last_reviewed: YYYY-MM-DD` under review"),
            );
        }
    }
    if let (Some(last), Some(next)) = (review.last_reviewed, review.next_review) {
        if next <= last {
            let (l, c) = at.find("next_review").unwrap_or((rline, 1));
            diags.push(
                Diagnostic::error(
                    "review/dates",
                    format!("next_review ({next}) is not after last_reviewed ({last})"),
                )
                .at(at.rel, l, c)
                .hint("the next review is a date after the last one, usually a year later"),
            );
        }
    }
}

/// The inline references, each placed at its `id:` line; entries whose ids are malformed or
/// repeat an earlier one are reported and left out.
fn references(entries: Vec<RefEntry>, at: &Place, diags: &mut Diagnostics) -> Vec<Reference> {
    let yaml = at.yaml;
    // Sized exactly: a page's references stay in memory for the whole build, and a grown
    // vector kept up to twice their size (a fifth of a large build's heap).
    let mut references = Vec::with_capacity(entries.len());
    let mut seen: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut search_from = 0;
    // The line reached so far: (offset, its line), so each entry's line is counted on from the
    // last one's (a page of 25 references counted its YAML from the top 25 times).
    let mut counted = (0, 1);
    for entry in entries {
        // Place each entry at its `id:` line, searching forward so repeated ids get their own line.
        let needle_pos = find_id(&yaml[search_from..], &entry.id).map(|o| o + search_from);
        let (l, c) = match needle_pos {
            Some(o) => {
                search_from = o + 1;
                let (from, line) = counted;
                let line = line
                    + yaml.as_bytes()[from..o]
                        .iter()
                        .filter(|b| **b == b'\n')
                        .count();
                counted = (o, line);
                let start = yaml[..o].rfind('\n').map_or(0, |i| i + 1);
                let column = yaml[start..o].chars().count() + 1;
                debug_assert_eq!((line, column), line_col(yaml, o));
                (line + at.yaml_line - 1, column)
            }
            None => (at.key_line("references"), 1),
        };
        if let Some(problem) = crate::cite::scan::key_problem(&entry.id) {
            diags.push(
                Diagnostic::error("cite/bad-key", problem)
                    .at(at.rel, l, c)
                    .hint(
                    "ids start with a letter, digit or '_' and contain no spaces, like weiss2021",
                ),
            );
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
                .at(at.rel, l, c)
                .hint("give each reference its own id, or delete the copy"),
            );
            continue;
        }
        seen.insert(entry.id.clone(), (l, c));
        references.push(entry.into_reference(Origin {
            file: at.rel.to_path_buf(),
            line: l,
            column: c,
        }));
    }
    references
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

/// How deeply a line opens block quotes and lists: its `>` and list markers, plus its leading
/// indentation at two columns a level (how nested list items are indented). A line without a
/// marker opens nothing, however far it is indented (a code line, a paragraph's continuation):
/// it only continues what earlier lines opened, and those were counted.
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
    if markers == 0 {
        return 0;
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

/// Elements that never hold others, or whose end tag a parser implies at the next one of
/// their kind: they do not nest when left open.
const HTML_FLAT: &[&str] = &[
    "area", "base", "br", "col", "colgroup", "dd", "dt", "embed", "hr", "img", "input", "li",
    "link", "meta", "option", "optgroup", "p", "param", "rb", "rp", "rt", "rtc", "source", "tbody",
    "td", "tfoot", "th", "thead", "tr", "track", "wbr",
];

/// The first place (line, column) the page's raw HTML elements are open more than
/// [`MAX_NESTING`] deep: the sanitizer's HTML parser takes time that grows with the square of
/// the depth (40,000 nested `<div>` took 18 s). One pass over the text; tags in code count
/// too, which only errs towards refusing a page no one would write.
fn html_too_deep(text: &str) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while let Some(p) = text[i..].find('<') {
        let lt = i + p;
        i = lt + 1;
        let closing = b.get(i) == Some(&b'/');
        let name_start = if closing { i + 1 } else { i };
        let mut j = name_start;
        while j < b.len() && (b[j].is_ascii_alphanumeric() || b[j] == b'-') {
            j += 1;
        }
        if j == name_start || !b[name_start].is_ascii_alphabetic() {
            continue;
        }
        // A tag: its name, then space, `>` or `/`; it ends at `>` on its line.
        if !matches!(b.get(j), Some(b' ' | b'\t' | b'>' | b'/')) {
            continue;
        }
        let Some(end) = text[j..]
            .find(['>', '\n', '<'])
            .filter(|&e| b[j + e] == b'>')
            .map(|e| j + e)
        else {
            continue;
        };
        let name = text[name_start..j].to_ascii_lowercase();
        if HTML_FLAT.contains(&name.as_str()) {
            continue;
        }
        if closing {
            depth = depth.saturating_sub(1);
        } else if b[end - 1] != b'/' {
            depth += 1;
            if depth > MAX_NESTING {
                let (line, col) = line_col(text, lt);
                return Some((line, col));
            }
        }
    }
    None
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
    fn indentation_alone_is_not_nesting() {
        let code = format!("```\n{}x\n```\n", " ".repeat(202));
        assert_eq!(too_deep(&code), None);
        let list = format!("{}- x\n", " ".repeat(202));
        assert_eq!(too_deep(&list), Some((1, 1, 102)));
    }

    #[test]
    fn raw_html_nesting_is_limited() {
        let deep = format!(
            "Text.\n\n{}x{}\n",
            "<div>".repeat(150),
            "</div>".repeat(150)
        );
        assert_eq!(html_too_deep(&deep), Some((3, 1 + 100 * 5)));
        let fine = "<div><p>a<br>b<img src=x />\n</div>\n".repeat(500);
        assert_eq!(html_too_deep(&fine), None);
        let flat = format!(
            "{}\n{}",
            "<p>para ".repeat(300),
            "a < b and c > d, x<5 y <-\n".repeat(300)
        );
        assert_eq!(html_too_deep(&flat), None);
        assert_eq!(html_too_deep(&"<span>".repeat(101)), Some((1, 601)));
    }

    #[test]
    fn find_id_locates_values() {
        let y = "references:\n  - id: a1\n    title: x\n  - id: \"b2\"\n";
        assert_eq!(find_id(y, "b2"), Some(y.find("\"b2").unwrap()));
        assert_eq!(find_id(y, "a1"), Some(y.find("a1").unwrap()));
    }
}
