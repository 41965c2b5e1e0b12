//! Stage 1 of the pipeline: find the page files under `content/` and read them, or know them
//! unchanged by their [`Stamp`] and leave them unread.

use std::path::{Path, PathBuf};

use super::{SourceFile, CONTENT_DIR, MAX_PAGE_BYTES};
use crate::diag::{line_col, Category, Diagnostic, Diagnostics};

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
    let pages = page_files(root, &dir, &canon_root, diags);
    // Reading and checking the files in parallel: thousands of pages are read on every build.
    use rayon::prelude::*;
    let read: Vec<Result<Found, Diagnostic>> = pages
        .into_par_iter()
        .map(|(path, rel)| find(&path, rel, known))
        .collect();
    let mut out = Vec::new();
    for r in read {
        match r {
            Ok(f) => out.push(f),
            Err(d) => diags.push(d),
        }
    }
    out
}

/// The `.md` files under `dir` (absolute path and path relative to `root`), in file-name
/// order; links to folders, outside the site, to nothing or in a loop are reported and left
/// out. A `.md` entry that is not a regular file (a FIFO, a device, a socket) is kept, so that
/// reading it reports it at its path instead of leaving the page out without a word.
fn page_files(
    root: &Path,
    dir: &Path,
    canon_root: &Path,
    diags: &mut Diagnostics,
) -> Vec<(PathBuf, PathBuf)> {
    let mut pages = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let p = e.path().unwrap_or(dir).to_path_buf();
                diags.push(io_error(&rel_to(root, &p), e));
                continue;
            }
        };
        let path = entry.path();
        let rel = rel_to(root, path);
        if entry.path_is_symlink() {
            if !link_followed(path, &rel, canon_root, diags) {
                continue;
            }
        } else if entry.file_type().is_dir() {
            continue;
        }
        if path.extension().and_then(|e| e.to_str()) != Some("md") {
            continue;
        }
        pages.push((path.to_path_buf(), rel));
    }
    pages
}

/// Whether a symbolic link under content/ is read as a page: only a link to a file inside the
/// site. Any other link is reported.
fn link_followed(path: &Path, rel: &Path, canon_root: &Path, diags: &mut Diagnostics) -> bool {
    match path.canonicalize() {
        Ok(target) if target.starts_with(canon_root) => {
            if target.is_dir() {
                diags.push(
                    Diagnostic::warning(
                        "content/symlink",
                        format!(
                            "{} is a link to a folder; it is not followed",
                            rel.display()
                        ),
                    )
                    .in_file(rel),
                );
                return false;
            }
            true
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
                .in_file(rel)
                .hint("copy the file into content/ instead; careguide never reads outside the site root"),
            );
            false
        }
        Err(e) if crate::util::is_symlink_loop(&e) => {
            diags.push(
                Diagnostic::error(
                    "content/symlink-loop",
                    format!(
                        "{} is a symbolic link in a loop: following it leads back to a link already followed",
                        rel.display()
                    ),
                )
                .in_file(rel)
                .hint("point the link at the page file itself, or delete it"),
            );
            false
        }
        Err(_) => {
            diags.push(
                Diagnostic::error(
                    "content/symlink-broken",
                    format!("{} is a symbolic link to nothing", rel.display()),
                )
                .in_file(rel),
            );
            false
        }
    }
}

/// One page file: read, or left unread when `known` says its stamp is enough.
fn find(
    path: &Path,
    rel: PathBuf,
    known: &(dyn Fn(&Path, &Stamp) -> bool + Sync),
) -> Result<Found, Diagnostic> {
    let meta = std::fs::metadata(path).ok();
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
    read_page_sized(path, rel, meta.map(|m| m.len())).map(|source| Found {
        source,
        stamp,
        read: true,
    })
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
    let bytes = crate::util::read_file(path).map_err(|e| io_error(&rel, e))?;
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

pub fn rel_to(root: &Path, p: &Path) -> PathBuf {
    p.strip_prefix(root).unwrap_or(p).to_path_buf()
}
