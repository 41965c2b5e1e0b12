//! The server's own pages as Tera templates: `serve/handout.html` (the handout form),
//! `serve/overlay.html` (a failed build's errors over each page) and `serve/shell.html` (the
//! pages of the server: not built yet, not found, form unavailable). They are built in, and a
//! site's `templates/serve/NAME` replaces the one of that name, as `templates/NAME` does for
//! the site's pages (`render::site::Templates`). Values are escaped by autoescape with the
//! site's escape function.
//!
//! A template decides wording and markup only. What keeps patients' data safe stays in the
//! server's code, whatever a site's template says: the headers (`no-store`, no referrer, the
//! form posting only to this server), the limits, the Host check, and which pages get the
//! reload script. A site's template that fails gives way to the built-in one.

use std::path::{Path, PathBuf};

use tera::{Context, Tera};

use crate::diag::{Category, Diagnostic};

pub const HANDOUT: &str = "serve/handout.html";
pub const OVERLAY: &str = "serve/overlay.html";
pub const SHELL: &str = "serve/shell.html";

const BUILTIN: &[(&str, &str)] = &[
    (
        HANDOUT,
        include_str!("../../../templates/serve/handout.html"),
    ),
    (
        OVERLAY,
        include_str!("../../../templates/serve/overlay.html"),
    ),
    (SHELL, include_str!("../../../templates/serve/shell.html")),
];

/// The folder, under the site's templates, whose files replace the built-in ones.
fn dir_rel() -> PathBuf {
    Path::new(crate::paths::TEMPLATE_DIR).join(crate::paths::SERVE_TEMPLATES)
}

fn new_tera() -> Tera {
    let mut tera = Tera::default();
    tera.autoescape_on([".html"]);
    tera.set_escape_fn(crate::util::escape_html_to);
    tera
}

pub struct ServeTemplates {
    /// The built-in templates with the site's laid over them.
    site: Tera,
    /// The built-in templates alone, for when a site's template fails.
    builtin: Tera,
    /// The names the site replaced.
    replaced: Vec<String>,
    /// The site's template files as read, to tell whether they changed since the last build.
    pub sources: Vec<(String, String)>,
}

impl ServeTemplates {
    pub fn builtin() -> ServeTemplates {
        let mut builtin = new_tera();
        builtin
            .add_raw_templates(BUILTIN.iter().copied())
            .expect("the built-in serve templates parse");
        ServeTemplates {
            site: builtin.clone(),
            builtin,
            replaced: Vec::new(),
            sources: Vec::new(),
        }
    }

    /// The built-in templates with the site's `templates/serve/*.html` laid over them; the
    /// problems found, as warnings (the built-in templates are used instead).
    pub fn load(root: &Path) -> (ServeTemplates, Vec<Diagnostic>) {
        let mut t = ServeTemplates::builtin();
        let rel_dir = dir_rel();
        let dir = root.join(&rel_dir);
        if !dir.is_dir() {
            return (t, Vec::new());
        }
        if let Some(d) = crate::paths::check_inside(&dir, root, &rel_dir, "template/outside-site") {
            return (t, vec![d.with_severity(crate::diag::Severity::Warning)]);
        }
        let mut entries: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
            Err(e) => {
                let msg = format!("cannot read {}/: {e}", rel_dir.display());
                return (t, vec![warn("io/read", msg, &rel_dir)]);
            }
        };
        entries.sort();
        let mut problems = Vec::new();
        let mut sources: Vec<(String, String)> = Vec::new();
        let mut read: Vec<(String, String)> = Vec::new();
        for path in entries {
            let Some((rel, name, text)) = read_template(&path, root, &rel_dir, &mut problems)
            else {
                continue;
            };
            read.push((name.clone(), text.clone()));
            match syntax_error(&name, &text, &rel) {
                Some(d) => problems.push(d),
                None => sources.push((name, text)),
            }
        }
        if !sources.is_empty() {
            let mut site = t.builtin.clone();
            match site.add_raw_templates(sources.iter().map(|(n, s)| (n.as_str(), s.as_str()))) {
                Ok(()) => {
                    t.replaced = sources.into_iter().map(|(n, _)| n).collect();
                    t.site = site;
                }
                Err(e) => problems.push(warn(
                    "template/syntax",
                    format!(
                        "the templates in {}/ do not fit together, so the built-in ones are used: {}",
                        rel_dir.display(),
                        crate::render::templates::error_chain(&e)
                    ),
                    &rel_dir,
                )),
            }
        }
        t.sources = read;
        (t, problems)
    }

    /// Render `name`: the site's template, or the built-in one when the site's fails (said on
    /// stderr, without Tera's message when `private`: it can quote the values, which may be
    /// what was typed into the handout form).
    pub fn render(&self, name: &str, ctx: &Context, private: bool) -> String {
        match self.site.render(name, ctx) {
            Ok(s) => return s,
            Err(e) if self.replaced.iter().any(|r| r == name) => {
                let file = dir_rel().join(name.trim_start_matches("serve/"));
                if private {
                    eprintln!(
                        "careguide serve: {} failed, so the built-in one was used (the reason is not shown: it may quote what was typed into the form; open the form without sending it to see it)",
                        file.display()
                    );
                } else {
                    eprintln!(
                        "careguide serve: {} failed, so the built-in one was used: {}",
                        file.display(),
                        crate::render::templates::error_chain(&e)
                    );
                }
            }
            Err(_) => {}
        }
        match self.builtin.render(name, ctx) {
            Ok(s) => s,
            // A bug of careguide's: the context does not fit the built-in template.
            Err(e) if !private => format!(
                "<!doctype html>\n<title>careguide serve</title>\n<p>The built-in template {name} failed: {}</p>\n",
                crate::util::escape_html(&crate::render::templates::error_chain(&e))
            ),
            Err(_) => format!(
                "<!doctype html>\n<title>careguide serve</title>\n<p>The built-in template {name} failed.</p>\n"
            ),
        }
    }
}

/// A problem with the site's serve templates: a warning, as the built-in ones are used instead.
fn warn(rule: &str, msg: String, file: &Path) -> Diagnostic {
    Diagnostic::warning(rule, msg)
        .in_file(file)
        .category(Category::Config)
}

/// One file of the site's `templates/serve/`, as (its path from the root, its template name, its
/// text); `None` for what is not an HTML file, and for a file outside the site or that cannot
/// be read (said in `problems`).
fn read_template(
    path: &Path,
    root: &Path,
    rel_dir: &Path,
    problems: &mut Vec<Diagnostic>,
) -> Option<(PathBuf, String, String)> {
    let file = path.file_name().and_then(|n| n.to_str())?;
    if !file.ends_with(".html") || !path.is_file() {
        return None;
    }
    let rel = rel_dir.join(file);
    if let Some(d) = crate::paths::check_inside(path, root, &rel, "template/outside-site") {
        problems.push(d.with_severity(crate::diag::Severity::Warning));
        return None;
    }
    match crate::util::read_file_to_string(path) {
        Ok(text) => Some((rel, format!("serve/{file}"), text)),
        Err(e) => {
            let msg = format!("cannot read {}: {e}", rel.display());
            problems.push(warn("template/read", msg, &rel));
            None
        }
    }
}

/// The warning for a template with a syntax error, parsed alone to place it in its file.
fn syntax_error(name: &str, text: &str, rel: &Path) -> Option<Diagnostic> {
    let mut probe = new_tera();
    let e = probe.add_raw_template(name, text).err()?;
    let (_, line, column, message) = crate::render::templates::report_of(&e)?;
    let msg = format!("template {name} has a syntax error, so the built-in one is used: {message}");
    Some(warn("template/syntax", msg, rel).at(rel, line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_replaces_a_template_and_a_broken_one_gives_way() {
        let dir = tempfile::tempdir().unwrap();
        let serve = dir.path().join("templates/serve");
        std::fs::create_dir_all(&serve).unwrap();
        std::fs::write(
            serve.join("shell.html"),
            "<h1>{{ title }}</h1><p>Ours: {{ path }}</p>",
        )
        .unwrap();
        std::fs::write(serve.join("overlay.html"), "{% if %}").unwrap();
        let (t, problems) = ServeTemplates::load(dir.path());
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("serve/overlay.html"));
        let mut ctx = Context::new();
        ctx.insert("title", "Not <found>");
        ctx.insert("kind", "not-found");
        ctx.insert("path", "/a&b");
        assert_eq!(
            t.render(SHELL, &ctx, false),
            "<h1>Not &lt;found&gt;</h1><p>Ours: /a&amp;b</p>"
        );
        // One that fails while rendering: the built-in one answers.
        std::fs::write(serve.join("shell.html"), "{{ missing.field }}").unwrap();
        let (t, problems) = ServeTemplates::load(dir.path());
        assert_eq!(problems.len(), 1);
        let html = t.render(SHELL, &ctx, true);
        assert!(html.contains("Not &lt;found&gt;"), "{html}");
    }
}
