//! The layering of the crate, checked: value types and helpers at the bottom, the stages above
//! them, the build driver above the stages, the commands on top. A module may use only the
//! modules listed before it in [`LAYERS`] (and itself), and no two files import each other,
//! directly or in a longer circle. Read from the `crate::`, `super::` and `self::` paths of
//! `src/`, test modules left out (a test may set up whatever it needs).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Every top-level module, from the ground floor up. The README's "How it is built" draws it.
const LAYERS: &[&str] = &[
    "util", "diag", "types", "paths", "config", "taper", "i18n", "cite", "content", "audience",
    "model", "resolve", "render", "pdf", "output", "cache", "build", "fuzz", "cmd", "cli", "main",
];

/// The module path of a file: `src/cite/bib/mod.rs` -> `["cite", "bib"]`.
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts.last().is_some_and(|l| l == "mod" || l == "lib") {
        parts.pop();
    }
    parts
}

/// The code of a file without comments, string contents and `#[cfg(test)]` modules.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if t.starts_with("#[cfg(test)]") {
            // A test module, inline (skipped to its closing brace) or in its own file.
            let Some(next) = lines.next() else { break };
            if next.trim_end().ends_with('{') {
                let indent = next.len() - next.trim_start().len();
                for l in lines.by_ref() {
                    if l.len() - l.trim_start().len() == indent && l.trim() == "}" {
                        break;
                    }
                }
            }
            continue;
        }
        if t.starts_with("//") {
            continue;
        }
        let code = match line.find("//") {
            Some(i) if !line[..i].contains('"') => &line[..i],
            _ => line,
        };
        out.push_str(code);
        out.push('\n');
    }
    out
}

/// The modules a file's code names: `crate::a::b`, `crate::{a, b::c}`, `super::x`, `self::x`,
/// each as a full module path as far as it names modules that exist.
fn uses(code: &str, here: &[String], modules: &BTreeSet<Vec<String>>) -> BTreeSet<Vec<String>> {
    let mut found = BTreeSet::new();
    let bytes = code.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        let start: Option<(Vec<String>, usize)> = if rest.starts_with(b"crate::") {
            Some((Vec::new(), 7))
        } else if rest.starts_with(b"super::") {
            // In `a/b.rs` (module a::b), `super` is `a`; in `a/mod.rs` (module a), it is the
            // crate root. Repeated `super::` climbs further.
            let mut base = here.to_vec();
            let mut len = 0;
            while bytes[i + len..].starts_with(b"super::") {
                base.pop();
                len += 7;
            }
            Some((base, len))
        } else if rest.starts_with(b"self::") {
            Some((here.to_vec(), 6))
        } else {
            None
        };
        let preceded = i > 0 && (ident(bytes[i - 1]) || bytes[i - 1] == b':');
        match start {
            Some((base, len)) if !preceded => {
                for path in paths_after(&code[i + len..]) {
                    let mut m = base.clone();
                    let mut best = None;
                    for seg in path {
                        m.push(seg);
                        if modules.contains(&m) {
                            best = Some(m.clone());
                        }
                    }
                    found.extend(best);
                }
                i += len;
            }
            _ => i += 1,
        }
    }
    found
}

/// The paths after `crate::`: `a::b::C` gives one, `{a, b::{c, d}}` gives each.
fn paths_after(s: &str) -> Vec<Vec<String>> {
    let mut out = Vec::new();
    let mut prefix: Vec<Vec<String>> = vec![Vec::new()];
    let mut current: Vec<String> = Vec::new();
    let mut word = String::new();
    let mut depth = 0usize;
    let flush = |word: &mut String, current: &mut Vec<String>| {
        if !word.is_empty() {
            current.push(std::mem::take(word));
        }
    };
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_ascii_alphanumeric() || c == '_' => word.push(c),
            ':' if chars.peek() == Some(&':') => {
                chars.next();
                flush(&mut word, &mut current);
            }
            '{' => {
                flush(&mut word, &mut current);
                let mut p = prefix.last().cloned().unwrap_or_default();
                p.append(&mut current);
                prefix.push(p);
                depth += 1;
            }
            ',' | '}' if depth > 0 => {
                flush(&mut word, &mut current);
                let mut p = prefix.last().cloned().unwrap_or_default();
                p.append(&mut current);
                out.push(p);
                if c == '}' {
                    prefix.pop();
                    depth -= 1;
                    if depth == 0 {
                        return out;
                    }
                }
            }
            ' ' | '\n' if depth > 0 => {}
            _ => {
                if depth == 0 {
                    break;
                }
                // `as name`, `*` and the like inside braces: the path so far stands.
                flush(&mut word, &mut current);
            }
        }
    }
    flush(&mut word, &mut current);
    out.push(current);
    out
}

fn source_files(src: &Path) -> BTreeMap<PathBuf, String> {
    walkdir::WalkDir::new(src)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "rs"))
        // Files that exist only for tests.
        .filter(|e| e.file_name() != "testutil.rs" && e.file_name() != "house.rs")
        .filter_map(|e| {
            let rel = e.path().strip_prefix(src).ok()?.to_path_buf();
            Some((rel, std::fs::read_to_string(e.path()).ok()?))
        })
        .collect()
}

/// Every file's imports, as file -> module paths.
fn graph(src: &Path) -> BTreeMap<Vec<String>, BTreeSet<Vec<String>>> {
    let files = source_files(src);
    let modules: BTreeSet<Vec<String>> = files.keys().map(|f| module_of(f)).collect();
    files
        .iter()
        .map(|(rel, text)| {
            let here = module_of(rel);
            let mut used = uses(&code_of(text), &here, &modules);
            used.remove(&here);
            (here, used)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
    }

    #[test]
    fn no_module_uses_a_module_above_it() {
        let g = graph(&src());
        let rank = |m: &[String]| {
            LAYERS
                .iter()
                .position(|l| m.first().map(String::as_str) == Some(l))
        };
        let mut wrong = Vec::new();
        for (file, used) in &g {
            if file.is_empty() {
                continue; // lib.rs declares every module
            }
            let Some(mine) = rank(file) else {
                wrong.push(format!("{} is not in LAYERS", file.join("::")));
                continue;
            };
            for u in used {
                match rank(u) {
                    Some(theirs) if theirs <= mine => {}
                    _ => wrong.push(format!("{} uses {}", file.join("::"), u.join("::"))),
                }
            }
        }
        assert!(
            wrong.is_empty(),
            "imports that run up the layers:\n{}",
            wrong.join("\n")
        );
    }

    #[test]
    fn no_two_files_import_each_other() {
        let g = graph(&src());
        // Depth-first search for a back edge; report the circle it closes.
        fn visit(
            m: &Vec<String>,
            g: &BTreeMap<Vec<String>, BTreeSet<Vec<String>>>,
            state: &mut BTreeMap<Vec<String>, u8>,
            stack: &mut Vec<Vec<String>>,
        ) -> Option<Vec<String>> {
            state.insert(m.clone(), 1);
            stack.push(m.clone());
            for n in g.get(m).into_iter().flatten() {
                match state.get(n) {
                    Some(1) => {
                        let at = stack.iter().position(|s| s == n).unwrap_or(0);
                        return Some(stack[at..].iter().map(|s| s.join("::")).collect());
                    }
                    Some(_) => {}
                    None => {
                        if let Some(c) = visit(n, g, state, stack) {
                            return Some(c);
                        }
                    }
                }
            }
            stack.pop();
            state.insert(m.clone(), 2);
            None
        }
        let mut state = BTreeMap::new();
        for m in g.keys().filter(|m| !m.is_empty()) {
            if !state.contains_key(m) {
                let circle = visit(m, &g, &mut state, &mut Vec::new());
                assert!(circle.is_none(), "files that import each other: {circle:?}");
            }
        }
    }

    #[test]
    fn the_reader_sees_every_form_of_import() {
        let modules: BTreeSet<Vec<String>> = [
            vec!["cite".to_string()],
            vec!["cite".into(), "scan".into()],
            vec!["model".into()],
            vec!["util".into()],
            vec!["render".into()],
            vec!["render".into(), "site".into()],
        ]
        .into_iter()
        .collect();
        let here = vec!["render".to_string(), "variant".to_string()];
        let code = "use crate::{cite::scan::{self, Scan}, model::Site};\nlet x = crate::util::f();\nuse super::site::X;\n";
        let got = uses(code, &here, &modules);
        let want: BTreeSet<Vec<String>> = [
            vec!["cite".to_string(), "scan".into()],
            vec!["model".into()],
            vec!["util".into()],
            vec!["render".into(), "site".into()],
        ]
        .into_iter()
        .collect();
        assert_eq!(got, want);
        // Comments and test modules do not count.
        let code = "/// see crate::model\nfn f() {}\n#[cfg(test)]\nmod tests {\n    use crate::model::Site;\n}\n";
        assert!(uses(&code_of(code), &here, &modules).is_empty());
    }

    #[test]
    fn a_module_that_imports_upward_is_found() {
        // The check itself must be able to fail: a lower module naming a higher one.
        let rank = |m: &str| LAYERS.iter().position(|l| *l == m);
        assert!(rank("cite") < rank("build"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cite")).unwrap();
        std::fs::write(dir.path().join("cite/mod.rs"), "use crate::build::run;\n").unwrap();
        std::fs::write(dir.path().join("build.rs"), "use crate::cite::x;\n").unwrap();
        let g = graph(dir.path());
        assert!(g[&vec!["cite".to_string()]].contains(&vec!["build".to_string()]));
        assert!(g[&vec!["build".to_string()]].contains(&vec!["cite".to_string()]));
    }
}
