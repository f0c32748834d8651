use super::*;
use crate::score::ModelParams;

fn texts(doc: &str) -> Vec<&str> {
    segment(doc).iter().map(|s| &doc[s.span.clone()]).collect()
}

#[test]
fn abbreviations_initials_and_decimals_do_not_split() {
    let doc = "Dr. Amsel met Gen. Okafor in Feb. 2024 to discuss a 3.5 percent tariff. J. R. Smith of the U.S. embassy said talks would continue. They did.";
    assert_eq!(
        texts(doc),
        [
            "Dr. Amsel met Gen. Okafor in Feb. 2024 to discuss a 3.5 percent tariff.",
            "J. R. Smith of the U.S. embassy said talks would continue.",
            "They did."
        ]
    );
}

#[test]
fn acronym_at_sentence_end_splits_before_a_sentence_starter() {
    let doc = "The envoy flew to the U.S. The talks began on Monday.";
    assert_eq!(texts(doc), ["The envoy flew to the U.S.", "The talks began on Monday."]);
}

#[test]
fn closing_quotes_stay_with_their_sentence() {
    let doc = "\u{201C}We will not yield,\u{201D} the minister said. \u{201C}Never.\u{201D} Then he left!";
    assert_eq!(
        texts(doc),
        [
            "\u{201C}We will not yield,\u{201D} the minister said.",
            "\u{201C}Never.\u{201D}",
            "Then he left!"
        ]
    );
    let doc2 = "He said \"talks are over.\" Officials disagreed.";
    assert_eq!(texts(doc2), ["He said \"talks are over.\"", "Officials disagreed."]);
}

#[test]
fn headlines_and_paragraphs() {
    let doc = "Ceasefire Holds as Talks Resume in Doha\n\nThe truce held overnight. Aid convoys moved in.\n\n\nA second paragraph\ncontinues here without a stop";
    let segs = segment(doc);
    assert_eq!(segs[0].kind, PassageKind::Headline);
    assert_eq!(&doc[segs[0].span.clone()], "Ceasefire Holds as Talks Resume in Doha");
    assert_eq!(segs[1].paragraph, 1);
    assert_eq!(segs[2].paragraph, 1);
    assert_eq!(
        &doc[segs[3].span.clone()],
        "A second paragraph\ncontinues here without a stop"
    );
    assert_eq!(segs[3].kind, PassageKind::Sentence);
    let paras = segment_with(doc, Segmentation::Paragraphs);
    assert_eq!(paras.len(), 3);
    let lines = segment_with(doc, Segmentation::Lines);
    assert_eq!(lines.len(), 4);
}

#[test]
fn empty_and_huge_input() {
    assert!(segment("").is_empty());
    assert!(segment(" \n\n \t").is_empty());
    let long = "word ".repeat(5000);
    let segs = segment(&long);
    assert!(segs.len() >= 5);
    assert!(segs.iter().all(|s| s.span.len() <= MAX_PASSAGE_BYTES));
    let unbroken = "é".repeat(10_000);
    for s in segment(&unbroken) {
        assert!(unbroken.is_char_boundary(s.span.start) && unbroken.is_char_boundary(s.span.end));
    }
}

fn model() -> Model {
    let texts = [
        "imposed sanctions and froze assets",
        "threatened retaliation and expelled diplomats",
        "welcomed talks and eased sanctions",
        "agreed to a ceasefire and resumed dialogue",
    ];
    let labels = ["hard-line", "hard-line", "conciliatory", "conciliatory"];
    Model::train(&texts, &labels, &ModelParams::default()).expect("train")
}

#[test]
fn document_score_is_weighted_and_reproducible() {
    let m = model();
    let doc = "Sanctions Tighten\n\nThe ministry froze assets. It expelled diplomats and threatened retaliation. Later both sides agreed to resume dialogue.";
    let opts = DocumentOptions::default();
    let d = m.score_document(doc, &opts).expect("score");
    assert_eq!(d.passages.len(), 4);
    let num: f64 = d.passages.iter().map(|p| p.prediction.score * p.weight).sum();
    let den: f64 = d.passages.iter().map(|p| p.weight).sum();
    assert!((d.score - num / den).abs() < 1e-12);
    assert!(d.interval[0] <= d.score && d.score <= d.interval[1]);
    assert_eq!(d, m.score_document(doc, &opts).expect("again"));
    let other = m
        .score_document(
            doc,
            &DocumentOptions {
                seed: 9,
                ..opts.clone()
            },
        )
        .expect("other seed");
    assert_eq!(other.score, d.score);
    let shares: f64 = d.class_shares.iter().map(|(_, s)| s).sum();
    assert!((shares - 1.0).abs() < 1e-12);
    for p in &d.passages {
        assert_eq!(p.text, &doc[p.segment.span.clone()]);
        assert_eq!(p.prediction, m.predict(&p.text));
    }
    let empty = m.score_document("", &opts).expect("empty");
    assert_eq!((empty.score, empty.interval), (0.0, [0.0, 0.0]));
    assert!(m
        .score_document(
            doc,
            &DocumentOptions {
                confidence: 1.5,
                ..opts
            }
        )
        .is_err());
}

#[test]
fn a_long_paragraph_is_walked_only_as_far_as_the_passage_returned() {
    // One paragraph of 1.9 MB: the first sentence comes back after reading its own bytes, not
    // the paragraph (a caller checks for Ctrl-C between passages), and the passages are the
    // same as segmenting all at once.
    let text = "The talks resumed on Monday. ".repeat(70_000);
    let mut it = passages(&text, Segmentation::Sentences);
    let first = it.next().expect("a passage");
    assert_eq!(&text[first.span.clone()], "The talks resumed on Monday.");
    let (cursor, _) = it.cursor.as_ref().expect("the paragraph is being read");
    assert!(cursor.i < 64, "walked to byte {} for the first sentence", cursor.i);
    let rest: Vec<Segment> = std::iter::once(first).chain(it).collect();
    assert_eq!(rest.len(), 70_000);
    assert_eq!(rest, segment_with(&text, Segmentation::Sentences));
    assert!(rest.iter().all(|s| s.paragraph == 0 && s.kind == PassageKind::Sentence));
}

#[test]
fn paragraph_numbers_follow_blank_lines_with_sentences_read_one_at_a_time() {
    let doc = "First one. Second one.\n\nThird one. Fourth one.\n\nHeadline without a stop\n\nLast one.";
    let got: Vec<(usize, &str)> = passages(doc, Segmentation::Sentences)
        .map(|s| (s.paragraph, &doc[s.span]))
        .collect();
    assert_eq!(
        got,
        [
            (0, "First one."),
            (0, "Second one."),
            (1, "Third one."),
            (1, "Fourth one."),
            (2, "Headline without a stop"),
            (3, "Last one.")
        ]
    );
}
