//! Which of a live source's gaps were said: each is said when it opens and again when it
//! closes; frames the source dropped are said as a closed gap of their own. `tail` writes them
//! among its rows, `watch` on standard error; both count them for their end line.

use chrono::{DateTime, Utc};

use crate::ingest::Pipeline;
use crate::protocol::Gap;
use crate::source::status::ConnState;

#[derive(Debug, Default)]
pub struct GapReporter {
    /// Start of the newest gap said, and whether it was closed then.
    last: Option<(DateTime<Utc>, bool)>,
    dropped: u64,
}

impl GapReporter {
    /// The gap lines `state` calls for that were not said yet.
    pub fn news(&mut self, state: &ConnState, now: DateTime<Utc>) -> Vec<Gap> {
        let mut news = Vec::new();
        // Only the newest gaps can be unsaid: older ones were said closed.
        let unsaid = state
            .gaps
            .iter()
            .rev()
            .take_while(|g| self.last.is_none_or(|(from, _)| g.from >= from))
            .count();
        for g in &state.gaps[state.gaps.len() - unsaid..] {
            let said = self.last.is_some_and(|(from, closed)| {
                g.from < from || (g.from == from && (closed || g.to.is_none()))
            });
            if !said {
                self.last = Some((g.from, g.to.is_some()));
                news.push(g.clone());
            }
        }
        if state.dropped > self.dropped {
            let n = state.dropped - self.dropped;
            self.dropped = state.dropped;
            news.push(Gap {
                from: state.last_frame_at.unwrap_or(now),
                to: Some(now),
                why: format!("{n} frames dropped: failwatch fell behind the source"),
            });
        }
        news
    }

    /// [`news`](GapReporter::news), each also counted by the pipeline (once per gap, however
    /// often it is said).
    pub fn noted(
        &mut self,
        state: &ConnState,
        pipeline: &mut Pipeline,
        now: DateTime<Utc>,
    ) -> Vec<Gap> {
        let news = self.news(state, now);
        for gap in &news {
            pipeline.push_gap(gap);
        }
        news
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_gap_is_said_when_it_opens_and_when_it_closes_and_drops_are_gaps_too() {
        let t = |s: i64| DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap();
        let gap = |from: i64, to: Option<i64>| Gap {
            from: t(from),
            to: to.map(t),
            why: "disconnected".into(),
        };
        let mut state = ConnState::new();
        let mut r = GapReporter::default();
        assert!(r.news(&state, t(0)).is_empty());
        state.add_gap(gap(10, None));
        assert_eq!(r.news(&state, t(11)), [gap(10, None)], "open");
        assert!(r.news(&state, t(12)).is_empty(), "once while open");
        state.gaps[0].to = Some(t(15));
        assert_eq!(r.news(&state, t(16)), [gap(10, Some(15))], "closed");
        assert!(r.news(&state, t(17)).is_empty());
        state.add_gap(gap(20, Some(21)));
        state.dropped = 7;
        let news = r.news(&state, t(30));
        assert_eq!(news[0], gap(20, Some(21)));
        assert!(news[1].why.starts_with("7 frames dropped"), "{news:?}");
        assert!(r.news(&state, t(31)).is_empty());
    }

    #[test]
    fn a_gap_said_twice_is_counted_once() {
        let t = |s: i64| DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap();
        let mut state = ConnState::new();
        let mut pipeline = Pipeline::new(0);
        let mut r = GapReporter::default();
        state.add_gap(Gap {
            from: t(10),
            to: None,
            why: "disconnected".into(),
        });
        assert_eq!(r.noted(&state, &mut pipeline, t(11)).len(), 1);
        state.gaps[0].to = Some(t(15));
        assert_eq!(r.noted(&state, &mut pipeline, t(16)).len(), 1);
        let line = crate::output::losses_line(&pipeline);
        assert!(line.contains(" 1 gaps"), "{line}");
    }
}
