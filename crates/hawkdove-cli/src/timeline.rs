//! `hawkdove timeline`: score every document (row) of a dated collection and report the score
//! per period (and group) with its bootstrap interval, the detected shifts with the passages
//! that moved most, and a plot.

use std::io::Write;
use std::path::PathBuf;

use clap::{Args, ValueEnum};
use hawkdove::document::{DocumentOptions, Segmentation};
use hawkdove::timeline::{parse_date, timeline, Period, Shift, Timeline, TimelineDocument, TimelineOptions};
use hawkdove::Model;
use serde_json::{json, Value};

use crate::engine::{Engine, ScoredDocument, ScoredPassage, Sink};
use crate::error::{write_err, CliError, Result};
use crate::input::{self, InputFormat};
use crate::output::{bold, carried_name, truncate, Paint};
use crate::plot::{self, PlotLabels};
use crate::progress::Progress;

/// Output format of `timeline`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TimelineFormat {
    /// A readable table and the shifts with their evidence.
    Table,
    /// One row per period (and group), with the shift that starts there (the default); the
    /// shifts and their evidence also go to standard error unless --quiet.
    Csv,
    /// One JSON object: the rows, and the shifts with their evidence passages.
    Json,
}

fn parse_period(s: &str) -> std::result::Result<Period, String> {
    s.parse::<Period>().map_err(|e| e.to_string())
}

/// Arguments of `hawkdove timeline`.
#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// Tabular inputs (CSV, TSV, JSON Lines; `-` for standard input with --input-format), one
    /// document per row.
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Column holding each document's date (2024-03-05, or a date and time).
    #[arg(long, default_value = "date")]
    pub date_column: String,
    /// Column holding the text.
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// Length of a period: day, week (from Monday), month, quarter or year.
    #[arg(long, value_parser = parse_period, default_value = "month")]
    pub by: Period,
    /// One series per value of this column (e.g. actor or source).
    #[arg(long)]
    pub group_by: Option<String>,
    /// How to read the inputs (auto: by extension).
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    /// Output format (default: CSV, or JSON with `-o FILE.json`).
    #[arg(long, value_enum)]
    pub format: Option<TimelineFormat>,
    /// Write the output to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Draw the series, its interval band and the shifts into this file (.svg or .png).
    #[arg(long)]
    pub plot: Option<PathBuf>,
    /// Bootstrap resamples (documents resampled within each period) for the intervals.
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Random permutations behind each shift's p-value.
    #[arg(long, default_value_t = 999)]
    pub permutations: usize,
    /// Seed of the bootstrap and the permutations.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Largest p-value at which a shift is reported.
    #[arg(long, default_value_t = 0.05)]
    pub alpha: f64,
    /// Confidence level of the intervals.
    #[arg(long, default_value_t = 0.95)]
    pub confidence: f64,
    /// Most shifts reported per group (0: no shift detection).
    #[arg(long, default_value_t = 3)]
    pub max_shifts: usize,
    /// Fewest documents on each side of a shift.
    #[arg(long, default_value_t = 5)]
    pub min_documents: usize,
    /// Passages given as evidence for each shift.
    #[arg(long, default_value_t = 3)]
    pub evidence: usize,
    /// Chart sentiment instead of stance.
    #[arg(long)]
    pub sentiment: bool,
    /// A model file to use instead of the bundled one.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Treat every non-empty line of a document as one passage (no sentence segmentation).
    #[arg(long)]
    pub lines: bool,
}

/// A scored document's place and its scored passages' text (for the evidence).
struct Source {
    input: String,
    line: u64,
    passages: Vec<String>,
}

/// Collects [`TimelineDocument`]s from the scores.
struct Collect<'a> {
    args: &'a TimelineArgs,
    /// The inputs' names, for errors about their columns.
    names: String,
    docs: Vec<TimelineDocument>,
    sources: Vec<Source>,
    scores: Vec<f64>,
    labels: Vec<usize>,
    texts: Vec<String>,
    abstained: usize,
}

impl Sink for Collect<'_> {
    fn begin(&mut self, columns: &[String]) -> Result<()> {
        let mut wanted = vec![&self.args.date_column];
        wanted.extend(self.args.group_by.as_ref());
        for c in wanted {
            if !columns.contains(c) {
                return Err(CliError::input(
                    &self.names,
                    Some(1),
                    format!("no column named {c:?} (columns: {})", columns.join(", ")),
                ));
            }
        }
        Ok(())
    }

    fn passage(&mut self, p: &ScoredPassage<'_>) -> Result<()> {
        if p.stance.abstained.is_some() {
            self.abstained += 1;
        } else {
            self.scores.push(p.stance.score);
            self.labels.push(p.stance.class_index);
            self.texts.push(p.text.to_string());
        }
        Ok(())
    }

    fn document(&mut self, d: &ScoredDocument<'_>) -> Result<()> {
        let field = |name: &str| d.doc.fields.iter().find(|(k, _)| k == name).map(|(_, v)| v.to_field());
        let place = |message: String| CliError::input(&d.doc.input, Some(d.doc.line), message);
        let date_text =
            field(&self.args.date_column).ok_or_else(|| place(format!("no {:?} field", self.args.date_column)))?;
        let date = parse_date(&date_text).map_err(|e| place(format!("column {:?}: {e}", self.args.date_column)))?;
        let group = self.args.group_by.as_deref().map(|g| field(g).unwrap_or_default());
        self.docs.push(TimelineDocument {
            date,
            group,
            passage_scores: std::mem::take(&mut self.scores),
            passage_labels: std::mem::take(&mut self.labels),
            n_abstained: std::mem::take(&mut self.abstained),
        });
        self.sources.push(Source {
            input: d.doc.input.to_string(),
            line: d.doc.line,
            passages: std::mem::take(&mut self.texts),
        });
        Ok(())
    }
}

/// Run `hawkdove timeline`.
pub fn run(
    args: &TimelineArgs,
    quiet: bool,
    color: crate::ColorChoice,
    cancel: &(dyn Fn() -> bool + Sync),
) -> Result<()> {
    let inputs = input::expand(&args.inputs, args.input_format)?;
    if let Some(text) = inputs.iter().find(|i| !i.is_tabular()) {
        return Err(CliError::Usage(format!(
            "{}: timeline reads tabular inputs (CSV, TSV, JSON Lines) with a {:?} column; give --input-format for other extensions",
            text.name, args.date_column
        )));
    }
    if let Some(path) = &args.plot {
        let ext = path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
        if !matches!(ext.as_deref(), Some("svg" | "png")) {
            return Err(CliError::Usage(format!(
                "--plot {}: the file name must end in .svg or .png",
                path.display()
            )));
        }
    }
    let opts = TimelineOptions {
        period: args.by,
        n_boot: args.bootstrap,
        confidence: args.confidence,
        seed: args.seed,
        shift_alpha: args.alpha,
        min_documents: args.min_documents,
        max_shifts: args.max_shifts,
        n_permutations: args.permutations,
        n_evidence: args.evidence,
    };
    opts.validate()?;
    let model = match (&args.model, args.sentiment) {
        (Some(p), _) => Model::load(p)?,
        (None, false) => Model::bundled_stance()?,
        (None, true) => Model::bundled_sentiment()?,
    };
    let engine = Engine {
        stance: &model,
        sentiment: None,
        options: DocumentOptions {
            segmentation: if args.lines {
                Segmentation::Lines
            } else {
                Segmentation::Sentences
            },
            bootstrap: 0,
            ..DocumentOptions::default()
        },
        drivers: 0,
        document_drivers: false,
        text_column: args.text_column.clone(),
    };
    let mut collect = Collect {
        args,
        names: inputs.iter().map(|i| i.name.as_str()).collect::<Vec<_>>().join(", "),
        docs: Vec::new(),
        sources: Vec::new(),
        scores: Vec::new(),
        labels: Vec::new(),
        texts: Vec::new(),
        abstained: 0,
    };
    {
        let total: Option<u64> = inputs.iter().map(input::size).sum();
        let progress = Progress::new(!quiet, total, "scoring");
        engine.run(&inputs, &mut collect, &progress, cancel)?;
    }
    if collect.docs.is_empty() {
        return Err(CliError::input(
            &inputs.first().map_or(String::new(), |i| i.name.clone()),
            None,
            "no rows",
        ));
    }
    let t = timeline(&collect.docs, model.classes().len(), &opts)?;
    let axis = if args.sentiment { "sentiment" } else { "stance" };
    if let Some(path) = &args.plot {
        let names: Vec<String> = args.inputs.iter().map(|p| p.display().to_string()).collect();
        let title = format!("{} by {}: {}", capitalised(axis), args.by.name(), names.join(", "));
        plot::draw(
            path,
            &t,
            args.by,
            &PlotLabels {
                title: &title,
                poles: model.poles(),
                axis,
                confidence: args.confidence,
            },
        )?;
    }
    let (mut out, tty) = crate::open_output(args.output.as_ref())?;
    let format = args.format.unwrap_or(match &args.output {
        Some(p) if p.extension().is_some_and(|e| e == "json") => TimelineFormat::Json,
        _ => TimelineFormat::Csv,
    });
    let report = Report {
        args,
        model: &model,
        t: &t,
        sources: &collect.sources,
        axis,
    };
    match format {
        TimelineFormat::Csv => {
            report.csv(&mut out)?;
            if !quiet && !t.shifts.is_empty() {
                let paint = Paint {
                    color: crate::use_color(color, std::io::IsTerminal::is_terminal(&std::io::stderr())),
                };
                report.shifts_text(&mut std::io::stderr().lock(), paint)?;
            }
        }
        TimelineFormat::Json => report.json(&mut out)?,
        TimelineFormat::Table => {
            let paint = Paint {
                color: crate::use_color(color, tty),
            };
            report.table(&mut out, paint)?;
        }
    }
    out.flush().map_err(write_err)
}

fn capitalised(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

struct Report<'a> {
    args: &'a TimelineArgs,
    model: &'a Model,
    t: &'a Timeline,
    sources: &'a [Source],
    axis: &'a str,
}

impl Report<'_> {
    fn shift_at(&self, group: Option<&str>, period: chrono::NaiveDate) -> Option<&Shift> {
        self.t
            .shifts
            .iter()
            .find(|s| s.group.as_deref() == group && s.date == period)
    }

    fn evidence_text(&self, document: usize, passage: usize) -> (&str, u64, &str) {
        self.sources.get(document).map_or(("", 0, ""), |s| {
            (
                s.input.as_str(),
                s.line,
                s.passages.get(passage).map_or("", String::as_str),
            )
        })
    }

    fn csv(&self, out: &mut dyn Write) -> Result<()> {
        let mut w = csv::Writer::from_writer(out);
        let mut header: Vec<String> = vec!["period".into()];
        if let Some(g) = &self.args.group_by {
            header.push(carried_name(g));
        }
        header.extend(["score", "lower", "upper", "n_documents", "n_passages", "n_abstained"].map(String::from));
        header.extend(self.model.classes().iter().map(|c| format!("share_{c}")));
        header.extend(["shift_size", "shift_lower", "shift_upper", "shift_p_value"].map(String::from));
        w.write_record(&header)?;
        let num = |x: f64| if x.is_finite() { format!("{x}") } else { String::new() };
        for r in &self.t.rows {
            let mut row: Vec<String> = vec![r.period.to_string()];
            if self.args.group_by.is_some() {
                row.push(r.group.clone().unwrap_or_default());
            }
            row.extend([num(r.score), num(r.lower), num(r.upper)]);
            row.extend([r.n_documents, r.n_passages, r.n_abstained].map(|n| n.to_string()));
            row.extend(r.class_shares.iter().map(|&x| num(x)));
            match self.shift_at(r.group.as_deref(), r.period) {
                Some(s) => row.extend([num(s.size), num(s.lower), num(s.upper), num(s.p_value)]),
                None => row.extend(std::iter::repeat_n(String::new(), 4)),
            }
            w.write_record(&row)?;
        }
        w.flush().map_err(write_err)
    }

    fn json(&self, out: &mut dyn Write) -> Result<()> {
        let classes = self.model.classes();
        let rows: Vec<Value> = self
            .t
            .rows
            .iter()
            .map(|r| {
                let shares: serde_json::Map<String, Value> = classes
                    .iter()
                    .zip(&r.class_shares)
                    .map(|(c, v)| (c.clone(), json!(v)))
                    .collect();
                json!({"period": r.period.to_string(), "group": r.group, "score": finite(r.score),
                       "lower": finite(r.lower), "upper": finite(r.upper), "n_documents": r.n_documents,
                       "n_passages": r.n_passages, "n_abstained": r.n_abstained, "class_shares": shares})
            })
            .collect();
        let shifts: Vec<Value> = self
            .t
            .shifts
            .iter()
            .map(|s| {
                let evidence: Vec<Value> = s
                    .evidence
                    .iter()
                    .map(|e| {
                        let (input, line, text) = self.evidence_text(e.document, e.passage);
                        json!({"input": input, "line": line, "document": e.document, "passage": e.passage,
                               "score": e.score, "text": text})
                    })
                    .collect();
                json!({"group": s.group, "date": s.date.to_string(), "before": s.before, "after": s.after,
                       "size": s.size, "lower": s.lower, "upper": s.upper, "p_value": s.p_value,
                       "evidence": evidence})
            })
            .collect();
        let (neg, pos) = self.model.poles();
        let doc = json!({
            "axis": self.axis,
            "period": self.args.by.name(),
            "classes": classes,
            "poles": [neg, pos],
            "confidence": self.args.confidence,
            "rows": rows,
            "shifts": shifts,
        });
        serde_json::to_writer_pretty(&mut *out, &doc).map_err(|e| write_err(e.into()))?;
        writeln!(out).map_err(write_err)
    }

    fn table(&self, out: &mut dyn Write, paint: Paint) -> Result<()> {
        let group_width = self
            .t
            .rows
            .iter()
            .filter_map(|r| r.group.as_ref().map(|g| g.chars().count().min(24)))
            .max()
            .unwrap_or(0);
        let classes = self.model.classes();
        let mut head = format!("{:<10}  ", "period");
        if self.args.group_by.is_some() {
            head.push_str(&format!("{:<w$}  ", "group", w = group_width.max(5)));
        }
        head.push_str(&format!(
            "{:>6}  {:<18} {:>5} {:>8}  {}",
            self.axis,
            format!("({:.0}% interval)", self.args.confidence * 100.0),
            "docs",
            "passages",
            classes.join(" / ")
        ));
        writeln!(out, "{}", paint.paint(bold(), &head)).map_err(write_err)?;
        for r in &self.t.rows {
            let mut line = format!("{:<10}  ", r.period.to_string());
            if self.args.group_by.is_some() {
                line.push_str(&format!(
                    "{:<w$}  ",
                    truncate(r.group.as_deref().unwrap_or(""), 24),
                    w = group_width.max(5)
                ));
            }
            let score = if r.score.is_finite() {
                paint.by_score(r.score, &format!("{:>+6.2}", r.score))
            } else {
                format!("{:>6}", "—")
            };
            let shares: Vec<String> = r.class_shares.iter().map(|x| format!("{:.0}%", x * 100.0)).collect();
            line.push_str(&format!(
                "{score}  {:<18} {:>5} {:>8}  {}",
                format!("[{:+.2}, {:+.2}]", r.lower, r.upper),
                r.n_documents,
                r.n_passages,
                shares.join(" / ")
            ));
            if let Some(s) = self.shift_at(r.group.as_deref(), r.period) {
                line.push_str(&paint.paint(bold(), &format!("  ◀ shift {:+.2}", s.size)));
            }
            writeln!(out, "{line}").map_err(write_err)?;
        }
        self.shifts_text(out, paint)
    }

    /// The shifts, each with its evidence passages, as text.
    fn shifts_text(&self, out: &mut dyn Write, paint: Paint) -> Result<()> {
        if self.t.shifts.is_empty() {
            return writeln!(
                out,
                "no shift detected (p < {} with {} permutations)",
                self.args.alpha, self.args.permutations
            )
            .map_err(write_err);
        }
        for s in &self.t.shifts {
            let who = s.group.as_deref().map(|g| format!("{g}: ")).unwrap_or_default();
            let head = format!(
                "{who}shift from {}: {:+.2} → {:+.2}, size {:+.2} [{:+.2}, {:+.2}] ({:.0}% interval), p = {:.3}",
                s.date,
                s.before,
                s.after,
                s.size,
                s.lower,
                s.upper,
                self.args.confidence * 100.0,
                s.p_value
            );
            writeln!(out, "{}", paint.paint(bold(), &head)).map_err(write_err)?;
            for e in &s.evidence {
                let (input, line, text) = self.evidence_text(e.document, e.passage);
                writeln!(
                    out,
                    "  {}  {}  ({input}:{line})",
                    paint.by_score(e.score, &format!("{:+.2}", e.score)),
                    truncate(text, 100)
                )
                .map_err(write_err)?;
            }
        }
        Ok(())
    }
}

fn finite(x: f64) -> Value {
    if x.is_finite() {
        json!(x)
    } else {
        Value::Null
    }
}
