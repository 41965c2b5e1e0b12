//! `careguide handout`: a printable PDF handout for one patient (`--out`), or for each row of a
//! CSV file (`--batch ... --out-dir`).
//!
//! Patient data stays where the clinician put it: the name and doses go into the PDF and
//! nowhere else (not stdout, stderr, logs, temporary file names or the site). Files are written
//! to a temporary file in the destination folder and renamed, so no partial PDF is left behind.
//!
//! Exit codes: 0 all written; 1 invalid input or content (for a batch: at least one row); 2
//! usage, configuration or I/O.

use std::path::{Path, PathBuf};

use super::taper::{
    find_page, input, option, page_taper, taper_errors, Failure, Problem, TaperOptions,
};
use crate::cite::style::{Formatted, Formatter};
use crate::content::Document;
use crate::model::Variant;
use crate::pdf::{Handout, Paper, TaperPart};
use crate::taper::Field;
use crate::taper::{self, Schedule};
use crate::types::Date;

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
    #[command(flatten)]
    pub taper: TaperOptions,
    /// Paper size.
    #[arg(long, value_enum, default_value = "a4")]
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
    /// `doses_per_day`, `mode`, `holds` (`5:7;9:7`), `file`.
    #[arg(long, value_name = "patients.csv", requires = "out_dir")]
    pub batch: Option<PathBuf>,
    /// Folder for the batch's PDFs (must exist).
    #[arg(long, value_name = "DIR")]
    pub out_dir: Option<PathBuf>,
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

/// Write `bytes` to `path` through a temporary file in the same folder, renamed into place.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), String> {
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
    crate::util::write_atomic(path, bytes, true)
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// What every handout of one run shares.
struct Context<'a> {
    site: &'a crate::build::Site,
    doc: &'a Document,
    /// The page as the chosen audience reads it, references formatted.
    variant: Variant,
    paper: Paper,
    made: Date,
}

impl Context<'_> {
    /// The handout for `name`: with the schedule, or a blank chart where the page has a taper
    /// block.
    fn render(&self, name: Option<&str>, schedule: Option<&Schedule>) -> Result<Vec<u8>, String> {
        let taper = match (schedule, &self.doc.front.taper) {
            (Some(s), _) => TaperPart::Schedule(s),
            (None, Some(t)) => TaperPart::Blank {
                substance: &t.substance,
                unit: t.unit,
            },
            (None, None) => TaperPart::None,
        };
        crate::pdf::render(&self.handout(name, taper))
    }

    /// The clinician's sheet for a schedule (see [`crate::pdf::clinician_sheet`]).
    fn sheet(&self, name: Option<&str>, s: &Schedule) -> Result<Vec<u8>, String> {
        crate::pdf::clinician_sheet(&self.handout(name, TaperPart::Schedule(s)), s)
    }

    fn handout<'b>(&'b self, name: Option<&'b str>, taper: TaperPart<'b>) -> Handout<'b> {
        Handout {
            config: &self.site.config,
            doc: self.doc,
            variant: &self.variant,
            patient_name: name,
            care: crate::pdf::Care::default(),
            taper,
            paper: self.paper,
            made: self.made,
            // A handout's review status is judged on the day it is made.
            today: self.made,
        }
    }
}

fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the patient's name is empty".to_string());
    }
    if name.chars().count() > 200 || name.chars().any(|c| c.is_control()) {
        return Err("the patient's name is too long or holds control characters".to_string());
    }
    let missing = crate::pdf::fonts::missing_chars(name);
    if !missing.is_empty() {
        // Name the count, not the characters: they are part of the patient's name.
        return Err(format!(
            "the handout font (DejaVu Sans) cannot print {} character(s) of the patient's name; they would show as empty boxes: write the name in Latin, Greek or Cyrillic letters",
            missing.len()
        ));
    }
    Ok(())
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

fn run_inner(args: &HandoutArgs) -> Result<String, Failure> {
    let made = made_date(args.date.as_deref()).map_err(|e| Failure::Usage(vec![e]))?;
    if args.out.is_none() && args.batch.is_none() {
        return Err(Failure::Usage(vec![
            "say where to write: --out FILE.pdf, or --batch patients.csv --out-dir DIR".to_string(),
        ]));
    }
    // Check the destination before any work.
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
    if let Some(n) = &args.patient_name {
        check_name(n).map_err(|e| Failure::Invalid(vec![Problem::of(Field::PatientName, e)]))?;
    }
    if let (Some(csv), Some(dir)) = (&args.batch, &args.out_dir) {
        let (site, i) = find_page(&args.root, &args.page)?;
        let ctx = context(
            &site,
            &site.pages[i],
            args.audience.as_deref(),
            &args.root,
            args.paper,
            made,
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
        taper: &args.taper,
        paper: args.paper,
        made,
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
    for (kind, text) in &notes {
        eprintln!("note for the clinician: {kind}: {text}");
    }
    if let Some(line) = made
        .schedule
        .as_ref()
        .and_then(super::taper::suggested_options)
    {
        eprintln!("note for the clinician: {line}");
    }
    write_atomic(out, &made.pdf).map_err(|e| Failure::Usage(vec![e]))?;
    let mut msg = format!("wrote {}\n", out.display());
    match (&args.clinician_sheet, &made.sheet) {
        (Some(path), Some(sheet)) => {
            write_atomic(path, sheet).map_err(|e| Failure::Usage(vec![e]))?;
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

/// One handout made: the patient's PDF, its schedule (`None` for a blank chart) and, when asked
/// for and there is a schedule, the clinician's sheet.
pub struct Made {
    pub pdf: Vec<u8>,
    pub schedule: Option<Schedule>,
    pub sheet: Option<Vec<u8>>,
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
    /// The schedule's options; all empty gives a blank chart.
    pub taper: &'a TaperOptions,
    pub paper: Paper,
    pub made: Date,
    /// The clinician chose to print a page that is not approved (see [`HandoutArgs`]).
    pub allow_unapproved: bool,
    /// Also lay out the clinician's sheet (when there is a schedule).
    pub clinician_sheet: bool,
}

/// The PDF of one patient's handout, in memory, with its schedule (`None` for a blank chart).
/// `careguide handout --out` writes it to a file; `careguide serve` sends it to the browser,
/// so nothing of the patient's is ever written by the server.
pub fn make_pdf(req: &Request) -> Result<Made, Failure> {
    if let Some(n) = req.patient_name {
        check_name(n).map_err(|e| Failure::Invalid(vec![Problem::of(Field::PatientName, e)]))?;
    }
    let (site, i) = find_page(req.root, req.page)?;
    let doc = &site.pages[i];
    let ctx = context(
        &site,
        doc,
        req.audience,
        req.root,
        req.paper,
        req.made,
        req.allow_unapproved,
    )?;
    let schedule = schedule_for(doc, req.taper)?;
    let pdf = ctx
        .render(req.patient_name, schedule.as_ref())
        .map_err(|e| Failure::Usage(vec![e]))?;
    let sheet = match schedule.as_ref().filter(|_| req.clinician_sheet) {
        Some(s) => Some(
            ctx.sheet(req.patient_name, s)
                .map_err(|e| Failure::Usage(vec![e]))?,
        ),
        None => None,
    };
    Ok(Made {
        pdf,
        schedule,
        sheet,
    })
}

/// What every handout of a page shares: the page's review checked, the audience checked, the
/// page's references resolved (including those from its bibliography files).
fn context<'a>(
    site: &'a crate::build::Site,
    doc: &'a Document,
    audience: Option<&str>,
    root: &Path,
    paper: Paper,
    made: Date,
    allow_unapproved: bool,
) -> Result<Context<'a>, Failure> {
    unapproved(doc, made, allow_unapproved)?;
    let config = &site.config;
    let audience = match audience {
        Some(a) => a.to_string(),
        None if config.audience("patient").is_some() => "patient".to_string(),
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
    let variant = match Formatter::new(&config.citations.style, root) {
        Ok(f) => crate::render::variant::variant(&resolved, &audience, &|refs| f.format(refs)),
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
        paper,
        made,
    })
}

/// A handout of a page that is not approved would hand a patient text no clinician has
/// approved, looking final: refused unless the clinician asks for it explicitly (and then every
/// page carries the caution the PDF prints for such a page).
fn unapproved(doc: &Document, made: Date, allowed: bool) -> Result<(), Failure> {
    match crate::audience::review::banner(doc, made) {
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
                    crate::pdf::review_status(doc, made).text
                ),
            )]))
        }
        _ => Ok(()),
    }
}

/// Parse CSV text (RFC 4180: quoted fields, doubled quotes, CRLF) into records with their
/// 1-based line numbers, leaving out blank lines.
pub fn parse_csv(text: &str) -> Result<Vec<(usize, Vec<String>)>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut records = Vec::new();
    let bytes = text.as_bytes();
    // Line numbers are counted here: the reader's own count lags after a CRLF.
    let (mut last_start, mut counted, mut line) = (0, 0, 1);
    for r in reader.records() {
        let r = r.map_err(|e| e.to_string())?;
        let mut start = r.position().map_or(0, |p| p.byte() as usize);
        while bytes.get(start).is_some_and(|b| matches!(b, b'\r' | b'\n')) {
            start += 1;
        }
        line += bytes[counted..start]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted = start;
        last_start = start;
        let fields: Vec<String> = r.iter().map(String::from).collect();
        if fields.len() == 1 && fields[0].trim().is_empty() {
            continue;
        }
        records.push((line, fields));
    }
    // The csv reader ends a quoted field left open at the end of the text; a patient list cut
    // off there must not pass as a shorter one. Only the last record can be open: its quotes
    // then do not pair up.
    let tail = text.get(last_start..).unwrap_or_default();
    if tail.matches('"').count() % 2 == 1 {
        return Err(format!("line {line}: a quoted field is never closed"));
    }
    Ok(records)
}

const COLUMNS: &[&str] = &[
    "name",
    "dose",
    "start",
    "reduction_percent",
    "interval_days",
    "step",
    "min_dose",
    "doses_per_day",
    "mode",
    "holds",
    "file",
];

fn batch(ctx: &Context, args: &HandoutArgs, csv: &Path, dir: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(csv)
        .map_err(|e| Failure::Usage(vec![format!("cannot read {}: {e}", csv.display())]))?;
    let records = parse_csv(&text)
        .map_err(|e| Failure::Invalid(vec![Problem::general(format!("{}: {e}", csv.display()))]))?;
    let Some(((_, header), rows)) = records.split_first() else {
        return Err(Failure::Invalid(vec![Problem::general(format!(
            "{} is empty: the first line names the columns (name, dose, ...)",
            csv.display()
        ))]));
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    for (i, h) in header.iter().enumerate() {
        // Two columns of one name: which dose would be the patient's?
        if header[..i].contains(h) {
            return Err(Failure::Invalid(vec![Problem::general(format!(
                "{}: the column '{h}' appears twice in the first line: keep one",
                csv.display()
            ))]));
        }
        if !COLUMNS.contains(&h.as_str()) {
            return Err(Failure::Invalid(vec![Problem::general(format!(
                "{}: unknown column '{h}': the columns are {}",
                csv.display(),
                COLUMNS.join(", ")
            ))]));
        }
    }
    let col = |name: &str| header.iter().position(|h| h == name);
    let mut missing = Vec::new();
    if col("name").is_none() {
        missing.push("name");
    }
    if ctx.doc.front.taper.is_some() && col("dose").is_none() && args.taper.dose.is_none() {
        missing.push("dose");
    }
    if !missing.is_empty() {
        return Err(Failure::Invalid(vec![Problem::general(format!(
            "{}: the column{} {} {} missing (the first line names the columns)",
            csv.display(),
            if missing.len() > 1 { "s" } else { "" },
            missing.join(" and "),
            if missing.len() > 1 { "are" } else { "is" },
        ))]));
    }
    let mut errors = Vec::new();
    let mut written = 0usize;
    let mut noted: Vec<String> = Vec::new();
    let mut files = std::collections::BTreeSet::new();
    for (index, (line, row)) in rows.iter().enumerate() {
        let row_no = index + 1;
        let place = format!("{} line {line} (row {row_no})", csv.display());
        if row.len() != header.len() {
            errors.push(format!(
                "{place}: {} field(s), but the first line names {} column(s)",
                row.len(),
                header.len()
            ));
            continue;
        }
        let get = |name: &str| {
            col(name)
                .map(|i| row[i].trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let name = get("name").unwrap_or_default();
        if let Err(e) = check_name(&name) {
            errors.push(format!("{place}: {e}"));
            continue;
        }
        let file = match get("file") {
            Some(f) => {
                if f.contains('/') || f.contains('\\') || f.starts_with('.') {
                    errors.push(format!(
                        "{place}: the file name must be a plain name such as p001.pdf"
                    ));
                    continue;
                }
                if f.to_lowercase().ends_with(".pdf") {
                    f
                } else {
                    format!("{f}.pdf")
                }
            }
            None => format!("handout-{row_no:04}.pdf"),
        };
        if !files.insert(file.clone()) {
            errors.push(format!(
                "{place}: the file {file} is already written by an earlier row"
            ));
            continue;
        }
        let mut options = args.taper.clone();
        let set = |o: &mut Option<String>, name: &str| {
            if let Some(v) = get(name) {
                *o = Some(v);
            }
        };
        set(&mut options.dose, "dose");
        set(&mut options.start, "start");
        set(&mut options.reduction_percent, "reduction_percent");
        set(&mut options.interval_days, "interval_days");
        set(&mut options.step, "step");
        set(&mut options.min_dose, "min_dose");
        set(&mut options.doses_per_day, "doses_per_day");
        set(&mut options.mode, "mode");
        if let Some(h) = get("holds") {
            options.holds = h
                .split([';', ' '])
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
        }
        let schedule = match schedule_for(ctx.doc, &options) {
            Ok(s) => s,
            Err(Failure::Invalid(problems)) => {
                for p in problems {
                    errors.push(format!("{place}: {}", p.labelled(&column)));
                }
                continue;
            }
            Err(other) => return Err(other),
        };
        let bytes = match ctx.render(Some(&name), schedule.as_ref()) {
            Ok(b) => b,
            Err(e) => {
                errors.push(format!("{place}: {e}"));
                continue;
            }
        };
        // A schedule with notes: its clinician's sheet beside the handout, never inside it.
        let sheet = match schedule.as_ref() {
            Some(s) if !crate::pdf::clinician_notes(s).is_empty() => {
                match ctx.sheet(Some(&name), s) {
                    Ok(b) => Some(b),
                    Err(e) => {
                        errors.push(format!("{place}: {e}"));
                        continue;
                    }
                }
            }
            _ => None,
        };
        let path = dir.join(&file);
        match write_atomic(&path, &bytes) {
            Ok(()) => written += 1,
            Err(e) => {
                errors.push(format!("{place}: {e}"));
                continue;
            }
        }
        if let Some(sheet) = sheet {
            let stem = file.strip_suffix(".pdf").unwrap_or(&file);
            let sheet_file = format!("{stem}-clinician.pdf");
            match write_atomic(&dir.join(&sheet_file), &sheet) {
                // Row numbers only: a file name may hold a patient's name.
                Ok(()) => noted.push(row_no.to_string()),
                Err(e) => errors.push(format!("{place}: {e}")),
            }
        }
    }
    let mut summary = String::new();
    if !noted.is_empty() {
        summary.push_str(&format!(
            "notes for the clinician (what to check, defaults used) on row(s) {}: each is in the sheet beside its handout (NAME-clinician.pdf); read it before handing the handout over\n",
            noted.join(", ")
        ));
    }
    summary += &format!(
        "wrote {written} handout(s) to {}{}\n",
        dir.display(),
        if errors.is_empty() {
            String::new()
        } else {
            format!("; {} row(s) failed", errors.len())
        }
    );
    if errors.is_empty() {
        Ok(summary)
    } else {
        print!("{summary}");
        Err(Failure::Invalid(
            errors.into_iter().map(Problem::general).collect(),
        ))
    }
}

/// In a batch, a field is named by its CSV column; one that has no column (set once for the
/// whole batch) by its command-line option.
fn column(field: Field) -> String {
    match field {
        Field::Dose
        | Field::Start
        | Field::ReductionPercent
        | Field::IntervalDays
        | Field::Step
        | Field::MinDose
        | Field::DosesPerDay
        | Field::Mode
        | Field::Hold => format!("column {}", field.id()),
        Field::PatientName => "column name".to_string(),
        other => option(other),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_and_lines() {
        let r = parse_csv("name,dose\r\n\"Doe, Jane\",20\n\n\"Say \"\"hi\"\"\",5").unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r[1], (2, vec!["Doe, Jane".to_string(), "20".to_string()]));
        assert_eq!(r[2], (4, vec!["Say \"hi\"".to_string(), "5".to_string()]));
        assert!(parse_csv("name\n\"open").is_err());
    }

    #[test]
    fn batch_messages_name_columns() {
        assert_eq!(
            Problem::of(Field::Start, "'x' is not a date").labelled(&column),
            "column start: 'x' is not a date"
        );
        // A field the batch sets once for every row keeps its option's name.
        assert_eq!(
            Problem::of(Field::Unit, "no unit: pass {unit}").labelled(&column),
            "--unit: no unit: pass --unit"
        );
    }
}
