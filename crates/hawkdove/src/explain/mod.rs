//! Explanations: which features moved a score, by how much, and where they are in the text.
//!
//! A linear model's logit is a sum of `weight × value` terms, so each feature's contribution is
//! exact, not estimated. Two views are given for every feature of a passage:
//!
//! * `to_label`: its contribution to the logit of the predicted class (for multi-class models,
//!   relative to the mean logit over classes, so contributions to different classes compare);
//! * `to_score`: its contribution to the log-odds between the positive and the negative pole,
//!   `log P(positive) − log P(negative)`, which moves the score the same way.
//!
//! Each feature is mapped back to the byte spans of the tokens it was built from, and token
//! contributions share every n-gram's contribution equally among its tokens, so highlighting a
//! text by token adds up to the feature total.

use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::features::Scratch;
use crate::score::{Model, Prediction};
use crate::text::Analysis;

/// One feature's part in a prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureContribution {
    /// Readable feature name (the n-gram, or `hash:COL`).
    pub name: String,
    /// Feature column.
    pub column: usize,
    /// The feature's value in the passage's row.
    pub value: f64,
    /// Contribution to the predicted class's (centred) logit.
    pub to_label: f64,
    /// Contribution to the log-odds of the positive over the negative pole.
    pub to_score: f64,
    /// Byte spans in the original text of every occurrence (first to last token of the n-gram).
    pub spans: Vec<Range<usize>>,
}

/// One token's share of the contributions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenContribution {
    /// Byte span in the original text.
    pub span: Range<usize>,
    /// The original text of the token.
    pub text: String,
    /// Its feature term (stemmed, negation-marked).
    pub term: String,
    /// Its share of contributions to the predicted class.
    pub to_label: f64,
    /// Its share of contributions to the pole log-odds.
    pub to_score: f64,
}

/// Why a passage got its prediction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The passage.
    pub text: String,
    /// The prediction being explained.
    pub prediction: Prediction,
    /// Negative pole label.
    pub negative_pole: String,
    /// Positive pole label.
    pub positive_pole: String,
    /// The intercept's part of the pole log-odds.
    pub bias_to_score: f64,
    /// Feature contributions, largest `|to_score|` first.
    pub features: Vec<FeatureContribution>,
    /// Every token in text order with its share.
    pub tokens: Vec<TokenContribution>,
}

impl Explanation {
    /// The `n` features pushing hardest toward each pole: `(toward negative, toward positive)`.
    pub fn top(&self, n: usize) -> (Vec<&FeatureContribution>, Vec<&FeatureContribution>) {
        let mut neg: Vec<&FeatureContribution> = self.features.iter().filter(|f| f.to_score < 0.0).collect();
        let mut pos: Vec<&FeatureContribution> = self.features.iter().filter(|f| f.to_score > 0.0).collect();
        neg.sort_by(|a, b| a.to_score.total_cmp(&b.to_score));
        pos.sort_by(|a, b| b.to_score.total_cmp(&a.to_score));
        neg.truncate(n);
        pos.truncate(n);
        (neg, pos)
    }
}

/// A feature weight of a model, for [`Model::top_features`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureWeight {
    /// Readable feature name.
    pub name: String,
    /// Column.
    pub column: usize,
    /// Weight.
    pub weight: f64,
}

impl Model {
    /// Per-class logit weight of column `j` for class `k` (two-class models: class 0 is 0).
    fn class_weight(&self, k: usize, j: usize) -> f64 {
        let w = self.linear.weights();
        if self.classes().len() == 2 {
            if k == 1 {
                w[0].get(j).copied().unwrap_or(0.0)
            } else {
                0.0
            }
        } else {
            w.get(k).and_then(|r| r.get(j)).copied().unwrap_or(0.0)
        }
    }

    fn class_intercept(&self, k: usize) -> f64 {
        let b = self.linear.intercepts();
        if self.classes().len() == 2 {
            if k == 1 {
                b[0]
            } else {
                0.0
            }
        } else {
            b.get(k).copied().unwrap_or(0.0)
        }
    }

    /// Weight of column `j` toward the positive pole's log-odds.
    pub fn pole_weight(&self, j: usize) -> f64 {
        let (neg, pos) = self.poles;
        (self.class_weight(pos, j) - self.class_weight(neg, j)) / self.temperature
    }

    /// Explain the prediction for one passage.
    pub fn explain(&self, text: &str) -> Explanation {
        let mut scratch = Scratch::default();
        // The row in scoring's order gives exactly `predict`'s prediction (its side-by-side
        // columns sum the same values in the same order); the features below want it sorted.
        let mut row = self.featurizer.unordered_row_into(text, &mut scratch).to_vec();
        let mut prediction = self.prediction_from_logits(&self.linear.logits_pairs(&row), row.len());
        prediction.truncated = scratch.truncated();
        prediction.abstained = self.abstention_of(text, row.len());
        row.sort_unstable_by_key(|e| e.0);
        let mut analysis = Analysis::default();
        let token_cols = self.featurizer.token_columns(text, &mut analysis);
        let k = self.classes().len();
        let label = prediction.class_index;
        let (neg, pos) = self.poles;
        let t = self.temperature;
        // Contribution of a unit of column j to the centred logit of the predicted class.
        let label_weight = |j: usize| {
            let mean = (0..k).map(|c| self.class_weight(c, j)).sum::<f64>() / k as f64;
            (self.class_weight(label, j) - mean) / t
        };
        let mut features: Vec<FeatureContribution> = row
            .iter()
            .map(|&(col, v)| {
                let j = col as usize;
                let value = f64::from(v);
                FeatureContribution {
                    name: self.featurizer.feature_name(j),
                    column: j,
                    value,
                    to_label: label_weight(j) * value,
                    to_score: self.pole_weight(j) * value,
                    spans: Vec::new(),
                }
            })
            .collect();
        // Spans: group token occurrences by (column, n-gram start) runs.
        let index_of = |col: u32| features.binary_search_by_key(&(col as usize), |f| f.column).ok();
        let mut occurrences: Vec<(usize, Vec<usize>)> = Vec::new(); // (feature index, tokens)
        let mut last: Option<(u32, usize)> = None;
        for &(tok, col) in &token_cols {
            match (last, occurrences.last_mut()) {
                (Some((c, prev)), Some((_, toks))) if c == col && tok == prev + 1 && !toks.is_empty() => {
                    toks.push(tok);
                }
                _ => {
                    if let Some(fi) = index_of(col) {
                        occurrences.push((fi, vec![tok]));
                    }
                }
            }
            last = Some((col, tok));
        }
        let tokens_meta = analysis.tokens();
        let mut tokens: Vec<TokenContribution> = tokens_meta
            .iter()
            .enumerate()
            .map(|(i, tk)| TokenContribution {
                span: tk.span.clone(),
                text: text.get(tk.span.clone()).unwrap_or_default().to_string(),
                term: analysis.term(i).to_string(),
                to_label: 0.0,
                to_score: 0.0,
            })
            .collect();
        // Each occurrence's share: the feature contribution divided over its occurrences and
        // tokens.
        let mut n_occ = vec![0usize; features.len()];
        for (fi, _) in &occurrences {
            n_occ[*fi] += 1;
        }
        for (fi, toks) in &occurrences {
            let (Some(&first), Some(&lastt)) = (toks.first(), toks.last()) else {
                continue;
            };
            let (Some(a), Some(b)) = (tokens_meta.get(first), tokens_meta.get(lastt)) else {
                continue;
            };
            let f = &mut features[*fi];
            f.spans.push(a.span.start..b.span.end);
            let share = 1.0 / (n_occ[*fi] as f64 * toks.len() as f64);
            for &ti in toks {
                if let Some(tc) = tokens.get_mut(ti) {
                    tc.to_label += f.to_label * share;
                    tc.to_score += f.to_score * share;
                }
            }
        }
        features.sort_by(|a, b| b.to_score.abs().total_cmp(&a.to_score.abs()));
        let classes = self.classes();
        Explanation {
            text: text.to_string(),
            bias_to_score: (self.class_intercept(pos) - self.class_intercept(neg)) / t,
            negative_pole: classes[neg].clone(),
            positive_pole: classes[pos].clone(),
            prediction,
            features,
            tokens,
        }
    }

    /// The prediction for one passage and its `n` strongest contributions (largest `|to_score|`
    /// first, ties by column), each with its spans: the same prediction and the same
    /// contributions as the first `n` features of [`Model::explain`], without the per-token
    /// shares and with names and spans looked up for those `n` features only, so that a batch
    /// can carry its drivers at little more than the cost of scoring it. `scratch` is reused
    /// between calls (one per thread).
    pub fn explain_top(&self, text: &str, n: usize, scratch: &mut Scratch) -> (Prediction, Vec<FeatureContribution>) {
        let row = self.featurizer.unordered_row_into(text, scratch).to_vec();
        let mut prediction = self.prediction_from_logits(&self.linear.logits_pairs(&row), row.len());
        prediction.truncated = scratch.truncated();
        prediction.abstained = self.abstention_of(text, row.len());
        if n == 0 || row.is_empty() {
            return (prediction, Vec::new());
        }
        let mut top: Vec<(usize, f64, f64)> = row
            .iter()
            .map(|&(col, v)| {
                (
                    col as usize,
                    f64::from(v),
                    self.pole_weight(col as usize) * f64::from(v),
                )
            })
            .collect();
        top.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()).then(a.0.cmp(&b.0)));
        top.truncate(n);
        let k = self.classes().len();
        let label = prediction.class_index;
        let t = self.temperature;
        let mut features: Vec<FeatureContribution> = top
            .iter()
            .map(|&(j, value, to_score)| {
                let mean = (0..k).map(|c| self.class_weight(c, j)).sum::<f64>() / k as f64;
                FeatureContribution {
                    name: self.featurizer.feature_name(j),
                    column: j,
                    value,
                    to_label: (self.class_weight(label, j) - mean) / t * value,
                    to_score,
                    spans: Vec::new(),
                }
            })
            .collect();
        // Spans of the chosen features: runs of consecutive tokens of one column, as in
        // `explain`.
        let mut analysis = Analysis::default();
        let token_cols = self.featurizer.token_columns(text, &mut analysis);
        let tokens = analysis.tokens();
        let mut run: Option<(u32, usize, usize)> = None; // (column, first token, last token)
        let close = |run: Option<(u32, usize, usize)>, features: &mut Vec<FeatureContribution>| {
            if let Some((col, first, last)) = run {
                if let (Some(f), Some(a), Some(b)) = (
                    features.iter_mut().find(|f| f.column == col as usize),
                    tokens.get(first),
                    tokens.get(last),
                ) {
                    f.spans.push(a.span.start..b.span.end);
                }
            }
        };
        for &(tok, col) in &token_cols {
            match run {
                Some((c, first, prev)) if c == col && tok == prev + 1 => run = Some((c, first, tok)),
                _ => {
                    close(run, &mut features);
                    run = Some((col, tok, tok));
                }
            }
        }
        close(run, &mut features);
        (prediction, features)
    }

    /// The `n` largest weights of each class, in class order: `(class, features)`. For a
    /// two-class model the first class's list holds the most negative weights (pushing toward
    /// it) with their sign flipped.
    pub fn top_features(&self, n: usize) -> Vec<(String, Vec<FeatureWeight>)> {
        let d = self.featurizer.n_features();
        let k = self.classes().len();
        (0..k)
            .map(|c| {
                let weight = |j: usize| {
                    if k == 2 {
                        let w = self.class_weight(1, j);
                        if c == 1 {
                            w
                        } else {
                            -w
                        }
                    } else {
                        self.class_weight(c, j)
                    }
                };
                let mut cols: Vec<usize> = (0..d).collect();
                cols.sort_by(|&a, &b| weight(b).total_cmp(&weight(a)).then(a.cmp(&b)));
                let list = cols
                    .into_iter()
                    .take(n)
                    .map(|j| FeatureWeight {
                        name: self.featurizer.feature_name(j),
                        column: j,
                        weight: weight(j),
                    })
                    .collect();
                (self.classes()[c].clone(), list)
            })
            .collect()
    }

    /// The `n` features pushing hardest toward each pole: `(negative pole, positive pole)`,
    /// with their weight on the pole log-odds.
    pub fn top_pole_features(&self, n: usize) -> (Vec<FeatureWeight>, Vec<FeatureWeight>) {
        let d = self.featurizer.n_features();
        let mut cols: Vec<usize> = (0..d).collect();
        cols.sort_by(|&a, &b| self.pole_weight(a).total_cmp(&self.pole_weight(b)).then(a.cmp(&b)));
        let make = |j: usize| FeatureWeight {
            name: self.featurizer.feature_name(j),
            column: j,
            weight: self.pole_weight(j),
        };
        let neg = cols.iter().take(n).map(|&j| make(j)).collect();
        let pos = cols.iter().rev().take(n).map(|&j| make(j)).collect();
        (neg, pos)
    }
}

#[cfg(test)]
mod tests;
