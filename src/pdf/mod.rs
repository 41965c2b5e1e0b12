//! PDF handouts: a small layout layer over printpdf 0.12 ([`layout`]), Markdown to blocks
//! ([`markdown`]), the embedded fonts ([`fonts`]), and the handout itself: the clinic's header,
//! the page's text for one audience, a taper schedule (personalized, or a blank chart to fill
//! in by hand), numbered references, and on every page the audience's disclaimer, the date made
//! and "Page N of M".
//!
//! Output is reproducible: fixed font ids, dates from the caller (never the clock), and a
//! trailer `/ID` that is a hash of the file's own content, so the same input gives the same
//! bytes, also for many handouts made in one process.

pub mod chart;
pub mod fonts;
pub mod layout;
pub mod markdown;
pub mod plan;
mod qr;
mod tags;

use std::cell::RefCell;

use printpdf::{PdfDocument, PdfSaveOptions};

use crate::cite::Reference;
use crate::config::Config;
use crate::content::Document;
use crate::model::Variant;
use crate::taper::{Schedule, Unit};
use crate::types::Date;
use layout::{Block, Furniture, Layout, Span};

/// Paper sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Paper {
    #[default]
    A4,
    Letter,
}

impl Paper {
    fn size(self) -> layout::Paper {
        match self {
            Paper::A4 => layout::A4,
            Paper::Letter => layout::LETTER,
        }
    }
}

/// The taper part of a handout.
#[derive(Debug, Clone, Copy)]
pub enum TaperPart<'a> {
    None,
    /// An empty chart for the clinician to fill in by hand.
    Blank {
        substance: &'a str,
        unit: Unit,
    },
    /// The patient's own schedule.
    Schedule(&'a Schedule),
}

/// What a handout says of the plan's care besides the schedule: who prescribed it, whom to call
/// with questions, when to come back. The clinician and the next visit are patient data, as the
/// name is.
#[derive(Debug, Clone, Copy, Default)]
pub struct Care<'a> {
    /// The clinician's name (`--clinician`).
    pub clinician: Option<&'a str>,
    /// The clinic's phone for questions (`--phone`; the command fills in `[contact] phone`).
    pub phone: Option<&'a str>,
    /// The next appointment (`--next-visit`).
    pub next_visit: Option<Date>,
}

/// Everything one handout is made from.
pub struct Handout<'a> {
    pub config: &'a Config,
    pub doc: &'a Document,
    /// The page as this audience reads it: its Markdown, its citations and its references,
    /// numbered and formatted.
    pub variant: &'a Variant,
    pub patient_name: Option<&'a str>,
    pub care: Care<'a>,
    pub taper: TaperPart<'a>,
    pub paper: Paper,
    /// The date printed as "made" and stored as the PDF's dates.
    pub made: Date,
    /// The date the page's review status is judged on (an approved page's review may be
    /// overdue by then).
    pub today: Date,
}

/// What every page of the PDF says of the page's review: who approved it and when, or a
/// caution that it is not approved (or its review is overdue), as the web page's banner does.
pub fn review_status(doc: &Document, today: Date) -> layout::Status {
    use crate::audience::review::{banner, BannerKind};
    if let Some(b) = banner(doc, today) {
        let head = match b.kind {
            BannerKind::Overdue => "Review overdue: check with your clinician.",
            _ => "Not yet approved: check with your clinician.",
        };
        return layout::Status {
            text: format!("{head} {}", b.text),
            caution: true,
        };
    }
    let r = &doc.front.review;
    let mut text = String::from("Reviewed");
    if !r.reviewers.is_empty() {
        text.push_str(&format!(" by {}", r.reviewers.join(", ")));
    }
    if let Some(d) = r.last_reviewed {
        text.push_str(&format!(" on {}", d.long()));
    }
    if let Some(d) = r.next_review {
        text.push_str(&format!("; next review due {}", d.long()));
    }
    text.push('.');
    layout::Status {
        text,
        caution: false,
    }
}

/// The PDF of one page for one audience, as the site build publishes it: no patient, and a
/// blank taper chart where the page has a `taper:` block.
pub fn page_pdf(
    config: &Config,
    doc: &Document,
    variant: &Variant,
    made: Date,
    today: Date,
) -> Result<Vec<u8>, String> {
    let taper = match &doc.front.taper {
        Some(t) => TaperPart::Blank {
            substance: &t.substance,
            unit: t.unit,
        },
        None => TaperPart::None,
    };
    render(&Handout {
        config,
        doc,
        variant,
        patient_name: None,
        care: Care::default(),
        taper,
        paper: Paper::A4,
        made,
        today,
    })
}

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
fn blocks(h: &Handout, patient_facing: bool) -> Vec<Block> {
    let mut out = opening(h, patient_facing);
    out.extend(guidance(h));
    if let TaperPart::Blank { substance, unit } = h.taper {
        out.extend(blank_chart(substance, unit, patient_facing));
    }
    out.extend(contact(h.config, patient_facing));
    out.extend(references(h.variant));
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
    let mut out = vec![Block::Heading(1, vec![Span::plain(h.doc.heading())])];
    if let Some(name) = h.patient_name {
        out.push(Block::Paragraph(vec![
            Span::bold("Prepared for: "),
            Span::plain(name),
            Span::plain("\n"),
            Span::bold("Date: "),
            Span::plain(h.made.long()),
        ]));
    } else if patient_facing && !matches!(h.taper, TaperPart::None) {
        out.push(Block::WriteIn("Name:".to_string()));
    }
    out
}

/// The page's summary (in bold) and body for this audience, citations numbered as the variant
/// numbered them: by first appearance over the summary, then the body.
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
    out.extend(markdown::to_blocks(&body));
    out
}

/// The empty chart a page with a taper block carries, to fill in with the patient.
fn blank_chart(substance: &str, unit: Unit, patient_facing: bool) -> Vec<Block> {
    vec![
        Block::NeedSpace(KEEP_WITH_TABLE),
        Block::Heading(2, vec![Span::plain("Taper chart")]),
        Block::Paragraph(vec![Span::plain(if patient_facing {
            format!("Your clinician fills in this chart with you: the dates of each step, the amount of {substance} to take each day (in {unit}) and how to split it. Tick a box for each day you keep to the plan.")
        } else {
            format!("A chart to fill in with the patient: the dates of each step, the amount of {substance} each day (in {unit}) and its split into doses. The patient's copy of this page has a tick box per day.")
        })]),
        Block::Table(plan::blank_table(unit, patient_facing)),
    ]
}

/// How to reach the clinic (and, on a patient's copy, when to call it), from `[contact]`.
fn contact(config: &Config, patient_facing: bool) -> Vec<Block> {
    let c = &config.contact;
    if c.phone.is_none() && c.email.is_none() && c.address.is_none() {
        return Vec::new();
    }
    let mut spans = vec![Span::plain(if patient_facing {
        format!(
            "Call {} if you feel very unwell, if you cannot keep to a step, or if you have questions.",
            config.clinic
        )
    } else {
        format!("{}.", config.clinic)
    })];
    if let Some(p) = &c.phone {
        spans.push(Span::plain(" Phone: "));
        spans.push(Span::bold(p));
        spans.push(Span::plain("."));
    }
    if let Some(e) = &c.email {
        spans.push(Span::plain(format!(" Email: {e}.")));
    }
    if let Some(a) = &c.address {
        spans.push(Span::plain(format!(" Address: {a}.")));
    }
    let mut out = vec![
        Block::Heading(2, vec![Span::plain("Contact the clinic")]),
        Block::Paragraph(spans),
    ];
    if patient_facing {
        out.push(Block::Paragraph(vec![Span::bold(
            "In an emergency, call your local emergency number.",
        )]));
    }
    out
}

/// The numbered reference list, formatted by the site's style where it could be.
fn references(v: &Variant) -> Vec<Block> {
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
        Block::Heading(2, vec![Span::plain("References")]),
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
    let unescape = |s: &str| {
        s.replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&amp;", "&")
    };
    let italic = f
        .html
        .split("<i>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</i>").map(|(i, _)| unescape(i)));
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

/// The notes a schedule carries for the clinician: what to check, and each value filled in by
/// default. Empty when there is nothing to say.
pub fn clinician_notes(s: &Schedule) -> Vec<(&'static str, &str)> {
    s.warnings
        .iter()
        .map(|w| ("Check", w.text.as_str()))
        .chain(
            s.input
                .defaults_applied
                .iter()
                .map(|d| ("Default used", d.as_str())),
        )
        .collect()
}

/// The clinician's sheet of a handout: the schedule's notes (what to check, the defaults used)
/// with the plan they concern, for the clinician and never for the patient's copy.
pub fn clinician_sheet(h: &Handout, s: &Schedule) -> Result<Vec<u8>, String> {
    let mut blocks = vec![Block::Heading(
        1,
        vec![Span::plain("Notes for the clinician")],
    )];
    let mut who = vec![Span::bold("Handout: "), Span::plain(&h.doc.front.title)];
    if let Some(name) = h.patient_name {
        who.extend([
            Span::plain("\n"),
            Span::bold("Prepared for: "),
            Span::plain(name),
        ]);
    }
    who.extend([
        Span::plain("\n"),
        Span::bold("Date: "),
        Span::plain(h.made.long()),
    ]);
    blocks.push(Block::Paragraph(who));
    blocks.push(Block::Paragraph(vec![Span::bold(
        "Not for the patient: keep this sheet with the clinical record.",
    )]));
    let notes = clinician_notes(s);
    if notes.is_empty() {
        blocks.push(Block::Paragraph(vec![Span::plain(
            "The schedule carries no warning, and no value was filled in by default.",
        )]));
    }
    for (kind, text) in notes {
        blocks.push(Block::Paragraph(vec![
            Span::bold(format!("{kind}: ")),
            Span::plain(text),
        ]));
    }
    blocks.push(Block::Heading(2, vec![Span::plain("The plan")]));
    blocks.push(Block::Paragraph(vec![Span::plain(crate::taper::describe(
        &s.input,
    ))]));
    blocks.push(Block::Table(plan::schedule_table(
        s,
        &h.config.handout.date_format(),
    )));
    lay_out(
        h,
        blocks,
        "For: the clinician, not the patient",
        "Notes for the clinician. Not to be handed to the patient.",
    )
}

/// Lay out and save one handout.
pub fn render(h: &Handout) -> Result<Vec<u8>, String> {
    let audience = h.config.audience(&h.variant.audience).ok_or_else(|| {
        format!(
            "unknown audience '{}': careguide.toml configures {}",
            &h.variant.audience,
            h.config.audience_ids().join(", ")
        )
    })?;
    let blocks = blocks(h, audience.plain);
    lay_out(
        h,
        blocks,
        &format!("For: {}", audience.label),
        &audience.disclaimer,
    )
}

/// Lay `blocks` out under the clinic's header, with the page furniture, and save the PDF.
fn lay_out(
    h: &Handout,
    blocks: Vec<Block>,
    for_whom: &str,
    disclaimer: &str,
) -> Result<Vec<u8>, String> {
    let config = h.config;
    let title = h.doc.front.title.clone();
    let furniture = Furniture {
        running_header: format!("{} · {}", config.clinic, title),
        disclaimer: disclaimer.to_string(),
        footer_left: format!("Made {} · {for_whom}", h.made.long()),
        status: review_status(h.doc, h.today),
    };
    let mut lay = Layout::new(h.paper.size(), furniture);
    let c = &config.contact;
    let contact = [c.phone.as_deref(), c.address.as_deref(), c.url.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    lay.clinic_header(&config.clinic, &contact);
    for b in &blocks {
        lay.block(b);
    }
    if lay.disclaimer_in_text() {
        lay.block(&Block::Heading(2, vec![Span::plain("Notice")]));
        lay.block(&Block::Paragraph(vec![Span::plain(disclaimer)]));
    }
    let layout::Laid { pages, tags } = lay.finish();

    let secs = time::OffsetDateTime::new_utc(h.made.0, time::Time::MIDNIGHT).unix_timestamp();
    let when = printpdf::OffsetDateTime::from_unix_timestamp(secs)
        .map_err(|e| format!("the date {} cannot be stored in the PDF: {e}", h.made))?;
    let mut metadata = PdfDocument::new(&title).metadata;
    let info = &mut metadata.info;
    info.author = config.clinic.clone();
    info.subject =
        markdown::number_citations(&h.doc.front.summary, &h.variant.summary_citations, &[])
            .replace("\\[", "[");
    info.creator = "careguide".to_string();
    info.producer = "careguide (printpdf)".to_string();
    info.keywords = h.doc.front.topics.clone();
    info.creation_date = when;
    info.modification_date = when;
    info.metadata_date = when;
    with_template(|pdf| {
        pdf.metadata = metadata;
        pdf.pages = pages;
        let out = finish(pdf, &config.language, &tags);
        pdf.pages = Vec::new();
        out
    })
}

thread_local! {
    /// A document holding the parsed fonts, reused for every PDF this thread makes: cloning
    /// the parsed fonts into each new document cost more than laying out the handout.
    static TEMPLATE: RefCell<Option<PdfDocument>> = const { RefCell::new(None) };
}

fn with_template(
    f: impl FnOnce(&mut PdfDocument) -> Result<Vec<u8>, String>,
) -> Result<Vec<u8>, String> {
    TEMPLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            let mut pdf = PdfDocument::new("");
            for (id, font) in fonts::pdf_fonts()? {
                pdf.resources.fonts.map.insert(id, font);
            }
            *slot = Some(pdf);
        }
        match slot.as_mut() {
            Some(pdf) => f(pdf),
            None => Err("the PDF fonts could not be loaded".to_string()),
        }
    })
}

/// Serialize, tagged (the structure tree the layout recorded, the language, the title shown),
/// with a content-derived trailer ID.
fn finish(pdf: &PdfDocument, language: &str, tags: &layout::tags::Tags) -> Result<Vec<u8>, String> {
    use lopdf::{Object, StringFormat};
    let opts = PdfSaveOptions {
        subset_fonts: true,
        ..Default::default()
    };
    let mut warnings = Vec::new();
    let mut doc = pdf.to_lopdf_document(&opts, &mut warnings);
    doc.compress();
    tags::write(&mut doc, tags, language, &pdf.metadata.info.document_title)?;
    // Tagged PDF (`/MarkInfo`, `/Tabs`) is PDF 1.5 and later.
    doc.version = "1.7".to_string();
    const PLACEHOLDER: &[u8; 32] = b"CAREGUIDEIDPLACEHOLDER0000000000";
    doc.trailer.set(
        "ID",
        Object::Array(vec![
            Object::String(PLACEHOLDER.to_vec(), StringFormat::Literal),
            Object::String(PLACEHOLDER.to_vec(), StringFormat::Literal),
        ]),
    );
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)
        .map_err(|e| format!("cannot write the PDF: {e}"))?;
    let id = content_hash(&bytes);
    let mut replaced = 0;
    let mut i = 0;
    while i + PLACEHOLDER.len() <= bytes.len() {
        if &bytes[i..i + PLACEHOLDER.len()] == PLACEHOLDER {
            bytes[i..i + PLACEHOLDER.len()].copy_from_slice(id.as_bytes());
            replaced += 1;
            i += PLACEHOLDER.len();
        } else {
            i += 1;
        }
    }
    if replaced != 2 {
        return Err("the PDF's document ID could not be set".to_string());
    }
    Ok(bytes)
}

/// 32 hex digits from two FNV-1a passes: stable across runs and platforms.
fn content_hash(bytes: &[u8]) -> String {
    let fnv = |seed: u64| {
        let mut h: u64 = seed;
        for b in bytes {
            h ^= *b as u64;
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        h
    };
    format!(
        "{:016x}{:016x}",
        fnv(0xcbf2_9ce4_8422_2325),
        fnv(0x6c62_272e_07bb_0142)
    )
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

    #[test]
    fn content_hash_is_stable() {
        assert_eq!(content_hash(b""), content_hash(b""));
        assert_ne!(content_hash(b"a"), content_hash(b"b"));
        assert_eq!(content_hash(b"abc").len(), 32);
    }
}
