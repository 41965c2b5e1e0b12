//! The glossary: `content/glossary.yaml` maps terms to plain-language definitions, and pages
//! for plain-language audiences explain each term at its first use.
//!
//! ```yaml
//! withdrawal: The symptoms your body has when you stop or cut down a drug it is used to.
//! taper: Lowering a dose a little at a time.
//! ```
//!
//! The first use of a term in a variant's body becomes
//! `<dfn class="gloss-term">taper</dfn><span class="gloss"> (Lowering a dose …)</span>` (the
//! definition's final full stop dropped, since it sits inside a sentence): the
//! definition is ordinary text right after the term, so screen readers read it, it prints, and
//! it needs no hover or script. Terms are matched as whole words, ignoring case, with an
//! optional plural `s`/`es`, and never inside tags, headings, links, code, citations or
//! existing definitions.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BinaryHeap, HashMap};
use std::fmt;
use std::path::{Path, PathBuf};

use aho_corasick::{AhoCorasick, AhoCorasickKind};
use serde::de::{Deserializer, MapAccess, Visitor};
use serde::Deserialize;

use crate::config::Config;
use crate::diag::{Category, Diagnostic};
use crate::types::AudienceId;
use crate::util::escape_html;
use crate::util::nesting::{too_deep, Syntax};

/// Where the glossary lives, relative to the site root.
pub const GLOSSARY_FILE: &str = "content/glossary.yaml";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    pub term: String,
    pub definition: String,
    /// 1-based line of the term in the glossary file.
    pub line: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Glossary {
    pub terms: Vec<Term>,
}

/// All entries of a YAML mapping in order, duplicates included (a map type would silently keep
/// only one of them).
struct Entries(Vec<(String, String)>);

impl<'de> Deserialize<'de> for Entries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Entries;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping of terms to definitions (`term: definition`)")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Entries, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry::<String, String>()? {
                    out.push((k, v));
                }
                Ok(Entries(out))
            }
            fn visit_unit<E: serde::de::Error>(self) -> Result<Entries, E> {
                Ok(Entries(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// Top-level keys of YAML text with their 1-based lines, as written.
fn key_lines(text: &str) -> Vec<(String, usize)> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.is_empty()
            || line.starts_with([' ', '\t', '#', '-', '.'])
            || line.starts_with("---")
        {
            continue;
        }
        let key = if let Some(rest) = line.strip_prefix('"') {
            rest.split('"').next().unwrap_or("")
        } else if let Some(rest) = line.strip_prefix('\'') {
            rest.split('\'').next().unwrap_or("")
        } else {
            match line
                .find(": ")
                .or_else(|| line.strip_suffix(':').map(|s| s.len()))
            {
                Some(e) => &line[..e],
                None => continue,
            }
        };
        out.push((key.trim().to_string(), i + 1));
    }
    out
}

fn norm(term: &str) -> String {
    term.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Parse glossary text. Problems (invalid YAML, duplicate or empty terms) are returned with the
/// usable part of the glossary.
pub fn parse(text: &str, file: &Path) -> (Glossary, Vec<Diagnostic>) {
    let mut diags = Vec::new();
    // Before the parser: its time grows faster than the input on deeply nested YAML.
    if let Some(d) = too_deep(text, Syntax::Yaml) {
        diags.push(
            Diagnostic::error("glossary/too-deep", d.message("the glossary"))
                .at(file, d.line, d.column)
                .hint("write one `term: plain-language definition` per line"),
        );
        return (Glossary::default(), diags);
    }
    let entries = match serde_norway::from_str::<Entries>(text) {
        Ok(e) => e.0,
        Err(e) => {
            let (l, c) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((1, 1));
            diags.push(
                Diagnostic::error("glossary/invalid", format!("the glossary is not valid: {e}"))
                    .at(file, l, c)
                    .hint("write one `term: plain-language definition` per line; quote a definition that contains ': '"),
            );
            return (Glossary::default(), diags);
        }
    };
    let lines = key_lines(text);
    let mut cursor = 0;
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut glossary = Glossary::default();
    for (term, definition) in entries {
        let line = match lines[cursor.min(lines.len())..]
            .iter()
            .position(|(k, _)| norm(k) == norm(&term))
        {
            Some(p) => {
                cursor += p + 1;
                lines[cursor - 1].1
            }
            None => 1,
        };
        let key = norm(&term);
        if key.is_empty() || !key.chars().any(char::is_alphanumeric) {
            diags.push(
                Diagnostic::error("glossary/empty", "a glossary entry has no term")
                    .at(file, line, 1)
                    .hint("write the term before the colon: `taper: Lowering a dose a little at a time.`"),
            );
            continue;
        }
        if let Some(first) = seen.get(&key) {
            diags.push(
                Diagnostic::error(
                    "glossary/duplicate",
                    format!("'{term}' is defined twice (first at line {first})"),
                )
                .at(file, line, 1)
                .hint("keep one definition of each term; terms are matched ignoring case, so 'Taper' and 'taper' are the same term"),
            );
            continue;
        }
        if definition.trim().is_empty() {
            diags.push(
                Diagnostic::error("glossary/empty", format!("'{term}' has no definition"))
                    .at(file, line, 1)
                    .hint("write a short plain-language definition after the colon"),
            );
            continue;
        }
        seen.insert(key, line);
        glossary.terms.push(Term {
            term: term.split_whitespace().collect::<Vec<_>>().join(" "),
            definition: definition.split_whitespace().collect::<Vec<_>>().join(" "),
            line,
        });
    }
    (glossary, diags)
}

/// Read `ROOT/content/glossary.yaml`; a site without one has an empty glossary.
pub fn load(root: &Path) -> (Glossary, Vec<Diagnostic>) {
    load_file(root, PathBuf::from(GLOSSARY_FILE))
}

/// The glossary file of pages in `lang` (`es`, `es-MX`), relative to the site root:
/// `content/glossary.<lang>.yaml` for the exact id or else its primary language
/// (`glossary.es.yaml`), if the site has one; else the default `content/glossary.yaml` when
/// `lang` is the site's default language (`default_lang`), whose glossary that is; else none
/// (a glossary in another language would explain words the page does not use, in words its
/// readers may not read).
pub fn file_for(root: &Path, lang: &str, default_lang: &str) -> Option<PathBuf> {
    let primary = crate::config::primary_language(lang);
    let mut ids = vec![lang.to_string()];
    if primary != lang {
        ids.push(primary.clone());
    }
    for id in ids {
        // A language id is letters, digits and '-': never a path of its own.
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            continue;
        }
        let rel = PathBuf::from(GLOSSARY_FILE.replace(".yaml", &format!(".{id}.yaml")));
        if root.join(&rel).is_file() {
            return Some(rel);
        }
    }
    (primary == crate::config::primary_language(default_lang)).then(|| PathBuf::from(GLOSSARY_FILE))
}

/// The glossary for pages in `lang` ([`file_for`]); a site without one has an empty glossary.
pub fn load_for(root: &Path, lang: &str, default_lang: &str) -> (Glossary, Vec<Diagnostic>) {
    match file_for(root, lang, default_lang) {
        Some(rel) => load_file(root, rel),
        None => (Glossary::default(), Vec::new()),
    }
}

/// The glossaries of a site's languages, each language's as [`load_for`] chooses it: for a
/// site whose pages carry their own language (`[[languages]]`), loaded once per build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Glossaries {
    by_lang: BTreeMap<String, Glossary>,
    empty: Glossary,
}

impl Glossaries {
    /// Every language's glossary; a file two languages share (`glossary.es.yaml` for `es` and
    /// `es-MX`) is read, and its problems reported, once.
    pub fn load(root: &Path, langs: &[&str], default_lang: &str) -> (Glossaries, Vec<Diagnostic>) {
        let mut out = Glossaries::default();
        let mut diags = Vec::new();
        let mut read: BTreeMap<PathBuf, Glossary> = BTreeMap::new();
        for lang in langs {
            let Some(rel) = file_for(root, lang, default_lang) else {
                continue;
            };
            let g = match read.get(&rel) {
                Some(g) => g.clone(),
                None => {
                    let (g, d) = load_file(root, rel.clone());
                    diags.extend(d);
                    read.insert(rel, g.clone());
                    g
                }
            };
            out.by_lang.insert(lang.to_string(), g);
        }
        (out, diags)
    }

    /// The glossary of pages in `lang` (empty for a language not loaded).
    pub fn for_lang(&self, lang: &str) -> &Glossary {
        self.by_lang.get(lang).unwrap_or(&self.empty)
    }
}

fn load_file(root: &Path, rel: PathBuf) -> (Glossary, Vec<Diagnostic>) {
    // A glossary that leads outside the site is reported by content::load; never read it.
    if crate::paths::escapes(&root.join(&rel), root).is_some() {
        return (Glossary::default(), Vec::new());
    }
    match crate::util::read_file_to_string(&root.join(&rel)) {
        Ok(text) => parse(&text, &rel),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => (Glossary::default(), Vec::new()),
        Err(e) => (
            Glossary::default(),
            vec![
                Diagnostic::error("io/read", format!("cannot read {}: {e}", rel.display()))
                    .in_file(&rel)
                    .category(Category::Io),
            ],
        ),
    }
}

/// Elements whose text is never annotated.
const SKIP: &[&str] = &[
    "a",
    "abbr",
    "button",
    "code",
    "dfn",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "kbd",
    "label",
    "nav",
    "pre",
    "samp",
    "script",
    "select",
    "style",
    "summary",
    "sup",
    "sub",
    "svg",
    "math",
    "textarea",
    "title",
    "var",
    "figcaption",
    "caption",
    "th",
];

/// Elements whose content is raw text: skipped up to their closing tag.
const RAW: &[&str] = &["script", "style", "textarea", "title"];

/// The end of the tag starting at `s[0] == '<'`, honouring quoted attribute values.
fn tag_end(s: &str) -> Option<usize> {
    let mut quote: Option<u8> = None;
    for (i, b) in s.bytes().enumerate().skip(1) {
        match (quote, b) {
            (Some(q), b) if b == q => quote = None,
            (Some(_), _) => {}
            (None, b'"' | b'\'') => quote = Some(b),
            (None, b'>') => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// Lower-case tag name and whether it is a closing tag.
fn tag_name(tag: &str) -> (String, bool) {
    let inner = tag.trim_start_matches('<');
    let closing = inner.starts_with('/');
    let name: String = inner
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect();
    (name.to_ascii_lowercase(), closing)
}

/// Find the first whole-word use of `needle` (already lower case and HTML-escaped) in
/// `hay_lower`, allowing a plural `s`/`es`; returns its byte range.
fn find_word(hay_lower: &str, needle: &str) -> Option<(usize, usize)> {
    let bytes = hay_lower.as_bytes();
    let boundary_before = |i: usize| {
        hay_lower[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric())
    };
    let boundary_at = |i: usize| {
        hay_lower[i..]
            .chars()
            .next()
            .is_none_or(|c| !c.is_alphanumeric())
    };
    let mut from = 0;
    while let Some(p) = hay_lower[from..].find(needle) {
        let start = from + p;
        let end = start + needle.len();
        if boundary_before(start) {
            if boundary_at(end) {
                return Some((start, end));
            }
            if bytes.get(end) == Some(&b's') && boundary_at(end + 1) {
                return Some((start, end + 1));
            }
            if hay_lower[end..].starts_with("es") && boundary_at(end + 2) {
                return Some((start, end + 2));
            }
        }
        from = start + needle.len().max(1);
        while from < hay_lower.len() && !hay_lower.is_char_boundary(from) {
            from += 1;
        }
    }
    None
}

fn match_form(s: &str) -> String {
    // The renderer escapes & < > " in text; match terms in the same form.
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .to_lowercase()
}

/// The terms' match forms in one automaton (aho-corasick), so that a text node is read once
/// whatever the size of the glossary (one search per term took 41 s for 1,000 terms over a
/// 600 KB page), and which terms can be placed from the automaton's matches alone.
struct Matcher {
    /// `None` if the automaton could not be built: every term is then searched on its own.
    ac: Option<AhoCorasick>,
    /// How each term's uses are placed from the automaton's matches (see [`Placing`]).
    placing: Vec<Placing>,
}

/// How a term's uses are found from the automaton's matches, with the result [`find_word`]
/// gives when it looks for the term in the text after the last use.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Placing {
    /// Its first use from any position is its first occurrence there that [`use_at`] accepts.
    Regular,
    /// The same, except at the position itself: the term starts with a character that is not
    /// a letter or digit (`-off`, `&amp;`) and could follow the last use at once, where
    /// `find_word` takes the start of the text it is given as the start of a word. Such an
    /// occurrence is looked up by position (thousands of these terms were once searched one
    /// by one after each use: quadratic).
    AtStart,
    /// Searched with `find_word` itself: a term that can overlap itself after a character that
    /// is not a letter or digit (`a a`, `no no`), where `find_word` skips occurrences that
    /// overlap one it rejected.
    Search,
}

impl Matcher {
    fn new(terms: &[(String, &Term)]) -> Matcher {
        let ac = AhoCorasick::builder()
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(terms.iter().map(|(n, _)| n))
            .ok();
        let placing = terms
            .iter()
            .map(|(n, _)| match ac {
                Some(_) => placing(n),
                None => Placing::Search,
            })
            .collect();
        Matcher { ac, placing }
    }
}

/// How `needle`'s uses can be found (see [`Placing`]). `find_word` skips occurrences
/// overlapping one it rejected, and takes the start of the text it is given as a word
/// boundary. The first matters only when an occurrence can overlap another one while following
/// a non-word character of it (not when there are no overlaps at all, or only letters and
/// digits); the second only when the term starts with a non-word character (the text after an
/// earlier use never starts with a letter or digit).
fn placing(needle: &str) -> Placing {
    let word = |c: char| c.is_alphanumeric();
    if needle.is_empty() || (!needle.chars().all(word) && has_border(needle)) {
        Placing::Search
    } else if needle.chars().next().is_some_and(word) {
        Placing::Regular
    } else {
        Placing::AtStart
    }
}

/// Whether some proper prefix of `s` is also its suffix (two occurrences can overlap).
fn has_border(s: &str) -> bool {
    let b = s.as_bytes();
    // The prefix function of Knuth, Morris and Pratt.
    let mut pi = vec![0usize; b.len()];
    for i in 1..b.len() {
        let mut k = pi[i - 1];
        while k > 0 && b[i] != b[k] {
            k = pi[k - 1];
        }
        if b[i] == b[k] {
            k += 1;
        }
        pi[i] = k;
    }
    pi.last().is_some_and(|&k| k > 0)
}

/// The end of the use of a term found at `start..start + len` in `hay`, if it is a whole word
/// (with an optional plural `s`/`es`): the test [`find_word`] makes.
fn use_at(hay: &str, start: usize, len: usize) -> Option<usize> {
    if hay[..start]
        .chars()
        .next_back()
        .is_some_and(|c| c.is_alphanumeric())
    {
        return None;
    }
    word_end(hay, start + len)
}

/// The end of a use of a term whose text ends at `end` in `hay`, if a word ends there (with
/// an optional plural `s`/`es`).
fn word_end(hay: &str, end: usize) -> Option<usize> {
    let boundary_at = |i: usize| hay[i..].chars().next().is_none_or(|c| !c.is_alphanumeric());
    if boundary_at(end) {
        Some(end)
    } else if hay.as_bytes().get(end) == Some(&b's') && boundary_at(end + 1) {
        Some(end + 1)
    } else if hay[end..].starts_with("es") && boundary_at(end + 2) {
        Some(end + 2)
    } else {
        None
    }
}

/// A term's next use in a text node, as [`use_at`] finds it: (start, term, end, index of the occurrence).
type Next = Reverse<(usize, usize, usize, usize)>;

/// The first use at or after `pos` of term `i` among its `starts` from index `k`.
fn next_use(
    hay: &str,
    starts: &[usize],
    mut k: usize,
    pos: usize,
    i: usize,
    len: usize,
) -> Option<Next> {
    while let Some(&s) = starts.get(k) {
        if s >= pos {
            if let Some(e) = use_at(hay, s, len) {
                return Some(Reverse((s, i, e, k)));
            }
        }
        k += 1;
    }
    None
}

/// Annotate one text node, marking terms not yet used: from the start, the earliest use of a
/// term not yet used (at one position the longest term: terms are sorted longest first), then
/// the same after it.
fn annotate_text(
    text: &str,
    terms: &[(String, &Term)],
    matcher: &Matcher,
    used: &mut [bool],
    out: &mut String,
) {
    let lower = text.to_lowercase();
    // Lower-casing changed byte lengths (rare scripts): match case-sensitively instead.
    let hay = if lower.len() == text.len() {
        lower.as_str()
    } else {
        text
    };
    // Every occurrence of a term not yet used, in order, by term.
    let mut starts: HashMap<usize, Vec<usize>> = HashMap::new();
    if let Some(ac) = &matcher.ac {
        for m in ac.find_overlapping_iter(hay) {
            let i = m.pattern().as_usize();
            if !used[i] {
                starts.entry(i).or_default().push(m.start());
            }
        }
    }
    let mut next: BinaryHeap<Next> = BinaryHeap::new();
    let mut irregular: Vec<usize> = Vec::new();
    // The occurrences of the terms placed at start, by position.
    let mut at_start: HashMap<usize, Vec<usize>> = HashMap::new();
    for i in 0..terms.len() {
        if used[i] {
            continue;
        }
        if matcher.placing[i] == Placing::Search {
            // Without an automaton every term is searched here; with one, only terms found.
            if matcher.ac.is_none() || starts.contains_key(&i) {
                irregular.push(i);
            }
        } else if let Some(st) = starts.get(&i) {
            next.extend(next_use(hay, st, 0, 0, i, terms[i].0.len()));
            if matcher.placing[i] == Placing::AtStart {
                for &s in st {
                    at_start.entry(s).or_default().push(i);
                }
            }
        }
    }
    let mut pos = 0;
    loop {
        let regular_best = loop {
            let Some(&Reverse((s, i, e, k))) = next.peek() else {
                break None;
            };
            if used[i] {
                next.pop();
            } else if s < pos {
                next.pop();
                let st = starts.get(&i).map_or(&[][..], Vec::as_slice);
                next.extend(next_use(hay, st, k + 1, pos, i, terms[i].0.len()));
            } else {
                break Some((s, e, i));
            }
        };
        let other_best = irregular
            .iter()
            .filter(|&&i| !used[i])
            .filter_map(|&i| {
                find_word(&hay[pos..], &terms[i].0).map(|(s, e)| (pos + s, pos + e, i))
            })
            .min_by_key(|&(s, _, i)| (s, i));
        // A term placed at start, right at `pos`, needs only a word end after it.
        let here = at_start
            .get(&pos)
            .into_iter()
            .flatten()
            .filter(|&&i| !used[i])
            .filter_map(|&i| word_end(hay, pos + terms[i].0.len()).map(|e| (pos, e, i)))
            .min_by_key(|&(_, _, i)| i);
        let earlier =
            |a: Option<(usize, usize, usize)>, b: Option<(usize, usize, usize)>| match (a, b) {
                (Some(a), Some(b)) => Some(if (a.0, a.2) <= (b.0, b.2) { a } else { b }),
                (a, b) => a.or(b),
            };
        let best = earlier(earlier(regular_best, other_best), here);
        let Some((s, e, i)) = best else { break };
        out.push_str(&text[pos..s]);
        out.push_str("<dfn class=\"gloss-term\">");
        out.push_str(&text[s..e]);
        out.push_str("</dfn><span class=\"gloss\"> (");
        out.push_str(&escape_html(inline_definition(&terms[i].1.definition)));
        out.push_str(")</span>");
        used[i] = true;
        pos = e;
    }
    out.push_str(&text[pos..]);
}

/// A definition as it reads inside parentheses in a sentence: without its final full stop,
/// so "(Lowering a dose.)." does not happen.
fn inline_definition(d: &str) -> &str {
    let d = d.trim();
    if d.ends_with("..") {
        d
    } else {
        d.strip_suffix('.').unwrap_or(d)
    }
}

/// Mark the first use of each glossary term in rendered HTML with its definition.
pub fn annotate(html: &str, glossary: &Glossary) -> String {
    Annotator::new(glossary).annotate(html)
}

/// Marks first uses across several HTML fragments of one page (the summary, then the body):
/// a term explained in the summary is not explained again in the body.
pub struct Annotator<'g> {
    terms: Vec<(String, &'g Term)>,
    used: Vec<bool>,
    /// Built at the first fragment with text to annotate.
    matcher: Option<Matcher>,
}

impl<'g> Annotator<'g> {
    pub fn new(glossary: &'g Glossary) -> Self {
        let mut terms: Vec<(String, &Term)> = glossary
            .terms
            .iter()
            .map(|t| (match_form(&t.term), t))
            .collect();
        terms.sort_by_key(|(n, _)| std::cmp::Reverse(n.len()));
        let used = vec![false; terms.len()];
        Annotator {
            terms,
            used,
            matcher: None,
        }
    }

    /// Annotate the next fragment of the page.
    pub fn annotate(&mut self, html: &str) -> String {
        if self.terms.is_empty() {
            return html.to_string();
        }
        let matcher = self
            .matcher
            .get_or_insert_with(|| Matcher::new(&self.terms));
        annotate_with(html, &self.terms, matcher, &mut self.used)
    }
}

fn annotate_with(
    html: &str,
    terms: &[(String, &Term)],
    matcher: &Matcher,
    used: &mut [bool],
) -> String {
    let mut out = String::with_capacity(html.len() + 256);
    let mut depth: BTreeMap<String, usize> = BTreeMap::new();
    let mut rest = html;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if depth.values().all(|d| *d == 0) {
                annotate_text(rest, terms, matcher, used, &mut out);
            } else {
                out.push_str(rest);
            }
            break;
        };
        let (text, tail) = rest.split_at(lt);
        if depth.values().all(|d| *d == 0) {
            annotate_text(text, terms, matcher, used, &mut out);
        } else {
            out.push_str(text);
        }
        // Comments, declarations and CDATA are copied as they are.
        if tail.starts_with("<!--") {
            let end = tail.find("-->").map(|e| e + 3).unwrap_or(tail.len());
            out.push_str(&tail[..end]);
            rest = &tail[end..];
            continue;
        }
        let Some(end) = tag_end(tail) else {
            out.push_str(tail);
            break;
        };
        let tag = &tail[..end];
        out.push_str(tag);
        rest = &tail[end..];
        let (name, closing) = tag_name(tag);
        if name.is_empty() {
            continue;
        }
        if !closing && RAW.contains(&name.as_str()) {
            let close = format!("</{name}");
            let stop = rest.to_ascii_lowercase().find(&close).unwrap_or(rest.len());
            out.push_str(&rest[..stop]);
            rest = &rest[stop..];
            continue;
        }
        if SKIP.contains(&name.as_str()) && !tag.ends_with("/>") {
            let d = depth.entry(name).or_insert(0);
            if closing {
                *d = d.saturating_sub(1);
            } else {
                *d += 1;
            }
        }
    }
    out
}

/// [`annotate`] for the audiences marked `plain = true`; other audiences' HTML is returned as
/// it is.
pub fn annotate_for(
    html: &str,
    glossary: &Glossary,
    config: &Config,
    audience: &AudienceId,
) -> String {
    match config.audience(audience) {
        Some(a) if a.plain => annotate(html, glossary),
        _ => html.to_string(),
    }
}

/// [`Annotator`] over a page's fragments in reading order, for plain-language audiences only.
pub fn annotate_parts_for(
    parts: &[&str],
    glossary: &Glossary,
    config: &Config,
    audience: &AudienceId,
) -> Vec<String> {
    match config.audience(audience) {
        Some(a) if a.plain => {
            let mut an = Annotator::new(glossary);
            parts.iter().map(|p| an.annotate(p)).collect()
        }
        _ => parts.iter().map(|p| p.to_string()).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience::testutil::config;

    #[test]
    fn each_language_reads_its_own_glossary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let root = dir.path();
        std::fs::create_dir_all(root.join("content")).expect("content");
        let write = |name: &str, text: &str| {
            std::fs::write(root.join("content").join(name), text).expect("write")
        };
        write(
            "glossary.yaml",
            "taper: Lowering a dose a little at a time.\n",
        );
        let terms = |g: &Glossary| g.terms.iter().map(|t| t.term.clone()).collect::<Vec<_>>();
        // No Spanish glossary: a Spanish site uses its default one; Spanish pages of an
        // English site get none rather than English definitions.
        assert_eq!(terms(&load_for(root, "es", "es").0), ["taper"]);
        assert!(load_for(root, "es", "en").0.terms.is_empty());
        assert_eq!(load_for(root, "en", "en"), load(root));
        write(
            "glossary.es.yaml",
            "abstinencia: Los malestares del cuerpo al dejar una droga.\nabstinencia: Otra vez.\n",
        );
        for (lang, default) in [("es", "es"), ("es-MX", "es"), ("es", "en")] {
            let (g, diags) = load_for(root, lang, default);
            assert_eq!(terms(&g), ["abstinencia"], "{lang}");
            // Problems are reported in the file they are in.
            assert_eq!(diags.len(), 1);
            assert_eq!(diags[0].rule, "glossary/duplicate");
            assert_eq!(
                diags[0].file.as_deref(),
                Some(Path::new("content/glossary.es.yaml"))
            );
            assert_eq!(diags[0].line, 2);
        }
        // The English pages keep the default glossary.
        assert_eq!(terms(&load_for(root, "en", "es").0), Vec::<String>::new());
        assert_eq!(terms(&load_for(root, "en-GB", "en").0), ["taper"]);
        // A language id is never a path.
        assert_eq!(file_for(root, "../x", "en"), None);
        // All of a site's languages at once: the shared Spanish file read (and its duplicate
        // reported) once.
        let (all, diags) = Glossaries::load(root, &["en", "es", "es-MX", "de"], "en");
        assert_eq!(diags.len(), 1, "{diags:?}");
        assert_eq!(terms(all.for_lang("en")), ["taper"]);
        assert_eq!(terms(all.for_lang("es")), ["abstinencia"]);
        assert_eq!(terms(all.for_lang("es-MX")), ["abstinencia"]);
        assert!(all.for_lang("de").terms.is_empty());
        assert!(all.for_lang("fr").terms.is_empty());
    }

    #[test]
    fn first_use_is_per_page_across_fragments() {
        let gl = g("taper: Lowering a dose.\n");
        let c = config();
        let out = annotate_parts_for(
            &["<p>A taper.</p>", "<p>The taper.</p>"],
            &gl,
            &c,
            &AudienceId::new("patient"),
        );
        assert!(out[0].contains("<dfn"));
        assert!(!out[1].contains("<dfn"));
        let out = annotate_parts_for(&["<p>A taper.</p>"], &gl, &c, &AudienceId::new("clinician"));
        assert_eq!(out[0], "<p>A taper.</p>");
    }

    fn g(text: &str) -> Glossary {
        let (g, d) = parse(text, Path::new(GLOSSARY_FILE));
        assert!(d.is_empty(), "{d:?}");
        g
    }

    #[test]
    fn parses_terms_with_lines() {
        let gl = g("# Plain words\nwithdrawal: The symptoms when you stop a drug.\n\"opioid use disorder\": A medical condition.\ntaper: >\n  Lowering a dose\n  a little at a time.\n");
        assert_eq!(gl.terms.len(), 3);
        assert_eq!(gl.terms[1].term, "opioid use disorder");
        assert_eq!(gl.terms[1].line, 3);
        assert_eq!(gl.terms[2].line, 4);
        assert_eq!(
            gl.terms[2].definition,
            "Lowering a dose a little at a time."
        );
        assert!(parse("", Path::new("g.yaml")).0.terms.is_empty());
    }

    #[test]
    fn duplicate_term_is_an_error_at_its_line() {
        let (gl, d) = parse(
            "taper: One.\nwithdrawal: Two.\nTaper: Three.\n",
            Path::new(GLOSSARY_FILE),
        );
        assert_eq!(gl.terms.len(), 2);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].rule, "glossary/duplicate");
        assert_eq!((d[0].line, d[0].column), (3, 1));
        assert!(d[0].message.contains("first at line 1"));
    }

    #[test]
    fn invalid_yaml_and_empty_definition() {
        let (_, d) = parse("taper: [unclosed\n", Path::new(GLOSSARY_FILE));
        assert_eq!(d[0].rule, "glossary/invalid");
        assert!(d[0].line >= 1);
        let (_, d) = parse("taper: ''\n", Path::new(GLOSSARY_FILE));
        assert_eq!(d[0].rule, "glossary/empty");
        let (_, d) = parse("- a list\n", Path::new(GLOSSARY_FILE));
        assert_eq!(d[0].rule, "glossary/invalid");
    }

    #[test]
    fn marks_first_use_only_and_escapes_the_definition() {
        let gl = g("taper: Lowering a dose <slowly> & safely.\n");
        let html = "<p>Your taper starts today. The taper ends in May.</p>\n";
        let out = annotate(html, &gl);
        assert_eq!(
            out,
            "<p>Your <dfn class=\"gloss-term\">taper</dfn><span class=\"gloss\"> (Lowering a dose &lt;slowly&gt; &amp; safely)</span> starts today. The taper ends in May.</p>\n"
        );
    }

    #[test]
    fn never_inside_tags_headings_links_or_code() {
        let gl = g("taper: Lowering a dose.\n");
        let html = "<h2 id=\"taper\">Taper</h2>\n<p><a href=\"/taper/\" title=\"taper\">taper plan</a> <code>taper</code> <img alt=\"taper\" src=\"x.png\"> tapering, then <strong>Tapers</strong> here.</p>";
        let out = annotate(html, &gl);
        assert_eq!(out.matches("<dfn").count(), 1, "{out}");
        assert!(
            out.contains("<strong><dfn class=\"gloss-term\">Tapers</dfn>"),
            "{out}"
        );
        assert!(out.starts_with("<h2 id=\"taper\">Taper</h2>"));
        assert!(out.contains("<a href=\"/taper/\" title=\"taper\">taper plan</a>"));
    }

    #[test]
    fn longest_term_wins_and_words_are_whole() {
        let gl = g("opioid: A kind of drug.\nopioid use disorder: A condition.\nuse: Never marked inside other words.\n");
        let out = annotate(
            "<p>Opioid use disorder is treatable. Opioids are drugs. Users</p>",
            &gl,
        );
        assert!(
            out.starts_with("<p><dfn class=\"gloss-term\">Opioid use disorder</dfn>"),
            "{out}"
        );
        assert!(
            out.contains("<dfn class=\"gloss-term\">Opioids</dfn>"),
            "{out}"
        );
        assert!(!out.contains(">Users<"), "{out}");
        assert!(out.ends_with("Users</p>"));
    }

    #[test]
    fn only_plain_audiences() {
        let gl = g("taper: Lowering a dose.\n");
        let c = config();
        let html = "<p>taper</p>";
        assert!(annotate_for(html, &gl, &c, &AudienceId::new("patient")).contains("<dfn"));
        assert_eq!(
            annotate_for(html, &gl, &c, &AudienceId::new("clinician")),
            html
        );
    }

    #[test]
    fn ampersand_terms_and_comments() {
        let gl = g("\"R&D\": Research.\n");
        let out = annotate("<!-- R&amp;D --><p>R&amp;D team</p>", &gl);
        assert!(
            out.starts_with("<!-- R&amp;D --><p><dfn class=\"gloss-term\">R&amp;D</dfn>"),
            "{out}"
        );
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    /// The text of HTML with tags removed.
    fn text_of(html: &str) -> String {
        let mut out = String::new();
        let mut in_tag = false;
        for c in html.chars() {
            match c {
                '<' => in_tag = true,
                '>' if in_tag => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    }

    /// The search the automaton replaced: every term not yet used looked for from the last
    /// use, the earliest (then the longest) taken.
    fn annotate_text_per_term(text: &str, terms: &[(String, &Term)], used: &mut [bool]) -> String {
        let mut out = String::new();
        let lower = text.to_lowercase();
        let hay = if lower.len() == text.len() {
            lower.as_str()
        } else {
            text
        };
        let mut pos = 0;
        loop {
            let best = terms
                .iter()
                .enumerate()
                .filter(|(i, _)| !used[*i])
                .filter_map(|(i, (needle, _))| {
                    find_word(&hay[pos..], needle).map(|(s, e)| (pos + s, pos + e, i))
                })
                .min_by_key(|&(s, _, i)| (s, i));
            let Some((s, e, i)) = best else { break };
            out.push_str(&text[pos..s]);
            out.push_str(&format!("[{}|{}]", &text[s..e], terms[i].1.definition));
            used[i] = true;
            pos = e;
        }
        out.push_str(&text[pos..]);
        out
    }

    proptest! {
        #[test]
        fn one_automaton_finds_what_a_search_per_term_found(
            words in proptest::collection::vec(prop_oneof![
                Just("taper"), Just("Tapers"), Just("tapes"), Just("a"), Just("a a"),
                Just("a-off"), Just("-off"), Just("no no"), Just("x"), Just("İ"), Just("es"),
                Just("&amp;"), Just("tap"), Just("ab"), Just("aba"), Just("bab"),
                Just(".x"), Just("a.x"), Just(".xs"), Just(".x.x"),
            ], 0..40),
            seps in proptest::collection::vec(prop_oneof![
                Just(" "), Just(""), Just(", "), Just("-"), Just("s "),
            ], 40),
            fragments in 1..3usize,
        ) {
            let gl = Glossary {
                terms: ["taper", "tap", "a", "a a", "-off", "no no", "x", "aba", "ab", "es", "&", ".x", ".x.x"]
                    .iter()
                    .enumerate()
                    .map(|(i, t)| Term { term: t.to_string(), definition: format!("d{i}"), line: 1 })
                    .collect(),
            };
            let text: String = words.iter().zip(&seps).map(|(w, s)| format!("{w}{s}")).collect();
            let mut an = Annotator::new(&gl);
            let mut used = vec![false; an.terms.len()];
            let matcher = Matcher::new(&an.terms);
            for _ in 0..fragments {
                let mut got = String::new();
                annotate_text(&text, &an.terms, &matcher, &mut an.used, &mut got);
                let want = annotate_text_per_term(&text, &an.terms, &mut used);
                // Only the markup differs: compare with the definitions written alike.
                let got = got
                    .replace("<dfn class=\"gloss-term\">", "[")
                    .replace("</dfn><span class=\"gloss\"> (", "|")
                    .replace(")</span>", "]");
                prop_assert_eq!(got, want);
                prop_assert_eq!(&an.used, &used);
            }
        }

        #[test]
        fn annotation_only_adds_definitions(
            parts in proptest::collection::vec(prop_oneof![
                Just("<p>".to_string()), Just("</p>".to_string()),
                Just("<a href=\"/taper\">".to_string()), Just("</a>".to_string()),
                Just("<h2>".to_string()), Just("</h2>".to_string()),
                Just("<code>".to_string()), Just("</code>".to_string()),
                Just(" taper ".to_string()), Just("Tapers".to_string()),
                Just("&amp;".to_string()), Just("<!-- c -->".to_string()),
                "[a-z é]{0,8}",
            ], 0..30),
        ) {
            let html: String = parts.concat();
            let (gl, _) = parse("taper: Lower a dose slowly.\n", Path::new("g.yaml"));
            let out = annotate(&html, &gl);
            prop_assert!(out.matches("<dfn").count() <= 1);
            let without = out
                .replace("<span class=\"gloss\"> (Lower a dose slowly)</span>", "")
                .replace("<dfn class=\"gloss-term\">", "")
                .replace("</dfn>", "");
            prop_assert_eq!(without, html.clone());
            prop_assert_eq!(text_of(&out).len() >= text_of(&html).len(), true);
        }

        #[test]
        fn any_glossary_text_parses_or_reports(text in r#"(?s)[a-zA-Z :\-\n"'#\[\]{}]{0,120}"#) {
            let (g, d) = parse(&text, Path::new(GLOSSARY_FILE));
            for x in &d {
                prop_assert!(x.line >= 1);
            }
            for t in &g.terms {
                prop_assert!(!t.definition.is_empty() && t.line >= 1);
            }
        }
    }
}
