//! Text wrapping: styled spans broken into words, measured with the embedded fonts and filled
//! greedily into lines of a given width.

use super::fonts::{self, Face};
use super::Span;

/// A word: styled pieces with no space between them.
#[derive(Debug, Clone)]
pub(super) struct Word {
    pub pieces: Vec<(Face, String)>,
    pub width: f32,
    pub space_before: bool,
    /// A forced line break before this word.
    break_before: bool,
}

/// One laid-out line: pieces at x offsets. A piece holds the spaces between its words, and a
/// line that is followed by another ends with a space; `width` is without it.
#[derive(Debug, Clone, Default)]
pub(super) struct TextLine {
    pub pieces: Vec<(f32, Face, String)>,
    pub width: f32,
}

pub(super) fn words(spans: &[Span], size: f32) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::new();
    let mut cur: Option<Word> = None;
    let mut pending_space = false;
    let mut pending_break = false;
    for span in spans {
        let face = span.face();
        let text = span.text.as_str();
        // Where the text of the word being read starts in this span: each piece is copied
        // whole, not a character at a time.
        let mut from: Option<usize> = None;
        for (i, c) in text.char_indices() {
            if c.is_whitespace() {
                if let Some(mut w) = cur.take() {
                    if let Some(start) = from.take() {
                        add_piece(&mut w, face, &text[start..i]);
                    }
                    out.push(w);
                }
                if c == '\n' {
                    pending_break = true;
                } else {
                    pending_space = true;
                }
                continue;
            }
            if from.is_none() {
                from = Some(i);
                cur.get_or_insert_with(|| Word {
                    pieces: Vec::new(),
                    width: 0.0,
                    space_before: pending_space && !out.is_empty(),
                    break_before: pending_break && !out.is_empty(),
                });
                pending_space = false;
                pending_break = false;
            }
        }
        // A word not ended by a space goes on in the next span.
        if let (Some(w), Some(start)) = (cur.as_mut(), from) {
            add_piece(w, face, &text[start..]);
        }
    }
    if let Some(w) = cur.take() {
        out.push(w);
    }
    for w in &mut out {
        w.width = w
            .pieces
            .iter()
            .map(|(f, s)| fonts::width(*f, size, s))
            .sum();
    }
    out
}

/// Text in `face` added to a word: the piece before it goes on when its face is the same.
fn add_piece(w: &mut Word, face: Face, text: &str) {
    match w.pieces.last_mut() {
        Some((f, s)) if *f == face => s.push_str(text),
        _ => w.pieces.push((face, text.to_string())),
    }
}

/// Break a word wider than `max` into pieces that fit.
fn split_long(w: Word, size: f32, max: f32) -> Vec<Word> {
    let mut out = Vec::new();
    let mut cur = Word {
        pieces: Vec::new(),
        width: 0.0,
        space_before: w.space_before,
        break_before: w.break_before,
    };
    for (face, s) in w.pieces {
        for c in s.chars() {
            let cw = fonts::width(face, size, c.encode_utf8(&mut [0; 4]));
            if cur.width + cw > max && !cur.pieces.is_empty() {
                let done = std::mem::replace(
                    &mut cur,
                    Word {
                        pieces: Vec::new(),
                        width: 0.0,
                        space_before: false,
                        break_before: true,
                    },
                );
                out.push(done);
            }
            match cur.pieces.last_mut() {
                Some((f, t)) if *f == face => t.push(c),
                _ => cur.pieces.push((face, c.to_string())),
            }
            cur.width += cw;
        }
    }
    if !cur.pieces.is_empty() {
        out.push(cur);
    }
    out
}

/// Greedy line filling.
pub(super) fn wrap(spans: &[Span], size: f32, max: f32) -> Vec<TextLine> {
    let mut lines = Vec::new();
    let mut line = TextLine::default();
    let mut all = Vec::new();
    for w in words(spans, size) {
        if w.width > max {
            all.extend(split_long(w, size, max));
        } else {
            all.push(w);
        }
    }
    for w in all {
        let space = if w.space_before && !line.pieces.is_empty() {
            fonts::width(w.pieces[0].0, size, " ")
        } else {
            0.0
        };
        let spaced = w.space_before || w.break_before;
        if !line.pieces.is_empty() && (w.break_before || line.width + space + w.width > max) {
            // The space stays in the text, at the end of the line, so that text taken from
            // the PDF (a screen reader, copy and paste) keeps its words apart.
            if let (true, Some(last)) = (spaced, line.pieces.last_mut()) {
                last.2.push(' ');
            }
            lines.push(std::mem::take(&mut line));
        }
        let mut x = if line.pieces.is_empty() {
            0.0
        } else {
            line.width + space
        };
        for (i, (f, s)) in w.pieces.into_iter().enumerate() {
            let pw = fonts::width(f, size, &s);
            match line.pieces.last_mut() {
                // After a space, a word in the same face goes on in the same piece (the space
                // is as wide as the one measured); in another face, the space ends the piece
                // before it.
                Some(last) if i == 0 && w.space_before => {
                    last.2.push(' ');
                    if last.1 == f {
                        last.2.push_str(&s);
                    } else {
                        line.pieces.push((x, f, s));
                    }
                }
                _ => line.pieces.push((x, f, s)),
            }
            x += pw;
        }
        line.width = x;
    }
    if !line.pieces.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A word's pieces, space before and break before.
    type Plain = (Vec<(Face, String)>, bool, bool);

    /// The words as the first version found them, a character at a time: the reference
    /// [`words`] must agree with.
    fn words_by_char(spans: &[Span]) -> Vec<Plain> {
        let mut out: Vec<Plain> = Vec::new();
        let mut cur: Option<Plain> = None;
        let (mut pending_space, mut pending_break) = (false, false);
        for span in spans {
            let face = span.face();
            for c in span.text.chars() {
                if c.is_whitespace() {
                    if let Some(w) = cur.take() {
                        out.push(w);
                    }
                    if c == '\n' {
                        pending_break = true;
                    } else {
                        pending_space = true;
                    }
                    continue;
                }
                let w = cur.get_or_insert_with(|| {
                    (
                        Vec::new(),
                        pending_space && !out.is_empty(),
                        pending_break && !out.is_empty(),
                    )
                });
                pending_space = false;
                pending_break = false;
                match w.0.last_mut() {
                    Some((f, s)) if *f == face => s.push(c),
                    _ => w.0.push((face, c.to_string())),
                }
            }
        }
        out.extend(cur);
        out
    }

    proptest::proptest! {
        #[test]
        fn words_agree_with_reading_a_character_at_a_time(
            spans in proptest::collection::vec(
                ("[a-c \n\u{a0}é]{0,8}", proptest::bool::ANY, proptest::bool::ANY),
                0..6,
            )
        ) {
            let spans: Vec<Span> = spans
                .into_iter()
                .map(|(text, bold, italic)| Span { text, bold, italic })
                .collect();
            let got: Vec<_> = words(&spans, 10.0)
                .into_iter()
                .map(|w| (w.pieces, w.space_before, w.break_before))
                .collect();
            proptest::prop_assert_eq!(got, words_by_char(&spans));
        }
    }

    #[test]
    fn wraps_within_width_and_keeps_styles() {
        let spans = vec![
            Span::plain("Stopping all at once can bring on "),
            Span::bold("withdrawal"),
            Span::plain(": aching muscles, a runny nose, poor sleep."),
        ];
        let lines = wrap(&spans, 10.0, 150.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width <= 150.0 + 0.01));
        let bold: Vec<_> = lines
            .iter()
            .flat_map(|l| &l.pieces)
            .filter(|p| p.1 == Face::Bold)
            .collect();
        assert_eq!(bold.len(), 1);
        assert_eq!(bold[0].2, "withdrawal");
        // Punctuation right after a styled word stays on its line.
        let all: String = lines
            .iter()
            .map(|l| {
                l.pieces
                    .iter()
                    .map(|p| p.2.as_str())
                    .collect::<Vec<_>>()
                    .join("|")
            })
            .collect::<Vec<_>>()
            .join("/");
        assert!(all.contains("withdrawal|:"), "{all}");
    }

    #[test]
    fn very_long_words_are_split() {
        let lines = wrap(&[Span::plain("x".repeat(200))], 10.0, 100.0);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.width <= 100.5));
    }

    #[test]
    fn the_text_keeps_its_spaces_and_each_line_is_few_pieces() {
        let spans = vec![
            Span::plain("Take the amount in "),
            Span::bold("Each day"),
            Span::plain(" from the first date to the second,\nsplit as shown."),
        ];
        let lines = wrap(&spans, 10.0, 90.0);
        assert!(lines.len() > 3);
        let text: String = lines
            .iter()
            .flat_map(|l| l.pieces.iter().map(|p| p.2.as_str()))
            .collect();
        assert_eq!(
            text,
            "Take the amount in Each day from the first date to the second, split as shown."
        );
        for l in &lines {
            // One piece per run of a face, each where the one before it ends.
            for pair in l.pieces.windows(2) {
                assert_ne!(pair[0].1, pair[1].1);
                let end = pair[0].0 + fonts::width(pair[0].1, 10.0, &pair[0].2);
                assert!((end - pair[1].0).abs() < 0.5, "{pair:?}");
            }
            assert!(l.width <= 90.01);
        }
    }
}
