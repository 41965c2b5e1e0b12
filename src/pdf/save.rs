//! A PDF's bytes from its lopdf document: the same bytes `Document::save_to` writes, written
//! straight into one buffer.
//!
//! lopdf writes every name, separator and number of every object through a `dyn Write` and
//! `fmt`: 8.6% of a default build's CPU on 2,000 pages (issue 17), for some 130 objects a PDF,
//! most of them the structure tree's small dictionaries. Only the serializer is ours: the
//! document is still lopdf's, and one this writer does not cover (a cross-reference stream, a
//! binary mark lopdf would refuse) is saved by lopdf itself. The unit test compares the two on
//! every kind of object; a debug build compares them on every PDF it makes.

use std::cell::RefCell;
use std::io::Write;

use lopdf::xref::XrefType;
use lopdf::{Dictionary, Document, Object, ObjectId, StringFormat};

/// Objects already written as bytes, by id in ascending order (the structure tree's
/// elements, [`super::tags`]): each is what [`write_object`] writes for a dictionary.
pub(super) type Written = [(ObjectId, Vec<u8>)];

/// Append `doc`, with the objects `written` as bytes, as a PDF file to `out`: exactly what
/// `doc.save_to(out)` writes when those objects are in `doc`.
pub(super) fn save(
    doc: &mut Document,
    written: &Written,
    out: &mut Vec<u8>,
) -> std::io::Result<()> {
    let plain = matches!(
        doc.reference_table.cross_reference_type,
        XrefType::CrossReferenceTable
    ) && doc.binary_mark.iter().all(|&b| b >= 128);
    if !plain {
        if !written.is_empty() {
            return Err(std::io::Error::other(
                "a PDF with a cross-reference stream and a structure tree",
            ));
        }
        return doc.save_to(out);
    }
    let start = out.len();
    out.extend_from_slice(b"%PDF-");
    out.extend_from_slice(doc.version.as_bytes());
    out.push(b'\n');
    out.push(b'%');
    out.extend_from_slice(&doc.binary_mark);
    out.push(b'\n');
    // The offset of each object written, by id (lopdf's cross-reference table keeps the last
    // object of an id, whatever its generation).
    let size = doc.max_id as usize + 1;
    let mut offsets: Vec<Option<(usize, u16)>> = vec![None; size];
    let mut objects = doc.objects.iter().peekable();
    let mut bytes = written.iter().peekable();
    loop {
        // The next object by id: the document's, or one written as bytes.
        let take_written = match (objects.peek(), bytes.peek()) {
            (None, None) => break,
            (Some((id, _)), Some((w, _))) => w < *id,
            (None, Some(_)) => true,
            (Some(_), None) => false,
        };
        let ((id, generation), object, raw) = if take_written {
            let Some((id, raw)) = bytes.next() else { break };
            (*id, None, Some(raw))
        } else {
            let Some((id, object)) = objects.next() else {
                break;
            };
            (*id, Some(object), None)
        };
        if object.is_some_and(skipped) {
            continue;
        }
        // An id above `max_id` is listed too (lopdf's table grows to it).
        let slot = id as usize;
        if slot >= offsets.len() {
            offsets.resize(slot + 1, None);
        }
        offsets[slot] = Some((out.len() - start, generation));
        int(out, i64::from(id));
        out.push(b' ');
        int(out, i64::from(generation));
        out.extend_from_slice(b" obj\n");
        if let Some(object) = object {
            if separated(object) {
                out.push(b' ');
            }
            write_object(out, object);
            if end_separated(object) {
                out.push(b' ');
            }
        }
        if let Some(raw) = raw {
            out.extend_from_slice(raw);
        }
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref_start = out.len() - start;
    out.extend_from_slice(b"xref\n");
    // Sections of consecutive ids: the first starts with the unusable entry 0, a missing id
    // ends a section and the next one present starts another.
    let mut section: Vec<Option<(usize, u16)>> = vec![None];
    let mut first = 0usize;
    for (id, entry) in offsets.iter().enumerate().skip(1) {
        if section.is_empty() {
            first = id;
        }
        match entry {
            Some(e) => section.push(Some(*e)),
            None => {
                write_section(out, first, &section);
                section.clear();
                first = id;
            }
        }
    }
    write_section(out, first, &section);
    doc.trailer.set("Size", i64::from(doc.max_id) + 1);
    out.extend_from_slice(b"trailer\n");
    write_dictionary(out, &doc.trailer);
    out.extend_from_slice(b"\nstartxref\n");
    int(out, xref_start as i64);
    out.extend_from_slice(b"\n%%EOF");
    Ok(())
}

/// Objects lopdf leaves out of a saved file (object and cross-reference streams it would
/// write anew, a linearization dictionary).
fn skipped(object: &Object) -> bool {
    object
        .type_name()
        .is_ok_and(|t| [&b"ObjStm"[..], b"XRef", b"Linearized"].contains(&t))
}

/// One section of the cross-reference table: `None` is the unusable free entry.
fn write_section(out: &mut Vec<u8>, first: usize, entries: &[Option<(usize, u16)>]) {
    if entries.is_empty() {
        return;
    }
    int(out, first as i64);
    out.push(b' ');
    int(out, entries.len() as i64);
    out.push(b'\n');
    for e in entries {
        let (offset, generation, kind) = match e {
            Some((o, g)) => (*o, *g, b'n'),
            None => (0, 65535, b'f'),
        };
        padded(out, offset as u64, 10);
        out.push(b' ');
        padded(out, u64::from(generation), 5);
        out.push(b' ');
        out.push(kind);
        out.extend_from_slice(b" \n");
    }
}

/// `n` in decimal, with leading zeros to `width` digits.
fn padded(out: &mut Vec<u8>, n: u64, width: usize) {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(n).as_bytes();
    out.extend(std::iter::repeat_n(
        b'0',
        width.saturating_sub(digits.len()),
    ));
    out.extend_from_slice(digits);
}

pub(super) fn int(out: &mut Vec<u8>, n: i64) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// A number as lopdf writes a real: as Rust prints the `f32`.
///
/// Pages repeat their numbers (margins, line positions, sizes, colours), and printing one
/// took some 700 instructions, 4% of a default build's: each thread remembers the text of the
/// last number it printed in each of [`REAL_SLOTS`] slots, chosen by the number's bits.
pub(super) fn real(out: &mut Vec<u8>, v: f32) {
    thread_local! {
        static PRINTED: RefCell<Vec<Printed>> = const { RefCell::new(Vec::new()) };
    }
    let bits = v.to_bits();
    // The top bits of a multiplicative hash of the number's bits.
    let slot = (bits.wrapping_mul(0x9E37_79B9) >> (32 - REAL_SLOTS.trailing_zeros())) as usize;
    let printed = PRINTED.with(|cell| {
        let Ok(mut seen) = cell.try_borrow_mut() else {
            return false;
        };
        if seen.is_empty() {
            seen.resize(REAL_SLOTS, Printed::EMPTY);
        }
        let p = &mut seen[slot];
        if p.len != Printed::NONE && p.bits == bits {
            out.extend_from_slice(&p.text[..usize::from(p.len)]);
            return true;
        }
        let start = out.len();
        // Writing into a Vec cannot fail.
        let _ = write!(out, "{v}");
        let text = &out[start..];
        if text.len() <= p.text.len() {
            p.bits = bits;
            p.len = text.len() as u8;
            p.text[..text.len()].copy_from_slice(text);
        }
        true
    });
    if !printed {
        let _ = write!(out, "{v}");
    }
}

/// How many numbers each thread remembers the text of (a power of two).
const REAL_SLOTS: usize = 4096;

/// One remembered number and its text ([`real`]).
#[derive(Clone, Copy)]
struct Printed {
    bits: u32,
    /// The text's length, or [`Printed::NONE`] for an empty slot.
    len: u8,
    text: [u8; 15],
}

impl Printed {
    const NONE: u8 = u8::MAX;
    const EMPTY: Printed = Printed {
        bits: 0,
        len: Printed::NONE,
        text: [0; 15],
    };
}

/// Whether lopdf puts a space before the object (after `obj`, a key, or an array's item).
fn separated(object: &Object) -> bool {
    matches!(
        object,
        Object::Null
            | Object::Boolean(_)
            | Object::Integer(_)
            | Object::Real(_)
            | Object::Reference(_)
    )
}

/// Whether lopdf puts a space after an indirect object, before `endobj`.
fn end_separated(object: &Object) -> bool {
    separated(object) || matches!(object, Object::Name(_) | Object::Stream(_))
}

pub(super) fn write_object(out: &mut Vec<u8>, object: &Object) {
    match object {
        Object::Null => out.extend_from_slice(b"null"),
        Object::Boolean(true) => out.extend_from_slice(b"true"),
        Object::Boolean(false) => out.extend_from_slice(b"false"),
        Object::Integer(n) => int(out, *n),
        Object::Real(r) => real(out, *r),
        Object::Name(name) => write_name(out, name),
        Object::String(text, format) => write_string(out, text, *format),
        Object::Array(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 && separated(item) {
                    out.push(b' ');
                }
                write_object(out, item);
            }
            out.push(b']');
        }
        Object::Dictionary(dict) => write_dictionary(out, dict),
        Object::Stream(stream) => {
            write_dictionary(out, &stream.dict);
            out.extend_from_slice(b"stream\n");
            out.extend_from_slice(&stream.content);
            out.extend_from_slice(b"\nendstream");
        }
        Object::Reference(id) => reference(out, *id),
    }
}

/// `12 0 R`.
pub(super) fn reference(out: &mut Vec<u8>, (id, generation): ObjectId) {
    int(out, i64::from(id));
    out.push(b' ');
    int(out, i64::from(generation));
    out.extend_from_slice(b" R");
}

fn write_dictionary(out: &mut Vec<u8>, dict: &Dictionary) {
    out.extend_from_slice(b"<<");
    for (key, value) in dict {
        write_name(out, key);
        if separated(value) {
            out.push(b' ');
        }
        write_object(out, value);
    }
    out.extend_from_slice(b">>");
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

pub(super) fn hex(out: &mut Vec<u8>, byte: u8) {
    out.push(HEX[usize::from(byte >> 4)]);
    out.push(HEX[usize::from(byte & 15)]);
}

/// A name: white space, delimiters, `#` and bytes outside `!`..`~` as `#XX`.
pub(super) fn write_name(out: &mut Vec<u8>, name: &[u8]) {
    out.push(b'/');
    for &byte in name {
        if b" \t\n\r\x0C()<>[]{}/%#".contains(&byte) || !(33..=126).contains(&byte) {
            out.push(b'#');
            hex(out, byte);
        } else {
            out.push(byte);
        }
    }
}

/// A string: literal with `\`, `\r` and unbalanced parentheses escaped, or hexadecimal.
pub(super) fn write_string(out: &mut Vec<u8>, text: &[u8], format: StringFormat) {
    match format {
        StringFormat::Literal => {
            let mut escaped = Vec::new();
            let mut open = Vec::new();
            for (i, &byte) in text.iter().enumerate() {
                match byte {
                    b'(' => open.push(i),
                    b')' if open.is_empty() => escaped.push(i),
                    b')' => {
                        open.pop();
                    }
                    b'\\' | b'\r' => escaped.push(i),
                    _ => {}
                }
            }
            escaped.append(&mut open);
            out.push(b'(');
            if escaped.is_empty() {
                out.extend_from_slice(text);
            } else {
                for (i, &byte) in text.iter().enumerate() {
                    if escaped.contains(&i) {
                        out.push(b'\\');
                        out.push(if byte == b'\r' { b'r' } else { byte });
                    } else {
                        out.push(byte);
                    }
                }
            }
            out.push(b')');
        }
        StringFormat::Hexadecimal => {
            out.push(b'<');
            for &byte in text {
                hex(out, byte);
            }
            out.push(b'>');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lopdf::{Stream, StringFormat};

    fn both(doc: &Document) -> (Vec<u8>, Vec<u8>) {
        let mut theirs = Vec::new();
        doc.clone().save_to(&mut theirs).unwrap();
        let mut ours = b"kept".to_vec();
        save(&mut doc.clone(), &[], &mut ours).unwrap();
        assert!(ours.starts_with(b"kept"));
        (theirs, ours[4..].to_vec())
    }

    /// Every kind of object, names and strings that need escaping, ids with gaps (several
    /// cross-reference sections), generations, a skipped object stream: lopdf's bytes.
    /// `real` writes what `{v}` writes, the first time a number comes and every time after,
    /// with numbers sharing slots: page positions in 1/64 pt steps, special values, and
    /// 100,000 bit patterns over every exponent, twice over.
    #[test]
    fn reals_are_written_as_rust_prints_them() {
        let mut values: Vec<f32> = (0..=842 * 64).map(|i| i as f32 / 64.0).collect();
        values.extend((0..=842 * 8).map(|i| -(i as f32) / 8.0 + 0.1));
        values.extend([
            0.0,
            -0.0,
            0.1,
            1e-7,
            1e-30,
            f32::MAX,
            f32::MIN,
            f32::MIN_POSITIVE,
            f32::from_bits(1),
            f32::NAN,
            f32::INFINITY,
            f32::NEG_INFINITY,
        ]);
        let mut x: u32 = 0x2545_f491;
        for _ in 0..100_000 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            values.push(f32::from_bits(x));
        }
        for _ in 0..2 {
            for v in &values {
                let mut out = b"x".to_vec();
                real(&mut out, *v);
                assert_eq!(out[1..], *format!("{v}").as_bytes(), "{:08x}", v.to_bits());
            }
        }
    }

    /// A document with a cross-reference table, as printpdf makes them.
    fn with_table(version: &str) -> Document {
        let mut doc = Document::with_version(version);
        doc.reference_table.cross_reference_type = XrefType::CrossReferenceTable;
        doc
    }

    #[test]
    fn writes_what_lopdf_writes() {
        let mut doc = with_table("1.7");
        let mut dict = Dictionary::new();
        dict.set("A", Object::Null);
        dict.set("B", false);
        dict.set("C", Object::Name(b"na me#(x)/\x80~".to_vec()));
        dict.set("D", Object::Real(0.1));
        dict.set("E", Object::Real(-12.0));
        dict.set("F", Object::Reference((3, 0)));
        dict.set("G", Object::Array(vec![]));
        dict.set("H", Object::Dictionary(Dictionary::new()));
        dict.set("I", Object::Integer(i64::MIN));
        dict.set("J", Object::Boolean(true));
        let strings = [
            &b"plain"[..],
            b"a(b)c",
            b"((x)",
            b"x))(",
            b"back\\slash\rret\n",
            b"\xfe\xff\x00A",
            b"",
        ];
        let mut items = vec![
            Object::Integer(1),
            Object::Integer(-2),
            Object::Name(b"N".to_vec()),
            Object::Reference((1, 2)),
            Object::Null,
            Object::Real(3.25),
            Object::Array(vec![Object::Integer(0), Object::Name(b"x y".to_vec())]),
            Object::Dictionary(dict.clone()),
        ];
        for s in strings {
            items.push(Object::String(s.to_vec(), StringFormat::Literal));
            items.push(Object::String(s.to_vec(), StringFormat::Hexadecimal));
        }
        let objects: Vec<((u32, u16), Object)> = vec![
            ((1, 0), Object::Null),
            ((2, 0), Object::Boolean(true)),
            ((3, 0), Object::Integer(7)),
            ((4, 0), Object::Real(0.5)),
            ((5, 0), Object::Name(b"Name".to_vec())),
            (
                (6, 0),
                Object::String(b"(s)".to_vec(), StringFormat::Literal),
            ),
            ((8, 1), Object::Array(items)),
            ((9, 0), Object::Dictionary(dict.clone())),
            (
                (10, 0),
                Object::Stream(Stream::new(dict.clone(), b"BT\n(x) Tj\nET".to_vec())),
            ),
            ((11, 0), Object::Reference((9, 0))),
            (
                (12, 0),
                Object::Stream(Stream::new(
                    Dictionary::from_iter([("Type", Object::Name(b"ObjStm".to_vec()))]),
                    b"0 0".to_vec(),
                )),
            ),
            (
                (14, 0),
                Object::Dictionary(Dictionary::from_iter([("Linearized", Object::Integer(1))])),
            ),
            ((15, 0), Object::Dictionary(Dictionary::new())),
            ((17, 0), Object::Integer(17)),
        ];
        for (id, o) in objects {
            doc.objects.insert(id, o);
        }
        doc.max_id = 17;
        doc.trailer.set("Root", Object::Reference((9, 0)));
        doc.trailer.set(
            "ID",
            Object::String(b"x".to_vec(), StringFormat::Hexadecimal),
        );
        let (theirs, ours) = both(&doc);
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
        assert_eq!(ours, theirs);
        // An id above max_id is written and listed, as lopdf does.
        doc.objects.insert((30, 0), Object::Integer(30));
        let (theirs, ours) = both(&doc);
        assert_eq!(ours, theirs);
        // Objects written as bytes, between the document's and after them.
        let written: Vec<(ObjectId, Dictionary)> = [7u32, 13, 16, 18, 19]
            .into_iter()
            .map(|i| {
                let mut d = dict.clone();
                d.set("N", Object::Integer(i64::from(i)));
                ((i, 0), d)
            })
            .collect();
        doc.max_id = 30;
        let mut theirs = Vec::new();
        let mut with = doc.clone();
        for (id, d) in &written {
            with.objects.insert(*id, Object::Dictionary(d.clone()));
        }
        with.save_to(&mut theirs).unwrap();
        let bytes: Vec<(ObjectId, Vec<u8>)> = written
            .iter()
            .map(|(id, d)| {
                let mut b = Vec::new();
                write_object(&mut b, &Object::Dictionary(d.clone()));
                (*id, b)
            })
            .collect();
        let mut ours = Vec::new();
        save(&mut doc.clone(), &bytes, &mut ours).unwrap();
        assert_eq!(ours, theirs);
        // A document with no objects.
        let (theirs, ours) = both(&with_table("1.4"));
        assert_eq!(ours, theirs);
        // One with a cross-reference stream is lopdf's to write, and refused with objects
        // written as bytes.
        let mut streamed = doc.clone();
        streamed.reference_table.cross_reference_type = XrefType::CrossReferenceStream;
        let (theirs, ours) = both(&streamed);
        assert_eq!(ours, theirs);
        assert!(save(&mut streamed, &bytes, &mut Vec::new()).is_err());
    }
}
