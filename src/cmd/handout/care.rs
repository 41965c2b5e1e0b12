//! The people and dates a handout's first page names besides the plan: the patient, the
//! clinician, the clinic's phone for questions and the next visit. Each is checked here the same
//! way for the command line, a batch row and the form.
//!
//! The patient's and the clinician's names and the next visit are patient data: no message
//! here repeats them. The phone is the clinic's.

use crate::cmd::taper::Problem;
use crate::i18n::Strings;
use crate::pdf::Care;
use crate::taper::Field;
use crate::types::Date;

/// The care details as typed (trimmed, empty ones left out), before they are checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct CareInput<'a> {
    /// The clinician's name (`--clinician`).
    pub clinician: Option<&'a str>,
    /// The phone for questions (`--phone`).
    pub phone: Option<&'a str>,
    /// The next visit, YYYY-MM-DD (`--next-visit`).
    pub next_visit: Option<&'a str>,
    /// With no phone given, print the site's `[contact] phone`, and say so. The command line
    /// does; the form shows that phone in its field instead, so an emptied field prints none.
    pub phone_from_config: bool,
}

impl<'a> CareInput<'a> {
    /// Each value checked on its own (its dates against the plan are [`visit_problems`]'s):
    /// every problem, each for its field.
    pub fn check(&self) -> Result<Care<'a>, Vec<Problem>> {
        self.check_in(&Strings::english())
    }

    /// [`CareInput::check`] with its messages in `words`' language (the handout form's).
    pub fn check_in(&self, words: &Strings) -> Result<Care<'a>, Vec<Problem>> {
        let mut problems = Vec::new();
        if let Some(c) = self.clinician {
            if let Err(e) = check_name_in(c, "clinician", words) {
                problems.push(Problem::of(Field::Clinician, e));
            }
        }
        if let Some(p) = self.phone {
            if let Err(e) = check_phone_in(p, words) {
                problems.push(Problem::of(Field::Phone, e));
            }
        }
        let next_visit = match self.next_visit.map(|v| parse_visit_in(v, words)) {
            Some(Ok(d)) => Some(d),
            Some(Err(e)) => {
                problems.push(Problem::of(Field::NextVisit, e));
                None
            }
            None => None,
        };
        if problems.is_empty() {
            Ok(Care {
                clinician: self.clinician,
                phone: self.phone,
                next_visit,
            })
        } else {
            Err(problems)
        }
    }
}

/// A person's name as the handout prints it: not empty, not too long, no control characters,
/// and every character in the handout's font. `whose`: "patient" or "clinician".
pub fn check_name(name: &str, whose: &str) -> Result<(), String> {
    check_name_in(name, whose, &Strings::english())
}

/// [`check_name`] with its messages in `words`' language.
pub fn check_name_in(name: &str, whose: &str, words: &Strings) -> Result<(), String> {
    let key = format!("name_{whose}");
    let whose = words.get("form", &key);
    let say = |key: &str, n: &str| words.fill("form", key, &[("name", whose), ("n", n)]);
    if name.trim().is_empty() {
        return Err(say("name_empty", ""));
    }
    if name.chars().count() > 200 || name.chars().any(|c| c.is_control()) {
        return Err(say("name_unfit", ""));
    }
    let missing = crate::pdf::fonts::missing_chars(name);
    if !missing.is_empty() {
        // Name the count, not the characters: they are part of a person's name.
        return Err(say("name_font", &missing.len().to_string()));
    }
    Ok(())
}

/// Longest phone number, extension included.
const MAX_PHONE: usize = 40;

/// A phone number as clinics write them: `+44 20 7946 0958`, `(555) 010-0100 ext. 23`,
/// `555.0100 x23`, `0800/123 456 #4`. The number: digits, spaces and `+ ( ) - . /`, with a
/// `+` only at its start, balanced parentheses and 3 to 15 digits (E.164 allows 15); then an
/// optional extension of 1 to 6 digits after `ext`, `extension`, `x` or `#`. Letters elsewhere
/// are refused: a patient dials digits (1-800-QUIT-NOW is 1-800-784-8669).
pub fn check_phone(phone: &str) -> Result<(), String> {
    check_phone_in(phone, &Strings::english())
}

/// [`check_phone`] with its messages in `words`' language.
pub fn check_phone_in(phone: &str, words: &Strings) -> Result<(), String> {
    let say = |key: &str| words.get("form", key).to_string();
    let phone = phone.trim();
    if phone.is_empty() {
        return Err(say("phone_empty"));
    }
    if phone.chars().count() > MAX_PHONE {
        return Err(words.fill("form", "phone_long", &[("max", &MAX_PHONE.to_string())]));
    }
    // The extension starts at the first letter or `#`.
    let (number, extension) = match phone.find(|c: char| c.is_ascii_alphabetic() || c == '#') {
        Some(i) => phone.split_at(i),
        None => (phone, ""),
    };
    if !number
        .chars()
        .all(|c| c.is_ascii_digit() || " +()-./".contains(c))
        || !(extension.is_empty() || is_extension(extension))
    {
        return Err(say("phone_shape"));
    }
    if number
        .trim_start()
        .get(1..)
        .is_some_and(|r| r.contains('+'))
    {
        return Err(say("phone_plus"));
    }
    let mut depth = 0i32;
    for c in number.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            break;
        }
    }
    if depth != 0 {
        return Err(say("phone_parens"));
    }
    let digits = number.chars().filter(char::is_ascii_digit).count();
    if !(3..=15).contains(&digits) {
        return Err(words.fill("form", "phone_digits", &[("n", &digits.to_string())]));
    }
    Ok(())
}

/// `ext. 23`, `extension 23`, `x23`, `#23`, `Ext: 23`: a word, then 1 to 6 digits.
fn is_extension(ext: &str) -> bool {
    let lower = ext.to_ascii_lowercase();
    ["extension", "ext", "x", "#"]
        .iter()
        .find_map(|w| lower.strip_prefix(w))
        .map(|rest| rest.trim_start_matches([' ', '.', ':']))
        .is_some_and(|d| (1..=6).contains(&d.len()) && d.bytes().all(|b| b.is_ascii_digit()))
}

/// The next visit's date. Unlike other dates' messages, these do not repeat what was typed.
pub fn parse_visit(s: &str) -> Result<Date, String> {
    parse_visit_in(s, &Strings::english())
}

/// [`parse_visit`] with its messages in `words`' language.
pub fn parse_visit_in(s: &str, words: &Strings) -> Result<Date, String> {
    Date::parse(s).map_err(|_| {
        let s = s.trim();
        let shaped = s.len() == 10 && s.bytes().all(|b| b.is_ascii_digit() || b == b'-');
        let key = if shaped {
            "visit_not_real"
        } else {
            "visit_not_date"
        };
        words.get("form", key).to_string()
    })
}

/// The next visit against the plan: before the day the handout is made or before the
/// schedule's start it is an error (the date is wrong); after the day the schedule ends, a note
/// for the clinician (the handout's plan ends before the visit: is that intended?).
pub fn visit_problems(
    visit: Date,
    made: Date,
    schedule: Option<&crate::taper::Schedule>,
) -> Result<Option<crate::taper::Said>, Problem> {
    if let Some(s) = schedule {
        if visit < s.input.start {
            return Err(said_problem(
                Field::NextVisit,
                crate::taper::Said::new("check_visit_before_start", vec![]),
            ));
        }
    }
    if visit < made {
        return Err(said_problem(
            Field::NextVisit,
            crate::taper::Said::new(
                "check_visit_before_made",
                vec![("made", crate::taper::Value::plain(made.iso()))],
            ),
        ));
    }
    Ok(schedule
        .and_then(|s| s.stop_date())
        .filter(|stop| visit > *stop)
        .map(|_| crate::taper::Said::new("visit_after_end", vec![])))
}

/// A problem said as data, its English the note's.
fn said_problem(field: Field, said: crate::taper::Said) -> Problem {
    Problem {
        message: said.english(),
        said: Some(said),
        ..Problem::of(field, "")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_clinic_phones_pass() {
        for p in [
            "+1 555 0100",
            "+44 20 7946 0958",
            "(555) 010-0100",
            "(555) 010-0100 ext. 23",
            "555-0100 x23",
            "555.0100 Ext: 4",
            "0800/123 456 #4",
            "+49 (0)30 1234567",
            "911",
            "555-0100 extension 123456",
        ] {
            assert_eq!(check_phone(p), Ok(()), "{p}");
        }
    }

    #[test]
    fn other_text_is_not_a_phone() {
        for (p, why) in [
            ("", "empty"),
            ("  ", "empty"),
            ("1-800-QUIT-NOW", "write letters as their digits"),
            ("call reception", "write letters"),
            ("555 0100; ask for Ann", "holds digits"),
            ("555\u{7}0100", "holds digits"),
            ("５５５ ０１００", "holds digits"),
            ("555 +0100", "a + may only begin"),
            ("(555 0100", "parentheses"),
            ("555) 0100 (", "parentheses"),
            ("12", "2 digit(s)"),
            ("1234567890123456", "16 digit(s)"),
            ("555 0100 x", "holds digits"),
            ("555 0100 x1234567", "holds digits"),
            ("555 0100 ext 12a", "holds digits"),
            (&"5".repeat(41), "longer than 40"),
        ] {
            let e = check_phone(p).expect_err(p);
            assert!(e.contains(why), "{p}: {e}");
        }
    }

    #[test]
    fn names_are_checked_without_repeating_them() {
        assert_eq!(check_name("Dr. Ann Example", "clinician"), Ok(()));
        let e = check_name(" ", "clinician").unwrap_err();
        assert_eq!(e, "the clinician's name is empty");
        let e = check_name("Dr. 王", "clinician").unwrap_err();
        assert!(e.contains("1 character(s) of the clinician's name") && !e.contains('王'));
    }

    #[test]
    fn the_checks_speak_the_forms_language() {
        let es = Strings::builtin("es");
        assert_eq!(
            check_name_in(" ", "patient", &es).unwrap_err(),
            "el nombre del paciente está vacío"
        );
        assert!(check_name_in("Dr. 王", "clinician", &es)
            .unwrap_err()
            .contains("1 carácter(es) en el nombre del profesional de la salud"));
        assert!(check_phone_in("12", &es)
            .unwrap_err()
            .contains("tiene 2 cifra(s)"));
        assert_eq!(
            parse_visit_in("2027-02-30", &es).unwrap_err(),
            "la próxima consulta no es una fecha real del calendario"
        );
        // English as before.
        assert_eq!(
            check_phone("555 +0100").unwrap_err(),
            "a + may only begin the phone number (+44 20 7946 0958)"
        );
        assert!(check_phone("call reception").unwrap_err().starts_with(
            "a phone number holds digits, spaces and + ( ) - . / only, with an extension at its end such as \"ext. 23\""
        ));
    }

    #[test]
    fn next_visit_messages_leave_the_date_out() {
        assert!(parse_visit("2027-01-05").is_ok());
        for bad in ["2027-02-30", "next week", "05/01/2027"] {
            let e = parse_visit(bad).unwrap_err();
            assert!(
                !e.contains(bad) && e.starts_with("the next visit is not"),
                "{e}"
            );
        }
        let care = CareInput {
            clinician: Some(""),
            phone: Some("abc"),
            next_visit: Some("soon"),
            phone_from_config: false,
        };
        let fields: Vec<_> = care.check().unwrap_err().iter().map(|p| p.field).collect();
        assert_eq!(
            fields,
            [
                Some(Field::Clinician),
                Some(Field::Phone),
                Some(Field::NextVisit)
            ]
        );
    }
}
