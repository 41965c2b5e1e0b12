//! The values that pass from one stage of the build to the next, apart from the driver
//! ([`crate::build`]) that passes them:
//!
//! 1. [`Site`]: the configuration and every parsed page ([`crate::content::Document`]);
//! 2. [`Resolved`]: one page with its citations checked against its references;
//! 3. [`Variant`]: one audience's version of a resolved page, rendered to HTML
//!    ([`crate::render::variant`] makes it); templates and PDFs are made from variants.
//!
//! A stage takes the previous stage's value and never derives it again.

mod resolved;
mod site;
mod variant;

pub use resolved::Resolved;
pub use site::{dedupe, load, load_site, load_sources, parse_all, Site};
pub use variant::Variant;
