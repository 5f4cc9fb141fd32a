//! Cohorts (SPEC §6): an activity's first-time buyers with their LTV windows, CAC, LTV/CAC,
//! repeat metrics, monthly curve and health; a campaign's or an activity's retention matrix.

use super::error::{ServiceError, ServiceResult};
use super::request::{cohort_window, weekly};
use super::View;
use axon_domain::metrics::cohort::{
    break_even, cohort_figures, per_customer, retention, window_progress, CohortSums,
    WindowProgress, LTV_DAYS,
};
use axon_domain::model::{ActivityId, CampaignId};
use axon_domain::period::Window;
use axon_domain::time::MS_PER_DAY;
use axon_domain::{Dec2, Ts};
use serde::Serialize;
use std::collections::BTreeMap;

/// Months of the monthly curve, from the activity's start.
const MONTHS: usize = 12;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct MonthRow {
    pub month: usize,
    pub month_start: Ts,
    pub cumulative_ltv: Dec2,
    pub revenue: Dec2,
    pub orders: u64,
    pub active_users: u64,
    pub cumulative_revenue: Dec2,
    pub cumulative_profit: Dec2,
    pub break_even: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ActivityCohort {
    pub cohort_id: String,
    pub cohort_name: String,
    pub activity_id: ActivityId,
    pub cohort_start_date: Ts,
    pub cohort_end_date: Ts,
    pub total_customers: u64,
    pub total_acquisition_cost: Dec2,
    #[serde(rename = "avgCAC")]
    pub avg_cac: Dec2,
    #[serde(rename = "ltv30d")]
    pub ltv_30d: Dec2,
    #[serde(rename = "ltv90d")]
    pub ltv_90d: Dec2,
    #[serde(rename = "ltv365d")]
    pub ltv_365d: Dec2,
    pub ltv_current: Dec2,
    #[serde(rename = "ltvCacRatio30d")]
    pub ltv_cac_ratio_30d: Dec2,
    #[serde(rename = "ltvCacRatio90d")]
    pub ltv_cac_ratio_90d: Dec2,
    #[serde(rename = "ltvCacRatio365d")]
    pub ltv_cac_ratio_365d: Dec2,
    pub ltv_cac_ratio_current: Dec2,
    pub repeat_purchase_rate: Dec2,
    pub avg_purchase_frequency: Dec2,
    pub avg_order_value: Dec2,
    /// Which LTV windows have run their full length (incomplete ones hold the value so far).
    pub windows: LtvWindows,
    pub monthly: Vec<MonthRow>,
    pub health: Option<&'static str>,
    pub definition: &'static str,
    pub calculated_at: Ts,
}

/// The progress of the 30-, 90- and 365-day windows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LtvWindows {
    #[serde(rename = "30d")]
    pub d30: WindowState,
    #[serde(rename = "90d")]
    pub d90: WindowState,
    #[serde(rename = "365d")]
    pub d365: WindowState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct WindowState {
    pub complete: bool,
    /// Customers whose window has run its full length.
    pub complete_customers: u64,
    /// Whole days since the youngest customer's first purchase.
    pub elapsed_days: i64,
}

impl From<WindowProgress> for WindowState {
    fn from(p: WindowProgress) -> WindowState {
        WindowState {
            complete: p.complete(),
            complete_customers: p.complete_customers,
            elapsed_days: p.elapsed_days,
        }
    }
}

/// A campaign's retention matrix (SPEC §6).
pub type CampaignCohort = Retention;

/// One cohort of a retention matrix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CohortRow {
    pub cohort: String,
    pub start: Ts,
    pub size: u64,
    pub counts: Vec<u64>,
    pub retention: Vec<Dec2>,
}

/// A retention matrix: cohorts of first-time buyers (of a campaign or of one activity) by the
/// week or month of their first purchase × the periods since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Retention {
    pub cohort_id: String,
    pub cohort_name: String,
    pub granularity: &'static str,
    pub cohort_start_date: Ts,
    pub cohort_end_date: Ts,
    pub total_customers: usize,
    pub cohorts: Vec<CohortRow>,
    pub definition: &'static str,
    pub calculated_at: Ts,
}

impl View<'_> {
    /// The activity cohort a request asks for: `startDate` … `endDate`, by default the
    /// activity's start … now.
    pub fn activity_cohort_between(
        &self,
        id: ActivityId,
        start_date: Option<&str>,
        end_date: Option<&str>,
        now: Ts,
    ) -> ServiceResult<ActivityCohort> {
        let start = self
            .snap
            .activity(id)
            .ok_or_else(|| ServiceError::activity_not_found(id))?
            .start_date;
        let w = cohort_window(
            start_date,
            end_date,
            (start, now.max(start)),
            now,
            self.tz(),
            self.service.horizon(),
        )?;
        self.activity_cohort(id, &w, now)
    }

    /// The campaign retention matrix a request asks for (`granularity` month or week):
    /// `startDate` … `endDate`, by default its first activity's start … now.
    pub fn campaign_cohort_between(
        &self,
        id: CampaignId,
        granularity: Option<&str>,
        start_date: Option<&str>,
        end_date: Option<&str>,
        now: Ts,
    ) -> ServiceResult<CampaignCohort> {
        let weekly = weekly(granularity)?;
        self.snap
            .campaign(id)
            .ok_or_else(|| ServiceError::campaign_not_found(id))?;
        let start = self
            .snap
            .campaign_activities(id)
            .iter()
            .map(|a| a.start_date)
            .min()
            .unwrap_or(Ts(0));
        let w = cohort_window(
            start_date,
            end_date,
            (start, now.max(start)),
            now,
            self.tz(),
            self.service.horizon(),
        )?;
        self.campaign_cohort(id, weekly, &w, now)
    }

    /// An activity's cohort: persons whose first promotion purchase of it falls in `w`.
    pub fn activity_cohort(
        &self,
        id: ActivityId,
        w: &Window,
        now: Ts,
    ) -> ServiceResult<ActivityCohort> {
        let meta = self
            .snap
            .activity(id)
            .ok_or_else(|| ServiceError::activity_not_found(id))?;
        let members = self.snap.cohort(&[id], w);
        let n = members.len() as u64;
        let month_starts: Vec<Ts> = (0..=MONTHS as i32)
            .map(|m| self.tz().add_months(meta.start_date, m))
            .collect();
        let mut sums = CohortSums::default();
        let mut months = [(Dec2::ZERO, 0u64, 0u64); MONTHS];
        for m in &members {
            sums.add(m.first, m.purchases.iter().map(|p| (p.at, p.value)));
            let mut active = [false; MONTHS];
            for p in &m.purchases {
                let k = month_starts.partition_point(|s| *s <= p.at);
                if (1..=MONTHS).contains(&k) {
                    months[k - 1].0 += p.value;
                    months[k - 1].1 += 1;
                    active[k - 1] = true;
                }
            }
            for (slot, a) in months.iter_mut().zip(active) {
                slot.2 += u64::from(a);
            }
        }
        let budget = meta.budget;
        let f = cohort_figures(&sums, budget);
        let firsts: Vec<Ts> = members.iter().map(|m| m.first).collect();
        let progress = |days: i64| WindowState::from(window_progress(&firsts, days, now));
        let windows = LtvWindows {
            d30: progress(LTV_DAYS[0]),
            d90: progress(LTV_DAYS[1]),
            d365: progress(LTV_DAYS[2]),
        };
        let mut cumulative = Dec2::ZERO;
        // The curve stops at the current month: later months have not happened yet.
        let monthly = months
            .iter()
            .enumerate()
            .take_while(|(m, _)| month_starts[*m] <= now)
            .map(|(m, (revenue, orders, active))| {
                cumulative += *revenue;
                MonthRow {
                    month: m,
                    month_start: month_starts[m],
                    cumulative_ltv: per_customer(cumulative, n),
                    revenue: *revenue,
                    orders: *orders,
                    active_users: *active,
                    cumulative_revenue: cumulative,
                    cumulative_profit: cumulative - budget,
                    break_even: break_even(cumulative, budget, n),
                }
            })
            .collect();
        Ok(ActivityCohort {
            cohort_id: format!("activity-{id}"),
            cohort_name: meta.name,
            activity_id: id,
            cohort_start_date: w.start,
            cohort_end_date: w.end,
            total_customers: n,
            total_acquisition_cost: budget,
            avg_cac: f.avg_cac,
            ltv_30d: f.ltv[0],
            ltv_90d: f.ltv[1],
            ltv_365d: f.ltv[2],
            ltv_current: f.ltv[3],
            ltv_cac_ratio_30d: f.ltv_cac[0],
            ltv_cac_ratio_90d: f.ltv_cac[1],
            ltv_cac_ratio_365d: f.ltv_cac[2],
            ltv_cac_ratio_current: f.ltv_cac[3],
            repeat_purchase_rate: f.repeat_purchase_rate,
            avg_purchase_frequency: f.avg_purchase_frequency,
            avg_order_value: f.avg_order_value,
            windows,
            monthly,
            health: f.health,
            definition: "cohort = persons whose first promotion purchase of this activity falls in [cohortStartDate, cohortEndDate); LTV counts every purchase of theirs (any type) from that first purchase on, per customer; day 30 is inside ltv30d; a D-day window is complete for a customer once D + 1 days have passed since their first purchase (windows.*.complete), until then ltvD is the value so far",
            calculated_at: now,
        })
    }

    /// A campaign's retention matrix: cohorts of first-time buyers (first promotion purchase in
    /// any of its activities) by month or week × periods since, % still buying.
    pub fn campaign_cohort(
        &self,
        id: CampaignId,
        weekly: bool,
        w: &Window,
        now: Ts,
    ) -> ServiceResult<CampaignCohort> {
        let campaign = self
            .snap
            .campaign(id)
            .ok_or_else(|| ServiceError::campaign_not_found(id))?;
        let ids: Vec<ActivityId> = self
            .snap
            .campaign_activities(id)
            .iter()
            .map(|a| a.id)
            .collect();
        let (total_customers, cohorts) = self.retention_rows(&ids, weekly, w, now);
        Ok(Retention {
            cohort_id: format!("campaign-{id}"),
            cohort_name: campaign.name,
            granularity: granularity_name(weekly),
            cohort_start_date: w.start,
            cohort_end_date: w.end,
            total_customers,
            cohorts,
            definition: "cohort = first-time buyers by the period of their first promotion purchase in this campaign; retention[k] = % of them who bought anything in period k after it (period 0 is the first purchase)",
            calculated_at: now,
        })
    }

    /// The retention matrix a request asks for of an activity's first-time buyers
    /// (`granularity` month or week): `startDate` … `endDate`, by default the activity's start
    /// … now — the same cohort as [`View::activity_cohort_between`], split by period.
    pub fn activity_retention_between(
        &self,
        id: ActivityId,
        granularity: Option<&str>,
        start_date: Option<&str>,
        end_date: Option<&str>,
        now: Ts,
    ) -> ServiceResult<Retention> {
        let weekly = weekly(granularity)?;
        let meta = self
            .snap
            .activity(id)
            .ok_or_else(|| ServiceError::activity_not_found(id))?;
        let start = meta.start_date;
        let w = cohort_window(
            start_date,
            end_date,
            (start, now.max(start)),
            now,
            self.tz(),
            self.service.horizon(),
        )?;
        let (total_customers, cohorts) = self.retention_rows(&[id], weekly, &w, now);
        Ok(Retention {
            cohort_id: format!("activity-{id}"),
            cohort_name: meta.name,
            granularity: granularity_name(weekly),
            cohort_start_date: w.start,
            cohort_end_date: w.end,
            total_customers,
            cohorts,
            definition: "cohort = first-time buyers by the period of their first promotion purchase of this activity; retention[k] = % of them who bought anything (any type, any activity) in period k after it (period 0 is the first purchase)",
            calculated_at: now,
        })
    }

    /// The persons whose first promotion purchase of `ids` falls in `w` (how many), in cohorts
    /// by the week or month of that purchase × the periods since (up to now), % still buying.
    fn retention_rows(
        &self,
        ids: &[ActivityId],
        weekly: bool,
        w: &Window,
        now: Ts,
    ) -> (usize, Vec<CohortRow>) {
        let members = self.snap.cohort(ids, w);
        let tz = self.tz();
        let period_start = |t: Ts| {
            if weekly {
                tz.week_start(t)
            } else {
                tz.month_start(t, 0)
            }
        };
        let next = |t: Ts| {
            if weekly {
                t.plus_ms(7 * MS_PER_DAY)
            } else {
                tz.add_months(t, 1)
            }
        };
        let mut cohorts: BTreeMap<Ts, Vec<_>> = BTreeMap::new();
        for m in &members {
            cohorts.entry(period_start(m.first)).or_default().push(m);
        }
        let rows = cohorts
            .iter()
            .map(|(start, members)| {
                let mut bounds = vec![*start];
                while let Some(last) = bounds.last().copied().filter(|l| *l <= now) {
                    bounds.push(next(last));
                }
                let periods = bounds.len() - 1;
                let mut counts = vec![0u64; periods];
                for m in members {
                    let mut seen = vec![false; periods];
                    for p in &m.purchases {
                        let k = bounds.partition_point(|b| *b <= p.at);
                        if (1..=periods).contains(&k) {
                            seen[k - 1] = true;
                        }
                    }
                    for (c, s) in counts.iter_mut().zip(seen) {
                        *c += u64::from(s);
                    }
                }
                let size = members.len() as u64;
                let date = tz.date_string(*start);
                CohortRow {
                    cohort: if weekly { date } else { date[..7].to_string() },
                    start: *start,
                    size,
                    retention: counts.iter().map(|c| retention(*c, size)).collect(),
                    counts,
                }
            })
            .collect();
        (members.len(), rows)
    }
}

fn granularity_name(weekly: bool) -> &'static str {
    if weekly {
        "week"
    } else {
        "month"
    }
}
