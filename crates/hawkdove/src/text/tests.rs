use super::*;

/// Default settings without stemming, so expectations read as plain words.
fn plain() -> TextConfig {
    TextConfig {
        stemmer: None,
        ..TextConfig::default()
    }
}

fn terms(text: &str) -> Vec<String> {
    Analyzer::new(&plain())
        .analyze(text)
        .terms()
        .map(str::to_string)
        .collect()
}

fn terms_with(config: &TextConfig, text: &str) -> Vec<String> {
    Analyzer::new(config)
        .analyze(text)
        .terms()
        .map(str::to_string)
        .collect()
}

#[test]
fn contractions_yield_a_negation() {
    assert_eq!(
        terms("They didn't condemn it."),
        ["they", "did", "not", "not_condemn", "not_it"]
    );
    assert_eq!(terms("Seoul can't accept"), ["seoul", "can", "not", "not_accept"]);
    assert_eq!(terms("We won’t go"), ["we", "will", "not", "not_go"]);
}

#[test]
fn typographic_apostrophes_fold() {
    assert_eq!(terms("Japan’s stance"), terms("Japan's stance"));
    assert_eq!(terms("Japan’s stance"), ["japan", "stance"]);
    assert_eq!(terms("O’Brien said"), ["o'brien", "said"]);
}

#[test]
fn negation_scope_ends_at_clause_boundary() {
    assert_eq!(
        terms("Ministers did not condemn the strike, and talks resumed."),
        [
            "ministers",
            "did",
            "not",
            "not_condemn",
            "not_the",
            "not_strike",
            "and",
            "talks",
            "resumed"
        ]
    );
    assert_eq!(
        terms("no sanctions but tariffs"),
        ["no", "not_sanctions", "but", "tariffs"]
    );
}

#[test]
fn multiword_negators() {
    assert_eq!(
        terms("Berlin refused to impose sanctions."),
        ["berlin", "refused", "to", "not_impose", "not_sanctions"]
    );
    assert_eq!(
        terms("They declined to comment; officials left"),
        ["they", "declined", "to", "not_comment", "officials", "left"]
    );
}

#[test]
fn a_phrase_negator_inside_a_scope_cancels_it() {
    assert_eq!(
        terms("They did not rule out talks"),
        ["they", "did", "not", "rule", "out", "talks"]
    );
    assert_eq!(
        terms("Seoul refused to rule out force."),
        ["seoul", "refused", "to", "rule", "out", "force"]
    );
    assert_eq!(
        terms("Beijing will not hesitate to retaliate"),
        ["beijing", "will", "not", "hesitate", "to", "retaliate"]
    );
    // Outside a scope the phrase opens one, as before.
    assert_eq!(
        terms("Tokyo hesitated to retaliate; Seoul ruled out force"),
        [
            "tokyo",
            "hesitated",
            "to",
            "not_retaliate",
            "seoul",
            "ruled",
            "out",
            "not_force"
        ]
    );
    // Turned off (as in model files written before the rule existed): the scope stays open.
    let single = TextConfig {
        negation: Some(NegationRules {
            double_negation: false,
            ..NegationRules::default()
        }),
        ..plain()
    };
    assert_eq!(
        terms_with(&single, "did not rule out talks"),
        ["did", "not", "rule", "out", "not_talks"]
    );
}

#[test]
fn negation_rules_written_before_double_negation_read_it_as_off() {
    let mut old = serde_json::to_value(NegationRules::default()).unwrap();
    old.as_object_mut().unwrap().remove("double_negation");
    let rules: NegationRules = serde_json::from_value(old).unwrap();
    assert!(!rules.double_negation);
    assert!(NegationRules::default().double_negation);
}

#[test]
fn negation_can_be_turned_off_and_limited() {
    let off = TextConfig {
        negation: None,
        ..plain()
    };
    assert_eq!(terms_with(&off, "did not condemn"), ["did", "not", "condemn"]);
    let limited = TextConfig {
        negation: Some(NegationRules {
            max_scope: 1,
            ..NegationRules::default()
        }),
        ..plain()
    };
    assert_eq!(terms_with(&limited, "not a threat"), ["not", "not_a", "threat"]);
}

#[test]
fn hyphenated_compounds() {
    assert_eq!(terms("a hard-line stance"), ["a", "hard-line", "stance"]);
    assert_eq!(terms("a hard‑line stance"), ["a", "hard-line", "stance"]);
    let split = TextConfig {
        split_hyphens: true,
        ..plain()
    };
    assert_eq!(
        terms_with(&split, "a hard-line stance"),
        ["a", "hard", "line", "stance"]
    );
}

#[test]
fn numbers_and_urls() {
    assert_eq!(
        terms("1,000 troops and 3.5 percent"),
        ["1,000", "troops", "and", "3.5", "percent"]
    );
    let fold = TextConfig {
        fold_numbers: true,
        ..plain()
    };
    assert_eq!(
        terms_with(&fold, "1,000 troops in 2024"),
        ["<num>", "troops", "in", "<num>"]
    );
    assert_eq!(terms("see https://example.org/a?b=1. Then"), ["see", "<url>", "then"]);
    let drop = TextConfig {
        fold_urls: false,
        ..plain()
    };
    assert_eq!(terms_with(&drop, "see www.example.org now"), ["see", "now"]);
}

#[test]
fn acronyms_keep_their_dots() {
    assert_eq!(
        terms("The U.S. and the U.N. met"),
        ["the", "u.s.", "and", "the", "u.n.", "met"]
    );
}

#[test]
fn markup_is_stripped_and_spans_point_into_the_original() {
    let text =
        "<p class=\"lede\">Talks &amp; <b>sanctions</b></p> srcset=\"a.jpg 300w, b.jpg 600w\" Japan&#8217;s move";
    let a = Analyzer::new(&plain()).analyze(text);
    let t: Vec<&str> = a.terms().collect();
    assert_eq!(t, ["talks", "sanctions", "japan", "move"]);
    assert_eq!(&text[a.tokens()[1].span.clone()], "sanctions");
    assert_eq!(&text[a.tokens()[2].span.clone()], "Japan");
}

#[test]
fn attribute_remnants_need_an_equals_sign_before_a_quote() {
    assert!(has_attribute_quote("srcset=\"a.jpg 300w\""));
    assert!(has_attribute_quote("a = b, alt='x'"));
    assert!(!has_attribute_quote("a = \"b\" and x=y"));
    assert!(!has_attribute_quote("ends with ="));
    let a = Analyzer::new(&plain()).analyze("width='300' talks resume");
    assert_eq!(a.terms().collect::<Vec<_>>(), ["talks", "resume"]);
}

#[test]
fn non_latin_scripts() {
    assert_eq!(terms("Переговоры продолжились."), ["переговоры", "продолжились"]);
    assert_eq!(terms("中国外交"), ["中", "国", "外", "交"]);
    assert_eq!(terms("مفاوضات السلام"), ["مفاوضات", "السلام"]);
    assert_eq!(terms("ＡＢＣ ﬁnal"), ["abc", "final"]);
}

#[test]
fn empty_and_blank_input() {
    assert!(terms("").is_empty());
    assert!(terms("   \n\t ").is_empty());
    assert!(terms("... !!! ---").is_empty());
}

#[test]
fn stop_words_and_stemming() {
    let config = TextConfig {
        stop_words: Some(StopWords::English),
        stemmer: Some(Language::English),
        ..TextConfig::default()
    };
    assert_eq!(
        terms_with(&config, "The sanctions were not lifted by the allies"),
        ["sanction", "not", "not_lift", "not_alli"]
    );
}

#[test]
fn long_blobs_are_skipped() {
    let blob = "A".repeat(500);
    assert_eq!(terms(&format!("talks {blob} resumed")), ["talks", "resumed"]);
}

#[test]
fn spans_are_char_boundaries_and_cover_the_token() {
    let text = "Les négociations n’ont pas abouti — «non» à l’accord";
    let a = Analyzer::new(&plain()).analyze(text);
    for tok in a.tokens() {
        assert!(text.is_char_boundary(tok.span.start) && text.is_char_boundary(tok.span.end));
        assert!(!text[tok.span.clone()].is_empty());
    }
}

#[test]
fn default_config_stems_english() {
    let a = Analyzer::new(&TextConfig::default()).analyze("Sanctions were tightened");
    assert_eq!(a.terms().collect::<Vec<_>>(), ["sanction", "were", "tighten"]);
    assert_eq!(a.surface(0), "sanctions");
}

/// Every token of the compact form featurizing uses, as (surface, negated, kind).
fn keyed_tokens(analyzer: &Analyzer, text: &str) -> Vec<(String, bool, TokenKind)> {
    let mut keyed = Keyed::default();
    analyzer.analyze_keys_into(text, &mut keyed);
    (0..keyed.len())
        .map(|i| {
            let mut short = [0u8; 16];
            (
                keyed.surface(i, &mut short).to_string(),
                keyed.negated(i),
                keyed.kind(i),
            )
        })
        .collect()
}

fn full_tokens(analyzer: &Analyzer, text: &str) -> Vec<(String, bool, TokenKind)> {
    let analysis = analyzer.analyze(text);
    (0..analysis.len())
        .map(|i| {
            let tok = &analysis.tokens()[i];
            (analysis.surface(i).to_string(), tok.negated, tok.kind)
        })
        .collect()
}

/// Settings that take different branches of the analyzer, a phrase with a word of more than 15
/// bytes among them.
fn keyed_configs() -> Vec<TextConfig> {
    let mut rules = NegationRules::default();
    rules
        .phrases
        .push(vec!["internationally".into(), "condemned".into(), "to".into()]);
    rules.phrases.push(vec!["counterproductively".into(), "to".into()]);
    vec![
        TextConfig::default(),
        TextConfig {
            lowercase: false,
            strip_markup: false,
            fold_numbers: true,
            fold_urls: false,
            split_hyphens: true,
            stop_words: Some(StopWords::English),
            ..TextConfig::default()
        },
        TextConfig {
            negation: Some(NegationRules { max_scope: 2, ..rules }),
            ..TextConfig::default()
        },
    ]
}

#[test]
fn keyed_analysis_has_the_tokens_of_the_full_one() {
    let texts = [
        "They didn't condemn it, but REFUSED TO negotiate; far from it.",
        "U.S. and U.N. at 3,000.5 e-mail co-operation rock'n'roll - -x x- don't can't won't Ca n't",
        "caf\u{e9} na\u{ef}ve \u{2019}tis Japan&#8217;s &#97;bc ab&#97;c a&amp;b <b>x</b>y http://x.y/z. www.a.b, ok",
        "x`s ``quoted'' O'Neil's 1.2.3 a.b.c. A.B e.g. i.e., 12-13 3-d 1,2,3 \u{4e2d}\u{56fd}x \u{e0}-\u{e9}",
        "the internationally condemned to plan, counterproductively to the supercalifragilistic idea",
        "<a href=\"x\">link</a> class=\"big\" text\tand\nlines\r\nHTTP://CAPS.ORG",
    ];
    for config in keyed_configs() {
        let analyzer = Analyzer::new(&config);
        for text in texts {
            assert_eq!(
                keyed_tokens(&analyzer, text),
                full_tokens(&analyzer, text),
                "{config:?} {text}"
            );
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 300, ..Default::default() })]

    /// The scanner's fast path finds the tokens its general path finds, and the compact
    /// analysis agrees with the full one, on any mix of the pieces the scanner treats specially.
    #[test]
    fn keyed_analysis_agrees_with_the_full_one(
        pieces in proptest::collection::vec(proptest::sample::select(vec![
            "a", "Ab", "word", "WORDS", "x1", "42", "3", ".", ",", "'", "-", "&", "&amp;", "&#97;",
            "<br />", "<", "=\"", " ", "  ", "\n", "\t", "n't", "not", "but", "refused", "to", "far",
            "from", "http://", "www.", "h", "w", "\u{e9}", "\u{2019}", "\u{4e2d}", "`", "U.S.", ";",
            "internationally", "condemned", "counterproductively", "supercalifragilistic",
        ]), 0..40)
    ) {
        let text: String = pieces.concat();
        for (strip_markup, split_hyphens) in [(true, false), (false, true)] {
            proptest::prop_assert_eq!(
                raw_tokens(&text, strip_markup, split_hyphens, true),
                raw_tokens(&text, strip_markup, split_hyphens, false)
            );
        }
        for config in keyed_configs() {
            let analyzer = Analyzer::new(&config);
            proptest::prop_assert_eq!(keyed_tokens(&analyzer, &text), full_tokens(&analyzer, &text));
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 2000, ..Default::default() })]

    /// The scanner's plain words get the key of their lowercased (or kept) surface, and the
    /// surface left in the buffer is that word.
    #[test]
    fn plain_word_keys_are_the_keys_of_the_normalized_word(word in "[A-Za-z0-9]{1,15}") {
        for lowercase in [true, false] {
            let want = if lowercase { word.to_ascii_lowercase() } else { word.clone() };
            // Alone (copied) and inside a longer text (loaded sixteen bytes at a time).
            let longer = format!("Q{word} and More text AFTER it");
            for (text, start) in [(word.as_str(), 0), (longer.as_str(), 1)] {
                let mut buf = [0u8; 16];
                let (key, lowered) = plain_word_key(text.as_bytes(), start, word.len(), lowercase, &mut buf);
                proptest::prop_assert_eq!(Some(key), short_word_key(&want));
                proptest::prop_assert_eq!(lowered, want != word);
                proptest::prop_assert_eq!(&buf[..word.len()], want.as_bytes());
            }
        }
    }
}

#[test]
fn plain_words_are_lowercased_at_the_ends_of_the_alphabet() {
    let mut buf = [0u8; 16];
    assert_eq!(
        plain_word_key(b"AZaz09", 0, 6, true, &mut buf),
        (short_word_key("azaz09").unwrap_or(0), true)
    );
    assert_eq!(
        terms("The QUICK Fox, 42 TIMES."),
        ["the", "quick", "fox", "42", "times"]
    );
}
