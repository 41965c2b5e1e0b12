//! Bibliography files: hayagriva YAML, BibTeX/BibLaTeX, CSL-JSON, PubMed MEDLINE and RIS, each read
//! into the same [`Reference`]s so that one set of checks serves them all.
//!
//! Readers never stop at the first bad entry: they report it at its line and keep the others.

mod bibtex;
mod csljson;
mod medline;
mod ris;
mod yaml;

use std::path::{Path, PathBuf};

use super::{ident, Origin, RefKind, Reference};
use crate::diag::{line_col, Category, Diagnostic, Severity};
use crate::util::nesting;

/// What reading one bibliography file gave: the references it could make sense of, and a
/// diagnostic for everything else.
#[derive(Debug, Default)]
pub struct Loaded {
    pub refs: Vec<Reference>,
    pub diags: Vec<Diagnostic>,
}

/// Read the bibliography file `path` (relative to `site_root`, or absolute), choosing the
/// reader by extension. Any error-level finding makes this an `Err` with every finding; use
/// [`read`] to keep the good entries of a file that also has bad ones.
pub fn load(path: &Path, site_root: &Path) -> Result<Vec<Reference>, Vec<Diagnostic>> {
    let loaded = read(path, site_root);
    if loaded.diags.iter().any(|d| d.severity == Severity::Error) {
        Err(loaded.diags)
    } else {
        Ok(loaded.refs)
    }
}

/// The formats careguide reads, by file extension.
pub const EXTENSIONS: &[&str] = &["yaml", "yml", "bib", "json", "nbib", "txt", "ris"];

/// Read one bibliography file, keeping every entry that could be read.
pub fn read(path: &Path, site_root: &Path) -> Loaded {
    let full = if path.is_absolute() {
        path.to_path_buf()
    } else {
        site_root.join(path)
    };
    let shown = display_path(&full, site_root);
    if let Some(d) = outside_root(&full, site_root, &shown) {
        return Loaded {
            refs: Vec::new(),
            diags: vec![d],
        };
    }
    let ext = full
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    if !EXTENSIONS.contains(&ext.as_str()) {
        return Loaded {
            refs: Vec::new(),
            diags: vec![Diagnostic::error(
                "cite/bibliography-format",
                format!("careguide cannot tell what format '{}' is", shown.display()),
            )
            .in_file(&shown)
            .hint(
                "name the file by its format: .yaml (hayagriva), .bib (BibTeX/BibLaTeX), \
                 .json (CSL-JSON from Zotero or Mendeley), .nbib (PubMed MEDLINE export) or .ris",
            )],
        };
    }
    let bytes = match crate::util::read_file(&full) {
        Ok(b) => b,
        Err(e) => {
            return Loaded {
                refs: Vec::new(),
                diags: vec![Diagnostic::error(
                    "cite/bibliography-unreadable",
                    format!("cannot read bibliography '{}': {e}", shown.display()),
                )
                .in_file(&shown)
                .category(Category::Io)
                .hint("check the path, relative to the site root, and the file's permissions")],
            }
        }
    };
    let format = match ext.as_str() {
        "yaml" | "yml" => Format::Yaml,
        "bib" => Format::Bibtex,
        "json" => Format::CslJson,
        "ris" => Format::Ris,
        _ => Format::Medline,
    };
    read_bytes(&bytes, format, &shown)
}

/// The bibliography formats careguide reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Bibtex,
    CslJson,
    Ris,
    Medline,
}

/// Read a bibliography file's bytes in `format`; `shown` is the path diagnostics name. (The
/// entry point the fuzz targets use.)
pub fn read_bytes(bytes: &[u8], format: Format, shown: &Path) -> Loaded {
    let text = decode(bytes, shown);
    if let Some(d) = too_deep_here(&text.0, format, shown) {
        let mut loaded = Loaded::default();
        loaded.diags.push(d);
        loaded.diags.extend(text.1);
        return loaded;
    }
    let mut loaded = match format {
        Format::Yaml => yaml::read(&text.0, shown),
        Format::Bibtex => bibtex::read(&text.0, shown),
        Format::CslJson => csljson::read(&text.0, shown),
        Format::Ris => ris::read(&text.0, shown),
        Format::Medline => medline::read(&text.0, shown),
    };
    loaded.diags.extend(text.1);
    for r in &mut loaded.refs {
        normalize(r);
    }
    loaded
}

/// Text nested deeper than [`nesting::MAX_DEPTH`], refused before its parser runs (their time
/// grows faster than the input on deep nesting: 200,000 braces in a BibTeX title took minutes,
/// then the entry was dropped without a word).
fn too_deep_here(text: &str, format: Format, shown: &Path) -> Option<Diagnostic> {
    let syntax = match format {
        Format::Yaml => nesting::Syntax::Yaml,
        Format::Bibtex => nesting::Syntax::Bibtex,
        Format::CslJson => nesting::Syntax::Json,
        Format::Ris | Format::Medline => return None,
    };
    let d = nesting::too_deep(text, syntax)?;
    Some(
        Diagnostic::error("cite/too-deep", d.message("the bibliography"))
            .at(shown, d.line, d.column)
            .hint("no reference nests more than a few levels; look for a run of unclosed braces or brackets"),
    )
}

/// UTF-8 text of the file (a byte-order mark removed); invalid bytes become U+FFFD with a
/// warning at the first one.
fn decode(bytes: &[u8], shown: &Path) -> (String, Option<Diagnostic>) {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(s) => (s.to_string(), None),
        Err(e) => {
            let good = &bytes[..e.valid_up_to()];
            let prefix = String::from_utf8_lossy(good);
            let (line, col) = line_col(&prefix, prefix.len());
            (
                String::from_utf8_lossy(bytes).into_owned(),
                Some(
                    Diagnostic::warning(
                        "cite/bibliography-encoding",
                        "the bibliography is not valid UTF-8; unreadable bytes were replaced",
                    )
                    .at(shown, line, col)
                    .hint("export the file again as UTF-8 (Zotero, EndNote and PubMed can all do this)"),
                ),
            )
        }
    }
}

/// The path as shown in diagnostics: relative to the site root when inside it.
pub fn display_path(full: &Path, site_root: &Path) -> PathBuf {
    full.strip_prefix(site_root)
        .map(Path::to_path_buf)
        .unwrap_or_else(|_| full.to_path_buf())
}

/// An error when `full` resolves to a place outside `site_root` (through `..` or a link): a
/// site must build from its own files.
pub fn outside_root(full: &Path, site_root: &Path, shown: &Path) -> Option<Diagnostic> {
    let root = site_root.canonicalize().ok()?;
    let target = full.canonicalize().ok().or_else(|| {
        // A missing file: judge by its folder, which may exist.
        let parent = full.parent()?.canonicalize().ok()?;
        Some(parent.join(full.file_name()?))
    })?;
    if target.starts_with(&root) {
        return None;
    }
    Some(
        Diagnostic::error(
            "cite/bibliography-outside-root",
            format!(
                "bibliography '{}' is outside the site folder",
                shown.display()
            ),
        )
        .in_file(shown)
        .category(Category::Config)
        .hint("copy the file into the site (for example references/) and name it from there"),
    )
}

/// One line-and-column origin in `file`.
pub(crate) fn origin(file: &Path, text: &str, offset: usize) -> Origin {
    let (line, column) = line_col(text, offset);
    Origin {
        file: file.to_path_buf(),
        line,
        column,
    }
}

fn clean(s: &str) -> Option<String> {
    let t: String = s
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('\u{2028}', " ");
    let t = t.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// Normal forms shared by every source: identifiers without URL prefixes, whitespace
/// collapsed, page ranges with a hyphen.
fn normalize(r: &mut Reference) {
    for f in [
        &mut r.title,
        &mut r.container,
        &mut r.container_full,
        &mut r.organization,
        &mut r.publisher,
        &mut r.volume,
        &mut r.issue,
        &mut r.edition,
        &mut r.url,
        &mut r.year,
    ] {
        *f = f.as_deref().and_then(clean);
    }
    r.pages = r
        .pages
        .as_deref()
        .and_then(clean)
        .map(|p| p.replace(['\u{2013}', '\u{2010}'], "-").replace("--", "-"));
    r.doi = r
        .doi
        .as_deref()
        .map(ident::clean_doi)
        .filter(|d| !d.is_empty());
    r.pmid = r
        .pmid
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_string);
    r.pmcid = r
        .pmcid
        .as_deref()
        .map(ident::normalize_pmcid)
        .filter(|p| !p.is_empty());
    r.isbn = r
        .isbn
        .as_deref()
        .map(|i| {
            // Exports sometimes list several ("0-19-... (pbk) 978-..."): check the first.
            let first = i.split([';', ',']).next().unwrap_or(i);
            let first = first.split(" (").next().unwrap_or(first);
            ident::normalize_isbn(first)
        })
        .filter(|p| !p.is_empty());
    r.authors.retain(|a| !a.trim().is_empty());
    if r.container_full.is_some() && r.container.is_none() {
        r.container = r.container_full.clone();
    }
}

/// `Surname Initials` from a family name and given names as exports write them ("Stephen T.",
/// "S. T.", "ST", "Jean-Pierre").
pub(crate) fn author_name(family: &str, given: Option<&str>, particle: Option<&str>) -> String {
    let family = family.trim();
    let mut out = String::new();
    if let Some(p) = particle.map(str::trim).filter(|p| !p.is_empty()) {
        out.push_str(p);
        out.push(' ');
    }
    out.push_str(family);
    if let Some(init) = given.map(initials).filter(|i| !i.is_empty()) {
        out.push(' ');
        out.push_str(&init);
    }
    out
}

/// Initials of given names: "Stephen T." → "ST", "S. T." → "ST", "ST" → "ST",
/// "Jean-Pierre" → "J-P".
pub(crate) fn initials(given: &str) -> String {
    let mut out = String::new();
    for word in given.split(|c: char| c.is_whitespace() || c == '.') {
        if word.is_empty() {
            continue;
        }
        let letters: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).collect();
        // Already initials: "ST", "JR".
        if word.chars().all(|c| c.is_uppercase()) && letters.len() <= 3 && !word.contains('-') {
            out.extend(letters);
            continue;
        }
        let parts: Vec<String> = word
            .split('-')
            .filter_map(|p| p.chars().find(|c| c.is_alphabetic()))
            .map(|c| c.to_uppercase().collect())
            .collect();
        out.push_str(&parts.join("-"));
    }
    out
}

/// A reference from a hayagriva entry (YAML, or BibTeX through hayagriva's import).
pub(crate) fn from_hayagriva(e: &hayagriva::Entry, origin: Origin) -> (Reference, Option<String>) {
    let parent = e.parents().first();
    let (kind, unknown) = kind_of(e);
    let (authors, truncated) = persons(e.authors());
    let (mut editors, _) = persons(e.editors());
    if editors.is_empty() {
        editors = persons(parent.and_then(|p| p.editors())).0;
    }
    let fs = |f: &hayagriva::types::FormatString| f.value.to_string();
    let short = |f: &hayagriva::types::FormatString| f.short.as_ref().map(|s| s.to_string());
    let title = e.title().map(fs);
    let (container, container_full) = match parent.and_then(|p| p.title()) {
        Some(t) => (short(t).or_else(|| Some(fs(t))), Some(fs(t))),
        None => (None, None),
    };
    let or_parent =
        |f: &dyn Fn(&hayagriva::Entry) -> Option<String>| f(e).or_else(|| parent.and_then(f));
    let volume = or_parent(&|x| x.volume().map(|v| v.to_string()));
    let issue = or_parent(&|x| x.issue().map(|v| v.to_string()));
    let edition = or_parent(&|x| x.edition().map(|v| v.to_string()));
    let year = or_parent(&|x| x.date().map(|d| d.year.to_string()));
    let publisher = or_parent(&|x| {
        x.publisher()
            .and_then(|p| p.name())
            .map(|n| n.value.to_string())
    });
    let organization = e.organization().map(fs);
    let url = e.url().map(|u| u.value.to_string());
    let accessed = accessed(e);
    let r = Reference {
        id: e.key().to_string(),
        kind,
        authors,
        authors_truncated: truncated,
        organization,
        title,
        container,
        container_full,
        editors,
        edition,
        publisher,
        year,
        volume,
        issue,
        pages: e.page_range().map(|p| p.to_string()),
        doi: e.doi().map(str::to_string),
        pmid: e.pmid().map(str::to_string),
        pmcid: e.pmcid().map(str::to_string),
        isbn: e.isbn().map(str::to_string),
        url,
        accessed,
        origin,
    };
    (r, unknown)
}

/// The kind of reference a hayagriva entry type is, and the type's name when careguide does
/// not know it (shown as a report).
fn kind_of(e: &hayagriva::Entry) -> (RefKind, Option<String>) {
    use hayagriva::types::EntryType as T;
    match e.entry_type() {
        T::Article | T::Newspaper => (RefKind::Article, None),
        T::Chapter | T::Anthos | T::Entry => (RefKind::Chapter, None),
        T::Book | T::Anthology | T::Reference | T::Proceedings => (RefKind::Book, None),
        T::Report | T::Thesis | T::Manuscript => (RefKind::Report, None),
        T::Web | T::Blog | T::Post => (RefKind::Web, None),
        T::Misc if e.url().is_some() => (RefKind::Web, None),
        T::Misc => (RefKind::Report, None),
        other => (RefKind::Report, Some(format!("{other:?}").to_lowercase())),
    }
}

/// People as careguide writes names, and whether the list ended in "and others" / "et al".
fn persons(ps: Option<&[hayagriva::types::Person]>) -> (Vec<String>, bool) {
    let mut out = Vec::new();
    let mut truncated = false;
    for p in ps.unwrap_or_default() {
        let name = p.name.trim();
        let given = p.given_name.as_deref().map(str::trim);
        if name.eq_ignore_ascii_case("others")
            || (name.eq_ignore_ascii_case("al") && given.is_some_and(|g| g.starts_with("et")))
            || name.eq_ignore_ascii_case("et al")
        {
            truncated = true;
            continue;
        }
        out.push(author_name(name, given, p.prefix.as_deref()));
    }
    (out, truncated)
}

/// The date a web page was visited (hayagriva counts months and days from 0).
fn accessed(e: &hayagriva::Entry) -> Option<crate::types::Date> {
    let d = e.url()?.visit_date.as_ref()?;
    let month = time::Month::try_from(d.month? + 1).ok()?;
    time::Date::from_calendar_date(d.year, month, d.day? + 1)
        .ok()
        .map(crate::types::Date)
}

/// The warning for an entry type careguide does not present specially.
pub(crate) fn unknown_type(file: &Path, origin: &Origin, id: &str, ty: &str) -> Diagnostic {
    Diagnostic::warning(
        "cite/unknown-type",
        format!("reference '{id}' has the type '{ty}', which careguide does not know; it is shown as a report"),
    )
    .at(file, origin.line, origin.column)
    .hint("use one of: article, book, chapter, report, guideline, web page")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The shared folder of real exports beside the clone, if present.
    pub(crate) fn real(name: &str) -> Option<PathBuf> {
        let p = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/real-inputs")
            .join(name);
        if p.exists() {
            Some(p)
        } else {
            eprintln!(
                "note: {} is absent; skipping this real-input test",
                p.display()
            );
            None
        }
    }

    /// Read a real export with the shared folder as its site root.
    pub(crate) fn read_real(name: &str) -> Option<Loaded> {
        let p = real(name)?;
        let root = p.parent()?.to_path_buf();
        Some(read(Path::new(name), &root))
    }

    /// Every reader on every real export cut at many places: never a panic.
    #[test]
    fn truncated_real_files_never_panic() {
        let files = [
            "bibtex_cochrane-cdsr-export.bib",
            "bibtex_ohdsi-book-mixed-sources.bib",
            "bibtex_zotero_gi-surgical-oncology.bib",
            "csljson_zotero-betterbibtex_sleep-activity-thesis.json",
            "csljson_manubot_pediatric-brain-tumor.json",
            "medline_pubmed-export_spinal-tuberculosis.nbib",
            "medline_pubmed-export_single-record.nbib",
            "ris_ovid-medline-direct-export.ris",
            "ris_zotero-export-of-ovid-medline.ris",
        ];
        for name in files {
            let Some(p) = real(name) else {
                return;
            };
            let Ok(text) = crate::util::read_file_to_string(&p) else {
                continue;
            };
            let shown = Path::new(name);
            let ext = name.rsplit('.').next().unwrap_or("");
            let step = (text.len() / 40).max(1);
            let mut cut = 0;
            while cut < text.len() {
                let mut c = cut;
                while !text.is_char_boundary(c) {
                    c += 1;
                }
                let part = &text[..c];
                let _ = match ext {
                    "bib" => bibtex::read(part, shown),
                    "json" => csljson::read(part, shown),
                    "ris" => ris::read(part, shown),
                    _ => medline::read(part, shown),
                };
                cut += step;
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn readers_never_panic_on_any_text(s in "\\PC{0,200}") {
            let f = Path::new("x");
            let _ = bibtex::read(&s, f);
            let _ = csljson::read(&s, f);
            let _ = medline::read(&s, f);
            let _ = yaml::read(&s, f);
            let _ = ris::read(&s, f);
            let _ = crate::cite::retract::Retractions::parse(s.as_bytes(), f);
        }

        #[test]
        fn bibtex_like_text_never_panics(s in "(@[a-z]{0,8}\\{[a-z ]{0,6},? ?([a-z]{1,6} ?= ?[{\"][^@]{0,20}[}\"]?,?\\n?){0,4}\\}?\\n?){1,4}") {
            let _ = bibtex::read(&s, Path::new("x.bib"));
        }

        #[test]
        fn medline_like_text_never_panics(s in "([A-Z]{2,4} {0,2}- [^\\n]{0,20}\\n( {6}[^\\n]{0,10}\\n)?){1,8}") {
            let _ = medline::read(&s, Path::new("x.nbib"));
        }
    }

    #[test]
    fn initials_from_any_spelling() {
        assert_eq!(initials("Stephen T."), "ST");
        assert_eq!(initials("S. T."), "ST");
        assert_eq!(initials("ST"), "ST");
        assert_eq!(initials("Jean-Pierre"), "J-P");
        assert_eq!(initials("siaw-teng"), "S-T");
        assert_eq!(
            author_name("Hippel", Some("Paul T."), Some("von")),
            "von Hippel PT"
        );
    }

    #[test]
    fn outside_root_and_unknown_extension() {
        let dir = tempfile::tempdir().expect("tempdir");
        let site = dir.path().join("site");
        std::fs::create_dir_all(&site).expect("mkdir");
        std::fs::write(dir.path().join("refs.bib"), "@article{a, title={x}}").expect("write");
        let l = read(Path::new("../refs.bib"), &site);
        assert_eq!(l.diags[0].rule, "cite/bibliography-outside-root");
        std::fs::write(site.join("refs.docx"), "TY  - JOUR").expect("write");
        let l = read(Path::new("refs.docx"), &site);
        assert_eq!(l.diags[0].rule, "cite/bibliography-format");
        let l = read(Path::new("missing.bib"), &site);
        assert_eq!(l.diags[0].rule, "cite/bibliography-unreadable");
        assert!(load(Path::new("missing.bib"), &site).is_err());
    }
}
