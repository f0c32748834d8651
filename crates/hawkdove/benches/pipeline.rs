#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! Criterion benches for the pipeline stages: tokenize, featurize (fit and transform), fit and
//! predict. They read `../shared/data/mr/all.tsv` when it is present beside the repository and
//! otherwise use a corpus generated with a fixed seed, so they always run.
//!
//! `cargo bench -p hawkdove` (set `RAYON_NUM_THREADS=1` for single-thread throughput).

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hawkdove::eval::read_tsv;
use hawkdove::features::Scratch;
use hawkdove::text::{Analysis, Analyzer};
use hawkdove::{Featurizer, FeaturizerConfig, LinearModel, LogisticParams, Model, ModelParams};

fn corpus() -> (Vec<String>, Vec<String>) {
    let mr = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/mr/all.tsv");
    if let Ok(rows) = read_tsv(&mr) {
        return rows.into_iter().map(|r| (r.text, r.label)).unzip();
    }
    // Fallback: deterministic pseudo-sentences over a small vocabulary.
    let words = [
        "sanctions",
        "talks",
        "ceasefire",
        "condemned",
        "welcomed",
        "troops",
        "dialogue",
        "tariffs",
        "the",
        "and",
        "not",
        "minister",
        "said",
        "on",
        "tuesday",
        "border",
        "assets",
        "froze",
    ];
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    (0..10_000)
        .map(|i| {
            let n = 10 + (next() % 25) as usize;
            let text: Vec<&str> = (0..n).map(|_| words[(next() % words.len() as u64) as usize]).collect();
            (
                text.join(" "),
                if i % 2 == 0 {
                    "pos".to_string()
                } else {
                    "neg".to_string()
                },
            )
        })
        .unzip()
}

fn benches(c: &mut Criterion) {
    let (texts, labels) = corpus();
    let bytes: usize = texts.iter().map(String::len).sum();
    let config = FeaturizerConfig::default();

    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(bytes as u64));
    let analyzer = Analyzer::new(&config.text);
    g.bench_function("tokenize", |b| {
        let mut a = Analysis::default();
        b.iter(|| {
            for t in &texts {
                analyzer.analyze_into(black_box(t), &mut a);
            }
        })
    });
    g.bench_function("featurize_fit", |b| {
        b.iter(|| Featurizer::fit_transform(&config, black_box(&texts)))
    });
    let (featurizer, x) = Featurizer::fit_transform(&config, &texts).expect("featurize");
    g.bench_function("featurize_transform_1thread", |b| {
        let mut s = Scratch::default();
        b.iter(|| {
            for t in &texts {
                black_box(featurizer.transform_one(t, &mut s));
            }
        })
    });
    g.bench_function("fit_dual_cd", |b| {
        b.iter(|| LinearModel::fit(&LogisticParams::default(), black_box(&x), &labels))
    });
    let model = Model::train(&texts, &labels, &ModelParams::default()).expect("train");
    g.bench_function("predict_1thread", |b| {
        let mut s = Scratch::default();
        b.iter(|| {
            for t in &texts {
                black_box(model.predict_with(t, &mut s));
            }
        })
    });
    g.bench_function("predict_batch_all_threads", |b| {
        b.iter(|| model.predict_batch(black_box(&texts)))
    });
    g.finish();
}

criterion_group!(pipeline, benches);
criterion_main!(pipeline);
