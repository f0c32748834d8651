//! The scoring loop shared by `score` and `timeline`: documents read piece by piece from the
//! inputs, cut into passages, scored in batches (in parallel, input order kept), handed to a
//! [`Sink`] passage by passage and document by document, in bounded memory.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::Arc;

use hawkdove::document::{passage_weight, passages, DocumentAggregator, DocumentOptions, DocumentSummary};
use hawkdove::features::Scratch;
use hawkdove::{Model, Prediction};
use rayon::prelude::*;

use crate::error::{CliError, Result};
use crate::input::{Cell, Chunks, InputSpec, TableReader};
use crate::progress::Progress;

/// Passages scored at a time.
pub const BATCH_PASSAGES: usize = 4096;

/// Where a document came from.
#[derive(Debug, Clone)]
pub struct DocMeta {
    /// The input's name.
    pub input: Arc<str>,
    /// One-based line where the document starts (its row in a tabular input; 1 for a text file).
    pub line: u64,
    /// Zero-based document number over all inputs.
    pub index: usize,
    /// Carried columns of a tabular row.
    pub fields: Vec<(String, Cell)>,
}

/// One feature's part in a score, for the drivers columns.
#[derive(Debug, Clone, PartialEq)]
pub struct Driver {
    /// The feature (n-gram) name.
    pub feature: String,
    /// The words of the text it came from (its first occurrence), lower-cased.
    pub words: String,
    /// Contribution to the log-odds of the positive over the negative pole.
    pub contribution: f64,
}

/// A scored passage.
pub struct ScoredPassage<'a> {
    /// Its document.
    pub doc: &'a DocMeta,
    /// Zero-based passage number in the document.
    pub passage: usize,
    /// Byte span in the document.
    pub span: Range<usize>,
    /// The passage.
    pub text: &'a str,
    /// Stance prediction.
    pub stance: &'a Prediction,
    /// Sentiment prediction (when a sentiment model is used).
    pub sentiment: Option<&'a Prediction>,
    /// Strongest stance contributions (largest size first).
    pub stance_drivers: &'a [Driver],
    /// Strongest sentiment contributions.
    pub sentiment_drivers: &'a [Driver],
}

/// A scored document.
pub struct ScoredDocument<'a> {
    /// Where it came from.
    pub doc: &'a DocMeta,
    /// Number of passages.
    pub n_passages: usize,
    /// Stance aggregates.
    pub stance: DocumentSummary,
    /// Sentiment aggregates (when a sentiment model is used).
    pub sentiment: Option<DocumentSummary>,
    /// Strongest stance contributions summed over the document's passages.
    pub stance_drivers: Vec<Driver>,
    /// Strongest sentiment contributions summed over the passages.
    pub sentiment_drivers: Vec<Driver>,
}

/// Receives the scores in input order.
pub trait Sink {
    /// Called once before anything else with the carried columns of the tabular inputs (the
    /// union of their headers, or of their first JSON objects' keys, the text column left out).
    fn begin(&mut self, columns: &[String]) -> Result<()>;
    /// A passage was scored.
    fn passage(&mut self, p: &ScoredPassage<'_>) -> Result<()>;
    /// Every passage of a document was scored.
    fn document(&mut self, d: &ScoredDocument<'_>) -> Result<()>;
}

/// What to score with and how.
pub struct Engine<'m> {
    /// Stance model.
    pub stance: &'m Model,
    /// Sentiment model, if any.
    pub sentiment: Option<&'m Model>,
    /// Segmentation, bootstrap and seed of the document aggregates.
    pub options: DocumentOptions,
    /// Drivers kept per passage and per document (0: none, and no explanation is computed).
    pub drivers: usize,
    /// Whether document drivers are wanted: every contribution of every passage is then
    /// summed per document (otherwise only each passage's strongest are looked up).
    pub document_drivers: bool,
    /// Column holding the text in tabular inputs.
    pub text_column: String,
}

/// A piece of a document: a tabular row, or a chunk of a text file.
struct Piece {
    doc: Arc<DocMeta>,
    /// Byte offset of `text` in the document.
    offset: usize,
    text: String,
    spans: Vec<Range<usize>>,
    /// Whether the document ends with this piece.
    last: bool,
}

/// A model's output for one passage.
struct Scored {
    prediction: Prediction,
    drivers: Vec<Driver>,
    /// Every contribution (for the document drivers), when drivers are wanted.
    all: Vec<Driver>,
}

/// The running aggregates of the current document.
struct Current {
    doc: Arc<DocMeta>,
    n_passages: usize,
    stance: DocumentAggregator,
    sentiment: Option<DocumentAggregator>,
    stance_drivers: HashMap<String, Driver>,
    sentiment_drivers: HashMap<String, Driver>,
}

impl Engine<'_> {
    /// Score every input, calling `sink` in input order; `cancel` is polled between batches.
    pub fn run(
        &self,
        inputs: &[InputSpec],
        sink: &mut dyn Sink,
        progress: &Progress,
        cancel: &dyn Fn() -> bool,
    ) -> Result<()> {
        let mut pending: Vec<Piece> = Vec::new();
        let mut n_pending = 0usize;
        let mut current: Option<Current> = None;
        let mut index = 0usize;
        let mut done_bytes = 0u64;
        // Tabular inputs are opened first, so their columns are known before any output.
        let mut tables: Vec<Option<TableReader>> = Vec::with_capacity(inputs.len());
        let mut columns: Vec<String> = Vec::new();
        for spec in inputs {
            let table = if spec.is_tabular() {
                let t = TableReader::open(spec, &self.text_column)?;
                for c in &t.columns {
                    if !columns.contains(c) {
                        columns.push(c.clone());
                    }
                }
                Some(t)
            } else {
                None
            };
            tables.push(table);
        }
        sink.begin(&columns)?;
        for (spec, table) in inputs.iter().zip(tables) {
            let input: Arc<str> = Arc::from(spec.name.as_str());
            let mut push =
                |piece: Piece, pending: &mut Vec<Piece>, n_pending: &mut usize, current: &mut Option<Current>| {
                    *n_pending += piece.spans.len();
                    pending.push(piece);
                    if *n_pending >= BATCH_PASSAGES {
                        self.flush(std::mem::take(pending), current, sink)?;
                        *n_pending = 0;
                        if cancel() {
                            return Err(CliError::Interrupted);
                        }
                    }
                    Ok::<(), CliError>(())
                };
            if let Some(mut table) = table {
                while let Some(record) = table.next_record()? {
                    let doc = Arc::new(DocMeta {
                        input: input.clone(),
                        line: record.line,
                        index,
                        fields: record.fields,
                    });
                    index += 1;
                    let spans = self.segment(&record.text);
                    let piece = Piece {
                        doc,
                        offset: 0,
                        text: record.text,
                        spans,
                        last: true,
                    };
                    push(piece, &mut pending, &mut n_pending, &mut current)?;
                    progress.set(done_bytes + table.position());
                }
            } else {
                let doc = Arc::new(DocMeta {
                    input: input.clone(),
                    line: 1,
                    index,
                    fields: Vec::new(),
                });
                index += 1;
                let lines = self.options.segmentation == hawkdove::document::Segmentation::Lines;
                let mut chunks = Chunks::open(spec, lines)?;
                let mut any = false;
                while let Some((offset, text, last)) = chunks.next_chunk()? {
                    any = true;
                    let spans = self.segment(&text);
                    let piece = Piece {
                        doc: doc.clone(),
                        offset,
                        text,
                        spans,
                        last,
                    };
                    push(piece, &mut pending, &mut n_pending, &mut current)?;
                    progress.set(done_bytes + chunks.position());
                }
                if !any {
                    let piece = Piece {
                        doc,
                        offset: 0,
                        text: String::new(),
                        spans: Vec::new(),
                        last: true,
                    };
                    push(piece, &mut pending, &mut n_pending, &mut current)?;
                }
            }
            done_bytes += crate::input::size(spec).unwrap_or(0);
        }
        self.flush(pending, &mut current, sink)?;
        progress.set(done_bytes);
        Ok(())
    }

    fn segment(&self, text: &str) -> Vec<Range<usize>> {
        passages(text, self.options.segmentation).map(|s| s.span).collect()
    }

    /// Score the pending pieces and hand them to the sink.
    fn flush(&self, pieces: Vec<Piece>, current: &mut Option<Current>, sink: &mut dyn Sink) -> Result<()> {
        let texts: Vec<&str> = pieces
            .iter()
            .flat_map(|p| p.spans.iter().map(|s| p.text.get(s.clone()).unwrap_or_default()))
            .collect();
        let stance = self.score(self.stance, &texts);
        let sentiment = self.sentiment.map(|m| self.score(m, &texts));
        let mut k = 0usize;
        for piece in &pieces {
            if current.as_ref().is_none_or(|c| !Arc::ptr_eq(&c.doc, &piece.doc)) {
                *current = Some(Current {
                    doc: piece.doc.clone(),
                    n_passages: 0,
                    stance: DocumentAggregator::new(self.stance, &self.options)?,
                    sentiment: self
                        .sentiment
                        .map(|m| DocumentAggregator::new(m, &self.options))
                        .transpose()?,
                    stance_drivers: HashMap::new(),
                    sentiment_drivers: HashMap::new(),
                });
            }
            let Some(cur) = current.as_mut() else {
                continue;
            };
            for span in &piece.spans {
                let text = piece.text.get(span.clone()).unwrap_or_default();
                let st = &stance[k];
                let se = sentiment.as_ref().map(|s| &s[k]);
                k += 1;
                let weight = passage_weight(text);
                add(&mut cur.stance, &st.prediction, weight);
                accumulate(&mut cur.stance_drivers, &st.all);
                if let (Some(agg), Some(se)) = (cur.sentiment.as_mut(), se) {
                    add(agg, &se.prediction, weight);
                    accumulate(&mut cur.sentiment_drivers, &se.all);
                }
                sink.passage(&ScoredPassage {
                    doc: &cur.doc,
                    passage: cur.n_passages,
                    span: piece.offset + span.start..piece.offset + span.end,
                    text,
                    stance: &st.prediction,
                    sentiment: se.map(|s| &s.prediction),
                    stance_drivers: &st.drivers,
                    sentiment_drivers: se.map_or(&[][..], |s| &s.drivers),
                })?;
                cur.n_passages += 1;
            }
            if piece.last {
                if let Some(cur) = current.take() {
                    sink.document(&ScoredDocument {
                        doc: &cur.doc,
                        n_passages: cur.n_passages,
                        stance: cur.stance.finish(),
                        sentiment: cur.sentiment.as_ref().map(DocumentAggregator::finish),
                        stance_drivers: strongest(cur.stance_drivers.into_values().collect(), self.drivers),
                        sentiment_drivers: strongest(cur.sentiment_drivers.into_values().collect(), self.drivers),
                    })?;
                }
            }
        }
        Ok(())
    }

    /// Predictions (and drivers, when wanted) for a batch, in parallel, in input order.
    fn score(&self, model: &Model, texts: &[&str]) -> Vec<Scored> {
        if self.drivers == 0 {
            return model
                .predict_batch(texts)
                .into_iter()
                .map(|prediction| Scored {
                    prediction,
                    drivers: Vec::new(),
                    all: Vec::new(),
                })
                .collect();
        }
        let n = if self.document_drivers {
            usize::MAX
        } else {
            self.drivers
        };
        texts
            .par_iter()
            .map_init(Scratch::default, |scratch, text| {
                // Largest |contribution| first.
                let (prediction, features) = model.explain_top(text, n, scratch);
                let all: Vec<Driver> = features
                    .iter()
                    .filter(|f| f.to_score != 0.0 && f.to_score.is_finite())
                    .map(|f| Driver {
                        feature: f.name.clone(),
                        words: f.spans.first().and_then(|s| text.get(s.clone())).map_or_else(
                            || f.name.clone(),
                            |w| {
                                // A lexicon match is marked so it is not read as a second
                                // feature of the same word.
                                if f.name.starts_with("lexicon:") {
                                    format!("{} (lexicon)", flatten_words(w))
                                } else {
                                    flatten_words(w)
                                }
                            },
                        ),
                        contribution: f.to_score,
                    })
                    .collect();
                let drivers = all.iter().take(self.drivers).cloned().collect();
                Scored {
                    prediction,
                    drivers,
                    all: if self.document_drivers { all } else { Vec::new() },
                }
            })
            .collect()
    }
}

fn add(agg: &mut DocumentAggregator, p: &Prediction, weight: f64) {
    if p.abstained.is_some() {
        agg.add_abstained();
    } else {
        agg.add(weight, p.class_index, p.score, &p.probabilities);
    }
}

fn accumulate(into: &mut HashMap<String, Driver>, drivers: &[Driver]) {
    for d in drivers {
        into.entry(d.feature.clone())
            .and_modify(|e| e.contribution += d.contribution)
            .or_insert_with(|| d.clone());
    }
}

/// The `n` largest contributions by size (ties by feature name, so the order is stable).
pub fn strongest(mut drivers: Vec<Driver>, n: usize) -> Vec<Driver> {
    drivers.sort_by(|a, b| {
        b.contribution
            .abs()
            .total_cmp(&a.contribution.abs())
            .then_with(|| a.feature.cmp(&b.feature))
    });
    drivers.truncate(n);
    drivers
}

/// Words of a span on one line, lower-cased, at most 40 characters.
fn flatten_words(s: &str) -> String {
    let flat = s.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
    if flat.chars().count() <= 40 {
        flat
    } else {
        let mut cut: String = flat.chars().take(39).collect();
        cut.push('…');
        cut
    }
}
