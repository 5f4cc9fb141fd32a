//! The service's one error type: what went wrong, with the stable wire code the API reports.

use axon_domain::DomainError;
use axon_ports::aggregates::SourceError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceError {
    /// The subject does not exist (`ACTIVITY_NOT_FOUND`, `CAMPAIGN_NOT_FOUND`).
    NotFound { code: &'static str, message: String },
    /// The request is invalid (`INVALID_PERIOD`, `INVALID_WIDGETS`, `INVALID_QUERY`, …).
    Invalid { code: &'static str, message: String },
    /// A backend behind a port failed; the cause is for the log, not the client.
    Unavailable(String),
}

impl ServiceError {
    pub fn invalid(code: &'static str, message: impl Into<String>) -> ServiceError {
        ServiceError::Invalid {
            code,
            message: message.into(),
        }
    }

    pub fn activity_not_found(id: i64) -> ServiceError {
        ServiceError::NotFound {
            code: "ACTIVITY_NOT_FOUND",
            message: format!("activity {id} does not exist"),
        }
    }

    pub fn campaign_not_found(id: i64) -> ServiceError {
        ServiceError::NotFound {
            code: "CAMPAIGN_NOT_FOUND",
            message: format!("campaign {id} does not exist"),
        }
    }
}

impl std::fmt::Display for ServiceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServiceError::NotFound { message, .. } | ServiceError::Invalid { message, .. } => {
                f.write_str(message)
            }
            ServiceError::Unavailable(cause) => write!(f, "a backend failed: {cause}"),
        }
    }
}

impl std::error::Error for ServiceError {}

impl From<DomainError> for ServiceError {
    fn from(e: DomainError) -> ServiceError {
        ServiceError::Invalid {
            code: e.code,
            message: e.message,
        }
    }
}

impl From<SourceError> for ServiceError {
    fn from(e: SourceError) -> ServiceError {
        ServiceError::Unavailable(e.0)
    }
}

pub type ServiceResult<T> = Result<T, ServiceError>;
