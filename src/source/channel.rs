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
    freed: Notify,
}

impl Budget {
    /// Reserve `n` bytes if they fit (a lone frame always fits an empty channel).
    fn try_reserve(&self, n: usize) -> bool {
        self.in_flight
            .fetch_update(Ordering::AcqRel, Ordering::Acquire, |cur| {
                (cur == 0 || cur + n <= MAX_BYTES).then_some(cur + n)
            })
            .is_ok()
    }

    fn release(&self, n: usize) {
        self.in_flight.fetch_sub(n, Ordering::AcqRel);
        self.freed.notify_waiters();
    }
}

pub struct FrameTx {
    tx: mpsc::Sender<Frame>,
    budget: Arc<Budget>,
    pub delivery: Delivery,
}

pub struct FrameRx {
    rx: mpsc::Receiver<Frame>,
    budget: Arc<Budget>,
}

pub fn channel(frames: usize, delivery: Delivery) -> (FrameTx, FrameRx) {
    let (tx, rx) = mpsc::channel(frames.max(1));
    let budget = Arc::new(Budget {
        in_flight: AtomicUsize::new(0),
        freed: Notify::new(),
    });
    (
        FrameTx {
            tx,
            budget: budget.clone(),
            delivery,
        },
        FrameRx { rx, budget },
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
                loop {
                    let freed = self.budget.freed.notified();
                    tokio::pin!(freed);
                    freed.as_mut().enable();
                    if self.budget.try_reserve(n) {
                        break;
                    }
                    if self.tx.is_closed() {
                        return Err(Closed);
                    }
                    freed.await;
                }
                self.tx.send(frame).await.map_err(|_| Closed)?;
                Ok(true)
            }
        }
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
        let f = self.rx.recv().await?;
        self.budget.release(f.text.len());
        Some(f)
    }

    pub fn try_recv(&mut self) -> Option<Frame> {
        let f = self.rx.try_recv().ok()?;
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

    #[tokio::test]
    async fn a_closed_consumer_stops_a_waiting_reader() {
        let (tx, rx) = channel(1, Delivery::Lossless);
        tx.deliver(frame(1)).await.unwrap();
        drop(rx);
        assert_eq!(tx.deliver(frame(1)).await, Err(Closed));
    }
}
