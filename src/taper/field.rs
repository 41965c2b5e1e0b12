//! The fields of a handout request and the errors that name them.

use super::said::{Said, Value};

/// A value of a handout request, named once. Each front end labels it its own way: the
/// command line as an option (`--dose`), a batch CSV as a column (`dose`), the handout form by
/// the field's label; none of them has to read another's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Unit,
    Dose,
    ReductionPercent,
    IntervalDays,
    Step,
    MinDose,
    DosesPerDay,
    MaxStepPercent,
    Start,
    Mode,
    Hold,
    /// The page whose `taper:` block sets the unit, defaults and limits.
    Page,
    PatientName,
    Audience,
    Paper,
    /// The clinician's explicit choice to print a page that is not approved.
    AllowUnapproved,
    /// The handout's care details: the clinician's name, the phone for questions, the next
    /// visit.
    Clinician,
    Phone,
    NextVisit,
}

impl Field {
    pub const ALL: [Field; 19] = [
        Field::Unit,
        Field::Dose,
        Field::ReductionPercent,
        Field::IntervalDays,
        Field::Step,
        Field::MinDose,
        Field::DosesPerDay,
        Field::MaxStepPercent,
        Field::Start,
        Field::Mode,
        Field::Hold,
        Field::Page,
        Field::PatientName,
        Field::Audience,
        Field::Paper,
        Field::AllowUnapproved,
        Field::Clinician,
        Field::Phone,
        Field::NextVisit,
    ];

    /// The field's id: the batch CSV's column and the handout form's field name.
    pub fn id(self) -> &'static str {
        match self {
            Field::Unit => "unit",
            Field::Dose => "dose",
            Field::ReductionPercent => "reduction_percent",
            Field::IntervalDays => "interval_days",
            Field::Step => "step",
            Field::MinDose => "min_dose",
            Field::DosesPerDay => "doses_per_day",
            Field::MaxStepPercent => "max_step_percent",
            Field::Start => "start",
            Field::Mode => "mode",
            Field::Hold => "holds",
            Field::Page => "page",
            Field::PatientName => "patient_name",
            Field::Audience => "audience",
            Field::Paper => "paper",
            Field::AllowUnapproved => "allow_unapproved",
            Field::Clinician => "clinician",
            Field::Phone => "phone",
            Field::NextVisit => "next_visit",
        }
    }
}

/// One problem with the inputs, for one field. The message may name other fields as `{id}`
/// (`pass {unit} ...`); [`TaperError::text`] puts each front end's label there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaperError {
    pub field: Field,
    /// In careguide's own English (the command line, batch CSV and JSON say it).
    pub message: String,
    /// The same message as data, for a front end to say in its language (`message` is its
    /// English); `None` for a message said in English only.
    pub said: Option<Said>,
}

impl TaperError {
    pub fn new(field: Field, message: impl Into<String>) -> TaperError {
        TaperError {
            field,
            message: message.into(),
            said: None,
        }
    }

    /// A message said as data: its English is `said.english()`.
    pub fn said(field: Field, said: Said) -> TaperError {
        TaperError {
            field,
            message: said.english(),
            said: Some(said),
        }
    }

    /// The message with every field it names given its label.
    pub fn text(&self, label: &dyn Fn(Field) -> String) -> String {
        labelled(self.message.clone(), label)
    }
}

/// `s` with every `{field_id}` it holds replaced by the field's label.
pub fn labelled(mut s: String, label: &dyn Fn(Field) -> String) -> String {
    for f in Field::ALL {
        let token = format!("{{{}}}", f.id());
        if s.contains(&token) {
            s = s.replace(&token, &label(f));
        }
    }
    s
}

/// An error said as data: note `key` filled with `values`.
pub(super) fn said(
    field: Field,
    key: &'static str,
    values: Vec<(&'static str, Value)>,
) -> TaperError {
    TaperError::said(field, Said::new(key, values))
}
