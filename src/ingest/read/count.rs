//! `summary`'s sink: the counts of the failures a filter keeps.

use std::io;

use chrono::{DateTime, Utc};

use super::{read, Capture, Sink};
use crate::enrich::Failure;
use crate::filter::Filter;
use crate::ingest::Pipeline;
use crate::protocol::Gap;
use crate::store::Aggregates;

/// The counts of the failures a filter keeps (none kept when there is no filter: the pipeline's
/// own counts are the answer).
struct Matching<'f> {
    filter: Option<&'f Filter>,
    now: DateTime<Utc>,
}

impl Sink for Matching<'_> {
    type Out = Aggregates;
    fn start(&self) -> Aggregates {
        Aggregates::part()
    }
    fn failure(&self, f: &Failure, out: &mut Aggregates) {
        if self
            .filter
            .is_some_and(|filter| filter.matches(f, self.now))
        {
            out.add(f);
        }
    }
    fn gap(&self, _: &Gap, _: &mut Aggregates) {}
}

/// A whole capture's aggregates (only failures matching `filter`, if any); `now` anchors
/// `since:` (the capture's own clock).
pub fn summarize(
    input: Capture<'_>,
    filter: &Filter,
    now: DateTime<Utc>,
    mut pipeline: Pipeline,
) -> io::Result<(Pipeline, Aggregates)> {
    let sink = Matching {
        filter: (!filter.is_empty()).then_some(filter),
        now,
    };
    let mut matching = Aggregates::default();
    read(input, &mut pipeline, &sink, |_, part| {
        matching.absorb(part);
        Ok(())
    })?;
    let agg = match sink.filter {
        // Every failure counts: the pipeline's own aggregates are the answer.
        None => pipeline.take_aggregates(),
        Some(_) => matching,
    };
    Ok((pipeline, agg))
}
