//! Links between pages and to files, as a web editor writes them:
//!
//! - `[text](other.md)`, `[text](other.md#anchor)`, `[text](/topic/page.md)`: another page's
//!   Markdown file, from the page's own file (or from `content/` with a leading `/`). It leads
//!   to that page's version for the same audience when the page has one, else to its default
//!   version. A file that is no page, or an anchor no heading of that version has, is an
//!   error at the link's line with the nearest page or anchor as a hint.
//! - `![alt](chart.png)`, `[form](intake.pdf)`: a file beside the page (a page bundle
//!   `guide/index.md` with `guide/chart.png`, or `chart.png` beside `guide.md`). It is copied
//!   once, to its place under `content/` (`content/guide/chart.png` -> `guide/chart.png`), and
//!   every audience version links there at its own depth. A file that is missing, a symbolic
//!   link, outside `content/`, over [`MAX_FILE_BYTES`], or named as an image but not one (by its
//!   first bytes) is an error at its line; an image without alt text is an error on `plain`
//!   audiences and a warning elsewhere.
//! - `static/` at the site root is copied as is (dot files left out), under the same checks.
//!
//! Markdown is rendered once for audiences that read the same text and at two depths, so the
//! renderer writes such links as marks ([`crate::render::markdown::PAGE_MARK`],
//! [`crate::render::markdown::FILE_MARK`]) that [`resolve_marks`] turns into relative URLs for
//! each output file.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Component, Path, PathBuf};

use pulldown_cmark::{Event, Parser, Tag, TagEnd};

use crate::content::{Document, CONTENT_DIR};
use crate::diag::{line_col, Diagnostic};
use crate::model::Site;
use crate::render::markdown::{self, Local, FILE_MARK, PAGE_MARK};
use crate::types::OutputFile;

/// The folder of files copied as they are to the site's root.
pub const STATIC_DIR: &str = "static";

/// The largest file a site may copy (an image, a PDF form): 20 MB. A larger one is refused.
pub const MAX_FILE_BYTES: u64 = 20 * 1024 * 1024;

/// Image extensions whose first bytes are checked, with the signatures they may start with.
const IMAGES: &[(&str, &[&[u8]])] = &[
    ("png", &[b"\x89PNG\r\n\x1a\n"]),
    ("jpg", &[b"\xff\xd8\xff"]),
    ("jpeg", &[b"\xff\xd8\xff"]),
    ("gif", &[b"GIF87a", b"GIF89a"]),
    ("webp", &[b"RIFF"]),
];

fn unhex(s: &str) -> Option<String> {
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect();
    String::from_utf8(bytes?).ok()
}

/// `%20` and the like in a written path, decoded (an invalid escape is kept as written).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hexpair = b
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hexpair) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The file a path written in the page at `doc_file` names, relative to the site root
/// (`content/guides/other.md`): from the page's folder, or from `content/` when it starts with
/// `/`. `None` when it leads out of `content/`.
pub fn source_target(doc_file: &Path, written: &str) -> Option<PathBuf> {
    let written = percent_decode(written);
    let mut segs: Vec<String> = if written.starts_with('/') {
        Vec::new()
    } else {
        doc_file
            .parent()?
            .strip_prefix(CONTENT_DIR)
            .ok()?
            .components()
            .map(|c| match c {
                Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()?
    };
    for seg in written.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                segs.pop()?;
            }
            s if s.contains('\\') => return None,
            s => segs.push(s.to_string()),
        }
    }
    if segs.is_empty() {
        return None;
    }
    Some(Path::new(CONTENT_DIR).join(segs.join("/")))
}

/// Where a file under `content/` is copied in the output: its place under `content/`.
fn output_of(source: &Path) -> String {
    let rel = source.strip_prefix(CONTENT_DIR).unwrap_or(source);
    rel.to_string_lossy().replace('\\', "/")
}

/// The version of `target` a reader of `audience` is led to: that audience's when the page
/// has it, else the page's default.
fn version_of<'a>(site: &Site, target: &'a Document, audience: &'a str) -> &'a str {
    if target.audiences.iter().any(|a| a == audience) {
        audience
    } else {
        target
            .audiences
            .iter()
            .find(|a| **a == site.config.default_audience)
            .or(target.audiences.first())
            .map(crate::types::AudienceId::as_str)
            .unwrap_or(audience)
    }
}

/// The page whose file is `file`. The build keeps pages in file order: found by halving,
/// else (an unsorted list) by looking at each.
fn page_by_file<'a>(site: &'a Site, file: &Path) -> Option<&'a Document> {
    match site.pages.binary_search_by(|d| d.file.as_path().cmp(file)) {
        Ok(i) => site.pages.get(i),
        Err(_) => site.pages.iter().find(|d| d.file == file),
    }
}

/// Whether Markdown may hold a link or image at all (`[x](y)` or a `[x]: y` definition): most
/// pages of a large site have none, and are not parsed for them.
fn may_link(md: &str) -> bool {
    md.contains("](") || md.contains("]:") || md.contains("] (")
}

/// The page and file marks of one output file's HTML (the page `doc`, its `audience`
/// version) made into paths from the site root, still behind [`ROOT_MARKER`].
pub fn resolve_marks(html: &str, site: &Site, doc: &Document, audience: &str) -> String {
    if !html.contains(PAGE_MARK) && !html.contains(FILE_MARK) {
        return html.to_string();
    }
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    loop {
        let next = [PAGE_MARK, FILE_MARK]
            .iter()
            .filter_map(|m| rest.find(m).map(|i| (i, *m)))
            .min();
        let Some((i, mark)) = next else { break };
        out.push_str(&rest[..i]);
        let after = &rest[i + mark.len()..];
        let Some(end) = after.find('@') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let written = unhex(&after[..end]).unwrap_or_default();
        let target = source_target(&doc.file, &written);
        let url = if mark == PAGE_MARK {
            // A translation links to the other page's version in its language, if any.
            let found = target.as_deref().and_then(|t| page_by_file(site, t));
            let found = found.map(|t| site.version_in(t, &doc.lang).unwrap_or(t));
            match found {
                Some(t) if t.audiences.iter().any(|a| a == audience) => {
                    format!("{}/{audience}/index.html", t.path)
                }
                // The page's default version is at its folder's index.
                Some(t) => format!("{}/index.html", t.path),
                // Reported by [`check`]; never a folder.
                None => "index.html".to_string(),
            }
        } else {
            target.as_deref().map(output_of).unwrap_or_default()
        };
        out.push_str(&url);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// One local link or image of a page, as [`scan`] finds it.
struct Found {
    /// Byte offset in the page's text.
    offset: usize,
    kind: Local,
    image: bool,
    alt_empty: bool,
}

/// The links and images of Markdown `md` that name a page file or a file beside the page;
/// `to_text` maps an offset of `md` to one of the page's text.
fn scan(md: &str, to_text: &dyn Fn(usize) -> usize) -> Vec<Found> {
    scan_all(md, to_text).0
}

/// [`scan`]'s links and images, and the links to an anchor of the page itself (`#anchor`),
/// with their offsets in the page's text.
fn scan_all(md: &str, to_text: &dyn Fn(usize) -> usize) -> (Vec<Found>, Vec<(usize, String)>) {
    let mut found: Vec<Found> = Vec::new();
    let mut own: Vec<(usize, String)> = Vec::new();
    let mut open_image: Option<usize> = None;
    for (ev, range) in Parser::new_ext(md, markdown::options()).into_offset_iter() {
        match ev {
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(anchor) = dest_url.trim().strip_prefix('#').filter(|a| !a.is_empty()) {
                    own.push((to_text(range.start), anchor.to_string()));
                }
                if let Some(kind) = markdown::local(&dest_url) {
                    found.push(Found {
                        offset: to_text(range.start),
                        kind,
                        image: false,
                        alt_empty: false,
                    });
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => {
                let kind = markdown::local(&dest_url);
                let is_file = matches!(kind, Some(Local::File(..)));
                if let Some(kind) = kind {
                    found.push(Found {
                        offset: to_text(range.start),
                        kind,
                        image: is_file,
                        alt_empty: true,
                    });
                    open_image = Some(found.len() - 1);
                }
            }
            Event::Text(t) | Event::Code(t) if !t.trim().is_empty() => {
                if let Some(f) = open_image.and_then(|i| found.get_mut(i)) {
                    f.alt_empty = false;
                }
            }
            Event::End(TagEnd::Image) => open_image = None,
            _ => {}
        }
    }
    (found, own)
}

/// The element ids a page's version for `audience` has: its headings' and the template's.
fn ids_of(doc: &Document, audience: &str, reserved: &[&str]) -> BTreeSet<String> {
    let md = crate::audience::blocks::select_mapped(doc.body(), audience).text;
    let mut ids: BTreeSet<String> = markdown::heading_ids(&md, reserved).into_iter().collect();
    ids.extend(reserved.iter().map(|s| s.to_string()));
    ids
}

fn is_generated_id(id: &str) -> bool {
    ["ref-", "cite-s", "cite-", "fn-"].iter().any(|p| {
        id.strip_prefix(p)
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric()))
    })
}

/// What is wrong with a file the site would copy (`rel` from the root), as (rule, message,
/// hint); its size when nothing is.
pub fn file_problem(root: &Path, rel: &Path) -> Result<u64, (&'static str, String, String)> {
    let shown = rel.display();
    let full = root.join(rel);
    let meta = match std::fs::symlink_metadata(&full) {
        Ok(m) => m,
        Err(_) => {
            return Err((
                "files/missing",
                format!("{shown} does not exist"),
                "put the file beside the page (or give its path from the page's folder)".into(),
            ))
        }
    };
    if meta.file_type().is_symlink() || crate::paths::escapes(&full, root).is_some() {
        return Err((
            "files/outside-root",
            format!("{shown} is a symbolic link or leads outside the site"),
            "copy the file itself into the site; careguide copies no links and nothing from outside the site root".into(),
        ));
    }
    if !meta.is_file() {
        return Err((
            "files/missing",
            format!("{shown} is a folder, not a file"),
            "link to a file in it".into(),
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err((
            "files/too-large",
            format!(
                "{shown} is {:.1} MB, over the limit of {} MB",
                meta.len() as f64 / 1_048_576.0,
                MAX_FILE_BYTES / 1_048_576
            ),
            "make the file smaller (an image for a web page rarely needs more than 1 MB)".into(),
        ));
    }
    let ext = rel
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    if let Some((_, magics)) = IMAGES.iter().find(|(e, _)| *e == ext) {
        let mut head = [0u8; 12];
        let n = std::fs::File::open(&full)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .unwrap_or(0);
        let head = &head[..n];
        let ok = magics.iter().any(|m| head.starts_with(m))
            && (ext != "webp" || head.get(8..12) == Some(b"WEBP"));
        if !ok {
            return Err((
                "files/not-an-image",
                format!(
                    "{shown} is named .{ext} but is not a {} image",
                    ext.to_ascii_uppercase()
                ),
                "export the image again, or give it the extension of its real format".into(),
            ));
        }
    }
    Ok(meta.len())
}

/// What checking a page's links found: diagnostics, and the page files it links to (inputs of
/// the page: when one changes or appears, the page is built again).
#[derive(Default)]
pub struct Checked {
    pub diagnostics: Vec<Diagnostic>,
    pub pages: Vec<PathBuf>,
}

/// Check every link to a page file and every file of `doc`, for each audience that reads it.
/// `reserved`: the ids the templates use (headings never take them; anchors may name them).
pub fn check(site: &Site, doc: &Document, reserved: &[&str]) -> Checked {
    if !may_link(doc.body()) {
        return Checked::default();
    }
    let mut c = Checker {
        site,
        doc,
        reserved,
        found: BTreeMap::new(),
        pages: BTreeSet::new(),
        ids_cache: HashMap::new(),
        page_files: site
            .pages
            .iter()
            .map(|d| d.file.to_string_lossy().into_owned())
            .collect(),
    };
    for audience in &doc.audiences {
        let sel = crate::audience::blocks::select_mapped(doc.body(), audience);
        let plain = site.config.audience(audience).is_some_and(|a| a.plain);
        let to_text = |o: usize| doc.body_offset + sel.source_offset(o);
        let (found, own) = scan_all(&sel.text, &to_text);
        for (offset, anchor) in own {
            c.own_anchor(offset, &anchor, audience);
        }
        for f in found {
            match &f.kind {
                Local::Page(written, fragment) => {
                    c.page_link(f.offset, written, fragment.as_deref(), audience)
                }
                Local::File(written) => c.file_link(&f, written, audience, plain),
            }
        }
    }
    Checked {
        diagnostics: c.found.into_values().collect(),
        pages: c.pages.into_iter().collect(),
    }
}

/// The links of one page as [`check`] reads them, every audience's version in turn: a finding
/// at one place is reported once.
struct Checker<'a> {
    site: &'a Site,
    doc: &'a Document,
    reserved: &'a [&'a str],
    found: BTreeMap<(usize, &'static str), Diagnostic>,
    pages: BTreeSet<PathBuf>,
    ids_cache: HashMap<(PathBuf, String), BTreeSet<String>>,
    page_files: Vec<String>,
}

impl Checker<'_> {
    fn at(&self, d: Diagnostic, offset: usize) -> Diagnostic {
        let (line, col) = line_col(&self.doc.text, offset);
        d.at(&self.doc.file, line, col)
    }

    /// Keep the first finding of `rule` at `offset`.
    fn report(&mut self, offset: usize, rule: &'static str, d: impl FnOnce() -> Diagnostic) {
        if !self.found.contains_key(&(offset, rule)) {
            let d = self.at(d(), offset);
            self.found.insert((offset, rule), d);
        }
    }

    /// A link to another page's file: the page exists, and so does the anchor in the version
    /// this audience is led to.
    fn page_link(&mut self, offset: usize, written: &str, fragment: Option<&str>, audience: &str) {
        let Some(target) = source_target(&self.doc.file, written) else {
            self.report(offset, "links/broken-page", || {
                Diagnostic::error(
                    "links/broken-page",
                    format!("the link to {written} leads outside content/"),
                )
                .hint("link to a page's .md file under content/")
            });
            return;
        };
        self.pages.insert(target.clone());
        let Some(t) = page_by_file(self.site, &target) else {
            let shown = target.to_string_lossy().into_owned();
            let hint = match crate::util::nearest(&shown, self.page_files.iter().map(String::as_str)) {
                Some(n) => format!("did you mean {n}? (a link to a page names its .md file, from this page's folder or from content/ with a leading /)"),
                None => "a link to a page names its .md file, from this page's folder or from content/ with a leading /".into(),
            };
            self.report(offset, "links/broken-page", || {
                Diagnostic::error(
                    "links/broken-page",
                    format!("the link to {written} names no page: {shown} does not exist"),
                )
                .hint(hint)
            });
            return;
        };
        let Some(anchor) = fragment.filter(|a| !a.is_empty()) else {
            return;
        };
        let anchor = percent_decode(anchor);
        // A translation leads to the other page's translation in its language when there is
        // one (see [`resolve_marks`]): its anchors are that translation's headings' own.
        let t = self.site.version_in(t, &self.doc.lang).unwrap_or(t);
        self.anchor_in(offset, t, &anchor, audience);
    }

    /// A link to an anchor of the page itself (`#anchor`): one of its own headings (a
    /// translation's are its own, translated), in the version this audience reads.
    fn own_anchor(&mut self, offset: usize, anchor: &str, audience: &str) {
        let anchor = percent_decode(anchor);
        self.anchor_in(offset, self.doc, &anchor, audience);
    }

    /// The anchor a link at `offset` names is an element id of `t`'s version for `audience`.
    fn anchor_in(&mut self, offset: usize, t: &Document, anchor: &str, audience: &str) {
        let target = t.file.clone();
        let version = version_of(self.site, t, audience).to_string();
        let reserved = self.reserved;
        let ids = self
            .ids_cache
            .entry((target.clone(), version.clone()))
            .or_insert_with(|| ids_of(t, &version, reserved));
        if ids.contains(anchor) || is_generated_id(anchor) {
            return;
        }
        let hint = match crate::util::nearest(anchor, ids.iter().map(String::as_str)) {
            Some(n) => format!(
                "did you mean #{n}? (an anchor is a heading's id: lower case, words joined by '-')"
            ),
            None => "an anchor is a heading's id: lower case, words joined by '-'".into(),
        };
        self.report(offset, "links/missing-anchor", || {
            Diagnostic::error(
                "links/missing-anchor",
                format!(
                    "{} ({version} version) has no anchor #{anchor}",
                    target.display()
                ),
            )
            .hint(hint)
        });
    }

    /// A link to a file beside the page (or an image): it exists inside the site and is what
    /// it claims; an image has alt text (required on plain-language versions).
    fn file_link(&mut self, f: &Found, written: &str, audience: &str, plain: bool) {
        let problem = match source_target(&self.doc.file, written) {
            None => Err((
                "files/outside-root",
                format!("{written} leads outside content/"),
                "put the file beside the page, or in static/ and link to it from the root (/name)"
                    .to_string(),
            )),
            Some(t) => file_problem(&self.site.root, &t),
        };
        if let Err((rule, msg, hint)) = problem {
            self.report(f.offset, rule, || Diagnostic::error(rule, msg).hint(hint));
        }
        if !(f.image && f.alt_empty) {
            return;
        }
        let key = (f.offset, "files/image-alt");
        let d = if plain {
            Diagnostic::error("files/image-alt", format!("the image {written} has no alt text, and the {audience} version is plain language"))
        } else {
            Diagnostic::warning(
                "files/image-alt",
                format!("the image {written} has no alt text"),
            )
        };
        let d = self.at(d, f.offset).hint("describe the image in the brackets: ![Taper chart: the dose halves over 8 weeks](chart.png)");
        // An error for a plain audience wins over a warning for another.
        let replace = self
            .found
            .get(&key)
            .is_none_or(|old| old.severity != crate::diag::Severity::Error && plain);
        if replace {
            self.found.insert(key, d);
        }
    }
}

/// The page files a page links to, for the build cache: a page is built again when one of
/// them changes, appears or goes.
pub fn linked_pages(doc: &Document) -> Vec<PathBuf> {
    if !may_link(doc.body()) {
        return Vec::new();
    }
    let found = scan(doc.body(), &|o| o);
    let set: BTreeSet<PathBuf> = found
        .iter()
        .filter_map(|f| match &f.kind {
            Local::Page(w, _) => source_target(&doc.file, w),
            _ => None,
        })
        .collect();
    set.into_iter().collect()
}

/// The files the site copies: `static/` as is, and every file a page names beside it. Each
/// checked ([`file_problem`]); a problem with a page's file is reported at its line by
/// [`check`], one under `static/` here.
pub fn copied_files(site: &Site) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let mut sources: BTreeMap<String, PathBuf> = BTreeMap::new();
    let mut problems = Vec::new();
    let static_dir = site.root.join(STATIC_DIR);
    if static_dir.is_dir() {
        for e in walkdir::WalkDir::new(&static_dir)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        {
            let e = match e {
                Ok(e) => e,
                Err(err) => {
                    problems.push(Diagnostic::error(
                        "files/unreadable",
                        format!("cannot read static/: {err}"),
                    ));
                    continue;
                }
            };
            if e.file_type().is_dir() {
                continue;
            }
            let Ok(rel) = e.path().strip_prefix(&site.root) else {
                continue;
            };
            match file_problem(&site.root, rel) {
                Ok(_) => {
                    let out = rel
                        .strip_prefix(STATIC_DIR)
                        .unwrap_or(rel)
                        .to_string_lossy()
                        .replace('\\', "/");
                    sources.insert(out, rel.to_path_buf());
                }
                Err((rule, msg, hint)) => {
                    problems.push(Diagnostic::error(rule, msg).in_file(rel).hint(hint))
                }
            }
        }
    }
    for doc in site.pages.iter().filter(|d| may_link(d.body())) {
        for f in scan(doc.body(), &|o| o) {
            if let Local::File(w) = &f.kind {
                if let Some(t) = source_target(&doc.file, w) {
                    if file_problem(&site.root, &t).is_ok() {
                        // A static file at the same place is a collision, reported later.
                        let out = output_of(&t);
                        if sources.get(&out).is_some_and(|s| s.starts_with(STATIC_DIR)) {
                            problems.push(Diagnostic::error("content/url-collision", format!("two outputs would be written to {out}: {} and static/{out}", t.display())).in_file(&doc.file).hint("rename or move one of the two files"));
                        } else {
                            sources.insert(out, t);
                        }
                    }
                }
            }
        }
    }
    let mut files = Vec::with_capacity(sources.len());
    for (out, src) in sources {
        match std::fs::read(site.root.join(&src)) {
            Ok(bytes) => files.push(OutputFile::new(out, bytes)),
            Err(e) => problems.push(
                Diagnostic::error(
                    "files/unreadable",
                    format!("cannot read {}: {e}", src.display()),
                )
                .in_file(&src),
            ),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

/// What the files the site copies look like (name, size, modification time), for the site
/// key: an added, changed or removed file builds the pages again. Empty without any. Files
/// under `content/` with a bibliography extension (`.yaml`, `.json`, `.txt`...) are left out:
/// a page's key follows its bibliography files already.
pub fn files_fingerprint(root: &Path) -> Vec<u8> {
    let mut d = crate::util::Digest::new();
    let mut any = false;
    for dir in [STATIC_DIR, CONTENT_DIR] {
        for e in walkdir::WalkDir::new(root.join(dir))
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            // Under content/: not the pages, nor bibliography and glossary files (each page's
            // key already follows its own, and a touched .bib must not rebuild every page).
            let ext = e
                .path()
                .extension()
                .map(|x| x.to_string_lossy().to_ascii_lowercase())
                .unwrap_or_default();
            let data = ext == "md" || crate::cite::bib::EXTENSIONS.contains(&ext.as_str());
            if e.file_type().is_dir() || (dir == CONTENT_DIR && data) {
                continue;
            }
            let Ok(meta) = e.metadata() else { continue };
            let mtime = meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map(|t| t.as_nanos())
                .unwrap_or(0);
            d.field(e.path().as_os_str().as_encoded_bytes())
                .field(&meta.len().to_le_bytes())
                .field(&mtime.to_le_bytes());
            any = true;
        }
    }
    if any {
        d.hex().into_bytes()
    } else {
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_paths_lead_from_the_page_file() {
        let f = Path::new("content/guides/taper.md");
        assert_eq!(
            source_target(f, "other.md"),
            Some(PathBuf::from("content/guides/other.md"))
        );
        assert_eq!(
            source_target(f, "../kratom.md"),
            Some(PathBuf::from("content/kratom.md"))
        );
        assert_eq!(
            source_target(f, "/topic/page.md"),
            Some(PathBuf::from("content/topic/page.md"))
        );
        assert_eq!(
            source_target(f, "my%20chart.png"),
            Some(PathBuf::from("content/guides/my chart.png"))
        );
        assert_eq!(source_target(f, "../../../etc/passwd"), None);
        assert_eq!(
            output_of(Path::new("content/guide/chart.png")),
            "guide/chart.png"
        );
    }

    #[test]
    fn the_fingerprint_follows_copied_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::write(root.join("content/a.md"), "x").unwrap();
        std::fs::write(root.join("content/refs.bib"), "x").unwrap();
        // Pages and bibliography files are no copied files: the site key stays as it was.
        assert!(files_fingerprint(root).is_empty());
        std::fs::create_dir_all(root.join("static")).unwrap();
        std::fs::write(root.join("static/logo.png"), "x").unwrap();
        let one = files_fingerprint(root);
        assert!(!one.is_empty());
        std::fs::write(root.join("content/chart.png"), "x").unwrap();
        let two = files_fingerprint(root);
        assert_ne!(one, two);
        std::fs::write(root.join("static/logo.png"), "xy").unwrap();
        assert_ne!(files_fingerprint(root), two);
    }

    #[test]
    fn pages_without_links_are_not_parsed_for_them() {
        assert!(may_link("see [a](b.md)"));
        assert!(!may_link("no links here"));
    }

    #[test]
    fn marks_round_trip() {
        assert_eq!(
            unhex(&markdown::hex("a b/é.md")).as_deref(),
            Some("a b/é.md")
        );
        assert_eq!(unhex("zz"), None);
    }
}
