//! The realtime widget (SPEC §5.5; never cached): stock from the FCFS gate, entries awaiting
//! payment and paid, active persons and the last hours' inflow, as of "now".

use super::trend::Point;
use super::{Scope, View};
use axon_domain::model::{ActivityId, TriggerType};
use axon_domain::period::Window;
use axon_domain::time::MS_PER_HOUR;
use axon_domain::Ts;
use serde::Serialize;

const DEFINITION: &str = "remainingStock = limitCount − held − paid units; participants = entries APPROVED or PAID; activeUsers = distinct persons with any event in the last 5 minutes; inflowLastHour = PAGE_VIEW events in the last 60 minutes";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Realtime {
    /// Σ limitCount; `None` when any activity is unlimited.
    pub total_stock: Option<i64>,
    pub remaining_stock: Option<i64>,
    pub participants: u64,
    pub awaiting_payment: u64,
    pub paid: u64,
    pub held_quantity: i64,
    pub paid_quantity: i64,
    pub active_users: u64,
    pub inflow_last_hour: u64,
    pub hourly_inflow: Vec<Point>,
    pub sold_out_at: Option<Ts>,
    pub last_updated: Ts,
    pub definition: &'static str,
}

impl View<'_> {
    /// The realtime widget of a scope (global: every activity).
    pub fn realtime(&self, scope: Scope, now: Ts) -> Realtime {
        let ids = match scope {
            Scope::Global => self.snap.activities().iter().map(|a| a.id).collect(),
            _ => self.activity_ids(scope),
        };
        self.realtime_of(&ids, now)
    }

    pub(crate) fn realtime_of(&self, ids: &[ActivityId], now: Ts) -> Realtime {
        let stock = &self.service.stock;
        let (mut limit, mut remaining) = (Some(0i64), Some(0i64));
        let (mut held, mut paid_qty, mut awaiting, mut paid) = (0i64, 0i64, 0u64, 0u64);
        let mut sold_out_at = None::<Ts>;
        for id in ids {
            let own = self.snap.activity(*id).and_then(|a| a.limit_count);
            let left = own.map(|l| stock.remaining(*id, Some(l)));
            limit = limit.zip(own).map(|(a, b)| a + b);
            remaining = remaining.zip(left).map(|(a, b)| a + b);
            let t = self.snap.entries(*id);
            held += t.held_units;
            paid_qty += t.paid_units;
            awaiting += t.awaiting_payment;
            paid += t.paid;
            if let (Some(l), Some(0), Some(at)) = (own, left, t.last_taken_at) {
                if l > 0 {
                    sold_out_at = sold_out_at.max(Some(at));
                }
            }
        }
        // The same trailing windows as a question's "지난 1시간" (exactly 60 minutes up to now).
        let five = Window::trailing(now, 5 * 60_000);
        let hour = Window::trailing(now, MS_PER_HOUR);
        let from = now.0.div_euclid(MS_PER_HOUR) * MS_PER_HOUR - 23 * MS_PER_HOUR;
        let day = Window::new(Ts(from), Ts(now.0 + 1));
        let mut hourly = [0u64; 24];
        for (h, b) in hourly
            .iter_mut()
            .zip(self.snap.visit_buckets(Some(ids), &day, MS_PER_HOUR))
        {
            *h = b.count;
        }
        Realtime {
            total_stock: limit,
            remaining_stock: remaining,
            participants: awaiting + paid,
            awaiting_payment: awaiting,
            paid,
            held_quantity: held,
            paid_quantity: paid_qty,
            active_users: self.snap.active_persons(ids, &five),
            inflow_last_hour: self.snap.event_count(ids, TriggerType::PageView, &hour),
            hourly_inflow: hourly
                .iter()
                .zip(0..)
                .map(|(n, i)| Point {
                    timestamp: Ts(from + i * MS_PER_HOUR),
                    count: *n,
                })
                .collect(),
            sold_out_at: sold_out_at.filter(|_| remaining == Some(0)),
            last_updated: now,
            definition: DEFINITION,
        }
    }
}
