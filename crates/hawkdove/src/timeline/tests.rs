use super::*;
use crate::model::SplitMix64;

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn uniform(rng: &mut SplitMix64) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// A label for a score, as a three-class model would give it.
fn label(score: f64) -> usize {
    if score < -0.2 {
        0
    } else if score > 0.2 {
        2
    } else {
        1
    }
}

/// A document on `date` with 2–7 passages scored around `level` (uniform noise of ±0.6).
fn noisy_doc(rng: &mut SplitMix64, date: NaiveDate, level: f64, group: Option<&str>) -> TimelineDocument {
    let n = 2 + rng.below(6);
    let scores: Vec<f64> = (0..n)
        .map(|_| (level + (uniform(rng) - 0.5) * 1.2).clamp(-1.0, 1.0))
        .collect();
    TimelineDocument {
        date,
        group: group.map(str::to_string),
        passage_labels: scores.iter().map(|&s| label(s)).collect(),
        passage_scores: scores,
        n_abstained: rng.below(2),
    }
}

/// `per_month` documents in each of 24 months from January 2023, at level `before` until
/// `shift_month` (0-based) and `after` from then on.
fn planted(seed: u64, per_month: usize, shift_month: u32, before: f64, after: f64) -> Vec<TimelineDocument> {
    let mut rng = SplitMix64::new(seed);
    let mut docs = Vec::new();
    for m in 0..24u32 {
        for _ in 0..per_month {
            let d = date(2023 + (m / 12) as i32, m % 12 + 1, 1 + rng.below(28) as u32);
            let level = if m < shift_month { before } else { after };
            docs.push(noisy_doc(&mut rng, d, level, None));
        }
    }
    docs
}

fn month_index(d: NaiveDate) -> i32 {
    (d.year() - 2023) * 12 + d.month0() as i32
}

#[test]
fn periods_start_where_the_calendar_says() {
    let d = date(2024, 8, 15); // a Thursday
    assert_eq!(Period::Day.start_of(d), d);
    assert_eq!(Period::Week.start_of(d), date(2024, 8, 12));
    assert_eq!(Period::Week.start_of(date(2024, 8, 12)), date(2024, 8, 12));
    assert_eq!(Period::Week.start_of(date(2024, 1, 3)), date(2024, 1, 1));
    assert_eq!(Period::Week.start_of(date(2023, 1, 1)), date(2022, 12, 26));
    assert_eq!(Period::Month.start_of(d), date(2024, 8, 1));
    assert_eq!(Period::Quarter.start_of(d), date(2024, 7, 1));
    assert_eq!(Period::Quarter.start_of(date(2024, 12, 31)), date(2024, 10, 1));
    assert_eq!(Period::Quarter.start_of(date(2024, 3, 31)), date(2024, 1, 1));
    assert_eq!(Period::Year.start_of(d), date(2024, 1, 1));
    assert_eq!(Period::Month.next_start(d), Some(date(2024, 9, 1)));
    assert_eq!(Period::Quarter.next_start(date(2024, 11, 2)), Some(date(2025, 1, 1)));
    assert_eq!(Period::Week.next_start(d), Some(date(2024, 8, 19)));
}

#[test]
fn periods_parse_by_name_and_letter() {
    for (text, p) in [
        ("day", Period::Day),
        ("D", Period::Day),
        ("week", Period::Week),
        ("W", Period::Week),
        ("Month", Period::Month),
        ("M", Period::Month),
        ("MS", Period::Month),
        ("quarter", Period::Quarter),
        ("Q", Period::Quarter),
        ("year", Period::Year),
        ("Y", Period::Year),
        ("A", Period::Year),
    ] {
        assert_eq!(text.parse::<Period>().ok(), Some(p), "{text}");
        assert_eq!(p.to_string().parse::<Period>().ok(), Some(p));
    }
    assert!(matches!(
        "fortnight".parse::<Period>(),
        Err(Error::InvalidParameter { name: "period", .. })
    ));
}

#[test]
fn dates_parse_as_written() {
    let d = date(2024, 3, 5);
    for text in [
        "2024-03-05",
        " 2024-03-05 ",
        "2024-03-05T10:00:00Z",
        "2024-03-05T23:30:00-05:00",
        "2024-03-05T10:00:00.250+02:00",
        "2024-03-05 10:00:00",
        "2024-03-05T10:00:00",
        "2024-03-05T10:00",
        "2024-03-05 10:00:00+0100",
    ] {
        assert_eq!(parse_date(text).ok(), Some(d), "{text}");
    }
    for text in [
        "",
        "yesterday",
        "2024-13-01",
        "2024-02-30",
        "05/03/2024",
        "2024-03-05T25:00:00Z",
    ] {
        match parse_date(text) {
            Err(Error::InvalidDate { input, reason }) => {
                assert_eq!(input, text);
                assert!(reason.contains("2024-03-05"), "{reason}");
            }
            other => unreachable!("{text:?} gave {other:?}"),
        }
    }
}

#[test]
fn a_planted_shift_is_found_within_one_period_with_an_interval_excluding_zero() {
    for (seed, shift_month, before, after) in [(1, 14, -0.35, 0.1), (2, 9, 0.2, -0.2), (3, 17, -0.1, 0.3)] {
        let docs = planted(seed, 4, shift_month, before, after);
        let t = timeline(&docs, 3, &TimelineOptions::default()).unwrap_or_else(|e| unreachable!("{e}"));
        assert_eq!(t.rows.len(), 24);
        assert_eq!(t.shifts.len(), 1, "seed {seed}: {:?}", t.shifts);
        let s = &t.shifts[0];
        assert!(
            (month_index(s.date) - shift_month as i32).abs() <= 1,
            "seed {seed}: {}",
            s.date
        );
        assert_eq!(s.date, Period::Month.start_of(s.date));
        assert!(s.p_value <= 0.01, "seed {seed}: p = {}", s.p_value);
        assert!((s.size - (after - before)).abs() < 0.15, "seed {seed}: size {}", s.size);
        assert!(s.lower <= s.size && s.size <= s.upper);
        assert!(
            s.lower * s.upper > 0.0,
            "seed {seed}: interval [{}, {}] holds 0",
            s.lower,
            s.upper
        );
        assert_eq!(s.size.signum(), (after - before).signum());
        assert!((s.after - s.before - s.size).abs() < 1e-12);
        // Evidence: after the shift, beyond the earlier level in the shift's direction, farthest first.
        assert_eq!(s.evidence.len(), 5);
        let moved: Vec<f64> = s
            .evidence
            .iter()
            .map(|e| (e.score - s.before) * s.size.signum())
            .collect();
        assert!(moved.iter().all(|&m| m > 0.0));
        assert!(moved.windows(2).all(|w| w[0] >= w[1]), "{moved:?}");
        for e in &s.evidence {
            assert!(docs[e.document].date >= s.date);
            assert_eq!(docs[e.document].passage_scores[e.passage], e.score);
        }
    }
}

#[test]
fn two_planted_shifts_are_both_found() {
    let mut rng = SplitMix64::new(7);
    let mut docs = Vec::new();
    for m in 0..24u32 {
        let level = match m {
            0..=7 => -0.4,
            8..=15 => 0.1,
            _ => -0.3,
        };
        for _ in 0..5 {
            let d = date(2023 + (m / 12) as i32, m % 12 + 1, 1 + rng.below(28) as u32);
            docs.push(noisy_doc(&mut rng, d, level, None));
        }
    }
    let t = timeline(&docs, 3, &TimelineOptions::default()).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(t.shifts.len(), 2, "{:?}", t.shifts);
    assert!((month_index(t.shifts[0].date) - 8).abs() <= 1);
    assert!((month_index(t.shifts[1].date) - 16).abs() <= 1);
    assert!(t.shifts[0].size > 0.0 && t.shifts[0].lower > 0.0);
    assert!(t.shifts[1].size < 0.0 && t.shifts[1].upper < 0.0);
    // The levels chain: the second shift starts where the first one ends.
    assert!((t.shifts[0].after - t.shifts[1].before).abs() < 1e-12);
    let limited = TimelineOptions {
        max_shifts: 1,
        ..TimelineOptions::default()
    };
    assert_eq!(timeline(&docs, 3, &limited).map(|t| t.shifts.len()).ok(), Some(1));
    let off = TimelineOptions {
        max_shifts: 0,
        ..TimelineOptions::default()
    };
    assert_eq!(timeline(&docs, 3, &off).map(|t| t.shifts.len()).ok(), Some(0));
}

/// Documents of one level, their dates shuffled among them.
fn shuffled_dates(seed: u64, n: usize) -> Vec<TimelineDocument> {
    let mut rng = SplitMix64::new(seed);
    let mut dates: Vec<NaiveDate> = (0..n)
        .map(|i| {
            let m = (i * 24 / n) as u32;
            date(2023 + (m / 12) as i32, m % 12 + 1, 1 + rng.below(28) as u32)
        })
        .collect();
    rng.shuffle(&mut dates);
    dates.into_iter().map(|d| noisy_doc(&mut rng, d, -0.1, None)).collect()
}

#[test]
fn no_shift_is_reported_when_none_was_planted() {
    for seed in 100..108 {
        let docs = shuffled_dates(seed, 100);
        let t = timeline(&docs, 3, &TimelineOptions::default()).unwrap_or_else(|e| unreachable!("{e}"));
        assert!(t.shifts.is_empty(), "seed {seed}: {:?}", t.shifts);
        assert_eq!(t.rows.len(), 24);
    }
}

#[test]
fn the_false_alarm_rate_is_near_alpha() {
    // The permutation test is exact under exchangeable documents: over many shift-free
    // collections about 5% report a shift at alpha = 0.05.
    let opts = TimelineOptions {
        n_permutations: 199,
        n_boot: 0,
        max_shifts: 1,
        ..TimelineOptions::default()
    };
    let runs = 200;
    let alarms = (0..runs)
        .filter(|&seed| {
            timeline(&shuffled_dates(1000 + seed, 60), 3, &opts)
                .map(|t| !t.shifts.is_empty())
                .unwrap_or(true)
        })
        .count();
    eprintln!("false alarms: {alarms} of {runs} shift-free collections at alpha 0.05");
    assert!(
        alarms <= 20,
        "{alarms} of {runs} shift-free collections reported a shift"
    );
    assert!(
        alarms >= 2,
        "{alarms} of {runs}: the test never fires, it is not calibrated"
    );
}

#[test]
fn rows_hold_weighted_means_counts_shares_and_intervals() {
    let docs = vec![
        TimelineDocument {
            date: date(2024, 5, 2),
            group: None,
            passage_scores: vec![0.5, 0.5, 0.5],
            passage_labels: vec![2, 2, 1],
            n_abstained: 1,
        },
        TimelineDocument {
            date: date(2024, 5, 30),
            group: None,
            passage_scores: vec![-1.0],
            passage_labels: vec![0],
            n_abstained: 0,
        },
        TimelineDocument {
            date: date(2024, 7, 1),
            group: None,
            passage_scores: vec![],
            passage_labels: vec![],
            n_abstained: 3,
        },
    ];
    let t = timeline(&docs, 3, &TimelineOptions::default()).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(t.rows.len(), 2);
    let may = &t.rows[0];
    assert_eq!(may.period, date(2024, 5, 1));
    // Passage-weighted: (3 × 0.5 − 1) / 4, not the mean of document means (−0.25).
    assert!((may.score - 0.125).abs() < 1e-12);
    assert_eq!((may.n_documents, may.n_passages, may.n_abstained), (2, 4, 1));
    assert_eq!(may.class_shares, vec![0.25, 0.25, 0.5]);
    assert!(may.lower <= may.score && may.score <= may.upper && may.lower < may.upper);
    // A resample of documents gives 0.5 (first twice), −1 (second twice) or 0.125.
    assert!(may.lower >= -1.0 && may.upper <= 0.5);
    let july = &t.rows[1];
    assert_eq!(july.period, date(2024, 7, 1));
    assert!(july.score.is_nan() && july.lower.is_nan() && july.upper.is_nan());
    assert_eq!((july.n_documents, july.n_passages, july.n_abstained), (1, 0, 3));
    assert_eq!(july.class_shares, vec![0.0; 3]);
}

#[test]
fn bootstrap_intervals_cover_the_estimate_and_narrow_with_more_documents() {
    let few = planted(5, 3, 99, 0.0, 0.0);
    let many = planted(5, 40, 99, 0.0, 0.0);
    let width = |docs: &[TimelineDocument]| {
        let t = timeline(docs, 3, &TimelineOptions::default()).unwrap_or_else(|e| unreachable!("{e}"));
        for r in &t.rows {
            assert!(r.lower <= r.score && r.score <= r.upper, "{r:?}");
        }
        t.rows.iter().map(|r| r.upper - r.lower).sum::<f64>() / t.rows.len() as f64
    };
    let (w_few, w_many) = (width(&few), width(&many));
    assert!(w_many < 0.5 * w_few, "{w_many} vs {w_few}");
    let no_boot = TimelineOptions {
        n_boot: 0,
        ..TimelineOptions::default()
    };
    let t = timeline(&few, 3, &no_boot).unwrap_or_else(|e| unreachable!("{e}"));
    assert!(t.rows.iter().all(|r| r.lower == r.score && r.upper == r.score));
}

#[test]
fn results_are_seeded_and_independent_of_threads() {
    let docs = planted(11, 4, 12, -0.2, 0.2);
    let opts = TimelineOptions::default();
    let a = timeline(&docs, 3, &opts).unwrap_or_else(|e| unreachable!("{e}"));
    let b = timeline(&docs, 3, &opts).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(a, b);
    let one = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .map(|pool| pool.install(|| timeline(&docs, 3, &opts)));
    assert_eq!(one.ok().and_then(|r| r.ok()), Some(a.clone()));
    let other = timeline(
        &docs,
        3,
        &TimelineOptions {
            seed: 9,
            ..opts.clone()
        },
    )
    .unwrap_or_else(|e| unreachable!("{e}"));
    assert_ne!(a.rows[0].lower, other.rows[0].lower);
    assert_eq!(a.rows[0].score, other.rows[0].score);
}

#[test]
fn groups_get_their_own_series_and_shifts() {
    let mut docs = planted(21, 4, 12, -0.3, 0.3);
    for d in &mut docs {
        d.group = Some("Ministry".into());
    }
    let mut calm = planted(22, 4, 99, 0.0, 0.0);
    for d in &mut calm {
        d.group = Some("Agency".into());
    }
    docs.extend(calm);
    let t = timeline(&docs, 3, &TimelineOptions::default()).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(t.rows.len(), 48);
    assert!(t.rows[..24].iter().all(|r| r.group.as_deref() == Some("Agency")));
    assert!(t.rows[24..].iter().all(|r| r.group.as_deref() == Some("Ministry")));
    assert!(t.rows[..24].windows(2).all(|w| w[0].period < w[1].period));
    assert_eq!(t.shifts.len(), 1, "{:?}", t.shifts);
    assert_eq!(t.shifts[0].group.as_deref(), Some("Ministry"));
    assert!(t.shifts[0]
        .evidence
        .iter()
        .all(|e| docs[e.document].group.as_deref() == Some("Ministry")));
}

#[test]
fn weekly_and_quarterly_periods_place_the_shift() {
    let docs = planted(31, 6, 12, -0.3, 0.3);
    let quarterly = TimelineOptions {
        period: Period::Quarter,
        ..TimelineOptions::default()
    };
    let t = timeline(&docs, 3, &quarterly).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(t.rows.len(), 8);
    assert_eq!(t.shifts.len(), 1);
    assert_eq!(t.shifts[0].date, date(2024, 1, 1));
    let weekly = TimelineOptions {
        period: Period::Week,
        ..TimelineOptions::default()
    };
    let t = timeline(&docs, 3, &weekly).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(t.shifts.len(), 1);
    assert_eq!(t.shifts[0].date.weekday(), chrono::Weekday::Mon);
    assert!(
        (t.shifts[0].date - date(2024, 1, 1)).num_days().abs() <= 31,
        "{}",
        t.shifts[0].date
    );
}

#[test]
fn empty_input_gives_an_empty_timeline() {
    let t = timeline(&[], 3, &TimelineOptions::default()).unwrap_or_else(|e| unreachable!("{e}"));
    assert!(t.rows.is_empty() && t.shifts.is_empty());
}

#[test]
fn one_document_gives_one_row_and_no_shift() {
    let docs = planted(41, 1, 99, 0.2, 0.2);
    let t = timeline(&docs[..1], 3, &TimelineOptions::default()).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(t.rows.len(), 1);
    let r = &t.rows[0];
    assert_eq!((r.lower, r.upper), (r.score, r.score));
    assert!(t.shifts.is_empty());
}

#[test]
fn documents_all_in_one_period_give_one_row_and_no_shift() {
    // A strong change inside one month cannot be a shift between periods.
    let mut rng = SplitMix64::new(51);
    let docs: Vec<TimelineDocument> = (0..60)
        .map(|i| {
            noisy_doc(
                &mut rng,
                date(2024, 4, 1 + (i / 2) as u32),
                if i < 30 { -0.6 } else { 0.6 },
                None,
            )
        })
        .collect();
    let t = timeline(&docs, 3, &TimelineOptions::default()).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(t.rows.len(), 1);
    assert_eq!(t.rows[0].n_documents, 60);
    assert!(t.shifts.is_empty());
    // The same documents by day do show it.
    let daily = TimelineOptions {
        period: Period::Day,
        ..TimelineOptions::default()
    };
    let t = timeline(&docs, 3, &daily).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(t.shifts.len(), 1);
    assert_eq!(t.shifts[0].date, date(2024, 4, 16));
}

#[test]
fn bad_scores_and_labels_are_typed_errors() {
    let mut docs = planted(61, 2, 99, 0.0, 0.0);
    docs[5].passage_scores[1] = f64::NAN;
    match timeline(&docs, 3, &TimelineOptions::default()) {
        Err(Error::InvalidPassage {
            document,
            passage,
            reason,
        }) => {
            assert_eq!((document, passage), (5, 1));
            assert!(reason.contains("NaN"), "{reason}");
        }
        other => unreachable!("{other:?}"),
    }
    docs[5].passage_scores[1] = 1.5;
    assert!(matches!(
        timeline(&docs, 3, &TimelineOptions::default()),
        Err(Error::InvalidPassage {
            document: 5,
            passage: 1,
            ..
        })
    ));
    docs[5].passage_scores[1] = f64::INFINITY;
    assert!(matches!(
        timeline(&docs, 3, &TimelineOptions::default()),
        Err(Error::InvalidPassage {
            document: 5,
            passage: 1,
            ..
        })
    ));
    docs[5].passage_scores[1] = 0.0;
    docs[7].passage_labels[0] = 3;
    match timeline(&docs, 3, &TimelineOptions::default()) {
        Err(Error::InvalidPassage {
            document: 7,
            passage: 0,
            reason,
        }) => assert!(reason.contains("class index 3")),
        other => unreachable!("{other:?}"),
    }
    docs[7].passage_labels.pop();
    assert!(matches!(
        timeline(&docs, 3, &TimelineOptions::default()),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(matches!(
        timeline(&[], 0, &TimelineOptions::default()),
        Err(Error::InvalidParameter { name: "n_classes", .. })
    ));
}

#[test]
fn bad_options_are_typed_errors() {
    let docs = planted(71, 1, 99, 0.0, 0.0);
    let check = |opts: TimelineOptions, name: &str| match timeline(&docs, 3, &opts) {
        Err(Error::InvalidParameter { name: n, .. }) => assert_eq!(n, name),
        other => unreachable!("{name}: {other:?}"),
    };
    let d = TimelineOptions::default;
    check(TimelineOptions { confidence: 1.0, ..d() }, "confidence");
    check(
        TimelineOptions {
            confidence: f64::NAN,
            ..d()
        },
        "confidence",
    );
    check(
        TimelineOptions {
            shift_alpha: 0.0,
            ..d()
        },
        "shift_alpha",
    );
    check(
        TimelineOptions {
            n_boot: MAX_RESAMPLES + 1,
            ..d()
        },
        "n_boot",
    );
    check(
        TimelineOptions {
            n_permutations: 0,
            ..d()
        },
        "n_permutations",
    );
    check(
        TimelineOptions {
            min_documents: 0,
            ..d()
        },
        "min_documents",
    );
}

#[test]
fn min_documents_keeps_shifts_away_from_thin_edges() {
    // A sharp change in the last month only, with four documents there.
    let mut docs = planted(81, 4, 99, -0.2, -0.2);
    let mut rng = SplitMix64::new(82);
    for _ in 0..4 {
        docs.push(noisy_doc(&mut rng, date(2025, 1, 10), 0.8, None));
    }
    let t = timeline(&docs, 3, &TimelineOptions::default()).unwrap_or_else(|e| unreachable!("{e}"));
    // With five documents at least on each side, a shift (if any) cannot start in January 2025.
    assert!(t.shifts.iter().all(|s| s.date < date(2025, 1, 1)), "{:?}", t.shifts);
    let lenient = TimelineOptions {
        min_documents: 4,
        ..TimelineOptions::default()
    };
    let t = timeline(&docs, 3, &lenient).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(t.shifts.len(), 1);
    assert_eq!(t.shifts[0].date, date(2025, 1, 1));
}

#[test]
fn results_serialize_with_iso_dates() {
    let docs = planted(91, 4, 12, -0.3, 0.3);
    let t = timeline(&docs, 3, &TimelineOptions::default()).unwrap_or_else(|e| unreachable!("{e}"));
    let json = serde_json::to_string(&t).unwrap_or_default();
    assert!(
        json.contains("\"period\":\"2023-01-01\""),
        "{}",
        &json[..200.min(json.len())]
    );
    assert!(json.contains("\"date\":\"2024-"));
    let back: Timeline = serde_json::from_str(&json).unwrap_or_else(|e| unreachable!("{e}"));
    assert_eq!(back.shifts, t.shifts);
}

#[test]
fn epoch_days_become_dates() {
    assert_eq!(date_from_epoch_days(0).ok(), Some(date(1970, 1, 1)));
    assert_eq!(date_from_epoch_days(19_787).ok(), Some(date(2024, 3, 5)));
    assert_eq!(date_from_epoch_days(-1).ok(), Some(date(1969, 12, 31)));
    assert!(matches!(date_from_epoch_days(i64::MAX), Err(Error::InvalidDate { .. })));
    assert!(matches!(date_from_epoch_days(i64::MIN), Err(Error::InvalidDate { .. })));
}

#[test]
fn options_read_periods_in_any_spelling() {
    let opts: TimelineOptions = serde_json::from_str(r#"{"period": "Q", "n_boot": 10}"#).unwrap_or_default();
    assert_eq!((opts.period, opts.n_boot, opts.max_shifts), (Period::Quarter, 10, 3));
    let week: Result<TimelineOptions, _> = serde_json::from_str(r#"{"period": "week"}"#);
    assert_eq!(week.map(|o| o.period).ok(), Some(Period::Week));
    let bad: Result<TimelineOptions, _> = serde_json::from_str(r#"{"period": "fortnight"}"#);
    assert!(bad.is_err_and(|e| e.to_string().contains("expected day (D)")));
    assert_eq!(
        serde_json::to_string(&Period::Quarter).unwrap_or_default(),
        "\"quarter\""
    );
}

mod properties {
    use super::*;
    use proptest::prelude::*;

    fn any_doc() -> impl Strategy<Value = TimelineDocument> {
        (
            0i64..900,
            proptest::option::of("[ab]"),
            proptest::collection::vec((-1.0f64..=1.0, 0usize..3), 0..6),
            0usize..3,
        )
            .prop_map(|(day, group, passages, n_abstained)| TimelineDocument {
                date: date(2023, 1, 1) + chrono::Days::new(day as u64),
                group,
                passage_scores: passages.iter().map(|p| p.0).collect(),
                passage_labels: passages.iter().map(|p| p.1).collect(),
                n_abstained,
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn parse_date_never_panics(s in "\\PC{0,40}") {
            let _ = parse_date(&s);
            let _ = s.parse::<Period>();
        }

        #[test]
        fn rows_account_for_every_document(docs in proptest::collection::vec(any_doc(), 0..80), p in 0usize..5) {
            let period = [Period::Day, Period::Week, Period::Month, Period::Quarter, Period::Year][p];
            let opts = TimelineOptions { period, n_boot: 50, n_permutations: 49, min_documents: 2, ..TimelineOptions::default() };
            let t = timeline(&docs, 3, &opts).unwrap_or_else(|e| unreachable!("{e}"));
            prop_assert_eq!(t.rows.iter().map(|r| r.n_documents).sum::<usize>(), docs.len());
            prop_assert_eq!(
                t.rows.iter().map(|r| r.n_passages).sum::<usize>(),
                docs.iter().map(|d| d.passage_scores.len()).sum::<usize>()
            );
            for r in &t.rows {
                prop_assert_eq!(r.period, period.start_of(r.period));
                if r.n_passages > 0 {
                    prop_assert!(r.lower <= r.score + 1e-12 && r.score <= r.upper + 1e-12);
                    prop_assert!((-1.0..=1.0).contains(&r.score));
                    prop_assert!((r.class_shares.iter().sum::<f64>() - 1.0).abs() < 1e-9);
                } else {
                    prop_assert!(r.score.is_nan());
                }
            }
            for s in &t.shifts {
                prop_assert!(s.p_value > 0.0 && s.p_value <= opts.shift_alpha);
                prop_assert!(s.lower <= s.size + 1e-12 && s.size <= s.upper + 1e-12);
                prop_assert!(s.evidence.len() <= opts.n_evidence);
            }
        }

        #[test]
        fn bad_values_are_errors_not_panics(
            docs in proptest::collection::vec(any_doc(), 1..20),
            which in 0usize..20,
            bad in prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(-1.5), Just(2.0)],
        ) {
            let mut docs = docs;
            let i = which % docs.len();
            docs[i].passage_scores.push(bad);
            docs[i].passage_labels.push(0);
            let is_invalid = matches!(
                timeline(&docs, 3, &TimelineOptions::default()),
                Err(Error::InvalidPassage { .. })
            );
            prop_assert!(is_invalid);
        }
    }
}
