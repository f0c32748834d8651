//! Text → tokens: normalization, markup stripping, tokenization, negation scope, stop words and
//! stemming.
//!
//! The [`Analyzer`] walks the *original* text once. Markup (tags, entities, attribute junk) is
//! recognised and skipped in place, so every [`Token`] keeps the byte span of the original text
//! it came from, which explanations use to highlight it. Each token's text is normalized
//! (NFKC, case folding, typographic quotes and hyphens folded) independently, so normalization
//! never shifts offsets.
//!
//! ```
//! use hawkdove::text::{Analyzer, TextConfig};
//! let analyzer = Analyzer::new(&TextConfig::default());
//! let analysis = analyzer.analyze("Tokyo didn't condemn Beijing’s move.");
//! let terms: Vec<&str> = analysis.terms().collect();
//! assert_eq!(terms, ["tokyo", "did", "not", "not_condemn", "not_beij", "not_move"]);
//! ```

mod markup;
mod stem;
mod stopwords;

pub use stem::{Language, STEM_CACHE_CAPACITY};
pub use stopwords::ENGLISH as ENGLISH_STOP_WORDS;

use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use std::ops::Range;
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use stem::CachedStemmer;

/// Prefix given to the terms inside a negation scope (`condemn` → `not_condemn`). Tokens never
/// contain `_`, so negated terms cannot collide with ordinary words.
pub const NEGATION_PREFIX: &str = "not_";

/// Tokens longer than this many bytes (base64 blobs, hashes) are skipped: they are never words.
pub const MAX_TOKEN_BYTES: usize = 100;

/// Most tokens kept from one text. Analysis stops there and marks the analysis truncated, so
/// memory per passage stays bounded (about 60 bytes a token) whatever the input size; split
/// long documents into passages with [`crate::document::segment`] to score all of them.
pub const MAX_TOKENS_PER_TEXT: usize = 250_000;

/// Longest list a configuration may hold: lexicon entries, negation words, negation phrases,
/// scope breakers, custom stop words (each list on its own). Checked by
/// [`TextConfig::validate`] and `FeaturizerConfig::validate`, so a model file with a longer
/// list is refused on loading (`FormatError::InvalidValue` naming the list).
pub const MAX_LIST_ENTRIES: usize = 200_000;

/// Most words in a multi-word negator (`stopped short of` has three).
pub const MAX_NEGATION_PHRASE: usize = 8;

/// Placeholder term for numbers when `fold_numbers` is on.
pub const NUMBER_TERM: &str = "<num>";
/// Placeholder term for URLs when `fold_urls` is on.
pub const URL_TERM: &str = "<url>";

/// How much of a text [`other_language`] reads: its first 1,000 bytes (cut at a character
/// boundary), so detection costs the same for a sentence and a book.
pub const LANGUAGE_SAMPLE_BYTES: usize = 1_000;

/// The language of `text` when it is confidently not `expected`, else `None`.
///
/// Detection is whatlang's (trigrams within a script; Stahl's method): a text written mostly in
/// another script than `expected`'s (Cyrillic, Han, Arabic, … for English) is another language
/// whatever its words; within the same script, whatlang's confidence must reach
/// [`MIN_LANGUAGE_CONFIDENCE`] (ordinary French and Spanish sentences score 0.7-0.9, a short
/// Dutch one 0.3; English headlines without function words, such as "Ottawa expels Indian
/// diplomat", often score below 0.2 but not always, so a model also checks its vocabulary
/// before abstaining). For an English model, text with English function words is taken as
/// English without running the detector.
/// Only the first [`LANGUAGE_SAMPLE_BYTES`] bytes are read. Text with no letters returns
/// `None`.
///
/// ```
/// use hawkdove::text::other_language;
/// let eng = whatlang::Lang::Eng;
/// assert_eq!(other_language("Министерство иностранных дел вызвало посла.", eng), Some(whatlang::Lang::Rus));
/// assert_eq!(other_language("The ministry summoned the ambassador on Tuesday.", eng), None);
/// ```
pub fn other_language(text: &str, expected: whatlang::Lang) -> Option<whatlang::Lang> {
    other_language_info(text, expected).map(|(lang, _)| lang)
}

/// [`other_language`] with the script whatlang found the text written in.
pub(crate) fn other_language_info(text: &str, expected: whatlang::Lang) -> Option<(whatlang::Lang, whatlang::Script)> {
    other_language_vouched(text, expected, || false)
}

/// [`other_language_info`], asking `vouch` first, when the text is written mostly in
/// `expected`'s script (Latin), whether other evidence (a model's vocabulary: most of the
/// words are its features) already says it is the expected language; `true` skips the
/// detector. `vouch` is called at most once, and only when the detector would otherwise run.
pub(crate) fn other_language_vouched(
    text: &str,
    expected: whatlang::Lang,
    vouch: impl FnOnce() -> bool,
) -> Option<(whatlang::Lang, whatlang::Script)> {
    let sample = language_sample(text);
    // whatlang costs about 100 µs a sentence, 15 times the scoring: skip it for text that is
    // plainly English (Latin letters, and English function words that Romance, Germanic and
    // Scandinavian languages do not share), and for Latin-script text vouched for.
    if expected == whatlang::Lang::Eng && plainly_english(sample) {
        return None;
    }
    if script_of(expected) == whatlang::Script::Latin && mostly_latin(sample) && vouch() {
        return None;
    }
    let info = whatlang::detect(sample)?;
    if info.lang() == expected {
        return None;
    }
    if info.script() != script_of(expected) || info.is_reliable() || info.confidence() >= MIN_LANGUAGE_CONFIDENCE {
        return Some((info.lang(), info.script()));
    }
    None
}

/// The confidence whatlang must reach to call a text in the expected language's script another
/// language. Low, because a model checks such a call against its own vocabulary before it
/// abstains (a short Dutch sentence scored 0.30).
pub const MIN_LANGUAGE_CONFIDENCE: f64 = 0.2;

/// The first [`LANGUAGE_SAMPLE_BYTES`] bytes of `text`, cut at a character boundary.
pub(crate) fn language_sample(text: &str) -> &str {
    let mut end = text.len().min(LANGUAGE_SAMPLE_BYTES);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

/// At least nine in ten of the letters are Latin (below U+0250), or there are no letters.
fn mostly_latin(sample: &str) -> bool {
    let (mut letters, mut latin) = (0usize, 0usize);
    for c in sample.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        latin += usize::from((c as u32) < 0x250);
    }
    latin * 10 >= letters * 9
}

/// Mostly Latin letters, and at least one word in ten an English function word.
fn plainly_english(sample: &str) -> bool {
    if !mostly_latin(sample) {
        return false;
    }
    let (mut words, mut function) = (0usize, 0usize);
    let mut buf = [0u8; 8];
    for w in sample.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()) {
        words += 1;
        if w.len() > buf.len() {
            continue;
        }
        let lower = &mut buf[..w.len()];
        lower.copy_from_slice(w.as_bytes());
        lower.make_ascii_lowercase();
        // English function words that Romance, Germanic and Scandinavian languages do not
        // share (not "is", "over", "had", "we", "of" (Dutch), "at", "for", "her", "by", "to"
        // (Danish, Norwegian), "he", "has" (Spanish)).
        function += usize::from(matches!(
            &*lower,
            b"about"
                | b"after"
                | b"against"
                | b"and"
                | b"are"
                | b"between"
                | b"but"
                | b"from"
                | b"have"
                | b"his"
                | b"into"
                | b"its"
                | b"not"
                | b"said"
                | b"she"
                | b"than"
                | b"that"
                | b"the"
                | b"their"
                | b"they"
                | b"this"
                | b"were"
                | b"which"
                | b"who"
                | b"with"
                | b"would"
        ));
    }
    function > 0 && function * 10 >= words
}

/// The script a language is written in (the ones whatlang knows; Latin otherwise).
pub(crate) fn script_of(lang: whatlang::Lang) -> whatlang::Script {
    use whatlang::{Lang as L, Script as S};
    match lang {
        L::Rus | L::Ukr | L::Bel | L::Bul | L::Srp | L::Mkd => S::Cyrillic,
        L::Ell => S::Greek,
        L::Ara | L::Pes | L::Urd => S::Arabic,
        L::Heb | L::Yid => S::Hebrew,
        L::Hin | L::Mar | L::Nep => S::Devanagari,
        L::Cmn => S::Mandarin,
        L::Jpn => S::Hiragana,
        L::Kor => S::Hangul,
        L::Tam => S::Tamil,
        L::Tha => S::Thai,
        _ => S::Latin,
    }
}

/// How negation scope is marked. Serializable, so a loaded model negates exactly as it was
/// trained to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct NegationRules {
    /// Single words that open a negation scope (matched on the normalized, unstemmed word).
    /// `n't` contractions are split into `not`, so they need no entry of their own.
    pub words: Vec<String>,
    /// Multi-word negators, such as `refused to`, each a list of words.
    pub phrases: Vec<Vec<String>>,
    /// Words that end a scope, like clause punctuation does (`but`, `however`).
    pub scope_breakers: Vec<String>,
    /// The scope ends after this many tokens even without punctuation (0: no limit).
    pub max_scope: usize,
    /// Double negation: a multi-word negator met inside an open scope closes it instead of
    /// opening a new one, so "did not rule out talks" and "refused to rule out force" leave
    /// `talks` and `force` unnegated, as they mean. Default `true`; a model file written
    /// before this field existed reads as `false`, so it negates as it was trained to.
    #[serde(default)]
    pub double_negation: bool,
}

impl Default for NegationRules {
    fn default() -> Self {
        let words = [
            "not", "no", "never", "nothing", "nobody", "none", "nowhere", "neither", "nor", "without", "cannot",
            "hardly", "barely",
        ];
        let phrases = [
            "refused to",
            "refuse to",
            "refuses to",
            "refusing to",
            "declined to",
            "decline to",
            "declines to",
            "declining to",
            "failed to",
            "fail to",
            "fails to",
            "failing to",
            "hesitate to",
            "hesitated to",
            "hesitates to",
            "hesitating to",
            "stopped short of",
            "stops short of",
            "ruled out",
            "rules out",
            "rule out",
            "ruling out",
            "far from",
        ];
        let breakers = [
            "but",
            "however",
            "although",
            "though",
            "yet",
            "whereas",
            "while",
            "instead",
            "nevertheless",
            "nonetheless",
        ];
        NegationRules {
            words: words.iter().map(|s| s.to_string()).collect(),
            phrases: phrases
                .iter()
                .map(|p| p.split(' ').map(str::to_string).collect())
                .collect(),
            scope_breakers: breakers.iter().map(|s| s.to_string()).collect(),
            max_scope: 0,
            double_negation: true,
        }
    }
}

/// Which stop words to remove.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StopWords {
    /// The built-in English list ([`ENGLISH_STOP_WORDS`]).
    English,
    /// A custom list (matched on the normalized, unstemmed word).
    Custom(Vec<String>),
}

/// Text-stage settings. All fields are data, stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct TextConfig {
    /// Case-fold tokens (default `true`).
    pub lowercase: bool,
    /// Skip HTML tags, decode entities and drop attribute junk (default `true`).
    pub strip_markup: bool,
    /// Replace numbers by [`NUMBER_TERM`] (default `false`).
    pub fold_numbers: bool,
    /// Replace URLs by [`URL_TERM`] (default `true`); when `false` URLs are dropped.
    pub fold_urls: bool,
    /// Split hyphenated compounds (`hard-line` → `hard`, `line`) (default `false`: kept whole).
    pub split_hyphens: bool,
    /// Negation scope marking (default: on, English rules). `None` turns it off.
    pub negation: Option<NegationRules>,
    /// Stop words to remove (default: none).
    pub stop_words: Option<StopWords>,
    /// Snowball stemmer language (default: English; `None` turns stemming off).
    pub stemmer: Option<Language>,
}

impl TextConfig {
    /// Check the lists: each at most [`MAX_LIST_ENTRIES`] entries, negation phrases of at most
    /// [`MAX_NEGATION_PHRASE`] words, no word longer than [`MAX_TOKEN_BYTES`] (it could never
    /// match a token). Matching then costs O(tokens × longest phrase) whatever the lists.
    pub fn validate(&self) -> crate::Result<()> {
        let too_long = |name: &'static str, n: usize| -> crate::Result<()> {
            if n > MAX_LIST_ENTRIES {
                return Err(crate::Error::param(
                    name,
                    n,
                    format!("at most {MAX_LIST_ENTRIES} entries"),
                ));
            }
            Ok(())
        };
        if let Some(StopWords::Custom(list)) = &self.stop_words {
            too_long("stop_words", list.len())?;
        }
        if let Some(rules) = &self.negation {
            too_long("negation.words", rules.words.len())?;
            too_long("negation.phrases", rules.phrases.len())?;
            too_long("negation.scope_breakers", rules.scope_breakers.len())?;
            if let Some(p) = rules.phrases.iter().find(|p| p.len() > MAX_NEGATION_PHRASE) {
                return Err(crate::Error::param(
                    "negation.phrases",
                    p.len(),
                    format!("a phrase has at most {MAX_NEGATION_PHRASE} words"),
                ));
            }
            let words = rules
                .words
                .iter()
                .chain(&rules.scope_breakers)
                .chain(rules.phrases.iter().flatten());
            if let Some(w) = words.into_iter().find(|w| w.len() > MAX_TOKEN_BYTES) {
                return Err(crate::Error::param(
                    "negation",
                    w.len(),
                    format!("a word has at most {MAX_TOKEN_BYTES} bytes"),
                ));
            }
        }
        Ok(())
    }
}

impl Default for TextConfig {
    fn default() -> Self {
        TextConfig {
            lowercase: true,
            strip_markup: true,
            fold_numbers: false,
            fold_urls: true,
            split_hyphens: false,
            negation: Some(NegationRules::default()),
            stop_words: None,
            stemmer: Some(Language::English),
        }
    }
}

/// The kind of a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// A word (letters, possibly digits, hyphens and inner apostrophes).
    Word,
    /// A number such as `1,000` or `3.5`.
    Number,
    /// A URL.
    Url,
}

/// One token of an [`Analysis`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte span in the original text.
    pub span: Range<usize>,
    /// What kind of token it is.
    pub kind: TokenKind,
    /// Inside a negation scope.
    pub negated: bool,
    surface: Range<usize>,
    term: Range<usize>,
}

/// The tokens of one text, with their normalized surface forms and feature terms.
///
/// The strings live in one buffer so that analysing a text makes few allocations; reuse an
/// `Analysis` with [`Analyzer::analyze_into`] to make none at all in steady state.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    buf: String,
    tokens: Vec<Token>,
    truncated: bool,
}

impl Analysis {
    /// The tokens in text order.
    pub fn tokens(&self) -> &[Token] {
        &self.tokens
    }

    /// The normalized surface form of token `i` (case-folded, unstemmed, no negation prefix).
    pub fn surface(&self, i: usize) -> &str {
        self.tokens.get(i).map_or("", |t| &self.buf[t.surface.clone()])
    }

    /// The feature term of token `i` (stemmed, with [`NEGATION_PREFIX`] inside a scope).
    pub fn term(&self, i: usize) -> &str {
        self.tokens.get(i).map_or("", |t| &self.buf[t.term.clone()])
    }

    /// All feature terms in order.
    pub fn terms(&self) -> impl Iterator<Item = &str> + '_ {
        self.tokens.iter().map(|t| &self.buf[t.term.clone()])
    }

    /// Number of tokens.
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// No tokens.
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The text had more than [`MAX_TOKENS_PER_TEXT`] tokens and only the first were kept.
    pub fn truncated(&self) -> bool {
        self.truncated
    }

    fn clear(&mut self) {
        self.buf.clear();
        self.tokens.clear();
        self.truncated = false;
    }
}

/// Where [`Analyzer`] puts the tokens it finds: a full [`Analysis`], or the compact
/// [`Keyed`] form that featurizing needs.
trait TokenSink {
    fn reset(&mut self);
    fn count(&self) -> usize;
    fn mark_truncated(&mut self);
    /// Token `i`'s [`short_word_key`] (0 when it has none) and, when it has none, its surface
    /// (`buf` may hold it).
    fn key_and_surface<'a>(&'a self, i: usize, buf: &'a mut [u8; 16]) -> (u128, &'a str);
    /// Take token `i` out of its negation scope.
    fn unnegate(&mut self, i: usize);
    /// Append a token; `key` is the [`short_word_key`] of `surface` (0 when it has none).
    fn push(
        &mut self,
        span: Range<usize>,
        kind: TokenKind,
        negated: bool,
        surface: &str,
        key: u128,
        stemmer: Option<&CachedStemmer>,
    );
}

impl TokenSink for Analysis {
    fn reset(&mut self) {
        self.clear();
    }

    fn count(&self) -> usize {
        self.tokens.len()
    }

    fn mark_truncated(&mut self) {
        self.truncated = true;
    }

    fn key_and_surface<'a>(&'a self, i: usize, _: &'a mut [u8; 16]) -> (u128, &'a str) {
        let surface = self.surface(i);
        (short_word_key(surface).unwrap_or(0), surface)
    }

    fn unnegate(&mut self, k: usize) {
        let Some(tok) = self.tokens.get_mut(k) else {
            return;
        };
        if !tok.negated {
            return;
        }
        tok.negated = false;
        let term = &self.buf[tok.term.clone()];
        if let Some(rest) = term.strip_prefix(NEGATION_PREFIX) {
            let start = tok.term.start + (term.len() - rest.len());
            tok.term = start..tok.term.end;
        }
    }

    fn push(
        &mut self,
        span: Range<usize>,
        kind: TokenKind,
        negated: bool,
        surface: &str,
        _: u128,
        stemmer: Option<&CachedStemmer>,
    ) {
        let s0 = self.buf.len();
        self.buf.push_str(surface);
        let surface_range = s0..self.buf.len();
        let stem_needed = kind == TokenKind::Word && stemmer.is_some();
        let term = if !negated && !stem_needed {
            surface_range.clone()
        } else {
            let t0 = self.buf.len();
            if negated {
                self.buf.push_str(NEGATION_PREFIX);
            }
            match stemmer {
                Some(st) if stem_needed => st.stem_into(surface, &mut self.buf),
                _ => self.buf.push_str(surface),
            }
            t0..self.buf.len()
        };
        self.tokens.push(Token {
            span,
            kind,
            negated,
            surface: surface_range,
            term,
        });
    }
}

/// `s` packed with its length into a `u128` when it has at most 15 bytes (exact: the length
/// byte tells trailing zero bytes apart, and no key is 0 because the length is at least 1).
#[inline]
pub(crate) fn short_word_key(s: &str) -> Option<u128> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() > 15 {
        return None;
    }
    let mut buf = [0u8; 16];
    buf[..b.len()].copy_from_slice(b);
    buf[15] = b.len() as u8;
    Some(u128::from_le_bytes(buf))
}

/// The tokens of a text as featurizing needs them, without spans or terms: each surface packed
/// into its [`short_word_key`] (0 for the rare surface longer than 15 bytes, kept as a string
/// instead), its kind and whether it is negated. With the scanner's fast path, analysing IMDB
/// reviews this way takes 30% fewer instructions than into an [`Analysis`] without terms did
/// (see docs/performance.md, sixth round).
#[derive(Debug, Clone, Default)]
pub(crate) struct Keyed {
    keys: Vec<u128>,
    /// Bit 0: negated; bits 1–2: the kind (0 word, 1 number, 2 URL).
    meta: Vec<u8>,
    /// Surfaces longer than 15 bytes, with the index of their token, in token order.
    long: String,
    long_at: Vec<(usize, Range<usize>)>,
    truncated: bool,
}

impl Keyed {
    /// Number of tokens.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Every token's surface key (0: longer than 15 bytes).
    pub(crate) fn keys(&self) -> &[u128] {
        &self.keys
    }

    /// The text had more than [`MAX_TOKENS_PER_TEXT`] tokens and only the first were kept.
    pub(crate) fn truncated(&self) -> bool {
        self.truncated
    }

    /// Token `i` is inside a negation scope.
    pub(crate) fn negated(&self, i: usize) -> bool {
        self.meta.get(i).is_some_and(|m| m & 1 != 0)
    }

    /// Token `i`'s kind.
    pub(crate) fn kind(&self, i: usize) -> TokenKind {
        match self.meta.get(i).map_or(0, |m| m >> 1) {
            1 => TokenKind::Number,
            2 => TokenKind::Url,
            _ => TokenKind::Word,
        }
    }

    /// Token `i`'s surface, unpacked into `buf` when it is short.
    pub(crate) fn surface<'a>(&'a self, i: usize, buf: &'a mut [u8; 16]) -> &'a str {
        match self.keys.get(i) {
            Some(&k) if k != 0 => {
                *buf = k.to_le_bytes();
                let n = usize::from(buf[15]).min(15);
                std::str::from_utf8(&buf[..n]).unwrap_or_default()
            }
            Some(_) => self
                .long_at
                .binary_search_by_key(&i, |(t, _)| *t)
                .ok()
                .and_then(|at| self.long_at.get(at))
                .and_then(|(_, r)| self.long.get(r.clone()))
                .unwrap_or_default(),
            None => "",
        }
    }
}

impl TokenSink for Keyed {
    #[inline]
    fn reset(&mut self) {
        self.keys.clear();
        self.meta.clear();
        self.long.clear();
        self.long_at.clear();
        self.truncated = false;
    }

    fn count(&self) -> usize {
        self.keys.len()
    }

    fn mark_truncated(&mut self) {
        self.truncated = true;
    }

    fn key_and_surface<'a>(&'a self, i: usize, buf: &'a mut [u8; 16]) -> (u128, &'a str) {
        match self.keys.get(i) {
            Some(&k) if k != 0 => (k, ""),
            _ => (0, self.surface(i, buf)),
        }
    }

    fn unnegate(&mut self, i: usize) {
        if let Some(m) = self.meta.get_mut(i) {
            *m &= !1;
        }
    }

    #[inline]
    fn push(
        &mut self,
        _: Range<usize>,
        kind: TokenKind,
        negated: bool,
        surface: &str,
        key: u128,
        _: Option<&CachedStemmer>,
    ) {
        if key == 0 {
            let start = self.long.len();
            self.long.push_str(surface);
            self.long_at.push((self.keys.len(), start..self.long.len()));
        }
        self.keys.push(key);
        let kind_bits = match kind {
            TokenKind::Word => 0,
            TokenKind::Number => 1,
            TokenKind::Url => 2,
        };
        self.meta.push(u8::from(negated) | kind_bits << 1);
    }
}

/// A prepared text analyzer. Cheap to share between threads (`Sync`).
#[derive(Debug)]
pub struct Analyzer {
    config: TextConfig,
    stemmer: Option<CachedStemmer>,
    /// One lookup per token: the word's roles, and which phrases end with it, keyed by the
    /// word's [`short_word_key`] (no string hashed or compared)…
    roles: FxHashMap<u128, Role>,
    /// … or by the word itself when it is longer than 15 bytes.
    long_roles: FxHashMap<Box<str>, Role>,
    /// Prefilter of `roles`: bit `min(len, 31)` of entry `first byte` is set when some role
    /// word has that first byte and length, so most words skip the hash lookup.
    role_filter: Box<[u32; 256]>,
    /// Multi-word negators, read backwards from their last word: a trie whose roots are the
    /// last words' [`Role::phrase_root`], so that matching them costs O(longest phrase) per
    /// token whatever the list (100,000 phrases ending in `to` used to be compared at every
    /// `to`: 9.5 s for 20,000 tokens).
    negators: NegatorTrie,
}

/// [`Analyzer`]'s multi-word negators as a trie over their words, last word first.
#[derive(Debug, Default)]
struct NegatorTrie {
    /// Per node, the smallest index (in the configured list) of a phrase that starts here.
    phrase: Vec<Option<u32>>,
    /// Edges `(node, word key)` → node, for words of at most 15 bytes ([`short_word_key`])…
    short: FxHashMap<(u32, u128), u32>,
    /// … and `(node, word)` → node for longer words.
    long: FxHashMap<(u32, Box<str>), u32>,
}

impl NegatorTrie {
    fn add_node(&mut self) -> u32 {
        self.phrase.push(None);
        (self.phrase.len() - 1) as u32
    }

    /// The node after `node` through `word`, made if `make`.
    fn step(&mut self, node: u32, word: &str, make: bool) -> Option<u32> {
        let found = match short_word_key(word) {
            Some(k) => self.short.get(&(node, k)).copied(),
            None => self.long.get(&(node, Box::from(word))).copied(),
        };
        if found.is_some() || !make {
            return found;
        }
        let next = self.add_node();
        match short_word_key(word) {
            Some(k) => self.short.insert((node, k), next),
            None => self.long.insert((node, word.into()), next),
        };
        Some(next)
    }

    /// The node after `node` through a token whose key is `key` (0: none) and surface `word`.
    fn next(&self, node: u32, key: u128, word: &str) -> Option<u32> {
        match key {
            0 => self.long.get(&(node, Box::from(word))).copied(),
            k => self.short.get(&(node, k)).copied(),
        }
    }
}

const ROLE_STOP: u8 = 1;
const ROLE_NEGATOR: u8 = 2;
const ROLE_BREAKER: u8 = 4;
const ROLE_PHRASE_END: u8 = 8;

/// What a word does in analysis: bit flags of [`ROLE_STOP`], [`ROLE_NEGATOR`],
/// [`ROLE_BREAKER`], [`ROLE_PHRASE_END`], and the range of [`Analyzer`]'s phrases that end
/// with it (only those are compared when it is seen: every `to` used to compare all of them).
#[derive(Debug, Clone, Copy, Default)]
struct Role {
    flags: u8,
    /// The node of [`Analyzer`]'s negator trie reached through this word (when it ends a
    /// multi-word negator).
    phrase_root: u32,
}

/// A raw token found by the scanner, before normalization.
struct RawToken {
    span: Range<usize>,
    kind: TokenKind,
    /// Clause punctuation (or a block tag) precedes this token.
    boundary_before: bool,
    /// A piece of a split `n't` contraction (`did` | `n't`).
    contraction: bool,
    /// Only ASCII letters and digits (found by the scanner's fast path).
    plain: bool,
}

impl Analyzer {
    /// Prepare an analyzer for `config`.
    pub fn new(config: &TextConfig) -> Self {
        let stop_words = match &config.stop_words {
            None => FxHashSet::default(),
            Some(StopWords::English) => ENGLISH_STOP_WORDS.iter().map(|s| s.to_string()).collect(),
            Some(StopWords::Custom(list)) => list.iter().cloned().collect(),
        };
        let mut roles: FxHashMap<Box<str>, Role> = FxHashMap::default();
        let mut add = |w: &str, flag: u8| roles.entry(w.into()).or_default().flags |= flag;
        for w in &stop_words {
            add(w, ROLE_STOP);
        }
        let mut negators = NegatorTrie::default();
        if let Some(rules) = &config.negation {
            for w in &rules.words {
                add(w, ROLE_NEGATOR);
            }
            for w in &rules.scope_breakers {
                add(w, ROLE_BREAKER);
            }
            let root = negators.add_node();
            for (index, phrase) in rules.phrases.iter().enumerate().filter(|(_, p)| p.len() > 1) {
                let mut node = root;
                for (k, word) in phrase.iter().rev().enumerate() {
                    let Some(next) = negators.step(node, word, true) else {
                        break;
                    };
                    node = next;
                    if k == 0 {
                        let role = roles.entry(word.as_str().into()).or_default();
                        role.flags |= ROLE_PHRASE_END;
                        role.phrase_root = node;
                    }
                }
                if let Some(p) = negators.phrase.get_mut(node as usize) {
                    p.get_or_insert(index as u32);
                }
            }
        }
        let mut role_filter = Box::new([0u32; 256]);
        for w in roles.keys() {
            if let Some(&b) = w.as_bytes().first() {
                role_filter[usize::from(b)] |= role_filter_bit(w);
            }
        }
        let (mut short_roles, mut long_roles) = (FxHashMap::default(), FxHashMap::default());
        for (w, role) in roles {
            match short_word_key(&w) {
                Some(k) => short_roles.insert(k, role),
                None => long_roles.insert(w, role),
            };
        }
        Analyzer {
            config: config.clone(),
            stemmer: config.stemmer.map(CachedStemmer::new),
            roles: short_roles,
            long_roles,
            role_filter,
            negators,
        }
    }

    /// The configuration this analyzer was built from.
    pub fn config(&self) -> &TextConfig {
        &self.config
    }

    /// Analyze `text` into a fresh [`Analysis`].
    pub fn analyze(&self, text: &str) -> Analysis {
        let mut out = Analysis::default();
        self.analyze_into(text, &mut out);
        out
    }

    /// Analyze `text`, reusing the buffers of `out`.
    pub fn analyze_into(&self, text: &str, out: &mut Analysis) {
        self.analyze_impl(text, out, self.stemmer.as_ref());
    }

    /// The same tokens as [`Analyzer::analyze_into`] in the compact form featurizing needs:
    /// surfaces packed as keys, no spans, no terms ([`Analyzer::term_into`] builds a term on
    /// demand; the featurizer caches it per word).
    pub(crate) fn analyze_keys_into(&self, text: &str, out: &mut Keyed) {
        self.analyze_impl(text, out, None);
    }

    /// Append the feature term of a token with this `surface` and `kind`, inside a negation
    /// scope or not: exactly what [`Analyzer::analyze_into`] would produce.
    pub(crate) fn term_into(&self, surface: &str, kind: TokenKind, negated: bool, out: &mut String) {
        if negated {
            out.push_str(NEGATION_PREFIX);
        }
        match &self.stemmer {
            Some(st) if kind == TokenKind::Word => st.stem_into(surface, out),
            _ => out.push_str(surface),
        }
    }

    fn analyze_impl(&self, text: &str, out: &mut impl TokenSink, stemmer: Option<&CachedStemmer>) {
        out.reset();
        let mut neg_active = false;
        let mut scope_len = 0usize;
        let mut scratch = String::new();
        let max_scope = self.config.negation.as_ref().map_or(0, |r| r.max_scope);
        let double_negation = self.config.negation.as_ref().is_some_and(|r| r.double_negation);
        let lowercase = self.config.lowercase;
        let stop = std::cell::Cell::new(false);
        scan(
            text,
            self.config.strip_markup,
            self.config.split_hyphens,
            &stop,
            |raw| {
                if out.count() >= MAX_TOKENS_PER_TEXT {
                    out.mark_truncated();
                    stop.set(true);
                    return;
                }
                if raw.boundary_before {
                    neg_active = false;
                }
                let original = &text[raw.span.clone()];
                let kind = raw.kind;
                let mut lowered = [0u8; 16];
                let mut key = 0;
                let mut surface: &str = match kind {
                    TokenKind::Url if !self.config.fold_urls => return,
                    TokenKind::Url => URL_TERM,
                    TokenKind::Number if self.config.fold_numbers => NUMBER_TERM,
                    // Most tokens: ASCII letters and digits, lowercased into their key at once.
                    _ if raw.plain && original.len() < 16 => {
                        let lowered_any;
                        (key, lowered_any) =
                            plain_word_key(text.as_bytes(), raw.span.start, original.len(), lowercase, &mut lowered);
                        match lowered_any {
                            false => original,
                            true => std::str::from_utf8(lowered.get(..original.len()).unwrap_or_default())
                                .unwrap_or(original),
                        }
                    }
                    // Most others are already normal: used as they are, without a copy.
                    _ if is_normal_ascii(original, lowercase) => original,
                    _ => {
                        scratch.clear();
                        normalize_into(original, lowercase, &mut scratch);
                        &scratch
                    }
                };
                if raw.contraction {
                    if let Some(fixed) = contraction_surface(surface) {
                        surface = fixed;
                    }
                }
                if surface.is_empty() || surface.len() > MAX_TOKEN_BYTES {
                    return;
                }
                if key == 0 {
                    key = short_word_key(surface).unwrap_or(0);
                }
                let maybe_role = surface
                    .as_bytes()
                    .first()
                    .is_some_and(|&b| self.role_filter[usize::from(b)] & role_filter_bit(surface) != 0);
                let role = match maybe_role {
                    false => Role::default(),
                    true if key != 0 => self.roles.get(&key).copied().unwrap_or_default(),
                    true => self.long_roles.get(surface).copied().unwrap_or_default(),
                };
                if role.flags & ROLE_BREAKER != 0 {
                    neg_active = false;
                }
                // Negators: single words, or the last word of a phrase.
                let mut opens_scope = role.flags & ROLE_NEGATOR != 0;
                if !opens_scope && role.flags & ROLE_PHRASE_END != 0 {
                    // Walk back from this word through the trie; of the phrases that end here,
                    // the first in the configured list wins (its words leave the scope).
                    let seen = out.count();
                    let mut node = role.phrase_root;
                    let mut best: Option<(u32, usize)> = None;
                    let mut buf = [0u8; 16];
                    for start in (0..seen).rev() {
                        let (key, word) = out.key_and_surface(start, &mut buf);
                        let Some(next) = self.negators.next(node, key, word) else {
                            break;
                        };
                        node = next;
                        if let Some(&Some(index)) = self.negators.phrase.get(node as usize) {
                            if best.is_none_or(|(b, _)| index < b) {
                                best = Some((index, start));
                            }
                        }
                    }
                    if let Some((_, start)) = best {
                        // The phrase is the negator, not inside its own scope.
                        for k in start..seen {
                            out.unnegate(k);
                        }
                        // Inside an open scope a phrase negator cancels it ("not rule out").
                        if double_negation && neg_active {
                            neg_active = false;
                        } else {
                            opens_scope = true;
                        }
                    }
                }
                let negated = !opens_scope && neg_active;
                if opens_scope {
                    neg_active = true;
                    scope_len = 0;
                } else if neg_active {
                    scope_len += 1;
                    if max_scope > 0 && scope_len >= max_scope {
                        neg_active = false;
                    }
                }
                if role.flags & ROLE_STOP != 0 {
                    return;
                }
                out.push(raw.span, kind, negated, surface, key, stemmer);
            },
        );
    }
}

/// The [`short_word_key`] of the word of `n` bytes at `start` in `text` (ASCII letters and
/// digits only, at most 15 bytes), lowercased when `lowercase`, with the key's bytes left in
/// `buf`, and whether any letter was lowercased. All sixteen bytes are tested at once: an
/// uppercase letter `b` is a byte where `b + (0x80 − 'A')` has its top bit set and
/// `b + (0x80 − 'Z' − 1)` has not (no carry crosses a byte: every byte is below 0x80), and
/// setting its bit 5 lowercases it.
#[inline]
fn plain_word_key(text: &[u8], start: usize, n: usize, lowercase: bool, buf: &mut [u8; 16]) -> (u128, bool) {
    let n = n.min(15);
    // Where the text goes on far enough, load sixteen bytes and keep the word's (copying `n`
    // bytes is a call to memcpy).
    let mut key = match text.get(start..start + 16).and_then(|b| <[u8; 16]>::try_from(b).ok()) {
        Some(bytes) => u128::from_le_bytes(bytes) & ((1u128 << (8 * n)) - 1),
        None => {
            let mut bytes = [0u8; 16];
            if let (Some(to), Some(from)) = (bytes.get_mut(..n), text.get(start..start + n)) {
                to.copy_from_slice(from);
            }
            u128::from_le_bytes(bytes)
        }
    };
    let mut upper = 0;
    if lowercase {
        const ONES: u128 = u128::from_le_bytes([0x01; 16]);
        const TOPS: u128 = ONES << 7;
        let at_least_a = key.wrapping_add(ONES * (0x80 - u128::from(b'A')));
        let above_z = key.wrapping_add(ONES * (0x80 - u128::from(b'Z') - 1));
        upper = (at_least_a & !above_z & TOPS) >> 2;
        key |= upper;
    }
    key |= (n as u128) << 120;
    *buf = key.to_le_bytes();
    (key, upper != 0)
}

/// The bit of a word's length in [`Analyzer`]'s role prefilter.
#[inline]
fn role_filter_bit(word: &str) -> u32 {
    1 << word.len().min(31)
}

/// Fold typographic apostrophes, quotes and hyphens to ASCII.
fn fold_char(c: char) -> char {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{02BC}' | '`' | '\u{00B4}' => '\'',
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{2033}' | '\u{00AB}' | '\u{00BB}' => '"',
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2212}' | '\u{FE63}' | '\u{FF0D}' => '-',
        _ => c,
    }
}

/// `original` is ASCII with nothing to fold or case-fold: [`normalize_into`] would copy it as
/// it is.
#[inline]
fn is_normal_ascii(original: &str, lowercase: bool) -> bool {
    original
        .bytes()
        .all(|b| b.is_ascii() && b != b'`' && !(lowercase && b.is_ascii_uppercase()))
}

/// Normalize one token: NFKC (only when non-ASCII), typographic folding, case folding.
fn normalize_into(original: &str, lowercase: bool, out: &mut String) {
    if original.is_ascii() {
        // Fast path: ASCII words with nothing to fold or lowercase are copied as they are.
        let needs_work = original
            .bytes()
            .any(|b| b == b'`' || (lowercase && b.is_ascii_uppercase()));
        if !needs_work {
            out.push_str(original);
            return;
        }
        for b in original.bytes() {
            let c = if lowercase { b.to_ascii_lowercase() } else { b };
            out.push(fold_char(c as char));
        }
        return;
    }
    for c in original.nfkc() {
        let c = fold_char(c);
        if c == '\u{ad}' || c.is_whitespace() || c.is_control() {
            continue;
        }
        if lowercase {
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '\u{2019}' | '\u{2018}' | '\u{02BC}' | '\u{2032}')
}

fn is_joining_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}')
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        // Skips is_combining_mark's perfect-hash lookup for spaces and punctuation (perf: 6% of
        // analysis time on IMDB, one lookup per word end).
        return c.is_ascii_alphanumeric();
    }
    c.is_alphanumeric() || is_combining_mark(c) || c == '\u{ad}'
}

/// Characters of scripts written without spaces: each becomes a token of its own.
fn is_unspaced_script(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FFFF | 0x0E00..=0x0E7F)
}

fn is_clause_boundary(c: char) -> bool {
    matches!(
        c,
        '.' | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '('
            | ')'
            | '['
            | ']'
            | '\u{2014}'
            | '\u{2013}'
            | '\u{2026}'
            | '\u{3002}'
            | '\u{FF0C}'
            | '\u{FF1B}'
            | '\u{FF1A}'
            | '\u{FF01}'
            | '\u{FF1F}'
            | '\u{060C}'
            | '\u{061B}'
            | '\u{061F}'
    )
}

/// Character at byte `i` with entity decoding: (char, byte after it).
#[inline(always)]
fn char_at(text: &str, i: usize, strip_markup: bool) -> Option<(char, usize)> {
    let b = *text.as_bytes().get(i)?;
    if b < 0x80 && b != b'&' {
        return Some((b as char, i + 1));
    }
    let c = text.get(i..)?.chars().next()?;
    if strip_markup && c == '&' {
        if let Some(decoded) = markup::entity(text, i) {
            return Some(decoded);
        }
    }
    Some((c, i + c.len_utf8()))
}

fn starts_with_ignore_ascii_case(text: &str, i: usize, prefix: &str) -> bool {
    text.as_bytes()
        .get(i..i + prefix.len())
        .is_some_and(|s| s.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// Scan the original text and report raw tokens in order.
fn scan(text: &str, strip_markup: bool, split_hyphens: bool, stop: &std::cell::Cell<bool>, emit: impl FnMut(RawToken)) {
    scan_impl(text, strip_markup, split_hyphens, stop, true, emit);
}

/// The raw tokens of `text` as (span, kind, boundary before, contraction piece), with or
/// without [`scan`]'s fast path (tests compare the two).
#[cfg(test)]
fn raw_tokens(
    text: &str,
    strip_markup: bool,
    split_hyphens: bool,
    fast_path: bool,
) -> Vec<(Range<usize>, TokenKind, bool, bool)> {
    let mut out = Vec::new();
    let stop = std::cell::Cell::new(false);
    scan_impl(text, strip_markup, split_hyphens, &stop, fast_path, |t| {
        out.push((t.span, t.kind, t.boundary_before, t.contraction));
    });
    out
}

fn scan_impl(
    text: &str,
    strip_markup: bool,
    split_hyphens: bool,
    stop: &std::cell::Cell<bool>,
    fast_path: bool,
    mut emit: impl FnMut(RawToken),
) {
    let mut i = 0;
    let mut boundary = false;
    // An attribute remnant needs `="` or `='`: without one in the text, no word start needs the
    // check (it rescans the word: a quarter of analysis time on IMDB when done everywhere).
    let junk_possible = strip_markup && has_attribute_quote(text);
    let bytes = text.as_bytes();
    let mut closers = markup::Closers::default();
    while i < text.len() && !stop.get() {
        // Fast path: whitespace, or a word of ASCII letters and digits with a plain end — what
        // the general branches below decide for them, without decoding a character.
        match bytes.get(i).filter(|_| fast_path) {
            Some(b' ' | b'\n' | b'\t' | b'\r') => {
                i += 1;
                continue;
            }
            Some(b) if b.is_ascii_alphanumeric() && !junk_possible && !is_url_start(text, i) => {
                let (mut end, mut classes) = (i, ASCII_ALNUM | ASCII_DIGIT);
                while let Some(class) = bytes.get(end).map(|&c| ASCII_CLASS[usize::from(c)]) {
                    if class & ASCII_ALNUM == 0 {
                        break;
                    }
                    classes &= class;
                    end += 1;
                }
                let digits = classes & ASCII_DIGIT != 0;
                let run = end - i;
                if is_plain_word_end(bytes.get(end).copied(), run, digits) {
                    emit(RawToken {
                        span: i..end,
                        kind: if digits { TokenKind::Number } else { TokenKind::Word },
                        boundary_before: std::mem::take(&mut boundary),
                        contraction: false,
                        plain: true,
                    });
                    i = end;
                    continue;
                }
            }
            _ => {}
        }
        let Some((c, next)) = char_at(text, i, strip_markup) else {
            break;
        };
        if strip_markup && c == '<' && text.as_bytes().get(i) == Some(&b'<') {
            if let Some(end) = markup::tag_end(text, i, &mut closers) {
                boundary = true;
                i = end;
                continue;
            }
        }
        if c.is_alphanumeric() {
            if junk_possible {
                if let Some(end) = markup::junk_attribute_end(text, i) {
                    i = end;
                    continue;
                }
            }
            if is_url_start(text, i) {
                let end = url_end(text, i);
                emit(RawToken {
                    span: i..end,
                    kind: TokenKind::Url,
                    boundary_before: std::mem::take(&mut boundary),
                    contraction: false,
                    plain: false,
                });
                i = end;
                continue;
            }
            if !c.is_ascii() && is_unspaced_script(c) {
                emit(RawToken {
                    span: i..next,
                    kind: TokenKind::Word,
                    boundary_before: std::mem::take(&mut boundary),
                    contraction: false,
                    plain: false,
                });
                i = next;
                continue;
            }
            i = scan_word(text, i, strip_markup, split_hyphens, &mut boundary, &mut emit);
            continue;
        }
        if is_clause_boundary(c) {
            boundary = true;
        }
        i = next;
    }
}

/// [`ASCII_CLASS`] bit of the ASCII letters and digits.
const ASCII_ALNUM: u8 = 1;
/// [`ASCII_CLASS`] bit of the ASCII digits.
const ASCII_DIGIT: u8 = 2;
/// Class bits of every byte, so that the scanner's fast path tests a byte with one load (its two
/// range tests per byte were about a tenth of scoring's instructions in callgrind).
static ASCII_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() {
            table[b] = ASCII_ALNUM;
        }
        if c.is_ascii_digit() {
            table[b] |= ASCII_DIGIT;
        }
        b += 1;
    }
    table
};

/// A URL starts at byte `i`.
#[inline(always)]
fn is_url_start(text: &str, i: usize) -> bool {
    matches!(text.as_bytes().get(i), Some(b'h' | b'H' | b'w' | b'W'))
        && (starts_with_ignore_ascii_case(text, i, "http://")
            || starts_with_ignore_ascii_case(text, i, "https://")
            || starts_with_ignore_ascii_case(text, i, "www."))
}

/// A run of `run` ASCII letters and digits (`digits`: digits only) followed by `next` is a
/// whole word: [`scan_word`] would stop there. A non-ASCII character may continue the word, an
/// apostrophe or hyphen may join another, `&` may start an entity that decodes to a letter, a
/// number goes on through `.` or `,` before a digit, and a single letter through `.` may start
/// an acronym (`U.S.`); all of those take the general path.
#[inline]
fn is_plain_word_end(next: Option<u8>, run: usize, digits: bool) -> bool {
    match next {
        None => true,
        Some(b) if !b.is_ascii() => false,
        Some(b'\'' | b'-' | b'&') => false,
        Some(b',') => !digits,
        Some(b'.') => !digits && run >= 2,
        Some(_) => true,
    }
}

/// Whether `text` holds `="` or `='` (memchr for the `=`: two substring searches were 2% of
/// scoring short texts).
fn has_attribute_quote(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'=', bytes).any(|i| matches!(bytes.get(i + 1), Some(b'"' | b'\'')))
}

fn url_end(text: &str, start: usize) -> usize {
    let mut end = start;
    for (off, c) in text[start..].char_indices() {
        if c.is_whitespace() || matches!(c, '<' | '>' | '"' | '\u{201C}' | '\u{201D}') {
            break;
        }
        end = start + off + c.len_utf8();
    }
    // Trailing punctuation belongs to the sentence, not the URL.
    while end > start {
        let Some(last) = text[start..end].chars().next_back() else {
            break;
        };
        if matches!(last, '.' | ',' | ';' | ':' | '!' | '?' | ')' | ']' | '\'') {
            end -= last.len_utf8();
        } else {
            break;
        }
    }
    end.max(start + 1).min(text.len())
}

/// Scan a word starting at `start`, emit its token(s) and return the byte after it.
fn scan_word(
    text: &str,
    start: usize,
    strip_markup: bool,
    split_hyphens: bool,
    boundary: &mut bool,
    emit: &mut impl FnMut(RawToken),
) -> usize {
    // Pieces: (start, end) of chars in the original, with a marker for joiners.
    let mut i = start;
    let mut end = start;
    let mut all_digits = true;
    let mut hyphen_parts: Vec<Range<usize>> = Vec::new();
    let mut part_start = start;
    let mut apostrophe_at: Option<(usize, usize)> = None; // (byte of apostrophe, byte after)
    let mut single_letter_run = true; // for acronyms like U.S.
    let mut letters_in_part = 0usize;
    let bytes = text.as_bytes();
    loop {
        // Fast path: a run of ASCII letters and digits (what the general branch below does,
        // one byte at a time without decoding).
        let run = bytes
            .get(i..)
            .map_or(0, |rest| rest.iter().take_while(|b| b.is_ascii_alphanumeric()).count());
        if run > 0 {
            if all_digits && bytes[i..i + run].iter().any(|b| !b.is_ascii_digit()) {
                all_digits = false;
            }
            letters_in_part += run;
            i += run;
            end = i;
        }
        let Some((c, next)) = char_at(text, i, strip_markup) else {
            break;
        };
        // An ASCII character that is not a letter, a digit or one of these four ends the word
        // (what the general checks below decide, without decoding the character after it). A
        // decoded entity can still be a letter: `&#97;`.
        if c.is_ascii() && !c.is_ascii_alphanumeric() && !matches!(c, '\'' | '-' | '.' | ',') {
            break;
        }
        if is_word_char(c) && !is_unspaced_script(c) {
            if !c.is_numeric() {
                all_digits = false;
            }
            letters_in_part += 1;
            end = next;
            i = next;
            continue;
        }
        let following = char_at(text, next, strip_markup);
        let next_is_word = following.is_some_and(|(f, _)| f.is_alphanumeric() && !is_unspaced_script(f));
        if is_apostrophe(c) && next_is_word {
            apostrophe_at = Some((i, next));
            single_letter_run = false;
            end = next;
            i = next;
            continue;
        }
        if is_joining_hyphen(c) && next_is_word {
            hyphen_parts.push(part_start..end);
            part_start = next;
            single_letter_run = false;
            all_digits = false;
            end = next;
            i = next;
            continue;
        }
        if (c == '.' || c == ',') && all_digits && following.is_some_and(|(f, _)| f.is_ascii_digit()) {
            end = next;
            i = next;
            continue;
        }
        if c == '.' && single_letter_run && letters_in_part == 1 && !all_digits && hyphen_parts.is_empty() {
            // Acronym such as U.S. or U.N.: letter '.' letter '.' …
            let after = following.map(|(f, _)| f);
            let two_after = following.and_then(|(_, n2)| char_at(text, n2, strip_markup));
            let continues = after.is_some_and(char::is_alphabetic) && two_after.is_some_and(|(t, _)| t == '.');
            let already = text[start..end].contains('.');
            if continues || already {
                letters_in_part = 0;
                end = next;
                i = next;
                continue;
            }
        }
        break;
    }
    let kind = if all_digits { TokenKind::Number } else { TokenKind::Word };
    let boundary_before = std::mem::take(boundary);

    // Contractions: "didn't" → "did" + "not"; possessive and other clitics are dropped.
    if let Some((apo, after_apo)) = apostrophe_at {
        if hyphen_parts.is_empty() {
            let suffix = text[after_apo..end].to_ascii_lowercase();
            let base_end = apo;
            if suffix == "t" && text[start..base_end].to_ascii_lowercase().ends_with('n') && base_end - start > 1 {
                // split "n't"
                let n_pos = base_end - 1;
                emit(RawToken {
                    span: start..n_pos,
                    kind,
                    boundary_before,
                    contraction: true,
                    plain: false,
                });
                emit(RawToken {
                    span: n_pos..end,
                    kind: TokenKind::Word,
                    boundary_before: false,
                    contraction: true,
                    plain: false,
                });
                return end;
            }
            if matches!(suffix.as_str(), "s" | "re" | "ve" | "ll" | "d" | "m") {
                emit(RawToken {
                    span: start..base_end,
                    kind,
                    boundary_before,
                    contraction: false,
                    plain: false,
                });
                return end;
            }
        }
    }
    if split_hyphens && !hyphen_parts.is_empty() {
        hyphen_parts.push(part_start..end);
        let mut first = true;
        for part in hyphen_parts {
            if part.is_empty() {
                continue;
            }
            emit(RawToken {
                span: part,
                kind: TokenKind::Word,
                boundary_before: first && boundary_before,
                contraction: false,
                plain: false,
            });
            first = false;
        }
        return end;
    }
    emit(RawToken {
        span: start..end,
        kind,
        boundary_before,
        contraction: false,
        plain: false,
    });
    end
}

/// Normalize and fix up the surface form of a contraction piece ("n't" → "not", "ca" → "can"),
/// whatever its case.
fn contraction_surface(s: &str) -> Option<&'static str> {
    const FIXES: [(&str, &str); 6] = [
        ("n't", "not"),
        ("n'", "not"),
        ("nt", "not"),
        ("ca", "can"),
        ("wo", "will"),
        ("sha", "shall"),
    ];
    if s.is_ascii() {
        FIXES
            .iter()
            .find(|(from, _)| s.eq_ignore_ascii_case(from))
            .map(|&(_, to)| to)
    } else {
        let lower = s.to_lowercase();
        FIXES.iter().find(|(from, _)| lower == *from).map(|&(_, to)| to)
    }
}

#[cfg(test)]
mod tests;
