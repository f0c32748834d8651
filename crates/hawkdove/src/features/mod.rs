//! Tokens → sparse feature rows.
//!
//! A [`Featurizer`] is fitted on training texts ([`Featurizer::fit_transform`]) and then turns
//! any text into one CSR row ([`Featurizer::transform`]). It supports:
//!
//! * word n-grams `1 ≤ min ≤ max ≤ 4` and character n-grams within word boundaries
//!   (scikit-learn's `char_wb`);
//! * two feature spaces: a learned [`FeatureSpace::Vocabulary`] (min_df, max_df, max_features;
//!   deterministic column order) or [`FeatureSpace::Hashing`] (bounded memory, seeded, stable
//!   across platforms and versions because it uses xxh3);
//! * binary, raw or sublinear term frequency, smooth idf (`ln((1+n)/(1+df)) + 1`, as in
//!   scikit-learn), l2 row normalization;
//! * Naive-Bayes log-count ratios (Wang & Manning 2012) through [`nb_log_count_ratios`], used
//!   by training as a per-class feature scaling.
//!
//! Features never become dense: see DESIGN.md for the measurements behind that.

mod csr;
mod lexicon;
mod space;
mod table;

pub use csr::CsrMatrix;
use lexicon::LexiconMatcher;
pub use lexicon::{Lexicon, LexiconEntry, MAX_LEXICON_PHRASE, MAX_LEXICON_PHRASE_BYTES, MAX_LEXICON_POLES};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::progress::{emit, silent, Progress, TrainEvent};
use crate::text::{Analysis, Analyzer, Keyed, TextConfig};
pub(crate) use space::{FittedSpace, Vocabulary};

/// Largest word n-gram order supported (n-grams are interned as packed term ids).
pub const MAX_WORD_NGRAM: usize = 4;
/// Largest character n-gram order supported.
pub const MAX_CHAR_NGRAM: usize = 10;
/// Largest number of hashing bits (2^24 columns).
pub const MAX_HASH_BITS: u32 = 24;

/// A document-frequency threshold: an absolute count of documents or a fraction of them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocFrequency {
    /// At least / at most this many documents.
    Count(usize),
    /// At least / at most this fraction of documents, in [0, 1].
    Fraction(f64),
}

impl DocFrequency {
    fn resolve(self, n_docs: usize) -> f64 {
        match self {
            DocFrequency::Count(c) => c as f64,
            DocFrequency::Fraction(f) => f * n_docs as f64,
        }
    }
}

/// Where features live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FeatureSpace {
    /// A vocabulary learned from the training texts.
    Vocabulary {
        /// Drop n-grams found in fewer documents (default `Count(1)`).
        min_df: DocFrequency,
        /// Drop n-grams found in more documents (default `Fraction(1.0)`).
        max_df: DocFrequency,
        /// Keep only the most frequent n-grams (by corpus frequency; ties by first
        /// appearance), or all when `None` (default).
        max_features: Option<usize>,
    },
    /// Feature hashing into `2^bits` columns with a fixed seed.
    Hashing {
        /// Number of bits (1..=24); default 20.
        bits: u32,
        /// Hash seed; default 0.
        seed: u64,
    },
}

impl Default for FeatureSpace {
    fn default() -> Self {
        FeatureSpace::Vocabulary {
            min_df: DocFrequency::Count(1),
            max_df: DocFrequency::Fraction(1.0),
            max_features: None,
        }
    }
}

/// How term counts become values.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Weighting {
    /// 1 when present.
    Binary,
    /// The raw count.
    Tf,
    /// `1 + ln(count)` (default).
    #[default]
    SublinearTf,
}

/// Featurizer settings. All data, all stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct FeaturizerConfig {
    /// Text-stage settings.
    pub text: TextConfig,
    /// Word n-gram orders `(min, max)`; default `(1, 2)`.
    pub word_ngrams: (usize, usize),
    /// Character n-gram orders within word boundaries, or `None` (default).
    pub char_ngrams: Option<(usize, usize)>,
    /// Vocabulary or hashing.
    pub space: FeatureSpace,
    /// Count weighting; default sublinear tf.
    pub weighting: Weighting,
    /// Multiply by smooth idf fitted on the training set; default `true`.
    pub idf: bool,
    /// Scale each row to unit l2 norm; default `true`.
    pub normalize: bool,
    /// A domain lexicon whose matches become extra features (two columns per pole, after the
    /// n-gram columns); default none.
    pub lexicon: Option<Lexicon>,
}

impl Default for FeaturizerConfig {
    fn default() -> Self {
        FeaturizerConfig {
            text: TextConfig::default(),
            word_ngrams: (1, 2),
            char_ngrams: None,
            space: FeatureSpace::default(),
            weighting: Weighting::default(),
            idf: true,
            normalize: true,
            lexicon: None,
        }
    }
}

impl FeaturizerConfig {
    /// Check every setting; called before any work starts.
    pub fn validate(&self) -> Result<()> {
        self.text.validate()?;
        if let Some(lex) = &self.lexicon {
            lex.validate()?;
        }
        let (lo, hi) = self.word_ngrams;
        if lo < 1 || lo > hi || hi > MAX_WORD_NGRAM {
            return Err(Error::param(
                "word_ngrams",
                self.word_ngrams,
                format!("need 1 <= min <= max <= {MAX_WORD_NGRAM}"),
            ));
        }
        if let Some((lo, hi)) = self.char_ngrams {
            if lo < 1 || lo > hi || hi > MAX_CHAR_NGRAM {
                return Err(Error::param(
                    "char_ngrams",
                    (lo, hi),
                    format!("need 1 <= min <= max <= {MAX_CHAR_NGRAM}"),
                ));
            }
        }
        match &self.space {
            FeatureSpace::Vocabulary {
                min_df,
                max_df,
                max_features,
            } => {
                for (name, df) in [("min_df", min_df), ("max_df", max_df)] {
                    if let DocFrequency::Fraction(f) = df {
                        if !f.is_finite() || !(0.0..=1.0).contains(f) {
                            return Err(Error::param(name, f, "a fraction must be in [0, 1]"));
                        }
                    }
                }
                if let (DocFrequency::Count(a), DocFrequency::Count(b)) = (min_df, max_df) {
                    if a > b {
                        return Err(Error::param("min_df", a, format!("is above max_df = {b}")));
                    }
                }
                if *max_features == Some(0) {
                    return Err(Error::param(
                        "max_features",
                        0,
                        "must be at least 1 (or None for no cap)",
                    ));
                }
            }
            FeatureSpace::Hashing { bits, .. } => {
                if *bits < 1 || *bits > MAX_HASH_BITS {
                    return Err(Error::param("bits", bits, format!("must be in 1..={MAX_HASH_BITS}")));
                }
            }
        }
        Ok(())
    }
}

/// A fitted featurizer: text in, one sparse row out.
#[derive(Debug)]
pub struct Featurizer {
    config: FeaturizerConfig,
    analyzer: Analyzer,
    space: FittedSpace,
    lexicon: LexiconMatcher,
    idf: Option<Vec<f32>>,
    /// Identity of this featurizer for the per-thread word caches.
    id: u64,
}

/// A fresh featurizer identity.
fn next_id() -> u64 {
    static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
}

fn matcher(config: &FeaturizerConfig) -> LexiconMatcher {
    config
        .lexicon
        .as_ref()
        .map(|l| LexiconMatcher::new(l, &config.text))
        .unwrap_or_default()
}

/// Number of columns `config`'s lexicon adds.
pub(crate) fn lexicon_columns(config: &FeaturizerConfig) -> usize {
    config.lexicon.as_ref().map_or(0, Lexicon::n_columns)
}

/// Per-thread scratch buffers for featurizing one text.
#[derive(Debug, Default)]
pub struct Scratch {
    analysis: Analysis,
    keyed: Keyed,
    truncated: bool,
    columns: Vec<u32>,
    ids: Vec<Option<u32>>,
    grams: String,
    lookup: space::LookupScratch,
    sort_buf: Vec<u32>,
    counter: FirstSeenCounter,
    /// `(value before normalizing, weight)` of each column, for [`Featurizer::dot_into`].
    weighted: Vec<(f32, f32)>,
    counts: Vec<(u32, u32)>,
    row: Vec<(u32, f32)>,
    /// Per lexicon column, the matches beyond the first of lexicon entries sharing a phrase
    /// (a match of `n` identical entries is pushed once and counted `n` times).
    lexicon_extra: Vec<u32>,
}

impl Scratch {
    /// The last text featurized with this scratch was longer than
    /// [`crate::text::MAX_TOKENS_PER_TEXT`] tokens and was truncated.
    pub fn truncated(&self) -> bool {
        self.truncated
    }
}

/// Below this many texts a batch is featurized on the calling thread.
const PARALLEL_MIN_BATCH: usize = 64;

impl Featurizer {
    /// Fit on `texts` and return the featurizer together with the training matrix.
    pub fn fit_transform<S: AsRef<str> + Sync>(
        config: &FeaturizerConfig,
        texts: &[S],
    ) -> Result<(Featurizer, CsrMatrix)> {
        Self::fit_transform_with(config, texts, &mut silent)
    }

    /// [`Featurizer::fit_transform`] reporting its progress to `progress` (started, each group
    /// of a few thousand texts read, done), which can stop it with [`Error::Cancelled`] (see
    /// [`crate::progress`]).
    pub fn fit_transform_with<S: AsRef<str> + Sync>(
        config: &FeaturizerConfig,
        texts: &[S],
        progress: &mut Progress<'_>,
    ) -> Result<(Featurizer, CsrMatrix)> {
        config.validate()?;
        if texts.is_empty() {
            return Err(Error::EmptyTrainingSet);
        }
        let total = texts.len();
        emit(progress, TrainEvent::FeaturizeStarted { texts: total })?;
        let mut on_texts = |done: usize| emit(progress, TrainEvent::Featurizing { done, total });
        let analyzer = Analyzer::new(&config.text);
        let probe = |space| Featurizer {
            config: config.clone(),
            analyzer: Analyzer::new(&config.text),
            space,
            lexicon: matcher(config),
            idf: None,
            id: next_id(),
        };
        let lexicon = matcher(config);
        let (space, mut matrix, df) = match &config.space {
            FeatureSpace::Vocabulary {
                min_df,
                max_df,
                max_features,
            } => {
                // Lexicon columns come after the vocabulary's: count them first.
                let lex_rows = match config.lexicon {
                    Some(_) => probe(FittedSpace::Vocabulary(Vocabulary::default())).count_rows(texts),
                    None => Vec::new(),
                };
                let limits = (*min_df, *max_df, *max_features);
                let (space, counts, mut df) = space::fit_vocabulary(
                    &analyzer,
                    config,
                    texts,
                    limits,
                    &lex_rows,
                    lexicon.n_columns(),
                    &mut on_texts,
                )?;
                if config.lexicon.is_some() {
                    let lex_columns = lex_rows.iter().flatten().map(|e| e.0);
                    df.extend(document_frequencies(lex_columns, lexicon.n_columns()));
                }
                (space, counts, df)
            }
            FeatureSpace::Hashing { bits, seed } => {
                let probe = probe(FittedSpace::Hashing {
                    bits: *bits,
                    seed: *seed,
                });
                let counts = probe.matrix(texts, |n| n as f32, |t, s| probe.count_one(t, s), &mut on_texts)?;
                let df = document_frequencies(counts.raw().1.iter().copied(), probe.n_features());
                (probe.space, counts, df)
            }
        };
        let idf = config.idf.then(|| smooth_idf(&df, texts.len()));
        drop(df);
        let featurizer = Featurizer {
            config: config.clone(),
            analyzer,
            space,
            lexicon,
            idf,
            id: next_id(),
        };
        matrix.par_rows_mut(|cols, values| featurizer.weigh_in_place(cols, values));
        emit(
            progress,
            TrainEvent::Featurized {
                rows: matrix.nrows(),
                features: matrix.ncols(),
            },
        )?;
        Ok((featurizer, matrix))
    }

    /// Fit on `texts` (see [`Featurizer::fit_transform`]).
    pub fn fit<S: AsRef<str> + Sync>(config: &FeaturizerConfig, texts: &[S]) -> Result<Featurizer> {
        Ok(Self::fit_transform(config, texts)?.0)
    }

    /// Rebuild a fitted featurizer from stored parts (used by the model file loader, which has
    /// already validated sizes).
    pub(crate) fn from_parts(
        config: FeaturizerConfig,
        space: FittedSpace,
        idf: Option<Vec<f32>>,
    ) -> Result<Featurizer> {
        config.validate()?;
        let expected = space.n_features() + lexicon_columns(&config);
        if let Some(idf) = &idf {
            if idf.len() != expected {
                return Err(Error::DimensionMismatch {
                    what: "idf",
                    expected,
                    found: idf.len(),
                });
            }
        }
        Ok(Featurizer {
            analyzer: Analyzer::new(&config.text),
            lexicon: matcher(&config),
            config,
            space,
            idf,
            id: next_id(),
        })
    }

    /// The settings.
    pub fn config(&self) -> &FeaturizerConfig {
        &self.config
    }

    /// The text analyzer.
    pub fn analyzer(&self) -> &Analyzer {
        &self.analyzer
    }

    /// Number of feature columns.
    pub fn n_features(&self) -> usize {
        self.space.n_features() + self.lexicon.n_columns()
    }

    /// The fitted idf vector, if idf weighting is on.
    pub fn idf(&self) -> Option<&[f32]> {
        self.idf.as_deref()
    }

    pub(crate) fn space(&self) -> &FittedSpace {
        &self.space
    }

    /// The vocabulary's feature names in column order (word n-grams joined by a space, then
    /// character n-grams shown as `[gram]`), or `None` in hashing mode.
    pub fn feature_names(&self) -> Option<Vec<String>> {
        match &self.space {
            FittedSpace::Vocabulary(v) => {
                let mut names = v.display_names();
                names.extend(
                    self.config
                        .lexicon
                        .as_ref()
                        .map(Lexicon::column_names)
                        .unwrap_or_default(),
                );
                Some(names)
            }
            FittedSpace::Hashing { .. } => None,
        }
    }

    /// A readable name for column `col`: the n-gram in vocabulary mode, `hash:COL` otherwise.
    pub fn feature_name(&self, col: usize) -> String {
        let base = self.space.n_features();
        if col >= base {
            let names = self
                .config
                .lexicon
                .as_ref()
                .map(Lexicon::column_names)
                .unwrap_or_default();
            return names.get(col - base).cloned().unwrap_or_else(|| format!("#{col}"));
        }
        match &self.space {
            FittedSpace::Vocabulary(v) => v.display_name(col),
            FittedSpace::Hashing { .. } => format!("hash:{col}"),
        }
    }

    /// Featurize a batch in parallel (rayon), keeping input order.
    pub fn transform<S: AsRef<str> + Sync>(&self, texts: &[S]) -> CsrMatrix {
        // The hook never stops, so the matrix is always there.
        self.matrix(texts, |v| v, |t, s| self.transform_one(t, s), &mut |_| Ok(()))
            .unwrap_or_default()
    }

    /// The matrix of `texts`' rows made by `row`, built a block of rows at a time, each block
    /// in parallel unless the batch is small, with `on_rows(rows done)` after each block; its
    /// error stops the work and is the result.
    fn matrix<S: AsRef<str> + Sync, T: Copy + Send>(
        &self,
        texts: &[S],
        value: impl Fn(T) -> f32,
        row: impl Fn(&str, &mut Scratch) -> Vec<(u32, T)> + Sync,
        on_rows: &mut dyn FnMut(usize) -> Result<()>,
    ) -> Result<CsrMatrix> {
        let mut stopped = None;
        let m = CsrMatrix::from_row_blocks(texts.len(), self.n_features(), None, value, |block| {
            if stopped.is_some() {
                return Vec::new();
            }
            let end = block.end;
            let block = texts.get(block).unwrap_or_default();
            let rows = if texts.len() < PARALLEL_MIN_BATCH {
                let mut scratch = Scratch::default();
                block.iter().map(|t| row(t.as_ref(), &mut scratch)).collect()
            } else {
                block
                    .par_iter()
                    .map_init(Scratch::default, |scratch, t| row(t.as_ref(), scratch))
                    .collect()
            };
            if let Err(e) = on_rows(end) {
                stopped = Some(e);
            }
            rows
        });
        match stopped {
            Some(e) => Err(e),
            None => Ok(m),
        }
    }

    /// Featurize one text into `(column, value)` pairs sorted by column.
    pub fn transform_one(&self, text: &str, scratch: &mut Scratch) -> Vec<(u32, f32)> {
        self.row_into(text, scratch).to_vec()
    }

    /// [`Featurizer::transform_one`] into the scratch's own row buffer (no allocation in
    /// steady state).
    pub(crate) fn row_into<'s>(&self, text: &str, scratch: &'s mut Scratch) -> &'s [(u32, f32)] {
        self.count_into(text, scratch, true);
        self.weigh_into(&scratch.counts, &mut scratch.row);
        &scratch.row
    }

    /// The pairs of [`Featurizer::row_into`] in the order their columns first occur in the text
    /// instead of sorted, which scoring does not need (callgrind: sorting was 13% of scoring
    /// IMDB reviews; counting in first-seen order costs a third of that).
    pub(crate) fn unordered_row_into<'s>(&self, text: &str, scratch: &'s mut Scratch) -> &'s [(u32, f32)] {
        self.count_into(text, scratch, false);
        self.weigh_into(&scratch.counts, &mut scratch.row);
        &scratch.row
    }

    /// Analyze `text` and return, for each token, the feature columns it takes part in
    /// (used by explanations). Tokens are those of `analysis`.
    pub(crate) fn token_columns(&self, text: &str, analysis: &mut Analysis) -> Vec<(usize, u32)> {
        self.analyzer.analyze_into(text, analysis);
        let mut out = Vec::new();
        let mut push = |first_token: usize, n_tokens: usize, col: u32| {
            for t in first_token..first_token + n_tokens {
                out.push((t, col));
            }
        };
        self.space.columns(&self.config, analysis, &mut push);
        let base = self.space.n_features() as u32;
        // One occurrence per match whatever the number of identical entries: explanations
        // spread a feature's contribution over its occurrences' spans.
        self.lexicon.matches(analysis, |t, n, c, _| push(t, n, base + c));
        out
    }

    /// `Σ w_c · x_c` over the row `x` that [`Featurizer::unordered_row_into`] makes of `text`
    /// (exactly: the same values, summed in the same order), with `(w_c, idf_c)` read together
    /// from `columns` (columns past its end weigh 0), and the row's length.
    pub(crate) fn dot_into(&self, text: &str, scratch: &mut Scratch, columns: &[(f32, f32)]) -> (f64, usize) {
        self.count_into(text, scratch, false);
        let weighted = &mut scratch.weighted;
        weighted.clear();
        weighted.extend(scratch.counts.iter().map(|&(c, n)| {
            let (w, idf) = columns.get(c as usize).copied().unwrap_or((0.0, 1.0));
            ((self.tf(n as f32) * f64::from(idf)) as f32, w)
        }));
        let dot = match self.l2_norm(weighted.iter().map(|e| e.0)) {
            Some(norm) => weighted
                .iter()
                .map(|&(v, w)| f64::from(w) * f64::from((f64::from(v) / norm) as f32))
                .sum::<f64>(),
            None => weighted.iter().map(|&(v, w)| f64::from(w) * f64::from(v)).sum::<f64>(),
        };
        (dot, weighted.len())
    }

    fn count_one(&self, text: &str, scratch: &mut Scratch) -> Vec<(u32, u32)> {
        self.count_into(text, scratch, true);
        scratch.counts.clone()
    }

    /// Leave the text's `(column, count)` pairs in `scratch.counts`: sorted by column when
    /// `sorted`, else in the order each column first occurs.
    fn count_into(&self, text: &str, scratch: &mut Scratch, sorted: bool) {
        scratch.columns.clear();
        let cols = &mut scratch.columns;
        match (&self.space, &self.config.lexicon) {
            // Fast path: vocabulary without lexicon, through the per-thread word-id cache.
            (FittedSpace::Vocabulary(v), None) => {
                self.analyzer.analyze_keys_into(text, &mut scratch.keyed);
                scratch.truncated = scratch.keyed.truncated();
                v.columns_cached(
                    self.id,
                    &self.analyzer,
                    &self.config,
                    &scratch.keyed,
                    &mut scratch.lookup,
                    cols,
                );
            }
            _ => {
                self.analyzer.analyze_into(text, &mut scratch.analysis);
                scratch.truncated = scratch.analysis.truncated();
                self.space.columns_with(
                    &self.config,
                    &scratch.analysis,
                    &mut scratch.ids,
                    &mut scratch.grams,
                    |_, _, col| cols.push(col),
                );
                let base = self.space.n_features() as u32;
                let extra = &mut scratch.lexicon_extra;
                extra.clear();
                extra.resize(self.lexicon.n_columns(), 0);
                let mut any_extra = false;
                self.lexicon.matches(&scratch.analysis, |_, _, c, count| {
                    cols.push(base + c);
                    if count > 1 {
                        if let Some(e) = extra.get_mut(c as usize) {
                            *e = e.saturating_add(count - 1);
                            any_extra = true;
                        }
                    }
                });
                if any_extra {
                    self.count_columns(scratch, sorted);
                    for (col, n) in &mut scratch.counts {
                        if let Some(e) = col
                            .checked_sub(base)
                            .and_then(|c| scratch.lexicon_extra.get(c as usize))
                        {
                            *n = n.saturating_add(*e);
                        }
                    }
                    return;
                }
            }
        }
        self.count_columns(scratch, sorted);
    }

    /// Count `scratch.columns` into `scratch.counts` (see [`Featurizer::count_into`]).
    fn count_columns(&self, scratch: &mut Scratch, sorted: bool) {
        if sorted || !scratch.counter.count(&scratch.columns, &mut scratch.counts) {
            sort_columns(&mut scratch.columns, &mut scratch.sort_buf);
            run_length_into(&scratch.columns, &mut scratch.counts);
        }
    }

    fn count_rows<S: AsRef<str> + Sync>(&self, texts: &[S]) -> Vec<Vec<(u32, u32)>> {
        texts
            .par_iter()
            .map_init(Scratch::default, |s, t| self.count_one(t.as_ref(), s))
            .collect()
    }

    /// The weight of column `c` seen `n` times: tf (binary, raw or sublinear) times idf.
    #[inline]
    fn weight(&self, c: u32, n: f32) -> f32 {
        let tf = self.tf(n);
        let idf = self
            .idf
            .as_ref()
            .and_then(|v| v.get(c as usize))
            .map_or(1.0, |&x| f64::from(x));
        (tf * idf) as f32
    }

    /// The term-frequency factor of a count `n`: binary, raw or sublinear.
    #[inline]
    fn tf(&self, n: f32) -> f64 {
        match self.config.weighting {
            Weighting::Binary => 1.0,
            Weighting::Tf => f64::from(n),
            // ln(1) is exactly 0: skip the call for the commonest count.
            Weighting::SublinearTf if n == 1.0 => 1.0,
            Weighting::SublinearTf => sublinear_tf(n),
        }
    }

    /// Counts → weighted, idf-scaled, normalized values, into `row` (cleared first).
    fn weigh_into(&self, counts: &[(u32, u32)], row: &mut Vec<(u32, f32)>) {
        row.clear();
        row.extend(counts.iter().map(|&(c, n)| (c, self.weight(c, n as f32))));
        if let Some(norm) = self.l2_norm(row.iter().map(|e| e.1)) {
            for (_, v) in row.iter_mut() {
                *v = (f64::from(*v) / norm) as f32;
            }
        }
    }

    /// [`Featurizer::weigh_into`] in place, on one matrix row of counts.
    fn weigh_in_place(&self, cols: &[u32], values: &mut [f32]) {
        for (&c, v) in cols.iter().zip(values.iter_mut()) {
            *v = self.weight(c, *v);
        }
        if let Some(norm) = self.l2_norm(values.iter().copied()) {
            for v in values {
                *v = (f64::from(*v) / norm) as f32;
            }
        }
    }

    /// The l2 norm of a row's values, when rows are normalized and it is not zero.
    fn l2_norm(&self, values: impl Iterator<Item = f32>) -> Option<f64> {
        if !self.config.normalize {
            return None;
        }
        let norm = values.map(|v| f64::from(v).powi(2)).sum::<f64>().sqrt();
        (norm > 0.0).then_some(norm)
    }
}

/// `1 + ln(n)`, from a table for the small counts that make nearly all repeats (the same
/// values: the table is filled by the same `ln`).
#[inline]
fn sublinear_tf(n: f32) -> f64 {
    static SMALL: std::sync::LazyLock<[f64; 64]> =
        std::sync::LazyLock::new(|| std::array::from_fn(|i| 1.0 + (i as f64).ln()));
    match SMALL.get(n as usize) {
        Some(&v) if n.fract() == 0.0 => v,
        _ => 1.0 + f64::from(n).ln(),
    }
}

/// Sort column ids. Many ids below 2^24 (a passage's n-grams in a vocabulary of fewer than
/// 16.8 million columns) take an LSD radix sort in three 8-bit passes through `buf`, with all
/// three histograms counted in one pass; others the standard unstable sort. (callgrind on
/// 2,000 IMDB texts: two 11-bit passes spent more on clearing and summing their 2 × 2048
/// counters than on sorting, 13% of one-thread scoring against 8% now; the comparison sort
/// before them was 7% in perf.)
fn sort_columns(cols: &mut [u32], buf: &mut Vec<u32>) {
    const RADIX: usize = 256;
    if cols.len() < 96 || u32::try_from(cols.len()).is_err() || cols.iter().any(|&c| c >> 24 != 0) {
        cols.sort_unstable();
        return;
    }
    let mut counts = [[0u32; RADIX]; 3];
    for &c in cols.iter() {
        counts[0][(c & 0xff) as usize] += 1;
        counts[1][((c >> 8) & 0xff) as usize] += 1;
        counts[2][(c >> 16) as usize] += 1;
    }
    for hist in counts.iter_mut() {
        let mut sum = 0u32;
        for slot in hist.iter_mut() {
            (*slot, sum) = (sum, sum + *slot);
        }
    }
    buf.clear();
    buf.resize(cols.len(), 0);
    let [low, mid, high] = &mut counts;
    let pass = |from: &[u32], to: &mut [u32], hist: &mut [u32; RADIX], shift: u32| {
        for &c in from {
            let slot = &mut hist[((c >> shift) & 0xff) as usize];
            if let Some(t) = to.get_mut(*slot as usize) {
                *t = c;
            }
            *slot += 1;
        }
    };
    pass(cols, buf, low, 0);
    pass(buf, cols, mid, 8);
    // The third pass goes back through `buf`: copy, then scatter into `cols`.
    buf.copy_from_slice(cols);
    pass(buf, cols, high, 16);
}

/// Turn sorted column ids into `(column, count)` runs in `out` (cleared first).
fn run_length_into(cols: &[u32], out: &mut Vec<(u32, u32)>) {
    out.clear();
    for &c in cols {
        match out.last_mut() {
            Some((last, n)) if *last == c => *n += 1,
            _ => out.push((c, 1)),
        }
    }
}

/// Counts column ids in the order each first occurs, in an open-addressing table from column to
/// its place in the output; only the slots a text used are emptied after it.
#[derive(Debug, Default)]
struct FirstSeenCounter {
    /// `(column, index in the output)`, or `(EMPTY, _)`.
    slots: Vec<(u32, u32)>,
    /// The slots the current text filled.
    used: Vec<u32>,
}

impl FirstSeenCounter {
    const EMPTY: u32 = u32::MAX;

    /// `(column, count)` of `cols` into `out` (cleared first), in first-seen order; `false`
    /// (and `out` unspecified) when a column is `u32::MAX`, the empty marker.
    fn count(&mut self, cols: &[u32], out: &mut Vec<(u32, u32)>) -> bool {
        out.clear();
        // A load of at most one half, in the first `size` slots (the table never shrinks, and a
        // short text after a long one only spreads over as many slots as it needs).
        let size = (cols.len() * 2).next_power_of_two().max(64);
        if self.slots.len() < size {
            self.slots.resize(size, (Self::EMPTY, 0));
        }
        let (mask, shift) = (size - 1, 64 - size.trailing_zeros());
        let mut ok = true;
        for &c in cols {
            if c == Self::EMPTY {
                ok = false;
                break;
            }
            let mut i = (u64::from(c).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize;
            while let Some(slot) = self.slots.get_mut(i) {
                if slot.0 == c {
                    if let Some(e) = out.get_mut(slot.1 as usize) {
                        e.1 += 1;
                    }
                    break;
                }
                if slot.0 == Self::EMPTY {
                    *slot = (c, out.len() as u32);
                    self.used.push(i as u32);
                    out.push((c, 1));
                    break;
                }
                i = (i + 1) & mask;
            }
        }
        for &i in &self.used {
            if let Some(slot) = self.slots.get_mut(i as usize) {
                slot.0 = Self::EMPTY;
            }
        }
        self.used.clear();
        ok
    }
}

/// Sort column ids (`buf`: scratch) and turn them into `(column, count)` runs.
fn run_length(cols: &mut [u32], buf: &mut Vec<u32>) -> Vec<(u32, u32)> {
    sort_columns(cols, buf);
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(cols.len());
    run_length_into(cols, &mut out);
    out
}

/// How many rows each column occurs in, from every row's columns (each once per row).
fn document_frequencies(columns: impl Iterator<Item = u32>, n_features: usize) -> Vec<u32> {
    let mut df = vec![0u32; n_features];
    for c in columns {
        if let Some(d) = df.get_mut(c as usize) {
            *d += 1;
        }
    }
    df
}

/// Smooth idf as in scikit-learn: `ln((1 + n) / (1 + df)) + 1`.
pub(crate) fn smooth_idf(df: &[u32], n_docs: usize) -> Vec<f32> {
    let n = n_docs as f64;
    df.iter()
        .map(|&d| (((1.0 + n) / (1.0 + f64::from(d))).ln() + 1.0) as f32)
        .collect()
}

/// Naive-Bayes log-count ratios (Wang & Manning 2012) on binarized features, one vector per
/// class `k` against the rest: `r_k = ln((p_k / |p_k|₁) / (q_k / |q_k|₁))` with
/// `p_k = alpha + Σ_{y=k} 1[x>0]` and `q_k = alpha + Σ_{y≠k} 1[x>0]`.
pub fn nb_log_count_ratios(x: &CsrMatrix, y: &[usize], n_classes: usize, alpha: f64) -> Result<Vec<Vec<f64>>> {
    if x.nrows() != y.len() {
        return Err(Error::LengthMismatch {
            left_name: "rows",
            left: x.nrows(),
            right_name: "labels",
            right: y.len(),
        });
    }
    if !(alpha.is_finite() && alpha > 0.0) {
        return Err(Error::param("nb_alpha", alpha, "must be finite and > 0"));
    }
    if let Some(&bad) = y.iter().find(|&&k| k >= n_classes) {
        return Err(Error::param(
            "labels",
            bad,
            format!("class index out of range (n_classes = {n_classes})"),
        ));
    }
    Ok((0..n_classes).map(|k| nb_ratio(x, y, k, alpha)).collect())
}

/// Up to `n` ranges of columns, `[bounds[i], bounds[i + 1])`, holding about as many stored
/// values each, judged from every 64th row.
fn column_ranges(x: &CsrMatrix, n: usize) -> Vec<u32> {
    let ncols = x.ncols() as u32;
    let mut sample: Vec<u32> = (0..x.nrows())
        .step_by(64)
        .flat_map(|i| x.row(i).0.iter().copied())
        .collect();
    sample.sort_unstable();
    let mut bounds = vec![0];
    for i in 1..n {
        if let Some(&c) = sample.get(i * sample.len() / n) {
            if c > *bounds.last().unwrap_or(&0) && c < ncols {
                bounds.push(c);
            }
        }
    }
    bounds.push(ncols);
    bounds
}

/// The Naive-Bayes log-count ratio of class `k` against the rest (see
/// [`nb_log_count_ratios`]; `x` and `y` already checked). The two counts of a column share
/// one `u64`, and that vector becomes the ratios in place, so one class needs 8 bytes per
/// column at the peak (IMDB: 11 MB for 1.4M columns; a fit of IMDB from Python grew by 281
/// instead of 287 MB).
pub(crate) fn nb_ratio(x: &CsrMatrix, y: &[usize], k: usize, alpha: f64) -> Vec<f64> {
    // Per column: rows of class k in the low 32 bits, all rows in the high 32 bits; the vector
    // then becomes the ratios in place (u64 and f64 have one size), so the counts cost no
    // memory beyond the result. Ranges of columns are counted in parallel, each over every
    // row's slice of columns in its range (integer counts: the same whatever the split).
    const LOW: u64 = 0xFFFF_FFFF;
    let mut counts = vec![0u64; x.ncols()];
    let bounds = column_ranges(x, rayon::current_num_threads());
    let mut parts = Vec::with_capacity(bounds.len());
    let mut rest: &mut [u64] = &mut counts;
    for w in bounds.windows(2) {
        let (head, tail) = std::mem::take(&mut rest).split_at_mut((w[1] - w[0]) as usize);
        parts.push((w[0], w[1], head));
        rest = tail;
    }
    parts.into_par_iter().for_each(|(lo, hi, part)| {
        for (i, &label) in y.iter().enumerate() {
            let (cols, vals) = x.row(i);
            let (a, b) = (cols.partition_point(|&c| c < lo), cols.partition_point(|&c| c < hi));
            let add = if label == k { 1 | 1 << 32 } else { 1 << 32 };
            for (&c, &v) in cols[a..b].iter().zip(&vals[a..b]) {
                if v != 0.0 {
                    if let Some(n) = part.get_mut((c - lo) as usize) {
                        *n += add;
                    }
                }
            }
        }
    });
    let split = |n: u64| (f64::from((n & LOW) as u32), f64::from((n >> 32) as u32));
    let ps: f64 = counts.iter().map(|&n| split(n).0 + alpha).sum();
    let qs: f64 = counts.iter().map(|&n| (split(n).1 - split(n).0) + alpha).sum();
    counts.par_iter_mut().for_each(|n| {
        let (in_class, total) = split(*n);
        let p = in_class + alpha;
        let q = (total - in_class) + alpha;
        *n = ((p / ps) / (q / qs)).ln().to_bits();
    });
    counts.into_iter().map(f64::from_bits).collect()
}

/// [`nb_ratio`] with each row counted `weights[i]` times (`x`, `y` and `weights` already
/// checked and of one length): the ratios of a model trained with sample weights, equal to
/// [`nb_ratio`] on a matrix whose rows are repeated by integer weights. Columns are counted
/// on one thread in row order, so the sums never depend on the number of threads.
pub(crate) fn nb_ratio_weighted(x: &CsrMatrix, y: &[usize], k: usize, alpha: f64, weights: &[f64]) -> Vec<f64> {
    let mut in_class = vec![0.0f64; x.ncols()];
    let mut total = vec![0.0f64; x.ncols()];
    for (i, (&label, &w)) in y.iter().zip(weights).enumerate() {
        if w == 0.0 {
            continue;
        }
        let (cols, vals) = x.row(i);
        for (&c, &v) in cols.iter().zip(vals) {
            if v != 0.0 {
                if let Some(t) = total.get_mut(c as usize) {
                    *t += w;
                }
                if label == k {
                    if let Some(p) = in_class.get_mut(c as usize) {
                        *p += w;
                    }
                }
            }
        }
    }
    let ps: f64 = in_class.iter().map(|&p| p + alpha).sum();
    let qs: f64 = in_class.iter().zip(&total).map(|(&p, &t)| (t - p) + alpha).sum();
    in_class
        .iter()
        .zip(&total)
        .map(|(&p, &t)| (((p + alpha) / ps) / (((t - p) + alpha) / qs)).ln())
        .collect()
}

#[cfg(test)]
mod tests;
