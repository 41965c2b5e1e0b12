//! Watching what a build reads: `careguide.toml` and the other files at the top of the site,
//! `content/`, `static/` and `templates/` (with `templates/serve/`), and the bibliography,
//! retraction and style files wherever they are. The system's change notifications (inotify, FSEvents, ...)
//! through `notify`, with `notify-debouncer-full` gathering the events of one save (an editor
//! writes several files, or writes then renames); notify's `PollWatcher` (every 0.3 s) when
//! those cannot be had, for example past the inotify limits, or with `--poll`.
//!
//! The full debouncer rather than the mini one because its events keep their kind: notify
//! also reports files being opened, and every build opens every source, so without telling
//! reads from writes each build would start the next.

use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender};
use std::time::Duration;

use notify::{EventKind, PollWatcher, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{
    new_debouncer_opt, DebounceEventResult, Debouncer, NoCache, RecommendedCache,
};

/// How long a path must stay quiet before its change is reported.
const SETTLE: Duration = Duration::from_millis(150);
/// How often the polling watcher looks at the files.
const POLL: Duration = Duration::from_millis(300);

enum Backend {
    Native(Debouncer<RecommendedWatcher, RecommendedCache>),
    Poll(Debouncer<PollWatcher, NoCache>),
}

impl Backend {
    fn watch(&mut self, path: &Path, mode: RecursiveMode) -> notify::Result<()> {
        match self {
            Backend::Native(d) => d.watch(path, mode),
            Backend::Poll(d) => d.watch(path, mode),
        }
    }

    fn unwatch(&mut self, path: &Path) -> notify::Result<()> {
        match self {
            Backend::Native(d) => d.unwatch(path),
            Backend::Poll(d) => d.unwatch(path),
        }
    }
}

/// The watched paths and the events they give.
pub struct Watch {
    /// The site folder, made absolute: events name paths under it.
    root: PathBuf,
    backend: Backend,
    watched: BTreeMap<PathBuf, RecursiveMode>,
    /// The files outside `content/` and `templates/` that the last build read.
    extra: Vec<PathBuf>,
    tx: Sender<DebounceEventResult>,
    pub events: Receiver<DebounceEventResult>,
}

impl Watch {
    /// Start watching `root`: with the system's notifications unless `poll`, or when they
    /// cannot be had (said on stderr).
    pub fn start(root: &Path, poll: bool) -> Result<Watch, String> {
        let root = std::fs::canonicalize(root).unwrap_or_else(|_| root.to_path_buf());
        let (tx, events) = std::sync::mpsc::channel();
        let backend = if poll {
            poller(&tx)?
        } else {
            match native(&tx) {
                Ok(b) => b,
                Err(e) => {
                    eprintln!(
                        "careguide serve: the system's file change notifications are not available ({e}); checking the files every {} s instead",
                        POLL.as_secs_f32()
                    );
                    poller(&tx)?
                }
            }
        };
        let mut w = Watch {
            extra: watch_list(&root),
            root,
            backend,
            watched: BTreeMap::new(),
            tx,
            events,
        };
        w.sync(&[]);
        Ok(w)
    }

    /// Whether a change to `path` can change the build.
    fn matters(&self, path: &Path) -> bool {
        if self.extra.iter().any(|e| path == self.root.join(e)) {
            return true;
        }
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return false;
        };
        let mut parts = rel.components();
        // The site folder itself changes (its time) whenever a build adds or removes its own
        // folders there: what changed is named by the events of the entries.
        let Some(Component::Normal(first)) = parts.next() else {
            return false;
        };
        if first == OsStr::new(crate::content::CONTENT_DIR)
            || first == OsStr::new(crate::paths::TEMPLATE_DIR)
            || first == OsStr::new(crate::render::links::STATIC_DIR)
        {
            return true;
        }
        // A file at the top (the configuration among them), or one that went away; not the
        // folders that builds write (.careguide-serve, .careguide-cache, output/ and theirs).
        parts.next().is_none()
            && !path.is_dir()
            && !first.to_string_lossy().starts_with(".careguide-")
    }

    /// Wait for a change that matters; false when the watcher has stopped.
    pub fn next_change(&mut self) -> bool {
        loop {
            let Ok(first) = self.events.recv() else {
                return false;
            };
            // Everything that arrived meanwhile (a build takes a while) goes with it.
            let mut batch = vec![first];
            batch.extend(self.events.try_iter());
            let mut touched: Vec<PathBuf> = Vec::new();
            let mut matters = false;
            for result in batch {
                match result {
                    Ok(events) => {
                        for e in events {
                            if e.need_rescan() {
                                // Events were lost (an overflowing queue): build to be sure.
                                matters = true;
                            }
                            // Reads (the build's own among them) change nothing.
                            if matches!(e.kind, EventKind::Access(_)) {
                                continue;
                            }
                            for p in &e.paths {
                                matters |= self.matters(p);
                                report_special(p);
                            }
                            touched.extend(e.event.paths);
                        }
                    }
                    Err(errors) => {
                        for e in errors {
                            eprintln!(
                                "careguide serve: the file watcher reported a problem ({e}); rebuilding to be sure"
                            );
                        }
                        matters = true;
                    }
                }
            }
            if matters {
                self.extra = watch_list(&self.root);
                self.sync(&touched);
                return true;
            }
        }
    }

    /// What should be watched, by path.
    fn wanted(&self) -> BTreeMap<PathBuf, RecursiveMode> {
        let mut want = BTreeMap::new();
        want.insert(self.root.clone(), RecursiveMode::NonRecursive);
        for dir in [
            crate::content::CONTENT_DIR,
            crate::paths::TEMPLATE_DIR,
            crate::render::links::STATIC_DIR,
        ] {
            let dir = self.root.join(dir);
            if dir.is_dir() {
                want.insert(dir, RecursiveMode::Recursive);
            }
        }
        for e in &self.extra {
            let Some(parent) = self.root.join(e).parent().map(Path::to_path_buf) else {
                continue;
            };
            let covered = want.iter().any(|(p, mode)| {
                parent == *p || (*mode == RecursiveMode::Recursive && parent.starts_with(p))
            });
            if !covered && parent.is_dir() {
                want.insert(parent, RecursiveMode::NonRecursive);
            }
        }
        want
    }

    /// Watch what is wanted now: new folders added, gone ones dropped, and those that were
    /// themselves replaced (`touched`: a content folder renamed away and back) watched again.
    fn sync(&mut self, touched: &[PathBuf]) {
        let want = self.wanted();
        let stale: Vec<PathBuf> = self
            .watched
            .iter()
            .filter(|(p, mode)| want.get(*p) != Some(*mode) || touched.contains(p))
            .map(|(p, _)| p.clone())
            .collect();
        for p in stale {
            let _ = self.backend.unwatch(&p);
            self.watched.remove(&p);
        }
        for (path, mode) in want {
            if self.watched.contains_key(&path) {
                continue;
            }
            match self.backend.watch(&path, mode) {
                Ok(()) => {
                    self.watched.insert(path, mode);
                }
                // Gone since it was listed: the root's watch sees it come back.
                Err(e) if matches!(e.kind, notify::ErrorKind::PathNotFound) => {}
                Err(e) => {
                    if matches!(self.backend, Backend::Native(_)) {
                        eprintln!(
                            "careguide serve: cannot watch {} with the system's notifications ({e}); checking the files every {} s instead",
                            path.display(),
                            POLL.as_secs_f32()
                        );
                        self.fall_back();
                        return;
                    }
                    eprintln!("careguide serve: cannot watch {}: {e}", path.display());
                }
            }
        }
    }

    /// Swap the system's notifications for polling, and watch everything again.
    fn fall_back(&mut self) {
        match poller(&self.tx) {
            Ok(b) => {
                self.backend = b;
                self.watched.clear();
                self.sync(&[]);
            }
            Err(e) => eprintln!("careguide serve: {e}; changes will not be seen"),
        }
    }
}

/// A FIFO, device or socket where the site is read: said at once on the terminal (the build
/// reports it too, as an error at its path, and never waits on it).
fn report_special(path: &Path) {
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    match crate::util::not_regular(&meta.file_type()) {
        Some(what) if !meta.is_dir() => eprintln!(
            "careguide serve: {} is {what}, not a regular file: careguide does not read it",
            path.display()
        ),
        _ => {}
    }
}

fn native(tx: &Sender<DebounceEventResult>) -> Result<Backend, notify::Error> {
    new_debouncer_opt::<_, RecommendedWatcher, _>(
        SETTLE,
        None,
        tx.clone(),
        RecommendedCache::new(),
        notify::Config::default(),
    )
    .map(Backend::Native)
}

fn poller(tx: &Sender<DebounceEventResult>) -> Result<Backend, String> {
    new_debouncer_opt::<_, PollWatcher, _>(
        SETTLE,
        None,
        tx.clone(),
        NoCache::new(),
        // notify's poller compares modification times in whole seconds, so a save in the
        // same second as the one before would go unseen: it compares the contents too (it
        // reads the watched files at each poll, which is why it is the fallback). It hashes
        // regular files only (notify 8.2 checks `is_file()` on the entry's metadata, links
        // followed), so a FIFO or device in content/ is never opened by it: the build that
        // follows reports it as an error at its path (tests/suite/serve.rs,
        // `polling_reports_a_fifo_and_keeps_watching`).
        notify::Config::default()
            .with_poll_interval(POLL)
            .with_compare_contents(true),
    )
    .map(Backend::Poll)
    .map_err(|e| format!("cannot start the polling file watcher: {e}"))
}

/// Files outside `content/` and `templates/` that the build reads: the configured
/// bibliography, retraction and style files, and each page's own bibliography files.
fn watch_list(root: &Path) -> Vec<PathBuf> {
    let mut diags = crate::diag::Diagnostics::new();
    let Some(site) = crate::model::load(root, &mut diags) else {
        return Vec::new();
    };
    let c = &site.config.citations;
    let mut files: Vec<PathBuf> = c
        .bibliography
        .iter()
        .chain(c.retractions.iter())
        .map(PathBuf::from)
        .collect();
    if c.style.ends_with(".csl") {
        files.push(PathBuf::from(&c.style));
    }
    for doc in &site.pages {
        files.extend(crate::resolve::page_inputs(doc));
    }
    files.sort();
    files.dedup();
    files
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_matters_to_a_build() {
        let dir = tempfile::tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::fs::create_dir_all(root.join(".careguide-serve/site")).unwrap();
        std::fs::create_dir_all(root.join("output")).unwrap();
        std::fs::create_dir_all(root.join("refs")).unwrap();
        std::fs::create_dir_all(root.join("static")).unwrap();
        let (tx, events) = std::sync::mpsc::channel();
        let w = Watch {
            root: root.clone(),
            backend: poller(&tx).unwrap(),
            watched: BTreeMap::new(),
            extra: vec![PathBuf::from("refs/library.bib")],
            tx,
            events,
        };
        for yes in [
            "careguide.toml",
            "notes.txt",
            "gone.txt",
            "content",
            "content/a/b.md",
            "templates/serve/handout.html",
            "static/img/logo.png",
            "refs/library.bib",
        ] {
            assert!(w.matters(&root.join(yes)), "{yes}");
        }
        for no in [
            "",
            ".careguide-serve/site/index.html",
            ".careguide-serve",
            ".careguide-cache",
            "output",
            "output/index.html",
            "refs/other.bib",
        ] {
            assert!(!w.matters(&root.join(no)), "{no}");
        }
        let want = w.wanted();
        assert_eq!(want.get(&root), Some(&RecursiveMode::NonRecursive));
        assert_eq!(
            want.get(&root.join("content")),
            Some(&RecursiveMode::Recursive)
        );
        assert_eq!(
            want.get(&root.join("static")),
            Some(&RecursiveMode::Recursive)
        );
        assert_eq!(
            want.get(&root.join("refs")),
            Some(&RecursiveMode::NonRecursive)
        );
        assert!(!want.contains_key(&root.join("templates")));
    }
}
