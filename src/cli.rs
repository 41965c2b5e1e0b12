//! The command line: clap parses, the library works, and the result becomes an exit code
//! (0 success, 1 content errors, 2 usage, configuration or I/O errors).

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::build::{self, Options};
use crate::diag::{self, Diagnostics, Format};

#[derive(Debug, Parser)]
#[command(
    name = "careguide",
    version,
    about = "Build a clinic's patient-education site and handouts from cited Markdown",
    after_help = "Examples:\n  careguide check                 check every page, citation and review date\n  careguide build                 write the site to ./output\n  careguide init my-clinic        start a new site"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check and write the site to the output folder.
    #[command(
        after_help = "Example:\n  careguide build --root . --out output\n\nThe site is built beside the output folder and swapped in only when the whole\nbuild succeeded: a failed build leaves the previous output as it was."
    )]
    Build(BuildArgs),
    /// Check everything `build` would, and write nothing.
    #[command(
        after_help = "Examples:\n  careguide check\n  careguide check --format json > findings.json\n  careguide check --publish        refuse pages that are not approved"
    )]
    Check(CheckArgs),
    /// Write a minimal working site (configuration and one page) into DIR.
    #[command(
        after_help = "Example:\n  careguide init my-clinic && careguide build --root my-clinic"
    )]
    Init(crate::cmd::init::InitArgs),
    /// Print a dose-reduction (taper) schedule.
    Taper(crate::cmd::taper::TaperArgs),
    /// Print a personalized PDF handout for one patient.
    Handout(crate::cmd::handout::HandoutArgs),
    /// Preview the site on this computer, rebuilt on every change, with a handout form.
    #[command(
        after_help = "Example:\n  careguide serve --root . --port 8080\n\nThen open http://127.0.0.1:8080/ (the handout form is at /handout). The site is\nbuilt into ROOT/.careguide-serve, never into output/. Only this computer can connect\nunless --bind names another address."
    )]
    Serve(crate::cmd::serve::ServeArgs),
}

#[derive(Debug, clap::Args)]
pub struct CommonArgs {
    /// The site's folder (holding careguide.toml and content/).
    #[arg(long, default_value = ".")]
    pub root: PathBuf,
    /// How to print findings.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Publishing build: every page must be approved, with its review not overdue.
    #[arg(long)]
    pub publish: bool,
    /// A local copy of the Retraction Watch CSV (overrides `retractions` in careguide.toml).
    #[arg(long, value_name = "FILE")]
    pub retractions: Option<PathBuf>,
    /// Judge review dates as of this day (YYYY-MM-DD; default SOURCE_DATE_EPOCH, else today).
    #[arg(long, value_parser = parse_date)]
    pub today: Option<crate::types::Date>,
    /// Human format: print at most N warnings after every error; the rest are counted by rule.
    /// JSON and GitHub formats always list every finding.
    #[arg(long, value_name = "N", default_value_t = 50)]
    pub show_warnings: usize,
    /// Human format: print every warning.
    #[arg(long, conflicts_with = "show_warnings")]
    pub all_warnings: bool,
}

impl CommonArgs {
    /// How many warnings the human format prints (`None`: all).
    fn warnings_shown(&self) -> Option<usize> {
        (!self.all_warnings).then_some(self.show_warnings)
    }
}

fn parse_date(s: &str) -> Result<crate::types::Date, String> {
    crate::types::Date::parse(s)
}

#[derive(Debug, clap::Args)]
pub struct BuildArgs {
    #[command(flatten)]
    pub common: CommonArgs,
    /// Skip the printable PDF of every page (faster previews).
    #[arg(long)]
    pub no_pdf: bool,
    /// Output folder (default ROOT/output).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    #[command(flatten)]
    pub common: CommonArgs,
}

/// Parse the arguments and run; the process exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    ExitCode::from(run(cli))
}

pub fn run(cli: Cli) -> u8 {
    match cli.command {
        Command::Build(a) => {
            let out = a.out.unwrap_or_else(|| a.common.root.join("output"));
            run_pipeline(&a.common, Some(out), !a.no_pdf)
        }
        Command::Check(a) => run_pipeline(&a.common, None, false),
        Command::Init(a) => crate::cmd::init::run(&a),
        Command::Taper(a) => crate::cmd::taper::run(&a),
        Command::Handout(a) => crate::cmd::handout::run(&a),
        Command::Serve(a) => crate::cmd::serve::run(&a),
    }
}

/// Print findings in the requested format: human findings go to stderr; JSON (it is the
/// command's output) and GitHub annotations (workflow commands, which the runner reads from
/// standard output) to stdout, the annotations with paths from the repository's root.
/// The human format prints at most `max_warnings` warnings (`None`: all).
pub fn report(
    diags: &Diagnostics,
    root: &Path,
    format: Format,
    max_warnings: Option<usize>,
    extra: serde_json::Map<String, serde_json::Value>,
) {
    match format {
        Format::Human => {
            let stderr = std::io::stderr();
            let color = stderr.is_terminal() && std::env::var_os("NO_COLOR").is_none();
            diag::render_human_limited(diags, root, &mut stderr.lock(), color, max_warnings);
        }
        Format::Github => {
            let workspace = std::env::var_os("GITHUB_WORKSPACE");
            let prefix = diag::repository_prefix(root, workspace.as_deref());
            diag::render_github(diags, &prefix, &mut std::io::stdout().lock());
        }
        Format::Json => {
            let mut out = std::io::stdout().lock();
            let _ = writeln!(out, "{}", diag::to_json(diags, extra));
        }
    }
}

fn run_pipeline(common: &CommonArgs, out: Option<PathBuf>, pdf: bool) -> u8 {
    let writing = out.is_some();
    let opts = Options {
        root: common.root.clone(),
        out,
        publish: common.publish,
        today: common.today,
        pdf,
        retractions: common.retractions.clone(),
    };
    let verb = if writing { "building" } else { "checking" };
    let progress = crate::cmd::progress::Progress::start(&common.root, verb);
    let r = build::run(&opts);
    drop(progress);
    let mut extra = serde_json::Map::new();
    extra.insert("pages".into(), r.pages.into());
    if common.format == Format::Json {
        let scores = r
            .scores
            .as_ref()
            .and_then(|s| serde_json::from_str(s.get()).ok())
            .unwrap_or_else(|| serde_json::json!({}));
        extra.insert("reading_level".into(), scores);
    }
    if writing {
        extra.insert("files".into(), r.files.into());
        extra.insert("written".into(), r.written.into());
        extra.insert("unchanged".into(), r.unchanged.into());
    }
    report(
        &r.diagnostics,
        &common.root,
        common.format,
        common.warnings_shown(),
        extra,
    );
    let code = r.diagnostics.exit_code();
    if common.format == Format::Human {
        let mut err = std::io::stderr().lock();
        if code == 0 && writing {
            let _ = writeln!(
                err,
                "built {} page(s): {} file(s), {} written, {} unchanged",
                r.pages, r.files, r.written, r.unchanged
            );
        } else if code == 0 {
            let _ = writeln!(err, "checked {} page(s): no errors", r.pages);
        } else if writing {
            let _ = writeln!(err, "nothing was written; the previous output is unchanged");
        }
    }
    code
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use crate::taper::Field;

    #[test]
    fn the_option_the_warning_count_names_exists() {
        let cli = super::Cli::command();
        for sub in ["check", "build"] {
            let cmd = cli.get_subcommands().find(|c| c.get_name() == sub).unwrap();
            assert!(
                cmd.get_arguments()
                    .any(|a| a.get_long() == crate::diag::ALL_WARNINGS_FLAG.strip_prefix("--")),
                "{sub} has no {}",
                crate::diag::ALL_WARNINGS_FLAG
            );
        }
    }

    #[test]
    fn every_field_names_an_option_of_handout() {
        // Messages name fields; the command line prints each as its option, which must be one
        // that `careguide handout` really has.
        let cli = super::Cli::command();
        let handout = cli
            .get_subcommands()
            .find(|c| c.get_name() == "handout")
            .expect("handout subcommand");
        let longs: Vec<&str> = handout
            .get_arguments()
            .filter_map(|a| a.get_long())
            .collect();
        for f in Field::ALL {
            let o = crate::cmd::taper::option(f);
            assert!(
                longs.contains(&o.trim_start_matches("--")),
                "{f:?} is shown as {o}, which `careguide handout` does not take"
            );
        }
    }
}
