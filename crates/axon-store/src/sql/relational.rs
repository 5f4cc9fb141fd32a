//! Campaigns and activities on the SQL backends (mirrors `sqlite/relational.rs`).

use super::rows::{dec, i, json, oi, os, ots, s, ts, wire, Db, SqlResult};
use super::{Dialect, SqlStore};
use crate::{ActivityRepo, CampaignRepo};
use crate::{Change, Pending, StoreError};
use axon_domain::model::{
    Activity, ActivityId, ActivityStatus, ActivityType, Campaign, CampaignId,
};
use axon_domain::Ts;
use sqlx_core::any::{AnyConnection, AnyRow};
use sqlx_core::query::query;

const CAMPAIGN_COLS: &str = "id, name, start_at, end_at, budget, created_at, updated_at";
const ACTIVITY_COLS: &str = "id, campaign_id, name, activity_type, status, limit_count, start_date, end_date, product_id,
    coupon_id, price, quantity, budget, filters, image_url, payment_required, created_at, updated_at";

fn campaign_row(r: &AnyRow) -> SqlResult<Campaign> {
    Ok(Campaign {
        id: i(r, 0)?,
        name: s(r, 1)?,
        start_at: ots(r, 2)?,
        end_at: ots(r, 3)?,
        budget: dec(r, 4)?,
        created_at: ts(r, 5)?,
        updated_at: ts(r, 6)?,
    })
}

fn activity_row(r: &AnyRow) -> SqlResult<Activity> {
    Ok(Activity {
        id: i(r, 0)?,
        campaign_id: i(r, 1)?,
        name: s(r, 2)?,
        activity_type: wire(r, 3, ActivityType::parse)?,
        status: wire(r, 4, ActivityStatus::parse)?,
        limit_count: oi(r, 5)?,
        start_date: ts(r, 6)?,
        end_date: ts(r, 7)?,
        product_id: oi(r, 8)?,
        coupon_id: oi(r, 9)?,
        price: dec(r, 10)?,
        quantity: i(r, 11)?,
        budget: dec(r, 12)?,
        filters: json(r, 13)?,
        image_url: os(r, 14)?,
        payment_required: i(r, 15)? != 0,
        created_at: ts(r, 16)?,
        updated_at: ts(r, 17)?,
    })
}

pub(crate) async fn get_campaign(
    c: &mut AnyConnection,
    d: Dialect,
    id: CampaignId,
) -> SqlResult<Option<Campaign>> {
    query(&d.q(&format!(
        "SELECT {CAMPAIGN_COLS} FROM campaigns WHERE id = ?"
    )))
    .bind(id)
    .fetch_optional(&mut *c)
    .await
    .db()?
    .map(|r| campaign_row(&r))
    .transpose()
}

pub(crate) async fn get_activity(
    c: &mut AnyConnection,
    d: Dialect,
    id: ActivityId,
) -> SqlResult<Option<Activity>> {
    query(&d.q(&format!(
        "SELECT {ACTIVITY_COLS} FROM activities WHERE id = ?"
    )))
    .bind(id)
    .fetch_optional(&mut *c)
    .await
    .db()?
    .map(|r| activity_row(&r))
    .transpose()
}

/// Inserts (`id == 0` takes the next id) or replaces by id — as an UPDATE, else an INSERT, so
/// a duplicate name is refused on every backend (MySQL's `ON DUPLICATE KEY` would instead
/// update the row holding that name).
pub(crate) async fn save_campaign(
    c: &mut AnyConnection,
    d: Dialect,
    k: &Campaign,
) -> SqlResult<Campaign> {
    let taken = |e: sqlx_core::Error| {
        if super::rows::is_unique(&e) {
            StoreError::conflict(
                "CAMPAIGN_NAME_TAKEN",
                format!("a campaign named '{}' already exists", k.name),
            )
        } else {
            super::rows::db_err(e)
        }
    };
    let mut id = k.id;
    let mut updated = 0;
    if id != 0 {
        updated = query(&d.q(
            "UPDATE campaigns SET name = ?, start_at = ?, end_at = ?, budget = ?, updated_at = ? WHERE id = ?",
        ))
        .bind(k.name.as_str())
        .bind(k.start_at.map(|t| t.0))
        .bind(k.end_at.map(|t| t.0))
        .bind(k.budget.0)
        .bind(k.updated_at.0)
        .bind(id)
        .execute(&mut *c)
        .await
        .map_err(taken)?
        .rows_affected();
    } else {
        id = super::rows::next_id(c, "campaigns", "id").await?;
    }
    if updated == 0 {
        query(&d.q(
            "INSERT INTO campaigns (id, name, start_at, end_at, budget, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ))
        .bind(id)
        .bind(k.name.as_str())
        .bind(k.start_at.map(|t| t.0))
        .bind(k.end_at.map(|t| t.0))
        .bind(k.budget.0)
        .bind(k.created_at.0)
        .bind(k.updated_at.0)
        .execute(&mut *c)
        .await
        .map_err(taken)?;
    }
    get_campaign(c, d, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("campaign {id}")))
}

pub(crate) async fn save_activity(
    c: &mut AnyConnection,
    d: Dialect,
    a: &Activity,
) -> SqlResult<Activity> {
    if get_campaign(c, d, a.campaign_id).await?.is_none() {
        return Err(StoreError::NotFound(format!("campaign {}", a.campaign_id)));
    }
    let filters =
        serde_json::to_string(&a.filters).map_err(|e| StoreError::Internal(e.to_string()))?;
    let mut id = a.id;
    let mut updated = 0;
    if id != 0 {
        updated = query(&d.q(
            "UPDATE activities SET campaign_id = ?, name = ?, activity_type = ?, status = ?, limit_count = ?,
               start_date = ?, end_date = ?, product_id = ?, coupon_id = ?, price = ?, quantity = ?, budget = ?,
               filters = ?, image_url = ?, payment_required = ?, updated_at = ? WHERE id = ?",
        ))
        .bind(a.campaign_id)
        .bind(a.name.as_str())
        .bind(a.activity_type.as_str())
        .bind(a.status.as_str())
        .bind(a.limit_count)
        .bind(a.start_date.0)
        .bind(a.end_date.0)
        .bind(a.product_id)
        .bind(a.coupon_id)
        .bind(a.price.0)
        .bind(a.quantity)
        .bind(a.budget.0)
        .bind(filters.as_str())
        .bind(a.image_url.as_deref())
        .bind(i64::from(a.payment_required))
        .bind(a.updated_at.0)
        .bind(id)
        .execute(&mut *c)
        .await
        .db()?
        .rows_affected();
    } else {
        id = super::rows::next_id(c, "activities", "id").await?;
    }
    if updated == 0 {
        query(&d.q(
            "INSERT INTO activities (id, campaign_id, name, activity_type, status, limit_count, start_date, end_date,
               product_id, coupon_id, price, quantity, budget, filters, image_url, payment_required, created_at, updated_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        ))
        .bind(id)
        .bind(a.campaign_id)
        .bind(a.name.as_str())
        .bind(a.activity_type.as_str())
        .bind(a.status.as_str())
        .bind(a.limit_count)
        .bind(a.start_date.0)
        .bind(a.end_date.0)
        .bind(a.product_id)
        .bind(a.coupon_id)
        .bind(a.price.0)
        .bind(a.quantity)
        .bind(a.budget.0)
        .bind(filters.as_str())
        .bind(a.image_url.as_deref())
        .bind(i64::from(a.payment_required))
        .bind(a.created_at.0)
        .bind(a.updated_at.0)
        .execute(&mut *c)
        .await
        .db()?;
    }
    get_activity(c, d, id)
        .await?
        .ok_or_else(|| StoreError::NotFound(format!("activity {id}")))
}

#[async_trait::async_trait]
impl CampaignRepo for SqlStore {
    fn save_campaign(&self, k: Campaign) -> Pending<Campaign> {
        let d = self.dialect();
        self.writer().submit(move |c, out| {
            Box::pin(async move {
                let saved = save_campaign(c, d, &k).await?;
                out.push(Change::Campaign(saved.clone()));
                Ok(saved)
            })
        })
    }

    fn delete_campaign(&self, id: CampaignId) -> Pending<()> {
        let d = self.dialect();
        self.writer().submit(move |c, out| {
            Box::pin(async move {
                let n: i64 = sqlx_core::query_scalar::query_scalar(
                    &d.q("SELECT count(*) FROM activities WHERE campaign_id = ?"),
                )
                .bind(id)
                .fetch_one(&mut *c)
                .await
                .db()?;
                if n > 0 {
                    return Err(StoreError::conflict(
                        "CAMPAIGN_HAS_ACTIVITIES",
                        format!("campaign {id} still has {n} activities; end or move them first"),
                    ));
                }
                let gone = query(&d.q("DELETE FROM campaigns WHERE id = ?"))
                    .bind(id)
                    .execute(&mut *c)
                    .await
                    .db()?
                    .rows_affected();
                if gone == 0 {
                    return Err(StoreError::NotFound(format!("campaign {id}")));
                }
                out.push(Change::CampaignRemoved(id));
                Ok(())
            })
        })
    }

    async fn campaign(&self, id: CampaignId) -> Result<Option<Campaign>, StoreError> {
        self.read(move |sh| async move {
            let mut c = sh.pool.acquire().await.db()?;
            get_campaign(&mut c, sh.dialect, id).await
        })
        .await
    }

    async fn campaigns(&self) -> Result<Vec<Campaign>, StoreError> {
        self.read(move |sh| async move {
            query(&format!(
                "SELECT {CAMPAIGN_COLS} FROM campaigns ORDER BY id"
            ))
            .fetch_all(&sh.pool)
            .await
            .db()?
            .iter()
            .map(campaign_row)
            .collect()
        })
        .await
    }
}

#[async_trait::async_trait]
impl ActivityRepo for SqlStore {
    fn save_activity(&self, a: Activity) -> Pending<Activity> {
        let d = self.dialect();
        self.writer().submit(move |c, out| {
            Box::pin(async move {
                let saved = save_activity(c, d, &a).await?;
                out.push(Change::Activity(saved.clone()));
                Ok(saved)
            })
        })
    }

    fn set_activity_status(
        &self,
        id: ActivityId,
        expected: ActivityStatus,
        to: ActivityStatus,
        at: Ts,
    ) -> Pending<Activity> {
        let d = self.dialect();
        self.writer().submit(move |c, out| {
            Box::pin(async move {
                let n = query(&d.q(
                    "UPDATE activities SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
                ))
                .bind(to.as_str())
                .bind(at.0)
                .bind(id)
                .bind(expected.as_str())
                .execute(&mut *c)
                .await
                .db()?
                .rows_affected();
                let a = get_activity(c, d, id)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("activity {id}")))?;
                if n == 0 {
                    return Err(StoreError::conflict(
                        "STATUS_CHANGED",
                        format!(
                            "activity {id} is now {}, not {}; reload and retry",
                            a.status.as_str(),
                            expected.as_str()
                        ),
                    ));
                }
                out.push(Change::Activity(a.clone()));
                Ok(a)
            })
        })
    }

    async fn activity(&self, id: ActivityId) -> Result<Option<Activity>, StoreError> {
        self.read(move |sh| async move {
            let mut c = sh.pool.acquire().await.db()?;
            get_activity(&mut c, sh.dialect, id).await
        })
        .await
    }

    async fn activities(&self, campaign: Option<CampaignId>) -> Result<Vec<Activity>, StoreError> {
        self.read(move |sh| async move {
            let sql = format!(
                "SELECT {ACTIVITY_COLS} FROM activities WHERE ? IS NULL OR campaign_id = ? ORDER BY id"
            );
            query(&sh.dialect.q(&sql))
                .bind(campaign)
                .bind(campaign)
                .fetch_all(&sh.pool)
                .await
                .db()?
                .iter()
                .map(activity_row)
                .collect()
        })
        .await
    }
}
