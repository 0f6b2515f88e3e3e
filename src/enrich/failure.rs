//! One `task:failed`, enriched: what the wire gave ([`Evidence`]), what failwatch concludes the
//! relays had ([`Told`]), and everything derived from the family and the bindings.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::groups::Group;
use crate::redact;
use crate::routing::{
    self, canned, inbox, Audience, Bindings, ChatSession, Era, Facts, Family, FamilySource,
    InProcess, Notice, Relay, Route, Routes, SentText, Why,
};

/// Where the failure's error text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorOrigin {
    /// The event's `error` field (the fork, or a tap that keeps it).
    Event,
    /// The event's `error_message` alias.
    ErrorMessage,
    /// The server's system comment on the issue, published just before the failure.
    Comment,
    /// Rebuilt from the reason: the only fixed sentence the server writes for it.
    Canned,
    /// The relays had a text but the server stripped it from the wire.
    Withheld,
    /// Withheld on the wire, recovered from the server's REST API.
    Api,
}

/// Which REST endpoint a recovered text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ApiSource {
    /// `GET /api/issues/{id}/task-runs`: the raw task row.
    IssueRuns,
    /// `GET /api/agents/{id}/tasks`: the raw task row.
    AgentTasks,
    /// `GET /api/chat/sessions/{id}/messages`: the failure message (server-redacted).
    ChatMessages,
}

impl ApiSource {
    pub fn name(self) -> &'static str {
        match self {
            ApiSource::IssueRuns => "issue_runs",
            ApiSource::AgentTasks => "agent_tasks",
            ApiSource::ChatMessages => "chat_messages",
        }
    }

    pub fn parse(s: &str) -> Option<ApiSource> {
        [
            ApiSource::IssueRuns,
            ApiSource::AgentTasks,
            ApiSource::ChatMessages,
        ]
        .into_iter()
        .find(|a| a.name() == s)
    }
}

/// What the server's task row adds: the retry chain as the server keeps it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ApiAttempt {
    pub attempt: u32,
    pub max_attempts: u32,
    pub parent_task_id: Option<Arc<str>>,
}

/// A withheld text to ask the REST API for: which endpoints can answer for this task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupRequest {
    pub task_id: Arc<str>,
    pub issue_id: Option<Arc<str>>,
    pub agent_id: Option<Arc<str>>,
    pub session: Option<Arc<str>>,
    /// When the failure happened: an answer read before it may predate the row.
    pub at: DateTime<Utc>,
}

/// The API's answer for one task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovery {
    pub task_id: Arc<str>,
    pub outcome: Result<Recovered, LookupFailed>,
}

impl Recovery {
    /// The task's text was too large to keep whole: cut to its bound, or lost with the rest of
    /// an answer cut at its byte cap.
    pub fn text_cut(&self) -> bool {
        match &self.outcome {
            Ok(r) => r.error.as_ref().is_some_and(|t| t.cut > 0),
            Err(failed) => failed.cut,
        }
    }
}

/// A lookup given up on: why, and whether its text went with an answer cut at its byte cap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LookupFailed {
    pub why: Box<str>,
    /// An answer that could have held the task's row was cut before it: the text may have
    /// been in what was not read.
    pub cut: bool,
}

impl From<&str> for LookupFailed {
    fn from(why: &str) -> LookupFailed {
        LookupFailed {
            why: why.into(),
            cut: false,
        }
    }
}

impl From<String> for LookupFailed {
    fn from(why: String) -> LookupFailed {
        LookupFailed {
            why: why.into(),
            cut: false,
        }
    }
}

impl std::fmt::Display for LookupFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

/// What an endpoint gave back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovered {
    pub source: ApiSource,
    /// The error text, redacted with our rules (`None`: the server has none).
    pub error: Option<SeenText>,
    pub attempt: Option<ApiAttempt>,
}

/// Where recovering a withheld text stands.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Lookup {
    /// Nothing to recover, or no API to ask.
    #[default]
    None,
    /// Asked; no answer yet.
    Pending,
    /// Answered from this endpoint (the text may still be empty: the server had none).
    Done(ApiSource),
    /// Given up on, and why (for the detail view).
    Failed(LookupFailed),
}

/// A string from outside after our redaction, with what the redaction found in it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeenText {
    pub text: Box<str>,
    pub masked: u32,
    /// Secrets only our rules caught, per server family: in a text that server redacted, ones
    /// it let through.
    pub beyond_server: redact::Beyond,
    pub controls_removed: u32,
    /// Bytes cut off an oversize text.
    pub cut: usize,
}

impl SeenText {
    pub fn new(raw: &str) -> SeenText {
        let (r, cut) = redact::redact_capped(raw);
        SeenText::of(r, cut)
    }

    /// A text recorded after a cut of `cut` bytes (its mark at the end): redacted again, cut
    /// again only if it is over the bound, and still counted as cut.
    pub fn recorded(raw: &str, cut: usize) -> SeenText {
        if cut == 0 {
            return SeenText::new(raw);
        }
        let unmarked = redact::cut_mark_removed(raw, cut).unwrap_or(raw);
        let (r, cut) = redact::redact_cut_before(unmarked, cut);
        SeenText::of(r, cut)
    }

    fn of(r: redact::Redacted, cut: usize) -> SeenText {
        SeenText {
            masked: r.total_hits(),
            beyond_server: r.beyond_server,
            controls_removed: r.controls_removed,
            text: r.text.into_boxed_str(),
            cut,
        }
    }
}

/// Every error text the wire gave for a failure.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evidence {
    /// `error`, exactly as present (even empty).
    pub error: Option<SeenText>,
    /// `error_message`.
    pub alias: Option<SeenText>,
    /// The system comment's content.
    pub comment: Option<SeenText>,
    /// The text the wire withheld, recovered from the REST API (redacted with our rules).
    pub api: Option<SeenText>,
}

/// What the relays had as `error` in-process, as far as failwatch can tell.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Told {
    /// No error reached the relays.
    Absent,
    /// Its words are known.
    Known { origin: ErrorOrigin, canned: bool },
    /// Present but stripped from the wire; `forms` lists the fixed sentences it may be (and
    /// `or_detail`: or the agent's own words).
    Withheld {
        canned: bool,
        or_detail: bool,
        forms: &'static [&'static str],
    },
}

/// One `task:failed`, enriched. Everything in it is safe to show: ids and texts are sanitised.
#[derive(Clone, Debug)]
pub struct Failure {
    pub seq: u64,
    pub at: DateTime<Utc>,
    pub task_id: Option<Arc<str>>,
    pub agent_id: Option<Arc<str>>,
    /// None for chat tasks (empty or all-zero issue id on the wire).
    pub issue_id: Option<Arc<str>>,
    /// The chat session: from the event, or remembered when the event lost it.
    pub session: Option<Arc<str>>,
    /// The workspace whose connection or stream carried it (none: a capture that did not say).
    pub workspace: Option<Arc<str>>,
    /// True when the event carried no chat session but the task was known to belong to one.
    pub session_lost: bool,
    pub reason: Option<Arc<str>>,
    pub reason_known: bool,
    pub retry_pending: Option<bool>,
    pub family: Family,
    /// Where the family came from when this failure was routed (assumed: no frame had told).
    pub family_source: FamilySource,
    pub era: Era,
    pub evidence: Evidence,
    pub told: Told,
    /// The canned sentence rebuilt from the reason, when `told` says so.
    pub rebuilt: Option<&'static str>,
    pub routes: Routes,
    /// Secrets our rules found in a text a relay sent: the chat user saw them unmasked.
    pub leaked_to_chat: u32,
    /// The task this one retries, and which attempt it is (1 = first).
    pub retry_of: Option<Arc<str>>,
    pub attempt: u32,
    /// Recovering the withheld text from the REST API.
    pub lookup: Lookup,
    /// The server's own attempt count and parent task, when the API told.
    pub api_attempt: Option<ApiAttempt>,
    /// The group of failures that read the same (reason and error template).
    pub group: Group,
    /// The task's turn was typed in Multica's web or mobile app (a user `chat:message` named
    /// it, or the task it retries).
    pub typed_in_app: bool,
    /// The issue's title, when a frame gave it (our redaction applied).
    pub issue_title: Option<Arc<str>>,
    /// The day the server's build is of, when the user said.
    pub built: Option<chrono::NaiveDate>,
    /// WeCom's push to members' inboxes this failure caused (apart from the chat routes).
    pub inbox: Option<Notice>,
}

impl Failure {
    /// The error text with its words known, and where they came from.
    pub fn error_text(&self) -> Option<(&str, ErrorOrigin)> {
        let Told::Known { origin, .. } = self.told else {
            return None;
        };
        let text = match origin {
            ErrorOrigin::Event => self.evidence.error.as_ref().map(|t| &*t.text),
            ErrorOrigin::ErrorMessage => self.evidence.alias.as_ref().map(|t| &*t.text),
            ErrorOrigin::Comment => self.evidence.comment.as_ref().map(|t| &*t.text),
            ErrorOrigin::Canned => self.rebuilt,
            ErrorOrigin::Api => self.evidence.api.as_ref().map(|t| &*t.text),
            ErrorOrigin::Withheld => None,
        }?;
        Some((text, origin))
    }

    /// The redacted error to show, if its words are known.
    pub fn error(&self) -> Option<&str> {
        self.error_text().map(|(t, _)| t).filter(|t| !t.is_empty())
    }

    pub fn error_origin(&self) -> Option<ErrorOrigin> {
        match self.told {
            Told::Absent => None,
            Told::Known { origin, .. } => Some(origin),
            Told::Withheld { .. } => Some(ErrorOrigin::Withheld),
        }
    }

    /// The relays had one of Multica's fixed sentences.
    pub fn canned(&self) -> bool {
        matches!(
            self.told,
            Told::Known { canned: true, .. } | Told::Withheld { canned: true, .. }
        )
    }

    fn shown(&self) -> Option<&SeenText> {
        match self.error_text()?.1 {
            ErrorOrigin::Event => self.evidence.error.as_ref(),
            ErrorOrigin::ErrorMessage => self.evidence.alias.as_ref(),
            ErrorOrigin::Comment => self.evidence.comment.as_ref(),
            ErrorOrigin::Api => self.evidence.api.as_ref(),
            _ => None,
        }
    }

    /// What to ask the REST API for this failure.
    pub fn lookup_request(&self) -> Option<LookupRequest> {
        Some(LookupRequest {
            task_id: self.task_id.clone()?,
            issue_id: self.issue_id.clone(),
            agent_id: self.agent_id.clone(),
            session: self.session.clone(),
            at: self.at,
        })
    }

    /// Take the API's answer in, and derive again what follows from it.
    pub fn apply_recovery(
        &mut self,
        outcome: &Result<Recovered, LookupFailed>,
        family: (Family, FamilySource),
        bindings: &Bindings,
    ) {
        match outcome {
            Ok(r) => {
                self.lookup = Lookup::Done(r.source);
                if let Some(a) = &r.attempt {
                    self.api_attempt = Some(a.clone());
                }
                // An empty text is an answer too: the server had none, so the relays had no
                // `error` (DingTalk sent nothing, Lark a bare `Run failed.`).
                if let Some(text) = &r.error {
                    self.evidence.api = Some(text.clone());
                }
            }
            // Nothing was learnt: the text and the routes stay as they are.
            Err(why) => return self.lookup = Lookup::Failed(why.clone()),
        }
        self.derive(family, bindings);
    }

    /// The wire withheld a text the relays had, and the REST API may have it.
    pub fn needs_lookup(&self) -> bool {
        (matches!(self.told, Told::Withheld { .. }) || self.issue_comment_missing())
            && self.evidence.api.is_none()
            && self.task_id.is_some()
            && matches!(self.lookup, Lookup::None)
    }

    /// An upstream issue task failed for good with no system comment seen: it had no text, or
    /// the comment was missed (a reconnect, a trimmed history). Only the REST API can tell.
    fn issue_comment_missing(&self) -> bool {
        matches!(self.told, Told::Absent)
            && self.issue_id.is_some()
            && self.era == Era::UpstreamModern
            && self.retry_pending == Some(false)
            && self.evidence.comment.is_none()
    }

    /// An error text was too large and was cut (or lost with an API answer cut at its cap).
    pub fn text_cut(&self) -> bool {
        let e = &self.evidence;
        [&e.error, &e.alias, &e.comment, &e.api]
            .into_iter()
            .flatten()
            .any(|t| t.cut > 0)
            || matches!(&self.lookup, Lookup::Failed(f) if f.cut)
    }

    /// Bytes of error text this failure holds (what the store's byte budget counts).
    pub fn text_bytes(&self) -> usize {
        let e = &self.evidence;
        [&e.error, &e.alias, &e.comment, &e.api]
            .into_iter()
            .flatten()
            .map(|t| t.text.len())
            .sum()
    }

    /// Secrets our redaction masked in the shown error.
    pub fn masked(&self) -> u32 {
        self.shown().map_or(0, |t| t.masked)
    }

    pub fn facts(&self) -> Facts<'_> {
        let error = match self.told {
            Told::Withheld { .. } => InProcess::Withheld,
            Told::Known {
                origin: ErrorOrigin::Comment | ErrorOrigin::Canned | ErrorOrigin::Api,
                ..
            } => self
                .error_text()
                .map_or(InProcess::Absent, |(t, _)| InProcess::Known(t)),
            _ => self
                .evidence
                .error
                .as_ref()
                .map_or(InProcess::Absent, |t| InProcess::Known(&t.text)),
        };
        Facts {
            family: Some(self.family),
            era: Some(self.era),
            chat: match (&self.session, self.session_lost) {
                (Some(s), true) => ChatSession::Lost(s),
                (Some(s), false) => ChatSession::OnEvent(s),
                (None, _) => ChatSession::None,
            },
            reason: self.reason.as_deref(),
            retry_pending: self.retry_pending,
            error,
            error_message: self.evidence.alias.as_ref().map(|t| &*t.text),
            canned: self.canned(),
            canned_or_detail: matches!(
                self.told,
                Told::Withheld {
                    or_detail: true,
                    ..
                }
            ),
            typed_in_app: self.typed_in_app,
            issue: self.issue_id.is_some(),
            issue_title: self.issue_title.as_deref(),
            built: self.built,
        }
    }

    /// The exact markdown WeCom pushed to members' inboxes, if it pushed any.
    pub fn inbox_text(&self) -> Option<SentText<'_>> {
        Some(inbox::text(self.inbox.as_ref()?, &self.facts()))
    }

    pub fn route(&self, relay: Relay) -> Option<&Route> {
        self.routes.get(relay)
    }

    /// The exact text this relay sent, if any (withheld words marked as the server withheld).
    pub fn route_text(&self, relay: Relay) -> Option<SentText<'_>> {
        routing::text(self.route(relay)?, &self.facts())
    }

    pub fn is_dropped(&self) -> bool {
        self.session_lost
    }

    pub fn reason_code(&self) -> &str {
        self.reason.as_deref().unwrap_or("")
    }

    /// (Re)compute everything that depends on the family (and where it came from) and the
    /// bindings.
    pub fn derive(&mut self, (family, source): (Family, FamilySource), bindings: &Bindings) {
        self.family = family;
        self.family_source = source;
        self.era = Era::from_parts(
            family,
            self.retry_pending.is_some(),
            self.evidence.error.is_some(),
            self.reason.as_deref(),
            self.session.is_some() && !self.session_lost,
        );
        self.rebuilt = None;
        self.told = self.what_was_told();
        let (routes, notice) = {
            let facts = self.facts();
            (routing::route_all(&facts, bindings), inbox::notice(&facts))
        };
        self.routes = routes;
        self.inbox = notice;
        self.leaked_to_chat = self.leaks();
        self.group = Group::of(self.reason_code(), self.group_text());
    }

    /// The words a failure is grouped by: its error, a mark for a withheld one, or none.
    fn group_text(&self) -> Option<&str> {
        match self.told {
            Told::Withheld { .. } => Some(crate::groups::WITHHELD),
            _ => self.error(),
        }
    }

    fn what_was_told(&mut self) -> Told {
        let known = |origin, text: &str| Told::Known {
            origin,
            canned: canned::is_canned(text),
        };
        if let Some(e) = self.evidence.error.as_ref().filter(|e| !e.text.is_empty()) {
            return known(ErrorOrigin::Event, &e.text);
        }
        if let Some(c) = &self.evidence.comment {
            return known(ErrorOrigin::Comment, &c.text);
        }
        // Upstream sets `error` in-process for every terminal failure with a text and strips it
        // from the wire: the sweepers' sentences follow from the reason, a chat task's text is
        // withheld.
        if self.era == Era::UpstreamModern && self.retry_pending == Some(false) {
            return match canned::reconstruct(self.reason_code(), self.issue_id.is_some()) {
                canned::Reconstructed::Exact(text) => {
                    self.rebuilt = Some(text);
                    Told::Known {
                        origin: ErrorOrigin::Canned,
                        canned: true,
                    }
                }
                // The wire withheld it, or its comment was missed; the REST API gave it back.
                _ if self.evidence.api.is_some() => {
                    let api = self.evidence.api.as_ref().map_or("", |t| &t.text);
                    known(ErrorOrigin::Api, api)
                }
                // The server posts the system comment whenever an issue task's failure has a
                // text: an issue task without one had none (unless the comment was missed: the
                // REST API is asked to make sure).
                canned::Reconstructed::Unknown if self.issue_id.is_some() => Told::Absent,
                canned::Reconstructed::OneOf(forms) => Told::Withheld {
                    canned: true,
                    or_detail: false,
                    forms,
                },
                canned::Reconstructed::CannedOrDetail(forms) => Told::Withheld {
                    canned: false,
                    or_detail: true,
                    forms,
                },
                canned::Reconstructed::Unknown => Told::Withheld {
                    canned: false,
                    or_detail: false,
                    forms: &[],
                },
            };
        }
        match &self.evidence.alias {
            Some(a) if !a.text.is_empty() => known(ErrorOrigin::ErrorMessage, &a.text),
            _ => Told::Absent,
        }
    }

    /// Secrets the chat user saw unmasked: our extra rules' finds in a text a relay sent (a
    /// quick-create's requester is pushed the error too).
    fn leaks(&self) -> u32 {
        let sent_error = self.routes.iter().any(|r| {
            r.outcome.is_notified()
                && matches!(
                    r.why,
                    Why::ErrorText | Why::CannedText | Why::CannedOrDetail
                )
        }) || self
            .inbox
            .is_some_and(|n| n.to == Audience::QuickCreateRequester);
        if !sent_error {
            return 0;
        }
        match self.error_text() {
            // A recovered text is raw: what our rules mask beyond the server's, the relays sent.
            Some((
                _,
                ErrorOrigin::Event
                | ErrorOrigin::ErrorMessage
                | ErrorOrigin::Comment
                | ErrorOrigin::Api,
            )) => self.shown().map_or(0, |t| match self.family {
                // Each family's relays sent what its own rules let through.
                Family::Upstream => t.beyond_server.upstream,
                Family::Octo => t.beyond_server.fork,
            }),
            _ => 0,
        }
    }
}
