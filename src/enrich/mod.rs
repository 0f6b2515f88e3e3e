//! Decoded events → enriched failures: the server family and era, our redaction, the reason,
//! the error text the relays had (on the wire, in the system comment, rebuilt from the reason,
//! or withheld), routing per relay with bindings, lost sessions, retry chains and chat-side leaks.

mod failure;

pub use failure::{
    ApiAttempt, ApiSource, ErrorOrigin, Evidence, Failure, Lookup, LookupRequest, Recovered,
    Recovery, SeenText, Told,
};

use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use crate::catalog;
use crate::groups::Group;
use crate::protocol::{Event, TaskFailed};
use crate::routing::{
    Bindings, Chains, CommentMemory, Correlator, Era, Family, FamilySource, FamilyTracker, Routes,
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

/// Stateful enrichment: the family, correlation memory, comments, retry chains, bindings.
#[derive(Debug)]
pub struct Enricher {
    correlator: Correlator,
    comments: CommentMemory,
    chains: Chains,
    family: FamilyTracker,
    bindings: Arc<Bindings>,
    interned: FxHashMap<Box<str>, Arc<str>>,
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
            chains: Chains::default(),
            family: FamilyTracker::new(family),
            bindings,
            interned: FxHashMap::default(),
            next_seq: 0,
        }
    }

    /// An enricher with the same settings (family, bindings) and nothing remembered.
    pub fn fresh(&self) -> Enricher {
        Enricher::new(self.family.setting(), self.bindings.clone())
    }

    pub fn ingest(&mut self, at: DateTime<Utc>, event: &Event) -> Option<Update> {
        match event {
            Event::TaskFailed(f) => {
                let remembered = match f.ids.chat_session_id {
                    None => f
                        .ids
                        .task_id
                        .as_deref()
                        .and_then(|t| self.correlator.session_of(t).cloned()),
                    Some(_) => None,
                };
                self.correlator.observe(event);
                let family_changed = self.family.observe(f).is_some();
                let failure = self.failure(at, f, remembered);
                Some(Update {
                    failure: Box::new(failure),
                    family_changed,
                })
            }
            Event::Task(t) => {
                self.correlator.observe(event);
                self.chains.observe_task(at, t);
                None
            }
            Event::Comment(c) => {
                self.comments.observe(at, c);
                None
            }
            _ => {
                self.correlator.observe(event);
                None
            }
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
        let (family, _) = self.family.current();
        let reason = f.failure_reason.as_deref().map(|r| self.intern(r));
        let session_lost = f.ids.chat_session_id.is_none() && remembered.is_some();
        let session = match &f.ids.chat_session_id {
            Some(s) => Some(self.intern(s)),
            None => remembered,
        };
        let task_id = f.ids.task_id.as_deref().map(id);
        let comment = task_id
            .as_deref()
            .and_then(|t| self.comments.take(t, at))
            .map(|c| SeenText::new(&c));
        let retry_of =
            self.chains
                .observe_failure(at, family, f, session.as_deref(), reason.as_ref());
        let attempt = task_id
            .as_deref()
            .map_or(1, |t| self.chains.attempt_number(t));
        let mut failure = Failure {
            seq,
            at,
            agent_id: f.ids.agent_id.as_deref().map(|a| self.intern(a)),
            issue_id: f
                .ids
                .issue_id
                .as_deref()
                .filter(|_| !f.ids.has_chat_issue_id())
                .map(id),
            task_id,
            session,
            session_lost,
            reason_known: reason
                .as_deref()
                .is_some_and(|r| catalog::lookup(r).is_some()),
            reason,
            retry_pending: f.retry_pending,
            family,
            era: Era::of(family, f),
            evidence: Evidence {
                error: f.error.as_deref().map(SeenText::new),
                alias: f.error_message.as_deref().map(SeenText::new),
                comment,
                api: None,
            },
            told: Told::Absent,
            rebuilt: None,
            routes: Routes::default(),
            leaked_to_chat: 0,
            retry_of,
            attempt,
            lookup: Lookup::None,
            api_attempt: None,
            group: Group::default(),
        };
        failure.derive(family, &self.bindings);
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

    /// The family in effect and where it came from.
    pub fn family(&self) -> (Family, FamilySource) {
        self.family.current()
    }

    /// `task:failed` frames that looked like the other family.
    pub fn family_conflicts(&self) -> u64 {
        self.family.conflicts()
    }

    pub fn bindings(&self) -> &Bindings {
        &self.bindings
    }

    pub fn chains(&self) -> &Chains {
        &self.chains
    }

    /// How many tasks the correlation memory holds.
    pub fn remembered_tasks(&self) -> usize {
        self.correlator.len()
    }
}

/// An id, already made safe where it was decoded, shared.
fn id(s: &str) -> Arc<str> {
    Arc::from(s)
}

#[cfg(test)]
mod tests;
