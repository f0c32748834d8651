//! Writers of `hawkdove score`: CSV, JSON Lines and a readable table, one row per passage or
//! per document.

use std::io::Write;

use anstyle::{AnsiColor, Effects, Style};
use clap::ValueEnum;
use hawkdove::document::DocumentSummary;
use hawkdove::{Model, Prediction};
use serde_json::{json, Map, Value};

use crate::engine::{DocMeta, Driver, ScoredDocument, ScoredPassage, Sink};
use crate::error::{write_err, Result};

/// Output format of `score`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A readable table (the default on a terminal).
    Table,
    /// Comma-separated values with a header row (the default when piped).
    Csv,
    /// One JSON object per line.
    Jsonl,
}

/// One output row per passage or per document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Per {
    /// One row per passage.
    Passage,
    /// One row per document (a text file, or a row of a tabular input).
    Document,
}

/// Column names of ours; a carried column with one of these names is written as
/// `NAME_input`.
const OURS: &[&str] = &[
    "input", "line", "document", "passage", "start", "end", "text", "passages",
];

/// Output column name of a carried column.
pub fn carried_name(name: &str) -> String {
    let ours = OURS.contains(&name) || name.starts_with("stance_") || name.starts_with("sentiment_");
    if ours {
        format!("{name}_input")
    } else {
        name.to_string()
    }
}

/// The models whose outputs are written (for class names and poles).
pub struct Models<'m> {
    /// Stance model.
    pub stance: &'m Model,
    /// Sentiment model.
    pub sentiment: Option<&'m Model>,
}

impl Models<'_> {
    fn axes(&self) -> Vec<(&'static str, &Model)> {
        let mut v = vec![("stance", self.stance)];
        if let Some(s) = self.sentiment {
            v.push(("sentiment", s));
        }
        v
    }
}

/// Drivers as one field: `words +0.84; other words -0.52` (contributions to the pole log-odds).
pub fn drivers_field(drivers: &[Driver]) -> String {
    drivers
        .iter()
        .map(|d| format!("{} {:+.3}", d.words, d.contribution))
        .collect::<Vec<_>>()
        .join("; ")
}

fn drivers_json(model: &Model, drivers: &[Driver]) -> Value {
    let (neg, pos) = model.poles();
    Value::Array(
        drivers
            .iter()
            .map(|d| {
                json!({
                    "feature": d.feature,
                    "words": d.words,
                    "contribution": d.contribution,
                    "toward": if d.contribution > 0.0 { pos } else { neg },
                })
            })
            .collect(),
    )
}

fn num(x: f64) -> String {
    format!("{x}")
}

/// The CSV writer.
pub struct CsvSink<'m, W: Write> {
    out: csv::Writer<W>,
    models: Models<'m>,
    per: Per,
    drivers: bool,
    columns: Vec<String>,
    row: Vec<String>,
    warned: bool,
}

impl<'m, W: Write> CsvSink<'m, W> {
    /// A CSV writer on `out`.
    pub fn new(out: W, models: Models<'m>, per: Per, drivers: bool) -> Self {
        CsvSink {
            out: csv::WriterBuilder::new().from_writer(out),
            models,
            per,
            drivers,
            columns: Vec::new(),
            row: Vec::new(),
            warned: false,
        }
    }

    /// Flush and return the inner writer's result.
    pub fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(write_err)
    }

    fn carried(&mut self, doc: &DocMeta) {
        for c in &self.columns {
            let v = doc.fields.iter().find(|(k, _)| k == c).map(|(_, v)| v.to_field());
            self.row.push(v.unwrap_or_default());
        }
        if !self.warned && doc.fields.iter().any(|(k, _)| !self.columns.contains(k)) {
            self.warned = true;
            eprintln!(
                "warning: {}:{}: fields not in the first record are left out of the CSV output (use --format jsonl to keep them)",
                doc.input, doc.line
            );
        }
    }
}

impl<W: Write> Sink for CsvSink<'_, W> {
    fn begin(&mut self, columns: &[String]) -> Result<()> {
        self.columns = columns.to_vec();
        let mut header: Vec<String> = vec!["input".into(), "line".into(), "document".into()];
        if self.per == Per::Passage {
            header.extend(["passage", "start", "end"].map(String::from));
        }
        header.extend(columns.iter().map(|c| carried_name(c)));
        if self.per == Per::Passage {
            header.push("text".into());
        } else {
            header.push("passages".into());
        }
        for (axis, model) in self.models.axes() {
            header.push(format!("{axis}_label"));
            header.push(format!("{axis}_score"));
            if self.per == Per::Document {
                header.push(format!("{axis}_lower"));
                header.push(format!("{axis}_upper"));
            }
            header.extend(model.classes().iter().map(|c| format!("{axis}_p_{c}")));
            if self.per == Per::Document {
                header.extend(model.classes().iter().map(|c| format!("{axis}_share_{c}")));
            }
            if self.drivers {
                header.push(format!("{axis}_drivers"));
            }
            header.push(format!("{axis}_abstained"));
        }
        self.out.write_record(&header)?;
        Ok(())
    }

    fn passage(&mut self, p: &ScoredPassage<'_>) -> Result<()> {
        if self.per != Per::Passage {
            return Ok(());
        }
        self.row.clear();
        self.row.push(p.doc.input.to_string());
        self.row.push(p.doc.line.to_string());
        self.row.push(p.doc.index.to_string());
        self.row.push(p.passage.to_string());
        self.row.push(p.span.start.to_string());
        self.row.push(p.span.end.to_string());
        self.carried(p.doc);
        self.row.push(p.text.to_string());
        let mut axes = vec![(p.stance, p.stance_drivers, self.models.stance.classes().len())];
        if let (Some(s), Some(m)) = (p.sentiment, self.models.sentiment) {
            axes.push((s, p.sentiment_drivers, m.classes().len()));
        }
        for (pred, drivers, k) in axes {
            match &pred.abstained {
                Some(reason) => {
                    self.row.extend(std::iter::repeat_n(String::new(), 2 + k));
                    if self.drivers {
                        self.row.push(String::new());
                    }
                    self.row.push(reason.to_string());
                }
                None => {
                    self.row.push(pred.label.clone());
                    self.row.push(num(pred.score));
                    self.row.extend(pred.probabilities.iter().map(|&x| num(x)));
                    if self.drivers {
                        self.row.push(drivers_field(drivers));
                    }
                    self.row.push(String::new());
                }
            }
        }
        self.out.write_record(&self.row)?;
        Ok(())
    }

    fn document(&mut self, d: &ScoredDocument<'_>) -> Result<()> {
        if self.per != Per::Document {
            return Ok(());
        }
        self.row.clear();
        self.row.push(d.doc.input.to_string());
        self.row.push(d.doc.line.to_string());
        self.row.push(d.doc.index.to_string());
        self.carried(d.doc);
        self.row.push(d.n_passages.to_string());
        let mut axes = vec![(&d.stance, &d.stance_drivers)];
        if let Some(s) = &d.sentiment {
            axes.push((s, &d.sentiment_drivers));
        }
        for (summary, drivers) in axes {
            let scored = summary.n_abstained < d.n_passages;
            if scored {
                self.row.push(document_label(summary));
                self.row.push(num(summary.score));
                self.row.push(num(summary.interval[0]));
                self.row.push(num(summary.interval[1]));
                self.row.extend(summary.mean_probabilities.iter().map(|(_, x)| num(*x)));
                self.row.extend(summary.class_shares.iter().map(|(_, x)| num(*x)));
            } else {
                self.row
                    .extend(std::iter::repeat_n(String::new(), 4 + 2 * summary.class_shares.len()));
            }
            if self.drivers {
                self.row.push(drivers_field(drivers));
            }
            self.row.push(summary.n_abstained.to_string());
        }
        self.out.write_record(&self.row)?;
        Ok(())
    }
}

/// A document's label: the class of largest mean probability.
pub fn document_label(s: &DocumentSummary) -> String {
    s.mean_probabilities
        .iter()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(c, _)| c.clone())
        .unwrap_or_default()
}

/// The JSON Lines writer.
pub struct JsonlSink<'m, W: Write> {
    out: W,
    models: Models<'m>,
    per: Per,
    drivers: bool,
}

impl<'m, W: Write> JsonlSink<'m, W> {
    /// A JSON Lines writer on `out`.
    pub fn new(out: W, models: Models<'m>, per: Per, drivers: bool) -> Self {
        JsonlSink {
            out,
            models,
            per,
            drivers,
        }
    }

    /// Flush the output.
    pub fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(write_err)
    }

    fn prediction(&self, model: &Model, p: &Prediction, drivers: &[Driver]) -> Value {
        match &p.abstained {
            Some(reason) => json!({"label": null, "score": null, "abstained": reason.to_string()}),
            None => {
                let probabilities: Map<String, Value> = model
                    .classes()
                    .iter()
                    .zip(&p.probabilities)
                    .map(|(c, v)| (c.clone(), json!(v)))
                    .collect();
                let mut v = json!({"label": p.label, "score": p.score, "probabilities": probabilities});
                if self.drivers {
                    v["drivers"] = drivers_json(model, drivers);
                }
                v
            }
        }
    }

    fn summary(&self, model: &Model, s: &DocumentSummary, n: usize, drivers: &[Driver]) -> Value {
        let shares: Map<String, Value> = s.class_shares.iter().map(|(c, v)| (c.clone(), json!(v))).collect();
        let probabilities: Map<String, Value> = s
            .mean_probabilities
            .iter()
            .map(|(c, v)| (c.clone(), json!(v)))
            .collect();
        let mut v = if s.n_abstained < n {
            json!({"label": document_label(s), "score": s.score, "interval": s.interval, "confidence": s.confidence,
                   "probabilities": probabilities, "class_shares": shares, "abstained": s.n_abstained})
        } else {
            json!({"label": null, "score": null, "abstained": s.n_abstained})
        };
        if self.drivers {
            v["drivers"] = drivers_json(model, drivers);
        }
        v
    }
}

fn fields_json(doc: &DocMeta) -> Value {
    Value::Object(doc.fields.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
}

impl<W: Write> Sink for JsonlSink<'_, W> {
    fn begin(&mut self, _columns: &[String]) -> Result<()> {
        Ok(())
    }

    fn passage(&mut self, p: &ScoredPassage<'_>) -> Result<()> {
        if self.per != Per::Passage {
            return Ok(());
        }
        let mut obj = json!({
            "input": &*p.doc.input,
            "line": p.doc.line,
            "document": p.doc.index,
            "passage": p.passage,
            "span": [p.span.start, p.span.end],
            "fields": fields_json(p.doc),
            "text": p.text,
            "stance": self.prediction(self.models.stance, p.stance, p.stance_drivers),
        });
        if let (Some(s), Some(m)) = (p.sentiment, self.models.sentiment) {
            obj["sentiment"] = self.prediction(m, s, p.sentiment_drivers);
        }
        serde_json::to_writer(&mut self.out, &obj).map_err(|e| write_err(e.into()))?;
        self.out.write_all(b"\n").map_err(write_err)
    }

    fn document(&mut self, d: &ScoredDocument<'_>) -> Result<()> {
        if self.per != Per::Document {
            return Ok(());
        }
        let mut obj = json!({
            "input": &*d.doc.input,
            "line": d.doc.line,
            "document": d.doc.index,
            "fields": fields_json(d.doc),
            "passages": d.n_passages,
            "stance": self.summary(self.models.stance, &d.stance, d.n_passages, &d.stance_drivers),
        });
        if let (Some(s), Some(m)) = (&d.sentiment, self.models.sentiment) {
            obj["sentiment"] = self.summary(m, s, d.n_passages, &d.sentiment_drivers);
        }
        serde_json::to_writer(&mut self.out, &obj).map_err(|e| write_err(e.into()))?;
        self.out.write_all(b"\n").map_err(write_err)
    }
}

/// Styles of the table (plain when colour is off).
#[derive(Debug, Clone, Copy)]
pub struct Paint {
    /// Whether to colour.
    pub color: bool,
}

impl Paint {
    /// `s` in `style`.
    pub fn paint(&self, style: Style, s: &str) -> String {
        if self.color {
            format!("{}{s}{}", style.render(), style.render_reset())
        } else {
            s.to_string()
        }
    }

    /// `s` coloured by the sign of `score`: toward the positive pole red, toward the negative
    /// blue, near zero dim.
    pub fn by_score(&self, score: f64, s: &str) -> String {
        self.paint(score_style(score), s)
    }
}

/// Red toward the positive pole, blue toward the negative, dim in between.
pub fn score_style(score: f64) -> Style {
    if score > 0.2 {
        Style::new().fg_color(Some(AnsiColor::Red.into()))
    } else if score < -0.2 {
        Style::new().fg_color(Some(AnsiColor::Blue.into()))
    } else {
        Style::new().effects(Effects::DIMMED)
    }
}

/// Bold.
pub fn bold() -> Style {
    Style::new().effects(Effects::BOLD)
}

/// Shorten `s` to one line of at most `n` characters.
pub fn truncate(s: &str, n: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= n {
        flat
    } else {
        let cut: String = flat.chars().take(n.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

/// Drivers for the table: `+word, −word` (+ toward the positive pole).
pub fn drivers_short(paint: Paint, drivers: &[Driver]) -> String {
    drivers
        .iter()
        .map(|d| {
            let sign = if d.contribution > 0.0 { "+" } else { "−" };
            paint.by_score(d.contribution, &format!("{sign}{}", d.words))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// The readable table.
pub struct TableSink<'m, W: Write> {
    out: W,
    models: Models<'m>,
    per: Per,
    paint: Paint,
    header_for: Option<usize>,
}

impl<'m, W: Write> TableSink<'m, W> {
    /// A table writer on `out`.
    pub fn new(out: W, models: Models<'m>, per: Per, paint: Paint) -> Self {
        TableSink {
            out,
            models,
            per,
            paint,
            header_for: None,
        }
    }

    /// Flush the output.
    pub fn finish(mut self) -> Result<()> {
        self.out.flush().map_err(write_err)
    }

    fn cells(&self, p: Option<&Prediction>) -> (String, String) {
        match p {
            None => (String::new(), String::new()),
            Some(p) => match &p.abstained {
                Some(_) => (format!("{:>6}", "—"), "unknown".to_string()),
                None => (
                    self.paint.by_score(p.score, &format!("{:>+6.2}", p.score)),
                    p.label.clone(),
                ),
            },
        }
    }

    fn doc_title(doc: &DocMeta) -> String {
        if doc.fields.is_empty() && doc.line <= 1 {
            format!("== {}", doc.input)
        } else {
            let fields: Vec<String> = doc
                .fields
                .iter()
                .map(|(k, v)| format!("{k}={}", truncate(&v.to_field(), 30)))
                .collect();
            format!("== {}:{} {}", doc.input, doc.line, fields.join(" "))
        }
    }
}

impl<W: Write> Sink for TableSink<'_, W> {
    fn begin(&mut self, _columns: &[String]) -> Result<()> {
        if self.per == Per::Document {
            let line = format!(
                "{:<40}  {:>5}  {:>6} {:<24} {:<12}  {:>6} {:<9}  drivers",
                "document", "pass.", "stance", "(95% interval)", "", "sent.", ""
            );
            writeln!(self.out, "{}", self.paint.paint(bold(), &line)).map_err(write_err)?;
        }
        Ok(())
    }

    fn passage(&mut self, p: &ScoredPassage<'_>) -> Result<()> {
        if self.per != Per::Passage {
            return Ok(());
        }
        if self.header_for != Some(p.doc.index) {
            self.header_for = Some(p.doc.index);
            writeln!(self.out, "{}", self.paint.paint(bold(), &Self::doc_title(p.doc))).map_err(write_err)?;
            writeln!(
                self.out,
                "{:>4}  {:>6} {:<12}  {:>6} {:<9}  passage  [drivers]",
                "#", "stance", "", "sent.", ""
            )
            .map_err(write_err)?;
        }
        let (st_score, st_label) = self.cells(Some(p.stance));
        let (se_score, se_label) = self.cells(p.sentiment);
        let note = match &p.stance.abstained {
            Some(reason) => format!("[no label: {reason}]"),
            None => format!("[{}]", drivers_short(self.paint, p.stance_drivers)),
        };
        writeln!(
            self.out,
            "{:>4}  {} {:<12}  {} {:<9}  {}  {}",
            p.passage + 1,
            st_score,
            st_label,
            se_score,
            se_label,
            truncate(p.text, 70),
            note
        )
        .map_err(write_err)
    }

    fn document(&mut self, d: &ScoredDocument<'_>) -> Result<()> {
        let n = d.n_passages;
        let (neg, pos) = self.models.stance.poles();
        if self.per == Per::Document {
            let name = truncate(Self::doc_title(d.doc).trim_start_matches("== "), 40);
            let s = &d.stance;
            let (score, interval, label) = if s.n_abstained < n {
                (
                    self.paint.by_score(s.score, &format!("{:>+6.2}", s.score)),
                    format!("[{:+.2}, {:+.2}]", s.interval[0], s.interval[1]),
                    document_label(s),
                )
            } else {
                (format!("{:>6}", "—"), String::new(), "unknown".into())
            };
            let (sent, sent_label) = match &d.sentiment {
                Some(x) if x.n_abstained < n => (
                    self.paint.by_score(x.score, &format!("{:>+6.2}", x.score)),
                    document_label(x),
                ),
                _ => (format!("{:>6}", "—"), String::new()),
            };
            return writeln!(
                self.out,
                "{name:<40}  {n:>5}  {score} {interval:<24} {label:<12}  {sent} {sent_label:<9}  {}",
                drivers_short(self.paint, &d.stance_drivers)
            )
            .map_err(write_err);
        }
        if n == 0 {
            return writeln!(
                self.out,
                "{}",
                self.paint.paint(Style::new().effects(Effects::DIMMED), "(no passages)")
            )
            .map_err(write_err);
        }
        let shares = |s: &DocumentSummary| {
            s.class_shares
                .iter()
                .map(|(c, v)| format!("{c} {:.0}%", v * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let s = &d.stance;
        writeln!(
            self.out,
            "document stance {:+.3} [{:+.3}, {:+.3}] ({:.0}% bootstrap interval; −1 {neg} … +1 {pos}); {n} passages: {}",
            s.score,
            s.interval[0],
            s.interval[1],
            s.confidence * 100.0,
            shares(s)
        )
        .map_err(write_err)?;
        let mut axes = vec![("stance", s)];
        if let Some(x) = &d.sentiment {
            axes.push(("sentiment", x));
        }
        for (what, x) in &axes {
            if x.n_abstained == n {
                writeln!(self.out, "left out: no passage had a {what} label (another language, or nothing the model knows): the document {what} above means nothing").map_err(write_err)?;
            } else if x.n_abstained > 0 {
                writeln!(
                    self.out,
                    "left out: {} of {n} passages had no {what} label (another language, or nothing the model knows)",
                    x.n_abstained
                )
                .map_err(write_err)?;
            }
        }
        if let Some(x) = &d.sentiment {
            writeln!(
                self.out,
                "document sentiment {:+.3} [{:+.3}, {:+.3}]; passages: {}",
                x.score,
                x.interval[0],
                x.interval[1],
                shares(x)
            )
            .map_err(write_err)?;
        }
        if !d.stance_drivers.is_empty() {
            writeln!(
                self.out,
                "document drivers: {}",
                drivers_short(self.paint, &d.stance_drivers)
            )
            .map_err(write_err)?;
        }
        Ok(())
    }
}
