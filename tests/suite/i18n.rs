//! Interface strings per language: `careguide handout --lang es` prints every word careguide
//! writes in Spanish (headings, the taper table, dates, tick boxes, page labels) with the
//! Spanish decimal mark; English stays as it was; a site's `i18n/` table overrides words.

use std::path::Path;

use crate::support::{careguide, fixture_site, pdftotext, Run, RunExt, TAPER_SITE};

/// The handout of the kratom page these tests print: 20 g from 2026-12-01, made 2026-11-26.
fn handout_command(root: &Path, out: &Path) -> std::process::Command {
    let mut c = careguide(["handout", "--page", "kratom-withdrawal"]);
    c.arg("--root").arg(root).arg("--out").arg(out);
    c.args([
        "--dose",
        "20",
        "--start",
        "2026-12-01",
        "--date",
        "2026-11-26",
    ]);
    c.no_date();
    c
}

fn handout(root: &Path, out: &Path, extra: &[&str]) -> Run {
    let mut c = handout_command(root, out);
    c.args(["--allow-unapproved", "--patient-name", "Ana Pérez"]);
    c.args(extra);
    c.run()
}

fn lang_of(pdf: &[u8]) -> Vec<u8> {
    let doc = lopdf::Document::load_mem(pdf).unwrap();
    doc.catalog()
        .unwrap()
        .get(b"Lang")
        .unwrap()
        .as_str()
        .unwrap()
        .to_vec()
}

/// The clinician's sheet of a Spanish handout says its notes (the schedule's warnings, the
/// defaults used, the plan in words) in Spanish, with the decimal comma; the command line's own
/// notes stay careguide's English.
#[test]
fn a_spanish_clinician_sheet_says_its_warnings_and_defaults_in_spanish() {
    let dir = tempfile::tempdir().unwrap();
    let (out, sheet) = (dir.path().join("es.pdf"), dir.path().join("sheet.pdf"));
    let o = handout(
        Path::new(TAPER_SITE),
        &out,
        &["--lang", "es", "--clinician-sheet", sheet.to_str().unwrap()],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    // The coarse last steps of 20 g less 10% a step, measured in 0.5 g.
    assert!(
        o.stderr
            .contains("note for the clinician: Check: step 22: 1.5 g to 1 g is a cut of 33.3%"),
        "{}",
        o.stderr
    );
    let Some(text) = pdftotext(&sheet, false) else {
        return;
    };
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    for want in [
        "Revisar: paso 22: pasar de 1,5 g a 1 g es una reducción del 33,3%, más del 25%: la cantidad más pequeña que se puede medir (0,5 g) es demasiado grande a esta dosis para la reducción prevista del 10%; prolongar este paso 21 días más (4 intervalos de 7 días) devuelve su reducción media al 8,3% cada 7 días, dentro del 10% previsto",
        "Revisar: paso 23: pasar de 1 g a 0,5 g es una reducción del 50,0%",
        "Valor por defecto: porcentaje de reducción: 10% (el valor por defecto de la página)",
        "Valor por defecto: cantidad más pequeña que se puede medir: 0,5 g (el valor por defecto de la página)",
        "Desde 20 g al día, bajar un 10% de la dosis anterior cada 7 días, medido en pasos de 0,5 g, en 3 tomas al día; dejarlo por debajo de 0,5 g.",
    ] {
        assert!(text.contains(want), "{want}\n---\n{text}");
    }
    for english in ["is a cut of", "the page's default", "Check:", "From 20 g"] {
        assert!(!text.contains(english), "{english}\n---\n{text}");
    }
}

#[test]
fn a_spanish_handout_is_spanish_throughout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("es.pdf");
    let sheet = dir.path().join("sheet.pdf");
    let sheet_s = sheet.to_str().unwrap();
    let o = handout(
        Path::new(TAPER_SITE),
        &out,
        &["--lang", "es", "--clinician-sheet", sheet_s],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(lang_of(&bytes), b"es");
    if let Some(text) = pdftotext(&sheet, false) {
        assert!(
            text.contains("Notas para el profesional de la salud"),
            "{text}"
        );
        assert!(text.contains("Valor por defecto:"), "{text}");
    }
    let Some(text) = pdftotext(&out, false) else {
        return;
    };
    for want in [
        "Preparado para: Ana Pérez",
        "El plan empieza: mar 1 dic 2026",
        "Su plan",
        "Día a día",
        "Paso",
        "Desde",
        "Hasta",
        "Dividido en",
        "Hecho (marque cada día)",
        "dejar",
        "mar 8 dic 2026",
        "ma",
        "sá",
        "Hecho el 26 de noviembre de 2026",
        "Página 1 de",
        "Inicio 1 dic",
        "Referencias",
    ] {
        assert!(text.contains(want), "no {want:?} in:\n{text}");
    }
    // The decimal mark: 5.5 g is 5,5 g, and no dose is written with a point.
    assert!(text.contains("5,5"), "{text}");
    assert!(text.contains("0,5"), "{text}");
    for english in [
        "Prepared for",
        "Day by day",
        "Page 1 of",
        "Split into",
        "Made ",
    ] {
        assert!(
            !text.contains(english),
            "{english:?} left in English:\n{text}"
        );
    }
}

#[test]
fn lang_en_is_the_default_handout_byte_for_byte() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.pdf"), dir.path().join("b.pdf"));
    assert_eq!(handout(Path::new(TAPER_SITE), &a, &[]).code, 0);
    assert_eq!(
        handout(Path::new(TAPER_SITE), &b, &["--lang", "en"]).code,
        0
    );
    let bytes = std::fs::read(&a).unwrap();
    assert_eq!(bytes, std::fs::read(&b).unwrap());
    if let Some(text) = pdftotext(&a, false) {
        assert!(
            text.contains("Day by day") && text.contains("Page 1 of"),
            "{text}"
        );
        assert!(text.contains("Made November 26, 2026"), "{text}");
    }
}

#[test]
fn a_language_without_strings_is_refused_for_a_handout() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("fr.pdf");
    let o = handout(Path::new(TAPER_SITE), &out, &["--lang", "fr"]);
    assert_eq!(o.code, 2, "{}", o.stderr);
    assert!(o.stderr.contains("--lang fr"), "{}", o.stderr);
    assert!(o.stderr.contains("i18n/fr.toml"), "{}", o.stderr);
    assert!(!out.exists());
}

#[test]
fn a_site_table_overrides_words_of_the_handout_and_the_pages() {
    let (_dir, site) = fixture_site("taper/site");
    std::fs::create_dir(site.join("i18n")).unwrap();
    std::fs::write(
        site.join("i18n/es.toml"),
        "[pdf]\npage_of = \"Hoja {n} de {m}\"\n\n[page]\naudience_question = \"¿Quién es usted?\"\n",
    )
    .unwrap();
    let out = site.join("es.pdf");
    let o = handout(&site, &out, &["--lang", "es"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    if let Some(text) = pdftotext(&out, false) {
        assert!(text.contains("Hoja 1 de"), "{text}");
        assert!(
            text.contains("Día a día"),
            "the rest stays built in: {text}"
        );
    }
    // The site in Spanish: its pages take the table too.
    let toml = std::fs::read_to_string(site.join("careguide.toml")).unwrap();
    std::fs::write(
        site.join("careguide.toml"),
        toml.replace("language = \"en\"", "language = \"es\""),
    )
    .unwrap();
    let web = site.join("../out");
    let o = careguide(["build", "--no-pdf", "--root"])
        .arg(&site)
        .arg("--out")
        .arg(&web)
        .no_date()
        .run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    let page = std::fs::read_to_string(web.join("kratom-withdrawal/index.html")).unwrap();
    assert!(page.contains("¿Quién es usted?"), "{page}");
    assert!(page.contains(">Referencias<"), "{page}");
    assert!(page.contains("Ir al contenido"), "{page}");
    assert!(!page.contains("Which best describes you?"));
    let search = std::fs::read_to_string(web.join("search/index.html")).unwrap();
    assert!(search.contains("self.careguideWords = {"), "{search}");
    assert!(search.contains("resultados"), "{search}");
}

/// Snapshot of the Spanish handout's text as pdftotext extracts it, on fixed inputs and a
/// fixed date: every word careguide writes on it comes from the Spanish table, so a word
/// that slips back to English, a date or a decimal mark that changes shows here.
/// UPDATE_SNAPSHOTS=1 rewrites it after an intended change; read the diff before committing.
#[test]
fn the_spanish_handout_text_matches_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("es.pdf");
    let o = handout(
        Path::new(TAPER_SITE),
        &out,
        &["--lang", "es", "--clinician", "Dra. Ruiz", "--paper", "a4"],
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    let Some(got) = pdftotext(&out, false) else {
        eprintln!("skipped: pdftotext is not installed");
        return;
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots/handout-es.txt");
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, &got).unwrap();
        return;
    }
    let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}; run with UPDATE_SNAPSHOTS=1",
            path.display()
        )
    });
    assert_eq!(
        got, want,
        "the Spanish handout's text differs from its snapshot"
    );
}

/// A handout asked for in a language the page has a translation in prints the translation's
/// text (and is judged by the translation's own review status), not the original's text under
/// Spanish headings; a translation asked for in the original's language prints the original.
#[test]
fn a_handout_in_a_language_the_page_is_translated_into_prints_the_translation() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    crate::support::sample_site(&site);
    let es = dir.path().join("es.pdf");
    // The sample's Spanish translation is a draft: refused without --allow-unapproved, by name.
    let o = handout_command(&site, &es).args(["--lang", "es"]).run();
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("'es/kratom-withdrawal'"), "{}", o.stderr);
    assert!(o.stderr.contains("draft"), "{}", o.stderr);
    assert!(!es.exists());
    let o = handout(&site, &es, &["--lang", "es"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let en = dir.path().join("en.pdf");
    let mut c = careguide([
        "handout",
        "--allow-unapproved",
        "--page",
        "es/kratom-withdrawal",
    ]);
    c.arg("--root").arg(&site).arg("--out").arg(&en);
    c.args(["--lang", "en", "--dose", "20", "--start", "2026-12-01"]);
    c.args(["--date", "2026-11-26"]);
    let o = c.no_date().run();
    assert_eq!(o.code, 0, "{}", o.stderr);
    if let (Some(es), Some(en)) = (pdftotext(&es, false), pdftotext(&en, false)) {
        assert!(es.contains("¿Cómo se puede dejar el kratom"), "{es}");
        assert!(!es.contains("How can someone safely stop"), "{es}");
        assert!(en.contains("How can someone safely stop"), "{en}");
        assert!(!en.contains("¿Cómo se puede dejar"), "{en}");
    }
}
