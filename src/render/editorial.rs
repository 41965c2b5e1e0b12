//! The editorial board's report (`_editorial/index.html`): every page with its review state,
//! reading level per audience against target and reference findings, in one sortable table;
//! then each page's passages of declared practice (`::: {.practice}`), which carry no
//! citation by design, so reviewers see what is practice rather than evidence.
//! Self-contained (no external requests); neither linked from public pages nor listed in the
//! sitemap. The page is the template `templates/editorial.html`, which a site can replace;
//! every value it is given is escaped by the template engine.

use std::collections::BTreeMap;

use serde::Serialize;
use tera::Context;

use crate::audience::review::{EditorialRow, Reading};
use crate::config::Config;
use crate::content::frontmatter::ReviewStatus;
use crate::diag::Diagnostic;
use crate::i18n::Strings;
use crate::render::templates::Templates;
use crate::types::Date;

const REPORT_CSS: &str = "body{font-family:system-ui,sans-serif;margin:1.5rem;color:#1a1a1a}\
table{border-collapse:collapse;width:100%;font-size:.95rem}\
th,td{border:1px solid #bbb;padding:.35rem .5rem;text-align:left;vertical-align:top}\
th button{font:inherit;font-weight:bold;background:none;border:0;padding:0;cursor:pointer;text-align:left;color:inherit}\
th button::after{content:' \\2195';color:#666}\
tr.overdue td{background:#fdecea}.above{color:#a00000;font-weight:bold}\
.num{text-align:right}time{white-space:nowrap}caption{text-align:left;font-weight:bold;margin-bottom:.5rem}\
@media print{th button::after{content:''}}";

/// Sorts the table by a column when its header button is pressed; works without it too.
const REPORT_JS: &str = "document.querySelectorAll('th button').forEach(function(b){b.addEventListener('click',function(){\
var th=b.parentNode,t=th.closest('table'),i=Array.prototype.indexOf.call(th.parentNode.children,th),\
asc=th.getAttribute('aria-sort')!=='ascending',body=t.tBodies[0],rows=Array.prototype.slice.call(body.rows);\
rows.sort(function(x,y){var a=x.cells[i].dataset.sort,c=y.cells[i].dataset.sort,na=parseFloat(a),nc=parseFloat(c);\
var r=(!isNaN(na)&&!isNaN(nc))?na-nc:a.localeCompare(c);return asc?r:-r;});\
rows.forEach(function(r){body.appendChild(r);});\
t.querySelectorAll('th').forEach(function(h){h.removeAttribute('aria-sort');});\
th.setAttribute('aria-sort',asc?'ascending':'descending');});});";

#[derive(Serialize)]
struct Row<'a> {
    overdue: bool,
    path: &'a str,
    title: &'a str,
    file: &'a str,
    status: String,
    status_rank: u8,
    reviewers: String,
    /// Last review and next review, ISO dates.
    dates: [Option<String>; 2],
    /// Days overdue, reading grade per audience, reference findings.
    numbers: Vec<Number>,
}

/// A numeric cell: its class, the value it sorts by, what it shows.
#[derive(Serialize)]
struct Number {
    class: &'static str,
    sort: String,
    text: String,
}

/// Each page's reading-level scores per audience, by page path (the build's `scores`).
pub type PageScores = BTreeMap<String, BTreeMap<String, crate::audience::readability::Scores>>;

/// A page's score on its language's own scales (Spanish: INFLESZ and Fernández-Huerta), with
/// the audience's minimum for that language; none where the page has an English grade.
struct LangReading {
    /// Szigriszt-Pazos perspicuity read on the INFLESZ scale, and its band.
    inflesz: Option<(f64, String)>,
    fernandez_huerta: Option<f64>,
    target: crate::config::ReadingTarget,
    words: usize,
}

impl LangReading {
    /// Below one of the audience's minimums (higher is easier on these scales).
    fn below_target(&self) -> bool {
        let below = |score: Option<f64>, min: Option<f64>| matches!((score, min), (Some(s), Some(m)) if s < m);
        self.words > 0
            && (below(self.inflesz.as_ref().map(|x| x.0), self.target.min_inflesz)
                || below(self.fernandez_huerta, self.target.min_fernandez_huerta))
    }
}

/// The language scores of a row's audience `a`, when the page has them (a page in Spanish).
fn lang_reading(
    config: &Config,
    r: &EditorialRow,
    a: &str,
    scores: &PageScores,
) -> Option<LangReading> {
    let s = scores.get(&r.path)?.get(a)?;
    let inflesz = s
        .szigriszt_pazos
        .map(|p| (p, s.inflesz.clone().unwrap_or_default()));
    if inflesz.is_none() && s.fernandez_huerta.is_none() {
        return None;
    }
    let lang = r
        .translation
        .as_ref()
        .map_or(config.language.as_str(), |t| t.lang.as_str());
    let target = config
        .audience(a)
        .and_then(|x| x.reading.get(lang))
        .cloned()
        .unwrap_or_default();
    Some(LangReading {
        inflesz,
        fernandez_huerta: s.fernandez_huerta,
        target,
        words: s.words,
    })
}

/// A cell of language scores: "INFLESZ 58.3 (normal) / at least 55; Fernández-Huerta 64.1".
fn lang_cell(x: &LangReading, words: &Strings) -> Number {
    let at_least = |min: Option<f64>| {
        min.map(|m| {
            let m = words.number(&format!("{m}"));
            format!(" / {}", words.fill("editorial", "at_least", &[("min", &m)]))
        })
        .unwrap_or_default()
    };
    let mut parts = Vec::new();
    if let Some((p, band)) = &x.inflesz {
        let score = words.number(&format!("{p:.1}"));
        parts.push(format!(
            "{}{}",
            words.fill(
                "editorial",
                "inflesz",
                &[("score", &score), ("band", band.as_str())]
            ),
            at_least(x.target.min_inflesz)
        ));
    }
    if let Some(f) = x.fernandez_huerta {
        let score = words.number(&format!("{f:.1}"));
        parts.push(format!(
            "{}{}",
            words.fill("editorial", "fernandez_huerta", &[("score", &score)]),
            at_least(x.target.min_fernandez_huerta)
        ));
    }
    let below = x.below_target();
    let sort = x.inflesz.as_ref().map(|i| i.0).or(x.fernandez_huerta);
    Number {
        class: if below { "num above" } else { "num" },
        sort: sort
            .map(|v| format!("{v:.1}"))
            .unwrap_or_else(|| "-1".into()),
        text: format!(
            "{}{}",
            parts.join("; "),
            if below {
                words.get("editorial", "below_target")
            } else {
                ""
            }
        ),
    }
}

fn row<'a>(
    config: &Config,
    r: &'a EditorialRow,
    audiences: &[&str],
    scores: &PageScores,
    words: &Strings,
) -> Row<'a> {
    let mut numbers = Vec::with_capacity(audiences.len() + 2);
    numbers.push(match r.days_overdue {
        Some(d) if d > 0 => Number {
            class: "num above",
            sort: d.to_string(),
            text: d.to_string(),
        },
        Some(d) => Number {
            class: "num",
            sort: d.to_string(),
            text: words.fill("editorial", "due_in", &[("n", &(-d).to_string())]),
        },
        None => Number {
            class: "num",
            sort: "-100000".into(),
            text: "—".into(),
        },
    });
    for a in audiences {
        numbers.push(
            match (r.reading.get(*a), lang_reading(config, r, a, scores)) {
                (Some(x), _) => grade(x, words),
                (None, Some(x)) => lang_cell(&x, words),
                (None, None) => Number {
                    class: "num",
                    sort: "-1".into(),
                    text: "—".into(),
                },
            },
        );
    }
    numbers.push(Number {
        class: "num",
        sort: r.reference_findings.to_string(),
        text: r.reference_findings.to_string(),
    });
    Row {
        overdue: r.days_overdue.is_some_and(|d| d > 0),
        path: &r.path,
        title: &r.title,
        file: &r.file,
        status: words.status(r.status.id()),
        status_rank: match r.status {
            ReviewStatus::Draft => 0,
            ReviewStatus::Submitted => 1,
            ReviewStatus::UnderReview => 2,
            ReviewStatus::Approved => 3,
        },
        reviewers: r.reviewers.join("; "),
        dates: [r.last_reviewed, r.next_review].map(|d| d.map(|d| d.iso())),
        numbers,
    }
}

fn grade(x: &Reading, words: &Strings) -> Number {
    let target = x.target.map(|t| format!(" / {t}")).unwrap_or_default();
    let above = x.above_target();
    Number {
        class: if above { "num above" } else { "num" },
        sort: format!("{:.1}", x.grade),
        text: format!(
            "{}{target}{}",
            words.number(&format!("{:.1}", x.grade)),
            if above {
                words.get("editorial", "above_target")
            } else {
                ""
            }
        ),
    }
}

/// A page's passages of declared practice, for the report's list of them.
#[derive(Serialize)]
struct PracticeOf<'a> {
    path: &'a str,
    title: &'a str,
    file: &'a str,
    passages: &'a [crate::audience::blocks::Practice],
}

/// The report's page, without language scores (see [`report_scored`]).
pub fn report(
    config: &Config,
    rows: &[EditorialRow],
    today: Date,
    t: &Templates,
) -> Result<String, Diagnostic> {
    report_scored(config, rows, &PageScores::new(), today, t)
}

/// The report's page; `scores` give the reading level of pages in a language with its own
/// scales (Spanish), shown with the audience's minimums for that language.
pub fn report_scored(
    config: &Config,
    rows: &[EditorialRow],
    scores: &PageScores,
    today: Date,
    t: &Templates,
) -> Result<String, Diagnostic> {
    let audiences = config.audience_ids();
    let words = t.strings(&config.language);
    let mut headers: Vec<String> = [
        "page",
        "status",
        "reviewers",
        "last_reviewed",
        "next_review",
        "days_overdue",
    ]
    .iter()
    .map(|k| words.get("editorial", k).to_string())
    .collect();
    for a in &audiences {
        let label = config.audience(a).map(|x| x.label.as_str()).unwrap_or(a);
        headers.push(words.fill("editorial", "reading_grade", &[("audience", label)]));
    }
    headers.push(words.get("editorial", "reference_findings").into());
    let count = |f: &dyn Fn(&EditorialRow) -> bool| rows.iter().filter(|r| f(r)).count();
    // Off target: an English grade above its maximum, or a language score below its minimum.
    let off_target = |r: &EditorialRow| {
        r.reading.values().any(Reading::above_target)
            || audiences.iter().any(|a| {
                !r.reading.contains_key(*a)
                    && lang_reading(config, r, a, scores).is_some_and(|x| x.below_target())
            })
    };
    // The rows, one per page, are most of the report: made into the template's values on both
    // cores.
    let row_values: Vec<tera::Value> = {
        use rayon::prelude::*;
        rows.par_iter()
            .map(|r| {
                tera::Value::try_from_serializable(&row(config, r, &audiences, scores, &words))
            })
            .collect::<Result<_, _>>()
            .map_err(|e| Diagnostic::error("template/render", format!("editorial rows: {e}")))?
    };
    let mut ctx = Context::new();
    ctx.insert_value("rows", tera::Value::from(row_values));
    ctx.insert("language", &config.language);
    ctx.insert("title", &config.title);
    let n = |f: &dyn Fn(&EditorialRow) -> bool| count(f).to_string();
    let summary = words.fill(
        "editorial",
        if rows.len() == 1 {
            "summary_one"
        } else {
            "summary_other"
        },
        &[
            ("clinic", &config.clinic),
            ("today", &words.date_long(today)),
            ("count", &rows.len().to_string()),
            ("waiting", &n(&|r| r.status != ReviewStatus::Approved)),
            ("overdue", &n(&|r| r.days_overdue.is_some_and(|d| d > 0))),
            ("above", &n(&off_target)),
        ],
    );
    ctx.insert("summary", &summary);
    // What the summary says, one by one, for a site's own editorial.html.
    ctx.insert("clinic", &config.clinic);
    ctx.insert("today", &words.date_long(today));
    ctx.insert("count", &rows.len());
    ctx.insert("waiting", &count(&|r| r.status != ReviewStatus::Approved));
    ctx.insert(
        "overdue",
        &count(&|r| r.days_overdue.is_some_and(|d| d > 0)),
    );
    ctx.insert("above", &count(&off_target));
    ctx.insert("headers", &headers);
    let practice: Vec<PracticeOf> = rows
        .iter()
        .filter(|r| !r.practice.is_empty())
        .map(|r| PracticeOf {
            path: &r.path,
            title: &r.title,
            file: &r.file,
            passages: &r.practice,
        })
        .collect();
    ctx.insert("practice", &practice);
    ctx.insert("translations", &translations(rows, &words));
    // What the language scores are, once, when a page shows them.
    let scored = rows.iter().any(|r| {
        audiences
            .iter()
            .any(|a| !r.reading.contains_key(*a) && lang_reading(config, r, a, scores).is_some())
    });
    let notes: Vec<String> = if scored {
        vec![words.get("editorial", "lang_scores_note").to_string()]
    } else {
        Vec::new()
    };
    ctx.insert("reading_notes", &notes);
    let unreviewed = unreviewed_strings(t.catalog(), &config.language_ids());
    ctx.insert("unreviewed_strings", &unreviewed);
    let mut e = report_words(&words, &unreviewed.join(", "));
    let title = e["title"].replace("{title}", &crate::util::escape_html(&config.title));
    e.insert("title", title);
    ctx.insert("e", &e);
    ctx.insert("style", REPORT_CSS);
    ctx.insert("script", REPORT_JS);
    t.render("editorial.html", &ctx)
}

/// A translation's entry in the report's "Translations" list, its sentences in `words`.
#[derive(Serialize)]
struct TranslationOf<'a> {
    path: &'a str,
    title: &'a str,
    file: &'a str,
    /// "Translation into es of content/page.md, made from its version of 26 Nov 2026."
    of: String,
    /// The original changed since, or the translation awaits a qualified translator's review.
    notes: Vec<String>,
}

fn translations<'a>(rows: &'a [EditorialRow], words: &Strings) -> Vec<TranslationOf<'a>> {
    rows.iter()
        .filter_map(|r| Some((r, r.translation.as_ref()?)))
        .map(|(r, t)| {
            let mut notes = Vec::new();
            if let Some(d) = t.original_changed {
                notes.push(words.fill(
                    "editorial",
                    "translation_stale",
                    &[("date", &words.date_long(d))],
                ));
            }
            if r.status != ReviewStatus::Approved {
                notes.push(words.fill(
                    "editorial",
                    "translation_awaits",
                    &[("status", &words.status(r.status.id()))],
                ));
            }
            TranslationOf {
                path: &r.path,
                title: &r.title,
                file: &r.file,
                of: words.fill(
                    "editorial",
                    "translation_of",
                    &[
                        ("lang", &t.lang),
                        ("original", &t.original),
                        ("date", &words.date_long(t.translates)),
                    ],
                ),
                notes,
            }
        })
        .collect()
}

/// The report's words, as HTML text (`&`, `<` and `>` escaped; quotes are text here).
fn report_words(words: &Strings, languages: &str) -> BTreeMap<&'static str, String> {
    let text = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    [
        "title",
        "heading",
        "caption",
        "none",
        "grade_note",
        "practice",
        "practice_before",
        "practice_after",
        "line",
        "strings",
        "strings_before",
        "strings_middle",
        "strings_after",
        "translations",
    ]
    .into_iter()
    .map(|k| {
        let s = words.fill("editorial", k, &[("languages", languages)]);
        (k, text(&s))
    })
    .collect()
}

/// The interface-string tables the site's pages use whose clinical wording (the caution
/// banner, "stop", the taper table) no qualified medical translator has reviewed yet, by
/// language name: `Español (es)`. careguide's Spanish table is such a one until reviewed.
fn unreviewed_strings(catalog: &crate::i18n::Catalog, languages: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for lang in languages {
        let (s, _) = catalog.strings(lang);
        if s.get("about", "review") != "reviewed" {
            let name = format!("{} ({})", s.get("about", "language"), s.base());
            if !out.contains(&name) {
                out.push(name);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience::review::editorial_row;
    use crate::audience::testutil::{config, page, APPROVED};

    /// The layout of a test page's body, as the build reads it.
    fn lay(doc: &crate::content::Document) -> crate::audience::blocks::Layout {
        crate::audience::blocks::layout(doc.body())
    }

    fn d(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    #[test]
    fn editorial_report_escapes_and_sorts() {
        let c = config();
        let today = d("2026-11-26");
        let doc = page(
            &APPROVED.replace("Dr. Ana Ruiz, MD", "<b>Eve</b> & Co"),
            "::: patient\nPharmacological management necessitates individualized consideration of comorbid psychiatric conditions.\n:::\n",
        );
        let (scores, _) = crate::audience::readability::check(&doc, &c);
        let row = editorial_row(&doc, &c, today, &scores, 2, &lay(&doc));
        assert_eq!(row.days_overdue, Some(25));
        assert!(row.reading["patient"].above_target());
        let t = crate::render::publish::testsite::builtin();
        let html = report(&c, &[row], today, &t).unwrap();
        assert!(html.contains("&lt;b&gt;Eve&lt;/b&gt; &amp; Co"));
        assert!(!html.contains("<b>Eve"));
        assert!(html.contains("1 with an overdue review"));
        assert!(html.contains("<tr class=\"overdue\">"));
        assert!(html.contains("(above target)"));
        assert!(html.contains("aria-sort"));
        assert!(
            !html.contains("http://") && !html.contains("src="),
            "no external requests"
        );
        assert!(html.contains("<meta name=\"robots\" content=\"noindex, nofollow\">"));
    }

    #[test]
    fn unreviewed_interface_strings_are_said_for_the_languages_used() {
        let c = crate::i18n::Catalog::builtin();
        assert!(unreviewed_strings(&c, &["en"]).is_empty());
        assert_eq!(unreviewed_strings(&c, &["es-MX", "es"]), ["Español (es)"]);
        let mut conf = config();
        let today = d("2026-11-26");
        let t = crate::render::publish::testsite::builtin();
        let x = page(APPROVED, "x\n");
        let rows = [editorial_row(
            &x,
            &conf,
            today,
            &Default::default(),
            0,
            &lay(&x),
        )];
        assert!(!report(&conf, &rows, today, &t)
            .unwrap()
            .contains("awaiting review"));
        conf.language = "es".into();
        let html = report(&conf, &rows, today, &t).unwrap();
        // The report is in the site's language: its note too.
        assert!(
            html.contains("Textos de la interfaz pendientes de revisión"),
            "{html}"
        );
        assert!(html.contains("Español (es)") && html.contains("traductor médico calificado"));
        assert!(html.contains("<h1>Informe editorial</h1>"));
    }

    #[test]
    fn spanish_pages_show_their_own_scores_against_their_minimums() {
        let mut c = config();
        let today = d("2026-11-26");
        for a in &mut c.audiences {
            a.reading.insert(
                "es".into(),
                crate::config::ReadingTarget {
                    min_inflesz: Some(55.0),
                    min_fernandez_huerta: None,
                },
            );
        }
        let t = crate::render::publish::testsite::builtin();
        let x = page(APPROVED, "x\n");
        let mut row = editorial_row(&x, &c, today, &Default::default(), 0, &lay(&x));
        row.translation = Some(crate::audience::review::TranslationLine {
            lang: "es".into(),
            original: "content/x.md".into(),
            translates: today,
            original_changed: None,
        });
        let scored = |perspicuity: f64| {
            let s = crate::audience::readability::Scores {
                words: 120,
                szigriszt_pazos: Some(perspicuity),
                inflesz: Some(crate::audience::readability::inflesz(perspicuity).into()),
                fernandez_huerta: Some(perspicuity + 4.0),
                ..Default::default()
            };
            let mut by_audience = BTreeMap::new();
            by_audience.insert("patient".to_string(), s);
            let mut all = PageScores::new();
            all.insert(row.path.clone(), by_audience);
            all
        };
        let html = report_scored(&c, std::slice::from_ref(&row), &scored(61.6), today, &t).unwrap();
        assert!(
            html.contains(">INFLESZ 61.6 (normal) / at least 55; Fernández-Huerta 65.6</td>"),
            "{html}"
        );
        assert!(html.contains("Pages in Spanish are scored on Spanish scales"));
        assert!(html.contains("0 above a reading-level target"));
        let html = report_scored(&c, std::slice::from_ref(&row), &scored(48.0), today, &t).unwrap();
        assert!(
            html.contains("<td class=\"num above\" data-sort=\"48.0\">INFLESZ 48.0 (algo difícil) / at least 55; Fernández-Huerta 52.0 (below target)</td>"),
            "{html}"
        );
        assert!(html.contains("1 above a reading-level target"));
        // Without scores (an English-only report), no note and a dash.
        let html = report(&c, &[row], today, &t).unwrap();
        assert!(!html.contains("Spanish scales"));
    }

    #[test]
    fn practice_passages_are_listed_per_page() {
        let c = config();
        let today = d("2026-11-26");
        let t = crate::render::publish::testsite::builtin();
        let plain = page(APPROVED, "Rest and drink water.\n");
        let rows = [editorial_row(
            &plain,
            &c,
            today,
            &Default::default(),
            0,
            &lay(&plain),
        )];
        let without = report(&c, &rows, today, &t).unwrap();
        assert!(!without.contains("Declared practice"));
        let doc = page(
            APPROVED,
            "Intro.\n\n::: {.practice}\nWe phone you <b>the day</b>\nafter each step.\n\n::: patient\nBring the handout.\n:::\n:::\n\n::: {.warning .practice}\nCall the clinic first.\n:::\n",
        );
        let row = editorial_row(&doc, &c, today, &Default::default(), 0, &lay(&doc));
        // Lines of the file, counted here from the body's first.
        let body_line = doc.body_pos(0).0;
        assert_eq!(
            row.practice
                .iter()
                .map(|p| (p.line - body_line, p.text.as_str()))
                .collect::<Vec<_>>(),
            [
                (
                    2,
                    "We phone you <b>the day</b> after each step. Bring the handout."
                ),
                (11, "Call the clinic first."),
            ]
        );
        let html = report(&c, &[row], today, &t).unwrap();
        assert!(html.contains("Declared practice"), "{html}");
        assert!(
            html.contains(&format!(
                "<li>line {}: We phone you &lt;b&gt;the day&lt;/b&gt; after each step. Bring the handout.</li>",
                body_line + 2
            )),
            "{html}"
        );
        assert!(html.contains("Call the clinic first."));
    }
}
