use super::*;
use crate::text::TextConfig;

const DOCS: &[&str] = &[
    "Talks resumed after the ceasefire held.",
    "The ministry imposed sanctions and froze assets.",
    "Sanctions, sanctions and more sanctions were imposed!",
    "The envoy welcomed the talks and the ceasefire.",
    "Assets were frozen after talks collapsed; officials didn't comment.",
];

fn plain_config() -> FeaturizerConfig {
    FeaturizerConfig {
        text: TextConfig {
            stemmer: None,
            negation: None,
            ..TextConfig::default()
        },
        ..FeaturizerConfig::default()
    }
}

fn with_lexicon(mut config: FeaturizerConfig) -> FeaturizerConfig {
    config.lexicon = Some(
        Lexicon::parse("hard-line\tfroze assets\nhard-line\tsanctions\nconciliatory\tceasefire\n").expect("lexicon"),
    );
    config
}

#[test]
fn lexicon_columns_follow_the_vocabulary() {
    let (f, x) = Featurizer::fit_transform(&with_lexicon(FeaturizerConfig::default()), DOCS).expect("fit");
    let names = f.feature_names().unwrap_or_default();
    assert_eq!(names.len(), f.n_features());
    assert_eq!(
        &names[names.len() - 4..],
        [
            "lexicon:conciliatory",
            "lexicon:not_conciliatory",
            "lexicon:hard-line",
            "lexicon:not_hard-line"
        ]
    );
    let hard = (f.n_features() - 2) as u32;
    // Document 2 mentions sanctions three times.
    assert!(x.row(2).0.contains(&hard));
    assert!(!x.row(0).0.contains(&hard));
}

fn rows_of(m: &CsrMatrix) -> Vec<Vec<(u32, f32)>> {
    (0..m.nrows())
        .map(|i| {
            let (c, v) = m.row(i);
            c.iter().copied().zip(v.iter().copied()).collect()
        })
        .collect()
}

#[test]
fn training_rows_equal_transform_rows() {
    for config in [
        FeaturizerConfig::default(),
        FeaturizerConfig {
            char_ngrams: Some((2, 4)),
            ..FeaturizerConfig::default()
        },
        FeaturizerConfig {
            word_ngrams: (1, 3),
            ..plain_config()
        },
        FeaturizerConfig {
            word_ngrams: (2, 3),
            ..plain_config()
        },
        FeaturizerConfig {
            space: FeatureSpace::Vocabulary {
                min_df: DocFrequency::Count(2),
                max_df: DocFrequency::Fraction(0.9),
                max_features: Some(7),
            },
            ..FeaturizerConfig::default()
        },
        FeaturizerConfig {
            space: FeatureSpace::Hashing { bits: 10, seed: 3 },
            ..FeaturizerConfig::default()
        },
        with_lexicon(FeaturizerConfig::default()),
        with_lexicon(FeaturizerConfig {
            space: FeatureSpace::Hashing { bits: 8, seed: 1 },
            ..FeaturizerConfig::default()
        }),
    ] {
        let (f, x) = Featurizer::fit_transform(&config, DOCS).expect("fit");
        let again = f.transform(DOCS);
        assert_eq!(rows_of(&x), rows_of(&again), "{config:?}");
        assert_eq!(x.ncols(), f.n_features());
        // Scoring's unordered rows hold the same pairs.
        let mut scratch = Scratch::default();
        for (i, doc) in DOCS.iter().enumerate() {
            let mut unordered = f.unordered_row_into(doc, &mut scratch).to_vec();
            unordered.sort_by_key(|e| e.0);
            assert_eq!(unordered, rows_of(&x)[i], "{config:?} {doc}");
        }
    }
}

#[test]
fn rows_are_l2_normalized_and_sorted() {
    let (_, x) = Featurizer::fit_transform(&FeaturizerConfig::default(), DOCS).expect("fit");
    for i in 0..x.nrows() {
        let (c, v) = x.row(i);
        assert!(c.windows(2).all(|w| w[0] < w[1]));
        let norm: f64 = v.iter().map(|a| f64::from(*a).powi(2)).sum::<f64>().sqrt();
        assert!((norm - 1.0).abs() < 1e-5, "row {i} norm {norm}");
    }
}

#[test]
fn document_frequency_filters_and_cap() {
    let config = FeaturizerConfig {
        word_ngrams: (1, 1),
        space: FeatureSpace::Vocabulary {
            min_df: DocFrequency::Count(2),
            max_df: DocFrequency::Count(3),
            max_features: None,
        },
        ..plain_config()
    };
    let f = Featurizer::fit(&config, DOCS).expect("fit");
    let mut names = f.feature_names().unwrap_or_default();
    names.sort();
    // "the" is in 3 documents (kept), "sanctions" in 2, "talks" in 3, "and" in 3 ...
    assert!(names.contains(&"sanctions".to_string()));
    assert!(!names.contains(&"envoy".to_string()), "{names:?}");
    let capped = FeaturizerConfig {
        space: FeatureSpace::Vocabulary {
            min_df: DocFrequency::Count(1),
            max_df: DocFrequency::Fraction(1.0),
            max_features: Some(3),
        },
        ..config
    };
    let f = Featurizer::fit(&capped, DOCS).expect("fit");
    let names = f.feature_names().unwrap_or_default();
    assert_eq!(names.len(), 3);
    // The three most frequent unigrams: "sanctions" (4), "the" (4), then "and"/"talks" (3).
    assert!(
        names.contains(&"sanctions".to_string()) && names.contains(&"the".to_string()),
        "{names:?}"
    );
}

#[test]
fn unknown_words_give_empty_rows() {
    let f = Featurizer::fit(&FeaturizerConfig::default(), DOCS).expect("fit");
    let x = f.transform(&["zzz qqq", ""]);
    assert_eq!(x.nnz(), 0);
    assert_eq!(x.nrows(), 2);
}

#[test]
fn invalid_configs_are_rejected_before_work() {
    let bad = [
        FeaturizerConfig {
            word_ngrams: (0, 2),
            ..FeaturizerConfig::default()
        },
        FeaturizerConfig {
            word_ngrams: (3, 2),
            ..FeaturizerConfig::default()
        },
        FeaturizerConfig {
            word_ngrams: (1, 9),
            ..FeaturizerConfig::default()
        },
        FeaturizerConfig {
            char_ngrams: Some((4, 2)),
            ..FeaturizerConfig::default()
        },
        FeaturizerConfig {
            space: FeatureSpace::Vocabulary {
                min_df: DocFrequency::Count(1),
                max_df: DocFrequency::Fraction(1.0),
                max_features: Some(0),
            },
            ..FeaturizerConfig::default()
        },
        FeaturizerConfig {
            space: FeatureSpace::Vocabulary {
                min_df: DocFrequency::Fraction(f64::NAN),
                max_df: DocFrequency::Fraction(1.0),
                max_features: None,
            },
            ..FeaturizerConfig::default()
        },
        FeaturizerConfig {
            space: FeatureSpace::Hashing { bits: 0, seed: 0 },
            ..FeaturizerConfig::default()
        },
        FeaturizerConfig {
            space: FeatureSpace::Hashing { bits: 40, seed: 0 },
            ..FeaturizerConfig::default()
        },
    ];
    for config in bad {
        assert!(
            matches!(Featurizer::fit(&config, DOCS), Err(Error::InvalidParameter { .. })),
            "{config:?}"
        );
    }
    assert!(matches!(
        Featurizer::fit(&FeaturizerConfig::default(), &[] as &[&str]),
        Err(Error::EmptyTrainingSet)
    ));
    let strict = FeaturizerConfig {
        space: FeatureSpace::Vocabulary {
            min_df: DocFrequency::Count(50),
            max_df: DocFrequency::Fraction(1.0),
            max_features: None,
        },
        ..FeaturizerConfig::default()
    };
    assert!(matches!(
        Featurizer::fit(&strict, DOCS),
        Err(Error::EmptyVocabulary { .. })
    ));
}

#[test]
fn fitting_is_independent_of_thread_count() {
    let many: Vec<String> = (0..2000)
        .map(|i| format!("{} number {} and {}", DOCS[i % DOCS.len()], i % 37, i % 11))
        .collect();
    let fit_with = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| {
            // Unigrams are counted by term id and longer n-grams in hash maps: both paths, and
            // each alone.
            [(1, 2), (1, 1), (2, 2), (2, 3)].map(|word_ngrams| {
                let config = FeaturizerConfig {
                    word_ngrams,
                    ..FeaturizerConfig::default()
                };
                let (f, x) = Featurizer::fit_transform(&config, &many).expect("fit");
                (f.feature_names(), rows_of(&x))
            })
        })
    };
    let one = fit_with(1);
    assert_eq!(one, fit_with(3));
    let unigrams = one[1].0.clone().unwrap_or_default();
    let bigrams = one[2].0.clone().unwrap_or_default();
    assert!(unigrams.iter().all(|n| !n.contains(' ')) && !unigrams.is_empty());
    assert!(bigrams.iter().all(|n| n.split(' ').count() == 2) && !bigrams.is_empty());
    // (1, 2) is exactly the unigrams, then the bigrams.
    assert_eq!(one[0].0, Some([unigrams, bigrams].concat()));
}

#[test]
fn nb_ratios_point_to_the_class() {
    let (_, x) = Featurizer::fit_transform(&plain_config(), DOCS).expect("fit");
    let r = nb_log_count_ratios(&x, &[0, 1, 1, 0, 1], 2, 1.0).expect("ratios");
    assert_eq!(r.len(), 2);
    assert!(r[1].iter().zip(&r[0]).any(|(a, b)| a > b));
    assert!(nb_log_count_ratios(&x, &[0, 1], 2, 1.0).is_err());
    assert!(nb_log_count_ratios(&x, &[0, 1, 1, 0, 1], 2, 0.0).is_err());
}

#[test]
fn nb_ratio_by_column_ranges_matches_a_plain_count() {
    // 300 rows over 2,000 columns, counted in 1 or 3 threads' column ranges.
    let mut rng = crate::model::SplitMix64::new(7);
    let rows: Vec<Vec<(u32, f32)>> = (0..300)
        .map(|_| {
            let mut cols: Vec<u32> = (0..40)
                .map(|_| rng.below(2_000) as u32 / (1 + rng.below(3) as u32))
                .collect();
            cols.sort_unstable();
            cols.dedup();
            cols.into_iter().map(|c| (c, 1.0)).collect()
        })
        .collect();
    let y: Vec<usize> = (0..300).map(|i| usize::from(i % 3 == 0)).collect();
    let x = CsrMatrix::from_sorted_rows(rows.clone(), 2_000);
    let (mut p, mut q) = (vec![1.0f64; 2_000], vec![1.0f64; 2_000]);
    for (row, &label) in rows.iter().zip(&y) {
        for &(c, _) in row {
            if label == 1 {
                p[c as usize] += 1.0;
            } else {
                q[c as usize] += 1.0;
            }
        }
    }
    let (ps, qs): (f64, f64) = (p.iter().sum(), q.iter().sum());
    let want: Vec<f64> = p.iter().zip(&q).map(|(a, b)| ((a / ps) / (b / qs)).ln()).collect();
    for threads in [1, 3] {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let got = pool.install(|| nb_ratio(&x, &y, 1, 1.0));
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(&want) {
            assert!((g - w).abs() < 1e-12, "{g} vs {w}");
        }
    }
}

/// TF-IDF values computed once by scikit-learn (tests/golden/make_tfidf_golden.py).
#[test]
fn tfidf_matches_scikit_learn_golden_values() {
    let golden: serde_json::Value =
        serde_json::from_str(include_str!("../../tests/fixtures/tfidf_golden.json")).expect("fixture");
    let texts: Vec<String> = golden["texts"]
        .as_array()
        .expect("texts")
        .iter()
        .map(|t| t.as_str().unwrap_or_default().to_string())
        .collect();
    let cases = golden["cases"].as_array().expect("cases");
    assert_eq!(cases.len(), 4);
    for case in cases {
        let sublinear = case["sublinear_tf"].as_bool().unwrap_or(false);
        let hi = case["ngram_range"][1].as_u64().unwrap_or(1) as usize;
        let config = FeaturizerConfig {
            word_ngrams: (1, hi),
            weighting: if sublinear {
                Weighting::SublinearTf
            } else {
                Weighting::Tf
            },
            ..plain_config()
        };
        let (f, x) = Featurizer::fit_transform(&config, &texts).expect("fit");
        let names = f.feature_names().unwrap_or_default();
        let idf_golden = case["idf"].as_object().expect("idf");
        assert_eq!(names.len(), idf_golden.len());
        let idf = f.idf().unwrap_or_default();
        for (col, name) in names.iter().enumerate() {
            let want = idf_golden[name].as_f64().unwrap_or(f64::NAN);
            assert!((f64::from(idf[col]) - want).abs() < 1e-6, "idf {name}");
        }
        for (i, row) in case["rows"].as_array().expect("rows").iter().enumerate() {
            let row = row.as_object().expect("row");
            let (cols, vals) = x.row(i);
            assert_eq!(cols.len(), row.len(), "row {i}");
            for (&c, &v) in cols.iter().zip(vals) {
                let want = row[&names[c as usize]].as_f64().unwrap_or(f64::NAN);
                assert!(
                    (f64::from(v) - want).abs() < 1e-6,
                    "row {i} {} {v} vs {want}",
                    names[c as usize]
                );
            }
        }
    }
}

#[test]
fn column_sort_agrees_with_the_standard_sort() {
    let mut rng = crate::model::SplitMix64::new(3);
    let mut next = move || rng.next_u64();
    let mut buf = Vec::new();
    for (n, limit) in [
        (0, 10),
        (5, 10),
        (95, 1 << 21),
        (96, 1 << 24),
        (500, 1 << 22),
        (500, (1 << 24) + 1),
        (500, 1 << 30),
        (3000, 1 << 12),
    ] {
        let mut cols: Vec<u32> = (0..n).map(|_| (next() % limit) as u32).collect();
        let mut want = cols.clone();
        want.sort_unstable();
        super::sort_columns(&mut cols, &mut buf);
        assert_eq!(cols, want, "n = {n}, limit = {limit}");
    }
}

#[test]
fn first_seen_counts_agree_with_sorted_runs() {
    let mut rng = crate::model::SplitMix64::new(5);
    let mut next = move || rng.next_u64();
    let mut counter = super::FirstSeenCounter::default();
    let (mut got, mut buf) = (Vec::new(), Vec::new());
    // A long text, then short ones: the table keeps its size and every slot is emptied.
    for (n, limit) in [
        (5000, 1 << 20),
        (0, 10),
        (3, 2),
        (40, 8),
        (500, 1 << 30),
        (300, u64::from(u32::MAX)),
    ] {
        let cols: Vec<u32> = (0..n).map(|_| (next() % limit) as u32).collect();
        assert!(counter.count(&cols, &mut got));
        let firsts: Vec<u32> = got.iter().map(|e| e.0).collect();
        let mut seen = std::collections::HashSet::new();
        let want_order: Vec<u32> = cols.iter().copied().filter(|c| seen.insert(*c)).collect();
        assert_eq!(firsts, want_order, "n = {n}");
        got.sort_unstable();
        assert_eq!(got, super::run_length(&mut cols.clone(), &mut buf), "n = {n}");
    }
    assert!(counter.slots.iter().all(|s| s.0 == super::FirstSeenCounter::EMPTY));
    assert!(
        !counter.count(&[1, u32::MAX, 1], &mut got),
        "the empty marker is refused"
    );
    assert!(counter.count(&[7, 7], &mut got));
    assert_eq!(got, [(7, 2)]);
}
