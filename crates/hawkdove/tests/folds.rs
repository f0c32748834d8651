#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! Fold counts are bounded by the data (issue 25): more folds than the smallest class has
//! members is a typed error before any work (scikit-learn's rule), for calibration folds and
//! cross-validation folds, in the library and in the `evaluate` example.

use std::path::{Path, PathBuf};
use std::process::Command;

use hawkdove::eval::cross_validate;
use hawkdove::{Calibration, Error, Model, ModelParams};

const TEXTS: [&str; 6] = [
    "imposed sanctions and froze assets",
    "threatened retaliation and expelled diplomats",
    "welcomed talks and eased sanctions",
    "agreed to a ceasefire and resumed dialogue",
    "the committee meets in Geneva",
    "the report was published on Tuesday",
];
const LABELS: [&str; 6] = ["hard", "hard", "soft", "soft", "neutral", "neutral"];

fn calibrated(folds: usize) -> ModelParams {
    ModelParams {
        calibration: Calibration::Temperature { folds },
        ..ModelParams::default()
    }
}

fn assert_folds_error(got: Result<impl Sized, Error>, name: &str, folds: usize) {
    match got {
        Err(Error::InvalidParameter {
            name: n, value, reason, ..
        }) => {
            assert_eq!(n, name);
            assert_eq!(value, folds.to_string());
            assert!(reason.contains("smallest class") && reason.contains("(2)"), "{reason}");
        }
        Err(other) => panic!("expected InvalidParameter {name}, got {other}"),
        Ok(_) => panic!("expected InvalidParameter {name}, got Ok"),
    }
}

#[test]
fn calibration_folds_beyond_the_smallest_class_are_refused() {
    // 10^9 folds of 6 texts ran 84 s and then succeeded.
    assert_folds_error(
        Model::train(&TEXTS, &LABELS, &calibrated(1_000_000_000)),
        "calibration.folds",
        1_000_000_000,
    );
    assert_folds_error(Model::train(&TEXTS, &LABELS, &calibrated(3)), "calibration.folds", 3);
    assert!(
        Model::train(&TEXTS, &LABELS, &calibrated(2)).is_ok(),
        "as many folds as members is fine"
    );
}

#[test]
fn cross_validation_folds_beyond_the_smallest_class_are_refused() {
    let d = ModelParams::default();
    assert_folds_error(cross_validate(&TEXTS, &LABELS, &d, 100_000, 0), "folds", 100_000);
    assert_folds_error(cross_validate(&TEXTS, &LABELS, &d, 3, 0), "folds", 3);
    assert!(cross_validate(&TEXTS, &LABELS, &d, 2, 0).is_ok());
    // Calibration inside cross-validation: each training split has 1 text per class here.
    let texts: Vec<&str> = TEXTS.iter().chain(&TEXTS).copied().collect();
    let labels: Vec<&str> = LABELS.iter().chain(&LABELS).copied().collect();
    match cross_validate(&texts, &labels, &calibrated(3), 2, 0) {
        Err(Error::InvalidParameter { name, .. }) => assert_eq!(name, "calibration.folds"),
        other => panic!("expected calibration.folds, got {:?}", other.map(|_| "a report")),
    }
    assert!(cross_validate(&texts, &labels, &calibrated(2), 2, 0).is_ok());
}

/// The `evaluate` example, built (or brought up to date) next to this test's profile.
fn evaluate() -> PathBuf {
    let exe = std::env::current_exe().expect("test exe");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    let bin = profile_dir
        .join("examples")
        .join(format!("evaluate{}", std::env::consts::EXE_SUFFIX));
    let mut cmd = Command::new(env!("CARGO"));
    cmd.args(["build", "--example", "evaluate", "-p", "hawkdove-cli"]);
    if profile_dir.ends_with("release") {
        cmd.arg("--release");
    }
    assert!(cmd.status().expect("cargo build").success());
    bin
}

#[test]
fn the_evaluate_example_refuses_too_many_folds() {
    let dir = std::env::temp_dir().join(format!("hawkdove-folds-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let data = dir.join("d.tsv");
    let tsv: String = LABELS.iter().zip(TEXTS).map(|(l, t)| format!("{l}\t{t}\n")).collect();
    std::fs::write(&data, tsv).expect("write");
    let out = Command::new(evaluate())
        .args(["--data", data.to_str().expect("utf-8"), "--folds", "100000"])
        .output()
        .expect("run evaluate");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success(),
        "evaluate --folds 100000 succeeded: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        stderr.contains("folds") && stderr.contains("smallest class"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
