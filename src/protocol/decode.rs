//! Frame text → [`Event`]. Typed, borrowing serde structs: unknown fields are skipped without
//! building a tree, which keeps decoding cheap on the hot path.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::redact;

use super::fast;

use super::{
    ChatEvent, Comment, Control, Event, Identified, Rejection, TaskEvent, TaskFailed, TaskIds,
    TaskStage, Text, Ulid,
};

/// Larger frames are rejected before parsing. The server itself caps inbound frames at 64 KiB;
/// outbound frames have no cap, so allow generous room for long error texts.
pub const MAX_FRAME_BYTES: usize = 4 * 1024 * 1024;

type Str<'a> = Option<Cow<'a, str>>;

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(rename = "type", borrow)]
    event_type: Str<'a>,
    #[serde(borrow)]
    event_id: Str<'a>,
    #[serde(borrow)]
    payload: Option<&'a RawValue>,
    #[serde(borrow)]
    error: Str<'a>,
}

#[derive(Deserialize)]
pub(super) struct TaskPayload<'a> {
    #[serde(borrow)]
    pub(super) task_id: Str<'a>,
    #[serde(borrow)]
    pub(super) agent_id: Str<'a>,
    #[serde(borrow)]
    pub(super) issue_id: Str<'a>,
    #[serde(borrow)]
    pub(super) chat_session_id: Str<'a>,
    /// Read for its type only: a status that is not a string refuses the frame.
    #[serde(rename = "status", borrow)]
    pub(super) _status: Str<'a>,
    #[serde(borrow)]
    pub(super) failure_reason: Str<'a>,
    pub(super) retry_pending: Option<bool>,
    #[serde(borrow)]
    pub(super) error: Str<'a>,
    #[serde(borrow)]
    pub(super) error_message: Str<'a>,
}

#[derive(Deserialize)]
pub(super) struct ChatPayload<'a> {
    #[serde(borrow)]
    pub(super) chat_session_id: Str<'a>,
    #[serde(borrow)]
    pub(super) task_id: Str<'a>,
    /// Read for their types only, like a task's status.
    #[serde(rename = "message_id", borrow)]
    pub(super) _message_id: Str<'a>,
    #[serde(borrow)]
    pub(super) role: Str<'a>,
    #[serde(rename = "content", borrow)]
    pub(super) _content: Str<'a>,
}

#[derive(Deserialize)]
pub(super) struct CommentPayload<'a> {
    #[serde(borrow)]
    pub(super) comment: Option<CommentFields<'a>>,
    #[serde(borrow)]
    pub(super) issue_title: Str<'a>,
}

#[derive(Deserialize)]
pub(super) struct CommentFields<'a> {
    #[serde(borrow)]
    pub(super) source_task_id: Str<'a>,
    #[serde(rename = "type", borrow)]
    pub(super) kind: Str<'a>,
    #[serde(borrow)]
    pub(super) author_type: Str<'a>,
    #[serde(borrow)]
    pub(super) issue_id: Str<'a>,
    #[serde(borrow)]
    pub(super) content: Str<'a>,
}

#[derive(Deserialize)]
struct SubscribeErrorPayload<'a> {
    #[serde(borrow)]
    error: Str<'a>,
}

/// Decode one frame's text. Never panics.
pub fn decode(text: &str) -> Result<Event<'_>, Rejection> {
    decode_with_id(text).map(|(event, _)| event)
}

/// Decode one frame's text, with its `event_id` when it carries a ULID one.
pub fn decode_with_id(text: &str) -> Result<(Event<'_>, Option<Ulid>), Rejection> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(Rejection::TooLarge);
    }
    match fast::decode(text) {
        Some(done) => Ok(done),
        None => decode_serde(text),
    }
}

/// The fast reading alone: `None` leaves the frame to the exact one. For the fuzz target that
/// holds the two readings equal.
#[doc(hidden)]
pub fn decode_fast(text: &str) -> Option<Identified<'_>> {
    fast::decode(text)
}

/// The exact reading alone, as [`decode_fast`]'s peer.
#[doc(hidden)]
pub fn decode_exact(text: &str) -> Result<Identified<'_>, Rejection> {
    decode_serde(text)
}

/// The exact reading, for every shape (and the only one that rejects).
fn decode_serde(text: &str) -> Result<(Event<'_>, Option<Ulid>), Rejection> {
    let trimmed = text.trim_start();
    if !trimmed.starts_with('{') {
        // Valid JSON that is not an object (arrays, strings, numbers) is reported as such.
        return Err(
            match serde_json::from_str::<serde::de::IgnoredAny>(trimmed) {
                Ok(_) => Rejection::NotObject,
                Err(e) => classify(&e),
            },
        );
    }
    let env: Envelope = serde_json::from_str(trimmed).map_err(|e| classify(&e))?;
    let id = event_id(env.event_id.as_deref());
    event_of(env).map(|event| (event, id))
}

pub(super) fn event_id(id: Option<&str>) -> Option<Ulid> {
    id.and_then(Ulid::parse)
}

fn event_of(env: Envelope<'_>) -> Result<Event<'_>, Rejection> {
    let Some(event_type) = env.event_type else {
        return match env.error {
            Some(message) => Ok(Event::ServerError(redact::redact_line(
                &message,
                redact::MAX_MESSAGE_CHARS,
            ))),
            None => Err(Rejection::MissingType),
        };
    };
    let name = event_type.as_ref();
    match name {
        "task:failed" => Ok(task_failed(payload(name, env.payload)?)),
        "chat:message" => Ok(Event::ChatMessage(chat(payload(name, env.payload)?))),
        "chat:done" => Ok(Event::ChatDone(chat(payload(name, env.payload)?))),
        "comment:created" => Ok(comment(payload(name, env.payload)?)),
        "auth_ack" => Ok(Event::Control(Control::AuthAck)),
        "pong" => Ok(Event::Control(Control::Pong)),
        "subscribe_ack" => Ok(Event::Control(Control::SubscribeAck)),
        "unsubscribe_ack" => Ok(Event::Control(Control::UnsubscribeAck)),
        "subscribe_error" => {
            let error = env
                .payload
                .and_then(|raw| serde_json::from_str::<SubscribeErrorPayload>(raw.get()).ok())
                .and_then(|p| code(p.error))
                .map(Cow::into_owned);
            Ok(Event::Control(Control::SubscribeError(error)))
        }
        other => match TaskStage::from_type(other) {
            Some(stage) => Ok(task_event(stage, payload(other, env.payload)?)),
            None => Ok(other_event(event_type)),
        },
    }
}

pub(super) fn task_failed(p: TaskPayload<'_>) -> Event<'_> {
    Event::TaskFailed(TaskFailed {
        failure_reason: code(p.failure_reason),
        retry_pending: p.retry_pending,
        // Kept exactly as sent, empty included: the relays test `!= ""` without
        // trimming, and Lark reads a present-but-empty `error` without falling back.
        error: p.error,
        error_message: p.error_message,
        ids: ids(p.task_id, p.agent_id, p.issue_id, p.chat_session_id),
    })
}

pub(super) fn task_event(stage: TaskStage, p: TaskPayload<'_>) -> Event<'_> {
    Event::Task(TaskEvent {
        stage,
        ids: ids(p.task_id, p.agent_id, p.issue_id, p.chat_session_id),
    })
}

pub(super) fn chat(p: ChatPayload<'_>) -> ChatEvent<'_> {
    ChatEvent {
        from_user: p.role.as_deref() == Some("user") && p.task_id.is_some(),
        chat_session_id: code(p.chat_session_id),
        task_id: code(p.task_id),
    }
}

pub(super) fn comment(p: CommentPayload<'_>) -> Event<'_> {
    Event::Comment(match p.comment {
        Some(c) => Comment {
            source_task_id: code(c.source_task_id),
            kind: code(c.kind),
            author_type: code(c.author_type),
            content: c.content,
            issue_id: code(c.issue_id),
            issue_title: p.issue_title,
        },
        None => Comment::default(),
    })
}

/// A type failwatch does not read: counted by its (cleaned) name.
pub(super) fn other_event(event_type: Cow<'_, str>) -> Event<'_> {
    let clean = |t: &str| Cow::Owned(redact::redact_line(t, redact::MAX_TYPE_CHARS));
    Event::Other(match event_type {
        Cow::Borrowed(t) if t.len() <= redact::MAX_TYPE_CHARS => memo_clean(t, clean),
        t => clean(&t),
    })
}

fn payload<'a, T: Deserialize<'a>>(
    event_type: &str,
    raw: Option<&'a RawValue>,
) -> Result<T, Rejection> {
    let raw = raw.map(RawValue::get).unwrap_or("null");
    if !raw.trim_start().starts_with('{') {
        return Err(Rejection::PayloadNotObject(event_type.to_owned()));
    }
    serde_json::from_str(raw).map_err(|e| Rejection::BadField {
        event_type: event_type.to_owned(),
        detail: field_error(&e.to_string()),
    })
}

fn ids<'a>(task: Str<'a>, agent: Str<'a>, issue: Str<'a>, session: Str<'a>) -> TaskIds<'a> {
    TaskIds {
        task_id: code(task),
        agent_id: code(agent),
        // The issue id is kept even when empty: "" marks a chat task.
        issue_id: issue.map(|id| match id {
            Cow::Borrowed(b) => redact::redact_id(b),
            Cow::Owned(o) => Cow::Owned(redact::redact_id(&o).into_owned()),
        }),
        chat_session_id: code(session),
    }
}

/// An id or a code from outside, made safe at the boundary (control and invisible characters
/// removed, one line, capped, secrets masked). Empty or blank strings carry no information:
/// treated as absent. Borrowed as sent whenever cleaning changes nothing.
#[inline(always)]
fn code(s: Str<'_>) -> Text<'_> {
    match s {
        // Ids take a one-pass check: plain hex and dashes need no cleaning (as in `redact_id`).
        Some(s) if !s.is_empty() && s.len() <= redact::MAX_ID_CHARS && redact::is_plain_id(&s) => {
            Some(s)
        }
        s => cleaned_code(s?),
    }
}

/// [`code`] of anything but a plain id.
#[inline(never)]
fn cleaned_code(s: Cow<'_, str>) -> Text<'_> {
    if s.trim().is_empty() {
        return None;
    }
    let clean = |s: &str| Cow::Owned(redact::redact_id(s).into_owned());
    let cleaned = match s {
        // Only words are worth remembering.
        Cow::Borrowed(b) if b.len() <= MEMO_CODE_BYTES => memo_clean(b, clean),
        Cow::Borrowed(b) => redact::redact_id(b),
        Cow::Owned(o) => Cow::Owned(redact::redact_id(&o).into_owned()),
    };
    (!cleaned.trim().is_empty()).then_some(cleaned)
}

/// Reasons, statuses, type names: a few dozen words, each cleaned once per thread. The text
/// itself is given back (borrowed) when cleaning leaves it as it is, which is the usual case.
fn memo_clean<'a>(s: &'a str, clean: impl Fn(&str) -> Cow<'static, str>) -> Cow<'a, str> {
    let given = |done: &Option<Box<str>>| match done {
        None => Cow::Borrowed(s),
        Some(cleaned) => Cow::Owned(cleaned.to_string()),
    };
    CODES.with(|memo| {
        let mut memo = memo.borrow_mut();
        if let Some(done) = memo.get(s) {
            return given(done);
        }
        if memo.len() >= MEMO_CODES {
            memo.clear();
        }
        let cleaned = clean(s);
        let done = (cleaned != s).then(|| cleaned.into_owned().into_boxed_str());
        let out = given(&done);
        memo.insert(s.into(), done);
        out
    })
}

/// Codes up to this long are remembered, this many at a time.
const MEMO_CODE_BYTES: usize = 64;
const MEMO_CODES: usize = 1024;

thread_local! {
    /// A code → its cleaned form, `None` when cleaning leaves it as it is.
    static CODES: std::cell::RefCell<rustc_hash::FxHashMap<Box<str>, Option<Box<str>>>> =
        std::cell::RefCell::default();
}

fn classify(e: &serde_json::Error) -> Rejection {
    if e.to_string().starts_with("recursion limit exceeded") {
        Rejection::TooDeep
    } else {
        Rejection::NotJson
    }
}

/// serde's message for a wrong field, without what the field held (serde quotes the value, and
/// a value from outside may be a secret) and without its position (noise in a per-frame line).
fn field_error(msg: &str) -> String {
    let msg = msg.rfind(" at line ").map_or(msg, |i| &msg[..i]);
    // A quoted value may hold quotes of its own: everything from the first quote to the last
    // is the sender's text, and goes.
    let out = match (msg.find('"'), msg.rfind('"')) {
        (Some(first), Some(last)) if first < last => {
            format!("{}\"…\"{}", &msg[..first], &msg[last + 1..])
        }
        _ => msg.to_owned(),
    };
    redact::redact_line(&out, redact::MAX_MESSAGE_CHARS)
}

#[cfg(test)]
mod tests {
    use super::*;

    const UPSTREAM: &str = include_str!("../../tests/data/upstream-frames.jsonl");
    const OCTO: &str = include_str!("../../tests/data/octo-frames.jsonl");

    fn failed(line: &str) -> TaskFailed<'_> {
        match decode(line) {
            Ok(Event::TaskFailed(f)) => f,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn every_upstream_frame_shape_decodes() {
        let lines: Vec<&str> = UPSTREAM.lines().collect();
        assert!(
            matches!(decode(lines[0]), Ok(Event::Task(t)) if t.stage == TaskStage::Dispatch
            && t.ids.chat_session_id.as_deref() == Some("c0ffee00-1234-4abc-8def-0123456789ab"))
        );
        let terminal = failed(lines[1]);
        assert_eq!(terminal.retry_pending, Some(false));
        assert_eq!(terminal.error, None, "upstream strips error from the wire");
        assert!(terminal.ids.has_chat_issue_id());
        assert_eq!(failed(lines[2]).retry_pending, Some(true));
        let Ok(Event::Comment(c)) = decode(lines[4]) else {
            panic!()
        };
        assert!(c.is_failure_text());
        assert_eq!(
            c.source_task_id.as_deref(),
            Some("0198c8a3-7d3e-7f5a-a061-c3d4e5f60718")
        );
        assert!(c.content.unwrap().starts_with("Invalid API key"));
        assert!(matches!(decode(lines[6]), Ok(Event::ChatDone(d)) if d.task_id.is_some()));
        let legacy = failed(lines[8]);
        assert_eq!(
            (legacy.retry_pending, legacy.error.as_deref()),
            (None, None)
        );
        assert_eq!(legacy.failure_reason.as_deref(), Some("timeout"));
        assert_eq!(failed(lines[9]).failure_reason, None, "legacy fail path");
    }

    #[test]
    fn every_fork_frame_shape_decodes() {
        let lines: Vec<&str> = OCTO.lines().collect();
        let before_fix = failed(lines[1]);
        assert_eq!(
            (
                before_fix.error.as_deref(),
                before_fix.failure_reason.as_deref()
            ),
            (None, None)
        );
        let sweeper_before_fix = failed(lines[3]);
        assert_eq!(sweeper_before_fix.ids.chat_session_id, None);
        let after_fix = failed(lines[4]);
        assert!(after_fix.error.unwrap().starts_with("401"));
        assert_eq!(
            after_fix.retry_pending, None,
            "the fork has no retry_pending"
        );
        assert!(matches!(decode(lines[6]), Ok(Event::Comment(c)) if c.is_failure_text()));
        assert_eq!(decode(lines[8]), Ok(Event::Control(Control::AuthAck)));
        assert_eq!(
            decode(lines[9]),
            Ok(Event::ServerError("invalid token".into()))
        );
    }

    /// No server sends these, but captures and taps may hold them: decoded, not refused.
    #[test]
    fn shapes_no_server_sends_still_decode() {
        let alias = failed(
            r#"{"type":"task:failed","payload":{"task_id":"t","issue_id":"00000000-0000-0000-0000-000000000000","chat_session_id":"s","error_message":"claude exited"}}"#,
        );
        assert_eq!(alias.error_message.as_deref(), Some("claude exited"));
        assert!(alias.ids.has_chat_issue_id(), "all-zero issue id");
        let empty = failed(r#"{"type":"task:failed","payload":{"task_id":"t","error":""}}"#);
        assert_eq!(empty.error.as_deref(), Some(""), "kept: Lark reads it");
        assert_eq!(
            decode(r#"{"type":"task:failed","payload":"not-an-object"}"#),
            Err(Rejection::PayloadNotObject("task:failed".into()))
        );
        assert_eq!(
            decode(r#"{"type":"comment:created","payload":{"comment":null}}"#),
            Ok(Event::Comment(Comment::default()))
        );
    }

    #[test]
    fn rejects_non_json_non_objects_and_typeless_objects() {
        assert_eq!(decode("{not json"), Err(Rejection::NotJson));
        assert_eq!(decode("\u{0}\u{1}binary"), Err(Rejection::NotJson));
        assert_eq!(decode("[1,2,3]"), Err(Rejection::NotObject));
        assert_eq!(decode("\"hello\""), Err(Rejection::NotObject));
        assert_eq!(decode("{\"payload\":{}}"), Err(Rejection::MissingType));
        assert_eq!(decode(""), Err(Rejection::NotJson));
        assert_eq!(
            decode(r#"{"type":"task:failed"}"#),
            Err(Rejection::PayloadNotObject("task:failed".into()))
        );
        assert_eq!(
            decode(r#"{"type":"task:queued","payload":[1]}"#),
            Err(Rejection::PayloadNotObject("task:queued".into()))
        );
    }

    #[test]
    fn wrong_field_types_are_reported_with_the_field() {
        let r = decode(r#"{"type":"task:failed","payload":{"task_id":42}}"#);
        let Err(Rejection::BadField { event_type, detail }) = r else {
            panic!("{r:?}")
        };
        assert_eq!(event_type, "task:failed");
        assert!(detail.contains("integer"), "{detail}");
        assert!(!detail.contains("line"), "{detail}");
    }

    #[test]
    fn deep_nesting_never_overflows_the_stack() {
        let deep =
            |open: &str, close: &str, n: usize| format!("{}{}", open.repeat(n), close.repeat(n));
        // Skipped subtrees of any depth are fine: the event is still usable.
        let skipped = format!("{{\"type\":\"x\",\"payload\":{}}}", deep("[", "]", 100_000));
        assert_eq!(decode(&skipped), Ok(Event::Other("x".into())));
        let in_field = format!(
            "{{\"type\":\"task:failed\",\"payload\":{{\"task_id\":\"t\",\"x\":{}}}}}",
            deep("{\"a\":", "}", 50_000).replace("{\"a\":}", "{\"a\":1}")
        );
        assert!(decode(&in_field).is_ok() || decode(&in_field) == Err(Rejection::TooDeep));
        let top = deep("[", "]", 200_000);
        assert!(matches!(
            decode(&top),
            Err(Rejection::TooDeep | Rejection::NotObject)
        ));
        let unclosed = "{\"type\":\"x\",\"payload\":".to_owned() + &"[".repeat(200_000);
        assert!(decode(&unclosed).is_err());
    }

    #[test]
    fn huge_frames_are_rejected_before_parsing() {
        let huge = format!(
            "{{\"type\":\"task:failed\",\"payload\":{{\"error\":\"{}\"}}}}",
            "x".repeat(MAX_FRAME_BYTES)
        );
        assert_eq!(decode(&huge), Err(Rejection::TooLarge));
    }

    #[test]
    fn unknown_types_and_extra_fields_are_accepted() {
        assert_eq!(
            decode(r#"{"type":"inbox:new","payload":[1,2],"x":{"y":[null]}}"#),
            Ok(Event::Other("inbox:new".into()))
        );
        let r = decode(
            r#"{"type":"task:failed","payload":{"task_id":"t","extra":{"deep":[1,{"a":2}]},"failure_reason":"timeout"}}"#,
        );
        assert!(
            matches!(r, Ok(Event::TaskFailed(f)) if f.failure_reason.as_deref() == Some("timeout"))
        );
    }

    #[test]
    fn escaped_strings_and_empty_ids() {
        let r = decode(
            r#"{"type":"task:failed","payload":{"task_id":"","chat_session_id":"  ","issue_id":"","error":"line1\nline2 \u001b[31mred"}}"#,
        )
        .unwrap();
        let Event::TaskFailed(f) = r else { panic!() };
        assert_eq!(f.ids.task_id, None);
        assert_eq!(f.ids.chat_session_id, None);
        assert_eq!(f.ids.issue_id.as_deref(), Some(""));
        assert!(f.ids.has_chat_issue_id());
        assert_eq!(f.error.as_deref(), Some("line1\nline2 \u{1b}[31mred"));
    }

    /// The fast path reads every fixture frame, and mangled copies of them, as serde does, or
    /// leaves them to serde.
    #[test]
    fn fast_path_reads_as_serde_does() {
        let mut read_fast = 0;
        let fixtures = UPSTREAM.lines().chain(OCTO.lines());
        for line in fixtures {
            let mut texts = vec![line.to_owned()];
            for (i, _) in line.char_indices().step_by(3) {
                texts.push(line[..i].to_owned());
                for with in ["\\n", "\\\"", "1", "null", "{}", "\"x\"", ",", "\\u00e9"] {
                    texts.push(format!("{}{}{}", &line[..i], with, &line[i..]));
                }
            }
            for text in &texts {
                if let Some(fast) = fast::decode(text) {
                    read_fast += 1;
                    assert_eq!(Ok(fast), decode_serde(text), "{text}");
                }
            }
        }
        assert!(
            read_fast > 100,
            "the fast path reads the common frames ({read_fast})"
        );
    }

    /// A reason code is cleaned and masked alike on both readings, whatever the removed
    /// characters leave glued together.
    #[test]
    fn secrets_in_a_reason_are_masked_on_the_fast_and_the_exact_reading() {
        const MUL: &str = "mul_0123456789abcdef0123456789abcdef01234567";
        const GHP: &str = "ghp_0123456789abcdefghijABCDEFGHIJ0123456789";
        // JSON escapes (`\u0007`) and a raw U+202E, which JSON allows as it is.
        let reasons = [
            format!("agent_error.x {MUL}"),
            format!(r"agent_error.x\u0007{MUL} {GHP}"),
            format!("agent_error.x{}{MUL}", '\u{202e}'),
            format!(r"agent_error.x\u202e{GHP}"),
            format!(r"agent_error.x\u202e{GHP} \u001b[0m{MUL}"),
        ];
        for reason in &reasons {
            let frame = format!(
                r#"{{"type":"task:failed","payload":{{"task_id":"t1","chat_session_id":"s","failure_reason":"{reason}"}}}}"#
            );
            let fast = fast::decode(&frame).expect("the fast path reads a common frame");
            assert_eq!(Ok(fast.clone()), decode_serde(&frame), "{frame}");
            let Event::TaskFailed(f) = fast.0 else {
                panic!("{frame}")
            };
            let code = f.failure_reason.unwrap();
            assert!(code.starts_with("agent_error.x"), "{code}");
            assert!(!code.contains("mul_") && !code.contains("ghp_"), "{code}");
            assert!(
                !code.chars().any(|c| c.is_control() || c == '\u{202e}'),
                "{code:?}"
            );
            assert!(code.contains("[REDACTED"), "{code}");
        }
    }

    /// A known event's place in the known types names its type.
    #[test]
    fn known_types_are_in_their_places() {
        let mut frames: Vec<String> = [
            "task:queued",
            "task:dispatch",
            "task:running",
            "task:waiting_local_directory",
            "task:progress",
            "task:completed",
            "task:message",
            "task:cancelled",
            "task:failed",
            "chat:message",
            "chat:done",
            "comment:created",
        ]
        .iter()
        .map(|t| format!(r#"{{"type":"{t}","payload":{{}}}}"#))
        .collect();
        for t in [
            "auth_ack",
            "pong",
            "subscribe_ack",
            "subscribe_error",
            "unsubscribe_ack",
        ] {
            frames.push(format!(r#"{{"type":"{t}"}}"#));
        }
        frames.push(r#"{"error":"nope"}"#.into());
        let mut seen = std::collections::BTreeSet::new();
        for f in &frames {
            let event = decode(f).unwrap();
            let i = event.known_type().unwrap();
            assert_eq!(crate::protocol::KNOWN_TYPES[i], event.type_name(), "{f}");
            seen.insert(i);
        }
        assert_eq!(seen.len(), crate::protocol::KNOWN_TYPES.len());
        assert_eq!(decode(r#"{"type":"x:y"}"#).unwrap().known_type(), None);
    }

    #[test]
    fn subscribe_error_carries_its_message() {
        assert_eq!(
            decode(r#"{"type":"subscribe_error","payload":{"error":"forbidden"}}"#),
            Ok(Event::Control(Control::SubscribeError(Some(
                "forbidden".into()
            ))))
        );
    }
}
