//! Pages in the patient's language (issue 18): a site with `[[languages]]` builds each
//! translation (`page.es.md`) under `/es/`, with a language switcher to the versions that
//! exist, `hreflang` alternates, sitemap alternates, a search index per language, and the
//! review rules of any page plus "the original has changed since this translation".

use std::path::{Path, PathBuf};

use crate::support::{careguide, findings, fixture_site, RunExt, JAN_15_2026, REPO};

/// Build the two-language fixture site (a copy) into its `output/`, without PDFs unless asked.
fn built(pdf: bool) -> (tempfile::TempDir, PathBuf) {
    let (dir, site) = fixture_site("languages");
    build(&site, pdf, &[]);
    (dir, site)
}

fn build(site: &Path, pdf: bool, extra: &[&str]) -> crate::support::Run {
    let mut c = careguide(["build", "--root"]);
    c.arg(site).args(["--format", "json"]).args(extra);
    if !pdf {
        c.arg("--no-pdf");
    }
    let r = c.date(JAN_15_2026).run().no_crash();
    if extra.is_empty() {
        assert_eq!(r.code, 0, "{}\n{}", r.stdout, r.stderr);
    }
    r
}

fn read(site: &Path, page: &str) -> String {
    std::fs::read_to_string(site.join("output").join(page))
        .unwrap_or_else(|e| panic!("{page}: {e}"))
}

/// The `href` values of the elements between `start` and the next `end` in `html`.
fn hrefs_in<'a>(html: &'a str, start: &str, end: &str) -> Vec<&'a str> {
    let Some(from) = html.find(start) else {
        return Vec::new();
    };
    let block = &html[from..];
    let block = &block[..block.find(end).unwrap_or(block.len())];
    block
        .split("href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect()
}

#[test]
fn translations_live_under_their_language_with_a_switcher_that_resolves() {
    let (_dir, site) = built(false);
    let out = site.join("output");
    for f in [
        "es/kratom-withdrawal/index.html",
        "es/kratom-withdrawal/patient/index.html",
        "es/kratom-withdrawal/clinician/index.html",
        "es/sleep/patient/index.html",
        "kratom-withdrawal/patient/index.html",
        "es/search/index.html",
        "es/search/index.js",
    ] {
        assert!(out.join(f).is_file(), "{f} is built");
    }
    // Every link of every switcher names a file that exists, from the page's own folder
    // (relative, so the site works from file:// too).
    let mut switchers = 0;
    for page in [
        "kratom-withdrawal/index.html",
        "kratom-withdrawal/patient/index.html",
        "kratom-withdrawal/clinician/index.html",
        "es/kratom-withdrawal/index.html",
        "es/kratom-withdrawal/patient/index.html",
        "es/kratom-withdrawal/clinician/index.html",
        "sleep/patient/index.html",
        "es/sleep/patient/index.html",
    ] {
        let html = read(&site, page);
        let links = hrefs_in(&html, "<nav class=\"languages\"", "</nav>");
        assert_eq!(links.len(), 1, "{page}: one link, to the other language");
        for l in links {
            assert!(
                l.ends_with("/index.html") && !l.starts_with('/'),
                "{page}: {l}"
            );
            let dir = out.join(page);
            let target = dir.parent().unwrap().join(l);
            assert!(target.is_file(), "{page}: {l} leads nowhere");
        }
        switchers += 1;
    }
    assert_eq!(switchers, 8);
    // Same audience in the other language.
    let en = read(&site, "kratom-withdrawal/clinician/index.html");
    assert!(
        en.contains("href=\"../../es/kratom-withdrawal/clinician/index.html\" hreflang=\"es\" lang=\"es\">Español</a>"),
        "{en}"
    );
    let es = read(&site, "es/kratom-withdrawal/patient/index.html");
    assert!(
        es.starts_with("<!DOCTYPE html>\n<html lang=\"es\">"),
        "{es}"
    );
    assert!(es.contains("<span lang=\"es\" aria-current=\"true\">Español</span>"));
    // A page with no translation has no switcher and no alternates.
    let plain = read(&site, "hydration/patient/index.html");
    assert!(!plain.contains("class=\"languages\""));
    assert!(!plain.contains("hreflang"));
    assert!(plain.contains("<html lang=\"en\">"));
    // The Spanish page's link to another page leads to that page's Spanish version.
    assert!(
        es.contains("<a href=\"../../../es/sleep/patient/index.html\">dormir bien</a>"),
        "{es}"
    );
    // Its header search goes to the Spanish search page.
    assert!(es.contains("action=\"../../../es/search/index.html\""));
}

#[test]
fn hreflang_alternates_and_the_sitemap_name_every_version() {
    let (_dir, site) = built(false);
    for page in [
        "kratom-withdrawal/patient/index.html",
        "es/kratom-withdrawal/patient/index.html",
    ] {
        let html = read(&site, page);
        assert!(html.contains("<link rel=\"alternate\" hreflang=\"en\" href=\"https://clinic.example.org/kratom-withdrawal/patient/\">"), "{page}");
        assert!(html.contains("<link rel=\"alternate\" hreflang=\"es\" href=\"https://clinic.example.org/es/kratom-withdrawal/patient/\">"), "{page}");
    }
    let sitemap = read(&site, "sitemap.xml");
    assert!(sitemap.contains("xmlns:xhtml=\"http://www.w3.org/1999/xhtml\""));
    assert!(sitemap.contains("<url><loc>https://clinic.example.org/es/kratom-withdrawal/patient/</loc><lastmod>2025-11-22</lastmod><xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://clinic.example.org/kratom-withdrawal/patient/\"/><xhtml:link rel=\"alternate\" hreflang=\"es\" href=\"https://clinic.example.org/es/kratom-withdrawal/patient/\"/><xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"https://clinic.example.org/kratom-withdrawal/patient/\"/></url>"), "{sitemap}");
    assert!(sitemap.contains("<url><loc>https://clinic.example.org/hydration/patient/</loc><lastmod>2025-10-01</lastmod></url>"));
    // The index and topic pages list the default language's pages.
    let index = read(&site, "index.html");
    assert!(index.contains("Safe withdrawal from kratom dependence"));
    assert!(!index.contains("Dejar el kratom"));
}

#[test]
fn each_language_has_its_own_search_index() {
    let (_dir, site) = built(false);
    let en = read(&site, "search/index.js");
    let es = read(&site, "es/search/index.js");
    assert!(
        en.contains("Safe withdrawal from kratom dependence") && !en.contains("Dejar el kratom")
    );
    assert!(
        es.contains("\"t\":\"Dejar el kratom sin peligro\"") && !es.contains("Safe withdrawal")
    );
    // Page paths within the language: search.js puts them after the root of the search page.
    assert!(es.contains("\"u\":\"kratom-withdrawal\""), "{es}");
    let page = read(&site, "es/search/index.html");
    assert!(page.contains("<html lang=\"es\">"));
    assert!(page.contains("<script src=\"index.js\"></script>"));
    assert!(page.contains("<script src=\"../../assets/search.js\"></script>"));
}

#[test]
fn stale_and_unreviewed_translations_carry_the_caution_and_are_refused_by_publish() {
    let (_dir, site) = built(false);
    // sleep.es.md translates 2025-11-01; the original was updated 2025-12-01.
    let stale = read(&site, "es/sleep/patient/index.html");
    assert!(stale.contains("banner-stale"), "{stale}");
    // In the page's own language (careguide's Spanish table).
    assert!(stale.contains("Traducción desactualizada."), "{stale}");
    assert!(stale.contains("La página original ha cambiado desde esta traducción."));
    let current = read(&site, "es/kratom-withdrawal/patient/index.html");
    assert!(
        !current.contains("class=\"banner"),
        "approved and current: no banner"
    );
    // --publish refuses the stale translation, at its review block, saying why.
    let r = build(&site, false, &["--publish"]);
    assert_eq!(r.code, 1, "{}", r.stdout);
    let v = r.json();
    let refused = findings(&v, "review/not-publishable");
    assert_eq!(refused.len(), 1, "{v}");
    assert_eq!(refused[0]["file"], "content/sleep.es.md");
    assert!(refused[0]["message"]
        .as_str()
        .unwrap_or("")
        .contains("the original has changed since this translation (it translates 2025-11-01, the original is updated 2025-12-01)"));
    // A translation of its own review status: a draft is built with the caution, and refused.
    let es = site.join("content/kratom-withdrawal.es.md");
    let text = std::fs::read_to_string(&es).unwrap();
    std::fs::write(
        &es,
        text.replace("status: approved", "status: draft")
            .replace("  reviewers: [\"R. Revisora, MD\"]\n", ""),
    )
    .unwrap();
    build(&site, false, &[]);
    let draft = read(&site, "es/kratom-withdrawal/patient/index.html");
    assert!(draft.contains("banner-unreviewed"), "{draft}");
    let v = build(&site, false, &["--publish"]).json();
    let files: Vec<&str> = findings(&v, "review/not-publishable")
        .iter()
        .filter_map(|d| d["file"].as_str())
        .collect();
    assert!(
        files.contains(&"content/kratom-withdrawal.es.md"),
        "{files:?}"
    );
}

#[test]
fn a_translation_is_rebuilt_when_its_original_changes_and_an_original_when_a_translation_comes() {
    let (_dir, site) = built(false);
    assert!(!read(&site, "es/kratom-withdrawal/patient/index.html").contains("banner-stale"));
    // The original is updated: the translation, unchanged itself, is out of date.
    let original = site.join("content/kratom-withdrawal.md");
    let text = std::fs::read_to_string(&original).unwrap();
    std::fs::write(
        &original,
        text.replace("updated: 2025-11-20", "updated: 2025-12-10"),
    )
    .unwrap();
    build(&site, false, &[]);
    assert!(read(&site, "es/kratom-withdrawal/patient/index.html").contains("banner-stale"));
    // A new translation of a page that had none: the original gains a switcher.
    assert!(!read(&site, "hydration/patient/index.html").contains("class=\"languages\""));
    std::fs::write(
        site.join("content/hydration.es.md"),
        "---\ntitle: Beber suficiente agua\nsummary: Beba agua durante el día.\nupdated: 2025-10-05\ntranslates: 2025-10-01\nreview:\n  status: draft\n---\nLleve una botella de agua.\n",
    )
    .unwrap();
    build(&site, false, &[]);
    let en = read(&site, "hydration/patient/index.html");
    assert!(
        en.contains("<a class=\"tag\" href=\"../../es/hydration/patient/index.html\" hreflang=\"es\" lang=\"es\">Español</a>"),
        "{en}"
    );
    // The Spanish page's link to hydration.md now leads to the Spanish version.
    let es = site.join("content/kratom-withdrawal.es.md");
    let text = std::fs::read_to_string(&es).unwrap();
    std::fs::write(&es, text.replace("(sleep.md)", "(hydration.md)")).unwrap();
    build(&site, false, &[]);
    assert!(read(&site, "es/kratom-withdrawal/patient/index.html")
        .contains("href=\"../../../es/hydration/patient/index.html\""));
    // And loses it when the translation goes; the link falls back to the original.
    std::fs::remove_file(site.join("content/hydration.es.md")).unwrap();
    build(&site, false, &[]);
    assert!(read(&site, "es/kratom-withdrawal/patient/index.html")
        .contains("href=\"../../../hydration/patient/index.html\""));
    // And the original loses its switcher when the translation goes.
    assert!(!read(&site, "hydration/patient/index.html").contains("class=\"languages\""));
    assert!(!site.join("output/es/hydration").exists());
}

#[test]
fn a_translation_takes_the_originals_taper_with_its_own_words() {
    let (_dir, site) = built(true);
    let pdf = site.join("output/es/kratom-withdrawal/patient.pdf");
    let Some(text) = crate::support::pdftotext(&pdf, false) else {
        return; // pdftotext is not installed
    };
    let words = |t: &str| t.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words(&text).contains("kratom en polvo"), "{text}");
    let en = crate::support::pdftotext(&site.join("output/kratom-withdrawal/patient.pdf"), false)
        .unwrap_or_default();
    assert!(words(&en).contains("kratom leaf powder"), "{en}");
}

#[test]
fn without_languages_a_dotted_file_name_is_a_page_as_before() {
    let (_dir, site) = fixture_site("languages");
    let config = site.join("careguide.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    let cut = text.find("[[languages]]").unwrap();
    let end = text.find("[[audiences]]").unwrap();
    std::fs::write(&config, format!("{}{}", &text[..cut], &text[end..])).unwrap();
    for f in ["kratom-withdrawal.es.md", "sleep.es.md"] {
        std::fs::remove_file(site.join("content").join(f)).unwrap();
    }
    std::fs::write(
        site.join("content/notes.es.md"),
        "---\ntitle: Notes\nsummary: Notes.\nslug: notes-es\nupdated: 2025-10-05\nreview:\n  status: draft\n---\nNotes.\n",
    )
    .unwrap();
    build(&site, false, &[]);
    assert!(site.join("output/notes-es/patient/index.html").is_file());
    let html = read(&site, "kratom-withdrawal/patient/index.html");
    assert!(!html.contains("class=\"languages\"") && !html.contains("hreflang"));
    assert!(!site.join("output/es").exists());
}

/// Snapshot of the Spanish page's body. UPDATE_SNAPSHOTS=1 rewrites it after an intended
/// change; read the diff before committing.
#[test]
fn the_spanish_page_body_matches_its_snapshot() {
    let (_dir, site) = built(false);
    let html = read(&site, "es/kratom-withdrawal/patient/index.html");
    let start = html.find("<main").expect("a <main> element");
    let end = html.find("</main>").expect("a closing </main>") + "</main>".len();
    let got = &html[start..end];
    let path = Path::new(REPO).join("tests/snapshots/languages-es-patient.html");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(got, want, "the Spanish page differs from its snapshot");
}
