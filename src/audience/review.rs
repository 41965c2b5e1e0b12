//! The review workflow: the build date, overdue and due-soon reviews, what `--publish` refuses,
//! the banner text readers see, the editorial report (`_editorial/index.html`) and the
//! `MedicalWebPage` JSON-LD of each variant.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::readability::Scores;
use crate::config::Config;
use crate::content::frontmatter::ReviewStatus;
use crate::content::Document;
use crate::diag::{Category, Diagnostic};
use crate::types::{AudienceId, Date};

/// The date reviews are judged against: `--today` if given, else `SOURCE_DATE_EPOCH` (for
/// reproducible builds), else today's date (UTC).
pub fn build_date(today: Option<Date>) -> Result<Date, Diagnostic> {
    if let Some(d) = today {
        return Ok(d);
    }
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
        let v = v.trim();
        return v
            .parse::<i64>()
            .ok()
            .and_then(Date::from_unix_seconds)
            .ok_or_else(|| {
                Diagnostic::error(
                    "config/source-date-epoch",
                    format!("SOURCE_DATE_EPOCH is '{v}', not a number of seconds since 1970"),
                )
                .category(Category::Config)
                .hint("set it to a Unix timestamp such as 1764115200, or unset it to use today's date")
            });
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    Date::from_unix_seconds(now).ok_or_else(|| {
        Diagnostic::error("config/clock", "the system clock gives no usable date")
            .category(Category::Config)
            .hint("pass --today YYYY-MM-DD")
    })
}

/// Days the page's review is overdue on `today` (0 or more), `None` when it is not due yet or
/// has no `next_review`.
pub fn days_overdue(doc: &Document, today: Date) -> Option<i64> {
    let next = doc.front.review.next_review?;
    let days = next.days_until(today);
    (days > 0).then_some(days)
}

fn next_review_pos(doc: &Document) -> (usize, usize) {
    let yaml = doc.yaml();
    crate::content::frontmatter::find_in(yaml, doc.yaml_line, "next_review")
        .unwrap_or((doc.key_line("review"), 1))
}

/// Review findings of a normal build or check: `review/overdue` when `next_review` has passed,
/// `review/due-soon` within `[review] warn_days`. Both warnings by default, through the site's
/// rule levels.
pub fn check(doc: &Document, config: &Config, today: Date) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if let Some(t) = doc.translation.as_ref().filter(|t| t.is_stale()) {
        out.push(
            Diagnostic::warning(
                "review/translation-outdated",
                format!(
                    "the original has changed since this translation: it translates {}, and {} was updated {}",
                    t.translates.iso(),
                    t.original_file.display(),
                    t.original_updated.map(|d| d.iso()).unwrap_or_default()
                ),
            )
            .at(&doc.file, t.translates_line, 1)
            .hint("bring the translation in line with the original, have it reviewed, then set `translates` to the original's `updated`; until then it carries the caution banner and a --publish build refuses it"),
        );
    }
    let Some(next) = doc.front.review.next_review else {
        return out
            .into_iter()
            .filter_map(|d| config.apply_level(d))
            .collect();
    };
    let (l, c) = next_review_pos(doc);
    let days = next.days_until(today);
    if days > 0 {
        out.push(
            Diagnostic::warning(
                "review/overdue",
                format!(
                    "the page's review was due on {} ({days} day{} ago)",
                    next.iso(),
                    if days == 1 { "" } else { "s" }
                ),
            )
            .at(&doc.file, l, c)
            .hint("have a reviewer look at the page, then set last_reviewed to the review's date and next_review to the next one; a --publish build refuses it until then"),
        );
    } else if let Some(warn) = config.review.warn_days {
        if -days <= i64::from(warn) {
            out.push(
                Diagnostic::warning(
                    "review/due-soon",
                    format!("the page's review is due on {} (in {} days)", next.iso(), -days),
                )
                .at(&doc.file, l, c)
                .hint("plan the review before that date; a --publish build refuses pages whose review has passed"),
            );
        }
    }
    out.into_iter()
        .filter_map(|d| config.apply_level(d))
        .collect()
}

/// Why a page cannot be published on `today`: empty when it can.
pub fn publish_problems(doc: &Document, today: Date) -> Vec<String> {
    let r = &doc.front.review;
    let mut why = Vec::new();
    if r.status != ReviewStatus::Approved {
        why.push(format!("its status is {}", r.status.id()));
    }
    if r.reviewers.iter().all(|x| x.trim().is_empty()) {
        why.push("it names no reviewer".to_string());
    }
    if let Some(days) = days_overdue(doc, today) {
        if let Some(next) = r.next_review {
            why.push(format!(
                "its review was due on {} ({days} days ago)",
                next.iso()
            ));
        }
    }
    if let Some(t) = doc.translation.as_ref().filter(|t| t.is_stale()) {
        why.push(format!(
            "the original has changed since this translation (it translates {}, the original is updated {})",
            t.translates.iso(),
            t.original_updated.map(|d| d.iso()).unwrap_or_default()
        ));
    }
    why
}

/// The one error a `--publish` build or check gives a page it refuses, if it refuses it:
/// not approved, no reviewer, or `next_review` passed.
pub fn publish_check(doc: &Document, today: Date) -> Option<Diagnostic> {
    let why = publish_problems(doc, today);
    if why.is_empty() {
        return None;
    }
    Some(
        Diagnostic::error(
            "review/not-publishable",
            format!("the page cannot be published: {}", why.join("; ")),
        )
        .at(&doc.file, doc.key_line("review"), 1)
        .hint("a --publish build takes approved pages with a reviewer and a next_review date still ahead; build without --publish to preview the page with its review banner"),
    )
}

/// What kind of banner a variant shows about its review.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum BannerKind {
    /// Not approved yet.
    Unreviewed,
    /// Approved, but the review date has passed.
    Overdue,
    /// A translation whose original has changed since it was made.
    Stale,
}

/// The review banner of a page, for readers: `None` for an approved page whose review is
/// current.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Banner {
    pub kind: BannerKind,
    pub status: &'static str,
    pub text: String,
}

/// The caution a page not approved (or overdue for review) carries, in the words of `words`.
pub fn banner(doc: &Document, today: Date, words: &crate::i18n::Strings) -> Option<Banner> {
    let r = &doc.front.review;
    // A translation of an original changed since: whatever its own review says.
    if doc.translation.as_ref().is_some_and(|t| t.is_stale()) {
        return Some(Banner {
            kind: BannerKind::Stale,
            status: r.status.id(),
            text: words.get("banner", "stale").to_string(),
        });
    }
    let text = match r.status {
        ReviewStatus::Draft => words.get("banner", "draft").to_string(),
        ReviewStatus::Submitted => words.get("banner", "submitted").to_string(),
        ReviewStatus::UnderReview => words.get("banner", "under_review").to_string(),
        ReviewStatus::Approved => {
            let next = r.next_review?;
            if next.days_until(today) <= 0 {
                return None;
            }
            let kind = BannerKind::Overdue;
            return Some(Banner {
                kind,
                status: r.status.id(),
                text: words.fill("banner", "overdue", &[("date", &words.date_long(next))]),
            });
        }
    };
    Some(Banner {
        kind: BannerKind::Unreviewed,
        status: r.status.id(),
        text,
    })
}

/// One audience's reading level on the editorial report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reading {
    pub grade: f64,
    pub target: Option<f64>,
    pub words: usize,
}

impl Reading {
    pub fn above_target(&self) -> bool {
        self.target
            .is_some_and(|t| self.words > 0 && self.grade > t)
    }
}

/// One page's line on the editorial report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EditorialRow {
    pub path: String,
    pub file: String,
    pub title: String,
    pub status: ReviewStatus,
    pub reviewers: Vec<String>,
    pub last_reviewed: Option<Date>,
    pub next_review: Option<Date>,
    /// Days past `next_review` (positive), or days left (negative); `None` without a date.
    pub days_overdue: Option<i64>,
    /// Flesch-Kincaid grade per audience the page is written for.
    pub reading: BTreeMap<AudienceId, Reading>,
    /// Findings about the page's references (unknown keys, retractions, ...).
    pub reference_findings: usize,
    /// The page's passages of declared practice (`::: {.practice}`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub practice: Vec<super::blocks::Practice>,
    /// For a translation: its language, its original and how current it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub translation: Option<TranslationLine>,
}

/// A translation's line in the editorial report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranslationLine {
    pub lang: String,
    /// The original's file.
    pub original: String,
    /// The original's `updated` the translation was made from (`translates:`).
    pub translates: Date,
    /// The original's `updated` now, when later than `translates`.
    pub original_changed: Option<Date>,
}

/// The editorial line of a page. `scores` are the page's reading-level scores per audience
/// (from [`super::readability::check`]); `reference_findings` the number of citation
/// diagnostics on the page; `lay` the layout of its body.
pub fn editorial_row(
    doc: &Document,
    config: &Config,
    today: Date,
    scores: &BTreeMap<AudienceId, Scores>,
    reference_findings: usize,
    lay: &super::blocks::Layout,
) -> EditorialRow {
    let r = &doc.front.review;
    let reading = scores
        .iter()
        // A grade for English text only (other languages' scores are not grades).
        .filter_map(|(a, s)| {
            Some((
                a.clone(),
                Reading {
                    grade: s.flesch_kincaid_grade?,
                    target: config.audience(a).and_then(|x| x.reading_grade),
                    words: s.words,
                },
            ))
        })
        .collect();
    EditorialRow {
        path: doc.path.clone(),
        file: doc.file.display().to_string(),
        title: doc.front.title.clone(),
        status: r.status,
        reviewers: r.reviewers.clone(),
        last_reviewed: r.last_reviewed,
        next_review: r.next_review,
        days_overdue: r.next_review.map(|n| n.days_until(today)),
        reading,
        reference_findings,
        practice: super::blocks::practice_passages(doc, lay),
        translation: doc.translation.as_ref().map(|t| TranslationLine {
            lang: doc.lang.to_string(),
            original: t.original_file.display().to_string(),
            translates: t.translates,
            original_changed: t.original_updated.filter(|_| t.is_stale()),
        }),
    }
}

/// A DOI as a bare lower-case `10.x/y`, or `None` if it does not look like one.
fn normalize_doi(doi: &str) -> Option<String> {
    let d = doi.trim();
    let lower = d.to_lowercase();
    let d = [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi:",
    ]
    .iter()
    .find_map(|p| lower.strip_prefix(p))
    .unwrap_or(&lower)
    .trim();
    (d.starts_with("10.") && d.contains('/')).then(|| d.to_string())
}

/// schema.org audience of an audience id.
fn audience_ld<'a>(config: &'a Config, audience: &'a str) -> LdAudience<'a> {
    let (kind, audience_type) = match audience {
        "patient" | "patients" => ("Patient", None),
        "clinician" | "clinicians" | "professional" | "healthcare-professional" => {
            ("MedicalAudience", Some("Clinician"))
        }
        "caregiver" | "caregivers" | "family" => ("PeopleAudience", Some("caregiver")),
        other => {
            let label = config
                .audience(other)
                .map(|a| a.label.as_str())
                .unwrap_or(other);
            ("Audience", Some(label))
        }
    };
    LdAudience {
        kind,
        audience_type,
    }
}

/// Text with `[@key]` citations removed, for plain-text fields.
fn without_citations(text: &str) -> String {
    let scan = crate::cite::scan::scan(text);
    let mut out = String::new();
    let mut last = 0;
    for g in &scan.groups {
        if g.range.start < last || g.range.end > text.len() {
            continue;
        }
        out.push_str(text[last..g.range.start].trim_end_matches(' '));
        last = g.range.end;
    }
    out.push_str(&text[last..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Make JSON safe inside `<script type="application/ld+json">`: no `</script>`, `<!--` or
/// `]]>` can appear, and the result is still the same JSON.
pub fn script_safe_json(json: String) -> String {
    // 0xE2 starts the UTF-8 of U+2028 and U+2029 (and of other characters, which stay).
    let b = json.as_bytes();
    if memchr::memchr3(b'<', b'>', b'&', b).is_none() && memchr::memchr(0xE2, b).is_none() {
        return json;
    }
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            // Outside strings serde_json never writes these, so escaping is always valid.
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// The `MedicalWebPage` JSON-LD of one variant, ready to put inside
/// `<script type="application/ld+json">…</script>`. `citation_dois` are the DOIs of the
/// references this variant cites, in number order.
///
/// Written from typed parts whose fields are in the order a JSON object's keys sort (the order
/// serde_json writes a `Value` in), without building a `Value` for every page and audience.
pub fn json_ld(
    doc: &Document,
    config: &Config,
    audience: &AudienceId,
    citation_dois: &[String],
) -> String {
    let base = config.base_url.trim_end_matches('/');
    let r = &doc.front.review;
    let mut seen = std::collections::BTreeSet::new();
    let citation: Vec<LdCitation> = citation_dois
        .iter()
        .filter_map(|d| normalize_doi(d))
        .filter(|d| seen.insert(d.clone()))
        .map(|d| LdCitation {
            id: format!("https://doi.org/{d}"),
            kind: "CreativeWork",
            identifier: LdIdentifier {
                kind: "PropertyValue",
                property_id: "DOI",
                value: d,
            },
        })
        .collect();
    let page = LdPage {
        context: "https://schema.org",
        kind: "MedicalWebPage",
        audience: audience_ld(config, audience),
        citation,
        date_modified: doc.front.updated.iso(),
        description: without_citations(&doc.front.summary),
        in_language: doc.lang.as_str(),
        keywords: (!doc.front.topics.is_empty()).then(|| doc.front.topics.join(", ")),
        last_reviewed: r.last_reviewed.map(|d| d.iso()),
        name: doc.heading(),
        publisher: LdPublisher {
            kind: "MedicalOrganization",
            name: &config.clinic,
            url: &config.base_url,
        },
        reviewed_by: r
            .reviewers
            .iter()
            .filter(|x| !x.trim().is_empty())
            .map(|x| LdPerson {
                kind: "Person",
                name: x.trim(),
            })
            .collect(),
        url: format!("{base}/{}/{audience}/", doc.path),
    };
    let text = serde_json::to_string_pretty(&page).unwrap_or_else(|_| "{}".into());
    script_safe_json(text)
}

/// A page's JSON-LD; its fields in key order (see [`json_ld`]).
#[derive(Serialize)]
struct LdPage<'a> {
    #[serde(rename = "@context")]
    context: &'static str,
    #[serde(rename = "@type")]
    kind: &'static str,
    audience: LdAudience<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    citation: Vec<LdCitation>,
    #[serde(rename = "dateModified")]
    date_modified: String,
    description: String,
    #[serde(rename = "inLanguage")]
    in_language: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    keywords: Option<String>,
    #[serde(rename = "lastReviewed", skip_serializing_if = "Option::is_none")]
    last_reviewed: Option<String>,
    name: &'a str,
    publisher: LdPublisher<'a>,
    #[serde(rename = "reviewedBy", skip_serializing_if = "Vec::is_empty")]
    reviewed_by: Vec<LdPerson<'a>>,
    url: String,
}

#[derive(Serialize)]
struct LdAudience<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "audienceType", skip_serializing_if = "Option::is_none")]
    audience_type: Option<&'a str>,
}

#[derive(Serialize)]
struct LdCitation {
    #[serde(rename = "@id")]
    id: String,
    #[serde(rename = "@type")]
    kind: &'static str,
    identifier: LdIdentifier,
}

#[derive(Serialize)]
struct LdIdentifier {
    #[serde(rename = "@type")]
    kind: &'static str,
    #[serde(rename = "propertyID")]
    property_id: &'static str,
    value: String,
}

#[derive(Serialize)]
struct LdPublisher<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
    url: &'a str,
}

#[derive(Serialize)]
struct LdPerson<'a> {
    #[serde(rename = "@type")]
    kind: &'static str,
    name: &'a str,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience::testutil::{config, page};

    use serde_json::{json, Value};

    /// The JSON-LD as it was built before (a `serde_json::Value`, its keys sorted): the typed
    /// parts must write exactly this.
    fn json_ld_as_value(
        doc: &Document,
        config: &Config,
        audience: &AudienceId,
        citation_dois: &[String],
    ) -> String {
        let base = config.base_url.trim_end_matches('/');
        let r = &doc.front.review;
        let mut page = serde_json::Map::new();
        page.insert("@context".into(), json!("https://schema.org"));
        page.insert("@type".into(), json!("MedicalWebPage"));
        page.insert("name".into(), json!(doc.heading()));
        page.insert(
            "description".into(),
            json!(without_citations(&doc.front.summary)),
        );
        page.insert(
            "url".into(),
            json!(format!("{base}/{}/{audience}/", doc.path)),
        );
        page.insert("inLanguage".into(), json!(doc.lang));
        page.insert("dateModified".into(), json!(doc.front.updated.iso()));
        if let Some(d) = r.last_reviewed {
            page.insert("lastReviewed".into(), json!(d.iso()));
        }
        let reviewers: Vec<Value> = r
            .reviewers
            .iter()
            .filter(|x| !x.trim().is_empty())
            .map(|x| json!({ "@type": "Person", "name": x.trim() }))
            .collect();
        if !reviewers.is_empty() {
            page.insert("reviewedBy".into(), Value::Array(reviewers));
        }
        page.insert(
            "audience".into(),
            serde_json::to_value(audience_ld(config, audience)).unwrap(),
        );
        page.insert(
        "publisher".into(),
        json!({ "@type": "MedicalOrganization", "name": config.clinic, "url": config.base_url }),
    );
        if !doc.front.topics.is_empty() {
            page.insert("keywords".into(), json!(doc.front.topics.join(", ")));
        }
        let mut seen = std::collections::BTreeSet::new();
        let citations: Vec<Value> = citation_dois
            .iter()
            .filter_map(|d| normalize_doi(d))
            .filter(|d| seen.insert(d.clone()))
            .map(|d| {
                json!({
                    "@type": "CreativeWork",
                    "@id": format!("https://doi.org/{d}"),
                    "identifier": { "@type": "PropertyValue", "propertyID": "DOI", "value": d },
                })
            })
            .collect();
        if !citations.is_empty() {
            page.insert("citation".into(), Value::Array(citations));
        }
        let text =
            serde_json::to_string_pretty(&Value::Object(page)).unwrap_or_else(|_| "{}".into());
        script_safe_json(text)
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    use crate::audience::testutil::APPROVED;

    #[test]
    fn overdue_and_due_soon() {
        let doc = page(APPROVED, "Text.\n");
        let c = config();
        assert!(check(&doc, &c, d("2026-10-01")).is_empty());
        let found = check(&doc, &c, d("2026-11-26"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].rule, "review/overdue");
        assert!(
            found[0].message.contains("25 days ago"),
            "{}",
            found[0].message
        );
        // next_review is the 4th review line: file line 5 (review) + 4 = 9.
        assert_eq!(found[0].line, 9);
        let mut c = config();
        c.review.warn_days = Some(45);
        let soon = check(&doc, &c, d("2026-10-01"));
        assert_eq!(soon[0].rule, "review/due-soon");
        assert_eq!(days_overdue(&doc, d("2026-11-26")), Some(25));
        assert_eq!(days_overdue(&doc, d("2026-11-01")), None);
    }

    #[test]
    fn publish_refuses_with_one_error_per_page() {
        let doc = page(APPROVED, "Text.\n");
        assert!(publish_check(&doc, d("2026-10-01")).is_none());
        let e = publish_check(&doc, d("2026-11-26")).unwrap();
        assert_eq!(e.rule, "review/not-publishable");
        assert!(e.message.contains("was due on 2026-11-01"));
        let draft = page("review:\n  status: draft\n", "Text.\n");
        let e = publish_check(&draft, d("2026-10-01")).unwrap();
        assert!(
            e.message.contains("status is draft") && e.message.contains("no reviewer"),
            "{}",
            e.message
        );
        assert_eq!(e.line, 5);
    }

    #[test]
    fn build_date_prefers_the_flag() {
        assert_eq!(build_date(Some(d("2026-01-02"))).unwrap(), d("2026-01-02"));
        // Without the flag it is some real date (environment-dependent, so only sanity).
        assert!(build_date(None).is_ok() || std::env::var("SOURCE_DATE_EPOCH").is_ok());
    }

    #[test]
    fn banners() {
        let draft = page("review:\n  status: draft\n", "x\n");
        assert_eq!(
            banner(&draft, d("2026-01-01"), &crate::i18n::Strings::english())
                .unwrap()
                .kind,
            BannerKind::Unreviewed
        );
        let ok = page(APPROVED, "x\n");
        let en = crate::i18n::Strings::english();
        assert!(banner(&ok, d("2026-01-01"), &en).is_none());
        let b = banner(&ok, d("2026-11-26"), &en).unwrap();
        assert_eq!(b.kind, BannerKind::Overdue);
        assert!(b.text.contains("November 1, 2026"), "{}", b.text);
    }

    /// The typed JSON-LD writes the bytes the `Value` did, whatever the page has or lacks.
    #[test]
    fn json_ld_is_the_json_the_value_wrote() {
        let c = config();
        let fronts = [
            APPROVED.to_string(),
            APPROVED.replace("Dr. Ana Ruiz, MD", "</script> & \u{2028} <b>"),
            "question: Can I stop?\nreview:\n  status: draft\n  reviewers: [\" \"]\n".to_string(),
            format!("{APPROVED}topics: [Pain, Sleep & rest]\n"),
        ];
        let dois = [
            "https://doi.org/10.1097/ADM.0000000000000721".to_string(),
            "doi:10.1097/adm.0000000000000721".to_string(),
            "not a doi".to_string(),
            "10.1000/x<y>".to_string(),
        ];
        for front in &fronts {
            let doc = page(front, "x\n");
            for a in ["patient", "caregiver", "clinician", "other"] {
                for d in [&dois[..], &[]] {
                    let a = AudienceId::new(a);
                    assert_eq!(
                        json_ld(&doc, &c, &a, d),
                        json_ld_as_value(&doc, &c, &a, d),
                        "{front} {a}"
                    );
                }
            }
        }
    }

    #[test]
    fn json_ld_parses_and_cannot_close_the_script() {
        let front = APPROVED.replace("Dr. Ana Ruiz, MD", "</script><script>alert(1)</script><!--");
        let doc = page(&front, "x\n");
        let c = config();
        let dois = vec![
            "https://doi.org/10.1097/ADM.0000000000000721".to_string(),
            "doi:10.1097/adm.0000000000000721".to_string(),
            "not a doi".to_string(),
        ];
        let s = json_ld(&doc, &c, &AudienceId::new("caregiver"), &dois);
        assert!(
            !s.contains("</script") && !s.contains("<!--") && !s.contains('<'),
            "{s}"
        );
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["@type"], "MedicalWebPage");
        assert_eq!(v["name"], "Stopping kratom");
        assert_eq!(v["description"], "How to stop safely.");
        assert_eq!(v["lastReviewed"], "2025-11-01");
        assert_eq!(v["dateModified"], "2026-01-10");
        assert_eq!(
            v["reviewedBy"][0]["name"],
            "</script><script>alert(1)</script><!--"
        );
        assert_eq!(v["audience"]["@type"], "PeopleAudience");
        assert_eq!(v["audience"]["audienceType"], "caregiver");
        assert_eq!(v["url"], "https://clinic.example.org/kratom/caregiver/");
        let cites = v["citation"].as_array().unwrap();
        assert_eq!(cites.len(), 1);
        assert_eq!(
            cites[0]["identifier"]["value"],
            "10.1097/adm.0000000000000721"
        );
        let p: Value =
            serde_json::from_str(&json_ld(&doc, &c, &AudienceId::new("patient"), &[])).unwrap();
        assert_eq!(p["audience"]["@type"], "Patient");
        assert!(p.get("citation").is_none());
        let k: Value =
            serde_json::from_str(&json_ld(&doc, &c, &AudienceId::new("clinician"), &[])).unwrap();
        assert_eq!(
            k["audience"],
            json!({"@type": "MedicalAudience", "audienceType": "Clinician"})
        );
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn script_safe_json_is_the_same_json(s in "\\PC{0,40}") {
            let json = serde_json::to_string(&serde_json::json!({ "name": s })).unwrap();
            let safe = script_safe_json(json.clone());
            prop_assert!(!safe.contains('<') && !safe.contains('>'));
            let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
            prop_assert_eq!(back["name"].as_str(), Some(s.as_str()));
        }
    }
}
