//! `careguide handout --batch patients.csv --out-dir DIR`: one handout a row of a CSV file. A
//! bad row is reported by its row number and column (every problem of the row at once) and the
//! others are still written; the summary names rows by number only, never by a patient's name.

use std::path::Path;

use super::*;
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
    "clinician",
    "phone",
    "next_visit",
    "paper",
    "file",
];

pub(super) fn batch(
    ctx: &Context,
    args: &HandoutArgs,
    csv: &Path,
    dir: &Path,
) -> Result<String, Failure> {
    let text = crate::util::read_file_to_string(csv)
        .map_err(|e| Failure::Usage(vec![format!("cannot read {}: {e}", csv.display())]))?;
    let records = parse_csv(&text)
        .map_err(|e| Failure::Invalid(vec![Problem::general(format!("{}: {e}", csv.display()))]))?;
    let Some(((_, header), rows)) = records.split_first() else {
        return Err(Failure::Invalid(vec![Problem::general(format!(
            "{} is empty: the first line names the columns (name, dose, ...)",
            csv.display()
        ))]));
    };
    let header = batch_header(ctx, args, csv, header)?;
    let mut tally = Tally::default();
    let mut files = std::collections::BTreeSet::new();
    for (index, (line, fields)) in rows.iter().enumerate() {
        let row = Row {
            no: index + 1,
            place: format!("{} line {line} (row {})", csv.display(), index + 1),
            header: &header,
            fields,
        };
        batch_row(ctx, args, &row, dir, &mut files, &mut tally)?;
    }
    tally.summary(dir, rows.len())
}

/// The first line of a batch file, its names checked: each a known column, none twice, and
/// `name` (and `dose` for a page with a taper, unless --dose gives every row's) there.
fn batch_header(
    ctx: &Context,
    args: &HandoutArgs,
    csv: &Path,
    header: &[String],
) -> Result<Vec<String>, Failure> {
    let header: Vec<String> = header.iter().map(|h| h.trim().to_lowercase()).collect();
    let invalid = |m: String| Err(Failure::Invalid(vec![Problem::general(m)]));
    for (i, h) in header.iter().enumerate() {
        // Two columns of one name: which dose would be the patient's? Never the first, silently.
        if let Some(first) = header[..i].iter().position(|x| x == h) {
            return invalid(format!(
                "{}: the column '{h}' appears twice in the first line, as column {} and column {}: keep one",
                csv.display(),
                first + 1,
                i + 1
            ));
        }
        if !COLUMNS.contains(&h.as_str()) {
            return invalid(format!(
                "{}: unknown column '{h}': the columns are {}",
                csv.display(),
                COLUMNS.join(", ")
            ));
        }
    }
    let has = |name: &str| header.iter().any(|h| h == name);
    let mut missing = Vec::new();
    if !has("name") {
        missing.push("name");
    }
    if ctx.doc.front.taper.is_some() && !has("dose") && args.taper.dose.is_none() {
        missing.push("dose");
    }
    if !missing.is_empty() {
        return invalid(format!(
            "{}: the column{} {} {} missing (the first line names the columns)",
            csv.display(),
            if missing.len() > 1 { "s" } else { "" },
            missing.join(" and "),
            if missing.len() > 1 { "are" } else { "is" },
        ));
    }
    Ok(header)
}

/// One row of a batch file.
struct Row<'a> {
    /// 1-based, the header left out.
    no: usize,
    /// The file, line and row, for messages.
    place: String,
    header: &'a [String],
    fields: &'a [String],
}

impl<'a> Row<'a> {
    /// The row's value in `column`, trimmed; `None` when empty or there is no such column.
    fn get(&self, column: &str) -> Option<&'a str> {
        let fields: &'a [String] = self.fields;
        self.header
            .iter()
            .position(|h| h == column)
            .and_then(|i| fields.get(i))
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
    }

    /// The schedule's options: the command line's, each overridden by the row's column.
    fn options(&self, args: &HandoutArgs) -> TaperOptions {
        let mut options = (*args.taper).clone();
        let set = |o: &mut Option<String>, name: &str| {
            if let Some(v) = self.get(name) {
                *o = Some(v.to_string());
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
        if let Some(h) = self.get("holds") {
            options.holds = h
                .split([';', ' '])
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
        }
        options
    }

    /// The care details: the command line's, each overridden by the row's column.
    fn care<'b>(&'b self, args: &'b HandoutArgs) -> CareInput<'b> {
        let cli = cli_care(args);
        CareInput {
            clinician: self.get("clinician").or(cli.clinician),
            phone: self.get("phone").or(cli.phone),
            next_visit: self.get("next_visit").or(cli.next_visit),
            phone_from_config: true,
        }
    }

    /// The paper: the row's, else --paper.
    fn paper(&self, args: &HandoutArgs) -> Result<Paper, String> {
        match self.get("paper") {
            Some(p) => parse_paper(p).map_err(|e| Problem::of(Field::Paper, e).labelled(&column)),
            None => Ok(args.paper),
        }
    }

    /// The file the row's handout is written to: its `file` column (a plain name, `.pdf` added
    /// when missing), else `handout-0001.pdf` by row number.
    fn file(&self) -> Result<String, String> {
        match self.get("file") {
            Some(f) if f.contains('/') || f.contains('\\') || f.starts_with('.') => {
                Err("the file name must be a plain name such as p001.pdf".to_string())
            }
            Some(f) if f.to_lowercase().ends_with(".pdf") => Ok(f.to_string()),
            Some(f) => Ok(format!("{f}.pdf")),
            None => Ok(format!("handout-{:04}.pdf", self.no)),
        }
    }
}

/// What a batch did, for its summary. Rows are named by number only: a file name may hold a
/// patient's name.
#[derive(Default)]
struct Tally {
    written: usize,
    /// Rows not written, and the messages saying why.
    failed: usize,
    errors: Vec<String>,
    /// Rows whose clinician's sheet was written beside the handout.
    sheets: Vec<usize>,
    /// Rows that print the site's phone, and that phone.
    site_phone: Vec<usize>,
    phone: String,
    /// Rows that print no phone (none given, none in careguide.toml).
    no_phone: Vec<usize>,
    /// Rows whose next visit falls after the schedule ends.
    late_visit: Vec<usize>,
}

/// Make and write one row's handout (and its sheet when its schedule has notes); a problem with
/// the row is tallied and the batch goes on. Only a site that cannot be read stops it.
fn batch_row(
    ctx: &Context,
    args: &HandoutArgs,
    row: &Row,
    dir: &Path,
    files: &mut std::collections::BTreeSet<String>,
    tally: &mut Tally,
) -> Result<(), Failure> {
    let place = &row.place;
    let mut fail = |messages: Vec<String>| {
        tally.failed += 1;
        tally
            .errors
            .extend(messages.into_iter().map(|m| format!("{place}: {m}")));
        Ok(())
    };
    if row.fields.len() != row.header.len() {
        return fail(vec![format!(
            "{} field(s), but the first line names {} column(s)",
            row.fields.len(),
            row.header.len()
        )]);
    }
    let name = row.get("name").unwrap_or_default();
    let file = check_name(name, "patient")
        .and_then(|()| row.file())
        .and_then(|f| match files.insert(f.clone()) {
            true => Ok(f),
            false => Err(format!("the file {f} is already written by an earlier row")),
        });
    let file = match file {
        Ok(f) => f,
        Err(e) => return fail(vec![e]),
    };
    // A paper that is not one careguide prints is reported with the row's other problems.
    let (paper, mut problems) = match row.paper(args) {
        Ok(p) => (p, vec![]),
        Err(e) => (args.paper, vec![e]),
    };
    let made = make_one(
        ctx,
        Some(name),
        &row.care(args),
        &row.options(args),
        paper,
        // A schedule with notes: its clinician's sheet beside the handout, never inside it.
        &|s| !crate::pdf::clinician_notes(s).is_empty(),
    );
    let made = match made {
        Ok(m) if problems.is_empty() => m,
        Ok(_) => return fail(problems),
        Err(Failure::Invalid(more)) => {
            problems.extend(more.iter().map(|p| p.labelled(&column)));
            return fail(problems);
        }
        Err(Failure::Usage(lines)) => {
            problems.extend(lines);
            return fail(problems);
        }
        Err(other) => return Err(other),
    };
    if let Err(e) = write_atomic(&dir.join(&file), &made.pdf, args.file_mode) {
        return fail(vec![e]);
    }
    tally.written += 1;
    match made.phone {
        PhoneSource::Site(p) => {
            tally.site_phone.push(row.no);
            tally.phone = p;
        }
        PhoneSource::Nowhere => tally.no_phone.push(row.no),
        PhoneSource::Given => {}
    }
    if made.visit_note.is_some() {
        tally.late_visit.push(row.no);
    }
    if let Some(sheet) = made.sheet {
        let stem = file.strip_suffix(".pdf").unwrap_or(&file);
        match write_atomic(
            &dir.join(format!("{stem}-clinician.pdf")),
            &sheet,
            args.file_mode,
        ) {
            Ok(()) => tally.sheets.push(row.no),
            // The handout is written, but the row is not done without its sheet.
            Err(e) => {
                tally.failed += 1;
                tally.errors.push(format!("{place}: {e}"));
            }
        }
    }
    Ok(())
}

/// `every row`, or `row(s) 1, 4, 9`.
fn rows_text(rows: &[usize], total: usize) -> String {
    if rows.len() == total && total > 1 {
        return "every row".to_string();
    }
    let list: Vec<String> = rows.iter().map(usize::to_string).collect();
    format!("row(s) {}", list.join(", "))
}

impl Tally {
    /// The batch's summary: the notes for the clinician, then what was written; an error when
    /// any row failed (the summary printed first).
    fn summary(self, dir: &Path, total: usize) -> Result<String, Failure> {
        let mut summary = String::new();
        if !self.sheets.is_empty() {
            summary.push_str(&format!(
                "notes for the clinician (what to check, defaults used) on {}: each is in the sheet beside its handout (NAME-clinician.pdf); read it before handing the handout over\n",
                rows_text(&self.sheets, total)
            ));
        }
        if !self.late_visit.is_empty() {
            summary.push_str(&format!(
                "note for the clinician on {}: the next visit is after the day the schedule ends (the patient then takes none): the handout's plan does not cover the days in between; check that this is intended\n",
                rows_text(&self.late_visit, total)
            ));
        }
        if !self.site_phone.is_empty() {
            summary.push_str(&format!(
                "note: phone for questions on {}: from [contact] phone in careguide.toml: {} (a phone column or --phone prints another)\n",
                rows_text(&self.site_phone, total),
                self.phone
            ));
        }
        if !self.no_phone.is_empty() {
            summary.push_str(&format!(
                "note: no phone for questions on {}: careguide.toml has no [contact] phone; a phone column or --phone prints one\n",
                rows_text(&self.no_phone, total)
            ));
        }
        summary += &format!(
            "wrote {} handout(s) to {}{}\n",
            self.written,
            dir.display(),
            if self.errors.is_empty() {
                String::new()
            } else {
                format!("; {} row(s) failed", self.failed)
            }
        );
        if self.errors.is_empty() {
            Ok(summary)
        } else {
            print!("{summary}");
            Err(Failure::Invalid(
                self.errors.into_iter().map(Problem::general).collect(),
            ))
        }
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
        | Field::Hold
        | Field::Clinician
        | Field::Phone
        | Field::NextVisit
        | Field::Paper => format!("column {}", field.id()),
        Field::PatientName => "column name".to_string(),
        other => option(other),
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
