//! The [`Writer`]: one build's files, assembled beside the output and swapped in at commit.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use super::swap::{beside, recover, swap_in};
use super::{check_out_dir, check_replaceable, digest, io, WriteStats, MARKER};
use crate::diag::Diagnostic;

/// What the build cache knows of the output folder and of its back copy (see [`Writer`]).
#[derive(Debug, Default, Clone)]
pub struct Known {
    /// The output's files and their digests, with the build id in its marker; `None` when
    /// there is no trusted record of it (files are then compared byte by byte).
    pub live: Option<(String, HashMap<String, String>)>,
    /// The back copy's build id and files, as the last build left it.
    pub back: Option<(String, HashMap<String, String>)>,
}

/// What a build left: the output's files and what its back copy now holds.
#[derive(Debug, Default)]
pub struct Committed {
    pub stats: WriteStats,
    /// Every output file with its digest.
    pub files: BTreeMap<String, String>,
    /// The back copy's build id and files, when it is one the next build can trust.
    pub back: Option<(String, BTreeMap<String, String>)>,
}

enum Plan {
    /// Written to the staging folder; moved into the back copy at commit.
    Move,
    /// Same bytes as the output's file: hard-linked from there at commit.
    Link,
}

#[derive(Default)]
struct State {
    files: BTreeMap<String, String>,
    plans: Vec<(String, Plan)>,
    stats: WriteStats,
    /// The twin could not be made with hard links: it will not be kept.
    twin_failed: bool,
    /// Output files found edited in place (see [`Writer::same_as_live`]).
    damaged: Vec<String>,
}

/// Writes one build's output. The output folder is replaced in one step
/// (`renameat2(RENAME_EXCHANGE)` on Linux), so a reader or a killed build only ever sees the
/// previous site or the new one, and never touched in place.
///
/// The new site is assembled in a back copy kept beside the output (`.<name>.prev`): after a
/// swap it holds the previous site, whose file digests the build cache records. The next build
/// brings it up to date by touching only the files that differ (moving in new files,
/// hard-linking the output's unchanged ones, removing stale ones) and swaps again, so a
/// one-page edit costs a few file operations instead of relinking the whole site. Files whose
/// bytes did not change stay the same file (a hard link), so their modification times stay and
/// a deploy that syncs by time uploads only what changed.
///
/// Without a trusted back copy (the first build, or after a killed one), the new site is
/// written whole into a staging folder and a twin of it is hard-linked as it is written, to be
/// the back copy afterwards.
///
/// Files arrive from many threads while pages render ([`Writer::add`]), so the site is never
/// held in memory whole.
pub struct Writer {
    out: PathBuf,
    back: PathBuf,
    staging: PathBuf,
    /// No trusted back copy: `staging` receives the whole site, `back` a hard-linked twin.
    fresh: bool,
    out_exists: bool,
    live: Option<(String, HashMap<String, String>)>,
    back_files: HashMap<String, String>,
    build_id: String,
    state: Mutex<State>,
    /// Folders this build has made (or found) under `staging` and `back`, with the folders
    /// above them: making each file's folder anew asked for `page/` again after
    /// `page/patient/` had made it, 8,000 `mkdir` failing with "exists" and as many `stat` on
    /// 2,000 pages.
    made: Mutex<HashSet<PathBuf>>,
    /// Committed (or failed while committing, which cleans up itself).
    done: bool,
}

/// A writer dropped without committing (the build had errors) leaves the output and its back
/// copy as they were.
impl Drop for Writer {
    fn drop(&mut self) {
        if self.done {
            return;
        }
        let _ = fs::remove_dir_all(&self.staging);
        if self.fresh {
            let _ = fs::remove_dir_all(&self.back);
        }
    }
}

impl Writer {
    /// Check `out` (a careguide output or a new folder, writable, not the site itself) and get
    /// ready to write the build `build_id`.
    pub fn begin(
        root: &Path,
        out: &Path,
        build_id: &str,
        known: Known,
    ) -> Result<Writer, Diagnostic> {
        let out = check_out_dir(root, out)?;
        recover(&out);
        check_replaceable(&out)?;
        let out_exists = out.exists();
        let (parent, name) = beside(&out)?;
        let back = parent.join(format!(".{name}.prev"));
        let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
        let _ = fs::remove_dir_all(&staging);
        let live = known.live.filter(|_| out_exists);
        // The back copy is trusted only when the cache knows both it and the output, and its
        // marker names the build the cache says it holds.
        let trusted = match (&live, &known.back) {
            (Some(_), Some((id, _))) => fs::read_to_string(back.join(MARKER))
                .is_ok_and(|m| m.lines().any(|l| l == format!("build {id}"))),
            _ => false,
        };
        let back_files = if trusted {
            known.back.map(|(_, f)| f).unwrap_or_default()
        } else {
            HashMap::new()
        };
        if !trusted && back.exists() {
            fs::remove_dir_all(&back).map_err(|e| {
                io(format!("cannot remove the stale {}: {e}", back.display()))
                    .hint("careguide keeps a copy of the previous site there; check the folder's permissions")
            })?;
        }
        let fresh = !trusted;
        let first = if fresh { &staging } else { &back };
        fs::create_dir_all(first).map_err(|e| {
            io(format!("cannot create {}: {e}", first.display()))
                .hint("the previous site is unchanged; check that the folder holding the output is writable")
        })?;
        Ok(Writer {
            out,
            back,
            staging,
            fresh,
            out_exists,
            live,
            back_files,
            build_id: build_id.to_string(),
            state: Mutex::new(State::default()),
            made: Mutex::new(HashSet::new()),
            done: false,
        })
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the output's file at `path` has `digest` (read and compared when the cache
    /// does not know the output).
    fn same_as_live(&self, path: &str, digest_hex: &str, bytes: Option<&[u8]>) -> bool {
        if !self.out_exists {
            return false;
        }
        match &self.live {
            Some((_, files)) => {
                if files.get(path).is_none_or(|d| d != digest_hex) {
                    return false;
                }
                // Edited in place behind careguide's back: its size shows it. The output and
                // its back copy share unchanged files, so after the swap the back copy must not
                // be trusted with it either.
                let intact = bytes.is_none_or(|b| size_is(&self.out.join(path), b.len()));
                if !intact {
                    self.state().damaged.push(path.to_string());
                }
                intact
            }
            None => bytes.is_some_and(|b| fs::read(self.out.join(path)).is_ok_and(|p| p == b)),
        }
    }

    /// Whether this build writes the whole site anew (no back copy it could trust).
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// Add one file of the new site; returns its digest.
    pub fn add(&self, path: &str, bytes: &[u8]) -> Result<String, Diagnostic> {
        let d = digest(bytes);
        self.place(path, d.clone(), Some(bytes), bytes.len())?;
        Ok(d)
    }

    /// Add a file known to be unchanged in the output (`size` and `digest` as the cache
    /// recorded them).
    pub fn keep(&self, path: &str, size: u64, digest: &str) -> Result<(), Diagnostic> {
        self.place(path, digest.to_string(), None, size as usize)
    }

    fn place(
        &self,
        path: &str,
        d: String,
        bytes: Option<&[u8]>,
        size: usize,
    ) -> Result<(), Diagnostic> {
        let live = self.same_as_live(path, &d, bytes);
        if self.fresh {
            let dest = self.destination(&self.staging, path)?;
            if !(live && fs::hard_link(self.out.join(path), &dest).is_ok()) {
                let Some(bytes) = bytes else {
                    // A kept file that cannot be linked: copy it.
                    fs::copy(self.out.join(path), &dest).map_err(|e| {
                        io(format!("cannot copy {path} from the previous output: {e}"))
                    })?;
                    return self.record(path, d, None, live);
                };
                write_file(&dest, bytes)?;
            }
            let twin = self
                .destination(&self.back, path)
                .ok()
                .is_some_and(|t| fs::hard_link(&dest, t).is_ok());
            if !twin {
                self.state().twin_failed = true;
            }
            return self.record(path, d, None, live);
        }
        // A rendered file whose size differs from the back copy's was edited in place there.
        if self.back_files.get(path) == Some(&d)
            && (bytes.is_none() || size_is(&self.back.join(path), size))
        {
            return self.record(path, d, None, live);
        }
        if live {
            return self.record(path, d, Some(Plan::Link), true);
        }
        let Some(bytes) = bytes else {
            return Err(io(format!("{path} is missing from the previous output")));
        };
        write_file(&self.destination(&self.staging, path)?, bytes)?;
        self.record(path, d, Some(Plan::Move), false)
    }

    fn made(&self) -> std::sync::MutexGuard<'_, HashSet<PathBuf>> {
        self.made.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `path` under `base`, with its folders made; refuses paths that leave the output.
    fn destination(&self, base: &Path, path: &str) -> Result<PathBuf, Diagnostic> {
        let rel = Path::new(path);
        if rel.is_absolute() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            return Err(io(format!("refusing to write outside the output: {path}")));
        }
        let dest = base.join(rel);
        if let Some(dir) = dest.parent() {
            if !self.made().contains(dir) {
                fs::create_dir_all(dir)
                    .map_err(|e| io(format!("cannot create {}: {e}", dir.display())))?;
                // The folders above it were made too (`page/` with `page/patient/`).
                let mut made = self.made();
                for d in dir.ancestors().take_while(|d| d.starts_with(base)) {
                    if !made.insert(d.to_path_buf()) {
                        break;
                    }
                }
            }
        }
        Ok(dest)
    }

    fn record(
        &self,
        path: &str,
        d: String,
        plan: Option<Plan>,
        unchanged: bool,
    ) -> Result<(), Diagnostic> {
        // Two files at one path are reported by the build (`content/url-collision`), which
        // then does not commit.
        let mut s = self.state();
        s.files.insert(path.to_string(), d);
        if let Some(p) = plan {
            s.plans.push((path.to_string(), p));
        }
        if unchanged {
            s.stats.unchanged += 1;
        } else {
            s.stats.written += 1;
        }
        Ok(())
    }

    /// Finish the new site and swap it in.
    pub fn commit(mut self) -> Result<Committed, Diagnostic> {
        self.done = true;
        let state = std::mem::take(&mut *self.state());
        let marker = format!(
            "This folder is written by careguide and replaced on every build.\nbuild {}\n",
            self.build_id
        );
        let failed = |e: Diagnostic, w: &Writer| {
            let _ = fs::remove_dir_all(&w.staging);
            let _ = fs::remove_dir_all(&w.back);
            e
        };
        let new_site = if self.fresh {
            if let Err(e) = fs::write(self.staging.join(MARKER), &marker) {
                return Err(failed(
                    io(format!("cannot write the output marker: {e}")),
                    &self,
                ));
            }
            if state.twin_failed || fs::write(self.back.join(MARKER), &marker).is_err() {
                let _ = fs::remove_dir_all(&self.back);
            }
            self.staging.clone()
        } else {
            // From here until its marker is written again, the back copy is in between.
            let _ = fs::remove_file(self.back.join(MARKER));
            if let Err(e) = self.apply(&state) {
                return Err(failed(e, &self));
            }
            let _ = fs::remove_dir_all(&self.staging);
            if let Err(e) = fs::write(self.back.join(MARKER), &marker) {
                return Err(failed(
                    io(format!("cannot write the output marker: {e}")),
                    &self,
                ));
            }
            self.back.clone()
        };
        // The back copy after the swap: the new site's twin, or the previous site.
        let mut back = if self.fresh {
            self.back
                .exists()
                .then(|| (self.build_id.clone(), state.files.clone()))
        } else {
            self.live.as_ref().map(|(id, f)| {
                let files = f
                    .iter()
                    .filter(|(k, _)| !state.damaged.contains(k))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                (id.clone(), files)
            })
        };
        let previous = swap_in(&new_site, &self.out, &self.back)?;
        if let Some(previous) = previous {
            if self.fresh {
                // The previous site, now where the staging folder was.
                let _ = fs::remove_dir_all(previous);
            }
        } else if !self.fresh {
            back = None;
        }
        Ok(Committed {
            stats: state.stats,
            files: state.files,
            back,
        })
    }

    /// Bring the back copy to the new site: new files moved in, unchanged ones linked from the
    /// output, stale ones removed.
    fn apply(&self, state: &State) -> Result<(), Diagnostic> {
        for (path, plan) in &state.plans {
            let dest = self.destination(&self.back, path)?;
            match plan {
                Plan::Move => fs::rename(self.staging.join(path), &dest)
                    .map_err(|e| io(format!("cannot move {path} into place: {e}")))?,
                Plan::Link => {
                    let _ = fs::remove_file(&dest);
                    let from = self.out.join(path);
                    if fs::hard_link(&from, &dest).is_err() {
                        fs::copy(&from, &dest).map_err(|e| {
                            io(format!("cannot copy {path} from the previous output: {e}"))
                        })?;
                    }
                }
            }
        }
        for path in self.back_files.keys() {
            if state.files.contains_key(path) {
                continue;
            }
            let file = self.back.join(path);
            let _ = fs::remove_file(&file);
            // Folders the removed file leaves empty go too, as a clean build would not make them.
            let mut dir = file.parent();
            while let Some(d) = dir.filter(|d| *d != self.back) {
                if fs::remove_dir(d).is_err() {
                    break;
                }
                dir = d.parent();
            }
        }
        Ok(())
    }
}

fn size_is(p: &Path, len: usize) -> bool {
    fs::metadata(p).is_ok_and(|m| m.len() == len as u64)
}

/// Write `bytes` to a new file at `dest`. No fsync per file: the swap protects against a
/// killed build, and syncing 20,000 files one by one made writing the slowest stage.
fn write_file(dest: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let mut file =
        fs::File::create(dest).map_err(|e| io(format!("cannot write {}: {e}", dest.display())))?;
    file.write_all(bytes)
        .map_err(|e| io(format!("cannot write {}: {e}", dest.display())))
}
