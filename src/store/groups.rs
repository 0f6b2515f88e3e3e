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
    /// Sessions with at least one of its failures.
    sessions: u64,
    pub per_minute: MinuteSeries,
}

impl GroupStats {
    pub fn sessions(&self) -> u64 {
        self.sessions
    }

    pub fn badges(&self, now: DateTime<Utc>) -> Badges {
        let minutes = self
            .per_minute
            .last(ESCALATION.recent_minutes + ESCALATION.baseline_minutes, now);
        groups::badges(now, self.first_at, self.returned_at, &minutes)
    }
}

#[derive(Debug, Default)]
pub struct Groups {
    pub by_id: FxHashMap<GroupId, GroupStats>,
    /// Failures of groups past [`MAX_GROUPS`].
    pub beyond: u64,
}

impl Groups {
    /// Count a failure in its group (`delta` 1), or take it back (-1) when it moves;
    /// `new_session` is the change in the sessions it affects (±1, or 0).
    pub fn count(&mut self, f: &Failure, delta: i64, new_session: i64) {
        let full = self.by_id.len() >= MAX_GROUPS;
        let g = match self.by_id.get_mut(&f.group.id) {
            Some(g) => g,
            None if delta < 0 || full => {
                self.beyond = self.beyond.saturating_add_signed(delta);
                return;
            }
            None => self.by_id.entry(f.group.id).or_insert_with(|| GroupStats {
                reason: f.reason.clone().unwrap_or_else(|| Arc::from("")),
                template: f.group.template.clone(),
                count: 0,
                first_at: f.at,
                last_at: f.at,
                returned_at: None,
                sessions: 0,
                per_minute: MinuteSeries::default(),
            }),
        };
        g.count = g.count.saturating_add_signed(delta);
        if delta > 0 {
            if f.at - g.last_at >= QUIET {
                g.returned_at = Some(f.at);
            }
            g.first_at = g.first_at.min(f.at);
            g.last_at = g.last_at.max(f.at);
            g.per_minute.add(f.at);
        } else {
            g.per_minute.remove(f.at);
        }
        g.sessions = g.sessions.saturating_add_signed(new_session);
    }

    /// Groups, most failures first (ties by id).
    pub fn by_count(&self) -> Vec<(&GroupId, &GroupStats)> {
        let mut v: Vec<_> = self.by_id.iter().filter(|(_, g)| g.count > 0).collect();
        v.sort_by(|a, b| b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0)));
        v
    }
}
