//! How deeply YAML, JSON or BibTeX text nests, found by one cheap pass before a parser sees it.
//!
//! The parsers careguide uses (libyaml through serde_norway and hayagriva, serde_json, the
//! biblatex crate) take time that grows faster than the input on deeply nested text: 200,000
//! `[` in front matter took minutes. No clinic file nests more than a few levels, so text
//! nested deeper than [`MAX_DEPTH`] is refused at the line where it passes the limit, before
//! any parser runs. The scan errs on the side of counting: a bracket it cannot place (inside a
//! multi-line quoted string, say) counts, so the parsers never see more than the limit.

/// The deepest nesting a configuration, front matter, glossary or bibliography may have: the
/// same as for block quotes and lists in a page.
pub const MAX_DEPTH: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// Flow collections (`[`, `{`), block indentation and compact `- - -` sequences.
    Yaml,
    /// Arrays and objects, outside strings.
    Json,
    /// Braces.
    Bibtex,
}

/// Where text first nests deeper than [`MAX_DEPTH`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// 1-based line of the text.
    pub line: usize,
    /// 1-based column (in characters).
    pub column: usize,
}

impl TooDeep {
    /// The diagnostic's message, for `what` ("the front matter", "the glossary" ...).
    pub fn message(&self, what: &str) -> String {
        format!("{what} is nested more than {MAX_DEPTH} levels deep here")
    }
}

/// The first place `text` nests deeper than [`MAX_DEPTH`], if any. Linear in the text.
pub fn too_deep(text: &str, syntax: Syntax) -> Option<TooDeep> {
    match syntax {
        Syntax::Yaml => yaml(text),
        Syntax::Json => brackets(text, true),
        Syntax::Bibtex => brackets(text, false),
    }
}

/// JSON (`json`: brackets and braces outside strings) or BibTeX (braces).
fn brackets(text: &str, json: bool) -> Option<TooDeep> {
    let mut depth = 0usize;
    for (n, line) in text.split('\n').enumerate() {
        // A JSON string cannot hold a line break: a string left open ends with its line.
        let mut in_string = false;
        let mut escaped = false;
        for (col, c) in line.chars().enumerate() {
            if in_string {
                match c {
                    _ if escaped => escaped = false,
                    '\\' => escaped = true,
                    '"' => in_string = false,
                    _ => {}
                }
                continue;
            }
            match c {
                '"' if json => in_string = true,
                '[' if json => depth += 1,
                ']' if json => depth = depth.saturating_sub(1),
                '{' => depth += 1,
                '}' => depth = depth.saturating_sub(1),
                _ => continue,
            }
            if depth > MAX_DEPTH {
                return Some(TooDeep {
                    line: n + 1,
                    column: col + 1,
                });
            }
        }
    }
    None
}

/// Whether a YAML node may start after `prev`, the last character before it that is not a
/// space (`None` at the start of a line), `flow` collections being open.
fn token_start(prev: Option<char>, flow: usize) -> bool {
    matches!(prev, None | Some(':' | '-' | '?'))
        || (flow > 0 && matches!(prev, Some(',' | '[' | '{')))
}

fn yaml(text: &str) -> Option<TooDeep> {
    let mut y = Yaml::default();
    // One buffer for every line's characters.
    let mut chars: Vec<char> = Vec::new();
    for (n, line) in text.split('\n').enumerate() {
        chars.clear();
        chars.extend(line.trim_end_matches('\r').chars());
        if let Err(col) = y.line(&chars) {
            return Some(TooDeep {
                line: n + 1,
                column: col + 1,
            });
        }
    }
    None
}

/// What is open at the end of a line of YAML, for [`yaml`].
#[derive(Default)]
struct Yaml {
    /// Open flow collections, across lines.
    flow: usize,
    /// Columns of the open block collections (indentation, and `- ` items written on one line).
    blocks: Vec<usize>,
    /// Inside a block scalar (`|`, `>`) opened at this indentation: its content indentation,
    /// once its first line has set it.
    scalar: Option<(usize, Option<usize>)>,
}

impl Yaml {
    /// Read one line; `Err(column)` where it opens one collection too many.
    fn line(&mut self, chars: &[char]) -> Result<(), usize> {
        let indent = chars.iter().take_while(|c| **c == ' ').count();
        let blank = chars[indent..].iter().all(|c| c.is_whitespace());
        if self.in_block_scalar(indent, blank) || blank || chars[indent] == '#' {
            return Ok(());
        }
        let mut i = indent;
        if self.flow == 0 {
            i = self.block_indicators(chars, indent);
            if self.blocks.len() > MAX_DEPTH {
                return Err(i.min(chars.len().saturating_sub(1)));
            }
        }
        self.rest_of_line(chars, i, indent)
    }

    /// A line inside a block scalar is text.
    fn in_block_scalar(&mut self, indent: usize, blank: bool) -> bool {
        let Some((parent, content)) = self.scalar else {
            return false;
        };
        if blank {
            return true;
        }
        match content {
            Some(c) if indent >= c => true,
            None if indent > parent => {
                self.scalar = Some((parent, Some(indent)));
                true
            }
            _ => {
                self.scalar = None;
                false
            }
        }
    }

    /// The line's indentation closes deeper blocks and opens its own; `- - - x` and `? ? x`
    /// open one collection an indicator. Where the line's content starts.
    fn block_indicators(&mut self, chars: &[char], indent: usize) -> usize {
        while self.blocks.last().is_some_and(|&b| b >= indent) {
            self.blocks.pop();
        }
        self.blocks.push(indent);
        let mut i = indent;
        while i < chars.len()
            && matches!(chars[i], '-' | '?')
            && chars.get(i + 1).is_none_or(|c| *c == ' ')
        {
            i += 1;
            while chars.get(i) == Some(&' ') {
                i += 1;
            }
            self.blocks.push(i);
        }
        i
    }

    /// Flow collections opened and closed from column `i` to the end of the line.
    fn rest_of_line(&mut self, chars: &[char], mut i: usize, indent: usize) -> Result<(), usize> {
        let mut prev: Option<char> = None;
        // The first character of the word being read, and of the word before it: a tag or an
        // anchor (`!!seq [`, `&a [`) before a bracket still makes it open a collection.
        let mut word: Option<char> = None;
        let mut last_word: Option<char> = None;
        while i < chars.len() {
            let c = chars[i];
            if c == ' ' || c == '\t' {
                if word.is_some() {
                    last_word = word.take();
                }
                i += 1;
                continue;
            }
            let opens_word = word.is_none();
            if opens_word {
                word = Some(c);
            }
            let flow = self.flow;
            match c {
                '#' if opens_word => break,
                // A quoted scalar, to its end or the end of the line. Only where a node
                // starts: in `[don't, [[...` the quote is text and the brackets nest.
                '"' | '\'' if token_start(prev, flow) => i = quoted_end(chars, i),
                '[' | '{' => {
                    // Inside a plain scalar (`title: range [0, 1)`), a bracket is text.
                    let property = |w: Option<char>| matches!(w, Some('!' | '&'));
                    let opens = flow > 0
                        || token_start(prev, flow)
                        || (opens_word && property(last_word))
                        || (!opens_word && property(word));
                    if opens {
                        self.flow += 1;
                        if self.blocks.len() + self.flow > MAX_DEPTH {
                            return Err(i);
                        }
                    }
                }
                ']' | '}' if flow > 0 => self.flow -= 1,
                '|' | '>' if flow == 0 && token_start(prev, flow) => {
                    let rest: String = chars[i + 1..].iter().collect();
                    let rest = rest.split(" #").next().unwrap_or("").trim_end();
                    if rest
                        .chars()
                        .all(|c| matches!(c, '+' | '-') || c.is_ascii_digit())
                    {
                        self.scalar = Some((indent, None));
                        break;
                    }
                }
                _ => {}
            }
            prev = chars.get(i).copied();
            i += 1;
        }
        Ok(())
    }
}

/// The column of the quote that ends the quoted scalar opening at `start` (or the end of the
/// line): `\"` escapes in double quotes, `''` in single ones.
fn quoted_end(chars: &[char], start: usize) -> usize {
    let q = chars[start];
    let mut i = start + 1;
    while i < chars.len() {
        if q == '"' && chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i] == q {
            if q == '\'' && chars.get(i + 1) == Some(&'\'') {
                i += 2;
                continue;
            }
            break;
        }
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn yaml_at(text: &str) -> Option<(usize, usize)> {
        too_deep(text, Syntax::Yaml).map(|d| (d.line, d.column))
    }

    #[test]
    fn deep_flow_collections_are_found_at_their_line() {
        let deep = format!("title: x\ntaper: {}{}\n", "[".repeat(200), "]".repeat(200));
        // Line 2: one block level (the mapping) and 99 brackets are the limit.
        assert_eq!(yaml_at(&deep), Some((2, 7 + 100)));
        let fine = format!("taper: {}{}\n", "[".repeat(99), "]".repeat(99));
        assert_eq!(yaml_at(&fine), None);
        // Across lines, and through a tag or an anchor.
        assert!(yaml_at(&format!("a: !!seq\n  {}\n", "[\n".repeat(150))).is_some());
        assert!(yaml_at(&format!("a: &x {}\n", "{".repeat(150))).is_some());
        assert!(yaml_at(&format!("a: [don't, {}\n", "[".repeat(150))).is_some());
    }

    #[test]
    fn compact_and_indented_blocks_count() {
        assert_eq!(
            yaml_at(&format!("{}x\n", "- ".repeat(150))).map(|d| d.0),
            Some(1)
        );
        let stairs: String = (0..150)
            .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
            .collect();
        assert_eq!(yaml_at(&stairs), Some((101, 101)));
    }

    #[test]
    fn text_is_not_nesting() {
        let t = format!(
            "a: \"{0}\"\nb: '{0}'' {0}'\nc: range {0}\nd: |\n  {0}\n   {0}\n\n  {0}\ne: >-\n    {0}\n# {0}\nf: x # {0}\n",
            "[".repeat(300)
        );
        assert_eq!(yaml_at(&t), None);
        // A line after a block scalar is read again.
        let t = format!("d: |\n  text\ne: {}\n", "[".repeat(300));
        assert_eq!(yaml_at(&t), Some((3, 4 + 99)));
    }

    #[test]
    fn json_and_bibtex() {
        let j = format!("[{}\n", "{\"a\": [".repeat(60));
        assert_eq!(
            too_deep(&j, Syntax::Json).map(|d| (d.line, d.column)),
            Some((1, 351))
        );
        assert_eq!(too_deep("[\"[[[[\", \"]\"]", Syntax::Json), None);
        let b = format!(
            "@article{{a,\n  title={{{}x{}}}\n}}\n",
            "{".repeat(150),
            "}".repeat(150)
        );
        assert_eq!(
            too_deep(&b, Syntax::Bibtex).map(|d| (d.line, d.column)),
            Some((2, 9 + 99))
        );
        assert_eq!(too_deep("@a{k, t={{x}}}", Syntax::Bibtex), None);
    }
}
