//! Share links and annotations on the SQL backends (mirrors `sqlite/shares.rs`).

use super::rows::{args, i, ots, s, ts, wire, Db, SqlResult};
use super::{Dialect, SqlStore};
use crate::shares::{AnnotationRepo, ShareRepo};
use crate::{Pending, StoreError};
use axon_domain::annotation::Annotation;
use axon_domain::share::{ScopeKind, ShareLink};
use axon_domain::Ts;
use sqlx_core::any::{AnyConnection, AnyRow};
use sqlx_core::query::query;

const SHARE: &str = "SELECT id, token_hash, scope, scope_id, period, label, created_at, \
    expires_at, revoked_at FROM share_links";
const NOTE: &str = "SELECT id, scope, scope_id, marked_at, note, created_at FROM annotations";

fn share_row(r: &AnyRow) -> SqlResult<ShareLink> {
    Ok(ShareLink {
        id: i(r, 0)?,
        token_hash: s(r, 1)?,
        scope: wire(r, 2, ScopeKind::parse)?,
        scope_id: i(r, 3)?,
        period: s(r, 4)?,
        label: s(r, 5)?,
        created_at: ts(r, 6)?,
        expires_at: ts(r, 7)?,
        revoked_at: ots(r, 8)?,
    })
}

fn note_row(r: &AnyRow) -> SqlResult<Annotation> {
    Ok(Annotation {
        id: i(r, 0)?,
        scope: wire(r, 1, ScopeKind::parse)?,
        scope_id: i(r, 2)?,
        at: ts(r, 3)?,
        text: s(r, 4)?,
        created_at: ts(r, 5)?,
    })
}

async fn get_share(c: &mut AnyConnection, d: Dialect, id: i64) -> SqlResult<ShareLink> {
    query(&d.q(&format!("{SHARE} WHERE id = ?")))
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        .db()?
        .map(|r| share_row(&r))
        .transpose()?
        .ok_or_else(|| StoreError::NotFound(format!("share link {id}")))
}

async fn get_note(c: &mut AnyConnection, d: Dialect, id: i64) -> SqlResult<Option<Annotation>> {
    query(&d.q(&format!("{NOTE} WHERE id = ?")))
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        .db()?
        .map(|r| note_row(&r))
        .transpose()
}

#[async_trait::async_trait]
impl ShareRepo for SqlStore {
    fn create_share(&self, sh: ShareLink) -> Pending<ShareLink> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                let a = args![
                    sh.token_hash.clone(),
                    sh.scope.as_str(),
                    sh.scope_id,
                    sh.period.clone(),
                    sh.label.clone(),
                    sh.created_at.0,
                    sh.expires_at.0
                ];
                let id = super::rows::insert_returning(
                    c,
                    d,
                    "INSERT INTO share_links (token_hash, scope, scope_id, period, label, \
                     created_at, expires_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL)",
                    "id",
                    a,
                )
                .await
                .db()?
                .ok_or_else(|| StoreError::NotFound("share link".into()))?;
                get_share(c, d, id).await
            })
        })
    }

    fn revoke_share(&self, id: i64, at: Ts) -> Pending<ShareLink> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                get_share(c, d, id).await?;
                query(&d.q(
                    "UPDATE share_links SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                ))
                .bind(at.0)
                .bind(id)
                .execute(&mut *c)
                .await
                .db()?;
                get_share(c, d, id).await
            })
        })
    }

    async fn shares(&self) -> Result<Vec<ShareLink>, StoreError> {
        self.read(move |sh| async move {
            query(&format!("{SHARE} ORDER BY id"))
                .fetch_all(&sh.pool)
                .await
                .db()?
                .iter()
                .map(share_row)
                .collect()
        })
        .await
    }

    async fn share_by_hash(&self, hash: &str) -> Result<Option<ShareLink>, StoreError> {
        let hash = hash.to_string();
        self.read(move |sh| async move {
            query(&sh.dialect.q(&format!("{SHARE} WHERE token_hash = ?")))
                .bind(hash)
                .fetch_optional(&sh.pool)
                .await
                .db()?
                .map(|r| share_row(&r))
                .transpose()
        })
        .await
    }
}

#[async_trait::async_trait]
impl AnnotationRepo for SqlStore {
    fn create_annotation(&self, n: Annotation) -> Pending<Annotation> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                let a = args![
                    n.scope.as_str(),
                    n.scope_id,
                    n.at.0,
                    n.text.clone(),
                    n.created_at.0
                ];
                let id = super::rows::insert_returning(
                    c,
                    d,
                    "INSERT INTO annotations (scope, scope_id, marked_at, note, created_at) \
                     VALUES (?, ?, ?, ?, ?)",
                    "id",
                    a,
                )
                .await
                .db()?
                .ok_or_else(|| StoreError::NotFound("annotation".into()))?;
                Ok(Annotation { id, ..n })
            })
        })
    }

    fn delete_annotation(&self, id: i64) -> Pending<Annotation> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                let a = get_note(c, d, id)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("annotation {id}")))?;
                query(&d.q("DELETE FROM annotations WHERE id = ?"))
                    .bind(id)
                    .execute(&mut *c)
                    .await
                    .db()?;
                Ok(a)
            })
        })
    }

    async fn annotation(&self, id: i64) -> Result<Option<Annotation>, StoreError> {
        self.read(move |sh| async move {
            query(&sh.dialect.q(&format!("{NOTE} WHERE id = ?")))
                .bind(id)
                .fetch_optional(&sh.pool)
                .await
                .db()?
                .map(|r| note_row(&r))
                .transpose()
        })
        .await
    }

    async fn annotations(
        &self,
        scope: ScopeKind,
        scope_id: i64,
        start: Ts,
        end: Ts,
    ) -> Result<Vec<Annotation>, StoreError> {
        self.read(move |sh| async move {
            query(&sh.dialect.q(&format!(
                "{NOTE} WHERE scope = ? AND scope_id = ? AND marked_at >= ? AND marked_at < ? \
                 ORDER BY marked_at, id"
            )))
            .bind(scope.as_str())
            .bind(scope_id)
            .bind(start.0)
            .bind(end.0)
            .fetch_all(&sh.pool)
            .await
            .db()?
            .iter()
            .map(note_row)
            .collect()
        })
        .await
    }
}
