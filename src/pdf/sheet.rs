//! The clinician's sheet: a schedule's notes (what to check, the defaults used) with the plan
//! they concern, for the clinical record and never for the patient's copy.

use super::layout::{Block, Span};
use super::{lay_out, plan, Handout, PdfError};
use crate::i18n::Strings;
use crate::taper::{Said, Schedule};

/// What a note for the clinician is: something to check, or a value filled in by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteKind {
    Check,
    DefaultUsed,
}

impl NoteKind {
    /// Its label in `[sheet]`.
    fn key(self) -> &'static str {
        match self {
            NoteKind::Check => "check",
            NoteKind::DefaultUsed => "default_used",
        }
    }

    /// Its label in this language: `Check`, `Revisar`.
    pub fn label(self, words: &Strings) -> String {
        words.get("sheet", self.key()).to_string()
    }

    /// Its label as the command line prints it.
    pub fn english(self) -> &'static str {
        match self {
            NoteKind::Check => "Check",
            NoteKind::DefaultUsed => "Default used",
        }
    }
}

/// The notes a schedule carries for the clinician: what to check, and each value filled in by
/// default, as data to say in a language (`Said::render`) or in careguide's English
/// (`Said::english`). Empty when there is nothing to say.
pub fn clinician_notes(s: &Schedule) -> Vec<(NoteKind, &Said)> {
    s.warnings
        .iter()
        .map(|w| (NoteKind::Check, &w.said))
        .chain(
            s.input
                .defaults_applied
                .iter()
                .map(|d| (NoteKind::DefaultUsed, &d.said)),
        )
        .collect()
}

/// The clinician's sheet of a handout: the schedule's notes (what to check, the defaults used)
/// with the plan they concern, for the clinician and never for the patient's copy.
pub fn clinician_sheet(h: &Handout, s: &Schedule) -> Result<Vec<u8>, PdfError> {
    let words = h.strings;
    let sheet = |k: &str| words.get("sheet", k).to_string();
    let mut blocks = vec![Block::Heading(1, vec![Span::plain(sheet("heading"))])];
    let mut who = vec![
        Span::bold(format!("{}: ", sheet("handout"))),
        Span::plain(&h.doc.front.title),
    ];
    if let Some(name) = h.patient_name {
        who.extend([
            Span::plain("\n"),
            Span::bold(format!("{}: ", words.get("pdf", "prepared_for"))),
            Span::plain(name),
        ]);
    }
    who.extend([
        Span::plain("\n"),
        Span::bold(format!("{}: ", words.get("pdf", "date"))),
        Span::plain(words.date_long(h.made)),
    ]);
    blocks.push(Block::Paragraph(who));
    blocks.push(Block::Paragraph(vec![Span::bold(sheet("not_for_patient"))]));
    let notes = clinician_notes(s);
    if notes.is_empty() {
        blocks.push(Block::Paragraph(vec![Span::plain(sheet("no_notes"))]));
    }
    for (kind, said) in notes {
        blocks.push(Block::Paragraph(vec![
            Span::bold(format!("{}: ", kind.label(words))),
            Span::plain(said.render(words)),
        ]));
    }
    blocks.push(Block::Heading(2, vec![Span::plain(sheet("plan"))]));
    blocks.push(Block::Paragraph(vec![Span::plain(
        crate::taper::describe_said(&s.input).render(words),
    )]));
    blocks.push(Block::Table(plan::schedule_table(
        s,
        &h.config.handout.date_format(),
        words,
    )));
    lay_out(h, blocks, &sheet("for_whom"), &sheet("disclaimer"))
}
