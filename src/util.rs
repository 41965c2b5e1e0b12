//! Helpers at the bottom of the house: escaping, the Markdown dialect, digests. They import
//! nothing from the rest of the crate.

pub mod alloc;
pub mod nesting;

use std::io::Write;
use std::path::Path;

use pulldown_cmark::Options;

/// Escape text for XML character data and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 does not allow at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            '\u{FFFE}' | '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
    out
}

/// `s` with every `from` replaced by `to`, as `str::replace` gives it, found with memchr's
/// vectorised searcher: a rendered page (tens of kB) is searched for its root stand-in and
/// its root marker on every render, where `str::replace` took about 1.5 instructions a byte.
pub fn replace_all(s: &str, from: &str, to: &str) -> String {
    if from.is_empty() {
        return s.replace(from, to);
    }
    let mut out = String::with_capacity(s.len());
    let mut last = 0;
    for i in memchr::memmem::find_iter(s.as_bytes(), from.as_bytes()) {
        // Matches do not overlap: memmem resumes after each one, as `str::replace` does.
        out.push_str(&s[last..i]);
        out.push_str(to);
        last = i + from.len();
    }
    out.push_str(&s[last..]);
    out
}

/// Escape text for HTML element content and quoted attributes. Unlike Tera's default this
/// leaves '/' alone, so URLs stay readable in the page source.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    escape_runs(s, |run| out.push_str(run));
    out
}

/// [`escape_html`] written to `w`: the template engine's escape function.
pub fn escape_html_to(s: &str, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut result = Ok(());
    escape_runs(s, |run| {
        if result.is_ok() {
            result = w.write_all(run.as_bytes());
        }
    });
    result
}

/// `s` escaped, in pieces handed to `out` in order: runs of text and entities.
fn escape_runs(s: &str, mut out: impl FnMut(&str)) {
    // The five are ASCII, so each is one byte and never part of another character: the text
    // between them is copied in runs.
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let with = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out(&s[from..i]);
        out(with);
        from = i + 1;
    }
    out(&s[from..]);
}

/// Text of HTML with its character references decoded: the five that `escape_html` writes,
/// `&nbsp;` and numeric ones (`&#39;`, `&#x2019;`). Anything else is kept as written.
pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let end = rest.find(';').filter(|&e| e <= 10);
        let decoded = end.and_then(|e| {
            let name = &rest[1..e];
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                "nbsp" => Some('\u{a0}'),
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(h) => u32::from_str_radix(h, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code)
                }
            };
            c.map(|c| (c, e))
        });
        match decoded {
            Some((c, e)) => {
                out.push(c);
                rest = &rest[e + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The Markdown dialect of careguide pages: CommonMark plus tables, footnotes, strikethrough,
/// smart punctuation and `{#id}` heading attributes.
pub fn markdown_options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// A 128-bit digest (XXH3): plenty for cache keys, which only need to be stable for one
/// careguide binary (itself part of every key), and fast enough that hashing every page and
/// output file costs little.
pub struct Digest(xxhash_rust::xxh3::Xxh3);

impl Default for Digest {
    fn default() -> Self {
        Self::new()
    }
}

impl Digest {
    pub fn new() -> Self {
        Digest(xxhash_rust::xxh3::Xxh3::new())
    }

    /// Add a field; fields are length-prefixed, so ("ab", "c") and ("a", "bc") differ.
    pub fn field(&mut self, bytes: &[u8]) -> &mut Self {
        self.0.update(&(bytes.len() as u64).to_le_bytes());
        self.0.update(bytes);
        self
    }

    pub fn hex(&self) -> String {
        format!("{:032x}", self.0.digest128())
    }
}

/// The closest candidate by edit distance, if it is close enough to be a likely typo.
pub fn nearest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|(d, c)| *d <= (c.len().max(word.len()) / 3).max(2))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// Write `bytes` to `path` in one step: through a new temporary file beside it (a random name,
/// created exclusively, never through a link planted there, readable by the owner only), then
/// renamed over `path`, so a reader sees the old file or the new one, never a part. `sync`
/// flushes it to the disk first (a patient's handout; not the build cache, whose thousands of
/// files a lost write only makes a build redo). The file is left readable by its owner only.
pub fn write_atomic(path: &Path, bytes: &[u8], sync: bool) -> std::io::Result<()> {
    write_atomic_mode(path, bytes, sync, 0o600)
}

/// [`write_atomic`], the file given the permission bits `mode` (`0o640`) before it takes the
/// place of `path`, whatever the process's umask; until then the temporary file is the owner's
/// only. (On systems without Unix permissions `mode` is not used.)
pub fn write_atomic_mode(path: &Path, bytes: &[u8], sync: bool, mode: u32) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // tempfile opens with O_CREAT | O_EXCL (a link planted at the name fails the open, and
    // another random name is tried) and mode 0600.
    let mut tmp = tempfile::Builder::new()
        .prefix(".careguide-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode & 0o777))?;
    }
    #[cfg(not(unix))]
    let _ = mode;
    if sync {
        tmp.as_file().sync_all()?;
    }
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// What a file system entry is, when it is not a regular file careguide can read: a FIFO, a
/// device or a socket (reading one would wait forever, or never end), or a folder.
pub fn not_regular(kind: &std::fs::FileType) -> Option<&'static str> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    if kind.is_dir() {
        return Some("a folder");
    }
    if kind.is_file() {
        return None;
    }
    Some("not a file")
}

fn check_regular(kind: &std::fs::FileType) -> std::io::Result<()> {
    match not_regular(kind) {
        None => Ok(()),
        Some(what) => Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("not a regular file: it is {what}; careguide reads regular files only"),
        )),
    }
}

/// Open a file the site reads, refusing anything but a regular file (after following links):
/// a FIFO named like a page would otherwise hang the build, a device never end it. The type is
/// checked before opening, and the file is opened without waiting (`O_NONBLOCK`, which does
/// nothing to a regular file) and checked again, so one swapped in meanwhile cannot hang it
/// either.
pub fn open_regular(path: &Path) -> std::io::Result<std::fs::File> {
    check_regular(&std::fs::metadata(path)?.file_type())?;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(rustix::fs::OFlags::NONBLOCK.bits() as i32);
    }
    let file = options.open(path)?;
    check_regular(&file.metadata()?.file_type())?;
    Ok(file)
}

/// `std::fs::read` for the files the site reads: regular files only (see [`open_regular`]).
pub fn read_file(path: &Path) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let mut file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.read_to_end(&mut bytes)?;
    Ok(bytes)
}

/// `std::fs::read_to_string` for the files the site reads: regular files only (see
/// [`open_regular`]).
pub fn read_file_to_string(path: &Path) -> std::io::Result<String> {
    // The message std::fs::read_to_string gives.
    String::from_utf8(read_file(path)?).map_err(|_| {
        std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        )
    })
}

/// Whether an I/O error is a loop of symbolic links (`ELOOP`), not a link to nothing.
pub fn is_symlink_loop(e: &std::io::Error) -> bool {
    #[cfg(unix)]
    {
        e.raw_os_error() == Some(rustix::io::Errno::LOOP.raw_os_error())
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        false
    }
}

/// A link or image URL careguide writes into a page as it is: relative (no scheme), or http,
/// https, mailto or tel; nothing a browser would strip (controls, spaces) that could hide a
/// scheme. The one allowlist for Markdown links, raw HTML, configuration and front matter.
pub fn safe_url(url: &str) -> bool {
    if url.bytes().any(|b| b.is_ascii_control() || b == b' ') {
        return false;
    }
    let end = url.find(['/', '?', '#']).unwrap_or(url.len());
    match url[..end].split_once(':') {
        None => true,
        Some((scheme, _)) => SAFE_SCHEMES.iter().any(|s| scheme.eq_ignore_ascii_case(s)),
    }
}

/// The schemes [`safe_url`] lets through.
pub const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// Why [`safe_url`] refuses `url`, in words for a diagnostic; `None` when it is safe.
pub fn url_problem(url: &str) -> Option<String> {
    if safe_url(url) {
        return None;
    }
    if let Some(c) = url.chars().find(|c| c.is_ascii_control() || *c == ' ') {
        let what = match c {
            ' ' => "a space".to_string(),
            '\t' => "a tab".to_string(),
            '\n' | '\r' => "a line break".to_string(),
            c => format!("the control character U+{:04X}", c as u32),
        };
        return Some(format!(
            "{what}, which a browser drops and which can hide the kind of link it is"
        ));
    }
    let end = url.find(['/', '?', '#']).unwrap_or(url.len());
    let scheme = url[..end].split_once(':').map_or("", |(s, _)| s);
    Some(format!(
        "the scheme '{scheme}:', which can run script or load content in the reader's browser; only {} and relative links are allowed",
        SAFE_SCHEMES.join(", ")
    ))
}

/// The URL name of a topic (`Substance use` -> `substance-use`): letters and digits in lower
/// case, words joined by '-', accented Latin letters without their accents (`Café` -> `cafe`,
/// `Straße` -> `strasse`); letters of other scripts are kept. `None` when the name has no
/// letter or digit (`""`, `"..."`, an emoji): such a topic would have no page of its own.
pub fn topic_slug(name: &str) -> Option<String> {
    let out = dash_words(name.chars().flat_map(|c| {
        let latin = (!c.is_ascii()).then(|| latin_letter(c)).flatten();
        latin
            .unwrap_or_else(|| c.to_string())
            .chars()
            .collect::<Vec<_>>()
    }));
    (!out.is_empty()).then_some(out)
}

/// Letters and digits in lower case, each run of anything else one '-' between words (none
/// at the ends): the shape of heading anchors and topic names in URLs.
pub fn dash_words(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in chars {
        if c.is_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.extend(c.to_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// An accented or joined Latin letter in ASCII (`é` -> `e`, `ß` -> `ss`, `ﬁ` -> `fi`): its
/// compatibility decomposition without the combining marks, when that is all ASCII, else a
/// small table of the letters that do not decompose.
fn latin_letter(c: char) -> Option<String> {
    use unicode_normalization::char::{decompose_compatible, is_combining_mark};
    let mut base = String::new();
    let mut ascii = true;
    decompose_compatible(c, |d| {
        if d.is_ascii() {
            base.push(d);
        } else if !is_combining_mark(d) {
            ascii = false;
        }
    });
    if ascii && !base.is_empty() && base != c.to_string() {
        return Some(base);
    }
    let s = match c {
        'ß' => "ss",
        'ẞ' => "SS",
        'æ' => "ae",
        'Æ' => "AE",
        'œ' => "oe",
        'Œ' => "OE",
        'ø' => "o",
        'Ø' => "O",
        'ł' => "l",
        'Ł' => "L",
        'đ' | 'ð' => "d",
        'Đ' | 'Ð' => "D",
        'þ' => "th",
        'Þ' => "TH",
        'ı' => "i",
        _ => return None,
    };
    Some(s.to_string())
}

/// The text of every Markdown file under `dirs` of this repository (the sample site's pages,
/// the fixtures' pages), for tests that compare two readings of real pages.
#[cfg(test)]
pub(crate) fn repository_markdown(dirs: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut texts = Vec::new();
    for dir in dirs {
        for e in walkdir::WalkDir::new(root.join(dir)).into_iter().flatten() {
            if e.path().extension().is_some_and(|x| x == "md") {
                if let Ok(t) = std::fs::read_to_string(e.path()) {
                    texts.push(t);
                }
            }
        }
    }
    texts
}

#[cfg(test)]
mod tests {
    #[test]
    fn replace_all_is_str_replace() {
        let cases = [
            ("", "a", "b"),
            ("aaaa", "aa", "x"),
            ("aaa", "aa", ""),
            ("href=\"@r@a\" src=\"@r@b\"", "@r@", "../"),
            ("no match here", "@r@", "../"),
            (
                "\u{FDD0}ab\u{FDD1}/x \u{FDD0}ab\u{FDD1}",
                "\u{FDD0}ab\u{FDD1}",
                "./",
            ),
            ("ends with @r@", "@r@", "long replacement"),
            ("abc", "", "-"),
        ];
        for (s, from, to) in cases {
            assert_eq!(
                replace_all(s, from, to),
                s.replace(from, to),
                "{s:?} {from:?}"
            );
        }
    }

    use super::*;

    #[test]
    fn escape_html_replaces_the_five_and_keeps_the_rest() {
        assert_eq!(
            escape_html("a<b>&\"c\"'d' é – 😀<"),
            "a&lt;b&gt;&amp;&quot;c&quot;&#39;d&#39; é – 😀&lt;"
        );
        assert_eq!(escape_html(""), "");
        assert_eq!(escape_html("plain"), "plain");
        assert_eq!(escape_html("&&"), "&amp;&amp;");
    }

    #[test]
    fn atomic_writes_replace_the_file_whole_and_leave_nothing_beside_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("handout.pdf");
        std::fs::write(&path, b"old").unwrap();
        write_atomic(&path, b"new", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "a temporary file was left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "readable by others: {mode:o}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_link_at_the_destination_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let elsewhere = dir.path().join("elsewhere");
        std::fs::write(&elsewhere, b"untouched").unwrap();
        let path = dir.path().join("out.pdf");
        std::os::unix::fs::symlink(&elsewhere, &path).unwrap();
        write_atomic(&path, b"new", false).unwrap();
        assert_eq!(std::fs::read(&elsewhere).unwrap(), b"untouched");
        assert!(!std::fs::symlink_metadata(&path)
            .unwrap()
            .file_type()
            .is_symlink());
    }

    #[cfg(unix)]
    #[test]
    fn a_mode_is_given_whatever_the_umask() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("h.pdf");
        write_atomic_mode(&path, b"x", false, 0o640).unwrap();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
    }

    #[cfg(unix)]
    #[test]
    fn only_regular_files_are_read() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("x.md");
        rustix::fs::mknodat(
            rustix::fs::CWD,
            &fifo,
            rustix::fs::FileType::Fifo,
            rustix::fs::Mode::from_raw_mode(0o600),
            0,
        )
        .unwrap();
        let e = read_file(&fifo).unwrap_err().to_string();
        assert!(
            e.contains("not a regular file") && e.contains("FIFO"),
            "{e}"
        );
        // Through a link too.
        let link = dir.path().join("y.md");
        std::os::unix::fs::symlink(&fifo, &link).unwrap();
        assert!(read_file_to_string(&link).is_err());
        let e = read_file(Path::new("/dev/null")).unwrap_err().to_string();
        assert!(e.contains("a device"), "{e}");
        assert!(read_file(dir.path())
            .unwrap_err()
            .to_string()
            .contains("a folder"));
        std::fs::write(dir.path().join("ok.md"), "text").unwrap();
        assert_eq!(
            read_file_to_string(&dir.path().join("ok.md")).unwrap(),
            "text"
        );
        // A loop of links is told apart from a link to nothing.
        std::os::unix::fs::symlink("b", dir.path().join("a")).unwrap();
        std::os::unix::fs::symlink("a", dir.path().join("b")).unwrap();
        assert!(is_symlink_loop(
            &std::fs::metadata(dir.path().join("a")).unwrap_err()
        ));
        std::os::unix::fs::symlink("nowhere", dir.path().join("c")).unwrap();
        assert!(!is_symlink_loop(
            &std::fs::metadata(dir.path().join("c")).unwrap_err()
        ));
    }

    #[test]
    fn one_url_allowlist() {
        for ok in [
            "https://clinic.example.org/",
            "HTTP://x.org",
            "mailto:a@b.org",
            "tel:+15550100",
            "/about/",
            "../page/",
            "#top",
            "page?x=a:b",
        ] {
            assert!(safe_url(ok), "{ok}");
            assert_eq!(url_problem(ok), None);
        }
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "data:text/html,<script>",
            "vbscript:msgbox(1)",
            "https://x.org/\u{0}",
        ] {
            assert!(!safe_url(bad), "{bad:?}");
            assert!(url_problem(bad).is_some(), "{bad:?}");
        }
        assert!(url_problem("data:x").unwrap().contains("'data:'"));
        assert!(url_problem(" javascript:x").unwrap().starts_with("a space"));
    }

    #[test]
    fn topic_slugs() {
        assert_eq!(
            topic_slug("Substance use").as_deref(),
            Some("substance-use")
        );
        assert_eq!(topic_slug("Kratom & co").as_deref(), Some("kratom-co"));
        assert_eq!(topic_slug("Café").as_deref(), Some("cafe"));
        assert_eq!(
            topic_slug("Ärzte, Straße").as_deref(),
            Some("arzte-strasse")
        );
        assert_eq!(topic_slug("Œuvre ﬁne").as_deref(), Some("oeuvre-fine"));
        assert_eq!(topic_slug("Здоровье").as_deref(), Some("здоровье"));
        for none in ["", "...", "🙂", " - ", "🙂🙂"] {
            assert_eq!(topic_slug(none), None, "{none:?}");
        }
    }

    #[test]
    fn nearest_finds_typos_only() {
        let c = ["patient", "caregiver", "clinician"];
        assert_eq!(nearest("pateint", c), Some("patient"));
        assert_eq!(nearest("clinican", c), Some("clinician"));
        assert_eq!(nearest("zebra", c), None);
    }
}
