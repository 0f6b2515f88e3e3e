//! Which endpoint answers for a task: its issue's runs; else its agent's tasks, then its chat's
//! messages. One the token may not read (a 403) is skipped, and a lookup that found nothing on
//! one moves to the next.

use std::collections::HashSet;
use std::sync::Arc;

use crate::enrich::{ApiSource, LookupRequest};

/// An endpoint that can answer for a task; lookups that need the same one share its request.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Key {
    Issue(Arc<str>),
    Agent(Arc<str>),
    Session(Arc<str>),
}

impl Key {
    pub fn source(&self) -> ApiSource {
        match self {
            Key::Issue(_) => ApiSource::IssueRuns,
            Key::Agent(_) => ApiSource::AgentTasks,
            Key::Session(_) => ApiSource::ChatMessages,
        }
    }
}

/// The endpoint to try for a lookup, never one in `forbidden`; `after` skips those tried before
/// it. An issue's task has its runs only: the agent's list would hold the same row.
pub fn first_key(
    req: &LookupRequest,
    after: Option<&Key>,
    forbidden: &HashSet<Key>,
) -> Option<Key> {
    let mut keys = Vec::new();
    if let Some(i) = &req.issue_id {
        keys.push(Key::Issue(Arc::clone(i)));
    } else {
        keys.extend(req.agent_id.as_ref().map(|a| Key::Agent(Arc::clone(a))));
        keys.extend(req.session.as_ref().map(|s| Key::Session(Arc::clone(s))));
    }
    let start = after
        .and_then(|k| keys.iter().position(|x| x == k))
        .map_or(0, |i| i + 1);
    keys.into_iter()
        .skip(start)
        .find(|k| !forbidden.contains(k))
}

/// Why a lookup has no endpoint at all.
pub fn no_endpoint(req: &LookupRequest) -> String {
    if req.issue_id.is_none() && req.agent_id.is_none() && req.session.is_none() {
        "the event names no issue, agent or chat to ask about".to_owned()
    } else {
        "no endpoint this token may read answers for this task".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn lookup(issue: Option<&str>, agent: Option<&str>, session: Option<&str>) -> LookupRequest {
        LookupRequest {
            task_id: "t".into(),
            issue_id: issue.map(Arc::from),
            agent_id: agent.map(Arc::from),
            session: session.map(Arc::from),
            at: Utc::now(),
        }
    }

    #[test]
    fn an_issue_task_is_asked_of_its_issue_runs_only() {
        let req = lookup(Some("i"), Some("a"), Some("s"));
        let none = HashSet::new();
        let first = first_key(&req, None, &none);
        assert_eq!(first, Some(Key::Issue("i".into())));
        assert_eq!(first_key(&req, first.as_ref(), &none), None);
    }

    #[test]
    fn a_chat_task_is_asked_of_its_agent_then_of_its_chat() {
        let req = lookup(None, Some("a"), Some("s"));
        let none = HashSet::new();
        let first = first_key(&req, None, &none);
        assert_eq!(first, Some(Key::Agent("a".into())));
        let second = first_key(&req, first.as_ref(), &none);
        assert_eq!(second, Some(Key::Session("s".into())));
        assert_eq!(first_key(&req, second.as_ref(), &none), None);
    }

    #[test]
    fn an_endpoint_that_refused_the_token_is_skipped() {
        let req = lookup(None, Some("a"), Some("s"));
        let forbidden = HashSet::from([Key::Agent("a".into())]);
        assert_eq!(
            first_key(&req, None, &forbidden),
            Some(Key::Session("s".into()))
        );
        let both = HashSet::from([Key::Agent("a".into()), Key::Session("s".into())]);
        assert_eq!(first_key(&req, None, &both), None);
        assert_eq!(
            no_endpoint(&req),
            "no endpoint this token may read answers for this task"
        );
    }

    #[test]
    fn an_event_that_names_nothing_to_ask_about_says_so() {
        let req = lookup(None, None, None);
        assert_eq!(first_key(&req, None, &HashSet::new()), None);
        assert_eq!(
            no_endpoint(&req),
            "the event names no issue, agent or chat to ask about"
        );
    }
}
