#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! Hostile input, corrupt files, concurrency and reproducibility (issue: robustness).
//! Every case states the expected error type or behaviour.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use hawkdove::document::{DocumentOptions, MAX_PASSAGE_BYTES};
use hawkdove::features::{DocFrequency, Lexicon};
use hawkdove::score::Calibration;
use hawkdove::text::MAX_TOKENS_PER_TEXT;
use hawkdove::{ClassWeight, Error, FeatureSpace, FeaturizerConfig, LogisticParams, Model, ModelParams};
use proptest::prelude::*;

fn small_corpus() -> (Vec<String>, Vec<String>) {
    let c = hawkdove::bundled::corpus().expect("corpus");
    let picked: Vec<_> = c.iter().step_by(10).collect();
    (
        picked.iter().map(|p| p.text.clone()).collect(),
        picked.iter().map(|p| p.stance.clone()).collect(),
    )
}

fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| Model::bundled_stance().expect("bundled"))
}

#[derive(Debug)]
enum Expect {
    Ok,
    InvalidParameter,
    EmptyTrainingSet,
    LengthMismatch,
    SingleClass,
    UnknownLabel,
    EmptyVocabulary,
}

fn check(name: &str, got: Result<Model, Error>, want: Expect) {
    let ok = matches!(
        (&got, &want),
        (Ok(_), Expect::Ok)
            | (Err(Error::InvalidParameter { .. }), Expect::InvalidParameter)
            | (Err(Error::EmptyTrainingSet), Expect::EmptyTrainingSet)
            | (Err(Error::LengthMismatch { .. }), Expect::LengthMismatch)
            | (Err(Error::SingleClass { .. }), Expect::SingleClass)
            | (Err(Error::UnknownLabel { .. }), Expect::UnknownLabel)
            | (Err(Error::EmptyVocabulary { .. }), Expect::EmptyVocabulary)
    );
    assert!(ok, "{name}: expected {want:?}, got {:?}", got.map(|_| "a model"));
}

#[test]
fn training_inputs_table() {
    let d = ModelParams::default();
    let with_logistic = |l: LogisticParams| ModelParams {
        logistic: l,
        ..ModelParams::default()
    };
    let with_feat = |f: FeaturizerConfig| ModelParams {
        featurizer: f,
        ..ModelParams::default()
    };
    let t2 = ["froze assets", "resumed talks"];
    let l2 = ["hard", "soft"];
    let none: [&str; 0] = [];
    check("no documents", Model::train(&none, &none, &d), Expect::EmptyTrainingSet);
    check(
        "one class",
        Model::train(&t2, &["hard", "hard"], &d),
        Expect::SingleClass,
    );
    check(
        "lengths differ",
        Model::train(&t2, &["hard"], &d),
        Expect::LengthMismatch,
    );
    check(
        "class with a single example trains",
        Model::train(&["a b", "c d", "e f"], &["x", "x", "y"], &d),
        Expect::Ok,
    );
    check(
        "single-example class cannot calibrate",
        Model::train(
            &["a b", "c d", "e f"],
            &["x", "x", "y"],
            &ModelParams {
                calibration: Calibration::Temperature { folds: 3 },
                ..d.clone()
            },
        ),
        Expect::InvalidParameter,
    );
    check(
        "all-empty texts",
        Model::train(&["", "  "], &l2, &d),
        Expect::EmptyVocabulary,
    );
    check(
        "only markup",
        Model::train(&["<p></p>", "&amp;"], &l2, &d),
        Expect::EmptyVocabulary,
    );
    // Duplicate texts with conflicting labels: documented behaviour is to train; the model
    // splits its probability between the labels.
    let dup = Model::train(
        &["froze assets", "froze assets", "talks"],
        &["hard", "soft", "soft"],
        &d,
    )
    .expect("conflicting duplicates train");
    let p = dup.predict("froze assets");
    assert!(p.probabilities.iter().all(|&v| v > 0.1 && v < 0.9), "{p:?}");
    for (name, c) in [
        ("C NaN", f64::NAN),
        ("C zero", 0.0),
        ("C negative", -1.0),
        ("C infinite", f64::INFINITY),
        // Issue 25: these trained, then failed naming `weights`; now refused up front.
        ("C subnormal", 5e-324),
        ("C huge", 1e300),
    ] {
        check(
            name,
            Model::train(&t2, &l2, &with_logistic(LogisticParams::default().c(c))),
            Expect::InvalidParameter,
        );
    }
    for s in [1e300, 1e-300] {
        check(
            "intercept_scaling out of range",
            Model::train(&t2, &l2, &with_logistic(LogisticParams::default().intercept_scaling(s))),
            Expect::InvalidParameter,
        );
    }
    for (name, w) in [
        ("weight NaN", f64::NAN),
        ("weight negative", -1.0),
        ("weight zero", 0.0),
    ] {
        let cw = ClassWeight::Explicit(vec![("hard".into(), w)]);
        check(
            name,
            Model::train(&t2, &l2, &with_logistic(LogisticParams::default().class_weight(cw))),
            Expect::InvalidParameter,
        );
    }
    let unknown = ClassWeight::Explicit(vec![("nope".into(), 2.0)]);
    check(
        "weight for unknown label",
        Model::train(
            &t2,
            &l2,
            &with_logistic(LogisticParams::default().class_weight(unknown)),
        ),
        Expect::UnknownLabel,
    );
    for (name, r) in [
        ("n-grams 0..2", (0, 2)),
        ("n-grams 3..1", (3, 1)),
        ("n-grams 1..9", (1, 9)),
    ] {
        check(
            name,
            Model::train(
                &t2,
                &l2,
                &with_feat(FeaturizerConfig {
                    word_ngrams: r,
                    ..FeaturizerConfig::default()
                }),
            ),
            Expect::InvalidParameter,
        );
    }
    let cap0 = FeatureSpace::Vocabulary {
        min_df: DocFrequency::Count(1),
        max_df: DocFrequency::Fraction(1.0),
        max_features: Some(0),
    };
    check(
        "vocabulary cap of zero",
        Model::train(
            &t2,
            &l2,
            &with_feat(FeaturizerConfig {
                space: cap0,
                ..FeaturizerConfig::default()
            }),
        ),
        Expect::InvalidParameter,
    );
    let bad_lex = Lexicon {
        entries: vec![hawkdove::features::LexiconEntry {
            pole: "".into(),
            phrase: "x".into(),
        }],
    };
    check(
        "lexicon with empty pole",
        Model::train(
            &t2,
            &l2,
            &with_feat(FeaturizerConfig {
                lexicon: Some(bad_lex),
                ..FeaturizerConfig::default()
            }),
        ),
        Expect::InvalidParameter,
    );
    check(
        "tolerance NaN",
        Model::train(&t2, &l2, &with_logistic(LogisticParams::default().tol(f64::NAN))),
        Expect::InvalidParameter,
    );
    check(
        "calibration with one fold",
        Model::train(
            &t2,
            &l2,
            &ModelParams {
                calibration: Calibration::Temperature { folds: 1 },
                ..d.clone()
            },
        ),
        Expect::InvalidParameter,
    );
    let same_poles = hawkdove::score::Poles {
        negative: "hard".into(),
        positive: "hard".into(),
    };
    check(
        "equal poles",
        Model::train(
            &t2,
            &l2,
            &ModelParams {
                poles: Some(same_poles),
                ..d.clone()
            },
        ),
        Expect::InvalidParameter,
    );
}

#[test]
fn text_inputs_table() {
    let m = model();
    let huge_word = "QUJD".repeat(100_000);
    let cases: Vec<(&str, String)> = vec![
        ("empty", String::new()),
        ("whitespace only", " \t\n\r ".into()),
        ("control characters", "\u{1}\u{2}sanctions\u{7f}\u{1b}[31m talks".into()),
        ("NUL bytes", "froze\0assets\0\0".into()),
        ("mixed scripts", "Sanctions санкции 制裁 عقوبات हिंसा".into()),
        ("right-to-left", "\u{202E}talks resumed\u{202C} مفاوضات".into()),
        (
            "emoji and combining marks",
            "talks 🕊️ resumed e\u{301}\u{302}\u{303} 👍🏽".into(),
        ),
        ("base64 blob", format!("the envoy said {huge_word} nothing")),
        ("long URL", format!("see https://example.org/{} now", "a/".repeat(5000))),
        (
            "HTML soup",
            "<div><script>alert('x')</script><p class=\"a\">Troops <b>massed</b> &amp; &#x1F600; &bogus; <".into(),
        ),
        (
            "markdown",
            "# Heading\n\n* **Sanctions** _tightened_ [link](http://x.y)\n\n```\ncode\n```".into(),
        ),
    ];
    for (name, text) in &cases {
        let p = m.predict(text);
        assert!(p.score.is_finite() && (-1.0..=1.0).contains(&p.score), "{name}: {p:?}");
        assert!((p.probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-9, "{name}");
        let d = m.score_document(text, &DocumentOptions::default()).expect(name);
        assert!(d.score.is_finite(), "{name}");
        let e = m.explain(text);
        for t in &e.tokens {
            assert_eq!(&text[t.span.clone()], t.text, "{name}");
        }
    }
    // Empty passage: neutral-ish prior with a flag, not NaN.
    let empty = m.predict("");
    assert_eq!(empty.n_features, 0);
}

#[test]
fn a_50_megabyte_passage_is_capped_not_exhausting_memory() {
    let m = model();
    let text = "The ministry froze assets and expelled envoys. ".repeat(1_100_000); // ~52 MB
    assert!(text.len() > 50_000_000);
    let start = Instant::now();
    let p = m.predict(&text);
    assert!(p.truncated, "more than {MAX_TOKENS_PER_TEXT} tokens must be flagged");
    assert!(p.score > 0.0);
    // As a document it is segmented into passages of bounded size; score a 2 MB slice to keep
    // the test fast.
    let doc = &text[..2_000_000];
    let d = m
        .score_document(
            doc,
            &DocumentOptions {
                bootstrap: 50,
                ..DocumentOptions::default()
            },
        )
        .expect("doc");
    assert!(d
        .passages
        .iter()
        .all(|p| p.text.len() <= MAX_PASSAGE_BYTES && !p.prediction.truncated));
    assert!(start.elapsed() < Duration::from_secs(120));
}

#[test]
fn a_million_one_word_passages() {
    let m = model();
    let words = [
        "sanctions",
        "talks",
        "ceasefire",
        "",
        "froze",
        "dialogue",
        "🕊",
        "retaliation",
    ];
    let texts: Vec<&str> = (0..1_000_000).map(|i| words[i % words.len()]).collect();
    let preds = m.predict_batch(&texts);
    assert_eq!(preds.len(), texts.len());
    for i in [0, 3, 999_999] {
        assert_eq!(preds[i], m.predict(texts[i]));
    }
}

#[test]
fn batch_equals_single_whatever_the_batch_size() {
    let m = model();
    let (texts, _) = small_corpus();
    let single: Vec<_> = texts.iter().map(|t| m.predict(t)).collect();
    for size in [1, 7, 63, 64, 65, 200] {
        for (chunk, expect) in texts.chunks(size).zip(single.chunks(size)) {
            assert_eq!(m.predict_batch(chunk), expect, "batch size {size}");
        }
    }
}

#[test]
fn eight_threads_share_one_model_for_a_bounded_time() {
    let m = model();
    let (texts, _) = small_corpus();
    let serial: Vec<_> = texts.iter().map(|t| m.predict(t)).collect();
    let deadline = Instant::now() + Duration::from_secs(3);
    std::thread::scope(|s| {
        for k in 0..8 {
            let (texts, serial) = (&texts, &serial);
            s.spawn(move || {
                let mut rounds = 0;
                while Instant::now() < deadline || rounds == 0 {
                    let i = (k * 31 + rounds * 7) % texts.len();
                    assert_eq!(&m.predict(&texts[i]), &serial[i]);
                    if rounds % 50 == 0 {
                        assert_eq!(m.predict_batch(&texts[..100]), serial[..100]);
                    }
                    rounds += 1;
                }
            });
        }
    });
}

#[test]
fn training_is_bit_for_bit_reproducible_across_thread_counts() {
    let (texts, labels) = small_corpus();
    let params = ModelParams {
        calibration: Calibration::Temperature { folds: 3 },
        ..ModelParams::default()
    };
    let bytes = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| {
                Model::train(&texts, &labels, &params)
                    .expect("train")
                    .to_bytes()
                    .expect("bytes")
            })
    };
    let one = bytes(1);
    assert_eq!(one, bytes(2));
    assert_eq!(one, bytes(4));
    let two: Vec<String> = labels
        .iter()
        .map(|l| if l == "hard-line" { l.clone() } else { "other".into() })
        .collect();
    let b = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| {
                Model::train(&texts, &two, &ModelParams::default())
                    .expect("train")
                    .to_bytes()
                    .expect("bytes")
            })
    };
    assert_eq!(b(1), b(3));
}

#[test]
fn bootstrap_intervals_are_reproducible_by_seed() {
    let m = model();
    let doc = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../examples/texts/sanctions-shift.txt"
    ))
    .expect("sample");
    let a = m
        .score_document(
            &doc,
            &DocumentOptions {
                seed: 5,
                ..DocumentOptions::default()
            },
        )
        .expect("a");
    let b = m
        .score_document(
            &doc,
            &DocumentOptions {
                seed: 5,
                ..DocumentOptions::default()
            },
        )
        .expect("b");
    let c = m
        .score_document(
            &doc,
            &DocumentOptions {
                seed: 6,
                ..DocumentOptions::default()
            },
        )
        .expect("c");
    assert_eq!(a.interval, b.interval);
    assert_ne!(a.interval, c.interval);
}

fn valid_model_bytes() -> &'static [u8] {
    static B: OnceLock<Vec<u8>> = OnceLock::new();
    B.get_or_init(|| {
        Model::train(
            &["froze assets", "expelled envoys", "resumed talks", "eased sanctions"],
            &["h", "h", "s", "s"],
            &ModelParams::default(),
        )
        .expect("train")
        .to_bytes()
        .expect("bytes")
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Arbitrary byte mutations of a valid model file: loading never panics, and whatever it
    /// returns is a model or a typed format error.
    #[test]
    fn mutated_model_files_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..4), 1..8),
        cut in prop::option::of(any::<prop::sample::Index>()),
    ) {
        let mut bytes = valid_model_bytes().to_vec();
        for (at, byte, op) in edits {
            let i = at.index(bytes.len().max(1));
            match op {
                0 => { if let Some(b) = bytes.get_mut(i) { *b = byte; } }
                1 => bytes.insert(i.min(bytes.len()), byte),
                2 => { if i < bytes.len() { bytes.remove(i); } }
                _ => { if let Some(b) = bytes.get_mut(i) { if b.is_ascii_digit() { *b = b'0' + byte % 10; } } }
            }
        }
        if let Some(c) = cut {
            bytes.truncate(c.index(bytes.len().max(1)));
        }
        match Model::from_bytes(&bytes) {
            Ok(m) => { let _ = m.predict("froze assets"); }
            Err(e) => prop_assert!(matches!(e, Error::Format(_)), "untyped error {e:?}"),
        }
    }
}
