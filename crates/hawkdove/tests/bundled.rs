#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! The bundled corpus meets its written quality rules, and the bundled models are exactly what
//! the committed training command produces from it.

use std::collections::{HashMap, HashSet};

use hawkdove::bundled::{self, Axis, STANCE_LABELS};
use hawkdove::Model;

fn shingles(words: &[String], n: usize) -> HashSet<String> {
    words.windows(n).map(|w| w.join(" ")).collect()
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The passage with names, places and numbers masked: templated sentences that swap names
/// collapse to the same skeleton.
fn skeleton(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric() && c != '\'')
        .filter(|w| !w.is_empty())
        .map(|w| {
            if w.chars().next().is_some_and(|c| c.is_uppercase() || c.is_numeric()) {
                "X".to_string()
            } else {
                w.to_lowercase()
            }
        })
        .collect()
}

/// Largest Jaccard similarity of n-gram shingle sets over all pairs, via an inverted index.
fn max_pair_similarity(sets: &[HashSet<String>]) -> (f64, usize, usize) {
    let mut index: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, s) in sets.iter().enumerate() {
        for g in s {
            index.entry(g.as_str()).or_default().push(i);
        }
    }
    let mut shared: HashMap<(usize, usize), usize> = HashMap::new();
    for ids in index.values() {
        if ids.len() > 50 {
            continue; // a very common phrase; it cannot make a pair similar on its own
        }
        for (a, &i) in ids.iter().enumerate() {
            for &j in &ids[a + 1..] {
                *shared.entry((i, j)).or_default() += 1;
            }
        }
    }
    let mut best = (0.0, 0, 0);
    for ((i, j), n) in shared {
        let union = sets[i].len() + sets[j].len() - n;
        let jac = n as f64 / union.max(1) as f64;
        if jac > best.0 {
            best = (jac, i, j);
        }
    }
    best
}

#[test]
fn corpus_quality_rules_hold() {
    let c = bundled::corpus().expect("corpus");
    assert!(c.len() >= 2000, "{} passages", c.len());
    let ids: HashSet<&str> = c.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids.len(), c.len(), "duplicate ids");
    // Balance: every stance class well represented.
    for label in STANCE_LABELS {
        let share = c.iter().filter(|p| p.stance == label).count() as f64 / c.len() as f64;
        assert!(share > 0.28, "{label}: {share}");
    }
    // Length: 1-3 sentences, 15-90 words, realistic words per sentence on average.
    let mut sentence_lengths = Vec::new();
    for p in &c {
        let n = p.text.split_whitespace().count();
        assert!((15..=90).contains(&n), "{}: {n} words", p.id);
        let sentences = hawkdove::document::segment(&p.text);
        assert!(
            (1..=4).contains(&sentences.len()),
            "{}: {} sentences",
            p.id,
            sentences.len()
        );
        sentence_lengths.push(n as f64 / sentences.len() as f64);
    }
    let mean = sentence_lengths.iter().sum::<f64>() / sentence_lengths.len() as f64;
    assert!((15.0..=40.0).contains(&mean), "mean words per sentence {mean}");
    // No near-duplicates: word 5-gram Jaccard.
    let sets: Vec<HashSet<String>> = c.iter().map(|p| shingles(&words(&p.text), 5)).collect();
    let (jac, i, j) = max_pair_similarity(&sets);
    assert!(jac <= 0.3, "near-duplicates {} / {}: {jac:.2}", c[i].id, c[j].id);
    // No templates: with names and numbers masked, no two passages share most of their shape.
    let skel: Vec<HashSet<String>> = c.iter().map(|p| shingles(&skeleton(&p.text), 4)).collect();
    let (jac, i, j) = max_pair_similarity(&skel);
    assert!(jac <= 0.5, "templated pair {} / {}: {jac:.2}", c[i].id, c[j].id);
}

#[test]
fn near_duplicate_check_catches_a_swapped_name_template() {
    let a = "Officials in Ruritania said on Monday that the sanctions against Freedonia would stay in place until talks resume.";
    let b = "Officials in Elbonia said on Monday that the sanctions against Latveria would stay in place until talks resume.";
    let sets: Vec<HashSet<String>> = [a, b].iter().map(|t| shingles(&skeleton(t), 4)).collect();
    assert!(max_pair_similarity(&sets).0 > 0.9);
}

#[test]
fn bundled_models_load_and_point_the_right_way() {
    let stance = Model::bundled_stance().expect("stance");
    let sentiment = Model::bundled_sentiment().expect("sentiment");
    assert_eq!(stance.poles(), ("conciliatory", "hard-line"));
    assert_eq!(sentiment.poles(), ("negative", "positive"));
    let hard = stance.predict(
        "The government froze the central bank's assets and expelled twelve diplomats, warning of further retaliation.",
    );
    let soft = stance
        .predict("Both sides agreed to resume talks in Oman and to ease restrictions on trade as a goodwill gesture.");
    assert!(hard.score > 0.3, "{hard:?}");
    assert!(soft.score < -0.3, "{soft:?}");
    let neg = sentiment.predict("The ceasefire collapsed amid heavy shelling that killed dozens of civilians.");
    let pos = sentiment.predict("Negotiators hailed a breakthrough as the two leaders signed a historic peace accord.");
    assert!(neg.score < 0.0 && pos.score > 0.0, "{neg:?} {pos:?}");
}

/// The committed model files equal a fresh run of the training command, so they cannot go
/// stale: retrain with `cargo run --release --example train_bundled` after changing the
/// corpus, the lexicon, the parameters or the crate version.
#[test]
fn bundled_models_are_fresh() {
    for (axis, committed, name) in [
        (Axis::Stance, bundled::STANCE_MODEL, "stance"),
        (Axis::Sentiment, bundled::SENTIMENT_MODEL, "sentiment"),
    ] {
        let fresh = bundled::train(axis).expect("train").to_bytes().expect("bytes");
        assert!(
            fresh == committed,
            "models/{name}.json is stale: run `cargo run --release --example train_bundled`"
        );
    }
}
