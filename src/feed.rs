//! The dashboard's ingestion, in one place: the pipeline, what feeds it (a live source or a
//! replay), the rate meter, and a copy of the source's status taken when it changes, so that
//! rendering reads plain state and never a channel.

use std::time::{Duration, Instant};

use crate::alerts::Fired;
use crate::api::{ApiHandle, ApiStatus};
use crate::ingest::live::{IngestEvent, LiveIntake};
use crate::ingest::replay::Replay;
use crate::ingest::Pipeline;
use crate::metrics::{Metrics, MetricsSnapshot};
use crate::source::status::ConnState;
use crate::source::SourceHandle;

/// Metrics are published at most this often while frames flow (and at the next tick after).
pub const METRICS_EVERY: Duration = Duration::from_millis(250);

/// What feeds the pipeline.
pub enum Input {
    Live(LiveIntake),
    Replay(Replay),
}

/// What changed after [`Feed::next`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FeedEvent {
    /// Frames were ingested.
    Ingested(usize),
    /// The API gave a withheld text back (or gave up on one).
    Recovered,
    /// The source's status changed.
    Status,
    /// The live source is gone for good.
    Ended,
}

/// A replay control.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReplayCmd {
    Faster,
    Slower,
    TogglePause,
    Step,
    /// Seek by this many seconds of capture time.
    Seek(i64),
}

pub struct Feed {
    pub pipeline: Pipeline,
    input: Input,
    /// Where the frames come from (for the header).
    pub label: String,
    /// The live source's status, as of its last change.
    pub status: Option<ConnState>,
    /// Frames per second over the last second.
    pub events_per_s: f64,
    rate_window: (Instant, u64),
    /// The REST API client's status, as of its last change.
    pub api_status: Option<ApiStatus>,
    /// Where snapshots for `--metrics` go, when last sent, and whether there is news since.
    metrics: Option<(Metrics, Instant, bool)>,
    alerts: AlertLog,
}

/// Alerts the pipeline fired: the latest announced (for the header), how many were announced,
/// how many of those rang, and every one of the session (held back by a cooldown or not).
#[derive(Default)]
struct AlertLog {
    latest: Option<Fired>,
    total: u64,
    announced: u64,
    history: crate::alerts::AlertHistory,
}

impl Feed {
    pub fn live(pipeline: Pipeline, source: SourceHandle) -> Feed {
        let status = Some(source.status.borrow().clone());
        let label = source.label.clone();
        Feed::new(
            pipeline,
            Input::Live(LiveIntake::new(source)),
            label,
            status,
        )
    }

    pub fn replay(pipeline: Pipeline, replay: Replay, label: String) -> Feed {
        Feed::new(pipeline, Input::Replay(replay), label, None)
    }

    fn new(pipeline: Pipeline, input: Input, label: String, status: Option<ConnState>) -> Feed {
        let frames = pipeline.stats().frames;
        Feed {
            pipeline,
            input,
            // A file name or URL is outside text too (a U+202E in a file name reorders the header).
            label: crate::redact::redact_line(&label, crate::redact::MAX_MESSAGE_CHARS),
            status,
            events_per_s: 0.0,
            rate_window: (Instant::now(), frames),
            api_status: None,
            metrics: None,
            alerts: AlertLog::default(),
        }
    }

    /// Every alert fired this session, held back by a cooldown or not.
    pub fn alert_history(&self) -> &crate::alerts::AlertHistory {
        &self.alerts.history
    }

    /// Alerts the pipeline fired, received at `received` (the wall clock): each is listed, and
    /// those announced count for the header and the bell.
    pub fn record_alerts(&mut self, fired: Vec<Fired>, received: chrono::DateTime<chrono::Utc>) {
        for f in fired {
            if f.announced() {
                self.alerts.total += 1;
                self.alerts.latest = Some(f.clone());
            }
            self.alerts.history.record(f, received);
        }
    }

    /// Whether the pipeline runs alert rules.
    pub fn has_alert_rules(&self) -> bool {
        self.pipeline.alert_engine().is_some()
    }

    /// The latest alert announced, and how many were announced in all.
    pub fn latest_alert(&self) -> Option<(&Fired, u64)> {
        self.alerts.latest.as_ref().map(|f| (f, self.alerts.total))
    }

    /// The latest alert and how many fired since the last call, for the bell and the desktop
    /// notification (one for a batch: a flood rings once).
    pub fn take_new_alerts(&mut self) -> Option<(Fired, u64)> {
        let new = self.alerts.total - self.alerts.announced;
        self.alerts.announced = self.alerts.total;
        let latest = self.alerts.latest.clone().filter(|_| new > 0)?;
        Some((latest, new))
    }

    /// Publish snapshots of the counts to these metrics as frames are ingested.
    pub fn with_metrics(mut self, metrics: Metrics) -> Feed {
        metrics.publish(&MetricsSnapshot::of(&self.pipeline, self.status.as_ref()));
        self.metrics = Some((metrics, Instant::now(), false));
        self
    }

    /// Publish a snapshot if there is news and one is due at `now` (or `force`).
    fn publish_metrics(&mut self, force: bool, now: Instant) {
        let Some((metrics, last, stale)) = &mut self.metrics else {
            return;
        };
        if *stale && (force || now.saturating_duration_since(*last) >= METRICS_EVERY) {
            metrics.publish(&MetricsSnapshot::of(&self.pipeline, self.status.as_ref()));
            *last = now;
            *stale = false;
        }
    }

    /// Recover withheld texts through this API client.
    pub fn with_api(mut self, api: ApiHandle) -> Feed {
        self.api_status = Some(api.status.borrow().clone());
        if let Input::Live(intake) = &mut self.input {
            intake.attach_api(api, &mut self.pipeline);
        }
        self
    }

    /// Name the workspaces watched as the REST API does ([`crate::api::names::start`]).
    pub fn with_names(mut self, names: crate::api::names::Names) -> Feed {
        if let Input::Live(intake) = &mut self.input {
            intake.attach_names(names);
        }
        self
    }

    pub fn replay_state(&self) -> Option<&Replay> {
        match &self.input {
            Input::Replay(r) => Some(r),
            Input::Live(_) => None,
        }
    }

    /// Wait for the next change: a batch of frames, a status change, or a replay frame due.
    /// Cancel-safe: dropped unfinished, it loses nothing.
    pub async fn next(&mut self) -> FeedEvent {
        let event = self.ingest().await;
        let fired = self.pipeline.take_fired();
        self.alerts.history.lost(self.pipeline.take_fired_dropped());
        if !fired.is_empty() {
            self.record_alerts(fired, chrono::Utc::now());
        }
        if let Some((_, _, stale)) = &mut self.metrics {
            *stale = true;
        }
        // A frame burst is published at most every METRICS_EVERY; a state change at once.
        self.publish_metrics(!matches!(event, FeedEvent::Ingested(_)), Instant::now());
        event
    }

    async fn ingest(&mut self) -> FeedEvent {
        match &mut self.input {
            Input::Live(intake) => {
                // The store keeps every failure: nothing to do with each as it comes.
                let event = intake.next(&mut self.pipeline, &mut |_| {}).await;
                match event {
                    IngestEvent::Ingested(n) => {
                        if let Some(status) = &mut self.status {
                            status.counts_from(&intake.status());
                        }
                        FeedEvent::Ingested(n)
                    }
                    IngestEvent::FamilyDecided => FeedEvent::Ingested(0),
                    IngestEvent::Recovered | IngestEvent::ApiStatus => {
                        self.api_status = intake.api_status().map(|s| s.clone());
                        match event {
                            IngestEvent::Recovered => FeedEvent::Recovered,
                            _ => FeedEvent::Status,
                        }
                    }
                    IngestEvent::Names => FeedEvent::Status,
                    IngestEvent::Status => {
                        self.status = Some(intake.status().clone());
                        FeedEvent::Status
                    }
                    IngestEvent::Ended => FeedEvent::Ended,
                }
            }
            Input::Replay(r) => {
                let now = Instant::now();
                match r.until_next(now) {
                    Some(d) => tokio::time::sleep(d.max(Duration::from_millis(1))).await,
                    None if r.paused || (r.at_end() && !r.looped) => {
                        std::future::pending::<()>().await
                    }
                    // Not anchored yet, or at max speed: ingest now, yielding first.
                    None => tokio::task::yield_now().await,
                }
                FeedEvent::Ingested(r.tick(Instant::now(), &mut self.pipeline))
            }
        }
    }

    /// Once a second: the rate, views whose `since:` window moves with the clock, and metrics
    /// held back during a burst.
    pub fn tick(&mut self, now: Instant) -> bool {
        self.publish_metrics(false, now);
        let elapsed = now.saturating_duration_since(self.rate_window.0);
        if elapsed < Duration::from_secs(1) {
            return false;
        }
        let frames = self.pipeline.stats().frames;
        // A replay restart resets the count: never report a negative or overflowed rate.
        self.events_per_s =
            frames.saturating_sub(self.rate_window.1) as f64 / elapsed.as_secs_f64();
        self.rate_window = (now, frames);
        if self.pipeline.store().filter().has_time_terms() {
            self.pipeline.store_mut().rebuild_view();
        }
        true
    }

    /// When the next [`Feed::tick`] is due.
    pub fn next_tick(&self) -> Instant {
        self.rate_window.0 + Duration::from_secs(1)
    }

    /// Carry out a replay control; `Err` says why it does not apply here.
    pub fn control(&mut self, cmd: ReplayCmd) -> Result<(), NotReplay> {
        let Input::Replay(r) = &mut self.input else {
            return Err(NotReplay);
        };
        match cmd {
            ReplayCmd::Faster => r.faster(),
            ReplayCmd::Slower => r.slower(),
            ReplayCmd::TogglePause => r.toggle_pause(),
            ReplayCmd::Step => {
                r.step(&mut self.pipeline);
            }
            ReplayCmd::Seek(secs) => {
                r.seek_by(&mut self.pipeline, chrono::Duration::seconds(secs));
                self.rate_window = (Instant::now(), self.pipeline.stats().frames);
            }
        }
        Ok(())
    }
}

/// A replay control on a live source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotReplay;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::status::Phase;

    const CAPTURE: &str = include_str!("../tests/data/octo-pr33.jsonl");

    #[tokio::test]
    async fn a_replay_at_max_speed_is_ingested_in_batches_and_reaches_the_end() {
        let mut r = Replay::load(CAPTURE.as_bytes()).unwrap();
        r.set_speed(None);
        let mut feed = Feed::replay(Pipeline::new(1000), r, "x".into());
        let mut total = 0;
        while !feed.replay_state().unwrap().at_end() {
            match feed.next().await {
                FeedEvent::Ingested(n) => total += n,
                e => panic!("{e:?}"),
            }
        }
        assert_eq!(feed.pipeline.store().agg.failures, 95);
        assert!(total > 700);
        assert_eq!(feed.control(ReplayCmd::Seek(-3600)), Ok(()));
        assert_eq!(
            feed.pipeline.store().agg.failures,
            0,
            "rebuilt from the start"
        );
    }

    #[tokio::test]
    async fn alerts_held_back_by_a_cooldown_are_listed_but_neither_counted_nor_rung() {
        let text = "name = \"lost\"\nlost = true\ncooldown = \"1h\"";
        let rule =
            crate::alerts::AlertRule::new(&toml::from_str(text).unwrap(), &Default::default())
                .unwrap();
        let mut pipeline = Pipeline::new(1000);
        pipeline.set_alerts(crate::alerts::AlertEngine::new(vec![rule]));
        let mut r = Replay::load(CAPTURE.as_bytes()).unwrap();
        r.set_speed(None);
        let mut feed = Feed::replay(pipeline, r, "x".into());
        assert!(feed.has_alert_rules());
        while !feed.replay_state().unwrap().at_end() {
            feed.next().await;
        }
        let history = feed.alert_history();
        let held = history.held();
        assert!(
            held > 0,
            "the capture loses more than one session within the hour"
        );
        let announced = (history.len() - held) as u64;
        assert_eq!(feed.latest_alert().map(|(_, n)| n), Some(announced));
        assert!(!feed.latest_alert().unwrap().0.held);
        let newest = history.newest_first().next().unwrap();
        assert!(newest.received > chrono::DateTime::UNIX_EPOCH);
        assert_eq!(feed.take_new_alerts().map(|(_, n)| n), Some(announced));
        assert_eq!(feed.take_new_alerts(), None, "each rings once");
    }

    #[test]
    fn a_file_name_from_outside_is_cleaned_for_the_header() {
        let replay = Replay::from_entries(Vec::new());
        let feed = Feed::replay(
            Pipeline::new(1),
            replay,
            "inc\u{202e}lsonj.\u{1b}]0;x\u{7}jsonl".into(),
        );
        assert_eq!(feed.label, "inclsonj.jsonl");
    }

    /// A live source the test drives: its frames' sender, its status, its handle.
    fn live_source() -> (
        crate::source::channel::FrameTx,
        tokio::sync::watch::Sender<ConnState>,
        SourceHandle,
    ) {
        let (tx, rx) = crate::source::channel::channel(10, crate::source::Delivery::Lossless);
        let (status_tx, status_rx) = tokio::sync::watch::channel(ConnState::new());
        (
            tx,
            status_tx,
            SourceHandle::from_parts(rx, status_rx, "test".into()),
        )
    }

    async fn deliver(tx: &crate::source::channel::FrameTx, text: &str) {
        let frame = crate::protocol::Frame {
            received_at: chrono::Utc::now(),
            text: text.to_owned(),
            workspace: None,
        };
        tx.deliver(frame).await.unwrap();
    }

    #[tokio::test]
    async fn a_live_source_feeds_frames_and_status_copies() {
        let (tx, status_tx, handle) = live_source();
        let mut feed = Feed::live(Pipeline::new(10), handle);
        assert!(matches!(
            feed.status.as_ref().unwrap().phase,
            Phase::Connecting { .. }
        ));
        status_tx.send_modify(|s| s.phase = Phase::Stopped);
        assert_eq!(feed.next().await, FeedEvent::Status);
        assert_eq!(feed.status.as_ref().unwrap().phase, Phase::Stopped);
        for i in 0..3 {
            let text = format!(r#"{{"type":"task:failed","payload":{{"task_id":"t{i}"}}}}"#);
            deliver(&tx, &text).await;
        }
        assert_eq!(feed.next().await, FeedEvent::Ingested(3));
        assert_eq!(feed.control(ReplayCmd::Step), Err(NotReplay));
        drop(tx);
        drop(status_tx);
        assert_eq!(feed.next().await, FeedEvent::Ended);
    }

    #[tokio::test]
    async fn frames_a_source_dropped_are_counted_once_in_the_metrics() {
        let (tx, status_tx, handle) = live_source();
        let metrics = Metrics::default();
        let mut feed = Feed::live(Pipeline::new(10), handle).with_metrics(metrics.clone());
        status_tx.send_modify(|s| s.dropped = 5);
        assert_eq!(feed.next().await, FeedEvent::Status);
        let text = r#"{"type":"task:failed","payload":{"task_id":"t1"}}"#;
        deliver(&tx, text).await;
        assert_eq!(feed.next().await, FeedEvent::Ingested(1));
        feed.tick(Instant::now() + Duration::from_secs(1));
        // The pipeline keeps the source's count and the status does too: one count, not two.
        assert_eq!(feed.pipeline.stats().source_dropped, 5);
        let rendered = metrics.render();
        assert!(
            rendered
                .lines()
                .any(|l| l == "failwatch_frames_dropped_total 5"),
            "{rendered}"
        );
    }

    #[tokio::test]
    async fn metrics_follow_a_status_change_at_once_and_a_burst_by_the_next_tick() {
        let (tx, status_tx, handle) = live_source();
        let metrics = Metrics::default();
        let mut feed = Feed::live(Pipeline::new(10), handle).with_metrics(metrics.clone());
        let has = |line: &str| metrics.render().lines().any(|l| l == line);
        assert!(has(r#"failwatch_connection_state{state="connecting"} 1"#));
        status_tx.send_modify(|s| {
            s.phase = Phase::Live {
                since: chrono::Utc::now(),
            }
        });
        assert_eq!(feed.next().await, FeedEvent::Status);
        assert!(has(r#"failwatch_connection_state{state="live"} 1"#));
        let text =
            r#"{"type":"task:failed","payload":{"task_id":"t1","failure_reason":"timeout"}}"#;
        deliver(&tx, text).await;
        assert_eq!(feed.next().await, FeedEvent::Ingested(1));
        // Just published (the status): the burst waits for the tick.
        assert!(!has(r#"failwatch_failures_total{reason="timeout"} 1"#));
        feed.tick(Instant::now() + Duration::from_secs(1));
        assert!(has(r#"failwatch_failures_total{reason="timeout"} 1"#));
    }
}
