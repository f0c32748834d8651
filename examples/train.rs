//! Train a model from a labelled `label<TAB>text` file and write the model file.
//!
//! ```text
//! cargo run --release --example train -- --data FILE.tsv --out model.json [model options]
//! ```

#[path = "common/progress.rs"]
mod bars;
#[path = "common/options.rs"]
mod options;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use hawkdove::eval::read_tsv;
use hawkdove::{Model, ModelParams};

#[derive(Debug, Parser)]
#[command(about = "Train a hawkdove model and save it")]
struct Cli {
    /// Labelled training data, one `label<TAB>text` per line.
    #[arg(long)]
    data: PathBuf,
    /// Where to write the model file.
    #[arg(long)]
    out: PathBuf,
    /// The class at score −1 (default: inferred).
    #[arg(long, requires = "positive")]
    negative: Option<String>,
    /// The class at score +1 (default: inferred).
    #[arg(long, requires = "negative")]
    positive: Option<String>,
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
    let mut params = cli.model.apply(ModelParams::default())?;
    if let (Some(n), Some(p)) = (&cli.negative, &cli.positive) {
        params.poles = Some(hawkdove::score::Poles {
            negative: n.clone(),
            positive: p.clone(),
        });
    }
    let data = read_tsv(&cli.data)?;
    let texts: Vec<&str> = data.iter().map(|d| d.text.as_str()).collect();
    let labels: Vec<&str> = data.iter().map(|d| d.label.as_str()).collect();
    let start = Instant::now();
    let mut bars = bars::Progress::stderr();
    let model = Model::train_with(&texts, &labels, &params, &mut |e: &hawkdove::TrainEvent| bars.on(e))?;
    drop(bars);
    let secs = start.elapsed().as_secs_f64();
    model.save(&cli.out)?;
    let (neg, pos) = model.poles();
    println!(
        "trained on {} passages in {:.2} s: classes {:?}, poles {} → {}, {} features, temperature {:.3}; wrote {}",
        texts.len(),
        secs,
        model.classes(),
        neg,
        pos,
        model.featurizer().n_features(),
        model.temperature(),
        cli.out.display()
    );
    Ok(())
}
