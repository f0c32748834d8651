//! Evaluate the stance and sentiment models on real published text: the real-text dev set
//! kept beside the repository (`../shared/data/realdev/dev.tsv`, 428 labelled sentences from
//! published news and analysis; evaluation only, never training data).
//!
//! ```text
//! cargo run --release --example real_dev                       # the shipped bundled models
//! cargo run --release --example real_dev -- --retrain [model options]
//! cargo run --release --example real_dev -- --learning-curve 0.25,0.5,0.75,1
//! cargo run --release --example real_dev -- --corpus-held-out   # in-corpus figures too
//! ```
//!
//! Reports, for all rows and for the rows not marked ambiguous: stance macro-F1 and accuracy,
//! conciliatory vs hard-line by the sign of the score (rows whose gold label is a pole),
//! sentiment macro-F1 and accuracy, and how many passages the models abstained on (an abstained
//! passage counts with its prior's label and score; none of the dev set's is abstained on). The
//! last line is one JSON object with the same figures.
//!
//! `--retrain` trains both models from the corpus with the bundled settings (plus any model
//! options given) instead of loading the shipped ones; `--corpus-dir` reads the corpus files
//! from a folder instead of the embedded copy. `--learning-curve` retrains on seeded, stance-
//! stratified fractions of the corpus and reports the real-text figures for each. Retrained
//! models skip temperature calibration unless `--calibrate` is given: a temperature changes no
//! label and no score sign, so the figures reported here are the same.

#[path = "../crates/hawkdove-cli/src/options.rs"]
mod options;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use hawkdove::bundled::{self, Axis, Passage};
use hawkdove::eval::Report;
use hawkdove::score::Calibration;
use hawkdove::{Model, ModelParams, Prediction};
use serde_json::json;

#[derive(Debug, Parser)]
#[command(about = "Evaluate hawkdove's stance and sentiment models on the real-text dev set")]
struct Cli {
    /// Folder holding `dev.tsv`.
    #[arg(long, default_value = "../shared/data/realdev")]
    dir: PathBuf,
    /// Train both models from the corpus with the bundled settings instead of loading the
    /// shipped models.
    #[arg(long)]
    retrain: bool,
    /// Read the corpus from the `*.tsv` files of this folder instead of the embedded copy
    /// (implies --retrain).
    #[arg(long)]
    corpus_dir: Option<PathBuf>,
    /// Retrain on these fractions of the corpus (comma-separated, e.g. 0.25,0.5,1) and report
    /// each.
    #[arg(long, value_delimiter = ',')]
    learning_curve: Vec<f64>,
    /// Seed of the learning curve's subsamples.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Also report the in-corpus figures: models trained (with the bundled settings, without
    /// calibration) on the corpus's fixed training split, scored on its held-out 20%.
    #[arg(long)]
    corpus_held_out: bool,
    /// A saved stance model to evaluate instead of the bundled one.
    #[arg(long)]
    stance_model: Option<PathBuf>,
    /// A saved sentiment model to evaluate instead of the bundled one.
    #[arg(long)]
    sentiment_model: Option<PathBuf>,
    #[command(flatten)]
    model: options::ModelOptions,
}

/// One labelled sentence of the dev set.
struct Row {
    stance: String,
    sentiment: String,
    ambiguous: bool,
    text: String,
}

fn main() -> ExitCode {
    match run(&Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn read_dev(path: &Path) -> Result<Vec<Row>, String> {
    let content = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut lines = content.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim_start_matches('\u{feff}').trim_end() == "stance\tsentiment\tsource\tambiguous\ttext" => {
        }
        _ => return Err(format!("{}:1: unexpected header", path.display())),
    }
    let mut rows = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 5 {
            return Err(format!(
                "{}:{}: expected 5 fields, found {}",
                path.display(),
                i + 1,
                f.len()
            ));
        }
        rows.push(Row {
            stance: f[0].to_string(),
            sentiment: f[1].to_string(),
            ambiguous: f[3] == "1",
            text: f[4].to_string(),
        });
    }
    Ok(rows)
}

/// The real-text figures of one axis on a subset of rows.
fn axis_figures(model: &Model, rows: &[&Row], axis: Axis) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let texts: Vec<&str> = rows.iter().map(|r| r.text.as_str()).collect();
    let truth: Vec<String> = rows
        .iter()
        .map(|r| match axis {
            Axis::Stance => r.stance.clone(),
            Axis::Sentiment => r.sentiment.clone(),
        })
        .collect();
    let predictions: Vec<Prediction> = model.predict_batch(&texts);
    let abstained = predictions.iter().filter(|p| p.abstained.is_some()).count();
    let report = Report::new(model.classes(), &truth, &predictions)?;
    let (neg, pos) = model.poles();
    let poles: Vec<(bool, f64)> = truth
        .iter()
        .zip(&predictions)
        .filter(|(t, _)| *t == neg || *t == pos)
        .map(|(t, p)| (t == pos, p.score))
        .collect();
    let pole_accuracy =
        poles.iter().filter(|(is_pos, s)| (*s > 0.0) == *is_pos).count() as f64 / poles.len().max(1) as f64;
    let per_class: serde_json::Map<String, serde_json::Value> = report
        .classes
        .iter()
        .zip(&report.per_class)
        .map(|(c, m)| (c.clone(), json!(round4(m.f1))))
        .collect();
    Ok(json!({
        "n": rows.len(),
        "macro_f1": round4(report.macro_f1),
        "accuracy": round4(report.accuracy),
        "poles_by_sign": round4(pole_accuracy),
        "n_poles": poles.len(),
        "f1": per_class,
        "confusion": report.confusion,
        "classes": report.classes,
        "abstained": abstained,
    }))
}

fn round4(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

fn figures(stance: &Model, sentiment: &Model, rows: &[Row]) -> Result<serde_json::Value, Box<dyn std::error::Error>> {
    let all: Vec<&Row> = rows.iter().collect();
    let clear: Vec<&Row> = rows.iter().filter(|r| !r.ambiguous).collect();
    Ok(json!({
        "all": {
            "stance": axis_figures(stance, &all, Axis::Stance)?,
            "sentiment": axis_figures(sentiment, &all, Axis::Sentiment)?,
        },
        "unambiguous": {
            "stance": axis_figures(stance, &clear, Axis::Stance)?,
            "sentiment": axis_figures(sentiment, &clear, Axis::Sentiment)?,
        },
    }))
}

fn print_figures(title: &str, f: &serde_json::Value) {
    println!("{title}");
    for subset in ["all", "unambiguous"] {
        let s = &f[subset]["stance"];
        let m = &f[subset]["sentiment"];
        println!(
            "  {subset:<11} n={:<3}  stance macro-F1 {:.3}  accuracy {:.3}  conciliatory vs hard-line by sign {:.3} (n={})  | sentiment macro-F1 {:.3}  accuracy {:.3}  | abstained {}/{}",
            s["n"], s["macro_f1"].as_f64().unwrap_or(0.0), s["accuracy"].as_f64().unwrap_or(0.0),
            s["poles_by_sign"].as_f64().unwrap_or(0.0), s["n_poles"], m["macro_f1"].as_f64().unwrap_or(0.0),
            m["accuracy"].as_f64().unwrap_or(0.0), s["abstained"], m["abstained"]
        );
    }
    for axis in ["stance", "sentiment"] {
        let a = &f["all"][axis];
        println!(
            "  {axis} (all rows): per-class F1 {}; confusion (rows gold, columns predicted, order {}): {}",
            a["f1"], a["classes"], a["confusion"]
        );
    }
}

fn corpus(cli: &Cli) -> Result<Vec<Passage>, Box<dyn std::error::Error>> {
    let Some(dir) = &cli.corpus_dir else {
        return Ok(bundled::corpus()?);
    };
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "tsv"))
        .collect();
    files.sort();
    let mut all = Vec::new();
    for f in files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        all.extend(bundled::parse_corpus_file(&name, &std::fs::read_to_string(&f)?)?);
    }
    Ok(all)
}

fn train(cli: &Cli, axis: Axis, passages: &[Passage], rows: &[usize]) -> Result<Model, Box<dyn std::error::Error>> {
    let mut params: ModelParams = cli.model.apply(bundled::params(axis)?)?;
    if cli.model.calibrate.is_none() {
        params.calibration = Calibration::None;
    }
    let texts: Vec<&str> = rows.iter().map(|&i| passages[i].text.as_str()).collect();
    let labels: Vec<&str> = rows.iter().map(|&i| passages[i].label(axis)).collect();
    Ok(Model::train(&texts, &labels, &params)?)
}

fn run(cli: &Cli) -> Result<(), Box<dyn std::error::Error>> {
    let dev_path = cli.dir.join("dev.tsv");
    let rows = read_dev(&dev_path)?;
    println!(
        "real-text dev set: {} ({} sentences, {} marked ambiguous)",
        dev_path.display(),
        rows.len(),
        rows.iter().filter(|r| r.ambiguous).count()
    );
    if cli.corpus_held_out {
        let passages = corpus(cli)?;
        let (train_rows, test_rows) = bundled::held_out_split(&passages);
        let texts: Vec<&str> = test_rows.iter().map(|&i| passages[i].text.as_str()).collect();
        let mut out = serde_json::Map::new();
        for (axis, name) in [(Axis::Stance, "stance"), (Axis::Sentiment, "sentiment")] {
            let model = train(cli, axis, &passages, &train_rows)?;
            let truth: Vec<String> = test_rows.iter().map(|&i| passages[i].label(axis).to_string()).collect();
            let report = Report::new(model.classes(), &truth, &model.predict_batch(&texts))?;
            println!(
                "in-corpus held-out ({} of {} items): {name} macro-F1 {:.3}, accuracy {:.3}",
                test_rows.len(),
                passages.len(),
                report.macro_f1,
                report.accuracy
            );
            out.insert(
                name.into(),
                json!({"macro_f1": round4(report.macro_f1), "accuracy": round4(report.accuracy)}),
            );
        }
        println!(
            "{}",
            json!({"corpus_held_out": out, "n_test": test_rows.len(), "n_train": train_rows.len()})
        );
    }
    if !cli.learning_curve.is_empty() {
        let passages = corpus(cli)?;
        let mut curve = Vec::new();
        for &fraction in &cli.learning_curve {
            let sample = bundled::subsample(&passages, fraction, cli.seed);
            let stance = train(cli, Axis::Stance, &passages, &sample)?;
            let sentiment = train(cli, Axis::Sentiment, &passages, &sample)?;
            let f = figures(&stance, &sentiment, &rows)?;
            print_figures(
                &format!(
                    "fraction {fraction} ({} of {} corpus items)",
                    sample.len(),
                    passages.len()
                ),
                &f,
            );
            curve.push(json!({"fraction": fraction, "n_train": sample.len(), "figures": f}));
        }
        println!("{}", json!({"learning_curve": curve}));
        return Ok(());
    }
    let (stance, sentiment, what) = if cli.retrain || cli.corpus_dir.is_some() {
        let passages = corpus(cli)?;
        let all: Vec<usize> = (0..passages.len()).collect();
        (
            train(cli, Axis::Stance, &passages, &all)?,
            train(cli, Axis::Sentiment, &passages, &all)?,
            format!("retrained on {} corpus items", passages.len()),
        )
    } else {
        let stance = match &cli.stance_model {
            Some(p) => Model::load(p)?,
            None => Model::bundled_stance()?,
        };
        let sentiment = match &cli.sentiment_model {
            Some(p) => Model::load(p)?,
            None => Model::bundled_sentiment()?,
        };
        (stance, sentiment, "shipped models".to_string())
    };
    let f = figures(&stance, &sentiment, &rows)?;
    print_figures(&what, &f);
    let everyday = everyday_neutral(&stance)?;
    println!(
        "  everyday neutral sentences (committed test set, {} sentences): {:.1}% labelled neutral with |score| < 0.3",
        everyday.1,
        everyday.0 * 100.0
    );
    println!(
        "{}",
        json!({"models": what, "figures": f, "everyday_neutral": {"share": round4(everyday.0), "n": everyday.1}})
    );
    Ok(())
}

/// The share of the committed everyday sentences (`tests/fixtures/everyday_neutral.txt`, written
/// for the project, none in the corpus) that `stance` labels neutral with |score| < 0.3.
fn everyday_neutral(stance: &Model) -> Result<(f64, usize), Box<dyn std::error::Error>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/everyday_neutral.txt");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    let ok = stance
        .predict_batch(&lines)
        .iter()
        .filter(|p| p.label == "neutral" && p.score.abs() < 0.3)
        .count();
    Ok((ok as f64 / lines.len().max(1) as f64, lines.len()))
}
