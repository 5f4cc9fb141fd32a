//! Reading columns through sqlx's `Any` driver, and mapping its errors.
//!
//! MySQL reports TEXT columns as BLOBs to the `Any` driver, so text is read as a string or, failing
//! that, as UTF-8 bytes.

use crate::StoreError;
use axon_domain::{Dec2, Ts};
use sqlx_core::any::AnyRow;
use sqlx_core::row::Row;

pub type SqlResult<T> = Result<T, StoreError>;

pub fn db_err(e: sqlx_core::Error) -> StoreError {
    StoreError::Internal(e.to_string())
}

/// `?` on sqlx results inside the adapter.
pub trait Db<T> {
    fn db(self) -> SqlResult<T>;
}

impl<T> Db<T> for Result<T, sqlx_core::Error> {
    fn db(self) -> SqlResult<T> {
        self.map_err(db_err)
    }
}

/// True when the error is a unique-key violation.
pub fn is_unique(e: &sqlx_core::Error) -> bool {
    e.as_database_error()
        .is_some_and(|d| d.is_unique_violation())
}

pub fn i(r: &AnyRow, idx: usize) -> SqlResult<i64> {
    r.try_get::<i64, _>(idx).db()
}

pub fn oi(r: &AnyRow, idx: usize) -> SqlResult<Option<i64>> {
    r.try_get::<Option<i64>, _>(idx).db()
}

pub fn os(r: &AnyRow, idx: usize) -> SqlResult<Option<String>> {
    match r.try_get::<Option<String>, _>(idx) {
        Ok(v) => Ok(v),
        Err(first) => match r.try_get::<Option<Vec<u8>>, _>(idx) {
            Ok(v) => v
                .map(|b| String::from_utf8(b).map_err(|e| StoreError::Internal(e.to_string())))
                .transpose(),
            Err(_) => Err(db_err(first)),
        },
    }
}

pub fn s(r: &AnyRow, idx: usize) -> SqlResult<String> {
    os(r, idx)?.ok_or_else(|| StoreError::Internal(format!("column {idx} is NULL")))
}

pub fn ts(r: &AnyRow, idx: usize) -> SqlResult<Ts> {
    i(r, idx).map(Ts)
}

pub fn ots(r: &AnyRow, idx: usize) -> SqlResult<Option<Ts>> {
    Ok(oi(r, idx)?.map(Ts))
}

pub fn dec(r: &AnyRow, idx: usize) -> SqlResult<Dec2> {
    i(r, idx).map(Dec2)
}

/// A stored wire-enum column, failing loudly on a corrupt value.
pub fn wire<T>(
    r: &AnyRow,
    idx: usize,
    parse: fn(&str) -> Result<T, axon_domain::DomainError>,
) -> SqlResult<T> {
    let v = s(r, idx)?;
    parse(&v).map_err(|e| StoreError::Internal(format!("column {idx}: {}", e.message)))
}

pub fn json<T: serde::de::DeserializeOwned>(r: &AnyRow, idx: usize) -> SqlResult<T> {
    let v = s(r, idx)?;
    serde_json::from_str(&v).map_err(|e| StoreError::Internal(format!("column {idx}: {e}")))
}

/// A fresh id for a table whose ids the store assigns (`max + 1`, as SQLite's rowid does).
/// Only called inside a write transaction, which holds the feed head lock, so two nodes can
/// never take the same one.
pub async fn next_id(
    c: &mut sqlx_core::any::AnyConnection,
    table: &str,
    col: &str,
) -> SqlResult<i64> {
    sqlx_core::query_scalar::query_scalar::<_, i64>(&format!(
        "SELECT COALESCE(MAX({col}), 0) + 1 FROM {table}"
    ))
    .fetch_one(&mut *c)
    .await
    .db()
}

/// Runs an INSERT into a table with a generated key and returns the key (`RETURNING` on
/// PostgreSQL, `LAST_INSERT_ID()` on MySQL); `None` when an ignoring insert stored nothing.
pub async fn insert_returning(
    c: &mut sqlx_core::any::AnyConnection,
    d: super::Dialect,
    sql: &str,
    key: &str,
    args: sqlx_core::any::AnyArguments<'_>,
) -> Result<Option<i64>, sqlx_core::Error> {
    match d {
        super::Dialect::Postgres => {
            let sql = format!("{} RETURNING {key}", d.q(sql));
            sqlx_core::query_scalar::query_scalar_with::<_, i64, _>(&sql, args)
                .fetch_optional(&mut *c)
                .await
        }
        super::Dialect::MySql => {
            let r = sqlx_core::query::query_with(sql, args)
                .execute(&mut *c)
                .await?;
            Ok((r.rows_affected() > 0)
                .then(|| r.last_insert_id())
                .flatten())
        }
    }
}

/// Builds `AnyArguments` from values (`args![a, b, c]`).
macro_rules! args {
    ($($v:expr),* $(,)?) => {{
        #[allow(unused_mut)]
        let mut a = sqlx_core::any::AnyArguments::default();
        $( sqlx_core::arguments::Arguments::add(&mut a, $v)
            .map_err(|e| crate::StoreError::Internal(e.to_string()))?; )*
        a
    }};
}
pub(crate) use args;
