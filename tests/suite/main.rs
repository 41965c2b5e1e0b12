//! The integration tests, in one test binary (`cargo test --test suite`): one module per
//! feature, and `support` with what they share (running the binary, copying fixture sites,
//! reading output folders). One binary links once, where one per file linked sixteen times.
//!
//! Select a module's tests by its path: `cargo test --test suite cite::`.

mod support;

mod audience;
mod bad_inputs;
mod callout;
mod cite;
#[cfg(unix)]
mod crash_safety;
mod diagnostics;
mod files;
mod fuzz_corpus;
mod handout;
mod handout_golden;
#[cfg(unix)]
mod hostile_files;
mod i18n;
mod incremental;
mod init;
mod injection;
mod languages;
mod languages_site;
mod links;
#[cfg(unix)]
mod paths;
mod patient_data;
mod pdf_images;
mod publish;
mod reproducible;
mod serve;
mod site;
#[cfg(unix)]
mod size_limits;
mod tagged_pdf;
mod taper;
