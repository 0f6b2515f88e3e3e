//! Decoded events → enriched failures: the server family and era, our redaction, the reason,
//! the error text the relays had (on the wire, in the system comment, rebuilt from the reason,
//! or withheld), routing per relay with bindings, lost sessions, retry chains and chat-side leaks.

mod failure;
mod heard;

pub use failure::{
    ApiAttempt, ApiSource, ErrorOrigin, Evidence, Failure, Lookup, LookupFailed, LookupRequest,
    Recovered, Recovery, SeenText, Told,
};
pub use heard::{serving, Heard};

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use crate::catalog;
use crate::groups::Group;
use crate::protocol::{Event, TaskFailed};
use crate::routing::{
    Bindings, Chains, CommentMemory, Correlator, Era, Family, FamilySource, FamilyTracker, IdKey,
    IssueTitles, Routes, TypedTurns,
};

/// The id interner is reset past this size so hostile input cannot grow it without bound.
const INTERNER_CAPACITY: usize = 100_000;

/// What one event changed.
#[derive(Clone, Debug)]
pub struct Update {
    pub failure: Box<Failure>,
    /// The family in effect changed with this failure: earlier ones must be routed again.
    pub family_changed: bool,
}

/// What a failure's place in the stream tells: everything about it that depends on the events
/// before it. Decided in order ([`Enricher::place`]); the failure itself is then built from it
/// and its frame alone ([`build`]), anywhere.
#[derive(Clone, Debug)]
pub struct Placed {
    pub seq: u64,
    pub family: Family,
    /// Where that family came from (assumed: no frame had told yet).
    pub family_source: FamilySource,
    /// The family in effect changed with this failure.
    pub family_changed: bool,
    pub reason: Option<Arc<str>>,
    /// The chat session the event no longer carried, as earlier events of its task had it.
    pub remembered: Option<IdKey>,
    /// The server's failure comment published just before (its content as sent).
    pub comment: Option<Box<str>>,
    pub retry_of: Option<IdKey>,
    pub attempt: u32,
    /// The task's turn was typed in Multica (it, or the task it retries).
    pub typed_in_app: bool,
    /// The issue's title, as an earlier frame gave it.
    pub issue_title: Option<Arc<str>>,
    /// The workspace whose connection or stream carried the frame (set by the door that took
    /// it in: the frame does not say).
    pub workspace: Option<Arc<str>>,
    /// The day the server's build is of, when the user said.
    pub built: Option<chrono::NaiveDate>,
}

/// Stateful enrichment: the family, correlation memory, comments, retry chains, bindings.
#[derive(Debug)]
pub struct Enricher {
    correlator: Correlator,
    comments: CommentMemory,
    typed: TypedTurns,
    titles: IssueTitles,
    chains: Chains,
    family: FamilyTracker,
    /// A frame that is no failure changed the family in effect (taken by the pipeline).
    family_told: bool,
    bindings: Arc<Bindings>,
    /// The day the server's build is of, when the user said (`--server upstream@2026-08-20`).
    built: Option<chrono::NaiveDate>,
    names: Interner,
    next_seq: u64,
}

impl Default for Enricher {
    fn default() -> Self {
        Enricher::new(None, Arc::default())
    }
}

impl Enricher {
    pub fn new(family: Option<(Family, FamilySource)>, bindings: Arc<Bindings>) -> Enricher {
        Enricher {
            correlator: Correlator::default(),
            comments: CommentMemory::default(),
            typed: TypedTurns::default(),
            titles: IssueTitles::default(),
            chains: Chains::default(),
            family: FamilyTracker::new(family),
            family_told: false,
            bindings,
            built: None,
            names: Interner::default(),
            next_seq: 0,
        }
    }

    /// The day the server's build is of: the facts that changed on a known day follow it.
    pub fn with_build(mut self, built: Option<chrono::NaiveDate>) -> Enricher {
        self.built = built;
        self
    }

    /// An enricher with the same settings (family, build, bindings) and nothing remembered.
    pub fn fresh(&self) -> Enricher {
        Enricher::new(self.family.setting(), self.bindings.clone()).with_build(self.built)
    }

    pub fn ingest(&mut self, at: DateTime<Utc>, event: &Event) -> Option<Update> {
        let placed = self.place(at, event)?;
        let Event::TaskFailed(f) = event else {
            return None;
        };
        let family_changed = placed.family_changed;
        let failure = build(at, f, &placed, &self.bindings, &mut self.names);
        Some(Update {
            failure: Box::new(failure),
            family_changed,
        })
    }

    /// Learn from one event, in order; for a failure, what its place in the stream tells.
    pub fn place(&mut self, at: DateTime<Utc>, event: &Event) -> Option<Placed> {
        // Each id is made a key once: every memory below is keyed by them.
        let (task, session) = match event {
            Event::Task(t) => (&t.ids.task_id, &t.ids.chat_session_id),
            Event::TaskFailed(f) => (&f.ids.task_id, &f.ids.chat_session_id),
            Event::ChatMessage(m) | Event::ChatDone(m) => {
                if let (true, Some(task)) = (m.from_user, &m.task_id) {
                    self.typed.observe(&IdKey::of(task));
                }
                (&m.task_id, &m.chat_session_id)
            }
            Event::Comment(c) => {
                self.comments.observe(at, c);
                self.titles.observe(c);
                return None;
            }
            Event::Other(kind) => {
                if let Some(said) = Family::evidence_of_type(kind) {
                    self.family_told |= self.family.observe_said(said).is_some();
                }
                return None;
            }
            _ => return None,
        };
        let task = task.as_deref().map(IdKey::of);
        let session = session.as_deref().map(IdKey::of);
        match event {
            Event::TaskFailed(f) => {
                let remembered = match (&task, &session) {
                    (Some(t), None) => self.correlator.session_of(t).cloned(),
                    _ => None,
                };
                if let (Some(t), Some(s)) = (&task, &session) {
                    self.correlator.observe(t, s);
                }
                let family_changed = self.family.observe(f).is_some();
                let session = session.or_else(|| remembered.clone());
                Some(self.place_failure(at, f, task, session, remembered, family_changed))
            }
            Event::Task(t) => {
                if let (Some(task), Some(session)) = (&task, &session) {
                    self.correlator.observe(task, session);
                }
                if let Some(task) = task {
                    self.chains.observe_task(at, t, task, session.as_ref());
                }
                None
            }
            _ => {
                if let (Some(task), Some(session)) = (&task, &session) {
                    self.correlator.observe(task, session);
                }
                None
            }
        }
    }

    fn place_failure(
        &mut self,
        at: DateTime<Utc>,
        f: &TaskFailed,
        task: Option<IdKey>,
        session: Option<IdKey>,
        remembered: Option<IdKey>,
        family_changed: bool,
    ) -> Placed {
        let seq = self.next_seq;
        self.next_seq += 1;
        let (family, family_source) = self.family.current();
        let reason = f.failure_reason.as_deref().map(|r| self.names.get(r));
        let comment = task.as_ref().and_then(|t| self.comments.take(t, at));
        let typed_task = task.clone();
        let (retry_of, attempt) = match task {
            Some(task) => {
                self.chains
                    .observe_failure(at, family, f, task, session.as_ref(), reason.as_ref())
            }
            None => (None, 1),
        };
        let typed_in_app = typed_task.is_some_and(|t| self.typed.typed(&t, retry_of.as_ref()));
        let issue_title = f
            .ids
            .issue_id
            .as_deref()
            .filter(|_| !f.ids.has_chat_issue_id())
            .and_then(|i| self.titles.title(i));
        Placed {
            seq,
            family,
            family_source,
            family_changed,
            reason,
            remembered,
            comment,
            retry_of,
            attempt,
            typed_in_app,
            issue_title,
            workspace: None,
            built: self.built,
        }
    }

    /// The family in effect and where it came from.
    pub fn family(&self) -> (Family, FamilySource) {
        self.family.current()
    }

    /// Learn the family a frame told before it is placed (a stream's held frames are placed
    /// after the one that told). True when the family in effect changed.
    pub fn observe_family(&mut self, said: Family) -> bool {
        self.family.observe_said(said).is_some()
    }

    /// Whether a frame that is no failure changed the family since the last call.
    pub fn take_family_told(&mut self) -> bool {
        std::mem::take(&mut self.family_told)
    }

    /// `task:failed` frames that looked like the other family.
    pub fn family_conflicts(&self) -> u64 {
        self.family.conflicts()
    }

    pub fn bindings(&self) -> &Bindings {
        &self.bindings
    }

    /// The bindings, to share with whoever builds failures elsewhere.
    pub fn shared_bindings(&self) -> &Arc<Bindings> {
        &self.bindings
    }

    /// The enricher's interner, for failures built in order.
    pub fn names(&mut self) -> &mut Interner {
        &mut self.names
    }

    pub fn chains(&self) -> &Chains {
        &self.chains
    }

    /// How many tasks the correlation memory holds.
    pub fn remembered_tasks(&self) -> usize {
        self.correlator.len()
    }
}

/// A failure from its frame and its place in the stream: redacted texts, the reason, routing per
/// relay, the group. Depends on nothing else, so it can be done on any thread.
pub fn build(
    at: DateTime<Utc>,
    f: &TaskFailed,
    placed: &Placed,
    bindings: &Bindings,
    names: &mut Interner,
) -> Failure {
    let family = placed.family;
    let session_lost = f.ids.chat_session_id.is_none() && placed.remembered.is_some();
    let session = match &f.ids.chat_session_id {
        Some(s) => Some(names.get(s)),
        None => placed.remembered.as_ref().map(|k| names.of_key(k)),
    };
    let reason = placed.reason.clone();
    let mut failure = Failure {
        seq: placed.seq,
        at,
        agent_id: f.ids.agent_id.as_deref().map(|a| names.get(a)),
        issue_id: f
            .ids
            .issue_id
            .as_deref()
            .filter(|_| !f.ids.has_chat_issue_id())
            .map(id),
        task_id: f.ids.task_id.as_deref().map(id),
        session,
        session_lost,
        reason_known: reason
            .as_deref()
            .is_some_and(|r| catalog::lookup(r).is_some()),
        reason,
        retry_pending: f.retry_pending,
        family,
        family_source: placed.family_source,
        era: Era::of(family, f),
        evidence: Evidence {
            error: f.error.as_deref().map(SeenText::new),
            alias: f.error_message.as_deref().map(SeenText::new),
            comment: placed.comment.as_deref().map(SeenText::new),
            api: None,
        },
        told: Told::Absent,
        rebuilt: None,
        routes: Routes::default(),
        leaked_to_chat: 0,
        retry_of: placed.retry_of.as_ref().map(IdKey::to_arc),
        attempt: placed.attempt,
        lookup: Lookup::None,
        api_attempt: None,
        group: Group::default(),
        typed_in_app: placed.typed_in_app,
        issue_title: placed.issue_title.clone(),
        workspace: placed.workspace.clone(),
        built: placed.built,
        inbox: None,
    };
    failure.derive((family, placed.family_source), bindings);
    failure
}

/// Names that repeat (agents, sessions, reasons) shared rather than copied per failure; reset
/// past a size so hostile input cannot grow it without bound.
#[derive(Debug, Default)]
pub struct Interner {
    names: FxHashMap<Box<str>, Arc<str>>,
    /// The same, found by key (a session remembered by the correlation memory).
    keyed: FxHashMap<IdKey, Arc<str>>,
}

impl Interner {
    /// The text of an id known by its key, shared.
    pub fn of_key(&mut self, key: &IdKey) -> Arc<str> {
        if let Some(a) = self.keyed.get(key) {
            return a.clone();
        }
        if self.keyed.len() >= INTERNER_CAPACITY {
            self.keyed.clear();
        }
        let a = key.to_arc();
        self.keyed.insert(key.clone(), a.clone());
        a
    }

    pub fn get(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.names.get(s) {
            return a.clone();
        }
        if self.names.len() >= INTERNER_CAPACITY {
            self.names.clear();
        }
        let a = id(s);
        self.names.insert(s.into(), a.clone());
        a
    }
}

/// An id, already made safe where it was decoded, shared.
fn id(s: &str) -> Arc<str> {
    Arc::from(s)
}

#[cfg(test)]
mod tests;
