//! The common frames read in one borrowed pass ([`scan`]): the frame's fields and its payload's
//! are noted where they lie as the walk meets them (the payload's from the union of what tasks,
//! chats and comments carry, since `type` may come last), then the ones the event's type reads
//! are turned into an event by the same conversions as serde's reading. Anything else — a
//! rejection, a control frame, an odd shape — is `None`, and serde's reading decides, so
//! rejections keep their kinds.
//!
//! [`scan`]: super::scan

use std::borrow::Cow;

use super::scan::{Cursor, Raw};
use crate::protocol::decode::{
    chat, comment, event_id, other_event, task_event, task_failed, ChatPayload, CommentFields,
    CommentPayload, TaskPayload,
};
use crate::protocol::MAX_FRAME_BYTES;
use crate::protocol::{Event, Identified, TaskStage};

/// Decode a frame's text, or `None`: ask serde.
pub(in crate::protocol) fn decode(text: &str) -> Option<Identified<'_>> {
    let mut c = Cursor::new(text);
    c.skip_ws();
    let mut read = FrameRead::default();
    frame(&mut c, 1, &mut read)?;
    c.at_end().then_some(())?;
    event_of(text, &read)
}

/// What a capture line holds, read in one pass.
pub(crate) enum LineRead<'a> {
    /// A bare frame.
    Bare(Identified<'a>),
    /// A record of a frame (an object) and the time it was recorded (as written).
    Record {
        at: Option<Cow<'a, str>>,
        frame: Identified<'a>,
        /// The workspace whose connection or stream carried it, as recorded.
        workspace: Option<Cow<'a, str>>,
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
    let mut line = LineFields::default();
    line_fields(&mut c, &mut line)?;
    c.at_end().then_some(())?;
    match line.frame {
        None => event_of(text, &line.bare).map(LineRead::Bare),
        Some(frame) => Some(LineRead::Record {
            at: line.at.val(text)?.opt_str()?,
            frame: event_of(text, &frame)?,
            // Not a string: as if absent, as serde's reading of a record has it.
            workspace: line.workspace.opt_str(text).unwrap_or(None),
        }),
    }
}

/// Everything a frame's reading takes, from every shape at once, where it lies.
#[derive(Default)]
struct FrameRead {
    event_type: Raw,
    event_id: Raw,
    error: Raw,
    payload: Payload,
    /// The payload's fields any event type reads, by [`payload_slot`].
    fields: [Raw; 13],
    comment: CommentRead,
}

#[derive(Clone, Copy, Default, PartialEq, Eq)]
enum Payload {
    #[default]
    Absent,
    Object,
    /// Any other value (null included).
    Other,
}

#[derive(Clone, Copy, Default)]
enum CommentRead {
    #[default]
    Absent,
    Null,
    Object([Raw; 5]),
    /// Valid, but neither an object nor null.
    Other,
}

const COMMENT_NAMES: [&str; 5] = [
    "source_task_id",
    "type",
    "author_type",
    "issue_id",
    "content",
];

/// Where each payload field any event type reads is kept (the union of a task's, a chat
/// message's and a comment's; each type reads its own and ignores the rest, as serde does).
fn payload_slot(name: &[u8]) -> Option<usize> {
    Some(match name {
        b"task_id" => 0,
        b"agent_id" => 1,
        b"issue_id" => 2,
        b"chat_session_id" => 3,
        b"status" => 4,
        b"failure_reason" => 5,
        b"retry_pending" => 6,
        b"error" => 7,
        b"error_message" => 8,
        b"message_id" => 9,
        b"role" => 10,
        b"content" => 11,
        b"issue_title" => 12,
        _ => return None,
    })
}

/// A capture line's fields: a bare frame's, or a record's time and frame.
#[derive(Default)]
struct LineFields {
    bare: FrameRead,
    at: Raw,
    workspace: Raw,
    frame: Option<FrameRead>,
}

/// Fill an empty slot; a second value for a name is serde's to refuse.
fn put(slot: &mut Raw, value: Raw) -> Option<()> {
    (*slot == Raw::Absent).then(|| *slot = value)
}

/// One of a frame's own fields, read if `key` names one (`Some(false)` when it names none).
fn frame_field(c: &mut Cursor<'_>, key: &[u8], depth: usize, read: &mut FrameRead) -> Option<bool> {
    match key {
        b"type" => put(&mut read.event_type, c.raw_value()?)?,
        b"event_id" => put(&mut read.event_id, c.raw_value()?)?,
        b"error" => put(&mut read.error, c.raw_value()?)?,
        b"payload" => {
            if read.payload != Payload::Absent {
                return None;
            }
            read.payload = match c.peek()? {
                b'{' => {
                    payload(c, depth + 1, read)?;
                    Payload::Object
                }
                _ => {
                    c.skip_value(depth)?;
                    Payload::Other
                }
            };
        }
        _ => return Some(false),
    }
    Some(true)
}

/// The object at the cursor as a frame (`depth` deep).
fn frame(c: &mut Cursor<'_>, depth: usize, read: &mut FrameRead) -> Option<()> {
    c.each_field(depth, |c, key| {
        // An escaped name could spell a known one: serde's reading decides.
        let key = key?;
        match frame_field(c, key, depth, read)? {
            true => Some(()),
            false => c.skip_value(depth),
        }
    })
}

/// The object at the cursor as a capture line: a bare frame, or a record of one.
fn line_fields(c: &mut Cursor<'_>, line: &mut LineFields) -> Option<()> {
    c.each_field(1, |c, key| {
        let key = key?;
        if frame_field(c, key, 1, &mut line.bare)? {
            return Some(());
        }
        match key {
            b"at" => put(&mut line.at, c.raw_value()?),
            b"workspace" => put(&mut line.workspace, c.raw_value()?),
            b"frame" => {
                if line.frame.is_some() || c.peek()? != b'{' {
                    return None;
                }
                let start = c.offset();
                let mut frame = FrameRead::default();
                self::frame(c, 2, &mut frame)?;
                // A frame past the decoder's bound is refused as too large: serde's reading.
                (c.offset() - start <= MAX_FRAME_BYTES).then_some(())?;
                line.frame = Some(frame);
                Some(())
            }
            // Another record failwatch writes (a header, a gap, a recovered text).
            b"gap" | b"recovered" | b"failwatch_capture" | b"source" | b"started_at" | b"api" => {
                None
            }
            _ => c.skip_value(1),
        }
    })?;
    // A line with `at` but no frame is not a plain record: its reading decides.
    (line.frame.is_some() || line.at == Raw::Absent).then_some(())
}

fn payload(c: &mut Cursor<'_>, depth: usize, read: &mut FrameRead) -> Option<()> {
    c.each_field(depth, |c, key| {
        let key = key?;
        if key == b"comment" {
            if !matches!(read.comment, CommentRead::Absent) {
                return None;
            }
            read.comment = match c.peek()? {
                b'{' => CommentRead::Object(c.object_raws(&COMMENT_NAMES, depth + 1)?),
                _ => match c.raw_value()? {
                    Raw::Null => CommentRead::Null,
                    _ => CommentRead::Other,
                },
            };
            return Some(());
        }
        match payload_slot(key) {
            Some(i) => put(&mut read.fields[i], c.raw_value()?),
            None => c.skip_value(depth),
        }
    })
}

/// A field's value as an optional string: `None` when serde would refuse it.
#[inline]
fn opt_str(text: &str, raw: Raw) -> Option<Option<Cow<'_, str>>> {
    raw.opt_str(text)
}

fn event_of<'a>(text: &'a str, read: &FrameRead) -> Option<Identified<'a>> {
    // A frame without a string `type` is serde's to refuse.
    let event_type = read.event_type.opt_str(text)??;
    let id = opt_str(text, read.event_id)?;
    opt_str(text, read.error)?;
    // Only an object payload is read; any other is serde's to refuse.
    let payload = (read.payload == Payload::Object).then_some(read);
    let event = match event_type.as_ref() {
        "task:failed" => task_failed(task_payload(text, payload?)?),
        "chat:message" => Event::ChatMessage(chat(chat_payload(text, payload?)?)),
        "chat:done" => Event::ChatDone(chat(chat_payload(text, payload?)?)),
        "comment:created" => comment(comment_payload(text, payload?)?),
        other => match TaskStage::from_type(other) {
            Some(stage) => task_event(stage, task_payload(text, payload?)?),
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

fn task_payload<'a>(text: &'a str, read: &FrameRead) -> Option<TaskPayload<'a>> {
    let [task_id, agent_id, issue_id, chat_session_id, status, failure_reason, retry_pending, error, error_message, ..] =
        read.fields;
    Some(TaskPayload {
        task_id: opt_str(text, task_id)?,
        agent_id: opt_str(text, agent_id)?,
        issue_id: opt_str(text, issue_id)?,
        chat_session_id: opt_str(text, chat_session_id)?,
        _status: opt_str(text, status)?,
        failure_reason: opt_str(text, failure_reason)?,
        retry_pending: retry_pending.opt_bool()?,
        error: opt_str(text, error)?,
        error_message: opt_str(text, error_message)?,
    })
}

fn chat_payload<'a>(text: &'a str, read: &FrameRead) -> Option<ChatPayload<'a>> {
    let [task_id, _, _, chat_session_id, _, _, _, _, _, message_id, role, content, _] = read.fields;
    Some(ChatPayload {
        chat_session_id: opt_str(text, chat_session_id)?,
        task_id: opt_str(text, task_id)?,
        _message_id: opt_str(text, message_id)?,
        role: opt_str(text, role)?,
        _content: opt_str(text, content)?,
    })
}

fn comment_payload<'a>(text: &'a str, read: &FrameRead) -> Option<CommentPayload<'a>> {
    let comment = match read.comment {
        CommentRead::Absent | CommentRead::Null => None,
        CommentRead::Object([source_task_id, kind, author_type, issue_id, content]) => {
            Some(CommentFields {
                source_task_id: opt_str(text, source_task_id)?,
                kind: opt_str(text, kind)?,
                author_type: opt_str(text, author_type)?,
                issue_id: opt_str(text, issue_id)?,
                content: opt_str(text, content)?,
            })
        }
        CommentRead::Other => return None,
    };
    Some(CommentPayload {
        comment,
        issue_title: opt_str(text, read.fields[12])?,
    })
}
