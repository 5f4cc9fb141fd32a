//! The gate's writes, each inside the writer's transaction: entries with their token and
//! event, purchases with the stock's conditional decrement, coupon issues, giveaway draws.

use super::*;

pub(super) fn token_row(r: &AnyRow) -> SqlResult<TokenRecord> {
    Ok(TokenRecord {
        token: s(r, 0)?,
        kind: if s(r, 1)? == "APPROVAL" {
            TokenKind::Approval
        } else {
            TokenKind::Reservation
        },
        entry_id: i(r, 2)?,
        activity_id: i(r, 3)?,
        user_id: s(r, 4)?,
        expires_at: ts(r, 5)?,
    })
}

pub(super) async fn get_entry(
    c: &mut AnyConnection,
    d: Dialect,
    id: i64,
) -> SqlResult<Option<Entry>> {
    query(&d.q(&format!("{ENTRY_SELECT} WHERE id = ?")))
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        .db()?
        .map(|r| entry_row(&r))
        .transpose()
}

pub(crate) async fn insert_token(
    c: &mut AnyConnection,
    d: Dialect,
    t: &TokenRecord,
) -> SqlResult<()> {
    query(&d.q(
        "INSERT INTO gate_tokens (token, kind, entry_id, activity_id, user_id, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
    ))
    .bind(t.token.as_str())
    .bind(t.kind.as_str())
    .bind(t.entry_id)
    .bind(t.activity_id)
    .bind(t.user_id.as_str())
    .bind(t.expires_at.0)
    .execute(&mut *c)
    .await
    .db()?;
    Ok(())
}

pub(crate) async fn write_entry(
    c: &mut AnyConnection,
    d: Dialect,
    n: NewEntry,
    out: &mut Vec<Change>,
) -> SqlResult<WrittenEntry> {
    let e = &n.entry;
    let a = args![
        e.activity_id,
        e.user_id.clone(),
        e.status.as_str(),
        e.order,
        e.quantity,
        e.requested_at.0,
        e.processed_at.map(|t| t.0)
    ];
    let id = super::super::rows::insert_returning(
        c,
        d,
        "INSERT INTO entries (activity_id, user_id, status, ord, quantity, requested_at, processed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
        "id",
        a,
    )
    .await
    .map_err(|err| {
        if super::super::rows::is_unique(&err) {
            StoreError::conflict("DUPLICATED", "this user has already entered this activity")
        } else {
            super::super::rows::db_err(err)
        }
    })?
    .ok_or_else(|| StoreError::Internal("the entry was not stored".into()))?;
    let mut entry = n.entry.clone();
    entry.id = id;
    crate::sql::stock::settle_written(c, d, &entry, n.reservation.as_ref()).await?;
    if let Some((token, expires_at)) = n.reservation {
        insert_token(
            c,
            d,
            &TokenRecord {
                token,
                kind: TokenKind::Reservation,
                entry_id: entry.id,
                activity_id: entry.activity_id,
                user_id: entry.user_id.clone(),
                expires_at,
            },
        )
        .await?;
    }
    let user_coupon = match n.coupon_id {
        Some(coupon) => Some(
            coupons::issue(
                c,
                d,
                &entry.user_id,
                coupon,
                entry.activity_id,
                entry.requested_at,
            )
            .await?,
        ),
        None => None,
    };
    let report = insert_events(c, d, std::slice::from_ref(&n.event)).await?;
    let seq = report.seqs.first().copied().flatten();
    if let Some(seq) = seq {
        out.push(Change::Event {
            seq,
            event: n.event,
        });
    }
    out.push(Change::Entry(entry.clone()));
    Ok(WrittenEntry {
        entry,
        seq,
        user_coupon,
    })
}

pub(super) async fn purchase_by_order(
    c: &mut AnyConnection,
    d: Dialect,
    order: &str,
) -> SqlResult<Option<Purchase>> {
    query(&d.q(&format!("{PURCHASE_SELECT} WHERE order_id = ?")))
        .bind(order)
        .fetch_optional(&mut *c)
        .await
        .db()?
        .map(|r| purchase_row(&r))
        .transpose()
}

pub(crate) async fn write_purchase(
    c: &mut AnyConnection,
    d: Dialect,
    n: NewPurchase,
    out: &mut Vec<Change>,
) -> SqlResult<WrittenPurchase> {
    let p = &n.purchase;
    let order = p.order_id.clone().unwrap_or_default();
    if let Some(existing) = purchase_by_order(c, d, &order).await? {
        let entry = match n.entry_id {
            Some(id) => get_entry(c, d, id).await?,
            None => None,
        };
        return Ok(WrittenPurchase {
            purchase: existing,
            created: false,
            seq: None,
            entry,
            product: None,
        });
    }
    let mut entry = None;
    if let Some(id) = n.entry_id {
        let changed = query(&d.q(
            "UPDATE entries SET status = 'PAID', processed_at = ? WHERE id = ? AND status = 'APPROVED'",
        ))
        .bind(p.purchased_at.0)
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::conflict(
                "ENTRY_NOT_PAYABLE",
                format!("entry {id} is no longer awaiting payment"),
            ));
        }
        entry = get_entry(c, d, id).await?;
    }
    if let Some(product) = p.product_id {
        let changed =
            query(&d.q("UPDATE products SET stock = stock - ? WHERE id = ? AND stock >= ?"))
                .bind(p.quantity)
                .bind(product)
                .bind(p.quantity)
                .execute(&mut *c)
                .await
                .db()?
                .rows_affected();
        if changed == 0 {
            let stock: Option<i64> = query_scalar(&d.q("SELECT stock FROM products WHERE id = ?"))
                .bind(product)
                .fetch_optional(&mut *c)
                .await
                .db()?;
            if let Some(stock) = stock {
                return Err(StoreError::conflict(
                    "OUT_OF_STOCK",
                    format!(
                        "product {product} has {stock} in stock, {} requested",
                        p.quantity
                    ),
                ));
            }
        }
    }
    super::super::commerce::insert_purchases(c, d, std::slice::from_ref(p)).await?;
    let purchase = purchase_by_order(c, d, &order)
        .await?
        .ok_or_else(|| StoreError::Internal("the purchase vanished".into()))?;
    let mut event = n.event;
    event
        .properties
        .insert("purchaseId".into(), purchase.id.into());
    let report = insert_events(c, d, std::slice::from_ref(&event)).await?;
    let product = match p.product_id {
        Some(id) => super::super::catalog::get_product(c, d, id).await?,
        None => None,
    };
    let seq = report.seqs.first().copied().flatten();
    if let Some(seq) = seq {
        out.push(Change::Event { seq, event });
    }
    out.extend(entry.clone().map(Change::Entry));
    out.push(Change::Purchase(purchase.clone()));
    out.extend(product.clone().map(Change::Product));
    Ok(WrittenPurchase {
        purchase,
        created: true,
        seq,
        entry,
        product,
    })
}

/// Marks these APPROVED entries CANCELLED; returns those that changed.
pub(crate) async fn cancel_rows(
    c: &mut AnyConnection,
    d: Dialect,
    ids: Vec<i64>,
    at: Ts,
    out: &mut Vec<Change>,
) -> SqlResult<Vec<Entry>> {
    let mut changed = Vec::new();
    for id in ids {
        let n = query(&d.q(
            "UPDATE entries SET status = 'CANCELLED', processed_at = ? WHERE id = ? AND status = 'APPROVED'",
        ))
        .bind(at.0)
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?
        .rows_affected();
        if n == 1 {
            changed.extend(get_entry(c, d, id).await?);
        }
    }
    out.extend(changed.iter().cloned().map(Change::Entry));
    Ok(changed)
}

pub(super) async fn write_draw(
    c: &mut AnyConnection,
    d: Dialect,
    draw: &Draw,
    entries: &[Entry],
    events: &[Event],
    out: &mut Vec<Change>,
) -> SqlResult<DrawWritten> {
    let winners = serde_json::to_string(&draw.winners).unwrap_or_default();
    query(&d.q(
        "INSERT INTO draws (activity_id, seed, participants, winners, drawn_at) VALUES (?, ?, ?, ?, ?)",
    ))
    .bind(draw.activity_id)
    .bind(draw.seed.to_string())
    .bind(draw.participants)
    .bind(winners)
    .bind(draw.drawn_at.0)
    .execute(&mut *c)
    .await
    .map_err(|e| {
        if super::super::rows::is_unique(&e) {
            StoreError::conflict(
                "ALREADY_DRAWN",
                format!("activity {} has already been drawn", draw.activity_id),
            )
        } else {
            super::super::rows::db_err(e)
        }
    })?;
    super::super::commerce::insert_entries(c, d, entries).await?;
    let mut stored = Vec::with_capacity(entries.len());
    for e in entries {
        let id: i64 =
            query_scalar(&d.q("SELECT id FROM entries WHERE activity_id = ? AND user_id = ?"))
                .bind(e.activity_id)
                .bind(e.user_id.as_str())
                .fetch_one(&mut *c)
                .await
                .db()?;
        stored.push(Entry { id, ..e.clone() });
    }
    let report = insert_events(c, d, events).await?;
    let seqs: Vec<(u64, Event)> = report
        .seqs
        .iter()
        .zip(events)
        .filter_map(|(s, e)| s.map(|s| (s, e.clone())))
        .collect();
    out.extend(seqs.iter().map(|(seq, event)| Change::Event {
        seq: *seq,
        event: event.clone(),
    }));
    out.extend(stored.iter().cloned().map(Change::Entry));
    Ok((stored, seqs))
}
