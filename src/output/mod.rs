//! Stage 6: writing the site. The new site is assembled in a folder beside the output and
//! swapped in only when it is complete, so a failed or interrupted build never leaves a broken
//! site. Files whose bytes did not change are hard-linked from the previous output, so they keep
//! their modification times and a deploy that syncs by time uploads only what changed.

use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Mutex;

use crate::diag::{Category, Diagnostic};

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

/// A file's content digest (XXH3, 128 bits, in hex): what the build cache records of every
/// output file, so that a later build knows which files it must touch without reading them.
pub fn digest(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

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
        let out_exists = out.exists();
        if out_exists {
            if !out.is_dir() {
                return Err(io(format!("{} exists and is not a folder", out.display())));
            }
            let empty = fs::read_dir(&out)
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
        if fs::metadata(&out).is_ok_and(|m| m.permissions().readonly()) {
            return Err(io(format!(
                "{} is read-only; careguide leaves it as it is",
                out.display()
            ))
            .hint("the previous site is unchanged; make the folder writable (chmod u+w) to publish a new build"));
        }
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
            let dest = destination(&self.staging, path)?;
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
            let twin = destination(&self.back, path)
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
        write_file(&destination(&self.staging, path)?, bytes)?;
        self.record(path, d, Some(Plan::Move), false)
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
        let previous = self.swap_in(&new_site)?;
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
            let dest = destination(&self.back, path)?;
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

    /// Swap `new_site` in as the output. Returns where the previous output went, if there was
    /// one: `new_site`'s path after an exchange, the back copy's after the fallback renames.
    fn swap_in(&self, new_site: &Path) -> Result<Option<PathBuf>, Diagnostic> {
        let keep = "the previous site is unchanged; check that the output folder and the folder holding it are writable";
        if !self.out.exists() {
            fs::rename(new_site, &self.out).map_err(|e| {
                io(format!(
                    "cannot move the new site into {}: {e}",
                    self.out.display()
                ))
            })?;
            return Ok(None);
        }
        // Where the system can exchange two folders in one step (Linux), a reader or a killed
        // build never sees a moment without the output; elsewhere the old output moves aside
        // first, and a build killed between the renames is repaired by the next one (see
        // `recover`).
        match exchange(new_site, &self.out) {
            Ok(true) => return Ok(Some(new_site.to_path_buf())),
            Ok(false) => {}
            Err(e) => {
                return Err(io(format!(
                    "cannot replace the previous {}: {e}",
                    self.out.display()
                ))
                .hint(keep))
            }
        }
        let (parent, name) = beside(&self.out)?;
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        fs::rename(&self.out, &old).map_err(|e| {
            io(format!(
                "cannot move the previous {} aside: {e}",
                self.out.display()
            ))
            .hint(keep)
        })?;
        if let Err(e) = fs::rename(new_site, &self.out) {
            // Put the previous site back: nothing is lost.
            let _ = fs::rename(&old, &self.out);
            return Err(io(format!(
                "cannot move the new site into {}: {e}",
                self.out.display()
            )));
        }
        if new_site == self.back {
            let _ = fs::rename(&old, &self.back);
            return Ok(Some(self.back.clone()));
        }
        Ok(Some(old))
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

/// Swap two folders in one step. `Ok(false)` when the system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use rustix::fs::{renameat_with, RenameFlags, CWD};
    use rustix::io::Errno;
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(true),
        Err(Errno::NOSYS | Errno::INVAL | Errno::NOTSUP) => Ok(false),
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<bool> {
    Ok(false)
}

/// Whether process `pid` still runs (always "yes" where careguide cannot tell).
fn alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        // Signal 0 only checks that the process exists.
        let pid = i32::try_from(pid)
            .ok()
            .and_then(rustix::process::Pid::from_raw);
        pid.is_none_or(|p| rustix::process::test_kill_process(p) != Err(rustix::io::Errno::SRCH))
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Repair what a killed build left beside `out`: a previous site moved aside but never
/// replaced is moved back, and half-written staging folders go. Folders of builds still
/// running are left alone.
pub fn recover(out: &Path) {
    let (Some(parent), Some(name)) = (out.parent(), out.file_name()) else {
        return;
    };
    let name = name.to_string_lossy();
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    let mut stale: Vec<(PathBuf, bool)> = Vec::new();
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = file.strip_prefix(&format!(".{name}.")) else {
            continue;
        };
        let (kind, pid) = match rest.split_once('-') {
            Some((k @ ("new" | "old"), p)) => (k, p),
            _ => continue,
        };
        match pid.parse::<u32>() {
            Ok(pid) if !alive(pid) && pid != std::process::id() => {
                stale.push((e.path(), kind == "old"))
            }
            _ => {}
        }
    }
    for (path, old) in stale {
        if old && !out.exists() && path.join(MARKER).exists() && fs::rename(&path, out).is_ok() {
            continue;
        }
        let _ = fs::remove_dir_all(&path);
    }
}

/// Held while a build reads and writes one output folder, so that two builds of it never mix:
/// the second waits for the first. The lock (`.<name>.lock` beside the output) is released
/// when the build ends, however it ends.
#[derive(Debug)]
pub struct Lock {
    _file: fs::File,
}

/// The folder holding `out` (created if missing) and `out`'s name: staging folders and the
/// lock live there, beside the output.
fn beside(out: &Path) -> Result<(PathBuf, String), Diagnostic> {
    let parent = out.parent().map(Path::to_path_buf).unwrap_or_default();
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "output".into());
    fs::create_dir_all(&parent)
        .map_err(|e| io(format!("cannot create {}: {e}", parent.display())))?;
    Ok((parent, name))
}

/// Take the lock for `out` (refused like [`check_out_dir`] refuses it), waiting (with a note
/// on stderr) while another build holds it.
pub fn lock(root: &Path, out: &Path) -> Result<Lock, Diagnostic> {
    let out = &check_out_dir(root, out)?;
    let (parent, name) = beside(out)?;
    let path = parent.join(format!(".{name}.lock"));
    let file = fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| {
            io(format!(
                "cannot open the build lock {}: {e}",
                path.display()
            ))
            .hint("careguide needs to write beside the output folder; check its permissions")
        })?;
    if let Err(e) = file.try_lock() {
        if let std::fs::TryLockError::Error(e) = e {
            return Err(io(format!("cannot lock {}: {e}", path.display())));
        }
        eprintln!(
            "careguide: another build of {} is running; waiting for it to finish",
            out.display()
        );
        file.lock()
            .map_err(|e| io(format!("cannot lock {}: {e}", path.display())))?;
    }
    Ok(Lock { _file: file })
}

/// `path` under `staging`, with its folders made; refuses paths that leave the output.
fn destination(staging: &Path, path: &str) -> Result<PathBuf, Diagnostic> {
    let rel = Path::new(path);
    if rel.is_absolute() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(io(format!("refusing to write outside the output: {path}")));
    }
    let dest = staging.join(rel);
    if let Some(dir) = dest.parent() {
        fs::create_dir_all(dir).map_err(|e| io(format!("cannot create {}: {e}", dir.display())))?;
    }
    Ok(dest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::OutputFile;

    /// Write `files` as the complete content of `out` in one go (see [`Writer`]).
    fn write_site(
        root: &Path,
        out: &Path,
        files: &[OutputFile],
        build_id: &str,
        known: Known,
    ) -> Result<Committed, Diagnostic> {
        let w = Writer::begin(root, out, build_id, known)?;
        for f in files {
            w.add(&f.path, &f.bytes)?;
        }
        w.commit()
    }

    fn files(n: &str) -> Vec<OutputFile> {
        vec![
            OutputFile::new("index.html".into(), n.as_bytes().to_vec()),
            OutputFile::new("a/index.html".into(), b"same".to_vec()),
        ]
    }

    #[test]
    fn swaps_in_and_keeps_unchanged_files() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let s = write_site(dir.path(), &out, &files("one"), "b1", Known::default())
            .unwrap()
            .stats;
        assert_eq!(
            s,
            WriteStats {
                written: 2,
                unchanged: 0
            }
        );
        let s = write_site(dir.path(), &out, &files("two"), "b2", Known::default())
            .unwrap()
            .stats;
        assert_eq!(
            s,
            WriteStats {
                written: 1,
                unchanged: 1
            }
        );
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(out.join(MARKER).exists());
        // No staging folders are left behind; the back copy stays for the next build.
        let mut names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [".output.prev", "output"]);
    }

    fn known(c: &Committed, id: &str) -> Known {
        Known {
            live: Some((id.into(), c.files.clone().into_iter().collect())),
            back: c.back.clone().map(|(i, f)| (i, f.into_iter().collect())),
        }
    }

    fn ino(p: &Path) -> (u64, std::time::SystemTime) {
        use std::os::unix::fs::MetadataExt;
        let m = fs::metadata(p).unwrap();
        (m.ino(), m.modified().unwrap())
    }

    #[cfg(unix)]
    #[test]
    fn the_back_copy_is_brought_up_to_date_file_by_file() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let site = |n: &str, extra: bool| {
            let mut f = files(n);
            f.push(OutputFile::new("b/c/index.html".into(), b"kept".to_vec()));
            if extra {
                f.push(OutputFile::new(
                    "gone/x/index.html".into(),
                    b"soon gone".to_vec(),
                ));
            }
            f
        };
        let c1 = write_site(dir.path(), &out, &site("one", true), "b1", Known::default()).unwrap();
        // The twin becomes the back copy, holding the same files.
        assert_eq!(c1.back.as_ref().map(|b| b.0.as_str()), Some("b1"));
        let kept = ino(&out.join("b/c/index.html"));
        let c2 = write_site(dir.path(), &out, &site("two", true), "b2", known(&c1, "b1")).unwrap();
        assert_eq!(
            c2.stats,
            WriteStats {
                written: 1,
                unchanged: 3
            }
        );
        // The back copy now holds build 1, the output build 2; unchanged files are one file.
        assert_eq!(c2.back.as_ref().map(|b| b.0.as_str()), Some("b1"));
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert_eq!(
            fs::read_to_string(dir.path().join(".output.prev/index.html")).unwrap(),
            "one"
        );
        assert_eq!(ino(&out.join("b/c/index.html")), kept);
        let c3 = write_site(
            dir.path(),
            &out,
            &site("three", false),
            "b3",
            known(&c2, "b2"),
        )
        .unwrap();
        assert_eq!(
            c3.stats,
            WriteStats {
                written: 1,
                unchanged: 2
            }
        );
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "three");
        // Stale files and the folders they leave empty are gone.
        assert!(!out.join("gone").exists());
        assert_eq!(ino(&out.join("b/c/index.html")), kept);
        assert!(out.join(MARKER).exists());
        let marker = fs::read_to_string(out.join(MARKER)).unwrap();
        assert!(marker.contains("build b3"), "{marker}");
        // A back copy whose marker is not the one the cache expects is not trusted: rebuilt.
        fs::write(
            dir.path().join(".output.prev").join(MARKER),
            "build other\n",
        )
        .unwrap();
        let c4 = write_site(
            dir.path(),
            &out,
            &site("four", false),
            "b4",
            known(&c3, "b3"),
        )
        .unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "four");
        assert_eq!(ino(&out.join("b/c/index.html")), kept);
        assert_eq!(c4.back.as_ref().map(|b| b.0.as_str()), Some("b4"));
        // A build that is dropped before committing leaves everything as it was.
        let w = Writer::begin(dir.path(), &out, "b5", known(&c4, "b4")).unwrap();
        w.add("index.html", b"five").unwrap();
        drop(w);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "four");
        let c6 = write_site(
            dir.path(),
            &out,
            &site("six", false),
            "b6",
            known(&c4, "b4"),
        )
        .unwrap();
        assert_eq!(
            c6.stats,
            WriteStats {
                written: 1,
                unchanged: 2
            }
        );
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "six");
    }

    #[test]
    fn stale_files_disappear() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_site(dir.path(), &out, &files("one"), "b1", Known::default()).unwrap();
        write_site(
            dir.path(),
            &out,
            &[OutputFile::new("index.html".into(), b"x".to_vec())],
            "b3",
            Known::default(),
        )
        .unwrap();
        assert!(!out.join("a/index.html").exists());
    }

    #[test]
    fn refuses_foreign_folders_and_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let foreign = dir.path().join("docs");
        fs::create_dir_all(&foreign).unwrap();
        fs::write(foreign.join("keep.txt"), "mine").unwrap();
        assert!(write_site(dir.path(), &foreign, &files("x"), "b", Known::default()).is_err());
        assert_eq!(
            fs::read_to_string(foreign.join("keep.txt")).unwrap(),
            "mine"
        );
        assert!(write_site(dir.path(), dir.path(), &files("x"), "b", Known::default()).is_err());
        assert!(write_site(
            dir.path(),
            &dir.path().join("content/out"),
            &files("x"),
            "b",
            Known::default()
        )
        .is_err());
        assert!(write_site(
            dir.path(),
            Path::new("/"),
            &files("x"),
            "b",
            Known::default()
        )
        .is_err());
    }

    #[test]
    fn a_build_killed_between_the_two_renames_is_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_site(dir.path(), &out, &files("one"), "b1", Known::default()).unwrap();
        // The folders a killed build (a process that no longer runs) left behind.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let old = dir.path().join(format!(".output.old-{pid}"));
        fs::rename(&out, &old).unwrap();
        let half = dir.path().join(format!(".output.new-{pid}"));
        fs::create_dir_all(half.join("a")).unwrap();
        recover(&out);
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "one");
        assert!(!old.exists() && !half.exists());
        // A read-only output is left alone.
        let mut p = fs::metadata(&out).unwrap().permissions();
        p.set_readonly(true);
        fs::set_permissions(&out, p.clone()).unwrap();
        assert!(write_site(dir.path(), &out, &files("two"), "b2", Known::default()).is_err());
        #[allow(clippy::permissions_set_readonly_false)]
        p.set_readonly(false);
        fs::set_permissions(&out, p).unwrap();
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "one");
    }

    #[test]
    fn refuses_paths_leaving_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let bad = vec![OutputFile::new("../evil".into(), vec![])];
        assert!(write_site(dir.path(), &out, &bad, "b", Known::default()).is_err());
        assert!(!dir.path().join("evil").exists());
    }
}
