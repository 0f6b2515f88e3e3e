//! Every alert fired in this dashboard session, announced or held back by its rule's cooldown,
//! with the wall time it came in: a page at night can be read in the morning. Bounded: past
//! [`HISTORY_KEPT`] entries the oldest go, and how many went is counted and said.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use super::Fired;

/// Entries kept; past it the oldest are dropped (and counted).
pub const HISTORY_KEPT: usize = 1_000;

/// One alert as it came in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// What fired (its `at` is event time; its `held` says whether it was announced).
    pub fired: Fired,
    /// When this session received it (the wall clock).
    pub received: DateTime<Utc>,
}

#[derive(Debug)]
pub struct AlertHistory {
    entries: VecDeque<Entry>,
    kept: usize,
    /// Entries dropped, oldest first, to keep at most `kept`.
    dropped: u64,
}

impl Default for AlertHistory {
    fn default() -> AlertHistory {
        AlertHistory::new(HISTORY_KEPT)
    }
}

impl AlertHistory {
    /// A history of at most `kept` entries (at least one).
    pub fn new(kept: usize) -> AlertHistory {
        AlertHistory {
            entries: VecDeque::new(),
            kept: kept.max(1),
            dropped: 0,
        }
    }

    /// An alert received at `received` (wall clock); the oldest goes when the list is full.
    pub fn record(&mut self, fired: Fired, received: DateTime<Utc>) {
        if self.entries.len() >= self.kept {
            self.entries.pop_front();
            self.dropped += 1;
        }
        self.entries.push_back(Entry { fired, received });
    }

    /// Alerts that never reached the list (lost before it, say a flood between two looks):
    /// counted with the dropped.
    pub fn lost(&mut self, n: u64) {
        self.dropped = self.dropped.saturating_add(n);
    }

    /// The entries, newest first.
    pub fn newest_first(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().rev()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Of the entries kept, how many their cooldown held back.
    pub fn held(&self) -> usize {
        self.entries.iter().filter(|e| e.fired.held).count()
    }

    /// How many older entries are not kept.
    pub fn dropped(&self) -> u64 {
        self.dropped
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::alerts::Why;

    fn fired(n: i64, held: bool) -> Fired {
        Fired {
            rule: format!("r{n}"),
            at: DateTime::from_timestamp(1_790_000_000 + n, 0).unwrap(),
            why: Why::Lost,
            failure: "timeout (task t)".into(),
            subject: Default::default(),
            cooldown: Some(chrono::Duration::minutes(15)),
            held,
            held_back: 0,
        }
    }

    #[test]
    fn the_newest_come_first_and_past_the_bound_the_oldest_go_counted() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let mut h = AlertHistory::new(3);
        assert!(h.is_empty());
        for n in 0..5 {
            h.record(fired(n, n % 2 == 1), now);
        }
        let rules: Vec<&str> = h.newest_first().map(|e| e.fired.rule.as_str()).collect();
        assert_eq!(rules, ["r4", "r3", "r2"]);
        assert_eq!((h.len(), h.dropped(), h.held()), (3, 2, 1));
        h.lost(7);
        assert_eq!(
            h.dropped(),
            9,
            "alerts lost before the list count as dropped"
        );
        assert_eq!(AlertHistory::new(0).kept, 1);
        assert_eq!(AlertHistory::default().kept, HISTORY_KEPT);
    }
}
