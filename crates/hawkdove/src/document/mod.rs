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
    let mut out = Vec::new();
    match how {
        Segmentation::Lines => {
            let mut start = 0;
            for (i, line) in text.split_inclusive('\n').enumerate() {
                let span = trim_span(text, start..start + line.len());
                if !span.is_empty() {
                    push_capped(text, span, i, PassageKind::Line, &mut out);
                }
                start += line.len();
            }
        }
        Segmentation::Paragraphs | Segmentation::Sentences => {
            for (p, para) in paragraphs(text).into_iter().enumerate() {
                let body = &text[para.clone()];
                let is_headline = !body.contains('\n')
                    && body.split_whitespace().count() <= MAX_HEADLINE_WORDS
                    && !ends_sentence(body);
                if is_headline {
                    push_capped(text, para, p, PassageKind::Headline, &mut out);
                } else if how == Segmentation::Paragraphs {
                    push_capped(text, para, p, PassageKind::Line, &mut out);
                } else {
                    for s in sentences(text, para) {
                        push_capped(text, s, p, PassageKind::Sentence, &mut out);
                    }
                }
            }
        }
    }
    out
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

/// Paragraph spans: runs of lines separated by blank lines.
fn paragraphs(text: &str) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    let mut end = 0;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let blank = line.trim().is_empty();
        if blank {
            if let Some(s) = start.take() {
                out.push(trim_span(text, s..end));
            }
        } else {
            if start.is_none() {
                start = Some(pos);
            }
            end = pos + line.len();
        }
        pos += line.len();
    }
    if let Some(s) = start {
        out.push(trim_span(text, s..end));
    }
    out.retain(|r| !r.is_empty());
    out
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

/// Sentence spans within a paragraph span.
fn sentences(text: &str, para: Range<usize>) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = para.start;
    let body = &text[para.clone()];
    let chars: Vec<(usize, char)> = body.char_indices().map(|(i, c)| (para.start + i, c)).collect();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if matches!(c, '.' | '!' | '?' | '\u{2026}') {
            // Run of terminators and closing quotes/brackets.
            let mut j = i + 1;
            while j < chars.len()
                && matches!(
                    chars[j].1,
                    '.' | '!' | '?' | '\u{2026}' | '"' | '\'' | '\u{201D}' | '\u{2019}' | ')' | ']'
                )
            {
                j += 1;
            }
            let end = chars.get(j).map_or(para.end, |(p, _)| *p);
            let followed_by_space = chars.get(j).is_none_or(|(_, n)| n.is_whitespace());
            if followed_by_space {
                // Skip whitespace to the next sentence's first character.
                let mut k = j;
                while k < chars.len() && chars[k].1.is_whitespace() {
                    k += 1;
                }
                let next_ok = chars.get(k).is_none_or(|(_, n)| {
                    n.is_uppercase()
                        || n.is_numeric()
                        || matches!(n, '"' | '\'' | '\u{201C}' | '\u{2018}' | '(' | '[')
                        || !n.is_alphabetic()
                });
                let is_boundary = next_ok && (c != '.' || dot_ends_sentence(text, pos, end));
                if is_boundary {
                    let span = trim_span(text, start..end);
                    if !span.is_empty() {
                        out.push(span);
                    }
                    start = chars.get(k).map_or(para.end, |(p, _)| *p);
                    i = k;
                    continue;
                }
            }
            i = j;
            continue;
        }
        i += 1;
    }
    let tail = trim_span(text, start..para.end);
    if !tail.is_empty() {
        out.push(tail);
    }
    out
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

impl Model {
    /// Segment `text`, score each passage and aggregate (see the module documentation).
    pub fn score_document(&self, text: &str, options: &DocumentOptions) -> Result<DocumentScore> {
        options.validate()?;
        let segments = segment_with(text, options.segmentation);
        let texts: Vec<&str> = segments.iter().map(|s| &text[s.span.clone()]).collect();
        let predictions = self.predict_batch(&texts);
        let weights: Vec<f64> = texts
            .iter()
            .zip(&predictions)
            .map(|(t, p)| {
                if p.abstained.is_some() {
                    0.0
                } else {
                    t.split_whitespace().count().max(1) as f64
                }
            })
            .collect();
        let scores: Vec<f64> = predictions.iter().map(|p| p.score).collect();
        let kept: Vec<usize> = (0..predictions.len())
            .filter(|&i| predictions[i].abstained.is_none())
            .collect();
        let n = kept.len();
        let score = weighted_mean(&scores, &weights, kept.iter().copied());
        let interval = if n == 0 {
            [0.0, 0.0]
        } else if options.bootstrap == 0 || n == 1 {
            [score, score]
        } else {
            let mut rng = SplitMix64::new(options.seed);
            let mut means: Vec<f64> = (0..options.bootstrap)
                .map(|_| {
                    let draws: Vec<usize> = (0..n).map(|_| kept[rng.below(n)]).collect();
                    weighted_mean(&scores, &weights, draws.into_iter())
                })
                .collect();
            means.sort_by(f64::total_cmp);
            let alpha = (1.0 - options.confidence) / 2.0;
            [quantile(&means, alpha), quantile(&means, 1.0 - alpha)]
        };
        let classes = self.classes();
        let class_shares = classes
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let count = kept.iter().filter(|&&i| predictions[i].class_index == k).count();
                (c.clone(), if n == 0 { 0.0 } else { count as f64 / n as f64 })
            })
            .collect();
        let total_w: f64 = weights.iter().sum();
        let mean_probabilities = classes
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let m = predictions
                    .iter()
                    .zip(&weights)
                    .map(|(p, w)| p.probabilities[k] * w)
                    .sum::<f64>();
                (c.clone(), if total_w > 0.0 { m / total_w } else { 0.0 })
            })
            .collect();
        let predictions_len = predictions.len();
        let passages = segments
            .into_iter()
            .zip(predictions)
            .zip(weights)
            .map(|((segment, prediction), weight)| PassageScore {
                text: text[segment.span.clone()].to_string(),
                segment,
                weight,
                prediction,
            })
            .collect();
        Ok(DocumentScore {
            passages,
            score,
            interval,
            confidence: options.confidence,
            bootstrap: options.bootstrap,
            class_shares,
            mean_probabilities,
            n_abstained: predictions_len - n,
        })
    }
}

#[cfg(test)]
mod tests;
