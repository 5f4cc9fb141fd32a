//! The `StockGate` port over the scripts: argument encoding, answer decoding.

use super::{RedisGate, Shared};
use axon_domain::model::ActivityId;
use axon_domain::Ts;
use axon_ports::aggregates::StockLevels;
use axon_ports::stock::{Admit, ConfirmRefusal, Due, Hold, RecoveredSeat, StockGate};
use redis::{AsyncCommands, RedisResult, Script};
use std::sync::Arc;
use std::time::Duration;

/// One script run: the prefix first, then `args`; the answer as strings (`["NOGEN"]` while
/// the gate is being rebuilt).
pub(crate) async fn run(sh: &Shared, script: &Script, args: &[String]) -> RedisResult<Vec<String>> {
    let mut inv = script.prepare_invoke();
    inv.arg(&sh.opts.prefix);
    for a in args {
        inv.arg(a);
    }
    let mut c = sh.conn.clone();
    inv.invoke_async(&mut c).await
}

fn num(s: Option<&String>) -> i64 {
    s.and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// A seat as stored: `state|units|order|entryId|token|resExp|exp`.
pub(crate) struct Stored {
    pub state: String,
    pub hold: Hold,
}

pub(crate) fn parse_seat(s: &str) -> Stored {
    let f: Vec<&str> = s.split('|').collect();
    let n = |i: usize| f.get(i).and_then(|v| v.parse::<i64>().ok()).unwrap_or(0);
    Stored {
        state: f.first().copied().unwrap_or_default().to_string(),
        hold: Hold {
            reservation_token: f.get(4).copied().unwrap_or_default().to_string(),
            reservation_expires_at: Ts(f
                .get(5)
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(i64::MIN)),
            expires_at: Ts(n(6)),
            order: n(2),
        },
    }
}

fn refusal(code: &str) -> ConfirmRefusal {
    match code {
        "FINAL" => ConfirmRefusal::AlreadyFinal,
        "INPROGRESS" => ConfirmRefusal::InProgress,
        "UNKNOWN" => ConfirmRefusal::Unknown,
        "EXPIRED" => ConfirmRefusal::Expired,
        _ => ConfirmRefusal::Unavailable,
    }
}

fn ms(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl RedisGate {
    /// Runs a script with these arguments; `None` after a logged error.
    fn script(
        &self,
        op: &'static str,
        pick: fn(&super::Scripts) -> &Script,
        args: Vec<String>,
    ) -> Option<Vec<String>> {
        let answer = self.call(op, move |sh: Arc<Shared>| async move {
            run(&sh, pick(&sh.scripts), &args).await
        })?;
        if answer.first().map(String::as_str) == Some("NOGEN") {
            tracing::warn!(
                op,
                "stock gate: Redis has no generation marker (being rebuilt)"
            );
            return None;
        }
        Some(answer)
    }
}

impl StockLevels for RedisGate {
    fn remaining(&self, activity: ActivityId, limit: Option<i64>) -> i64 {
        let Some(l) = limit else {
            return i64::MAX;
        };
        let used = self.call("remaining", move |sh| async move {
            let mut c = sh.conn.clone();
            let marker: Option<String> = c.get(sh.key("gate:generation")).await?;
            if marker.is_none() {
                return Ok(None);
            }
            let used: Option<i64> = c
                .hget(sh.key(&format!("campaign:{activity}:meta")), "used")
                .await?;
            Ok(Some(used.unwrap_or(0)))
        });
        match used.flatten() {
            Some(u) => (l - u).max(0),
            // Unknown (Redis down or being rebuilt): show none left rather than promise stock.
            None => 0,
        }
    }

    fn held(&self, activity: ActivityId) -> i64 {
        self.call("held", move |sh| async move {
            let mut c = sh.conn.clone();
            let held: Option<i64> = c
                .hget(sh.key(&format!("campaign:{activity}:meta")), "held")
                .await?;
            Ok(held.unwrap_or(0))
        })
        .unwrap_or(0)
    }
}

impl StockGate for RedisGate {
    fn live_hold(&self, activity: ActivityId, user: &str, now: Ts) -> Option<Hold> {
        let user = user.to_string();
        let seat = self
            .call("live_hold", move |sh| async move {
                let mut c = sh.conn.clone();
                let s: Option<String> = c
                    .hget(sh.key(&format!("campaign:{activity}:seats")), user)
                    .await?;
                Ok(s)
            })
            .flatten()?;
        let s = parse_seat(&seat);
        (s.state == "HELD" && s.hold.reservation_expires_at > now).then_some(s.hold)
    }

    fn admit(
        &self,
        activity: ActivityId,
        user: &str,
        units: i64,
        limit: Option<i64>,
        now: Ts,
    ) -> Admit {
        let lease = now.0.saturating_add(ms(self.shared.opts.writing_lease));
        let args = vec![
            activity.to_string(),
            user.to_string(),
            units.to_string(),
            limit.map(|l| l.to_string()).unwrap_or_default(),
            now.0.to_string(),
            lease.to_string(),
        ];
        let Some(a) = self.script("admit", |s| &s.admit, args) else {
            return Admit::Unavailable;
        };
        match a.first().map(String::as_str) {
            Some("OK") => Admit::Reserved {
                order: num(a.get(1)),
            },
            Some("RETRY") => Admit::Retry(Hold {
                reservation_token: a.get(1).cloned().unwrap_or_default(),
                reservation_expires_at: Ts(num(a.get(2))),
                expires_at: Ts(num(a.get(3))),
                order: num(a.get(4)),
            }),
            Some("DUP") => Admit::Duplicate {
                in_progress: a.get(1).map(String::as_str) == Some("1"),
            },
            Some("SOLDOUT") => Admit::SoldOut {
                remaining: num(a.get(1)),
            },
            other => {
                tracing::error!(?other, "stock gate: unexpected admit answer");
                Admit::Unavailable
            }
        }
    }

    fn committed(&self, activity: ActivityId, user: &str, entry_id: i64, hold: Option<Hold>) {
        let (state, token, res, exp) = match &hold {
            Some(h) => (
                "HELD",
                h.reservation_token.clone(),
                h.reservation_expires_at.0,
                h.expires_at.0,
            ),
            None => ("FINAL", String::new(), 0, 0),
        };
        let args = vec![
            activity.to_string(),
            user.to_string(),
            entry_id.to_string(),
            state.to_string(),
            token,
            res.to_string(),
            exp.to_string(),
        ];
        match self.script("committed", |s| &s.committed, args) {
            Some(a) if a.first().map(String::as_str) == Some("OK") => {}
            Some(a) => tracing::error!(
                activity, user, entry_id, answer = ?a,
                "stock gate: a durable entry found no writing seat (its lease ended, or the gate was rebuilt while it was written)"
            ),
            None => {}
        }
    }

    fn abort(&self, activity: ActivityId, user: &str) {
        let args = vec![activity.to_string(), user.to_string()];
        self.script("abort", |s| &s.abort, args);
    }

    fn extend(
        &self,
        activity: ActivityId,
        user: &str,
        approval_expires_at: Ts,
        now: Ts,
    ) -> Result<(), ConfirmRefusal> {
        let args = vec![
            activity.to_string(),
            user.to_string(),
            approval_expires_at.0.to_string(),
            now.0.to_string(),
        ];
        match self.script("extend", |s| &s.extend, args) {
            Some(a) if a.first().map(String::as_str) == Some("OK") => Ok(()),
            Some(a) => Err(refusal(a.first().map_or("", String::as_str))),
            None => Err(ConfirmRefusal::Unavailable),
        }
    }

    fn begin_confirm(
        &self,
        activity: ActivityId,
        user: &str,
        now: Ts,
    ) -> Result<i64, ConfirmRefusal> {
        let args = vec![
            activity.to_string(),
            user.to_string(),
            now.0.to_string(),
            ms(self.shared.opts.writing_lease).to_string(),
        ];
        match self.script("begin_confirm", |s| &s.begin_confirm, args) {
            Some(a) if a.first().map(String::as_str) == Some("OK") => Ok(num(a.get(1))),
            Some(a) => Err(refusal(a.first().map_or("", String::as_str))),
            None => Err(ConfirmRefusal::Unavailable),
        }
    }

    fn end_confirm(&self, activity: ActivityId, user: &str, paid: bool) {
        let args = vec![
            activity.to_string(),
            user.to_string(),
            if paid { "1" } else { "0" }.to_string(),
        ];
        self.script("end_confirm", |s| &s.end_confirm, args);
    }

    fn due(&self, now: Ts, max: usize) -> Vec<Due> {
        let args = vec![
            now.0.to_string(),
            max.to_string(),
            ms(self.shared.opts.writing_lease).to_string(),
        ];
        let Some(a) = self.script("due", |s| &s.due, args) else {
            return Vec::new();
        };
        a.chunks_exact(4)
            .filter_map(|c| {
                Some(Due {
                    activity_id: c[0].parse().ok()?,
                    user_id: c[1].clone(),
                    entry_id: c[2].parse().unwrap_or(0),
                    units: c[3].parse().unwrap_or(0),
                })
            })
            .collect()
    }

    fn has_due(&self, now: Ts) -> bool {
        self.call("has_due", move |sh| async move {
            let mut c = sh.conn.clone();
            let n: i64 = c.zcount(sh.key("gate:holds"), "-inf", now.0).await?;
            Ok(n > 0)
        })
        .unwrap_or(false)
    }

    fn released(&self, activity: ActivityId, user: &str) -> bool {
        let args = vec![activity.to_string(), user.to_string()];
        self.script("released", |s| &s.released, args)
            .is_some_and(|a| a.first().map(String::as_str) == Some("OK"))
    }

    fn finalised(&self, activity: ActivityId, user: &str) -> bool {
        let args = vec![activity.to_string(), user.to_string()];
        self.script("finalised", |s| &s.finalised, args)
            .is_some_and(|a| a.first().map(String::as_str) == Some("OK"))
    }

    fn release_failed(&self, activity: ActivityId, user: &str, retry_at: Ts) {
        let args = vec![
            activity.to_string(),
            user.to_string(),
            retry_at.0.to_string(),
        ];
        self.script("release_failed", |s| &s.release_failed, args);
    }

    /// True when Redis has no generation marker: it lost the gate (or never had it).
    fn needs_recovery(&self) -> bool {
        self.call("needs_recovery", move |sh| async move {
            let mut c = sh.conn.clone();
            let n: i64 = c.exists(sh.key("gate:generation")).await?;
            Ok(n == 0)
        })
        // Unreachable Redis: nothing to rebuild into; the scripts refuse meanwhile.
        .unwrap_or(false)
    }

    fn recovery_grace(&self) -> Duration {
        self.shared.opts.recovery_grace
    }

    fn recover(&self, seats: Vec<RecoveredSeat>) {
        let seats = Arc::new(seats);
        self.call("recover", move |sh| super::recover::recover(sh, seats));
    }
}
