//! Translations (issue 18): `page.es.md` beside `page.md` is the page in Spanish when
//! careguide.toml lists `es` in `[[languages]]`. A translation has its own title, summary, body
//! and review block, names the original's `updated` date it translates (`translates:`), and
//! takes the rest from the original: URL (under `/es/`), audiences and citation keys (which
//! must be the same), references, bibliography, topics and the taper block (of which it may
//! translate `substance` and `dose_forms` only).
//!
//! A site without `[[languages]]` has no translations: every file is a page as before.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::Document;
use crate::config::Config;
use crate::diag::{Diagnostic, Diagnostics};
use crate::types::{Date, LangId};

/// What a translation file says of its original, beside its own front matter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Translation {
    /// The original's file, as the translation's name gives it (`content/page.md`), then as
    /// found.
    pub original_file: PathBuf,
    /// The original's URL path (`page`), as the file name gives it, then as found.
    pub original_path: String,
    /// `translates:` the original's `updated` date this translation was made from.
    pub translates: Date,
    /// File line of `translates:`.
    pub translates_line: usize,
    /// The taper block's fields a translation may set.
    pub taper: TranslatedTaper,
    /// The original's `updated`, once the original is found: later than `translates`, the
    /// translation is out of date.
    pub original_updated: Option<Date>,
}

impl Translation {
    /// The original has changed since this translation was made.
    pub fn is_stale(&self) -> bool {
        self.original_updated.is_some_and(|u| u > self.translates)
    }
}

/// `taper:` in a translation: the words of the original's block, translated. Every other
/// field (doses, limits, units) is the original's.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TranslatedTaper {
    pub substance: Option<String>,
    pub dose_forms: Option<Vec<String>>,
}

/// What a page file's name says of its language.
pub(super) enum Kind {
    /// A page in the site's default language (or a site without `[[languages]]`).
    Original,
    /// A translation into `lang`; `original` is the file it names (`content/page.md`).
    Translation { lang: LangId, original: PathBuf },
}

/// A file's kind by its name, or why the name is refused: a suffix that looks like a language
/// but is not a configured one, or the default language's own.
pub(super) fn kind(rel: &Path, config: &Config) -> Result<Kind, Diagnostic> {
    if config.languages.is_empty() {
        return Ok(Kind::Original);
    }
    let stem = rel.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let Some((base, suffix)) = stem.rsplit_once('.') else {
        return Ok(Kind::Original);
    };
    let ids = || {
        config
            .languages
            .iter()
            .map(|l| l.id.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    if config.translation_language(suffix).is_some() {
        let original = rel.with_file_name(format!("{base}.md"));
        return Ok(Kind::Translation {
            lang: LangId::new(suffix),
            original,
        });
    }
    if suffix == config.language {
        return Err(Diagnostic::error(
            "content/language",
            format!("'{suffix}' is the site's default language: its pages take no language suffix"),
        )
        .at(rel, 1, 1)
        .hint(format!("rename the file {base}.md")));
    }
    if LangId::is_well_formed(suffix) {
        return Err(Diagnostic::error(
            "content/language",
            format!("'{suffix}' is not a language of this site (careguide.toml lists: {})", ids()),
        )
        .at(rel, 1, 1)
        .hint(format!(
            "add [[languages]] with id = \"{suffix}\" to careguide.toml, or rename the file: a name `page.<language>.md` is a translation of page.md"
        )));
    }
    Ok(Kind::Original)
}

/// A page under a folder named like one of the site's languages (`content/es/`): its URL
/// would be among that language's translations.
pub(super) fn folder_problem(rel: &Path, config: &Config) -> Option<Diagnostic> {
    if config.languages.is_empty() {
        return None;
    }
    let parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().to_string())
        .collect();
    // content/<folder>/.../<file>
    let folder = parts.get(1).filter(|_| parts.len() > 2)?;
    config.language_of(folder)?;
    Some(
        Diagnostic::error(
            "content/language-folder",
            format!(
                "the folder content/{folder}/ is named like the site's language '{folder}', whose pages live at /{folder}/"
            ),
        )
        .at(rel, 1, 1)
        .hint(format!(
            "rename the folder; a page's translation is a file beside it (page.{folder}.md), not a folder of its own"
        )),
    )
}

/// A translation's own keys, taken out of its front matter before the page's keys are read:
/// `translates:` and the `taper:` block, each with its 0-based line in the YAML. The YAML is
/// given back with their lines left empty, so every line keeps its number.
pub(super) struct OwnKeys {
    pub yaml: String,
    pub translates: Option<(usize, String)>,
    pub taper: Option<(usize, String)>,
}

pub(super) fn take_own_keys(yaml: &str) -> OwnKeys {
    let mut out = String::with_capacity(yaml.len());
    let mut translates = None;
    let mut taper: Option<(usize, String)> = None;
    let mut in_taper = false;
    for (i, line) in yaml.split_inclusive('\n').enumerate() {
        let top_level = !line.starts_with([' ', '\t']) && !line.trim().is_empty();
        if top_level {
            in_taper = false;
        }
        let ending = if line.ends_with("\r\n") {
            "\r\n"
        } else if line.ends_with('\n') {
            "\n"
        } else {
            ""
        };
        if top_level && key_is(line, "translates") {
            let value = line.split_once(':').map(|(_, v)| v).unwrap_or("");
            let value = value.trim().trim_matches(['"', '\'']).to_string();
            translates = Some((i, value));
            out.push_str(ending);
        } else if top_level && key_is(line, "taper") {
            in_taper = true;
            taper = Some((i, line.to_string()));
            out.push_str(ending);
        } else if in_taper {
            if let Some((_, t)) = taper.as_mut() {
                t.push_str(line);
            }
            out.push_str(ending);
        } else {
            out.push_str(line);
        }
    }
    OwnKeys {
        yaml: out,
        translates,
        taper,
    }
}

fn key_is(line: &str, key: &str) -> bool {
    line.strip_prefix(key)
        .is_some_and(|r| r.trim_start().starts_with(':'))
}

/// A translation's `taper:` block: `substance` and `dose_forms` only. `line` is the block's
/// file line.
pub(super) fn parse_taper(
    text: &str,
    line: usize,
    rel: &Path,
    diags: &mut Diagnostics,
) -> TranslatedTaper {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Block {
        taper: Option<TranslatedTaper>,
    }
    match serde_norway::from_str::<Block>(text) {
        Ok(b) => b.taper.unwrap_or_default(),
        Err(e) => {
            let (l, c) = e
                .location()
                .map(|p| (p.line() + line - 1, p.column()))
                .unwrap_or((line, 1));
            let msg = e.to_string();
            let field = msg
                .split_once("unknown field `")
                .and_then(|(_, r)| r.split_once('`'))
                .map(|(f, _)| f.to_string());
            let message = match field {
                Some(f) => format!(
                    "a translation may set only taper.substance and taper.dose_forms; taper.{f} comes from the original"
                ),
                None => format!(
                    "taper: {}",
                    msg.split(" at line ").next().unwrap_or(&msg)
                ),
            };
            diags.push(
                Diagnostic::error("translation/taper", message)
                    .at(rel, l, c)
                    .hint("doses, limits and units are the original page's: change them there, and translate only the substance's name and the dose forms here"),
            );
            TranslatedTaper::default()
        }
    }
}

/// Keys a translation takes from its original and may not set.
pub(super) fn own_key_problems(doc: &Document) -> Vec<Diagnostic> {
    let f = &doc.front;
    let set = [
        ("slug", f.slug.is_some()),
        ("topics", !f.topics.is_empty()),
        ("references", !doc.references.is_empty()),
        ("bibliography", !f.bibliography.is_empty()),
    ];
    set.iter()
        .filter(|(_, s)| *s)
        .map(|(key, _)| {
            Diagnostic::error(
                "translation/own-key",
                format!("a translation takes `{key}` from its original and cannot set its own"),
            )
            .at(&doc.file, doc.key_line(key), 1)
            .hint(format!(
                "remove `{key}` here; change it in the original page"
            ))
        })
        .collect()
}

/// Link every translation to its original: find it (refusing a translation of a page that
/// does not exist and a second file for one language), check that audiences and citation keys
/// are the original's, and give it the original's URL (under `/<lang>/`), references,
/// bibliography, topics and taper block. Runs on every build, over pages parsed or taken from
/// the cache alike: what it gives a translation comes from the original each time.
pub fn attach(pages: Vec<Document>, diags: &mut Diagnostics) -> Vec<Document> {
    if !pages.iter().any(|d| d.translation.is_some()) {
        return pages;
    }
    let (mut originals, mut translations): (Vec<Document>, Vec<Document>) =
        pages.into_iter().partition(|d| d.translation.is_none());
    // In file order, so which of two files for one language is reported does not depend on
    // the order pages were read in.
    translations.sort_by(|a, b| a.file.cmp(&b.file));
    let by_file: BTreeMap<PathBuf, usize> = originals
        .iter()
        .enumerate()
        .map(|(i, d)| (d.file.clone(), i))
        .collect();
    let by_path: BTreeMap<&str, usize> = originals
        .iter()
        .enumerate()
        .map(|(i, d)| (d.path.as_str(), i))
        .collect();
    let mut taken: BTreeMap<(usize, LangId), PathBuf> = BTreeMap::new();
    let mut kept = Vec::with_capacity(translations.len());
    for mut t in translations {
        let Some(tr) = t.translation.as_ref() else {
            continue;
        };
        let found = by_file
            .get(&tr.original_file)
            .or_else(|| by_path.get(tr.original_path.as_str()))
            .copied();
        let Some(i) = found else {
            let paths = originals.iter().map(|d| d.path.as_str());
            let hint = match crate::util::nearest(&tr.original_path, paths) {
                Some(n) => format!("did you mean a translation of '{n}'? a translation's name is its original's with the language before `.md`"),
                None => "a translation's name is its original's with the language before `.md` (kratom-withdrawal.es.md beside kratom-withdrawal.md)".to_string(),
            };
            diags.push(
                Diagnostic::error(
                    "translation/no-original",
                    format!(
                        "{} translates {}, and there is no such page",
                        t.file.display(),
                        tr.original_file.display()
                    ),
                )
                .at(&t.file, 1, 1)
                .hint(hint),
            );
            continue;
        };
        if let Some(first) = taken.get(&(i, t.lang.clone())) {
            diags.push(
                Diagnostic::error(
                    "translation/duplicate",
                    format!(
                        "two files translate /{}/ into '{}': {} and {}",
                        originals[i].path,
                        t.lang,
                        first.display(),
                        t.file.display()
                    ),
                )
                .at(&t.file, 1, 1)
                .hint("keep one translation per language; delete or merge the other"),
            );
            continue;
        }
        taken.insert((i, t.lang.clone()), t.file.clone());
        let o = &originals[i];
        diags.extend(compare(o, &t));
        inherit(o, &mut t);
        kept.push(t);
    }
    originals.extend(kept);
    originals.sort_by(|a, b| a.file.cmp(&b.file));
    originals
}

/// What a translation takes from its original.
fn inherit(o: &Document, t: &mut Document) {
    t.path = format!("{}/{}", t.lang, o.path);
    t.references = o.references.clone();
    t.front.bibliography = o.front.bibliography.clone();
    t.front.topics = o.front.topics.clone();
    let own = t
        .translation
        .as_ref()
        .map(|tr| tr.taper.clone())
        .unwrap_or_default();
    t.front.taper = o.front.taper.clone().map(|mut taper| {
        if let Some(s) = own.substance {
            taper.substance = s;
        }
        if let Some(f) = own.dose_forms {
            taper.dose_forms = f;
        }
        taper
    });
    if let Some(tr) = t.translation.as_mut() {
        tr.original_file = o.file.clone();
        tr.original_path = o.path.clone();
        tr.original_updated = Some(o.front.updated);
    }
}

/// A translation's audiences and citation keys against its original's, and its `translates:`
/// date against the original's `updated`.
fn compare(o: &Document, t: &Document) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let theirs: BTreeSet<&str> = o.audiences.iter().map(|a| a.as_str()).collect();
    let ours: BTreeSet<&str> = t.audiences.iter().map(|a| a.as_str()).collect();
    if theirs != ours {
        out.push(
            Diagnostic::error(
                "translation/audiences",
                format!(
                    "the translation's audiences differ from the original's ({}): {}",
                    o.file.display(),
                    differences(&theirs, &ours)
                ),
            )
            .at(&t.file, t.key_line("audiences"), 1)
            .hint("a translation is written for the same audiences as its original: set `audiences` as the original does"),
        );
    }
    let (theirs, _) = cite_keys(o);
    let (ours, first) = cite_keys(t);
    let theirs: BTreeSet<&str> = theirs.keys().map(String::as_str).collect();
    let ours_set: BTreeSet<&str> = ours.keys().map(String::as_str).collect();
    if theirs != ours_set {
        // At the first citation the original does not have, else at the body's start.
        let (l, c) = ours
            .iter()
            .filter(|(k, _)| !theirs.contains(k.as_str()))
            .map(|(_, at)| *at)
            .min()
            .unwrap_or(first);
        out.push(
            Diagnostic::error(
                "translation/citations",
                format!(
                    "the translation cites other references than the original ({}): {}",
                    o.file.display(),
                    differences(&theirs, &ours_set)
                ),
            )
            .at(&t.file, l, c)
            .hint("cite the same references as the original, with the same keys; a claim and its source stay together in every language"),
        );
    }
    if let Some(tr) = &t.translation {
        if tr.translates > o.front.updated {
            out.push(
                Diagnostic::error(
                    "translation/translates",
                    format!(
                        "translates: {} is later than the original's updated date ({})",
                        tr.translates.iso(),
                        o.front.updated.iso()
                    ),
                )
                .at(&t.file, tr.translates_line, 1)
                .hint("`translates` names the original's `updated` date the translation was made from"),
            );
        }
    }
    out
}

fn differences(original: &BTreeSet<&str>, translation: &BTreeSet<&str>) -> String {
    let only = |a: &BTreeSet<&str>, b: &BTreeSet<&str>| -> String {
        a.difference(b).copied().collect::<Vec<_>>().join(", ")
    };
    let mut parts = Vec::new();
    let o = only(original, translation);
    if !o.is_empty() {
        parts.push(format!("only the original has {o}"));
    }
    let t = only(translation, original);
    if !t.is_empty() {
        parts.push(format!("only the translation has {t}"));
    }
    parts.join("; ")
}

/// The keys a page cites in its summary and body, each with the file line and column of its
/// first citation; and the place of the body's first line.
fn cite_keys(doc: &Document) -> (BTreeMap<String, (usize, usize)>, (usize, usize)) {
    let mut keys: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let summary_line = doc.key_line("summary");
    for g in crate::cite::scan::scan(&doc.front.summary).groups {
        for it in g.items {
            keys.entry(it.key).or_insert((summary_line, 1));
        }
    }
    for g in crate::cite::scan::scan(doc.body()).groups {
        for it in g.items {
            let at = doc.body_pos(it.offset);
            let e = keys.entry(it.key).or_insert(at);
            if at < *e {
                *e = at;
            }
        }
    }
    (keys, doc.body_pos(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn own_keys_are_taken_out_with_their_lines() {
        let yaml = "title: T\ntranslates: 2026-01-01\ntaper:\n  substance: kratom\n  dose_forms: [polvo]\nreview:\n  status: draft\n";
        let k = take_own_keys(yaml);
        assert_eq!(k.translates, Some((1, "2026-01-01".to_string())));
        let (line, block) = k.taper.expect("a taper block");
        assert_eq!(line, 2);
        assert!(block.contains("dose_forms"));
        assert_eq!(k.yaml, "title: T\n\n\n\n\nreview:\n  status: draft\n");
    }

    fn parsed(config: &Config, file: &str, text: &str) -> Document {
        let src = super::super::SourceFile {
            rel: PathBuf::from(file),
            text: text.to_string(),
        };
        let mut d = Diagnostics::new();
        let doc = super::super::parse(src, config, &mut d);
        assert!(!d.has_errors(), "{:?}", d.into_vec());
        doc.expect("parses")
    }

    #[test]
    fn a_translation_takes_url_taper_and_references_from_its_original() {
        let text = format!(
            "{}\n[[languages]]\nid = \"en\"\nlabel = \"English\"\n\n[[languages]]\nid = \"es\"\nlabel = \"Español\"\n",
            crate::audience::testutil::CONFIG
        );
        let config = Config::parse(&text, Path::new("careguide.toml")).expect("config");
        let original = parsed(
            &config,
            "content/guide/kratom.md",
            "---\ntitle: T\nslug: stopping-kratom\nsummary: S [@a].\nupdated: 2026-01-10\nreview:\n  status: draft\nreferences:\n  - id: a\n    title: A work\n    year: 2020\ntaper:\n  substance: kratom leaf powder\n  unit: g\n  dose_forms: [powder]\n---\nBody.\n",
        );
        let translation = parsed(
            &config,
            "content/guide/kratom.es.md",
            "---\ntitle: T es\nsummary: S es [@a].\nupdated: 2026-01-12\ntranslates: 2026-01-01\nreview:\n  status: draft\ntaper:\n  dose_forms: [polvo]\n---\nCuerpo.\n",
        );
        assert_eq!(translation.lang, "es");
        assert_eq!(original.lang, "en");
        let mut d = Diagnostics::new();
        let pages = attach(vec![translation, original], &mut d);
        assert!(d.is_empty(), "{:?}", d.into_vec());
        let t = pages
            .iter()
            .find(|p| p.translation.is_some())
            .expect("the translation is kept");
        // The original's URL (its slug, not the file's name) under the language's folder.
        assert_eq!(t.path, "es/guide/stopping-kratom");
        assert_eq!(t.lang_path(), "guide/stopping-kratom");
        assert_eq!(t.references.len(), 1);
        let taper = t.front.taper.as_ref().expect("the original's taper");
        assert_eq!(taper.substance, "kratom leaf powder");
        assert_eq!(taper.dose_forms, vec!["polvo".to_string()]);
        let tr = t.translation.as_ref().expect("a translation");
        assert_eq!(tr.original_path, "guide/stopping-kratom");
        assert!(
            tr.is_stale(),
            "translates 2026-01-01, the original is of 2026-01-10"
        );
        // Attaching again (a page taken from the build cache) gives the same page.
        let again = attach(pages.clone(), &mut Diagnostics::new());
        assert_eq!(format!("{again:?}"), format!("{pages:?}"));
    }

    #[test]
    fn a_translation_may_set_only_the_taper_words() {
        let mut d = Diagnostics::new();
        let ok = parse_taper(
            "taper:\n  substance: kratom\n  dose_forms: [polvo]\n",
            7,
            Path::new("p.es.md"),
            &mut d,
        );
        assert!(d.is_empty());
        assert_eq!(ok.dose_forms, Some(vec!["polvo".to_string()]));
        parse_taper(
            "taper:\n  substance: kratom\n  unit: g\n",
            7,
            Path::new("p.es.md"),
            &mut d,
        );
        let e = d.into_vec();
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].line, 9);
        assert!(
            e[0].message.contains("taper.unit comes from the original"),
            "{}",
            e[0].message
        );
    }
}
