//! Axon's Kafka adapters for the scale-out mode (`AXON_KAFKA_BROKERS`, issue 14): the event log
//! on the broker, the sink consumer group that stores it, and the sink's lag.
//!
//! ## The path of an event
//! 1. `POST /api/v1/behavior/events` → [`KafkaEvents::append`]: duplicates inside the batch and
//!    events whose (source, eventId) is stored already are answered as duplicates and not sent;
//!    every other event is produced to `{prefix}axon.event.raw`, key = its person key (`u:…`,
//!    `a:…`, `s:…`, so one person's events stay in order), value = the event as JSON. The
//!    producer runs with `acks=all` and idempotence on; the 202 waits for every event's delivery
//!    report. One failed report → `StoreError::Unavailable` (503 `BROKER_UNAVAILABLE` with
//!    `Retry-After`): nothing is acknowledged, and the client's retry is stored once (the events
//!    that did reach the broker carry their eventIds, which the store dedupes).
//! 2. The sink ([`sink`]), a consumer group (`{prefix}axon-sink` by default) with one member per
//!    node, writes what it consumes to the SQL event log through [`SinkLog::append_consumed`]:
//!    the events and the partition offsets they came from move in one transaction, so a batch
//!    delivered again after a crash or a rebalance stores nothing. Kafka offsets are committed
//!    only after that write (they are the restart point and the lag's measure; the store's
//!    offsets are the exactly-once guard).
//! 3. The SQL store's commit feed then carries the stored events to every node's engine, as it
//!    does for every other write (announced on the Redis bus when there is one, polled every
//!    200 ms otherwise), so an event posted to any node is on every node's dashboards within a
//!    second. The engine follows the topic through the sink's deduplicated write rather than the
//!    raw topic: the topic holds a client's retries too, and only the store's unique key removes
//!    them exactly without a per-node index of every eventId.
//!
//! Gate and purchase events (`APPROVED`, `PURCHASE`) are written by the gate together with the
//! entry or purchase they belong to, in one SQL transaction, as without Kafka.
//!
//! ## Lag
//! [`lag::LagMonitor`] measures, once a second, every partition's end offset against the sink
//! group's committed offset (`axon_kafka_consumer_lag{partition=…}` on `/metrics`, `kafka` in
//! `/readyz`).

pub mod commands;
pub mod events;
pub mod lag;
mod produce;
mod rejoin;
pub mod sink;

pub use events::KafkaEvents;
pub use lag::LagMonitor;
pub use sink::Sink;

use axon_domain::Clock;
use axon_ports::sink::{LagSource, SinkLag};
use axon_ports::StoreError;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::types::RDKafkaErrorCode;
use std::sync::Arc;
use std::time::Duration;

/// The behaviour-event topic's name without the prefix (SPEC §11).
pub const RAW_TOPIC: &str = "axon.event.raw";
/// The FCFS command topic's name without the prefix (SPEC §11).
pub const COMMAND_TOPIC: &str = "axon.campaign-activity.command";

/// How a node reaches the broker.
#[derive(Debug, Clone)]
pub struct KafkaOptions {
    /// `bootstrap.servers`: `host:port[,host:port…]`.
    pub brokers: String,
    /// Put before every topic and group name, so deployments can share a cluster.
    pub prefix: String,
    /// Partitions of the topics Axon creates (existing topics are left as they are).
    pub partitions: i32,
    /// Replication factor of the topics Axon creates.
    pub replication: i32,
    /// The sink consumer group's name (without the prefix).
    pub group: String,
    /// How long a produced event may wait for its delivery report before the batch is refused
    /// (`message.timeout.ms`).
    pub delivery_timeout: Duration,
    /// Passed to librdkafka as they are (`security.protocol`, `sasl.*`, `ssl.*`, …).
    pub properties: Vec<(String, String)>,
}

impl Default for KafkaOptions {
    fn default() -> Self {
        KafkaOptions {
            brokers: String::new(),
            prefix: String::new(),
            partitions: 6,
            replication: 1,
            group: "axon-sink".into(),
            delivery_timeout: Duration::from_secs(10),
            properties: Vec::new(),
        }
    }
}

impl KafkaOptions {
    pub fn raw_topic(&self) -> String {
        format!("{}{RAW_TOPIC}", self.prefix)
    }

    pub fn command_topic(&self) -> String {
        format!("{}{COMMAND_TOPIC}", self.prefix)
    }

    pub fn group_id(&self) -> String {
        format!("{}{}", self.prefix, self.group)
    }

    /// The client settings every Axon client shares: the brokers and the pass-through ones.
    pub fn client(&self) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &self.brokers);
        c.set("client.id", "axon");
        // A broker that restarts is back in seconds: look for it every half second at most
        // (librdkafka's default backs off to 10 s).
        c.set("reconnect.backoff.ms", "50");
        c.set("reconnect.backoff.max.ms", "500");
        for (k, v) in &self.properties {
            c.set(k, v);
        }
        c
    }
}

/// A node's Kafka side: the producer-fronted event log, its sink member and the lag monitor.
/// Dropping it stops the sink and the monitor.
pub struct Kafka {
    pub events: Arc<KafkaEvents>,
    /// With FCFS commands: the gate's repository with the command topic in front.
    pub gate: Option<Arc<commands::KafkaGate>>,
    sink: Sink,
    /// With FCFS commands: this node's member of the command group.
    applier: Option<commands::Applier>,
    lag: LagMonitor,
}

impl Kafka {
    /// Creates the topics if needed, then starts the producer, this node's sink member and the
    /// lag monitor. Call from inside a tokio runtime.
    ///
    /// `commands`: the store for FCFS commands over the command topic (with Redis as the stock
    /// gate), when they go through Kafka.
    pub async fn start(
        opts: &KafkaOptions,
        store: Arc<dyn events::Store>,
        commands: Option<Arc<dyn commands::CommandStore>>,
        clock: Arc<dyn Clock>,
    ) -> Result<Kafka, StoreError> {
        ensure_topics(opts).await?;
        let (gate, applier) = match commands {
            Some(c) => (
                Some(Arc::new(commands::KafkaGate::new(opts, c.clone())?)),
                Some(commands::Applier::start(
                    opts,
                    c as Arc<dyn axon_ports::commands::CommandLog>,
                    clock.clone(),
                )?),
            ),
            None => (None, None),
        };
        Ok(Kafka {
            sink: Sink::start(opts, store.clone() as Arc<dyn axon_ports::sink::SinkLog>)?,
            events: Arc::new(KafkaEvents::new(opts, store)?),
            gate,
            applier,
            lag: LagMonitor::start(opts, clock).map_err(StoreError::Internal)?,
        })
    }
}

impl LagSource for Kafka {
    fn lag(&self) -> SinkLag {
        SinkLag {
            sink: self.sink.counters.figures(),
            commands: self.applier.as_ref().map(|a| a.counters.figures()),
            ..self.lag.lag()
        }
    }
}

/// Creates the topics when they are missing (partitions and replication from `opts`).
pub async fn ensure_topics(opts: &KafkaOptions) -> Result<(), StoreError> {
    let admin: AdminClient<DefaultClientContext> = opts
        .client()
        .create()
        .map_err(|e| StoreError::Internal(format!("kafka admin client: {e}")))?;
    let (raw, command) = (opts.raw_topic(), opts.command_topic());
    let topics = [
        NewTopic::new(
            &raw,
            opts.partitions,
            TopicReplication::Fixed(opts.replication),
        ),
        NewTopic::new(
            &command,
            opts.partitions,
            TopicReplication::Fixed(opts.replication),
        ),
    ];
    let admin_opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(10)));
    let results = admin
        .create_topics(&topics, &admin_opts)
        .await
        .map_err(|e| StoreError::Internal(format!("kafka: creating topics: {e}")))?;
    for r in results {
        match r {
            Ok(_) | Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
            Err((topic, code)) => {
                return Err(StoreError::Internal(format!(
                    "kafka: creating topic {topic}: {code}"
                )))
            }
        }
    }
    Ok(())
}

/// Parses `key=value[,key=value…]` (the `AXON_KAFKA_PROPERTIES` form).
pub fn parse_properties(text: &str) -> Result<Vec<(String, String)>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) if !k.trim().is_empty() => {
                Ok((k.trim().to_string(), v.trim().to_string()))
            }
            _ => Err(format!("expected key=value, got {p:?}")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_are_key_value_pairs_separated_by_commas() {
        assert_eq!(
            parse_properties("security.protocol=SASL_SSL, sasl.mechanisms=PLAIN,").unwrap(),
            vec![
                ("security.protocol".to_string(), "SASL_SSL".to_string()),
                ("sasl.mechanisms".to_string(), "PLAIN".to_string())
            ]
        );
        assert!(parse_properties("novalue").is_err());
        assert!(parse_properties("=x").is_err());
    }

    #[test]
    fn names_carry_the_prefix() {
        let o = KafkaOptions {
            prefix: "shop1.".into(),
            ..KafkaOptions::default()
        };
        assert_eq!(o.raw_topic(), "shop1.axon.event.raw");
        assert_eq!(o.command_topic(), "shop1.axon.campaign-activity.command");
        assert_eq!(o.group_id(), "shop1.axon-sink");
    }
}
