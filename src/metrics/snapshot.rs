//! What the metrics are made of: a plain copy of the counts the pipeline and the source keep,
//! taken by the ingest loop and handed to the metrics side, which never reads the pipeline.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::ingest::Pipeline;
use crate::routing::inbox::AUDIENCE_COUNT;
use crate::routing::{Relay, OUTCOME_COUNT, RELAY_COUNT};
use crate::source::status::{ConnState, Phase};

/// The connection states a source can be in, by their label value.
pub const STATES: [&str; 6] = [
    "connecting",
    "backfilling",
    "live",
    "reconnecting",
    "failed",
    "stopped",
];

/// Totals as the store's aggregates and the source's status count them now. They may fall (a
/// pipeline restart, a reroute moving counts between outcomes): the metrics side keeps its
/// counters from going down.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MetricsSnapshot {
    /// Failures per reason code; `""` for a failure without one.
    pub failures_by_reason: Vec<(Arc<str>, u64)>,
    /// `routing[relay][outcome]`, indexed as the aggregates are.
    pub routing: [[u64; OUTCOME_COUNT]; RELAY_COUNT],
    /// The relays of the server family in effect: their series are shown even at zero.
    pub relays: Vec<Relay>,
    /// Failures whose chat session was lost.
    pub lost: u64,
    /// Failures and lost notifications per workspace (where the source said it).
    pub failures_by_workspace: Vec<(Arc<str>, u64)>,
    pub lost_by_workspace: Vec<(Arc<str>, u64)>,
    /// Failures WeCom pushed to members' inboxes, by audience.
    pub inbox: [u64; AUDIENCE_COUNT],
    /// Failures that sent a chat user a secret.
    pub chat_leaks: u64,
    pub frames_by_type: Vec<(String, u64)>,
    pub rejected: Vec<(&'static str, u64)>,
    /// Frames a source dropped because the consumer was behind.
    pub frames_dropped: u64,
    pub duplicates: u64,
    pub gaps: u64,
    pub reconnects: u64,
    /// One of [`STATES`]; `None` without a live source.
    pub state: Option<&'static str>,
    pub last_frame_at: Option<DateTime<Utc>>,
}

impl MetricsSnapshot {
    /// Copy the counts out of a pipeline and, for a live source, its status.
    pub fn of(pipeline: &Pipeline, status: Option<&ConnState>) -> MetricsSnapshot {
        let agg = &pipeline.store().agg;
        let ingest = &pipeline.stats();
        let (family, _) = pipeline.enricher().family();
        let mut s = MetricsSnapshot {
            failures_by_reason: agg
                .by_reason
                .iter()
                .map(|(code, r)| (code.clone(), r.count))
                .collect(),
            routing: agg.routing,
            relays: family.relays().to_vec(),
            lost: agg.dropped,
            failures_by_workspace: agg
                .workspaces
                .list()
                .into_iter()
                .map(|(w, s)| (w.clone(), s.failures))
                .collect(),
            lost_by_workspace: agg
                .workspaces
                .list()
                .into_iter()
                .map(|(w, s)| (w.clone(), s.lost))
                .collect(),
            inbox: agg.inbox,
            chat_leaks: agg.leaking_failures,
            frames_by_type: ingest
                .by_type
                .sorted()
                .into_iter()
                .map(|(t, n)| (t.to_owned(), n))
                .collect(),
            rejected: ingest.rejected.iter().map(|(k, n)| (*k, *n)).collect(),
            frames_dropped: ingest.source_dropped,
            duplicates: ingest.duplicates_total(),
            // A capture's gap records; a live source's gaps are in its status.
            gaps: ingest.gaps.len() as u64 + ingest.gaps_forgotten,
            ..MetricsSnapshot::default()
        };
        if let Some(st) = status {
            // The same source's count: the pipeline copies it as it takes frames in.
            s.frames_dropped = s.frames_dropped.max(st.dropped);
            s.gaps += st.gaps_total;
            s.reconnects = st.reconnects;
            s.state = Some(state_name(&st.phase));
            s.last_frame_at = st.last_frame_at;
        }
        s
    }
}

/// The label value of a phase (one of [`STATES`]).
pub fn state_name(phase: &Phase) -> &'static str {
    match phase {
        Phase::Connecting { .. } => STATES[0],
        Phase::Backfilling => STATES[1],
        Phase::Live { .. } => STATES[2],
        Phase::Reconnecting { .. } => STATES[3],
        Phase::Failed(_) => STATES[4],
        Phase::Stopped => STATES[5],
    }
}
