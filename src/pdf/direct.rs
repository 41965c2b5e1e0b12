//! The site PDFs' fast path: a handout whose text the shared font subset covers gets its pages'
//! content streams written here, straight from the layout's operations, and the shared fonts'
//! objects made once per process, instead of through printpdf's serializer (which rebuilt
//! every operator as a lopdf object, wrote each operand through `fmt`, and made the fonts'
//! widths and ToUnicode maps anew for each PDF from the glyphs it used).
//!
//! The content streams are the same bytes printpdf writes for the same operations (lopdf's
//! encoding: each operand followed by a space, then the operator; operations separated by a
//! newline; numbers as Rust prints an `f32`; glyph ids as upper-case hex). The fonts are the
//! shared subset as printpdf embeds it, with the widths (`/W`) of the glyphs the PDF uses, as
//! printpdf writes them, but a ToUnicode map of every glyph of the subset, compressed once,
//! rather than of only those: with the objects' numbering and order, the one difference in
//! output besides the `/ID` (about 2.3 kB more per PDF).
//!
//! Only the operations the layout emits are written here; a page with any other (an image,
//! a link, a curve, a colour other than grey or RGB), a character whose glyph another
//! character shares, or one a face lacks, makes the whole PDF go through printpdf as before.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::OnceLock;

use lopdf::{Object, ObjectId};
use printpdf::{
    Color, DictItem, Op, PaintMode, PdfDocument, PdfFontHandle, PdfPage, TextItem, WindingOrder,
};

use super::{fonts, save, PdfError};

/// One face of the shared subset as every fast-path PDF embeds it.
struct SharedFace {
    /// The resource name (`DJVREG`...).
    id: String,
    /// Glyph id of each Latin-1 character, 0 where the fast path cannot draw it.
    latin: [u16; 256],
    /// The same for the subset's other characters.
    other: BTreeMap<char, u16>,
    /// The font's objects: the Type0 font first (its descendant without `/W`), then what it
    /// refers to, with their ids in the document they were made in.
    objects: Vec<(ObjectId, Object)>,
    /// The advance width printpdf gives each glyph in `/W`, by glyph id.
    widths: Vec<Option<i64>>,
}

impl SharedFace {
    /// The glyph id the content stream shows for `c`: only for a character that is the one
    /// its glyph stands for in the ToUnicode map (so text extraction gives the character
    /// drawn).
    fn glyph(&self, c: char) -> Option<u16> {
        let g = match u8::try_from(u32::from(c)) {
            Ok(b) => self.latin[usize::from(b)],
            Err(_) => self.other.get(&c).copied().unwrap_or(0),
        };
        (g != 0).then_some(g)
    }
}

/// The four faces, in the order of [`Face::ALL`], made once per process.
fn shared_faces() -> Result<&'static [SharedFace], PdfError> {
    static F: OnceLock<Result<Vec<SharedFace>, PdfError>> = OnceLock::new();
    F.get_or_init(make_faces)
        .as_ref()
        .map(Vec::as_slice)
        .map_err(|e| e.clone())
}

/// Let printpdf embed the shared subset once, from a page that shows every glyph of it in
/// each face (each glyph by the first character of the subset's ranges that maps to it), and
/// keep the font objects it made.
fn make_faces() -> Result<Vec<SharedFace>, PdfError> {
    let shared = fonts::shared()?;
    let mut faces = Vec::new();
    let mut ops = Vec::new();
    for (id, font) in &shared.fonts {
        let mut face = SharedFace {
            id: id.0.clone(),
            latin: [0; 256],
            other: BTreeMap::new(),
            objects: Vec::new(),
            widths: Vec::new(),
        };
        let mut seen = std::collections::BTreeSet::new();
        let mut text = String::new();
        for &(a, b) in fonts::SHARED_RANGES {
            for c in a..=b {
                let Some(g) = font.parsed_font.lookup_glyph_index(c as u32) else {
                    continue;
                };
                if g == 0 || !seen.insert(g) {
                    continue;
                }
                text.push(c);
                match u8::try_from(u32::from(c)) {
                    Ok(byte) => face.latin[usize::from(byte)] = g,
                    Err(_) => {
                        face.other.insert(c, g);
                    }
                }
            }
        }
        ops.extend([
            Op::StartTextSection,
            Op::SetFont {
                font: PdfFontHandle::External(id.clone()),
                size: printpdf::Pt(10.0),
            },
            Op::ShowText {
                items: vec![TextItem::Text(text)],
            },
            Op::EndTextSection,
        ]);
        faces.push(face);
    }
    let mut pdf = PdfDocument::new("");
    for (id, font) in &shared.fonts {
        pdf.resources.fonts.map.insert(id.clone(), font.clone());
    }
    pdf.pages = vec![PdfPage::new(printpdf::Mm(210.0), printpdf::Mm(297.0), ops)];
    let mut warnings = Vec::new();
    let mut doc = pdf.to_lopdf_document(&super::save_options(true), &mut warnings);
    super::shared_programs(&mut doc)?;
    super::compress(&mut doc)?;
    let fail = |what: &str| PdfError::Write(format!("the shared fonts' objects: {what}"));
    let font_dict = page_resource(&doc, first_page(&doc)?, b"Font")?;
    for face in &mut faces {
        let root = font_dict
            .get(face.id.as_bytes())
            .and_then(Object::as_reference)
            .map_err(|_| fail(&format!("no font {}", face.id)))?;
        let mut todo = vec![root];
        while let Some(id) = todo.pop() {
            if face.objects.iter().any(|(o, _)| *o == id) {
                continue;
            }
            let object = doc.get_object(id).map_err(|e| fail(&e.to_string()))?;
            let mut refs = Vec::new();
            references(object, &mut refs);
            todo.extend(refs.into_iter().rev());
            face.objects.push((id, object.clone()));
        }
        // The Type0 font, its ToUnicode map, descriptor and program.
        if face.objects.len() != 4 {
            return Err(fail(&format!(
                "{} objects for {}",
                face.objects.len(),
                face.id
            )));
        }
        // Each PDF gets the widths of the glyphs it uses, as printpdf writes them.
        let w = descendant(&mut face.objects[0].1)
            .and_then(|d| d.remove(b"W"))
            .ok_or_else(|| fail(&format!("no widths for {}", face.id)))?;
        face.widths = widths(&w).ok_or_else(|| fail(&format!("widths of {}", face.id)))?;
    }
    Ok(faces)
}

/// The descendant font of a Type0 font.
fn descendant(font: &mut Object) -> Option<&mut lopdf::Dictionary> {
    let Object::Dictionary(font) = font else {
        return None;
    };
    match font.get_mut(b"DescendantFonts").ok()? {
        Object::Array(a) => a.first_mut()?.as_dict_mut().ok(),
        _ => None,
    }
}

/// A `/W` array of runs (`first [w1 w2 ...] ...`) as a width by glyph id.
fn widths(w: &Object) -> Option<Vec<Option<i64>>> {
    let mut out: Vec<Option<i64>> = Vec::new();
    let mut items = w.as_array().ok()?.iter();
    while let Some(first) = items.next() {
        let first = usize::try_from(first.as_i64().ok()?).ok()?;
        for (i, width) in items.next()?.as_array().ok()?.iter().enumerate() {
            let g = first + i;
            if out.len() <= g {
                out.resize(g + 1, None);
            }
            out[g] = Some(width.as_i64().ok()?);
        }
    }
    Some(out)
}

/// The `/W` array of the glyphs `used` (by glyph id), in runs of consecutive ids as printpdf
/// writes it.
fn used_widths(face: &SharedFace, used: &[bool]) -> Result<Object, PdfError> {
    let mut out = Vec::new();
    let mut run: Option<(usize, Vec<Object>)> = None;
    for g in (0..used.len()).filter(|g| used[*g]) {
        let w = face
            .widths
            .get(g)
            .copied()
            .flatten()
            .ok_or_else(|| PdfError::Write(format!("{}: no width for glyph {g}", face.id)))?;
        match &mut run {
            Some((first, ws)) if *first + ws.len() == g => ws.push(Object::Integer(w)),
            _ => {
                if let Some((first, ws)) = run.take() {
                    out.extend([Object::Integer(first as i64), Object::Array(ws)]);
                }
                run = Some((g, vec![Object::Integer(w)]));
            }
        }
    }
    if let Some((first, ws)) = run {
        out.extend([Object::Integer(first as i64), Object::Array(ws)]);
    }
    Ok(Object::Array(out))
}

fn first_page(doc: &lopdf::Document) -> Result<ObjectId, PdfError> {
    doc.get_pages()
        .into_values()
        .next()
        .ok_or_else(|| PdfError::Write("the PDF has no page".to_string()))
}

/// The dictionary a page's `/Resources` names under `key` (printpdf refers to both).
fn page_resource<'a>(
    doc: &'a lopdf::Document,
    page: ObjectId,
    key: &[u8],
) -> Result<&'a lopdf::Dictionary, PdfError> {
    let r = page_resource_id(doc, page, key)?;
    doc.get_dictionary(r)
        .map_err(|e| PdfError::Write(format!("the page's resources: {e}")))
}

/// The object a page's `/Resources` refers to under `key`.
fn page_resource_id(
    doc: &lopdf::Document,
    page: ObjectId,
    key: &[u8],
) -> Result<ObjectId, PdfError> {
    doc.get_dictionary(page)
        .and_then(|p| p.get(b"Resources"))
        .and_then(Object::as_reference)
        .and_then(|r| doc.get_dictionary(r))
        .and_then(|r| r.get(key))
        .and_then(Object::as_reference)
        .map_err(|e| PdfError::Write(format!("the page's resources: {e}")))
}

/// The objects `object` refers to, in the order they appear.
fn references(object: &Object, out: &mut Vec<ObjectId>) {
    match object {
        Object::Reference(id) => out.push(*id),
        Object::Array(items) => items.iter().for_each(|o| references(o, out)),
        Object::Dictionary(d) => d.iter().for_each(|(_, o)| references(o, out)),
        Object::Stream(s) => s.dict.iter().for_each(|(_, o)| references(o, out)),
        _ => {}
    }
}

/// `object`'s references renamed through `map`.
fn renumber(object: &mut Object, map: &BTreeMap<ObjectId, ObjectId>) {
    match object {
        Object::Reference(id) => {
            if let Some(new) = map.get(id) {
                *id = *new;
            }
        }
        Object::Array(items) => items.iter_mut().for_each(|o| renumber(o, map)),
        Object::Dictionary(d) => d.iter_mut().for_each(|(_, o)| renumber(o, map)),
        Object::Stream(s) => s.dict.iter_mut().for_each(|(_, o)| renumber(o, map)),
        _ => {}
    }
}

/// The pages' content streams and the faces they use, or `None` where a page has something
/// the fast path does not write.
pub(super) struct Contents {
    streams: Vec<Vec<u8>>,
    /// The glyphs each face draws, by glyph id.
    used: [Vec<bool>; 4],
}

/// Write the content streams of `pages`, or `None` if any has an operation, or text, the fast
/// path does not write as printpdf would.
pub(super) fn contents(pages: &[PdfPage]) -> Result<Option<Contents>, PdfError> {
    let faces = shared_faces()?;
    let mut used: [Vec<bool>; 4] = Default::default();
    let mut streams = Vec::with_capacity(pages.len());
    for page in pages {
        match encode(&page.ops, faces, &mut used) {
            Some(s) => streams.push(s),
            None => return Ok(None),
        }
    }
    Ok(Some(Contents { streams, used }))
}

/// Put the content streams and the shared fonts into `doc`, saved by printpdf from the same
/// pages without their operations.
pub(super) fn fill(doc: &mut lopdf::Document, contents: Contents) -> Result<(), PdfError> {
    let faces = shared_faces()?;
    let fail = |what: String| PdfError::Write(format!("the PDF's pages: {what}"));
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    if pages.len() != contents.streams.len() {
        return Err(fail("not as many as laid out".to_string()));
    }
    for (page, stream) in pages.iter().zip(contents.streams) {
        let id = doc
            .get_dictionary(*page)
            .and_then(|p| p.get(b"Contents"))
            .and_then(Object::as_reference)
            .map_err(|e| fail(e.to_string()))?;
        match doc.get_object_mut(id) {
            Ok(Object::Stream(s)) if s.content.is_empty() => s.set_content(stream),
            _ => return Err(fail("a page's content is not an empty stream".to_string())),
        }
    }
    // printpdf's pages share one font dictionary, with the fonts in the order of their names.
    let first = *pages
        .first()
        .ok_or_else(|| fail("there are none".to_string()))?;
    let font_dict_id = page_resource_id(doc, first, b"Font")?;
    let font_dict = doc
        .get_dictionary(font_dict_id)
        .map_err(|e| fail(e.to_string()))?;
    if !font_dict.is_empty() {
        return Err(fail("the font dictionary is not empty".to_string()));
    }
    let mut order: Vec<(&SharedFace, Vec<bool>)> = faces
        .iter()
        .zip(contents.used)
        .filter(|(_, u)| u.contains(&true))
        .collect();
    order.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let mut entries = Vec::new();
    for (face, used) in order {
        let map: BTreeMap<ObjectId, ObjectId> = face
            .objects
            .iter()
            .map(|(old, _)| (*old, doc.new_object_id()))
            .collect();
        for (i, (old, object)) in face.objects.iter().enumerate() {
            let mut object = object.clone();
            renumber(&mut object, &map);
            if i == 0 {
                let d = descendant(&mut object)
                    .ok_or_else(|| fail(format!("{} has no descendant font", face.id)))?;
                d.set("W", used_widths(face, &used)?);
            }
            doc.objects.insert(map[old], object);
        }
        entries.push((face.id.clone(), map[&face.objects[0].0]));
    }
    let dict = doc
        .get_dictionary_mut(font_dict_id)
        .map_err(|e| fail(e.to_string()))?;
    for (name, id) in entries {
        dict.set(name, Object::Reference(id));
    }
    Ok(())
}

/// Operands and operator of one operation, each operand followed by a space.
struct Stream<'a> {
    out: &'a mut Vec<u8>,
}

impl Stream<'_> {
    /// Start an operation: a newline after the one before.
    fn op(&mut self) -> &mut Self {
        if !self.out.is_empty() {
            self.out.push(b'\n');
        }
        self
    }
    fn real(&mut self, v: f32) -> &mut Self {
        save::real(self.out, v);
        self.out.push(b' ');
        self
    }
    fn name(&mut self, n: &str) -> &mut Self {
        save::write_name(self.out, n.as_bytes());
        self.out.push(b' ');
        self
    }
    fn end(&mut self, operator: &str) {
        self.out.extend_from_slice(operator.as_bytes());
    }
}

/// One page's operations as printpdf writes them, or `None` for one it would write otherwise
/// or that this does not write.
fn encode(ops: &[Op], faces: &[SharedFace], used: &mut [Vec<bool>; 4]) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(ops.len() * 24);
    let mut s = Stream { out: &mut out };
    let mut face: Option<usize> = None;
    for op in ops {
        match op {
            Op::BeginMarkedContent { tag } => s.op().name(tag).end("BMC"),
            Op::BeginMarkedContentWithProperties {
                tag,
                properties: DictItem::Dict { map },
            } => {
                s.op().name(tag);
                s.out.extend_from_slice(b"<<");
                for (k, v) in map {
                    save::write_name(s.out, k.as_bytes());
                    match v {
                        DictItem::Int(i) => {
                            // As lopdf writes an integer; writing into a Vec cannot fail.
                            let _ = write!(s.out, " {i}");
                        }
                        DictItem::Name(n) => save::write_name(s.out, n),
                        _ => return None,
                    }
                }
                s.out.extend_from_slice(b">> ");
                s.end("BDC");
            }
            Op::EndMarkedContent => s.op().end("EMC"),
            Op::StartTextSection => s.op().end("BT"),
            Op::EndTextSection => s.op().end("ET"),
            Op::SetFont {
                font: PdfFontHandle::External(id),
                size,
            } => {
                face = Some(faces.iter().position(|f| f.id == id.0)?);
                s.op().name(&id.0).real(size.0).end("Tf");
            }
            Op::SetFillColor { col } => colour(&mut s, col, "g", "rg")?,
            Op::SetOutlineColor { col } => colour(&mut s, col, "G", "RG")?,
            Op::SetOutlineThickness { pt } => s.op().real(pt.0).end("w"),
            Op::SetTextCursor { pos } => s.op().real(pos.x.0).real(pos.y.0).end("Td"),
            Op::ShowText { items } => {
                let [TextItem::Text(text)] = items.as_slice() else {
                    return None;
                };
                let f = face?;
                if text.is_empty() {
                    return None;
                }
                s.op();
                s.out.push(b'<');
                let seen = &mut used[f];
                for c in text.chars() {
                    let g = faces[f].glyph(c)?;
                    let i = usize::from(g);
                    if seen.len() <= i {
                        seen.resize(i + 1, false);
                    }
                    seen[i] = true;
                    let [hi, lo] = g.to_be_bytes();
                    save::hex(s.out, hi);
                    save::hex(s.out, lo);
                }
                s.out.extend_from_slice(b"> ");
                s.end("Tj");
            }
            Op::DrawLine { line } => {
                let mut points = line.points.iter();
                let Some(first) = points.next() else {
                    continue;
                };
                if line.points.iter().any(|p| p.bezier) {
                    return None;
                }
                s.op().real(first.p.x.0).real(first.p.y.0).end("m");
                for p in points {
                    s.op().real(p.p.x.0).real(p.p.y.0).end("l");
                }
                if line.is_closed {
                    s.op().end("h");
                }
                s.op().end("S");
            }
            Op::DrawRectangle { rectangle: r } => {
                let paint = match (r.mode, r.winding_order.unwrap_or(WindingOrder::NonZero)) {
                    (Some(PaintMode::Fill), WindingOrder::NonZero) => "f",
                    (Some(PaintMode::Fill), WindingOrder::EvenOdd) => "f*",
                    (Some(PaintMode::Stroke), _) => "S",
                    _ => return None,
                };
                s.op()
                    .real(r.x.0)
                    .real(r.y.0)
                    .real(r.width.0)
                    .real(r.height.0)
                    .end("re");
                s.op().end(paint);
            }
            _ => return None,
        }
    }
    Some(out)
}

/// A fill or stroke colour: grey or RGB.
fn colour(s: &mut Stream, col: &Color, grey: &str, rgb: &str) -> Option<()> {
    match col {
        Color::Greyscale(g) => s.op().real(g.percent).end(grey),
        Color::Rgb(c) => s.op().real(c.r).real(c.g).real(c.b).end(rgb),
        _ => return None,
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pdf::fonts::Face;

    /// The content stream is the one printpdf writes for the same operations.
    #[test]
    fn content_is_what_printpdf_writes() {
        use crate::pdf::layout::{Block, Furniture, Layout, Span, A4};
        let furniture = Furniture {
            running_header: "Clinic · Title".to_string(),
            disclaimer: "Not medical advice (see a clinician).".to_string(),
            footer_left: "Made 1 December 2026".to_string(),
            status: crate::pdf::layout::Status {
                text: "Reviewed.".to_string(),
                caution: false,
            },
            page_of: "Page {n} of {total}".to_string(),
            see_notice: "See the notice".to_string(),
            callout_labels: ["Note", "Warning", "Urgent"].map(str::to_string),
        };
        let mut lay = Layout::new(A4, furniture);
        lay.clinic_header("Clinic", "555 · Main St");
        let mut blocks = vec![Block::Heading(
            1,
            vec![Span::plain("Taper – 10 mg → 5 mg ✓ “Zoë”")],
        )];
        for _ in 0..6 {
            blocks.extend([
                Block::Paragraph(vec![Span::plain("Text ".repeat(300))]),
                Block::Rule,
                Block::Quote(vec![Block::Small(vec![Span::plain("A quote ≤ 5 €.")])]),
                Block::Callout(
                    crate::pdf::layout::CalloutKind::Note,
                    vec![Block::Paragraph(vec![Span::plain("Call us.")])],
                ),
                Block::WriteIn("Name".to_string()),
            ]);
        }
        lay.blocks(&blocks);
        let laid = lay.finish();
        let faces = shared_faces().unwrap();
        let mut pdf = PdfDocument::new("T");
        for (id, font) in &fonts::shared().unwrap().fonts {
            pdf.resources.fonts.map.insert(id.clone(), font.clone());
        }
        pdf.pages = laid.pages.clone();
        let mut warnings = Vec::new();
        let doc = pdf.to_lopdf_document(&crate::pdf::save_options(true), &mut warnings);
        let theirs: Vec<Vec<u8>> = doc
            .get_pages()
            .into_values()
            .map(|p| {
                let c = doc.get_dictionary(p).unwrap().get(b"Contents").unwrap();
                let s = doc.get_object(c.as_reference().unwrap()).unwrap();
                s.as_stream().unwrap().content.clone()
            })
            .collect();
        assert!(theirs.len() >= 3, "{}", theirs.len());
        let mut used: [Vec<bool>; 4] = Default::default();
        for (page, t) in laid.pages.iter().zip(&theirs) {
            let ours = encode(&page.ops, faces, &mut used).unwrap();
            let same = ours.iter().zip(t).take_while(|(a, b)| a == b).count();
            assert!(
                ours == *t,
                "from byte {same}: {:?} against {:?}",
                String::from_utf8_lossy(&ours[same.saturating_sub(40)..]),
                String::from_utf8_lossy(&t[same.saturating_sub(40)..])
            );
        }
        assert!(used[0].contains(&true) && used[1].contains(&true));
        assert!(!used[2].contains(&true) && !used[3].contains(&true));
        // The fonts' widths are printpdf's for the glyphs the PDF uses.
        let mut frame = PdfDocument::new("T");
        frame.pages = laid
            .pages
            .iter()
            .map(|p| PdfPage {
                ops: Vec::new(),
                ..p.clone()
            })
            .collect();
        let mut ours = frame.to_lopdf_document(&crate::pdf::save_options(true), &mut warnings);
        let contents = super::contents(&laid.pages).unwrap().unwrap();
        fill(&mut ours, contents).unwrap();
        let widths_of = |doc: &lopdf::Document| {
            let page = first_page(doc).unwrap();
            page_resource(doc, page, b"Font")
                .unwrap()
                .iter()
                .map(|(name, r)| {
                    let mut font = doc.get_object(r.as_reference().unwrap()).unwrap().clone();
                    let w = descendant(&mut font).unwrap().get(b"W").unwrap().clone();
                    (String::from_utf8_lossy(name).to_string(), w)
                })
                .collect::<Vec<_>>()
        };
        let (w_ours, w_theirs) = (widths_of(&ours), widths_of(&doc));
        assert_eq!(w_ours.len(), 2);
        assert_eq!(w_ours, w_theirs);
        // Something the fast path does not write sends the PDF through printpdf.
        let other = [Op::SaveGraphicsState];
        assert!(encode(&other, faces, &mut used).is_none());
        let text = |t: &str| {
            vec![
                Op::SetFont {
                    font: PdfFontHandle::External(Face::Regular.id()),
                    size: printpdf::Pt(10.0),
                },
                Op::ShowText {
                    items: vec![TextItem::Text(t.to_string())],
                },
            ]
        };
        assert!(encode(&text("Łukasz"), faces, &mut used).is_none());
        assert!(encode(&text(""), faces, &mut used).is_none());
        let (a, b) = (faces[0].glyph('A').unwrap(), faces[0].glyph('B').unwrap());
        assert_eq!(
            String::from_utf8(encode(&text("AB"), faces, &mut used).unwrap()).unwrap(),
            format!("/DJVREG 10 Tf\n<{a:04X}{b:04X}> Tj")
        );
    }

    /// Each face's objects: a Type0 font whose descendant's descriptor names the shared
    /// program, compressed once, and a ToUnicode map.
    #[test]
    fn the_shared_fonts_are_made_once_with_their_programs() {
        let faces = shared_faces().unwrap();
        assert_eq!(faces.len(), 4);
        for (face, program) in faces.iter().zip(&fonts::shared().unwrap().programs) {
            let Object::Dictionary(font) = &face.objects[0].1 else {
                panic!("not a font: {:?}", face.objects[0].1)
            };
            assert_eq!(font.get(b"Subtype").unwrap().as_name().unwrap(), b"Type0");
            assert_eq!(
                font.get(b"BaseFont").unwrap().as_name().unwrap(),
                program.name.as_bytes()
            );
            let streams: Vec<&lopdf::Stream> = face
                .objects
                .iter()
                .filter_map(|(_, o)| o.as_stream().ok())
                .collect();
            assert_eq!(streams.len(), 2);
            assert!(streams.iter().any(|s| s.content == program.deflated));
            assert!(streams
                .iter()
                .all(|s| s.dict.get(b"Filter").unwrap().as_name().unwrap() == b"FlateDecode"));
            // Every character of the shared subset is drawn on the fast path, in every face:
            // none shares its glyph with another, so the ToUnicode map names each one.
            for &(a, b) in fonts::SHARED_RANGES {
                for c in (a..=b).filter(|c| fonts::shared_covers(*c)) {
                    assert!(face.glyph(c).is_some(), "{} U+{:04X}", face.id, c as u32);
                }
            }
        }
    }
}
