//! How far the generators are: a bar per stage on standard error, or nothing at all.

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressStyle};

const RUNNING: &str = "{msg:13} {bar:40} {human_pos}/{human_len} ({eta} left)";
const FINISHED: &str = "{msg:13} {bar:40} {human_pos}/{human_len} in {elapsed}";
const STEP: &str = "{msg:13} {spinner} {elapsed}";
const STEP_FINISHED: &str = "{msg:13} done in {elapsed}";

/// Where the generators report their stages.
pub struct Progress(Option<MultiProgress>);

impl Progress {
    /// Shows nothing: for the demo data and the tests.
    pub fn hidden() -> Progress {
        Progress(None)
    }

    /// A bar per stage on standard error, when that is a terminal.
    pub fn on_terminal() -> Progress {
        Progress(Some(MultiProgress::new()))
    }

    /// A bar for a stage of `len` steps, below those of the stages before.
    pub(super) fn stage(&self, name: &'static str, len: usize) -> ProgressBar {
        let Some(bars) = &self.0 else {
            return ProgressBar::hidden();
        };
        bars.add(
            ProgressBar::new(len as u64)
                .with_style(style(RUNNING))
                .with_message(name),
        )
    }

    /// A stage that is a single statement: a spinner with the time it takes.
    pub(super) fn step(&self, name: &'static str) -> ProgressBar {
        let Some(bars) = &self.0 else {
            return ProgressBar::hidden();
        };
        let bar = bars.add(
            ProgressBar::new_spinner()
                .with_style(style(STEP))
                .with_message(name),
        );
        bar.enable_steady_tick(Duration::from_millis(100));
        bar
    }

    /// Leaves a finished stage on screen with the time it took.
    pub(super) fn finish(&self, bar: &ProgressBar) {
        if self.0.is_none() {
            return;
        }
        let template = if bar.length().is_some() {
            FINISHED
        } else {
            STEP_FINISHED
        };
        bar.set_style(style(template));
        bar.finish();
    }
}

fn style(template: &str) -> ProgressStyle {
    ProgressStyle::with_template(template).expect("the templates are valid")
}
