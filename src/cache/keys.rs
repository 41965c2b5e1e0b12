//! The keys that decide what a build may reuse: the site's (configuration, templates, style,
//! bibliography files, the date), each page's, each formatted reference's, and the build's id.

use super::*;

/// The key of a reference's formatted text: its fields (not where it was defined), the style
/// and the language it is formatted in.
pub fn reference_key(style: &str, language: &str, r: &Reference) -> String {
    let json = r.key_bytes(&r.id);
    let mut d = Digest::new();
    d.field(style.as_bytes())
        .field(language.as_bytes())
        .field(&json);
    d.hex()
}

/// A formatter that remembers what it formatted for one page, across builds: the formatted
/// references are kept in the page's own cache file (its first line, see [`save_page`]), so a
/// page that
/// renders again (after a template, configuration or date change) formats only references
/// that changed. Within a build, the formatter itself remembers entries by their content, so a
/// work cited by many pages is formatted once.
pub struct FormatMemo<'a> {
    formatter: &'a Formatter,
    style: String,
    memo: Mutex<HashMap<String, Formatted>>,
    used: Mutex<BTreeSet<String>>,
}

impl<'a> FormatMemo<'a> {
    pub fn new(formatter: &'a Formatter, style: &str, prior: HashMap<String, Formatted>) -> Self {
        FormatMemo {
            formatter,
            style: style.to_string(),
            memo: Mutex::new(prior),
            used: Mutex::new(BTreeSet::new()),
        }
    }

    /// The memo of `page` in the output `out`, from its cache file.
    pub fn for_page(
        formatter: &'a Formatter,
        style: &str,
        root: &Path,
        out: &Path,
        page: &str,
    ) -> Self {
        // Whatever the page's key was: a reference's own key says whether it still holds.
        // Only the file's first line is read, not the page after it.
        let prior: HashMap<String, (String, String)> = read_refs_line(&page_path(root, out, page))
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let prior = prior
            .into_iter()
            .map(|(k, (html, text))| (k, Formatted { html, text }))
            .collect();
        Self::new(formatter, style, prior)
    }

    /// Format `refs`, in order, in the formatter's language, calling the CSL processor only for
    /// those not seen before.
    pub fn format(&self, refs: &[&Reference]) -> Vec<Formatted> {
        self.format_in(refs, self.formatter.language())
    }

    /// Format `refs`, in order, in `language` (a BCP 47 tag or CSL locale id).
    pub fn format_in(&self, refs: &[&Reference], language: &str) -> Vec<Formatted> {
        let keys: Vec<String> = refs
            .iter()
            .map(|r| reference_key(&self.style, language, r))
            .collect();
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .extend(keys.iter().cloned());
        let missing: Vec<usize> = {
            let memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            (0..refs.len())
                .filter(|&i| !memo.contains_key(&keys[i]))
                .collect()
        };
        if !missing.is_empty() {
            let todo: Vec<&Reference> = missing.iter().map(|&i| refs[i]).collect();
            let done = self.formatter.format_in(&todo, language);
            let mut memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
            for (&i, f) in missing.iter().zip(done) {
                memo.insert(keys[i].clone(), f);
            }
        }
        let memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        keys.iter()
            .zip(refs)
            .map(|(k, r)| {
                memo.get(k).cloned().unwrap_or_else(|| Formatted {
                    html: crate::util::escape_html(&r.id),
                    text: r.id.clone(),
                })
            })
            .collect()
    }

    /// The references this page used, formatted, as its cache file keeps them (JSON on one
    /// line; [`save_page`] writes it).
    pub fn used_json(&self) -> Vec<u8> {
        let memo = self.memo.lock().unwrap_or_else(|e| e.into_inner());
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        let kept: BTreeMap<&String, (&String, &String)> = used
            .iter()
            .filter_map(|k| memo.get(k).map(|f| (k, (&f.html, &f.text))))
            .collect();
        serde_json::to_vec(&kept).unwrap_or_else(|_| b"{}".to_vec())
    }
}

/// Hash of everything that affects every page: the binary, the configuration, templates, the
/// files beside the pages (glossary, bibliographies), site-wide bibliography and retraction
/// files, the build date and the publish flag.
pub fn site_key(
    root: &Path,
    config_text: &str,
    extra_files: &[PathBuf],
    flags: &[u8],
    today: crate::types::Date,
) -> String {
    let mut d = Digest::new();
    d.field(env!("CARGO_PKG_VERSION").as_bytes());
    // Any rebuilt binary invalidates the cache: its code may render differently.
    if let Ok(exe) = std::env::current_exe() {
        if let Ok(m) = std::fs::metadata(&exe) {
            d.field(&m.len().to_le_bytes());
            if let Ok(t) = m.modified() {
                if let Ok(dur) = t.duration_since(std::time::UNIX_EPOCH) {
                    d.field(&dur.as_nanos().to_le_bytes());
                }
            }
        }
    }
    d.field(config_text.as_bytes());
    d.field(flags);
    d.field(today.iso().as_bytes());
    let mut files: Vec<PathBuf> = extra_files.to_vec();
    let tdir = root.join(crate::paths::TEMPLATE_DIR);
    // `serve`'s own templates make no page of the site: editing one renders nothing again.
    let serve_templates = tdir.join(crate::paths::SERVE_TEMPLATES);
    for dir in [tdir, root.join(crate::content::CONTENT_DIR)] {
        for e in walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.path() != serve_templates)
            .flatten()
        {
            let p = e.path();
            if e.file_type().is_file() && p.extension().and_then(|x| x.to_str()) != Some("md") {
                files.push(p.to_path_buf());
            }
        }
    }
    for f in files {
        // Paths relative to the root, so the same site in another folder has the same keys.
        d.field(
            f.strip_prefix(root)
                .unwrap_or(&f)
                .as_os_str()
                .as_encoded_bytes(),
        );
        match std::fs::metadata(&f) {
            // Large files (a retraction database) by size and time; the rest by content.
            Ok(m) if m.len() > 8 * 1024 * 1024 => {
                d.field(&m.len().to_le_bytes());
                if let Ok(t) = m.modified() {
                    d.field(format!("{t:?}").as_bytes());
                }
            }
            Ok(_) => {
                d.field(&crate::util::read_file(&f).unwrap_or_default());
            }
            Err(_) => {
                d.field(b"missing");
            }
        }
    }
    d.hex()
}

/// The digest of a file under `root` ("missing" when it cannot be read), cached in `digests`.
pub fn file_digest(root: &Path, rel: &str, digests: &Mutex<HashMap<String, String>>) -> String {
    if let Some(d) = digests.lock().unwrap_or_else(|e| e.into_inner()).get(rel) {
        return d.clone();
    }
    let d = match crate::util::read_file(&root.join(rel)) {
        Ok(bytes) => {
            let mut d = Digest::new();
            d.field(&bytes);
            d.hex()
        }
        Err(_) => "missing".to_string(),
    };
    digests
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(rel.to_string(), d.clone());
    d
}

/// The key of one page: the site key, its path and its text.
pub fn page_key(site_key: &str, rel: &Path, text: &str) -> String {
    let mut d = Digest::new();
    d.field(site_key.as_bytes())
        .field(rel.as_os_str().as_encoded_bytes())
        .field(text.as_bytes());
    d.hex()
}

/// The build id: a digest of every page key, so that the same input gives the same id.
pub fn build_id(keys: &BTreeMap<String, String>) -> String {
    let mut d = Digest::new();
    for (k, v) in keys {
        d.field(k.as_bytes()).field(v.as_bytes());
    }
    d.hex()
}
