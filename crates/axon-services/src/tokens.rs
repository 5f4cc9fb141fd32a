//! Random secrets: API keys, reservation and approval tokens (24 random bytes, URL-safe).

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;

/// A fresh random secret with a readable prefix (`rsv_`, `apv_`, `axk_`…).
pub fn generate_key(prefix: &str) -> String {
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).expect("the OS random source failed");
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(bytes))
}

/// A fresh random 64-bit seed (giveaway draws).
pub fn random_seed() -> u64 {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b).expect("the OS random source failed");
    u64::from_le_bytes(b)
}
