//! Nothing lost: a build killed at any moment leaves the previous output complete, a read-only
//! output or a disk that refuses the new site is a clear error with the previous output kept,
//! and two builds of one output never mix.

use std::collections::BTreeMap;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{careguide, sample_site, tree, Run, RunExt, JAN_15_2026};

/// The unprivileged user builds run as when the tests run as root (permissions do not stop
/// root, so a read-only folder would not be read-only to it).
const NOBODY: u32 = 65534;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions.
    unsafe { libc::geteuid() == 0 }
}

fn chown_all(p: &Path) {
    std::os::unix::fs::chown(p, Some(NOBODY), Some(NOBODY)).unwrap();
    if p.is_dir() && !p.is_symlink() {
        for e in std::fs::read_dir(p).unwrap() {
            chown_all(&e.unwrap().path());
        }
    }
}

/// The sample site plus `extra` generated pages, in `dir/site`.
fn site(dir: &Path, extra: usize) -> PathBuf {
    let root = dir.join("site");
    sample_site(&root);
    let model = std::fs::read_to_string(root.join("content/kratom-withdrawal.md")).unwrap();
    for i in 0..extra {
        let page: String = model
            .lines()
            .filter(|l| !l.starts_with("slug:"))
            .map(|l| {
                if l.starts_with("title:") {
                    format!("title: Generated page {i}\n")
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(root.join(format!("content/gen-{i}.md")), page).unwrap();
    }
    if is_root() {
        chown_all(dir);
    }
    root
}

/// `careguide build` of `root` (to `out`, or the site's `output/`), as an unprivileged user
/// when the tests run as root.
fn build_command(root: &Path, out: Option<&Path>) -> Command {
    let mut c = careguide(["build", "--no-pdf", "--format", "json", "--root"]);
    c.arg(root)
        .date(JAN_15_2026)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(out) = out {
        c.arg("--out").arg(out);
    }
    if is_root() {
        c.uid(NOBODY).gid(NOBODY);
    }
    c
}

fn build(root: &Path, out: Option<&Path>) -> Run {
    build_command(root, out).run().no_panic()
}

/// Two versions of the site's sources: every generated page with or without a last line.
fn set_version(root: &Path, extra: usize, v: usize) {
    for i in 0..extra {
        let p = root.join(format!("content/gen-{i}.md"));
        let text = std::fs::read_to_string(&p).unwrap();
        let base = text
            .trim_end_matches("\nA line of version B.\n")
            .to_string();
        let base = if base.ends_with('\n') {
            base
        } else {
            base + "\n"
        };
        let new = if v == 1 {
            base + "\nA line of version B.\n"
        } else {
            base
        };
        std::fs::write(&p, new).unwrap();
    }
}

/// A tiny deterministic generator (the seed is printed, so a failure can be replayed with
/// CAREGUIDE_KILL_SEED).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn killed_builds_never_lose_the_previous_output() {
    const PAGES: usize = 20;
    const RUNS: usize = 30;
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path(), PAGES);
    let out = root.join("output");
    // The complete output of each version.
    let mut full = Vec::new();
    let mut took = Duration::ZERO;
    for v in [0, 1] {
        set_version(&root, PAGES, v);
        let start = Instant::now();
        let d = build(&root, None);
        took = took.max(start.elapsed());
        assert_eq!(d.code, 0, "{}", d.stdout);
        full.push(tree(&out));
    }
    assert_ne!(full[0], full[1]);
    let seed = std::env::var("CAREGUIDE_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("kill seed {seed}; a complete build takes {took:?}");
    let mut rng = Lcg(seed);
    let window = took.as_millis() as u64 * 12 / 10 + 1;
    let mut current = 1;
    let mut swapped = 0;
    for run in 0..RUNS {
        // Build the other version and kill it somewhere in its run.
        let next = 1 - current;
        set_version(&root, PAGES, next);
        let mut child = build_command(&root, None).spawn().unwrap();
        let delay = Duration::from_millis(rng.next() % window);
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        assert!(
            out.join(".careguide-output").exists(),
            "run {run} (seed {seed}, killed after {delay:?}): no complete output folder"
        );
        let now = tree(&out);
        if now == full[next] {
            current = next;
            swapped += 1;
        } else {
            let differ = |want: &BTreeMap<String, Vec<u8>>| -> Vec<String> {
                let mut keys: Vec<&String> = want.keys().chain(now.keys()).collect();
                keys.sort();
                keys.dedup();
                keys.into_iter()
                    .filter(|k| want.get(*k) != now.get(*k))
                    .take(8)
                    .cloned()
                    .collect()
            };
            assert!(
                now == full[current],
                "run {run} (seed {seed}, killed after {delay:?}): the output is neither the \
                 previous build nor the new one; files that differ from each: {:?} / {:?}",
                differ(&full[current]),
                differ(&full[next])
            );
        }
    }
    eprintln!("{RUNS} killed builds, {swapped} had swapped in the new output");
    // The next build repairs whatever the killed ones left beside the output.
    set_version(&root, PAGES, 1 - current);
    assert_eq!(build(&root, None).code, 0);
    assert_eq!(tree(&out), full[1 - current]);
    let leftovers: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".output.new-") || n.starts_with(".output.old-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

fn chmod(p: &Path, mode: u32) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn touch_a_page(root: &Path) {
    let p = root.join("content/gen-0.md");
    let text = std::fs::read_to_string(&p).unwrap();
    std::fs::write(&p, text + "\nOne more line.\n").unwrap();
}

fn io_error(d: &Run) -> String {
    let v: serde_json::Value = serde_json::from_str(&d.stdout).unwrap();
    let e = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "io/write")
        .unwrap_or_else(|| panic!("no io/write finding: {v:#}"));
    e["message"].as_str().unwrap().to_string()
}

#[test]
fn a_read_only_output_is_a_clear_error_and_stays() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path(), 2);
    let out = root.join("output");
    assert_eq!(build(&root, None).code, 0);
    let before = tree(&out);
    chmod(&out, 0o555);
    touch_a_page(&root);
    let d = build(&root, None);
    chmod(&out, 0o755);
    assert_eq!(d.code, 2, "{}", d.stdout);
    let msg = io_error(&d);
    assert!(msg.contains("is read-only"), "{msg}");
    assert_eq!(tree(&out), before);
    // Nothing half-written is left beside it.
    let names: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".new-") || n.contains(".old-"))
        .collect();
    assert!(names.is_empty(), "{names:?}");
}

#[test]
fn a_disk_that_refuses_the_new_site_is_a_clear_error_and_the_output_stays() {
    // A full disk and a folder that cannot be written fail at the same place: making the
    // staging folder beside the output.
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path(), 2);
    let public = root.join("public");
    let out = public.join("site");
    assert_eq!(build(&root, Some(&out)).code, 0);
    let before = tree(&out);
    chmod(&public, 0o555);
    touch_a_page(&root);
    let d = build(&root, Some(&out));
    chmod(&public, 0o755);
    assert_eq!(d.code, 2, "{}", d.stdout);
    let msg = io_error(&d);
    assert!(msg.contains("cannot create"), "{msg}");
    assert_eq!(tree(&out), before);
}

#[test]
fn a_second_build_of_the_same_output_waits_for_the_first() {
    let tmp = tempfile::tempdir().unwrap();
    let root = site(tmp.path(), 4);
    let out = root.join("output");
    assert_eq!(build(&root, None).code, 0);
    // Hold the build lock as a running build would.
    let lock = std::fs::OpenOptions::new()
        .write(true)
        .open(root.join(".output.lock"))
        .unwrap();
    use std::os::unix::io::AsRawFd;
    // SAFETY: the descriptor belongs to `lock`, open for the whole test.
    assert_eq!(unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX) }, 0);
    touch_a_page(&root);
    let mut child = build_command(&root, None).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the second build did not wait"
    );
    drop(lock);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("another build of"), "{stderr}");

    // Two real builds at once: both finish, one after the other, and the output is a complete
    // build that a third build finds intact.
    touch_a_page(&root);
    let a = build_command(&root, None).spawn().unwrap();
    let b = build_command(&root, None).spawn().unwrap();
    let (a, b) = (a.wait_with_output().unwrap(), b.wait_with_output().unwrap());
    assert_eq!((a.status.code(), b.status.code()), (Some(0), Some(0)));
    let got = tree(&out);
    assert_eq!(build(&root, None).code, 0);
    assert_eq!(got, tree(&out));
}
