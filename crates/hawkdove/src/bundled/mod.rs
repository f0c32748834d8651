//! The corpus written for hawkdove and the models trained on it.
//!
//! The corpus (`data/corpus/*.tsv`, coded by `data/corpus/CODEBOOK.md`) is embedded in the crate,
//! so the bundled models can be retrained bit for bit from the crate alone.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::SplitMix64;

/// The corpus files, embedded.
const FILES: &[(&str, &str)] = &[
    (
        "arms-control-nuclear.tsv",
        include_str!("../../data/corpus/arms-control-nuclear.tsv"),
    ),
    (
        "conflict-peace-humanitarian.tsv",
        include_str!("../../data/corpus/conflict-peace-humanitarian.tsv"),
    ),
    (
        "diplomacy-espionage-summits.tsv",
        include_str!("../../data/corpus/diplomacy-espionage-summits.tsv"),
    ),
    (
        "regions-eras.tsv",
        include_str!("../../data/corpus/regions-eras.tsv"),
    ),
    (
        "sanctions-trade-energy.tsv",
        include_str!("../../data/corpus/sanctions-trade-energy.tsv"),
    ),
    (
        "territory-military-alliances.tsv",
        include_str!("../../data/corpus/territory-military-alliances.tsv"),
    ),
];

/// The header every corpus file starts with.
pub const CORPUS_HEADER: &str = "id\tstance\tsentiment\tregister\ttext";

/// Stance labels.
pub const STANCE_LABELS: [&str; 3] = ["conciliatory", "hard-line", "neutral"];
/// Sentiment labels.
pub const SENTIMENT_LABELS: [&str; 3] = ["negative", "neutral", "positive"];
/// Register labels.
pub const REGISTERS: [&str; 6] = [
    "analyst",
    "brief",
    "oped",
    "parliament",
    "statement",
    "wire",
];

/// Seed of the fixed held-out split.
pub const SPLIT_SEED: u64 = 2026;
/// Share of passages held out.
pub const HELD_OUT_FRACTION: f64 = 0.2;

/// Which label of a passage to learn.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Axis {
    /// conciliatory / neutral / hard-line
    Stance,
    /// negative / neutral / positive
    Sentiment,
}

impl std::str::FromStr for Axis {
    type Err = Error;
    fn from_str(s: &str) -> Result<Axis> {
        match s {
            "stance" => Ok(Axis::Stance),
            "sentiment" => Ok(Axis::Sentiment),
            other => Err(Error::param(
                "axis",
                other,
                "expected `stance` or `sentiment`",
            )),
        }
    }
}

/// One labelled passage of the corpus.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Passage {
    /// Unique id, e.g. `san-0001`.
    pub id: String,
    /// Stance label.
    pub stance: String,
    /// Sentiment label.
    pub sentiment: String,
    /// Register (wire, oped, statement, analyst, parliament, brief).
    pub register: String,
    /// The passage.
    pub text: String,
    /// The file it comes from.
    pub file: String,
}

impl Passage {
    /// The label on `axis`.
    pub fn label(&self, axis: Axis) -> &str {
        match axis {
            Axis::Stance => &self.stance,
            Axis::Sentiment => &self.sentiment,
        }
    }
}

/// Parse one corpus file, checking its header, fields and labels.
pub fn parse_corpus_file(name: &str, content: &str) -> Result<Vec<Passage>> {
    let bad = |line: usize, reason: String| Error::Tsv {
        path: name.into(),
        line,
        reason,
    };
    let mut lines = content.lines().enumerate();
    match lines.next() {
        Some((_, h)) if h.trim_end() == CORPUS_HEADER => {}
        _ => return Err(bad(1, format!("expected the header {CORPUS_HEADER:?}"))),
    }
    let mut out = Vec::new();
    for (i, line) in lines {
        if line.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() != 5 {
            return Err(bad(
                i + 1,
                format!("expected 5 tab-separated fields, found {}", f.len()),
            ));
        }
        if !STANCE_LABELS.contains(&f[1]) {
            return Err(bad(i + 1, format!("unknown stance {:?}", f[1])));
        }
        if !SENTIMENT_LABELS.contains(&f[2]) {
            return Err(bad(i + 1, format!("unknown sentiment {:?}", f[2])));
        }
        if !REGISTERS.contains(&f[3]) {
            return Err(bad(i + 1, format!("unknown register {:?}", f[3])));
        }
        out.push(Passage {
            id: f[0].to_string(),
            stance: f[1].to_string(),
            sentiment: f[2].to_string(),
            register: f[3].to_string(),
            text: f[4].trim().to_string(),
            file: name.to_string(),
        });
    }
    Ok(out)
}

/// The whole embedded corpus, in file order.
pub fn corpus() -> Result<Vec<Passage>> {
    let mut all = Vec::new();
    for (name, content) in FILES {
        all.extend(parse_corpus_file(name, content)?);
    }
    Ok(all)
}

/// The fixed held-out split: indices `(train, test)` with [`HELD_OUT_FRACTION`] of each stance
/// class held out, drawn with [`SPLIT_SEED`].
pub fn held_out_split(passages: &[Passage]) -> (Vec<usize>, Vec<usize>) {
    let mut rng = SplitMix64::new(SPLIT_SEED);
    let mut test = Vec::new();
    for label in STANCE_LABELS {
        let mut members: Vec<usize> = (0..passages.len())
            .filter(|&i| passages[i].stance == label)
            .collect();
        rng.shuffle(&mut members);
        let k = (members.len() as f64 * HELD_OUT_FRACTION).round() as usize;
        test.extend_from_slice(&members[..k.min(members.len())]);
    }
    test.sort_unstable();
    let train = (0..passages.len())
        .filter(|i| test.binary_search(i).is_err())
        .collect();
    (train, test)
}

#[cfg(test)]
mod tests;
