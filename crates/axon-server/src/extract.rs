//! Extractors that turn axum's rejections into our JSON error shape.

use crate::error::{ApiError, Kind};
use axum::extract::rejection::{FormRejection, JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

/// `Json<T>` with our errors: malformed → 400 `MALFORMED_JSON`, wrong shape → 400
/// `VALIDATION_ERROR`, wrong content type → 415, too large → 413.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(rej) => Err(json_rejection(&rej)),
        }
    }
}

fn json_rejection(rej: &JsonRejection) -> ApiError {
    match rej {
        JsonRejection::JsonDataError(e) => ApiError::validation(e.body_text()),
        JsonRejection::JsonSyntaxError(e) => ApiError::bad_request("MALFORMED_JSON", e.body_text()),
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            Kind::UnsupportedMediaType,
            "UNSUPPORTED_MEDIA_TYPE",
            "expected Content-Type: application/json",
        ),
        other if other.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            Kind::PayloadTooLarge,
            "PAYLOAD_TOO_LARGE",
            "the request body is too large",
        ),
        other => ApiError::bad_request("BAD_REQUEST", other.body_text()),
    }
}

/// `Query<T>` answering 400 `INVALID_QUERY` on bad parameters.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(ApiQuery(v)),
            Err(e @ QueryRejection::FailedToDeserializeQueryString(_)) => {
                Err(ApiError::bad_request("INVALID_QUERY", e.body_text()))
            }
            Err(e) => Err(ApiError::bad_request("INVALID_QUERY", e.body_text())),
        }
    }
}

/// `Path<T>` answering 400 `INVALID_PATH` when a segment does not parse (e.g. a non-numeric id).
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(ApiPath(v)),
            Err(e @ PathRejection::FailedToDeserializePathParams(_)) => {
                Err(ApiError::bad_request("INVALID_PATH", e.body_text()))
            }
            Err(e) => Err(ApiError::internal(e.body_text())),
        }
    }
}

/// `Form<T>` with our errors: a missing or malformed field → 400 `VALIDATION_ERROR`, a body
/// over the limit → 413, a wrong content type → 415 (axum's own answers are plain text).
pub struct ApiForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiForm<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        match axum::Form::<T>::from_request(req, state).await {
            Ok(axum::Form(v)) => Ok(ApiForm(v)),
            Err(rej) => Err(form_rejection(&rej)),
        }
    }
}

fn form_rejection(rej: &FormRejection) -> ApiError {
    match rej {
        FormRejection::InvalidFormContentType(_) => ApiError::new(
            Kind::UnsupportedMediaType,
            "UNSUPPORTED_MEDIA_TYPE",
            "expected Content-Type: application/x-www-form-urlencoded",
        ),
        FormRejection::FailedToDeserializeForm(e) => ApiError::validation(e.body_text()),
        FormRejection::FailedToDeserializeFormBody(e) => ApiError::validation(e.body_text()),
        other if other.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            Kind::PayloadTooLarge,
            "PAYLOAD_TOO_LARGE",
            "the request body is too large",
        ),
        other => ApiError::bad_request("BAD_REQUEST", other.body_text()),
    }
}

/// The client's address (from the listener's connect info), when the server has one.
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        ))
    }
}
