//! Counters kept exact over everything seen, whatever the ring has evicted.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use crate::enrich::Failure;
use crate::routing::{Family, Outcome, Relay, OUTCOME_COUNT, RELAY_COUNT};

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

    /// Take one failure back out (it moved to another group).
    pub fn remove(&mut self, at: DateTime<Utc>) {
        let minute = at.timestamp().div_euclid(60);
        if let Some((_, n)) = self.buckets.iter_mut().rev().find(|(m, _)| *m == minute) {
            *n = n.saturating_sub(1);
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

/// What a chat session's user learned from one failure: the best outcome among the relays it
/// is bound to (or, binding unknown, among all of them).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionClass {
    Detail,
    Canned,
    Reason,
    Generic,
    /// Nothing was sent to the user (silent by design, or bound to no relay that sends).
    Untold,
    Dropped,
}

impl SessionClass {
    pub fn of(best: Outcome) -> SessionClass {
        match best {
            Outcome::NotifiedDetail => SessionClass::Detail,
            Outcome::NotifiedCanned => SessionClass::Canned,
            Outcome::NotifiedReason => SessionClass::Reason,
            Outcome::NotifiedGeneric => SessionClass::Generic,
            Outcome::Silent | Outcome::NotChat => SessionClass::Untold,
            Outcome::Dropped => SessionClass::Dropped,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct SessionStats {
    pub failures: u64,
    pub detail: u64,
    pub canned: u64,
    pub reason: u64,
    pub generic: u64,
    pub untold: u64,
    pub dropped: u64,
    /// Failures whose routes had a known binding (a bindings table names the session). The
    /// others' classes say what the user would have learned if bound.
    pub binding_known: u64,
    pub last_at: Option<DateTime<Utc>>,
    pub last_reason: Option<Arc<str>>,
    /// Failures of each group in this session: how the groups count the sessions they affect
    /// (the session's entry is at hand when a failure is counted; a map per group is not).
    groups: FxHashMap<crate::groups::GroupId, u32>,
}

impl SessionStats {
    /// Count a failure of `group` in (1) or out (-1); +1 when the session is new to the group,
    /// -1 when it no longer has any of its failures, else 0.
    fn count_group(&mut self, group: crate::groups::GroupId, delta: i64) -> i64 {
        let n = self.groups.entry(group).or_default();
        let before = *n;
        *n = n.saturating_add_signed(delta as i32);
        match (before, *n) {
            (0, 1..) => 1,
            (1.., 0) => {
                self.groups.remove(&group);
                -1
            }
            _ => 0,
        }
    }

    fn count(&mut self, class: SessionClass, known: bool, delta: i64) {
        let slot = match class {
            SessionClass::Detail => &mut self.detail,
            SessionClass::Canned => &mut self.canned,
            SessionClass::Reason => &mut self.reason,
            SessionClass::Generic => &mut self.generic,
            SessionClass::Untold => &mut self.untold,
            SessionClass::Dropped => &mut self.dropped,
        };
        *slot = slot.saturating_add_signed(delta);
        if known {
            self.binding_known = self.binding_known.saturating_add_signed(delta);
        }
    }

    /// Does a bindings table name this session?
    pub fn binding_is_known(&self) -> bool {
        self.failures > 0 && self.binding_known == self.failures
    }

    /// Failures whose user was sent something.
    pub fn told(&self) -> u64 {
        self.detail + self.canned + self.reason + self.generic
    }
}

/// Aggregates over every failure ever added.
#[derive(Debug, Default)]
pub struct Aggregates {
    pub failures: u64,
    pub by_reason: FxHashMap<Arc<str>, ReasonStats>,
    /// `routing[relay][outcome]`, indexed by [`Relay::index`] and [`Outcome::index`].
    pub routing: [[u64; OUTCOME_COUNT]; RELAY_COUNT],
    pub sessions: FxHashMap<Arc<str>, SessionStats>,
    /// Failures whose chat session was lost (counted once per failure, not per relay).
    pub dropped: u64,
    pub per_minute: MinuteSeries,
    pub masked_secrets: u64,
    /// Failures whose relays had one of Multica's fixed sentences.
    pub canned: u64,
    /// Failures whose text the server stripped from the wire.
    pub withheld: u64,
    /// Failures that sent a chat user a secret our rules mask, and how many secrets in all.
    pub leaking_failures: u64,
    pub leaked_secrets: u64,
    /// Failures per minute over everything seen (minute since the epoch → count), for the
    /// summary's table; at most [`MAX_MINUTES`] minutes, the rest counted in `minutes_beyond`.
    pub by_minute: BTreeMap<i64, u64>,
    pub minutes_beyond: u64,
    /// Failures by group (reason and error template).
    pub groups: super::Groups,
}

/// Distinct minutes the per-minute table keeps (about ten weeks).
pub const MAX_MINUTES: usize = 100_000;

fn bump(slot: &mut u64, delta: i64) {
    *slot = slot.saturating_add_signed(delta);
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
        let minute = f.at.timestamp().div_euclid(60);
        if self.by_minute.len() < MAX_MINUTES || self.by_minute.contains_key(&minute) {
            *self.by_minute.entry(minute).or_default() += 1;
        } else {
            self.minutes_beyond += 1;
        }
        if f.is_dropped() {
            self.dropped += 1;
        }
        if let Some(session) = &f.session {
            let s = self.sessions.entry(session.clone()).or_default();
            s.failures += 1;
            if s.last_at.is_none_or(|l| f.at >= l) {
                s.last_at = Some(f.at);
                s.last_reason = f.reason.clone();
            }
        }
        self.count_derived(f, 1);
    }

    /// Add (`delta` 1) or take back (-1) what depends on the family and the bindings.
    pub fn count_derived(&mut self, f: &Failure, delta: i64) {
        let session = f.session.as_ref().and_then(|s| self.sessions.get_mut(s));
        let new_session = session.map_or(0, |s| s.count_group(f.group.id, delta));
        // A text recovered later can move a failure to another group: counted with what derives.
        self.groups.count(f, delta, new_session);
        for r in f.routes.iter() {
            bump(&mut self.routing[r.relay.index()][r.outcome.index()], delta);
        }
        bump(&mut self.masked_secrets, delta * i64::from(f.masked()));
        if f.canned() {
            bump(&mut self.canned, delta);
        }
        if f.error_origin() == Some(crate::enrich::ErrorOrigin::Withheld) {
            bump(&mut self.withheld, delta);
        }
        if f.leaked_to_chat > 0 {
            bump(&mut self.leaking_failures, delta);
            bump(
                &mut self.leaked_secrets,
                delta * i64::from(f.leaked_to_chat),
            );
        }
        if let (Some(session), Some((best, known))) = (&f.session, f.told_class()) {
            if let Some(s) = self.sessions.get_mut(session) {
                s.count(SessionClass::of(best), known, delta);
            }
        }
    }

    /// Routing counts of one family's relays, in its order.
    pub fn routing_of(&self, family: Family) -> Vec<(Relay, [u64; OUTCOME_COUNT])> {
        family
            .relays()
            .iter()
            .map(|r| (*r, self.routing[r.index()]))
            .collect()
    }

    /// Reason codes, most frequent first (ties by code).
    pub fn reasons_by_count(&self) -> Vec<(&Arc<str>, &ReasonStats)> {
        let mut v: Vec<_> = self.by_reason.iter().collect();
        v.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0)));
        v
    }

    /// Chat sessions, most urgent first: those that lost notifications, then those never told,
    /// then by failures, then by id.
    pub fn sessions_by_urgency(&self) -> Vec<(&Arc<str>, &SessionStats)> {
        let mut v: Vec<_> = self.sessions.iter().collect();
        v.sort_by(|a, b| {
            b.1.dropped
                .cmp(&a.1.dropped)
                .then(b.1.untold.cmp(&a.1.untold))
                .then(b.1.failures.cmp(&a.1.failures))
                .then(a.0.cmp(b.0))
        });
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
    /// Frames delivered again with an `event_id` seen recently (a restarted node's replay),
    /// counted once.
    pub duplicates: u64,
    /// Error texts too large to keep whole: cut.
    pub texts_cut: u64,
    /// Withheld texts recovered from the REST API.
    pub recovered: u64,
    /// Bare frames with no time of their own: placed after the one before.
    pub synthetic_times: u64,
    /// The earliest and latest event times seen: the span a capture covers.
    pub first_at: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
    /// Windows in which events may be missing, oldest first (the newest [`MAX_GAPS`]).
    pub gaps: Vec<crate::protocol::Gap>,
    /// Gaps older than the kept ones.
    pub gaps_forgotten: u64,
}

/// Distinct event type names kept; the rest are counted under [`OTHER_TYPES`].
pub const MAX_TYPES: usize = 256;
pub const OTHER_TYPES: &str = "(other types)";
/// Gaps kept for display.
pub const MAX_GAPS: usize = 1000;

impl IngestStats {
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// Count a frame of this type; past [`MAX_TYPES`] distinct names a hostile stream cannot
    /// grow the table: new names are counted together.
    pub fn count_type(&mut self, t: &str) {
        if let Some(n) = self.by_type.get_mut(t) {
            *n += 1;
            return;
        }
        let key = if self.by_type.len() < MAX_TYPES {
            t
        } else {
            OTHER_TYPES
        };
        *self.by_type.entry(key.to_owned()).or_default() += 1;
    }

    /// An event happened at `at`: widen the span covered.
    pub fn saw(&mut self, at: DateTime<Utc>) {
        self.first_at = Some(self.first_at.map_or(at, |t| t.min(at)));
        self.last_at = Some(self.last_at.map_or(at, |t| t.max(at)));
    }

    /// A gap opened or closed: a gap with the same start is updated in place.
    pub fn note_gap(&mut self, gap: &crate::protocol::Gap) {
        match self.gaps.iter_mut().rev().find(|g| g.from == gap.from) {
            Some(g) => *g = gap.clone(),
            None => {
                self.gaps.push(gap.clone());
                if self.gaps.len() > MAX_GAPS {
                    self.gaps.remove(0);
                    self.gaps_forgotten += 1;
                }
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
