//! `Model.timeline`: score a collection of dated documents and compute its timeline
//! (hawkdove::timeline), with the interpreter detached.

use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use hawkdove::document::{passages, Segmentation, DOCUMENT_CHUNK};
use hawkdove::features::Scratch;
use hawkdove::timeline::{date_from_epoch_days, timeline, TimelineDocument, TimelineOptions};
use hawkdove::{Error, Model};

use crate::errors::{invalid, IntoPyResult};
use crate::pools::{resolve_threads, run_chunked, run_detached};
use crate::{params, texts};

/// A passage given as evidence: `(document, passage among the scored ones, start, end, text)`,
/// with `str` offsets into the document.
pub type EvidenceText = (usize, usize, usize, usize, String);

/// Score one document passage by passage ([`DOCUMENT_CHUNK`] passages at a time) and keep, for
/// the timeline, the scores and class indices of the passages the model labelled.
fn score_for_timeline(
    model: &Model,
    text: &str,
    how: Segmentation,
    scratch: &mut Scratch,
) -> (Vec<f64>, Vec<usize>, usize) {
    let (mut scores, mut labels, mut abstained) = (Vec::new(), Vec::new(), 0);
    let mut segments = passages(text, how);
    loop {
        let chunk: Vec<&str> = segments
            .by_ref()
            .take(DOCUMENT_CHUNK)
            .map(|s| text.get(s.span).unwrap_or_default())
            .collect();
        if chunk.is_empty() {
            break;
        }
        let batch = model.predict_columns_with(&chunk, scratch);
        for ((score, class), skipped) in batch.scores.iter().zip(&batch.class_index).zip(&batch.abstained) {
            if skipped.is_some() {
                abstained += 1;
            } else {
                scores.push(*score);
                labels.push(*class);
            }
        }
    }
    (scores, labels, abstained)
}

/// The `passage`-th labelled passage of `text` (in the order [`score_for_timeline`] kept them):
/// its `str` span and text.
fn labelled_passage(model: &Model, text: &str, how: Segmentation, passage: usize) -> Option<(usize, usize, String)> {
    let mut scratch = Scratch::default();
    let mut seen = 0;
    let mut segments = passages(text, how);
    loop {
        let chunk: Vec<_> = segments.by_ref().take(DOCUMENT_CHUNK).collect();
        if chunk.is_empty() {
            return None;
        }
        let texts: Vec<&str> = chunk
            .iter()
            .map(|s| text.get(s.span.clone()).unwrap_or_default())
            .collect();
        let batch = model.predict_columns_with(&texts, &mut scratch);
        for (segment, skipped) in chunk.iter().zip(&batch.abstained) {
            if skipped.is_some() {
                continue;
            }
            if seen == passage {
                let start = text.get(..segment.span.start).map_or(0, |t| t.chars().count());
                let body = text.get(segment.span.clone()).unwrap_or_default();
                return Some((start, start + body.chars().count(), body.to_string()));
            }
            seen += 1;
        }
    }
}

/// See `Model.timeline` in `_hawkdove.pyi`.
#[allow(clippy::too_many_arguments)]
pub fn model_timeline(
    py: Python<'_>,
    model: &Model,
    texts: &Bound<'_, PyAny>,
    days: PyReadonlyArray1<'_, i64>,
    groups: Option<Vec<Option<String>>>,
    options: Option<&str>,
    segmentation: Option<&str>,
    n_jobs: Option<&Bound<'_, PyAny>>,
) -> PyResult<(String, Vec<EvidenceText>)> {
    let options: TimelineOptions = params::parse(py, options, "options")?;
    let how: Segmentation = match segmentation {
        None => Segmentation::default(),
        Some(s) => serde_json::from_value(serde_json::Value::String(s.to_string())).map_err(|_| {
            invalid(
                py,
                "segmentation",
                s,
                "expected \"sentences\", \"paragraphs\" or \"lines\"",
            )
        })?,
    };
    let threads = resolve_threads(n_jobs)?;
    let texts = texts::batch(texts, "texts")?;
    let days = days.as_slice()?;
    let length_mismatch = |right_name: &'static str, right: usize| Error::LengthMismatch {
        left_name: "texts",
        left: texts.len(),
        right_name,
        right,
    };
    if days.len() != texts.len() {
        return Err(length_mismatch("dates", days.len())).py_err(py);
    }
    if let Some(g) = &groups {
        if g.len() != texts.len() {
            return Err(length_mismatch("groups", g.len())).py_err(py);
        }
    }
    let dates = days
        .iter()
        .map(|&d| date_from_epoch_days(d))
        .collect::<hawkdove::Result<Vec<_>>>()
        .py_err(py)?;
    let chunk = (texts.len() / (threads * 8)).clamp(1, 64);
    let parts = run_chunked(py, threads, texts.len(), chunk, |r, scratch: &mut Scratch| {
        r.map(|i| {
            let text: &str = texts.get(i).map_or("", |t| &**t);
            let (passage_scores, passage_labels, n_abstained) = score_for_timeline(model, text, how, scratch);
            TimelineDocument {
                date: dates.get(i).copied().unwrap_or_default(),
                group: groups.as_ref().and_then(|g| g.get(i).cloned().flatten()),
                passage_scores,
                passage_labels,
                n_abstained,
            }
        })
        .collect::<Vec<_>>()
    })?;
    let docs: Vec<TimelineDocument> = parts.into_iter().flatten().collect();
    let n_classes = model.classes().len();
    let result = run_detached(py, threads, || timeline(&docs, n_classes, &options))?.py_err(py)?;
    let wanted: Vec<(usize, usize)> = result
        .shifts
        .iter()
        .flat_map(|s| s.evidence.iter().map(|e| (e.document, e.passage)))
        .collect();
    let evidence = run_detached(py, threads, || {
        wanted
            .iter()
            .filter_map(|&(d, p)| {
                let text: &str = texts.get(d).map_or("", |t| &**t);
                labelled_passage(model, text, how, p).map(|(start, end, body)| (d, p, start, end, body))
            })
            .collect::<Vec<_>>()
    })?;
    Ok((params::to_json(&result)?, evidence))
}

/// Read dates as the command line does (`hawkdove::timeline::parse_date`): days since
/// 1970-01-01 of each, in order. A value that is not a date raises `HawkdoveError` (kind
/// `invalid_date`) naming it and its position.
#[pyfunction]
pub fn parse_dates(py: Python<'_>, values: &Bound<'_, PyAny>) -> PyResult<Vec<i64>> {
    let values = texts::batch(values, "dates")?;
    let epoch = hawkdove::timeline::date_from_epoch_days(0).py_err(py)?;
    values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            hawkdove::timeline::parse_date(v)
                .map(|d| (d - epoch).num_days())
                .map_err(|e| match e {
                    Error::InvalidDate { input, reason } => Error::InvalidDate {
                        input,
                        reason: format!("{reason} (dates[{i}])"),
                    },
                    other => other,
                })
                .py_err(py)
        })
        .collect()
}
