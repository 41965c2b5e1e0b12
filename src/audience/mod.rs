//! Audience variants of one page: `::: patient caregiver` blocks, the glossary, reading level
//! and the review workflow.

pub mod blocks;
pub mod glossary;
pub mod readability;
pub mod review;
pub mod syllables;

pub use blocks::{check as check_blocks, select_mapped, Selected};

/// The Markdown text one audience sees: lines outside audience blocks, and the lines of blocks
/// that list `audience`. Fence lines and other audiences' blocks are cut out whole; use
/// [`select_mapped`] to map offsets in the result back to the body.
pub fn select(body: &str, audience: &str) -> String {
    blocks::select_mapped(body, audience).text
}

#[cfg(test)]
pub(crate) mod testutil;
