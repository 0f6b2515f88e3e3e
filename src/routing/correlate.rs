//! Correlation memory: which chat session each task belongs to, learned from earlier events,
//! so a failure that arrives without its `chat_session_id` can be recognised as a lost notification.

use chrono::{DateTime, Duration, Utc};

use super::IdKey;
use crate::bounded::BoundedMap;
use crate::protocol::Comment;

/// Remembers task id → chat session id from every event that carries both.
#[derive(Debug)]
pub struct Correlator {
    sessions: BoundedMap<IdKey, IdKey>,
}

/// Enough for hours of a busy workspace; each entry is two short ids.
pub const DEFAULT_MEMORY: usize = 200_000;

impl Default for Correlator {
    fn default() -> Self {
        Correlator::new(DEFAULT_MEMORY)
    }
}

impl Correlator {
    pub fn new(capacity: usize) -> Self {
        Correlator {
            sessions: BoundedMap::new(capacity),
        }
    }

    /// Learn that `task` is of `session` (from any event that carries both: failures teach too,
    /// a retry's earlier attempt may carry the session).
    pub fn observe(&mut self, task: &IdKey, session: &IdKey) {
        self.sessions.set(task, session);
    }

    pub fn session_of(&self, task: &IdKey) -> Option<&IdKey> {
        self.sessions.get(task)
    }

    pub fn len(&self) -> usize {
        self.sessions.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty()
    }
}

/// The tasks whose turn was typed in Multica's web or mobile app: a `chat:message` with
/// `role: "user"` and the task's id is published only by the HTTP send handler (upstream
/// `handler/chat.go`); a turn from an IM channel publishes none. Retries inherit it.
#[derive(Debug)]
pub struct TypedTurns {
    tasks: BoundedMap<IdKey, ()>,
}

impl Default for TypedTurns {
    fn default() -> Self {
        TypedTurns {
            tasks: BoundedMap::new(DEFAULT_MEMORY),
        }
    }
}

impl TypedTurns {
    pub fn observe(&mut self, task: &IdKey) {
        self.tasks.set(task, &());
    }

    /// Whether `task`'s turn was typed in Multica; a retry of such a task is one too (and is
    /// remembered, for its own retries).
    pub fn typed(&mut self, task: &IdKey, retry_of: Option<&IdKey>) -> bool {
        if self.tasks.get(task).is_some() {
            return true;
        }
        let inherited = retry_of.is_some_and(|p| self.tasks.get(p).is_some());
        if inherited {
            self.observe(task);
        }
        inherited
    }
}

/// Issue titles by issue, as `comment:created` frames give them (`issue_title`), our redaction
/// applied: WeCom's inbox push names the issue.
#[derive(Debug)]
pub struct IssueTitles {
    titles: BoundedMap<IdKey, std::sync::Arc<str>>,
}

/// Titles kept; an old one past this is shown as not seen.
const TITLE_MEMORY: usize = 10_000;

impl Default for IssueTitles {
    fn default() -> Self {
        IssueTitles {
            titles: BoundedMap::new(TITLE_MEMORY),
        }
    }
}

impl IssueTitles {
    pub fn observe(&mut self, c: &Comment) {
        let (Some(issue), Some(title)) = (&c.issue_id, &c.issue_title) else {
            return;
        };
        let title = crate::redact::redact_line(title, crate::redact::MAX_MESSAGE_CHARS);
        self.titles.insert(IdKey::of(issue), title.into());
    }

    pub fn title(&self, issue: &str) -> Option<std::sync::Arc<str>> {
        self.titles.get(&IdKey::of(issue)).cloned()
    }
}

/// The server's failure comments by task, until their `task:failed` arrives (just after).
#[derive(Debug)]
pub struct CommentMemory {
    comments: BoundedMap<IdKey, (Box<str>, DateTime<Utc>)>,
}

/// The comment and the failure are published in one server call; allow for slow relays.
const COMMENT_WINDOW: Duration = Duration::minutes(2);
/// A comment is an error text: keep at most this much of it.
const COMMENT_MAX_BYTES: usize = 64 * 1024;
/// Comments wait here only until their `task:failed`, published in the same server call.
const COMMENT_MEMORY: usize = 1_000;

impl Default for CommentMemory {
    fn default() -> Self {
        CommentMemory {
            comments: BoundedMap::new(COMMENT_MEMORY),
        }
    }
}

impl CommentMemory {
    /// Remember a failure comment; other comments (progress updates, the delegated-recovery
    /// notices that share the `source_task_id`, people's comments) are ignored.
    pub fn observe(&mut self, at: DateTime<Utc>, c: &Comment) {
        if !c.is_failure_text() {
            return;
        }
        let (Some(task), Some(content)) = (&c.source_task_id, &c.content) else {
            return;
        };
        let mut cut = content.len().min(COMMENT_MAX_BYTES);
        while !content.is_char_boundary(cut) {
            cut -= 1;
        }
        self.comments
            .insert(IdKey::of(task), (content[..cut].into(), at));
    }

    /// The failure comment for this task, if one arrived shortly before `at`.
    pub fn take(&mut self, task: &IdKey, at: DateTime<Utc>) -> Option<Box<str>> {
        let (text, seen) = self.comments.remove(task)?;
        (at - seen <= COMMENT_WINDOW && seen - at <= COMMENT_WINDOW).then_some(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::protocol::{decode, Event};

    #[test]
    fn only_the_agents_system_comment_is_remembered_as_failure_text() {
        let t0 = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        let mut m = CommentMemory::default();
        let observe = |m: &mut CommentMemory, kind: &str, author: &str, task: &str| {
            let line = format!(
                r#"{{"type":"comment:created","payload":{{"comment":{{"type":"{kind}","author_type":"{author}","source_task_id":"{task}","content":"{kind} by {author}"}}}}}}"#
            );
            match decode(&line).unwrap() {
                Event::Comment(c) => m.observe(t0, &c),
                e => panic!("{e:?}"),
            }
        };
        observe(&mut m, "progress_update", "system", "t1");
        observe(&mut m, "system", "system", "t1");
        let t1 = IdKey::of("t1");
        assert_eq!(m.take(&t1, t0), None);
        observe(&mut m, "system", "agent", "t1");
        observe(&mut m, "progress_update", "system", "t1");
        assert_eq!(m.take(&t1, t0).as_deref(), Some("system by agent"));
        assert_eq!(m.take(&t1, t0), None, "taken once");
        observe(&mut m, "system", "agent", "t2");
        let t2 = IdKey::of("t2");
        assert_eq!(m.take(&t2, t0 + Duration::minutes(10)), None, "too old");
    }

    #[test]
    fn remembers_sessions_from_lifecycle_and_chat_events() {
        let mut c = Correlator::new(10);
        for line in [
            r#"{"type":"task:queued","payload":{"task_id":"t1","chat_session_id":"s1"}}"#,
            r#"{"type":"chat:message","payload":{"task_id":"t2","chat_session_id":"s2","role":"user"}}"#,
            r#"{"type":"task:queued","payload":{"task_id":"t3","issue_id":"i"}}"#,
        ] {
            if let Some((task, session)) = decode(line).unwrap().task_and_session() {
                c.observe(&IdKey::of(task), &IdKey::of(session));
            }
        }
        let session_of = |t: &str| c.session_of(&IdKey::of(t)).map(ToString::to_string);
        assert_eq!(session_of("t1").as_deref(), Some("s1"));
        assert_eq!(session_of("t2").as_deref(), Some("s2"));
        assert_eq!(session_of("t3"), None);
    }
}
