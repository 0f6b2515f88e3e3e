//! When the client may ask the server at all: a `Retry-After` holds every request for its
//! seconds, and a run of failures opens a circuit that stops asking — 5 s, twice as long each
//! time the one probe after it fails too, at most 60 s (longer only if a `Retry-After` says so)
//! — until a success closes it. Time is passed in, so the rules are tested without a clock.

use std::time::Duration;

use tokio::time::Instant;

use crate::backoff::Backoff;

/// A run of failed requests this long opens the circuit …
const CIRCUIT_AFTER: u32 = 5;
/// … for 5 s the first time, twice as long each time the probe after it fails too, up to a
/// minute: the shared backoff's ceiling ([`crate::backoff`]).
const OPEN_FOR: Backoff = Backoff::new(Duration::from_secs(5), Duration::from_secs(60));

#[derive(Debug, Default)]
pub struct Breaker {
    failures_in_a_row: u32,
    /// Set while the circuit is open or half-open (cleared only by a success).
    open_until: Option<Instant>,
    /// Times the circuit opened since the last success.
    openings: u32,
    paused_until: Option<Instant>,
}

impl Breaker {
    /// May a request go now? Half-open (the circuit's time is up, no success yet): only when
    /// nothing else is in flight, so one probe tests the server.
    pub fn allows(&self, now: Instant, nothing_in_flight: bool) -> bool {
        if self.paused_until.is_some_and(|p| now < p) {
            return false;
        }
        match self.open_until {
            Some(until) if now < until => false,
            Some(_) => nothing_in_flight,
            None => true,
        }
    }

    /// While open or half-open, requests go one at a time.
    pub fn one_at_a_time(&self) -> bool {
        self.open_until.is_some()
    }

    /// The server answered: the circuit closes and the run starts over.
    pub fn success(&mut self) {
        self.failures_in_a_row = 0;
        self.open_until = None;
        self.openings = 0;
    }

    /// A 429, a 5xx or no answer at `now`. How long the circuit opened for, if it did.
    pub fn failure(&mut self, now: Instant, retry_after: Option<Duration>) -> Option<Duration> {
        self.failures_in_a_row += 1;
        if let Some(wait) = retry_after {
            self.paused_until = self.paused_until.max(Some(now + wait));
        }
        if self.failures_in_a_row < CIRCUIT_AFTER {
            return None;
        }
        let open_for = OPEN_FOR
            .ceiling(self.openings)
            .max(retry_after.unwrap_or_default());
        self.openings += 1;
        self.open_until = Some(now + open_for);
        Some(open_for)
    }

    /// A `Retry-After` holds every request at `now`.
    pub fn paused(&self, now: Instant) -> bool {
        self.paused_until.is_some_and(|p| now < p)
    }

    /// The server is failing as a whole (the circuit is not closed): no endpoint is to blame.
    pub fn outage(&self) -> bool {
        self.open_until.is_some()
    }

    /// When asking may start again, if it is held now.
    pub fn held_until(&self) -> impl Iterator<Item = Instant> {
        [self.open_until, self.paused_until].into_iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_failures_open_it_for_5_s_then_one_probe_and_a_failed_probe_doubles_the_wait() {
        let t0 = Instant::now();
        let mut b = Breaker::default();
        for i in 0..4 {
            assert_eq!(b.failure(t0, None), None, "failure {i} alone opens nothing");
            assert!(b.allows(t0, false));
        }
        assert_eq!(b.failure(t0, None), Some(Duration::from_secs(5)));
        assert!(!b.allows(t0 + Duration::from_secs(4), true), "open");
        let later = t0 + Duration::from_secs(5);
        assert!(b.allows(later, true), "half-open: one probe");
        assert!(!b.allows(later, false), "not beside another request");
        assert_eq!(b.failure(later, None), Some(Duration::from_secs(10)));
        assert_eq!(b.failure(later, None), Some(Duration::from_secs(20)));
        assert_eq!(b.failure(later, None), Some(Duration::from_secs(40)));
        assert_eq!(b.failure(later, None), Some(Duration::from_secs(60)));
        assert_eq!(
            b.failure(later, None),
            Some(Duration::from_secs(60)),
            "at most 60 s"
        );
        b.success();
        assert!(b.allows(later, false) && !b.outage(), "a success closes it");
        assert_eq!(b.failure(later, None), None, "and the run starts over");
    }

    #[test]
    fn a_retry_after_holds_every_request_and_can_hold_the_circuit_longer() {
        let t0 = Instant::now();
        let mut b = Breaker::default();
        assert_eq!(b.failure(t0, Some(Duration::from_secs(2))), None);
        assert!(!b.allows(t0 + Duration::from_millis(1999), true));
        assert!(b.paused(t0 + Duration::from_millis(1999)));
        assert!(b.allows(t0 + Duration::from_secs(2), true));
        assert!(!b.paused(t0 + Duration::from_secs(2)));
        for _ in 0..3 {
            b.failure(t0, None);
        }
        assert_eq!(
            b.failure(t0, Some(Duration::from_secs(120))),
            Some(Duration::from_secs(120))
        );
        assert_eq!(b.held_until().max(), Some(t0 + Duration::from_secs(120)));
    }
}
