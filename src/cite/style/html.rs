//! The formatted entry as HTML and text: hayagriva's element tree walked with every text
//! escaped, spaces tidied, and DOI, PubMed and PMC identifiers linked.

use std::fmt::Write as _;

use hayagriva::ElemChild;

use super::escape;
use crate::cite::{ident, Reference};

/// Collapse doubled spaces and, for the NLM style, the space it puts before `;`.
pub(super) fn tidy(s: &str, fix_semicolon: bool) -> String {
    let mut t = s.trim().to_string();
    while t.contains("  ") {
        t = t.replace("  ", " ");
    }
    if fix_semicolon {
        t = t.replace(" ;", ";");
    }
    t
}

/// Make the DOI in the formatted HTML a link, and add PubMed and PMC links.
pub(super) fn link_identifiers(html: &str, r: &Reference) -> String {
    let mut out = html.to_string();
    if let Some(doi) = r
        .doi
        .as_deref()
        .map(ident::clean_doi)
        .filter(|d| !d.is_empty())
    {
        let shown = escape(&doi);
        let url = escape(&format!("https://doi.org/{doi}"));
        let link = format!("<a href=\"{url}\">{shown}</a>");
        // The style may link the DOI itself; otherwise link the DOI where it stands on its
        // own (not inside a URL), or add a link.
        let linked = out.contains(&format!("href=\"{url}\""));
        match find_standalone(&out, &shown) {
            _ if linked => {}
            Some(pos) => out.replace_range(pos..pos + shown.len(), &link),
            None => {
                let _ = write!(out, " <a href=\"{url}\">doi:{shown}</a>");
            }
        }
    }
    if let Some(url) = r.pubmed_url() {
        let pmid = escape(r.pmid.as_deref().unwrap_or_default());
        let _ = write!(
            out,
            " <a class=\"pmid\" href=\"{}\">PMID: {pmid}</a>",
            escape(&url)
        );
    }
    if let Some(url) = r.pmc_url() {
        let pmcid = escape(r.pmcid.as_deref().unwrap_or_default());
        let _ = write!(
            out,
            " <a class=\"pmcid\" href=\"{}\">PMCID: {pmcid}</a>",
            escape(&url)
        );
    }
    out
}

fn find_standalone(hay: &str, needle: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(i) = hay[from..].find(needle) {
        let pos = from + i;
        let before = &hay[..pos];
        if !before.ends_with('/') && !before.ends_with('"') {
            return Some(pos);
        }
        from = pos + needle.len();
    }
    None
}

pub(super) fn write_text(child: &ElemChild, out: &mut String) {
    match child {
        ElemChild::Text(t) => out.push_str(&t.text),
        ElemChild::Elem(e) => {
            for c in &e.children.0 {
                write_text(c, out);
            }
        }
        ElemChild::Markup(m) => out.push_str(m),
        ElemChild::Link { text, .. } => out.push_str(&text.text),
        ElemChild::Transparent { .. } => {}
    }
}

fn write_formatted_html(t: &hayagriva::Formatted, out: &mut String) {
    use hayagriva::citationberg::{FontStyle, FontWeight, VerticalAlign};
    let f = &t.formatting;
    let mut close: Vec<&str> = Vec::new();
    if f.font_style == FontStyle::Italic {
        out.push_str("<i>");
        close.push("</i>");
    }
    if f.font_weight == FontWeight::Bold {
        out.push_str("<b>");
        close.push("</b>");
    }
    match f.vertical_align {
        VerticalAlign::Sup => {
            out.push_str("<sup>");
            close.push("</sup>");
        }
        VerticalAlign::Sub => {
            out.push_str("<sub>");
            close.push("</sub>");
        }
        _ => {}
    }
    out.push_str(&escape(&t.text));
    for c in close.iter().rev() {
        out.push_str(c);
    }
}

pub(super) fn write_html(child: &ElemChild, out: &mut String) {
    match child {
        ElemChild::Text(t) => write_formatted_html(t, out),
        ElemChild::Elem(e) => {
            for c in &e.children.0 {
                write_html(c, out);
            }
        }
        ElemChild::Markup(m) => out.push_str(&escape(m)),
        ElemChild::Link { text, url } => {
            let safe = url.starts_with("https://") || url.starts_with("http://");
            if safe {
                let _ = write!(out, "<a href=\"{}\">", escape(url));
            }
            write_formatted_html(text, out);
            if safe {
                out.push_str("</a>");
            }
        }
        ElemChild::Transparent { .. } => {}
    }
}
