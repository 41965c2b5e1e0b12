//! hayagriva's own YAML bibliography format.

use std::path::Path;

use super::{from_hayagriva, origin, unknown_type, Loaded};
use crate::diag::Diagnostic;

/// Byte offset of the top-level key `id:` (a line starting with it), if found.
fn key_offset(text: &str, id: &str) -> Option<usize> {
    let mut off = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim_end();
        let bare = l.strip_suffix(':').map(|k| k.trim_matches(['"', '\'']));
        if !line.starts_with([' ', '\t', '#']) && bare == Some(id) {
            return Some(off);
        }
        off += line.len();
    }
    None
}

pub(super) fn read(text: &str, file: &Path) -> Loaded {
    let mut out = Loaded::default();
    if text.trim().is_empty() {
        return out;
    }
    let lib = match hayagriva::io::from_yaml_str(text) {
        Ok(l) => l,
        Err(e) => {
            let (line, col) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            let msg = e.to_string();
            // serde_yaml appends " at line L column C"; the location is given separately.
            let msg = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            out.diags.push(
                Diagnostic::error(
                    "cite/bibliography-syntax",
                    format!("cannot read the hayagriva YAML bibliography: {msg}"),
                )
                .at(file, line, col)
                .hint("each entry is `key:` at the start of a line, with `type:`, `title:`, `author:` ... indented below it"),
            );
            return out;
        }
    };
    for entry in lib.iter() {
        let off = key_offset(text, entry.key()).unwrap_or(0);
        let o = origin(file, text, off);
        if entry.key().trim().is_empty() {
            // Found by fuzzing: a key that is only a YAML anchor (`&a:`) is empty.
            out.diags.push(
                Diagnostic::error("cite/bad-entry", "this bibliography entry has an empty key")
                    .at(file, o.line, o.column)
                    .hint("start each entry with its citation key, as in `smith2020:`"),
            );
            continue;
        }
        let (r, unknown) = from_hayagriva(entry, o.clone());
        if let Some(t) = unknown {
            out.diags.push(unknown_type(file, &o, entry.key(), &t));
        }
        out.refs.push(r);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_entries_with_lines_and_identifiers() {
        let y = "# refs\nweiss2021:\n  type: article\n  title: Treatment of Kratom Withdrawal\n  author: [\"Weiss, Stephen T.\", \"Douglas, Heather E.\"]\n  date: 2021\n  page-range: 167-172\n  serial-number:\n    doi: 10.1097/ADM.0000000000000721\n    pmid: \"32909981\"\n  parent:\n    type: periodical\n    title:\n      value: Journal of Addiction Medicine\n      short: J Addict Med\n    volume: 15\n    issue: 2\nwho:\n  type: report\n  title: Guidelines\n  organization: World Health Organization\n  date: 2020\n";
        let l = read(y, Path::new("refs.yaml"));
        assert!(l.diags.is_empty(), "{:?}", l.diags);
        let r = &l.refs[0];
        assert_eq!(r.origin.line, 2);
        assert_eq!(r.authors, vec!["Weiss ST", "Douglas HE"]);
        assert_eq!(r.container.as_deref(), Some("J Addict Med"));
        assert_eq!(
            r.container_full.as_deref(),
            Some("Journal of Addiction Medicine")
        );
        assert_eq!(r.volume.as_deref(), Some("15"));
        assert_eq!(r.issue.as_deref(), Some("2"));
        assert_eq!(r.pmid.as_deref(), Some("32909981"));
        assert_eq!(r.doi.as_deref(), Some("10.1097/ADM.0000000000000721"));
        assert_eq!(l.refs[1].origin.line, 18);
        assert_eq!(
            l.refs[1].organization.as_deref(),
            Some("World Health Organization")
        );
    }

    #[test]
    fn syntax_errors_have_a_line() {
        let l = read(
            "a:\n  type: article\n  title: [unclosed\n",
            Path::new("r.yaml"),
        );
        assert_eq!(l.diags[0].rule, "cite/bibliography-syntax");
        assert!(l.diags[0].line >= 3, "{:?}", l.diags[0]);
    }
}
