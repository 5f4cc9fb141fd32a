//! Dashboards (SPEC §5.2–5.5): the activity, campaign and global answers, widget by widget.

use crate::engine::Engine;
use crate::funnel::{approvals_in, ordered_users, step_rows, time_to_convert};
use axon_domain::metrics::{change, overview, Counts};
use axon_domain::model::{Activity, ActivityId, EntryStatus, TriggerType};
use axon_domain::period::Window;
use axon_domain::time::MS_PER_HOUR;
use axon_domain::{Dec2, DomainError, Ts};
use roaring::RoaringBitmap;
use rustc_hash::FxHashMap;
use serde_json::{json, Map, Value};
use std::cell::RefCell;
use std::rc::Rc;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Widget {
    Overview,
    Funnel,
    Comparison,
    Realtime,
    Trend,
    Activities,
    Heatmap,
}

pub const ACTIVITY_WIDGETS: [Widget; 5] = [
    Widget::Overview,
    Widget::Funnel,
    Widget::Comparison,
    Widget::Realtime,
    Widget::Trend,
];
pub const CAMPAIGN_WIDGETS: [Widget; 7] = [
    Widget::Overview,
    Widget::Funnel,
    Widget::Comparison,
    Widget::Realtime,
    Widget::Trend,
    Widget::Activities,
    Widget::Heatmap,
];

impl Widget {
    pub fn as_str(self) -> &'static str {
        match self {
            Widget::Overview => "overview",
            Widget::Funnel => "funnel",
            Widget::Comparison => "comparison",
            Widget::Realtime => "realtime",
            Widget::Trend => "trend",
            Widget::Activities => "activities",
            Widget::Heatmap => "heatmap",
        }
    }

    /// Parses `overview,funnel,…` against the widgets a scope offers (empty = all of them).
    pub fn parse_list(s: Option<&str>, allowed: &[Widget]) -> Result<Vec<Widget>, DomainError> {
        let Some(s) = s.filter(|s| !s.trim().is_empty()) else {
            return Ok(allowed.to_vec());
        };
        let mut out = Vec::new();
        for name in s.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            let w = allowed
                .iter()
                .find(|w| w.as_str() == name)
                .copied()
                .ok_or_else(|| {
                    let names: Vec<&str> = allowed.iter().map(|w| w.as_str()).collect();
                    DomainError::new(
                        "INVALID_WIDGETS",
                        format!(
                            "unknown widget '{name}' (expected any of {})",
                            names.join(", ")
                        ),
                    )
                })?;
            if !out.contains(&w) {
                out.push(w);
            }
        }
        Ok(out)
    }
}

/// An activity's raw visitor set in a window, with its distinct (link-resolved) count.
type Visitors = Rc<(RoaringBitmap, u64)>;

/// Values computed once per dashboard answer and shared by its widgets.
#[derive(Default)]
struct Memo {
    visitors: RefCell<FxHashMap<(ActivityId, i64, i64), Visitors>>,
}

/// What a dashboard call asks for.
#[derive(Debug, Clone)]
pub struct Query {
    pub window: Window,
    pub now: Ts,
    pub widgets: Vec<Widget>,
    /// Ordered funnel: every step within this many hours of the first visit.
    pub conversion_window_hours: Option<i64>,
}

impl Engine {
    /// The "2026-11-11 00:00 – 2026-11-18 00:00 KST" part of definitions.
    pub fn window_label(&self, w: &Window) -> String {
        format!(
            "{} – {} {}",
            self.tz.local_minute_string(w.start),
            self.tz.local_minute_string(w.end),
            self.tz.abbreviation(w.end)
        )
    }

    /// Raw aggregates over a set of activities (distinct visitors are a union, not a sum).
    pub fn counts(&self, ids: &[ActivityId], w: &Window) -> Counts {
        self.counts_with(ids, w, &Memo::default())
    }

    fn counts_with(&self, ids: &[ActivityId], w: &Window, memo: &Memo) -> Counts {
        let mut c = Counts::default();
        let mut visitors = RoaringBitmap::new();
        for id in ids {
            c += self.activity_counts(*id, w);
            let v = self.visitors(memo, *id, w);
            if ids.len() == 1 {
                c.unique_visitors = v.1;
            } else {
                visitors |= &v.0;
            }
        }
        if ids.len() != 1 {
            c.unique_visitors = self.persons.distinct(&visitors);
        }
        c
    }

    /// An activity's raw visitor set in a window and its distinct (link-resolved) count, computed
    /// once per dashboard answer however many widgets ask.
    fn visitors(&self, memo: &Memo, id: ActivityId, w: &Window) -> Visitors {
        let key = (id, w.start.0, w.end.0);
        if let Some(v) = memo.visitors.borrow().get(&key) {
            return v.clone();
        }
        let set = self
            .activities
            .get(&id)
            .map(|a| a.series(TriggerType::PageView).persons(w))
            .unwrap_or_default();
        let distinct = self.persons.distinct(&set);
        let v = Rc::new((set, distinct));
        memo.visitors.borrow_mut().insert(key, v.clone());
        v
    }

    /// One activity's aggregates (without distinct visitors).
    fn activity_counts(&self, id: ActivityId, w: &Window) -> Counts {
        let mut c = Counts::default();
        if let Some(a) = self.activities.get(&id) {
            let v = Engine::step_values(a, w);
            c.visits += v[0];
            c.engagements += v[1];
            c.approvals += v[2];
            c.purchases += v[3];
            c.cancelled += approvals_in(a, w)
                .iter()
                .filter(|(_, p)| {
                    a.entries
                        .get(p)
                        .is_some_and(|e| e.status == EntryStatus::Cancelled)
                })
                .count() as u64;
            let lo = a.promo.partition_point(|r| r.ts < w.start.0);
            let hi = a.promo.partition_point(|r| r.ts < w.end.0);
            for r in &a.promo[lo..hi.max(lo)] {
                c.gmv += r.revenue;
                c.orders += 1;
            }
        }
        c
    }

    fn overview_widget(
        &self,
        ids: &[ActivityId],
        budget: Dec2,
        w: &Window,
        scope: &str,
        memo: &Memo,
    ) -> Value {
        let cur = overview(&self.counts_with(ids, w, memo), budget);
        let prev = overview(&self.counts_with(ids, &w.previous(), memo), budget);
        let mut v = serde_json::to_value(&cur).unwrap_or_default();
        v["change"] = change(&cur, &prev);
        v["previous"] = serde_json::to_value(&prev).unwrap_or_default();
        v["definition"] = Value::from(format!(
            "visits = PAGE_VIEW events attributed to {scope}, {}; participants = CLICK events; approved = FCFS approvals granted in the window; purchases = PURCHASE events; gmv = Σ price × quantity of promotion purchases; roas = gmv ÷ budget × 100",
            self.window_label(w)
        ));
        v
    }

    fn funnel_widget(&self, ids: &[ActivityId], q: &Query, scope: &str, memo: &Memo) -> Value {
        let w = &q.window;
        let mut values = [0u64; 4];
        let mut persons: [RoaringBitmap; 4] = Default::default();
        let mut single = [0u64; 4];
        let mut orders = Vec::new();
        // Ordered step 1 = each activity's distinct visitors (summed over activities).
        let mut ordered = [0u64; 4];
        for (id, a) in ids
            .iter()
            .filter_map(|id| self.activities.get(id).map(|a| (*id, a)))
        {
            let v = Engine::step_values(a, w);
            let visitors = self.visitors(memo, id, w);
            ordered[0] += visitors.1;
            for i in 0..4 {
                values[i] += v[i];
                if ids.len() == 1 {
                    single[i] = if i == 0 {
                        visitors.1
                    } else {
                        self.persons.distinct(&self.step_persons(a, i, w))
                    };
                } else if i == 0 {
                    persons[0] |= &visitors.0;
                } else {
                    persons[i] |= self.step_persons(a, i, w);
                }
            }
            orders.push(self.ordered_engaged(
                a,
                w,
                q.conversion_window_hours.map(|h| h * MS_PER_HOUR),
            ));
        }
        let users = if ids.len() == 1 {
            single
        } else {
            [0, 1, 2, 3].map(|i| self.persons.distinct(&persons[i]))
        };
        for o in &orders {
            let u = ordered_users(o);
            for i in 1..4 {
                ordered[i] += u[i];
            }
        }
        let refs: Vec<&_> = orders.iter().collect();
        json!({
            "steps": step_rows(values, users),
            "ordered": {"users": ordered, "conversionWindowHours": q.conversion_window_hours},
            "timeToConvert": time_to_convert(&refs),
            "definition": format!(
                "funnel of {scope}, {}: 방문 = PAGE_VIEW, 참여 = CLICK, 승인 = FCFS approvals, 구매 = PURCHASE events; users = distinct persons (anonymous visitors merged into the user they identified as); ordered = persons who did the steps in that order inside the window",
                self.window_label(w)
            ),
        })
    }

    fn trend_widget(&self, ids: &[ActivityId], w: &Window) -> Value {
        let mut hourly: Vec<(i64, u64)> = Vec::new();
        let from = w.start.0.div_euclid(MS_PER_HOUR) * MS_PER_HOUR;
        for a in ids.iter().filter_map(|id| self.activities.get(id)) {
            let b = a
                .series(TriggerType::PageView)
                .bucket_counts(w, from, MS_PER_HOUR);
            if hourly.is_empty() {
                hourly = b;
            } else {
                for (h, (_, n)) in hourly.iter_mut().zip(b) {
                    h.1 += n;
                }
            }
        }
        if hourly.is_empty() {
            let mut t = from;
            while t < w.end.0 {
                hourly.push((t, 0));
                t += MS_PER_HOUR;
            }
        }
        let mut daily: Vec<(String, u64)> = Vec::new();
        for (t, n) in &hourly {
            let d = self.tz.date_string(Ts(*t));
            match daily.last_mut() {
                Some((last, total)) if *last == d => *total += n,
                _ => daily.push((d, *n)),
            }
        }
        json!({
            "hourly": hourly.iter().map(|(t, n)| json!({"timestamp": Ts(*t), "count": n})).collect::<Vec<_>>(),
            "daily": daily.iter().map(|(d, n)| json!({"date": d, "count": n})).collect::<Vec<_>>(),
            "definition": format!("PAGE_VIEW events per hour and per business day, {}", self.window_label(w)),
        })
    }

    /// The realtime widget: stock, holds and live traffic as of `now` (never cached).
    pub fn realtime(&self, ids: &[ActivityId], now: Ts) -> Value {
        let (mut held, mut paid_qty, mut awaiting, mut paid, mut sold_out_at) =
            (0i64, 0i64, 0u64, 0u64, None::<i64>);
        let mut limit: Option<i64> = Some(0);
        let mut active = RoaringBitmap::new();
        let five = Window::new(Ts(now.0 - 5 * 60_000), Ts(now.0 + 1));
        let hour = Window::new(Ts(now.0 - MS_PER_HOUR), Ts(now.0 + 1));
        let from = now.0.div_euclid(MS_PER_HOUR) * MS_PER_HOUR - 23 * MS_PER_HOUR;
        let day = Window::new(Ts(from), Ts(now.0 + 1));
        let mut inflow = 0;
        let mut hourly = [0u64; 24];
        for a in ids.iter().filter_map(|id| self.activities.get(id)) {
            limit = match (limit, a.meta.as_ref().and_then(|m| m.limit_count)) {
                (Some(l), Some(m)) => Some(l + m),
                _ => None,
            };
            let mut last_taken = None::<i64>;
            for e in a.entries.values() {
                match e.status {
                    EntryStatus::Approved => {
                        held += e.quantity;
                        awaiting += 1;
                    }
                    EntryStatus::Paid => {
                        paid_qty += e.quantity;
                        paid += 1;
                    }
                    _ => continue,
                }
                last_taken = last_taken.max(Some(e.approved_at));
            }
            if let (Some(m), Some(t)) = (a.meta.as_ref().and_then(|m| m.limit_count), last_taken) {
                let taken: i64 = a
                    .entries
                    .values()
                    .filter(|e| matches!(e.status, EntryStatus::Approved | EntryStatus::Paid))
                    .map(|e| e.quantity)
                    .sum();
                if m > 0 && taken >= m {
                    sold_out_at = sold_out_at.max(Some(t));
                }
            }
            for s in &a.series {
                active |= s.persons(&five);
            }
            let views = a.series(TriggerType::PageView);
            inflow += views.count(&hour);
            for (h, (_, n)) in hourly
                .iter_mut()
                .zip(views.bucket_counts(&day, from, MS_PER_HOUR))
            {
                *h += n;
            }
        }
        let remaining = limit.map(|l| (l - held - paid_qty).max(0));
        json!({
            "totalStock": limit,
            "remainingStock": remaining,
            "participants": awaiting + paid,
            "awaitingPayment": awaiting,
            "paid": paid,
            "heldQuantity": held,
            "paidQuantity": paid_qty,
            "activeUsers": self.persons.distinct(&active),
            "inflowLastHour": inflow,
            "hourlyInflow": hourly.iter().enumerate().map(|(i, n)| json!({"timestamp": Ts(from + i as i64 * MS_PER_HOUR), "count": n})).collect::<Vec<_>>(),
            "soldOutAt": sold_out_at.filter(|_| remaining == Some(0)).map(Ts),
            "lastUpdated": now,
            "definition": "remainingStock = limitCount − held − paid units; participants = entries APPROVED or PAID; activeUsers = distinct persons with any event in the last 5 minutes; inflowLastHour = PAGE_VIEW events in the last 60 minutes",
        })
    }

    /// The activity dashboard, or `None` for an unknown activity.
    pub fn activity_dashboard(&self, id: ActivityId, q: &Query) -> Option<Map<String, Value>> {
        let meta = self.activity_meta(id)?;
        let ids = [id];
        let scope = format!("activity {id}");
        let mut data = Map::new();
        let memo = Memo::default();
        for w in &q.widgets {
            let v = match w {
                Widget::Overview => {
                    self.overview_widget(&ids, meta.budget, &q.window, &scope, &memo)
                }
                Widget::Funnel => self.funnel_widget(&ids, q, &scope, &memo),
                Widget::Comparison => self.comparison(
                    &ids,
                    &meta.product_id.into_iter().collect::<Vec<_>>(),
                    Some(meta.start_date),
                    &q.window,
                ),
                Widget::Realtime => self.realtime(&ids, q.now),
                Widget::Trend => self.trend_widget(&ids, &q.window),
                Widget::Activities | Widget::Heatmap => continue,
            };
            data.insert(w.as_str().into(), v);
        }
        Some(data)
    }

    /// The budget of a campaign: its own, or the sum of its activities' when it has none.
    pub fn campaign_budget(&self, id: i64) -> Dec2 {
        let own = self.campaigns.get(&id).map_or(Dec2::ZERO, |c| c.budget);
        if own.is_zero() {
            self.campaign_activities(id)
                .iter()
                .fold(Dec2::ZERO, |s, a| s + a.budget)
        } else {
            own
        }
    }

    /// The campaign dashboard, or `None` for an unknown campaign.
    pub fn campaign_dashboard(&self, id: i64, q: &Query) -> Option<Map<String, Value>> {
        self.campaigns.get(&id)?;
        let acts = self.campaign_activities(id);
        let ids: Vec<ActivityId> = acts.iter().map(|a| a.id).collect();
        let scope = format!("the {} activities of campaign {id}", ids.len());
        let budget = self.campaign_budget(id);
        let mut data = Map::new();
        let memo = Memo::default();
        for w in &q.widgets {
            let v = match w {
                Widget::Overview => self.overview_widget(&ids, budget, &q.window, &scope, &memo),
                Widget::Funnel => self.funnel_widget(&ids, q, &scope, &memo),
                Widget::Comparison => {
                    let mut products: Vec<i64> = acts.iter().filter_map(|a| a.product_id).collect();
                    products.sort_unstable();
                    products.dedup();
                    let start = acts.iter().map(|a| a.start_date).min();
                    self.comparison(&ids, &products, start, &q.window)
                }
                Widget::Realtime => self.realtime(&ids, q.now),
                Widget::Trend => self.trend_widget(&ids, &q.window),
                Widget::Activities => Value::Array(
                    acts.iter()
                        .map(|a| self.activity_row(a, &q.window))
                        .collect(),
                ),
                Widget::Heatmap => self.heatmap(&ids, &q.window),
            };
            data.insert(w.as_str().into(), v);
        }
        Some(data)
    }

    fn activity_row(&self, a: &Activity, w: &Window) -> Value {
        let o = overview(&self.counts(&[a.id], w), a.budget);
        json!({
            "activityId": a.id, "activityName": a.name, "activityType": a.activity_type, "status": a.status,
            "category": a.product_id.and_then(|p| self.products.get(&p)).and_then(|p| p.category.clone()),
            "totalVisits": o.total_visits, "totalParticipants": o.total_participants, "approvedCount": o.approved_count,
            "purchaseCount": o.purchase_count, "gmv": o.gmv, "engagementRate": o.engagement_rate,
            "conversionRate": o.conversion_rate, "roas": o.roas,
        })
    }

    /// Visits by business hour of day and by weekday × hour, summed over the window.
    fn heatmap(&self, ids: &[ActivityId], w: &Window) -> Value {
        let mut by_hour = [0u64; 24];
        let mut grid = [[0u64; 24]; 7];
        let from = w.start.0.div_euclid(MS_PER_HOUR) * MS_PER_HOUR;
        for a in ids.iter().filter_map(|id| self.activities.get(id)) {
            for (t, n) in a
                .series(TriggerType::PageView)
                .bucket_counts(w, from, MS_PER_HOUR)
            {
                if n > 0 {
                    let (h, d) = (
                        self.tz.hour_of_day(Ts(t)) as usize,
                        self.tz.weekday(Ts(t)) as usize,
                    );
                    by_hour[h] += n;
                    grid[d][h] += n;
                }
            }
        }
        json!({
            "byHour": by_hour.iter().enumerate().map(|(h, n)| json!({"hour": h, "count": n})).collect::<Vec<_>>(),
            "byWeekdayHour": grid.iter().map(|r| r.to_vec()).collect::<Vec<_>>(),
            "weekdays": ["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"],
            "definition": format!("PAGE_VIEW events by business hour of day and weekday ({}), {}", self.tz.name(), self.window_label(w)),
        })
    }

    /// The global overview (SPEC §5.3): totals, top campaigns, efficiency, hourly traffic.
    pub fn global_overview(&self, w: &Window) -> Value {
        let mut campaigns: Vec<_> = self.campaigns.values().collect();
        campaigns.sort_by_key(|c| c.id);
        let mut rows = Vec::new();
        let mut all_ids = Vec::new();
        let mut total_budget = Dec2::ZERO;
        let (mut all, mut all_visitors) = (Counts::default(), RoaringBitmap::new());
        for c in &campaigns {
            let ids: Vec<ActivityId> = self
                .campaign_activities(c.id)
                .iter()
                .map(|a| a.id)
                .collect();
            let budget = self.campaign_budget(c.id);
            total_budget += budget;
            let (mut cc, mut visitors) = (Counts::default(), RoaringBitmap::new());
            for id in &ids {
                cc += self.activity_counts(*id, w);
                if let Some(a) = self.activities.get(id) {
                    visitors |= a.series(TriggerType::PageView).persons(w);
                }
            }
            cc.unique_visitors = self.persons.distinct(&visitors);
            all += Counts {
                unique_visitors: 0,
                ..cc
            };
            all_visitors |= visitors;
            rows.push((c, overview(&cc, budget)));
            all_ids.extend(ids);
        }
        all.unique_visitors = self.persons.distinct(&all_visitors);
        let cur = overview(&all, total_budget);
        let prev = overview(&self.counts(&all_ids, &w.previous()), total_budget);
        let mut totals = serde_json::to_value(&cur).unwrap_or_default();
        totals["change"] = change(&cur, &prev);
        totals["previous"] = serde_json::to_value(&prev).unwrap_or_default();
        let row = |(c, o): &(
            &&axon_domain::model::Campaign,
            axon_domain::metrics::Overview,
        )| {
            json!({"campaignId": c.id, "campaignName": c.name, "budget": o.budget, "gmv": o.gmv, "roas": o.roas,
                   "totalVisits": o.total_visits, "purchaseCount": o.purchase_count, "conversionRate": o.conversion_rate})
        };
        let mut by_gmv: Vec<_> = rows.iter().collect();
        by_gmv.sort_by(|a, b| b.1.gmv.cmp(&a.1.gmv).then(a.0.id.cmp(&b.0.id)));
        let mut by_visits: Vec<_> = rows.iter().collect();
        by_visits.sort_by(|a, b| {
            b.1.total_visits
                .cmp(&a.1.total_visits)
                .then(a.0.id.cmp(&b.0.id))
        });
        let from = w.start.0.div_euclid(MS_PER_HOUR) * MS_PER_HOUR;
        json!({
            "totals": totals,
            "campaignCount": campaigns.len(),
            "activityCount": all_ids.len(),
            "topCampaignsByGmv": by_gmv.iter().take(10).map(|r| row(r)).collect::<Vec<_>>(),
            "topCampaignsByVisits": by_visits.iter().take(10).map(|r| row(r)).collect::<Vec<_>>(),
            "efficiency": rows.iter().map(row).collect::<Vec<_>>(),
            "hourlyTraffic": self.global_views.bucket_counts(w, from, MS_PER_HOUR).iter().map(|(t, n)| json!({"timestamp": Ts(*t), "count": n})).collect::<Vec<_>>(),
            "definition": format!("all campaigns, {}; hourlyTraffic = every PAGE_VIEW event, attributed or not", self.window_label(w)),
        })
    }
}
