//! The bounded ring of enriched failures, aggregates kept exact over everything ever seen, and the
//! filtered view (updated on append, rebuilt when the filter changes).

pub(crate) mod aggregates;
mod groups;
pub mod rank;
mod reasons;
mod ring;
mod sessions;
mod workspaces;

pub use aggregates::{Aggregates, Limits};
pub use groups::{GroupStats, Groups, MAX_GROUPS};
pub use reasons::{ReasonStats, Reasons, MAX_REASONS};
pub use sessions::{by_urgency, SessionClass, SessionStats, Sessions, MAX_SESSIONS};
pub use workspaces::{WorkspaceStats, Workspaces, MAX_WORKSPACES};

use std::collections::VecDeque;

use chrono::{DateTime, Utc};

use crate::enrich::{Failure, Update};
use crate::filter::Filter;
use crate::routing::{Bindings, Family, FamilySource};

pub const DEFAULT_CAPACITY: usize = 200_000;
/// Stored error texts are bounded in bytes too: a server sending large errors evicts old
/// failures sooner instead of growing memory (each text is already cut at 64 KiB).
pub const MAX_TEXT_BYTES: usize = 256 << 20;

#[derive(Debug)]
pub struct Store {
    ring: ring::Ring<Failure>,
    capacity: usize,
    evicted: u64,
    /// Bytes of error text held by the ring.
    text_bytes: usize,
    /// Failures that matched the filter when they arrived (the view's "new" count).
    matched_total: u64,
    pub agg: Aggregates,
    filter: Filter,
    /// Sequence numbers of stored failures that match the filter, oldest first.
    view: VecDeque<u64>,
    /// With a filter: the aggregates of the failures it shows (those stored when it was set,
    /// and those that matched since), for the panels that follow the filter.
    view_agg: Option<Box<Aggregates>>,
    /// Newest event time seen: anchors `since:` when replaying.
    latest: Option<DateTime<Utc>>,
    /// Where the server's era changed, in arrival order (the first [`MAX_ERA_CHANGES`]).
    era_changes: Vec<EraChange>,
    era: Option<crate::routing::Era>,
    /// Workspace names the REST API gave (by id and by slug): what the panels show for them.
    workspace_names: std::sync::Arc<crate::api::names::WorkspaceNames>,
}

/// Era changes kept: a server changes version a few times in an incident, not thousands.
pub const MAX_ERA_CHANGES: usize = 64;

/// The first failure of a new server era.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EraChange {
    pub at: DateTime<Utc>,
    pub from: crate::routing::Era,
    pub to: crate::routing::Era,
}

impl Store {
    /// A store keeping at most `capacity` failures (0 keeps only aggregates).
    pub fn new(capacity: usize) -> Store {
        Store {
            ring: ring::Ring::default(),
            capacity,
            evicted: 0,
            text_bytes: 0,
            matched_total: 0,
            agg: Aggregates::default(),
            filter: Filter::default(),
            view: VecDeque::new(),
            view_agg: None,
            latest: None,
            era_changes: Vec::new(),
            era: None,
            workspace_names: Default::default(),
        }
    }

    /// The workspace names the REST API gave.
    pub fn set_workspace_names(
        &mut self,
        names: std::sync::Arc<crate::api::names::WorkspaceNames>,
    ) {
        self.workspace_names = names;
    }

    /// The name of the workspace a failure names (by id or slug), when the API gave one.
    pub fn workspace_name(&self, workspace: &str) -> Option<&str> {
        self.workspace_names.name(workspace)
    }

    pub fn apply(&mut self, update: Update) {
        self.push(*update.failure);
    }

    /// Take in the counts of failures that came after everything counted so far (a store that
    /// keeps no failures: [`crate::bulk`]), and when the newest of them happened.
    pub fn absorb(&mut self, counts: Aggregates, latest: Option<DateTime<Utc>>) {
        self.agg.absorb(counts);
        self.latest = self.latest.max(latest);
    }

    /// Change a failure the store does not keep (a headless stream's copy waiting for the REST
    /// API): the counts move with it.
    pub fn amend_uncounted(&mut self, f: &mut Failure, change: impl FnOnce(&mut Failure)) {
        self.agg.count_derived(f, -1);
        change(f);
        self.agg.count_derived(f, 1);
    }

    /// The family in effect changed: route every stored failure again and move its counts.
    /// (Failures already evicted stay counted as first routed.)
    pub fn reroute(&mut self, family: (Family, FamilySource), bindings: &Bindings) {
        for f in self.ring.iter_mut() {
            self.agg.count_derived(f, -1);
            f.derive(family, bindings);
            self.agg.count_derived(f, 1);
        }
        self.rebuild_view();
    }

    fn push(&mut self, f: Failure) {
        if let Some(from) = self.era.filter(|e| *e != f.era) {
            if self.era_changes.len() < MAX_ERA_CHANGES {
                self.era_changes.push(EraChange {
                    at: f.at,
                    from,
                    to: f.era,
                });
            }
        }
        self.era = Some(f.era);
        self.agg.add(&f);
        self.latest = Some(self.latest.map_or(f.at, |l| l.max(f.at)));
        if self.capacity == 0 {
            return;
        }
        let bytes = f.text_bytes();
        while self.ring.len() >= self.capacity
            || (!self.ring.is_empty() && self.text_bytes + bytes > MAX_TEXT_BYTES)
        {
            self.evict_oldest();
        }
        if self.filter.matches(&f, self.now()) {
            self.view.push_back(f.seq);
            self.matched_total += 1;
            if let Some(agg) = &mut self.view_agg {
                agg.add(&f);
            }
        }
        self.text_bytes += bytes;
        self.ring.push_back(f);
    }

    /// Change a stored failure in place (an answer from the REST API): its counts, its bytes
    /// and its place in the view follow. The failure as it is now; `None` once evicted.
    pub fn amend(&mut self, seq: u64, change: impl FnOnce(&mut Failure)) -> Option<&Failure> {
        let i = self.index_of(seq)?;
        let now = self.now();
        let f = self.ring.get_mut(i)?;
        let bytes = f.text_bytes();
        let was_shown = self.view.binary_search(&seq).is_ok();
        self.agg.count_derived(f, -1);
        if let (true, Some(agg)) = (was_shown, &mut self.view_agg) {
            agg.count_derived(f, -1);
        }
        change(f);
        self.agg.count_derived(f, 1);
        self.text_bytes = self.text_bytes - bytes + f.text_bytes();
        if !self.filter.is_empty() {
            // Only this failure may have moved in or out of the view.
            let shown = self.filter.matches(f, now);
            match (self.view.binary_search(&seq), shown) {
                (Ok(at), false) => {
                    self.view.remove(at);
                    self.recount_view();
                }
                (Err(at), true) => {
                    self.view.insert(at, seq);
                    self.recount_view();
                }
                _ => {
                    if let (true, Some(agg)) = (shown, &mut self.view_agg) {
                        agg.count_derived(f, 1);
                    }
                }
            }
        }
        self.ring.get(i)
    }

    /// Failures that matched the filter when they arrived, since it was set.
    pub fn matched_total(&self) -> u64 {
        self.matched_total
    }

    fn evict_oldest(&mut self) {
        if let Some(old) = self.ring.pop_front() {
            self.evicted += 1;
            self.text_bytes -= old.text_bytes();
            while self.view.front().is_some_and(|&s| s <= old.seq) {
                self.view.pop_front();
            }
        }
    }

    fn index_of(&self, seq: u64) -> Option<usize> {
        let first = self.ring.front()?.seq;
        let i = usize::try_from(seq.checked_sub(first)?).ok()?;
        (i < self.ring.len()).then_some(i)
    }

    pub fn get(&self, seq: u64) -> Option<&Failure> {
        self.ring.get(self.index_of(seq)?)
    }

    /// The time `since:` is measured from: the newest event seen, or the clock if none.
    pub fn now(&self) -> DateTime<Utc> {
        self.latest.unwrap_or_else(Utc::now)
    }

    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// Replace the filter and rebuild the view over every stored failure.
    pub fn set_filter(&mut self, filter: Filter) {
        self.filter = filter;
        self.rebuild_view();
        self.matched_total = self.view.len() as u64;
    }

    /// Re-evaluate the view (needed when `since:` windows move), counting what it shows in the
    /// same pass.
    pub fn rebuild_view(&mut self) {
        let now = self.now();
        let filter = &self.filter;
        if filter.is_empty() {
            self.view = self.ring.iter().map(|f| f.seq).collect();
            self.view_agg = None;
            return;
        }
        let mut view = VecDeque::new();
        let mut agg = Box::<Aggregates>::default();
        for f in self.ring.iter().filter(|f| filter.matches(f, now)) {
            view.push_back(f.seq);
            agg.add(f);
        }
        self.view = view;
        self.view_agg = Some(agg);
    }

    /// Count the view's failures again (the filter or the view's members changed).
    fn recount_view(&mut self) {
        self.view_agg = (!self.filter.is_empty()).then(|| {
            let mut agg = Box::<Aggregates>::default();
            for f in self.view.iter().filter_map(|&s| self.get(s)) {
                agg.add(f);
            }
            agg
        });
    }

    /// The aggregates of what the filter shows (the stored failures it matched when it was set,
    /// and those matching since); `None` without a filter.
    pub fn view_agg(&self) -> Option<&Aggregates> {
        self.view_agg.as_deref()
    }

    /// How many stored failures another filter would show (the filter bar's preview).
    pub fn count_matching(&self, filter: &Filter) -> usize {
        let now = self.now();
        self.ring.iter().filter(|f| filter.matches(f, now)).count()
    }

    /// Number of stored failures matching the filter.
    pub fn view_len(&self) -> usize {
        self.view.len()
    }

    /// The `i`-th matching failure, oldest first.
    pub fn view_get(&self, i: usize) -> Option<&Failure> {
        self.get(*self.view.get(i)?)
    }

    /// The first position in the view at or after `at` (the view's length when none is):
    /// failures arrive about in time order, so the view is searched as sorted.
    pub fn view_first_at_or_after(&self, at: DateTime<Utc>) -> usize {
        self.view
            .partition_point(|&s| self.get(s).is_some_and(|f| f.at < at))
    }

    /// Where the server's era changed, as failures arrived.
    pub fn era_changes(&self) -> &[EraChange] {
        &self.era_changes
    }

    /// Whether the filter shows this failure.
    pub fn view_contains(&self, seq: u64) -> bool {
        self.view.binary_search(&seq).is_ok()
    }

    /// Position in the view of a sequence number, or of the nearest later one.
    pub fn view_position(&self, seq: u64) -> usize {
        match self.view.binary_search(&seq) {
            Ok(i) | Err(i) => i,
        }
    }

    /// Matching failures in `range` of the view, oldest first: rendering touches only these.
    pub fn view_range(&self, start: usize, len: usize) -> impl Iterator<Item = &Failure> {
        self.view
            .range(start.min(self.view.len())..(start + len).min(self.view.len()))
            .filter_map(|&s| self.get(s))
    }

    /// Every stored failure, oldest first.
    pub fn iter(&self) -> impl Iterator<Item = &Failure> {
        self.ring.iter()
    }

    /// All matching failures, oldest first (export).
    pub fn view_iter(&self) -> impl Iterator<Item = &Failure> {
        self.view.iter().filter_map(|&s| self.get(s))
    }

    pub fn stored(&self) -> usize {
        self.ring.len()
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    pub fn evicted(&self) -> u64 {
        self.evicted
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::enrich::Enricher;
    use crate::protocol::decode;

    fn feed(store: &mut Store, e: &mut Enricher, n: usize) {
        for i in 0..n {
            let line = format!(
                r#"{{"type":"task:failed","payload":{{"task_id":"t{i}","chat_session_id":"s{}","failure_reason":"{}","retry_pending":false,"error":"e{i}"}}}}"#,
                i % 3,
                if i % 2 == 0 {
                    "timeout"
                } else {
                    "agent_error.provider_network"
                }
            );
            let at = DateTime::from_timestamp(1_700_000_000 + i as i64, 0).unwrap();
            if let Some(u) = e.ingest(at, &decode(&line).unwrap()) {
                store.apply(u);
            }
        }
    }

    #[test]
    fn ring_is_bounded_but_aggregates_count_everything() {
        let mut s = Store::new(10);
        feed(&mut s, &mut Enricher::default(), 25);
        assert_eq!(s.stored(), 10);
        assert_eq!(s.evicted(), 15);
        assert_eq!(s.agg.failures, 25);
        assert_eq!(s.agg.by_reason["timeout"].count, 13);
        assert_eq!(s.view_len(), 10);
        assert_eq!(s.view_get(0).unwrap().seq, 15);
        assert!(s.get(14).is_none());
        assert_eq!(s.get(24).unwrap().task_id.as_deref(), Some("t24"));
    }

    #[test]
    fn view_follows_filter_on_append_and_rebuild() {
        let mut s = Store::new(100);
        let mut e = Enricher::default();
        feed(&mut s, &mut e, 6);
        s.set_filter(Filter::parse("reason:timeout").unwrap());
        assert_eq!(s.view_len(), 3);
        feed(&mut s, &mut e, 2);
        assert_eq!(s.view_len(), 4);
        let seqs: Vec<u64> = s.view_iter().map(|f| f.seq).collect();
        assert_eq!(seqs, [0, 2, 4, 6]);
        assert_eq!(
            s.view_range(1, 2).map(|f| f.seq).collect::<Vec<_>>(),
            [2, 4]
        );
        assert_eq!(s.view_position(3), 2);
        s.set_filter(Filter::default());
        assert_eq!(s.view_len(), 8);
    }

    #[test]
    fn eviction_trims_the_view() {
        let mut s = Store::new(4);
        s.set_filter(Filter::parse("reason:timeout").unwrap());
        feed(&mut s, &mut Enricher::default(), 10);
        let seqs: Vec<u64> = s.view_iter().map(|f| f.seq).collect();
        assert_eq!(seqs, [6, 8]);
    }
}
