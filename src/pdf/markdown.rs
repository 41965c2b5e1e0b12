//! Markdown to layout blocks, with `[@key]` citations turned into bracketed numbers.

use pulldown_cmark::{Alignment, Event, HeadingLevel, Parser, Tag, TagEnd};

use super::layout::{Align, Block, CalloutKind, Cell, Picture, Span, Table};
use crate::audience::blocks::{self, Boxed, Mark};
use crate::cite::scan::CiteGroup;
use crate::util::markdown_options as options;

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
        let numbered = g
            .items
            .iter()
            .filter_map(|it| order.iter().position(|k| k == &it.key).map(|i| (i + 1, it)));
        let nums: Vec<usize> = numbered
            .clone()
            .filter(|(_, it)| it.locator.is_none())
            .map(|(n, _)| n)
            .collect();
        // A number with its locator stands alone, as on the page: `3(p2)`.
        let located: Vec<(usize, String)> = numbered
            .filter_map(|(n, it)| {
                it.locator
                    .as_deref()
                    .map(|l| (n, crate::cite::locator_label(l)))
            })
            .collect();
        if !nums.is_empty() || !located.is_empty() {
            let runs = crate::cite::compress(&nums);
            let mut parts: Vec<(usize, String)> = runs
                .iter()
                .map(|(a, b)| {
                    if a == b {
                        (*a, a.to_string())
                    } else {
                        (*a, format!("{a}–{b}"))
                    }
                })
                .collect();
            for (n, loc) in located {
                let loc: String = loc
                    .chars()
                    .flat_map(|c| {
                        let esc = c.is_ascii_punctuation() && !matches!(c, '.' | ',' | '-');
                        esc.then_some('\\').into_iter().chain(std::iter::once(c))
                    })
                    .collect();
                parts.push((n, format!("{n}({loc})")));
            }
            parts.sort_by_key(|(n, _)| *n);
            let label = parts
                .into_iter()
                .map(|(_, p)| p)
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
    /// A callout: boxed (`None` for `{.practice}`, whose blocks join its container).
    Callout(Option<CalloutKind>, Vec<Block>),
    Table {
        aligns: Vec<Align>,
        header: Vec<Cell>,
        rows: Vec<Vec<Cell>>,
        row: Vec<Cell>,
    },
}

/// Reads the image an address names, for [`to_blocks_with`]; `None` prints its alt text.
pub type LoadImage<'a> = &'a dyn Fn(&str) -> Option<printpdf::RawImage>;

/// An image being read: its picture, its alt text so far, and how deep in images it opened.
struct Pending {
    image: printpdf::RawImage,
    alt: String,
    depth: u32,
}

#[derive(Default)]
struct Builder<'a> {
    stack: Vec<Container>,
    spans: Vec<Span>,
    bold: u32,
    italic: u32,
    /// Destination of the link being read, printed after its text when it is a web address.
    links: Vec<String>,
    skip: u32,
    /// Inside the HTML block that stands for a callout fence.
    in_mark: bool,
    /// Reads images; without it every image is its alt text.
    load: Option<LoadImage<'a>>,
    /// The image being read, drawn where it ends.
    image: Option<Pending>,
    /// Images open (one in another's alt text is text).
    image_depth: u32,
    heading: bool,
}

impl Builder<'_> {
    fn text(&mut self, t: &str) {
        if let Some(p) = self.image.as_mut() {
            p.alt.push_str(t);
            return;
        }
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
            Some(Container::Root(v))
            | Some(Container::Item(v))
            | Some(Container::Quote(v))
            | Some(Container::Callout(_, v)) => v.push(b),
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

    /// A paragraph, heading or code block ends: its text becomes a block.
    fn end_text(&mut self, make: impl FnOnce(Vec<Span>) -> Block) {
        let spans = self.take_spans();
        if !spans.is_empty() {
            self.push_block(make(spans));
        }
    }

    fn start(&mut self, tag: Tag) {
        match tag {
            Tag::Paragraph => self.flush_loose(),
            Tag::Heading { .. } => {
                self.flush_loose();
                self.heading = true;
            }
            Tag::Image { dest_url, .. } => self.start_image(&dest_url),
            Tag::Strong => self.bold += 1,
            Tag::Emphasis => self.italic += 1,
            Tag::Link { dest_url, .. } => self.links.push(dest_url.to_string()),
            Tag::List(start) => {
                self.flush_loose();
                self.stack.push(Container::List(start, Vec::new()));
            }
            Tag::Item => self.stack.push(Container::Item(Vec::new())),
            Tag::BlockQuote(_) => {
                self.flush_loose();
                self.stack.push(Container::Quote(Vec::new()));
            }
            Tag::Table(aligns) => self.stack.push(Container::Table {
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
            Tag::TableCell => self.spans.clear(),
            Tag::FootnoteDefinition(_) | Tag::HtmlBlock | Tag::MetadataBlock(_) => self.skip += 1,
            _ => {}
        }
    }

    fn end(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::Paragraph | TagEnd::CodeBlock => self.end_text(Block::Paragraph),
            TagEnd::Heading(level) => {
                self.heading = false;
                let level = match level {
                    HeadingLevel::H1 | HeadingLevel::H2 => 2,
                    _ => 3,
                };
                self.end_text(|spans| Block::Heading(level, spans));
            }
            TagEnd::Strong => self.bold = self.bold.saturating_sub(1),
            TagEnd::Emphasis => self.italic = self.italic.saturating_sub(1),
            TagEnd::Link => self.end_link(),
            TagEnd::Image => self.end_image(),
            TagEnd::Item => {
                self.flush_loose();
                self.close_callouts();
                if let Some(Container::Item(blocks)) = self.stack.pop() {
                    if let Some(Container::List(_, items)) = self.stack.last_mut() {
                        items.push(blocks);
                    }
                }
            }
            TagEnd::List(_) => {
                self.close_callouts();
                if let Some(Container::List(start, items)) = self.stack.pop() {
                    self.push_block(Block::List(start, items));
                }
            }
            TagEnd::BlockQuote(_) => {
                self.flush_loose();
                self.close_callouts();
                if let Some(Container::Quote(blocks)) = self.stack.pop() {
                    self.push_block(Block::Quote(blocks));
                }
            }
            TagEnd::TableCell | TagEnd::TableHead | TagEnd::TableRow | TagEnd::Table => {
                self.end_table_part(tag)
            }
            TagEnd::FootnoteDefinition | TagEnd::HtmlBlock | TagEnd::MetadataBlock(_) => {
                self.skip = self.skip.saturating_sub(1)
            }
            _ => {}
        }
    }

    /// An image in a paragraph, list item, quote or callout is drawn when its file can be
    /// read; in a heading, a table cell or a footnote, or unread, its alt text stays as text.
    fn start_image(&mut self, dest: &str) {
        self.image_depth += 1;
        let placeable = self.image.is_none()
            && self.skip == 0
            && !self.heading
            && !matches!(self.stack.last(), Some(Container::Table { .. }));
        if !placeable {
            return;
        }
        if let Some(image) = self.load.and_then(|f| f(dest)) {
            self.image = Some(Pending {
                image,
                alt: String::new(),
                depth: self.image_depth,
            });
        }
    }

    /// The image ends: the text before it in its paragraph is a paragraph of its own, and the
    /// picture follows it.
    fn end_image(&mut self) {
        let depth = self.image_depth;
        self.image_depth = self.image_depth.saturating_sub(1);
        if self.image.as_ref().is_none_or(|p| p.depth != depth) {
            return;
        }
        if let Some(p) = self.image.take() {
            self.flush_loose();
            self.push_block(Block::Picture(Picture::new(p.alt.trim(), p.image)));
        }
    }

    /// After a link's text, its web address, phone number or email address.
    fn end_link(&mut self) {
        if let Some(url) = self.links.pop() {
            if url.starts_with("http://")
                || url.starts_with("https://")
                || url.starts_with("tel:")
                || url.starts_with("mailto:")
            {
                let shown = url
                    .trim_start_matches("mailto:")
                    .trim_start_matches("tel:")
                    .to_string();
                self.text(&format!(" ({shown})"));
            }
        }
    }

    fn end_table_part(&mut self, tag: TagEnd) {
        match tag {
            TagEnd::TableCell => {
                let spans = self.take_spans();
                if let Some(Container::Table { row, .. }) = self.stack.last_mut() {
                    row.push(Cell::Text(spans));
                }
            }
            TagEnd::TableHead => {
                if let Some(Container::Table { header, row, .. }) = self.stack.last_mut() {
                    *header = std::mem::take(row);
                }
            }
            TagEnd::TableRow => {
                if let Some(Container::Table { rows, row, .. }) = self.stack.last_mut() {
                    rows.push(std::mem::take(row));
                }
            }
            _ => {
                if let Some(Container::Table {
                    aligns,
                    header,
                    rows,
                    ..
                }) = self.stack.pop()
                {
                    self.push_block(Block::Table(Table {
                        header,
                        rows,
                        align: aligns,
                        min_row_height: 0.0,
                    }));
                }
            }
        }
    }

    /// A callout fence: open a callout, or close the innermost one when it is the innermost
    /// container (one left open in a list item or quote closes with it).
    fn callout(&mut self, mark: Mark) {
        self.flush_loose();
        match mark {
            Mark::Open(c) => {
                let kind = c.boxed.map(|b| match b {
                    Boxed::Note => CalloutKind::Note,
                    Boxed::Warning => CalloutKind::Warning,
                    Boxed::Urgent => CalloutKind::Urgent,
                });
                // The layout heads the box with its label (`CalloutKind::label`).
                self.stack.push(Container::Callout(kind, Vec::new()));
            }
            Mark::Close => {
                if matches!(self.stack.last(), Some(Container::Callout(..))) {
                    self.close_callout();
                }
            }
        }
    }

    fn close_callout(&mut self) {
        match self.stack.pop() {
            Some(Container::Callout(Some(kind), blocks)) => {
                self.push_block(Block::Callout(kind, blocks))
            }
            Some(Container::Callout(None, blocks)) => {
                for b in blocks {
                    self.push_block(b);
                }
            }
            Some(other) => self.stack.push(other),
            None => {}
        }
    }

    /// Close the callouts still open inside the container that ends.
    fn close_callouts(&mut self) {
        while matches!(self.stack.last(), Some(Container::Callout(..))) {
            self.close_callout();
        }
    }

    fn event(&mut self, ev: Event, mark: Option<Mark>) {
        if self.in_mark {
            self.in_mark = !matches!(ev, Event::End(TagEnd::HtmlBlock));
            return;
        }
        match ev {
            Event::Start(Tag::HtmlBlock) if mark.is_some() => {
                self.in_mark = true;
                if let Some(m) = mark {
                    self.callout(m);
                }
            }
            Event::Start(tag) => self.start(tag),
            Event::End(tag) => self.end(tag),
            Event::Text(t) | Event::Code(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.text(&t)
            }
            Event::SoftBreak => self.text(" "),
            Event::HardBreak => self.text("\n"),
            Event::Rule => self.push_block(Block::Rule),
            Event::TaskListMarker(done) => self.text(if done { "☑ " } else { "☐ " }),
            Event::Html(_) | Event::InlineHtml(_) | Event::FootnoteReference(_) => {}
        }
    }
}

/// Convert Markdown (citations already numbered) into blocks. Headings start at level 2: the
/// document's title is the only level 1. Boxed callouts (`::: {.warning}` …) become
/// [`Block::Callout`]s (the layout heads them with their label); `{.practice}` is ordinary text.
pub fn to_blocks(md: &str) -> Vec<Block> {
    build(md, None)
}

/// [`to_blocks`], with the images `load` can read drawn as [`Block::Picture`]s (the others
/// keep their alt text).
pub fn to_blocks_with(md: &str, load: LoadImage) -> Vec<Block> {
    build(md, Some(load))
}

fn build(md: &str, load: Option<LoadImage>) -> Vec<Block> {
    let mut b = Builder {
        stack: vec![Container::Root(Vec::new())],
        load,
        ..Builder::default()
    };
    match blocks::mark_callouts(md) {
        Some(marked) => {
            for (ev, range) in Parser::new_ext(&marked.text, options()).into_offset_iter() {
                let mark = marked.at(range.start);
                b.event(ev, mark);
            }
        }
        None => {
            for ev in Parser::new_ext(md, options()) {
                b.event(ev, None);
            }
        }
    }
    b.flush_loose();
    b.close_callouts();
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
    fn callouts_become_boxes() {
        let md = "Intro.\n\n::: {.warning}\nCall the clinic.\n\n::: {.urgent .practice}\n- Call the emergency number.\n:::\n:::\n\n::: {.practice}\nWe phone you.\n:::\n\n::: {.note}\nA note.\n:::\n";
        let blocks = to_blocks(md);
        assert_eq!(blocks.len(), 4, "{blocks:#?}");
        assert_eq!(blocks[0], Block::Paragraph(vec![Span::plain("Intro.")]));
        assert_eq!(
            blocks[1],
            Block::Callout(
                CalloutKind::Warning,
                vec![
                    Block::Paragraph(vec![Span::plain("Call the clinic.")]),
                    Block::Callout(
                        CalloutKind::Urgent,
                        vec![Block::List(
                            None,
                            vec![vec![Block::Paragraph(vec![Span::plain(
                                "Call the emergency number."
                            )])]]
                        ),]
                    ),
                ]
            )
        );
        // Practice is ordinary text.
        assert_eq!(
            blocks[2],
            Block::Paragraph(vec![Span::plain("We phone you.")])
        );
        assert!(matches!(&blocks[3], Block::Callout(CalloutKind::Note, b) if b.len() == 1));
    }

    #[test]
    fn a_callout_in_a_list_item_closes_with_it() {
        let blocks = to_blocks("- one\n  ::: {.warning}\n  Careful.\n- two\n:::\n");
        let Block::List(None, items) = &blocks[0] else {
            panic!("{blocks:?}")
        };
        assert_eq!(items.len(), 2);
        assert_eq!(items[0][0], Block::Paragraph(vec![Span::plain("one")]));
        assert!(
            matches!(&items[0][1], Block::Callout(CalloutKind::Warning, b) if b.len() == 1),
            "{items:?}"
        );
        // Markdown without callouts gives the blocks it always gave.
        assert_eq!(to_blocks("::: patient\ntext\n:::\n").len(), 1);
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

    #[test]
    fn images_that_load_are_pictures_and_the_others_their_alt_text() {
        let load = |dest: &str| {
            (dest == "chart.png").then(|| printpdf::RawImage {
                pixels: printpdf::RawImageData::U8(vec![0; 12]),
                width: 2,
                height: 2,
                data_format: printpdf::RawImageFormat::RGB8,
                tag: Vec::new(),
            })
        };
        let md = "Before ![A *chart* of doses](chart.png) after.\n\n![A GIF](x.gif)\n\n## ![In a heading](chart.png)\n\n| A |\n|---|\n| ![In a cell](chart.png) |\n";
        let blocks = to_blocks_with(md, &load);
        assert_eq!(blocks[0], Block::Paragraph(vec![Span::plain("Before")]));
        match &blocks[1] {
            Block::Picture(p) => {
                assert_eq!(p.alt, "A chart of doses");
                assert!((p.width - 0.96).abs() < 1e-4, "{}", p.width);
            }
            b => panic!("{b:?}"),
        }
        assert_eq!(blocks[2], Block::Paragraph(vec![Span::plain("after.")]));
        assert_eq!(blocks[3], Block::Paragraph(vec![Span::plain("A GIF")]));
        assert_eq!(
            blocks[4],
            Block::Heading(2, vec![Span::plain("In a heading")])
        );
        assert!(matches!(&blocks[5], Block::Table(_)));
        assert_eq!(blocks.len(), 6, "{blocks:#?}");
        // Without a loader, every image is its alt text, as before.
        assert!(to_blocks(md)
            .iter()
            .all(|b| !matches!(b, Block::Picture(_))));
    }
}
