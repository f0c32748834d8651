use super::*;
use crate::features::{Featurizer, FeaturizerConfig};
use crate::Error;
use linfa::prelude::*;
use ndarray::Array1;

/// A small, noisy two-feature-family problem with a known direction.
fn toy(n: usize, k: usize) -> (CsrMatrix, Vec<String>) {
    let mut rng = SplitMix64::new(7);
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n {
        let class = i % k;
        let mut row = Vec::new();
        for col in 0..6u32 {
            let signal = if col as usize % k == class { 0.8 } else { 0.1 };
            let noise = (rng.next_u64() % 1000) as f32 / 1000.0 * 0.6;
            row.push((col, signal + noise));
        }
        rows.push(row);
        labels.push(format!("c{class}"));
    }
    (CsrMatrix::from_sorted_rows(rows, 6), labels)
}

#[test]
fn params_are_checked() {
    for p in [
        LogisticParams::default().c(0.0),
        LogisticParams::default().c(f64::NAN),
        LogisticParams::default().tol(-1.0),
        LogisticParams::default().max_iter(0),
        LogisticParams::default().intercept_scaling(f64::INFINITY),
        LogisticParams::default().nb_scaling(Some(-1.0)),
        LogisticParams::default().class_weight(ClassWeight::Explicit(vec![("a".into(), f64::NAN)])),
        LogisticParams::default().class_weight(ClassWeight::Explicit(vec![("a".into(), 0.0)])),
    ] {
        assert!(matches!(p.check_ref(), Err(Error::InvalidParameter { .. })), "{p:?}");
    }
}

/// Our dual coordinate descent reaches linfa-logistic's optimum on a small dense problem.
///
/// Without intercept both minimize exactly the same objective: coefficients agree to 1e-4 and
/// probabilities to 1e-5. With intercept, ours is regularized (LIBLINEAR-style) while linfa's
/// is not; with `intercept_scaling = 100` the difference shrinks to below 5e-3 on
/// coefficients and 1e-3 on probabilities.
#[test]
fn dual_cd_agrees_with_linfa_logistic() {
    let (x, y) = toy(200, 2);
    let c = 2.0;
    let dense = x.to_dense();
    for (intercept, coef_tol, prob_tol) in [(false, 1e-4, 1e-5), (true, 5e-3, 1e-3)] {
        let ours = LinearModel::fit(
            &LogisticParams::default()
                .c(c)
                .nb_scaling(None)
                .tol(1e-10)
                .max_iter(20_000)
                .fit_intercept(intercept)
                .intercept_scaling(100.0),
            &x,
            &y,
        )
        .expect("fit");
        let ds = Dataset::new(dense.clone(), Array1::from(y.clone()));
        let theirs = linfa_logistic::LogisticRegression::default()
            .alpha(1.0 / c)
            .with_intercept(intercept)
            .gradient_tolerance(1e-10)
            .max_iterations(2000)
            .fit(&ds)
            .expect("linfa fit");
        // linfa names its own positive class; ours is the second sorted class ("c1").
        let (sign, col) = if theirs.labels().pos.class == "c1" {
            (1.0, 1)
        } else {
            (-1.0, 0)
        };
        for (a, b) in ours.weights()[0].iter().zip(theirs.params().iter()) {
            assert!(
                (a - sign * b).abs() < coef_tol,
                "intercept {intercept}: coefficient {a} vs {}",
                sign * b
            );
        }
        assert!((ours.intercepts()[0] - sign * theirs.intercept()).abs() < coef_tol);
        let p_ours = ours.predict_proba(&x);
        let p_theirs = theirs.predict_probabilities(&dense);
        for i in 0..x.nrows() {
            assert!(
                (p_ours[(i, col)] - p_theirs[i]).abs() < prob_tol,
                "intercept {intercept}: row {i}"
            );
        }
    }
}

/// Our multinomial L-BFGS reaches linfa-logistic's multinomial optimum.
#[test]
fn multinomial_lbfgs_agrees_with_linfa_logistic() {
    let (x, y) = toy(240, 3);
    let c = 2.0;
    let ours = LinearModel::fit(
        &LogisticParams::default()
            .c(c)
            .nb_scaling(None)
            .tol(1e-9)
            .max_iter(2000)
            .solver(Solver::Lbfgs),
        &x,
        &y,
    )
    .expect("fit");
    let dense = x.to_dense();
    let ds = Dataset::new(dense.clone(), Array1::from(y.clone()));
    let theirs = linfa_logistic::MultiLogisticRegression::default()
        .alpha(1.0 / c)
        .gradient_tolerance(1e-10)
        .max_iterations(2000)
        .fit(&ds)
        .expect("linfa fit");
    let p_ours = ours.predict_proba(&x);
    let p_theirs = theirs.predict_probabilities(&dense);
    let order: Vec<usize> = ours
        .classes()
        .iter()
        .map(|c| theirs.classes().iter().position(|t| t == c).unwrap_or(0))
        .collect();
    for i in 0..x.nrows() {
        for (j, &tj) in order.iter().enumerate() {
            assert!((p_ours[(i, j)] - p_theirs[(i, tj)]).abs() < 1e-4, "row {i} class {j}");
        }
    }
}

/// A two-class softmax with both rows penalized is binary logistic regression with C doubled
/// (at the optimum the rows are opposite), so L-BFGS at C must match DCD at 2C.
#[test]
fn lbfgs_and_dcd_agree_on_two_classes_without_intercept() {
    let (x, y) = toy(200, 2);
    let base = LogisticParams::default()
        .nb_scaling(None)
        .tol(1e-10)
        .max_iter(5000)
        .fit_intercept(false);
    let a = LinearModel::fit(&base.clone().c(2.0).solver(Solver::DualCd), &x, &y).expect("dcd");
    let b = LinearModel::fit(&base.c(1.0).solver(Solver::Lbfgs), &x, &y).expect("lbfgs");
    for (wa, wb) in a.weights()[0].iter().zip(&b.weights()[0]) {
        assert!((wa - wb).abs() < 1e-3, "{wa} vs {wb}");
    }
}

#[test]
fn linfa_fit_and_predict_traits() {
    let (x, y) = toy(120, 3);
    let ds = DatasetBase::new(x.clone(), Array1::from(y.clone()));
    // NB ratios are all zero on this dense toy (every feature is in every row), so turn NB off.
    let model = LogisticParams::default()
        .nb_scaling(None)
        .fit(&ds)
        .expect("fit via linfa");
    let mut pred: Array1<String> = model.default_target(&x);
    model.predict_inplace(&x, &mut pred);
    let acc = pred.iter().zip(&y).filter(|(p, t)| p == t).count() as f64 / y.len() as f64;
    assert!(acc > 0.8, "accuracy {acc}");
}

#[test]
fn training_is_deterministic_across_thread_counts() {
    let docs: Vec<String> = (0..600)
        .map(|i| {
            format!(
                "passage {} about sanctions {} and talks {}",
                i % 17,
                i % 5,
                if i % 2 == 0 { "agreed" } else { "collapsed" }
            )
        })
        .collect();
    let labels: Vec<String> = (0..600).map(|i| ["a", "b", "c"][i % 3].to_string()).collect();
    let run = |threads: usize| {
        rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool")
            .install(|| {
                let (_, x) = Featurizer::fit_transform(&FeaturizerConfig::default(), &docs).expect("features");
                let m3 = LinearModel::fit(&LogisticParams::default(), &x, &labels).expect("3 classes");
                let two: Vec<String> = labels
                    .iter()
                    .map(|l| if l == "a" { "a".into() } else { "b".into() })
                    .collect();
                let m2 = LinearModel::fit(&LogisticParams::default(), &x, &two).expect("2 classes");
                (m3, m2)
            })
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn class_weights_shift_the_decision() {
    let (x, y) = toy(200, 2);
    let plain = LinearModel::fit(&LogisticParams::default(), &x, &y).expect("fit");
    let heavy = LinearModel::fit(
        &LogisticParams::default().class_weight(ClassWeight::Explicit(vec![("c1".into(), 20.0)])),
        &x,
        &y,
    )
    .expect("fit");
    assert!(heavy.intercepts()[0] > plain.intercepts()[0]);
    let unknown = LogisticParams::default().class_weight(ClassWeight::Explicit(vec![("zz".into(), 2.0)]));
    assert!(matches!(
        LinearModel::fit(&unknown, &x, &y),
        Err(Error::UnknownLabel { .. })
    ));
    let balanced = LinearModel::fit(&LogisticParams::default().class_weight(ClassWeight::Balanced), &x, &y);
    assert!(balanced.is_ok());
}

#[test]
fn bad_training_inputs() {
    let (x, y) = toy(10, 2);
    assert!(matches!(
        LinearModel::fit(&LogisticParams::default(), &x, &y[..5]),
        Err(Error::LengthMismatch { .. })
    ));
    let one: Vec<String> = vec!["a".into(); 10];
    assert!(matches!(
        LinearModel::fit(&LogisticParams::default(), &x, &one),
        Err(Error::SingleClass { .. })
    ));
    // Dual CD used to refuse three classes; it now fits them with the multinomial solver.
    let three = LinearModel::fit(
        &LogisticParams::default().solver(Solver::DualCd),
        &toy(12, 3).0,
        &toy(12, 3).1,
    );
    assert_eq!(three.map(|m| m.weights().len()).ok(), Some(3));
}

#[test]
fn weights_are_kept_at_f32_precision() {
    let classes = || vec!["a".to_string(), "b".to_string()];
    let m = LinearModel::from_parts(classes(), vec![vec![0.1, -1.0 / 3.0, 0.0]], vec![0.1], 3).expect("parts");
    assert_eq!(m.weights()[0], [f64::from(0.1f32), f64::from(-1.0f32 / 3.0), 0.0]);
    assert_ne!(m.weights()[0][0], 0.1, "rounded, not kept at f64 precision");
    assert_eq!(m.intercepts(), [0.1], "intercepts stay f64");
    for w in [1e300, f64::INFINITY, f64::NAN] {
        let err = LinearModel::from_parts(classes(), vec![vec![w]], vec![0.0], 1).expect_err("beyond f32");
        assert!(matches!(err, Error::InvalidParameter { .. }), "{w}: {err}");
    }
    for (solver, k) in [(Solver::Lbfgs, 2), (Solver::DualCd, 2), (Solver::DualCd, 3)] {
        // NB scaling off: its ratios count the rows holding a column, and every toy row holds
        // all six, so they would all be 0 and so would every weight.
        let (x, y) = toy(200, k);
        let params = LogisticParams::default().nb_scaling(None).solver(solver);
        let fitted = LinearModel::fit(&params, &x, &y).expect("fit");
        let all = fitted.weights().iter().flatten();
        assert!(all.clone().all(|&w| w == f64::from(w as f32)), "{solver:?}");
        assert!(all.clone().any(|&w| w != 0.0), "{solver:?}: {:?}", fitted.weights());
    }
}

#[test]
fn splitmix_shuffle_is_a_fixed_permutation() {
    let mut v: Vec<u32> = (0..10).collect();
    SplitMix64::new(1).shuffle(&mut v);
    let mut w: Vec<u32> = (0..10).collect();
    SplitMix64::new(1).shuffle(&mut w);
    assert_eq!(v, w);
    let mut sorted = v.clone();
    sorted.sort();
    assert_eq!(sorted, (0..10).collect::<Vec<_>>());
    assert_ne!(v, (0..10).collect::<Vec<_>>());
}

/// Largest absolute difference between two models' class probabilities on `x`.
fn max_prob_gap(a: &LinearModel, b: &LinearModel, x: &CsrMatrix) -> f64 {
    let (pa, pb) = (a.predict_proba(x), b.predict_proba(x));
    pa.iter().zip(pb.iter()).map(|(p, q)| (p - q).abs()).fold(0.0, f64::max)
}

/// A sparse three-class problem whose columns differ in how often they occur (so that the
/// Naive-Bayes ratios are not all equal), `n` rows.
fn sparse_toy(n: usize, k: usize, seed: u64) -> (CsrMatrix, Vec<String>) {
    let mut rng = SplitMix64::new(seed);
    let d = 40u32;
    let mut rows = Vec::new();
    let mut labels = Vec::new();
    for i in 0..n {
        let class = i % k;
        let mut row: Vec<(u32, f32)> = Vec::new();
        for col in 0..d {
            let own = col as usize % k == class;
            let p = if own { 300 } else { 120 } + u64::from(col) * 3;
            if rng.next_u64() % 1000 < p {
                row.push((col, 0.2 + (rng.next_u64() % 800) as f32 / 1000.0));
            }
        }
        rows.push(row);
        labels.push(format!("c{class}"));
    }
    (CsrMatrix::from_sorted_rows(rows, d as usize), labels)
}

/// Multinomial dual coordinate descent reaches linfa-logistic's multinomial optimum when
/// both minimize the same objective (no intercept).
#[test]
fn multinomial_dual_cd_agrees_with_linfa_logistic() {
    let (x, y) = toy(240, 3);
    let c = 2.0;
    let ours = LinearModel::fit(
        &LogisticParams::default()
            .c(c)
            .nb_scaling(None)
            .tol(1e-10)
            .max_iter(20_000)
            .fit_intercept(false)
            .solver(Solver::DualCd),
        &x,
        &y,
    )
    .expect("fit");
    let dense = x.to_dense();
    let ds = Dataset::new(dense.clone(), Array1::from(y.clone()));
    let theirs = linfa_logistic::MultiLogisticRegression::default()
        .alpha(1.0 / c)
        .with_intercept(false)
        .gradient_tolerance(1e-10)
        .max_iterations(2000)
        .fit(&ds)
        .expect("linfa fit");
    let p_ours = ours.predict_proba(&x);
    let p_theirs = theirs.predict_probabilities(&dense);
    let order: Vec<usize> = ours
        .classes()
        .iter()
        .map(|c| theirs.classes().iter().position(|t| t == c).unwrap_or(0))
        .collect();
    for i in 0..x.nrows() {
        for (j, &tj) in order.iter().enumerate() {
            assert!((p_ours[(i, j)] - p_theirs[(i, tj)]).abs() < 1e-5, "row {i} class {j}");
        }
    }
}

/// With Naive-Bayes scaling (per-class column ratios) and no intercept, the dual and the
/// primal (L-BFGS) multinomial solvers minimize one objective and must meet.
#[test]
fn multinomial_dual_cd_agrees_with_lbfgs_under_nb_scaling() {
    let (x, y) = sparse_toy(300, 3, 5);
    let base = LogisticParams::default().c(4.0).fit_intercept(false).max_iter(20_000);
    let dcd = LinearModel::fit(&base.clone().tol(1e-10).solver(Solver::DualCd), &x, &y).expect("dcd");
    let lbfgs = LinearModel::fit(&base.tol(1e-10).solver(Solver::Lbfgs), &x, &y).expect("lbfgs");
    let gap = max_prob_gap(&dcd, &lbfgs, &x);
    assert!(gap < 1e-4, "probabilities differ by {gap}");
    // Softmax weights are defined up to a shift common to the classes; with the penalty the
    // optimum is unique, so the weights agree too.
    for (a, b) in dcd.weights().iter().flatten().zip(lbfgs.weights().iter().flatten()) {
        assert!((a - b).abs() < 1e-3, "{a} vs {b}");
    }
}

/// The default multinomial fit (dual CD, tolerance 0.1) is close to the exact optimum: what
/// the looser tolerance costs is small.
#[test]
fn multinomial_dual_cd_default_tolerance_is_near_the_optimum() {
    let (x, y) = sparse_toy(400, 3, 9);
    let loose = LinearModel::fit(&LogisticParams::default(), &x, &y).expect("default");
    let tight = LinearModel::fit(&LogisticParams::default().tol(1e-10).max_iter(20_000), &x, &y).expect("tight");
    let gap = max_prob_gap(&loose, &tight, &x);
    assert!(gap < 0.05, "probabilities differ by {gap}");
}

/// Each solver, with Naive-Bayes scaling on: integer sample weights give the model of the
/// rows repeated, and a zero weight the model without the row.
#[test]
fn sample_weights_equal_repeated_and_dropped_rows() {
    for (k, solver) in [
        (2, Solver::DualCd),
        (3, Solver::DualCd),
        (3, Solver::Lbfgs),
        (2, Solver::Lbfgs),
    ] {
        let (x, y) = sparse_toy(90, k, 3);
        let weights: Vec<f64> = (0..x.nrows()).map(|i| [1.0, 2.0, 0.0, 3.0][i % 4]).collect();
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for (i, &w) in weights.iter().enumerate() {
            for _ in 0..w as usize {
                let (c, v) = x.row(i);
                rows.push(c.iter().copied().zip(v.iter().copied()).collect::<Vec<_>>());
                labels.push(y[i].clone());
            }
        }
        let repeated = CsrMatrix::from_sorted_rows(rows, x.ncols());
        let params = LogisticParams::default()
            .c(DEFAULT_C)
            .solver(solver)
            .class_weight(ClassWeight::Balanced)
            .tol(if solver == Solver::Lbfgs { 1e-9 } else { 1e-10 })
            .max_iter(20_000);
        let weighted = LinearModel::fit_weighted(&params, &x, &y, Some(&weights)).expect("weighted");
        let expanded = LinearModel::fit(&params, &repeated, &labels).expect("repeated");
        let gap = max_prob_gap(&weighted, &expanded, &x);
        assert!(gap < 1e-4, "{k} classes, {solver:?}: probabilities differ by {gap}");
        let unweighted = LinearModel::fit(&params, &x, &y).expect("unweighted");
        assert!(
            max_prob_gap(&weighted, &unweighted, &x) > 1e-3,
            "{solver:?}: weights changed nothing"
        );
    }
}

#[test]
fn sample_weights_are_checked() {
    let (x, y) = toy(20, 2);
    let fit = |w: &[f64]| LinearModel::fit_weighted(&LogisticParams::default(), &x, &y, Some(w));
    assert!(matches!(
        fit(&[1.0; 19]),
        Err(Error::LengthMismatch {
            left: 19,
            right: 20,
            ..
        })
    ));
    for (bad, at) in [(f64::NAN, 3), (f64::INFINITY, 0), (-1.0, 19)] {
        let mut w = vec![1.0; 20];
        w[at] = bad;
        match fit(&w) {
            Err(Error::InvalidSampleWeight { index, .. }) => assert_eq!(index, at),
            other => panic!("{bad}: {other:?}"),
        }
    }
    assert!(matches!(fit(&[0.0; 20]), Err(Error::ZeroSampleWeights { n: 20 })));
    assert!(fit(&[0.5; 20]).is_ok());
}

/// Columns that only one row uses are taken out of the multinomial solver's loops (their
/// weights follow from that row's dual variables): the solution must still be the optimum,
/// own columns' weights included. Checked against L-BFGS, which has no such shortcut, with
/// Naive-Bayes scaling on and some rows of zero weight (whose own columns keep weight 0).
#[test]
fn multinomial_dual_cd_handles_single_row_columns() {
    let (shared, y) = sparse_toy(150, 3, 21);
    let d_shared = shared.ncols() as u32;
    let mut rows = Vec::new();
    for i in 0..shared.nrows() {
        let (c, v) = shared.row(i);
        let mut row: Vec<(u32, f32)> = c.iter().copied().zip(v.iter().copied()).collect();
        // Two columns of this row's own, plus one column nobody uses (every fifth index).
        let base = d_shared + 3 * i as u32;
        row.push((base, 0.3 + (i % 7) as f32 / 10.0));
        row.push((base + 1, 0.9));
        rows.push(row);
    }
    let x = CsrMatrix::from_sorted_rows(rows, (d_shared + 3 * 150) as usize);
    let weights: Vec<f64> = (0..x.nrows()).map(|i| if i % 9 == 4 { 0.0 } else { 1.0 }).collect();
    let base = LogisticParams::default()
        .c(3.0)
        .fit_intercept(false)
        .max_iter(20_000)
        .tol(1e-10);
    let dcd = LinearModel::fit_weighted(&base.clone().solver(Solver::DualCd), &x, &y, Some(&weights)).expect("dcd");
    let lbfgs = LinearModel::fit_weighted(&base.solver(Solver::Lbfgs), &x, &y, Some(&weights)).expect("lbfgs");
    let gap = max_prob_gap(&dcd, &lbfgs, &x);
    assert!(gap < 1e-4, "probabilities differ by {gap}");
    for (j, (a, b)) in dcd.weights().iter().zip(lbfgs.weights()).enumerate() {
        for (col, (wa, wb)) in a.iter().zip(b).enumerate() {
            assert!((wa - wb).abs() < 1e-3, "class {j} column {col}: {wa} vs {wb}");
        }
    }
    let own = |i: usize| d_shared as usize + 3 * i;
    assert!(
        dcd.weights().iter().all(|w| w[own(4)] == 0.0),
        "a zero-weight row's own column"
    );
    assert!(
        dcd.weights().iter().any(|w| w[own(0)].abs() > 1e-3),
        "own columns get weights"
    );
}
