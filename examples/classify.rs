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
use hawkdove::document::{DocumentOptions, DocumentScore, Segmentation};
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

fn read_input(path: Option<&PathBuf>) -> Result<(String, String), String> {
    let (name, bytes) = match path {
        Some(p) => (
            p.display().to_string(),
            std::fs::read(p).map_err(|e| format!("{}: {e}", p.display()))?,
        ),
        None => {
            let mut b = Vec::new();
            std::io::stdin()
                .read_to_end(&mut b)
                .map_err(|e| format!("<stdin>: {e}"))?;
            ("<stdin>".to_string(), b)
        }
    };
    match String::from_utf8(bytes) {
        Ok(s) => Ok((name, s)),
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let bytes = e.as_bytes();
            let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            Err(format!("{name}:{line}: invalid UTF-8 at byte offset {at}"))
        }
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
    for input in inputs {
        let (name, text) = read_input(input)?;
        let doc = stance.score_document(&text, &options).map_err(|e| e.to_string())?;
        let sdoc = sentiment.score_document(&text, &options).map_err(|e| e.to_string())?;
        let result = if cli.json {
            write_json(&mut out, &name, &stance, &sentiment, &doc, &sdoc, cli)
        } else {
            write_table(&mut out, &name, &stance, &doc, &sdoc, cli, color)
        };
        result.map_err(|e| format!("writing output: {e}"))?;
    }
    Ok(())
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

fn write_json(
    out: &mut impl Write,
    name: &str,
    stance: &Model,
    sentiment: &Model,
    doc: &DocumentScore,
    sdoc: &DocumentScore,
    cli: &Cli,
) -> std::io::Result<()> {
    for (i, (p, s)) in doc.passages.iter().zip(&sdoc.passages).enumerate() {
        let mut obj = json!({
            "file": name,
            "index": i,
            "span": [p.segment.span.start, p.segment.span.end],
            "text": p.text,
            "stance": prediction_json(stance, &p.prediction),
            "sentiment": prediction_json(sentiment, &s.prediction),
        });
        if let Some(n) = cli.explain {
            obj["stance"]["explanation"] = Value::Array(contributions(&stance.explain(&p.text), n));
            obj["sentiment"]["explanation"] = Value::Array(contributions(&sentiment.explain(&s.text), n));
        }
        writeln!(out, "{obj}")?;
    }
    if !cli.lines {
        let summary = |d: &DocumentScore| {
            json!({"score": d.score, "interval": d.interval, "confidence": d.confidence, "abstained": d.n_abstained,
                   "class_shares": d.class_shares.iter().map(|(c, v)| (c.clone(), json!(v))).collect::<Map<_, _>>()})
        };
        let obj = json!({"document": {"file": name, "passages": doc.passages.len(), "stance": summary(doc), "sentiment": summary(sdoc)}});
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

fn write_table(
    out: &mut impl Write,
    name: &str,
    stance: &Model,
    doc: &DocumentScore,
    sdoc: &DocumentScore,
    cli: &Cli,
    color: bool,
) -> std::io::Result<()> {
    let n_explain = cli.explain.unwrap_or(3);
    writeln!(
        out,
        "{}",
        paint(color, "1", &format!("== {name} ({} passages)", doc.passages.len()))
    )?;
    writeln!(
        out,
        "{:>3}  {:>6} {:<12}  {:>6} {:<9}  passage  [drivers]",
        "#", "stance", "", "sent.", ""
    )?;
    for (i, (p, s)) in doc.passages.iter().zip(&sdoc.passages).enumerate() {
        let e = stance.explain(&p.text);
        // The strongest contributions by size, each with its direction (+ toward the positive
        // pole, − toward the negative), shown as the words of the text they came from.
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
                .and_then(|sp| p.text.get(sp.clone()))
                .map_or_else(|| f.name.clone(), |w| truncate(w, 30).to_lowercase())
        };
        let drivers: Vec<String> = if p.prediction.abstained.is_some() {
            Vec::new()
        } else {
            strongest
                .iter()
                .take(n_explain)
                .map(|f| format!("{}{}", if f.to_score > 0.0 { "+" } else { "−" }, words(f)))
                .collect()
        };
        let (stance_score, stance_label) = label_cells(color, &p.prediction);
        let (sentiment_score, sentiment_label) = label_cells(color, &s.prediction);
        let note = match &p.prediction.abstained {
            Some(reason) => format!("[no label: {reason}]"),
            None => format!("[{}]", drivers.join(", ")),
        };
        writeln!(
            out,
            "{:>3}  {} {:<12}  {} {:<9}  {}  {}",
            i + 1,
            stance_score,
            stance_label,
            sentiment_score,
            sentiment_label,
            truncate(&p.text, 70),
            note
        )?;
    }
    if !cli.lines && !doc.passages.is_empty() {
        let shares = |d: &DocumentScore| {
            d.class_shares
                .iter()
                .map(|(c, v)| format!("{c} {:.0}%", v * 100.0))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (neg, pos) = stance.poles();
        writeln!(
            out,
            "document stance {:+.3} [{:+.3}, {:+.3}] ({:.0}% bootstrap interval; −1 {neg} … +1 {pos}); passages: {}",
            doc.score,
            doc.interval[0],
            doc.interval[1],
            doc.confidence * 100.0,
            shares(doc)
        )?;
        if doc.n_abstained > 0 {
            writeln!(
                out,
                "left out: {} of {} passages had no stance label (another language, or nothing the model knows)",
                doc.n_abstained,
                doc.passages.len()
            )?;
        }
        writeln!(
            out,
            "document sentiment {:+.3} [{:+.3}, {:+.3}]; passages: {}",
            sdoc.score,
            sdoc.interval[0],
            sdoc.interval[1],
            shares(sdoc)
        )?;
    }
    Ok(())
}
