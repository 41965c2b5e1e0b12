//! Files a published site needs beside its pages: search index and page, sitemap, robots.txt,
//! feed.

use crate::diag::Diagnostic;
use crate::model::{Site, Variant};
use crate::render::templates::Templates;
use crate::render::{feeds, search};
use crate::types::OutputFile;

/// Extra files for the site, derived from the pages and their rendered variants.
pub fn extra_files(
    site: &Site,
    variants: &[Vec<Variant>],
    t: &Templates,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    extra_files_with_index(site, search::index_file(site, variants), t)
}

/// [`extra_files`] with the search index already assembled (from cached page values).
pub fn extra_files_with_index(
    site: &Site,
    index: Vec<u8>,
    t: &Templates,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let made = [
        ("sitemap.xml", feeds::sitemap(site, t)),
        ("robots.txt", feeds::robots(site, t)),
        ("feed.xml", feeds::atom(site, t)),
    ];
    let mut files = Vec::with_capacity(made.len() + 1);
    let mut problems = Vec::new();
    for (path, r) in made {
        match r {
            Ok(text) => files.push(OutputFile::new(path.into(), text.into_bytes())),
            Err(d) => problems.push(d),
        }
    }
    files.push(OutputFile::new(search::INDEX_PATH.into(), index));
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

/// A small site on disk for the unit tests of the search index, sitemap and feed.
#[cfg(test)]
pub(crate) mod testsite {
    use crate::diag::Diagnostics;
    use crate::model::{Site, Variant};

    /// The built-in templates alone.
    pub fn builtin() -> crate::render::templates::Templates {
        crate::render::templates::Templates::load(std::path::Path::new("/nonexistent"))
            .expect("built-in templates")
    }

    pub const CONFIG: &str = r#"title = "Care <script>alert(1)</script> & co"
clinic = "Smith & Jones \"Clinic\""
base_url = "https://care.example.org/clinic"
default_audience = "patient"

[[audiences]]
id = "patient"
label = "Patient"
plain = true
disclaimer = "Talk to your care team."

[[audiences]]
id = "clinician"
label = "Healthcare professional"
disclaimer = "For professionals."
"#;

    pub const PAGE_A: &str = r#"---
title: "Tapering <b>safely</b> & slowly"
summary: Go slowly [@a].
topics: [Kratom & co]
updated: 2025-10-07
review:
  status: approved
  reviewers: ["A. Reviewer, MD"]
  last_reviewed: 2025-11-01
references:
  - id: a
    authors: ["Weiss ST"]
    title: A title
    journal: J Addict Med
    year: 2021
  - id: b
    authors: ["Smith KE"]
    title: Another title
    journal: J Addict Med
    year: 2022
---

## Before starting

Lower the dose in small steps.[@a] Ask the clinic first.

- A bullet with a claim [@b].

::: clinician
Only clinicians read this sentence.
:::
"#;

    pub const PAGE_B: &str = r#"---
title: Second page
summary: Nothing cited.
updated: 2025-12-24
review:
  status: draft
---

Plain text.
"#;

    /// Write the site into a temporary folder and load it with its variants.
    pub fn load(pages: &[(&str, &str)]) -> (tempfile::TempDir, Site, Vec<Vec<Variant>>) {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir_all(dir.path().join("content")).expect("content dir");
        std::fs::write(dir.path().join("careguide.toml"), CONFIG).expect("config");
        for (name, text) in pages {
            std::fs::write(dir.path().join("content").join(name), text).expect("page");
        }
        let mut diags = Diagnostics::new();
        let site = crate::model::load(dir.path(), &mut diags).expect("site loads");
        assert!(!diags.has_errors(), "{diags:?}");
        let formatter =
            crate::cite::style::Formatter::new(&site.config.citations.style, dir.path())
                .expect("formatter");
        let variants = site
            .pages
            .iter()
            .map(|doc| {
                let mut d = Diagnostics::new();
                let lib = crate::resolve::Library::empty(dir.path());
                let r = crate::resolve::resolve(doc, &site.config, &lib, &mut d);
                doc.audiences
                    .iter()
                    .map(|a| {
                        crate::render::variant::variant(&r, a, &|refs| {
                            formatter.format_in(refs, doc.lang.as_str())
                        })
                    })
                    .collect()
            })
            .collect();
        (dir, site, variants)
    }

    /// A strict enough XML well-formedness check for the files we write: one root element,
    /// balanced and properly nested tags, quoted attributes, only the five named entities or
    /// numeric references, no stray `<` or `&`.
    pub fn check_xml(xml: &str) -> Result<(), String> {
        let body = xml
            .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .ok_or("no XML declaration")?;
        let mut stack: Vec<String> = Vec::new();
        let mut roots = 0;
        let mut rest = body;
        while let Some(i) = rest.find(['<', '&']) {
            check_text(&rest[..i])?;
            rest = &rest[i..];
            if rest.starts_with('&') {
                let end = rest.find(';').ok_or("unterminated entity")?;
                let name = &rest[1..end];
                let ok = matches!(name, "amp" | "lt" | "gt" | "quot" | "apos")
                    || name.strip_prefix('#').is_some_and(|n| {
                        n.strip_prefix('x').map_or_else(
                            || n.parse::<u32>().is_ok(),
                            |h| u32::from_str_radix(h, 16).is_ok(),
                        )
                    });
                if !ok {
                    return Err(format!("bad entity &{name};"));
                }
                rest = &rest[end + 1..];
                continue;
            }
            let end = rest.find('>').ok_or("unterminated tag")?;
            let tag = &rest[1..end];
            rest = &rest[end + 1..];
            if let Some(name) = tag.strip_prefix('/') {
                let open = stack.pop().ok_or(format!("stray </{name}>"))?;
                if open != name.trim() {
                    return Err(format!("<{open}> closed by </{name}>"));
                }
                continue;
            }
            let self_closing = tag.ends_with('/');
            let tag = tag.trim_end_matches('/');
            let name_end = tag.find(char::is_whitespace).unwrap_or(tag.len());
            let name = &tag[..name_end];
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_alphanumeric() || ":_-.".contains(c))
            {
                return Err(format!("bad tag name in <{tag}>"));
            }
            check_attrs(&tag[name_end..])?;
            if stack.is_empty() {
                roots += 1;
            }
            if !self_closing {
                stack.push(name.to_string());
            }
        }
        check_text(rest)?;
        if !stack.is_empty() {
            return Err(format!("unclosed {stack:?}"));
        }
        if roots != 1 {
            return Err(format!("{roots} root elements"));
        }
        Ok(())
    }

    fn check_text(t: &str) -> Result<(), String> {
        if t.contains('>') && t.contains("]]>") {
            return Err("]]> in text".into());
        }
        Ok(())
    }

    fn check_attrs(mut a: &str) -> Result<(), String> {
        loop {
            a = a.trim_start();
            if a.is_empty() {
                return Ok(());
            }
            let eq = a.find('=').ok_or(format!("attribute without value: {a}"))?;
            let rest = &a[eq + 1..];
            let v = rest
                .strip_prefix('"')
                .ok_or(format!("unquoted attribute: {a}"))?;
            let close = v.find('"').ok_or("unterminated attribute")?;
            let value = &v[..close];
            if value.contains('<') {
                return Err(format!("< in attribute {value}"));
            }
            if let Some(i) = value.find('&') {
                if !value[i..].contains(';') {
                    return Err(format!("bare & in attribute {value}"));
                }
            }
            a = &v[close + 1..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testsite::*;
    use super::*;

    #[test]
    fn extra_files_are_all_there_and_the_search_page_is_escaped() {
        let (_dir, site, variants) = load(&[("a.md", PAGE_A), ("b.md", PAGE_B)]);
        // The search page is one of the listing pages, rendered with the site's templates.
        let templates = crate::render::templates::Templates::load(&site.root).expect("templates");
        let mut files = extra_files(&site, &variants, &templates).expect("extra files");
        files.extend(crate::render::site::render_lists(&site, &templates).expect("lists"));
        let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        for want in [
            "sitemap.xml",
            "robots.txt",
            "feed.xml",
            "search/index.js",
            "search/index.html",
        ] {
            assert!(names.contains(&want), "{want} missing from {names:?}");
        }
        let page = files
            .iter()
            .find(|f| f.path == "search/index.html")
            .map(|f| String::from_utf8_lossy(&f.bytes).to_string())
            .unwrap_or_default();
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(page.contains("Care &lt;script&gt;"), "{page}");
        assert!(page.contains("<option value=\"clinician\">Healthcare professional</option>"));
        assert!(page.contains("<script src=\"index.js\"></script>"));
    }

    #[test]
    fn extra_files_are_deterministic() {
        let (_dir, site, variants) = load(&[("a.md", PAGE_A), ("b.md", PAGE_B)]);
        let t = builtin();
        assert_eq!(
            extra_files(&site, &variants, &t),
            extra_files(&site, &variants, &t)
        );
    }
}
