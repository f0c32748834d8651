//! A generated corpus of malformed model files, for robustness tests in Rust and Python.
//!
//! [`malformed_model_files`] takes the bytes of a valid model file and derives broken variants
//! from it (truncations, wrong types, inconsistent dimensions, out-of-range values, non-finite
//! numbers, absurd sizes, future versions). Every variant must be rejected by
//! [`Model::from_bytes`](crate::Model::from_bytes) with a typed error, quickly and without
//! allocating more than the input's size.

use serde_json::{json, Value};

/// One malformed model file.
#[derive(Debug, Clone, PartialEq)]
pub struct MalformedFile {
    /// A short name saying what is wrong.
    pub name: String,
    /// The file's bytes.
    pub bytes: Vec<u8>,
}

/// An edit of a parsed model file.
type Mutation = Box<dyn Fn(&mut Value)>;

fn mutated(valid: &Value, f: Mutation) -> Vec<u8> {
    let mut v = valid.clone();
    f(&mut v);
    serde_json::to_vec(&v).unwrap_or_default()
}

fn pop(v: &mut Value) {
    if let Some(a) = v.as_array_mut() {
        a.pop();
    }
}

/// Broken variants of the valid model file `valid` (a vocabulary model with idf, as
/// `Model::train` makes by default). Returns an empty list if `valid` is not JSON.
pub fn malformed_model_files(valid: &[u8]) -> Vec<MalformedFile> {
    let Ok(good) = serde_json::from_slice::<Value>(valid) else {
        return Vec::new();
    };
    let text = String::from_utf8_lossy(valid).into_owned();
    let mut out: Vec<(String, Vec<u8>)> = vec![
        ("empty".into(), Vec::new()),
        ("whitespace".into(), b"   \n".to_vec()),
        ("not json".into(), b"hawkdove model".to_vec()),
        ("json array".into(), b"[1, 2, 3]".to_vec()),
        ("json null".into(), b"null".to_vec()),
        (
            "invalid utf-8".into(),
            b"{\"format_version\": 1, \"classes\": [\"\xff\"]}".to_vec(),
        ),
        (
            "deeply nested".into(),
            format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)).into_bytes(),
        ),
        ("nul bytes".into(), vec![0u8; 64]),
    ];
    for frac in [1, 10, 50, 90, 99] {
        let cut = valid.len() * frac / 100;
        out.push((format!("truncated at {frac}%"), valid[..cut].to_vec()));
    }
    let cases: Vec<(&str, Mutation)> = vec![
        ("future version", Box::new(|v| v["format_version"] = json!(2))),
        ("huge version", Box::new(|v| v["format_version"] = json!(u64::MAX))),
        ("negative version", Box::new(|v| v["format_version"] = json!(-1))),
        ("version as string", Box::new(|v| v["format_version"] = json!("1"))),
        (
            "no version",
            Box::new(|v| {
                if let Some(o) = v.as_object_mut() {
                    o.remove("format_version");
                }
            }),
        ),
        ("classes not a list", Box::new(|v| v["classes"] = json!("abc"))),
        ("class not a string", Box::new(|v| v["classes"][0] = json!(7))),
        ("one class", Box::new(|v| v["classes"] = json!(["a"]))),
        (
            "unsorted classes",
            Box::new(|v| {
                if let Some(a) = v["classes"].as_array_mut() {
                    a.reverse();
                }
            }),
        ),
        (
            "duplicate classes",
            Box::new(|v| v["classes"][1] = v["classes"][0].clone()),
        ),
        (
            "pole not a class",
            Box::new(|v| v["poles"]["positive"] = json!("no such class")),
        ),
        (
            "poles equal",
            Box::new(|v| v["poles"]["positive"] = v["poles"]["negative"].clone()),
        ),
        ("poles missing", Box::new(|v| v["poles"] = json!(null))),
        ("idf shorter than features", Box::new(|v| pop(&mut v["idf"]))),
        ("idf negative", Box::new(|v| v["idf"][0] = json!(-1.0))),
        ("idf zero", Box::new(|v| v["idf"][0] = json!(0.0))),
        ("idf missing", Box::new(|v| v["idf"] = json!(null))),
        (
            "weights row shorter than features",
            Box::new(|v| pop(&mut v["weights"][0])),
        ),
        ("weights row missing", Box::new(|v| pop(&mut v["weights"]))),
        (
            "weights extra row",
            Box::new(|v| {
                let row = v["weights"][0].clone();
                if let Some(a) = v["weights"].as_array_mut() {
                    a.push(row.clone());
                    a.push(row);
                }
            }),
        ),
        ("weight null", Box::new(|v| v["weights"][0][0] = json!(null))),
        ("weight string", Box::new(|v| v["weights"][0][0] = json!("1.0"))),
        (
            "weight beyond f32's range",
            Box::new(|v| v["weights"][0][0] = json!(1e300)),
        ),
        ("intercepts short", Box::new(|v| pop(&mut v["intercepts"]))),
        ("temperature zero", Box::new(|v| v["temperature"] = json!(0.0))),
        ("temperature negative", Box::new(|v| v["temperature"] = json!(-2.0))),
        // Issue 25, defect 3: values that load but would make a score non-finite.
        (
            "idf at f32's maximum",
            Box::new(|v| v["idf"][0] = json!(f64::from(f32::MAX))),
        ),
        ("idf beyond f32's range", Box::new(|v| v["idf"][0] = json!(1e300))),
        ("temperature tiny", Box::new(|v| v["temperature"] = json!(1e-300))),
        ("vocabulary missing", Box::new(|v| v["vocabulary"] = json!(null))),
        (
            "vocabulary shorter than weights",
            Box::new(|v| pop(&mut v["vocabulary"]["words"])),
        ),
        (
            "vocabulary duplicate",
            Box::new(|v| v["vocabulary"]["words"][1] = v["vocabulary"]["words"][0].clone()),
        ),
        (
            "vocabulary empty term",
            Box::new(|v| v["vocabulary"]["words"][0] = json!("a  b")),
        ),
        (
            "vocabulary n-gram too long",
            Box::new(|v| v["vocabulary"]["words"][0] = json!("a b c d e f")),
        ),
        (
            "vocabulary entry not a string",
            Box::new(|v| v["vocabulary"]["words"][0] = json!([1, 2])),
        ),
        (
            "char n-grams without config",
            Box::new(|v| v["vocabulary"]["chars"] = json!(["ab"])),
        ),
        (
            "n-gram range reversed",
            Box::new(|v| v["featurizer"]["word_ngrams"] = json!([3, 1])),
        ),
        (
            "n-gram order absurd",
            Box::new(|v| v["featurizer"]["word_ngrams"] = json!([1, 1_000_000_000u64])),
        ),
        (
            "max_features absurd",
            Box::new(|v| {
                v["featurizer"]["space"] =
                    json!({"vocabulary": {"min_df": {"count": 1}, "max_df": {"fraction": 1.0}, "max_features": 1e30}})
            }),
        ),
        (
            "hashing bits absurd",
            Box::new(|v| {
                v["featurizer"]["space"] = json!({"hashing": {"bits": 60, "seed": 0}});
                v["vocabulary"] = json!(null);
            }),
        ),
        (
            "hashing bits overflow",
            Box::new(|v| {
                v["featurizer"]["space"] = json!({"hashing": {"bits": 4_294_967_296u64, "seed": 0}});
                v["vocabulary"] = json!(null);
            }),
        ),
        (
            "hashing with wrong weight size",
            Box::new(|v| {
                v["featurizer"]["space"] = json!({"hashing": {"bits": 4, "seed": 0}});
                v["vocabulary"] = json!(null);
            }),
        ),
        (
            "unknown stemmer",
            Box::new(|v| v["featurizer"]["text"]["stemmer"] = json!("klingon")),
        ),
        (
            "lexicon phrase too long",
            Box::new(|v| {
                v["featurizer"]["lexicon"] = json!({"entries": [{"pole": "x", "phrase": "a b c d e f g h i j"}]})
            }),
        ),
    ];
    for (name, f) in cases {
        out.push((name.to_string(), mutated(&good, f)));
    }
    // Non-finite numbers cannot be written as JSON values; 1e999 overflows when parsed.
    out.push((
        "weight overflows to infinity".into(),
        text.replacen("\"intercepts\":[", "\"intercepts\":[1e999,", 1)
            .into_bytes(),
    ));
    out.push((
        "NaN literal".into(),
        text.replacen("\"temperature\":", "\"temperature\":NaN,\"x\":", 1)
            .into_bytes(),
    ));
    out.into_iter()
        .map(|(name, bytes)| MalformedFile { name, bytes })
        .collect()
}
