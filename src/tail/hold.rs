//! `tail` holding rows for the REST API: a failure whose text the wire withheld waits for its
//! lookup, at most a bound, and rows come out in the order they arrived.

use std::collections::VecDeque;
use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::enrich::{Failure, Lookup};

struct Held {
    failure: Failure,
    until: DateTime<Utc>,
}

/// Rows waiting to be printed, oldest first.
pub struct Hold {
    bound: chrono::Duration,
    rows: VecDeque<Held>,
}

impl Hold {
    pub fn new(bound: Duration) -> Hold {
        Hold {
            bound: chrono::Duration::from_std(bound).unwrap_or_default(),
            rows: VecDeque::new(),
        }
    }

    /// A row arrives at `now` (the wall clock live, the capture's time in a capture).
    pub fn push(&mut self, failure: Failure, now: DateTime<Utc>) {
        let until = now.checked_add_signed(self.bound).unwrap_or(now);
        self.rows.push_back(Held { failure, until });
    }

    /// A held row's lookup ended: it is printed as it is now.
    pub fn update(&mut self, failure: &Failure) {
        if let Some(h) = self.rows.iter_mut().find(|h| h.failure.seq == failure.seq) {
            h.failure = failure.clone();
        }
    }

    /// The rows that may go out at `now`: from the oldest, each whose lookup ended or whose
    /// bound passed (a row waits behind an older one still held).
    pub fn release(&mut self, now: DateTime<Utc>) -> Vec<Failure> {
        let mut out = Vec::new();
        while let Some(h) = self.rows.front() {
            let waiting = matches!(h.failure.lookup, Lookup::Pending);
            if waiting && now < h.until {
                break;
            }
            out.extend(self.rows.pop_front().map(|h| h.failure));
        }
        out
    }

    /// Everything, at the end.
    pub fn drain(&mut self) -> Vec<Failure> {
        self.rows.drain(..).map(|h| h.failure).collect()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// When the oldest held row's bound passes.
    pub fn next_deadline(&self) -> Option<DateTime<Utc>> {
        self.rows.front().map(|h| h.until)
    }
}
