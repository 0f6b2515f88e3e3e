//! Two incidents side by side (`failwatch diff BEFORE AFTER`): which reasons and failure groups
//! appeared, vanished, grew or shrank — by count and by rate per hour of each capture's own span,
//! so a one-hour capture and a ten-minute one compare fairly — how routing outcomes moved per
//! relay, and lost notifications before and after.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::capture::format_time;
use crate::catalog::{code_or_none, NO_REASON};
use crate::groups::GroupId;
use crate::ingest::Pipeline;
use crate::routing::Outcome;
use crate::store::Aggregates;

/// A rate that moved by this factor or more, either way, grew or shrank.
pub const CHANGE_FACTOR: f64 = 1.5;
/// Captures shorter than this count as this long (a rate over seconds would be noise).
const MIN_SPAN_MINUTES: f64 = 1.0;

/// One side of the comparison: a capture read whole.
pub struct Side<'a> {
    pub name: &'a str,
    pub pipeline: &'a Pipeline,
    pub agg: &'a Aggregates,
}

impl Side<'_> {
    fn hours(&self) -> f64 {
        let i = &self.pipeline.stats();
        let minutes = match (i.first_at, i.last_at) {
            (Some(a), Some(b)) => (b - a).num_milliseconds() as f64 / 60_000.0,
            _ => 0.0,
        };
        minutes.max(MIN_SPAN_MINUTES) / 60.0
    }
}

#[derive(Serialize)]
pub struct DiffRecord<'a> {
    pub after: CaptureRecord<'a>,
    pub before: CaptureRecord<'a>,
    /// The captures are of different server families: their relays differ, so routing that
    /// moved says as much about the family as about the change.
    pub families_differ: bool,
    /// Groups that changed, appeared first, then by how much their count moved.
    pub groups: Vec<GroupChange<'a>>,
    pub lost: Counts,
    /// By reason code; `none` for failures that carried no reason. A code a side counted past
    /// its limit (see `reasons_beyond`) is missing from that side.
    pub reasons: BTreeMap<&'a str, Change>,
    /// Failures whose reason code is past the limit of codes counted one by one.
    pub reasons_beyond: Counts,
    /// `routing[relay][outcome]`, only where the count moved.
    pub routing: BTreeMap<&'static str, BTreeMap<&'static str, Counts>>,
    /// Failures by workspace (empty when neither capture said which workspace carried them).
    pub workspaces: BTreeMap<&'a str, Change>,
}

#[derive(Serialize)]
pub struct CaptureRecord<'a> {
    pub failures: u64,
    pub file: &'a str,
    pub from: Option<String>,
    pub hours: f64,
    pub lost: u64,
    pub server: &'static str,
    pub to: Option<String>,
}

#[derive(Serialize, Clone, Copy, PartialEq, Eq, Debug)]
pub struct Counts {
    pub after: u64,
    pub before: u64,
}

#[derive(Serialize, Clone, Copy, PartialEq, Eq, Debug)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Appeared,
    Vanished,
    Grew,
    Shrank,
    Same,
}

impl Direction {
    /// The word for people, in `lang`.
    pub fn label(self, lang: crate::catalog::Lang) -> &'static str {
        let s = crate::i18n::strings(lang);
        match self {
            Direction::Appeared => s.d_appeared,
            Direction::Vanished => s.d_vanished,
            Direction::Grew => s.d_grew,
            Direction::Shrank => s.d_shrank,
            Direction::Same => s.d_same,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Direction::Appeared => "appeared",
            Direction::Vanished => "vanished",
            Direction::Grew => "grew",
            Direction::Shrank => "shrank",
            Direction::Same => "same",
        }
    }
}

#[derive(Serialize, Clone, Copy, Debug)]
pub struct Change {
    pub after: u64,
    pub after_per_hour: f64,
    pub before: u64,
    pub before_per_hour: f64,
    pub change: Direction,
}

#[derive(Serialize)]
pub struct GroupChange<'a> {
    pub after: u64,
    pub after_per_hour: f64,
    pub before: u64,
    pub before_per_hour: f64,
    pub change: Direction,
    pub id: String,
    pub reason: Option<&'a str>,
    pub template: &'a str,
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// How a count moved, judged by rate per hour.
pub fn change(before: u64, after: u64, before_hours: f64, after_hours: f64) -> Change {
    let b = before as f64 / before_hours;
    let a = after as f64 / after_hours;
    let change = match (before, after) {
        (0, 0) => Direction::Same,
        (0, _) => Direction::Appeared,
        (_, 0) => Direction::Vanished,
        _ if a >= b * CHANGE_FACTOR => Direction::Grew,
        _ if a * CHANGE_FACTOR <= b => Direction::Shrank,
        _ => Direction::Same,
    };
    Change {
        after,
        after_per_hour: round2(a),
        before,
        before_per_hour: round2(b),
        change,
    }
}

pub fn compare<'a>(before: &Side<'a>, after: &Side<'a>) -> DiffRecord<'a> {
    let (bh, ah) = (before.hours(), after.hours());
    let mut reasons = BTreeMap::new();
    for code in before
        .agg
        .by_reason
        .keys()
        .chain(after.agg.by_reason.keys())
    {
        let count = |agg: &Aggregates| agg.by_reason.get(code).map_or(0, |r| r.count);
        reasons.insert(
            code_or_none(code),
            change(count(before.agg), count(after.agg), bh, ah),
        );
    }
    let mut workspaces = BTreeMap::new();
    for (id, _) in before
        .agg
        .workspaces
        .list()
        .into_iter()
        .chain(after.agg.workspaces.list())
    {
        let count = |agg: &Aggregates| agg.workspaces.get(id).map_or(0, |s| s.failures);
        workspaces.insert(&**id, change(count(before.agg), count(after.agg), bh, ah));
    }
    let mut ids: Vec<GroupId> = before.agg.groups.by_id.keys().copied().collect();
    ids.extend(after.agg.groups.by_id.keys().copied());
    ids.sort();
    ids.dedup();
    let mut groups: Vec<GroupChange> = ids
        .into_iter()
        .filter_map(|id| {
            let b = before.agg.groups.by_id.get(&id);
            let a = after.agg.groups.by_id.get(&id);
            let stats = a.or(b)?;
            let c = change(b.map_or(0, |g| g.count), a.map_or(0, |g| g.count), bh, ah);
            (c.change != Direction::Same).then(|| GroupChange {
                after: c.after,
                after_per_hour: c.after_per_hour,
                before: c.before,
                before_per_hour: c.before_per_hour,
                change: c.change,
                id: id.to_string(),
                reason: Some(&*stats.reason).filter(|r| !r.is_empty()),
                template: &stats.template,
            })
        })
        .collect();
    groups.sort_by(|x, y| {
        (y.change == Direction::Appeared)
            .cmp(&(x.change == Direction::Appeared))
            .then(y.after.abs_diff(y.before).cmp(&x.after.abs_diff(x.before)))
            .then_with(|| x.id.cmp(&y.id))
    });
    let mut routing: BTreeMap<&'static str, BTreeMap<&'static str, Counts>> = BTreeMap::new();
    for relay in crate::routing::Relay::ALL {
        for o in Outcome::ALL {
            let counts = Counts {
                after: after.agg.routing[relay.index()][o.index()],
                before: before.agg.routing[relay.index()][o.index()],
            };
            if counts.after != counts.before {
                routing
                    .entry(relay.name())
                    .or_default()
                    .insert(o.name(), counts);
            }
        }
    }
    DiffRecord {
        after: capture_record(after, ah),
        before: capture_record(before, bh),
        families_differ: before.pipeline.enricher().family().0
            != after.pipeline.enricher().family().0,
        groups,
        lost: Counts {
            after: after.agg.dropped,
            before: before.agg.dropped,
        },
        reasons,
        reasons_beyond: Counts {
            after: after.agg.by_reason.beyond(),
            before: before.agg.by_reason.beyond(),
        },
        routing,
        workspaces,
    }
}

fn capture_record<'a>(side: &Side<'a>, hours: f64) -> CaptureRecord<'a> {
    let i = &side.pipeline.stats();
    CaptureRecord {
        failures: side.agg.failures,
        file: side.name,
        from: i.first_at.map(format_time),
        hours: (hours * 1000.0).round() / 1000.0,
        lost: side.agg.dropped,
        server: side.pipeline.enricher().family().0.name(),
        to: i.last_at.map(format_time),
    }
}

/// The comparison for people: reasons, changed groups, routing that moved and lost
/// notifications, in the language asked.
pub fn diff_table(d: &DiffRecord<'_>, lang: crate::catalog::Lang) -> String {
    let s = crate::i18n::strings(lang);
    let side = |label: &str, c: &CaptureRecord<'_>| {
        format!(
            "{label}: {} — {} {}, {:.2} h, {} {}\n",
            c.file, c.failures, s.t_failures, c.hours, c.lost, s.lost
        )
    };
    let mut out = side(s.d_before, &d.before) + &side(s.d_after, &d.after);
    if d.families_differ {
        out += &format!(
            "{}: {} → {}\n",
            s.d_families_differ, d.before.server, d.after.server
        );
    }
    out.push('\n');
    out += &changes_table(&d.reasons, s.t_reason_code, lang);
    let beyond = d.reasons_beyond;
    if beyond.before + beyond.after > 0 {
        out += &format!(
            "({}: {} → {})\n",
            s.t_reasons_beyond
                .replace("{}", &crate::store::MAX_REASONS.to_string()),
            beyond.before,
            beyond.after
        );
    }
    out.push('\n');
    if !d.workspaces.is_empty() {
        out += &changes_table(&d.workspaces, s.t_workspace, lang);
        out.push('\n');
    }
    let mut rows =
        vec![[s.d_change, s.d_before, s.d_after, s.t_group, s.t_group_kind].map(str::to_owned)];
    for g in &d.groups {
        let template = if g.template.is_empty() {
            s.group_no_text
        } else {
            g.template
        };
        rows.push([
            g.change.label(lang).to_owned(),
            g.before.to_string(),
            g.after.to_string(),
            g.id.clone(),
            format!("{}: {template}", g.reason.unwrap_or(NO_REASON)),
        ]);
    }
    if d.groups.is_empty() {
        out += &format!("{}\n", s.d_no_group_changed);
    } else {
        out += &super::table::table(&rows, &[false, true, true, false, false]);
    }
    out += &format!("\n{}:\n", s.d_routing_moved);
    if d.routing.is_empty() {
        out += "-\n";
    }
    for (relay, outcomes) in &d.routing {
        let moved: Vec<String> = outcomes
            .iter()
            .map(|(o, c)| format!("{o} {} → {}", c.before, c.after))
            .collect();
        out += &format!("{relay:<10} {}\n", moved.join(", "));
    }
    out += &format!("\n{}: {} → {}\n", s.d_lost, d.lost.before, d.lost.after);
    out
}

/// Counts before and after, and their change, one row per name (a reason's code, a workspace).
fn changes_table(
    changes: &BTreeMap<&str, Change>,
    name: &str,
    lang: crate::catalog::Lang,
) -> String {
    let s = crate::i18n::strings(lang);
    let mut rows = vec![[
        s.d_change,
        s.d_before,
        s.d_after,
        s.d_before_h,
        s.d_after_h,
        name,
    ]
    .map(str::to_owned)];
    for (key, c) in changes {
        rows.push([
            c.change.label(lang).to_owned(),
            c.before.to_string(),
            c.after.to_string(),
            format!("{:.2}", c.before_per_hour),
            format!("{:.2}", c.after_per_hour),
            (*key).to_owned(),
        ]);
    }
    super::table::table(&rows, &[false, true, true, true, true, false])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_judged_by_rate_per_hour() {
        assert_eq!(change(0, 3, 1.0, 1.0).change, Direction::Appeared);
        assert_eq!(change(3, 0, 1.0, 1.0).change, Direction::Vanished);
        assert_eq!(change(10, 15, 1.0, 1.0).change, Direction::Grew);
        assert_eq!(change(10, 14, 1.0, 1.0).change, Direction::Same);
        assert_eq!(change(15, 10, 1.0, 1.0).change, Direction::Shrank);
        // The same count over a sixth of the time is six times the rate.
        let c = change(10, 10, 1.0, 1.0 / 6.0);
        assert_eq!((c.change, c.after_per_hour), (Direction::Grew, 60.0));
        assert_eq!(change(0, 0, 1.0, 1.0).change, Direction::Same);
    }
}
