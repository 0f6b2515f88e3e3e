//! A `Retry-After` header as failwatch believes it: seconds or an HTTP date, never longer than
//! [`MAX_WAIT`] (an incident does not wait an hour for a header), and whether it was cut down to
//! that, so the pause can be said as it is. The time is passed in, so it is tested without a
//! clock.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// A longer `Retry-After` is not believed: the pause is this long, and said so.
pub const MAX_WAIT: Duration = Duration::from_secs(300);

/// How long the server asked to be left alone, as taken.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter {
    pub wait: Duration,
    /// The server asked for longer than [`MAX_WAIT`].
    pub capped: bool,
}

impl RetryAfter {
    fn of(asked: Duration) -> RetryAfter {
        RetryAfter {
            wait: asked.min(MAX_WAIT),
            capped: asked > MAX_WAIT,
        }
    }
}

/// The header's value at `now`: delay-seconds (any number of digits: a huge one is a long
/// wait, capped) or an HTTP date still to come. Anything else (negative, a date gone by,
/// words) is not a wait: the backoff applies.
pub fn parse(value: &str, now: DateTime<Utc>) -> Option<RetryAfter> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(RetryAfter::of(Duration::from_secs(secs)));
    }
    let at = DateTime::parse_from_rfc2822(value)
        .ok()?
        .with_timezone(&Utc);
    let wait = (at - now).to_std().ok().filter(|w| !w.is_zero())?;
    Some(RetryAfter::of(wait))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-07T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    fn secs(s: u64, capped: bool) -> Option<RetryAfter> {
        Some(RetryAfter {
            wait: Duration::from_secs(s),
            capped,
        })
    }

    #[test]
    fn seconds_are_taken_up_to_five_minutes() {
        assert_eq!(parse("2", now()), secs(2, false));
        assert_eq!(parse(" 300 ", now()), secs(300, false));
        assert_eq!(parse("301", now()), secs(300, true));
    }

    #[test]
    fn a_huge_number_is_a_long_wait_capped_not_a_header_ignored() {
        assert_eq!(parse("1000000000000", now()), secs(300, true));
        assert_eq!(parse("10000000000000000000000", now()), secs(300, true));
    }

    #[test]
    fn an_http_date_to_come_is_a_wait_until_then() {
        assert_eq!(
            parse("Mon, 07 Dec 2026 10:00:30 GMT", now()),
            secs(30, false)
        );
        assert_eq!(
            parse("Tue, 08 Dec 2026 10:00:00 GMT", now()),
            secs(300, true)
        );
        assert_eq!(parse("Mon, 07 Dec 2026 09:00:00 GMT", now()), None);
    }

    #[test]
    fn what_is_not_a_wait_leaves_it_to_the_backoff() {
        for v in ["-5", "", "soon", "1.5", "+3", "0x10"] {
            assert_eq!(parse(v, now()), None, "{v:?}");
        }
        assert_eq!(parse("0", now()), secs(0, false));
    }
}
