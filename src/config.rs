//! `careguide.toml`: the site's configuration. Every table denies unknown keys, so a typo is an
//! error at its line instead of a silently ignored setting.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diag::{line_col, Category, Diagnostic, Severity};
use crate::types::{AudienceId, DateFormat, LangId};

pub const CONFIG_FILE: &str = "careguide.toml";

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// The site's title, shown in the header of every page.
    pub title: String,
    /// The clinic's name: header, footers, PDF author.
    pub clinic: String,
    /// Absolute URL the site is published at, for sitemaps, feeds and canonical links.
    pub base_url: String,
    /// BCP 47 language tag of the content (`en`, `en-GB`).
    #[serde(default = "default_language")]
    pub language: String,
    /// `[[languages]]`: the languages pages are written in. Empty: one language, `language`.
    /// Otherwise `language` is the default's id (set when the configuration is read).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<Language>,
    #[serde(default)]
    pub contact: Contact,
    /// The path of the page that says how pages are written and reviewed
    /// (`editorial-policy`): every other page links to it beside its date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub editorial_policy: Option<String>,
    /// Which audience `/<slug>/` shows.
    pub default_audience: AudienceId,
    /// The readers pages are written for, in the order the selector shows them.
    pub audiences: Vec<Audience>,
    #[serde(default)]
    pub citations: CitationConfig,
    #[serde(default)]
    pub review: ReviewConfig,
    /// Severity per rule name (`"cite/uncited-reference" = "error"`), or `"off"`.
    #[serde(default)]
    pub rules: BTreeMap<String, RuleLevel>,
    /// Raw HTML in Markdown: what the sanitizer lets through beyond its default allowlist.
    #[serde(default)]
    pub html: HtmlConfig,
    /// `[handout]`: how printed handouts write what patients read.
    #[serde(default, skip_serializing_if = "HandoutConfig::is_default")]
    pub handout: HandoutConfig,
}

/// `[handout]`: how printed handouts write dates.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HandoutConfig {
    /// The dates of the plan's table, as a `time` format description (default
    /// `[weekday repr:short] [day padding:none] [month repr:short] [year]`: `Tue 1 Dec 2026`).
    pub date_format: Option<String>,
}

impl HandoutConfig {
    fn is_default(&self) -> bool {
        self == &HandoutConfig::default()
    }

    /// The handout's date format; the default where none is set (validation reports a bad one).
    pub fn date_format(&self) -> DateFormat {
        self.date_format
            .as_deref()
            .and_then(|f| DateFormat::parse(f).ok())
            .unwrap_or_default()
    }
}

/// `[html]`: widen the allowlist raw HTML in Markdown is sanitized with.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct HtmlConfig {
    /// Extra elements to keep (`["video", "source"]`).
    #[serde(default)]
    pub allow_tags: Vec<String>,
    /// Extra attributes to keep, by element (`{ video = ["controls", "src"] }`); `"*"` is any
    /// element.
    #[serde(default)]
    pub allow_attributes: BTreeMap<String, Vec<String>>,
}

fn default_language() -> String {
    "en".to_string()
}

/// `[[languages]]`: one language of the site. The default language's pages keep the site's
/// URLs; the others' translations live under `/<id>/`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Language {
    /// Lower-case BCP 47 tag (`es`, `pt-br`): a translation file's suffix and URL folder.
    pub id: LangId,
    /// The language's name in itself (`Español`), as the language switcher shows it.
    pub label: String,
    /// The language of the pages without a suffix (at most one; else the first listed).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub default: bool,
    /// The site's title in this language (a translation language's; the default language's
    /// is the site's `title`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Topic names in this language, by their name in the default language (`[languages.topics]`
    /// after the entry: `"Substance use" = "Consumo de sustancias"`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub topics: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    pub phone: Option<String>,
    pub address: Option<String>,
    pub url: Option<String>,
    pub email: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Audience {
    /// Lower-case identifier used in front matter, blocks and URLs.
    pub id: AudienceId,
    /// The label readers see in "Which best describes you?".
    pub label: String,
    /// The disclaimer shown at the end of every page for this audience.
    pub disclaimer: String,
    /// Plain-language audience: glossary terms are explained on first use.
    #[serde(default)]
    pub plain: bool,
    /// Highest acceptable Flesch-Kincaid grade for this audience's text in English.
    pub reading_grade: Option<f64>,
    /// Reading-level targets for this audience's text in other languages, by language id:
    /// `reading = { es = { min_inflesz = 55 } }`. See [`ReadingTarget`].
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reading: BTreeMap<String, ReadingTarget>,
    /// The label and disclaimer in the site's other languages, by language id:
    /// `translations = { es = { label = "Paciente", disclaimer = "..." } }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub translations: BTreeMap<String, AudienceWords>,
}

/// An audience's words in one translation language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AudienceWords {
    pub label: String,
    pub disclaimer: String,
}

impl Audience {
    /// This audience as readers of `lang` see it: its label and disclaimer in `lang` when the
    /// configuration gives them (see `translations`), else as written.
    pub fn in_lang(&self, lang: &str) -> std::borrow::Cow<'_, Audience> {
        match self.translations.get(lang) {
            Some(w) => std::borrow::Cow::Owned(Audience {
                label: w.label.clone(),
                disclaimer: w.disclaimer.clone(),
                ..self.clone()
            }),
            None => std::borrow::Cow::Borrowed(self),
        }
    }

    /// The reading-level target for text in `lang` (`es`, `es-MX`): the one set for that exact
    /// id, else the one for its primary language (`es`).
    pub fn reading_target(&self, lang: &str) -> Option<&ReadingTarget> {
        let lower = lang.to_ascii_lowercase();
        self.reading
            .iter()
            .find(|(k, _)| k.to_ascii_lowercase() == lower)
            .or_else(|| {
                let primary = primary_language(lang);
                self.reading.iter().find(|(k, _)| **k == primary)
            })
            .map(|(_, t)| t)
    }
}

/// Languages careguide scores with their own formulas besides English, whose targets go in an
/// audience's `reading` table: Spanish, with the Fernández-Huerta and INFLESZ scales (higher
/// is easier on both, so a target is a minimum).
pub const SCORED_LANGUAGES: &[&str] = &["es"];

/// The primary language of a BCP 47 tag, lower case: `es-MX` -> `es`.
pub fn primary_language(lang: &str) -> String {
    lang.split(['-', '_'])
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// One audience's reading-level target in one language other than English: the lowest
/// acceptable score on either Spanish scale (0-100, higher is easier). A variant below any
/// minimum set is reported.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReadingTarget {
    /// Lowest acceptable Fernández-Huerta score (60-70 is "normal" for adults).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_fernandez_huerta: Option<f64>,
    /// Lowest acceptable Szigriszt-Pazos perspicuity, read on the INFLESZ scale (55-65
    /// "normal", 65-80 "bastante fácil").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_inflesz: Option<f64>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CitationConfig {
    /// A style hayagriva bundles (`american-medical-association`, `nlm-citation-sequence`, ...) or
    /// a `.csl` file relative to the site root.
    #[serde(default = "default_style")]
    pub style: String,
    /// Bibliography files every page may cite from, relative to the site root.
    #[serde(default)]
    pub bibliography: Vec<PathBuf>,
    /// A local copy of the Retraction Watch CSV, relative to the site root.
    pub retractions: Option<PathBuf>,
}

impl Default for CitationConfig {
    fn default() -> Self {
        CitationConfig {
            style: default_style(),
            bibliography: Vec::new(),
            retractions: None,
        }
    }
}

fn default_style() -> String {
    "american-medical-association".to_string()
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ReviewConfig {
    /// Warn this many days before `next_review` falls due.
    pub warn_days: Option<u32>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    Error,
    Warning,
    Off,
}

impl Config {
    /// Parse configuration text. `file` is only used to place diagnostics.
    pub fn parse(text: &str, file: &Path) -> Result<Config, Vec<Diagnostic>> {
        let mut config: Config = toml::from_str(text).map_err(|e| {
            let (line, col, message) = toml_error(&e, text);
            vec![Diagnostic::error("config/invalid", message)
                .at(file, line, col)
                .category(Category::Config)
                .hint("see the README's section on careguide.toml for every key and its meaning")]
        })?;
        let mut problems = config.validate(text, file);
        problems.extend(config.check_languages(text, file));
        if let Some(d) = config
            .languages
            .iter()
            .find(|l| l.default)
            .or(config.languages.first())
        {
            config.language = d.id.to_string();
        }
        problems.extend(config.check_audience_translations(text, file));
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(problems)
        }
    }

    /// Read `ROOT/careguide.toml`.
    pub fn load(root: &Path) -> Result<Config, Vec<Diagnostic>> {
        let path = root.join(CONFIG_FILE);
        let text = match crate::util::read_file_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(vec![Diagnostic::error(
                    "config/missing",
                    format!("no {CONFIG_FILE} in {}", root.display()),
                )
                .category(Category::Config)
                .hint(format!(
                    "run `careguide init {}` to create a working site, or pass --root with the folder that holds {CONFIG_FILE}",
                    root.display()
                ))]);
            }
            Err(e) => {
                return Err(vec![Diagnostic::error(
                    "io/read",
                    format!("cannot read {}: {e}", path.display()),
                )
                .category(Category::Io)])
            }
        };
        Config::parse(&text, Path::new(CONFIG_FILE))
    }

    fn validate(&self, text: &str, file: &Path) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let place = |needle: &str| -> (usize, usize) {
            text.find(needle)
                .map(|o| line_col(text, o))
                .unwrap_or((0, 0))
        };
        let mut seen = std::collections::BTreeSet::new();
        if self.audiences.is_empty() {
            let (l, c) = place("audiences");
            out.push(
                Diagnostic::error("config/audiences", "no audiences are configured")
                    .at(file, l, c)
                    .category(Category::Config)
                    .hint("add at least one [[audiences]] table with id, label and disclaimer"),
            );
        }
        for a in &self.audiences {
            let (l, c) = place(&format!("\"{}\"", a.id));
            if !is_ident(&a.id) {
                out.push(
                    Diagnostic::error(
                        "config/audiences",
                        format!("audience id '{}' is not a lower-case identifier", a.id),
                    )
                    .at(file, l, c)
                    .category(Category::Config)
                    .hint("use letters a-z, digits and '-' only, for example 'caregiver'"),
                );
            }
            if !seen.insert(a.id.as_str()) {
                out.push(
                    Diagnostic::error(
                        "config/audiences",
                        format!("audience '{}' is configured twice", a.id),
                    )
                    .at(file, l, c)
                    .category(Category::Config),
                );
            }
        }
        if !self.audiences.is_empty() && self.audience(&self.default_audience).is_none() {
            let (l, c) = place("default_audience");
            out.push(
                Diagnostic::error(
                    "config/default-audience",
                    format!(
                        "default_audience '{}' is not one of the configured audiences",
                        self.default_audience
                    ),
                )
                .at(file, l, c)
                .category(Category::Config)
                .hint(format!("use one of: {}", self.audience_ids().join(", "))),
            );
        }
        if !(self.base_url.starts_with("https://") || self.base_url.starts_with("http://")) {
            let (l, c) = place("base_url");
            out.push(
                Diagnostic::error(
                    "config/base-url",
                    "base_url must be an absolute http(s) URL",
                )
                .at(file, l, c)
                .category(Category::Config)
                .hint("for example base_url = \"https://clinic.example.org/\""),
            );
        }
        out.extend(self.check_urls(text, file));
        out.extend(self.check_email(text, file));
        out.extend(check_html(&self.html, text, file));
        if let Some(Err(e)) = self.handout.date_format.as_deref().map(DateFormat::parse) {
            let (l, c) = place("date_format");
            out.push(
                Diagnostic::error("config/handout-date-format", e)
                    .at(file, l, c)
                    .category(Category::Config)
                    .hint(format!(
                        "use a format such as \"{}\" (Tue 1 Dec 2026) or \"[day]/[month]/[year]\"",
                        crate::types::DEFAULT_DATE_FORMAT
                    )),
            );
        }
        out.extend(check_reading_targets(&self.audiences, text, file));
        for (rule, _) in self.rules.iter() {
            if !rule.contains('/') {
                let (l, c) = place(rule);
                out.push(
                    Diagnostic::error("config/rules", format!("'{rule}' is not a rule name"))
                        .at(file, l, c)
                        .category(Category::Config)
                        .hint("rule names look like 'cite/uncited-reference'; `careguide check --format json` shows each finding's rule"),
                );
            }
        }
        out
    }

    /// The URL-valued settings (`base_url`, `[contact] url`) against the allowlist every link
    /// careguide writes goes through ([`crate::util::safe_url`]): a `javascript:` or `data:`
    /// URL there would put live script on every page.
    fn check_urls(&self, text: &str, file: &Path) -> Vec<Diagnostic> {
        let settings = [
            // A base_url that is not http(s) at all is config/base-url's.
            (
                "",
                "base_url",
                Some(self.base_url.as_str())
                    .filter(|u| u.starts_with("https://") || u.starts_with("http://")),
            ),
            ("contact", "url", self.contact.url.as_deref()),
        ];
        let mut out = Vec::new();
        for (table, key, value) in settings {
            let Some(problem) = value.and_then(crate::util::url_problem) else {
                continue;
            };
            let name = if table.is_empty() {
                key.to_string()
            } else {
                format!("[{table}] {key}")
            };
            let (l, c) = value_place(text, table, key).unwrap_or((0, 0));
            out.push(
                Diagnostic::error("config/url", format!("{name} has {problem}"))
                    .at(file, l, c)
                    .category(Category::Config)
                    .hint("give a web address such as \"https://clinic.example.org/\" (http, https, mailto and tel links and relative paths are allowed)"),
            );
        }
        out
    }

    /// Each audience's `translations`: only for the site's translation languages, with words
    /// in them; an audience without its words in a translation language is a warning (its
    /// pages there would show the label and disclaimer in the default language).
    fn check_audience_translations(&self, text: &str, file: &Path) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for a in &self.audiences {
            let (l, c) = entry_place(text, "[[audiences]]", a.id.as_str());
            for (lang, w) in &a.translations {
                if self.translation_language(lang).is_none() {
                    out.push(
                        Diagnostic::error(
                            "config/audience-translation",
                            format!("audience '{}' has words for '{lang}', which is not one of the site's translation languages", a.id),
                        )
                        .at(file, l, c)
                        .category(Category::Config)
                        .hint("list the language in [[languages]], or remove it from the audience's translations"),
                    );
                } else if w.label.trim().is_empty() || w.disclaimer.trim().is_empty() {
                    out.push(
                        Diagnostic::error(
                            "config/audience-translation",
                            format!("audience '{}': translations.{lang} has an empty label or disclaimer", a.id),
                        )
                        .at(file, l, c)
                        .category(Category::Config)
                        .hint("write the audience's label and disclaimer in that language"),
                    );
                }
            }
        }
        out
    }

    /// Warnings for the build: an audience without its label and disclaimer in one of the
    /// site's translation languages (its pages there show the default language's).
    pub fn audience_translation_notes(&self, text: &str, file: &Path) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for a in &self.audiences {
            let (l, c) = entry_place(text, "[[audiences]]", a.id.as_str());
            for lang in self.language_ids().into_iter().skip(1) {
                if !a.translations.contains_key(lang) {
                    out.push(
                        Diagnostic::warning(
                            "config/audience-translation",
                            format!("audience '{}' has no label and disclaimer in '{lang}': its pages in '{lang}' show them in '{}'", a.id, self.language),
                        )
                        .at(file, l, c)
                        .category(Category::Config)
                        .hint(format!("add [audiences.translations.{lang}] with label = \"...\" and disclaimer = \"...\" after the audience's id, or translations = {{ {lang} = {{ label = \"...\", disclaimer = \"...\" }} }}")),
                    );
                }
            }
        }
        out
    }

    /// `[[languages]]`: well-formed, distinct ids with labels, at most one default, and a
    /// `language` key (if written) naming the default.
    fn check_languages(&self, text: &str, file: &Path) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        let err = |msg: String, (l, c): (usize, usize), hint: &str| {
            Diagnostic::error("config/languages", msg)
                .at(file, l, c)
                .category(Category::Config)
                .hint(hint.to_string())
        };
        let mut seen = std::collections::BTreeSet::new();
        for l in &self.languages {
            let at = language_place(text, &l.id);
            if !LangId::is_well_formed(&l.id) {
                out.push(err(
                    format!("language id '{}' is not a lower-case language tag", l.id),
                    at,
                    "use a BCP 47 tag in lower case, such as \"es\" or \"pt-br\"",
                ));
            }
            if !seen.insert(l.id.as_str()) {
                out.push(err(
                    format!("language '{}' is configured twice", l.id),
                    at,
                    "list each language once",
                ));
            }
            if l.label.trim().is_empty() {
                out.push(err(
                    format!("language '{}' has an empty label", l.id),
                    at,
                    "give the language's name in itself, such as \"Español\"",
                ));
            }
        }
        let defaults: Vec<&Language> = self.languages.iter().filter(|l| l.default).collect();
        if defaults.len() > 1 {
            out.push(err(
                format!(
                    "{} languages are marked default: {}",
                    defaults.len(),
                    defaults
                        .iter()
                        .map(|l| l.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                language_place(text, &defaults[1].id),
                "mark one language `default = true`: the language of the pages without a suffix",
            ));
        }
        let default = defaults.first().copied().or(self.languages.first());
        if let Some(d) = default.filter(|d| d.title.is_some() || !d.topics.is_empty()) {
            out.push(err(
                format!(
                    "language '{}' is the default language: its title and topic names are the site's `title` and the pages' `topics:`",
                    d.id
                ),
                language_place(text, &d.id),
                "remove `title` and [languages.topics] from the default language's entry; give them to the other languages",
            ));
        }
        for l in &self.languages {
            let empty = l.title.as_deref().is_some_and(|t| t.trim().is_empty())
                || l.topics.values().any(|t| t.trim().is_empty());
            if empty {
                out.push(err(
                    format!("language '{}' has an empty title or topic name", l.id),
                    language_place(text, &l.id),
                    "write the name in the language, or leave the key out to show the default language's",
                ));
            }
        }
        if let (Some(d), Some(at)) = (default, value_place(text, "", "language")) {
            if d.id != self.language {
                out.push(err(
                    format!(
                        "language = \"{}\" but the default of [[languages]] is '{}'",
                        self.language, d.id
                    ),
                    at,
                    "remove `language`: with [[languages]] the default language is the one marked `default = true`",
                ));
            }
        }
        out
    }

    /// The site's title in `lang`: the language's own `title`, else the site's.
    pub fn title_in(&self, lang: &str) -> &str {
        self.translation_language(lang)
            .and_then(|l| l.title.as_deref())
            .unwrap_or(&self.title)
    }

    /// A topic's name in `lang`: its name in the language's `[languages.topics]`, else as the
    /// pages write it (in the default language).
    pub fn topic_in<'a>(&'a self, topic: &'a str, lang: &str) -> &'a str {
        self.translation_language(lang)
            .and_then(|l| l.topics.get(topic))
            .map_or(topic, String::as_str)
    }

    /// Warnings for the build about a translation language's names: no `title` while pages are
    /// translated into it; no name for a topic a translated page is under (`used`: each topic
    /// of a page translated into the language, with that translation's file); a name for a
    /// topic no page is under (`all_topics`: every topic of the site's pages).
    pub fn language_name_notes(
        &self,
        text: &str,
        lang: &str,
        used: &BTreeMap<String, PathBuf>,
        translated: Option<&Path>,
        all_topics: &std::collections::BTreeSet<String>,
    ) -> Vec<Diagnostic> {
        let file = Path::new(CONFIG_FILE);
        let Some(l) = self.translation_language(lang) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let at = language_place(text, &l.id);
        let warn = |msg: String, (line, col): (usize, usize), hint: String| {
            Diagnostic::warning("config/language-names", msg)
                .at(file, line, col)
                .category(Category::Config)
                .hint(hint)
        };
        if let (None, Some(page)) = (&l.title, translated) {
            out.push(warn(
                format!(
                    "language '{lang}' has no title: its pages ({} among them) show the site's title in '{}'",
                    page.display(),
                    self.language
                ),
                at,
                format!("add title = \"...\" (the site's title in '{lang}') to the [[languages]] entry of '{lang}'"),
            ));
        }
        for (topic, page) in used {
            if !l.topics.contains_key(topic) {
                out.push(warn(
                    format!(
                        "language '{lang}' has no name for the topic '{topic}' ({} is under it): its pages show it in '{}'",
                        page.display(),
                        self.language
                    ),
                    at,
                    format!("add {} = \"...\" under [languages.topics] after the [[languages]] entry of '{lang}'", toml_key(topic)),
                ));
            }
        }
        for topic in l.topics.keys().filter(|t| !all_topics.contains(*t)) {
            let place = topic_key_place(text, &l.id, topic).unwrap_or(at);
            let hint = match crate::util::nearest(topic, all_topics.iter().map(String::as_str)) {
                Some(n) => format!("did you mean '{n}'? topics are named as the pages' `topics:` write them, in '{}'", self.language),
                None => format!("topics are named as the pages' `topics:` write them, in '{}'; remove the name or correct it", self.language),
            };
            out.push(warn(
                format!("language '{lang}' names the topic '{topic}', which no page is under"),
                place,
                hint,
            ));
        }
        out
    }

    /// The language of the pages without a suffix: `language`, or the default of
    /// `[[languages]]`.
    pub fn default_lang(&self) -> LangId {
        LangId::new(self.language.as_str())
    }

    /// Every language the site's pages are written in: the default first, then each
    /// translation language of `[[languages]]`.
    pub fn language_ids(&self) -> Vec<&str> {
        let mut ids = vec![self.language.as_str()];
        ids.extend(
            self.languages
                .iter()
                .map(|l| l.id.as_str())
                .filter(|id| *id != self.language),
        );
        ids
    }

    /// The configured language `id` when pages may be translated into it (configured, and not
    /// the default).
    pub fn translation_language(&self, id: &str) -> Option<&Language> {
        self.languages
            .iter()
            .find(|l| l.id == id && l.id != self.language)
    }

    /// The configured language `id`.
    pub fn language_of(&self, id: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.id == id)
    }

    /// The folder a language's pages live under, with its slash: `""` for the default
    /// language, `"es/"` for the others.
    pub fn lang_prefix(&self, lang: &str) -> String {
        if lang == self.language || self.languages.is_empty() {
            String::new()
        } else {
            format!("{lang}/")
        }
    }

    /// PDFs lay text out left to right only: a right-to-left language configured for a build
    /// that writes PDFs is refused, at its line (`text` is careguide.toml's).
    pub fn rtl_pdf_problems(&self, text: &str) -> Vec<Diagnostic> {
        self.languages
            .iter()
            .filter(|l| l.id.is_rtl())
            .map(|l| {
                let (line, col) = language_place(text, &l.id);
                Diagnostic::error(
                    "config/rtl-pdf",
                    format!(
                        "language '{}' is written right to left, and careguide cannot lay out right-to-left PDFs yet",
                        l.id
                    ),
                )
                .at(Path::new(CONFIG_FILE), line, col)
                .category(Category::Config)
                .hint("build the web pages alone with `careguide build --no-pdf`, or leave the language out of [[languages]] until PDFs support it")
            })
            .collect()
    }

    /// `[contact] email` becomes a `mailto:` link on every page and the handout: a plain
    /// address, no scheme, nothing that would end the link or add recipients or headers to it.
    fn check_email(&self, text: &str, file: &Path) -> Vec<Diagnostic> {
        let Some(problem) = self.contact.email.as_deref().and_then(email_problem) else {
            return Vec::new();
        };
        let (l, c) = value_place(text, "contact", "email").unwrap_or((0, 0));
        vec![
            Diagnostic::error("config/email", format!("[contact] email {problem}"))
                .at(file, l, c)
                .category(Category::Config)
                .hint("give the address alone, such as \"clinic@example.org\" (careguide writes the mailto: link)"),
        ]
    }

    pub fn audience(&self, id: &str) -> Option<&Audience> {
        self.audiences.iter().find(|a| a.id == id)
    }

    pub fn audience_ids(&self) -> Vec<&str> {
        self.audiences.iter().map(|a| a.id.as_str()).collect()
    }

    /// The severity a rule runs at: the site's choice, else the rule's default; `None` = off.
    pub fn level(&self, rule: &str, default: Severity) -> Option<Severity> {
        match self.rules.get(rule) {
            Some(RuleLevel::Error) => Some(Severity::Error),
            Some(RuleLevel::Warning) => Some(Severity::Warning),
            Some(RuleLevel::Off) => None,
            None => Some(default),
        }
    }

    /// Apply the site's rule levels to a diagnostic: `None` when the site turned the rule off.
    pub fn apply_level(&self, d: Diagnostic) -> Option<Diagnostic> {
        let sev = self.level(&d.rule, d.severity)?;
        Some(d.with_severity(sev))
    }
}

/// Line and column of the value of `key` in the table `[table]` (`""`: the top level) of TOML
/// text: the `key = value` line in that table, or `key = ` inside an inline `table = { ... }`.
/// Where a TOML error is and what it says. The toml crate refuses keys dotted too deep
/// (`a.b.c...`, `[a.b.c...]`) without a place and with only "recursion limit": the deepest key
/// is where.
fn toml_error(e: &toml::de::Error, text: &str) -> (usize, usize, String) {
    let (line, col) = e
        .span()
        .map(|s| line_col(text, s.start))
        .or_else(|| deepest_key(text))
        .unwrap_or((0, 0));
    let mut message = e.message().trim().to_string();
    if e.span().is_none() && message == "recursion limit" {
        message = "a key here is dotted too many levels deep (recursion limit)".into();
    }
    (line, col, message)
}

/// Line and column of the key with the most dots (`a.b.c = 1`, `[a.b.c]`), dots inside quotes
/// counted too; `None` when no key has a dot. Linear in the text.
fn deepest_key(text: &str) -> Option<(usize, usize)> {
    let mut best: Option<(usize, (usize, usize))> = None;
    for (n, line) in text.lines().enumerate() {
        let trimmed = line.trim_start();
        let key = if trimmed.starts_with('[') {
            trimmed.split(']').next().unwrap_or("")
        } else {
            trimmed.split('=').next().unwrap_or("")
        };
        let dots = key.matches('.').count();
        if dots > 0 && best.is_none_or(|(d, _)| dots > d) {
            let col = line.len() - trimmed.len() + 1;
            best = Some((dots, (n + 1, col)));
        }
    }
    best.map(|(_, at)| at)
}

/// Why `email` is not a plausible e-mail address for a `mailto:` link; `None` when it is one:
/// one '@' between a local part and a domain with a dot, no spaces or control characters, no
/// scheme, and none of the characters that end a link or add to it (`<>"'?&,;:/\\` and the like).
pub fn email_problem(email: &str) -> Option<String> {
    if let Some(c) = email.chars().find(|c| c.is_control() || c.is_whitespace()) {
        let what = match c {
            '\n' | '\r' => "a line break".to_string(),
            '\t' => "a tab".to_string(),
            ' ' => "a space".to_string(),
            c => format!("the character U+{:04X}", c as u32),
        };
        return Some(format!("has {what}; an e-mail address has none"));
    }
    if email.to_ascii_lowercase().starts_with("mailto:") {
        return Some("starts with 'mailto:'; careguide adds that itself".into());
    }
    if let Some(c) = email.chars().find(|c| "<>\"'?&,;:/\\()[]`=#%".contains(*c)) {
        return Some(format!(
            "has the character '{c}', which would change the mailto: link it becomes"
        ));
    }
    let (local, domain) = match email.split_once('@') {
        Some((l, d)) if !l.is_empty() && !d.contains('@') => (l, d),
        _ => {
            return Some(format!(
                "'{email}' is not an e-mail address (one name@domain)"
            ))
        }
    };
    let labels_ok = domain.split('.').count() >= 2
        && domain.split('.').all(|l| {
            !l.is_empty()
                && !l.starts_with('-')
                && !l.ends_with('-')
                && l.chars().all(|c| c.is_alphanumeric() || c == '-')
        });
    if !labels_ok || local.starts_with('.') || local.ends_with('.') || local.contains("..") {
        return Some(format!(
            "'{email}' is not an e-mail address (name@domain, the domain with a dot)"
        ));
    }
    None
}

fn value_place(text: &str, table: &str, key: &str) -> Option<(usize, usize)> {
    let mut current = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim_start();
        if let Some(h) = t.strip_prefix('[') {
            current = h.split(']').next().unwrap_or("").trim().to_string();
        } else if let Some(rest) = t.strip_prefix(key) {
            let after = rest.trim_start();
            if current == table && after.starts_with('=') {
                let value = after[1..].trim_start();
                return Some(line_col(text, offset + line.len() - value.len()));
            }
        } else if current.is_empty() && !table.is_empty() {
            // `contact = { url = "..." }`
            if let Some(rest) = t.strip_prefix(table) {
                if rest.trim_start().starts_with('=') {
                    let pat = format!("{key} =");
                    if let Some(i) = line.find(&pat) {
                        let value = line[i + pat.len()..].trim_start();
                        return Some(line_col(text, offset + line.len() - value.len()));
                    }
                }
            }
        }
        offset += line.len();
    }
    None
}

/// A topic name as a TOML key: bare when it may be, else quoted.
fn toml_key(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        name.to_string()
    } else {
        format!("{name:?}")
    }
}

/// Line and column of the key `topic` of a language's topic names in careguide.toml text,
/// searched from the language's entry.
fn topic_key_place(text: &str, lang: &str, topic: &str) -> Option<(usize, usize)> {
    let start = text.find("[[languages]]")?;
    let from = [format!("\"{lang}\""), format!("'{lang}'")]
        .iter()
        .find_map(|n| text[start..].find(n.as_str()))?
        + start;
    let rest = &text[from..];
    let o = [
        format!("\"{topic}\""),
        format!("'{topic}'"),
        format!("{topic} ="),
        format!("{topic}="),
    ]
    .iter()
    .filter_map(|n| rest.find(n.as_str()))
    .min()?;
    Some(line_col(text, from + o))
}

/// Line and column of a `[[languages]]` entry's id value in careguide.toml text.
fn language_place(text: &str, id: &str) -> (usize, usize) {
    entry_place(text, "[[languages]]", id)
}

/// Line and column of the quoted `id` of an entry of an array of tables (`header`:
/// `[[audiences]]`, `[[languages]]`) in careguide.toml text: searched from the first such
/// header, so `default_audience = "patient"` above it is not taken for the entry.
pub fn entry_place(text: &str, header: &str, id: &str) -> (usize, usize) {
    let start = text.find(header).unwrap_or(0);
    let rest = &text[start..];
    [format!("\"{id}\""), format!("'{id}'")]
        .iter()
        .find_map(|n| rest.find(n.as_str()))
        .map(|o| line_col(text, start + o))
        .unwrap_or((0, 0))
}

/// Lower-case ASCII letters, digits and inner hyphens.
pub fn is_ident(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// The `[html]` allowlist may widen the sanitizer only by presentational elements and
/// attributes: these never pass, whatever a site allows.
/// Elements a site cannot allow: they run script, style the page from content, embed other
/// documents or change how every URL resolves.
const NEVER_TAGS: &[&str] = &[
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "base", "meta",
    "link", "form", "input", "button", "textarea", "select", "svg", "math", "template", "noscript",
    "portal",
];

/// Attributes a site cannot allow, besides every `on*` event handler.
const NEVER_ATTRIBUTES: &[&str] = &["style", "srcdoc", "formaction", "action", "xmlns"];

pub(crate) fn never_attribute(a: &str) -> bool {
    let a = a.to_ascii_lowercase();
    a.starts_with("on") || NEVER_ATTRIBUTES.contains(&a.as_str())
}

pub(crate) fn never_tag(t: &str) -> bool {
    NEVER_TAGS.contains(&t.to_ascii_lowercase().as_str())
}

/// Problems with `[html]` in `careguide.toml`: an element or attribute that can run script.
pub(crate) fn check_html(html: &HtmlConfig, text: &str, file: &Path) -> Vec<Diagnostic> {
    let place = |needle: &str| -> (usize, usize) {
        let start = text.find("[html]").unwrap_or(0);
        text[start..]
            .find(&format!("\"{needle}\""))
            .map(|o| line_col(text, start + o))
            .unwrap_or((0, 0))
    };
    let mut out = Vec::new();
    let refuse = |what: String, needle: &str| {
        let (l, c) = place(needle);
        Diagnostic::error("config/html", what)
            .at(file, l, c)
            .category(Category::Config)
            .hint("[html] may allow presentational elements and attributes only; anything that runs script, styles the page or embeds another document stays removed")
    };
    for t in &html.allow_tags {
        if never_tag(t) || t.is_empty() {
            out.push(refuse(
                format!("[html] allow_tags cannot allow <{t}>: it can run script or embed content"),
                t,
            ));
        }
    }
    for (tag, attrs) in &html.allow_attributes {
        if tag != "*" && never_tag(tag) {
            out.push(refuse(
                format!("[html] allow_attributes cannot allow attributes on <{tag}>"),
                tag,
            ));
        }
        for a in attrs {
            if never_attribute(a) {
                out.push(refuse(
                    format!("[html] allow_attributes cannot allow the attribute '{a}'"),
                    a,
                ));
            }
        }
    }
    out
}

/// Problems with the audiences' `reading` tables: a language careguide has no formulas for
/// (English targets are `reading_grade`), a target table that sets nothing, a minimum outside
/// 0-100. Each at the line that names it.
fn check_reading_targets(audiences: &[Audience], text: &str, file: &Path) -> Vec<Diagnostic> {
    // The first line that names `needle` in a `reading` setting (inline or a table header).
    let place = |needle: &str| -> (usize, usize) {
        let mut offset = 0;
        let mut in_reading = false;
        for line in text.split_inclusive('\n') {
            let t = line.trim_start();
            if t.starts_with('[') {
                in_reading = t.contains("reading");
            }
            if (in_reading || t.starts_with("reading")) && line.contains(needle) {
                let col = line.find(needle).unwrap_or(0);
                return line_col(text, offset + col);
            }
            offset += line.len();
        }
        (0, 0)
    };
    let mut out = Vec::new();
    let mut problem = |msg: String, needle: &str, hint: &str| {
        let (l, c) = place(needle);
        out.push(
            Diagnostic::error("config/reading", msg)
                .at(file, l, c)
                .category(Category::Config)
                .hint(hint.to_string()),
        );
    };
    for a in audiences {
        for (lang, target) in &a.reading {
            let primary = primary_language(lang);
            if primary == "en" {
                problem(
                    format!("audience '{}': the English reading target is reading_grade, not reading.{lang}", a.id),
                    lang,
                    "set reading_grade = 8.0 (the highest Flesch-Kincaid grade) in the audience's table",
                );
                continue;
            }
            if !SCORED_LANGUAGES.contains(&primary.as_str()) {
                problem(
                    format!(
                        "audience '{}': careguide has no reading-level formulas for '{lang}'",
                        a.id
                    ),
                    lang,
                    &format!(
                        "reading targets can be set for: {}",
                        SCORED_LANGUAGES.join(", ")
                    ),
                );
                continue;
            }
            let mins = [
                ("min_fernandez_huerta", target.min_fernandez_huerta),
                ("min_inflesz", target.min_inflesz),
            ];
            if mins.iter().all(|(_, v)| v.is_none()) {
                problem(
                    format!("audience '{}': reading.{lang} sets no target", a.id),
                    lang,
                    "set min_inflesz (55 is \"normal\", 65 \"bastante fácil\") or min_fernandez_huerta, for example reading = { es = { min_inflesz = 55 } }",
                );
            }
            for (key, v) in mins {
                if let Some(v) = v.filter(|v| !(0.0..=100.0).contains(v)) {
                    problem(
                        format!("audience '{}': reading.{lang}.{key} = {v} is outside 0-100", a.id),
                        key,
                        "both Spanish scales run from 0 (very hard) to 100 (very easy); a patient text usually aims at 55 or more",
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
title = "Patient education"
clinic = "Riverside Clinic"
base_url = "https://clinic.example.org/"
default_audience = "patient"

[[audiences]]
id = "patient"
label = "Patient"
disclaimer = "Talk to your care team."
"#;

    /// The toml crate limits nesting itself, in linear time: 200,000 `[` or inline tables
    /// are refused at their place at once. Keys dotted too deep are refused without a place,
    /// which is found here.
    #[test]
    fn keys_dotted_too_deep_are_refused_at_their_line() {
        for deep in [
            format!("[{}]\n", vec!["a"; 100_000].join(".")),
            format!("[handout]\nx{} = 1\n", ".a".repeat(100_000)),
        ] {
            let text = format!("{GOOD}\n{deep}");
            let d = Config::parse(&text, Path::new("careguide.toml")).unwrap_err();
            assert_eq!(d[0].rule, "config/invalid");
            assert_eq!(d[0].line, text.lines().count(), "{:?}", d[0]);
            assert!(
                d[0].message.contains("dotted too many levels deep"),
                "{:?}",
                d[0]
            );
        }
        let text = format!(
            "{GOOD}\nx = {}{}\n",
            "[".repeat(200_000),
            "]".repeat(200_000)
        );
        let d = Config::parse(&text, Path::new("careguide.toml")).unwrap_err();
        assert_eq!(d[0].line, text.lines().count(), "{:?}", d[0]);
    }

    #[test]
    fn contact_email_is_a_plain_address() {
        for ok in [
            "clinic@example.org",
            "front.desk+handouts@riverside-clinic.example.org",
            "accueil@clinique.exemple.fr",
            "info@klinik-müller.de",
        ] {
            assert_eq!(email_problem(ok), None, "{ok}");
        }
        for (bad, says) in [
            ("mailto:clinic@example.org", "mailto:"),
            ("clinic@example.org?bcc=all@evil.example", "'?'"),
            ("clinic@example.org\nBcc: x@evil.example", "line break"),
            ("clinic @example.org", "a space"),
            ("Clinic <clinic@example.org>", "a space"),
            ("<clinic@example.org>", "'<'"),
            ("a@b.org,c@d.org", "','"),
            ("javascript:alert(1)", "':'"),
            ("clinic", "not an e-mail address"),
            ("clinic@localhost", "not an e-mail address"),
            ("@example.org", "not an e-mail address"),
            ("a@b@example.org", "not an e-mail address"),
            ("a..b@example.org", "not an e-mail address"),
        ] {
            let p = email_problem(bad).unwrap_or_else(|| panic!("{bad:?} passed"));
            assert!(p.contains(says), "{bad:?}: {p}");
        }
        let text = format!("{GOOD}\n[contact]\nphone = \"555\"\nemail = \"x@y.org?cc=z@w.org\"\n");
        let d = Config::parse(&text, Path::new("careguide.toml")).unwrap_err();
        assert_eq!(d.len(), 1, "{d:?}");
        assert_eq!(d[0].rule, "config/email");
        assert_eq!(d[0].line, text.lines().count());
        assert!(d[0].message.contains("[contact] email"), "{}", d[0].message);
    }

    #[test]
    fn parses_a_minimal_config() {
        let c = Config::parse(GOOD, Path::new("careguide.toml")).unwrap();
        assert_eq!(c.language, "en");
        assert_eq!(c.citations.style, "american-medical-association");
        assert_eq!(c.audience_ids(), vec!["patient"]);
    }

    #[test]
    fn unknown_key_is_an_error_at_its_line() {
        let text = GOOD.replace("clinic =", "clinc =");
        let e = Config::parse(&text, Path::new("careguide.toml")).unwrap_err();
        assert_eq!(e[0].rule, "config/invalid");
        assert_eq!(e[0].line, 3);
        assert!(e[0].message.contains("clinc"), "{}", e[0].message);
    }

    #[test]
    fn default_audience_must_exist() {
        let text = GOOD.replace(
            "default_audience = \"patient\"",
            "default_audience = \"nurse\"",
        );
        let e = Config::parse(&text, Path::new("careguide.toml")).unwrap_err();
        assert_eq!(e[0].rule, "config/default-audience");
        assert_eq!(e[0].line, 5);
    }

    #[test]
    fn audiences_carry_their_words_in_each_translation_language() {
        let langs = "\n[[languages]]\nid = \"en\"\nlabel = \"English\"\n\n[[languages]]\nid = \"es\"\nlabel = \"Español\"\n";
        let file = Path::new("careguide.toml");
        // With its Spanish words: Spanish readers see them; English ones the audience as written.
        let with = format!(
            "{GOOD}[audiences.translations.es]\nlabel = \"Paciente\"\ndisclaimer = \"Hable con su equipo.\"\n{langs}"
        );
        let c = Config::parse(&with, file).expect("valid");
        let a = c.audience("patient").expect("patient");
        assert_eq!(a.in_lang("es").label, "Paciente");
        assert_eq!(a.in_lang("es").disclaimer, "Hable con su equipo.");
        assert_eq!(a.in_lang("en").label, "Patient");
        assert!(c.audience_translation_notes(&with, file).is_empty());
        // Without them: one warning at the audience's id, for the build to report.
        let without = format!("{GOOD}{langs}");
        let c = Config::parse(&without, file).expect("valid");
        let notes = c.audience_translation_notes(&without, file);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].rule, "config/audience-translation");
        assert_eq!((notes[0].line, notes[0].column), (8, 6));
        assert_eq!(
            c.audience("patient")
                .map(|a| a.in_lang("es").label.clone())
                .as_deref(),
            Some("Patient")
        );
        // Words for a language the site does not list, or empty ones, are errors.
        let stray = format!(
            "{GOOD}[audiences.translations.fr]\nlabel = \"Patient\"\ndisclaimer = \"x\"\n{langs}"
        );
        let e = Config::parse(&stray, file).expect_err("fr is not a language of the site");
        assert_eq!(e[0].rule, "config/audience-translation");
        assert!(e[0].message.contains("'fr'"), "{}", e[0].message);
        let empty =
            format!("{GOOD}[audiences.translations.es]\nlabel = \"\"\ndisclaimer = \"x\"\n{langs}");
        assert!(Config::parse(&empty, file).is_err());
    }

    #[test]
    fn a_translation_language_names_the_site_and_its_topics() {
        let text = format!(
            "{GOOD}\n[[languages]]\nid = \"en\"\nlabel = \"English\"\n\n[[languages]]\nid = \"es\"\nlabel = \"Español\"\ntitle = \"Información para pacientes\"\n[languages.topics]\n\"Substance use\" = \"Consumo de sustancias\"\n"
        );
        let c = Config::parse(&text, Path::new("careguide.toml")).expect("valid");
        assert_eq!(c.title_in("es"), "Información para pacientes");
        assert_eq!(c.title_in("en"), c.title);
        assert_eq!(c.topic_in("Substance use", "es"), "Consumo de sustancias");
        assert_eq!(c.topic_in("Kratom", "es"), "Kratom");
        assert_eq!(c.topic_in("Substance use", "en"), "Substance use");
        // An empty name, and names on the default language's entry, are refused.
        let empty = text.replace("\"Consumo de sustancias\"", "\" \"");
        let e = Config::parse(&empty, Path::new("careguide.toml")).unwrap_err();
        assert!(e[0].message.contains("empty title or topic name"), "{e:?}");
        let on_default = text.replace(
            "label = \"English\"\n",
            "label = \"English\"\ntitle = \"Patients\"\n",
        );
        let e = Config::parse(&on_default, Path::new("careguide.toml")).unwrap_err();
        assert!(e[0].message.contains("is the default language"), "{e:?}");
        assert_eq!(e[0].line, GOOD.lines().count() + 3);
        // The key of an unused name is found for its warning.
        let used = BTreeMap::new();
        let all = std::collections::BTreeSet::from(["Kratom".to_string()]);
        let w = c.language_name_notes(&text, "es", &used, None, &all);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(w[0]
            .message
            .contains("'Substance use', which no page is under"));
        assert_eq!(w[0].line, text.lines().count());
        assert_eq!(toml_key("Substance use"), "\"Substance use\"");
        assert_eq!(toml_key("Kratom"), "Kratom");
    }

    #[test]
    fn languages_set_the_default_and_are_checked() {
        let text = format!(
            "{GOOD}\n[[languages]]\nid = \"en\"\nlabel = \"English\"\n\n[[languages]]\nid = \"es\"\nlabel = \"Español\"\ndefault = true\n"
        );
        let c = Config::parse(&text, Path::new("careguide.toml")).expect("valid");
        assert_eq!(c.language, "es");
        assert_eq!(c.lang_prefix("es"), "");
        assert_eq!(c.lang_prefix("en"), "en/");
        assert!(c.translation_language("en").is_some());
        assert!(c.translation_language("es").is_none());
        assert!(c.translation_language("fr").is_none());
        // Without [[languages]], no prefix and no translations.
        let plain = Config::parse(GOOD, Path::new("careguide.toml")).expect("valid");
        assert_eq!(plain.lang_prefix("en"), "");
        assert!(plain.translation_language("es").is_none());
        let bad = format!("{GOOD}\n[[languages]]\nid = \"Spanish\"\nlabel = \"Español\"\n");
        let e = Config::parse(&bad, Path::new("careguide.toml")).unwrap_err();
        assert_eq!(e[0].rule, "config/languages");
        assert_eq!(e[0].line, GOOD.lines().count() + 3);
        let clash =
            format!("language = \"fr\"\n{GOOD}\n[[languages]]\nid = \"en\"\nlabel = \"English\"\n");
        let e = Config::parse(&clash, Path::new("careguide.toml")).unwrap_err();
        assert!(
            e[0].message.contains("default of [[languages]]"),
            "{}",
            e[0].message
        );
        assert_eq!(e[0].line, 1);
    }

    #[test]
    fn right_to_left_languages_are_refused_for_pdfs() {
        let text = format!(
            "{GOOD}\n[[languages]]\nid = \"en\"\nlabel = \"English\"\n\n[[languages]]\nid = \"ar\"\nlabel = \"العربية\"\n"
        );
        let c = Config::parse(&text, Path::new("careguide.toml")).expect("valid");
        let e = c.rtl_pdf_problems(&text);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].rule, "config/rtl-pdf");
        assert_eq!(e[0].line, GOOD.lines().count() + 7);
    }

    #[test]
    fn a_handout_date_format_is_checked_at_its_line() {
        let text = format!("{GOOD}\n[handout]\ndate_format = \"[hour]\"\n");
        let e = Config::parse(&text, Path::new("careguide.toml")).unwrap_err();
        assert_eq!(e[0].rule, "config/handout-date-format");
        assert!(e[0].message.contains("time of day"), "{}", e[0].message);
        assert_eq!(e[0].line, GOOD.lines().count() + 3);
        let ok = format!("{GOOD}\n[handout]\ndate_format = \"[day]/[month]/[year]\"\n");
        let c = Config::parse(&ok, Path::new("careguide.toml")).expect("valid");
        let d = crate::types::Date::parse("2026-12-01").expect("a date");
        assert_eq!(d.format(&c.handout.date_format()), "01/12/2026");
    }

    /// GOOD with `reading = ...` added to the patient audience (at line 11).
    fn with_reading(reading: &str) -> String {
        format!("{GOOD}{reading}\n")
    }

    #[test]
    fn reading_targets_per_language() {
        let text =
            with_reading("reading = { es = { min_inflesz = 55, min_fernandez_huerta = 60 } }");
        let c = Config::parse(&text, Path::new("careguide.toml")).expect("valid");
        let patient = c.audience("patient").expect("patient");
        let want = ReadingTarget {
            min_fernandez_huerta: Some(60.0),
            min_inflesz: Some(55.0),
        };
        assert_eq!(patient.reading_target("es"), Some(&want));
        assert_eq!(patient.reading_target("es-MX"), Some(&want));
        assert_eq!(patient.reading_target("ES"), Some(&want));
        assert_eq!(patient.reading_target("en"), None);
        // A table header works as well as an inline table.
        let text = with_reading("[audiences.reading.es]\nmin_inflesz = 65");
        let c = Config::parse(&text, Path::new("careguide.toml")).expect("valid");
        let t = c.audience("patient").and_then(|a| a.reading_target("es"));
        assert_eq!(t.and_then(|t| t.min_inflesz), Some(65.0));
    }

    #[test]
    fn bad_reading_targets_are_errors_at_their_line() {
        let line = GOOD.lines().count() + 1;
        let cases = [
            (
                "reading = { es = { min_score = 60 } }",
                "config/invalid",
                "min_score",
            ),
            (
                "reading = { es = { min_inflesz = \"easy\" } }",
                "config/invalid",
                "invalid type",
            ),
            (
                "reading = { es = { min_inflesz = 120 } }",
                "config/reading",
                "outside 0-100",
            ),
            ("reading = { es = {} }", "config/reading", "sets no target"),
            (
                "reading = { de = { min_inflesz = 55 } }",
                "config/reading",
                "no reading-level formulas for 'de'",
            ),
            (
                "reading = { en = { min_inflesz = 55 } }",
                "config/reading",
                "reading_grade",
            ),
        ];
        for (reading, rule, says) in cases {
            let e = Config::parse(&with_reading(reading), Path::new("careguide.toml"))
                .expect_err(reading);
            assert_eq!(e.len(), 1, "{reading}: {e:?}");
            assert_eq!(e[0].rule, rule, "{reading}");
            assert_eq!(e[0].line, line, "{reading}: {e:?}");
            assert!(e[0].message.contains(says), "{reading}: {}", e[0].message);
        }
    }
}
