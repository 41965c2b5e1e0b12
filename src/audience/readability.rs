//! Reading level of the prose a variant shows: Flesch Reading Ease, Flesch-Kincaid grade and
//! SMOG grade.
//!
//! Only prose is scored: headings, paragraphs and list items. Tables, code, images, raw HTML,
//! footnote definitions, citations (`[@key]`) and a References section are left out, as
//! health-literacy guidance asks. Each heading and list item is a sentence of its own even
//! without a full stop, so a bulleted list of short phrases scores as short sentences.

use std::collections::BTreeMap;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

use super::blocks::Selected;
use super::syllables;
use crate::config::Config;
use crate::content::Document;
use crate::diag::Diagnostic;
use crate::types::AudienceId;

/// Readability of one variant's prose.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub words: usize,
    pub sentences: usize,
    pub syllables: usize,
    /// Words of three or more syllables (SMOG's count).
    pub polysyllables: usize,
    pub flesch_reading_ease: f64,
    pub flesch_kincaid_grade: f64,
    pub smog_grade: f64,
    /// The three longest sentences, longest first.
    pub longest_sentences: Vec<String>,
}

/// A sentence with its word count and the offset (in the scored Markdown) of the text it
/// starts in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sentence {
    pub text: String,
    pub words: usize,
    pub offset: usize,
}

/// Scores plus the longest sentences with their positions.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Analysis {
    pub scores: Scores,
    pub longest: Vec<Sentence>,
}

/// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "prof", "st", "vs", "e.g", "i.e", "eg", "ie", "approx", "fig", "no",
    "dept", "inc", "ltd", "jr", "sr", "cf", "al", "ca",
];

/// Heading texts that start a reference list, which is not scored.
const REFERENCE_HEADINGS: &[&str] = &[
    "references",
    "reference",
    "bibliography",
    "sources",
    "works cited",
    "literature cited",
    "citations",
];

/// One unit of prose: a heading, a paragraph or a list item's own text.
#[derive(Debug, Default)]
struct Unit {
    /// Text pieces, each with the Markdown offset it comes from.
    pieces: Vec<(String, usize)>,
}

/// Collect the prose units of Markdown (citations already blanked out).
fn units(md: &str) -> Vec<Unit> {
    let mut out = Vec::new();
    let mut cur = Unit::default();
    let mut skip = 0usize; // inside tables, code, images, footnote definitions
    let mut heading: Option<(u8, Unit)> = None;
    let mut references_level: Option<u8> = None;
    fn flush(cur: &mut Unit, out: &mut Vec<Unit>) {
        if cur.pieces.iter().any(|(t, _)| !t.trim().is_empty()) {
            out.push(std::mem::take(cur));
        } else {
            cur.pieces.clear();
        }
    }
    let opts = crate::util::markdown_options();
    for (ev, range) in Parser::new_ext(md, opts).into_offset_iter() {
        match ev {
            Event::Start(Tag::Table(_))
            | Event::Start(Tag::CodeBlock(_))
            | Event::Start(Tag::Image { .. })
            | Event::Start(Tag::FootnoteDefinition(_))
            | Event::Start(Tag::HtmlBlock)
            | Event::Start(Tag::MetadataBlock(_)) => skip += 1,
            Event::End(TagEnd::Table)
            | Event::End(TagEnd::CodeBlock)
            | Event::End(TagEnd::Image)
            | Event::End(TagEnd::FootnoteDefinition)
            | Event::End(TagEnd::HtmlBlock)
            | Event::End(TagEnd::MetadataBlock(_)) => skip = skip.saturating_sub(1),
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut cur, &mut out);
                heading = Some((level as u8, Unit::default()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, unit)) = heading.take() {
                    let text: String = unit.pieces.iter().map(|(t, _)| t.as_str()).collect();
                    let name = text.trim().trim_end_matches(':').to_lowercase();
                    if references_level.is_some_and(|l| level <= l) {
                        references_level = None;
                    }
                    if REFERENCE_HEADINGS.contains(&name.as_str()) {
                        references_level = Some(level);
                    } else if references_level.is_none() && skip == 0 {
                        let mut unit = unit;
                        flush(&mut unit, &mut out);
                    }
                }
            }
            Event::Start(Tag::Paragraph | Tag::Item | Tag::List(_) | Tag::BlockQuote(_))
            | Event::End(
                TagEnd::Paragraph | TagEnd::Item | TagEnd::List(_) | TagEnd::BlockQuote(_),
            ) => flush(&mut cur, &mut out),
            Event::Text(_) | Event::SoftBreak | Event::HardBreak if skip == 0 => {
                let text = match ev {
                    Event::Text(t) => t.to_string(),
                    _ => " ".to_string(),
                };
                // Heading text is always gathered: it decides where a References section ends.
                match &mut heading {
                    Some((_, u)) => u.pieces.push((text, range.start)),
                    None if references_level.is_none() => cur.pieces.push((text, range.start)),
                    None => {}
                }
            }
            // Inline code, raw HTML, footnote marks and rules are not prose.
            _ => {}
        }
    }
    flush(&mut cur, &mut out);
    out
}

/// Whether a word token (punctuation around it kept) ends a sentence, given the next token.
fn ends_sentence(token: &str, next: Option<&str>) -> bool {
    let core = token.trim_end_matches(['"', '\'', ')', ']', '”', '’', '»', '*', '_']);
    if core.ends_with(['!', '?', '…']) || core.ends_with("...") {
        return true;
    }
    if !core.ends_with('.') {
        return false;
    }
    let word = core
        .trim_end_matches('.')
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if ABBREVIATIONS.contains(&word.as_str()) {
        return false;
    }
    match next {
        None => true,
        // "approx. 5 mg" is one sentence; "Take 5 mg. Then stop." is two.
        Some(n) => n
            .chars()
            .find(|c| c.is_alphanumeric())
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()),
    }
}

/// Tokens joined with spaces, punctuation left alone by a removed citation (`review .`)
/// joined to the word before it.
fn sentence_text(tokens: &[&str]) -> String {
    let mut out = String::new();
    for t in tokens {
        let punct = t
            .chars()
            .all(|c| matches!(c, '.' | ',' | ';' | ':' | '!' | '?' | ')'));
        if !out.is_empty() && !punct {
            out.push(' ');
        }
        out.push_str(t);
    }
    out
}

fn is_word(token: &str) -> bool {
    token.chars().any(char::is_alphanumeric)
}

/// Blank out `[@key]` citation groups (same length, so offsets stay valid).
fn strip_citations(md: &str) -> String {
    let scan = crate::cite::scan::scan(md);
    if scan.groups.is_empty() {
        return md.to_string();
    }
    let mut out = String::with_capacity(md.len());
    let mut last = 0;
    for g in &scan.groups {
        if g.range.start < last || g.range.end > md.len() {
            continue;
        }
        out.push_str(&md[last..g.range.start]);
        // Spaces, except at a line end, where two spaces would make a hard break.
        out.extend(std::iter::repeat_n(' ', g.range.len()));
        last = g.range.end;
    }
    out.push_str(&md[last..]);
    out
}

fn round1(x: f64) -> f64 {
    if x.is_finite() {
        (x * 10.0).round() / 10.0
    } else {
        0.0
    }
}

/// Score the prose of one variant's Markdown.
pub fn analyze(md: &str) -> Analysis {
    let clean = super::blocks::blank_callout_fences(strip_citations(md));
    let mut sentences: Vec<Sentence> = Vec::new();
    let (mut words, mut syl, mut poly) = (0usize, 0usize, 0usize);
    for unit in units(&clean) {
        // Tokens with the offset of the text piece they come from.
        let mut tokens: Vec<(&str, usize)> = Vec::new();
        for (text, offset) in &unit.pieces {
            tokens.extend(text.split_whitespace().map(|t| (t, *offset)));
        }
        let mut current: Vec<&str> = Vec::new();
        let mut start = None;
        let mut count = 0;
        for (i, &(tok, off)) in tokens.iter().enumerate() {
            current.push(tok);
            if is_word(tok) {
                start.get_or_insert(off);
                count += 1;
                words += 1;
                let s = syllables::count(tok);
                syl += s;
                if s >= 3 {
                    poly += 1;
                }
            }
            let last = i + 1 == tokens.len();
            if last || ends_sentence(tok, tokens.get(i + 1).map(|t| t.0)) {
                if count > 0 {
                    sentences.push(Sentence {
                        text: sentence_text(&current),
                        words: count,
                        offset: start.unwrap_or(off),
                    });
                }
                current.clear();
                start = None;
                count = 0;
            }
        }
    }
    let n = sentences.len();
    let mut scores = Scores {
        words,
        sentences: n,
        syllables: syl,
        polysyllables: poly,
        ..Scores::default()
    };
    if words > 0 && n > 0 {
        let wps = words as f64 / n as f64;
        let spw = syl as f64 / words as f64;
        scores.flesch_reading_ease = round1(206.835 - 1.015 * wps - 84.6 * spw);
        scores.flesch_kincaid_grade = round1(0.39 * wps + 11.8 * spw - 15.59);
        scores.smog_grade = round1(1.0430 * (poly as f64 * 30.0 / n as f64).sqrt() + 3.1291);
    }
    let mut longest: Vec<Sentence> = sentences;
    // Stable sort: among equally long sentences the first written comes first.
    longest.sort_by_key(|s| std::cmp::Reverse(s.words));
    longest.truncate(3);
    scores.longest_sentences = longest.iter().map(|s| s.text.clone()).collect();
    Analysis { scores, longest }
}

/// Scores of `text` (Markdown) with no positions: for summaries and tests.
pub fn scores(md: &str) -> Scores {
    analyze(md).scores
}

/// Rule name of reading-level findings.
pub const RULE: &str = "audience/reading-level";

/// The reading-level finding for one variant, if its Flesch-Kincaid grade is above the
/// audience's `reading_grade`. `selected` is the variant's Markdown with its map to the body.
pub fn check_variant(
    doc: &Document,
    config: &Config,
    audience: &AudienceId,
    selected: &Selected,
    analysis: &Analysis,
) -> Option<Diagnostic> {
    let target = config.audience(audience)?.reading_grade?;
    let s = &analysis.scores;
    if s.words == 0 || s.flesch_kincaid_grade <= target {
        return None;
    }
    let label = config
        .audience(audience)
        .map(|a| a.label.as_str())
        .unwrap_or(audience);
    let mut hint = format!(
        "Flesch-Kincaid grade {:.1}, SMOG grade {:.1}, Flesch Reading Ease {:.1} ({} words, {} sentences, {} syllables); shorter sentences and everyday words lower the grade. Longest sentences:",
        s.flesch_kincaid_grade, s.smog_grade, s.flesch_reading_ease, s.words, s.sentences, s.syllables
    );
    for sentence in &analysis.longest {
        let (line, _) = doc.body_pos(selected.source_offset(sentence.offset));
        hint.push_str(&format!(
            "\n  line {line} ({} words): {}",
            sentence.words, sentence.text
        ));
    }
    // The finding sits at the longest sentence, the first place to start rewriting.
    let first = analysis
        .longest
        .first()
        .map(|x| selected.source_offset(x.offset))
        .unwrap_or(0);
    let (line, col) = doc.body_pos(first);
    let d = Diagnostic::warning(
        RULE,
        format!(
            "the {label} version reads at grade {:.1}, above its target of grade {}",
            s.flesch_kincaid_grade,
            fmt_grade(target)
        ),
    )
    .at(&doc.file, line, col)
    .hint(hint);
    config.apply_level(d)
}

fn fmt_grade(g: f64) -> String {
    if g.fract() == 0.0 {
        format!("{g:.0}")
    } else {
        format!("{g:.1}")
    }
}

/// Every audience's scores for a page, and the reading-level findings: what `check` reports
/// and `check --format json` includes (as `{page path: {audience: Scores}}`).
pub fn check(doc: &Document, config: &Config) -> (BTreeMap<AudienceId, Scores>, Vec<Diagnostic>) {
    check_with(doc, &super::blocks::layout(doc.body()), config)
}

/// [`check`] with the page's audience blocks already read.
pub fn check_with(
    doc: &Document,
    lay: &super::blocks::Layout,
    config: &Config,
) -> (BTreeMap<AudienceId, Scores>, Vec<Diagnostic>) {
    let mut scores = BTreeMap::new();
    let mut diags = Vec::new();
    // Audiences often read the same text (no block for one of them): analyzed once.
    let mut analyzed: Vec<(String, Analysis)> = Vec::new();
    for audience in &doc.audiences {
        let selected = lay.select(doc.body(), audience);
        let analysis = match analyzed.iter().find(|(t, _)| *t == selected.text) {
            Some((_, a)) => a.clone(),
            None => {
                let a = analyze(&selected.text);
                analyzed.push((selected.text.clone(), a.clone()));
                a
            }
        };
        diags.extend(check_variant(doc, config, audience, &selected, &analysis));
        scores.insert(audience.clone(), analysis.scores);
    }
    (scores, diags)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audience::testutil::{config, page, REVIEW};

    #[test]
    fn formulas_match_hand_computation() {
        // 2 sentences, 8 words; syllables: The(1) clinic(2) will(1) help(1) / Call(1) us(1)
        // to(1) day(1) -> "today" is one word of 2.
        let s = scores("The clinic will help. Call us today.");
        assert_eq!(
            (s.words, s.sentences, s.syllables, s.polysyllables),
            (7, 2, 9, 0)
        );
        let wps = 7.0 / 2.0;
        let spw = 9.0 / 7.0;
        assert_eq!(
            s.flesch_kincaid_grade,
            round1(0.39 * wps + 11.8 * spw - 15.59)
        );
        assert_eq!(
            s.flesch_reading_ease,
            round1(206.835 - 1.015 * wps - 84.6 * spw)
        );
        assert_eq!(s.smog_grade, round1(3.1291));
    }

    #[test]
    fn only_prose_is_scored() {
        let md = "## What to expect\n\nYou may feel sick [@weiss2021]. It passes.\n\n| Drug | Dose |\n|---|---|\n| clonidine hydrochloride | 0.1 milligrams |\n\n```\nsome code here\n```\n\n- Drink water\n- Rest\n\nUse `inline code` here.\n\n![a long alternative text](x.png)\n\n## References\n\n1. Weiss ST. Treatment of kratom withdrawal and dependence.\n";
        let a = analyze(md);
        let all: Vec<&str> = a
            .scores
            .longest_sentences
            .iter()
            .map(|s| s.as_str())
            .collect();
        // Sentences: heading, 2 in the paragraph, 2 items, "Use here."
        assert_eq!(a.scores.sentences, 6, "{all:?}");
        assert_eq!(a.scores.words, 3 + 6 + 3 + 2, "{all:?}");
        assert!(!all.iter().any(|s| s.contains("weiss")));
        assert!(all.contains(&"You may feel sick."), "{all:?}");
    }

    #[test]
    fn sentence_ends_and_abbreviations() {
        let s =
            scores("Take 0.5 mg twice a day, e.g. with food. Dr. Lee will call. Is it safe? Yes!");
        assert_eq!(s.sentences, 4, "{:?}", s.longest_sentences);
        assert_eq!(
            s.longest_sentences[0],
            "Take 0.5 mg twice a day, e.g. with food."
        );
    }

    #[test]
    fn empty_text_scores_zero() {
        let s = scores("");
        assert_eq!(s, Scores::default());
        assert!(s.flesch_kincaid_grade.is_finite());
    }

    #[test]
    fn variant_above_its_target_is_reported_with_longest_sentences() {
        let hard = "Pharmacological management of withdrawal symptoms necessitates individualized consideration of comorbid psychiatric conditions and concurrent medication regimens.";
        let body = format!("Stop slowly.\n\n::: clinician\n{hard}\n:::\n\n::: patient\nAsk your nurse. We can help.\n:::\n");
        let doc = page(REVIEW, &body);
        let (scores, diags) = check(&doc, &config());
        assert_eq!(scores.len(), 3);
        assert!(scores["clinician"].flesch_kincaid_grade > 12.0);
        // The clinician audience has no target; patient and caregiver read easily.
        assert!(diags.is_empty(), "{diags:?}");

        let body = format!("::: patient\n{hard}\n:::\n");
        let doc = page(REVIEW, &body);
        let (_, diags) = check(&doc, &config());
        assert_eq!(diags.len(), 1);
        let d = &diags[0];
        assert_eq!(d.rule, RULE);
        assert_eq!(d.severity, crate::diag::Severity::Warning);
        assert_eq!(d.line, 9, "{d:?}");
        let hint = d.hint.as_deref().unwrap_or("");
        assert!(
            hint.contains("line 9 (16 words): Pharmacological"),
            "{hint}"
        );
        assert!(d.message.contains("Patient version"), "{}", d.message);
    }

    #[test]
    fn severity_follows_the_site_rules() {
        let mut c = config();
        c.rules.insert(RULE.into(), crate::config::RuleLevel::Error);
        let doc = page(REVIEW, "Pharmacological management necessitates individualized consideration of comorbid psychiatric conditions.\n");
        let (_, diags) = check(&doc, &c);
        assert!(diags
            .iter()
            .all(|d| d.severity == crate::diag::Severity::Error));
        assert_eq!(diags.len(), 2); // patient and caregiver
        c.rules.insert(RULE.into(), crate::config::RuleLevel::Off);
        assert!(check(&doc, &c).1.is_empty());
    }
}

#[cfg(test)]
mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn any_markdown_scores_finite_numbers(md in "(?s)[a-zA-Z .!?,;:#*\\-|`\\[\\]@>\n0-9é’]{0,300}") {
            let a = analyze(&md);
            let s = &a.scores;
            prop_assert!(s.flesch_reading_ease.is_finite());
            prop_assert!(s.flesch_kincaid_grade.is_finite());
            prop_assert!(s.smog_grade.is_finite());
            prop_assert!(s.sentences <= s.words);
            prop_assert!(s.longest_sentences.len() <= 3);
            prop_assert!(s.polysyllables <= s.words);
            for x in &a.longest {
                prop_assert!(x.offset <= md.len());
            }
        }

        #[test]
        fn any_word_counts_at_least_one_syllable(w in "[a-zA-Z]{1,20}") {
            let n = crate::audience::syllables::count(&w);
            prop_assert!(n >= 1 && n <= w.len());
        }
    }
}
