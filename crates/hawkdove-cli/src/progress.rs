//! The progress bar on standard error (indicatif), shown only on a terminal and without
//! `--quiet`.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A progress bar over bytes read, or nothing.
pub struct Progress {
    bar: Option<ProgressBar>,
}

impl Progress {
    /// A bar for `total` bytes (a spinner when unknown), drawn when `show` and standard error is
    /// a terminal.
    pub fn new(show: bool, total: Option<u64>, what: &str) -> Self {
        if !show || !std::io::stderr().is_terminal() {
            return Progress { bar: None };
        }
        let bar = match total {
            Some(t) => {
                let bar = ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "{msg} [{elapsed_precise}] {wide_bar} {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec}, eta {eta})",
                ) {
                    bar.set_style(style);
                }
                bar
            }
            None => {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                if let Ok(style) = ProgressStyle::with_template(
                    "{spinner} {msg} [{elapsed_precise}] {binary_bytes} ({binary_bytes_per_sec})",
                ) {
                    bar.set_style(style);
                }
                bar
            }
        };
        bar.set_message(what.to_string());
        bar.enable_steady_tick(Duration::from_millis(200));
        Progress { bar: Some(bar) }
    }

    /// A progress that shows nothing.
    pub fn hidden() -> Self {
        Progress { bar: None }
    }

    /// Bytes done so far.
    pub fn set(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(bytes);
        }
    }

    /// Remove the bar.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Training progress on standard error, fed by the library's training events
/// ([`hawkdove::progress::TrainEvent`]): a bar over self-tuning's fits (with the fold, the
/// setting and its held-out macro-F1), a bar over texts while featurizing, a spinner over
/// solver iterations, prefixed by the cross-validation or calibration fold. Drawn only when
/// `show` and standard error is a terminal; the callback also stops training when `cancel`
/// says so.
pub struct TrainBars<'a> {
    visible: bool,
    bar: Option<ProgressBar>,
    tuning: Option<ProgressBar>,
    prefix: String,
    cancel: &'a (dyn Fn() -> bool + Sync),
}

impl<'a> TrainBars<'a> {
    /// Bars when `show` and standard error is a terminal; `cancel` polled at every event.
    pub fn new(show: bool, cancel: &'a (dyn Fn() -> bool + Sync)) -> Self {
        TrainBars {
            visible: show && std::io::stderr().is_terminal(),
            bar: None,
            tuning: None,
            prefix: String::new(),
            cancel,
        }
    }

    /// Show `event`; break when cancelled.
    pub fn on(&mut self, event: &hawkdove::TrainEvent) -> std::ops::ControlFlow<()> {
        use hawkdove::progress::FoldPurpose;
        use hawkdove::TrainEvent as E;
        match event {
            E::FoldStarted { purpose, fold, folds } => {
                let what = match purpose {
                    FoldPurpose::CrossValidation => "cross-validation fold",
                    FoldPurpose::Calibration => "calibration fold",
                    FoldPurpose::Tuning => "tuning fold",
                };
                if *purpose != FoldPurpose::Tuning {
                    self.prefix = format!("{what} {}/{folds}: ", fold + 1);
                }
            }
            E::FoldFinished { purpose, .. } if *purpose != FoldPurpose::Tuning => self.prefix.clear(),
            E::TuneStarted { folds, candidates } => {
                self.finish();
                if self.visible {
                    let bar =
                        ProgressBar::with_draw_target(Some((folds * candidates) as u64), ProgressDrawTarget::stderr());
                    if let Ok(style) = ProgressStyle::with_template(
                        "{prefix}tuning [{elapsed_precise}] {wide_bar} {pos}/{len} fits {msg}",
                    ) {
                        bar.set_style(style);
                    }
                    bar.set_prefix(self.prefix.clone());
                    bar.enable_steady_tick(Duration::from_millis(200));
                    self.tuning = Some(bar);
                }
            }
            E::TuneFitted {
                fold,
                folds,
                c,
                class_weight,
                macro_f1,
                ..
            } => {
                if let Some(bar) = &self.tuning {
                    bar.inc(1);
                    bar.set_message(format!(
                        "(fold {}/{folds}: C = {c}, {} → macro-F1 {macro_f1:.4})",
                        fold + 1,
                        class_weight_name(class_weight)
                    ));
                }
            }
            E::TuneFinished { .. } => {
                if let Some(bar) = self.tuning.take() {
                    bar.finish_and_clear();
                }
            }
            E::FeaturizeStarted { texts } if self.tuning.is_none() => {
                self.start(
                    Some(*texts as u64),
                    "featurizing",
                    "{prefix}{msg} [{elapsed_precise}] {wide_bar} {pos}/{len} texts",
                );
            }
            E::Featurizing { done, .. } => self.set(*done as u64),
            E::SolverStarted { .. } if self.tuning.is_none() => {
                self.start(
                    None,
                    "solver",
                    "{spinner} {prefix}{msg}: iteration {pos} [{elapsed_precise}]",
                );
            }
            E::SolverIteration { iteration, .. } => self.set(*iteration as u64),
            E::Featurized { .. } | E::SolverFinished { .. } => self.finish(),
            _ => {}
        }
        if (self.cancel)() {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    }

    fn start(&mut self, total: Option<u64>, message: &'static str, template: &str) {
        self.finish();
        if !self.visible {
            return;
        }
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style);
        }
        bar.set_prefix(self.prefix.clone());
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(200));
        self.bar = Some(bar);
    }

    fn set(&self, pos: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(pos);
        }
    }

    fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for TrainBars<'_> {
    fn drop(&mut self) {
        self.finish();
        if let Some(bar) = self.tuning.take() {
            bar.finish_and_clear();
        }
    }
}

/// `uniform`, `balanced` or the explicit weights, as the options write them.
pub fn class_weight_name(w: &hawkdove::ClassWeight) -> String {
    match w {
        hawkdove::ClassWeight::Uniform => "uniform".into(),
        hawkdove::ClassWeight::Balanced => "balanced".into(),
        hawkdove::ClassWeight::Explicit(list) => list
            .iter()
            .map(|(l, w)| format!("{l}={w}"))
            .collect::<Vec<_>>()
            .join(","),
    }
}
