//! Audience variants of one page: `::: patient caregiver` blocks, the glossary, reading level
//! and the review workflow.

/// The Markdown text one audience sees. Until audience blocks land, every audience sees it all.
pub fn select(body: &str, _audience: &str) -> String {
    body.to_string()
}
