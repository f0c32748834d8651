//! Stemming with rust-stemmers (Snowball), behind a per-thread memo cache.
//!
//! Stemming is the slowest step of the pipeline when done naively (DESIGN.md: 15.6 MB/s
//! uncached, 76.5 MB/s cached), and natural text repeats its words, so every worker thread keeps
//! a bounded map from word to stem. The cache is cleared whenever it grows past
//! [`STEM_CACHE_CAPACITY`] entries, so memory stays bounded on adversarial input.

use rust_stemmers::{Algorithm, Stemmer};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

/// Most entries a thread's stem cache holds before it is cleared.
pub const STEM_CACHE_CAPACITY: usize = 200_000;

/// Words longer than this (in bytes) are not stemmed (they are rarely words).
const MAX_STEM_BYTES: usize = 64;

/// The languages rust-stemmers supports. Serialised by name (`"english"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)]
pub enum Language {
    Arabic,
    Danish,
    Dutch,
    English,
    Finnish,
    French,
    German,
    Greek,
    Hungarian,
    Italian,
    Norwegian,
    Portuguese,
    Romanian,
    Russian,
    Spanish,
    Swedish,
    Tamil,
    Turkish,
}

impl Language {
    /// Every supported language.
    pub const ALL: [Language; 18] = [
        Language::Arabic,
        Language::Danish,
        Language::Dutch,
        Language::English,
        Language::Finnish,
        Language::French,
        Language::German,
        Language::Greek,
        Language::Hungarian,
        Language::Italian,
        Language::Norwegian,
        Language::Portuguese,
        Language::Romanian,
        Language::Russian,
        Language::Spanish,
        Language::Swedish,
        Language::Tamil,
        Language::Turkish,
    ];

    fn algorithm(self) -> Algorithm {
        match self {
            Language::Arabic => Algorithm::Arabic,
            Language::Danish => Algorithm::Danish,
            Language::Dutch => Algorithm::Dutch,
            Language::English => Algorithm::English,
            Language::Finnish => Algorithm::Finnish,
            Language::French => Algorithm::French,
            Language::German => Algorithm::German,
            Language::Greek => Algorithm::Greek,
            Language::Hungarian => Algorithm::Hungarian,
            Language::Italian => Algorithm::Italian,
            Language::Norwegian => Algorithm::Norwegian,
            Language::Portuguese => Algorithm::Portuguese,
            Language::Romanian => Algorithm::Romanian,
            Language::Russian => Algorithm::Russian,
            Language::Spanish => Algorithm::Spanish,
            Language::Swedish => Algorithm::Swedish,
            Language::Tamil => Algorithm::Tamil,
            Language::Turkish => Algorithm::Turkish,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

thread_local! {
    static CACHES: RefCell<Vec<FxHashMap<Box<str>, Box<str>>>> = RefCell::new(
        (0..Language::ALL.len()).map(|_| FxHashMap::default()).collect()
    );
}

/// A Snowball stemmer for one language with a per-thread cache.
pub(crate) struct CachedStemmer {
    language: Language,
    stemmer: Stemmer,
}

impl std::fmt::Debug for CachedStemmer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CachedStemmer")
            .field("language", &self.language)
            .finish()
    }
}

impl CachedStemmer {
    pub(crate) fn new(language: Language) -> Self {
        CachedStemmer {
            language,
            stemmer: Stemmer::create(language.algorithm()),
        }
    }

    /// Append the stem of `word` to `out`.
    pub(crate) fn stem_into(&self, word: &str, out: &mut String) {
        if word.len() > MAX_STEM_BYTES || !word.chars().any(char::is_alphabetic) {
            out.push_str(word);
            return;
        }
        CACHES.with(|caches| {
            let mut caches = caches.borrow_mut();
            let Some(cache) = caches.get_mut(self.language.index()) else {
                out.push_str(&self.stemmer.stem(word));
                return;
            };
            if let Some(stem) = cache.get(word) {
                out.push_str(stem);
                return;
            }
            let stem = self.stemmer.stem(word);
            out.push_str(&stem);
            if cache.len() >= STEM_CACHE_CAPACITY {
                cache.clear();
            }
            cache.insert(word.into(), stem.as_ref().into());
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_stems_and_cache_agree() {
        let s = CachedStemmer::new(Language::English);
        for _ in 0..2 {
            let mut out = String::new();
            s.stem_into("sanctions", &mut out);
            out.push(' ');
            s.stem_into("condemned", &mut out);
            assert_eq!(out, "sanction condemn");
        }
    }

    #[test]
    fn every_language_stems_something() {
        for lang in Language::ALL {
            let s = CachedStemmer::new(lang);
            let mut out = String::new();
            s.stem_into("négociations", &mut out);
            assert!(!out.is_empty(), "{lang:?}");
        }
    }

    #[test]
    fn language_names_serialize_lowercase() {
        assert_eq!(
            serde_json::to_string(&Language::English).unwrap_or_default(),
            "\"english\""
        );
    }
}
