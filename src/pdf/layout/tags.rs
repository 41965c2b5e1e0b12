//! The document's structure as the layout records it, for a tagged (accessible) PDF: one
//! element per heading, paragraph, list, table cell, figure and so on, each knowing its parent.
//! Every drawn thing carries a [`Mark`]: the element its words belong to, or an artifact (the
//! running header and footer, rules, borders) that a screen reader skips. The PDF's structure
//! tree is written from this by `pdf::tags` after printpdf has saved the pages.

use super::Layout;

/// The standard structure types the layout uses (PDF 1.7, 14.8.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Document,
    /// A heading of level 1 to 6.
    H(u8),
    P,
    L,
    LI,
    Lbl,
    LBody,
    Table,
    TR,
    /// A column's header cell.
    TH,
    TD,
    BlockQuote,
    /// A callout: a group of blocks under its label (the label is its first `P`).
    Div,
    Figure,
}

impl Role {
    /// The structure type's name (`/S`), also the tag of its marked content.
    pub fn name(self) -> &'static str {
        match self {
            Role::Document => "Document",
            Role::H(1) => "H1",
            Role::H(2) => "H2",
            Role::H(3) => "H3",
            Role::H(4) => "H4",
            Role::H(5) => "H5",
            Role::H(_) => "H6",
            Role::P => "P",
            Role::L => "L",
            Role::LI => "LI",
            Role::Lbl => "Lbl",
            Role::LBody => "LBody",
            Role::Table => "Table",
            Role::TR => "TR",
            Role::TH => "TH",
            Role::TD => "TD",
            Role::BlockQuote => "BlockQuote",
            Role::Div => "Div",
            Role::Figure => "Figure",
        }
    }
}

/// One structure element.
#[derive(Debug, Clone, PartialEq)]
pub struct Elem {
    pub role: Role,
    /// `None` for the document, the root of the tree.
    pub parent: Option<usize>,
    /// A figure's text alternative (`/Alt`).
    pub alt: Option<String>,
    /// A title (`/T`): a callout's label.
    pub title: Option<String>,
    /// A figure's box on its page, in PDF points from the bottom-left: page index and
    /// `[left, bottom, right, top]`.
    pub bbox: Option<(usize, [f32; 4])>,
}

/// What a drawn thing is, for the structure tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mark {
    /// Content of the element with this index.
    Content(usize),
    /// Decoration: a rule, a border, a tint (`/Artifact`).
    Layout,
    /// The running header, the footer, a repeated table header (`/Artifact /Pagination`).
    Pagination,
}

/// The structure of a laid-out document: its elements in reading order (each after its
/// parent, siblings in order), and for each page the element of each marked-content id.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tags {
    pub elems: Vec<Elem>,
    /// `pages[p][mcid]` is the element that marked-content sequence `mcid` of page `p` belongs to.
    pub pages: Vec<Vec<usize>>,
}

impl Tags {
    /// The children of each element, in order.
    pub fn children(&self) -> Vec<Vec<usize>> {
        let mut kids = vec![Vec::new(); self.elems.len()];
        for (i, e) in self.elems.iter().enumerate() {
            if let Some(p) = e.parent {
                kids[p].push(i);
            }
        }
        kids
    }
}

impl Layout {
    /// Start an element inside the current one; what is drawn until [`Layout::close`] is its
    /// content (or its children's).
    pub(super) fn open(&mut self, role: Role) -> usize {
        let id = self.elems.len();
        self.elems.push(Elem {
            role,
            parent: self.open.last().copied(),
            alt: None,
            title: None,
            bbox: None,
        });
        self.open.push(id);
        id
    }

    /// End the element started last.
    pub(super) fn close(&mut self) {
        // The document stays open.
        if self.open.len() > 1 {
            self.open.pop();
        }
    }

    /// An element with its content drawn by `f`.
    pub(super) fn tagged(&mut self, role: Role, f: impl FnOnce(&mut Layout)) -> usize {
        let id = self.open(role);
        f(self);
        self.close();
        id
    }

    /// The mark of text drawn now: content of the open element.
    pub(super) fn content_mark(&self) -> Mark {
        match self.open.last() {
            Some(&e) if !self.artifacts => Mark::Content(e),
            _ => Mark::Pagination,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_keep_their_order() {
        let e = |role, parent| Elem {
            role,
            parent,
            alt: None,
            title: None,
            bbox: None,
        };
        let t = Tags {
            elems: vec![
                e(Role::Document, None),
                e(Role::H(1), Some(0)),
                e(Role::L, Some(0)),
                e(Role::LI, Some(2)),
                e(Role::P, Some(0)),
            ],
            pages: vec![],
        };
        assert_eq!(
            t.children(),
            vec![vec![1, 2, 4], vec![], vec![3], vec![], vec![]]
        );
        assert_eq!(Role::H(9).name(), "H6");
    }
}
