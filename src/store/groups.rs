//! Per-group counts over every failure ever added: how many, which sessions, when first and
//! last seen, when it came back after a quiet period, and the last hour minute by minute.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use super::aggregates::MinuteSeries;
use crate::enrich::Failure;
use crate::groups::{self, Badges, GroupId, ESCALATION, QUIET};

/// Distinct groups counted one by one; past this, failures of new groups are only counted in
/// [`Groups::beyond`] (a hostile stream of ever-different texts cannot grow memory).
pub const MAX_GROUPS: usize = 10_000;

#[derive(Debug, Clone)]
pub struct GroupStats {
    pub reason: Arc<str>,
    pub template: Arc<str>,
    pub count: u64,
    pub first_at: DateTime<Utc>,
    pub last_at: DateTime<Utc>,
    /// The last failure that came after [`QUIET`] or more of silence.
    pub returned_at: Option<DateTime<Utc>>,
    /// The last failure that may have come after a silence, as far as these counts saw: the
    /// first one, or one after [`QUIET`] of their silence (what absorbing them decides by).
    rise: Rise,
    /// Sessions with at least one of its failures.
    sessions: u64,
    /// Workspaces one of its failures came from (the first [`WORKSPACES_NAMED`]; `more`: others
    /// too): one provider key failing everywhere is one group across the deployment.
    workspaces: std::collections::BTreeSet<Arc<str>>,
    more_workspaces: bool,
    pub per_minute: MinuteSeries,
}

/// Workspaces a group names at most: past it, "N or more".
pub const WORKSPACES_NAMED: usize = 64;

/// A failure that came after `after` (`None`: after nothing these counts saw).
#[derive(Debug, Clone, Copy)]
struct Rise {
    at: DateTime<Utc>,
    after: Option<DateTime<Utc>>,
}

impl GroupStats {
    /// Take in the counts of failures that came after these. Of the later failures, only the last
    /// that rose after a silence of its own counts can have returned after one of all: rises come
    /// ever later, each at least a quiet period after everything before it.
    fn absorb(&mut self, later: GroupStats) {
        let before = later
            .rise
            .after
            .map_or(self.last_at, |a| a.max(self.last_at));
        if later.rise.at - before >= QUIET {
            self.returned_at = Some(later.rise.at);
        }
        self.rise = Rise {
            at: later.rise.at,
            after: Some(before),
        };
        self.count += later.count;
        self.first_at = self.first_at.min(later.first_at);
        self.last_at = self.last_at.max(later.last_at);
        self.per_minute.absorb(&later.per_minute);
        self.more_workspaces |= later.more_workspaces;
        for w in later.workspaces {
            self.saw_workspace(w);
        }
    }

    /// A workspace one of its failures came from. Which are kept past the bound depends on
    /// order, how many there are (capped) does not.
    fn saw_workspace(&mut self, workspace: Arc<str>) {
        if self.workspaces.len() < WORKSPACES_NAMED || self.workspaces.contains(&workspace) {
            self.workspaces.insert(workspace);
        } else {
            self.more_workspaces = true;
        }
    }

    pub fn sessions(&self) -> u64 {
        self.sessions
    }

    /// How many workspaces its failures came from, and whether more than that (past the bound).
    pub fn workspaces(&self) -> (usize, bool) {
        (self.workspaces.len(), self.more_workspaces)
    }

    pub fn badges(&self, now: DateTime<Utc>) -> Badges {
        let minutes = self
            .per_minute
            .last(ESCALATION.recent_minutes + ESCALATION.baseline_minutes, now);
        groups::badges(now, self.first_at, self.returned_at, &minutes)
    }
}

#[derive(Debug)]
pub struct Groups {
    pub by_id: FxHashMap<GroupId, GroupStats>,
    /// Failures of groups past the limit ([`MAX_GROUPS`]).
    pub beyond: u64,
    limit: usize,
    /// The groups in the order they were first seen, for a part of a stream to be absorbed.
    order: Option<Vec<GroupId>>,
}

impl Default for Groups {
    fn default() -> Self {
        Groups::with_limit(MAX_GROUPS)
    }
}

impl Groups {
    /// Groups counted one by one up to `limit` distinct ones.
    pub fn with_limit(limit: usize) -> Groups {
        Groups {
            by_id: FxHashMap::default(),
            beyond: 0,
            limit,
            order: None,
        }
    }

    /// Keep the order groups are first seen in (a part of a stream, to be absorbed).
    pub(super) fn keep_order(&mut self) {
        self.order = Some(Vec::new());
    }

    /// Take in the groups of the failures that came after these, in the order they were first
    /// seen there: a group new here is kept while there is room, as it would have been when it
    /// came. The sessions each affects are counted as the sessions are taken in.
    pub(super) fn absorb(&mut self, later: Groups) {
        let mut by_id = later.by_id;
        let order = later
            .order
            .unwrap_or_else(|| by_id.keys().copied().collect());
        for id in order {
            let Some(mut stats) = by_id.remove(&id) else {
                continue;
            };
            if let Some(mine) = self.by_id.get_mut(&id) {
                mine.absorb(stats);
            } else if self.by_id.len() < self.limit {
                stats.sessions = 0;
                if let Some(order) = &mut self.order {
                    order.push(id);
                }
                self.by_id.insert(id, stats);
            } else {
                self.beyond += stats.count;
            }
        }
        self.beyond += later.beyond;
    }

    /// A session has its first failure of this group.
    pub(super) fn count_session(&mut self, id: GroupId) {
        if let Some(g) = self.by_id.get_mut(&id) {
            g.sessions += 1;
        }
    }

    /// Count a failure in its group (`delta` 1), or take it back (-1) when it moves;
    /// `new_session` is the change in the sessions it affects (±1, or 0).
    pub fn count(&mut self, f: &Failure, delta: i64, new_session: i64) {
        let full = self.by_id.len() >= self.limit;
        let g = match self.by_id.get_mut(&f.group.id) {
            Some(g) => g,
            None if delta < 0 || full => {
                self.beyond = self.beyond.saturating_add_signed(delta);
                return;
            }
            None => {
                if let Some(order) = &mut self.order {
                    order.push(f.group.id);
                }
                self.by_id.entry(f.group.id).or_insert_with(|| GroupStats {
                    reason: f.reason.clone().unwrap_or_else(|| Arc::from("")),
                    template: f.group.template.clone(),
                    count: 0,
                    first_at: f.at,
                    last_at: f.at,
                    returned_at: None,
                    rise: Rise {
                        at: f.at,
                        after: None,
                    },
                    sessions: 0,
                    workspaces: Default::default(),
                    more_workspaces: false,
                    per_minute: MinuteSeries::default(),
                })
            }
        };
        g.count = g.count.saturating_add_signed(delta);
        if delta > 0 {
            if f.at - g.last_at >= QUIET {
                g.returned_at = Some(f.at);
                g.rise = Rise {
                    at: f.at,
                    after: Some(g.last_at),
                };
            }
            g.first_at = g.first_at.min(f.at);
            g.last_at = g.last_at.max(f.at);
            g.per_minute.add_minute(super::aggregates::minute_of(f.at));
            if let Some(w) = &f.workspace {
                g.saw_workspace(w.clone());
            }
        } else {
            g.per_minute.remove(f.at);
        }
        g.sessions = g.sessions.saturating_add_signed(new_session);
    }

    /// Groups with failures counted now (the ones listed).
    pub fn listed(&self) -> impl Iterator<Item = (&GroupId, &GroupStats)> {
        self.by_id.iter().filter(|(_, g)| g.count > 0)
    }

    /// Groups, most failures first (ties by id).
    pub fn by_count(&self) -> Vec<(&GroupId, &GroupStats)> {
        let mut v: Vec<_> = self.by_id.iter().filter(|(_, g)| g.count > 0).collect();
        v.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0)));
        v
    }
}
