//! One policy for everything that tries again — a source reconnecting, a REST lookup retried:
//! capped exponential backoff with full jitter, a wait drawn uniformly from
//! `[0, min(cap, base·2^attempt)]`, so that many clients failing together do not return
//! together. The API's circuit breaker opens for the same exponential ceiling without the draw:
//! it is one client's own pause, and the user is told until when.

use std::time::Duration;

use rand::Rng;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Backoff {
    pub base: Duration,
    pub cap: Duration,
}

impl Backoff {
    pub const fn new(base: Duration, cap: Duration) -> Backoff {
        Backoff { base, cap }
    }

    /// The longest wait after `attempt` failures: `min(cap, base·2^attempt)`.
    pub fn ceiling(&self, attempt: u32) -> Duration {
        self.base
            .saturating_mul(1u32 << attempt.min(16))
            .min(self.cap)
    }

    /// The wait after `attempt` failures: uniform in `[0, ceiling]`.
    pub fn delay(&self, attempt: u32, rng: &mut impl Rng) -> Duration {
        self.ceiling(attempt).mul_f64(rng.random::<f64>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn the_ceiling_doubles_to_the_cap_and_never_overflows() {
        let b = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        assert_eq!(b.ceiling(0), Duration::from_millis(500));
        assert_eq!(b.ceiling(1), Duration::from_secs(1));
        assert_eq!(b.ceiling(5), Duration::from_secs(16));
        assert_eq!(b.ceiling(6), Duration::from_secs(30));
        assert_eq!(b.ceiling(u32::MAX), Duration::from_secs(30));
    }

    #[test]
    fn delays_are_spread_over_the_whole_range_below_the_ceiling() {
        let b = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
        let mut rng = rand::rngs::StdRng::seed_from_u64(7);
        let delays: Vec<Duration> = (0..1000).map(|_| b.delay(6, &mut rng)).collect();
        assert!(delays.iter().all(|d| *d <= Duration::from_secs(30)));
        let low = delays
            .iter()
            .filter(|d| **d < Duration::from_secs(10))
            .count();
        let high = delays
            .iter()
            .filter(|d| **d > Duration::from_secs(20))
            .count();
        // Uniform: about a third in each band (not all near the ceiling, as plain doubling is).
        assert!((250..420).contains(&low), "{low}");
        assert!((250..420).contains(&high), "{high}");
    }
}
