//! `careguide taper`: print a taper schedule as a table, CSV or JSON.
//!
//! Exit codes: 0 the schedule was printed; 1 the inputs or the page are invalid; 2 the site
//! could not be read (configuration, I/O).

use std::path::{Path, PathBuf};

use crate::diag::Diagnostics;
use crate::taper::{
    self, Dec, Field, Hold, Mode, PageTaper, Schedule, TaperError, TaperInput, TaperParams, Unit,
};
use crate::types::Date;

/// The schedule's options, shared by `taper` and `handout`.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct TaperOptions {
    /// Unit of the doses: g, mg, mL or tablets (taken from the page with --page).
    #[arg(long, value_name = "UNIT")]
    pub unit: Option<String>,
    /// Start daily dose D0 (the patient's current dose per day).
    #[arg(long, value_name = "D0", allow_hyphen_values = true)]
    pub dose: Option<String>,
    /// Percent cut per step, more than 0 and at most 50.
    #[arg(long, value_name = "R", allow_hyphen_values = true)]
    pub reduction_percent: Option<String>,
    /// Days per step, 1 to 365.
    #[arg(long, value_name = "K", allow_hyphen_values = true)]
    pub interval_days: Option<String>,
    /// Smallest measurable amount q (for example 0.5 for half a gram on a kitchen scale). A
    /// schedule that would need more than 1,000 steps before the stop is refused.
    #[arg(long, value_name = "Q", allow_hyphen_values = true)]
    pub step: Option<String>,
    /// Lowest dose before stopping (default: the step q).
    #[arg(long, value_name = "M", allow_hyphen_values = true)]
    pub min_dose: Option<String>,
    /// Doses per day, 1 to 12.
    #[arg(long, value_name = "N", allow_hyphen_values = true)]
    pub doses_per_day: Option<String>,
    /// First day of the schedule, YYYY-MM-DD (default: today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub start: Option<String>,
    /// `previous`: each cut is r% of the previous dose (default); `initial`: r% of the start dose.
    #[arg(long, value_name = "MODE")]
    pub mode: Option<String>,
    /// Lengthen step STEP by DAYS days, 1 to 365 (repeatable; any step but the last, the stop).
    /// A warning about a large cut suggests the holds that remove it, as --hold options.
    #[arg(long = "hold", value_name = "STEP:DAYS")]
    pub holds: Vec<String>,
    /// Warn when one step cuts more than this percent (default: the page's, else 25); a held
    /// step's cut is averaged over its intervals of K days.
    #[arg(long, value_name = "PERCENT", allow_hyphen_values = true)]
    pub max_step_percent: Option<String>,
}

impl TaperOptions {
    /// Parse every option, reporting each one that is not well formed.
    pub fn params(&self) -> Result<TaperParams, Vec<TaperError>> {
        let mut errors = Vec::new();
        fn num(v: &Option<String>, field: Field, errors: &mut Vec<TaperError>) -> Option<Dec> {
            let s = v.as_ref()?;
            Dec::parse_said(s)
                .map_err(|said| errors.push(TaperError::said(field, said)))
                .ok()
        }
        let mut p = TaperParams {
            start_dose: num(&self.dose, Field::Dose, &mut errors),
            reduction_percent: num(
                &self.reduction_percent,
                Field::ReductionPercent,
                &mut errors,
            ),
            interval_days: num(&self.interval_days, Field::IntervalDays, &mut errors),
            step: num(&self.step, Field::Step, &mut errors),
            min_dose: num(&self.min_dose, Field::MinDose, &mut errors),
            doses_per_day: num(&self.doses_per_day, Field::DosesPerDay, &mut errors),
            max_step_percent: num(&self.max_step_percent, Field::MaxStepPercent, &mut errors),
            ..Default::default()
        };
        if let Some(u) = &self.unit {
            match u.parse::<Unit>() {
                Ok(u) => p.unit = Some(u),
                Err(message) => errors.push(TaperError::new(Field::Unit, message)),
            }
        }
        if let Some(s) = &self.start {
            match taper::parse_date_said(s) {
                Ok(d) => p.start = Some(d),
                Err(said) => errors.push(TaperError::said(Field::Start, said)),
            }
        }
        if let Some(m) = &self.mode {
            match m.parse::<Mode>() {
                Ok(m) => p.mode = Some(m),
                Err(message) => errors.push(TaperError::new(Field::Mode, message)),
            }
        }
        for h in &self.holds {
            match Hold::parse_said(h) {
                Ok(h) => p.holds.push(h),
                Err(said) => errors.push(TaperError::said(Field::Hold, said)),
            }
        }
        if errors.is_empty() {
            Ok(p)
        } else {
            Err(errors)
        }
    }

    /// True when no schedule option at all was given.
    pub fn is_empty(&self) -> bool {
        self.unit.is_none()
            && self.dose.is_none()
            && self.reduction_percent.is_none()
            && self.interval_days.is_none()
            && self.step.is_none()
            && self.min_dose.is_none()
            && self.doses_per_day.is_none()
            && self.start.is_none()
            && self.mode.is_none()
            && self.holds.is_empty()
            && self.max_step_percent.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
    Json,
}

/// What `careguide taper --help` says after the options.
const TAPER_HELP: &str = "\
Limits: a reduction of more than 0% and at most 50%; 1 to 365 days per step; 1 to 12 doses a day;
a hold of 1 to 365 days; at most 1,000 steps before the stop (more is refused).

Warnings name their cause: a measuring step (--step) too coarse for the intended cut at that
dose; a reduction above the limit (--max-step-percent or the page's), which no hold fixes; a
linear taper (--mode initial), whose fixed cut is a growing share of a falling dose; a last dose
before stopping above the page's max_final_dose (default twice --step), also when --min-dose is
why. A cut warning suggests the hold that brings the step's average cut per interval back to the
intended rate r: ceil(c / r) - 1 more intervals of K days for a cut c (r = 10, c = 33.3%, K = 7:
21 days), printed ready to pass (suggested: --hold 22:21 --hold 23:28). Percentages in warnings
have one decimal, halves rounded away from zero (12.25% is 12.3%), and more only where one would
show a cut above the limit as equal to it (25.04%, not 25.0%). The Change column is a whole
percent, halves away from zero too (-12.5% is -13%).

Examples:
  careguide taper --page kratom-withdrawal --dose 20 --start 2026-12-01
  careguide taper --unit mg --dose 40 --reduction-percent 10 --interval-days 14 --step 2.5 --format json";

/// Arguments of `careguide taper`.
#[derive(Debug, Clone, clap::Args)]
#[command(after_help = TAPER_HELP)]
pub struct TaperArgs {
    /// Take the unit, defaults and limits from this page's `taper:` block.
    #[arg(long, value_name = "SLUG")]
    pub page: Option<String>,
    #[command(flatten)]
    pub options: TaperOptions,
    /// Output format.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// The site's folder (holding careguide.toml), used with --page.
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

/// Today's date (UTC), the default start of a schedule.
pub fn today() -> Date {
    Date(time::OffsetDateTime::now_utc().date())
}

/// One problem with a request, for the field it concerns where it concerns one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: Option<Field>,
    /// May name fields as `{id}`: see [`TaperError::text`].
    pub message: String,
    /// The message as a note, for a front end to say in its language (`message` is its
    /// English); `None` for one said in English only.
    pub said: Option<crate::taper::Said>,
}

impl Problem {
    pub fn of(field: Field, message: impl Into<String>) -> Problem {
        Problem {
            field: Some(field),
            message: message.into(),
            said: None,
        }
    }

    pub fn general(message: impl Into<String>) -> Problem {
        Problem {
            field: None,
            message: message.into(),
            said: None,
        }
    }

    /// The message with each field it names labelled by `label`.
    pub fn text(&self, label: &dyn Fn(Field) -> String) -> String {
        crate::taper::labelled(self.message.clone(), label)
    }

    /// [`Problem::text`] with its own field's label before it (`--dose: ...` on the command
    /// line, `column dose: ...` in a batch).
    pub fn labelled(&self, label: &dyn Fn(Field) -> String) -> String {
        let text = self.text(label);
        match self.field {
            Some(f) => format!("{}: {text}", label(f)),
            None => text,
        }
    }
}

impl From<TaperError> for Problem {
    fn from(e: TaperError) -> Problem {
        Problem {
            field: Some(e.field),
            message: e.message,
            said: e.said,
        }
    }
}

/// A field's command-line option.
pub fn option(field: Field) -> String {
    match field {
        Field::Hold => "--hold".to_string(),
        f => format!("--{}", f.id().replace('_', "-")),
    }
}

/// A failure of a command, with the exit code it calls for. Messages never hold patient data.
#[derive(Debug)]
pub enum Failure {
    /// Invalid input or content: exit 1.
    Invalid(Vec<Problem>),
    /// The site could not be loaded: its diagnostics.
    Site(Diagnostics, PathBuf),
    /// Usage, configuration or I/O: exit 2.
    Usage(Vec<String>),
}

impl Failure {
    pub fn report(&self) -> u8 {
        match self {
            Failure::Invalid(problems) => {
                for p in problems {
                    eprintln!("error: {}", p.labelled(&option));
                }
                1
            }
            Failure::Usage(lines) => {
                for l in lines {
                    eprintln!("error: {l}");
                }
                2
            }
            Failure::Site(diags, root) => {
                let mut err = std::io::stderr();
                crate::diag::render_human(diags, root, &mut err, false);
                match diags.exit_code() {
                    0 => 2,
                    c => c,
                }
            }
        }
    }
}

pub(crate) fn taper_errors(e: Vec<TaperError>) -> Failure {
    Failure::Invalid(e.into_iter().map(Problem::from).collect())
}

/// Load the site and find a page by slug or path.
pub fn find_page(root: &Path, slug: &str) -> Result<(crate::build::Site, usize), Failure> {
    let site = crate::model::load_site(root).map_err(|d| Failure::Site(d, root.to_path_buf()))?;
    match site
        .pages
        .iter()
        .position(|d| d.path == slug.trim_matches('/'))
    {
        Some(i) => Ok((site, i)),
        None => match site.pages.iter().position(|d| d.slug == slug) {
            Some(i) => Ok((site, i)),
            None => {
                let mut known: Vec<&str> = site.pages.iter().map(|d| d.path.as_str()).collect();
                known.sort_unstable();
                let near = known
                    .iter()
                    .filter(|k| strsim::levenshtein(k, slug) <= 3)
                    .min_by_key(|k| strsim::levenshtein(k, slug));
                let hint = match near {
                    Some(n) => format!("did you mean '{n}'?"),
                    None if known.is_empty() => "the site has no pages".to_string(),
                    None => format!("the pages are: {}", known.join(", ")),
                };
                Err(Failure::Invalid(vec![Problem::of(
                    Field::Page,
                    format!("no page '{slug}' in {}: {hint}", root.display()),
                )]))
            }
        },
    }
}

/// The page's `taper:` block, or an error naming the page.
pub fn page_taper(doc: &crate::content::Document) -> Result<&PageTaper, Failure> {
    doc.front.taper.as_ref().ok_or_else(|| {
        Failure::Invalid(vec![Problem::of(Field::Page, format!(
            "the page '{}' ({}) has no taper: block, so it sets no unit, defaults or limits for a schedule; pass {{unit}} and the other options without {{page}}, or add a taper: block to the page",
            doc.path,
            doc.file.display()
        ))])
    })
}

/// Resolve the options against the page's block (if any) and check them.
pub fn input(options: &TaperOptions, page: Option<&PageTaper>) -> Result<TaperInput, Failure> {
    let params = options.params().map_err(taper_errors)?;
    if let Some(p) = page {
        let problems = p.check();
        if !problems.is_empty() {
            return Err(Failure::Invalid(
                problems.into_iter().map(Problem::general).collect(),
            ));
        }
    }
    taper::resolve(&params, page, today()).map_err(taper_errors)
}

fn compute(args: &TaperArgs) -> Result<String, Failure> {
    let site;
    let page = match &args.page {
        Some(slug) => {
            let (s, i) = find_page(&args.root, slug)?;
            site = s;
            Some(page_taper(&site.pages[i])?)
        }
        None => None,
    };
    let input = input(&args.options, page)?;
    let schedule = taper::schedule(&input).map_err(taper_errors)?;
    Ok(match args.format {
        Format::Table => {
            let mut text = taper::to_table(&schedule);
            if let Some(line) = suggested_options(&schedule) {
                text.push_str(&line);
                text.push('\n');
            }
            text
        }
        Format::Json => taper::to_json(&schedule),
        Format::Csv => {
            // CSV stays machine-readable: what the clinician must still see goes to stderr.
            for d in &schedule.input.defaults_applied {
                eprintln!("note: default used: {d}");
            }
            for w in &schedule.warnings {
                eprintln!("warning: {w}");
            }
            if let Some(line) = suggested_options(&schedule) {
                eprintln!("{line}");
            }
            taper::to_csv(&schedule)
        }
    })
}

/// The holds the warnings suggest as options ready to pass (`suggested: --hold 22:21
/// --hold 23:28`), naming any given hold one replaces; `None` when none is suggested.
pub fn suggested_options(s: &Schedule) -> Option<String> {
    let suggested = s.suggested_holds();
    if suggested.is_empty() {
        return None;
    }
    let options = |holds: &[&Hold]| {
        holds
            .iter()
            .map(|h| format!("{} {h}", option(Field::Hold)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut line = format!(
        "suggested: {}",
        options(&suggested.iter().collect::<Vec<_>>())
    );
    let replaced: Vec<&Hold> = s
        .input
        .holds
        .iter()
        .filter(|h| suggested.iter().any(|x| x.step == h.step))
        .collect();
    if !replaced.is_empty() {
        line.push_str(&format!(" (in place of {})", options(&replaced)));
    }
    Some(line)
}

/// Run the command; returns the process exit code.
pub fn run(args: &TaperArgs) -> u8 {
    match compute(args) {
        Ok(text) => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Ok(()) => 0,
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
                Err(e) => {
                    eprintln!("error: cannot write the schedule: {e}");
                    2
                }
            }
        }
        Err(f) => f.report(),
    }
}
