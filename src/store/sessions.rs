//! Per chat session counts: what each session's user learned, for a bounded number of sessions.
//! The failures of the sessions past the limit are summed in one bucket ([`Sessions::beyond`]):
//! every total stays exact, only the breakdown by session is cut. The last part of the table
//! is kept for sessions that lost a notification, the ones most worth naming.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use crate::enrich::Failure;
use crate::groups::GroupId;
use crate::routing::Outcome;

/// Memory the session table may take …
pub const SESSIONS_BUDGET_BYTES: usize = 50_000_000;
/// … and what one listed session costs at most: its id (at most 128 characters, a UUID's 36
/// as a rule), its counts, its slot in the table and its few groups.
pub const SESSION_ENTRY_BYTES: usize = 500;
/// Sessions listed one by one (100,000).
pub const MAX_SESSIONS: usize = SESSIONS_BUDGET_BYTES / SESSION_ENTRY_BYTES;

/// What a chat session's user learned from one failure ([`Failure::heard`], the one answer to
/// "was the user told"), with the words when told: the best the relays serving it sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SessionClass {
    Detail,
    Canned,
    Reason,
    Generic,
    /// Told in Multica's own app (bound to no relay, or the turn was typed there).
    App,
    /// A retry is coming: nothing yet.
    Pending,
    /// Nothing was sent to the user: every relay serving the session stayed silent.
    Untold,
    Dropped,
}

impl SessionClass {
    /// The class of one failure of a session, and whether its binding is known.
    pub fn of(f: &Failure) -> (SessionClass, bool) {
        use crate::enrich::Heard;
        let known = f.routes.iter().all(|r| r.bound.is_some());
        let class = match f.heard() {
            Heard::No if f.is_dropped() => SessionClass::Dropped,
            Heard::No | Heard::NotChat => SessionClass::Untold,
            Heard::Pending => SessionClass::Pending,
            Heard::Generic => SessionClass::Generic,
            Heard::Yes => match crate::enrich::serving(f.routes.as_slice())
                .filter(|r| r.outcome.is_notified())
                .map(|r| r.outcome)
                .min()
            {
                Some(Outcome::NotifiedDetail) => SessionClass::Detail,
                Some(Outcome::NotifiedCanned) => SessionClass::Canned,
                Some(Outcome::NotifiedReason) => SessionClass::Reason,
                Some(_) => SessionClass::Generic,
                None => SessionClass::App,
            },
        };
        (class, known)
    }
}

#[derive(Debug, Clone, Default)]
pub struct SessionStats {
    pub failures: u64,
    pub detail: u64,
    pub canned: u64,
    pub reason: u64,
    pub generic: u64,
    /// Told in Multica's own app.
    pub app: u64,
    /// A retry was pending: nothing yet.
    pub pending: u64,
    pub untold: u64,
    pub dropped: u64,
    /// Failures whose routes had a known binding (a bindings table names the session). The
    /// others' classes say what the user would have learned if bound.
    pub binding_known: u64,
    pub last_at: Option<DateTime<Utc>>,
    pub last_reason: Option<Arc<str>>,
    /// The first failure these counts hold (its sequence number): a session listed only when
    /// it lost a notification, with the table full, has its earlier failures in the bucket.
    since: u64,
    /// Failures of each group in this session: how the groups count the sessions they affect
    /// (the session's entry is at hand when a failure is counted; a map per group is not).
    groups: FxHashMap<GroupId, u32>,
}

impl SessionStats {
    /// Count a failure of `group` in (1) or out (-1); +1 when the session is new to the group,
    /// -1 when it no longer has any of its failures, else 0.
    fn count_group(&mut self, group: GroupId, delta: i64) -> i64 {
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
            SessionClass::App => &mut self.app,
            SessionClass::Pending => &mut self.pending,
            SessionClass::Untold => &mut self.untold,
            SessionClass::Dropped => &mut self.dropped,
        };
        *slot = slot.saturating_add_signed(delta);
        if known {
            self.binding_known = self.binding_known.saturating_add_signed(delta);
        }
    }

    /// Count what derives from the family and the bindings of a failure in (1) or out (-1).
    fn count_class(&mut self, f: &Failure, delta: i64) {
        if f.session.is_some() {
            let (class, known) = SessionClass::of(f);
            self.count(class, known, delta);
        }
    }

    /// A failure of this session: its counts, and the change in the sessions its group affects.
    fn add(&mut self, f: &Failure) -> i64 {
        self.failures += 1;
        if self.last_at.is_none_or(|l| f.at >= l) {
            self.last_at = Some(f.at);
            self.last_reason = f.reason.clone();
        }
        self.count_derived(f, 1)
    }

    /// Count what derives from the family and the bindings of a failure of this session in (1)
    /// or out (-1); the change in the sessions its group affects (see `count_group`).
    fn count_derived(&mut self, f: &Failure, delta: i64) -> i64 {
        self.count_class(f, delta);
        self.count_group(f.group.id, delta)
    }

    /// Add the counts of other failures (the bucket of sessions not listed: no groups, no times).
    fn add_counts(&mut self, other: &SessionStats) {
        self.failures += other.failures;
        self.detail += other.detail;
        self.canned += other.canned;
        self.reason += other.reason;
        self.generic += other.generic;
        self.untold += other.untold;
        self.app += other.app;
        self.pending += other.pending;
        self.dropped += other.dropped;
        self.binding_known += other.binding_known;
    }

    /// Take in the counts of failures that came after these; each group new to this session is
    /// handed to `new_group` (how the groups count the sessions they affect).
    fn absorb(&mut self, later: SessionStats, mut new_group: impl FnMut(GroupId)) {
        self.add_counts(&later);
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

    /// Does a bindings table name this session?
    pub fn binding_is_known(&self) -> bool {
        self.failures > 0 && self.binding_known == self.failures
    }

    /// Failures whose user was sent something.
    pub fn told(&self) -> u64 {
        self.detail + self.canned + self.reason + self.generic
    }

    /// The groups of this session's failures, with how many of each (a check's view).
    #[cfg(test)]
    pub(super) fn groups(&self) -> Vec<(GroupId, u32)> {
        let mut v: Vec<_> = self
            .groups
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(g, n)| (*g, *n))
            .collect();
        v.sort();
        v
    }

    /// The sequence number of the first failure these counts hold.
    #[cfg(test)]
    pub(super) fn since(&self) -> u64 {
        self.since
    }
}

/// Where a session of a part could be listed when it is absorbed: at its first failure there,
/// and (when that one did not lose its notification) again at its first one that did.
#[derive(Debug)]
enum Turn {
    First {
        id: Arc<str>,
        seq: u64,
        lost: bool,
    },
    /// The session's counts up to this failure are `before`; its entry holds the rest.
    Lost {
        id: Arc<str>,
        seq: u64,
        before: Box<SessionStats>,
    },
}

/// The chat sessions of every failure counted: up to a limit one by one, the rest summed.
#[derive(Debug)]
pub struct Sessions {
    by_id: FxHashMap<Arc<str>, SessionStats>,
    /// The failures of sessions not listed, summed (no times, no groups).
    beyond: SessionStats,
    /// Sessions listed at most …
    limit: usize,
    /// … of which this many for any session; the rest for a session at a failure that lost its
    /// notification.
    open: usize,
    /// Listed sessions with a lost notification.
    lost: usize,
    /// For a part of a stream to be absorbed: where each session could be listed, in order.
    turns: Option<Vec<Turn>>,
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions::with_limit(MAX_SESSIONS)
    }
}

impl std::ops::Index<&str> for Sessions {
    type Output = SessionStats;
    fn index(&self, id: &str) -> &SessionStats {
        &self.by_id[id]
    }
}

impl Sessions {
    /// At most `limit` sessions listed, the second half of them only for sessions that lost a
    /// notification.
    pub fn with_limit(limit: usize) -> Sessions {
        Sessions {
            by_id: FxHashMap::default(),
            beyond: SessionStats::default(),
            limit,
            open: limit - limit / 2,
            lost: 0,
            turns: None,
        }
    }

    /// Keep where each session could be listed (a part of a stream, to be absorbed).
    pub(super) fn keep_turns(&mut self) {
        self.turns = Some(Vec::new());
    }

    /// Is there room for one more session, at a failure that lost its notification or not?
    fn room(&self, lost: bool) -> bool {
        let n = self.by_id.len();
        n < self.open || (lost && n < self.limit)
    }

    /// Change a listed session's counts, keeping the count of those that lost a notification.
    fn change<T>(
        by_id: &mut FxHashMap<Arc<str>, SessionStats>,
        lost: &mut usize,
        id: &str,
        change: impl FnOnce(&mut SessionStats) -> T,
    ) -> Option<T> {
        let s = by_id.get_mut(id)?;
        let was = s.dropped > 0;
        let out = change(s);
        match (was, s.dropped > 0) {
            (false, true) => *lost += 1,
            (true, false) => *lost -= 1,
            _ => {}
        }
        Some(out)
    }

    /// Count a failure of `session`; the change in the sessions its group affects (0 when the
    /// session is not listed: the groups count listed sessions only).
    pub(super) fn add(&mut self, f: &Failure, session: &Arc<str>) -> i64 {
        let lost = f.is_dropped();
        if let Some(s) = self.by_id.get_mut(&**session) {
            if let Some(turns) = &mut self.turns {
                if lost && s.dropped == 0 {
                    // A part's session may be left out at its first failure and listed here:
                    // what came before is kept apart.
                    let before = std::mem::take(s);
                    s.since = f.seq;
                    turns.push(Turn::Lost {
                        id: session.clone(),
                        seq: f.seq,
                        before: Box::new(before),
                    });
                }
            }
        } else if self.room(lost) {
            self.list(session, f.seq);
            if let Some(turns) = &mut self.turns {
                turns.push(Turn::First {
                    id: session.clone(),
                    seq: f.seq,
                    lost,
                });
            }
        } else {
            self.beyond.failures += 1;
            self.beyond.count_class(f, 1);
            return 0;
        }
        Self::change(&mut self.by_id, &mut self.lost, session, |s| s.add(f)).unwrap_or(0)
    }

    /// Count what derives from the family and the bindings of a failure in (1) or out (-1), where
    /// it was counted; the change in the sessions its group affects.
    pub(super) fn count_derived(&mut self, f: &Failure, session: &str, delta: i64) -> i64 {
        let listed = self.by_id.get(session).is_some_and(|s| f.seq >= s.since);
        if listed {
            Self::change(&mut self.by_id, &mut self.lost, session, |s| {
                s.count_derived(f, delta)
            })
            .unwrap_or(0)
        } else {
            self.beyond.count_class(f, delta);
            0
        }
    }

    /// Take in the sessions of the failures that came after these (a part's, its turns kept): each
    /// is listed where it would have been had its failures come one by one. Each group new to a
    /// listed session is handed to `new_group`. (These are a whole stream's: a part is never
    /// absorbed into another.)
    pub(super) fn absorb(&mut self, later: Sessions, mut new_group: impl FnMut(GroupId)) {
        let mut rest = later.by_id;
        let turns = later.turns.unwrap_or_else(|| {
            // Not a part: each session as if first seen at the first failure it counts.
            let mut turns: Vec<Turn> = rest
                .iter()
                .map(|(id, s)| Turn::First {
                    id: id.clone(),
                    seq: s.since,
                    lost: s.dropped > 0,
                })
                .collect();
            turns.sort_by_key(|t| match t {
                Turn::First { seq, .. } | Turn::Lost { seq, .. } => *seq,
            });
            turns
        });
        // The sessions of `later` that are listed here.
        let mut listed: rustc_hash::FxHashSet<Arc<str>> = Default::default();
        for turn in turns {
            match turn {
                Turn::First { id, seq, lost } => {
                    if self.by_id.contains_key(&id) {
                        listed.insert(id);
                    } else if self.room(lost) {
                        self.list(&id, seq);
                        listed.insert(id);
                    }
                }
                Turn::Lost { id, seq, before } => {
                    if listed.contains(&id) {
                        self.merge(&id, *before, &mut new_group);
                    } else {
                        self.beyond.add_counts(&before);
                        if self.room(true) {
                            self.list(&id, seq);
                            listed.insert(id);
                        }
                    }
                }
            }
        }
        for (id, stats) in rest.drain() {
            if listed.contains(&id) {
                self.merge(&id, stats, &mut new_group);
            } else {
                self.beyond.add_counts(&stats);
            }
        }
        self.beyond.add_counts(&later.beyond);
    }

    /// List a session from the failure numbered `seq` on.
    fn list(&mut self, id: &Arc<str>, seq: u64) {
        self.by_id.insert(
            id.clone(),
            SessionStats {
                since: seq,
                ..SessionStats::default()
            },
        );
    }

    fn merge(&mut self, id: &str, stats: SessionStats, new_group: &mut impl FnMut(GroupId)) {
        Self::change(&mut self.by_id, &mut self.lost, id, |s| {
            s.absorb(stats, &mut *new_group)
        });
    }

    /// Sessions listed at most.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Listed sessions.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// Listed sessions that lost at least one notification.
    pub fn lost(&self) -> usize {
        self.lost
    }

    /// The counts of the failures of sessions not listed, summed (`failures` 0: none).
    pub fn beyond(&self) -> &SessionStats {
        &self.beyond
    }

    pub fn get(&self, id: &str) -> Option<&SessionStats> {
        self.by_id.get(id)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &SessionStats)> {
        self.by_id.iter()
    }

    /// Listed sessions that lost at least one notification, sorted.
    pub fn dropped(&self) -> Vec<&Arc<str>> {
        let mut v: Vec<_> = self
            .by_id
            .iter()
            .filter(|(_, s)| s.dropped > 0)
            .map(|(k, _)| k)
            .collect();
        v.sort();
        v
    }

    /// The listed sessions ranked `start..start + len` by urgency (see [`by_urgency`]), found
    /// without sorting the others.
    pub fn ranked(&self, start: usize, len: usize) -> Vec<(&Arc<str>, &SessionStats)> {
        super::rank::window(self.by_id.iter().collect(), start, len, by_urgency)
    }

    /// The listed session at this rank by urgency.
    pub fn at(&self, rank: usize) -> Option<(&Arc<str>, &SessionStats)> {
        self.ranked(rank, 1).pop()
    }
}

/// Most urgent first: sessions that lost notifications, then those never told, then by failures,
/// then by id.
pub fn by_urgency(
    a: &(&Arc<str>, &SessionStats),
    b: &(&Arc<str>, &SessionStats),
) -> std::cmp::Ordering {
    b.1.dropped
        .cmp(&a.1.dropped)
        .then(b.1.untold.cmp(&a.1.untold))
        .then(b.1.failures.cmp(&a.1.failures))
        .then(a.0.cmp(b.0))
}
