//! The wire: frames from a Multica realtime WebSocket (or a capture of one) decoded into typed events.
//!
//! Decoding never panics. Every input either becomes an [`Event`] or a [`Rejection`] that says why,
//! so callers can count and show what they skipped.

mod decode;
pub(crate) mod fast;
mod ulid;

pub(crate) use fast::{decode_line, LineRead};

/// An event and its `event_id`, when it carries a ULID one.
pub type Identified<'a> = (Event<'a>, Option<Ulid>);
pub use decode::{decode, decode_with_id, MAX_FRAME_BYTES};
#[doc(hidden)]
pub use decode::{decode_exact, decode_fast};

/// The `task:failed` payload fields failwatch reads (and a recording keeps).
pub const TASK_FAILED_FIELDS: [&str; 9] = [
    "task_id",
    "agent_id",
    "issue_id",
    "chat_session_id",
    "status",
    "failure_reason",
    "retry_pending",
    "error",
    "error_message",
];
pub use ulid::Ulid;

use std::borrow::Cow;

use chrono::{DateTime, Utc};

/// A window in which events may have been missed: a disconnect, history a stream no longer
/// holds. `to` is `None` while it is still open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Gap {
    pub from: DateTime<Utc>,
    pub to: Option<DateTime<Utc>>,
    /// Why, in a few words (already safe to show).
    pub why: String,
}

/// One text frame as it arrived, stamped with its receive time (the wire carries no timestamp)
/// and the workspace whose connection or stream carried it (the frame itself does not say).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Frame {
    pub received_at: DateTime<Utc>,
    pub text: String,
    pub workspace: Option<std::sync::Arc<str>>,
}

/// A string field of a frame: borrowed from the frame's text, copied only when it held escapes
/// or had to be cleaned.
pub type Text<'a> = Option<Cow<'a, str>>;

/// Identifiers shared by every task lifecycle payload. Empty strings are normalised to `None`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskIds<'a> {
    pub task_id: Text<'a>,
    pub agent_id: Text<'a>,
    /// Kept as sent: the all-zero UUID or "" marks a chat task.
    pub issue_id: Text<'a>,
    pub chat_session_id: Text<'a>,
}

impl TaskIds<'_> {
    /// Chat tasks carry an empty or all-zero issue id; issue tasks a real one.
    pub fn has_chat_issue_id(&self) -> bool {
        match &self.issue_id {
            None => false,
            Some(id) => id.is_empty() || id.bytes().all(|b| b == b'0' || b == b'-'),
        }
    }
}

/// Non-failure task lifecycle events (`task:queued`, `task:dispatch`, …).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TaskStage {
    Queued,
    Dispatch,
    Running,
    WaitingLocalDirectory,
    Progress,
    Completed,
    Message,
    Cancelled,
}

impl TaskStage {
    pub fn from_type(event_type: &str) -> Option<TaskStage> {
        Some(match event_type {
            "task:queued" => TaskStage::Queued,
            "task:dispatch" => TaskStage::Dispatch,
            "task:running" => TaskStage::Running,
            "task:waiting_local_directory" => TaskStage::WaitingLocalDirectory,
            "task:progress" => TaskStage::Progress,
            "task:completed" => TaskStage::Completed,
            "task:message" => TaskStage::Message,
            "task:cancelled" => TaskStage::Cancelled,
            _ => return None,
        })
    }

    pub fn event_type(self) -> &'static str {
        match self {
            TaskStage::Queued => "task:queued",
            TaskStage::Dispatch => "task:dispatch",
            TaskStage::Running => "task:running",
            TaskStage::WaitingLocalDirectory => "task:waiting_local_directory",
            TaskStage::Progress => "task:progress",
            TaskStage::Completed => "task:completed",
            TaskStage::Message => "task:message",
            TaskStage::Cancelled => "task:cancelled",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskEvent<'a> {
    pub stage: TaskStage,
    pub ids: TaskIds<'a>,
}

/// A `task:failed` payload in any of its historical shapes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskFailed<'a> {
    pub ids: TaskIds<'a>,
    pub failure_reason: Text<'a>,
    pub retry_pending: Option<bool>,
    /// `error` as sent (already redacted by the server's rules, not by ours).
    pub error: Text<'a>,
    /// `error_message`, the alias some forks send instead of `error`.
    pub error_message: Text<'a>,
}

/// A `chat:message` or `chat:done` frame, reduced to what ties a task to its chat session.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChatEvent<'a> {
    pub chat_session_id: Text<'a>,
    pub task_id: Text<'a>,
    /// `role: "user"` with a task: a turn typed in Multica's web or mobile app (only the HTTP
    /// send handler publishes those; turns from an IM channel publish no `chat:message`).
    pub from_user: bool,
}

/// A `comment:created` frame, reduced to what identifies the server's failure comment: for a
/// terminal issue-task failure the server posts the (server-redacted) error as a `system` comment
/// authored by the agent, with `source_task_id` = the failed task, just before `task:failed`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Comment<'a> {
    pub source_task_id: Text<'a>,
    /// `comment.type`: `system` for the failure comment, `progress_update`, `comment`, …
    pub kind: Text<'a>,
    pub author_type: Text<'a>,
    pub content: Text<'a>,
    /// `comment.issue_id`: the issue commented on.
    pub issue_id: Text<'a>,
    /// The payload's `issue_title`, as sent (outside text: redacted where it is kept).
    pub issue_title: Text<'a>,
}

impl Comment<'_> {
    /// The server's failure comment (not a progress update sharing the task id).
    pub fn is_failure_text(&self) -> bool {
        self.kind.as_deref() == Some("system") && self.author_type.as_deref() == Some("agent")
    }
}

/// Control frames share the `type` field with events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Control {
    AuthAck,
    Pong,
    SubscribeAck,
    SubscribeError(Option<String>),
    UnsubscribeAck,
}

/// One decoded frame. Its strings borrow from the frame's text: an event is read, enriched and
/// dropped while the text is at hand, and nothing is copied that enrichment does not keep.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event<'a> {
    TaskFailed(TaskFailed<'a>),
    Task(TaskEvent<'a>),
    ChatMessage(ChatEvent<'a>),
    ChatDone(ChatEvent<'a>),
    Comment(Comment<'a>),
    Control(Control),
    /// A bare `{"error": "…"}` frame: how the server reports auth failures before closing.
    ServerError(String),
    /// Any other event type: counted, not interpreted.
    Other(Cow<'a, str>),
}

/// The types an event of a known kind has, in a fixed order ([`Event::known_type`]).
pub const KNOWN_TYPES: [&str; 18] = [
    "task:failed",
    "task:queued",
    "task:dispatch",
    "task:running",
    "task:waiting_local_directory",
    "task:progress",
    "task:completed",
    "task:message",
    "task:cancelled",
    "chat:message",
    "chat:done",
    "comment:created",
    "auth_ack",
    "pong",
    "subscribe_ack",
    "subscribe_error",
    "unsubscribe_ack",
    "error",
];

impl Event<'_> {
    /// Where this event's type is in [`KNOWN_TYPES`] (`None` for any other type).
    pub fn known_type(&self) -> Option<usize> {
        Some(match self {
            Event::TaskFailed(_) => 0,
            Event::Task(t) => 1 + t.stage as usize,
            Event::ChatMessage(_) => 9,
            Event::ChatDone(_) => 10,
            Event::Comment(_) => 11,
            Event::Control(Control::AuthAck) => 12,
            Event::Control(Control::Pong) => 13,
            Event::Control(Control::SubscribeAck) => 14,
            Event::Control(Control::SubscribeError(_)) => 15,
            Event::Control(Control::UnsubscribeAck) => 16,
            Event::ServerError(_) => 17,
            Event::Other(_) => return None,
        })
    }

    /// The `type` this event was sent with (control and error frames get a stable pseudo-type).
    pub fn type_name(&self) -> &str {
        match self {
            Event::TaskFailed(_) => "task:failed",
            Event::Task(t) => t.stage.event_type(),
            Event::ChatMessage(_) => "chat:message",
            Event::ChatDone(_) => "chat:done",
            Event::Comment(_) => "comment:created",
            Event::Control(Control::AuthAck) => "auth_ack",
            Event::Control(Control::Pong) => "pong",
            Event::Control(Control::SubscribeAck) => "subscribe_ack",
            Event::Control(Control::SubscribeError(_)) => "subscribe_error",
            Event::Control(Control::UnsubscribeAck) => "unsubscribe_ack",
            Event::ServerError(_) => "error",
            Event::Other(t) => t,
        }
    }

    /// The task and chat session this event ties together, when it carries them.
    pub fn task_and_session(&self) -> Option<(&str, &str)> {
        let (task, session) = match self {
            Event::Task(t) => (&t.ids.task_id, &t.ids.chat_session_id),
            Event::TaskFailed(f) => (&f.ids.task_id, &f.ids.chat_session_id),
            Event::ChatMessage(m) | Event::ChatDone(m) => (&m.task_id, &m.chat_session_id),
            _ => return None,
        };
        Some((task.as_deref()?, session.as_deref()?))
    }
}

/// Why a frame was not turned into an event.
#[derive(Clone, Debug, PartialEq, Eq, Hash, thiserror::Error)]
pub enum Rejection {
    #[error("not valid JSON")]
    NotJson,
    #[error("JSON nested too deeply")]
    TooDeep,
    #[error("frame larger than {} bytes", MAX_FRAME_BYTES)]
    TooLarge,
    #[error("not a JSON object")]
    NotObject,
    #[error("object without a `type`")]
    MissingType,
    #[error("`{0}` payload is not an object")]
    PayloadNotObject(String),
    #[error("`{event_type}` payload has a bad field: {detail}")]
    BadField { event_type: String, detail: String },
}

impl Rejection {
    /// A stable short key for counting rejections by kind.
    pub fn key(&self) -> &'static str {
        match self {
            Rejection::NotJson => "not_json",
            Rejection::TooDeep => "too_deep",
            Rejection::TooLarge => "too_large",
            Rejection::NotObject => "not_object",
            Rejection::MissingType => "missing_type",
            Rejection::PayloadNotObject(_) => "payload_not_object",
            Rejection::BadField { .. } => "bad_field",
        }
    }
}
