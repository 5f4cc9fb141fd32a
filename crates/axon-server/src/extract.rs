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

/// The client's address, when the server has one: the socket's peer, or — when the peer is one
/// of the configured trusted proxies (`AXON_TRUSTED_PROXIES`) — the address `X-Forwarded-For`
/// names ([`client_ip`]). Rate limits, stream caps and login throttling key on it.
pub struct ClientIp(pub Option<std::net::IpAddr>);

impl FromRequestParts<crate::state::AppState> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &crate::state::AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| client_ip(c.0.ip(), &parts.headers, &state.config.trusted_proxies)),
        ))
    }
}

/// The client behind `peer`: `peer` itself unless it is a trusted proxy; then the
/// `X-Forwarded-For` hops are read from the right (the nearest) and the first one that is not
/// a trusted proxy is the client — entries further left were written by the client and prove
/// nothing. A malformed hop stops the walk at the last address known good.
pub fn client_ip(
    peer: std::net::IpAddr,
    headers: &axum::http::HeaderMap,
    trusted: &[ipnet::IpNet],
) -> std::net::IpAddr {
    let is_trusted = |ip: &std::net::IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        let Some(ip) = parse_hop(hop) else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

/// One `X-Forwarded-For` entry: `203.0.113.7`, `203.0.113.7:5123`, `2001:db8::1` or
/// `[2001:db8::1]:5123`.
fn parse_hop(hop: &str) -> Option<std::net::IpAddr> {
    let hop = hop.trim();
    hop.parse()
        .ok()
        .or_else(|| hop.parse::<std::net::SocketAddr>().ok().map(|a| a.ip()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderMap;

    fn headers(xff: &[&str]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for v in xff {
            h.append("x-forwarded-for", v.parse().unwrap());
        }
        h
    }

    fn ip(s: &str) -> std::net::IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn forwarded_for_is_believed_only_from_a_trusted_proxy() {
        let proxies: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let h = headers(&["198.51.100.1, 203.0.113.9"]);
        assert_eq!(client_ip(ip("192.0.2.4"), &h, &proxies), ip("192.0.2.4"));
        assert_eq!(client_ip(ip("10.1.2.3"), &h, &proxies), ip("203.0.113.9"));
        assert_eq!(client_ip(ip("10.1.2.3"), &h, &[]), ip("10.1.2.3"));
    }

    #[test]
    fn the_walk_skips_trusted_hops_and_stops_at_garbage() {
        let proxies: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let h = headers(&["1.1.1.1, 203.0.113.9:443", "10.0.0.7"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("203.0.113.9"));
        let h = headers(&["1.1.1.1, nonsense, 10.0.0.7"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("10.0.0.7"));
        let h = headers(&["[2001:db8::1]:80"]);
        assert_eq!(client_ip(ip("10.0.0.1"), &h, &proxies), ip("2001:db8::1"));
        assert_eq!(
            client_ip(ip("10.0.0.1"), &headers(&[]), &proxies),
            ip("10.0.0.1")
        );
    }
}
