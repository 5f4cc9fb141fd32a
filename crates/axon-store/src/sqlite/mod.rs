//! The embedded backend: one SQLite database (`axon.db`) in the data directory, WAL mode,
//! `synchronous=FULL` so a commit is on disk before anyone is told. The directory is locked
//! (`axon.lock`) while a store is open, so `serve` and `import` never share it.

mod alerts;
mod bulk;
mod catalog;
mod commerce;
mod coupons;
mod events;
mod gate;
mod keys;
mod relational;
mod rows;
mod schema;
mod shares;
mod writer;

use crate::StoreError;
use fs2::FileExt;
use parking_lot::Mutex;
use rusqlite::{Connection, OpenFlags};
use std::fs::File;
use std::path::{Path, PathBuf};
use writer::Writer;

pub struct SqliteStore {
    writer: Writer,
    readers: Mutex<Vec<Connection>>,
    path: PathBuf,
    _lock: File,
}

fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    conn.execute_batch(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;
         PRAGMA cache_size=-65536; PRAGMA temp_store=MEMORY;",
    )
}

impl SqliteStore {
    /// Opens (creating if needed) the store in `dir`, locking it and applying migrations.
    pub fn open(dir: &Path) -> Result<SqliteStore, StoreError> {
        let named = |e: std::io::Error| {
            StoreError::Internal(format!("data directory {}: {e}", dir.display()))
        };
        std::fs::create_dir_all(dir).map_err(named)?;
        let lock = File::create(dir.join("axon.lock")).map_err(named)?;
        if lock.try_lock_exclusive().is_err() {
            return Err(StoreError::Locked(dir.display().to_string()));
        }
        let path = dir.join("axon.db");
        let conn = Connection::open(&path)?;
        configure(&conn)?;
        schema::migrate(&conn)?;
        Ok(SqliteStore {
            writer: Writer::start(conn),
            readers: Mutex::new(Vec::new()),
            path,
            _lock: lock,
        })
    }

    /// Runs a read on a pooled read-only connection (WAL readers never block the writer).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = match self.readers.lock().pop() {
            Some(c) => c,
            None => {
                let c = Connection::open_with_flags(
                    &self.path,
                    OpenFlags::SQLITE_OPEN_READ_ONLY
                        | OpenFlags::SQLITE_OPEN_NO_MUTEX
                        | OpenFlags::SQLITE_OPEN_URI,
                )?;
                c.busy_timeout(std::time::Duration::from_secs(10))?;
                c
            }
        };
        let r = f(&conn);
        let mut pool = self.readers.lock();
        if pool.len() < 16 {
            pool.push(conn);
        }
        r
    }

    pub(crate) fn writer(&self) -> &Writer {
        &self.writer
    }
}

impl crate::CommitFeed for SqliteStore {
    fn committed(&self) -> u64 {
        self.writer.published().committed()
    }

    fn follow(&self) -> tokio::sync::mpsc::UnboundedReceiver<std::sync::Arc<crate::Commit>> {
        self.writer.published().follow()
    }
}

/// True when the error is a UNIQUE/constraint violation.
pub(crate) fn is_constraint(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _) if f.code == rusqlite::ErrorCode::ConstraintViolation)
}

#[cfg(test)]
mod gate_tests;
#[cfg(test)]
mod tests;
