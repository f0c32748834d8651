//! The bundled example classifier: score articles passage by passage for stance and sentiment.
//!
//! ```text
//! cargo run --release --example classify -- [FILE ...]        # stdin when no file
//!     --lines                  one passage per input line (no segmentation)
//!     --json                   one JSON object per passage, then one per document
//!     --model PATH             a saved stance model instead of the bundled one
//!     --sentiment-model PATH   a saved sentiment model instead of the bundled one
//!     --explain N              show/emit the N strongest contributions per passage
//!     --color auto|always|never
//! ```

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use hawkdove::document::{
    passage_weight, passages, DocumentAggregator, DocumentOptions, DocumentSummary, Segmentation, DOCUMENT_CHUNK,
};
use hawkdove::explain::Explanation;
use hawkdove::{Model, Prediction};
use serde_json::{json, Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Parser)]
#[command(about = "Score text passage by passage: conciliatory ↔ hard-line stance, and sentiment")]
struct Cli {
    /// Files to score (UTF-8 text); standard input when none.
    files: Vec<PathBuf>,
    /// Treat every non-empty line as one passage.
    #[arg(long)]
    lines: bool,
    /// Write JSON lines instead of a table.
    #[arg(long)]
    json: bool,
    /// A stance model file to use instead of the bundled one.
    #[arg(long)]
    model: Option<PathBuf>,
    /// A sentiment model file to use instead of the bundled one.
    #[arg(long)]
    sentiment_model: Option<PathBuf>,
    /// Number of strongest contributions to show per passage (default 3 in the table; with
    /// --json, explanations are included only when this is given).
    #[arg(long)]
    explain: Option<usize>,
    /// Colour the table.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// Seed of the bootstrap interval.
    #[arg(long, default_value_t = 0)]
    seed: u64,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Input is read and scored at most this many bytes at a time, cut after the last blank line
/// (the last line break in `--lines` mode) so that passages are the same as from the whole
/// text; a chunk without one is cut at its last line break or whitespace. Memory stays bounded
/// whatever the input's size (a 2 GiB file was read whole before).
const READ_CHUNK: usize = 1 << 20;

/// An input read in chunks (see [`READ_CHUNK`]).
struct Chunks {
    name: String,
    reader: Box<dyn Read>,
    buf: Vec<u8>,
    eof: bool,
    lines_mode: bool,
    /// Bytes and line breaks before `buf`.
    offset: usize,
    lines: usize,
}

impl Chunks {
    fn open(path: Option<&PathBuf>, lines_mode: bool) -> Result<Chunks, String> {
        let (name, reader): (String, Box<dyn Read>) = match path {
            Some(p) => (
                p.display().to_string(),
                Box::new(std::fs::File::open(p).map_err(|e| format!("{}: {e}", p.display()))?),
            ),
            None => ("<stdin>".to_string(), Box::new(std::io::stdin())),
        };
        Ok(Chunks {
            name,
            reader,
            buf: Vec::new(),
            eof: false,
            lines_mode,
            offset: 0,
            lines: 0,
        })
    }

    /// The next chunk: its byte offset in the input and its text; `None` at the end.
    fn next_chunk(&mut self) -> Result<Option<(usize, String)>, String> {
        while self.buf.len() < READ_CHUNK && !self.eof {
            let want = (READ_CHUNK - self.buf.len()) as u64;
            let got = (&mut self.reader)
                .take(want)
                .read_to_end(&mut self.buf)
                .map_err(|e| format!("{}: {e}", self.name))?;
            self.eof = got == 0;
        }
        if self.offset == 0 && self.buf.starts_with(b"\xef\xbb\xbf") {
            // A UTF-8 byte-order mark is not text (offsets still count it).
            self.buf.drain(..3);
            self.offset = 3;
        }
        if self.buf.is_empty() {
            return Ok(None);
        }
        let cut = if self.eof {
            self.buf.len()
        } else {
            boundary(&self.buf, self.lines_mode)
        };
        let rest = self.buf.split_off(cut);
        let chunk = std::mem::replace(&mut self.buf, rest);
        let offset = self.offset;
        let first_line = self.lines + 1;
        self.offset += chunk.len();
        self.lines += chunk.iter().filter(|&&b| b == b'\n').count();
        match String::from_utf8(chunk) {
            Ok(text) => Ok(Some((offset, text))),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let good = e.as_bytes().get(..at).unwrap_or_default();
                let line = first_line + good.iter().filter(|&&b| b == b'\n').count();
                Err(format!(
                    "{}:{line}: invalid UTF-8 at byte offset {}",
                    self.name,
                    offset + at
                ))
            }
        }
    }
}

/// Where to cut a full buffer: after its last blank line (after its last line break in lines
/// mode), else after its last line break or whitespace, else at its last character boundary.
fn boundary(buf: &[u8], lines_mode: bool) -> usize {
    let breaks = || {
        buf.iter()
            .enumerate()
            .rev()
            .filter(|(_, &b)| b == b'\n')
            .map(|(i, _)| i)
    };
    if !lines_mode {
        let mut later: Option<usize> = None;
        for i in breaks() {
            if let Some(j) = later {
                if buf.get(i + 1..j).is_some_and(|l| l.iter().all(u8::is_ascii_whitespace)) {
                    return j + 1;
                }
            }
            later = Some(i);
        }
    }
    if let Some(i) = breaks().next() {
        return i + 1;
    }
    if let Some(i) = buf.iter().rposition(u8::is_ascii_whitespace) {
        return i + 1;
    }
    let mut p = buf.len().saturating_sub(1);
    while p > 0 && buf.get(p).is_some_and(|b| b & 0xC0 == 0x80) {
        p -= 1;
    }
    if p == 0 {
        buf.len()
    } else {
        p
    }
}

fn load(path: Option<&PathBuf>, bundled: fn() -> hawkdove::Result<Model>) -> Result<Model, String> {
    match path {
        Some(p) => Model::load(p).map_err(|e| e.to_string()),
        None => bundled().map_err(|e| e.to_string()),
    }
}

fn run(cli: &Cli) -> Result<(), String> {
    let stance = load(cli.model.as_ref(), Model::bundled_stance)?;
    let sentiment = load(cli.sentiment_model.as_ref(), Model::bundled_sentiment)?;
    let color = match cli.color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
    };
    let inputs: Vec<Option<&PathBuf>> = if cli.files.is_empty() {
        vec![None]
    } else {
        cli.files.iter().map(Some).collect()
    };
    let options = DocumentOptions {
        segmentation: if cli.lines {
            Segmentation::Lines
        } else {
            Segmentation::Sentences
        },
        seed: cli.seed,
        ..DocumentOptions::default()
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let write_err = |e: std::io::Error| format!("writing output: {e}");
    for input in inputs {
        let mut chunks = Chunks::open(input, cli.lines)?;
        let name = chunks.name.clone();
        let mut docs = [
            DocumentAggregator::new(&stance, &options).map_err(|e| e.to_string())?,
            DocumentAggregator::new(&sentiment, &options).map_err(|e| e.to_string())?,
        ];
        if !cli.json {
            writeln!(out, "{}", paint(color, "1", &format!("== {name}"))).map_err(write_err)?;
            writeln!(
                out,
                "{:>3}  {:>6} {:<12}  {:>6} {:<9}  passage  [drivers]",
                "#", "stance", "", "sent.", ""
            )
            .map_err(write_err)?;
        }
        let mut index = 0;
        while let Some((offset, text)) = chunks.next_chunk()? {
            let mut segments = passages(&text, options.segmentation);
            loop {
                let chunk: Vec<_> = segments.by_ref().take(DOCUMENT_CHUNK).collect();
                if chunk.is_empty() {
                    break;
                }
                let texts: Vec<&str> = chunk
                    .iter()
                    .map(|s| text.get(s.span.clone()).unwrap_or_default())
                    .collect();
                let (st, se) = (stance.predict_batch(&texts), sentiment.predict_batch(&texts));
                for ((segment, passage), (p, s)) in chunk.iter().zip(&texts).zip(st.iter().zip(&se)) {
                    let weight = passage_weight(passage);
                    for (doc, q) in docs.iter_mut().zip([p, s]) {
                        if q.abstained.is_some() {
                            doc.add_abstained();
                        } else {
                            doc.add(weight, q.class_index, q.score, &q.probabilities);
                        }
                    }
                    let span = offset + segment.span.start..offset + segment.span.end;
                    let row = Row {
                        index,
                        span,
                        text: passage,
                        stance: p,
                        sentiment: s,
                    };
                    if cli.json {
                        write_json_row(&mut out, &name, &stance, &sentiment, &row, cli)
                    } else {
                        write_table_row(&mut out, &stance, &row, cli, color)
                    }
                    .map_err(write_err)?;
                    index += 1;
                }
            }
        }
        let [doc, sdoc] = docs.map(|d| d.finish());
        if cli.json {
            write_json_summary(&mut out, &name, index, &doc, &sdoc, cli)
        } else {
            write_table_summary(&mut out, &stance, index, &doc, &sdoc, cli, color)
        }
        .map_err(write_err)?;
    }
    Ok(())
}

/// One scored passage of the input.
struct Row<'a> {
    index: usize,
    /// Byte span in the input.
    span: std::ops::Range<usize>,
    text: &'a str,
    stance: &'a Prediction,
    sentiment: &'a Prediction,
}

fn probabilities(model: &Model, p: &Prediction) -> Value {
    let map: Map<String, Value> = model
        .classes()
        .iter()
        .zip(&p.probabilities)
        .map(|(c, v)| (c.clone(), json!(v)))
        .collect();
    Value::Object(map)
}

fn contributions(e: &Explanation, n: usize) -> Vec<Value> {
    e.features
        .iter()
        .take(n)
        .map(|f| json!({"feature": f.name, "contribution": f.to_score, "spans": f.spans.iter().map(|s| [s.start, s.end]).collect::<Vec<_>>()}))
        .collect()
}

fn write_json_row(
    out: &mut impl Write,
    name: &str,
    stance: &Model,
    sentiment: &Model,
    row: &Row<'_>,
    cli: &Cli,
) -> std::io::Result<()> {
    let (p, s) = (row.stance, row.sentiment);
    let mut obj = json!({
        "file": name,
        "index": row.index,
        "span": [row.span.start, row.span.end],
        "text": row.text,
        "stance": prediction_json(stance, p),
        "sentiment": prediction_json(sentiment, s),
    });
    if let Some(n) = cli.explain {
        obj["stance"]["explanation"] = Value::Array(contributions(&stance.explain(row.text), n));
        obj["sentiment"]["explanation"] = Value::Array(contributions(&sentiment.explain(row.text), n));
    }
    writeln!(out, "{obj}")
}

fn write_json_summary(
    out: &mut impl Write,
    name: &str,
    n_passages: usize,
    doc: &DocumentSummary,
    sdoc: &DocumentSummary,
    cli: &Cli,
) -> std::io::Result<()> {
    if !cli.lines {
        let summary = |d: &DocumentSummary| {
            json!({"score": d.score, "interval": d.interval, "confidence": d.confidence, "abstained": d.n_abstained,
                   "class_shares": d.class_shares.iter().map(|(c, v)| (c.clone(), json!(v))).collect::<Map<_, _>>()})
        };
        let obj = json!({"document": {"file": name, "passages": n_passages, "stance": summary(doc), "sentiment": summary(sdoc)}});
        writeln!(out, "{obj}")?;
    }
    Ok(())
}

/// A passage's prediction as JSON: `label` is null, and `abstained` gives the reason, when the
/// model declined to label it.
fn prediction_json(model: &Model, p: &Prediction) -> Value {
    match &p.abstained {
        Some(reason) => json!({"label": null, "score": null, "abstained": reason.to_string()}),
        None => json!({"label": p.label, "score": p.score, "probabilities": probabilities(model, p)}),
    }
}

/// The label and score columns of the table: `unknown` and a dash when the model abstained.
fn label_cells(color: bool, p: &Prediction) -> (String, String) {
    match &p.abstained {
        Some(_) => (format!("{:>6}", "—"), "unknown".to_string()),
        None => (
            paint(color, score_color(p.score), &format!("{:>+6.2}", p.score)),
            p.label.clone(),
        ),
    }
}

fn paint(color: bool, code: &str, s: &str) -> String {
    if color {
        format!("\x1b[{code}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
}

fn score_color(score: f64) -> &'static str {
    if score > 0.2 {
        "31" // red: toward the positive pole (hard-line / positive)
    } else if score < -0.2 {
        "34" // blue: toward the negative pole
    } else {
        "2"
    }
}

fn truncate(s: &str, n: usize) -> String {
    let flat: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= n {
        flat
    } else {
        let cut: String = flat.chars().take(n.saturating_sub(1)).collect();
        format!("{cut}…")
    }
}

fn write_table_row(out: &mut impl Write, stance: &Model, row: &Row<'_>, cli: &Cli, color: bool) -> std::io::Result<()> {
    let n_explain = cli.explain.unwrap_or(3);
    let (p, s) = (row.stance, row.sentiment);
    let e = stance.explain(row.text);
    // The strongest contributions by size, each with its direction (+ toward the positive pole,
    // − toward the negative), shown as the words of the text they came from.
    let mut strongest: Vec<&hawkdove::explain::FeatureContribution> =
        e.features.iter().filter(|f| f.to_score != 0.0).collect();
    strongest.sort_by(|a, b| {
        b.to_score
            .abs()
            .total_cmp(&a.to_score.abs())
            .then(a.column.cmp(&b.column))
    });
    let words = |f: &hawkdove::explain::FeatureContribution| {
        f.spans
            .first()
            .and_then(|sp| row.text.get(sp.clone()))
            .map_or_else(|| f.name.clone(), |w| truncate(w, 30).to_lowercase())
    };
    let note = match &p.abstained {
        Some(reason) => format!("[no label: {reason}]"),
        None => {
            let drivers: Vec<String> = strongest
                .iter()
                .take(n_explain)
                .map(|f| format!("{}{}", if f.to_score > 0.0 { "+" } else { "−" }, words(f)))
                .collect();
            format!("[{}]", drivers.join(", "))
        }
    };
    let (stance_score, stance_label) = label_cells(color, p);
    let (sentiment_score, sentiment_label) = label_cells(color, s);
    writeln!(
        out,
        "{:>3}  {} {:<12}  {} {:<9}  {}  {}",
        row.index + 1,
        stance_score,
        stance_label,
        sentiment_score,
        sentiment_label,
        truncate(row.text, 70),
        note
    )
}

fn write_table_summary(
    out: &mut impl Write,
    stance: &Model,
    n_passages: usize,
    doc: &DocumentSummary,
    sdoc: &DocumentSummary,
    cli: &Cli,
    color: bool,
) -> std::io::Result<()> {
    if !cli.lines && n_passages > 0 {
        let shares = |d: &DocumentSummary| {
            d.class_shares
                .iter()
                .map(|(c, v)| format!("{c} {:.0}%", v * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (neg, pos) = stance.poles();
        writeln!(
            out,
            "document stance {:+.3} [{:+.3}, {:+.3}] ({:.0}% bootstrap interval; −1 {neg} … +1 {pos}); {n_passages} passages: {}",
            doc.score,
            doc.interval[0],
            doc.interval[1],
            doc.confidence * 100.0,
            shares(doc)
        )?;
        for (what, d) in [("stance", doc), ("sentiment", sdoc)] {
            if d.n_abstained == n_passages {
                writeln!(out, "left out: no passage had a {what} label (another language, or nothing the model knows): the document {what} above means nothing")?;
            } else if d.n_abstained > 0 {
                writeln!(
                    out,
                    "left out: {} of {n_passages} passages had no {what} label (another language, or nothing the model knows)",
                    d.n_abstained
                )?;
            }
        }
        writeln!(
            out,
            "document sentiment {:+.3} [{:+.3}, {:+.3}]; passages: {}",
            sdoc.score,
            sdoc.interval[0],
            sdoc.interval[1],
            shares(sdoc)
        )?;
    } else if n_passages == 0 {
        writeln!(out, "{}", paint(color, "2", "(no passages)"))?;
    }
    Ok(())
}
