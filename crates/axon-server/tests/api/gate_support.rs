//! Helpers for the gate tests: a server on a manual clock, end-user JWTs, activities.

use crate::helpers::*;
use axon_domain::{ManualClock, Ts};
use reqwest::Method;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// 2026-11-15T00:00:00Z: inside the helper activities' dates.
pub const T0: i64 = 1_794_700_800_000;

pub struct GateApp {
    pub app: TestApp,
    pub clock: Arc<ManualClock>,
}

pub async fn spawn_gate(reservation_s: u64, approval_s: u64) -> GateApp {
    let clock = Arc::new(ManualClock::new(Ts(T0)));
    let c = clock.clone();
    let app = spawn_with(move |config| {
        config.clock = c;
        config.reservation_ttl = Duration::from_secs(reservation_s);
        config.approval_ttl = Duration::from_secs(approval_s);
    })
    .await;
    GateApp { app, clock }
}

pub fn jwt(user: &str) -> String {
    axon_server::auth::mint_jwt(JWT_SECRET.as_bytes(), user, None)
}

impl GateApp {
    /// Creates an ACTIVE activity with the given extra fields and returns its id.
    pub async fn activity(&self, extra: Value) -> i64 {
        let c = self.app.campaign(&format!("c-{}", rand_suffix())).await;
        let mut body = json!({"name": "deal", "activityType": "FIRST_COME_FIRST_SERVE", "limitCount": 100,
            "startDate": "2026-11-01", "endDate": "2026-11-30", "price": 10_000});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = self
            .app
            .post(&format!("/api/v1/campaigns/{c}/activities"), body)
            .await;
        assert_eq!(r.status, 201, "{:?}", r.body);
        let id = r.body["id"].as_i64().unwrap();
        let r = self
            .app
            .patch(
                &format!("/api/v1/activities/{id}/status"),
                json!({"status": "ACTIVE"}),
            )
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        id
    }

    pub async fn enter(&self, activity: i64, user: &str, body: Value) -> Reply {
        self.app
            .call(
                Method::POST,
                &format!("/api/v1/activities/{activity}/entries"),
                Some(&jwt(user)),
                Some(&body),
            )
            .await
    }

    pub async fn prepare(&self, user: &str, token: &Value) -> Reply {
        self.app
            .call(
                Method::POST,
                "/api/v1/payments/prepare",
                Some(&jwt(user)),
                Some(&json!({"reservationToken": token})),
            )
            .await
    }

    pub async fn confirm(&self, user: &str, token: &Value) -> Reply {
        self.app
            .call(
                Method::POST,
                "/api/v1/payments/confirm",
                Some(&jwt(user)),
                Some(&json!({"approvalToken": token})),
            )
            .await
    }

    /// Entries of an activity with a status (all when None), as (total, body).
    pub async fn entries(&self, activity: i64, status: Option<&str>) -> (i64, Value) {
        let q = status.map_or(String::new(), |s| format!("&status={s}"));
        let r = self
            .app
            .get(&format!(
                "/api/v1/activities/{activity}/entries?size=100{q}"
            ))
            .await;
        assert_eq!(r.status, 200, "{:?}", r.body);
        (r.body["totalElements"].as_i64().unwrap(), r.body)
    }

    /// Waits (real time, ≤ 15 s) until the activity has `n` entries of `status`.
    pub async fn wait_for(&self, activity: i64, status: &str, n: i64) {
        for _ in 0..300 {
            if self.entries(activity, Some(status)).await.0 == n {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("activity {activity} never reached {n} {status} entries");
    }
}

fn rand_suffix() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    N.fetch_add(1, Ordering::Relaxed).to_string()
}
