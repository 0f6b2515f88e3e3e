//! The one pool of the file door: chunks to read (step 1) and, in bulk, to build (step 3) for
//! the workers, read chunks and built ones for the calling thread. One lock and one condition: a chunk is
//! megabytes of lines, so the threads meet a few hundred times a file.

use std::collections::VecDeque;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Condvar, Mutex, MutexGuard};

use super::chunk::{read_chunk_into, Chunk, Prepared};

/// A chunk ready for step 3: its lines and what step 2 decided of them.
pub(crate) struct Job<'a, S> {
    pub i: usize,
    pub items: Vec<Prepared<'a>>,
    pub steps: Vec<S>,
}

pub(crate) struct Work<'a, 'c, S, B> {
    chunks: &'c [Chunk<'a>],
    state: Mutex<State<'a, S, B>>,
    changed: Condvar,
}

pub(crate) struct StopOnDrop<'w, 'a, 'c, S, B>(&'w Work<'a, 'c, S, B>);

impl<S, B> Drop for StopOnDrop<'_, '_, '_, S, B> {
    fn drop(&mut self) {
        self.0.stop();
    }
}

pub(crate) struct State<'a, S, B> {
    /// The next chunk to read.
    next_read: usize,
    /// Chunks read, waiting for step 2.
    read: Vec<Option<Vec<Prepared<'a>>>>,
    /// Chunks waiting for step 3, oldest first.
    jobs: VecDeque<Job<'a, S>>,
    /// Chunks built, waiting to be absorbed in order.
    built: Vec<Option<B>>,
    /// Chunks absorbed.
    absorbed: usize,
    /// Chunks are read at most this far ahead of the last absorbed (bounding memory).
    ahead: usize,
    stop: bool,
    /// A worker panicked: the calling thread must not wait for it.
    failed: bool,
    /// Lines and steps of chunks done with, emptied, their memory kept for the next ones
    /// (fresh memory costs the kernel's clearing of every page).
    spare_items: Vec<Vec<Prepared<'a>>>,
    spare_steps: Vec<Vec<S>>,
}

impl<'a, S, B> State<'a, S, B> {
    /// Chunk `i`'s lines, once read.
    pub fn take_read(&mut self, i: usize) -> Option<Vec<Prepared<'a>>> {
        self.read[i].take()
    }

    /// Chunk `i` and every one before it have been absorbed.
    pub fn absorbed_through(&self, i: usize) -> Option<()> {
        (self.absorbed > i).then_some(())
    }

    /// Every chunk has been absorbed.
    pub fn absorbed_all(&self) -> Option<()> {
        (self.absorbed == self.built.len()).then_some(())
    }

    /// An empty list of steps, with memory from an earlier chunk if there is one.
    pub fn spare_steps(&mut self) -> Vec<S> {
        self.spare_steps.pop().unwrap_or_default()
    }
}

impl<'a, 'c, S, B> Work<'a, 'c, S, B> {
    pub fn new(chunks: &'c [Chunk<'a>], threads: usize) -> Self {
        Work {
            chunks,
            state: Mutex::new(State {
                next_read: 0,
                read: chunks.iter().map(|_| None).collect(),
                jobs: VecDeque::new(),
                built: chunks.iter().map(|_| None).collect(),
                absorbed: 0,
                ahead: 2 * threads.max(1) + 2,
                stop: false,
                failed: false,
                spare_items: Vec::new(),
                spare_steps: Vec::new(),
            }),
            changed: Condvar::new(),
        }
    }

    pub fn chunks(&self) -> &'c [Chunk<'a>] {
        self.chunks
    }

    fn lock(&self) -> MutexGuard<'_, State<'a, S, B>> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hand a chunk to step 3.
    pub fn submit(&self, job: Job<'a, S>) {
        self.lock().jobs.push_back(job);
        self.changed.notify_all();
    }

    /// Line by line: the calling thread is done with chunk `i` (its lines handed over), so
    /// reading may go on past it; the emptied list keeps its memory for the next chunk.
    pub fn done_with(&self, i: usize, items: Vec<Prepared<'a>>) {
        let mut s = self.lock();
        s.absorbed = s.absorbed.max(i + 1);
        s.spare_items.push(items);
        drop(s);
        self.changed.notify_all();
    }

    /// Let the workers go: nothing more is asked of them.
    pub fn stop(&self) {
        self.lock().stop = true;
        self.changed.notify_all();
    }

    /// Let the workers go when this guard is dropped, however the calling thread leaves (a
    /// panic too: the scope it runs in waits for the workers, which would wait for work).
    pub fn stop_on_drop(&self) -> StopOnDrop<'_, 'a, 'c, S, B> {
        StopOnDrop(self)
    }

    /// A worker: do the work there is (see [`Work::work_once`]) until stopped.
    pub fn serve(&self, mut build: impl FnMut(&Job<'a, S>) -> B) {
        let mut s = self.lock();
        loop {
            if s.stop {
                return;
            }
            s = match self.work_once(s, &mut build) {
                Ok(s) => s,
                Err(s) => self.changed.wait(s).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }

    /// One piece of work, if there is any: build a chunk when one is waiting (it frees memory and
    /// unblocks the calling thread), else read the next one. `Err`: nothing to do.
    #[allow(clippy::type_complexity)]
    fn work_once<'s>(
        &'s self,
        mut s: MutexGuard<'s, State<'a, S, B>>,
        build: &mut impl FnMut(&Job<'a, S>) -> B,
    ) -> Result<MutexGuard<'s, State<'a, S, B>>, MutexGuard<'s, State<'a, S, B>>> {
        if let Some(mut job) = s.jobs.pop_front() {
            drop(s);
            let built = catch_unwind(AssertUnwindSafe(|| build(&job)));
            job.items.clear();
            job.steps.clear();
            s = self.lock();
            match built {
                Ok(built) => s.built[job.i] = Some(built),
                Err(_) => s.failed = true,
            }
            s.spare_items.push(job.items);
            s.spare_steps.push(job.steps);
            self.changed.notify_all();
            return Ok(s);
        }
        let i = s.next_read;
        if i < self.chunks.len() && i < s.absorbed + s.ahead {
            s.next_read += 1;
            let mut items = s.spare_items.pop().unwrap_or_default();
            drop(s);
            let read = catch_unwind(AssertUnwindSafe(|| {
                read_chunk_into(&self.chunks[i], &mut items)
            }));
            s = self.lock();
            match read {
                Ok(()) => s.read[i] = Some(items),
                Err(_) => s.failed = true,
            }
            self.changed.notify_all();
            return Ok(s);
        }
        Err(s)
    }

    /// On the calling thread: wait until `ready` gives something, handing the chunks built
    /// meanwhile to `absorb`, in order (outside the lock: the workers go on meanwhile), and doing
    /// the workers' work while there is nothing else to do.
    pub fn wait<T, E>(
        &self,
        mut ready: impl FnMut(&mut State<'a, S, B>) -> Option<T>,
        mut absorb: impl FnMut(B) -> Result<(), E>,
        build: &mut impl FnMut(&Job<'a, S>) -> B,
    ) -> Result<T, E> {
        let mut s = self.lock();
        loop {
            if s.failed {
                drop(s);
                panic!("a reader thread failed while taking in the capture");
            }
            if let Some(t) = ready(&mut s) {
                return Ok(t);
            }
            let next = s.absorbed;
            if let Some(built) = s.built.get_mut(next).and_then(Option::take) {
                s.absorbed += 1;
                self.changed.notify_all();
                drop(s);
                absorb(built)?;
                s = self.lock();
                continue;
            }
            s = match self.work_once(s, build) {
                Ok(s) => s,
                Err(s) => self.changed.wait(s).unwrap_or_else(|e| e.into_inner()),
            };
        }
    }
}
