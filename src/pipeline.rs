//! Frame text → store, in one place: decode, count, enrich, apply. Shared by every view.

use chrono::{DateTime, Utc};

use crate::enrich::{Enricher, Update};
use crate::protocol::{decode, Event};
use crate::store::Store;

pub struct Pipeline {
    pub enricher: Enricher,
    pub store: Store,
}

impl Pipeline {
    pub fn new(capacity: usize) -> Pipeline {
        Pipeline::with_enricher(capacity, Enricher::default())
    }

    /// A pipeline with a configured enricher (server family setting, bindings).
    pub fn with_enricher(capacity: usize, enricher: Enricher) -> Pipeline {
        Pipeline {
            enricher,
            store: Store::new(capacity),
        }
    }

    /// Start over empty (a replay seeking back or looping): same capacity, filter, family
    /// setting and bindings, nothing ingested.
    pub fn restart(&mut self) {
        let filter = self.store.filter().clone();
        let capacity = self.store.capacity();
        *self = Pipeline::with_enricher(capacity, self.enricher.fresh());
        self.store.set_filter(filter);
    }

    /// Ingest one frame.
    pub fn push_frame(&mut self, at: DateTime<Utc>, text: &str) {
        self.push_frame_with(at, text, |_| {});
    }

    /// Ingest one frame; `on_update` sees the failure it produced before the store takes it
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
            if update.family_changed {
                let (family, _) = self.enricher.family();
                tracing::info!(family = family.name(), "server family detected");
                self.store.reroute(family, self.enricher.bindings());
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::routing::{Bindings, Family, FamilySource, Outcome, Relay};

    #[test]
    fn a_restart_forgets_what_was_ingested_but_keeps_the_settings() {
        let bindings = Bindings::parse("[sessions]\n\"s\" = [\"lark\"]\n").unwrap();
        let enricher = Enricher::new(
            Some((Family::Octo, FamilySource::Flag)),
            std::sync::Arc::new(bindings),
        );
        let mut p = Pipeline::with_enricher(10, enricher);
        p.store
            .set_filter(crate::filter::Filter::parse("session:s").unwrap());
        let frame = r#"{"type":"task:failed","payload":{"task_id":"t","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed"}}"#;
        p.push_frame(Utc::now(), frame);
        p.restart();
        assert_eq!(p.store.agg.failures, 0);
        assert_eq!(p.store.filter().source(), "session:s");
        p.push_frame(Utc::now(), frame);
        let f = p.store.get(0).unwrap();
        assert_eq!(f.family, Family::Octo);
        assert_eq!(f.route(Relay::Lark).unwrap().bound, Some(true));
    }

    #[test]
    fn failures_before_the_family_is_known_are_routed_again_when_it_is() {
        let mut p = Pipeline::new(100);
        let t = Utc::now();
        // A fork before PR #33 says nothing about its family …
        p.push_frame(t, r#"{"type":"task:failed","payload":{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed"}}"#);
        let agg = &p.store.agg;
        assert_eq!(
            agg.routing[Relay::Lark.index()][Outcome::NotifiedGeneric.index()],
            1
        );
        assert_eq!(
            agg.routing[Relay::Telegram.index()][Outcome::Silent.index()],
            1
        );
        // … until a frame after the fix shows `error` on the wire.
        p.push_frame(t, r#"{"type":"task:failed","payload":{"task_id":"t2","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed","failure_reason":"timeout","error":"task timed out"}}"#);
        assert_eq!(p.enricher.family().0, Family::Octo);
        let first = p.store.get(0).unwrap();
        assert_eq!(first.family, Family::Octo);
        assert_eq!(
            first.route_text(Relay::Octo).unwrap().render(""),
            "⚠️ The agent run failed."
        );
        let agg = &p.store.agg;
        assert_eq!(agg.routing[Relay::Telegram.index()].iter().sum::<u64>(), 0);
        assert_eq!(
            agg.routing[Relay::Octo.index()][Outcome::NotifiedGeneric.index()],
            1
        );
        assert_eq!(
            agg.routing[Relay::Octo.index()][Outcome::NotifiedCanned.index()],
            1
        );
        assert_eq!(agg.routing[Relay::Lark.index()].iter().sum::<u64>(), 2);
        assert_eq!(agg.sessions["s"].generic + agg.sessions["s"].canned, 2);
    }
}
