//! Per reason code counts, for every code of the catalogue and a bounded number of others: the
//! failures of unknown codes past the limit are counted in [`Reasons::beyond`], so totals stay
//! exact and only the breakdown by code is cut.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use super::aggregates::{minute_of, MinuteSeries};
use crate::enrich::Failure;

/// Memory the reasons not in the catalogue may take …
pub const REASONS_BUDGET_BYTES: usize = 13_000_000;
/// … and what one costs at most: its code (at most 128 characters), its counts, an hour of
/// per-minute counts and its slot in the table.
pub const REASON_ENTRY_BYTES: usize = 1_300;
/// Reason codes not in the catalogue listed one by one (10,000). The catalogue's own codes and
/// "no reason" are always listed: there are few of them.
pub const MAX_REASONS: usize = REASONS_BUDGET_BYTES / REASON_ENTRY_BYTES;

#[derive(Debug, Clone, Default)]
pub struct ReasonStats {
    pub count: u64,
    pub known: bool,
    pub first_at: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
    pub per_minute: MinuteSeries,
}

impl ReasonStats {
    fn add(&mut self, f: &Failure) {
        self.count += 1;
        self.known = f.reason_known;
        self.first_at.get_or_insert(f.at);
        self.last_at = Some(self.last_at.map_or(f.at, |l| l.max(f.at)));
        self.per_minute.add_minute(minute_of(f.at));
    }

    /// Take in the counts of failures that came after these.
    fn absorb(&mut self, later: ReasonStats) {
        self.count += later.count;
        self.known = later.known;
        self.first_at = self.first_at.or(later.first_at);
        self.last_at = self.last_at.max(later.last_at);
        self.per_minute.absorb(&later.per_minute);
    }
}

/// The reason codes of every failure counted.
#[derive(Debug)]
pub struct Reasons {
    by_code: FxHashMap<Arc<str>, ReasonStats>,
    /// Failures whose code is past the limit (never a catalogue's code).
    beyond: u64,
    /// Codes not in the catalogue listed at most, and listed now.
    limit: usize,
    unknown: usize,
    /// The codes in the order they were first seen, for a part of a stream to be absorbed.
    order: Option<Vec<Arc<str>>>,
}

impl Default for Reasons {
    fn default() -> Self {
        Reasons::with_limit(MAX_REASONS)
    }
}

impl std::ops::Index<&str> for Reasons {
    type Output = ReasonStats;
    fn index(&self, code: &str) -> &ReasonStats {
        &self.by_code[code]
    }
}

impl Reasons {
    /// Every code of the catalogue, and up to `limit` others.
    pub fn with_limit(limit: usize) -> Reasons {
        Reasons {
            by_code: FxHashMap::default(),
            beyond: 0,
            limit,
            unknown: 0,
            order: None,
        }
    }

    /// Keep the order codes are first seen in (a part of a stream, to be absorbed).
    pub(super) fn keep_order(&mut self) {
        self.order = Some(Vec::new());
    }

    /// May a code not listed yet be listed? (Whether a code is the catalogue's is the code's
    /// own: the answer never changes for a code but by the table filling.)
    fn room(&self, code: &str, known: bool) -> bool {
        known || code.is_empty() || self.unknown < self.limit
    }

    fn list(&mut self, code: Arc<str>, stats: ReasonStats) -> &mut ReasonStats {
        if !(stats.known || code.is_empty()) {
            self.unknown += 1;
        }
        if let Some(order) = &mut self.order {
            order.push(code.clone());
        }
        self.by_code.entry(code).or_insert(stats)
    }

    pub(super) fn add(&mut self, f: &Failure) {
        let code = f.reason_code();
        if let Some(r) = self.by_code.get_mut(code) {
            r.add(f);
        } else if self.room(code, f.reason_known) {
            let code = f.reason.clone().unwrap_or_else(|| Arc::from(""));
            let known = f.reason_known;
            let stats = ReasonStats {
                known,
                ..ReasonStats::default()
            };
            self.list(code, stats).add(f);
        } else {
            self.beyond += 1;
        }
    }

    /// Take in the codes of the failures that came after these, in the order they were first
    /// seen there: a code new here is listed if there is room, as it would have been when it came.
    pub(super) fn absorb(&mut self, later: Reasons) {
        let mut by_code = later.by_code;
        let order = later
            .order
            .unwrap_or_else(|| by_code.keys().cloned().collect());
        for code in order {
            let Some(stats) = by_code.remove(&code) else {
                continue;
            };
            if let Some(mine) = self.by_code.get_mut(&code) {
                mine.absorb(stats);
            } else if self.room(&code, stats.known) {
                self.list(code, stats);
            } else {
                self.beyond += stats.count;
            }
        }
        self.beyond += later.beyond;
    }

    /// Failures whose code is not listed.
    pub fn beyond(&self) -> u64 {
        self.beyond
    }

    /// Codes not in the catalogue listed at most.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// Listed codes.
    pub fn len(&self) -> usize {
        self.by_code.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_code.is_empty()
    }

    pub fn get(&self, code: &str) -> Option<&ReasonStats> {
        self.by_code.get(code)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &ReasonStats)> {
        self.by_code.iter()
    }

    pub fn keys(&self) -> impl Iterator<Item = &Arc<str>> {
        self.by_code.keys()
    }

    /// Listed codes, most frequent first (ties by code).
    pub fn by_count(&self) -> Vec<(&Arc<str>, &ReasonStats)> {
        let mut v: Vec<_> = self.by_code.iter().collect();
        v.sort_by(by_count);
        v
    }

    /// The listed codes ranked `start..start + len` by count, found without sorting the others.
    pub fn ranked(&self, start: usize, len: usize) -> Vec<(&Arc<str>, &ReasonStats)> {
        super::rank::window(self.by_code.iter().collect(), start, len, by_count)
    }

    /// The listed code at this rank by count.
    pub fn at(&self, rank: usize) -> Option<(&Arc<str>, &ReasonStats)> {
        self.ranked(rank, 1).pop()
    }

    /// Listed codes not in the catalogue, sorted.
    pub fn unknown(&self) -> Vec<&Arc<str>> {
        let mut v: Vec<_> = self
            .by_code
            .iter()
            .filter(|(code, s)| !s.known && !code.is_empty())
            .map(|(k, _)| k)
            .collect();
        v.sort();
        v
    }
}

/// Most failures first, then by code.
fn by_count(a: &(&Arc<str>, &ReasonStats), b: &(&Arc<str>, &ReasonStats)) -> std::cmp::Ordering {
    b.1.count.cmp(&a.1.count).then_with(|| a.0.cmp(b.0))
}
