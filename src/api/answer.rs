//! What an endpoint answered: matched to a task by its id (never by recency), and kept for the
//! lookups that come after it. Time is passed in, so what the cache gives is tested without a
//! clock.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::endpoint::Key;
use super::model::{ChatMessage, TaskRow};
use crate::enrich::{ApiAttempt, ApiSource, Recovered, SeenText};

/// Answers kept; past this the cache starts over (a busy agent's list is large).
const CACHE_ENTRIES: usize = 256;

#[derive(Clone, Debug)]
pub enum Answer {
    Rows(Arc<Vec<TaskRow>>),
    Messages(Arc<Vec<ChatMessage>>),
}

impl Answer {
    /// What this answer from `key` says of `task`, if it lists it.
    pub fn find(&self, task: &str, key: &Key) -> Option<Recovered> {
        match self {
            Answer::Rows(rows) => rows.iter().find(|r| r.id == task).map(|row| Recovered {
                source: key.source(),
                // `""` is the server's word that the daemon reported no text (a failed row's
                // error is always set, `FailAgentTask`); `null` says nothing.
                error: row.error.as_deref().map(SeenText::new),
                attempt: Some(ApiAttempt {
                    attempt: row.attempt,
                    max_attempts: row.max_attempts,
                    parent_task_id: row
                        .parent_task_id
                        .as_deref()
                        .filter(|p| !p.is_empty())
                        .map(|p| Arc::from(crate::redact::redact_id(p).as_ref())),
                }),
            }),
            // The assistant row written for the failed turn; the user's message has the same task.
            Answer::Messages(messages) => messages
                .iter()
                .find(|m| {
                    m.role == "assistant"
                        && m.failure_reason.is_some()
                        && m.task_id.as_deref() == Some(task)
                })
                .map(|m| Recovered {
                    source: ApiSource::ChatMessages,
                    // Written from the same text: empty when the daemon reported none.
                    error: Some(SeenText::new(&m.content)),
                    attempt: None,
                }),
        }
    }
}

struct Cached {
    fetched: DateTime<Utc>,
    answer: Answer,
}

#[derive(Default)]
pub struct Cache {
    by_key: HashMap<Key, Cached>,
}

impl Cache {
    /// `key`'s answer if it was read at or after `happened`: one read after the failure
    /// happened already holds its row.
    pub fn fresh(&self, key: &Key, happened: DateTime<Utc>) -> Option<Answer> {
        self.by_key
            .get(key)
            .filter(|c| c.fetched >= happened)
            .map(|c| c.answer.clone())
    }

    /// `key` answered `answer` at `fetched`.
    pub fn put(&mut self, key: Key, answer: Answer, fetched: DateTime<Utc>) {
        if self.by_key.len() >= CACHE_ENTRIES {
            self.by_key.clear();
        }
        self.by_key.insert(key, Cached { fetched, answer });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeDelta;

    fn row(id: &str, error: &str) -> TaskRow {
        TaskRow {
            id: id.into(),
            error: Some(error.into()),
            attempt: 2,
            max_attempts: 3,
            parent_task_id: Some("p1".into()),
            status: "failed".into(),
            ..TaskRow::default()
        }
    }

    fn message(role: &str, task: &str, reason: Option<&str>, content: &str) -> ChatMessage {
        ChatMessage {
            role: role.into(),
            content: content.into(),
            task_id: Some(task.into()),
            failure_reason: reason.map(Into::into),
        }
    }

    fn text(found: Option<Recovered>) -> Option<String> {
        found.and_then(|r| r.error).map(|e| e.text.into())
    }

    #[test]
    fn a_row_is_matched_by_its_task_id_not_by_its_place_in_the_list() {
        let rows = Answer::Rows(Arc::new(vec![
            row("newer", "disk full"),
            row("t1", "exit status 1"),
        ]));
        let key = Key::Agent("a".into());
        let found = rows.find("t1", &key).unwrap();
        assert_eq!(found.source, ApiSource::AgentTasks);
        assert_eq!(found.error.unwrap().text.as_ref(), "exit status 1");
        let attempt = found.attempt.unwrap();
        assert_eq!((attempt.attempt, attempt.max_attempts), (2, 3));
        assert_eq!(attempt.parent_task_id.as_deref(), Some("p1"));
        assert!(rows.find("elsewhere", &key).is_none());
    }

    #[test]
    fn a_row_with_an_empty_error_says_the_text_was_empty() {
        let rows = Answer::Rows(Arc::new(vec![row("t1", "")]));
        let found = rows.find("t1", &Key::Issue("i".into())).unwrap();
        assert_eq!(found.source, ApiSource::IssueRuns);
        assert_eq!(text(Some(found)).as_deref(), Some(""));
        let unset = TaskRow {
            error: None,
            ..row("t2", "")
        };
        let rows = Answer::Rows(Arc::new(vec![unset]));
        let found = rows.find("t2", &Key::Issue("i".into())).unwrap();
        assert!(found.error.is_none(), "null tells nothing");
    }

    #[test]
    fn only_the_assistants_failure_message_for_the_task_is_taken() {
        let key = Key::Session("s".into());
        let messages = Answer::Messages(Arc::new(vec![
            message("user", "t1", None, "please fix it"),
            message("assistant", "t1", None, "working on it"),
            message("assistant", "t2", Some("agent_error"), "other task"),
            message("assistant", "t1", Some("agent_error"), "the model refused"),
        ]));
        assert_eq!(
            text(messages.find("t1", &key)).as_deref(),
            Some("the model refused")
        );
        let only_user = Answer::Messages(Arc::new(vec![message("user", "t1", None, "hi")]));
        assert!(only_user.find("t1", &key).is_none());
    }

    #[test]
    fn an_answer_read_before_the_failure_happened_is_not_used_for_it() {
        let t0 = Utc::now();
        let key = Key::Agent("a".into());
        let mut cache = Cache::default();
        cache.put(key.clone(), Answer::Rows(Arc::new(Vec::new())), t0);
        assert!(cache.fresh(&key, t0).is_some(), "read as it happened");
        assert!(cache.fresh(&key, t0 - TimeDelta::seconds(1)).is_some());
        assert!(cache.fresh(&key, t0 + TimeDelta::milliseconds(1)).is_none());
        assert!(cache.fresh(&Key::Agent("b".into()), t0).is_none());
    }

    #[test]
    fn past_its_size_the_cache_starts_over() {
        let t0 = Utc::now();
        let mut cache = Cache::default();
        let key = |n: usize| Key::Agent(n.to_string().into());
        let empty = || Answer::Rows(Arc::new(Vec::new()));
        for n in 0..CACHE_ENTRIES {
            cache.put(key(n), empty(), t0);
        }
        assert!(cache.fresh(&key(0), t0).is_some());
        cache.put(key(CACHE_ENTRIES), empty(), t0);
        assert!(cache.fresh(&key(0), t0).is_none());
        assert!(cache.fresh(&key(CACHE_ENTRIES), t0).is_some());
    }
}
