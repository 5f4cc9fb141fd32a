//! The FCFS gate: herd, quantity, retries, expiry, tokens and bad input.

use crate::gate_support::*;
use crate::helpers::*;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

/// Fires `plan` (user, body) entries with bounded concurrency; returns (user, status, body).
async fn fire(g: &GateApp, activity: i64, plan: Vec<(String, Value)>) -> Vec<(String, u16, Value)> {
    let sem = Arc::new(tokio::sync::Semaphore::new(256));
    let url = g.app.url(&format!("/api/v1/activities/{activity}/entries"));
    let mut tasks = Vec::with_capacity(plan.len());
    for (user, body) in plan {
        let client = g.app.client.clone();
        let url = url.clone();
        let sem = sem.clone();
        tasks.push(tokio::spawn(async move {
            let _permit = sem.acquire().await.unwrap();
            let r = client
                .post(&url)
                .bearer_auth(jwt(&user))
                .json(&body)
                .send()
                .await
                .unwrap();
            let status = r.status().as_u16();
            (user, status, r.json::<Value>().await.unwrap())
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.unwrap());
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn herd_of_10000_requests_from_3000_users_approves_exactly_the_stock() {
    let g = spawn_gate(300, 600).await;
    let a = g
        .activity(json!({"limitCount": 100, "paymentRequired": false}))
        .await;
    // 3,000 users; every user at least 3 times, the first 1,000 four times: 10,000 requests,
    // interleaved so duplicates race their originals.
    let mut plan = Vec::new();
    for round in 0..4 {
        for u in 0..3000 {
            if round < 3 || u < 1000 {
                plan.push((format!("herd-{u}"), json!({"quantity": 1})));
            }
        }
    }
    assert_eq!(plan.len(), 10_000);
    let done = Arc::new(AtomicBool::new(false));
    let watcher = {
        let done = done.clone();
        let url = g.app.url(&format!("/api/v1/activities/{a}/entries?size=1"));
        let client = g.app.client.clone();
        tokio::spawn(async move {
            let mut max = 0;
            while !done.load(Ordering::Relaxed) {
                let r: Value = client
                    .get(&url)
                    .bearer_auth(ADMIN_KEY)
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                max = max.max(r["totalElements"].as_i64().unwrap());
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            max
        })
    };
    let results = fire(&g, a, plan).await;
    done.store(true, Ordering::Relaxed);
    assert!(
        watcher.await.unwrap() <= 100,
        "more approvals than stock at some instant"
    );
    let mut by_user: HashMap<String, Vec<(u16, Value)>> = HashMap::new();
    for (u, s, b) in results {
        by_user.entry(u).or_default().push((s, b));
    }
    let mut winners = 0;
    for (u, replies) in &by_user {
        let won = replies.iter().filter(|(s, _)| *s == 200).count();
        assert!(won <= 1, "{u} won twice: {replies:?}");
        for (s, b) in replies {
            match (won, s) {
                (1, 200) => assert_eq!(b["isRetry"], false),
                (1, 409) => assert_eq!(b["error"], "DUPLICATED"),
                (0, 410) => assert_eq!(b["error"], "SOLD_OUT"),
                other => panic!("{u}: unexpected {other:?} {b}"),
            }
        }
        winners += won;
    }
    assert_eq!(winners, 100);
    let (total, _) = g.entries(a, Some("APPROVED")).await;
    assert_eq!(total, 100);
    let count = |code: u16| {
        by_user
            .values()
            .flatten()
            .filter(|(s, _)| *s == code)
            .count()
    };
    let metrics = g
        .app
        .client
        .get(g.app.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        metrics.contains("axon_gate_approved_total 100\n"),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!("axon_gate_sold_out_total {}\n", count(410))),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!("axon_gate_duplicates_total {}\n", count(409))),
        "{metrics}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn quantity_two_entries_add_up_exactly_and_retries_return_the_same_reservation() {
    let g = spawn_gate(300, 600).await;
    let a = g.activity(json!({"limitCount": 101})).await;
    let plan = (0..300)
        .map(|i| (format!("q-{}", i % 150), json!({"quantity": 2})))
        .collect();
    let results = fire(&g, a, plan).await;
    let mut tokens: HashMap<String, String> = HashMap::new();
    let mut units = 0;
    for (u, s, b) in &results {
        match s {
            200 => {
                let t = b["reservationToken"].as_str().unwrap().to_string();
                if b["isRetry"] == false {
                    units += 2;
                }
                if let Some(prev) = tokens.insert(u.clone(), t.clone()) {
                    assert_eq!(prev, t, "a retry must answer the same token");
                }
            }
            409 => assert_eq!(b["error"], "DUPLICATED"),
            410 => assert_eq!(b["error"], "SOLD_OUT"),
            _ => panic!("{s} {b}"),
        }
    }
    assert_eq!(units, 100);
    assert_eq!(tokens.len(), 50);
    let r = g.enter(a, "last-one", json!({"quantity": 2})).await;
    assert_error(&r, 410, "SOLD_OUT");
    assert_eq!(r.body["remaining"], 1);
    let r = g.enter(a, "last-one", json!({"quantity": 1})).await;
    assert_eq!(r.status, 200, "{:?}", r.body);
    assert_error(&g.enter(a, "after", json!({})).await, 410, "SOLD_OUT");
    let winner = tokens.keys().next().unwrap().clone();
    let r = g.enter(a, &winner, json!({"quantity": 2})).await;
    assert_eq!((r.status, &r.body["isRetry"]), (200, &json!(true)));
    assert_eq!(
        r.body["reservationToken"].as_str(),
        Some(tokens[&winner].as_str())
    );
    assert!(
        r.body["entryId"].is_i64(),
        "a retry names the same entry: {:?}",
        r.body
    );
    assert_eq!(r.body["quantity"], 2);
    let (held, body) = g.entries(a, Some("APPROVED")).await;
    assert_eq!(held, 51);
    let sum: i64 = body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["quantity"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, 101);
}

#[tokio::test]
async fn expired_holds_return_their_stock_exactly_once_and_late_confirms_are_refused() {
    let g = spawn_gate(1, 1).await;
    let a = g.activity(json!({"limitCount": 2})).await;
    let paid = g.enter(a, "payer", json!({})).await;
    let idle = g.enter(a, "idle", json!({})).await;
    assert_eq!((paid.status, idle.status), (200, 200));
    assert_error(&g.enter(a, "waiting", json!({})).await, 410, "SOLD_OUT");
    let ap = g.prepare("payer", &paid.body["reservationToken"]).await;
    assert_eq!(ap.status, 200, "{:?}", ap.body);
    let ai = g.prepare("idle", &idle.body["reservationToken"]).await;
    assert_eq!(ai.status, 200, "{:?}", ai.body);
    let c = g.confirm("payer", &ap.body["approvalToken"]).await;
    assert_eq!(
        (c.status, &c.body["status"]),
        (200, &json!("SUCCESS")),
        "{:?}",
        c.body
    );
    g.clock.advance_ms(1_500);
    g.wait_for(a, "CANCELLED", 1).await;
    assert_error(
        &g.confirm("idle", &ai.body["approvalToken"]).await,
        410,
        "APPROVAL_EXPIRED",
    );
    assert_error(
        &g.prepare("idle", &idle.body["reservationToken"]).await,
        403,
        "RESERVATION_EXPIRED",
    );
    // Exactly one unit came back.
    assert_eq!(g.enter(a, "waiting", json!({})).await.status, 200);
    assert_error(&g.enter(a, "late", json!({})).await, 410, "SOLD_OUT");
    let stock = g
        .app
        .call(
            Method::GET,
            &format!("/api/v1/activities/{a}/stock"),
            None,
            None,
        )
        .await;
    assert_eq!(
        (
            stock.body["remaining"].clone(),
            stock.body["held"].clone(),
            stock.body["soldOut"].clone()
        ),
        (json!(0), json!(1), json!(true))
    );
    assert_error(&g.enter(a, "idle", json!({})).await, 409, "DUPLICATED");
    assert_eq!(g.entries(a, Some("PAID")).await.0, 1);
    assert_eq!(g.entries(a, Some("CANCELLED")).await.0, 1);
    // The paid entry keeps its slot however long we wait.
    g.clock.advance_ms(60_000);
    g.wait_for(a, "CANCELLED", 2).await;
    assert_eq!(g.entries(a, Some("PAID")).await.0, 1);
    assert_eq!(g.enter(a, "fresh", json!({})).await.status, 200);
}

#[tokio::test]
async fn the_hold_lasts_until_the_later_token_expires() {
    let g = spawn_gate(1, 3).await;
    let a = g.activity(json!({"limitCount": 1})).await;
    let e = g.enter(a, "u", json!({})).await;
    g.clock.advance_ms(900);
    let ap = g.prepare("u", &e.body["reservationToken"]).await;
    assert_eq!(ap.status, 200);
    g.clock.advance_ms(1_500); // reservation expired, approval live
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_error(&g.enter(a, "other", json!({})).await, 410, "SOLD_OUT");
    let c = g.confirm("u", &ap.body["approvalToken"]).await;
    assert_eq!(c.status, 200, "{:?}", c.body);
    assert!(c.body["purchaseId"].as_i64().is_some());
}

#[tokio::test]
async fn tokens_are_bound_to_their_user_and_forged_or_replayed_ones_are_refused() {
    let g = spawn_gate(300, 600).await;
    let p = g
        .app
        .post(
            "/api/v1/products",
            json!({"name": "TV", "price": 10_000, "stock": 10}),
        )
        .await;
    let product = p.body["id"].as_i64().unwrap();
    let a = g
        .activity(json!({"limitCount": 5, "productId": product}))
        .await;
    let e = g.enter(a, "alice", json!({"productId": product})).await;
    assert_eq!(e.status, 200, "{:?}", e.body);
    assert!(e.body["reservationToken"].as_str().unwrap().len() >= 30);
    let retry = g.enter(a, "alice", json!({})).await;
    assert_eq!(retry.body["isRetry"], true);
    assert_eq!(retry.body["reservationToken"], e.body["reservationToken"]);
    assert_eq!(retry.body["order"], e.body["order"]);
    let rt = &e.body["reservationToken"];
    let foreign = g.prepare("mallory", rt).await;
    assert_error(&foreign, 403, "RESERVATION_EXPIRED");
    assert_eq!(
        foreign.body["message"],
        "결제 시간이 만료되었습니다. 처음부터 다시 응모해주세요."
    );
    assert_error(
        &g.prepare("alice", &json!("rsv_forged-token-000000000000"))
            .await,
        403,
        "RESERVATION_EXPIRED",
    );
    let ap = g.prepare("alice", rt).await;
    assert_eq!(ap.status, 200);
    assert_eq!(
        g.prepare("alice", rt).await.body["approvalToken"],
        ap.body["approvalToken"]
    );
    let at = &ap.body["approvalToken"];
    assert_error(&g.confirm("mallory", at).await, 403, "TOKEN_NOT_YOURS");
    assert_error(&g.confirm("alice", rt).await, 403, "INVALID_APPROVAL_TOKEN");
    assert_error(
        &g.confirm("alice", &json!("apv_forged")).await,
        403,
        "INVALID_APPROVAL_TOKEN",
    );
    let c1 = g.confirm("alice", at).await;
    assert_eq!(c1.status, 200, "{:?}", c1.body);
    let c2 = g.confirm("alice", at).await;
    assert_eq!(c2.body, c1.body, "confirm is idempotent");
    assert_error(&g.prepare("alice", rt).await, 409, "ALREADY_PAID");
    // One purchase, one stock decrease, profile updated, events emitted.
    let ps = g.app.get("/api/v1/users/alice/purchases").await;
    assert_eq!(ps.body["total"], 1);
    assert_eq!(ps.body["purchases"][0]["purchaseType"], "CAMPAIGNACTIVITY");
    assert_eq!(
        g.app.get(&format!("/api/v1/products/{product}")).await.body["stock"],
        9
    );
    assert!(g.app.get("/api/v1/users/alice").await.body["lastPurchaseAt"].is_string());
    for t in ["APPROVED", "PURCHASE"] {
        let ev = g
            .app
            .get(&format!(
                "/api/v1/behavior/events?userId=alice&triggerType={t}"
            ))
            .await;
        assert_eq!(ev.body["total"], 1, "{t}: {:?}", ev.body);
    }
    // Missing or bad end-user JWTs.
    let url = format!("/api/v1/activities/{a}/entries");
    assert_error(
        &g.app.call(Method::POST, &url, None, Some(&json!({}))).await,
        401,
        "INVALID_TOKEN",
    );
    let forged = axon_server::auth::mint_jwt(b"wrong-secret", "alice", jwt_exp());
    assert_error(
        &g.app
            .call(Method::POST, &url, Some(&forged), Some(&json!({})))
            .await,
        401,
        "INVALID_TOKEN",
    );
    // Claims a hand-written verifier let through: no exp, non-integral or null times, blank or
    // control-character subjects — each our JSON 401.
    let exp = jwt_exp().0 / 1000;
    for claims in [
        json!({"sub": "alice"}),
        json!({"sub": "alice", "exp": null}),
        json!({"sub": "alice", "exp": exp.to_string()}),
        json!({"sub": "alice", "exp": exp as f64 + 0.5}),
        json!({"sub": "alice", "exp": exp, "nbf": null}),
        json!({"sub": "alice", "exp": exp, "nbf": 1.5}),
        json!({"sub": "   ", "exp": exp}),
        json!({"sub": "al\u{0}ice", "exp": exp}),
    ] {
        let token = hs256(JWT_SECRET.as_bytes(), &claims);
        let r = g
            .app
            .call(Method::POST, &url, Some(&token), Some(&json!({})))
            .await;
        assert_error(&r, 401, "INVALID_TOKEN");
        assert!(r.body["message"].is_string(), "{claims}: {:?}", r.body);
    }
}

#[tokio::test]
async fn expired_reservation_tokens_are_refused_at_prepare() {
    let g = spawn_gate(1, 1).await;
    let a = g.activity(json!({"limitCount": 5})).await;
    let e = g.enter(a, "slow", json!({})).await;
    g.clock.advance_ms(1_001);
    assert_error(
        &g.prepare("slow", &e.body["reservationToken"]).await,
        403,
        "RESERVATION_EXPIRED",
    );
}

#[tokio::test]
async fn entry_checks_run_in_the_specified_order() {
    let g = spawn_gate(300, 600).await;
    assert_error(
        &g.enter(999, "u", json!({})).await,
        404,
        "ACTIVITY_NOT_FOUND",
    );
    let a = g
        .activity(json!({"limitCount": 1, "productId": null}))
        .await;
    assert_error(
        &g.enter(a, "u", json!({"productId": 5})).await,
        400,
        "PRODUCT_MISMATCH",
    );
    let closed = g.activity(json!({"limitCount": 1})).await;
    g.app
        .patch(
            &format!("/api/v1/activities/{closed}/status"),
            json!({"status": "PAUSED"}),
        )
        .await;
    assert_error(
        &g.enter(closed, "u", json!({})).await,
        400,
        "ACTIVITY_CLOSED",
    );
    let zero = g.activity(json!({"limitCount": 0})).await;
    assert_error(&g.enter(zero, "u", json!({})).await, 400, "ACTIVITY_CLOSED");
    let later = g.activity(json!({"startDate": "2026-11-20"})).await;
    assert_error(
        &g.enter(later, "u", json!({})).await,
        400,
        "ACTIVITY_CLOSED",
    );
    assert_eq!(g.enter(a, "u", json!({})).await.status, 200);
    // A retry wins over "closed" and "sold out": the reservation is live.
    g.app
        .patch(
            &format!("/api/v1/activities/{a}/status"),
            json!({"status": "PAUSED"}),
        )
        .await;
    assert_eq!(g.enter(a, "u", json!({})).await.body["isRetry"], true);
    g.app
        .patch(
            &format!("/api/v1/activities/{a}/status"),
            json!({"status": "ACTIVE"}),
        )
        .await;
    assert_error(&g.enter(a, "v", json!({})).await, 410, "SOLD_OUT");
    // Free activities: approval is final, no token, duplicates refused.
    let free = g
        .activity(json!({"limitCount": 1, "paymentRequired": false}))
        .await;
    let r = g.enter(free, "u", json!({})).await;
    assert_eq!((r.status, &r.body["reservationToken"]), (200, &Value::Null));
    assert_error(&g.enter(free, "u", json!({})).await, 409, "DUPLICATED");
    assert_eq!(g.entries(free, Some("APPROVED")).await.0, 1);
}

#[tokio::test]
async fn bad_gate_input_gets_4xx_json_and_changes_nothing() {
    let g = spawn_gate(300, 600).await;
    let a = g.activity(json!({"limitCount": 10})).await;
    for body in [
        json!({"quantity": 0}),
        json!({"quantity": -1}),
        json!({"quantity": "x"}),
        json!({"quantity": 5000}),
        json!([1]),
    ] {
        let r = g.enter(a, "u", body.clone()).await;
        assert_eq!(r.status, 400, "{body}: {:?}", r.body);
        assert!(r.body["error"].is_string());
    }
    let r = g
        .app
        .raw(
            Method::POST,
            &format!("/api/v1/activities/{a}/entries"),
            Some(&jwt("u")),
            "application/json",
            "{oops",
        )
        .await;
    assert_error(&r, 400, "MALFORMED_JSON");
    let r = g
        .app
        .call(
            Method::POST,
            "/api/v1/activities/abc/entries",
            Some(&jwt("u")),
            Some(&json!({})),
        )
        .await;
    assert_error(&r, 400, "INVALID_PATH");
    for path in ["/api/v1/payments/prepare", "/api/v1/payments/confirm"] {
        let r = g
            .app
            .call(Method::POST, path, Some(&jwt("u")), Some(&json!({})))
            .await;
        assert_error(&r, 400, "VALIDATION_ERROR");
        let r = g
            .app
            .call(
                Method::POST,
                path,
                Some(&jwt("u")),
                Some(&json!({"reservationToken": "", "approvalToken": ""})),
            )
            .await;
        assert_eq!(r.status, 400, "{:?}", r.body);
        let r = g.app.call(Method::POST, path, None, Some(&json!({}))).await;
        assert_error(&r, 401, "INVALID_TOKEN");
    }
    for q in [
        "page=-1",
        "size=0",
        "size=101",
        "status=NOPE",
        "page=x",
        "bogus=1",
    ] {
        let r = g
            .app
            .get(&format!("/api/v1/activities/{a}/entries?{q}"))
            .await;
        assert_eq!(r.status, 400, "{q}: {:?}", r.body);
    }
    let r = g
        .app
        .call(
            Method::GET,
            &format!("/api/v1/activities/{a}/entries"),
            None,
            None,
        )
        .await;
    assert_eq!(r.status, 401);
    assert_error(
        &g.app.get("/api/v1/activities/4242/entries").await,
        404,
        "ACTIVITY_NOT_FOUND",
    );
    assert_eq!(g.entries(a, None).await.0, 0);
    assert_eq!(
        g.enter(a, "u", json!({"quantity": 10})).await.status,
        200,
        "the stock is untouched"
    );
}

#[tokio::test]
async fn entries_are_paged_newest_first() {
    let g = spawn_gate(300, 600).await;
    let a = g
        .activity(json!({"limitCount": 50, "paymentRequired": false}))
        .await;
    for i in 0..25 {
        assert_eq!(g.enter(a, &format!("p{i}"), json!({})).await.status, 200);
    }
    let r = g
        .app
        .get(&format!(
            "/api/v1/activities/{a}/entries?page=1&size=10&status=APPROVED"
        ))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["totalElements"], 25);
    assert_eq!(r.body["totalPages"], 3);
    assert_eq!(r.body["statusFilter"], "APPROVED");
    let e = &r.body["entries"];
    assert_eq!(e.as_array().unwrap().len(), 10);
    assert_eq!(e[0]["userId"], "p14");
    assert_eq!(e[0]["order"], 15);
    for k in [
        "entryId",
        "userId",
        "status",
        "order",
        "quantity",
        "requestedAt",
        "processedAt",
    ] {
        assert!(!e[0][k].is_null(), "{k}");
    }
}
