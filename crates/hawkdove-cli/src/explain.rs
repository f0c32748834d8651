//! `hawkdove explain`: which words moved each passage's score, by how much and which way,
//! highlighted in the text on a terminal and plain when piped.

use std::io::{Read, Write};
use std::path::PathBuf;

use anstyle::{AnsiColor, Effects, Style};
use clap::Args;
use hawkdove::document::{passages, Segmentation};
use hawkdove::explain::Explanation;
use hawkdove::Model;

use crate::error::{write_err, CliError, Result};
use crate::output::{bold, truncate, Paint};

/// Arguments of `hawkdove explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// The text to explain, a file holding it, or `-` for standard input.
    pub input: String,
    /// Explain the sentiment score instead of the stance score.
    #[arg(long)]
    pub sentiment: bool,
    /// A model file to use instead of the bundled model.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Number of strongest contributions listed per passage.
    #[arg(long, default_value_t = 8)]
    pub top: usize,
    /// Explain the whole input as one passage instead of sentence by sentence.
    #[arg(long)]
    pub whole: bool,
}

/// Red toward the positive pole, blue toward the negative, stronger when larger.
fn token_style(x: f64) -> Style {
    let color = if x > 0.0 { AnsiColor::Red } else { AnsiColor::Blue };
    let style = Style::new().fg_color(Some(color.into()));
    if x.abs() >= 0.5 {
        style.effects(Effects::BOLD | Effects::UNDERLINE)
    } else if x.abs() >= 0.15 {
        style.effects(Effects::BOLD)
    } else {
        style
    }
}

/// Run `hawkdove explain`.
pub fn run(args: &ExplainArgs, out: &mut dyn Write, paint: Paint) -> Result<()> {
    let model = match (&args.model, args.sentiment) {
        (Some(p), _) => Model::load(p)?,
        (None, false) => Model::bundled_stance()?,
        (None, true) => Model::bundled_sentiment()?,
    };
    let text = if args.input == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| CliError::input("<stdin>", None, e))?;
        s
    } else if std::path::Path::new(&args.input).is_file() {
        let bytes = std::fs::read(&args.input).map_err(|e| CliError::io(&args.input, e))?;
        String::from_utf8(bytes).map_err(|e| {
            let at = e.utf8_error().valid_up_to();
            let line = e
                .as_bytes()
                .get(..at)
                .unwrap_or_default()
                .iter()
                .filter(|&&b| b == b'\n')
                .count()
                + 1;
            CliError::input(
                &args.input,
                Some(line as u64),
                format!("invalid UTF-8 at byte offset {at}"),
            )
        })?
    } else {
        args.input.clone()
    };
    let spans: Vec<std::ops::Range<usize>> = if args.whole {
        std::iter::once(0..text.len()).collect()
    } else {
        passages(&text, Segmentation::Sentences).map(|s| s.span).collect()
    };
    if spans.is_empty() {
        return Err(CliError::input(
            if args.input == "-" { "<stdin>" } else { &args.input },
            None,
            "no text to explain",
        ));
    }
    let (neg, pos) = model.poles();
    writeln!(
        out,
        "{}",
        paint.paint(
            Style::new().effects(Effects::DIMMED),
            &format!("score: −1 {neg} … +1 {pos}; contributions are to the log-odds of {pos} over {neg} (+ toward {pos}, − toward {neg})")
        )
    )
    .map_err(write_err)?;
    for (i, span) in spans.iter().enumerate() {
        let passage = text.get(span.clone()).unwrap_or_default();
        let e = model.explain(passage);
        write_one(out, paint, &e, i + 1, args.top, (neg, pos))?;
    }
    out.flush().map_err(write_err)
}

fn write_one(
    out: &mut dyn Write,
    paint: Paint,
    e: &Explanation,
    n: usize,
    top: usize,
    poles: (&str, &str),
) -> Result<()> {
    let p = &e.prediction;
    let head = match &p.abstained {
        Some(reason) => format!("[{n}] no label ({reason})"),
        None => format!("[{n}] {} {:+.2}", p.label, p.score),
    };
    let head = if p.abstained.is_none() {
        paint.by_score(p.score, &head)
    } else {
        head
    };
    writeln!(out, "{}", paint.paint(bold(), &head)).map_err(write_err)?;
    // The text with each contributing token marked: coloured on a terminal, `[word+]`/`[word−]`
    // when plain.
    let mut line = String::new();
    let mut at = 0usize;
    for t in &e.tokens {
        if t.to_score.abs() < 0.05 || t.span.start < at {
            continue;
        }
        line.push_str(e.text.get(at..t.span.start).unwrap_or_default());
        let word = e.text.get(t.span.clone()).unwrap_or_default();
        if paint.color {
            line.push_str(&paint.paint(token_style(t.to_score), word));
        } else {
            line.push_str(&format!("[{word}{}]", if t.to_score > 0.0 { "+" } else { "−" }));
        }
        at = t.span.end;
    }
    line.push_str(e.text.get(at..).unwrap_or_default());
    writeln!(out, "    {}", line.split_whitespace().collect::<Vec<_>>().join(" ")).map_err(write_err)?;
    let (neg, pos) = poles;
    for f in e.features.iter().filter(|f| f.to_score != 0.0).take(top) {
        let words = f
            .spans
            .first()
            .and_then(|s| e.text.get(s.clone()))
            .map_or_else(|| f.name.clone(), |w| truncate(w, 40).to_lowercase());
        let toward = if f.to_score > 0.0 { pos } else { neg };
        let cell = format!("{:+7.3}", f.to_score);
        writeln!(
            out,
            "    {}  {:<30} {:<24} → {toward}",
            paint.by_score(f.to_score, &cell),
            words,
            truncate(&f.name, 24)
        )
        .map_err(write_err)?;
    }
    if p.abstained.is_none() {
        writeln!(out, "    {:+7.3}  (intercept)", e.bias_to_score).map_err(write_err)?;
    }
    Ok(())
}
