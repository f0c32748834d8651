#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! Training memory is bounded (issue 25): a problem whose dense weight matrix (classes ×
//! features) would exceed `LogisticParams::max_weight_bytes` is refused with a typed error
//! that says what it would need, before anything of that size is allocated (100,000 classes
//! used to abort at 5.7 GB, needing about 240 GB).

use hawkdove::model::{DEFAULT_MAX_WEIGHT_BYTES, MDCD_COPIES};
use hawkdove::{Error, LogisticParams, Model, ModelParams};

fn one_text_per_class(n: usize) -> (Vec<String>, Vec<String>) {
    (0..n).map(|i| (format!("word{i} talks"), format!("class{i}"))).unzip()
}

#[test]
fn a_hundred_thousand_classes_are_refused_before_training() {
    let (texts, labels) = one_text_per_class(100_000);
    let params = ModelParams {
        featurizer: hawkdove::FeaturizerConfig {
            word_ngrams: (1, 1),
            ..Default::default()
        },
        ..ModelParams::default()
    };
    match Model::train(&texts, &labels, &params) {
        Err(Error::TooLargeToTrain {
            classes,
            features,
            weight_bytes,
            training_bytes,
            limit,
        }) => {
            assert_eq!(classes, 100_000);
            assert!(features >= 100_000, "{features}");
            assert_eq!(weight_bytes, 100_000 * (features as u64 + 1) * 8);
            assert_eq!(training_bytes, weight_bytes * MDCD_COPIES);
            assert_eq!(limit, DEFAULT_MAX_WEIGHT_BYTES);
        }
        other => panic!("expected TooLargeToTrain, got {:?}", other.map(|_| "a model")),
    }
}

#[test]
fn the_limit_is_configurable_and_named_in_the_message() {
    let (texts, labels) = one_text_per_class(40);
    let small = |bytes| ModelParams {
        logistic: LogisticParams::default().max_weight_bytes(bytes),
        ..ModelParams::default()
    };
    let err = Model::train(&texts, &labels, &small(10_000))
        .map(|_| ())
        .expect_err("over the limit");
    let message = err.to_string();
    assert!(
        matches!(
            err,
            Error::TooLargeToTrain {
                limit: 10_000,
                classes: 40,
                ..
            }
        ),
        "{message}"
    );
    assert!(
        message.contains("max_weight_bytes") && message.contains("10000"),
        "{message}"
    );
    assert!(Model::train(&texts, &labels, &small(100 << 20)).is_ok());
    // Two classes (one weight row) under a tiny limit: refused too.
    let err = Model::train(&["a b", "c d"], &["x", "y"], &small(8))
        .map(|_| ())
        .expect_err("over");
    assert!(matches!(err, Error::TooLargeToTrain { classes: 2, .. }), "{err}");
}
