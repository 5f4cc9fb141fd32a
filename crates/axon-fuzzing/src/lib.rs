//! The fuzzed entry points (issue 16, deliverable 3). Each function takes the raw bytes a
//! libFuzzer target hands it and drives one parser the way the server drives it; it must never
//! panic, whatever the bytes. `fuzz/fuzz_targets/*.rs` (nightly, `cargo +nightly fuzz run NAME`)
//! call these functions and nothing else, and `tests/corpora.rs` replays every committed corpus
//! file through them on the stable toolchain, so CI replays the corpora and every crash found
//! stays a regression test.
//!
//! Beyond "no panic" each function checks a few properties that must hold for every input
//! (a decoded event re-encodes; a window is ordered and bounded; an answer names an intent).

use axon_domain::event::parse_event;
use axon_domain::filter::{evaluate, parse_filters};
use axon_domain::model::{
    Activity, ActivityStatus, ActivityType, Campaign, Grade, TriggerType, UserProfile,
};
use axon_domain::period::{resolve, Period, MAX_WINDOW_DAYS};
use axon_domain::time::MS_PER_DAY;
use axon_domain::{BusinessTz, Dec2, Horizon, Ts};
use axon_engine::ledger::InMemoryLedger;
use axon_engine::Engine;
use axon_nlq::Scope;
use axon_ports::aggregates::FixedSource;
use axon_services::dashboards::Dashboards;
use serde_json::Value;
use std::sync::{Arc, OnceLock};

/// Every target's name, as `fuzz/fuzz_targets/<name>.rs` and `fuzz/corpus/<name>/`.
pub const TARGETS: [&str; 6] = [
    "event_decoder",
    "filters",
    "period",
    "question",
    "csv_rows",
    "tracker_body",
];

/// Runs the target `name` on `data` (the corpus replay's dispatcher).
pub fn run(name: &str, data: &[u8]) {
    match name {
        "event_decoder" => event_decoder(data),
        "filters" => filters(data),
        "period" => period(data),
        "question" => question(data),
        "csv_rows" => csv_rows(data),
        "tracker_body" => tracker_body(data),
        other => panic!("no fuzz target named {other}"),
    }
}

/// A fixed "now" (2026-11-18 10:00 KST), so a corpus file means the same thing on every run.
pub fn now() -> Ts {
    Ts(1_763_427_600_000)
}

fn tz() -> &'static BusinessTz {
    static TZ: OnceLock<BusinessTz> = OnceLock::new();
    TZ.get_or_init(BusinessTz::default)
}

/// One event object (as JSON) through the collection's decoder, then into the analytics engine
/// the way the projector applies it.
pub fn event_decoder(data: &[u8]) {
    let Ok(v) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let horizon = Horizon::default();
    if let Ok(e) = parse_event(&v, now(), tz(), &horizon) {
        assert!(horizon.fact("occurredAt", e.occurred_at, now()).is_ok());
        let encoded = serde_json::to_value(&e).expect("a decoded event encodes");
        assert!(encoded.is_object());
        let mut engine = Engine::new(tz().clone());
        engine.apply_event(1, &e);
        assert_eq!(engine.event_count(), 1);
    }
}

/// The first line describes a profile (`age|grade|region|lastPurchaseAt`, any part may be
/// empty; a first line of `-` means "no profile"), the rest is an activity's `filters` JSON.
pub fn filters(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (head, body) = text.split_once('\n').unwrap_or(("", &text));
    let Ok(v) = serde_json::from_str::<Value>(body) else {
        return;
    };
    let Ok(filters) = parse_filters(Some(&v), tz()) else {
        return;
    };
    let profile = (head != "-").then(|| profile(head));
    for f in &filters {
        let _ = f.condition();
        let _ = f.field();
        if let Err(unmet) = f.check(profile.as_ref(), tz()) {
            assert!(!f.reason(unmet).is_empty());
        }
    }
    let verdict = evaluate(&filters, profile.as_ref(), tz());
    if filters.is_empty() {
        assert!(verdict.is_ok());
    }
    // A saved activity's filters are stored as JSON and read back: the round trip must hold.
    let stored = serde_json::to_value(&filters).expect("filters encode");
    assert_eq!(parse_filters(Some(&stored), tz()).ok(), Some(filters));
}

fn profile(head: &str) -> UserProfile {
    let mut parts = head.split('|');
    let mut next = || parts.next().map(str::trim).filter(|s| !s.is_empty());
    let age = next().and_then(|s| s.parse().ok());
    let grade = next().and_then(|s| serde_json::from_value::<Grade>(Value::from(s)).ok());
    let region = next().map(str::to_string);
    let last_purchase_at = next().and_then(|s| tz().parse_instant(s).ok());
    UserProfile {
        user_id: "fuzz".into(),
        grade,
        age,
        region,
        last_purchase_at,
    }
}

/// Four lines: `period`, `startDate`, `endDate`, and an instant for the calendar helpers — the
/// dashboard query's window resolution and the business-calendar arithmetic cohorts use.
pub fn period(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let mut lines = text.split('\n');
    let p = lines.next().unwrap_or("");
    let start = lines.next();
    let end = lines.next();
    let instant = lines.next().unwrap_or("");
    if let Ok(p) = Period::parse(p) {
        if let Ok(w) = resolve(p, start, end, now(), tz()) {
            assert!(w.start <= w.end, "{w:?}");
            assert!(w.len_ms() <= MAX_WINDOW_DAYS * MS_PER_DAY);
            let _ = w.label(tz());
            let prev = w.previous();
            assert_eq!(prev.len_ms(), w.len_ms());
            assert!(w.days(tz()).len() as i64 <= MAX_WINDOW_DAYS + 2);
        }
    }
    let _ = Ts::parse_utc(instant);
    let _ = BusinessTz::is_date_only(instant);
    if let Ok(t) = tz().parse_instant(instant) {
        let _ = Horizon::default().plan("date", t, now());
        let day = tz().day_start(t);
        assert!(day <= t, "{day:?} > {t:?}");
        assert!(tz().next_day_start(t) > t);
        let _ = tz().week_start(t);
        let _ = tz().month_start(t, 1);
        let _ = tz().add_months(t, -13);
        let _ = tz().add_days(t, 400);
        let _ = tz().hour_start(t);
        let _ = tz().date_string(t);
        let _ = tz().local_minute_string(t);
        let _ = tz().abbreviation(t);
    }
}

/// The question box over a small catalogue (campaign 1 "겨울 세일" with activity 11 "롱패딩
/// 선착순", a few events): the first byte picks the page (global, campaign 1, activity 11), the
/// rest is the question.
pub fn question(data: &[u8]) {
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let Ok(q) = std::str::from_utf8(rest) else {
        return;
    };
    let scope = match first % 3 {
        0 => Scope::Global,
        1 => Scope::Campaign(1),
        _ => Scope::Activity(11),
    };
    if let Ok(a) = axon_nlq::ask(dashboards(), scope, q, None, now()) {
        assert!(!a.intent.is_empty());
        assert!(!a.answer.is_empty(), "an empty answer to {q:?}");
    }
}

fn dashboards() -> &'static Dashboards {
    static D: OnceLock<Dashboards> = OnceLock::new();
    D.get_or_init(|| {
        let mut e = Engine::new(tz().clone());
        e.upsert_campaign(&Campaign {
            id: 1,
            name: "겨울 세일".into(),
            start_at: None,
            end_at: None,
            budget: Dec2::from_int(1_000_000),
            created_at: Ts(0),
            updated_at: Ts(0),
        });
        e.upsert_activity(&Activity {
            id: 11,
            campaign_id: 1,
            name: "롱패딩 선착순".into(),
            activity_type: ActivityType::FirstComeFirstServe,
            status: ActivityStatus::Active,
            limit_count: Some(100),
            start_date: Ts(now().0 - 30 * MS_PER_DAY),
            end_date: Ts(now().0 + 30 * MS_PER_DAY),
            product_id: Some(1),
            coupon_id: None,
            price: Dec2::from_int(10_000),
            quantity: 1,
            budget: Dec2::from_int(200_000),
            filters: vec![],
            image_url: None,
            payment_required: true,
            created_at: Ts(0),
            updated_at: Ts(0),
        });
        let kinds = [
            TriggerType::Visit,
            TriggerType::Click,
            TriggerType::Purchase,
        ];
        for day in 0..20i64 {
            for (i, t) in kinds.iter().enumerate() {
                let mut props = serde_json::Map::new();
                props.insert("activityId".into(), Value::from(11));
                let at = Ts(now().0 - day * MS_PER_DAY - i as i64 * 60_000);
                let mut ev =
                    axon_domain::event::Event::backend(*t, &format!("u{}", day % 7), at, props);
                ev.activity_id = Some(11);
                e.apply_event((day * 3 + i as i64 + 1) as u64, &ev);
            }
        }
        Dashboards::new(
            Arc::new(FixedSource(Arc::new(e))),
            Arc::new(InMemoryLedger::default()),
            tz().clone(),
        )
    })
}

/// The first byte picks the import file, the rest is its content, validated as `axon import`
/// validates it against a store holding campaign 1 and activity 11.
pub fn csv_rows(data: &[u8]) {
    const FILES: [&str; 5] = [
        "products.csv",
        "campaigns.csv",
        "activities.csv",
        "entries.csv",
        "purchases.csv",
    ];
    let Some((&first, rest)) = data.split_first() else {
        return;
    };
    let name = FILES[usize::from(first) % FILES.len()];
    let _ = axon_cli::import::check_csv(
        name,
        rest,
        tz(),
        now(),
        Horizon::default(),
        &axon_cli::import::Held {
            campaigns: &[1],
            activities: &[stored_activity()],
            products: &[5],
        },
    );
}

/// The stored activity the CSV rows may name: id 11 of campaign 1, product 5, 100 units.
fn stored_activity() -> axon_domain::model::Activity {
    use axon_domain::model::{Activity, ActivityStatus, ActivityType};
    Activity {
        id: 11,
        campaign_id: 1,
        name: "fuzz".into(),
        activity_type: ActivityType::FirstComeFirstServe,
        status: ActivityStatus::Active,
        limit_count: Some(100),
        start_date: now(),
        end_date: now(),
        product_id: Some(5),
        coupon_id: None,
        price: axon_domain::Dec2::ZERO,
        quantity: 1,
        budget: axon_domain::Dec2::ZERO,
        filters: Vec::new(),
        image_url: None,
        payment_required: false,
        created_at: now(),
        updated_at: now(),
    }
}

/// A collection body as the tracker sends it with `navigator.sendBeacon` (`text/plain`, JSON
/// text): the batch decoder, then the check that refuses backend events from browsers.
pub fn tracker_body(data: &[u8]) {
    match axon_services::collect::decode_batch(data, now(), tz(), &Horizon::default()) {
        Ok(events) => {
            assert!(!events.is_empty());
            assert!(events.len() <= axon_domain::event::MAX_BATCH_EVENTS);
            let _ = axon_services::collect::refuse_backend_events(&events);
        }
        Err(e) => assert!(
            !matches!(e.kind, axon_services::error::Kind::Internal),
            "{e:?}"
        ),
    }
}
