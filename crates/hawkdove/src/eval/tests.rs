use super::*;

#[test]
fn stratified_folds_balance_classes() {
    let y: Vec<usize> = (0..103).map(|i| usize::from(i % 3 == 0)).collect();
    let folds = stratified_folds(&y, 2, 5, 1);
    for f in 0..5 {
        let pos = (0..y.len()).filter(|&i| folds[i] == f && y[i] == 1).count();
        let neg = (0..y.len()).filter(|&i| folds[i] == f && y[i] == 0).count();
        assert!((6..=8).contains(&pos), "fold {f}: {pos}");
        assert!((13..=15).contains(&neg), "fold {f}: {neg}");
    }
    assert_eq!(folds, stratified_folds(&y, 2, 5, 1));
    assert_ne!(folds, stratified_folds(&y, 2, 5, 2));
}

fn pred(label: &str, idx: usize, probs: Vec<f64>) -> Prediction {
    Prediction {
        label: label.into(),
        class_index: idx,
        probabilities: probs,
        score: 0.0,
        n_features: 1,
        truncated: false,
        abstained: None,
    }
}

#[test]
fn report_metrics_by_hand() {
    let classes = vec!["a".to_string(), "b".to_string()];
    let truth: Vec<String> = ["a", "a", "b", "b"].iter().map(|s| s.to_string()).collect();
    let preds = vec![
        pred("a", 0, vec![0.9, 0.1]),
        pred("b", 1, vec![0.4, 0.6]),
        pred("b", 1, vec![0.2, 0.8]),
        pred("b", 1, vec![0.3, 0.7]),
    ];
    let r = Report::new(&classes, &truth, &preds).expect("report");
    assert!((r.accuracy - 0.75).abs() < 1e-6);
    assert_eq!(r.confusion, vec![vec![1, 1], vec![0, 2]]);
    assert!((r.per_class[0].precision - 1.0).abs() < 1e-12);
    assert!((r.per_class[0].recall - 0.5).abs() < 1e-12);
    assert!((r.per_class[1].precision - 2.0 / 3.0).abs() < 1e-12);
    let f1a = 2.0 * 1.0 * 0.5 / 1.5;
    let f1b = 2.0 * (2.0 / 3.0) * 1.0 / (2.0 / 3.0 + 1.0);
    assert!((r.macro_f1 - (f1a + f1b) / 2.0).abs() < 1e-12);
    let brier =
        ((0.1f64.powi(2) * 2.0) + (0.6f64.powi(2) * 2.0) + (0.2f64.powi(2) * 2.0) + (0.3f64.powi(2) * 2.0)) / 4.0;
    assert!((r.brier - brier).abs() < 1e-12);
    // ECE: bins 0.9 (1, conf .9, acc 1), 0.6 (1, .6, 0), 0.8 (1, .8, 1), 0.7 (1, .7, 1)
    let ece = (0.1 + 0.6 + 0.2 + 0.3) / 4.0;
    assert!((r.ece - ece).abs() < 1e-12, "{}", r.ece);
    assert!(r.to_text().contains("macro-F1"));
    assert!(Report::new(&classes, &truth[..2], &preds).is_err());
    let unknown = vec!["z".to_string(); 4];
    assert!(matches!(
        Report::new(&classes, &unknown, &preds),
        Err(Error::UnknownLabel { .. })
    ));
}

#[test]
fn cross_validation_runs_and_is_seeded() {
    let mut texts = Vec::new();
    let mut labels = Vec::new();
    for i in 0..60 {
        if i % 2 == 0 {
            texts.push(format!("sanctions threats retaliation case {i}"));
            labels.push("hard-line");
        } else {
            texts.push(format!("talks ceasefire dialogue case {i}"));
            labels.push("conciliatory");
        }
    }
    let cv = cross_validate(&texts, &labels, &ModelParams::default(), 5, 3).expect("cv");
    assert_eq!(cv.per_fold.len(), 5);
    assert!(cv.mean_accuracy > 0.95);
    assert_eq!(cv.pooled.n, 60);
    assert_eq!(
        cv,
        cross_validate(&texts, &labels, &ModelParams::default(), 5, 3).expect("cv")
    );
    assert!(cross_validate(&texts, &labels, &ModelParams::default(), 1, 3).is_err());
    let mut few = labels.clone();
    few[0] = "rare";
    assert!(matches!(
        cross_validate(&texts, &few, &ModelParams::default(), 5, 3),
        Err(Error::InvalidParameter { .. })
    ));
}

#[test]
fn tsv_errors_name_the_line() {
    let p = Path::new("x.tsv");
    let ok = parse_tsv(b"pos\tgood film\r\n\nneg\tbad film\n", p).expect("parse");
    assert_eq!(ok.len(), 2);
    assert_eq!(ok[0].text, "good film");
    match parse_tsv(b"pos\tgood\nno tab here\n", p) {
        Err(Error::Tsv { line: 2, .. }) => {}
        other => panic!("{other:?}"),
    }
    match parse_tsv(b"pos\tgood\nneg\tbad \xff film\n", p) {
        Err(Error::Tsv { line: 2, reason, .. }) => assert!(reason.contains("UTF-8")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        parse_tsv(b"\tempty label\n", p),
        Err(Error::Tsv { line: 1, .. })
    ));
}

#[test]
fn tsv_byte_order_mark_is_not_part_of_the_first_label() {
    // Issue 25, defect 10: `printf '\xef\xbb\xbfh\ta\nc\tb\n'` gave classes `c` and `\u{feff}h`.
    let rows = parse_tsv(b"\xef\xbb\xbfh\ta\nc\tb\n", Path::new("x.tsv")).expect("parse");
    let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
    assert_eq!(labels, ["h", "c"]);
    // Only at the very start: elsewhere it stays text.
    let rows = parse_tsv(b"h\t\xef\xbb\xbfa\n", Path::new("x.tsv")).expect("parse");
    assert_eq!(rows[0].text, "\u{feff}a");
}

#[test]
fn utf8_errors_name_file_line_and_byte() {
    let p = Path::new("dir/lex.tsv");
    match utf8_text(b"\xef\xbb\xbfa\tb\nc\td\nxy\xffz\n", p) {
        Err(e @ Error::Tsv { line: 3, .. }) => {
            assert_eq!(e.to_string(), "dir/lex.tsv:3: invalid UTF-8 at byte 2 of the line");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(utf8_text(b"\xef\xbb\xbfa\tb\n", p).ok(), Some("a\tb\n"));
}
