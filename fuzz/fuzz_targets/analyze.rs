//! The analyzer and featurizer on arbitrary text: a small model (word and character n-grams,
//! negation, the bundled stance lexicon) trained once, then the fuzzed text featurized, scored
//! and explained. Nothing may panic, and the explanation's spans must lie on the text's
//! character boundaries.
#![no_main]

use std::sync::OnceLock;

use hawkdove::features::Lexicon;
use hawkdove::{Model, ModelParams};
use libfuzzer_sys::fuzz_target;

fn model() -> Option<&'static Model> {
    static MODEL: OnceLock<Option<Model>> = OnceLock::new();
    MODEL
        .get_or_init(|| {
            let texts = [
                "The government imposed sweeping sanctions and threatened military action.",
                "Both sides agreed to resume talks and ease restrictions on trade.",
                "Officials did not condemn the strikes; they called for restraint.",
                "The alliance vowed a swift and forceful response to the incursion.",
                "Diplomats welcomed the ceasefire and praised the mediators.",
                "The ministry refused any compromise on the disputed islands.",
            ];
            let labels = ["hard", "soft", "soft", "hard", "soft", "hard"];
            let mut params = ModelParams::default();
            params.featurizer.word_ngrams = (1, 2);
            params.featurizer.char_ngrams = Some((2, 4));
            params.featurizer.lexicon = Lexicon::parse(hawkdove::bundled::STANCE_LEXICON).ok();
            Model::train(&texts, &labels, &params).ok()
        })
        .as_ref()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Some(model) = model() else { return };
    let _ = model.featurizer().transform(&[text.as_ref()]);
    let _ = model.predict(&text);
    let e = model.explain(&text);
    for t in &e.tokens {
        assert!(text.is_char_boundary(t.span.start) && text.is_char_boundary(t.span.end));
        assert!(t.span.start <= t.span.end && t.span.end <= text.len());
    }
});
