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

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::{json, Value};

use crate::model::{Site, Variant};

/// Where the index is written, relative to the site root.
pub const INDEX_PATH: &str = "search/index.js";
/// The global the index assigns itself to; `search.js` reads it.
pub const INDEX_GLOBAL: &str = "careguideSearch";

/// One searchable piece of one variant.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Piece {
    /// Heading text and id the piece sits under (the page's summary counts as a section).
    pub heading: (String, String),
    pub text: String,
    pub cites: Vec<u32>,
    /// Id of the first citation in the piece, to link straight to it.
    pub anchor: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Paragraph text: split into sentences.
    Prose,
    /// A bullet, table row, heading or code block: kept whole.
    Whole,
}

#[derive(Debug, Clone)]
enum Tok {
    Char(char),
    Cite(usize),
}

#[derive(Debug, Clone)]
struct Cite {
    id: String,
    nums: Vec<u32>,
}

/// Pieces of one rendered HTML fragment. `start` is the heading for text before the first
/// heading.
pub fn pieces(html: &str, start: (&str, &str)) -> Vec<Piece> {
    Extractor::new(start).run(html)
}

struct Extractor {
    heading: (String, String),
    out: Vec<Piece>,
    buf: Vec<Tok>,
    cites: Vec<Cite>,
    /// Open block elements, innermost last.
    blocks: Vec<String>,
    /// Inside `<sup class="cite">`: its id and the text seen so far.
    cite: Option<(String, String)>,
    /// Inside a heading: its id, and the buffer collects its text.
    in_heading: Option<String>,
}

const BLOCKS: &[&str] = &[
    "p",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "tr",
    "table",
    "thead",
    "tbody",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "div",
    "section",
    "figure",
    "figcaption",
    "hr",
];

impl Extractor {
    fn new(start: (&str, &str)) -> Self {
        Extractor {
            heading: (start.0.to_string(), start.1.to_string()),
            out: Vec::new(),
            buf: Vec::new(),
            cites: Vec::new(),
            blocks: Vec::new(),
            cite: None,
            in_heading: None,
        }
    }

    fn kind(&self) -> Kind {
        if self
            .blocks
            .iter()
            .any(|b| matches!(b.as_str(), "li" | "tr" | "pre" | "dt" | "dd"))
        {
            Kind::Whole
        } else {
            Kind::Prose
        }
    }

    fn run(mut self, html: &str) -> Vec<Piece> {
        let mut rest = html;
        while !rest.is_empty() {
            if let Some(stripped) = rest.strip_prefix("<!--") {
                rest = stripped
                    .find("-->")
                    .map(|i| &stripped[i + 3..])
                    .unwrap_or("");
                continue;
            }
            if rest.starts_with('<') {
                let end = rest.find('>').unwrap_or(rest.len() - 1);
                self.tag(&rest[1..end]);
                rest = &rest[(end + 1).min(rest.len())..];
                continue;
            }
            let end = rest.find('<').unwrap_or(rest.len());
            self.text(&decode_entities(&rest[..end]));
            rest = &rest[end..];
        }
        self.flush();
        self.out
    }

    fn text(&mut self, t: &str) {
        if let Some((_, seen)) = &mut self.cite {
            seen.push_str(t);
            return;
        }
        self.buf.extend(t.chars().map(Tok::Char));
    }

    fn tag(&mut self, inner: &str) {
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/');
        let name_end = inner
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(inner.len());
        let name = inner[..name_end].to_ascii_lowercase();
        let attrs = &inner[name_end..];
        if name == "sup" {
            if closing {
                if let Some((id, seen)) = self.cite.take() {
                    let nums = parse_numbers(&seen);
                    self.cites.push(Cite { id, nums });
                    self.buf.push(Tok::Cite(self.cites.len() - 1));
                }
            } else if attr(attrs, "class").is_some_and(|c| c.split(' ').any(|c| c == "cite")) {
                self.cite = Some((attr(attrs, "id").unwrap_or_default(), String::new()));
            }
            return;
        }
        if self.cite.is_some() {
            return;
        }
        if name == "br" {
            self.buf.push(Tok::Char(' '));
            return;
        }
        if matches!(name.as_str(), "td" | "th") && !closing {
            if self
                .buf
                .iter()
                .any(|t| matches!(t, Tok::Char(c) if !c.is_whitespace()))
            {
                self.buf.extend(" · ".chars().map(Tok::Char));
            }
            return;
        }
        if !BLOCKS.contains(&name.as_str()) {
            return;
        }
        let is_heading = name.len() == 2 && name.starts_with('h') && name != "hr";
        if closing {
            if is_heading {
                if let Some(id) = self.in_heading.take() {
                    let text = collapse(
                        &self
                            .buf
                            .iter()
                            .filter_map(|t| match t {
                                Tok::Char(c) => Some(*c),
                                Tok::Cite(_) => None,
                            })
                            .collect::<String>(),
                    );
                    self.buf.clear();
                    self.cites.clear();
                    self.heading = (text, id);
                }
            } else {
                self.flush();
            }
            if let Some(i) = self.blocks.iter().rposition(|b| *b == name) {
                self.blocks.truncate(i);
            }
        } else {
            self.flush();
            if is_heading {
                self.in_heading = Some(attr(attrs, "id").unwrap_or_default());
            }
            if name != "hr" {
                self.blocks.push(name);
            }
        }
    }

    /// Turn the buffered text into pieces.
    fn flush(&mut self) {
        if self.in_heading.is_some() {
            return;
        }
        let toks = std::mem::take(&mut self.buf);
        let cites = std::mem::take(&mut self.cites);
        let groups = match self.kind() {
            Kind::Whole => vec![toks],
            Kind::Prose => split_sentences(toks),
        };
        for g in groups {
            let mut text = String::new();
            let mut nums: Vec<u32> = Vec::new();
            let mut anchor = String::new();
            for t in &g {
                match t {
                    Tok::Char(c) => text.push(*c),
                    Tok::Cite(i) => {
                        if let Some(c) = cites.get(*i) {
                            if anchor.is_empty() {
                                anchor = c.id.clone();
                            }
                            for n in &c.nums {
                                if !nums.contains(n) {
                                    nums.push(*n);
                                }
                            }
                        }
                    }
                }
            }
            let text = collapse(&text);
            if text.chars().any(char::is_alphanumeric) {
                self.out.push(Piece {
                    heading: self.heading.clone(),
                    text,
                    cites: nums,
                    anchor,
                });
            }
        }
    }
}

/// The value of attribute `name` in a tag's attribute text, entities decoded.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let mut rest = attrs;
    while let Some(i) = rest.find(name) {
        let before_ok = i == 0 || rest.as_bytes()[i - 1].is_ascii_whitespace();
        let after = &rest[i + name.len()..];
        if before_ok {
            if let Some(v) = after.strip_prefix("=\"") {
                let end = v.find('"').unwrap_or(v.len());
                return Some(decode_entities(&v[..end]));
            }
        }
        rest = after;
    }
    None
}

/// Numbers in a citation's text: `1,3` and `2–4` (a range).
fn parse_numbers(s: &str) -> Vec<u32> {
    let mut out = Vec::new();
    for part in s.split(',') {
        let mut ends = part.split(['–', '-']).map(|p| p.trim().parse::<u32>().ok());
        match (ends.next().flatten(), ends.next().flatten()) {
            (Some(a), Some(b)) if a <= b && b - a < 100 => out.extend(a..=b),
            (Some(a), _) => out.push(a),
            _ => {}
        }
    }
    out
}

fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Whitespace runs become one space; the ends are trimmed.
fn collapse(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "eg", "ie", "dr", "mr", "mrs", "ms", "prof", "vs", "st", "no", "approx", "fig",
    "ca", "cf", "al", "min", "max", "mg", "ml", "inc",
];

/// Split paragraph text into sentences. A sentence ends at `.`, `?` or `!` (after any closing
/// quote or bracket and any citation) followed by space and a capital letter, digit or quote;
/// known abbreviations and initials do not end one.
fn split_sentences(toks: Vec<Tok>) -> Vec<Vec<Tok>> {
    let mut out = Vec::new();
    let mut cur: Vec<Tok> = Vec::new();
    let n = toks.len();
    let mut i = 0;
    while i < n {
        let tok = toks[i].clone();
        let is_space = matches!(tok, Tok::Char(c) if c.is_whitespace());
        if is_space && ends_sentence(&cur) {
            // The next visible character.
            let next = toks[i..].iter().find_map(|t| match t {
                Tok::Char(c) if !c.is_whitespace() => Some(*c),
                _ => None,
            });
            if next.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "\"“‘'(".contains(c))
            {
                out.push(std::mem::take(&mut cur));
                i += 1;
                continue;
            }
        }
        cur.push(tok);
        i += 1;
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn ends_sentence(cur: &[Tok]) -> bool {
    // Walk back from the end only: collecting the whole sentence at every space made a long
    // paragraph without full stops quadratic (a 1 MB line took many minutes).
    let mut rev = cur.iter().rev().filter_map(|t| match t {
        Tok::Char(c) => Some(*c),
        Tok::Cite(_) => None,
    });
    let Some(last) = rev.by_ref().find(|c| !"\"”’')]".contains(*c)) else {
        return false;
    };
    if !".?!".contains(last) {
        return false;
    }
    if last != '.' {
        return true;
    }
    // The word before the full stop.
    let mut word: Vec<char> = rev
        .take_while(|c| !(c.is_whitespace() || *c == '('))
        .collect();
    word.reverse();
    let word: String = word.into_iter().collect();
    let lower = word.to_lowercase();
    let initial = word.chars().count() == 1 && word.chars().all(char::is_uppercase);
    !(initial || ABBREVIATIONS.contains(&lower.as_str()))
}

#[derive(Serialize)]
struct PageOut {
    t: String,
    u: String,
    k: &'static str,
    s: &'static str,
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
    let aud_index = |id: &str| config.audiences.iter().position(|a| a.id == id);
    {
        // Piece → mask of the audiences that see it, in the order first seen.
        let mut order: Vec<Piece> = Vec::new();
        let mut masks: BTreeMap<Piece, u64> = BTreeMap::new();
        let mut page_mask = 0u64;
        // Audiences that share a rendering (same HTML) share its pieces: extracted once.
        let mut seen: Vec<(&str, &str, Vec<Piece>)> = Vec::new();
        for v in vs {
            let m = aud_index(&v.audience).map(bit).unwrap_or(0);
            page_mask |= m;
            let same = seen
                .iter()
                .find(|(s, b, _)| *s == v.summary_html && *b == v.body_html);
            let all = match same {
                Some((_, _, all)) => all.clone(),
                None => {
                    let mut all = pieces(&v.summary_html, ("The short answer", "summary"));
                    all.extend(pieces(&v.body_html, ("", "")));
                    seen.push((&v.summary_html, &v.body_html, all.clone()));
                    all
                }
            };
            for p in all {
                let slot = masks.entry(p.clone()).or_insert_with(|| {
                    order.push(p);
                    0
                });
                *slot |= m;
            }
        }
        // One entry per text under its heading; the audiences that number its citations
        // differently each add a (mask, citations, anchor) triple.
        let mut headings: Vec<(String, String)> = Vec::new();
        let mut entries: Vec<Vec<Value>> = Vec::new();
        let mut entry_of: BTreeMap<(String, usize), usize> = BTreeMap::new();
        for p in order {
            let h = match headings.iter().position(|h| *h == p.heading) {
                Some(i) => i,
                None => {
                    headings.push(p.heading.clone());
                    headings.len() - 1
                }
            };
            let mask = masks.get(&p).copied().unwrap_or(0);
            let triple = [json!(mask), json!(p.cites), anchor_value(&p.anchor)];
            match entry_of.get(&(p.text.clone(), h)) {
                Some(&i) => entries[i].extend(triple),
                None => {
                    entry_of.insert((p.text.clone(), h), entries.len());
                    let mut e = vec![json!(p.text), json!(h)];
                    e.extend(triple);
                    entries.push(e);
                }
            }
        }
        let entries: Vec<Value> = entries
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
        let r = &doc.front.review;
        serde_json::to_value(PageOut {
            t: doc.front.title.clone(),
            u: doc.path.clone(),
            k: r.status.id(),
            s: r.status.label(),
            r: r.last_reviewed.map(|d| d.iso()).unwrap_or_default(),
            m: page_mask,
            h: headings,
            e: entries,
        })
        .unwrap_or(Value::Null)
    }
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
mod tests {
    use super::*;

    fn texts(html: &str) -> Vec<String> {
        pieces(html, ("", "")).into_iter().map(|p| p.text).collect()
    }

    #[test]
    fn paragraphs_split_into_sentences_and_bullets_stay_whole() {
        let html = "<h2 id=\"a\">Start</h2>\n<p>One claim.<sup class=\"cite\" id=\"cite-1\"><a href=\"#ref-2\" aria-label=\"reference 2\">2</a></sup> Second, e.g. this\none. Dr. Who came?</p>\n<ul>\n<li>A bullet. Two sentences.</li>\n</ul>";
        let p = pieces(html, ("", ""));
        let t: Vec<&str> = p.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(
            t,
            vec![
                "One claim.",
                "Second, e.g. this one.",
                "Dr. Who came?",
                "A bullet. Two sentences."
            ]
        );
        assert_eq!(p[0].cites, vec![2]);
        assert_eq!(p[0].anchor, "cite-1");
        assert_eq!(p[0].heading, ("Start".to_string(), "a".to_string()));
        assert!(p[1].cites.is_empty());
    }

    #[test]
    fn citation_ranges_and_entities() {
        let html = "<p>Tom &amp; Jerry &lt;script&gt; said so.<sup class=\"cite\" id=\"cite-2\"><a href=\"#ref-1\">1</a>&#8211;<a href=\"#ref-3\">3</a>,<a href=\"#ref-5\">5</a></sup></p>";
        let p = pieces(html, ("", ""));
        assert_eq!(p[0].text, "Tom & Jerry <script> said so.");
        assert_eq!(p[0].cites, vec![1, 2, 3, 5]);
    }

    #[test]
    fn nested_lists_and_tables() {
        let html = "<ul><li>Outer<ul><li>Inner</li></ul></li></ul><table><thead><tr><th>Dose</th><th>Days</th></tr></thead><tbody><tr><td>5 g</td><td>7</td></tr></tbody></table>";
        assert_eq!(
            texts(html),
            vec!["Outer", "Inner", "Dose · Days", "5 g · 7"]
        );
    }

    #[test]
    fn numbers_parse() {
        assert_eq!(parse_numbers("1–3,5"), vec![1, 2, 3, 5]);
        assert_eq!(parse_numbers("?"), Vec::<u32>::new());
        assert_eq!(parse_numbers("4"), vec![4]);
    }

    #[test]
    fn attributes_are_read() {
        assert_eq!(
            attr(" class=\"cite\" id=\"cite-3\"", "id").as_deref(),
            Some("cite-3")
        );
        assert_eq!(attr(" data-id=\"x\"", "id"), None);
    }
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
