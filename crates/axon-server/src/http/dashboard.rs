//! Dashboards (SPEC §5, §6): activity, campaign and global answers, the funnel drop-off list
//! (JSON or CSV) and cohorts — all answered from the in-memory engine.

use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axon_domain::model::FunnelStep;
use axon_domain::period::{resolve, Period, Window};
use axon_domain::Ts;
use axon_engine::breakdown::Dimension;
use axon_engine::{Query, Widget, ACTIVITY_WIDGETS, CAMPAIGN_WIDGETS};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

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

/// Resolves the window of SPEC §5.1 from the parameters.
pub fn window(state: &AppState, p: &DashParams, now: Ts) -> ApiResult<(Period, Window)> {
    let period = Period::parse(p.period.as_deref().unwrap_or("7d"))?;
    let w = resolve(
        period,
        p.start_date.as_deref(),
        p.end_date.as_deref(),
        now,
        state.tz(),
    )?;
    Ok((period, w))
}

/// Builds the engine query; shared by REST, SSE and the question box.
pub fn query(state: &AppState, p: &DashParams, allowed: &[Widget]) -> ApiResult<(Period, Query)> {
    let now = state.now();
    let (period, window) = window(state, p, now)?;
    let widgets = Widget::parse_list(p.widgets.as_deref(), allowed)?;
    if let Some(h) = p.conversion_window_hours {
        if !(1..=24 * 400).contains(&h) {
            return Err(ApiError::bad_request(
                "INVALID_QUERY",
                "conversionWindowHours must be between 1 and 9600",
            ));
        }
    }
    if let Some(b) = p.breakdown.as_deref().filter(|b| !b.is_empty()) {
        Dimension::parse(b)?;
    }
    Ok((
        period,
        Query {
            window,
            now,
            widgets,
            conversion_window_hours: p.conversion_window_hours,
        },
    ))
}

fn envelope(
    key: &str,
    id: i64,
    period: Period,
    q: &Query,
    data: Map<String, Value>,
    extra: Option<(&str, Value)>,
) -> Value {
    let mut v = json!({
        key: id, "period": period.as_str(), "startDate": q.window.start, "endDate": q.window.end,
        "timestamp": q.now, "data": data,
    });
    if let Some((k, x)) = extra {
        v[k] = x;
    }
    v
}

fn activity_missing(id: i64) -> ApiError {
    ApiError::not_found(
        "ACTIVITY_NOT_FOUND",
        format!("activity {id} does not exist"),
    )
}

fn campaign_missing(id: i64) -> ApiError {
    ApiError::not_found(
        "CAMPAIGN_NOT_FOUND",
        format!("campaign {id} does not exist"),
    )
}

/// The activity dashboard JSON (used by REST and the live stream).
pub fn activity_json(state: &AppState, id: i64, p: &DashParams) -> ApiResult<Value> {
    let (period, q) = query(state, p, &ACTIVITY_WIDGETS)?;
    let engine = state.snapshots.load();
    let meta = engine
        .activity_meta(id)
        .ok_or_else(|| activity_missing(id))?;
    let campaign_id = meta.campaign_id;
    let data = engine.activity_dashboard(id, &q).unwrap_or_default();
    Ok(envelope(
        "activityId",
        id,
        period,
        &q,
        data,
        Some(("campaignId", Value::from(campaign_id))),
    ))
}

/// The campaign dashboard JSON (used by REST and the live stream).
pub fn campaign_json(state: &AppState, id: i64, p: &DashParams) -> ApiResult<Value> {
    let (period, q) = query(state, p, &CAMPAIGN_WIDGETS)?;
    let engine = state.snapshots.load();
    let data = engine
        .campaign_dashboard(id, &q)
        .ok_or_else(|| campaign_missing(id))?;
    Ok(envelope("campaignId", id, period, &q, data, None))
}

/// Runs an engine query on the blocking pool, so a heavy dashboard never stalls the async
/// workers that acknowledge events.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> ApiResult<T> + Send + 'static,
) -> ApiResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(ApiError::internal)?
}

/// Adds `data.breakdown` when asked: raw events come from the log (off the async workers),
/// the split is computed by the engine.
async fn with_breakdown(
    state: &AppState,
    ids: Vec<i64>,
    p: &DashParams,
    mut v: Value,
) -> ApiResult<Value> {
    let Some(dim) = p
        .breakdown
        .as_deref()
        .filter(|b| !b.is_empty())
        .map(Dimension::parse)
        .transpose()?
    else {
        return Ok(v);
    };
    let (start, end) = (
        Ts::parse_utc(v["startDate"].as_str().unwrap_or("")),
        Ts::parse_utc(v["endDate"].as_str().unwrap_or("")),
    );
    let (Ok(start), Ok(end)) = (start, end) else {
        return Ok(v);
    };
    v["data"]["breakdown"] = breakdown_json(state, ids, dim, Window::new(start, end)).await?;
    Ok(v)
}

/// One breakdown (SPEC §5.2) of some activities over a window: raw events from the log (off the
/// async workers), the split by the engine. Shared by dashboards and the question box.
pub async fn breakdown_json(
    state: &AppState,
    ids: Vec<i64>,
    dim: Dimension,
    w: Window,
) -> ApiResult<Value> {
    let (start, end) = (w.start, w.end);
    let (events_port, repo) = (state.backends.events.clone(), state.backends.repo.clone());
    let scope = ids.clone();
    // The raw events of a window can be many: read them on the blocking pool.
    let rt = tokio::runtime::Handle::current();
    let (events, profiles) =
        tokio::task::spawn_blocking(move || -> Result<_, axon_store::StoreError> {
            let mut events = Vec::new();
            for id in &scope {
                events.extend(rt.block_on(events_port.activity_events(*id, start, end))?);
            }
            let mut users: Vec<String> = events.iter().filter_map(|e| e.user_id.clone()).collect();
            users.sort_unstable();
            users.dedup();
            let profiles = if dim.from_profile() {
                rt.block_on(repo.profiles(&users))?
            } else {
                Vec::new()
            };
            Ok((events, profiles))
        })
        .await
        .map_err(ApiError::internal)??;
    let profiles = profiles
        .into_iter()
        .map(|p| (p.user_id.clone(), p))
        .collect();
    Ok(state
        .snapshots
        .load()
        .breakdown(&ids, dim, &w, &events, &profiles))
}

async fn activity(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<DashParams>,
) -> ApiResult<Json<Value>> {
    let (st, params) = (state.clone(), p.clone());
    let v = blocking(move || activity_json(&st, id, &params)).await?;
    with_breakdown(&state, vec![id], &p, v).await.map(Json)
}

async fn campaign(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<DashParams>,
) -> ApiResult<Json<Value>> {
    let (st, params) = (state.clone(), p.clone());
    let v = blocking(move || campaign_json(&st, id, &params)).await?;
    let ids = state
        .snapshots
        .load()
        .campaign_activities(id)
        .iter()
        .map(|a| a.id)
        .collect();
    with_breakdown(&state, ids, &p, v).await.map(Json)
}

async fn overview(
    _: Viewer,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<DashParams>,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let (period, w) = window(&state, &p, now)?;
    let st = state.clone();
    let data = blocking(move || Ok(st.snapshots.load().global_overview(&w))).await?;
    Ok(Json(
        json!({"period": period.as_str(), "startDate": w.start, "endDate": w.end, "timestamp": now, "data": data}),
    ))
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
    let step = FunnelStep::parse(p.step.as_deref().unwrap_or("VISIT"))?;
    let index = match step {
        FunnelStep::Visit => 0,
        FunnelStep::Engage => 1,
        FunnelStep::Qualify => 2,
        FunnelStep::Purchase => {
            return Err(ApiError::bad_request(
                "INVALID_STEP",
                "PURCHASE is the last step: nobody drops off after it",
            ))
        }
    };
    let (page, size) = (p.page.unwrap_or(0), p.size.unwrap_or(100));
    if !(1..=1000).contains(&size) {
        return Err(ApiError::bad_request(
            "INVALID_QUERY",
            "size must be between 1 and 1000",
        ));
    }
    let (period, q) = query(
        &state,
        &DashParams { widgets: None, ..p },
        &ACTIVITY_WIDGETS,
    )?;
    let rows = {
        let engine = state.snapshots.load();
        let a = engine
            .activity(id)
            .filter(|a| a.meta.is_some())
            .ok_or_else(|| activity_missing(id))?;
        engine.dropoff(
            a,
            index,
            &q.window,
            q.conversion_window_hours.map(|h| h * 3_600_000),
        )
    };
    let total = rows.len();
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
    let pageful: Vec<_> = rows.into_iter().skip(page * size).take(size).collect();
    let next = ["ENGAGE", "QUALIFY", "PURCHASE"][index];
    Ok(Json(json!({
        "activityId": id, "step": step, "nextStep": next, "period": period.as_str(),
        "startDate": q.window.start, "endDate": q.window.end,
        "page": page, "size": size, "totalElements": total, "totalPages": total.div_ceil(size),
        "persons": pageful,
    }))
    .into_response())
}

/// Cohort windows default to the activity's start … now.
fn cohort_window(
    state: &AppState,
    p: &DashParams,
    default_start: Ts,
    now: Ts,
) -> ApiResult<Window> {
    let start = match p.start_date.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => state
            .tz()
            .parse_instant(s)
            .map_err(|e| ApiError::bad_request("INVALID_PERIOD", e.message))?,
        None => default_start,
    };
    let end = match p.end_date.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => {
            let t = state
                .tz()
                .parse_instant(s)
                .map_err(|e| ApiError::bad_request("INVALID_PERIOD", e.message))?;
            if axon_domain::BusinessTz::is_date_only(s) {
                state.tz().next_day_start(t)
            } else {
                t
            }
        }
        None => now,
    };
    if end < start {
        return Err(ApiError::bad_request(
            "INVALID_PERIOD",
            "endDate is before startDate",
        ));
    }
    Ok(Window::new(start, end))
}

async fn cohort_activity(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<DashParams>,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let engine = state.snapshots.load();
    let meta = engine
        .activity_meta(id)
        .ok_or_else(|| activity_missing(id))?;
    let w = cohort_window(&state, &p, meta.start_date, now.max(meta.start_date))?;
    Ok(Json(
        engine.cohort_activity(id, &w, now).unwrap_or_default(),
    ))
}

async fn cohort_campaign(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<DashParams>,
) -> ApiResult<Json<Value>> {
    let now = state.now();
    let weekly = match p.granularity.as_deref().unwrap_or("month") {
        "month" => false,
        "week" => true,
        other => {
            return Err(ApiError::bad_request(
                "INVALID_QUERY",
                format!("granularity must be month or week, not '{other}'"),
            ))
        }
    };
    let engine = state.snapshots.load();
    engine.campaign(id).ok_or_else(|| campaign_missing(id))?;
    let start = engine
        .campaign_activities(id)
        .iter()
        .map(|a| a.start_date)
        .min()
        .unwrap_or(Ts(0));
    let w = cohort_window(&state, &p, start, now.max(start))?;
    Ok(Json(
        engine
            .cohort_campaign(id, weekly, &w, now)
            .unwrap_or_default(),
    ))
}
