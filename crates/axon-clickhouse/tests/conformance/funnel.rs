//! The ordered funnel and drop-offs: hand-made order and conversion-window edges, and a random
//! dataset of events and entries.

use super::commerce::{dataset, shuffled};
use super::events::random_events;
use super::*;
use axon_domain::model::{Entry, EntryStatus, FunnelStep, TriggerType};
use axon_domain::period::Window;
use axon_domain::Ts;
use axon_ports::aggregates::{Aggregates, Dropout, OrderedFunnel};

fn normal(mut f: OrderedFunnel) -> OrderedFunnel {
    for s in &mut f.seconds_to_convert {
        s.sort_unstable();
    }
    f
}

fn by_time(mut d: Vec<Dropout>) -> Vec<Dropout> {
    d.sort_by(|a, b| (a.reached_at, &a.person).cmp(&(b.reached_at, &b.person)));
    d
}

async fn compare(
    engine: &Engine,
    ch: &ClickHouse,
    windows: &[Window],
    sets: &[&[i64]],
    withins: &[Option<i64>],
) {
    for w in windows {
        for within in withins {
            for set in sets {
                assert_eq!(
                    normal(ch.ordered_funnel(set, w, *within).await.unwrap()),
                    normal(engine.ordered_funnel(set, w, *within)),
                    "ordered funnel of {set:?}, window {w:?}, within {within:?}"
                );
            }
            for a in [1, 2, 3, 99] {
                for step in FunnelStep::ALL {
                    assert_eq!(
                        ch.dropouts(a, *step, w, *within).await.unwrap(),
                        by_time(engine.dropouts(a, *step, w, *within)),
                        "dropouts of {a} at {step:?}, window {w:?}, within {within:?}"
                    );
                }
            }
        }
    }
}

fn entry(id: i64, activity: i64, user: &str, status: EntryStatus, at: i64) -> Entry {
    Entry {
        id,
        activity_id: activity,
        user_id: user.into(),
        status,
        order: id,
        quantity: 1,
        requested_at: Ts(at),
        processed_at: Some(Ts(at)),
    }
}

#[tokio::test]
async fn the_ordered_funnel_equals_the_engine_at_order_and_window_edges() {
    let Some(ch) = clickhouse("clickhouse::conformance::funnel_edges").await else {
        return;
    };
    use TriggerType::*;
    let e = event;
    let list = vec![
        // alice: visit, click at the same millisecond, approval, purchase 10 s later.
        e(PageView, T0, Some(1), Some("alice"), None, None),
        e(Click, T0, Some(1), Some("alice"), None, None),
        e(Purchase, T0 + 12_000, Some(1), Some("alice"), None, None),
        // bob clicks before he visits: the click does not count, the later one does.
        e(Click, T0 + 100, Some(1), Some("bob"), None, None),
        e(PageView, T0 + 200, Some(1), Some("bob"), None, None),
        e(Click, T0 + 60_200, Some(1), Some("bob"), None, None),
        // carol visits anonymously, is linked later, and is approved as herself.
        e(PageView, T0 + 1_000, Some(1), None, Some("anon-c"), None),
        e(Click, T0 + 1_999, Some(1), None, Some("anon-c"), None),
        e(
            PageView,
            T0 + 5 * HOUR,
            Some(2),
            Some("carol"),
            Some("anon-c"),
            None,
        ),
        // dave's purchase comes before his approval: the funnel stops at QUALIFY.
        e(PageView, T0 + 10, Some(1), Some("dave"), None, None),
        e(Click, T0 + 20, Some(1), Some("dave"), None, None),
        e(Purchase, T0 + 30, Some(1), Some("dave"), None, None),
        // A session that only visits.
        e(PageView, T0 + 40, Some(1), None, None, Some("s1")),
    ];
    let events: Vec<(u64, _)> = list
        .into_iter()
        .enumerate()
        .map(|(i, e)| (i as u64 + 1, e))
        .collect();
    let entries = vec![
        entry(1, 1, "alice", EntryStatus::Paid, T0 + 1_000),
        entry(2, 1, "carol", EntryStatus::Approved, T0 + 2_000),
        entry(3, 1, "dave", EntryStatus::Cancelled, T0 + 40),
        entry(4, 1, "bob", EntryStatus::Rejected, T0 + 70_000),
    ];
    ch.insert_events(&events).await.unwrap();
    let versioned: Vec<(u64, Entry)> = entries.iter().cloned().map(|e| (1, e)).collect();
    ch.insert_entries(&versioned).await.unwrap();
    let mut engine = engine_of(&events);
    for en in &entries {
        engine.apply_entry(en);
    }
    let windows = [
        Window::new(Ts(T0), Ts(T0 + DAY)),
        Window::new(Ts(T0 + 150), Ts(T0 + DAY)),
        Window::new(Ts(T0), Ts(T0 + 12_000)),
    ];
    // 1,000 ms: alice's click (0 ms) and approval (exactly 1,000 ms) are in, her purchase not.
    let withins = [None, Some(1_000), Some(999), Some(60_000)];
    compare(&engine, &ch, &windows, &[&[1], &[1, 2], &[]], &withins).await;
    // Spot checks beside the engine.
    let day = Window::new(Ts(T0), Ts(T0 + DAY));
    let f = ch.ordered_funnel(&[1], &day, None).await.unwrap();
    assert_eq!(f.users, [5, 4, 3, 1], "visitors alice bob carol dave s1");
    let f = ch.ordered_funnel(&[1], &day, Some(1_000)).await.unwrap();
    assert_eq!(
        f.users,
        [5, 3, 3, 0],
        "bob clicks a minute late, the purchase is 12 s late"
    );
}

#[tokio::test]
async fn the_ordered_funnel_equals_the_engine_on_a_random_dataset() {
    let Some(ch) = clickhouse("clickhouse::conformance::funnel_random").await else {
        return;
    };
    let events = random_events(4_000, 21);
    let d = dataset(22);
    ch.insert_events(&events).await.unwrap();
    ch.insert_entries(&shuffled(&d.entries, 3)).await.unwrap();
    let mut engine = engine_of(&events);
    for (_, e) in &d.entries {
        engine.apply_entry(e);
    }
    let mut r = Lcg(23);
    let mut windows = vec![Window::new(Ts(T0), Ts(T0 + 3 * DAY))];
    for _ in 0..4 {
        let a = T0 + r.next(2 * DAY as u64) as i64;
        windows.push(Window::new(Ts(a), Ts(a + r.next(2 * DAY as u64) as i64)));
    }
    let withins = [None, Some(HOUR), Some(6 * HOUR + 1)];
    compare(
        &engine,
        &ch,
        &windows,
        &[&[1], &[2, 3], &[1, 2, 3, 4, 5]],
        &withins,
    )
    .await;
}
