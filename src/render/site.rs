//! Stage 5: the Tera templates. The defaults in `templates/` are compiled into the binary; a
//! site's own `templates/NAME` replaces the default of that name.

use std::collections::BTreeMap;

use serde::Serialize;
use tera::Context;

use crate::cite::scan::strip_citations;
use crate::content::frontmatter::ReviewStatus;
use crate::content::Document;
use crate::diag::Diagnostic;
use crate::i18n::Strings;
use crate::model::{Site, Variant};
use crate::render::markdown::anchor;
pub use crate::render::templates::Templates;
use crate::types::OutputFile;

/// Element ids the templates use; body headings never take them.
pub const RESERVED_IDS: &[&str] = &[
    "main",
    "summary",
    "toc",
    "review",
    "references",
    "disclaimer",
    "audience",
    "content",
];

#[derive(Serialize)]
struct SiteCtx<'a> {
    title: &'a str,
    clinic: &'a str,
    language: &'a str,
    base_url: &'a str,
    contact: &'a crate::config::Contact,
}

impl<'a> SiteCtx<'a> {
    fn of(config: &'a crate::config::Config) -> Self {
        Self::in_lang(config, &config.language)
    }

    /// The site as a page in `lang` shows it: its title in that language when one is given.
    fn in_lang(config: &'a crate::config::Config, lang: &str) -> Self {
        SiteCtx {
            title: config.title_in(lang),
            clinic: &config.clinic,
            language: &config.language,
            base_url: &config.base_url,
            contact: &config.contact,
        }
    }
}

#[derive(Serialize)]
struct Step {
    label: String,
    state: &'static str,
}

#[derive(Serialize)]
struct TopicLink {
    name: String,
    url: String,
}

#[derive(Serialize)]
struct PageCtx<'a> {
    title: &'a str,
    heading: &'a str,
    question: Option<&'a str>,
    summary_html: String,
    path: &'a str,
    url: String,
    status: &'static str,
    status_label: String,
    approved: bool,
    reviewers: &'a [String],
    last_reviewed: Option<&'a str>,
    last_reviewed_iso: Option<String>,
    next_review: Option<&'a str>,
    next_review_iso: Option<String>,
    updated: &'a str,
    updated_iso: String,
    topics: Vec<TopicLink>,
    steps: Vec<Step>,
}

/// A version of the page in one language, for the language switcher and the `hreflang`
/// alternates (issue 18).
#[derive(Serialize)]
struct LangLink<'a> {
    id: &'a str,
    label: &'a str,
    /// Relative to the page, naming the file (`.../index.html`).
    url: String,
    /// Absolute, for `<link rel="alternate" hreflang>`.
    href: String,
    current: bool,
}

#[derive(Serialize)]
struct AudienceLink<'a> {
    id: &'a str,
    label: &'a str,
    url: String,
    current: bool,
}

/// One reference-list entry. `html` is the formatted entry with its DOI, PubMed and PMC links.
#[derive(Serialize)]
struct RefCtx {
    number: usize,
    id: String,
    html: String,
    doi: Option<String>,
    pmid: Option<String>,
    backlink: String,
}

#[derive(Serialize)]
struct ListEntry {
    title: String,
    url: String,
    status: &'static str,
    status_label: String,
    updated: String,
    updated_iso: String,
    summary: String,
    /// The page's translations, for readers of those languages (lists show the default
    /// language's pages).
    versions: Vec<VersionLink>,
    /// The page's language, on a translation language's lists that show a page not yet
    /// translated into it; none on the default language's.
    #[serde(skip_serializing_if = "Option::is_none")]
    lang: Option<String>,
    /// The language's name in itself, with `lang`.
    #[serde(skip_serializing_if = "Option::is_none")]
    lang_label: Option<String>,
}

/// A link to a page's version in another language.
#[derive(Serialize)]
struct VersionLink {
    id: String,
    label: String,
    url: String,
}

#[derive(Serialize)]
struct TopicCtx {
    /// The topic as the pages name it (in the default language): its URL's slug.
    #[serde(skip)]
    key: String,
    name: String,
    url: String,
    pages: Vec<ListEntry>,
    /// On a translation language's lists: the topic's pages not translated into it, linked in
    /// their original language.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    others: Vec<ListEntry>,
}

/// Relative prefix from a page at `dir` (no slashes around) to the site root.
fn root_prefix(dir: &str) -> String {
    if dir.is_empty() {
        String::new()
    } else {
        "../".repeat(dir.split('/').count())
    }
}

fn review_steps(status: ReviewStatus, words: &Strings) -> Vec<Step> {
    let steps = [
        ReviewStatus::Submitted,
        ReviewStatus::UnderReview,
        ReviewStatus::Approved,
    ];
    steps
        .iter()
        .map(|s| Step {
            label: words.status(s.id()),
            state: if status == ReviewStatus::Approved || *s < status {
                "done"
            } else if *s == status {
                "current"
            } else {
                "todo"
            },
        })
        .collect()
}

/// A topic's page, from the site root. Links name the file (`.../index.html`), not the
/// folder: a site opened from disk (`file://`) shows a folder as a listing. A name that gives
/// no URL is refused when the page is parsed.
fn topic_url(topic: &str) -> String {
    let slug = crate::util::topic_slug(topic).unwrap_or_else(|| anchor(topic));
    format!("topics/{slug}/index.html")
}

/// A page's dates as its language writes them (`November 28, 2026`), made once for all its
/// variants.
struct PageDates {
    updated: String,
    last_reviewed: Option<String>,
    next_review: Option<String>,
}

impl PageDates {
    fn of(doc: &Document, words: &Strings) -> PageDates {
        let r = &doc.front.review;
        PageDates {
            updated: words.date_long(doc.front.updated),
            last_reviewed: r.last_reviewed.map(|d| words.date_long(d)),
            next_review: r.next_review.map(|d| words.date_long(d)),
        }
    }
}

fn page_ctx<'a>(
    config: &crate::config::Config,
    doc: &'a Document,
    dates: &'a PageDates,
    root: &str,
    summary_html: String,
    words: &Strings,
) -> PageCtx<'a> {
    // A translation's topics are named in its language and lead to its language's topic pages.
    let prefix = config.lang_prefix(&doc.lang);
    let r = &doc.front.review;
    PageCtx {
        title: &doc.front.title,
        heading: doc.heading(),
        question: doc.front.question.as_deref(),
        summary_html,
        path: &doc.path,
        url: format!("{root}{}/index.html", doc.path),
        status: r.status.id(),
        status_label: words.status(r.status.id()),
        approved: doc.is_approved(),
        reviewers: &r.reviewers,
        last_reviewed: dates.last_reviewed.as_deref(),
        last_reviewed_iso: r.last_reviewed.map(|d| d.iso()),
        next_review: dates.next_review.as_deref(),
        next_review_iso: r.next_review.map(|d| d.iso()),
        updated: &dates.updated,
        updated_iso: doc.front.updated.iso(),
        topics: doc
            .front
            .topics
            .iter()
            .map(|t| TopicLink {
                name: config.topic_in(t, &doc.lang).to_string(),
                url: format!("{root}{prefix}{}", topic_url(t)),
            })
            .collect(),
        steps: review_steps(r.status, words),
    }
}

/// Render every page variant, the index and the topic pages into output files.
pub fn render_site(
    site: &Site,
    variants: &[Vec<Variant>],
    t: &Templates,
    today: crate::types::Date,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    use rayon::prelude::*;
    let pages: Vec<Result<Vec<OutputFile>, Vec<Diagnostic>>> = site
        .pages
        .par_iter()
        .zip(variants)
        .map(|(doc, vs)| render_page(site, doc, vs, t, today, false))
        .collect();
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for r in pages {
        match r {
            Ok(f) => files.extend(f),
            Err(d) => problems.extend(d),
        }
    }
    match render_lists(site, t) {
        Ok(f) => files.extend(f),
        Err(d) => problems.extend(d),
    }
    match crate::render::publish::extra_files(site, variants, t) {
        Ok(f) => files.extend(f),
        Err(d) => problems.extend(d),
    }
    problems.extend(check_collisions(&mut files));
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

/// The files of one page: one per audience variant, plus `/<path>/index.html` for the default
/// audience.
pub fn render_page(
    site: &Site,
    doc: &Document,
    variants: &[Variant],
    t: &Templates,
    today: crate::types::Date,
    pdf: bool,
) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let config = &site.config;
    // The page's furniture in the page's language (a translation's own).
    let words = t.strings(doc.lang.as_str());
    let shared = PageShared {
        site,
        site_ctx: SiteCtx::in_lang(config, doc.lang.as_str()),
        config,
        doc,
        banner: crate::audience::review::banner(doc, today, &words),
        dates: PageDates::of(doc, &words),
        words,
        pdf,
    };
    // Every variant at /<path>/<audience>/, and the default audience's again at /<path>/.
    let default = variants
        .iter()
        .position(|v| v.audience == config.default_audience)
        .unwrap_or(0);
    // Each variant's JSON-LD, made once: the default page carries the same as its variant's.
    let json_lds: Vec<String> = variants
        .iter()
        .map(|v| {
            let dois: Vec<String> = v.cited.iter().filter_map(|r| r.doi.clone()).collect();
            crate::audience::review::json_ld(doc, config, &v.audience, &dois)
        })
        .collect();
    // With careguide's own page templates, which write `root` only as the start of a URL, the
    // default audience's page is rendered once for both its folders: with a stand-in root
    // that no page can hold (random for each run), replaced by each folder's. Rendering the
    // template again for a folder one level up was a quarter of the templates' time.
    let once = t.builtin_pages();
    let file = |dir: &str, html: String| OutputFile::new(format!("{dir}/index.html"), html.into());
    let render_at = |v: &Variant, json_ld: &str, dir: &str| {
        variant_page(&shared, v, json_ld, &root_prefix(dir), t).map(|html| file(dir, html))
    };
    let mut results: Vec<Result<OutputFile, Diagnostic>> = Vec::with_capacity(variants.len() + 1);
    let mut default_page = None;
    for (i, (v, json_ld)) in variants.iter().zip(&json_lds).enumerate() {
        let dir = format!("{}/{}", doc.path, v.audience);
        if !(once && i == default) {
            results.push(render_at(v, json_ld, &dir));
            continue;
        }
        let token = root_token();
        match variant_page(&shared, v, json_ld, token, t) {
            Ok(html) => {
                let page = |dir: &str| {
                    file(
                        dir,
                        crate::util::replace_all(&html, token, &root_prefix(dir)),
                    )
                };
                results.push(Ok(page(&dir)));
                default_page = Some(Ok(page(&doc.path)));
            }
            Err(d) => results.push(Err(d)),
        }
    }
    if !once {
        default_page = variants
            .get(default)
            .zip(json_lds.get(default))
            .map(|(v, json_ld)| render_at(v, json_ld, &doc.path));
    }
    results.extend(default_page);
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for r in results {
        match r {
            Ok(f) => files.push(f),
            Err(d) => problems.push(d),
        }
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

/// The callouts' labels and the citation links' names (`aria-label="reference 2"`) in the
/// page's language: the Markdown renderer and the citation processor write the English ones
/// (`<p class="callout-label">Note</p>`, see `render::markdown` and `cite::render_citations`;
/// raw HTML cannot carry either, `render::sanitize` keeps only careguide's own).
fn callout_labels(mut html: String, words: &Strings) -> String {
    let cite = words.get("page", "citation_label");
    if cite != "reference" && html.contains(" aria-label=\"reference ") {
        let to = format!(" aria-label=\"{} ", crate::util::escape_html(cite));
        html = html.replace(" aria-label=\"reference ", &to);
    }
    use crate::audience::blocks::Boxed;
    for (b, key) in [
        (Boxed::Note, "note"),
        (Boxed::Warning, "warning"),
        (Boxed::Urgent, "urgent"),
    ] {
        let word = words.get("callout", key);
        if word != b.label() {
            let from = format!("<p class=\"callout-label\">{}</p>", b.label());
            if html.contains(&from) {
                let to = format!(
                    "<p class=\"callout-label\">{}</p>",
                    crate::util::escape_html(word)
                );
                html = html.replace(&from, &to);
            }
        }
    }
    html
}

/// What the variant pages of one page share.
struct PageShared<'a> {
    site: &'a Site,
    site_ctx: SiteCtx<'a>,
    config: &'a crate::config::Config,
    doc: &'a Document,
    banner: Option<crate::audience::review::Banner>,
    /// The words the templates write, in the page's language.
    words: Strings,
    dates: PageDates,
    /// The page has PDFs to link to.
    pdf: bool,
}

/// A stand-in for `root` that no page holds: two noncharacters around 128 random bits, drawn
/// once per run.
fn root_token() -> &'static str {
    static TOKEN: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    TOKEN.get_or_init(|| {
        use std::hash::BuildHasher;
        let keys = std::collections::hash_map::RandomState::new();
        let (a, b) = (keys.hash_one(1u8), keys.hash_one(2u8));
        format!("\u{FDD0}{a:016x}{b:016x}\u{FDD1}")
    })
}

/// One variant's page, for a folder whose way up to the site's root is `root`: at
/// /<path>/<audience>/, or at /<path>/ for the default audience's.
fn variant_page(
    shared: &PageShared,
    v: &Variant,
    json_ld: &str,
    root: &str,
    t: &Templates,
) -> Result<String, Diagnostic> {
    let (config, doc) = (shared.config, shared.doc);
    let audience = config
        .audience(&v.audience)
        .map(|a| a.in_lang(v.lang.as_str()));
    let mut ctx = Context::new();
    ctx.insert("site", &shared.site_ctx);
    ctx.insert("root", root);
    let marker = crate::render::markdown::ROOT_MARKER;
    // Links to page files and files beside the page lead to this audience's version, from
    // this file's depth.
    let local = |html: &str| {
        let html = crate::render::links::resolve_marks(html, shared.site, doc, &v.audience);
        let html = crate::util::replace_all(&html, marker, root);
        callout_labels(html, &shared.words)
    };
    ctx.insert(
        "page",
        &page_ctx(
            config,
            doc,
            &shared.dates,
            root,
            local(&v.summary_html),
            &shared.words,
        ),
    );
    ctx.insert("audience", &audience);
    let links: Vec<AudienceLink> = doc
        .audiences
        .iter()
        .filter_map(|id| config.audience(id))
        .map(|a| AudienceLink {
            id: &a.id,
            label: a
                .translations
                .get(doc.lang.as_str())
                .map_or(a.label.as_str(), |w| w.label.as_str()),
            url: format!("{root}{}/{}/index.html", doc.path, a.id),
            current: a.id == v.audience,
        })
        .collect();
    ctx.insert("audiences", &links);
    ctx.insert("toc", &v.toc);
    ctx.insert("body", &local(&v.body_html));
    ctx.insert("references", &ref_ctxs(v));
    ctx.insert("banner", &shared.banner);
    if shared.pdf {
        ctx.insert("pdf_url", &format!("{root}{}/{}.pdf", doc.path, v.audience));
    }
    if let Some(url) = editorial_url(shared.site, doc, &v.audience, root) {
        ctx.insert("editorial_url", &url);
    }
    ctx.insert("json_ld", json_ld);
    ctx.insert(
        "canonical",
        &format!("{}{}/{}/", base(config), doc.path, v.audience),
    );
    insert_languages(&mut ctx, shared.site, doc, &v.audience, root);
    t.render_with("page.html", &shared.words, ctx)
}

/// The page's language (`lang`, `lang_prefix`) and, when it has versions in other languages,
/// the switcher's links (`languages`) and the `hreflang` alternates (`alternates`): each
/// version for the same audience when it has one, else its default version.
fn insert_languages(ctx: &mut Context, site: &Site, doc: &Document, audience: &str, root: &str) {
    let config = &site.config;
    if config.languages.is_empty() {
        return;
    }
    ctx.insert("lang", doc.lang.as_str());
    ctx.insert("lang_prefix", &config.lang_prefix(&doc.lang));
    let versions = site.versions(doc);
    if versions.len() < 2 {
        return;
    }
    let base = base(config);
    let links: Vec<LangLink> = versions
        .iter()
        .filter_map(|d| {
            let label = &config.language_of(&d.lang)?.label;
            let dir = if d.audiences.iter().any(|a| a == audience) {
                format!("{}/{audience}", d.path)
            } else {
                d.path.clone()
            };
            Some(LangLink {
                id: d.lang.as_str(),
                label,
                url: format!("{root}{dir}/index.html"),
                href: format!("{base}{dir}/"),
                current: d.lang == doc.lang,
            })
        })
        .collect();
    // Readers whose language the site has no version in are sent to the original's.
    if let Some(first) = links.first() {
        ctx.insert("x_default", &first.href);
    }
    ctx.insert("alternates", &links);
    ctx.insert("languages", &links);
}

/// A list page's (the home page's, a topic page's at `topics/<slug>/`) languages: the
/// switcher's links to its version in each of the site's languages, the `hreflang` alternates
/// and the `x-default` (the default language's). Nothing on a site without `[[languages]]`.
fn insert_list_languages(ctx: &mut Context, config: &crate::config::Config, lang: &str, rel: &str) {
    if config.languages.is_empty() {
        return;
    }
    let prefix = config.lang_prefix(lang);
    ctx.insert("lang", lang);
    ctx.insert("lang_prefix", &prefix);
    let base = base(config);
    let root = root_prefix(format!("{prefix}{rel}").trim_end_matches('/'));
    let links: Vec<LangLink> = config
        .language_ids()
        .into_iter()
        .filter_map(|id| {
            let l = config.language_of(id)?;
            let p = config.lang_prefix(id);
            Some(LangLink {
                id: l.id.as_str(),
                label: &l.label,
                url: format!("{root}{p}{rel}index.html"),
                href: format!("{base}{p}{rel}"),
                current: id == lang,
            })
        })
        .collect();
    ctx.insert("x_default", &format!("{base}{rel}"));
    ctx.insert("alternates", &links);
    ctx.insert("languages", &links);
}

/// The link from a page to the site's editorial policy (`editorial_policy` in careguide.toml):
/// its version for the same audience when it has one, else its default version; none on the
/// policy page itself.
fn editorial_url(site: &Site, doc: &Document, audience: &str, root: &str) -> Option<String> {
    let want = site.config.editorial_policy.as_deref()?.trim_matches('/');
    let policy = site.pages.iter().find(|d| d.path == want)?;
    // In the page's language when the policy is translated into it.
    let policy = site.version_in(policy, &doc.lang).unwrap_or(policy);
    if policy.path == doc.path {
        return None;
    }
    Some(if policy.audiences.iter().any(|a| a == audience) {
        format!("{root}{}/{audience}/index.html", policy.path)
    } else {
        format!("{root}{}/index.html", policy.path)
    })
}

/// A variant's reference list, numbered, with the backlinks to where each is cited.
fn ref_ctxs(v: &Variant) -> Vec<RefCtx> {
    v.cited
        .iter()
        .enumerate()
        .map(|(i, r)| RefCtx {
            number: i + 1,
            html: v
                .formatted
                .get(i)
                .map(|f| f.html.clone())
                .unwrap_or_default(),
            id: r.id.clone(),
            doi: r.doi.clone(),
            pmid: r.pmid.clone(),
            backlink: v.backlinks.get(i).cloned().unwrap_or_default(),
        })
        .collect()
}

/// What [`render_lists`] gives depends on: the site key (configuration, templates and their
/// assets, the careguide binary, the build date) and what each page shows in a listing. Keep
/// it in step with `render_lists`: a field read there and missing here would leave a listing
/// stale.
pub fn lists_key(site: &Site, site_key: &str) -> String {
    let mut d = crate::util::Digest::new();
    d.field(site_key.as_bytes());
    for doc in &site.pages {
        d.field(doc.path.as_bytes())
            .field(doc.front.title.as_bytes())
            .field(doc.front.review.status.id().as_bytes())
            .field(doc.front.updated.iso().as_bytes())
            .field(doc.front.summary.as_bytes());
        d.field(&(doc.front.topics.len() as u64).to_le_bytes());
        for t in &doc.front.topics {
            d.field(t.as_bytes());
        }
    }
    d.hex()
}

/// The index, a page per topic, and the static assets: everything that lists pages. Each
/// translation language has its own index and topic pages under `/<lang>/` (issue 18).
pub fn render_lists(site: &Site, t: &Templates) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
    let config = &site.config;
    let site_ctx = SiteCtx::of(config);
    let words = t.strings(&config.language);
    let mut files = Vec::new();
    let mut problems = Vec::new();
    // The index, by topic, and a page per topic.
    let by_topic = by_topic(site, &words);
    for lang in config.language_ids() {
        lists_in(site, t, &by_topic, lang, &mut files, &mut problems);
    }
    match search_page(config, &site_ctx, &words, t, None) {
        Ok(f) => files.push(f),
        Err(d) => problems.push(d),
    }
    // A search page per translation language, over that language's index (issue 18).
    for l in config.languages.iter().filter(|l| l.id != config.language) {
        let site_ctx = SiteCtx::in_lang(config, l.id.as_str());
        match search_page(config, &site_ctx, &t.strings(l.id.as_str()), t, Some(&l.id)) {
            Ok(f) => files.push(f),
            Err(d) => problems.push(d),
        }
    }
    for (name, bytes) in t.assets() {
        files.push(OutputFile::new(format!("assets/{name}"), bytes.clone()));
    }
    if problems.is_empty() {
        Ok(files)
    } else {
        Err(problems)
    }
}

/// The index and topic pages in one language: the default language's at the root, another's
/// under `/<lang>/`, in its words, listing its translations and, apart, the pages not yet
/// translated into it.
fn lists_in(
    site: &Site,
    t: &Templates,
    by_topic: &BTreeMap<String, Vec<&Document>>,
    lang: &str,
    files: &mut Vec<OutputFile>,
    problems: &mut Vec<Diagnostic>,
) {
    let config = &site.config;
    let site_ctx = SiteCtx::in_lang(config, lang);
    let words = t.strings(lang);
    let prefix = config.lang_prefix(lang);
    let home_root = root_prefix(prefix.trim_end_matches('/'));
    // "Other" is keyed by the default language's word, and shown in this one's.
    let default_words = t.strings(&config.language);
    let default_other = default_words.get("site", "other_topic");
    let mut ctx = Context::new();
    ctx.insert("site", &site_ctx);
    ctx.insert("root", &home_root);
    ctx.insert(
        "topics",
        &topics_for(site, by_topic, &home_root, lang, &words, default_other),
    );
    ctx.insert("canonical", &format!("{}{prefix}", base(config)));
    insert_list_languages(&mut ctx, config, lang, "");
    match t.render_with("index.html", &words, ctx) {
        Ok(html) => files.push(OutputFile::new(
            format!("{prefix}index.html"),
            html.into_bytes(),
        )),
        Err(d) => problems.push(d),
    }
    let topic_root = format!("{home_root}../../");
    for topic in topics_for(site, by_topic, &topic_root, lang, &words, default_other) {
        let url = topic_url(&topic.key);
        let rel = url.trim_end_matches("index.html");
        let mut ctx = Context::new();
        ctx.insert("site", &site_ctx);
        ctx.insert("root", &topic_root);
        ctx.insert("canonical", &format!("{}{prefix}{rel}", base(config)));
        insert_list_languages(&mut ctx, config, lang, rel);
        ctx.insert("topic", &topic);
        match t.render_with("topic.html", &words, ctx) {
            Ok(html) => files.push(OutputFile::new(format!("{prefix}{url}"), html.into_bytes())),
            Err(d) => problems.push(d),
        }
    }
}

/// The pages under each topic, by the topic's name in the default language; pages without
/// one are under "Other". Originals only: a translation is listed in its language's lists.
fn by_topic<'a>(site: &'a Site, words: &Strings) -> BTreeMap<String, Vec<&'a Document>> {
    let mut by_topic: BTreeMap<String, Vec<&Document>> = BTreeMap::new();
    let other = words.get("site", "other_topic");
    for doc in site.pages.iter().filter(|d| d.translation.is_none()) {
        if doc.front.topics.is_empty() {
            by_topic.entry(other.into()).or_default().push(doc);
        }
        for t in &doc.front.topics {
            by_topic.entry(t.clone()).or_default().push(doc);
        }
    }
    by_topic
}

/// A page's line in a list, linked from a page at `root`.
fn list_entry(site: &Site, doc: &Document, root: &str, words: &Strings) -> ListEntry {
    let versions = site
        .versions(doc)
        .into_iter()
        .filter(|d| d.translation.is_some())
        .filter_map(|d| {
            Some(VersionLink {
                id: d.lang.to_string(),
                label: site.config.language_of(d.lang.as_str())?.label.clone(),
                url: format!("{root}{}/index.html", d.path),
            })
        })
        .collect();
    ListEntry {
        versions,
        title: doc.front.title.clone(),
        url: format!("{root}{}/index.html", doc.path),
        status: doc.front.review.status.id(),
        status_label: words.status(doc.front.review.status.id()),
        updated: words.date_long(doc.front.updated),
        updated_iso: doc.front.updated.iso(),
        summary: strip_citations(&doc.front.summary),
        lang: None,
        lang_label: None,
    }
}

/// Each topic with its pages by title, linked from a page at `root`, in `lang`: on a
/// translation language's lists, the topic's name in that language, its pages' translations,
/// and apart (`others`) the pages not translated into it, marked with their language.
fn topics_for(
    site: &Site,
    by_topic: &BTreeMap<String, Vec<&Document>>,
    root: &str,
    lang: &str,
    words: &Strings,
    default_other: &str,
) -> Vec<TopicCtx> {
    let config = &site.config;
    let translated = lang != config.language;
    let prefix = config.lang_prefix(lang);
    let mut topics: Vec<TopicCtx> = by_topic
        .iter()
        .map(|(key, docs)| {
            let mut pages = Vec::new();
            let mut others = Vec::new();
            for d in docs {
                match site.version_in(d, lang) {
                    Some(v) if translated && v.translation.is_some() => {
                        let mut e = list_entry(site, v, root, words);
                        e.versions.clear();
                        pages.push(e);
                    }
                    _ if translated => {
                        let mut e = list_entry(site, d, root, words);
                        e.versions.clear();
                        e.lang_label = config.language_of(&d.lang).map(|l| l.label.clone());
                        e.lang = Some(d.lang.to_string());
                        others.push(e);
                    }
                    _ => pages.push(list_entry(site, d, root, words)),
                }
            }
            pages.sort_by(|a, b| a.title.cmp(&b.title));
            others.sort_by(|a, b| a.title.cmp(&b.title));
            let name = if !translated {
                key.clone()
            } else if key == default_other {
                words.get("site", "other_topic").to_string()
            } else {
                config.topic_in(key, lang).to_string()
            };
            TopicCtx {
                name,
                url: format!("{root}{prefix}{}", topic_url(key)),
                key: key.clone(),
                pages,
                others,
            }
        })
        .collect();
    if translated {
        topics.sort_by_key(|t| t.name.to_lowercase());
    }
    topics
}

/// The search page: the index it loads is written beside it (see render::search). A
/// translation language's (`lang`) is at `<lang>/search/`, over that language's pages.
fn search_page(
    config: &crate::config::Config,
    site_ctx: &SiteCtx,
    words: &Strings,
    t: &Templates,
    lang: Option<&crate::types::LangId>,
) -> Result<OutputFile, Diagnostic> {
    let prefix = lang.map(|l| format!("{l}/")).unwrap_or_default();
    let mut ctx = Context::new();
    ctx.insert("site", site_ctx);
    ctx.insert("t", words);
    ctx.insert("root", &root_prefix(&format!("{prefix}search")));
    ctx.insert("canonical", &format!("{}{prefix}search/", base(config)));
    ctx.insert("index_script", "index.js");
    if let Some(l) = lang {
        ctx.insert("lang", l.as_str());
        ctx.insert("lang_prefix", &prefix);
    }
    let audiences: Vec<AudienceLink> = config
        .audiences
        .iter()
        .map(|a| AudienceLink {
            id: &a.id,
            label: &a.label,
            url: String::new(),
            current: false,
        })
        .collect();
    ctx.insert("audiences", &audiences);
    if let Some(w) = search_words(words) {
        ctx.insert("search_words", &w);
    }
    let html = t.render("search.html", &ctx)?;
    Ok(OutputFile::new(
        format!("{prefix}search/index.html"),
        html.into_bytes(),
    ))
}

/// The words search.js writes, as a JSON object for the search page, when they are not the
/// English ones search.js has built in (an English page stays as it was).
fn search_words(words: &Strings) -> Option<String> {
    let keys = [
        ("search", "no_index"),
        ("search", "type_word"),
        ("search", "no_results"),
        ("search", "showing_best"),
        ("search", "result_one"),
        ("search", "result_other"),
        ("search", "results_for"),
        ("search", "written_for_colon"),
        ("search", "reference"),
        ("page", "review_status"),
    ];
    let english = Strings::english();
    if keys
        .iter()
        .all(|(s, k)| words.get(s, k) == english.get(s, k))
    {
        return None;
    }
    let map: BTreeMap<&str, &str> = keys.iter().map(|(s, k)| (*k, words.get(s, k))).collect();
    // Inside <script>: no `<` may close it.
    serde_json::to_string(&map)
        .ok()
        .map(|j| j.replace('<', "\\u003c"))
}

/// Sort output files by path and report two outputs at one path (a page's audience folder
/// against another page).
pub fn check_collisions(files: &mut [OutputFile]) -> Vec<Diagnostic> {
    let mut problems = Vec::new();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    for w in files.windows(2) {
        if w[0].path == w[1].path {
            problems.push(
                Diagnostic::error(
                    "content/url-collision",
                    format!("two outputs would be written to {}", w[0].path),
                )
                .hint("a page path may not equal another page's audience folder (/<slug>/<audience>/), nor a file of static/ or beside a page the path of a page or another file; rename one"),
            );
        }
    }
    problems
}

fn base(config: &crate::config::Config) -> String {
    let mut b = config.base_url.clone();
    if !b.ends_with('/') {
        b.push('/');
    }
    b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn callout_labels_follow_the_page_language() {
        let html = "<aside class=\"callout callout-urgent\" role=\"note\">\n<p class=\"callout-label\">Emergency</p>\nCall.</aside>\n<p class=\"callout-label\">Note</p>".to_string();
        let es = callout_labels(html.clone(), &Strings::builtin("es"));
        assert!(
            es.contains("<p class=\"callout-label\">Emergencia</p>"),
            "{es}"
        );
        assert!(es.contains("<p class=\"callout-label\">Nota</p>"), "{es}");
        let cited = "<sup class=\"cite\" id=\"cite-1\"><a href=\"#ref-2\" aria-label=\"reference 2\">2</a></sup>";
        let es = callout_labels(cited.to_string(), &Strings::builtin("es"));
        assert!(es.contains("aria-label=\"referencia 2\""), "{es}");
        assert_eq!(callout_labels(html.clone(), &Strings::builtin("en")), html);
    }

    #[test]
    fn root_prefix_counts_folders() {
        assert_eq!(root_prefix(""), "");
        assert_eq!(root_prefix("a"), "../");
        assert_eq!(root_prefix("a/patient"), "../../");
    }

    #[test]
    fn review_progression() {
        let en = Strings::english();
        let s = review_steps(ReviewStatus::UnderReview, &en);
        let states: Vec<_> = s.iter().map(|s| s.state).collect();
        assert_eq!(states, vec!["done", "current", "todo"]);
        let s = review_steps(ReviewStatus::Approved, &en);
        assert!(s.iter().all(|s| s.state == "done"));
        let s = review_steps(ReviewStatus::Draft, &en);
        assert!(s.iter().all(|s| s.state == "todo"));
    }

    #[test]
    fn strip_citations_keeps_text() {
        assert_eq!(strip_citations("A slow taper [@a; @b]."), "A slow taper.");
    }
}
