//! The images a page shows, read for its PDF by the rules the web page follows
//! ([`crate::render::links`]): `![alt](chart.png)` from the page's folder, `![alt](/img/x.png)`
//! from `static/`. Only PNG and JPEG files are read; anything else (a web address, a GIF, a
//! file that is missing, too large, outside the site or does not decode) is `None`, and the PDF
//! prints the image's alt text where it would be, as it did before it drew images.

use std::path::{Path, PathBuf};

use printpdf::RawImage;

use crate::render::links::{file_problem, source_target, STATIC_DIR};
use crate::render::markdown::{local, Local};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
const JPEG: &[u8] = b"\xff\xd8\xff";

/// The most pixels an image may have to be drawn (40 million: a 7,000 by 5,700 photo, about
/// 120 MB decoded); a larger one is printed as its alt text.
const MAX_PIXELS: u64 = 40_000_000;

/// Width and height from a PNG's header or a JPEG's frame header, without decoding it.
fn dimensions(b: &[u8]) -> Option<(u32, u32)> {
    let be = |i: usize, n: usize| -> Option<u32> {
        b.get(i..i + n)
            .map(|s| s.iter().fold(0u32, |a, x| (a << 8) | *x as u32))
    };
    if b.starts_with(PNG) {
        return Some((be(16, 4)?, be(20, 4)?));
    }
    // JPEG: segments from after the start marker to the first frame header (SOF0..SOF15,
    // not DHT, JPG or DAC), which holds the height, then the width.
    let mut i = 2;
    while b.get(i) == Some(&0xff) {
        let marker = *b.get(i + 1)?;
        if (0xc0..=0xcf).contains(&marker) && ![0xc4, 0xc8, 0xcc].contains(&marker) {
            return Some((be(i + 7, 2)?, be(i + 5, 2)?));
        }
        i += 2 + be(i + 2, 2)? as usize;
    }
    None
}

/// The image `dest` names on the page at `doc_file` (relative to the site `root`), decoded.
pub(super) fn load(root: &Path, doc_file: &Path, dest: &str) -> Option<RawImage> {
    let rel = source_of(doc_file, dest)?;
    // The web build refuses these files (missing, a link, outside the site, too large).
    file_problem(root, &rel).ok()?;
    let bytes = std::fs::read(root.join(&rel)).ok()?;
    if !(bytes.starts_with(PNG) || bytes.starts_with(JPEG)) {
        return None;
    }
    // A small file can hold a huge picture: one over the limit is not decoded at all.
    if dimensions(&bytes).is_some_and(|(w, h)| w as u64 * h as u64 > MAX_PIXELS) {
        return None;
    }
    // A decoder's bug must not end the build: the image is then printed as its alt text.
    let decoded = std::panic::catch_unwind(|| RawImage::decode_from_bytes(&bytes, &mut Vec::new()));
    let image = decoded.ok()?.ok()?;
    (image.width > 0 && image.height > 0).then_some(image)
}

/// The file, from the site root, that an image's address names: beside the page (or from
/// `content/` with a leading `/` for a Markdown page's neighbour), or under `static/` for a
/// `/`-path (the site's own URL of a static file).
fn source_of(doc_file: &Path, dest: &str) -> Option<PathBuf> {
    let d = dest.trim();
    if let Some(Local::File(path)) = local(d) {
        return source_target(doc_file, &path);
    }
    let path = d.strip_prefix('/').filter(|p| !p.starts_with('/'))?;
    let path = &path[..path.find(['?', '#']).unwrap_or(path.len())];
    let mut rel = PathBuf::from(STATIC_DIR);
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s if s.contains('\\') || s.contains(':') => return None,
            s => rel.push(s),
        }
    }
    (rel.as_path() != Path::new(STATIC_DIR)).then_some(rel)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_found_by_the_web_pages_rules() {
        let page = Path::new("content/guide/index.md");
        assert_eq!(
            source_of(page, "chart.png"),
            Some(PathBuf::from("content/guide/chart.png"))
        );
        assert_eq!(
            source_of(page, "../chart.png"),
            Some(PathBuf::from("content/chart.png"))
        );
        assert_eq!(
            source_of(page, "/img/logo.png"),
            Some(PathBuf::from("static/img/logo.png"))
        );
        assert_eq!(source_of(page, "/img/../../secret.png"), None);
        assert_eq!(source_of(page, "https://example.org/x.png"), None);
        assert_eq!(source_of(page, "//example.org/x.png"), None);
        assert_eq!(source_of(page, "/"), None);
    }

    #[test]
    fn sizes_are_read_from_the_headers() {
        let png = std::fs::read("tests/fixtures/pictures/content/guide/chart.png").unwrap();
        assert_eq!(dimensions(&png), Some((600, 300)));
        let jpeg = std::fs::read("tests/fixtures/pictures/static/img/handout-scan.jpg").unwrap();
        assert_eq!(dimensions(&jpeg), Some((320, 200)));
        assert_eq!(dimensions(b"\xff\xd8\xff"), None);
        // A PNG that says it is 100,000 pixels square is not decoded.
        let mut huge = png.clone();
        huge[16..24].copy_from_slice(&[0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0]);
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("content")).unwrap();
        std::fs::write(dir.path().join("content/huge.png"), &huge).unwrap();
        std::fs::write(dir.path().join("content/ok.png"), &png).unwrap();
        let page = Path::new("content/p.md");
        assert!(load(dir.path(), page, "huge.png").is_none());
        assert_eq!(load(dir.path(), page, "ok.png").map(|i| i.width), Some(600));
    }

    #[test]
    fn only_png_and_jpeg_that_decode_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("content")).unwrap();
        let page = Path::new("content/p.md");
        // A PNG's signature on bytes that are no PNG: not decoded, no panic.
        std::fs::write(root.join("content/bad.png"), b"\x89PNG\r\n\x1a\nnot really").unwrap();
        assert!(load(root, page, "bad.png").is_none());
        std::fs::write(root.join("content/a.gif"), b"GIF89a....").unwrap();
        assert!(load(root, page, "a.gif").is_none());
        assert!(load(root, page, "missing.png").is_none());
    }
}
