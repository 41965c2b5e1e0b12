//! Front matter: the YAML between the `---` lines at the top of a page, split off with its line
//! numbers kept, and parsed into [`FrontMatter`] with every key checked.

use serde::{Deserialize, Serialize};

use crate::cite::RefEntry;
use crate::util::nesting::{too_deep, Syntax};

pub use crate::types::Date;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReviewStatus {
    Draft,
    Submitted,
    UnderReview,
    Approved,
}

impl ReviewStatus {
    pub fn label(&self) -> &'static str {
        match self {
            ReviewStatus::Draft => "Draft",
            ReviewStatus::Submitted => "Submitted",
            ReviewStatus::UnderReview => "Under review",
            ReviewStatus::Approved => "Approved",
        }
    }
    pub fn id(&self) -> &'static str {
        match self {
            ReviewStatus::Draft => "draft",
            ReviewStatus::Submitted => "submitted",
            ReviewStatus::UnderReview => "under-review",
            ReviewStatus::Approved => "approved",
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    pub status: ReviewStatus,
    #[serde(default)]
    pub reviewers: Vec<String>,
    pub last_reviewed: Option<Date>,
    pub next_review: Option<Date>,
}

/// `bibliography: refs.bib` or `bibliography: [a.bib, b.json]`.
fn one_or_many<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    let v = OneOrMany::deserialize(d).map_err(|_| {
        serde::de::Error::custom("bibliography: expected a file name or a list of file names")
    })?;
    Ok(match v {
        OneOrMany::One(s) => vec![s],
        OneOrMany::Many(v) => v,
    })
}

/// The keys a page may set, and no others.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FrontMatter {
    pub title: String,
    pub question: Option<String>,
    pub summary: String,
    pub slug: Option<String>,
    pub audiences: Option<Vec<String>>,
    #[serde(default)]
    pub topics: Vec<String>,
    pub updated: Date,
    pub review: Review,
    /// Bibliography files, relative to the page (`/...`: to the site root); one file may be
    /// written without a list, as pandoc and Quarto allow.
    #[serde(default, deserialize_with = "one_or_many")]
    pub bibliography: Vec<String>,
    #[serde(default)]
    pub references: Vec<RefEntry>,
    pub taper: Option<crate::taper::PageTaper>,
}

/// A file split into front matter and body, with the positions needed to map diagnostics back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub yaml: &'a str,
    /// 1-based file line of the YAML's first line.
    pub yaml_line: usize,
    pub body: &'a str,
    /// Byte offset of the body in the file.
    pub body_offset: usize,
}

/// Why a file could not be split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SplitError {
    /// The file does not start with a `---` line.
    NoOpening,
    /// The opening `---` is never closed; the line of the opening.
    Unclosed,
}

/// Split `---\nyaml\n---\nbody`. A UTF-8 byte-order mark and CRLF line ends are accepted.
pub fn split(text: &str) -> Result<Split<'_>, SplitError> {
    let start = if text.starts_with('\u{feff}') { 3 } else { 0 };
    let rest = &text[start..];
    let first_end = rest.find('\n').map(|i| i + 1).unwrap_or(rest.len());
    if rest[..first_end].trim_end() != "---" {
        return Err(SplitError::NoOpening);
    }
    let yaml_start = start + first_end;
    let mut pos = yaml_start;
    while pos < text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|i| pos + i + 1)
            .unwrap_or(text.len());
        let line = text[pos..end].trim_end();
        if line == "---" || line == "..." {
            return Ok(Split {
                yaml: &text[yaml_start..pos],
                yaml_line: 2,
                body: &text[end..],
                body_offset: end,
            });
        }
        pos = end;
    }
    Err(SplitError::Unclosed)
}

/// A YAML error turned into a file position and a message without serde's own location suffix.
pub struct YamlProblem {
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// Refused before parsing: nested deeper than [`crate::util::nesting::MAX_DEPTH`].
    pub too_deep: bool,
}

pub fn parse(yaml: &str, yaml_line: usize) -> Result<FrontMatter, YamlProblem> {
    if yaml.trim().is_empty() {
        return Err(YamlProblem {
            line: yaml_line - 1,
            column: 1,
            message: "the front matter is empty".into(),
            too_deep: false,
        });
    }
    // Before the parser: its time grows faster than the input on deeply nested YAML.
    if let Some(d) = too_deep(yaml, Syntax::Yaml) {
        return Err(YamlProblem {
            line: d.line + yaml_line - 1,
            column: d.column,
            message: d.message("the front matter"),
            too_deep: true,
        });
    }
    serde_norway::from_str::<FrontMatter>(yaml).map_err(|e| {
        let (line, column) = match e.location() {
            Some(l) => (l.line() + yaml_line - 1, l.column()),
            None => (yaml_line - 1, 1),
        };
        let mut message = e.to_string();
        if let Some(i) = message.rfind(" at line ") {
            message.truncate(i);
        }
        // A missing key has no place of its own: point at the opening `---`.
        let (line, column) = if message.starts_with("missing field") {
            (yaml_line - 1, 1)
        } else if let Some((l, c)) = quoted_value_position(yaml, &message) {
            (l + yaml_line - 1, c)
        } else {
            (line, column)
        };
        YamlProblem {
            line,
            column,
            message,
            too_deep: false,
        }
    })
}

/// Position (within the YAML) of the value quoted in a message such as
/// `'2025-02-30' is not a real calendar date`: errors raised by a value's own parser carry no
/// position of their own.
fn quoted_value_position(yaml: &str, message: &str) -> Option<(usize, usize)> {
    let start = message.find('\'')? + 1;
    let len = message[start..].find('\'')?;
    let value = &message[start..start + len];
    if value.is_empty() {
        return None;
    }
    let off = yaml.find(value)?;
    Some(crate::diag::line_col(yaml, off))
}

/// Problems with the values of a page's front matter that become places on the web: a
/// reference URL outside the allowlist every link goes through ([`crate::util::safe_url`]),
/// and a topic whose name gives no URL (`""`, `"..."`, an emoji), each at its line.
pub fn web_problems(
    front: &FrontMatter,
    yaml: &str,
    yaml_line: usize,
    rel: &std::path::Path,
) -> Vec<crate::diag::Diagnostic> {
    use crate::diag::{line_col, Diagnostic};
    let at = |off: usize| {
        let (l, c) = line_col(yaml, off);
        (l + yaml_line - 1, c)
    };
    let key_at = |key: &str| {
        let line = key_line(yaml, yaml_line, key).unwrap_or(yaml_line - 1);
        (line, 1)
    };
    let mut out = Vec::new();
    for r in &front.references {
        let Some(url) = &r.url else { continue };
        let Some(problem) = crate::util::url_problem(url) else {
            continue;
        };
        // The URL as written, else the first `url:` of the references.
        let refs = yaml.find("references").unwrap_or(0);
        let (l, c) = match yaml.find(url.as_str()).filter(|_| !url.is_empty()) {
            Some(o) => at(o),
            None => yaml[refs..]
                .find("url:")
                .map(|o| at(refs + o))
                .unwrap_or_else(|| key_at("references")),
        };
        out.push(
            Diagnostic::error(
                "front-matter/url",
                format!("the url of reference '{}' has {problem}", r.id),
            )
            .at(rel, l, c)
            .hint("give the web address the reference is read at, such as https://doi.org/... (http, https, mailto and tel links and relative paths are allowed)"),
        );
    }
    // Searching from the `topics:` line, each topic after the one before.
    let mut from: usize = key_line(yaml, yaml_line, "topics").map_or(0, |line| {
        yaml.split_inclusive('\n')
            .take(line - yaml_line)
            .map(str::len)
            .sum()
    });
    for t in &front.topics {
        if crate::util::topic_slug(t).is_some() {
            continue;
        }
        let found = [format!("\"{t}\""), format!("'{t}'"), t.clone()]
            .into_iter()
            .filter(|n| !n.is_empty())
            .find_map(|n| yaml.get(from..)?.find(&n).map(|o| from + o));
        let (l, c) = match found {
            Some(o) => {
                from = o + 1;
                at(o)
            }
            None => key_at("topics"),
        };
        out.push(
            Diagnostic::error(
                "front-matter/topic",
                format!("the topic '{t}' has no letter or digit, so it can have no page (no URL) of its own"),
            )
            .at(rel, l, c)
            .hint("name the topic in words, such as 'Substance use'; accented letters are fine"),
        );
    }
    out
}

/// 1-based file line of the first top-level `key:` in the front matter, for diagnostics about a
/// key's value found after parsing.
pub fn key_line(yaml: &str, yaml_line: usize, key: &str) -> Option<usize> {
    yaml.lines()
        .position(|l| {
            l.strip_prefix(key)
                .map(|r| r.trim_start().starts_with(':'))
                .unwrap_or(false)
        })
        .map(|i| i + yaml_line)
}

/// Line and column of `needle` inside the front matter, searching from the line of `after_key`.
pub fn find_in(yaml: &str, yaml_line: usize, needle: &str) -> Option<(usize, usize)> {
    let off = yaml.find(needle)?;
    let (l, c) = crate::diag::line_col(yaml, off);
    Some((l + yaml_line - 1, c))
}

/// Whether the page opens with a `+++` line: TOML front matter, as Hugo and Zola write it.
pub fn opens_with_toml(text: &str) -> bool {
    let rest = text.strip_prefix('\u{feff}').unwrap_or(text);
    rest.lines().next().is_some_and(|l| l.trim_end() == "+++")
}

/// Keys other tools (Hugo, Jekyll, Quarto, Docusaurus) write in front matter, and what careguide
/// has in their place.
const FOREIGN_KEYS: &[(&[&str], &str)] = &[
    (
        &["date", "lastmod", "last_modified", "last-modified", "modified", "date-modified", "published", "publishdate", "pubdate"],
        "did you mean `updated`? careguide keeps one date per page, `updated: YYYY-MM-DD`, the day its content last changed",
    ),
    (
        &["tags", "tag", "categories", "category", "keywords"],
        "did you mean `topics`? the index groups pages by `topics: [Kratom, Substance use]`",
    ),
    (
        &["description", "abstract", "excerpt", "teaser", "lead"],
        "did you mean `summary`? the page's short answer, shown in a box at its top",
    ),
    (
        &["draft"],
        "did you mean `review.status: draft`? a page's state is the `status:` inside its `review:` block",
    ),
    (
        &["author", "authors", "reviewer", "reviewed_by", "reviewed-by"],
        "did you mean `review.reviewers`? careguide records who reviewed a page, not who wrote it: `reviewers: [\"A. Name, MD\"]` inside the `review:` block (required once approved)",
    ),
    (
        &["status", "reviewers", "last_reviewed", "next_review"],
        "this key belongs inside the `review:` block: indent it under `review:`",
    ),
];

/// The hint for a key the front matter does not have, from serde's message
/// ("unknown field `x`, expected one of `a`, `b`"): the careguide key a key of another tool
/// stands for, else the nearest key of the same block (a misspelling); `None` when neither.
pub fn unknown_key_hint(message: &str) -> Option<String> {
    // A key inside a block comes as "review: unknown field ...".
    let start = message.find("unknown field `")? + "unknown field `".len();
    let rest = &message[start..];
    let key = &rest[..rest.find('`')?];
    let expected: Vec<&str> = rest
        .split_once(", expected ")
        .map(|(_, list)| list.split('`').skip(1).step_by(2).collect())
        .unwrap_or_default();
    // Other tools' keys are page-level keys: at the top of the front matter.
    if expected.contains(&"title") {
        let lower = key.to_ascii_lowercase();
        if let Some((_, hint)) = FOREIGN_KEYS
            .iter()
            .find(|(keys, _)| keys.contains(&lower.as_str()))
        {
            return Some((*hint).to_string());
        }
    }
    crate::util::nearest(key, expected.iter().copied())
        .map(|near| format!("did you mean `{near}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str =
        "---\ntitle: T\nsummary: S\nupdated: 2025-10-07\nreview:\n  status: draft\n---\n# Body\n";

    #[test]
    fn splits_and_keeps_offsets() {
        let s = split(PAGE).unwrap();
        assert_eq!(s.yaml_line, 2);
        assert!(s.yaml.starts_with("title: T\n"));
        assert_eq!(s.body, "# Body\n");
        assert_eq!(&PAGE[s.body_offset..], "# Body\n");
    }

    #[test]
    fn crlf_and_bom_are_accepted() {
        let t = format!("\u{feff}{}", PAGE.replace('\n', "\r\n"));
        let s = split(&t).unwrap();
        assert!(s.body.starts_with("# Body"));
        assert!(parse(s.yaml, s.yaml_line).is_ok());
    }

    #[test]
    fn missing_or_unclosed_delimiters() {
        assert_eq!(split("# no front matter"), Err(SplitError::NoOpening));
        assert_eq!(split("---\ntitle: x\n"), Err(SplitError::Unclosed));
    }

    #[test]
    fn bibliography_is_one_file_or_a_list() {
        let one = PAGE.replace("summary: S", "summary: S\nbibliography: refs.bib");
        let s = split(&one).unwrap();
        let f = parse(s.yaml, s.yaml_line).ok().unwrap();
        assert_eq!(f.bibliography, vec!["refs.bib"]);
        let many = PAGE.replace("summary: S", "summary: S\nbibliography: [a.bib, /b.json]");
        let s = split(&many).unwrap();
        let f = parse(s.yaml, s.yaml_line).ok().unwrap();
        assert_eq!(f.bibliography, vec!["a.bib", "/b.json"]);
        let bad = PAGE.replace("summary: S", "summary: S\nbibliography: {a: 1}");
        let s = split(&bad).unwrap();
        let e = parse(s.yaml, s.yaml_line).err().unwrap();
        assert!(e.message.contains("a file name or a list"), "{}", e.message);
    }

    #[test]
    fn unknown_key_is_reported_at_its_file_line() {
        let t = PAGE.replace("summary: S", "sumary: S");
        let s = split(&t).unwrap();
        let e = parse(s.yaml, s.yaml_line).err().unwrap();
        assert_eq!((e.line, e.column), (3, 1));
        assert!(
            e.message.contains("unknown field `sumary`"),
            "{}",
            e.message
        );
        assert!(!e.message.contains(" at line "));
    }

    /// The hint for `line` put in place of `summary: S` in [`PAGE`], and the error's file line.
    fn hint_for(line: &str) -> (usize, Option<String>) {
        let t = PAGE.replace("summary: S", line);
        let s = split(&t).unwrap();
        let e = parse(s.yaml, s.yaml_line).err().unwrap();
        (e.line, unknown_key_hint(&e.message))
    }

    #[test]
    fn other_tools_keys_name_the_careguide_key() {
        for (line, want) in [
            ("date: 2025-01-01", "`updated`"),
            ("lastmod: 2025-01-01", "`updated`"),
            ("tags: [a]", "`topics`"),
            ("categories: [a]", "`topics`"),
            ("description: D", "`summary`"),
            ("draft: true", "`review.status: draft`"),
            ("author: A", "`review.reviewers`"),
            ("authors: [A]", "`review.reviewers`"),
            ("sumary: S", "`summary`"),
            ("topcs: [a]", "`topics`"),
            ("audience: [patient]", "`audiences`"),
            ("status: draft", "inside the `review:` block"),
        ] {
            let (l, hint) = hint_for(line);
            assert_eq!(l, 3, "{line}");
            let hint = hint.unwrap_or_default();
            assert!(hint.contains(want), "{line}: {hint}");
        }
        // A key of no other tool and far from every careguide key gets no guess.
        assert_eq!(hint_for("xyzzy: 1").1, None);
    }

    #[test]
    fn keys_inside_review_are_matched_against_review_keys() {
        let t = PAGE.replace("status: draft", "status: draft\n  reviewer: [A]");
        let s = split(&t).unwrap();
        let e = parse(s.yaml, s.yaml_line).err().unwrap();
        assert_eq!(e.line, 7);
        assert_eq!(
            unknown_key_hint(&e.message).as_deref(),
            Some("did you mean `reviewers`?")
        );
        // `date` inside review is not the page's date: no `updated` there.
        let t = PAGE.replace("status: draft", "status: draft\n  date: 2025-01-01");
        let s = split(&t).unwrap();
        let e = parse(s.yaml, s.yaml_line).err().unwrap();
        assert!(!unknown_key_hint(&e.message)
            .unwrap_or_default()
            .contains("updated"));
    }

    #[test]
    fn toml_front_matter_is_recognised() {
        assert!(opens_with_toml("+++\ntitle = \"T\"\n+++\n"));
        assert!(opens_with_toml("\u{feff}+++\r\ntitle = \"T\"\r\n+++\r\n"));
        assert!(!opens_with_toml(PAGE));
        assert!(!opens_with_toml("# +++\n"));
    }

    #[test]
    fn impossible_date_is_reported_at_its_value() {
        let t = PAGE.replace("2025-10-07", "2025-02-30");
        let s = split(&t).unwrap();
        let e = parse(s.yaml, s.yaml_line).err().unwrap();
        assert_eq!((e.line, e.column), (4, 10));
        assert!(
            e.message.contains("not a real calendar date"),
            "{}",
            e.message
        );
        let t = PAGE.replace(
            "status: draft",
            "status: draft\n  last_reviewed: 2025-13-01",
        );
        let s = split(&t).unwrap();
        let e = parse(s.yaml, s.yaml_line).err().unwrap();
        assert_eq!((e.line, e.column), (7, 18), "{}", e.message);
    }

    #[test]
    fn dates_print_for_people() {
        let d = Date::parse("2025-10-07").unwrap();
        assert_eq!(d.long(), "October 7, 2025");
        assert_eq!(d.iso(), "2025-10-07");
        assert!(Date::parse("2025-1-07").is_err());
    }
}
