//! Coupons and user coupons on SQLite (helpers of the `GateRepo` impl in `gate.rs`).

use super::rows::{dec, opt_ts, ts, wire};
use crate::StoreError;
use axon_domain::coupon::{Coupon, UserCoupon};
use axon_domain::model::CouponStatus;
use axon_domain::{Dec2, Ts};
use rusqlite::{params, Connection, OptionalExtension, Row};

pub(super) const COUPON_SELECT: &str = "SELECT id, name, discount_amount, discount_rate, min_order_amount, target_category, start_date, end_date, created_at FROM coupons";
pub(super) const USER_COUPON_SELECT: &str =
    "SELECT id, user_id, coupon_id, activity_id, status, issued_at, used_at FROM user_coupons";

pub(super) fn coupon_row(r: &Row<'_>) -> rusqlite::Result<Coupon> {
    Ok(Coupon {
        id: r.get(0)?,
        name: r.get(1)?,
        discount_amount: r.get::<_, Option<i64>>(2)?.map(Dec2),
        discount_rate: r.get::<_, Option<i64>>(3)?.map(Dec2),
        min_order_amount: dec(r, 4)?,
        target_category: r.get(5)?,
        start_date: ts(r, 6)?,
        end_date: ts(r, 7)?,
        created_at: ts(r, 8)?,
    })
}

pub(super) fn user_coupon_row(r: &Row<'_>) -> rusqlite::Result<UserCoupon> {
    Ok(UserCoupon {
        id: r.get(0)?,
        user_id: r.get(1)?,
        coupon_id: r.get(2)?,
        activity_id: r.get(3)?,
        status: wire(r, 4, CouponStatus::parse)?,
        issued_at: ts(r, 5)?,
        used_at: opt_ts(r, 6)?,
    })
}

pub(super) fn save_coupon(conn: &Connection, c: &Coupon) -> Result<Coupon, StoreError> {
    let id = (c.id != 0).then_some(c.id);
    conn.execute(
        "INSERT INTO coupons (id, name, discount_amount, discount_rate, min_order_amount, target_category, start_date, end_date, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, discount_amount = excluded.discount_amount,
           discount_rate = excluded.discount_rate, min_order_amount = excluded.min_order_amount,
           target_category = excluded.target_category, start_date = excluded.start_date, end_date = excluded.end_date",
        params![id, c.name, c.discount_amount.map(|d| d.0), c.discount_rate.map(|d| d.0), c.min_order_amount.0,
            c.target_category, c.start_date.0, c.end_date.0, c.created_at.0],
    )?;
    let id = id.unwrap_or_else(|| conn.last_insert_rowid());
    get_coupon(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("coupon {id}")))
}

pub(super) fn get_coupon(conn: &Connection, id: i64) -> Result<Option<Coupon>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{COUPON_SELECT} WHERE id = ?"))?
        .query_row([id], coupon_row)
        .optional()?)
}

pub(super) fn delete_coupon(conn: &Connection, id: i64) -> Result<(), StoreError> {
    let used: i64 = conn.query_row(
        "SELECT count(*) FROM user_coupons WHERE coupon_id = ?",
        [id],
        |r| r.get(0),
    )?;
    if used > 0 {
        return Err(StoreError::conflict(
            "COUPON_IN_USE",
            format!("coupon {id} has been issued {used} times and cannot be deleted"),
        ));
    }
    if conn.execute("DELETE FROM coupons WHERE id = ?", [id])? == 0 {
        return Err(StoreError::NotFound(format!("coupon {id}")));
    }
    Ok(())
}

pub(super) fn get_user_coupon(
    conn: &Connection,
    id: i64,
) -> Result<Option<UserCoupon>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{USER_COUPON_SELECT} WHERE id = ?"))?
        .query_row([id], user_coupon_row)
        .optional()?)
}

/// Issues a coupon to a user (the gate's COUPON activities).
pub(super) fn issue(
    conn: &Connection,
    user: &str,
    coupon_id: i64,
    activity: i64,
    at: Ts,
) -> Result<UserCoupon, StoreError> {
    if get_coupon(conn, coupon_id)?.is_none() {
        return Err(StoreError::conflict(
            "UNKNOWN_COUPON",
            format!("coupon {coupon_id} does not exist"),
        ));
    }
    conn.prepare_cached(
        "INSERT INTO user_coupons (user_id, coupon_id, activity_id, status, issued_at) VALUES (?1, ?2, ?3, 'ISSUED', ?4)",
    )?
    .execute(params![user, coupon_id, activity, at.0])?;
    let id = conn.last_insert_rowid();
    get_user_coupon(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("user coupon {id}")))
}

pub(super) fn use_coupon(conn: &Connection, id: i64, at: Ts) -> Result<UserCoupon, StoreError> {
    let n = conn.execute(
        "UPDATE user_coupons SET status = 'USED', used_at = ?2 WHERE id = ?1 AND status = 'ISSUED'",
        params![id, at.0],
    )?;
    let uc = get_user_coupon(conn, id)?
        .ok_or_else(|| StoreError::NotFound(format!("user coupon {id}")))?;
    if n == 0 {
        return Err(StoreError::conflict(
            "COUPON_ALREADY_USED",
            format!("user coupon {id} is {}", uc.status.as_str()),
        ));
    }
    Ok(uc)
}
