//! The exported counters: folded from snapshots so that they never go down, with a bounded set
//! of label values.
//!
//! Each fold adds to a counter what its source grew by since the last fold. When a source falls
//! (the pipeline restarted, e.g. a replay seeking back; a reroute or an API answer moving counts
//! from one outcome to another) the counter holds and grows again from the new, lower base: what
//! is ingested again is counted again, as it was processed again, and nothing is ever taken back,
//! so `rate()` and `increase()` stay right without a counter reset.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::snapshot::MetricsSnapshot;
use crate::routing::inbox::AUDIENCE_COUNT;
use crate::routing::{Outcome, Relay, OUTCOME_COUNT, RELAY_COUNT};

/// Distinct label values one labelled counter shows; later ones count under [`OTHER`].
pub const MAX_LABELS: usize = 100;
/// The label value of everything past [`MAX_LABELS`].
pub const OTHER: &str = "other";
/// Label values are cut to this many characters: a long code cannot bloat every scrape.
pub const MAX_LABEL_CHARS: usize = 128;

/// One monotonic counter over a total that may fall.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Monotonic {
    pub total: u64,
    last: u64,
}

impl Monotonic {
    pub fn observe(&mut self, now: u64) {
        self.total = self.total.saturating_add(now.saturating_sub(self.last));
        self.last = now;
    }
}

/// A counter with one label: values known in advance (the catalog's reasons, the known event
/// types) always keep a sample of their own; of the others, the first [`MAX_LABELS`] seen keep
/// theirs for good and the rest share [`OTHER`]. So a flood of junk values arriving first cannot
/// take the real reasons' places.
#[derive(Clone, Debug, Default)]
pub struct Labelled {
    samples: BTreeMap<String, Monotonic>,
    /// Values admitted with a sample of their own (not counting [`OTHER`]).
    admitted: usize,
}

impl Labelled {
    /// Fold the current totals per raw value (each value at most once).
    pub fn observe<'a>(&mut self, current: impl IntoIterator<Item = (&'a str, u64)>) {
        self.observe_reserving(current, |_| false);
    }

    /// As [`Labelled::observe`], with the values `known` keeps apart from the cap.
    pub fn observe_reserving<'a>(
        &mut self,
        current: impl IntoIterator<Item = (&'a str, u64)>,
        known: impl Fn(&str) -> bool,
    ) {
        let mut sums: BTreeMap<String, u64> = BTreeMap::new();
        let mut current: Vec<_> = current.into_iter().collect();
        // Sorted, so which values get a sample of their own does not depend on hash order.
        current.sort_unstable();
        for (raw, n) in current {
            let label = self.label_of(raw, known(raw));
            let sum = sums.entry(label).or_default();
            *sum = sum.saturating_add(n);
        }
        for (label, m) in self.samples.iter_mut() {
            m.observe(sums.remove(label).unwrap_or(0));
        }
        for (label, n) in sums {
            let mut m = Monotonic::default();
            m.observe(n);
            self.samples.insert(label, m);
        }
    }

    fn label_of(&mut self, raw: &str, known: bool) -> String {
        let label = clip(raw);
        if label == OTHER || self.samples.contains_key(&label) {
            return label;
        }
        if known {
            self.samples.insert(label.clone(), Monotonic::default());
            return label;
        }
        if self.admitted < MAX_LABELS {
            self.admitted += 1;
            // Reserved now so that a later value cannot take its place.
            self.samples.insert(label.clone(), Monotonic::default());
            return label;
        }
        OTHER.to_owned()
    }

    /// (label value, total), by label value.
    pub fn samples(&self) -> impl Iterator<Item = (&str, u64)> {
        self.samples.iter().map(|(l, m)| (l.as_str(), m.total))
    }
}

fn clip(s: &str) -> String {
    match s.char_indices().nth(MAX_LABEL_CHARS) {
        Some((i, _)) => s[..i].to_owned(),
        None => s.to_owned(),
    }
}

/// Everything the exposition shows, as of the last fold.
#[derive(Clone, Debug, Default)]
pub struct Totals {
    pub failures: Labelled,
    pub notifications: [[Monotonic; OUTCOME_COUNT]; RELAY_COUNT],
    /// Relays whose series are shown (those of the family in effect, and any ever counted).
    pub relays_shown: [bool; RELAY_COUNT],
    pub lost: Monotonic,
    /// Failures and lost notifications by workspace (capped as every label is).
    pub workspace_failures: Labelled,
    pub workspace_lost: Labelled,
    /// WeCom's inbox pushes, by audience.
    pub inbox: [Monotonic; AUDIENCE_COUNT],
    pub chat_leaks: Monotonic,
    pub frames: Labelled,
    pub rejected: Labelled,
    pub frames_dropped: Monotonic,
    pub duplicates: Monotonic,
    pub gaps: Monotonic,
    pub reconnects: Monotonic,
    pub state: Option<&'static str>,
    pub last_frame_at: Option<DateTime<Utc>>,
}

impl Totals {
    pub fn fold(&mut self, s: &MetricsSnapshot) {
        self.failures.observe_reserving(
            s.failures_by_reason.iter().map(|(r, n)| {
                // A failure without a reason is labelled `none`, as every output names it.
                (crate::catalog::code_or_none(r), *n)
            }),
            |code| code == "none" || crate::catalog::lookup(code).is_some(),
        );
        for relay in Relay::ALL {
            for outcome in Outcome::ALL {
                let (r, o) = (relay.index(), outcome.index());
                self.notifications[r][o].observe(s.routing[r][o]);
                self.relays_shown[r] |= self.notifications[r][o].total > 0;
            }
        }
        for relay in &s.relays {
            self.relays_shown[relay.index()] = true;
        }
        self.lost.observe(s.lost);
        self.workspace_failures
            .observe(s.failures_by_workspace.iter().map(|(w, n)| (&**w, *n)));
        self.workspace_lost
            .observe(s.lost_by_workspace.iter().map(|(w, n)| (&**w, *n)));
        for (m, n) in self.inbox.iter_mut().zip(s.inbox) {
            m.observe(n);
        }
        self.chat_leaks.observe(s.chat_leaks);
        self.frames.observe_reserving(
            s.frames_by_type.iter().map(|(t, n)| (t.as_str(), *n)),
            |t| crate::protocol::KNOWN_TYPES.contains(&t),
        );
        self.rejected.observe(s.rejected.iter().copied());
        self.frames_dropped.observe(s.frames_dropped);
        self.duplicates.observe(s.duplicates);
        self.gaps.observe(s.gaps);
        self.reconnects.observe(s.reconnects);
        self.state = s.state;
        self.last_frame_at = s.last_frame_at;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_total_that_falls_holds_the_counter_which_then_grows_from_the_new_base() {
        let mut m = Monotonic::default();
        for (now, want) in [(5, 5), (7, 7), (0, 7), (3, 10), (3, 10)] {
            m.observe(now);
            assert_eq!(m.total, want);
        }
    }

    #[test]
    fn label_values_past_the_cap_share_other_and_keep_it() {
        let mut l = Labelled::default();
        let codes: Vec<String> = (0..MAX_LABELS + 5).map(|i| format!("r{i:03}")).collect();
        l.observe(codes.iter().map(|c| (c.as_str(), 1)));
        let samples: BTreeMap<_, _> = l.samples().collect();
        assert_eq!(samples.len(), MAX_LABELS + 1);
        assert_eq!(samples["r000"], 1);
        assert_eq!(samples[OTHER], 5, "the five past the cap");
        // A code counted under `other` stays there when it grows.
        l.observe(
            codes
                .iter()
                .map(|c| (c.as_str(), if c == "r104" { 3 } else { 1 })),
        );
        let samples: BTreeMap<_, _> = l.samples().collect();
        assert_eq!(samples[OTHER], 7);
        assert!(!samples.contains_key("r104"));
    }

    #[test]
    fn known_values_keep_their_sample_however_many_junk_values_came_first() {
        let mut l = Labelled::default();
        let junk: Vec<String> = (0..150).map(|i| format!("junk{i:03}")).collect();
        let known = |v: &str| v == "timeout" || v == "runtime_offline";
        let current = || {
            junk.iter()
                .map(|j| (j.as_str(), 1))
                .chain([("timeout", 30), ("runtime_offline", 20)])
        };
        l.observe_reserving(current(), known);
        let samples: BTreeMap<_, _> = l.samples().collect();
        assert_eq!(samples["timeout"], 30);
        assert_eq!(samples["runtime_offline"], 20);
        assert_eq!(samples[OTHER], 50, "junk past the cap");
        assert_eq!(samples.len(), MAX_LABELS + 3);
    }

    #[test]
    fn long_label_values_are_cut() {
        let mut l = Labelled::default();
        let long = "é".repeat(MAX_LABEL_CHARS + 10);
        l.observe([(long.as_str(), 2)]);
        let (label, n) = l.samples().next().unwrap();
        assert_eq!((label.chars().count(), n), (MAX_LABEL_CHARS, 2));
    }
}
