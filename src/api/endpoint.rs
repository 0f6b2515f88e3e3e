//! Which endpoint answers for a task: its issue's runs; else its agent's tasks, then its chat's
//! messages. One the token may not read (a 403) is skipped, one whose id cannot be a path
//! segment ([`super::id`]) is never asked, and a lookup that found nothing on one moves to the
//! next.

use std::collections::HashSet;
use std::sync::Arc;

use super::id;
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

    /// The endpoint's path, below the API's base; or why its id cannot be put in one.
    pub fn path(&self) -> Result<String, String> {
        let (what, id) = match self {
            Key::Issue(i) => ("issue", i),
            Key::Agent(a) => ("agent", a),
            Key::Session(s) => ("chat session", s),
        };
        let segment = id::segment(id).map_err(|why| id::refused(what, id, why))?;
        Ok(match self {
            Key::Issue(_) => format!("/api/issues/{segment}/task-runs"),
            Key::Agent(_) => format!("/api/agents/{segment}/tasks"),
            Key::Session(_) => format!("/api/chat/sessions/{segment}/messages"),
        })
    }

    /// What its answer is called where a lookup is told about it.
    pub fn answer_name(&self) -> &'static str {
        match self {
            Key::Issue(_) => "the issue's runs",
            Key::Agent(_) => "the agent's task list",
            Key::Session(_) => "the chat's messages",
        }
    }
}

/// The endpoints that can answer for a lookup, in the order they are asked.
fn keys(req: &LookupRequest) -> Vec<Key> {
    let mut keys = Vec::new();
    if let Some(i) = &req.issue_id {
        keys.push(Key::Issue(Arc::clone(i)));
    } else {
        keys.extend(req.agent_id.as_ref().map(|a| Key::Agent(Arc::clone(a))));
        keys.extend(req.session.as_ref().map(|s| Key::Session(Arc::clone(s))));
    }
    keys
}

/// The endpoint to try for a lookup, never one in `forbidden` nor one whose id cannot be put in
/// a path; `after` skips those tried before it. An issue's task has its runs only: the agent's
/// list would hold the same row.
pub fn first_key(
    req: &LookupRequest,
    after: Option<&Key>,
    forbidden: &HashSet<Key>,
) -> Option<Key> {
    let keys = keys(req);
    let start = after
        .and_then(|k| keys.iter().position(|x| x == k))
        .map_or(0, |i| i + 1);
    keys.into_iter()
        .skip(start)
        .find(|k| !forbidden.contains(k) && k.path().is_ok())
}

/// Why a lookup has no endpoint at all.
pub fn no_endpoint(req: &LookupRequest) -> String {
    let keys = keys(req);
    if keys.is_empty() {
        return "the event names no issue, agent or chat to ask about".to_owned();
    }
    match keys.iter().find_map(|k| k.path().err()) {
        Some(refused) => refused,
        None => "no endpoint this token may read answers for this task".to_owned(),
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
    fn an_id_that_is_not_one_path_segment_is_never_asked_and_the_lookup_is_told_why() {
        let none = HashSet::new();
        let dots = lookup(Some(".."), None, None);
        assert_eq!(first_key(&dots, None, &none), None);
        let why = no_endpoint(&dots);
        assert!(
            why.starts_with("the event's issue id \"..\" cannot be put in a URL"),
            "{why}"
        );
        // A chat task whose agent id is unusable is asked of its chat.
        let req = lookup(None, Some("a/../b"), Some("s"));
        assert_eq!(first_key(&req, None, &none), Some(Key::Session("s".into())));
        let req = lookup(None, Some(".."), Some("."));
        assert_eq!(first_key(&req, None, &none), None);
        assert!(
            no_endpoint(&req).contains("agent id"),
            "{}",
            no_endpoint(&req)
        );
    }

    #[test]
    fn the_paths_are_the_three_reads() {
        let path = |k: Key| k.path().unwrap();
        assert_eq!(
            path(Key::Issue("ACME-42".into())),
            "/api/issues/ACME-42/task-runs"
        );
        assert_eq!(path(Key::Agent("a1".into())), "/api/agents/a1/tasks");
        assert_eq!(
            path(Key::Session("s1".into())),
            "/api/chat/sessions/s1/messages"
        );
        assert!(Key::Session(".".into()).path().is_err());
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
