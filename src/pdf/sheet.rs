//! The clinician's sheet: a schedule's notes (what to check, the defaults used) with the plan
//! they concern, for the clinical record and never for the patient's copy.

use super::layout::{Block, Span};
use super::{lay_out, plan, Handout, PdfError};
use crate::taper::Schedule;

/// The notes a schedule carries for the clinician: what to check, and each value filled in by
/// default. Empty when there is nothing to say.
pub fn clinician_notes(s: &Schedule) -> Vec<(&'static str, &str)> {
    s.warnings
        .iter()
        .map(|w| ("Check", w.text.as_str()))
        .chain(
            s.input
                .defaults_applied
                .iter()
                .map(|d| ("Default used", d.as_str())),
        )
        .collect()
}

/// The clinician's sheet of a handout: the schedule's notes (what to check, the defaults used)
/// with the plan they concern, for the clinician and never for the patient's copy.
pub fn clinician_sheet(h: &Handout, s: &Schedule) -> Result<Vec<u8>, PdfError> {
    let words = h.strings;
    let mut blocks = vec![Block::Heading(
        1,
        vec![Span::plain("Notes for the clinician")],
    )];
    let mut who = vec![Span::bold("Handout: "), Span::plain(&h.doc.front.title)];
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
    blocks.push(Block::Paragraph(vec![Span::bold(
        "Not for the patient: keep this sheet with the clinical record.",
    )]));
    let notes = clinician_notes(s);
    if notes.is_empty() {
        blocks.push(Block::Paragraph(vec![Span::plain(
            "The schedule carries no warning, and no value was filled in by default.",
        )]));
    }
    for (kind, text) in notes {
        blocks.push(Block::Paragraph(vec![
            Span::bold(format!("{kind}: ")),
            Span::plain(text),
        ]));
    }
    blocks.push(Block::Heading(2, vec![Span::plain("The plan")]));
    blocks.push(Block::Paragraph(vec![Span::plain(crate::taper::describe(
        &s.input,
    ))]));
    blocks.push(Block::Table(plan::schedule_table(
        s,
        &h.config.handout.date_format(),
        words,
    )));
    lay_out(
        h,
        blocks,
        "For: the clinician, not the patient",
        "Notes for the clinician. Not to be handed to the patient.",
    )
}
