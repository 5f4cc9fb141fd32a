//! Breakdowns: the split of random events (with sources, referrers, user agents and profiles)
//! by every dimension, with the links, approvals and promotion purchases read from ClickHouse,
//! against the engine's split.

use super::commerce::{dataset, load_both};
use super::events::random_events;
use super::*;
use axon_domain::dimension::Dimension;
use axon_domain::model::{Grade, UserProfile};
use axon_domain::period::Window;
use axon_domain::Ts;
use axon_ports::aggregates::Aggregates;
use std::collections::HashMap;

#[tokio::test]
async fn breakdowns_equal_the_engine_on_a_random_dataset() {
    let Some(ch) = clickhouse("clickhouse::conformance::split").await else {
        return;
    };
    let mut r = Lcg(41);
    let mut events = random_events(3_000, 40);
    for (_, e) in &mut events {
        let src = ["google", "naver", "kakao"][r.next(3) as usize];
        e.properties.insert("utm_source".into(), src.into());
        e.referrer = Some(format!("https://{src}.com/x"));
        e.user_agent = Some(
            [
                "Mozilla/5.0 (iPhone) Safari",
                "Mozilla/5.0 (Windows NT 10.0) Chrome/120",
            ][r.next(2) as usize]
                .into(),
        );
    }
    let engine = load_both(&ch, &events, &dataset(42), 5).await;
    // Profiles for most users (some have none: their value is "(none)").
    let profiles: HashMap<String, UserProfile> = (0..20)
        .map(|i| {
            let p = UserProfile {
                user_id: format!("user{i}"),
                grade: Some([Grade::Bronze, Grade::Gold, Grade::Vip][i % 3]),
                age: None,
                region: (i % 4 != 0).then(|| ["Seoul", "Busan"][i % 2].to_string()),
                last_purchase_at: None,
            };
            (p.user_id.clone(), p)
        })
        .collect();
    for w in [
        Window::new(Ts(T0), Ts(T0 + 3 * DAY)),
        Window::new(Ts(T0 + DAY), Ts(T0 + DAY + 6 * HOUR)),
    ] {
        for set in [&[1i64][..], &[2, 3, 4]] {
            let raw: Vec<_> = events
                .iter()
                .map(|(_, e)| e.clone())
                .filter(|e| e.activity_id.is_some_and(|a| set.contains(&a)))
                .filter(|e| w.contains(e.occurred_at))
                .collect();
            for dim in [
                Dimension::UtmSource,
                Dimension::ReferrerDomain,
                Dimension::Device,
                Dimension::Browser,
                Dimension::Grade,
                Dimension::Region,
            ] {
                let inputs = ch.split_inputs(set, &w).await.unwrap();
                let by_clickhouse = axon_engine::breakdown::split(
                    dim,
                    &w,
                    &raw,
                    &profiles,
                    &|k| inputs.canon(k),
                    &inputs.approvals,
                    &inputs.promo,
                );
                let by_engine = engine.split(set, dim, &w, &raw, &profiles);
                assert!(!by_engine.is_empty());
                assert_eq!(by_clickhouse, by_engine, "{dim:?} of {set:?}, window {w:?}");
            }
        }
    }
}
