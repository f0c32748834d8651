//! Self-tuning on one labelled set: the time of a default (self-tuning) fit, every setting's
//! cross-validated scores, the choice, and what warm starts along the `C` path save (the same
//! tuning with every fit started cold). For docs/training.md, "Self-tuning defaults".
//!
//! ```text
//! cargo run --release --example tune_report -- [--data FILE.tsv | --axis stance|sentiment]
//!     [--nb] [--folds N] [--subsample FRACTION]
//! ```
//!
//! Without `--data` the bundled corpus is used with the labels of `--axis` (default stance).

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use hawkdove::eval::read_tsv;
use hawkdove::{Model, ModelParams, TuneSpec};

#[derive(Debug, Parser)]
#[command(about = "Self-tuning on one labelled set: scores, choice, warm against cold starts")]
struct Cli {
    /// Labelled data, one `label<TAB>text` per line (default: the bundled corpus).
    #[arg(long)]
    data: Option<PathBuf>,
    /// The bundled corpus's labels to use without --data.
    #[arg(long, default_value = "stance")]
    axis: hawkdove::bundled::Axis,
    /// Also tune Naive-Bayes scaling (on with alpha 1, or off).
    #[arg(long)]
    nb: bool,
    /// Tuning folds [default: the library's].
    #[arg(long)]
    folds: Option<usize>,
    /// Keep this fraction of the data (seeded, stratified by the corpus's own subsample).
    #[arg(long)]
    subsample: Option<f64>,
    /// Skip the cold-start comparison.
    #[arg(long)]
    no_cold: bool,
}

/// CPU seconds (user + system, every thread) of this process, from `/proc/self/stat` (Linux),
/// or NaN elsewhere.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(f64::NAN);
    (tick(11) + tick(12)) / 100.0
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let (mut texts, mut labels): (Vec<String>, Vec<String>) = match &cli.data {
        Some(path) => read_tsv(path)?.into_iter().map(|d| (d.text, d.label)).unzip(),
        None => hawkdove::bundled::corpus()?
            .iter()
            .map(|p| (p.text.clone(), p.label(cli.axis).to_string()))
            .unzip(),
    };
    if let Some(f) = cli.subsample {
        let keep: Vec<usize> = (0..texts.len())
            .filter(|i| (i * 7919) % 1000 < (f * 1000.0) as usize)
            .collect();
        texts = keep.iter().map(|&i| texts[i].clone()).collect();
        labels = keep.iter().map(|&i| labels[i].clone()).collect();
    }
    let mut spec = TuneSpec::default();
    if cli.nb {
        spec.nb_alpha = Some(vec![Some(1.0), None]);
    }
    if let Some(f) = cli.folds {
        spec.folds = f;
    }
    let mut params = ModelParams::default();
    params.logistic = params.logistic.tune(Some(spec.clone()));
    println!("{} texts", texts.len());
    let (wall, cpu0) = (Instant::now(), cpu_seconds());
    let model = Model::train(&texts, &labels, &params)?;
    let (secs, cpu_secs) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
    let report = model.tuning().ok_or("no tuning report")?;
    println!(
        "self-tuning fit: {secs:.2} s wall, {cpu_secs:.2} CPU s; {} folds, {} settings",
        report.folds,
        report.candidates.len()
    );
    println!(
        "{:>8} {:>10} {:>8} {:>9} {:>7} {:>9} {:>5} {:>7}",
        "C", "class_w", "nb", "macro-F1", "std", "log-loss", "rank", "epochs"
    );
    for (i, c) in report.candidates.iter().enumerate() {
        println!(
            "{:>8} {:>10} {:>8} {:>9.4} {:>7.4} {:>9.4} {:>5} {:>7}{}",
            c.c,
            format!("{:?}", c.class_weight).to_lowercase(),
            c.nb_alpha.map_or("off".to_string(), |a| a.to_string()),
            c.mean_macro_f1,
            c.std_macro_f1,
            c.mean_log_loss,
            c.rank,
            c.iterations,
            if Some(i) == report.best { "  <- chosen" } else { "" }
        );
    }
    let warm: usize = report.candidates.iter().map(|c| c.iterations).sum();
    if !cli.no_cold {
        spec.warm_start = false;
        params.logistic = params.logistic.tune(Some(spec));
        let (wall, cpu0) = (Instant::now(), cpu_seconds());
        let cold_model = Model::train(&texts, &labels, &params)?;
        let (cold_secs, cold_cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu0);
        let cold = cold_model.tuning().ok_or("no tuning report")?;
        let cold_epochs: usize = cold.candidates.iter().map(|c| c.iterations).sum();
        let max_diff = report
            .candidates
            .iter()
            .zip(&cold.candidates)
            .map(|(a, b)| (a.mean_macro_f1 - b.mean_macro_f1).abs())
            .fold(0.0, f64::max);
        println!(
            "warm starts: {warm} epochs, {secs:.2} s ({cpu_secs:.2} CPU s); cold: {cold_epochs} epochs, {cold_secs:.2} s ({cold_cpu:.2} CPU s); same choice: {}; largest macro-F1 difference {max_diff:.4}",
            cold.best == report.best
        );
    }
    Ok(())
}
