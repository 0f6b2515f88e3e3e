//! After a request that got no answer (a 429, a 5xx, none at all): when its endpoint is asked
//! again, and when its lookups are given up on. Time and chance are passed in, so the rules are
//! tested without a clock.

use std::collections::HashMap;
use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;

use super::endpoint::Key;
use super::http::HttpError;
use super::retry_after::RetryAfter;
use crate::backoff::Backoff;

/// An endpoint that fails this many times while the server otherwise answers is given up on …
pub const MAX_STRIKES: u32 = 5;
/// … and any lookup older than `LOOKUP_LIFETIME` is (an outage keeps lookups waiting, not forever).
pub const GIVE_UP_AFTER: Duration = super::LOOKUP_LIFETIME;
/// A lookup that got no answer is asked again after this ([`crate::backoff`]).
const RETRY: Backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(32));

/// How one endpoint's failed requests stand: all of them (for the backoff), and those made
/// while the circuit was closed (for giving up: an outage is not the endpoint's fault).
#[derive(Debug, Default)]
struct Tries {
    all: u32,
    strikes: u32,
}

/// What becomes of an endpoint after a failed request.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Asked again; `tries` have failed so far.
    Again { tries: u32 },
    /// Every lookup waiting on it is given up on, told this.
    GiveUp(String),
}

#[derive(Debug, Default)]
pub struct Retries {
    by_key: HashMap<Key, Tries>,
}

impl Retries {
    /// A request to `key` got no answer (`e`). `outage`: the circuit is not closed, so the
    /// failure counts for the backoff but not against the endpoint.
    pub fn failed(&mut self, key: &Key, outage: bool, e: &HttpError) -> Verdict {
        let tries = self.by_key.entry(key.clone()).or_default();
        tries.all += 1;
        tries.strikes += u32::from(!outage);
        let all = tries.all;
        if tries.strikes >= MAX_STRIKES {
            self.by_key.remove(key);
            return Verdict::GiveUp(format!("the API did not answer after {all} tries ({e})"));
        }
        Verdict::Again { tries: all }
    }

    /// `key` answered, or nobody waits on it any more: its count starts over.
    pub fn forget(&mut self, key: &Key) {
        self.by_key.remove(key);
    }
}

/// How long the server asked to be left alone, if it did (as taken: capped).
pub fn retry_after(e: &HttpError) -> Option<RetryAfter> {
    match e {
        HttpError::Status { retry_after, .. } => *retry_after,
        HttpError::Transport(_) | HttpError::NotFollowed(_) | HttpError::NotSent(_) => None,
    }
}

/// When to ask again after `tries` failures: when the server's `Retry-After` says, else after a
/// backoff drawn with full jitter, so that many endpoints failing together do not return together.
pub fn again_at(
    now: Instant,
    tries: u32,
    retry_after: Option<Duration>,
    rng: &mut impl Rng,
) -> Instant {
    now + retry_after.unwrap_or_else(|| RETRY.delay(tries, rng))
}

/// What a lookup given up on after [`GIVE_UP_AFTER`] is told.
pub fn outlived_why(e: &HttpError) -> String {
    format!(
        "the API did not answer for {} minutes ({e})",
        GIVE_UP_AFTER.as_secs() / 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::waiting::Waiting;
    use crate::api::LOOKUP_LIFETIME;
    use crate::enrich::LookupRequest;
    use rand::SeedableRng;

    fn agent() -> Key {
        Key::Agent("a".into())
    }

    fn busy() -> HttpError {
        HttpError::Status {
            status: 503,
            message: "busy".into(),
            retry_after: None,
        }
    }

    fn rng() -> rand::rngs::StdRng {
        rand::rngs::StdRng::seed_from_u64(7)
    }

    #[test]
    fn a_retry_after_wins_over_the_backoff_even_past_its_cap() {
        let t0 = Instant::now();
        let wait = Duration::from_secs(7);
        assert_eq!(again_at(t0, 1, Some(wait), &mut rng()), t0 + wait);
        let long = Duration::from_secs(120);
        assert_eq!(again_at(t0, 9, Some(long), &mut rng()), t0 + long);
        let asked = RetryAfter {
            wait,
            capped: false,
        };
        let e = HttpError::Status {
            status: 429,
            message: "slow down".into(),
            retry_after: Some(asked),
        };
        assert_eq!(retry_after(&e), Some(asked));
        assert_eq!(retry_after(&HttpError::Transport("reset".into())), None);
    }

    #[test]
    fn the_backoff_doubles_from_half_a_second_to_a_32_s_cap() {
        let t0 = Instant::now();
        let mut rng = rng();
        for (tries, ceiling) in [(1, 1), (2, 2), (5, 16), (6, 32), (7, 32), (40, 32)] {
            let ceiling = Duration::from_secs(ceiling);
            let longest = (0..200)
                .map(|_| again_at(t0, tries, None, &mut rng) - t0)
                .max()
                .unwrap();
            assert!(longest <= ceiling, "{tries} tries: {longest:?}");
            assert!(
                longest >= ceiling.mul_f64(0.9),
                "{tries} tries: {longest:?}"
            );
        }
    }

    #[test]
    fn the_backoff_is_drawn_anywhere_below_its_ceiling_not_at_it() {
        let t0 = Instant::now();
        let mut rng = rng();
        let waits: Vec<Duration> = (0..300)
            .map(|_| again_at(t0, 10, None, &mut rng) - t0)
            .collect();
        let short = waits
            .iter()
            .filter(|w| **w < Duration::from_secs(8))
            .count();
        let long = waits
            .iter()
            .filter(|w| **w > Duration::from_secs(24))
            .count();
        // Full jitter: about a quarter in each band, so endpoints failing together spread out.
        assert!((40..110).contains(&short), "{short}");
        assert!((40..110).contains(&long), "{long}");
    }

    #[test]
    fn an_endpoint_failing_while_the_server_answers_is_given_up_on_at_the_fifth_strike() {
        let mut r = Retries::default();
        for tries in 1..MAX_STRIKES {
            assert_eq!(r.failed(&agent(), false, &busy()), Verdict::Again { tries });
        }
        assert_eq!(
            r.failed(&agent(), false, &busy()),
            Verdict::GiveUp("the API did not answer after 5 tries (HTTP 503: busy)".into())
        );
        assert_eq!(
            r.failed(&agent(), false, &busy()),
            Verdict::Again { tries: 1 },
            "given up on, it starts over"
        );
    }

    #[test]
    fn failures_in_an_outage_lengthen_the_backoff_but_are_not_held_against_the_endpoint() {
        let mut r = Retries::default();
        for tries in 1..=10 {
            assert_eq!(r.failed(&agent(), true, &busy()), Verdict::Again { tries });
        }
        for tries in 11..15 {
            assert_eq!(r.failed(&agent(), false, &busy()), Verdict::Again { tries });
        }
        assert_eq!(
            r.failed(&agent(), false, &busy()),
            Verdict::GiveUp("the API did not answer after 15 tries (HTTP 503: busy)".into())
        );
    }

    #[test]
    fn an_answer_starts_the_count_over_and_other_endpoints_keep_theirs() {
        let mut r = Retries::default();
        let other = Key::Session("s".into());
        for _ in 0..4 {
            r.failed(&agent(), false, &busy());
        }
        r.failed(&other, false, &busy());
        r.forget(&agent());
        assert_eq!(
            r.failed(&agent(), false, &busy()),
            Verdict::Again { tries: 1 }
        );
        assert_eq!(
            r.failed(&other, false, &busy()),
            Verdict::Again { tries: 2 }
        );
    }

    #[test]
    fn a_lookup_is_given_up_on_after_the_lookup_lifetime_and_told_it_in_minutes() {
        let t0 = Instant::now();
        let mut w = Waiting::default();
        let req = LookupRequest {
            task_id: "t".into(),
            issue_id: None,
            agent_id: Some("a".into()),
            session: None,
            at: chrono::Utc::now(),
        };
        w.add(req, agent(), t0);
        let almost = t0 + LOOKUP_LIFETIME - Duration::from_millis(1);
        assert!(w.outlived(&agent(), almost, GIVE_UP_AFTER).is_empty());
        assert_eq!(
            w.outlived(&agent(), t0 + LOOKUP_LIFETIME, GIVE_UP_AFTER)
                .len(),
            1
        );
        let minutes = LOOKUP_LIFETIME.as_secs() / 60;
        assert_eq!(
            outlived_why(&busy()),
            format!("the API did not answer for {minutes} minutes (HTTP 503: busy)")
        );
    }
}
