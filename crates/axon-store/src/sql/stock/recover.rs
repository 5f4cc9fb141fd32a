//! Building the gate from the stored entries, once per database (the marker row).

use super::*;

/// Builds the gate from the stored entries — once per database: the first node to insert the
/// marker row does it (a second node's insert waits on that row's key, then finds it there).
pub(super) async fn recover(
    sh: Arc<Shared>,
    seats: Arc<Vec<RecoveredSeat>>,
    now: i64,
) -> Sql<bool> {
    let d = sh.dialect;
    in_tx(&sh, |c| {
        let seats = seats.clone();
        let shared = sh.clone();
        Box::pin(async move {
            let won = query(&d.q(&d.insert_ignore(
                "stock_gate (id, recovered_at) VALUES (1, ?)",
            )))
            .bind(now)
            .execute(&mut *c)
            .await?
            .rows_affected()
                == 1;
            if !won {
                return Ok(false);
            }
            query("DELETE FROM stock_seats").execute(&mut *c).await?;
            query("DELETE FROM stock_books").execute(&mut *c).await?;
            shared.books.lock().clear();
            let mut books: std::collections::BTreeMap<ActivityId, (i64, i64)> =
                Default::default();
            for s in seats.iter() {
                let b = books.entry(s.activity_id).or_default();
                if s.seat.state.counts() {
                    b.0 += s.seat.units;
                }
                b.1 = b.1.max(s.seat.order);
            }
            for chunk in seats.chunks(RECOVER_CHUNK) {
                let rows = vec!["(?, ?, ?, ?, ?, ?, ?, ?, ?)"; chunk.len()].join(", ");
                let sql = format!(
                    "INSERT INTO stock_seats (activity_id, user_id, entry_id, units, seat_order, state, reservation_token, reservation_expires_at, expires_at) VALUES {rows}"
                );
                let sql = d.q(&sql);
                let mut q = query(&sql);
                for s in chunk {
                    let (token, res, exp) = match &s.seat.state {
                        SeatState::Held(h) | SeatState::Confirming(h) => (
                            h.reservation_token.clone(),
                            h.reservation_expires_at.0,
                            h.expires_at.0,
                        ),
                        _ => (String::new(), 0, 0),
                    };
                    q = q
                        .bind(s.activity_id)
                        .bind(s.user_id.clone())
                        .bind(s.seat.entry_id)
                        .bind(s.seat.units)
                        .bind(s.seat.order)
                        .bind(state_name(&s.seat.state))
                        .bind(token)
                        .bind(res)
                        .bind(exp);
                }
                q.execute(&mut *c).await?;
            }
            for (a, (used, next)) in books {
                query(&d.q(
                    "INSERT INTO stock_books (activity_id, used, next_order) VALUES (?, ?, ?)",
                ))
                .bind(a)
                .bind(used)
                .bind(next)
                .execute(&mut *c)
                .await?;
            }
            Ok(true)
        })
    })
    .await
}
