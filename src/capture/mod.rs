//! Capture files: JSON Lines of `{"at": …, "frame": …}` records after an optional header, or bare
//! frames one per line. The reader never fails on content: bad lines come back as [`Line::Bad`].
//! The writer redacts every string in a frame unless raw capture was asked for.

use std::borrow::Cow;
use std::fs::File;
use std::io::{self, BufRead, BufWriter, Write};
use std::path::Path;

use chrono::{DateTime, Duration, SecondsFormat, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::redact;

/// Bare frames carry no time: they are paced this far apart.
pub const BARE_FRAME_PACE_MS: i64 = 100;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    pub source: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Line {
    Header(Header),
    /// A frame with its time (from the record, or paced for bare frames).
    Frame {
        at: DateTime<Utc>,
        text: String,
    },
    Blank,
    Bad(String),
}

#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    at: Option<Cow<'a, str>>,
    #[serde(borrow)]
    frame: Option<&'a RawValue>,
    failwatch_capture: Option<serde::de::IgnoredAny>,
    #[serde(borrow)]
    source: Option<Cow<'a, str>>,
    #[serde(borrow)]
    started_at: Option<Cow<'a, str>>,
}

/// Reads a capture line by line, assigning times to bare frames.
pub struct CaptureReader<R> {
    inner: R,
    buf: Vec<u8>,
    last_at: Option<DateTime<Utc>>,
    pub line_no: u64,
}

impl<R: BufRead> CaptureReader<R> {
    pub fn new(inner: R) -> Self {
        CaptureReader {
            inner,
            buf: Vec::with_capacity(4096),
            last_at: None,
            line_no: 0,
        }
    }

    /// The next line, or `None` at end of input. I/O errors are the only errors.
    pub fn next_line(&mut self) -> io::Result<Option<Line>> {
        self.buf.clear();
        if self.inner.read_until(b'\n', &mut self.buf)? == 0 {
            return Ok(None);
        }
        self.line_no += 1;
        let complete = self.buf.last() == Some(&b'\n');
        let line = parse_line(&self.buf, complete, self.last_at);
        match &line {
            Line::Frame { at, .. } => self.last_at = Some(*at),
            Line::Header(Header {
                started_at: Some(t),
                ..
            }) if self.last_at.is_none() => self.last_at = Some(*t),
            _ => {}
        }
        Ok(Some(line))
    }
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
                .map(|s| redact::strip_controls(&s).0.into_owned()),
            started_at: record.started_at.as_deref().and_then(parse_time),
        });
    }
    let paced =
        || last_at.map_or_else(Utc::now, |t| t + Duration::milliseconds(BARE_FRAME_PACE_MS));
    match record.frame {
        Some(frame) => {
            let at = record
                .at
                .as_deref()
                .and_then(parse_time)
                .unwrap_or_else(paced);
            let raw = frame.get();
            // A frame that was not JSON on the wire is recorded as a JSON string.
            let text = if raw.starts_with('"') {
                serde_json::from_str::<String>(raw).unwrap_or_default()
            } else {
                raw.to_owned()
            };
            Line::Frame { at, text }
        }
        None => Line::Frame {
            at: paced(),
            text: text.to_owned(),
        },
    }
}

/// The server family a capture's frames tell, from its first `task:failed` that says (read up to
/// the first such frame; the whole input when none does).
pub fn sniff_family(input: impl BufRead) -> io::Result<Option<crate::routing::Family>> {
    let mut reader = CaptureReader::new(input);
    while let Some(line) = reader.next_line()? {
        let Line::Frame { text, .. } = line else {
            continue;
        };
        if !text.contains("task:failed") {
            continue;
        }
        if let Ok(crate::protocol::Event::TaskFailed(f)) = crate::protocol::decode(&text) {
            if let Some(family) = crate::routing::Family::evidence(&f) {
                return Ok(Some(family));
            }
        }
    }
    Ok(None)
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// RFC 3339, UTC, milliseconds: the one time format of every output.
pub fn format_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Writes a capture: a header, then one flushed line per frame.
pub struct CaptureWriter {
    out: BufWriter<File>,
    raw: bool,
    pub written: u64,
}

impl CaptureWriter {
    pub fn create(path: &Path, source: &str, raw: bool) -> io::Result<CaptureWriter> {
        let file = File::create(path)?;
        let mut w = CaptureWriter {
            out: BufWriter::new(file),
            raw,
            written: 0,
        };
        let header = serde_json::json!({
            "failwatch_capture": 1,
            "source": redact::redact(source).text,
            "started_at": Utc::now().to_rfc3339_opts(SecondsFormat::Secs, true),
            "redacted": !raw,
        });
        writeln!(w.out, "{header}")?;
        w.out.flush()?;
        Ok(w)
    }

    /// Append one frame. Flushed at once so a killed recorder loses at most this line.
    pub fn write(&mut self, at: DateTime<Utc>, text: &str) -> io::Result<()> {
        let frame = if self.raw {
            frame_value(text)
        } else {
            redact_frame(text)
        };
        let record = serde_json::json!({ "at": format_time(at), "frame": frame });
        writeln!(self.out, "{record}")?;
        self.out.flush()?;
        self.written += 1;
        Ok(())
    }

    /// Flush and sync to disk.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush()?;
        self.out.get_ref().sync_all()
    }
}

fn frame_value(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap_or_else(|_| serde_json::Value::String(text.to_owned()))
}

/// Every string in the frame (keys included) redacted; non-JSON frames redacted as text.
pub fn redact_frame(text: &str) -> serde_json::Value {
    let mut v = frame_value(text);
    redact_value(&mut v);
    v
}

fn redact_value(v: &mut serde_json::Value) {
    use serde_json::Value;
    match v {
        Value::String(s) => {
            let r = redact::redact(s);
            if r.text != *s {
                *s = r.text;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(redact_value),
        Value::Object(map) => {
            let entries = std::mem::take(map);
            for (k, mut val) in entries {
                redact_value(&mut val);
                map.insert(redact::redact(&k).text, val);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &str) -> Vec<Line> {
        let mut r = CaptureReader::new(input.as_bytes());
        std::iter::from_fn(|| r.next_line().unwrap()).collect()
    }

    #[test]
    fn reads_header_records_bare_frames_and_bad_lines() {
        let got = lines(concat!(
            "{\"failwatch_capture\":1,\"source\":\"ws://x\",\"started_at\":\"2026-11-20T03:14:00+00:00\"}\n",
            "{\"at\":\"2026-11-20T03:14:01.500Z\",\"frame\":{\"type\":\"pong\"}}\n",
            "\n",
            "{\"type\":\"auth_ack\"}\n",
            "{\"at\":\"2026-11-20T03:14:02Z\",\"frame\":\"not json on the wire\"}\n",
            "[1,2]\n",
            "{not json\n",
            "{\"at\":\"2026-11-20T03:14:03Z\",\"frame\":{\"ty",
        ));
        let t = |s: &str| parse_time(s).unwrap();
        assert_eq!(
            got,
            vec![
                Line::Header(Header {
                    source: Some("ws://x".into()),
                    started_at: Some(t("2026-11-20T03:14:00Z"))
                }),
                Line::Frame {
                    at: t("2026-11-20T03:14:01.500Z"),
                    text: "{\"type\":\"pong\"}".into()
                },
                Line::Blank,
                Line::Frame {
                    at: t("2026-11-20T03:14:01.600Z"),
                    text: "{\"type\":\"auth_ack\"}".into()
                },
                Line::Frame {
                    at: t("2026-11-20T03:14:02Z"),
                    text: "not json on the wire".into()
                },
                Line::Bad("JSON but not an object".into()),
                Line::Bad("not JSON".into()),
                Line::Bad("not JSON (truncated last line)".into()),
            ]
        );
    }

    #[test]
    fn binary_garbage_is_a_bad_line() {
        let mut r = CaptureReader::new(&b"\x00\x01binary\n\xff\xfe\n"[..]);
        assert!(matches!(r.next_line().unwrap(), Some(Line::Bad(_))));
        assert_eq!(r.next_line().unwrap(), Some(Line::Bad("not UTF-8".into())));
        assert_eq!(r.next_line().unwrap(), None);
    }

    #[test]
    fn writer_redacts_by_default_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.jsonl");
        let secret = "ghp_0123456789abcdefghijABCDEFGHIJ0123456789";
        let frame = format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"t","error":"token {secret} \u001b[2J"}}}}"#
        );
        let at = parse_time("2026-11-20T03:14:01.5Z").unwrap();
        let mut w = CaptureWriter::create(&path, "ws://h/ws", false).unwrap();
        w.write(at, &frame).unwrap();
        w.write(at, "plain text frame").unwrap();
        w.finish().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(secret), "{text}");
        assert!(!text.contains("\\u001b"), "{text}");
        let got = lines(&text);
        assert!(matches!(&got[0], Line::Header(_)));
        let Line::Frame {
            at: got_at,
            text: f,
        } = &got[1]
        else {
            panic!()
        };
        assert_eq!(*got_at, at);
        assert!(f.contains("\"task_id\":\"t\""));
        assert!(matches!(&got[2], Line::Frame { text, .. } if text == "plain text frame"));

        let raw_path = dir.path().join("raw.jsonl");
        let mut w = CaptureWriter::create(&raw_path, "ws://h/ws", true).unwrap();
        w.write(at, &frame).unwrap();
        w.finish().unwrap();
        assert!(std::fs::read_to_string(&raw_path).unwrap().contains(secret));
    }
}
