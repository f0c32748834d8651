#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! Property tests: tokenizing, featurizing, predicting and explaining arbitrary Unicode never
//! panics, and token spans always lie on char boundaries inside the text.

use hawkdove::text::{Analyzer, TextConfig};
use hawkdove::{FeatureSpace, Featurizer, FeaturizerConfig, Model, ModelParams};
use proptest::prelude::*;
use std::sync::OnceLock;

fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| {
        let texts = [
            "imposed sanctions and froze assets",
            "threatened retaliation, didn't rule out force",
            "welcomed talks and eased sanctions",
            "agreed to a ceasefire and resumed dialogue",
        ];
        let labels = ["hard-line", "hard-line", "conciliatory", "conciliatory"];
        let params = ModelParams {
            featurizer: FeaturizerConfig {
                char_ngrams: Some((2, 4)),
                ..FeaturizerConfig::default()
            },
            ..ModelParams::default()
        };
        Model::train(&texts, &labels, &params).expect("train")
    })
}

/// Arbitrary text biased toward the characters that make tokenizers fail: markup, entities,
/// apostrophes, hyphens, digits, combining marks, RTL, CJK, emoji, controls.
fn tricky_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        any::<char>().prop_map(|c| c.to_string()),
        Just("<p class=\"x\">".to_string()),
        Just("&amp;".to_string()),
        Just("&#8217;".to_string()),
        Just("&#x1F600;".to_string()),
        Just("&".to_string()),
        Just("<".to_string()),
        Just("n't".to_string()),
        Just("’".to_string()),
        Just("-".to_string()),
        Just("U.S.".to_string()),
        Just("3.5".to_string()),
        Just("https://x.org/a?b=1".to_string()),
        Just("srcset=\"a 1w\"".to_string()),
        Just("e\u{301}".to_string()),
        Just("שלום".to_string()),
        Just("中国".to_string()),
        Just("\u{0}".to_string()),
        Just(" ".to_string()),
        Just("not".to_string()),
        Just("refused to".to_string()),
        "[a-z]{1,8}".prop_map(|s| s),
    ];
    prop::collection::vec(pieces, 0..40).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    #[test]
    fn tokenizing_never_panics_and_spans_are_valid(text in tricky_text()) {
        for config in [
            TextConfig::default(),
            TextConfig { split_hyphens: true, fold_numbers: true, fold_urls: false, stemmer: None, ..TextConfig::default() },
        ] {
            let a = Analyzer::new(&config).analyze(&text);
            for (i, tok) in a.tokens().iter().enumerate() {
                prop_assert!(tok.span.start < tok.span.end);
                prop_assert!(tok.span.end <= text.len());
                prop_assert!(text.is_char_boundary(tok.span.start) && text.is_char_boundary(tok.span.end));
                prop_assert!(!a.term(i).is_empty());
            }
        }
    }

    #[test]
    fn arbitrary_unicode_never_panics(text in "\\PC*") {
        let a = Analyzer::new(&TextConfig::default()).analyze(&text);
        for tok in a.tokens() {
            prop_assert!(text.is_char_boundary(tok.span.start) && text.is_char_boundary(tok.span.end));
        }
        let p = model().predict(&text);
        prop_assert!(p.score.is_finite() && (-1.0..=1.0).contains(&p.score));
        let e = model().explain(&text);
        for t in &e.tokens {
            prop_assert_eq!(&text[t.span.clone()], t.text.as_str());
        }
    }

    #[test]
    fn featurizing_and_training_on_arbitrary_text_gives_ok_or_typed_error(
        texts in prop::collection::vec(tricky_text(), 1..8),
        bits in prop::option::of(1u32..12),
    ) {
        let labels: Vec<&str> = (0..texts.len()).map(|i| if i % 2 == 0 { "a" } else { "b" }).collect();
        let mut params = ModelParams::default();
        if let Some(bits) = bits {
            params.featurizer.space = FeatureSpace::Hashing { bits, seed: 1 };
        }
        match Featurizer::fit_transform(&params.featurizer, &texts) {
            Ok((f, x)) => {
                prop_assert_eq!(x.nrows(), texts.len());
                let again = f.transform(&texts);
                prop_assert_eq!(again, x);
            }
            Err(e) => {
                let typed = matches!(e, hawkdove::Error::EmptyVocabulary { .. });
                prop_assert!(typed, "unexpected error {:?}", e);
            }
        }
        let _ = Model::train(&texts, &labels, &params);
    }
}
