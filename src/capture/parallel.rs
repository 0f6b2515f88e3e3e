//! Reading a capture file on every core: the file is mapped, cut at line ends into chunks, and
//! reader threads classify and decode each chunk's lines while the calling thread ingests the
//! chunks before them, in order. What each line becomes is exactly what [`CaptureReader`] and
//! the pipeline's own decode make of it: the same line numbers, the same times for frames that
//! carry none, the same rejections. Only ingestion (correlation, routing, counts) stays on one
//! thread, so a lost session across a chunk boundary is found as in one pass.
//!
//! [`CaptureReader`]: super::CaptureReader

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Condvar, Mutex};

use chrono::{DateTime, Utc};

use super::read::{borrowed_frame, decoded_frame, overlong_line, paced_after};
use super::{parse_line, Header, Line, MAX_LINE_BYTES};
use crate::protocol::{decode_with_id, Identified, Rejection};

/// A frame's decode, done on a reader thread, borrowing from the mapped file.
pub type Decoded<'a> = Result<Identified<'a>, Rejection>;

/// One line, ready to ingest.
pub enum Item<'a> {
    Frame {
        at: DateTime<Utc>,
        synthetic: bool,
        decoded: Decoded<'a>,
    },
    /// Any other line, or a frame read one line at a time (decoded as it is ingested).
    Other(Line),
}

impl From<Line> for Item<'static> {
    fn from(line: Line) -> Item<'static> {
        Item::Other(line)
    }
}

/// A line as a reader thread leaves it: a frame without its own time waits for the time of the
/// line before it, known only in order.
pub(crate) enum Prepared<'a> {
    Frame {
        at: Option<DateTime<Utc>>,
        decoded: Decoded<'a>,
    },
    /// A frame whose text had to be copied out of its line (a frame recorded as a string): it
    /// is decoded as it is ingested.
    Owned {
        at: Option<DateTime<Utc>>,
        text: String,
    },
    Other(Line),
}

/// Chunks this large are handed to reader threads …
pub const CHUNK_BYTES: usize = 1 << 20;
/// … at most this many ahead of ingestion (bounding the memory decoded events take).
const AHEAD: usize = 8;

/// Where reading goes on from: a line's start in the file, and what order knew there.
#[derive(Clone, Copy, Debug, Default)]
pub struct Resume {
    pub offset: usize,
    pub(crate) order: Order,
    /// The newest frame time before that line.
    pub clock: Option<DateTime<Utc>>,
}

/// Every line of `bytes` in order, as `(line number, item)`, read on up to `threads` threads in
/// chunks of about `chunk_bytes`, until `each` says to stop (`false`).
pub fn for_each_line(
    bytes: &[u8],
    chunk_bytes: usize,
    threads: usize,
    each: impl FnMut(u64, Item<'_>) -> bool,
) {
    for_each_line_from(bytes, Resume::default(), chunk_bytes, threads, each)
}

/// [`for_each_line`] from where an earlier reading stopped.
pub fn for_each_line_from(
    bytes: &[u8],
    from: Resume,
    chunk_bytes: usize,
    threads: usize,
    mut each: impl FnMut(u64, Item<'_>) -> bool,
) {
    let chunks = cut(bytes, from.offset, chunk_bytes.max(1));
    let mut order = from.order;
    if threads <= 1 || chunks.len() <= 1 {
        for c in &chunks {
            if !read_chunk(c).into_iter().all(|p| order.hand(p, &mut each)) {
                return;
            }
        }
        return;
    }
    let stop = std::sync::atomic::AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    let consumed = (Mutex::new(0usize), Condvar::new());
    let (senders, receivers): (Vec<_>, Vec<_>) = chunks
        .iter()
        .map(|_| mpsc::sync_channel::<Vec<Prepared>>(1))
        .unzip();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(chunk) = chunks.get(i) else { return };
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                {
                    let (done, moved) = &consumed;
                    let mut done = done.lock().unwrap_or_else(|e| e.into_inner());
                    while i >= *done + AHEAD {
                        done = moved.wait(done).unwrap_or_else(|e| e.into_inner());
                    }
                }
                // The receiver lives until every chunk is taken in.
                let _ = senders[i].send(read_chunk(chunk));
            });
        }
        for (i, rx) in receivers.iter().enumerate() {
            let Ok(prepared) = rx.recv() else { break };
            let go_on = prepared.into_iter().all(|p| order.hand(p, &mut each));
            if !go_on {
                stop.store(true, Ordering::Relaxed);
            }
            // Stopping: every waiting reader is let go, to find the stop and return.
            let (done, moved) = &consumed;
            *done.lock().unwrap_or_else(|e| e.into_inner()) =
                if go_on { i + 1 } else { usize::MAX / 2 };
            moved.notify_all();
            if !go_on {
                break;
            }
        }
    });
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

/// Each line of a chunk, classified and decoded as the reader and the pipeline would.
pub(crate) fn read_chunk<'a>(chunk: &Chunk<'a>) -> Vec<Prepared<'a>> {
    let mut out = Vec::new();
    read_chunk_into(chunk, &mut out);
    out
}

/// [`read_chunk`] into `out` (emptied first), which keeps its memory from chunk to chunk.
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
        if let Some((at, decoded)) = decoded_frame(text) {
            return Prepared::Frame {
                at,
                decoded: Ok(decoded),
            };
        }
        if let Some((at, frame)) = borrowed_frame(text) {
            return Prepared::Frame {
                at,
                decoded: decode_with_id(frame),
            };
        }
    }
    match parse_line(line, complete, None) {
        Line::Frame {
            at,
            text,
            synthetic,
        } => Prepared::Owned {
            at: (!synthetic).then_some(at),
            text,
        },
        other => Prepared::Other(other),
    }
}

/// What only order knows: line numbers, and the time of a frame that has none (the line before
/// it plus a fixed pace, as the reader assigns it).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Order {
    pub line_no: u64,
    last_at: Option<DateTime<Utc>>,
}

impl Order {
    fn hand<'a>(&mut self, p: Prepared<'a>, each: &mut impl FnMut(u64, Item<'a>) -> bool) -> bool {
        self.line_no += 1;
        let item = match p {
            Prepared::Frame { at, decoded } => {
                let (at, synthetic) = self.time(at);
                Item::Frame {
                    at,
                    synthetic,
                    decoded,
                }
            }
            Prepared::Owned { at, text } => {
                let (at, synthetic) = self.time(at);
                Item::Other(Line::Frame {
                    at,
                    text,
                    synthetic,
                })
            }
            Prepared::Other(line) => {
                self.other(&line);
                Item::Other(line)
            }
        };
        each(self.line_no, item)
    }

    /// A line that is not a frame: a header's start time paces the bare frames after it.
    pub fn other(&mut self, line: &Line) {
        if let Line::Header(Header {
            started_at: Some(t),
            ..
        }) = line
        {
            self.last_at = self.last_at.or(Some(*t));
        }
    }

    /// A frame's time, and whether it was paced: its own, or after the line before's.
    pub fn time(&mut self, own: Option<DateTime<Utc>>) -> (DateTime<Utc>, bool) {
        let at = own.unwrap_or_else(|| paced_after(self.last_at));
        self.last_at = Some(at);
        (at, own.is_none())
    }
}
