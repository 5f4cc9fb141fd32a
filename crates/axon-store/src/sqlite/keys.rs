//! API keys, stored as hashes only.

use super::rows::{opt_ts, ts, wire};
use super::{is_constraint, SqliteStore};
use crate::KeyRepo;
use crate::{Pending, StoreError};
use axon_domain::model::{ApiKey, Role};
use axon_domain::Ts;
use rusqlite::{params, Connection, OptionalExtension, Row};

const SELECT: &str = "SELECT id, name, role, prefix, hash, created_at, revoked_at FROM api_keys";

fn key_row(r: &Row<'_>) -> rusqlite::Result<ApiKey> {
    Ok(ApiKey {
        id: r.get(0)?,
        name: r.get(1)?,
        role: wire(r, 2, Role::parse)?,
        prefix: r.get(3)?,
        hash: r.get(4)?,
        created_at: ts(r, 5)?,
        revoked_at: opt_ts(r, 6)?,
    })
}

fn get_key(conn: &Connection, id: i64) -> Result<Option<ApiKey>, StoreError> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE id = ?"))?
        .query_row([id], key_row)
        .optional()?)
}

#[async_trait::async_trait]
impl KeyRepo for SqliteStore {
    fn create_key(&self, k: ApiKey) -> Pending<ApiKey> {
        self.writer().submit(move |conn| {
            let r = conn.execute(
                "INSERT INTO api_keys (name, role, prefix, hash, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![k.name, k.role.as_str(), k.prefix, k.hash, k.created_at.0],
            );
            match r {
                Err(e) if is_constraint(&e) => Err(StoreError::conflict("KEY_EXISTS", "this key already exists")),
                Err(e) => Err(e.into()),
                Ok(_) => get_key(conn, conn.last_insert_rowid())?.ok_or_else(|| StoreError::NotFound("api key".into())),
            }
        })
    }

    fn revoke_key(&self, id: i64, at: Ts) -> Pending<ApiKey> {
        self.writer().submit(move |conn| {
            conn.execute(
                "UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?1) WHERE id = ?2",
                params![at.0, id],
            )?;
            get_key(conn, id)?.ok_or_else(|| StoreError::NotFound(format!("api key {id}")))
        })
    }

    async fn keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare_cached(&format!("{SELECT} ORDER BY id"))?;
            let rows = stmt.query_map([], key_row)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
    }

    async fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!("{SELECT} WHERE hash = ?"))?
                .query_row([hash], key_row)
                .optional()?)
        })
    }
}
