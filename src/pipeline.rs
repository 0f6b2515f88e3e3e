//! Frame text → store, in one place: decode, count, enrich, apply. Shared by every view.

use chrono::{DateTime, Utc};

use crate::enrich::{Enricher, Update};
use crate::protocol::{decode, Event};
use crate::store::Store;

pub struct Pipeline {
    enricher: Enricher,
    pub store: Store,
}

impl Pipeline {
    pub fn new(capacity: usize) -> Pipeline {
        Pipeline {
            enricher: Enricher::default(),
            store: Store::new(capacity),
        }
    }

    /// Ingest one frame.
    pub fn push_frame(&mut self, at: DateTime<Utc>, text: &str) {
        self.push_frame_with(at, text, |_| {});
    }

    /// Ingest one frame; `on_update` sees the update it caused before the store takes it
    /// (headless output streams from there). Returns the decoded event, if any.
    pub fn push_frame_with(
        &mut self,
        at: DateTime<Utc>,
        text: &str,
        mut on_update: impl FnMut(&Update),
    ) -> Option<Event> {
        let stats = &mut self.store.ingest;
        stats.frames += 1;
        let event = match decode(text) {
            Ok(e) => e,
            Err(rejection) => {
                *stats.rejected.entry(rejection.key()).or_default() += 1;
                stats.last_problem = Some(format!("frame: {rejection}"));
                tracing::debug!(%rejection, "frame rejected");
                return None;
            }
        };
        stats.count_type(event.type_name());
        if let Some(update) = self.enricher.ingest(at, &event) {
            on_update(&update);
            self.store.apply(update);
        }
        Some(event)
    }

    /// A capture line that was not a frame at all.
    pub fn push_bad_line(&mut self, why: &str) {
        self.store.ingest.bad_lines += 1;
        self.store.ingest.last_problem = Some(why.to_owned());
    }
}
