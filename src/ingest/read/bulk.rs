//! The file door's bulk mode: a mapped capture taken in on every core. The file is cut at line ends into chunks, and
//! each chunk goes through three steps:
//!
//! 1. a worker thread reads its lines: each decoded once, borrowing from the mapped file;
//! 2. the calling thread takes them in order: counts, times, duplicates, and everything a
//!    failure's place in the stream decides (its lost session, its comment, its retry chain) —
//!    the [`Pipeline`]'s own state, so a lost session across a chunk boundary is found as in one
//!    pass;
//! 3. a worker thread builds the chunk's failures from their frames and places, counts them, and
//!    hands each to the [`Sink`] (what the command prints); the calling thread absorbs each
//!    chunk's counts and output in order.
//!
//! The result is what taking the lines in one at a time gives, byte for byte. A pipeline that
//! keeps failures, evaluates alert rules or asks the REST API takes them one at a time instead:
//! [`ingest`] then stops where that is needed (at once, or at a header asking for the API) and
//! says where to go on from.

use chrono::{DateTime, Utc};

use super::chunk::{cut, Prepared};
use super::lines::{Order, Resume};
use super::work::{self, Job, Work};
use super::Sink;
use crate::capture::{clock, workspace_of, Line};
use crate::enrich::{build, Failure, Interner, Placed};
use crate::ingest::Admitted;
use crate::ingest::Pipeline;
use crate::protocol::{decode_with_id, Event};
use crate::routing::Bindings;
use crate::store::Aggregates;

/// Chunks at least this large (a smaller file is one chunk) …
const MIN_CHUNK: usize = 1 << 20;
/// … at most this large …
const MAX_CHUNK: usize = 8 << 20;
/// … and about this many per thread, so the threads share the work evenly to the end.
const CHUNKS_PER_THREAD: usize = 16;

/// The chunk size for a file of `len` bytes read on `threads` threads.
pub fn chunk_bytes(len: usize, threads: usize) -> usize {
    (len / (threads.max(1) * CHUNKS_PER_THREAD)).clamp(MIN_CHUNK, MAX_CHUNK)
}

/// Take in `bytes` (a whole capture) on `threads` worker threads in chunks of about
/// `chunk_bytes`, handing each chunk's output to `emit` in order. Returns where the rest must be
/// taken in one line at a time (`None`: all was taken in), or the first error `emit` gave.
pub fn ingest<S: Sink, E>(
    bytes: &[u8],
    pipeline: &mut Pipeline,
    sink: &S,
    threads: usize,
    chunk_bytes: usize,
    emit: impl FnMut(&mut Pipeline, S::Out) -> Result<(), E>,
) -> Result<Option<Resume>, E> {
    if !pipeline.takes_in_bulk() {
        return Ok(Some(Resume::default()));
    }
    let chunks = cut(bytes, 0, chunk_bytes.max(1));
    let bindings = pipeline.enricher().shared_bindings().clone();
    let work = Work::new(&chunks, threads);
    std::thread::scope(|scope| {
        // The calling thread is one of the `threads`: it works too while it waits.
        for _ in 1..threads.max(1) {
            scope.spawn(|| {
                // Each worker keeps its names (sessions, agents) from chunk to chunk.
                let mut names = Interner::default();
                work.serve(|job| build_chunk(job, sink, &bindings, &mut names))
            });
        }
        let _stop = work.stop_on_drop();
        let mut names = Interner::default();
        let mut intake = Intake {
            pipeline,
            bindings: &bindings,
            order: Order::default(),
            clock: None,
            emit,
        };
        let mut build = |job: &Job<'_, Step>| build_chunk(job, sink, &bindings, &mut names);
        intake.run(&work, &mut build)
    })
}

/// Step 2, on the calling thread, and the absorbing of step 3's results.
struct Intake<'p, 'b, F> {
    pipeline: &'p mut Pipeline,
    bindings: &'b Bindings,
    order: Order,
    /// The newest frame time seen (a held row's clock when reading goes on line by line).
    clock: Option<DateTime<Utc>>,
    emit: F,
}

impl<F> Intake<'_, '_, F> {
    fn run<'a, O, E>(
        &mut self,
        work: &Work<'a, '_, Step, Built<O>>,
        build: &mut impl FnMut(&Job<'a, Step>) -> Built<O>,
    ) -> Result<Option<Resume>, E>
    where
        F: FnMut(&mut Pipeline, O) -> Result<(), E>,
    {
        for (i, chunk) in work.chunks().iter().enumerate() {
            let (items, mut steps) = self.wait(work, build, |w| {
                w.take_read(i).map(|items| (items, w.spare_steps()))
            })?;
            let stop = self.place(&items, &mut steps);
            work.submit(Job { i, items, steps });
            if let Some(line) = stop {
                // Everything before that line is taken in; the line and the rest are not.
                self.wait(work, build, |w| w.absorbed_through(i))?;
                return Ok(Some(Resume {
                    offset: chunk.offset + line_start(chunk.bytes, line),
                    order: self.order,
                    clock: self.clock,
                }));
            }
        }
        self.wait(work, build, |w| w.absorbed_all())?;
        Ok(None)
    }

    /// Wait until `ready` gives something, absorbing the chunks built meanwhile, in order.
    fn wait<'a, O, T, E>(
        &mut self,
        work: &Work<'a, '_, Step, Built<O>>,
        build: &mut impl FnMut(&Job<'a, Step>) -> Built<O>,
        ready: impl FnMut(&mut work::State<'a, Step, Built<O>>) -> Option<T>,
    ) -> Result<T, E>
    where
        F: FnMut(&mut Pipeline, O) -> Result<(), E>,
    {
        let absorb = |built: Built<O>| {
            self.pipeline
                .absorb(built.counts, built.latest, built.admitted);
            (self.emit)(self.pipeline, built.out)
        };
        work.wait(ready, absorb, build)
    }

    /// A chunk's lines, in order: what each frame's place in the stream tells. Stops before a
    /// line that must be taken in one line at a time (a header asking for the REST API's
    /// answers), with that line's number in the chunk.
    fn place(&mut self, items: &[Prepared<'_>], steps: &mut Vec<Step>) -> Option<usize> {
        for (line, item) in items.iter().enumerate() {
            match item {
                Prepared::Frame {
                    at,
                    decoded,
                    workspace,
                } => {
                    let at = self.frame_time(*at);
                    let id = decoded.as_ref().ok().and_then(|(_, id)| id.as_ref());
                    self.clock = self.clock.max(Some(clock::event_time(id, at)));
                    if let Some((at, _, mut placed)) = self.pipeline.sequence(at, decoded) {
                        placed.workspace = workspace.as_deref().and_then(workspace_of);
                        steps.push(Step::Failure { line, at, placed });
                    }
                }
                Prepared::Owned {
                    at,
                    text,
                    workspace,
                } => {
                    let at = self.frame_time(*at);
                    let decoded = decode_with_id(text);
                    let id = decoded.as_ref().ok().and_then(|(_, id)| id.as_ref());
                    self.clock = self.clock.max(Some(clock::event_time(id, at)));
                    if let Some((at, f, mut placed)) = self.pipeline.sequence(at, &decoded) {
                        placed.workspace = workspace.clone();
                        let names = self.pipeline.enricher_names();
                        let failure = build(at, f, &placed, self.bindings, names);
                        steps.push(Step::Built(Box::new(failure)));
                    }
                }
                Prepared::Other(Line::Header(h)) if h.api => return Some(line),
                Prepared::Other(other) => {
                    self.order.line_no += 1;
                    self.order.other(other);
                    if let Line::Gap(_) = other {
                        steps.push(Step::Gap(line));
                    }
                    self.pipeline.push_line(other, self.order.line_no, |_| {});
                }
            }
        }
        None
    }

    /// A frame's line taken: its time (its own, or paced), counted when paced.
    fn frame_time(&mut self, own: Option<DateTime<Utc>>) -> DateTime<Utc> {
        self.order.line_no += 1;
        let (at, paced) = self.order.time(own);
        if paced {
            self.pipeline.count_paced();
        }
        at
    }
}

/// Where the `n`-th line (from 0) of a chunk starts.
fn line_start(bytes: &[u8], n: usize) -> usize {
    match n.checked_sub(1) {
        None => 0,
        Some(before) => memchr::memchr_iter(b'\n', bytes)
            .nth(before)
            .map_or(bytes.len(), |i| i + 1),
    }
}

/// What a chunk's failures and gaps need from step 2, in order.
pub(crate) enum Step {
    /// The failure decoded at this line of the chunk, its time and its place.
    Failure {
        line: usize,
        at: DateTime<Utc>,
        placed: Placed,
    },
    /// A failure built in order (its frame had to be copied out of its line).
    Built(Box<Failure>),
    /// The gap record at this line.
    Gap(usize),
}

/// What step 3 gives for a chunk: its counts, its newest failure, and the sink's output.
pub(crate) struct Built<O> {
    counts: Aggregates,
    latest: Option<DateTime<Utc>>,
    admitted: Admitted,
    out: O,
}

impl<O> Built<O> {
    /// A failure counted as [`Pipeline::admit`] counts it.
    fn count<S: Sink<Out = O>>(&mut self, f: &Failure, sink: &S) {
        self.admitted.count(f);
        sink.failure(f, &mut self.out);
        self.counts.add(f);
        self.latest = self.latest.max(Some(f.at));
    }
}

/// Step 3, on a worker thread.
fn build_chunk<S: Sink>(
    job: &Job<'_, Step>,
    sink: &S,
    bindings: &Bindings,
    names: &mut Interner,
) -> Built<S::Out> {
    let mut built = Built {
        counts: Aggregates::part(),
        latest: None,
        admitted: Admitted::default(),
        out: sink.start(),
    };
    for step in &job.steps {
        match step {
            Step::Failure { line, at, placed } => {
                // Step 2 placed a failure only where a `task:failed` frame was decoded.
                if let Prepared::Frame {
                    decoded: Ok((Event::TaskFailed(f), _)),
                    ..
                } = &job.items[*line]
                {
                    let failure = build(*at, f, placed, bindings, names);
                    built.count(&failure, sink);
                }
            }
            Step::Built(f) => built.count(f, sink),
            Step::Gap(line) => {
                if let Prepared::Other(Line::Gap(gap)) = &job.items[*line] {
                    sink.gap(gap, &mut built.out);
                }
            }
        }
    }
    built
}
