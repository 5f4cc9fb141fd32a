//! The FCFS stock gate on the shared database (issue 12, deliverable 3): the same decisions as
//! the embedded ledger (`axon-engine::ledger`), taken by the database so nodes that share only
//! the database never oversell.
//!
//! - `stock_books` holds, per activity, the units held or sold (`used`) and the last order
//!   number. Every change of `used` happens under that row's lock (`SELECT … FOR UPDATE`), and
//!   an admission checks the limit under it: the units counted never exceed the limit, and the
//!   `CHECK (used >= 0)` keeps them from going below zero.
//! - `stock_seats` holds one seat per (activity, user) — the primary key refuses a second — in
//!   the ledger's states (`WRITING`, `HELD`, `CONFIRMING`, `RELEASING`, `FINAL`, `CANCELLED`).
//!   State moves are conditional updates (`… WHERE state = 'HELD'`), so of a confirm and an
//!   expiry racing for one hold exactly one wins.
//! - Expired holds are claimed with `FOR UPDATE SKIP LOCKED`: each is moved to `RELEASING` by
//!   one node, and a hold whose confirm is in flight is no longer `HELD`, so it is never claimed.
//!
//! Locks are always taken book first, then seat, so two transactions never wait on each other in
//! a cycle; a deadlock or serialisation failure reported anyway is retried.
//!
//! The port is synchronous (the embedded ledger decides under a mutex, never across I/O): each
//! call here runs on the store's own runtime and blocks the caller for one short transaction,
//! moving the caller's other tasks off its worker (`block_in_place`) when it runs on a
//! multi-threaded runtime. A database error is logged and answered as `Unavailable` (admit,
//! extend, confirm), nothing due, or no change.
//!
//! A node that dies mid-way (between `admit` and `committed`, `begin_confirm` and `end_confirm`,
//! `due` and `released`) leaves its seat `WRITING` (`CONFIRMING`, `RELEASING`). Such seats are
//! leased: a `WRITING` seat is due once [`WRITE_LEASE_MS`] have passed since its admission, a
//! `CONFIRMING` or `RELEASING` one [`STALE_MS`] after its hold expired (or it was claimed), and
//! any node's sweeper then settles it as it settles an expired hold — cancels the entry if one
//! was written, keeps the units sold if it was paid, else returns them. Fencing makes a late
//! write harmless: the entry's own transaction moves its seat out of `WRITING`
//! ([`settle_written`]) and is refused when the seat was taken back; a late payment finds its
//! entry cancelled. A seat taken back before any entry was written becomes `ABANDONED`: its
//! units are returned and the person may enter again.

mod moves;
mod recover;

use super::{Dialect, Shared, SqlStore};
use axon_domain::model::ActivityId;
use axon_domain::Ts;
use axon_ports::aggregates::StockLevels;
use axon_ports::stock::{Admit, ConfirmRefusal, Due, Hold, RecoveredSeat, SeatState, StockGate};
use moves::*;
use recover::recover;
use sqlx_core::any::{AnyConnection, AnyRow};
use sqlx_core::query::query;
use sqlx_core::query_scalar::query_scalar;
use sqlx_core::row::Row;
use std::future::Future;
use std::sync::Arc;

const WRITING: &str = "WRITING";
const HELD: &str = "HELD";
const CONFIRMING: &str = "CONFIRMING";
const RELEASING: &str = "RELEASING";
const FINAL: &str = "FINAL";
const CANCELLED: &str = "CANCELLED";
/// Released before any entry was written for it (its node died mid-admission): no units, and
/// the person may be admitted again.
const ABANDONED: &str = "ABANDONED";

/// How long a seat may stay `WRITING` (its entry being written) before a sweeper takes it back.
pub(crate) const WRITE_LEASE_MS: i64 = 30_000;
/// How long past its expiry (or its claim) a seat may stay `CONFIRMING` or `RELEASING` before a
/// sweeper takes it over.
pub(crate) const STALE_MS: i64 = 60_000;

/// Seats inserted per statement by a recovery.
const RECOVER_CHUNK: usize = 500;
/// Attempts of one gate transaction when the database reports a deadlock or serialisation
/// failure (SQLSTATE class 40).
const ATTEMPTS: usize = 8;

type Sql<T> = Result<T, sqlx_core::Error>;

/// True for the failures a retry can cure (deadlock, serialisation).
fn retryable(e: &sqlx_core::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c.starts_with("40"))
}

fn str_col(r: &AnyRow, idx: usize) -> Sql<String> {
    match r.try_get::<String, _>(idx) {
        Ok(v) => Ok(v),
        // MySQL reports text to the Any driver as bytes.
        Err(first) => r
            .try_get::<Vec<u8>, _>(idx)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .map_err(|_| first),
    }
}

/// A seat as the decisions need it.
struct SeatRow {
    state: String,
    units: i64,
    hold: Hold,
    /// 0 until an entry was settled into the seat.
    entry_id: i64,
}

/// The seats a sweeper settles (binds: HELD, WRITING, now, CONFIRMING, RELEASING, now − STALE):
/// expired holds and seats whose writer's lease ended, then confirms and releases left stale.
const DUE: &str = "(state IN (?, ?) AND expires_at <= ?) OR (state IN (?, ?) AND expires_at <= ?)";

type AnyQuery<'q> =
    sqlx_core::query::Query<'q, sqlx_core::any::Any, sqlx_core::any::AnyArguments<'q>>;

/// [`DUE`]'s values at `now`.
fn bind_due(q: AnyQuery<'_>, now: Ts) -> AnyQuery<'_> {
    q.bind(HELD)
        .bind(WRITING)
        .bind(now.0)
        .bind(CONFIRMING)
        .bind(RELEASING)
        .bind(now.0.saturating_sub(STALE_MS))
}

const SEAT_COLS: &str =
    "state, units, seat_order, reservation_token, reservation_expires_at, expires_at, entry_id";

fn seat_row(r: &AnyRow) -> Sql<SeatRow> {
    let order = r.try_get::<i64, _>(2)?;
    Ok(SeatRow {
        state: str_col(r, 0)?,
        units: r.try_get(1)?,
        hold: Hold {
            reservation_token: str_col(r, 3)?,
            reservation_expires_at: Ts(r.try_get(4)?),
            expires_at: Ts(r.try_get(5)?),
            order,
        },
        entry_id: r.try_get(6)?,
    })
}

async fn seat(
    c: &mut AnyConnection,
    d: Dialect,
    a: ActivityId,
    user: &str,
    lock: bool,
) -> Sql<Option<SeatRow>> {
    let sql = format!(
        "SELECT {SEAT_COLS} FROM stock_seats WHERE activity_id = ? AND user_id = ?{}",
        if lock { " FOR UPDATE" } else { "" }
    );
    query(&d.q(&sql))
        .bind(a)
        .bind(user)
        .fetch_optional(&mut *c)
        .await?
        .map(|r| seat_row(&r))
        .transpose()
}

/// `WRITING → HELD` (with `hold`) or `→ FINAL` (without) for the seat, naming its entry; true
/// when the seat was `WRITING`.
async fn settle(
    c: &mut AnyConnection,
    d: Dialect,
    a: ActivityId,
    user: &str,
    entry_id: i64,
    hold: Option<&Hold>,
) -> Sql<bool> {
    let (state, token, res, exp) = match hold {
        Some(h) => (
            HELD,
            h.reservation_token.as_str(),
            h.reservation_expires_at.0,
            h.expires_at.0,
        ),
        None => (FINAL, "", 0, 0),
    };
    let r = query(&d.q(
        "UPDATE stock_seats SET entry_id = ?, state = ?, reservation_token = ?, reservation_expires_at = ?, expires_at = ? WHERE activity_id = ? AND user_id = ? AND state = ?",
    ))
    .bind(entry_id)
    .bind(state)
    .bind(token)
    .bind(res)
    .bind(exp)
    .bind(a)
    .bind(user)
    .bind(WRITING)
    .execute(&mut *c)
    .await?;
    Ok(r.rows_affected() == 1)
}

/// In an entry's own transaction: settles the person's seat as `committed` does ([`settle`]),
/// but atomic with the entry, so a seat a sweeper takes back after its lease can never gain an
/// entry later. An entry whose seat is no longer `WRITING` is refused; one without a seat
/// (another gate — Redis — or an activity without stock) is not this gate's to judge.
pub(crate) async fn settle_written(
    c: &mut AnyConnection,
    d: Dialect,
    entry: &axon_domain::model::Entry,
    reservation: Option<&(String, Ts)>,
) -> Result<(), crate::StoreError> {
    use crate::sql::rows::Db;
    let hold = reservation.map(|(token, at)| Hold {
        reservation_token: token.clone(),
        reservation_expires_at: *at,
        expires_at: *at,
        order: entry.order,
    });
    let (a, user) = (entry.activity_id, entry.user_id.as_str());
    if settle(c, d, a, user, entry.id, hold.as_ref()).await.db()? {
        return Ok(());
    }
    match seat(c, d, a, user, false).await.db()? {
        None => Ok(()),
        Some(_) => Err(crate::StoreError::conflict(
            "RESERVATION_LOST",
            "the seat was released before the entry was written; enter again",
        )),
    }
}

/// Locks the activity's book row (creating it first if needed); answers (used, next_order).
async fn lock_book(c: &mut AnyConnection, d: Dialect, a: ActivityId) -> Sql<(i64, i64)> {
    let select = d.q("SELECT used, next_order FROM stock_books WHERE activity_id = ? FOR UPDATE");
    for _ in 0..2 {
        if let Some(r) = query(&select).bind(a).fetch_optional(&mut *c).await? {
            return Ok((r.try_get(0)?, r.try_get(1)?));
        }
        query(
            &d.q(&d.insert_ignore("stock_books (activity_id, used, next_order) VALUES (?, 0, 0)")),
        )
        .bind(a)
        .execute(&mut *c)
        .await?;
    }
    Err(sqlx_core::Error::RowNotFound)
}

async fn add_used(c: &mut AnyConnection, d: Dialect, a: ActivityId, delta: i64) -> Sql<()> {
    query(&d.q("UPDATE stock_books SET used = used + ? WHERE activity_id = ?"))
        .bind(delta)
        .bind(a)
        .execute(&mut *c)
        .await?;
    Ok(())
}

/// Makes sure the activity's book row exists, in its own statement: creating it inside the
/// admitting transaction would have concurrent first admissions deadlock on MySQL (their gap
/// locks block each other's inserts).
async fn ensure_book(sh: &Shared, a: ActivityId) -> Sql<()> {
    if sh.books.lock().contains(&a) {
        return Ok(());
    }
    let d = sh.dialect;
    query(&d.q(&d.insert_ignore("stock_books (activity_id, used, next_order) VALUES (?, 0, 0)")))
        .bind(a)
        .execute(&sh.pool)
        .await?;
    sh.books.lock().insert(a);
    Ok(())
}

/// Runs `step` in a transaction, committing its answer; retried on deadlock/serialisation.
async fn in_tx<T, F>(sh: &Shared, step: F) -> Sql<T>
where
    F: for<'c> Fn(
        &'c mut AnyConnection,
    ) -> std::pin::Pin<Box<dyn Future<Output = Sql<T>> + Send + 'c>>,
{
    let mut last = None;
    for attempt in 0..ATTEMPTS {
        if attempt > 0 {
            // Spread the retries of transactions that collided.
            let jitter = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |t| u64::from(t.subsec_nanos() % 7));
            tokio::time::sleep(std::time::Duration::from_millis(
                attempt as u64 * 2 + jitter,
            ))
            .await;
        }
        let mut tx = sh.pool.begin().await?;
        match step(&mut tx).await {
            Ok(v) => match tx.commit().await {
                Ok(()) => return Ok(v),
                Err(e) if retryable(&e) => last = Some(e),
                Err(e) => return Err(e),
            },
            Err(e) => {
                let _ = tx.rollback().await;
                if !retryable(&e) {
                    return Err(e);
                }
                last = Some(e);
            }
        }
    }
    Err(last.unwrap_or(sqlx_core::Error::PoolClosed))
}

impl SqlStore {
    /// Runs one gate operation on the store's runtime and waits for it; `None` after a logged
    /// database error.
    fn gate<T, Fut>(&self, op: &'static str, f: impl FnOnce(Arc<Shared>) -> Fut) -> Option<T>
    where
        T: Send + 'static,
        Fut: Future<Output = Sql<T>> + Send + 'static,
    {
        let fut = f(self.shared.clone());
        let answer = axon_ports::blocking::run_on(&self.shared.rt, fut);
        match answer {
            Some(Ok(v)) => Some(v),
            Some(Err(e)) => {
                tracing::error!(op, error = %e, "stock gate: database error");
                None
            }
            None => {
                tracing::error!(op, "stock gate: the database runtime stopped");
                None
            }
        }
    }
}

impl StockLevels for SqlStore {
    fn remaining(&self, activity: ActivityId, limit: Option<i64>) -> i64 {
        let Some(l) = limit else {
            return i64::MAX;
        };
        let d = self.shared.dialect;
        let used = self.gate("remaining", move |sh| async move {
            query_scalar::<_, i64>(&d.q("SELECT used FROM stock_books WHERE activity_id = ?"))
                .bind(activity)
                .fetch_optional(&sh.pool)
                .await
        });
        match used {
            Some(u) => (l - u.unwrap_or(0)).max(0),
            // Unknown: show none left rather than promise stock that may be gone.
            None => 0,
        }
    }

    fn held(&self, activity: ActivityId) -> i64 {
        let d = self.shared.dialect;
        self.gate("held", move |sh| async move {
            let sql = format!(
                "SELECT {} FROM stock_seats WHERE activity_id = ? AND state IN (?, ?, ?)",
                d.int_sum("units")
            );
            query_scalar::<_, i64>(&d.q(&sql))
                .bind(activity)
                .bind(HELD)
                .bind(CONFIRMING)
                .bind(RELEASING)
                .fetch_one(&sh.pool)
                .await
        })
        .unwrap_or(0)
    }
}

impl StockGate for SqlStore {
    fn live_hold(&self, activity: ActivityId, user: &str, now: Ts) -> Option<Hold> {
        let d = self.shared.dialect;
        let user = user.to_string();
        self.gate("live_hold", move |sh| async move {
            let mut c = sh.pool.acquire().await?;
            Ok(seat(&mut c, d, activity, &user, false)
                .await?
                .filter(|s| s.state == HELD && s.hold.reservation_expires_at > now)
                .map(|s| s.hold))
        })
        .flatten()
    }

    fn admit(
        &self,
        activity: ActivityId,
        user: &str,
        units: i64,
        limit: Option<i64>,
        now: Ts,
    ) -> Admit {
        let user = user.to_string();
        self.gate("admit", move |sh| {
            admit(sh, activity, user, units, limit, now)
        })
        .unwrap_or(Admit::Unavailable)
    }

    fn committed(&self, activity: ActivityId, user: &str, entry_id: i64, hold: Option<Hold>) {
        let d = self.shared.dialect;
        let user = user.to_string();
        self.gate("committed", move |sh| async move {
            let mut c = sh.pool.acquire().await?;
            settle(&mut c, d, activity, &user, entry_id, hold.as_ref())
                .await
                .map(|_| ())
        });
    }

    fn abort(&self, activity: ActivityId, user: &str) {
        let user = user.to_string();
        self.gate("abort", move |sh| abort(sh, activity, user));
    }

    fn extend(
        &self,
        activity: ActivityId,
        user: &str,
        approval_expires_at: Ts,
        now: Ts,
    ) -> Result<(), ConfirmRefusal> {
        let user = user.to_string();
        self.gate("extend", move |sh| {
            extend(sh, activity, user, approval_expires_at, now)
        })
        .unwrap_or(Err(ConfirmRefusal::Unavailable))
    }

    fn begin_confirm(
        &self,
        activity: ActivityId,
        user: &str,
        now: Ts,
    ) -> Result<i64, ConfirmRefusal> {
        let user = user.to_string();
        self.gate("begin_confirm", move |sh| {
            begin_confirm(sh, activity, user, now)
        })
        .unwrap_or(Err(ConfirmRefusal::Unavailable))
    }

    fn end_confirm(&self, activity: ActivityId, user: &str, paid: bool) {
        let d = self.shared.dialect;
        let user = user.to_string();
        self.gate("end_confirm", move |sh| async move {
            let mut c = sh.pool.acquire().await?;
            set_state(
                &mut c,
                d,
                activity,
                &user,
                CONFIRMING,
                if paid { FINAL } else { HELD },
            )
            .await
        });
    }

    fn due(&self, now: Ts, max: usize) -> Vec<Due> {
        self.gate("due", move |sh| due(sh, now, max))
            .unwrap_or_default()
    }

    fn has_due(&self, now: Ts) -> bool {
        let d = self.shared.dialect;
        self.gate("has_due", move |sh| async move {
            let sql = format!("SELECT 1 FROM stock_seats WHERE {DUE} LIMIT 1");
            bind_due(query(&d.q(&sql)), now)
                .fetch_optional(&sh.pool)
                .await
                .map(|r| r.is_some())
        })
        .unwrap_or(false)
    }

    fn released(&self, activity: ActivityId, user: &str) -> bool {
        let user = user.to_string();
        self.gate("released", move |sh| released(sh, activity, user))
            .unwrap_or(false)
    }

    fn finalised(&self, activity: ActivityId, user: &str) -> bool {
        let d = self.shared.dialect;
        let user = user.to_string();
        self.gate("finalised", move |sh| async move {
            let mut c = sh.pool.acquire().await?;
            set_state(&mut c, d, activity, &user, RELEASING, FINAL).await
        })
        .unwrap_or(false)
    }

    fn release_failed(&self, activity: ActivityId, user: &str, retry_at: Ts) {
        let d = self.shared.dialect;
        let user = user.to_string();
        self.gate("release_failed", move |sh| async move {
            query(&d.q(
                "UPDATE stock_seats SET state = ?, reservation_token = '', reservation_expires_at = ?, expires_at = ? WHERE activity_id = ? AND user_id = ? AND state = ?",
            ))
            .bind(HELD)
            .bind(i64::MIN)
            .bind(retry_at.0)
            .bind(activity)
            .bind(user)
            .bind(RELEASING)
            .execute(&sh.pool)
            .await
            .map(|_| ())
        });
    }

    /// True until some node has built this database's gate from its entries (the state is
    /// durable and shared, so it is never lost by a node restarting).
    fn needs_recovery(&self) -> bool {
        self.gate("needs_recovery", move |sh| async move {
            query_scalar::<_, i64>("SELECT recovered_at FROM stock_gate WHERE id = 1")
                .fetch_optional(&sh.pool)
                .await
        })
        .is_some_and(|marker| marker.is_none())
    }

    /// Replaces the gate with these seats, once per database (see [`recover`]): a node that
    /// finds the gate already built by another leaves it, since that one may be serving.
    fn recover(&self, seats: Vec<RecoveredSeat>) {
        let now = self.shared.now();
        let seats = Arc::new(seats);
        self.gate("recover", move |sh| recover(sh, seats, now));
    }
}
