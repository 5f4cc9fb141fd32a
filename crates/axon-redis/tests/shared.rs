//! The bus, the answer cache and the rate limits against a real `redis-server` (started by
//! `axon-testdb`), each with two "nodes" (two links) on one Redis.

use axon_ports::cache::AnswerCache;
use axon_ports::ratelimit::RateLimit;
use axon_ports::Peers;
use axon_redis::{Heard, RedisBus, RedisCache, RedisLink, RedisRateLimit};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Starts a bus whose heard messages are collected.
fn bus(link: &Arc<RedisLink>) -> (Arc<RedisBus>, Arc<Mutex<Vec<Heard>>>) {
    let heard = Arc::new(Mutex::new(Vec::new()));
    let h = heard.clone();
    let bus = RedisBus::start(link, move |m| h.lock().unwrap().push(m));
    (bus, heard)
}

fn wait_for(heard: &Mutex<Vec<Heard>>, what: Heard, limit: Duration) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if heard.lock().unwrap().contains(&what) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

#[test]
fn a_node_hears_the_others_commits_and_revocations_but_not_its_own_even_after_a_restart() {
    let Some(server) = axon_testdb::redis("redis::shared::bus") else {
        return;
    };
    let (la, lb) = (
        RedisLink::connect(&server.url(), "bus:").unwrap(),
        RedisLink::connect(&server.url(), "bus:").unwrap(),
    );
    let other = RedisLink::connect(&server.url(), "elsewhere:").unwrap();
    let (a, heard_a) = bus(&la);
    let (_b, heard_b) = bus(&lb);
    let (_c, heard_c) = bus(&other);
    assert!(wait_for(&heard_a, Heard::Connected, Duration::from_secs(2)));
    assert!(wait_for(&heard_b, Heard::Connected, Duration::from_secs(2)));
    assert!(wait_for(&heard_c, Heard::Connected, Duration::from_secs(2)));
    let sent = Instant::now();
    a.committed(41);
    a.committed(42);
    assert!(wait_for(
        &heard_b,
        Heard::Commit(42),
        Duration::from_secs(1)
    ));
    eprintln!("announcement heard in {:?}", sent.elapsed());
    a.revoked();
    assert!(wait_for(&heard_b, Heard::Revoked, Duration::from_secs(1)));
    std::thread::sleep(Duration::from_millis(100));
    assert!(
        !heard_a
            .lock()
            .unwrap()
            .iter()
            .any(|h| matches!(h, Heard::Commit(_) | Heard::Revoked)),
        "a node does not hear itself"
    );
    assert_eq!(
        heard_c.lock().unwrap().as_slice(),
        [Heard::Connected],
        "another prefix is another deployment"
    );

    // Redis restarts: B resubscribes (and says so), and A's next announcement reaches it.
    heard_b.lock().unwrap().clear();
    server.restart_empty();
    assert!(
        wait_for(&heard_b, Heard::Connected, Duration::from_secs(5)),
        "B resubscribed after the restart"
    );
    a.committed(43);
    assert!(
        wait_for(&heard_b, Heard::Commit(43), Duration::from_secs(3)),
        "A's announcement after the restart reached B: {:?}",
        heard_b.lock().unwrap()
    );
}

#[test]
fn a_cached_answer_is_shared_by_every_node_until_its_ttl_and_an_error_is_a_miss() {
    let Some(server) = axon_testdb::redis("redis::shared::cache") else {
        return;
    };
    let a = RedisCache::new(RedisLink::connect(&server.url(), "c:").unwrap());
    let b = RedisCache::new(RedisLink::connect(&server.url(), "c:").unwrap());
    assert!(a.remembers());
    assert_eq!(b.get("dashboard:activity:1:overview:7d:x"), None);
    a.put(
        "dashboard:activity:1:overview:7d:x",
        Arc::from("{\"overview\":1}"),
        Duration::from_millis(400),
    );
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut got = None;
    while got.is_none() && Instant::now() < deadline {
        got = b.get("dashboard:activity:1:overview:7d:x");
    }
    assert_eq!(
        got.as_deref(),
        Some("{\"overview\":1}"),
        "B reads what A stored"
    );
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(
        b.get("dashboard:activity:1:overview:7d:x"),
        None,
        "gone after its TTL"
    );
    server.stop();
    assert_eq!(
        b.get("dashboard:activity:1:overview:7d:x"),
        None,
        "an error is a miss"
    );
    a.put("k", Arc::from("v"), Duration::from_secs(1));
}

/// A fallback that counts its calls and allows everything.
struct Counting(AtomicU32);

impl RateLimit for Counting {
    fn allow(&self, _key: &str, _per_second: u32) -> bool {
        self.0.fetch_add(1, Ordering::Relaxed);
        true
    }
}

#[test]
fn two_nodes_share_one_budget_that_refills_and_fall_back_to_their_own_without_redis() {
    let Some(server) = axon_testdb::redis("redis::shared::limits") else {
        return;
    };
    let fallback = Arc::new(Counting(AtomicU32::new(0)));
    let a = RedisRateLimit::new(
        RedisLink::connect(&server.url(), "r:").unwrap(),
        fallback.clone(),
    );
    let b = RedisRateLimit::new(
        RedisLink::connect(&server.url(), "r:").unwrap(),
        fallback.clone(),
    );
    // A budget of 4 (a burst of 4, then 4 per second = one every 250 ms).
    let started = Instant::now();
    let mut allowed = 0;
    for i in 0..12 {
        let node = if i % 2 == 0 { &a } else { &b };
        allowed += u32::from(node.allow("ip:198.51.100.7", 4));
    }
    let elapsed = started.elapsed();
    assert!(
        elapsed < Duration::from_millis(250),
        "the burst was sent within one refill ({elapsed:?})"
    );
    assert_eq!(allowed, 4, "one budget of 4 across both nodes");
    assert!(
        b.allow("ip:198.51.100.8", 4),
        "another client has its own budget"
    );
    assert!(a.allow("ip:198.51.100.7", 0), "0 = unlimited");
    std::thread::sleep(Duration::from_millis(300));
    assert!(b.allow("ip:198.51.100.7", 4), "250 ms refill one");
    assert_eq!(
        fallback.0.load(Ordering::Relaxed),
        0,
        "Redis decided everything"
    );
    server.stop();
    assert!(
        a.allow("ip:198.51.100.7", 4),
        "without Redis the node's own limiter decides"
    );
    assert!(fallback.0.load(Ordering::Relaxed) >= 1);
}

#[test]
fn filter_inputs_are_shared_dropped_on_a_profile_write_and_a_late_reader_cannot_put_them_back() {
    use axon_domain::model::UserProfile;
    use axon_ports::eligibility::{Lookup, ProfileCache};
    use axon_redis::RedisProfiles;
    let Some(server) = axon_testdb::redis("redis::shared::profiles") else {
        return;
    };
    let a = RedisProfiles::new(RedisLink::connect(&server.url(), "p:").unwrap());
    let b = RedisProfiles::new(RedisLink::connect(&server.url(), "p:").unwrap());
    let profile = |age| UserProfile {
        user_id: "u:1".into(),
        age: Some(age),
        ..UserProfile::default()
    };
    let Lookup::Miss { generation } = a.lookup("u:1", 7) else {
        panic!("nothing cached yet");
    };
    a.store("u:1", 7, generation, Some(&profile(31)));
    a.store("u:1", 8, generation, None);
    assert_eq!(
        b.lookup("u:1", 7),
        Lookup::Hit(Some(profile(31))),
        "B reads A's"
    );
    assert_eq!(
        b.lookup("u:1", 8),
        Lookup::Hit(None),
        "known to have no profile"
    );

    // A reader misses, the profile is written (and forgotten) before it stores what it read.
    b.forget("u:1");
    let Lookup::Miss { generation: late } = b.lookup("u:1", 7) else {
        panic!("the write dropped every activity of the person");
    };
    assert!(matches!(b.lookup("u:1", 8), Lookup::Miss { .. }));
    a.forget("u:1");
    b.store("u:1", 7, late, Some(&profile(31)));
    let Lookup::Miss { generation: now } = a.lookup("u:1", 7) else {
        panic!("a store older than the last write is refused");
    };
    assert!(now > late);
    a.store("u:1", 7, now, Some(&profile(50)));
    assert_eq!(b.lookup("u:1", 7), Lookup::Hit(Some(profile(50))));
    assert!(a.enabled());

    server.stop();
    assert_eq!(a.lookup("u:1", 7), Lookup::Off, "no Redis: read the store");
    a.forget("u:1");
}
