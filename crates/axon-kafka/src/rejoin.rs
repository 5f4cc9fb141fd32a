//! Keeps a consumer group's partitions owned when one of its members dies.
//!
//! A broker is expected to start a new generation when a member's session ends, so the
//! survivors take over its partitions. tansu 0.6 (the broker of the tests and of
//! `cluster.sh --kafka`) drops the expired member and answers the next survivor's heartbeat
//! with REBALANCE_IN_PROGRESS, but keeps the group in its formed generation: the rejoin gets
//! the old assignment back and the dead member's partitions stay unconsumed — acknowledged
//! events and FCFS commands would wait there until that node came back. (Its DescribeGroups
//! fails on its own SQLite storage, so the members cannot be counted from outside either.) A
//! member that leaves the group explicitly does start a new generation, on tansu as on Kafka.
//!
//! So every member's context ([`MemberContext`], its state in a [`Watch`]) compares each assignment it receives with the
//! one before: a rebalance that handed it exactly what it had is what a member's death looks
//! like on such a broker, and the member leaves and joins again ([`Watch::rejoin`]
//! fires), which makes the broker hand out every partition anew. A second unchanged assignment
//! in a row is accepted (a broker that rebalanced by itself, or partitions that cannot be spread
//! further), so this costs at most one more rebalance and never loops. Exactly-once does not
//! depend on it: the consumers' writes carry the offsets the store keeps.

use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance};
use rdkafka::ClientContext;
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio::sync::Notify;

/// What a member's contexts share across its rejoins: the last assignment, and whether the
/// last rejoin was asked for by an unchanged one.
#[derive(Default)]
pub struct Watch {
    group: String,
    last: Mutex<Option<BTreeSet<(String, i32)>>>,
    asked: AtomicBool,
    rejoin: Notify,
}

impl Watch {
    pub(crate) fn new(group: &str) -> Arc<Watch> {
        Arc::new(Watch {
            group: group.to_string(),
            ..Watch::default()
        })
    }

    /// Resolves when the member should leave and join again.
    pub(crate) async fn rejoin(&self) {
        self.rejoin.notified().await
    }

    /// What one assignment means: whether the member should leave and join again.
    pub(crate) fn assigned(&self, now: BTreeSet<(String, i32)>) -> bool {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        let unchanged = last.as_ref() == Some(&now);
        *last = Some(now);
        let ask = unchanged && !self.asked.load(Ordering::Relaxed);
        self.asked.store(ask, Ordering::Relaxed);
        ask
    }
}

/// A group member's librdkafka context: reports its assignments to the [`Watch`].
pub struct MemberContext(pub(crate) Arc<Watch>);

impl ClientContext for MemberContext {}

impl ConsumerContext for MemberContext {
    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        let Rebalance::Assign(tpl) = rebalance else {
            return;
        };
        let now = tpl
            .elements()
            .iter()
            .map(|e| (e.topic().to_string(), e.partition()))
            .collect::<BTreeSet<_>>();
        let partitions = now.len();
        if self.0.assigned(now) {
            tracing::info!(
                group = self.0.group,
                partitions,
                "a rebalance gave this member what it had (a member may be gone); joining again so its partitions move"
            );
            self.0.rejoin.notify_one();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(ps: &[i32]) -> BTreeSet<(String, i32)> {
        ps.iter().map(|p| ("t".to_string(), *p)).collect()
    }

    #[test]
    fn an_unchanged_assignment_asks_for_one_rejoin_and_never_loops() {
        let c = Watch::new("g");
        assert!(!c.assigned(set(&[0, 1])), "the first assignment");
        assert!(!c.assigned(set(&[0, 1, 2])), "a changed one");
        assert!(
            c.assigned(set(&[0, 1, 2])),
            "unchanged: a member may be gone"
        );
        assert!(
            !c.assigned(set(&[0, 1, 2])),
            "unchanged right after the rejoin it asked for: accepted"
        );
        assert!(
            c.assigned(set(&[0, 1, 2])),
            "a later unchanged one asks again"
        );
        assert!(!c.assigned(set(&[0, 1, 2, 3, 4, 5])));
        assert!(!c.assigned(set(&[0, 1])));
    }
}
