//! Files a published site needs beside its pages: search index, sitemap, robots.txt, feed.

use crate::build::{Site, Variant};
use crate::output::OutputFile;

/// Extra files for the site, derived from the pages and their rendered variants.
pub fn extra_files(_site: &Site, _variants: &[Vec<Variant>]) -> Vec<OutputFile> {
    Vec::new()
}
