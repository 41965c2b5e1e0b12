//! The build cache, for fast incremental builds: `ROOT/.careguide-cache/`.
//!
//! One manifest per output folder records, for every page, a key hashed from everything the
//! page's output depends on (its source, the configuration, the templates, the bibliography and
//! glossary files, the careguide binary, the build date), the files it produced and its
//! findings; and the formatted text of every reference, keyed by the reference's fields and the
//! citation style. A build whose keys all match, and whose output folder is the one the
//! manifest describes, has nothing to do. Otherwise unchanged pages are hard-linked from the
//! previous output instead of rendered again.
//!
//! The cache is never trusted blindly: a manifest that does not parse, was written by another
//! version, or describes an output folder whose marker does not match, is ignored and the site
//! is built from scratch. It holds only site content: handouts never pass through it.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::cite::style::{Formatted, Formatter};
use crate::cite::Reference;
use crate::diag::Diagnostic;
use crate::types::RawJson;
use crate::util::Digest;

mod keys;

pub use keys::{build_id, file_digest, page_key, reference_key, site_key, FormatMemo};

pub const CACHE_DIR: &str = ".careguide-cache";
/// The cache's layout: a manifest of another format is ignored, and with it every page file.
/// 8: a page file holds the whole parsed page (its text and references too). 10: the
/// references in the page file's tail, read only when asked for.
pub const FORMAT: u32 = 10;

/// A cache file made of a JSON head (small, parsed) and a tail of JSON texts (large, not
/// parsed), checked together by the tail's length and digest.
#[derive(Serialize, Deserialize)]
struct Framed<H> {
    head: H,
    tail_len: usize,
    tail_digest: String,
}

fn tail_digest(tail: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(tail))
}

/// The bytes of a framed file: the head's JSON (which never holds a raw line break), a line
/// break, then the tail.
fn framed<H: Serialize>(head: H, tail: &[&str]) -> Option<Vec<u8>> {
    let tail = tail.concat();
    let mut bytes = serde_json::to_vec(&Framed {
        head,
        tail_len: tail.len(),
        tail_digest: tail_digest(tail.as_bytes()),
    })
    .ok()?;
    bytes.push(b'\n');
    bytes.extend_from_slice(tail.as_bytes());
    Some(bytes)
}

/// The head and tail of a framed file, or `None` unless it is whole and as written. The tail
/// is borrowed, and its text checked part by part: whoever keeps parts of it takes just those.
fn read_framed<H: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<(H, &[u8])> {
    let nl = memchr::memchr(b'\n', bytes)?;
    let f: Framed<H> = serde_json::from_slice(&bytes[..nl]).ok()?;
    let tail = &bytes[nl + 1..];
    (tail.len() == f.tail_len && tail_digest(tail) == f.tail_digest).then_some((f.head, tail))
}

/// An output file as the cache records it: its path (relative to the output folder), size and
/// content digest.
pub type FileRecord = (String, u64, String);

/// What one page produced in a successful build.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PageRecord {
    pub key: String,
    /// The page file's stamp when it was read ([`crate::content::Stamp`]).
    #[serde(default)]
    pub stamp: Option<crate::content::Stamp>,
    /// Output files (relative paths) with their sizes, to check they are still there, and
    /// their content digests ([`crate::output::digest`]).
    pub outputs: Vec<FileRecord>,
    /// The page's own bibliography files (relative to the root) with their content digests.
    #[serde(default)]
    pub inputs: Vec<(String, String)>,
    /// The parsed page, whole (text and references too), so an unchanged page is not read or
    /// parsed again (the page's cache file).
    #[serde(skip)]
    pub doc: Option<crate::content::Document>,
    /// What the site-wide files and the report need from the page (the page's cache file).
    #[serde(skip)]
    pub facts: Option<PageFacts>,
}

/// What a build learned about one page beyond its own files.
#[derive(Debug, Clone)]
pub struct PageFacts {
    /// Its findings (front matter, citations, audience blocks, reading level, review).
    pub diagnostics: Vec<Diagnostic>,
    /// Reading-level scores per audience, serialized (spliced into the report unparsed).
    pub scores: RawJson,
    /// Its line on the editorial report.
    pub editorial: crate::audience::review::EditorialRow,
    /// Its part of the search index, serialized (spliced into the index without parsing).
    pub search: RawJson,
}

#[derive(Debug, Default, Serialize, Deserialize)]
pub struct Manifest {
    pub format: u32,
    /// The output folder this manifest describes (absolute).
    pub out: PathBuf,
    /// Written into the output's marker file too: the two must agree.
    pub build_id: String,
    /// The part of every page key that is not the page's own ([`site_key`]).
    #[serde(default)]
    pub site_key: String,
    /// When that build began reading the page files, nanoseconds since the epoch (the page
    /// stamps' reference, see [`crate::content::Stamp::settled`]).
    #[serde(default)]
    pub read_at: i128,
    /// By page file (relative to the root).
    pub pages: BTreeMap<String, PageRecord>,
    /// Files that list pages (index, topics, feeds, search) with their sizes and digests.
    pub site_files: Vec<FileRecord>,
    /// The index, topic and search pages (some of `site_files`) with the key they were
    /// rendered for ([`crate::render::site::lists_key`]).
    #[serde(default)]
    pub lists: Option<(String, Vec<FileRecord>)>,
    /// The findings (warnings) of that build, reported again when nothing changed (report file).
    #[serde(skip)]
    pub diagnostics: Vec<Diagnostic>,
    /// Its reading-level scores, likewise (report file).
    #[serde(skip)]
    pub scores: Option<RawJson>,
    /// What the back copy beside the output holds: its build id and files (details file).
    #[serde(skip)]
    pub back: Option<(String, BTreeMap<String, String>)>,
}

/// Write one page's cache file: the parsed page, whole (an unchanged page taken from the cache
/// is the page its file would parse to, text and references included, so whatever reads it
/// finds what a parsed page has), and its facts, valid for its `key`. Written as the page
/// renders, so the build never holds every page twice; a build that then fails leaves files
/// whose keys its manifest does not name, which are ignored.
///
/// The file's first line is the page's formatted references ([`FormatMemo::used_json`]:
/// JSON, which has no raw line break), read by the next build that renders the page whatever
/// its key; one file per page rather than two, as creating files is most of what the cold
/// build asks of the file system.
///
/// Once written, the file holds the page's references: what is returned reads them back from
/// it (see [`crate::content::PageReferences::keep`]); `None` if the file was not written.
pub fn save_page(
    root: &Path,
    out: &Path,
    page: &str,
    key: &str,
    doc: &crate::content::Document,
    facts: &PageFacts,
    references: &[u8],
) -> Option<crate::content::Reload> {
    let rest = page_bytes(key, doc, facts)?;
    let mut bytes = Vec::with_capacity(references.len() + 1 + rest.len());
    bytes.extend_from_slice(references);
    bytes.push(b'\n');
    bytes.extend_from_slice(&rest);
    let path = page_path(root, out, page);
    save_bytes(&path, &bytes).then(|| kept_at(path, key))
}

/// `page`'s cache file.
fn page_path(root: &Path, out: &Path, page: &str) -> PathBuf {
    pages_dir(root, out).join(page_file_name(page))
}

/// How a page's references kept in its cache file at `path` (written for `key`) are read
/// back: the file is read and checked again, as when the page was read from it.
fn kept_at(path: PathBuf, key: &str) -> crate::content::Reload {
    let key = key.to_string();
    std::sync::Arc::new(move || {
        let bytes = std::fs::read(&path).ok()?;
        let (head, tail) = read_head(&bytes, &key)?;
        serde_json::from_slice(tail.get(head.references_start()?..)?).ok()
    })
}

/// The first line of a page's cache file (its formatted references), without reading on.
fn read_refs_line(path: &Path) -> Option<Vec<u8>> {
    use std::io::BufRead;
    let mut line = Vec::new();
    std::io::BufReader::new(std::fs::File::open(path).ok()?)
        .read_until(b'\n', &mut line)
        .ok()?;
    // A line without its end is a file cut short: not used.
    (line.pop() == Some(b'\n')).then_some(line)
}

/// A page's cache file split into its formatted references (the first line) and the page.
fn split_refs(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let nl = memchr::memchr(b'\n', bytes)?;
    Some((&bytes[..nl], &bytes[nl + 1..]))
}

/// A page's cache file: the page without its text or references and the findings in the
/// head; the text, the search part, the scores and the references in the tail, unparsed.
fn page_bytes(key: &str, doc: &crate::content::Document, facts: &PageFacts) -> Option<Vec<u8>> {
    let references = serde_json::to_string(&*doc.references.get()).ok()?;
    let head = PageHead {
        key: key.to_string(),
        doc: Cow::Borrowed(doc),
        diagnostics: Cow::Borrowed(&facts.diagnostics),
        editorial: Cow::Borrowed(&facts.editorial),
        text_len: doc.text.len(),
        search_len: facts.search.get().len(),
        scores_len: facts.scores.get().len(),
        references: doc.references.len(),
    };
    framed(
        head,
        &[
            &doc.text,
            facts.search.get(),
            facts.scores.get(),
            &references,
        ],
    )
}

/// The head and tail of a page's cache file written for `key`, or `None` unless the file is
/// whole, of this layout and for that key.
fn read_head<'b>(bytes: &'b [u8], key: &str) -> Option<(PageHead<'static>, &'b [u8])> {
    let (head, tail) = read_framed::<PageHead>(split_refs(bytes)?.1)?;
    (head.key == key).then_some((head, tail))
}

/// A page and its facts from its cache file written for `key`, or `None` unless the file is
/// whole, of this layout and for that key. Its references stay in the file until something
/// asks for them ([`crate::content::PageReferences`]).
fn read_page(path: PathBuf, key: &str) -> Option<(crate::content::Document, PageFacts)> {
    let bytes = std::fs::read(&path).ok()?;
    let (head, tail) = read_head(&bytes, key)?;
    head.page(tail, kept_at(path, key))
}

/// Remove the cache files [`save_page`] wrote for `pages` in a build
/// that then failed, and the cache folders left empty: a failed build leaves no cache behind
/// (the site's folder is as it was), at the price of rendering those pages again next time.
pub fn forget_pages<'p>(root: &Path, out: &Path, pages: impl Iterator<Item = &'p str>) {
    let dir = pages_dir(root, out);
    for page in pages {
        let _ = std::fs::remove_file(dir.join(page_file_name(page)));
    }
    // Only empty folders go: `remove_dir` refuses the others.
    let _ = std::fs::remove_dir(&dir);
    let _ = std::fs::remove_dir(root.join(CACHE_DIR));
}

/// The head of one page's cache file: what the build that gave it `key` learned of it. The
/// page's text and references are not in `doc` (a [`crate::content::Document`] serializes
/// without them) but in the tail: first the text (`text_len` bytes), then its search part
/// (`search_len` bytes), its scores (`scores_len` bytes) and its `references` references.
/// Written from borrowed parts, read into owned ones.
#[derive(Serialize, Deserialize)]
struct PageHead<'a> {
    key: String,
    doc: Cow<'a, crate::content::Document>,
    diagnostics: Cow<'a, [Diagnostic]>,
    editorial: Cow<'a, crate::audience::review::EditorialRow>,
    text_len: usize,
    search_len: usize,
    scores_len: usize,
    references: usize,
}

impl PageHead<'_> {
    /// Where the references begin in the tail.
    fn references_start(&self) -> Option<usize> {
        self.text_len
            .checked_add(self.search_len)?
            .checked_add(self.scores_len)
    }

    /// The page (its references kept where `reload` reads them) and its facts, from a framed
    /// file's head and tail.
    fn page(
        self,
        tail: &[u8],
        reload: crate::content::Reload,
    ) -> Option<(crate::content::Document, PageFacts)> {
        let search_end = self.text_len.checked_add(self.search_len)?;
        let part = |from: usize, to: usize| std::str::from_utf8(tail.get(from..to)?).ok();
        let text = part(0, self.text_len)?;
        let search = part(self.text_len, search_end)?;
        let scores = part(search_end, self.references_start()?)?;
        let mut doc = self.doc.into_owned();
        doc.text = text.to_string();
        doc.references = crate::content::PageReferences::kept(self.references, reload);
        Some((
            doc,
            PageFacts {
                diagnostics: self.diagnostics.into_owned(),
                scores: RawJson::from_parts(scores.to_string()),
                editorial: self.editorial.into_owned(),
                search: RawJson::from_parts(search.to_string()),
            },
        ))
    }
}

/// What the back copy beside the output holds, as of build `build_id`.
#[derive(Default, Serialize, Deserialize)]
struct BackFile {
    build_id: String,
    back: Option<(String, BTreeMap<String, String>)>,
}

/// What a no-op build reports again: the head of the report file, whose tail is the scores.
#[derive(Default, Serialize, Deserialize)]
struct ReportHead {
    build_id: String,
    diagnostics: Vec<Diagnostic>,
    has_scores: bool,
}

/// `ROOT/.careguide-cache/<kind>-<digest of the output path>.json`.
fn cache_path(root: &Path, out: &Path, kind: &str) -> PathBuf {
    let mut d = Digest::new();
    d.field(out.as_os_str().as_encoded_bytes());
    root.join(CACHE_DIR)
        .join(format!("{kind}-{}.json", &d.hex()[..16]))
}

/// `ROOT/.careguide-cache/pages-<digest of the output path>/`: one file per page.
fn pages_dir(root: &Path, out: &Path) -> PathBuf {
    let mut p = cache_path(root, out, "pages");
    p.set_extension("");
    p
}

fn page_file_name(page: &str) -> String {
    format!("{:032x}.json", xxhash_rust::xxh3::xxh3_128(page.as_bytes()))
}

fn manifest_path(root: &Path, out: &Path) -> PathBuf {
    cache_path(root, out, "manifest")
}

/// Write `value` as JSON to `path` atomically; failures only cost speed next time.
fn save_json<T: Serialize>(path: &Path, value: &T) {
    if let Ok(bytes) = serde_json::to_vec(value) {
        save_bytes(path, &bytes);
    }
}

/// Write a cache file atomically (a temporary file renamed over it); whether it was written.
/// Its folder is there for every file but a build's first: the file is tried first and the
/// folder made when it is missing (making it before each of 2,000 pages' files was 2,000
/// `mkdir` failing with "exists", and as many `stat`).
fn save_bytes(path: &Path, bytes: &[u8]) -> bool {
    let Some(dir) = path.parent() else {
        return false;
    };
    let write = || crate::util::write_atomic(path, bytes, false);
    match write() {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::create_dir_all(dir).is_ok() && write().is_ok()
        }
        Err(_) => false,
    }
}

impl Manifest {
    /// The manifest for `out`, if there is a valid one whose output folder is intact.
    pub fn load(root: &Path, out: &Path) -> Manifest {
        let Ok(text) = std::fs::read(manifest_path(root, out)) else {
            return Manifest::default();
        };
        let Ok(m) = serde_json::from_slice::<Manifest>(&text) else {
            return Manifest::default();
        };
        let marker = std::fs::read_to_string(out.join(crate::output::MARKER)).unwrap_or_default();
        if m.format != FORMAT || m.out != out || !marker.contains(&m.build_id) {
            return Manifest::default();
        }
        m
    }

    /// Read the findings and scores of the build this manifest describes.
    pub fn load_report(&mut self, root: &Path) {
        let path = cache_path(root, &self.out, "report");
        let bytes = std::fs::read(path).unwrap_or_default();
        if let Some((r, tail)) =
            read_framed::<ReportHead>(&bytes).filter(|(r, _)| r.build_id == self.build_id)
        {
            self.diagnostics = r.diagnostics;
            self.scores = r
                .has_scores
                .then(|| std::str::from_utf8(tail).ok())
                .flatten()
                .map(|s| RawJson::from_parts(s.to_string()));
        }
    }

    /// Read, for each page in `wanted`, the page as parsed (whole: text, front matter,
    /// references) and its facts, each from the page's own cache file and only when that file
    /// was written for the page's current key; and what the back copy beside the output holds.
    pub fn load_details(&mut self, root: &Path, out: &Path, wanted: &BTreeSet<String>) {
        if self.build_id.is_empty() {
            return;
        }
        if let Some(b) = std::fs::read(cache_path(root, out, "back"))
            .ok()
            .and_then(|b| serde_json::from_slice::<BackFile>(&b).ok())
            .filter(|b| b.build_id == self.build_id)
        {
            self.back = b.back;
        }
        let dir = pages_dir(root, out);
        let loaded: Vec<(String, (crate::content::Document, PageFacts))> = wanted
            .par_iter()
            .filter_map(|k| {
                let want = self.pages.get(k)?;
                let path = dir.join(page_file_name(k));
                Some((k.clone(), read_page(path, &want.key)?))
            })
            .collect();
        for (k, (doc, facts)) in loaded {
            if let Some(r) = self.pages.get_mut(&k) {
                r.doc = Some(doc);
                r.facts = Some(facts);
            }
        }
    }

    /// Save the manifest, what the back copy holds and the report, each atomically, and
    /// remove the cache files of pages that are gone (pages write theirs as they render, see
    /// [`save_page`]).
    ///
    /// `previous` is the page list of the manifest this build started from, when the cache
    /// folder holds nothing else: then only the files of pages missing now are removed.
    /// Without it (no usable manifest, or a build was interrupted and may have left files of
    /// pages no manifest lists) the folder is read and every file no page owns is removed.
    pub fn save(&self, root: &Path, previous: Option<&BTreeSet<String>>) {
        let dir = pages_dir(root, &self.out);
        match previous {
            Some(previous) => {
                for k in previous.iter().filter(|k| !self.pages.contains_key(*k)) {
                    let _ = std::fs::remove_file(dir.join(page_file_name(k)));
                }
            }
            None => {
                let names: BTreeSet<String> =
                    self.pages.keys().map(|k| page_file_name(k)).collect();
                if let Ok(entries) = std::fs::read_dir(&dir) {
                    for e in entries.flatten() {
                        if !names.contains(&*e.file_name().to_string_lossy()) {
                            let _ = std::fs::remove_file(e.path());
                        }
                    }
                }
            }
        }
        // The report (all pages' scores) is the largest: written, after the small back-copy
        // file, while the manifest is put into JSON.
        let (manifest, ()) = rayon::join(
            || serde_json::to_vec(self),
            || {
                save_json(
                    &cache_path(root, &self.out, "back"),
                    &BackFile {
                        build_id: self.build_id.clone(),
                        back: self.back.clone(),
                    },
                );
                let head = ReportHead {
                    build_id: self.build_id.clone(),
                    diagnostics: self.diagnostics.clone(),
                    has_scores: self.scores.is_some(),
                };
                let scores = self.scores.as_ref().map(RawJson::get).unwrap_or_default();
                if let Some(bytes) = framed(head, &[scores]) {
                    save_bytes(&cache_path(root, &self.out, "report"), &bytes);
                }
            },
        );
        // The manifest last: it is what makes the others count.
        if let Ok(bytes) = manifest {
            save_bytes(&manifest_path(root, &self.out), &bytes);
        }
    }

    /// After a build that found nothing changed: record the stamps the page files have now and
    /// when they were read, if any differs from the recorded one or was too recent to count
    /// then. Only the manifest is written again; the report and back copy it names are still
    /// this output's.
    pub fn refresh_stamps(
        &mut self,
        root: &Path,
        stamps: &HashMap<String, crate::content::Stamp>,
        read_at: i128,
    ) {
        let old_read_at = self.read_at;
        let stale = self.pages.iter().any(|(k, r)| {
            r.stamp != stamps.get(k).copied() || !r.stamp.is_some_and(|s| s.settled(old_read_at))
        });
        if !stale {
            return;
        }
        for (k, r) in self.pages.iter_mut() {
            r.stamp = stamps.get(k).copied();
        }
        self.read_at = read_at;
        save_json(&manifest_path(root, &self.out), self);
    }

    /// Whether the bibliography files of every record still have the content they had.
    /// `digests` caches file digests across records (many pages share one file).
    pub fn inputs_unchanged(
        &self,
        root: &Path,
        record: &PageRecord,
        digests: &Mutex<HashMap<String, String>>,
    ) -> bool {
        record
            .inputs
            .iter()
            .all(|(p, want)| &file_digest(root, p, digests) == want)
    }

    pub fn site_files_intact(&self) -> bool {
        self.files_intact(&self.site_files)
    }

    /// What the cache knows of the output folder and its back copy, for the writer.
    pub fn known(&self) -> crate::output::Known {
        if self.build_id.is_empty() {
            return crate::output::Known::default();
        }
        let files = self
            .pages
            .values()
            .flat_map(|r| r.outputs.iter())
            .chain(self.site_files.iter())
            .map(|(p, _, d)| (p.clone(), d.clone()))
            .collect();
        crate::output::Known {
            live: Some((self.build_id.clone(), files)),
            back: self.back.as_ref().map(|(id, f)| {
                (
                    id.clone(),
                    f.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
                )
            }),
        }
    }

    /// Whether each (path, size) is in the output folder with that size.
    pub fn files_intact(&self, files: &[FileRecord]) -> bool {
        files.iter().all(|(p, size, _)| {
            std::fs::metadata(self.out.join(p))
                .map(|m| m.len() == *size)
                .unwrap_or(false)
        })
    }

    pub fn file_count(&self) -> usize {
        self.site_files.len() + self.pages.values().map(|r| r.outputs.len()).sum::<usize>()
    }

    /// Whether every output the record lists is still in the output folder, unchanged in size.
    pub fn outputs_intact(&self, record: &PageRecord) -> bool {
        self.files_intact(&record.outputs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digest_separates_fields() {
        let mut a = Digest::new();
        a.field(b"ab").field(b"c");
        let mut b = Digest::new();
        b.field(b"a").field(b"bc");
        assert_ne!(a.hex(), b.hex());
        let mut c = Digest::new();
        c.field(b"ab").field(b"c");
        assert_eq!(a.hex(), c.hex());
        assert_eq!(a.hex().len(), 32);
    }

    #[test]
    fn reference_key_ignores_where_it_was_defined() {
        let mut r = Reference {
            id: "a".into(),
            title: Some("T".into()),
            ..Default::default()
        };
        let k1 = reference_key("ama", "en", &r);
        r.origin.line = 40;
        assert_eq!(reference_key("ama", "en", &r), k1);
        assert_ne!(reference_key("bmj", "en", &r), k1);
        assert_ne!(reference_key("ama", "es", &r), k1);
        r.title = Some("U".into());
        assert_ne!(reference_key("ama", "en", &r), k1);
    }

    /// A page with an inline reference, a bibliography file and text beyond ASCII.
    fn page_with_references() -> crate::content::Document {
        crate::audience::testutil::page(
            "bibliography: [refs/shared.bib]\nreview:\n  status: draft\nreferences:\n  - id: own1\n    authors: [\"Author A\"]\n    title: Work – one\n    journal: J Test\n    year: 2020\n    volume: 3\n    doi: 10.1000/own.1\n",
            "Rest — and drink water [@own1].\n",
        )
    }

    fn facts() -> PageFacts {
        let doc = page_with_references();
        PageFacts {
            diagnostics: vec![Diagnostic::warning("x/y", "a finding").in_file(&doc.file)],
            scores: RawJson::from_parts("{\"general\":1}".into()),
            editorial: crate::audience::review::editorial_row(
                &doc,
                &crate::audience::testutil::config(),
                crate::types::Date::parse("2026-02-01").unwrap(),
                &Default::default(),
                0,
                &crate::audience::blocks::layout(doc.body()),
            ),
            search: RawJson::from_parts("[\"é\"]".into()),
        }
    }

    #[test]
    fn a_page_comes_back_from_its_cache_file_whole() {
        let dir = tempfile::tempdir().unwrap();
        let (root, out) = (dir.path(), dir.path().join("output"));
        let doc = page_with_references();
        assert_eq!(doc.references.len(), 1);
        let f = facts();
        assert!(save_page(root, &out, "p", "k1", &doc, &f, b"{}").is_some());
        let path = page_path(root, &out, "p");
        let bytes = std::fs::read(&path).unwrap();
        let (back, back_facts) = read_page(page_path(root, &out, "p"), "k1").unwrap();
        // The references stay in the file until asked for.
        assert_eq!(back.references.len(), 1);
        // Text, front matter (its references too), references, path: as parsed.
        assert_eq!(format!("{back:?}"), format!("{doc:?}"));
        assert!(back.body().contains("drink water"));
        assert_eq!(back.key_line("review"), doc.key_line("review"));
        assert_eq!(back_facts.search.get(), f.search.get());
        assert_eq!(back_facts.scores.get(), f.scores.get());
        assert_eq!(back_facts.editorial, f.editorial);
        assert_eq!(
            format!("{:?}", back_facts.diagnostics),
            format!("{:?}", f.diagnostics)
        );
        assert!(!back.references.lost());
        // Written for another key, or cut short: not used.
        assert!(read_page(page_path(root, &out, "p"), "k2").is_none());
        std::fs::write(&path, &bytes[..bytes.len() - 1]).unwrap();
        assert!(read_page(page_path(root, &out, "p"), "k1").is_none());
    }

    /// References kept in a page's file that changes before they are read back are lost, not
    /// made up: the build then refuses what it made ([`crate::content::PageReferences::lost`]).
    #[test]
    fn kept_references_of_a_file_changed_since_are_lost() {
        let dir = tempfile::tempdir().unwrap();
        let (root, out) = (dir.path(), dir.path().join("output"));
        let doc = page_with_references();
        assert!(save_page(root, &out, "p", "k1", &doc, &facts(), b"{}").is_some());
        let (back, _) = read_page(page_path(root, &out, "p"), "k1").unwrap();
        let (again, _) = read_page(page_path(root, &out, "p"), "k1").unwrap();
        // Rewritten for another key in the meantime: not this page's any more.
        assert!(save_page(root, &out, "p", "k2", &doc, &facts(), b"{}").is_some());
        assert!(back.references.get().is_empty());
        assert!(back.references.lost());
        // Gone altogether: likewise.
        std::fs::remove_file(page_path(root, &out, "p")).unwrap();
        assert!(again.references.get().is_empty() && again.references.lost());
    }

    /// The references a page used, kept on its cache file's first line, serve the next build
    /// that renders the page, whatever the page's key is then; the page itself is read only
    /// for its own key.
    #[test]
    fn a_pages_formatted_references_come_back_from_its_one_cache_file() {
        let dir = tempfile::tempdir().unwrap();
        let (root, out) = (dir.path(), dir.path().join("output"));
        let f = crate::cite::style::Formatter::new("american-medical-association", root)
            .expect("bundled style");
        let r = Reference {
            id: "a".into(),
            title: Some("A title".into()),
            ..Default::default()
        };
        let memo = FormatMemo::new(&f, "ama", Default::default());
        let first = memo.format_in(&[&r], "en");
        let doc = page_with_references();
        save_page(root, &out, "p", "k1", &doc, &facts(), &memo.used_json());
        assert_eq!(
            std::fs::read_dir(pages_dir(root, &out)).unwrap().count(),
            1,
            "one file per page"
        );
        // What the file holds is what the next build gets, without formatting again: a
        // stand-in text there is what comes back.
        let path = page_path(root, &out, "p");
        let bytes = std::fs::read(&path).unwrap();
        let (refs, page) = split_refs(&bytes).unwrap();
        let mut kept: BTreeMap<String, (String, String)> = serde_json::from_slice(refs).unwrap();
        assert_eq!(kept.len(), 1);
        for v in kept.values_mut() {
            assert_eq!(v.0, first[0].html);
            *v = ("<i>kept</i>".into(), "kept".into());
        }
        let stand_in = [
            serde_json::to_vec(&kept).unwrap(),
            b"\n".to_vec(),
            page.to_vec(),
        ]
        .concat();
        std::fs::write(&path, stand_in).unwrap();
        let again = FormatMemo::for_page(&f, "ama", root, &out, "p").format_in(&[&r], "en");
        assert_eq!(again[0].text, "kept");
        // The page is read for its key only, and still whole after the references' line.
        assert!(read_page(page_path(root, &out, "p"), "k1").is_some());
        assert!(read_page(page_path(root, &out, "p"), "k2").is_none());
    }

    #[test]
    fn a_page_file_of_the_layout_before_is_not_read() {
        // Format 7 kept the page without its text or references and had no `text_len`.
        let doc = page_with_references();
        let f = facts();
        let head = serde_json::json!({
            "key": "k1",
            "doc": doc,
            "diagnostics": f.diagnostics,
            "editorial": f.editorial,
            "search_len": f.search.get().len(),
        });
        let bytes = framed(head, &[f.search.get(), f.scores.get()]).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let (root, out) = (dir.path(), dir.path().join("output"));
        assert!(save_bytes(
            &page_path(root, &out, "p"),
            &[&b"{}\n"[..], &bytes].concat()
        ));
        assert!(read_page(page_path(root, &out, "p"), "k1").is_none());
    }

    #[test]
    fn a_corrupt_manifest_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        std::fs::create_dir_all(dir.path().join(CACHE_DIR)).unwrap();
        std::fs::write(manifest_path(dir.path(), &out), b"{ not json").unwrap();
        let m = Manifest::load(dir.path(), &out);
        assert!(m.pages.is_empty());
    }
}
