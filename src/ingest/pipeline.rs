//! Frame text → store, in one place: decode, count, deduplicate, place in the stream, build,
//! admit. Every door ([`super::read`], [`super::live`], [`super::replay`]) comes in here.

use std::sync::Arc;
use std::time::Instant;

use chrono::{DateTime, Utc};

use super::family::{FamilyGate, Held, Opened};
use super::IngestStats;
use crate::alerts::{AlertEngine, Fired};
use crate::api::{MAX_QUEUED, TOO_MANY_WAITING};
use crate::bounded::BoundedMap;
use crate::capture::{clock, Line};
use crate::enrich::{build, Enricher, Failure, Lookup, LookupRequest, Placed, Recovery, Update};
use crate::protocol::{decode_with_id, Event, Gap, Identified, Rejection, TaskFailed, Ulid};
use crate::routing::FamilySource;
use crate::store::Store;

/// How many recent `event_id`s are remembered: a restarted node replays its last 5 minutes.
const RECENT_EVENT_IDS: usize = 100_000;

/// Failures waiting for the REST API to give their withheld text back, at most: as many as the
/// client queues.
pub const AWAITING: usize = MAX_QUEUED;

/// What taking a capture line in gave, in order.
pub enum Taken<'a> {
    /// A failure admitted (before the store takes it).
    Admitted(&'a Update),
    /// A gap the capture recorded.
    Gap(&'a Gap),
    /// A failure amended by a recorded REST answer.
    Amended(&'a Failure),
}

/// A failure waiting for the REST API: where it is kept.
enum Awaiting {
    Stored(u64),
    Copy(Box<Failure>),
}

pub struct Pipeline {
    enricher: Enricher,
    store: Store,
    /// The stream's own counters.
    stats: IngestStats,
    recent_ids: BoundedMap<Ulid, ()>,
    /// Ask the REST API for withheld texts (a live source with an API): lookups pile up in
    /// `lookups` for whoever sends them.
    recover: bool,
    lookups: Vec<LookupRequest>,
    /// A copy of each failure whose text may still be recovered (from the API, or a capture's
    /// recovered record): the store may not hold it (headless keeps none).
    awaiting: BoundedMap<std::sync::Arc<str>, Awaiting>,
    /// The last failure amended outside the store (headless keeps none).
    amended: Option<Box<Failure>>,
    /// Alert rules, evaluated on every failure as it is admitted.
    alerts: Option<AlertEngine>,
    /// Alerts fired and not yet taken ([`Pipeline::take_fired`]), at most [`FIRED_KEPT`].
    fired: Vec<Fired>,
    /// Alerts dropped from `fired` before they were taken ([`Pipeline::take_fired_dropped`]).
    fired_dropped: u64,
    /// Frames held until the server family is known (a headless stream; see
    /// [`super::family`]).
    gate: Option<FamilyGate>,
}

/// Fired alerts kept until taken; past it the oldest go (their count stays in the engine).
const FIRED_KEPT: usize = 1_000;

impl Pipeline {
    pub fn new(capacity: usize) -> Pipeline {
        Pipeline::with_enricher(capacity, Enricher::default())
    }

    /// A pipeline with a configured enricher (server family setting, bindings).
    pub fn with_enricher(capacity: usize, enricher: Enricher) -> Pipeline {
        Pipeline {
            enricher,
            store: Store::new(capacity),
            stats: IngestStats::default(),
            recent_ids: BoundedMap::new(RECENT_EVENT_IDS),
            recover: false,
            lookups: Vec::new(),
            awaiting: BoundedMap::new(AWAITING),
            amended: None,
            alerts: None,
            fired: Vec::new(),
            fired_dropped: 0,
            gate: None,
        }
    }

    /// What has been taken in: failures, aggregates, the filtered view.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, to change its filter or view.
    pub fn store_mut(&mut self) -> &mut Store {
        &mut self.store
    }

    /// The stream's counters: frames, types, what was skipped and why, gaps.
    pub fn stats(&self) -> &IngestStats {
        &self.stats
    }

    /// The stream's memory: family, bindings, correlation, chains.
    pub fn enricher(&self) -> &Enricher {
        &self.enricher
    }

    /// Ask the REST API for withheld texts ([`Pipeline::take_lookups`]).
    pub fn set_recover(&mut self, recover: bool) {
        self.recover = recover;
    }

    /// Evaluate these alert rules on every failure admitted.
    pub fn set_alerts(&mut self, engine: AlertEngine) {
        self.alerts = Some(engine);
    }

    /// The alert rules at work, if any: what they fired and held back.
    pub fn alert_engine(&self) -> Option<&AlertEngine> {
        self.alerts.as_ref()
    }

    /// Hold frames until a frame tells the server family, when no setting decided it (a
    /// headless stream: standard input, or a live source with a wall-clock `deadline`).
    pub fn hold_until_family(&mut self, deadline: Option<Instant>) {
        if self.enricher.family().1 == FamilySource::Assumed {
            self.gate = Some(FamilyGate::new(deadline));
        }
    }

    /// When frames held for the family must be let go (see [`Pipeline::family_wait_over`]).
    pub fn family_deadline(&self) -> Option<Instant> {
        self.gate.as_ref().and_then(FamilyGate::deadline)
    }

    /// Frames held for the family, not yet taken in.
    pub fn held_for_family(&self) -> usize {
        self.gate.as_ref().map_or(0, FamilyGate::held_count)
    }

    /// The live wait for the family is over at `now`: what was held is taken in, upstream
    /// assumed.
    pub fn family_wait_over(&mut self, now: Instant, on: &mut impl FnMut(Taken<'_>)) {
        if self.gate.as_ref().is_some_and(|g| g.expired(now)) {
            self.open_gate(Opened::Assumed, on);
        }
    }

    /// The input ended: what was held for the family is taken in, upstream assumed.
    pub fn end_of_input(&mut self, on: &mut impl FnMut(Taken<'_>)) {
        if self.gate.is_some() {
            self.open_gate(Opened::Assumed, on);
        }
    }

    /// Take in what was held, in its order: frames, and the lines between them.
    fn open_gate(&mut self, opened: Opened, on: &mut impl FnMut(Taken<'_>)) {
        let Some(gate) = self.gate.take() else { return };
        if let Opened::Told(family) = opened {
            // The telling frame is held last: the frames before it are routed as it says.
            self.enricher.observe_family(family);
        }
        tracing::info!(?opened, held = gate.held_count(), "server family decided");
        for held in gate.release() {
            match held {
                Held::Frame {
                    at,
                    text,
                    workspace,
                } => self.take_frame(at, &text, workspace.as_ref(), on),
                Held::Line { line, line_no } => self.take_line(&line, line_no, on),
            }
        }
    }

    /// Can a whole capture be taken in a chunk at a time ([`super::read`])? Only when nothing
    /// needs each failure as it comes: no failures kept, no alert rules, no REST API to ask, no
    /// frames held for the family.
    pub fn takes_in_bulk(&self) -> bool {
        self.store.capacity() == 0 && self.alerts.is_none() && !self.recover && self.gate.is_none()
    }

    /// The alerts fired since the last call.
    pub fn take_fired(&mut self) -> Vec<Fired> {
        std::mem::take(&mut self.fired)
    }

    /// How many alerts fired since the last call were dropped untaken (past [`FIRED_KEPT`]).
    pub fn take_fired_dropped(&mut self) -> u64 {
        std::mem::take(&mut self.fired_dropped)
    }

    /// Start over empty (a replay seeking back or looping): same capacity, filter, family
    /// setting and bindings, nothing ingested.
    pub fn restart(&mut self) {
        let filter = self.store.filter().clone();
        let capacity = self.store.capacity();
        let recover = self.recover;
        let alerts = self.alerts.as_ref().map(AlertEngine::fresh);
        *self = Pipeline::with_enricher(capacity, self.enricher.fresh());
        self.recover = recover;
        self.alerts = alerts;
        self.store.set_filter(filter);
    }

    /// A frame received (or recorded) at `at`; `on_update` sees each failure it produced
    /// before the store takes it (headless output streams from there). A frame delivered again
    /// under an `event_id` seen recently is counted once. While the family is unknown a stream
    /// holds its frames: then one frame may release many.
    pub fn push_frame(&mut self, at: DateTime<Utc>, text: &str, on_update: impl FnMut(&Update)) {
        self.push_frame_of(None, at, text, on_update)
    }

    /// [`Pipeline::push_frame`] of a frame a workspace's connection or stream carried: its
    /// failures are that workspace's.
    pub fn push_frame_of(
        &mut self,
        workspace: Option<&Arc<str>>,
        at: DateTime<Utc>,
        text: &str,
        mut on_update: impl FnMut(&Update),
    ) {
        self.offer_frame(at, text, workspace, &mut |taken| {
            if let Taken::Admitted(u) = taken {
                on_update(u)
            }
        })
    }

    /// A frame, held while the family is unknown.
    fn offer_frame(
        &mut self,
        at: DateTime<Utc>,
        text: &str,
        workspace: Option<&Arc<str>>,
        on: &mut impl FnMut(Taken<'_>),
    ) {
        match &mut self.gate {
            None => self.take_frame(at, text, workspace, on),
            Some(gate) => {
                if let Some(opened) = gate.offer(at, text, workspace) {
                    self.open_gate(opened, on);
                } else if gate.expired(Instant::now()) {
                    self.open_gate(Opened::Assumed, on);
                }
            }
        }
    }

    fn take_frame(
        &mut self,
        at: DateTime<Utc>,
        text: &str,
        workspace: Option<&Arc<str>>,
        on: &mut impl FnMut(Taken<'_>),
    ) {
        self.push_decoded(at, workspace, decode_with_id(text), &mut |u| {
            on(Taken::Admitted(u))
        })
    }

    /// A frame decoded elsewhere (a reader thread): the same as [`Pipeline::push_frame`]. Only
    /// the file door decodes ahead, and it has decided the family before (nothing is held).
    pub(crate) fn push_decoded(
        &mut self,
        at: DateTime<Utc>,
        workspace: Option<&Arc<str>>,
        decoded: Result<Identified<'_>, Rejection>,
        on_update: &mut impl FnMut(&Update),
    ) {
        debug_assert!(
            self.gate.is_none(),
            "the file door decides the family first"
        );
        if let Some((at, f, mut placed)) = self.sequence(at, &decoded) {
            placed.workspace = workspace.cloned();
            let family_changed = placed.family_changed;
            let bindings = self.enricher.shared_bindings().clone();
            let failure = build(at, f, &placed, &bindings, self.enricher.names());
            self.admit(
                Update {
                    failure: Box::new(failure),
                    family_changed,
                },
                on_update,
            );
        }
    }

    /// The in-order half of taking a decoded frame in: counted, a repeat skipped, the event
    /// learnt from. For a failure: its time (the event clock, [`clock::event_time`]), its frame
    /// and its place in the stream, from which it is built ([`build`], on any thread) and then
    /// admitted ([`Pipeline::admit`]).
    pub(crate) fn sequence<'d, 'a>(
        &mut self,
        received: DateTime<Utc>,
        decoded: &'d Result<Identified<'a>, Rejection>,
    ) -> Option<(DateTime<Utc>, &'d TaskFailed<'a>, Placed)> {
        let stats = &mut self.stats;
        stats.frames += 1;
        let (event, id) = match decoded {
            Ok((e, id)) => (e, id.as_ref()),
            Err(rejection) => {
                *stats.rejected.entry(rejection.key()).or_default() += 1;
                stats.last_problem = Some(format!("frame: {rejection}"));
                tracing::debug!(%rejection, "frame rejected");
                return None;
            }
        };
        if let Some(id) = id {
            if self.recent_ids.get(id).is_some() {
                stats.duplicates += 1;
                return None;
            }
            self.recent_ids.insert(*id, ());
        }
        let at = clock::event_time(id, received);
        self.stats.count_type(event);
        self.stats.saw(at);
        let placed = self.enricher.place(at, event);
        if self.enricher.take_family_told() {
            // A frame that is no failure told the family: what is kept is routed again.
            self.reroute();
        }
        let placed = placed?;
        if placed.family_changed {
            tracing::info!(family = placed.family.name(), "server family detected");
        }
        match event {
            Event::TaskFailed(f) => Some((at, f, placed)),
            _ => None,
        }
    }

    fn reroute(&mut self) {
        let family = self.enricher.family();
        tracing::info!(family = family.0.name(), "server family detected");
        self.store.reroute(family, self.enricher.bindings());
    }

    /// Admit a failure built from its place: its lookup, the store (routed again when the
    /// family changed), `on_update` (before the store takes it) and the alert rules.
    pub(crate) fn admit(&mut self, mut update: Update, on_update: &mut impl FnMut(&Update)) {
        if self.recover && update.failure.needs_lookup() && self.awaiting.len() >= AWAITING {
            // A flood: said on the failure, not asked (and never left waiting forever).
            update.failure.lookup = Lookup::Failed(TOO_MANY_WAITING.into());
        } else if self.recover && update.failure.needs_lookup() {
            update.failure.lookup = Lookup::Pending;
            self.lookups.extend(update.failure.lookup_request());
            if let Some(task) = update.failure.task_id.clone() {
                // The store keeps the failure to amend; without a store, a copy waits.
                let waiting = if self.store.capacity() > 0 {
                    Awaiting::Stored(update.failure.seq)
                } else {
                    Awaiting::Copy(update.failure.clone())
                };
                self.awaiting.insert(task, waiting);
            }
        }
        self.stats.count_admitted(&update.failure);
        if update.family_changed {
            self.reroute();
        }
        on_update(&update);
        if let Some(engine) = &mut self.alerts {
            // Event time only: an empty store's clock would be the wall clock.
            let now = self
                .stats
                .last_at
                .unwrap_or(update.failure.at)
                .max(update.failure.at);
            let fired = engine.observe(&update.failure, now);
            self.fired.extend(fired);
            let over = self.fired.len().saturating_sub(FIRED_KEPT);
            self.fired.drain(..over);
            self.fired_dropped += over as u64;
        }
        self.store.apply(update);
    }

    /// The lookups ingest asked for since the last call.
    pub fn take_lookups(&mut self) -> Vec<LookupRequest> {
        std::mem::take(&mut self.lookups)
    }

    /// The REST API's answer for a failure: its text and attempts taken in, routes and counts
    /// derived again. The failure as it is now, if it was still waiting (and not yet evicted).
    pub fn apply_recovery(&mut self, r: &Recovery) -> Option<&Failure> {
        let waiting = self.awaiting.remove(&r.task_id)?;
        if r.outcome.as_ref().is_ok_and(|x| x.error.is_some()) {
            self.stats.recovered += 1;
        }
        let family = self.enricher.family();
        let bindings = self.enricher.bindings();
        // A text cut (to its bound, or with an answer cut at its byte cap) counts as a frame's
        // does: once per failure, so not again for one already counted at admission. A failure
        // evicted meanwhile is counted on the answer's word.
        let mut newly_cut = r.text_cut();
        let mut apply = |f: &mut Failure| {
            let before = f.text_cut();
            f.apply_recovery(&r.outcome, family, bindings);
            newly_cut = !before && f.text_cut();
        };
        let amended = match waiting {
            Awaiting::Stored(seq) => self.store.amend(seq, apply),
            Awaiting::Copy(mut f) => {
                self.store.amend_uncounted(&mut f, &mut apply);
                self.amended = Some(f);
                self.amended.as_deref()
            }
        };
        self.stats.texts_cut += u64::from(newly_cut);
        amended
    }

    /// A window in which events may be missing (a source's disconnect, a capture's gap record).
    pub fn push_gap(&mut self, gap: &Gap) {
        self.stats.note_gap(gap);
    }

    /// What a live source counted before handing frames on: frames it had to drop, and
    /// repeats it skipped (counted with the pipeline's own).
    pub fn source_counts(&mut self, state: &crate::source::status::ConnState) {
        self.stats.source_dropped = state.dropped;
        self.stats.source_duplicates = state.duplicates;
    }

    /// One line of a capture: frames are taken in, gap records noted, recovered texts applied,
    /// everything else counted; `on` sees what each gives, in order. While frames are held for
    /// the family, the other lines wait with them in their places. `line_no` names the line in
    /// the problem a bad line leaves.
    pub fn push_line(&mut self, line: &Line, line_no: u64, mut on: impl FnMut(Taken<'_>)) {
        if let Line::Frame {
            at,
            text,
            synthetic,
            workspace,
        } = line
        {
            if *synthetic {
                self.count_paced();
            }
            return self.offer_frame(*at, text, workspace.as_ref(), &mut on);
        }
        match &mut self.gate {
            Some(gate) => {
                if let Some(opened) = gate.hold_line(line.clone(), line_no) {
                    self.open_gate(opened, &mut on);
                }
            }
            None => self.take_line(line, line_no, &mut on),
        }
    }

    /// A capture line, taken in now.
    fn take_line(&mut self, line: &Line, line_no: u64, on: &mut impl FnMut(Taken<'_>)) {
        match line {
            Line::Frame {
                at,
                text,
                workspace,
                ..
            } => self.take_frame(*at, text, workspace.as_ref(), on),
            Line::Gap(gap) => {
                self.push_gap(gap);
                on(Taken::Gap(gap));
            }
            Line::Recovered(r) => {
                if let Some(f) = self.apply_recovery(r) {
                    on(Taken::Amended(f));
                }
            }
            Line::Bad(why) => self.push_bad_line(&format!("line {line_no}: {why}")),
            Line::Blank => self.stats.blank_lines += 1,
            // A recording made with the API holds each lookup's end: wait for it.
            Line::Header(h) => self.recover |= h.api,
        }
    }

    /// A frame whose line carried no time of its own: paced after the one before.
    pub(crate) fn count_paced(&mut self) {
        self.stats.synthetic_times += 1;
    }

    /// The interner of failures built in order (a frame the reader had to copy out).
    pub(crate) fn enricher_names(&mut self) -> &mut crate::enrich::Interner {
        self.enricher.names()
    }

    /// A capture line that was not a frame at all.
    pub(crate) fn push_bad_line(&mut self, why: &str) {
        self.stats.bad_lines += 1;
        self.stats.last_problem = Some(why.to_owned());
    }

    /// The failures of a chunk built and counted on a reader thread, taken in as
    /// [`Pipeline::admit`] takes them in, with their counts.
    pub(crate) fn absorb(
        &mut self,
        counts: crate::store::Aggregates,
        latest: Option<DateTime<Utc>>,
        admitted: super::Admitted,
    ) {
        self.store.absorb(counts, latest);
        self.stats.absorb_admitted(admitted);
    }

    /// The aggregates, taken out (a headless reading that is over).
    pub fn take_aggregates(&mut self) -> crate::store::Aggregates {
        std::mem::take(&mut self.store.agg)
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
        p.store_mut()
            .set_filter(crate::filter::Filter::parse("session:s").unwrap());
        let frame = r#"{"type":"task:failed","payload":{"task_id":"t","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed"}}"#;
        p.push_frame(Utc::now(), frame, |_| {});
        p.restart();
        assert_eq!(p.store().agg.failures, 0);
        assert_eq!(p.store().filter().source(), "session:s");
        p.push_frame(Utc::now(), frame, |_| {});
        let f = p.store().get(0).unwrap();
        assert_eq!(f.family, Family::Octo);
        assert_eq!(f.route(Relay::Lark).unwrap().bound, Some(true));
    }

    #[test]
    fn failures_before_the_family_is_known_are_routed_again_when_it_is() {
        let mut p = Pipeline::new(100);
        let t = Utc::now();
        // A fork before PR #33 says nothing about its family …
        p.push_frame(t, r#"{"type":"task:failed","payload":{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed"}}"#, |_| {});
        let agg = &p.store().agg;
        assert_eq!(
            agg.routing[Relay::Lark.index()][Outcome::NotifiedGeneric.index()],
            1
        );
        assert_eq!(
            agg.routing[Relay::Telegram.index()][Outcome::Silent.index()],
            1
        );
        // … until a frame after the fix shows `error` on the wire.
        p.push_frame(t, r#"{"type":"task:failed","payload":{"task_id":"t2","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed","failure_reason":"timeout","error":"task timed out"}}"#, |_| {});
        assert_eq!(p.enricher().family().0, Family::Octo);
        let first = p.store().get(0).unwrap();
        assert_eq!(first.family, Family::Octo);
        assert_eq!(
            first.route_text(Relay::Octo).unwrap().render(""),
            "⚠️ The agent run failed."
        );
        let agg = &p.store().agg;
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

    const LEGACY: &str = r#"{"type":"task:failed","payload":{"task_id":"t1","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed"}}"#;
    const FORK: &str = r#"{"type":"task:failed","payload":{"task_id":"t2","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed","failure_reason":"timeout","error":"task timed out"}}"#;

    #[test]
    fn a_stream_holds_its_frames_until_one_tells_the_family_then_routes_all_as_it_says() {
        let mut p = Pipeline::new(0);
        p.hold_until_family(None);
        let mut seen = Vec::new();
        let mut hook = |u: &Update| seen.push((u.failure.family, u.failure.family_source));
        p.push_frame(Utc::now(), LEGACY, &mut hook);
        assert_eq!(
            p.held_for_family(),
            1,
            "nothing routed before the family is known"
        );
        p.push_frame(Utc::now(), FORK, &mut hook);
        assert_eq!(seen, [(Family::Octo, FamilySource::Detected); 2]);
        assert_eq!(p.stats().assumed_family, 0);
        assert_eq!(
            p.store().agg.routing[Relay::Octo.index()]
                .iter()
                .sum::<u64>(),
            2
        );
    }

    #[test]
    fn lines_between_held_frames_wait_with_them_and_come_out_in_their_places() {
        let line = |text: &str| crate::capture::parse_line(text.as_bytes(), true, None);
        let lines = [
            line(r#"{"failwatch_capture":1,"source":"x","api":true}"#),
            line(&withheld_chat_failure("t1")),
            line(
                r#"{"at":"2026-11-20T03:14:09Z","gap":{"from":"2026-11-20T03:14:00Z","to":"2026-11-20T03:14:09Z","why":"reconnected"}}"#,
            ),
            line(
                r#"{"at":"2026-11-20T03:14:10Z","recovered":{"task_id":"t1","source":"agent_tasks","error":"exit 137"}}"#,
            ),
            line(
                &withheld_chat_failure("t2")
                    .replace("\"retry_pending\":false", "\"retry_pending\":true"),
            ),
        ];
        let mut p = Pipeline::new(0);
        p.hold_until_family(None);
        let mut order = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            p.push_line(l, i as u64 + 1, |t| {
                order.push(match t {
                    Taken::Admitted(u) => {
                        format!("failure {}", u.failure.task_id.as_deref().unwrap())
                    }
                    Taken::Gap(_) => "gap".to_owned(),
                    Taken::Amended(f) => format!("answer {}", f.error().unwrap_or_default()),
                })
            });
        }
        // The last frame told (retry_pending: upstream); then all came out as they stood,
        // the recorded answer reaching the failure held before it.
        assert_eq!(
            order,
            ["failure t1", "gap", "answer exit 137", "failure t2"]
        );
        assert_eq!(p.stats().recovered, 1);
        assert_eq!(p.stats().gaps.len(), 1);
    }

    #[test]
    fn past_the_wait_or_at_the_end_the_held_frames_go_on_an_assumed_family_and_say_so() {
        let mut p = Pipeline::new(0);
        p.hold_until_family(None);
        p.push_frame(Utc::now(), LEGACY, |_| {});
        let mut seen = Vec::new();
        p.end_of_input(&mut |t: Taken<'_>| {
            if let Taken::Admitted(u) = t {
                seen.push(u.failure.family_source)
            }
        });
        assert_eq!(seen, [FamilySource::Assumed]);
        assert_eq!(p.stats().assumed_family, 1);

        // A wait already over: the next frame goes at once.
        let mut p = Pipeline::new(0);
        p.hold_until_family(Some(std::time::Instant::now()));
        let mut n = 0;
        p.push_frame(Utc::now(), LEGACY, |_| n += 1);
        assert_eq!((n, p.held_for_family()), (1, 0));

        // A setting decides at once: nothing is held.
        let enricher = Enricher::new(Some((Family::Octo, FamilySource::Flag)), Default::default());
        let mut p = Pipeline::with_enricher(0, enricher);
        p.hold_until_family(None);
        let mut n = 0;
        p.push_frame(Utc::now(), LEGACY, |_| n += 1);
        assert_eq!(n, 1);
    }

    fn withheld_chat_failure(task: &str) -> String {
        format!(
            r#"{{"type":"task:failed","payload":{{"task_id":"{task}","agent_id":"a","issue_id":"","chat_session_id":"s","status":"failed","failure_reason":"agent_error.process_failure","retry_pending":false}}}}"#
        )
    }

    #[test]
    fn a_recovered_text_amends_the_stored_failure_its_routes_its_counts_and_the_view() {
        use crate::enrich::{ApiSource, ErrorOrigin, Recovered, Recovery, SeenText};
        for stored in [100, 0] {
            let mut p = Pipeline::new(stored);
            p.set_recover(true);
            p.store_mut()
                .set_filter(crate::filter::Filter::parse("exit").unwrap());
            p.push_frame(Utc::now(), &withheld_chat_failure("t1"), |_| {});
            let asked = p.take_lookups();
            assert_eq!(asked.len(), 1);
            assert_eq!((p.store().agg.withheld, p.store().view_len()), (1, 0));
            let r = Recovery {
                task_id: asked[0].task_id.clone(),
                outcome: Ok(Recovered {
                    source: ApiSource::AgentTasks,
                    error: Some(SeenText::new("exit 137")),
                    attempt: None,
                }),
            };
            let f = p.apply_recovery(&r).expect("the failure was waiting");
            assert_eq!(f.error_origin(), Some(ErrorOrigin::Api));
            assert!(f
                .route_text(Relay::Lark)
                .is_some_and(|t| t.render("").contains("exit 137")));
            assert_eq!(p.store().agg.withheld, 0, "counted as told now");
            assert_eq!(p.stats().recovered, 1);
            // Only a store that keeps failures has a view to move into.
            assert_eq!(p.store().view_len(), usize::from(stored > 0));
            assert!(p.apply_recovery(&r).is_none(), "answered once");
        }
    }

    #[test]
    fn a_recovered_text_cut_or_lost_with_a_cut_answer_counts_as_a_text_cut_once() {
        use crate::enrich::{ApiSource, LookupFailed, Recovered, Recovery, SeenText};
        let mut p = Pipeline::new(0);
        p.set_recover(true);
        for t in ["t1", "t2", "t3"] {
            p.push_frame(Utc::now(), &withheld_chat_failure(t), |_| {});
        }
        let found = |task: &str, text: &str| Recovery {
            task_id: task.into(),
            outcome: Ok(Recovered {
                source: ApiSource::AgentTasks,
                error: Some(SeenText::new(text)),
                attempt: None,
            }),
        };
        let huge = format!("exit 1 {}", "x ".repeat(50_000));
        assert!(p.apply_recovery(&found("t1", &huge)).is_some());
        assert_eq!(p.stats().texts_cut, 1, "cut to its bound");
        let lost = Recovery {
            task_id: "t2".into(),
            outcome: Err(LookupFailed {
                why: "answer cut at 8 MiB".into(),
                cut: true,
            }),
        };
        let f = p.apply_recovery(&lost).unwrap();
        assert!(f.text_cut());
        assert_eq!(p.stats().texts_cut, 2, "lost with a cut answer");
        p.apply_recovery(&found("t3", "exit 2"));
        assert_eq!(p.stats().texts_cut, 2, "a whole text is not counted");
        p.apply_recovery(&found("t1", &huge));
        assert_eq!(p.stats().texts_cut, 2, "answered once, counted once");
    }

    #[test]
    fn a_flood_past_the_waiting_bound_is_marked_not_asked_never_left_waiting() {
        let mut p = Pipeline::new(0);
        p.set_recover(true);
        let mut last = None;
        for i in 0..=AWAITING {
            p.push_frame(Utc::now(), &withheld_chat_failure(&format!("t{i}")), |u| {
                last = Some(u.failure.lookup.clone())
            });
        }
        assert_eq!(p.take_lookups().len(), AWAITING);
        assert_eq!(last, Some(Lookup::Failed(TOO_MANY_WAITING.into())));
    }

    #[test]
    fn alerts_past_the_bound_before_they_are_taken_are_dropped_and_counted() {
        let text = "name = \"every\"\ncount = 1\nwindow = \"1s\"";
        let rule =
            crate::alerts::AlertRule::new(&toml::from_str(text).unwrap(), &Default::default())
                .unwrap();
        let mut p = Pipeline::new(10);
        p.set_alerts(AlertEngine::new(vec![rule]));
        let t0 = DateTime::from_timestamp(1_790_000_000, 0).unwrap();
        for i in 0..FIRED_KEPT + 5 {
            let frame = format!(r#"{{"type":"task:failed","payload":{{"task_id":"t{i}"}}}}"#);
            p.push_frame(t0 + chrono::Duration::seconds(2 * i as i64), &frame, |_| {});
        }
        assert_eq!(p.take_fired().len(), FIRED_KEPT);
        assert_eq!(p.take_fired_dropped(), 5);
        assert_eq!(p.take_fired_dropped(), 0, "taken");
    }
}
