//! The channel between a source's reader and its consumer, bounded in frames and in bytes.
//!
//! The dashboard's reader never waits on the screen: what does not fit is dropped, counted and
//! shown ([`Delivery::Lossy`]). A headless consumer (`tail`) would rather slow the reader than
//! lose a frame ([`Delivery::Lossless`]): the reader waits for room, so what is lost is only
//! what the server itself drops. A frame too large to decode is cut before it is queued; the
//! decoder still sees it as too large and counts it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use tokio::sync::{mpsc, Notify};

use crate::protocol::{Frame, MAX_FRAME_BYTES};

/// Frames buffered between a reader and its consumer …
pub const MAX_FRAMES: usize = 65_536;
/// … and bytes, whichever fills first.
pub const MAX_BYTES: usize = 64 << 20;

/// What a reader does when its consumer is behind.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Delivery {
    /// Drop the frame and count it: the reader never waits (the dashboard).
    #[default]
    Lossy,
    /// Wait for room: nothing is dropped on our side (headless `tail`).
    Lossless,
}

/// The consumer is gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Closed;

struct Budget {
    in_flight: AtomicUsize,
    /// Lossless senders waiting for room: a release wakes them only when there are some
    /// (waking takes a lock, once a frame otherwise).
    waiting: AtomicUsize,
    freed: Notify,
}

impl Budget {
    /// Reserve `n` bytes if they fit (a lone frame always fits an empty channel).
    fn try_reserve(&self, n: usize) -> bool {
        self.in_flight
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |cur| {
                (cur == 0 || cur + n <= MAX_BYTES).then_some(cur + n)
            })
            .is_ok()
    }

    fn release(&self, n: usize) {
        // A sender counts itself waiting before it looks for room, and this looks for waiters
        // after freeing room: one of the two sees the other (all sequentially consistent).
        self.in_flight.fetch_sub(n, Ordering::SeqCst);
        if self.waiting.load(Ordering::SeqCst) > 0 {
            self.freed.notify_waiters();
        }
    }
}

/// Cloned, several producers share one queue and its byte budget.
#[derive(Clone)]
pub struct FrameTx {
    tx: mpsc::Sender<Frame>,
    budget: Arc<Budget>,
    pub delivery: Delivery,
}

pub struct FrameRx {
    rx: mpsc::Receiver<Frame>,
    budget: Arc<Budget>,
    /// Frames taken off the queue at once, in reverse order (the next one last): the queue's
    /// room is given back once a batch, not once a frame.
    ready: Vec<Frame>,
}

/// Frames taken off the queue at once at most.
const TAKEN_AT_ONCE: usize = 256;

pub fn channel(frames: usize, delivery: Delivery) -> (FrameTx, FrameRx) {
    let (tx, rx) = mpsc::channel(frames.max(1));
    let budget = Arc::new(Budget {
        in_flight: AtomicUsize::new(0),
        waiting: AtomicUsize::new(0),
        freed: Notify::new(),
    });
    (
        FrameTx {
            tx,
            budget: budget.clone(),
            delivery,
        },
        FrameRx {
            rx,
            budget,
            ready: Vec::new(),
        },
    )
}

/// Keep at most one byte more than a decodable frame: enough to be rejected as too large,
/// never more held in memory.
fn cut_oversize(frame: &mut Frame) {
    if frame.text.len() > MAX_FRAME_BYTES + 1 {
        let mut end = MAX_FRAME_BYTES + 1;
        while !frame.text.is_char_boundary(end) {
            end += 1;
        }
        frame.text.truncate(end);
        frame.text.shrink_to_fit();
    }
}

impl FrameTx {
    /// Queue a frame as the delivery mode says. `Ok(false)`: dropped because the consumer was
    /// behind (lossy only).
    pub async fn deliver(&self, mut frame: Frame) -> Result<bool, Closed> {
        cut_oversize(&mut frame);
        let n = frame.text.len();
        match self.delivery {
            Delivery::Lossy => Ok(self.try_queue(frame, n)?),
            Delivery::Lossless => {
                if !self.budget.try_reserve(n) {
                    self.wait_for_room(n).await?;
                }
                self.tx.send(frame).await.map_err(|_| Closed)?;
                Ok(true)
            }
        }
    }

    /// Wait until `n` bytes fit.
    async fn wait_for_room(&self, n: usize) -> Result<(), Closed> {
        self.budget.waiting.fetch_add(1, Ordering::SeqCst);
        let result = loop {
            // Listening before looking: room freed in between is not missed.
            let freed = self.budget.freed.notified();
            tokio::pin!(freed);
            freed.as_mut().enable();
            if self.budget.try_reserve(n) {
                break Ok(());
            }
            if self.tx.is_closed() {
                break Err(Closed);
            }
            freed.await;
        };
        self.budget.waiting.fetch_sub(1, Ordering::SeqCst);
        result
    }

    /// [`deliver`](Self::deliver) from a plain thread (the Redis reader).
    pub fn deliver_blocking(&self, mut frame: Frame) -> Result<bool, Closed> {
        cut_oversize(&mut frame);
        let n = frame.text.len();
        match self.delivery {
            Delivery::Lossy => Ok(self.try_queue(frame, n)?),
            Delivery::Lossless => {
                while !self.budget.try_reserve(n) {
                    if self.tx.is_closed() {
                        return Err(Closed);
                    }
                    std::thread::sleep(Duration::from_millis(1));
                }
                self.tx.blocking_send(frame).map_err(|_| Closed)?;
                Ok(true)
            }
        }
    }

    fn try_queue(&self, frame: Frame, n: usize) -> Result<bool, Closed> {
        if !self.budget.try_reserve(n) {
            return if self.tx.is_closed() {
                Err(Closed)
            } else {
                Ok(false)
            };
        }
        match self.tx.try_send(frame) {
            Ok(()) => Ok(true),
            Err(e) => {
                self.budget.release(n);
                match e {
                    mpsc::error::TrySendError::Full(_) => Ok(false),
                    mpsc::error::TrySendError::Closed(_) => Err(Closed),
                }
            }
        }
    }

    pub fn is_closed(&self) -> bool {
        self.tx.is_closed()
    }
}

impl FrameRx {
    pub async fn recv(&mut self) -> Option<Frame> {
        if self.ready.is_empty() {
            self.rx.recv_many(&mut self.ready, TAKEN_AT_ONCE).await;
            self.ready.reverse();
        }
        self.next_ready()
    }

    pub fn try_recv(&mut self) -> Option<Frame> {
        if self.ready.is_empty() {
            // Cancel safe: nothing is taken unless it is returned.
            self.rx
                .recv_many(&mut self.ready, TAKEN_AT_ONCE)
                .now_or_never()?;
            self.ready.reverse();
        }
        self.next_ready()
    }

    fn next_ready(&mut self) -> Option<Frame> {
        let f = self.ready.pop()?;
        self.budget.release(f.text.len());
        Some(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(bytes: usize) -> Frame {
        Frame {
            received_at: chrono::Utc::now(),
            text: "x".repeat(bytes),
            workspace: None,
        }
    }

    #[tokio::test]
    async fn lossy_drops_what_does_not_fit_in_bytes_and_counts_it() {
        let (tx, mut rx) = channel(1000, Delivery::Lossy);
        let mut queued = 0;
        for _ in 0..30 {
            if tx.deliver(frame(3 << 20)).await.unwrap() {
                queued += 1;
            }
        }
        assert_eq!(queued, 21, "64 MiB hold 21 frames of 3 MiB, not 22");
        while rx.try_recv().is_some() {}
        assert_eq!(tx.budget.in_flight.load(Ordering::Acquire), 0);
        assert!(
            tx.deliver(frame(3 << 20)).await.unwrap(),
            "room again once read"
        );
    }

    #[tokio::test]
    async fn an_oversize_frame_is_cut_but_still_too_large_to_decode() {
        let (tx, mut rx) = channel(10, Delivery::Lossy);
        tx.deliver(frame(100 << 20)).await.unwrap();
        let got = rx.recv().await.unwrap();
        assert_eq!(got.text.len(), MAX_FRAME_BYTES + 1);
        assert!(matches!(
            crate::protocol::decode(&got.text),
            Err(crate::protocol::Rejection::TooLarge)
        ));
    }

    #[tokio::test]
    async fn lossless_waits_for_room_and_loses_nothing() {
        let (tx, mut rx) = channel(4, Delivery::Lossless);
        let producer = tokio::spawn(async move {
            for i in 0..1000 {
                let f = Frame {
                    received_at: chrono::Utc::now(),
                    text: i.to_string(),
                    workspace: None,
                };
                assert!(tx.deliver(f).await.unwrap());
            }
        });
        let mut got = Vec::new();
        while let Some(f) = rx.recv().await {
            got.push(f.text.parse::<u32>().unwrap());
        }
        producer.await.unwrap();
        assert_eq!(got, (0..1000).collect::<Vec<_>>());
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn lossless_waits_for_bytes_to_be_read_and_wakes_when_they_are() {
        // 3 MiB frames: 21 fit in the 64 MiB; the reader waits on the bytes, not the count.
        let (tx, mut rx) = channel(MAX_FRAMES, Delivery::Lossless);
        let budget = tx.budget.clone();
        let producer = tokio::spawn(async move {
            for i in 0..60 {
                let mut f = frame(3 << 20);
                f.text.replace_range(..8, &format!("{i:08}"));
                assert!(tx.deliver(f).await.unwrap());
            }
        });
        // The reader fills the room and waits.
        tokio::time::timeout(Duration::from_secs(20), async {
            while budget.waiting.load(Ordering::SeqCst) == 0 {
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        })
        .await
        .expect("the reader never had to wait");
        assert_eq!(budget.in_flight.load(Ordering::SeqCst), 21 * (3 << 20));
        let mut got = Vec::new();
        let read = async {
            while let Some(f) = rx.recv().await {
                assert!(budget.in_flight.load(Ordering::SeqCst) <= MAX_BYTES);
                got.push(f.text[..8].parse::<u32>().unwrap());
                if got.len() % 7 == 0 {
                    // A slow consumer: the reader must be waiting, and woken, many times.
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(20), read)
            .await
            .expect("a waiting reader was never woken");
        producer.await.unwrap();
        assert_eq!(got, (0..60).collect::<Vec<_>>());
        assert_eq!(budget.waiting.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn a_closed_consumer_stops_a_waiting_reader() {
        let (tx, rx) = channel(1, Delivery::Lossless);
        tx.deliver(frame(1)).await.unwrap();
        drop(rx);
        assert_eq!(tx.deliver(frame(1)).await, Err(Closed));
    }
}
