//! Decoded events → enriched failures: our redaction, reason lookup, routing per relay, and the
//! correlation that finds lost chat sessions and joins failure text sent in a later chat message.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::catalog;
use crate::protocol::{Event, FailedShape, TaskFailed};
use crate::redact;
use crate::routing::{self, BoundedMap, Correlator, Facts, Outcome, Relay, Route};

/// Ids and codes longer than this are cut: they are identifiers, not prose.
const MAX_ID_CHARS: usize = 128;
/// Failures waiting for their text to arrive in a chat message.
const AWAITING_CAPACITY: usize = 50_000;
/// The id interner is reset past this size so hostile input cannot grow it without bound.
const INTERNER_CAPACITY: usize = 100_000;

/// Where the failure's error text came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorOrigin {
    /// The event's `error` field.
    Error,
    /// The event's `error_message` alias.
    ErrorMessage,
    /// The assistant chat message written for the failed task (modern servers strip `error`).
    Joined,
}

/// One `task:failed`, enriched. Everything in it is safe to show: ids and error are sanitised.
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
    /// True when the event carried no chat session but the task was known to belong to one.
    pub session_lost: bool,
    pub reason: Option<Arc<str>>,
    pub reason_known: bool,
    pub retry_pending: Option<bool>,
    /// Our redaction of the relay-visible error text, control sequences removed, not length-capped.
    pub error: Option<Box<str>>,
    pub error_origin: Option<ErrorOrigin>,
    /// Secrets our redaction masked (beyond what the server had masked).
    pub masked: u32,
    pub controls_removed: u32,
    pub shape: FailedShape,
    pub routes: [Route; 3],
}

impl Failure {
    pub fn facts(&self) -> Facts<'_> {
        let (error, error_message) = match self.error_origin {
            Some(ErrorOrigin::ErrorMessage) => (None, self.error.as_deref()),
            Some(_) => (self.error.as_deref(), None),
            None => (None, None),
        };
        Facts {
            chat_session_id: if self.session_lost {
                None
            } else {
                self.session.as_deref()
            },
            remembered_session: self.session.as_deref(),
            reason: self.reason.as_deref(),
            retry_pending: self.retry_pending,
            error,
            error_message,
        }
    }

    pub fn route(&self, relay: Relay) -> &Route {
        &self.routes[relay.index()]
    }

    /// The exact text this relay sent, if any.
    pub fn route_text(&self, relay: Relay) -> Option<String> {
        routing::text(self.route(relay), &self.facts())
    }

    /// What the chat user learned at best across relays (a session-level summary).
    pub fn best_outcome(&self) -> Outcome {
        self.routes
            .iter()
            .map(|r| r.outcome)
            .min()
            .unwrap_or(Outcome::NotChat)
    }

    pub fn is_dropped(&self) -> bool {
        self.session_lost
    }

    pub fn reason_code(&self) -> &str {
        self.reason.as_deref().unwrap_or("")
    }
}

/// What one event changed.
#[derive(Clone, Debug)]
pub enum Update {
    /// A new failure.
    Failure(Box<Failure>),
    /// A failure's text arrived later; `before` is its routing as first reported.
    Joined {
        failure: Box<Failure>,
        before: [Route; 3],
    },
}

/// Stateful enrichment: correlation memory plus the failures still waiting for their text.
#[derive(Debug)]
pub struct Enricher {
    correlator: Correlator,
    awaiting: BoundedMap<Box<str>, Failure>,
    interned: FxHashMap<Box<str>, Arc<str>>,
    next_seq: u64,
}

impl Default for Enricher {
    fn default() -> Self {
        Enricher {
            correlator: Correlator::default(),
            awaiting: BoundedMap::new(AWAITING_CAPACITY),
            interned: FxHashMap::default(),
            next_seq: 0,
        }
    }
}

impl Enricher {
    pub fn ingest(&mut self, at: DateTime<Utc>, event: &Event) -> Option<Update> {
        let remembered = match event {
            Event::TaskFailed(f) if f.ids.chat_session_id.is_none() => f
                .ids
                .task_id
                .as_deref()
                .and_then(|t| self.correlator.session_of(t).cloned()),
            _ => None,
        };
        self.correlator.observe(event);
        match event {
            Event::TaskFailed(f) => {
                Some(Update::Failure(Box::new(self.failure(at, f, remembered))))
            }
            Event::ChatMessage(m) if m.role.as_deref() != Some("user") => {
                let task = m.task_id.as_deref()?;
                let content = m.content.as_deref().filter(|c| !c.trim().is_empty())?;
                let mut failure = self.awaiting.remove(task)?;
                let before = failure.routes;
                set_error(&mut failure, content, ErrorOrigin::Joined);
                failure.routes = routing::route_all(&failure.facts());
                Some(Update::Joined {
                    failure: Box::new(failure),
                    before,
                })
            }
            _ => None,
        }
    }

    fn failure(
        &mut self,
        at: DateTime<Utc>,
        f: &TaskFailed,
        remembered: Option<Arc<str>>,
    ) -> Failure {
        let seq = self.next_seq;
        self.next_seq += 1;
        let reason = f.failure_reason.as_deref().map(|r| self.intern(r));
        let session_lost = f.ids.chat_session_id.is_none() && remembered.is_some();
        let session = match &f.ids.chat_session_id {
            Some(s) => Some(self.intern(s)),
            None => remembered,
        };
        let mut failure = Failure {
            seq,
            at,
            task_id: f.ids.task_id.as_deref().map(id),
            agent_id: f.ids.agent_id.as_deref().map(|a| self.intern(a)),
            issue_id: f
                .ids
                .issue_id
                .as_deref()
                .filter(|_| !f.ids.has_chat_issue_id())
                .map(id),
            session,
            session_lost,
            reason_known: reason
                .as_deref()
                .is_some_and(|r| catalog::lookup(r).is_some()),
            reason,
            retry_pending: f.retry_pending,
            error: None,
            error_origin: None,
            masked: 0,
            controls_removed: 0,
            shape: f.shape(),
            routes: [Route {
                relay: Relay::Octo,
                outcome: Outcome::NotChat,
                why: routing::Why::NoChatSession,
            }; 3],
        };
        let nonempty = |s: &Option<String>| {
            s.as_deref()
                .filter(|s| !s.trim().is_empty())
                .map(str::to_owned)
        };
        if let Some(e) = nonempty(&f.error) {
            set_error(&mut failure, &e, ErrorOrigin::Error);
        } else if let Some(e) = nonempty(&f.error_message) {
            set_error(&mut failure, &e, ErrorOrigin::ErrorMessage);
        }
        failure.routes = routing::route_all(&failure.facts());
        // Modern servers send the text separately, as the task's chat message: wait for it.
        if failure.error.is_none() && failure.retry_pending != Some(true) {
            if let Some(task) = &failure.task_id {
                self.awaiting.insert(task.as_ref().into(), failure.clone());
            }
        }
        failure
    }

    fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.interned.get(s) {
            return a.clone();
        }
        if self.interned.len() >= INTERNER_CAPACITY {
            self.interned.clear();
        }
        let a = id(s);
        self.interned.insert(s.into(), a.clone());
        a
    }

    /// How many tasks the correlation memory holds.
    pub fn remembered_tasks(&self) -> usize {
        self.correlator.len()
    }
}

fn set_error(failure: &mut Failure, raw: &str, origin: ErrorOrigin) {
    let r = redact::redact(raw);
    failure.masked = r.total_hits();
    failure.controls_removed = r.controls_removed;
    failure.error = Some(r.text.into_boxed_str());
    failure.error_origin = Some(origin);
}

/// An identifier made safe to show: control sequences removed, length bounded.
fn id(s: &str) -> Arc<str> {
    let (clean, _) = redact::strip_controls(s);
    match clean.char_indices().nth(MAX_ID_CHARS) {
        Some((cut, _)) => Arc::from(&clean[..cut]),
        None => Arc::from(clean.as_ref()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::decode;

    fn run(lines: &[&str]) -> Vec<Update> {
        let mut e = Enricher::default();
        lines
            .iter()
            .filter_map(|l| e.ingest(Utc::now(), &decode(l).unwrap()))
            .collect()
    }

    fn failure(u: &Update) -> &Failure {
        match u {
            Update::Failure(f) => f,
            Update::Joined { failure, .. } => failure,
        }
    }

    #[test]
    fn a_failure_that_lost_its_session_is_dropped_and_names_the_session() {
        let u = run(&[
            r#"{"type":"task:queued","payload":{"task_id":"t1","issue_id":"","chat_session_id":"s1"}}"#,
            r#"{"type":"task:failed","payload":{"task_id":"t1","issue_id":"","failure_reason":"runtime_offline"}}"#,
        ]);
        let f = failure(&u[0]);
        assert!(f.session_lost);
        assert_eq!(f.session.as_deref(), Some("s1"));
        assert!(f.routes.iter().all(|r| r.outcome == Outcome::Dropped));
        assert!(f.is_dropped());
    }

    #[test]
    fn failure_text_from_a_later_chat_message_is_joined_and_reroutes() {
        let u = run(&[
            r#"{"type":"task:failed","payload":{"task_id":"t1","chat_session_id":"s1","failure_reason":"agent_error.unknown","retry_pending":false}}"#,
            r#"{"type":"chat:message","payload":{"task_id":"t1","chat_session_id":"s1","role":"assistant","content":"boom with ghp_0123456789abcdefghijABCDEFGHIJ0123456789"}}"#,
        ]);
        assert_eq!(u.len(), 2);
        assert_eq!(
            failure(&u[0]).route(Relay::Octo).outcome,
            Outcome::NotifiedGeneric
        );
        let Update::Joined { failure, before } = &u[1] else {
            panic!()
        };
        assert_eq!(before[0].outcome, Outcome::NotifiedGeneric);
        assert_eq!(failure.error_origin, Some(ErrorOrigin::Joined));
        assert!(!failure.error.as_deref().unwrap().contains("ghp_0123"));
        assert_eq!(failure.route(Relay::Octo).outcome, Outcome::NotifiedDetail);
        assert_eq!(
            failure.route(Relay::DingTalk).outcome,
            Outcome::NotifiedDetail
        );
        assert!(failure
            .route_text(Relay::Lark)
            .unwrap()
            .starts_with("Run failed: boom"));
    }

    #[test]
    fn a_user_message_or_an_unrelated_task_is_not_joined() {
        let u = run(&[
            r#"{"type":"task:failed","payload":{"task_id":"t1","chat_session_id":"s1","retry_pending":false}}"#,
            r#"{"type":"chat:message","payload":{"task_id":"t1","role":"user","content":"hello?"}}"#,
            r#"{"type":"chat:message","payload":{"task_id":"t2","role":"assistant","content":"other"}}"#,
        ]);
        assert_eq!(u.len(), 1);
    }

    #[test]
    fn errors_are_redacted_and_ids_sanitised() {
        let u = run(&[
            r#"{"type":"task:failed","payload":{"task_id":"t\u001b[2J1","agent_id":"a","issue_id":"i1","failure_reason":"timeout","error":"at /home/bob/x: key AKIAABCDEFGHIJKLMNOP \u001b]52;c;ZXZpbA==\u0007"}}"#,
        ]);
        let f = failure(&u[0]);
        assert_eq!(f.task_id.as_deref(), Some("t1"));
        let e = f.error.as_deref().unwrap();
        assert!(
            !e.contains("AKIAABCDEFGHIJKLMNOP") && !e.contains("bob") && !e.contains('\u{1b}'),
            "{e}"
        );
        assert!(f.masked >= 2 && f.controls_removed >= 1);
        assert_eq!(f.issue_id.as_deref(), Some("i1"));
        assert!(f.reason_known);
        assert!(f.routes.iter().all(|r| r.outcome == Outcome::NotChat));
    }

    #[test]
    fn error_message_alias_is_routed_as_the_alias() {
        let u = run(&[
            r#"{"type":"task:failed","payload":{"task_id":"t","chat_session_id":"s","error_message":"bad"}}"#,
        ]);
        let f = failure(&u[0]);
        assert_eq!(f.error_origin, Some(ErrorOrigin::ErrorMessage));
        assert_eq!(f.route(Relay::DingTalk).outcome, Outcome::Silent);
        assert_eq!(f.route(Relay::Octo).outcome, Outcome::NotifiedDetail);
        assert!(!f.reason_known);
    }
}
