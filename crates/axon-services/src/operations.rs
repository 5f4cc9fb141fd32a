//! The operations view (`/admin/operations`, `GET /api/v1/operations`): what `/metrics` exposes
//! — ingestion, rejections, duplicates and bots, the FCFS gate's counters, the projection's lag,
//! the event log's head, shared renders and the process's memory — as one typed answer, for
//! people who have no Grafana. Rates are the page's to compute from two answers (`at` says when
//! each was taken).

use crate::counters::Counters;
use crate::renders::Renders;
use crate::{Backends, ServiceResult};
use axon_domain::{Clock, Ts};
use serde::Serialize;
use std::sync::Arc;

pub struct Operations {
    b: Backends,
    counters: Arc<Counters>,
    renders: Arc<Renders>,
    clock: Arc<dyn Clock>,
    started: Ts,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Report {
    pub at: Ts,
    pub started_at: Ts,
    pub uptime_seconds: i64,
    pub events: EventFigures,
    pub http: HttpFigures,
    pub gate: GateFigures,
    pub projection: Projection,
    /// Dashboard answers rendered (one per version, shared by every caller).
    pub dashboard_renders: u64,
    /// Resident memory of this process (Linux `/proc/self/status`; `None` elsewhere).
    pub resident_bytes: Option<u64>,
    /// With Kafka: the sink group's lag per partition and this node's sink figures.
    pub kafka: Option<KafkaFigures>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct KafkaFigures {
    pub topic: String,
    pub group: String,
    /// Messages on the topic not yet stored, over every partition.
    pub lag: i64,
    pub partitions: Vec<PartitionFigures>,
    /// When the lag was measured (ms since the epoch; 0: not yet).
    pub measured_at: i64,
    /// Why the last measurement failed (the broker unreachable, say).
    pub error: Option<String>,
    /// Events this node's sink stored, found stored already (a client's retry), was handed
    /// again (a redelivery, stored nothing) and passed over (not events).
    pub sink_stored: u64,
    pub sink_duplicates: u64,
    pub sink_redelivered: u64,
    pub sink_skipped: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct PartitionFigures {
    pub partition: i32,
    /// The offset the next message will get.
    pub end: i64,
    /// The sink group's committed offset (-1: none yet).
    pub committed: i64,
    pub lag: i64,
}

impl KafkaFigures {
    fn of(l: axon_ports::sink::SinkLag) -> KafkaFigures {
        KafkaFigures {
            lag: l.total(),
            partitions: l
                .partitions
                .iter()
                .map(|p| PartitionFigures {
                    partition: p.partition,
                    end: p.end,
                    committed: p.committed,
                    lag: p.lag,
                })
                .collect(),
            topic: l.topic,
            group: l.group,
            measured_at: l.measured_at,
            error: l.error,
            sink_stored: l.sink.stored,
            sink_duplicates: l.sink.duplicates,
            sink_redelivered: l.sink.redelivered,
            sink_skipped: l.sink.skipped,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct EventFigures {
    pub accepted: u64,
    pub duplicates: u64,
    pub rejected: u64,
    pub bots: u64,
    pub batches: u64,
    pub rate_limited: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct HttpFigures {
    pub requests: u64,
    pub client_errors: u64,
    pub server_errors: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct GateFigures {
    pub approved: u64,
    pub sold_out: u64,
    pub duplicates: u64,
    pub paid: u64,
    pub holds_expired: u64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Projection {
    /// The newest stored event's sequence number.
    pub last_seq: u64,
    /// The newest durable commit, and the newest the dashboards' snapshots include.
    pub committed: u64,
    pub applied: u64,
    pub lag: u64,
}

impl Operations {
    pub fn new(
        b: Backends,
        counters: Arc<Counters>,
        renders: Arc<Renders>,
        clock: Arc<dyn Clock>,
    ) -> Operations {
        let started = clock.now();
        Operations {
            b,
            counters,
            renders,
            clock,
            started,
        }
    }

    pub async fn report(&self) -> ServiceResult<Report> {
        let last_seq = self.b.events.last_seq().await?;
        let (committed, applied) = self.b.projection();
        let c = &self.counters;
        let at = self.clock.now();
        Ok(Report {
            at,
            started_at: self.started,
            uptime_seconds: (at.0 - self.started.0).max(0) / 1000,
            events: EventFigures {
                accepted: Counters::get(&c.events_accepted_total),
                duplicates: Counters::get(&c.events_duplicate_total),
                rejected: Counters::get(&c.events_rejected_total),
                bots: Counters::get(&c.events_bot_total),
                batches: Counters::get(&c.event_batches_total),
                rate_limited: Counters::get(&c.rate_limited_total),
            },
            http: HttpFigures {
                requests: Counters::get(&c.http_requests_total),
                client_errors: Counters::get(&c.http_errors_total),
                server_errors: Counters::get(&c.http_server_errors_total),
            },
            gate: GateFigures {
                approved: Counters::get(&c.gate_approved_total),
                sold_out: Counters::get(&c.gate_sold_out_total),
                duplicates: Counters::get(&c.gate_duplicates_total),
                paid: Counters::get(&c.gate_paid_total),
                holds_expired: Counters::get(&c.gate_holds_expired_total),
            },
            projection: Projection {
                last_seq,
                committed,
                applied,
                lag: committed.saturating_sub(applied),
            },
            dashboard_renders: self.renders.rendered(),
            resident_bytes: resident_bytes(),
            kafka: self.kafka(),
        })
    }

    /// The Kafka figures alone (`/readyz`), when Kafka is configured.
    pub fn kafka(&self) -> Option<KafkaFigures> {
        self.b.broker.as_ref().map(|b| KafkaFigures::of(b.lag()))
    }

    /// `/metrics`: every counter plus the report's gauges, in the Prometheus text format.
    pub async fn prometheus(&self) -> ServiceResult<String> {
        let r = self.report().await?;
        let p = &r.projection;
        let mut gauges = vec![
            (
                "axon_event_log_last_seq",
                "sequence number of the newest stored event",
                p.last_seq,
            ),
            (
                "axon_commits_durable",
                "number of the newest durable commit",
                p.committed,
            ),
            (
                "axon_commits_projected",
                "number of the newest commit the analytics snapshots include",
                p.applied,
            ),
            (
                "axon_dashboard_renders",
                "dashboard answers rendered (shared by every caller of one version)",
                r.dashboard_renders,
            ),
        ];
        if let Some(bytes) = r.resident_bytes {
            gauges.push((
                "axon_process_resident_bytes",
                "resident memory of this process",
                bytes,
            ));
        }
        let mut out = self.counters.render(&gauges);
        if let Some(k) = &r.kafka {
            render_kafka(&mut out, k);
        }
        Ok(out)
    }
}

/// The Kafka figures in the exposition format: lag per partition (labelled) and the sink's
/// counters.
fn render_kafka(out: &mut String, k: &KafkaFigures) {
    use std::fmt::Write;
    let name = "axon_kafka_consumer_lag";
    let _ = writeln!(
        out,
        "# HELP {name} messages of the event topic not yet stored by the sink group\n# TYPE {name} gauge"
    );
    for p in &k.partitions {
        let _ = writeln!(
            out,
            "{name}{{topic=\"{}\",group=\"{}\",partition=\"{}\"}} {}",
            k.topic, k.group, p.partition, p.lag
        );
    }
    for (name, help, v) in [
        (
            "axon_kafka_sink_stored_total",
            "events this node's sink stored",
            k.sink_stored,
        ),
        (
            "axon_kafka_sink_duplicates_total",
            "events this node's sink found stored already",
            k.sink_duplicates,
        ),
        (
            "axon_kafka_sink_redelivered_total",
            "messages handed to this node's sink again (stored nothing)",
            k.sink_redelivered,
        ),
        (
            "axon_kafka_sink_skipped_total",
            "messages on the event topic that were not events",
            k.sink_skipped,
        ),
    ] {
        let _ = writeln!(
            out,
            "# HELP {name} {help}\n# TYPE {name} counter\n{name} {v}"
        );
    }
}

/// VmRSS of `/proc/self/status` in bytes. Read by hand: five lines for one number did not seem
/// worth a dependency; other systems report `None`.
fn resident_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_resident_memory_of_this_process_is_read_on_linux() {
        if cfg!(target_os = "linux") {
            let bytes = resident_bytes().expect("VmRSS is in /proc/self/status");
            assert!(bytes > 1024 * 1024, "{bytes}");
        }
    }
}
