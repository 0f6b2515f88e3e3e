//! Retry chains. A server retry is a new child task: its `task:queued` (same agent, same chat
//! session or issue, a new task id) comes just before the parent's `task:failed`, or later for a
//! deferred retry. Nothing on the wire links the two, so they are linked here, and how each
//! attempt ended is remembered so a failure can show the whole chain.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};

use super::Family;
use rustc_hash::FxHashMap;

use super::IdKey;
use crate::bounded::BoundedMap;
use crate::protocol::{TaskEvent, TaskFailed, TaskIds, TaskStage};

/// A child's `task:queued` is published in the same server call as the parent's failure.
const IMMEDIATE_WINDOW: Duration = Duration::seconds(10);
/// A deferred child (runtime back online, the network's last attempt) is queued later.
const DEFERRED_WINDOW: Duration = Duration::hours(1);
const RECENT_QUEUED: usize = 512;
const MEMORY: usize = 50_000;

/// Reasons each family retries automatically (upstream `retryableReasons`; the fork's four).
fn retried_by(family: Family, reason: &str) -> bool {
    const BOTH: [&str; 4] = [
        "runtime_offline",
        "runtime_recovery",
        "timeout",
        "codex_semantic_inactivity",
    ];
    BOTH.contains(&reason)
        || (family == Family::Upstream
            && matches!(
                reason,
                "agent_error.provider_network" | "skill_bundle_unavailable"
            ))
}

/// How one attempt ended, as far as the wire showed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AttemptEnd {
    Failed {
        reason: Option<Arc<str>>,
        retry_pending: bool,
        at: DateTime<Utc>,
    },
    Completed(DateTime<Utc>),
    Cancelled(DateTime<Utc>),
}

/// One attempt of a chain, oldest first; `end` is `None` while it is queued or running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attempt {
    pub task_id: Arc<str>,
    pub end: Option<AttemptEnd>,
}

struct Queued {
    task: IdKey,
    scope: Scope,
    at: DateTime<Utc>,
}

/// What a retry keeps: the agent, and the chat session or the issue.
#[derive(Clone, PartialEq, Eq, Hash)]
struct Scope {
    agent: IdKey,
    scope: IdKey,
}

impl Scope {
    fn hash(&self) -> u64 {
        use std::hash::BuildHasher;
        rustc_hash::FxBuildHasher.hash_one(self)
    }
}

/// The last [`RECENT_QUEUED`] queued tasks, oldest first, that may be a failure's retry child.
#[derive(Default)]
struct RecentQueued {
    queued: VecDeque<Queued>,
    /// The hash of each one's scope, in the same order …
    hashes: VecDeque<u64>,
    /// … and how many have each: most failures' scopes have none, and need no look at all.
    present: FxHashMap<u64, u32>,
}

impl RecentQueued {
    fn push(&mut self, q: Queued) {
        let hash = q.scope.hash();
        self.hashes.push_back(hash);
        self.queued.push_back(q);
        *self.present.entry(hash).or_default() += 1;
        if self.queued.len() > RECENT_QUEUED {
            self.take(0);
        }
    }

    fn take(&mut self, i: usize) -> Option<Queued> {
        let hash = self.hashes.remove(i)?;
        if let Some(n) = self.present.get_mut(&hash) {
            *n -= 1;
            if *n == 0 {
                self.present.remove(&hash);
            }
        }
        self.queued.remove(i)
    }

    /// The newest queued task in `scope`, of another task than `task`, queued at most
    /// [`IMMEDIATE_WINDOW`] before `at`: taken out.
    fn take_child(&mut self, scope: &Scope, task: &IdKey, at: DateTime<Utc>) -> Option<Queued> {
        let hash = scope.hash();
        if !self.present.contains_key(&hash) {
            return None;
        }
        let found = (0..self.queued.len()).rev().find(|&i| {
            self.hashes[i] == hash && {
                let q = &self.queued[i];
                q.scope == *scope && q.task != *task && (at - q.at) <= IMMEDIATE_WINDOW
            }
        })?;
        self.take(found)
    }
}

pub struct Chains {
    recent_queued: RecentQueued,
    /// (agent, scope) → a parent whose retry is deferred.
    awaiting_child: BoundedMap<Scope, (IdKey, DateTime<Utc>)>,
    parent_of: BoundedMap<IdKey, IdKey>,
    child_of: BoundedMap<IdKey, IdKey>,
    ends: BoundedMap<IdKey, AttemptEnd>,
}

impl Default for Chains {
    fn default() -> Self {
        Chains {
            recent_queued: RecentQueued::default(),
            awaiting_child: BoundedMap::new(MEMORY),
            parent_of: BoundedMap::new(MEMORY),
            child_of: BoundedMap::new(MEMORY),
            ends: BoundedMap::new(MEMORY),
        }
    }
}

impl std::fmt::Debug for Chains {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chains")
            .field("links", &self.parent_of.len())
            .finish()
    }
}

/// The scope a retry keeps: the agent and the chat session (`session`, which may be remembered
/// when the frame lost it) or the issue.
fn scope(ids: &TaskIds, session: Option<&IdKey>) -> Option<Scope> {
    let agent = IdKey::of(ids.agent_id.as_deref()?);
    let scope = match session {
        Some(s) => s.clone(),
        None => IdKey::of(
            ids.issue_id
                .as_deref()
                .filter(|_| !ids.has_chat_issue_id())?,
        ),
    };
    Some(Scope { agent, scope })
}

impl Chains {
    /// A lifecycle event of `task` (its key), in `session` if it has one.
    pub fn observe_task(
        &mut self,
        at: DateTime<Utc>,
        t: &TaskEvent,
        task: IdKey,
        session: Option<&IdKey>,
    ) {
        match t.stage {
            TaskStage::Queued => {
                let Some(scope) = scope(&t.ids, session) else {
                    return;
                };
                if let Some((parent, since)) = self.awaiting_child.remove(&scope) {
                    if at - since <= DEFERRED_WINDOW && parent != task {
                        self.link(parent, task);
                        return;
                    }
                }
                self.recent_queued.push(Queued { task, scope, at });
            }
            TaskStage::Completed => self.end(task, AttemptEnd::Completed(at)),
            TaskStage::Cancelled => self.end(task, AttemptEnd::Cancelled(at)),
            _ => {}
        }
    }

    /// Record a failure of `task` (`session`: its chat session, remembered if the frame lost
    /// it); returns the parent task when this failed task is a retry child, and its attempt
    /// (1 = first).
    pub fn observe_failure(
        &mut self,
        at: DateTime<Utc>,
        family: Family,
        f: &TaskFailed,
        task: IdKey,
        session: Option<&IdKey>,
        reason: Option<&Arc<str>>,
    ) -> (Option<IdKey>, u32) {
        let retry_pending = f.retry_pending == Some(true);
        self.end(
            task.clone(),
            AttemptEnd::Failed {
                reason: reason.cloned(),
                retry_pending,
                at,
            },
        );
        // Was a child announced for it? Upstream says so; elsewhere a retried reason must agree.
        let retried = match f.retry_pending {
            Some(pending) => pending,
            None => reason.is_some_and(|r| retried_by(family, r)),
        };
        if retried && self.child_of.get(&task).is_none() {
            if let Some(scope) = scope(&f.ids, session) {
                match self.recent_queued.take_child(&scope, &task, at) {
                    Some(q) => self.link(task.clone(), q.task),
                    // Only a pending retry is sure to come; wait for it.
                    None if f.retry_pending == Some(true) => {
                        self.awaiting_child.insert(scope, (task.clone(), at));
                    }
                    None => {}
                }
            }
        }
        (self.parent_of.get(&task).cloned(), self.attempt_of(&task))
    }

    fn link(&mut self, parent: IdKey, child: IdKey) {
        self.parent_of.insert(child.clone(), parent.clone());
        self.child_of.insert(parent, child);
    }

    fn end(&mut self, task: IdKey, end: AttemptEnd) {
        // Remember ends of every failure (it may become a parent) and of chain members.
        if matches!(end, AttemptEnd::Failed { .. })
            || self.parent_of.get(&task).is_some()
            || self.child_of.get(&task).is_some()
        {
            self.ends.insert(task, end);
        }
    }

    pub fn parent(&self, task: &str) -> Option<Arc<str>> {
        self.parent_of.get(&IdKey::of(task)).map(IdKey::to_arc)
    }

    /// 1 for a first attempt, 2 for its retry, …
    pub fn attempt_number(&self, task: &str) -> u32 {
        self.attempt_of(&IdKey::of(task))
    }

    fn attempt_of(&self, task: &IdKey) -> u32 {
        let mut n = 1;
        let mut t = task;
        while let Some(p) = self.parent_of.get(t) {
            n += 1;
            t = p;
            if n > 64 {
                break;
            }
        }
        n
    }

    /// The whole chain this task belongs to, first attempt first. A lone task gives one attempt.
    pub fn attempts(&self, task: &str) -> Vec<Attempt> {
        let mut first = IdKey::of(task);
        let mut guard = 0;
        while let Some(p) = self.parent_of.get(&first) {
            first = p.clone();
            guard += 1;
            if guard > 64 {
                break;
            }
        }
        let mut out = Vec::new();
        let mut next = Some(first);
        while let Some(t) = next.take() {
            next = self.child_of.get(&t).cloned();
            out.push(Attempt {
                end: self.ends.get(&t).cloned(),
                task_id: t.to_arc(),
            });
            if out.len() > 64 {
                break;
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{decode, Event};

    fn feed(c: &mut Chains, family: Family, lines: &[(i64, &str)]) -> Vec<Option<Arc<str>>> {
        let t0 = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let mut parents = Vec::new();
        for (dt, line) in lines {
            let at = t0 + Duration::seconds(*dt);
            let key = |id: &Option<std::borrow::Cow<str>>| id.as_deref().map(IdKey::of);
            match decode(line).unwrap() {
                Event::Task(t) => {
                    let session = key(&t.ids.chat_session_id);
                    c.observe_task(at, &t, key(&t.ids.task_id).unwrap(), session.as_ref())
                }
                Event::TaskFailed(f) => {
                    let reason = f.failure_reason.as_deref().map(Arc::from);
                    let (task, session) = (key(&f.ids.task_id), key(&f.ids.chat_session_id));
                    let (parent, _) = c.observe_failure(
                        at,
                        family,
                        &f,
                        task.unwrap(),
                        session.as_ref(),
                        reason.as_ref(),
                    );
                    parents.push(parent.map(|p| p.to_arc()));
                }
                _ => {}
            }
        }
        parents
    }

    const Q_CHILD: &str = r#"{"type":"task:queued","payload":{"task_id":"t2","agent_id":"a","issue_id":"","chat_session_id":"s","status":"queued"}}"#;
    const F_PARENT: &str = r#"{"type":"task:failed","payload":{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"s","failure_reason":"agent_error.provider_network","retry_pending":true,"status":"failed"}}"#;
    const F_CHILD: &str = r#"{"type":"task:failed","payload":{"task_id":"t2","agent_id":"a","issue_id":"","chat_session_id":"s","failure_reason":"agent_error.provider_network","retry_pending":false,"status":"failed"}}"#;

    #[test]
    fn an_immediate_retry_is_linked_and_the_chain_ends_with_the_last_attempt() {
        let mut c = Chains::default();
        let parents = feed(
            &mut c,
            Family::Upstream,
            &[(0, Q_CHILD), (0, F_PARENT), (30, F_CHILD)],
        );
        assert_eq!(parents[0], None);
        assert_eq!(parents[1].as_deref(), Some("t1"));
        assert_eq!(c.attempt_number("t2"), 2);
        let chain = c.attempts("t1");
        assert_eq!(chain.len(), 2);
        assert!(matches!(
            chain[1].end,
            Some(AttemptEnd::Failed {
                retry_pending: false,
                ..
            })
        ));
        assert_eq!(c.attempts("t2"), chain);
    }

    #[test]
    fn a_deferred_retry_is_linked_when_its_child_is_queued_later() {
        let mut c = Chains::default();
        feed(
            &mut c,
            Family::Upstream,
            &[
                (0, F_PARENT),
                (90, Q_CHILD),
                (
                    120,
                    r#"{"type":"task:completed","payload":{"task_id":"t2","agent_id":"a","issue_id":"","chat_session_id":"s","status":"completed"}}"#,
                ),
            ],
        );
        let chain = c.attempts("t1");
        assert_eq!(chain.len(), 2);
        assert!(matches!(chain[1].end, Some(AttemptEnd::Completed(_))));
    }

    #[test]
    fn another_sessions_task_or_a_terminal_failure_is_not_a_retry() {
        let mut c = Chains::default();
        let other = Q_CHILD.replace("\"s\"", "\"other\"");
        feed(&mut c, Family::Upstream, &[(0, &other), (0, F_PARENT)]);
        assert_eq!(c.attempts("t1").len(), 1);
        let mut c = Chains::default();
        let terminal = F_PARENT.replace("true", "false");
        feed(&mut c, Family::Upstream, &[(0, Q_CHILD), (0, &terminal)]);
        assert_eq!(c.attempts("t1").len(), 1);
    }

    #[test]
    fn the_fork_links_by_a_retried_reason_without_retry_pending() {
        let mut c = Chains::default();
        let fork = |reason: &str| {
            format!(
                r#"{{"type":"task:failed","payload":{{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"s","failure_reason":"{reason}","status":"failed","error":"task timed out"}}}}"#
            )
        };
        feed(&mut c, Family::Octo, &[(0, Q_CHILD), (0, &fork("timeout"))]);
        assert_eq!(c.attempts("t1").len(), 2);
        let mut c = Chains::default();
        feed(
            &mut c,
            Family::Octo,
            &[(0, Q_CHILD), (0, &fork("agent_error.provider_network"))],
        );
        assert_eq!(c.attempts("t1").len(), 1, "the fork does not retry it");
    }
}
