//! Stage 5: the Tera templates. The defaults in `templates/` are compiled into the binary; a
//! site's own `templates/NAME` replaces the default of that name. Templates named `.html` are
//! autoescaped; the site files (`sitemap.xml`, `feed.xml`, `robots.txt`) are given values
//! already escaped for XML.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use tera::{Context, Tera};

use crate::diag::{Category, Diagnostic};
use crate::i18n::Strings;
use crate::paths::TEMPLATE_DIR;
use crate::util::escape_html;

/// Built-in templates: (name, text). Names ending in `.html` are autoescaped.
const BUILTIN: &[(&str, &str)] = &[
    ("base.html", include_str!("../../templates/base.html")),
    ("page.html", include_str!("../../templates/page.html")),
    ("index.html", include_str!("../../templates/index.html")),
    ("topic.html", include_str!("../../templates/topic.html")),
    ("search.html", include_str!("../../templates/search.html")),
    // Site files: their values come escaped for XML (see `render::feeds`).
    ("sitemap.xml", include_str!("../../templates/sitemap.xml")),
    ("feed.xml", include_str!("../../templates/feed.xml")),
    ("robots.txt", include_str!("../../templates/robots.txt")),
    // The editorial board's report.
    (
        "editorial.html",
        include_str!("../../templates/editorial.html"),
    ),
];

/// Static files copied to `assets/`: (name, default bytes).
const ASSETS: &[(&str, &str)] = &[
    ("style.css", include_str!("../../templates/style.css")),
    ("search.js", include_str!("../../templates/search.js")),
];

/// The site's templates, compiled: the built-in ones with the site's own laid over them.
pub struct Templates {
    tera: Tera,
    /// Whether `page.html` and `base.html` are careguide's own (the site has none of its own,
    /// or copies identical to them): they use `root` only as a prefix of the URLs they write.
    builtin_pages: bool,
    assets: Vec<(String, Vec<u8>)>,
    /// The interface strings of every language, the site's `i18n/` tables laid over
    /// careguide's (see [`crate::i18n`]).
    catalog: crate::i18n::Catalog,
}

/// `--> 3:5` in a Tera parse error, as (line, column).
fn tera_position(msg: &str) -> Option<(usize, usize)> {
    let at = msg.find("--> ")? + 4;
    let rest = &msg[at..];
    let end = rest
        .find(|c: char| !(c.is_ascii_digit() || c == ':'))
        .unwrap_or(rest.len());
    let (l, c) = rest[..end].split_once(':')?;
    Some((l.parse().ok()?, c.parse().ok()?))
}

pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut parts = vec![e.to_string()];
    let mut cur = e.source();
    while let Some(s) = cur {
        parts.push(s.to_string());
        cur = s.source();
    }
    parts.join(": ")
}

impl Templates {
    /// The built-in templates with the site's own `templates/` files laid over them.
    pub fn load(root: &Path) -> Result<Templates, Vec<Diagnostic>> {
        let mut sources: Sources = BUILTIN
            .iter()
            .map(|(n, t)| (n.to_string(), (None, t.to_string())))
            .collect();
        let mut assets: Vec<(String, Vec<u8>)> = ASSETS
            .iter()
            .map(|(n, t)| (n.to_string(), t.as_bytes().to_vec()))
            .collect();
        let mut problems = read_site_templates(root, &mut sources, &mut assets)?;
        let catalog = match crate::i18n::Catalog::load(root) {
            Ok(c) => c,
            Err(d) => {
                problems.extend(d);
                crate::i18n::Catalog::builtin()
            }
        };
        let mut tera = Tera::default();
        tera.autoescape_on(vec![".html"]);
        tera.set_escape_fn(escape_html);
        // Each file alone, to place a syntax error in the file that has it. Templates that
        // all parse together have none, so this runs only when something is wrong (each
        // parse of the templates is some 10 ms of a build's start).
        let syntax_problems = |sources: &Sources| -> Vec<Diagnostic> {
            sources
                .iter()
                .filter_map(|(name, (file, text))| syntax_problem(name, file.as_deref(), text))
                .collect()
        };
        if !problems.is_empty() {
            problems.extend(syntax_problems(&sources));
            return Err(problems);
        }
        let builtin_pages = ["page.html", "base.html"].iter().all(|name| {
            let builtin = BUILTIN.iter().find(|(n, _)| n == name).map(|(_, t)| *t);
            sources.get(*name).map(|(_, t)| t.as_str()) == builtin
        });
        let all: Vec<(&str, &str)> = sources
            .iter()
            .map(|(n, (_, t))| (n.as_str(), t.as_str()))
            .collect();
        if let Err(e) = tera.add_raw_templates(all) {
            let problems = syntax_problems(&sources);
            if !problems.is_empty() {
                return Err(problems);
            }
            return Err(vec![Diagnostic::error(
                "template/syntax",
                format!("templates do not fit together: {}", error_chain(&e)),
            )
            .in_file(TEMPLATE_DIR)
            .category(Category::Config)
            .hint(
                "check that every {% extends %} and {% include %} names an existing template",
            )]);
        }
        Ok(Templates {
            tera,
            builtin_pages,
            assets,
            catalog,
        })
    }

    /// Whether the page templates are careguide's own, which write `root` only as the start
    /// of a URL: a page rendered for one folder is then the page for another with `root`
    /// replaced (see `render::site::render_page`).
    pub fn builtin_pages(&self) -> bool {
        self.builtin_pages
    }

    /// The interface strings of a language (English standing in for one without a table).
    pub fn strings(&self, lang: &str) -> crate::i18n::Strings {
        self.catalog.strings(lang).0
    }

    /// Every language's interface strings.
    pub fn catalog(&self) -> &crate::i18n::Catalog {
        &self.catalog
    }

    /// The static files copied to `assets/`: (name, bytes).
    pub fn assets(&self) -> &[(String, Vec<u8>)] {
        &self.assets
    }

    /// Render `name` with `vars` and the words in `t`. The words (some 350 strings) stay in a
    /// context this thread keeps between files of the same language: serializing them for
    /// every file, or copying them, cost more than a third of rendering the file.
    pub(crate) fn render_with(
        &self,
        name: &str,
        words: &Strings,
        vars: Context,
    ) -> Result<String, Diagnostic> {
        WORDS.with(|cell| {
            let Ok(mut slot) = cell.try_borrow_mut() else {
                // Already in use further up this thread's stack (not expected): a context of
                // its own.
                let mut ctx = vars;
                ctx.insert("t", words);
                return self.render(name, &ctx);
            };
            let kept = match slot.take() {
                Some((w, ctx)) if w.same_table(words) => (w, ctx),
                _ => {
                    let mut ctx = Context::new();
                    ctx.insert("t", words);
                    (words.clone(), ctx)
                }
            };
            let (w, mut ctx) = kept;
            let vars = vars.into_json();
            let keys: Vec<String> = vars
                .as_object()
                .map(|m| m.keys().cloned().collect())
                .unwrap_or_default();
            if let Ok(vars) = Context::from_value(vars) {
                ctx.extend(vars);
            }
            let out = self.render(name, &ctx);
            // The next file starts from the words alone; a file that set `t` itself leaves
            // nothing kept.
            for k in &keys {
                ctx.remove(k);
            }
            if !keys.iter().any(|k| k == "t") {
                *slot = Some((w, ctx));
            }
            out
        })
    }

    pub(crate) fn render(&self, name: &str, ctx: &Context) -> Result<String, Diagnostic> {
        self.tera.render(name, ctx).map_err(|e| {
            Diagnostic::error(
                "template/render",
                format!("template {name} failed: {}", error_chain(&e)),
            )
            .in_file(PathBuf::from(TEMPLATE_DIR).join(name))
            .category(Category::Config)
            .hint("a variable the template uses may be missing; see the README for what each template receives")
        })
    }
}

thread_local! {
    /// The words of the language this thread last rendered a file in, in a context of their
    /// own (see [`Templates::render_with`]).
    static WORDS: std::cell::RefCell<Option<(Strings, Context)>> =
        const { std::cell::RefCell::new(None) };
}

/// Templates by name: the site's file (`None` for a built-in one) and the text.
type Sources = BTreeMap<String, (Option<PathBuf>, String)>;

/// Lay the site's own `templates/` files over the built-in templates and assets. Files that
/// cannot be read are the problems returned; a folder that cannot be read, or that leads
/// outside the site, is an error.
fn read_site_templates(
    root: &Path,
    sources: &mut Sources,
    assets: &mut [(String, Vec<u8>)],
) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let mut problems = Vec::new();
    let dir = root.join(TEMPLATE_DIR);
    if let Some(d) =
        crate::paths::check_inside(&dir, root, Path::new(TEMPLATE_DIR), "template/outside-site")
    {
        return Err(vec![d]);
    }
    if !dir.is_dir() {
        return Ok(problems);
    }
    let mut entries: Vec<_> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
        Err(e) => {
            return Err(vec![Diagnostic::error(
                "io/read",
                format!("cannot read {TEMPLATE_DIR}/: {e}"),
            )
            .category(Category::Io)])
        }
    };
    entries.sort();
    for path in entries {
        let Some(name) = path.file_name().and_then(|n| n.to_str()).map(String::from) else {
            continue;
        };
        let rel = PathBuf::from(TEMPLATE_DIR).join(&name);
        if let Some(d) = crate::paths::check_inside(&path, root, &rel, "template/outside-site") {
            problems.push(d);
            continue;
        }
        if let Some(slot) = assets.iter_mut().find(|(n, _)| *n == name) {
            match crate::util::read_file(&path) {
                Ok(b) => slot.1 = b,
                Err(e) => problems.push(
                    Diagnostic::error("io/read", format!("cannot read {}: {e}", rel.display()))
                        .category(Category::Io),
                ),
            }
            continue;
        }
        if !(name.ends_with(".html") || BUILTIN.iter().any(|(n, _)| *n == name)) {
            continue;
        }
        match crate::util::read_file_to_string(&path) {
            Ok(t) => {
                sources.insert(name, (Some(rel), t));
            }
            Err(e) => problems.push(
                Diagnostic::error(
                    "template/read",
                    format!("cannot read {}: {e}", rel.display()),
                )
                .in_file(&rel)
                .category(Category::Config),
            ),
        }
    }
    Ok(problems)
}

/// A syntax error in one template, placed in its file. Alone, a child template cannot find its
/// parent: only syntax errors count here.
fn syntax_problem(name: &str, file: Option<&Path>, text: &str) -> Option<Diagnostic> {
    let mut probe = Tera::default();
    let e = probe.add_raw_template(name, text).err()?;
    let msg = error_chain(&e);
    if !msg.contains("Failed to parse") {
        return None;
    }
    let (l, c) = tera_position(&msg).unwrap_or((0, 0));
    let file = file
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("<built-in {name}>")));
    let detail = msg
        .lines()
        .rfind(|l| !l.trim().is_empty())
        .unwrap_or("syntax error")
        .trim()
        .trim_start_matches("= ")
        .to_string();
    Some(
        Diagnostic::error(
            "template/syntax",
            format!("template {name} has a syntax error: {detail}"),
        )
        .at(file, l, c)
        .category(Category::Config)
        .hint("Tera syntax: {{ variable }}, {% if .. %}..{% endif %}, {% for x in list %}..{% endfor %}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Templates that do not load say why: each syntax error in its own file (the files are
    /// parsed one by one only once loading them together failed), or, when each parses, that
    /// they do not fit together.
    #[test]
    fn templates_that_do_not_load_are_placed() {
        let load = |files: &[(&str, &str)]| {
            let dir = tempfile::tempdir().unwrap();
            std::fs::create_dir_all(dir.path().join("templates")).unwrap();
            for (name, text) in files {
                std::fs::write(dir.path().join("templates").join(name), text).unwrap();
            }
            match Templates::load(dir.path()) {
                Ok(_) => Vec::new(),
                Err(d) => d
                    .iter()
                    .map(|d| format!("{} {:?} {}", d.rule, d.file, d.message))
                    .collect(),
            }
        };
        assert!(load(&[]).is_empty());
        let two = load(&[("page.html", "ok\n{% if %}"), ("index.html", "{{ unclosed")]);
        assert_eq!(two.len(), 2, "{two:?}");
        assert!(two.iter().all(|d| d.starts_with("template/syntax")));
        assert!(two
            .iter()
            .any(|d| d.contains("page.html has a syntax error")));
        assert!(two
            .iter()
            .any(|d| d.contains("index.html has a syntax error")));
        let apart = load(&[("page.html", "{% extends \"nowhere.html\" %}")]);
        assert_eq!(apart.len(), 1, "{apart:?}");
        assert!(
            apart[0].contains("templates do not fit together"),
            "{apart:?}"
        );
    }

    #[test]
    fn tera_positions_are_read_from_messages() {
        assert_eq!(
            tera_position("Failed to parse\n --> 3:7\n  |"),
            Some((3, 7))
        );
        assert_eq!(tera_position("nothing"), None);
    }

    /// The words kept between files: each file sees its own values and the words of its own
    /// language, never a value the file before it set.
    #[test]
    fn kept_words_carry_nothing_from_one_file_to_the_next() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("templates")).unwrap();
        std::fs::write(
            dir.path().join("templates/robots.txt"),
            "{{ x | default(value=\"none\") }} {{ t.page.references }}",
        )
        .unwrap();
        let t = Templates::load(dir.path()).unwrap();
        let (en, es) = (t.strings("en"), t.strings("es"));
        let render = |words: &Strings, x: Option<&str>| {
            let mut vars = Context::new();
            if let Some(x) = x {
                vars.insert("x", x);
            }
            t.render_with("robots.txt", words, vars).unwrap()
        };
        let (refs_en, refs_es) = (en.get("page", "references"), es.get("page", "references"));
        assert_ne!(refs_en, refs_es);
        assert_eq!(render(&en, Some("set")), format!("set {refs_en}"));
        assert_eq!(render(&en, None), format!("none {refs_en}"));
        assert_eq!(render(&es, Some("otro")), format!("otro {refs_es}"));
        assert_eq!(render(&es, None), format!("none {refs_es}"));
        assert_eq!(render(&en, None), format!("none {refs_en}"));
        // A file that sets `t` itself gets its own, and the next file the language's again.
        let mut vars = Context::new();
        vars.insert("t", &serde_json::json!({"page": {"references": "mine"}}));
        assert_eq!(t.render_with("robots.txt", &en, vars).unwrap(), "none mine");
        assert_eq!(render(&en, None), format!("none {refs_en}"));
    }
}
