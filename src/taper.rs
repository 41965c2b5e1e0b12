//! The taper schedule (see the taper issue): a pure computation, no I/O.

use serde::{Deserialize, Serialize};

/// A page's `taper:` block: defaults and limits for personalized schedules.
/// Placeholder shape until the taper module lands: any mapping is accepted.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct PageTaper(pub serde_norway::Value);
