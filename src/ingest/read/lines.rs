//! Reading a capture file on every core: the file is mapped, cut at line ends into chunks, and
//! reader threads classify and decode each chunk's lines while the calling thread ingests the
//! chunks before them, in order. What each line becomes is exactly what [`CaptureReader`] and
//! the pipeline's own decode make of it: the same line numbers, the same times for frames that
//! carry none, the same rejections. Only ingestion (correlation, routing, counts) stays on one
//! thread, so a lost session across a chunk boundary is found as in one pass.
//!
//! [`CaptureReader`]: crate::capture::CaptureReader

use std::convert::Infallible;

use chrono::{DateTime, Utc};

use super::bulk::Built;
use super::work::{Job, Work};
use crate::capture::clock::Pacer;
use crate::capture::{
    borrowed_frame, decoded_frame, overlong_line, parse_line, Line, MAX_LINE_BYTES,
};
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

/// Chunks this large are handed to reader threads when reading line by line.
pub const CHUNK_BYTES: usize = 1 << 20;

/// Where reading goes on from: a line's start in the file, and what order knew there.
#[derive(Clone, Copy, Debug, Default)]
pub struct Resume {
    pub offset: usize,
    pub(crate) order: Order,
    /// The newest frame time before that line.
    pub clock: Option<DateTime<Utc>>,
}

/// Every line of `bytes` from where `from` says, in order, as `(line number, item)`, until `each`
/// says to stop (`false`). The lines are read ahead in chunks of about `chunk_bytes` by the
/// shared workers ([`Work`]: `threads` in all, the calling thread among them); the calling
/// thread hands them over in order.
pub fn for_each_line_from(
    bytes: &[u8],
    from: Resume,
    chunk_bytes: usize,
    threads: usize,
    mut each: impl FnMut(u64, Item<'_>) -> bool,
) {
    let chunks = cut(bytes, from.offset, chunk_bytes.max(1));
    let mut order = from.order;
    let work: Work<'_, '_, ()> = Work::new(&chunks, threads);
    // Read ahead only: no chunk is ever submitted to be built.
    let read_only = |_: &Job<'_>| -> Built<()> { unreachable!("nothing is built line by line") };
    std::thread::scope(|scope| {
        for _ in 1..threads.max(1) {
            scope.spawn(|| work.serve(read_only));
        }
        let _stop = work.stop_on_drop();
        for i in 0..chunks.len() {
            let read = work.wait(|w| w.take_read(i), |_| Ok::<(), Infallible>(()), &mut {
                read_only
            });
            let Ok(mut items) = read;
            let go_on = items.drain(..).all(|p| order.hand(p, &mut each));
            work.done_with(i, items);
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
    pacer: Pacer,
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
        self.pacer.other(line);
    }

    /// A frame's line time, and whether it was paced.
    pub fn time(&mut self, own: Option<DateTime<Utc>>) -> (DateTime<Utc>, bool) {
        self.pacer.time(own)
    }
}
