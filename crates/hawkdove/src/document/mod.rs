//! Documents: segmentation into passages and a document-level score with an uncertainty.
//!
//! [`segment`] splits a document into paragraphs (blank lines) and sentences. It knows
//! abbreviations (`U.S.`, `Feb.`, `Dr.`, `Gen.`), initials (`J. R. Smith`), decimals (`3.5`),
//! closing quotes after the full stop (`… talks."`) and headline lines without final
//! punctuation. Every passage keeps its byte span in the original text.
//!
//! [`Model::score_document`] scores each passage and aggregates: the document score is the
//! mean of passage scores weighted by passage length in words, with a percentile bootstrap
//! confidence interval over passages (seeded, so reproducible), and the share of passages
//! predicted in each class.

use std::collections::VecDeque;
use std::ops::Range;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::SplitMix64;
use crate::score::{Model, Prediction};

/// Passages longer than this many bytes are cut at a word boundary (a "sentence" that long is
/// a table, a list or a scraping accident; cutting it bounds the work per passage).
pub const MAX_PASSAGE_BYTES: usize = 4096;

/// A headline is a single-line paragraph without final punctuation of at most this many words.
const MAX_HEADLINE_WORDS: usize = 25;

/// Words that take a full stop without ending a sentence (compared case-insensitively,
/// without the dot).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "cmdr", "adm", "maj", "gov", "sen", "rep",
    "rev", "st", "jr", "sr", "mt", "ft", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov",
    "dec", "no", "nos", "vol", "vs", "e.g", "i.e", "approx", "inc", "ltd", "co", "corp", "dept", "est", "fig", "pp",
    "amb", "pres", "sec", "atty", "supt", "gov't", "messrs", "mme", "mlle", "hon",
];

/// Words that, after an acronym such as `U.S.`, show a new sentence has started.
const SENTENCE_STARTERS: &[&str] = &[
    "the",
    "a",
    "an",
    "in",
    "on",
    "at",
    "but",
    "and",
    "he",
    "she",
    "it",
    "they",
    "we",
    "i",
    "this",
    "that",
    "these",
    "those",
    "there",
    "officials",
    "its",
    "his",
    "her",
    "their",
    "after",
    "before",
    "while",
    "when",
    "if",
    "as",
];

/// What a passage is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PassageKind {
    /// A short line standing alone without final punctuation.
    Headline,
    /// A sentence of a paragraph.
    Sentence,
    /// A whole line (line mode) or paragraph.
    Line,
}

/// One passage of a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Segment {
    /// Byte span in the document.
    pub span: Range<usize>,
    /// Zero-based paragraph number.
    pub paragraph: usize,
    /// What kind of passage it is.
    pub kind: PassageKind,
}

/// How a document is cut into passages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Segmentation {
    /// Sentences within paragraphs (default).
    #[default]
    Sentences,
    /// Whole paragraphs (blank-line separated).
    Paragraphs,
    /// Every non-blank line.
    Lines,
}

/// Split a document into sentences (see the module documentation).
pub fn segment(text: &str) -> Vec<Segment> {
    segment_with(text, Segmentation::Sentences)
}

/// Split a document into passages.
pub fn segment_with(text: &str, how: Segmentation) -> Vec<Segment> {
    passages(text, how).collect()
}

/// The passages of `text`, found as they are read: the same as [`segment_with`], holding at
/// most one sentence's (or headline's, paragraph's or line's) pieces at a time, and walking
/// the text only as far as the passage returned, so a long document can be scored passage by
/// passage in bounded memory, with Ctrl-C checked between passages.
pub fn passages(text: &str, how: Segmentation) -> Passages<'_> {
    Passages {
        text,
        how,
        lines: text.split_inclusive('\n'),
        pos: 0,
        unit: 0,
        pending: VecDeque::new(),
        cursor: None,
    }
}

/// Iterator of a document's passages (see [`passages`]).
#[derive(Debug, Clone)]
pub struct Passages<'a> {
    text: &'a str,
    how: Segmentation,
    lines: std::str::SplitInclusive<'a, char>,
    /// Byte offset of the next line.
    pos: usize,
    /// Number of the next paragraph (or line, in line mode).
    unit: usize,
    /// Passages found and not yet returned.
    pending: VecDeque<Segment>,
    /// The paragraph being cut into sentences, with its number.
    cursor: Option<(SentenceCursor, usize)>,
}

impl Passages<'_> {
    /// The next paragraph's span (runs of lines separated by blank lines), trimmed.
    fn next_paragraph(&mut self) -> Option<Range<usize>> {
        let (mut start, mut end): (Option<usize>, usize) = (None, 0);
        for line in self.lines.by_ref() {
            let here = self.pos;
            self.pos += line.len();
            if line.trim().is_empty() {
                if let Some(s) = start {
                    return Some(trim_span(self.text, s..end));
                }
            } else {
                start.get_or_insert(here);
                end = here + line.len();
            }
        }
        start.map(|s| trim_span(self.text, s..end))
    }

    /// Find the next passages: the next sentence of the paragraph being read, or the next
    /// paragraph (or line), whose sentences a cursor then yields one at a time; false at the
    /// end of the text.
    fn fill(&mut self) -> bool {
        let text = self.text;
        let mut out = Vec::new();
        if let Some((cursor, p)) = self.cursor.as_mut() {
            match cursor.next_sentence(text) {
                Some(s) => push_capped(text, s, *p, PassageKind::Sentence, &mut out),
                None => self.cursor = None,
            }
            self.pending.extend(out);
            return true;
        }
        match self.how {
            Segmentation::Lines => {
                let Some(line) = self.lines.next() else {
                    return false;
                };
                let span = trim_span(text, self.pos..self.pos + line.len());
                self.pos += line.len();
                if !span.is_empty() {
                    push_capped(text, span, self.unit, PassageKind::Line, &mut out);
                }
            }
            Segmentation::Paragraphs | Segmentation::Sentences => {
                let Some(para) = self.next_paragraph() else {
                    return false;
                };
                let p = self.unit;
                let body = &text[para.clone()];
                let is_headline = !body.contains('\n')
                    && body.split_whitespace().count() <= MAX_HEADLINE_WORDS
                    && !ends_sentence(body);
                if is_headline {
                    push_capped(text, para, p, PassageKind::Headline, &mut out);
                } else if self.how == Segmentation::Paragraphs {
                    push_capped(text, para, p, PassageKind::Line, &mut out);
                } else {
                    self.cursor = Some((SentenceCursor::new(para), p));
                }
            }
        }
        self.unit += 1;
        self.pending.extend(out);
        true
    }
}

impl Iterator for Passages<'_> {
    type Item = Segment;

    fn next(&mut self) -> Option<Segment> {
        loop {
            if let Some(s) = self.pending.pop_front() {
                return Some(s);
            }
            if !self.fill() {
                return None;
            }
        }
    }
}

fn ends_sentence(s: &str) -> bool {
    let t = s
        .trim_end()
        .trim_end_matches(['"', '\'', '\u{201D}', '\u{2019}', ')', ']']);
    t.ends_with(['.', '!', '?', '\u{2026}', ':', ';'])
}

fn trim_span(text: &str, span: Range<usize>) -> Range<usize> {
    let s = &text[span.clone()];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    if lead + trail >= s.len() {
        return span.start..span.start;
    }
    span.start + lead..span.end - trail
}

/// The word (letters, digits, dots, apostrophes) that ends just before byte `end`.
fn word_before(text: &str, end: usize) -> &str {
    let head = &text[..end];
    let start = head
        .char_indices()
        .rev()
        .find(|(_, c)| !(c.is_alphanumeric() || *c == '.' || *c == '\''))
        .map_or(0, |(i, c)| i + c.len_utf8());
    &head[start..]
}

fn next_word(text: &str, from: usize) -> &str {
    let rest = text[from..].trim_start_matches(|c: char| c.is_whitespace() || "\"'\u{201C}\u{2018}(".contains(c));
    let end = rest.find(|c: char| !c.is_alphanumeric()).unwrap_or(rest.len());
    &rest[..end]
}

/// Decide whether the full stop at byte `dot` (inside `text`) ends a sentence, given that
/// whitespace and a plausible sentence start follow.
fn dot_ends_sentence(text: &str, dot: usize, next_start: usize) -> bool {
    let word = word_before(text, dot);
    let bare = word.trim_start_matches('\'');
    if bare.is_empty() {
        return true;
    }
    let lower = bare.to_lowercase();
    if ABBREVIATIONS.contains(&lower.as_str()) {
        return false;
    }
    let letters: Vec<char> = bare.chars().filter(|c| *c != '.').collect();
    // Initials: a single capital letter ("J." in "J. R. Smith").
    if letters.len() == 1 && letters[0].is_uppercase() && !bare.contains('.') {
        return false;
    }
    // Acronyms with inner dots ("U.S", "U.N"): a boundary only if a typical sentence starter
    // follows.
    if bare.contains('.') && letters.iter().all(|c| c.is_alphabetic()) && letters.len() <= 4 {
        let next = next_word(text, next_start).to_lowercase();
        return SENTENCE_STARTERS.contains(&next.as_str());
    }
    true
}

/// The character at byte `pos` of `text` (a character boundary below `text.len()`).
fn char_at(text: &str, pos: usize) -> Option<char> {
    text.get(pos..).and_then(|t| t.chars().next())
}

/// The sentences of one paragraph span, found one at a time: each call to
/// [`SentenceCursor::next_sentence`] walks only as far as the next boundary, so a paragraph
/// as long as the whole document (a 50 MB text without a blank line) is segmented as it is
/// scored, and a caller checking for Ctrl-C between passages is not held up by it. Walks by
/// byte offsets, decoding characters where it looks (no table of the paragraph's characters).
#[derive(Debug, Clone)]
struct SentenceCursor {
    para: Range<usize>,
    /// Start of the sentence being read.
    start: usize,
    /// Byte offset of the next character to look at.
    i: usize,
}

impl SentenceCursor {
    fn new(para: Range<usize>) -> Self {
        SentenceCursor {
            start: para.start,
            i: para.start,
            para,
        }
    }

    /// The next sentence's span (trimmed, never empty), or `None` after the paragraph's last.
    fn next_sentence(&mut self, text: &str) -> Option<Range<usize>> {
        let para = self.para.clone();
        let in_para = |pos: usize| char_at(text, pos).filter(|_| pos < para.end);
        while let Some(c) = in_para(self.i) {
            let i = self.i;
            if matches!(c, '.' | '!' | '?' | '\u{2026}') {
                // Run of terminators and closing quotes/brackets.
                let mut j = i + c.len_utf8();
                while let Some(n) = in_para(j).filter(|n| {
                    matches!(
                        n,
                        '.' | '!' | '?' | '\u{2026}' | '"' | '\'' | '\u{201D}' | '\u{2019}' | ')' | ']'
                    )
                }) {
                    j += n.len_utf8();
                }
                let end = j.min(para.end);
                let followed_by_space = in_para(j).is_none_or(char::is_whitespace);
                self.i = j;
                if followed_by_space {
                    // Skip whitespace to the next sentence's first character.
                    let mut k = j;
                    while let Some(n) = in_para(k).filter(|n| n.is_whitespace()) {
                        k += n.len_utf8();
                    }
                    let next_ok = in_para(k).is_none_or(|n| {
                        n.is_uppercase()
                            || n.is_numeric()
                            || matches!(n, '"' | '\'' | '\u{201C}' | '\u{2018}' | '(' | '[')
                            || !n.is_alphabetic()
                    });
                    let is_boundary = next_ok && (c != '.' || dot_ends_sentence(text, i, end));
                    if is_boundary {
                        let span = trim_span(text, self.start..end);
                        self.start = k.min(para.end);
                        self.i = k;
                        if !span.is_empty() {
                            return Some(span);
                        }
                    }
                }
                continue;
            }
            self.i += c.len_utf8();
        }
        // The tail, once.
        let tail = trim_span(text, self.start..para.end);
        self.start = para.end;
        (!tail.is_empty()).then_some(tail)
    }
}

/// Push `span`, cut into pieces of at most [`MAX_PASSAGE_BYTES`] at whitespace.
fn push_capped(text: &str, span: Range<usize>, paragraph: usize, kind: PassageKind, out: &mut Vec<Segment>) {
    let mut start = span.start;
    while span.end - start > MAX_PASSAGE_BYTES {
        let mut cut = start + MAX_PASSAGE_BYTES;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let window = &text[start..cut];
        let at = window
            .rfind(char::is_whitespace)
            .filter(|&p| p > 0)
            .map_or(cut, |p| start + p);
        let piece = trim_span(text, start..at);
        if !piece.is_empty() {
            out.push(Segment {
                span: piece,
                paragraph,
                kind,
            });
        }
        start = at;
        while start < span.end && !text.is_char_boundary(start) {
            start += 1;
        }
    }
    let piece = trim_span(text, start..span.end);
    if !piece.is_empty() {
        out.push(Segment {
            span: piece,
            paragraph,
            kind,
        });
    }
}

/// Settings of [`Model::score_document`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DocumentOptions {
    /// How to cut the document (default: sentences).
    pub segmentation: Segmentation,
    /// Bootstrap resamples for the interval (default 1000; 0 turns the interval off).
    pub bootstrap: usize,
    /// Confidence level of the interval (default 0.95).
    pub confidence: f64,
    /// Seed of the resampling (default 0).
    pub seed: u64,
}

impl Default for DocumentOptions {
    fn default() -> Self {
        DocumentOptions {
            segmentation: Segmentation::Sentences,
            bootstrap: 1000,
            confidence: 0.95,
            seed: 0,
        }
    }
}

impl DocumentOptions {
    fn validate(&self) -> Result<()> {
        if !(self.confidence.is_finite() && self.confidence > 0.0 && self.confidence < 1.0) {
            return Err(Error::param("confidence", self.confidence, "must be in (0, 1)"));
        }
        if self.bootstrap > 1_000_000 {
            return Err(Error::param("bootstrap", self.bootstrap, "at most 1,000,000 resamples"));
        }
        Ok(())
    }
}

/// A scored passage of a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PassageScore {
    /// Where it is in the document.
    pub segment: Segment,
    /// Its text.
    pub text: String,
    /// Its weight in the document score (number of words; 0 when the model abstained).
    pub weight: f64,
    /// The prediction.
    pub prediction: Prediction,
}

/// A document's position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentScore {
    /// The passages in order.
    pub passages: Vec<PassageScore>,
    /// Word-weighted mean of passage scores (0 for a document without passages).
    pub score: f64,
    /// Bootstrap percentile interval `[low, high]` of the score at `confidence`.
    pub interval: [f64; 2],
    /// Confidence level of `interval`.
    pub confidence: f64,
    /// Number of bootstrap resamples.
    pub bootstrap: usize,
    /// Share of passages predicted in each class, in class order.
    pub class_shares: Vec<(String, f64)>,
    /// Weighted mean probability of each class, in class order.
    pub mean_probabilities: Vec<(String, f64)>,
    /// Passages the model declined to label ([`Prediction::abstained`]: another language, or
    /// nothing the model knows). They keep their place in `passages` with weight 0 and are left
    /// out of the score, the interval and the shares.
    #[serde(default)]
    pub n_abstained: usize,
}

fn weighted_mean(scores: &[f64], weights: &[f64], idx: impl Iterator<Item = usize>) -> f64 {
    let (mut num, mut den) = (0.0, 0.0);
    for i in idx {
        num += scores[i] * weights[i];
        den += weights[i];
    }
    if den > 0.0 {
        num / den
    } else {
        0.0
    }
}

/// Linear-interpolated quantile of sorted values.
fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    let frac = pos - lo as f64;
    sorted[lo] * (1.0 - frac) + sorted[hi.min(sorted.len() - 1)] * frac
}

/// Passages scored at a time by [`Model::score_document`]: at most this many times
/// [`MAX_PASSAGE_BYTES`] of text (4 MiB) is featurized at once, whatever the document's size.
pub const DOCUMENT_CHUNK: usize = 1024;

/// The word weight of a passage in the document score: its number of words, at least 1.
pub fn passage_weight(passage: &str) -> f64 {
    passage.split_whitespace().count().max(1) as f64
}

/// The aggregates of a document's passage scores (see [`Model::score_document`]), for callers
/// that score the passages themselves, chunk by chunk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DocumentSummary {
    /// Word-weighted mean of passage scores (0 for a document without passages).
    pub score: f64,
    /// Bootstrap percentile interval `[low, high]` of the score at `confidence`.
    pub interval: [f64; 2],
    /// Confidence level of `interval`.
    pub confidence: f64,
    /// Number of bootstrap resamples.
    pub bootstrap: usize,
    /// Share of passages predicted in each class, in class order.
    pub class_shares: Vec<(String, f64)>,
    /// Weighted mean probability of each class, in class order.
    pub mean_probabilities: Vec<(String, f64)>,
    /// Passages the model declined to label, left out of everything above. When every passage
    /// was, the score is 0 with the interval `[0, 0]` and every share 0: check this count before
    /// reading them.
    #[serde(default)]
    pub n_abstained: usize,
}

/// Accumulates what a document's aggregates need, passage by passage: running weighted sums,
/// per class the count and weighted probability sum, and, only when a bootstrap interval was
/// asked for, the score and weight of every passage (16 bytes each), which the resamples need.
/// Without a bootstrap its memory does not grow with the document.
#[derive(Debug, Clone)]
pub struct DocumentAggregator {
    options: DocumentOptions,
    classes: Vec<String>,
    n: usize,
    weighted_score_sum: f64,
    weight_sum: f64,
    scores: Vec<f64>,
    weights: Vec<f64>,
    counts: Vec<usize>,
    probability_sums: Vec<f64>,
    n_abstained: usize,
}

impl DocumentAggregator {
    /// A new aggregator for `model`'s classes; checks `options`.
    pub fn new(model: &Model, options: &DocumentOptions) -> Result<Self> {
        options.validate()?;
        let k = model.classes().len();
        Ok(DocumentAggregator {
            options: options.clone(),
            classes: model.classes().to_vec(),
            n: 0,
            weighted_score_sum: 0.0,
            weight_sum: 0.0,
            scores: Vec::new(),
            weights: Vec::new(),
            counts: vec![0; k],
            probability_sums: vec![0.0; k],
            n_abstained: 0,
        })
    }

    /// Count a passage the model declined to label: it takes no part in the aggregates.
    pub fn add_abstained(&mut self) {
        self.n_abstained += 1;
    }

    /// Add the next passage: its weight ([`passage_weight`]), predicted class, score and
    /// class probabilities.
    /// A passage with a weight that is not finite and positive, or a score that is not finite,
    /// is counted as abstained instead, so no input makes the aggregates NaN.
    pub fn add(&mut self, weight: f64, class_index: usize, score: f64, probabilities: &[f64]) {
        if !(weight.is_finite() && weight > 0.0 && score.is_finite()) {
            self.n_abstained += 1;
            return;
        }
        // The same sums, in the same order, as `weighted_mean` over every passage.
        self.n += 1;
        self.weighted_score_sum += score * weight;
        self.weight_sum += weight;
        if self.options.bootstrap > 0 {
            self.scores.push(score);
            self.weights.push(weight);
        }
        if let Some(c) = self.counts.get_mut(class_index) {
            *c += 1;
        }
        for (sum, p) in self.probability_sums.iter_mut().zip(probabilities) {
            *sum += p * weight;
        }
    }

    /// The aggregates over the passages added.
    pub fn finish(&self) -> DocumentSummary {
        let (scores, weights, options) = (&self.scores, &self.weights, &self.options);
        let n = self.n;
        let total_w = self.weight_sum;
        let score = if total_w > 0.0 {
            self.weighted_score_sum / total_w
        } else {
            0.0
        };
        let interval = if n == 0 {
            [0.0, 0.0]
        } else if options.bootstrap == 0 || n == 1 {
            [score, score]
        } else {
            let mut rng = SplitMix64::new(options.seed);
            // Draws taken in the same order as before, without a vector of them per resample.
            let mut means: Vec<f64> = (0..options.bootstrap)
                .map(|_| weighted_mean(scores, weights, (0..n).map(|_| rng.below(n))))
                .collect();
            means.sort_by(f64::total_cmp);
            let alpha = (1.0 - options.confidence) / 2.0;
            [quantile(&means, alpha), quantile(&means, 1.0 - alpha)]
        };
        let class_shares = self
            .classes
            .iter()
            .zip(&self.counts)
            .map(|(c, &count)| (c.clone(), if n == 0 { 0.0 } else { count as f64 / n as f64 }))
            .collect();
        let mean_probabilities = self
            .classes
            .iter()
            .zip(&self.probability_sums)
            .map(|(c, &m)| (c.clone(), if total_w > 0.0 { m / total_w } else { 0.0 }))
            .collect();
        DocumentSummary {
            score,
            interval,
            confidence: options.confidence,
            bootstrap: options.bootstrap,
            class_shares,
            mean_probabilities,
            n_abstained: self.n_abstained,
        }
    }
}

impl Model {
    /// Segment `text`, score each passage and aggregate (see the module documentation). The
    /// document is segmented as it is read and scored [`DOCUMENT_CHUNK`] passages at a time, so
    /// memory beyond the text and the result stays bounded whatever the document's size.
    pub fn score_document(&self, text: &str, options: &DocumentOptions) -> Result<DocumentScore> {
        let mut aggregator = DocumentAggregator::new(self, options)?;
        let mut segments = passages(text, options.segmentation);
        let mut out: Vec<PassageScore> = Vec::new();
        loop {
            let chunk: Vec<Segment> = segments.by_ref().take(DOCUMENT_CHUNK).collect();
            if chunk.is_empty() {
                break;
            }
            let texts: Vec<&str> = chunk.iter().map(|s| &text[s.span.clone()]).collect();
            let predictions = self.predict_batch(&texts);
            for ((segment, passage), prediction) in chunk.into_iter().zip(texts).zip(predictions) {
                let weight = if prediction.abstained.is_some() {
                    aggregator.add_abstained();
                    0.0
                } else {
                    let weight = passage_weight(passage);
                    aggregator.add(
                        weight,
                        prediction.class_index,
                        prediction.score,
                        &prediction.probabilities,
                    );
                    weight
                };
                out.push(PassageScore {
                    text: passage.to_string(),
                    segment,
                    weight,
                    prediction,
                });
            }
        }
        let summary = aggregator.finish();
        Ok(DocumentScore {
            passages: out,
            score: summary.score,
            interval: summary.interval,
            confidence: summary.confidence,
            bootstrap: summary.bootstrap,
            class_shares: summary.class_shares,
            mean_probabilities: summary.mean_probabilities,
            n_abstained: summary.n_abstained,
        })
    }
}

#[cfg(test)]
mod tests;
