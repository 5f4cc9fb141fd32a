//! Share links (issue 17 §3): an ADMIN makes a read-only link to one activity's or campaign's
//! dashboard; whoever holds the token sees that dashboard, live, without signing in, until the
//! link expires or is revoked. The token is 24 random bytes from the OS (`getrandom`) and only
//! its SHA-256 is stored, so a copy of the database opens nothing.

use crate::backends::Backends;
use crate::error::{ServiceError, ServiceResult};
use axon_domain::share::{ScopeKind, ScopeRef, ShareDraft, ShareLink, ShareStatus};
use axon_domain::{Clock, Ts};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::sync::Arc;

/// The readable prefix of every share token.
pub const TOKEN_PREFIX: &str = "axs_";

/// Hex SHA-256 of a token: what is stored instead of it.
pub fn hash_token(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A link as the admin list shows it: its state now and the name of what it shows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ShareEntry {
    #[serde(flatten)]
    pub link: ShareLink,
    pub status: ShareStatus,
    /// The activity's or campaign's name (empty when it was deleted).
    pub scope_name: String,
}

/// What a shared page needs to draw its heading and default period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ShareContext {
    pub scope: ScopeKind,
    pub scope_id: i64,
    pub name: String,
    pub period: String,
    pub label: String,
    pub expires_at: Ts,
    /// An activity's run.
    pub start_date: Option<Ts>,
    pub end_date: Option<Ts>,
}

pub struct Shares {
    b: Backends,
    clock: Arc<dyn Clock>,
}

impl Shares {
    pub fn new(b: Backends, clock: Arc<dyn Clock>) -> Shares {
        Shares { b, clock }
    }

    /// The activity's or campaign's name, when it exists in the newest snapshot.
    fn scope_name(&self, scope: ScopeRef) -> Option<String> {
        let snap = self.b.analytics.snapshot();
        match scope {
            ScopeRef::Activity(id) => snap.activity(id).map(|a| a.name),
            ScopeRef::Campaign(id) => snap.campaign(id).map(|c| c.name),
        }
    }

    /// Stores a new link for an existing activity or campaign; answers it with its token (the
    /// only time the token is seen).
    pub async fn create(&self, draft: ShareDraft) -> ServiceResult<(ShareEntry, String)> {
        let token = crate::tokens::generate_key(TOKEN_PREFIX);
        let link = draft.validate(hash_token(&token), self.clock.now())?;
        let Some(name) = self.scope_name(link.scope_ref()) else {
            return Err(scope_not_found(link.scope_ref()));
        };
        let link = self.b.repo.create_share(link).await?;
        Ok((self.entry(link, Some(name)), token))
    }

    fn entry(&self, link: ShareLink, name: Option<String>) -> ShareEntry {
        let name = name.or_else(|| self.scope_name(link.scope_ref()));
        ShareEntry {
            status: link.status(self.clock.now()),
            scope_name: name.unwrap_or_default(),
            link,
        }
    }

    /// Every link, newest first.
    pub async fn list(&self) -> ServiceResult<Vec<ShareEntry>> {
        let mut all = self.b.repo.shares().await?;
        all.reverse();
        Ok(all.into_iter().map(|l| self.entry(l, None)).collect())
    }

    /// Revokes a link (at once, on every node: the next request reads the store).
    pub async fn revoke(&self, id: i64) -> ServiceResult<ShareEntry> {
        match self.b.repo.revoke_share(id, self.clock.now()).await {
            Ok(l) => Ok(self.entry(l, None)),
            Err(axon_ports::StoreError::NotFound(_)) => Err(ServiceError::not_found(
                "SHARE_NOT_FOUND",
                format!("share link {id} does not exist"),
            )),
            Err(e) => Err(e.into()),
        }
    }

    /// The live link of `token`: 404 `SHARE_NOT_FOUND` for an unknown token, 410
    /// `SHARE_REVOKED` / `SHARE_EXPIRED` for one that no longer opens.
    pub async fn resolve(&self, token: &str) -> ServiceResult<ShareLink> {
        let link = self
            .b
            .repo
            .share_by_hash(&hash_token(token.trim()))
            .await?
            .ok_or_else(|| ServiceError::not_found("SHARE_NOT_FOUND", "no such share link"))?;
        match link.status(self.clock.now()) {
            ShareStatus::Active => Ok(link),
            ShareStatus::Revoked => Err(ServiceError::gone(
                "SHARE_REVOKED",
                "this share link has been revoked",
            )),
            ShareStatus::Expired => Err(ServiceError::gone(
                "SHARE_EXPIRED",
                "this share link has expired",
            )),
        }
    }

    /// Whether the link stored under `hash` still opens now.
    pub async fn still_open(&self, hash: &str) -> ServiceResult<bool> {
        Ok(self
            .b
            .repo
            .share_by_hash(hash)
            .await?
            .is_some_and(|l| l.status(self.clock.now()) == ShareStatus::Active))
    }

    /// The heading and default period of a live link's page.
    pub fn context(&self, link: &ShareLink) -> ServiceResult<ShareContext> {
        let snap = self.b.analytics.snapshot();
        let (name, start, end) = match link.scope_ref() {
            ScopeRef::Activity(id) => {
                let a = snap
                    .activity(id)
                    .ok_or_else(|| scope_not_found(link.scope_ref()))?;
                (a.name, Some(a.start_date), Some(a.end_date))
            }
            ScopeRef::Campaign(id) => {
                let c = snap
                    .campaign(id)
                    .ok_or_else(|| scope_not_found(link.scope_ref()))?;
                (c.name, None, None)
            }
        };
        Ok(ShareContext {
            scope: link.scope,
            scope_id: link.scope_id,
            name,
            period: link.period.clone(),
            label: link.label.clone(),
            expires_at: link.expires_at,
            start_date: start,
            end_date: end,
        })
    }
}

pub(crate) fn scope_not_found(s: ScopeRef) -> ServiceError {
    ServiceError::not_found(
        "SCOPE_NOT_FOUND",
        format!(
            "{} {} does not exist",
            s.kind().as_str().to_lowercase(),
            s.id()
        ),
    )
}
