//! A tagged (accessible) PDF: the structure tree the layout recorded ([`layout::tags`]) written
//! into the document printpdf saved, with lopdf. The pages' content is already wrapped in
//! marked-content sequences (`/MCID n`, or `/Artifact`); here come the `/StructTreeRoot`, one
//! `/StructElem` per element pointing at its sequences, the `/ParentTree` from each page's
//! sequences back to their elements, and the catalog's `/MarkInfo`, `/Lang`,
//! `/ViewerPreferences << /DisplayDocTitle true >>` and an XMP packet with the title.
//!
//! Object numbers follow the elements' order, so the same document gives the same bytes.
//!
//! [`layout::tags`]: super::layout::tags

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};

use super::layout::tags::{Elem, Role, Tags};
use super::{save, PdfError};

/// A PDF text string: PDFDocEncoding for printable ASCII, else UTF-16BE with its mark.
fn text(s: &str) -> Object {
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return Object::String(s.as_bytes().to_vec(), StringFormat::Literal);
    }
    let mut bytes = vec![0xFE, 0xFF];
    for u in s.encode_utf16() {
        bytes.extend(u.to_be_bytes());
    }
    Object::String(bytes, StringFormat::Hexadecimal)
}

fn name(s: &str) -> Object {
    Object::Name(s.as_bytes().to_vec())
}

fn dict(pairs: Vec<(&str, Object)>) -> Object {
    let mut d = Dictionary::new();
    for (k, v) in pairs {
        d.set(k, v);
    }
    Object::Dictionary(d)
}

/// One element's dictionary. `mcrs` are its marked-content sequences (page, MCID) in order;
/// `kids` its child elements' objects.
fn elem_dict(
    e: &Elem,
    parent: ObjectId,
    kids: Vec<Object>,
    mcrs: &[(usize, usize)],
    pages: &[ObjectId],
) -> Dictionary {
    let mut d = Dictionary::new();
    d.set("Type", name("StructElem"));
    d.set("S", name(e.role.name()));
    d.set("P", Object::Reference(parent));
    let mut k = kids;
    // Sequences on the element's page are plain MCIDs; on other pages, references naming
    // their page.
    let first = mcrs.first().map(|m| m.0);
    if let Some(pg) = first.and_then(|p| pages.get(p)) {
        d.set("Pg", Object::Reference(*pg));
    }
    for &(p, mcid) in mcrs {
        let Some(page) = pages.get(p) else { continue };
        if Some(p) == first {
            k.push(Object::Integer(mcid as i64));
        } else {
            k.push(dict(vec![
                ("Type", name("MCR")),
                ("Pg", Object::Reference(*page)),
                ("MCID", Object::Integer(mcid as i64)),
            ]));
        }
    }
    d.set("K", Object::Array(k));
    if let Some(alt) = &e.alt {
        d.set("Alt", text(alt));
    }
    if let Some(t) = &e.title {
        d.set("T", text(t));
    }
    if e.role == Role::TH {
        d.set(
            "A",
            dict(vec![("O", name("Table")), ("Scope", name("Column"))]),
        );
    }
    if let Some((_, bbox)) = e.bbox {
        let b = bbox.iter().map(|v| Object::Real(*v)).collect();
        d.set(
            "A",
            dict(vec![("O", name("Layout")), ("BBox", Object::Array(b))]),
        );
    }
    d
}

/// [`elem_dict`] as the bytes [`save::write_object`] writes for it, made without the
/// dictionary (its keys, names and map cost more than the writing). `kids` are the child
/// elements' ids.
fn elem_bytes(
    e: &Elem,
    parent: ObjectId,
    kids: &[ObjectId],
    mcrs: &[(usize, usize)],
    pages: &[ObjectId],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + 8 * (kids.len() + mcrs.len()));
    out.extend_from_slice(b"<</Type/StructElem/S");
    save::write_name(&mut out, e.role.name().as_bytes());
    out.extend_from_slice(b"/P ");
    save::reference(&mut out, parent);
    let first = mcrs.first().map(|m| m.0);
    if let Some(pg) = first.and_then(|p| pages.get(p)) {
        out.extend_from_slice(b"/Pg ");
        save::reference(&mut out, *pg);
    }
    out.extend_from_slice(b"/K[");
    let mut items = 0;
    for kid in kids {
        if items > 0 {
            out.push(b' ');
        }
        save::reference(&mut out, *kid);
        items += 1;
    }
    for &(p, mcid) in mcrs {
        let Some(page) = pages.get(p) else { continue };
        if Some(p) == first {
            if items > 0 {
                out.push(b' ');
            }
            save::int(&mut out, mcid as i64);
        } else {
            out.extend_from_slice(b"<</Type/MCR/Pg ");
            save::reference(&mut out, *page);
            out.extend_from_slice(b"/MCID ");
            save::int(&mut out, mcid as i64);
            out.extend_from_slice(b">>");
        }
        items += 1;
    }
    out.push(b']');
    for (key, value) in [(&b"Alt"[..], &e.alt), (b"T", &e.title)] {
        if let Some(v) = value {
            save::write_name(&mut out, key);
            save::write_object(&mut out, &text(v));
        }
    }
    // A table header's attributes, or a figure's box (which takes the header's place).
    if let Some((_, bbox)) = e.bbox {
        out.extend_from_slice(b"/A<</O/Layout/BBox[");
        for (i, v) in bbox.iter().enumerate() {
            if i > 0 {
                out.push(b' ');
            }
            save::write_object(&mut out, &Object::Real(*v));
        }
        out.extend_from_slice(b"]>>");
    } else if e.role == Role::TH {
        out.extend_from_slice(b"/A<</O/Table/Scope/Column>>");
    }
    out.extend_from_slice(b">>");
    out
}

/// The XMP packet: the title and the language, as the info dictionary and `/Lang` say.
fn xmp(title: &str, language: &str) -> Vec<u8> {
    format!(
        "<?xpacket begin=\"\u{feff}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
         <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\
         <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\
         <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\
         <dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt></dc:title>\
         <dc:language><rdf:Bag><rdf:li>{}</rdf:li></rdf:Bag></dc:language>\
         </rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"r\"?>",
        crate::util::xml_escape(title),
        crate::util::xml_escape(language)
    )
    .into_bytes()
}

/// Write the structure tree and the catalog's accessibility entries into `doc`. The elements
/// are returned as bytes for [`save::save`], their ids reserved in `doc`; with `as_objects`
/// they are put in `doc` as dictionaries instead (what lopdf's own writer needs).
pub fn write(
    doc: &mut Document,
    tags: &Tags,
    language: &str,
    title: &str,
    as_objects: bool,
) -> Result<Vec<(ObjectId, Vec<u8>)>, PdfError> {
    let pages: Vec<ObjectId> = doc.get_pages().into_values().collect();
    if pages.len() != tags.pages.len() || tags.elems.is_empty() {
        return Err(PdfError::Tagging {
            page: None,
            reason: "the PDF's structure does not match its pages".to_string(),
        });
    }
    let n = tags.elems.len();
    let root = doc.new_object_id();
    let ids: Vec<ObjectId> = (0..n).map(|_| doc.new_object_id()).collect();
    let mut mcrs = vec![Vec::new(); n];
    for (p, list) in tags.pages.iter().enumerate() {
        for (mcid, &e) in list.iter().enumerate() {
            if let Some(m) = mcrs.get_mut(e) {
                m.push((p, mcid));
            }
        }
    }
    let children = tags.children();
    let mut written = Vec::with_capacity(if as_objects { 0 } else { n });
    for (i, e) in tags.elems.iter().enumerate() {
        let parent = e.parent.and_then(|p| ids.get(p)).copied().unwrap_or(root);
        if as_objects {
            let kids = children[i]
                .iter()
                .map(|c| Object::Reference(ids[*c]))
                .collect();
            let d = elem_dict(e, parent, kids, &mcrs[i], &pages);
            doc.objects.insert(ids[i], Object::Dictionary(d));
        } else {
            let kids: Vec<ObjectId> = children[i].iter().map(|c| ids[*c]).collect();
            written.push((ids[i], elem_bytes(e, parent, &kids, &mcrs[i], &pages)));
        }
    }
    let mut nums = Vec::new();
    for (p, list) in tags.pages.iter().enumerate() {
        nums.push(Object::Integer(p as i64));
        nums.push(Object::Array(
            list.iter().map(|e| Object::Reference(ids[*e])).collect(),
        ));
    }
    let parent_tree = doc.add_object(dict(vec![("Nums", Object::Array(nums))]));
    doc.objects.insert(
        root,
        dict(vec![
            ("Type", name("StructTreeRoot")),
            ("K", Object::Array(vec![Object::Reference(ids[0])])),
            ("ParentTree", Object::Reference(parent_tree)),
            ("ParentTreeNextKey", Object::Integer(pages.len() as i64)),
        ]),
    );
    for (i, pid) in pages.iter().enumerate() {
        let page = doc
            .get_dictionary_mut(*pid)
            .map_err(|e| PdfError::Tagging {
                page: Some(i + 1),
                reason: e.to_string(),
            })?;
        page.set("StructParents", Object::Integer(i as i64));
        page.set("Tabs", name("S"));
    }
    let mut meta = Dictionary::new();
    meta.set("Type", name("Metadata"));
    meta.set("Subtype", name("XML"));
    let meta = doc.add_object(Stream::new(meta, xmp(title, language)));
    let cat = doc.catalog_mut().map_err(|e| PdfError::Tagging {
        page: None,
        reason: format!("the PDF's catalog cannot be tagged: {e}"),
    })?;
    cat.set("StructTreeRoot", Object::Reference(root));
    cat.set("MarkInfo", dict(vec![("Marked", Object::Boolean(true))]));
    cat.set("Lang", text(language));
    cat.set(
        "ViewerPreferences",
        dict(vec![("DisplayDocTitle", Object::Boolean(true))]),
    );
    cat.set("Metadata", Object::Reference(meta));
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_are_ascii_or_utf16() {
        assert_eq!(
            text("Dose (g)"),
            Object::String(b"Dose (g)".to_vec(), StringFormat::Literal)
        );
        let Object::String(b, StringFormat::Hexadecimal) = text("Zoë") else {
            panic!("not hex")
        };
        assert_eq!(b, vec![0xFE, 0xFF, 0, b'Z', 0, b'o', 0, 0xEB]);
        assert_eq!(crate::util::xml_escape("A & <B>"), "A &amp; &lt;B&gt;");
        let x = String::from_utf8(xmp("T & T", "en")).unwrap();
        assert!(x.contains(">T &amp; T</rdf:li>"), "{x}");
    }

    /// A document of `n` empty pages, as lopdf makes one.
    fn pages(n: usize) -> Document {
        let mut doc = Document::with_version("1.7");
        let tree = doc.new_object_id();
        let kids: Vec<Object> = (0..n)
            .map(|_| {
                Object::Reference(doc.add_object(dict(vec![
                    ("Type", name("Page")),
                    ("Parent", Object::Reference(tree)),
                ])))
            })
            .collect();
        doc.objects.insert(
            tree,
            dict(vec![
                ("Type", name("Pages")),
                ("Count", Object::Integer(n as i64)),
                ("Kids", Object::Array(kids)),
            ]),
        );
        let cat = doc.add_object(dict(vec![
            ("Type", name("Catalog")),
            ("Pages", Object::Reference(tree)),
        ]));
        doc.trailer.set("Root", Object::Reference(cat));
        doc
    }

    #[test]
    fn the_tree_points_at_each_page_sequence_and_back() {
        let e = |role, parent| Elem {
            role,
            parent,
            alt: None,
            title: None,
            bbox: None,
        };
        // A document with a heading on page 1 and a paragraph over pages 1 and 2.
        let tags = Tags {
            elems: vec![
                e(Role::Document, None),
                e(Role::H(1), Some(0)),
                e(Role::P, Some(0)),
            ],
            pages: vec![vec![1, 2], vec![2]],
        };
        let mut doc = pages(2);
        write(&mut doc, &tags, "en", "Title", true).unwrap();
        let cat = doc.catalog().unwrap();
        assert_eq!(cat.get(b"Lang").unwrap().as_str().unwrap(), b"en");
        let marked = cat.get(b"MarkInfo").unwrap().as_dict().unwrap();
        assert!(marked.get(b"Marked").unwrap().as_bool().unwrap());
        let root = cat.get(b"StructTreeRoot").unwrap().as_reference().unwrap();
        let root = doc.get_dictionary(root).unwrap();
        let k = root.get(b"K").unwrap().as_array().unwrap();
        let top = doc.get_dictionary(k[0].as_reference().unwrap()).unwrap();
        assert_eq!(top.get(b"S").unwrap().as_name().unwrap(), b"Document");
        let kids = top.get(b"K").unwrap().as_array().unwrap();
        let p = doc.get_dictionary(kids[1].as_reference().unwrap()).unwrap();
        assert_eq!(p.get(b"S").unwrap().as_name().unwrap(), b"P");
        // MCID 1 of its first page as a number; MCID 0 of the second in a reference.
        let pk = p.get(b"K").unwrap().as_array().unwrap();
        assert_eq!(pk[0].as_i64().unwrap(), 1);
        let mcr = pk[1].as_dict().unwrap();
        assert_eq!(mcr.get(b"MCID").unwrap().as_i64().unwrap(), 0);
        let page_ids: Vec<ObjectId> = doc.get_pages().into_values().collect();
        assert_eq!(mcr.get(b"Pg").unwrap().as_reference().unwrap(), page_ids[1]);
        // The parent tree maps page 2's MCID 0 back to the paragraph.
        let pt = root.get(b"ParentTree").unwrap().as_reference().unwrap();
        let nums = doc.get_dictionary(pt).unwrap().get(b"Nums").unwrap();
        let nums = nums.as_array().unwrap();
        assert_eq!(nums.len(), 4);
        assert_eq!(nums[3].as_array().unwrap()[0], kids[1]);
        let page = doc.get_dictionary(page_ids[1]).unwrap();
        assert_eq!(page.get(b"StructParents").unwrap().as_i64().unwrap(), 1);
        // A structure that does not match the pages is refused.
        assert!(write(&mut pages(3), &tags, "en", "T", true).is_err());
        assert!(write(&mut pages(3), &tags, "en", "T", false).is_err());
    }
}
