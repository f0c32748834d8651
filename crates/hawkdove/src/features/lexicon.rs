//! Domain lexicons as extra features.
//!
//! A lexicon lists words or phrases with a pole (`hard-line<TAB>asset freeze`). Each pole adds
//! two feature columns after the n-gram columns: matches outside and inside a negation scope
//! (`lexicon:hard-line`, `lexicon:not_hard-line`), so "did not impose an asset freeze" does not
//! count as hard-line evidence. Phrases are matched on stems, with the featurizer's own
//! analyzer, so `asset freeze` also matches "asset freezes".

use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text::{Analysis, Analyzer, TextConfig, NEGATION_PREFIX};

/// Longest phrase, in words.
pub const MAX_LEXICON_PHRASE: usize = 8;
/// Most poles a lexicon may have.
pub const MAX_LEXICON_POLES: usize = 64;

/// One lexicon entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LexiconEntry {
    /// The pole (any label, e.g. `hard-line`).
    pub pole: String,
    /// The phrase, as written (lowercase words separated by spaces).
    pub phrase: String,
}

/// A lexicon: phrases with poles. Serializable; stored in the model file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct Lexicon {
    /// The entries.
    pub entries: Vec<LexiconEntry>,
}

impl Lexicon {
    /// Parse the text format: one `pole<TAB>phrase` per line; `#` starts a comment line; blank
    /// lines are skipped.
    pub fn parse(text: &str) -> Result<Lexicon> {
        let mut entries = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let Some((pole, phrase)) = line.split_once('\t') else {
                return Err(Error::Tsv {
                    path: "<lexicon>".into(),
                    line: i + 1,
                    reason: "expected `pole<TAB>phrase`".into(),
                });
            };
            entries.push(LexiconEntry {
                pole: pole.trim().to_string(),
                phrase: phrase.trim().to_string(),
            });
        }
        let lex = Lexicon { entries };
        lex.validate()?;
        Ok(lex)
    }

    /// The distinct poles, sorted: the order of the lexicon's feature columns.
    pub fn poles(&self) -> Vec<String> {
        let mut p: Vec<String> = self.entries.iter().map(|e| e.pole.clone()).collect();
        p.sort();
        p.dedup();
        p
    }

    /// Number of feature columns the lexicon adds (two per pole).
    pub fn n_columns(&self) -> usize {
        2 * self.poles().len()
    }

    /// Names of the added columns, in order.
    pub fn column_names(&self) -> Vec<String> {
        self.poles()
            .iter()
            .flat_map(|p| [format!("lexicon:{p}"), format!("lexicon:not_{p}")])
            .collect()
    }

    /// Check entries: non-empty poles and phrases of at most [`MAX_LEXICON_PHRASE`] words.
    pub fn validate(&self) -> Result<()> {
        for e in &self.entries {
            let words = e.phrase.split_whitespace().count();
            if e.pole.is_empty() || e.pole.contains(char::is_whitespace) {
                return Err(Error::param("lexicon.pole", &e.pole, "must be a non-empty word"));
            }
            if words == 0 || words > MAX_LEXICON_PHRASE {
                return Err(Error::param(
                    "lexicon.phrase",
                    &e.phrase,
                    format!("must have 1..={MAX_LEXICON_PHRASE} words"),
                ));
            }
        }
        if self.poles().len() > MAX_LEXICON_POLES {
            return Err(Error::param(
                "lexicon",
                self.poles().len(),
                format!("at most {MAX_LEXICON_POLES} poles"),
            ));
        }
        Ok(())
    }
}

/// Phrases by their first term: the remaining terms and the pole index.
type PhraseIndex = FxHashMap<Box<str>, Vec<(Vec<Box<str>>, usize)>>;

/// A lexicon prepared for matching with a given text configuration.
#[derive(Debug, Clone, Default)]
pub(crate) struct LexiconMatcher {
    /// First term → (remaining terms, pole index).
    by_first: PhraseIndex,
    n_poles: usize,
}

impl LexiconMatcher {
    pub(crate) fn new(lexicon: &Lexicon, text: &TextConfig) -> Self {
        let poles = lexicon.poles();
        let plain = TextConfig {
            negation: None,
            stop_words: None,
            ..text.clone()
        };
        let analyzer = Analyzer::new(&plain);
        let mut by_first = PhraseIndex::default();
        for e in &lexicon.entries {
            let terms: Vec<Box<str>> = analyzer.analyze(&e.phrase).terms().map(Into::into).collect();
            let Some((first, rest)) = terms.split_first() else {
                continue;
            };
            let pole = poles.binary_search(&e.pole).unwrap_or(0);
            by_first.entry(first.clone()).or_default().push((rest.to_vec(), pole));
        }
        LexiconMatcher {
            by_first,
            n_poles: poles.len(),
        }
    }

    pub(crate) fn n_columns(&self) -> usize {
        2 * self.n_poles
    }

    /// Report `(first token, n tokens, column offset within the lexicon block)` per match.
    pub(crate) fn matches(&self, analysis: &Analysis, mut emit: impl FnMut(usize, usize, u32)) {
        if self.by_first.is_empty() {
            return;
        }
        let base = |i: usize| {
            let t = analysis.term(i);
            t.strip_prefix(NEGATION_PREFIX).unwrap_or(t)
        };
        let n = analysis.len();
        for i in 0..n {
            let Some(cands) = self.by_first.get(base(i)) else {
                continue;
            };
            for (rest, pole) in cands {
                if rest
                    .iter()
                    .enumerate()
                    .all(|(k, w)| i + 1 + k < n && base(i + 1 + k) == &**w)
                {
                    let negated = analysis.tokens().get(i).is_some_and(|t| t.negated);
                    emit(i, rest.len() + 1, (2 * pole + usize::from(negated)) as u32);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_and_match_with_negation_and_stems() {
        let lex =
            Lexicon::parse("# comment\nhard-line\tasset freeze\nconciliatory\tolive branch\nhard-line\tultimatum\n")
                .expect("parse");
        assert_eq!(lex.poles(), ["conciliatory", "hard-line"]);
        assert_eq!(lex.column_names()[2], "lexicon:hard-line");
        let config = TextConfig::default();
        let m = LexiconMatcher::new(&lex, &config);
        let a = Analyzer::new(&config)
            .analyze("Officials announced asset freezes, did not issue an ultimatum, and offered an olive branch");
        let mut got = Vec::new();
        m.matches(&a, |t, n, c| got.push((a.surface(t).to_string(), n, c)));
        assert_eq!(
            got,
            [
                ("asset".to_string(), 2, 2),
                ("ultimatum".to_string(), 1, 3),
                ("olive".to_string(), 2, 0)
            ]
        );
        assert!(Lexicon::parse("no tab here\n").is_err());
        assert!(Lexicon::parse("x\t\n").is_err());
    }
}
