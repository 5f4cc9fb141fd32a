//! Property test: every dashboard number equals a naive recount over the raw records, for random
//! data fed through the bulk (start-up) path, the live path, or the live path with dashboard reads
//! between the writes (so the engine's remembered window answers must stay exact across
//! out-of-order events, late identity links, re-links and entries that change or disappear), at
//! random windows with odd edges or edges exactly on event times, with and without a conversion
//! window, in Asia/Seoul and in America/New_York across its DST start (2026-03-08).

mod support;

use axon_domain::event::Event;
use axon_domain::model::*;
use axon_domain::period::{Period, Window};
use axon_domain::{BusinessTz, Dec2, Ts};
use axon_engine::Engine;
use axon_services::dashboards::{Query, ACTIVITY_WIDGETS};
use proptest::prelude::*;
use serde_json::{json, Map, Value};
use std::collections::{HashMap, HashSet};

const SPAN: i64 = 3 * 86_400_000;
/// 2026-03-07T00:00:00Z: the span covers New York's switch to daylight time.
const BASE: i64 = 1_772_841_600_000;
const STEP: i64 = SPAN / 400;
const ZONES: [&str; 2] = ["Asia/Seoul", "America/New_York"];

/// Times on a coarse grid so that ties ("at or after") happen often.
fn grid() -> impl Strategy<Value = i64> {
    (0..400i64).prop_map(|k| BASE + k * STEP)
}

#[derive(Debug, Clone)]
struct Ev {
    trigger: usize,
    user: Option<u8>,
    anon: Option<u8>,
    session: u8,
    activity: Option<i64>,
    ts: i64,
    bot: bool,
}

const TRIGGERS: [TriggerType; 5] = [
    TriggerType::PageView,
    TriggerType::Click,
    TriggerType::Purchase,
    TriggerType::Approved,
    TriggerType::Visit,
];

fn ev() -> impl Strategy<Value = Ev> {
    (
        0..5usize,
        proptest::option::of(0..6u8),
        proptest::option::of(0..6u8),
        0..3u8,
        proptest::option::of(1..4i64),
        grid(),
        proptest::bool::weighted(0.05),
    )
        .prop_map(|(trigger, user, anon, session, activity, ts, bot)| Ev {
            trigger,
            user,
            anon,
            session,
            activity,
            ts,
            bot,
        })
}

fn to_event(e: &Ev) -> Event {
    let mut props = Map::new();
    if let Some(a) = e.activity {
        props.insert("activityId".into(), json!(a));
    }
    Event {
        event_id: None,
        event_name: None,
        trigger_type: TRIGGERS[e.trigger],
        user_id: e.user.map(|u| format!("u{u}")),
        anonymous_id: e.anon.map(|a| format!("a{a}")),
        session_id: Some(format!("s{}", e.session)),
        page_url: None,
        referrer: None,
        user_agent: if e.bot {
            Some("Googlebot/2.1".into())
        } else {
            None
        },
        occurred_at: Ts(e.ts),
        received_at: Ts(e.ts),
        properties: props,
        activity_id: e.activity,
        campaign_id: Some(1),
        bot: e.bot,
    }
}

fn activity(id: i64) -> Activity {
    Activity {
        id,
        campaign_id: 1,
        name: format!("A{id}"),
        activity_type: ActivityType::FirstComeFirstServe,
        status: ActivityStatus::Active,
        limit_count: Some(5),
        start_date: Ts(BASE + SPAN / 2),
        end_date: Ts(BASE + SPAN),
        product_id: Some(id),
        coupon_id: None,
        price: Dec2::from_int(1000),
        quantity: 1,
        budget: Dec2::from_int(5000),
        filters: vec![],
        image_url: None,
        payment_required: true,
        created_at: Ts(0),
        updated_at: Ts(0),
    }
}

/// How the engine is fed.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Feed {
    /// Start-up replay: sorted once at the end.
    Bulk,
    /// One record at a time.
    Live,
    /// One record at a time, with the dashboard's aggregates read every few writes.
    LiveReads,
}

#[derive(Debug, Clone)]
struct Data {
    events: Vec<Ev>,
    entries: Vec<(i64, u8, usize, i64)>,
    purchases: Vec<(Option<i64>, u8, i64, i64, i64)>,
    feed: Feed,
    window: (i64, i64),
    within_hours: Option<i64>,
    zone: usize,
}

fn data() -> impl Strategy<Value = Data> {
    (
        proptest::collection::vec(ev(), 0..200),
        proptest::collection::vec((1..4i64, 0..6u8, 0..4usize, grid()), 0..30),
        proptest::collection::vec(
            (
                proptest::option::of(1..4i64),
                0..6u8,
                1..4i64,
                1..3i64,
                grid(),
            ),
            0..20,
        ),
        prop_oneof![Just(Feed::Bulk), Just(Feed::Live), Just(Feed::LiveReads)],
        (0..SPAN, 0..SPAN, any::<bool>()),
        (
            prop_oneof![Just(None), Just(Some(1i64)), Just(Some(12))],
            0..ZONES.len(),
            any::<bool>(),
        ),
    )
        .prop_map(
            |(
                mut events,
                entries,
                purchases,
                feed,
                (a, b, on_grid),
                (within_hours, zone, in_order),
            )| {
                // Mostly arriving in time order (as live traffic does) exercises the folding of
                // appended records; random order exercises what out-of-order records drop.
                if in_order {
                    events.sort_by_key(|e| e.ts);
                }
                // Edges on the grid put events exactly at the start (in) and the end (out).
                let (a, b) = if on_grid {
                    (a - a % STEP, b - b % STEP)
                } else {
                    (a, b + 1)
                };
                Data {
                    events,
                    entries,
                    purchases,
                    feed,
                    window: (BASE + a.min(b), BASE + a.max(b)),
                    within_hours,
                    zone,
                }
            },
        )
}

const STATUSES: [EntryStatus; 4] = [
    EntryStatus::Approved,
    EntryStatus::Paid,
    EntryStatus::Cancelled,
    EntryStatus::Rejected,
];

/// Keeps one entry per (activity, user) and one promotion purchase per (activity, user), as the
/// store guarantees; later rows replace earlier ones.
fn normalise(d: &Data) -> (Vec<Entry>, Vec<Purchase>) {
    let mut entries: HashMap<(i64, u8), Entry> = HashMap::new();
    for (i, (a, u, s, t)) in d.entries.iter().enumerate() {
        entries.insert(
            (*a, *u),
            Entry {
                id: i as i64 + 1,
                activity_id: *a,
                user_id: format!("u{u}"),
                status: STATUSES[*s],
                order: 1,
                quantity: 1,
                requested_at: Ts(*t),
                processed_at: Some(Ts(*t)),
            },
        );
    }
    let mut seen = HashSet::new();
    let mut purchases = Vec::new();
    for (i, (a, u, product, qty, t)) in d.purchases.iter().enumerate() {
        if let Some(a) = a {
            if !seen.insert((*a, *u)) {
                continue;
            }
        }
        purchases.push(Purchase {
            id: i as i64 + 1,
            user_id: format!("u{u}"),
            product_id: Some(*product),
            activity_id: *a,
            purchase_type: if a.is_some() {
                PurchaseType::CampaignActivity
            } else {
                PurchaseType::Shop
            },
            price: Dec2::from_int(1000 + *product),
            quantity: *qty,
            purchased_at: Ts(*t),
            order_id: None,
        });
    }
    let mut e: Vec<Entry> = entries.into_values().collect();
    e.sort_by_key(|e| e.id);
    (e, purchases)
}

/// Every entry row in the order written (later rows of an (activity, user) replace earlier ones,
/// so approvals appear, change status, move and disappear).
fn entry_rows(d: &Data) -> Vec<Entry> {
    d.entries
        .iter()
        .enumerate()
        .map(|(i, (a, u, s, t))| Entry {
            id: i as i64 + 1,
            activity_id: *a,
            user_id: format!("u{u}"),
            status: STATUSES[*s],
            order: 1,
            quantity: 1,
            requested_at: Ts(*t),
            processed_at: Some(Ts(*t)),
        })
        .collect()
}

/// Reads what the dashboard reads, so that the engine remembers it for the writes to come.
fn warm(engine: &Engine, d: &Data) {
    use axon_ports::aggregates::Aggregates;
    let w = Window::new(Ts(d.window.0), Ts(d.window.1));
    let within = d.within_hours.map(|h| h * 3_600_000);
    for ids in [&[1i64][..], &[2], &[3], &[1, 2, 3]] {
        for w in [w, w.previous()] {
            std::hint::black_box(engine.counts(ids, &w));
            std::hint::black_box(engine.step_users(ids, &w));
            std::hint::black_box(engine.ordered_funnel(ids, &w, within));
        }
    }
}

fn build(d: &Data, purchases: &[Purchase]) -> Engine {
    let mut engine = Engine::new(BusinessTz::new(ZONES[d.zone]).unwrap());
    let bulk = d.feed == Feed::Bulk;
    let reads = d.feed == Feed::LiveReads;
    if bulk {
        engine.begin_bulk();
    }
    engine.upsert_campaign(&support::campaign());
    for a in 1..4 {
        engine.upsert_activity(&activity(a));
    }
    // Entries interleaved with the events: one after every few events, the rest at the end.
    let rows = entry_rows(d);
    let mut rows = rows.iter();
    for (i, e) in d.events.iter().enumerate() {
        engine.apply_event(i as u64 + 1, &to_event(e));
        if i % 7 == 3 {
            if let Some(r) = rows.next() {
                engine.apply_entry(r);
            }
        }
        if reads && i % 5 == 0 {
            warm(&engine, d);
        }
    }
    for e in rows {
        engine.apply_entry(e);
        if reads {
            warm(&engine, d);
        }
    }
    for p in purchases {
        engine.apply_purchase(p);
    }
    if bulk {
        engine.end_bulk();
    }
    engine
}

/// The naive person of an event after all links: anonymous ids linked to the last user seen with them.
fn canonical(d: &Data) -> impl Fn(&Ev) -> String {
    let mut links: HashMap<u8, u8> = HashMap::new();
    for e in d.events.iter().filter(|e| !e.bot) {
        if let (Some(u), Some(a)) = (e.user, e.anon) {
            links.insert(a, u);
        }
    }
    move |e: &Ev| match (e.user, e.anon) {
        (Some(u), _) => format!("u{u}"),
        (None, Some(a)) => links.get(&a).map_or(format!("a{a}"), |u| format!("u{u}")),
        (None, None) => format!("s{}", e.session),
    }
}

fn n(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("not an integer: {v}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn activity_dashboard_equals_a_naive_recount(d in data()) {
        let (entries, purchases) = normalise(&d);
        let tz = BusinessTz::new(ZONES[d.zone]).unwrap();
        let engine = support::dashboards_in(build(&d, &purchases), &entries, tz.clone());
        let view = engine.view();
        let w = Window::new(Ts(d.window.0), Ts(d.window.1));
        let within = d.within_hours.map(|h| h * 3_600_000);
        let in_time = |first: i64, t: i64| within.is_none_or(|h| t - first <= h);
        let person = canonical(&d);
        for a in 1..4i64 {
            let q = Query { period: Period::Custom, window: w, now: Ts(BASE + SPAN), widgets: ACTIVITY_WIDGETS.to_vec(), conversion_window_hours: d.within_hours, breakdown: None };
            let dash = serde_json::to_value(view.activity(a, &q).unwrap().data).unwrap();
            let evs: Vec<&Ev> = d.events.iter().filter(|e| !e.bot && e.activity == Some(a) && w.contains(Ts(e.ts))).collect();
            let of = |t: usize| evs.iter().filter(|e| e.trigger == t).copied().collect::<Vec<_>>();
            let (visits, clicks, buys) = (of(0), of(1), of(2));
            let approvals: Vec<&Entry> = entries.iter().filter(|e| e.activity_id == a && e.status != EntryStatus::Rejected && w.contains(e.requested_at)).collect();
            let promo: Vec<&Purchase> = purchases.iter().filter(|p| p.activity_id == Some(a) && w.contains(p.purchased_at)).collect();
            let o = &dash["overview"];
            prop_assert_eq!(n(&o["totalVisits"]), visits.len() as i64);
            prop_assert_eq!(n(&o["totalParticipants"]), clicks.len() as i64);
            prop_assert_eq!(n(&o["purchaseCount"]), buys.len() as i64);
            prop_assert_eq!(n(&o["approvedCount"]), approvals.len() as i64);
            prop_assert_eq!(n(&o["cancelledCount"]), approvals.iter().filter(|e| e.status == EntryStatus::Cancelled).count() as i64);
            let gmv: i64 = promo.iter().map(|p| p.revenue().0).sum();
            prop_assert_eq!(o["gmv"].clone(), serde_json::to_value(Dec2(gmv)).unwrap());
            let distinct = |v: &[&Ev]| v.iter().map(|e| person(e)).collect::<HashSet<_>>().len() as i64;
            prop_assert_eq!(n(&o["uniqueVisitors"]), distinct(&visits));
            let steps = &dash["funnel"]["steps"];
            prop_assert_eq!(n(&steps[1]["users"]), distinct(&clicks));
            prop_assert_eq!(n(&steps[2]["users"]), approvals.len() as i64);
            prop_assert_eq!(n(&steps[3]["users"]), distinct(&buys));

            // Ordered funnel, naively per person: each step the earliest at or after the one
            // before, all within the conversion window of the first visit.
            let mut ordered = [0i64; 4];
            let mut seconds: [Vec<i64>; 3] = Default::default();
            let people: HashSet<String> = visits.iter().map(|e| person(e)).collect();
            for p in &people {
                let times = |v: &[&Ev]| { let mut t: Vec<i64> = v.iter().filter(|e| person(e) == *p).map(|e| e.ts).collect(); t.sort_unstable(); t };
                let t1 = times(&visits)[0];
                ordered[0] += 1;
                let Some(t2) = times(&clicks).into_iter().find(|t| *t >= t1 && in_time(t1, *t)) else { continue };
                ordered[1] += 1;
                seconds[0].push((t2 - t1) / 1000);
                let mut appr: Vec<i64> = approvals.iter().filter(|e| e.user_id == *p).map(|e| e.requested_at.0).collect();
                appr.sort_unstable();
                let Some(t3) = appr.into_iter().find(|t| *t >= t2 && in_time(t1, *t)) else { continue };
                ordered[2] += 1;
                seconds[1].push((t3 - t2) / 1000);
                let Some(t4) = times(&buys).into_iter().find(|t| *t >= t3 && in_time(t1, *t)) else { continue };
                ordered[3] += 1;
                seconds[2].push((t4 - t3) / 1000);
            }
            let got: Vec<i64> = dash["funnel"]["ordered"]["users"].as_array().unwrap().iter().map(n).collect();
            prop_assert_eq!(got, ordered.to_vec());
            for (k, secs) in seconds.iter_mut().enumerate() {
                let t = &dash["funnel"]["timeToConvert"][k];
                let want = axon_domain::metrics::funnel::timing(secs);
                prop_assert_eq!(n(&t["converted"]), want.converted as i64);
                prop_assert_eq!(t["medianSeconds"].as_i64(), want.median_seconds);
                prop_assert_eq!(t["p90Seconds"].as_i64(), want.p90_seconds);
            }

            // Promotion vs normal of the activity's product.
            let c = &dash["comparison"];
            prop_assert_eq!(n(&c["promotionPurchases"]), promo.len() as i64);
            let normal = purchases.iter().filter(|p| p.activity_id.is_none() && p.product_id == Some(a) && w.contains(p.purchased_at)).count() as i64;
            prop_assert_eq!(n(&c["normalPurchases"]), normal);
            let daily: i64 = c["daily"].as_array().unwrap().iter().map(|d| n(&d["promotion"]) + n(&d["normal"])).sum();
            prop_assert_eq!(daily, promo.len() as i64 + normal);

            // Realtime as of the end of the span.
            let r = &dash["realtime"];
            let live: Vec<&Entry> = entries.iter().filter(|e| e.activity_id == a && matches!(e.status, EntryStatus::Approved | EntryStatus::Paid)).collect();
            prop_assert_eq!(n(&r["participants"]), live.len() as i64);
            prop_assert_eq!(n(&r["remainingStock"]), (5 - live.len() as i64).max(0));
            let hour: Vec<&Ev> = d.events.iter().filter(|e| !e.bot && e.activity == Some(a) && e.trigger == 0 && e.ts > BASE + SPAN - 3_600_000).collect();
            prop_assert_eq!(n(&r["inflowLastHour"]), hour.len() as i64);
            let trend: i64 = dash["trend"]["hourly"].as_array().unwrap().iter().map(|h| n(&h["count"])).sum();
            prop_assert_eq!(trend, visits.len() as i64);
            // Visits per business day of the zone (23- and 25-hour days included).
            let mut per_day: HashMap<String, i64> = HashMap::new();
            for e in &visits {
                *per_day.entry(tz.date_string(Ts(e.ts))).or_default() += 1;
            }
            let days: HashMap<String, i64> = dash["trend"]["daily"].as_array().unwrap().iter()
                .map(|d| (d["date"].as_str().unwrap().to_string(), n(&d["count"])))
                .filter(|(_, c)| *c > 0)
                .collect();
            prop_assert_eq!(days, per_day);
        }
    }
}
