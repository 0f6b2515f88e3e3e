//! The live door: frames from a live source and the REST API's answers, taken in by one
//! cancel-safe loop that the dashboard's feed, `tail` and `watch` share. Each call of
//! [`LiveIntake::next`] waits for the next change and says what it was; failures admitted and
//! failures amended reach the caller's hook as they happen.

use std::time::{Duration, Instant};

use tokio::sync::watch;

use crate::api::names::Names;
use crate::api::{ApiHandle, ApiStatus};
use crate::enrich::{Failure, Recovery};
use crate::ingest::{Pipeline, Taken};
use crate::source::status::ConnState;
use crate::source::SourceHandle;

/// At most this many frames are taken in at one call …
const MAX_BATCH: usize = 20_000;
/// … and for at most this long, so a key always takes effect promptly under any load.
const MAX_BATCH_TIME: Duration = Duration::from_millis(25);

/// What changed at [`LiveIntake::next`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IngestEvent {
    /// Frames were taken in (failures admitted went to the hook).
    Ingested(usize),
    /// The REST API gave withheld texts back, or gave up on them (amended failures went to the
    /// hook).
    Recovered,
    /// The source's status changed ([`LiveIntake::status`]).
    Status,
    /// The REST API client's status changed ([`LiveIntake::api_status`]).
    ApiStatus,
    /// The REST API named the workspaces watched (the store has the names).
    Names,
    /// The wait for the server family is over: frames held for it were taken in.
    FamilyDecided,
    /// The source is gone for good, its last frames taken in.
    Ended,
}

/// A failure as the live door hands it to its caller.
pub enum Seen<'a> {
    /// Admitted, before the store takes it.
    Admitted(&'a Failure),
    /// Amended by the REST API's answer (only failures that were waiting).
    Amended(&'a Failure),
}

/// A live source and its REST API client, read into a pipeline.
pub struct LiveIntake {
    source: SourceHandle,
    api: Option<ApiHandle>,
    /// Workspace names as the REST API gives them, when asked.
    names: Option<Names>,
    status_open: bool,
    ended: bool,
}

impl LiveIntake {
    /// Frames from `source`.
    pub fn new(source: SourceHandle) -> Self {
        LiveIntake {
            source,
            api: None,
            names: None,
            status_open: true,
            ended: false,
        }
    }

    /// Withheld texts asked of this REST API client.
    pub fn attach_api(&mut self, api: ApiHandle, pipeline: &mut Pipeline) {
        pipeline.set_recover(true);
        self.api = Some(api);
    }

    /// Workspace names from this receiver ([`crate::api::names::start`]) go to the store.
    pub fn attach_names(&mut self, names: Names) {
        self.names = Some(names);
    }

    /// Where the frames come from (for the header).
    pub fn label(&self) -> &str {
        &self.source.label
    }

    /// The source's status as of now.
    pub fn status(&self) -> watch::Ref<'_, ConnState> {
        self.source.status.borrow()
    }

    /// The REST API client's status, when there is one.
    pub fn api_status(&self) -> Option<watch::Ref<'_, ApiStatus>> {
        self.api.as_ref().map(|a| a.status.borrow())
    }

    /// Wait for the next change and take it in. Cancel-safe: dropped unfinished, it loses
    /// nothing (nothing is taken in across an await).
    pub async fn next(
        &mut self,
        pipeline: &mut Pipeline,
        seen: &mut impl FnMut(Seen<'_>),
    ) -> IngestEvent {
        if self.ended {
            return std::future::pending().await;
        }
        let family_wait = pipeline.family_deadline();
        loop {
            tokio::select! {
                // Status first: a gap is said before the frames that follow it.
                biased;
                changed = self.source.status.changed(), if self.status_open => {
                    if changed.is_err() {
                        // The reader is gone; frames it left may still be queued.
                        self.status_open = false;
                        continue;
                    }
                    pipeline.source_counts(&self.source.status.borrow_and_update());
                    return IngestEvent::Status;
                }
                first = self.source.frames.recv() => {
                    let Some(first) = first else {
                        self.ended = true;
                        pipeline.end_of_input(&mut admitted_to(seen));
                        self.send_lookups(pipeline, seen);
                        return IngestEvent::Ended;
                    };
                    let started = Instant::now();
                    let mut admitted = |u: &crate::enrich::Update| seen(Seen::Admitted(&u.failure));
                    pipeline.push_frame_of(first.workspace.as_ref(), first.received_at, &first.text, &mut admitted);
                    let mut n = 1;
                    while n < MAX_BATCH && started.elapsed() < MAX_BATCH_TIME {
                        let Some(f) = self.source.frames.try_recv() else { break };
                        pipeline.push_frame_of(f.workspace.as_ref(), f.received_at, &f.text, &mut admitted);
                        n += 1;
                    }
                    pipeline.source_counts(&self.source.status.borrow());
                    self.send_lookups(pipeline, seen);
                    return IngestEvent::Ingested(n);
                }
                Some(event) = next_api(&mut self.api) => match event {
                    ApiEvent::Recovered(batch) => {
                        // Answers come in runs (an agent's list serves many): one event a run.
                        for r in &batch {
                            if let Some(f) = pipeline.apply_recovery(r) {
                                seen(Seen::Amended(f));
                            }
                        }
                        return IngestEvent::Recovered;
                    }
                    ApiEvent::Status => return IngestEvent::ApiStatus,
                },
                changed = names_changed(&mut self.names) => {
                    match (changed, &mut self.names) {
                        (true, Some(names)) => {
                            let latest = names.borrow_and_update().clone();
                            pipeline.store_mut().set_workspace_names(latest);
                            return IngestEvent::Names;
                        }
                        // The asking stopped (refused): the names given stay.
                        _ => self.names = None,
                    }
                }
                _ = sleep_until(family_wait), if family_wait.is_some() => {
                    pipeline.family_wait_over(Instant::now(), &mut admitted_to(seen));
                    self.send_lookups(pipeline, seen);
                    return IngestEvent::FamilyDecided;
                }
            }
        }
    }

    /// Hand the lookups ingest asked for to the client; those it cannot take are failed at once.
    fn send_lookups(&mut self, pipeline: &mut Pipeline, seen: &mut impl FnMut(Seen<'_>)) {
        let lookups = pipeline.take_lookups();
        let client = self.api.as_ref().map(|a| &a.requests);
        for r in crate::api::send_lookups(client, lookups) {
            if let Some(f) = pipeline.apply_recovery(&r) {
                seen(Seen::Amended(f));
            }
        }
    }
}

/// The failures a live stream's held frames gave (a live source holds nothing else).
fn admitted_to(seen: &mut impl FnMut(Seen<'_>)) -> impl FnMut(Taken<'_>) + '_ {
    |taken| {
        if let Taken::Admitted(u) = taken {
            seen(Seen::Admitted(&u.failure))
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(d) => tokio::time::sleep_until(d.into()).await,
        None => std::future::pending().await,
    }
}

enum ApiEvent {
    Recovered(Vec<Recovery>),
    Status,
}

/// The API client's next answer or status change; never, without one.
/// Whether the names changed (false: their sender is gone); pending without a receiver.
async fn names_changed(names: &mut Option<Names>) -> bool {
    match names {
        Some(rx) => rx.changed().await.is_ok(),
        None => std::future::pending().await,
    }
}

async fn next_api(api: &mut Option<ApiHandle>) -> Option<ApiEvent> {
    let Some(api) = api else {
        return std::future::pending().await;
    };
    tokio::select! {
        Some(r) = api.results.recv() => Some(ApiEvent::Recovered(r)),
        Ok(()) = api.status.changed() => {
            api.status.borrow_and_update();
            Some(ApiEvent::Status)
        }
        else => std::future::pending().await,
    }
}
