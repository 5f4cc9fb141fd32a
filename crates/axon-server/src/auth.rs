//! Authentication (SPEC §10): admin API keys (ADMIN or VIEWER, stored hashed) for admin and
//! dashboard endpoints, and HS256 JWTs (`sub` = userId) for end users at the entry gate.

use crate::error::ApiError;
use crate::session::{self, KeyRef, Session};
use crate::state::AppState;
use axon_domain::model::{ApiKey, Role};
use axon_domain::Ts;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sha2::{Digest, Sha256};

/// Hex SHA-256 of a key: what is stored instead of the key.
pub fn hash_key(key: &str) -> String {
    let d = Sha256::digest(key.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// A fresh random secret, URL-safe, with a recognisable prefix.
pub use axon_services::tokens::generate_key;

fn bearer(parts: &Parts) -> Option<&str> {
    let h = parts
        .headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    h.strip_prefix("Bearer ")
        .or_else(|| h.strip_prefix("bearer "))
        .map(str::trim)
}

/// The admin session cookie set by the login page.
pub use crate::session::SESSION_COOKIE;

/// The value of a cookie in the request.
pub fn cookie(headers: &axum::http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(cookie::Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|c| c.name() == name)
        .map(|c| c.value().to_string())
}

/// Who made a request: the role, the key it came with, and the session when it came by cookie.
#[derive(Debug, Clone)]
pub struct Caller {
    pub role: Role,
    pub key: KeyRef,
    pub session: Option<Session>,
}

/// Resolves the caller from `Authorization: Bearer <key>` or the admin session cookie.
pub async fn authenticate(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    // A share link's request reaches only the routes that take a `Reader`.
    if crate::share_access::share_token(parts).is_some() {
        return Err(crate::share_access::outside_share());
    }
    if bearer(parts).is_none() {
        if let Some(caller) = session_caller(&parts.headers, state).await? {
            return Ok(caller);
        }
    }
    let key = bearer(parts)
        .ok_or_else(|| ApiError::unauthorized("missing Authorization: Bearer <admin key>"))?;
    caller_for_key(state, key).await
}

/// The caller of `Authorization: Bearer <key>` alone (cookies ignored).
pub async fn authenticate_bearer(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    let key = bearer(parts)
        .ok_or_else(|| ApiError::unauthorized("missing Authorization: Bearer <admin key>"))?;
    caller_for_key(state, key).await
}

/// The caller of a genuine, live session cookie in `headers` (`None` when there is none, it is
/// forged or expired, signed out, or its key was revoked).
pub async fn session_caller(
    headers: &axum::http::HeaderMap,
    state: &AppState,
) -> Result<Option<Caller>, ApiError> {
    let Some(s) = cookie(headers, SESSION_COOKIE)
        .and_then(|v| session::verify(&state.session_secret, &v, state.now()))
    else {
        return Ok(None);
    };
    let caller = Caller {
        role: s.role,
        key: s.key.clone(),
        session: Some(s),
    };
    Ok(still_valid(state, &caller).await?.then_some(caller))
}

/// The role of an admin or viewer key (the bootstrap key or one stored hashed).
pub async fn role_for_key(state: &AppState, key: &str) -> Result<Role, ApiError> {
    caller_for_key(state, key).await.map(|c| c.role)
}

/// The caller presenting `key` (the bootstrap key or one stored hashed and not revoked).
pub async fn caller_for_key(state: &AppState, key: &str) -> Result<Caller, ApiError> {
    let hash = hash_key(key);
    let admin = state.config.admin_key.expose();
    if !admin.is_empty() && hash == hash_key(admin) {
        return Ok(Caller {
            role: Role::Admin,
            key: KeyRef::bootstrap(admin),
            session: None,
        });
    }
    match state.admin.repo().key_by_hash(&hash).await? {
        Some(k) if k.revoked_at.is_none() => Ok(Caller {
            role: k.role,
            key: KeyRef::Stored(k.id),
            session: None,
        }),
        Some(_) => Err(ApiError::unauthorized("this API key has been revoked")),
        None => Err(ApiError::unauthorized("invalid API key")),
    }
}

/// Whether `caller` may still act: its key is not revoked (or, for the bootstrap key, still the
/// configured one) and its session, if any, was not signed out. Reads the store, so a
/// revocation or sign-out on any node sharing it counts.
pub async fn still_valid(state: &AppState, caller: &Caller) -> Result<bool, ApiError> {
    let key_ok = match &caller.key {
        KeyRef::Bootstrap(_) => {
            let admin = state.config.admin_key.expose();
            !admin.is_empty() && KeyRef::bootstrap(admin) == caller.key
        }
        KeyRef::Stored(id) => state
            .admin
            .repo()
            .keys()
            .await?
            .iter()
            .any(|k| k.id == *id && k.revoked_at.is_none() && k.role == caller.role),
    };
    if !key_ok {
        return Ok(false);
    }
    match &caller.session {
        None => Ok(true),
        Some(s) => Ok(state
            .admin
            .repo()
            .key_by_hash(&s.marker_hash())
            .await?
            .is_none()),
    }
}

/// Resolves when `caller` loses its access: at once on this node's revocations and sign-outs
/// (the `revocations` signal), and within [`REVALIDATE`] for those made on another node.
pub async fn revoked(state: AppState, caller: Caller) {
    let mut signal = state.revocations.subscribe();
    loop {
        tokio::select! {
            r = signal.changed() => if r.is_err() { std::future::pending::<()>().await },
            () = tokio::time::sleep(REVALIDATE) => {}
        }
        // A store error is not a revocation: keep the stream and ask again later.
        if let Ok(false) = still_valid(&state, &caller).await {
            return;
        }
    }
}

/// How often a live stream re-checks its key against the store (other nodes' revocations).
pub const REVALIDATE: std::time::Duration = std::time::Duration::from_secs(5);

/// Records the sign-out of `session` in the store (every node then refuses its cookie) and
/// signals this node's live streams.
pub async fn sign_out(state: &AppState, session: &Session) -> Result<(), ApiError> {
    let repo = state.admin.repo();
    if repo.key_by_hash(&session.marker_hash()).await?.is_none() {
        let now = state.now();
        let marker = repo
            .create_key(ApiKey {
                id: 0,
                name: "signed-out session".into(),
                role: session.role,
                prefix: crate::session::MARKER_PREFIX.into(),
                hash: session.marker_hash(),
                created_at: now,
                revoked_at: None,
            })
            .await?;
        repo.revoke_key(marker.id, now).await?;
    }
    state.revoked_here();
    Ok(())
}

/// Any valid admin or viewer key: read access to admin and dashboard APIs.
pub struct Viewer(pub Caller);

/// An ADMIN key: write access. A VIEWER key gets 403.
pub struct Admin(pub Caller);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        authenticate(parts, state).await.map(Viewer)
    }
}

impl FromRequestParts<AppState> for Admin {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let caller = authenticate(parts, state).await?;
        match caller.role {
            Role::Admin => Ok(Admin(caller)),
            Role::Viewer => Err(ApiError::forbidden(
                "a VIEWER key cannot change anything; use an ADMIN key",
            )),
        }
    }
}

/// Signs an HS256 JWT with `sub` and `exp` (sent in whole seconds).
pub fn mint_jwt(secret: &[u8], sub: &str, exp: Ts) -> String {
    let claims = serde_json::json!({ "sub": sub, "exp": exp.0.div_euclid(1000) });
    jsonwebtoken::encode(
        &jsonwebtoken::Header::new(jsonwebtoken::Algorithm::HS256),
        &claims,
        &jsonwebtoken::EncodingKey::from_secret(secret),
    )
    .expect("HS256 signing of a JSON object cannot fail")
}

/// An expiry one hour from the system clock's now, for tools minting tokens for a server that
/// runs on the real clock (demo traffic, load tests).
pub fn jwt_expiry_from_now() -> Ts {
    use axon_domain::Clock;
    axon_domain::SystemClock.now().plus_ms(3_600_000)
}

/// What an end-user token must satisfy besides its signature.
#[derive(Debug, Clone, Copy)]
pub struct JwtRules {
    /// Longest time from now to `exp` accepted (a token minted for longer is refused).
    pub max_lifetime: std::time::Duration,
    /// Clock skew tolerated on `exp` and `nbf`.
    pub leeway: std::time::Duration,
}

impl Default for JwtRules {
    fn default() -> JwtRules {
        JwtRules {
            max_lifetime: std::time::Duration::from_secs(24 * 3600),
            leeway: std::time::Duration::from_secs(30),
        }
    }
}

/// Deserialises a claim that, when present, must be a non-negative integer (not null, a
/// string or a decimal: those are refused rather than read as "no limit").
fn present_seconds<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    <u64 as serde::Deserialize>::deserialize(d).map(Some)
}

/// The claims Axon reads; `exp` is required and integral.
#[derive(serde::Deserialize)]
struct Claims {
    exp: u64,
    #[serde(default, deserialize_with = "present_seconds")]
    nbf: Option<u64>,
    sub: serde_json::Value,
}

/// A usable subject: 1–128 characters, not blank, no control characters (NUL included).
fn subject(sub: &serde_json::Value) -> Option<String> {
    let s = match sub {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Number(n) if n.is_i64() => n.to_string(),
        _ => return None,
    };
    let ok = !s.trim().is_empty() && s.chars().count() <= 128 && !s.chars().any(char::is_control);
    ok.then_some(s)
}

/// Verifies an HS256 JWT (signature and algorithm by `jsonwebtoken`; `exp`, `nbf` and the
/// lifetime against the injected clock `now`) and returns its subject (the userId).
pub fn verify_jwt(
    token: &str,
    secret: &[u8],
    now: Ts,
    rules: JwtRules,
) -> Result<String, &'static str> {
    use jsonwebtoken::errors::ErrorKind;
    if secret.is_empty() {
        return Err("end-user tokens are not configured (AXON_JWT_SECRET)");
    }
    let mut v = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::HS256);
    // Time claims are checked below against Axon's clock, not the library's system time.
    v.validate_exp = false;
    v.validate_nbf = false;
    v.validate_aud = false;
    v.required_spec_claims.clear();
    let data =
        jsonwebtoken::decode::<Claims>(token, &jsonwebtoken::DecodingKey::from_secret(secret), &v)
            .map_err(|e| match e.kind() {
                ErrorKind::InvalidSignature => "the token signature is invalid",
                ErrorKind::InvalidAlgorithm => "only HS256 tokens are accepted",
                ErrorKind::Json(_) => {
                    "the token needs a whole-second exp, a whole-second nbf if any, and a sub"
                }
                _ => "the token is not a valid JWT",
            })?;
    let c = data.claims;
    let now_s = now.0.div_euclid(1000);
    let leeway = i64::try_from(rules.leeway.as_secs()).unwrap_or(i64::MAX);
    let max = i64::try_from(rules.max_lifetime.as_secs()).unwrap_or(i64::MAX);
    let exp = i64::try_from(c.exp).map_err(|_| "the token lives longer than allowed")?;
    if exp.saturating_add(leeway) <= now_s {
        return Err("the token has expired");
    }
    if exp.saturating_sub(now_s) > max {
        return Err("the token lives longer than allowed");
    }
    if let Some(nbf) = c.nbf {
        if i64::try_from(nbf).map_or(true, |nbf| nbf > now_s.saturating_add(leeway)) {
            return Err("the token is not valid yet");
        }
    }
    subject(&c.sub).ok_or("the token has no usable sub claim")
}

/// The end user at the entry gate, from `Authorization: Bearer <JWT>`.
pub struct EndUser(pub String);

impl FromRequestParts<AppState> for EndUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let token = bearer(parts).ok_or_else(|| {
            ApiError::new(
                crate::error::Kind::Unauthorized,
                "INVALID_TOKEN",
                "missing Authorization: Bearer <user JWT>",
            )
        })?;
        verify_jwt(
            token,
            state.config.jwt_secret.expose().as_bytes(),
            state.now(),
            state.config.jwt,
        )
        .map(EndUser)
        .map_err(|m| ApiError::new(crate::error::Kind::Unauthorized, "INVALID_TOKEN", m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use hmac::{Hmac, Mac};

    const NOW: Ts = Ts(1_800_000_000_000);

    fn hs256(secret: &[u8], claims: &str) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let input = format!("{header}.{}", URL_SAFE_NO_PAD.encode(claims));
        let mut mac = Hmac::<Sha256>::new_from_slice(secret).unwrap();
        mac.update(input.as_bytes());
        format!(
            "{input}.{}",
            URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
        )
    }

    fn check(claims: &str) -> Result<String, &'static str> {
        verify_jwt(
            &hs256(b"s3cret", claims),
            b"s3cret",
            NOW,
            JwtRules::default(),
        )
    }

    #[test]
    fn jwt_round_trips_and_rejects_forgery_and_expiry() {
        let now = NOW;
        let rules = JwtRules::default();
        let t = mint_jwt(b"s3cret", "user-7", Ts(now.0 + 60_000));
        assert_eq!(verify_jwt(&t, b"s3cret", now, rules).unwrap(), "user-7");
        assert_eq!(
            verify_jwt(&t, b"other", now, rules),
            Err("the token signature is invalid")
        );
        assert_eq!(
            verify_jwt(&t, b"s3cret", Ts(now.0 + 91_000), rules),
            Err("the token has expired"),
            "expired beyond the 30 s leeway"
        );
        assert!(verify_jwt(&t, b"s3cret", Ts(now.0 + 80_000), rules).is_ok());
        assert!(verify_jwt("a.b", b"s3cret", now, rules).is_err());
        let mut parts: Vec<&str> = t.split('.').collect();
        let forged = URL_SAFE_NO_PAD.encode(r#"{"sub":"admin","exp":1800000060}"#);
        parts[1] = &forged;
        assert!(verify_jwt(&parts.join("."), b"s3cret", now, rules).is_err());
        assert!(verify_jwt(&t, b"", now, rules).is_err());
    }

    #[test]
    fn exp_is_required_integral_and_bounded() {
        let exp = NOW.0 / 1000 + 600;
        assert_eq!(
            check(&format!(r#"{{"sub":"u","exp":{exp}}}"#)).unwrap(),
            "u"
        );
        for bad in [
            r#"{"sub":"u"}"#.to_string(),
            r#"{"sub":"u","exp":null}"#.to_string(),
            format!(r#"{{"sub":"u","exp":"{exp}"}}"#),
            format!(r#"{{"sub":"u","exp":{exp}.5}}"#),
            format!(r#"{{"sub":"u","exp":{exp},"nbf":null}}"#),
            format!(r#"{{"sub":"u","exp":{exp},"nbf":"1"}}"#),
            format!(r#"{{"sub":"u","exp":{exp},"nbf":1.5}}"#),
        ] {
            assert!(check(&bad).is_err(), "{bad} is refused");
        }
        let far = NOW.0 / 1000 + 2 * 86_400;
        assert_eq!(
            check(&format!(r#"{{"sub":"u","exp":{far}}}"#)),
            Err("the token lives longer than allowed")
        );
        let later = NOW.0 / 1000 + 120;
        assert_eq!(
            check(&format!(r#"{{"sub":"u","exp":{exp},"nbf":{later}}}"#)),
            Err("the token is not valid yet")
        );
        let soon = NOW.0 / 1000 + 10;
        assert!(check(&format!(r#"{{"sub":"u","exp":{exp},"nbf":{soon}}}"#)).is_ok());
    }

    #[test]
    fn sub_must_be_a_printable_non_blank_id() {
        let exp = NOW.0 / 1000 + 600;
        for bad in [
            r#""   ""#,
            r#""""#,
            r#""a\u0000b""#,
            r#""a\nb""#,
            "null",
            "1.5",
            "true",
        ] {
            let claims = format!(r#"{{"sub":{bad},"exp":{exp}}}"#);
            assert_eq!(
                check(&claims),
                Err("the token has no usable sub claim"),
                "{bad}"
            );
        }
        assert_eq!(
            check(&format!(r#"{{"sub":42,"exp":{exp}}}"#)).unwrap(),
            "42"
        );
        assert_eq!(
            check(&format!(r#"{{"sub":"사용자-1","exp":{exp}}}"#)).unwrap(),
            "사용자-1"
        );
    }

    #[test]
    fn keys_hash_stably_and_generate_uniquely() {
        assert_eq!(
            hash_key("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_ne!(generate_key("axk_"), generate_key("axk_"));
        assert!(generate_key("axk_").starts_with("axk_"));
    }
}
