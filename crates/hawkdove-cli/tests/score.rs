#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! End-to-end tests of `hawkdove score`, `explain`, `train`, `evaluate` and the exit codes, on
//! the built binary.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Run the binary with `args` and `stdin`, from the repository root.
fn hawkdove(args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hawkdove"))
        .args(args)
        .current_dir(root())
        .env_remove("CLICOLOR_FORCE")
        .env_remove("NO_COLOR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic_free_fail(&format!("spawn: {e}")));
    if let Some(mut input) = child.stdin.take() {
        if let Some(s) = stdin {
            // A command that fails before reading its input (a model that does not load)
            // closes the pipe first: a broken pipe here is that, not a failure of the test.
            if let Err(e) = input.write_all(s.as_bytes()) {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    panic_free_fail(&format!("stdin: {e}"));
                }
            }
        }
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic_free_fail(&format!("wait: {e}")))
}

fn panic_free_fail(msg: &str) -> ! {
    panic!("{msg}")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Parse CSV output into a header and rows.
fn csv_rows(text: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header = r
        .headers()
        .map(|h| h.iter().map(String::from).collect())
        .unwrap_or_default();
    let rows = r
        .records()
        .map(|rec| rec.map(|x| x.iter().map(String::from).collect()).unwrap_or_default())
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    let i = header.iter().position(|h| h == name);
    assert!(i.is_some(), "no column {name} in {header:?}");
    i.unwrap_or_default()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hawkdove-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic_free_fail(&format!("temp dir: {e}")));
    dir
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic_free_fail(&format!("write {}: {e}", path.display())));
}

#[test]
fn score_folder_gives_one_row_per_passage_of_every_text_file() {
    let o = hawkdove(&["score", "--format", "csv", "examples/texts"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (header, rows) = csv_rows(&stdout(&o));
    let input = col(&header, "input");
    let mut files: Vec<&str> = rows.iter().map(|r| r[input].as_str()).collect();
    files.dedup();
    assert_eq!(files.len(), 4, "{files:?}");
    assert!(files.iter().all(|f| f.ends_with(".txt")));
    let (score, label, start, end, text) = (
        col(&header, "stance_score"),
        col(&header, "stance_label"),
        col(&header, "start"),
        col(&header, "end"),
        col(&header, "text"),
    );
    col(&header, "sentiment_score");
    col(&header, "stance_p_hard-line");
    col(&header, "stance_drivers");
    col(&header, "stance_abstained");
    assert!(rows.len() > 50);
    // The span points at the passage in the file.
    let first = &rows[0];
    let file = std::fs::read_to_string(root().join(&first[input])).unwrap_or_default();
    let (s, e): (usize, usize) = (first[start].parse().unwrap_or(0), first[end].parse().unwrap_or(0));
    assert_eq!(file.get(s..e), Some(first[text].as_str()));
    for r in &rows {
        let x: f64 = r[score].parse().unwrap_or(f64::NAN);
        assert!((-1.0..=1.0).contains(&x), "{r:?}");
        assert!(["conciliatory", "neutral", "hard-line"].contains(&r[label].as_str()));
    }
}

#[test]
fn drivers_are_the_strongest_contributions_with_their_direction() {
    // Issue 24 item 5: a passage at −1 shows the words that pushed it toward conciliatory.
    let text = "Foreign ministers of Kavona and Selvara met for three hours in Geneva and agreed to restore direct flights and reopen consulates closed since 2021.\n";
    let o = hawkdove(&["score", "--format", "csv", "--drivers", "4", "-"], Some(text));
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (header, rows) = csv_rows(&stdout(&o));
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    let score: f64 = row[col(&header, "stance_score")].parse().unwrap_or(0.0);
    assert!(score < -0.5, "{row:?}");
    let drivers: Vec<(String, f64)> = row[col(&header, "stance_drivers")]
        .split("; ")
        .map(|d| {
            let (w, v) = d.rsplit_once(' ').unwrap_or((d, "nan"));
            (w.to_string(), v.parse().unwrap_or(f64::NAN))
        })
        .collect();
    assert_eq!(drivers.len(), 4, "{drivers:?}");
    assert!(
        drivers[0].1 < 0.0,
        "strongest driver pulls toward conciliatory: {drivers:?}"
    );
    for pair in drivers.windows(2) {
        assert!(pair[0].1.abs() >= pair[1].1.abs(), "sorted by size: {drivers:?}");
    }
    assert!(drivers
        .iter()
        .any(|(w, _)| w.contains("agreed") || w.contains("reopen")));
}

#[test]
fn stdin_is_scored_and_piped_output_is_csv_without_progress() {
    let o = hawkdove(
        &["score", "-"],
        Some("Beijing must immediately stop its provocations.\n\nWe welcome the resumption of dialogue.\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(
        stderr(&o).is_empty(),
        "stderr not a terminal: no progress bar: {}",
        stderr(&o)
    );
    let (header, rows) = csv_rows(&stdout(&o));
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0][col(&header, "input")], "<stdin>");
    assert_eq!(rows[0][col(&header, "stance_label")], "hard-line");
    assert_eq!(rows[1][col(&header, "stance_label")], "conciliatory");
    // A table when asked, plain when piped.
    let o = hawkdove(
        &["score", "--format", "table", "-"],
        Some("We welcome the resumption of dialogue.\n"),
    );
    assert_eq!(o.status.code(), Some(0));
    let out = stdout(&o);
    assert!(out.contains("conciliatory") && !out.contains('\x1b'), "{out}");
    let o = hawkdove(
        &["score", "--format", "table", "--color", "always", "-"],
        Some("We welcome the resumption of dialogue.\n"),
    );
    assert!(stdout(&o).contains('\x1b'));
}

#[test]
fn csv_rows_are_documents_and_other_columns_are_carried() {
    let dir = temp_dir("csv");
    let path = dir.join("articles.csv");
    write(
        &path,
        "date,source,actor,text,input\n\
         2024-01-05,wire,Kavona,\"We welcome the talks. Both sides agreed to meet again.\",a\n\
         2024-02-07,paper,Durmand,Durmand expelled four diplomats and warned of further sanctions.,b\n",
    );
    let p = path.display().to_string();
    let o = hawkdove(&["score", "--per", "document", "--format", "csv", &p], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (header, rows) = csv_rows(&stdout(&o));
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0][col(&header, "date")], "2024-01-05");
    assert_eq!(rows[1][col(&header, "actor")], "Durmand");
    assert_eq!(rows[0][col(&header, "source")], "wire");
    // A carried column named like one of ours keeps its value under another name.
    assert_eq!(rows[1][col(&header, "input_input")], "b");
    assert_eq!(rows[0][col(&header, "passages")], "2");
    assert_eq!(rows[1][col(&header, "line")], "3");
    assert!(!header.contains(&"text".to_string()));
    let lower: f64 = rows[0][col(&header, "stance_lower")].parse().unwrap_or(f64::NAN);
    let upper: f64 = rows[0][col(&header, "stance_upper")].parse().unwrap_or(f64::NAN);
    let score: f64 = rows[0][col(&header, "stance_score")].parse().unwrap_or(f64::NAN);
    assert!(lower <= score && score <= upper);
    // Per passage: every passage carries its row's columns.
    let o = hawkdove(&["score", "--format", "csv", &p], None);
    let (header, rows) = csv_rows(&stdout(&o));
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[1][col(&header, "date")], "2024-01-05");
    assert_eq!(rows[2][col(&header, "source")], "paper");
}

#[test]
fn json_lines_in_and_out() {
    let dir = temp_dir("jsonl");
    let path = dir.join("articles.jsonl");
    write(
        &path,
        "{\"id\": 7, \"body\": \"We welcome the resumption of dialogue.\", \"tags\": [\"a\"]}\n\n\
         {\"id\": 8, \"body\": \"The ministry condemned the provocation in the strongest terms.\"}\n",
    );
    let p = path.display().to_string();
    let o = hawkdove(&["score", "--format", "jsonl", "--text-column", "body", &p], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let rows: Vec<serde_json::Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_default())
        .collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["fields"]["id"], 7);
    assert_eq!(rows[0]["fields"]["tags"][0], "a");
    assert_eq!(rows[1]["line"], 3);
    assert_eq!(rows[0]["stance"]["label"], "conciliatory");
    assert!(rows[1]["stance"]["score"].as_f64().unwrap_or(0.0) > 0.0);
    assert!(rows[0]["stance"]["drivers"][0]["toward"].is_string());
    assert!(rows[0]["sentiment"]["probabilities"]["positive"].is_number());
}

#[test]
fn bad_input_is_reported_with_file_and_line_and_exit_code_3() {
    let dir = temp_dir("errors");
    let short = dir.join("short.csv");
    write(&short, "date,source,text\n2024-01-01,a,Fine text here.\n2024-01-02,b\n");
    let o = hawkdove(&["score", "--format", "csv", &short.display().to_string()], None);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{}:3:", short.display())),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("\"text\""), "{}", stderr(&o));

    let no_column = dir.join("nocol.csv");
    write(&no_column, "date,body\n2024-01-01,x\n");
    let o = hawkdove(&["score", &no_column.display().to_string()], None);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains(&format!("{}:1:", no_column.display())),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("--text-column"), "{}", stderr(&o));

    let bad_json = dir.join("bad.jsonl");
    write(&bad_json, "{\"text\": \"ok\"}\n{\"text\": oops}\n");
    let o = hawkdove(&["score", &bad_json.display().to_string()], None);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains(&format!("{}:2:", bad_json.display())),
        "{}",
        stderr(&o)
    );

    let bad_utf8 = dir.join("bad.txt");
    std::fs::write(&bad_utf8, b"fine line\nsecond \xff line\n").unwrap_or_default();
    let o = hawkdove(&["score", &bad_utf8.display().to_string()], None);
    assert_eq!(o.status.code(), Some(3));
    assert!(
        stderr(&o).contains(&format!("{}:2:", bad_utf8.display())),
        "{}",
        stderr(&o)
    );
}

#[test]
fn exit_codes_for_usage_and_failures_are_the_documented_ones() {
    let o = hawkdove(&["score", "--no-such-option", "x"], None);
    assert_eq!(o.status.code(), Some(2));
    let o = hawkdove(&["score", "/no/such/file.txt"], None);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("/no/such/file.txt"));
    let o = hawkdove(&["score", "--model", "/no/such/model.json", "-"], Some("x"));
    assert_eq!(o.status.code(), Some(1));
    let o = hawkdove(&["--help"], None);
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    for code in ["0 ", "1 ", "2 ", "3 ", "130"] {
        assert!(
            help.contains(&format!("  {code}")),
            "exit code {code} documented: {help}"
        );
    }
    for sub in ["score", "timeline", "explain", "train", "evaluate"] {
        assert!(help.contains(sub), "{sub} in --help");
    }
}

#[test]
fn explain_is_plain_when_piped_and_coloured_when_asked() {
    let text = "Beijing must immediately stop its provocations.";
    let o = hawkdove(&["explain", text], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(!out.contains('\x1b'), "{out}");
    assert!(out.contains("hard-line"), "{out}");
    assert!(out.contains("[provocations+]"), "{out}");
    let o = hawkdove(&["explain", "--color", "always", text], None);
    assert!(stdout(&o).contains('\x1b'));
    // A file is read as a file.
    let o = hawkdove(&["explain", "--sentiment", "examples/texts/short-mixed.txt"], None);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("[8]"), "{}", stdout(&o));
}

#[test]
fn train_then_score_with_the_saved_model() {
    let dir = temp_dir("train");
    let data = dir.join("train.tsv");
    let mut lines = String::new();
    for i in 0..30 {
        lines.push_str(&format!("hard\tThey condemned and threatened sanctions number {i}.\n"));
        lines.push_str(&format!("soft\tThey welcomed dialogue and cooperation number {i}.\n"));
    }
    write(&data, &lines);
    let model = dir.join("model.json");
    let o = hawkdove(
        &[
            "train",
            "--data",
            &data.display().to_string(),
            "--out",
            &model.display().to_string(),
            "--negative",
            "soft",
            "--positive",
            "hard",
        ],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stdout(&o).contains("trained on 60 passages"));
    let o = hawkdove(
        &[
            "score",
            "--no-sentiment",
            "--model",
            &model.display().to_string(),
            "--format",
            "csv",
            "-",
        ],
        Some("They condemned it.\n"),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (header, rows) = csv_rows(&stdout(&o));
    assert_eq!(rows[0][col(&header, "stance_label")], "hard");
    assert!(!header.iter().any(|h| h.starts_with("sentiment_")));
    let o = hawkdove(
        &["evaluate", "--data", &data.display().to_string(), "--folds", "3"],
        None,
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let last = stdout(&o).lines().last().unwrap_or_default().to_string();
    let summary: serde_json::Value = serde_json::from_str(&last).unwrap_or_default();
    assert!(summary["accuracy"].as_f64().is_some(), "{last}");
}
