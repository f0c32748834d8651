//! Evaluate a model configuration on a labelled `label<TAB>text` file.
//!
//! ```text
//! cargo run --release --example evaluate -- --data FILE.tsv [--folds 10 | --test FILE.tsv] [model options]
//! ```
//!
//! Prints a readable report, then as its last line one JSON object with `accuracy`,
//! `macro_f1`, `n_train`, `n_test` (or `folds`), timing and calibration figures.

#[path = "common/progress.rs"]
mod bars;
#[path = "common/options.rs"]
mod options;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use hawkdove::eval::{cross_validate_with, read_tsv, train_test_with, Labelled};
use hawkdove::ModelParams;
use serde_json::json;

#[derive(Debug, Parser)]
#[command(about = "Evaluate a hawkdove model configuration by cross-validation or on a test file")]
struct Cli {
    /// Labelled training data, one `label<TAB>text` per line.
    #[arg(long, required_unless_present = "corpus")]
    data: Option<PathBuf>,
    /// Use the bundled corpus instead, with its `stance` or `sentiment` labels.
    #[arg(long, conflicts_with = "data")]
    corpus: Option<hawkdove::bundled::Axis>,
    /// With --corpus: train on the fixed training split and report on the held-out split.
    #[arg(long, requires = "corpus", conflicts_with_all = ["folds", "test"])]
    held_out: bool,
    /// With --corpus: cross-validate on the training split only (for tuning without touching
    /// the held-out passages).
    #[arg(long, requires = "corpus", conflicts_with_all = ["held_out", "test"])]
    train_split: bool,
    /// Number of stratified cross-validation folds [default: 10, when no --test is given].
    #[arg(long, conflicts_with = "test")]
    folds: Option<usize>,
    /// Evaluate on this labelled file instead of cross-validating [default: none: cross-validate].
    #[arg(long)]
    test: Option<PathBuf>,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    #[command(flatten)]
    model: options::ModelOptions,
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

fn run(cli: &Cli) -> Result<(), Box<dyn std::error::Error>> {
    let params = cli.model.apply(ModelParams::default())?;
    let (source, data) = match (&cli.data, cli.corpus) {
        (Some(path), _) => (path.display().to_string(), read_tsv(path)?),
        (None, Some(axis)) => {
            let passages = hawkdove::bundled::corpus()?;
            let rows = passages
                .iter()
                .map(|p| Labelled {
                    label: p.label(axis).to_string(),
                    text: p.text.clone(),
                })
                .collect();
            (format!("bundled corpus ({axis:?})"), rows)
        }
        (None, None) => return Err("give --data FILE or --corpus stance|sentiment".into()),
    };
    let (data, held_out): (Vec<Labelled>, Option<Vec<Labelled>>) = if cli.held_out || cli.train_split {
        let passages = hawkdove::bundled::corpus()?;
        let (train, test) = hawkdove::bundled::held_out_split(&passages);
        let pick = |idx: &[usize]| idx.iter().map(|&i| data[i].clone()).collect::<Vec<_>>();
        (pick(&train), cli.held_out.then(|| pick(&test)))
    } else {
        (data, None)
    };
    let texts: Vec<&str> = data.iter().map(|d| d.text.as_str()).collect();
    let labels: Vec<&str> = data.iter().map(|d| d.label.as_str()).collect();
    let test_set = match (&cli.test, held_out) {
        (Some(path), _) => Some((path.display().to_string(), read_tsv(path)?)),
        (None, Some(rows)) => Some(("held-out split".to_string(), rows)),
        (None, None) => None,
    };
    let summary = if let Some((test_name, test)) = &test_set {
        let tt: Vec<&str> = test.iter().map(|d| d.text.as_str()).collect();
        let tl: Vec<&str> = test.iter().map(|d| d.label.as_str()).collect();
        let start = Instant::now();
        let mut bars = bars::Progress::stderr();
        let (model, report) = train_test_with(&texts, &labels, &tt, &tl, &params, &mut |e: &hawkdove::TrainEvent| {
            bars.on(e)
        })?;
        drop(bars);
        let secs = start.elapsed().as_secs_f64();
        println!(
            "train: {source} ({} passages)  test: {test_name} ({} passages)",
            texts.len(),
            tt.len()
        );
        println!(
            "features: {}  temperature: {:.3}  train+predict time: {:.2} s",
            model.featurizer().n_features(),
            model.temperature(),
            secs
        );
        print!("{}", report.to_text());
        json!({
            "accuracy": report.accuracy,
            "macro_f1": report.macro_f1,
            "n_train": texts.len(),
            "n_test": tt.len(),
            "brier": report.brier,
            "ece": report.ece,
            "log_loss": report.log_loss,
            "n_features": model.featurizer().n_features(),
            "seconds": secs,
        })
    } else {
        let folds = cli.folds.unwrap_or(10);
        let start = Instant::now();
        let mut bars = bars::Progress::stderr();
        let cv = cross_validate_with(
            &texts,
            &labels,
            &params,
            folds,
            cli.seed,
            &mut |e: &hawkdove::TrainEvent| bars.on(e),
        )?;
        drop(bars);
        let secs = start.elapsed().as_secs_f64();
        println!(
            "{source}: {} passages, {}-fold stratified cross-validation (seed {})",
            texts.len(),
            folds,
            cli.seed
        );
        for (i, r) in cv.per_fold.iter().enumerate() {
            println!(
                "  fold {:>2}: accuracy {:.4}  macro-F1 {:.4}",
                i + 1,
                r.accuracy,
                r.macro_f1
            );
        }
        println!(
            "mean accuracy {:.4} ± {:.4}; pooled out-of-fold predictions:",
            cv.mean_accuracy, cv.std_accuracy
        );
        print!("{}", cv.pooled.to_text());
        println!("time: {secs:.2} s");
        json!({
            "accuracy": cv.mean_accuracy,
            "accuracy_std": cv.std_accuracy,
            "macro_f1": cv.mean_macro_f1,
            "pooled_accuracy": cv.pooled.accuracy,
            "pooled_macro_f1": cv.pooled.macro_f1,
            "n_train": texts.len(),
            "folds": folds,
            "seed": cli.seed,
            "brier": cv.pooled.brier,
            "ece": cv.pooled.ece,
            "log_loss": cv.pooled.log_loss,
            "seconds": secs,
        })
    };
    println!("{summary}");
    Ok(())
}
