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

mod decimal;
mod field;
mod input;
mod page;
mod resolve;
mod said;
mod schedule;
#[cfg(test)]
mod testutil;
mod text;
mod validate;
mod warnings;

pub use decimal::Dec;
pub use field::{labelled, Field, TaperError};
pub use input::{parse_date_said, Hold, Mode, TaperInput, TaperParams, Unit};
pub use page::{Limit, PageTaper};
pub use resolve::resolve;
pub use said::{Applied, Said, Value, Wording};
pub use schedule::{schedule, split_units, Schedule, Step};
pub use text::{describe, describe_said, to_csv, to_json, to_table};
pub use warnings::{Cause, Warning};

/// A schedule longer than this many steps is refused (it would not fit on a handout).
pub const MAX_STEPS: usize = 1000;
/// The cut per step above which a warning is given when neither the page nor the clinician set
/// `max_step_percent`.
pub const BUILTIN_MAX_STEP_PERCENT: i128 = 25;
