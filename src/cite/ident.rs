//! Identifiers of published works: DOI, PMID, PMCID and ISBN, their normal forms and checks.

/// Why an identifier is not valid, in words an author understands.
pub type Problem = String;

/// Normalise a DOI as written by people and exports: trims, strips `https://doi.org/`,
/// `http://dx.doi.org/`, `doi:` and trailing sentence punctuation, and lower-cases it (DOIs
/// are case-insensitive).
pub fn normalize_doi(raw: &str) -> String {
    clean_doi(raw).to_lowercase()
}

/// A DOI without its URL or `doi:` prefix and trailing punctuation, in its original case (for
/// display; compare with [`normalize_doi`]).
pub fn clean_doi(raw: &str) -> String {
    let mut s = raw.trim();
    for prefix in [
        "https://doi.org/",
        "http://doi.org/",
        "https://dx.doi.org/",
        "http://dx.doi.org/",
        "doi.org/",
        "dx.doi.org/",
    ] {
        // `get`: a DOI written with non-ASCII letters has no char boundary at every byte.
        if s.get(..prefix.len())
            .is_some_and(|p| p.eq_ignore_ascii_case(prefix))
        {
            s = &s[prefix.len()..];
            break;
        }
    }
    if s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("doi:")) {
        s = s[4..].trim_start();
    }
    s.trim_end_matches(['.', ',', ';', ' ']).to_string()
}

/// Whether a normalised DOI matches Crossref's recommended pattern
/// (`^10\.\d{4,9}/[-._;()/:a-z0-9]+$`) or the pattern of old Wiley DOIs (`^10\.1002/\S+$`).
pub fn check_doi(doi: &str) -> Result<(), Problem> {
    let Some(rest) = doi.strip_prefix("10.") else {
        return Err(format!("DOI '{doi}' does not start with '10.'"));
    };
    let Some((registrant, suffix)) = rest.split_once('/') else {
        return Err(format!("DOI '{doi}' has no '/' between prefix and suffix"));
    };
    if !(4..=9).contains(&registrant.len()) || !registrant.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "DOI '{doi}' has the prefix '10.{registrant}', which is not 10. followed by 4 to 9 digits"
        ));
    }
    if suffix.is_empty() {
        return Err(format!("DOI '{doi}' has nothing after the '/'"));
    }
    if registrant == "1002" && !suffix.chars().any(char::is_whitespace) {
        return Ok(());
    }
    if let Some(bad) = suffix.chars().find(|c| {
        !(c.is_ascii_lowercase()
            || c.is_ascii_digit()
            || matches!(c, '-' | '.' | '_' | ';' | '(' | ')' | '/' | ':'))
    }) {
        let bad = if bad.is_whitespace() {
            "a space".to_string()
        } else {
            format!("'{bad}'")
        };
        return Err(format!("DOI '{doi}' contains {bad}, which DOIs do not use"));
    }
    Ok(())
}

/// A PMID is 1 to 8 digits without a leading zero.
pub fn check_pmid(pmid: &str) -> Result<(), Problem> {
    let ok = !pmid.is_empty()
        && pmid.len() <= 8
        && pmid.bytes().all(|b| b.is_ascii_digit())
        && !pmid.starts_with('0');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "PMID '{pmid}' is not a PubMed identifier (1 to 8 digits, not starting with 0)"
        ))
    }
}

/// Normalise a PMCID: trims and upper-cases the `PMC` prefix; a bare number gets it.
pub fn normalize_pmcid(raw: &str) -> String {
    let s = raw.trim();
    if s.get(..3).is_some_and(|p| p.eq_ignore_ascii_case("pmc")) {
        format!("PMC{}", &s[3..])
    } else if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) {
        format!("PMC{s}")
    } else {
        s.to_string()
    }
}

/// A PMCID is `PMC` followed by digits.
pub fn check_pmcid(pmcid: &str) -> Result<(), Problem> {
    match pmcid.strip_prefix("PMC") {
        Some(d) if !d.is_empty() && d.len() <= 10 && d.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(())
        }
        _ => Err(format!(
            "PMCID '{pmcid}' is not a PubMed Central identifier ('PMC' followed by digits)"
        )),
    }
}

/// The digits (and a final `X`) of an ISBN, without hyphens and spaces.
pub fn normalize_isbn(raw: &str) -> String {
    let s = raw.trim();
    let s = s
        .strip_prefix("ISBN")
        .or_else(|| s.strip_prefix("isbn"))
        .unwrap_or(s);
    s.trim_start_matches([':', ' '])
        .chars()
        .filter(|c| !matches!(c, '-' | ' ' | '\u{2010}' | '\u{2011}'))
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

/// ISBN-10 (weights 10 to 1, sum divisible by 11, `X` = 10 last) or ISBN-13 (weights 1 and 3,
/// sum divisible by 10). `isbn` is normalised with [`normalize_isbn`].
pub fn check_isbn(isbn: &str) -> Result<(), Problem> {
    let chars: Vec<char> = isbn.chars().collect();
    match chars.len() {
        10 => {
            let mut sum = 0u32;
            for (i, c) in chars.iter().enumerate() {
                let v = match c {
                    '0'..='9' => *c as u32 - '0' as u32,
                    'X' if i == 9 => 10,
                    _ => return Err(format!("ISBN '{isbn}' contains '{c}'")),
                };
                sum += v * (10 - i as u32);
            }
            if sum.is_multiple_of(11) {
                Ok(())
            } else {
                Err(format!("ISBN-10 '{isbn}' has a wrong check digit"))
            }
        }
        13 => {
            let mut sum = 0u32;
            for (i, c) in chars.iter().enumerate() {
                let Some(v) = c.to_digit(10) else {
                    return Err(format!("ISBN '{isbn}' contains '{c}'"));
                };
                sum += v * if i % 2 == 0 { 1 } else { 3 };
            }
            if sum.is_multiple_of(10) {
                Ok(())
            } else {
                Err(format!("ISBN-13 '{isbn}' has a wrong check digit"))
            }
        }
        n => Err(format!(
            "ISBN '{isbn}' has {n} characters; an ISBN has 10 or 13 digits"
        )),
    }
}

/// Find a DOI inside free text (a URL, a note): starts at `10.` and ends at whitespace or a
/// quote, with trailing punctuation removed. Returns it normalised.
pub fn extract_doi(text: &str) -> Option<String> {
    let start = text.find("10.")?;
    let tail = &text[start..];
    let end = tail
        .find(|c: char| c.is_whitespace() || matches!(c, '"' | '<' | '>' | '}'))
        .unwrap_or(tail.len());
    let doi = normalize_doi(&tail[..end]);
    doi.contains('/').then_some(doi)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_doi_with_non_ascii_letters_does_not_panic() {
        // Found by fuzzing: slicing at byte 4 or 16 cut a letter in two.
        assert_eq!(clean_doi("日本語のdoi"), "日本語のdoi");
        assert_eq!(
            clean_doi("httpü://doi.org/10.1/x"),
            "httpü://doi.org/10.1/x"
        );
        assert_eq!(clean_doi("DOI: 10.1/x."), "10.1/x");
    }

    #[test]
    fn dois_normalise_and_check() {
        assert_eq!(
            normalize_doi(" https://doi.org/10.1097/ADM.0000000000000721. "),
            "10.1097/adm.0000000000000721"
        );
        assert_eq!(normalize_doi("doi: 10.1136/BMJ.l1234"), "10.1136/bmj.l1234");
        assert_eq!(
            normalize_doi("https://dx.doi.org/10.1000/182"),
            "10.1000/182"
        );
        assert!(check_doi("10.1097/adm.0000000000000721").is_ok());
        assert!(check_doi("10.1016/s0140-6736(20)30183-5").is_ok());
        assert!(
            check_doi("10.1002/(sici)1097-0258(19980715)17:13<1495::aid-sim863>3.0.co;2-i").is_ok()
        );
        assert!(check_doi("10.123/abc").is_err());
        assert!(check_doi("11.1234/abc").is_err());
        assert!(check_doi("10.1234").is_err());
        assert!(check_doi("10.1234/has space").is_err());
        assert!(check_doi("10.1234/<bad>").is_err());
    }

    #[test]
    fn pmids() {
        assert!(check_pmid("33208680").is_ok());
        assert!(check_pmid("1").is_ok());
        assert!(check_pmid("012345").is_err());
        assert!(check_pmid("123456789").is_err());
        assert!(check_pmid("12a4").is_err());
        assert!(check_pmid("").is_err());
    }

    #[test]
    fn pmcids() {
        assert_eq!(normalize_pmcid("pmc7654321"), "PMC7654321");
        assert_eq!(normalize_pmcid("7654321"), "PMC7654321");
        assert!(check_pmcid("PMC7654321").is_ok());
        assert!(check_pmcid("PMC").is_err());
        assert!(check_pmcid("PMID7654321").is_err());
    }

    #[test]
    fn isbns() {
        assert_eq!(normalize_isbn("ISBN 978-0-306-40615-7"), "9780306406157");
        assert!(check_isbn("9780306406157").is_ok());
        assert!(check_isbn("9780306406158").is_err());
        assert!(check_isbn(&normalize_isbn("0-306-40615-2")).is_ok());
        assert!(check_isbn(&normalize_isbn("0-306-40615-3")).is_err());
        assert!(check_isbn(&normalize_isbn("0-8044-2957-x")).is_ok());
        assert!(check_isbn("12345").is_err());
    }

    #[test]
    fn dois_in_text() {
        assert_eq!(
            extract_doi("https://dx.doi.org/10.1016/j.drugalcdep.2018.01.001 ").as_deref(),
            Some("10.1016/j.drugalcdep.2018.01.001")
        );
        assert_eq!(extract_doi("no doi here"), None);
    }
}
