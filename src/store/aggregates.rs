//! Counters kept exact over everything seen, whatever the ring has evicted.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use crate::enrich::Failure;
use crate::routing::{Outcome, Route};

/// How many minutes of per-minute history each series keeps (sparklines, rates).
pub const MINUTES_KEPT: usize = 60;

/// Per-minute counts over a sliding window of minutes.
#[derive(Debug, Clone, Default)]
pub struct MinuteSeries {
    /// (minute since epoch, count), oldest first.
    buckets: VecDeque<(i64, u32)>,
}

impl MinuteSeries {
    pub fn add(&mut self, at: DateTime<Utc>) {
        let minute = at.timestamp().div_euclid(60);
        match self.buckets.iter_mut().rev().find(|(m, _)| *m == minute) {
            Some((_, n)) => *n += 1,
            None => {
                // Captures can be slightly out of order: keep buckets sorted.
                let pos = self.buckets.partition_point(|(m, _)| *m < minute);
                self.buckets.insert(pos, (minute, 1));
                while self.buckets.len() > MINUTES_KEPT {
                    self.buckets.pop_front();
                }
            }
        }
    }

    /// Counts for the `n` minutes ending at `now`'s minute, oldest first (zeros where quiet).
    pub fn last(&self, n: usize, now: DateTime<Utc>) -> Vec<u64> {
        let end = now.timestamp().div_euclid(60);
        let start = end - n as i64 + 1;
        let mut out = vec![0u64; n];
        for &(m, c) in &self.buckets {
            if (start..=end).contains(&m) {
                out[(m - start) as usize] = u64::from(c);
            }
        }
        out
    }
}

#[derive(Debug, Clone, Default)]
pub struct ReasonStats {
    pub count: u64,
    pub known: bool,
    pub first_at: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
    pub per_minute: MinuteSeries,
}

/// What a chat session's user learned from one failure, at best across relays.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionClass {
    Notified,
    Generic,
    Silent,
    Dropped,
}

impl SessionClass {
    pub fn of(best: Outcome) -> Option<SessionClass> {
        Some(match best {
            Outcome::NotifiedDetail | Outcome::NotifiedReason => SessionClass::Notified,
            Outcome::NotifiedGeneric => SessionClass::Generic,
            Outcome::Silent => SessionClass::Silent,
            Outcome::Dropped => SessionClass::Dropped,
            Outcome::NotChat => return None,
        })
    }
}

#[derive(Debug, Clone, Default)]
pub struct SessionStats {
    pub failures: u64,
    pub notified: u64,
    pub generic: u64,
    pub silent: u64,
    pub dropped: u64,
    pub last_at: Option<DateTime<Utc>>,
    pub last_reason: Option<Arc<str>>,
}

impl SessionStats {
    fn count(&mut self, class: SessionClass, delta: i64) {
        let slot = match class {
            SessionClass::Notified => &mut self.notified,
            SessionClass::Generic => &mut self.generic,
            SessionClass::Silent => &mut self.silent,
            SessionClass::Dropped => &mut self.dropped,
        };
        *slot = slot.saturating_add_signed(delta);
    }
}

/// Aggregates over every failure ever added.
#[derive(Debug, Default)]
pub struct Aggregates {
    pub failures: u64,
    pub by_reason: FxHashMap<Arc<str>, ReasonStats>,
    /// `routing[relay][outcome]`, indexed by [`crate::routing::Relay::index`] and [`Outcome::index`].
    pub routing: [[u64; 6]; 3],
    pub sessions: FxHashMap<Arc<str>, SessionStats>,
    /// Failures whose chat session was lost (counted once per failure, not per relay).
    pub dropped: u64,
    pub per_minute: MinuteSeries,
    pub masked_secrets: u64,
}

impl Aggregates {
    pub fn add(&mut self, f: &Failure) {
        self.failures += 1;
        let reason: Arc<str> = f.reason.clone().unwrap_or_else(|| Arc::from(""));
        let r = self.by_reason.entry(reason).or_default();
        r.count += 1;
        r.known = f.reason_known;
        r.first_at.get_or_insert(f.at);
        r.last_at = Some(r.last_at.map_or(f.at, |l| l.max(f.at)));
        r.per_minute.add(f.at);
        self.per_minute.add(f.at);
        self.masked_secrets += u64::from(f.masked);
        if f.is_dropped() {
            self.dropped += 1;
        }
        self.count_routes(&f.routes, 1);
        if let Some(session) = &f.session {
            let s = self.sessions.entry(session.clone()).or_default();
            s.failures += 1;
            if s.last_at.is_none_or(|l| f.at >= l) {
                s.last_at = Some(f.at);
                s.last_reason = f.reason.clone();
            }
            if let Some(class) = SessionClass::of(f.best_outcome()) {
                s.count(class, 1);
            }
        }
    }

    /// A failure's routing changed after its text arrived: move its counts.
    pub fn rejoin(&mut self, f: &Failure, before: &[Route; 3]) {
        self.count_routes(before, -1);
        self.count_routes(&f.routes, 1);
        self.masked_secrets += u64::from(f.masked);
        let best_before = before.iter().map(|r| r.outcome).min();
        if let (Some(session), Some(best_before)) = (&f.session, best_before) {
            if let Some(s) = self.sessions.get_mut(session) {
                if let Some(c) = SessionClass::of(best_before) {
                    s.count(c, -1);
                }
                if let Some(c) = SessionClass::of(f.best_outcome()) {
                    s.count(c, 1);
                }
            }
        }
    }

    fn count_routes(&mut self, routes: &[Route; 3], delta: i64) {
        for r in routes {
            let slot = &mut self.routing[r.relay.index()][r.outcome.index()];
            *slot = slot.saturating_add_signed(delta);
        }
    }

    /// Reason codes, most frequent first (ties by code).
    pub fn reasons_by_count(&self) -> Vec<(&Arc<str>, &ReasonStats)> {
        let mut v: Vec<_> = self.by_reason.iter().collect();
        v.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0)));
        v
    }

    /// Chat sessions that lost at least one notification, sorted.
    pub fn dropped_sessions(&self) -> Vec<&Arc<str>> {
        let mut v: Vec<_> = self
            .sessions
            .iter()
            .filter(|(_, s)| s.dropped > 0)
            .map(|(k, _)| k)
            .collect();
        v.sort();
        v
    }

    /// Reason codes not in the catalog, sorted.
    pub fn unknown_reasons(&self) -> Vec<&Arc<str>> {
        let mut v: Vec<_> = self
            .by_reason
            .iter()
            .filter(|(code, s)| !s.known && !code.is_empty())
            .map(|(k, _)| k)
            .collect();
        v.sort();
        v
    }
}

/// Frame-level counters: what came in, and what was skipped and why.
#[derive(Debug, Default, Clone)]
pub struct IngestStats {
    /// Frames read (decoded or rejected).
    pub frames: u64,
    /// Capture lines that were not a record, header or frame object.
    pub bad_lines: u64,
    pub blank_lines: u64,
    pub by_type: BTreeMap<String, u64>,
    /// Rejected frames by kind.
    pub rejected: BTreeMap<&'static str, u64>,
    /// The most recent problem, as a sentence for the status line.
    pub last_problem: Option<String>,
    /// Frames a source had to drop because the consumer was behind.
    pub source_dropped: u64,
}

impl IngestStats {
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    pub fn count_type(&mut self, t: &str) {
        match self.by_type.get_mut(t) {
            Some(n) => *n += 1,
            None => {
                self.by_type.insert(t.to_owned(), 1);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minute_series_keeps_a_window_and_fills_gaps_with_zero() {
        let mut s = MinuteSeries::default();
        let t = |m: i64| DateTime::from_timestamp(m * 60 + 5, 0).unwrap();
        for m in [0, 0, 2, 1, 5] {
            s.add(t(m));
        }
        assert_eq!(s.last(6, t(5)), [2, 1, 1, 0, 0, 1]);
        for m in 0..200 {
            s.add(t(m));
        }
        assert_eq!(s.buckets.len(), MINUTES_KEPT);
    }
}
