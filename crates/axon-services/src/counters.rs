//! The process's counters (atomics the services bump), rendered by `/metrics` in the Prometheus
//! text exposition format.

use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Counters {
    pub http_requests_total: AtomicU64,
    pub http_errors_total: AtomicU64,
    pub http_server_errors_total: AtomicU64,
    pub events_accepted_total: AtomicU64,
    pub events_duplicate_total: AtomicU64,
    pub events_rejected_total: AtomicU64,
    /// Stored events whose user agent reads as a bot (kept, left out of the metrics).
    pub events_bot_total: AtomicU64,
    pub event_batches_total: AtomicU64,
    pub rate_limited_total: AtomicU64,
    pub gate_approved_total: AtomicU64,
    pub gate_sold_out_total: AtomicU64,
    pub gate_duplicates_total: AtomicU64,
    pub gate_paid_total: AtomicU64,
    pub gate_holds_expired_total: AtomicU64,
}

impl Counters {
    /// The counter's value now.
    pub fn get(counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }

    pub fn inc(counter: &AtomicU64, by: u64) {
        counter.fetch_add(by, Ordering::Relaxed);
    }

    /// Renders every counter plus the given gauges.
    pub fn render(&self, gauges: &[(&str, &str, u64)]) -> String {
        let counters: [(&str, &str, &AtomicU64); 14] = [
            (
                "axon_http_requests_total",
                "HTTP requests answered",
                &self.http_requests_total,
            ),
            (
                "axon_http_errors_total",
                "HTTP answers with a 4xx status",
                &self.http_errors_total,
            ),
            (
                "axon_http_server_errors_total",
                "HTTP answers with a 5xx status",
                &self.http_server_errors_total,
            ),
            (
                "axon_events_accepted_total",
                "events stored durably",
                &self.events_accepted_total,
            ),
            (
                "axon_events_duplicate_total",
                "events acknowledged as duplicates",
                &self.events_duplicate_total,
            ),
            (
                "axon_events_rejected_total",
                "events refused as invalid",
                &self.events_rejected_total,
            ),
            (
                "axon_events_bot_total",
                "events flagged as bots (stored, not counted)",
                &self.events_bot_total,
            ),
            (
                "axon_event_batches_total",
                "collection requests accepted",
                &self.event_batches_total,
            ),
            (
                "axon_rate_limited_total",
                "collection requests refused by the rate limit",
                &self.rate_limited_total,
            ),
            (
                "axon_gate_approved_total",
                "FCFS entries approved (a slot won)",
                &self.gate_approved_total,
            ),
            (
                "axon_gate_sold_out_total",
                "FCFS entries refused as sold out",
                &self.gate_sold_out_total,
            ),
            (
                "axon_gate_duplicates_total",
                "FCFS entries refused as duplicates",
                &self.gate_duplicates_total,
            ),
            (
                "axon_gate_paid_total",
                "FCFS payments confirmed",
                &self.gate_paid_total,
            ),
            (
                "axon_gate_holds_expired_total",
                "unpaid holds released after expiry",
                &self.gate_holds_expired_total,
            ),
        ];
        let mut out = String::new();
        for (name, help, c) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                c.load(Ordering::Relaxed)
            );
        }
        for (name, help, v) in gauges {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} gauge\n{name} {v}");
        }
        out
    }
}
