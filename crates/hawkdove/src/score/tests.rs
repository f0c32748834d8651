use super::*;

fn corpus() -> (Vec<String>, Vec<String>) {
    let hard = [
        "imposed sweeping sanctions and froze central bank assets",
        "threatened retaliation and expelled twelve diplomats",
        "issued an ultimatum and massed troops on the border",
        "vowed a tough response and banned chip exports",
        "condemned the incursion and ordered warships to the strait",
        "refused any compromise and tightened the blockade",
    ];
    let soft = [
        "welcomed the talks and eased sanctions on food imports",
        "agreed to a ceasefire and resumed dialogue in Oman",
        "offered an olive branch and released detained fishermen",
        "pledged restraint and reopened the embassy",
        "signed a confidence-building accord and set up a hotline",
        "proposed mediation and lifted travel restrictions",
    ];
    let neutral = [
        "the committee meets every three months in Geneva",
        "the navy operates twelve frigates and four submarines",
        "the report was published on Tuesday in three languages",
        "officials said the schedule for the summit has not changed",
        "the treaty entered into force in 1992 after ratification",
        "the ministry employs about two thousand staff abroad",
    ];
    let mut texts = Vec::new();
    let mut labels = Vec::new();
    for (set, label) in [(&hard, "hard-line"), (&soft, "conciliatory"), (&neutral, "neutral")] {
        for t in set.iter() {
            texts.push(t.to_string());
            labels.push(label.to_string());
        }
    }
    (texts, labels)
}

#[test]
fn three_class_model_scores_between_poles() {
    let (texts, labels) = corpus();
    let model = Model::train(&texts, &labels, &ModelParams::default()).expect("train");
    assert_eq!(model.classes(), ["conciliatory", "hard-line", "neutral"]);
    assert_eq!(model.poles(), ("conciliatory", "hard-line"));
    let hard = model.predict("the government froze assets and expelled diplomats");
    let soft = model.predict("the government resumed dialogue and eased sanctions");
    assert_eq!(hard.label, "hard-line");
    assert_eq!(soft.label, "conciliatory");
    assert!(hard.score > 0.0 && soft.score < 0.0);
    for p in [&hard, &soft] {
        assert!((p.probabilities.iter().sum::<f64>() - 1.0).abs() < 1e-12);
        let expect = p.probabilities[1] - p.probabilities[0];
        assert!((p.score - expect).abs() < 1e-12);
    }
}

#[test]
fn two_class_score_is_twice_second_probability_minus_one() {
    let (texts, labels) = corpus();
    let two: Vec<String> = labels
        .iter()
        .map(|l| {
            if l == "hard-line" {
                "hawk".into()
            } else {
                "other".into()
            }
        })
        .collect();
    let model = Model::train(&texts, &two, &ModelParams::default()).expect("train");
    assert_eq!(model.poles(), ("hawk", "other"));
    let p = model.predict("froze assets");
    assert!((p.score - (2.0 * p.probabilities[1] - 1.0)).abs() < 1e-12);
}

#[test]
fn explicit_poles_and_unknown_poles() {
    let (texts, labels) = corpus();
    let params = ModelParams {
        poles: Some(Poles {
            negative: "hard-line".into(),
            positive: "conciliatory".into(),
        }),
        ..ModelParams::default()
    };
    let model = Model::train(&texts, &labels, &params).expect("train");
    assert_eq!(model.poles(), ("hard-line", "conciliatory"));
    let bad = ModelParams {
        poles: Some(Poles {
            negative: "x".into(),
            positive: "conciliatory".into(),
        }),
        ..ModelParams::default()
    };
    assert!(matches!(
        Model::train(&texts, &labels, &bad),
        Err(Error::UnknownLabel { .. })
    ));
}

#[test]
fn batch_prediction_equals_single_and_keeps_order() {
    let (texts, labels) = corpus();
    let model = Model::train(&texts, &labels, &ModelParams::default()).expect("train");
    let many: Vec<String> = (0..300)
        .map(|i| texts[i % texts.len()].clone() + if i % 2 == 0 { " again" } else { "" })
        .collect();
    let batch = model.predict_batch(&many);
    for (t, p) in many.iter().zip(&batch) {
        assert_eq!(&model.predict(t), p);
    }
}

/// `columns` holds exactly the fields of `expect`, text by text.
fn assert_columns_equal(model: &Model, columns: &BatchPredictions, expect: &[Prediction]) {
    assert_eq!(columns.len(), expect.len());
    assert_eq!(columns.n_classes, model.classes().len());
    assert_eq!(columns.probabilities.len(), expect.len() * columns.n_classes);
    for (i, p) in expect.iter().enumerate() {
        assert_eq!(columns.class_index[i], p.class_index, "text {i}");
        assert_eq!(model.classes()[columns.class_index[i]], p.label, "text {i}");
        // Bit for bit, not within a tolerance.
        assert_eq!(columns.probabilities_of(i), p.probabilities.as_slice(), "text {i}");
        assert_eq!(columns.scores[i].to_bits(), p.score.to_bits(), "text {i}");
        assert_eq!(columns.n_features[i], p.n_features, "text {i}");
        assert_eq!(columns.truncated[i], p.truncated, "text {i}");
    }
    assert!(columns.probabilities_of(expect.len()).is_empty());
}

#[test]
fn batch_columns_equal_single_predictions_serial_and_parallel() {
    let (texts, labels) = corpus();
    let two: Vec<&str> = labels
        .iter()
        .map(|l| if l == "hard-line" { "hawk" } else { "other" })
        .collect();
    let long = "froze assets ".repeat(crate::text::MAX_TOKENS_PER_TEXT);
    let many: Vec<String> = (0..301)
        .map(|i| match i % 50 {
            0 => String::new(),
            1 => long.clone(),
            _ => texts[i % texts.len()].clone() + if i % 2 == 0 { " again" } else { "" },
        })
        .collect();
    for model in [
        Model::train(&texts, &labels, &ModelParams::default()).expect("three classes"),
        Model::train(&texts, &two, &ModelParams::default()).expect("two classes"),
    ] {
        let single: Vec<Prediction> = many.iter().map(|t| model.predict(t)).collect();
        assert!(single.iter().any(|p| p.truncated) && single.iter().any(|p| p.n_features == 0));
        let serial = model.predict_columns_with(&many, &mut Scratch::default());
        assert_columns_equal(&model, &serial, &single);
        for threads in [1, 3] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .expect("pool");
            for size in [0, 1, 63, 64, 65, 301] {
                let got = pool.install(|| model.predict_columns(&many[..size]));
                assert_columns_equal(&model, &got, &single[..size]);
            }
        }
    }
}

#[test]
fn empty_text_gets_the_prior_not_nan() {
    let (texts, labels) = corpus();
    let model = Model::train(&texts, &labels, &ModelParams::default()).expect("train");
    for t in ["", "   ", "qqqq zzzz"] {
        let p = model.predict(t);
        assert_eq!(p.n_features, 0);
        assert!(p.score.is_finite() && p.probabilities.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn temperature_calibration_is_fitted_and_keeps_labels() {
    let (texts, labels) = corpus();
    let params = ModelParams {
        calibration: Calibration::Temperature { folds: 3 },
        ..ModelParams::default()
    };
    let calibrated = Model::train(&texts, &labels, &params).expect("train");
    let plain = Model::train(&texts, &labels, &ModelParams::default()).expect("train");
    assert!(calibrated.temperature() > 0.0 && calibrated.temperature() != 1.0);
    for t in &texts {
        assert_eq!(calibrated.predict(t).label, plain.predict(t).label);
    }
}

#[test]
fn fit_temperature_recovers_a_known_temperature() {
    // Logits that are twice too confident: data drawn so that T = 2 is optimal.
    let mut logits = Vec::new();
    let mut y = Vec::new();
    let mut rng = crate::model::SplitMix64::new(5);
    for _ in 0..4000 {
        let z = (rng.next_u64() % 2000) as f64 / 1000.0 - 1.0; // in [-1, 1)
        let logit = 4.0 * z;
        let p_true = 1.0 / (1.0 + (-logit / 2.0).exp());
        let u = (rng.next_u64() % 1_000_000) as f64 / 1_000_000.0;
        y.push(usize::from(u < p_true));
        logits.push(vec![0.0, logit]);
    }
    let t = fit_temperature(&logits, &y, None);
    assert!((t - 2.0).abs() < 0.25, "temperature {t}");
    assert!(nll(&logits, &y, t, None) < nll(&logits, &y, 1.0, None));
}

#[test]
fn calibration_needs_two_examples_per_class() {
    let texts = ["a b", "c d", "e f"];
    let labels = ["x", "x", "y"];
    let params = ModelParams {
        calibration: Calibration::Temperature { folds: 2 },
        ..ModelParams::default()
    };
    assert!(matches!(
        Model::train(&texts, &labels, &params),
        Err(Error::InvalidParameter { .. })
    ));
    assert!(Model::train(&texts, &labels, &ModelParams::default()).is_ok());
}

#[test]
fn bad_inputs_are_typed_errors() {
    let p = ModelParams::default();
    assert!(matches!(
        Model::train(&["a"], &["x", "y"], &p),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        Model::train::<&str, &str>(&[], &[], &p),
        Err(Error::EmptyTrainingSet)
    ));
    assert!(matches!(
        Model::train(&["a", "b"], &["x", "x"], &p),
        Err(Error::SingleClass { .. })
    ));
    let bad = ModelParams {
        calibration: Calibration::Temperature { folds: 1 },
        ..ModelParams::default()
    };
    assert!(matches!(
        Model::train(&["a", "b"], &["x", "y"], &bad),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn two_class_scoring_through_side_by_side_columns_is_exact() {
    use crate::features::{FeatureSpace, FeaturizerConfig, Lexicon, Weighting};
    let (texts, labels) = corpus();
    let two: Vec<String> = labels.iter().map(|l| (l == "hard-line").to_string()).collect();
    let lexicon = Lexicon::parse("hard-line\tfroze assets\nconciliatory\tceasefire\n").expect("lexicon");
    let configs = [
        FeaturizerConfig::default(),
        FeaturizerConfig {
            weighting: Weighting::Tf,
            idf: false,
            normalize: false,
            ..FeaturizerConfig::default()
        },
        FeaturizerConfig {
            weighting: Weighting::Binary,
            char_ngrams: Some((2, 4)),
            lexicon: Some(lexicon),
            ..FeaturizerConfig::default()
        },
        FeaturizerConfig {
            space: FeatureSpace::Hashing { bits: 12, seed: 1 },
            ..FeaturizerConfig::default()
        },
    ];
    let probes = [
        "froze froze froze assets and sanctions, sanctions",
        "they did not agree to a ceasefire",
        "",
        "entirely unseen vocabulary here",
    ];
    for featurizer in configs {
        let params = ModelParams {
            featurizer,
            ..ModelParams::default()
        };
        let model = Model::train(&texts, &two, &params).expect("train");
        let mut scratch = Scratch::default();
        for text in texts.iter().map(String::as_str).chain(probes) {
            let fused = model.predict_with(text, &mut scratch);
            // The reference: the row's pairs through the weight rows.
            let row = model.featurizer.unordered_row_into(text, &mut scratch).to_vec();
            let want = model.prediction_from_logits(&model.linear.logits_pairs(&row), row.len());
            assert_eq!(fused, want, "{:?} {text}", params.featurizer);
        }
    }
}
