//! `careguide init DIR`: a new site that builds, with a starter page showing what a page can
//! hold (a citation to the starter bibliography, audience blocks, a callout and a taper block),
//! in draft because nobody has reviewed it.

use std::path::{Path, PathBuf};

use crate::diag::{self, Category, Diagnostic, Diagnostics};

#[derive(Debug, clap::Args)]
pub struct InitArgs {
    /// Folder for the new site; created if missing, must be empty if it exists.
    pub dir: PathBuf,
}

/// The files of a new site: (path in the site, contents).
const FILES: &[(&str, &str)] = &[
    (
        crate::config::CONFIG_FILE,
        include_str!("../init/careguide.toml"),
    ),
    ("content/welcome.md", include_str!("../init/welcome.md")),
    ("references.yaml", include_str!("../init/references.yaml")),
    (
        ".gitignore",
        "/output\n/.output.*\n/.careguide-cache\n/.careguide-serve\n",
    ),
];

pub fn run(args: &InitArgs) -> u8 {
    let dir = &args.dir;
    let fail = |d: Diagnostic| {
        let mut ds = Diagnostics::new();
        ds.push(d);
        diag::render_human(&ds, Path::new("."), &mut std::io::stderr().lock(), false);
        2
    };
    if dir.exists() {
        let empty = std::fs::read_dir(dir)
            .map(|mut r| r.next().is_none())
            .unwrap_or(false);
        if !empty {
            return fail(
                Diagnostic::error("init/not-empty", format!("{} is not empty", dir.display()))
                    .category(Category::Config)
                    .hint("choose a new folder; init never overwrites files"),
            );
        }
    }
    let write = || -> std::io::Result<()> {
        std::fs::create_dir_all(dir.join("content"))?;
        for (path, text) in FILES {
            std::fs::write(dir.join(path), text)?;
        }
        Ok(())
    };
    if let Err(e) = write() {
        return fail(
            Diagnostic::error("io/write", format!("cannot write {}: {e}", dir.display()))
                .category(Category::Io),
        );
    }
    eprintln!(
        "created a site in {d}: edit {d}/careguide.toml and {d}/content/, then run `careguide build --root {d}`\n\
         content/welcome.md is an example page in draft: its taper values and text are careguide's samples, not your clinic's",
        d = dir.display()
    );
    0
}
