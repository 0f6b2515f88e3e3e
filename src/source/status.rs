//! What every source reports about its connection: the phase, the age of the last frame, the
//! gaps in which events may be missing, and what it had to drop; and the one reconnect policy
//! they all share.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::Rng;

use crate::backoff::Backoff;

pub use crate::protocol::Gap;

const RECONNECT: Backoff = Backoff::new(Duration::from_millis(500), Duration::from_secs(30));
/// A connection that lived this long resets the backoff.
pub const STABLE_AFTER: Duration = Duration::from_secs(30);

#[derive(Clone, Debug, PartialEq)]
pub enum Phase {
    Connecting {
        attempt: u32,
    },
    /// Reading what a stream still retains before following it.
    Backfilling,
    Live {
        since: DateTime<Utc>,
    },
    Reconnecting {
        attempt: u32,
        at: DateTime<Utc>,
        error: String,
    },
    /// Auth or HTTP refusal: retrying would not help.
    Failed(String),
    Stopped,
}

/// What the header shows about the connection; published on a watch channel.
#[derive(Clone, Debug)]
pub struct ConnState {
    pub phase: Phase,
    pub last_frame_at: Option<DateTime<Utc>>,
    pub gaps: Vec<Gap>,
    /// Frames the consumer was too slow to take.
    pub dropped: u64,
    pub received: u64,
    /// Frames the source skipped as already delivered (the same `event_id` relayed twice).
    pub duplicates: u64,
    /// Gaps ever opened (`gaps` keeps only the newest).
    pub gaps_total: u64,
    /// Times the connection was lost or could not be made and another attempt was scheduled.
    pub reconnects: u64,
    /// A source of several connections (one per workspace): each one's own state, by name
    /// (without its gaps: those are the whole's, named). Empty for one connection.
    pub parts: Vec<(String, ConnState)>,
}

impl Default for ConnState {
    fn default() -> Self {
        ConnState::new()
    }
}

impl ConnState {
    pub fn new() -> ConnState {
        ConnState {
            phase: Phase::Connecting { attempt: 1 },
            last_frame_at: None,
            gaps: Vec::new(),
            dropped: 0,
            duplicates: 0,
            received: 0,
            gaps_total: 0,
            reconnects: 0,
            parts: Vec::new(),
        }
    }
}

/// Gaps a status keeps (the newest); a flapping server cannot grow the list without bound.
pub const MAX_GAPS: usize = 1000;

impl ConnState {
    pub fn add_gap(&mut self, gap: Gap) {
        self.gaps_total += 1;
        if self.gaps.len() == MAX_GAPS {
            self.gaps.remove(0);
        }
        self.gaps.push(gap);
    }

    /// A frame received, counted before it is handed on: a consumer that has taken it in
    /// reads a count that includes it ([`ConnState::counts_from`]). Counting wakes no watcher
    /// (`send_if_modified` returning `false`), so a busy stream does not wake its consumer twice
    /// a frame; a loss does ([`ConnState::lost`]).
    pub fn received(&mut self, at: DateTime<Utc>) {
        self.received += 1;
        self.last_frame_at = Some(at);
    }

    /// Frames the consumer was too slow to take: said at once.
    pub fn lost(&mut self, frames: u64) -> bool {
        self.dropped += frames;
        frames > 0
    }

    /// The frame counts of the source's newer state.
    pub fn counts_from(&mut self, newer: &ConnState) {
        self.received = newer.received;
        self.last_frame_at = newer.last_frame_at;
        self.dropped = newer.dropped;
        self.duplicates = newer.duplicates;
    }

    /// Waiting to try again (after `error`) until `at`.
    pub fn reconnecting(&mut self, attempt: u32, at: DateTime<Utc>, error: String) {
        self.reconnects += 1;
        self.phase = Phase::Reconnecting { attempt, at, error };
    }
}

/// How long a source waits before it tries again ([`crate::backoff`]).
pub fn backoff(attempt: u32, rng: &mut impl Rng) -> Duration {
    RECONNECT.delay(attempt, rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_and_reconnects_are_counted_past_the_gaps_kept() {
        let mut s = ConnState::new();
        for _ in 0..MAX_GAPS + 3 {
            s.add_gap(Gap {
                from: Utc::now(),
                to: None,
                why: "x".into(),
            });
        }
        assert_eq!(
            (s.gaps.len(), s.gaps_total),
            (MAX_GAPS, MAX_GAPS as u64 + 3)
        );
        s.reconnecting(1, Utc::now(), "reset".into());
        s.reconnecting(2, Utc::now(), "reset".into());
        assert_eq!(s.reconnects, 2);
        assert!(matches!(s.phase, Phase::Reconnecting { attempt: 2, .. }));
    }

    #[test]
    fn backoff_is_capped_and_jittered() {
        let mut rng = rand::rng();
        for attempt in 0..40 {
            let d = backoff(attempt, &mut rng);
            assert!(d <= RECONNECT.cap);
        }
        let samples: Vec<Duration> = (0..50).map(|_| backoff(10, &mut rng)).collect();
        assert!(samples.iter().any(|d| *d != samples[0]), "jittered");
    }
}
