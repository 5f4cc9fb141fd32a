//! Counts, distinct persons per funnel step, entry tallies and record counts
//! (`Aggregates::counts`, `step_users`, `entries`, `records`) in ClickHouse, with the engine's
//! definitions: VISIT = PAGE_VIEW events, ENGAGE = CLICK events, QUALIFY = approvals (entries
//! not REJECTED, at their approval time), PURCHASE = PURCHASE events; promotion GMV from the
//! CAMPAIGNACTIVITY purchases of the activities.

use crate::sql::{activity_filter, persons_query, COUNTED, ENTRIES, EVENTS, PURCHASES};
use crate::{ChError, ClickHouse};
use axon_domain::metrics::Counts;
use axon_domain::model::{ActivityId, TriggerType};
use axon_domain::period::Window;
use axon_domain::Ts;
use axon_ports::aggregates::EntryTally;
use clickhouse::Row;
use serde::Deserialize;

#[derive(Row, Deserialize)]
struct EventCounts {
    visits: u64,
    engagements: u64,
    purchases: u64,
}

#[derive(Row, Deserialize)]
struct EntryCounts {
    approvals: u64,
    cancelled: u64,
}

#[derive(Row, Deserialize)]
struct Promo {
    gmv: i64,
    orders: u64,
}

#[derive(Row, Deserialize)]
struct Tally {
    awaiting: u64,
    held: i64,
    paid: u64,
    paid_units: i64,
    taken: u64,
    last: i64,
}

fn between(column: &str, w: &Window) -> String {
    format!("{column} >= {} AND {column} < {}", w.start.0, w.end.0)
}

impl ClickHouse {
    /// Distinct persons with events of `trigger` attributed to the activities (`acts` is an
    /// [`activity_filter`]).
    async fn persons_of(
        &self,
        acts: &str,
        trigger: TriggerType,
        w: &Window,
    ) -> Result<u64, ChError> {
        let sql = persons_query(&format!(
            "{acts} AND trigger = '{}' AND {}",
            trigger.as_str(),
            between("ts", w)
        ));
        self.number(&sql).await
    }

    /// Distinct users approved in the window (a user's person is the user: no link applies).
    async fn approved_users(&self, acts: &str, w: &Window) -> Result<u64, ChError> {
        let sql = format!(
            "SELECT uniqExact(user_id) FROM {ENTRIES} WHERE {acts} AND status != 'REJECTED' \
             AND {}",
            between("requested_at", w)
        );
        self.number(&sql).await
    }

    /// Distinct persons per funnel step (VISIT, ENGAGE, QUALIFY, PURCHASE), unions over the
    /// activities.
    pub async fn step_users(
        &self,
        activities: &[ActivityId],
        w: &Window,
    ) -> Result<[u64; 4], ChError> {
        let Some(acts) = activity_filter(activities) else {
            return Ok([0; 4]);
        };
        Ok([
            self.persons_of(&acts, TriggerType::PageView, w).await?,
            self.persons_of(&acts, TriggerType::Click, w).await?,
            self.approved_users(&acts, w).await?,
            self.persons_of(&acts, TriggerType::Purchase, w).await?,
        ])
    }

    /// V, E, Q (and cancelled), P, promotion GMV and orders of the activities, with their
    /// distinct visitors.
    pub async fn counts(&self, activities: &[ActivityId], w: &Window) -> Result<Counts, ChError> {
        let Some(acts) = activity_filter(activities) else {
            return Ok(Counts::default());
        };
        let ev = self
            .query(&format!(
                "SELECT countIf(trigger = 'PAGE_VIEW') AS visits, \
                 countIf(trigger = 'CLICK') AS engagements, \
                 countIf(trigger = 'PURCHASE') AS purchases \
                 FROM {EVENTS} WHERE {COUNTED} AND {acts} AND {}",
                between("ts", w)
            ))
            .fetch_one::<EventCounts>()
            .await?;
        let en = self
            .query(&format!(
                "SELECT countIf(status != 'REJECTED') AS approvals, \
                 countIf(status = 'CANCELLED') AS cancelled \
                 FROM {ENTRIES} WHERE {acts} AND {}",
                between("requested_at", w)
            ))
            .fetch_one::<EntryCounts>()
            .await?;
        let promo = self
            .query(&format!(
                "SELECT sum(revenue) AS gmv, count() AS orders FROM {PURCHASES} \
                 WHERE promo = 1 AND {acts} AND {}",
                between("purchased_at", w)
            ))
            .fetch_one::<Promo>()
            .await?;
        Ok(Counts {
            visits: ev.visits,
            unique_visitors: self.persons_of(&acts, TriggerType::PageView, w).await?,
            engagements: ev.engagements,
            approvals: en.approvals,
            cancelled: en.cancelled,
            purchases: ev.purchases,
            gmv: promo.gmv,
            orders: promo.orders,
        })
    }

    /// An activity's entries as they stand.
    pub async fn entries(&self, activity: ActivityId) -> Result<EntryTally, ChError> {
        let t = self
            .query(&format!(
                "SELECT countIf(status = 'APPROVED') AS awaiting, \
                 sumIf(quantity, status = 'APPROVED') AS held, \
                 countIf(status = 'PAID') AS paid, sumIf(quantity, status = 'PAID') AS paid_units, \
                 countIf(status IN ('APPROVED', 'PAID')) AS taken, \
                 maxIf(requested_at, status IN ('APPROVED', 'PAID')) AS last \
                 FROM {ENTRIES} WHERE activity_id = {activity}"
            ))
            .fetch_one::<Tally>()
            .await?;
        Ok(EntryTally {
            awaiting_payment: t.awaiting,
            held_units: t.held,
            paid: t.paid,
            paid_units: t.paid_units,
            last_taken_at: (t.taken > 0).then_some(Ts(t.last)),
        })
    }

    /// Whether the activity has ever had a record: a counted event of any type, an entry or a
    /// promotion purchase. Events and entries need no `FINAL` for this (the activity is part of
    /// their keys: every version of a row is of the same activity); a purchase's latest version
    /// decides. Each probe stops at the first row it finds.
    pub async fn has_records(&self, activity: ActivityId) -> Result<bool, ChError> {
        for probe in [
            format!("SELECT 1 FROM events WHERE activity_id = {activity} AND {COUNTED} LIMIT 1"),
            format!("SELECT 1 FROM entries WHERE activity_id = {activity} LIMIT 1"),
            format!(
                "SELECT 1 FROM {PURCHASES} WHERE activity_id = {activity} AND promo = 1 LIMIT 1"
            ),
        ] {
            if !self.query(&probe).fetch_all::<u8>().await?.is_empty() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
