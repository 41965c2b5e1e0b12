//! Reading only inside the site: a path named by the site's configuration or found in its
//! folders (a template, a citation style, a retractions file, the glossary) must not lead out of
//! the site root, through `..` or a symbolic link. Paths given on the command line are the
//! user's own choice and are not judged here.

use std::path::{Path, PathBuf};

use crate::diag::{Category, Diagnostic};

/// The folder of a site's own templates, beside `careguide.toml`.
pub const TEMPLATE_DIR: &str = "templates";

/// The folder under [`TEMPLATE_DIR`] of `careguide serve`'s own pages (the handout form, the
/// error overlay): not part of the built site.
pub const SERVE_TEMPLATES: &str = "serve";

/// Where `full` really leads, when that is outside `root`; `None` when it stays inside (or
/// does not exist, in a folder inside the site).
pub fn escapes(full: &Path, root: &Path) -> Option<PathBuf> {
    let root = root.canonicalize().ok()?;
    let target = full.canonicalize().ok().or_else(|| {
        let parent = full.parent()?.canonicalize().ok()?;
        Some(parent.join(full.file_name()?))
    })?;
    (!target.starts_with(&root)).then_some(target)
}

/// `rule` at `shown` (a path relative to the site root) when `full` leads outside `root`.
pub fn check_inside(full: &Path, root: &Path, shown: &Path, rule: &str) -> Option<Diagnostic> {
    let target = escapes(full, root)?;
    Some(
        Diagnostic::error(
            rule,
            format!(
                "{} leads outside the site (to {}); careguide reads only the site's own files",
                shown.display(),
                target.display()
            ),
        )
        .in_file(shown)
        .category(Category::Config)
        .hint("copy the file into the site folder and name it from there"),
    )
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn links_and_dot_dot_out_of_the_root_are_caught() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        std::fs::create_dir_all(root.join("templates")).unwrap();
        std::fs::write(dir.path().join("secret.html"), "x").unwrap();
        std::os::unix::fs::symlink(
            dir.path().join("secret.html"),
            root.join("templates/page.html"),
        )
        .unwrap();
        std::fs::write(root.join("templates/base.html"), "x").unwrap();
        assert!(escapes(&root.join("templates/page.html"), &root).is_some());
        assert!(escapes(&root.join("templates/base.html"), &root).is_none());
        assert!(escapes(&root.join("../secret.html"), &root).is_some());
        assert!(escapes(&root.join("templates/missing.html"), &root).is_none());
    }
}
