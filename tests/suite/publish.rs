//! The real binary builds the good fixture (copied to a temporary folder) and writes the
//! publishing files: sitemap, robots.txt, feed, search index and page, each parseable, with
//! every sitemap address pointing at a page that was written.

use std::fs;
use std::path::Path;

use crate::support::{careguide, fixture_site, RunExt};

fn build(root: &Path, out: &Path) {
    let r = careguide(["build", "--root"])
        .arg(root)
        .arg("--out")
        .arg(out)
        .no_date()
        .run();
    assert!(r.code == 0, "build failed: {}{}", r.stdout, r.stderr);
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Tags balanced and nested, one root, no bare `&` or `<` in text: enough to catch a broken
/// writer without an XML library.
fn well_formed(xml: &str) -> Result<(), String> {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .ok_or("no XML declaration")?;
    let mut stack = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    while let Some(i) = rest.find(['<', '&']) {
        rest = &rest[i..];
        if rest.starts_with('&') {
            let end = rest.find(';').ok_or("bare &")?;
            let name = &rest[1..end];
            if !(["amp", "lt", "gt", "quot", "apos"].contains(&name) || name.starts_with('#')) {
                return Err(format!("unknown entity &{name};"));
            }
            rest = &rest[end + 1..];
            continue;
        }
        let end = rest.find('>').ok_or("unterminated tag")?;
        let tag = &rest[1..end];
        rest = &rest[end + 1..];
        if tag.contains('<') {
            return Err(format!("< inside <{tag}>"));
        }
        if let Some(name) = tag.strip_prefix('/') {
            if stack.pop() != Some(name.to_string()) {
                return Err(format!("misplaced </{name}>"));
            }
        } else {
            if stack.is_empty() {
                roots += 1;
            }
            if !tag.ends_with('/') {
                let name = tag.split_whitespace().next().unwrap_or_default();
                stack.push(name.to_string());
            }
        }
    }
    if !stack.is_empty() || roots != 1 {
        return Err(format!("unclosed {stack:?} or {roots} roots"));
    }
    Ok(())
}

#[test]
fn build_writes_sitemap_robots_feed_and_search() {
    let (dir, root) = fixture_site("good");
    let out = dir.path().join("out");
    build(&root, &out);

    let sitemap = read(&out.join("sitemap.xml"));
    well_formed(&sitemap).unwrap_or_else(|e| panic!("sitemap.xml: {e}\n{sitemap}"));
    let base = "https://fixture.example.org/";
    let locs: Vec<&str> = sitemap
        .split("<loc>")
        .skip(1)
        .filter_map(|s| s.split("</loc>").next())
        .collect();
    assert!(locs.len() >= 5, "{sitemap}");
    for loc in &locs {
        let rel = loc
            .strip_prefix(base)
            .unwrap_or_else(|| panic!("{loc} is not under {base}"));
        assert!(!rel.starts_with("_editorial"), "{loc}");
        assert!(
            out.join(rel).join("index.html").is_file(),
            "{loc} has no page in the output"
        );
    }
    assert!(locs.contains(&"https://fixture.example.org/good-page/clinician/"));
    assert!(sitemap.contains("<lastmod>2025-10-07</lastmod>"));

    let robots = read(&out.join("robots.txt"));
    assert!(
        robots.contains("Sitemap: https://fixture.example.org/sitemap.xml"),
        "{robots}"
    );

    let feed = read(&out.join("feed.xml"));
    well_formed(&feed).unwrap_or_else(|e| panic!("feed.xml: {e}\n{feed}"));
    assert!(feed.contains("<feed xmlns=\"http://www.w3.org/2005/Atom\""));
    // The feed is dated by its newest page, never by the clock.
    assert!(
        feed.contains("<updated>2025-10-07T00:00:00Z</updated>"),
        "{feed}"
    );
    assert_eq!(feed.matches("<entry>").count(), 2, "{feed}");

    let index = read(&out.join("search/index.js"));
    let json = index
        .strip_prefix("self.careguideSearch=")
        .and_then(|s| s.trim_end().strip_suffix(';'))
        .unwrap_or_else(|| panic!("search/index.js: unexpected wrapper: {index}"));
    let v: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("search index is not JSON: {e}"));
    let pages = v["p"].as_array().cloned().unwrap_or_default();
    assert_eq!(pages.len(), 2);
    assert!(pages
        .iter()
        .any(|p| p["t"] == "A good page" && p["s"] == "Approved"));
    let html = read(&out.join("search/index.html"));
    assert!(html.contains("<script src=\"index.js\"></script>"));
    assert!(html.contains("assets/search.js"));
    assert!(out.join("assets/search.js").is_file());
    // Every page has the search form in its header.
    assert!(read(&out.join("good-page/index.html")).contains("search/index.html"));
}

#[test]
fn publishing_files_are_identical_across_builds_and_escape_titles() {
    let (dir, root) = fixture_site("good");
    let page = root.join("content/good-page.md");
    let text = read(&page).replace(
        "title: A good page",
        "title: \"Risks & <script>alert('x')</script> benefits\"",
    );
    fs::write(&page, text).expect("edit the copy");
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    build(&root, &a);
    build(&root, &b);
    for f in [
        "sitemap.xml",
        "robots.txt",
        "feed.xml",
        "search/index.js",
        "search/index.html",
    ] {
        assert_eq!(
            read(&a.join(f)),
            read(&b.join(f)),
            "{f} differs between builds"
        );
    }
    let feed = read(&a.join("feed.xml"));
    well_formed(&feed).unwrap_or_else(|e| panic!("feed.xml: {e}\n{feed}"));
    assert!(feed.contains("Risks &amp; &lt;script&gt;alert(&apos;x&apos;)&lt;/script&gt; benefits"));
    assert!(!read(&a.join("search/index.html")).contains("<script>alert"));
}
