//! Reading level of the prose a variant shows, by the formulas of its language: for English,
//! Flesch Reading Ease, Flesch-Kincaid grade and SMOG grade; for Spanish, the Fernández-Huerta
//! and Szigriszt-Pazos scores, the latter read on the INFLESZ scale. Text in a language with no
//! formulas here is counted (words, sentences) but not scored: English formulas on other
//! languages give numbers that mean nothing.
//!
//! Only prose is scored: headings, paragraphs and list items. Tables, code, images, raw HTML,
//! footnote definitions, citations (`[@key]`) and a References section are left out, as
//! health-literacy guidance asks. Each heading and list item is a sentence of its own even
//! without a full stop, so a bulleted list of short phrases scores as short sentences.

use std::collections::BTreeMap;

use pulldown_cmark::{Event, Parser, Tag, TagEnd};
use serde::{Deserialize, Serialize};

use super::blocks::Selected;
use super::{syllables, syllables_es};
use crate::config::{Config, CONFIG_FILE};
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
    /// English text only, like the other two English scores.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flesch_reading_ease: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flesch_kincaid_grade: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub smog_grade: Option<f64>,
    /// Spanish text only: Fernández-Huerta's *lecturabilidad* ([`fernandez_huerta`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fernandez_huerta: Option<f64>,
    /// Spanish text only: Szigriszt-Pazos's perspicuity ([`szigriszt_pazos`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub szigriszt_pazos: Option<f64>,
    /// Spanish text only: the INFLESZ band of the perspicuity ([`inflesz`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inflesz: Option<String>,
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

/// The reading-level formulas of a text's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Formulas {
    /// Flesch Reading Ease, Flesch-Kincaid grade, SMOG grade.
    English,
    /// Fernández-Huerta, Szigriszt-Pazos / INFLESZ.
    Spanish,
    /// A language careguide has no formulas for: words and sentences are counted, nothing is
    /// scored.
    Unscored,
}

impl Formulas {
    /// The formulas for a BCP 47 language id (`en`, `en-GB`, `es`, `es-MX`).
    pub fn for_language(lang: &str) -> Formulas {
        match crate::config::primary_language(lang).as_str() {
            "en" => Formulas::English,
            "es" => Formulas::Spanish,
            _ => Formulas::Unscored,
        }
    }

    fn abbreviations(self) -> &'static [&'static str] {
        match self {
            Formulas::Spanish => ABBREVIATIONS_ES,
            _ => ABBREVIATIONS,
        }
    }
}

/// Abbreviations whose full stop does not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "dr", "mr", "mrs", "ms", "prof", "st", "vs", "e.g", "i.e", "eg", "ie", "approx", "fig", "no",
    "dept", "inc", "ltd", "jr", "sr", "cf", "al", "ca",
];

/// Spanish abbreviations whose full stop does not end a sentence (`Dra.`, `p. ej.`, `aprox.`).
const ABBREVIATIONS_ES: &[&str] = &[
    "dr", "dra", "sr", "sra", "srta", "ud", "uds", "p", "ej", "p.ej", "aprox", "núm", "pág", "tel",
    "vs", "cf", "dpto", "av",
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

/// Spanish heading texts that start a reference list ("citas" is not one: it also means
/// appointments).
const REFERENCE_HEADINGS_ES: &[&str] = &["referencias", "bibliografía", "fuentes"];

/// One unit of prose: a heading, a paragraph or a list item's own text.
#[derive(Debug, Default)]
struct Unit {
    /// Text pieces, each with the Markdown offset it comes from.
    pieces: Vec<(String, usize)>,
}

/// Collect the prose units of Markdown (citations already blanked out).
fn units(md: &str, formulas: Formulas) -> Vec<Unit> {
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
                    let spanish = formulas == Formulas::Spanish
                        && REFERENCE_HEADINGS_ES.contains(&name.as_str());
                    if REFERENCE_HEADINGS.contains(&name.as_str()) || spanish {
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
fn ends_sentence(token: &str, next: Option<&str>, abbreviations: &[&str]) -> bool {
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
    if abbreviations.contains(&word.as_str()) {
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
fn strip_citations(md: &str, scan: &crate::cite::scan::Scan) -> String {
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

/// Score the prose of one variant's Markdown as English.
pub fn analyze(md: &str) -> Analysis {
    analyze_in(md, Formulas::English)
}

/// Fernández-Huerta's *lecturabilidad* (1959), in the corrected form: 206.84 − 0.60·P −
/// 1.02·F, where P is syllables per 100 words and F the mean number of words per sentence,
/// that is 206.84 − 60·(syllables/words) − 1.02·(words/sentences). The form usually quoted
/// reads F as "sentences per 100 words", which makes shorter sentences score as harder; the
/// correction (G. Law, "Error in the Fernandez Huerta readability formula", LINGUIST List
/// 22.2332, 2011) is the form legible.es and most current tools use. 60-70 reads as
/// "normal" for adults; higher is easier.
pub fn fernandez_huerta(words: usize, sentences: usize, syllables: usize) -> f64 {
    let spw = syllables as f64 / words as f64;
    let wps = words as f64 / sentences as f64;
    206.84 - 60.0 * spw - 1.02 * wps
}

/// Szigriszt-Pazos's perspicuity (1993): 206.835 − 62.3·(syllables/words) −
/// words/sentences. Higher is easier; [`inflesz`] names its band.
pub fn szigriszt_pazos(words: usize, sentences: usize, syllables: usize) -> f64 {
    206.835 - 62.3 * (syllables as f64 / words as f64) - words as f64 / sentences as f64
}

/// The INFLESZ band of a perspicuity score (Barrio-Cantalejo et al., 2008, validated on texts
/// for patients): below 40 "muy difícil", 40-55 "algo difícil", 55-65 "normal", 65-80
/// "bastante fácil", above 80 "muy fácil" (a boundary belongs to the easier band).
pub fn inflesz(perspicuity: f64) -> &'static str {
    match perspicuity {
        p if p < 40.0 => "muy difícil",
        p if p < 55.0 => "algo difícil",
        p if p < 65.0 => "normal",
        p if p < 80.0 => "bastante fácil",
        _ => "muy fácil",
    }
}

/// Score the prose of one variant's Markdown with the formulas of its language.
pub fn analyze_in(md: &str, formulas: Formulas) -> Analysis {
    analyze_scanned(md, &crate::cite::scan::scan(md), formulas)
}

/// [`analyze_in`] with the citations of `md` already found.
fn analyze_scanned(md: &str, scan: &crate::cite::scan::Scan, formulas: Formulas) -> Analysis {
    let clean = super::blocks::blank_callout_fences(strip_citations(md, scan));
    let mut sentences: Vec<Sentence> = Vec::new();
    let (mut words, mut syl, mut poly) = (0usize, 0usize, 0usize);
    for unit in units(&clean, formulas) {
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
                let s = match formulas {
                    Formulas::English => syllables::count(tok),
                    Formulas::Spanish => syllables_es::count(tok),
                    Formulas::Unscored => 0,
                };
                syl += s;
                if s >= 3 {
                    poly += 1;
                }
            }
            let last = i + 1 == tokens.len();
            let next = tokens.get(i + 1).map(|t| t.0);
            if last || ends_sentence(tok, next, formulas.abbreviations()) {
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
    let scored = words > 0 && n > 0;
    match formulas {
        Formulas::English => {
            let (mut fre, mut fk, mut smog) = (0.0, 0.0, 0.0);
            if scored {
                let wps = words as f64 / n as f64;
                let spw = syl as f64 / words as f64;
                fre = round1(206.835 - 1.015 * wps - 84.6 * spw);
                fk = round1(0.39 * wps + 11.8 * spw - 15.59);
                smog = round1(1.0430 * (poly as f64 * 30.0 / n as f64).sqrt() + 3.1291);
            }
            scores.flesch_reading_ease = Some(fre);
            scores.flesch_kincaid_grade = Some(fk);
            scores.smog_grade = Some(smog);
        }
        Formulas::Spanish if scored => {
            let p = round1(szigriszt_pazos(words, n, syl));
            scores.fernandez_huerta = Some(round1(fernandez_huerta(words, n, syl)));
            scores.szigriszt_pazos = Some(p);
            scores.inflesz = Some(inflesz(p).to_string());
        }
        Formulas::Spanish | Formulas::Unscored => {}
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

/// The reading-level finding for one variant in language `lang`, if its score misses the
/// audience's target for that language: for English, a Flesch-Kincaid grade above
/// `reading_grade`; for Spanish, a score below `reading.<lang>`'s minimum. `selected` is the
/// variant's Markdown with its map to the body; `analysis` its scores by that language's
/// formulas ([`analyze_in`]).
pub fn check_variant(
    doc: &Document,
    config: &Config,
    audience: &AudienceId,
    selected: &Selected,
    analysis: &Analysis,
    lang: &str,
) -> Option<Diagnostic> {
    let (message, summary) = match Formulas::for_language(lang) {
        Formulas::English => english_miss(config, audience, &analysis.scores)?,
        Formulas::Spanish => spanish_miss(config, audience, &analysis.scores, lang)?,
        Formulas::Unscored => return None,
    };
    let mut hint = summary;
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
    let d = Diagnostic::warning(RULE, message)
        .at(&doc.file, line, col)
        .hint(hint);
    config.apply_level(d)
}

fn audience_label<'c>(config: &'c Config, audience: &'c AudienceId) -> &'c str {
    config
        .audience(audience)
        .map(|a| a.label.as_str())
        .unwrap_or(audience)
}

/// The message and the start of the hint when English text is above its grade.
fn english_miss(config: &Config, audience: &AudienceId, s: &Scores) -> Option<(String, String)> {
    let target = config.audience(audience)?.reading_grade?;
    let (fk, smog, fre) = (
        s.flesch_kincaid_grade?,
        s.smog_grade?,
        s.flesch_reading_ease?,
    );
    if s.words == 0 || fk <= target {
        return None;
    }
    let label = audience_label(config, audience);
    let hint = format!(
        "Flesch-Kincaid grade {fk:.1}, SMOG grade {smog:.1}, Flesch Reading Ease {fre:.1} ({} words, {} sentences, {} syllables); shorter sentences and everyday words lower the grade. Longest sentences:",
        s.words, s.sentences, s.syllables
    );
    let message = format!(
        "the {label} version reads at grade {fk:.1}, above its target of grade {}",
        fmt_grade(target)
    );
    Some((message, hint))
}

/// The message and the start of the hint when Spanish text scores below a minimum of the
/// audience's `reading.<lang>` target.
fn spanish_miss(
    config: &Config,
    audience: &AudienceId,
    s: &Scores,
    lang: &str,
) -> Option<(String, String)> {
    let target = config.audience(audience)?.reading_target(lang)?;
    let (fh, sp) = (s.fernandez_huerta?, s.szigriszt_pazos?);
    let band = inflesz(sp);
    let misses: Vec<String> = [
        ("INFLESZ", sp, target.min_inflesz, format!(" ({band})")),
        (
            "Fernández-Huerta",
            fh,
            target.min_fernandez_huerta,
            String::new(),
        ),
    ]
    .into_iter()
    .filter_map(|(scale, score, min, note)| {
        let min = min?;
        (score < min).then(|| {
            format!(
                "{score:.1} on the {scale} scale{note}, below its target of {}",
                fmt_grade(min)
            )
        })
    })
    .collect();
    if s.words == 0 || misses.is_empty() {
        return None;
    }
    let label = audience_label(config, audience);
    let message = format!(
        "the {label} version ({lang}) scores {}",
        misses.join(" and ")
    );
    let hint = format!(
        "Fernández-Huerta {fh:.1}, Szigriszt-Pazos perspicuity {sp:.1} (INFLESZ: {band}) ({} words, {} sentences, {} syllables); higher is easier: shorter sentences and shorter, everyday words raise the score. Longest sentences:",
        s.words, s.sentences, s.syllables
    );
    Some((message, hint))
}

fn fmt_grade(g: f64) -> String {
    if g.fract() == 0.0 {
        format!("{g:.0}")
    } else {
        format!("{g:.1}")
    }
}

/// Every audience's scores for a page, and the reading-level findings: what `check` reports
/// and `check --format json` includes (as `{page path: {audience: Scores}}`). The page is read
/// in the page's own language.
pub fn check(doc: &Document, config: &Config) -> (BTreeMap<AudienceId, Scores>, Vec<Diagnostic>) {
    let selections = super::blocks::Selections::read(doc);
    check_with(doc, &selections, config, doc.lang.as_str())
}

/// [`check`] with each audience's selection of the page already made and scanned, for text in
/// language `lang`.
pub fn check_with(
    doc: &Document,
    selections: &super::blocks::Selections,
    config: &Config,
    lang: &str,
) -> (BTreeMap<AudienceId, Scores>, Vec<Diagnostic>) {
    let formulas = Formulas::for_language(lang);
    let mut scores = BTreeMap::new();
    let mut diags = Vec::new();
    // Audiences often read the same text (no block for one of them): analyzed once.
    let mut analyzed: Vec<(&str, Analysis)> = Vec::new();
    for (audience, selected, scan) in selections.iter() {
        let analysis = match analyzed.iter().find(|(t, _)| *t == selected.text) {
            Some((_, a)) => a.clone(),
            None => {
                let a = analyze_scanned(&selected.text, scan, formulas);
                analyzed.push((&selected.text, a.clone()));
                a
            }
        };
        diags.extend(check_variant(
            doc, config, audience, selected, &analysis, lang,
        ));
        scores.insert(audience.clone(), analysis.scores);
    }
    (scores, diags)
}

/// Rule name of the notes about languages and targets (one per site, not per page).
pub const LANGUAGE_RULE: &str = "audience/reading-language";

/// What the site should know once about how its pages in `lang` are scored: a language with
/// no formulas here is not scored at all (one note, never English formulas instead); an
/// audience with an English `reading_grade` but no target for `lang` is scored and not
/// checked. `config_text` places the notes in `careguide.toml`.
pub fn language_notes(config: &Config, config_text: &str, lang: &str) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    match Formulas::for_language(lang) {
        Formulas::English => {}
        Formulas::Unscored => {
            // The `language = ...` line, not a comment or another key that mentions it.
            let (l, c) = config_text
                .lines()
                .scan(0, |offset, line| {
                    let at = *offset;
                    *offset += line.len() + 1;
                    Some((at, line))
                })
                .find(|(_, line)| {
                    line.strip_prefix("language")
                        .is_some_and(|rest| rest.trim_start().starts_with('='))
                })
                .map(|(at, _)| crate::diag::line_col(config_text, at))
                .unwrap_or((0, 0));
            out.push(
                Diagnostic::warning(
                    LANGUAGE_RULE,
                    format!("pages in '{lang}' are not given a reading level: careguide has reading-level formulas for English and Spanish only"),
                )
                .at(CONFIG_FILE, l, c)
                .hint("English formulas give meaningless numbers on other languages, so none is used; check the reading level of these pages another way (a readability tool for the language, or a test with readers)"),
            );
        }
        Formulas::Spanish => {
            for a in &config.audiences {
                if a.reading_grade.is_some() && a.reading_target(lang).is_none() {
                    let (l, c) =
                        crate::config::entry_place(config_text, "[[audiences]]", a.id.as_str());
                    out.push(
                        Diagnostic::warning(
                            LANGUAGE_RULE,
                            format!("audience '{}' has an English reading_grade but no target for '{lang}': its pages in '{lang}' are scored but not checked", a.id),
                        )
                        .at(CONFIG_FILE, l, c)
                        .hint(format!("add reading = {{ {} = {{ min_inflesz = 55 }} }} to the audience (INFLESZ: 55-65 \"normal\", 65-80 \"bastante fácil\")", crate::config::primary_language(lang))),
                    );
                }
            }
        }
    }
    out.into_iter()
        .filter_map(|d| config.apply_level(d))
        .collect()
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
            Some(round1(0.39 * wps + 11.8 * spw - 15.59))
        );
        assert_eq!(
            s.flesch_reading_ease,
            Some(round1(206.835 - 1.015 * wps - 84.6 * spw))
        );
        assert_eq!(s.smog_grade, Some(round1(3.1291)));
        assert_eq!(s.fernandez_huerta, None);
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
        let zero = Some(0.0);
        assert_eq!(
            s,
            Scores {
                flesch_reading_ease: zero,
                flesch_kincaid_grade: zero,
                smog_grade: zero,
                ..Scores::default()
            }
        );
        // English scores of no text are written as 0, as they always were.
        assert_eq!(
            serde_json::to_string(&s).unwrap(),
            r#"{"words":0,"sentences":0,"syllables":0,"polysyllables":0,"flesch_reading_ease":0.0,"flesch_kincaid_grade":0.0,"smog_grade":0.0,"longest_sentences":[]}"#
        );
        let es = analyze_in("", Formulas::Spanish).scores;
        assert_eq!(es, Scores::default());
    }

    #[test]
    fn variant_above_its_target_is_reported_with_longest_sentences() {
        let hard = "Pharmacological management of withdrawal symptoms necessitates individualized consideration of comorbid psychiatric conditions and concurrent medication regimens.";
        let body = format!("Stop slowly.\n\n::: clinician\n{hard}\n:::\n\n::: patient\nAsk your nurse. We can help.\n:::\n");
        let doc = page(REVIEW, &body);
        let (scores, diags) = check(&doc, &config());
        assert_eq!(scores.len(), 3);
        assert!(scores["clinician"].flesch_kincaid_grade > Some(12.0));
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
mod spanish {
    use super::*;
    use crate::audience::testutil::{page, CONFIG, REVIEW};
    use crate::diag::Severity;
    use std::path::Path;

    /// The test site in Spanish, the patient audience with a Spanish target.
    fn config_es(target: &str) -> Config {
        let text = CONFIG
            .replace("default_audience", "language = \"es\"\ndefault_audience")
            .replacen(
                "plain = true\nreading_grade = 8\n",
                &format!("plain = true\nreading_grade = 8\nreading = {{ es = {{ {target} }} }}\n"),
                1,
            );
        Config::parse(&text, Path::new("careguide.toml")).expect("test configuration parses")
    }

    const EASY: &str = "Deje el kratom poco a poco. Su médico le ayuda. Beba agua. Duerma bien.";
    const HARD: &str = "La interrupción abrupta del consumo prolongado de kratom desencadena habitualmente manifestaciones fisiológicas desagradables, cuya intensidad depende de la cantidad consumida, de la frecuencia de administración y de determinadas características individuales del consumidor.";

    #[test]
    fn formulas_match_hand_computation() {
        // "Beba agua." = be-ba a-gua: 2 words, 4 syllables; "Llame hoy." = lla-me hoy: 2, 3.
        let s = analyze_in("Beba agua. Llame hoy.", Formulas::Spanish).scores;
        assert_eq!((s.words, s.sentences, s.syllables), (4, 2, 7));
        // Fernández-Huerta, corrected form: 206.84 - 0.60 * (syllables per 100 words) -
        // 1.02 * (words per sentence) = 206.84 - 0.60 * 175 - 1.02 * 2 = 99.8.
        assert_eq!(s.fernandez_huerta, Some(99.8));
        // Szigriszt-Pazos: 206.835 - 62.3 * 7/4 - 4/2 = 95.81 -> 95.8, "muy fácil".
        assert_eq!(s.szigriszt_pazos, Some(95.8));
        assert_eq!(s.inflesz.as_deref(), Some("muy fácil"));
        // No English formula on Spanish text.
        assert_eq!(
            (s.flesch_reading_ease, s.flesch_kincaid_grade, s.smog_grade),
            (None, None, None)
        );
        assert!((fernandez_huerta(100, 5, 200) - (206.84 - 120.0 - 20.4)).abs() < 1e-9);
        assert!((szigriszt_pazos(100, 5, 200) - (206.835 - 124.6 - 20.0)).abs() < 1e-9);
    }

    #[test]
    fn inflesz_bands() {
        let cases = [
            (10.0, "muy difícil"),
            (39.9, "muy difícil"),
            (40.0, "algo difícil"),
            (54.9, "algo difícil"),
            (55.0, "normal"),
            (64.9, "normal"),
            (65.0, "bastante fácil"),
            (79.9, "bastante fácil"),
            (80.0, "muy fácil"),
            (104.0, "muy fácil"),
        ];
        for (score, band) in cases {
            assert_eq!(inflesz(score), band, "{score}");
        }
    }

    #[test]
    fn spanish_sentences_and_references() {
        let md = "¿Qué es el kratom? Es una planta. La Dra. Ruiz le explica, p. ej., la dosis.\n\n## Referencias\n\nUna fuente muy larga con muchas palabras que no se cuentan.\n";
        let s = analyze_in(md, Formulas::Spanish).scores;
        assert_eq!(s.sentences, 3, "{:?}", s.longest_sentences);
        assert_eq!(
            s.longest_sentences[0],
            "La Dra. Ruiz le explica, p. ej., la dosis."
        );
        // English pages keep their own abbreviations and reference headings.
        let en = analyze("Ask Dr. Lee.\n\n## Referencias\n\nSome text here.\n").scores;
        assert_eq!(en.words, 7);
    }

    #[test]
    fn a_hard_spanish_text_misses_its_target_and_an_easy_one_passes() {
        let c = config_es("min_inflesz = 55");
        let mut doc = page(REVIEW, &format!("::: patient\n{HARD}\n:::\n"));
        doc.lang = crate::types::LangId::new("es");
        let (scores, diags) = check(&doc, &c);
        let s = &scores["patient"];
        assert!(s.szigriszt_pazos < Some(40.0), "{s:?}");
        assert_eq!(s.inflesz.as_deref(), Some("muy difícil"));
        assert_eq!(diags.len(), 1, "{diags:?}");
        let d = &diags[0];
        assert_eq!((d.rule.as_str(), d.severity), (RULE, Severity::Warning));
        let sp = s.szigriszt_pazos.unwrap_or_default();
        assert_eq!(
            d.message,
            format!("the Patient version (es) scores {sp:.1} on the INFLESZ scale (muy difícil), below its target of 55")
        );
        let hint = d.hint.as_deref().unwrap_or("");
        assert!(hint.starts_with("Fernández-Huerta "), "{hint}");
        assert!(hint.contains("higher is easier"), "{hint}");
        assert!(
            hint.contains("line 9 (32 words): La interrupción"),
            "{hint}"
        );
        assert_eq!(d.line, 9);

        let mut doc = page(REVIEW, &format!("::: patient\n{EASY}\n:::\n"));
        doc.lang = crate::types::LangId::new("es");
        let (scores, diags) = check(&doc, &c);
        assert!(diags.is_empty(), "{diags:?} {scores:?}");
        assert!(scores["patient"].szigriszt_pazos > Some(80.0));
    }

    #[test]
    fn either_scale_can_be_the_target_and_english_targets_do_not_apply() {
        let mut doc = page(REVIEW, &format!("::: patient\n{HARD}\n:::\n"));
        doc.lang = crate::types::LangId::new("es");
        let (_, diags) = check(&doc, &config_es("min_fernandez_huerta = 60"));
        assert_eq!(diags.len(), 1);
        assert!(
            diags[0]
                .message
                .contains("on the Fernández-Huerta scale, below its target of 60"),
            "{}",
            diags[0].message
        );
        // The caregiver has only an English grade: its Spanish text is scored, not checked.
        let mut doc = page(REVIEW, &format!("::: caregiver\n{HARD}\n:::\n"));
        doc.lang = crate::types::LangId::new("es");
        let (scores, diags) = check(&doc, &config_es("min_inflesz = 55"));
        assert!(diags.is_empty(), "{diags:?}");
        assert!(scores["caregiver"].fernandez_huerta.is_some());
    }

    #[test]
    fn the_language_is_a_parameter() {
        let c = crate::audience::testutil::config();
        let mut doc = page(REVIEW, &format!("::: patient\n{HARD}\n:::\n"));
        doc.lang = crate::types::LangId::new("es");
        let sel = crate::audience::blocks::Selections::read(&doc);
        let (es, _) = check_with(&doc, &sel, &c, "es-MX");
        assert!(es["patient"].fernandez_huerta.is_some());
        let (de, diags) = check_with(&doc, &sel, &c, "de");
        assert!(diags.is_empty());
        let s = &de["patient"];
        assert!(s.words > 0 && s.syllables == 0);
        assert_eq!((s.flesch_kincaid_grade, s.fernandez_huerta), (None, None));
        let json = serde_json::to_value(s).unwrap_or_default();
        assert!(json.get("flesch_kincaid_grade").is_none(), "{json}");
    }

    #[test]
    fn one_note_per_site_for_a_language_without_formulas() {
        let text = CONFIG.replace("default_audience", "language = \"de\"\ndefault_audience");
        let c = Config::parse(&text, Path::new("careguide.toml")).expect("parses");
        let notes = language_notes(&c, &text, &c.language);
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert_eq!(notes[0].rule, LANGUAGE_RULE);
        assert_eq!(notes[0].severity, Severity::Warning);
        assert_eq!(notes[0].line, 5);
        assert!(notes[0].message.contains("'de'"), "{}", notes[0].message);
        // English: nothing to say. Spanish: the audience with an English grade and no Spanish
        // target (the caregiver) is named.
        let en = crate::audience::testutil::config();
        assert!(language_notes(&en, CONFIG, "en").is_empty());
        let es = config_es("min_inflesz = 55");
        let notes = language_notes(&es, CONFIG, "es");
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(
            notes[0].message.contains("'caregiver'"),
            "{}",
            notes[0].message
        );
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
            prop_assert!(s.flesch_reading_ease.is_some_and(f64::is_finite));
            prop_assert!(s.flesch_kincaid_grade.is_some_and(f64::is_finite));
            prop_assert!(s.smog_grade.is_some_and(f64::is_finite));
            let es = analyze_in(&md, Formulas::Spanish).scores;
            prop_assert!(es.flesch_kincaid_grade.is_none());
            prop_assert!(es.fernandez_huerta.is_none_or(f64::is_finite));
            prop_assert!(es.szigriszt_pazos.is_none_or(f64::is_finite));
            prop_assert_eq!(es.words, s.words);
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
