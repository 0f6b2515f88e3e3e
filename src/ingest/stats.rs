//! The stream's own counters, kept by the pipeline: frames in, by type; what was skipped and
//! why (bad lines, rejections, repeats, drops); gaps; paced times; what admitting failures
//! added. Every headless output and the dashboard's header read them from here.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use crate::enrich::Failure;
use crate::protocol::KNOWN_TYPES;
use crate::routing::FamilySource;

/// Frame-level counters: what came in, and what was skipped and why.
#[derive(Debug, Default, Clone)]
pub struct IngestStats {
    /// Frames read (decoded or rejected).
    pub frames: u64,
    /// Capture lines that were not a record, header or frame object.
    pub bad_lines: u64,
    pub blank_lines: u64,
    pub by_type: TypeCounts,
    /// Rejected frames by kind.
    pub rejected: BTreeMap<&'static str, u64>,
    /// The most recent problem, as a sentence for the status line.
    pub last_problem: Option<String>,
    /// Frames a source had to drop because the consumer was behind.
    pub source_dropped: u64,
    /// Frames delivered again with an `event_id` seen recently (a restarted node's replay),
    /// counted once ([`IngestStats::duplicates_total`]).
    pub duplicates: u64,
    /// The same, skipped by the source itself (Redis entries relayed by two nodes).
    pub source_duplicates: u64,
    /// Error texts too large to keep whole: cut.
    pub texts_cut: u64,
    /// Withheld texts recovered from the REST API.
    pub recovered: u64,
    /// Bare frames with no time of their own: placed after the one before.
    pub synthetic_times: u64,
    /// Failures routed while the server family was only assumed (no frame had told it).
    pub assumed_family: u64,
    /// The earliest and latest event times seen: the span a capture covers.
    pub first_at: Option<DateTime<Utc>>,
    pub last_at: Option<DateTime<Utc>>,
    /// Windows in which events may be missing, oldest first (the newest [`MAX_GAPS`]).
    pub gaps: Vec<crate::protocol::Gap>,
    /// Gaps older than the kept ones.
    pub gaps_forgotten: u64,
}

/// What admitting failures adds to the stream's counters: counted one failure at a time by the
/// pipeline, or a chunk at a time on the reader threads, by this one rule.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Admitted {
    pub texts_cut: u64,
    pub assumed_family: u64,
}

impl Admitted {
    pub fn count(&mut self, f: &Failure) {
        self.texts_cut += u64::from(f.text_cut());
        self.assumed_family += u64::from(f.family_source == FamilySource::Assumed);
    }
}

impl IngestStats {
    /// Repeats skipped, wherever they were found.
    pub fn duplicates_total(&self) -> u64 {
        self.duplicates + self.source_duplicates
    }

    /// A failure admitted.
    pub fn count_admitted(&mut self, f: &Failure) {
        let mut one = Admitted::default();
        one.count(f);
        self.absorb_admitted(one);
    }

    /// The failures admitted elsewhere (a chunk's).
    pub fn absorb_admitted(&mut self, a: Admitted) {
        self.texts_cut += a.texts_cut;
        self.assumed_family += a.assumed_family;
    }
}

/// Distinct event type names kept; the rest are counted under [`OTHER_TYPES`].
pub const MAX_TYPES: usize = 256;
pub const OTHER_TYPES: &str = "(other types)";
/// Gaps kept for display.
pub const MAX_GAPS: usize = 1000;

/// Frames by type name: counted one by one as frames come (a known type by its place, any other
/// by a hash of its name, never a walk of a sorted tree), read in name order.
#[derive(Debug, Default, Clone)]
pub struct TypeCounts {
    /// Known types ([`KNOWN_TYPES`]), by their place.
    known: [Known; KNOWN_TYPES.len()],
    others: FxHashMap<Box<str>, u64>,
    /// Names counted on their own (known and other).
    distinct: usize,
}

#[derive(Debug, Default, Clone, Copy)]
enum Known {
    #[default]
    Unseen,
    Counted(u64),
    /// First seen past the limit: counted with the other types.
    Beyond,
}

impl TypeCounts {
    /// Count a frame of this type; past [`MAX_TYPES`] distinct names a hostile stream cannot
    /// grow the table: new names are counted together.
    pub fn count(&mut self, t: &str) {
        match KNOWN_TYPES.iter().position(|k| *k == t) {
            Some(i) => self.count_known(i),
            None => self.count_other(t),
        }
    }

    /// Count a frame of the known type at place `i` of [`KNOWN_TYPES`].
    pub fn count_known(&mut self, i: usize) {
        match &mut self.known[i] {
            Known::Counted(n) => *n += 1,
            Known::Beyond => self.count_other(OTHER_TYPES),
            Known::Unseen if self.distinct < MAX_TYPES => {
                self.known[i] = Known::Counted(1);
                self.distinct += 1;
            }
            Known::Unseen => {
                self.known[i] = Known::Beyond;
                self.count_other(OTHER_TYPES);
            }
        }
    }

    fn count_other(&mut self, t: &str) {
        if let Some(n) = self.others.get_mut(t) {
            *n += 1;
            return;
        }
        let key = if self.distinct < MAX_TYPES {
            t
        } else {
            OTHER_TYPES
        };
        match self.others.get_mut(key) {
            Some(n) => *n += 1,
            None => {
                self.others.insert(key.into(), 1);
                self.distinct += 1;
            }
        }
    }

    pub fn get(&self, t: &str) -> Option<u64> {
        self.sorted().get(t).copied()
    }

    /// Type names and their counts, in name order.
    pub fn sorted(&self) -> BTreeMap<&str, u64> {
        let known = KNOWN_TYPES.iter().zip(&self.known);
        let known = known.filter_map(|(name, k)| match k {
            Known::Counted(n) => Some((*name, *n)),
            _ => None,
        });
        known
            .chain(self.others.iter().map(|(t, n)| (&**t, *n)))
            .collect()
    }

    pub fn total(&self) -> u64 {
        self.sorted().values().sum()
    }
}

impl serde::Serialize for TypeCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.sorted().serialize(s)
    }
}

impl IngestStats {
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// Count a frame of this event's type (see [`TypeCounts::count`]).
    pub fn count_type(&mut self, event: &crate::protocol::Event) {
        match event.known_type() {
            Some(i) => self.by_type.count_known(i),
            None => self.by_type.count(event.type_name()),
        }
    }

    /// An event happened at `at`: widen the span covered.
    pub fn saw(&mut self, at: DateTime<Utc>) {
        self.first_at = Some(self.first_at.map_or(at, |t| t.min(at)));
        self.last_at = Some(self.last_at.map_or(at, |t| t.max(at)));
    }

    /// A gap opened or closed: a gap with the same start is updated in place.
    pub fn note_gap(&mut self, gap: &crate::protocol::Gap) {
        match self.gaps.iter_mut().rev().find(|g| g.from == gap.from) {
            Some(g) => *g = gap.clone(),
            None => {
                self.gaps.push(gap.clone());
                if self.gaps.len() > MAX_GAPS {
                    self.gaps.remove(0);
                    self.gaps_forgotten += 1;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Counting types by place or by name gives what one table of names would, the limit
        /// on names included (a known type first seen past it is counted with the others).
        #[test]
        fn type_counts_are_a_table_of_names(names in prop::collection::vec(0..300usize, 0..1500)) {
            let name = |i: usize| match KNOWN_TYPES.get(i) {
                Some(k) => (*k).to_owned(),
                None => format!("t{i}"),
            };
            let mut table: BTreeMap<String, u64> = BTreeMap::new();
            let mut counts = TypeCounts::default();
            for (n, &i) in names.iter().enumerate() {
                let t = name(i);
                let key = if table.contains_key(&t) || table.len() < MAX_TYPES {
                    t.clone()
                } else {
                    OTHER_TYPES.to_owned()
                };
                *table.entry(key).or_default() += 1;
                match (n % 2, KNOWN_TYPES.iter().position(|k| *k == t)) {
                    (0, Some(k)) => counts.count_known(k),
                    _ => counts.count(&t),
                }
            }
            let got: BTreeMap<String, u64> =
                counts.sorted().into_iter().map(|(t, n)| (t.to_owned(), n)).collect();
            prop_assert_eq!(got, table);
        }
    }
}
