//! The schedule's notes the clinician confirms before the PDF is handed over. The server
//! checks that the confirmation names these very notes (by their digest), so a handout changed
//! after confirming is shown again; nothing is kept between the two submits.

use super::values::FormErrors;
use crate::cmd::handout::Made;
use crate::i18n::Strings;
use crate::pdf::NoteKind;

/// The digest a confirmation of these notes sends back.
fn notes_digest(notes: &[(String, String)]) -> String {
    let mut d = crate::util::Digest::new();
    for (kind, text) in notes {
        d.field(kind.as_bytes()).field(text.as_bytes());
    }
    d.hex()
}

/// The notes the form shows for a handout, in the form's language: the schedule's (what to
/// check, the defaults used), then the one on the next visit.
fn notes_of(made: &Made, words: &Strings) -> Vec<(String, String)> {
    let schedule = made
        .schedule
        .as_ref()
        .map(crate::pdf::clinician_notes)
        .unwrap_or_default();
    schedule
        .into_iter()
        .map(|(kind, said)| (kind.label(words), said.render(words)))
        .chain(
            made.visit_note
                .iter()
                .map(|n| (NoteKind::Check.label(words), n.render(words))),
        )
        .collect()
}

/// A handout with something to check (the schedule's warnings, a next visit after it ends) is
/// handed over only once the clinician has confirmed its notes.
pub(super) fn needs_confirmation(made: &Made, confirmed: &str, words: &Strings) -> bool {
    let check = made
        .schedule
        .as_ref()
        .is_some_and(|s| !s.warnings.is_empty())
        || made.visit_note.is_some();
    check && notes_digest(&notes_of(made, words)) != confirmed.trim()
}

/// Put the notes to read and confirm in `errors`, with their digest, then the holds the
/// warnings suggest (not part of what is confirmed).
pub(super) fn show_notes(made: &Made, errors: &mut FormErrors, words: &Strings) {
    errors.notes = notes_of(made, words);
    errors.notes_digest = notes_digest(&errors.notes);
    // The holds the warnings suggest, as the value to put in the held steps field.
    if let Some(s) = made.schedule.as_ref() {
        if !s.suggested_holds().is_empty() {
            let value: Vec<String> = s
                .holds_with_suggestions()
                .iter()
                .map(|h| h.to_string())
                .collect();
            errors.notes.push((
                words.get("form", "suggested").to_string(),
                words.fill("form", "suggested_holds", &[("holds", &value.join(" "))]),
            ));
        }
    }
}
