//! The gate's decisions, one transaction each: admit, abort, extend, begin/end confirm, claim
//! what is due, release — as conditional moves of a seat under its book's lock.

use super::*;

/// The answer to a person who already has a seat.
pub(super) fn answer_seat(s: SeatRow, now: Ts) -> Admit {
    debug_assert!(s.state != ABANDONED, "an abandoned seat is no seat");
    match s.state.as_str() {
        HELD if s.hold.reservation_expires_at > now => Admit::Retry(s.hold),
        WRITING => Admit::Duplicate { in_progress: true },
        _ => Admit::Duplicate { in_progress: false },
    }
}

pub(super) async fn admit(
    sh: Arc<Shared>,
    a: ActivityId,
    user: String,
    units: i64,
    limit: Option<i64>,
    now: Ts,
) -> Sql<Admit> {
    let d = sh.dialect;
    ensure_book(&sh, a).await?;
    // Without a lock first: a person who already has a seat, or a sold-out activity, is
    // answered from what is committed now (seats are never taken back but by their own
    // failed write, and `used` only falls by releases, which the next attempt sees) — so the
    // herd of late requests never queues on the book row.
    {
        let mut c = sh.pool.acquire().await?;
        if let Some(s) = seat(&mut c, d, a, &user, false).await? {
            if s.state != ABANDONED {
                return Ok(answer_seat(s, now));
            }
        }
        if let Some(l) = limit {
            let used: Option<i64> =
                query_scalar(&d.q("SELECT used FROM stock_books WHERE activity_id = ?"))
                    .bind(a)
                    .fetch_optional(&mut *c)
                    .await?;
            let used = used.unwrap_or(0);
            if used + units > l {
                return Ok(Admit::SoldOut {
                    remaining: (l - used).max(0),
                });
            }
        }
    }
    in_tx(&sh, |c| {
        let user = user.clone();
        Box::pin(async move {
            let (used, next_order) = lock_book(c, d, a).await?;
            if let Some(s) = seat(c, d, a, &user, true).await? {
                if s.state != ABANDONED {
                    return Ok(answer_seat(s, now));
                }
            }
            if let Some(l) = limit {
                if used + units > l {
                    return Ok(Admit::SoldOut {
                        remaining: (l - used).max(0),
                    });
                }
            }
            let order = next_order + 1;
            query(&d.q(
                "UPDATE stock_books SET used = used + ?, next_order = ? WHERE activity_id = ?",
            ))
            .bind(units)
            .bind(order)
            .bind(a)
            .execute(&mut *c)
            .await?;
            // The writer's lease: past it, a sweeper takes the seat back. The only row this
            // can meet is the person's abandoned seat, which it replaces.
            let sql = format!(
                "INSERT INTO stock_seats (activity_id, user_id, units, seat_order, state, entry_id, reservation_token, reservation_expires_at, expires_at) VALUES (?, ?, ?, ?, ?, 0, '', 0, ?){}",
                d.upsert(
                    "activity_id, user_id",
                    &["units", "seat_order", "state", "entry_id", "reservation_token", "reservation_expires_at", "expires_at"],
                )
            );
            query(&d.q(&sql))
                .bind(a)
                .bind(user.as_str())
                .bind(units)
                .bind(order)
                .bind(WRITING)
                .bind(now.0.saturating_add(WRITE_LEASE_MS))
                .execute(&mut *c)
                .await?;
            Ok(Admit::Reserved { order })
        })
    })
    .await
}

pub(super) async fn abort(sh: Arc<Shared>, a: ActivityId, user: String) -> Sql<()> {
    let d = sh.dialect;
    in_tx(&sh, |c| {
        let user = user.clone();
        Box::pin(async move {
            lock_book(c, d, a).await?;
            match seat(c, d, a, &user, true).await? {
                Some(s) if s.state == WRITING => {
                    query(&d.q(
                        "DELETE FROM stock_seats WHERE activity_id = ? AND user_id = ? AND state = ?",
                    ))
                    .bind(a)
                    .bind(user.as_str())
                    .bind(WRITING)
                    .execute(&mut *c)
                    .await?;
                    add_used(c, d, a, -s.units).await
                }
                _ => Ok(()),
            }
        })
    })
    .await
}

pub(super) async fn extend(
    sh: Arc<Shared>,
    a: ActivityId,
    user: String,
    approval_expires_at: Ts,
    now: Ts,
) -> Sql<Result<(), ConfirmRefusal>> {
    let d = sh.dialect;
    in_tx(&sh, |c| {
        let user = user.clone();
        Box::pin(async move {
            let Some(s) = seat(c, d, a, &user, true).await? else {
                return Ok(Err(ConfirmRefusal::Unknown));
            };
            match s.state.as_str() {
                HELD => {}
                FINAL => return Ok(Err(ConfirmRefusal::AlreadyFinal)),
                CONFIRMING => return Ok(Err(ConfirmRefusal::InProgress)),
                _ => return Ok(Err(ConfirmRefusal::Expired)),
            }
            if s.hold.reservation_expires_at <= now {
                return Ok(Err(ConfirmRefusal::Expired));
            }
            if approval_expires_at > s.hold.expires_at {
                query(&d.q(
                    "UPDATE stock_seats SET expires_at = ? WHERE activity_id = ? AND user_id = ?",
                ))
                .bind(approval_expires_at.0)
                .bind(a)
                .bind(user.as_str())
                .execute(&mut *c)
                .await?;
            }
            Ok(Ok(()))
        })
    })
    .await
}

pub(super) async fn begin_confirm(
    sh: Arc<Shared>,
    a: ActivityId,
    user: String,
    now: Ts,
) -> Sql<Result<i64, ConfirmRefusal>> {
    let d = sh.dialect;
    let mut c = sh.pool.acquire().await?;
    // The one statement that decides a confirm against an expiry: of the two, whichever
    // changes the row first wins, and the other finds it no longer `HELD`.
    let won = query(&d.q(
        "UPDATE stock_seats SET state = ? WHERE activity_id = ? AND user_id = ? AND state = ? AND expires_at > ?",
    ))
    .bind(CONFIRMING)
    .bind(a)
    .bind(user.as_str())
    .bind(HELD)
    .bind(now.0)
    .execute(&mut *c)
    .await?
    .rows_affected()
        == 1;
    let s = seat(&mut c, d, a, &user, false).await?;
    Ok(match s {
        Some(s) if won => Ok(s.units),
        None => Err(ConfirmRefusal::Unknown),
        Some(s) => Err(match s.state.as_str() {
            FINAL => ConfirmRefusal::AlreadyFinal,
            CONFIRMING => ConfirmRefusal::InProgress,
            WRITING => ConfirmRefusal::Unknown,
            _ => ConfirmRefusal::Expired,
        }),
    })
}

pub(super) async fn due(sh: Arc<Shared>, now: Ts, max: usize) -> Sql<Vec<Due>> {
    let d = sh.dialect;
    in_tx(&sh, |c| {
        Box::pin(async move {
            // Rows another node is claiming (or confirming) are skipped, not waited for.
            let sql = format!(
                "SELECT activity_id, user_id, entry_id, units FROM stock_seats WHERE {DUE} ORDER BY expires_at LIMIT ? FOR UPDATE SKIP LOCKED"
            );
            let rows = bind_due(query(&d.q(&sql)), now)
            .bind(i64::try_from(max).unwrap_or(i64::MAX))
            .fetch_all(&mut *c)
            .await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                out.push(Due {
                    activity_id: r.try_get(0)?,
                    user_id: str_col(r, 1)?,
                    entry_id: r.try_get(2)?,
                    units: r.try_get(3)?,
                });
            }
            for chunk in out.chunks(RECOVER_CHUNK) {
                let keys = vec!["(activity_id = ? AND user_id = ?)"; chunk.len()].join(" OR ");
                // Claimed now: a claim left stale is taken over only STALE_MS from now.
                let sql = format!(
                    "UPDATE stock_seats SET state = ?, expires_at = ? WHERE state IN (?, ?, ?, ?) AND ({keys})"
                );
                let sql = d.q(&sql);
                let mut q = query(&sql)
                    .bind(RELEASING)
                    .bind(now.0)
                    .bind(HELD)
                    .bind(WRITING)
                    .bind(CONFIRMING)
                    .bind(RELEASING);
                for due in chunk {
                    q = q.bind(due.activity_id).bind(due.user_id.as_str());
                }
                q.execute(&mut *c).await?;
            }
            Ok(out)
        })
    })
    .await
}

pub(super) async fn released(sh: Arc<Shared>, a: ActivityId, user: String) -> Sql<bool> {
    let d = sh.dialect;
    in_tx(&sh, |c| {
        let user = user.clone();
        Box::pin(async move {
            lock_book(c, d, a).await?;
            match seat(c, d, a, &user, true).await? {
                Some(s) if s.state == RELEASING => {
                    // No entry was ever settled into the seat: its node died mid-admission.
                    let to = if s.entry_id == 0 {
                        ABANDONED
                    } else {
                        CANCELLED
                    };
                    set_state(c, d, a, &user, RELEASING, to).await?;
                    add_used(c, d, a, -s.units).await?;
                    Ok(true)
                }
                _ => Ok(false),
            }
        })
    })
    .await
}

/// `from → to` for one seat; true when it was in `from`.
pub(super) async fn set_state(
    c: &mut AnyConnection,
    d: Dialect,
    a: ActivityId,
    user: &str,
    from: &str,
    to: &str,
) -> Sql<bool> {
    let r =
        query(&d.q(
            "UPDATE stock_seats SET state = ? WHERE activity_id = ? AND user_id = ? AND state = ?",
        ))
        .bind(to)
        .bind(a)
        .bind(user)
        .bind(from)
        .execute(&mut *c)
        .await?;
    Ok(r.rows_affected() > 0)
}

pub(super) fn state_name(s: &SeatState) -> &'static str {
    match s {
        SeatState::Writing => WRITING,
        SeatState::Held(_) => HELD,
        SeatState::Confirming(_) => CONFIRMING,
        SeatState::Releasing => RELEASING,
        SeatState::Final => FINAL,
        SeatState::Cancelled => CANCELLED,
    }
}
