use crate::score::{Model, ModelParams};

fn model(k3: bool) -> Model {
    let mut texts = vec![
        "the ministry imposed sweeping sanctions and froze assets",
        "officials threatened retaliation and expelled diplomats",
        "the envoy welcomed talks and eased sanctions",
        "both sides agreed to a ceasefire and resumed dialogue",
    ];
    let mut labels = vec!["hard-line", "hard-line", "conciliatory", "conciliatory"];
    if k3 {
        texts.extend(["the committee meets in Geneva", "the report was published on Tuesday"]);
        labels.extend(["neutral", "neutral"]);
    }
    Model::train(&texts, &labels, &ModelParams::default()).expect("train")
}

#[test]
fn contributions_add_up_to_the_logit_and_spans_slice_the_text() {
    for k3 in [false, true] {
        let m = model(k3);
        let text = "On Monday, the ministry froze assets and expelled diplomats — but didn't rule out talks.";
        let e = m.explain(text);
        assert_eq!(e.prediction, m.predict(text));
        // Feature contributions plus bias give the pole log-odds exactly.
        let p = &e.prediction.probabilities;
        let (neg, pos) = m.pole_indices();
        let log_odds = (p[pos] / p[neg]).ln();
        let total: f64 = e.features.iter().map(|f| f.to_score).sum::<f64>() + e.bias_to_score;
        assert!((total - log_odds).abs() < 1e-9, "{total} vs {log_odds}");
        // Token shares add up to the feature total.
        let tok_total: f64 = e.tokens.iter().map(|t| t.to_score).sum();
        let feat_total: f64 = e.features.iter().map(|f| f.to_score).sum();
        assert!((tok_total - feat_total).abs() < 1e-9);
        for f in &e.features {
            assert!(!f.spans.is_empty(), "{}", f.name);
            for s in &f.spans {
                assert!(text.get(s.clone()).is_some());
            }
        }
        for t in &e.tokens {
            assert_eq!(&text[t.span.clone()], t.text);
        }
        let froze = e.tokens.iter().find(|t| t.text == "froze").expect("token");
        assert!(froze.to_score > 0.0, "froze pushes toward hard-line");
        let (toward_neg, toward_pos) = e.top(3);
        assert!(toward_pos.iter().all(|f| f.to_score > 0.0));
        assert!(toward_neg.iter().all(|f| f.to_score < 0.0));
    }
}

#[test]
fn top_features_per_class_and_pole() {
    let m = model(true);
    let top = m.top_features(5);
    assert_eq!(top.len(), 3);
    assert!(top.iter().all(|(_, l)| l.len() == 5));
    let (neg, pos) = m.top_pole_features(5);
    assert!(neg[0].weight < 0.0 && pos[0].weight > 0.0);
    let two = model(false);
    let top2 = two.top_features(3);
    assert_eq!(top2[0].0, "conciliatory");
    assert!(top2[0].1[0].weight > 0.0 && top2[1].1[0].weight > 0.0);
}

#[test]
fn explain_top_is_the_head_of_explain() {
    let bundled = Model::bundled_stance().expect("bundled");
    for m in [model(false), model(true), bundled] {
        let mut scratch = crate::features::Scratch::default();
        for text in [
            "On Monday, the ministry froze assets and expelled diplomats — but didn't rule out talks.",
            "Both sides agreed to a ceasefire; the envoy welcomed talks, talks and more talks.",
            "Das ist kein englischer Satz.",
            "",
        ] {
            let e = m.explain(text);
            for n in [0, 1, 3, 1000] {
                let (p, top) = m.explain_top(text, n, &mut scratch);
                assert_eq!(p, e.prediction, "{text}");
                let head: Vec<_> = e.features.iter().take(n).cloned().collect();
                assert_eq!(top, head, "{text} n={n}");
            }
        }
    }
}
