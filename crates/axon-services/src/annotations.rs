//! Annotations (issue 17 §5): marketers' notes on moments of an activity or campaign. They are
//! listed by scope and period, shown on the scope's time charts and dashboard answers, and read
//! by the question box as period boundaries.
//!
//! A dashboard shows its own notes and those of its family: an activity's page also shows its
//! campaign's notes (a TV ad for the campaign moves every activity in it), a campaign's page
//! also shows its activities' notes. Each note keeps its own `scope`/`scopeId`, so a page can
//! tell them apart.

use crate::backends::Backends;
use crate::error::{ServiceError, ServiceResult};
use crate::shares::scope_not_found;
use axon_domain::annotation::{Annotation, AnnotationDraft};
use axon_domain::share::ScopeRef;
use axon_domain::{Clock, Ts};
use std::sync::Arc;

pub struct Annotations {
    b: Backends,
    clock: Arc<dyn Clock>,
}

impl Annotations {
    pub fn new(b: Backends, clock: Arc<dyn Clock>) -> Annotations {
        Annotations { b, clock }
    }

    fn exists(&self, s: ScopeRef) -> bool {
        let snap = self.b.analytics.snapshot();
        match s {
            ScopeRef::Activity(id) => snap.activity(id).is_some(),
            ScopeRef::Campaign(id) => snap.campaign(id).is_some(),
        }
    }

    /// Stores a note on an existing activity or campaign.
    pub async fn create(&self, draft: AnnotationDraft) -> ServiceResult<Annotation> {
        let a = draft.validate(self.clock.now())?;
        let scope = ScopeRef::new(a.scope, a.scope_id);
        if !self.exists(scope) {
            return Err(scope_not_found(scope));
        }
        Ok(self.b.repo.create_annotation(a).await?)
    }

    pub async fn get(&self, id: i64) -> ServiceResult<Annotation> {
        self.b
            .repo
            .annotation(id)
            .await?
            .ok_or_else(|| not_found(id))
    }

    /// Removes a note and answers what it was.
    pub async fn delete(&self, id: i64) -> ServiceResult<Annotation> {
        match self.b.repo.delete_annotation(id).await {
            Err(axon_ports::StoreError::NotFound(_)) => Err(not_found(id)),
            r => Ok(r?),
        }
    }

    /// The notes of one scope in `[start, end)` (the scope must exist), by time; with
    /// `related`, its family's too (see the module doc).
    pub async fn list(
        &self,
        scope: ScopeRef,
        start: Ts,
        end: Ts,
        related: bool,
    ) -> ServiceResult<Vec<Annotation>> {
        if !self.exists(scope) {
            return Err(scope_not_found(scope));
        }
        let mut scopes = vec![scope];
        if related {
            let snap = self.b.analytics.snapshot();
            match scope {
                ScopeRef::Activity(id) => {
                    if let Some(a) = snap.activity(id) {
                        scopes.push(ScopeRef::Campaign(a.campaign_id));
                    }
                }
                ScopeRef::Campaign(id) => scopes.extend(
                    snap.campaign_activities(id)
                        .into_iter()
                        .map(|a| ScopeRef::Activity(a.id)),
                ),
            }
        }
        let mut all = Vec::new();
        for s in scopes {
            all.extend(
                self.b
                    .repo
                    .annotations(s.kind(), s.id(), start, end)
                    .await?,
            );
        }
        all.sort_by_key(|a| (a.at, a.id));
        Ok(all)
    }

    /// What a dashboard answer of `scope` over `[start, end)` lists: its notes and its family's.
    pub async fn for_dashboard(
        &self,
        scope: ScopeRef,
        start: Ts,
        end: Ts,
    ) -> ServiceResult<Vec<Annotation>> {
        match self.list(scope, start, end, true).await {
            // A scope that does not exist answers its own 404 from the dashboard.
            Err(e) if e.code == "SCOPE_NOT_FOUND" => Ok(Vec::new()),
            r => r,
        }
    }

    /// Every note of the scope's family up to now (the question box picks one).
    pub async fn for_questions(&self, scope: ScopeRef) -> ServiceResult<Vec<Annotation>> {
        self.for_dashboard(scope, Ts(i64::MIN / 2), self.clock.now().plus_ms(1))
            .await
    }
}

fn not_found(id: i64) -> ServiceError {
    ServiceError::not_found(
        "ANNOTATION_NOT_FOUND",
        format!("annotation {id} does not exist"),
    )
}
