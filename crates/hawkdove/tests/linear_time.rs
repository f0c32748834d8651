#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! Every text-processing path is linear in the text's length (issue 25): hostile inputs are
//! timed against ordinary text of the same size in the same run, and must stay within a
//! generous ratio of it (a ratio, not seconds, so a slow or busy machine does not matter).

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use hawkdove::Model;

/// Hostile time may be at most this many times the ordinary time. Quadratic behaviour on
/// 1 MB is hundreds to thousands of times slower, so this separates the two with room to
/// spare for noise on a shared machine.
const MAX_RATIO: f64 = 20.0;
const MB: usize = 1 << 20;

fn model() -> &'static Model {
    static M: OnceLock<Model> = OnceLock::new();
    M.get_or_init(|| Model::bundled_stance().expect("bundled"))
}

fn repeat_to(unit: &str, bytes: usize) -> String {
    unit.repeat(bytes / unit.len() + 1)[..bytes / unit.len() * unit.len()].to_string()
}

fn ordinary() -> String {
    repeat_to(
        "The ministers resumed talks on the ceasefire and agreed to meet again next week. ",
        MB,
    )
}

/// The fastest of up to three runs (the least disturbed by other work on the machine),
/// stopping at the first within `limit`.
fn best_of_three(limit: Duration, f: impl Fn()) -> Duration {
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        f();
        best = best.min(t.elapsed());
        if best <= limit {
            break;
        }
    }
    best
}

fn assert_linear(what: &str, hostile: &[(&str, String)], f: impl Fn(&str)) {
    let base_text = ordinary();
    let base = best_of_three(Duration::ZERO, || f(&base_text)).max(Duration::from_millis(1));
    let limit = base.mul_f64(MAX_RATIO);
    for (name, text) in hostile {
        let took = best_of_three(limit, || f(text));
        let ratio = took.as_secs_f64() / base.as_secs_f64();
        eprintln!("{what} {name}: {took:?} vs ordinary {base:?} (ratio {ratio:.2})");
        assert!(
            ratio <= MAX_RATIO,
            "{what} on 1 MB of {name} took {took:?}, {ratio:.1}x the {base:?} of 1 MB of ordinary text"
        );
    }
}

fn unclosed_markup() -> Vec<(&'static str, String)> {
    [
        "<!--",
        "<script>",
        "<style>",
        "<script",
        "<style",
        "<SCRIPT>x</scrip",
        "<!--<script><style>",
    ]
    .into_iter()
    .map(|unit| (unit, repeat_to(unit, MB)))
    .collect()
}

#[test]
fn unclosed_markup_is_scanned_in_linear_time_by_predict() {
    assert_linear("predict", &unclosed_markup(), |t| {
        std::hint::black_box(model().predict(t));
    });
}

#[test]
fn unclosed_markup_is_scanned_in_linear_time_by_explain() {
    assert_linear("explain", &unclosed_markup(), |t| {
        std::hint::black_box(model().explain(t));
    });
}
