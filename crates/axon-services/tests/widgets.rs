//! The service's own rules, over a small engine: only the asked widgets are answered, stock comes
//! from the stock levels port, breakdowns need a raw event source, and refusals carry their codes.

mod support;

use axon_domain::event::Event;
use axon_domain::model::*;
use axon_domain::period::Window;
use axon_domain::{BusinessTz, Dec2, Ts};
use axon_engine::Engine;
use axon_ports::aggregates::{FixedSource, RawEvents, SourceError, StockLevels};
use axon_services::dashboards::{
    query, Dashboards, Request, ServiceError, ACTIVITY_WIDGETS, CAMPAIGN_WIDGETS,
};
use axon_services::Kind;
use serde_json::{json, Map};
use std::sync::Arc;

const T0: i64 = 1_790_000_000_000;
const HOUR: i64 = 3_600_000;

fn engine() -> Engine {
    let mut e = Engine::new(BusinessTz::default());
    e.upsert_campaign(&support::campaign());
    e.upsert_activity(&Activity {
        id: 1,
        campaign_id: 1,
        name: "A".into(),
        activity_type: ActivityType::FirstComeFirstServe,
        status: ActivityStatus::Active,
        limit_count: Some(10),
        start_date: Ts(T0),
        end_date: Ts(T0 + 240 * HOUR),
        product_id: None,
        coupon_id: None,
        price: Dec2::from_int(1000),
        quantity: 1,
        budget: Dec2::ZERO,
        filters: vec![],
        image_url: None,
        payment_required: true,
        created_at: Ts(T0),
        updated_at: Ts(T0),
    });
    e.apply_entry(&Entry {
        id: 1,
        activity_id: 1,
        user_id: "u1".into(),
        status: EntryStatus::Approved,
        order: 1,
        quantity: 1,
        requested_at: Ts(T0 + HOUR),
        processed_at: None,
    });
    for (i, ev) in events().iter().enumerate() {
        e.apply_event(i as u64 + 1, ev);
    }
    e
}

fn events() -> Vec<Event> {
    ["u1", "u2"]
        .iter()
        .map(|u| {
            let mut props = Map::new();
            props.insert("activityId".into(), json!(1));
            let mut ev = Event::backend(TriggerType::PageView, u, Ts(T0 + 2 * HOUR), props);
            ev.activity_id = Some(1);
            ev.user_agent = Some("Mozilla/5.0 (iPhone) Mobile Safari/604.1".into());
            ev
        })
        .collect()
}

/// The gate says 3 units are left, whatever the entries say.
struct Gate;

impl StockLevels for Gate {
    fn remaining(&self, _: ActivityId, limit: Option<i64>) -> i64 {
        limit.map_or(i64::MAX, |_| 3)
    }

    fn held(&self, _: ActivityId) -> i64 {
        0
    }
}

struct Log;

impl RawEvents for Log {
    fn activity_events(&self, _: &[ActivityId], _: &Window) -> Result<Vec<Event>, SourceError> {
        Ok(events())
    }

    fn activity_events_after(
        &self,
        _: ActivityId,
        _: &Window,
        after: u64,
        limit: usize,
    ) -> Result<Vec<(u64, Event)>, SourceError> {
        let numbered = (1..).zip(events());
        Ok(numbered.filter(|(s, _)| *s > after).take(limit).collect())
    }

    fn profiles(&self, _: &[String]) -> Result<Vec<UserProfile>, SourceError> {
        Err(SourceError("the profiles table is gone".into()))
    }
}

fn service() -> Dashboards {
    Dashboards::new(
        Arc::new(FixedSource(Arc::new(engine()))),
        Arc::new(Gate),
        BusinessTz::default(),
    )
}

fn request(widgets: &str, breakdown: Option<&str>) -> Request {
    Request {
        widgets: Some(widgets.into()),
        period: Some("7d".into()),
        breakdown: breakdown.map(str::to_string),
        ..Request::default()
    }
}

fn now() -> Ts {
    Ts(T0 + 3 * HOUR)
}

#[test]
fn only_the_asked_widgets_are_answered() {
    let d = service();
    let q = query(
        &request("trend,overview", None),
        &ACTIVITY_WIDGETS,
        now(),
        d.tz(),
    )
    .unwrap();
    let v = serde_json::to_value(d.view().activity(1, &q).unwrap()).unwrap();
    let mut keys: Vec<&String> = v["data"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["overview", "trend"]);
    assert_eq!(v["data"]["overview"]["totalVisits"], 2);
    let q = query(
        &request("heatmap,realtime", None),
        &CAMPAIGN_WIDGETS,
        now(),
        d.tz(),
    )
    .unwrap();
    let v = serde_json::to_value(d.view().campaign(1, &q).unwrap()).unwrap();
    let mut keys: Vec<&String> = v["data"].as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(keys, ["heatmap", "realtime"]);
}

#[test]
fn remaining_stock_is_the_gates_not_a_count_of_entries() {
    let d = service();
    let r = d
        .view()
        .realtime(axon_services::dashboards::Scope::Activity(1), now());
    assert_eq!(r.total_stock, Some(10));
    assert_eq!(r.remaining_stock, Some(3), "the gate's figure");
    assert_eq!(
        (r.awaiting_payment, r.held_quantity),
        (1, 1),
        "the entries'"
    );
}

#[test]
fn breakdowns_need_a_raw_event_source_and_report_its_failures() {
    let d = service();
    let q = query(
        &request("overview", Some("device")),
        &ACTIVITY_WIDGETS,
        now(),
        d.tz(),
    )
    .unwrap();
    assert!(!d.view().splits());
    assert!(matches!(
        d.view().activity(1, &q),
        Err(e) if e.kind == Kind::Internal
    ));
    let d = service().with_raw_events(Arc::new(Log));
    let b = d.view().activity(1, &q).unwrap().data.breakdown.unwrap();
    assert_eq!(b.dimension, "device");
    assert_eq!(
        (b.rows[0].value.as_str(), b.rows[0].total_visits),
        ("mobile", 2)
    );
    let q = query(
        &request("overview", Some("grade")),
        &ACTIVITY_WIDGETS,
        now(),
        d.tz(),
    )
    .unwrap();
    let e = d.view().activity(1, &q).unwrap_err();
    assert_eq!(
        (e.kind, e.code),
        (Kind::Internal, "INTERNAL_ERROR"),
        "a failing backend is an internal error: {e:?}"
    );
}

#[test]
fn unknown_subjects_are_not_found_with_their_codes() {
    let d = service();
    let q = query(&Request::default(), &ACTIVITY_WIDGETS, now(), d.tz()).unwrap();
    let code = |e: ServiceError| match e {
        e if e.kind == Kind::NotFound => e.code,
        e => panic!("{e:?}"),
    };
    assert_eq!(
        code(d.view().activity(9, &q).unwrap_err()),
        "ACTIVITY_NOT_FOUND"
    );
    assert_eq!(
        code(d.view().campaign(9, &q).unwrap_err()),
        "CAMPAIGN_NOT_FOUND"
    );
    assert_eq!(
        code(
            d.view()
                .activity_cohort_between(9, None, None, now())
                .unwrap_err()
        ),
        "ACTIVITY_NOT_FOUND"
    );
}
