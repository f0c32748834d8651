use std::ops::ControlFlow;

use super::*;
use crate::features::Weighting;
use crate::model::SplitMix64;
use crate::score::Model;

/// Texts whose class is told by a few marker words among random filler: `k` classes, `n`
/// texts, `noise` the share of labels drawn at random instead.
fn texts(n: usize, k: usize, noise: f64, seed: u64) -> (Vec<String>, Vec<String>) {
    texts_by(n, k, noise, seed, |i| i % k)
}

/// [`texts`] with eight texts in ten of class 0 and the rest shared by the others: a tiny C
/// (the weights shrunk to the class counts times the common words) predicts class 0 for all.
fn imbalanced(n: usize, k: usize, seed: u64) -> (Vec<String>, Vec<String>) {
    texts_by(n, k, 0.0, seed, |i| if i % 10 < 8 { 0 } else { 1 + (i / 10) % (k - 1) })
}

fn texts_by(
    n: usize,
    k: usize,
    noise: f64,
    seed: u64,
    class_of: impl Fn(usize) -> usize,
) -> (Vec<String>, Vec<String>) {
    let mut rng = SplitMix64::new(seed);
    let filler = [
        "the",
        "report",
        "said",
        "officials",
        "week",
        "statement",
        "minister",
        "today",
        "region",
        "plan",
        "talks",
        "meeting",
        "press",
        "council",
    ];
    let markers = [
        ["alpha", "amber", "apex"],
        ["bravo", "birch", "bloom"],
        ["cobalt", "cedar", "crest"],
    ];
    let mut out = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n {
        let class = class_of(i);
        let mut words: Vec<&str> = (0..6).map(|_| filler[rng.below(filler.len())]).collect();
        words.push(markers[class][rng.below(3)]);
        out.push(words.join(" "));
        let label = if (rng.next_u64() % 1000) as f64 / 1000.0 < noise {
            rng.below(k)
        } else {
            class
        };
        labels.push(format!("class{label}"));
    }
    (out, labels)
}

fn params_with(spec: TuneSpec) -> ModelParams {
    let mut p = ModelParams::default();
    p.logistic = p.logistic.tune(Some(spec));
    p
}

/// On a set where any real fit finds the markers, the tiny C (everything regularized away:
/// one class predicted) is clearly wrong and C = 1 clearly right; the report says so and the
/// choice is the best grid point.
#[test]
fn tuning_picks_the_clearly_right_c() {
    let (t, l) = imbalanced(200, 3, 1);
    let spec = TuneSpec {
        c: Some(vec![1e-6, 1.0]),
        class_weight: None,
        ..TuneSpec::default()
    };
    let model = Model::train(&t, &l, &params_with(spec)).expect("train");
    let report = model.tuning().expect("report");
    assert_eq!(report.c, 1.0, "{report:?}");
    assert_eq!(report.folds, DEFAULT_TUNE_FOLDS);
    assert_eq!(report.candidates.len(), 2);
    let (small, right) = (&report.candidates[0], &report.candidates[1]);
    assert_eq!((small.c, right.c), (1e-6, 1.0));
    assert!(right.mean_macro_f1 > small.mean_macro_f1 + 0.3, "{report:?}");
    assert_eq!((right.rank, small.rank), (1, 2));
    assert_eq!(report.best, Some(1));
    assert_eq!(right.fold_macro_f1.len(), DEFAULT_TUNE_FOLDS);
}

/// The choice is the best mean macro-F1 of the grid, and each setting's reported fold scores
/// are those of the same setting fixed, trained on the fold's training texts and scored on
/// its held-out texts (warm starts change them by no more than the solver's tolerance does).
#[test]
fn the_choice_is_the_best_grid_point_of_an_honest_cross_validation() {
    let (t, l) = texts(120, 3, 0.25, 2);
    let spec = TuneSpec {
        c: Some(vec![0.25, 2.0, 16.0]),
        ..TuneSpec::default()
    };
    let mut params = params_with(spec.clone());
    params.logistic = params.logistic.tol(1e-8);
    let model = Model::train(&t, &l, &params).expect("train");
    let report = model.tuning().expect("report").clone();
    let best = report.best.expect("tuned");
    let top = report
        .candidates
        .iter()
        .map(|c| c.mean_macro_f1)
        .fold(f64::NEG_INFINITY, f64::max);
    assert!(report.candidates[best].mean_macro_f1 >= top - spec.tie_margin);
    // Recompute every fold score by hand.
    let (_, classes, y) = crate::score::encode_text_labels(t.len(), &l).expect("labels");
    let assignment = crate::eval::stratified_folds(&y, classes.len(), report.folds, spec.seed);
    for cand in &report.candidates {
        for (f, &reported) in cand.fold_macro_f1.iter().enumerate() {
            let train: Vec<usize> = (0..t.len()).filter(|&i| assignment[i] != f).collect();
            let test: Vec<usize> = (0..t.len()).filter(|&i| assignment[i] == f).collect();
            let mut fixed = params.clone();
            fixed.logistic = fixed
                .logistic
                .clone()
                .tune(None)
                .c(cand.c)
                .class_weight(cand.class_weight.clone())
                .tol(1e-8);
            let tr_t: Vec<&str> = train.iter().map(|&i| t[i].as_str()).collect();
            let tr_l: Vec<&str> = train.iter().map(|&i| l[i].as_str()).collect();
            let m = Model::train(&tr_t, &tr_l, &fixed).expect("fold");
            let te_t: Vec<&str> = test.iter().map(|&i| t[i].as_str()).collect();
            let truth: Vec<String> = test.iter().map(|&i| l[i].clone()).collect();
            let r = crate::eval::Report::new(&classes, &truth, &m.predict_batch(&te_t)).expect("report");
            assert!(
                (r.macro_f1 - reported).abs() < 0.02,
                "C={} {:?} fold {f}: by hand {} reported {reported}",
                cand.c,
                cand.class_weight,
                r.macro_f1
            );
        }
    }
}

/// A tuned model is the model trained with its chosen values fixed, bit for bit.
#[test]
fn a_tuned_model_equals_the_fit_with_its_chosen_values() {
    let (t, l) = texts(90, 3, 0.2, 3);
    let auto = Model::train(&t, &l, &ModelParams::default()).expect("auto");
    let report = auto.tuning().expect("report");
    assert!(DEFAULT_C_GRID.contains(&report.c));
    assert!(matches!(
        report.class_weight,
        ClassWeight::Uniform | ClassWeight::Balanced
    ));
    let mut fixed = ModelParams::default();
    fixed.logistic = report.apply(&fixed.logistic);
    assert!(fixed.logistic.get().tune().is_none());
    let m = Model::train(&t, &l, &fixed).expect("fixed");
    assert_eq!(auto.linear(), m.linear());
    assert!(m.tuning().is_none());
}

/// Same choice and same model bytes whatever the number of threads.
#[test]
fn tuning_is_deterministic_across_thread_counts() {
    let (t, l) = texts(120, 3, 0.2, 4);
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| {
            Model::train(&t, &l, &ModelParams::default())
                .expect("train")
                .to_bytes()
                .expect("bytes")
        })
    };
    let one = run(1);
    assert_eq!(one, run(2));
    assert_eq!(one, run(4));
}

/// Integer sample weights under tuning give the model of the repeated texts (without idf,
/// which counts each text once; the choice is clear, so both runs choose alike).
#[test]
fn sample_weights_equal_repeated_texts_under_tuning() {
    for k in [2, 3] {
        let (t, l) = imbalanced(60 * k, k, 5);
        let weights: Vec<f64> = (0..t.len()).map(|i| [1.0, 2.0, 3.0][i % 3]).collect();
        let mut rt = Vec::new();
        let mut rl = Vec::new();
        for (i, &w) in weights.iter().enumerate() {
            for _ in 0..w as usize {
                rt.push(t[i].clone());
                rl.push(l[i].clone());
            }
        }
        let mut params = params_with(TuneSpec {
            c: Some(vec![1e-6, 1.0]),
            class_weight: None,
            ..TuneSpec::default()
        });
        params.featurizer.idf = false;
        params.featurizer.weighting = Weighting::Binary;
        params.logistic = params.logistic.tol(1e-10).max_iter(20_000);
        let weighted = Model::train_weighted(&t, &l, Some(&weights), &params).expect("weighted");
        let repeated = Model::train(&rt, &rl, &params).expect("repeated");
        let (a, b) = (weighted.tuning().expect("a"), repeated.tuning().expect("b"));
        assert_eq!((a.c, &a.class_weight), (b.c, &b.class_weight), "{k} classes");
        assert_eq!(a.c, 1.0);
        let pa = weighted.predict_batch(&t);
        let pb = repeated.predict_batch(&t);
        let gap = pa
            .iter()
            .zip(&pb)
            .flat_map(|(x, y)| x.probabilities.iter().zip(&y.probabilities).map(|(p, q)| (p - q).abs()))
            .fold(0.0, f64::max);
        assert!(gap < 1e-4, "{k} classes: probabilities differ by {gap}");
    }
}

/// A warm-started fit reaches the cold fit's solution within the solver's tolerance, for
/// both dual solvers, along an increasing and a decreasing step of C.
#[test]
fn warm_started_fits_equal_cold_fits() {
    let (t, l) = texts(150, 3, 0.2, 6);
    let (_, x) = Featurizer::fit_transform_with(&crate::FeaturizerConfig::default(), &t, &mut crate::progress::silent)
        .expect("features");
    let (classes, y) = crate::model::encode_labels(&l).expect("labels");
    let k = classes.len();
    let none = &mut |_: usize, _: f64| Ok(());
    let (eps, epochs) = (1e-10, 50_000);
    // Multinomial.
    let ratios = nb_ratios(&x, &y, k, Some(1.0), None).expect("ratios");
    let problem = mdcd::Prepared::new(x.clone(), k, ratios.as_deref(), Some(1.0));
    for (c1, c2) in [(1.0, 4.0), (4.0, 1.0)] {
        let costs1 = vec![c1; y.len()];
        let costs2 = vec![c2; y.len()];
        let (_, state) = problem.solve(&y, &costs1, None, eps, epochs, 7, none).expect("first");
        let warm_init = state.shifted(c2 / c1, &y, &costs1);
        let ((wa, ba), _) = problem
            .solve(&y, &costs2, Some(&warm_init), eps, epochs, 7, none)
            .expect("warm");
        let ((wb, bb), _) = problem.solve(&y, &costs2, None, eps, epochs, 7, none).expect("cold");
        let gap = wa
            .iter()
            .flatten()
            .zip(wb.iter().flatten())
            .chain(ba.iter().zip(&bb))
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(gap < 1e-5, "multinomial {c1} -> {c2}: weights differ by {gap}");
    }
    // Binary.
    let signs: Vec<f64> = y.iter().map(|&c| if c == 1 { 1.0 } else { -1.0 }).collect();
    let problem = dcd::Prepared::new(x.clone());
    for (c1, c2) in [(1.0, 4.0), (4.0, 1.0)] {
        let costs1 = vec![c1; y.len()];
        let costs2 = vec![c2; y.len()];
        let (_, _, alpha) = problem
            .solve(&signs, &costs1, None, Some(1.0), eps, epochs, 7, none)
            .expect("first");
        let init = dcd::rebox_dual(&alpha, &costs2);
        let (wa, ba, _) = problem
            .solve(&signs, &costs2, Some(&init), Some(1.0), eps, epochs, 7, none)
            .expect("warm");
        let (wb, bb, _) = problem
            .solve(&signs, &costs2, None, Some(1.0), eps, epochs, 7, none)
            .expect("cold");
        let gap = wa
            .iter()
            .zip(&wb)
            .map(|(a, b)| (a - b).abs())
            .fold((ba - bb).abs(), f64::max);
        assert!(gap < 1e-5, "binary {c1} -> {c2}: weights differ by {gap}");
    }
}

/// Events in order: tuning started, its folds with one `TuneFitted` per setting, the choice,
/// then the final fit; and a stop during tuning is a typed error.
#[test]
fn tuning_reports_progress_and_can_be_stopped() {
    let (t, l) = texts(60, 2, 0.1, 8);
    let mut events = Vec::new();
    let model = Model::train_with(&t, &l, &ModelParams::default(), &mut |e: &TrainEvent| {
        events.push(e.clone());
        ControlFlow::Continue(())
    })
    .expect("train");
    let report = model.tuning().expect("report");
    let fitted = events
        .iter()
        .filter(|e| matches!(e, TrainEvent::TuneFitted { .. }))
        .count();
    assert_eq!(fitted, report.folds * report.candidates.len());
    let started = events
        .iter()
        .position(|e| matches!(e, TrainEvent::TuneStarted { .. }))
        .expect("started");
    let finished = events
        .iter()
        .position(|e| matches!(e, TrainEvent::TuneFinished { .. }))
        .expect("finished");
    assert!(started < finished);
    assert!(matches!(
        events[started + 1],
        TrainEvent::FoldStarted {
            purpose: FoldPurpose::Tuning,
            fold: 0,
            ..
        }
    ));
    // The final fit comes after the choice.
    assert!(events[finished..]
        .iter()
        .any(|e| matches!(e, TrainEvent::SolverFinished { .. })));
    let stopped = Model::train_with(&t, &l, &ModelParams::default(), &mut |e: &TrainEvent| match e {
        TrainEvent::TuneFitted { candidate: 3, .. } => ControlFlow::Break(()),
        _ => ControlFlow::Continue(()),
    });
    assert!(
        matches!(stopped, Err(Error::Cancelled { stage: "tuning" })),
        "{stopped:?}"
    );
}

/// A class of one member: no folds; the fixed values, with a note.
#[test]
fn a_singleton_class_falls_back_to_the_fixed_values() {
    let t = [
        "froze assets",
        "imposed sanctions",
        "welcomed talks",
        "eased sanctions",
        "said nothing",
    ];
    let l = ["hard", "hard", "soft", "soft", "neutral"];
    let model = Model::train(&t, &l, &ModelParams::default()).expect("train");
    let report = model.tuning().expect("report");
    assert_eq!(report.best, None);
    assert_eq!(report.c, crate::model::DEFAULT_C);
    assert!(report.note.is_some());
}

/// Tuning settings are checked; fixing a value takes it out of the grid; the report survives a
/// save and load; a file without the tuning fields (every file written before) loads as
/// fixed settings.
#[test]
fn settings_are_checked_and_reports_persist() {
    let bad = |spec: TuneSpec| LogisticParams::default().tune(Some(spec)).validate().is_err();
    assert!(bad(TuneSpec {
        c: Some(vec![]),
        ..TuneSpec::default()
    }));
    assert!(bad(TuneSpec {
        c: Some(vec![-1.0]),
        ..TuneSpec::default()
    }));
    assert!(bad(TuneSpec {
        folds: 1,
        ..TuneSpec::default()
    }));
    assert!(bad(TuneSpec {
        nb_alpha: Some(vec![Some(0.0)]),
        ..TuneSpec::default()
    }));
    let p = LogisticParams::default().c(2.0);
    assert_eq!(p.get().tune().and_then(|t| t.c.as_ref()), None);
    assert!(p.get().tune().and_then(|t| t.class_weight.as_ref()).is_some());
    assert!(p.class_weight(ClassWeight::Balanced).get().tune().is_none());
    let (t, l) = texts(60, 3, 0.1, 9);
    let model = Model::train(&t, &l, &ModelParams::default()).expect("train");
    let loaded = Model::from_bytes(&model.to_bytes().expect("bytes")).expect("load");
    assert_eq!(loaded.tuning(), model.tuning());
    assert_eq!(loaded.params(), model.params());
    // The bundled models' files predate self-tuning: they load, with nothing tuned.
    let stance = Model::bundled_stance().expect("bundled");
    assert!(stance.tuning().is_none());
    assert!(stance.params().expect("params").logistic.get().tune().is_none());
    // A LinearModel fit on a matrix tunes on its rows.
    let (_, x) = Featurizer::fit_transform_with(&crate::FeaturizerConfig::default(), &t, &mut crate::progress::silent)
        .expect("features");
    let auto = LinearModel::fit(&LogisticParams::default(), &x, &l).expect("auto");
    assert_eq!(auto.classes().len(), 3);
}
