//! Helpers at the bottom of the house: escaping, the Markdown dialect, digests. They import
//! nothing from the rest of the crate.

use pulldown_cmark::Options;

/// Escape text for HTML element content and quoted attributes. Unlike Tera's default this
/// leaves '/' alone, so URLs stay readable in the page source.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The Markdown dialect of careguide pages: CommonMark plus tables, footnotes, strikethrough,
/// smart punctuation and `{#id}` heading attributes.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A 128-bit digest (XXH3): plenty for cache keys, which only need to be stable for one
/// careguide binary (itself part of every key), and fast enough that hashing every page and
/// output file costs little.
pub struct Digest(xxhash_rust::xxh3::Xxh3);

impl Default for Digest {
    fn default() -> Self {
        Self::new()
    }
}

impl Digest {
    pub fn new() -> Self {
        Digest(xxhash_rust::xxh3::Xxh3::new())
    }

    /// Add a field; fields are length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    pub fn field(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    pub fn hex(&self) -> String {
        format!("{:032x}", self.0.digest128())
    }
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(2))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}
