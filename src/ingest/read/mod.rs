//! The file door: a whole capture, from a file or standard input, taken in through the
//! pipeline and handed to the caller's [`Sink`] (summary counts, `tail` rows, alerts). The
//! reader decides how, as ripgrep's searcher decides between a map and a stream:
//!
//! - **bulk** ([`bulk`]): a mapped file whose failures nothing needs one at a time (no store,
//!   no alert rules, no REST API): chunks are read, built and counted on every core, and their
//!   outputs handed over in order;
//! - **lines, mapped** ([`lines`]): reader threads decode a mapped file's lines ahead, the
//!   calling thread takes each in, in order (also where bulk stops: a header asking for the
//!   recorded REST answers);
//! - **lines, streamed**: standard input or anything that cannot be mapped, one line at a time.
//!
//! Each gives the same failures, counts and output, byte for byte (`tests/parallel.rs`).

mod bulk;
mod chunk;
mod count;
mod lines;
mod work;

pub use count::summarize;
pub use lines::{Item, CHUNK_BYTES};

use std::io::{self, BufRead};

use chrono::{DateTime, Utc};

use crate::capture::{clock, workspace_of, CaptureReader};
use crate::enrich::Failure;
use crate::ingest::{Pipeline, Taken};
use crate::protocol::Gap;
use lines::Resume;

/// A capture to read whole: a stream, or a file mapped in memory (read on every core).
pub enum Capture<'a> {
    Stream(Box<dyn BufRead + 'a>),
    Mapped(&'a [u8]),
}

/// What a command makes of the failures. In bulk, a chunk at a time on the worker threads
/// (`start`, `failure`, `gap`), each chunk's output handed over in order; line by line, on the
/// calling thread, with the line hooks as well.
pub trait Sink: Sync {
    /// What one chunk (or run of lines) gives: lines to print, counts.
    type Out: Send;
    fn start(&self) -> Self::Out;
    /// A failure, as it is admitted (before the store counts it).
    fn failure(&self, f: &Failure, out: &mut Self::Out);
    /// A gap the capture recorded, where it happened.
    fn gap(&self, gap: &Gap, out: &mut Self::Out);
    /// Line by line only: a failure amended by a recorded REST answer.
    fn recovered(&self, _f: &Failure, _out: &mut Self::Out) {}
    /// Line by line only: the capture's event clock before the next line.
    fn clock(&self, _at: DateTime<Utc>, _out: &mut Self::Out) {}
    /// Line by line only: whether what was gathered should be handed over now (rows to print
    /// as they come) rather than at the end.
    fn ready(&self, _out: &Self::Out) -> bool {
        false
    }
    /// The input ended: anything still held goes out.
    fn end(&self, _out: &mut Self::Out) {}
}

/// How to read a mapped capture: as the reader decides, or (tests, benchmarks) a mode forced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Bulk when the pipeline allows it, lines otherwise; threads and chunks by the file.
    Auto,
    /// Line by line, on `threads` reader threads, in chunks of `chunk` bytes.
    Lines { threads: usize, chunk: usize },
    /// Bulk when the pipeline allows it, on `threads` threads, in chunks of `chunk` bytes.
    Bulk { threads: usize, chunk: usize },
}

/// Threads to read a mapped capture on: one per core.
fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Take a whole capture in, as the reader decides; `emit` receives the sink's outputs in
/// order, with the pipeline as it is then (alerts fired, counts).
pub fn read<S: Sink>(
    input: Capture<'_>,
    pipeline: &mut Pipeline,
    sink: &S,
    emit: impl FnMut(&mut Pipeline, S::Out) -> io::Result<()>,
) -> io::Result<()> {
    read_with(input, pipeline, sink, Mode::Auto, emit)
}

/// [`read`] in a given mode.
pub fn read_with<S: Sink>(
    input: Capture<'_>,
    pipeline: &mut Pipeline,
    sink: &S,
    mode: Mode,
    mut emit: impl FnMut(&mut Pipeline, S::Out) -> io::Result<()>,
) -> io::Result<()> {
    let mut lines = LineByLine::new(sink);
    match input {
        Capture::Mapped(bytes) => {
            let (threads, chunk, bulk) = match mode {
                Mode::Auto => {
                    let threads = threads();
                    (threads, bulk::chunk_bytes(bytes.len(), threads), true)
                }
                Mode::Lines { threads, chunk } => (threads, chunk, false),
                Mode::Bulk { threads, chunk } => (threads, chunk, true),
            };
            let from = match bulk {
                true => bulk::ingest(bytes, pipeline, sink, threads, chunk, &mut emit)?,
                false => Some(Resume::default()),
            };
            if let Some(from) = from {
                lines.clock = from.clock;
                let chunk = match mode {
                    Mode::Lines { chunk, .. } => chunk,
                    _ => lines::CHUNK_BYTES,
                };
                let mut failed = Ok(());
                lines::for_each_line_from(bytes, from, chunk, threads, |line_no, item| {
                    failed = lines.take(pipeline, line_no, item, &mut emit);
                    failed.is_ok()
                });
                failed?;
            }
        }
        Capture::Stream(input) => {
            let mut reader = CaptureReader::new(input);
            while let Some(line) = reader.next_line()? {
                lines.take(pipeline, reader.line_no, Item::Other(line), &mut emit)?;
            }
        }
    }
    lines.end(pipeline, &mut emit)
}

/// What taking a line in gave, handed to the sink.
fn hand<S: Sink>(sink: &S, taken: Taken<'_>, out: &mut S::Out) {
    match taken {
        Taken::Admitted(u) => sink.failure(&u.failure, out),
        Taken::Gap(gap) => sink.gap(gap, out),
        Taken::Amended(f) => sink.recovered(f, out),
    }
}

/// The line-by-line reading: the event clock so far, and what the sink gathered.
struct LineByLine<'s, S: Sink> {
    sink: &'s S,
    clock: Option<DateTime<Utc>>,
    out: Option<S::Out>,
}

impl<'s, S: Sink> LineByLine<'s, S> {
    fn new(sink: &'s S) -> Self {
        LineByLine {
            sink,
            clock: None,
            out: None,
        }
    }

    /// One line: the clock moves on, then the line is taken in; a gap reaches the sink where it
    /// happened, a recorded REST answer the failure waiting for it.
    fn take(
        &mut self,
        pipeline: &mut Pipeline,
        line_no: u64,
        item: Item<'_>,
        emit: &mut impl FnMut(&mut Pipeline, S::Out) -> io::Result<()>,
    ) -> io::Result<()> {
        let sink = self.sink;
        let out = self.out.get_or_insert_with(|| sink.start());
        // A capture holds its lookups' answers: nothing is asked.
        let _ = pipeline.take_lookups();
        let at = match &item {
            Item::Frame { at, decoded, .. } => {
                let id = decoded.as_ref().ok().and_then(|(_, id)| id.as_ref());
                Some(clock::event_time(id, *at))
            }
            Item::Other(line) => clock::frame_time(line),
        };
        if let Some(at) = at {
            let now = self.clock.max(Some(at)).unwrap_or(at);
            self.clock = Some(now);
            sink.clock(now, out);
        }
        match item {
            Item::Frame {
                at,
                synthetic,
                decoded,
                workspace,
            } => {
                if synthetic {
                    pipeline.count_paced();
                }
                let workspace = workspace.as_deref().and_then(workspace_of);
                pipeline.push_decoded(at, workspace.as_ref(), decoded, &mut |u| {
                    sink.failure(&u.failure, out)
                });
            }
            Item::Other(line) => pipeline.push_line(&line, line_no, |taken| hand(sink, taken, out)),
        }
        match self.out.take_if(|out| sink.ready(out)) {
            Some(out) => emit(pipeline, out),
            None => Ok(()),
        }
    }

    /// The input ended: frames held for the family are taken in, the sink ends.
    fn end(
        mut self,
        pipeline: &mut Pipeline,
        emit: &mut impl FnMut(&mut Pipeline, S::Out) -> io::Result<()>,
    ) -> io::Result<()> {
        let sink = self.sink;
        let mut out = self.out.take().unwrap_or_else(|| sink.start());
        pipeline.end_of_input(&mut |taken| hand(sink, taken, &mut out));
        sink.end(&mut out);
        emit(pipeline, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::panic::{catch_unwind, AssertUnwindSafe};

    /// A capture of `n` failures, a few lines per kilobyte.
    fn capture(n: usize) -> Vec<u8> {
        (0..n)
            .map(|i| {
                format!(
                    "{{\"at\":\"2026-11-20T03:14:00Z\",\"frame\":{{\"type\":\"task:failed\",\"payload\":{{\"task_id\":\"t{i}\",\"failure_reason\":\"timeout\",\"retry_pending\":false}}}}}}\n"
                )
            })
            .collect::<String>()
            .into_bytes()
    }

    /// Counts failures; panics at the failure of task `t{panic_at}` when asked to.
    struct Counting {
        panic_at: Option<usize>,
    }

    impl Sink for Counting {
        type Out = usize;
        fn start(&self) -> usize {
            0
        }
        fn failure(&self, f: &Failure, out: &mut usize) {
            if let Some(at) = self.panic_at {
                assert_ne!(
                    f.task_id.as_deref(),
                    Some(format!("t{at}").as_str()),
                    "boom"
                );
            }
            *out += 1;
        }
        fn gap(&self, _: &Gap, _: &mut usize) {}
        // Line by line, each failure is handed over at once.
        fn ready(&self, out: &usize) -> bool {
            *out > 0
        }
    }

    const MODES: [Mode; 3] = [
        Mode::Bulk {
            threads: 3,
            chunk: 4096,
        },
        Mode::Lines {
            threads: 3,
            chunk: 4096,
        },
        Mode::Auto,
    ];

    #[test]
    fn every_failure_reaches_the_sink_once_in_every_mode() {
        let bytes = capture(2000);
        for mode in MODES {
            let mut total = 0;
            let mut p = Pipeline::new(0);
            let sink = Counting { panic_at: None };
            read_with(Capture::Mapped(&bytes), &mut p, &sink, mode, |_, n| {
                total += n;
                Ok(())
            })
            .unwrap();
            assert_eq!((total, p.store().agg.failures), (2000, 2000), "{mode:?}");
        }
    }

    #[test]
    fn a_worker_that_panics_fails_the_caller_instead_of_hanging() {
        let bytes = capture(2000);
        let sink = Counting {
            panic_at: Some(1500),
        };
        let mut p = Pipeline::new(0);
        let mode = Mode::Bulk {
            threads: 3,
            chunk: 4096,
        };
        let run = catch_unwind(AssertUnwindSafe(|| {
            read_with(Capture::Mapped(&bytes), &mut p, &sink, mode, |_, _| Ok(()))
        }));
        assert!(run.is_err(), "the panic reached the calling thread");
    }

    #[test]
    fn an_output_error_stops_the_reading_where_it_happened() {
        let bytes = capture(2000);
        // Small chunks: `Auto` makes this capture one chunk, taken in whole before any output.
        for mode in &MODES[..2] {
            let mode = *mode;
            let mut p = Pipeline::new(0);
            let sink = Counting { panic_at: None };
            let mut handed = 0;
            let result = read_with(Capture::Mapped(&bytes), &mut p, &sink, mode, |_, n| {
                handed += 1;
                match n {
                    0 => Ok(()),
                    _ => Err(io::Error::from(io::ErrorKind::BrokenPipe)),
                }
            });
            assert_eq!(
                result.map_err(|e| e.kind()),
                Err(io::ErrorKind::BrokenPipe),
                "{mode:?}"
            );
            assert!(
                p.store().agg.failures < 2000,
                "{mode:?}: stopped before the end ({} taken in)",
                p.store().agg.failures
            );
            assert!(handed >= 1);
        }
    }
}
