//! Share links and annotations in the embedded store (mirrored by `sql/shares.rs`).

use super::rows::{opt_ts, ts, wire};
use super::SqliteStore;
use crate::shares::{AnnotationRepo, ShareRepo};
use crate::{Pending, StoreError};
use axon_domain::annotation::Annotation;
use axon_domain::share::{ScopeKind, ShareLink};
use axon_domain::Ts;
use rusqlite::{params, Connection, OptionalExtension, Row};

const SHARE: &str = "SELECT id, token_hash, scope, scope_id, period, label, created_at, \
    expires_at, revoked_at FROM share_links";
const NOTE: &str = "SELECT id, scope, scope_id, marked_at, note, created_at FROM annotations";

fn share_row(r: &Row<'_>) -> rusqlite::Result<ShareLink> {
    Ok(ShareLink {
        id: r.get(0)?,
        token_hash: r.get(1)?,
        scope: wire(r, 2, ScopeKind::parse)?,
        scope_id: r.get(3)?,
        period: r.get(4)?,
        label: r.get(5)?,
        created_at: ts(r, 6)?,
        expires_at: ts(r, 7)?,
        revoked_at: opt_ts(r, 8)?,
    })
}

fn note_row(r: &Row<'_>) -> rusqlite::Result<Annotation> {
    Ok(Annotation {
        id: r.get(0)?,
        scope: wire(r, 1, ScopeKind::parse)?,
        scope_id: r.get(2)?,
        at: ts(r, 3)?,
        text: r.get(4)?,
        created_at: ts(r, 5)?,
    })
}

fn get_share(conn: &Connection, id: i64) -> Result<ShareLink, StoreError> {
    conn.prepare_cached(&format!("{SHARE} WHERE id = ?"))?
        .query_row([id], share_row)
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("share link {id}")))
}

fn get_note(conn: &Connection, id: i64) -> Result<Option<Annotation>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{NOTE} WHERE id = ?"))?
        .query_row([id], note_row)
        .optional()?)
}

#[async_trait::async_trait]
impl ShareRepo for SqliteStore {
    fn create_share(&self, s: ShareLink) -> Pending<ShareLink> {
        self.writer().submit(move |conn| {
            conn.execute(
                "INSERT INTO share_links (token_hash, scope, scope_id, period, label, \
                 created_at, expires_at, revoked_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL)",
                params![
                    s.token_hash,
                    s.scope.as_str(),
                    s.scope_id,
                    s.period,
                    s.label,
                    s.created_at.0,
                    s.expires_at.0
                ],
            )?;
            get_share(conn, conn.last_insert_rowid())
        })
    }

    fn revoke_share(&self, id: i64, at: Ts) -> Pending<ShareLink> {
        self.writer().submit(move |conn| {
            get_share(conn, id)?;
            conn.execute(
                "UPDATE share_links SET revoked_at = ?1 WHERE id = ?2 AND revoked_at IS NULL",
                params![at.0, id],
            )?;
            get_share(conn, id)
        })
    }

    async fn shares(&self) -> Result<Vec<ShareLink>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("{SHARE} ORDER BY id"))?;
            let rows = stmt.query_map([], share_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    async fn share_by_hash(&self, hash: &str) -> Result<Option<ShareLink>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!("{SHARE} WHERE token_hash = ?1"))?
                .query_row([hash], share_row)
                .optional()?)
        })
    }
}

#[async_trait::async_trait]
impl AnnotationRepo for SqliteStore {
    fn create_annotation(&self, a: Annotation) -> Pending<Annotation> {
        self.writer().submit(move |conn| {
            conn.execute(
                "INSERT INTO annotations (scope, scope_id, marked_at, note, created_at) \
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![a.scope.as_str(), a.scope_id, a.at.0, a.text, a.created_at.0],
            )?;
            Ok(Annotation {
                id: conn.last_insert_rowid(),
                ..a
            })
        })
    }

    fn delete_annotation(&self, id: i64) -> Pending<Annotation> {
        self.writer().submit(move |conn| {
            let a = get_note(conn, id)?
                .ok_or_else(|| StoreError::NotFound(format!("annotation {id}")))?;
            conn.execute("DELETE FROM annotations WHERE id = ?1", [id])?;
            Ok(a)
        })
    }

    async fn annotation(&self, id: i64) -> Result<Option<Annotation>, StoreError> {
        self.read(|conn| get_note(conn, id))
    }

    async fn annotations(
        &self,
        scope: ScopeKind,
        scope_id: i64,
        start: Ts,
        end: Ts,
    ) -> Result<Vec<Annotation>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "{NOTE} WHERE scope = ?1 AND scope_id = ?2 AND marked_at >= ?3 AND marked_at < ?4 \
                 ORDER BY marked_at, id"
            ))?;
            let rows =
                stmt.query_map(params![scope.as_str(), scope_id, start.0, end.0], note_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }
}
