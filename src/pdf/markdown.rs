//! Markdown to layout blocks, with `[@key]` citations turned into bracketed numbers.

use pulldown_cmark::{Alignment, Event, HeadingLevel, Parser, Tag, TagEnd};

use super::layout::{Align, Block, Cell, Span, Table};
use crate::cite::scan::CiteGroup;

/// Replace each citation group of `text` with its numbers (`[1]`, `[2,3]`), given the cited keys
/// in number order. Keys that are not numbered (unknown ones) are left out; a group with none
/// left disappears. The brackets are escaped so that Markdown keeps them as text.
pub fn number_citations(text: &str, groups: &[CiteGroup], order: &[String]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for g in groups {
        if g.range.start < pos || g.range.end > text.len() {
            continue;
        }
        out.push_str(&text[pos..g.range.start]);
        let nums: Vec<usize> = g
            .items
            .iter()
            .filter_map(|it| order.iter().position(|k| k == &it.key).map(|i| i + 1))
            .collect();
        if !nums.is_empty() {
            let runs = crate::cite::compress(&nums);
            let label = runs
                .iter()
                .map(|(a, b)| {
                    if a == b {
                        a.to_string()
                    } else {
                        format!("{a}–{b}")
                    }
                })
                .collect::<Vec<_>>()
                .join(",");
            // Drop the space before the group, as in "slowly [1]." -> "slowly [1]." (kept).
            out.push_str(&format!("\\[{label}\\]"));
        } else if out.ends_with(' ') {
            out.pop();
        }
        pos = g.range.end;
    }
    out.push_str(&text[pos..]);
    out
}

enum Container {
    Root(Vec<Block>),
    List(Option<u64>, Vec<Vec<Block>>),
    Item(Vec<Block>),
    Quote(Vec<Block>),
    Table {
        aligns: Vec<Align>,
        header: Vec<Cell>,
        rows: Vec<Vec<Cell>>,
        row: Vec<Cell>,
    },
}

struct Builder {
    stack: Vec<Container>,
    spans: Vec<Span>,
    bold: u32,
    italic: u32,
    /// Destination of the link being read, printed after its text when it is a web address.
    links: Vec<String>,
    skip: u32,
}

impl Builder {
    fn text(&mut self, t: &str) {
        if self.skip > 0 {
            return;
        }
        let (bold, italic) = (self.bold > 0, self.italic > 0);
        match self.spans.last_mut() {
            Some(s) if s.bold == bold && s.italic == italic => s.text.push_str(t),
            _ => self.spans.push(Span {
                text: t.to_string(),
                bold,
                italic,
            }),
        }
    }

    fn take_spans(&mut self) -> Vec<Span> {
        let mut spans = std::mem::take(&mut self.spans);
        // Trim the outer whitespace of the run.
        if let Some(s) = spans.first_mut() {
            s.text = s.text.trim_start().to_string();
        }
        if let Some(s) = spans.last_mut() {
            s.text = s.text.trim_end().to_string();
        }
        spans.retain(|s| !s.text.is_empty());
        spans
    }

    fn push_block(&mut self, b: Block) {
        match self.stack.last_mut() {
            Some(Container::Root(v)) | Some(Container::Item(v)) | Some(Container::Quote(v)) => {
                v.push(b)
            }
            Some(Container::List(_, items)) => match items.last_mut() {
                Some(it) => it.push(b),
                None => items.push(vec![b]),
            },
            Some(Container::Table { .. }) | None => {}
        }
    }

    /// Loose text inside a list item (tight lists have no paragraphs) becomes a paragraph.
    fn flush_loose(&mut self) {
        if self.spans.iter().any(|s| !s.text.trim().is_empty()) {
            let spans = self.take_spans();
            self.push_block(Block::Paragraph(spans));
        } else {
            self.spans.clear();
        }
    }
}

/// Convert Markdown (citations already numbered) into blocks. Headings start at level 2: the
/// document's title is the only level 1.
pub fn to_blocks(md: &str) -> Vec<Block> {
    let mut b = Builder {
        stack: vec![Container::Root(Vec::new())],
        spans: Vec::new(),
        bold: 0,
        italic: 0,
        links: Vec::new(),
        skip: 0,
    };
    for ev in Parser::new_ext(md, crate::util::markdown_options()) {
        match ev {
            Event::Start(tag) => match tag {
                Tag::Paragraph | Tag::Heading { .. } => b.flush_loose(),
                Tag::Strong => b.bold += 1,
                Tag::Emphasis => b.italic += 1,
                Tag::Link { dest_url, .. } => b.links.push(dest_url.to_string()),
                Tag::List(start) => {
                    b.flush_loose();
                    b.stack.push(Container::List(start, Vec::new()));
                }
                Tag::Item => b.stack.push(Container::Item(Vec::new())),
                Tag::BlockQuote(_) => {
                    b.flush_loose();
                    b.stack.push(Container::Quote(Vec::new()));
                }
                Tag::Table(aligns) => b.stack.push(Container::Table {
                    aligns: aligns
                        .iter()
                        .map(|a| match a {
                            Alignment::Right => Align::Right,
                            _ => Align::Left,
                        })
                        .collect(),
                    header: Vec::new(),
                    rows: Vec::new(),
                    row: Vec::new(),
                }),
                Tag::TableCell => b.spans.clear(),
                Tag::FootnoteDefinition(_) | Tag::HtmlBlock | Tag::MetadataBlock(_) => b.skip += 1,
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph => {
                    let spans = b.take_spans();
                    if !spans.is_empty() {
                        b.push_block(Block::Paragraph(spans));
                    }
                }
                TagEnd::Heading(level) => {
                    let spans = b.take_spans();
                    let level = match level {
                        HeadingLevel::H1 | HeadingLevel::H2 => 2,
                        _ => 3,
                    };
                    if !spans.is_empty() {
                        b.push_block(Block::Heading(level, spans));
                    }
                }
                TagEnd::Strong => b.bold = b.bold.saturating_sub(1),
                TagEnd::Emphasis => b.italic = b.italic.saturating_sub(1),
                TagEnd::Link => {
                    if let Some(url) = b.links.pop() {
                        if url.starts_with("http://")
                            || url.starts_with("https://")
                            || url.starts_with("tel:")
                            || url.starts_with("mailto:")
                        {
                            let shown = url
                                .trim_start_matches("mailto:")
                                .trim_start_matches("tel:")
                                .to_string();
                            b.text(&format!(" ({shown})"));
                        }
                    }
                }
                TagEnd::Item => {
                    b.flush_loose();
                    if let Some(Container::Item(blocks)) = b.stack.pop() {
                        if let Some(Container::List(_, items)) = b.stack.last_mut() {
                            items.push(blocks);
                        }
                    }
                }
                TagEnd::List(_) => {
                    if let Some(Container::List(start, items)) = b.stack.pop() {
                        b.push_block(Block::List(start, items));
                    }
                }
                TagEnd::BlockQuote(_) => {
                    b.flush_loose();
                    if let Some(Container::Quote(blocks)) = b.stack.pop() {
                        b.push_block(Block::Quote(blocks));
                    }
                }
                TagEnd::TableCell => {
                    let spans = b.take_spans();
                    if let Some(Container::Table { row, .. }) = b.stack.last_mut() {
                        row.push(Cell::Text(spans));
                    }
                }
                TagEnd::TableHead => {
                    if let Some(Container::Table { header, row, .. }) = b.stack.last_mut() {
                        *header = std::mem::take(row);
                    }
                }
                TagEnd::TableRow => {
                    if let Some(Container::Table { rows, row, .. }) = b.stack.last_mut() {
                        rows.push(std::mem::take(row));
                    }
                }
                TagEnd::Table => {
                    if let Some(Container::Table {
                        aligns,
                        header,
                        rows,
                        ..
                    }) = b.stack.pop()
                    {
                        b.push_block(Block::Table(Table {
                            header,
                            rows,
                            align: aligns,
                            min_row_height: 0.0,
                        }));
                    }
                }
                TagEnd::CodeBlock => {
                    let spans = b.take_spans();
                    if !spans.is_empty() {
                        b.push_block(Block::Paragraph(spans));
                    }
                }
                TagEnd::FootnoteDefinition | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_) => {
                    b.skip = b.skip.saturating_sub(1)
                }
                _ => {}
            },
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                b.text(&t)
            }
            Event::SoftBreak => b.text(" "),
            Event::HardBreak => b.text("\n"),
            Event::Rule => b.push_block(Block::Rule),
            Event::TaskListMarker(done) => b.text(if done { "☑ " } else { "☐ " }),
            Event::Html(_) | Event::InlineHtml(_) | Event::FootnoteReference(_) => {}
        }
    }
    b.flush_loose();
    match b.stack.into_iter().next() {
        Some(Container::Root(v)) => v,
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_from_markdown() {
        let md = "## Why\n\nStop **slowly**, *please*.\n\n1. One\n2. Two\n\n- a\n  - nested\n\n| A | B |\n|---|--:|\n| x | 1 |\n\n> Note\n";
        let blocks = to_blocks(md);
        assert_eq!(blocks[0], Block::Heading(2, vec![Span::plain("Why")]));
        assert_eq!(
            blocks[1],
            Block::Paragraph(vec![
                Span::plain("Stop "),
                Span::bold("slowly"),
                Span::plain(", "),
                Span::italic("please"),
                Span::plain("."),
            ])
        );
        match &blocks[2] {
            Block::List(Some(1), items) => assert_eq!(items.len(), 2),
            b => panic!("{b:?}"),
        }
        match &blocks[3] {
            Block::List(None, items) => {
                assert!(matches!(items[0][1], Block::List(None, _)), "{items:?}")
            }
            b => panic!("{b:?}"),
        }
        match &blocks[4] {
            Block::Table(t) => {
                assert_eq!(t.header.len(), 2);
                assert_eq!(t.rows.len(), 1);
                assert_eq!(t.align, vec![Align::Left, Align::Right]);
            }
            b => panic!("{b:?}"),
        }
        assert!(matches!(blocks[5], Block::Quote(_)));
    }

    #[test]
    fn citations_become_numbers_by_first_appearance() {
        let text = "Go slowly [@b]. Medicine helps [@a; @b]. Unknown [@zz].";
        let scan = crate::cite::scan::scan(text);
        let order = crate::cite::number(&scan.groups, |k| k != "zz");
        assert_eq!(order, vec!["b", "a"]);
        let out = number_citations(text, &scan.groups, &order);
        assert_eq!(out, "Go slowly \\[1\\]. Medicine helps \\[1,2\\]. Unknown.");
        let blocks = to_blocks(&out);
        assert_eq!(
            blocks[0],
            Block::Paragraph(vec![Span::plain(
                "Go slowly [1]. Medicine helps [1,2]. Unknown."
            )])
        );
    }
}
