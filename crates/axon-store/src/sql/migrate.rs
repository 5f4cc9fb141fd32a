//! Embedded schema migrations for the SQL backends: versioned (`axon_schema_version` records
//! each one applied), idempotent (an applied version is never run again), and serialised across
//! nodes by a session lock (`pg_advisory_lock` / `GET_LOCK`), so two nodes starting at once
//! cannot both apply the same version.

use super::dialect::Dialect;
use super::rows::{Db, SqlResult};
use sqlx_core::any::AnyConnection;
use sqlx_core::executor::Executor;
use sqlx_core::query::query;
use sqlx_core::query_scalar::query_scalar;

/// Applies every embedded migration this database lacks; returns the versions applied now.
pub async fn migrate(conn: &mut AnyConnection, d: Dialect, now: i64) -> SqlResult<Vec<usize>> {
    (&mut *conn).execute(d.lock_sql()).await.db()?;
    let r = apply(conn, d, now).await;
    // Release even after a failure, so another node can try.
    let unlocked = (&mut *conn).execute(d.unlock_sql()).await.db();
    let applied = r?;
    unlocked?;
    Ok(applied)
}

async fn apply(conn: &mut AnyConnection, d: Dialect, now: i64) -> SqlResult<Vec<usize>> {
    (&mut *conn).execute(
        "CREATE TABLE IF NOT EXISTS axon_schema_version (version BIGINT PRIMARY KEY, applied_at BIGINT NOT NULL)",
    )
    .await
    .db()?;
    let current: Option<i64> = query_scalar("SELECT MAX(version) FROM axon_schema_version")
        .fetch_one(&mut *conn)
        .await
        .db()?;
    let current = usize::try_from(current.unwrap_or(0)).unwrap_or(0);
    let mut applied = Vec::new();
    for (i, sql) in d.migrations().iter().enumerate().skip(current) {
        let version = i + 1;
        // PostgreSQL runs DDL inside the transaction (all of a version or none); MySQL commits
        // each DDL statement implicitly, so there the version row is what makes it final.
        (&mut *conn).execute("BEGIN").await.db()?;
        let step = async {
            for stmt in statements(sql) {
                (&mut *conn).execute(stmt).await.db()?;
            }
            query(&d.q("INSERT INTO axon_schema_version (version, applied_at) VALUES (?, ?)"))
                .bind(version as i64)
                .bind(now)
                .execute(&mut *conn)
                .await
                .db()?;
            SqlResult::Ok(())
        }
        .await;
        match step {
            Ok(()) => (&mut *conn).execute("COMMIT").await.db()?,
            Err(e) => {
                let _ = (&mut *conn).execute("ROLLBACK").await;
                return Err(e);
            }
        };
        tracing::info!(version, backend = d.name(), "applied schema migration");
        applied.push(version);
    }
    Ok(applied)
}

/// The statements of one migration: split at `;` ending a line.
fn statements(sql: &str) -> impl Iterator<Item = &str> {
    sql.split(";\n").map(str::trim).filter(|s| !s.is_empty())
}
