//! Holds that expire, and recovery of the stock gate from the durable store.
//!
//! The sweeper claims due holds from the stock gate (`Held → Releasing`, so exactly one caller
//! releases each), cancels them durably, and only then gives their units back; a failed write
//! puts them back in the queue for a retry. Recovery rebuilds the gate from stored entries and
//! their payment tokens — only when the gate reports it lost its state.

use super::Gate;
use crate::counters::Counters;
use crate::error::ServiceResult;
use axon_domain::model::{ActivityType, EntryStatus};
use axon_domain::Ts;
use axon_ports::stock::{Due, Hold, RecoveredSeat, Seat, SeatState};
use axon_ports::TokenKind;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Most holds released in one durable write.
pub const SWEEP_BATCH: usize = 1000;
/// How often the sweeper looks for expired holds.
pub const SWEEP_EVERY: Duration = Duration::from_millis(100);
/// Sweeper ticks between two checks whether the stock gate lost its state.
const RECOVERY_CHECK_TICKS: u64 = 10;
/// Releases are logged as a summary at most this often.
const LOG_EVERY_MS: i64 = 60_000;

/// Releases since the last summary log line, and when that line was written.
#[derive(Default)]
pub(crate) struct ReleaseLog {
    pending: AtomicU64,
    last_ms: AtomicU64,
}

impl Gate {
    /// Cancels every hold due now, durably, then returns its units. Returns how many.
    pub async fn sweep_once(&self) -> usize {
        let now = self.settings.now();
        let stock = &self.b.stock;
        let due = stock.due(now, SWEEP_BATCH);
        if due.is_empty() {
            return 0;
        }
        let mut ids = Vec::with_capacity(due.len());
        for d in &due {
            if d.entry_id != 0 {
                ids.push(d.entry_id);
                continue;
            }
            // A seat whose node died between the reservation and its durable write (a shared
            // gate's lease ended): cancel the entry if that write landed after all.
            match self.b.fcfs.entry_of(d.activity_id, &d.user_id).await {
                Ok(Some(e)) => ids.push(e.id),
                Ok(None) => {}
                Err(e) => {
                    tracing::error!(error = %e, "could not look up an abandoned seat's entry; will retry");
                    return self.retry_later(&due, now);
                }
            }
        }
        let cancelled = match self.b.fcfs.cancel_entries(ids.clone(), now).await {
            Ok(c) => c.into_iter().map(|e| e.id).collect::<HashSet<i64>>(),
            Err(e) => {
                tracing::error!(error = %e, holds = due.len(), "could not cancel expired holds; will retry");
                return self.retry_later(&due, now);
            }
        };
        let paid = match self
            .paid_among(ids.iter().filter(|id| !cancelled.contains(id)))
            .await
        {
            Ok(p) => p,
            Err(e) => {
                tracing::error!(error = %e, "could not read a claimed seat's entry; will retry");
                return self.retry_later(&due, now);
            }
        };
        for d in &due {
            if paid.contains(&(d.activity_id, d.user_id.clone())) {
                stock.finalised(d.activity_id, &d.user_id);
            } else {
                stock.released(d.activity_id, &d.user_id);
            }
        }
        let released = due.len() - paid.len();
        Counters::inc(&self.counters.gate_holds_expired_total, released as u64);
        self.log_releases(released, now);
        due.len()
    }

    /// Of claimed seats' entries the cancellation did not change, the paid ones: their node
    /// died between the purchase's durable write and the gate's `end_confirm` (a confirm whose
    /// lease ended). Such a seat is final, its units stay sold.
    async fn paid_among(
        &self,
        ids: impl Iterator<Item = &i64>,
    ) -> ServiceResult<HashSet<(i64, String)>> {
        let mut paid = HashSet::new();
        for id in ids {
            if let Some(e) = self.b.fcfs.entry(*id).await? {
                if e.status == EntryStatus::Paid {
                    paid.insert((e.activity_id, e.user_id));
                }
            }
        }
        Ok(paid)
    }

    /// Puts every claimed seat back in the queue for a retry in a second; nothing released.
    fn retry_later(&self, due: &[Due], now: Ts) -> usize {
        for d in due {
            self.b
                .stock
                .release_failed(d.activity_id, &d.user_id, now.plus_ms(1000));
        }
        0
    }

    fn log_releases(&self, n: usize, now: Ts) {
        let log = &self.releases;
        let pending = log.pending.fetch_add(n as u64, Ordering::Relaxed) + n as u64;
        let last = i64::try_from(log.last_ms.load(Ordering::Relaxed)).unwrap_or(0);
        if now.0 - last >= LOG_EVERY_MS {
            log.last_ms
                .store(u64::try_from(now.0).unwrap_or(0), Ordering::Relaxed);
            log.pending.store(0, Ordering::Relaxed);
            tracing::info!(released = pending, "expired holds released");
        }
    }

    /// Sweeps until the task is aborted (server shutdown).
    pub async fn run_sweeper(&self) {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut ticks = 0u64;
        loop {
            tick.tick().await;
            ticks += 1;
            // A shared gate can lose its state while this node runs (Redis restarted empty):
            // it refuses to decide until some node has rebuilt it, so look about once a second.
            if ticks.is_multiple_of(RECOVERY_CHECK_TICKS) {
                if let Err(e) = self.recover_if_needed().await {
                    tracing::error!(error = %e, "could not recover the stock gate; will retry");
                }
            }
            while self.sweep_once().await == SWEEP_BATCH {}
        }
    }

    /// Rebuilds the stock gate from stored entries and their payment tokens when (and only
    /// when) it has lost its state. Holds still live keep their expiry; holds that expired
    /// meanwhile are released by the first sweep. Returns whether it recovered.
    pub async fn recover_if_needed(&self) -> ServiceResult<bool> {
        if !self.b.stock.needs_recovery() {
            return Ok(false);
        }
        let grace = self.b.stock.recovery_grace();
        if !grace.is_zero() {
            tracing::warn!(
                grace_ms = grace.as_millis() as u64,
                "the stock gate lost its state; rebuilding from the store"
            );
            tokio::time::sleep(grace).await;
        }
        let repo = &self.b.repo;
        let fcfs: HashMap<i64, bool> = repo
            .activities(None)
            .await?
            .into_iter()
            .map(|a| (a.id, a.activity_type == ActivityType::FirstComeFirstServe))
            .collect();
        // entry → (reservation token, its expiry, latest expiry of any token)
        let mut holds: HashMap<i64, (String, Ts, Ts)> = HashMap::new();
        for t in self.b.fcfs.open_tokens().await? {
            let h = holds
                .entry(t.entry_id)
                .or_insert_with(|| (String::new(), Ts(i64::MIN), Ts(i64::MIN)));
            if t.kind == TokenKind::Reservation {
                h.0 = t.token;
                h.1 = t.expires_at;
            }
            h.2 = h.2.max(t.expires_at);
        }
        let mut seats = Vec::new();
        repo.all_entries(&mut |e| {
            let counts = matches!(e.status, EntryStatus::Approved | EntryStatus::Paid);
            let is_fcfs = fcfs.get(&e.activity_id).copied().unwrap_or(false);
            let hold = (is_fcfs && e.status == EntryStatus::Approved)
                .then(|| holds.get(&e.id))
                .flatten()
                .map(|(token, res, exp)| Hold {
                    reservation_token: token.clone(),
                    reservation_expires_at: *res,
                    expires_at: *exp,
                    order: e.order,
                });
            let state = match (hold, counts) {
                (_, false) => SeatState::Cancelled,
                (Some(h), true) => SeatState::Held(h),
                (None, true) => SeatState::Final,
            };
            seats.push(RecoveredSeat {
                activity_id: e.activity_id,
                seat: Seat {
                    entry_id: e.id,
                    units: e.quantity,
                    order: e.order,
                    state,
                },
                user_id: e.user_id,
            });
        })
        .await?;
        let n = seats.len();
        self.b.stock.recover(seats);
        tracing::info!(entries = n, "FCFS stock gate recovered from the store");
        Ok(true)
    }
}
