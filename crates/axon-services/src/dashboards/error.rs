//! The dashboards fail with the services' one error type; these are the constructors they use.

pub use crate::error::{ServiceError, ServiceResult};
use axon_ports::aggregates::SourceError;

impl ServiceError {
    pub fn activity_not_found(id: i64) -> ServiceError {
        ServiceError::not_found(
            "ACTIVITY_NOT_FOUND",
            format!("activity {id} does not exist"),
        )
    }

    pub fn campaign_not_found(id: i64) -> ServiceError {
        ServiceError::not_found(
            "CAMPAIGN_NOT_FOUND",
            format!("campaign {id} does not exist"),
        )
    }
}

/// A backend behind a port failed: the cause is for the log, not the client.
impl From<SourceError> for ServiceError {
    fn from(e: SourceError) -> ServiceError {
        ServiceError::internal(format!("a backend failed: {}", e.0))
    }
}
