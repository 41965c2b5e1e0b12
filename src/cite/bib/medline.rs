//! PubMed MEDLINE export (`.nbib`).

use std::path::Path;

use super::Loaded;

pub(super) fn read(_text: &str, _file: &Path) -> Loaded {
    Loaded::default()
}
