//! Event aggregates: events per trigger, page views per bucket, active persons.

use super::*;
use axon_domain::event::Event;
use axon_domain::model::{ActivityId, TriggerType};
use axon_domain::period::Window;
use axon_domain::Ts;
use axon_engine::Engine;
use axon_ports::aggregates::Aggregates;

/// Every event aggregate, for every window, activity set and bucket size given.
async fn compare(
    engine: &Engine,
    ch: &ClickHouse,
    windows: &[Window],
    sets: &[Vec<ActivityId>],
    buckets: &[i64],
) {
    for w in windows {
        for set in sets {
            let what = format!("window {w:?}, activities {set:?}");
            for t in TriggerType::ALL {
                assert_eq!(
                    ch.event_count(set, *t, w).await.unwrap(),
                    Aggregates::event_count(engine, set, *t, w),
                    "event_count {t:?}, {what}"
                );
            }
            assert_eq!(
                ch.active_persons(set, w).await.unwrap(),
                engine.active_persons(set, w),
                "active_persons, {what}"
            );
            for b in buckets {
                assert_eq!(
                    ch.visit_buckets(Some(set), w, *b).await.unwrap(),
                    engine.visit_buckets(Some(set), w, *b),
                    "visit_buckets of {b} ms, {what}"
                );
            }
        }
        for b in buckets {
            assert_eq!(
                ch.visit_buckets(None, w, *b).await.unwrap(),
                engine.visit_buckets(None, w, *b),
                "every page view in buckets of {b} ms, window {w:?}"
            );
        }
    }
}

fn hand_made() -> Vec<(u64, Event)> {
    use TriggerType::*;
    let e = event;
    let end = T0 + DAY;
    let list = vec![
        e(PageView, T0, Some(1), None, Some("anon1"), None),
        e(Click, T0 + 10, Some(1), None, Some("anon1"), None),
        // A later event with both ids links anon1 to alice: her earlier visit is hers.
        e(
            PageView,
            T0 + 20,
            Some(1),
            Some("alice"),
            Some("anon1"),
            None,
        ),
        e(PageView, T0 + 30, Some(2), None, Some("anon2"), None),
        // anon2 is linked to bob on another activity, then to carol: the last link counts.
        e(
            Click,
            T0 + 2 * HOUR,
            Some(3),
            Some("bob"),
            Some("anon2"),
            None,
        ),
        e(
            Click,
            T0 + 3 * HOUR,
            Some(3),
            Some("carol"),
            Some("anon2"),
            None,
        ),
        // A bot is stored, never counted, and links nothing.
        Event {
            bot: true,
            ..e(
                PageView,
                T0 + 40,
                Some(1),
                Some("crawler"),
                Some("anon3"),
                None,
            )
        },
        e(PageView, T0 + 50, Some(1), None, Some("anon3"), None),
        // Sessions only, at the window's last millisecond and at its end (outside).
        e(PageView, end - 1, Some(1), None, None, Some("sess1")),
        e(PageView, end, Some(1), None, None, Some("sess2")),
        e(PageView, T0 - 1, Some(1), Some("dave"), None, None),
        // Out of order: stored after alice's events, happened before them.
        e(PageView, T0 + 5, Some(1), Some("erin"), None, None),
        // Unattributed: only in "every page view".
        e(PageView, T0 + HOUR, None, Some("frank"), None, None),
        e(Approved, T0 + 4 * HOUR, Some(2), Some("bob"), None, None),
        e(Purchase, T0 + 5 * HOUR, Some(2), Some("bob"), None, None),
        e(
            PageView,
            T0 + DAY + HOUR,
            Some(2),
            None,
            Some("anon4"),
            None,
        ),
    ];
    list.into_iter()
        .enumerate()
        .map(|(i, e)| (i as u64 + 1, e))
        .collect()
}

#[tokio::test]
async fn event_aggregates_equal_the_engine_on_hand_made_edges() {
    let Some(ch) = clickhouse("clickhouse::conformance::hand_made").await else {
        return;
    };
    let events = hand_made();
    // Written twice, the second time as a redelivery of the first half.
    ch.insert_events(&events).await.unwrap();
    ch.insert_events(&events[..events.len() / 2]).await.unwrap();
    assert!(ch.raw_rows().await.unwrap() > events.len() as u64);
    let engine = engine_of(&events);
    let windows = [
        Window::new(Ts(T0), Ts(T0 + DAY)),
        Window::new(Ts(T0 + 15), Ts(T0 + HOUR)),
        Window::new(Ts(T0 - DAY), Ts(T0 + 3 * DAY)),
        Window::new(Ts(T0 + 7), Ts(T0 + 7)),
        Window::new(Ts(T0 + HOUR + 1), Ts(T0 + 2 * DAY - 1)),
    ];
    let sets = [
        vec![1],
        vec![2],
        vec![1, 2, 3],
        vec![3, 1],
        vec![],
        vec![99],
    ];
    compare(&engine, &ch, &windows, &sets, &[HOUR, DAY, 7_000]).await;
    // Spot checks, so a shared mistake in both cannot pass unseen: on activity 1 over the day,
    // anon1 + alice are one person, then anon3, erin, sess1 (dave is before, sess2 at the end,
    // the crawler a bot).
    let day = Window::new(Ts(T0), Ts(T0 + DAY));
    assert_eq!(ch.active_persons(&[1], &day).await.unwrap(), 4);
    // anon2 counts as carol on activity 2, and bob is there himself: two persons.
    assert_eq!(ch.active_persons(&[2], &day).await.unwrap(), 2);
    assert_eq!(
        ch.event_count(&[1], TriggerType::PageView, &day)
            .await
            .unwrap(),
        5
    );
    // Within one answer's memo a count asked twice is read once, and is the same count.
    let memo = ch.with_memo().with_query_log();
    assert_eq!(memo.active_persons(&[1], &day).await.unwrap(), 4);
    assert_eq!(memo.active_persons(&[1], &day).await.unwrap(), 4);
    assert_eq!(memo.active_persons(&[2], &day).await.unwrap(), 2);
    assert_eq!(
        memo.take_queries().len(),
        2,
        "the repeated count was not sent again"
    );
    let plain = ch.clone().with_query_log();
    plain.active_persons(&[1], &day).await.unwrap();
    plain.active_persons(&[1], &day).await.unwrap();
    assert_eq!(
        plain.take_queries().len(),
        2,
        "without a memo every read is sent"
    );
}

pub fn random_events(n: usize, seed: u64) -> Vec<(u64, Event)> {
    let mut r = Lcg(seed);
    let triggers = TriggerType::ALL;
    (0..n)
        .map(|i| {
            let at = T0 + r.next(3 * DAY as u64) as i64;
            let activity = match r.next(6) {
                0 => None,
                a => Some(a as i64),
            };
            let user = format!("user{}", r.next(25));
            let anon = format!("anon{}", r.next(40));
            let session = format!("sess{}", r.next(15));
            let (u, a, s) = match r.next(10) {
                0 => (Some(user.as_str()), Some(anon.as_str()), None),
                1..=3 => (Some(user.as_str()), None, None),
                4..=7 => (None, Some(anon.as_str()), None),
                _ => (None, None, Some(session.as_str())),
            };
            let t = triggers[r.next(triggers.len() as u64) as usize];
            let mut e = event(t, at, activity, u, a, s);
            e.bot = r.next(30) == 0;
            (i as u64 + 1, e)
        })
        .collect()
}

#[tokio::test]
async fn event_aggregates_equal_the_engine_on_a_random_dataset() {
    let Some(ch) = clickhouse("clickhouse::conformance::random").await else {
        return;
    };
    let events = random_events(6_000, 42);
    ch.insert_events(&events[..4_000]).await.unwrap();
    ch.insert_events(&events[2_000..]).await.unwrap();
    let engine = engine_of(&events);
    let mut r = Lcg(7);
    let mut windows = vec![Window::new(Ts(T0), Ts(T0 + 3 * DAY))];
    for _ in 0..12 {
        let a = T0 - HOUR + r.next(3 * DAY as u64) as i64;
        let b = a + r.next(2 * DAY as u64) as i64;
        windows.push(Window::new(Ts(a), Ts(b)));
    }
    let sets = [vec![1], vec![2, 3], vec![1, 2, 3, 4, 5], vec![5, 99]];
    compare(&engine, &ch, &windows, &sets, &[HOUR, 6 * HOUR + 17]).await;
}

#[tokio::test]
async fn migrations_apply_once() {
    let Some(server) = axon_testdb::clickhouse("clickhouse::conformance::migrations") else {
        return;
    };
    let db = server.database("migrations");
    let ch = ClickHouse::open(&server.url(), &db).await.unwrap();
    assert_eq!(
        axon_clickhouse::schema::version(&ch).await.unwrap(),
        axon_clickhouse::schema::latest()
    );
    // Opening again applies nothing twice.
    let again = ClickHouse::open(&server.url(), &db).await.unwrap();
    let (ok, out) = server
        .client_query(&format!("SELECT count() FROM {db}.axon_migrations"))
        .unwrap();
    assert!(ok, "{out}");
    assert_eq!(
        out.trim(),
        axon_clickhouse::schema::latest().to_string(),
        "one row per migration"
    );
    assert_eq!(again.database(), db);
    assert!(ClickHouse::open(&server.url(), "bad-name").await.is_err());
}
