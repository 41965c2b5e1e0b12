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
mod content;
mod direct;
mod error;
pub mod fonts;
pub mod layout;
pub mod markdown;
mod picture;
pub mod plan;
mod qr;
mod save;
mod sheet;
mod tags;

pub use content::plain_reference;
pub use error::PdfError;
pub use sheet::{clinician_notes, clinician_sheet, NoteKind};

use std::cell::RefCell;
use std::path::Path;

use printpdf::{ImageCompression, ImageOptimizationOptions, PdfDocument, PdfSaveOptions};

use crate::config::Config;
use crate::content::Document;
use crate::i18n::Strings;
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
    /// The site's root folder, where the page's images are read from; without it they print
    /// as their alt text.
    pub root: Option<&'a Path>,
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
    /// The words careguide writes on it, in the handout's language.
    pub strings: &'a Strings,
}

/// What every page of the PDF says of the page's review: who approved it and when, or a
/// caution that it is not approved (or its review is overdue), as the web page's banner does.
pub fn review_status(doc: &Document, today: Date, words: &Strings) -> layout::Status {
    use crate::audience::review::{banner, BannerKind};
    if let Some(b) = banner(doc, today, words) {
        let head = words.get(
            "pdf",
            match b.kind {
                BannerKind::Overdue => "caution_overdue",
                _ => "caution_unreviewed",
            },
        );
        return layout::Status {
            text: format!("{head} {}", b.text),
            caution: true,
        };
    }
    let r = &doc.front.review;
    let mut text = words.get("pdf", "reviewed").to_string();
    if !r.reviewers.is_empty() {
        let names = r.reviewers.join(", ");
        text.push_str(&words.fill("pdf", "reviewed_by", &[("names", &names)]));
    }
    if let Some(d) = r.last_reviewed {
        text.push_str(&words.fill("pdf", "reviewed_on", &[("date", &words.date_long(d))]));
    }
    if let Some(d) = r.next_review {
        text.push_str(&words.fill("pdf", "next_review", &[("date", &words.date_long(d))]));
    }
    text.push('.');
    layout::Status {
        text,
        caution: false,
    }
}

/// The PDF of one page for one audience, as the site build publishes it: no patient, and a
/// blank taper chart where the page has a `taper:` block. Its images print as their alt text
/// (the site build uses [`site_page_pdf`], which reads them).
pub fn page_pdf(
    config: &Config,
    doc: &Document,
    variant: &Variant,
    made: Date,
    today: Date,
) -> Result<Vec<u8>, PdfError> {
    // No site folder: careguide's own strings for the page's language.
    let strings = Strings::builtin(doc.lang.as_str());
    page_pdf_in(config, None, doc, variant, (made, today), &strings)
}

/// [`page_pdf`], with the page's PNG and JPEG images read from the site at `root` and drawn.
pub fn site_page_pdf(
    config: &Config,
    root: &Path,
    doc: &Document,
    variant: &Variant,
    made: Date,
    today: Date,
    strings: &Strings,
) -> Result<Vec<u8>, PdfError> {
    page_pdf_in(config, Some(root), doc, variant, (made, today), strings)
}

fn page_pdf_in(
    config: &Config,
    root: Option<&Path>,
    doc: &Document,
    variant: &Variant,
    (made, today): (Date, Date),
    strings: &Strings,
) -> Result<Vec<u8>, PdfError> {
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
        root,
        variant,
        patient_name: None,
        care: Care::default(),
        taper,
        paper: Paper::A4,
        made,
        today,
        strings,
    })
}

/// Lay out and save one handout.
pub fn render(h: &Handout) -> Result<Vec<u8>, PdfError> {
    let audience =
        h.config
            .audience(&h.variant.audience)
            .ok_or_else(|| PdfError::UnknownAudience {
                audience: h.variant.audience.to_string(),
                configured: h.config.audience_ids().join(", "),
            })?;
    // The label and disclaimer in the handout's language, where the configuration has them.
    let audience = audience.in_lang(h.strings.lang());
    let blocks = content::blocks(h, audience.plain);
    lay_out(
        h,
        blocks,
        &h.strings
            .fill("pdf", "for_audience", &[("audience", &audience.label)]),
        &audience.disclaimer,
    )
}

/// Lay `blocks` out under the clinic's header, with the page furniture, and save the PDF.
fn lay_out(
    h: &Handout,
    blocks: Vec<Block>,
    for_whom: &str,
    disclaimer: &str,
) -> Result<Vec<u8>, PdfError> {
    let config = h.config;
    let words = h.strings;
    let title = h.doc.front.title.clone();
    let furniture = Furniture {
        running_header: format!("{} · {}", config.clinic, title),
        disclaimer: disclaimer.to_string(),
        footer_left: words.fill(
            "pdf",
            "made",
            &[("date", &words.date_long(h.made)), ("for", for_whom)],
        ),
        status: review_status(h.doc, h.today, words),
        page_of: words.get("pdf", "page_of").to_string(),
        see_notice: words.get("pdf", "see_notice").to_string(),
        callout_labels: ["note", "warning", "urgent"].map(|k| words.get("callout", k).to_string()),
    };
    let mut lay = Layout::new(h.paper.size(), furniture);
    let c = &config.contact;
    let contact = [c.phone.as_deref(), c.address.as_deref(), c.url.as_deref()]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ");
    lay.clinic_header(&config.clinic, &contact);
    lay.blocks(&blocks);
    if lay.disclaimer_in_text() {
        lay.block(&Block::Heading(
            2,
            vec![Span::plain(words.get("pdf", "notice"))],
        ));
        lay.block(&Block::Paragraph(vec![Span::plain(disclaimer)]));
    }
    let layout::Laid {
        pages,
        tags,
        images,
    } = lay.finish();

    let secs = time::OffsetDateTime::new_utc(h.made.0, time::Time::MIDNIGHT).unix_timestamp();
    let when = printpdf::OffsetDateTime::from_unix_timestamp(secs).map_err(|e| PdfError::Date {
        date: h.made,
        reason: e.to_string(),
    })?;
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
    let shared = pages.iter().all(|p| {
        p.ops.iter().all(|op| match op {
            printpdf::Op::ShowText { items } => items.iter().all(|i| match i {
                printpdf::TextItem::Text(t) => t.chars().all(fonts::shared_covers),
                _ => false,
            }),
            _ => true,
        })
    });
    // Nearly every site PDF: its content streams and the shared fonts written directly.
    let direct = match shared && images.is_empty() {
        true => direct::contents(&pages)?,
        false => None,
    };
    with_template(shared, |pdf| {
        pdf.metadata = metadata;
        pdf.pages = match direct {
            // printpdf saves the pages' frame (sizes, resources, an empty content stream).
            Some(_) => pages
                .into_iter()
                .map(|p| printpdf::PdfPage {
                    ops: Vec::new(),
                    ..p
                })
                .collect(),
            None => pages,
        };
        // Named by the layout in drawing order (`Im1`, ...), not by printpdf's random ids.
        for (name, image) in &images {
            pdf.resources.xobjects.map.insert(
                printpdf::XObjectId(name.clone()),
                printpdf::XObject::Image((**image).clone()),
            );
        }
        let out = finish(pdf, shared, direct, h.strings.lang(), &tags);
        pdf.pages = Vec::new();
        pdf.resources.xobjects.map.clear();
        out
    })
}

thread_local! {
    /// Two documents holding the parsed fonts, reused for every PDF this thread makes: cloning
    /// the parsed fonts into each new document cost more than laying out the handout. The
    /// first holds the whole faces (subset for each PDF), the second the shared subset.
    static TEMPLATE: RefCell<[Option<PdfDocument>; 2]> = const { RefCell::new([None, None]) };
}

/// Run `f` on this thread's template document: the one with the shared font subset if
/// `shared`, else the one with the whole faces.
fn with_template(
    shared: bool,
    f: impl FnOnce(&mut PdfDocument) -> Result<Vec<u8>, PdfError>,
) -> Result<Vec<u8>, PdfError> {
    TEMPLATE.with(|cell| {
        let mut slots = cell.borrow_mut();
        let slot = &mut slots[usize::from(shared)];
        if slot.is_none() {
            let mut pdf = PdfDocument::new("");
            let faces = match shared {
                true => fonts::shared()?.fonts.clone(),
                false => fonts::pdf_fonts()?,
            };
            for (id, font) in faces {
                pdf.resources.fonts.map.insert(id, font);
            }
            *slot = Some(pdf);
        }
        match slot.as_mut() {
            Some(pdf) => f(pdf),
            None => Err(PdfError::Write(
                "the PDF fonts could not be loaded".to_string(),
            )),
        }
    })
}

/// Serialize, tagged (the structure tree the layout recorded, the language, the title shown),
/// with a content-derived trailer ID.
fn finish(
    pdf: &PdfDocument,
    shared: bool,
    direct: Option<direct::Contents>,
    language: &str,
    tags: &layout::tags::Tags,
) -> Result<Vec<u8>, PdfError> {
    use lopdf::{Object, StringFormat};
    let mut warnings = Vec::new();
    let mut doc = pdf.to_lopdf_document(&save_options(shared), &mut warnings);
    match direct {
        Some(contents) => direct::fill(&mut doc, contents)?,
        None if shared => shared_programs(&mut doc)?,
        None => {}
    }
    compress(&mut doc)?;
    const PLACEHOLDER: &[u8; 32] = b"CAREGUIDEIDPLACEHOLDER0000000000";
    let title = &pdf.metadata.info.document_title;
    let tag = |doc: &mut lopdf::Document, as_objects: bool| {
        let written = tags::write(doc, tags, language, title, as_objects)?;
        // Tagged PDF (`/MarkInfo`, `/Tabs`) is PDF 1.5 and later.
        doc.version = "1.7".to_string();
        doc.trailer.set(
            "ID",
            Object::Array(vec![
                Object::String(PLACEHOLDER.to_vec(), StringFormat::Literal),
                Object::String(PLACEHOLDER.to_vec(), StringFormat::Literal),
            ]),
        );
        Ok::<_, PdfError>(written)
    };
    // Built for tests (debug), every PDF is also tagged with dictionaries and saved by lopdf,
    // and the two files must agree.
    let lopdf_bytes = match cfg!(debug_assertions) {
        true => {
            let mut check = doc.clone();
            tag(&mut check, true)?;
            let mut b = Vec::new();
            check.save_to(&mut b).ok().map(|()| b)
        }
        false => None,
    };
    let written = tag(&mut doc, false)?;
    // Room for the whole file from the start (a growing buffer copied itself some six times
    // on the way to a 120 kB handout): the streams' bytes and a little for every other object.
    let room: usize = doc
        .objects
        .values()
        .map(|o| match o {
            Object::Stream(s) => s.content.len() + 128,
            _ => 128,
        })
        .chain(written.iter().map(|(_, b)| b.len() + 32))
        .sum();
    let mut bytes = Vec::with_capacity(room + 1024);
    save::save(&mut doc, &written, &mut bytes).map_err(|e| PdfError::Write(e.to_string()))?;
    if let Some(theirs) = lopdf_bytes {
        assert!(theirs == bytes, "careguide's PDF writer and lopdf's differ");
    }
    let id = content_hash(&bytes);
    // The trailer comes last (`trailer << ... /ID [...] >> startxref N %%EOF`, a couple of
    // hundred bytes): the placeholder is looked for there, not through the whole file.
    let tail = bytes.len().saturating_sub(TRAILER_TAIL);
    let mut replaced = 0;
    let mut i = tail;
    while i + PLACEHOLDER.len() <= bytes.len() {
        if bytes[i..].starts_with(PLACEHOLDER) {
            bytes[i..i + PLACEHOLDER.len()].copy_from_slice(id.as_bytes());
            replaced += 1;
            i += PLACEHOLDER.len();
        } else {
            i += 1;
        }
    }
    if replaced != 2 {
        return Err(PdfError::Write(
            "the document ID could not be set".to_string(),
        ));
    }
    Ok(bytes)
}

/// How far from the end of a saved PDF its trailer's `/ID` is looked for: the trailer
/// dictionary (`/Root`, `/Info`, `/ID`, `/Size`), `startxref` and `%%EOF` take under 200 bytes.
const TRAILER_TAIL: usize = 512;

/// How printpdf saves a handout.
fn save_options(shared: bool) -> PdfSaveOptions {
    PdfSaveOptions {
        // The shared subset is embedded whole: it is already a subset.
        subset_fonts: !shared,
        // Images lossless (a chart's lines stay sharp), an opaque alpha channel dropped, and
        // one over 5 MB of pixels (far more than 150 dpi at the text width) made smaller.
        image_optimization: Some(ImageOptimizationOptions {
            format: Some(ImageCompression::Flate),
            auto_optimize: Some(true),
            max_image_size: Some("5MB".to_string()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// zlib's default level for the streams each handout compresses anew (its pages' content, the
/// fonts' ToUnicode maps). lopdf's level 9 (with miniz_oxide) was some 40% of a handout's CPU;
/// level 6 with zlib-rs takes about a third of that, and those streams come out 0.4% larger, a
/// few dozen bytes of a handout of over 100 kB, most of which is the fonts. The shared font
/// programs, compressed once per process, stay at level 9 (see [`fonts::shared`]).
const STREAM_LEVEL: u32 = 6;

/// Compress the streams that allow it and have no filter yet, as lopdf's `Document::compress`
/// does (a stream stays as it is unless compressing saves more than the filter's entry costs),
/// at [`STREAM_LEVEL`].
fn compress(doc: &mut lopdf::Document) -> Result<(), PdfError> {
    for object in doc.objects.values_mut() {
        let lopdf::Object::Stream(stream) = object else {
            continue;
        };
        if !stream.allows_compression || stream.dict.has(b"Filter") {
            continue;
        }
        let deflated = deflate(&stream.content)?;
        if deflated.len() + 19 < stream.content.len() {
            stream.dict.set("Filter", "FlateDecode");
            stream.set_content(deflated);
        }
    }
    Ok(())
}

thread_local! {
    /// One zlib compressor per thread, reset for each stream: a new one allocates and clears
    /// zlib's tables, which cost about as much as compressing a page's content. A reset
    /// compressor writes the same bytes as a new one.
    static DEFLATE: RefCell<Option<flate2::Compress>> = const { RefCell::new(None) };
}

/// `data` as a zlib stream at [`STREAM_LEVEL`], with this thread's compressor.
fn deflate(data: &[u8]) -> Result<Vec<u8>, PdfError> {
    use flate2::{Compress, Compression, FlushCompress, Status};
    let fail = |e: String| PdfError::Write(format!("compress a stream: {e}"));
    DEFLATE.with(|cell| {
        let mut slot = cell.borrow_mut();
        let z = slot.get_or_insert_with(|| Compress::new(Compression::new(STREAM_LEVEL), true));
        z.reset();
        let mut out = Vec::with_capacity(data.len() / 4 + 64);
        loop {
            let read = usize::try_from(z.total_in()).map_err(|e| fail(e.to_string()))?;
            let rest = data.get(read..).unwrap_or_default();
            match z.compress_vec(rest, &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => return Ok(out),
                Ok(Status::Ok | Status::BufError) => out.reserve(out.capacity().max(64)),
                Err(e) => return Err(fail(e.to_string())),
            }
        }
    })
}

/// Put the shared font programs in, compressed once per process, and give their fonts the
/// subset tag: printpdf embeds them as whole fonts, which is what they are to it.
fn shared_programs(doc: &mut lopdf::Document) -> Result<(), PdfError> {
    use lopdf::Object;
    let programs = &fonts::shared()?.programs;
    // The font program streams, and which program each is.
    let mut files = std::collections::BTreeMap::new();
    for (id, object) in doc.objects.iter_mut() {
        let Object::Stream(stream) = object else {
            continue;
        };
        let Some(p) = programs.iter().position(|p| p.bytes == stream.content) else {
            continue;
        };
        stream.dict.set("Filter", "FlateDecode");
        stream.set_content(programs[p].deflated.clone());
        files.insert(*id, p);
    }
    // Their descriptors, and the fonts that name them.
    let mut descriptors = std::collections::BTreeMap::new();
    for (id, object) in doc.objects.iter_mut() {
        let Object::Dictionary(d) = object else {
            continue;
        };
        let file = d
            .get(b"FontFile2")
            .and_then(Object::as_reference)
            .ok()
            .and_then(|f| files.get(&f));
        if let Some(&p) = file {
            d.set(
                "FontName",
                Object::Name(programs[p].name.clone().into_bytes()),
            );
            descriptors.insert(*id, p);
        }
    }
    // The fonts, each with its descendant font inline.
    let mut named = 0;
    for object in doc.objects.values_mut() {
        let Object::Dictionary(font) = object else {
            continue;
        };
        let Ok(Object::Array(descendants)) = font.get_mut(b"DescendantFonts") else {
            continue;
        };
        let Some(Object::Dictionary(descendant)) = descendants.first_mut() else {
            continue;
        };
        let descriptor = descendant
            .get(b"FontDescriptor")
            .and_then(Object::as_reference)
            .ok()
            .and_then(|f| descriptors.get(&f));
        if let Some(&p) = descriptor {
            let name = Object::Name(programs[p].name.clone().into_bytes());
            descendant.set("BaseFont", name.clone());
            font.set("BaseFont", name);
            named += 1;
        }
    }
    if files.len() != descriptors.len() || files.len() != named {
        return Err(PdfError::Write(
            "the shared fonts could not be named".to_string(),
        ));
    }
    Ok(())
}

/// 32 hex digits: the 128-bit XXH3 of `bytes`, stable across runs and platforms (XXH3 is
/// defined on bytes, whatever the machine's endianness).
fn content_hash(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_hash_is_stable() {
        assert_eq!(content_hash(b""), content_hash(b""));
        assert_ne!(content_hash(b"a"), content_hash(b"b"));
        assert_eq!(content_hash(b"abc"), "06b05ab6733a618578af5f94892f3950");
    }

    /// The thread's reused compressor writes the bytes a new encoder writes, stream after
    /// stream, and they inflate back.
    #[test]
    fn a_reset_compressor_writes_what_a_new_one_does() {
        use std::io::Write;
        let fresh = |data: &[u8]| {
            let mut z =
                flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::new(STREAM_LEVEL));
            z.write_all(data).unwrap();
            z.finish().unwrap()
        };
        let page = b"BT /F1 10 Tf 72 700 Td <0041004200430044> Tj ET\n".repeat(2000);
        let noise: Vec<u8> = (0u32..70_000)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for data in [&page[..], b"", b"q Q", &noise[..], &page[..100]] {
            let packed = deflate(data).unwrap();
            assert_eq!(packed, fresh(data), "{} bytes", data.len());
            let mut back = Vec::new();
            let mut z = flate2::write::ZlibDecoder::new(&mut back);
            z.write_all(&packed).unwrap();
            z.finish().unwrap();
            assert_eq!(back, data);
        }
    }

    /// As lopdf's `Document::compress`: a stream that compresses gets `/FlateDecode` and
    /// inflates back to its content; a short one, one already filtered and one that does not
    /// allow compression stay as they were.
    #[test]
    fn compresses_streams_as_lopdf_does() {
        use lopdf::{Dictionary, Document, Object, Stream};
        let text = b"BT /F1 10 Tf 72 700 Td (Taper schedule) Tj ET\n".repeat(50);
        let mut filtered = Dictionary::new();
        filtered.set("Filter", "FlateDecode");
        let streams = [
            Stream::new(Dictionary::new(), text.clone()),
            Stream::new(Dictionary::new(), b"q Q".to_vec()),
            Stream::new(filtered, text.clone()),
            Stream::new(Dictionary::new(), text.clone()).with_compression(false),
        ];
        let mut doc = Document::with_version("1.7");
        let ids: Vec<_> = streams.into_iter().map(|s| doc.add_object(s)).collect();
        compress(&mut doc).unwrap();
        let stream = |i: usize| match doc.get_object(ids[i]) {
            Ok(Object::Stream(s)) => s.clone(),
            other => panic!("not a stream: {other:?}"),
        };
        let packed = stream(0);
        assert!(
            packed.content.len() < text.len() / 10,
            "{}",
            packed.content.len()
        );
        assert_eq!(
            packed.dict.get(b"Filter").unwrap().as_name().unwrap(),
            b"FlateDecode"
        );
        assert_eq!(packed.decompressed_content().unwrap(), text);
        assert_eq!(stream(1).content, b"q Q");
        assert!(stream(1).dict.get(b"Filter").is_err());
        assert_eq!(stream(2).content, text);
        assert_eq!(stream(3).content, text);
        assert!(stream(3).dict.get(b"Filter").is_err());
    }
}
