//! The words careguide itself writes (page furniture, the search page, the editorial report,
//! the handout form, the PDF labels), per language: built-in tables for English and Spanish
//! (`src/i18n/en.toml`, `es.toml`), each of which a site may override in part with its own
//! `i18n/<lang>.toml`. Also how a language writes dates and decimal numbers.
//!
//! A key the built-in English table does not have is an error naming the key, file and line.
//! A language with no built-in table takes the site's table, and English for any key the
//! site's table lacks (one note says so).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use serde::Serialize;

use crate::diag::{Category, Diagnostic};
use crate::taper::{Dec, Unit};
use crate::types::{Date, DateFormat};

/// The folder of a site's tables: `i18n/<lang>.toml`.
pub const I18N_DIR: &str = "i18n";

/// The built-in tables: (language, text).
const BUILTIN: &[(&str, &str)] = &[
    ("en", include_str!("i18n/en.toml")),
    ("es", include_str!("i18n/es.toml")),
];

/// Sections of keys to strings.
type Table = BTreeMap<String, BTreeMap<String, String>>;

/// One language's strings: the built-in table with the site's overrides laid over it. Cheap to
/// clone. Serialized (for the templates) as its sections: `{{ t.page.audience_question }}`.
#[derive(Debug, Clone)]
pub struct Strings {
    /// The language tag asked for (`es-MX`, `fr`), which the table may stand in for.
    lang: String,
    /// The language of the table (`es`; `en` standing in for one careguide has no table of).
    base: String,
    table: Arc<Table>,
}

impl Serialize for Strings {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.table.serialize(s)
    }
}

/// Every language's strings a site has: the built-in tables and the site's `i18n/` files.
#[derive(Debug, Clone)]
pub struct Catalog {
    tables: BTreeMap<String, Strings>,
    /// Languages whose table is the site's own and lacks keys (English fills them in).
    partial: BTreeMap<String, PathBuf>,
}

/// A built-in table as shipped; they are tested to parse and to have the same keys.
fn builtin_table(lang: &str) -> Option<Table> {
    let text = BUILTIN.iter().find(|(l, _)| *l == lang)?.1;
    toml::from_str(text).ok()
}

fn english() -> Table {
    builtin_table("en").unwrap_or_default()
}

/// The line (1-based) of `key` in `section` of a TOML text, for an error.
fn key_line(text: &str, section: &str, key: &str) -> usize {
    let mut current = String::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if let Some(name) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            current = name.trim().to_string();
            continue;
        }
        let Some((k, _)) = t.split_once('=') else {
            continue;
        };
        if current == section && k.trim().trim_matches('"') == key {
            return i + 1;
        }
    }
    0
}

impl Catalog {
    /// The built-in tables alone (read once per process).
    pub fn builtin() -> Catalog {
        static BUILT_IN: OnceLock<Catalog> = OnceLock::new();
        BUILT_IN.get_or_init(Catalog::read_builtin).clone()
    }

    fn read_builtin() -> Catalog {
        let tables = BUILTIN
            .iter()
            .filter_map(|(l, _)| {
                Some((
                    l.to_string(),
                    Strings {
                        lang: l.to_string(),
                        base: l.to_string(),
                        table: Arc::new(builtin_table(l)?),
                    },
                ))
            })
            .collect();
        Catalog {
            tables,
            partial: BTreeMap::new(),
        }
    }

    /// The built-in tables with the site's `i18n/<lang>.toml` files laid over them. A file
    /// that does not parse, a key or section the built-in tables do not have, or a value that
    /// is not a string is an error at its line.
    pub fn load(root: &Path) -> Result<Catalog, Vec<Diagnostic>> {
        let mut catalog = Catalog::builtin();
        let dir = root.join(I18N_DIR);
        if !dir.is_dir() {
            return Ok(catalog);
        }
        let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
            Ok(rd) => rd
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|e| e == "toml"))
                .collect(),
            Err(e) => {
                return Err(vec![Diagnostic::error(
                    "io/read",
                    format!("cannot read {I18N_DIR}/: {e}"),
                )
                .category(Category::Io)])
            }
        };
        files.sort();
        let mut problems = Vec::new();
        for path in files {
            let Some(lang) = path.file_stem().and_then(|s| s.to_str()).map(String::from) else {
                continue;
            };
            let rel = PathBuf::from(I18N_DIR).join(format!("{lang}.toml"));
            match catalog.overlay(&lang, &path, &rel) {
                Ok(()) => {}
                Err(mut d) => problems.append(&mut d),
            }
        }
        if problems.is_empty() {
            Ok(catalog)
        } else {
            Err(problems)
        }
    }

    /// Lay one site file over the language's table (English's for a language careguide has no
    /// table of).
    fn overlay(&mut self, lang: &str, path: &Path, rel: &Path) -> Result<(), Vec<Diagnostic>> {
        let text = crate::util::read_file_to_string(path).map_err(|e| {
            vec![
                Diagnostic::error("io/read", format!("cannot read {}: {e}", rel.display()))
                    .category(Category::Io),
            ]
        })?;
        let parsed: toml::Table = toml::from_str(&text).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|s| crate::diag::line_col(&text, s.start))
                .unwrap_or((0, 0));
            vec![Diagnostic::error(
                "i18n/syntax",
                format!("{} is not valid TOML: {}", rel.display(), e.message()),
            )
            .at(rel, line, col)
            .category(Category::Config)]
        })?;
        let english = english();
        let builtin = builtin_table(lang);
        let mut table = builtin.clone().unwrap_or_else(|| english.clone());
        let mut problems = Vec::new();
        let mut given = 0;
        for (section, value) in &parsed {
            let Some(known) = english.get(section) else {
                problems.push(unknown(rel, &text, section, None, &english));
                continue;
            };
            let Some(keys) = value.as_table() else {
                problems.push(
                    Diagnostic::error(
                        "i18n/not-a-section",
                        format!(
                            "'{section}' in {} is not a [section] of strings",
                            rel.display()
                        ),
                    )
                    .at(rel, key_line(&text, "", section), 1)
                    .category(Category::Config),
                );
                continue;
            };
            for (key, v) in keys {
                if !known.contains_key(key) {
                    problems.push(unknown(rel, &text, section, Some(key), &english));
                    continue;
                }
                let Some(s) = v.as_str() else {
                    problems.push(
                        Diagnostic::error(
                            "i18n/not-a-string",
                            format!("{section}.{key} in {} is not a string", rel.display()),
                        )
                        .at(rel, key_line(&text, section, key), 1)
                        .category(Category::Config)
                        .hint("write it in quotes: key = \"text\""),
                    );
                    continue;
                };
                if let Some(why) = bad_value(section, key, s) {
                    problems.push(
                        Diagnostic::error(
                            "i18n/bad-value",
                            format!("{section}.{key} in {}: {why}", rel.display()),
                        )
                        .at(rel, key_line(&text, section, key), 1)
                        .category(Category::Config),
                    );
                    continue;
                }
                given += 1;
                table
                    .entry(section.clone())
                    .or_default()
                    .insert(key.clone(), s.to_string());
            }
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let total: usize = english.values().map(BTreeMap::len).sum();
        if builtin.is_none() && given < total {
            self.partial.insert(lang.to_string(), rel.to_path_buf());
        }
        self.tables.insert(
            lang.to_string(),
            Strings {
                lang: lang.to_string(),
                base: if builtin.is_some() { lang } else { "en" }.to_string(),
                table: Arc::new(table),
            },
        );
        Ok(())
    }

    /// The strings of a language tag (`es`, `es-MX`): its own table, else its primary
    /// language's, else English. The note says when English stands in (for a language with no
    /// built-in table, unless the site gives a full one).
    pub fn strings(&self, lang: &str) -> (Strings, Option<Diagnostic>) {
        let primary = crate::config::primary_language(lang);
        let found = self
            .tables
            .get(lang)
            .map(|s| (lang, s))
            .or_else(|| self.tables.get(&primary).map(|s| (primary.as_str(), s)));
        match found {
            Some((l, s)) => {
                let note = self.partial.get(l).map(|file| {
                    Diagnostic::warning(
                        "i18n/partial",
                        format!(
                            "careguide has no built-in interface strings for '{lang}', and {} gives only some: the rest are in English",
                            file.display()
                        ),
                    )
                    .in_file(file)
                    .category(Category::Config)
                    .hint("give every key of the English table (see the README, \"Interface strings\") to have none in English")
                });
                let mut s = s.clone();
                s.lang = lang.to_string();
                (s, note)
            }
            None => {
                let note = Diagnostic::warning(
                    "i18n/no-table",
                    format!(
                        "careguide has no built-in interface strings for '{lang}': the words careguide writes (\"Page 1 of 2\", \"References\", dates) are in English"
                    ),
                )
                .category(Category::Config)
                .hint(format!(
                    "write {I18N_DIR}/{primary}.toml with every key of the English table (see the README, \"Interface strings\")"
                ));
                let mut en = self
                    .tables
                    .get("en")
                    .cloned()
                    .unwrap_or_else(Strings::english);
                en.lang = lang.to_string();
                (en, Some(note))
            }
        }
    }

    /// Languages whose table's clinical wording awaits review ([about] review is not
    /// "reviewed"), as (language, its name).
    pub fn unreviewed(&self) -> Vec<(String, String)> {
        self.tables
            .values()
            .filter(|s| s.get("about", "review") != "reviewed")
            .map(|s| (s.lang.clone(), s.get("about", "language").to_string()))
            .collect()
    }
}

/// What is wrong with a value the code reads as a list or a mark, if anything.
fn bad_value(section: &str, key: &str, value: &str) -> Option<String> {
    let words = value.split_whitespace().count();
    match (section, key) {
        ("dates", "months" | "months_short") if words != 12 => Some(format!(
            "twelve names are needed, separated by spaces; this has {words}"
        )),
        ("dates", "weekdays" | "weekdays_short" | "weekday_initials") if words != 7 => Some(
            format!("seven names are needed (Monday first), separated by spaces; this has {words}"),
        ),
        ("numbers", "decimal_mark") if value != "." && value != "," => {
            Some(format!("'{value}' is not a decimal mark: \".\" or \",\""))
        }
        _ => None,
    }
}

/// The error for a section or key the built-in tables do not have, with the nearest one.
fn unknown(rel: &Path, text: &str, section: &str, key: Option<&str>, en: &Table) -> Diagnostic {
    let (what, line, near) = match key {
        Some(k) => (
            format!("{section}.{k}"),
            key_line(text, section, k),
            en.get(section)
                .and_then(|keys| crate::util::nearest(k, keys.keys().map(String::as_str)))
                .map(|n| format!("{section}.{n}")),
        ),
        None => (
            format!("[{section}]"),
            text.lines()
                .position(|l| l.trim().trim_matches(['[', ']']).trim() == section)
                .map_or(0, |i| i + 1),
            crate::util::nearest(section, en.keys().map(String::as_str)).map(|n| format!("[{n}]")),
        ),
    };
    let hint = match near {
        Some(n) => format!("did you mean {n}? a site's table may only override careguide's keys"),
        None => "a site's table may only override careguide's keys (see the README, \"Interface strings\")".to_string(),
    };
    Diagnostic::error(
        "i18n/unknown-key",
        format!("{what} in {} is not a key careguide has", rel.display()),
    )
    .at(rel, line, 1)
    .category(Category::Config)
    .hint(hint)
}

impl Strings {
    /// The built-in English strings.
    pub fn english() -> Strings {
        Catalog::builtin()
            .tables
            .get("en")
            .cloned()
            .unwrap_or_else(|| Strings {
                lang: "en".to_string(),
                base: "en".to_string(),
                table: Arc::new(english()),
            })
    }

    /// The built-in strings of a language, or English.
    pub fn builtin(lang: &str) -> Strings {
        Catalog::builtin().strings(lang).0
    }

    /// The language tag asked for (`es-MX`): the language of what is written.
    pub fn lang(&self) -> &str {
        &self.lang
    }

    /// The language of the table used (`es`; `en` standing in for a language without one).
    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether both are the same table (clones of one language's strings).
    pub fn same_table(&self, other: &Strings) -> bool {
        Arc::ptr_eq(&self.table, &other.table)
    }

    /// The string at `section.key`; the key itself when missing (the built-in tables are
    /// tested to have every key the code asks for).
    pub fn get<'a>(&'a self, section: &str, key: &'a str) -> &'a str {
        self.table
            .get(section)
            .and_then(|s| s.get(key))
            .map(String::as_str)
            .unwrap_or(key)
    }

    /// The string at `section.key` with each `{name}` replaced by its value.
    pub fn fill(&self, section: &str, key: &str, values: &[(&str, &str)]) -> String {
        let mut out = self.get(section, key).to_string();
        for (name, value) in values {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }

    /// `key_one` or `key_other` for a count (English and Spanish have these two forms).
    pub fn plural<'a>(&'a self, section: &str, key: &str, n: u64) -> &'a str {
        let form = if n == 1 { "one" } else { "other" };
        let full = format!("{key}_{form}");
        self.table
            .get(section)
            .and_then(|s| s.get(&full))
            .map(String::as_str)
            .unwrap_or("")
    }

    fn word(&self, list: &str, i: usize) -> String {
        self.get("dates", list)
            .split_whitespace()
            .nth(i)
            .unwrap_or_default()
            .to_string()
    }

    /// `November 28, 2026`; `28 de noviembre de 2026`.
    pub fn date_long(&self, d: Date) -> String {
        let m = u8::from(d.0.month()) as usize - 1;
        self.fill(
            "dates",
            "long",
            &[
                ("day", &d.0.day().to_string()),
                ("month", &self.word("months", m)),
                ("month_short", &self.word("months_short", m)),
                ("year", &d.0.year().to_string()),
            ],
        )
    }

    /// `8 Dec`; `8 dic`: the chart's axis and the weekly tick boxes.
    pub fn day_month(&self, d: Date) -> String {
        let m = u8::from(d.0.month()) as usize - 1;
        self.fill(
            "dates",
            "day_month",
            &[
                ("day", &d.0.day().to_string()),
                ("month", &self.word("months", m)),
                ("month_short", &self.word("months_short", m)),
                ("year", &d.0.year().to_string()),
            ],
        )
    }

    /// `Tu`; `ma`: the letters over a day's tick box.
    pub fn weekday_initials(&self, d: Date) -> String {
        self.word(
            "weekday_initials",
            d.0.weekday().number_days_from_monday() as usize,
        )
    }

    /// A date as the handout's format writes it, with the English month and weekday names the
    /// `time` crate writes put into this language (`Tue 1 Dec 2026`; `mar 1 dic 2026`).
    pub fn date(&self, d: Date, format: &DateFormat) -> String {
        let english = d.format(format);
        let en = Strings::english();
        let lists = ["months", "months_short", "weekdays", "weekdays_short"];
        if lists
            .iter()
            .all(|l| self.get("dates", l) == en.get("dates", l))
        {
            return english;
        }
        // Which names the format writes, long or short ("May" is both): as it writes a
        // Wednesday in September.
        let probe = Date(time::macros::date!(2026 - 09 - 02)).format(format);
        let has = |w: &str| probe.split(|c: char| !c.is_alphabetic()).any(|x| x == w);
        let lists = [
            if has("September") {
                "months"
            } else {
                "months_short"
            },
            if has("Wednesday") {
                "weekdays"
            } else {
                "weekdays_short"
            },
        ];
        let mut out = String::with_capacity(english.len());
        let mut word = String::new();
        let flush = |word: &mut String, out: &mut String| {
            let found = lists.iter().find_map(|l| {
                en.get("dates", l)
                    .split_whitespace()
                    .position(|w| w == word)
                    .map(|i| self.word(l, i))
            });
            out.push_str(found.as_deref().unwrap_or(word));
            word.clear();
        };
        for c in english.chars() {
            if c.is_alphabetic() {
                word.push(c);
            } else {
                flush(&mut word, &mut out);
                out.push(c);
            }
        }
        flush(&mut word, &mut out);
        out
    }

    /// A number as this language writes it in a page or handout: its decimal mark, never a
    /// grouping separator (`0.5` -> `0,5`). Every dose careguide prints goes through here.
    pub fn number(&self, n: &str) -> String {
        let mark = self.get("numbers", "decimal_mark");
        if mark == "." {
            return n.to_string();
        }
        let b = n.as_bytes();
        let mut out = String::with_capacity(n.len() + 2);
        for (i, c) in n.char_indices() {
            let between_digits = c == '.'
                && i > 0
                && b[i - 1].is_ascii_digit()
                && b.get(i + 1).is_some_and(u8::is_ascii_digit);
            if between_digits {
                out.push_str(mark);
            } else {
                out.push(c);
            }
        }
        out
    }

    /// A dose: `0,5`.
    pub fn dec(&self, d: Dec) -> String {
        self.number(&d.to_string())
    }

    /// A unit's name (`g`, `tabletas`).
    pub fn unit(&self, u: Unit) -> &str {
        self.get("units", u.as_str())
    }

    /// An amount with its unit: `18 g`, `1 tablet`, `0,5 tabletas`.
    pub fn amount(&self, u: Unit, d: Dec) -> String {
        match u {
            Unit::Tablets if d == Dec::from_int(1) => format!("1 {}", self.get("units", "tablet")),
            _ => format!("{} {}", self.dec(d), self.unit(u)),
        }
    }

    /// A review status's word (`Under review`, `En revisión`), by its id.
    pub fn status(&self, id: &str) -> String {
        self.get("status", id).to_string()
    }
}

/// The schedule's notes for the clinician in this language: `[notes]`.
impl crate::taper::Wording for Strings {
    fn note<'a>(&'a self, key: &'a str) -> &'a str {
        self.get("notes", key)
    }
    fn number(&self, n: &str) -> String {
        Strings::number(self, n)
    }
    fn unit(&self, u: Unit) -> String {
        Strings::unit(self, u).to_string()
    }
    fn amount(&self, u: Unit, d: Dec) -> String {
        Strings::amount(self, u, d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(t: &Table) -> Vec<String> {
        t.iter()
            .flat_map(|(s, keys)| keys.keys().map(move |k| format!("{s}.{k}")))
            .collect()
    }

    #[test]
    fn the_built_in_tables_parse_and_have_the_same_keys() {
        let en = builtin_table("en").expect("en.toml parses");
        let es = builtin_table("es").expect("es.toml parses");
        assert_eq!(keys(&en), keys(&es));
        // Placeholders match: a translation may move them, not drop or rename them.
        for (section, ks) in &en {
            for (k, v) in ks {
                let holes = |s: &str| {
                    let mut h: Vec<String> = s
                        .split('{')
                        .skip(1)
                        .filter_map(|r| r.split_once('}').map(|(n, _)| n.to_string()))
                        .collect();
                    h.sort();
                    h
                };
                assert_eq!(holes(v), holes(&es[section][k]), "{section}.{k}");
            }
        }
        for t in [&en, &es] {
            for list in ["months", "months_short"] {
                assert_eq!(t["dates"][list].split_whitespace().count(), 12, "{list}");
            }
            for list in ["weekdays", "weekdays_short", "weekday_initials"] {
                assert_eq!(t["dates"][list].split_whitespace().count(), 7, "{list}");
            }
        }
    }

    #[test]
    fn the_spanish_table_awaits_review() {
        let c = Catalog::builtin();
        assert_eq!(
            c.unreviewed(),
            vec![("es".to_string(), "Español".to_string())]
        );
    }

    fn d(s: &str) -> Date {
        Date::parse(s).expect("a date")
    }

    #[test]
    fn dates_in_each_language() {
        let en = Strings::english();
        let es = Strings::builtin("es");
        assert_eq!(en.date_long(d("2026-11-28")), d("2026-11-28").long());
        assert_eq!(es.date_long(d("2026-11-28")), "28 de noviembre de 2026");
        assert_eq!(en.day_month(d("2026-12-08")), d("2026-12-08").day_month());
        assert_eq!(es.day_month(d("2026-12-08")), "8 dic");
        // 2026-12-01 is a Tuesday.
        assert_eq!(en.weekday_initials(d("2026-12-01")), "Tu");
        assert_eq!(es.weekday_initials(d("2026-12-01")), "ma");
        let f = DateFormat::default();
        assert_eq!(en.date(d("2026-12-01"), &f), "Tue 1 Dec 2026");
        assert_eq!(es.date(d("2026-12-01"), &f), "mar 1 dic 2026");
        // "May" is a short and a long name: the format says which.
        assert_eq!(es.date(d("2027-05-10"), &f), "lun 10 may 2027");
        let long = DateFormat::parse("[weekday] [day padding:none] [month repr:long] [year]")
            .expect("a format");
        assert_eq!(es.date(d("2026-05-06"), &long), "miércoles 6 mayo 2026");
    }

    #[test]
    fn numbers_take_the_language_decimal_mark_and_no_grouping() {
        let es = Strings::builtin("es");
        assert_eq!(es.number("0.5"), "0,5");
        assert_eq!(es.number("12.25 + 0.5"), "12,25 + 0,5");
        assert_eq!(es.number("1000"), "1000");
        assert_eq!(es.number("v1. 2"), "v1. 2");
        assert_eq!(Strings::english().number("0.5"), "0.5");
        assert_eq!(es.amount(Unit::Tablets, Dec::from_int(1)), "1 tableta");
        let half: Dec = "0.5".parse().expect("a decimal");
        assert_eq!(es.amount(Unit::G, half), "0,5 g");
        assert_eq!(
            Strings::english().amount(Unit::G, half),
            Unit::G.amount(half)
        );
    }

    #[test]
    fn a_language_tag_finds_its_primary_language_or_english_with_a_note() {
        let c = Catalog::builtin();
        let (s, note) = c.strings("es-MX");
        assert_eq!((s.lang(), s.base()), ("es-MX", "es"));
        assert!(note.is_none());
        let (s, note) = c.strings("fr");
        assert_eq!((s.lang(), s.base()), ("fr", "en"));
        assert!(note.expect("a note").message.contains("'fr'"));
    }

    fn site(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().expect("a temp dir");
        std::fs::create_dir(dir.path().join(I18N_DIR)).expect("i18n/");
        for (name, text) in files {
            std::fs::write(dir.path().join(I18N_DIR).join(name), text).expect("write");
        }
        dir
    }

    #[test]
    fn a_site_overrides_some_keys() {
        let dir = site(&[(
            "es.toml",
            "[page]\naudience_question = \"¿Quién es usted?\"\n",
        )]);
        let c = Catalog::load(dir.path()).expect("loads");
        let (s, note) = c.strings("es");
        assert!(note.is_none());
        assert_eq!(s.get("page", "audience_question"), "¿Quién es usted?");
        assert_eq!(s.get("page", "references"), "Referencias");
    }

    #[test]
    fn an_unknown_key_is_an_error_at_its_line() {
        let dir = site(&[(
            "es.toml",
            "[page]\nreferences = \"Fuentes\"\naudience_questoin = \"x\"\n",
        )]);
        let e = Catalog::load(dir.path()).expect_err("an unknown key");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].message.contains("page.audience_questoin"),
            "{}",
            e[0].message
        );
        assert!(e[0].message.contains("i18n/es.toml"), "{}", e[0].message);
        assert_eq!(e[0].line, 3);
        assert!(format!("{:?}", e[0].hint).contains("page.audience_question"));
    }

    #[test]
    fn lists_and_marks_are_checked() {
        let dir = site(&[(
            "es.toml",
            "[dates]\nmonths = \"ene feb\"\n\n[numbers]\ndecimal_mark = \"·\"\n",
        )]);
        let e = Catalog::load(dir.path()).expect_err("bad values");
        assert_eq!(e.len(), 2);
        assert!(e[0].message.contains("twelve names"), "{}", e[0].message);
        assert_eq!(e[0].line, 2);
        assert!(e[1].message.contains("decimal mark"), "{}", e[1].message);
    }

    #[test]
    fn a_partial_table_for_a_new_language_falls_back_with_a_note() {
        let dir = site(&[("fr.toml", "[page]\nreferences = \"Références\"\n")]);
        let c = Catalog::load(dir.path()).expect("loads");
        let (s, note) = c.strings("fr");
        assert_eq!(s.get("page", "references"), "Références");
        assert_eq!(s.get("page", "printable"), "Printable PDF");
        assert!(note.is_some());
    }
}
