//! Alert rules, the delivery log and the evaluator's lease.

use super::*;
use axon_domain::alert::*;

fn rule(kind: AlertKind, threshold: i64) -> AlertRule {
    AlertDraft {
        scope: AlertScopeKind::Activity,
        scope_id: 7,
        kind,
        threshold: Some(threshold),
        window_minutes: None,
        webhook_url: "http://127.0.0.1:9/hook".into(),
    }
    .validate("secret-1".into(), Ts(1_000))
    .unwrap()
}

pub async fn alert_rules_state_and_deliveries(b: &Backend) {
    let repo = b.repo();
    assert!(repo.alert_rules().await.unwrap().is_empty());
    let a = repo
        .create_alert_rule(rule(AlertKind::StockBelow, 10))
        .await
        .unwrap();
    let c = repo
        .create_alert_rule(rule(AlertKind::ConversionDrop, 30))
        .await
        .unwrap();
    assert!(a.id > 0 && c.id > a.id, "{}", b.name);
    assert_eq!(
        (a.kind, a.threshold, a.secret.as_str()),
        (AlertKind::StockBelow, 10, "secret-1")
    );
    assert_eq!(c.window_minutes, 1440);
    assert!(!a.firing && a.firing_since.is_none());

    repo.set_alert_state(a.id, true, Some(Ts(5_000)), "remaining 3 of 100".into())
        .await
        .unwrap();
    let rules = repo.alert_rules().await.unwrap();
    assert_eq!(rules.len(), 2);
    assert!(rules[0].firing, "{}", b.name);
    assert_eq!(rules[0].firing_since, Some(Ts(5_000)));
    assert_eq!(rules[0].detail, "remaining 3 of 100");
    assert!(!rules[1].firing);
    assert!(matches!(
        repo.set_alert_state(999_999, true, None, String::new())
            .await,
        Err(StoreError::NotFound(_))
    ));

    for (attempt, status) in [(1, Some(500)), (2, None), (3, Some(200))] {
        let d = repo
            .record_delivery(AlertDelivery {
                id: 0,
                rule_id: a.id,
                transition: AlertTransition::Firing,
                attempt,
                status,
                error: if status.is_none() {
                    "refused".into()
                } else {
                    String::new()
                },
                at: Ts(6_000 + attempt),
            })
            .await
            .unwrap();
        assert!(d.id > 0);
    }
    let log = repo.deliveries(a.id, 10).await.unwrap();
    assert_eq!(
        log.iter().map(|d| d.attempt).collect::<Vec<_>>(),
        [3, 2, 1],
        "newest first"
    );
    assert_eq!(log[0].status, Some(200));
    assert!(log[0].delivered() && !log[2].delivered());
    assert_eq!((log[1].status, log[1].error.as_str()), (None, "refused"));
    assert_eq!(repo.deliveries(a.id, 1).await.unwrap().len(), 1);
    assert!(repo.deliveries(c.id, 10).await.unwrap().is_empty());

    repo.delete_alert_rule(a.id).await.unwrap();
    assert!(
        repo.deliveries(a.id, 10).await.unwrap().is_empty(),
        "its log goes with it"
    );
    assert_eq!(repo.alert_rules().await.unwrap().len(), 1);
    assert!(matches!(
        repo.delete_alert_rule(a.id).await,
        Err(StoreError::NotFound(_))
    ));
}

pub async fn alert_lease_has_one_holder_across_nodes(b: &Backend) {
    let one = b.store.clone();
    let two = b.second_node();
    // Free: the first asker takes it; the other is refused until it expires.
    assert!(one
        .claim_lease("alerts", "node-a", Ts(1_000), Ts(31_000))
        .await
        .unwrap());
    assert!(!two
        .claim_lease("alerts", "node-b", Ts(2_000), Ts(32_000))
        .await
        .unwrap());
    // The holder renews; still refused to the other before the new expiry.
    assert!(one
        .claim_lease("alerts", "node-a", Ts(20_000), Ts(50_000))
        .await
        .unwrap());
    assert!(!two
        .claim_lease("alerts", "node-b", Ts(40_000), Ts(70_000))
        .await
        .unwrap());
    // Expired: the other takes it over, and the old holder is refused.
    assert!(two
        .claim_lease("alerts", "node-b", Ts(50_000), Ts(80_000))
        .await
        .unwrap());
    assert!(!one
        .claim_lease("alerts", "node-a", Ts(51_000), Ts(81_000))
        .await
        .unwrap());
    // Another name is another lease.
    assert!(one
        .claim_lease("other", "node-a", Ts(51_000), Ts(81_000))
        .await
        .unwrap());

    // Racing claims on a fresh name: exactly one wins.
    let mut tasks = Vec::new();
    for n in 0..8 {
        let s = if n % 2 == 0 { one.clone() } else { two.clone() };
        tasks.push(tokio::spawn(async move {
            s.claim_lease("race", &format!("node-{n}"), Ts(1), Ts(60_000))
                .await
                .unwrap()
        }));
    }
    let mut won = 0;
    for t in tasks {
        won += usize::from(t.await.unwrap());
    }
    assert_eq!(won, 1, "{}", b.name);
}
