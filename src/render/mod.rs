//! Stage 4: HTML. Markdown per audience, then the Tera templates.

pub mod editorial;
pub mod feeds;
pub mod links;
pub mod markdown;
pub mod publish;
pub mod sanitize;
pub mod search;
pub mod site;
pub mod templates;
pub mod variant;
