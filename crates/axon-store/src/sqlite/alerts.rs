//! Alert rules, their delivery log and named leases in the embedded store (mirrored by
//! `sql/alerts.rs`).

use super::rows::{opt_ts, ts, wire};
use super::SqliteStore;
use crate::alerts::AlertRepo;
use crate::{Pending, StoreError};
use axon_domain::alert::{AlertDelivery, AlertKind, AlertRule, AlertScopeKind, AlertTransition};
use axon_domain::Ts;
use rusqlite::{params, Connection, OptionalExtension, Row};

const RULE: &str = "SELECT id, scope, scope_id, kind, threshold, window_minutes, webhook_url, \
    secret, created_at, firing, firing_since, detail FROM alert_rules";
const DELIVERY: &str = "SELECT id, rule_id, transition, attempt, status, error, attempted_at \
    FROM alert_deliveries";

fn rule_row(r: &Row<'_>) -> rusqlite::Result<AlertRule> {
    Ok(AlertRule {
        id: r.get(0)?,
        scope: wire(r, 1, AlertScopeKind::parse)?,
        scope_id: r.get(2)?,
        kind: wire(r, 3, AlertKind::parse)?,
        threshold: r.get(4)?,
        window_minutes: r.get(5)?,
        webhook_url: r.get(6)?,
        secret: r.get(7)?,
        created_at: ts(r, 8)?,
        firing: r.get::<_, i64>(9)? != 0,
        firing_since: opt_ts(r, 10)?,
        detail: r.get(11)?,
    })
}

fn delivery_row(r: &Row<'_>) -> rusqlite::Result<AlertDelivery> {
    Ok(AlertDelivery {
        id: r.get(0)?,
        rule_id: r.get(1)?,
        transition: wire(r, 2, AlertTransition::parse)?,
        attempt: r.get(3)?,
        status: r.get(4)?,
        error: r.get(5)?,
        at: ts(r, 6)?,
    })
}

fn get_rule(conn: &Connection, id: i64) -> Result<AlertRule, StoreError> {
    conn.prepare_cached(&format!("{RULE} WHERE id = ?"))?
        .query_row([id], rule_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("alert rule {id}")))
}

#[async_trait::async_trait]
impl AlertRepo for SqliteStore {
    fn create_alert_rule(&self, r: AlertRule) -> Pending<AlertRule> {
        self.writer().submit(move |conn| {
            conn.execute(
                "INSERT INTO alert_rules (scope, scope_id, kind, threshold, window_minutes, \
                 webhook_url, secret, created_at, firing, firing_since, detail) \
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 0, NULL, '')",
                params![
                    r.scope.as_str(),
                    r.scope_id,
                    r.kind.as_str(),
                    r.threshold,
                    r.window_minutes,
                    r.webhook_url,
                    r.secret,
                    r.created_at.0
                ],
            )?;
            get_rule(conn, conn.last_insert_rowid())
        })
    }

    fn delete_alert_rule(&self, id: i64) -> Pending<()> {
        self.writer().submit(move |conn| {
            if conn.execute("DELETE FROM alert_rules WHERE id = ?1", [id])? == 0 {
                return Err(StoreError::NotFound(format!("alert rule {id}")));
            }
            conn.execute("DELETE FROM alert_deliveries WHERE rule_id = ?1", [id])?;
            Ok(())
        })
    }

    fn set_alert_state(
        &self,
        id: i64,
        firing: bool,
        since: Option<Ts>,
        detail: String,
    ) -> Pending<()> {
        self.writer().submit(move |conn| {
            let n = conn.execute(
                "UPDATE alert_rules SET firing = ?1, firing_since = ?2, detail = ?3 WHERE id = ?4",
                params![i64::from(firing), since.map(|t| t.0), detail, id],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound(format!("alert rule {id}")));
            }
            Ok(())
        })
    }

    fn record_delivery(&self, d: AlertDelivery) -> Pending<AlertDelivery> {
        self.writer().submit(move |conn| {
            conn.execute(
                "INSERT INTO alert_deliveries (rule_id, transition, attempt, status, error, \
                 attempted_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    d.rule_id,
                    d.transition.as_str(),
                    d.attempt,
                    d.status,
                    d.error,
                    d.at.0
                ],
            )?;
            Ok(AlertDelivery {
                id: conn.last_insert_rowid(),
                ..d
            })
        })
    }

    fn claim_lease(&self, name: &str, holder: &str, now: Ts, until: Ts) -> Pending<bool> {
        let (name, holder) = (name.to_string(), holder.to_string());
        self.writer().submit(move |conn| {
            conn.execute(
                "INSERT OR IGNORE INTO leases (name, holder, expires_at) VALUES (?1, '', 0)",
                [&name],
            )?;
            conn.execute(
                "UPDATE leases SET holder = ?1, expires_at = ?2 \
                 WHERE name = ?3 AND (holder = ?1 OR expires_at <= ?4)",
                params![holder, until.0, name, now.0],
            )?;
            let current: String = conn
                .prepare_cached("SELECT holder FROM leases WHERE name = ?1")?
                .query_row([&name], |r| r.get(0))?;
            Ok(current == holder)
        })
    }

    async fn alert_rules(&self) -> Result<Vec<AlertRule>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("{RULE} ORDER BY id"))?;
            let rows = stmt.query_map([], rule_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    async fn deliveries(&self, rule: i64, limit: usize) -> Result<Vec<AlertDelivery>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{DELIVERY} WHERE rule_id = ?1 ORDER BY id DESC LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![rule, limit], delivery_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
