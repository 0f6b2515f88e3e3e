//! The per-second budget: a token bucket of one. A request spends the token and the next is
//! earned in 1/budget, so requests are spaced evenly and an idle minute buys no burst. Time is
//! passed in, so the spacing is tested without a clock.

use tokio::time::Instant;

#[derive(Clone, Copy, Debug)]
pub struct Bucket {
    per_second: f64,
    tokens: f64,
    refilled: Instant,
}

impl Bucket {
    /// Full at `now`: the first request goes at once.
    pub fn full(per_second: f64, now: Instant) -> Bucket {
        Bucket {
            per_second,
            tokens: 1.0,
            refilled: now,
        }
    }

    /// May a request go at `now`? Counts in what was earned since the last look.
    pub fn ready(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.refilled).as_secs_f64();
        // Never more than one: no second ever holds more than the budget.
        self.tokens = (self.tokens + elapsed * self.per_second).min(1.0);
        self.refilled = now;
        self.tokens >= 1.0
    }

    /// A request went.
    pub fn spend(&mut self) {
        self.tokens -= 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Whether a request may go at `at`, asked of a copy (asking counts in what was earned).
    fn ready_at(b: &Bucket, at: Instant) -> bool {
        let mut copy = *b;
        copy.ready(at)
    }

    #[test]
    fn the_first_request_goes_at_once_and_the_next_one_budget_interval_after_it() {
        let t0 = Instant::now();
        let mut b = Bucket::full(5.0, t0);
        assert!(b.ready(t0));
        b.spend();
        assert!(!ready_at(&b, t0), "one request per token");
        assert!(!ready_at(&b, t0 + ms(199)), "not a moment before 1/5 s");
        assert!(ready_at(&b, t0 + ms(200)));
    }

    #[test]
    fn a_slow_budget_spaces_requests_by_seconds() {
        let t0 = Instant::now();
        let mut b = Bucket::full(0.5, t0);
        assert!(b.ready(t0));
        b.spend();
        assert!(!ready_at(&b, t0 + ms(1999)));
        assert!(ready_at(&b, t0 + ms(2000)));
    }

    #[test]
    fn an_idle_minute_buys_one_request_not_a_burst() {
        let t0 = Instant::now();
        let mut b = Bucket::full(5.0, t0);
        let later = t0 + Duration::from_secs(60);
        assert!(b.ready(later));
        b.spend();
        assert!(!b.ready(later), "the second waits its turn");
        assert!(!ready_at(&b, later + ms(199)));
        assert!(ready_at(&b, later + ms(200)));
    }

    #[test]
    fn looking_often_earns_no_more_than_looking_once() {
        let t0 = Instant::now();
        let mut b = Bucket::full(5.0, t0);
        assert!(b.ready(t0));
        b.spend();
        for step in 1..=150 {
            assert!(!b.ready(t0 + ms(step)), "at {step} ms");
        }
        assert!(ready_at(&b, t0 + ms(201)));
    }
}
