#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! Loader memory is bounded by the file size (issue 25, defect 4): loading a model file of `S`
//! bytes peaks below `BOMB_FACTOR · S + LOAD_MEMORY_CONSTANT` above the process's memory before
//! the call for vocabulary bombs and weight-row bombs (refused with a typed error before
//! anything of their size is built: before, a 64 MB vocabulary bomb used 2 GB), and below
//! `LOAD_MEMORY_FACTOR · S + LOAD_MEMORY_CONSTANT` for a large valid model of short names (the
//! worst case: one allocation per name). Each load runs in
//! a child process (this test binary re-executed), whose peak resident memory (`VmHWM`) is read
//! from `/proc/self/status`.

use std::path::Path;
use std::process::Command;

use hawkdove::{Error, FormatError, Model, ModelParams};
use serde_json::{json, Value};

/// The bounds stated in docs/guarantees.md.
const LOAD_MEMORY_FACTOR: u64 = 12;
const BOMB_FACTOR: u64 = 2;
const LOAD_MEMORY_CONSTANT: u64 = 48 << 20;

const CHILD: &str = "HAWKDOVE_LOAD_MEMORY_CHILD";

fn status(key: &str) -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    s.lines()
        .find_map(|l| l.strip_prefix(key).and_then(|r| r.strip_prefix(':')))
        .and_then(|r| r.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .expect("status key")
}

/// In the child: load the file, print `growth outcome`.
fn child(path: &str) {
    let base = status("VmRSS");
    let outcome = match Model::load(path) {
        Ok(m) => format!("ok:{}", m.featurizer().n_features()),
        Err(Error::Format(FormatError::Inconsistent { what, .. })) => {
            format!("inconsistent:{}", what.replace(' ', "_"))
        }
        Err(e) => format!("error:{}", e.to_string().replace(' ', "_")),
    };
    let peak = status("VmHWM");
    println!("RESULT {} {outcome}", peak.saturating_sub(base));
}

/// Load `path` in a child process: `(peak growth in bytes, outcome)`.
fn load_in_child(path: &Path) -> (u64, String) {
    let exe = std::env::current_exe().expect("test exe");
    let out = Command::new(exe)
        .args([
            "--exact",
            "loading_memory_is_bounded_by_the_file_size",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD, path)
        .output()
        .expect("child");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let line = stdout
        .split("RESULT ")
        .nth(1)
        .and_then(|rest| rest.lines().next())
        .unwrap_or_else(|| panic!("no result: {stdout} {}", String::from_utf8_lossy(&out.stderr)));
    let (growth, outcome) = line.split_once(' ').expect("two fields");
    (growth.parse().expect("bytes"), outcome.to_string())
}

/// A small trained two-class model file, as JSON.
fn base_file() -> Value {
    let texts = ["froze assets", "imposed sanctions", "welcomed talks", "eased sanctions"];
    let labels = ["hard-line", "hard-line", "conciliatory", "conciliatory"];
    let m = Model::train(&texts, &labels, &ModelParams::default()).expect("train");
    serde_json::from_slice(&m.to_bytes().expect("bytes")).expect("json")
}

/// `n` distinct unigram names.
fn words(n: usize) -> Vec<Value> {
    (0..n).map(|i| Value::String(format!("w{i}"))).collect()
}

#[test]
fn loading_memory_is_bounded_by_the_file_size() {
    if let Ok(path) = std::env::var(CHILD) {
        child(&path);
        return;
    }
    if !Path::new("/proc/self/status").exists() {
        eprintln!("skipped: no /proc/self/status");
        return;
    }
    let dir = std::env::temp_dir().join(format!("hawkdove-load-memory-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let target = 24usize << 20;

    // A vocabulary bomb: millions of names, one weight.
    let mut vocab_bomb = base_file();
    vocab_bomb["vocabulary"]["words"] = Value::Array(words(target / 9));
    // A weight-row bomb: millions of empty rows.
    let mut row_bomb = base_file();
    row_bomb["weights"] = Value::Array(vec![json!([]); target / 3]);
    // A large valid model: a vocabulary of 1.2 million unigrams with their idf and weights.
    let mut valid = base_file();
    let d = target / 20;
    valid["vocabulary"]["words"] = Value::Array(words(d));
    valid["vocabulary"]["chars"] = json!([]);
    valid["idf"] = Value::Array((0..d).map(|i| json!(1.0 + (i % 7) as f32 / 8.0)).collect());
    valid["weights"] = json!([(0..d)
        .map(|i| json!(((i % 13) as f32 - 6.0) / 64.0))
        .collect::<Vec<_>>()]);

    let mut report = Vec::new();
    for (name, file, expect) in [
        (
            "vocabulary bomb",
            vocab_bomb,
            "inconsistent:vocabulary_size_vs_weights_per_class",
        ),
        ("weight-row bomb", row_bomb, "inconsistent:weight_rows_vs_classes"),
        ("large valid model", valid, "ok:"),
    ] {
        let path = dir.join(format!("{}.json", name.replace(' ', "-")));
        std::fs::write(&path, serde_json::to_vec(&file).expect("bytes")).expect("write");
        let size = std::fs::metadata(&path).expect("size").len();
        let (growth, outcome) = load_in_child(&path);
        report.push(format!(
            "{name}: {:.1} MB file, peak growth {:.1} MB ({:.2}× the file), {outcome}",
            size as f64 / 1e6,
            growth as f64 / 1e6,
            growth as f64 / size as f64
        ));
        eprintln!("{}", report.last().expect("line"));
        assert!(outcome.starts_with(expect), "{name}: {outcome}");
        let factor = if expect.starts_with("ok") {
            LOAD_MEMORY_FACTOR
        } else {
            BOMB_FACTOR
        };
        let bound = factor * size + LOAD_MEMORY_CONSTANT;
        assert!(
            growth < bound,
            "{name}: peak growth {growth} above {factor}·{size} + {LOAD_MEMORY_CONSTANT}"
        );
    }
    eprintln!("{}", report.join("\n"));
    let _ = std::fs::remove_dir_all(&dir);
}
