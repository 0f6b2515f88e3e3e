//! Reading a capture file on every core: the file is mapped, cut at line ends into chunks, and
//! reader threads classify and decode each chunk's lines while the calling thread ingests the
//! chunks before them, in order. What each line becomes is exactly what [`CaptureReader`] and
//! the pipeline's own decode make of it: the same line numbers, the same times for frames that
//! carry none, the same rejections. Only ingestion (correlation, routing, counts) stays on one
//! thread, so a lost session across a chunk boundary is found as in one pass.
//!
//! [`CaptureReader`]: crate::capture::CaptureReader

use std::borrow::Cow;
use std::convert::Infallible;

use chrono::{DateTime, Utc};

use super::chunk::{cut, Decoded, Prepared};
use super::work::{Job, Work};
use crate::capture::clock::Pacer;
use crate::capture::Line;

/// One line, ready to ingest.
pub enum Item<'a> {
    Frame {
        at: DateTime<Utc>,
        synthetic: bool,
        decoded: Decoded<'a>,
        /// The workspace as recorded (made safe where a failure takes it).
        workspace: Option<Cow<'a, str>>,
    },
    /// Any other line, or a frame read one line at a time (decoded as it is ingested).
    Other(Line),
}

impl From<Line> for Item<'static> {
    fn from(line: Line) -> Item<'static> {
        Item::Other(line)
    }
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
    // Read ahead only: no chunk is ever submitted to be built.
    let work: Work<'_, '_, (), ()> = Work::new(&chunks, threads);
    let read_only = |_: &Job<'_, ()>| unreachable!("nothing is built line by line");
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
            Prepared::Frame {
                at,
                decoded,
                workspace,
            } => {
                let (at, synthetic) = self.time(at);
                Item::Frame {
                    at,
                    synthetic,
                    decoded,
                    workspace,
                }
            }
            Prepared::Owned {
                at,
                text,
                workspace,
            } => {
                let (at, synthetic) = self.time(at);
                Item::Other(Line::Frame {
                    at,
                    text,
                    synthetic,
                    workspace,
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
