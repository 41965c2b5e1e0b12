//! Finding `[@key]`, `[@a; @b]` and `[@key, p. 33]` in Markdown (the pandoc convention), with
//! their byte positions, while leaving code spans, code blocks and raw HTML alone.

use std::ops::Range;

use pulldown_cmark::{Event, Parser, Tag};

/// One cited work inside a group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiteItem {
    pub key: String,
    /// `p. 33` in `[@key, p. 33]`.
    pub locator: Option<String>,
    /// Byte offset of the `@` in the scanned text.
    pub offset: usize,
}

/// Where a citation group stands in a construct that cannot carry one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Misplaced {
    Heading,
    LinkText,
}

/// One bracketed citation group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CiteGroup {
    /// The whole `[...]`, as byte offsets into the scanned text.
    pub range: Range<usize>,
    pub items: Vec<CiteItem>,
    pub misplaced: Option<Misplaced>,
}

/// A bracket that starts like a citation but is not a valid one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Malformed {
    pub offset: usize,
    pub message: String,
    pub hint: String,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Scan {
    pub groups: Vec<CiteGroup>,
    pub malformed: Vec<Malformed>,
}

/// Characters allowed inside a key only between two word characters (pandoc's rule).
const INNER_PUNCT: &[char] = &[
    ':', '.', '#', '$', '%', '&', '-', '+', '?', '<', '>', '~', '/',
];

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Parse a key starting at `s` (just after `@`); returns the key's length in bytes.
fn key_len(s: &str) -> usize {
    let mut end = 0;
    let chars: Vec<(usize, char)> = s.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (o, c) = chars[i];
        if is_word(c) {
            end = o + c.len_utf8();
            i += 1;
        } else if end > 0
            && INNER_PUNCT.contains(&c)
            && chars.get(i + 1).map(|&(_, n)| is_word(n)).unwrap_or(false)
        {
            i += 1;
        } else {
            break;
        }
    }
    end
}

/// Whether `[@key]` is certainly a citation of exactly `key`, without parsing Markdown: ASCII
/// letters, digits and `_`, with `.`, `:`, `-`, `/` only between them. Nothing made of these
/// can start code, HTML, a link or a heading, so the full scan would agree.
pub fn is_plain_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"_.:-/".contains(&b))
        && key_len(key) == key.len()
}

/// The most citation groups one text (a page's body, its summary) may hold. A page of
/// patient guidance cites a few dozen sources; this stops a runaway page (3.9 MB of `[@r1] `
/// took 13 s and 1.3 GB before) with a clear error instead of minutes and gigabytes.
pub const MAX_CITATIONS: usize = 5_000;

/// Regions of `text` where a `[@` is not a citation, and regions where it is misplaced.
/// Ranges of text paired with where a citation there would be misplaced.
type MisplacedRegions = Vec<(Range<usize>, Misplaced)>;

/// Ranges in the order their starts come in the text, answering "the first range (in that
/// order) that holds this offset" by binary search: a page with thousands of code spans or
/// links and citations took time in their product when every range was tried.
struct Ordered {
    starts: Vec<usize>,
    /// The largest end among the ranges up to each one.
    max_end: Vec<usize>,
    /// The ranges, tried one by one should their starts ever come out of order.
    unordered: Option<Vec<Range<usize>>>,
}

impl Ordered {
    fn new<'a>(ranges: impl Iterator<Item = &'a Range<usize>> + Clone) -> Ordered {
        let mut starts = Vec::new();
        let mut max_end: Vec<usize> = Vec::new();
        for r in ranges.clone() {
            starts.push(r.start);
            max_end.push(max_end.last().copied().unwrap_or(0).max(r.end));
        }
        let unordered = (!starts.is_sorted()).then(|| ranges.cloned().collect());
        Ordered {
            starts,
            max_end,
            unordered,
        }
    }

    /// Index of the first range holding `o`.
    fn first_holding(&self, o: usize) -> Option<usize> {
        if let Some(rs) = &self.unordered {
            return rs.iter().position(|r| r.contains(&o));
        }
        let started = self.starts.partition_point(|&s| s <= o);
        let k = self.max_end.partition_point(|&e| e <= o);
        (k < started).then_some(k)
    }
}

/// The places in a text's Markdown where a `[@` is not a citation, or is a misplaced one, read
/// from its parser's events (with [`crate::util::markdown_options`]) by [`Regions::see`].
#[derive(Debug, Default)]
pub struct Regions {
    skip: Vec<Range<usize>>,
    misplaced: MisplacedRegions,
}

impl Regions {
    /// Take note of one event and its range.
    pub fn see(&mut self, ev: &Event, range: &Range<usize>) {
        match ev {
            Event::Code(_) | Event::Html(_) | Event::InlineHtml(_) => self.skip.push(range.clone()),
            Event::Start(Tag::CodeBlock(_)) => self.skip.push(range.clone()),
            Event::Start(Tag::Heading { .. }) => {
                self.misplaced.push((range.clone(), Misplaced::Heading))
            }
            Event::Start(Tag::Link { .. }) | Event::Start(Tag::Image { .. }) => {
                self.misplaced.push((range.clone(), Misplaced::LinkText))
            }
            _ => {}
        }
    }
}

fn regions(text: &str) -> Regions {
    let mut out = Regions::default();
    let opts = crate::util::markdown_options();
    for (ev, range) in Parser::new_ext(text, opts).into_offset_iter() {
        out.see(&ev, &range);
    }
    out
}

/// Whether `text` may hold a citation at all: [`scan`] finds none in a text without.
pub fn may_cite(text: &str) -> bool {
    text.contains("[@") || text.contains("[ @")
}

/// Scan Markdown text for citation groups.
pub fn scan(text: &str) -> Scan {
    if !may_cite(text) {
        return Scan::default();
    }
    scan_in(text, regions(text))
}

/// [`scan`] with the text's regions already read from its events (one parse shared with
/// another reader of the same text).
pub fn scan_in(text: &str, regions: Regions) -> Scan {
    let mut out = Scan::default();
    if !may_cite(text) {
        return out;
    }
    let Regions { skip, misplaced } = regions;
    let skip = Ordered::new(skip.iter());
    let placed = Ordered::new(misplaced.iter().map(|(r, _)| r));
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(rel) = text[i..].find('[') {
        let open = i + rel;
        i = open + 1;
        if open > 0 && bytes[open - 1] == b'\\' {
            continue;
        }
        let after = text[open + 1..].trim_start();
        if !after.starts_with('@') {
            continue;
        }
        if skip.first_holding(open).is_some() {
            continue;
        }
        if out.groups.len() == MAX_CITATIONS {
            out.malformed.push(Malformed {
                offset: open,
                message: format!(
                    "more than {MAX_CITATIONS} citations in one text; careguide reads no more"
                ),
                hint: "a page cites a few dozen sources; split the page, or cite a review that gathers them".into(),
            });
            break;
        }
        // The group ends at the first `]` on the same paragraph line range.
        let Some(close_rel) = text[open..].find([']', '\n']) else {
            out.malformed.push(Malformed {
                offset: open,
                message: "citation bracket is never closed".into(),
                hint: "write citations as [@key] or [@a; @b]".into(),
            });
            break;
        };
        let close = open + close_rel;
        if bytes[close] == b'\n' {
            out.malformed.push(Malformed {
                offset: open,
                message: "citation bracket is not closed on the same line".into(),
                hint: "write citations as [@key] or [@a; @b], on one line".into(),
            });
            continue;
        }
        // `[@key](url)` is a link whose text starts with @, not a citation.
        if text[close + 1..].starts_with('(') {
            continue;
        }
        let inner_start = open + 1;
        let inner = &text[inner_start..close];
        match parse_group(inner, inner_start) {
            Ok(items) => {
                let place = placed.first_holding(open).map(|k| misplaced[k].1);
                out.groups.push(CiteGroup {
                    range: open..close + 1,
                    items,
                    misplaced: place,
                });
            }
            Err(m) => out.malformed.push(m),
        }
        i = close + 1;
    }
    out
}

fn parse_group(inner: &str, base: usize) -> Result<Vec<CiteItem>, Malformed> {
    let mut items = Vec::new();
    let mut pos = 0;
    for part in inner.split(';') {
        let lead = part.len() - part.trim_start().len();
        let p = part.trim_start();
        let at = base + pos + lead;
        pos += part.len() + 1;
        let Some(rest) = p.strip_prefix('@') else {
            if is_locator(p.trim()) {
                return Err(no_key_for_locator(at, p.trim()));
            }
            return Err(Malformed {
                offset: at,
                message: format!("'{}' in a citation group is not a citation", p.trim()),
                hint: "separate cited keys with ';' and start each with '@': [@a; @b]".into(),
            });
        };
        // pandoc's `[@{key}]`: the key is everything inside the braces.
        let (key, tail) = if let Some(braced) = rest.strip_prefix('{') {
            match braced.find('}') {
                Some(close) => (braced[..close].trim(), braced[close + 1..].trim()),
                None => {
                    return Err(Malformed {
                        offset: at,
                        message: "citation key in braces has no closing '}'".into(),
                        hint: "write a key in braces as [@{key}]".into(),
                    })
                }
            }
        } else {
            let n = key_len(rest);
            (&rest[..n], rest[n..].trim())
        };
        if key.is_empty() {
            let loc = tail.trim_start_matches(',').trim();
            if !loc.is_empty() {
                return Err(no_key_for_locator(at, loc));
            }
            return Err(Malformed {
                offset: at,
                message: "citation with an empty key".into(),
                hint: "put the reference's id right after '@', for example [@weiss2021]".into(),
            });
        }
        let locator = if tail.is_empty() {
            None
        } else if let Some(loc) = tail.strip_prefix(',') {
            let loc = loc.trim();
            if loc.is_empty() {
                None
            } else {
                Some(loc.to_string())
            }
        } else {
            return Err(Malformed {
                offset: at,
                message: format!("citation key '@{}' is followed by '{}'", key, tail),
                hint: "keys cannot contain spaces; a locator follows a comma: [@key, p. 33]".into(),
            });
        };
        items.push(CiteItem {
            key: key.to_string(),
            locator,
            offset: at,
        });
    }
    Ok(items)
}

/// Whether `s` reads as a locator (`p. 33`, `pp. 2-4`, `chapter 3`, `sec. 2`).
fn is_locator(s: &str) -> bool {
    crate::cite::locator_label(s) != s.trim() || {
        let w = s.split(|c: char| !c.is_alphabetic()).next().unwrap_or("");
        matches!(
            w.to_lowercase().as_str(),
            "p" | "pp" | "page" | "pages" | "chapter" | "ch" | "sec" | "section"
        )
    }
}

/// A locator with no key before it.
fn no_key_for_locator(at: usize, loc: &str) -> Malformed {
    Malformed {
        offset: at,
        message: format!("the locator '{loc}' has no citation key"),
        hint: format!("a locator follows the key it points into, after a comma: [@key, {loc}]"),
    }
}

/// Why a reference id cannot be cited, if it cannot.
pub fn key_problem(id: &str) -> Option<String> {
    if id.trim().is_empty() {
        return Some("a reference has an empty id".into());
    }
    if id.chars().any(char::is_whitespace) {
        return Some(format!("reference id '{id}' contains a space"));
    }
    // Letters, digits and `_` alone always make a key that cites as itself (`key_len` takes
    // them all; no Markdown construct starts inside `[@...]` with them): the common case,
    // answered without parsing Markdown for every reference of every page.
    if id.chars().all(is_word) {
        return None;
    }
    key_problem_scanned(id)
}

/// [`key_problem`] by scanning `[@id]` as a page would be scanned.
fn key_problem_scanned(id: &str) -> Option<String> {
    let scanned = scan(&format!("[@{id}]"));
    match scanned.groups.first() {
        Some(g) if g.items.len() == 1 && g.items[0].key == id => None,
        _ => Some(format!("reference id '{id}' cannot be cited as [@{id}]")),
    }
}

/// Text without its `[@...]` citations, for listings and descriptions.
pub fn strip_citations(text: &str) -> String {
    let s = scan(text);
    let mut out = String::new();
    let mut pos = 0;
    for g in &s.groups {
        out.push_str(text[pos..g.range.start].trim_end());
        pos = g.range.end;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_ranges_answer_as_trying_each_would() {
        let ranges = [0..10, 2..4, 3..20, 12..13, 25..30, 26..27, 40..40, 40..41];
        let o = Ordered::new(ranges.iter());
        for at in 0..45 {
            let want = ranges.iter().position(|r| r.contains(&at));
            assert_eq!(o.first_holding(at), want, "{at}");
        }
        let shuffled = [5..9, 0..3, 1..6];
        let o = Ordered::new(shuffled.iter());
        assert_eq!(o.first_holding(5), Some(0));
        assert_eq!(o.first_holding(2), Some(1));
    }

    #[test]
    fn citations_beyond_the_cap_are_an_error() {
        let text = "Claim [@r1]. ".repeat(MAX_CITATIONS + 10);
        let s = scan(&text);
        assert_eq!(s.groups.len(), MAX_CITATIONS);
        assert_eq!(s.malformed.len(), 1);
        assert_eq!(
            s.malformed[0].offset,
            text.len() / (MAX_CITATIONS + 10) * MAX_CITATIONS + 6
        );
        assert!(s.malformed[0].message.contains("more than 5000 citations"));
        assert_eq!(scan(&"[@r1] ".repeat(MAX_CITATIONS)).malformed, vec![]);
    }

    #[test]
    fn plain_keys_are_what_the_full_scan_finds() {
        for key in [
            "weiss2021",
            "r12x3",
            "a.b",
            "a:b-c/d",
            "who_2023",
            "a.",
            ".a",
            "a..b",
            "a-",
            "_a_",
            "a__b",
            "x/y/z",
            "1",
            "a<b>c",
            "a`b`",
            "a b",
            "é1",
            "a#b",
            "",
        ] {
            let scanned = scan(&format!("[@{key}]"));
            let full = matches!(scanned.groups.first(), Some(g) if g.items.len() == 1 && g.items[0].key == key);
            if is_plain_key(key) {
                assert!(full, "{key}");
            }
        }
        assert!(is_plain_key("weiss2021") && is_plain_key("a:b-c/d"));
        assert!(!is_plain_key("a-") && !is_plain_key("a<b>c"));
    }

    proptest::proptest! {
        /// The shortcut for plain keys answers as scanning `[@id]` does.
        #[test]
        fn plain_keys_answer_as_scanning_does(id in "[a-zA-Z0-9_éß١ -]{0,12}|[-:._@#\\[\\]`<a-z0-9]{1,8}") {
            proptest::prop_assert_eq!(key_problem(&id), {
                if id.trim().is_empty() {
                    Some("a reference has an empty id".to_string())
                } else if id.chars().any(char::is_whitespace) {
                    Some(format!("reference id '{id}' contains a space"))
                } else {
                    key_problem_scanned(&id)
                }
            });
        }
    }

    fn keys(s: &Scan) -> Vec<Vec<&str>> {
        s.groups
            .iter()
            .map(|g| g.items.iter().map(|i| i.key.as_str()).collect())
            .collect()
    }

    #[test]
    fn finds_single_multiple_and_locators() {
        let t = "A claim [@weiss2021]. Two [@a; @b:2020]. Page [@c, p. 33].";
        let s = scan(t);
        assert_eq!(
            keys(&s),
            vec![vec!["weiss2021"], vec!["a", "b:2020"], vec!["c"]]
        );
        assert_eq!(s.groups[2].items[0].locator.as_deref(), Some("p. 33"));
        assert_eq!(&t[s.groups[0].range.clone()], "[@weiss2021]");
        assert_eq!(s.groups[0].items[0].offset, t.find("@weiss").unwrap());
        assert!(s.malformed.is_empty());
    }

    #[test]
    fn ignores_code_spans_blocks_links_and_escapes() {
        let t = "Use `[@key]` literally.\n\n```\n[@inblock]\n```\n\nAn [@handle](https://x.org) link, \\[@escaped].\n";
        let s = scan(t);
        assert!(s.groups.is_empty(), "{:?}", s.groups);
        assert!(s.malformed.is_empty());
    }

    #[test]
    fn trailing_punctuation_is_not_part_of_a_key() {
        let s = scan("see [@smith.]");
        // '.' before ']' is not followed by a word character, so it is not in the key...
        assert!(s.groups.is_empty());
        // ...and is reported as text after the key.
        assert_eq!(s.malformed.len(), 1);
    }

    #[test]
    fn key_with_space_and_empty_key_are_malformed() {
        let s = scan("x [@two words] y [@] z [@ok]");
        assert_eq!(s.malformed.len(), 2);
        assert!(s.malformed[0].message.contains("followed by 'words'"));
        assert!(s.malformed[1].message.contains("empty key"));
        assert_eq!(keys(&s), vec![vec!["ok"]]);
    }

    #[test]
    fn braced_keys_and_locators_without_keys() {
        let s = scan("a [@{weiss2021}] b [@{odd key}, p. 4] c [@weiss2021; p. 3] d [@, p. 2]");
        assert_eq!(keys(&s), vec![vec!["weiss2021"], vec!["odd key"]]);
        assert_eq!(s.groups[1].items[0].locator.as_deref(), Some("p. 4"));
        assert_eq!(s.malformed.len(), 2);
        assert!(s.malformed[0]
            .message
            .contains("locator 'p. 3' has no citation key"));
        assert!(s.malformed[1]
            .message
            .contains("locator 'p. 2' has no citation key"));
        assert!(scan("[@{open]").malformed[0].message.contains("closing"));
    }

    #[test]
    fn citation_in_heading_or_link_text_is_flagged() {
        let s = scan("# Title [@a]\n\nSee [text [@b]](http://x.org).\n");
        assert_eq!(s.groups.len(), 2);
        assert_eq!(s.groups[0].misplaced, Some(Misplaced::Heading));
        assert_eq!(s.groups[1].misplaced, Some(Misplaced::LinkText));
    }
}
