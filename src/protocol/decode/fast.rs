//! The common frames read in one borrowed pass ([`scan`]): the frame's fields and its payload's
//! are taken as the walk meets them (the payload's from the union of what tasks, chats and
//! comments carry, since `type` may come last), and turned into events by the same conversions as
//! serde's reading. Anything else — a rejection, a control frame, an odd shape — is `None`, and
//! serde's reading decides, so rejections keep their kinds.

use std::borrow::Cow;

use super::{
    chat, comment, event_id, other_event, task_event, task_failed, ChatPayload, CommentFields,
    CommentPayload, TaskPayload, MAX_FRAME_BYTES,
};
use crate::protocol::scan::{Cursor, Val};
use crate::protocol::{Event, Identified, TaskStage};

/// Decode a frame's text, or `None`: ask serde.
pub(super) fn decode(text: &str) -> Option<Identified<'_>> {
    let mut c = Cursor::new(text);
    c.skip_ws();
    let (read, _) = frame(&mut c, 1, Keys::FrameOnly)?;
    c.at_end().then_some(())?;
    event_of(read)
}

/// What a capture line holds, read in one pass.
pub(crate) enum LineRead<'a> {
    /// A bare frame.
    Bare(Identified<'a>),
    /// A record of a frame (an object) and the time it was recorded (as written).
    Record {
        at: Option<Cow<'a, str>>,
        frame: Identified<'a>,
    },
}

/// A capture line (trimmed) holding a frame in a common shape — a bare frame, or a record of
/// `at` and an object `frame` — decoded in one pass; `None` for any other line (a header, a gap, a
/// recovered text, a frame recorded as a string, a rejection, anything odd): read it exactly.
pub(crate) fn decode_line(text: &str) -> Option<LineRead<'_>> {
    if text.len() > MAX_FRAME_BYTES {
        return None;
    }
    let mut c = Cursor::new(text);
    let (read, recorded) = frame(&mut c, 1, Keys::Line)?;
    c.at_end().then_some(())?;
    match recorded {
        None => event_of(read).map(LineRead::Bare),
        Some(at) => Some(LineRead::Record {
            at: at.opt_str()?,
            frame: event_of(read)?,
        }),
    }
}

/// Which top-level names a walk knows.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Keys {
    /// A frame's own (the rest are skipped).
    FrameOnly,
    /// A capture line's: a frame's, and those of the records failwatch writes.
    Line,
}

/// Everything a frame's reading takes, from every shape at once.
#[derive(Default)]
struct FrameRead<'a> {
    event_type: Val<'a>,
    event_id: Val<'a>,
    error: Val<'a>,
    payload: Payload,
    /// The payload's fields, when it is an object.
    fields: PayloadFields<'a>,
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Payload {
    #[default]
    Absent,
    Object,
    /// Any other value (null included).
    Other,
}

/// Where each payload field any event type reads is kept (the union of a task's, a chat
/// message's and a comment's; each type reads its own and ignores the rest, as serde does).
fn payload_slot(name: &str) -> Option<usize> {
    Some(match name {
        "task_id" => 0,
        "agent_id" => 1,
        "issue_id" => 2,
        "chat_session_id" => 3,
        "status" => 4,
        "failure_reason" => 5,
        "retry_pending" => 6,
        "error" => 7,
        "error_message" => 8,
        "message_id" => 9,
        "role" => 10,
        "content" => 11,
        _ => return None,
    })
}
const COMMENT_NAMES: [&str; 5] = [
    "source_task_id",
    "type",
    "author_type",
    "issue_id",
    "content",
];

#[derive(Default)]
struct PayloadFields<'a> {
    named: [Val<'a>; 12],
    comment: CommentRead<'a>,
}

#[derive(Default)]
enum CommentRead<'a> {
    #[default]
    Absent,
    Null,
    Object([Val<'a>; 5]),
    /// Valid, but neither an object nor null.
    Other,
}

/// Fill an empty slot; a second value for a name is serde's to refuse.
fn put<'a>(slot: &mut Val<'a>, value: Val<'a>) -> Option<()> {
    (*slot == Val::Absent).then(|| *slot = value)
}

/// The object at the cursor as a frame (`depth` deep); for a capture line that is a record of
/// one, the recorded frame's reading and the record's `at`.
fn frame<'a>(
    c: &mut Cursor<'a>,
    depth: usize,
    keys: Keys,
) -> Option<(FrameRead<'a>, Option<Val<'a>>)> {
    let mut read = FrameRead::default();
    let mut record_at = Val::Absent;
    let mut recorded = None;
    c.each_field(depth, |c, key| {
        // An escaped name could spell a known one: serde's reading decides.
        match key? {
            "type" => put(&mut read.event_type, c.named_value()?),
            "event_id" => put(&mut read.event_id, c.named_value()?),
            "error" => put(&mut read.error, c.named_value()?),
            "payload" => {
                if read.payload != Payload::Absent {
                    return None;
                }
                read.payload = match c.peek()? {
                    b'{' => {
                        read.fields = payload(c, depth + 1)?;
                        Payload::Object
                    }
                    _ => {
                        c.skip_value(depth)?;
                        Payload::Other
                    }
                };
                Some(())
            }
            "at" if keys == Keys::Line => put(&mut record_at, c.named_value()?),
            "frame" if keys == Keys::Line => {
                if recorded.is_some() || c.peek()? != b'{' {
                    return None;
                }
                let start = c.offset();
                let (inner, _) = frame(c, depth + 1, Keys::FrameOnly)?;
                // A frame past the decoder's bound is refused as too large: serde's reading.
                (c.offset() - start <= MAX_FRAME_BYTES).then_some(())?;
                recorded = Some(inner);
                Some(())
            }
            // Another record failwatch writes (a header, a gap, a recovered text).
            "gap" | "recovered" | "failwatch_capture" | "source" | "started_at" | "api"
                if keys == Keys::Line =>
            {
                None
            }
            _ => c.skip_value(depth),
        }
    })?;
    match recorded {
        Some(frame) => Some((frame, Some(record_at))),
        // A line with `at` but no frame is not a plain record: its reading decides.
        None if record_at != Val::Absent => None,
        None => Some((read, None)),
    }
}

fn payload<'a>(c: &mut Cursor<'a>, depth: usize) -> Option<PayloadFields<'a>> {
    let mut fields = PayloadFields::default();
    c.each_field(depth, |c, key| {
        let key = key?;
        if key == "comment" {
            if !matches!(fields.comment, CommentRead::Absent) {
                return None;
            }
            fields.comment = match c.peek()? {
                b'{' => CommentRead::Object(c.object_fields(&COMMENT_NAMES, depth + 1)?),
                b'n' => match c.named_value()? {
                    Val::Null => CommentRead::Null,
                    _ => return None,
                },
                _ => {
                    c.skip_value(depth)?;
                    CommentRead::Other
                }
            };
            return Some(());
        }
        match payload_slot(key) {
            Some(i) => put(&mut fields.named[i], c.named_value()?),
            None => c.skip_value(depth),
        }
    })?;
    Some(fields)
}

fn event_of(read: FrameRead<'_>) -> Option<Identified<'_>> {
    let Val::Str(event_type) = read.event_type else {
        return None;
    };
    let id = read.event_id.opt_str()?;
    read.error.opt_str()?;
    // Only an object payload is read; any other is serde's to refuse.
    let payload = (read.payload == Payload::Object).then_some(read.fields);
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

fn task_payload(payload: Option<PayloadFields<'_>>) -> Option<TaskPayload<'_>> {
    let [task_id, agent_id, issue_id, chat_session_id, status, failure_reason, retry_pending, error, error_message, ..] =
        payload?.named;
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

fn chat_payload(payload: Option<PayloadFields<'_>>) -> Option<ChatPayload<'_>> {
    let [task_id, _, _, chat_session_id, _, _, _, _, _, message_id, role, content] = payload?.named;
    Some(ChatPayload {
        chat_session_id: chat_session_id.opt_str()?,
        task_id: task_id.opt_str()?,
        _message_id: message_id.opt_str()?,
        _role: role.opt_str()?,
        _content: content.opt_str()?,
    })
}

fn comment_payload(payload: Option<PayloadFields<'_>>) -> Option<CommentPayload<'_>> {
    let comment = match payload?.comment {
        CommentRead::Absent | CommentRead::Null => None,
        CommentRead::Object([source_task_id, kind, author_type, issue_id, content]) => {
            Some(CommentFields {
                source_task_id: source_task_id.opt_str()?,
                kind: kind.opt_str()?,
                author_type: author_type.opt_str()?,
                _issue_id: issue_id.opt_str()?,
                content: content.opt_str()?,
            })
        }
        CommentRead::Other => return None,
    };
    Some(CommentPayload { comment })
}
