//! Dashboards (SPEC §5, §6): activity, campaign and global answers, the funnel drop-off list
//! (JSON or CSV) and cohorts — parsed here, answered by the dashboards service, serialised.

use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axon_services::dashboards::{
    dropoff_page, dropoff_step, query, window, ActivityCohort, ActivityDashboard, CampaignCohort,
    CampaignDashboard, DropoffPage, GlobalOverview, Query, Request, Widget, ACTIVITY_WIDGETS,
    CAMPAIGN_WIDGETS,
};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/dashboard/activity/{id}", get(activity))
        .route(
            "/api/v1/dashboard/activity/{id}/funnel/dropoff",
            get(dropoff),
        )
        .route("/api/v1/dashboard/campaign/{id}", get(campaign))
        .route("/api/v1/dashboard/overview", get(overview))
        .route(
            "/api/v1/dashboard/cohort/activity/{id}",
            get(cohort_activity),
        )
        .route(
            "/api/v1/dashboard/cohort/campaign/{id}",
            get(cohort_campaign),
        )
}

#[derive(Deserialize, Default, Clone)]
#[serde(rename_all = "camelCase")]
pub struct DashParams {
    pub widgets: Option<String>,
    pub period: Option<String>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub conversion_window_hours: Option<i64>,
    pub breakdown: Option<String>,
    pub step: Option<String>,
    pub page: Option<usize>,
    pub size: Option<usize>,
    pub granularity: Option<String>,
}

impl DashParams {
    fn request(&self) -> Request {
        Request {
            widgets: self.widgets.clone(),
            period: self.period.clone(),
            start_date: self.start_date.clone(),
            end_date: self.end_date.clone(),
            conversion_window_hours: self.conversion_window_hours,
            breakdown: self.breakdown.clone(),
        }
    }
}

/// The checked call of SPEC §5.1 at the state's "now".
fn checked(state: &AppState, p: &DashParams, allowed: &[Widget]) -> ApiResult<Query> {
    Ok(query(&p.request(), allowed, state.now(), state.tz())?)
}

/// The activity dashboard; `split` adds the breakdown asked for (the live stream leaves it out).
pub fn activity_answer(
    state: &AppState,
    id: i64,
    p: &DashParams,
    split: bool,
) -> ApiResult<ActivityDashboard> {
    let mut q = checked(state, p, &ACTIVITY_WIDGETS)?;
    q.breakdown = q.breakdown.filter(|_| split);
    Ok(state.dashboards.view().activity(id, &q)?)
}

/// The campaign dashboard; `split` as for [`activity_answer`].
pub fn campaign_answer(
    state: &AppState,
    id: i64,
    p: &DashParams,
    split: bool,
) -> ApiResult<CampaignDashboard> {
    let mut q = checked(state, p, &CAMPAIGN_WIDGETS)?;
    q.breakdown = q.breakdown.filter(|_| split);
    Ok(state.dashboards.view().campaign(id, &q)?)
}

/// Runs a dashboard read on the blocking pool, so a heavy answer (or a breakdown's store read)
/// never stalls the async workers that acknowledge events.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

async fn activity(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<DashParams>,
) -> ApiResult<Json<ActivityDashboard>> {
    blocking(move || activity_answer(&state, id, &p, true))
        .await
        .map(Json)
}

async fn campaign(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<DashParams>,
) -> ApiResult<Json<CampaignDashboard>> {
    blocking(move || campaign_answer(&state, id, &p, true))
        .await
        .map(Json)
}

async fn overview(
    _: Viewer,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<DashParams>,
) -> ApiResult<Json<GlobalOverview>> {
    let now = state.now();
    let (period, w) = window(&p.request(), now, state.tz())?;
    blocking(move || Ok(state.dashboards.view().global(period, &w, now)))
        .await
        .map(Json)
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

async fn dropoff(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<DashParams>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let step = dropoff_step(p.step.as_deref())?;
    let (page, size) = dropoff_page(p.page, p.size)?;
    let q = checked(
        &state,
        &DashParams { widgets: None, ..p },
        &ACTIVITY_WIDGETS,
    )?;
    let (st, q2) = (state.clone(), q.clone());
    let rows = blocking(move || Ok(st.dashboards.view().dropoffs(id, step, &q2)?)).await?;
    let wants_csv = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/csv"));
    if wants_csv {
        let mut out = String::from("personId,userId,anonymousId,sessionId,reachedAt\n");
        for r in &rows {
            out.push_str(&format!(
                "{},{},{},{},{}\n",
                csv_field(&r.person_id),
                csv_field(r.user_id.as_deref().unwrap_or("")),
                csv_field(r.anonymous_id.as_deref().unwrap_or("")),
                csv_field(r.session_id.as_deref().unwrap_or("")),
                r.reached_at
            ));
        }
        return Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8")], out).into_response());
    }
    Ok(Json(DropoffPage::new(id, step, &q, rows, page, size)).into_response())
}

async fn cohort_activity(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<DashParams>,
) -> ApiResult<Json<ActivityCohort>> {
    blocking(move || {
        Ok(state.dashboards.view().activity_cohort_between(
            id,
            p.start_date.as_deref(),
            p.end_date.as_deref(),
            state.now(),
        )?)
    })
    .await
    .map(Json)
}

async fn cohort_campaign(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<DashParams>,
) -> ApiResult<Json<CampaignCohort>> {
    blocking(move || {
        Ok(state.dashboards.view().campaign_cohort_between(
            id,
            p.granularity.as_deref(),
            p.start_date.as_deref(),
            p.end_date.as_deref(),
            state.now(),
        )?)
    })
    .await
    .map(Json)
}
