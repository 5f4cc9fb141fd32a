//! The same records fed to the embedded engine and to a real ClickHouse server (started by
//! `axon-testdb`): every aggregate the adapter computes must equal the engine's, field by field —
//! hand-made edge cases and random datasets. A difference is a bug in one of them.

mod commerce;
mod events;
mod follow;
mod funnel;
mod split;

use axon_clickhouse::ClickHouse;
use axon_domain::event::Event;
use axon_domain::model::{ActivityId, TriggerType};
use axon_domain::{BusinessTz, Ts};
use axon_engine::Engine;

pub const HOUR: i64 = 3_600_000;
pub const DAY: i64 = 24 * HOUR;
/// 2026-11-02T00:00:00Z.
pub const T0: i64 = 1_793_577_600_000;

pub fn event(
    trigger: TriggerType,
    at: i64,
    activity: Option<ActivityId>,
    user: Option<&str>,
    anon: Option<&str>,
    session: Option<&str>,
) -> Event {
    Event {
        event_id: None,
        event_name: None,
        trigger_type: trigger,
        user_id: user.map(String::from),
        anonymous_id: anon.map(String::from),
        session_id: session.map(String::from),
        page_url: None,
        referrer: None,
        user_agent: None,
        occurred_at: Ts(at),
        received_at: Ts(at),
        properties: serde_json::Map::new(),
        activity_id: activity,
        campaign_id: activity.map(|a| a / 10 + 1),
        bot: false,
    }
}

pub fn engine_of(events: &[(u64, Event)]) -> Engine {
    let mut engine = Engine::new(BusinessTz::new("UTC").unwrap());
    for (seq, e) in events {
        engine.apply_event(*seq, e);
    }
    engine
}

pub async fn clickhouse(test: &str) -> Option<ClickHouse> {
    let server = axon_testdb::clickhouse(test)?;
    let db = server.database("conformance");
    Some(ClickHouse::open(&server.url(), &db).await.unwrap())
}

/// A small deterministic generator (no dependency for a test's randomness).
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}
