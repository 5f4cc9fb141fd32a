//! Who may read through a share link (issue 17 §3). A request carries a share token in the
//! `X-Axon-Share` header or the `share` query parameter (the live stream's `EventSource` cannot
//! set headers). Such a request is a [`Reader::Share`] on the few routes that take a
//! [`Reader`] — the GETs of one scope's dashboard, cohort, live stream and annotations — and
//! only for the link's own scope; everywhere else (any other scope, any write, any admin route)
//! it is refused with 403 `SHARE_SCOPE_FORBIDDEN` before any key or cookie is looked at.

use crate::auth::{authenticate, Caller};
use crate::error::{ApiError, Kind};
use crate::state::AppState;
use axon_domain::share::{ScopeRef, ShareLink};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;

/// The header a shared page's API calls carry.
pub const SHARE_HEADER: &str = "x-axon-share";

/// The share token of a request, if it carries one (header first, then `?share=`).
pub fn share_token(parts: &Parts) -> Option<String> {
    if let Some(v) = parts.headers.get(SHARE_HEADER) {
        return Some(v.to_str().unwrap_or("").trim().to_string());
    }
    parts.uri.query().and_then(|q| {
        q.split('&')
            .filter_map(|kv| kv.split_once('='))
            .find(|(k, _)| *k == "share")
            .map(|(_, v)| v.trim().to_string())
    })
}

/// The refusal of a share link outside what it grants.
pub fn outside_share() -> ApiError {
    ApiError::new(
        Kind::Forbidden,
        "SHARE_SCOPE_FORBIDDEN",
        "a share link grants only GET of its own dashboard, cohort, live stream and annotations",
    )
}

/// A dashboard reader: a key or session (any role), or a live share link.
#[derive(Debug, Clone)]
pub enum Reader {
    Key(Caller),
    Share(ShareLink),
}

impl Reader {
    /// Whether this reader may read `scope`: any key may; a share link only its own scope.
    pub fn allow(&self, scope: ScopeRef) -> Result<(), ApiError> {
        match self {
            Reader::Key(_) => Ok(()),
            Reader::Share(link) if link.scope_ref() == scope => Ok(()),
            Reader::Share(_) => Err(outside_share()),
        }
    }

    /// The name its live streams are counted under (the per-key stream cap).
    pub fn stream_key(&self) -> String {
        match self {
            Reader::Key(c) => format!("{:?}", c.key),
            Reader::Share(l) => format!("share:{}", l.id),
        }
    }
}

impl FromRequestParts<AppState> for Reader {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let Some(token) = share_token(parts) else {
            return authenticate(parts, state).await.map(Reader::Key);
        };
        if parts.method != axum::http::Method::GET {
            return Err(outside_share());
        }
        Ok(Reader::Share(state.shares.resolve(&token).await?))
    }
}

/// Resolves when a share link stops opening (revoked or expired, on any node), checked every
/// [`crate::auth::REVALIDATE`]; a store error is not a revocation.
pub async fn closed(state: AppState, link: ShareLink) {
    loop {
        tokio::time::sleep(crate::auth::REVALIDATE).await;
        if let Ok(false) = state.shares.still_open(&link.token_hash).await {
            return;
        }
    }
}
