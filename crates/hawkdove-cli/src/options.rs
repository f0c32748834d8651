//! Model options shared by the `train` and `evaluate` subcommands (and the `real_dev` example).
//!
//! Every option shows its default in `--help` (read from the library's own defaults, so the two
//! cannot drift apart), and every on/off setting can be switched both ways (`--idf`/`--no-idf`;
//! the last one given wins). An option that is not given keeps the value of the parameters the
//! command starts from (the library's defaults, or the bundled models' settings in `real_dev`).

use clap::{Args, ValueEnum};
use hawkdove::features::DocFrequency;
use hawkdove::score::Calibration;
use hawkdove::text::{Language, StopWords};
use hawkdove::{ClassWeight, FeatureSpace, LogisticParams, ModelParams, Solver, Weighting};
use serde_json::Value;

/// A library default, as its JSON value (`path` into `ModelParams::default()`).
fn default_of(path: &[&str]) -> Value {
    let mut v = serde_json::to_value(ModelParams::default()).unwrap_or(Value::Null);
    for key in path {
        v = v.get(*key).cloned().unwrap_or(Value::Null);
    }
    v
}

/// A library default as shown: numbers as Rust prints them (`8`, `1000`, `0.5`).
fn shown(path: &[&str]) -> String {
    match default_of(path) {
        Value::Number(n) => match (n.as_u64(), n.as_f64()) {
            (Some(u), _) => u.to_string(),
            (None, Some(f)) => f.to_string(),
            _ => n.to_string(),
        },
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

/// `text` followed by `[default: …]`.
fn with_default(text: &str, default: impl std::fmt::Display) -> String {
    format!("{text} [default: {default}]")
}

/// `on` or `off`.
fn on_off(v: bool) -> &'static str {
    if v {
        "on"
    } else {
        "off"
    }
}

fn default_flag(path: &[&str]) -> &'static str {
    on_off(default_of(path).as_bool().unwrap_or(false))
}

fn default_pair(path: &[&str]) -> String {
    match default_of(path) {
        Value::Array(a) if a.len() == 2 => format!("{},{}", a[0], a[1]),
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

fn default_string(path: &[&str]) -> String {
    match default_of(path) {
        Value::String(s) => s,
        Value::Null => "none".into(),
        other => other.to_string(),
    }
}

/// Term weighting.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum WeightingArg {
    /// 1 for a feature present, whatever its count.
    Binary,
    /// The raw count.
    Tf,
    /// 1 + ln(count).
    #[value(alias = "sublinear_tf")]
    Sublinear,
}

/// The solver.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum SolverArg {
    /// Dual coordinate descent for two classes, L-BFGS otherwise.
    Auto,
    /// Dual coordinate descent (two classes only).
    #[value(name = "dual_cd", alias = "dcd")]
    DualCd,
    /// Multinomial L-BFGS, any number of classes.
    Lbfgs,
}

/// Featurizer and model options (defaults are the library's defaults).
#[derive(Debug, Args, Clone)]
pub struct ModelOptions {
    #[arg(long = "C", alias = "c", value_name = "auto|C", value_parser = parse_c,
          help = with_default("Inverse regularization strength C: `auto` chooses it by stratified 3-fold cross-validation on the training data among 0.25, 0.5, …, 32 (warm starts along the path), a number fixes it", "auto"))]
    pub c: Option<Setting<f64>>,
    #[arg(long, value_parser = parse_range, value_name = "MIN,MAX",
          help = with_default("Word n-gram orders, e.g. `1,2`", default_pair(&["featurizer", "word_ngrams"])))]
    pub ngrams: Option<(usize, usize)>,
    #[arg(long, value_parser = parse_range, value_name = "MIN,MAX",
          help = with_default("Character n-gram orders within words, e.g. `2,5`", default_pair(&["featurizer", "char_ngrams"])))]
    pub char_ngrams: Option<(usize, usize)>,
    #[arg(long, help = with_default("Minimum document count of a feature", 1))]
    pub min_df: Option<usize>,
    #[arg(long, help = with_default("Maximum document fraction of a feature", "1.0"))]
    pub max_df: Option<f64>,
    #[arg(long, help = with_default("Keep only the most frequent features", "none: all"))]
    pub max_features: Option<usize>,
    #[arg(long, help = with_default("Use feature hashing with this many bits instead of a vocabulary", "none: a vocabulary"))]
    pub hashing_bits: Option<u32>,
    #[arg(long, value_enum, help = with_default("Term weighting", "sublinear"))]
    pub weighting: Option<WeightingArg>,
    #[arg(long, overrides_with = "no_idf", help = with_default("Multiply by smooth idf", default_flag(&["featurizer", "idf"])))]
    pub idf: bool,
    #[arg(long, overrides_with = "idf", help = "Turn idf weighting off")]
    pub no_idf: bool,
    #[arg(long, overrides_with = "no_normalize",
          help = with_default("Scale each row to unit l2 norm", default_flag(&["featurizer", "normalize"])))]
    pub normalize: bool,
    #[arg(long, overrides_with = "normalize", help = "Turn l2 row normalization off")]
    pub no_normalize: bool,
    #[arg(long, overrides_with = "no_nb",
          help = with_default("Naive-Bayes log-count-ratio scaling (Wang & Manning 2012)", on_off(!default_of(&["logistic", "nb_alpha"]).is_null())))]
    pub nb: bool,
    #[arg(long, overrides_with = "nb", help = "Turn Naive-Bayes scaling off")]
    pub no_nb: bool,
    #[arg(long, conflicts_with = "no_nb",
          help = with_default("Smoothing of Naive-Bayes scaling (implies --nb)", shown(&["logistic", "nb_alpha"])))]
    pub nb_alpha: Option<f64>,
    #[arg(long, overrides_with = "no_stem",
          help = with_default("Stem words (Snowball)", on_off(!default_of(&["featurizer", "text", "stemmer"]).is_null())))]
    pub stem: bool,
    #[arg(long, overrides_with = "stem", help = "Turn stemming off")]
    pub no_stem: bool,
    #[arg(long, conflicts_with = "no_stem",
          help = with_default("Snowball stemmer language, e.g. english (implies --stem)", default_string(&["featurizer", "text", "stemmer"])))]
    pub stemmer: Option<String>,
    #[arg(long, overrides_with = "no_stop_words",
          help = with_default("Remove English stop words", on_off(!default_of(&["featurizer", "text", "stop_words"]).is_null())))]
    pub stop_words: bool,
    #[arg(long, overrides_with = "stop_words", help = "Keep stop words")]
    pub no_stop_words: bool,
    #[arg(long, overrides_with = "no_negation",
          help = with_default("Mark words in a negation's scope", on_off(!default_of(&["featurizer", "text", "negation"]).is_null())))]
    pub negation: bool,
    #[arg(long, overrides_with = "negation", help = "Turn negation scope marking off")]
    pub no_negation: bool,
    #[arg(long, overrides_with = "no_fold_numbers",
          help = with_default("Fold numbers to a placeholder", default_flag(&["featurizer", "text", "fold_numbers"])))]
    pub fold_numbers: bool,
    #[arg(long, overrides_with = "fold_numbers", help = "Keep numbers as they are")]
    pub no_fold_numbers: bool,
    #[arg(long, value_name = "WEIGHTS", help = with_default(
        "Class weights: `auto` (uniform or balanced, chosen by the same cross-validation as --C auto), `none` or `uniform` (every class 1), `balanced` (n_samples / (n_classes × n_samples_of_class), as in scikit-learn) or explicit `LABEL=W,LABEL=W` (unlisted labels weigh 1)",
        "auto"))]
    pub class_weight: Option<String>,
    #[arg(long, value_name = "FOLDS",
          help = with_default("Calibrate probabilities by temperature scaling fitted on this many folds", "none: uncalibrated"))]
    pub calibrate: Option<usize>,
    #[arg(long, value_enum, help = with_default("Solver", "auto"))]
    pub solver: Option<SolverArg>,
    #[arg(long, help = with_default("Convergence tolerance", "the solver's: 0.1 for dual_cd, 1e-4 for lbfgs"))]
    pub tol: Option<f64>,
    #[arg(long, help = with_default("Iteration limit", shown(&["logistic", "max_iter"])))]
    pub max_iter: Option<usize>,
    #[arg(long,
          help = with_default("A lexicon file (`pole<TAB>phrase` lines) whose matches become extra features", "none"))]
    pub lexicon: Option<std::path::PathBuf>,
}

/// A setting chosen by self-tuning (`auto`) or fixed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Setting<T> {
    /// Chosen by cross-validation.
    Auto,
    /// Fixed.
    Fixed(T),
}

fn parse_c(s: &str) -> Result<Setting<f64>, String> {
    if s.eq_ignore_ascii_case("auto") {
        return Ok(Setting::Auto);
    }
    s.trim()
        .parse()
        .map(Setting::Fixed)
        .map_err(|e| format!("expected `auto` or a number: {e}"))
}

fn parse_range(s: &str) -> Result<(usize, usize), String> {
    let (a, b) = s.split_once(',').unwrap_or((s, s));
    let a = a.trim().parse().map_err(|e| format!("{e}"))?;
    let b = b.trim().parse().map_err(|e| format!("{e}"))?;
    Ok((a, b))
}

/// `Some(true)` for `--x`, `Some(false)` for `--no-x`, `None` when neither was given (clap
/// keeps only the last of the two).
fn switch(on: bool, off: bool) -> Option<bool> {
    match (on, off) {
        (true, _) => Some(true),
        (_, true) => Some(false),
        _ => None,
    }
}

/// `uniform`, `balanced` or `LABEL=W,LABEL=W`.
fn parse_class_weight(s: &str) -> Result<ClassWeight, String> {
    match s {
        "balanced" => Ok(ClassWeight::Balanced),
        "uniform" | "none" => Ok(ClassWeight::Uniform),
        list => {
            let mut weights = Vec::new();
            for part in list.split(',') {
                let (label, w) = part
                    .rsplit_once('=')
                    .ok_or_else(|| format!("unknown class weight {s:?} (uniform, balanced or LABEL=W,LABEL=W)"))?;
                let w: f64 = w
                    .trim()
                    .parse()
                    .map_err(|e| format!("class weight of {label:?}: {e}"))?;
                weights.push((label.trim().to_string(), w));
            }
            Ok(ClassWeight::Explicit(weights))
        }
    }
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
        if let Some(w) = self.weighting {
            f.weighting = match w {
                WeightingArg::Binary => Weighting::Binary,
                WeightingArg::Tf => Weighting::Tf,
                WeightingArg::Sublinear => Weighting::SublinearTf,
            };
        }
        if let Some(on) = switch(self.idf, self.no_idf) {
            f.idf = on;
        }
        if let Some(on) = switch(self.normalize, self.no_normalize) {
            f.normalize = on;
        }
        match (switch(self.stem, self.no_stem), &self.stemmer) {
            (Some(false), _) => f.text.stemmer = None,
            (_, Some(lang)) => {
                let parsed: Language = serde_json::from_value(Value::String(lang.to_lowercase()))
                    .map_err(|_| format!("unknown stemmer language {lang:?}"))?;
                f.text.stemmer = Some(parsed);
            }
            (Some(true), None) => {
                if f.text.stemmer.is_none() {
                    f.text.stemmer = Some(Language::English);
                }
            }
            (None, None) => {}
        }
        if let Some(on) = switch(self.stop_words, self.no_stop_words) {
            f.text.stop_words = on.then_some(StopWords::English);
        }
        match switch(self.negation, self.no_negation) {
            Some(false) => f.text.negation = None,
            Some(true) if f.text.negation.is_none() => {
                f.text.negation = ModelParams::default().featurizer.text.negation;
            }
            _ => {}
        }
        if let Some(on) = switch(self.fold_numbers, self.no_fold_numbers) {
            f.text.fold_numbers = on;
        }
        if let Some(path) = &self.lexicon {
            f.lexicon = Some(hawkdove::features::Lexicon::read(path).map_err(|e| e.to_string())?);
        }
        let mut l: LogisticParams = p.logistic.clone();
        match self.c {
            Some(Setting::Fixed(c)) => l = l.c(c),
            Some(Setting::Auto) if l.get().tune().is_none_or(|t| t.c.is_none()) => {
                l = l.c_auto(hawkdove::tune::DEFAULT_C_GRID.to_vec());
            }
            _ => {}
        }
        match (switch(self.nb, self.no_nb), self.nb_alpha) {
            (Some(false), _) => l = l.nb_scaling(None),
            (_, Some(a)) => l = l.nb_scaling(Some(a)),
            (Some(true), None) => {
                if l.get().nb_alpha().is_none() {
                    l = l.nb_scaling(Some(hawkdove::model::DEFAULT_NB_ALPHA));
                }
            }
            (None, None) => {}
        }
        match self.class_weight.as_deref() {
            Some("auto") if l.get().tune().is_none_or(|t| t.class_weight.is_none()) => {
                l = l.class_weight_auto(vec![ClassWeight::Uniform, ClassWeight::Balanced]);
            }
            Some("auto") => {}
            Some(cw) => l = l.class_weight(parse_class_weight(cw)?),
            None => {}
        }
        if let Some(s) = self.solver {
            l = l.solver(match s {
                SolverArg::Auto => Solver::Auto,
                SolverArg::DualCd => Solver::DualCd,
                SolverArg::Lbfgs => Solver::Lbfgs,
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
