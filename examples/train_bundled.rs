//! Retrain the bundled stance and sentiment models from the bundled corpus and write them to
//! `crates/hawkdove/models/`. Deterministic: running it twice gives the same bytes, and a test
//! checks the committed files equal a fresh training run.
//!
//! ```text
//! cargo run --release --example train_bundled [-- --out DIR] [--report] [--no-tune]
//! ```
//! First, for each model, self-tuning runs on the whole corpus with the bundled featurizer
//! (`bundled::tune_params`: C and the class weight chosen by stratified 3-fold CV, as the
//! library's default does); its report is written beside the models (`tuning-<name>.json`)
//! and compared with the choice recorded in `bundled::recorded_choice`, with which the models
//! are then trained (so the freshness test retrains without tuning). When the two differ, the
//! record is to be updated and the models retrained. `--no-tune` skips the tuning.
//! With `--report`, also prints held-out and 5-fold cross-validated metrics for the README.
//! Progress bars go to stderr when it is a terminal.

#[path = "common/progress.rs"]
mod bars;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use hawkdove::bundled::{self, Axis};
use hawkdove::eval::{cross_validate_with, Report};

#[derive(Debug, Parser)]
#[command(about = "Retrain the bundled hawkdove models")]
struct Cli {
    /// Output directory (default: the crate's models/ folder).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Also evaluate: held-out split and 5-fold CV on the whole corpus.
    #[arg(long)]
    report: bool,
    /// Skip self-tuning (train with the recorded choice only).
    #[arg(long)]
    no_tune: bool,
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

fn run(cli: &Cli) -> Result<(), Box<dyn std::error::Error>> {
    let out = cli
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models"));
    std::fs::create_dir_all(&out)?;
    let passages = bundled::corpus()?;
    for (axis, name) in [(Axis::Stance, "stance"), (Axis::Sentiment, "sentiment")] {
        // bundled::train(axis), with progress bars.
        let all_t: Vec<&str> = passages.iter().map(|p| p.text.as_str()).collect();
        let all_l: Vec<&str> = passages.iter().map(|p| p.label(axis)).collect();
        if !cli.no_tune {
            let mut bars = bars::Progress::stderr();
            let report = hawkdove::tune::select(
                &all_t,
                &all_l,
                None,
                &bundled::tune_params(axis)?,
                &mut |e: &hawkdove::TrainEvent| bars.on(e),
            )?;
            drop(bars);
            let path = out.join(format!("tuning-{name}.json"));
            std::fs::write(&path, serde_json::to_string_pretty(&report)? + "\n")?;
            let recorded = bundled::recorded_choice(axis);
            let best = report.best.and_then(|b| report.candidates.get(b));
            println!(
                "{name}: self-tuning chose C = {}, class weight {:?} (mean macro-F1 {:.4} over {} folds) → {}",
                report.c,
                report.class_weight,
                best.map_or(f64::NAN, |b| b.mean_macro_f1),
                report.folds,
                path.display()
            );
            if (report.c, report.class_weight.clone()) != recorded {
                println!(
                    "{name}: the choice differs from bundled::recorded_choice ({recorded:?}): update the record and retrain"
                );
            }
        }
        let mut bars = bars::Progress::stderr();
        let model = hawkdove::Model::train_with(
            &all_t,
            &all_l,
            &bundled::params(axis)?,
            &mut |e: &hawkdove::TrainEvent| bars.on(e),
        )?;
        drop(bars);
        let path = out.join(format!("{name}.json"));
        model.save(&path)?;
        println!(
            "{name}: {} passages, {} features, temperature {:.3} → {}",
            passages.len(),
            model.featurizer().n_features(),
            model.temperature(),
            path.display()
        );
        if cli.report {
            let (train, test) = bundled::held_out_split(&passages);
            let m = bundled::train_on(axis, &passages, &train)?;
            let texts: Vec<&str> = test.iter().map(|&i| passages[i].text.as_str()).collect();
            let truth: Vec<String> = test.iter().map(|&i| passages[i].label(axis).to_string()).collect();
            let predictions = m.predict_batch(&texts);
            let report = Report::new(m.classes(), &truth, &predictions)?;
            println!("{name} held-out ({} passages):\n{}", test.len(), report.to_text());
            // Pole accuracy: on passages whose true class is one of the two poles, how often the
            // sign of the score points to it.
            let (neg, pos) = m.poles();
            let pole_cases: Vec<(bool, f64)> = truth
                .iter()
                .zip(&predictions)
                .filter(|(t, _)| *t == neg || *t == pos)
                .map(|(t, p)| (t == pos, p.score))
                .collect();
            let pole_accuracy = pole_cases.iter().filter(|(is_pos, s)| (*s > 0.0) == *is_pos).count() as f64
                / pole_cases.len().max(1) as f64;
            println!(
                "{name} held-out {neg} vs {pos} by score sign: accuracy {pole_accuracy:.4} ({} passages)",
                pole_cases.len()
            );
            // The effect of calibration: the same model without the temperature.
            let mut raw_params = bundled::params(axis)?;
            raw_params.calibration = hawkdove::score::Calibration::None;
            let train_t: Vec<&str> = train.iter().map(|&i| passages[i].text.as_str()).collect();
            let train_l: Vec<&str> = train.iter().map(|&i| passages[i].label(axis)).collect();
            let raw = hawkdove::Model::train(&train_t, &train_l, &raw_params)?;
            let raw_report = Report::new(raw.classes(), &truth, &raw.predict_batch(&texts))?;
            println!(
                "{name} held-out calibration: ECE {:.4} -> {:.4}, Brier {:.4} -> {:.4}, log-loss {:.4} -> {:.4} (T = {:.3})",
                raw_report.ece,
                report.ece,
                raw_report.brier,
                report.brier,
                raw_report.log_loss,
                report.log_loss,
                m.temperature()
            );
            let all_t: Vec<&str> = passages.iter().map(|p| p.text.as_str()).collect();
            let all_l: Vec<&str> = passages.iter().map(|p| p.label(axis)).collect();
            let mut bars = bars::Progress::stderr();
            let cv = cross_validate_with(
                &all_t,
                &all_l,
                &bundled::params(axis)?,
                5,
                0,
                &mut |e: &hawkdove::TrainEvent| bars.on(e),
            )?;
            drop(bars);
            println!(
                "{name} 5-fold CV: accuracy {:.4} ± {:.4}, macro-F1 {:.4}, ECE {:.4}, Brier {:.4}",
                cv.mean_accuracy, cv.std_accuracy, cv.mean_macro_f1, cv.pooled.ece, cv.pooled.brier
            );
            let json = serde_json::json!({
                "model": name,
                "held_out": {"accuracy": report.accuracy, "macro_f1": report.macro_f1, "ece": report.ece, "brier": report.brier, "n": report.n, "pole_accuracy": pole_accuracy, "ece_uncalibrated": raw_report.ece},
                "cv5": {"accuracy": cv.mean_accuracy, "macro_f1": cv.mean_macro_f1, "ece": cv.pooled.ece, "brier": cv.pooled.brier},
            });
            println!("{json}");
        }
    }
    Ok(())
}
