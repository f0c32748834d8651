#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! End-to-end tests of `hawkdove timeline` on the built binary: CSV and JSON output, the shift
//! written into a generated collection, the SVG and PNG plots, and the errors.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const CONCILIATORY: &[&str] = &[
    "Both governments welcomed the resumption of dialogue and agreed to reopen their embassies.",
    "The foreign minister praised the constructive talks and promised further cooperation.",
    "Negotiators agreed to ease sanctions and restore direct flights between the capitals.",
    "The two leaders signed a joint statement pledging to settle the dispute peacefully.",
];
const HARD_LINE: &[&str] = &[
    "The ministry condemned the provocation and announced sweeping asset freezes.",
    "The government expelled four diplomats and warned of a firm response to any aggression.",
    "Officials threatened new sanctions and vowed to retaliate against the blockade.",
    "The president denounced the incursion as a hostile act and ordered troops to the border.",
];
const NEUTRAL: &[&str] = &[
    "The talks took place in Geneva on Tuesday, officials said.",
    "The delegation is due to travel to the capital next week.",
];

/// A collection of 12 months, `per_month` articles each, written in two voices: conciliatory
/// before `shift_month`, hard-line from it on (no shift when `shift_month` is 0).
fn collection(dir: &Path, shift_month: u32, per_month: usize) -> PathBuf {
    let mut csv = String::from("date,actor,text\n");
    for m in 1..=12u32 {
        for k in 0..per_month {
            let voice = if shift_month > 0 && m >= shift_month {
                HARD_LINE
            } else {
                CONCILIATORY
            };
            let text = format!(
                "{} {} {}",
                voice[(k + m as usize) % voice.len()],
                NEUTRAL[k % NEUTRAL.len()],
                voice[(k + 2 * m as usize + 1) % voice.len()]
            );
            let actor = if k % 2 == 0 { "Kavona" } else { "Selvara" };
            csv.push_str(&format!("2024-{m:02}-{:02},{actor},\"{text}\"\n", 1 + (k * 5) % 28));
        }
    }
    let path = dir.join("articles.csv");
    std::fs::write(&path, csv).expect("write collection");
    path
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hawkdove-timeline-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn hawkdove(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_hawkdove"))
        .args(args)
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run hawkdove")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn csv_rows(text: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_reader(text);
    let header = r.headers().expect("header").iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|rec| rec.expect("record").iter().map(String::from).collect())
        .collect();
    (header, rows)
}

fn col(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

#[test]
fn csv_rows_find_the_written_shift_and_the_svg_plot_parses() {
    let dir = temp_dir("svg");
    let input = collection(&dir, 7, 6);
    let svg = dir.join("out.svg");
    let o = hawkdove(&[
        "timeline",
        input.to_str().unwrap(),
        "--date-column",
        "date",
        "--by",
        "month",
        "--plot",
        svg.to_str().unwrap(),
        "--format",
        "csv",
        "--quiet",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(o.stderr.is_empty(), "--quiet: {}", stderr(&o));
    let (header, rows) = csv_rows(&o.stdout);
    assert_eq!(rows.len(), 12);
    let (period, score, lower, upper, docs) = (
        col(&header, "period"),
        col(&header, "score"),
        col(&header, "lower"),
        col(&header, "upper"),
        col(&header, "n_documents"),
    );
    col(&header, "share_hard-line");
    let f = |r: &Vec<String>, i: usize| r[i].parse::<f64>().unwrap();
    for r in &rows {
        assert_eq!(r[docs], "6");
        assert!(f(r, lower) <= f(r, score) && f(r, score) <= f(r, upper), "{r:?}");
    }
    assert_eq!(rows[0][period], "2024-01-01");
    assert!(f(&rows[0], score) < 0.0 && f(&rows[11], score) > 0.0);
    // The shift written into the collection (July), with an interval that excludes zero.
    let shifted: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| !r[col(&header, "shift_size")].is_empty())
        .collect();
    assert_eq!(shifted.len(), 1, "{rows:?}");
    assert_eq!(shifted[0][period], "2024-07-01");
    assert!(f(shifted[0], col(&header, "shift_lower")) > 0.0);
    assert!(f(shifted[0], col(&header, "shift_p_value")) < 0.05);

    // The SVG is well-formed XML with the band, the line, the points and the shift's line and
    // label.
    let text = std::fs::read_to_string(&svg).expect("svg written");
    let doc = roxmltree::Document::parse(&text).expect("well-formed SVG");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "svg");
    let count = |tag: &str| root.descendants().filter(|n| n.has_tag_name(tag)).count();
    assert!(count("polygon") >= 1, "interval band");
    assert!(count("polyline") >= 1, "mean line");
    assert!(count("circle") >= 12, "one point per period");
    let texts: Vec<String> = root
        .descendants()
        .filter(|n| n.has_tag_name("text"))
        .filter_map(|n| n.text().map(String::from))
        .collect();
    assert!(
        texts.iter().any(|t| t.contains("shift") && t.contains("2024-07-01")),
        "{texts:?}"
    );
    assert!(texts.iter().any(|t| t.contains("2024-01")), "date ticks: {texts:?}");
    assert!(texts.iter().any(|t| t.contains("hard-line")), "axis names the poles");
}

#[test]
fn png_plot_and_json_with_evidence_and_groups() {
    let dir = temp_dir("png");
    let input = collection(&dir, 5, 6);
    let png_path = dir.join("out.png");
    let o = hawkdove(&[
        "timeline",
        input.to_str().unwrap(),
        "--group-by",
        "actor",
        "--by",
        "quarter",
        "--plot",
        png_path.to_str().unwrap(),
        "--format",
        "json",
        "--min-documents",
        "3",
        "--bootstrap",
        "300",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let rows = v["rows"].as_array().expect("rows");
    assert_eq!(rows.len(), 8, "4 quarters × 2 actors");
    assert_eq!(rows[0]["group"], "Kavona");
    assert_eq!(rows[0]["period"], "2024-01-01");
    assert!(rows[0]["class_shares"]["conciliatory"].as_f64().unwrap() > 0.3);
    let shifts = v["shifts"].as_array().expect("shifts");
    assert!(!shifts.is_empty());
    for s in shifts {
        assert!(s["size"].as_f64().unwrap() > 0.0);
        let evidence = s["evidence"].as_array().expect("evidence");
        assert!(!evidence.is_empty());
        for e in evidence {
            let text = e["text"].as_str().unwrap();
            assert!(HARD_LINE.contains(&text), "evidence is a passage of the input: {text}");
            assert!(e["line"].as_u64().unwrap() >= 2);
        }
    }
    // A PNG of the documented size.
    let file = std::fs::File::open(&png_path).expect("png written");
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let mut reader = decoder.read_info().expect("a PNG");
    let info = reader.info();
    assert_eq!((info.width, info.height), hawkdove_cli::plot::SIZE);
    let mut buf = vec![0; reader.output_buffer_size()];
    reader.next_frame(&mut buf).expect("pixels");
    // Not blank: text and lines in several colours.
    let distinct: std::collections::HashSet<&[u8]> = buf.chunks(3).collect();
    assert!(distinct.len() > 20);
}

#[test]
fn no_shift_is_reported_when_none_was_written() {
    let dir = temp_dir("none");
    let input = collection(&dir, 0, 6);
    let o = hawkdove(&["timeline", input.to_str().unwrap(), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    assert_eq!(v["shifts"].as_array().map(Vec::len), Some(0), "{v}");
}

#[test]
fn bad_dates_and_columns_are_reported_with_file_and_line() {
    let dir = temp_dir("errors");
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "date,text\n2024-01-05,We welcome the talks.\nlast tuesday,They condemned it.\n",
    )
    .unwrap();
    let o = hawkdove(&["timeline", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains(&format!("{}:3:", bad.display())), "{}", stderr(&o));
    assert!(stderr(&o).contains("last tuesday"), "{}", stderr(&o));

    let o = hawkdove(&["timeline", bad.to_str().unwrap(), "--date-column", "published"]);
    assert_eq!(o.status.code(), Some(3));
    assert!(stderr(&o).contains(&format!("{}:1:", bad.display())), "{}", stderr(&o));
    assert!(stderr(&o).contains("published"));

    let o = hawkdove(&["timeline", bad.to_str().unwrap(), "--by", "fortnight"]);
    assert_eq!(o.status.code(), Some(2));
    let o = hawkdove(&["timeline", bad.to_str().unwrap(), "--plot", "out.pdf"]);
    assert_eq!(o.status.code(), Some(2));
    let text = dir.join("plain.txt");
    std::fs::write(&text, "Just text.").unwrap();
    let o = hawkdove(&["timeline", text.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("tabular"));
}

#[test]
fn the_worked_example_shows_its_shift() {
    // examples/timeline/halver_strait.csv has its shift written at 2025-03 (issue 24, item 4):
    // the command finds it within one period, with an interval that excludes zero, and plots it.
    let input = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/timeline/halver_strait.csv");
    let dir = temp_dir("example");
    let svg = dir.join("halver.svg");
    let o = hawkdove(&[
        "timeline",
        input.to_str().unwrap(),
        "--date-column",
        "date",
        "--by",
        "month",
        "--format",
        "json",
        "--plot",
        svg.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("JSON");
    let shifts = v["shifts"].as_array().expect("shifts");
    assert!(!shifts.is_empty(), "{v}");
    let s = &shifts[0];
    assert!(
        ["2025-02-01", "2025-03-01", "2025-04-01"].contains(&s["date"].as_str().unwrap()),
        "{s}"
    );
    assert!(s["lower"].as_f64().unwrap() > 0.0, "{s}");
    roxmltree::Document::parse(&std::fs::read_to_string(&svg).expect("svg")).expect("well-formed SVG");
}
