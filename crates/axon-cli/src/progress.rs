//! A small progress bar on stderr (redrawn at most every 100 ms) and a final rows/s figure.

use std::io::Write;
use std::time::{Duration, Instant};

pub struct Progress {
    label: String,
    total_bytes: u64,
    started: Instant,
    last_draw: Instant,
    enabled: bool,
}

impl Progress {
    pub fn new(label: &str, total_bytes: u64) -> Progress {
        let now = Instant::now();
        Progress {
            label: label.to_string(),
            total_bytes,
            started: now,
            last_draw: now.checked_sub(Duration::from_secs(1)).unwrap_or(now),
            // A bar redrawn with \r only makes sense on a terminal; logs get the final line.
            enabled: std::io::IsTerminal::is_terminal(&std::io::stderr()),
        }
    }

    /// Redraws the bar when due: `rows` so far, `bytes` of the file consumed.
    pub fn tick(&mut self, rows: u64, bytes: u64) {
        if !self.enabled || self.last_draw.elapsed() < Duration::from_millis(100) {
            return;
        }
        self.last_draw = Instant::now();
        self.draw(rows, bytes);
    }

    fn draw(&self, rows: u64, bytes: u64) {
        let frac = if self.total_bytes == 0 {
            1.0
        } else {
            (bytes as f64 / self.total_bytes as f64).min(1.0)
        };
        let width = 30;
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let filled = (frac * f64::from(width)) as usize;
        let rate = rate(rows, self.started.elapsed());
        let bar = format!(
            "{}{}",
            "=".repeat(filled),
            " ".repeat(width as usize - filled)
        );
        eprint!(
            "\r{:<16} [{bar}] {:>5.1}% {rows:>10} rows {rate:>10.0} rows/s",
            self.label,
            frac * 100.0
        );
        let _ = std::io::stderr().flush();
    }

    /// Draws the final state and ends the line.
    pub fn finish(&mut self, rows: u64) {
        if self.enabled {
            self.draw(rows, self.total_bytes);
            eprintln!();
        } else {
            eprintln!(
                "{:<16} {rows} rows, {:.0} rows/s",
                self.label,
                rate(rows, self.started.elapsed())
            );
        }
        self.enabled = false;
    }
}

pub fn rate(rows: u64, elapsed: Duration) -> f64 {
    let s = elapsed.as_secs_f64();
    if s > 0.0 {
        rows as f64 / s
    } else {
        0.0
    }
}
