//! The client-side search index: every sentence of a paragraph and every bullet, table row and
//! summary sentence of every page variant, with the citation numbers it carries and the anchor
//! closest to it. Sentences that read the same for several audiences are stored once, with a
//! bit mask of the audiences that see them.
//!
//! The index is compact JSON (short keys, positional arrays) wrapped in one assignment,
//! `search/index.js`, so the search page loads it with a plain `<script>` element: that works
//! from a web server, from a folder opened with `file://` and offline alike.
//!
//! Layout (`v` is the format version):
//!
//! ```text
//! { "v": 1,
//!   "a": [[id, label], ...],           site audiences; bit i of a mask is a[i]
//!   "d": default audience index,
//!   "p": [ { "t": title, "u": page path, "k": status id, "s": status label,
//!            "r": last reviewed (ISO) or "", "m": audience mask of the page,
//!            "h": [[heading, anchor id], ...],
//!            "e": [[text, heading index, mask, [citation numbers], anchor,
//!                   (mask, [citation numbers], anchor)...], ...] } ] }
//! ```
//!
//! A text that several audiences read with different citation numbers (an audience block
//! earlier on the page shifts them) is stored once, with a (mask, citations, anchor) triple
//! per numbering. The anchor is `n` for `cite-n`, `-n` for the summary's `cite-sn`, `0` for
//! none (then the heading's anchor is used) or an id. The last triple's empty anchor and
//! citation list are left out.

mod pieces;

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::model::{Site, Variant};
pub use pieces::{pieces, Piece};

/// Where the index is written, relative to the site root.
pub const INDEX_PATH: &str = "search/index.js";
/// The global the index assigns itself to; `search.js` reads it.
pub const INDEX_GLOBAL: &str = "careguideSearch";

#[derive(Serialize)]
struct PageOut {
    t: String,
    u: String,
    k: &'static str,
    s: String,
    r: String,
    m: u64,
    h: Vec<(String, String)>,
    e: Vec<Value>,
}

/// `cite-12` is stored as 12, `cite-s2` (a summary citation) as -2, none as 0; any other
/// anchor as its string.
fn anchor_value(anchor: &str) -> Value {
    if anchor.is_empty() {
        return json!(0);
    }
    let num = |s: &str| {
        s.parse::<i64>()
            .ok()
            .filter(|n| *n > 0 && !s.starts_with('0'))
    };
    if let Some(n) = anchor.strip_prefix("cite-s").and_then(num) {
        return json!(-n);
    }
    if let Some(n) = anchor.strip_prefix("cite-").and_then(num) {
        return json!(n);
    }
    json!(anchor)
}

fn bit(i: usize) -> u64 {
    if i < 53 {
        1u64 << i
    } else {
        0
    }
}

/// The index as a JSON value.
pub fn index_value(site: &Site, variants: &[Vec<Variant>]) -> Value {
    let pages: Vec<Value> = site
        .pages
        .iter()
        .zip(variants)
        .filter(|(doc, _)| doc.lang == site.config.language)
        .map(|(doc, vs)| page_value(&site.config, doc, vs))
        .collect();
    index_from(&site.config, pages)
}

/// The index assembled from each page's [`page_value`] (which the build cache keeps, so that
/// an incremental build need not render unchanged pages again).
pub fn index_from(config: &crate::config::Config, pages: Vec<Value>) -> Value {
    let aud_index = |id: &str| config.audiences.iter().position(|a| a.id == id);
    let audiences: Vec<(&str, &str)> = config
        .audiences
        .iter()
        .map(|a| (a.id.as_str(), a.label.as_str()))
        .collect();
    json!({
        "v": 1,
        "a": audiences,
        "d": aud_index(&config.default_audience).unwrap_or(0),
        "p": pages,
    })
}

/// One page's part of the index, from its rendered variants.
pub fn page_value(
    config: &crate::config::Config,
    doc: &crate::content::Document,
    vs: &[Variant],
) -> Value {
    // careguide's own words for the page's language (a site's i18n/ table is not read here).
    let words = crate::i18n::Strings::builtin(doc.lang.as_str());
    let seen = seen_by(config, vs, words.get("page", "short_answer"));
    let (headings, entries) = entries(&seen.order, &seen.masks);
    let r = &doc.front.review;
    serde_json::to_value(PageOut {
        t: doc.front.title.clone(),
        // Within the page's language: each language's index is beside its own search page.
        u: doc.lang_path().to_string(),
        k: r.status.id(),
        s: words.status(r.status.id()),
        r: r.last_reviewed.map(|d| d.iso()).unwrap_or_default(),
        m: seen.page_mask,
        h: headings,
        e: entries,
    })
    .unwrap_or(Value::Null)
}

/// A page's pieces with the audiences that see each.
struct Seen {
    /// Every piece, in the order first seen.
    order: Vec<Piece>,
    /// The mask of the audiences that see each piece of `order`.
    masks: Vec<u64>,
    /// Mask of the audiences the page has a variant for.
    page_mask: u64,
}

/// The pieces of a page's variants, each with the mask of the audiences that see it.
fn seen_by(config: &crate::config::Config, vs: &[Variant], short_answer: &str) -> Seen {
    let aud_index = |id: &str| config.audiences.iter().position(|a| a.id == id);
    // Audiences that share a rendering (same HTML) share its pieces: extracted once.
    let mut extracted: Vec<(&str, &str, Vec<Piece>)> = Vec::new();
    let mut of_variant: Vec<(u64, usize)> = Vec::with_capacity(vs.len());
    for v in vs {
        let m = aud_index(&v.audience).map(bit).unwrap_or(0);
        let same = extracted
            .iter()
            .position(|(s, b, _)| *s == v.summary_html && *b == v.body_html);
        let i = same.unwrap_or_else(|| {
            let mut all = pieces(&v.summary_html, (short_answer, "summary"));
            all.extend(pieces(&v.body_html, ("", "")));
            extracted.push((&v.summary_html, &v.body_html, all));
            extracted.len() - 1
        });
        of_variant.push((m, i));
    }
    // Each piece's place in `order`, found by its content: a piece is copied once, when it
    // is first seen, not for every audience that sees it.
    let mut order: Vec<Piece> = Vec::new();
    let mut masks: Vec<u64> = Vec::new();
    let mut page_mask = 0u64;
    let mut place: BTreeMap<&Piece, usize> = BTreeMap::new();
    for &(m, i) in &of_variant {
        page_mask |= m;
        for p in &extracted[i].2 {
            match place.get(p) {
                Some(&at) => masks[at] |= m,
                None => {
                    place.insert(p, order.len());
                    order.push(p.clone());
                    masks.push(m);
                }
            }
        }
    }
    Seen {
        order,
        masks,
        page_mask,
    }
}

/// The page's headings and its entries: one per text under its heading, where the audiences
/// that number its citations differently each add a (mask, citations, anchor) triple.
fn entries(order: &[Piece], masks: &[u64]) -> (Vec<(String, String)>, Vec<Value>) {
    let mut headings: Vec<(String, String)> = Vec::new();
    let mut entries: Vec<Vec<Value>> = Vec::new();
    let mut entry_of: BTreeMap<(&str, usize), usize> = BTreeMap::new();
    for (p, &mask) in order.iter().zip(masks) {
        let h = match headings.iter().position(|h| *h == p.heading) {
            Some(i) => i,
            None => {
                headings.push(p.heading.clone());
                headings.len() - 1
            }
        };
        let triple = [json!(mask), json!(p.cites), anchor_value(&p.anchor)];
        match entry_of.get(&(p.text.as_str(), h)) {
            Some(&i) => entries[i].extend(triple),
            None => {
                entry_of.insert((&p.text, h), entries.len());
                let mut e = vec![json!(p.text), json!(h)];
                e.extend(triple);
                entries.push(e);
            }
        }
    }
    let entries = entries
        .into_iter()
        .map(|mut e| {
            // The last triple's empty anchor and citations can go.
            if e.len() > 2 && e[e.len() - 1] == json!(0) {
                e.pop();
                if e[e.len() - 1] == json!([]) {
                    e.pop();
                }
            }
            Value::Array(e)
        })
        .collect();
    (headings, entries)
}

/// The index file's bytes: `self.careguideSearch=<json>;`.
pub fn index_file(site: &Site, variants: &[Vec<Variant>]) -> Vec<u8> {
    index_bytes(&index_value(site, variants))
}

/// The index file's bytes from each page's part, already serialized (as the build cache keeps
/// them, so that an incremental build neither renders nor parses unchanged pages). The same
/// bytes as [`index_bytes`] of [`index_from`].
pub fn index_bytes_raw(config: &crate::config::Config, pages: &[crate::types::RawJson]) -> Vec<u8> {
    // Fields in the order a JSON object's sorted keys give: a, d, p, v.
    let audiences: Vec<(&str, &str)> = config
        .audiences
        .iter()
        .map(|a| (a.id.as_str(), a.label.as_str()))
        .collect();
    let default = config
        .audiences
        .iter()
        .position(|a| a.id == config.default_audience)
        .unwrap_or(0);
    let size: usize = pages.iter().map(|p| p.get().len() + 1).sum();
    let mut out = String::with_capacity(size + 256);
    out.push_str("self.");
    out.push_str(INDEX_GLOBAL);
    out.push_str("={\"a\":");
    out.push_str(&serde_json::to_string(&audiences).unwrap_or_else(|_| "[]".into()));
    out.push_str(",\"d\":");
    out.push_str(&default.to_string());
    out.push_str(",\"p\":[");
    for (i, p) in pages.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(p.get());
    }
    out.push_str("],\"v\":1};\n");
    out.into_bytes()
}

/// The index file's bytes for an assembled index value.
pub fn index_bytes(index: &Value) -> Vec<u8> {
    let json = serde_json::to_string(index).unwrap_or_else(|_| "{}".into());
    format!("self.{INDEX_GLOBAL}={json};\n").into_bytes()
}

#[cfg(test)]
mod index_tests {
    use super::*;
    use crate::render::publish::testsite::*;

    fn parsed(site: &Site, variants: &[Vec<Variant>]) -> Value {
        let bytes = index_file(site, variants);
        let text = String::from_utf8(bytes).unwrap_or_default();
        let json = text
            .strip_prefix(&format!("self.{INDEX_GLOBAL}="))
            .and_then(|t| t.strip_suffix(";\n"))
            .unwrap_or_default();
        serde_json::from_str(json).unwrap_or_else(|e| panic!("{e}: {text}"))
    }

    #[test]
    fn index_has_sentences_with_citations_and_audience_masks() {
        let (_dir, site, variants) = load(&[("a.md", PAGE_A), ("b.md", PAGE_B)]);
        let v = parsed(&site, &variants);
        assert_eq!(v["a"][1][0], "clinician");
        let page = &v["p"][0];
        assert_eq!(page["t"], "Tapering <b>safely</b> & slowly");
        assert_eq!(page["s"], "Approved");
        assert_eq!(page["r"], "2025-11-01");
        assert_eq!(page["m"], 3);
        let entries = page["e"].as_array().cloned().unwrap_or_default();
        let find = |t: &str| {
            entries
                .iter()
                .find(|e| e[0] == t)
                .cloned()
                .unwrap_or_else(|| panic!("{t} not in {entries:?}"))
        };
        // Both audiences see it: stored once with both bits.
        let first = find("Lower the dose in small steps.");
        assert_eq!(first[2], 3);
        assert_eq!(first[3], serde_json::json!([1]));
        assert!(first[4].as_i64().is_some_and(|a| a > 0), "{first}");
        let heading = &page["h"][first[1].as_u64().unwrap_or(99) as usize];
        assert_eq!(heading[0], "Before starting");
        assert_eq!(heading[1], "before-starting");
        assert_eq!(
            find("Ask the clinic first.").as_array().map(Vec::len),
            Some(3)
        );
        assert_eq!(find("A bullet with a claim.")[3], serde_json::json!([2]));
        // Only the clinician variant has this one.
        assert_eq!(find("Only clinicians read this sentence.")[2], 2);
        assert_eq!(find("Go slowly.")[1], 0);
        assert_eq!(page["h"][0][1], "summary");
    }

    #[test]
    fn a_text_numbered_differently_per_audience_is_stored_once() {
        let page = PAGE_A
            .replace("summary: Go slowly [@a].", "summary: Go slowly.")
            .replace(
                "## Before starting",
                "::: clinician\nFor clinicians only [@b].\n:::\n\n## Before starting",
            );
        let (_dir, site, variants) = load(&[("a.md", &page)]);
        let v = parsed(&site, &variants);
        let entries = v["p"][0]["e"].as_array().cloned().unwrap_or_default();
        let shared: Vec<&Value> = entries
            .iter()
            .filter(|e| e[0] == "Lower the dose in small steps.")
            .collect();
        assert_eq!(shared.len(), 1, "{entries:?}");
        // Patient: [a] is 1 at cite-1; clinician: [b] came first, so [a] is 2 at cite-2.
        assert_eq!(
            shared[0],
            &serde_json::json!(["Lower the dose in small steps.", 1, 1, [1], 1, 2, [2], 2])
        );
        assert_eq!(anchor_value("cite-s3"), serde_json::json!(-3));
        assert_eq!(anchor_value("x-1"), serde_json::json!("x-1"));
        assert_eq!(anchor_value("cite-01"), serde_json::json!("cite-01"));
    }

    #[test]
    fn index_is_json_whatever_the_titles_hold() {
        let (_dir, mut site, variants) = load(&[("a.md", PAGE_A)]);
        site.pages[0].front.title = "</script><script>alert(\"x\")</script>\u{2028}".into();
        let v = parsed(&site, &variants);
        assert_eq!(
            v["p"][0]["t"],
            "</script><script>alert(\"x\")</script>\u{2028}"
        );
        assert_eq!(index_file(&site, &variants), index_file(&site, &variants));
        // The build splices cached, already serialized page parts: the same bytes.
        let raw: Vec<_> = site
            .pages
            .iter()
            .zip(&variants)
            .map(|(d, vs)| crate::types::RawJson::of(&page_value(&site.config, d, vs)))
            .collect();
        assert_eq!(
            index_bytes_raw(&site.config, &raw),
            index_file(&site, &variants)
        );
    }
}
