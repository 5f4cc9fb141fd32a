//! `ApiError`: the one error type of the HTTP layer. Every failure answers
//! `{"error": CODE, "message": …, …details}` with the status from the table in [`ApiError::status`].
//! Services fail with `ServiceError`, mapped here kind by kind; the HTTP-only kinds (405, 413,
//! 415) arise in this layer.

use axon_domain::DomainError;
use axon_ports::StoreError;
use axon_services::{Kind as SKind, ServiceError};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    MethodNotAllowed,
    Conflict,
    Gone,
    PayloadTooLarge,
    UnsupportedMediaType,
    TooManyRequests,
    Internal,
    Unavailable,
}

#[derive(Debug)]
pub struct ApiError {
    pub kind: Kind,
    pub code: &'static str,
    pub message: String,
    pub details: Map<String, Value>,
}

impl ApiError {
    pub fn new(kind: Kind, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            kind,
            code,
            message: message.into(),
            details: Map::new(),
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        Self::new(Kind::BadRequest, code, message)
    }

    pub fn validation(message: impl Into<String>) -> ApiError {
        Self::new(Kind::BadRequest, "VALIDATION_ERROR", message)
    }

    pub fn not_found(code: &'static str, message: impl Into<String>) -> ApiError {
        Self::new(Kind::NotFound, code, message)
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> ApiError {
        Self::new(Kind::Conflict, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> ApiError {
        Self::new(Kind::Unauthorized, "UNAUTHORIZED", message)
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        Self::new(Kind::Forbidden, "FORBIDDEN", message)
    }

    /// Logs the cause; the client sees only a generic message.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(cause = %cause, "internal error");
        Self::new(
            Kind::Internal,
            "INTERNAL_ERROR",
            "an internal error occurred; it has been logged",
        )
    }

    pub fn with(mut self, key: &str, value: impl Into<Value>) -> ApiError {
        self.details.insert(key.to_string(), value.into());
        self
    }

    /// The status of each kind, in one place.
    pub fn status(&self) -> StatusCode {
        match self.kind {
            Kind::BadRequest => StatusCode::BAD_REQUEST,
            Kind::Unauthorized => StatusCode::UNAUTHORIZED,
            Kind::Forbidden => StatusCode::FORBIDDEN,
            Kind::NotFound => StatusCode::NOT_FOUND,
            Kind::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Kind::Conflict => StatusCode::CONFLICT,
            Kind::Gone => StatusCode::GONE,
            Kind::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            Kind::UnsupportedMediaType => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Kind::TooManyRequests => StatusCode::TOO_MANY_REQUESTS,
            Kind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
            Kind::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        // The catalogue is the one list of codes: a code (or status) missing there is a bug
        // the tests must see, not an answer the document does not describe.
        debug_assert!(
            crate::codes::lookup(self.code, status.as_u16()).is_some(),
            "error code {} with status {} is not in the catalogue (crate::codes)",
            self.code,
            status.as_u16()
        );
        let mut body = Map::new();
        body.insert("error".into(), Value::from(self.code));
        body.insert("message".into(), Value::from(self.message));
        body.extend(self.details);
        let mut answer = (status, axum::Json(Value::Object(body))).into_response();
        if status == StatusCode::SERVICE_UNAVAILABLE {
            // Nothing was changed: tell clients (and the loadtest) when to try again.
            answer.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        answer
    }
}

impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> ApiError {
        let kind = match e.kind {
            SKind::Invalid => Kind::BadRequest,
            SKind::Unauthorized => Kind::Unauthorized,
            SKind::Forbidden => Kind::Forbidden,
            SKind::NotFound => Kind::NotFound,
            SKind::Conflict => Kind::Conflict,
            SKind::Gone => Kind::Gone,
            SKind::TooManyRequests => Kind::TooManyRequests,
            SKind::Unavailable => Kind::Unavailable,
            SKind::Internal => Kind::Internal,
        };
        ApiError {
            kind,
            code: e.code,
            message: e.message,
            details: e.details,
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> ApiError {
        ApiError::bad_request(e.code, e.message)
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        ServiceError::from(e).into()
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
