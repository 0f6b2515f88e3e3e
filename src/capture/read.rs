//! Reading captures: line by line, bounded, every line classified.

use std::borrow::Cow;
use std::io::{self, BufRead};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::clock::{self, frame_time, Pacer};
use super::{parse_time, Header, Line};
use crate::protocol::{Gap, MAX_FRAME_BYTES};
use crate::redact;

/// A line longer than this is never read whole: it is skipped to its end and counted.
pub const MAX_LINE_BYTES: usize = MAX_FRAME_BYTES + 64 * 1024;

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    frame: Option<&'a RawValue>,
    /// The workspace whose connection or stream carried the frame (a value that is not a
    /// string is as if absent).
    #[serde(borrow)]
    workspace: Option<&'a RawValue>,
    gap: Option<GapRecord<'a>>,
    #[serde(borrow)]
    recovered: Option<RecoveredRecord<'a>>,
    failwatch_capture: Option<serde::de::IgnoredAny>,
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    started_at: Option<Cow<'a, str>>,
    /// The recorder asked the REST API: each withheld text's lookup ends in a recovered record.
    #[serde(default)]
    api: bool,
}

#[derive(Deserialize)]
struct GapRecord<'a> {
    #[serde(borrow)]
    from: Option<Cow<'a, str>>,
    #[serde(borrow)]
    to: Option<Cow<'a, str>>,
    #[serde(borrow)]
    why: Option<Cow<'a, str>>,
}

#[derive(Deserialize)]
struct RecoveredRecord<'a> {
    #[serde(borrow)]
    task_id: Cow<'a, str>,
    #[serde(borrow, default)]
    source: Option<Cow<'a, str>>,
    /// Why the lookup gave up (instead of `source` and the rest).
    #[serde(borrow, default)]
    failed: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    error: Option<Cow<'a, str>>,
    #[serde(default)]
    attempt: Option<u32>,
    #[serde(default)]
    max_attempts: Option<u32>,
    #[serde(borrow, default)]
    parent_task_id: Option<Cow<'a, str>>,
    /// Bytes cut off `error` before it was recorded.
    #[serde(default)]
    cut: usize,
    /// The lookup failed because an answer was cut before the task's row.
    #[serde(default)]
    answer_cut: bool,
}

/// A recovered record as ingest takes it: every string cleaned and redacted again (a capture
/// is outside text like any other).
fn recovery(r: RecoveredRecord<'_>) -> Option<crate::enrich::Recovery> {
    use crate::enrich::{ApiAttempt, ApiSource, LookupFailed, Recovered, Recovery, SeenText};
    let id = |s: &str| std::sync::Arc::<str>::from(redact::redact_id(s).as_ref());
    if let Some(why) = &r.failed {
        return Some(Recovery {
            task_id: id(&r.task_id),
            outcome: Err(LookupFailed {
                why: redact::redact_line(why, redact::MAX_MESSAGE_CHARS).into(),
                cut: r.answer_cut,
            }),
        });
    }
    Some(Recovery {
        task_id: id(&r.task_id),
        outcome: Ok(Recovered {
            source: ApiSource::parse(r.source.as_deref()?)?,
            error: r.error.as_deref().map(|e| SeenText::recorded(e, r.cut)),
            attempt: r.attempt.map(|attempt| ApiAttempt {
                attempt,
                max_attempts: r.max_attempts.unwrap_or(0),
                parent_task_id: r
                    .parent_task_id
                    .as_deref()
                    .filter(|p| !p.is_empty())
                    .map(id),
            }),
        }),
    })
}

/// Reads a capture line by line, assigning times to bare frames.
pub struct CaptureReader<R> {
    inner: R,
    pub(super) buf: Vec<u8>,
    pacer: Pacer,
    pub line_no: u64,
}

impl<R: BufRead> CaptureReader<R> {
    pub fn new(inner: R) -> Self {
        CaptureReader {
            inner,
            buf: Vec::with_capacity(4096),
            pacer: Pacer::default(),
            line_no: 0,
        }
    }

    /// The next line, or `None` at end of input. I/O errors are the only errors.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        self.buf.clear();
        let (read, complete, overlong) = self.read_bounded()?;
        if read == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        if overlong > 0 {
            return Ok(Some(overlong_line(overlong)));
        }
        let line = parse_line(&self.buf, complete, self.pacer.last());
        match &line {
            Line::Frame { at, .. } => _ = self.pacer.time(Some(*at)),
            other => self.pacer.other(other),
        }
        Ok(Some(line))
    }

    /// Read up to the next newline, keeping at most [`MAX_LINE_BYTES`]; returns the bytes read,
    /// whether the line ended with a newline, and the line's size when it was too long (0 else).
    fn read_bounded(&mut self) -> io::Result<(usize, bool, usize)> {
        let mut total = 0;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                let over = if total > MAX_LINE_BYTES { total } else { 0 };
                return Ok((total, false, over));
            }
            let (take, done) = match memchr_newline(chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            if total + take <= MAX_LINE_BYTES {
                self.buf.extend_from_slice(&chunk[..take]);
            } else {
                // Past the bound: keep counting, stop keeping.
                self.buf.clear();
            }
            total += take;
            self.inner.consume(take);
            if done {
                let over = if total > MAX_LINE_BYTES { total } else { 0 };
                return Ok((total, true, over));
            }
        }
    }
}

fn memchr_newline(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

/// A line past [`MAX_LINE_BYTES`] (`bytes` long, its newline included): skipped, and said.
pub(crate) fn overlong_line(bytes: usize) -> Line {
    Line::Bad(format!(
        "line of {bytes} bytes, over the {MAX_LINE_BYTES}-byte limit: skipped"
    ))
}

/// Classify one line (`complete` = it ended with a newline).
pub fn parse_line(bytes: &[u8], complete: bool, last_at: Option<DateTime<Utc>>) -> Line {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Line::Bad("not UTF-8".into());
    };
    let text = text.trim();
    if text.is_empty() {
        return Line::Blank;
    }
    let bad = |why: &str| {
        Line::Bad(if complete {
            why.to_owned()
        } else {
            format!("{why} (truncated last line)")
        })
    };
    if !text.starts_with('{') {
        return match serde_json::from_str::<serde::de::IgnoredAny>(text) {
            Ok(_) => bad("JSON but not an object"),
            Err(_) => bad("not JSON"),
        };
    }
    if let Some((recorded, frame, workspace)) = plain_frame(text) {
        let workspace = workspace.as_deref().and_then(workspace_of);
        return frame_line(recorded, frame.to_owned(), workspace, last_at);
    }
    parse_record(text, bad, last_at)
}

/// A line that is a JSON object, as serde reads it: the exact reading of every shape.
pub(super) fn parse_record(
    text: &str,
    bad: impl Fn(&str) -> Line,
    last_at: Option<DateTime<Utc>>,
) -> Line {
    let record: Record = match serde_json::from_str(text) {
        Ok(r) => r,
        Err(e) if e.to_string().starts_with("recursion limit") => {
            return bad("JSON nested too deeply")
        }
        Err(_) => return bad("not JSON"),
    };
    if record.failwatch_capture.is_some() {
        return Line::Header(Header {
            source: record
                .source
                .map(|s| redact::redact_line(&s, redact::MAX_MESSAGE_CHARS)),
            started_at: record.started_at.as_deref().and_then(parse_time),
            api: record.api,
        });
    }
    if let Some(r) = record.recovered {
        return match recovery(r) {
            Some(r) => Line::Recovered(r),
            None => bad("recovered record without a known source or a failure"),
        };
    }
    if let Some(gap) = record.gap {
        let Some(from) = gap.from.as_deref().and_then(parse_time) else {
            return bad("gap record without a time");
        };
        return Line::Gap(Gap {
            from,
            to: gap.to.as_deref().and_then(parse_time),
            why: gap
                .why
                .map(|w| redact::redact_line(&w, redact::MAX_MESSAGE_CHARS))
                .unwrap_or_default(),
        });
    }
    match record.frame {
        Some(frame) => {
            let raw = frame.get();
            // A frame that was not JSON on the wire is recorded as a JSON string.
            let text = if raw.starts_with('"') {
                serde_json::from_str::<String>(raw).unwrap_or_default()
            } else {
                raw.to_owned()
            };
            let workspace = record
                .workspace
                .and_then(|w| serde_json::from_str::<String>(w.get()).ok())
                .as_deref()
                .and_then(workspace_of);
            frame_line(
                record.at.as_deref().and_then(parse_time),
                text,
                workspace,
                last_at,
            )
        }
        None => frame_line(None, text.to_owned(), None, last_at),
    }
}

pub(super) fn frame_line(
    recorded: Option<DateTime<Utc>>,
    text: String,
    workspace: Option<Arc<str>>,
    last_at: Option<DateTime<Utc>>,
) -> Line {
    let own = clock::line_time_of_text(recorded, &text);
    let (at, synthetic) = Pacer::after(last_at).time(own);
    Line::Frame {
        at,
        text,
        synthetic,
        workspace,
    }
}

/// A record's workspace, made safe (it came from a file) and shared: a capture's lines name
/// few workspaces, so the last one is kept to hand out again. `None` for a blank one.
pub(crate) fn workspace_of(recorded: &str) -> Option<Arc<str>> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<Arc<str>>> = const { std::cell::RefCell::new(None) };
    }
    let safe = redact::redact_id(recorded);
    if safe.trim().is_empty() {
        return None;
    }
    LAST.with_borrow_mut(|last| match last {
        Some(arc) if **arc == *safe => Some(arc.clone()),
        _ => {
            let arc: Arc<str> = Arc::from(&*safe);
            *last = Some(arc.clone());
            Some(arc)
        }
    })
}

/// The keys [`Record`] reads: `at`, `frame` and `workspace` first, then those of the other
/// records.
const RECORD_KEYS: [&str; 9] = [
    "at",
    "frame",
    "workspace",
    "gap",
    "recovered",
    "failwatch_capture",
    "source",
    "started_at",
    "api",
];

/// A frame line in the common shape — a record of `at` and an object `frame`, or a bare frame
/// object — read in one borrowed pass: the record's time and the frame's text. `None` for any
/// other line (a header, a gap, a recovered text, a frame recorded as a string, anything odd),
/// which serde's reading of [`Record`] decides.
pub(super) fn plain_frame(text: &str) -> Option<PlainFrame<'_>> {
    use crate::protocol::fast::scan::{self, Val};
    let [at, frame, workspace, gap, recovered, header, source, started_at, api] =
        scan::object(text, RECORD_KEYS)?;
    let other_record = [gap, recovered, header, source, started_at, api];
    if other_record.iter().any(|v| *v != Val::Absent) {
        return None;
    }
    let at = at.opt_str()?;
    match frame {
        // A workspace that is not a string is as if absent (as serde's reading has it).
        Val::Object(frame) => Some((
            at.as_deref().and_then(parse_time),
            frame,
            workspace.opt_str().unwrap_or(None),
        )),
        // A bare frame's own fields are the frame's.
        Val::Absent => Some((None, text, None)),
        _ => None,
    }
}

/// A frame line read in one pass: the record's time, the frame's text and the workspace as
/// recorded (not yet made safe).
pub(crate) type PlainFrame<'a> = (Option<DateTime<Utc>>, &'a str, Option<Cow<'a, str>>);

/// A line holding a frame in a common shape — a bare frame, or a record of an object frame —
/// decoded in the one pass that reads it: the frame's own time (`None`: it has none, and is
/// paced), the workspace as recorded, and the event. `None` for any other line: ask
/// [`parse_line`].
#[allow(clippy::type_complexity)]
pub(crate) fn decoded_frame(
    text: &str,
) -> Option<(
    Option<DateTime<Utc>>,
    Option<Cow<'_, str>>,
    crate::protocol::Identified<'_>,
)> {
    use crate::protocol::LineRead;
    // What `parse_line` trims: a line that starts and ends as an object has nothing to trim.
    let bytes = text.as_bytes();
    let end = match bytes {
        [.., b'\r', b'\n'] => bytes.len() - 2,
        [.., b'\n'] => bytes.len() - 1,
        _ => bytes.len(),
    };
    let text = text.get(..end)?;
    if !(text.starts_with('{') && text.ends_with('}')) {
        return None;
    }
    Some(match crate::protocol::decode_line(text)? {
        LineRead::Bare(decoded) => (clock::line_time(None, decoded.1.as_ref()), None, decoded),
        LineRead::Record {
            at,
            frame,
            workspace,
        } => {
            let recorded = at.as_deref().and_then(parse_time);
            (
                clock::line_time(recorded, frame.1.as_ref()),
                workspace,
                frame,
            )
        }
    })
}

/// A line holding a frame in the common shape, read without copying it: the frame's own time
/// (`None`: it has none, and is paced), its text and the workspace as recorded. `None` for any
/// other line: ask [`parse_line`].
pub(crate) fn borrowed_frame(text: &str) -> Option<PlainFrame<'_>> {
    let text = text.trim();
    if !text.starts_with('{') {
        return None;
    }
    let (recorded, frame, workspace) = plain_frame(text)?;
    Some((clock::line_time_of_text(recorded, frame), frame, workspace))
}

/// The newest frame time of a whole capture: the clock `since:` is measured from.
pub fn end_time(input: impl BufRead) -> io::Result<Option<DateTime<Utc>>> {
    let mut reader = CaptureReader::new(input);
    let mut end = None;
    while let Some(line) = reader.next_line()? {
        end = end.max(frame_time(&line));
    }
    Ok(end)
}
