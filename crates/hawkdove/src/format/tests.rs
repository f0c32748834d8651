use super::*;
use crate::features::FeatureSpace;
use crate::score::Calibration;
use serde_json::{json, Value};

fn trained(params: &ModelParams) -> Model {
    let texts = [
        "imposed sanctions and froze assets",
        "threatened retaliation and expelled diplomats",
        "welcomed talks and eased sanctions",
        "agreed to a ceasefire and resumed dialogue",
        "the committee meets in Geneva",
        "the report was published on Tuesday",
    ];
    let labels = [
        "hard-line",
        "hard-line",
        "conciliatory",
        "conciliatory",
        "neutral",
        "neutral",
    ];
    Model::train(&texts, &labels, params).expect("train")
}

fn as_value(m: &Model) -> Value {
    serde_json::from_slice(&m.to_bytes().expect("bytes")).expect("json")
}

fn load_value(v: &Value) -> Result<Model> {
    Model::from_bytes(&serde_json::to_vec(v).expect("encode"))
}

#[test]
fn round_trip_is_exact() {
    for params in [
        ModelParams::default(),
        ModelParams {
            calibration: Calibration::Temperature { folds: 2 },
            ..ModelParams::default()
        },
        ModelParams {
            featurizer: crate::FeaturizerConfig {
                space: FeatureSpace::Hashing { bits: 8, seed: 9 },
                char_ngrams: Some((2, 3)),
                ..crate::FeaturizerConfig::default()
            },
            ..ModelParams::default()
        },
        ModelParams {
            featurizer: crate::FeaturizerConfig {
                lexicon: Some(
                    crate::features::Lexicon::parse("hard-line\tfroze\nconciliatory\ttalks\n").expect("lexicon"),
                ),
                ..crate::FeaturizerConfig::default()
            },
            ..ModelParams::default()
        },
        ModelParams {
            featurizer: crate::FeaturizerConfig {
                char_ngrams: Some((2, 4)),
                idf: false,
                ..crate::FeaturizerConfig::default()
            },
            ..ModelParams::default()
        },
    ] {
        let m = trained(&params);
        let bytes = m.to_bytes().expect("bytes");
        let back = Model::from_bytes(&bytes).expect("load");
        assert_eq!(back.to_bytes().expect("bytes"), bytes);
        assert_eq!(back.linear(), m.linear());
        for t in ["froze assets", "resumed dialogue", "", "Geneva"] {
            assert_eq!(back.predict(t), m.predict(t));
        }
    }
}

#[test]
fn weights_are_written_in_f32_shortest_form_and_f64_text_still_loads() {
    let m = trained(&ModelParams::default());
    let bytes = m.to_bytes().expect("bytes");
    let as_f32: Vec<Vec<f32>> = m
        .linear()
        .weights()
        .iter()
        .map(|r| r.iter().map(|&w| w as f32).collect())
        .collect();
    let expected = format!("\"weights\":{}", serde_json::to_string(&as_f32).expect("json"));
    let text = String::from_utf8(bytes).expect("utf-8");
    assert!(text.contains(&expected), "weights not in f32 form");
    // A file written before weights were written as f32 holds the same values in f64's form.
    let old = serde_json::to_value(m.linear().weights()).expect("json");
    assert!(old.to_string().len() > expected.len() - "\"weights\":".len(), "{old}");
    let mut v = as_value(&m);
    v["weights"] = old;
    assert_eq!(load_value(&v).expect("load").linear(), m.linear());
}

#[test]
fn format_version_comes_first() {
    let bytes = trained(&ModelParams::default()).to_bytes().expect("bytes");
    let text = String::from_utf8_lossy(&bytes[..40]).to_string();
    assert!(text.starts_with("{\"format_version\":1,\"hawkdove_version\""), "{text}");
}

#[test]
fn save_and_load_files() {
    let m = trained(&ModelParams::default());
    let dir = std::env::temp_dir().join(format!("hawkdove-format-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("m.json");
    m.save(&path).expect("save");
    let back = Model::load(&path).expect("load");
    assert_eq!(back.predict("froze assets"), m.predict("froze assets"));
    assert!(matches!(Model::load(dir.join("missing.json")), Err(Error::Io { .. })));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every corrupt file gives a typed format error.
#[test]
fn corrupt_files_are_rejected() {
    let good = as_value(&trained(&ModelParams::default()));
    let bytes = serde_json::to_vec(&good).expect("bytes");
    let n_features = good["weights"][0].as_array().map_or(0, Vec::len);
    let mutate = |f: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        f(&mut v);
        v
    };
    let cases: Vec<(&str, Result<Model>)> = vec![
        ("empty", Model::from_bytes(b"")),
        ("not json", Model::from_bytes(b"hello")),
        ("truncated", Model::from_bytes(&bytes[..bytes.len() / 2])),
        ("json array", Model::from_bytes(b"[1,2,3]")),
        (
            "future version",
            load_value(&mutate(&|v| v["format_version"] = json!(99))),
        ),
        (
            "version string",
            load_value(&mutate(&|v| v["format_version"] = json!("1"))),
        ),
        (
            "no version",
            load_value(&mutate(&|v| {
                v.as_object_mut().map(|o| o.remove("format_version"));
            })),
        ),
        (
            "classes wrong type",
            load_value(&mutate(&|v| v["classes"] = json!("abc"))),
        ),
        ("one class", load_value(&mutate(&|v| v["classes"] = json!(["a"])))),
        (
            "unsorted classes",
            load_value(&mutate(&|v| {
                v["classes"] = json!(["neutral", "hard-line", "conciliatory"])
            })),
        ),
        (
            "pole not a class",
            load_value(&mutate(&|v| v["poles"]["positive"] = json!("hawk"))),
        ),
        (
            "same poles",
            load_value(&mutate(&|v| v["poles"]["positive"] = v["poles"]["negative"].clone())),
        ),
        (
            "idf too short",
            load_value(&mutate(&|v| {
                v["idf"].as_array_mut().map(|a| a.pop());
            })),
        ),
        ("idf negative", load_value(&mutate(&|v| v["idf"][0] = json!(-1.0)))),
        (
            "weights row short",
            load_value(&mutate(&|v| {
                v["weights"][0].as_array_mut().map(|a| a.pop());
            })),
        ),
        (
            "missing weight row",
            load_value(&mutate(&|v| {
                v["weights"].as_array_mut().map(|a| a.pop());
            })),
        ),
        (
            "intercepts short",
            load_value(&mutate(&|v| v["intercepts"] = json!([0.0]))),
        ),
        (
            "weight not a number",
            load_value(&mutate(&|v| v["weights"][0][0] = json!(null))),
        ),
        (
            "weight overflow",
            Model::from_bytes(
                String::from_utf8_lossy(&bytes)
                    .replacen("\"intercepts\":[", "\"intercepts\":[1e999,", 1)
                    .as_bytes(),
            ),
        ),
        (
            "temperature zero",
            load_value(&mutate(&|v| v["temperature"] = json!(0.0))),
        ),
        (
            "duplicate vocabulary",
            load_value(&mutate(&|v| {
                let first = v["vocabulary"]["words"][0].clone();
                v["vocabulary"]["words"][1] = first;
            })),
        ),
        (
            "vocabulary empty term",
            load_value(&mutate(&|v| v["vocabulary"]["words"][0] = json!("a  b"))),
        ),
        (
            "vocabulary n-gram too long",
            load_value(&mutate(&|v| v["vocabulary"]["words"][0] = json!("a b c d e"))),
        ),
        (
            "vocabulary shorter than weights",
            load_value(&mutate(&|v| {
                v["vocabulary"]["words"].as_array_mut().map(|a| a.pop());
            })),
        ),
        (
            "vocabulary missing",
            load_value(&mutate(&|v| v["vocabulary"] = json!(null))),
        ),
        (
            "bad featurizer",
            load_value(&mutate(&|v| v["featurizer"]["word_ngrams"] = json!([3, 1]))),
        ),
        (
            "hashing bits absurd",
            load_value(&mutate(&|v| {
                v["featurizer"]["space"] = json!({"hashing": {"bits": 60, "seed": 0}});
                v["vocabulary"] = json!(null);
            })),
        ),
        (
            "hashing with wrong weight size",
            load_value(&mutate(&|v| {
                v["featurizer"]["space"] = json!({"hashing": {"bits": 4, "seed": 0}});
                v["vocabulary"] = json!(null);
            })),
        ),
    ];
    assert!(n_features > 2);
    for (name, result) in cases {
        match result {
            Err(Error::Format(_)) => {}
            other => panic!("{name}: expected a format error, got {other:?}"),
        }
    }
    assert!(matches!(
        load_value(&mutate(&|v| v["format_version"] = json!(99))),
        Err(Error::Format(FormatError::UnsupportedVersion {
            found: 99,
            supported: 1,
            ..
        }))
    ));
    // A newer writer's file whose body this build cannot parse is still told by its version.
    let newer = mutate(&|v| {
        v["format_version"] = json!(2);
        v["weights"] = json!({"layout": "some future form"});
    });
    assert!(matches!(
        load_value(&newer),
        Err(Error::Format(FormatError::UnsupportedVersion { found: 2, .. }))
    ));
    let mut featurizer: Value =
        serde_json::from_slice(&trained(&ModelParams::default()).featurizer().to_bytes().expect("bytes"))
            .expect("json");
    featurizer["format_version"] = json!(3);
    featurizer["idf"] = json!("future");
    assert!(matches!(
        crate::Featurizer::from_bytes(&serde_json::to_vec(&featurizer).expect("json")),
        Err(Error::Format(FormatError::UnsupportedVersion { found: 3, .. }))
    ));
}

#[test]
fn oversized_input_is_refused_before_parsing() {
    struct Endless;
    impl std::io::Read for Endless {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            buf.fill(b' ');
            Ok(buf.len())
        }
    }
    // Reading stops at the cap; we only check the error type on a smaller cap-sized stand-in.
    let r = Model::from_reader(std::io::Read::take(Endless, 10));
    assert!(matches!(r, Err(Error::Format(FormatError::Json(_)))));
}

#[test]
fn featurizer_round_trip_and_kind_check() {
    let m = trained(&ModelParams::default());
    let bytes = m.featurizer().to_bytes().expect("bytes");
    let f = crate::Featurizer::from_bytes(&bytes).expect("load");
    assert_eq!(
        f.transform(&["froze assets"]),
        m.featurizer().transform(&["froze assets"])
    );
    assert_eq!(f.to_bytes().expect("bytes"), bytes);
    assert!(matches!(
        crate::Featurizer::from_bytes(&m.to_bytes().expect("model")),
        Err(Error::Format(_))
    ));
    assert!(matches!(Model::from_bytes(&bytes), Err(Error::Format(_))));
}

#[test]
fn generated_malformed_corpus_is_all_rejected_with_format_errors() {
    let valid = trained(&ModelParams::default()).to_bytes().expect("bytes");
    let corpus = malformed_model_files(&valid);
    assert!(corpus.len() >= 50, "{}", corpus.len());
    for m in &corpus {
        match Model::from_bytes(&m.bytes) {
            Err(Error::Format(_)) => {}
            other => panic!(
                "{}: expected a format error, got {:?}",
                m.name,
                other.map(|_| "a model")
            ),
        }
    }
}

#[test]
fn a_multi_gigabyte_file_is_refused_by_size() {
    let dir = std::env::temp_dir().join(format!("hawkdove-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("big.json");
    let f = std::fs::File::create(&path).expect("create");
    f.set_len(3 << 30).expect("sparse file"); // 3 GiB, sparse: no disk used
    let start = std::time::Instant::now();
    let r = Model::load(&path);
    assert!(matches!(r, Err(Error::Format(FormatError::TooLarge { .. }))), "{r:?}");
    assert!(start.elapsed().as_secs() < 5);
    let _ = std::fs::remove_dir_all(&dir);
}

/// The finite `f32` bit patterns among `bits` whose JSON text (serde_json writes an `f32` in
/// its shortest form) does not read back as the same `f32`: the path of a weight or an idf
/// value through a model file.
fn f32_text_misreads(bits: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut text = Vec::with_capacity(32);
    bits.filter(|&b| {
        let x = f32::from_bits(b);
        if !x.is_finite() {
            return false;
        }
        text.clear();
        let read = serde_json::to_writer(&mut text, &x)
            .ok()
            .and_then(|()| serde_json::from_slice::<f32>(&text).ok());
        read.map(f32::to_bits) != Some(b)
    })
    .collect()
}

/// ±7.038531e-26, whose shortest text read as an `f64` lies exactly halfway between it and its
/// neighbour, so that rounding the `f64` to `f32` (ties to even) gives the neighbour. Found by
/// the exhaustive test below when weights were still read as `f64`: the only such `f32`.
const DOUBLE_ROUNDING_TRAP: u32 = 0x15ae_43fd;

#[test]
fn f32_text_reads_back_exactly_on_a_sample() {
    // Every 4,099th bit pattern (both signs, every exponent, subnormals) and the edges.
    let edges = [
        0,
        1,
        0x007f_ffff,
        0x0080_0000,
        0x7f7f_ffff,
        0x3f80_0000,
        DOUBLE_ROUNDING_TRAP,
    ];
    let sample = (0..=u32::MAX)
        .step_by(4_099)
        .chain(edges)
        .chain(edges.map(|b| b | 0x8000_0000));
    assert_eq!(f32_text_misreads(sample), Vec::<u32>::new());
    // Why weights are read as f32: through f64 this one comes back as its neighbour.
    let x = f32::from_bits(DOUBLE_ROUNDING_TRAP);
    let text = serde_json::to_string(&x).expect("json");
    let through_f64 = serde_json::from_str::<f64>(&text).expect("f64") as f32;
    assert_eq!(through_f64.to_bits(), DOUBLE_ROUNDING_TRAP + 1, "{text}");
}

#[test]
fn a_weight_that_double_rounding_would_change_survives_a_round_trip() {
    let mut v = as_value(&trained(&ModelParams::default()));
    let x = f32::from_bits(DOUBLE_ROUNDING_TRAP);
    v["weights"][0][0] = json!(f64::from(x));
    let m = load_value(&v).expect("load");
    assert_eq!(m.linear().weights()[0][0], f64::from(x));
    let bytes = m.to_bytes().expect("bytes");
    let back = Model::from_bytes(&bytes).expect("load");
    assert_eq!(back.linear(), m.linear());
    assert_eq!(back.to_bytes().expect("bytes"), bytes);
}

/// All 4.3 billion bit patterns: `cargo test --release -p hawkdove -- --ignored every_f32`
/// (about four minutes on two cores).
#[test]
#[ignore]
fn f32_text_reads_back_exactly_for_every_f32() {
    use rayon::prelude::*;
    let misread: Vec<u32> = (0..=u16::MAX)
        .into_par_iter()
        .flat_map_iter(|high| f32_text_misreads((0..=u16::MAX).map(move |low| u32::from(high) << 16 | u32::from(low))))
        .collect();
    assert_eq!(misread, Vec::<u32>::new());
}

#[test]
fn a_failing_write_leaves_the_old_file_and_no_temporary() {
    let old = trained(&ModelParams::default());
    let dir = std::env::temp_dir().join(format!("hawkdove-atomic-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("m.json");
    old.save(&path).expect("save");
    let before = std::fs::read(&path).expect("read");
    // A writer that fails after 1,000 bytes, as a full disk would.
    struct Full(usize);
    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.0 >= 1000 {
                return Err(std::io::Error::other("no space left on device"));
            }
            self.0 += buf.len();
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let got = atomic_write(&path, |w| {
        w.write_all(&before[..500]).map_err(|e| Error::io("<writer>", e))?;
        old.write_to(Full(0))
    });
    assert!(matches!(got, Err(Error::Io { .. })), "{got:?}");
    assert_eq!(std::fs::read(&path).expect("read"), before);
    assert!(Model::load(&path).is_ok());
    let names: Vec<_> = std::fs::read_dir(&dir)
        .expect("ls")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(names, [std::ffi::OsString::from("m.json")], "no temporary file is left");
    let _ = std::fs::remove_dir_all(&dir);
}

/// Files that load but would score NaN are refused, naming the field (issue 25): idf near
/// `f32::MAX` made `tf × idf` overflow and every probability NaN.
#[test]
fn files_that_would_score_nan_are_refused() {
    let m = trained(&ModelParams::default());
    let v = as_value(&m);
    let expect_invalid = |v: &Value, field_part: &str| match load_value(v) {
        Err(Error::Format(FormatError::InvalidValue { field, reason })) => {
            assert!(field.contains(field_part), "{field}: {reason}");
        }
        other => panic!(
            "expected InvalidValue for {field_part}, got {:?}",
            other.map(|_| "a model")
        ),
    };
    let mut bad = v.clone();
    bad["idf"][0] = json!(3.4e38);
    expect_invalid(&bad, "idf[0]");
    let mut bad = v.clone();
    bad["temperature"] = json!(1e-300);
    expect_invalid(&bad, "temperature");
    let mut bad = v.clone();
    bad["intercepts"][0] = json!(1e300);
    bad["temperature"] = json!(0.01);
    expect_invalid(&bad, "temperature");
    // Weights at f32's limit give huge but finite logits in f64: accepted, and finite.
    let mut big = v.clone();
    big["weights"][0][0] = json!(3.0e38);
    big["temperature"] = json!(1e-5);
    let big = load_value(&big).expect("finite logits load");
    assert!(big.predict("froze assets").score.is_finite());
    // The largest values a file may hold still score finite on hostile text.
    let mut edge = v.clone();
    let n = edge["idf"].as_array().expect("idf").len();
    edge["idf"] = json!(vec![MAX_IDF; n]);
    edge["featurizer"]["normalize"] = json!(false);
    let edge = load_value(&edge).expect("idf at the cap loads");
    let text = "froze assets and imposed sanctions ".repeat(20_000);
    let p = edge.predict(&text);
    assert!(
        p.score.is_finite() && p.probabilities.iter().all(|x| x.is_finite()),
        "{p:?}"
    );
}

#[test]
fn a_non_finite_logit_scores_undecided_not_nan() {
    let m = trained(&ModelParams::default());
    for logits in [
        [f64::INFINITY, 0.0, 1.0],
        [f64::NAN, 0.0, 0.0],
        [f64::INFINITY, f64::INFINITY, 0.0],
    ] {
        let p = m.prediction_from_logits(&logits, 3);
        assert!(p.score.is_finite(), "{logits:?}: {p:?}");
        assert!(p.probabilities.iter().all(|x| x.is_finite()), "{logits:?}: {p:?}");
    }
}
