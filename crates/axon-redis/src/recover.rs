//! Rebuilding the gate from the SQL store's seats after Redis lost it: under the
//! `gate:rebuild` lock (one node rebuilds, the others wait for the marker), old keys removed,
//! the seats written, then the new generation marker set — admissions resume only then.

use super::Shared;
use axon_ports::stock::{RecoveredSeat, SeatState};
use redis::{AsyncCommands, RedisResult};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Seats written per pipeline.
const CHUNK: usize = 500;
/// How long the rebuild lock lives if its node dies mid-rebuild.
const LOCK_MS: u64 = 120_000;

fn state_name(s: &SeatState) -> &'static str {
    match s {
        SeatState::Writing => "WRITING",
        SeatState::Held(_) => "HELD",
        SeatState::Confirming(_) => "CONFIRMING",
        SeatState::Releasing => "RELEASING",
        SeatState::Final => "FINAL",
        SeatState::Cancelled => "CANCELLED",
    }
}

fn nonce() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    format!(
        "{}-{}-{}",
        t.as_millis(),
        std::process::id(),
        t.subsec_nanos()
    )
}

/// Rebuilds the gate from `seats` unless another node does (or did) it; true when this one did.
pub(crate) async fn recover(sh: Arc<Shared>, seats: Arc<Vec<RecoveredSeat>>) -> RedisResult<bool> {
    let mut c = sh.conn.clone();
    let (marker, lock) = (sh.key("gate:generation"), sh.key("gate:rebuild"));
    let me = nonce();
    let won: Option<String> = redis::cmd("SET")
        .arg(&lock)
        .arg(&me)
        .arg("NX")
        .arg("PX")
        .arg(LOCK_MS)
        .query_async(&mut c)
        .await?;
    if won.is_none() {
        // Another node is rebuilding: wait for its marker (its lock expires if it died).
        let started = Instant::now();
        while started.elapsed() < Duration::from_millis(LOCK_MS) {
            if c.exists::<_, i64>(&marker).await? == 1 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        return Ok(false);
    }
    if c.exists::<_, i64>(&marker).await? == 1 {
        let _: i64 = c.del(&lock).await?;
        return Ok(false);
    }
    // Whatever a half-done state left (nothing is decided while the marker is missing).
    let mut stale: Vec<String> = Vec::new();
    {
        let mut it: redis::AsyncIter<String> = c.scan_match(sh.key("campaign:*")).await?;
        while let Some(k) = it.next_item().await {
            stale.push(k?);
        }
    }
    stale.push(sh.key("gate:holds"));
    for chunk in stale.chunks(CHUNK) {
        let _: i64 = c.del(chunk).await?;
    }
    // Per activity: used, held, last order.
    let mut books: BTreeMap<i64, (i64, i64, i64)> = BTreeMap::new();
    for chunk in seats.chunks(CHUNK) {
        let mut pipe = redis::pipe();
        for s in chunk {
            let a = s.activity_id;
            let b = books.entry(a).or_default();
            let st = &s.seat.state;
            if st.counts() {
                b.0 += s.seat.units;
            }
            if matches!(
                st,
                SeatState::Held(_) | SeatState::Confirming(_) | SeatState::Releasing
            ) {
                b.1 += s.seat.units;
            }
            b.2 = b.2.max(s.seat.order);
            let (token, res, exp) = match st {
                SeatState::Held(h) | SeatState::Confirming(h) => (
                    h.reservation_token.clone(),
                    h.reservation_expires_at.0,
                    h.expires_at.0,
                ),
                _ => (String::new(), 0, 0),
            };
            let value = format!(
                "{}|{}|{}|{}|{}|{}|{}",
                state_name(st),
                s.seat.units,
                s.seat.order,
                s.seat.entry_id,
                token,
                res,
                exp
            );
            pipe.hset(sh.key(&format!("campaign:{a}:seats")), &s.user_id, value)
                .ignore()
                .sadd(sh.key(&format!("campaign:{a}:participants")), &s.user_id)
                .ignore();
            if matches!(st, SeatState::Held(_)) {
                pipe.zadd(sh.key("gate:holds"), format!("{a}:{}", s.user_id), exp)
                    .ignore();
            }
        }
        let () = pipe.query_async(&mut c).await?;
    }
    let mut pipe = redis::pipe();
    for (a, (used, held, next)) in &books {
        pipe.hset_multiple(
            sh.key(&format!("campaign:{a}:meta")),
            &[("used", *used), ("held", *held), ("next_order", *next)],
        )
        .ignore();
    }
    if !books.is_empty() {
        // (An empty pipeline is an error in the client.)
        let () = pipe.query_async(&mut c).await?;
    }
    let sealed = super::gate::run(&sh, &sh.scripts.seal, &[me.clone(), nonce()]).await?;
    if sealed.first().map(String::as_str) != Some("OK") {
        tracing::error!("stock gate: the rebuild lock expired before the rebuild finished");
        return Ok(false);
    }
    tracing::info!(
        seats = seats.len(),
        activities = books.len(),
        "stock gate rebuilt in Redis"
    );
    Ok(true)
}
