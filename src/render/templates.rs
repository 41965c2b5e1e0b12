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
    /// Each template's file in the site (`None` for careguide's own), to place render errors.
    files: BTreeMap<String, Option<PathBuf>>,
    /// Whether `page.html` and `base.html` are careguide's own (the site has none of its own,
    /// or copies identical to them): they use `root` only as a prefix of the URLs they write.
    builtin_pages: bool,
    assets: Vec<(String, Vec<u8>)>,
    /// The interface strings of every language, the site's `i18n/` tables laid over
    /// careguide's (see [`crate::i18n`]).
    catalog: crate::i18n::Catalog,
}

/// Where a Tera error is and what it says: the template's name, the 1-based line and column,
/// and the message without the source excerpt Tera's own report draws around it. `None` for
/// errors without a place (a template extending one that does not exist).
pub(crate) fn report_of(e: &tera::Error) -> Option<(&str, usize, usize, &str)> {
    match e.kind() {
        tera::ErrorKind::SyntaxError(r) | tera::ErrorKind::RenderingError(r) => {
            let span = r.span();
            Some((
                r.filename(),
                span.start_line,
                span.start_col + 1,
                r.message(),
            ))
        }
        _ => None,
    }
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
        tera.autoescape_on([".html"]);
        tera.set_escape_fn(crate::util::escape_html_to);
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
            // What Tera finds once the templates are put together (a filter no one defines,
            // a block the parent template does not have), each placed in its template.
            let placed: Vec<Diagnostic> = reports_in(&e.to_string())
                .into_iter()
                .map(|(name, line, column, message)| {
                    let file = sources.get(&name).and_then(|(f, _)| f.as_deref());
                    Diagnostic::error(
                        "template/syntax",
                        format!("template {name} has an error: {message}"),
                    )
                    .at(template_file(&name, file), line, column)
                    .category(Category::Config)
                    .hint("Tera's filters and tests are listed at keats.github.io/tera (careguide adds none); a block must be in the template extended")
                })
                .collect();
            if !placed.is_empty() {
                return Err(placed);
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
        let files = sources.into_iter().map(|(n, (f, _))| (n, f)).collect();
        Ok(Templates {
            tera,
            files,
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

    /// Render `name` with `vars` and the words in `t` (unless `vars` sets `t` itself). The
    /// words (some 350 strings) are made into the template engine's value once per thread and
    /// language, and shared by every file after: serializing them for every file cost more
    /// than a third of rendering it.
    pub(crate) fn render_with(
        &self,
        name: &str,
        words: &Strings,
        mut vars: Context,
    ) -> Result<String, Diagnostic> {
        if !vars.contains_key("t") {
            vars.insert_value("t", words_value(words));
        }
        self.render(name, &vars)
    }

    pub(crate) fn render(&self, name: &str, ctx: &Context) -> Result<String, Diagnostic> {
        self.tera.render(name, ctx).map_err(|e| {
            let d = match report_of(&e) {
                // Placed in the template that failed, which may be the one `name` extends.
                Some((at, line, column, message)) => {
                    let file = self.files.get(at).cloned().flatten();
                    Diagnostic::error(
                        "template/render",
                        format!("template {name} failed: {message}"),
                    )
                    .at(template_file(at, file.as_deref()), line, column)
                }
                None => Diagnostic::error(
                    "template/render",
                    format!("template {name} failed: {}", error_chain(&e)),
                )
                .in_file(PathBuf::from(TEMPLATE_DIR).join(name)),
            };
            d.category(Category::Config)
                .hint("a variable the template uses may be missing; see the README for what each template receives")
        })
    }
}

thread_local! {
    /// The words of the language this thread last rendered a file in, as the template
    /// engine's value (see [`Templates::render_with`]).
    static WORDS: std::cell::RefCell<Option<(Strings, tera::Value)>> =
        const { std::cell::RefCell::new(None) };
}

/// `words` as the template engine's value: this thread's, if it is the same table (a shared
/// value, copied by reference), else made and kept.
fn words_value(words: &Strings) -> tera::Value {
    WORDS.with(|cell| {
        let mut slot = cell.borrow_mut();
        match slot.as_ref() {
            Some((w, v)) if w.same_table(words) => v.clone(),
            _ => {
                let v = tera::Value::from_serializable(words);
                *slot = Some((words.clone(), v.clone()));
                v
            }
        }
    })
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

/// The errors in a message of Tera reports, each `error: MESSAGE` followed by
/// ` --> TEMPLATE:LINE:COLUMN` (1-based), as (template, line, column, message).
fn reports_in(text: &str) -> Vec<(String, usize, usize, String)> {
    let mut found = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(line) = lines.next() {
        let Some(message) = line.strip_prefix("error: ") else {
            continue;
        };
        let Some(place) = lines
            .peek()
            .and_then(|l| l.trim_start().strip_prefix("--> "))
        else {
            continue;
        };
        let mut parts = place.rsplitn(3, ':');
        let (Some(c), Some(l), Some(name)) = (parts.next(), parts.next(), parts.next()) else {
            continue;
        };
        if let (Ok(l), Ok(c)) = (l.trim().parse(), c.trim().parse()) {
            found.push((name.to_string(), l, c, message.to_string()));
        }
    }
    found
}

/// A syntax error in one template, placed in its file. Alone, a child template cannot find its
/// parent: only errors Tera places in the file count here.
fn syntax_problem(name: &str, file: Option<&Path>, text: &str) -> Option<Diagnostic> {
    let mut probe = Tera::default();
    let e = probe.add_raw_template(name, text).err()?;
    let (_, line, column, message) = report_of(&e)?;
    Some(
        Diagnostic::error(
            "template/syntax",
            format!("template {name} has a syntax error: {message}"),
        )
        .at(template_file(name, file), line, column)
        .category(Category::Config)
        .hint("Tera syntax: {{ variable }}, {% if .. %}..{% endif %}, {% for x in list %}..{% endfor %}"),
    )
}

/// The file a template comes from: the site's, or careguide's own.
fn template_file(name: &str, file: Option<&Path>) -> PathBuf {
    file.map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(format!("<built-in {name}>")))
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
    fn reports_are_read_from_tera_messages() {
        let text = "error: Unknown filter `nope`\n --> page.html:3:17\n  |\n3 | {{ x | nope }}\n\n\
                    error: Block `meta` is not defined in any parent template\n --> serve/a.html:1:10\n";
        assert_eq!(
            reports_in(text),
            [
                (
                    "page.html".to_string(),
                    3,
                    17,
                    "Unknown filter `nope`".to_string()
                ),
                (
                    "serve/a.html".to_string(),
                    1,
                    10,
                    "Block `meta` is not defined in any parent template".to_string()
                ),
            ]
        );
        assert!(reports_in("Template 'x' not found").is_empty());
    }

    /// Errors carry their template's line and column: a syntax error in the file that has
    /// it, a render error in the template that failed (here the base a page extends).
    #[test]
    fn errors_are_placed_at_their_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let templates = dir.path().join("templates");
        std::fs::create_dir_all(&templates).unwrap();
        std::fs::write(templates.join("index.html"), "<p>ok</p>\n<p>{{ x }</p>").unwrap();
        let d = Templates::load(dir.path()).err().unwrap();
        assert_eq!(d.len(), 1, "{d:?}");
        let index = PathBuf::from("templates/index.html");
        assert_eq!((d[0].file.as_ref(), d[0].line), (Some(&index), 2), "{d:?}");
        assert!(d[0].column > 1, "{d:?}");
        std::fs::write(templates.join("index.html"), "ok").unwrap();
        std::fs::write(
            templates.join("base.html"),
            "<main>\n{{ missing.field }}\n{% block title %}{% endblock title %}\
             {% block meta %}{% endblock meta %}{% block main %}{% endblock main %}</main>",
        )
        .unwrap();
        std::fs::write(
            templates.join("page.html"),
            "{% extends \"base.html\" %}{% block main %}x{% endblock main %}",
        )
        .unwrap();
        let t = Templates::load(dir.path()).unwrap();
        let d = t.render("page.html", &Context::new()).err().unwrap();
        assert_eq!(d.rule, "template/render");
        let base = PathBuf::from("templates/base.html");
        assert_eq!(
            (d.file.as_ref(), d.line, d.column),
            (Some(&base), 2, 4),
            "{d:?}"
        );
        assert!(
            d.message.starts_with("template page.html failed: "),
            "{d:?}"
        );
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
