//! Caps on open live (SSE) streams per key and per client address, so one key or one host
//! cannot hold every connection of the server open. A [`Slot`] is taken when a stream opens
//! and given back when the stream (and so the slot it owns) is dropped.

use crate::error::{ApiError, Kind};
use parking_lot::Mutex;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Arc;

/// Counts of open streams by key and by address.
pub struct StreamSlots {
    per_key: usize,
    per_ip: usize,
    open: Mutex<HashMap<String, usize>>,
}

/// One open stream's share of the counts; dropping it frees them.
pub struct Slot {
    slots: Arc<StreamSlots>,
    names: Vec<String>,
}

impl StreamSlots {
    /// At most `per_key` streams per key and `per_ip` per address (0 = no cap).
    pub fn new(per_key: usize, per_ip: usize) -> StreamSlots {
        StreamSlots {
            per_key,
            per_ip,
            open: Mutex::default(),
        }
    }

    /// A slot for a stream of `key` (a stable label of the caller's key) from `ip`, or 429
    /// `TOO_MANY_STREAMS` when either cap is reached.
    pub fn acquire(self: &Arc<Self>, key: &str, ip: Option<IpAddr>) -> Result<Slot, ApiError> {
        let mut wanted = vec![(format!("key:{key}"), self.per_key)];
        if let Some(ip) = ip {
            wanted.push((format!("ip:{ip}"), self.per_ip));
        }
        let mut open = self.open.lock();
        for (name, cap) in &wanted {
            if *cap > 0 && open.get(name).copied().unwrap_or(0) >= *cap {
                let whose = if name.starts_with("key:") {
                    "this key"
                } else {
                    "this address"
                };
                return Err(ApiError::new(
                    Kind::TooManyRequests,
                    "TOO_MANY_STREAMS",
                    format!("{whose} already holds {cap} live streams; close one first"),
                ));
            }
        }
        for (name, _) in &wanted {
            *open.entry(name.clone()).or_default() += 1;
        }
        Ok(Slot {
            slots: self.clone(),
            names: wanted.into_iter().map(|(n, _)| n).collect(),
        })
    }

    /// How many streams `key` holds now.
    pub fn held_by_key(&self, key: &str) -> usize {
        self.open
            .lock()
            .get(&format!("key:{key}"))
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.slots.open.lock();
        for name in &self.names {
            if let Some(n) = open.get_mut(name) {
                *n -= 1;
                if *n == 0 {
                    open.remove(name);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_cap_per_key_and_per_address_and_free_on_drop() {
        let s = Arc::new(StreamSlots::new(2, 3));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        let a = s.acquire("k1", Some(ip)).unwrap();
        let _b = s.acquire("k1", Some(ip)).unwrap();
        assert_eq!(
            s.acquire("k1", Some(ip)).err().unwrap().code,
            "TOO_MANY_STREAMS"
        );
        let _c = s.acquire("k2", Some(ip)).unwrap();
        assert!(s.acquire("k3", Some(ip)).is_err(), "the address is full");
        drop(a);
        assert_eq!(s.held_by_key("k1"), 1);
        assert!(s.acquire("k1", None).is_ok());
    }
}
