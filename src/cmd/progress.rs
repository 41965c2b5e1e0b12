//! A progress line for long builds, on a terminal only: "building 5000 page(s)… 2.4 s",
//! updated in place and erased when the build ends. Nothing at all when standard error is
//! not a terminal (CI logs, pipes, files), nor for builds shorter than half a second.

use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// Shows the line while it lives.
pub struct Progress {
    running: Option<(Arc<AtomicBool>, JoinHandle<()>)>,
}

/// How long a build runs before the line appears.
const DELAY: Duration = Duration::from_millis(500);
const TICK: Duration = Duration::from_millis(100);

impl Progress {
    /// Start the line for a build of the site at `root`; `verb` is "building" or "checking".
    pub fn start(root: &Path, verb: &'static str) -> Progress {
        let quiet = !std::io::stderr().is_terminal()
            || std::env::var_os("CAREGUIDE_TIMINGS").is_some()
            || std::env::var_os("CI").is_some();
        if quiet {
            return Progress { running: None };
        }
        let stop = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&stop);
        let root = root.to_path_buf();
        let handle = std::thread::spawn(move || {
            let started = Instant::now();
            while started.elapsed() < DELAY {
                if flag.load(Ordering::Relaxed) {
                    return;
                }
                std::thread::sleep(TICK);
            }
            let pages = count_pages(&root);
            let mut shown = false;
            while !flag.load(Ordering::Relaxed) {
                let mut err = std::io::stderr().lock();
                let _ = write!(
                    err,
                    "\r{verb} {pages} page(s)… {:.1} s\x1b[K",
                    started.elapsed().as_secs_f64()
                );
                let _ = err.flush();
                drop(err);
                shown = true;
                std::thread::sleep(TICK);
            }
            if shown {
                let mut err = std::io::stderr().lock();
                let _ = write!(err, "\r\x1b[K");
                let _ = err.flush();
            }
        });
        Progress {
            running: Some((stop, handle)),
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some((stop, handle)) = self.running.take() {
            stop.store(true, Ordering::Relaxed);
            let _ = handle.join();
        }
    }
}

/// The Markdown files under `content/`.
fn count_pages(root: &Path) -> usize {
    walkdir::WalkDir::new(root.join(crate::content::CONTENT_DIR))
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file() && e.path().extension().is_some_and(|x| x == "md"))
        .count()
}
