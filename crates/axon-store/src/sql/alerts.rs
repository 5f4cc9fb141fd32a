//! Alert rules, their delivery log and named leases on the SQL backends (mirrors
//! `sqlite/alerts.rs`). The lease is one row per name, taken with a conditional update inside
//! a write transaction, so of two nodes asking at once exactly one holds it.

use super::rows::{args, i, oi, ots, s, ts, wire, Db, SqlResult};
use super::{Dialect, SqlStore};
use crate::alerts::AlertRepo;
use crate::{Pending, StoreError};
use axon_domain::alert::{AlertDelivery, AlertKind, AlertRule, AlertScopeKind, AlertTransition};
use axon_domain::Ts;
use sqlx_core::any::{AnyConnection, AnyRow};
use sqlx_core::query::query;

const RULE: &str = "SELECT id, scope, scope_id, kind, threshold, window_minutes, webhook_url, \
    secret, created_at, firing, firing_since, detail FROM alert_rules";
const DELIVERY: &str = "SELECT id, rule_id, transition, attempt, status, error, attempted_at \
    FROM alert_deliveries";

fn rule_row(r: &AnyRow) -> SqlResult<AlertRule> {
    Ok(AlertRule {
        id: i(r, 0)?,
        scope: wire(r, 1, AlertScopeKind::parse)?,
        scope_id: i(r, 2)?,
        kind: wire(r, 3, AlertKind::parse)?,
        threshold: i(r, 4)?,
        window_minutes: i(r, 5)?,
        webhook_url: s(r, 6)?,
        secret: s(r, 7)?,
        created_at: ts(r, 8)?,
        firing: i(r, 9)? != 0,
        firing_since: ots(r, 10)?,
        detail: s(r, 11)?,
    })
}

fn delivery_row(r: &AnyRow) -> SqlResult<AlertDelivery> {
    Ok(AlertDelivery {
        id: i(r, 0)?,
        rule_id: i(r, 1)?,
        transition: wire(r, 2, AlertTransition::parse)?,
        attempt: i(r, 3)?,
        status: oi(r, 4)?,
        error: s(r, 5)?,
        at: ts(r, 6)?,
    })
}

async fn get_rule(c: &mut AnyConnection, d: Dialect, id: i64) -> SqlResult<AlertRule> {
    query(&d.q(&format!("{RULE} WHERE id = ?")))
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        .db()?
        .map(|r| rule_row(&r))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("alert rule {id}")))
}

#[async_trait::async_trait]
impl AlertRepo for SqlStore {
    fn create_alert_rule(&self, r: AlertRule) -> Pending<AlertRule> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                let a = args![
                    r.scope.as_str(),
                    r.scope_id,
                    r.kind.as_str(),
                    r.threshold,
                    r.window_minutes,
                    r.webhook_url.clone(),
                    r.secret.clone(),
                    r.created_at.0
                ];
                let id = super::rows::insert_returning(
                    c,
                    d,
                    "INSERT INTO alert_rules (scope, scope_id, kind, threshold, window_minutes, \
                     webhook_url, secret, created_at, firing, firing_since, detail) \
                     VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, '')",
                    "id",
                    a,
                )
                .await
                .db()?
                .ok_or_else(|| StoreError::NotFound("alert rule".into()))?;
                get_rule(c, d, id).await
            })
        })
    }

    fn delete_alert_rule(&self, id: i64) -> Pending<()> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                let gone = query(&d.q("DELETE FROM alert_rules WHERE id = ?"))
                    .bind(id)
                    .execute(&mut *c)
                    .await
                    .db()?
                    .rows_affected();
                if gone == 0 {
                    return Err(StoreError::NotFound(format!("alert rule {id}")));
                }
                query(&d.q("DELETE FROM alert_deliveries WHERE rule_id = ?"))
                    .bind(id)
                    .execute(&mut *c)
                    .await
                    .db()?;
                Ok(())
            })
        })
    }

    fn set_alert_state(
        &self,
        id: i64,
        firing: bool,
        since: Option<Ts>,
        detail: String,
    ) -> Pending<()> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                // Existence is checked by a read: MySQL counts only changed rows as affected.
                get_rule(c, d, id).await?;
                query(&d.q(
                    "UPDATE alert_rules SET firing = ?, firing_since = ?, detail = ? WHERE id = ?",
                ))
                .bind(i64::from(firing))
                .bind(since.map(|t| t.0))
                .bind(detail)
                .bind(id)
                .execute(&mut *c)
                .await
                .db()?;
                Ok(())
            })
        })
    }

    fn record_delivery(&self, dl: AlertDelivery) -> Pending<AlertDelivery> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                let a = args![
                    dl.rule_id,
                    dl.transition.as_str(),
                    dl.attempt,
                    dl.status,
                    dl.error.clone(),
                    dl.at.0
                ];
                let id = super::rows::insert_returning(
                    c,
                    d,
                    "INSERT INTO alert_deliveries (rule_id, transition, attempt, status, error, \
                     attempted_at) VALUES (?, ?, ?, ?, ?, ?)",
                    "id",
                    a,
                )
                .await
                .db()?
                .ok_or_else(|| StoreError::NotFound("alert delivery".into()))?;
                Ok(AlertDelivery { id, ..dl })
            })
        })
    }

    fn claim_lease(&self, name: &str, holder: &str, now: Ts, until: Ts) -> Pending<bool> {
        let d = self.dialect();
        let (name, holder) = (name.to_string(), holder.to_string());
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                query(
                    &d.q(&d.insert_ignore("leases (name, holder, expires_at) VALUES (?, '', 0)")),
                )
                .bind(name.clone())
                .execute(&mut *c)
                .await
                .db()?;
                query(&d.q("UPDATE leases SET holder = ?, expires_at = ? \
                     WHERE name = ? AND (holder = ? OR expires_at <= ?)"))
                .bind(holder.clone())
                .bind(until.0)
                .bind(name.clone())
                .bind(holder.clone())
                .bind(now.0)
                .execute(&mut *c)
                .await
                .db()?;
                // Read back rather than trusting the affected-row count (MySQL's counts only
                // rows whose values changed).
                let row = query(&d.q("SELECT holder FROM leases WHERE name = ?"))
                    .bind(name)
                    .fetch_one(&mut *c)
                    .await
                    .db()?;
                Ok(s(&row, 0)? == holder)
            })
        })
    }

    async fn alert_rules(&self) -> Result<Vec<AlertRule>, StoreError> {
        self.read(move |sh| async move {
            query(&format!("{RULE} ORDER BY id"))
                .fetch_all(&sh.pool)
                .await
                .db()?
                .iter()
                .map(rule_row)
                .collect()
        })
        .await
    }

    async fn deliveries(&self, rule: i64, limit: usize) -> Result<Vec<AlertDelivery>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(move |sh| async move {
            query(&sh.dialect.q(&format!(
                "{DELIVERY} WHERE rule_id = ? ORDER BY id DESC LIMIT ?"
            )))
            .bind(rule)
            .bind(limit)
            .fetch_all(&sh.pool)
            .await
            .db()?
            .iter()
            .map(delivery_row)
            .collect()
        })
        .await
    }
}
