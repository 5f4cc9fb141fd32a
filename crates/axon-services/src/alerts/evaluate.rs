//! What the evaluator reads for a rule, from one analytics snapshot and the stock gate: the
//! scope's stock (summed over its limited activities), the funnel counts of the period and the
//! one before it, the events of the last M minutes.

use axon_domain::alert::{AlertKind, AlertRule, Reading, Watched};
use axon_domain::model::{ActivityId, TriggerType};
use axon_domain::period::Window;
use axon_domain::Ts;
use axon_ports::aggregates::{Snapshot, StockLevels};

const MINUTE_MS: i64 = 60_000;

/// The activities a rule watches and the scope's name; `None` when the scope no longer exists.
pub fn scope_of(snap: &dyn Snapshot, rule: &AlertRule) -> Option<(Vec<ActivityId>, String)> {
    match rule.watched() {
        Watched::Activity(id) => snap.activity(id).map(|a| (vec![a.id], a.name)),
        Watched::Campaign(id) => snap.campaign(id).map(|c| {
            let ids = snap.campaign_activities(id).iter().map(|a| a.id).collect();
            (ids, c.name)
        }),
    }
}

/// The reading a rule's kind needs, as of `now`.
pub fn reading(
    snap: &dyn Snapshot,
    stock: &dyn StockLevels,
    rule: &AlertRule,
    activities: &[ActivityId],
    now: Ts,
) -> Reading {
    match rule.kind {
        AlertKind::SoldOut | AlertKind::StockBelow => {
            let (mut remaining, mut limit) = (0i64, None::<i64>);
            for a in activities.iter().filter_map(|id| snap.activity(*id)) {
                if let Some(l) = a.limit_count {
                    remaining += stock.remaining(a.id, Some(l)).clamp(0, l);
                    limit = Some(limit.unwrap_or(0) + l);
                }
            }
            Reading::Stock { remaining, limit }
        }
        AlertKind::ConversionDrop => {
            let len = rule.window_minutes * MINUTE_MS;
            let cur = Window::new(Ts(now.0 - len), now);
            let prev = Window::new(Ts(now.0 - 2 * len), Ts(now.0 - len));
            Reading::Conversion {
                current: snap.counts(activities, &cur),
                previous: snap.counts(activities, &prev),
            }
        }
        AlertKind::NoEvents => {
            let w = Window::new(Ts(now.0 - rule.threshold * MINUTE_MS), Ts(now.0 + 1));
            let count = TriggerType::ALL
                .iter()
                .map(|t| snap.event_count(activities, *t, &w))
                .sum();
            Reading::Events { count }
        }
    }
}
