//! The key that signs admin session cookies. It must outlive the process and be the same on
//! every node, or a restart signs every browser out and a cookie from one node fails on another.
//! It comes from `AXON_SESSION_SECRET` when set (at least 32 bytes, checked once, here); else a
//! secret is generated on the first start, kept in the data dir as `session.key` (mode 0600,
//! written to a temporary file and renamed into place) and read back on every later start.
//! Several nodes must share one `AXON_SESSION_SECRET` (or copy one `session.key`'s content).

use crate::config::{Config, Secret};
use axon_store::StoreError;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256};
use std::fmt;
use std::io::Write;
use std::path::Path;
use std::str::FromStr;

/// Shortest secret accepted, in bytes.
pub const MIN_BYTES: usize = 32;

/// Where a generated secret is kept, inside the data dir.
pub const FILE: &str = "session.key";

/// A session secret of at least [`MIN_BYTES`] bytes; never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionSecret(Secret);

impl SessionSecret {
    pub fn new(s: impl Into<String>) -> Result<SessionSecret, String> {
        let s = s.into();
        if s.len() < MIN_BYTES {
            return Err(format!(
                "the session secret must be at least {MIN_BYTES} bytes (got {}); generate one with e.g. `openssl rand -base64 32`",
                s.len()
            ));
        }
        Ok(SessionSecret(Secret::new(s)))
    }

    /// The 32-byte HMAC key derived from the secret (so any length ≥ 32 gives the same kind of
    /// key, and a value shared with another setting still signs sessions with its own key).
    pub fn signing_key(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"axon admin session\0");
        h.update(self.0.expose().as_bytes());
        h.finalize().into()
    }
}

impl FromStr for SessionSecret {
    type Err = String;

    fn from_str(s: &str) -> Result<SessionSecret, String> {
        SessionSecret::new(s)
    }
}

impl fmt::Debug for SessionSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SessionSecret(***)")
    }
}

/// The signing key for this server: from the configured secret, else from the data dir's
/// `session.key` (created on the first start).
pub fn signing_key(config: &Config) -> Result<[u8; 32], StoreError> {
    match &config.session_secret {
        Some(s) => Ok(s.signing_key()),
        None => kept_secret(&config.data_dir).map(|s| s.signing_key()),
    }
}

fn io_error(path: &Path, e: impl fmt::Display) -> StoreError {
    StoreError::Internal(format!("session key {}: {e}", path.display()))
}

/// Reads the data dir's secret, creating it first when there is none.
fn kept_secret(dir: &Path) -> Result<SessionSecret, StoreError> {
    let path = dir.join(FILE);
    match std::fs::read_to_string(&path) {
        Ok(text) => SessionSecret::new(text.trim()).map_err(|e| io_error(&path, e)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let secret = generate().map_err(|e| io_error(&path, e))?;
            write_atomically(dir, &path, secret.0.expose()).map_err(|e| io_error(&path, e))?;
            Ok(secret)
        }
        Err(e) => Err(io_error(&path, e)),
    }
}

fn generate() -> Result<SessionSecret, String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| format!("no randomness: {e}"))?;
    SessionSecret::new(URL_SAFE_NO_PAD.encode(bytes))
}

/// Owner-only temporary file, flushed to disk, then renamed over `path`: a crash leaves either
/// no key or the whole key, never half of one.
fn write_atomically(dir: &Path, path: &Path, text: &str) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!("{FILE}.tmp-{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut f = options.open(&tmp)?;
    f.write_all(text.as_bytes())?;
    f.write_all(b"\n")?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    if let Ok(d) = std::fs::File::open(dir) {
        let _ = d.sync_all();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path) -> Config {
        Config::new(dir.to_path_buf(), Secret::new("admin"))
    }

    #[test]
    fn a_secret_shorter_than_32_bytes_is_refused() {
        let e = SessionSecret::new("x".repeat(MIN_BYTES - 1)).unwrap_err();
        assert!(e.contains("at least 32 bytes (got 31)"), "{e}");
        assert!(SessionSecret::new("x".repeat(MIN_BYTES)).is_ok());
    }

    #[test]
    fn the_secret_never_prints() {
        let s = SessionSecret::new("s".repeat(40)).unwrap();
        assert_eq!(format!("{s:?}"), "SessionSecret(***)");
    }

    #[test]
    fn a_generated_key_is_kept_owner_only_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let first = signing_key(&config(dir.path())).unwrap();
        let path = dir.path().join(FILE);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert_eq!(signing_key(&config(dir.path())).unwrap(), first);
        let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temporary file is left behind");
    }

    #[test]
    fn the_kept_key_file_and_the_setting_are_interchangeable() {
        let dir = tempfile::tempdir().unwrap();
        let kept = signing_key(&config(dir.path())).unwrap();
        let text = std::fs::read_to_string(dir.path().join(FILE)).unwrap();
        let other = tempfile::tempdir().unwrap();
        let mut c = config(other.path());
        c.session_secret = Some(SessionSecret::new(text.trim()).unwrap());
        assert_eq!(signing_key(&c).unwrap(), kept);
        assert!(
            !other.path().join(FILE).exists(),
            "a configured secret writes no file"
        );
    }

    #[test]
    fn a_damaged_key_file_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE), "short\n").unwrap();
        let e = signing_key(&config(dir.path())).unwrap_err().to_string();
        assert!(
            e.contains("session.key") && e.contains("at least 32 bytes"),
            "{e}"
        );
    }
}
