//! The sink group's lag, measured once a second on a thread of its own (librdkafka's metadata
//! and offset calls block): per partition, the end offset (high watermark) against the group's
//! committed offset. Any node measures the whole group, not only the partitions it consumes.

use crate::KafkaOptions;
use axon_domain::Clock;
use axon_ports::sink::{LagSource, PartitionLag, SinkLag};
use parking_lot::RwLock;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Between two measurements.
pub const EVERY: Duration = Duration::from_secs(1);
/// Longest one broker call may take.
const CALL: Duration = Duration::from_secs(3);

pub struct LagMonitor {
    last: Arc<RwLock<SinkLag>>,
    stop: Arc<AtomicBool>,
}

impl Drop for LagMonitor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl LagMonitor {
    pub fn start(opts: &KafkaOptions, clock: Arc<dyn Clock>) -> Result<LagMonitor, String> {
        let consumer: BaseConsumer = opts
            .client()
            .set("group.id", opts.group_id())
            .set("enable.auto.commit", "false")
            .create()
            .map_err(|e| format!("kafka lag client: {e}"))?;
        let last = Arc::new(RwLock::new(SinkLag {
            topic: opts.raw_topic(),
            group: opts.group_id(),
            ..SinkLag::default()
        }));
        let stop = Arc::new(AtomicBool::new(false));
        let (topic, l, s) = (opts.raw_topic(), last.clone(), stop.clone());
        std::thread::Builder::new()
            .name("axon-kafka-lag".into())
            .spawn(move || {
                while !s.load(Ordering::Relaxed) {
                    let measured = measure(&consumer, &topic);
                    let mut w = l.write();
                    w.measured_at = clock.now().0;
                    match measured {
                        Ok(p) => {
                            w.partitions = p;
                            w.error = None;
                        }
                        Err(e) => w.error = Some(e),
                    }
                    drop(w);
                    std::thread::sleep(EVERY);
                }
            })
            .map_err(|e| e.to_string())?;
        Ok(LagMonitor { last, stop })
    }
}

impl LagSource for LagMonitor {
    fn lag(&self) -> SinkLag {
        self.last.read().clone()
    }
}

/// The partition ids of `topic`, from the broker's metadata.
pub(crate) fn partitions_of(c: &BaseConsumer, topic: &str) -> Result<Vec<i32>, String> {
    let meta = c
        .fetch_metadata(Some(topic), CALL)
        .map_err(|e| format!("metadata: {e}"))?;
    Ok(meta
        .topics()
        .iter()
        .filter(|t| t.name() == topic)
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect())
}

fn measure(c: &BaseConsumer, topic: &str) -> Result<Vec<PartitionLag>, String> {
    let parts = partitions_of(c, topic)?;
    let mut tpl = TopicPartitionList::new();
    for p in &parts {
        tpl.add_partition(topic, *p);
    }
    let committed = c
        .committed_offsets(tpl, CALL)
        .map_err(|e| format!("committed offsets: {e}"))?;
    let mut out = Vec::with_capacity(parts.len());
    for p in parts {
        let (low, end) = c
            .fetch_watermarks(topic, p, CALL)
            .map_err(|e| format!("watermarks of partition {p}: {e}"))?;
        let at = match committed.find_partition(topic, p).map(|e| e.offset()) {
            Some(Offset::Offset(o)) => o,
            _ => -1,
        };
        out.push(PartitionLag {
            partition: p,
            end,
            committed: at,
            lag: (end - at.max(low)).max(0),
        });
    }
    Ok(out)
}
