//! `careguide handout`: a printable PDF handout for one patient (`--out`), or for each row of a
//! CSV file (`--batch ... --out-dir`).
//!
//! Patient data stays where the clinician put it: the name, the doses, the clinician and the
//! next visit go into the PDF and nowhere else (not stdout, stderr, logs, temporary file names
//! or the site). Files are written
//! to a temporary file in the destination folder and renamed, so no partial PDF is left behind.
//!
//! Exit codes: 0 all written; 1 invalid input or content (for a batch: at least one row); 2
//! usage, configuration or I/O.

use std::path::{Path, PathBuf};

mod batch;
pub mod care;

use self::batch::batch;

use self::care::{check_name, CareInput};
use super::taper::{
    find_page, input, option, page_taper, taper_errors, Failure, Problem, TaperOptions,
};
use crate::cite::style::{Formatted, Formatter};
use crate::content::Document;
use crate::i18n::Strings;
use crate::model::Variant;
use crate::pdf::{Care, Handout, Paper, TaperPart};
use crate::taper::Field;
use crate::taper::{self, Schedule};
use crate::types::{AudienceId, Date};

/// Arguments of `careguide handout`.
#[derive(Debug, Clone, clap::Args)]
pub struct HandoutArgs {
    /// The page to print (its slug or URL path).
    #[arg(long, value_name = "SLUG")]
    pub page: String,
    /// Whose version of the page to print (default: `patient` if the site has it, else the
    /// site's default audience).
    #[arg(long, value_name = "ID")]
    pub audience: Option<String>,
    /// The patient's name, printed on the handout only.
    #[arg(long, value_name = "NAME")]
    pub patient_name: Option<String>,
    /// The clinician's name, printed on the handout only (page 1, with the plan).
    #[arg(long, value_name = "NAME")]
    pub clinician: Option<String>,
    /// The phone for questions printed on page 1 (default: `[contact] phone` in careguide.toml,
    /// said on the terminal when used). Digits, spaces and + ( ) - . /, then an extension such
    /// as "ext. 23".
    #[arg(long, value_name = "PHONE")]
    pub phone: Option<String>,
    /// The next visit, printed on the handout only: not before the schedule's first day.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub next_visit: Option<String>,
    // Boxed: the arguments of one command stay small beside the others..
    #[command(flatten)]
    pub taper: Box<TaperOptions>,
    /// The handout's language (`es`): every word careguide prints on it (headings, the taper
    /// table, dates, tick boxes, "Page N of M") and its decimal mark. Default: the site's
    /// `language`. A page with a translation in that language prints the translation.
    #[arg(long, value_name = "LANG")]
    pub lang: Option<String>,
    /// Paper size: A4 or Letter (US Letter).
    #[arg(long, value_name = "A4|LETTER", value_parser = parse_paper, default_value = "a4")]
    pub paper: Paper,
    /// The PDF to write.
    #[arg(long, value_name = "FILE.pdf", conflicts_with = "batch")]
    pub out: Option<PathBuf>,
    /// Also write the clinician's sheet: the schedule's notes (what to check, the defaults used)
    /// with the plan, never printed on the patient's copy. In a batch, a row whose schedule has
    /// notes gets its sheet beside its handout (`NAME-clinician.pdf`).
    #[arg(long, value_name = "FILE.pdf", conflicts_with = "batch")]
    pub clinician_sheet: Option<PathBuf>,
    /// A CSV file with one patient a row: `name` and, for pages with a taper, `dose`; optional
    /// columns `start`, `reduction_percent`, `interval_days`, `step`, `min_dose`,
    /// `doses_per_day`, `mode`, `holds` (`5:7;9:7`), `clinician`, `phone`, `next_visit`,
    /// `paper`, `file`. A column's value wins over the option of the same name.
    #[arg(long, value_name = "patients.csv", requires = "out_dir")]
    pub batch: Option<PathBuf>,
    /// Folder for the batch's PDFs (must exist).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
    /// The PDFs' permissions, in octal (`640`: the owner reads and writes, the group reads).
    /// Default 600: the owner only, as a patient's data deserves. Writable by everyone is
    /// refused. (`--mode` is the taper's.)
    #[arg(long, value_name = "OCTAL", value_parser = parse_mode, default_value = "600")]
    pub file_mode: u32,
    /// The date printed as "made" (default: SOURCE_DATE_EPOCH if set, else today).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
    /// Print a page that is not approved (or whose review is overdue): refused without this, and
    /// with it every page of the handout carries a caution.
    #[arg(long)]
    pub allow_unapproved: bool,
    /// The site's folder (holding careguide.toml).
    #[arg(long, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
}

/// A paper size: A4 or Letter, in any case (`US-Letter` too). Anything else is refused rather
/// than printed on a size nobody chose.
pub fn parse_paper(s: &str) -> Result<Paper, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "a4" => Ok(Paper::A4),
        "letter" | "us-letter" | "us letter" => Ok(Paper::Letter),
        _ => Err("careguide prints on A4 or Letter (US Letter) paper only".to_string()),
    }
}

/// File permissions in octal (`600`, `0640`, `0o640`): at most `777`, and never writable by
/// everyone, which would let any user of the machine change a patient's plan.
pub fn parse_mode(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let digits = t.strip_prefix("0o").unwrap_or(t);
    let mode = match u32::from_str_radix(digits, 8) {
        Ok(m) if !digits.is_empty() && !digits.starts_with('+') && m <= 0o777 => m,
        _ => {
            return Err(format!(
                "'{s}' is not a file mode: give the permissions in octal, such as 600 (the owner only) or 640 (the group may read)"
            ))
        }
    };
    if mode & 0o002 != 0 {
        return Err(format!(
            "{mode:03o} lets every user of the machine change the handout: give a mode without write permission for others, such as 600 or 640"
        ));
    }
    if mode & 0o400 == 0 {
        return Err(format!(
            "{mode:03o} does not let the owner read the handout: give a mode such as 600 or 640"
        ));
    }
    Ok(mode)
}

/// The date a document is made: an explicit date, else `SOURCE_DATE_EPOCH`, else today (UTC).
pub fn made_date(explicit: Option<&str>) -> Result<Date, String> {
    if let Some(d) = explicit {
        return Date::parse(d).map_err(|e| format!("--date: {e}"));
    }
    if let Ok(v) = std::env::var("SOURCE_DATE_EPOCH") {
        let secs: i64 = v.trim().parse().map_err(|_| {
            format!("SOURCE_DATE_EPOCH is '{v}', not a number of seconds since 1970")
        })?;
        return Date::from_unix_seconds(secs)
            .ok_or_else(|| format!("SOURCE_DATE_EPOCH {secs} is out of range"));
    }
    Ok(super::taper::today())
}

/// Write `bytes` to `path` through a temporary file in the same folder (a random name, created
/// exclusively, the owner's only), renamed into place and given the permissions `mode`. A
/// destination that is a symbolic link is refused: it would send the patient's handout
/// wherever it points.
pub fn write_atomic(path: &Path, bytes: &[u8], mode: u32) -> Result<(), String> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(format!(
            "the folder {} does not exist: create it first, or choose another --out",
            dir.display()
        ));
    }
    if path.is_dir() {
        return Err(format!("{} is a folder, not a file name", path.display()));
    }
    // A link at the destination would send the patient's handout wherever it points.
    if path
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(format!(
            "{} is a symbolic link: careguide does not write a handout through a link; choose another file name",
            path.display()
        ));
    }
    crate::util::write_atomic_mode(path, bytes, true, mode)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// What every handout of one run shares.
struct Context<'a> {
    site: &'a crate::build::Site,
    doc: &'a Document,
    /// The page as the chosen audience reads it, references formatted.
    variant: Variant,
    made: Date,
    /// The words careguide prints, in the handout's language.
    strings: Strings,
}

/// Whose handout, and how it is printed.
#[derive(Clone, Copy)]
struct Who<'a> {
    name: Option<&'a str>,
    care: Care<'a>,
    paper: Paper,
}

impl Context<'_> {
    /// The handout for `who`: with the schedule, or a blank chart where the page has a taper
    /// block.
    fn render(&self, who: Who, schedule: Option<&Schedule>) -> Result<Vec<u8>, String> {
        let taper = match (schedule, &self.doc.front.taper) {
            (Some(s), _) => TaperPart::Schedule(s),
            (None, Some(t)) => TaperPart::Blank {
                substance: &t.substance,
                unit: t.unit,
            },
            (None, None) => TaperPart::None,
        };
        crate::pdf::render(&self.handout(who, taper)).map_err(|e| e.to_string())
    }

    /// The clinician's sheet for a schedule (see [`crate::pdf::clinician_sheet`]).
    fn sheet(&self, who: Who, s: &Schedule) -> Result<Vec<u8>, String> {
        crate::pdf::clinician_sheet(&self.handout(who, TaperPart::Schedule(s)), s)
            .map_err(|e| e.to_string())
    }

    fn handout<'b>(&'b self, who: Who<'b>, taper: TaperPart<'b>) -> Handout<'b> {
        Handout {
            config: &self.site.config,
            doc: self.doc,
            root: Some(&self.site.root),
            variant: &self.variant,
            patient_name: who.name,
            care: who.care,
            taper,
            paper: who.paper,
            made: self.made,
            // A handout's review status is judged on the day it is made.
            today: self.made,
            strings: &self.strings,
        }
    }
}

/// The schedule for a row or the command line, or none (a blank chart) when no option is given.
fn schedule_for(doc: &Document, options: &TaperOptions) -> Result<Option<Schedule>, Failure> {
    if options.is_empty() {
        return Ok(None);
    }
    let page = page_taper(doc)?;
    let input = input(options, Some(page))?;
    taper::schedule(&input).map(Some).map_err(taper_errors)
}

/// The destinations, checked before any work.
fn check_destinations(args: &HandoutArgs) -> Result<(), Failure> {
    if args.out.is_none() && args.batch.is_none() {
        return Err(Failure::Usage(vec![
            "say where to write: --out FILE.pdf, or --batch patients.csv --out-dir DIR".to_string(),
        ]));
    }
    if let Some(out) = &args.out {
        let dir = out.parent().filter(|p| !p.as_os_str().is_empty());
        if let Some(d) = dir {
            if !d.is_dir() {
                return Err(Failure::Usage(vec![format!(
                    "--out: the folder {} does not exist: create it first, or choose another path",
                    d.display()
                )]));
            }
        }
    }
    if let Some(d) = &args.out_dir {
        if !d.is_dir() {
            return Err(Failure::Usage(vec![format!(
                "--out-dir: the folder {} does not exist: create it first",
                d.display()
            )]));
        }
    }
    Ok(())
}

/// The care details given on the command line (for a batch: each row's unless its columns say
/// otherwise). The phone falls back to the site's, and the clinician is told.
fn cli_care(args: &HandoutArgs) -> CareInput<'_> {
    CareInput {
        clinician: args.clinician.as_deref().map(str::trim),
        phone: args.phone.as_deref().map(str::trim),
        next_visit: args.next_visit.as_deref().map(str::trim),
        phone_from_config: true,
    }
}

fn run_inner(args: &HandoutArgs) -> Result<String, Failure> {
    let made = made_date(args.date.as_deref()).map_err(|e| Failure::Usage(vec![e]))?;
    check_destinations(args)?;
    // The values given once are checked before any work, every one of them.
    let mut problems = Vec::new();
    if let Some(n) = &args.patient_name {
        if let Err(e) = check_name(n, "patient") {
            problems.push(Problem::of(Field::PatientName, e));
        }
    }
    if let Err(more) = cli_care(args).check() {
        problems.extend(more);
    }
    if !problems.is_empty() {
        return Err(Failure::Invalid(problems));
    }
    if let (Some(csv), Some(dir)) = (&args.batch, &args.out_dir) {
        let (site, i) = find_page(&args.root, &args.page)?;
        let ctx = context(
            &site,
            &site.pages[i],
            args.audience.as_deref(),
            &args.root,
            (made, args.lang.as_deref()),
            args.allow_unapproved,
        )?;
        return batch(&ctx, args, csv, dir);
    }
    let out = args.out.as_ref().ok_or_else(|| Failure::Usage(vec![]))?;
    let made = make_pdf(&Request {
        root: &args.root,
        page: &args.page,
        audience: args.audience.as_deref(),
        patient_name: args.patient_name.as_deref(),
        care: cli_care(args),
        taper: &args.taper,
        paper: args.paper,
        made,
        lang: args.lang.as_deref(),
        allow_unapproved: args.allow_unapproved,
        clinician_sheet: args.clinician_sheet.is_some(),
    })?;
    // The clinician reads the notes before the handout exists: they never go on the patient's
    // copy.
    let notes = made
        .schedule
        .as_ref()
        .map(crate::pdf::clinician_notes)
        .unwrap_or_default();
    // In careguide's English, as the command line's other notes.
    for (kind, said) in &notes {
        eprintln!(
            "note for the clinician: {}: {}",
            kind.english(),
            said.english()
        );
    }
    if let Some(line) = made
        .schedule
        .as_ref()
        .and_then(super::taper::suggested_options)
    {
        eprintln!("note for the clinician: {line}");
    }
    print_care_notes(&made);
    write_atomic(out, &made.pdf, args.file_mode).map_err(|e| Failure::Usage(vec![e]))?;
    let mut msg = format!("wrote {}\n", out.display());
    match (&args.clinician_sheet, &made.sheet) {
        (Some(path), Some(sheet)) => {
            write_atomic(path, sheet, args.file_mode).map_err(|e| Failure::Usage(vec![e]))?;
            msg.push_str(&format!("wrote the clinician's sheet {}\n", path.display()));
        }
        (Some(_), None) => msg.push_str("no clinician's sheet: the handout has no schedule\n"),
        (None, _) if !notes.is_empty() => msg.push_str(&format!(
            "the schedule has {} note(s) for the clinician, printed above and not on the handout; --clinician-sheet FILE.pdf writes them to a PDF\n",
            notes.len()
        )),
        (None, _) => {}
    }
    Ok(msg)
}

/// What the command line tells the clinician of the care details: where the phone came from
/// when it was not given, and the note on the next visit. Neither repeats patient data.
fn print_care_notes(made: &Made) {
    match &made.phone {
        PhoneSource::Site(p) => eprintln!(
            "note: phone for questions: from [contact] phone in careguide.toml: {p} (--phone prints another)"
        ),
        PhoneSource::Nowhere => eprintln!(
            "note: no phone for questions on the handout: careguide.toml has no [contact] phone; --phone prints one"
        ),
        PhoneSource::Given => {}
    }
    if let Some(n) = &made.visit_note {
        eprintln!("note for the clinician: Check: {}", n.english());
    }
}

/// One handout made: the patient's PDF, its schedule (`None` for a blank chart) and, when asked
/// for and there is a schedule, the clinician's sheet.
pub struct Made {
    pub pdf: Vec<u8>,
    pub schedule: Option<Schedule>,
    pub sheet: Option<Vec<u8>>,
    /// Where the phone for questions printed came from.
    pub phone: PhoneSource,
    /// For the clinician, never printed: the next visit falls after the schedule ends.
    pub visit_note: Option<crate::taper::Said>,
}

/// Where a handout's phone for questions came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneSource {
    /// As given (`--phone`, the `phone` column, the form's field), or none where the front end
    /// does not fill it in.
    Given,
    /// None was given: the site's `[contact] phone`, printed.
    Site(String),
    /// None was given and the site has none: the handout prints no phone for questions.
    Nowhere,
}

/// One patient's handout, as `careguide handout --out` makes it.
pub struct Request<'a> {
    /// The site's folder.
    pub root: &'a Path,
    /// The page's slug or URL path.
    pub page: &'a str,
    /// Whose version to print (default: `patient` if configured, else the default audience).
    pub audience: Option<&'a str>,
    pub patient_name: Option<&'a str>,
    /// The clinician, the phone for questions and the next visit, as typed.
    pub care: CareInput<'a>,
    /// The schedule's options; all empty gives a blank chart.
    pub taper: &'a TaperOptions,
    pub paper: Paper,
    pub made: Date,
    /// The handout's language (default: the site's).
    pub lang: Option<&'a str>,
    /// The clinician chose to print a page that is not approved (see [`HandoutArgs`]).
    pub allow_unapproved: bool,
    /// Also lay out the clinician's sheet (when there is a schedule).
    pub clinician_sheet: bool,
}

/// The PDF of one patient's handout, in memory, with its schedule (`None` for a blank chart).
/// `careguide handout --out` writes it to a file; `careguide serve` sends it to the browser,
/// so nothing of the patient's is ever written by the server.
pub fn make_pdf(req: &Request) -> Result<Made, Failure> {
    let (site, i) = find_page(req.root, req.page)?;
    make_pdf_in(&site, &site.pages[i], req)
}

/// The same for a site already loaded (without errors) and its page: `careguide serve` keeps
/// the loaded site between requests instead of loading it for each.
pub fn make_pdf_in(
    site: &crate::build::Site,
    doc: &Document,
    req: &Request,
) -> Result<Made, Failure> {
    let ctx = context(
        site,
        doc,
        req.audience,
        req.root,
        (req.made, req.lang),
        req.allow_unapproved,
    )?;
    let sheet = req.clinician_sheet;
    make_one(
        &ctx,
        req.patient_name,
        &req.care,
        req.taper,
        req.paper,
        &|_| sheet,
    )
}

/// One handout of the context's page: the name and the care details checked, on their own and
/// against the plan (every problem at once), the phone filled in from the site where the front
/// end asks for it, the PDF laid out, and the clinician's sheet where `sheet` wants one for the
/// schedule.
fn make_one(
    ctx: &Context,
    name: Option<&str>,
    care: &CareInput,
    options: &TaperOptions,
    paper: Paper,
    sheet: &dyn Fn(&Schedule) -> bool,
) -> Result<Made, Failure> {
    let mut problems = Vec::new();
    if let Some(n) = name {
        if let Err(e) = check_name(n, "patient") {
            problems.push(Problem::of(Field::PatientName, e));
        }
    }
    let checked = care.check().map_err(|p| problems.extend(p)).ok();
    // `None`: the options are wrong (said in the problems); `Some(None)`: a blank chart.
    let schedule = match schedule_for(ctx.doc, options) {
        Ok(s) => Some(s),
        Err(Failure::Invalid(p)) => {
            problems.extend(p);
            None
        }
        Err(other) => return Err(other),
    };
    // The next visit against the plan, whatever else is wrong, where both are known.
    let mut visit_note = None;
    if let (Some(Ok(v)), Some(s)) = (care.next_visit.map(care::parse_visit), &schedule) {
        match care::visit_problems(v, ctx.made, s.as_ref()) {
            Ok(note) => visit_note = note,
            Err(p) => problems.push(p),
        }
    }
    let (Some(mut checked), Some(schedule)) = (checked, schedule) else {
        return Err(Failure::Invalid(problems));
    };
    if !problems.is_empty() {
        return Err(Failure::Invalid(problems));
    }
    let (phone, source) = phone_for(checked.phone, care.phone_from_config, &ctx.site.config)?;
    checked.phone = phone;
    let who = Who {
        name,
        care: checked,
        paper,
    };
    let pdf = ctx
        .render(who, schedule.as_ref())
        .map_err(|e| Failure::Usage(vec![e]))?;
    let sheet = match schedule.as_ref().filter(|s| sheet(s)) {
        Some(s) => Some(ctx.sheet(who, s).map_err(|e| Failure::Usage(vec![e]))?),
        None => None,
    };
    Ok(Made {
        pdf,
        schedule,
        sheet,
        phone: source,
        visit_note,
    })
}

/// The phone for questions: the one given; else, where the front end asks for it, the site's
/// `[contact] phone` (checked as a typed one is), said in the [`PhoneSource`].
fn phone_for<'a>(
    given: Option<&'a str>,
    from_site: bool,
    config: &'a crate::config::Config,
) -> Result<(Option<&'a str>, PhoneSource), Failure> {
    let site = config
        .contact
        .phone
        .as_deref()
        .map(str::trim)
        .filter(|p| !p.is_empty());
    match (given, from_site, site) {
        (Some(p), _, _) => Ok((Some(p), PhoneSource::Given)),
        (None, false, _) => Ok((None, PhoneSource::Given)),
        (None, true, None) => Ok((None, PhoneSource::Nowhere)),
        (None, true, Some(p)) => match care::check_phone(p) {
            Ok(()) => Ok((Some(p), PhoneSource::Site(p.to_string()))),
            Err(e) => Err(Failure::Invalid(vec![Problem::of(
                Field::Phone,
                format!(
                    "none given, and the site's [contact] phone in careguide.toml ('{p}') cannot be printed as the phone for questions: {e}; correct it there, or give one with {{phone}}"
                ),
            )])),
        },
    }
}

/// The version of `doc` written in `lang`: the same language id, else the same family (`es-MX`
/// asked for, `es` written).
fn version_in<'a>(
    site: &'a crate::build::Site,
    doc: &'a Document,
    lang: &str,
) -> Option<&'a Document> {
    use crate::config::primary_language;
    site.version_in(doc, lang).or_else(|| {
        let want = primary_language(lang);
        site.versions(doc)
            .into_iter()
            .find(|d| primary_language(d.lang.as_str()) == want)
    })
}

/// What every handout of a page shares: the page's review checked, the audience checked, the
/// page's references resolved (including those from its bibliography files).
fn context<'a>(
    site: &'a crate::build::Site,
    doc: &'a Document,
    audience: Option<&str>,
    root: &Path,
    (made, lang): (Date, Option<&str>),
    allow_unapproved: bool,
) -> Result<Context<'a>, Failure> {
    // A handout asked for in a language the page has a version in prints that version's text
    // (`--page kratom-withdrawal --lang es` prints the Spanish translation, with its own review
    // status), not the original's text under that language's headings.
    let doc = lang.and_then(|l| version_in(site, doc, l)).unwrap_or(doc);
    let strings = strings(
        &site.root,
        lang.unwrap_or(doc.lang.as_str()),
        lang.is_some(),
    )?;
    unapproved(doc, made, allow_unapproved, &strings)?;
    let config = &site.config;
    let audience = match audience {
        Some(a) => AudienceId::new(a),
        None if config.audience("patient").is_some() => AudienceId::new("patient"),
        None => config.default_audience.clone(),
    };
    if config.audience(&audience).is_none() {
        return Err(Failure::Invalid(vec![Problem::of(
            Field::Audience,
            format!(
                "unknown audience '{audience}': careguide.toml configures {}",
                config.audience_ids().join(", ")
            ),
        )]));
    }
    if !doc.audiences.iter().any(|a| a == &audience) {
        return Err(Failure::Invalid(vec![Problem::of(
            Field::Audience,
            format!(
                "the page '{}' is not written for '{audience}'; it is for {}",
                doc.path,
                doc.audiences.join(", ")
            ),
        )]));
    }
    let mut diags = crate::diag::Diagnostics::new();
    let library = crate::resolve::Library::load(&site.root, config, None);
    let resolved = crate::resolve::resolve(doc, config, &library, &mut diags);
    // Without a usable citation style the references are printed in a plain form.
    let variant = match Formatter::for_site(config, root) {
        // References in the handout's language, as its labels.
        Ok(f) => crate::render::variant::variant(&resolved, &audience, &|refs| {
            f.format_in(refs, strings.lang())
        }),
        Err(_) => crate::render::variant::variant(&resolved, &audience, &|refs| {
            refs.iter()
                .map(|r| {
                    let text = crate::pdf::plain_reference(r);
                    Formatted {
                        html: crate::util::escape_html(&text),
                        text,
                    }
                })
                .collect()
        }),
    };
    Ok(Context {
        site,
        doc,
        variant,
        made,
        strings,
    })
}

/// The handout's interface strings: the built-in table of `lang` with the site's `i18n/`
/// laid over it. A language asked for with `--lang` that careguide and the site have no
/// table of is refused, not printed in English unasked.
fn strings(root: &Path, lang: &str, asked: bool) -> Result<Strings, Failure> {
    let catalog = crate::i18n::Catalog::load(root).map_err(|d| {
        Failure::Usage(
            d.iter()
                .map(|d| format!("{}: {}", d.location(), d.message))
                .collect(),
        )
    })?;
    let (strings, note) = catalog.strings(lang);
    if asked && strings.base() == "en" && note.is_some() {
        return Err(Failure::Usage(vec![format!(
            "--lang {lang}: careguide has no interface strings for '{lang}' (built in: en, es); give them in {}/{}.toml",
            crate::i18n::I18N_DIR,
            lang.split(['-', '_']).next().unwrap_or(lang)
        )]));
    }
    Ok(strings)
}

/// A handout of a page that is not approved would hand a patient text no clinician has
/// approved, looking final: refused unless the clinician asks for it explicitly (and then every
/// page carries the caution the PDF prints for such a page).
fn unapproved(doc: &Document, made: Date, allowed: bool, words: &Strings) -> Result<(), Failure> {
    match crate::audience::review::banner(doc, made, words) {
        Some(_) if !allowed => {
            let r = &doc.front.review;
            let why = match (r.status, r.next_review) {
                (crate::content::frontmatter::ReviewStatus::Approved, Some(next)) => {
                    format!("its review was due on {}", next.long())
                }
                (status, _) => format!("its status is {}", status.label().to_lowercase()),
            };
            Err(Failure::Invalid(vec![Problem::of(
                Field::AllowUnapproved,
                format!(
                    "the page '{}' is not approved for patients ({why}), so a handout of it would give a patient text no clinician has approved. Print it only if you have checked it yourself, with {{allow_unapproved}}: every page then carries the caution \"{}\"",
                    doc.path,
                    crate::pdf::review_status(doc, made, words).text
                ),
            )]))
        }
        // The override on a page that needs none is a mistake worth a word: the clinician may
        // have meant another page, and the flag must not become a habit.
        None if allowed => Err(Failure::Invalid(vec![Problem::of(
            Field::AllowUnapproved,
            format!(
                "the page '{}' is approved and its review is current, so {{allow_unapproved}} is not needed: leave it out",
                doc.path
            ),
        )])),
        _ => Ok(()),
    }
}

/// Run the command; returns the process exit code.
pub fn run(args: &HandoutArgs) -> u8 {
    match run_inner(args) {
        Ok(msg) => {
            print!("{msg}");
            0
        }
        Err(f) => f.report(),
    }
}
