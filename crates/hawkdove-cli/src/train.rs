//! `hawkdove train`: train a model from a labelled `label<TAB>text` file and write the model
//! file.

use std::io::Write;
use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use hawkdove::eval::read_tsv;
use hawkdove::{Model, ModelParams};

use crate::error::{write_err, CliError, Result};
use crate::options::ModelOptions;
use crate::progress::{class_weight_name, TrainBars};

/// Arguments of `hawkdove train`.
#[derive(Debug, Args)]
pub struct TrainArgs {
    /// Labelled training data, one `label<TAB>text` per line.
    #[arg(long)]
    pub data: PathBuf,
    /// Where to write the model file.
    #[arg(long)]
    pub out: PathBuf,
    /// The class at score −1 (default: inferred).
    #[arg(long, requires = "positive")]
    pub negative: Option<String>,
    /// The class at score +1 (default: inferred).
    #[arg(long, requires = "negative")]
    pub positive: Option<String>,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub model: ModelOptions,
}

/// Run `hawkdove train`: training progress on standard error unless `quiet`, stopped when
/// `cancel` says so.
pub fn run(args: &TrainArgs, quiet: bool, cancel: &(dyn Fn() -> bool + Sync), out: &mut dyn Write) -> Result<()> {
    let mut params = args.model.apply(ModelParams::default()).map_err(CliError::Usage)?;
    if let (Some(n), Some(p)) = (&args.negative, &args.positive) {
        params.poles = Some(hawkdove::score::Poles {
            negative: n.clone(),
            positive: p.clone(),
        });
    }
    let data = read_tsv(&args.data)?;
    let texts: Vec<&str> = data.iter().map(|d| d.text.as_str()).collect();
    let labels: Vec<&str> = data.iter().map(|d| d.label.as_str()).collect();
    let start = Instant::now();
    let mut bars = TrainBars::new(!quiet, cancel);
    let model = Model::train_with(&texts, &labels, &params, &mut |e: &hawkdove::TrainEvent| bars.on(e))?;
    drop(bars);
    let secs = start.elapsed().as_secs_f64();
    model.save(&args.out)?;
    let (neg, pos) = model.poles();
    writeln!(
        out,
        "trained on {} passages in {:.2} s: classes {:?}, poles {} → {}, {} features, temperature {:.3}; wrote {}",
        texts.len(),
        secs,
        model.classes(),
        neg,
        pos,
        model.featurizer().n_features(),
        model.temperature(),
        args.out.display()
    )
    .map_err(write_err)?;
    writeln!(out, "{}", chosen_settings(&model)).map_err(write_err)
}

/// The C and class weight a model was trained with, and whether self-tuning chose them.
pub fn chosen_settings(model: &Model) -> String {
    let logistic = model.params().map(|p| p.logistic.get().clone());
    match (model.tuning(), logistic) {
        (Some(t), _) => match t.best.and_then(|b| t.candidates.get(b)) {
            Some(best) => format!(
                "self-tuning chose C = {}, class weight {} (mean macro-F1 {:.4} over {} folds, {} settings)",
                t.c,
                class_weight_name(&t.class_weight),
                best.mean_macro_f1,
                t.folds,
                t.candidates.len()
            ),
            None => format!(
                "C = {}, class weight {} (fixed: {})",
                t.c,
                class_weight_name(&t.class_weight),
                t.note.as_deref().unwrap_or("tuning did not run")
            ),
        },
        (None, Some(l)) => format!(
            "C = {}, class weight {} (fixed)",
            l.c(),
            class_weight_name(l.class_weight())
        ),
        (None, None) => String::new(),
    }
}
