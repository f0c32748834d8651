use super::*;

#[test]
fn corpus_parses_and_split_is_stratified() {
    let c = corpus().expect("corpus");
    assert!(c.len() >= 2000, "{} passages", c.len());
    let (train, test) = held_out_split(&c);
    assert_eq!(train.len() + test.len(), c.len());
    for label in STANCE_LABELS {
        let all = c.iter().filter(|p| p.stance == label).count() as f64;
        let held = test.iter().filter(|&&i| c[i].stance == label).count() as f64;
        assert!((held / all - HELD_OUT_FRACTION).abs() < 0.01, "{label}");
    }
    assert_eq!(held_out_split(&c), (train, test));
}

#[test]
fn malformed_corpus_lines_are_rejected() {
    assert!(parse_corpus_file("x", "wrong header\n").is_err());
    let h = CORPUS_HEADER;
    assert!(parse_corpus_file("x", &format!("{h}\na\thard-line\tnegative\twire\n")).is_err());
    assert!(parse_corpus_file("x", &format!("{h}\na\thawkish\tnegative\twire\ttext\n")).is_err());
    assert!(parse_corpus_file("x", &format!("{h}\na\thard-line\tangry\twire\ttext\n")).is_err());
    assert!(parse_corpus_file("x", &format!("{h}\na\thard-line\tnegative\ttweet\ttext\n")).is_err());
    let ok = parse_corpus_file("x", &format!("{h}\na\thard-line\tnegative\twire\ttext\n")).expect("ok");
    assert_eq!(ok[0].label(Axis::Sentiment), "negative");
}
