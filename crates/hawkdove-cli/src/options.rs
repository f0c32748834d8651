//! Model options shared by the `train` and `evaluate` subcommands (and the `real_dev` example).

use clap::Args;
use hawkdove::features::DocFrequency;
use hawkdove::score::Calibration;
use hawkdove::text::{Language, StopWords};
use hawkdove::{ClassWeight, FeatureSpace, LogisticParams, ModelParams, Solver, Weighting};

/// Featurizer and model options (defaults are the library's defaults).
#[derive(Debug, Args, Clone)]
pub struct ModelOptions {
    /// Inverse regularization strength C.
    #[arg(long)]
    pub c: Option<f64>,
    /// Word n-gram orders, e.g. `1,2`.
    #[arg(long, value_parser = parse_range)]
    pub ngrams: Option<(usize, usize)>,
    /// Character n-gram orders within words, e.g. `2,5`.
    #[arg(long, value_parser = parse_range)]
    pub char_ngrams: Option<(usize, usize)>,
    /// Minimum document count of a feature.
    #[arg(long)]
    pub min_df: Option<usize>,
    /// Maximum document fraction of a feature.
    #[arg(long)]
    pub max_df: Option<f64>,
    /// Keep only the most frequent features.
    #[arg(long)]
    pub max_features: Option<usize>,
    /// Use feature hashing with this many bits instead of a vocabulary.
    #[arg(long)]
    pub hashing_bits: Option<u32>,
    /// Term weighting: binary, tf or sublinear.
    #[arg(long)]
    pub weighting: Option<String>,
    /// Turn idf weighting off.
    #[arg(long)]
    pub no_idf: bool,
    /// Turn l2 row normalization off.
    #[arg(long)]
    pub no_normalize: bool,
    /// Naive-Bayes log-count-ratio scaling with this smoothing.
    #[arg(long)]
    pub nb_alpha: Option<f64>,
    /// Turn Naive-Bayes log-count-ratio scaling off.
    #[arg(long, conflicts_with = "nb_alpha")]
    pub no_nb: bool,
    /// Snowball stemmer language (e.g. english).
    #[arg(long)]
    pub stemmer: Option<String>,
    /// Remove English stop words.
    #[arg(long)]
    pub stop_words: bool,
    /// Turn negation scope marking off.
    #[arg(long)]
    pub no_negation: bool,
    /// Fold numbers to a placeholder.
    #[arg(long)]
    pub fold_numbers: bool,
    /// Class weights: `balanced`.
    #[arg(long)]
    pub class_weight: Option<String>,
    /// Calibrate probabilities by temperature scaling with this many folds.
    #[arg(long)]
    pub calibrate: Option<usize>,
    /// Solver: auto, dual_cd or lbfgs.
    #[arg(long)]
    pub solver: Option<String>,
    /// Convergence tolerance.
    #[arg(long)]
    pub tol: Option<f64>,
    /// Iteration limit.
    #[arg(long)]
    pub max_iter: Option<usize>,
    /// A lexicon file (`pole<TAB>phrase` lines) whose matches become extra features.
    #[arg(long)]
    pub lexicon: Option<std::path::PathBuf>,
}

fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s.split_once(',').unwrap_or((s, s));
    let a = a.trim().parse().map_err(|e| format!("{e}"))?;
    let b = b.trim().parse().map_err(|e| format!("{e}"))?;
    Ok((a, b))
}

impl ModelOptions {
    /// Apply the options to `base`.
    pub fn apply(&self, mut p: ModelParams) -> Result<ModelParams, String> {
        let f = &mut p.featurizer;
        if let Some(r) = self.ngrams {
            f.word_ngrams = r;
        }
        if self.char_ngrams.is_some() {
            f.char_ngrams = self.char_ngrams;
        }
        if let Some(bits) = self.hashing_bits {
            f.space = FeatureSpace::Hashing { bits, seed: 0 };
        } else if self.min_df.is_some() || self.max_df.is_some() || self.max_features.is_some() {
            f.space = FeatureSpace::Vocabulary {
                min_df: DocFrequency::Count(self.min_df.unwrap_or(1)),
                max_df: DocFrequency::Fraction(self.max_df.unwrap_or(1.0)),
                max_features: self.max_features,
            };
        }
        if let Some(w) = &self.weighting {
            f.weighting = match w.as_str() {
                "binary" => Weighting::Binary,
                "tf" => Weighting::Tf,
                "sublinear" | "sublinear_tf" => Weighting::SublinearTf,
                other => return Err(format!("unknown weighting {other:?} (binary, tf, sublinear)")),
            };
        }
        if self.no_idf {
            f.idf = false;
        }
        if self.no_normalize {
            f.normalize = false;
        }
        if let Some(lang) = &self.stemmer {
            let parsed: Language = serde_json::from_value(serde_json::Value::String(lang.to_lowercase()))
                .map_err(|_| format!("unknown stemmer language {lang:?}"))?;
            f.text.stemmer = Some(parsed);
        }
        if self.stop_words {
            f.text.stop_words = Some(StopWords::English);
        }
        if self.no_negation {
            f.text.negation = None;
        }
        if self.fold_numbers {
            f.text.fold_numbers = true;
        }
        if let Some(path) = &self.lexicon {
            f.lexicon = Some(hawkdove::features::Lexicon::read(path).map_err(|e| e.to_string())?);
        }
        let mut l: LogisticParams = p.logistic.clone();
        if let Some(c) = self.c {
            l = l.c(c);
        }
        if let Some(a) = self.nb_alpha {
            l = l.nb_scaling(Some(a));
        }
        if self.no_nb {
            l = l.nb_scaling(None);
        }
        if let Some(cw) = &self.class_weight {
            l = match cw.as_str() {
                "balanced" => l.class_weight(ClassWeight::Balanced),
                "uniform" | "none" => l.class_weight(ClassWeight::Uniform),
                other => return Err(format!("unknown class weight {other:?} (balanced, uniform)")),
            };
        }
        if let Some(s) = &self.solver {
            l = l.solver(match s.as_str() {
                "auto" => Solver::Auto,
                "dual_cd" | "dcd" => Solver::DualCd,
                "lbfgs" => Solver::Lbfgs,
                other => return Err(format!("unknown solver {other:?} (auto, dual_cd, lbfgs)")),
            });
        }
        if let Some(t) = self.tol {
            l = l.tol(t);
        }
        if let Some(m) = self.max_iter {
            l = l.max_iter(m);
        }
        p.logistic = l;
        if let Some(folds) = self.calibrate {
            p.calibration = Calibration::Temperature { folds };
        }
        Ok(p)
    }
}
