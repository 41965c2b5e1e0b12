//! Hostile content comes out inert: a site whose title, summary, reviewer names, reference
//! fields, glossary definitions, audience labels and body carry `<script>`, `"><img onerror=..>`,
//! `javascript:` URLs and `</script>` is built with the real binary, and every file written is
//! scanned for anything a browser would run.

use std::path::Path;

use crate::support::{careguide, files_under, fixture_site, Run, RunExt, JAN_15_2026};

fn build(root: &Path) -> Run {
    careguide(["build", "--root"])
        .arg(root)
        .args(["--format", "json"])
        .date(JAN_15_2026)
        .run()
        .no_panic()
}

/// The attributes of one start tag (lower case), quoted values unquoted.
fn attributes(tag: &str) -> Vec<(String, String)> {
    let b: Vec<char> = tag
        .trim_start_matches('<')
        .trim_end_matches('>')
        .chars()
        .collect();
    let mut i = b.iter().take_while(|c| !c.is_whitespace()).count();
    let mut out = Vec::new();
    while i < b.len() {
        while i < b.len() && (b[i].is_whitespace() || b[i] == '/') {
            i += 1;
        }
        let start = i;
        while i < b.len() && !b[i].is_whitespace() && b[i] != '=' && b[i] != '/' {
            i += 1;
        }
        let name: String = b[start..i].iter().collect();
        let mut value = String::new();
        while i < b.len() && b[i].is_whitespace() {
            i += 1;
        }
        if i < b.len() && b[i] == '=' {
            i += 1;
            while i < b.len() && b[i].is_whitespace() {
                i += 1;
            }
            if i < b.len() && (b[i] == '"' || b[i] == '\'') {
                let q = b[i];
                i += 1;
                while i < b.len() && b[i] != q {
                    value.push(b[i]);
                    i += 1;
                }
                i += 1;
            } else {
                while i < b.len() && !b[i].is_whitespace() {
                    value.push(b[i]);
                    i += 1;
                }
            }
        }
        if !name.is_empty() {
            out.push((name, value));
        }
    }
    out
}

/// Every problem a browser would act on in one HTML document.
fn live_script(html: &str, editorial: bool) -> Vec<String> {
    let mut found = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut pos = 0;
    while let Some(i) = lower[pos..].find('<') {
        let start = pos + i;
        let end = lower[start..]
            .find('>')
            .map_or(lower.len(), |e| start + e + 1);
        let tag = &lower[start..end];
        pos = end;
        let name: String = tag[1..]
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect();
        for (attr, value) in attributes(tag) {
            if attr.starts_with("on") {
                found.push(format!("event handler {attr} in {tag}"));
            }
            let v: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect();
            if v.starts_with("javascript:")
                || v.starts_with("vbscript:")
                || v.starts_with("data:text/html")
            {
                found.push(format!("script URL in {tag}"));
            }
        }
        if [
            "iframe", "svg", "object", "embed", "base", "math", "frame", "frameset",
        ]
        .contains(&name.as_str())
        {
            found.push(format!("element {tag}"));
        }
        if name == "style" {
            let close = lower[end..]
                .find("</style")
                .map_or(lower.len(), |c| end + c);
            if lower[end..close].contains("alert") {
                found.push("content in a style element".to_string());
            }
            pos = close;
        }
        if name == "script" {
            let close = lower[end..]
                .find("</script")
                .map_or(lower.len(), |c| end + c);
            let body = &html[end..close];
            if tag.starts_with("<script type=\"application/ld+json\">") {
                if body.contains('<') {
                    found.push(format!("'<' inside JSON-LD: {body}"));
                }
                if serde_json::from_str::<serde_json::Value>(body).is_err() {
                    found.push(format!("JSON-LD does not parse: {body}"));
                }
            } else if tag.contains(" src=") {
                if !body.trim().is_empty() {
                    found.push(format!("external script with a body: {body}"));
                }
            } else if !(editorial && tag == "<script>" && !body.contains("alert")) {
                found.push(format!("inline script {tag}{body}"));
            }
            pos = close;
        }
    }
    found
}

#[test]
fn hostile_content_comes_out_inert() {
    let (_tmp, root) = fixture_site("hostile");
    let out = build(&root);
    assert_eq!(out.code, 0, "{}", out.stdout);
    let all = files_under(&root.join("output"));
    let mut problems = Vec::new();
    let mut pages = 0;
    for f in &all {
        let rel = f
            .strip_prefix(root.join("output"))
            .unwrap()
            .display()
            .to_string();
        let bytes = std::fs::read(f).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        match f.extension().and_then(|e| e.to_str()) {
            Some("html") => {
                pages += 1;
                for p in live_script(&text, rel.starts_with("_editorial")) {
                    problems.push(format!("{rel}: {p}"));
                }
            }
            Some("xml") => {
                // Feeds and sitemaps: every hostile character is escaped as XML.
                let lower = text.to_ascii_lowercase();
                for bad in ["<script", "<img", "<iframe"] {
                    if lower.contains(bad) {
                        problems.push(format!("{rel}: {bad}"));
                    }
                }
            }
            Some("js") if rel == "search/index.js" => {
                // The search index is data: one JSON object assigned to a global.
                let json = text
                    .trim()
                    .strip_prefix("self.careguideSearch=")
                    .map(|s| s.trim_end_matches(';'));
                match json.map(serde_json::from_str::<serde_json::Value>) {
                    Some(Ok(_)) => {}
                    _ => problems.push(format!("{rel} is not one JSON assignment")),
                }
            }
            Some("js") => {
                // careguide's own script must never turn index text into markup.
                for bad in [
                    "innerHTML",
                    "outerHTML",
                    "insertAdjacentHTML",
                    "document.write",
                    "eval(",
                ] {
                    if text.contains(bad) {
                        problems.push(format!("{rel}: uses {bad}"));
                    }
                }
            }
            _ => {}
        }
    }
    assert!(pages >= 5, "{all:?}");
    assert!(problems.is_empty(), "{problems:#?}");
    // The hostile text is kept as visible text, escaped, not silently lost.
    let page = std::fs::read_to_string(root.join("output/evil/index.html")).unwrap();
    assert!(page.contains("&lt;script&gt;alert("), "title escaped");
    assert!(
        page.contains("raw link"),
        "the sanitized link keeps its text"
    );
    assert!(
        page.contains("href=\"https://example.org/\""),
        "safe links stay"
    );
    let patient = std::fs::read_to_string(root.join("output/evil/patient/index.html")).unwrap();
    assert!(
        patient.contains("<dfn class=\"gloss-term\">"),
        "glossary markup stays"
    );
    assert!(patient.contains("class=\"cite\""), "citation markup stays");
}

#[test]
fn a_site_can_widen_the_allowlist_but_never_to_script() {
    let (_tmp, root) = fixture_site("hostile");
    let config = root.join("careguide.toml");
    let base = std::fs::read_to_string(&config).unwrap();
    std::fs::write(
        root.join("content/evil.md"),
        std::fs::read_to_string(root.join("content/evil.md")).unwrap()
            + "\n<video controls onplay=\"alert('video')\" src=\"clip.mp4\"></video>\n",
    )
    .unwrap();
    std::fs::write(
        &config,
        format!("{base}\n[html]\nallow_tags = [\"video\"]\nallow_attributes = {{ video = [\"controls\", \"src\"] }}\n"),
    )
    .unwrap();
    assert_eq!(build(&root).code, 0);
    let page = std::fs::read_to_string(root.join("output/evil/index.html")).unwrap();
    assert!(
        page.contains("<video controls=\"\" src=\"clip.mp4\"></video>"),
        "{page}"
    );
    let found = live_script(&page, false);
    assert!(found.is_empty(), "{found:#?}");

    std::fs::write(
        &config,
        format!("{base}\n[html]\nallow_tags = [\"script\"]\nallow_attributes = {{ img = [\"onerror\"] }}\n"),
    )
    .unwrap();
    let out = build(&root);
    assert_eq!(out.code, 2);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    let rules: Vec<&str> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["rule"].as_str())
        .collect();
    assert_eq!(rules, ["config/html", "config/html"], "{v:#}");
}
