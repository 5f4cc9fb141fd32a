//! Coupons (SPEC §3.4): definitions, the coupons issued to a user (COUPON activities issue them
//! at the gate), and applicability / use of one issued coupon.

use super::Gate;
use crate::error::{ServiceError, ServiceResult};
use axon_domain::coupon::{applicability, Coupon, UserCoupon};
use axon_domain::Dec2;
use serde_json::{json, Value};

impl Gate {
    /// The coupon, or 404 `COUPON_NOT_FOUND`.
    pub async fn coupon(&self, id: i64) -> ServiceResult<Coupon> {
        self.b.repo.coupon(id).await?.ok_or_else(|| {
            ServiceError::not_found("COUPON_NOT_FOUND", format!("coupon {id} does not exist"))
        })
    }

    pub async fn coupons(&self) -> ServiceResult<Vec<Coupon>> {
        Ok(self.b.repo.coupons().await?)
    }

    pub async fn save_coupon(&self, c: Coupon) -> ServiceResult<Coupon> {
        Ok(self.b.repo.save_coupon(c).await?)
    }

    pub async fn delete_coupon(&self, id: i64) -> ServiceResult<()> {
        self.coupon(id).await?;
        Ok(self.b.repo.delete_coupon(id).await?)
    }

    async fn user_coupon(&self, id: i64) -> ServiceResult<UserCoupon> {
        self.b.repo.user_coupon(id).await?.ok_or_else(|| {
            ServiceError::not_found(
                "USER_COUPON_NOT_FOUND",
                format!("user coupon {id} does not exist"),
            )
        })
    }

    /// An issued coupon with its status now and its definition.
    async fn coupon_view(&self, uc: &UserCoupon) -> ServiceResult<Value> {
        let c = self.coupon(uc.coupon_id).await?;
        let mut v = serde_json::to_value(uc).unwrap_or(Value::Null);
        v["status"] = json!(uc.status_at(&c, self.settings.now()));
        v["coupon"] = serde_json::to_value(&c).unwrap_or(Value::Null);
        Ok(v)
    }

    /// The coupons issued to a user, each with its status now.
    pub async fn coupons_of_user(&self, user: &str) -> ServiceResult<Vec<Value>> {
        let mut out = Vec::new();
        for uc in self.b.repo.user_coupons(user).await? {
            out.push(self.coupon_view(&uc).await?);
        }
        Ok(out)
    }

    /// An issued coupon and its definition.
    async fn issued(&self, id: i64) -> ServiceResult<(UserCoupon, Coupon)> {
        let uc = self.user_coupon(id).await?;
        let c = self.coupon(uc.coupon_id).await?;
        Ok((uc, c))
    }

    /// Would this coupon apply to an order line of `price` (and `category`)?
    pub async fn check_coupon(
        &self,
        id: i64,
        price: Dec2,
        category: Option<&str>,
    ) -> ServiceResult<Value> {
        let (uc, c) = self.issued(id).await?;
        Ok(
            match applicability(&c, &uc, price, category, self.settings.now()) {
                Ok(d) => json!({"applicable": true, "discount": d, "finalPrice": price - d}),
                Err(reason) => json!({"applicable": false, "reason": reason}),
            },
        )
    }

    /// Uses the coupon on an order line, once.
    pub async fn use_coupon(
        &self,
        id: i64,
        price: Dec2,
        category: Option<&str>,
    ) -> ServiceResult<Value> {
        let (uc, c) = self.issued(id).await?;
        let now = self.settings.now();
        let discount = applicability(&c, &uc, price, category, now).map_err(|reason| {
            ServiceError::conflict(
                "COUPON_NOT_APPLICABLE",
                format!("the coupon does not apply: {reason}"),
            )
            .with("reason", reason)
        })?;
        let used = self.b.repo.use_coupon(id, now).await?;
        Ok(
            json!({"userCoupon": self.coupon_view(&used).await?, "discount": discount, "finalPrice": price - discount}),
        )
    }
}
