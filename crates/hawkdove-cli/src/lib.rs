//! The `hawkdove` command-line program: score text and collections for stance and sentiment,
//! explain scores, measure posture over time, and train and evaluate models.
//!
//! The binary (`src/main.rs`) and the Python console script (`python -m hawkdove`, through
//! `hawkdove._hawkdove.cli_main`) both call [`run`] (or [`run_with_cancel`]), so they are the
//! same program. Usage, examples and exit codes: `docs/cli.md`, and `hawkdove --help`.

pub mod engine;
pub mod error;
pub mod evaluate;
pub mod explain;
pub mod input;
pub mod options;
pub mod output;
pub mod plot;
pub mod progress;
pub mod timeline;
pub mod train;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use hawkdove::document::{DocumentOptions, Segmentation};
use hawkdove::Model;

use crate::error::{CliError, Result, EXIT_OK};
use crate::input::InputFormat;
use crate::output::{CsvSink, Format, JsonlSink, Models, Paint, Per, TableSink};

const EXIT_CODES: &str = "\
Exit codes:
  0    success
  1    failure: a file that cannot be read or written, a model file that does not load, training that fails
  2    usage: unknown option, missing or bad argument
  3    bad input data, reported as FILE:LINE: … (a row without the text column, an unparsable date, invalid UTF-8 or JSON)
  130  interrupted (Ctrl-C)";

/// `hawkdove`: score text for stance (conciliatory ↔ hard-line) and sentiment.
#[derive(Debug, Parser)]
#[command(
    name = "hawkdove",
    version,
    about = "Score text for stance (conciliatory ↔ hard-line) and sentiment, explain the scores, and measure posture over time",
    after_help = EXIT_CODES,
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    #[allow(missing_docs)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    #[allow(missing_docs)]
    pub command: Command,
}

/// Options of every subcommand.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// No progress bar and no notes on standard error (errors are still reported).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Colour the output: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, value_enum, global = true, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Worker threads for scoring (default: every core).
    #[arg(long, global = true)]
    pub threads: Option<usize>,
}

/// When to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// On a terminal, unless `NO_COLOR` is set.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Score files, folders, standard input or tabular collections, passage by passage or per document.
    #[command(after_help = EXIT_CODES)]
    Score(ScoreArgs),
    /// Score a dated collection and report the score per period (and group), with bootstrap
    /// intervals, detected shifts and their evidence, and a plot.
    #[command(after_help = EXIT_CODES)]
    Timeline(timeline::TimelineArgs),
    /// Show which words moved a score, by how much and which way.
    #[command(after_help = EXIT_CODES)]
    Explain(explain::ExplainArgs),
    /// Train a model from a labelled `label<TAB>text` file and save it.
    #[command(after_help = EXIT_CODES)]
    Train(train::TrainArgs),
    /// Evaluate a model configuration by cross-validation or on a test file.
    #[command(after_help = EXIT_CODES)]
    Evaluate(evaluate::EvaluateArgs),
}

/// Model files (default: the bundled models).
#[derive(Debug, Args, Clone)]
pub struct ModelArgs {
    /// A stance model file to use instead of the bundled one.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// A sentiment model file to use instead of the bundled one.
    #[arg(long)]
    pub sentiment_model: Option<PathBuf>,
}

impl ModelArgs {
    /// The stance model.
    pub fn stance(&self) -> Result<Model> {
        Ok(match &self.model {
            Some(p) => Model::load(p)?,
            None => Model::bundled_stance()?,
        })
    }

    /// The sentiment model.
    pub fn sentiment(&self) -> Result<Model> {
        Ok(match &self.sentiment_model {
            Some(p) => Model::load(p)?,
            None => Model::bundled_sentiment()?,
        })
    }
}

/// Arguments of `hawkdove score`.
#[derive(Debug, Args)]
pub struct ScoreArgs {
    /// Files, folders (searched recursively for .txt, .md, .html) and `-` for standard input.
    /// CSV (.csv), TSV (.tsv) and JSON Lines (.jsonl) files are read as one document per row.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Column (CSV/TSV header, or JSON key) holding the text of tabular inputs; the other
    /// columns are carried through to the output.
    #[arg(long, default_value = "text")]
    pub text_column: String,
    /// How to read the inputs (auto: by extension; standard input is text unless given).
    #[arg(long, value_enum, default_value_t = InputFormat::Auto)]
    pub input_format: InputFormat,
    /// Output format (default: table on a terminal, CSV otherwise).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// One output row per passage or per document.
    #[arg(long, value_enum, default_value_t = Per::Passage)]
    pub per: Per,
    /// Write the output to this file instead of standard output.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Treat every non-empty line as one passage (no sentence segmentation).
    #[arg(long)]
    pub lines: bool,
    /// Number of strongest contributions (drivers) given per passage or document, each with
    /// its direction; 0 leaves them out (faster).
    #[arg(long, default_value_t = 3)]
    pub drivers: usize,
    /// Score stance only.
    #[arg(long)]
    pub no_sentiment: bool,
    /// Bootstrap resamples of the document intervals.
    #[arg(long, default_value_t = 1000)]
    pub bootstrap: usize,
    /// Seed of the bootstrap intervals.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    #[command(flatten)]
    #[allow(missing_docs)]
    pub models: ModelArgs,
}

/// Run the program on `args` (the first item is the program name) and return its exit code.
/// Errors are reported on standard error.
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    run_with_cancel(args, &|| false)
}

/// [`run`], polling `cancel` between batches of work: when it returns true the command stops
/// with [`error::EXIT_INTERRUPTED`] (the Python binding checks for Ctrl-C there).
pub fn run_with_cancel(args: impl IntoIterator<Item = OsString>, cancel: &(dyn Fn() -> bool + Sync)) -> i32 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            // Help and version go to standard output with code 0; errors to standard error.
            let _ = e.print();
            return e.exit_code();
        }
    };
    match dispatch(&cli, cancel) {
        Ok(()) => EXIT_OK,
        Err(e) if e.is_broken_pipe() => EXIT_OK,
        Err(CliError::Interrupted) => error::EXIT_INTERRUPTED,
        Err(e) => {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "hawkdove: error: {e}");
            e.exit_code()
        }
    }
}

fn dispatch(cli: &Cli, cancel: &(dyn Fn() -> bool + Sync)) -> Result<()> {
    match cli.global.threads {
        Some(0) => Err(CliError::Usage("--threads must be at least 1".into())),
        Some(n) => {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| CliError::Other(format!("starting {n} threads: {e}")))?;
            pool.install(|| command(cli, cancel))
        }
        None => command(cli, cancel),
    }
}

fn command(cli: &Cli, cancel: &(dyn Fn() -> bool + Sync)) -> Result<()> {
    let g = &cli.global;
    match &cli.command {
        Command::Score(args) => score(args, g, cancel),
        Command::Timeline(args) => timeline::run(args, g.quiet, g.color, cancel),
        Command::Explain(args) => {
            let stdout = std::io::stdout();
            let paint = Paint {
                color: use_color(g.color, stdout.is_terminal()),
            };
            let mut out = std::io::BufWriter::new(stdout.lock());
            explain::run(args, &mut out, paint)
        }
        Command::Train(args) => train::run(args, g.quiet, cancel, &mut std::io::stdout().lock()),
        Command::Evaluate(args) => evaluate::run(args, g.quiet, cancel, &mut std::io::stdout().lock()),
    }
}

/// Whether to colour an output that is (or is not) a terminal.
pub fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            let forced = std::env::var_os("CLICOLOR_FORCE").is_some_and(|v| !v.is_empty() && v != "0");
            let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
            forced || (terminal && !no_color)
        }
    }
}

/// The output: a file, or standard output; and whether it is a terminal.
pub fn open_output(path: Option<&PathBuf>) -> Result<(Box<dyn Write>, bool)> {
    Ok(match path {
        Some(p) => {
            let f = std::fs::File::create(p).map_err(|e| CliError::io(p.display(), e))?;
            (Box::new(std::io::BufWriter::with_capacity(1 << 16, f)), false)
        }
        None => {
            let stdout = std::io::stdout();
            let tty = stdout.is_terminal();
            (Box::new(std::io::BufWriter::with_capacity(1 << 16, stdout.lock())), tty)
        }
    })
}

fn score(args: &ScoreArgs, g: &GlobalArgs, cancel: &(dyn Fn() -> bool + Sync)) -> Result<()> {
    let inputs = input::expand(&args.paths, args.input_format)?;
    let stance = args.models.stance()?;
    let sentiment = if args.no_sentiment {
        None
    } else {
        Some(args.models.sentiment()?)
    };
    let (out, tty) = open_output(args.output.as_ref())?;
    let format = args.format.unwrap_or(match &args.output {
        Some(p) if p.extension().is_some_and(|e| e == "jsonl" || e == "json") => Format::Jsonl,
        _ if tty => Format::Table,
        _ => Format::Csv,
    });
    let engine = engine::Engine {
        stance: &stance,
        sentiment: sentiment.as_ref(),
        options: DocumentOptions {
            segmentation: if args.lines {
                Segmentation::Lines
            } else {
                Segmentation::Sentences
            },
            bootstrap: args.bootstrap,
            seed: args.seed,
            ..DocumentOptions::default()
        },
        drivers: args.drivers,
        document_drivers: args.drivers > 0 && (args.per == Per::Document || format == Format::Table),
        text_column: args.text_column.clone(),
    };
    let total: Option<u64> = inputs.iter().map(input::size).sum();
    let progress = progress::Progress::new(!g.quiet, total, "scoring");
    let models = Models {
        stance: &stance,
        sentiment: sentiment.as_ref(),
    };
    let drivers = args.drivers > 0;
    match format {
        Format::Csv => {
            let mut sink = CsvSink::new(out, models, args.per, drivers);
            engine.run(&inputs, &mut sink, &progress, cancel)?;
            sink.finish()
        }
        Format::Jsonl => {
            let mut sink = JsonlSink::new(out, models, args.per, drivers);
            engine.run(&inputs, &mut sink, &progress, cancel)?;
            sink.finish()
        }
        Format::Table => {
            let paint = Paint {
                color: use_color(g.color, tty),
            };
            let mut sink = TableSink::new(out, models, args.per, paint);
            engine.run(&inputs, &mut sink, &progress, cancel)?;
            sink.finish()
        }
    }
}
