//! Domain lexicons as extra features.
//!
//! A lexicon lists words or phrases with a pole (`hard-line<TAB>asset freeze`). Each pole adds
//! two feature columns after the n-gram columns: matches outside and inside a negation scope
//! (`lexicon:hard-line`, `lexicon:not_hard-line`), so "did not impose an asset freeze" does not
//! count as hard-line evidence. Phrases are matched on stems, with the featurizer's own
//! analyzer, so `asset freeze` also matches "asset freezes".

use std::path::Path;

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
    /// lines are skipped; a UTF-8 byte-order mark at the start is skipped. Errors name the line
    /// of `<lexicon>` (see [`Lexicon::read`] and [`Lexicon::parse_named`] for a file's name).
    pub fn parse(text: &str) -> Result<Lexicon> {
        Self::parse_named(text, Path::new("<lexicon>"))
    }

    /// Read a lexicon file (see [`Lexicon::parse`]); every error names the file, and the line
    /// for malformed lines and invalid UTF-8.
    pub fn read(path: impl AsRef<Path>) -> Result<Lexicon> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
        Self::parse_named(crate::eval::utf8_text(&bytes, path)?, path)
    }

    /// [`Lexicon::parse`], naming `path` with the line in errors.
    pub fn parse_named(text: &str, path: &Path) -> Result<Lexicon> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let bad = |line: usize, reason: String| Error::Tsv {
            path: path.to_path_buf(),
            line,
            reason,
        };
        let mut entries = Vec::new();
        let mut poles: Vec<&str> = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let Some((pole, phrase)) = line.split_once('\t') else {
                return Err(bad(i + 1, "expected `pole<TAB>phrase`".into()));
            };
            let entry = LexiconEntry {
                pole: pole.trim().to_string(),
                phrase: phrase.trim().to_string(),
            };
            // Each entry checked here, so that the error names its line.
            (Lexicon {
                entries: vec![entry.clone()],
            })
            .validate()
            .map_err(|e| bad(i + 1, e.to_string()))?;
            if !poles.contains(&pole.trim()) {
                poles.push(pole.trim());
                if poles.len() > MAX_LEXICON_POLES {
                    return Err(bad(i + 1, format!("more than {MAX_LEXICON_POLES} poles")));
                }
            }
            entries.push(entry);
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
    fn lexicon_files_strip_a_byte_order_mark_and_name_file_and_line() {
        // Issue 25, defect 10: errors named `<lexicon>:3`, invalid UTF-8 said only "stream
        // did not contain valid UTF-8", and a byte-order mark stayed in the first pole.
        let dir = std::env::temp_dir().join(format!("hawkdove-lexicon-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let write = |name: &str, bytes: &[u8]| {
            let path = dir.join(name);
            std::fs::write(&path, bytes).expect("write");
            path
        };
        let ok = write("ok.tsv", b"\xef\xbb\xbfhard\tasset freeze\nsoft\ttalks\n");
        let lex = Lexicon::read(&ok).expect("read");
        assert_eq!(lex.entries[0].pole, "hard");
        assert_eq!(lex.poles(), ["hard", "soft"]);

        let no_tab = write("no_tab.tsv", b"# comment\nhard\tsanctions\nno tab here\n");
        let shown = Lexicon::read(&no_tab).map_err(|e| e.to_string());
        assert_eq!(
            shown,
            Err(format!("{}:3: expected `pole<TAB>phrase`", no_tab.display()))
        );

        let bad_utf8 = write("bad.tsv", b"hard\tsanctions\nsoft\tta\xfflks\n");
        let shown = Lexicon::read(&bad_utf8).map_err(|e| e.to_string());
        assert_eq!(
            shown,
            Err(format!("{}:2: invalid UTF-8 at byte 7 of the line", bad_utf8.display()))
        );

        let long = write("long.tsv", b"hard\tsanctions\nsoft\ta b c d e f g h i\n");
        match Lexicon::read(&long) {
            Err(Error::Tsv { path, line: 2, reason }) => {
                assert_eq!(path, long);
                assert!(reason.contains("1..=8 words"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let missing = dir.join("missing.tsv");
        assert!(matches!(Lexicon::read(&missing), Err(Error::Io { path, .. }) if path == missing));
        std::fs::remove_dir_all(&dir).ok();
    }

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
