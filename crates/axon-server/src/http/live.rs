//! Live dashboards (SPEC §5.6): Server-Sent Events `dashboard-update` with the same JSON as the
//! REST call for the requested widgets and period (activity, campaign, and the global overview
//! at `/stream/overview`, which follows every change) — sent at once, then on every change at most
//! every 500 ms, with a heartbeat every 15 s. Every viewer of the same subject and parameters
//! receives the one shared render of each data version (see `dashboard::shared`).

use super::dashboard::{shared, Subject};
use crate::auth::Viewer;
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiPath, ApiQuery, ClientIp};
use crate::openapi::errors::{SharedStreamErrors, StreamErrors};
use crate::openapi::Id;
use crate::share_access::Reader;
use crate::state::AppState;
use axon_domain::share::ScopeRef;
use axon_services::dashboards::Request;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::stream::{self, Stream, StreamExt};
use std::convert::Infallible;
use std::time::Duration;
use tokio::time::Instant;
use utoipa_axum::{router::OpenApiRouter, routes};

/// Least time between two pushes of one stream.
pub const MIN_INTERVAL: Duration = Duration::from_millis(500);
pub const HEARTBEAT: Duration = Duration::from_secs(15);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(activity))
        .routes(routes!(campaign))
        .routes(routes!(overview))
}

struct Cursor {
    state: AppState,
    subject: Subject,
    params: Request,
    changes: tokio::sync::watch::Receiver<u64>,
    /// When the last push was sent, and the scope's data version it showed.
    last: Option<(Instant, u64)>,
}

/// The stream: the current answer first, then one per change of this scope's data (throttled).
/// Other scopes' changes wake the stream but render nothing. It ends when the server shuts
/// down, the subject disappears, or the caller's key is revoked (or its session signed out).
fn updates(cursor: Cursor) -> impl Stream<Item = Result<Event, Infallible>> {
    stream::unfold(cursor, |mut c| async move {
        let changes = c.state.backends.changes.clone();
        let scope = c.subject.scope();
        if let Some((at, shown)) = c.last {
            while changes.version_of(scope) == shown {
                c.changes.changed().await.ok()?;
            }
            tokio::time::sleep_until(at + MIN_INTERVAL).await;
        }
        c.changes.borrow_and_update();
        let version = changes.version_of(scope);
        let json = shared(&c.state, c.subject, &c.params, true).await.ok()?;
        c.last = Some((Instant::now(), version));
        Some((
            Ok(Event::default().event("dashboard-update").data(&*json)),
            c,
        ))
    })
}

async fn open(
    state: AppState,
    reader: Reader,
    ip: Option<std::net::IpAddr>,
    subject: Subject,
    params: Request,
) -> ApiResult<Sse<impl Stream<Item = Result<Event, Infallible>>>> {
    // Validate (and 404) before the stream starts, so errors are plain JSON answers.
    shared(&state, subject, &params, true).await?;
    // Held by the stream below: freed when the stream ends or the viewer goes away.
    let slot = state.streams.acquire(&reader.stream_key(), ip)?;
    let changes = state.backends.changes.subscribe();
    let mut closing = state.closing.subscribe();
    // A revoked key, a signed-out session, or a share link revoked or expired ends it.
    let revoked: std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> = match reader {
        Reader::Key(caller) => Box::pin(crate::auth::revoked(state.clone(), caller)),
        Reader::Share(link) => Box::pin(crate::share_access::closed(state.clone(), link)),
    };
    let cursor = Cursor {
        state,
        subject,
        params,
        changes,
        last: None,
    };
    Ok(
        // A shutdown ends every stream, so the server's drain does not wait on them; a revoked
        // key or a signed-out session ends its own streams.
        Sse::new(updates(cursor).take_until(async move {
            let _slot = slot;
            tokio::select! {
                _ = closing.wait_for(|c| *c) => {}
                () = revoked => {}
            }
        }))
        .keep_alive(KeepAlive::new().interval(HEARTBEAT).text("heartbeat")),
    )
}

#[utoipa::path(get, path = "/api/v1/dashboard/stream/activity/{id}", tag = "live", params(Id, Request), responses((status = 200, description = "Server-Sent Events: `dashboard-update` events carrying the REST answer's JSON", content_type = "text/event-stream", body = String), SharedStreamErrors))]
async fn activity(
    reader: Reader,
    ClientIp(ip): ClientIp,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Request>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    reader.allow(ScopeRef::Activity(id))?;
    open(state, reader, ip, Subject::Activity(id), p).await
}

#[utoipa::path(get, path = "/api/v1/dashboard/stream/campaign/{id}", tag = "live", params(Id, Request), responses((status = 200, description = "Server-Sent Events: `dashboard-update` events carrying the REST answer's JSON", content_type = "text/event-stream", body = String), SharedStreamErrors))]
async fn campaign(
    reader: Reader,
    ClientIp(ip): ClientIp,
    State(state): State<AppState>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(p): ApiQuery<Request>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    reader.allow(ScopeRef::Campaign(id))?;
    open(state, reader, ip, Subject::Campaign(id), p).await
}

#[utoipa::path(get, path = "/api/v1/dashboard/stream/overview", tag = "live", params(Request), responses((status = 200, description = "Server-Sent Events: `dashboard-update` events carrying the REST answer's JSON", content_type = "text/event-stream", body = String), StreamErrors))]
async fn overview(
    Viewer(caller): Viewer,
    ClientIp(ip): ClientIp,
    State(state): State<AppState>,
    ApiQuery(p): ApiQuery<Request>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    open(state, Reader::Key(caller), ip, Subject::Global, p).await
}
