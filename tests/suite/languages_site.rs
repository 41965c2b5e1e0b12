//! The site around translations (issue 18): each translation language's home and topic pages
//! (`/es/`, `/es/topics/<slug>/`), the site title and topic names per language, `x-default`
//! alternates, and anchors checked against a translation's own headings.

use std::path::Path;

use crate::support::{careguide, findings, fixture_site, RunExt, JAN_15_2026};

/// The two-language fixture's careguide.toml with the Spanish title and topic names.
const NAMES: &str =
    "title = \"Información para pacientes\"\n\n[languages.topics]\nKratom = \"El kratom\"\n";

fn build(site: &Path) -> (crate::support::Run, serde_json::Value) {
    let r = careguide(["build", "--no-pdf", "--format", "json", "--root"])
        .arg(site)
        .date(JAN_15_2026)
        .run()
        .no_crash();
    let v = serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("{e}\n{}", r.stdout));
    (r, v)
}

/// The fixture with the Spanish names given after `label = "Español"`.
fn named_site() -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, site) = fixture_site("languages");
    let toml = site.join("careguide.toml");
    let text = std::fs::read_to_string(&toml).unwrap();
    let text = text.replace(
        "label = \"Español\"\n",
        &format!("label = \"Español\"\n{NAMES}"),
    );
    std::fs::write(&toml, text).unwrap();
    (dir, site)
}

fn read(site: &Path, page: &str) -> String {
    std::fs::read_to_string(site.join("output").join(page))
        .unwrap_or_else(|e| panic!("{page}: {e}"))
}

#[test]
fn a_translation_language_has_its_own_home_and_topic_pages() {
    let (_dir, site) = named_site();
    let (r, v) = build(&site);
    assert_eq!(r.code, 0, "{}", r.stdout);
    assert!(findings(&v, "config/language-names").is_empty(), "{v}");
    let home = read(&site, "es/index.html");
    assert!(home.contains("<html lang=\"es\">"), "{home}");
    assert!(home.contains("<title>Información para pacientes</title>"));
    assert!(home.contains("<h1>Información para pacientes</h1>"));
    // Its translations, by their own titles, linked to themselves.
    assert!(home.contains(
        "<a href=\"../es/kratom-withdrawal/index.html\">Dejar el kratom sin peligro</a>"
    ));
    assert!(home.contains("<a href=\"../es/sleep/index.html\">"));
    // The topic in Spanish, to the Spanish topic page.
    assert!(home.contains("<a href=\"../es/topics/kratom/index.html\">El kratom</a>"));
    // A page without a Spanish translation is listed apart, in its language.
    let apart = home
        .find("Todavía no disponibles en español")
        .expect("the pages not yet in Spanish, under their heading");
    let hydration = home
        .find("<a href=\"../hydration/index.html\" hreflang=\"en\" lang=\"en\">")
        .expect("the English page, marked as English");
    assert!(hydration > apart);
    assert!(!home.contains("Safe withdrawal from kratom dependence"));
    // The switcher, the alternates with x-default, and the Spanish search.
    assert!(home.contains(
        "<a class=\"tag\" href=\"../index.html\" hreflang=\"en\" lang=\"en\">English</a>"
    ));
    assert!(home.contains(
        "<link rel=\"alternate\" hreflang=\"es\" href=\"https://clinic.example.org/es/\">"
    ));
    assert!(home.contains(
        "<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://clinic.example.org/\">"
    ));
    assert!(home.contains("action=\"../es/search/index.html\""));
    assert!(home.contains("<a href=\"../es/index.html\">Todos los temas</a>"));

    let topic = read(&site, "es/topics/kratom/index.html");
    assert!(topic.contains("<html lang=\"es\">"));
    assert!(topic.contains("<h1>El kratom</h1>"));
    assert!(topic.contains("<title>El kratom · Información para pacientes</title>"));
    assert!(topic.contains("<nav aria-label=\"Ruta de navegación\" class=\"crumbs\"><a href=\"../../../es/index.html\">"));
    assert!(topic.contains(
        "<a href=\"../../../es/kratom-withdrawal/index.html\">Dejar el kratom sin peligro</a>"
    ));
    assert!(topic.contains("<link rel=\"alternate\" hreflang=\"en\" href=\"https://clinic.example.org/topics/kratom/\">"));
    assert!(topic.contains("<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://clinic.example.org/topics/kratom/\">"));
    assert!(topic.contains("action=\"../../../es/search/index.html\""));
    // The pages of "Other" (hydration has no topic) on the Spanish "Otros" page, in English.
    let other = read(&site, "es/topics/other/index.html");
    assert!(other.contains("<h1>Otros</h1>"), "{other}");
    assert!(other.contains("<p lang=\"en\">"), "{other}");

    // The English home links to its Spanish version, and the Spanish page to its own topics.
    let en = read(&site, "index.html");
    assert!(en.contains(
        "<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://clinic.example.org/\">"
    ));
    assert!(en.contains(
        "<a class=\"tag\" href=\"es/index.html\" hreflang=\"es\" lang=\"es\">Español</a>"
    ));
    let page = read(&site, "es/kratom-withdrawal/patient/index.html");
    assert!(page
        .contains("<a class=\"tag\" href=\"../../../es/topics/kratom/index.html\">El kratom</a>"));
    assert!(page.contains("· Información para pacientes</title>"));
    assert!(page.contains("<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://clinic.example.org/kratom-withdrawal/patient/\">"));

    let sitemap = read(&site, "sitemap.xml");
    assert!(sitemap.contains("<url><loc>https://clinic.example.org/es/</loc><lastmod>2025-11-22</lastmod><xhtml:link rel=\"alternate\" hreflang=\"en\" href=\"https://clinic.example.org/\"/><xhtml:link rel=\"alternate\" hreflang=\"es\" href=\"https://clinic.example.org/es/\"/><xhtml:link rel=\"alternate\" hreflang=\"x-default\" href=\"https://clinic.example.org/\"/></url>"), "{sitemap}");
    assert!(sitemap.contains("<loc>https://clinic.example.org/es/topics/kratom/</loc>"));
    assert!(sitemap.contains("<loc>https://clinic.example.org/topics/kratom/</loc><lastmod>2025-12-01</lastmod><xhtml:link rel=\"alternate\" hreflang=\"en\""));
}

#[test]
fn missing_and_unused_language_names_are_warnings_at_their_place() {
    // The fixture as it is: no Spanish title, no name for the topic of its translations.
    let (_dir, site) = fixture_site("languages");
    let (r, v) = build(&site);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let w = findings(&v, "config/language-names");
    assert_eq!(w.len(), 2, "{w:?}");
    assert!(w
        .iter()
        .all(|d| d["severity"] == "warning" && d["file"] == "careguide.toml" && d["line"] == 13));
    assert!(w.iter().any(|d| d["message"]
        .as_str()
        .is_some_and(|m| m.contains("language 'es' has no title"))
        && d["hint"]
            .as_str()
            .is_some_and(|h| h.contains("title = \"...\""))));
    assert!(w.iter().any(|d| d["message"]
        .as_str()
        .is_some_and(|m| m.contains("no name for the topic 'Kratom'"))
        && d["hint"]
            .as_str()
            .is_some_and(|h| h.contains("[languages.topics]"))));
    // The default language's names stand in.
    let home = read(&site, "es/index.html");
    assert!(home.contains("<h1>Patient education</h1>"));
    assert!(home.contains(">Kratom</a></h2>"));

    // A name for a topic no page is under: a warning at its key.
    let (_dir, site) = named_site();
    let toml = site.join("careguide.toml");
    let text = std::fs::read_to_string(&toml).unwrap().replace(
        "Kratom = \"El kratom\"\n",
        "Kratom = \"El kratom\"\n\"Kratomm\" = \"Kratom mal escrito\"\n",
    );
    std::fs::write(&toml, text).unwrap();
    let (r, v) = build(&site);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let w = findings(&v, "config/language-names");
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(w[0]["message"]
        .as_str()
        .is_some_and(|m| m.contains("names the topic 'Kratomm', which no page is under")));
    assert!(w[0]["hint"]
        .as_str()
        .is_some_and(|h| h.contains("did you mean 'Kratom'?")));
    let line = std::fs::read_to_string(&toml)
        .unwrap()
        .lines()
        .position(|l| l.starts_with("\"Kratomm\""))
        .unwrap()
        + 1;
    assert_eq!(w[0]["line"], line);
}

#[test]
fn without_languages_the_lists_have_no_language_furniture() {
    let (_dir, site) = fixture_site("links");
    let (r, _) = build(&site);
    assert_eq!(r.code, 0, "{}", r.stdout);
    let home = read(&site, "index.html");
    assert!(!home.contains("hreflang") && !home.contains("class=\"languages\""));
    assert!(!site.join("output/es").exists());
    assert!(!read(&site, "sitemap.xml").contains("xhtml:link"));
}

/// A link in the Spanish page: `[...](LINK)` appended to its body.
fn link_from_translation(link: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (dir, site) = named_site();
    let page = site.join("content/kratom-withdrawal.es.md");
    let text = std::fs::read_to_string(&page).unwrap() + &format!("\nVea [esto]({link}).\n");
    std::fs::write(&page, text).unwrap();
    let sleep = site.join("content/sleep.es.md");
    let text =
        std::fs::read_to_string(&sleep).unwrap() + "\n## Un cuarto oscuro\n\nApague las luces.\n";
    std::fs::write(&sleep, text).unwrap();
    // The English page has a heading the Spanish one has not: the link leads to the Spanish.
    let sleep = site.join("content/sleep.md");
    let text =
        std::fs::read_to_string(&sleep).unwrap() + "\n## A dark room\n\nTurn off the lights.\n";
    std::fs::write(&sleep, text).unwrap();
    (dir, site)
}

#[test]
fn a_translation_s_anchors_are_its_own_headings_and_its_language_s_pages() {
    // Good: its own translated heading, and the Spanish sleep page's heading.
    for good in ["#por-qué-ir-despacio", "sleep.md#un-cuarto-oscuro"] {
        let (_dir, site) = link_from_translation(good);
        let (r, v) = build(&site);
        assert_eq!(r.code, 0, "{good}: {}", r.stdout);
        assert!(
            findings(&v, "links/missing-anchor").is_empty(),
            "{good}: {v}"
        );
    }
    let (_dir, site) = link_from_translation("sleep.md#un-cuarto-oscuro");
    build(&site);
    let page = read(&site, "es/kratom-withdrawal/patient/index.html");
    assert!(
        page.contains("href=\"../../../es/sleep/patient/index.html#un-cuarto-oscuro\""),
        "{page}"
    );
    // Bad: the original's heading, which the translation does not have, and a heading of the
    // English sleep page that the Spanish one, where the link leads, lacks.
    for (bad, msg) in [
        (
            "#why-go-slowly",
            "content/kratom-withdrawal.es.md (patient version) has no anchor #why-go-slowly",
        ),
        (
            "sleep.md#a-dark-room",
            "content/sleep.es.md (patient version) has no anchor #a-dark-room",
        ),
    ] {
        let (_dir, site) = link_from_translation(bad);
        let (r, v) = build(&site);
        assert_eq!(r.code, 1, "{bad}: {}", r.stdout);
        let e = findings(&v, "links/missing-anchor");
        assert_eq!(e.len(), 1, "{bad}: {e:?}");
        assert_eq!(e[0]["file"], "content/kratom-withdrawal.es.md");
        assert!(
            e[0]["message"].as_str().is_some_and(|m| m.contains(msg)),
            "{e:?}"
        );
    }
    // The hint offers the translation's own heading.
    let (_dir, site) = link_from_translation("#por-que-ir-despacio");
    let (_, v) = build(&site);
    let e = findings(&v, "links/missing-anchor");
    assert!(
        e[0]["hint"]
            .as_str()
            .is_some_and(|h| h.contains("did you mean #por-qué-ir-despacio?")),
        "{e:?}"
    );
}
