//! Coupons and user coupons on the SQL backends (helpers of the `GateRepo` impl in `gate.rs`;
//! mirrors `sqlite/coupons.rs`).

use super::rows::{args, dec, i, oi, os, ots, s, ts, wire, Db, SqlResult};
use super::Dialect;
use crate::StoreError;
use axon_domain::coupon::{Coupon, UserCoupon};
use axon_domain::model::CouponStatus;
use axon_domain::{Dec2, Ts};
use sqlx_core::any::{AnyConnection, AnyRow};
use sqlx_core::query::query;

pub(super) const COUPON_SELECT: &str = "SELECT id, name, discount_amount, discount_rate, min_order_amount, target_category, start_date, end_date, created_at FROM coupons";
pub(super) const USER_COUPON_SELECT: &str =
    "SELECT id, user_id, coupon_id, activity_id, status, issued_at, used_at FROM user_coupons";

pub(super) fn coupon_row(r: &AnyRow) -> SqlResult<Coupon> {
    Ok(Coupon {
        id: i(r, 0)?,
        name: s(r, 1)?,
        discount_amount: oi(r, 2)?.map(Dec2),
        discount_rate: oi(r, 3)?.map(Dec2),
        min_order_amount: dec(r, 4)?,
        target_category: os(r, 5)?,
        start_date: ts(r, 6)?,
        end_date: ts(r, 7)?,
        created_at: ts(r, 8)?,
    })
}

pub(super) fn user_coupon_row(r: &AnyRow) -> SqlResult<UserCoupon> {
    Ok(UserCoupon {
        id: i(r, 0)?,
        user_id: s(r, 1)?,
        coupon_id: i(r, 2)?,
        activity_id: oi(r, 3)?,
        status: wire(r, 4, CouponStatus::parse)?,
        issued_at: ts(r, 5)?,
        used_at: ots(r, 6)?,
    })
}

pub(super) async fn save_coupon(
    c: &mut AnyConnection,
    d: Dialect,
    k: &Coupon,
) -> SqlResult<Coupon> {
    let mut id = k.id;
    let mut updated = 0;
    if id != 0 {
        updated = query(&d.q(
            "UPDATE coupons SET name = ?, discount_amount = ?, discount_rate = ?, min_order_amount = ?,
               target_category = ?, start_date = ?, end_date = ? WHERE id = ?",
        ))
        .bind(k.name.as_str())
        .bind(k.discount_amount.map(|v| v.0))
        .bind(k.discount_rate.map(|v| v.0))
        .bind(k.min_order_amount.0)
        .bind(k.target_category.as_deref())
        .bind(k.start_date.0)
        .bind(k.end_date.0)
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?
        .rows_affected();
    } else {
        id = super::rows::next_id(c, "coupons", "id").await?;
    }
    if updated == 0 {
        query(&d.q(
            "INSERT INTO coupons (id, name, discount_amount, discount_rate, min_order_amount, target_category, start_date, end_date, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ))
        .bind(id)
        .bind(k.name.as_str())
        .bind(k.discount_amount.map(|v| v.0))
        .bind(k.discount_rate.map(|v| v.0))
        .bind(k.min_order_amount.0)
        .bind(k.target_category.as_deref())
        .bind(k.start_date.0)
        .bind(k.end_date.0)
        .bind(k.created_at.0)
        .execute(&mut *c)
        .await
        .db()?;
    }
    get_coupon(c, d, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("coupon {id}")))
}

pub(super) async fn get_coupon(
    c: &mut AnyConnection,
    d: Dialect,
    id: i64,
) -> SqlResult<Option<Coupon>> {
    query(&d.q(&format!("{COUPON_SELECT} WHERE id = ?")))
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        .db()?
        .map(|r| coupon_row(&r))
        .transpose()
}

pub(super) async fn delete_coupon(c: &mut AnyConnection, d: Dialect, id: i64) -> SqlResult<()> {
    let used: i64 = sqlx_core::query_scalar::query_scalar(
        &d.q("SELECT count(*) FROM user_coupons WHERE coupon_id = ?"),
    )
    .bind(id)
    .fetch_one(&mut *c)
    .await
    .db()?;
    if used > 0 {
        return Err(StoreError::conflict(
            "COUPON_IN_USE",
            format!("coupon {id} has been issued {used} times and cannot be deleted"),
        ));
    }
    let n = query(&d.q("DELETE FROM coupons WHERE id = ?"))
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?
        .rows_affected();
    if n == 0 {
        return Err(StoreError::NotFound(format!("coupon {id}")));
    }
    Ok(())
}

pub(super) async fn get_user_coupon(
    c: &mut AnyConnection,
    d: Dialect,
    id: i64,
) -> SqlResult<Option<UserCoupon>> {
    query(&d.q(&format!("{USER_COUPON_SELECT} WHERE id = ?")))
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        .db()?
        .map(|r| user_coupon_row(&r))
        .transpose()
}

/// Issues a coupon to a user (the gate's COUPON activities).
pub(super) async fn issue(
    c: &mut AnyConnection,
    d: Dialect,
    user: &str,
    coupon_id: i64,
    activity: i64,
    at: Ts,
) -> SqlResult<UserCoupon> {
    if get_coupon(c, d, coupon_id).await?.is_none() {
        return Err(StoreError::conflict(
            "UNKNOWN_COUPON",
            format!("coupon {coupon_id} does not exist"),
        ));
    }
    let a = args![user.to_string(), coupon_id, activity, at.0];
    let id = super::rows::insert_returning(
        c,
        d,
        "INSERT INTO user_coupons (user_id, coupon_id, activity_id, status, issued_at) VALUES (?, ?, ?, 'ISSUED', ?)",
        "id",
        a,
    )
    .await
    .db()?
    .ok_or_else(|| StoreError::Internal("the user coupon was not stored".into()))?;
    get_user_coupon(c, d, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("user coupon {id}")))
}

pub(super) async fn use_coupon(
    c: &mut AnyConnection,
    d: Dialect,
    id: i64,
    at: Ts,
) -> SqlResult<UserCoupon> {
    let n = query(&d.q(
        "UPDATE user_coupons SET status = 'USED', used_at = ? WHERE id = ? AND status = 'ISSUED'",
    ))
    .bind(at.0)
    .bind(id)
    .execute(&mut *c)
    .await
    .db()?
    .rows_affected();
    let uc = get_user_coupon(c, d, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("user coupon {id}")))?;
    if n == 0 {
        return Err(StoreError::conflict(
            "COUPON_ALREADY_USED",
            format!("user coupon {id} is {}", uc.status.as_str()),
        ));
    }
    Ok(uc)
}
