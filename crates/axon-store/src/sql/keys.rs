//! API keys on the SQL backends, stored as hashes only (mirrors `sqlite/keys.rs`).

use super::rows::{args, i, ots, s, ts, wire, Db, SqlResult};
use super::{Dialect, SqlStore};
use crate::KeyRepo;
use crate::{Pending, StoreError};
use axon_domain::model::{ApiKey, Role};
use axon_domain::Ts;
use sqlx_core::any::{AnyConnection, AnyRow};
use sqlx_core::query::query;

const SELECT: &str = "SELECT id, name, role, prefix, hash, created_at, revoked_at FROM api_keys";

fn key_row(r: &AnyRow) -> SqlResult<ApiKey> {
    Ok(ApiKey {
        id: i(r, 0)?,
        name: s(r, 1)?,
        role: wire(r, 2, Role::parse)?,
        prefix: s(r, 3)?,
        hash: s(r, 4)?,
        created_at: ts(r, 5)?,
        revoked_at: ots(r, 6)?,
    })
}

async fn get_key(c: &mut AnyConnection, d: Dialect, id: i64) -> SqlResult<Option<ApiKey>> {
    query(&d.q(&format!("{SELECT} WHERE id = ?")))
        .bind(id)
        .fetch_optional(&mut *c)
        .await
        .db()?
        .map(|r| key_row(&r))
        .transpose()
}

#[async_trait::async_trait]
impl KeyRepo for SqlStore {
    fn create_key(&self, k: ApiKey) -> Pending<ApiKey> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                let a = args![
                    k.name.clone(),
                    k.role.as_str(),
                    k.prefix.clone(),
                    k.hash.clone(),
                    k.created_at.0
                ];
                let id = super::rows::insert_returning(
                    c,
                    d,
                    "INSERT INTO api_keys (name, role, prefix, hash, created_at) VALUES (?, ?, ?, ?, ?)",
                    "id",
                    a,
                )
                .await
                .map_err(|e| {
                    if super::rows::is_unique(&e) {
                        StoreError::conflict("KEY_EXISTS", "this key already exists")
                    } else {
                        super::rows::db_err(e)
                    }
                })?
                .ok_or_else(|| StoreError::NotFound("api key".into()))?;
                get_key(c, d, id)
                    .await?
                    .ok_or_else(|| StoreError::NotFound("api key".into()))
            })
        })
    }

    fn revoke_key(&self, id: i64, at: Ts) -> Pending<ApiKey> {
        let d = self.dialect();
        self.writer().submit(move |c, _| {
            Box::pin(async move {
                query(
                    &d.q("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?"),
                )
                .bind(at.0)
                .bind(id)
                .execute(&mut *c)
                .await
                .db()?;
                get_key(c, d, id)
                    .await?
                    .ok_or_else(|| StoreError::NotFound(format!("api key {id}")))
            })
        })
    }

    async fn keys(&self) -> Result<Vec<ApiKey>, StoreError> {
        self.read(move |sh| async move {
            query(&format!("{SELECT} ORDER BY id"))
                .fetch_all(&sh.pool)
                .await
                .db()?
                .iter()
                .map(key_row)
                .collect()
        })
        .await
    }

    async fn key_by_hash(&self, hash: &str) -> Result<Option<ApiKey>, StoreError> {
        let hash = hash.to_string();
        self.read(move |sh| async move {
            query(&sh.dialect.q(&format!("{SELECT} WHERE hash = ?")))
                .bind(hash)
                .fetch_optional(&sh.pool)
                .await
                .db()?
                .map(|r| key_row(&r))
                .transpose()
        })
        .await
    }
}
