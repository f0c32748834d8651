#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! `hawkdove score` on text inputs, run as a user would run it: JSON Lines in input order, lines
//! mode, saved models and bad inputs, long inputs read in chunks in bounded memory (moved here
//! from the example classifier's tests).

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// The `hawkdove` binary.
fn classify() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_hawkdove"))
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/texts")
        .join(name)
}

/// `hawkdove score --quiet ARGS`.
fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(classify())
        .args(["score", "--quiet"])
        .args(args)
        .output()
        .expect("run hawkdove");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_output_parses_back_in_input_order() {
    let path = sample("ceasefire-talks.txt");
    let text = std::fs::read_to_string(&path).expect("sample");
    let (ok, out, err) = run(&["--format", "jsonl", "--drivers", "2", path.to_str().expect("path")]);
    assert!(ok, "{err}");
    let passages: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let (ok, out, err) = run(&["--format", "jsonl", "--per", "document", path.to_str().expect("path")]);
    assert!(ok, "{err}");
    let doc: Value = serde_json::from_str(out.trim()).expect("one JSON line");
    assert!(passages.len() >= 5);
    let mut last_start = 0;
    for (i, p) in passages.iter().enumerate() {
        assert_eq!(p["passage"], i);
        let span = p["span"].as_array().expect("span");
        let (s, e) = (span[0].as_u64().unwrap() as usize, span[1].as_u64().unwrap() as usize);
        assert!(s >= last_start);
        last_start = s;
        assert_eq!(p["text"].as_str(), Some(&text[s..e]));
        for axis in ["stance", "sentiment"] {
            let score = p[axis]["score"].as_f64().expect("score");
            assert!((-1.0..=1.0).contains(&score));
            let probs = p[axis]["probabilities"].as_object().expect("probabilities");
            assert_eq!(probs.len(), 3);
            let total: f64 = probs.values().map(|v| v.as_f64().unwrap()).sum();
            assert!((total - 1.0).abs() < 1e-9);
            assert!(probs.contains_key(p[axis]["label"].as_str().expect("label")));
            assert!(p[axis]["drivers"].as_array().expect("drivers").len() <= 2);
        }
    }
    let d = &doc;
    assert_eq!(d["passages"], passages.len());
    let score = d["stance"]["score"].as_f64().expect("doc score");
    let iv = d["stance"]["interval"].as_array().expect("interval");
    assert!(iv[0].as_f64().unwrap() <= score && score <= iv[1].as_f64().unwrap());
}

#[test]
fn lines_mode_scores_each_line() {
    let dir = std::env::temp_dir().join(format!("hawkdove-classify-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let f = dir.join("lines.txt");
    std::fs::write(
        &f,
        "The army froze assets. It also expelled envoys.\n\nTalks resumed in Oman.\n",
    )
    .expect("write");
    let (ok, out, err) = run(&["--lines", "--format", "jsonl", f.to_str().expect("path")]);
    assert!(ok, "{err}");
    let objs: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    assert_eq!(objs.len(), 2);
    assert_eq!(objs[0]["text"], "The army froze assets. It also expelled envoys.");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn table_is_plain_when_piped_and_has_the_document_line() {
    let path = sample("sanctions-shift.txt");
    let (ok, out, err) = run(&["--format", "table", path.to_str().expect("path")]);
    assert!(ok, "{err}");
    assert!(!out.contains('\x1b'), "no colour codes when piped");
    assert!(out.contains("document stance"));
    assert!(out.contains("hard-line"));
    let (ok, coloured, _) = run(&["--format", "table", "--color", "always", path.to_str().expect("path")]);
    assert!(ok && coloured.contains('\x1b'));
}

#[test]
fn saved_models_and_bad_inputs() {
    let dir = std::env::temp_dir().join(format!("hawkdove-classify-b-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let model_path = dir.join("m.json");
    let m = hawkdove::Model::train(
        &["froze assets", "expelled envoys", "resumed talks", "eased sanctions"],
        &["hawk", "hawk", "dove", "dove"],
        &hawkdove::ModelParams::default(),
    )
    .expect("train");
    m.save(&model_path).expect("save");
    let input = dir.join("in.txt");
    std::fs::write(&input, "They froze assets.\n").expect("write");
    let (ok, out, err) = run(&[
        "--format",
        "jsonl",
        "--no-sentiment",
        "--lines",
        "--model",
        model_path.to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert!(ok, "{err}");
    let v: Value = serde_json::from_str(out.lines().next().expect("line")).expect("json");
    assert_eq!(v["stance"]["label"], "hawk");
    assert_eq!(
        v["stance"]["score"].as_f64(),
        Some(m.predict("They froze assets.").score)
    );

    let bad = dir.join("bad.txt");
    std::fs::write(&bad, b"fine line\nbroken \xff byte\n").expect("write");
    let (ok, _, err) = run(&[bad.to_str().unwrap()]);
    assert!(!ok);
    assert!(err.contains("bad.txt:2") && err.contains("UTF-8"), "{err}");
    let (ok, _, err) = run(&[
        "--model",
        dir.join("missing.json").to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("missing.json"), "{err}");
    std::fs::write(dir.join("corrupt.json"), b"{\"format_version\": 7}").expect("write");
    let (ok, _, err) = run(&[
        "--model",
        dir.join("corrupt.json").to_str().unwrap(),
        input.to_str().unwrap(),
    ]);
    assert!(!ok && err.contains("version"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A generated article of about `bytes` bytes: paragraphs of sentences, a headline now and then.
fn long_article(bytes: usize) -> String {
    let paragraph = "Sanctions Talks Resume\n\nThe ministry said talks would resume next week. Officials \
                     threatened new sanctions! Both sides agreed to a ceasefire, and diplomats welcomed \
                     the move.\nGen. Smith vowed a swift response; the U.S. envoy urged restraint.\n\n";
    paragraph.repeat(bytes / paragraph.len() + 1)
}

#[test]
fn input_read_in_chunks_scores_as_the_whole_document() {
    // Issue 25, defect 12: the command reads 1 MiB at a time, cut at blank lines; the passages,
    // their scores and the document score must not change.
    let dir = std::env::temp_dir().join(format!("hawkdove-classify-c-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let text = long_article(2_500_000);
    let input = dir.join("long.txt");
    std::fs::write(&input, &text).expect("write");
    let args = ["--format", "jsonl", "--drivers", "0", "--no-sentiment"];
    let (ok, out, err) = run(&[&args[..], &[input.to_str().unwrap()]].concat());
    assert!(ok, "{err}");
    let rows: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).expect("JSON")).collect();
    let (ok, out, err) = run(&[&args[..], &["--per", "document", input.to_str().unwrap()]].concat());
    assert!(ok, "{err}");
    let doc: Value = serde_json::from_str(out.trim()).expect("JSON");
    let model = hawkdove::Model::bundled_stance().expect("model");
    let whole = model
        .score_document(&text, &hawkdove::document::DocumentOptions::default())
        .expect("score");
    assert_eq!(rows.len(), whole.passages.len());
    for (row, p) in rows.iter().zip(&whole.passages) {
        let span = [p.segment.span.start as u64, p.segment.span.end as u64];
        assert_eq!(row["span"][0].as_u64(), Some(span[0]));
        assert_eq!(row["span"][1].as_u64(), Some(span[1]));
        assert_eq!(row["stance"]["score"].as_f64(), Some(p.prediction.score));
    }
    assert_eq!(doc["stance"]["score"].as_f64(), Some(whole.score));
    assert_eq!(doc["stance"]["interval"][0].as_f64(), Some(whole.interval[0]));
    std::fs::remove_dir_all(&dir).ok();
}

/// Peak resident memory (VmHWM, bytes) of `hawkdove score --format jsonl <path>`, polled until
/// it exits.
fn classify_peak_memory(path: &Path, bootstrap: usize) -> u64 {
    let bootstrap = bootstrap.to_string();
    let mut child = Command::new(classify())
        .args([
            "score",
            "--bootstrap",
            &bootstrap,
            "--format",
            "jsonl",
            "--drivers",
            "0",
            "--quiet",
            path.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn");
    let status = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(s) = std::fs::read_to_string(&status) {
            if let Some(kb) = s.lines().find_map(|l| l.strip_prefix("VmHWM:")) {
                let kb: u64 = kb.trim().trim_end_matches("kB").trim().parse().expect("kB");
                peak = peak.max(kb * 1024);
            }
        }
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    peak
}

#[test]
#[cfg(target_os = "linux")]
fn long_input_is_scored_in_bounded_memory() {
    // Issue 25, defect 12: the example classifier read any input whole (512 MB used 1.66 GB).
    // With chunks of 1 MiB, and no bootstrap interval asked for, a 32 MB input peaks at about
    // what a small one does. The document's bootstrap interval (on by default) needs every
    // passage's score and weight: 16 bytes per passage and model, in vectors that may hold up to
    // twice what they use, which is bounded here.
    let dir = std::env::temp_dir().join(format!("hawkdove-classify-m-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let (small, large) = (dir.join("small.txt"), dir.join("large.txt"));
    let text = long_article(32_000_000);
    let n_passages = hawkdove::document::passages(&text, Default::default()).count() as u64;
    std::fs::write(&small, long_article(10_000)).expect("write");
    std::fs::write(&large, &text).expect("write");
    drop(text);
    let small_peak = classify_peak_memory(&small, 0);
    let large_peak = classify_peak_memory(&large, 0);
    let large_bootstrap_peak = classify_peak_memory(&large, 1000);
    std::fs::remove_dir_all(&dir).ok();
    let growth = large_peak.saturating_sub(small_peak);
    let bootstrap_growth = large_bootstrap_peak.saturating_sub(small_peak);
    eprintln!(
        "hawkdove score peak: {small_peak} B on 10 kB, {large_peak} B on 32 MB, \
         {large_bootstrap_peak} B on 32 MB with a bootstrap ({n_passages} passages)"
    );
    assert!(growth < 24_000_000, "32 MB input grew the peak by {growth} bytes");
    let per_passage = 2 * 2 * 16 * n_passages;
    assert!(
        bootstrap_growth < 24_000_000 + per_passage,
        "32 MB input with a bootstrap grew the peak by {bootstrap_growth} bytes"
    );
}
