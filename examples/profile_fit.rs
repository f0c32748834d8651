//! Where a fit's time goes: featurization, then each solver on the same features, with the
//! accuracy on every fifth text (held out) and the time of each part (a profiling aid for
//! docs/performance.md).
//!
//! ```text
//! cargo run --release --example profile_fit -- [--data FILE.tsv] [--repeats N]
//! ```
//!
//! Without `--data` the bundled corpus's stance labels are used.

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;
use hawkdove::eval::read_tsv;
use hawkdove::{Featurizer, FeaturizerConfig, LinearModel, LogisticParams, Solver};
use linfa::prelude::*;
use ndarray::Array1;

#[derive(Debug, Parser)]
#[command(about = "Time featurization and each solver on one labelled set")]
struct Cli {
    /// Labelled data, one `label<TAB>text` per line (default: the bundled corpus, stance).
    #[arg(long)]
    data: Option<PathBuf>,
    /// Timings per part (the median is printed).
    #[arg(long, default_value_t = 3)]
    repeats: usize,
    /// Tolerances to try with dual coordinate descent (comma-separated; default: the solver's).
    #[arg(long, value_delimiter = ',')]
    tol: Vec<f64>,
    /// Leave L-BFGS out (minutes on 30,000 texts).
    #[arg(long)]
    no_lbfgs: bool,
}

/// CPU seconds (user + system, every thread) this process has used, from `/proc/self/stat`
/// (Linux; clock ticks of 1/100 s), or NaN elsewhere. On a shared machine the wall clock
/// includes waiting for a core; CPU time does not.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // Fields after the command name (which is in parentheses): utime is the 12th, stime 13th.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(f64::NAN);
    (tick(11) + tick(12)) / 100.0
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let cli = Cli::parse();
    let (texts, labels): (Vec<String>, Vec<String>) = match &cli.data {
        Some(path) => read_tsv(path)?.into_iter().map(|d| (d.text, d.label)).unzip(),
        None => hawkdove::bundled::corpus()?
            .iter()
            .map(|p| (p.text.clone(), p.label(hawkdove::bundled::Axis::Stance).to_string()))
            .unzip(),
    };
    // Every fifth text is held out for a test accuracy.
    let (train, test): (Vec<usize>, Vec<usize>) = (0..texts.len()).partition(|i| i % 5 != 0);
    let train_texts: Vec<&str> = train.iter().map(|&i| texts[i].as_str()).collect();
    let test_texts: Vec<&str> = test.iter().map(|&i| texts[i].as_str()).collect();
    let test_labels: Vec<String> = test.iter().map(|&i| labels[i].clone()).collect();
    let labels: Vec<String> = train.iter().map(|&i| labels[i].clone()).collect();
    let repeats = cli.repeats.max(1);
    let mut times = Vec::new();
    let mut fitted = None;
    for _ in 0..repeats {
        let t = Instant::now();
        fitted = Some(Featurizer::fit_transform(&FeaturizerConfig::default(), &train_texts)?);
        times.push(t.elapsed().as_secs_f64());
    }
    let (featurizer, x) = fitted.ok_or("no features")?;
    let x_test = featurizer.transform(&test_texts);
    println!(
        "{} texts, {} features, {} non-zeros: featurize {:.3} s",
        x.nrows(),
        x.ncols(),
        x.nnz(),
        median(times)
    );
    let mut runs: Vec<(String, LogisticParams)> = Vec::new();
    if !cli.no_lbfgs {
        runs.push(("lbfgs".into(), LogisticParams::default().solver(Solver::Lbfgs)));
    }
    runs.push(("dual_cd".into(), LogisticParams::default().solver(Solver::DualCd)));
    for tol in &cli.tol {
        runs.push((
            format!("dual_cd tol={tol}"),
            LogisticParams::default().solver(Solver::DualCd).tol(*tol),
        ));
    }
    let truth = Array1::from(test_labels);
    for (name, params) in runs {
        let mut times = Vec::new();
        let mut cpu = Vec::new();
        let mut model = None;
        for _ in 0..repeats {
            let (t, c) = (Instant::now(), cpu_seconds());
            model = Some(LinearModel::fit(&params, &x, &labels)?);
            times.push(t.elapsed().as_secs_f64());
            cpu.push(cpu_seconds() - c);
        }
        let model = model.ok_or("no model")?;
        let mut pred = model.default_target(&x_test);
        model.predict_inplace(&x_test, &mut pred);
        let acc = pred.iter().zip(&truth).filter(|(p, t)| p == t).count() as f64 / truth.len() as f64;
        println!(
            "{name:>20}: fit {:.3} s ({:.2} CPU s), held-out accuracy {acc:.4}",
            median(times),
            median(cpu)
        );
    }
    Ok(())
}
