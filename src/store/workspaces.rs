//! Failures by workspace: how many each had, how many were lost or told, and its top reason.
//! Bounded: past the limit, workspaces are summed into one bucket (as sessions are).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use super::aggregates::MinuteSeries;
use crate::enrich::{Failure, Heard};

/// Workspaces listed at most.
pub const MAX_WORKSPACES: usize = 1000;

/// One workspace's counts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WorkspaceStats {
    pub failures: u64,
    /// Failures whose chat session was lost: nobody was told.
    pub lost: u64,
    /// Failures whose user heard something (the error, a fixed sentence, the reason, or a
    /// generic text).
    pub told: u64,
    /// Failures nobody in the chat heard of (lost, or silent on every relay).
    pub untold: u64,
    /// By the catalogue's codes (and no code): a bounded set, so the counts add up the same
    /// whatever order parts come in.
    reasons: FxHashMap<Option<Arc<str>>, u64>,
    /// Failures of codes the catalogue does not know.
    unknown_reasons: u64,
    /// The latest failure's time.
    pub last_at: Option<DateTime<Utc>>,
    /// Failures per minute, for the panel's sparkline.
    pub per_minute: MinuteSeries,
}

impl WorkspaceStats {
    fn add(&mut self, f: &Failure) {
        self.failures += 1;
        self.last_at = self.last_at.max(Some(f.at));
        self.per_minute.add(f.at);
        if f.is_dropped() {
            self.lost += 1;
        }
        match f.reason.is_none() || f.reason_known {
            true => *self.reasons.entry(f.reason.clone()).or_default() += 1,
            false => self.unknown_reasons += 1,
        }
    }

    /// What depends on the family and the bindings, in (1) or out (-1).
    fn count_derived(&mut self, f: &Failure, delta: i64) {
        let n = match f.heard() {
            Heard::Yes | Heard::Generic => &mut self.told,
            Heard::No => &mut self.untold,
            Heard::Pending | Heard::NotChat => return,
        };
        *n = n.saturating_add_signed(delta);
    }

    fn absorb(&mut self, later: WorkspaceStats) {
        self.failures += later.failures;
        self.lost += later.lost;
        self.told += later.told;
        self.untold += later.untold;
        self.unknown_reasons += later.unknown_reasons;
        self.last_at = self.last_at.max(later.last_at);
        self.per_minute.absorb(&later.per_minute);
        for (reason, n) in later.reasons {
            *self.reasons.entry(reason).or_default() += n;
        }
    }

    /// The reason with the most failures, and how many: a code, no code (`None`), or codes
    /// the catalogue does not know (`Some("unknown")`); a tie goes to the code first in order.
    pub fn top_reason(&self) -> Option<(Option<&str>, u64)> {
        let known = self
            .reasons
            .iter()
            .max_by(|(a, x), (b, y)| x.cmp(y).then_with(|| b.cmp(a)))
            .map(|(reason, n)| (reason.as_deref(), *n));
        match known {
            Some((_, n)) if n >= self.unknown_reasons => known,
            _ if self.unknown_reasons > 0 => Some((Some("unknown"), self.unknown_reasons)),
            _ => None,
        }
    }
}

/// Failures by the workspace that carried them.
#[derive(Debug)]
pub struct Workspaces {
    by_id: FxHashMap<Arc<str>, WorkspaceStats>,
    /// A part's workspaces in the order first seen: the whole lists them in that order.
    order: Option<Vec<Arc<str>>>,
    limit: usize,
    /// The workspaces past the limit, summed (how many they are is not kept: that would take
    /// the memory the limit bounds).
    pub beyond: WorkspaceStats,
}

impl Workspaces {
    pub fn with_limit(limit: usize) -> Workspaces {
        Workspaces {
            by_id: FxHashMap::default(),
            order: None,
            limit,
            beyond: WorkspaceStats::default(),
        }
    }

    /// Keep the order workspaces are first seen in (a part of a stream).
    pub fn keep_order(&mut self) {
        self.order = Some(Vec::new());
    }

    /// The counts a failure of `workspace` goes to: its own, listed at first sight while there
    /// is room, or the bucket of those past the limit.
    fn stats(&mut self, workspace: &Arc<str>) -> &mut WorkspaceStats {
        if !self.by_id.contains_key(workspace) {
            if self.by_id.len() >= self.limit {
                return &mut self.beyond;
            }
            if let Some(order) = &mut self.order {
                order.push(workspace.clone());
            }
            self.by_id
                .insert(workspace.clone(), WorkspaceStats::default());
        }
        self.by_id.get_mut(workspace).expect("listed above")
    }

    pub fn add(&mut self, f: &Failure) {
        if let Some(w) = &f.workspace {
            self.stats(w).add(f);
        }
    }

    pub fn count_derived(&mut self, f: &Failure, delta: i64) {
        if let Some(w) = &f.workspace {
            match self.by_id.get_mut(w) {
                Some(s) => s.count_derived(f, delta),
                None => self.beyond.count_derived(f, delta),
            }
        }
    }

    /// Take in the workspaces of the failures that came after these: each listed where it
    /// would have been had its failures come one by one.
    pub fn absorb(&mut self, later: Workspaces) {
        let mut rest = later.by_id;
        let order = later
            .order
            .unwrap_or_else(|| rest.keys().cloned().collect());
        for id in order {
            if let Some(stats) = rest.remove(&id) {
                self.stats(&id).absorb(stats);
            }
        }
        self.beyond.absorb(later.beyond);
    }

    /// The listed workspaces, most failures first (then by id).
    pub fn list(&self) -> Vec<(&Arc<str>, &WorkspaceStats)> {
        let mut all: Vec<_> = self.by_id.iter().collect();
        all.sort_by(|(a, x), (b, y)| y.failures.cmp(&x.failures).then_with(|| a.cmp(b)));
        all
    }

    /// The listed workspaces, in no order.
    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &WorkspaceStats)> {
        self.by_id.iter()
    }

    /// One listed workspace's counts.
    pub fn get(&self, id: &str) -> Option<&WorkspaceStats> {
        self.by_id.get(id)
    }

    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Failures came from more than one workspace: the panels say which one each came from.
    pub fn several(&self) -> bool {
        self.by_id.len() > 1
    }

    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty() && self.beyond.failures == 0
    }
}
