//! Stage 6: writing the site. The new site is assembled in a folder beside the output and
//! swapped in only when it is complete, so a failed or interrupted build never leaves a broken
//! site. Files whose bytes did not change are hard-linked from the previous output, so they keep
//! their modification times and a deploy that syncs by time uploads only what changed.

mod swap;
#[cfg(test)]
mod tests;
mod writer;

use std::path::{Component, Path, PathBuf};

use crate::diag::{Category, Diagnostic};
pub use swap::{lock, recover, Lock};
pub use writer::{Committed, Known, Writer};

/// Marker file proving a folder is careguide output, so that it may be replaced.
pub const MARKER: &str = ".careguide-output";

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct WriteStats {
    pub written: usize,
    pub unchanged: usize,
}

fn io(msg: String) -> Diagnostic {
    Diagnostic::error("io/write", msg).category(Category::Io)
}

/// `p` made absolute, with the part that exists resolved through symbolic links.
pub fn absolute(p: &Path) -> PathBuf {
    let p = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    // Resolve what exists (symlinks included), keep the rest lexically.
    let mut existing = p.clone();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.file_name(), existing.parent()) {
            (Some(n), Some(parent)) => {
                rest.push(n.to_os_string());
                existing = parent.to_path_buf();
            }
            _ => break,
        }
    }
    let mut out = existing.canonicalize().unwrap_or(existing);
    for n in rest.into_iter().rev() {
        out.push(n);
    }
    out
}

/// Refuse output folders that would overwrite the site's own files or leave the output.
pub fn check_out_dir(root: &Path, out: &Path) -> Result<PathBuf, Diagnostic> {
    let root_abs = absolute(root);
    let out_abs = absolute(out);
    let hint = "pick a folder of its own, such as ROOT/output (the default)";
    if out_abs.parent().is_none() {
        return Err(
            io(format!("refusing to write the site to {}", out.display()))
                .category(Category::Config)
                .hint(hint),
        );
    }
    if root_abs.starts_with(&out_abs) {
        return Err(io(format!(
            "--out {} holds the site itself; writing there would replace its sources",
            out.display()
        ))
        .category(Category::Config)
        .hint(hint));
    }
    for protected in [crate::content::CONTENT_DIR, crate::paths::TEMPLATE_DIR] {
        if out_abs.starts_with(root_abs.join(protected)) {
            return Err(io(format!(
                "--out {} is inside the site's {protected}/ folder",
                out.display()
            ))
            .category(Category::Config)
            .hint(hint));
        }
    }
    if out_abs.components().any(|c| c == Component::ParentDir) {
        return Err(
            io(format!("--out {} is not a plain path", out.display())).category(Category::Config)
        );
    }
    Ok(out_abs)
}

/// Refuse an output that exists but is no careguide output to replace: a file (`/dev/null`), a
/// folder of other files, a folder made read-only. Checked before the build lock is made
/// beside it, so a refused `--out` leaves nothing behind (no `/.root.lock`), and again when
/// writing begins.
pub(crate) fn check_replaceable(out: &Path) -> Result<(), Diagnostic> {
    if out.exists() {
        if !out.is_dir() {
            return Err(io(format!("{} exists and is not a folder", out.display())));
        }
        let empty = std::fs::read_dir(out)
            .map(|mut r| r.next().is_none())
            .unwrap_or(false);
        if !empty && !out.join(MARKER).exists() {
            return Err(io(format!(
                "{} is not empty and was not written by careguide; refusing to replace it",
                out.display()
            ))
            .category(Category::Config)
            .hint(
                "choose another --out, or empty that folder yourself if it really is disposable",
            ));
        }
    }
    // A folder made read-only is a request to leave it alone, even where the system would
    // let careguide swap it (renaming a folder within its parent needs no write permission
    // on the folder itself).
    if std::fs::metadata(out).is_ok_and(|m| m.permissions().readonly()) {
        return Err(io(format!(
            "{} is read-only; careguide leaves it as it is",
            out.display()
        ))
        .hint("the previous site is unchanged; make the folder writable (chmod u+w) to publish a new build"));
    }
    Ok(())
}

/// A file's content digest (XXH3, 128 bits, in hex): what the build cache records of every
/// output file, so that a later build knows which files it must touch without reading them.
pub fn digest(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}
