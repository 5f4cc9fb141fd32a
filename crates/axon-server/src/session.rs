//! Admin session cookies: `v2.{sid}.{key}.{role}.{expires_ms}`, signed (HMAC-SHA256 over the
//! cookie's name and value) by the `cookie` crate's signed jar, with a key derived (HKDF) from the
//! node's 32-byte session secret; the `Set-Cookie` lines are built by the same crate.
//!
//! The cookie names the key it was made from (`k{id}` for a stored key, `b{fingerprint}` for the
//! bootstrap `AXON_ADMIN_KEY`), so a session dies when that key is revoked (or the bootstrap key
//! changes), and carries a random session id `sid`. Signing out records the sid as a revoked
//! marker row in the key store, so every node sharing the database refuses the cookie from then
//! on. Markers reuse the `api_keys` table (hash = `hash_key("session:" + sid)`, prefix
//! [`MARKER_PREFIX`], revoked at sign-out): no schema change, and a marker can never
//! authenticate because it is born revoked and no real key hashes to it.

use crate::auth::hash_key;
use axon_domain::model::Role;
use axon_domain::Ts;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use cookie::{Cookie, CookieJar, Key, SameSite};
use sha2::{Digest, Sha256};

/// The admin session cookie's name.
pub const SESSION_COOKIE: &str = "axon_session";

/// The prefix of a signed-out session's marker row; real keys start with `axk_`.
pub const MARKER_PREFIX: &str = "session";

/// The key a session (or a request) was authenticated by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyRef {
    /// The bootstrap key, by a fingerprint of its value (a new value ends the old sessions).
    Bootstrap(String),
    /// A stored key, by id.
    Stored(i64),
}

impl KeyRef {
    /// The fingerprint naming the bootstrap key `admin_key` in cookies (not its hash: the
    /// cookie should not carry something a stored-hash lookup would accept).
    pub fn bootstrap(admin_key: &str) -> KeyRef {
        let mut h = Sha256::new();
        h.update(b"axon session key ref\0");
        h.update(admin_key.as_bytes());
        let d = h.finalize();
        KeyRef::Bootstrap(d[..12].iter().map(|b| format!("{b:02x}")).collect())
    }

    fn encode(&self) -> String {
        match self {
            KeyRef::Bootstrap(fp) => format!("b{fp}"),
            KeyRef::Stored(id) => format!("k{id}"),
        }
    }

    fn decode(s: &str) -> Option<KeyRef> {
        if let Some(fp) = s.strip_prefix('b') {
            let ok = !fp.is_empty() && fp.bytes().all(|b| b.is_ascii_hexdigit());
            return ok.then(|| KeyRef::Bootstrap(fp.to_string()));
        }
        s.strip_prefix('k')?.parse().ok().map(KeyRef::Stored)
    }
}

/// A genuine, unexpired session cookie's content (whether it was signed out, or its key
/// revoked, is for [`crate::auth`] to check against the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub sid: String,
    pub key: KeyRef,
    pub role: Role,
}

impl Session {
    /// The hash of this session's signed-out marker.
    pub fn marker_hash(&self) -> String {
        hash_key(&format!("session:{}", self.sid))
    }
}

/// The signing key of `secret` (HKDF-expanded: the signed jar wants 64 bytes).
fn signing_key(secret: &[u8; 32]) -> Key {
    Key::derive_from(secret)
}

/// A fresh random session id.
pub fn new_sid() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).expect("the OS has randomness");
    URL_SAFE_NO_PAD.encode(b)
}

/// A signed session value for `key` with `role`, valid until `expires`.
pub fn mint(secret: &[u8; 32], sid: &str, key: &KeyRef, role: Role, expires: Ts) -> String {
    let payload = format!("v2.{sid}.{}.{}.{}", key.encode(), role.as_str(), expires.0);
    let mut jar = CookieJar::new();
    jar.signed_mut(&signing_key(secret))
        .add(Cookie::new(SESSION_COOKIE, payload));
    jar.get(SESSION_COOKIE)
        .map(|c| c.value().to_string())
        .expect("the jar holds the cookie just added")
}

/// The `Set-Cookie` line carrying `value` for `max_age_s` seconds (`Secure` when `secure`).
pub fn set_cookie(value: &str, max_age_s: i64, secure: bool) -> String {
    Cookie::build((SESSION_COOKIE, value.to_string()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .max_age(cookie::time::Duration::seconds(max_age_s))
        .secure(secure)
        .build()
        .to_string()
}

/// The `Set-Cookie` line that clears the session cookie.
pub fn clear_cookie(secure: bool) -> String {
    set_cookie("", 0, secure)
}

/// The session when `value` is genuine (signature) and not expired at `now`.
pub fn verify(secret: &[u8; 32], value: &str, now: Ts) -> Option<Session> {
    let mut jar = CookieJar::new();
    jar.add_original(Cookie::new(SESSION_COOKIE, value.to_string()));
    let genuine = jar.signed(&signing_key(secret)).get(SESSION_COOKIE)?;
    let payload = genuine.value();
    let mut it = payload.split('.');
    let (Some("v2"), Some(sid), Some(key), Some(role), Some(exp), None) = (
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
    ) else {
        return None;
    };
    (exp.parse::<i64>().ok()? > now.0).then_some(())?;
    Some(Session {
        sid: sid.to_string(),
        key: KeyRef::decode(key)?,
        role: Role::parse(role).ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const K: &[u8; 32] = b"0123456789abcdef0123456789abcdef";
    const OTHER: &[u8; 32] = b"fedcba9876543210fedcba9876543210";

    #[test]
    fn sessions_are_signed_name_their_key_and_expire() {
        let key = KeyRef::Stored(7);
        let s = mint(K, "sid1", &key, Role::Viewer, Ts(1000));
        let got = verify(K, &s, Ts(999)).unwrap();
        assert_eq!(
            (got.sid.as_str(), got.key, got.role),
            ("sid1", key, Role::Viewer)
        );
        assert_eq!(verify(K, &s, Ts(1000)), None);
        assert_eq!(verify(OTHER, &s, Ts(1)), None);
        assert_eq!(verify(K, &s.replace("VIEWER", "ADMIN"), Ts(1)), None);
        assert_eq!(verify(K, &s.replace(".k7.", ".k8."), Ts(1)), None);
        assert_eq!(verify(K, "", Ts(1)), None);
        assert_eq!(verify(K, "v2.sid1.k7.VIEWER.1000", Ts(1)), None);
    }

    #[test]
    fn the_bootstrap_fingerprint_round_trips_and_changes_with_the_key() {
        let a = KeyRef::bootstrap("first-admin-key");
        assert_ne!(a, KeyRef::bootstrap("second-admin-key"));
        let s = mint(K, "x", &a, Role::Admin, Ts(10));
        assert_eq!(verify(K, &s, Ts(1)).unwrap().key, a);
    }

    #[test]
    fn an_old_format_cookie_is_refused() {
        // The earlier hand-signed `{role}.{exp}.{sig}` and `v2.….{sig}` shapes never verify.
        assert_eq!(verify(K, "ADMIN.99999999999999.c2ln", Ts(1)), None);
        let v2 = "v2.sid.k1.ADMIN.99999999999999.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        assert_eq!(verify(K, v2, Ts(1)), None);
    }

    #[test]
    fn the_set_cookie_lines_carry_the_house_attributes() {
        let line = set_cookie("abc", 3600, true);
        for part in [
            "axon_session=abc",
            "HttpOnly",
            "SameSite=Strict",
            "Path=/",
            "Secure",
            "Max-Age=3600",
        ] {
            assert!(line.contains(part), "{line} lacks {part}");
        }
        assert!(!set_cookie("abc", 60, false).contains("Secure"));
        assert!(clear_cookie(false).contains("Max-Age=0"));
    }
}
