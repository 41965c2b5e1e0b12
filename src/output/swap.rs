//! The folders beside the output: swapping the new site in, repairing what a killed build left
//! there, and the lock that keeps two builds of one output apart.

use std::fs;
use std::path::{Path, PathBuf};

use super::{check_out_dir, check_replaceable, io, MARKER};
use crate::diag::Diagnostic;

/// Swap `new_site` in as the output `out`. Returns where the previous output went, if there was
/// one: `new_site`'s path after an exchange, the back copy's (`back`) after the fallback renames.
pub(super) fn swap_in(
    new_site: &Path,
    out: &Path,
    back: &Path,
) -> Result<Option<PathBuf>, Diagnostic> {
    let keep = "the previous site is unchanged; check that the output folder and the folder holding it are writable";
    if !out.exists() {
        fs::rename(new_site, out).map_err(|e| {
            io(format!(
                "cannot move the new site into {}: {e}",
                out.display()
            ))
        })?;
        return Ok(None);
    }
    // Where the system can exchange two folders in one step (Linux), a reader or a killed
    // build never sees a moment without the output; elsewhere the old output moves aside
    // first, and a build killed between the renames is repaired by the next one (see
    // `recover`).
    match exchange(new_site, out) {
        Ok(true) => return Ok(Some(new_site.to_path_buf())),
        Ok(false) => {}
        Err(e) => {
            return Err(io(format!(
                "cannot replace the previous {}: {e}",
                out.display()
            ))
            .hint(keep))
        }
    }
    let (parent, name) = beside(out)?;
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    fs::rename(out, &old).map_err(|e| {
        io(format!(
            "cannot move the previous {} aside: {e}",
            out.display()
        ))
        .hint(keep)
    })?;
    if let Err(e) = fs::rename(new_site, out) {
        // Put the previous site back: nothing is lost.
        let _ = fs::rename(&old, out);
        return Err(io(format!(
            "cannot move the new site into {}: {e}",
            out.display()
        )));
    }
    if new_site == back {
        let _ = fs::rename(&old, back);
        return Ok(Some(back.to_path_buf()));
    }
    Ok(Some(old))
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
pub(super) fn beside(out: &Path) -> Result<(PathBuf, String), Diagnostic> {
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
    check_replaceable(out)?;
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
