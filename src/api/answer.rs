//! What an endpoint answered: decoded from its body (the rows before a cut, if it was cut),
//! matched to a task by its id (never by recency), and kept for the lookups that come after
//! it, within a bound in bytes. Time is passed in, so what the cache gives is tested without a
//! clock.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::body::{Body, ANSWER_BYTES};
use super::decode::decode;
use super::endpoint::Key;
use super::model::{ChatMessage, TaskRow};
use crate::enrich::{ApiAttempt, ApiSource, Recovered, SeenText};

/// Answers kept, at most …
const CACHE_ENTRIES: usize = 256;
/// … and their rows' weight, at most: past either, the oldest answers go first.
pub const CACHE_BYTES: usize = 32 << 20;

#[derive(Clone, Debug)]
pub enum Items {
    Rows(Arc<Vec<TaskRow>>),
    Messages(Arc<Vec<ChatMessage>>),
}

#[derive(Clone, Debug)]
pub struct Answer {
    pub items: Items,
    /// What the items weigh ([`super::decode::Weigh`]).
    pub bytes: usize,
    /// The body was longer than [`ANSWER_BYTES`]: only the items before the cut are here.
    pub cut: bool,
}

impl Answer {
    /// `key`'s answer from its body, cut or not.
    pub fn decode(key: &Key, body: &Body) -> Result<Answer, String> {
        let (bytes, cut) = (&body.bytes[..], body.cut);
        Ok(match key {
            Key::Issue(_) | Key::Agent(_) => {
                let d = decode::<TaskRow>(bytes, cut, ANSWER_BYTES)?;
                Answer {
                    items: Items::Rows(Arc::new(d.items)),
                    bytes: d.bytes,
                    cut: d.cut,
                }
            }
            Key::Session(_) => {
                let d = decode::<ChatMessage>(bytes, cut, ANSWER_BYTES)?;
                Answer {
                    items: Items::Messages(Arc::new(d.items)),
                    bytes: d.bytes,
                    cut: d.cut,
                }
            }
        })
    }

    /// Items kept.
    pub fn len(&self) -> usize {
        match &self.items {
            Items::Rows(r) => r.len(),
            Items::Messages(m) => m.len(),
        }
    }

    /// What a lookup this cut answer does not list is told.
    pub fn cut_why(&self, key: &Key) -> String {
        let what = match self.items {
            Items::Rows(_) => "rows",
            Items::Messages(_) => "messages",
        };
        format!(
            "answer cut at {} MiB: {} is longer (the server has no paging), and this task is not among the {} {what} before the cut",
            ANSWER_BYTES >> 20,
            key.answer_name(),
            self.len()
        )
    }

    /// What this answer from `key` says of `task`, if it lists it.
    pub fn find(&self, task: &str, key: &Key) -> Option<Recovered> {
        match &self.items {
            Items::Rows(rows) => rows.iter().find(|r| r.id == task).map(|row| Recovered {
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
            Items::Messages(messages) => messages
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
    /// Put in this one's turn: the lowest goes first.
    turn: u64,
}

#[derive(Default)]
pub struct Cache {
    by_key: HashMap<Key, Cached>,
    bytes: usize,
    turns: u64,
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

    /// `key` answered `answer` at `fetched`: kept, the oldest answers leaving to make room.
    pub fn put(&mut self, key: Key, answer: Answer, fetched: DateTime<Utc>) {
        self.remove(&key);
        if answer.bytes > CACHE_BYTES {
            return;
        }
        while self.by_key.len() >= CACHE_ENTRIES || self.bytes + answer.bytes > CACHE_BYTES {
            let Some(oldest) = self
                .by_key
                .iter()
                .min_by_key(|(_, c)| c.turn)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            self.remove(&oldest);
        }
        self.turns += 1;
        self.bytes += answer.bytes;
        let turn = self.turns;
        self.by_key.insert(
            key,
            Cached {
                fetched,
                answer,
                turn,
            },
        );
    }

    fn remove(&mut self, key: &Key) {
        if let Some(gone) = self.by_key.remove(key) {
            self.bytes -= gone.answer.bytes;
        }
    }

    /// What the kept answers weigh.
    #[cfg(test)]
    pub fn bytes(&self) -> usize {
        self.bytes
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

    fn rows(rows: Vec<TaskRow>) -> Answer {
        Answer {
            items: Items::Rows(Arc::new(rows)),
            bytes: 0,
            cut: false,
        }
    }

    fn messages(messages: Vec<ChatMessage>) -> Answer {
        Answer {
            items: Items::Messages(Arc::new(messages)),
            bytes: 0,
            cut: false,
        }
    }

    fn weighing(bytes: usize) -> Answer {
        Answer {
            bytes,
            ..rows(Vec::new())
        }
    }

    #[test]
    fn a_row_is_matched_by_its_task_id_not_by_its_place_in_the_list() {
        let rows = rows(vec![row("newer", "disk full"), row("t1", "exit status 1")]);
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
        let rows = rows(vec![row("t1", "")]);
        let found = rows.find("t1", &Key::Issue("i".into())).unwrap();
        assert_eq!(found.source, ApiSource::IssueRuns);
        assert_eq!(text(Some(found)).as_deref(), Some(""));
        let unset = TaskRow {
            error: None,
            ..row("t2", "")
        };
        let rows = super::tests::rows(vec![unset]);
        let found = rows.find("t2", &Key::Issue("i".into())).unwrap();
        assert!(found.error.is_none(), "null tells nothing");
    }

    #[test]
    fn only_the_assistants_failure_message_for_the_task_is_taken() {
        let key = Key::Session("s".into());
        let messages = messages(vec![
            message("user", "t1", None, "please fix it"),
            message("assistant", "t1", None, "working on it"),
            message("assistant", "t2", Some("agent_error"), "other task"),
            message("assistant", "t1", Some("agent_error"), "the model refused"),
        ]);
        assert_eq!(
            text(messages.find("t1", &key)).as_deref(),
            Some("the model refused")
        );
        let only_user = super::tests::messages(vec![message("user", "t1", None, "hi")]);
        assert!(only_user.find("t1", &key).is_none());
    }

    #[test]
    fn an_answer_read_before_the_failure_happened_is_not_used_for_it() {
        let t0 = Utc::now();
        let key = Key::Agent("a".into());
        let mut cache = Cache::default();
        cache.put(key.clone(), rows(Vec::new()), t0);
        assert!(cache.fresh(&key, t0).is_some(), "read as it happened");
        assert!(cache.fresh(&key, t0 - TimeDelta::seconds(1)).is_some());
        assert!(cache.fresh(&key, t0 + TimeDelta::milliseconds(1)).is_none());
        assert!(cache.fresh(&Key::Agent("b".into()), t0).is_none());
    }

    #[test]
    fn past_its_number_of_answers_the_oldest_goes_first() {
        let t0 = Utc::now();
        let mut cache = Cache::default();
        let key = |n: usize| Key::Agent(n.to_string().into());
        for n in 0..CACHE_ENTRIES {
            cache.put(key(n), weighing(1), t0);
        }
        assert!(cache.fresh(&key(0), t0).is_some());
        cache.put(key(CACHE_ENTRIES), weighing(1), t0);
        assert!(cache.fresh(&key(0), t0).is_none());
        assert!(cache.fresh(&key(1), t0).is_some());
        assert!(cache.fresh(&key(CACHE_ENTRIES), t0).is_some());
        assert_eq!(cache.bytes(), CACHE_ENTRIES);
    }

    #[test]
    fn past_its_bytes_the_oldest_answers_go_first_and_the_weight_stays_under_the_bound() {
        let t0 = Utc::now();
        let mut cache = Cache::default();
        let key = |n: usize| Key::Agent(n.to_string().into());
        let big = ANSWER_BYTES;
        for n in 0..10 {
            cache.put(key(n), weighing(big), t0);
            assert!(cache.bytes() <= CACHE_BYTES, "{}", cache.bytes());
        }
        let kept = CACHE_BYTES / big;
        assert_eq!(cache.bytes(), kept * big);
        assert!(cache.fresh(&key(9), t0).is_some());
        assert!(cache.fresh(&key(9 - kept), t0).is_none());
        // An answer put again replaces its own weight, not adds to it.
        cache.put(key(9), weighing(10), t0);
        assert_eq!(cache.bytes(), (kept - 1) * big + 10);
        cache.put(key(99), weighing(CACHE_BYTES + 1), t0);
        assert!(
            cache.fresh(&key(99), t0).is_none(),
            "heavier than the whole cache"
        );
    }

    fn body(text: &str, cut: bool) -> Body {
        Body {
            bytes: text.as_bytes().to_vec(),
            cut,
        }
    }

    #[test]
    fn a_cut_answer_still_answers_for_the_rows_before_the_cut_and_says_why_for_the_others() {
        let key = Key::Agent("a".into());
        let whole =
            r#"[{"id":"t1","error":"exit 1"},{"id":"t2","error":"exit 2"},{"id":"t3","error":"ex"#;
        let answer = Answer::decode(&key, &body(whole, true)).unwrap();
        assert!(answer.cut);
        assert_eq!(answer.len(), 2);
        assert_eq!(text(answer.find("t2", &key)).as_deref(), Some("exit 2"));
        assert!(answer.find("t3", &key).is_none(), "the row the cut fell in");
        assert_eq!(
            answer.cut_why(&key),
            "answer cut at 8 MiB: the agent's task list is longer (the server has no paging), and this task is not among the 2 rows before the cut"
        );
        let chat = Key::Session("s".into());
        let answer = Answer::decode(&chat, &body(r#"[{"role":"user"}]"#, false)).unwrap();
        assert!(!answer.cut && answer.len() == 1 && answer.bytes > 0);
        assert!(Answer::decode(&key, &body("<html>", false)).is_err());
    }
}
