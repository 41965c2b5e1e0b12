//! A CSL style specialized for one entry shape: every `<if type="...">` test decided before the
//! first entry of that shape is formatted, instead of for every entry.
//!
//! hayagriva decides a type test (`matches_entry_type`) from the entry's type, its parents'
//! types (and theirs), whether a `misc` entry has a URL and whether a legislation entry has a
//! publisher, building and dropping selector trees each time; it does not export the decision.
//! So it is asked once per shape, through a probe style whose bibliography prints which of the
//! style's tested types the entry matches, and the branches of the real style whose only test
//! is a type test are then kept or dropped by that answer. Branches with any other test stay
//! as they are. The specialized style renders what the whole style renders for that shape: the
//! branch hayagriva would have chosen is the one left to choose.

use std::collections::BTreeSet;

use hayagriva::citationberg::taxonomy::Kind;
use hayagriva::citationberg::{
    Choose, ChooseBranch, ChooseMatch, ElseBranch, IndependentStyle, LayoutRenderingElement,
    Locale, LocaleCode, NamesChild,
};
use hayagriva::{BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, Entry};

/// What decides every type test for an entry: its type, whether it has a URL and a publisher,
/// and the same of its parents, recursively.
pub(super) fn shape(e: &Entry) -> String {
    let mut s = format!(
        "{:?}/{}{}(",
        e.entry_type(),
        u8::from(e.has("url")),
        u8::from(e.has("publisher"))
    );
    for p in e.parents() {
        s.push_str(&shape(p));
        s.push(',');
    }
    s.push(')');
    s
}

/// Whether entries of one shape may be formatted apart from those of another: nothing in the
/// style makes an entry depend on the others of its list (disambiguation, a substitute for a
/// repeated author), and the citation number, if the bibliography shows it, is the entry's
/// first field (aligned apart, not part of the text careguide keeps).
pub(super) fn specializable(style: &IndependentStyle) -> bool {
    let c = &style.citation;
    if c.disambiguate_add_givenname || c.disambiguate_add_names || c.disambiguate_add_year_suffix {
        return false;
    }
    let Some(bib) = &style.bibliography else {
        return false;
    };
    if bib.subsequent_author_substitute.is_some() {
        return false;
    }
    let mut found = Tests::default();
    let elements = style
        .macros
        .iter()
        .flat_map(|m| &m.children)
        .chain(&bib.layout.elements)
        .chain(&c.layout.elements);
    for el in elements {
        found.walk(el);
    }
    if found.disambiguate || found.kinds.is_empty() {
        return false;
    }
    // The citation number may appear only as the bibliography's first, aligned field (or in
    // the citation, which careguide does not keep): nowhere else once those are taken out.
    let mut rest = style.clone();
    rest.citation.layout.elements.clear();
    rest.citation.sort = None;
    rest.citation.collapse = None;
    if let Some(b) = &mut rest.bibliography {
        b.sort = None;
        let first_is_number = matches!(
            b.layout.elements.first(),
            Some(LayoutRenderingElement::Text(t)) if matches!(
                &t.target,
                hayagriva::citationberg::TextTarget::Variable {
                    var: hayagriva::citationberg::taxonomy::Variable::Number(
                        hayagriva::citationberg::taxonomy::NumberVariable::CitationNumber
                    ),
                    ..
                }
            )
        );
        if b.second_field_align.is_some() && first_is_number {
            b.layout.elements.remove(0);
        }
    }
    hayagriva::citationberg::Style::Independent(rest)
        .to_xml()
        .is_ok_and(|xml| !xml.contains("citation-number"))
}

/// The type tests and `disambiguate` tests of a style.
#[derive(Default)]
struct Tests {
    kinds: BTreeSet<String>,
    list: Vec<Kind>,
    disambiguate: bool,
}

impl Tests {
    fn walk(&mut self, el: &LayoutRenderingElement) {
        for_children(el, &mut |children| {
            for c in children {
                self.walk(c);
            }
        });
        if let LayoutRenderingElement::Choose(ch) = el {
            for b in ch.branches() {
                self.disambiguate |= b.disambiguate.is_some();
                for k in b.type_.iter().flatten() {
                    if self.kinds.insert(kind_name(*k)) {
                        self.list.push(*k);
                    }
                }
            }
        }
    }
}

fn kind_name(k: Kind) -> String {
    serde_json::to_value(k)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Call `f` with every list of child elements of `el` (a group's, each branch of a choose, a
/// names element's substitute).
fn for_children(el: &LayoutRenderingElement, f: &mut dyn FnMut(&[LayoutRenderingElement])) {
    match el {
        LayoutRenderingElement::Group(g) => f(&g.children),
        LayoutRenderingElement::Choose(ch) => {
            for b in ch.branches() {
                f(&b.children);
            }
            if let Some(o) = &ch.otherwise {
                f(&o.children);
            }
        }
        LayoutRenderingElement::Names(n) => {
            for c in &n.children {
                if let NamesChild::Substitute(s) = c {
                    f(&s.children);
                }
            }
        }
        _ => {}
    }
}

/// The kinds of `style`'s type tests that `entry` matches, as hayagriva decides them: `None`
/// when the probe could not be rendered.
fn matched_kinds(
    style: &IndependentStyle,
    entry: &Entry,
    locale: Option<LocaleCode>,
    locales: &[Locale],
) -> Option<(Vec<Kind>, Vec<bool>)> {
    let mut tests = Tests::default();
    for el in style
        .macros
        .iter()
        .flat_map(|m| &m.children)
        .chain(style.bibliography.iter().flat_map(|b| &b.layout.elements))
        .chain(&style.citation.layout.elements)
    {
        tests.walk(el);
    }
    let mut probe = style.clone();
    probe.macros.clear();
    probe.citation.layout.elements.clear();
    let marks: Vec<LayoutRenderingElement> = (0..tests.list.len())
        .map(|i| probe_choose(tests.list[i], &format!("[{i}]")))
        .collect::<Option<_>>()?;
    let bib = probe.bibliography.as_mut()?;
    bib.layout.elements = marks;
    bib.second_field_align = None;
    bib.sort = None;
    probe.citation.sort = None;
    let mut driver = BibliographyDriver::new();
    driver.citation(CitationRequest::new(
        vec![CitationItem::with_entry(entry)],
        &probe,
        locale.clone(),
        locales,
        None,
    ));
    let out = driver.finish(BibliographyRequest {
        style: &probe,
        locale,
        locale_files: locales,
    });
    let item = out.bibliography?.items.into_iter().next()?;
    let mut text = String::new();
    for child in &item.content.0 {
        super::html::write_text(child, &mut text);
    }
    let matched = (0..tests.list.len())
        .map(|i| text.contains(&format!("[{i}]")))
        .collect();
    Some((tests.list, matched))
}

/// `<choose><if type="KIND"><text value="MARK"/></if></choose>`.
fn probe_choose(kind: Kind, mark: &str) -> Option<LayoutRenderingElement> {
    let xml = format!(
        r#"<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0"><info><title>probe</title><id>probe</id><updated>2024-01-01T00:00:00+00:00</updated></info><citation><layout><text value="x"/></layout></citation><bibliography><layout><choose><if type="{}"><text value="{mark}"/></if></choose></layout></bibliography></style>"#,
        kind_name(kind)
    );
    let style = IndependentStyle::from_xml(&xml).ok()?;
    style.bibliography?.layout.elements.into_iter().next()
}

/// `style` with every type-only test decided for `entry`'s shape; `None` when hayagriva's
/// decision could not be read (the whole style is used then).
pub(super) fn specialize(
    style: &IndependentStyle,
    entry: &Entry,
    locale: Option<LocaleCode>,
    locales: &[Locale],
) -> Option<IndependentStyle> {
    let (kinds, matched) = matched_kinds(style, entry, locale, locales)?;
    let is = |k: Kind| kinds.iter().position(|x| *x == k).map(|i| matched[i]);
    // Every tested kind must have an answer.
    let decide = |b: &ChooseBranch| -> Option<bool> {
        let only_type = b.disambiguate.is_none()
            && b.is_numeric.is_none()
            && b.is_uncertain_date.is_none()
            && b.locator.is_none()
            && b.position.is_none()
            && b.variable.is_none();
        let types = b.type_.as_ref().filter(|_| only_type)?;
        let answers: Option<Vec<bool>> = types.iter().map(|k| is(*k)).collect();
        Some(b.match_.test(answers?.into_iter()))
    };
    let mut s = style.clone();
    for m in &mut s.macros {
        rewrite_all(&mut m.children, &decide);
    }
    rewrite_all(&mut s.citation.layout.elements, &decide);
    if let Some(b) = &mut s.bibliography {
        rewrite_all(&mut b.layout.elements, &decide);
    }
    Some(s)
}

fn rewrite_all(els: &mut [LayoutRenderingElement], decide: &dyn Fn(&ChooseBranch) -> Option<bool>) {
    for el in els {
        rewrite(el, decide);
    }
}

fn rewrite(el: &mut LayoutRenderingElement, decide: &dyn Fn(&ChooseBranch) -> Option<bool>) {
    match el {
        LayoutRenderingElement::Group(g) => rewrite_all(&mut g.children, decide),
        LayoutRenderingElement::Names(n) => {
            for c in &mut n.children {
                if let NamesChild::Substitute(s) = c {
                    rewrite_all(&mut s.children, decide);
                }
            }
        }
        LayoutRenderingElement::Choose(ch) => {
            let decided = decide_choose(ch, decide);
            *ch = decided;
            for b in std::iter::once(&mut ch.if_).chain(ch.else_if.iter_mut()) {
                rewrite_all(&mut b.children, decide);
            }
            if let Some(o) = &mut ch.otherwise {
                rewrite_all(&mut o.children, decide);
            }
        }
        _ => {}
    }
}

/// The branches hayagriva could still choose: those decided false dropped, the first decided
/// true made the `else` (nothing after it can be chosen). With no branch left to test, the
/// choose becomes one branch with no test (always taken with `match="all"`, never with
/// `match="any"`), so it renders as the original did.
fn decide_choose(ch: &Choose, decide: &dyn Fn(&ChooseBranch) -> Option<bool>) -> Choose {
    let mut kept: Vec<ChooseBranch> = Vec::new();
    let mut otherwise = ch.otherwise.clone();
    for b in ch.branches() {
        match decide(b) {
            Some(false) => {}
            Some(true) => {
                otherwise = Some(ElseBranch {
                    children: b.children.clone(),
                });
                break;
            }
            None => kept.push(b.clone()),
        }
    }
    let mut kept = kept.into_iter();
    match kept.next() {
        Some(first) => Choose {
            if_: first,
            else_if: kept.collect(),
            otherwise,
        },
        None => {
            // Every branch was type-only, so the first one, without its types, has no test.
            let mut b = ch.if_.clone();
            b.type_ = None;
            match otherwise {
                Some(o) => {
                    b.match_ = ChooseMatch::All;
                    b.children = o.children;
                }
                None => {
                    b.match_ = ChooseMatch::Any;
                    b.children = Vec::new();
                }
            }
            Choose {
                if_: b,
                else_if: Vec::new(),
                otherwise: None,
            }
        }
    }
}
