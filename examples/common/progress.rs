//! Training progress on stderr for the examples: indicatif bars fed by hawkdove's training
//! events (`hawkdove::progress`), drawn only when stderr is a terminal, so that piped or logged
//! runs stay quiet.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::time::Duration;

use hawkdove::progress::{FoldPurpose, TrainEvent};
use hawkdove::Solver;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// The bars of one run: featurization (texts read), the solver (iterations), with the current
/// fold as prefix.
pub struct Progress {
    visible: bool,
    bar: Option<ProgressBar>,
    prefix: String,
}

impl Progress {
    /// Bars on stderr when it is a terminal; otherwise nothing is drawn.
    pub fn stderr() -> Self {
        Progress {
            visible: std::io::stderr().is_terminal(),
            bar: None,
            prefix: String::new(),
        }
    }

    /// Show `event`; training always continues.
    pub fn on(&mut self, event: &TrainEvent) -> ControlFlow<()> {
        match event {
            TrainEvent::FoldStarted { purpose, fold, folds } => {
                let what = match purpose {
                    FoldPurpose::CrossValidation => "fold",
                    FoldPurpose::Calibration => "calibration fold",
                    FoldPurpose::Tuning => "tuning fold",
                };
                self.prefix = format!("{what} {}/{folds} ", fold + 1);
            }
            TrainEvent::FoldFinished { .. } => self.prefix.clear(),
            TrainEvent::FeaturizeStarted { texts } => {
                self.start(
                    Some(*texts as u64),
                    "featurizing",
                    "{prefix}{msg} [{bar:30}] {pos}/{len} texts {elapsed}",
                );
            }
            TrainEvent::Featurizing { done, .. } => self.set(*done as u64),
            TrainEvent::SolverStarted { solver, .. } => {
                let name = match solver {
                    Solver::DualCd => "dual coordinate descent",
                    _ => "L-BFGS",
                };
                self.start(None, name, "{prefix}{msg}: iteration {pos} {spinner} {elapsed}");
            }
            TrainEvent::SolverIteration { iteration, .. } => self.set(*iteration as u64),
            TrainEvent::Featurized { .. } | TrainEvent::SolverFinished { .. } => self.finish(),
            _ => {}
        }
        ControlFlow::Continue(())
    }

    fn start(&mut self, total: Option<u64>, message: &'static str, template: &str) {
        self.finish();
        if !self.visible {
            return;
        }
        let bar = ProgressBar::with_draw_target(total, ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template(template) {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(self.prefix.clone());
        bar.set_message(message);
        bar.enable_steady_tick(Duration::from_millis(200));
        self.bar = Some(bar);
    }

    fn set(&mut self, pos: u64) {
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

impl Drop for Progress {
    fn drop(&mut self) {
        self.finish();
    }
}
