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
        config.jwt.max_lifetime = Duration::from_secs(120 * 86_400);
    })
    .await;
    GateApp { app, clock }
}

/// Expiry of the test tokens: 60 days after T0, so tests that move the clock keep them valid
/// (`spawn_gate` allows that lifetime).
pub fn jwt_exp() -> Ts {
    Ts(T0 + 60 * 86_400_000)
}

pub fn jwt(user: &str) -> String {
    axon_server::auth::mint_jwt(JWT_SECRET.as_bytes(), user, jwt_exp())
}

/// An HS256 token over arbitrary claims, signed like a real one (to test claim checks).
pub fn hs256(secret: &[u8], claims: &Value) -> String {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hmac::{Hmac, Mac};
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
    let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims.to_string()));
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).unwrap();
    mac.update(input.as_bytes());
    format!(
        "{input}.{}",
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    )
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
