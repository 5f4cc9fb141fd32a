//! The storage layer's one error type.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum StoreError {
    /// No row with that id (`what` names the entity, e.g. "campaign 12").
    #[error("{0} not found")]
    NotFound(String),
    /// A uniqueness or state rule was violated; `code` is the stable wire code.
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    /// The data directory is used by another process.
    #[error("data directory {0} is locked by another axon process")]
    Locked(String),
    /// A backend that must acknowledge the write (the broker) cannot now: nothing was
    /// acknowledged and the caller may retry (503 with `Retry-After`).
    #[error("{0} is unavailable")]
    Unavailable(String),
    /// Anything else: I/O, database corruption, a stopped writer.
    #[error("storage failure: {0}")]
    Internal(String),
}

impl StoreError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        StoreError::Conflict {
            code,
            message: message.into(),
        }
    }
}

#[cfg(feature = "sqlite")]
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        StoreError::Internal(e.to_string())
    }
}

impl From<std::io::Error> for StoreError {
    fn from(e: std::io::Error) -> Self {
        StoreError::Internal(e.to_string())
    }
}
