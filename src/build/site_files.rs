//! The files that list pages: the index, topic and search pages (kept as they are when no
//! page's listing changed), the search index, sitemap, feed, robots.txt and the editorial
//! board's report. Made on both cores, then checked for two files at one path.

use super::incremental::Incremental;
use super::page::{keep, store};
use super::Collected;
use crate::cache::FileRecord;
use crate::diag::Diagnostics;
use crate::model::Site;
use crate::output::Writer;
use crate::render::site::Templates;
use crate::types::{Date, OutputFile};

/// What the site-wide files came to.
pub(super) struct Made {
    /// Every site-wide file, as the manifest records it.
    pub files: Vec<FileRecord>,
    /// The listing pages with the key they were made for, for the next build to keep.
    pub lists: Option<(String, Vec<FileRecord>)>,
    /// Every file of the output, pages' and site-wide.
    pub count: usize,
}

pub(super) fn build(
    site: &Site,
    t: &Templates,
    writer: Option<&Writer>,
    inc: &Incremental,
    pages: &Collected,
    today: Date,
    diags: &mut Diagnostics,
) -> Made {
    let lists_key = crate::render::site::lists_key(site, &inc.site_key);
    let manifest = &inc.manifest;
    let (lists, rest) = rayon::join(
        || {
            let unchanged = manifest
                .lists
                .as_ref()
                .filter(|(k, files)| *k == lists_key && manifest.files_intact(files));
            match (unchanged, writer) {
                (Some((_, files)), Some(_)) => keep(writer, files).map(|()| files.clone()),
                _ => crate::render::site::render_lists(site, t)
                    .and_then(|files| store(writer, files)),
            }
        },
        || {
            let (files, editorial) = rayon::join(
                || search_and_extra_files(site, pages, t),
                // The editorial board's report: not linked from the pages, not in the sitemap.
                || {
                    crate::render::editorial::report_scored(
                        &site.config,
                        &pages.editorial,
                        &pages.reading,
                        today,
                        t,
                    )
                    .map(|html| OutputFile::new("_editorial/index.html".into(), html.into_bytes()))
                    .map_err(|d| vec![d])
                },
            );
            let mut files = files?;
            files.push(editorial?);
            // static/ and the files beside pages, copied as they are.
            files.extend(crate::render::links::copied_files(site)?);
            store(writer, files)
        },
    );
    let mut site_files = Vec::new();
    let list_files = lists.as_ref().ok().cloned();
    for part in [lists, rest] {
        match part {
            Ok(s) => site_files.extend(s),
            Err(e) => diags.extend(e),
        }
    }
    // Check for two outputs at one path among new and reused files alike.
    let mut all: Vec<OutputFile> = pages
        .paths
        .iter()
        .cloned()
        .chain(site_files.iter().map(|(p, _, _)| p.clone()))
        .map(|p| OutputFile::new(p, Vec::new()))
        .collect();
    diags.extend(crate::render::site::check_collisions(&mut all));
    Made {
        files: site_files,
        lists: list_files.map(|f| (lists_key, f)),
        count: all.len(),
    }
}

/// The search index of each language (the default's at search/, the others' at
/// `<lang>/search/`), the sitemap, feed and robots.txt.
fn search_and_extra_files(
    site: &Site,
    pages: &Collected,
    t: &Templates,
) -> Result<Vec<OutputFile>, Vec<crate::diag::Diagnostic>> {
    let config = &site.config;
    let of = |lang: &str| -> Vec<crate::types::RawJson> {
        pages
            .search
            .iter()
            .filter(|(l, _)| l == lang)
            .map(|(_, j)| j.clone())
            .collect()
    };
    let index = crate::render::search::index_bytes_raw(config, &of(&config.language));
    let mut files = crate::render::publish::extra_files_with_index(site, index, t)?;
    for l in config.languages.iter().filter(|l| l.id != config.language) {
        files.push(OutputFile::new(
            format!("{}/{}", l.id, crate::render::search::INDEX_PATH),
            crate::render::search::index_bytes_raw(config, &of(&l.id)),
        ));
    }
    Ok(files)
}
