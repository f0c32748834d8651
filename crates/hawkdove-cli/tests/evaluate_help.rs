#![allow(clippy::expect_used, clippy::unwrap_used, clippy::panic)]
//! `hawkdove evaluate --help` tells the truth (issue 23, item 5): every option shows its default, the
//! defaults are the library's, every on/off setting can be switched both ways, and
//! `--class-weight` documents all its values.

use std::process::Command;

use hawkdove::model::DEFAULT_NB_ALPHA;

/// `hawkdove evaluate` (the `evaluate` example is a thin wrapper around it).
fn evaluate() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hawkdove"));
    cmd.arg("evaluate");
    cmd
}

/// `--help`'s options: `(name, its help text up to the next option)`.
fn options(help: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in help.lines() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("--") {
            let name: String = rest.chars().take_while(|c| c.is_alphanumeric() || *c == '-').collect();
            out.push((name, t.to_string()));
        } else if t.starts_with("-h,") || t.starts_with("-V,") {
            out.push(("help".into(), t.to_string()));
        } else if let Some(last) = out.last_mut() {
            last.1.push(' ');
            last.1.push_str(t);
        }
    }
    out
}

#[test]
fn evaluate_help_shows_every_default_and_both_switches() {
    let out = evaluate().arg("--help").output().expect("run evaluate --help");
    assert!(out.status.success());
    let help = String::from_utf8(out.stdout).expect("utf-8");
    let opts = options(&help);
    let find = |name: &str| {
        opts.iter()
            .find(|(n, _)| n == name)
            .map(|(_, h)| h.clone())
            .unwrap_or_else(|| panic!("no --{name} in:\n{help}"))
    };
    // Modes and inputs have nothing to default to, nor the program's global switches
    // (`--quiet`, `--threads`, whose default "every core" is in its text); everything else
    // shows its default.
    let modes = ["data", "corpus", "held-out", "train-split", "help", "quiet", "threads"];
    for (name, text) in &opts {
        if modes.contains(&name.as_str()) || name.starts_with("no-") {
            continue;
        }
        assert!(text.contains("[default: "), "--{name} shows no default: {text}");
    }
    // The defaults shown are the library's.
    // C and the class weight choose themselves by default (self-tuning).
    assert!(find("C").contains("[default: auto]"), "{}", find("C"));
    assert!(find("nb-alpha").contains(&format!("[default: {DEFAULT_NB_ALPHA}]")));
    assert!(find("ngrams").contains("[default: 1,2]"));
    assert!(find("max-iter").contains("[default: 1000]"));
    for (on, default) in [
        ("idf", "on"),
        ("normalize", "on"),
        ("nb", "on"),
        ("stem", "on"),
        ("negation", "on"),
        ("stop-words", "off"),
        ("fold-numbers", "off"),
    ] {
        assert!(
            find(on).contains(&format!("[default: {default}]")),
            "--{on}: {}",
            find(on)
        );
        find(&format!("no-{on}"));
    }
    let cw = find("class-weight");
    assert!(cw.contains("[default: auto]"), "{cw}");
    for value in ["auto", "none", "uniform", "balanced", "LABEL=W"] {
        assert!(cw.contains(value), "--class-weight does not document {value}: {cw}");
    }
}

#[test]
fn switches_parse_both_ways_and_the_last_one_wins() {
    let dir = std::env::temp_dir().join(format!("hawkdove-help-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let data = dir.join("d.tsv");
    let rows: String = (0..12)
        .map(|i| {
            let label = if i % 2 == 0 { "hard" } else { "soft" };
            format!("{label}\t{label} words number {i} and not others\n")
        })
        .collect();
    std::fs::write(&data, rows).expect("write");
    let run = |extra: &[&str]| {
        let out = evaluate()
            .args(["--data", data.to_str().expect("utf-8"), "--folds", "2"])
            .args(extra)
            .output()
            .expect("run evaluate");
        assert!(
            out.status.success(),
            "{extra:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        // The report without its timings.
        let text = String::from_utf8(out.stdout).expect("utf-8");
        text.lines()
            .take_while(|l| !l.starts_with("time:"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for pair in [
        ["--idf", "--no-idf"],
        ["--nb", "--no-nb"],
        ["--stem", "--no-stem"],
        ["--normalize", "--no-normalize"],
        ["--negation", "--no-negation"],
        ["--stop-words", "--no-stop-words"],
        ["--fold-numbers", "--no-fold-numbers"],
    ] {
        run(&pair);
        run(&[pair[1], pair[0]]);
    }
    run(&["--class-weight", "hard=2,soft=0.5"]);
    run(&["--C", "2", "--class-weight", "none"]);
    run(&["--C", "auto", "--class-weight", "auto"]);
    run(&[
        "--class-weight",
        "balanced",
        "--weighting",
        "binary",
        "--solver",
        "lbfgs",
    ]);
    // Switching off and on again is the default: the same report.
    assert_eq!(run(&["--no-stem", "--stem"]), run(&[]));
    assert_ne!(run(&["--no-idf"]), run(&["--no-idf", "--idf"]));
    let _ = std::fs::remove_dir_all(&dir);
}
