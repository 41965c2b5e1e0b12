//! What a handout says, in reading order: the patient's plan or the page's title, the page's
//! guidance for the audience, a blank chart where the page has a taper block, how to reach the
//! clinic, and the references.

use super::layout::{self, Block, Span};
use super::{markdown, plan, Handout, Paper, TaperPart};
use crate::cite::Reference;
use crate::config::Config;
use crate::i18n::Strings;
use crate::model::Variant;
use crate::taper::Unit;
use crate::util::decode_entities;

/// A reference as plain text when no style formatter is available.
pub fn plain_reference(r: &Reference) -> String {
    let mut parts = Vec::new();
    let who = if !r.authors.is_empty() {
        let mut a = r
            .authors
            .iter()
            .take(6)
            .cloned()
            .collect::<Vec<_>>()
            .join(", ");
        if r.authors.len() > 6 || r.authors_truncated {
            a.push_str(", et al");
        }
        Some(a)
    } else {
        r.organization.clone()
    };
    parts.extend(who);
    parts.extend(r.title.clone());
    let mut src = r.container.clone().unwrap_or_default();
    if let Some(y) = &r.year {
        if !src.is_empty() {
            src.push(' ');
        }
        src.push_str(y);
    }
    if let Some(v) = &r.volume {
        src.push_str(&format!(";{v}"));
        if let Some(i) = &r.issue {
            src.push_str(&format!("({i})"));
        }
    }
    if let Some(p) = &r.pages {
        src.push_str(&format!(":{p}"));
    }
    if !src.is_empty() {
        parts.push(src);
    }
    if let Some(d) = &r.doi {
        parts.push(format!("doi:{d}"));
    } else if let Some(u) = &r.url {
        parts.push(u.clone());
    }
    let mut s = parts
        .into_iter()
        .map(|p| p.trim_end_matches('.').to_string())
        .collect::<Vec<_>>()
        .join(". ");
    s.push('.');
    s
}

/// Room needed for a taper section's heading, its words and the table's first rows; with less
/// the section starts on a new page.
const KEEP_WITH_TABLE: f32 = 230.0;

/// The width text runs across on this handout's paper.
fn text_width(paper: Paper) -> f32 {
    paper.size().width - 2.0 * layout::MARGIN
}

/// The blocks of a handout, in reading order. A personalized handout opens with the patient's
/// plan (see [`plan`]); the page's guidance follows. A `patient_facing` copy (an audience
/// written in plain language: patients, caregivers) has a line for the name, tick boxes and
/// "call the clinic"; a professional's copy has none of them.
pub(super) fn blocks(h: &Handout, patient_facing: bool) -> Vec<Block> {
    let mut out = opening(h, patient_facing);
    out.extend(guidance(h));
    if let TaperPart::Blank { substance, unit } = h.taper {
        out.extend(blank_chart(substance, unit, patient_facing, h.strings));
    }
    out.extend(contact(h.config, patient_facing, h.strings));
    out.extend(references(h.variant, h.strings));
    out
}

/// The top of page 1: the patient's plan, or the page's title (and a line for the name where
/// the copy has a chart to fill in).
fn opening(h: &Handout, patient_facing: bool) -> Vec<Block> {
    if let TaperPart::Schedule(s) = h.taper {
        let mut out = plan::plan_blocks(h, s, text_width(h.paper));
        out.push(Block::Rule);
        return out;
    }
    let words = h.strings;
    let mut out = vec![Block::Heading(1, vec![Span::plain(h.doc.heading())])];
    if let Some(name) = h.patient_name {
        out.push(Block::Paragraph(vec![
            Span::bold(format!("{}: ", words.get("pdf", "prepared_for"))),
            Span::plain(name),
            Span::plain("\n"),
            Span::bold(format!("{}: ", words.get("pdf", "date"))),
            Span::plain(words.date_long(h.made)),
        ]));
    } else if patient_facing && !matches!(h.taper, TaperPart::None) {
        out.push(Block::WriteIn(words.get("pdf", "name").to_string()));
    }
    out
}

/// The page's summary (in bold) and body for this audience, citations numbered as the variant
/// numbered them: by first appearance over the summary, then the body. The body's PNG and JPEG
/// images are drawn when the site's root is known (see [`super::picture`]).
fn guidance(h: &Handout) -> Vec<Block> {
    let v = h.variant;
    let order: Vec<String> = v.cited.iter().map(|r| r.id.clone()).collect();
    let summary = markdown::number_citations(&h.doc.front.summary, &v.summary_citations, &order);
    let mut out: Vec<Block> = markdown::to_blocks(&summary)
        .into_iter()
        .map(|b| match b {
            Block::Paragraph(spans) => Block::Paragraph(
                spans
                    .into_iter()
                    .map(|s| Span { bold: true, ..s })
                    .collect(),
            ),
            other => other,
        })
        .collect();
    let body = markdown::number_citations(&v.markdown, &v.body_citations, &order);
    out.extend(match h.root {
        Some(root) => {
            let load = |dest: &str| super::picture::load(root, &h.doc.file, dest);
            markdown::to_blocks_with(&body, &load)
        }
        None => markdown::to_blocks(&body),
    });
    out
}

/// The empty chart a page with a taper block carries, to fill in with the patient.
fn blank_chart(substance: &str, unit: Unit, patient_facing: bool, words: &Strings) -> Vec<Block> {
    let key = if patient_facing {
        "chart_patient"
    } else {
        "chart_clinician"
    };
    vec![
        Block::NeedSpace(KEEP_WITH_TABLE),
        Block::Heading(2, vec![Span::plain(words.get("pdf", "taper_chart"))]),
        Block::Paragraph(vec![Span::plain(words.fill(
            "pdf",
            key,
            &[("substance", substance), ("unit", words.unit(unit))],
        ))]),
        Block::Table(plan::blank_table(unit, patient_facing, words)),
    ]
}

/// How to reach the clinic (and, on a patient's copy, when to call it), from `[contact]`.
fn contact(config: &Config, patient_facing: bool, words: &Strings) -> Vec<Block> {
    let c = &config.contact;
    if c.phone.is_none() && c.email.is_none() && c.address.is_none() {
        return Vec::new();
    }
    let mut spans = vec![Span::plain(if patient_facing {
        words.fill("pdf", "call_if", &[("clinic", &config.clinic)])
    } else {
        format!("{}.", config.clinic)
    })];
    if let Some(p) = &c.phone {
        spans.push(Span::plain(words.get("pdf", "phone")));
        spans.push(Span::bold(p));
        spans.push(Span::plain("."));
    }
    if let Some(e) = &c.email {
        spans.push(Span::plain(words.fill("pdf", "email", &[("email", e)])));
    }
    if let Some(a) = &c.address {
        spans.push(Span::plain(words.fill("pdf", "address", &[("address", a)])));
    }
    let mut out = vec![
        Block::Heading(2, vec![Span::plain(words.get("pdf", "contact"))]),
        Block::Paragraph(spans),
    ];
    if patient_facing {
        out.push(Block::Paragraph(vec![Span::bold(
            words.get("pdf", "emergency"),
        )]));
    }
    out
}

/// The numbered reference list, formatted by the site's style where it could be.
fn references(v: &Variant, words: &Strings) -> Vec<Block> {
    if v.cited.is_empty() {
        return Vec::new();
    }
    let entries: Vec<Vec<Span>> = if v.formatted.len() == v.cited.len() {
        v.formatted.iter().map(reference_spans).collect()
    } else {
        v.cited
            .iter()
            .map(|r| vec![Span::plain(plain_reference(r))])
            .collect()
    };
    vec![
        Block::Heading(2, vec![Span::plain(words.get("pdf", "references"))]),
        Block::Labelled(
            entries
                .into_iter()
                .enumerate()
                .map(|(i, spans)| (format!("{}.", i + 1), spans))
                .collect(),
        ),
    ]
}

/// The text of a formatted reference, with the parts the style sets in italics (a journal's
/// title) italic, as on the web page: each `<i>` run of the HTML is found, in order, in the
/// plain text.
fn reference_spans(f: &crate::cite::style::Formatted) -> Vec<Span> {
    let italic = f
        .html
        .split("<i>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</i>").map(|(i, _)| decode_entities(i)));
    let mut spans = Vec::new();
    let mut rest = f.text.as_str();
    for run in italic {
        let Some(at) = rest.find(run.as_str()).filter(|_| !run.is_empty()) else {
            continue;
        };
        if at > 0 {
            spans.push(Span::plain(&rest[..at]));
        }
        spans.push(Span::italic(run.as_str()));
        rest = &rest[at + run.len()..];
    }
    if !rest.is_empty() || spans.is_empty() {
        spans.push(Span::plain(rest));
    }
    spans
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_references_read_like_a_citation() {
        let r = Reference {
            id: "w".into(),
            authors: vec!["Weiss ST".into(), "Douglas HE".into()],
            title: Some("Treatment of kratom withdrawal".into()),
            container: Some("J Addict Med".into()),
            year: Some("2021".into()),
            volume: Some("15".into()),
            issue: Some("2".into()),
            pages: Some("167-172".into()),
            doi: Some("10.1097/ADM.0000000000000721".into()),
            ..Default::default()
        };
        assert_eq!(
            plain_reference(&r),
            "Weiss ST, Douglas HE. Treatment of kratom withdrawal. J Addict Med 2021;15(2):167-172. doi:10.1097/ADM.0000000000000721."
        );
        let org = Reference {
            id: "o".into(),
            organization: Some("World Health Organization".into()),
            title: Some("Guidance.".into()),
            url: Some("https://example.org/g".into()),
            ..Default::default()
        };
        assert_eq!(
            plain_reference(&org),
            "World Health Organization. Guidance. https://example.org/g."
        );
    }

    #[test]
    fn journal_titles_are_italic() {
        let f = crate::cite::style::Formatted {
            html: "Swogger MT. Kratom &amp; health. <i>Drug Alcohol Depend</i>. 2018;183:134-140."
                .into(),
            text: "Swogger MT. Kratom & health. Drug Alcohol Depend. 2018;183:134-140.".into(),
        };
        let spans = reference_spans(&f);
        assert_eq!(spans.len(), 3, "{spans:?}");
        assert_eq!(spans[1], Span::italic("Drug Alcohol Depend"));
        let text: String = spans.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(text, f.text);
    }
}
