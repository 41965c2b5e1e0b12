//! Stage 6: writing the site. The new site is assembled in a folder beside the output and
//! swapped in only when it is complete, so a failed or interrupted build never leaves a broken
//! site. Files whose bytes did not change are hard-linked from the previous output, so they keep
//! their modification times and a deploy that syncs by time uploads only what changed.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use crate::diag::{Category, Diagnostic};

/// Marker file proving a folder is careguide output, so that it may be replaced.
pub const MARKER: &str = ".careguide-output";

/// One file of the built site, at a relative path with '/' separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub bytes: Vec<u8>,
}

impl OutputFile {
    pub fn new(path: String, bytes: Vec<u8>) -> Self {
        OutputFile { path, bytes }
    }
}

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
    for protected in [
        crate::content::CONTENT_DIR,
        crate::render::site::TEMPLATE_DIR,
    ] {
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

/// Write `files` as the complete content of `out`, replacing the previous output atomically
/// (as far as the file system allows: two renames).
pub fn write_site(
    root: &Path,
    out: &Path,
    files: Vec<OutputFile>,
    reuse: &[String],
    build_id: &str,
) -> Result<WriteStats, Diagnostic> {
    let out = check_out_dir(root, out)?;
    recover(&out);
    if out.exists() {
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
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.new-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    let _ = fs::remove_dir_all(&staging);
    let result = fill(&staging, &out, &files, reuse, build_id);
    let stats = match result {
        Ok(s) => s,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    // Swap. Where the system can exchange two folders in one step (Linux), a reader or a
    // killed build never sees a moment without the output; elsewhere the old output moves
    // aside first, and a build killed between the two renames is repaired by the next one
    // (see `recover`).
    if out.exists() {
        match exchange(&staging, &out) {
            Ok(true) => {
                // `staging` now holds the previous site.
                let _ = fs::remove_dir_all(&staging);
                return Ok(stats);
            }
            Ok(false) => {}
            Err(e) => {
                let _ = fs::remove_dir_all(&staging);
                return Err(io(format!(
                    "cannot replace the previous {}: {e}",
                    out.display()
                ))
                .hint("the previous site is unchanged; check that the output folder and the folder holding it are writable"));
            }
        }
        fs::rename(&out, &old).map_err(|e| {
            let _ = fs::remove_dir_all(&staging);
            io(format!(
                "cannot move the previous {} aside: {e}",
                out.display()
            ))
            .hint("the previous site is unchanged; check that the output folder and the folder holding it are writable")
        })?;
    }
    if let Err(e) = fs::rename(&staging, &out) {
        // Put the previous site back: nothing is lost.
        let _ = fs::rename(&old, &out);
        let _ = fs::remove_dir_all(&staging);
        return Err(io(format!(
            "cannot move the new site into {}: {e}",
            out.display()
        )));
    }
    let _ = fs::remove_dir_all(&old);
    Ok(stats)
}

/// Swap two folders in one step. `Ok(false)` when the system or file system cannot.
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<bool> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both paths are valid NUL-terminated strings that outlive the call.
    let r = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        return Ok(true);
    }
    let e = std::io::Error::last_os_error();
    match e.raw_os_error() {
        Some(libc::ENOSYS) | Some(libc::EINVAL) | Some(libc::ENOTSUP) => Ok(false),
        _ => Err(e),
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
        // SAFETY: signal 0 only checks that the process exists.
        let r = unsafe { libc::kill(pid as libc::pid_t, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
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
    #[cfg(unix)]
    {
        use std::os::unix::io::AsRawFd;
        let fd = file.as_raw_fd();
        // SAFETY: `fd` is an open file descriptor owned by `file`.
        if unsafe { libc::flock(fd, libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            eprintln!(
                "careguide: another build of {} is running; waiting for it to finish",
                out.display()
            );
            // SAFETY: as above.
            if unsafe { libc::flock(fd, libc::LOCK_EX) } != 0 {
                let e = std::io::Error::last_os_error();
                return Err(io(format!("cannot lock {}: {e}", path.display())));
            }
        }
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

fn fill(
    staging: &Path,
    previous: &Path,
    files: &[OutputFile],
    reuse: &[String],
    build_id: &str,
) -> Result<WriteStats, Diagnostic> {
    let mut stats = WriteStats::default();
    fs::create_dir_all(staging)
        .map_err(|e| io(format!("cannot create {}: {e}", staging.display())))?;
    // Files the build cache knows to be unchanged: linked without reading them.
    for path in reuse {
        let dest = destination(staging, path)?;
        let prev = previous.join(path);
        if fs::hard_link(&prev, &dest).is_err() {
            fs::copy(&prev, &dest)
                .map_err(|e| io(format!("cannot copy {path} from the previous output: {e}")))?;
        }
        stats.unchanged += 1;
    }
    for f in files {
        let rel = Path::new(&f.path);
        let dest = destination(staging, &f.path)?;
        let prev = previous.join(rel);
        let same = fs::read(&prev).map(|b| b == f.bytes).unwrap_or(false);
        if same && fs::hard_link(&prev, &dest).is_ok() {
            stats.unchanged += 1;
            continue;
        }
        let mut file = fs::File::create(&dest)
            .map_err(|e| io(format!("cannot write {}: {e}", dest.display())))?;
        // No fsync per file: the swap protects against a killed build, and syncing 20,000 files
        // one by one made writing the slowest stage.
        file.write_all(&f.bytes)
            .map_err(|e| io(format!("cannot write {}: {e}", dest.display())))?;
        stats.written += 1;
    }
    fs::write(
        staging.join(MARKER),
        format!(
            "This folder is written by careguide and replaced on every build.\nbuild {build_id}\n"
        ),
    )
    .map_err(|e| io(format!("cannot write the output marker: {e}")))?;
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let s = write_site(dir.path(), &out, files("one"), &[], "b1").unwrap();
        assert_eq!(
            s,
            WriteStats {
                written: 2,
                unchanged: 0
            }
        );
        let s = write_site(dir.path(), &out, files("two"), &[], "b2").unwrap();
        assert_eq!(
            s,
            WriteStats {
                written: 1,
                unchanged: 1
            }
        );
        assert_eq!(fs::read_to_string(out.join("index.html")).unwrap(), "two");
        assert!(out.join(MARKER).exists());
        // No staging folders are left behind.
        let names: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
    }

    #[test]
    fn stale_files_disappear() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_site(dir.path(), &out, files("one"), &[], "b1").unwrap();
        write_site(
            dir.path(),
            &out,
            vec![OutputFile::new("index.html".into(), b"x".to_vec())],
            &[],
            "b3",
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
        assert!(write_site(dir.path(), &foreign, files("x"), &[], "b").is_err());
        assert_eq!(
            fs::read_to_string(foreign.join("keep.txt")).unwrap(),
            "mine"
        );
        assert!(write_site(dir.path(), dir.path(), files("x"), &[], "b").is_err());
        assert!(write_site(
            dir.path(),
            &dir.path().join("content/out"),
            files("x"),
            &[],
            "b"
        )
        .is_err());
        assert!(write_site(dir.path(), Path::new("/"), files("x"), &[], "b").is_err());
    }

    #[test]
    fn a_build_killed_between_the_two_renames_is_repaired() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        write_site(dir.path(), &out, files("one"), &[], "b1").unwrap();
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
        assert!(write_site(dir.path(), &out, files("two"), &[], "b2").is_err());
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
        assert!(write_site(dir.path(), &out, bad, &[], "b").is_err());
        assert!(!dir.path().join("evil").exists());
    }
}
