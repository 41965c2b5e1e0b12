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
    fn looks_up_by_text() {
        let ids = [AudienceId::new("patient"), AudienceId::new("clinician")];
        assert!(ids.iter().any(|a| a == "clinician"));
        let set: std::collections::HashSet<AudienceId> = ids.into_iter().collect();
        assert!(set.contains("patient"));
    }
}
