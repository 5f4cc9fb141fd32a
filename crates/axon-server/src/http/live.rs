//! Live dashboards (SPEC §5.6): Server-Sent Events `dashboard-update` with the same JSON as the
//! REST call for the requested widgets and period — sent at once, then on every change at most
//! every 500 ms, with a heartbeat every 15 s.

use super::dashboard::checked;
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery};
use crate::state::AppState;
use axon_services::dashboards::{Query, Request, Widget, ACTIVITY_WIDGETS, CAMPAIGN_WIDGETS};
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use axum::Router;
use futures_util::stream::{self, Stream};
use std::convert::Infallible;
use std::time::Duration;
use tokio::time::Instant;

/// Least time between two pushes of one stream.
pub const MIN_INTERVAL: Duration = Duration::from_millis(500);
pub const HEARTBEAT: Duration = Duration::from_secs(15);

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/v1/dashboard/stream/activity/{id}", get(activity))
        .route("/api/v1/dashboard/stream/campaign/{id}", get(campaign))
}

#[derive(Clone, Copy)]
enum Scope {
    Activity(i64),
    Campaign(i64),
}

/// The same typed answer as the REST call, as JSON — without a breakdown, which would read the
/// store on every push.
fn render(state: &AppState, scope: Scope, p: &Request) -> ApiResult<String> {
    let allowed: &[Widget] = match scope {
        Scope::Activity(_) => &ACTIVITY_WIDGETS,
        Scope::Campaign(_) => &CAMPAIGN_WIDGETS,
    };
    let q = Query {
        breakdown: None,
        ..checked(state, p, allowed)?
    };
    let view = state.dashboards.view();
    let json = match scope {
        Scope::Activity(id) => serde_json::to_string(&view.activity(id, &q)?),
        Scope::Campaign(id) => serde_json::to_string(&view.campaign(id, &q)?),
    };
    json.map_err(ApiError::internal)
}

struct Cursor {
    state: AppState,
    scope: Scope,
    params: Request,
    changes: tokio::sync::watch::Receiver<u64>,
    last: Option<Instant>,
}

/// The stream: the current answer first, then one per change (throttled). It ends when the
/// server shuts down or the subject disappears.
fn updates(cursor: Cursor) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(cursor, |mut c| async move {
        if let Some(last) = c.last {
            c.changes.changed().await.ok()?;
            tokio::time::sleep_until(last + MIN_INTERVAL).await;
        }
        c.changes.borrow_and_update();
        c.last = Some(Instant::now());
        let (state, scope, params) = (c.state.clone(), c.scope, c.params.clone());
        let json = tokio::task::spawn_blocking(move || render(&state, scope, &params))
            .await
            .ok()?
            .ok()?;
        Some((Ok(Event::default().event("dashboard-update").data(json)), c))
    })
}

fn open(
    state: AppState,
    scope: Scope,
    params: Request,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    // Validate (and 404) before the stream starts, so errors are plain JSON answers.
    render(&state, scope, &params)?;
    let changes = state.backends.changes.subscribe();
    let cursor = Cursor {
        state,
        scope,
        params,
        changes,
        last: None,
    };
    Ok(
        Sse::new(updates(cursor))
            .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat")),
    )
}

async fn activity(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Request>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    open(state, Scope::Activity(id), p)
}

async fn campaign(
    _: Viewer,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Request>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    open(state, Scope::Campaign(id), p)
}
