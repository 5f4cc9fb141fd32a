//! Conversions between SQLite columns and domain values.

use axon_domain::{Dec2, Ts};
use rusqlite::Row;

pub fn ts(row: &Row<'_>, i: usize) -> rusqlite::Result<Ts> {
    row.get::<_, i64>(i).map(Ts)
}

pub fn opt_ts(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<Ts>> {
    Ok(row.get::<_, Option<i64>>(i)?.map(Ts))
}

pub fn dec(row: &Row<'_>, i: usize) -> rusqlite::Result<Dec2> {
    row.get::<_, i64>(i).map(Dec2)
}

/// Parses a stored wire-enum column, failing loudly on a corrupt value.
pub fn wire<T>(
    row: &Row<'_>,
    i: usize,
    parse: fn(&str) -> Result<T, axon_domain::DomainError>,
) -> rusqlite::Result<T> {
    let s: String = row.get(i)?;
    parse(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}

pub fn json<T: serde::de::DeserializeOwned>(row: &Row<'_>, i: usize) -> rusqlite::Result<T> {
    let s: String = row.get(i)?;
    serde_json::from_str(&s).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, Box::new(e))
    })
}
