//! Counters kept exact over everything seen, whatever the ring has evicted.

use std::collections::{BTreeMap, VecDeque};

use chrono::{DateTime, Utc};

use super::reasons::{Reasons, MAX_REASONS};
use super::sessions::{Sessions, MAX_SESSIONS};
use crate::enrich::Failure;
use crate::routing::inbox::AUDIENCE_COUNT;
use crate::routing::{Family, Relay, OUTCOME_COUNT, RELAY_COUNT};

/// How many minutes of per-minute history each series keeps (sparklines, rates).
pub const MINUTES_KEPT: usize = 60;

/// The minute (since the epoch) a time falls in.
pub fn minute_of(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(60)
}

/// Per-minute counts over a sliding window of minutes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
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

/// Aggregates over every failure ever added.
#[derive(Debug)]
pub struct Aggregates {
    pub failures: u64,
    /// Failures by reason code: every code of the catalogue, up to [`MAX_REASONS`] others.
    pub by_reason: Reasons,
    /// `routing[relay][outcome]`, indexed by [`Relay::index`] and [`crate::routing::Outcome::index`].
    pub routing: [[u64; OUTCOME_COUNT]; RELAY_COUNT],
    /// Failures by chat session: up to [`MAX_SESSIONS`] sessions, the others' summed.
    pub sessions: Sessions,
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
    /// Of those, the failures nobody was told of, by minute (only minutes `by_minute` keeps).
    pub untold_by_minute: BTreeMap<i64, u64>,
    pub minutes_beyond: u64,
    /// Failures by group (reason and error template).
    pub groups: super::Groups,
    /// Failures by the workspace that carried them (those of captures that did not say: none).
    pub workspaces: super::Workspaces,
    /// Distinct minutes `by_minute` keeps.
    max_minutes: usize,
    /// The minutes of `by_minute` in the order they were first seen, for a part of a stream
    /// that is to be absorbed (`None` for a whole one).
    minute_order: Option<Vec<i64>>,
}

impl Default for Aggregates {
    fn default() -> Self {
        Aggregates::with_limits(Limits::DEFAULT)
    }
}

/// Distinct minutes the per-minute table keeps (about ten weeks).
pub const MAX_MINUTES: usize = 100_000;

/// How many of each kind of key the aggregates count one by one; past these, what is left out
/// is counted and said.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub minutes: usize,
    pub groups: usize,
    pub sessions: usize,
    /// Reason codes not in the catalogue.
    pub reasons: usize,
    pub workspaces: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        minutes: MAX_MINUTES,
        groups: super::MAX_GROUPS,
        sessions: MAX_SESSIONS,
        reasons: MAX_REASONS,
        workspaces: super::workspaces::MAX_WORKSPACES,
    };
    /// A part of a stream: the whole decides what is left out.
    const NONE: Limits = Limits {
        minutes: usize::MAX,
        groups: usize::MAX,
        sessions: usize::MAX,
        reasons: usize::MAX,
        workspaces: usize::MAX,
    };
}

fn bump(slot: &mut u64, delta: i64) {
    *slot = slot.saturating_add_signed(delta);
}

impl Aggregates {
    /// Aggregates keeping at most this many distinct minutes, groups, sessions and reasons.
    pub fn with_limits(limits: Limits) -> Aggregates {
        Aggregates {
            failures: 0,
            by_reason: Reasons::with_limit(limits.reasons),
            routing: [[0; OUTCOME_COUNT]; RELAY_COUNT],
            sessions: Sessions::with_limit(limits.sessions),
            dropped: 0,
            inbox: [0; AUDIENCE_COUNT],
            per_minute: MinuteSeries::default(),
            masked_secrets: 0,
            canned: 0,
            withheld: 0,
            leaking_failures: 0,
            leaked_secrets: 0,
            by_minute: BTreeMap::new(),
            untold_by_minute: BTreeMap::new(),
            minutes_beyond: 0,
            groups: super::Groups::with_limit(limits.groups),
            workspaces: super::Workspaces::with_limit(limits.workspaces),
            max_minutes: limits.minutes,
            minute_order: None,
        }
    }

    /// Aggregates of one part of a stream, to be [absorbed](Aggregates::absorb) in order into
    /// those of everything before it: nothing is left out for a limit (the whole decides), and
    /// what the limits go by (the order minutes, groups, reasons and sessions were first seen,
    /// and where each session first lost a notification) is kept.
    pub fn part() -> Aggregates {
        let mut part = Aggregates::with_limits(Limits::NONE);
        part.minute_order = Some(Vec::new());
        part.groups.keep_order();
        part.by_reason.keep_order();
        part.sessions.keep_turns();
        part.workspaces.keep_order();
        part
    }

    /// Take in the aggregates of the failures that came right after these (a [part]): the
    /// result is what adding those failures one by one would have given.
    ///
    /// [part]: Aggregates::part
    pub fn absorb(&mut self, later: Aggregates) {
        self.failures += later.failures;
        self.by_reason.absorb(later.by_reason);
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
        for (minute, n) in later.untold_by_minute {
            if self.by_minute.contains_key(&minute) {
                *self.untold_by_minute.entry(minute).or_default() += n;
            }
        }
        // Groups first: a session's new groups count only for the groups kept.
        self.groups.absorb(later.groups);
        self.workspaces.absorb(later.workspaces);
        let groups = &mut self.groups;
        self.sessions
            .absorb(later.sessions, |group| groups.count_session(group));
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
        self.by_reason.add(f);
        self.per_minute.add_minute(minute);
        self.count_minute(minute, 1);
        if f.is_dropped() {
            self.dropped += 1;
        }
        let new_session = match &f.session {
            Some(session) => self.sessions.add(f, session),
            None => 0,
        };
        self.workspaces.add(f);
        self.count_derived_beyond_sessions(f, 1, new_session);
    }

    /// Add (`delta` 1) or take back (-1) what depends on the family and the bindings.
    pub fn count_derived(&mut self, f: &Failure, delta: i64) {
        let new_session = match &f.session {
            Some(session) => self.sessions.count_derived(f, session, delta),
            None => 0,
        };
        self.count_derived_beyond_sessions(f, delta, new_session);
    }

    /// What depends on the family and the bindings outside the failure's session's counts
    /// (`new_session`: the change in the sessions its group affects).
    fn count_derived_beyond_sessions(&mut self, f: &Failure, delta: i64, new_session: i64) {
        // A text recovered later can move a failure to another group: counted with what derives.
        self.groups.count(f, delta, new_session);
        self.workspaces.count_derived(f, delta);
        if f.heard().is_untold() {
            let minute = minute_of(f.at);
            if self.by_minute.contains_key(&minute) {
                let n = self.untold_by_minute.entry(minute).or_default();
                bump(n, delta);
                if *n == 0 {
                    self.untold_by_minute.remove(&minute);
                }
            }
        }
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
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

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
            out += &format!(
                "session {k} {} {} {} {} {} {} {} {} {:?} {:?} {:?} since {}\n",
                s.failures,
                s.detail,
                s.canned,
                s.reason,
                s.generic,
                s.untold,
                s.dropped,
                s.binding_known,
                s.last_at,
                s.last_reason,
                s.groups(),
                s.since()
            );
        }
        let b = a.sessions.beyond();
        out += &format!(
            "sessions lost {} beyond {} {} {} {} {} {} {} {}\nreasons beyond {}\n",
            a.sessions.lost(),
            b.failures,
            b.detail,
            b.canned,
            b.reason,
            b.generic,
            b.untold,
            b.dropped,
            b.binding_known,
            a.by_reason.beyond()
        );
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

    /// Failures of a few reasons, sessions and texts at the given minutes: reason 0–1 the
    /// catalogue's, 2 none, 3–7 made up; session 0 none, 1–8 carried, 9–12 lost (a task seen with
    /// session 3–6, then failing without it).
    fn failures(shapes: &[(i64, usize, usize, usize)]) -> Vec<Failure> {
        let mut e = crate::enrich::Enricher::default();
        let t0 = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let reasons = [
            "timeout",
            "agent_error.provider_network",
            "",
            "made_up_reason",
            "made_up_1",
            "made_up_2",
            "made_up_3",
            "made_up_4",
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
                9.. => {
                    let queued = format!(
                        r#"{{"type":"task:queued","payload":{{"task_id":"t{i}","issue_id":"","chat_session_id":"s{}"}}}}"#,
                        session - 6
                    );
                    e.ingest(at, &crate::protocol::decode(&queued).unwrap());
                    String::new()
                }
                s => format!(r#","chat_session_id":"s{s}""#),
            };
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

    /// Small limits, to be reached by a few failures.
    fn limits(minutes: usize, groups: usize, sessions: usize, reasons: usize) -> Limits {
        Limits {
            minutes,
            groups,
            sessions,
            reasons,
            workspaces: crate::store::MAX_WORKSPACES,
        }
    }

    /// One failure like `f`, of this session (lost or not) and reason, numbered `seq`.
    fn like(f: &Failure, seq: u64, session: &str, lost: bool, reason: &str) -> Failure {
        let mut f = f.clone();
        f.seq = seq;
        f.session = Some(Arc::from(session));
        f.session_lost = lost;
        f.reason = Some(Arc::from(reason));
        f.reason_known = crate::catalog::lookup(reason).is_some();
        f
    }

    #[test]
    fn sessions_and_reasons_past_the_limits_are_summed_and_said() {
        let base = failures(&[(0, 0, 1, 1)]).remove(0);
        let mut a = Aggregates::default();
        let (sessions, reasons) = (MAX_SESSIONS + 5_000, MAX_REASONS + 300);
        for i in 0..sessions {
            let reason = if i < reasons {
                format!("made_up_{i}")
            } else {
                "timeout".to_owned()
            };
            a.add(&like(&base, i as u64, &format!("s{i}"), false, &reason));
        }
        assert_eq!(a.failures, sessions as u64, "every failure counted");
        assert_eq!(
            a.sessions.len(),
            MAX_SESSIONS - MAX_SESSIONS / 2,
            "the open part"
        );
        assert_eq!(
            a.sessions.beyond().failures,
            (sessions - a.sessions.len()) as u64
        );
        assert_eq!(
            a.by_reason.len(),
            MAX_REASONS + 1,
            "the made-up ones and timeout"
        );
        assert_eq!(a.by_reason.beyond(), 300);
        assert_eq!(
            a.by_reason.iter().map(|(_, r)| r.count).sum::<u64>() + 300,
            a.failures
        );
        // Sessions that lost a notification still find room, up to the whole limit.
        for i in 0..MAX_SESSIONS {
            a.add(&like(
                &base,
                (sessions + i) as u64,
                &format!("lost{i}"),
                true,
                "timeout",
            ));
        }
        assert_eq!(a.sessions.len(), MAX_SESSIONS);
        assert_eq!(a.sessions.lost(), MAX_SESSIONS / 2);
        assert_eq!(a.dropped, MAX_SESSIONS as u64);
        assert_eq!(a.sessions.beyond().dropped, (MAX_SESSIONS / 2) as u64);
        let listed: u64 = a.sessions.iter().map(|(_, s)| s.failures).sum();
        assert_eq!(listed + a.sessions.beyond().failures, a.failures);
    }

    #[test]
    fn a_session_listed_for_its_lost_notification_counts_from_there() {
        let base = failures(&[(0, 0, 1, 1)]).remove(0);
        let mut a = Aggregates::with_limits(limits(MAX_MINUTES, 10, 4, 10));
        for (seq, (session, lost)) in [
            ("a", false),
            ("b", false),
            ("c", false), // the open half is full: left out
            ("c", true),  // listed now, in the half kept for lost notifications
            ("c", false),
            ("d", true),
            ("e", true), // the table is full
        ]
        .into_iter()
        .enumerate()
        {
            a.add(&like(&base, seq as u64, session, lost, "timeout"));
        }
        assert_eq!(a.sessions.len(), 4);
        assert_eq!(a.sessions["c"].failures, 2);
        assert_eq!(a.sessions["c"].since(), 3);
        assert_eq!(a.sessions.beyond().failures, 2, "c's first, e's");
        assert_eq!(a.sessions.beyond().dropped, 1, "e's");
        assert_eq!(a.sessions.lost(), 2);
        assert_eq!(a.sessions.dropped().len(), 2);
        // A failure counted in the bucket moves there when it is amended, not in c's counts.
        let first_c = like(&base, 2, "c", false, "timeout");
        let amended = like(&base, 2, "c", true, "timeout");
        let c = a.sessions["c"].clone();
        a.count_derived(&first_c, -1);
        a.count_derived(&amended, 1);
        assert_eq!(
            (a.sessions["c"].dropped, a.sessions["c"].told()),
            (c.dropped, c.told())
        );
        assert_eq!(a.sessions.beyond().dropped, 2);
    }

    #[test]
    fn a_storm_read_in_parts_lists_what_one_by_one_lists() {
        let base = failures(&[(0, 0, 1, 1)]).remove(0);
        let storm: Vec<Failure> = (0..400u64)
            .map(|i| {
                let session = format!("s{}", i % 150);
                // Every session seen first told, some of them lost later on.
                let lost = i >= 150 && i % 7 == 0;
                like(&base, i, &session, lost, &format!("r{}", i % 90))
            })
            .collect();
        let limits = limits(MAX_MINUTES, 50, 40, 30);
        let mut whole = Aggregates::with_limits(limits);
        for f in &storm {
            whole.add(f);
        }
        for cut in [1, 37, 100, 399] {
            let mut absorbed = Aggregates::with_limits(limits);
            for chunk in storm.chunks(cut) {
                let mut part = Aggregates::part();
                for f in chunk {
                    part.add(f);
                }
                absorbed.absorb(part);
            }
            assert_eq!(canonical(&absorbed), canonical(&whole), "parts of {cut}");
        }
        assert_eq!(whole.sessions.len(), 40);
        assert!(whole.sessions.beyond().failures > 0 && whole.by_reason.beyond() > 0);
    }

    #[test]
    fn workspaces_past_the_limit_are_summed_the_same_one_by_one_or_in_parts() {
        let base = failures(&[(0, 0, 1, 1)]).remove(0);
        let fleet: Vec<Failure> = (0..200u64)
            .map(|i| {
                let mut f = like(&base, i, &format!("s{}", i % 9), i % 5 == 0, "timeout");
                f.workspace = Some(Arc::from(format!("w{}", (i * 7) % 8)));
                f
            })
            .collect();
        let limits = Limits {
            workspaces: 3,
            ..limits(MAX_MINUTES, 50, 40, 30)
        };
        let shown = |a: &Aggregates| {
            let listed: Vec<(String, u64, u64)> = a
                .workspaces
                .list()
                .into_iter()
                .map(|(w, s)| (w.to_string(), s.failures, s.lost))
                .collect();
            (
                listed,
                a.workspaces.beyond.failures,
                a.workspaces.beyond.lost,
            )
        };
        let mut whole = Aggregates::with_limits(limits);
        fleet.iter().for_each(|f| whole.add(f));
        for cut in [1, 13, 64, 199] {
            let mut absorbed = Aggregates::with_limits(limits);
            for chunk in fleet.chunks(cut) {
                let mut part = Aggregates::part();
                chunk.iter().for_each(|f| part.add(f));
                absorbed.absorb(part);
            }
            assert_eq!(shown(&absorbed), shown(&whole), "parts of {cut}");
        }
        let (listed, beyond, _) = shown(&whole);
        assert_eq!(listed.len(), 3);
        assert_eq!(listed.iter().map(|l| l.1).sum::<u64>() + beyond, 200);
        assert!(beyond > 0);
    }

    proptest! {

        /// Parts of a stream, each counted on its own and absorbed in order, give what counting
        /// the whole one failure at a time gives: with the limits far, and with them reached.
        #[test]
        fn parts_absorbed_in_order_count_as_the_whole(
            steps in prop::collection::vec((prop::sample::select(vec![0i64, 0, 1, 2, 61, 130, -1, -70]), 0..8usize, 0..13usize, 0..4usize), 1..120),
            cuts in prop::collection::vec(0..120usize, 0..6),
            limits in prop::sample::select(vec![
                Limits::DEFAULT,
                limits(3, 2, 3, 2),
                limits(1, 1, 1, 1),
                limits(6, 4, 4, 3),
                limits(MAX_MINUTES, 100, 2, 0),
            ]),
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
            let mut whole = Aggregates::with_limits(limits);
            for f in &all {
                whole.add(f);
            }
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(all.len())).collect();
            cuts.push(0);
            cuts.push(all.len());
            cuts.sort_unstable();
            let mut absorbed = Aggregates::with_limits(limits);
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
