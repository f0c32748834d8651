//! `hawkdove evaluate`: evaluate a model configuration on a labelled `label<TAB>text` file, by
//! cross-validation or on a test file.
//!
//! Prints a readable report, then as its last line one JSON object with `accuracy`,
//! `macro_f1`, `n_train`, `n_test` (or `folds`), timing and calibration figures.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use hawkdove::eval::{cross_validate_with, read_tsv, train_test_with, Labelled};
use hawkdove::ModelParams;
use serde_json::json;

use crate::error::{write_err, CliError, Result};
use crate::options::ModelOptions;
use crate::progress::TrainBars;

/// Arguments of `hawkdove evaluate`.
#[derive(Debug, Args)]
pub struct EvaluateArgs {
    /// Labelled training data, one `label<TAB>text` per line.
    #[arg(long, required_unless_present = "corpus")]
    pub data: Option<PathBuf>,
    /// Use the bundled corpus instead, with its `stance` or `sentiment` labels.
    #[arg(long, conflicts_with = "data")]
    pub corpus: Option<hawkdove::bundled::Axis>,
    /// With --corpus: train on the fixed training split and report on the held-out split.
    #[arg(long, requires = "corpus", conflicts_with_all = ["folds", "test"])]
    pub held_out: bool,
    /// With --corpus: cross-validate on the training split only (for tuning without touching
    /// the held-out passages).
    #[arg(long, requires = "corpus", conflicts_with_all = ["held_out", "test"])]
    pub train_split: bool,
    /// Number of stratified cross-validation folds [default: 10, when no --test is given].
    #[arg(long, conflicts_with = "test")]
    pub folds: Option<usize>,
    /// Evaluate on this labelled file instead of cross-validating [default: none: cross-validate].
    #[arg(long)]
    pub test: Option<PathBuf>,
    /// Seed of the fold assignment.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub model: ModelOptions,
}

/// Run `hawkdove evaluate`: training progress on standard error unless `quiet`, stopped when
/// `cancel` says so.
pub fn run(args: &EvaluateArgs, quiet: bool, cancel: &(dyn Fn() -> bool + Sync), out: &mut dyn Write) -> Result<()> {
    let params = args.model.apply(ModelParams::default()).map_err(CliError::Usage)?;
    let (source, data) = match (&args.data, args.corpus) {
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
        (None, None) => return Err(CliError::Usage("give --data FILE or --corpus stance|sentiment".into())),
    };
    let (data, held_out): (Vec<Labelled>, Option<Vec<Labelled>>) = if args.held_out || args.train_split {
        let passages = hawkdove::bundled::corpus()?;
        let (train, test) = hawkdove::bundled::held_out_split(&passages);
        let pick = |idx: &[usize]| idx.iter().filter_map(|&i| data.get(i).cloned()).collect::<Vec<_>>();
        (pick(&train), args.held_out.then(|| pick(&test)))
    } else {
        (data, None)
    };
    let texts: Vec<&str> = data.iter().map(|d| d.text.as_str()).collect();
    let labels: Vec<&str> = data.iter().map(|d| d.label.as_str()).collect();
    let test_set = match (&args.test, held_out) {
        (Some(path), _) => Some((path.display().to_string(), read_tsv(path)?)),
        (None, Some(rows)) => Some(("held-out split".to_string(), rows)),
        (None, None) => None,
    };
    let summary = if let Some((test_name, test)) = &test_set {
        let tt: Vec<&str> = test.iter().map(|d| d.text.as_str()).collect();
        let tl: Vec<&str> = test.iter().map(|d| d.label.as_str()).collect();
        let start = Instant::now();
        let mut bars = TrainBars::new(!quiet, cancel);
        let (model, report) = train_test_with(&texts, &labels, &tt, &tl, &params, &mut |e: &hawkdove::TrainEvent| {
            bars.on(e)
        })?;
        drop(bars);
        let secs = start.elapsed().as_secs_f64();
        writeln!(
            out,
            "train: {source} ({} passages)  test: {test_name} ({} passages)",
            texts.len(),
            tt.len()
        )
        .map_err(write_err)?;
        writeln!(
            out,
            "features: {}  temperature: {:.3}  train+predict time: {:.2} s",
            model.featurizer().n_features(),
            model.temperature(),
            secs
        )
        .map_err(write_err)?;
        let chosen = crate::train::chosen_settings(&model);
        if !chosen.is_empty() {
            writeln!(out, "{chosen}").map_err(write_err)?;
        }
        write!(out, "{}", report.to_text()).map_err(write_err)?;
        let tuning = model
            .tuning()
            .map(|t| json!({"C": t.c, "class_weight": crate::progress::class_weight_name(&t.class_weight)}));
        json!({
            "tuned": tuning,
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
        let folds = args.folds.unwrap_or(10);
        let start = Instant::now();
        let mut bars = TrainBars::new(!quiet, cancel);
        let cv = cross_validate_with(
            &texts,
            &labels,
            &params,
            folds,
            args.seed,
            &mut |e: &hawkdove::TrainEvent| bars.on(e),
        )?;
        drop(bars);
        let secs = start.elapsed().as_secs_f64();
        writeln!(
            out,
            "{source}: {} passages, {}-fold stratified cross-validation (seed {})",
            texts.len(),
            folds,
            args.seed
        )
        .map_err(write_err)?;
        for (i, r) in cv.per_fold.iter().enumerate() {
            writeln!(
                out,
                "  fold {:>2}: accuracy {:.4}  macro-F1 {:.4}",
                i + 1,
                r.accuracy,
                r.macro_f1
            )
            .map_err(write_err)?;
        }
        writeln!(
            out,
            "mean accuracy {:.4} ± {:.4}; pooled out-of-fold predictions:",
            cv.mean_accuracy, cv.std_accuracy
        )
        .map_err(write_err)?;
        write!(out, "{}", cv.pooled.to_text()).map_err(write_err)?;
        writeln!(out, "time: {secs:.2} s").map_err(write_err)?;
        json!({
            "accuracy": cv.mean_accuracy,
            "accuracy_std": cv.std_accuracy,
            "macro_f1": cv.mean_macro_f1,
            "pooled_accuracy": cv.pooled.accuracy,
            "pooled_macro_f1": cv.pooled.macro_f1,
            "n_train": texts.len(),
            "folds": folds,
            "seed": args.seed,
            "brier": cv.pooled.brier,
            "ece": cv.pooled.ece,
            "log_loss": cv.pooled.log_loss,
            "seconds": secs,
        })
    };
    writeln!(out, "{summary}").map_err(write_err)
}
