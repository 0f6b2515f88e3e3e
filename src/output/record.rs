//! The records behind `tail --format jsonl` and `summary --format json`: a schema change is a
//! change of these types. Fields are declared in the order they have always been written.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::capture::format_time;
use crate::catalog::{self, Lang, ReasonKind};
use crate::enrich::{ErrorOrigin, Failure};
use crate::ingest::Pipeline;
use crate::routing::{FamilySource, Outcome, Why, WITHHELD};
use crate::store::Aggregates;

/// One `task:failed`, as `tail` prints it.
#[derive(Serialize)]
pub struct FailureRecord<'a> {
    pub agent_id: Option<&'a str>,
    pub at: String,
    pub attempt: u32,
    pub chat_session_id: Option<&'a str>,
    pub era: &'static str,
    pub error: Option<&'a str>,
    pub error_canned: bool,
    pub error_origin: Option<ErrorOrigin>,
    /// The failure's group (reason and error template): the same id in every run.
    pub group: String,
    pub group_template: &'a str,
    /// WeCom's push to members' inboxes (the issue's subscribers, a quick-create's requester),
    /// apart from the chat routes.
    pub inbox: Option<InboxRecord>,
    pub issue_id: Option<&'a str>,
    pub leaked_to_chat: u32,
    /// Why the REST API could not give a withheld text back (null: not asked, or it did).
    pub lookup_error: Option<&'a str>,
    pub lost_chat_session_id: Option<&'a str>,
    pub masked_secrets: u32,
    /// The code, or null when the event carried none (a value is null when absent; only map
    /// keys, which must be strings, spell it `none`).
    pub reason: Option<&'a str>,
    pub reason_action: &'static str,
    pub reason_kind: ReasonKind,
    pub reason_known: bool,
    pub reason_meaning: &'static str,
    pub reason_text: &'static str,
    /// Which REST endpoint gave a withheld text back (with `error_origin: api`).
    pub recovered_from: Option<&'static str>,
    pub retry_of: Option<&'a str>,
    pub retry_pending: Option<bool>,
    pub routes: Vec<RouteRecord>,
    pub server: &'static str,
    /// The server's attempt count and parent task, when the API told them.
    pub server_attempt: Option<ServerAttempt<'a>>,
    /// Where `server` came from: `flag`, `config`, `detected`, or `assumed` (no frame had told
    /// the family when this failure was routed).
    pub server_source: crate::routing::FamilySource,
    pub task_id: Option<&'a str>,
    /// What the chat user heard over every relay serving the session: `yes`, `generic`, `no`,
    /// `pending`, `not_chat` (the filter's `told:`).
    pub told: crate::enrich::Heard,
    /// The workspace whose connection or stream carried it (null: a capture that did not say).
    pub workspace: Option<&'a str>,
}

#[derive(Serialize)]
pub struct ServerAttempt<'a> {
    pub attempt: u32,
    pub max_attempts: u32,
    pub parent_task_id: Option<&'a str>,
}

/// What a relay pushed to members' inboxes.
#[derive(Serialize)]
pub struct InboxRecord {
    pub relay: &'static str,
    pub text: String,
    pub to: &'static str,
}

/// What one relay did.
#[derive(Serialize)]
pub struct RouteRecord {
    pub bound: Option<bool>,
    pub outcome: &'static str,
    pub relay: &'static str,
    pub text: Option<String>,
    pub why: Why,
}

impl<'a> FailureRecord<'a> {
    pub fn of(f: &'a Failure, lang: Lang) -> FailureRecord<'a> {
        let d = catalog::describe(f.reason_code(), lang);
        let routes = f
            .routes
            .iter()
            .map(|r| RouteRecord {
                bound: r.bound,
                outcome: r.outcome.name(),
                relay: r.relay.name(),
                text: f.route_text(r.relay).map(|t| t.render(WITHHELD)),
                why: r.why,
            })
            .collect();
        let session = f.session.as_deref();
        FailureRecord {
            agent_id: f.agent_id.as_deref(),
            at: format_time(f.at),
            attempt: f.attempt,
            chat_session_id: session.filter(|_| !f.session_lost),
            era: f.era.name(),
            error: f.error(),
            error_canned: f.canned(),
            error_origin: f.error_origin(),
            group: f.group.id.to_string(),
            group_template: &f.group.template,
            inbox: f.inbox.zip(f.inbox_text()).map(|(n, text)| InboxRecord {
                relay: n.relay.name(),
                text: text.render(WITHHELD),
                to: n.to.name(),
            }),
            issue_id: f.issue_id.as_deref(),
            leaked_to_chat: f.leaked_to_chat,
            lookup_error: match &f.lookup {
                crate::enrich::Lookup::Failed(failed) => Some(&failed.why),
                _ => None,
            },
            lost_chat_session_id: session.filter(|_| f.session_lost),
            masked_secrets: f.masked(),
            reason: f.reason.as_deref(),
            reason_action: d.texts.action,
            reason_kind: d.kind,
            reason_known: f.reason_known,
            reason_meaning: d.texts.meaning,
            reason_text: d.texts.label,
            recovered_from: match f.lookup {
                crate::enrich::Lookup::Done(source) if f.evidence.api.is_some() => {
                    Some(source.name())
                }
                _ => None,
            },
            retry_of: f.retry_of.as_deref(),
            retry_pending: f.retry_pending,
            told: f.heard(),
            workspace: f.workspace.as_deref(),
            routes,
            server: f.family.name(),
            server_attempt: f.api_attempt.as_ref().map(|a| ServerAttempt {
                attempt: a.attempt,
                max_attempts: a.max_attempts,
                parent_task_id: a.parent_task_id.as_deref(),
            }),
            server_source: f.family_source,
            task_id: f.task_id.as_deref(),
        }
    }
}

/// The `summary --format json` object.
#[derive(Serialize)]
pub struct SummaryRecord<'a> {
    pub bad_lines: u64,
    pub blank_lines: u64,
    /// Failures per reason code; `none` counts those that carried no reason.
    pub by_reason: BTreeMap<&'a str, u64>,
    pub by_type: &'a crate::ingest::TypeCounts,
    pub canned: u64,
    pub dropped: u64,
    /// Of `dropped`, the failures of chat sessions past the limit: `dropped_sessions` cannot
    /// name them.
    pub dropped_beyond: u64,
    /// Listed chat sessions that lost a notification, sorted.
    pub dropped_sessions: Vec<&'a str>,
    /// Frames delivered again under an `event_id` already counted.
    pub duplicates: u64,
    pub failures: u64,
    pub frames: u64,
    /// Windows in which events may be missing; `gaps_forgotten` older ones are not listed.
    pub gaps: Vec<GapRecord<'a>>,
    pub gaps_forgotten: u64,
    /// Failure groups, most failures first.
    pub groups: Vec<GroupRecord<'a>>,
    /// Failures of groups past the number counted one by one.
    pub groups_beyond: u64,
    /// Failures WeCom pushed to members' inboxes, by audience: apart from `routing`, which
    /// counts what chat sessions were told.
    pub inbox: BTreeMap<&'static str, u64>,
    pub leaked_to_chat: Leaks,
    pub masked_secrets: u64,
    /// Failures in each minute that had any, oldest first.
    pub per_minute: Vec<MinuteRecord>,
    pub per_minute_beyond: u64,
    /// Failures whose reason code is past the limit of codes counted one by one (codes not in
    /// the catalogue: every catalogue code is counted in `by_reason`).
    pub reasons_beyond: u64,
    pub rejected_frames: &'a BTreeMap<&'static str, u64>,
    pub routing: BTreeMap<&'static str, BTreeMap<&'static str, u64>>,
    pub server: &'static str,
    pub server_conflicts: u64,
    pub server_source: FamilySource,
    /// Chat sessions, up to a limit; past it, a session is listed only at a failure that lost
    /// its notification, and counts from that failure on.
    pub sessions: BTreeMap<&'a str, SessionRecord<'a>>,
    /// Failures of chat sessions past the limit (summed: they are in every total, in no session).
    pub sessions_beyond: u64,
    /// Frames the source dropped because failwatch was behind.
    pub source_dropped: u64,
    /// Frames with no time of their own, placed after the one before.
    pub synthetic_times: u64,
    /// Error texts too large to keep whole.
    pub texts_cut: u64,
    /// The span of event times the input covers.
    pub time_range: Option<TimeRange>,
    /// Listed reason codes not in the catalogue, sorted (those past the limit are counted in
    /// `reasons_beyond`).
    pub unknown_reasons: Vec<&'a str>,
    pub withheld: u64,
    /// Failures by the workspace that carried them, most first (empty: the input did not say).
    pub workspaces: Vec<WorkspaceRecord<'a>>,
    /// Failures of the workspaces past the limit, summed.
    pub workspaces_beyond_failures: u64,
}

/// One workspace, as `summary` prints it.
#[derive(Serialize)]
pub struct WorkspaceRecord<'a> {
    pub failures: u64,
    pub lost: u64,
    pub told: u64,
    /// The reason with the most failures (`none`: no reason; `unknown`: codes the catalogue
    /// does not know), and how many.
    pub top_reason: Option<&'a str>,
    pub top_reason_failures: u64,
    pub untold: u64,
    pub workspace: &'a str,
}

/// One failure group, as `summary` prints it.
#[derive(Serialize)]
pub struct GroupRecord<'a> {
    pub badges: Vec<&'static str>,
    pub count: u64,
    pub first_seen: String,
    pub id: String,
    pub last_seen: String,
    pub reason: Option<&'a str>,
    pub sessions: u64,
    /// Of all failures, this group's part (0–1).
    pub share: f64,
    pub template: &'a str,
    /// Workspaces its failures came from (`workspaces_more`: more than that, past the bound).
    pub workspaces: usize,
    pub workspaces_more: bool,
}

impl<'a> GroupRecord<'a> {
    pub fn of(
        id: crate::groups::GroupId,
        g: &'a crate::store::GroupStats,
        failures: u64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> GroupRecord<'a> {
        GroupRecord {
            badges: g.badges(now).iter().map(|b| b.name()).collect(),
            count: g.count,
            first_seen: format_time(g.first_at),
            id: id.to_string(),
            last_seen: format_time(g.last_at),
            reason: Some(&*g.reason).filter(|r| !r.is_empty()),
            sessions: g.sessions(),
            share: if failures == 0 {
                0.0
            } else {
                // Four decimals: enough to read, stable in goldens.
                (g.count as f64 / failures as f64 * 10_000.0).round() / 10_000.0
            },
            template: &g.template,
            workspaces: g.workspaces().0,
            workspaces_more: g.workspaces().1,
        }
    }
}

#[derive(Serialize)]
pub struct MinuteRecord {
    pub failures: u64,
    pub minute: String,
}

#[derive(Serialize)]
pub struct TimeRange {
    pub from: String,
    pub to: String,
}

/// A window in which events may be missing (also `tail --format jsonl`'s `{"gap": …}` line).
#[derive(Serialize)]
pub struct GapRecord<'a> {
    pub from: String,
    /// `None` while the gap is still open.
    pub to: Option<String>,
    pub why: &'a str,
}

impl<'a> GapRecord<'a> {
    pub fn of(g: &'a crate::protocol::Gap) -> GapRecord<'a> {
        GapRecord {
            from: format_time(g.from),
            to: g.to.map(format_time),
            why: &g.why,
        }
    }
}

#[derive(Serialize)]
pub struct Leaks {
    pub failures: u64,
    pub secrets: u64,
}

/// What one chat session's user was told, in counts of failures.
#[derive(Serialize)]
pub struct SessionRecord<'a> {
    /// The relays a bindings table binds it to; `None` when no table names it.
    pub bound: Option<Vec<&'static str>>,
    /// Told in Multica's own app (bound to no relay, or the turn was typed there).
    pub app: u64,
    pub canned: u64,
    pub detail: u64,
    pub dropped: u64,
    pub failures: u64,
    pub generic: u64,
    pub last_at: Option<String>,
    pub last_reason: Option<&'a str>,
    /// A retry was pending: nothing yet.
    pub pending: u64,
    pub reason: u64,
    pub untold: u64,
}

impl<'a> SummaryRecord<'a> {
    pub fn of(pipeline: &'a Pipeline, agg: &'a Aggregates) -> SummaryRecord<'a> {
        let ingest = &pipeline.stats();
        let (family, source) = pipeline.enricher().family();
        let bindings = pipeline.enricher().bindings();
        let routing = agg
            .routing_of(family)
            .into_iter()
            .map(|(relay, counts)| {
                let by_outcome = Outcome::ALL
                    .iter()
                    .map(|o| (o.name(), counts[o.index()]))
                    .collect();
                (relay.name(), by_outcome)
            })
            .collect();
        let sessions = agg
            .sessions
            .iter()
            .map(|(id, s)| {
                let bound = bindings
                    .of(id)
                    .map(|set| set.iter().map(|r| r.name()).collect());
                let record = SessionRecord {
                    bound,
                    app: s.app,
                    canned: s.canned,
                    detail: s.detail,
                    dropped: s.dropped,
                    failures: s.failures,
                    generic: s.generic,
                    last_at: s.last_at.map(format_time),
                    last_reason: s.last_reason.as_deref(),
                    pending: s.pending,
                    reason: s.reason,
                    untold: s.untold,
                };
                (&**id, record)
            })
            .collect();
        SummaryRecord {
            bad_lines: ingest.bad_lines,
            blank_lines: ingest.blank_lines,
            by_reason: agg
                .by_reason
                .iter()
                .map(|(k, v)| (catalog::code_or_none(k), v.count))
                .collect(),
            by_type: &ingest.by_type,
            canned: agg.canned,
            dropped: agg.dropped,
            dropped_beyond: agg.sessions.beyond().dropped,
            dropped_sessions: agg.sessions.dropped().into_iter().map(|s| &**s).collect(),
            duplicates: ingest.duplicates_total(),
            failures: agg.failures,
            frames: ingest.frames,
            gaps: ingest.gaps.iter().map(GapRecord::of).collect(),
            gaps_forgotten: ingest.gaps_forgotten,
            groups: agg
                .groups
                .by_count()
                .into_iter()
                .map(|(id, g)| GroupRecord::of(*id, g, agg.failures, pipeline.store().now()))
                .collect(),
            groups_beyond: agg.groups.beyond,
            inbox: crate::routing::Audience::ALL
                .into_iter()
                .map(|a| (a.name(), agg.inbox[a.index()]))
                .collect(),
            leaked_to_chat: Leaks {
                failures: agg.leaking_failures,
                secrets: agg.leaked_secrets,
            },
            masked_secrets: agg.masked_secrets,
            per_minute: agg
                .by_minute
                .iter()
                .filter_map(|(&m, &n)| {
                    Some(MinuteRecord {
                        failures: n,
                        minute: format_time(chrono::DateTime::from_timestamp(m * 60, 0)?),
                    })
                })
                .collect(),
            per_minute_beyond: agg.minutes_beyond,
            reasons_beyond: agg.by_reason.beyond(),
            rejected_frames: &ingest.rejected,
            routing,
            server: family.name(),
            server_conflicts: pipeline.enricher().family_conflicts(),
            server_source: source,
            sessions,
            sessions_beyond: agg.sessions.beyond().failures,
            source_dropped: ingest.source_dropped,
            synthetic_times: ingest.synthetic_times,
            texts_cut: ingest.texts_cut,
            time_range: ingest
                .first_at
                .zip(ingest.last_at)
                .map(|(from, to)| TimeRange {
                    from: format_time(from),
                    to: format_time(to),
                }),
            unknown_reasons: agg.by_reason.unknown().into_iter().map(|s| &**s).collect(),
            withheld: agg.withheld,
            workspaces: agg
                .workspaces
                .list()
                .into_iter()
                .map(|(id, w)| {
                    let top = w.top_reason();
                    WorkspaceRecord {
                        failures: w.failures,
                        lost: w.lost,
                        told: w.told,
                        top_reason: top.map(|(r, _)| r.unwrap_or("none")),
                        top_reason_failures: top.map_or(0, |(_, n)| n),
                        untold: w.untold,
                        workspace: id,
                    }
                })
                .collect(),
            workspaces_beyond_failures: agg.workspaces.beyond.failures,
        }
    }
}
