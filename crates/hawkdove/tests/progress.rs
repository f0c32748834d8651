#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! Training progress and cancellation (issue 23, item 4): the callback's events arrive in order
//! (featurization, each solver iteration, each fold), stopping at any event gives
//! `Error::Cancelled` and no further event, and watching training changes nothing in its result,
//! whatever the number of threads.

use std::ops::ControlFlow;

use hawkdove::eval::{cross_validate, cross_validate_with};
use hawkdove::progress::{FoldPurpose, TrainEvent};
use hawkdove::{
    Calibration, Error, FeatureSpace, FeaturizerConfig, LinearModel, LogisticParams, Model, ModelParams, Solver,
};

/// `n` short texts in `k` classes, each class with its own words and some shared ones.
/// The default parameters with self-tuning off: these tests follow one fit's events (tuning's
/// own are tested in `tune::tests`).
fn fixed() -> ModelParams {
    let mut p = ModelParams { ..Default::default() };
    p.logistic = p.logistic.tune(None);
    p
}

fn corpus(n: usize, k: usize) -> (Vec<String>, Vec<String>) {
    let words = [
        "talks",
        "sanctions",
        "ceasefire",
        "threat",
        "dialogue",
        "troops",
        "aid",
        "strike",
    ];
    let mut texts = Vec::with_capacity(n);
    let mut labels = Vec::with_capacity(n);
    for i in 0..n {
        let c = i % k;
        let a = words[(i * 7 + c) % words.len()];
        let b = words[(i * 3 + 2 * c) % words.len()];
        texts.push(format!("class{c} marker{c} {a} {b} item{} w{}", i % 97, i % 13));
        labels.push(format!("c{c}"));
    }
    (texts, labels)
}

fn record(events: &mut Vec<TrainEvent>) -> impl FnMut(&TrainEvent) -> ControlFlow<()> + '_ {
    |e| {
        events.push(e.clone());
        ControlFlow::Continue(())
    }
}

/// Check that `events` are one training run from `at`: featurization (started, groups with
/// rising counts, done), then the solver (started, iterations 1, 2, … n, finished after n).
/// Returns the index after it.
fn check_training(events: &[TrainEvent], at: usize, texts: usize, solver: Solver) -> usize {
    let mut i = at;
    assert_eq!(events[i], TrainEvent::FeaturizeStarted { texts }, "at {i}: {events:?}");
    i += 1;
    let mut last = 0;
    while let TrainEvent::Featurizing { done, total } = events[i] {
        assert_eq!(total, texts);
        assert!(done > last && done <= texts, "{done} after {last}");
        last = done;
        i += 1;
    }
    assert_eq!(last, texts, "featurization reports every text");
    let TrainEvent::Featurized { rows, features } = events[i] else {
        panic!("expected Featurized at {i}: {:?}", events[i])
    };
    assert_eq!(rows, texts);
    i += 1;
    let TrainEvent::SolverStarted {
        solver: s,
        features: f,
        max_iter,
        ..
    } = events[i]
    else {
        panic!("expected SolverStarted at {i}: {:?}", events[i])
    };
    assert_eq!((s, f), (solver, features));
    i += 1;
    let mut n = 0;
    while let TrainEvent::SolverIteration {
        solver: s,
        iteration,
        max_iter: m,
        value,
    } = events[i]
    {
        n += 1;
        assert_eq!((s, iteration, m), (solver, n, max_iter));
        assert!(value.is_finite());
        i += 1;
    }
    assert!(n >= 1, "at least one iteration reported");
    assert_eq!(events[i], TrainEvent::SolverFinished { solver, iterations: n });
    i + 1
}

#[test]
fn two_and_three_class_training_report_in_order() {
    for (k, solver) in [(2, Solver::DualCd), (3, Solver::DualCd)] {
        let (texts, labels) = corpus(300, k);
        let mut events = Vec::new();
        Model::train_with(&texts, &labels, &fixed(), &mut record(&mut events)).unwrap();
        let end = check_training(&events, 0, texts.len(), solver);
        assert_eq!(end, events.len(), "{:?}", &events[end..]);
    }
}

#[test]
fn featurization_reports_groups_of_texts_in_both_spaces() {
    // 40,000 texts: more than one group of the vocabulary path (16 chunks of 1,024 at least)
    // and many blocks of 2,048 rows in hashing.
    let (texts, _) = corpus(40_000, 2);
    for space in [FeatureSpace::default(), FeatureSpace::Hashing { bits: 12, seed: 0 }] {
        let config = FeaturizerConfig {
            space,
            ..FeaturizerConfig::default()
        };
        let mut events = Vec::new();
        let (_, x) = hawkdove::Featurizer::fit_transform_with(&config, &texts, &mut record(&mut events)).unwrap();
        let groups = events
            .iter()
            .filter(|e| matches!(e, TrainEvent::Featurizing { .. }))
            .count();
        assert!(groups >= 2, "{events:?}");
        assert_eq!(events.first(), Some(&TrainEvent::FeaturizeStarted { texts: 40_000 }));
        assert_eq!(
            events.last(),
            Some(&TrainEvent::Featurized {
                rows: 40_000,
                features: x.ncols()
            })
        );
        // Stopping in the middle of featurization.
        let mut seen = 0;
        let stopped = hawkdove::Featurizer::fit_transform_with(&config, &texts, &mut |e: &TrainEvent| {
            seen += 1;
            match e {
                TrainEvent::Featurizing { .. } => ControlFlow::Break(()),
                _ => ControlFlow::Continue(()),
            }
        });
        assert!(matches!(stopped, Err(Error::Cancelled { stage: "featurization" })));
        assert_eq!(seen, 2, "no event after the stop");
    }
}

#[test]
fn calibration_and_cross_validation_folds_wrap_their_training() {
    let (texts, labels) = corpus(240, 3);
    let params = ModelParams {
        calibration: Calibration::Temperature { folds: 3 },
        ..fixed()
    };
    let mut events = Vec::new();
    Model::train_with(&texts, &labels, &params, &mut record(&mut events)).unwrap();
    let mut i = check_training(&events, 0, 240, Solver::DualCd);
    for fold in 0..3 {
        let purpose = FoldPurpose::Calibration;
        assert_eq!(
            events[i],
            TrainEvent::FoldStarted {
                purpose,
                fold,
                folds: 3
            }
        );
        i = check_training(&events, i + 1, 160, Solver::DualCd);
        assert_eq!(
            events[i],
            TrainEvent::FoldFinished {
                purpose,
                fold,
                folds: 3
            }
        );
        i += 1;
    }
    assert_eq!(i, events.len());

    let (texts, labels) = corpus(200, 2);
    let mut events = Vec::new();
    let with = cross_validate_with(&texts, &labels, &fixed(), 4, 1, &mut record(&mut events)).unwrap();
    assert_eq!(with, cross_validate(&texts, &labels, &fixed(), 4, 1).unwrap());
    let mut i = 0;
    for fold in 0..4 {
        let purpose = FoldPurpose::CrossValidation;
        assert_eq!(
            events[i],
            TrainEvent::FoldStarted {
                purpose,
                fold,
                folds: 4
            }
        );
        i = check_training(&events, i + 1, 150, Solver::DualCd);
        assert_eq!(
            events[i],
            TrainEvent::FoldFinished {
                purpose,
                fold,
                folds: 4
            }
        );
        i += 1;
    }
    assert_eq!(i, events.len());
}

#[test]
fn stopping_at_any_event_is_a_typed_error_and_the_last_event() {
    let (texts, labels) = corpus(120, 3);
    let params = ModelParams {
        calibration: Calibration::Temperature { folds: 2 },
        ..fixed()
    };
    let mut all = Vec::new();
    Model::train_with(&texts, &labels, &params, &mut record(&mut all)).unwrap();
    assert!(all.len() > 10);
    for stop_at in 0..all.len() {
        let mut seen = Vec::new();
        let got = Model::train_with(&texts, &labels, &params, &mut |e: &TrainEvent| {
            seen.push(e.clone());
            if seen.len() > stop_at {
                ControlFlow::Break(())
            } else {
                ControlFlow::Continue(())
            }
        });
        match got {
            Err(Error::Cancelled { stage }) => assert_eq!(stage, all[stop_at].stage()),
            Err(e) => panic!("stop at {stop_at} ({:?}): {e}", all[stop_at]),
            Ok(_) => panic!("stop at {stop_at} ({:?}) was not honoured", all[stop_at]),
        }
        assert_eq!(seen, all[..=stop_at], "events up to the stop, then none");
    }
    // The same for cross-validation and a bare linear fit.
    let mut n = 0;
    let cv = cross_validate_with(&texts, &labels, &fixed(), 3, 0, &mut |e: &TrainEvent| {
        n += 1;
        match e {
            TrainEvent::FoldFinished { fold: 1, .. } => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        }
    });
    assert!(
        matches!(
            cv,
            Err(Error::Cancelled {
                stage: "cross-validation"
            })
        ),
        "{cv:?}"
    );
    let (_, x) = hawkdove::Featurizer::fit_transform(&FeaturizerConfig::default(), &texts).unwrap();
    for solver in [Solver::DualCd, Solver::Lbfgs] {
        let two: Vec<String> = labels.iter().map(|l| (l == "c0").to_string()).collect();
        let params = LogisticParams::default().tune(None).solver(solver);
        let got = LinearModel::fit_with(&params, &x, &two, &mut |e: &TrainEvent| match e {
            TrainEvent::SolverIteration { iteration: 2, .. } => ControlFlow::Break(()),
            _ => ControlFlow::Continue(()),
        });
        assert!(
            matches!(got, Err(Error::Cancelled { stage: "solver" })),
            "{solver:?}: {got:?}"
        );
    }
}

#[test]
fn watched_training_is_the_same_bit_for_bit_with_any_thread_count() {
    for k in [2, 3] {
        let (texts, labels) = corpus(3_000, k);
        let params = ModelParams {
            calibration: Calibration::Temperature { folds: 2 },
            ..fixed()
        };
        let plain = Model::train(&texts, &labels, &params).unwrap().to_bytes().unwrap();
        let mut runs = Vec::new();
        for threads in [1, 4] {
            let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
            let mut events = Vec::new();
            let bytes = pool.install(|| {
                Model::train_with(&texts, &labels, &params, &mut record(&mut events))
                    .unwrap()
                    .to_bytes()
                    .unwrap()
            });
            assert_eq!(bytes, plain, "{k} classes, {threads} threads");
            runs.push(events);
        }
        // The same iterations with the same objective values, bit for bit.
        assert_eq!(runs[0], runs[1]);
    }
}
