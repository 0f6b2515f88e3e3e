//! Prometheus metrics (`--metrics ADDR`): low-cardinality counters and gauges over what the
//! dashboard ingests, served at `GET /metrics`.
//!
//! Data flows one way: the ingest loop copies counts into a [`MetricsSnapshot`] and
//! [`Metrics::publish`]es it; that folds it into [`totals::Totals`] (counters that never go
//! down, label values capped); a scrape encodes a copy of those. Nothing here reads the
//! pipeline or the screen.

mod encode;
mod server;
mod snapshot;
pub mod totals;

use std::sync::{Arc, Mutex};

pub use encode::{encode, CONTENT_TYPE};
pub use server::{serve, Server, MAX_CONNECTIONS};
pub use snapshot::{state_name, MetricsSnapshot, STATES};
pub use totals::Totals;

/// The metrics shared by the ingest loop (writing) and the server (reading).
#[derive(Clone, Debug, Default)]
pub struct Metrics {
    totals: Arc<Mutex<Totals>>,
}

impl Metrics {
    pub fn publish(&self, snapshot: &MetricsSnapshot) {
        self.lock().fold(snapshot);
    }

    /// The exposition as of the last snapshot published.
    pub fn render(&self) -> String {
        // Encoded outside the lock: ingestion never waits for a scrape.
        let totals = self.lock().clone();
        encode(totals, chrono::Utc::now())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Totals> {
        // A fold cut short by a panic leaves counters behind, never wrong: go on with them.
        self.totals.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests;
