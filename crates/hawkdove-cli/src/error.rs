//! The command's errors and the exit code each maps to.

use std::fmt;

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: a failure that is not the input's fault (a file that cannot be read or written, a
/// model file that does not load, training that fails).
pub const EXIT_FAILURE: i32 = 1;
/// Exit code: the command line itself is wrong (unknown option, missing argument, bad value).
pub const EXIT_USAGE: i32 = 2;
/// Exit code: bad input data, reported with `file:line` (a CSV row without the text column, an
/// unparsable date, invalid UTF-8 or JSON).
pub const EXIT_INPUT: i32 = 3;
/// Exit code: interrupted (Ctrl-C), as shells report a SIGINT.
pub const EXIT_INTERRUPTED: i32 = 130;

/// Everything that stops a subcommand.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// Bad input data at a known place.
    #[error("{}: {message}", place(.file, *.line))]
    Input {
        /// The input's name (path, or `<stdin>`).
        file: String,
        /// One-based line number, when known.
        line: Option<u64>,
        /// What is wrong.
        message: String,
    },
    /// A wrong combination of options or values the parser could not catch.
    #[error("{0}")]
    Usage(String),
    /// A file that cannot be opened, read or written.
    #[error("{what}: {source}")]
    Io {
        /// What was being read or written.
        what: String,
        /// The cause.
        source: std::io::Error,
    },
    /// An error from the library (model files, training, parameters).
    #[error(transparent)]
    Library(#[from] hawkdove::Error),
    /// Any other failure, with its message.
    #[error("{0}")]
    Other(String),
    /// Stopped by the cancellation hook (Ctrl-C from Python).
    #[error("interrupted")]
    Interrupted,
}

fn place(file: &str, line: Option<u64>) -> String {
    match line {
        Some(l) => format!("{file}:{l}"),
        None => file.to_string(),
    }
}

impl CliError {
    /// The process exit code of this error.
    pub fn exit_code(&self) -> i32 {
        match self {
            CliError::Input { .. } => EXIT_INPUT,
            CliError::Usage(_) => EXIT_USAGE,
            CliError::Interrupted => EXIT_INTERRUPTED,
            CliError::Library(hawkdove::Error::Tsv { .. }) => EXIT_INPUT,
            CliError::Library(hawkdove::Error::InvalidParameter { .. }) => EXIT_USAGE,
            CliError::Io { .. } | CliError::Library(_) | CliError::Other(_) => EXIT_FAILURE,
        }
    }

    /// Bad input at `file:line`.
    pub fn input(file: &str, line: Option<u64>, message: impl fmt::Display) -> Self {
        CliError::Input {
            file: file.to_string(),
            line,
            message: message.to_string(),
        }
    }

    /// An I/O failure while doing `what`.
    pub fn io(what: impl fmt::Display, source: std::io::Error) -> Self {
        CliError::Io {
            what: what.to_string(),
            source,
        }
    }

    /// Whether this is a write to a closed pipe (`hawkdove score … | head`), which ends the
    /// command quietly and successfully.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Io { source, .. } if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// Result of the command's functions.
pub type Result<T, E = CliError> = std::result::Result<T, E>;

/// Map a write error on the output.
pub fn write_err(e: std::io::Error) -> CliError {
    CliError::io("writing output", e)
}

impl From<csv::Error> for CliError {
    fn from(e: csv::Error) -> Self {
        match e.into_kind() {
            csv::ErrorKind::Io(io) => write_err(io),
            other => CliError::Other(format!("writing CSV: {other:?}")),
        }
    }
}
