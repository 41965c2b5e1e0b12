//! Formatting reference-list entries with hayagriva's CSL processor.
//!
//! A [`Reference`] is mapped to a hayagriva [`Entry`] (journal articles get a periodical parent
//! whose short title is the NLM abbreviation, chapters a book parent, web pages a site parent),
//! and the chosen CSL style renders it. The HTML is produced by walking hayagriva's element
//! tree ourselves, because hayagriva's own HTML writer does not escape text.

mod entry;
mod html;
mod load;

use std::collections::HashMap;
use std::path::Path;

use hayagriva::citationberg::{IndependentStyle, Locale, Style};
use hayagriva::{
    archive::ArchivedStyle, BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest,
    Entry,
};

use super::Reference;
use crate::diag::{Category, Diagnostic};
pub use entry::to_entry;
use html::{link_identifiers, tidy, write_html, write_text};
use load::{add_missing_author_names, load_csl_file, resolve_dependent};

/// Escape text for HTML element content and attribute values (the site's one escaper).
pub use crate::util::escape_html as escape;

/// One formatted reference-list entry, without its number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formatted {
    /// Escaped HTML, safe to embed; DOI, PubMed and PMC identifiers are links.
    pub html: String,
    /// Plain text, for PDFs.
    pub text: String,
}

/// A loaded CSL style with its locales, ready to format reference lists.
pub struct Formatter {
    style: IndependentStyle,
    locales: Vec<Locale>,
    /// Remove the stray space the bundled NLM style puts before `;`.
    fix_space_before_semicolon: bool,
}

impl std::fmt::Debug for Formatter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Formatter")
            .field("style", &self.style.info.title.value)
            .finish()
    }
}

fn style_error(msg: impl Into<String>, hint: impl Into<String>) -> Diagnostic {
    Diagnostic::error("config/citation-style", msg)
        .in_file(crate::config::CONFIG_FILE)
        .category(Category::Config)
        .hint(hint)
}

impl Formatter {
    /// Load `style`: a style name hayagriva bundles (`american-medical-association`,
    /// `nlm-citation-sequence`, `bmj`, ...) or the path of a `.csl` file relative to `site_root`.
    pub fn new(style: &str, site_root: &Path) -> Result<Formatter, Diagnostic> {
        let name = style.trim();
        let (independent, archived_nlm) = if name.to_ascii_lowercase().ends_with(".csl") {
            (load_csl_file(name, site_root)?, false)
        } else {
            let archived = ArchivedStyle::by_name(name).ok_or_else(|| {
                let names: Vec<&str> = ArchivedStyle::all()
                    .iter()
                    .flat_map(|s| s.names().iter().copied())
                    .collect();
                let mut d = style_error(
                    format!("citation style '{name}' is not one careguide knows"),
                    "use a style name such as american-medical-association, \
                     nlm-citation-sequence or bmj, or the path of a .csl file in the site",
                );
                if let Some(near) = crate::util::nearest(name, names.iter().copied()) {
                    d = d.hint(format!("did you mean '{near}'?"));
                }
                d
            })?;
            let nlm = archived == ArchivedStyle::NlmCitationSequence;
            match archived.get() {
                Style::Independent(s) => (s, nlm),
                Style::Dependent(d) => (resolve_dependent(&d.parent_link.href, name)?, nlm),
            }
        };
        let style = add_missing_author_names(independent)?;
        // Only the locales of the style's language (and English, CSL's fallback): the processor
        // searches the locales it is given for every term, and all 60 made formatting slow.
        let family = |code: &str| code.split('-').next().unwrap_or(code).to_ascii_lowercase();
        let wanted: Vec<String> = style
            .default_locale
            .iter()
            .map(|c| family(&c.0))
            .chain(["en".to_string()])
            .collect();
        // Each bundled locale's language is read first (a small part of its CBOR), and only
        // the wanted ones are decoded whole: decoding all 60 took most of a small build's
        // start-up.
        #[derive(serde::Deserialize)]
        struct Lang {
            #[serde(rename = "@xml:lang")]
            lang: Option<String>,
        }
        let locales = hayagriva::archive::LOCALES
            .iter()
            .filter(|bytes| {
                ciborium::de::from_reader::<Lang, _>(**bytes)
                    .map(|l| l.lang.is_none_or(|c| wanted.contains(&family(&c))))
                    .unwrap_or(true)
            })
            .filter_map(|bytes| ciborium::de::from_reader::<Locale, _>(*bytes).ok())
            .collect();
        Ok(Formatter {
            style,
            locales,
            fix_space_before_semicolon: archived_nlm,
        })
    }

    /// Format the entries of a reference list, in the order given (the citation order).
    pub fn format(&self, refs: &[&Reference]) -> Vec<Formatted> {
        if refs.is_empty() {
            return Vec::new();
        }
        let entries: Vec<Entry> = refs
            .iter()
            .enumerate()
            .map(|(i, r)| to_entry(r, &entry_key(i)))
            .collect();
        let mut driver = BibliographyDriver::new();
        for e in &entries {
            driver.citation(CitationRequest::from_items(
                vec![CitationItem::with_entry(e)],
                &self.style,
                &self.locales,
            ));
        }
        let rendered = driver.finish(BibliographyRequest {
            style: &self.style,
            locale: None,
            locale_files: &self.locales,
        });
        let mut by_key: HashMap<String, Formatted> = HashMap::new();
        if let Some(bib) = rendered.bibliography {
            for item in bib.items {
                let mut html = String::new();
                let mut text = String::new();
                for child in &item.content.0 {
                    write_html(child, &mut html);
                    write_text(child, &mut text);
                }
                by_key.insert(item.key, Formatted { html, text });
            }
        }
        refs.iter()
            .enumerate()
            .map(|(i, r)| {
                let mut f = by_key.remove(&entry_key(i)).unwrap_or_else(|| {
                    // A style without a bibliography: fall back to the title so the list is
                    // never silently empty.
                    let t = r.title.clone().unwrap_or_else(|| r.id.clone());
                    Formatted {
                        html: escape(&t),
                        text: t,
                    }
                });
                f.text = tidy(&f.text, self.fix_space_before_semicolon);
                f.html = link_identifiers(&tidy(&f.html, self.fix_space_before_semicolon), r);
                f
            })
            .collect()
    }
}

fn entry_key(i: usize) -> String {
    format!("careguide-ref-{i}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cite::RefKind;
    use crate::types::Date;

    fn base(id: &str, kind: RefKind) -> Reference {
        Reference {
            id: id.to_string(),
            kind,
            ..Default::default()
        }
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_string())
    }

    fn weiss() -> Reference {
        Reference {
            authors: vec!["Weiss ST".into(), "Douglas HE".into()],
            title: s(
                "Treatment of Kratom Withdrawal and Dependence With Buprenorphine/Naloxone: \
                      A Case Series and Systematic Literature Review",
            ),
            container: s("J Addict Med"),
            container_full: s("Journal of Addiction Medicine"),
            year: s("2021"),
            volume: s("15"),
            issue: s("2"),
            pages: s("167-172"),
            doi: s("10.1097/ADM.0000000000000721"),
            ..base("weiss2021", RefKind::Article)
        }
    }

    fn ama() -> Formatter {
        Formatter::new("american-medical-association", Path::new(".")).expect("bundled style")
    }

    fn show(f: &Formatter, r: &Reference) -> Formatted {
        f.format(&[r]).pop().expect("one entry")
    }

    #[test]
    fn ama_journal_article_matches_checked_string() {
        let out = show(&ama(), &weiss());
        assert_eq!(
            out.text,
            "Weiss ST, Douglas HE. Treatment of Kratom Withdrawal and Dependence With \
             Buprenorphine/Naloxone: A Case Series and Systematic Literature Review. J Addict \
             Med. 2021;15(2):167-172. doi:10.1097/ADM.0000000000000721"
        );
        assert!(out.html.contains("<i>J Addict Med</i>"), "{}", out.html);
        assert!(
            out.html
                .contains("<a href=\"https://doi.org/10.1097/ADM.0000000000000721\">"),
            "{}",
            out.html
        );
    }

    #[test]
    fn unknown_style_is_a_config_error_with_a_hint() {
        let e = Formatter::new("american-medical-assocation", Path::new(".")).unwrap_err();
        assert_eq!(e.rule, "config/citation-style");
        assert!(e
            .hint
            .unwrap_or_default()
            .contains("american-medical-association"));
    }

    #[test]
    fn csl_file_in_the_site() {
        let dir = tempfile::tempdir().expect("tempdir");
        let Style::Independent(s) = ArchivedStyle::AmericanMedicalAssociation.get() else {
            panic!("independent style expected");
        };
        let xml = Style::Independent(s).to_xml().expect("serialises");
        std::fs::create_dir_all(dir.path().join("styles")).expect("mkdir");
        std::fs::write(dir.path().join("styles/clinic.csl"), xml).expect("write");
        let f = Formatter::new("styles/clinic.csl", dir.path()).expect("loads");
        assert_eq!(show(&f, &weiss()).text, show(&ama(), &weiss()).text);
        std::fs::write(dir.path().join("styles/broken.csl"), "<style>").expect("write");
        let e = Formatter::new("styles/broken.csl", dir.path()).unwrap_err();
        assert_eq!(e.rule, "config/citation-style");
        assert!(e.message.contains("not a valid CSL style"), "{}", e.message);
        let e = Formatter::new("styles/missing.csl", dir.path()).unwrap_err();
        assert!(e.message.contains("cannot read"), "{}", e.message);
    }

    #[test]
    fn html_is_escaped() {
        let mut r = weiss();
        r.title = s("Risk <script>alert(1)</script> & benefit");
        let out = show(&ama(), &r);
        assert!(!out.html.contains("<script>"), "{}", out.html);
        assert!(out.html.contains("&lt;script&gt;"), "{}", out.html);
        assert!(out.html.contains("&amp; benefit"), "{}", out.html);
        assert!(out.text.contains("<script>"));
    }

    #[test]
    fn nlm_style_keeps_authors() {
        let f = Formatter::new("nlm-citation-sequence", Path::new(".")).expect("bundled");
        let out = show(&f, &weiss());
        assert!(
            out.text.starts_with("Weiss ST, Douglas HE."),
            "{}",
            out.text
        );
        assert!(!out.text.contains(" ;"), "{}", out.text);
        let f = Formatter::new("vancouver", Path::new(".")).expect("alias");
        assert!(show(&f, &weiss()).text.contains("Weiss ST"));
    }

    #[test]
    fn doi_given_as_a_url_is_shown_and_linked_once() {
        let mut r = weiss();
        r.doi = Some("https://doi.org/10.1097/ADM.0000000000000721".into());
        let out = show(&ama(), &r);
        assert!(
            out.text.ends_with("doi:10.1097/ADM.0000000000000721"),
            "{}",
            out.text
        );
        assert_eq!(
            out.html.matches("href=\"https://doi.org/").count(),
            1,
            "{}",
            out.html
        );
        r.pmid = Some("32858563".into());
        r.pmcid = Some("PMC7900000".into());
        let out = show(&ama(), &r);
        assert!(out
            .html
            .contains("href=\"https://pubmed.ncbi.nlm.nih.gov/32858563/\""));
        assert!(out
            .html
            .contains("href=\"https://www.ncbi.nlm.nih.gov/pmc/articles/PMC7900000/\""));
    }

    /// Reference strings checked by hand against the AMA Manual of Style, 11th edition,
    /// chapter 3: more than 6 authors gives the first 3 and "et al"; a group author stands
    /// where the authors would; titles in title case (CSL leaves article and web titles as
    /// written, so the input is written that way); a book gives edition, then
    /// "Publisher; Year" without a place; a web page and a report end with the accessed date
    /// and the URL. Known gap: AMA writes "Published <date>." for a dated web page, which
    /// hayagriva's AMA style does not; the web page here is undated, as many are.
    #[test]
    fn ama_exact_text_for_each_kind() {
        let f = ama();
        let article7 = Reference {
            authors: vec![
                "Ahmed KA".into(),
                "Brown LM".into(),
                "Chen X".into(),
                "Diaz-Lopez R".into(),
                "Evans T".into(),
                "Fischer G".into(),
                "Gupta N".into(),
            ],
            title: s("Early Mobilisation After Hip Fracture Surgery"),
            container: s("BMJ"),
            year: s("2019"),
            volume: s("364"),
            pages: s("l1234"),
            doi: s("10.1136/bmj.l1234"),
            ..base("ahmed", RefKind::Article)
        };
        let org = Reference {
            organization: s("American Diabetes Association"),
            title: s("Standards of Medical Care in Diabetes-2022"),
            container: s("Diabetes Care"),
            year: s("2022"),
            volume: s("45"),
            issue: s("suppl 1"),
            pages: s("S1-S264"),
            ..base("ada", RefKind::Article)
        };
        let book = Reference {
            authors: vec!["Iverson C".into(), "Christiansen S".into()],
            title: s("AMA Manual of Style: A Guide for Authors and Editors"),
            edition: s("11"),
            publisher: s("Oxford University Press"),
            year: s("2020"),
            ..base("iverson", RefKind::Book)
        };
        let web = Reference {
            organization: s("Centers for Disease Control and Prevention"),
            title: s("Facts About Hypertension"),
            container: s("CDC"),
            url: s("https://www.cdc.gov/high-blood-pressure/data-research/facts-stats/index.html"),
            accessed: Date::parse("2026-11-20").ok(),
            ..base("cdc", RefKind::Web)
        };
        let guideline = Reference {
            organization: s("National Institute for Health and Care Excellence"),
            title: s("Hypertension in Adults: Diagnosis and Management"),
            publisher: s("National Institute for Health and Care Excellence"),
            year: s("2019"),
            url: s("https://www.nice.org.uk/guidance/ng136"),
            accessed: Date::parse("2026-11-20").ok(),
            ..base("nice", RefKind::Guideline)
        };
        let got: Vec<String> = f
            .format(&[&article7, &org, &book, &web, &guideline])
            .into_iter()
            .map(|x| x.text)
            .collect();
        let want = [
            "Ahmed KA, Brown LM, Chen X, et al. Early Mobilisation After Hip Fracture Surgery. BMJ. 2019;364:l1234. doi:10.1136/bmj.l1234",
            "American Diabetes Association. Standards of Medical Care in Diabetes-2022. Diabetes Care. 2022;45(suppl 1):S1-S264.",
            "Iverson C, Christiansen S. AMA Manual of Style: A Guide for Authors and Editors. 11th ed. Oxford University Press; 2020.",
            "Centers for Disease Control and Prevention. Facts About Hypertension. CDC. Accessed November 20, 2026. https://www.cdc.gov/high-blood-pressure/data-research/facts-stats/index.html",
            "National Institute for Health and Care Excellence. Hypertension in Adults: Diagnosis and Management. National Institute for Health and Care Excellence; 2019. Accessed November 20, 2026. https://www.nice.org.uk/guidance/ng136",
        ];
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g, w);
        }
    }
}

/// Every reference of the real exports in `../shared/real-inputs`, formatted one by one in the
/// default style, so a change to the readers can be compared with the output before it:
/// `CAREGUIDE_REF_DUMP=FILE cargo test real_references_dump` writes them to FILE.
#[cfg(test)]
mod real_dump {
    use super::*;

    #[test]
    fn real_references_dump() {
        let files = [
            "bibtex_cochrane-cdsr-export.bib",
            "bibtex_ohdsi-book-mixed-sources.bib",
            "bibtex_zotero_gi-surgical-oncology.bib",
            "csljson_manubot_pediatric-brain-tumor.json",
            "csljson_zotero-betterbibtex_sleep-activity-thesis.json",
            "medline_pubmed-export_single-record.nbib",
            "medline_pubmed-export_spinal-tuberculosis.nbib",
            "ris_ovid-medline-direct-export.ris",
            "ris_zotero-export-of-ovid-medline.ris",
        ];
        let Ok(f) = Formatter::new("american-medical-association", Path::new(".")) else {
            panic!("the bundled AMA style loads");
        };
        let mut out = String::new();
        let mut n = 0;
        for name in files {
            let Some(l) = crate::cite::bib::tests::read_real(name) else {
                return;
            };
            for r in &l.refs {
                for x in f.format(&[r]) {
                    out.push_str(&format!("{name} {}\n{}\n{}\n\n", r.id, x.text, x.html));
                }
                n += 1;
            }
        }
        assert!(n >= 741, "{n} references");
        if let Some(p) = std::env::var_os("CAREGUIDE_REF_DUMP") {
            std::fs::write(p, out).expect("write the dump");
        }
    }
}
