//! Where a page's `bibliography:` entry leads. As in pandoc and Quarto, a path is relative to
//! the page's file; `/refs.bib` is relative to the site root. Sites written when paths were
//! read from the root keep building: a file found only from the root is used with a
//! deprecation warning, and a name that finds a file in both places is an error naming both,
//! so a page never switches libraries silently.

use std::path::{Component, Path, PathBuf};

use crate::content::Document;
use crate::diag::{Category, Diagnostic};

/// Where one `bibliography:` entry leads; every path is relative to the site root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BibPath {
    /// The file to read. `root_only`: found only by the old root-relative reading.
    Found { rel: PathBuf, root_only: bool },
    /// A file beside the page and another at the root answer to the same name.
    Both { beside: PathBuf, root: PathBuf },
    /// No such file; `rel` is where the page's name leads.
    Missing { rel: PathBuf },
    /// The name leads above the site folder (through `..`).
    Outside,
}

/// `p` with `.` and `..` worked out, or `None` when it climbs above its start.
fn lexical(p: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            Component::Normal(n) => out.push(n),
            Component::RootDir | Component::Prefix(_) => {}
        }
    }
    Some(out)
}

/// The paths (relative to the site root) a `bibliography:` entry of the page `doc_file` may
/// name: beside the page first, then the old root-relative reading. `None` above the root.
fn candidates(doc_file: &Path, name: &str) -> (Option<PathBuf>, Option<PathBuf>) {
    let name = name.trim();
    if let Some(from_root) = name.strip_prefix('/') {
        return (lexical(Path::new(from_root)), None);
    }
    let dir = doc_file.parent().unwrap_or(Path::new(""));
    let beside = lexical(&dir.join(name));
    // `./x` and `../x` say plainly that they are relative to the page.
    let explicit = name.starts_with("./") || name.starts_with("../");
    let root = if explicit {
        None
    } else {
        lexical(Path::new(name)).filter(|r| Some(r) != beside.as_ref())
    };
    (beside, root)
}

/// Where the entry `name` of the page `doc_file` leads, looking in `root`.
pub fn bib_path(doc_file: &Path, name: &str, root: &Path) -> BibPath {
    let (beside, old) = candidates(doc_file, name);
    let Some(beside) = beside else {
        return BibPath::Outside;
    };
    let is_file = |rel: &Path| root.join(rel).is_file();
    match old {
        Some(old) if is_file(&old) => {
            if is_file(&beside) {
                BibPath::Both { beside, root: old }
            } else {
                BibPath::Found {
                    rel: old,
                    root_only: true,
                }
            }
        }
        _ if is_file(&beside) => BibPath::Found {
            rel: beside,
            root_only: false,
        },
        _ => BibPath::Missing { rel: beside },
    }
}

/// Every file a page's `bibliography:` entries may read, relative to the site root: a build
/// cache rebuilds the page when one of them appears, changes or goes.
pub fn bib_inputs(doc: &Document) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for name in &doc.front.bibliography {
        let (a, b) = candidates(&doc.file, name);
        out.extend(a);
        out.extend(b);
    }
    out
}

/// Files under `root` named `file_name`, as root-relative paths (hidden folders, the output
/// and build folders left out); at most five.
pub fn same_name_elsewhere(root: &Path, file_name: &str, not: &Path) -> Vec<PathBuf> {
    let skip = |n: &str| n.starts_with('.') || matches!(n, "output" | "target" | "node_modules");
    walkdir::WalkDir::new(root)
        .max_depth(8)
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_str().is_some_and(skip))
        .flatten()
        .filter(|e| e.file_type().is_file() && e.file_name().to_str() == Some(file_name))
        .filter_map(|e| e.path().strip_prefix(root).ok().map(Path::to_path_buf))
        .filter(|p| p != not)
        .take(5)
        .collect()
}

/// `/`-separated, as a page writes paths.
fn slash(p: &Path) -> String {
    p.components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect::<Vec<_>>()
        .join("/")
}

/// The finding for an entry that does not lead to one file, at the page's `bibliography:`
/// line; `None` when it does.
pub fn problem(
    doc: &Document,
    name: &str,
    at: &BibPath,
    root: &Path,
    line: usize,
) -> Option<Diagnostic> {
    let d = match at {
        BibPath::Found {
            rel,
            root_only: false,
        } => {
            let _ = rel;
            return None;
        }
        BibPath::Found {
            rel,
            root_only: true,
        } => Diagnostic::warning(
            "cite/bibliography-root-relative",
            format!(
                "bibliography '{name}' was found from the site root ({}), not beside the page; \
                 front matter paths are relative to the page, as in pandoc and Quarto",
                slash(rel)
            ),
        )
        .hint(format!(
            "write '/{}' to keep reading it from the site root; this reading will go in a later version",
            slash(rel)
        )),
        BibPath::Both { beside, root: old } => Diagnostic::error(
            "cite/bibliography-ambiguous",
            format!(
                "bibliography '{name}' names two files: {} beside the page and {} from the site root",
                slash(beside),
                slash(old)
            ),
        )
        .hint(format!(
            "write './{name}' for the one beside the page or '/{}' for the one at the site root",
            slash(old)
        )),
        BibPath::Missing { rel } => {
            let file_name = rel.file_name().and_then(|f| f.to_str()).unwrap_or("");
            let others = same_name_elsewhere(root, file_name, rel);
            let hint = if others.is_empty() {
                "bibliography paths are relative to the page's file; one starting with '/' is relative to the site root".to_string()
            } else {
                let named: Vec<String> = others.iter().map(|o| format!("'/{}'", slash(o))).collect();
                format!(
                    "a file of that name is at {}; paths are relative to the page's file, or start with '/' for the site root",
                    named.join(", ")
                )
            };
            Diagnostic::error(
                "cite/bibliography-unreadable",
                format!(
                    "cannot read bibliography '{name}': no such file (looked for {})",
                    slash(rel)
                ),
            )
            .category(Category::Io)
            .hint(hint)
        }
        BibPath::Outside => Diagnostic::error(
            "cite/bibliography-outside-root",
            format!("bibliography '{name}' is outside the site folder"),
        )
        .hint(format!(
            "'{name}' leads outside the site; copy the file into the site and name it relative to the page"
        )),
    };
    Some(d.at(&doc.file, line, 1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("tempdir");
        for f in [
            "content/guides/beside.bib",
            "content/guides/both.bib",
            "both.bib",
            "refs/old.bib",
            "refs/far.bib",
        ] {
            let p = dir.path().join(f);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, "").expect("write");
        }
        dir
    }

    #[test]
    fn paths_resolve_beside_the_page_then_from_the_root() {
        let d = site();
        let page = Path::new("content/guides/page.md");
        let at = |n: &str| bib_path(page, n, d.path());
        assert_eq!(
            at("beside.bib"),
            BibPath::Found {
                rel: "content/guides/beside.bib".into(),
                root_only: false
            }
        );
        assert_eq!(
            at("/refs/old.bib"),
            BibPath::Found {
                rel: "refs/old.bib".into(),
                root_only: false
            }
        );
        assert_eq!(
            at("../../refs/old.bib"),
            BibPath::Found {
                rel: "refs/old.bib".into(),
                root_only: false
            }
        );
        assert_eq!(
            at("refs/old.bib"),
            BibPath::Found {
                rel: "refs/old.bib".into(),
                root_only: true
            }
        );
        assert_eq!(
            at("both.bib"),
            BibPath::Both {
                beside: "content/guides/both.bib".into(),
                root: "both.bib".into()
            }
        );
        assert_eq!(
            at("./both.bib"),
            BibPath::Found {
                rel: "content/guides/both.bib".into(),
                root_only: false
            }
        );
        assert_eq!(
            at("far.bib"),
            BibPath::Missing {
                rel: "content/guides/far.bib".into()
            }
        );
        assert_eq!(at("../../../x.bib"), BibPath::Outside);
        assert_eq!(
            same_name_elsewhere(d.path(), "far.bib", Path::new("x")),
            vec![PathBuf::from("refs/far.bib")]
        );
    }
}
