//! Names that look alike as strings but mean different things: an audience's id (`patient`)
//! and a page's slug (`kratom-withdrawal`). Each is its own type so that a signature says which
//! one it takes and one cannot be passed for the other. Both read as `&str` where text is
//! needed (comparisons, URLs, templates) and serialize as plain strings, so the cache, the
//! configuration file and the JSON outputs are unchanged.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

use serde::{Deserialize, Serialize};

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// The name as written. Whether it is well formed is checked where it is read
            /// (`config::is_ident`), so that a bad one is reported at its line with the others.
            pub fn new(text: impl Into<String>) -> Self {
                $name(text.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Borrow<str> for $name {
            fn borrow(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        impl PartialEq<$name> for &str {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }
    };
}

name_type!(
    /// An audience's id: lower-case, used in front matter, audience blocks and URLs.
    AudienceId
);

name_type!(
    /// The last segment of a page's URL path: lower-case letters, digits and '-'.
    Slug
);

name_type!(
    /// A language of the site (`[[languages]] id` in careguide.toml): a lower-case BCP 47 tag
    /// (`en`, `es`, `pt-br`), used as a translation file's suffix (`page.es.md`), as the first
    /// segment of its URLs (`/es/page/`) and in `lang` and `hreflang` attributes.
    LangId
);

/// Primary language subtags written right to left (Arabic, Hebrew, Persian, Urdu, Yiddish,
/// Pashto, Sindhi, Dhivehi, Kurdish (Sorani), Uyghur, Syriac, N'Ko, Thaana-script languages).
const RTL: &[&str] = &[
    "ar", "arc", "ckb", "dv", "fa", "he", "iw", "ji", "ks", "ku", "nqo", "ps", "sd", "syr", "ug",
    "ur", "yi",
];

impl LangId {
    /// Whether a well-formed language tag: a primary subtag of two or three letters a-z, then
    /// optional subtags of one to eight letters or digits, all separated by '-'.
    pub fn is_well_formed(tag: &str) -> bool {
        let mut parts = tag.split('-');
        let first_ok = parts.next().is_some_and(|p| {
            (2..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_lowercase())
        });
        first_ok
            && parts.all(|p| {
                (1..=8).contains(&p.len())
                    && p.bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            })
    }

    /// Whether the language is written right to left (by its primary subtag).
    pub fn is_rtl(&self) -> bool {
        let primary = self.0.split('-').next().unwrap_or("");
        RTL.contains(&primary) || self.0.split('-').any(|p| p == "arab" || p == "hebr")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_writes_as_a_plain_string() {
        let id: AudienceId = serde_json::from_str("\"patient\"").expect("a string");
        assert_eq!(id, "patient");
        assert_eq!(serde_json::to_string(&id).expect("json"), "\"patient\"");
        assert_eq!(format!("{id}"), "patient");
    }

    #[test]
    fn language_tags() {
        for ok in ["en", "es", "pt-br", "zh-hant", "haw"] {
            assert!(LangId::is_well_formed(ok), "{ok}");
        }
        for bad in [
            "", "e", "english", "EN", "es_", "es-", "-es", "es--mx", "es.md",
        ] {
            assert!(!LangId::is_well_formed(bad), "{bad}");
        }
        assert!(LangId::new("ar").is_rtl());
        assert!(LangId::new("he").is_rtl());
        assert!(LangId::new("fa-ir").is_rtl());
        assert!(!LangId::new("es").is_rtl());
        assert!(!LangId::new("en-gb").is_rtl());
    }

    #[test]
    fn looks_up_by_text() {
        let ids = [AudienceId::new("patient"), AudienceId::new("clinician")];
        assert!(ids.iter().any(|a| a == "clinician"));
        let set: std::collections::HashSet<AudienceId> = ids.into_iter().collect();
        assert!(set.contains("patient"));
    }
}
