//! Loading a CSL style: a bundled one by name or a `.csl` file in the site, with hayagriva's
//! missing-author-names bug worked around.

use std::path::Path;

use hayagriva::archive::ArchivedStyle;
use hayagriva::citationberg::{IndependentStyle, Style};

use super::style_error;
use crate::diag::Diagnostic;

pub(super) fn load_csl_file(name: &str, site_root: &Path) -> Result<IndependentStyle, Diagnostic> {
    let path = site_root.join(name);
    if let Some(d) =
        crate::paths::check_inside(&path, site_root, Path::new(name), "config/citation-style")
    {
        return Err(d);
    }
    let xml = crate::util::read_file_to_string(&path).map_err(|e| {
        style_error(
            format!("cannot read citation style file '{name}': {e}"),
            "the style path is relative to the site root, next to careguide.toml",
        )
    })?;
    match Style::from_xml(&xml) {
        Ok(Style::Independent(s)) => Ok(s),
        Ok(Style::Dependent(d)) => resolve_dependent(&d.parent_link.href, name),
        Err(e) => Err(style_error(
            format!("'{name}' is not a valid CSL style: {e}"),
            "check the file against the CSL 1.0.2 schema, or use a bundled style name",
        )),
    }
}

/// A dependent style only names its parent; careguide can use it when hayagriva bundles it.
pub(super) fn resolve_dependent(parent: &str, name: &str) -> Result<IndependentStyle, Diagnostic> {
    match ArchivedStyle::by_id(parent).map(|a| a.get()) {
        Some(Style::Independent(s)) => Ok(s),
        _ => Err(style_error(
            format!("style '{name}' depends on '{parent}', which careguide does not bundle"),
            "use the parent style's .csl file itself",
        )),
    }
}

/// hayagriva 0.10.1 prints no authors when a `<names variable="author">` has no `<name/>`
/// child (the bundled NLM/Vancouver style is such a case; CSL says a missing `<name/>` means
/// default name formatting). Add the child and parse the style back.
pub(super) fn add_missing_author_names(
    style: IndependentStyle,
) -> Result<IndependentStyle, Diagnostic> {
    let wrapped = Style::Independent(style);
    let xml = match wrapped.to_xml() {
        Ok(x) => x,
        Err(_) => return Ok(unwrap_independent(wrapped)),
    };
    let fixed = insert_name_elements(&xml);
    if fixed == xml {
        return Ok(unwrap_independent(wrapped));
    }
    IndependentStyle::from_xml(&fixed).map_err(|e| {
        style_error(
            format!("the citation style could not be prepared: {e}"),
            "report this with the style name; a .csl file of the same style may work",
        )
    })
}

fn unwrap_independent(s: Style) -> IndependentStyle {
    match s {
        Style::Independent(i) => i,
        // Only ever called with the independent style it was given.
        Style::Dependent(_) => unreachable!("wrapped an independent style"),
    }
}

/// Insert `<name/>` into every `<names ...>` element whose `variable` includes `author` and
/// that has no `<name` child.
fn insert_name_elements(xml: &str) -> String {
    let mut out = String::with_capacity(xml.len() + 64);
    let mut rest = xml;
    while let Some(start) = rest.find("<names") {
        let (before, from) = rest.split_at(start);
        out.push_str(before);
        // `<names` must be the whole tag name, not `<names-foo`.
        let after_name = from.as_bytes().get(6).copied();
        let Some(tag_end) = from.find('>') else {
            out.push_str(from);
            return out;
        };
        let tag = &from[..=tag_end];
        let is_names = matches!(after_name, Some(b' ' | b'>' | b'/' | b'\t' | b'\n'));
        let is_author = tag.contains("variable=\"author")
            || tag.contains(" author\"")
            || tag.contains(" author ");
        if !is_names || !is_author {
            out.push_str(tag);
            rest = &from[tag_end + 1..];
            continue;
        }
        if let Some(open) = tag.strip_suffix("/>") {
            out.push_str(open);
            out.push_str("><name/></names>");
            rest = &from[tag_end + 1..];
            continue;
        }
        let body_start = tag_end + 1;
        let close = from[body_start..].find("</names>").map(|c| body_start + c);
        let has_name = close
            .map(|c| {
                let body = &from[body_start..c];
                body.contains("<name ") || body.contains("<name>") || body.contains("<name/")
            })
            .unwrap_or(true);
        out.push_str(tag);
        if !has_name {
            out.push_str("<name/>");
        }
        rest = &from[body_start..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundled_nlm_style_has_the_author_bug_this_works_around() {
        // If a hayagriva release fixes the style, this fails: the workaround may then go.
        let Style::Independent(s) = ArchivedStyle::NlmCitationSequence.get() else {
            panic!("independent style expected");
        };
        let xml = Style::Independent(s).to_xml().expect("serialises");
        assert_ne!(insert_name_elements(&xml), xml);
    }

    #[test]
    fn name_insertion_handles_open_and_self_closing_tags() {
        let xml = r#"<a><names variable="author"><label/></names><names variable="editor"/><names variable="author"/><names variable="author"><name form="short"/></names></a>"#;
        assert_eq!(
            insert_name_elements(xml),
            r#"<a><names variable="author"><name/><label/></names><names variable="editor"/><names variable="author"><name/></names><names variable="author"><name form="short"/></names></a>"#
        );
    }
}
