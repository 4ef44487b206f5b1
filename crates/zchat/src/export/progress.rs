//! Progress of an export: a live line on a terminal (records, pages, rate, elapsed), plain log
//! lines otherwise, nothing with `--quiet`.

use std::io::IsTerminal;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Reports an export's progress on standard error.
pub struct Progress {
    mode: Mode,
    /// When the last log line was printed (or the export started), to print at most one every
    /// few seconds: an export shorter than that prints only its closing line.
    last_line: Mutex<Instant>,
}

/// How often a log line is printed when standard error is not a terminal.
const LINE_INTERVAL: Duration = Duration::from_secs(2);

enum Mode {
    Quiet,
    Lines,
    Bar(ProgressBar),
}

impl Progress {
    /// A live bar on a terminal, log lines when standard error is not one, nothing when `quiet`.
    pub fn new(quiet: bool) -> Self {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            let bar = ProgressBar::new_spinner();
            bar.set_style(
                ProgressStyle::with_template("{spinner} {elapsed_precise} {msg}")
                    .expect("the template is valid"),
            );
            bar.enable_steady_tick(Duration::from_millis(120));
            Mode::Bar(bar)
        } else {
            Mode::Lines
        };
        Self {
            mode,
            last_line: Mutex::new(Instant::now()),
        }
    }

    /// A message of its own.
    pub fn note(&self, message: &str) {
        match &self.mode {
            Mode::Quiet => {}
            Mode::Lines => eprintln!("{message}"),
            Mode::Bar(bar) => bar.println(message),
        }
    }

    /// A warning about the data, printed even with `--quiet`.
    pub fn warn(&self, message: &str) {
        match &self.mode {
            Mode::Quiet | Mode::Lines => eprintln!("warning: {message}"),
            Mode::Bar(bar) => bar.println(format!("warning: {message}")),
        }
    }

    /// After each page: `total` records so far (with earlier runs), `records` and `pages` of this
    /// run, which took `elapsed`.
    pub fn page(&self, total: u64, records: u64, pages: u64, elapsed: Duration, caught_up: bool) {
        let state = if caught_up { ", caught up" } else { "" };
        let line = if records == 0 {
            format!("{total} records, nothing new yet{state}")
        } else {
            let rate = records as f64 / elapsed.as_secs_f64().max(1e-3);
            format!(
                "{total} records, {}, {rate:.0} records/s{state}",
                plural(pages, "page")
            )
        };
        match &self.mode {
            Mode::Quiet => {}
            Mode::Lines => {
                let mut last = self
                    .last_line
                    .lock()
                    .unwrap_or_else(|poisoned| poisoned.into_inner());
                if last.elapsed() >= LINE_INTERVAL {
                    *last = Instant::now();
                    eprintln!("{line} ({:.1}s)", elapsed.as_secs_f64());
                }
            }
            Mode::Bar(bar) => bar.set_message(line),
        }
    }

    /// Once the export is over.
    pub fn finish(&self, message: &str) {
        match &self.mode {
            Mode::Quiet => {}
            Mode::Lines => eprintln!("{message}"),
            Mode::Bar(bar) => {
                bar.println(message);
                bar.set_message("");
            }
        }
    }
}

/// `1 page`, `2 pages`.
pub fn plural(count: u64, noun: &str) -> String {
    if count == 1 {
        format!("1 {noun}")
    } else {
        format!("{count} {noun}s")
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Mode::Bar(bar) = &self.mode {
            bar.finish_and_clear();
        }
    }
}
