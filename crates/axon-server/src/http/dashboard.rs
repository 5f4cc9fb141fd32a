//! Dashboards (SPEC §5, §6): activity, campaign and global answers, the funnel drop-off list
//! and cohorts — parsed here, answered by the dashboards service, serialised as JSON or (one
//! part, the drop-off list, the raw events) downloaded as CSV or Parquet (`export`).

use super::export::{events_download, format_of, table_download};
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::openapi::errors::{ReadErrors, SharedReadErrors};
use crate::openapi::{Id, ParquetFile};
use crate::share_access::Reader;
use crate::state::AppState;
use axon_domain::annotation::Annotation;
use axon_domain::dimension::Dimension;
use axon_domain::period::{Period, Window};
use axon_domain::share::ScopeRef;
use axon_domain::Ts;
use axon_ports::live::Scope;
use axon_services::dashboards::export::{self, Cell, Table};
use axon_services::dashboards::Scope as Covers;
use axon_services::dashboards::{
    breakdown, dropoff_page, dropoff_step, query, window, ActivityCohort, CampaignCohort,
    DropoffPage, ExportFormat, Query, Request, Retention, ServiceResult, Versions, View, Widget,
    ACTIVITY_WIDGETS, CAMPAIGN_WIDGETS,
};
use axon_services::dashboards::{ActivityDashboard, CampaignDashboard, GlobalOverview};
use axon_services::renders::RenderVersion;
use axon_services::ServiceError;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use std::sync::Arc;
use utoipa_axum::{router::OpenApiRouter, routes};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(activity))
        .routes(routes!(dropoff))
        .routes(routes!(campaign))
        .routes(routes!(activity_events))
        .routes(routes!(campaign_events))
        .routes(routes!(overview))
        .routes(routes!(cohort_activity))
        .routes(routes!(retention_activity))
        .routes(routes!(cohort_campaign))
}

/// The checked call of SPEC §5.1 at the state's "now".
pub(super) fn checked(state: &AppState, p: &Request, allowed: &[Widget]) -> ApiResult<Query> {
    Ok(query(p, allowed, state.now(), state.tz())?)
}

/// Answers from one view of the service on the reader pool, so a heavy answer (or a
/// breakdown's store read) never stalls the async workers that acknowledge events.
async fn answer<T: Send + 'static>(
    state: AppState,
    f: impl FnOnce(&View<'_>, Ts) -> ServiceResult<T> + Send + 'static,
) -> ApiResult<Json<T>> {
    let readers = state.readers.clone();
    readers
        .run(move || {
            let view = state.dashboards.view();
            view.checked(f(&view, state.now()))
        })
        .await
        .map_err(ApiError::internal)?
        .map(Json)
        .map_err(ApiError::from)
}

/// A dashboard whose answers are shared by every caller (REST and live) of the same
/// parameters at the same data version.
#[derive(Debug, Clone, Copy)]
pub(super) enum Subject {
    Activity(i64),
    Campaign(i64),
    /// The global overview (every campaign).
    Global,
}

impl Subject {
    pub(super) fn scope(self) -> Scope {
        match self {
            Subject::Activity(id) => Scope::Activity(id),
            Subject::Campaign(id) => Scope::Campaign(id),
            Subject::Global => Scope::Global,
        }
    }
}

/// A subject's checked call: the activity and campaign dashboards answer widgets, the global
/// overview a window (it has no widget list).
enum Checked {
    Activity(i64, Query),
    Campaign(i64, Query),
    Global(Period, Window, Ts, Option<Dimension>),
}

impl Checked {
    fn new(state: &AppState, subject: Subject, p: &Request, live: bool) -> ApiResult<Checked> {
        let widgets = |allowed: &[Widget]| -> ApiResult<Query> {
            let mut q = checked(state, p, allowed)?;
            if live {
                q.breakdown = None;
            }
            Ok(q)
        };
        Ok(match subject {
            Subject::Activity(id) => Checked::Activity(id, widgets(&ACTIVITY_WIDGETS)?),
            Subject::Campaign(id) => Checked::Campaign(id, widgets(&CAMPAIGN_WIDGETS)?),
            Subject::Global => {
                let now = state.now();
                let (period, w) = window(p, now, state.tz())?;
                let split = if live { None } else { breakdown(p)? };
                Checked::Global(period, w, now, split)
            }
        })
    }

    fn now(&self) -> Ts {
        match self {
            Checked::Activity(_, q) | Checked::Campaign(_, q) => q.now,
            Checked::Global(_, _, now, _) => *now,
        }
    }

    /// The scope and window whose annotations the answer lists (none for the overview).
    fn noted(&self) -> Option<(ScopeRef, Ts, Ts)> {
        match self {
            Checked::Activity(id, q) => {
                Some((ScopeRef::Activity(*id), q.window.start, q.window.end))
            }
            Checked::Campaign(id, q) => {
                Some((ScopeRef::Campaign(*id), q.window.start, q.window.end))
            }
            Checked::Global(..) => None,
        }
    }

    /// The answer's JSON from `view` (through the shared answer cache, under `versions`), with
    /// the scope's `notes`.
    fn render(
        &self,
        view: &View<'_>,
        versions: Versions,
        notes: &[Annotation],
    ) -> ServiceResult<String> {
        match self {
            Checked::Activity(id, q) => view.activity_json(*id, q, versions, notes),
            Checked::Campaign(id, q) => view.campaign_json(*id, q, versions, notes),
            Checked::Global(period, w, now, split) => {
                json(&view.global_split(*period, w, *now, *split)?)
            }
        }
    }
}

fn json(v: &impl serde::Serialize) -> ServiceResult<String> {
    serde_json::to_string(v).map_err(ServiceError::internal)
}

/// The answer's JSON: rendered once per (subject, parameters, data version, second) on the
/// reader pool and shared by everyone who asks meanwhile. `live` leaves the breakdown out
/// (a live stream would read the store on every push).
pub(super) async fn shared(
    state: &AppState,
    subject: Subject,
    p: &Request,
    live: bool,
) -> ApiResult<Arc<str>> {
    let checked = Checked::new(state, subject, p, live)?;
    let notes = match checked.noted() {
        Some((scope, start, end)) => state.annotations.for_dashboard(scope, start, end).await?,
        None => Vec::new(),
    };
    let version = RenderVersion {
        data: state.backends.changes.version_of(subject.scope()),
        second: checked.now().0.div_euclid(1000),
    };
    // Read before the view's snapshot is taken (the cache's rule, `dashboards::cached`).
    let versions = Versions {
        scope: version.data,
        global: state.backends.changes.version_of(Scope::Global),
    };
    // The notes are part of the key: a new or deleted note is a new answer at once.
    let ids: Vec<i64> = notes.iter().map(|n| n.id).collect();
    let key = format!("{subject:?}|{live}|{p:?}|{ids:?}");
    let st = state.clone();
    let readers = state.readers.clone();
    let render = async move {
        readers
            .run(move || {
                let view = st.dashboards.view();
                view.checked(checked.render(&view, versions, &notes))
                    .map(Arc::from)
            })
            .await
            .unwrap_or_else(|e| Err(ServiceError::internal(e)))
    };
    Ok(state.renders.get(&key, version, render).await?)
}

fn json_text(s: &str) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], s.to_string()).into_response()
}

#[utoipa::path(get, path = "/api/v1/dashboard/activity/{id}", tag = "dashboards", params(Id, Request), responses((status = 200, description = "the dashboard, or with `format=csv|parquet` (or `Accept: text/csv` / `application/vnd.apache.parquet`) one part of it as a CSV or Parquet file", content((ActivityDashboard = "application/json"), (String = "text/csv"), (ParquetFile = "application/vnd.apache.parquet"))), SharedReadErrors))]
async fn activity(
    reader: Reader,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Request>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    reader.allow(ScopeRef::Activity(id))?;
    let file = format!("activity-{id}");
    json_or_export(&state, Subject::Activity(id), &p, &headers, &file).await
}

#[utoipa::path(get, path = "/api/v1/dashboard/campaign/{id}", tag = "dashboards", params(Id, Request), responses((status = 200, description = "the dashboard, or with `format=csv|parquet` (or `Accept: text/csv` / `application/vnd.apache.parquet`) one part of it as a CSV or Parquet file", content((CampaignDashboard = "application/json"), (String = "text/csv"), (ParquetFile = "application/vnd.apache.parquet"))), SharedReadErrors))]
async fn campaign(
    reader: Reader,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Request>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    reader.allow(ScopeRef::Campaign(id))?;
    let file = format!("campaign-{id}");
    json_or_export(&state, Subject::Campaign(id), &p, &headers, &file).await
}

#[utoipa::path(get, path = "/api/v1/dashboard/overview", tag = "dashboards", params(Request), responses((status = 200, description = "the overview of every campaign, or with `format=csv|parquet` one part of it as a CSV or Parquet file", content((GlobalOverview = "application/json"), (String = "text/csv"), (ParquetFile = "application/vnd.apache.parquet"))), ReadErrors))]
async fn overview(
    _: Viewer,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<Request>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    json_or_export(&state, Subject::Global, &p, &headers, "overview").await
}

#[utoipa::path(get, path = "/api/v1/dashboard/activity/{id}/events", tag = "dashboards", params(Id, Request), responses((status = 200, description = "the raw events of the window, streamed: CSV (the default, or `format=csv`) or Parquet (`format=parquet` or `Accept: application/vnd.apache.parquet`)", content((String = "text/csv"), (ParquetFile = "application/vnd.apache.parquet"))), ReadErrors))]
async fn activity_events(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Request>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let file = format!("events-activity-{id}");
    raw_events(&state, Covers::Activity(id), &file, &p, &headers)
}

#[utoipa::path(get, path = "/api/v1/dashboard/campaign/{id}/events", tag = "dashboards", params(Id, Request), responses((status = 200, description = "the raw events of the window, streamed: CSV (the default, or `format=csv`) or Parquet (`format=parquet` or `Accept: application/vnd.apache.parquet`)", content((String = "text/csv"), (ParquetFile = "application/vnd.apache.parquet"))), ReadErrors))]
async fn campaign_events(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Request>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let file = format!("events-campaign-{id}");
    raw_events(&state, Covers::Campaign(id), &file, &p, &headers)
}

/// The raw events of a scope's window as a streamed CSV (the default: a download link) or
/// Parquet file, bounded by the dashboards' window limits.
fn raw_events(
    state: &AppState,
    scope: Covers,
    file: &str,
    p: &Request,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let format = match format_of(p.format.as_deref(), headers)? {
        ExportFormat::Json if p.format.as_deref().is_some_and(|f| !f.trim().is_empty()) => {
            return Err(ServiceError::invalid(
                "INVALID_FORMAT",
                "raw events download as csv or parquet, not json",
            )
            .into())
        }
        ExportFormat::Json => ExportFormat::Csv,
        f => f,
    };
    let (_, w) = window(p, state.now(), state.tz())?;
    let view = state.dashboards.view();
    let known = match scope {
        Covers::Activity(id) => view.snapshot().activity(id).is_some(),
        Covers::Campaign(id) => view.snapshot().campaign(id).is_some(),
        Covers::Global => true,
    };
    if !known {
        return Err(ApiError::not_found(
            "NOT_FOUND",
            "no such activity or campaign",
        ));
    }
    let pages = |page| Ok(view.event_pages(scope, &w, page)?);
    events_download(state, pages, format, file)
}

/// A dashboard answer, or (`format=csv|parquet`, or the matching `Accept`) one part of it as a
/// CSV or Parquet file.
async fn json_or_export(
    state: &AppState,
    subject: Subject,
    p: &Request,
    headers: &HeaderMap,
    file: &str,
) -> ApiResult<Response> {
    let format = format_of(p.format.as_deref(), headers)?;
    if format == ExportFormat::Json {
        return Ok(json_text(&shared(state, subject, p, false).await?));
    }
    let name = match subject {
        Subject::Global => p
            .part
            .clone()
            .filter(|x| !x.is_empty())
            .unwrap_or_else(|| "totals".into()),
        _ => export::export_part(p.part.as_deref(), p.widgets.as_deref())?,
    };
    let answer: serde_json::Value = serde_json::from_str(&shared(state, subject, p, false).await?)
        .map_err(ServiceError::internal)?;
    let part = export::part(&answer, &name).ok_or_else(|| {
        ApiError::from(ServiceError::invalid(
            "UNKNOWN_PART",
            format!("this answer has no part '{name}' to export"),
        ))
    })?;
    table_download(format, &format!("{file}-{name}"), &export::table_of(part))
}

#[utoipa::path(get, path = "/api/v1/dashboard/activity/{id}/funnel/dropoff", tag = "dashboards", params(Id, Request), responses((status = 200, description = "who stopped after a funnel step (a page), or the whole list as a CSV or Parquet file", content((DropoffPage = "application/json"), (String = "text/csv"), (ParquetFile = "application/vnd.apache.parquet"))), ReadErrors))]
async fn dropoff(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Request>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let step = dropoff_step(p.step.as_deref())?;
    let (page, size) = dropoff_page(p.page, p.size)?;
    let format = format_of(p.format.as_deref(), &headers)?;
    let q = checked(&state, &Request { widgets: None, ..p }, &ACTIVITY_WIDGETS)?;
    let q2 = q.clone();
    let Json(rows) = answer(state, move |v, _| v.dropoffs(id, step, &q2)).await?;
    if format != ExportFormat::Json {
        let table = Table {
            header: [
                "personId",
                "userId",
                "anonymousId",
                "sessionId",
                "reachedAt",
            ]
            .map(String::from)
            .to_vec(),
            rows: rows
                .iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.person_id.clone()),
                        Cell::opt(r.user_id.as_deref()),
                        Cell::opt(r.anonymous_id.as_deref()),
                        Cell::opt(r.session_id.as_deref()),
                        Cell::Time(r.reached_at),
                    ]
                })
                .collect(),
        };
        // The whole list (not a page), saved under a name that says what it is.
        let stem = format!("dropoff-activity-{id}-{}", step.as_str());
        return table_download(format, &stem, &table);
    }
    Ok(Json(DropoffPage::new(id, step, &q, rows, page, size)).into_response())
}

#[utoipa::path(get, path = "/api/v1/dashboard/cohort/activity/{id}", tag = "dashboards", params(Id, Request), responses((status = 200, body = ActivityCohort), SharedReadErrors))]
async fn cohort_activity(
    reader: Reader,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Request>,
) -> ApiResult<Json<ActivityCohort>> {
    reader.allow(ScopeRef::Activity(id))?;
    answer(state, move |v, now| {
        v.activity_cohort_between(id, p.start_date.as_deref(), p.end_date.as_deref(), now)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/dashboard/cohort/campaign/{id}", tag = "dashboards", params(Id, Request), responses((status = 200, body = CampaignCohort), SharedReadErrors))]
async fn cohort_campaign(
    reader: Reader,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Request>,
) -> ApiResult<Json<CampaignCohort>> {
    reader.allow(ScopeRef::Campaign(id))?;
    answer(state, move |v, now| {
        let (start, end) = (p.start_date.as_deref(), p.end_date.as_deref());
        v.campaign_cohort_between(id, p.granularity.as_deref(), start, end, now)
    })
    .await
}

#[utoipa::path(get, path = "/api/v1/dashboard/cohort/activity/{id}/retention", tag = "dashboards", params(Id, Request), responses((status = 200, body = Retention), SharedReadErrors))]
async fn retention_activity(
    reader: Reader,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Request>,
) -> ApiResult<Json<Retention>> {
    reader.allow(ScopeRef::Activity(id))?;
    answer(state, move |v, now| {
        let (start, end) = (p.start_date.as_deref(), p.end_date.as_deref());
        v.activity_retention_between(id, p.granularity.as_deref(), start, end, now)
    })
    .await
}
