//! The handout fonts: DejaVu Sans shipped in `assets/fonts/` (Bitstream Vera licence, see
//! `assets/fonts/LICENSE-DejaVu.txt`), embedded in the binary so output never depends on the
//! fonts installed on the machine. Text is measured with ttf-parser, without kerning, because
//! printpdf's `ShowText` does not kern either.

use std::sync::OnceLock;

use printpdf::{FontId, ParsedFont, PdfFont};

use super::PdfError;

const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");
const ITALIC: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Oblique.ttf");
const BOLD_ITALIC: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-BoldOblique.ttf");

/// One of the four faces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Face {
    Regular,
    Bold,
    Italic,
    BoldItalic,
}

impl Face {
    pub const ALL: [Face; 4] = [Face::Regular, Face::Bold, Face::Italic, Face::BoldItalic];

    pub fn new(bold: bool, italic: bool) -> Face {
        match (bold, italic) {
            (false, false) => Face::Regular,
            (true, false) => Face::Bold,
            (false, true) => Face::Italic,
            (true, true) => Face::BoldItalic,
        }
    }

    fn index(self) -> usize {
        match self {
            Face::Regular => 0,
            Face::Bold => 1,
            Face::Italic => 2,
            Face::BoldItalic => 3,
        }
    }

    fn bytes(self) -> &'static [u8] {
        [REGULAR, BOLD, ITALIC, BOLD_ITALIC][self.index()]
    }

    /// A fixed id: printpdf's own ids come from a process-wide counter, which would make the
    /// second handout of a run differ from the first. The first six letters become the subset
    /// tag, so they are six upper-case letters.
    pub fn id(self) -> FontId {
        FontId(["DJVREG", "DJVBLD", "DJVOBL", "DJVBOB"][self.index()].to_string())
    }
}

struct Metrics {
    face: ttf_parser::Face<'static>,
    units_per_em: f32,
    /// Advance widths of ASCII and Latin-1, looked up once.
    latin: Vec<u16>,
}

impl Metrics {
    fn advance(&self, c: char) -> u16 {
        if (c as u32) < 256 {
            return self.latin[c as usize];
        }
        let g = self.face.glyph_index(c).unwrap_or(ttf_parser::GlyphId(0));
        self.face.glyph_hor_advance(g).unwrap_or(0)
    }
}

fn metrics() -> Result<&'static [Metrics; 4], PdfError> {
    static M: OnceLock<Result<[Metrics; 4], PdfError>> = OnceLock::new();
    M.get_or_init(|| {
        let load = |f: Face| -> Result<Metrics, PdfError> {
            let face = ttf_parser::Face::parse(f.bytes(), 0).map_err(|e| PdfError::Font {
                face: f,
                reason: format!("read: {e}"),
            })?;
            let latin = (0u32..256)
                .map(|c| {
                    let g = char::from_u32(c)
                        .and_then(|c| face.glyph_index(c))
                        .unwrap_or(ttf_parser::GlyphId(0));
                    face.glyph_hor_advance(g).unwrap_or(0)
                })
                .collect();
            Ok(Metrics {
                units_per_em: face.units_per_em() as f32,
                face,
                latin,
            })
        };
        Ok([
            load(Face::Regular)?,
            load(Face::Bold)?,
            load(Face::Italic)?,
            load(Face::BoldItalic)?,
        ])
    })
    .as_ref()
    .map_err(|e| e.clone())
}

/// Width of `text` in points at `size`.
pub fn width(face: Face, size: f32, text: &str) -> f32 {
    let Ok(m) = metrics() else { return 0.0 };
    let m = &m[face.index()];
    let units: u32 = text.chars().map(|c| m.advance(c) as u32).sum();
    units as f32 * size / m.units_per_em
}

/// Characters of `text` the regular face has no glyph for (they would print as empty boxes).
pub fn missing_chars(text: &str) -> Vec<char> {
    let Ok(m) = metrics() else {
        return Vec::new();
    };
    let face = &m[Face::Regular.index()].face;
    let mut out: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace() && face.glyph_index(*c).is_none())
        .collect();
    out.dedup();
    out
}

/// The four faces parsed for printpdf, parsed once per process and cloned into each document.
pub fn pdf_fonts() -> Result<Vec<(FontId, PdfFont)>, PdfError> {
    metrics()?;
    Ok(parsed()?
        .iter()
        .map(|(id, p)| (id.clone(), PdfFont::new(p.clone())))
        .collect())
}

/// The four faces parsed for printpdf, once per process.
fn parsed() -> Result<&'static [(FontId, ParsedFont)], PdfError> {
    static P: OnceLock<Result<Vec<(FontId, ParsedFont)>, PdfError>> = OnceLock::new();
    P.get_or_init(|| {
        Face::ALL
            .iter()
            .map(|f| {
                let mut warnings = Vec::new();
                ParsedFont::from_bytes(f.bytes(), 0, &mut warnings)
                    .map(|p| (f.id(), p))
                    .ok_or_else(|| PdfError::Font {
                        face: *f,
                        reason: "parsed".to_string(),
                    })
            })
            .collect()
    })
    .as_ref()
    .map(Vec::as_slice)
    .map_err(|e| e.clone())
}

/// The characters of the font subset shared by every handout: ASCII, Latin-1, general
/// punctuation and the few symbols the layout draws (arrows, comparison
/// signs, tick boxes). A handout whose text stays inside it embeds the same font programs as
/// every other such handout, subset and compressed once per process; one that draws anything
/// else (a Polish or Greek letter, a character the font lacks) gets a subset of its own, as
/// before. Latin Extended-A would make every handout's fonts a third larger.
pub(super) const SHARED_RANGES: &[(char, char)] = &[
    (' ', '~'),
    ('\u{a0}', '\u{ff}'),
    ('\u{2010}', '\u{2027}'),
    ('\u{2030}', '\u{203a}'),
    ('\u{20ac}', '\u{20ac}'),
    ('\u{2116}', '\u{2116}'),
    ('\u{2122}', '\u{2122}'),
    ('\u{2190}', '\u{2193}'),
    ('\u{2212}', '\u{2212}'),
    ('\u{2248}', '\u{2248}'),
    ('\u{2260}', '\u{2260}'),
    ('\u{2264}', '\u{2265}'),
    ('\u{2610}', '\u{2611}'),
    ('\u{2713}', '\u{2713}'),
];

/// Whether `c` is in the shared subset (and the faces have a glyph for it).
pub fn shared_covers(c: char) -> bool {
    if c.is_ascii_graphic() || c == ' ' {
        return true;
    }
    SHARED_RANGES.iter().any(|(a, b)| (*a..=*b).contains(&c))
        && metrics().is_ok_and(|m| m[Face::Regular.index()].face.glyph_index(c).is_some())
}

/// The four faces subset to [`SHARED_RANGES`], for printpdf to embed whole: the faces to
/// register, and each face's font program as embedded (its bytes, the same bytes deflated, its
/// tagged name).
pub struct Shared {
    pub fonts: Vec<(FontId, PdfFont)>,
    pub programs: Vec<Program>,
}

/// One shared font program.
pub struct Program {
    /// The subset font file, as printpdf puts it in `/FontFile2`.
    pub bytes: Vec<u8>,
    /// `bytes` compressed as lopdf's `Stream::compress` does.
    pub deflated: Vec<u8>,
    /// `DJVREG+DejaVuSans`: the subset tag and the face's name.
    pub name: String,
}

/// The shared subset, made once per process.
pub fn shared() -> Result<&'static Shared, PdfError> {
    static S: OnceLock<Result<Shared, PdfError>> = OnceLock::new();
    S.get_or_init(|| {
        let mut fonts = Vec::new();
        let mut programs = Vec::new();
        for (f, (id, full)) in Face::ALL.iter().zip(parsed()?) {
            let fail = |reason: String| PdfError::Font { face: *f, reason };
            let mut glyphs = std::collections::BTreeMap::new();
            for &(a, b) in SHARED_RANGES {
                for c in a..=b {
                    if let Some(g) = full.lookup_glyph_index(c as u32) {
                        glyphs.entry(g).or_insert_with(|| c.to_string());
                    }
                }
            }
            let subset =
                printpdf::subset_font(full, &glyphs).map_err(|e| fail(format!("subset: {e}")))?;
            let mut warnings = Vec::new();
            let font = ParsedFont::from_bytes(&subset.bytes, 0, &mut warnings)
                .ok_or_else(|| fail("subset parsed".to_string()))?;
            let mut stream = lopdf::Stream::new(lopdf::Dictionary::new(), subset.bytes.clone());
            stream
                .compress()
                .map_err(|e| fail(format!("compress: {e}")))?;
            let family = full.font_name.clone().unwrap_or_default();
            programs.push(Program {
                name: format!("{}+{family}", id.0),
                bytes: subset.bytes,
                deflated: stream.content,
            });
            fonts.push((id.clone(), PdfFont::new(font)));
        }
        Ok(Shared { fonts, programs })
    })
    .as_ref()
    .map_err(|e| e.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn measures_text() {
        let w = width(Face::Regular, 10.0, "Hello");
        assert!(w > 20.0 && w < 40.0, "{w}");
        assert!(width(Face::Bold, 10.0, "Hello") > w);
        assert_eq!(width(Face::Regular, 10.0, ""), 0.0);
        assert!(width(Face::Regular, 10.0, "–✓") > 0.0);
        assert_eq!(pdf_fonts().unwrap().len(), 4);
        assert!(missing_chars("Zoë Ångström-Łukasz").is_empty());
        assert_eq!(missing_chars("王 Li"), vec!['王']);
    }

    #[test]
    fn shared_subset_covers_latin_text() {
        assert!("Zoë Ångström · 10 mg → 5 mg ✓ ☐ “quoted” – …"
            .chars()
            .all(shared_covers));
        assert!(!shared_covers('Ł'));
        assert!(!shared_covers('王'));
        assert!(!shared_covers('α'));
        let s = shared().unwrap();
        assert_eq!(s.fonts.len(), 4);
        for p in &s.programs {
            assert!(p.deflated.len() < p.bytes.len(), "{}", p.name);
        }
        assert_eq!(s.programs[0].name, "DJVREG+DejaVuSans");
    }
}
