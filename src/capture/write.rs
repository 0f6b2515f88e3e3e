//! Writing captures: a header, then one flushed line per frame or gap. Unless raw capture was
//! asked for, a frame keeps only what failwatch uses (no chat bodies, no dispatch prompts, no
//! payloads of events it only counts), a value under a secret's name (`password`, `*_token`, …)
//! is masked whole, and every other string is cleaned and redacted on its own. Working on the
//! parsed structure keeps the JSON intact: a rule that runs to the end of a line cannot eat
//! the rest of the frame.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Map, Value};

use super::format_time;
use crate::protocol::Gap;
use crate::redact;

/// Writes a capture: a header, then one flushed line per record.
pub struct CaptureWriter {
    out: BufWriter<File>,
    raw: bool,
    pub written: u64,
}

impl CaptureWriter {
    /// `api`: the run asks the REST API, so each withheld text's lookup will be recorded.
    pub fn create(path: &Path, source: &str, raw: bool, api: bool) -> io::Result<CaptureWriter> {
        let file = File::create(path)?;
        let mut w = CaptureWriter {
            out: BufWriter::new(file),
            raw,
            written: 0,
        };
        let header = serde_json::json!({
            "failwatch_capture": 1,
            "source": redact::redact_line(source, redact::MAX_MESSAGE_CHARS),
            "started_at": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            "redacted": !raw,
            "api": api,
        });
        writeln!(w.out, "{header}")?;
        w.out.flush()?;
        Ok(w)
    }

    /// Append one frame, with the workspace that carried it (already made safe where it came
    /// in). Flushed at once so a killed recorder loses at most this line.
    pub fn write(
        &mut self,
        at: DateTime<Utc>,
        workspace: Option<&str>,
        text: &str,
    ) -> io::Result<()> {
        let mut record =
            serde_json::json!({ "at": format_time(at), "frame": recorded_frame(text, self.raw) });
        if let Some(workspace) = workspace {
            record["workspace"] = workspace.into();
        }
        self.line(&record)
    }

    /// Append a gap: a replay shows it where it happened.
    pub fn write_gap(&mut self, gap: &Gap) -> io::Result<()> {
        let record = serde_json::json!({
            "at": format_time(gap.to.unwrap_or(gap.from)),
            "gap": {"from": format_time(gap.from), "to": gap.to.map(format_time), "why": gap.why},
        });
        self.line(&record)
    }

    /// Append a text the REST API gave back, redacted, so a replay shows it without the server;
    /// or why it could not, so a replay need not wait for it.
    pub fn write_recovery(
        &mut self,
        at: DateTime<Utc>,
        r: &crate::enrich::Recovery,
    ) -> io::Result<()> {
        let found = match &r.outcome {
            Ok(found) => found,
            Err(failed) => {
                let mut recovered =
                    serde_json::json!({"task_id": &*r.task_id, "failed": &*failed.why});
                // Read back, the text lost with a cut answer is counted as cut again.
                if failed.cut {
                    recovered["answer_cut"] = Value::Bool(true);
                }
                let record = serde_json::json!({"at": format_time(at), "recovered": recovered});
                return self.line(&record);
            }
        };
        let attempt = found.attempt.as_ref();
        let mut record = serde_json::json!({
            "at": format_time(at),
            "recovered": {
                "task_id": &*r.task_id,
                "source": found.source.name(),
                "error": found.error.as_ref().map(|t| &*t.text),
                "attempt": attempt.map(|a| a.attempt),
                "max_attempts": attempt.map(|a| a.max_attempts),
                "parent_task_id": attempt.and_then(|a| a.parent_task_id.as_deref()),
            },
        });
        // The text as recorded is already cut: the bytes cut off it, for reading back.
        let cut = found.error.as_ref().map_or(0, |t| t.cut);
        if cut > 0 {
            record["recovered"]["cut"] = Value::from(cut);
        }
        self.line(&record)
    }

    fn line(&mut self, record: &Value) -> io::Result<()> {
        writeln!(self.out, "{record}")?;
        self.out.flush()?;
        self.written += 1;
        Ok(())
    }

    /// Flush and sync to disk.
    pub fn finish(mut self) -> io::Result<()> {
        self.sync()
    }

    /// Flush and sync to disk, and go on writing.
    pub fn sync(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().sync_all()
    }
}

/// What a recording keeps of a frame: the frame as received with `raw`, else pruned, cleaned
/// and redacted. A frame that was not JSON is kept as a (cleaned, redacted) string.
pub fn recorded_frame(text: &str, raw: bool) -> Value {
    let parsed = serde_json::from_str::<Value>(text);
    if raw {
        return parsed.unwrap_or_else(|_| Value::String(text.to_owned()));
    }
    match parsed {
        Ok(mut v) => {
            keep_what_is_used(&mut v);
            clean_strings(&mut v);
            v
        }
        Err(_) => Value::String(redact::redact(&unescape(text)).text),
    }
}

/// `\/` and `\u00XX` escapes of a text that is not JSON, written out so no rule misses a secret
/// hidden behind them.
fn unescape(text: &str) -> String {
    if !text.contains('\\') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('\\') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        if let Some(r) = after.strip_prefix('/') {
            out.push('/');
            rest = r;
        } else if let Some(c) = after
            .strip_prefix('u')
            .and_then(|h| h.get(..4))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .and_then(char::from_u32)
            .filter(char::is_ascii)
        {
            out.push(c);
            rest = &after[5..];
        } else {
            out.push('\\');
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

/// Fields failwatch reads, by event type; everything else a workspace connection carries
/// (chat bodies, prompts, issue titles) is private and not recorded.
fn keep_what_is_used(v: &mut Value) {
    let Some(frame) = v.as_object_mut() else {
        return;
    };
    let kind = frame
        .get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let Some(payload) = frame.get_mut("payload").and_then(Value::as_object_mut) else {
        return;
    };
    const IDS: [&str; 6] = [
        "task_id",
        "agent_id",
        "issue_id",
        "chat_session_id",
        "runtime_id",
        "status",
    ];
    let keep: &[&str] = match kind.as_str() {
        "task:failed" => &crate::protocol::TASK_FAILED_FIELDS,
        k if k.starts_with("task:") => &IDS,
        "chat:message" => &["chat_session_id", "task_id", "message_id", "role"],
        "chat:done" => &["chat_session_id", "task_id", "message_id"],
        "comment:created" => {
            prune_comment(payload);
            &["comment"]
        }
        "subscribe_error" => &["error", "scope", "id"],
        _ => &[],
    };
    payload.retain(|k, _| keep.contains(&k.as_str()));
}

/// A comment's text is kept only when it is the server's failure text.
fn prune_comment(payload: &mut Map<String, Value>) {
    let Some(c) = payload.get_mut("comment").and_then(Value::as_object_mut) else {
        return;
    };
    let failure_text = c.get("type").and_then(Value::as_str) == Some("system")
        && c.get("author_type").and_then(Value::as_str) == Some("agent");
    c.retain(|k, _| {
        matches!(
            k.as_str(),
            "type" | "author_type" | "source_task_id" | "issue_id" | "id"
        ) || (k == "content" && failure_text)
    });
}

/// Mask values under secret names, clean and redact every other string.
fn clean_strings(v: &mut Value) {
    match v {
        Value::String(s) => *s = redact::redact(s).text,
        Value::Array(items) => items.iter_mut().for_each(clean_strings),
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if redact::is_secret_name(key) && !value.is_null() {
                    *value = Value::String("[REDACTED CREDENTIAL]".into());
                } else {
                    clean_strings(value);
                }
            }
        }
        _ => {}
    }
}
