//! The FCFS gate (SPEC §3): entry → prepare → confirm, the expiry of holds, giveaway draws and
//! coupons — the whole protocol, against the ports.
//!
//! Entry check order: activity → product → retry of a live reservation → filters → open →
//! duplicate → stock. The decision is taken by the stock gate (atomic, never across I/O); the
//! answer is given only after the entry, its reservation token and its `APPROVED` event are
//! durable together; a failed write gives the units back.

pub mod answers;
mod coupons;
mod expiry;
pub use expiry::{SWEEP_BATCH, SWEEP_EVERY};
mod giveaway;
mod payments;
mod warm;
pub use warm::{Warmed, WARM_DAYS, WARM_MAX};

use crate::backends::{ms, Backends, Settings};
use crate::counters::Counters;
use crate::error::{Kind, ServiceError, ServiceResult};
use crate::purchases::Purchases;
use crate::tokens::generate_key;
use answers::{Admitted, EntriesPage, EntryAnswer, EntryRow, StockView};
use axon_domain::event::Event;
use axon_domain::filter::evaluate;
use axon_domain::model::{Activity, ActivityId, ActivityType, Entry, EntryStatus};
use axon_domain::Ts;
use axon_ports::stock::{Admit, Hold};
use axon_ports::NewEntry;
use std::sync::Arc;

/// Most units one entry may ask for.
pub const MAX_QUANTITY: i64 = 1000;

/// What an end user asks for at the gate.
#[derive(Debug, Clone, Default)]
pub struct EntryRequest {
    pub product_id: Option<i64>,
    pub quantity: Option<i64>,
}

pub struct Gate {
    b: Backends,
    settings: Settings,
    counters: Arc<Counters>,
    purchases: Arc<Purchases>,
    releases: expiry::ReleaseLog,
}

impl Gate {
    pub fn new(
        b: Backends,
        settings: Settings,
        counters: Arc<Counters>,
        purchases: Arc<Purchases>,
    ) -> Gate {
        Gate {
            b,
            settings,
            counters,
            purchases,
            releases: expiry::ReleaseLog::default(),
        }
    }

    /// The activity, or 404 `ACTIVITY_NOT_FOUND`.
    pub async fn activity(&self, id: ActivityId) -> ServiceResult<Activity> {
        find_activity(&self.b, id).await
    }

    /// Public: remaining stock (the same number the realtime widget shows), held, open.
    pub async fn stock(&self, id: ActivityId) -> ServiceResult<StockView> {
        let a = self.activity(id).await?;
        // Public: a DRAFT is not published, so it answers as if it did not exist.
        if a.status == axon_domain::model::ActivityStatus::Draft {
            return Err(ServiceError::activity_not_found(id));
        }
        let now = self.settings.now();
        let remaining = a.limit_count.map(|l| self.b.stock.remaining(id, Some(l)));
        Ok(StockView {
            activity_id: id,
            limit_count: a.limit_count,
            remaining,
            held: self.b.stock.held(id),
            sold_out: remaining == Some(0),
            open: a.is_open(now),
            start_date: a.start_date,
            end_date: a.end_date,
            timestamp: now,
        })
    }

    /// An end user's entry (FCFS, coupon or giveaway).
    pub async fn enter(
        &self,
        user: String,
        id: ActivityId,
        req: EntryRequest,
    ) -> ServiceResult<EntryAnswer> {
        let a = self.activity(id).await?;
        if let Some(p) = req.product_id {
            if a.product_id != Some(p) {
                return Err(ServiceError::invalid(
                    "PRODUCT_MISMATCH",
                    format!("product {p} is not the product of activity {id}"),
                ));
            }
        }
        let units = match a.activity_type {
            ActivityType::FirstComeFirstServe => req.quantity.unwrap_or(a.quantity),
            _ => 1,
        };
        if !(1..=MAX_QUANTITY).contains(&units) {
            return Err(ServiceError::validation(format!(
                "quantity must be between 1 and {MAX_QUANTITY}"
            )));
        }
        let now = self.settings.now();
        if a.activity_type == ActivityType::Giveaway {
            return self.enter_giveaway(&a, user, now).await;
        }
        if let Some(h) = self.b.stock.live_hold(id, &user, now) {
            return self.retry_answer(id, &user, &h).await;
        }
        self.check_filters(&a, &user).await?;
        check_open(&a, now)?;
        if a.activity_type == ActivityType::Coupon && a.coupon_id.is_none() {
            return Err(ServiceError::invalid(
                "COUPON_NOT_CONFIGURED",
                format!("COUPON activity {id} has no couponId"),
            ));
        }
        let stock = &self.b.stock;
        let mut admit = stock.admit(id, &user, units, a.limit_count, now);
        if matches!(admit, Admit::SoldOut { .. }) && stock.has_due(now) {
            // Lazily release holds that expired since the last sweep, then look again.
            self.sweep_once().await;
            admit = stock.admit(id, &user, units, a.limit_count, now);
        }
        let order = match admit {
            Admit::Reserved { order } => order,
            Admit::Retry(h) => return self.retry_answer(id, &user, &h).await,
            Admit::Duplicate { in_progress } => {
                let msg = if in_progress {
                    "this user's entry is being processed"
                } else {
                    "this user has already entered this activity"
                };
                Counters::inc(&self.counters.gate_duplicates_total, 1);
                return Err(ServiceError::conflict("DUPLICATED", msg));
            }
            Admit::Unavailable => {
                return Err(ServiceError::gate_unavailable("the stock gate failed"))
            }
            Admit::SoldOut { remaining } => {
                Counters::inc(&self.counters.gate_sold_out_total, 1);
                return Err(ServiceError::new(
                    Kind::Gone,
                    "SOLD_OUT",
                    "sold out: no stock is left",
                )
                .with("remaining", remaining));
            }
        };
        let answer = self.write_entry(&a, user, units, order, now).await?;
        Counters::inc(&self.counters.gate_approved_total, 1);
        Ok(EntryAnswer::Admitted(answer))
    }

    /// The answer to a retry of a live reservation: the same token, and the stored entry's id
    /// and quantity.
    async fn retry_answer(
        &self,
        id: ActivityId,
        user: &str,
        h: &Hold,
    ) -> ServiceResult<EntryAnswer> {
        let entry = self.b.fcfs.entry_of(id, user).await?;
        Ok(EntryAnswer::Admitted(Admitted {
            status: "SUCCESS",
            order: h.order,
            entry_id: entry.as_ref().map(|e| e.id),
            quantity: entry.as_ref().map(|e| e.quantity),
            reservation_token: Some(h.reservation_token.clone()),
            expires_at: Some(h.reservation_expires_at),
            is_retry: true,
            payment_required: None,
            user_coupon_id: None,
            coupon_id: None,
        }))
    }

    /// Filters (SPEC §3.3) against the stored profile; 400 `NOT_ELIGIBLE` with the failing one,
    /// the profile field that was missing (`null` when the value was there but outside) and
    /// the reason in words — enough for a page to phrase it in the shopper's language.
    async fn check_filters(&self, a: &Activity, user: &str) -> ServiceResult<()> {
        if a.filters.is_empty() {
            return Ok(());
        }
        let profile = self.filter_inputs(a, user).await?;
        evaluate(&a.filters, profile.as_ref(), &self.settings.tz).map_err(|i| {
            ServiceError::invalid(
                "NOT_ELIGIBLE",
                format!("not eligible for this activity: {}", i.reason),
            )
            .with(
                "filter",
                serde_json::to_value(&i.filter).unwrap_or(serde_json::Value::Null),
            )
            .with("reason", i.reason)
            .with("missing", i.unmet.missing())
        })
    }

    async fn write_entry(
        &self,
        a: &Activity,
        user: String,
        units: i64,
        order: i64,
        now: Ts,
    ) -> ServiceResult<Admitted> {
        let holds = a.activity_type == ActivityType::FirstComeFirstServe && a.payment_required;
        let reservation = holds.then(|| {
            (
                generate_key("rsv_"),
                now.plus_ms(ms(self.settings.reservation_ttl)),
            )
        });
        let entry = Entry {
            id: 0,
            activity_id: a.id,
            user_id: user.clone(),
            status: EntryStatus::Approved,
            order,
            quantity: units,
            requested_at: now,
            processed_at: Some(now),
        };
        let coupon_id = (a.activity_type == ActivityType::Coupon)
            .then_some(a.coupon_id)
            .flatten();
        let written = self
            .b
            .fcfs
            .insert_entry(NewEntry {
                entry,
                event: Event::approved(&user, a.id, a.campaign_id, order, units, now),
                reservation: reservation.clone(),
                coupon_id,
            })
            .await;
        let w = match written {
            Ok(w) => w,
            Err(e) => {
                self.b.stock.abort(a.id, &user);
                return Err(e.into());
            }
        };
        let hold = reservation.as_ref().map(|(token, exp)| Hold {
            reservation_token: token.clone(),
            reservation_expires_at: *exp,
            expires_at: *exp,
            order,
        });
        self.b.stock.committed(a.id, &user, w.entry.id, hold);
        let (reservation_token, expires_at) = reservation.unzip();
        Ok(Admitted {
            status: "SUCCESS",
            order,
            // With FCFS commands on Kafka the id is assigned when the entry is applied.
            entry_id: (w.entry.id != 0).then_some(w.entry.id),
            quantity: Some(units),
            reservation_token,
            expires_at,
            is_retry: false,
            payment_required: Some(holds),
            user_coupon_id: w.user_coupon.as_ref().map(|uc| uc.id),
            coupon_id: w.user_coupon.as_ref().map(|uc| uc.coupon_id),
        })
    }

    /// Admin: a page of an activity's entries, newest first.
    pub async fn entries(
        &self,
        id: ActivityId,
        status: Option<EntryStatus>,
        page: i64,
        size: i64,
    ) -> ServiceResult<EntriesPage> {
        if page < 0 || !(1..=100).contains(&size) {
            return Err(ServiceError::invalid(
                "INVALID_QUERY",
                "page must be ≥ 0 and size between 1 and 100",
            ));
        }
        let offset = axon_domain::field::page_offset(page.unsigned_abs(), size.unsigned_abs())?;
        self.activity(id).await?;
        let (entries, total) = self
            .b
            .repo
            .entries_page(id, status, i64::try_from(offset).unwrap_or(i64::MAX), size)
            .await?;
        Ok(EntriesPage {
            activity_id: id,
            status_filter: status,
            page,
            size,
            total_elements: total,
            total_pages: (total + size - 1) / size,
            entries: entries
                .into_iter()
                .map(|e| EntryRow {
                    entry_id: e.id,
                    user_id: e.user_id,
                    status: e.status,
                    order: e.order,
                    quantity: e.quantity,
                    requested_at: e.requested_at,
                    processed_at: e.processed_at,
                })
                .collect(),
        })
    }
}

/// The activity, or 404 `ACTIVITY_NOT_FOUND`.
pub(crate) async fn find_activity(b: &Backends, id: ActivityId) -> ServiceResult<Activity> {
    b.repo.activity(id).await?.ok_or_else(|| {
        ServiceError::not_found(
            "ACTIVITY_NOT_FOUND",
            format!("activity {id} does not exist"),
        )
    })
}

/// Open: ACTIVE, now within [startDate, endDate], and not closed by `limitCount: 0`.
fn check_open(a: &Activity, now: Ts) -> ServiceResult<()> {
    if a.is_open(now) && a.limit_count != Some(0) {
        return Ok(());
    }
    Err(ServiceError::invalid(
        "ACTIVITY_CLOSED",
        format!(
            "activity {} is not open for entries (status {}, {} – {})",
            a.id,
            a.status.as_str(),
            a.start_date,
            a.end_date
        ),
    )
    .with("activityStatus", a.status.as_str()))
}
