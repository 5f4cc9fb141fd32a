//! Giveaway draws: a seeded, reproducible uniform choice of winners.

/// SplitMix64: tiny, fast and fully determined by its seed — a draw can be replayed from the
/// recorded seed.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> SplitMix64 {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (rejection sampling, no modulo bias).
    pub fn below(&mut self, n: u64) -> u64 {
        let zone = u64::MAX - (u64::MAX % n);
        loop {
            let v = self.next_u64();
            if v < zone {
                return v % n;
            }
        }
    }
}

/// Picks `k` of `participants` uniformly (partial Fisher–Yates), in draw order.
pub fn draw_winners<T: Clone>(participants: &[T], k: usize, seed: u64) -> Vec<T> {
    let mut pool: Vec<T> = participants.to_vec();
    let k = k.min(pool.len());
    let mut rng = SplitMix64::new(seed);
    for i in 0..k {
        let remaining = (pool.len() - i) as u64;
        let j = i + usize::try_from(rng.below(remaining)).unwrap_or(0);
        pool.swap(i, j);
    }
    pool.truncate(k);
    pool
}
