//! The domain's one error type: a validation failure with a stable code and a human message.

use thiserror::Error;

/// A rule of the domain was broken by some input. `code` is the stable SNAKE_CASE wire code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{message}")]
pub struct DomainError {
    pub code: &'static str,
    pub message: String,
}

impl DomainError {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }

    /// A generic field validation error (`VALIDATION_ERROR`).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new("VALIDATION_ERROR", message)
    }
}
