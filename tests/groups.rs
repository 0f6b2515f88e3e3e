//! Failure groups on a scripted stream: one kind of failure appears (new), goes quiet, comes back
//! (regressed), and spikes (escalating); failures that read the same share a group, others do
//! not; `group:<id>` filters to one group. Badge rules are the documented ones: new = first seen
//! within 15 minutes of the newest event, regressed = back within 15 minutes after 60 or more
//! quiet, escalating = at least 5 in the last 5 minutes and 3x the group's rate in the 55 before.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use failwatch::enrich::Enricher;
use failwatch::filter::Filter;
use failwatch::groups::Badges;
use failwatch::ingest::Pipeline;
use failwatch::routing::{Bindings, Family, FamilySource};

/// A fork server: its frames carry the error text, so groups are made of words.
fn pipeline() -> Pipeline {
    let enricher = Enricher::new(
        Some((Family::Octo, FamilySource::Flag)),
        Arc::new(Bindings::default()),
    );
    Pipeline::with_enricher(10_000, enricher)
}

fn t0() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-25T08:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

struct Stream {
    p: Pipeline,
    n: u32,
}

impl Stream {
    fn fail(&mut self, minute: i64, reason: &str, error: &str) {
        self.n += 1;
        let frame = serde_json::json!({
            "type": "task:failed",
            "payload": {
                "task_id": format!("00000000-0000-4000-8000-{:012x}", self.n),
                "chat_session_id": format!("5e550000-0000-4000-8000-{:012x}", self.n % 3),
                "issue_id": "",
                "status": "failed",
                "failure_reason": reason,
                "error": error,
            }
        });
        self.p
            .push_frame(t0() + Duration::minutes(minute), &frame.to_string(), |_| {});
    }

    /// The badges of the group this error falls in, as of the newest event.
    fn badges(&self, reason: &str, error: &str) -> Badges {
        let id = failwatch::groups::Group::of(reason, Some(error)).id;
        let g = &self.p.store().agg.groups.by_id[&id];
        g.badges(self.p.store().now())
    }

    fn groups(&self) -> usize {
        self.p.store().agg.groups.by_id.len()
    }
}

const CRASH: &str =
    "claude exited with status 1: open /home/[REDACTED]/repo/.git/index.lock: file exists";
const CRASH_2: &str =
    "claude exited with status 128: open /srv/work/x/.git/index.lock: file exists";
const QUOTA: &str = "402 insufficient_balance: credit balance is too low";

#[test]
fn a_group_appears_goes_quiet_returns_and_spikes() {
    let mut s = Stream {
        p: pipeline(),
        n: 0,
    };
    s.fail(0, "agent_error", CRASH);
    s.fail(1, "agent_error", CRASH_2);
    assert_eq!(
        s.groups(),
        1,
        "same error but its variable parts: one group"
    );
    let b = s.badges("agent_error", CRASH);
    assert!(b.new && !b.regressed && !b.escalating, "{b:?}");

    // Another kind keeps failing; ours goes quiet and stops being new.
    for m in (5..70).step_by(5) {
        s.fail(m, "agent_error.provider_quota_limit", QUOTA);
    }
    let b = s.badges("agent_error", CRASH);
    assert_eq!(b, Badges::default(), "quiet for an hour: no badge");
    assert_eq!(s.groups(), 2);

    // It comes back after more than an hour of silence: regressed, not new.
    s.fail(75, "agent_error", CRASH);
    let b = s.badges("agent_error", CRASH);
    assert!(b.regressed && !b.new && !b.escalating, "{b:?}");

    // The quota group fails every five minutes: steady, never escalating … until it spikes.
    let q = s.badges("agent_error.provider_quota_limit", QUOTA);
    assert!(!q.escalating, "{q:?}");
    for _ in 0..8 {
        s.fail(77, "agent_error.provider_quota_limit", QUOTA);
    }
    let q = s.badges("agent_error.provider_quota_limit", QUOTA);
    assert!(
        q.escalating && !q.new,
        "eight in a minute against one per five: {q:?}"
    );
}

#[test]
fn grouping_never_merges_reasons_and_filters_by_id() {
    let mut s = Stream {
        p: pipeline(),
        n: 0,
    };
    s.fail(0, "agent_error", CRASH);
    s.fail(0, "agent_error", CRASH_2);
    s.fail(0, "agent_error.process_failure", CRASH);
    s.fail(0, "agent_error", QUOTA);
    assert_eq!(s.groups(), 3, "reason and template both make the group");
    let id = failwatch::groups::Group::of("agent_error", Some(CRASH)).id;
    let g = &s.p.store().agg.groups.by_id[&id];
    assert_eq!(g.count, 2);
    assert_eq!(g.sessions(), 2, "two of the three scripted sessions");
    let prefix = &id.to_string()[..6];
    let filter = Filter::parse(&format!("group:{prefix}")).unwrap();
    assert_eq!(s.p.store().count_matching(&filter), 2);
    let none = Filter::parse("group:zzz").unwrap();
    assert_eq!(s.p.store().count_matching(&none), 0);
}
