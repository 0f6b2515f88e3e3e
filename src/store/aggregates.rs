//! Counters kept exact over everything seen, whatever the ring has evicted.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use crate::enrich::Failure;
use crate::routing::inbox::AUDIENCE_COUNT;
use crate::routing::{Family, Outcome, Relay, OUTCOME_COUNT, RELAY_COUNT};

/// How many minutes of per-minute history each series keeps (sparklines, rates).
pub const MINUTES_KEPT: usize = 60;

/// The minute (since the epoch) a time falls in.
pub fn minute_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(60)
}

/// Per-minute counts over a sliding window of minutes.
#[derive(Debug, Clone, Default)]
pub struct MinuteSeries {
    /// (minute since epoch, count), oldest first.
    buckets: VecDeque<(i64, u32)>,
}

impl MinuteSeries {
    pub fn add(&mut self, at: DateTime<Utc>) {
        self.add_minute(minute_of(at));
    }

    /// One failure in this minute (since the epoch).
    pub fn add_minute(&mut self, minute: i64) {
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

    /// Take in the series of failures that came after these: the same window one series of all
    /// of them would keep (the newest minutes, each counted whole).
    pub fn absorb(&mut self, later: &MinuteSeries) {
        let mut all: Vec<(i64, u32)> = self.buckets.iter().chain(&later.buckets).copied().collect();
        all.sort_by_key(|&(minute, _)| minute);
        let mut merged: VecDeque<(i64, u32)> = VecDeque::with_capacity(all.len());
        for (minute, n) in all {
            match merged.back_mut() {
                Some((m, count)) if *m == minute => *count = count.saturating_add(n),
                _ => merged.push_back((minute, n)),
            }
        }
        // A minute leaves the window only when newer ones fill it: it never comes back.
        while merged.len() > MINUTES_KEPT {
            merged.pop_front();
        }
        self.buckets = merged;
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

impl ReasonStats {
    /// Take in the counts of failures that came after these.
    fn absorb(&mut self, later: ReasonStats) {
        self.count += later.count;
        self.known = later.known;
        self.first_at = self.first_at.or(later.first_at);
        self.last_at = self.last_at.max(later.last_at);
        self.per_minute.absorb(&later.per_minute);
    }
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

    /// Take in the counts of failures that came after these; each group new to this session is
    /// handed to `new_group` (how the groups count the sessions they affect).
    fn absorb(&mut self, later: SessionStats, mut new_group: impl FnMut(crate::groups::GroupId)) {
        self.failures += later.failures;
        self.detail += later.detail;
        self.canned += later.canned;
        self.reason += later.reason;
        self.generic += later.generic;
        self.untold += later.untold;
        self.dropped += later.dropped;
        self.binding_known += later.binding_known;
        // The later failure wins a tie, as it does one failure at a time.
        if later.last_at.is_some() && later.last_at >= self.last_at {
            self.last_at = later.last_at;
            self.last_reason = later.last_reason;
        }
        for (group, n) in later.groups {
            let mine = self.groups.entry(group).or_default();
            if *mine == 0 && n > 0 {
                new_group(group);
            }
            *mine = mine.saturating_add(n);
        }
    }

    /// Count what derives from the family and the bindings of a failure of this session in (1)
    /// or out (-1); the change in the sessions its group affects (see `count_group`).
    fn count_derived(&mut self, f: &Failure, delta: i64) -> i64 {
        if let Some((best, known)) = f.told_class() {
            self.count(SessionClass::of(best), known, delta);
        }
        self.count_group(f.group.id, delta)
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
#[derive(Debug)]
pub struct Aggregates {
    pub failures: u64,
    pub by_reason: FxHashMap<Arc<str>, ReasonStats>,
    /// `routing[relay][outcome]`, indexed by [`Relay::index`] and [`Outcome::index`].
    pub routing: [[u64; OUTCOME_COUNT]; RELAY_COUNT],
    pub sessions: FxHashMap<Arc<str>, SessionStats>,
    /// Failures whose chat session was lost (counted once per failure, not per relay).
    pub dropped: u64,
    /// Failures WeCom pushed to members' inboxes, by audience (apart from the chat routes).
    pub inbox: [u64; AUDIENCE_COUNT],
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
    /// Distinct minutes `by_minute` keeps.
    max_minutes: usize,
    /// The minutes of `by_minute` in the order they were first seen, for a part of a stream
    /// that is to be absorbed (`None` for a whole one).
    minute_order: Option<Vec<i64>>,
}

impl Default for Aggregates {
    fn default() -> Self {
        Aggregates::with_limits(MAX_MINUTES, super::MAX_GROUPS)
    }
}

/// Distinct minutes the per-minute table keeps (about ten weeks).
pub const MAX_MINUTES: usize = 100_000;

fn bump(slot: &mut u64, delta: i64) {
    *slot = slot.saturating_add_signed(delta);
}

impl Aggregates {
    /// Aggregates keeping at most this many distinct minutes and groups.
    pub fn with_limits(max_minutes: usize, max_groups: usize) -> Aggregates {
        Aggregates {
            failures: 0,
            by_reason: FxHashMap::default(),
            routing: [[0; OUTCOME_COUNT]; RELAY_COUNT],
            sessions: FxHashMap::default(),
            dropped: 0,
            inbox: [0; AUDIENCE_COUNT],
            per_minute: MinuteSeries::default(),
            masked_secrets: 0,
            canned: 0,
            withheld: 0,
            leaking_failures: 0,
            leaked_secrets: 0,
            by_minute: BTreeMap::new(),
            minutes_beyond: 0,
            groups: super::Groups::with_limit(max_groups),
            max_minutes,
            minute_order: None,
        }
    }

    /// Aggregates of one part of a stream, to be [absorbed](Aggregates::absorb) in order into
    /// those of everything before it: nothing is left out for a limit (the whole decides), and
    /// what the limits go by (the order minutes and groups were first seen) is kept.
    pub fn part() -> Aggregates {
        let mut part = Aggregates::with_limits(usize::MAX, usize::MAX);
        part.minute_order = Some(Vec::new());
        part.groups.keep_order();
        part
    }

    /// Take in the aggregates of the failures that came right after these (a [part]): the
    /// result is what adding those failures one by one would have given.
    ///
    /// [part]: Aggregates::part
    pub fn absorb(&mut self, later: Aggregates) {
        self.failures += later.failures;
        for (reason, stats) in later.by_reason {
            match self.by_reason.get_mut(&reason) {
                Some(mine) => mine.absorb(stats),
                None => {
                    self.by_reason.insert(reason, stats);
                }
            }
        }
        for (relay, outcomes) in self.routing.iter_mut().zip(later.routing) {
            for (mine, n) in relay.iter_mut().zip(outcomes) {
                *mine += n;
            }
        }
        self.dropped += later.dropped;
        for (mine, n) in self.inbox.iter_mut().zip(later.inbox) {
            *mine += n;
        }
        self.per_minute.absorb(&later.per_minute);
        self.masked_secrets += later.masked_secrets;
        self.canned += later.canned;
        self.withheld += later.withheld;
        self.leaking_failures += later.leaking_failures;
        self.leaked_secrets += later.leaked_secrets;
        let mut by_minute = later.by_minute;
        let order = later
            .minute_order
            .unwrap_or_else(|| by_minute.keys().copied().collect());
        for minute in order {
            let Some(n) = by_minute.remove(&minute) else {
                continue;
            };
            self.count_minute(minute, n);
        }
        self.minutes_beyond += later.minutes_beyond;
        // Groups first: a session's new groups count only for the groups kept.
        self.groups.absorb(later.groups);
        for (id, stats) in later.sessions {
            let groups = &mut self.groups;
            let mine = self.sessions.entry(id).or_default();
            mine.absorb(stats, |group| groups.count_session(group));
        }
    }

    /// `n` failures in this minute, while the table has room for it.
    fn count_minute(&mut self, minute: i64, n: u64) {
        if let Some(count) = self.by_minute.get_mut(&minute) {
            *count += n;
        } else if self.by_minute.len() < self.max_minutes {
            self.by_minute.insert(minute, n);
            if let Some(order) = &mut self.minute_order {
                order.push(minute);
            }
        } else {
            self.minutes_beyond += n;
        }
    }

    pub fn add(&mut self, f: &Failure) {
        self.failures += 1;
        let minute = minute_of(f.at);
        let r = match self.by_reason.get_mut(f.reason_code()) {
            Some(r) => r,
            None => {
                let reason = f.reason.clone().unwrap_or_else(|| Arc::from(""));
                self.by_reason.entry(reason).or_default()
            }
        };
        r.count += 1;
        r.known = f.reason_known;
        r.first_at.get_or_insert(f.at);
        r.last_at = Some(r.last_at.map_or(f.at, |l| l.max(f.at)));
        r.per_minute.add_minute(minute);
        self.per_minute.add_minute(minute);
        self.count_minute(minute, 1);
        if f.is_dropped() {
            self.dropped += 1;
        }
        let new_session = match &f.session {
            Some(session) => {
                let s = match self.sessions.get_mut(session) {
                    Some(s) => s,
                    None => self.sessions.entry(session.clone()).or_default(),
                };
                s.failures += 1;
                if s.last_at.is_none_or(|l| f.at >= l) {
                    s.last_at = Some(f.at);
                    s.last_reason = f.reason.clone();
                }
                s.count_derived(f, 1)
            }
            None => 0,
        };
        self.count_derived_beyond_sessions(f, 1, new_session);
    }

    /// Add (`delta` 1) or take back (-1) what depends on the family and the bindings.
    pub fn count_derived(&mut self, f: &Failure, delta: i64) {
        let session = f.session.as_ref().and_then(|s| self.sessions.get_mut(s));
        let new_session = session.map_or(0, |s| s.count_derived(f, delta));
        self.count_derived_beyond_sessions(f, delta, new_session);
    }

    /// What depends on the family and the bindings outside the failure's session's counts
    /// (`new_session`: the change in the sessions its group affects).
    fn count_derived_beyond_sessions(&mut self, f: &Failure, delta: i64, new_session: i64) {
        // A text recovered later can move a failure to another group: counted with what derives.
        self.groups.count(f, delta, new_session);
        for r in f.routes.iter() {
            bump(&mut self.routing[r.relay.index()][r.outcome.index()], delta);
        }
        if let Some(n) = f.inbox {
            bump(&mut self.inbox[n.to.index()], delta);
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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    /// Everything the aggregates hold, in a fixed order.
    fn canonical(a: &Aggregates) -> String {
        let mut out = format!(
            "failures {} routing {:?} dropped {} per_minute {:?} masked {} canned {} withheld {} leaking {} {} by_minute {:?} beyond {}\n",
            a.failures, a.routing, a.dropped, a.per_minute.buckets, a.masked_secrets, a.canned,
            a.withheld, a.leaking_failures, a.leaked_secrets, a.by_minute, a.minutes_beyond
        );
        let mut reasons: Vec<_> = a.by_reason.iter().collect();
        reasons.sort_by(|x, y| x.0.cmp(y.0));
        for (k, r) in reasons {
            out += &format!(
                "reason {k} {} {} {:?} {:?} {:?}\n",
                r.count, r.known, r.first_at, r.last_at, r.per_minute.buckets
            );
        }
        let mut sessions: Vec<_> = a.sessions.iter().collect();
        sessions.sort_by(|x, y| x.0.cmp(y.0));
        for (k, s) in sessions {
            let mut groups: Vec<_> = s.groups.iter().filter(|(_, n)| **n > 0).collect();
            groups.sort();
            out += &format!(
                "session {k} {} {} {} {} {} {} {} {} {:?} {:?} {groups:?}\n",
                s.failures,
                s.detail,
                s.canned,
                s.reason,
                s.generic,
                s.untold,
                s.dropped,
                s.binding_known,
                s.last_at,
                s.last_reason
            );
        }
        let mut groups: Vec<_> = a.groups.by_id.iter().collect();
        groups.sort_by(|x, y| x.0.cmp(y.0));
        for (id, g) in groups {
            out += &format!(
                "group {id} {} {} {} {:?} {:?} {:?} {} {:?}\n",
                g.reason,
                g.template,
                g.count,
                g.first_at,
                g.last_at,
                g.returned_at,
                g.sessions(),
                g.per_minute.buckets
            );
        }
        out + &format!("groups beyond {}", a.groups.beyond)
    }

    /// Failures of a few reasons, sessions and texts at the given minutes (a session lost now
    /// and then: a task seen with its session, then failing without it).
    fn failures(shapes: &[(i64, usize, usize, usize)]) -> Vec<Failure> {
        let mut e = crate::enrich::Enricher::default();
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let reasons = [
            "timeout",
            "agent_error.provider_network",
            "",
            "made_up_reason",
        ];
        let errors = [
            "",
            "exit 1",
            "exit 2 after 30s",
            "ghp_4f9Kq2LmN8pR3sT7vW1yZ5aC6dE0fGhIjKl0 leaked",
        ];
        let mut out = Vec::new();
        for (i, &(minute, reason, session, error)) in shapes.iter().enumerate() {
            let at = t0 + chrono::Duration::minutes(minute);
            let session = match session {
                0 => String::new(),
                s => format!(r#","chat_session_id":"s{s}""#),
            };
            if i % 7 == 3 {
                let queued = format!(
                    r#"{{"type":"task:queued","payload":{{"task_id":"t{i}","issue_id":"","chat_session_id":"s9"}}}}"#
                );
                e.ingest(at, &crate::protocol::decode(&queued).unwrap());
            }
            let reason = match reasons[reason] {
                "" => String::new(),
                r => format!(r#","failure_reason":"{r}""#),
            };
            let error = match errors[error] {
                "" => String::new(),
                t => format!(r#","error":"{t}""#),
            };
            let frame = format!(
                r#"{{"type":"task:failed","payload":{{"task_id":"t{i}","agent_id":"a","issue_id":""{session}{reason}{error}}}}}"#
            );
            let u = e
                .ingest(at, &crate::protocol::decode(&frame).unwrap())
                .unwrap();
            out.push(*u.failure);
        }
        out
    }

    proptest! {

        /// Parts of a stream, each counted on its own and absorbed in order, give what counting
        /// the whole one failure at a time gives: with the limits far, and with them reached.
        #[test]
        fn parts_absorbed_in_order_count_as_the_whole(
            steps in prop::collection::vec((prop::sample::select(vec![0i64, 0, 1, 2, 61, 130, -1, -70]), 0..4usize, 0..4usize, 0..4usize), 1..120),
            cuts in prop::collection::vec(0..120usize, 0..6),
            limits in prop::sample::select(vec![(MAX_MINUTES, crate::store::MAX_GROUPS), (3, 2), (1, 1), (6, 4)]),
        ) {
            let mut minute = 0;
            let shapes: Vec<_> = steps
                .iter()
                .map(|&(step, r, s, e)| {
                    minute += step;
                    (minute, r, s, e)
                })
                .collect();
            let all = failures(&shapes);
            let mut whole = Aggregates::with_limits(limits.0, limits.1);
            for f in &all {
                whole.add(f);
            }
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(all.len())).collect();
            cuts.push(0);
            cuts.push(all.len());
            cuts.sort_unstable();
            let mut absorbed = Aggregates::with_limits(limits.0, limits.1);
            for w in cuts.windows(2) {
                let mut part = Aggregates::part();
                for f in &all[w[0]..w[1]] {
                    part.add(f);
                }
                absorbed.absorb(part);
            }
            prop_assert_eq!(canonical(&absorbed), canonical(&whole));
        }
    }
}
