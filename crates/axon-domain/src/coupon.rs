//! Coupons and user coupons (SPEC §3.4): the entities and the applicability rule, pure.

use crate::model::CouponStatus;
use crate::money::Dec2;
use crate::time::Ts;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Coupon {
    pub id: i64,
    pub name: String,
    /// Exactly one of `discount_amount` and `discount_rate` is set.
    pub discount_amount: Option<Dec2>,
    /// Percent, 0 < rate ≤ 100.
    pub discount_rate: Option<Dec2>,
    pub min_order_amount: Dec2,
    pub target_category: Option<String>,
    pub start_date: Ts,
    pub end_date: Ts,
    pub created_at: Ts,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct UserCoupon {
    pub id: i64,
    pub user_id: String,
    pub coupon_id: i64,
    /// The activity that issued it, when issued by the gate.
    pub activity_id: Option<i64>,
    pub status: CouponStatus,
    pub issued_at: Ts,
    pub used_at: Option<Ts>,
}

impl UserCoupon {
    /// The status as seen at `now`: an ISSUED coupon past its end date reads EXPIRED.
    pub fn status_at(&self, coupon: &Coupon, now: Ts) -> CouponStatus {
        if self.status == CouponStatus::Issued && now > coupon.end_date {
            CouponStatus::Expired
        } else {
            self.status
        }
    }
}

impl Coupon {
    /// The discount on `price`: the fixed amount or floor(price × rate / 100), capped at price.
    pub fn discount(&self, price: Dec2) -> Dec2 {
        let d = match (self.discount_amount, self.discount_rate) {
            (Some(a), _) => a,
            (None, Some(r)) => {
                // price and rate are hundredths: price × rate / 100 in hundredths of a won is
                // (p × r) / 10_000; floor to whole won.
                let raw = i128::from(price.0) * i128::from(r.0) / 10_000;
                let won = raw / 100 * 100;
                Dec2(i64::try_from(won).unwrap_or(i64::MAX))
            }
            (None, None) => Dec2::ZERO,
        };
        if d.0 > price.0 {
            price
        } else {
            d
        }
    }
}

/// Checks whether `uc` applies to an order line of `price` in `category` at `now`; the reason
/// when it does not.
pub fn applicability(
    coupon: &Coupon,
    uc: &UserCoupon,
    price: Dec2,
    category: Option<&str>,
    now: Ts,
) -> Result<Dec2, String> {
    match uc.status_at(coupon, now) {
        CouponStatus::Issued => {}
        CouponStatus::Used => return Err("the coupon has already been used".into()),
        CouponStatus::Expired => return Err("the coupon has expired".into()),
    }
    if now < coupon.start_date || now > coupon.end_date {
        return Err(format!(
            "the coupon is valid from {} to {}",
            coupon.start_date, coupon.end_date
        ));
    }
    if price.0 < coupon.min_order_amount.0 {
        return Err(format!(
            "the order amount {price} is below the minimum {}",
            coupon.min_order_amount
        ));
    }
    if let Some(target) = &coupon.target_category {
        if category != Some(target.as_str()) {
            return Err(format!("the coupon applies only to category '{target}'"));
        }
    }
    Ok(coupon.discount(price))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn coupon(amount: Option<i64>, rate: Option<i64>) -> Coupon {
        Coupon {
            id: 1,
            name: "c".into(),
            discount_amount: amount.map(Dec2::from_int),
            discount_rate: rate.map(Dec2::from_int),
            min_order_amount: Dec2::from_int(10_000),
            target_category: Some("TV".into()),
            start_date: Ts(1_000),
            end_date: Ts(2_000),
            created_at: Ts(0),
        }
    }

    fn uc() -> UserCoupon {
        UserCoupon {
            id: 1,
            user_id: "u".into(),
            coupon_id: 1,
            activity_id: None,
            status: CouponStatus::Issued,
            issued_at: Ts(1_000),
            used_at: None,
        }
    }

    #[test]
    fn rate_discount_is_floored_and_amount_is_capped_at_price() {
        assert_eq!(
            coupon(None, Some(15)).discount(Dec2::from_int(12_345)),
            Dec2::from_int(1_851)
        );
        assert_eq!(
            coupon(Some(50_000), None).discount(Dec2::from_int(12_000)),
            Dec2::from_int(12_000)
        );
    }

    #[test]
    fn coupon_applies_only_within_dates_minimum_and_category() {
        let c = coupon(Some(1_000), None);
        let p = Dec2::from_int(20_000);
        assert_eq!(
            applicability(&c, &uc(), p, Some("TV"), Ts(1_500)),
            Ok(Dec2::from_int(1_000))
        );
        assert!(applicability(&c, &uc(), p, Some("TV"), Ts(500)).is_err());
        assert!(applicability(&c, &uc(), p, Some("TV"), Ts(2_500))
            .unwrap_err()
            .contains("expired"));
        assert!(applicability(&c, &uc(), Dec2::from_int(9_999), Some("TV"), Ts(1_500)).is_err());
        assert!(applicability(&c, &uc(), p, Some("Phone"), Ts(1_500)).is_err());
        let mut used = uc();
        used.status = CouponStatus::Used;
        assert!(applicability(&c, &used, p, Some("TV"), Ts(1_500)).is_err());
    }
}
