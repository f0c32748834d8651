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
use crate::text::{Analysis, Analyzer, TextConfig, MAX_LIST_ENTRIES, NEGATION_PREFIX};

/// Longest phrase, in words.
pub const MAX_LEXICON_PHRASE: usize = 8;
/// Longest phrase, in bytes (so that a phrase analyzes into a bounded number of terms).
pub const MAX_LEXICON_PHRASE_BYTES: usize = 256;
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

    /// Check entries: at most [`crate::text::MAX_LIST_ENTRIES`] of them, non-empty poles and
    /// phrases of at most [`MAX_LEXICON_PHRASE`] words and [`MAX_LEXICON_PHRASE_BYTES`] bytes.
    pub fn validate(&self) -> Result<()> {
        if self.entries.len() > MAX_LIST_ENTRIES {
            return Err(Error::param(
                "lexicon",
                self.entries.len(),
                format!("at most {MAX_LIST_ENTRIES} entries"),
            ));
        }
        for e in &self.entries {
            if e.phrase.len() > MAX_LEXICON_PHRASE_BYTES {
                return Err(Error::param(
                    "lexicon.phrase",
                    e.phrase.len(),
                    format!("at most {MAX_LEXICON_PHRASE_BYTES} bytes"),
                ));
            }
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

/// One node of [`LexiconMatcher`]'s trie: the phrases that go on with one more term, and the
/// poles of the phrases that end here.
#[derive(Debug, Clone, Default)]
struct Node {
    children: FxHashMap<Box<str>, u32>,
    /// `(first entry, pole, entries)` per pole of the entries whose phrase ends here, in the
    /// order of their first entry: `entries` identical phrases count `entries` times.
    ends: Vec<(u32, u32, u32)>,
}

/// A lexicon prepared for matching with a given text configuration: a trie over the phrases'
/// terms, so that matching costs O(tokens × longest phrase) whatever the lexicon (a list of
/// 100,000 phrases sharing their first word used to compare every one at each occurrence of
/// that word: 19.7 s for 20,000 tokens).
#[derive(Debug, Clone)]
pub(crate) struct LexiconMatcher {
    /// Node 0 is the root.
    nodes: Vec<Node>,
    n_poles: usize,
}

impl Default for LexiconMatcher {
    fn default() -> Self {
        LexiconMatcher {
            nodes: vec![Node::default()],
            n_poles: 0,
        }
    }
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
        let mut nodes = vec![Node::default()];
        for (index, e) in lexicon.entries.iter().enumerate() {
            let analysis = analyzer.analyze(&e.phrase);
            if analysis.is_empty() {
                continue;
            }
            let mut at = 0usize;
            for term in analysis.terms() {
                let next = nodes.len() as u32;
                let Some(node) = nodes.get_mut(at) else { break };
                let child = *node.children.entry(term.into()).or_insert(next);
                if child == next {
                    nodes.push(Node::default());
                }
                at = child as usize;
            }
            let pole = poles.binary_search(&e.pole).unwrap_or(0) as u32;
            if let Some(node) = nodes.get_mut(at) {
                match node.ends.iter_mut().find(|(_, p, _)| *p == pole) {
                    Some((_, _, n)) => *n += 1,
                    None => node.ends.push((index as u32, pole, 1)),
                }
            }
        }
        LexiconMatcher {
            nodes,
            n_poles: poles.len(),
        }
    }

    pub(crate) fn n_columns(&self) -> usize {
        2 * self.n_poles
    }

    /// Report `(first token, n tokens, column offset within the lexicon block, count)` per
    /// match: `count` entries of the lexicon have that phrase and pole. Matches starting at one
    /// token come in the order of their first entry in the lexicon.
    pub(crate) fn matches(&self, analysis: &Analysis, mut emit: impl FnMut(usize, usize, u32, u32)) {
        let Some(root) = self.nodes.first() else {
            return;
        };
        if root.children.is_empty() {
            return;
        }
        let base = |i: usize| {
            let t = analysis.term(i);
            t.strip_prefix(NEGATION_PREFIX).unwrap_or(t)
        };
        let n = analysis.len();
        // (first entry, n tokens, pole, count) of the matches starting at one token.
        let mut found: Vec<(u32, usize, u32, u32)> = Vec::new();
        for i in 0..n {
            let mut node = root;
            found.clear();
            for j in i..n {
                let Some(next) = node.children.get(base(j)).and_then(|&c| self.nodes.get(c as usize)) else {
                    break;
                };
                node = next;
                found.extend(
                    node.ends
                        .iter()
                        .map(|&(first, pole, count)| (first, j + 1 - i, pole, count)),
                );
            }
            if found.is_empty() {
                continue;
            }
            found.sort_unstable_by_key(|m| m.0);
            let negated = analysis.tokens().get(i).is_some_and(|t| t.negated);
            for &(_, len, pole, count) in &found {
                emit(i, len, 2 * pole + u32::from(negated), count);
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
        m.matches(&a, |t, n, c, _| got.push((a.surface(t).to_string(), n, c)));
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
