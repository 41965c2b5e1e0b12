//! Stage 4: HTML. Markdown per audience, then the Tera templates.

pub mod markdown;
pub mod site;
pub mod publish;
pub mod search;
pub mod feeds;
pub mod sanitize;
