//! The storage of share links and annotations (issue 17 §3, §5): links are found by the hash
//! of their token (the token itself is never stored), annotations by scope and time.

use crate::{Pending, StoreError};
use async_trait::async_trait;
use axon_domain::annotation::Annotation;
use axon_domain::share::{ScopeKind, ShareLink};
use axon_domain::Ts;

#[async_trait]
pub trait ShareRepo: Send + Sync {
    /// Stores a new link (its id is assigned here).
    fn create_share(&self, s: ShareLink) -> Pending<ShareLink>;
    /// Marks a link revoked at `at` (a second revocation keeps the first instant);
    /// `NotFound` when there is no such link.
    fn revoke_share(&self, id: i64, at: Ts) -> Pending<ShareLink>;
    /// Every link, oldest first.
    async fn shares(&self) -> Result<Vec<ShareLink>, StoreError>;
    /// The link whose token hashes to `hash`.
    async fn share_by_hash(&self, hash: &str) -> Result<Option<ShareLink>, StoreError>;
}

#[async_trait]
pub trait AnnotationRepo: Send + Sync {
    /// Stores a new annotation (its id is assigned here).
    fn create_annotation(&self, a: Annotation) -> Pending<Annotation>;
    /// Removes an annotation and answers what it was; `NotFound` when there is none.
    fn delete_annotation(&self, id: i64) -> Pending<Annotation>;
    async fn annotation(&self, id: i64) -> Result<Option<Annotation>, StoreError>;
    /// The annotations of one activity or campaign with `at` in `[start, end)`, by time (then id).
    async fn annotations(
        &self,
        scope: ScopeKind,
        scope_id: i64,
        start: Ts,
        end: Ts,
    ) -> Result<Vec<Annotation>, StoreError>;
}
