//! `ServiceError`: the one error type of the services. Each variant of [`Kind`] is a class of
//! failure the caller can act on; `code` is the stable SNAKE_CASE wire code and `details` the
//! machine-readable extras (the HTTP layer maps the kind to a status, in one table).

use axon_domain::DomainError;
use axon_ports::StoreError;
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// The input breaks a rule (400).
    Invalid,
    Unauthorized,
    Forbidden,
    NotFound,
    /// The state forbids it now (409).
    Conflict,
    /// It existed but is over (410: sold out, expired approval).
    Gone,
    TooManyRequests,
    /// A backend we depend on cannot decide right now (503 with `Retry-After`): e.g. the stock
    /// gate while Redis is rebuilt. Nothing was changed; the caller may retry.
    Unavailable,
    /// Something broke on our side; the cause is logged, the caller sees a generic message.
    Internal,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ServiceError {
    pub kind: Kind,
    pub code: &'static str,
    pub message: String,
    pub details: Map<String, Value>,
}

impl ServiceError {
    pub fn new(kind: Kind, code: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError {
            kind,
            code,
            message: message.into(),
            details: Map::new(),
        }
    }

    pub fn invalid(code: &'static str, message: impl Into<String>) -> ServiceError {
        Self::new(Kind::Invalid, code, message)
    }

    pub fn validation(message: impl Into<String>) -> ServiceError {
        Self::new(Kind::Invalid, "VALIDATION_ERROR", message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> ServiceError {
        Self::new(Kind::NotFound, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> ServiceError {
        Self::new(Kind::Conflict, code, message)
    }

    pub fn gone(code: &'static str, message: impl Into<String>) -> ServiceError {
        Self::new(Kind::Gone, code, message)
    }

    pub fn forbidden(code: &'static str, message: impl Into<String>) -> ServiceError {
        Self::new(Kind::Forbidden, code, message)
    }

    /// The stock gate cannot decide now (rebuilding or unreachable): nothing was admitted or
    /// confirmed, so a retry is safe. The cause is logged.
    pub fn gate_unavailable(cause: impl std::fmt::Display) -> ServiceError {
        tracing::warn!(cause = %cause, "stock gate unavailable");
        Self::new(
            Kind::Unavailable,
            "GATE_UNAVAILABLE",
            "the stock gate cannot decide right now; nothing was changed, retry in a moment",
        )
    }

    /// Logs the cause; the caller sees only a generic message.
    pub fn internal(cause: impl std::fmt::Display) -> ServiceError {
        tracing::error!(cause = %cause, "internal error");
        Self::new(
            Kind::Internal,
            "INTERNAL_ERROR",
            "an internal error occurred; it has been logged",
        )
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> ServiceError {
        self.details.insert(key.to_string(), value.into());
        self
    }
}

impl From<DomainError> for ServiceError {
    fn from(e: DomainError) -> ServiceError {
        ServiceError::invalid(e.code, e.message)
    }
}

impl From<StoreError> for ServiceError {
    fn from(e: StoreError) -> ServiceError {
        match e {
            StoreError::NotFound(what) => {
                ServiceError::not_found("NOT_FOUND", format!("{what} not found"))
            }
            StoreError::Conflict { code, message } => ServiceError::conflict(code, message),
            StoreError::Unavailable(what) => {
                tracing::warn!(backend = %what, "a write could not be acknowledged");
                ServiceError::new(
                    Kind::Unavailable,
                    "BROKER_UNAVAILABLE",
                    format!("{what} cannot take the write right now; nothing was acknowledged, retry in a moment"),
                )
            }
            StoreError::Locked(_) | StoreError::Internal(_) => ServiceError::internal(e),
        }
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
