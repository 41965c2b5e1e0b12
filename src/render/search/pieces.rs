//! The searchable pieces of a rendered HTML fragment: each sentence of a paragraph, each bullet,
//! table row, heading and code block whole, with the citation numbers it carries and the anchor
//! closest to it.

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
    /// The text of the block being read.
    buf: String,
    /// Where in `buf` each citation of `cites` sits (its byte offset: the text before it).
    marks: Vec<(usize, usize)>,
    cites: Vec<Cite>,
    /// Open block elements, innermost last.
    blocks: Vec<&'static str>,
    /// Inside `<sup class="cite">`: its id and the text seen so far.
    cite: Option<(String, String)>,
    /// Inside a heading: its id, and the buffer collects its text.
    in_heading: Option<String>,
    /// Inside a callout's label ("Important"): not searchable text; the callout's text is.
    in_label: bool,
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
            buf: String::new(),
            marks: Vec::new(),
            cites: Vec::new(),
            blocks: Vec::new(),
            cite: None,
            in_heading: None,
            in_label: false,
        }
    }

    fn kind(&self) -> Kind {
        if self
            .blocks
            .iter()
            .any(|b| matches!(*b, "li" | "tr" | "pre" | "dt" | "dd"))
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
            // '<', '>' and '&' are ASCII: found as bytes.
            let bytes = rest.as_bytes();
            if rest.starts_with('<') {
                let end = memchr::memchr(b'>', bytes).unwrap_or(rest.len() - 1);
                self.tag(&rest[1..end]);
                rest = &rest[(end + 1).min(rest.len())..];
                continue;
            }
            let end = memchr::memchr(b'<', bytes).unwrap_or(rest.len());
            if memchr::memchr(b'&', &bytes[..end]).is_some() {
                self.text(&crate::util::decode_entities(&rest[..end]));
            } else {
                self.text(&rest[..end]);
            }
            rest = &rest[end..];
        }
        self.flush();
        self.out
    }

    fn text(&mut self, t: &str) {
        if self.in_label {
            return;
        }
        if let Some((_, seen)) = &mut self.cite {
            seen.push_str(t);
            return;
        }
        self.buf.push_str(t);
    }

    fn tag(&mut self, inner: &str) {
        let closing = inner.starts_with('/');
        let inner = inner.trim_start_matches('/');
        let name_end = inner
            .find(|c: char| c.is_whitespace() || c == '/')
            .unwrap_or(inner.len());
        // The tag's name, in any case.
        let raw = &inner[..name_end];
        let is = |name: &str| raw.eq_ignore_ascii_case(name);
        let attrs = &inner[name_end..];
        if is("p") && (self.in_label || attr(attrs, "class").as_deref() == Some("callout-label")) {
            if !closing {
                self.flush();
            }
            self.in_label = !closing;
            return;
        }
        if is("sup") {
            self.sup(closing, attrs);
            return;
        }
        if self.cite.is_some() {
            return;
        }
        if is("br") {
            self.buf.push(' ');
            return;
        }
        if (is("td") || is("th")) && !closing {
            if self.buf.chars().any(|c| !c.is_whitespace()) {
                self.buf.push_str(" · ");
            }
            return;
        }
        if let Some(name) = BLOCKS.iter().find(|b| is(b)) {
            self.block(name, closing, attrs);
        }
    }

    /// `<sup class="cite">` opens a citation whose numbers are read until `</sup>`.
    fn sup(&mut self, closing: bool, attrs: &str) {
        if closing {
            if let Some((id, seen)) = self.cite.take() {
                let nums = parse_numbers(&seen);
                self.cites.push(Cite { id, nums });
                self.marks.push((self.buf.len(), self.cites.len() - 1));
            }
        } else if attr(attrs, "class").is_some_and(|c| c.split(' ').any(|c| c == "cite")) {
            self.cite = Some((attr(attrs, "id").unwrap_or_default(), String::new()));
        }
    }

    /// A block element opens or closes: the text before it becomes a piece, and a closing
    /// heading becomes the heading of the pieces after it.
    fn block(&mut self, name: &'static str, closing: bool, attrs: &str) {
        let is_heading = name.len() == 2 && name.starts_with('h') && name != "hr";
        if !closing {
            self.flush();
            if is_heading {
                self.in_heading = Some(attr(attrs, "id").unwrap_or_default());
            }
            if name != "hr" {
                self.blocks.push(name);
            }
            return;
        }
        if !is_heading {
            self.flush();
        } else if let Some(id) = self.in_heading.take() {
            self.heading = (collapse(&self.buf), id);
            self.buf.clear();
            self.marks.clear();
            self.cites.clear();
        }
        if let Some(i) = self.blocks.iter().rposition(|b| *b == name) {
            self.blocks.truncate(i);
        }
    }

    /// Turn the buffered text into pieces.
    fn flush(&mut self) {
        if self.in_heading.is_some() {
            return;
        }
        let buf = std::mem::take(&mut self.buf);
        let marks = std::mem::take(&mut self.marks);
        let cites = std::mem::take(&mut self.cites);
        if buf.is_empty() && marks.is_empty() {
            return;
        }
        let groups = match self.kind() {
            Kind::Whole => vec![(0, buf.len())],
            Kind::Prose => split_sentences(&buf),
        };
        let mut marks = marks.iter().peekable();
        for (start, end) in groups {
            let mut nums: Vec<u32> = Vec::new();
            let mut anchor = String::new();
            // A citation at the very end of a sentence (before the space that ends it) is
            // the sentence's; one after that space is the next one's.
            while let Some(&&(_, i)) = marks.peek().filter(|(at, _)| *at <= end) {
                marks.next();
                if let Some(c) = cites.get(i) {
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
            let text = collapse(&buf[start..end]);
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
/// `name` is ASCII.
fn attr(attrs: &str, name: &str) -> Option<String> {
    let (bytes, wanted) = (attrs.as_bytes(), name.as_bytes());
    let first = *wanted.first()?;
    // Each place the name occurs, left to right, a match not overlapping the one before.
    let mut from = 0;
    while let Some(j) = memchr::memchr(first, &bytes[from..]) {
        let i = from + j;
        if !bytes[i..].starts_with(wanted) {
            from = i + 1;
            continue;
        }
        let before_ok = i == 0 || bytes[i - 1].is_ascii_whitespace();
        let after = &attrs[i + name.len()..];
        if before_ok {
            if let Some(v) = after.strip_prefix("=\"") {
                let end = v.find('"').unwrap_or(v.len());
                return Some(crate::util::decode_entities(&v[..end]));
            }
        }
        from = i + name.len();
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

/// Whitespace runs become one space; the ends are trimmed.
fn collapse(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

const ABBREVIATIONS: &[&str] = &[
    "e.g", "i.e", "eg", "ie", "dr", "mr", "mrs", "ms", "prof", "vs", "st", "no", "approx", "fig",
    "ca", "cf", "al", "min", "max", "mg", "ml", "inc",
];

/// Split paragraph text into sentences. A sentence ends at `.`, `?` or `!` (after any closing
/// quote or bracket and any citation) followed by space and a capital letter, digit or quote;
/// known abbreviations and initials do not end one.
fn split_sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if i < start || !c.is_whitespace() || !ends_sentence(&text[start..i]) {
            continue;
        }
        // The next visible character.
        let next = text[i..].chars().find(|c| !c.is_whitespace());
        if next.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit() || "\"“‘'(".contains(c))
        {
            out.push((start, i));
            // The space that ends the sentence belongs to neither.
            start = i + c.len_utf8();
        }
    }
    if start < text.len() || out.is_empty() {
        out.push((start, text.len()));
    }
    out
}

fn ends_sentence(cur: &str) -> bool {
    // Walk back from the end only: collecting the whole sentence at every space made a long
    // paragraph without full stops quadratic (a 1 MB line took many minutes).
    let mut rev = cur.chars().rev();
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

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(html: &str) -> Vec<String> {
        pieces(html, ("", "")).into_iter().map(|p| p.text).collect()
    }

    /// A citation before the space that ends a sentence is the sentence's; one after it is
    /// the next sentence's, and one at the end of a bullet is the bullet's.
    #[test]
    fn citations_go_with_the_sentence_they_touch() {
        let cite = |n: u32| {
            format!("<sup class=\"cite\" id=\"cite-{n}\"><a href=\"#ref-{n}\">{n}</a></sup>")
        };
        let html = format!(
            "<p>First.{} Second. {}Third ends. Fourth\u{a0}is here.{}</p><ul><li>Item{}</li></ul>",
            cite(1),
            cite(2),
            cite(3),
            cite(4)
        );
        let p = pieces(&html, ("", ""));
        let got: Vec<(&str, &[u32], &str)> = p
            .iter()
            .map(|p| (p.text.as_str(), p.cites.as_slice(), p.anchor.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("First.", &[1][..], "cite-1"),
                ("Second.", &[][..], ""),
                ("Third ends.", &[2][..], "cite-2"),
                ("Fourth is here.", &[3][..], "cite-3"),
                ("Item", &[4][..], "cite-4"),
            ]
        );
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
    fn callout_text_is_searchable_and_its_label_is_not() {
        let md = "::: {.urgent}\nCall your local emergency number for a seizure.\n:::\n";
        let html = crate::render::markdown::render(md, &[]).html;
        assert!(html.contains("callout-label"), "{html}");
        assert_eq!(
            texts(&html),
            vec!["Call your local emergency number for a seizure."]
        );
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
