//! Inputs: text files read in bounded chunks, folders, standard input, and tabular files
//! (CSV, TSV, JSON Lines) whose rows are documents with a text column and carried columns.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use clap::ValueEnum;
use serde_json::Value;

use crate::error::{CliError, Result};

/// How an input is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum InputFormat {
    /// By the file's extension: `.csv`, `.tsv`/`.tab`, `.jsonl`/`.ndjson` are tabular, anything
    /// else (and standard input) is text.
    Auto,
    /// Plain text (also Markdown and HTML): the whole input is one document.
    Text,
    /// Comma-separated values with a header row: one document per row.
    Csv,
    /// Tab-separated values with a header row: one document per row.
    Tsv,
    /// JSON Lines: one JSON object per line, one document per line.
    Jsonl,
}

/// File extensions a folder is searched for.
pub const TEXT_EXTENSIONS: &[&str] = &["txt", "md", "html", "htm"];

/// One input to read.
#[derive(Debug, Clone)]
pub struct InputSpec {
    /// The file, or `None` for standard input.
    pub path: Option<PathBuf>,
    /// How to read it (never `Auto`).
    pub format: InputFormat,
    /// The name shown in output and errors.
    pub name: String,
}

impl InputSpec {
    /// Whether rows of this input are documents with columns.
    pub fn is_tabular(&self) -> bool {
        self.format != InputFormat::Text
    }
}

fn format_of(path: &Path, forced: InputFormat) -> InputFormat {
    if forced != InputFormat::Auto {
        return forced;
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    match ext.as_str() {
        "csv" => InputFormat::Csv,
        "tsv" | "tab" => InputFormat::Tsv,
        "jsonl" | "ndjson" => InputFormat::Jsonl,
        _ => InputFormat::Text,
    }
}

/// The inputs named on the command line: `-` is standard input, a folder stands for its text
/// files (recursively, sorted by path), a file is read by its extension unless `forced`.
pub fn expand(paths: &[PathBuf], forced: InputFormat) -> Result<Vec<InputSpec>> {
    let mut out = Vec::new();
    let mut stdin_seen = false;
    for p in paths {
        if p.as_os_str() == "-" {
            if stdin_seen {
                return Err(CliError::Usage("standard input (-) given twice".into()));
            }
            stdin_seen = true;
            out.push(InputSpec {
                path: None,
                format: if forced == InputFormat::Auto {
                    InputFormat::Text
                } else {
                    forced
                },
                name: "<stdin>".into(),
            });
        } else if p.is_dir() {
            let mut found = Vec::new();
            for entry in walkdir::WalkDir::new(p).follow_links(true).sort_by_file_name() {
                let entry = entry.map_err(|e| {
                    let path = e
                        .path()
                        .map_or_else(|| p.display().to_string(), |x| x.display().to_string());
                    CliError::io(path, std::io::Error::other(e.to_string()))
                })?;
                let is_text = entry
                    .path()
                    .extension()
                    .and_then(|e| e.to_str())
                    .is_some_and(|e| TEXT_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()));
                if entry.file_type().is_file() && is_text {
                    found.push(entry.into_path());
                }
            }
            if found.is_empty() {
                return Err(CliError::input(
                    &p.display().to_string(),
                    None,
                    format!("folder has no {} files", TEXT_EXTENSIONS.join("/")),
                ));
            }
            out.extend(found.into_iter().map(|f| InputSpec {
                name: f.display().to_string(),
                format: if forced == InputFormat::Auto {
                    InputFormat::Text
                } else {
                    forced
                },
                path: Some(f),
            }));
        } else {
            if !p.exists() {
                return Err(CliError::io(
                    p.display(),
                    std::io::Error::new(std::io::ErrorKind::NotFound, "no such file or folder"),
                ));
            }
            out.push(InputSpec {
                path: Some(p.clone()),
                format: format_of(p, forced),
                name: p.display().to_string(),
            });
        }
    }
    Ok(out)
}

/// Open an input for reading.
pub fn open(spec: &InputSpec) -> Result<Box<dyn Read + Send>> {
    match &spec.path {
        Some(p) => Ok(Box::new(File::open(p).map_err(|e| CliError::io(p.display(), e))?)),
        None => Ok(Box::new(std::io::stdin())),
    }
}

/// Size of an input in bytes, when known (for the progress bar).
pub fn size(spec: &InputSpec) -> Option<u64> {
    spec.path
        .as_ref()
        .and_then(|p| std::fs::metadata(p).ok())
        .map(|m| m.len())
}

/// A carried column's value.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// A CSV/TSV field.
    Text(String),
    /// A JSON Lines value.
    Json(Value),
}

impl Cell {
    /// The value as a CSV field: strings as they are, `null` empty, other JSON as JSON text.
    pub fn to_field(&self) -> String {
        match self {
            Cell::Text(s) | Cell::Json(Value::String(s)) => s.clone(),
            Cell::Json(Value::Null) => String::new(),
            Cell::Json(v) => v.to_string(),
        }
    }

    /// The value as JSON.
    pub fn to_json(&self) -> Value {
        match self {
            Cell::Text(s) => Value::String(s.clone()),
            Cell::Json(v) => v.clone(),
        }
    }
}

/// One record of a tabular input.
#[derive(Debug, Clone)]
pub struct Record {
    /// One-based line where the record starts.
    pub line: u64,
    /// The text column.
    pub text: String,
    /// The other columns, by name, in the input's order.
    pub fields: Vec<(String, Cell)>,
}

/// Reads the records of a CSV/TSV or JSON Lines input, checking each one.
pub struct TableReader {
    name: String,
    text_column: String,
    kind: TableKind,
    /// Column names of the first record (the header, or the first JSON object's keys), the text
    /// column left out.
    pub columns: Vec<String>,
    peeked: Option<Record>,
    /// Bytes read so far.
    position: u64,
}

enum TableKind {
    Csv {
        reader: csv::Reader<Box<dyn Read + Send>>,
        header: Vec<String>,
        text_index: usize,
        record: csv::StringRecord,
    },
    Jsonl {
        reader: BufReader<Box<dyn Read + Send>>,
        line: u64,
        buf: String,
    },
}

impl TableReader {
    /// Open a tabular input and read its header (or first record).
    pub fn open(spec: &InputSpec, text_column: &str) -> Result<Self> {
        let reader = open(spec)?;
        let name = spec.name.clone();
        let kind = match spec.format {
            InputFormat::Csv | InputFormat::Tsv => {
                let mut reader = csv::ReaderBuilder::new()
                    .delimiter(if spec.format == InputFormat::Tsv { b'\t' } else { b',' })
                    .flexible(true)
                    .from_reader(reader);
                let header: Vec<String> = reader
                    .headers()
                    .map_err(|e| csv_error(&name, e))?
                    .iter()
                    .map(|h| h.trim_start_matches('\u{feff}').to_string())
                    .collect();
                let text_index = header.iter().position(|h| h == text_column).ok_or_else(|| {
                    CliError::input(
                        &name,
                        Some(1),
                        format!(
                            "no column named {text_column:?} (columns: {}); choose one with --text-column",
                            header.join(", ")
                        ),
                    )
                })?;
                TableKind::Csv {
                    reader,
                    header,
                    text_index,
                    record: csv::StringRecord::new(),
                }
            }
            _ => TableKind::Jsonl {
                reader: BufReader::new(reader),
                line: 0,
                buf: String::new(),
            },
        };
        let mut table = TableReader {
            name,
            text_column: text_column.to_string(),
            kind,
            columns: Vec::new(),
            peeked: None,
            position: 0,
        };
        match &table.kind {
            TableKind::Csv { header, text_index, .. } => {
                table.columns = header
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i != text_index)
                    .map(|(_, h)| h.clone())
                    .collect();
            }
            TableKind::Jsonl { .. } => {
                table.peeked = table.read()?;
                if let Some(r) = &table.peeked {
                    table.columns = r.fields.iter().map(|(k, _)| k.clone()).collect();
                }
            }
        }
        Ok(table)
    }

    /// Bytes read so far.
    pub fn position(&self) -> u64 {
        self.position
    }

    /// The next record, or `None` at the end.
    pub fn next_record(&mut self) -> Result<Option<Record>> {
        if let Some(r) = self.peeked.take() {
            return Ok(Some(r));
        }
        self.read()
    }

    fn read(&mut self) -> Result<Option<Record>> {
        let name = &self.name;
        match &mut self.kind {
            TableKind::Csv {
                reader,
                header,
                text_index,
                record,
            } => {
                if !reader.read_record(record).map_err(|e| csv_error(name, e))? {
                    return Ok(None);
                }
                let line = record.position().map_or(0, |p| p.line());
                self.position = record.position().map_or(self.position, |p| p.byte());
                let text = record.get(*text_index).ok_or_else(|| {
                    CliError::input(
                        name,
                        Some(line),
                        format!(
                            "row has {} fields and no {:?} (column {} of the header's {})",
                            record.len(),
                            self.text_column,
                            *text_index + 1,
                            header.len()
                        ),
                    )
                })?;
                let fields = header
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| i != text_index)
                    .map(|(i, h)| (h.clone(), Cell::Text(record.get(i).unwrap_or_default().to_string())))
                    .collect();
                Ok(Some(Record {
                    line,
                    text: text.to_string(),
                    fields,
                }))
            }
            TableKind::Jsonl { reader, line, buf } => loop {
                buf.clear();
                let n = reader.read_line(buf).map_err(|e| {
                    if e.kind() == std::io::ErrorKind::InvalidData {
                        CliError::input(name, Some(*line + 1), "invalid UTF-8")
                    } else {
                        CliError::io(name, e)
                    }
                })?;
                if n == 0 {
                    return Ok(None);
                }
                *line += 1;
                self.position += n as u64;
                let trimmed = buf.trim_start_matches('\u{feff}').trim();
                if trimmed.is_empty() {
                    continue;
                }
                let value: Value = serde_json::from_str(trimmed)
                    .map_err(|e| CliError::input(name, Some(*line), format!("invalid JSON: {e}")))?;
                let Value::Object(map) = value else {
                    return Err(CliError::input(name, Some(*line), "expected a JSON object"));
                };
                let mut text = None;
                let mut fields = Vec::with_capacity(map.len());
                for (k, v) in map {
                    if k == self.text_column {
                        match v {
                            Value::String(s) => text = Some(s),
                            other => {
                                return Err(CliError::input(
                                    name,
                                    Some(*line),
                                    format!("field {k:?} is not a string but {other}"),
                                ))
                            }
                        }
                    } else {
                        fields.push((k, Cell::Json(v)));
                    }
                }
                let Some(text) = text else {
                    return Err(CliError::input(
                        name,
                        Some(*line),
                        format!(
                            "no {:?} field (fields: {}); choose one with --text-column",
                            self.text_column,
                            fields.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>().join(", ")
                        ),
                    ));
                };
                return Ok(Some(Record {
                    line: *line,
                    text,
                    fields,
                }));
            },
        }
    }
}

fn csv_error(name: &str, e: csv::Error) -> CliError {
    let line = e.position().map(|p| p.line());
    match e.into_kind() {
        csv::ErrorKind::Io(io) => CliError::io(name, io),
        csv::ErrorKind::Utf8 { pos, err } => CliError::input(
            name,
            pos.map(|p| p.line()).or(line),
            format!("invalid UTF-8 in field {}", err.field() + 1),
        ),
        other => CliError::input(name, line, format!("malformed CSV: {other:?}")),
    }
}

/// Input is read and scored at most this many bytes at a time, cut after the last blank line
/// so that passages are the same as from the whole text; a chunk without one is cut at its last
/// line break or whitespace. Memory stays bounded whatever the input's size.
pub const READ_CHUNK: usize = 1 << 20;

/// A text input read in chunks (see [`READ_CHUNK`]).
pub struct Chunks {
    name: String,
    reader: Box<dyn Read + Send>,
    buf: Vec<u8>,
    eof: bool,
    lines_mode: bool,
    /// Bytes before `buf`.
    offset: usize,
    /// Line breaks before `buf`.
    lines: usize,
}

impl Chunks {
    /// Start reading `spec`; `lines_mode` cuts chunks at line breaks only.
    pub fn open(spec: &InputSpec, lines_mode: bool) -> Result<Chunks> {
        Ok(Chunks {
            name: spec.name.clone(),
            reader: open(spec)?,
            buf: Vec::new(),
            eof: false,
            lines_mode,
            offset: 0,
            lines: 0,
        })
    }

    /// Bytes read so far.
    pub fn position(&self) -> u64 {
        (self.offset + self.buf.len()) as u64
    }

    /// The next chunk: its byte offset in the input, its text, and whether it is the last;
    /// `None` at the end.
    pub fn next_chunk(&mut self) -> Result<Option<(usize, String, bool)>> {
        while self.buf.len() < READ_CHUNK && !self.eof {
            let want = (READ_CHUNK - self.buf.len()) as u64;
            let got = (&mut self.reader)
                .take(want)
                .read_to_end(&mut self.buf)
                .map_err(|e| CliError::io(&self.name, e))?;
            self.eof = got == 0;
        }
        if self.offset == 0 && self.buf.starts_with(b"\xef\xbb\xbf") {
            // A UTF-8 byte-order mark is not text (offsets still count it).
            self.buf.drain(..3);
            self.offset = 3;
        }
        if self.buf.is_empty() {
            return Ok(None);
        }
        let cut = if self.eof {
            self.buf.len()
        } else {
            boundary(&self.buf, self.lines_mode)
        };
        let rest = self.buf.split_off(cut);
        let chunk = std::mem::replace(&mut self.buf, rest);
        let offset = self.offset;
        let first_line = self.lines + 1;
        self.offset += chunk.len();
        self.lines += chunk.iter().filter(|&&b| b == b'\n').count();
        let last = self.eof && self.buf.is_empty();
        match String::from_utf8(chunk) {
            Ok(text) => Ok(Some((offset, text, last))),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let good = e.as_bytes().get(..at).unwrap_or_default();
                let line = first_line + good.iter().filter(|&&b| b == b'\n').count();
                Err(CliError::input(
                    &self.name,
                    Some(line as u64),
                    format!("invalid UTF-8 at byte offset {}", offset + at),
                ))
            }
        }
    }
}

/// Where to cut a full buffer: after its last blank line (after its last line break in lines
/// mode), else after its last line break or whitespace, else at its last character boundary.
fn boundary(buf: &[u8], lines_mode: bool) -> usize {
    let breaks = || {
        buf.iter()
            .enumerate()
            .rev()
            .filter(|(_, &b)| b == b'\n')
            .map(|(i, _)| i)
    };
    if !lines_mode {
        let mut later: Option<usize> = None;
        for i in breaks() {
            if let Some(j) = later {
                if buf.get(i + 1..j).is_some_and(|l| l.iter().all(u8::is_ascii_whitespace)) {
                    return j + 1;
                }
            }
            later = Some(i);
        }
    }
    if let Some(i) = breaks().next() {
        return i + 1;
    }
    if let Some(i) = buf.iter().rposition(u8::is_ascii_whitespace) {
        return i + 1;
    }
    let mut p = buf.len().saturating_sub(1);
    while p > 0 && buf.get(p).is_some_and(|b| b & 0xC0 == 0x80) {
        p -= 1;
    }
    if p == 0 {
        buf.len()
    } else {
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn boundary_prefers_blank_lines_then_line_breaks() {
        assert_eq!(boundary(b"a\n\nb\nc", false), 3);
        assert_eq!(boundary(b"a\n\nb\nc", true), 5);
        assert_eq!(boundary(b"ab cd", false), 3);
    }

    #[test]
    fn cells_become_fields_and_json() {
        assert_eq!(Cell::Json(Value::Null).to_field(), "");
        assert_eq!(Cell::Json(serde_json::json!(3)).to_field(), "3");
        assert_eq!(Cell::Text("x".into()).to_json(), serde_json::json!("x"));
    }
}
