//! The common frames read in one borrowed pass ([`scan`]), turned into events by the same
//! conversions as serde's reading. Anything else — a rejection, a control frame, an odd shape —
//! is `None`, and serde's reading decides, so rejections keep their kinds.

use super::{
    chat, comment, event_id, other_event, task_event, task_failed, ChatPayload, CommentFields,
    CommentPayload, TaskPayload,
};
use crate::protocol::scan::{self, Val};
use crate::protocol::{Event, TaskStage, Ulid, TASK_FAILED_FIELDS};

pub(super) fn decode(text: &str) -> Option<(Event<'_>, Option<Ulid>)> {
    let [event_type, id, payload, error] =
        scan::object(text, ["type", "event_id", "payload", "error"])?;
    event_of(event_type, id, payload, error)
}

/// A capture line that is a bare frame, decoded in the one pass that reads the line: `None`
/// also when the line has one of the `record_keys` (those a capture record reads), for the
/// record's reading to decide.
pub(super) fn decode_bare_line<'a>(
    text: &'a str,
    record_keys: &[&str; 8],
) -> Option<(Event<'a>, Option<Ulid>)> {
    let [k0, k1, k2, k3, k4, k5, k6, k7] = *record_keys;
    let names = [
        "type", "event_id", "payload", "error", k0, k1, k2, k3, k4, k5, k6, k7,
    ];
    let [event_type, id, payload, error, record @ ..] = scan::object(text, names)?;
    if record.iter().any(|v| *v != Val::Absent) {
        return None;
    }
    event_of(event_type, id, payload, error)
}

fn event_of<'a>(
    event_type: Val<'a>,
    id: Val<'a>,
    payload: Val<'a>,
    error: Val<'a>,
) -> Option<(Event<'a>, Option<Ulid>)> {
    let Val::Str(event_type) = event_type else {
        return None;
    };
    let id = id.opt_str()?;
    error.opt_str()?;
    let event = match event_type.as_ref() {
        "task:failed" => task_failed(task_payload(payload)?),
        "chat:message" => Event::ChatMessage(chat(chat_payload(payload)?)),
        "chat:done" => Event::ChatDone(chat(chat_payload(payload)?)),
        "comment:created" => comment(comment_payload(payload)?),
        other => match TaskStage::from_type(other) {
            Some(stage) => task_event(stage, task_payload(payload)?),
            // Control frames are few: serde reads them.
            None if is_control(other) => return None,
            None => other_event(event_type),
        },
    };
    Some((event, event_id(id.as_deref())))
}

fn is_control(event_type: &str) -> bool {
    matches!(
        event_type,
        "auth_ack" | "pong" | "subscribe_ack" | "unsubscribe_ack" | "subscribe_error"
    )
}

fn object(payload: Val<'_>) -> Option<&str> {
    match payload {
        Val::Object(text) => Some(text),
        _ => None,
    }
}

fn task_payload(payload: Val<'_>) -> Option<TaskPayload<'_>> {
    let [task_id, agent_id, issue_id, chat_session_id, status, failure_reason, retry_pending, error, error_message] =
        scan::object(object(payload)?, TASK_FAILED_FIELDS)?;
    Some(TaskPayload {
        task_id: task_id.opt_str()?,
        agent_id: agent_id.opt_str()?,
        issue_id: issue_id.opt_str()?,
        chat_session_id: chat_session_id.opt_str()?,
        _status: status.opt_str()?,
        failure_reason: failure_reason.opt_str()?,
        retry_pending: retry_pending.opt_bool()?,
        error: error.opt_str()?,
        error_message: error_message.opt_str()?,
    })
}

fn chat_payload(payload: Val<'_>) -> Option<ChatPayload<'_>> {
    let [chat_session_id, task_id, message_id, role, content] = scan::object(
        object(payload)?,
        [
            "chat_session_id",
            "task_id",
            "message_id",
            "role",
            "content",
        ],
    )?;
    Some(ChatPayload {
        chat_session_id: chat_session_id.opt_str()?,
        task_id: task_id.opt_str()?,
        _message_id: message_id.opt_str()?,
        _role: role.opt_str()?,
        _content: content.opt_str()?,
    })
}

fn comment_payload(payload: Val<'_>) -> Option<CommentPayload<'_>> {
    let [c] = scan::object(object(payload)?, ["comment"])?;
    let comment = match c {
        Val::Absent | Val::Null => None,
        Val::Object(text) => {
            let [source_task_id, kind, author_type, issue_id, content] = scan::object(
                text,
                [
                    "source_task_id",
                    "type",
                    "author_type",
                    "issue_id",
                    "content",
                ],
            )?;
            Some(CommentFields {
                source_task_id: source_task_id.opt_str()?,
                kind: kind.opt_str()?,
                author_type: author_type.opt_str()?,
                _issue_id: issue_id.opt_str()?,
                content: content.opt_str()?,
            })
        }
        _ => return None,
    };
    Some(CommentPayload { comment })
}
