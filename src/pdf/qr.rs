//! A way back to the page: the web version's address as a QR code, drawn as vector squares so
//! that it prints sharp at any size. The `qrcode` crate does the encoding.

use qrcode::{Color, EcLevel, QrCode};

use super::layout::{Figure, Shape};

/// The code's side, quiet zone included, in points (about 25 mm: phones read it from arm's
/// length).
const SIDE: f32 = 72.0;
/// Light modules around the code, as the standard asks.
const QUIET: usize = 4;

/// The QR code of `url`, or `None` when the address is too long to encode.
pub fn code(url: &str) -> Option<Figure> {
    // Level M survives a fold or a smudge on a printed page and keeps the code small.
    let qr = QrCode::with_error_correction_level(url.as_bytes(), EcLevel::M).ok()?;
    let n = qr.width();
    let colors = qr.to_colors();
    let module = SIDE / (n + 2 * QUIET) as f32;
    let mut shapes = Vec::new();
    for row in 0..n {
        // One rectangle per run of dark modules in a row.
        let mut col = 0;
        while col < n {
            if colors[row * n + col] == Color::Dark {
                let from = col;
                while col < n && colors[row * n + col] == Color::Dark {
                    col += 1;
                }
                shapes.push(Shape::Rect {
                    x: (from + QUIET) as f32 * module,
                    y: (row + QUIET) as f32 * module,
                    w: (col - from) as f32 * module,
                    h: module,
                    fill: Some(0.0),
                    stroke: None,
                });
            } else {
                col += 1;
            }
        }
    }
    Some(Figure {
        alt: format!("QR code linking to {url}"),
        width: SIDE,
        height: SIDE,
        shapes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_fit_their_square() {
        let f = code("https://clinic.example.org/kratom-withdrawal/patient/").expect("encodes");
        assert!(f.shapes.len() > 20);
        for s in &f.shapes {
            let Shape::Rect { x, y, w, h, .. } = s else {
                panic!("{s:?}")
            };
            assert!(*x >= 0.0 && *y >= 0.0 && x + w <= SIDE + 0.01 && y + h <= SIDE + 0.01);
        }
        assert!(code(&"x".repeat(5000)).is_none());
    }
}
