//! The taper schedule: a pure computation (no I/O, no clock, no floating point).
//!
//! Every amount is an exact decimal ([`Dec`]); every dose after the first is held as a whole
//! number of the smallest measurable amount `q`, so rounding is exact and the same input always
//! gives the same rows. The algorithm is the one documented in the README:
//!
//! ```text
//! round(x) = q * floor(x / q + 1/2)
//! d(0) = D0
//! t    = d(i-1) * (1 - r/100)        mode previous
//!      = d(i-1) - D0 * r/100         mode initial
//! d(i) = round(t)
//! if d(i) >= d(i-1): d(i) = round(d(i-1)) - q
//! if d(i) <  m:      d(i) = 0
//! ```
//!
//! Safety rules kept here rather than in the callers: a dose never rises, every input is
//! checked before anything is computed, and every default that was filled in (from the page or
//! built in) is listed in [`TaperInput::defaults_applied`] so it can be shown to the clinician.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::types::Date;

/// Most decimal places accepted in an amount.
const MAX_SCALE: u32 = 6;
/// Most digits before the decimal point.
const MAX_INT_DIGITS: usize = 9;
/// A schedule longer than this many steps is refused (it would not fit on a handout).
pub const MAX_STEPS: usize = 1000;
/// The cut per step above which a warning is given when neither the page nor the clinician set
/// `max_step_percent`.
pub const BUILTIN_MAX_STEP_PERCENT: i128 = 25;

// ---------------------------------------------------------------------------------------------
// Exact decimals
// ---------------------------------------------------------------------------------------------

/// An exact decimal number: `units / 10^scale`, kept without trailing zeros.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Dec {
    units: i128,
    scale: u32,
}

impl Dec {
    pub const ZERO: Dec = Dec { units: 0, scale: 0 };

    pub fn from_int(v: i64) -> Dec {
        Dec {
            units: v as i128,
            scale: 0,
        }
    }

    fn new(units: i128, scale: u32) -> Dec {
        let (mut units, mut scale) = (units, scale);
        while scale > 0 && units % 10 == 0 {
            units /= 10;
            scale -= 1;
        }
        Dec { units, scale }
    }

    /// The value in units of `10^-scale` (`scale` at least `self.scale`).
    fn at_scale(&self, scale: u32) -> i128 {
        self.units * 10i128.pow(scale - self.scale)
    }

    pub fn is_positive(&self) -> bool {
        self.units > 0
    }

    pub fn is_negative(&self) -> bool {
        self.units < 0
    }

    /// The value as a whole number, if it is one.
    pub fn as_integer(&self) -> Option<i64> {
        if self.scale == 0 {
            i64::try_from(self.units).ok()
        } else {
            None
        }
    }

    /// `self * k` for a whole `k`.
    pub fn mul_int(&self, k: i128) -> Dec {
        Dec::new(self.units * k, self.scale)
    }

    /// Nearest `f64`, only for serializers that need a number (JSON); the shortest printing of
    /// the result reads back as the same decimal.
    pub fn to_f64(&self) -> f64 {
        self.to_string().parse().unwrap_or(0.0)
    }

    fn from_f64(f: f64) -> Result<Dec, String> {
        if !f.is_finite() {
            return Err(format!("'{f}' is not a number"));
        }
        // Rust prints the shortest decimal that reads back as the same f64: `0.1`, not
        // `0.1000000000000000055`. That is the decimal the author wrote.
        format!("{f}").parse()
    }
}

impl Ord for Dec {
    fn cmp(&self, other: &Self) -> Ordering {
        let s = self.scale.max(other.scale);
        self.at_scale(s).cmp(&other.at_scale(s))
    }
}

impl PartialOrd for Dec {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl FromStr for Dec {
    type Err = String;

    /// `20`, `0.5`, `-1`, `.5`; no exponents, no thousands separators.
    fn from_str(s: &str) -> Result<Dec, String> {
        let t = s.trim();
        let not_number = || format!("'{t}' is not a number");
        let (neg, body) = match t.strip_prefix('-') {
            Some(r) => (true, r),
            None => (false, t.strip_prefix('+').unwrap_or(t)),
        };
        let (int, frac) = match body.split_once('.') {
            Some((i, f)) => (i, f),
            None => (body, ""),
        };
        if (int.is_empty() && frac.is_empty())
            || !int.bytes().all(|b| b.is_ascii_digit())
            || !frac.bytes().all(|b| b.is_ascii_digit())
            || (body.contains('.') && frac.is_empty())
        {
            return Err(not_number());
        }
        let int = int.trim_start_matches('0');
        let frac = frac.trim_end_matches('0');
        if int.len() > MAX_INT_DIGITS {
            return Err(format!("'{t}' is too large"));
        }
        if frac.len() > MAX_SCALE as usize {
            return Err(format!("'{t}' has more than {MAX_SCALE} decimal places"));
        }
        let digits = format!("{int}{frac}");
        let mut units: i128 = if digits.is_empty() {
            0
        } else {
            digits.parse().map_err(|_| not_number())?
        };
        if neg {
            units = -units;
        }
        Ok(Dec::new(units, frac.len() as u32))
    }
}

impl fmt::Display for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.units);
        }
        let p = 10i128.pow(self.scale);
        let sign = if self.units < 0 { "-" } else { "" };
        let a = self.units.abs();
        write!(
            f,
            "{sign}{}.{:0width$}",
            a / p,
            a % p,
            width = self.scale as usize
        )
    }
}

impl fmt::Debug for Dec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl Serialize for Dec {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.as_integer() {
            Some(i) => s.serialize_i64(i),
            None => s.serialize_f64(self.to_f64()),
        }
    }
}

impl<'de> Deserialize<'de> for Dec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Dec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number such as 10 or 0.5")
            }
            fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Dec, E> {
                Ok(Dec::from_int(v))
            }
            fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Dec, E> {
                i64::try_from(v)
                    .map(Dec::from_int)
                    .map_err(|_| E::custom(format!("'{v}' is too large")))
            }
            fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Dec, E> {
                Dec::from_f64(v).map_err(E::custom)
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Dec, E> {
                v.parse().map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------------------------
// Inputs
// ---------------------------------------------------------------------------------------------

/// What a dose is measured in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
pub enum Unit {
    #[serde(rename = "g")]
    G,
    #[serde(rename = "mg")]
    Mg,
    #[serde(rename = "mL")]
    ML,
    #[serde(rename = "tablets")]
    Tablets,
}

impl Unit {
    pub fn as_str(&self) -> &'static str {
        match self {
            Unit::G => "g",
            Unit::Mg => "mg",
            Unit::ML => "mL",
            Unit::Tablets => "tablets",
        }
    }

    /// `18 g`, `1.5 tablets`, `1 tablet`.
    pub fn amount(&self, d: Dec) -> String {
        match self {
            Unit::Tablets if d == Dec::from_int(1) => "1 tablet".to_string(),
            _ => format!("{d} {}", self.as_str()),
        }
    }
}

impl FromStr for Unit {
    type Err = String;
    fn from_str(s: &str) -> Result<Unit, String> {
        match s.trim() {
            "g" => Ok(Unit::G),
            "mg" => Ok(Unit::Mg),
            "mL" | "ml" => Ok(Unit::ML),
            "tablets" | "tablet" => Ok(Unit::Tablets),
            other => Err(format!("unknown unit '{other}': use g, mg, mL or tablets")),
        }
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How each step's cut is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// r% of the previous step's dose: smaller cuts as the dose falls (hyperbolic).
    #[default]
    Previous,
    /// r% of the start dose every step (linear).
    Initial,
}

impl FromStr for Mode {
    type Err = String;
    fn from_str(s: &str) -> Result<Mode, String> {
        match s.trim() {
            "previous" => Ok(Mode::Previous),
            "initial" => Ok(Mode::Initial),
            other => Err(format!("unknown mode '{other}': use previous or initial")),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Mode::Previous => "previous",
            Mode::Initial => "initial",
        })
    }
}

/// `STEP:DAYS`: step `STEP` lasts `DAYS` days longer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Hold {
    pub step: u32,
    pub days: u32,
}

impl fmt::Display for Hold {
    /// `STEP:DAYS`, as the option and the form's field take it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.step, self.days)
    }
}

impl FromStr for Hold {
    type Err = String;
    fn from_str(s: &str) -> Result<Hold, String> {
        let bad = || format!("'{s}' is not a hold: write STEP:DAYS, for example 5:7");
        let (a, b) = s.trim().split_once(':').ok_or_else(bad)?;
        let step: u32 = a.trim().parse().map_err(|_| bad())?;
        let days: u32 = b.trim().parse().map_err(|_| bad())?;
        if step == 0 {
            return Err(format!("'{s}': steps are numbered from 1"));
        }
        if days == 0 {
            return Err(format!("'{s}': a hold adds at least one day"));
        }
        if days > 365 {
            return Err(format!(
                "'{s}': a hold of more than 365 days is not a taper step"
            ));
        }
        Ok(Hold { step, days })
    }
}

/// A default and the range allowed for one parameter of a page's `taper:` block.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Limit {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min: Option<Dec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max: Option<Dec>,
}

impl Limit {
    fn is_empty(&self) -> bool {
        self.default.is_none() && self.min.is_none() && self.max.is_none()
    }
}

/// A page's `taper:` block: what the schedule doses, and defaults and limits for personalized
/// schedules made from that page.
///
/// ```yaml
/// taper:
///   substance: kratom leaf powder
///   unit: g
///   dose_forms: [powder, capsules]
///   reduction_percent: { default: 10, min: 5, max: 25 }
///   interval_days: { default: 7, min: 3, max: 28 }
///   step: { default: 0.5 }
///   min_dose: { default: 0.5 }
///   doses_per_day: { default: 3, max: 6 }
///   max_step_percent: 25
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PageTaper {
    pub substance: String,
    pub unit: Unit,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub dose_forms: Vec<String>,
    /// r: percent cut per step.
    #[serde(default, skip_serializing_if = "Limit::is_empty")]
    pub reduction_percent: Limit,
    /// k: days per step.
    #[serde(default, skip_serializing_if = "Limit::is_empty")]
    pub interval_days: Limit,
    /// q: the smallest measurable amount.
    #[serde(default, skip_serializing_if = "Limit::is_empty")]
    pub step: Limit,
    /// m: the lowest dose before stopping.
    #[serde(default, skip_serializing_if = "Limit::is_empty")]
    pub min_dose: Limit,
    /// n: doses per day.
    #[serde(default, skip_serializing_if = "Limit::is_empty")]
    pub doses_per_day: Limit,
    /// Warn when one step cuts more than this percent of the previous dose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_step_percent: Option<Dec>,
    /// Warn when the last dose before stopping is above this (default: twice the smallest
    /// measurable amount): the final step to zero is a cut of 100%, whatever the rate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_final_dose: Option<Dec>,
}

impl PageTaper {
    /// Problems with the block itself (a default outside its own limits, a limit outside what
    /// the algorithm allows), for the site build to report at the page.
    pub fn check(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.substance.trim().is_empty() {
            out.push("taper.substance is empty".to_string());
        }
        for (name, l) in self.limits() {
            if let (Some(lo), Some(hi)) = (l.min, l.max) {
                if lo > hi {
                    out.push(format!("taper.{name}: min {lo} is above max {hi}"));
                }
            }
            if let Some(d) = l.default {
                if l.min.is_some_and(|lo| d < lo) || l.max.is_some_and(|hi| d > hi) {
                    out.push(format!(
                        "taper.{name}: the default {d} is outside the page's own limits"
                    ));
                }
            }
            for v in [l.default, l.min, l.max].into_iter().flatten() {
                if let Err(e) = param_range(name, v) {
                    out.push(format!("taper.{name}: {e}"));
                }
            }
        }
        if let Some(p) = self.max_step_percent {
            if !p.is_positive() || p > Dec::from_int(100) {
                out.push(format!(
                    "taper.max_step_percent: {p} is not a percent between 0 and 100"
                ));
            }
        }
        if let Some(f) = self.max_final_dose {
            if !f.is_positive() {
                out.push(format!("taper.max_final_dose: {f} is not more than 0"));
            }
            // Below the smallest measurable amount, every schedule would be warned of.
            let q = [self.step.min, self.step.default]
                .into_iter()
                .flatten()
                .max();
            if let Some(q) = q.filter(|q| f.is_positive() && f < *q) {
                out.push(format!(
                    "taper.max_final_dose: {f} is below the smallest measurable amount {q}"
                ));
            }
        }
        out
    }

    fn limits(&self) -> [(&'static str, &Limit); 5] {
        [
            ("reduction_percent", &self.reduction_percent),
            ("interval_days", &self.interval_days),
            ("step", &self.step),
            ("min_dose", &self.min_dose),
            ("doses_per_day", &self.doses_per_day),
        ]
    }
}

/// The absolute range of each parameter, whatever the page says.
fn param_range(name: &str, v: Dec) -> Result<(), String> {
    let int = |lo: i64, hi: i64, what: &str| -> Result<(), String> {
        match v.as_integer() {
            Some(i) if (lo..=hi).contains(&i) => Ok(()),
            _ => Err(format!(
                "{what} must be a whole number from {lo} to {hi} (got {v})"
            )),
        }
    };
    match name {
        "reduction_percent" => {
            if v.is_positive() && v <= Dec::from_int(50) {
                Ok(())
            } else {
                Err(format!(
                    "the reduction must be more than 0% and at most 50% (got {v}%)"
                ))
            }
        }
        "interval_days" => int(1, 365, "the days per step"),
        "doses_per_day" => int(1, 12, "the doses per day"),
        "step" => {
            if v.is_positive() {
                Ok(())
            } else {
                Err(format!(
                    "the smallest measurable amount must be more than 0 (got {v})"
                ))
            }
        }
        "min_dose" => {
            if v.is_negative() {
                Err(format!(
                    "the lowest dose before stopping cannot be below 0 (got {v})"
                ))
            } else {
                Ok(())
            }
        }
        _ => Ok(()),
    }
}

/// What the clinician gave; `None` means "not given" (the page's default or a built-in one is
/// then used, and listed).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaperParams {
    pub unit: Option<Unit>,
    pub start_dose: Option<Dec>,
    pub reduction_percent: Option<Dec>,
    pub interval_days: Option<Dec>,
    pub step: Option<Dec>,
    pub min_dose: Option<Dec>,
    pub doses_per_day: Option<Dec>,
    pub start: Option<Date>,
    pub mode: Option<Mode>,
    pub holds: Vec<Hold>,
    pub max_step_percent: Option<Dec>,
}

/// A checked, complete set of inputs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaperInput {
    pub unit: Unit,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub substance: Option<String>,
    pub start_dose: Dec,
    pub reduction_percent: Dec,
    pub interval_days: u32,
    pub step: Dec,
    pub min_dose: Dec,
    pub doses_per_day: u32,
    pub start: Date,
    pub mode: Mode,
    pub holds: Vec<Hold>,
    pub max_step_percent: Dec,
    /// Page limits that [`schedule`] enforces on r, k, q, m and n.
    #[serde(skip)]
    pub limits: Option<PageTaper>,
    /// Every value that was not given and was filled in, in words: shown with the schedule.
    pub defaults_applied: Vec<String>,
}

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
    pub message: String,
}

impl TaperError {
    pub fn new(field: Field, message: impl Into<String>) -> TaperError {
        TaperError {
            field,
            message: message.into(),
        }
    }

    /// The message with every field it names given its label.
    pub fn text(&self, label: &dyn Fn(Field) -> String) -> String {
        let mut s = self.message.clone();
        for f in Field::ALL {
            let token = format!("{{{}}}", f.id());
            if s.contains(&token) {
                s = s.replace(&token, &label(f));
            }
        }
        s
    }
}

fn err(field: Field, message: impl Into<String>) -> TaperError {
    TaperError::new(field, message)
}

/// Fill the gaps in `params` from the page's `taper:` block (then from the algorithm's own
/// defaults), recording each one, and check everything. `today` is the start date when none is
/// given (the caller reads the clock, so this stays pure).
pub fn resolve(
    params: &TaperParams,
    page: Option<&PageTaper>,
    today: Date,
) -> Result<TaperInput, Vec<TaperError>> {
    let mut errors = Vec::new();
    let mut applied = Vec::new();

    let unit = match (params.unit, page.map(|p| p.unit)) {
        (Some(u), Some(p)) if u != p => {
            errors.push(err(
                Field::Unit,
                format!(
                    "the page doses in {p}, not {u}: leave {{unit}} out or give the dose in {p}"
                ),
            ));
            p
        }
        (Some(u), _) => u,
        (None, Some(p)) => p,
        (None, None) => {
            errors.push(err(
                Field::Unit,
                "no unit: pass {unit} (g, mg, mL or tablets) or {page} with a taper: block",
            ));
            Unit::G
        }
    };

    let start_dose = params.start_dose.unwrap_or_else(|| {
        errors.push(err(
            Field::Dose,
            "no start dose: pass {dose} with the patient's current daily dose",
        ));
        Dec::from_int(1)
    });

    let amount_suffix = format!(" {unit}");
    let mut pick = |given: Option<Dec>,
                    limit: Option<&Limit>,
                    field: Field,
                    words: &str,
                    suffix: &str,
                    builtin: Option<(Dec, String)>|
     -> Option<Dec> {
        if let Some(v) = given {
            return Some(v);
        }
        if let Some(d) = limit.and_then(|l| l.default) {
            applied.push(format!("{words}: {d}{suffix} (the page's default)"));
            return Some(d);
        }
        if let Some((d, why)) = builtin {
            applied.push(format!("{words}: {d}{suffix} ({why})"));
            return Some(d);
        }
        errors.push(err(
            field,
            format!(
                "no {words}: pass {{{}}} (the page sets no default)",
                field.id()
            ),
        ));
        None
    };

    let r = pick(
        params.reduction_percent,
        page.map(|p| &p.reduction_percent),
        Field::ReductionPercent,
        "reduction percent",
        "%",
        None,
    );
    let k = pick(
        params.interval_days,
        page.map(|p| &p.interval_days),
        Field::IntervalDays,
        "days per step",
        "",
        None,
    );
    let q = pick(
        params.step,
        page.map(|p| &p.step),
        Field::Step,
        "smallest measurable amount",
        &amount_suffix,
        None,
    );
    let m = pick(
        params.min_dose,
        page.map(|p| &p.min_dose),
        Field::MinDose,
        "lowest dose before stopping",
        &amount_suffix,
        q.map(|q| (q, "the smallest measurable amount".to_string())),
    );
    let n = pick(
        params.doses_per_day,
        page.map(|p| &p.doses_per_day),
        Field::DosesPerDay,
        "doses per day",
        "",
        Some((Dec::from_int(1), "built-in default".to_string())),
    );
    let start = params.start.unwrap_or_else(|| {
        applied.push(format!("start date: {today} (today)"));
        today
    });
    let mode = params.mode.unwrap_or_else(|| {
        applied.push("mode: previous (each cut is a percent of the previous dose)".to_string());
        Mode::Previous
    });
    let max_step_percent = match (
        params.max_step_percent,
        page.and_then(|p| p.max_step_percent),
    ) {
        (Some(v), _) => v,
        (None, Some(v)) => {
            applied.push(format!(
                "warn above a cut per step of: {v}% (the page's limit)"
            ));
            v
        }
        (None, None) => {
            let v = Dec::from_int(BUILTIN_MAX_STEP_PERCENT as i64);
            applied.push(format!(
                "warn above a cut per step of: {v}% (built-in default)"
            ));
            v
        }
    };
    if !max_step_percent.is_positive() || max_step_percent > Dec::from_int(100) {
        errors.push(err(
            Field::MaxStepPercent,
            format!("{max_step_percent} is not a percent between 0 and 100"),
        ));
    }

    if q.is_none() {
        // The lowest dose defaults to q: one message about q is enough.
        errors.retain(|e| e.field != Field::MinDose);
    }
    let (Some(r), Some(k), Some(q), Some(m), Some(n)) = (r, k, q, m, n) else {
        return Err(errors);
    };
    let input = TaperInput {
        unit,
        substance: page.map(|p| p.substance.clone()),
        start_dose,
        reduction_percent: r,
        interval_days: k
            .as_integer()
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0),
        step: q,
        min_dose: m,
        doses_per_day: n
            .as_integer()
            .and_then(|v| u32::try_from(v).ok())
            .unwrap_or(0),
        start,
        mode,
        holds: params.holds.clone(),
        max_step_percent,
        limits: page.cloned(),
        defaults_applied: applied,
    };
    // k and n were given as decimals: check their shape with the exact value.
    if let Err(e) = param_range("interval_days", k) {
        errors.push(err(Field::IntervalDays, e));
    }
    if let Err(e) = param_range("doses_per_day", n) {
        errors.push(err(Field::DosesPerDay, e));
    }
    errors.extend(input.validate().into_iter().filter(|e| {
        !(matches!(e.field, Field::IntervalDays | Field::DosesPerDay)
            && (k.as_integer().is_none() || n.as_integer().is_none()))
    }));
    if errors.is_empty() {
        Ok(input)
    } else {
        errors.dedup();
        Err(errors)
    }
}

impl TaperInput {
    /// Every problem with the inputs (empty when the schedule can be made).
    pub fn validate(&self) -> Vec<TaperError> {
        let mut errors = Vec::new();
        if !self.start_dose.is_positive() {
            errors.push(err(
                Field::Dose,
                format!(
                    "the start dose must be more than 0 (got {})",
                    self.start_dose
                ),
            ));
        }
        let checks: [(&str, Field, Dec); 5] = [
            (
                "reduction_percent",
                Field::ReductionPercent,
                self.reduction_percent,
            ),
            (
                "interval_days",
                Field::IntervalDays,
                Dec::from_int(self.interval_days as i64),
            ),
            ("step", Field::Step, self.step),
            ("min_dose", Field::MinDose, self.min_dose),
            (
                "doses_per_day",
                Field::DosesPerDay,
                Dec::from_int(self.doses_per_day as i64),
            ),
        ];
        for (name, field, v) in checks {
            if let Err(e) = param_range(name, v) {
                errors.push(err(field, e));
                continue;
            }
            let Some(page) = &self.limits else { continue };
            let Some((_, l)) = page.limits().into_iter().find(|(n, _)| *n == name) else {
                continue;
            };
            let pct = if name == "reduction_percent" { "%" } else { "" };
            if let Some(hi) = l.max {
                if v > hi {
                    errors.push(err(
                        field,
                        format!("{v}{pct} is above the page's limit of {hi}{pct}"),
                    ));
                }
            }
            if let Some(lo) = l.min {
                if v < lo {
                    errors.push(err(
                        field,
                        format!("{v}{pct} is below the page's limit of {lo}{pct}"),
                    ));
                }
            }
        }
        if self.step.is_positive() && self.start_dose.is_positive() && self.step > self.start_dose {
            errors.push(err(
                Field::Step,
                format!(
                    "the smallest measurable amount ({}) is larger than the start dose ({}): no step is possible",
                    self.unit.amount(self.step),
                    self.unit.amount(self.start_dose)
                ),
            ));
        }
        let mut seen = std::collections::BTreeSet::new();
        for h in &self.holds {
            if h.step == 0 || h.days == 0 {
                errors.push(err(
                    Field::Hold,
                    format!("{}:{} is not a hold", h.step, h.days),
                ));
            }
            if !seen.insert(h.step) {
                errors.push(err(
                    Field::Hold,
                    format!("step {} is held twice: give one hold per step", h.step),
                ));
            }
        }
        errors
    }
}

// ---------------------------------------------------------------------------------------------
// The schedule
// ---------------------------------------------------------------------------------------------

/// One row of the schedule.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Step {
    /// 1-based.
    pub step: u32,
    pub start: Date,
    /// Last day of the step; `None` on the final row (stop).
    pub end: Option<Date>,
    pub daily_dose: Dec,
    /// `daily_dose / q`.
    #[serde(skip)]
    pub units: i64,
    /// Change from the previous day's dose, as a whole percent (negative).
    pub change_percent: i64,
    /// The day's dose split into separate doses, larger first; empty on the stop row.
    pub doses: Vec<Dec>,
    /// Extra days this step is held for.
    #[serde(skip_serializing_if = "is_zero")]
    pub hold_days: u32,
}

fn is_zero(v: &u32) -> bool {
    *v == 0
}

/// Why a schedule is warned of. Each cut warning has exactly one cause, judged with exact
/// arithmetic on the step's cut `c = (d(i-1) - d(i)) / d(i-1)`, the limit `L`
/// (`max_step_percent`) and the reduction `r`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// `r > L`: the reduction itself is above the limit, so no rounding or hold is to blame and
    /// no hold brings the cut within it. One warning for the whole schedule.
    AboveLimit,
    /// Mode `initial` with `r <= L`: the step's intended cut, the fixed `D0 * r/100` taken from
    /// a smaller and smaller dose, is itself above `L`.
    Linear,
    /// The intended cut is within `L` (`r` in mode `previous`, `D0 * r / d(i-1)` in mode
    /// `initial`) and only rounding to the smallest measurable amount `q` (or the rule that a
    /// step always lowers the dose by at least `q`) made it larger.
    CoarseStep,
    /// The last dose before stopping is above `max_final_dose` (default `2q`): the stop is a
    /// cut of 100% whatever the rate, also when a high lowest dose `m` is why.
    FinalStop,
    /// The schedule is one step: the first cut takes the dose below `m`.
    StopsAtOnce,
    /// The schedule lasts more than a year.
    LongTaper,
}

/// One thing the clinician should look at before handing the schedule over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    /// The step it concerns (1-based); `None` when it concerns the schedule as a whole.
    pub step: Option<u32>,
    pub cause: Cause,
    /// In words, for any front end: it names no option or field.
    pub text: String,
    /// The hold that brings this step's average cut per interval back within the intended
    /// rate, and so removes the warning: the step's whole hold, in place of any given for it.
    /// `None` when no hold can (the text then says why).
    pub hold: Option<Hold>,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A computed schedule with its inputs and warnings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Schedule {
    pub input: TaperInput,
    pub steps: Vec<Step>,
    /// Things the clinician should look at before handing the schedule over.
    pub warnings: Vec<Warning>,
}

impl Schedule {
    /// The hold each warning suggests, in step order.
    pub fn suggested_holds(&self) -> Vec<Hold> {
        let mut holds: Vec<Hold> = self.warnings.iter().filter_map(|w| w.hold).collect();
        holds.sort_by_key(|h| h.step);
        holds
    }

    /// The holds given with the suggested ones in place of any on the same step, in step
    /// order: the whole set to make the schedule again with.
    pub fn holds_with_suggestions(&self) -> Vec<Hold> {
        let suggested = self.suggested_holds();
        let mut holds: Vec<Hold> = self
            .input
            .holds
            .iter()
            .filter(|h| !suggested.iter().any(|s| s.step == h.step))
            .copied()
            .chain(suggested.iter().copied())
            .collect();
        holds.sort_by_key(|h| h.step);
        holds
    }

    /// The day the patient takes nothing any more.
    pub fn stop_date(&self) -> Option<Date> {
        self.steps.last().map(|s| s.start)
    }

    /// `6 + 6 + 6` in the schedule's unit (the unit left off).
    pub fn split_text(step: &Step) -> String {
        if step.doses.is_empty() {
            return "none".to_string();
        }
        step.doses
            .iter()
            .map(|d| d.to_string())
            .collect::<Vec<_>>()
            .join(" + ")
    }
}

fn floor_div(a: i128, b: i128) -> i128 {
    a.div_euclid(b)
}

/// `round(x / q)` for `x = num / den` in units of `10^-s`, halves up: `floor(x/q + 1/2)`.
fn round_units(num: i128, den: i128, q: i128) -> i128 {
    // x/q + 1/2 = (2*num + den*q) / (2*den*q)
    floor_div(2 * num + den * q, 2 * den * q)
}

/// A whole percent, halves away from zero.
fn whole_percent(num: i128, den: i128) -> i64 {
    let n = num * 100;
    let v = (2 * n.abs() + den) / (2 * den);
    (if n < 0 { -v } else { v }) as i64
}

/// A percent in a message: `num / den` to one decimal, halves away from zero (12.25% is 12.3%),
/// with more decimals only where one would blur the comparison the message makes: `shows(v, n)`
/// says whether `v / 10^n` percent keeps it, so that a cut just above the limit reads `25.04%`,
/// never `25.0%, more than 25%`. `num >= 0`, `den > 0`.
fn percent_text(num: i128, den: i128, shows: impl Fn(i128, u32) -> bool) -> String {
    let at = |n: u32| {
        let x = num * 100 * 10i128.pow(n);
        (2 * x + den) / (2 * den)
    };
    let mut n = 1;
    while n < 9 && !shows(at(n), n) {
        n += 1;
    }
    let (v, p) = (at(n), 10i128.pow(n));
    format!("{}.{:0w$}", v / p, v % p, w = n as usize)
}

/// For [`percent_text`]: the percent shown is above `limit`.
fn shown_above(limit: Dec) -> impl Fn(i128, u32) -> bool {
    move |v, n| v * 10i128.pow(limit.scale) > limit.units * 10i128.pow(n)
}

/// For [`percent_text`]: the percent shown is at most `limit`.
fn shown_at_most(limit: Dec) -> impl Fn(i128, u32) -> bool {
    move |v, n| v * 10i128.pow(limit.scale) <= limit.units * 10i128.pow(n)
}

/// `1-3, 5, 9-10`.
fn step_ranges(steps: &[usize]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < steps.len() {
        let mut j = i;
        while j + 1 < steps.len() && steps[j + 1] == steps[j] + 1 {
            j += 1;
        }
        parts.push(if i == j {
            steps[i].to_string()
        } else {
            format!("{}-{}", steps[i], steps[j])
        });
        i = j + 1;
    }
    parts.join(", ")
}

/// The warnings about cuts, judged exactly on the doses (in units of `10^-s`; `doses[0]` is the
/// start dose). A step but the stop is warned of when its cut `c = (prev - d) / prev`, averaged
/// over the intervals of k days it lasts (a step held h days longer lasts `(k + h) / k` of
/// them), is above the limit L: `c * k / (k + h) > L`. Its cause is judged in this order:
/// `r > L` is [`Cause::AboveLimit`]; in mode `initial`, an intended cut `D0 * r / prev` above L
/// is [`Cause::Linear`]; anything else is rounding, [`Cause::CoarseStep`].
///
/// The hold suggested brings the step's average cut per interval back to the intended rate
/// `rate`: `ceil(c / rate) - 1` extra intervals of k days, leaving
/// `c / ceil(c / rate) <= rate <= L`, so the step is no longer warned of (rate = 10%,
/// c = 33.3%, k = 7: 21 days). What `rate` is:
///
/// - mode `previous`: r, the percent of each dose the clinician chose;
/// - mode `initial`, [`Cause::CoarseStep`]: the step's intended cut, the fixed `D0 * r/100` as a
///   share of this dose (`D0 * r / prev`, within L). `c / rate` is then the amount cut over the
///   amount intended, so the hold undoes exactly what rounding added;
/// - mode `initial`, [`Cause::Linear`]: the limit L. Here the amount cut is the one intended,
///   and it is the intended rate itself that is above L: aiming at it would suggest no hold at
///   all. r, the share of the start dose, is no rate of this step: aiming at it would hold the
///   end of a linear taper far gentler than its unwarned steps just before (r = 3%, a 75% cut:
///   168 days), where L asks for only what the clinician's limit needs (14 days).
///
/// An [`Cause::AboveLimit`] schedule gets no hold: with `r > L`, holding steps back to r would
/// leave them above the limit.
fn cut_warnings(input: &TaperInput, doses: &[i128], s: u32) -> Vec<Warning> {
    let amount = |v: i128| input.unit.amount(Dec::new(v, s));
    let (limit, r) = (input.max_step_percent, input.reduction_percent);
    let (lu, lp) = (limit.units, 10i128.pow(limit.scale));
    let (ru, rp) = (r.units, 10i128.pow(r.scale));
    let k = input.interval_days as i128;
    let d0 = doses[0];
    let rate_above = ru * lp > lu * rp;
    let mut out = Vec::new();
    // Steps warned of for a rate above the limit: (step, prev, d).
    let mut above: Vec<(usize, i128, i128)> = Vec::new();
    // The stop, the last dose, is a cut of 100% whatever the rate: see `end_warnings`.
    for i in 1..doses.len().saturating_sub(1) {
        let (prev, d) = (doses[i - 1], doses[i]);
        let given = input
            .holds
            .iter()
            .find(|h| h.step as usize == i)
            .map_or(0, |h| h.days);
        let held = given as i128;
        if (prev - d) * 100 * lp * k <= lu * prev * (k + held) {
            continue;
        }
        if rate_above {
            above.push((i, prev, d));
            continue;
        }
        let linear = input.mode == Mode::Initial && d0 * ru * lp > lu * prev * rp;
        let cut = if given == 0 {
            format!(
                "{} to {} is a cut of {}%",
                amount(prev),
                amount(d),
                percent_text(prev - d, prev, shown_above(limit))
            )
        } else {
            format!(
                "{} to {} is a cut of {}%, held {given} days longer: {}% per {k} days",
                amount(prev),
                amount(d),
                percent_text(prev - d, prev, |_, _| true),
                percent_text((prev - d) * k, prev * (k + held), shown_above(limit))
            )
        };
        let why = if linear {
            format!(
                "a linear taper (mode initial) cuts {r}% of the start dose ({}) every step, a growing share of a falling dose: here {}%",
                input.unit.amount(Dec::new(d0 * ru, s + r.scale + 2)),
                percent_text(d0 * ru, prev * rp * 100, |_, _| true),
            )
        } else {
            let intended = match input.mode {
                Mode::Previous => format!("{r}"),
                Mode::Initial => percent_text(d0 * ru, prev * rp * 100, shown_at_most(limit)),
            };
            format!(
                "the smallest measurable amount ({}) is too coarse at this dose for the intended cut of {intended}%",
                input.unit.amount(input.step)
            )
        };
        // The rate the hold aims at, and c divided by it as a fraction a / b.
        let (a, b, rate, avg) = match (input.mode, linear) {
            (Mode::Previous, _) => (
                (prev - d) * 100 * rp,
                prev * ru,
                format!("the intended {r}%"),
                shown_at_most(r),
            ),
            // The step's intended cut is the fixed D0 * r/100: c over it is the amount cut
            // over the amount intended.
            (Mode::Initial, false) => (
                (prev - d) * 100 * rp,
                d0 * ru,
                format!(
                    "the intended {}%",
                    percent_text(d0 * ru, prev * rp * 100, |_, _| true)
                ),
                shown_at_most(Dec::from_int(100)),
            ),
            (Mode::Initial, true) => (
                (prev - d) * 100 * lp,
                prev * lu,
                format!("the limit of {limit}%"),
                shown_at_most(limit),
            ),
        };
        let intervals = (a + b - 1) / b;
        let days = (intervals - 1) * k;
        let (advice, hold) = if days <= 365 {
            let longer = if given == 0 {
                format!("{days} days longer")
            } else {
                format!("{days} days longer, in place of the {given} given")
            };
            (
                format!(
                    "holding this step {longer} ({intervals} intervals of {k} days) brings its average cut back to {}% per {k} days, within {rate}",
                    percent_text(prev - d, prev * intervals, avg)
                ),
                Some(Hold {
                    step: i as u32,
                    days: days as u32,
                }),
            )
        } else {
            let other = if linear {
                "mode previous (a percent of each dose) cuts less as the dose falls"
            } else {
                "a smaller smallest measurable amount, if the patient can measure it, makes this cut smaller"
            };
            (
                format!(
                    "bringing its average cut back to {rate} per {k} days would take a hold of {days} days, more than the 365 a hold allows: {other}"
                ),
                None,
            )
        };
        out.push(Warning {
            step: Some(i as u32),
            cause: if linear {
                Cause::Linear
            } else {
                Cause::CoarseStep
            },
            text: format!("step {i}: {cut}, more than {limit}%: {why}; {advice}"),
            hold,
        });
    }
    // The largest cut: compare (prev - d) / prev exactly.
    if let Some(&(j, prev, d)) = above
        .iter()
        .max_by(|x, y| ((x.1 - x.2) * y.1).cmp(&((y.1 - y.2) * x.1)))
    {
        let how = match input.mode {
            Mode::Previous => "of the previous dose",
            Mode::Initial => "of the start dose",
        };
        let steps: Vec<usize> = above.iter().map(|a| a.0).collect();
        let (n, plural) = (steps.len(), if steps.len() == 1 { "" } else { "s" });
        out.insert(
            0,
            Warning {
                step: None,
                cause: Cause::AboveLimit,
                text: format!(
                    "the reduction of {r}% {how} per step is above the limit of {limit}% per step: {n} step{plural} cut more than {limit}% (step{plural} {}; the largest, {}%, at step {j}); no hold brings a cut within the limit when the rate itself is above it: lower the reduction to at most {limit}%",
                    step_ranges(&steps),
                    percent_text(prev - d, prev, shown_above(limit)),
                ),
                hold: None,
            },
        );
    }
    out
}

/// The warnings about the end and the length of a schedule that stops on `stop`.
fn end_warnings(input: &TaperInput, steps: &[Step], stop: Date) -> Vec<Warning> {
    let mut out = Vec::new();
    if steps.len() == 1 {
        out.push(Warning {
            step: None,
            cause: Cause::StopsAtOnce,
            text: format!(
                "the schedule stops at once: the first cut takes the dose below the lowest dose before stopping ({}); check the start dose and the lowest dose",
                input.unit.amount(input.min_dose),
            ),
            hold: None,
        });
    } else if let Some(last) = steps.iter().rev().nth(1) {
        // The step to zero is never checked against the rate: a high last dose stops abruptly,
        // also when the lowest dose before stopping is why (warned by design).
        let (max, why) = match input.limits.as_ref().and_then(|p| p.max_final_dose) {
            Some(m) => (m, "the page's limit for the last dose"),
            None => (
                input.step.mul_int(2),
                "twice the smallest measurable amount",
            ),
        };
        if last.daily_dose > max {
            out.push(Warning {
                step: Some(last.step),
                cause: Cause::FinalStop,
                text: format!(
                    "step {}: the last dose before stopping is {}, more than {} ({why}): stopping from it is a cut of 100% in one step; a lower lowest dose before stopping adds smaller steps before the stop (a hold only lengthens this step: it does not make the stop smaller)",
                    last.step,
                    input.unit.amount(last.daily_dose),
                    input.unit.amount(max),
                ),
                hold: None,
            });
        }
    }
    let total_days = input.start.days_until(stop);
    if total_days > 365 {
        out.push(Warning {
            step: None,
            cause: Cause::LongTaper,
            text: format!(
                "the taper lasts {total_days} days (stop on {stop}), more than a year: check the reduction and the days per step"
            ),
            hold: None,
        });
    }
    out
}

/// Split `units` (multiples of q) over `n` doses as evenly as possible, larger first, zeros
/// dropped.
pub fn split_units(units: i64, n: u32) -> Vec<i64> {
    if units <= 0 || n == 0 {
        return Vec::new();
    }
    let n = n as i64;
    let (base, extra) = (units / n, units % n);
    (0..n)
        .map(|i| base + i64::from(i < extra))
        .filter(|&u| u > 0)
        .collect()
}

fn add_days(d: Date, days: i64) -> Option<Date> {
    d.0.checked_add(time::Duration::days(days)).map(Date)
}

/// Compute the schedule. Pure: the same input always gives the same rows.
pub fn schedule(input: &TaperInput) -> Result<Schedule, Vec<TaperError>> {
    let problems = input.validate();
    if !problems.is_empty() {
        return Err(problems);
    }
    // Everything in integer units of 10^-s.
    let s = input
        .start_dose
        .scale
        .max(input.step.scale)
        .max(input.min_dose.scale);
    let d0 = input.start_dose.at_scale(s);
    let q = input.step.at_scale(s);
    let m = input.min_dose.at_scale(s);
    let rs = input.reduction_percent.scale;
    let r = input.reduction_percent.units; // r% = r / (100 * 10^rs)
    let hundred = 100 * 10i128.pow(rs);

    // Doses (in 10^-s units): d[0] = D0, then multiples of q.
    let mut doses: Vec<i128> = vec![d0];
    loop {
        let prev = *doses.last().unwrap_or(&d0);
        let u = match input.mode {
            // t = prev * (hundred - r) / hundred
            Mode::Previous => round_units(prev * (hundred - r), hundred, q),
            // t = prev - d0 * r / hundred = (prev*hundred - d0*r) / hundred
            Mode::Initial => round_units(prev * hundred - d0 * r, hundred, q),
        };
        let mut d = u * q;
        if d >= prev {
            d = round_units(prev, 1, q) * q - q;
        }
        if d < m || d < 0 {
            d = 0;
        }
        doses.push(d);
        if d == 0 {
            break;
        }
        if doses.len() > MAX_STEPS + 1 {
            return Err(vec![err(
                Field::Step,
                format!(
                    "the schedule would have more than {MAX_STEPS} steps: choose a larger reduction or a larger smallest amount"
                ),
            )]);
        }
    }
    let n_steps = doses.len() - 1;

    let mut errors = Vec::new();
    for h in &input.holds {
        if h.step as usize > n_steps {
            errors.push(err(
                Field::Hold,
                format!(
                    "there is no step {}: this schedule has {n_steps} steps",
                    h.step
                ),
            ));
        } else if h.step as usize == n_steps {
            errors.push(err(
                Field::Hold,
                format!(
                    "step {} is the stop (dose 0) and has no end: hold an earlier step",
                    h.step
                ),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let to_dec = |v: i128| Dec::new(v, s);
    let date_error = || {
        vec![err(
            Field::Start,
            "the schedule runs past the last date the calendar supports".to_string(),
        )]
    };
    let mut steps = Vec::with_capacity(n_steps);
    let mut from = input.start;
    for i in 1..=n_steps {
        let (prev, d) = (doses[i - 1], doses[i]);
        let hold = input
            .holds
            .iter()
            .find(|h| h.step as usize == i)
            .map(|h| h.days)
            .unwrap_or(0);
        let last = i == n_steps;
        let len = input.interval_days as i64 + hold as i64;
        let end = if last {
            None
        } else {
            Some(add_days(from, len - 1).ok_or_else(date_error)?)
        };
        let units = (d / q) as i64;
        let change = whole_percent(d - prev, prev);
        steps.push(Step {
            step: i as u32,
            start: from,
            end,
            daily_dose: to_dec(d),
            units,
            change_percent: change,
            doses: split_units(units, input.doses_per_day)
                .into_iter()
                .map(|u| to_dec(u as i128 * q))
                .collect(),
            hold_days: hold,
        });
        if !last {
            from = add_days(from, len).ok_or_else(date_error)?;
        }
    }
    let mut warnings = cut_warnings(input, &doses, s);
    warnings.extend(end_warnings(input, &steps, from));
    Ok(Schedule {
        input: input.clone(),
        steps,
        warnings,
    })
}

// ---------------------------------------------------------------------------------------------
// Text forms
// ---------------------------------------------------------------------------------------------

/// A description of the inputs in words, for the heading of a table or handout.
pub fn describe(input: &TaperInput) -> String {
    let how = match input.mode {
        Mode::Previous => "of the previous dose",
        Mode::Initial => "of the start dose",
    };
    format!(
        "From {} a day, lower by {}% {how} every {} day{}, measured in steps of {}, in {} dose{} a day; stop below {}.",
        input.unit.amount(input.start_dose),
        input.reduction_percent,
        input.interval_days,
        if input.interval_days == 1 { "" } else { "s" },
        input.unit.amount(input.step),
        input.doses_per_day,
        if input.doses_per_day == 1 { "" } else { "s" },
        input.unit.amount(input.min_dose),
    )
}

/// The schedule as a plain-text table.
pub fn to_table(s: &Schedule) -> String {
    let unit = s.input.unit.as_str();
    let mut out = String::new();
    if let Some(sub) = &s.input.substance {
        out.push_str(&format!("Taper schedule: {sub}\n"));
    } else {
        out.push_str("Taper schedule\n");
    }
    out.push_str(&describe(&s.input));
    out.push('\n');
    for d in &s.input.defaults_applied {
        out.push_str(&format!("Default used: {d}\n"));
    }
    out.push('\n');
    let header = [
        "Step".to_string(),
        "From".to_string(),
        "To".to_string(),
        format!("Daily ({unit})"),
        "Change".to_string(),
        format!("Doses ({unit})"),
    ];
    let rows: Vec<[String; 6]> = s
        .steps
        .iter()
        .map(|st| {
            [
                st.step.to_string(),
                st.start.to_string(),
                st.end
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "stop".into()),
                st.daily_dose.to_string(),
                format!("{}%", st.change_percent),
                Schedule::split_text(st),
            ]
        })
        .collect();
    let mut w = header.clone().map(|h| h.chars().count());
    for r in &rows {
        for (i, c) in r.iter().enumerate() {
            w[i] = w[i].max(c.chars().count());
        }
    }
    let line = |cells: &[String; 6]| {
        let mut l = String::new();
        for (i, c) in cells.iter().enumerate() {
            let pad = w[i] - c.chars().count();
            // Numbers right, text left.
            if matches!(i, 0 | 3 | 4) {
                l.push_str(&" ".repeat(pad));
                l.push_str(c);
            } else {
                l.push_str(c);
                if i < 5 {
                    l.push_str(&" ".repeat(pad));
                }
            }
            if i < 5 {
                l.push_str("  ");
            }
        }
        l.trim_end().to_string() + "\n"
    };
    out.push_str(&line(&header));
    for r in &rows {
        out.push_str(&line(r));
    }
    if !s.warnings.is_empty() {
        out.push_str("\nWarnings:\n");
        for wn in &s.warnings {
            out.push_str(&format!("- {wn}\n"));
        }
    }
    out
}

/// The schedule as CSV (one row a step).
pub fn to_csv(s: &Schedule) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "step",
        "start",
        "end",
        "daily_dose",
        "unit",
        "change_percent",
        "doses",
        "hold_days",
    ];
    // Writing to memory cannot fail.
    let _ = w.write_record(header);
    for st in &s.steps {
        let doses: Vec<String> = st.doses.iter().map(|d| d.to_string()).collect();
        let _ = w.write_record([
            st.step.to_string(),
            st.start.to_string(),
            st.end.map(|d| d.to_string()).unwrap_or_default(),
            st.daily_dose.to_string(),
            s.input.unit.to_string(),
            st.change_percent.to_string(),
            doses.join("+"),
            st.hold_days.to_string(),
        ]);
    }
    let bytes = w.into_inner().unwrap_or_default();
    String::from_utf8(bytes).unwrap_or_default()
}

/// The schedule as JSON: `{"unit", "start_dose", "steps": [...], "warnings", "suggested_holds",
/// ...}`, keys in that order. `warnings` stays an array of strings; `suggested_holds` is
/// `[{"step", "days"}]`.
pub fn to_json(s: &Schedule) -> String {
    #[derive(Serialize)]
    struct JsonStep {
        step: u32,
        start: Date,
        end: Option<Date>,
        daily_dose: Dec,
        change_percent: i64,
        doses: Vec<Dec>,
        hold_days: u32,
    }
    #[derive(Serialize)]
    struct Json<'a> {
        unit: Unit,
        start_dose: Dec,
        steps: Vec<JsonStep>,
        warnings: Vec<&'a str>,
        /// The hold each warning suggests: a step's whole hold, in place of any given for it.
        suggested_holds: Vec<Hold>,
        defaults_applied: &'a [String],
        substance: Option<&'a str>,
        reduction_percent: Dec,
        interval_days: u32,
        step: Dec,
        min_dose: Dec,
        doses_per_day: u32,
        mode: Mode,
        start: Date,
        stop: Option<Date>,
        holds: &'a [Hold],
    }
    let i = &s.input;
    let v = Json {
        unit: i.unit,
        start_dose: i.start_dose,
        steps: s
            .steps
            .iter()
            .map(|st| JsonStep {
                step: st.step,
                start: st.start,
                end: st.end,
                daily_dose: st.daily_dose,
                change_percent: st.change_percent,
                doses: st.doses.clone(),
                hold_days: st.hold_days,
            })
            .collect(),
        warnings: s.warnings.iter().map(|w| w.text.as_str()).collect(),
        suggested_holds: s.suggested_holds(),
        defaults_applied: &i.defaults_applied,
        substance: i.substance.as_deref(),
        reduction_percent: i.reduction_percent,
        interval_days: i.interval_days,
        step: i.step,
        min_dose: i.min_dose,
        doses_per_day: i.doses_per_day,
        mode: i.mode,
        start: i.start,
        stop: s.stop_date(),
        holds: &i.holds,
    };
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> Dec {
        s.parse().unwrap()
    }

    fn date(s: &str) -> Date {
        Date::parse(s).unwrap()
    }

    fn input(d0: &str, r: &str, k: u32, q: &str, n: u32) -> TaperInput {
        TaperInput {
            unit: Unit::G,
            substance: None,
            start_dose: d(d0),
            reduction_percent: d(r),
            interval_days: k,
            step: d(q),
            min_dose: d(q),
            doses_per_day: n,
            start: date("2026-12-01"),
            mode: Mode::Previous,
            holds: Vec::new(),
            max_step_percent: Dec::from_int(25),
            limits: None,
            defaults_applied: Vec::new(),
        }
    }

    #[test]
    fn decimals_parse_and_print_exactly() {
        assert_eq!(d("0.50").to_string(), "0.5");
        assert_eq!(d("20").to_string(), "20");
        assert_eq!(d(".25").to_string(), "0.25");
        assert_eq!(d("-1.5").to_string(), "-1.5");
        assert_eq!(d("0.1"), Dec::from_f64(0.1).unwrap());
        assert!(d("0.5") < d("0.75"));
        for bad in ["", "abc", "1e3", "1.", "1,5", "--1", "0.1234567"] {
            assert!(bad.parse::<Dec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn golden_worked_example() {
        let inp = input("20", "10", 7, "0.5", 3);
        let s = schedule(&inp).unwrap();
        let doses: Vec<String> = s.steps.iter().map(|s| s.daily_dose.to_string()).collect();
        assert_eq!(
            doses.join(" "),
            "18 16 14.5 13 11.5 10.5 9.5 8.5 7.5 7 6.5 6 5.5 5 4.5 4 3.5 3 2.5 2 1.5 1 0.5 0"
        );
        assert_eq!(s.steps.len(), 24);
        let first = &s.steps[0];
        assert_eq!(first.start, date("2026-12-01"));
        assert_eq!(first.end, Some(date("2026-12-07")));
        assert_eq!(first.change_percent, -10);
        assert_eq!(Schedule::split_text(first), "6 + 6 + 6");
        assert_eq!(Schedule::split_text(&s.steps[1]), "5.5 + 5.5 + 5");
        assert_eq!(Schedule::split_text(&s.steps[21]), "0.5 + 0.5");
        let last = s.steps.last().unwrap();
        assert_eq!(last.start, date("2027-05-11"));
        assert_eq!(last.end, None);
        assert_eq!(last.change_percent, -100);
        assert!(last.doses.is_empty());
        // 1 g to 0.5 g is a 50% cut, and 1.5 to 1 is 33%: both above 25%.
        assert!(
            s.warnings.iter().any(|w| w
                .text
                .starts_with("step 23: 1 g to 0.5 g is a cut of 50.0%")),
            "{:?}",
            s.warnings
        );
        assert!(s.warnings.iter().any(|w| w.text.starts_with("step 22:")));
        assert!(!s
            .warnings
            .iter()
            .any(|w| w.text.contains("more than a year")));
    }

    #[test]
    fn golden_json_shape() {
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&to_json(&s)).unwrap();
        assert_eq!(v["unit"], "g");
        assert_eq!(v["start_dose"], 20);
        assert_eq!(v["steps"][0]["step"], 1);
        assert_eq!(v["steps"][0]["start"], "2026-12-01");
        assert_eq!(v["steps"][0]["end"], "2026-12-07");
        assert_eq!(v["steps"][0]["daily_dose"], 18);
        assert_eq!(v["steps"][0]["change_percent"], -10);
        assert_eq!(v["steps"][0]["doses"], serde_json::json!([6, 6, 6]));
        assert_eq!(v["steps"][1]["doses"], serde_json::json!([5.5, 5.5, 5]));
        assert_eq!(v["steps"][23]["end"], serde_json::Value::Null);
        assert_eq!(v["steps"][23]["start"], "2027-05-11");
    }

    #[test]
    fn initial_mode_is_linear() {
        let mut inp = input("10", "20", 7, "0.5", 1);
        inp.mode = Mode::Initial;
        let s = schedule(&inp).unwrap();
        let doses: Vec<String> = s.steps.iter().map(|s| s.daily_dose.to_string()).collect();
        assert_eq!(doses.join(" "), "8 6 4 2 0");
    }

    #[test]
    fn a_start_dose_off_the_grid_still_falls() {
        // 20.3 with q = 0.5 and a tiny cut: round(20.3*0.999) = 20.5 >= 20.3, so 20.5 - 0.5.
        let mut inp = input("20.3", "0.1", 7, "0.5", 1);
        inp.min_dose = d("19");
        let s = schedule(&inp).unwrap();
        assert_eq!(s.steps[0].daily_dose, d("20"));
        assert_eq!(s.steps[1].daily_dose, d("19.5"));
    }

    #[test]
    fn holds_lengthen_their_step_and_shift_the_rest() {
        let mut inp = input("20", "10", 7, "0.5", 3);
        inp.holds = vec![Hold { step: 2, days: 7 }];
        let s = schedule(&inp).unwrap();
        assert_eq!(s.steps[1].start, date("2026-12-08"));
        assert_eq!(s.steps[1].end, Some(date("2026-12-21")));
        assert_eq!(s.steps[2].start, date("2026-12-22"));
        assert_eq!(s.steps[23].start, date("2027-05-18"));
    }

    #[test]
    fn hold_on_a_missing_step_is_an_error() {
        let mut inp = input("20", "10", 7, "0.5", 3);
        inp.holds = vec![Hold { step: 30, days: 7 }];
        let e = schedule(&inp).unwrap_err();
        assert!(e[0].message.contains("there is no step 30"), "{e:?}");
        assert_eq!(e[0].field, Field::Hold);
        inp.holds = vec![Hold { step: 24, days: 7 }];
        let e = schedule(&inp).unwrap_err();
        assert!(e[0].message.contains("is the stop"), "{e:?}");
    }

    #[test]
    fn each_validation_error_is_reported() {
        let cases: Vec<(TaperInput, Field, &str)> = vec![
            (
                {
                    let mut i = input("20", "10", 7, "0.5", 3);
                    i.start_dose = d("0");
                    i
                },
                Field::Dose,
                "more than 0",
            ),
            (
                {
                    let mut i = input("20", "10", 7, "0.5", 3);
                    i.start_dose = d("-3");
                    i
                },
                Field::Dose,
                "more than 0",
            ),
            (
                input("20", "0", 7, "0.5", 3),
                Field::ReductionPercent,
                "more than 0%",
            ),
            (
                input("20", "51", 7, "0.5", 3),
                Field::ReductionPercent,
                "at most 50%",
            ),
            (
                input("20", "10", 0, "0.5", 3),
                Field::IntervalDays,
                "whole number from 1",
            ),
            (input("20", "10", 7, "0", 3), Field::Step, "more than 0"),
            (
                input("20", "10", 7, "25", 3),
                Field::Step,
                "larger than the start dose",
            ),
            (
                {
                    let mut i = input("20", "10", 7, "0.5", 3);
                    i.min_dose = d("-1");
                    i
                },
                Field::MinDose,
                "below 0",
            ),
            (
                input("20", "10", 7, "0.5", 0),
                Field::DosesPerDay,
                "from 1 to 12",
            ),
            (
                input("20", "10", 7, "0.5", 13),
                Field::DosesPerDay,
                "from 1 to 12",
            ),
        ];
        for (inp, field, text) in cases {
            let e = schedule(&inp).unwrap_err();
            assert!(
                e.iter()
                    .any(|e| e.field == field && e.message.contains(text)),
                "{field:?} {text}: {e:?}"
            );
        }
    }

    fn page() -> PageTaper {
        serde_norway::from_str(
            "substance: kratom leaf powder\nunit: g\ndose_forms: [powder]\nreduction_percent: {default: 10, max: 25}\ninterval_days: {default: 7}\nstep: {default: 0.5}\ndoses_per_day: {default: 3}\nmax_step_percent: 25\n",
        )
        .unwrap()
    }

    #[test]
    fn page_defaults_are_applied_and_listed() {
        let p = TaperParams {
            start_dose: Some(d("20")),
            start: Some(date("2026-12-01")),
            ..Default::default()
        };
        let inp = resolve(&p, Some(&page()), date("2026-11-26")).unwrap();
        assert_eq!(inp.reduction_percent, d("10"));
        assert_eq!(inp.step, d("0.5"));
        assert_eq!(inp.min_dose, d("0.5"));
        assert_eq!(inp.doses_per_day, 3);
        let all = inp.defaults_applied.join("\n");
        assert!(
            all.contains("reduction percent: 10% (the page's default)"),
            "{all}"
        );
        assert!(
            all.contains("lowest dose before stopping: 0.5 g (the smallest measurable amount)"),
            "{all}"
        );
        assert!(all.contains("mode: previous"), "{all}");
        assert!(!all.contains("start date"), "{all}");
        let s = schedule(&inp).unwrap();
        assert_eq!(s.steps.len(), 24);
    }

    #[test]
    fn page_limits_are_enforced() {
        let p = TaperParams {
            start_dose: Some(d("20")),
            reduction_percent: Some(d("30")),
            ..Default::default()
        };
        let e = resolve(&p, Some(&page()), date("2026-11-26")).unwrap_err();
        assert!(
            e.iter()
                .any(|e| e.message == "30% is above the page's limit of 25%"),
            "{e:?}"
        );
        let p = TaperParams {
            start_dose: Some(d("20")),
            unit: Some(Unit::Mg),
            ..Default::default()
        };
        let e = resolve(&p, Some(&page()), date("2026-11-26")).unwrap_err();
        assert!(e.iter().any(|e| e.field == Field::Unit), "{e:?}");
    }

    #[test]
    fn missing_values_without_a_page_are_errors_not_guesses() {
        let p = TaperParams {
            unit: Some(Unit::G),
            start_dose: Some(d("20")),
            ..Default::default()
        };
        let e = resolve(&p, None, date("2026-11-26")).unwrap_err();
        let fields: Vec<_> = e.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [Field::ReductionPercent, Field::IntervalDays, Field::Step]
        );
        let p = TaperParams {
            unit: Some(Unit::G),
            start_dose: Some(d("20")),
            reduction_percent: Some(d("10")),
            interval_days: Some(d("1.5")),
            step: Some(d("0.5")),
            ..Default::default()
        };
        let e = resolve(&p, None, date("2026-11-26")).unwrap_err();
        assert!(
            e.iter()
                .any(|e| e.field == Field::IntervalDays && e.message.contains("whole number")),
            "{e:?}"
        );
    }

    #[test]
    fn page_block_rejects_unknown_keys_and_checks_itself() {
        let e = serde_norway::from_str::<PageTaper>(
            "substance: x\nunit: g\nreducton_percent: {default: 10}\n",
        );
        assert!(e.unwrap_err().to_string().contains("unknown field"));
        let e = serde_norway::from_str::<PageTaper>("substance: x\nunit: kg\n");
        assert!(e.is_err());
        let p: PageTaper = serde_norway::from_str(
            "substance: x\nunit: g\nreduction_percent: {default: 30, max: 25}\ndoses_per_day: {default: 20}\n",
        )
        .unwrap();
        let problems = p.check();
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(page().check().is_empty());
        // It round-trips.
        let text = serde_norway::to_string(&page()).unwrap();
        let back: PageTaper = serde_norway::from_str(&text).unwrap();
        assert_eq!(back, page());
    }

    #[test]
    fn max_final_dose_must_be_positive_and_measurable() {
        let mut p = page();
        p.max_final_dose = Some(d("0"));
        assert!(p
            .check()
            .iter()
            .any(|e| e == "taper.max_final_dose: 0 is not more than 0"));
        p.max_final_dose = Some(d("0.25"));
        assert!(
            p.check()
                .iter()
                .any(|e| e
                    == "taper.max_final_dose: 0.25 is below the smallest measurable amount 0.5"),
            "{:?}",
            p.check()
        );
        p.max_final_dose = Some(d("1.5"));
        assert!(p.check().is_empty(), "{:?}", p.check());
        // The page's own limit replaces the default of twice the step.
        let mut inp = input("20", "10", 7, "0.5", 3);
        inp.min_dose = d("1");
        inp.limits = Some(p);
        let s = schedule(&inp).unwrap();
        assert!(
            !s.warnings.iter().any(|w| w.text.contains("last dose")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn a_high_last_dose_before_stopping_is_warned() {
        // 20 g with a lowest dose of 10 g: the last step is 10.5 g, then nothing.
        let mut inp = input("20", "10", 7, "0.5", 3);
        inp.min_dose = d("10");
        let s = schedule(&inp).unwrap();
        let last = &s.steps[s.steps.len() - 2];
        assert_eq!(last.daily_dose, d("10.5"));
        assert!(
            s.warnings.iter().any(|w| w.text.starts_with(&format!(
                "step {}: the last dose before stopping is 10.5 g, more than 1 g (twice the smallest measurable amount)",
                last.step
            ))),
            "{:?}",
            s.warnings
        );
        let w = s
            .warnings
            .iter()
            .find(|w| w.cause == Cause::FinalStop)
            .unwrap();
        assert_eq!((w.step, w.hold), (Some(last.step), None));
        assert!(
            w.text.contains("a hold only lengthens this step"),
            "{}",
            w.text
        );
        // The usual ending (0.5 g, then stop) is not warned of.
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        assert!(
            !s.warnings.iter().any(|w| w.text.contains("last dose")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn stopping_at_once_warns() {
        let mut inp = input("2", "10", 7, "0.5", 1);
        inp.min_dose = d("5");
        let s = schedule(&inp).unwrap();
        assert_eq!(s.steps.len(), 1);
        assert!(
            s.warnings[0].text.contains("stops at once"),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn long_tapers_warn() {
        let s = schedule(&input("100", "2", 14, "0.5", 1)).unwrap();
        assert!(
            s.warnings
                .iter()
                .any(|w| w.text.contains("more than a year")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn text_forms() {
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        let t = to_table(&s);
        assert!(
            t.contains("   1  2026-12-01  2026-12-07         18    -10%  6 + 6 + 6"),
            "{t}"
        );
        assert!(t.contains("2027-05-11  stop"), "{t}");
        let c = to_csv(&s);
        assert!(
            c.contains("\n1,2026-12-01,2026-12-07,18,g,-10,6+6+6,0\n"),
            "{c}"
        );
        assert!(c.contains("\n24,2027-05-11,,0,g,-100,,0\n"), "{c}");
    }

    fn arb_input() -> impl Strategy<Value = TaperInput> {
        (
            1i64..4000, // D0 in tenths
            prop::sample::select(vec!["0.1", "0.25", "0.5", "1", "2.5"]),
            1i64..=500, // r in tenths of a percent
            1u32..=30,
            1u32..=12,
            any::<bool>(),
            0i64..=20, // m in tenths
            prop::collection::vec((1u32..=40, 1u32..=14), 0..3),
        )
            .prop_filter_map("q <= D0", |(d0, q, r, k, n, initial, m, holds)| {
                let d0 = Dec::new(d0 as i128, 1);
                let q: Dec = q.parse().ok()?;
                if q > d0 {
                    return None;
                }
                let mut inp = input("1", "1", k, "1", n);
                inp.start_dose = d0;
                inp.step = q;
                inp.reduction_percent = Dec::new(r as i128, 1);
                inp.min_dose = Dec::new(m as i128, 1);
                inp.mode = if initial {
                    Mode::Initial
                } else {
                    Mode::Previous
                };
                let mut seen = std::collections::BTreeSet::new();
                inp.holds = holds
                    .into_iter()
                    .filter(|h| seen.insert(h.0))
                    .map(|(step, days)| Hold { step, days })
                    .collect();
                Some(inp)
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn schedule_properties(inp in arb_input()) {
            let res = schedule(&inp);
            let s = match res {
                Ok(s) => s,
                Err(e) => {
                    // The only acceptable refusals: a hold past the end, or too many steps.
                    prop_assert!(e.iter().all(|e| e.field == Field::Hold || e.message.contains("more than")), "{:?}", e);
                    return Ok(());
                }
            };
            // Doses strictly fall and end at 0.
            let mut prev = inp.start_dose;
            for st in &s.steps {
                prop_assert!(st.daily_dose < prev, "step {} {} !< {}", st.step, st.daily_dose, prev);
                prev = st.daily_dose;
            }
            prop_assert_eq!(s.steps.last().map(|s| s.daily_dose), Some(Dec::ZERO));
            prop_assert!(s.steps[..s.steps.len() - 1].iter().all(|s| s.daily_dose.is_positive()));
            for st in &s.steps {
                // A multiple of q, and not below m unless 0.
                prop_assert_eq!(inp.step.mul_int(st.units as i128), st.daily_dose);
                prop_assert!(st.daily_dose == Dec::ZERO || st.daily_dose >= inp.min_dose);
                // Splits sum to the day's dose, larger first, no zeros, at most n.
                let sum = st.doses.iter().fold(Dec::ZERO, |a, b| {
                    let sc = a.scale.max(b.scale);
                    Dec::new(a.at_scale(sc) + b.at_scale(sc), sc)
                });
                prop_assert_eq!(sum, st.daily_dose);
                prop_assert!(st.doses.windows(2).all(|w| w[0] >= w[1]));
                prop_assert!(st.doses.iter().all(|d| d.is_positive()));
                prop_assert!(st.doses.len() <= inp.doses_per_day as usize);
                if let (Some(a), Some(b)) = (st.doses.first(), st.doses.last()) {
                    prop_assert!(*a == *b || *a == Dec::new(b.at_scale(inp.step.scale.max(b.scale)) + inp.step.at_scale(inp.step.scale.max(b.scale)), inp.step.scale.max(b.scale)));
                }
            }
            // Dates contiguous: each step starts the day after the previous one ends.
            prop_assert_eq!(s.steps[0].start, inp.start);
            for w in s.steps.windows(2) {
                let end = w[0].end.unwrap();
                prop_assert!(end >= w[0].start);
                prop_assert_eq!(add_days(end, 1), Some(w[1].start));
                let len = w[0].start.days_until(end) + 1;
                prop_assert_eq!(len, inp.interval_days as i64 + w[0].hold_days as i64);
            }
            prop_assert_eq!(s.steps.last().unwrap().end, None);
            // Deterministic.
            prop_assert_eq!(schedule(&inp).unwrap(), s);
        }

        #[test]
        fn suggested_holds_remove_their_warnings(
            (inp, limit) in (arb_input(), prop::sample::select(vec!["5", "10", "12.5", "25", "33.3", "50"]))
        ) {
            let mut inp = inp;
            inp.max_step_percent = d(limit);
            let Ok(s) = schedule(&inp) else { return Ok(()) };
            let rate_above = inp.reduction_percent > inp.max_step_percent;
            for w in &s.warnings {
                match w.cause {
                    Cause::CoarseStep | Cause::Linear => {
                        prop_assert!(!rate_above, "{}", w.text);
                        prop_assert!(w.step.is_some());
                        if w.hold.is_none() {
                            prop_assert!(w.text.contains("more than the 365 a hold allows"), "{}", w.text);
                        }
                    }
                    Cause::AboveLimit => prop_assert!(rate_above && w.hold.is_none()),
                    _ => prop_assert!(w.hold.is_none()),
                }
                if w.cause == Cause::Linear {
                    prop_assert_eq!(inp.mode, Mode::Initial);
                }
                prop_assert_eq!(w.hold.map(|h| h.step), w.hold.and(w.step));
            }
            let suggested = s.suggested_holds();
            if suggested.is_empty() {
                return Ok(());
            }
            let mut again = inp.clone();
            again.holds = s.holds_with_suggestions();
            let s2 = schedule(&again).unwrap();
            // The same doses; only the dates move.
            let doses = |s: &Schedule| s.steps.iter().map(|st| st.daily_dose).collect::<Vec<_>>();
            prop_assert_eq!(doses(&s2), doses(&s));
            let k = Dec::from_int(inp.interval_days as i64);
            for h in &suggested {
                let i = h.step as usize - 1;
                let prev = if i == 0 { inp.start_dose } else { s.steps[i - 1].daily_dose };
                let d = s.steps[i].daily_dose;
                // The average cut per interval, c * k / (k + h), exactly: within the limit, and
                // in mode previous within r. cut * 100 * k <= rate * prev * (k + h).
                let sc = prev.scale.max(d.scale);
                let cut = prev.at_scale(sc) - d.at_scale(sc);
                let p = prev.at_scale(sc);
                let within = |rate: Dec| {
                    cut * 100 * k.units * 10i128.pow(rate.scale)
                        <= rate.units * p * (k.units + h.days as i128)
                };
                prop_assert!(within(inp.max_step_percent), "step {}", h.step);
                if inp.mode == Mode::Previous {
                    prop_assert!(within(inp.reduction_percent), "step {}", h.step);
                }
                prop_assert!(
                    !s2.warnings.iter().any(|w| w.step == Some(h.step)
                        && matches!(w.cause, Cause::CoarseStep | Cause::Linear)),
                    "{:?}", s2.warnings
                );
            }
        }
    }

    fn causes(s: &Schedule) -> Vec<(Option<u32>, Cause, Option<Hold>)> {
        s.warnings
            .iter()
            .map(|w| (w.step, w.cause, w.hold))
            .collect()
    }

    #[test]
    fn a_coarse_measuring_step_is_named_with_its_hold() {
        // The worked example: 1.5 g to 1 g is 33.3% and 1 g to 0.5 g 50%, with r = 10%.
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        assert_eq!(
            causes(&s),
            [
                (
                    Some(22),
                    Cause::CoarseStep,
                    Some(Hold { step: 22, days: 21 })
                ),
                (
                    Some(23),
                    Cause::CoarseStep,
                    Some(Hold { step: 23, days: 28 })
                ),
            ]
        );
        assert_eq!(
            s.warnings[0].text,
            "step 22: 1.5 g to 1 g is a cut of 33.3%, more than 25%: the smallest measurable amount (0.5 g) is too coarse at this dose for the intended cut of 10%; holding this step 21 days longer (4 intervals of 7 days) brings its average cut back to 8.3% per 7 days, within the intended 10%"
        );
        // In mode initial the intended cut is the fixed amount: 0.5 g cut as 1 g, twice it.
        let mut inp = input("10", "5", 7, "1", 1);
        inp.mode = Mode::Initial;
        let s = schedule(&inp).unwrap();
        let w = &s.warnings[0];
        assert_eq!((w.step, w.cause), (Some(8), Cause::CoarseStep));
        assert!(
            w.text.starts_with("step 8: 3 g to 2 g is a cut of 33.3%, more than 25%: the smallest measurable amount (1 g) is too coarse at this dose for the intended cut of 16.7%"),
            "{}",
            w.text
        );
        assert_eq!(w.hold, Some(Hold { step: 8, days: 7 }));
    }

    #[test]
    fn the_hold_is_ceil_c_over_r_minus_one_intervals() {
        // r = 10, c = 33.3%, k = 7: ceil(3.33) - 1 = 3 intervals, 21 days.
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        assert_eq!(s.steps[21].change_percent, -33);
        assert_eq!(s.warnings[0].hold, Some(Hold { step: 22, days: 21 }));
        // c = 50% exactly is 5 r: 4 intervals more, and then no more than r.
        assert_eq!(s.warnings[1].hold, Some(Hold { step: 23, days: 28 }));
        // Applied, they remove their warnings and move only the dates.
        let mut again = s.input.clone();
        again.holds = s.holds_with_suggestions();
        let s2 = schedule(&again).unwrap();
        assert!(s2.warnings.is_empty(), "{:?}", s2.warnings);
        assert_eq!(s2.steps[21].end, Some(date("2027-05-24")));
        // A held step is judged by its average cut: 33.3% over two intervals is 16.7%.
        let mut held = s.input.clone();
        held.holds = vec![Hold { step: 22, days: 7 }, Hold { step: 23, days: 3 }];
        let s3 = schedule(&held).unwrap();
        assert_eq!(
            causes(&s3),
            [(
                Some(23),
                Cause::CoarseStep,
                Some(Hold { step: 23, days: 28 })
            )]
        );
        assert!(
            s3.warnings[0].text.starts_with("step 23: 1 g to 0.5 g is a cut of 50.0%, held 3 days longer: 35.0% per 7 days, more than 25%"),
            "{}",
            s3.warnings[0].text
        );
        assert!(s3.warnings[0]
            .text
            .contains("28 days longer, in place of the 3 given"));
        assert_eq!(
            s3.holds_with_suggestions(),
            [Hold { step: 22, days: 7 }, Hold { step: 23, days: 28 }]
        );
    }

    #[test]
    fn a_cut_just_above_the_limit_shows_its_decimal() {
        // 39.5 g to 29.5 g is 25.3%, not "25%, more than 25%".
        let s = schedule(&input("39.5", "25", 7, "0.5", 1)).unwrap();
        assert!(
            s.warnings[0]
                .text
                .starts_with("step 1: 39.5 g to 29.5 g is a cut of 25.3%, more than 25%: the smallest measurable amount (0.5 g) is too coarse"),
            "{}",
            s.warnings[0].text
        );
        assert_eq!(s.warnings[0].cause, Cause::CoarseStep);
        // One decimal, halves away from zero; more only to tell a cut from the limit.
        assert_eq!(percent_text(1225, 10000, |_, _| true), "12.3");
        assert_eq!(percent_text(1, 3, |_, _| true), "33.3");
        assert_eq!(percent_text(2504, 10000, shown_above(d("25"))), "25.04");
        assert_eq!(percent_text(25001, 100000, shown_above(d("25"))), "25.001");
        assert_eq!(percent_text(1, 8, shown_above(d("12.4"))), "12.5");
    }

    #[test]
    fn a_reduction_above_the_limit_is_one_warning_without_a_hold() {
        let s = schedule(&input("20", "30", 7, "0.5", 3)).unwrap();
        assert_eq!(causes(&s), [(None, Cause::AboveLimit, None)]);
        assert_eq!(
            s.warnings[0].text,
            "the reduction of 30% of the previous dose per step is above the limit of 25% per step: 8 steps cut more than 25% (steps 1-6, 9-10; the largest, 50.0%, at step 10); no hold brings a cut within the limit when the rate itself is above it: lower the reduction to at most 25%"
        );
        assert!(s.suggested_holds().is_empty());
    }

    #[test]
    fn a_linear_taper_is_named_and_held_back_to_the_limit() {
        // 10 g less 2 g a step: 6 g to 4 g is 33.3%, 4 g to 2 g 50%.
        let mut inp = input("10", "20", 7, "0.5", 1);
        inp.mode = Mode::Initial;
        let s = schedule(&inp).unwrap();
        assert_eq!(
            causes(&s),
            [
                (Some(3), Cause::Linear, Some(Hold { step: 3, days: 7 })),
                (Some(4), Cause::Linear, Some(Hold { step: 4, days: 7 })),
                (Some(4), Cause::FinalStop, None),
            ]
        );
        assert_eq!(
            s.warnings[0].text,
            "step 3: 6 g to 4 g is a cut of 33.3%, more than 25%: a linear taper (mode initial) cuts 20% of the start dose (2 g) every step, a growing share of a falling dose: here 33.3%; holding this step 7 days longer (2 intervals of 7 days) brings its average cut back to 16.7% per 7 days, within the limit of 25%"
        );
    }

    #[test]
    fn a_hold_that_would_pass_a_year_is_not_suggested_and_says_so() {
        let s = schedule(&input("1.5", "0.5", 7, "0.5", 1)).unwrap();
        assert_eq!(s.warnings[0].cause, Cause::CoarseStep);
        assert_eq!(s.warnings[0].hold, None);
        assert!(
            s.warnings[0]
                .text
                .ends_with("would take a hold of 462 days, more than the 365 a hold allows: a smaller smallest measurable amount, if the patient can measure it, makes this cut smaller"),
            "{}",
            s.warnings[0].text
        );
    }

    #[test]
    fn the_json_keeps_warning_strings_and_adds_suggested_holds() {
        let s = schedule(&input("20", "10", 7, "0.5", 3)).unwrap();
        let v: serde_json::Value = serde_json::from_str(&to_json(&s)).unwrap();
        assert!(v["warnings"][0]
            .as_str()
            .is_some_and(|w| w.starts_with("step 22: 1.5 g to 1 g is a cut of 33.3%")));
        assert_eq!(
            v["suggested_holds"],
            serde_json::json!([{"step": 22, "days": 21}, {"step": 23, "days": 28}])
        );
    }
}
