//! Evaluation: stratified k-fold cross-validation and train/test evaluation, with accuracy,
//! macro-F1, per-class precision/recall/F1 and the confusion matrix (from linfa's
//! `ConfusionMatrix`), and calibration measures: Brier score, expected calibration error and a
//! reliability table.
//!
//! Also reads labelled `label<TAB>text` files.

use std::path::Path;

use linfa::metrics::ToConfusionMatrix;
use ndarray::Array1;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::SplitMix64;
use crate::progress::{emit, silent, FoldPurpose, Progress, TrainEvent};
use crate::score::{check_class_sizes, check_folds, encode_text_labels, Calibration, Model, ModelParams, Prediction};

/// Number of bins of the reliability table and of the expected calibration error.
pub const CALIBRATION_BINS: usize = 10;

/// Assign each sample to one of `k` folds so that every class is spread evenly (stratified),
/// in an order drawn from `seed`. Deterministic.
pub fn stratified_folds(y: &[usize], n_classes: usize, k: usize, seed: u64) -> Vec<usize> {
    let mut fold = vec![0usize; y.len()];
    let mut rng = SplitMix64::new(seed);
    let mut offset = 0;
    for class in 0..n_classes {
        let mut members: Vec<usize> = (0..y.len()).filter(|&i| y[i] == class).collect();
        rng.shuffle(&mut members);
        for (j, &i) in members.iter().enumerate() {
            fold[i] = (offset + j) % k.max(1);
        }
        offset += members.len();
    }
    fold
}

/// Precision, recall and F1 of one class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassMetrics {
    /// The class label.
    pub label: String,
    /// Of the passages predicted as this class, the share that are.
    pub precision: f64,
    /// Of the passages of this class, the share predicted as it.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Number of true passages of this class.
    pub support: usize,
}

/// One bin of a reliability table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReliabilityBin {
    /// Lower edge of the confidence bin.
    pub lower: f64,
    /// Upper edge of the confidence bin.
    pub upper: f64,
    /// Predictions whose confidence falls here.
    pub count: usize,
    /// Their mean confidence.
    pub confidence: f64,
    /// Their accuracy.
    pub accuracy: f64,
}

/// Classification and calibration metrics of a set of predictions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// Number of evaluated passages.
    pub n: usize,
    /// Share of correct labels.
    pub accuracy: f64,
    /// Unweighted mean of the per-class F1.
    pub macro_f1: f64,
    /// Per-class metrics, in class order.
    pub per_class: Vec<ClassMetrics>,
    /// `confusion[t][p]`: passages of true class `t` predicted as `p`, in class order.
    pub confusion: Vec<Vec<usize>>,
    /// Class labels (order of `per_class` and `confusion`).
    pub classes: Vec<String>,
    /// Multi-class Brier score: mean over passages of `Σ_k (p_k − 1[y = k])²`.
    pub brier: f64,
    /// Mean negative log-likelihood of the true class.
    pub log_loss: f64,
    /// Expected calibration error of the top-class confidence ([`CALIBRATION_BINS`] equal-width
    /// bins).
    pub ece: f64,
    /// The reliability table behind `ece`.
    pub reliability: Vec<ReliabilityBin>,
}

impl Report {
    /// Compute the report of `predictions` against `truth` (labels among `classes`).
    pub fn new(classes: &[String], truth: &[String], predictions: &[Prediction]) -> Result<Report> {
        if truth.len() != predictions.len() {
            return Err(Error::LengthMismatch {
                left_name: "truth",
                left: truth.len(),
                right_name: "predictions",
                right: predictions.len(),
            });
        }
        let k = classes.len();
        let index = |l: &str| {
            classes.iter().position(|c| c == l).ok_or_else(|| Error::UnknownLabel {
                label: l.to_string(),
                known: classes.to_vec(),
            })
        };
        let t: Vec<usize> = truth.iter().map(|l| index(l)).collect::<Result<_>>()?;
        let n = t.len();
        let mut confusion = vec![vec![0usize; k]; k];
        for (ti, p) in t.iter().zip(predictions) {
            if let Some(row) = confusion.get_mut(*ti) {
                if let Some(cell) = row.get_mut(p.class_index) {
                    *cell += 1;
                }
            }
        }
        // Accuracy through linfa's confusion matrix (predictions vs ground truth).
        let pred_arr = Array1::from(predictions.iter().map(|p| p.label.clone()).collect::<Vec<_>>());
        let truth_arr = Array1::from(truth.to_vec());
        let accuracy = if n == 0 {
            0.0
        } else {
            f64::from(pred_arr.confusion_matrix(&truth_arr)?.accuracy())
        };
        let per_class: Vec<ClassMetrics> = (0..k)
            .map(|c| {
                let tp = confusion[c][c] as f64;
                let support: usize = confusion[c].iter().sum();
                let predicted: usize = confusion.iter().map(|r| r[c]).sum();
                let precision = if predicted == 0 { 0.0 } else { tp / predicted as f64 };
                let recall = if support == 0 { 0.0 } else { tp / support as f64 };
                let f1 = if precision + recall == 0.0 {
                    0.0
                } else {
                    2.0 * precision * recall / (precision + recall)
                };
                ClassMetrics {
                    label: classes[c].clone(),
                    precision,
                    recall,
                    f1,
                    support,
                }
            })
            .collect();
        let macro_f1 = per_class.iter().map(|m| m.f1).sum::<f64>() / k.max(1) as f64;
        let mut brier = 0.0;
        let mut log_loss = 0.0;
        for (ti, p) in t.iter().zip(predictions) {
            for (j, pj) in p.probabilities.iter().enumerate() {
                let target = if j == *ti { 1.0 } else { 0.0 };
                brier += (pj - target).powi(2);
            }
            log_loss -= p.probabilities.get(*ti).copied().unwrap_or(0.0).max(1e-15).ln();
        }
        let denom = n.max(1) as f64;
        let (ece, reliability) = reliability(&t, predictions);
        Ok(Report {
            n,
            accuracy,
            macro_f1,
            per_class,
            confusion,
            classes: classes.to_vec(),
            brier: brier / denom,
            log_loss: log_loss / denom,
            ece,
            reliability,
        })
    }

    /// A readable multi-line summary.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "n = {}  accuracy = {:.4}  macro-F1 = {:.4}  Brier = {:.4}  log-loss = {:.4}  ECE = {:.4}\n",
            self.n, self.accuracy, self.macro_f1, self.brier, self.log_loss, self.ece
        );
        s.push_str(&format!(
            "{:<16} {:>9} {:>9} {:>9} {:>8}\n",
            "class", "precision", "recall", "F1", "support"
        ));
        for m in &self.per_class {
            s.push_str(&format!(
                "{:<16} {:>9.4} {:>9.4} {:>9.4} {:>8}\n",
                m.label, m.precision, m.recall, m.f1, m.support
            ));
        }
        s.push_str("confusion (rows: true, columns: predicted)\n");
        for (label, row) in self.classes.iter().zip(&self.confusion) {
            let cells: Vec<String> = row.iter().map(|v| format!("{v:>7}")).collect();
            s.push_str(&format!("{:<16}{}\n", label, cells.join("")));
        }
        s.push_str("reliability (confidence bin: count, mean confidence, accuracy)\n");
        for b in self.reliability.iter().filter(|b| b.count > 0) {
            s.push_str(&format!(
                "  [{:.1}, {:.1}): {:>6}  {:.3}  {:.3}\n",
                b.lower, b.upper, b.count, b.confidence, b.accuracy
            ));
        }
        s
    }
}

fn reliability(truth: &[usize], predictions: &[Prediction]) -> (f64, Vec<ReliabilityBin>) {
    let mut bins: Vec<(usize, f64, usize)> = vec![(0, 0.0, 0); CALIBRATION_BINS];
    for (t, p) in truth.iter().zip(predictions) {
        let conf = p.probabilities.get(p.class_index).copied().unwrap_or(0.0);
        let b = ((conf * CALIBRATION_BINS as f64) as usize).min(CALIBRATION_BINS - 1);
        bins[b].0 += 1;
        bins[b].1 += conf;
        bins[b].2 += usize::from(p.class_index == *t);
    }
    let n = truth.len().max(1) as f64;
    let mut ece = 0.0;
    let table = bins
        .iter()
        .enumerate()
        .map(|(i, &(count, conf_sum, correct))| {
            let (confidence, accuracy) = if count == 0 {
                (0.0, 0.0)
            } else {
                (conf_sum / count as f64, correct as f64 / count as f64)
            };
            ece += count as f64 / n * (confidence - accuracy).abs();
            ReliabilityBin {
                lower: i as f64 / CALIBRATION_BINS as f64,
                upper: (i + 1) as f64 / CALIBRATION_BINS as f64,
                count,
                confidence,
                accuracy,
            }
        })
        .collect();
    (ece, table)
}

/// Results of a cross-validation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvReport {
    /// Number of folds.
    pub folds: usize,
    /// The seed of the fold assignment.
    pub seed: u64,
    /// Metrics of every fold's test part.
    pub per_fold: Vec<Report>,
    /// Metrics of all out-of-fold predictions pooled.
    pub pooled: Report,
    /// Mean of the per-fold accuracies.
    pub mean_accuracy: f64,
    /// Standard deviation of the per-fold accuracies.
    pub std_accuracy: f64,
    /// Mean of the per-fold macro-F1.
    pub mean_macro_f1: f64,
}

/// Stratified `folds`-fold cross-validation of `params` on `texts`/`labels`.
pub fn cross_validate<S, L>(
    texts: &[S],
    labels: &[L],
    params: &ModelParams,
    folds: usize,
    seed: u64,
) -> Result<CvReport>
where
    S: AsRef<str> + Sync,
    L: AsRef<str>,
{
    cross_validate_weighted_with(texts, labels, None, params, folds, seed, &mut silent)
}

/// [`cross_validate`] with per-text sample weights: every fold's model is trained with the
/// weights of its training texts ([`Model::train_weighted`]); the test metrics count each
/// text once. The weights are checked (one per text, finite, non-negative, not all zero)
/// before any fold is trained.
pub fn cross_validate_weighted<S, L>(
    texts: &[S],
    labels: &[L],
    sample_weight: Option<&[f64]>,
    params: &ModelParams,
    folds: usize,
    seed: u64,
) -> Result<CvReport>
where
    S: AsRef<str> + Sync,
    L: AsRef<str>,
{
    cross_validate_weighted_with(texts, labels, sample_weight, params, folds, seed, &mut silent)
}

/// [`cross_validate`] reporting its progress to `progress`: each fold's start, its training
/// events (see [`Model::train_with`]) and its end, in order. The callback can stop it: then
/// [`Error::Cancelled`] and no report (see [`crate::progress`]).
pub fn cross_validate_with<S, L>(
    texts: &[S],
    labels: &[L],
    params: &ModelParams,
    folds: usize,
    seed: u64,
    progress: &mut Progress<'_>,
) -> Result<CvReport>
where
    S: AsRef<str> + Sync,
    L: AsRef<str>,
{
    cross_validate_weighted_with(texts, labels, None, params, folds, seed, progress)
}

/// [`cross_validate_weighted`] reporting its progress to `progress` as
/// [`cross_validate_with`] does.
pub fn cross_validate_weighted_with<S, L>(
    texts: &[S],
    labels: &[L],
    sample_weight: Option<&[f64]>,
    params: &ModelParams,
    folds: usize,
    seed: u64,
    progress: &mut Progress<'_>,
) -> Result<CvReport>
where
    S: AsRef<str> + Sync,
    L: AsRef<str>,
{
    params.validate()?;
    if let Some(w) = sample_weight {
        crate::model::check_sample_weight(w, texts.len())?;
    }
    if folds < 2 {
        return Err(Error::param("folds", folds, "must be at least 2"));
    }
    let (labels, classes, y) = encode_text_labels(texts.len(), labels)?;
    check_class_sizes(&classes, &y, 2, "cross-validation")?;
    check_folds(&classes, &y, folds, "folds")?;
    let assignment = stratified_folds(&y, classes.len(), folds, seed);
    // Calibration folds are checked on every training split before any fold is trained.
    if let Calibration::Temperature { folds: calibration } = params.calibration {
        for f in 0..folds {
            let train: Vec<usize> = (0..y.len()).filter(|&i| assignment[i] != f).map(|i| y[i]).collect();
            check_folds(&classes, &train, calibration, "calibration.folds")?;
        }
    }
    let mut oof: Vec<Option<Prediction>> = vec![None; texts.len()];
    let mut per_fold = Vec::with_capacity(folds);
    for f in 0..folds {
        let train: Vec<usize> = (0..texts.len()).filter(|&i| assignment[i] != f).collect();
        let test: Vec<usize> = (0..texts.len()).filter(|&i| assignment[i] == f).collect();
        if test.is_empty() {
            continue;
        }
        let purpose = FoldPurpose::CrossValidation;
        emit(
            progress,
            TrainEvent::FoldStarted {
                purpose,
                fold: f,
                folds,
            },
        )?;
        let tr_t: Vec<&str> = train.iter().map(|&i| texts[i].as_ref()).collect();
        let tr_l: Vec<&str> = train.iter().map(|&i| labels[i].as_str()).collect();
        let tr_w: Option<Vec<f64>> = sample_weight.map(|w| train.iter().map(|&i| w[i]).collect());
        let model = Model::train_weighted_with(&tr_t, &tr_l, tr_w.as_deref(), params, progress)?;
        let te_t: Vec<&str> = test.iter().map(|&i| texts[i].as_ref()).collect();
        let te_l: Vec<String> = test.iter().map(|&i| labels[i].clone()).collect();
        let preds = remap(model.predict_batch(&te_t), model.classes(), &classes);
        per_fold.push(Report::new(&classes, &te_l, &preds)?);
        for (p, &i) in preds.into_iter().zip(&test) {
            oof[i] = Some(p);
        }
        emit(
            progress,
            TrainEvent::FoldFinished {
                purpose,
                fold: f,
                folds,
            },
        )?;
    }
    let oof: Vec<Prediction> = oof.into_iter().flatten().collect();
    let pooled = Report::new(&classes, &labels, &oof)?;
    let accs: Vec<f64> = per_fold.iter().map(|r| r.accuracy).collect();
    let mean = accs.iter().sum::<f64>() / accs.len().max(1) as f64;
    let var = accs.iter().map(|a| (a - mean).powi(2)).sum::<f64>() / accs.len().max(1) as f64;
    let mean_macro_f1 = per_fold.iter().map(|r| r.macro_f1).sum::<f64>() / per_fold.len().max(1) as f64;
    Ok(CvReport {
        folds,
        seed,
        per_fold,
        pooled,
        mean_accuracy: mean,
        std_accuracy: var.sqrt(),
        mean_macro_f1,
    })
}

/// Re-express predictions of a model whose classes are a subset of `all` in `all`'s order.
fn remap(preds: Vec<Prediction>, model_classes: &[String], all: &[String]) -> Vec<Prediction> {
    if model_classes == all {
        return preds;
    }
    preds
        .into_iter()
        .map(|mut p| {
            let mut probs = vec![0.0; all.len()];
            for (j, c) in model_classes.iter().enumerate() {
                if let Some(pos) = all.iter().position(|a| a == c) {
                    probs[pos] = p.probabilities[j];
                }
            }
            p.class_index = all.iter().position(|a| *a == p.label).unwrap_or(0);
            p.probabilities = probs;
            p
        })
        .collect()
}

/// Train on one set and evaluate on another.
pub fn train_test<S, L>(
    train_texts: &[S],
    train_labels: &[L],
    test_texts: &[S],
    test_labels: &[L],
    params: &ModelParams,
) -> Result<(Model, Report)>
where
    S: AsRef<str> + Sync,
    L: AsRef<str>,
{
    train_test_with(train_texts, train_labels, test_texts, test_labels, params, &mut silent)
}

/// [`train_test`] reporting the training's progress to `progress` (see [`Model::train_with`]).
pub fn train_test_with<S, L>(
    train_texts: &[S],
    train_labels: &[L],
    test_texts: &[S],
    test_labels: &[L],
    params: &ModelParams,
    progress: &mut Progress<'_>,
) -> Result<(Model, Report)>
where
    S: AsRef<str> + Sync,
    L: AsRef<str>,
{
    if test_texts.len() != test_labels.len() {
        return Err(Error::LengthMismatch {
            left_name: "test texts",
            left: test_texts.len(),
            right_name: "test labels",
            right: test_labels.len(),
        });
    }
    let model = Model::train_with(train_texts, train_labels, params, progress)?;
    let truth: Vec<String> = test_labels.iter().map(|l| l.as_ref().to_string()).collect();
    for l in &truth {
        if !model.classes().contains(l) {
            return Err(Error::UnknownLabel {
                label: l.clone(),
                known: model.classes().to_vec(),
            });
        }
    }
    let preds = model.predict_batch(test_texts);
    let report = Report::new(model.classes(), &truth, &preds)?;
    Ok((model, report))
}

/// A labelled example read from a TSV file.
#[derive(Debug, Clone, PartialEq)]
pub struct Labelled {
    /// The label (first column).
    pub label: String,
    /// The text (second column).
    pub text: String,
}

/// Read a `label<TAB>text` file. Blank lines are skipped; a line without a tab, with an empty
/// label, or with invalid UTF-8 is an error naming the file and line.
pub fn read_tsv(path: impl AsRef<Path>) -> Result<Vec<Labelled>> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    parse_tsv(&bytes, path)
}

/// The UTF-8 byte-order mark.
const UTF8_BOM: &[u8] = b"\xef\xbb\xbf";

/// `bytes` as text without a leading UTF-8 byte-order mark; invalid UTF-8 is an
/// [`Error::Tsv`] naming `path`, the line and the byte within the line.
pub(crate) fn utf8_text<'a>(bytes: &'a [u8], path: &Path) -> Result<&'a str> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = bytes.get(..e.valid_up_to()).unwrap_or_default();
        let line_start = good.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
        Error::Tsv {
            path: path.to_path_buf(),
            line: good.iter().filter(|&&b| b == b'\n').count() + 1,
            reason: format!("invalid UTF-8 at byte {} of the line", e.valid_up_to() - line_start),
        }
    })
}

/// Parse `label<TAB>text` lines from bytes (see [`read_tsv`]); `path` is used in errors.
pub fn parse_tsv(bytes: &[u8], path: &Path) -> Result<Vec<Labelled>> {
    let mut out = Vec::new();
    // A UTF-8 byte-order mark (written by some editors and spreadsheet exports) is not part of
    // the first label.
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    for (i, raw) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i + 1;
        let line = std::str::from_utf8(raw).map_err(|e| Error::Tsv {
            path: path.to_path_buf(),
            line: line_no,
            reason: format!("invalid UTF-8 at byte {} of the line", e.valid_up_to()),
        })?;
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            continue;
        }
        let Some((label, text)) = line.split_once('\t') else {
            return Err(Error::Tsv {
                path: path.to_path_buf(),
                line: line_no,
                reason: "expected `label<TAB>text`, found no tab".into(),
            });
        };
        let label = label.trim();
        if label.is_empty() {
            return Err(Error::Tsv {
                path: path.to_path_buf(),
                line: line_no,
                reason: "empty label".into(),
            });
        }
        out.push(Labelled {
            label: label.to_string(),
            text: text.to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests;
