//! Campaigns and activities.

use super::rows::{dec, json, opt_ts, ts, wire};
use super::{is_constraint, SqliteStore};
use crate::{ActivityRepo, CampaignRepo};
use crate::{Change, Pending, StoreError};
use axon_domain::model::{
    Activity, ActivityId, ActivityStatus, ActivityType, Campaign, CampaignId,
};
use axon_domain::Ts;
use rusqlite::{params, Connection, OptionalExtension, Row};

const CAMPAIGN_COLS: &str = "id, name, start_at, end_at, budget, created_at, updated_at";
const ACTIVITY_COLS: &str = "id, campaign_id, name, activity_type, status, limit_count, start_date, end_date, product_id,
    coupon_id, price, quantity, budget, filters, image_url, payment_required, created_at, updated_at";

fn campaign_row(r: &Row<'_>) -> rusqlite::Result<Campaign> {
    Ok(Campaign {
        id: r.get(0)?,
        name: r.get(1)?,
        start_at: opt_ts(r, 2)?,
        end_at: opt_ts(r, 3)?,
        budget: dec(r, 4)?,
        created_at: ts(r, 5)?,
        updated_at: ts(r, 6)?,
    })
}

fn activity_row(r: &Row<'_>) -> rusqlite::Result<Activity> {
    Ok(Activity {
        id: r.get(0)?,
        campaign_id: r.get(1)?,
        name: r.get(2)?,
        activity_type: wire(r, 3, ActivityType::parse)?,
        status: wire(r, 4, ActivityStatus::parse)?,
        limit_count: r.get(5)?,
        start_date: ts(r, 6)?,
        end_date: ts(r, 7)?,
        product_id: r.get(8)?,
        coupon_id: r.get(9)?,
        price: dec(r, 10)?,
        quantity: r.get(11)?,
        budget: dec(r, 12)?,
        filters: json(r, 13)?,
        image_url: r.get(14)?,
        payment_required: r.get(15)?,
        created_at: ts(r, 16)?,
        updated_at: ts(r, 17)?,
    })
}

pub(crate) fn get_campaign(
    conn: &Connection,
    id: CampaignId,
) -> Result<Option<Campaign>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {CAMPAIGN_COLS} FROM campaigns WHERE id = ?"
        ))?
        .query_row([id], campaign_row)
        .optional()?)
}

pub(crate) fn get_activity(
    conn: &Connection,
    id: ActivityId,
) -> Result<Option<Activity>, StoreError> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {ACTIVITY_COLS} FROM activities WHERE id = ?"
        ))?
        .query_row([id], activity_row)
        .optional()?)
}

pub(crate) fn save_campaign(conn: &Connection, c: &Campaign) -> Result<Campaign, StoreError> {
    let id = (c.id != 0).then_some(c.id);
    let r = conn.execute(
        "INSERT INTO campaigns (id, name, start_at, end_at, budget, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, start_at = excluded.start_at,
           end_at = excluded.end_at, budget = excluded.budget, updated_at = excluded.updated_at",
        params![
            id,
            c.name,
            c.start_at.map(|t| t.0),
            c.end_at.map(|t| t.0),
            c.budget.0,
            c.created_at.0,
            c.updated_at.0
        ],
    );
    match r {
        Err(e) if is_constraint(&e) => Err(StoreError::conflict(
            "CAMPAIGN_NAME_TAKEN",
            format!("a campaign named '{}' already exists", c.name),
        )),
        Err(e) => Err(e.into()),
        Ok(_) => {
            let id = id.unwrap_or_else(|| conn.last_insert_rowid());
            get_campaign(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("campaign {id}")))
        }
    }
}

pub(crate) fn save_activity(conn: &Connection, a: &Activity) -> Result<Activity, StoreError> {
    if get_campaign(conn, a.campaign_id)?.is_none() {
        return Err(StoreError::NotFound(format!("campaign {}", a.campaign_id)));
    }
    let id = (a.id != 0).then_some(a.id);
    let filters =
        serde_json::to_string(&a.filters).map_err(|e| StoreError::Internal(e.to_string()))?;
    conn.execute(
        "INSERT INTO activities (id, campaign_id, name, activity_type, status, limit_count, start_date, end_date,
           product_id, coupon_id, price, quantity, budget, filters, image_url, payment_required, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)
         ON CONFLICT(id) DO UPDATE SET campaign_id = excluded.campaign_id, name = excluded.name,
           activity_type = excluded.activity_type, status = excluded.status, limit_count = excluded.limit_count,
           start_date = excluded.start_date, end_date = excluded.end_date, product_id = excluded.product_id,
           coupon_id = excluded.coupon_id, price = excluded.price, quantity = excluded.quantity,
           budget = excluded.budget, filters = excluded.filters, image_url = excluded.image_url,
           payment_required = excluded.payment_required, updated_at = excluded.updated_at",
        params![
            id,
            a.campaign_id,
            a.name,
            a.activity_type.as_str(),
            a.status.as_str(),
            a.limit_count,
            a.start_date.0,
            a.end_date.0,
            a.product_id,
            a.coupon_id,
            a.price.0,
            a.quantity,
            a.budget.0,
            filters,
            a.image_url,
            a.payment_required,
            a.created_at.0,
            a.updated_at.0
        ],
    )?;
    let id = id.unwrap_or_else(|| conn.last_insert_rowid());
    get_activity(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("activity {id}")))
}

#[async_trait::async_trait]
impl CampaignRepo for SqliteStore {
    fn save_campaign(&self, c: Campaign) -> Pending<Campaign> {
        self.writer().submit_changes(move |conn, out| {
            let saved = save_campaign(conn, &c)?;
            out.push(Change::Campaign(saved.clone()));
            Ok(saved)
        })
    }

    fn delete_campaign(&self, id: CampaignId) -> Pending<()> {
        self.writer().submit_changes(move |conn, out| {
            let n: i64 = conn.query_row(
                "SELECT count(*) FROM activities WHERE campaign_id = ?",
                [id],
                |r| r.get(0),
            )?;
            if n > 0 {
                return Err(StoreError::conflict(
                    "CAMPAIGN_HAS_ACTIVITIES",
                    format!("campaign {id} still has {n} activities; end or move them first"),
                ));
            }
            match conn.execute("DELETE FROM campaigns WHERE id = ?", [id])? {
                0 => Err(StoreError::NotFound(format!("campaign {id}"))),
                _ => {
                    out.push(Change::CampaignRemoved(id));
                    Ok(())
                }
            }
        })
    }

    async fn campaign(&self, id: CampaignId) -> Result<Option<Campaign>, StoreError> {
        self.read(|conn| get_campaign(conn, id))
    }

    async fn campaigns(&self) -> Result<Vec<Campaign>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {CAMPAIGN_COLS} FROM campaigns ORDER BY id"
            ))?;
            let rows = stmt.query_map([], campaign_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}

#[async_trait::async_trait]
impl ActivityRepo for SqliteStore {
    fn save_activity(&self, a: Activity) -> Pending<Activity> {
        self.writer().submit_changes(move |conn, out| {
            let saved = save_activity(conn, &a)?;
            out.push(Change::Activity(saved.clone()));
            Ok(saved)
        })
    }

    fn set_activity_status(
        &self,
        id: ActivityId,
        expected: ActivityStatus,
        to: ActivityStatus,
        at: Ts,
    ) -> Pending<Activity> {
        self.writer().submit_changes(move |conn, out| {
            let n = conn.execute(
                "UPDATE activities SET status = ?1, updated_at = ?2 WHERE id = ?3 AND status = ?4",
                params![to.as_str(), at.0, id, expected.as_str()],
            )?;
            let a = get_activity(conn, id)?
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
    }

    async fn activity(&self, id: ActivityId) -> Result<Option<Activity>, StoreError> {
        self.read(|conn| get_activity(conn, id))
    }

    async fn activities(&self, campaign: Option<CampaignId>) -> Result<Vec<Activity>, StoreError> {
        self.read(|conn| {
            let sql = format!("SELECT {ACTIVITY_COLS} FROM activities WHERE ?1 IS NULL OR campaign_id = ?1 ORDER BY id");
            let mut stmt = conn.prepare_cached(&sql)?;
            let rows = stmt.query_map([campaign], activity_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
