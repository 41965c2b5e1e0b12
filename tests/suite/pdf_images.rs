//! Images in the PDFs: a page's PNG (beside it) and JPEG (under `static/`) are drawn in each
//! audience's PDF, at most at the text width, and tagged as figures with their alt text; an
//! image the PDF cannot draw (a GIF) keeps its alt text in the text.

use std::path::Path;
use std::process::Command;

use crate::support::{careguide, fixture_site, pdftotext, RunExt, JAN_15_2026};

/// `TOOL ARGS PDF`'s standard output, when the poppler tool is installed; `None` otherwise.
fn poppler(tool: &str, args: &[&str], pdf: &Path) -> Option<String> {
    let o = Command::new(tool).args(args).arg(pdf).output().ok()?;
    o.status
        .success()
        .then(|| String::from_utf8_lossy(&o.stdout).into_owned())
}

#[test]
fn png_and_jpeg_images_are_drawn_in_the_pdfs_and_tagged_with_their_alt_text() {
    let (_tmp, site) = fixture_site("pictures");
    let out = site.join("output");
    let r = careguide(["build", "--format", "json", "--root"])
        .arg(&site)
        .arg("--out")
        .arg(&out)
        .date(JAN_15_2026)
        .run()
        .no_crash();
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for audience in ["patient", "caregiver", "clinician"] {
        let pdf = out.join(format!("guide/{audience}.pdf"));
        // Each figure carries its image's alt text (`/Alt`) in the structure tree.
        let doc = lopdf::Document::load(&pdf).unwrap();
        let mut alts: Vec<String> = doc
            .objects
            .values()
            .filter_map(|o| o.as_dict().ok()?.get(b"Alt").ok()?.as_str().ok())
            .map(|b| String::from_utf8_lossy(b).into_owned())
            .collect();
        alts.sort();
        assert_eq!(
            alts,
            [
                "Bar chart: the daily dose falls in four steps",
                "Scan of the top of a printed handout"
            ],
            "{audience}"
        );
        let Some(list) = poppler("pdfimages", &["-list"], &pdf) else {
            eprintln!("skipped the image checks: poppler-utils is not installed");
            return;
        };
        // Two images on page 1, at their own size in pixels, printed at 150 dpi.
        let rows: Vec<Vec<&str>> = list
            .lines()
            .skip(2)
            .map(|l| l.split_whitespace().collect())
            .collect();
        assert_eq!(rows.len(), 2, "{list}");
        assert_eq!(&rows[0][..5], ["1", "0", "image", "600", "300"], "{list}");
        assert_eq!(&rows[1][..5], ["1", "1", "image", "320", "200"], "{list}");
        assert!(
            rows.iter().all(|r| r[12] == "150" && r[13] == "150"),
            "{list}"
        );
        let tree = poppler("pdfinfo", &["-struct-text"], &pdf).unwrap();
        assert_eq!(tree.matches("Figure").count(), 2, "{tree}");
        // Drawn, not printed: the alt texts are not in the text; the GIF's alt text is.
        let text = pdftotext(&pdf, false).unwrap();
        assert!(!text.contains("Bar chart"), "{text}");
        assert!(!text.contains("Scan of the top"), "{text}");
        assert!(
            text.contains("Diagram of the steps, drawn as a GIF"),
            "{text}"
        );
        let order: Vec<usize> = ["Before the chart.", "After the chart.", "A scan"]
            .iter()
            .map(|t| text.find(t).unwrap_or_else(|| panic!("{t}: {text}")))
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{text}");
    }

    // The chart is drawn: page 1, rendered, holds the blue of its bars.
    let pdf = out.join("guide/patient.pdf");
    let ppm = Command::new("pdftoppm")
        .args(["-r", "20", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .output()
        .unwrap()
        .stdout;
    // After the header's three lines (`P6`, the size, the largest value): RGB pixels.
    let start = ppm
        .iter()
        .enumerate()
        .filter(|(_, b)| **b == b'\n')
        .nth(2)
        .map_or(ppm.len(), |(i, _)| i + 1);
    let blue = ppm[start..]
        .chunks_exact(3)
        .filter(|p| p[2] > 150 && p[0] < 90 && p[1] < 130)
        .count();
    assert!(blue > 50, "{blue} blue pixels on page 1");
}
