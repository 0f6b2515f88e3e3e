//! A mapped capture cut at line ends into chunks, and a chunk's lines read on a worker thread:
//! each classified and decoded as the line-at-a-time reader and the pipeline would, borrowing
//! from the map. What only order knows (line numbers, paced times) is left to the calling thread.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use crate::capture::{
    borrowed_frame, decoded_frame, overlong_line, parse_line, Line, MAX_LINE_BYTES,
};
use crate::protocol::{decode_with_id, Identified, Rejection};

/// A frame's decode, done on a reader thread, borrowing from the mapped file.
pub type Decoded<'a> = Result<Identified<'a>, Rejection>;

/// A line as a reader thread leaves it: a frame without its own time waits for the time of the
/// line before it, known only in order.
pub(crate) enum Prepared<'a> {
    Frame {
        at: Option<DateTime<Utc>>,
        decoded: Decoded<'a>,
        /// The workspace as recorded (made safe where a failure takes it).
        workspace: Option<Cow<'a, str>>,
    },
    /// A frame whose text had to be copied out of its line (a frame recorded as a string): it
    /// is decoded as it is ingested.
    Owned {
        at: Option<DateTime<Utc>>,
        text: String,
        workspace: Option<Arc<str>>,
    },
    Other(Line),
}

/// A chunk of the file: its bytes, where they start, and whether the file ends with them.
pub(crate) struct Chunk<'a> {
    pub bytes: &'a [u8],
    pub offset: usize,
    last: bool,
}

/// The file from `start` on, cut at the first line end after each `chunk_bytes`.
pub(crate) fn cut(bytes: &[u8], start: usize, chunk_bytes: usize) -> Vec<Chunk<'_>> {
    let mut out = Vec::new();
    let mut start = start.min(bytes.len());
    while start < bytes.len() {
        let want = start + chunk_bytes;
        let end = match bytes
            .get(want..)
            .and_then(|tail| memchr::memchr(b'\n', tail))
        {
            Some(i) => want + i + 1,
            None => bytes.len(),
        };
        out.push(Chunk {
            bytes: &bytes[start..end],
            offset: start,
            last: end == bytes.len(),
        });
        start = end;
    }
    out
}

/// Each line of a chunk, classified and decoded as the reader and the pipeline would, into `out`
/// (emptied first), which keeps its memory from chunk to chunk.
pub(crate) fn read_chunk_into<'a>(chunk: &Chunk<'a>, out: &mut Vec<Prepared<'a>>) {
    out.clear();
    let bytes = chunk.bytes;
    // Room for lines of about 200 bytes at once: growing would copy and fault in new pages. An
    // eighth more, so that a chunk a little larger than the last finds the room already there.
    let lines = bytes.len() / 200;
    if out.capacity() < lines {
        out.reserve_exact(lines + lines / 8);
    }
    // One check of the whole chunk spares each line its own (a chunk ends at a line end).
    let text = simdutf8::basic::from_utf8(bytes).ok();
    let line = |start: usize, end: usize, complete: bool| {
        prepare(
            &bytes[start..end],
            text.and_then(|t| t.get(start..end)),
            complete,
        )
    };
    let mut start = 0;
    // One search over the chunk for every line end.
    for newline in memchr::memchr_iter(b'\n', bytes) {
        out.push(line(start, newline + 1, true));
        start = newline + 1;
    }
    // Only the file's last line may end without a newline.
    if start < bytes.len() {
        out.push(line(start, bytes.len(), !chunk.last));
    }
}

/// A line (`text`: the same, when known to be UTF-8).
fn prepare<'a>(line: &'a [u8], text: Option<&'a str>, complete: bool) -> Prepared<'a> {
    if line.len() > MAX_LINE_BYTES {
        return Prepared::Other(overlong_line(line.len()));
    }
    if let Some(text) = text.or_else(|| std::str::from_utf8(line).ok()) {
        if let Some((at, workspace, decoded)) = decoded_frame(text) {
            return Prepared::Frame {
                at,
                decoded: Ok(decoded),
                workspace,
            };
        }
        if let Some((at, frame, workspace)) = borrowed_frame(text) {
            return Prepared::Frame {
                at,
                decoded: decode_with_id(frame),
                workspace,
            };
        }
    }
    match parse_line(line, complete, None) {
        Line::Frame {
            at,
            text,
            synthetic,
            workspace,
        } => Prepared::Owned {
            at: (!synthetic).then_some(at),
            text,
            workspace,
        },
        other => Prepared::Other(other),
    }
}
